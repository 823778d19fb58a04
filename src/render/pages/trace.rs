//! The traceability tree (`trace/`, `trace.html`), and a page of its own
//! for each branch too large for the page above it (`trace/<id>/`).

use std::collections::BTreeSet;

use serde::Serialize;

use super::trace_index::{forest_js, FOREST_PATH};
use super::{ost_diagram, page_from, Base, Overview, PagesResult};
use crate::graph::DocId;
use crate::hash::ByHash;
use crate::output::OutputFile;
use crate::render::jobs::Job;
use crate::render::theme::Theme;
use crate::render::tree;
use crate::render::view::{DocLink, Model};
use crate::site::Site;

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::Trace,
    template: "trace.html",
    path: "trace/index.html",
    root: Some("../"),
    section: "trace",
    render: trace_pages,
};

/// Where the trace job writes its pages (`trace/` and a page per branch too
/// large for it): `serve` drops what it served under here and a new render
/// did not write.
pub const TRACE_PREFIX: &str = "trace/";

/// The trace page, and a page of its own for each branch too large for the page above it.
fn trace_pages<'m>(
    model: &'m Model<'_>,
    theme: &Theme,
    overview: &Overview,
    base: &Base<'m>,
) -> PagesResult {
    let (landing, branches, forest) = trace(model);
    let branch_base = super::base(model, "../../", overview.section);
    let forest = forest.map(|js| Ok(OutputFile::text(FOREST_PATH.to_string(), js)));
    std::iter::once((overview.path.to_string(), base, landing))
        .chain(
            branches
                .into_iter()
                .map(|(path, page)| (path, &branch_base, page)),
        )
        .filter_map(|(path, base, page)| {
            // The trees are the bulk of the page's values: hashed as they
            // are (`Hash`), not through serde, and made HTML only when changed.
            page_from(theme, overview.template, path, base, page, |page| {
                page.into_values()
            })
            .transpose()
        })
        .chain(forest)
        .collect()
}

/// The traceability page (`trace.html`).
/// A page of the traceability tree: the whole forest when it fits
/// [`tree::TRACE_PAGE_BUDGET`], else its first levels (`trace/`) and a page
/// per branch below them (`trace/<id>/`), each with the same filters.
#[derive(Debug, Clone, Serialize)]
struct TracePage<'a> {
    /// The document whose tree this page shows; `None` on `trace/` itself.
    branch: Option<DocLink<'a>>,
    /// The way from the top of the tree down to `branch`.
    trail: Vec<DocLink<'a>>,
    /// Made from [`TraceTrees`] by [`TracePage::with_trees`].
    forest_html: String,
    unconnected_html: String,
    /// Whether some branches are on pages of their own.
    split: bool,
    /// The whole forest's filter index ([`FOREST_PATH`]) from this page,
    /// when the tree is split: the filters load it to find every match.
    forest: Option<&'static str>,
    teams: Vec<DocLink<'a>>,
    quarters: BTreeSet<String>,
    statuses: BTreeSet<&'static str>,
    /// What the tree's badges mean: its statuses, then pace and findings.
    legends: [crate::render::legend::Legend; 2],
    /// The standings some document has, worst first.
    standings: Vec<StandingOption>,
    kinds: Vec<crate::render::search::KindName<'a>>,
    owners: BTreeSet<&'a str>,
    outcomes: Vec<OutcomeDiagram<'a>>,
    /// Outcomes listed without their diagrams: more than [`TRACE_DIAGRAMS`].
    outcome_links: Vec<DocLink<'a>>,
}

/// A trace page's trees, kept as values until the page is rendered: serve
/// hashes them with the page's other values to tell whether the page
/// changed, so only a page that did pays for its HTML (the trees of a 10k
/// site were a third of a title edit's work).
#[derive(Debug, Hash)]
struct TraceTrees<'a> {
    forest: Vec<tree::TreeItem<'a>>,
    unconnected: Vec<tree::TreeItem<'a>>,
    /// The way from the page to the site root, and to the `trace/` folder.
    root: &'static str,
    trace: &'static str,
}

