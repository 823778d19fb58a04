//! Facts derived from the resolved site that more than one consumer reads:
//! rules judge them, pages show them, `serve` and the editor server compare
//! them. Each fact has exactly one function that computes it, here, so a page
//! can never contradict `check`.
//!
//! [`Facts::compute`] runs once per analysis, after the graph and before the
//! rules; the result lives in [`crate::site::Site::facts`].

mod dependencies;
mod fingerprint;
mod frame;
mod goals;
mod pace;
mod people;
mod portfolio;
mod reach;
mod results;
mod rollup;
mod standing;
mod teams;
mod trend;
mod work_mix;
mod work_trace;

pub(crate) use dependencies::{deadline_of, dependency_links, dependency_risk, DependencyLink};
pub(crate) use fingerprint::fingerprint_of;
pub(crate) use frame::{frame_of, Stated};
pub(crate) use goals::{
    goal_outcome, goal_progress, read_goal, targets_on, GoalOutcome, GoalReading,
};
pub(crate) use pace::{current_pace, worst_own_pace, Pace, PaceVerdict, PacedGoal};
pub(crate) use people::{person_key, People, PERSON_KIND};
pub(crate) use portfolio::{active_bets_by_quarter, bet_load, bet_loads};
pub(crate) use reach::{changed_facts, reach};
pub(crate) use results::{goal_change, goals_of, item_outcomes, product_strategy_of, Tally};
pub(crate) use rollup::{rollups, verdict, Rollup};
pub(crate) use standing::Standing;
pub(crate) use standing::{rolled_up_pace, standing};
pub(crate) use teams::Teams;
pub(crate) use trend::{change_over, Change, Trend, WINDOW_DAYS};
pub(crate) use work_mix::work_mix;
pub(crate) use work_trace::{work_trace, WorkTrace};

use crate::config::Schema;
use crate::date::{Date, Quarter};
use crate::git::GitDates;
use crate::graph::{DocId, Graph};
use foldhash::{HashMap, HashMapExt};

use crate::model::{Document, Fingerprint, Status};
use crate::source::SourceFile;

/// Where a document's last review date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewSource {
    /// Its own `reviewed:`.
    Field,
    /// A `review` document that `covers` it.
    Review(DocId),
    /// The file's last git commit.
    Git,
    /// Its own `updated:`: for work, judged by its changes
    /// ([`judged_by_changes`]), the day it last changed outside git.
    Updated,
}

/// A document's last review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastReview {
    /// When.
    pub date: Date,
    /// Where the date comes from.
    pub source: ReviewSource,
}

/// The derived facts of one analysis, indexed by [`DocId`].
#[derive(Debug, Default)]
pub struct Facts {
    last_review: Vec<Option<LastReview>>,
    next_review: Vec<Option<Date>>,
    teams: Vec<Option<DocId>>,
    quarters: Vec<Option<Quarter>>,
    /// The fingerprint of every document some review stamp names; computed
    /// only for those, because most sites stamp few documents.
    fingerprints: HashMap<DocId, Fingerprint>,
    people: People,
    /// When each experiment with a `result:` concluded.
    concluded: HashMap<DocId, Date>,
    /// Each decision whose `superseded_by:` names a decision: which, and its `date:`.
    superseded: HashMap<DocId, (DocId, Option<Date>)>,
}

/// The documents some review stamp names, once for each stamp: those whose
/// fingerprint [`Facts`] holds, and so whose whole text it reads.
pub(crate) fn stamped<'d>(
    docs: &'d [Document],
    graph: &'d Graph,
) -> impl Iterator<Item = DocId> + 'd {
    docs.iter()
        .flat_map(|d| &d.reviewed_against)
        .filter_map(|stamp| graph.lookup(&stamp.target.id))
        .filter(|&t| docs[t].tracker.is_none())
}

