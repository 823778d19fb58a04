//! Facts derived from the resolved site that more than one consumer reads:
//! rules judge them, pages show them, `serve` and the editor server compare
//! them. Each fact has exactly one function that computes it, here, so a page
//! can never contradict `check`.
//!
//! [`Facts::compute`] runs once per analysis, after the graph and before the
//! rules; the result lives in [`crate::Site::facts`].

use crate::config::Schema;
use crate::date::Date;
use crate::git::GitDates;
use crate::graph::{DocId, Graph};
use crate::model::{Document, Status};

/// Where a document's last review date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewSource {
    /// Its own `reviewed:`.
    Field,
    /// A `review` document that `covers` it.
    Review(DocId),
    /// The file's last git commit.
    Git,
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
}

impl Facts {
    /// Derives every fact of `docs` once.
    pub fn compute(
        docs: &[Document],
        graph: &Graph,
        schema: &Schema,
        git_dates: Option<&GitDates>,
    ) -> Facts {
        let last_review = last_reviews(docs, graph, git_dates);
        let next_review = docs
            .iter()
            .zip(&last_review)
            .map(|(doc, last)| Some(review_cadence(doc, schema)?.after(last.as_ref()?.date)))
            .collect();
        Facts {
            last_review,
            next_review,
        }
    }

    /// The later of `reviewed:` and any covering review's date, else the git date.
    pub fn last_review(&self, doc: DocId) -> Option<LastReview> {
        self.last_review.get(doc).copied().flatten()
    }

    /// The last day `doc` counts as reviewed: its last review plus its
    /// cadence. `None` when no review is expected of it (no cadence, closed,
    /// a metric, whose freshness is its check-ins) or it was never reviewed.
    /// The `stale` rule fires, and pages show "due", exactly when the build
    /// date is after this day.
    pub fn next_review(&self, doc: DocId) -> Option<Date> {
        self.next_review.get(doc).copied().flatten()
    }
}

/// How often `doc` must be re-read, if a review is expected of it at all.
pub fn review_cadence(doc: &Document, schema: &Schema) -> Option<crate::date::Cadence> {
    if doc.kind == "metric" || doc.status.is_some_and(Status::is_closed) {
        return None;
    }
    doc.review_every
        .or_else(|| schema.get(&doc.kind).and_then(|k| k.cadence))
}

fn last_reviews(
    docs: &[Document],
    graph: &Graph,
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
    for (r, review) in docs.iter().enumerate() {
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
