//! `skipped-layer`: a gap in the cascade. A document of the strategy stack
//! whose parent sits more than one layer up (an objective straight under a
//! product strategy) skips a level the site uses elsewhere: "skipping levels
//! creates gaps". Only where the layer between exists in the site: a small
//! site without bets is not told to add one. The opportunity tree's kinds,
//! which hang beside the stack, are exempt.

use super::{is_retired, Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct SkippedLayer;

/// `skipped-layer`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "skipped-layer",
    title: "Layers skipped in the cascade",
    summary: "A strategy-stack document's parent is more than one layer up, and the site has documents of the layer between.",
    severity: Severity::Info,
    // Whether a layer exists anywhere in the site is a fact of the whole site.
    scope: Scope::Site,
    rule: &SkippedLayer,
};

impl Rule for SkippedLayer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let layer_of = |doc| ctx.kind(doc).filter(|k| !k.ost).and_then(|k| k.layer);
        // Which layers have a document, and the label of the first kind of each.
        let mut present: std::collections::BTreeMap<u8, String> = Default::default();
        for (_, doc) in ctx.docs() {
            if let Some(layer) = layer_of(doc) {
                present.entry(layer).or_insert_with(|| ctx.label(doc));
            }
        }
        for (id, doc) in ctx.docs() {
            let Some(layer) = layer_of(doc) else { continue };
            let Some(parent) = ctx.graph.parent(id).map(|p| &ctx.docs[p]) else {
                continue;
            };
            let Some(parent_layer) = layer_of(parent) else {
                continue;
            };
            // A parent the schema forbids is already an `invalid-parent` error.
            let allowed = ctx
                .kind(doc)
                .is_some_and(|k| k.parents.allows(&parent.kind));
            if is_retired(doc) || layer <= parent_layer + 1 || !allowed {
                continue;
            }
            let between: Vec<&str> = present
                .range(parent_layer + 1..layer)
                .map(|(_, label)| label.as_str())
                .collect();
            if between.is_empty() {
                continue;
            }
            let message = format!(
                "this {} sits directly under {} `{}`, skipping the {} layer",
                ctx.label(doc).to_lowercase(),
                ctx.a_label(parent).to_lowercase(),
                parent.id,
                between.join(" and ").to_lowercase()
            );
            out.push(
                Diagnostic::new(
                    self.id(),
                    Severity::Info,
                    &doc.file,
                    ctx.span(doc, &[Step::Key("parent")]),
                    message,
                )
                .with_doc(&doc.id)
                .with_hint(format!(
                    "place it under the {} it serves, so its link to the strategy has no gap",
                    between.last().copied().unwrap_or("layer").to_lowercase()
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    const OBJ: (&str, &str) = ("obj.md", "---\nid: obj\nkind: objective\nparent: ps\n---\n");

    #[test]
    fn a_skip_is_reported_only_where_the_layer_between_exists() {
        assert!(findings(&SkippedLayer, "", &[COMPANY, PRODUCT, OBJ], "2026-11-24").is_empty());
        let bet = ("bet.md", "---\nid: bet\nkind: bet\nparent: ps\n---\n");
        let work = ("w.md", "---\nid: w\nkind: work\nparent: bet\n---\n");
        let under_bet = ("o2.md", "---\nid: o2\nkind: objective\nparent: bet\n---\n");
        assert_eq!(
            findings(&SkippedLayer, "", &[COMPANY, PRODUCT, OBJ, bet, work, under_bet], "2026-11-24"),
            vec![
                "obj.md:4:9 info: this objective sits directly under a product strategy `ps`, skipping the bet layer",
                "w.md:4:9 info: this work sits directly under a bet `bet`, skipping the objective layer",
            ]
        );
    }
}
