//! The JSON renderer: one object per diagnostic per line, with exactly the
//! fields of SPEC §5 so that other tools can rely on them.

use std::io::{self, Write};

use super::Diagnostic;

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
        writeln!(out, "{}", to_json_value(d))?;
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
}
