//! `metric-chain`: the guide's two diagnoses read from the metrics
//! themselves. Inputs drive outputs, outputs drive outcomes, outcomes drive
//! impact. When everything feeding an outcome moves and the outcome does
//! not, the strategy's theory of change is wrong (a strategy problem); when
//! an outcome moves and the impact it should drive does not, customers do
//! what was hoped but the business does not gain (a business-model problem).

use super::{is_retired, Context, Rule, RuleMeta, Scope};
use crate::analysis::{change_over, Change, Trend, WINDOW_DAYS};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::{DocId, Rel};
use crate::model::{Document, MetricType};
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct MetricChain;

/// `metric-chain`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "metric-chain",
    title: "Metrics that do not roll up",
    summary: "Every metric driving an outcome moved but the outcome is flat (a strategy problem), or an outcome moved but the impact it drives is flat (a business-model problem).",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &MetricChain,
};

/// A relative change with its sign: `+8%`, `-3%`.
impl MetricChain {
    /// The metrics whose `drives:` name `metric`, each once, in file order.
    fn upstream<'a>(&self, ctx: &Context<'a>, metric: DocId) -> Vec<(DocId, &'a Document)> {
        let mut ids: Vec<DocId> = ctx
            .graph
            .incoming(metric)
            .filter(|e| e.rel == Rel::Drives && e.from != metric)
            .map(|e| e.from)
            .filter(|&d| ctx.docs[d].kind == "metric" && !ctx.docs[d].invalid)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(|d| (d, &ctx.docs[d])).collect()
    }
}

