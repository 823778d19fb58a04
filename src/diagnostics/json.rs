//! The JSON renderer: one object per diagnostic per line, with exactly the
//! fields of SPEC §5 so that other tools can rely on them.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::Diagnostic;
use crate::escape::is_terminal_unsafe;

/// The JSON object for one diagnostic.
pub fn to_json_value(d: &Diagnostic) -> serde_json::Value {
    serde_json::json!({
        "rule": d.rule,
        "severity": d.severity.as_str(),
        "file": d.file,
        "line": d.span.line,
        "column": d.span.column,
        "doc": d.doc,
        "message": d.message,
        "hint": d.hint,
    })
}

/// Writes one JSON object per line.
pub fn render_json(diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    for d in diagnostics {
        writeln!(
            out,
            "{}",
            escape_terminal_controls(&to_json_value(d).to_string())
        )?;
    }
    Ok(())
}

/// JSON text with the characters a terminal acts on that serde_json writes
/// as they are (C1 controls such as U+009B CSI, bidirectional overrides,
/// line separators, DEL) written as `\u009b` escapes: the same JSON value,
/// safe to print. They can only occur inside strings, where the escape means
/// the same.
pub(super) fn escape_terminal_controls(json: &str) -> Cow<'_, str> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

    #[test]
    fn has_exactly_the_spec_fields() {
        let d = Diagnostic::error("broken-link", "bets/a.md", Span::new(4, 9, 3), "no `x`")
            .with_doc("a");
        let mut out = Vec::new();
        render_json(&[d], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"column\":9,\"doc\":\"a\",\"file\":\"bets/a.md\",\"hint\":null,\"line\":4,\"message\":\"no `x`\",\"rule\":\"broken-link\",\"severity\":\"error\"}\n"
        );
    }

    #[test]
    fn terminal_controls_are_escaped_and_the_value_kept() {
        let message = "a\u{1b}[2J\u{7}\r\n\u{9b}31m\u{202e}é";
        let d = Diagnostic::error("broken-link", "a.md", Span::new(1, 1, 0), message);
        let mut out = Vec::new();
        render_json(&[d], &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("a\\u001b[2J\\u0007\\r\\n\\u009b31m\\u202eé"),
            "{out}"
        );
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["message"], message);
        // Pretty output (SARIF) keeps its line breaks between values.
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let escaped = escape_terminal_controls(&pretty);
        assert_eq!(escaped.lines().count(), pretty.lines().count());
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&escaped).unwrap(),
            value
        );
    }
}
