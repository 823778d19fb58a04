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

/// Where a goal stands at its deadline, as the quarter review reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum GoalOutcome {
    /// The latest check-in reaches the target.
    Met,
    /// The deadline has not passed (or there is none) and the target is not reached yet.
    Open,
    /// There is no target to judge by.
    Unmeasured,
    /// The deadline passed before the build date and the target is not reached:
    /// exactly when `overdue` fires on a document that is not closed.
    Missed,
}

impl GoalOutcome {
    /// How pages word it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GoalOutcome::Met => "met",
            GoalOutcome::Open => "open",
            GoalOutcome::Unmeasured => "no target",
            GoalOutcome::Missed => "missed",
        }
    }

    /// As a style class.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            GoalOutcome::Met => "met",
            GoalOutcome::Open => "open",
            GoalOutcome::Unmeasured => "unmeasured",
            GoalOutcome::Missed => "missed",
        }
    }
}

/// Where the goal read as `reading`, with `target` due by `deadline`, stands on `today`.
pub(crate) fn goal_outcome(
    reading: &GoalReading,
    target: Option<f64>,
    deadline: Option<Date>,
    today: Date,
) -> GoalOutcome {
    let Some(target) = target else {
        return GoalOutcome::Unmeasured;
    };
    if reading.target_met(target) == Some(true) {
        GoalOutcome::Met
    } else if deadline.is_some_and(|d| d < today) {
        GoalOutcome::Missed
    } else {
        GoalOutcome::Open
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
    fn a_goal_is_met_missed_or_open_by_its_deadline() {
        let today = crate::date::parse_date("2026-11-24").unwrap();
        let before = crate::date::parse_date("2026-11-23");
        let on = Some(today);
        let r = reading("", 10.0, 50.0); // latest 30
        assert_eq!(
            goal_outcome(&r, Some(30.0), before, today),
            GoalOutcome::Met
        );
        assert_eq!(
            goal_outcome(&r, Some(50.0), before, today),
            GoalOutcome::Missed
        );
        // The deadline day itself is still open, as `overdue` counts it.
        assert_eq!(goal_outcome(&r, Some(50.0), on, today), GoalOutcome::Open);
        assert_eq!(goal_outcome(&r, Some(50.0), None, today), GoalOutcome::Open);
        assert_eq!(
            goal_outcome(&r, None, before, today),
            GoalOutcome::Unmeasured
        );
        // Down is better: 30 reaches a target of 40.
        let down = reading("direction: down\n", 50.0, 40.0);
        assert_eq!(
            goal_outcome(&down, Some(40.0), before, today),
            GoalOutcome::Met
        );
    }

    #[test]
    fn no_progress_without_a_distance_to_cover() {
        assert_eq!(reading("", 20.0, 20.0).progress, None);
    }
}
