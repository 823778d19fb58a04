//! The GitHub Actions renderer: workflow commands that GitHub shows as
//! annotations on the pull request's diff.

use std::io::{self, Write};

use super::{Diagnostic, Severity};

/// Writes one `::warning file=…,line=…,col=…,title=…::message` line per diagnostic.
pub fn render_github(diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message.push_str("\nhint: ");
            message.push_str(hint);
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},title={}::{}",
            escape_property(&d.file),
            d.span.line,
            d.span.column,
            escape_property(d.rule),
            escape_data(&message)
        )?;
    }
    Ok(())
}

// GitHub's workflow-command escaping: data escapes %, CR and LF; properties
// additionally escape : and , which separate them.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

    #[test]
    fn escapes_separators() {
        let d =
            Diagnostic::warning("stale", "a,b.md", Span::new(3, 1, 0), "50% done").with_hint("x");
        let mut out = Vec::new();
        render_github(&[d], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::warning file=a%2Cb.md,line=3,col=1,title=stale::50%25 done%0Ahint: x\n"
        );
    }
}
