//! How exports' items join the documents: each item a work item whose
//! parent is what it names (a `tl:` label, an `[[id]]`), else what owns it
//! through `tracks:` (its own key, its epic's, parent's, milestone or
//! project), else what its parent issue names.

use std::collections::{HashMap, HashSet};

use super::{derived_id, status_of, Export, Item, RULE};
use crate::date::Quarter;
use crate::diagnostics::Diagnostic;
use crate::model::{check_id, Document, Ref, TrackerOrigin, WorkSource, NO_SOURCE};

/// How far up parent issues an item looks for what it serves: epics over
/// stories over sub-tasks; an export's loop ends here.
const MAX_UP: usize = 64;

/// The work items of `exports`, to join `docs` (the documents of the run),
/// and the findings about `tracks:` entries that own nothing.
pub fn work_items(exports: &[Export], docs: &[Document]) -> (Vec<Document>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let doc_index: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let item_ids: HashSet<String> = exports
        .iter()
        .flat_map(|e| &e.items)
        .map(|i| derived_id(&i.key))
        .collect();
    // `tracks:` entries by what they name, lowercase; the first document (by path) owns.
    let mut tracks: HashMap<String, (usize, usize)> = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        for (t, entry) in doc.tracks.iter().enumerate() {
            tracks
                .entry(entry.id.trim().to_lowercase())
                .or_insert((d, t));
        }
    }
    // An entry matches when any item has what it names, whether or not the
    // item names a document of its own (its own label wins).
    let used: HashSet<(usize, usize)> = exports
        .iter()
        .flat_map(|e| &e.items)
        .flat_map(|i| &i.groups)
        .filter_map(|g| tracks.get(g).copied())
        .collect();
    let by_key: HashMap<String, &Item> = exports
        .iter()
        .flat_map(|e| &e.items)
        .map(|i| (i.key.to_lowercase(), i))
        .collect();
    // An id as an item writes it: a document's id, or a tracker key in any case.
    let resolve_name = |name: &str| -> String {
        if doc_index.contains_key(name) {
            return name.to_string();
        }
        let slug = derived_id(name);
        if item_ids.contains(&slug) || doc_index.contains_key(slug.as_str()) {
            slug
        } else {
            name.to_string()
        }
    };
    let mut items = Vec::with_capacity(exports.iter().map(|e| e.items.len()).sum());
    for export in exports {
        for item in &export.items {
            let id = derived_id(&item.key);
            if let Err(why) = check_id(&id) {
                diagnostics.push(
                    Diagnostic::warning(RULE, &export.file, item.span, format!("the key `{}` cannot be an id: {}; the item is skipped", item.key, why.message(&id)))
                        .with_hint("keys become ids (`PAY-42` → `pay-42`); this one has no letters or digits, or is too long"),
                );
                continue;
            }
            let mut parent: Option<Ref> = None;
            let mut node = item;
            for depth in 0..MAX_UP {
                if let Some(name) = node.names.first() {
                    // An item's own name points at its place; an ancestor's at the item.
                    let span = if depth == 0 { name.span } else { item.span };
                    parent = Some(Ref {
                        id: resolve_name(&name.id),
                        span,
                    });
                    break;
                }
                if let Some(&owner) = node.groups.iter().find_map(|g| tracks.get(g)) {
                    parent = Some(Ref {
                        id: docs[owner.0].id.clone(),
                        span: item.span,
                    });
                    break;
                }
                match node
                    .parent_key
                    .as_deref()
                    .and_then(|k| by_key.get(&k.to_lowercase()))
                {
                    Some(up) if !std::ptr::eq(*up, node) => node = up,
                    _ => break,
                }
            }
            // The quarter: its sprint's, cycle's or milestone's; else what it
            // serves gives one (the graph's facts inherit it); else its date's.
            let serves_quarter = parent
                .as_ref()
                .is_some_and(|p| quarter_above(docs, &doc_index, &p.id).is_some());
            let quarter = item.quarter.or_else(|| {
                (!serves_quarter)
                    .then(|| item.date.map(Quarter::of))
                    .flatten()
            });
            items.push(Document {
                id_span: Some(item.span),
                source: NO_SOURCE,
                file: export.file.clone(),
                kind: "work".to_string(),
                title: if item.title.trim().is_empty() {
                    item.key.clone()
                } else {
                    item.title.clone()
                },
                team: item.team.as_ref().map(|t| Ref {
                    id: t.clone(),
                    span: item.span,
                }),
                owner: item.owner.clone(),
                status: Some(status_of(item.state)),
                quarter,
                work_source: item.unplanned.then_some(WorkSource::Unplanned),
                tracker: Some(Box::new(TrackerOrigin {
                    key: item.key.clone(),
                    url: item.url.clone(),
                    estimate: item.estimate,
                    date: item.date,
                    names_something: parent.is_some(),
                })),
                parent,
                id,
                ..Document::default()
            });
        }
    }
    for (d, doc) in docs.iter().enumerate() {
        for (t, entry) in doc.tracks.iter().enumerate() {
            if used.contains(&(d, t)) {
                continue;
            }
            let owned_elsewhere = tracks
                .get(&entry.id.trim().to_lowercase())
                .is_some_and(|&o| o != (d, t));
            let (message, hint) = if owned_elsewhere {
                let (o, _) = tracks[&entry.id.trim().to_lowercase()];
                (
                    format!("`{}` is tracked by `{}` already", entry.id, docs[o].id),
                    "an item serves one document: keep the entry in one of them".to_string(),
                )
            } else if exports.is_empty() {
                (
                    format!("`tracks: {}` matches nothing: the site reads no tracker export", entry.id),
                    "name the export under `trackers:` in throughline.yaml (see the guide, \"Work from trackers\")".to_string(),
                )
            } else {
                (
                    format!("`{}` matches no item, epic, milestone or project in the trackers' exports", entry.id),
                    "write an issue key (`PAY-12`), `milestone:NAME` or `project:NAME` as the export has it, or refresh the export".to_string(),
                )
            };
            diagnostics.push(
                Diagnostic::warning(RULE, &doc.file, entry.span, message)
                    .with_doc(&doc.id)
                    .with_hint(hint),
            );
        }
    }
    (items, diagnostics)
}

/// The quarter of the document `id` or its nearest ancestor with one.
fn quarter_above(docs: &[Document], index: &HashMap<&str, usize>, id: &str) -> Option<Quarter> {
    let mut at = *index.get(id)?;
    for _ in 0..MAX_UP {
        let doc = &docs[at];
        if doc.quarter.is_some() {
            return doc.quarter;
        }
        at = *index.get(doc.parent.as_ref()?.id.as_str())?;
    }
    None
}
