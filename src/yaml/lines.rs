//! The one reader of a front-matter line: its indentation, the key written
//! on it, its value and its comment. The locator, `edit` (and so `review`,
//! `checkin` and `new`) and the LSP read lines through it, so they agree on
//! what a line says even where the YAML around it does not parse yet.
//!
//! It reads lines, not YAML: a key is the text before the first `: ` (or a
//! quoted key and its `:`); a line whose content starts with `-` is a list
//! item and `#` a comment, neither has a key. A comment starts at a `#`
//! after a blank (or at the start) outside quotes, as YAML has it; a quote
//! opens a quoted scalar only where a token starts (`it's` is plain text).

/// One line of front matter, as read by [`Line::read`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'t> {
    /// The line without its line end (`\n` or `\r\n`).
    pub text: &'t str,
    /// How many blanks (spaces and tabs) come before its content.
    pub indent: usize,
    /// The key written on the line, without its quotes: `None` for a list
    /// item, a comment, a blank line or a line with no `key:`.
    pub key: Option<&'t str>,
    /// The byte offset in the line where the key's text starts (past an opening quote).
    pub key_at: usize,
    /// The byte offset in the line just past the key's `:`.
    pub after_colon: usize,
}

impl<'t> Line<'t> {
    /// Reads `line` (with or without its line end).
    pub(crate) fn read(line: &'t str) -> Line<'t> {
        let text = line
            .strip_suffix('\n')
            .map_or(line, |l| l.strip_suffix('\r').unwrap_or(l));
        let content = text.trim_start_matches([' ', '\t']);
        let indent = text.len() - content.len();
        let mut read = Line {
            text,
            indent,
            key: None,
            key_at: indent,
            after_colon: indent,
        };
        if content.starts_with(['#', '-']) {
            return read;
        }
        let body = content.trim_end();
        match body.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => {
                let Some(close) = body[1..].find(char::from(q)).map(|c| c + 1) else {
                    return read;
                };
                let after = &body[close + 1..];
                let gap = after.len() - after.trim_start().len();
                if after[gap..].starts_with(':') {
                    read.key = Some(&body[1..close]);
                    read.key_at = indent + 1;
                    read.after_colon = indent + close + 1 + gap + 1;
                }
            }
            Some(_) => {
                if let Some(colon) = mapping_colon(body) {
                    read.key = Some(body[..colon].trim_end());
                    read.after_colon = indent + colon + 1;
                }
            }
            None => {}
        }
        read
    }

    /// Whether the line is a key of the top-level mapping (a key at column 0).
    pub(crate) fn is_top_level(&self) -> bool {
        self.indent == 0 && self.key.is_some()
    }

    /// What follows the key's `:`, comment included (nothing when there is no key).
    pub(crate) fn rest(&self) -> &'t str {
        match self.key {
            Some(_) => &self.text[self.after_colon..],
            None => "",
        }
    }

    /// The value written after the key on this line, without its comment
    /// and blanks (empty when the value, if any, is on the lines below).
    pub(crate) fn value(&self) -> &'t str {
        strip_comment(self.rest()).trim()
    }

    /// Whether the line is blank or only a comment.
    pub(crate) fn is_blank_or_comment(&self) -> bool {
        let content = self.text[self.indent..].trim_end();
        content.is_empty() || content.starts_with('#')
    }
}

/// The key of a top-level `key: …` line (quotes removed), as [`Line::read`] reads it.
pub(crate) fn top_level_key(line: &str) -> Option<&str> {
    Some(Line::read(line)).filter(Line::is_top_level)?.key
}

/// The byte index of the `:` that ends a plain mapping key: the first `:`
/// followed by a blank or the end.
pub(crate) fn mapping_colon(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    (0..bytes.len())
        .find(|&i| bytes[i] == b':' && bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()))
}

