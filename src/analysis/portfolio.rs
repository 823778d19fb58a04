//! A quarter's active bets against `max_bets_per_quarter`: which bets count
//! and whether the limit is breached, decided once here and read by the
//! rules (`too-many-bets`, `portfolio-imbalance`) and by the size bars of
//! the roadmap and the dashboard, so a page never says a quarter is within
//! its limit while `check` reports it over, or the other way round.

use std::collections::BTreeMap;

use crate::date::Quarter;
use crate::graph::DocId;
use crate::model::{Document, Status};

/// Bets that are `committed` or `in-progress`, by the quarter they name, each
/// quarter's in the order of the files.
pub(crate) fn active_bets_by_quarter(docs: &[Document]) -> BTreeMap<Quarter, Vec<DocId>> {
    let mut by_quarter: BTreeMap<Quarter, Vec<DocId>> = BTreeMap::new();
    for i in DocId::all(docs.len()) {
        if let Some(q) = active_in(&docs[i]) {
            by_quarter.entry(q).or_default().push(i);
        }
    }
    by_quarter
}

/// The quarter `doc` is an active bet of: a bet, `committed` or
/// `in-progress`, with a `quarter:`.
fn active_in(doc: &Document) -> Option<Quarter> {
    let active = doc.kind == "bet" && doc.status.is_some_and(Status::is_active_bet);
    doc.quarter.filter(|_| active)
}

/// One quarter's active bets and the limit they are held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BetLoad {
    pub quarter: Quarter,
    /// Its active bets, in the order of the files.
    pub active: Vec<DocId>,
    /// `max_bets_per_quarter`.
    pub max: usize,
}

impl BetLoad {
    /// More active bets than the limit: `too-many-bets` reports the quarter.
    pub(crate) fn over_limit(&self) -> bool {
        self.active.len() > self.max
    }
}

/// Every quarter with an active bet, its load against `max`.
pub(crate) fn bet_loads(docs: &[Document], max: usize) -> impl Iterator<Item = BetLoad> {
    active_bets_by_quarter(docs)
        .into_iter()
        .map(move |(quarter, active)| BetLoad {
            quarter,
            active,
            max,
        })
}

/// `quarter`'s load against `max` (no active bet: an empty one).
pub(crate) fn bet_load(docs: &[Document], max: usize, quarter: Quarter) -> BetLoad {
    let active = DocId::all(docs.len())
        .filter(|&i| active_in(&docs[i]) == Some(quarter))
        .collect();
    BetLoad {
        quarter,
        active,
        max,
    }
}
