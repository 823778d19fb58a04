//! Each team's planned and unplanned work per quarter: one count for the
//! `unplanned-work` rule and the teams page.

use std::collections::BTreeMap;

use super::Facts;
use crate::date::Quarter;
use crate::graph::DocId;
use crate::model::{Document, Status, WorkSource};

/// How a team's work items of one quarter (dropped ones not counted) came about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WorkMix {
    /// `source: planned`, or no `source:`.
    pub planned: usize,
    /// `source: stakeholder-request`.
    pub stakeholder_request: usize,
    /// `source: incident`.
    pub incident: usize,
    /// `source: unplanned`.
    pub unplanned: usize,
}

impl WorkMix {
    /// Every work item counted.
    pub(crate) fn total(&self) -> usize {
        self.planned + self.not_planned()
    }

    /// The items whose source is anything but `planned`.
    pub(crate) fn not_planned(&self) -> usize {
        self.stakeholder_request + self.incident + self.unplanned
    }

    /// Whether more than `limit` (a fraction) of the items were not planned:
    /// what `unplanned-work` reports. A share exactly at the limit (3 of 10
    /// against 0.3) is within it, whatever the rounding of either number.
    pub(crate) fn exceeds(&self, limit: f64) -> bool {
        self.unplanned_share() > limit + 1e-9
    }

    /// The share of items not planned, 0 to 1 (0 when there are none).
    pub(crate) fn unplanned_share(&self) -> f64 {
        match self.total() {
            0 => 0.0,
            total => self.not_planned() as f64 / total as f64,
        }
    }
}

/// The work mix of every (team document, quarter) that has work items, each
/// item counted for its own or inherited team and quarter (`Facts::team_of`,
/// `Facts::quarter_of`). Items with no team or no quarter are not counted.
pub(crate) fn work_mix(docs: &[Document], facts: &Facts) -> BTreeMap<(DocId, Quarter), WorkMix> {
    let mut mix: BTreeMap<(DocId, Quarter), WorkMix> = BTreeMap::new();
    for (id, doc) in DocId::all(docs.len()).zip(docs) {
        if doc.kind != "work" || doc.invalid || doc.status == Some(Status::Dropped) {
            continue;
        }
        let Some(team) = facts.team_of(id).filter(|&t| docs[t].kind == "team") else {
            continue;
        };
        let Some(quarter) = facts.quarter_of(id) else {
            continue;
        };
        let counts = mix.entry((team, quarter)).or_default();
        match doc.work_source.unwrap_or(WorkSource::Planned) {
            WorkSource::Planned => counts.planned += 1,
            WorkSource::StakeholderRequest => counts.stakeholder_request += 1,
            WorkSource::Incident => counts.incident += 1,
            WorkSource::Unplanned => counts.unplanned += 1,
        }
    }
    mix
}
