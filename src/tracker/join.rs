//! How exports' items join the documents: each item a work item whose
//! parent is what it names (a `tl:` label, an `[[id]]`), else what owns it
//! through `tracks:` (its own key, its epic's, parent's, milestone or
//! project), else what its parent issue names.

use rayon::prelude::*;

use super::{derived_id, status_of, Export, Item, RULE};
use crate::date::Quarter;
use crate::diagnostics::Diagnostic;
use crate::model::{check_id, Document, Ref, TrackerOrigin, WorkSource, NO_SOURCE};

/// How far up parent issues an item looks for what it serves: epics over
/// stories over sub-tasks; an export's loop ends here.
const MAX_UP: usize = 64;

/// `docs` (the documents of the run, in path order) joined by the work
/// items of `exports`, each export's where its file sorts; and the findings
/// about keys that cannot be ids and `tracks:` entries that own nothing.
/// The exports are consumed: their text moves into the items, and each
/// item is made in its place in the result (a `Document` is large: 50,000
/// made and then moved again cost more than reading them).
pub fn join(exports: Vec<Export>, docs: Vec<Document>) -> (Vec<Document>, Vec<Diagnostic>) {
    let (runs, diagnostics) = place(exports, &docs);
    (merge(docs, runs), diagnostics)
}

/// An export's items, each with its id and where it goes, not yet made.
struct Run {
    file: String,
    items: Vec<(Item, String, Placed)>,
}

/// `docs` with each run's items made into work items where its file sorts
/// (after a document of the same path, were an export named as one).
fn merge(docs: Vec<Document>, mut runs: Vec<Run>) -> Vec<Document> {
    if runs.is_empty() {
        return docs;
    }
    // Exports are listed in the config's order.
    runs.sort_by(|a, b| a.file.cmp(&b.file));
    let total = docs.len() + runs.iter().map(|r| r.items.len()).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    let mut docs = docs.into_iter().peekable();
    for run in runs {
        while let Some(doc) = docs.next_if(|d| d.file <= run.file) {
            out.push(doc);
        }
        let file = run.file;
        out.par_extend(
            run.items
                .into_par_iter()
                .map(|(item, id, placed)| work_item(item, id, file.clone(), placed)),
        );
    }
    out.extend(docs);
    out
}

