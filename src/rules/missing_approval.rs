//! `missing-approval`: decision rights. A big bet commits a large share of
//! the organisation; someone with the authority to make that call must have
//! made it, by name. The config's `approval:` says which sizes need whose
//! call (`{big: executive, medium: product}`); levels are ordered, team <
//! product < executive, and a higher one satisfies a lower.

use super::{is_retired, Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::{ApprovalLevel, Size};
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct MissingApproval;

/// `missing-approval`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "missing-approval",
    title: "Committed without approval",
    summary: "A bet of a size the config's `approval:` names (by default: big) has no `approval.approver`, or one of a lower level than the policy asks.",
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
        let Some(size) = bet.size else { return };
        let Some(needed) = ctx
            .config
            .approval
            .get(size.as_str())
            .and_then(|l| ApprovalLevel::parse(l))
        else {
            return;
        };
        if is_retired(bet) {
            return;
        }
        let approval = bet.approval.as_ref();
        let approver = approval
            .and_then(|a| a.approver.as_deref())
            .filter(|n| !n.trim().is_empty());
        let level = approval.and_then(|a| a.level);
        // A level not written counts as the lowest: enough only where the
        // lowest is asked for, as a named approver always was.
        let enough = level.unwrap_or(ApprovalLevel::Team) >= needed;
        let (message, hint) = match (approver, enough) {
            (Some(_), true) => return,
            (None, _) => {
                // The level the hint suggests: what the policy asks, or what
                // a bet of that size usually takes if that is more.
                let usual = match size {
                    Size::Big => ApprovalLevel::Executive,
                    Size::Medium => ApprovalLevel::Product,
                    Size::Small => ApprovalLevel::Team,
                };
                (
                    format!("{} bet has no named approver", size.as_str()),
                    format!(
                        "record who made the call: `approval: {{ level: {}, approver: Name }}`",
                        needed.max(usual).as_str()
                    ),
                )
            }
            (Some(name), false) => (
                match level {
                    Some(level) => format!(
                        "{} bet is approved at {} level by {name}; the policy asks for {}",
                        size.as_str(),
                        level.as_str(),
                        needed.as_str()
                    ),
                    None => format!(
                        "{} bet is approved by {name} at no stated level; the policy asks for {}",
                        size.as_str(),
                        needed.as_str()
                    ),
                },
                format!(
                    "have someone at {} level make the call (`approval.level`), or change the config's `approval:` policy",
                    needed.as_str()
                ),
            ),
        };
        let at = if approver.is_some() && bet.approval.as_ref().is_some_and(|a| a.level.is_some()) {
            ctx.span(bet, &[Step::Key("approval"), Step::Key("level")])
        } else {
            ctx.span(bet, &[Step::Key("size")])
        };
        out.push(ctx.warning(self.id(), bet, at, message).with_hint(hint));
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

    #[test]
    fn a_policy_by_size_asks_for_a_level_and_a_higher_one_satisfies_it() {
        let bet = |name: &str, size: &str, approval: &str| {
            (
                format!("{name}.md"),
                format!("---\nid: {name}\nkind: bet\nparent: ps\nsize: {size}\n{approval}---\n"),
            )
        };
        let files = [
            bet(
                "big-exec",
                "big",
                "approval: { level: executive, approver: Ana }\n",
            ),
            bet(
                "big-product",
                "big",
                "approval: { level: product, approver: Bo }\n",
            ),
            bet(
                "medium-exec",
                "medium",
                "approval: { level: executive, approver: Ana }\n",
            ),
            bet("medium-none", "medium", ""),
            bet("medium-nolevel", "medium", "approval: { approver: Cy }\n"),
            bet("small-none", "small", ""),
        ];
        let mut all: Vec<(&str, &str)> = vec![COMPANY, PRODUCT];
        all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        assert_eq!(
            findings(
                &MissingApproval,
                "approval: { big: executive, medium: product }\n",
                &all,
                "2026-11-24"
            ),
            vec![
                "big-product.md:6:20 warning: big bet is approved at product level by Bo; the policy asks for executive",
                "medium-nolevel.md:5:7 warning: medium bet is approved by Cy at no stated level; the policy asks for product",
                "medium-none.md:5:7 warning: medium bet has no named approver",
            ]
        );
    }

    #[test]
    fn the_configs_spellings_are_the_models() {
        assert_eq!(crate::config::BET_SIZES, Size::ALL);
        assert_eq!(crate::config::APPROVAL_LEVELS, ApprovalLevel::ALL);
    }
}
