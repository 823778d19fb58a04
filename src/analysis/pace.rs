//! Whether a goal is on pace: how far it has come from baseline to target,
//! against how much of its time has passed. One computation for the
//! `behind-pace` rule and the pages that show each key result's pace.

use super::{read_goal, Facts};
use crate::date::{days_between, Date};
use crate::graph::{DocId, Graph};
use crate::model::{Document, MetricRef, Point, Status};

/// Below this share of elapsed time a goal is never called behind: early
/// check-ins are noisy and most work starts slowly.
pub(crate) const MIN_EXPECTED: f64 = 0.25;

/// Slack for comparing fractions computed from decimal input, so that a
/// progress written to sit exactly on a boundary is judged as written.
const EPSILON: f64 = 1e-9;

/// What a page says of a goal's pace, from best to worst (a roll-up is the worst of its goals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum PaceVerdict {
    /// Progress is at least what the elapsed time asks for.
    OnTrack,
    /// Short of the elapsed time, but within the tolerance (or too early to tell).
    AtRisk,
    /// Short by more than the tolerance once a quarter of the time has
    /// passed: what `behind-pace` reports.
    Behind,
}

impl PaceVerdict {
    /// The words pages show: `on track`, `at risk`, `behind`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaceVerdict::OnTrack => "on track",
            PaceVerdict::AtRisk => "at risk",
            PaceVerdict::Behind => "behind",
        }
    }

    /// A name for style classes: `on-track`, `at-risk`, `behind`.
    pub fn slug(self) -> &'static str {
        match self {
            PaceVerdict::OnTrack => "on-track",
            PaceVerdict::AtRisk => "at-risk",
            PaceVerdict::Behind => "behind",
        }
    }
}

/// A goal's pace as of its metric's latest check-in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    /// The first day of the document's quarter (own or inherited), else the metric's first check-in.
    pub start: Date,
    /// The goal's `by` or `deadline`.
    pub deadline: Date,
    /// The check-in the pace is read from: the metric's latest.
    pub checkin: Point,
    /// The share of the time from start to deadline that had passed at the check-in, clamped to [0, 1].
    pub expected: f64,
    /// How far the check-in has come from baseline to target (not clamped).
    pub progress: f64,
    /// On track, at risk or behind, for the tolerance asked for.
    pub verdict: PaceVerdict,
}

/// A goal of `doc` (a key result or success criteria) as the pace computation reads it.
#[derive(Debug, Clone, Copy)]
pub struct PacedGoal<'a> {
    /// `metric:`.
    pub metric: Option<&'a MetricRef>,
    /// `baseline:`.
    pub baseline: Option<f64>,
    /// `target:`.
    pub target: Option<f64>,
    /// `by:` or `deadline:`.
    pub deadline: Option<Date>,
}

