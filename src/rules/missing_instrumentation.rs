//! `missing-instrumentation`: bets without success criteria. Once resources
//! are committed, a bet needs an outcome, a metric, a baseline, a target and a
//! deadline, or nobody can learn whether it worked.

use super::{Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::Status;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct MissingInstrumentation;

/// `missing-instrumentation`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "missing-instrumentation",
    title: "Missing success criteria",
    summary:
        "A committed (or later) bet lacks success outcome, metric, baseline, target or deadline.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &MissingInstrumentation,
};

impl Rule for MissingInstrumentation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let bet = &ctx.docs[id];
        if bet.kind != "bet" {
            return;
        }
        let Some(status) = bet.status else { return };
        if !matches!(
            status,
            Status::Committed | Status::InProgress | Status::Done
        ) {
            return;
        }
        let success = bet.success.clone().unwrap_or_default();
        let missing: Vec<&str> = [
            ("outcome", success.outcome.is_none()),
            ("metric", success.metric.is_none()),
            ("baseline", success.baseline.is_none()),
            ("target", success.target.is_none()),
            ("deadline", success.deadline.is_none()),
        ]
        .into_iter()
        .filter_map(|(field, absent)| absent.then_some(field))
        .collect();
        if missing.is_empty() {
            return;
        }
        let (span, message) = if bet.success.is_some() {
            (
                ctx.span(bet, &[Step::Key("success")]),
                format!(
                    "{} bet's success criteria lack {}",
                    status.as_str(),
                    missing.join(", ")
                ),
            )
        } else {
            (
                ctx.span(bet, &[Step::Key("status")]),
                format!("{} bet has no success criteria", status.as_str()),
            )
        };
        out.push(
            ctx.warning(self.id(), bet, span, message)
                .with_hint("before execution, say what outcome you expect, how it is measured, from what baseline, to what target, by when"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn bet(status: &str, success: &str) -> String {
        format!("---\nid: bet\nkind: bet\nparent: ps\nstatus: {status}\n{success}---\n")
    }

    #[test]
    fn names_the_missing_fields() {
        let b = bet("committed", "success:\n  outcome: Paid same day\n  metric: payout rate\n  baseline: 12\n  target: 40\n");
        assert_eq!(
            findings(
                &MissingInstrumentation,
                "",
                &[COMPANY, PRODUCT, ("b.md", &b)],
                "2026-11-24"
            ),
            vec!["b.md:6:1 warning: committed bet's success criteria lack deadline"]
        );
        let b = bet("in-progress", "");
        assert_eq!(
            findings(
                &MissingInstrumentation,
                "",
                &[COMPANY, PRODUCT, ("b.md", &b)],
                "2026-11-24"
            ),
            vec!["b.md:5:9 warning: in-progress bet has no success criteria"]
        );
    }

    #[test]
    fn bets_still_in_discovery_need_none() {
        let b = bet("discovery", "");
        assert!(findings(
            &MissingInstrumentation,
            "",
            &[COMPANY, PRODUCT, ("b.md", &b)],
            "2026-11-24"
        )
        .is_empty());
    }
}
