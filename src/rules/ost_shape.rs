//! `ost-shape`: opportunity solution tree discipline. Solutions hang under
//! opportunities, each opportunity weighs more than one solution (info:
//! compare and contrast), and every experiment states the assumption it tests.

use super::{Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct OstShape;

/// `ost-shape`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "ost-shape",
    title: "Opportunity trees out of shape",
    summary: "A solution not under an opportunity, an opportunity with a single solution, or an experiment without an assumption.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &OstShape,
};

impl Rule for OstShape {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let doc = &ctx.docs[id];
        match doc.kind.as_str() {
            "solution" => {
                let parent = ctx.graph.parent(id).map(|p| &ctx.docs[p]);
                // A parent the schema forbids is already an `invalid-parent` error.
                let allowed = |kind: &str| ctx.kind(doc).is_some_and(|k| k.parents.allows(kind));
                match parent {
                    Some(p) if p.kind == "opportunity" || !allowed(&p.kind) => {}
                    other => {
                        let message = match other {
                            Some(p) => format!(
                                "solution hangs under {}, not an opportunity",
                                ctx.a_label(p)
                            ),
                            None => "solution has no opportunity above it".to_string(),
                        };
                        out.push(
                            ctx.warning(self.id(), doc, ctx.span(doc, &[Step::Key("parent")]), message)
                                .with_hint("name the customer problem it addresses: set `parent:` to an opportunity"),
                        );
                    }
                }
            }
            "opportunity" => {
                let solutions = ctx
                    .graph
                    .children(id)
                    .iter()
                    .filter(|&&c| ctx.docs[c].kind == "solution")
                    .count();
                if solutions == 1 {
                    let mut d = ctx
                        .warning(self.id(), doc, ctx.span(doc, &[Step::Key("kind")]), "opportunity has a single solution")
                        // rules.md asks for at least two solutions per opportunity: one more.
                        .with_hint("compare and contrast: sketch at least one more solution, so there are two to choose between");
                    d.severity = Severity::Info;
                    out.push(d);
                }
            }
            "experiment"
                if doc
                    .assumption
                    .as_deref()
                    .is_none_or(|a| a.trim().is_empty()) =>
            {
                out.push(
                    ctx.warning(
                        self.id(),
                        doc,
                        ctx.span(doc, &[Step::Key("kind")]),
                        "experiment does not say which assumption it tests",
                    )
                    .with_hint(
                        "add `assumption:`: the belief that must be true for the solution to work",
                    ),
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    #[test]
    fn tree_shape() {
        let files = [
            COMPANY,
            PRODUCT,
            ("out.md", "---\nid: out\nkind: outcome\nparent: ps\n---\n"),
            ("opp-one.md", "---\nid: opp-one\nkind: opportunity\nparent: out\n---\n"),
            ("opp-two.md", "---\nid: opp-two\nkind: opportunity\nparent: out\n---\n"),
            ("sol-a.md", "---\nid: sol-a\nkind: solution\nparent: opp-one\n---\n"),
            ("sol-b.md", "---\nid: sol-b\nkind: solution\nparent: opp-two\n---\n"),
            ("sol-c.md", "---\nid: sol-c\nkind: solution\nparent: opp-two\n---\n"),
            ("x-good.md", "---\nid: x-good\nkind: experiment\nparent: sol-b\nassumption: Merchants check balances daily\n---\n"),
            ("x-bad.md", "---\nid: x-bad\nkind: experiment\nparent: sol-b\n---\n"),
        ];
        assert_eq!(
            findings(&OstShape, "", &files, "2026-11-24"),
            vec![
                "opp-one.md:3:7 info: opportunity has a single solution",
                "x-bad.md:3:7 warning: experiment does not say which assumption it tests",
            ]
        );
    }

    #[test]
    fn a_solution_allowed_elsewhere_by_config_is_still_flagged() {
        let files = [
            COMPANY,
            PRODUCT,
            ("out.md", "---\nid: out\nkind: outcome\nparent: ps\n---\n"),
            ("sol.md", "---\nid: sol\nkind: solution\nparent: out\n---\n"),
        ];
        assert_eq!(
            findings(
                &OstShape,
                "kinds: { solution: { parents: [opportunity, outcome] } }\n",
                &files,
                "2026-11-24"
            ),
            vec!["sol.md:4:9 warning: solution hangs under an outcome, not an opportunity"]
        );
    }
}
