//! The renderers of a [`StrategyDiff`]: one per format, as for diagnostics.

use std::borrow::Cow;
use std::fmt::Write;

use serde_json::Value;

use super::{Analysed, ExportChange, ItemChange, ItemEdit, StrategyDiff};
use crate::escape::{
    for_markdown, for_terminal, json_for_terminal, markdown_code_span, markdown_with_code,
};
use crate::history::{SectionChange, SectionEdit, WordChange};
use crate::site::Site;

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

/// The host's page of the whole change, when the base's config names the
/// repository (`repo_url`) and both sides are commits. The base's, not the
/// head's: a pull request could point the head's anywhere.
pub fn compare_url(old: &Analysed, new: &Analysed) -> Option<String> {
    let base = old.site.config.repo_url.as_deref()?;
    Some(format!(
        "{base}/compare/{}...{}",
        old.commit.as_deref()?,
        new.commit.as_deref()?
    ))
}

fn json(diff: &StrategyDiff, old: &Analysed, new: &Analysed) -> String {
    let value = serde_json::json!({
        "base": old.label,
        "head": new.label,
        "compare_url": compare_url(old, new),
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

/// A field's value for a reader: a document's id as its title with the id
/// beside it (a parent, a `supports` item), as the site at either side
/// names it; anything else as [`short`].
fn value(markup: Markup, v: &Value, sites: [&Site; 2]) -> String {
    let titled = |id: &str| {
        sites
            .iter()
            .find_map(|s| s.graph.lookup(id).map(|i| &s.docs[i]))
            .map(|d| markup.doc(&d.title, id))
    };
    match v {
        Value::String(id) => titled(id).unwrap_or_else(|| markup.text(id).into_owned()),
        Value::Array(items)
            if !items.is_empty()
                && items
                    .iter()
                    .all(|i| i.as_str().is_some_and(|id| titled(id).is_some())) =>
        {
            let named: Vec<String> = items
                .iter()
                .filter_map(|i| i.as_str().and_then(titled))
                .collect();
            named.join(", ")
        }
        other => markup.text(&short(other)).into_owned(),
    }
}

/// One changed section, on one line.
fn section_line(markup: Markup, c: &SectionChange) -> String {
    let what = match c.how {
        SectionEdit::Edited => "text changed in",
        SectionEdit::Added => "section added:",
        SectionEdit::Removed => "section removed:",
    };
    let mut line = format!("{what} {}", markup.section(&c.heading));
    if let Some(w) = &c.excerpt {
        let _ = write!(line, ": {}", markup.words(w));
    }
    line
}

/// An export's item changes counted (`3 added, 1 removed, 12 changed status`).
fn export_counts(e: &ExportChange) -> String {
    let mut said = Vec::new();
    for (n, what) in [
        (e.added, "added"),
        (e.removed, "removed"),
        (e.status_changed, "changed status"),
    ] {
        if n > 0 {
            said.push(format!("{n} {what}"));
        }
    }
    said.join(", ")
}

/// One item's change: its key and title, then what happened
/// (`PAY-42 Faster payouts: to do → done`).
fn item_line(markup: Markup, item: &ItemChange) -> String {
    let what = match &item.how {
        ItemEdit::Added { state } => format!("added ({state})"),
        ItemEdit::Removed => "removed".to_string(),
        ItemEdit::Status { from, to } => format!("{from} → {to}"),
    };
    let traced = if item.traced { "" } else { " (untraced)" };
    format!(
        "{} {}: {what}{traced}",
        markup.code(&item.key),
        markup.text(&item.title)
    )
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

    /// A change in words: unchanged context plain, the removed words marked
    /// as removed and the added as added, as `git diff --word-diff` (on a
    /// terminal) or a reviewer's strike-through and bold (in Markdown).
    fn words(self, w: &WordChange) -> String {
        let mut out = String::new();
        if !w.before.is_empty() {
            out.push_str(&self.text(&w.before));
            out.push(' ');
        }
        match self {
            Markup::Terminal => {
                if !w.removed.is_empty() {
                    let _ = write!(out, "[-{}-]", for_terminal(&w.removed));
                }
                if !w.added.is_empty() {
                    let _ = write!(out, "{{+{}+}}", for_terminal(&w.added));
                }
            }
            Markup::Markdown => {
                if !w.removed.is_empty() {
                    let _ = write!(out, "~~{}~~", for_markdown(&w.removed));
                }
                if !w.removed.is_empty() && !w.added.is_empty() {
                    out.push(' ');
                }
                if !w.added.is_empty() {
                    let _ = write!(out, "**{}**", for_markdown(&w.added));
                }
            }
        }
        if !w.after.is_empty() {
            out.push(' ');
            out.push_str(&self.text(&w.after));
        }
        out
    }

    /// A section's heading, quoted.
    fn section(self, heading: &str) -> String {
        match (self, heading.is_empty()) {
            (_, true) => "the text before the first heading".to_string(),
            (Markup::Terminal, false) => format!("“{}”", for_terminal(heading)),
            (Markup::Markdown, false) => format!("*{}*", for_markdown(heading)),
        }
    }

    /// A document: its title, with its id beside it.
    fn doc(self, title: &str, id: &str) -> String {
        if title.is_empty() || title == id {
            self.code(id)
        } else {
            format!("{} {}", self.text(title), self.code(id))
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
    if let Some(url) = compare_url(old, new) {
        // Checked when the config was read: http(s), no blank, quote or angle bracket.
        let _ = match markup {
            Markup::Terminal => writeln!(out, "Full diff: {}\n", for_terminal(&url)),
            Markup::Markdown => writeln!(out, "Full diff: <{url}>\n"),
        };
    }
    if diff.is_empty() {
        let _ = writeln!(out, "No change to the strategy.");
    }
    let sites = [&new.site, &old.site];
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
                "{bullet}{} ({}), {}",
                markup.doc(&d.title, &d.id),
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
                "{bullet}{} ({})",
                markup.doc(&d.title, &d.id),
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
                markup.doc(&c.doc.title, &c.doc.id),
                markup.text(&c.doc.kind)
            );
            if let Some(from) = &c.renamed_from {
                let _ = writeln!(out, "{inner}renamed from {}", markup.code(from));
            }
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
                if crate::history::top_field(field) == "depends_on" && listed {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "{inner}{}: {} → {}",
                    markup.text(field),
                    value(markup, &change.old, sites),
                    value(markup, &change.new, sites)
                );
            }
            for checkin in &c.checkins_added {
                let _ = writeln!(
                    out,
                    "{inner}check-in added: {}",
                    markup.text(&short(checkin))
                );
            }
            for section in &c.sections {
                let _ = writeln!(out, "{inner}{}", section_line(markup, section));
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
    if !diff.trackers.is_empty() {
        let _ = writeln!(out, "{h}Tracker items");
        for e in &diff.trackers {
            let _ = writeln!(
                out,
                "{bullet}{}: {}",
                markup.code(&e.file),
                export_counts(e)
            );
            for item in &e.items {
                let _ = writeln!(out, "{inner}{}", item_line(markup, item));
            }
            if e.more > 0 {
                let _ = writeln!(out, "{inner}and {} more", e.more);
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
                markup.doc(f.title.as_deref().unwrap_or_default(), &f.doc),
                markup.message(&f.message)
            );
        }
        out.push('\n');
    }
    if !diff.drifted.is_empty() {
        let _ = writeln!(out, "{h}Left drifted");
        let drifted: Vec<String> = diff
            .drifted
            .iter()
            .map(|id| match new.site.graph.lookup(id) {
                Some(i) => markup.doc(&new.site.docs[i].title, id),
                None => markup.code(id),
            })
            .collect();
        let _ = writeln!(out, "{bullet}{}", drifted.join(", "));
    }
    out
}
