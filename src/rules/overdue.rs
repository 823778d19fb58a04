//! `overdue`: results, not tasks. A success or key-result deadline that has
//! passed with the target unmet, on something not closed, is a decision
//! nobody has taken: extend, change course, or stop.

use super::{is_closed, Context, Rule, RuleMeta, Scope};
use crate::date::{days_between, Date};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::{Document, MetricRef};
use crate::text::figure as number;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct Overdue;

/// `overdue`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "overdue",
    title: "Past their deadline",
    summary: "A success or key-result deadline has passed, the target is not met, and the work is not done.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &Overdue,
};

struct Goal<'a> {
    metric: Option<&'a MetricRef>,
    baseline: Option<f64>,
    target: Option<f64>,
    deadline: Date,
    what: String,
}

impl Overdue {
    fn judge(
        &self,
        ctx: &Context<'_>,
        doc: &Document,
        goal: Goal<'_>,
        path: &[Step<'_>],
        out: &mut Vec<Diagnostic>,
    ) {
        if goal.deadline >= ctx.today {
            return;
        }
        let Some(target) = goal.target else { return };
        let reading = ctx.read_goal(goal.metric, goal.baseline, goal.target);
        if reading.target_met(target) == Some(true) {
            return;
        }
        let progress = match reading.latest {
            Some(c) => format!(
                "the latest check-in ({}, {}) is short of the target {}",
                number(c.value),
                c.date,
                number(target)
            ),
            None => format!("no check-in shows the target {} met", number(target)),
        };
        out.push(
            ctx.warning(
                self.id(),
                doc,
                ctx.span(doc, path),
                format!("{} deadline {} passed {} days ago and {progress}", goal.what, goal.deadline, days_between(goal.deadline, ctx.today)),
            )
            .with_hint("decide: mark it `done` if the result is in, extend the deadline with a reason, change course, or drop it"),
        );
    }
}

impl Rule for Overdue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let doc = &ctx.docs[id];
        if is_closed(doc) {
            return;
        }
        if let Some(s) = doc.success.as_ref().filter(|_| doc.kind == "bet") {
            if let Some(deadline) = s.deadline {
                let goal = Goal {
                    metric: s.metric.as_ref(),
                    baseline: s.baseline,
                    target: s.target,
                    deadline,
                    what: "success".into(),
                };
                self.judge(
                    ctx,
                    doc,
                    goal,
                    &[Step::Key("success"), Step::Key("deadline")],
                    out,
                );
            }
        }
        if doc.kind != "objective" {
            return;
        }
        for (i, kr) in doc.key_results.iter().enumerate() {
            let Some(deadline) = kr.by else { continue };
            let goal = Goal {
                metric: kr.metric.as_ref(),
                baseline: kr.baseline,
                target: kr.target,
                deadline,
                what: format!("key result {}", i + 1),
            };
            self.judge(
                ctx,
                doc,
                goal,
                &[Step::Key("key_results"), Step::Index(i), Step::Key("by")],
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn site(direction: &str, latest: &str, status: &str) -> Vec<(String, String)> {
        vec![
            ("m.md".into(), format!("---\nid: m\nkind: metric\ndirection: {direction}\ncheckins:\n  - {{date: 2026-11-01, value: {latest}}}\n---\n")),
            ("b.md".into(), format!("---\nid: b\nkind: bet\nparent: ps\nstatus: {status}\nsuccess:\n  metric: m\n  baseline: 12\n  target: 40\n  deadline: 2026-10-31\n---\n")),
        ]
    }

    fn run(files: &[(String, String)], today: &str) -> Vec<String> {
        let mut all: Vec<(&str, &str)> = vec![COMPANY, PRODUCT];
        all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        findings(&Overdue, "", &all, today)
    }

    #[test]
    fn past_deadline_with_target_unmet() {
        assert_eq!(
            run(&site("up", "31", "in-progress"), "2026-11-24"),
            vec!["b.md:10:13 warning: success deadline 2026-10-31 passed 24 days ago and the latest check-in (31, 2026-11-01) is short of the target 40"]
        );
        // The deadline day itself is not overdue.
        assert!(run(&site("up", "31", "in-progress"), "2026-10-31").is_empty());
    }

    #[test]
    fn met_targets_done_work_and_direction_down() {
        assert!(run(&site("up", "41", "in-progress"), "2026-11-24").is_empty());
        assert!(run(&site("up", "31", "done"), "2026-11-24").is_empty());
        // Lower is better: 31 has not come down to 40 from 12? It is above the target, so not met.
        assert_eq!(run(&site("down", "41", "committed"), "2026-11-24").len(), 1);
        assert!(run(&site("down", "39", "committed"), "2026-11-24").is_empty());
    }

    #[test]
    fn key_results_of_objectives() {
        let obj = "---\nid: o\nkind: objective\nparent: ps\nkey_results:\n  - {metric: free text, baseline: 1, target: 2, by: 2026-09-30}\n---\n";
        assert_eq!(
            findings(&Overdue, "", &[COMPANY, PRODUCT, ("o.md", obj)], "2026-11-24"),
            vec!["o.md:6:53 warning: key result 1 deadline 2026-09-30 passed 55 days ago and no check-in shows the target 2 met"]
        );
    }
}
