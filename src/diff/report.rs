//! The renderers of a [`StrategyDiff`]: one per format, as for diagnostics.

use std::borrow::Cow;
use std::fmt::Write;

use serde_json::Value;

use super::{Analysed, StrategyDiff};
use crate::escape::{
    for_markdown, for_terminal, json_for_terminal, markdown_code_span, markdown_with_code,
};

/// How `diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// For a terminal.
    Human,
    /// For a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// One JSON document.
    Json,
}

/// `diff` between `old` and `new`, in `format`.
pub fn render(diff: &StrategyDiff, old: &Analysed, new: &Analysed, format: DiffFormat) -> String {
    match format {
        DiffFormat::Json => json(diff, old, new),
        DiffFormat::Human => text(diff, old, new, Markup::Terminal),
        DiffFormat::Markdown => text(diff, old, new, Markup::Markdown),
    }
}

fn json(diff: &StrategyDiff, old: &Analysed, new: &Analysed) -> String {
    let value = serde_json::json!({
        "base": old.label,
        "head": new.label,
        "unreadable": { "base": old.unreadable, "head": new.unreadable },
        "diff": diff,
    });
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    // Printed like `check --format json`: the same value, nothing a terminal acts on.
    let mut out = json_for_terminal(&text).into_owned();
    out.push('\n');
    out
}

/// A value as one short line: strings bare, the rest as compact JSON.
/// Raw: the caller escapes it for its reader.
fn short(value: &Value) -> String {
    match value {
        Value::Null => "(none)".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The two text formats: the markup each writes, and its reader's escaping.
/// Every value that comes from the repository (titles, ids, kinds, files,
/// field names and values, messages, revision names) goes through
/// [`Markup::text`], [`Markup::code`] or [`Markup::message`]: a commit can
/// name a file `ESC]0;…BEL` or title a document `@everyone <img …>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Terminal,
    Markdown,
}

impl Markup {
    /// `value` as plain text.
    fn text(self, value: &str) -> Cow<'_, str> {
        match self {
            Markup::Terminal => for_terminal(value),
            Markup::Markdown => Cow::Owned(for_markdown(value)),
        }
    }

    /// `value` (an id, an unreadable file) as code: in backticks.
    fn code(self, value: &str) -> String {
        match self {
            Markup::Terminal => format!("`{}`", for_terminal(value)),
            Markup::Markdown => markdown_code_span(value),
        }
    }

    /// A finding's message: its backtick pairs mark code.
    fn message(self, value: &str) -> Cow<'_, str> {
        match self {
            Markup::Terminal => for_terminal(value),
            Markup::Markdown => Cow::Owned(markdown_with_code(value)),
        }
    }

    /// What starts a section's heading.
    fn heading(self) -> &'static str {
        match self {
            Markup::Terminal => "",
            Markup::Markdown => "### ",
        }
    }

    /// What starts an item, and an item under it.
    fn bullets(self) -> (&'static str, &'static str) {
        match self {
            Markup::Terminal => ("  ", "      "),
            Markup::Markdown => ("- ", "  - "),
        }
    }
}

fn text(diff: &StrategyDiff, old: &Analysed, new: &Analysed, markup: Markup) -> String {
    let mut out = String::new();
    let h = markup.heading();
    let (bullet, inner) = markup.bullets();
    let title = format!(
        "Strategy changes from {} to {}",
        markup.text(&old.label),
        markup.text(&new.label)
    );
    // Writing into a String cannot fail.
    if markup == Markup::Markdown {
        let _ = writeln!(out, "## {title}\n");
    } else {
        let _ = writeln!(out, "{title}\n");
    }
    if diff.is_empty() {
        let _ = writeln!(out, "No change to the strategy.");
    }
    for (side, files) in [(&old.label, &old.unreadable), (&new.label, &new.unreadable)] {
        for file in files {
            let _ = writeln!(
                out,
                "{bullet}{} is not readable at {} (not UTF-8, or too large); left out",
                markup.code(file),
                markup.text(side)
            );
        }
    }
    if !diff.added.is_empty() {
        let _ = writeln!(out, "{h}Added");
        for d in &diff.added {
            let _ = writeln!(
                out,
                "{bullet}{} {} ({}), {}",
                markup.code(&d.id),
                markup.text(&d.title),
                markup.text(&d.kind),
                markup.text(&d.file)
            );
        }
        out.push('\n');
    }
    if !diff.removed.is_empty() {
        let _ = writeln!(out, "{h}Removed");
        for d in &diff.removed {
            let _ = writeln!(
                out,
                "{bullet}{} {} ({})",
                markup.code(&d.id),
                markup.text(&d.title),
                markup.text(&d.kind)
            );
        }
        out.push('\n');
    }
    if !diff.changed.is_empty() {
        let _ = writeln!(out, "{h}Changed");
        for c in &diff.changed {
            let _ = writeln!(
                out,
                "{bullet}{} ({})",
                markup.code(&c.doc.id),
                markup.text(&c.doc.kind)
            );
            if let Some(from) = &c.moved_from {
                let _ = writeln!(
                    out,
                    "{inner}moved from {} to {}",
                    markup.text(from),
                    markup.text(&c.doc.file)
                );
            }
            for id in &c.dependencies_added {
                let _ = writeln!(out, "{inner}now waits on {}", markup.code(id));
            }
            for id in &c.dependencies_removed {
                let _ = writeln!(out, "{inner}no longer waits on {}", markup.code(id));
            }
            for (field, change) in &c.fields {
                // Said above, id by id, when it added or removed one.
                let listed = !c.dependencies_added.is_empty() || !c.dependencies_removed.is_empty();
                if field == "depends_on" && listed {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "{inner}{}: {} → {}",
                    markup.text(field),
                    markup.text(&short(&change.old)),
                    markup.text(&short(&change.new))
                );
            }
            for checkin in &c.checkins_added {
                let _ = writeln!(
                    out,
                    "{inner}check-in added: {}",
                    markup.text(&short(checkin))
                );
            }
            if c.body_lines_added + c.body_lines_removed > 0 {
                let _ = writeln!(
                    out,
                    "{inner}body: +{} −{} lines",
                    c.body_lines_added, c.body_lines_removed
                );
            }
        }
        out.push('\n');
    }
    for (heading, list) in [
        ("Findings introduced", &diff.findings_introduced),
        ("Findings resolved", &diff.findings_resolved),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{h}{heading}");
        for f in list {
            let _ = writeln!(
                out,
                "{bullet}{} {}: {}",
                markup.text(&format!("[{}]", f.rule)),
                markup.code(&f.doc),
                markup.message(&f.message)
            );
        }
        out.push('\n');
    }
    if !diff.drifted.is_empty() {
        let _ = writeln!(out, "{h}Left drifted");
        let drifted: Vec<String> = diff.drifted.iter().map(|d| markup.code(d)).collect();
        let _ = writeln!(out, "{bullet}{}", drifted.join(", "));
    }
    out
}
