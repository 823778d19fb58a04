//! Completion: ids where a field or a `[[` link takes one (only the kinds
//! the field accepts), `kind:` values, field names, and enumerated values.
//!
//! The slot is read from the text before the cursor, not from the parse:
//! while a value is being typed the front matter is often not valid YAML.

use lsp_types::{CompletionItem, CompletionItemKind, Position, Range, TextEdit};

use crate::config::ParentRule;
use crate::model::{
    ApprovalLevel, Direction, ExperimentResult, Indicator, Level, Lno, MetricType, Size, Status,
};
use crate::source::{field_applies, split_front_matter, KNOWN_FIELDS};
use crate::yaml::lines::Line;

use super::fields;
use super::{Ctx, File};

/// What the cursor is in the middle of writing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    /// A top-level front-matter key.
    FieldName,
    /// The value of `field`, inside `within` when nested (`success:` → `metric:`).
    Value {
        field: String,
        within: Option<String>,
    },
    /// The id of a `[[` link.
    WikiId,
    /// The `#heading` of a `[[id#` link.
    WikiHeading(String),
}

/// Characters that end an id or value being typed.
fn is_value_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_' || c == '.'
}

/// `textDocument/completion`.
pub fn complete(ctx: &Ctx<'_>, file: &File<'_>, position: Position) -> Vec<CompletionItem> {
    // The slot is read from what the editor shows, even if the analysis is behind it.
    let text = ctx
        .ws
        .open
        .get(&file.rel)
        .map_or(file.text(), |b| b.text.as_str());
    let lines = super::Lines::new(text);
    let offset = lines.offset(position, ctx.encoding);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let token_start = offset
        - before
            .chars()
            .rev()
            .take_while(|&c| is_value_char(c))
            .map(char::len_utf8)
            .sum::<usize>();
    let replace = lines.range(token_start, offset, ctx.encoding);
    let Some(slot) = slot_at(text, line_start, offset) else {
        return Vec::new();
    };
    match slot {
        Slot::FieldName => field_names(ctx, file, text, replace),
        Slot::WikiId => ids(ctx, file, replace, |_| true),
        Slot::WikiHeading(id) => headings_of(ctx, &id, replace),
        Slot::Value { field, within } => values(ctx, file, &field, within.as_deref(), replace),
    }
}

/// Which slot the cursor at `offset` is in (`line_start` is its line's start).
fn slot_at(text: &str, line_start: usize, offset: usize) -> Option<Slot> {
    let before = &text[line_start..offset];
    let front = split_front_matter(text).ok().filter(|fm| fm.present);
    let in_front_matter = front.is_some_and(|fm| {
        line_start >= fm.yaml_offset && line_start < fm.yaml_offset + fm.yaml.len()
    });
    if !in_front_matter {
        let open = before.rfind("[[")?;
        let inside = &before[open + 2..];
        if inside.contains("]]") || inside.contains('|') {
            return None;
        }
        return Some(match inside.split_once('#') {
            Some((id, _)) => Slot::WikiHeading(id.trim().to_string()),
            None => Slot::WikiId,
        });
    }
    let indent = before.len() - before.trim_start().len();
    let stripped = before.trim_start();
    let item = stripped.strip_prefix('-').map(str::trim_start);
    let entry = item.unwrap_or(stripped);
    // Inside a flow collection: the innermost `[` or `{` not yet closed.
    let mut depth: Vec<(char, usize)> = Vec::new();
    for (i, c) in entry.char_indices() {
        match c {
            '[' | '{' => depth.push((c, i)),
            ']' | '}' => {
                depth.pop();
            }
            _ => {}
        }
    }
    let line_key = entry.split_once(':').map(|(k, _)| k.trim().to_string());
    let enclosing = || enclosing_key(text, line_start, indent);
    match depth.last() {
        Some(('{', _)) => {
            // `confidence: { problem: hi` — the key is the last one before the cursor.
            let last_entry = entry.rsplit([',', '{']).next().unwrap_or("");
            let (key, _) = last_entry.split_once(':')?;
            Some(Slot::Value {
                field: key.trim().to_string(),
                within: line_key.or_else(enclosing),
            })
        }
        Some(('[', _)) => {
            // `supports: [a, b` — a list value of the line's key (or of the enclosing key for `- [..]`).
            let field = match (&item, &line_key) {
                (None, Some(key)) => key.clone(),
                _ => enclosing()?,
            };
            Some(Slot::Value {
                field,
                within: None,
            })
        }
        _ => match (entry.split_once(':'), item) {
            // `key: partial` (or `- key: partial` in a list of mappings).
            (Some((key, _)), _) => {
                let key = key.trim().to_string();
                if indent == 0 && item.is_none() {
                    Some(Slot::Value {
                        field: key,
                        within: None,
                    })
                } else {
                    Some(Slot::Value {
                        field: key,
                        within: enclosing(),
                    })
                }
            }
            // `- partial`: an item of the enclosing key's list.
            (None, Some(_)) => Some(Slot::Value {
                field: enclosing()?,
                within: None,
            }),
            (None, None) if indent == 0 => Some(Slot::FieldName),
            (None, None) => None,
        },
    }
}

