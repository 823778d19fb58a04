//! `flat-outcome`: busy teams, no outcome. Most of the work under a bet is
//! done, yet its metric has not moved from the baseline toward the target:
//! the work shipped, the strategy did not happen.

use super::{Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::Status;
use crate::text::figure as number;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct FlatOutcome;

/// `flat-outcome`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "flat-outcome",
    title: "Outcomes that do not move",
    summary: "Most work under a bet is done, but its metric has not moved from the baseline toward the target.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &FlatOutcome,
};

impl Rule for FlatOutcome {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let bet = &ctx.docs[id];
        if bet.kind != "bet" {
            return;
        }
        let Some(success) = &bet.success else {
            return;
        };
        let goal = ctx.read_goal(success.metric.as_ref(), success.baseline, success.target);
        let (Some(baseline), Some(reading)) = (success.baseline, goal.latest) else {
            return;
        };
        let work: Vec<_> = ctx
            .graph
            .descendants(id)
            .into_iter()
            .map(|d| &ctx.docs[d])
            .filter(|d| d.kind == "work" && d.status != Some(Status::Dropped))
            .collect();
        let done = work
            .iter()
            .filter(|w| w.status == Some(Status::Done))
            .count();
        if work.is_empty() || done * 2 <= work.len() {
            return;
        }
        let up = goal.higher_is_better;
        let moved = if up {
            reading.value > baseline
        } else {
            reading.value < baseline
        };
        if moved {
            return;
        }
        out.push(
            ctx.warning(
                self.id(),
                bet,
                ctx.span(bet, &[Step::Key("success"), Step::Key("metric")]),
                format!(
                    "{done} of {} work items are done, but the metric is at {} ({}), no better than its baseline {}",
                    work.len(),
                    number(reading.value),
                    reading.date,
                    number(baseline)
                ),
            )
            .with_hint("completed work is not an outcome: revisit the bet's assumptions before adding more work"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn run(latest: &str, statuses: &[&str]) -> Vec<String> {
        let mut files: Vec<(String, String)> = vec![
            ("m.md".into(), format!("---\nid: m\nkind: metric\ncheckins:\n  - {{date: 2026-11-01, value: {latest}}}\n---\n")),
            ("b.md".into(), "---\nid: b\nkind: bet\nparent: ps\nsuccess: { metric: m, baseline: 12, target: 40 }\n---\n".into()),
            ("o.md".into(), "---\nid: o\nkind: objective\nparent: b\n---\n".into()),
        ];
        for (i, s) in statuses.iter().enumerate() {
            files.push((
                format!("w{i}.md"),
                format!("---\nid: w{i}\nkind: work\nparent: o\nstatus: {s}\n---\n"),
            ));
        }
        let mut all: Vec<(&str, &str)> = vec![COMPANY, PRODUCT];
        all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        findings(&FlatOutcome, "", &all, "2026-11-24")
    }

    #[test]
    fn most_work_done_and_metric_flat() {
        assert_eq!(
            run("12", &["done", "done", "in-progress"]),
            vec!["b.md:5:20 warning: 2 of 3 work items are done, but the metric is at 12 (2026-11-01), no better than its baseline 12"]
        );
    }

    #[test]
    fn half_done_or_moving_metrics_are_fine() {
        assert!(run("12", &["done", "in-progress"]).is_empty());
        assert!(run("15", &["done", "done", "done"]).is_empty());
    }
}
