//! The rustc-style renderer: a header, the location, the source line with a
//! caret under the text at fault, and the hint.

use std::io::{self, Write};

use std::borrow::Cow;

use unicode_width::UnicodeWidthChar;

use super::{Counts, Diagnostic, Severity, SourceLookup};
use crate::escape::{escaped_char_width, for_terminal, is_terminal_unsafe, push_escaped_char};
use crate::text::group_digits;

/// Presentation choices for the human format.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanStyle {
    /// Use ANSI colours (only on a terminal, and never with `NO_COLOR`).
    pub color: bool,
}

struct Paint {
    color: bool,
}

/// A text as written, in colour or not: formatted where it is written, not
/// made into a string first (about ten per finding, 14,000 findings at 10k).
struct Painted<'t> {
    code: Option<&'static str>,
    text: &'t str,
}

impl std::fmt::Display for Painted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "\x1b[{code}m{}\x1b[0m", self.text),
            None => f.write_str(self.text),
        }
    }
}

impl Paint {
    fn wrap<'t>(&self, code: &'static str, text: &'t str) -> Painted<'t> {
        Painted {
            code: self.color.then_some(code),
            text,
        }
    }

    fn severity<'t>(&self, severity: Severity, text: &'t str) -> Painted<'t> {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.wrap(code, text)
    }

    fn gutter<'t>(&self, text: &'t str) -> Painted<'t> {
        self.wrap("1;34", text)
    }

    fn bold<'t>(&self, text: &'t str) -> Painted<'t> {
        self.wrap("1", text)
    }
}

/// Findings shown per source line; the rest of the line's are counted in one note.
pub const SHOWN_PER_LINE: usize = 3;
/// Findings shown per file; the rest of the file's are counted in one note.
pub const SHOWN_PER_FILE: usize = 50;
/// Display columns of a quoted source line, the `…` marking a cut included.
const WINDOW: usize = 100;
/// Columns of context kept before the span when a line is cut on the left.
const LEAD: usize = 30;
/// Characters of a message, label or hint shown; ids quoted in a message can be any length.
const MAX_TEXT: usize = 500;
/// Columns a tab takes in a quoted line.
const TAB_WIDTH: usize = 4;

/// Writes every diagnostic in the human format, separated by blank lines.
///
/// Output stays proportional to the number of findings, whatever the input:
/// a quoted line is cut to a window around the span, at most
/// [`SHOWN_PER_LINE`] findings of one line and [`SHOWN_PER_FILE`] of one file
/// are shown (the rest are counted), and characters a terminal would act on
/// (ESC, BEL, CR, C1 controls, bidirectional overrides) are written as
/// `\u{1b}`-style escapes.
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
    let mut caps = Caps::default();
    for d in diagnostics {
        if !caps.admit(d, &paint, out)? {
            continue;
        }
        let line = sources.source_text(&d.file).and_then(|text| {
            if lines.as_ref().is_none_or(|(file, _)| *file != d.file) {
                lines = Some((d.file.as_str(), Lines::new(text)));
            }
            lines.as_mut().and_then(|(_, lines)| lines.nth(d.span.line))
        });
        render_one(d, line, &paint, out)?;
        writeln!(out)?;
    }
    caps.finish(&paint, out)
}

/// Which findings of the current file and line are shown, and how many are not.
#[derive(Default)]
struct Caps<'d> {
    file: Option<&'d str>,
    line: u32,
    shown_in_file: usize,
    shown_on_line: usize,
    hidden_on_line: Counts,
    hidden_in_file: Counts,
}

impl<'d> Caps<'d> {
    /// Whether to show `d`; first writes the notes of the line or file it leaves.
    fn admit(&mut self, d: &'d Diagnostic, paint: &Paint, out: &mut dyn Write) -> io::Result<bool> {
        if self.file != Some(d.file.as_str()) {
            self.finish(paint, out)?;
            *self = Caps {
                file: Some(&d.file),
                line: d.span.line,
                ..Caps::default()
            };
        } else if self.line != d.span.line {
            self.line_note(paint, out)?;
            self.line = d.span.line;
            self.shown_on_line = 0;
        }
        if self.shown_in_file >= SHOWN_PER_FILE {
            self.hidden_in_file.add(d.severity);
            return Ok(false);
        }
        if self.shown_on_line >= SHOWN_PER_LINE {
            self.hidden_on_line.add(d.severity);
            return Ok(false);
        }
        self.shown_in_file += 1;
        self.shown_on_line += 1;
        Ok(true)
    }

    /// Writes the notes still owed for the current line and file.
    fn finish(&mut self, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
        self.line_note(paint, out)?;
        let hidden = std::mem::take(&mut self.hidden_in_file);
        if let (Some(file), true) = (self.file, hidden.total() > 0) {
            let place = format!("in {}", clean(file));
            note(hidden, &place, paint, out)?;
        }
        Ok(())
    }

