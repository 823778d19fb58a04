//! `untested-solution`: a solution taken on trust. Under a bet that has
//! committed resources, each solution should have an experiment that tests
//! the assumption it rests on; one without is built on belief.

use super::{is_closed, Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct UntestedSolution;

/// `untested-solution`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "untested-solution",
    title: "Solutions without an experiment",
    summary:
        "A solution with no experiment under it, beneath a bet that is committed or in progress.",
    severity: Severity::Info,
    scope: Scope::Document,
    rule: &UntestedSolution,
};

/// The nearest bet above `doc` that is committed or in progress.
pub(super) fn active_bet_above(ctx: &Context<'_>, doc: DocId) -> Option<DocId> {
    let bet = ctx
        .graph
        .ancestors(doc)
        .into_iter()
        .find(|&a| ctx.docs[a].kind == "bet")?;
    ctx.docs[bet]
        .status
        .is_some_and(|s| s.is_active_bet())
        .then_some(bet)
}

impl Rule for UntestedSolution {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let solution = &ctx.docs[id];
        if solution.kind != "solution" || is_closed(solution) {
            return;
        }
        let tested = ctx
            .graph
            .children(id)
            .iter()
            .any(|&c| ctx.docs[c].kind == "experiment");
        if tested {
            return;
        }
        let Some(bet) = active_bet_above(ctx, id) else {
            return;
        };
        let bet = &ctx.docs[bet];
        let status = bet.status.map_or("", |s| s.as_str());
        out.push(
            Diagnostic::new(
                self.id(),
                Severity::Info,
                &solution.file,
                ctx.span(solution, &[Step::Key("title")]),
                format!(
                    "no experiment tests this solution, and bet `{}` is {status}",
                    bet.id
                ),
            )
            .with_doc(&solution.id)
            .with_hint("add an experiment under it (`throughline new experiment`) that states the assumption it rests on"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn run(status: &str, experiment: bool) -> Vec<String> {
        let bet = format!("---\nid: bet\nkind: bet\nparent: ps\nstatus: {status}\n---\n");
        let mut files: Vec<(&str, &str)> = vec![
            COMPANY,
            PRODUCT,
            ("bet.md", &bet),
            ("out.md", "---\nid: out\nkind: outcome\nparent: bet\n---\n"),
            (
                "opp.md",
                "---\nid: opp\nkind: opportunity\nparent: out\n---\n",
            ),
            (
                "sol.md",
                "---\nid: sol\nkind: solution\ntitle: Alerts\nparent: opp\n---\n",
            ),
        ];
        if experiment {
            files.push((
                "exp.md",
                "---\nid: exp\nkind: experiment\nparent: sol\n---\n",
            ));
        }
        findings(&UntestedSolution, "", &files, "2026-11-24")
    }

    #[test]
    fn a_solution_needs_an_experiment_once_its_bet_commits() {
        assert_eq!(
            run("in-progress", false),
            vec![
                "sol.md:4:8 info: no experiment tests this solution, and bet `bet` is in-progress"
            ]
        );
        assert!(run("in-progress", true).is_empty());
        assert!(run("discovery", false).is_empty());
    }
}