/// The key of the nearest line above `line_start` indented less than `indent`
/// (for a list item at indent 0, the nearest key line above).
fn enclosing_key(text: &str, line_start: usize, indent: usize) -> Option<String> {
    for line in text[..line_start].lines().rev().map(Line::read) {
        if line.is_blank_or_comment() || line.text[line.indent..].starts_with('-') {
            continue;
        }
        if line.indent < indent || (indent == 0 && line.indent == 0) {
            return line.key.map(str::to_string);
        }
    }
    None
}

fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: Option<String>,
    replace: Range,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        filter_text: Some(label.to_string()),
        text_edit: Some(lsp_types::CompletionTextEdit::Edit(TextEdit {
            range: replace,
            new_text: label.to_string(),
        })),
        ..CompletionItem::default()
    }
}

/// The document ids `accept` lets through, each with its kind and title.
fn ids(
    ctx: &Ctx<'_>,
    file: &File<'_>,
    replace: Range,
    accept: impl Fn(&str) -> bool,
) -> Vec<CompletionItem> {
    let own = file.doc.map(|(_, d)| d.id.as_str());
    let schema = &ctx.site.config.schema;
    ctx.site
        .docs
        .iter()
        // A tracker's items are offered under `tracks:`, by their keys.
        .filter(|d| Some(d.id.as_str()) != own && d.tracker.is_none() && accept(&d.kind))
        .map(|d| {
            let label = schema
                .get(&d.kind)
                .map_or(d.kind.as_str(), |k| k.label.as_str());
            item(
                &d.id,
                CompletionItemKind::REFERENCE,
                Some(format!("{label}: {}", d.title)),
                replace,
            )
        })
        .collect()
}

/// The site's people by id, each with their name and role; nothing when
/// the site has none (then an owner is free text).
fn people(ctx: &Ctx<'_>, replace: Range) -> Vec<CompletionItem> {
    let docs = &ctx.site.docs;
    ctx.site
        .facts
        .people()
        .all()
        .iter()
        .map(|&p| {
            let d = &docs[p];
            let detail = match &d.role {
                Some(role) => format!("{} · {role}", d.title),
                None => d.title.clone(),
            };
            let mut it = item(&d.id, CompletionItemKind::REFERENCE, Some(detail), replace);
            // Typing the name finds the person too.
            it.filter_text = Some(format!("{} {}", d.id, d.title));
            it
        })
        .collect()
}

fn words(list: &[&str], replace: Range) -> Vec<CompletionItem> {
    list.iter()
        .map(|w| item(w, CompletionItemKind::ENUM_MEMBER, None, replace))
        .collect()
}

fn values(
    ctx: &Ctx<'_>,
    file: &File<'_>,
    field: &str,
    within: Option<&str>,
    replace: Range,
) -> Vec<CompletionItem> {
    let kind = fields::kind_of(file);
    let schema = &ctx.site.config.schema;
    let waits_on = |k: &str| crate::graph::DEPENDENCY_KINDS.contains(&k);
    match (within, field) {
        (_, "metric") => ids(ctx, file, replace, |k| k == "metric"),
        (Some("approval"), "approver") | (None, "owner" | "participants") => people(ctx, replace),
        // `- {id: …}`, the only nested `id`: an entry of `depends_on`.
        (Some(_), "id") | (None, "depends_on") => ids(ctx, file, replace, waits_on),
        (Some("confidence"), _) => words(Level::ALL, replace),
        (Some("approval"), "level") => words(ApprovalLevel::ALL, replace),
        (Some(_), _) => Vec::new(),
        (None, "parent") => {
            let rule = schema.get(&kind).map(|k| k.parents.clone());
            ids(ctx, file, replace, |k| match &rule {
                Some(ParentRule::Kinds(kinds)) => kinds.iter().any(|p| p == k),
                Some(ParentRule::Any) => true,
                Some(ParentRule::None) | None => false,
            })
        }
        (None, "supports" | "related" | "covers" | "decides") => ids(ctx, file, replace, |_| true),
        (None, "superseded_by") => ids(ctx, file, replace, |k| k == "decision"),
        (None, "team") => ids(ctx, file, replace, |k| k == "team"),
        (None, "tracks") => ctx
            .site
            .docs
            .iter()
            .filter_map(|d| {
                let origin = d.tracker.as_deref()?;
                Some(item(
                    &origin.key,
                    CompletionItemKind::REFERENCE,
                    Some(format!("{}: {}", d.file, d.title)),
                    replace,
                ))
            })
            .collect(),
        (None, "kind") => schema
            .kinds()
            .iter()
            .map(|k| {
                item(
                    &k.name,
                    CompletionItemKind::ENUM_MEMBER,
                    Some(k.label.clone()),
                    replace,
                )
            })
            .collect(),
        // The statuses of its kind: a decision is offered `accepted`, a bet is not.
        (None, "status") => words(Status::for_kind(&kind), replace),
        (None, "size") => words(Size::ALL, replace),
        (None, "lno") => words(Lno::ALL, replace),
        (None, "type") => words(MetricType::ALL, replace),
        (None, "indicator") => words(Indicator::ALL, replace),
        (None, "direction") => words(Direction::ALL, replace),
        (None, "result") => words(ExperimentResult::ALL, replace),
        (None, "draft") => words(&["true", "false"], replace),
        _ => Vec::new(),
    }
}