    fn line_note(&mut self, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
        let hidden = std::mem::take(&mut self.hidden_on_line);
        if let (Some(file), true) = (self.file, hidden.total() > 0) {
            let place = format!("on line {} of {}", self.line, clean(file));
            note(hidden, &place, paint, out)?;
        }
        Ok(())
    }
}

/// `… and 9,997 more errors on line 6 of a.md; …`, for findings not shown.
fn note(hidden: Counts, place: &str, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let n = hidden.total();
    let noun = match (hidden.errors, hidden.warnings, hidden.infos) {
        (_, 0, 0) => "error",
        (0, _, 0) => "warning",
        (0, 0, _) => "info",
        _ => "finding",
    };
    let noun = if n == 1 || noun == "info" {
        noun.to_string()
    } else {
        format!("{noun}s")
    };
    let text = format!(
        "… and {} more {noun} {place}; `throughline check --format json` lists them all",
        group_digits(n)
    );
    writeln!(out, "{}\n", paint.bold(&text))
}

/// User text as it may go to a terminal: controls escaped, cut at [`MAX_TEXT`] characters.
fn clean(text: &str) -> Cow<'_, str> {
    let text = for_terminal(text);
    // A text of at most MAX_TEXT bytes has at most as many characters.
    if text.len() <= MAX_TEXT {
        return text;
    }
    match text.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
        None => text,
    }
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
        paint.bold(&format!(": {}", clean(&d.message)))
    )?;
    let line_no = d.span.line.to_string();
    let pad = " ".repeat(line_no.len());
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        paint.gutter("-->"),
        clean(&d.file),
        d.span.line,
        d.span.column
    )?;
    let label = d.label.as_deref().map(clean);
    if let Some(line) = source_line {
        let quoted = layout_line(line, d.span.column, d.span.len);
        writeln!(out, "{pad} {}", paint.gutter("|"))?;
        writeln!(
            out,
            "{} {} {}",
            paint.gutter(&line_no),
            paint.gutter("|"),
            quoted.shown
        )?;
        let carets = "^".repeat(quoted.caret_len.max(1));
        let label = label.map(|l| format!(" {l}")).unwrap_or_default();
        writeln!(
            out,
            "{pad} {} {}{}",
            paint.gutter("|"),
            " ".repeat(quoted.caret_at),
            paint.severity(d.severity, &format!("{carets}{label}"))
        )?;
    } else if let Some(label) = label {
        writeln!(out, "{pad} {} {label}", paint.gutter("="))?;
    }
    if let Some(hint) = &d.hint {
        writeln!(
            out,
            "{pad} {} {}",
            paint.gutter("="),
            format_args!("hint: {}", clean(hint))
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

/// A source line as quoted: what is shown, and where the carets go (in display columns).
#[derive(Debug, PartialEq, Eq)]
struct Quoted {
    shown: String,
    caret_at: usize,
    caret_len: usize,
}

/// Display columns `c` takes in a quoted line.
fn cell_width(c: char) -> usize {
    if c == '\t' {
        TAB_WIDTH
    } else if is_terminal_unsafe(c) {
        escaped_char_width(c)
    } else {
        c.width().unwrap_or(0)
    }
}

fn push_cell(out: &mut String, c: char) {
    if c == '\t' {
        out.extend(std::iter::repeat_n(' ', TAB_WIDTH));
    } else if is_terminal_unsafe(c) {
        push_escaped_char(out, c);
    } else {
        out.push(c);
    }
}

/// Lays out `line` for quoting, the span being `len` characters from the
/// 1-based character `column`: tabs expanded, controls escaped, and a line
/// wider than [`WINDOW`] cut to a window around the span, `…` marking each
/// cut. Reads the line only as far as the window reaches, so quoting the end
/// of a long line costs one pass over it, not one per finding.
fn layout_line(line: &str, column: u32, len: u32) -> Quoted {
    let start = column.saturating_sub(1) as usize;
    let end = start.saturating_add(len as usize);
    // Where the span starts and ends, and where the line ends if that is
    // within a window's reach of the span.
    let (mut span_at, mut span_end, mut line_width) = (None, None, None);
    let mut col = 0;
    let mut chars = line.chars().enumerate();
    loop {
        let Some((i, c)) = chars.next() else {
            line_width = Some(col);
            break;
        };
        if i == start {
            span_at = Some(col);
        }
        if i == end {
            span_end = Some(col);
        }
        if span_at.is_some_and(|at| col >= at + WINDOW) {
            break;
        }
        col += cell_width(c);
    }
    let span_at = span_at.unwrap_or(col);
    let span_end = span_end.unwrap_or(col).max(span_at);
    if line_width.is_some_and(|w| w <= WINDOW) {
        return cut(line, 0, usize::MAX, span_at, span_end);
    }
    // The line is cut: one column of each window edge that cuts goes to `…`.
    let lo = if span_end < WINDOW {
        0
    } else {
        let lo = span_at.saturating_sub(LEAD);
        line_width.map_or(lo, |w| lo.min(w.saturating_sub(WINDOW - 1)))
    };
    let room = WINDOW - usize::from(lo > 0);
    let hi = match line_width {
        Some(w) if w <= lo + room => usize::MAX,
        _ => lo + room - 1,
    };
    cut(line, lo, hi, span_at, span_end)
}

/// The characters of `line` between display columns `lo` and `hi` (the
/// characters cut are marked with `…`), with the carets for the span at
/// display columns `span_at..span_end` of the whole line.
fn cut(line: &str, lo: usize, hi: usize, span_at: usize, span_end: usize) -> Quoted {
    let mut shown = String::new();
    let mut col = 0;
    let mut first = None;
    let mut shown_end = 0;
    let mut marker = 0;
    for c in line.chars() {
        let w = cell_width(c);
        if col >= lo {
            if col + w > hi {
                shown.push('…');
                break;
            }
            if first.is_none() {
                first = Some(col);
                if lo > 0 {
                    shown.push('…');
                    marker = 1;
                }
            }
            push_cell(&mut shown, c);
            shown_end = col + w;
        }
        col += w;
    }
    let first = first.unwrap_or(col);
    let shown_end = shown_end.max(first);
    Quoted {
        shown,
        caret_at: marker + span_at.saturating_sub(first),
        caret_len: span_end.min(shown_end).saturating_sub(span_at),
    }
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
        let quoted = layout_line("\tzüri 東京 x", 8, 1);
        assert_eq!(quoted.shown, "    züri 東京 x");
        assert_eq!((quoted.caret_at, quoted.caret_len), (11, 2));
        assert_eq!(layout_line("\tzüri 東京 x", 10, 1).caret_at, 14);
    }

    /// The text shown from display column `col` of `shown` on.
    fn from_column(shown: &str, col: usize) -> &str {
        let mut width = 0;
        for (at, c) in shown.char_indices() {
            if width >= col {
                return &shown[at..];
            }
            width += c.width().unwrap_or(0);
        }
        ""
    }

    fn width(s: &str) -> usize {
        s.chars().map(|c| c.width().unwrap_or(0)).sum()
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_around_the_span() {
        let line: String = (0..2000).map(|i| format!("[[n-{i}]] ")).collect();
        let column = line.find("[[n-1000]]").unwrap() + 1;
        let quoted = layout_line(&line, column as u32, 10);
        assert_eq!(width(&quoted.shown), WINDOW, "{}", quoted.shown);
        assert!(quoted.shown.starts_with('…') && quoted.shown.ends_with('…'));
        assert!(from_column(&quoted.shown, quoted.caret_at).starts_with("[[n-1000]] "));
        assert_eq!(quoted.caret_len, 10);
        assert_eq!(quoted.caret_at, LEAD + 1);

        // Near the start: cut on the right only.
        let quoted = layout_line(&line, 1, 6);
        assert_eq!((quoted.caret_at, quoted.caret_len), (0, 6));
        assert!(quoted.shown.starts_with("[[n-0]]") && quoted.shown.ends_with('…'));
        assert_eq!(width(&quoted.shown), WINDOW);

        // Near the end: cut on the left only, the window filled.
        let last = line.rfind("[[").unwrap() + 1;
        let quoted = layout_line(&line, last as u32, 10);
        assert!(quoted.shown.starts_with('…') && quoted.shown.ends_with("[[n-1999]] "));
        assert_eq!(width(&quoted.shown), WINDOW);
        assert!(from_column(&quoted.shown, quoted.caret_at).starts_with("[[n-1999]]"));

        // Past the end of the line: the caret after its last character.
        let end = line.chars().count() + 1;
        let quoted = layout_line(&line, end as u32, 0);
        assert_eq!(quoted.caret_at, width(&quoted.shown));
    }

    #[test]
    fn a_span_wider_than_the_window_is_underlined_to_the_cut() {
        let line = format!("{}{}{}", "a".repeat(300), "b".repeat(500), "c".repeat(300));
        let quoted = layout_line(&line, 301, 500);
        assert_eq!(quoted.caret_at, LEAD + 1);
        assert_eq!(width(&quoted.shown), WINDOW);
        assert_eq!(
            quoted.caret_at + quoted.caret_len,
            WINDOW - 1,
            "up to the `…`"
        );
    }

    #[test]
    fn wide_characters_at_the_cut_keep_the_caret_aligned() {
        let line = format!("{}[[x]]{}", "東".repeat(200), "京".repeat(200));
        let quoted = layout_line(&line, 201, 5);
        assert!(width(&quoted.shown) <= WINDOW, "{}", quoted.shown);
        assert!(from_column(&quoted.shown, quoted.caret_at).starts_with("[[x]]"));
        assert_eq!(quoted.caret_len, 5);
    }

    #[test]
    fn controls_in_the_line_are_escaped_and_the_caret_follows() {
        let quoted = layout_line("a\u{1b}[2J\u{7}\u{9b}b [[x]]", 10, 5);
        assert_eq!(quoted.shown, "a\\u{1b}[2J\\u{7}\\u{9b}b [[x]]");
        assert!(from_column(&quoted.shown, quoted.caret_at).starts_with("[[x]]"));
        assert_eq!(quoted.caret_len, 5);
        // A control inside the span widens the underline to its escape.
        let quoted = layout_line("[[a\u{1b}b]]", 1, 7);
        assert_eq!(quoted.caret_len, width("[[a\\u{1b}b]]"));
    }

    fn many(n: usize, line: u32, file: &str) -> Vec<Diagnostic> {
        (0..n)
            .map(|i| {
                Diagnostic::error(
                    "broken-link",
                    file,
                    Span::new(line, 1 + 2 * i as u32, 1),
                    format!("no `{i}`"),
                )
            })
            .collect()
    }

    fn render_all(diagnostics: &[Diagnostic], sources: &HashMap<String, String>) -> String {
        let mut out = Vec::new();
        render_human(diagnostics, sources, HumanStyle::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn findings_beyond_the_caps_are_counted_not_shown() {
        let mut sources = HashMap::new();
        sources.insert("a.md".to_string(), "x ".repeat(5000));
        let mut diagnostics = many(5000, 1, "a.md");
        diagnostics.extend((2..=100).flat_map(|line| many(1, line, "a.md")));
        diagnostics.extend(many(2, 1, "b.md"));
        let out = render_all(&diagnostics, &sources);
        assert_eq!(
            out.matches("error[broken-link]").count(),
            SHOWN_PER_FILE + 2
        );
        assert!(out.contains(
            "… and 4,997 more errors on line 1 of a.md; `throughline check --format json` lists them all\n\n"
        ), "{out}");
        let in_file = 99 - (SHOWN_PER_FILE - SHOWN_PER_LINE);
        assert!(
            out.contains(&format!("… and {in_file} more errors in a.md;")),
            "{out}"
        );
        assert!(!out.contains("more errors on line 1 of b.md"));
        // The notes come after the findings they stand for.
        assert!(out.find("on line 1 of a.md").unwrap() < out.find("a.md:2:1").unwrap());
        assert!(out.find("in a.md;").unwrap() < out.find("b.md:1:1").unwrap());
        assert!(out.len() < 16_000, "{} bytes", out.len());
    }

    #[test]
    fn mixed_severities_are_counted_as_findings() {
        let mut diagnostics = many(4, 1, "a.md");
        diagnostics.push(Diagnostic::warning(
            "schema",
            "a.md",
            Span::new(1, 30, 1),
            "w",
        ));
        let out = render_all(&diagnostics, &HashMap::new());
        assert!(
            out.contains("… and 2 more findings on line 1 of a.md;"),
            "{out}"
        );
        let out = render_all(&many(4, 1, "a.md"), &HashMap::new());
        assert!(
            out.contains("… and 1 more error on line 1 of a.md;"),
            "{out}"
        );
    }

    #[test]
    fn user_text_cannot_reach_the_terminal_raw() {
        let evil = "x\u{1b}]0;owned\u{7}\u{1b}[2J\r\u{9b}31m";
        let d = Diagnostic::error(
            "broken-link",
            format!("{evil}.md"),
            Span::new(1, 5, 3),
            format!("no document has id `{evil}`"),
        )
        .with_label(evil)
        .with_hint(format!("did you mean `{evil}`?"));
        let out = render(&d, &format!("see {evil}\n"));
        for c in ['\u{1b}', '\u{7}', '\r', '\u{9b}'] {
            assert!(!out.contains(c), "{c:?} in {out}");
        }
        assert!(
            out.contains("x\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{d}\\u{9b}31m"),
            "{out}"
        );
        assert!(out.contains("--> x\\u{1b}]0;owned"), "{out}");
        let long = "y".repeat(10_000);
        let d = Diagnostic::error("broken-link", "a.md", Span::new(1, 1, 0), long);
        assert!(render(&d, "").len() < MAX_TEXT + 100);
    }

    #[test]
    fn crlf_is_not_shown() {
        assert_eq!(nth_line("a\r\nb\r\n", &[0, 3, 6], 2), Some("b"));
        assert_eq!(nth_line("a", &[0], 3), None);
    }
}
