//! All YAML parsing lives here: front matter and `throughline.yaml` go
//! through serde_yaml (limits on recursion and alias expansion included), and
//! [`Locator`] finds where a field or value is written, because serde_yaml
//! values carry no positions. Nothing outside this module names serde_yaml.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserializer as _;
use serde_json::{Map, Value};

/// A YAML syntax or type error at a 1-based position in the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// 1-based line within the parsed text.
    pub line: u32,
    /// 1-based column within the parsed text.
    pub column: u32,
    /// What serde_yaml reported, without its own position suffix.
    pub message: String,
    /// What to do about it, when this module knows better than a generic hint.
    pub hint: Option<String>,
    /// For a key written twice: the 1-based line of the first one, within the parsed text.
    pub earlier_line: Option<u32>,
}

impl YamlError {
    /// The message, naming the line of an earlier key in a file whose parsed text starts at `first_line`.
    pub(crate) fn message_in_file(&self, first_line: u32) -> String {
        match self.earlier_line {
            Some(l) => format!(
                "{} (first on line {})",
                self.message,
                first_line + l.saturating_sub(1)
            ),
            None => self.message.clone(),
        }
    }
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

/// Deeper `[`/`{` nesting than this is refused before parsing: libyaml's
/// scanner is quadratic in flow depth, so 20,000 brackets would take half a
/// second before its own recursion limit fires.
pub(crate) const MAX_FLOW_DEPTH: usize = 64;

/// What the character at hand is part of, as libyaml's scanner would see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Between tokens: a quote here opens a quoted scalar.
    Between,
    /// Inside a plain scalar, where quotes and (in block context) brackets are text.
    Plain,
    /// Inside a `'…'` or `"…"` scalar.
    Quoted(u8),
    /// A comment, to the end of the line.
    Comment,
    /// The content of a `|` or `>` scalar: lines indented at least `indent`,
    /// once the first content line has set it.
    Block {
        indent: Option<usize>,
        min: usize,
        widest_blank: usize,
    },
    /// Something this model does not follow (a tag, an unusual line break):
    /// from here on every opening bracket counts and none closes.
    Doubt,
}

/// A model of libyaml's scanner just precise enough to tell which brackets
/// open flow collections: it follows plain, quoted and block scalars,
/// comments and the block indentation that decides whether a plain scalar
/// continues on the next line. Where it could be wrong it errs towards
/// counting a bracket (the [`Mode::Doubt`] state), never towards skipping one.
struct DepthScan {
    mode: Mode,
    /// Flow depth as libyaml sees it.
    depth: usize,
    /// The count the limit applies to: `depth`, or more once in doubt.
    bound: usize,
    /// libyaml's stack of block indentation columns (`-1` at the top level).
    indents: Vec<isize>,
    /// Column where the node being read on this line began (a mapping key, when `:` follows).
    node_col: Option<usize>,
    /// Whether the previous character was a blank (a `#` after one starts a comment).
    after_blank: bool,
}