/// Field names not yet written: the kind's own first, then every other known field.
fn field_names(ctx: &Ctx<'_>, file: &File<'_>, text: &str, replace: Range) -> Vec<CompletionItem> {
    let kind = fields::kind_of(file);
    let present = fields::present(text);
    let own = fields::of_kind(ctx, &kind);
    let kind_def = ctx.site.config.schema.get(&kind);
    let mut out = Vec::new();
    for (rank, name) in own
        .iter()
        .map(String::as_str)
        .map(|f| ("0", f))
        .chain(KNOWN_FIELDS.iter().map(|f| ("1", *f)))
    {
        if present.iter().any(|p| p == name)
            || out.iter().any(|i: &CompletionItem| i.label == name)
            || !field_applies(name, kind_def)
        {
            continue;
        }
        let mut it = item(name, CompletionItemKind::FIELD, None, replace);
        if rank == "0" {
            it.detail = Some(format!("a field of `{kind}`"));
        }
        it.sort_text = Some(format!("{rank}{name}"));
        if let Some(lsp_types::CompletionTextEdit::Edit(edit)) = it.text_edit.as_mut() {
            edit.new_text = format!("{name}: ");
        }
        out.push(it);
    }
    out
}

/// The headings of the document `id`, for `[[id#`.
fn headings_of(ctx: &Ctx<'_>, id: &str, replace: Range) -> Vec<CompletionItem> {
    let Some(d) = ctx.site.graph.lookup(id) else {
        return Vec::new();
    };
    ctx.site.docs[d]
        .body
        .anchors
        .iter()
        .map(|a| item(a, CompletionItemKind::REFERENCE, None, replace))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(text: &str) -> Option<Slot> {
        let offset = text.find('|').expect("cursor");
        let text = text.replacen('|', "", 1);
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        slot_at(&text, line_start, offset)
    }

    fn value(field: &str, within: Option<&str>) -> Option<Slot> {
        Some(Slot::Value {
            field: field.into(),
            within: within.map(Into::into),
        })
    }

    #[test]
    fn slots_are_read_from_the_text_before_the_cursor() {
        assert_eq!(slot("---\nparent: ps-|\n---\n"), value("parent", None));
        assert_eq!(
            slot("---\nsupports: [a, b|]\n---\n"),
            value("supports", None)
        );
        assert_eq!(
            slot("---\nsupports:\n  - |\n---\n"),
            value("supports", None)
        );
        assert_eq!(slot("---\nrelated:\n- b|\n---\n"), value("related", None));
        assert_eq!(
            slot("---\nsuccess:\n  metric: m|\n---\n"),
            value("metric", Some("success"))
        );
        assert_eq!(
            slot("---\nkey_results:\n  - metric: |\n---\n"),
            value("metric", Some("key_results"))
        );
        assert_eq!(
            slot("---\nconfidence: { problem: high, solution: |}\n---\n"),
            value("solution", Some("confidence"))
        );
        assert_eq!(slot("---\nst|\n---\n"), Some(Slot::FieldName));
        assert_eq!(slot("---\nid: a\n---\nSee [[bet-|"), Some(Slot::WikiId));
        assert_eq!(
            slot("---\nid: a\n---\nSee [[bet-a#ri|"),
            Some(Slot::WikiHeading("bet-a".into()))
        );
        assert_eq!(slot("---\nid: a\n---\nSee [[bet-a]] |"), None);
        assert_eq!(slot("---\nid: a\n---\nparent: |"), None);
    }
}
