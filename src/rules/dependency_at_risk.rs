//! `dependency-at-risk`: a document waits on another that will not come in
//! time. Said at the `depends_on` entry of the one that waits, because that
//! team is the one that must act: chase, re-plan, or find another way.

use super::{Context, Rule, RuleMeta, Scope};
use crate::analysis::{dependency_links, dependency_risk};
use crate::diagnostics::{Diagnostic, Severity};

/// See the module docs.
pub(crate) struct DependencyAtRisk;

/// `dependency-at-risk`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "dependency-at-risk",
    title: "Waiting on work at risk",
    summary: "What a bet, objective or work item depends on is behind pace, dropped, not committed, planned later, or due after it is needed.",
    severity: Severity::Warning,
    // The risk reads the pace of what is waited on, whose metrics lie
    // beyond the waiting document's reach: judged whole on every change.
    scope: Scope::Site,
    rule: &DependencyAtRisk,
};

impl Rule for DependencyAtRisk {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for link in dependency_links(ctx.docs, ctx.graph) {
            let risk = dependency_risk(
                ctx.docs,
                ctx.graph,
                ctx.facts(),
                (link.from, link.dep),
                link.to,
                ctx.config.pace_tolerance,
                ctx.today,
            );
            let Some(risk) = risk else { continue };
            let doc = &ctx.docs[link.from];
            let target = &ctx.docs[link.to];
            out.push(
                ctx.warning(
                    self.id(),
                    doc,
                    link.dep.target.span,
                    format!("dependency `{}` is at risk: {}", target.id, risk.reason()),
                )
                .with_hint("agree a date with the team that delivers it, re-plan this work around it, or drop the dependency"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::findings;

    /// The findings for a waiting objective `w` (in `ours`) on an objective
    /// `d` written as `theirs`, with the dependency entry `entry`.
    fn judge(ours: &str, entry: &str, theirs: &str) -> Vec<String> {
        let metric = (
            "m.md",
            "---\nid: m\nkind: metric\ncheckins:\n  - {date: 2026-11-20, value: 0}\n---\n",
        );
        let w = format!("---\nid: w\nkind: objective\n{ours}depends_on:\n  - {entry}\n---\n");
        let d = format!("---\nid: d\nkind: objective\n{theirs}---\n");
        findings(
            &DependencyAtRisk,
            "",
            &[("w.md", &w), ("d.md", &d), metric],
            "2026-11-24",
        )
    }

    const COMMITTED: &str = "status: committed\nquarter: 2026-Q4\n";

    #[test]
    fn each_case_of_risk_is_reported_at_the_entry() {
        let at = "w.md:7:5 warning: dependency `d` is at risk: ";
        assert_eq!(
            judge(COMMITTED, "d", "status: dropped\n"),
            vec![format!("{at}it is dropped")]
        );
        // 2026-Q4: 54 of 91 days gone at the check-in, no progress.
        let behind = "status: in-progress\nquarter: 2026-Q4\nkey_results:\n  - {metric: m, baseline: 0, target: 10, by: 2026-12-31}\n";
        assert_eq!(
            judge(COMMITTED, "d", behind),
            vec![format!("{at}its goals are behind pace")]
        );
        assert_eq!(
            judge(COMMITTED, "d", "status: discovery\nquarter: 2026-Q4\n"),
            vec![format!("{at}it is still discovery while this is committed")]
        );
        assert_eq!(
            judge(COMMITTED, "d", "status: committed\nquarter: 2027-Q1\n"),
            vec![format!(
                "{at}it is planned for 2027-Q1, after this one's 2026-Q4"
            )]
        );
        assert_eq!(
            judge(
                COMMITTED,
                "{id: d, needed_by: 2026-11-30}",
                "status: committed\nquarter: 2026-Q4\n"
            ),
            vec!["w.md:7:10 warning: dependency `d` is at risk: its deadline 2026-12-31 is after it is needed, 2026-11-30".to_string()]
        );
    }

    #[test]
    fn what_is_done_or_in_time_is_never_at_risk() {
        assert!(judge(COMMITTED, "d", "status: done\nquarter: 2027-Q2\n").is_empty());
        assert!(judge(
            COMMITTED,
            "{id: d, needed_by: 2026-12-31}",
            "status: committed\nquarter: 2026-Q4\n"
        )
        .is_empty());
        // Nothing waits on a proposed dependency while this is itself proposed.
        assert!(judge("status: proposed\n", "d", "status: proposed\n").is_empty());
        assert!(judge("status: done\n", "d", "status: dropped\n").is_empty());
    }
}