impl Rule for MetricChain {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let metric = &ctx.docs[id];
        if metric.kind != "metric" {
            return;
        }
        let Some(kind @ (MetricType::Outcome | MetricType::Impact)) = metric.metric_type else {
            return;
        };
        if is_retired(metric) {
            return;
        }
        let Some(end) = metric.checkins.last().map(|c| c.date) else {
            return;
        };
        let mut upstream = self.upstream(ctx, id);
        if kind == MetricType::Impact {
            upstream.retain(|(_, u)| u.metric_type == Some(MetricType::Outcome));
        }
        if upstream.is_empty() {
            return;
        }
        let unit = metric.unit.as_deref().unwrap_or_default();
        let Some(own) = change_over(metric, end, WINDOW_DAYS) else {
            return;
        };
        if own.trend() != Trend::Flat {
            return;
        }
        let changes: Vec<(&Document, Option<Change>)> = upstream
            .iter()
            .map(|(_, u)| (*u, change_over(u, end, WINDOW_DAYS)))
            .collect();
        let moving: Vec<(&str, String)> = changes
            .iter()
            .filter_map(|(u, c)| {
                let c = c.filter(|c| c.trend() == Trend::Moving)?;
                Some((
                    u.id.as_str(),
                    c.in_words(u.unit.as_deref().unwrap_or_default()),
                ))
            })
            .collect();
        let listed = |form: fn(&str, &str) -> String| {
            moving
                .iter()
                .map(|(id, change)| form(id, change))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let message = match kind {
            // Every driver must be moving: one flat input explains a flat outcome.
            MetricType::Outcome if moving.len() == changes.len() => format!(
                "strategy problem: every metric that drives this outcome moved in the {WINDOW_DAYS} days to {end} ({}), but over those days the outcome showed {}",
                listed(|id, change| format!("`{id}`: {change}")),
                own.in_words(unit)
            ),
            MetricType::Impact if !moving.is_empty() => format!(
                "business-model problem: the outcome{} {} moved in the {WINDOW_DAYS} days to {end}, but over those days this impact metric showed {}",
                if moving.len() == 1 { "" } else { "s" },
                listed(|id, change| format!("`{id}` ({change})")),
                own.in_words(unit)
            ),
            _ => return,
        };
        let hint = if kind == MetricType::Outcome {
            "the work moves its inputs but not the customers: revisit the assumption that links them (the bet's outcome, the opportunity), not the effort"
        } else {
            "customers behave as hoped but the business does not gain: revisit pricing, margin or retention assumptions before pushing the outcome further"
        };
        out.push(
            ctx.warning(
                self.id(),
                metric,
                ctx.span(metric, &[Step::Key("type")]),
                message,
            )
            .with_label(format!("{} since {}", own.in_words(unit), own.from.date))
            .with_hint(hint),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::findings;

    /// A metric `id` of `ty`, driving `drives`, going from 100 on
    /// 2026-10-01 to `to` on 2026-11-15.
    fn metric(id: &str, ty: &str, drives: &str, to: f64) -> (String, String) {
        (
            format!("{id}.md"),
            format!("---\nid: {id}\nkind: metric\ntype: {ty}\ndrives: [{drives}]\ncheckins:\n  - {{date: 2026-10-01, value: 100}}\n  - {{date: 2026-11-15, value: {to}}}\n---\n"),
        )
    }

    fn run(files: &[(String, String)]) -> Vec<String> {
        let all: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        findings(&MetricChain, "", &all, "2026-11-24")
    }

    #[test]
    fn inputs_moving_and_the_outcome_flat_is_a_strategy_problem() {
        let files = [
            metric("demos", "input", "activation", 105.0),
            metric("guides", "output", "activation", 120.0),
            metric("activation", "outcome", "", 101.9),
        ];
        assert_eq!(
            run(&files),
            vec!["activation.md:4:7 warning: strategy problem: every metric that drives this outcome moved in the 90 days to 2026-11-15 (`demos`: +5, 5% better; `guides`: +20, 20% better), but over those days the outcome showed +1.9, 1.9% better"]
        );
    }

    #[test]
    fn the_boundaries_are_five_percent_up_and_two_percent_down() {
        let at = |input: f64, outcome: f64| {
            run(&[
                metric("demos", "input", "activation", input),
                metric("activation", "outcome", "", outcome),
            ])
            .len()
        };
        assert_eq!(at(105.0, 101.9), 1);
        assert_eq!(at(104.9, 101.9), 0, "an input short of 5% is not moving");
        assert_eq!(at(105.0, 102.0), 0, "an outcome up 2% is not flat");
        assert_eq!(at(105.0, 95.0), 1, "an outcome that fell is flat too");
    }

    #[test]
    fn one_driver_not_moving_clears_the_outcome() {
        let files = [
            metric("demos", "input", "activation", 110.0),
            metric("guides", "output", "activation", 101.0),
            metric("activation", "outcome", "", 100.0),
        ];
        assert!(run(&files).is_empty());
    }

    #[test]
    fn an_outcome_moving_and_the_impact_flat_is_a_business_model_problem() {
        let files = [
            metric("demos", "input", "revenue", 100.0),
            metric("activation", "outcome", "revenue", 107.0),
            metric("retention", "outcome", "revenue", 100.0),
            metric("revenue", "impact", "", 101.0),
        ];
        assert_eq!(
            run(&files),
            vec!["revenue.md:4:7 warning: business-model problem: the outcome `activation` (+7, 7% better) moved in the 90 days to 2026-11-15, but over those days this impact metric showed +1, 1% better"]
        );
        let files = [
            metric("activation", "outcome", "revenue", 104.0),
            metric("revenue", "impact", "", 101.0),
        ];
        assert!(run(&files).is_empty(), "no outcome moving");
    }

    #[test]
    fn metrics_that_drive_nothing_or_lack_check_ins_are_not_judged() {
        assert!(run(&[metric("activation", "outcome", "", 100.0)]).is_empty());
        let files = [
            (
                "demos.md".to_string(),
                "---\nid: demos\nkind: metric\ntype: input\ndrives: [activation]\n---\n"
                    .to_string(),
            ),
            metric("activation", "outcome", "", 100.0),
        ];
        assert!(
            run(&files).is_empty(),
            "an input without check-ins is not known to move"
        );
    }
}
