//! The decisions page (`decisions/`, `decisions.html`): every decision,
//! newest first by its `date:`, with its status, what it decides and what
//! superseded it, so the why behind the strategy has one place to read.

use serde::Serialize;

use super::Overview;
use crate::graph::Rel;
use crate::render::jobs::Job;
use crate::render::view::{DocLink, Model};

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::Decisions,
    template: "decisions.html",
    path: "decisions/index.html",
    root: Some("../"),
    section: "decisions",
    render: |m, t, o, b| o.page(t, b, &decisions(m)),
};

/// The decisions page.
#[derive(Debug, Serialize)]
struct DecisionsPage<'a> {
    decisions: Vec<DecisionRow<'a>>,
}

/// One decision as the list shows it.
#[derive(Debug, Serialize)]
struct DecisionRow<'a> {
    doc: DocLink<'a>,
    /// `date:`, when it was decided.
    date: Option<String>,
    decides: Vec<DocLink<'a>>,
    superseded_by: Option<DocLink<'a>>,
}

/// Decisions newest first; undated ones last, by id.
fn decisions<'a>(model: &'a Model<'_>) -> DecisionsPage<'a> {
    let site = model.site;
    let mut ids: Vec<crate::graph::DocId> = crate::graph::DocId::all(site.docs.len())
        .filter(|&d| site.docs[d].kind == "decision")
        .collect();
    ids.sort_by(|&a, &b| {
        let (da, db) = (&site.docs[a], &site.docs[b]);
        db.date.cmp(&da.date).then_with(|| da.id.cmp(&db.id))
    });
    let decisions = ids
        .into_iter()
        .map(|d| {
            let out = |rel: Rel| {
                site.graph
                    .outgoing(d)
                    .filter(move |e| e.rel == rel)
                    .map(|e| model.links[e.to])
            };
            DecisionRow {
                doc: model.links[d],
                date: site.docs[d].date.map(|d| d.to_string()),
                decides: out(Rel::Decides).collect(),
                superseded_by: out(Rel::SupersededBy).next(),
            }
        })
        .collect();
    DecisionsPage { decisions }
}
