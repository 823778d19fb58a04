//! All YAML parsing lives here: front matter and `throughline.yaml` go
//! through serde_yaml (limits on recursion and alias expansion included), and
//! [`Locator`] finds where a field or value is written, because serde_yaml
//! values carry no positions. Nothing outside this module names serde_yaml.
//!
//! - `parse.rs`: YAML text to `serde_json` values, errors and their hints;
//! - `guard.rs`: what is refused before libyaml sees it (size, flow depth);
//! - `locate.rs`: [`Locator`], where a field or value is written;
//! - `lines.rs`: the one reader of a front-matter line (key, indentation,
//!   value, comment), used by the locator, `edit` and the LSP;
//! - `write.rs`: [`scalar`], a value written so that it reads back the same.

use serde_json::Value;

mod guard;
pub(crate) mod lines;
mod locate;
mod parse;
mod write;

pub(crate) use locate::{Located, Locator, Step};
pub(crate) use parse::{
    number_problem, parse_front_matter, syntax_hint, NumberProblem, MAX_YAML_BYTES,
};
pub(crate) use write::{flow_scalar, scalar};

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
