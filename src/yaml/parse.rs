//! YAML text to `serde_json` values: one value type for the rest of the
//! code, a key written twice refused, errors at positions that count only
//! `\n`, and hints for the usual mistakes.

use std::cell::RefCell;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserializer as _;
use serde_json::{Map, Value};

use super::guard::check_flow_depth;
use super::lines::{mapping_colon, strip_comment};
use super::{describe, YamlError};

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
        hint: None,
        earlier_line: None,
    }
}

/// Longer YAML than this (front matter, or `throughline.yaml`) is refused
/// before parsing. serde_yaml holds every event of a document in memory
/// (about 200 bytes per scalar), so a 32 MiB list of 4.8 million items takes
/// 11 s and a gigabyte; a megabyte takes a third of a second, and is still
/// ten years of daily check-ins.
pub(crate) const MAX_YAML_BYTES: usize = 1024 * 1024;

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

/// Parses front matter into a map of fields. Empty front matter is an empty map.
pub(crate) fn parse_front_matter(text: &str) -> Result<Map<String, Value>, YamlError> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    if text.len() > MAX_YAML_BYTES {
        return Err(YamlError {
            line: 1,
            column: 1,
            message: format!(
                "{} KiB is more than the {} KiB of YAML that is read",
                text.len() / 1024,
                MAX_YAML_BYTES / 1024
            ),
            hint: Some(
                "keep front matter to short fields; long text belongs in the body, below the closing `---`"
                    .to_string(),
            ),
            earlier_line: None,
        });
    }
    check_flow_depth(text)?;
    let duplicate = RefCell::new(None);
    let read = serde_yaml::Deserializer::from_str(text)
        .deserialize_any(ToJson {
            duplicate: &duplicate,
        })
        .map_err(|err| {
            let mut error = convert_error(&err, text);
            if let Some(key) = duplicate.take() {
                error.earlier_line = earlier_key_line(text, &key, error.line, error.column);
                error.message = format!("`{key}` is written twice in the same mapping");
                error.hint = Some(format!(
                    "keep one `{key}:`; YAML would silently use the last one"
                ));
            }
            error
        });
    match read? {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(YamlError {
            line: 1,
            column: 1,
            message: format!(
                "front matter must be a mapping of `field: value` lines, not {}",
                describe(&other)
            ),
            hint: None,
            earlier_line: None,
        }),
    }
}

/// Where the first of two equal keys is written: the nearest line above
/// `line` with `key:` at the same column (block mappings), or `key:` earlier
/// on the same line (flow mappings).
fn earlier_key_line(text: &str, key: &str, line: u32, column: u32) -> Option<u32> {
    let lines: Vec<&str> = text.lines().take(line as usize).collect();
    let column = column.saturating_sub(1) as usize;
    let starts_key = |rest: &str| {
        let rest = rest.trim_start_matches(['"', '\'']);
        rest.strip_prefix(key).is_some_and(|after| {
            after
                .trim_start_matches(['"', '\''])
                .trim_start()
                .starts_with(':')
        })
    };
    let here = lines.last()?;
    let before: String = here.chars().take(column).collect();
    let found_here = before.char_indices().any(|(i, _)| {
        let preceded = before[..i]
            .chars()
            .next_back()
            .is_none_or(|c| matches!(c, '{' | ',' | ' ' | '"' | '\''));
        preceded && starts_key(&before[i..])
    });
    if found_here {
        return Some(line);
    }
    for (n, l) in lines.iter().enumerate().rev().skip(1) {
        let at: String = l.chars().skip(column).collect();
        if starts_key(&at) && l.chars().take(column).all(|c| matches!(c, ' ' | '-')) {
            return Some(crate::text::to_u32(n + 1));
        }
    }
    None
}

/// Builds `serde_json` values from YAML events, with two differences from
/// serde_json's own conversion: a key written twice is an error (serde_json
/// would keep the last value), and `.nan`, `.inf` and `-.inf`, which a
/// `serde_json::Number` cannot hold, are kept as that text for
/// [`number_problem`] to explain (serde_json would make them null).
#[derive(Clone, Copy)]
struct ToJson<'a> {
    /// The key found twice, for the error message.
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for ToJson<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ToJson<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(self.float(v as f64))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(self.float(v as f64))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(self.float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key_seed(Key {
            map: &map,
            duplicate: self.duplicate,
        })? {
            let value = access.next_value_seed(self)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

impl ToJson<'_> {
    fn float(self, v: f64) -> Value {
        match serde_json::Number::from_f64(v) {
            Some(n) => Value::Number(n),
            None if v.is_nan() => Value::String(".nan".to_string()),
            None if v > 0.0 => Value::String(".inf".to_string()),
            None => Value::String("-.inf".to_string()),
        }
    }
}

/// A mapping key: text (numbers and true/false as written), refused when the mapping already has it.
struct Key<'a> {
    map: &'a Map<String, Value>,
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        // Raised here, the error carries the position of the second key.
        d.deserialize_string(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        if self.map.contains_key(v) {
            *self.duplicate.borrow_mut() = Some(v.to_string());
            return Err(E::custom("duplicate key"));
        }
        Ok(v.to_string())
    }
}

