//! `input-key-result`: key results that measure activity, not change. An
//! objective all of whose key results name metric documents of type `input`
//! or `output` counts what the team does, not what customers or the business
//! do as a result; it complements `output-objective`, which reads only the
//! title.

use super::{is_closed, Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::{MetricRef, MetricType};
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct InputKeyResult;

/// `input-key-result`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "input-key-result",
    title: "Key results that measure activity",
    summary: "Every key result of an objective names a metric document of type input or output: none measures an outcome.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &InputKeyResult,
};

impl Rule for InputKeyResult {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let objective = &ctx.docs[id];
        if objective.kind != "objective" || is_closed(objective) || objective.key_results.is_empty()
        {
            return;
        }
        // Each key result's metric and its type, when every one names a
        // metric document of an activity type; else nothing to say.
        let mut named = Vec::with_capacity(objective.key_results.len());
        for kr in &objective.key_results {
            let Some(MetricRef::Id(r)) = &kr.metric else {
                return;
            };
            let Some(metric) = ctx.graph.lookup(&r.id).map(|m| &ctx.docs[m]) else {
                return;
            };
            match metric.metric_type {
                Some(t @ (MetricType::Input | MetricType::Output)) => {
                    named.push(format!("`{}` ({})", metric.id, t.as_str()));
                }
                _ => return,
            }
        }
        let message = if named.len() == 1 {
            format!(
                "its only key result measures {}: activity, not the change it should cause",
                named[0]
            )
        } else {
            format!(
                "all {} key results measure inputs or outputs ({}): none measures the change they should cause",
                named.len(),
                named.join(", ")
            )
        };
        out.push(
            ctx.warning(
                self.id(),
                objective,
                ctx.span(objective, &[Step::Key("key_results")]),
                message,
            )
            .with_hint("add a key result on an outcome metric (customer behaviour or a business result), and keep the input as a leading signal"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn run(krs: &str) -> Vec<String> {
        let objective =
            format!("---\nid: obj\nkind: objective\nparent: ps\nkey_results:\n{krs}---\n");
        let metric = |id: &str, ty: &str| {
            (
                format!("{id}.md"),
                format!("---\nid: {id}\nkind: metric\ntype: {ty}\n---\n"),
            )
        };
        let metrics = [
            metric("m-in", "input"),
            metric("m-out", "output"),
            metric("m-outcome", "outcome"),
        ];
        let mut all: Vec<(&str, &str)> = vec![COMPANY, PRODUCT, ("obj.md", &objective)];
        all.extend(metrics.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        findings(&InputKeyResult, "", &all, "2026-11-24")
    }

    #[test]
    fn only_objectives_whose_every_key_result_measures_activity_are_flagged() {
        assert_eq!(
            run("  - {metric: m-in, baseline: 1, target: 2}\n  - {metric: m-out, baseline: 1, target: 2}\n"),
            vec!["obj.md:5:1 warning: all 2 key results measure inputs or outputs (`m-in` (input), `m-out` (output)): none measures the change they should cause"]
        );
        assert_eq!(
            run("  - {metric: m-in, baseline: 1, target: 2}\n"),
            vec!["obj.md:5:1 warning: its only key result measures `m-in` (input): activity, not the change it should cause"]
        );
        // One outcome among them, a metric written as text, or an unknown id: silent.
        assert!(run("  - {metric: m-in, baseline: 1, target: 2}\n  - {metric: m-outcome, baseline: 1, target: 2}\n").is_empty());
        assert!(run("  - {metric: Weekly demos, baseline: 1, target: 2}\n").is_empty());
    }
}
