//! How the trackers' items changed between two revisions: per export,
//! items added and removed and status changes (`PAY-42: to do → done`),
//! counted, with the first few named, traced ones first. Both sides' items
//! are the ones the build joins (`tracker::parse` and `tracker::join`, in the
//! analysis of each revision), so `diff` says what the site showed.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::model::{Document, Status};
use crate::site::Site;

/// How many item changes of one export a diff names; the rest are counted.
/// A refresh of a 500-item export must not make a 500-line report.
const ITEMS_NAMED: usize = 10;

/// How one export's items changed.
#[derive(Debug, Clone, Serialize)]
pub struct ExportChange {
    /// The export, as `trackers:` names it.
    pub file: String,
    /// Items only in the new revision.
    pub added: usize,
    /// Items only in the old revision.
    pub removed: usize,
    /// Items whose status changed.
    pub status_changed: usize,
    /// The first [`ITEMS_NAMED`] of them: traced items first, then by key
    /// (`PAY-9` before `PAY-10`).
    pub items: Vec<ItemChange>,
    /// Changes not named.
    pub more: usize,
}

/// One item's change.
#[derive(Debug, Clone, Serialize)]
pub struct ItemChange {
    /// The tracker's key (`PAY-42`).
    pub key: String,
    /// Its title (the new one, or the old for a removed item).
    pub title: String,
    /// What happened to it.
    pub how: ItemEdit,
    /// It serves a document of the site (on the newer side that has it).
    pub traced: bool,
}

/// What happened to an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum ItemEdit {
    /// New in the export, with its state.
    Added {
        /// Its state.
        state: &'static str,
    },
    /// Gone from the export.
    Removed,
    /// Its state changed.
    Status {
        /// Before.
        from: &'static str,
        /// After.
        to: &'static str,
    },
}

/// An item's state as its tracker says it ([`crate::tracker::state_word`]),
/// from the status the site maps it to.
fn state_word(status: Option<Status>) -> &'static str {
    use crate::config::WorkState;
    crate::tracker::state_word(match status {
        Some(Status::InProgress) => WorkState::InProgress,
        Some(Status::Done) => WorkState::Done,
        Some(Status::Dropped) => WorkState::Canceled,
        _ => WorkState::ToDo,
    })
}

/// The trackers' items of `site`, per export, by key.
fn items_of(site: &Site) -> BTreeMap<&str, HashMap<&str, &Document>> {
    let mut out: BTreeMap<&str, HashMap<&str, &Document>> = BTreeMap::new();
    for d in &site.docs {
        if let Some(t) = &d.tracker {
            out.entry(d.file.as_str())
                .or_default()
                .insert(t.key.as_str(), d);
        }
    }
    out
}

/// Whether item `d` serves a document of `site`.
fn traced(site: &Site, d: &Document) -> bool {
    d.parent
        .as_ref()
        .is_some_and(|p| site.graph.lookup(&p.id).is_some())
}

/// A key as people order them: `PAY-9` before `PAY-10`.
fn natural(key: &str) -> (&str, u64, &str) {
    let digits = key.len() - key.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, tail) = key.split_at(key.len() - digits);
    (head, tail.parse().unwrap_or(u64::MAX), key)
}

/// The exports whose items changed between `old` and `new`, by file.
pub(super) fn export_changes(old: &Site, new: &Site) -> Vec<ExportChange> {
    let (before, after) = (items_of(old), items_of(new));
    let empty = HashMap::new();
    let mut files: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
    files.sort_unstable();
    files.dedup();
    let mut out = Vec::new();
    for file in files {
        let (was, now) = (
            before.get(file).unwrap_or(&empty),
            after.get(file).unwrap_or(&empty),
        );
        let mut changes: Vec<ItemChange> = Vec::new();
        for (key, d) in now {
            let how = match was.get(key) {
                None => ItemEdit::Added {
                    state: state_word(d.status),
                },
                Some(w) if state_word(w.status) != state_word(d.status) => ItemEdit::Status {
                    from: state_word(w.status),
                    to: state_word(d.status),
                },
                Some(_) => continue,
            };
            changes.push(ItemChange {
                key: key.to_string(),
                title: d.title.clone(),
                how,
                traced: traced(new, d),
            });
        }
        for (key, d) in was {
            if !now.contains_key(key) {
                changes.push(ItemChange {
                    key: key.to_string(),
                    title: d.title.clone(),
                    how: ItemEdit::Removed,
                    traced: traced(old, d),
                });
            }
        }
        if changes.is_empty() {
            continue;
        }
        let count = |f: fn(&ItemEdit) -> bool| changes.iter().filter(|c| f(&c.how)).count();
        let added = count(|h| matches!(h, ItemEdit::Added { .. }));
        let removed = count(|h| matches!(h, ItemEdit::Removed));
        let status_changed = count(|h| matches!(h, ItemEdit::Status { .. }));
        changes.sort_by(|a, b| (!a.traced, natural(&a.key)).cmp(&(!b.traced, natural(&b.key))));
        let more = changes.len().saturating_sub(ITEMS_NAMED);
        changes.truncate(ITEMS_NAMED);
        out.push(ExportChange {
            file: file.to_string(),
            added,
            removed,
            status_changed,
            items: changes,
            more,
        });
    }
    out
}
