//! How far a goal (a bet's success criteria, an objective's key result) has
//! come, read from its metric's check-ins: one reading for the rules that
//! judge it (`overdue`, `flat-outcome`) and the pages that draw it.

use crate::date::Date;
use crate::graph::{DocId, Graph};
use crate::model::{Checkin, Direction, Document, MetricRef, Point};

/// A goal as its metric shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalReading {
    /// The metric document `metric:` links to, if it links to one.
    pub metric: Option<DocId>,
    /// The metric's latest check-in.
    pub latest: Option<Point>,
    /// Whether higher is better: the metric's `direction`, else the way from baseline to target, else up.
    pub higher_is_better: bool,
    /// How far the latest check-in has come from baseline to target, as a
    /// fraction (0 at the baseline, 1 at the target; not clamped), when all three are known.
    pub progress: Option<f64>,
}

impl GoalReading {
    /// Whether the latest check-in reaches `target` in the goal's better
    /// direction (at it counts as reached); `None` with no check-in. The one
    /// test of "target met": `overdue` and the quarter review both ask it.
    pub fn target_met(&self, target: f64) -> Option<bool> {
        let value = self.latest?.value;
        Some(if self.higher_is_better {
            value >= target
        } else {
            value <= target
        })
    }
}

/// Where a goal stands on the build date, as the quarter review reports
/// it: each goal in exactly one of these, so the review's counts add up.
/// Ordered best to worst; an item shows its worst goal's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum GoalOutcome {
    /// The latest check-in reaches the target.
    Met,
    /// Open, and at or ahead of its pace.
    OnTrack,
    /// Open, short of its pace within the tolerance.
    AtRisk,
    /// Open, with no check-in since its start while less than a quarter of its time has passed.
    NotStarted,
    /// Open, short of its pace by more than the tolerance, or still without
    /// a check-in since its start once a quarter of its time has passed.
    Behind,
    /// No target, or no baseline to measure progress from.
    Unmeasured,
    /// The deadline passed before the build date and the target is not reached:
    /// exactly when `overdue` fires on a document that is not closed.
    Missed,
}

impl GoalOutcome {
    /// Every outcome, in the order the quarter review counts them.
    pub(crate) const ALL: [GoalOutcome; 7] = [
        GoalOutcome::Met,
        GoalOutcome::Missed,
        GoalOutcome::OnTrack,
        GoalOutcome::AtRisk,
        GoalOutcome::Behind,
        GoalOutcome::NotStarted,
        GoalOutcome::Unmeasured,
    ];

    /// How pages word it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GoalOutcome::Met => "met",
            GoalOutcome::OnTrack => "on track",
            GoalOutcome::AtRisk => "at risk",
            GoalOutcome::NotStarted => "not started",
            GoalOutcome::Behind => "behind",
            GoalOutcome::Unmeasured => "unmeasured",
            GoalOutcome::Missed => "missed",
        }
    }

    /// As a style class.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            GoalOutcome::Met => "met",
            GoalOutcome::OnTrack => "on-track",
            GoalOutcome::AtRisk => "at-risk",
            GoalOutcome::NotStarted => "not-started",
            GoalOutcome::Behind => "behind",
            GoalOutcome::Unmeasured => "unmeasured",
            GoalOutcome::Missed => "missed",
        }
    }
}

/// Where `goal`, written in document `doc`, stands on `today`: met or
/// missed by its target and deadline; while open, its pace as
/// `behind-pace` reads it, or not started when its metric has had no
/// check-in since the goal's start.
pub(crate) fn goal_outcome(
    docs: &[Document],
    graph: &Graph,
    facts: &super::Facts,
    doc: DocId,
    goal: super::PacedGoal<'_>,
    tolerance: f64,
    today: Date,
) -> GoalOutcome {
    let reading = read_goal(docs, graph, goal.metric, goal.baseline, goal.target);
    let Some(target) = goal.target else {
        return GoalOutcome::Unmeasured;
    };
    if reading.target_met(target) == Some(true) {
        return GoalOutcome::Met;
    }
    if goal.deadline.is_some_and(|d| d < today) {
        return GoalOutcome::Missed;
    }
    if goal.baseline.is_none() || reading.metric.is_none() {
        return GoalOutcome::Unmeasured;
    }
    if let Some(late) = reading
        .metric
        .and_then(|m| super::pace::unstarted(docs, facts, doc, m, goal.deadline, today))
    {
        return if late {
            GoalOutcome::Behind
        } else {
            GoalOutcome::NotStarted
        };
    }
    match super::current_pace(docs, graph, facts, doc, goal, tolerance, today) {
        Some(p) => match p.verdict {
            super::PaceVerdict::OnTrack => GoalOutcome::OnTrack,
            super::PaceVerdict::AtRisk => GoalOutcome::AtRisk,
            super::PaceVerdict::Behind => GoalOutcome::Behind,
        },
        // Check-ins, but no time box to pace them against (no deadline, or
        // a document closed): judged by nothing more than met or not.
        None => GoalOutcome::OnTrack,
    }
}

