//! Diagnostics are data: every problem a user can fix becomes a [`Diagnostic`]
//! value, collected by the stage that finds it and rendered once at the end by
//! one of the renderers below. No stage prints anything itself.

pub(crate) mod catalog;
mod github;
mod human;
mod json;
mod sarif;

pub use catalog::RuleInfo;
pub use github::render_github;
pub use human::{render_human, HumanStyle, SHOWN_PER_FILE, SHOWN_PER_LINE};
pub use json::{render_json, to_json_value};
pub use sarif::render_sarif;

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The build writes no site.
    Error,
    /// Shown, and fails the run with `--deny-warnings`.
    Warning,
    /// Advice only; never fails a run.
    Info,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// A text position is the text layer's; diagnostics carry it.
pub use crate::text::Span;

/// One problem found in the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// The rule id (`broken-link`, `stale`, ...).
    pub rule: &'static str,
    /// How serious it is, after the config's `rules:` overrides.
    pub severity: Severity,
    /// The file, relative to the site root, `/`-separated.
    pub file: String,
    /// Where in the file.
    pub span: Span,
    /// The id of the document concerned, where known.
    pub doc: Option<String>,
    /// What is wrong, in plain words.
    pub message: String,
    /// A short note shown under the caret (human format only).
    pub label: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A new diagnostic; add the optional parts with the builder methods.
    pub fn new(
        rule: &'static str,
        severity: Severity,
        file: impl Into<String>,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            file: file.into(),
            span,
            doc: None,
            message: message.into(),
            label: None,
            hint: None,
        }
    }

    /// An error of `rule`.
    pub fn error(
        rule: &'static str,
        file: impl Into<String>,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(rule, Severity::Error, file, span, message)
    }

    /// A warning of `rule`.
    pub fn warning(
        rule: &'static str,
        file: impl Into<String>,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(rule, Severity::Warning, file, span, message)
    }

    /// Names the document the diagnostic is about.
    pub fn with_doc(mut self, id: impl Into<String>) -> Diagnostic {
        self.doc = Some(id.into());
        self
    }

    /// Adds what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a note shown under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }
}

/// Sorts diagnostics into their one stable order: by file, position, rule, message.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.span.line, a.span.column, a.rule, &a.message).cmp(&(
            &b.file,
            b.span.line,
            b.span.column,
            b.rule,
            &b.message,
        ))
    });
}

/// How many diagnostics of each severity a run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl Counts {
    /// Counts `diagnostics` by severity.
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut counts = Counts::default();
        for d in diagnostics {
            counts.add(d.severity);
        }
        counts
    }

    /// Counts one more diagnostic of `severity`.
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
    }

    /// All of them.
    pub fn total(self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// Gives the renderers the text of a file, to quote the line at fault.
pub trait SourceLookup {
    /// The text of `file` (relative path as in [`Diagnostic::file`]), if
    /// known: whole, or at least as far as the lines its diagnostics point at.
    fn source_text(&self, file: &str) -> Option<&str>;
}

impl SourceLookup for std::collections::HashMap<String, String> {
    fn source_text(&self, file: &str) -> Option<&str> {
        self.get(file).map(String::as_str)
    }
}

/// Output formats for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// rustc-style text with the source line and a caret.
    Human,
    /// One JSON object per line.
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// A SARIF 2.1.0 log.
    Sarif,
}