/// Where each item of `exports` goes, by export.
fn place(exports: Vec<Export>, docs: &[Document]) -> (Vec<Run>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let reads_exports = !exports.is_empty();
    let doc_index: foldhash::HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    // Every item with its export and its id, the id derived once.
    let all: Vec<(usize, &Item)> = exports
        .iter()
        .enumerate()
        .flat_map(|(e, export)| export.items.iter().map(move |i| (e, i)))
        .collect();
    let ids: Vec<String> = all.par_iter().map(|(_, i)| derived_id(&i.key)).collect();
    let item_ids: foldhash::HashSet<&str> = ids.iter().map(String::as_str).collect();
    // `tracks:` entries by what they name, lowercase; the first document (by path) owns.
    let mut tracks: foldhash::HashMap<String, (usize, usize)> = foldhash::HashMap::default();
    for (d, doc) in docs.iter().enumerate() {
        for (t, entry) in doc.tracks.iter().enumerate() {
            tracks
                .entry(entry.id.trim().to_lowercase())
                .or_insert((d, t));
        }
    }
    // An entry matches when any item has what it names, whether or not the
    // item names a document of its own (its own label wins).
    let used: foldhash::HashSet<(usize, usize)> = all
        .iter()
        .flat_map(|(_, i)| &i.groups)
        .filter_map(|g| tracks.get(g).copied())
        .collect();
    let by_key: foldhash::HashMap<String, &Item> = all
        .iter()
        .map(|&(_, i)| (i.key.to_lowercase(), i))
        .collect();
    // An id as an item writes it: a document's id, or a tracker key in any case.
    let resolve_name = |name: &str| -> String {
        if doc_index.contains_key(name) {
            return name.to_string();
        }
        let slug = derived_id(name);
        if item_ids.contains(slug.as_str()) || doc_index.contains_key(slug.as_str()) {
            slug
        } else {
            name.to_string()
        }
    };
    // What each item serves and its quarter, read from the items while they
    // are all there; each item on its own, so on every core.
    let placed: Vec<Result<Placed, Box<Diagnostic>>> = all
        .par_iter()
        .zip(&ids)
        .map(|(&(e, item), id)| {
            if let Err(why) = check_id(id) {
                return Err(Box::new(Diagnostic::warning(RULE, &exports[e].file, item.span, format!("the key `{}` cannot be an id: {}; the item is skipped", item.key, why.message(id)))
                    .with_hint("keys become ids (`PAY-42` → `pay-42`); this one has no letters or digits, or is too long")));
            }
            let parent = served_by(item, &by_key, &tracks, docs, &resolve_name);
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
            Ok(Placed { parent, quarter })
        })
        .collect();
    drop(by_key);
    drop(item_ids);
    drop(all);
    let mut placed = placed.into_iter();
    let mut ids = ids.into_iter();
    let mut runs = Vec::with_capacity(exports.len());
    for export in exports {
        let mut items = Vec::with_capacity(export.items.len());
        for item in export.items {
            let id = ids.next().unwrap_or_default();
            match placed.next() {
                Some(Ok(placed)) => items.push((item, id, placed)),
                Some(Err(finding)) => diagnostics.push(*finding),
                None => {}
            }
        }
        runs.push(Run {
            file: export.file,
            items,
        });
    }
    for (d, doc) in docs.iter().enumerate() {
        for (t, entry) in doc.tracks.iter().enumerate() {
            if used.contains(&(d, t)) {
                continue;
            }
            let owner = tracks
                .get(&entry.id.trim().to_lowercase())
                .filter(|&&o| o != (d, t));
            let (message, hint) = if let Some(&(o, _)) = owner {
                (
                    format!("`{}` is tracked by `{}` already", entry.id, docs[o].id),
                    "an item serves one document: keep the entry in one of them".to_string(),
                )
            } else if !reads_exports {
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
    (runs, diagnostics)
}

/// Where an item goes: what it serves, and its quarter.
struct Placed {
    parent: Option<Ref>,
    quarter: Option<Quarter>,
}

/// What `item` serves: what it names (a `tl:` label, an `[[id]]`), else
/// what owns it through `tracks:`, else what its parent issue serves, up
/// to [`MAX_UP`] issues up.
fn served_by(
    item: &Item,
    by_key: &foldhash::HashMap<String, &Item>,
    tracks: &foldhash::HashMap<String, (usize, usize)>,
    docs: &[Document],
    resolve_name: &(impl Fn(&str) -> String + Sync),
) -> Option<Ref> {
    let mut node = item;
    for depth in 0..MAX_UP {
        if let Some(name) = node.names.first() {
            // An item's own name points at its place; an ancestor's at the item.
            let span = if depth == 0 { name.span } else { item.span };
            return Some(Ref {
                id: resolve_name(&name.id),
                span,
            });
        }
        if let Some(&owner) = node.groups.iter().find_map(|g| tracks.get(g)) {
            return Some(Ref {
                id: docs[owner.0].id.clone(),
                span: item.span,
            });
        }
        match node
            .parent_key
            .as_deref()
            .and_then(|k| by_key.get(&k.to_lowercase()))
        {
            Some(up) if !std::ptr::eq(*up, node) => node = up,
            _ => return None,
        }
    }
    None
}

/// The work item `item` becomes, its text moved into it.
fn work_item(item: Item, id: String, file: String, placed: Placed) -> Document {
    let Placed { parent, quarter } = placed;
    let span = item.span;
    let title = if item.title.trim().is_empty() {
        item.key.clone()
    } else {
        item.title
    };
    Document {
        id_span: Some(span),
        source: NO_SOURCE,
        file,
        kind: "work".to_string(),
        title,
        team: item.team.map(|id| Ref { id, span }),
        owner: item.owner,
        status: Some(status_of(item.state)),
        quarter,
        work_source: item.unplanned.then_some(WorkSource::Unplanned),
        tracker: Some(Box::new(TrackerOrigin {
            key: item.key,
            url: item.url,
            estimate: item.estimate,
            date: item.date,
            names_something: parent.is_some(),
        })),
        parent,
        id,
        ..Document::default()
    }
}

/// The quarter of the document `id` or its nearest ancestor with one.
fn quarter_above(
    docs: &[Document],
    index: &foldhash::HashMap<&str, usize>,
    id: &str,
) -> Option<Quarter> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WorkState;
    use crate::diagnostics::Span;

    fn doc(file: &str, id: &str) -> Document {
        Document {
            file: file.to_string(),
            id: id.to_string(),
            ..Document::default()
        }
    }

    fn export(file: &str, keys: &[&str]) -> Export {
        let items = keys
            .iter()
            .map(|k| Item {
                key: k.to_string(),
                title: String::new(),
                state: WorkState::ToDo,
                owner: None,
                team: None,
                url: None,
                quarter: None,
                date: None,
                unplanned: false,
                estimate: None,
                names: Vec::new(),
                groups: vec![k.to_lowercase()],
                parent_key: None,
                span: Span::file_start(),
            })
            .collect();
        Export {
            file: file.to_string(),
            items,
            ..Export::default()
        }
    }

    #[test]
    fn items_join_the_documents_in_path_order_each_exports_in_its_own() {
        // Exports listed out of path order; a key that cannot be an id is
        // skipped with a finding and the others kept.
        let docs = vec![doc("a.md", "a"), doc("work/m.md", "m"), doc("z.md", "z")];
        let exports = vec![
            export("work/x.csv", &["X-2", "X-1"]),
            export("work/b.json", &["B-1", "!!!"]),
        ];
        let (joined, findings) = join(exports, docs);
        let order: Vec<(&str, &str)> = joined
            .iter()
            .map(|d| (d.file.as_str(), d.id.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("a.md", "a"),
                ("work/b.json", "b-1"),
                ("work/m.md", "m"),
                ("work/x.csv", "x-2"),
                ("work/x.csv", "x-1"),
                ("z.md", "z"),
            ]
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].message.contains("`!!!`"), "{findings:?}");
        assert_eq!(
            joined[1].tracker.as_ref().map(|t| t.key.as_str()),
            Some("B-1")
        );
        assert_eq!(joined[1].kind, "work");
    }

    #[test]
    fn a_tracks_entry_owned_by_an_earlier_document_is_a_warning_naming_it() {
        let tracking = |file: &str, id: &str| Document {
            tracks: vec![Ref {
                id: "PAY-1".to_string(),
                span: Span::file_start(),
            }],
            ..doc(file, id)
        };
        let docs = vec![tracking("a.md", "a"), tracking("b.md", "b")];
        let (joined, findings) = join(vec![export("work/x.csv", &["PAY-1"])], docs);
        let messages: Vec<&str> = findings.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["`PAY-1` is tracked by `a` already"]);
        assert_eq!(findings[0].file, "b.md");
        let item = joined.iter().find(|d| d.id == "pay-1").unwrap();
        assert_eq!(item.parent.as_ref().map(|p| p.id.as_str()), Some("a"));
    }
}
