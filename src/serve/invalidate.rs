//! Which served pages an analysis makes out of date.
//!
//! Which pages can change: a page shows its own document in full and, of
//! every other document, only what its [`Appearance::summary`] covers (its
//! `DocLink`, hashed whole, and what trees add: team, quarter, owner,
//! parent, experiment result) for its neighbours, its trail up and its
//! subtree down. So after an edit
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

use std::sync::Arc;

use rayon::prelude::*;

use crate::graph::DocId;
use crate::hash::hash_of;
use crate::render::view::{doc_path, Appearance, Appearances};
use crate::site::Site;

/// A document id or file path as the states name it: its [`hash_of`]. The
/// states of 10,000 documents then hold no strings (making and dropping
/// them was a third of the cost of comparing two analyses); a collision of
/// two ids in 64 bits is not a practical concern.
type Name = u64;

/// Where a document stands in the site: what changes only with the graph.
#[derive(Debug, PartialEq, Eq)]
struct Place {
    /// The id, for the path of a page that goes.
    id: String,
    /// The source file.
    file: Name,
    /// Documents linked to or from this one: id, relation, whether the link is outgoing.
    neighbours: Vec<(Name, &'static str, bool)>,
    /// Ids of the parent chain, nearest first.
    ancestors: Vec<Name>,
}

/// Every document's [`Place`], by [`DocId`], made once per graph: an edit
/// that moves no link keeps the graph, and with it these.
#[derive(Debug)]
struct Places {
    /// The graph they were made from ([`crate::graph::Graph::generation`]).
    graph: u64,
    /// Each document's id as the states name it.
    names: Vec<Name>,
    index: HashMap<Name, DocId>,
    places: Vec<Place>,
}

impl PartialEq for Places {
    // Two graphs can place every document alike.
    fn eq(&self, other: &Places) -> bool {
        self.names == other.names && self.places == other.places
    }
}

impl Eq for Places {}

impl Places {
    fn of(site: &Site) -> Places {
        let graph = &site.graph;
        // Each id hashed once: neighbours and ancestors name the same few.
        let names: Vec<Name> = site.docs.par_iter().map(|d| hash_of(&d.id)).collect();
        let places = site
            .docs
            .par_iter()
            .enumerate()
            .map(|(i, doc)| {
                let i = DocId::new(i);
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
                Place {
                    id: doc.id.clone(),
                    file: hash_of(&doc.file),
                    neighbours,
                    ancestors: graph.ancestors(i).into_iter().map(|a| names[a]).collect(),
                }
            })
            .collect();
        Places {
            graph: graph.generation(),
            index: DocId::all(names.len())
                .zip(&names)
                .map(|(i, &n)| (n, i))
                .collect(),
            names,
            places,
        }
    }
}

/// What a served page was rendered from.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct RenderedFrom {
    places: Arc<Places>,
    /// Per document (by [`DocId`], as `places`), and the findings of no document.
    appearances: Appearances,
    /// Whether any page had code: every page links the highlight stylesheet then.
    has_code: bool,
    /// Whether the site has people and dependencies: every page's navigation links their pages then.
    navigation: (bool, bool),
    /// The quarter review pages, the people pages and the dependencies
    /// page: a quarter whose last bet or objective moves away loses its
    /// page, and so does a person removed.
    quarter_pages: Vec<String>,
}

impl RenderedFrom {
    /// What pages rendered from `site` show; the places of `before` when it
    /// was made from the same graph.
    pub(super) fn of(site: &Site, before: Option<&RenderedFrom>) -> RenderedFrom {
        let places = match before {
            Some(b) if b.places.graph == site.graph.generation() => Arc::clone(&b.places),
            _ => Arc::new(Places::of(site)),
        };
        RenderedFrom {
            places,
            appearances: Appearances::of(site),
            has_code: site.docs.iter().any(|d| d.body.has_code),
            navigation: (
                !site.facts.people().is_empty(),
                crate::analysis::dependency_links(&site.docs, &site.graph)
                    .next()
                    .is_some(),
            ),
            quarter_pages: crate::render::quarter_page_paths(site)
                .into_iter()
                .chain(crate::render::optional_page_paths(site))
                .collect(),
        }
    }

    /// The place and appearance of the document named `name`.
    fn state(&self, name: Name) -> Option<(&Place, Appearance)> {
        let &i = self.places.index.get(&name)?;
        Some((&self.places.places[i], self.appearances.docs[i]))
    }

    /// Every document, by name, with its place.
    fn places(&self) -> impl Iterator<Item = (Name, &Place)> {
        self.places.names.iter().copied().zip(&self.places.places)
    }

    /// The appearances of the analysed site's documents, for the render to key pages by.
    pub(super) fn appearances(&self) -> &Appearances {
        &self.appearances
    }

    /// The site-wide facts every page shows: whether any page had code, and the navigation.
    pub(super) fn site_wide(&self) -> (bool, (bool, bool)) {
        (self.has_code, self.navigation)
    }

    /// The pages of documents, and the quarter review pages, that are gone in `after`.
    pub(super) fn pages_gone(&self, after: &RenderedFrom) -> Vec<String> {
        self.places()
            .filter(|(name, _)| !after.places.index.contains_key(name))
            .map(|(_, place)| doc_path(&place.id))
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
        pages_to_render(self, after, reread, site)
    }
}

/// The documents whose pages can differ between `before` and `after` (see the module docs).
fn pages_to_render(
    before: &RenderedFrom,
    after: &RenderedFrom,
    reread: &StdHashSet<String>,
    site: &Site,
) -> Vec<DocId> {
    let reread: HashSet<Name> = reread.iter().map(hash_of).collect();
    let mut touched: HashSet<Name> = HashSet::new();
    let mut moved: HashSet<Name> = HashSet::new();
    let mut affected: HashSet<Name> = HashSet::new();
    for (name, _) in before.places().chain(after.places()) {
        match (before.state(name), after.state(name)) {
            (Some((b, bf)), Some((a, af))) => {
                // The file's path orders a document among its siblings in every tree above it.
                if bf.summary != af.summary || b.file != a.file {
                    moved.insert(name);
                }
                if bf.findings != af.findings {
                    touched.insert(name);
                }
            }
            _ => {
                moved.insert(name);
            }
        }
    }
    // A body-only edit changes neither summary nor findings: the files re-read name those pages.
    for (name, place) in before.places().chain(after.places()) {
        if reread.contains(&place.file) {
            touched.insert(name);
        }
    }
    for name in touched.iter().chain(moved.iter()) {
        affected.insert(*name);
        for states in [before, after] {
            if let Some((place, _)) = states.state(*name) {
                affected.extend(place.neighbours.iter().map(|n| n.0));
            }
        }
    }
    for name in &moved {
        for states in [before, after] {
            if let Some((place, _)) = states.state(*name) {
                affected.extend(place.ancestors.iter().copied());
            }
            affected.extend(
                states
                    .places()
                    .filter(|(_, place)| place.ancestors.contains(name))
                    .map(|(other, _)| other),
            );
        }
    }
    let mut ids: Vec<DocId> = affected
        .into_iter()
        .filter_map(|name| after.state(name))
        .filter_map(|(place, _)| site.graph.lookup(&place.id))
        .collect();
    ids.sort_unstable();
    ids
}