/// Why a text where a number belongs is not one, when YAML reads it as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberProblem {
    /// `.nan`, `.inf` or `-.inf`.
    NotFinite,
    /// A number beyond the largest a 64-bit float holds (`1e400`), with its sign.
    OutOfRange {
        /// Whether it is below zero.
        negative: bool,
    },
}

/// Whether `text` is a number YAML reads but no `f64` holds; `None` for any other text.
pub(crate) fn number_problem(text: &str) -> Option<NumberProblem> {
    let text = text.trim();
    let unsigned = text.trim_start_matches(['+', '-']);
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return Some(NumberProblem::NotFinite);
    }
    // Rust also reads `inf` and `nan`; YAML reads them as text.
    let numeric = text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E' | b'_'));
    match text.trim_start_matches('+').parse::<f64>() {
        Ok(n) if numeric && n.is_infinite() => {
            Some(NumberProblem::OutOfRange { negative: n < 0.0 })
        }
        _ => None,
    }
}

/// A hint for a YAML syntax error reported at `line` (1-based) of `yaml`,
/// from the lines around it: an indentation that differs from the keys
/// around it ("this line is indented 3 spaces; the keys around it, 2"), a
/// value holding `: ` that needs quotes, or else a general pointer. The
/// colon advice is given only where a colon is the likely cause.
pub(crate) fn syntax_hint(yaml: &str, line: u32) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let at = (line as usize).saturating_sub(1);
    let general =
        "check this line and the one before it: indentation, quotes and brackets must match"
            .to_string();
    let Some(&here) = lines.get(at) else {
        return general;
    };
    let is_content = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    let previous = lines[..at].iter().rev().find(|l| is_content(l)).copied();
    if let (Some(here_col), Some(prev)) = (key_column(here), previous) {
        if let Some(prev_col) = key_column(prev) {
            // A key with no value opens a block: the next line may be deeper.
            let opens_block = strip_comment(prev).trim_end().ends_with(':');
            if here_col != prev_col && !(opens_block && here_col > prev_col) {
                let this = match here_col {
                    0 => "this line is not indented".to_string(),
                    1 => "this line is indented 1 space".to_string(),
                    n => format!("this line is indented {n} spaces"),
                };
                let around = match prev_col {
                    0 => "the keys around it are not indented".to_string(),
                    n => format!("the keys around it, {n}"),
                };
                return format!(
                    "{this}; {around}: line it up with them (or, if it belongs under the key above, leave that key's value empty)"
                );
            }
        }
    }
    let value = here
        .trim_start()
        .trim_start_matches("- ")
        .split_once(": ")
        .map(|(_, v)| v.trim());
    if let Some(v) = value.filter(|v| v.contains(": ") && !v.starts_with(['"', '\'', '[', '{'])) {
        return format!(
            "the value contains `: `, which YAML reads as another key: quote it, as in `\"{}\"`",
            v.replace('"', "\\\"")
        );
    }
    general
}

/// The column where the key of a `key: …` line (or a `- key: …` item) starts.
fn key_column(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let (col, body) = match rest.strip_prefix("- ") {
        Some(item) => (
            indent + 2 + (item.len() - item.trim_start().len()),
            item.trim_start(),
        ),
        None => (indent, rest),
    };
    mapping_colon(body)
        .filter(|&c| c > 0 && !body.starts_with(['#', '"', '\'', '[', '{']))
        .map(|_| col)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::guard::MAX_FLOW_DEPTH;

    #[test]
    fn more_than_a_megabyte_of_yaml_is_not_read() {
        let items = "- x\n".repeat(MAX_YAML_BYTES / 4 + 1);
        let err = parse_front_matter(&format!("related:\n{items}")).unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert_eq!(
            err.message,
            "1024 KiB is more than the 1024 KiB of YAML that is read"
        );
        let items = "- x\n".repeat(MAX_YAML_BYTES / 4 - 10);
        assert!(parse_front_matter(&format!("related:\n{items}")).is_ok());
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

    #[test]
    fn syntax_hints_name_the_indentation_or_the_colon_only_when_it_is_the_cause() {
        let hint = |yaml: &str, line: u32| syntax_hint(yaml, line);
        assert_eq!(
            hint("success:\n  outcome: x\n   metric: m\n", 3),
            "this line is indented 3 spaces; the keys around it, 2: line it up with them (or, if it belongs under the key above, leave that key's value empty)"
        );
        assert!(hint("title: x\n owner: y\n", 2)
            .starts_with("this line is indented 1 space; the keys around it are not indented"));
        assert!(hint("key_results:\n  - metric: m\n     baseline: 1\n", 3)
            .starts_with("this line is indented 5 spaces; the keys around it, 4"));
        assert_eq!(
            hint("id: a\ntitle: Payouts: the sequel\n", 2),
            "the value contains `: `, which YAML reads as another key: quote it, as in `\"Payouts: the sequel\"`"
        );
        // Neither: no colon advice.
        assert_eq!(
            hint("tags: [a, b\n", 2),
            "check this line and the one before it: indentation, quotes and brackets must match"
        );
        // A key with no value may be followed by deeper lines; that is not the mistake.
        assert!(!hint("success:\n  outcome: [a\n", 2).contains("indented"));
    }
}
