//! Where an open bet stands today, in one word: the dashboard's status line
//! groups this quarter's bets by it. It is read from the same pace as
//! `behind-pace` and the bet pages, plus two states a pace cannot express:
//! a bet whose metric has not moved since its quarter began, and a bet with
//! nothing to measure it by.

use super::pace::worst_own_pace;
use super::{goals, Facts, PaceVerdict};
use crate::date::Date;
use crate::graph::{DocId, Graph};
use crate::model::{Document, Status};

/// An open bet's standing, worst first: the order the dashboard ranks them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Standing {
    /// A goal is short of its pace by more than the tolerance, or the
    /// metric has not moved once a quarter of the time has passed.
    Behind,
    /// A goal is short of its pace, within the tolerance.
    AtRisk,
    /// No check-in since the quarter began, and less than a quarter of the
    /// time has passed: too early to call it behind, wrong to call it on track.
    NotStarted,
    /// No success metric with a baseline and a target: nothing says how it goes.
    Unmeasured,
    /// Every goal at or ahead of its pace.
    OnTrack,
}

impl Standing {
    /// Every standing, worst first.
    pub const ALL: [Standing; 5] = [
        Standing::Behind,
        Standing::AtRisk,
        Standing::NotStarted,
        Standing::Unmeasured,
        Standing::OnTrack,
    ];

    /// The words pages show.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Behind => "behind",
            Standing::AtRisk => "at risk",
            Standing::NotStarted => "not started",
            Standing::Unmeasured => "unmeasured",
            Standing::OnTrack => "on track",
        }
    }

    /// A name for style classes and anchors.
    pub fn slug(self) -> &'static str {
        match self {
            Standing::Behind => "behind",
            Standing::AtRisk => "at-risk",
            Standing::NotStarted => "not-started",
            Standing::Unmeasured => "unmeasured",
            Standing::OnTrack => "on-track",
        }
    }
}

impl From<PaceVerdict> for Standing {
    fn from(v: PaceVerdict) -> Standing {
        match v {
            PaceVerdict::OnTrack => Standing::OnTrack,
            PaceVerdict::AtRisk => Standing::AtRisk,
            PaceVerdict::Behind => Standing::Behind,
        }
    }
}

/// The worst pace among a document's goals: an objective's key results; a
/// bet's success criteria and its objectives' key results. The bet page
/// shows it, and [`standing`] starts from it.
pub(crate) fn rolled_up_pace(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    doc: DocId,
    tolerance: f64,
    today: Date,
) -> Option<PaceVerdict> {
    let own = |d: DocId| worst_own_pace(docs, graph, facts, d, tolerance, today);
    let objectives = graph
        .children(doc)
        .iter()
        .filter(|&&c| docs[doc].kind == "bet" && docs[c].kind == "objective")
        .filter_map(|&c| own(c));
    own(doc).into_iter().chain(objectives).max()
}

