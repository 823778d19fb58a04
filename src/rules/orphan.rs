//! `orphan`: work that was not in the plan. Bets, objectives, work and
//! opportunity-tree nodes must trace, by parent links, to a company strategy.
//! Only the topmost document of a broken chain is reported (its message counts
//! what hangs below it), so one missing link gives one finding.

use super::{Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct Orphan;

/// `orphan`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "orphan",
    title: "Not connected to the strategy",
    summary: "A bet, objective, work item or opportunity-tree node does not trace up to a company strategy.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &Orphan,
};

impl Orphan {
    fn must_trace(ctx: &Context<'_>, id: DocId) -> bool {
        let doc = &ctx.docs[id];
        !doc.invalid
            && ctx.kind(doc).is_some_and(|k| k.must_trace_to_strategy())
            && !ctx.graph.traces_to_strategy(id)
    }
}

impl Rule for Orphan {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let doc = &ctx.docs[id];
        if !Orphan::must_trace(ctx, id) {
            return;
        }
        let parent = ctx.graph.parent(id);
        // A written parent that did not resolve is already a `broken-link` or `cycle` error.
        if doc.parent.is_some() && parent.is_none() {
            return;
        }
        if parent.is_some_and(|p| Orphan::must_trace(ctx, p)) {
            return;
        }
        // A chain that passes through a document whose front matter does
        // not parse ends there only because its parent could not be read:
        // that is its `yaml` error, not a finding for this file.
        if ctx.graph.ancestors(id).iter().any(|&a| ctx.docs[a].invalid) {
            return;
        }
        let below = ctx.graph.descendants(id).len();
        let below = match below {
            0 => String::new(),
            1 => " (nor does the 1 document below it)".to_string(),
            n => format!(" (nor do the {n} documents below it)"),
        };
        let (message, span) = match parent {
            None => (
                format!(
                    "this {} has no parent, so it does not trace up to a company strategy{below}",
                    ctx.label(doc)
                ),
                ctx.span(doc, &[Step::Key("kind")]),
            ),
            Some(p) => {
                let top = ctx.graph.ancestors(id).last().copied().unwrap_or(p);
                (
                    format!(
                        "this {} does not trace up to a company strategy: its chain ends at `{}`, {} without a parent{below}",
                        ctx.label(doc),
                        ctx.docs[top].id,
                        ctx.a_label(&ctx.docs[top])
                    ),
                    ctx.span(doc, &[Step::Key("parent")]),
                )
            }
        };
        let hint = match ctx.kind(doc).map(|k| &k.parents) {
            Some(crate::config::ParentRule::Kinds(kinds)) => format!(
                "set `parent:` to the {} this serves, or drop the work if it serves none",
                kinds.join(" or ")
            ),
            _ => "connect it to the strategy with `parent:`".to_string(),
        };
        out.push(ctx.warning(self.id(), doc, span, message).with_hint(hint));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    #[test]
    fn the_top_of_a_broken_chain_is_reported_once() {
        let lone_ps = ("lone.md", "---\nid: lone\nkind: product-strategy\n---\n");
        let bet = ("bet.md", "---\nid: bet\nkind: bet\nparent: lone\n---\n");
        let obj = (
            "obj.md",
            "---\nid: obj\nkind: objective\nparent: bet\n---\n",
        );
        let work = ("work.md", "---\nid: w\nkind: work\n---\n");
        let fine = ("fine.md", "---\nid: fine\nkind: bet\nparent: ps\n---\n");
        assert_eq!(
            findings(&Orphan, "", &[COMPANY, PRODUCT, lone_ps, bet, obj, work, fine], "2026-11-24"),
            vec![
                "bet.md:4:9 warning: this bet does not trace up to a company strategy: its chain ends at `lone`, a product strategy without a parent (nor does the 1 document below it)",
                "work.md:3:7 warning: this work has no parent, so it does not trace up to a company strategy",
            ]
        );
    }

    #[test]
    fn a_broken_parent_link_is_not_also_an_orphan() {
        let bet = ("bet.md", "---\nid: bet\nkind: bet\nparent: ps\n---\n");
        let lost = (
            "lost.md",
            "---\nid: lost\nkind: bet\nparent: nowhere\n---\n",
        );
        let site = crate::rules::testing::findings_allowing_errors(
            &Orphan,
            &[COMPANY, PRODUCT, bet, lost],
            "2026-11-24",
        );
        assert!(site.is_empty(), "{site:?}");
    }

    #[test]
    fn reference_kinds_need_no_parent() {
        let team = ("team.md", "---\nid: t\nkind: team\n---\n");
        let metric = ("m.md", "---\nid: m\nkind: metric\n---\n");
        let page = ("p.md", "# Glossary\n");
        assert!(findings(&Orphan, "", &[COMPANY, team, metric, page], "2026-11-24").is_empty());
    }
}