impl Facts {
    /// Derives every fact of `docs` once.
    pub fn compute(
        docs: &[Document],
        sources: &[SourceFile],
        graph: &Graph,
        schema: &Schema,
        git_dates: Option<&GitDates>,
    ) -> Facts {
        let mut fingerprints = HashMap::new();
        for target in stamped(docs, graph) {
            if let std::collections::hash_map::Entry::Vacant(slot) = fingerprints.entry(target) {
                let text = sources
                    .get(docs[target].source.index())
                    .map_or("", |s| s.text.as_str());
                if let Some(fp) = fingerprint_of(text) {
                    slot.insert(fp);
                }
            }
        }
        let last_review = last_reviews(docs, graph, schema, git_dates);
        // An experiment's result is dated by `concluded:`, else `updated:`,
        // else the last commit of its file: the day the evidence arrived.
        let concluded = DocId::all(docs.len())
            .zip(docs)
            .filter(|(_, d)| d.kind == "experiment" && d.result.is_some())
            .filter_map(|(i, d)| {
                let git = || git_dates.and_then(|g| g.get(&d.file).copied());
                Some((i, d.concluded.or(d.updated).or_else(git)?))
            })
            .collect();
        let next_review = docs
            .iter()
            .zip(&last_review)
            .map(|(doc, last)| Some(review_cadence(doc, schema)?.after(last.as_ref()?.date)))
            .collect();
        let superseded = DocId::all(docs.len())
            .zip(docs)
            .filter(|(_, d)| d.kind == "decision")
            .filter_map(|(i, d)| {
                let by = graph.lookup(&d.superseded_by.as_ref()?.id)?;
                (docs[by].kind == "decision").then_some((i, (by, docs[by].date)))
            })
            .collect();
        Facts {
            last_review,
            next_review,
            // A `team:` that names no document ends the search all the same.
            teams: inherited(docs, graph, |d| {
                d.team.as_ref().map(|t| graph.lookup(&t.id))
            })
            .into_iter()
            .map(Option::flatten)
            .collect(),
            quarters: inherited(docs, graph, |d| d.quarter),
            fingerprints,
            people: People::compute(docs),
            concluded,
            superseded,
        }
    }

    /// The later of `reviewed:` and any covering review's date, else the git date.
    pub fn last_review(&self, doc: DocId) -> Option<LastReview> {
        self.last_review.get(doc.index()).copied().flatten()
    }

    /// The last day `doc` counts as reviewed: its last review plus its
    /// cadence. `None` when no review is expected of it (no cadence, closed,
    /// a metric, whose freshness is its check-ins) or it was never reviewed.
    /// The `stale` rule fires, and pages show "due", exactly when the build
    /// date is after this day.
    pub fn next_review(&self, doc: DocId) -> Option<Date> {
        self.next_review.get(doc.index()).copied().flatten()
    }

    /// The fingerprint of `doc` now, if a review stamp names it.
    pub fn stamped_fingerprint(&self, doc: DocId) -> Option<Fingerprint> {
        self.fingerprints.get(&doc).copied()
    }

    /// When experiment `doc`'s result was known: `concluded:`, else
    /// `updated:`, else its file's last commit; `None` without a `result:`.
    pub fn concluded_on(&self, doc: DocId) -> Option<Date> {
        self.concluded.get(&doc).copied()
    }

    /// The decision that superseded decision `doc`, and the day it was
    /// taken (its `date:`), if `doc`'s `superseded_by:` names one.
    pub fn superseded(&self, doc: DocId) -> Option<(DocId, Option<Date>)> {
        self.superseded.get(&doc).copied()
    }

    /// The team of a document: its own `team:`, else its nearest ancestor's.
    pub fn team_of(&self, doc: DocId) -> Option<DocId> {
        self.teams.get(doc.index()).copied().flatten()
    }

    /// The site's people, and whom each `owner:` names.
    pub fn people(&self) -> &People {
        &self.people
    }

    /// The quarter of a document: its own `quarter:`, else its nearest ancestor's.
    pub fn quarter_of(&self, doc: DocId) -> Option<Quarter> {
        self.quarters.get(doc.index()).copied().flatten()
    }
}

/// A time box nobody closed: the quarter a bet or objective was planned in
/// (its own, else its nearest ancestor's) and the status it is still in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expiry {
    /// The quarter that ended.
    pub quarter: Quarter,
    /// Proposed, committed, in progress or active.
    pub status: Status,
}

/// Whether bet or objective `doc` is still open after its quarter ended
/// before `today`: what the `expired` rule reports and the dashboard lists.
pub(crate) fn expiry(docs: &[Document], facts: &Facts, doc: DocId, today: Date) -> Option<Expiry> {
    let d = docs.get(doc.index())?;
    if d.kind != "bet" && d.kind != "objective" {
        return None;
    }
    let status @ (Status::Proposed | Status::Committed | Status::InProgress | Status::Active) =
        d.status?
    else {
        return None;
    };
    let quarter = facts.quarter_of(doc)?;
    (quarter.last_day() < today).then_some(Expiry { quarter, status })
}

