//! The GitHub Actions renderer: workflow commands that GitHub shows as
//! annotations on the pull request's diff.

use std::io::{self, Write};

use super::{Diagnostic, Severity};
use crate::escape::{is_terminal_unsafe, push_escaped_char};

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

// GitHub's workflow-command escaping: data escapes %, CR and LF, so that a
// message can never end the line and start a command of its own; properties
// additionally escape : and , which separate them. Other characters a
// terminal acts on (ESC, BEL, C1 controls) are written as `\u{1b}`, as in the
// human format: GitHub's log viewer interprets ANSI sequences, and logs are
// read in terminals too (`gh run view --log`).
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if is_terminal_unsafe(c) => push_escaped_char(&mut out, c),
            c => out.push(c),
        }
    }
    out
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

    #[test]
    fn user_text_cannot_start_a_command_or_reach_the_terminal_raw() {
        let evil = "x\r\n::error file=a.md::injected\u{1b}]0;t\u{7}\u{9b}2J%0A";
        let d = Diagnostic::error(
            "broken-link",
            format!("{evil}.md"),
            Span::new(1, 1, 0),
            evil,
        )
        .with_hint(evil);
        let mut out = Vec::new();
        render_github(&[d], &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.starts_with("::error file=x%0D%0A%3A%3Aerror file=a.md%3A%3Ainjected\\u{1b}]0;t\\u{7}\\u{9b}2J%250A.md,line=1,"), "{out}");
        assert!(out.contains("title=broken-link::x%0D%0A::error file=a.md::injected\\u{1b}]0;t\\u{7}\\u{9b}2J%250A%0Ahint: x%0D%0A::"), "{out}");
    }
}
