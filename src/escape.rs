//! Text from the repository on its way to another program: one function per
//! reader. Titles, file names, field values and revision names are written
//! by whoever can open a pull request, so each output escapes them for the
//! program that reads it, through the one function for that program:
//!
//! - a terminal: [`for_terminal`] (every human format);
//! - GitHub-flavoured Markdown (a pull-request comment, a step summary):
//!   [`for_markdown`] for inline text, [`markdown_code_span`] for a value
//!   shown as code, [`markdown_with_code`] for a message that quotes code;
//! - JSON that is printed (`--format json`, SARIF): [`json_for_terminal`]
//!   on serde_json's text, which leaves C1 controls and bidirectional
//!   overrides raw.
//!
//! - Slack's mrkdwn (a Block Kit payload for an incoming webhook):
//!   [`for_slack`];
//! - XML text and attribute values (the Atom feeds): [`for_xml`].
//!
//! HTML pages escape through `render::markdown::escape` and GitHub workflow
//! commands through their own encoding in `diagnostics::github`: each of
//! those readers has one function as well.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a terminal could act on `c` instead of showing it: C0 and C1
/// controls and DEL (ESC and CSI start escape sequences, BEL rings, CR
/// overwrites the line, LF starts a line the text did not ask for), and the
/// bidirectional and line-separator formatting characters, which reorder or
/// break the text shown around them (the "Trojan Source" disguise: a file
/// name that reads as another in a terminal or a code review).
///
/// Invisible characters that only join or separate (U+200B-U+200D, U+2060)
/// are kept: emoji sequences and several scripts need them, and they cannot
/// move text.
pub fn is_terminal_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// Writes `c` the way [`for_terminal`] shows an unsafe character: `\u{1b}` for ESC.
pub fn push_escaped_char(out: &mut String, c: char) {
    out.extend(c.escape_unicode());
}

/// How many columns [`push_escaped_char`] writes for `c`.
pub fn escaped_char_width(c: char) -> usize {
    c.escape_unicode().len()
}

