//! `drift`: the strategy moved and this part has not caught up. A parent that
//! changed after its child was last reviewed, longer ago than the grace
//! period, means the child may now contradict it.

use super::{is_closed, Context, Rule};
use crate::date::days_between;
use crate::diagnostics::Diagnostic;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct Drift;

impl Rule for Drift {
    fn id(&self) -> &'static str {
        "drift"
    }

    fn summary(&self) -> &'static str {
        "The parent changed after this document was last reviewed, longer ago than the grace period."
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let grace = ctx.config.drift_grace;
        for (id, doc) in ctx.docs() {
            if is_closed(doc) {
                continue;
            }
            let Some(parent) = ctx.graph.parent(id).map(|p| &ctx.docs[p]) else {
                continue;
            };
            let (Some(changed), Some(last)) = (parent.changed_on(), ctx.last_review(id)) else {
                continue;
            };
            if changed <= last.date || ctx.today <= grace.after(changed) {
                continue;
            }
            let span = match doc.reviewed {
                Some(_) => ctx.span(doc, &[Step::Key("reviewed")]),
                None => ctx.span(doc, &[Step::Key("parent")]),
            };
            out.push(
                ctx.warning(
                    self.id(),
                    doc,
                    span,
                    format!(
                        "its parent `{}` changed on {changed}, {} days after this {} was last reviewed ({})",
                        parent.id,
                        days_between(last.date, changed),
                        ctx.label(doc),
                        last.date
                    ),
                )
                .with_label(format!("parent changed {} days ago", days_between(changed, ctx.today)))
                .with_hint("re-read it against its parent; change what no longer fits, then update `reviewed:`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY};

    fn site(parent_updated: &str, child_reviewed: &str) -> Vec<(&'static str, &'static str)> {
        let ps = format!("---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\nupdated: {parent_updated}\n---\n");
        let bet = format!("---\nid: bet\nkind: bet\nparent: ps\nreviewed: {child_reviewed}\n---\n");
        vec![
            COMPANY,
            ("ps.md", Box::leak(ps.into_boxed_str())),
            ("bet.md", Box::leak(bet.into_boxed_str())),
        ]
    }

    #[test]
    fn a_parent_change_older_than_the_grace_period_is_drift() {
        assert_eq!(
            findings(&Drift, "", &site("2026-10-01", "2026-09-15"), "2026-11-24"),
            vec!["bet.md:5:11 warning: its parent `ps` changed on 2026-10-01, 16 days after this bet was last reviewed (2026-09-15)"]
        );
    }

    #[test]
    fn within_grace_or_reviewed_since_is_not_drift() {
        // Changed exactly 30 days ago: still within the default grace.
        assert!(findings(&Drift, "", &site("2026-10-25", "2026-09-15"), "2026-11-24").is_empty());
        assert!(findings(&Drift, "", &site("2026-10-01", "2026-10-02"), "2026-11-24").is_empty());
        assert_eq!(
            findings(
                &Drift,
                "drift_grace: 7d\n",
                &site("2026-11-10", "2026-09-15"),
                "2026-11-24"
            )
            .len(),
            1
        );
    }
}
