//! The trackers' exports in the site's history: each commit that changed
//! an export (a refresh) is one change of its items, counted, the first
//! few named, read through the build's reader (`tracker::parse`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::site::Change;
use crate::config::TrackerConfig;
use crate::diagnostics::Severity;

/// An item as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeptItem {
    title: String,
    /// Its state in words ([`crate::tracker::state_word`]).
    state: String,
    /// It names a document (a `tl:` label, an `[[id]]`): named first.
    names: bool,
}

/// An export's items at one commit, by key.
pub(crate) type Items = BTreeMap<String, KeptItem>;

/// How many item changes of one refresh the history names; the rest are
/// counted. A refresh of 500 items is one line, not 500.
const ITEMS_NAMED: usize = 5;

/// One item's change in a refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemNamed {
    /// The tracker's key (`PAY-42`).
    pub key: String,
    /// Its title.
    pub title: String,
    /// Its state before (`None`: added).
    pub from: Option<String>,
    /// Its state after (`None`: removed).
    pub to: Option<String>,
}

/// The items of an export version; `None` when it cannot be read as its
/// format then (the build would not use it): no change is claimed.
pub(crate) fn items_of(path: &str, bytes: Vec<u8>, entry: &TrackerConfig) -> Option<Items> {
    let export = crate::tracker::parse(path, bytes, entry);
    if export
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        return None;
    }
    Some(
        export
            .items
            .into_iter()
            .map(|i| {
                let item = KeptItem {
                    title: i.title,
                    state: crate::tracker::state_word(i.state).to_string(),
                    names: !i.names.is_empty(),
                };
                (i.key, item)
            })
            .collect(),
    )
}

/// A key as people order them: `PAY-9` before `PAY-10`.
fn natural(key: &str) -> (&str, u64, &str) {
    let digits = key.len() - key.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, tail) = key.split_at(key.len() - digits);
    (head, tail.parse().unwrap_or(u64::MAX), key)
}

/// How an export's items changed from `old` to `new`; `None` when no item
/// was added, removed or changed state.
pub(crate) fn compare(old: &Items, new: &Items) -> Option<Change> {
    let mut changes: Vec<(bool, ItemNamed)> = Vec::new();
    for (key, item) in new {
        let from = match old.get(key) {
            None => None,
            Some(was) if was.state != item.state => Some(was.state.clone()),
            Some(_) => continue,
        };
        changes.push((
            item.names,
            ItemNamed {
                key: key.clone(),
                title: item.title.clone(),
                from,
                to: Some(item.state.clone()),
            },
        ));
    }
    for (key, item) in old {
        if !new.contains_key(key) {
            changes.push((
                item.names,
                ItemNamed {
                    key: key.clone(),
                    title: item.title.clone(),
                    from: Some(item.state.clone()),
                    to: None,
                },
            ));
        }
    }
    if changes.is_empty() {
        return None;
    }
    let count = |f: fn(&ItemNamed) -> bool| changes.iter().filter(|(_, c)| f(c)).count();
    let added = count(|c| c.from.is_none());
    let removed = count(|c| c.to.is_none());
    let status_changed = changes.len() - added - removed;
    changes.sort_by(|(a_names, a), (b_names, b)| {
        (!a_names, natural(&a.key)).cmp(&(!b_names, natural(&b.key)))
    });
    let more = changes.len().saturating_sub(ITEMS_NAMED);
    Some(Change::Items {
        added,
        removed,
        status_changed,
        named: changes
            .into_iter()
            .take(ITEMS_NAMED)
            .map(|(_, c)| c)
            .collect(),
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(rows: &[(&str, &str, bool)]) -> Items {
        rows.iter()
            .map(|(key, state, names)| {
                let item = KeptItem {
                    title: format!("T {key}"),
                    state: state.to_string(),
                    names: *names,
                };
                (key.to_string(), item)
            })
            .collect()
    }

    #[test]
    fn a_refresh_is_counted_and_names_items_naming_a_document_first() {
        let old = items(&[
            ("P-2", "to do", false),
            ("P-10", "to do", false),
            ("P-9", "done", false),
        ]);
        let new = items(&[
            ("P-2", "done", false),
            ("P-10", "done", true),
            ("P-11", "to do", false),
        ]);
        let Some(Change::Items {
            added,
            removed,
            status_changed,
            named,
            more,
        }) = compare(&old, &new)
        else {
            panic!("a change");
        };
        assert_eq!((added, removed, status_changed, more), (1, 1, 2, 0));
        let keys: Vec<&str> = named.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(
            keys,
            ["P-10", "P-2", "P-9", "P-11"],
            "naming first, then P-9 before P-10"
        );
        assert_eq!(compare(&new, &new), None, "no change, no line");
    }
}
