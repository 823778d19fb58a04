//! `assumption-invalidated`: evidence ignored. An experiment found its
//! assumption false, yet the bet it serves carries on committed or in
//! progress with no review since: "update the strategy when you learn
//! something that changes your assumptions".

use super::{Context, Rule, RuleMeta, Scope};
use crate::analysis::ReviewSource;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{ExperimentResult, Status};
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct AssumptionInvalidated;

/// `assumption-invalidated`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "assumption-invalidated",
    title: "Invalidated assumptions not acted on",
    summary: "An experiment's `result: invalidated` (dated by `concluded:`, else `updated:`, else its last commit) sits under a solution or bet that is committed or in progress, which has not been reviewed since.",
    severity: Severity::Warning,
    // A review document that covers the bet changes the finding, and it is
    // no neighbour of the experiment: judged whole.
    scope: Scope::Site,
    rule: &AssumptionInvalidated,
};

impl Rule for AssumptionInvalidated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (id, experiment) in ctx.of_kind("experiment") {
            if experiment.result != Some(ExperimentResult::Invalidated) {
                continue;
            }
            let Some(concluded) = ctx.facts().concluded_on(id) else {
                continue;
            };
            let active = |d: crate::graph::DocId| {
                matches!(
                    ctx.docs[d].status,
                    Some(Status::Committed | Status::InProgress)
                )
            };
            // What acts on the evidence: the nearest bet above it, else the
            // solution it tests, whichever is committed or in progress.
            let ancestors = ctx.graph.ancestors(id);
            let target = ancestors
                .iter()
                .copied()
                .find(|&a| ctx.docs[a].kind == "bet")
                .filter(|&b| active(b))
                .or_else(|| {
                    ancestors
                        .iter()
                        .copied()
                        .find(|&a| ctx.docs[a].kind == "solution")
                        .filter(|&s| active(s))
                });
            let Some(target) = target else { continue };
            // A review, not a commit: the git date says the file changed, not
            // that anyone reconsidered.
            let reviewed = ctx
                .last_review(target)
                .filter(|r| r.source != ReviewSource::Git)
                .map(|r| r.date);
            if reviewed.is_some_and(|r| r >= concluded) {
                continue;
            }
            let t = &ctx.docs[target];
            let since = match reviewed {
                Some(r) => format!("last reviewed {r}"),
                None => "never reviewed".to_string(),
            };
            out.push(
                ctx.warning(
                    self.id(),
                    experiment,
                    ctx.span(experiment, &[Step::Key("result")]),
                    format!(
                        "this experiment invalidated its assumption on {concluded}, and {} `{}` is still {} ({since})",
                        ctx.label(t),
                        t.id,
                        t.status.map_or("", Status::as_str)
                    ),
                )
                .with_hint(format!(
                    "review `{}` in light of it: change course, or record why it stands (`throughline review {}`)",
                    t.id, t.id
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn run(bet: &str, experiment: &str, extra: &[(&str, &str)]) -> Vec<String> {
        let bet = format!("---\nid: bet\nkind: bet\nparent: ps\n{bet}---\n");
        let experiment = format!("---\nid: exp\nkind: experiment\nparent: sol\n{experiment}---\n");
        let mut files: Vec<(&str, &str)> = vec![
            COMPANY,
            PRODUCT,
            ("bet.md", &bet),
            ("out.md", "---\nid: out\nkind: outcome\nparent: bet\n---\n"),
            (
                "opp.md",
                "---\nid: opp\nkind: opportunity\nparent: out\n---\n",
            ),
            ("sol.md", "---\nid: sol\nkind: solution\nparent: opp\n---\n"),
            ("exp.md", &experiment),
        ];
        files.extend_from_slice(extra);
        findings(&AssumptionInvalidated, "", &files, "2026-11-24")
    }

    #[test]
    fn an_invalidated_assumption_under_an_active_bet_wants_a_review_since() {
        let bet = "status: in-progress\nreviewed: 2026-11-01\n";
        assert_eq!(
            run(bet, "result: invalidated\nconcluded: 2026-11-10\n", &[]),
            vec!["exp.md:5:9 warning: this experiment invalidated its assumption on 2026-11-10, and bet `bet` is still in-progress (last reviewed 2026-11-01)"]
        );
        // `updated:` dates it when `concluded:` does not.
        assert_eq!(
            run(bet, "result: invalidated\nupdated: 2026-11-05\n", &[]).len(),
            1
        );
        // Reviewed since, by its own field or by a review that covers it.
        assert!(run(bet, "result: invalidated\nconcluded: 2026-10-20\n", &[]).is_empty());
        let review = (
            "r.md",
            "---\nid: r\nkind: review\ndate: 2026-11-12\ncovers: [bet]\n---\n",
        );
        assert!(run(
            bet,
            "result: invalidated\nconcluded: 2026-11-10\n",
            &[review]
        )
        .is_empty());
        // Validated, or a bet not committed: nothing to act on.
        assert!(run(bet, "result: validated\nconcluded: 2026-11-10\n", &[]).is_empty());
        assert!(run(
            "status: discovery\n",
            "result: invalidated\nconcluded: 2026-11-10\n",
            &[]
        )
        .is_empty());
    }
}
