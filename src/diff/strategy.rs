//! What changed in the strategy between two analysed revisions of a site:
//! documents added and removed (by id: a moved file is not a removal), the
//! fields that changed on each, body lines, check-ins added, and findings
//! introduced and resolved. Pure: both sides come from the analysis layer.

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diagnostics::Diagnostic;
use crate::history::{front_matter_change, FieldChange, FrontMatterChange};
use crate::model::Document;
use crate::site::Site;
use crate::source::split_front_matter;

/// The change between two revisions, at the level of the strategy.
#[derive(Debug, Default, Serialize)]
pub struct StrategyDiff {
    /// Documents only in the new revision.
    pub added: Vec<DocSummary>,
    /// Documents only in the old revision.
    pub removed: Vec<DocSummary>,
    /// Documents in both that changed, by id.
    pub changed: Vec<DocChange>,
    /// Findings the new revision has and the old did not.
    pub findings_introduced: Vec<FindingSummary>,
    /// Findings the old revision had and the new does not.
    pub findings_resolved: Vec<FindingSummary>,
    /// Documents the change leaves drifted (a `drift` finding introduced on them).
    pub drifted: Vec<String>,
}

/// A document named in a diff.
#[derive(Debug, Clone, Serialize)]
pub struct DocSummary {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its file.
    pub file: String,
}

/// How one document changed.
#[derive(Debug, Clone, Serialize)]
pub struct DocChange {
    /// The document, as it is now.
    pub doc: DocSummary,
    /// Its file before, when it moved.
    pub moved_from: Option<String>,
    /// Front-matter fields that changed, by name: old and new values (`null` when absent).
    pub fields: BTreeMap<String, FieldChange>,
    /// Check-ins added to a metric.
    pub checkins_added: Vec<Value>,
    /// Body lines added and removed; both 0 when the body is the same.
    pub body_lines_added: usize,
    /// See `body_lines_added`.
    pub body_lines_removed: usize,
}

/// A finding, as a diff names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FindingSummary {
    /// The rule.
    pub rule: String,
    /// The document's id, or its file when it has none.
    pub doc: String,
    /// The message.
    pub message: String,
}

/// The documents of `site` a diff compares one by one: not trackers' items.
fn documents(site: &Site) -> Vec<&Document> {
    site.docs.iter().filter(|d| d.tracker.is_none()).collect()
}

/// Compares `old` with `new`.
pub fn diff(old: &Site, new: &Site) -> StrategyDiff {
    // Trackers' items are compared through their findings only: a
    // revision's texts hold its documents, not its exports.
    let (old_list, new_list) = (documents(old), documents(new));
    let old_docs: HashMap<&str, &Document> = old_list.iter().map(|d| (d.id.as_str(), *d)).collect();
    let new_docs: HashMap<&str, &Document> = new_list.iter().map(|d| (d.id.as_str(), *d)).collect();
    let added = new_list
        .iter()
        .filter(|d| !old_docs.contains_key(d.id.as_str()))
        .map(|d| summary(d))
        .collect();
    // Each document compared on its own, in order: re-reading front matter
    // is most of a diff's own work.
    let changed = new_list
        .par_iter()
        .filter_map(|d| doc_change(old, old_docs.get(d.id.as_str())?, new, d))
        .collect();
    let removed = old_list
        .iter()
        .filter(|d| !new_docs.contains_key(d.id.as_str()))
        .map(|d| summary(d))
        .collect();
    let (before, after) = (findings(old), findings(new));
    let findings_introduced: Vec<FindingSummary> = after.difference(&before).cloned().collect();
    let findings_resolved = before.difference(&after).cloned().collect();
    let drifted = findings_introduced
        .iter()
        .filter(|f| f.rule == "drift")
        .map(|f| f.doc.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    StrategyDiff {
        added,
        removed,
        changed,
        findings_introduced,
        findings_resolved,
        drifted,
    }
}

impl StrategyDiff {
    /// Whether nothing changed at all.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.findings_introduced.is_empty()
            && self.findings_resolved.is_empty()
    }
}

fn summary(d: &Document) -> DocSummary {
    DocSummary {
        id: d.id.clone(),
        kind: d.kind.clone(),
        title: d.title.clone(),
        file: d.file.clone(),
    }
}

fn doc_change(old: &Site, before: &Document, new: &Site, after: &Document) -> Option<DocChange> {
    let (old_text, new_text) = (
        &old.sources[before.source].text,
        &new.sources[after.source].text,
    );
    // The same text in the same file: no field, check-in or line changed,
    // and nothing need be parsed again (most documents, between most revisions).
    if old_text == new_text && before.file == after.file {
        return None;
    }
    let (old_fields, new_fields) = (front_matter(old_text), front_matter(new_text));
    let FrontMatterChange {
        fields,
        checkins_added,
    } = front_matter_change(&old_fields, &new_fields);
    let (body_lines_added, body_lines_removed) = line_changes(body(old_text), body(new_text));
    let moved_from = (before.file != after.file).then(|| before.file.clone());
    let changed = !fields.is_empty()
        || !checkins_added.is_empty()
        || body_lines_added + body_lines_removed > 0
        || moved_from.is_some();
    changed.then(|| DocChange {
        doc: summary(after),
        moved_from,
        fields,
        checkins_added,
        body_lines_added,
        body_lines_removed,
    })
}

/// A text's front matter as a map; empty when it has none or it does not parse.
fn front_matter(text: &str) -> Map<String, Value> {
    split_front_matter(text)
        .ok()
        .and_then(|fm| crate::yaml::parse_front_matter(fm.yaml).ok())
        .unwrap_or_default()
}

fn body(text: &str) -> &str {
    split_front_matter(text).map_or(text, |fm| fm.body)
}

/// Lines added and removed between two texts, compared as multisets of
/// lines: moving a paragraph counts as nothing, which is what a reader of
/// the strategy wants to know.
fn line_changes(old: &str, new: &str) -> (usize, usize) {
    let mut counts: HashMap<&str, isize> = HashMap::new();
    for line in old.lines().map(str::trim_end) {
        *counts.entry(line).or_default() -= 1;
    }
    for line in new.lines().map(str::trim_end) {
        *counts.entry(line).or_default() += 1;
    }
    let added = counts
        .values()
        .filter(|&&c| c > 0)
        .map(|&c| c as usize)
        .sum();
    let removed = counts
        .values()
        .filter(|&&c| c < 0)
        .map(|&c| (-c) as usize)
        .sum();
    (added, removed)
}

fn findings(site: &Site) -> BTreeSet<FindingSummary> {
    site.diagnostics.iter().map(finding).collect()
}

fn finding(d: &Diagnostic) -> FindingSummary {
    FindingSummary {
        rule: d.rule.to_string(),
        doc: d.doc.clone().unwrap_or_else(|| d.file.clone()),
        message: d.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_as_multisets() {
        assert_eq!(line_changes("a\nb\nc\n", "a\nc\nd\nd\n"), (2, 1));
        assert_eq!(
            line_changes("a\nb\n", "b\na\n"),
            (0, 0),
            "a move is not a change"
        );
        assert_eq!(
            line_changes("a  \n", "a\n"),
            (0, 0),
            "trailing blanks do not count"
        );
    }
}