/// What the progress glyph says of a goal on `today`: its outcome (as the
/// quarter review counts it), where it should be by now, and one sentence
/// ("On track: 79% of the target, 37% of the time").
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GoalProgress {
    /// Where the goal stands: [`goal_outcome`].
    pub outcome: GoalOutcome,
    /// How far the latest check-in has come from baseline to target (not clamped).
    pub progress: Option<f64>,
    /// The share of the time from the goal's start to its deadline that has
    /// passed on `today` (not at the last check-in), clamped to [0, 1].
    pub time_share: Option<f64>,
    /// The outcome as the sentence starts it: "On track".
    pub state: String,
    /// The rest of the sentence: "79% of the target, 37% of the time".
    pub detail: String,
}

/// A fraction as a whole percentage, for a sentence read at a glance.
fn whole_percent(fraction: f64) -> String {
    let p = (fraction * 100.0).round();
    format!("{}%", if p == 0.0 { 0.0 } else { p })
}

/// The progress glyph's facts of `goal`, written in document `doc`, on
/// `today`: every page that draws a goal's progress reads this.
pub(crate) fn goal_progress(
    docs: &[Document],
    graph: &Graph,
    facts: &super::Facts,
    doc: DocId,
    goal: super::PacedGoal<'_>,
    tolerance: f64,
    today: Date,
) -> GoalProgress {
    let outcome = goal_outcome(docs, graph, facts, doc, goal, tolerance, today);
    let reading = read_goal(docs, graph, goal.metric, goal.baseline, goal.target);
    let start = reading
        .metric
        .and_then(|m| super::pace::goal_start(docs, facts, doc, m));
    let time_share = match (start, goal.deadline) {
        (Some(start), Some(deadline)) if deadline > start => {
            let span = crate::date::days_between(start, deadline) as f64;
            let gone = crate::date::days_between(start, today) as f64;
            Some((gone / span).clamp(0.0, 1.0))
        }
        _ => None,
    };
    let of_target = reading
        .progress
        .map(|p| format!("{} of the target", whole_percent(p)));
    let of_time = time_share.map(|t| format!("{} of the time", whole_percent(t)));
    let no_checkin_since = start.map(|s| format!("no check-in since {s}"));
    let unstarted = reading.metric.is_some_and(|m| {
        super::pace::unstarted(docs, facts, doc, m, goal.deadline, today).is_some()
    });
    let join = |parts: &[Option<String>]| {
        let parts: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
        parts.join(", ")
    };
    let detail = match outcome {
        GoalOutcome::Unmeasured => {
            let mut missing = Vec::new();
            if goal.target.is_none() {
                missing.push("a target");
            }
            if goal.baseline.is_none() {
                missing.push("a baseline");
            }
            if reading.metric.is_none() {
                missing.push("a metric document");
            }
            if missing.is_empty() {
                "no distance from baseline to target".to_string()
            } else {
                format!("needs {}", missing.join(" and "))
            }
        }
        GoalOutcome::NotStarted => join(&[no_checkin_since]),
        GoalOutcome::Behind if unstarted => join(&[no_checkin_since, of_time]),
        GoalOutcome::Met => of_target.unwrap_or_else(|| "target reached".to_string()),
        GoalOutcome::Missed => {
            let by = goal.deadline.map(|d| format!("by {d}"));
            join(&[of_target, by])
        }
        GoalOutcome::OnTrack | GoalOutcome::AtRisk | GoalOutcome::Behind => {
            let detail = join(&[of_target, of_time]);
            if detail.is_empty() {
                "no check-in yet".to_string()
            } else {
                detail
            }
        }
    };
    let word = outcome.as_str();
    let mut state = word[..1].to_uppercase();
    state.push_str(&word[1..]);
    GoalProgress {
        outcome,
        progress: reading.progress,
        time_share,
        state,
        detail,
    }
}

/// Reads the goal with `metric`, `baseline` and `target` from the site's check-ins.
pub(crate) fn read_goal(
    docs: &[Document],
    graph: &Graph,
    metric: Option<&MetricRef>,
    baseline: Option<f64>,
    target: Option<f64>,
) -> GoalReading {
    let metric = metric_doc(docs, graph, metric);
    let latest = metric.and_then(|m| docs[m].checkins.last().map(Checkin::point));
    let higher_is_better = match metric.and_then(|m| docs[m].direction) {
        Some(Direction::Up) => true,
        Some(Direction::Down) => false,
        None => match (baseline, target) {
            (Some(b), Some(t)) => t >= b,
            _ => true,
        },
    };
    let progress = match (baseline, target, latest) {
        (Some(b), Some(t), Some(c)) if (t - b).abs() > f64::EPSILON => {
            Some((c.value - b) / (t - b))
        }
        _ => None,
    };
    GoalReading {
        metric,
        latest,
        higher_is_better,
        progress,
    }
}

