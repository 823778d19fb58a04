//! `behind-pace`: are we on pace to hit the target? A key result or success
//! criterion that has come a much smaller share of the way to its target
//! than the share of its time that has passed will, at this rate, miss. Said
//! while there is still time to act, not after the deadline (`overdue`).

use super::{Context, Rule, RuleMeta, Scope};
use crate::analysis::{PaceVerdict, PacedGoal};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::Document;
use crate::text::{figure as number, format_percent as percent};
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct BehindPace;

/// `behind-pace`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "behind-pace",
    title: "Goals behind pace",
    summary: "A key result or success criterion has made much less progress than the share of its time that has passed.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &BehindPace,
};

impl BehindPace {
    fn judge(
        &self,
        ctx: &Context<'_>,
        (id, doc): (DocId, &Document),
        goal: PacedGoal<'_>,
        what: String,
        path: &[Step<'_>],
        out: &mut Vec<Diagnostic>,
    ) {
        // Closed documents and passed deadlines (`overdue`'s) have no current pace.
        let Some(pace) = ctx.pace(id, goal) else {
            return;
        };
        if pace.verdict != PaceVerdict::Behind {
            return;
        }
        out.push(
            ctx.warning(
                self.id(),
                doc,
                ctx.span(doc, path),
                format!(
                    "{what} is behind pace: {} of the way from baseline to target, but {} of its time (from {} to {}) had passed at the check-in of {} ({})",
                    percent(pace.progress),
                    percent(pace.expected),
                    pace.start,
                    pace.deadline,
                    pace.checkin.date,
                    number(pace.checkin.value),
                ),
            )
            .with_label(format!("expected at least {}", percent(pace.expected - ctx.config.pace_tolerance)))
            .with_hint("decide now, while there is time: change course, add focus, or revise the target or deadline and say why"),
        );
    }
}

impl Rule for BehindPace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let doc = &ctx.docs[id];
        if let Some(s) = doc.success.as_ref().filter(|_| doc.kind == "bet") {
            let goal = PacedGoal::of_success(s);
            let path = [Step::Key("success"), Step::Key("target")];
            self.judge(ctx, (id, doc), goal, "success".into(), &path, out);
        }
        if doc.kind != "objective" {
            return;
        }
        for (i, kr) in doc.key_results.iter().enumerate() {
            let goal = PacedGoal::of_key_result(kr);
            let path = [
                Step::Key("key_results"),
                Step::Index(i),
                Step::Key("target"),
            ];
            self.judge(
                ctx,
                (id, doc),
                goal,
                format!("key result {}", i + 1),
                &path,
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    /// An objective of 2027-Q1 with one key result from 0 to 100 by
    /// 2027-05-01 (120 days), its metric at `value` on `date`.
    fn run(config: &str, date: &str, value: &str, today: &str) -> Vec<String> {
        let metric = format!(
            "---\nid: m\nkind: metric\ncheckins:\n  - {{date: {date}, value: {value}}}\n---\n"
        );
        let obj = "---\nid: o\nkind: objective\nparent: ps\nquarter: 2027-Q1\nkey_results:\n  - {metric: m, baseline: 0, target: 100, by: 2027-05-01}\n---\n";
        findings(
            &BehindPace,
            config,
            &[COMPANY, PRODUCT, ("m.md", &metric), ("o.md", obj)],
            today,
        )
    }

    #[test]
    fn a_quarter_of_the_time_is_the_first_point_judged() {
        let tight = "pace_tolerance: 0.1\n";
        assert_eq!(
            run(tight, "2027-01-31", "0", "2027-02-01"),
            vec!["o.md:7:38 warning: key result 1 is behind pace: 0% of the way from baseline to target, but 25% of its time (from 2027-01-01 to 2027-05-01) had passed at the check-in of 2027-01-31 (0)"]
        );
        assert!(run(tight, "2027-01-30", "0", "2027-02-01").is_empty());
    }

    #[test]
    fn progress_exactly_at_expected_minus_tolerance_passes() {
        // 2027-03-02 is 60 of 120 days: expected 50%, so 25% is the edge.
        assert!(run("", "2027-03-02", "25", "2027-03-05").is_empty());
        assert_eq!(run("", "2027-03-02", "24.9", "2027-03-05").len(), 1);
        assert!(run("pace_tolerance: 0.3\n", "2027-03-02", "24.9", "2027-03-05").is_empty());
        assert_eq!(
            run("pace_tolerance: 0\n", "2027-03-02", "49", "2027-03-05").len(),
            1
        );
    }

    #[test]
    fn after_the_deadline_overdue_speaks_instead() {
        assert_eq!(run("", "2027-04-20", "10", "2027-05-01").len(), 1);
        assert!(run("", "2027-04-20", "10", "2027-05-02").is_empty());
    }

    #[test]
    fn bets_success_criteria_are_paced_from_their_first_check_in_without_a_quarter() {
        let metric = "---\nid: m\nkind: metric\ndirection: down\ncheckins:\n  - {date: 2026-09-01, value: 50}\n  - {date: 2026-11-01, value: 45}\n---\n";
        let bet = |status: &str| {
            format!("---\nid: b\nkind: bet\nparent: ps\nstatus: {status}\nsuccess: {{metric: m, baseline: 50, target: 10, deadline: 2027-01-01}}\n---\n")
        };
        let open = bet("in-progress");
        assert_eq!(
            findings(&BehindPace, "", &[COMPANY, PRODUCT, ("m.md", metric), ("b.md", &open)], "2026-11-24"),
            vec!["b.md:6:44 warning: success is behind pace: 12.5% of the way from baseline to target, but 50% of its time (from 2026-09-01 to 2027-01-01) had passed at the check-in of 2026-11-01 (45)"]
        );
        let done = bet("done");
        assert!(findings(
            &BehindPace,
            "",
            &[COMPANY, PRODUCT, ("m.md", metric), ("b.md", &done)],
            "2026-11-24"
        )
        .is_empty());
    }
}