impl<'a> TracePage<'a> {
    /// The page with its trees as HTML.
    fn with_trees(mut self, trees: &TraceTrees<'a>) -> TracePage<'a> {
        self.forest_html = tree::tree_html(&trees.forest, trees.root, trees.trace);
        self.unconnected_html = tree::tree_html(&trees.unconnected, trees.root, trees.trace);
        self
    }
}

/// A choice of the standing filter: what `data-v` holds, and its words.
#[derive(Debug, Clone, Serialize)]
struct StandingOption {
    slug: &'static str,
    words: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct OutcomeDiagram<'a> {
    doc: DocLink<'a>,
    ost: super::OstDiagram,
}

/// How many opportunity solution trees the trace page draws; beyond that it
/// lists the outcomes, whose own pages draw them.
const TRACE_DIAGRAMS: usize = 20;

/// The roots of the traceability tree: those of a strategy layer's company
/// strategy, and those of no company strategy.
fn trace_roots(site: &Site) -> (Vec<DocId>, Vec<DocId>) {
    let roots: Vec<DocId> = site
        .graph
        .roots()
        .filter(|&r| {
            site.config
                .schema
                .get(&site.docs[r].kind)
                .is_some_and(|k| k.layer.is_some() || k.ost)
        })
        .collect();
    roots.into_iter().partition(|&r| {
        site.config
            .schema
            .get(&site.docs[r].kind)
            .is_some_and(|k| k.layer == Some(1))
    })
}

/// The distinct `values`, in no order.
fn distinct<T: std::hash::Hash + Eq>(values: impl Iterator<Item = T>) -> foldhash::HashSet<T> {
    values.collect()
}

/// What every trace page's filters offer.
fn trace_page<'a>(model: &'a Model<'_>) -> TracePage<'a> {
    let site = model.site;
    let mut teams: Vec<DocLink> = site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == "team")
        .map(|(i, _)| model.links[i])
        .collect();
    teams.sort_by(|a, b| a.title.cmp(b.title));
    let statuses = distinct(model.links.iter().filter_map(|l| l.status));
    TracePage {
        branch: None,
        trail: Vec::new(),
        forest_html: String::new(),
        unconnected_html: String::new(),
        split: false,
        forest: None,
        teams,
        // The few distinct values first: a string and a tree insert per
        // document were a third of the trace pages' work at 10k.
        quarters: distinct(site.docs.iter().filter_map(|d| d.quarter))
            .into_iter()
            .map(|q| q.to_string())
            .collect(),
        legends: [
            crate::render::legend::statuses(
                statuses
                    .iter()
                    .filter_map(|s| crate::model::Status::parse(s)),
            ),
            crate::render::legend::paces(),
        ],
        statuses: statuses.into_iter().collect(),
        standings: {
            let present = distinct(DocId::all(site.docs.len()).filter_map(|d| model.verdict(d)));
            crate::analysis::Standing::ALL
                .iter()
                .filter(|s| present.contains(s))
                .map(|s| StandingOption {
                    slug: s.slug(),
                    words: s.as_str(),
                })
                .collect()
        },
        kinds: crate::render::search::kinds(model)
            .into_iter()
            .map(|(name, label)| crate::render::search::KindName { name, label })
            .collect(),
        owners: distinct(site.docs.iter().filter_map(|d| d.owner.as_deref()))
            .into_iter()
            .collect(),
        outcomes: Vec::new(),
        outcome_links: Vec::new(),
    }
}

/// The trees of the traceability page (`trace/`): the strategy's, the
/// unconnected documents', and the documents whose branches are on pages of
/// their own.
fn trace_forest<'a>(
    model: &'a Model<'_>,
) -> (Vec<tree::TreeItem<'a>>, Vec<tree::TreeItem<'a>>, Vec<DocId>) {
    let (strategy, loose) = trace_roots(model.site);
    let (items, mut paged) = tree::within_budget(model, &strategy, tree::TRACE_PAGE_BUDGET);
    let left = tree::TRACE_PAGE_BUDGET.saturating_sub(tree::count(&items));
    let (loose_items, more) = tree::within_budget(model, &loose, left);
    paged.extend(more);
    (items, loose_items, paged)
}