fn is_blankz(b: Option<u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

fn is_anchor_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl DepthScan {
    fn too_deep(line: u32, column: u32) -> YamlError {
        YamlError {
            line,
            column,
            message: format!("brackets nest deeper than {MAX_FLOW_DEPTH} levels"),
            hint: Some(
                "flatten the value: front matter needs no more than a few levels of `[` and `{`"
                    .to_string(),
            ),
            earlier_line: None,
        }
    }

    fn top_indent(&self) -> isize {
        self.indents.last().copied().unwrap_or(-1)
    }

    /// libyaml's `roll_indent`: a block collection starting at `col` in block context.
    fn roll(&mut self, col: usize) {
        let col = col as isize;
        if self.depth == 0 && self.top_indent() < col {
            self.indents.push(col);
        }
    }

    fn open(&mut self) -> bool {
        self.depth += 1;
        self.bound += 1;
        self.bound > MAX_FLOW_DEPTH
    }

    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.bound = self.bound.saturating_sub(1);
    }

    /// Decides how a new line starts, given the state the previous one ended in.
    /// Returns the byte index where scanning continues.
    fn start_line(&mut self, line: &[u8]) -> usize {
        let spaces = line.iter().take_while(|&&b| b == b' ').count();
        let first = line
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t'))
            .unwrap_or(line.len());
        let blank = matches!(line.get(first), None | Some(b'\r' | b'\n'));
        let marker = (line.starts_with(b"---") || line.starts_with(b"..."))
            && is_blankz(line.get(3).copied());
        self.node_col = None;
        self.after_blank = true;
        match self.mode {
            Mode::Quoted(_) | Mode::Doubt => 0,
            Mode::Comment => {
                self.mode = Mode::Between;
                first
            }
            Mode::Between => first,
            Mode::Plain => {
                // A plain scalar goes on over a line break in flow context, and
                // in block context onto lines indented past the current block.
                let continues = blank
                    || (!marker
                        && line.get(first) != Some(&b'#')
                        && (self.depth > 0 || first as isize > self.top_indent()));
                if !continues {
                    self.mode = Mode::Between;
                }
                first
            }
            Mode::Block {
                indent,
                min,
                widest_blank,
            } => {
                if blank && !marker {
                    if indent.is_none() {
                        self.mode = Mode::Block {
                            indent,
                            min,
                            widest_blank: widest_blank.max(spaces),
                        };
                    }
                    return line.len();
                }
                let needed = indent.unwrap_or_else(|| widest_blank.max(spaces).max(min));
                if !marker && spaces >= needed {
                    self.mode = Mode::Block {
                        indent: Some(needed),
                        min,
                        widest_blank,
                    };
                    line.len()
                } else {
                    self.mode = Mode::Between;
                    first
                }
            }
        }
    }

    /// A block scalar header (`|`, `>-`, `|2`) at `i`: its content starts on the next line.
    fn block_header(&mut self, line: &[u8], i: usize) {
        let mut j = i + 1;
        let mut explicit = None;
        while let Some(&b) = line.get(j) {
            match b {
                b'+' | b'-' => {}
                b'1'..=b'9' => explicit = Some(usize::from(b - b'0')),
                _ => break,
            }
            j += 1;
        }
        let top = self.top_indent();
        let min = usize::try_from(top + 1).unwrap_or(0).max(1);
        let indent = explicit.map(|n| usize::try_from(top).map_or(n, |t| t + n));
        self.mode = Mode::Block {
            indent,
            min,
            widest_blank: 0,
        };
    }

    /// Scans one line; `Err` at the first bracket past the limit.
    fn scan_line(&mut self, line: &[u8], line_no: u32) -> Result<(), YamlError> {
        let mut i = self.start_line(line);
        // Columns count characters, as the error's column does.
        let mut col = line[..i.min(line.len())]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        while i < line.len() {
            let b = line[i];
            let next = line.get(i + 1).copied();
            let mut step = 1;
            match self.mode {
                Mode::Comment | Mode::Block { .. } => return Ok(()),
                Mode::Doubt => {
                    if matches!(b, b'[' | b'{') {
                        self.bound += 1;
                        if self.bound > MAX_FLOW_DEPTH {
                            return Err(Self::too_deep(line_no, crate::text::to_u32(col + 1)));
                        }
                    }
                }
                Mode::Quoted(q) => {
                    // `\"` in double quotes and `''` in single quotes do not close them.
                    let escaped =
                        (q == b'"' && b == b'\\') || (q == b'\'' && b == q && next == Some(q));
                    if escaped {
                        step = 2;
                    } else if b == q {
                        self.mode = Mode::Between;
                    }
                }
                Mode::Plain => {
                    let ends = (b == b':' && is_blankz(next))
                        || (self.depth > 0 && matches!(b, b',' | b'[' | b']' | b'{' | b'}'))
                        || (b == b'#' && self.after_blank);
                    if ends {
                        self.mode = Mode::Between;
                        continue;
                    }
                }
                Mode::Between => step = self.token(line, i, col, line_no)?,
            }
            self.after_blank = matches!(b, b' ' | b'\t');
            // Unusual line breaks (a lone CR, NEL, LS, PS) end lines for libyaml but not here.
            let odd_break = (b == b'\r' && next != Some(b'\n'))
                || (b == 0xC2 && next == Some(0x85))
                || (b == 0xE2
                    && next == Some(0x80)
                    && matches!(line.get(i + 2), Some(0xA8 | 0xA9)));
            if odd_break {
                self.mode = Mode::Doubt;
            }
            for &c in &line[i..(i + step).min(line.len())] {
                if c & 0xC0 != 0x80 {
                    col += 1;
                }
            }
            i += step;
        }
        Ok(())
    }

    /// The token starting at `i` in [`Mode::Between`]: sets the next mode
    /// and returns how many bytes it takes.
    fn token(
        &mut self,
        line: &[u8],
        i: usize,
        col: usize,
        line_no: u32,
    ) -> Result<usize, YamlError> {
        let b = line[i];
        let next = line.get(i + 1).copied();
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            return Ok(1);
        }
        let flow = self.depth > 0;
        if !flow {
            // libyaml's `unroll_indent`: a token left of a block ends that block.
            while self.top_indent() > col as isize {
                self.indents.pop();
            }
        }
        let marker = i == 0
            && matches!(b, b'-' | b'.')
            && line.len() >= 3
            && line[..3].iter().all(|&c| c == b)
            && is_blankz(line.get(3).copied());
        match b {
            _ if marker => {
                self.node_col = None;
                return Ok(3);
            }
            b'#' => self.mode = Mode::Comment,
            b'%' if col == 0 => self.mode = Mode::Comment,
            b'[' | b'{' => {
                if !flow {
                    self.node_col.get_or_insert(col);
                }
                if self.open() {
                    return Err(Self::too_deep(line_no, crate::text::to_u32(col + 1)));
                }
            }
            b']' | b'}' => self.close(),
            b',' => {}
            b'-' if is_blankz(next) => {
                self.roll(col);
                self.node_col = None;
            }
            b'?' | b':' if flow || is_blankz(next) => {
                // A value's block mapping starts at its key, a `?`'s at the `?`.
                let at = if b == b':' {
                    self.node_col.unwrap_or(col)
                } else {
                    col
                };
                self.roll(at);
                self.node_col = None;
            }
            b'&' | b'*' => {
                if !flow {
                    self.node_col.get_or_insert(col);
                }
                let name = line[i + 1..]
                    .iter()
                    .take_while(|&&c| is_anchor_byte(c))
                    .count();
                return Ok(1 + name);
            }
            b'!' => self.mode = Mode::Doubt,
            b'|' | b'>' if !flow => self.block_header(line, i),
            b'\'' | b'"' => {
                if !flow {
                    self.node_col.get_or_insert(col);
                }
                self.mode = Mode::Quoted(b);
            }
            _ => {
                if !flow {
                    self.node_col.get_or_insert(col);
                }
                self.mode = Mode::Plain;
            }
        }
        Ok(1)
    }
}

