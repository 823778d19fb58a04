//! Which served pages an analysis makes out of date.
//!
//! Which pages can change: a page shows its own document in full and, of
//! every other document, only what [`DocState::summary`] covers (its
//! [`DocLink`](view::DocLink), hashed whole, and what trees add: team,
//! quarter, owner, parent, experiment result) for its neighbours, its trail up and
//! its subtree down. So after an edit
//! the pages to render again are those of the edited documents and their
//! direct neighbours, of every document whose summary or file changed (the
//! path orders siblings) together with its ancestors and descendants, of
//! every document whose findings changed, and the pages that aggregate the
//! whole site. A test checks the result against a full render after many
//! kinds of edit, and a differential test after random ones.

use std::collections::HashSet as StdHashSet;

// foldhash: these maps hold every document, made again on each edit; the
// standard SipHash was a tenth of comparing two analyses.
use foldhash::{HashMap, HashSet, HashSetExt};

use rayon::prelude::*;

use crate::graph::DocId;
use crate::render::hash_of;
use crate::render::view::{doc_path, Fingerprint, Fingerprints};
use crate::Site;

/// A document id or file path as the states name it: its [`hash_of`]. The
/// states of 10,000 documents then hold no strings (making and dropping
/// them was a third of the cost of comparing two analyses); a collision of
/// two ids in 64 bits is not a practical concern.
type Name = u64;

/// What a served page was rendered from, per document id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DocState {
    /// The id, for the path of a page that goes.
    id: String,
    /// The source file.
    file: Name,
    /// A hash of what other pages show of this document.
    summary: u64,
    /// A hash of this document's own findings.
    findings: u64,
    /// Documents linked to or from this one: id, relation, whether the link is outgoing.
    neighbours: Vec<(Name, &'static str, bool)>,
    /// Ids of the parent chain, nearest first.
    ancestors: Vec<Name>,
}

/// What the served pages were rendered from.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct RenderedFrom {
    /// Per document id.
    states: HashMap<Name, DocState>,
    /// Per document (by [`DocId`] of the analysed site), and the findings of no document.
    fingerprints: Fingerprints,
    /// Whether any page had code: every page links the highlight stylesheet then.
    has_code: bool,
    /// The quarter review pages: a quarter whose last bet or objective
    /// moves away loses its page.
    quarter_pages: Vec<String>,
}

impl RenderedFrom {
    /// What pages rendered from `site` show.
    pub(super) fn of(site: &Site) -> RenderedFrom {
        let fingerprints = Fingerprints::of(site);
        RenderedFrom {
            states: doc_states(site, &fingerprints.docs),
            fingerprints,
            has_code: site.docs.iter().any(|d| d.body.has_code),
            quarter_pages: crate::render::quarter_page_paths(site),
        }
    }

    /// The fingerprints of the analysed site's documents, for the render to key pages by.
    pub(super) fn fingerprints(&self) -> &Fingerprints {
        &self.fingerprints
    }

    /// Whether any page had code: every page links the highlight stylesheet then.
    pub(super) fn has_code(&self) -> bool {
        self.has_code
    }

    /// The pages of documents, and the quarter review pages, that are gone in `after`.
    pub(super) fn pages_gone(&self, after: &RenderedFrom) -> Vec<String> {
        self.states
            .iter()
            .filter(|(id, _)| !after.states.contains_key(*id))
            .map(|(_, state)| doc_path(&state.id))
            .chain(
                self.quarter_pages
                    .iter()
                    .filter(|p| !after.quarter_pages.contains(p))
                    .cloned(),
            )
            .collect()
    }

    /// The documents of `site` whose pages can differ between `self` and `after`
    /// (see the module docs), given the files re-read since `self`.
    pub(super) fn pages_to_render(
        &self,
        after: &RenderedFrom,
        reread: &StdHashSet<String>,
        site: &Site,
    ) -> Vec<DocId> {
        pages_to_render(&self.states, &after.states, reread, site)
    }
}

/// What each document's page was built from, by id.
fn doc_states(site: &Site, fingerprints: &[Fingerprint]) -> HashMap<Name, DocState> {
    let graph = &site.graph;
    // Each id hashed once: neighbours and ancestors name the same few.
    let names: Vec<Name> = site.docs.par_iter().map(|d| hash_of(&d.id)).collect();
    site.docs
        .par_iter()
        .enumerate()
        .map(|(i, doc)| {
            let mut neighbours: Vec<(Name, &'static str, bool)> = graph
                .outgoing(i)
                .map(|e| (names[e.to], e.rel.as_str(), true))
                .chain(
                    graph
                        .incoming(i)
                        .map(|e| (names[e.from], e.rel.as_str(), false)),
                )
                .collect();
            neighbours.sort();
            neighbours.dedup();
            let ancestors = graph.ancestors(i).into_iter().map(|a| names[a]).collect();
            let state = DocState {
                id: doc.id.clone(),
                file: hash_of(&doc.file),
                summary: fingerprints[i].summary,
                findings: fingerprints[i].findings,
                neighbours,
                ancestors,
            };
            (names[i], state)
        })
        .collect()
}

/// The documents whose pages can differ between `before` and `after` (see the module docs).
fn pages_to_render(
    before: &HashMap<Name, DocState>,
    after: &HashMap<Name, DocState>,
    reread: &StdHashSet<String>,
    site: &Site,
) -> Vec<DocId> {
    let reread: HashSet<Name> = reread.iter().map(hash_of).collect();
    let mut touched: HashSet<Name> = HashSet::new();
    let mut moved: HashSet<Name> = HashSet::new();
    let mut affected: HashSet<Name> = HashSet::new();
    for id in before.keys().chain(after.keys()) {
        match (before.get(id), after.get(id)) {
            (Some(b), Some(a)) => {
                // The file's path orders a document among its siblings in every tree above it.
                if b.summary != a.summary || b.file != a.file {
                    moved.insert(*id);
                }
                if b.findings != a.findings {
                    touched.insert(*id);
                }
            }
            _ => {
                moved.insert(*id);
            }
        }
    }
    // A body-only edit changes neither summary nor findings: the files re-read name those pages.
    for (id, state) in before.iter().chain(after.iter()) {
        if reread.contains(&state.file) {
            touched.insert(*id);
        }
    }
    for id in touched.iter().chain(moved.iter()) {
        affected.insert(*id);
        for states in [before, after] {
            if let Some(s) = states.get(id) {
                affected.extend(s.neighbours.iter().map(|n| n.0));
            }
        }
    }
    for id in &moved {
        for states in [before, after] {
            if let Some(s) = states.get(id) {
                affected.extend(s.ancestors.iter().copied());
            }
            affected.extend(
                states
                    .iter()
                    .filter(|(_, s)| s.ancestors.contains(id))
                    .map(|(other, _)| *other),
            );
        }
    }
    let mut ids: Vec<DocId> = affected
        .into_iter()
        .filter_map(|id| after.get(&id))
        .filter_map(|state| site.graph.lookup(&state.id))
        .collect();
    ids.sort_unstable();
    ids
}
