//! What changed in the strategy between two analysed revisions of a site:
//! documents added and removed (by id: a moved file is not a removal), the
//! fields that changed on each (nested ones field by field), its body by
//! section, check-ins added, and findings introduced and resolved (one that
//! persists is neither). Pure: both sides come from the analysis layer. The
//! one model of a change between two revisions: every format of `diff`
//! renders it, and anything else that reports "what changed" calls [`diff`].

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diagnostics::Diagnostic;
use crate::history::{
    front_matter_change, section_changes, FieldChange, FrontMatterChange, SectionChange,
};
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
    /// The trackers' exports whose items changed.
    pub trackers: Vec<super::items::ExportChange>,
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
    /// Its id before, when it was renamed in place (`id:` changed, the file not).
    pub renamed_from: Option<String>,
    /// Front-matter fields that changed, by name: old and new values (`null` when absent).
    pub fields: BTreeMap<String, FieldChange>,
    /// Check-ins added to a metric.
    pub checkins_added: Vec<Value>,
    /// The body's sections whose words changed, with an excerpt of each.
    pub sections: Vec<SectionChange>,
    /// Ids `depends_on` names now and did not before.
    pub dependencies_added: Vec<String>,
    /// Ids `depends_on` no longer names.
    pub dependencies_removed: Vec<String>,
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
    /// The document's title, when the finding names a document.
    pub title: Option<String>,
    /// The message.
    pub message: String,
}

/// The documents of `site` a diff compares one by one: not trackers' items.
fn documents(site: &Site) -> Vec<&Document> {
    site.docs.iter().filter(|d| d.tracker.is_none()).collect()
}

