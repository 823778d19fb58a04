//! The renderers of a [`StrategyDiff`]: one per format, as for diagnostics.

use std::fmt::Write;

use serde_json::Value;

use super::{Analysed, StrategyDiff};

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
        DiffFormat::Human => text(diff, old, new, false),
        DiffFormat::Markdown => text(diff, old, new, true),
    }
}

fn json(diff: &StrategyDiff, old: &Analysed, new: &Analysed) -> String {
    let value = serde_json::json!({
        "base": old.label,
        "head": new.label,
        "unreadable": { "base": old.unreadable, "head": new.unreadable },
        "diff": diff,
    });
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

/// A value as one short line: strings bare, the rest as compact JSON.
fn short(value: &Value) -> String {
    let text = match value {
        Value::Null => "(none)".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    crate::escape::for_terminal(&text).into_owned()
}

fn text(diff: &StrategyDiff, old: &Analysed, new: &Analysed, markdown: bool) -> String {
    let mut out = String::new();
    let (h, bullet, code) = if markdown {
        ("### ", "- ", "`")
    } else {
        ("", "  ", "`")
    };
    let title = format!("Strategy changes from {} to {}", old.label, new.label);
    // Writing into a String cannot fail.
    if markdown {
        let _ = writeln!(out, "## {title}\n");
    } else {
        let _ = writeln!(out, "{title}\n");
    }
    if diff.is_empty() {
        let _ = writeln!(out, "No change to the strategy.");
    }
    for (side, files) in [(&old.label, &old.unreadable), (&new.label, &new.unreadable)] {
        for file in files {
            let _ = writeln!(out, "{bullet}{code}{file}{code} is not readable at {side} (not UTF-8, or too large); left out");
        }
    }
    if !diff.added.is_empty() {
        let _ = writeln!(out, "{h}Added");
        for d in &diff.added {
            let _ = writeln!(
                out,
                "{bullet}{code}{}{code} {} ({}), {}",
                d.id,
                short(&Value::String(d.title.clone())),
                d.kind,
                d.file
            );
        }
        out.push('\n');
    }
    if !diff.removed.is_empty() {
        let _ = writeln!(out, "{h}Removed");
        for d in &diff.removed {
            let _ = writeln!(
                out,
                "{bullet}{code}{}{code} {} ({})",
                d.id,
                short(&Value::String(d.title.clone())),
                d.kind
            );
        }
        out.push('\n');
    }
    if !diff.changed.is_empty() {
        let _ = writeln!(out, "{h}Changed");
        for c in &diff.changed {
            let _ = writeln!(out, "{bullet}{code}{}{code} ({})", c.doc.id, c.doc.kind);
            let inner = if markdown { "  - " } else { "      " };
            if let Some(from) = &c.moved_from {
                let _ = writeln!(out, "{inner}moved from {from} to {}", c.doc.file);
            }
            for (field, change) in &c.fields {
                let _ = writeln!(
                    out,
                    "{inner}{field}: {} → {}",
                    short(&change.old),
                    short(&change.new)
                );
            }
            for checkin in &c.checkins_added {
                let _ = writeln!(out, "{inner}check-in added: {}", short(checkin));
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
                "{bullet}[{}] {code}{}{code}: {}",
                f.rule,
                f.doc,
                short(&Value::String(f.message.clone()))
            );
        }
        out.push('\n');
    }
    if !diff.drifted.is_empty() {
        let _ = writeln!(out, "{h}Left drifted");
        let _ = writeln!(
            out,
            "{bullet}{}",
            diff.drifted
                .iter()
                .map(|d| format!("{code}{d}{code}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}
