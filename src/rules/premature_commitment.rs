//! `premature-commitment`: discovery before committing resources. A bet that
//! is committed while any confidence dimension is low skipped the discovery
//! that would have raised it.

use super::{Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::Level;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct PrematureCommitment;

/// `premature-commitment`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "premature-commitment",
    title: "Committed before discovery",
    summary: "A bet is committed or in progress while a confidence dimension is low.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &PrematureCommitment,
};

impl Rule for PrematureCommitment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let bet = &ctx.docs[id];
        if bet.kind != "bet" {
            return;
        }
        let (Some(status), Some(confidence)) = (bet.status, bet.confidence) else {
            return;
        };
        if !status.is_active_bet() {
            return;
        }
        let low: Vec<&'static str> = [
            ("problem", confidence.problem),
            ("solution", confidence.solution),
            ("outcome", confidence.outcome),
        ]
        .into_iter()
        .filter_map(|(name, level)| (level == Some(Level::Low)).then_some(name))
        .collect();
        let Some(&first) = low.first() else { return };
        out.push(
            ctx.warning(
                self.id(),
                bet,
                ctx.span(bet, &[Step::Key("confidence"), Step::Key(first)]),
                format!("bet is {} while {} confidence is low", status.as_str(), low.join(" and ")),
            )
            .with_hint("run discovery (interviews, experiments) until every dimension is at least medium, or move the bet back to `discovery`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn bet(status: &str, confidence: &str) -> String {
        format!(
            "---\nid: b\nkind: bet\nparent: ps\nstatus: {status}\nconfidence: {confidence}\n---\n"
        )
    }

    #[test]
    fn low_confidence_blocks_commitment_only() {
        let b = bet(
            "committed",
            "{ problem: high, solution: low, outcome: low }",
        );
        assert_eq!(
            findings(
                &PrematureCommitment,
                "",
                &[COMPANY, PRODUCT, ("b.md", &b)],
                "2026-11-24"
            ),
            vec![
                "b.md:6:40 warning: bet is committed while solution and outcome confidence is low"
            ]
        );
        let b = bet("discovery", "{ problem: low, solution: low, outcome: low }");
        assert!(findings(
            &PrematureCommitment,
            "",
            &[COMPANY, PRODUCT, ("b.md", &b)],
            "2026-11-24"
        )
        .is_empty());
        let b = bet(
            "in-progress",
            "{ problem: medium, solution: medium, outcome: high }",
        );
        assert!(findings(
            &PrematureCommitment,
            "",
            &[COMPANY, PRODUCT, ("b.md", &b)],
            "2026-11-24"
        )
        .is_empty());
    }
}