impl<'a> PacedGoal<'a> {
    /// An objective's key result.
    pub fn of_key_result(k: &'a crate::model::KeyResult) -> PacedGoal<'a> {
        PacedGoal {
            metric: k.metric.as_ref(),
            baseline: k.baseline,
            target: k.target,
            deadline: k.by,
        }
    }

    /// A bet's success criteria.
    pub fn of_success(s: &'a crate::model::Success) -> PacedGoal<'a> {
        PacedGoal {
            metric: s.metric.as_ref(),
            baseline: s.baseline,
            target: s.target,
            deadline: s.deadline,
        }
    }
}

/// The pace of `goal`, written in document `doc`, with `tolerance` (the
/// config's `pace_tolerance`). `None` unless the goal has a baseline, a
/// target other than the baseline, a deadline after its start, and a metric
/// document with check-ins.
pub(crate) fn pace(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    doc: DocId,
    goal: PacedGoal<'_>,
    tolerance: f64,
) -> Option<Pace> {
    let deadline = goal.deadline?;
    let reading = read_goal(docs, graph, goal.metric, goal.baseline, goal.target);
    let progress = reading.progress?;
    let checkin = reading.latest?;
    let start = goal_start(docs, facts, doc, reading.metric?)?;
    let span = days_between(start, deadline);
    if span <= 0 {
        // No time box to measure against (a deadline on or before the start).
        return None;
    }
    let elapsed = days_between(start, checkin.date);
    let expected = (elapsed as f64 / span as f64).clamp(0.0, 1.0);
    let verdict = if expected >= MIN_EXPECTED - EPSILON && progress < expected - tolerance - EPSILON
    {
        PaceVerdict::Behind
    } else if progress < expected - EPSILON {
        PaceVerdict::AtRisk
    } else {
        PaceVerdict::OnTrack
    };
    Some(Pace {
        start,
        deadline,
        checkin,
        expected,
        progress,
        verdict,
    })
}

/// When a goal of `doc` on `metric` starts: the first day of the document's
/// quarter (own or inherited), else the metric's first check-in. The pace
/// and the metric chart's expected path both start here.
pub(crate) fn goal_start(
    docs: &[Document],
    facts: &Facts,
    doc: DocId,
    metric: DocId,
) -> Option<Date> {
    match facts.quarter_of(doc) {
        Some(q) => Some(q.first_day()),
        None => docs[metric].checkins.first().map(|c| c.date),
    }
}

/// The pace that is reported as of `today`: [`pace`], except for a document
/// that is done, dropped or archived (nothing more is asked of it) or a goal
/// whose deadline is before `today` (then `overdue` speaks). The
/// `behind-pace` rule fires, and pages show a pace, from exactly this.
pub(crate) fn current_pace(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    doc: DocId,
    goal: PacedGoal<'_>,
    tolerance: f64,
    today: Date,
) -> Option<Pace> {
    if docs[doc].status.is_some_and(Status::is_closed) || goal.deadline? < today {
        return None;
    }
    pace(docs, graph, facts, doc, goal, tolerance)
}

/// Whether a goal of `doc` on `metric` has not started: `None` when the
/// metric has a check-in after the goal's start (the first day of the
/// document's quarter; a goal with no quarter is never "not started"), or
/// the start is still ahead; else whether it is late, a quarter of the time
/// from the start to `deadline` (else the quarter's last day) gone, when
/// "not started" has become "behind".
pub(crate) fn unstarted(
    docs: &[Document],
    facts: &Facts,
    doc: DocId,
    metric: DocId,
    deadline: Option<Date>,
    today: Date,
) -> Option<bool> {
    let quarter = facts.quarter_of(doc)?;
    let start = quarter.first_day();
    if start > today || docs[metric].checkins.iter().any(|c| c.date > start) {
        return None;
    }
    let span = days_between(start, deadline.unwrap_or(quarter.last_day()));
    let elapsed = days_between(start, today);
    Some(span > 0 && elapsed as f64 / span as f64 >= MIN_EXPECTED - EPSILON)
}

/// The worst current pace among `doc`'s own goals: a bet's success
/// criteria, an objective's key results. A bet's page rolls this up with its
/// objectives', so `serve` counts it among what other pages show of `doc`.
pub(crate) fn worst_own_pace(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    doc: DocId,
    tolerance: f64,
    today: Date,
) -> Option<PaceVerdict> {
    let d = &docs[doc];
    let success = d
        .success
        .as_ref()
        .filter(|_| d.kind == "bet")
        .map(PacedGoal::of_success);
    let key_results = d
        .key_results
        .iter()
        .filter(|_| d.kind == "objective")
        .map(PacedGoal::of_key_result);
    success
        .into_iter()
        .chain(key_results)
        .filter_map(|goal| current_pace(docs, graph, facts, doc, goal, tolerance, today))
        .map(|p| p.verdict)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    /// The pace of an objective in `quarter` (or none) with one key result
    /// on a metric checked in at `checkins`, judged with tolerance 0.25.
    fn pace_of(quarter: &str, by: &str, checkins: &[(&str, f64)]) -> Option<Pace> {
        pace_with(0.25, quarter, by, checkins)
    }

    fn pace_with(
        tolerance: f64,
        quarter: &str,
        by: &str,
        checkins: &[(&str, f64)],
    ) -> Option<Pace> {
        let list: String = checkins
            .iter()
            .map(|(d, v)| format!("  - {{date: {d}, value: {v}}}\n"))
            .collect();
        let metric = format!("---\nid: m\nkind: metric\ncheckins:\n{list}---\n");
        let obj = format!(
            "---\nid: o\nkind: objective\n{quarter}key_results:\n  - {{metric: m, baseline: 0, target: 100, by: {by}}}\n---\n"
        );
        let site = site("", &[("m.md", &metric), ("o.md", &obj)], "2026-11-24");
        let o = site.graph.lookup("o")?;
        let kr = &site.docs[o].key_results[0];
        pace(
            &site.docs,
            &site.graph,
            &site.facts,
            o,
            PacedGoal {
                metric: kr.metric.as_ref(),
                baseline: kr.baseline,
                target: kr.target,
                deadline: kr.by,
            },
            tolerance,
        )
    }

    #[test]
    fn expected_runs_from_the_quarter_start_to_the_deadline() {
        // 2027-Q1 starts 2027-01-01; 2027-01-31 is 30 of the 120 days to 2027-05-01.
        let q1 = "quarter: 2027-Q1\n";
        let p = pace_with(0.1, q1, "2027-05-01", &[("2027-01-31", 0.0)]).unwrap();
        assert_eq!(p.start.to_string(), "2027-01-01");
        assert_eq!(p.expected, 0.25);
        assert_eq!(p.progress, 0.0);
        assert_eq!(
            p.verdict,
            PaceVerdict::Behind,
            "exactly a quarter of the time is judged"
        );
        let early = pace_with(0.1, q1, "2027-05-01", &[("2027-01-30", 0.0)]).unwrap();
        assert!(early.expected < 0.25);
        assert_eq!(
            early.verdict,
            PaceVerdict::AtRisk,
            "too early to call behind"
        );
        // With the default tolerance, progress must fall below the baseline to be behind at 25%.
        let p = pace_of(q1, "2027-05-01", &[("2027-01-31", 0.0)]).unwrap();
        assert_eq!(p.verdict, PaceVerdict::AtRisk);
        let p = pace_of(q1, "2027-05-01", &[("2027-01-31", -1.0)]).unwrap();
        assert_eq!(p.verdict, PaceVerdict::Behind);
    }

    #[test]
    fn progress_exactly_at_the_tolerance_is_not_behind() {
        // Halfway through (60 of 120 days): 25% progress is exactly 0.5 - 0.25.
        let at = pace_of("quarter: 2027-Q1\n", "2027-05-01", &[("2027-03-02", 25.0)]).unwrap();
        assert_eq!(at.expected, 0.5);
        assert_eq!(at.verdict, PaceVerdict::AtRisk);
        let below = pace_of("quarter: 2027-Q1\n", "2027-05-01", &[("2027-03-02", 24.0)]).unwrap();
        assert_eq!(below.verdict, PaceVerdict::Behind);
        let ahead = pace_of("quarter: 2027-Q1\n", "2027-05-01", &[("2027-03-02", 50.0)]).unwrap();
        assert_eq!(ahead.verdict, PaceVerdict::OnTrack);
    }

    #[test]
    fn without_a_quarter_time_starts_at_the_first_check_in_and_clamps() {
        let p = pace_of(
            "",
            "2027-01-10",
            &[("2027-01-01", 0.0), ("2027-02-01", 10.0)],
        )
        .unwrap();
        assert_eq!(p.start.to_string(), "2027-01-01");
        assert_eq!(
            p.expected, 1.0,
            "a check-in after the deadline asks for all of it"
        );
        assert_eq!(p.checkin.value, 10.0);
        assert_eq!(p.verdict, PaceVerdict::Behind);
        assert!(pace_of("quarter: 2027-Q2\n", "2027-03-31", &[("2027-01-31", 0.0)]).is_none());
    }
}