/// The metric document a `metric:` field links to; `None` for a description or a link to another kind.
pub(crate) fn metric_doc(
    docs: &[Document],
    graph: &Graph,
    metric: Option<&MetricRef>,
) -> Option<DocId> {
    match metric? {
        MetricRef::Id(r) => graph.lookup(&r.id).filter(|&i| docs[i].kind == "metric"),
        MetricRef::Text(_) => None,
    }
}

/// A goal's target on one metric: what a metric's chart draws as a reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TargetOn {
    /// The goal's target value.
    pub value: f64,
    /// Its deadline, if it has one.
    pub by: Option<Date>,
    /// Its baseline, if it has one.
    pub baseline: Option<f64>,
    /// When it starts ([`super::pace::goal_start`]), as its pace counts time.
    pub start: Option<Date>,
}

impl TargetOn {
    /// The expected path, from the baseline at the start to the target at
    /// the deadline, when all four are known and the deadline is after the start.
    pub(crate) fn expected_path(&self) -> Option<((Date, f64), (Date, f64))> {
        let (start, by, baseline) = (self.start?, self.by?, self.baseline?);
        (by > start).then_some(((start, baseline), (by, self.value)))
    }
}

/// The targets of every goal measured by `metric`: the success criteria and
/// key results, of the documents that link to it, whose own `metric:` names
/// it. A document with goals on two metrics links to both, and each chart
/// must draw only its own metric's targets.
pub(crate) fn targets_on(
    docs: &[Document],
    graph: &Graph,
    facts: &super::Facts,
    metric: DocId,
) -> Vec<TargetOn> {
    let mut users: Vec<DocId> = graph
        .incoming(metric)
        .filter(|e| e.rel == crate::graph::Rel::Metric)
        .map(|e| e.from)
        .collect();
    // A document naming the metric in two goals has two edges; its goals are read once.
    users.dedup();
    let measures = |m: Option<&MetricRef>| metric_doc(docs, graph, m) == Some(metric);
    users
        .into_iter()
        .flat_map(|user| {
            let doc = &docs[user];
            let start = super::pace::goal_start(docs, facts, user, metric);
            let on = move |target: Option<f64>, by: Option<Date>, baseline: Option<f64>| {
                target.map(|value| TargetOn {
                    value,
                    by,
                    baseline,
                    start,
                })
            };
            let success = doc
                .success
                .iter()
                .filter(|s| measures(s.metric.as_ref()))
                .filter_map(|s| on(s.target, s.deadline, s.baseline));
            let krs = doc
                .key_results
                .iter()
                .filter(|k| measures(k.metric.as_ref()))
                .filter_map(|k| on(k.target, k.by, k.baseline));
            success.chain(krs).collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    fn reading(direction: &str, baseline: f64, target: f64) -> GoalReading {
        let metric = format!(
            "---\nid: m\nkind: metric\n{direction}checkins:\n  - {{date: 2026-10-01, value: 30}}\n---\n"
        );
        let site = site("", &[("m.md", metric.as_str())], "2026-11-24");
        let r = MetricRef::Id(crate::model::Ref {
            id: "m".into(),
            span: crate::diagnostics::Span::file_start(),
        });
        read_goal(
            &site.docs,
            &site.graph,
            Some(&r),
            Some(baseline),
            Some(target),
        )
    }

    #[test]
    fn progress_is_the_fraction_of_the_way_from_baseline_to_target() {
        let r = reading("", 10.0, 50.0);
        assert_eq!(r.progress, Some(0.5));
        assert!(r.higher_is_better);
        assert_eq!(r.latest.map(|c| c.value), Some(30.0));
    }

    #[test]
    fn a_falling_target_counts_down_and_the_metric_direction_wins() {
        let down = reading("", 50.0, 10.0);
        assert_eq!(down.progress, Some(0.5));
        assert!(!down.higher_is_better, "from 50 to 10 is down");
        let declared = reading("direction: up\n", 50.0, 10.0);
        assert!(declared.higher_is_better, "the metric's direction wins");
    }

    #[test]
    fn a_goal_is_met_missed_or_paced_by_its_deadline() {
        // An objective of 2026-Q4 (54 of its 91 days gone on 2026-11-24),
        // its key result on a metric from 0 toward `target`.
        let outcome = |checkins: &str, target: &str, by: &str| {
            let metric = format!("---\nid: m\nkind: metric\ncheckins:\n{checkins}---\n");
            let obj = format!("---\nid: o\nkind: objective\nquarter: 2026-Q4\nkey_results:\n  - {{metric: m, baseline: 0, {target}by: {by}}}\n---\n");
            let site = site(
                "",
                &[("m.md", metric.as_str()), ("o.md", obj.as_str())],
                "2026-11-24",
            );
            let o = site.graph.lookup("o").unwrap();
            let kr = &site.docs[o].key_results[0];
            goal_outcome(
                &site.docs,
                &site.graph,
                &site.facts,
                o,
                super::super::PacedGoal::of_key_result(kr),
                0.25,
                site.today,
            )
        };
        let moved = |v: u32| {
            format!("  - {{date: 2026-10-01, value: 0}}\n  - {{date: 2026-11-15, value: {v}}}\n")
        };
        let t100 = "target: 100, ";
        assert_eq!(outcome(&moved(100), t100, "2026-12-31"), GoalOutcome::Met);
        assert_eq!(outcome(&moved(50), t100, "2026-11-23"), GoalOutcome::Missed);
        // The deadline day itself is still open, as `overdue` counts it.
        assert_ne!(outcome(&moved(50), t100, "2026-11-24"), GoalOutcome::Missed);
        assert_eq!(
            outcome(&moved(60), t100, "2026-12-31"),
            GoalOutcome::OnTrack
        );
        assert_eq!(outcome(&moved(40), t100, "2026-12-31"), GoalOutcome::AtRisk);
        assert_eq!(outcome(&moved(10), t100, "2026-12-31"), GoalOutcome::Behind);
        let only_baseline = "  - {date: 2026-10-01, value: 0}\n";
        assert_eq!(
            outcome(only_baseline, t100, "2026-12-31"),
            GoalOutcome::Behind
        );
        // Early in a long goal, no check-in yet is not started.
        assert_eq!(
            outcome(only_baseline, t100, "2027-12-31"),
            GoalOutcome::NotStarted
        );
        assert_eq!(
            outcome(&moved(50), "", "2026-12-31"),
            GoalOutcome::Unmeasured
        );
    }

    #[test]
    fn the_glyph_says_the_outcome_and_both_shares_with_time_measured_to_today() {
        // An objective of 2026-Q4 with a key result to 2027-03-31: on
        // 2026-11-24, 54 of its 181 days (30%) have passed.
        let says = |checkins: &str, today: &str| {
            let metric = format!("---\nid: m\nkind: metric\ncheckins:\n{checkins}---\n");
            let obj = "---\nid: o\nkind: objective\nquarter: 2026-Q4\nkey_results:\n  - {metric: m, baseline: 0, target: 100, by: 2027-03-31}\n---\n";
            let site = site("", &[("m.md", metric.as_str()), ("o.md", obj)], today);
            let o = site.graph.lookup("o").unwrap();
            let kr = &site.docs[o].key_results[0];
            let g = goal_progress(
                &site.docs,
                &site.graph,
                &site.facts,
                o,
                super::super::PacedGoal::of_key_result(kr),
                0.25,
                site.today,
            );
            (
                g.outcome,
                format!("{}: {}", g.state, g.detail),
                g.time_share,
            )
        };
        let moved = "  - {date: 2026-10-01, value: 0}\n  - {date: 2026-11-01, value: 40}\n";
        let (outcome, sentence, share) = says(moved, "2026-11-24");
        assert_eq!(outcome, GoalOutcome::OnTrack);
        // The time is counted to today (54 days), not to the check-in (31).
        assert_eq!(sentence, "On track: 40% of the target, 30% of the time");
        assert_eq!(share, Some(54.0 / 181.0));
        let slow = "  - {date: 2026-10-01, value: 0}\n  - {date: 2027-01-15, value: 10}\n";
        assert_eq!(
            says(slow, "2027-01-20").1,
            "Behind: 10% of the target, 61% of the time"
        );
        let none = "  - {date: 2026-09-20, value: 0}\n";
        assert_eq!(
            says(none, "2026-10-20").1,
            "Not started: no check-in since 2026-10-01"
        );
        assert_eq!(
            says(none, "2027-01-20").1,
            "Behind: no check-in since 2026-10-01, 61% of the time"
        );
        let done = "  - {date: 2026-10-01, value: 0}\n  - {date: 2026-11-01, value: 120}\n";
        assert_eq!(says(done, "2026-11-24").1, "Met: 120% of the target");
    }

    #[test]
    fn no_progress_without_a_distance_to_cover() {
        assert_eq!(reading("", 20.0, 20.0).progress, None);
    }
}
