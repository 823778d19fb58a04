//! The JSON renderer: one object per diagnostic per line, with exactly the
//! fields of SPEC §5 so that other tools can rely on them.

use std::io::{self, Write};

use super::Diagnostic;
use crate::escape::json_for_terminal;

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
        writeln!(out, "{}", json_for_terminal(&to_json_value(d).to_string()))?;
    }
    Ok(())
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
        let escaped = json_for_terminal(&pretty);
        assert_eq!(escaped.lines().count(), pretty.lines().count());
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&escaped).unwrap(),
            value
        );
    }
}