/// Finds the first bracket that nests deeper than [`MAX_FLOW_DEPTH`] as
/// libyaml would read it: brackets in quoted, plain and block scalars and in
/// comments are text, and a quote in the middle of a plain scalar opens nothing.
fn check_flow_depth(text: &str) -> Result<(), YamlError> {
    let mut scan = DepthScan {
        mode: Mode::Between,
        depth: 0,
        bound: 0,
        indents: vec![-1],
        node_col: None,
        after_blank: true,
    };
    for (n, line) in text.as_bytes().split_inclusive(|&b| b == b'\n').enumerate() {
        scan.scan_line(line, crate::text::to_u32(n + 1))?;
    }
    Ok(())
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
    find_mapping_colon(body)
        .filter(|&c| c > 0 && !body.starts_with(['#', '"', '\'', '[', '{']))
        .map(|_| col)
}

/// `value` written as a YAML scalar that reads back as exactly that text:
/// plain when the parser reads it so (`Instant payouts`), else double-quoted
/// with escapes (`"0x1F"`, which plain is the number 31; `"1.50"`; `"yes: no"`;
/// text with a line break). Everything `new` and `init` write goes through it.
pub(crate) fn scalar(value: &str) -> String {
    let plain_reads_back = !value.contains(['\n', '\r'])
        && parse_front_matter(&format!("v: {value}\n"))
            .is_ok_and(|map| map.len() == 1 && map.get("v").and_then(Value::as_str) == Some(value));
    if plain_reads_back {
        return value.to_string();
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            // libyaml refuses control and line-separator characters written as they are.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                quoted.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// A short description of a value's type for messages: "a list", "a number".
pub(crate) fn describe(value: &Value) -> &'static str {
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
pub(crate) struct Located {
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
pub(crate) struct Locator<'t> {
    text: &'t str,
    /// Top-level keys: (key, byte offset of the key, byte offset where its block ends).
    top: Vec<(&'t str, usize, usize)>,
    /// Each top-level key's first entry in `top`.
    top_index: HashMap<&'t str, usize>,
    /// The items of every list located so far, by the offset its search starts
    /// at: finding item `n` by counting from the list's start would make
    /// locating every item of a 40,000-item list quadratic.
    lists: Mutex<HashMap<usize, Vec<(usize, usize)>>>,
    /// Where each key is written in a top-level field's block (by the block's
    /// start), in order: searching the block for every one of 70,000 keys
    /// under `success:` would be quadratic.
    keys: Mutex<HashMap<usize, KeyIndex<'t>>>,
}

/// The offsets where each key is written, in increasing order.
type KeyIndex<'t> = HashMap<&'t str, Vec<usize>>;

impl<'t> Locator<'t> {
    /// Indexes the top-level keys of `text`.
    pub(crate) fn new(text: &'t str) -> Locator<'t> {
        let mut top: Vec<(&'t str, usize, usize)> = Vec::new();
        let mut top_index = HashMap::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let first = line.as_bytes().first().copied().unwrap_or(b' ');
            if !matches!(first, b' ' | b'\t' | b'#' | b'-' | b'\n' | b'\r') {
                if let Some(key) = key_of_line(line) {
                    if let Some(last) = top.last_mut() {
                        last.2 = offset;
                    }
                    top_index.entry(key).or_insert(top.len());
                    top.push((key, offset + key_start(line), text.len()));
                }
            }
            offset += line.len();
        }
        Locator {
            text,
            top,
            top_index,
            lists: Mutex::new(HashMap::new()),
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The first place at or after `from` where `key:` is written in the block `block..end`.
    fn key_after(&self, block: usize, end: usize, from: usize, key: &str) -> Option<usize> {
        let first_after = |places: &Vec<usize>| {
            let i = places.partition_point(|&p| p < from);
            places.get(i).copied()
        };
        let Ok(mut keys) = self.keys.lock() else {
            return key_index(self.text, block, end)
                .get(key)
                .and_then(first_after);
        };
        keys.entry(block)
            .or_insert_with(|| key_index(self.text, block, end))
            .get(key)
            .and_then(first_after)
    }

    /// Item `n` of the list whose search starts at `from` (and ends at `end`).
    fn item(&self, from: usize, end: usize, n: usize) -> Option<(usize, usize)> {
        let Ok(mut lists) = self.lists.lock() else {
            return list_items(&self.text[from..end]).get(n).copied();
        };
        lists
            .entry(from)
            .or_insert_with(|| list_items(&self.text[from..end]))
            .get(n)
            .copied()
    }

    /// Where the key at `path` is written (the last key of the path, or the list item).
    pub(crate) fn key(&self, path: &[Step<'_>]) -> Option<Located> {
        self.walk(path).map(|w| w.at)
    }

    /// Where the value at `path` is written; falls back to its key, or to the nearest enclosing field.
    pub(crate) fn value(&self, path: &[Step<'_>]) -> Option<Located> {
        let Walk { at, end, complete } = self.walk(path)?;
        if !complete || !matches!(path.last(), Some(Step::Key(_))) {
            return Some(at);
        }
        let after_key = at.offset + at.len;
        let rest = &self.text[after_key..end];
        let colon = rest.find(':')?;
        let value_start = after_key + colon + 1;
        // Only the value's own text is looked at, so that locating every value
        // of a megabyte-long line stays linear.
        let flow = key_in_flow_mapping(self.text, at.offset);
        let delimiters: &[u8] = if flow { b"\n,}" } else { b"\n" };
        let value_len = self.text.as_bytes()[value_start..end]
            .iter()
            .position(|b| delimiters.contains(b))
            .unwrap_or(end - value_start);
        let line_rest = &self.text[value_start..value_start + value_len];
        let trimmed = strip_comment(line_rest).trim();
        if trimmed.is_empty() {
            return Some(at);
        }
        let lead = line_rest.len() - line_rest.trim_start().len();
        Some(Located {
            offset: value_start + lead,
            len: trimmed.len(),
        })
    }

    /// Follows `path` as far as it is written.
    fn walk(&self, path: &[Step<'_>]) -> Option<Walk> {
        let (first, rest) = path.split_first()?;
        let Step::Key(top_key) = first else {
            return None;
        };
        let &(key, offset, end) = self.top.get(*self.top_index.get(top_key)?)?;
        let mut at = Located {
            offset,
            len: key.len(),
        };
        // Keys are searched after the previous key; an item's own keys start inside it.
        let mut search_from = offset + key.len();
        for step in rest {
            let found = match *step {
                Step::Key(k) => self
                    .key_after(offset, end, search_from, k)
                    .map(|at| Located {
                        offset: at,
                        len: k.len(),
                    }),
                Step::Index(n) => self.item(search_from, end, n).map(|(i, len)| Located {
                    offset: search_from + i,
                    len,
                }),
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

/// Whether the key at `offset` sits inside a `{ … }` mapping: whether `{` or
/// `,` comes before it (past blanks and an opening quote) rather than the
/// start of a line or a `- `. It looks back no further than that, so finding
/// every key of a megabyte-long line stays linear.
fn key_in_flow_mapping(text: &str, offset: usize) -> bool {
    let before = text.as_bytes()[..offset]
        .iter()
        .rev()
        .find(|&&b| !matches!(b, b' ' | b'\t' | b'"' | b'\''));
    matches!(before, Some(b'{' | b','))
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

/// Every place in `text[start..end]` where a key is written before a `:`
/// (past blanks and a closing quote), by key: the word just before the colon,
/// and, for keys with other characters (`my key`), the text back to the start
/// of the line, a `- ` or a `{`, `[` or `,` (no further than 256 bytes, so a
/// line of many colons stays linear). A key found neither way is not located;
/// the caller falls back to the enclosing field.
fn key_index(text: &str, start: usize, end: usize) -> KeyIndex<'_> {
    let bytes = text.as_bytes();
    let mut index: KeyIndex<'_> = HashMap::new();
    let mut add = |from: usize, to: usize| {
        if from < to {
            index.entry(&text[from..to]).or_default().push(from);
        }
    };
    for (colon, _) in text[start..end].match_indices(':') {
        let colon = start + colon;
        let mut key_end = colon;
        while key_end > start && matches!(bytes[key_end - 1], b' ' | b'"' | b'\'') {
            key_end -= 1;
        }
        let mut word = key_end;
        while word > start && is_word_byte(bytes[word - 1]) {
            word -= 1;
        }
        add(word, key_end);
        let floor = key_end.saturating_sub(256).max(start);
        let mut line = word;
        while line > floor && !matches!(bytes[line - 1], b'\n' | b'{' | b'[' | b',') {
            line -= 1;
        }
        let delimited = line == start || matches!(bytes[line - 1], b'\n' | b'{' | b'[' | b',');
        if delimited && line < word {
            let written = &text[line..key_end];
            let trimmed = written
                .trim_start()
                .trim_start_matches("- ")
                .trim_start_matches("? ")
                .trim_start()
                .trim_start_matches(['"', '\'']);
            let key_start = key_end - trimmed.len();
            if key_start < word {
                add(key_start, key_end);
            }
        }
    }
    index
}

/// The byte offset and length of every list item at the start of `haystack`,
/// in block (`- a`) or flow (`[a, b]`) style.
fn list_items(haystack: &str) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let line_end = haystack.find('\n').unwrap_or(haystack.len());
    let first_line = &haystack[..line_end];
    if let Some(open) = first_line.find('[') {
        let inner_start = open + 1;
        let close = first_line[inner_start..]
            .find(']')
            .map_or(line_end, |c| inner_start + c);
        let mut pos = inner_start;
        for item in first_line[inner_start..close].split(',') {
            let lead = item.len() - item.trim_start().len();
            items.push((pos + lead, item.trim().len()));
            pos += item.len() + 1;
        }
        return items;
    }
    let mut offset = line_end + 1;
    let mut indent = None;
    let Some(rest) = haystack.get(offset..) else {
        return items;
    };
    for line in rest.split_inclusive('\n') {
        let stripped = line.trim_start_matches(' ');
        let this_indent = line.len() - stripped.len();
        if stripped.starts_with("- ") || stripped.trim_end() == "-" {
            let expected = *indent.get_or_insert(this_indent);
            if this_indent == expected {
                let item = stripped[1..].trim_start();
                let item_offset = offset + this_indent + (stripped.len() - item.len());
                let item_len = item.split('\n').next().unwrap_or("").trim_end().len();
                items.push((item_offset, item_len));
            }
        }
        offset += line.len();
    }
    items
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
        assert_eq!(loc.value(&[Step::Key("nope")]), None);
    }

    #[test]
    fn finds_keys_with_spaces_and_dots_and_the_first_after_a_list_item() {
        let text = "success:\n  my key: 1\n  \"other.k\": 2\nkey_results:\n  - metric: a\n  - {target: 1, metric: b}\n";
        let loc = Locator::new(text);
        let at = |path: &[Step<'_>]| {
            let l = loc.key(path).unwrap();
            &text[l.offset..l.offset + l.len]
        };
        assert_eq!(at(&[Step::Key("success"), Step::Key("my key")]), "my key");
        assert_eq!(at(&[Step::Key("success"), Step::Key("other.k")]), "other.k");
        let second = [
            Step::Key("key_results"),
            Step::Index(1),
            Step::Key("metric"),
        ];
        let l = loc.value(&second).unwrap();
        assert_eq!(&text[l.offset..l.offset + l.len], "b");
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
    fn scalars_read_back_as_the_text_they_were_made_from() {
        assert_eq!(scalar("Instant payouts"), "Instant payouts");
        assert_eq!(scalar("0x1F"), "\"0x1F\"");
        assert_eq!(scalar("1.50"), "\"1.50\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("2026-11-24"), "2026-11-24");
        for text in [
            "0x1F",
            "1e3",
            "1.50",
            "yes",
            "null",
            "~",
            "- x",
            "a: b",
            "#x",
            "\"q\"",
            "'q'",
            "two\nlines",
            "@x",
            "`x",
            "%x",
            " padded ",
            "Launch 🚀",
            "",
            "true",
            "-1",
            ".nan",
            "inf",
            "a #b",
            "x:",
            "[a]",
            "{a}",
            "!tag",
            "&a",
            "*a",
            "|",
            ">",
            "?",
            "tab\there",
            "bell\u{7}",
            "sep\u{2028}",
            "back\\slash",
            "--- x",
            "...",
            "0o17",
            "+1",
        ] {
            let written = scalar(text);
            let map = parse_front_matter(&format!("v: {written}\n"))
                .unwrap_or_else(|e| panic!("{text:?} as {written}: {e:?}"));
            assert_eq!(
                map.get("v").and_then(Value::as_str),
                Some(text),
                "{written}"
            );
        }
    }

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

    /// Where the depth guard refuses `text`, if it does.
    fn refused_at(text: &str) -> Option<(u32, u32)> {
        check_flow_depth(text).err().map(|e| (e.line, e.column))
    }

    #[test]
    fn a_quote_inside_a_plain_scalar_opens_nothing() {
        let deep = "[".repeat(100);
        // The bypass of issue #13: an unmatched quote in the middle of a title.
        let text = format!("title: the \"best plan\nx: {deep}\n");
        assert_eq!(refused_at(&text), Some((2, 68)));
        let text = format!("title: it's {deep}\nx: {deep}\n");
        assert_eq!(refused_at(&text), Some((2, 68)));
        // Brackets are text in a block-context plain scalar, including on its
        // continuation lines, where a leading quote is text too.
        assert_eq!(
            refused_at(&format!("title: a {deep}\n  \"q {deep}\n")),
            None
        );
        // A line at the mapping's indentation ends the plain scalar: the quote
        // opens a scalar there, and what follows its end counts.
        let text = format!("a: b\n\"q: \"{deep}\n");
        assert_eq!(refused_at(&text), Some((2, 70)));
        let text = format!("- a: b\n  \"q: \"{deep}\n");
        assert_eq!(refused_at(&text), Some((2, 72)));
    }

    #[test]
    fn real_quoted_scalars_and_block_scalars_hide_their_brackets() {
        let deep = "[".repeat(100);
        for text in [
            format!("x: \"{deep}\"\n"),
            format!("x: '{deep}'\n"),
            format!("x: 'it''s {deep}'\n"),
            format!("x: \"a\\\" {deep}\"\n"),
            format!("x: [\"{deep}\", '{deep}']\n"),
            format!("x: {{a: \"{deep}\"}}\n"),
            format!("x: \"multi\n  line {deep}\"\n"),
            format!("x: |\n  {deep}\n  a: \"b\n\n  more\ny: 1\n"),
            format!("x: # {deep}\n  - 1\n"),
        ] {
            assert_eq!(refused_at(&text), None, "{text}");
        }
        // Where the block scalar ends, brackets count again.
        let text = format!("x: >-\n  a: \"b\ny: {deep}\n");
        assert_eq!(refused_at(&text), Some((3, 68)));
        // Quoted closing brackets do not lower the count.
        let text = "x: ".to_string() + &"[[ \"]]\", ".repeat(40);
        assert!(refused_at(&text).is_some());
    }

    #[test]
    fn what_the_scan_does_not_follow_counts_every_bracket() {
        let deep = "[".repeat(100);
        // A tag, then a quote: in doubt, the brackets count.
        assert!(refused_at(&format!("x: !t \"{deep}\"\n")).is_some());
        // A lone carriage return is a line break to libyaml.
        assert!(refused_at(&format!("a: b\r\"q: \"{deep}\n")).is_some());
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
