//! How much of each team's tracker work traces to the strategy, per
//! quarter: one count for the `untraced-work` rule and the pages.

use std::collections::BTreeMap;

use super::Facts;
use crate::date::Quarter;
use crate::graph::{DocId, Graph};
use crate::model::{Document, Status, WorkSource};

/// A team's tracker items of one quarter (canceled ones not counted).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct WorkTrace {
    /// Items whose parent resolves: they serve a document.
    pub traced: usize,
    /// Of the traced, those done.
    pub traced_done: usize,
    /// Items that name nothing, or name an id that does not exist.
    pub untraced: Vec<DocId>,
    /// Items labelled unplanned (traced or not).
    pub unplanned: usize,
}

impl WorkTrace {
    /// Every item counted.
    pub(crate) fn total(&self) -> usize {
        self.traced + self.untraced.len()
    }

    /// The share of items that serve nothing, 0 to 1.
    pub(crate) fn untraced_share(&self) -> f64 {
        match self.total() {
            0 => 0.0,
            total => self.untraced.len() as f64 / total as f64,
        }
    }

    /// Whether more than `limit` (a fraction) serves nothing; a share at the limit is within it.
    pub(crate) fn exceeds(&self, limit: f64) -> bool {
        self.untraced_share() > limit + 1e-9
    }

    /// The untraced items, largest first: by estimate where any has one,
    /// else the most recent first; then by id, so the order is stable.
    pub(crate) fn largest_untraced(&self, docs: &[Document]) -> Vec<DocId> {
        let mut items = self.untraced.clone();
        let origin = |d: DocId| docs[d].tracker.as_deref();
        items.sort_by(|&a, &b| {
            let estimate = |d| origin(d).and_then(|o| o.estimate).unwrap_or(0.0);
            let date = |d| origin(d).and_then(|o| o.date);
            estimate(b)
                .total_cmp(&estimate(a))
                .then_with(|| date(b).cmp(&date(a)))
                .then_with(|| docs[a].id.cmp(&docs[b].id))
        });
        items
    }
}

/// The trace of every (team document, quarter) with tracker items, each
/// item counted for its own or inherited team and quarter.
pub(crate) fn work_trace(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
) -> BTreeMap<(DocId, Quarter), WorkTrace> {
    let mut out: BTreeMap<(DocId, Quarter), WorkTrace> = BTreeMap::new();
    for (id, doc) in DocId::all(docs.len()).zip(docs) {
        if doc.tracker.is_none() || doc.status == Some(Status::Dropped) {
            continue;
        }
        let Some(team) = facts.team_of(id).filter(|&t| docs[t].kind == "team") else {
            continue;
        };
        let Some(quarter) = facts.quarter_of(id) else {
            continue;
        };
        let trace = out.entry((team, quarter)).or_default();
        if graph.parent(id).is_some() {
            trace.traced += 1;
            if doc.status == Some(Status::Done) {
                trace.traced_done += 1;
            }
        } else {
            trace.untraced.push(id);
        }
        if doc.work_source == Some(WorkSource::Unplanned) {
            trace.unplanned += 1;
        }
    }
    out
}
