//! `no-dhm`: every initiative evaluated against delight, hard to copy and
//! margin. A bet without a DHM evaluation was never weighed against the
//! strategy's own criteria.

use super::{is_retired, Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct NoDhm;

/// `no-dhm`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "no-dhm",
    title: "Bets without a DHM evaluation",
    summary: "A bet has no DHM (delight, hard to copy, margin) evaluation.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &NoDhm,
};

impl Rule for NoDhm {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let bet = &ctx.docs[id];
        if bet.kind != "bet" {
            return;
        }
        if is_retired(bet) {
            return;
        }
        let hint = "score it 1–5 on each: `dhm: { delight: 4, hard_to_copy: 3, margin: 2 }`";
        match &bet.dhm {
            None => out.push(
                ctx.warning(
                    self.id(),
                    bet,
                    ctx.span(bet, &[Step::Key("kind")]),
                    "bet has no DHM evaluation",
                )
                .with_hint(hint),
            ),
            Some(dhm) => {
                let missing: Vec<&str> = [
                    ("delight", &dhm.delight),
                    ("hard_to_copy", &dhm.hard_to_copy),
                    ("margin", &dhm.margin),
                ]
                .into_iter()
                .filter_map(|(name, score)| score.is_none().then_some(name))
                .collect();
                if !missing.is_empty() {
                    out.push(
                        ctx.warning(
                            self.id(),
                            bet,
                            ctx.span(bet, &[Step::Key("dhm")]),
                            format!("DHM evaluation lacks {}", missing.join(", ")),
                        )
                        .with_hint(hint),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    #[test]
    fn missing_and_partial_evaluations() {
        let none = ("a.md", "---\nid: a\nkind: bet\nparent: ps\n---\n");
        let partial = (
            "b.md",
            "---\nid: b\nkind: bet\nparent: ps\ndhm: { delight: 4, margin: 2 }\n---\n",
        );
        let full = ("c.md", "---\nid: c\nkind: bet\nparent: ps\ndhm: { delight: 4, hard_to_copy: 3, margin: 2 }\n---\n");
        let dropped = (
            "d.md",
            "---\nid: d\nkind: bet\nparent: ps\nstatus: dropped\n---\n",
        );
        assert_eq!(
            findings(
                &NoDhm,
                "",
                &[COMPANY, PRODUCT, none, partial, full, dropped],
                "2026-11-24"
            ),
            vec![
                "a.md:3:7 warning: bet has no DHM evaluation",
                "b.md:5:6 warning: DHM evaluation lacks hard_to_copy"
            ]
        );
    }
}
