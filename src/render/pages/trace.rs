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
    let branch_base = super::base(model, "../../", overview.section);
    // A build over its previous output: nothing any trace page shows
    // changed (a body edit, a review date), so every page stays as written.
    let inputs = model
        .served
        .filter(|_| model.keeps_jobs)
        .and_then(|served| Some((served, trace_inputs(model, base, &branch_base)?)));
    if let Some((served, key)) = inputs {
        if served.job_unchanged(TRACE_JOB, TRACE_PREFIX, key) {
            return Ok(Vec::new());
        }
    }
    let (landing, branches, forest) = trace(model);
    if let Some((served, key)) = inputs {
        let paths: Vec<&str> = std::iter::once(overview.path)
            .chain(branches.iter().map(|(path, _)| path.as_str()))
            .chain(forest.as_ref().map(|_| FOREST_PATH))
            .collect();
        served.remember_job(TRACE_JOB, key, &paths);
        if let Some(js) = &forest {
            served.remember(FOREST_PATH.to_string(), crate::hash::hash_of(js));
        }
    }
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

/// The name the trace job's key is kept under ([`trace_inputs`]).
const TRACE_JOB: &str = "trace";

/// Everything the trace pages and `forest.js` are made of, as one hash:
/// the pages' shared values, then each document as the trees and filters
/// show it (its link, team, quarters, owner, verdict, whether it is a
/// tracker's item) and its children, in order (where it hangs, how the
/// pages split, the roll-ups: made of these); and the diagrams drawn. Far
/// cheaper than the trees: a build whose edit changes none of it (a body,
/// a review date) keeps the pages it wrote without making them.
fn trace_inputs(model: &Model<'_>, base: &Base<'_>, branch_base: &Base<'_>) -> Option<u64> {
    struct Documents<'m, 'a>(&'m Model<'a>);
    impl std::hash::Hash for Documents<'_, '_> {
        fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
            let model = self.0;
            let site = model.site;
            site.docs.len().hash(state);
            for d in DocId::all(site.docs.len()) {
                let doc = &site.docs[d];
                model.links[d].hash(state);
                model.team_of(d).map(|t| model.links[t].id).hash(state);
                model.quarter_of(d).hash(state);
                doc.quarter.hash(state);
                doc.owner.hash(state);
                model.verdict(d).hash(state);
                doc.tracker.is_some().hash(state);
                let children = site.graph.children(d);
                children.len().hash(state);
                for c in children {
                    c.index().hash(state);
                }
            }
        }
    }
    let site = model.site;
    // The diagrams, when the page draws them: a few, and drawn from more
    // than the trees show.
    let outcomes: Vec<DocId> = DocId::all(site.docs.len())
        .filter(|&i| site.docs[i].kind == "outcome")
        .collect();
    let diagrams: Vec<super::OstDiagram> = match outcomes.len() <= TRACE_DIAGRAMS {
        true => outcomes
            .iter()
            .map(|&i| ost_diagram(model, i, "../"))
            .collect(),
        false => Vec::new(),
    };
    crate::hash::hash_value(&(
        OVERVIEW.template,
        base,
        branch_base,
        ByHash(Documents(model)),
        diagrams,
    ))
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use crate::output::OutputFile;
    use crate::render::cache::RenderCache;
    use crate::render::{render_build, BuildRender, RenderError};
    use crate::site::Site;

    /// A tree too large for one trace page (1,069 documents: branch pages
    /// and `forest.js`), with `title` for bet `bet-1-1` and `tail` after its body.
    fn split_site(title: &str, status: &str, tail: &str) -> Site {
        let doc = |id: &str, kind: &str, parent: &str, title: &str, status: &str, body: &str| {
            format!(
                "---\nid: {id}\nkind: {kind}\ntitle: {title}\n{parent}status: {status}\nowner: O\nreviewed: 2026-11-01\n---\nBody of {id}.\n{body}"
            )
        };
        let mut files = vec![(
            "cs.md".to_string(),
            doc("cs", "company-strategy", "", "Company", "active", ""),
        )];
        for p in 0..3 {
            let ps = format!("ps-{p}");
            let parent = "parent: cs\n";
            files.push((
                format!("{ps}.md"),
                doc(&ps, "product-strategy", parent, "P", "active", ""),
            ));
            for b in 0..5 {
                let bet = format!("bet-{p}-{b}");
                let parent = format!("parent: {ps}\n");
                let (t, s, tl) = match bet.as_str() {
                    "bet-1-1" => (title, status, tail),
                    _ => ("A bet", "active", ""),
                };
                files.push((format!("{bet}.md"), doc(&bet, "bet", &parent, t, s, tl)));
                for o in 0..70 {
                    let obj = format!("obj-{p}-{b}-{o}");
                    let parent = format!("parent: {bet}\n");
                    files.push((
                        format!("{obj}.md"),
                        doc(&obj, "objective", &parent, "O", "active", ""),
                    ));
                }
            }
        }
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        crate::rules::testing::site("title: Split\n", &files, "2026-11-24")
    }

    /// Builds `site` over the output `previous` left; the files handed to the sink, by path.
    fn build(site: &Site, previous: Option<RenderCache>) -> (BuildRender, Vec<OutputFile>) {
        let theme = crate::build::load_theme(site).expect("the default theme");
        let written = Mutex::new(Vec::new());
        let sink = |file: OutputFile| -> Result<(), RenderError> {
            written.lock().expect("lock").push(file);
            Ok(())
        };
        let built = render_build(site, &theme, &sink, previous).expect("a build");
        (built, written.into_inner().expect("lock"))
    }

    fn under_trace(files: &[OutputFile]) -> Vec<&OutputFile> {
        files
            .iter()
            .filter(|f| f.path.starts_with("trace/"))
            .collect()
    }

    #[test]
    fn a_body_edit_keeps_every_trace_file_unmade_and_a_title_or_status_edit_makes_them_again() {
        let first = split_site("A bet", "active", "");
        let (built, written) = build(&first, None);
        let trace = under_trace(&written);
        assert!(
            trace.len() > 3,
            "branch pages and forest.js: {}",
            trace.len()
        );
        assert!(trace.iter().any(|f| f.path == super::FOREST_PATH));

        // A body edit: no trace file is made, every one is kept.
        let body = split_site("A bet", "active", "A sentence added.\n");
        let (again, written) = build(&body, Some(built.cache));
        assert!(
            under_trace(&written).is_empty(),
            "nothing under trace/ is made"
        );
        for file in &trace {
            assert!(again.kept.contains(&file.path), "{} kept", file.path);
        }
        assert!(
            written.iter().any(|f| f.path == "bet-1-1/index.html"),
            "the edited page is made again"
        );

        // A trace page the output lost (its key pruned, as `build` prunes
        // the keys of files the output no longer holds) is made again.
        let mut cache = again.cache;
        let lost = "trace/ps-1/index.html";
        assert!(cache.pages.remove(lost).is_some(), "{lost} had a key");
        let (restored, written) = build(&body, Some(cache));
        assert!(written.iter().any(|f| f.path == lost), "{lost} made again");

        // A title, then a status: forest.js and the pages showing it are made
        // again, as a build from scratch makes them.
        let mut cache = restored.cache;
        for (title, status, shown) in [
            ("A renamed bet", "active", "A renamed bet"),
            ("A renamed bet", "done", "done"),
        ] {
            let site = split_site(title, status, "A sentence added.\n");
            let (changed, written) = build(&site, Some(cache));
            let (_, fresh) = build(&site, None);
            let forest = written
                .iter()
                .find(|f| f.path == super::FOREST_PATH)
                .expect("forest.js made again");
            let text = String::from_utf8_lossy(&forest.bytes);
            assert!(text.contains(shown), "{shown} in forest.js");
            let made: Vec<&OutputFile> = under_trace(&written);
            assert!(made.iter().any(|f| f.path.ends_with("index.html")));
            for file in made {
                let from_scratch = fresh.iter().find(|f| f.path == file.path);
                assert_eq!(
                    from_scratch.map(|f| &f.bytes),
                    Some(&file.bytes),
                    "{}",
                    file.path
                );
            }
            cache = changed.cache;
        }
    }
}