/// `text` as it may go to a terminal: every character a terminal could act
/// on (see [`is_terminal_unsafe`]) written as a Rust-style escape, `\u{1b}`,
/// which names the exact character and shows where it was. Borrowed when
/// there is none, as in almost all text.
///
/// A backslash is kept as it is: doubling it would make every quoted line
/// with one harder to read, and the literal text `\u{1b}` can do no harm.
/// The output is for a person; the JSON formats carry the exact text.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    // Printable ASCII is safe, and checking bytes is much cheaper than
    // decoding characters: most texts are plain ASCII.
    if text.bytes().all(|b| matches!(b, b' '..=b'~')) {
        return Cow::Borrowed(text);
    }
    let Some(first) = text.find(is_terminal_unsafe) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_terminal_unsafe(c) {
            push_escaped_char(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text with the characters a terminal acts on that serde_json writes
/// as they are (C1 controls such as U+009B CSI, bidirectional overrides,
/// line separators, DEL) written as `\u009b` escapes: the same JSON value,
/// safe to print. They can only occur inside strings, where the escape means
/// the same.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    // serde_json escapes C0 controls in strings, so a raw newline or tab is
    // whitespace between values, where an escape would not be JSON.
    let unsafe_in_string = |c: char| is_terminal_unsafe(c) && !matches!(c, '\n' | '\r' | '\t');
    if !json.chars().any(unsafe_in_string) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_in_string(c) {
            // Writing into a String cannot fail.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// U+200B ZERO WIDTH SPACE, written where GitHub would otherwise make a
/// reference of the text: after `@` (a mention), after `#` before a digit
/// (an issue), in `://` and `www.` (a link). GitHub finds references after
/// the Markdown is parsed, so a backslash, which the parser consumes, does
/// not stop them (github/markup#1168); a character between the parts does,
/// and is what Renovate and Dependabot write for the same purpose.
const BREAK: char = '\u{200b}';

/// `text` as inline GitHub-flavoured Markdown that shows exactly `text`
/// (a title, a file name, a field value) and does nothing else: no link,
/// image, HTML, emphasis, mention, issue reference, heading or list item,
/// and one line, whatever it holds.
///
/// - `&`, `<` and `>` become entities, so no HTML tag or entity of the
///   text's own (`&#x202E;`) is ever read as one.
/// - ASCII punctuation that starts inline markup anywhere (`\` `` ` `` `*`
///   `_` `[` `]` `(` `)` `!` `|` `~` `$` `#`) is backslash-escaped.
/// - What starts a block only at the start of a line (`-` `+` `=` and
///   `1.` / `1)`) is escaped only at the start of `text`: the text is one
///   line, so it has no other line start, and `Same-day payouts` stays
///   readable in the Markdown source.
/// - Mentions, issue references and bare links are broken by [`BREAK`].
/// - Controls, line breaks and bidirectional formatting characters are
///   written as [`for_terminal`] writes them (`\u{a}`), so the value stays
///   on one line and cannot reorder what is shown around it.
///
/// Not for a table cell, a link's text or destination, or code: see
/// [`markdown_code_span`] for code.
pub fn for_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 4);
    let block_start = block_marker_len(text);
    for (at, c) in text.char_indices() {
        if push_chat_safe(&mut out, text, at, c) {
            continue;
        }
        let rest = &text[at + c.len_utf8()..];
        match c {
            '#' => {
                out.push_str("\\#");
                if rest.starts_with(|d: char| d.is_ascii_digit()) {
                    out.push(BREAK);
                }
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '-' if follows(text, at, "gh") && rest.starts_with(|d: char| d.is_ascii_digit()) => {
                // `GH-123` is an issue reference too.
                out.push('-');
                out.push(BREAK);
            }
            c if is_terminal_unsafe(c) => push_escaped_char(&mut out, c),
            c if at + c.len_utf8() == block_start => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// What Markdown and Slack text share: `&`, `<` and `>` as entities, and
/// [`BREAK`] after `@` and inside `://` and `www.`, so no mention or bare
/// link forms. Writes `c` (at byte `at` of `text`) and returns true when it
/// is one of those; false leaves it to the caller.
fn push_chat_safe(out: &mut String, text: &str, at: usize, c: char) -> bool {
    let rest = &text[at + c.len_utf8()..];
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '@' => {
            out.push('@');
            out.push(BREAK);
        }
        ':' if rest.starts_with("//") => {
            out.push(':');
            out.push(BREAK);
        }
        '.' if follows(text, at, "www") => {
            out.push(BREAK);
            out.push('.');
        }
        _ => return false,
    }
    true
}

/// Whether `text[..at]` ends with the ASCII `word`, in any case.
fn follows(text: &str, at: usize, word: &str) -> bool {
    at.checked_sub(word.len())
        .and_then(|from| text.as_bytes().get(from..at))
        .is_some_and(|before| before.eq_ignore_ascii_case(word.as_bytes()))
}

/// Where the block marker at the start of `text` ends (after leading
/// spaces): `-`, `+` or `=` (a list item, a setext underline, a thematic
/// break) ends after its first character, an ordered list marker (`12.`,
/// `3)`) after its digits and `.` or `)`; 0 when `text` starts with none.
/// `#`, `>`, `*`, `_` and `` ` `` are escaped wherever they are.
fn block_marker_len(text: &str) -> usize {
    let lead = text.len() - text.trim_start_matches(' ').len();
    let rest = &text[lead..];
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match rest[digits..].chars().next() {
        Some('-' | '+' | '=') if digits == 0 => lead + 1,
        Some('.' | ')') if digits > 0 => lead + digits + 1,
        _ => 0,
    }
}

/// `text` as a Markdown code span, fences included: shown verbatim in
/// monospace, with nothing inside read as markup, HTML, an entity, a
/// mention or a link (GitHub looks for references outside code only).
///
/// The fence is one backtick longer than the longest run of backticks in
/// `text`, so the text cannot close it; a space pads a text that starts or
/// ends with a backtick or a space, which the reader strips again (an empty
/// `text` shows as one space). Controls and line breaks are written as
/// [`for_terminal`] writes them: a line break in a code span would let the
/// next line start a block of its own.
pub fn markdown_code_span(text: &str) -> String {
    let content = for_terminal(text);
    let longest_run = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    if content.trim_start_matches(' ').is_empty() {
        // Spaces only are kept as they are; no text at all cannot be a
        // code span (two backticks are one fence), so it shows as one space.
        let content = if content.is_empty() { " " } else { &content };
        return format!("{fence}{content}{fence}");
    }
    let pad = content.starts_with(['`', ' ']) || content.ends_with(['`', ' ']);
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{content}{pad}{fence}")
}

/// A message whose backtick pairs mark code (``no document has id `x` ``),
/// as Markdown: each pair's text a [`markdown_code_span`], the rest
/// [`for_markdown`], so the code still reads as code in a pull request. A
/// backtick left without a pair is text. Every part is escaped on its own,
/// so backticks in a quoted value can only move which parts are code.
pub fn markdown_with_code(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    // An even number of parts means one backtick has no pair: the last part
    // joins the text before it, that backtick included.
    let paired = if parts.len() % 2 == 0 {
        parts.len() - 1
    } else {
        parts.len()
    };
    let mut out = String::with_capacity(text.len() + 8);
    for (i, part) in parts[..paired].iter().enumerate() {
        if i % 2 == 1 {
            out.push_str(&markdown_code_span(part));
        } else if i + 1 == paired && paired < parts.len() {
            out.push_str(&for_markdown(&format!("{part}`{}", parts[paired])));
        } else {
            out.push_str(&for_markdown(part));
        }
    }
    out
}

/// `text` as Slack mrkdwn text (in a Block Kit payload) that shows `text`
/// and does nothing else: no link, no mention, no notification.
///
/// - `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`, the only escaping
///   Slack reads: with `<` escaped, no `<!channel>`, `<@U123>`, `<!subteam^…>`
///   or `<http://…|label>` of the text's own can form.
/// - `@` is followed by [`BREAK`], so `@channel`, `@here`, `@everyone` and a
///   user's name written bare are not turned into mentions (Slack links
///   names in some clients and with `link_names`).
/// - `://` and `www.` are broken by [`BREAK`], so Slack makes no link of a
///   URL in a title: the digest links only to the site and the repository.
/// - `*`, `_`, `~` and `` ` `` are preceded by [`BREAK`]: Slack reads them
///   as formatting only at a word's edge, which the break moves.
/// - Controls, line breaks and bidirectional characters are written as
///   [`for_terminal`] writes them: one value, one line.
pub fn for_slack(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 4);
    for (at, c) in text.char_indices() {
        if push_chat_safe(&mut out, text, at, c) {
            continue;
        }
        match c {
            '*' | '_' | '~' | '`' => {
                out.push(BREAK);
                out.push(c);
            }
            c if is_terminal_unsafe(c) => push_escaped_char(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// `text` as XML 1.0 character data or an attribute value: `&`, `<`, `>`,
/// `"` and `'` as entities, and every character XML 1.0 forbids (C0
/// controls but tab, line feed and carriage return; U+FFFE, U+FFFF) as
/// U+FFFD, since no escape can write them and one would make the whole
/// document unreadable to a feed reader.
pub fn for_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_escaped_and_the_rest_kept() {
        let table = [
            ("plain é 東京 👩‍👩‍👧", "plain é 東京 👩‍👩‍👧"),
            ("a\u{1b}]0;pwned\u{7}b", "a\\u{1b}]0;pwned\\u{7}b"),
            ("line\r\nnext\ttab", "line\\u{d}\\u{a}next\\u{9}tab"),
            (
                "\u{9b}2J \u{85} \u{7f} \0",
                "\\u{9b}2J \\u{85} \\u{7f} \\u{0}",
            ),
            (
                "a\u{202e}cod.exe\u{202c} \u{2066}\u{2069} \u{200f}",
                "a\\u{202e}cod.exe\\u{202c} \\u{2066}\\u{2069} \\u{200f}",
            ),
            ("a\u{2028}b\u{2029}", "a\\u{2028}b\\u{2029}"),
            ("kept: \\u{1b} zw\u{200b}sp", "kept: \\u{1b} zw\u{200b}sp"),
        ];
        for (input, shown) in table {
            assert_eq!(for_terminal(input), shown, "{input:?}");
        }
        assert!(matches!(for_terminal("plain"), Cow::Borrowed(_)));
        for c in ['\0', '\u{7}', '\u{1b}', '\u{9b}', '\u{202e}', '\u{10ffff}'] {
            let mut s = String::new();
            push_escaped_char(&mut s, c);
            assert_eq!(escaped_char_width(c), s.len(), "{s}");
        }
    }

    #[test]
    fn markdown_text_is_escaped_for_what_github_reads() {
        let z = BREAK;
        let table: &[(&str, String)] = &[
            (
                "Same-day payouts, 2026-11-01",
                "Same-day payouts, 2026-11-01".into(),
            ),
            ("plain é 東京", "plain é 東京".into()),
            // Mentions of people, teams and everyone.
            ("@everyone", format!("@{z}everyone")),
            (
                "ping @org/team, a@b.c",
                format!("ping @{z}org/team, a@{z}b.c"),
            ),
            // HTML and entities of the text's own.
            (
                "<img src=x onerror=alert(1)>",
                "&lt;img src=x onerror=alert\\(1\\)&gt;".into(),
            ),
            ("&#x202E; &amp;", "&amp;\\#x202E; &amp;amp;".into()),
            // Links, images, autolinks and references.
            (
                "[click](http://evil)",
                format!("\\[click\\]\\(http:{z}//evil\\)"),
            ),
            ("![i](x.png)", "\\!\\[i\\]\\(x.png\\)".into()),
            ("see www.evil.com", format!("see www{z}.evil.com")),
            ("WWW.X", format!("WWW{z}.X")),
            ("fixes #12 and gh-3", format!("fixes \\#{z}12 and gh-{z}3")),
            ("C# and #hash", "C\\# and \\#hash".into()),
            // Inline markup.
            (
                "*a* _b_ `c` ~d~ $e$ x|y \\",
                "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\$e\\$ x\\|y \\\\".into(),
            ),
            // Block markers at the start, and only there.
            ("# Heading", "\\# Heading".into()),
            ("> quote", "&gt; quote".into()),
            ("- item", "\\- item".into()),
            ("  + item", "  \\+ item".into()),
            ("===", "\\===".into()),
            ("12. twelfth", "12\\. twelfth".into()),
            ("3) third", "3\\) third".into()),
            ("2026 plan. v2-b", "2026 plan. v2-b".into()),
            // One line, whatever the text holds.
            (
                "x\n# Heading\r\n- item",
                "x\\u{a}\\# Heading\\u{d}\\u{a}- item".into(),
            ),
            ("a\u{1b}[2J\u{202e}b", "a\\u{1b}\\[2J\\u{202e}b".into()),
        ];
        for (input, escaped) in table {
            assert_eq!(&for_markdown(input), escaped, "{input:?}");
        }
    }

    /// What pulldown-cmark (a CommonMark reader with GitHub's extensions)
    /// makes of `markdown`: its events, as text, apart from plain text.
    fn markup_in(markdown: &str) -> Vec<String> {
        use pulldown_cmark::{Event, Options, Parser, Tag};
        Parser::new_ext(markdown, Options::all())
            .filter(|e| {
                !matches!(
                    e,
                    Event::Text(_)
                        | Event::Start(Tag::Paragraph)
                        | Event::End(pulldown_cmark::TagEnd::Paragraph)
                )
            })
            .map(|e| format!("{e:?}"))
            .collect()
    }

    #[test]
    fn escaped_markdown_is_read_back_as_the_plain_text_it_was() {
        let hostile = [
            "@everyone <img src=x onerror=alert(1)> [click](http://evil) ![i](http://evil/i.png)",
            "# Heading",
            "- item",
            "1. first",
            "> quoted",
            "***",
            "---",
            "| a | b |",
            "*em* **strong** _u_ ~~s~~ `code` $x$ $$y$$",
            "<https://evil> <a@b.c> [ref]: http://evil",
            "[^1] a footnote",
            "\\*not escaped\\*",
            "&lt;b&gt; &amp; &#64;",
            "a\n# b\n- c\n\n    code",
        ];
        for text in hostile {
            let escaped = for_markdown(text);
            assert!(!escaped.contains(['\n', '\r']), "{escaped}");
            assert_eq!(
                markup_in(&escaped),
                Vec::<String>::new(),
                "{text:?} → {escaped}"
            );
            // Read back, it says what it said, but for the line breaks and the breaks in references.
            let read: String = pulldown_cmark::Parser::new(&escaped)
                .filter_map(|e| match e {
                    pulldown_cmark::Event::Text(t) => Some(t.into_string()),
                    _ => None,
                })
                .collect::<String>()
                .replace(BREAK, "");
            assert_eq!(read, for_terminal(text), "{escaped}");
        }
    }

    #[test]
    fn a_code_span_holds_any_text_verbatim() {
        let table = [
            ("bet-a", "`bet-a`"),
            ("a`b", "``a`b``"),
            ("`x``", "``` `x`` ```"),
            (" padded ", "`  padded  `"),
            ("", "` `"),
            ("  ", "`  `"),
            ("@everyone <b>", "`@everyone <b>`"),
            ("a\n# b", "`a\\u{a}# b`"),
        ];
        for (input, span) in table {
            assert_eq!(markdown_code_span(input), span, "{input:?}");
            // Read back: one code span holding the text, controls escaped.
            let events: Vec<_> = pulldown_cmark::Parser::new(span).collect();
            assert_eq!(events.len(), 3, "{span}: {events:?}");
            let pulldown_cmark::Event::Code(code) = &events[1] else {
                panic!("{span}: {events:?}");
            };
            let expected = if input.is_empty() { " " } else { input };
            assert_eq!(code.as_ref(), for_terminal(expected), "{span}");
        }
    }

    #[test]
    fn a_message_keeps_its_code_as_code_and_escapes_the_rest() {
        let table = [
            ("no document has id `bet-a`", "no document has id `bet-a`"),
            ("`a` and `b`", "`a` and `b`"),
            ("plain [x](y)", "plain \\[x\\]\\(y\\)"),
            ("one ` alone", "one \\` alone"),
            ("`a` then ` alone", "`a` then \\` alone"),
            ("id `<b>@x` here", "id `<b>@x` here"),
            ("``", "` `"),
        ];
        for (input, markdown) in table {
            assert_eq!(markdown_with_code(input), markdown, "{input:?}");
            assert_eq!(
                markup_in(&markdown_with_code(input))
                    .iter()
                    .filter(|e| !e.starts_with("Code("))
                    .count(),
                0,
                "{input:?}"
            );
        }
    }

    #[test]
    fn slack_text_cannot_mention_link_or_format() {
        let z = BREAK;
        let table: &[(&str, String)] = &[
            ("Same-day payouts", "Same-day payouts".into()),
            (
                "@channel @here @everyone",
                format!("@{z}channel @{z}here @{z}everyone"),
            ),
            (
                "<!channel> <@U0123|bob> <!subteam^S1>",
                format!("&lt;!channel&gt; &lt;@{z}U0123|bob&gt; &lt;!subteam^S1&gt;"),
            ),
            (
                "<https://evil.example|click>",
                format!("&lt;https:{z}//evil.example|click&gt;"),
            ),
            ("a & b &amp;", "a &amp; b &amp;amp;".into()),
            ("www.evil.example", format!("www{z}.evil.example")),
            (
                "*bold* _it_ ~s~ `c`",
                format!("{z}*bold{z}* {z}_it{z}_ {z}~s{z}~ {z}`c{z}`"),
            ),
            ("line\nnext\u{1b}", "line\\u{a}next\\u{1b}".into()),
        ];
        for (input, shown) in table {
            assert_eq!(&for_slack(input), shown, "{input:?}");
        }
    }
    #[test]
    fn xml_text_is_well_formed_whatever_it_holds() {
        assert_eq!(
            for_xml("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(
            for_xml("x\u{1}\u{1b}\ty\u{ffff}"),
            "x\u{fffd}\u{fffd}\ty\u{fffd}"
        );
        assert_eq!(for_xml("東京 \u{85}"), "東京 \u{85}");
    }
}
