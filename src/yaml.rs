//! All YAML parsing lives here: front matter and `throughline.yaml` go
//! through serde_yaml (limits on recursion and alias expansion included), and
//! [`Locator`] finds where a field or value is written, because serde_yaml
//! values carry no positions. Nothing outside this module names serde_yaml.

use serde_json::{Map, Value};

/// A YAML syntax or type error at a 1-based position in the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line within the parsed text.
    pub line: u32,
    /// 1-based column within the parsed text.
    pub column: u32,
    /// What serde_yaml reported, without its own position suffix.
    pub message: String,
}

fn convert_error(err: &serde_yaml::Error, text: &str) -> YamlError {
    let (line, column) = err.location().map_or((1, 1), |l| {
        position(text, l.index()).unwrap_or((
            crate::text::to_u32(l.line()),
            crate::text::to_u32(l.column()),
        ))
    });
    let mut message = err.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    YamlError {
        line,
        column,
        message,
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`,
/// counting only `\n` as a line break, as every other position in
/// throughline does. libyaml's own line number also counts a lone `\r`,
/// NEL, LS and PS (YAML 1.1 line breaks), which would point past the line at
/// fault, or past the end of the file.
fn position(text: &str, offset: usize) -> Option<(u32, u32)> {
    let before = text.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Some((crate::text::to_u32(line), crate::text::to_u32(column)))
}

/// Deeper `[`/`{` nesting than this is refused before parsing: libyaml's
/// scanner is quadratic in flow depth, so 20,000 brackets would take half a
/// second before its own recursion limit fires.
pub const MAX_FLOW_DEPTH: usize = 64;

/// Finds the first bracket that nests deeper than [`MAX_FLOW_DEPTH`], skipping quoted text and comments.
fn check_flow_depth(text: &str) -> Result<(), YamlError> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let (mut line, mut column) = (1u32, 0u32);
    let mut prev = '\n';
    for c in text.chars() {
        column += 1;
        match (quote, c) {
            (_, '\n') => {
                line += 1;
                column = 0;
                comment = false;
            }
            _ if comment => {}
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if depth > 0 || prev.is_whitespace() || prev == ':' => {
                quote = Some(c)
            }
            (None, '#') if prev.is_whitespace() => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(YamlError {
                        line,
                        column,
                        message: format!("brackets nest deeper than {MAX_FLOW_DEPTH} levels"),
                    });
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    Ok(())
}

/// Parses front matter into a map of fields. Empty front matter is an empty map.
pub fn parse_front_matter(text: &str) -> Result<Map<String, Value>, YamlError> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    check_flow_depth(text)?;
    match serde_yaml::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(other) => Err(YamlError {
            line: 1,
            column: 1,
            message: format!(
                "front matter must be a mapping of `field: value` lines, not {}",
                describe(&other)
            ),
        }),
        Err(err) => Err(convert_error(&err, text)),
    }
}

/// A short description of a value's type for messages: "a list", "a number".
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a true/false value",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// One step in a path to a field: a mapping key or a list index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// A mapping key.
    Key(&'a str),
    /// A list index.
    Index(usize),
}

/// A byte range in the located text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// Byte offset of the start.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

/// Finds where fields and values are written in a YAML text.
///
/// It understands the layouts front matter uses in practice (block mappings,
/// block lists, one-line flow `{…}` and `[…]`); when it cannot find the exact
/// place it falls back to the nearest enclosing field, never to a wrong line.
#[derive(Debug)]
pub struct Locator<'t> {
    text: &'t str,
    /// Top-level keys: (key, byte offset of the key, byte offset where its block ends).
    top: Vec<(&'t str, usize, usize)>,
}

impl<'t> Locator<'t> {
    /// Indexes the top-level keys of `text`.
    pub fn new(text: &'t str) -> Locator<'t> {
        let mut top: Vec<(&'t str, usize, usize)> = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let first = line.as_bytes().first().copied().unwrap_or(b' ');
            if !matches!(first, b' ' | b'\t' | b'#' | b'-' | b'\n' | b'\r') {
                if let Some(key) = key_of_line(line) {
                    if let Some(last) = top.last_mut() {
                        last.2 = offset;
                    }
                    top.push((key, offset + key_start(line), text.len()));
                }
            }
            offset += line.len();
        }
        Locator { text, top }
    }

    /// Where the key at `path` is written (the last key of the path, or the list item).
    pub fn key(&self, path: &[Step<'_>]) -> Option<Located> {
        self.walk(path).map(|w| w.at)
    }

    /// Where the value at `path` is written; falls back to its key, or to the nearest enclosing field.
    pub fn value(&self, path: &[Step<'_>]) -> Option<Located> {
        let Walk { at, end, complete } = self.walk(path)?;
        if !complete || !matches!(path.last(), Some(Step::Key(_))) {
            return Some(at);
        }
        let after_key = at.offset + at.len;
        let rest = &self.text[after_key..end];
        let colon = rest.find(':')?;
        let line_rest = rest[colon + 1..].split('\n').next().unwrap_or("");
        let mut trimmed = strip_comment(line_rest).trim();
        if in_flow_mapping(self.text, at.offset) {
            trimmed = trimmed.split([',', '}']).next().unwrap_or("").trim_end();
        }
        if trimmed.is_empty() {
            return Some(at);
        }
        let lead = line_rest.len() - line_rest.trim_start().len();
        Some(Located {
            offset: after_key + colon + 1 + lead,
            len: trimmed.len(),
        })
    }

    /// Where `needle` is written as a whole word inside the value at `path`; falls back to the value.
    pub fn word_in(&self, path: &[Step<'_>], needle: &str) -> Option<Located> {
        let Walk { at, end, .. } = self.walk(path)?;
        let start = at.offset;
        find_word(&self.text[start..end], needle)
            .map(|i| Located {
                offset: start + i,
                len: needle.len(),
            })
            .or_else(|| self.value(path))
    }

    /// Follows `path` as far as it is written.
    fn walk(&self, path: &[Step<'_>]) -> Option<Walk> {
        let (first, rest) = path.split_first()?;
        let Step::Key(top_key) = first else {
            return None;
        };
        let &(key, offset, end) = self.top.iter().find(|(k, _, _)| k == top_key)?;
        let mut at = Located {
            offset,
            len: key.len(),
        };
        // Keys are searched after the previous key; an item's own keys start inside it.
        let mut search_from = offset + key.len();
        for step in rest {
            let found = match *step {
                Step::Key(k) => find_key(&self.text[search_from..end], k).map(|i| Located {
                    offset: search_from + i,
                    len: k.len(),
                }),
                Step::Index(n) => {
                    nth_item(&self.text[search_from..end], n).map(|(i, len)| Located {
                        offset: search_from + i,
                        len,
                    })
                }
            };
            match found {
                Some(next) => {
                    at = next;
                    search_from = match step {
                        Step::Key(_) => next.offset + next.len,
                        Step::Index(_) => next.offset,
                    };
                }
                None => {
                    return Some(Walk {
                        at,
                        end,
                        complete: false,
                    })
                }
            }
        }
        Some(Walk {
            at,
            end,
            complete: true,
        })
    }
}

struct Walk {
    at: Located,
    end: usize,
    complete: bool,
}

/// Whether the key at `offset` sits inside a one-line `{ … }` mapping.
fn in_flow_mapping(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    before.matches('{').count() > before.matches('}').count()
}

fn key_of_line(line: &str) -> Option<&str> {
    let line = line.trim_end();
    let start = key_start(line);
    let body = &line[start..];
    let (key, quoted) = match body.as_bytes().first() {
        Some(q @ (b'"' | b'\'')) => {
            let close = body[1..].find(*q as char)? + 1;
            (&body[1..close], &body[close + 1..])
        }
        _ => {
            let colon = find_mapping_colon(body)?;
            return Some(body[..colon].trim_end());
        }
    };
    quoted.trim_start().starts_with(':').then_some(key)
}

fn key_start(line: &str) -> usize {
    usize::from(line.starts_with('"') || line.starts_with('\''))
}

/// The byte index of the `:` that ends a plain mapping key (followed by space or end).
fn find_mapping_colon(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    (0..bytes.len())
        .find(|&i| bytes[i] == b':' && bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()))
}

fn strip_comment(s: &str) -> &str {
    match s.find(" #") {
        Some(i) if !s[..i].contains(['"', '\'']) => &s[..i],
        _ => s,
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80
}

/// Finds `word` with no word characters on either side.
fn find_word(haystack: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let bytes = haystack.as_bytes();
    haystack.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + word.len()).copied();
        !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
    })
}

/// Finds `key:` (as a key, not inside a value) in `haystack`.
fn find_key(haystack: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find_word(&haystack[from..], key) {
        let at = from + i;
        let after = haystack[at + key.len()..].trim_start_matches([' ', '"', '\'']);
        if after.starts_with(':') {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}

/// The byte offset and length of the `n`th list item at the start of `haystack`,
/// in block (`- a`) or flow (`[a, b]`) style.
fn nth_item(haystack: &str, n: usize) -> Option<(usize, usize)> {
    let line_end = haystack.find('\n').unwrap_or(haystack.len());
    let first_line = &haystack[..line_end];
    if let Some(open) = first_line.find('[') {
        let inner_start = open + 1;
        let close = first_line[inner_start..]
            .find(']')
            .map_or(line_end, |c| inner_start + c);
        let mut pos = inner_start;
        for (i, item) in first_line[inner_start..close].split(',').enumerate() {
            if i == n {
                let lead = item.len() - item.trim_start().len();
                return Some((pos + lead, item.trim().len()));
            }
            pos += item.len() + 1;
        }
        return None;
    }
    let mut offset = line_end + 1;
    let mut indent = None;
    let mut index = 0;
    for line in haystack.get(offset..)?.split_inclusive('\n') {
        let stripped = line.trim_start_matches(' ');
        let this_indent = line.len() - stripped.len();
        if stripped.starts_with("- ") || stripped.trim_end() == "-" {
            let expected = *indent.get_or_insert(this_indent);
            if this_indent == expected {
                if index == n {
                    let item = stripped[1..].trim_start();
                    let item_offset = offset + this_indent + (stripped.len() - item.len());
                    let item_len = item.split('\n').next().unwrap_or("").trim_end().len();
                    return Some((item_offset, item_len));
                }
                index += 1;
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FM: &str = "id: bet-a\nkind: bet\nparent: ps-x   # the strategy\nsupports: [ps-y, ps-z]\nrelated:\n  - bet-b\n  - bet-c\ndhm: { delight: 5, hard_to_copy: 3, margin: 9 }\nsuccess:\n  outcome: Paid same day\n  metric: metric-rate\nkey_results:\n  - metric: m-one\n    target: 4\n  - metric: m-two\n    target: 5\n";

    fn at(l: Option<Located>) -> &'static str {
        let l = l.unwrap();
        let s: &'static str =
            Box::leak(FM[l.offset..l.offset + l.len].to_string().into_boxed_str());
        s
    }

    #[test]
    fn finds_values_keys_and_items() {
        let loc = Locator::new(FM);
        assert_eq!(at(loc.value(&[Step::Key("parent")])), "ps-x");
        assert_eq!(at(loc.key(&[Step::Key("parent")])), "parent");
        assert_eq!(
            at(loc.value(&[Step::Key("supports"), Step::Index(1)])),
            "ps-z"
        );
        assert_eq!(
            at(loc.value(&[Step::Key("related"), Step::Index(1)])),
            "bet-c"
        );
        assert_eq!(at(loc.value(&[Step::Key("dhm"), Step::Key("margin")])), "9");
        assert_eq!(
            at(loc.value(&[Step::Key("success"), Step::Key("metric")])),
            "metric-rate"
        );
        let kr = [
            Step::Key("key_results"),
            Step::Index(1),
            Step::Key("metric"),
        ];
        assert_eq!(at(loc.value(&kr)), "m-two");
        assert_eq!(at(loc.word_in(&[Step::Key("supports")], "ps-y")), "ps-y");
        assert_eq!(loc.value(&[Step::Key("nope")]), None);
    }

    #[test]
    fn falls_back_to_the_enclosing_field() {
        let loc = Locator::new(FM);
        assert_eq!(
            at(loc.value(&[Step::Key("success"), Step::Key("deadline")])),
            "success"
        );
    }

    #[test]
    fn errors_carry_positions() {
        let err = parse_front_matter("id: a\nparent: [x\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        assert!(!err.message.contains(" at line "), "{err:?}");
        assert!(parse_front_matter("- a\n- b\n").is_err());
        assert_eq!(parse_front_matter("  \n").unwrap().len(), 0);
        let deep = format!("x: {}{}\n", "[".repeat(20_000), "]".repeat(20_000));
        let err = parse_front_matter(&deep).unwrap_err();
        assert_eq!((err.line, err.column), (1, 4 + MAX_FLOW_DEPTH as u32));
        assert!(parse_front_matter("x: \"[[[[\" # [[[[\ny: [[1]]\n").is_ok());
    }

    #[test]
    fn error_lines_count_only_newlines() {
        // libyaml counts NEL, LS, PS and a lone CR as line breaks; found by
        // tests/fuzz.rs (a NEL inserted into a flow mapping), where the error
        // pointed past the closing fence. The line is where `\n`s put it.
        for odd in ["\u{85}", "\u{2028}", "\u{2029}", "\r"] {
            let text = format!("id: a\nk: [{{a: 1, b{odd}c: 2}}\n");
            let err = parse_front_matter(&text).unwrap_err();
            assert_eq!(err.line, 2, "{odd:?}: {err:?}");
            assert!(err.column > 1, "{odd:?}: {err:?}");
        }
        let err = parse_front_matter("id: a\nk: [x\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 1), "{err:?}");
    }
}