/// Compares `old` with `new`.
pub fn diff(old: &Site, new: &Site) -> StrategyDiff {
    // Trackers' items are compared per export ([`super::items`]), not
    // one by one as documents: a refresh may change hundreds.
    let (old_list, new_list) = (documents(old), documents(new));
    let old_docs: HashMap<&str, &Document> = old_list.iter().map(|d| (d.id.as_str(), *d)).collect();
    let new_docs: HashMap<&str, &Document> = new_list.iter().map(|d| (d.id.as_str(), *d)).collect();
    // Renamed in place: an id gone from a file that holds a new id now. One
    // document, as the site's history follows it.
    let new_at: HashMap<&str, &Document> = new_list.iter().map(|d| (d.file.as_str(), *d)).collect();
    let renamed: HashMap<&str, &Document> = old_list
        .iter()
        .filter(|d| !new_docs.contains_key(d.id.as_str()))
        .filter_map(|d| {
            let now = new_at.get(d.file.as_str())?;
            (!old_docs.contains_key(now.id.as_str())).then_some((now.id.as_str(), *d))
        })
        .collect();
    let renamed_from: BTreeSet<&str> = renamed.values().map(|d| d.id.as_str()).collect();
    let added = new_list
        .iter()
        .filter(|d| !old_docs.contains_key(d.id.as_str()) && !renamed.contains_key(d.id.as_str()))
        .map(|d| summary(d))
        .collect();
    // Each document compared on its own, in order: re-reading front matter
    // is most of a diff's own work.
    let changed = new_list
        .par_iter()
        .filter_map(|d| {
            let before = old_docs
                .get(d.id.as_str())
                .or_else(|| renamed.get(d.id.as_str()))?;
            doc_change(old, before, new, d)
        })
        .collect();
    let removed = old_list
        .iter()
        .filter(|d| !new_docs.contains_key(d.id.as_str()) && !renamed_from.contains(d.id.as_str()))
        .map(|d| summary(d))
        .collect();
    let (findings_introduced, findings_resolved) = findings_between(old, new);
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
        trackers: super::items::export_changes(old, new),
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
            && self.trackers.is_empty()
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
        mut fields,
        checkins_added,
        dependencies_added,
        dependencies_removed,
    } = front_matter_change(&old_fields, &new_fields);
    let renamed_from = (before.id != after.id).then(|| before.id.clone());
    if renamed_from.is_some() {
        // Said once, as the rename.
        fields.remove("id");
    }
    let (old_body, new_body) = (body(old_text), body(new_text));
    let (body_lines_added, body_lines_removed) = line_changes(old_body, new_body);
    let sections = if old_body == new_body {
        Vec::new()
    } else {
        section_changes(old_body, new_body)
    };
    let moved_from = (before.file != after.file).then(|| before.file.clone());
    let changed = !fields.is_empty()
        || !checkins_added.is_empty()
        || body_lines_added + body_lines_removed > 0
        || !sections.is_empty()
        || moved_from.is_some()
        || renamed_from.is_some();
    changed.then(|| DocChange {
        doc: summary(after),
        moved_from,
        renamed_from,
        fields,
        checkins_added,
        sections,
        dependencies_added,
        dependencies_removed,
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

/// What makes a finding the same finding in two revisions: its rule, its
/// document, the front-matter field it sits on (`body` past the front
/// matter), and its message with the numbers masked, so that "stale: 40
/// days" and "stale: 70 days" are one finding that persisted, while two
/// different broken links are two.
type FindingKey = (String, String, String, String);

/// Findings introduced and resolved between `old` and `new`, each sorted:
/// `diff`'s and the digest's health alike. A finding in both (by
/// [`FindingKey`], counted as often as it occurs) is in neither list.
pub fn findings_between(old: &Site, new: &Site) -> (Vec<FindingSummary>, Vec<FindingSummary>) {
    let (before, after) = (keyed_findings(old), keyed_findings(new));
    let only_in = |these: &[(FindingKey, FindingSummary)],
                   those: &[(FindingKey, FindingSummary)]| {
        let mut left: HashMap<&FindingKey, usize> = HashMap::new();
        for (key, _) in those {
            *left.entry(key).or_default() += 1;
        }
        let mut only: Vec<FindingSummary> = these
            .iter()
            .filter(|(key, _)| match left.get_mut(key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .map(|(_, f)| f.clone())
            .collect();
        only.sort();
        only
    };
    (only_in(&after, &before), only_in(&before, &after))
}

fn keyed_findings(site: &Site) -> Vec<(FindingKey, FindingSummary)> {
    let texts: HashMap<&str, &str> = site
        .sources
        .iter()
        .map(|s| (s.path.as_str(), s.text.as_str()))
        .collect();
    site.diagnostics
        .iter()
        .map(|d| {
            let summary = finding(site, d);
            let field = texts
                .get(d.file.as_str())
                .map_or(String::new(), |text| field_at(text, d.span.line));
            let masked: String = d
                .message
                .chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            let key = (summary.rule.clone(), summary.doc.clone(), field, masked);
            (key, summary)
        })
        .collect()
}

/// The top-level front-matter key whose value holds line `line` (1-based)
/// of `text`, `body` past the front matter, empty before any key.
fn field_at(text: &str, line: u32) -> String {
    let mut key = String::new();
    for (n, l) in text.lines().enumerate().take(line as usize) {
        let l = l.trim_end_matches('\r');
        if n == 0 {
            if l.trim_start_matches('\u{feff}') != "---" {
                return "body".into();
            }
            continue;
        }
        if l == "---" || l == "..." {
            return if n + 1 < line as usize {
                "body".into()
            } else {
                key
            };
        }
        if let Some(k) = crate::yaml::lines::top_level_key(l) {
            key = k.to_string();
        }
    }
    key
}

impl FindingSummary {
    /// How `diff` and the digest name finding `d` of `site`.
    pub fn of(site: &Site, d: &Diagnostic) -> FindingSummary {
        finding(site, d)
    }
}

fn finding(site: &Site, d: &Diagnostic) -> FindingSummary {
    FindingSummary {
        rule: d.rule.to_string(),
        doc: d.doc.clone().unwrap_or_else(|| d.file.clone()),
        title: d
            .doc
            .as_deref()
            .and_then(|id| site.graph.lookup(id))
            .map(|i| site.docs[i].title.clone()),
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

    #[test]
    fn a_finding_sits_on_the_field_its_line_is_in() {
        let text = "---\nid: x\nsuccess:\n  target: 4\nparent: y\n---\n# Body\n";
        let at = |line| field_at(text, line);
        assert_eq!(
            (at(1), at(2), at(4), at(5), at(7)),
            (
                "".into(),
                "id".into(),
                "success".into(),
                "parent".into(),
                "body".into()
            )
        );
        assert_eq!(field_at("# no front matter\n", 1), "body");
    }
}