/// Where bet `bet` stands on `today`; `None` when it is done, dropped or
/// archived (nothing more is asked of it) or is no bet.
pub(crate) fn standing(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    bet: DocId,
    tolerance: f64,
    today: Date,
) -> Option<Standing> {
    let doc = &docs[bet];
    if doc.kind != "bet" || doc.status.is_some_and(Status::is_closed) {
        return None;
    }
    let success = doc.success.as_ref();
    let metric = success.and_then(|s| goals::metric_doc(docs, graph, s.metric.as_ref()));
    let (Some(success), Some(metric)) = (success, metric) else {
        return Some(Standing::Unmeasured);
    };
    let (Some(baseline), Some(target)) = (success.baseline, success.target) else {
        return Some(Standing::Unmeasured);
    };
    let paced = rolled_up_pace(docs, graph, facts, bet, tolerance, today).map(Standing::from);
    let not_started = super::pace::unstarted(docs, facts, bet, metric, success.deadline, today)
        .map(|late| match late {
            true => Standing::Behind,
            false => Standing::NotStarted,
        });
    let reached = goals::read_goal(
        docs,
        graph,
        success.metric.as_ref(),
        Some(baseline),
        Some(target),
    )
    .target_met(target)
        == Some(true);
    let overdue = success.deadline.is_some_and(|d| d < today) && !reached;
    let judged = [paced, not_started, overdue.then_some(Standing::Behind)]
        .into_iter()
        .flatten()
        .min();
    Some(judged.unwrap_or(Standing::OnTrack))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    /// The standing, on `today`, of a 2026-Q4 bet whose success metric
    /// (baseline 0, target 100 by the quarter's end) has these check-ins.
    fn standing_of(success: &str, checkins: &[(&str, f64)], today: &str) -> Option<Standing> {
        let list: String = checkins
            .iter()
            .map(|(d, v)| format!("  - {{date: {d}, value: {v}}}\n"))
            .collect();
        let metric = format!("---\nid: m\nkind: metric\ncheckins:\n{list}---\n");
        let bet =
            format!("---\nid: b\nkind: bet\nquarter: 2026-Q4\nstatus: in-progress\n{success}---\n");
        let site = site("", &[("m.md", &metric), ("b.md", &bet)], today);
        let b = site.graph.lookup("b")?;
        standing(&site.docs, &site.graph, &site.facts, b, 0.25, site.today)
    }

    const MEASURED: &str = "success: {metric: m, baseline: 0, target: 100, deadline: 2026-12-31}\n";

    #[test]
    fn a_bet_without_a_measured_success_is_unmeasured() {
        assert_eq!(
            standing_of("", &[], "2026-11-24"),
            Some(Standing::Unmeasured)
        );
        let no_target = "success: {metric: m, baseline: 0}\n";
        assert_eq!(
            standing_of(no_target, &[("2026-10-05", 10.0)], "2026-11-24"),
            Some(Standing::Unmeasured)
        );
        let text_metric = "success: {metric: \"weekly revenue\", baseline: 0, target: 5}\n";
        assert_eq!(
            standing_of(text_metric, &[], "2026-11-24"),
            Some(Standing::Unmeasured)
        );
    }

    #[test]
    fn no_check_in_since_the_quarter_began_is_not_started_then_behind() {
        // Only the baseline, written on the quarter's first day.
        let baseline = [("2026-10-01", 0.0)];
        // 14 of 91 days: early.
        assert_eq!(
            standing_of(MEASURED, &baseline, "2026-10-15"),
            Some(Standing::NotStarted)
        );
        // 54 of 91 days: it should have moved by now.
        assert_eq!(
            standing_of(MEASURED, &baseline, "2026-11-24"),
            Some(Standing::Behind)
        );
    }

    #[test]
    fn a_moving_bet_stands_where_its_pace_does() {
        // 2026-11-15 is 45 of 91 days: half the time, 60% of the way.
        let ahead = [("2026-10-01", 0.0), ("2026-11-15", 60.0)];
        assert_eq!(
            standing_of(MEASURED, &ahead, "2026-11-24"),
            Some(Standing::OnTrack)
        );
        let short = [("2026-10-01", 0.0), ("2026-11-15", 40.0)];
        assert_eq!(
            standing_of(MEASURED, &short, "2026-11-24"),
            Some(Standing::AtRisk)
        );
        let far = [("2026-10-01", 0.0), ("2026-11-15", 10.0)];
        assert_eq!(
            standing_of(MEASURED, &far, "2026-11-24"),
            Some(Standing::Behind)
        );
    }

    #[test]
    fn a_closed_bet_has_no_standing() {
        let metric = "---\nid: m\nkind: metric\n---\n";
        let bet = format!("---\nid: b\nkind: bet\nquarter: 2026-Q4\nstatus: done\n{MEASURED}---\n");
        let site = site("", &[("m.md", metric), ("b.md", &bet)], "2026-11-24");
        let b = site.graph.lookup("b").unwrap();
        assert_eq!(
            standing(&site.docs, &site.graph, &site.facts, b, 0.25, site.today),
            None
        );
    }
}
