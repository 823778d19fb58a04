//! `missing-approval`: decision rights. A big bet commits a large share of
//! the organisation; someone with the authority to make that call must have
//! made it, by name.

use super::{is_retired, Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::Size;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct MissingApproval;

/// `missing-approval`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "missing-approval",
    title: "Committed without approval",
    summary: "A big bet has no `approval.approver`.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &MissingApproval,
};

impl Rule for MissingApproval {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let bet = &ctx.docs[id];
        if bet.kind != "bet" {
            return;
        }
        let approved = bet
            .approval
            .as_ref()
            .is_some_and(|a| a.approver.as_deref().is_some_and(|n| !n.trim().is_empty()));
        if bet.size != Some(Size::Big) || approved || is_retired(bet) {
            return;
        }
        out.push(
            ctx.warning(
                self.id(),
                bet,
                ctx.span(bet, &[Step::Key("size")]),
                "big bet has no named approver",
            )
            .with_hint(
                "record who made the call: `approval: { level: executive, approver: Name }`",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    #[test]
    fn only_big_bets_need_an_approver() {
        let big = (
            "a.md",
            "---\nid: a\nkind: bet\nparent: ps\nsize: big\napproval: { level: executive }\n---\n",
        );
        let approved = ("b.md", "---\nid: b\nkind: bet\nparent: ps\nsize: big\napproval: { level: executive, approver: Ana }\n---\n");
        let medium = (
            "c.md",
            "---\nid: c\nkind: bet\nparent: ps\nsize: medium\n---\n",
        );
        assert_eq!(
            findings(
                &MissingApproval,
                "",
                &[COMPANY, PRODUCT, big, approved, medium],
                "2026-11-24"
            ),
            vec!["a.md:5:7 warning: big bet has no named approver"]
        );
    }
}