/// A trace page before its trees are HTML: serve compares it with what it
/// served, so only a page that changed pays for the HTML of its trees.
#[derive(Debug, Serialize)]
struct TraceKey<'a> {
    page: TracePage<'a>,
    trees: ByHash<TraceTrees<'a>>,
}

impl<'a> TraceKey<'a> {
    /// The page's values, its trees made HTML.
    fn into_values(self) -> TracePage<'a> {
        self.page.with_trees(&self.trees.0)
    }
}

/// The traceability page (`trace/`), and the page of each branch too large
/// for the page above it (`trace/<id>/index.html`, with its path), in the
/// order the pages link to them.
/// The third is the whole forest's filter index, when the tree is split.
type TracePages<'a> = (TraceKey<'a>, Vec<(String, TraceKey<'a>)>, Option<String>);

fn trace<'a>(model: &'a Model<'_>) -> TracePages<'a> {
    let site = model.site;
    let (items, loose_items, paged) = trace_forest(model);
    // What the filters offer is the same on every page: made once.
    let filters = trace_page(model);
    let outcomes: Vec<DocId> = DocId::all(site.docs.len())
        .filter(|&i| site.docs[i].kind == "outcome")
        .collect();
    let draw = outcomes.len() <= TRACE_DIAGRAMS;
    let split = !paged.is_empty();
    let filters = TracePage {
        forest: split.then_some("forest.js"),
        ..filters
    };
    let (branches, all_paged) = trace_branch_pages(model, &paged, &filters);
    let forest = split.then(|| {
        let (strategy, loose) = trace_roots(site);
        let roots: Vec<DocId> = strategy.into_iter().chain(loose).collect();
        forest_js(model, &roots, &all_paged)
    });
    let page = TracePage {
        split,
        outcomes: if draw {
            outcomes
                .iter()
                .map(|&i| OutcomeDiagram {
                    doc: model.links[i],
                    ost: ost_diagram(model, i, "../"),
                })
                .collect()
        } else {
            Vec::new()
        },
        outcome_links: if draw {
            Vec::new()
        } else {
            outcomes.iter().map(|&i| model.links[i]).collect()
        },
        ..filters
    };
    let trees = TraceTrees {
        forest: items,
        unconnected: loose_items,
        root: "../",
        trace: "",
    };
    let landing = TraceKey {
        page,
        trees: ByHash(trees),
    };
    (landing, branches, forest)
}

/// The trace pages of the branches in `paged` and, in turn, of those too
/// large for them; and every document that got a page.
fn trace_branch_pages<'a>(
    model: &'a Model<'_>,
    paged: &[DocId],
    filters: &TracePage<'a>,
) -> (Vec<(String, TraceKey<'a>)>, Vec<DocId>) {
    let graph = &model.site.graph;
    let mut queue: std::collections::VecDeque<DocId> = paged.iter().copied().collect();
    let mut pages = Vec::new();
    let mut all = Vec::new();
    while let Some(doc) = queue.pop_front() {
        all.push(doc);
        let (items, paged) = tree::within_budget(model, &[doc], tree::TRACE_PAGE_BUDGET);
        queue.extend(paged.iter().copied());
        let mut trail: Vec<DocId> = graph.ancestors(doc);
        trail.reverse();
        let link = model.links[doc];
        let page = TracePage {
            branch: Some(link),
            trail: trail.iter().map(|&d| model.links[d]).collect(),
            split: !paged.is_empty(),
            forest: filters.forest.map(|_| "../forest.js"),
            ..filters.clone()
        };
        let trees = TraceTrees {
            forest: items,
            unconnected: Vec::new(),
            root: "../../",
            trace: "../",
        };
        pages.push((
            format!("trace/{}", link.path.after("")),
            TraceKey {
                page,
                trees: ByHash(trees),
            },
        ));
    }
    (pages, all)
}
