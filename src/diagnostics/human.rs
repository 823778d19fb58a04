//! The rustc-style renderer: a header, the location, the source line with a
//! caret under the text at fault, and the hint.

use std::io::{self, Write};

use unicode_width::UnicodeWidthChar;

use super::{Diagnostic, Severity, SourceLookup};

/// Presentation choices for the human format.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanStyle {
    /// Use ANSI colours (only on a terminal, and never with `NO_COLOR`).
    pub color: bool,
}

struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, severity: Severity, text: &str) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.wrap(code, text)
    }

    fn gutter(&self, text: &str) -> String {
        self.wrap("1;34", text)
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}

/// Writes every diagnostic in the human format, separated by blank lines.
pub fn render_human(
    diagnostics: &[Diagnostic],
    sources: &dyn SourceLookup,
    style: HumanStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint { color: style.color };
    // Diagnostics come sorted by file: the lines of one file at a time are
    // indexed, as far as its findings reach, so a file with thousands of
    // findings is split once and a large site's files are not all kept split.
    let mut lines: Option<(&str, Lines<'_>)> = None;
    for d in diagnostics {
        let line = sources.source_text(&d.file).and_then(|text| {
            if lines.as_ref().is_none_or(|(file, _)| *file != d.file) {
                lines = Some((d.file.as_str(), Lines::new(text)));
            }
            lines.as_mut().and_then(|(_, lines)| lines.nth(d.span.line))
        });
        render_one(d, line, &paint, out)?;
        writeln!(out)?;
    }
    Ok(())
}

/// The lines of a text, found as far as they are asked for.
struct Lines<'t> {
    text: &'t str,
    /// Where each line found so far starts.
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines {
            text,
            starts: vec![0],
        }
    }

    /// Line `line` (1-based), without its line ending.
    fn nth(&mut self, line: u32) -> Option<&'t str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        // One line past the one asked for, to know where it ends.
        while self.starts.len() <= index + 1 {
            let from = *self.starts.last()?;
            match self.text[from..].find('\n') {
                Some(at) => self.starts.push(from + at + 1),
                None => break,
            }
        }
        nth_line(self.text, &self.starts, line)
    }
}

fn render_one(
    d: &Diagnostic,
    source_line: Option<&str>,
    paint: &Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    let head = format!("{}[{}]", d.severity, d.rule);
    writeln!(
        out,
        "{}{}",
        paint.severity(d.severity, &head),
        paint.bold(&format!(": {}", d.message))
    )?;
    let line_no = d.span.line.to_string();
    let pad = " ".repeat(line_no.len());
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        paint.gutter("-->"),
        d.file,
        d.span.line,
        d.span.column
    )?;
    if let Some(line) = source_line {
        let (shown, caret_at, caret_len) = layout_line(line, d.span.column, d.span.len);
        writeln!(out, "{pad} {}", paint.gutter("|"))?;
        writeln!(
            out,
            "{} {} {shown}",
            paint.gutter(&line_no),
            paint.gutter("|")
        )?;
        let carets = "^".repeat(caret_len.max(1));
        let label = d
            .label
            .as_deref()
            .map(|l| format!(" {l}"))
            .unwrap_or_default();
        writeln!(
            out,
            "{pad} {} {}{}",
            paint.gutter("|"),
            " ".repeat(caret_at),
            paint.severity(d.severity, &format!("{carets}{label}"))
        )?;
    } else if let Some(label) = &d.label {
        writeln!(out, "{pad} {} {label}", paint.gutter("="))?;
    }
    if let Some(hint) = &d.hint {
        writeln!(
            out,
            "{pad} {} {}",
            paint.gutter("="),
            format_args!("hint: {hint}")
        )?;
    }
    Ok(())
}

/// The 1-based `line` of `text` (whose line starts are `starts`), without its line ending.
fn nth_line<'t>(text: &'t str, starts: &[usize], line: u32) -> Option<&'t str> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let start = *starts.get(index)?;
    let end = starts.get(index + 1).map_or(text.len(), |&e| e - 1);
    let l = text.get(start..end)?;
    Some(l.strip_suffix('\r').unwrap_or(l))
}

/// Expands tabs and returns the displayed line, the display offset of
/// `column`, and the display width of `len` characters from there.
fn layout_line(line: &str, column: u32, len: u32) -> (String, usize, usize) {
    const MAX_SHOWN: usize = 200;
    let start = column.saturating_sub(1) as usize;
    let end = start + len as usize;
    let mut shown = String::new();
    let (mut caret_at, mut caret_len, mut width) = (0, 0, 0);
    for (i, c) in line.chars().enumerate() {
        if i == start {
            caret_at = width;
        }
        let w = if c == '\t' { 4 } else { c.width().unwrap_or(0) };
        if i >= start && i < end {
            caret_len += w;
        }
        if width + w > MAX_SHOWN && i >= end {
            shown.push('…');
            break;
        }
        width += w;
        if c == '\t' {
            shown.push_str("    ");
        } else {
            shown.push(c);
        }
    }
    if start >= line.chars().count() {
        caret_at = width;
    }
    (shown, caret_at, caret_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;
    use std::collections::HashMap;

    #[test]
    fn lines_are_found_as_far_as_asked() {
        let mut lines = Lines::new("one\r\ntwo\nthree");
        assert_eq!(lines.nth(2), Some("two"));
        assert_eq!(
            lines.starts.len(),
            3,
            "indexed only up to the end of line 2"
        );
        assert_eq!(lines.nth(1), Some("one"), "without its \\r");
        assert_eq!(lines.nth(3), Some("three"));
        assert_eq!(lines.nth(4), None);
        assert_eq!(lines.nth(0), None);
        assert_eq!(Lines::new("a\n").nth(2), Some(""));
    }

    fn render(d: &Diagnostic, text: &str) -> String {
        let mut sources = HashMap::new();
        sources.insert(d.file.clone(), text.to_string());
        let mut out = Vec::new();
        render_human(
            std::slice::from_ref(d),
            &sources,
            HumanStyle::default(),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn caret_sits_under_the_span() {
        let d = Diagnostic::warning("stale", "a.md", Span::new(2, 11, 10), "old")
            .with_label("due 2026-09-01")
            .with_hint("review it");
        let out = render(&d, "---\nreviewed: 2026-03-01\n---\n");
        assert_eq!(
            out,
            "warning[stale]: old\n --> a.md:2:11\n  |\n2 | reviewed: 2026-03-01\n  |           ^^^^^^^^^^ due 2026-09-01\n  = hint: review it\n\n"
        );
    }

    #[test]
    fn wide_characters_and_tabs_shift_the_caret() {
        let (shown, at, len) = layout_line("\tzüri 東京 x", 8, 1);
        assert_eq!(shown, "    züri 東京 x");
        assert_eq!((at, len), (11, 2));
        assert_eq!(layout_line("\tzüri 東京 x", 10, 1).1, 14);
    }

    #[test]
    fn crlf_is_not_shown() {
        assert_eq!(nth_line("a\r\nb\r\n", &[0, 3, 6], 2), Some("b"));
        assert_eq!(nth_line("a", &[0], 3), None);
    }
}