/// How often `doc` must be re-read, if a review is expected of it at all.
pub(crate) fn review_cadence(doc: &Document, schema: &Schema) -> Option<crate::date::Cadence> {
    if doc.kind == "metric" || doc.status.is_some_and(Status::is_closed) {
        return None;
    }
    declared_cadence(doc, schema)
}

/// The cadence `doc` declares: its own `review_every`, else its kind's
/// `cadence`. A metric's is how often it must be checked in
/// (`stale-metric`); any other document's how often it is re-read.
pub(crate) fn declared_cadence(doc: &Document, schema: &Schema) -> Option<crate::date::Cadence> {
    doc.review_every
        .or_else(|| schema.get(&doc.kind).and_then(|k| k.cadence))
}

/// For every document, what the nearest document at or above it that has
/// `own` says, found in one pass: each tree node asks for its team and
/// quarter, and walking every node's ancestors through the documents was 1%
/// of a 100,000-document build, most of it waiting on memory.
fn inherited<T: Copy>(
    docs: &[Document],
    graph: &Graph,
    own: impl Fn(&Document) -> Option<T>,
) -> Vec<Option<T>> {
    let mut known: Vec<Option<Option<T>>> = vec![None; docs.len()];
    let mut chain = Vec::new();
    for doc in DocId::all(docs.len()) {
        let mut at = Some(doc);
        let found = loop {
            let Some(d) = at else { break None };
            if let Some(value) = known[d] {
                break value;
            }
            if let Some(value) = own(&docs[d]) {
                known[d] = Some(Some(value));
                break Some(value);
            }
            chain.push(d);
            at = graph.parent(d);
        };
        for d in chain.drain(..) {
            known[d] = Some(found);
        }
    }
    known.into_iter().map(Option::flatten).collect()
}

/// Whether `doc` is sprint work (a kind of the work layer, or a tracker's
/// item): nobody reviews a ticket, so it is judged by when it last changed
/// (its status, or anything else), not by a `reviewed:` date that `new`
/// wrote the day it was made. Its last review is then the latest of
/// `reviewed:`, a covering review, `updated:` and its file's last commit.
pub(crate) fn judged_by_changes(doc: &Document, schema: &Schema) -> bool {
    doc.tracker.is_some() || schema.get(&doc.kind).is_some_and(|k| k.layer == Some(5))
}

fn last_reviews(
    docs: &[Document],
    graph: &Graph,
    schema: &Schema,
    git_dates: Option<&GitDates>,
) -> Vec<Option<LastReview>> {
    let mut last_review: Vec<Option<LastReview>> = docs
        .iter()
        .map(|d| {
            d.reviewed.map(|date| LastReview {
                date,
                source: ReviewSource::Field,
            })
        })
        .collect();
    for (r, review) in DocId::all(docs.len()).zip(docs) {
        let Some(date) = review.date.filter(|_| review.kind == "review") else {
            continue;
        };
        for covered in &review.covers {
            let Some(target) = graph.lookup(&covered.id) else {
                continue;
            };
            if last_review[target].is_none_or(|l| l.date < date) {
                last_review[target] = Some(LastReview {
                    date,
                    source: ReviewSource::Review(r),
                });
            }
        }
    }
    for (i, doc) in docs.iter().enumerate() {
        if !judged_by_changes(doc, schema) {
            continue;
        }
        let changed = [
            doc.updated.map(|date| (date, ReviewSource::Updated)),
            git_dates
                .and_then(|g| g.get(&doc.file))
                .map(|&date| (date, ReviewSource::Git)),
        ];
        for (date, source) in changed.into_iter().flatten() {
            if last_review[i].is_none_or(|l| l.date < date) {
                last_review[i] = Some(LastReview { date, source });
            }
        }
    }
    if let Some(git) = git_dates {
        for (i, doc) in docs.iter().enumerate() {
            if last_review[i].is_none() {
                last_review[i] = git.get(&doc.file).map(|&date| LastReview {
                    date,
                    source: ReviewSource::Git,
                });
            }
        }
    }
    last_review
}