/// `s` (a line, or the rest of one after a key's `:`) without its comment:
/// cut at the first `#` that follows a blank (or starts `s`) outside a
/// quoted scalar. A quote opens one only where a token starts (at the
/// start, after blanks that follow `:`, `-`, `?`, or after `[`, `{` or `,`
/// in a flow collection); `''` in single quotes and `\"` in double quotes
/// do not close them. A quote still open at the end of `s` (a scalar that
/// goes on below) leaves the rest as it is.
pub(crate) fn strip_comment(s: &str) -> &str {
    let bytes = s.as_bytes();
    let blank_or_end = |i: usize| bytes.get(i).is_none_or(|b| matches!(b, b' ' | b'\t'));
    let mut depth = 0usize;
    // Where a token may start: a quote there opens a quoted scalar.
    let mut token_start = true;
    let mut after_blank = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                after_blank = true;
                i += 1;
                continue;
            }
            b'#' if after_blank => return &s[..i],
            b'"' | b'\'' if token_start => {
                let mut j = i + 1;
                loop {
                    match bytes.get(j) {
                        None => return s,
                        Some(b'\\') if b == b'"' => j += 2,
                        Some(&c) if c == b && b == b'\'' && bytes.get(j + 1) == Some(&b'\'') => {
                            j += 2
                        }
                        Some(&c) if c == b => break,
                        Some(_) => j += 1,
                    }
                }
                i = j + 1;
                token_start = false;
                after_blank = false;
                continue;
            }
            b'[' | b'{' if token_start || depth > 0 => {
                depth += 1;
                token_start = true;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                token_start = false;
            }
            b',' if depth > 0 => token_start = true,
            b':' if depth > 0 || blank_or_end(i + 1) => token_start = true,
            b'-' | b'?' if token_start && blank_or_end(i + 1) => {}
            _ => token_start = false,
        }
        after_blank = false;
        i += 1;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_start_at_a_hash_after_a_blank_outside_quotes() {
        // (line, what is left once the comment is cut)
        let table = [
            ("title: Payouts # the bet", "title: Payouts"),
            ("title: Payouts\t# tab before", "title: Payouts"),
            ("title: C#", "title: C#"),
            ("title: issue#12 # see", "title: issue#12"),
            ("# a whole comment", ""),
            ("title: \"a # b\"", "title: \"a # b\""),
            ("title: \"a # b\" # c", "title: \"a # b\""),
            ("title: 'a # b' # c", "title: 'a # b'"),
            // `''` is a quote inside single quotes; `\"` inside double quotes.
            ("title: 'it''s # here' # c", "title: 'it''s # here'"),
            (
                "title: \"say \\\"hi # x\\\"\" # c",
                "title: \"say \\\"hi # x\\\"\"",
            ),
            // A quote inside a plain scalar is text: the comment after it is a comment.
            ("title: it's fine # c", "title: it's fine"),
            ("title: the \"best plan # c", "title: the \"best plan"),
            ("title: a 'b # c'", "title: a 'b"),
            // A quoted scalar that goes on below: no comment on this line.
            ("title: \"two # lines", "title: \"two # lines"),
            // Flow collections: a quote opens after `[`, `{` and `,`.
            ("tags: [a, 'b # c', d] # e", "tags: [a, 'b # c', d]"),
            (
                "dhm: {delight: \"#1\", hard: 2} # note",
                "dhm: {delight: \"#1\", hard: 2}",
            ),
            ("tags: [don't, x] # y", "tags: [don't, x]"),
            ("- \"q # r\" # s", "- \"q # r\""),
            ("  - key: 'v' # c", "  - key: 'v'"),
            ("url: http://x/#frag # c", "url: http://x/#frag"),
            (" # after a colon's blank", ""),
        ];
        for (line, want) in table {
            assert_eq!(strip_comment(line).trim_end(), want, "{line:?}");
        }
    }

    #[test]
    fn a_line_gives_its_key_indentation_and_value() {
        // (line, indentation, key, value)
        let table: [(&str, usize, Option<&str>, &str); 14] = [
            ("id: bet-a\n", 0, Some("id"), "bet-a"),
            ("id: bet-a\r\n", 0, Some("id"), "bet-a"),
            ("parent: ps-x   # the strategy", 0, Some("parent"), "ps-x"),
            ("success:\n", 0, Some("success"), ""),
            ("success: # note\n", 0, Some("success"), ""),
            ("  metric: m-one", 2, Some("metric"), "m-one"),
            ("\"my key\": 1", 0, Some("my key"), "1"),
            ("'other.k' : 2", 0, Some("other.k"), "2"),
            ("url: http://x:80/", 0, Some("url"), "http://x:80/"),
            (
                "title: \"Payouts: the sequel\" # c",
                0,
                Some("title"),
                "\"Payouts: the sequel\"",
            ),
            ("  - metric: a", 2, None, ""),
            ("# id: not-a-key", 0, None, ""),
            ("plain continuation", 0, None, ""),
            ("key  : spaced", 0, Some("key"), "spaced"),
        ];
        for (line, indent, key, value) in table {
            let read = Line::read(line);
            assert_eq!(
                (read.indent, read.key, read.value()),
                (indent, key, value),
                "{line:?}"
            );
        }
        let read = Line::read("\"my key\": 1");
        assert_eq!(&read.text[read.key_at..read.key_at + 6], "my key");
        assert_eq!(read.rest(), " 1");
        assert_eq!(top_level_key("kind: bet\n"), Some("kind"));
        assert_eq!(top_level_key("  kind: bet\n"), None);
        assert!(Line::read("   # x\r\n").is_blank_or_comment());
        assert!(Line::read("\r\n").is_blank_or_comment());
    }
}
