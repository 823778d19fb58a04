//! `output-objective`: output OKRs instead of outcome OKRs. An objective must
//! name a change someone can measure (a key result with metric, baseline and
//! target), not a thing to ship.

use super::{is_closed, Context, Rule};
use crate::diagnostics::Diagnostic;
use crate::yaml::Step;

/// Verbs that make a title an output rather than an outcome.
const OUTPUT_VERBS: &[&str] = &["launch", "ship", "build", "release", "implement"];

/// See the module docs.
pub(crate) struct OutputObjective;

fn output_verb(title: &str) -> Option<&str> {
    let first = title.split_whitespace().next()?;
    let word = first.trim_end_matches([':', ',', '.']);
    OUTPUT_VERBS
        .iter()
        .any(|v| v.eq_ignore_ascii_case(word))
        .then_some(word)
}

impl Rule for OutputObjective {
    fn id(&self) -> &'static str {
        "output-objective"
    }

    fn summary(&self) -> &'static str {
        "An objective has no measurable key result, or its title names an output (Launch, Ship, Build, Release, Implement)."
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (_, objective) in ctx.of_kind("objective") {
            if is_closed(objective) {
                continue;
            }
            let measurable = objective
                .key_results
                .iter()
                .any(|kr| kr.metric.is_some() && kr.baseline.is_some() && kr.target.is_some());
            if !measurable {
                let message = if objective.key_results.is_empty() {
                    "objective has no key results".to_string()
                } else {
                    "no key result of this objective has a metric, a baseline and a target"
                        .to_string()
                };
                out.push(
                    ctx.warning(self.id(), objective, ctx.span(objective, &[Step::Key("key_results")]), message)
                        .with_hint("add `key_results: [{metric: …, baseline: …, target: …, by: …}]`: the change you expect, in numbers"),
                );
            }
            if let Some(verb) = output_verb(&objective.title) {
                out.push(
                    ctx.warning(
                        self.id(),
                        objective,
                        ctx.span(objective, &[Step::Key("title")]),
                        format!("the title describes an output (\"{verb} …\"), not an outcome"),
                    )
                    .with_hint("name the change in customer behaviour or business result, e.g. \"Increase 7-day activation from 40% to 55%\""),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    const KR: &str =
        "key_results:\n  - {metric: 7-day activation rate, baseline: 40, target: 55}\n";

    fn objective(title: &str, krs: &str) -> String {
        format!("---\nid: obj\nkind: objective\nparent: ps\ntitle: {title}\n{krs}---\n")
    }

    #[test]
    fn outcome_objectives_pass() {
        let o = objective("Increase 7-day activation from 40% to 55%", KR);
        assert!(findings(
            &OutputObjective,
            "",
            &[COMPANY, PRODUCT, ("o.md", &o)],
            "2026-11-24"
        )
        .is_empty());
        let o = objective("Launchpad adoption doubles", KR);
        assert!(findings(
            &OutputObjective,
            "",
            &[COMPANY, PRODUCT, ("o.md", &o)],
            "2026-11-24"
        )
        .is_empty());
    }

    #[test]
    fn output_titles_and_unmeasurable_key_results_are_flagged() {
        let o = objective("Launch the new onboarding", KR);
        assert_eq!(
            findings(
                &OutputObjective,
                "",
                &[COMPANY, PRODUCT, ("o.md", &o)],
                "2026-11-24"
            ),
            vec!["o.md:5:8 warning: the title describes an output (\"Launch …\"), not an outcome"]
        );
        let o = objective(
            "Increase activation",
            "key_results:\n  - {metric: 7-day activation rate, target: 55}\n",
        );
        assert_eq!(
            findings(&OutputObjective, "", &[COMPANY, PRODUCT, ("o.md", &o)], "2026-11-24"),
            vec!["o.md:6:1 warning: no key result of this objective has a metric, a baseline and a target"]
        );
    }
}
