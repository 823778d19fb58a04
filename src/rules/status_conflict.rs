//! `status-conflict`: work going on under a decision that stopped it. A live
//! document under a dropped or archived parent spends effort the strategy
//! withdrew; a parent marked done while its children are still in progress
//! claims a result before the work is in.

use super::{Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::Status;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct StatusConflict;

/// `status-conflict`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "status-conflict",
    title: "Status at odds with the work below",
    summary: "A live document sits under a dropped or archived parent, or a done parent still has children in progress.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &StatusConflict,
};

/// Statuses that say work is planned or going on.
fn is_live(status: Status) -> bool {
    matches!(
        status,
        Status::Proposed | Status::Committed | Status::InProgress | Status::Active
    )
}

impl Rule for StatusConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let doc = &ctx.docs[id];
        let Some(status) = doc.status else { return };
        // The parent compared is the nearest one above that has a status
        // (an objective without one passes its bet's through), and a live
        // parent ends the search: a chain of live documents under a
        // dropped bet is reported once, at its top.
        if is_live(status) {
            let Some(parent) = ctx
                .graph
                .ancestors(id)
                .into_iter()
                .map(|p| &ctx.docs[p])
                .find(|p| p.status.is_some())
            else {
                return;
            };
            let Some(parent_status @ (Status::Dropped | Status::Archived)) = parent.status else {
                return;
            };
            out.push(
                ctx.warning(
                    self.id(),
                    doc,
                    ctx.span(doc, &[Step::Key("status")]),
                    format!(
                        "this {} is {} under {} `{}`, which is {}",
                        ctx.label(doc),
                        status.as_str(),
                        ctx.a_label(parent),
                        parent.id,
                        parent_status.as_str()
                    ),
                )
                .with_hint(format!(
                    "stop it (`status: dropped`), or, if it still serves the strategy, move it under a live parent; `{}` no longer asks for it",
                    parent.id
                )),
            );
        } else if status == Status::Done {
            let open: Vec<&str> = ctx
                .graph
                .children(id)
                .iter()
                .map(|&c| &ctx.docs[c])
                .filter(|c| !c.invalid && c.status == Some(Status::InProgress))
                .map(|c| c.id.as_str())
                .collect();
            if open.is_empty() {
                return;
            }
            let list = open
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut d = ctx
                .warning(
                    self.id(),
                    doc,
                    ctx.span(doc, &[Step::Key("status")]),
                    format!(
                        "this {} is done, but {} {} still in progress: {list}",
                        ctx.label(doc),
                        if open.len() == 1 { "one child" } else { "children" },
                        if open.len() == 1 { "is" } else { "are" },
                    ),
                )
                .with_hint("if the result is in, close or drop the remaining work; if not, the parent is not done yet");
            d.severity = Severity::Info;
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn run(bet_status: &str, child_status: &str) -> Vec<String> {
        let bet = format!("---\nid: b\nkind: bet\nparent: ps\nstatus: {bet_status}\n---\n");
        let obj = format!("---\nid: o\nkind: objective\nparent: b\nstatus: {child_status}\n---\n");
        findings(
            &StatusConflict,
            "",
            &[COMPANY, PRODUCT, ("b.md", &bet), ("o.md", &obj)],
            "2026-11-24",
        )
    }

    #[test]
    fn live_children_of_dropped_or_archived_parents_warn_on_the_child() {
        assert_eq!(
            run("dropped", "in-progress"),
            vec![
                "o.md:5:9 warning: this objective is in-progress under a bet `b`, which is dropped"
            ]
        );
        for live in ["proposed", "committed", "in-progress", "active"] {
            assert_eq!(run("archived", live).len(), 1, "{live}");
        }
        for settled in ["discovery", "done", "dropped", "archived"] {
            assert!(run("dropped", settled).is_empty(), "{settled}");
        }
        assert!(run("in-progress", "in-progress").is_empty());
    }

    #[test]
    fn a_done_parent_with_children_in_progress_is_an_info_on_the_parent() {
        assert_eq!(
            run("done", "in-progress"),
            vec!["b.md:5:9 info: this bet is done, but one child is still in progress: `o`"]
        );
        assert!(run("done", "committed").is_empty());
        assert!(run("done", "done").is_empty());
    }

    #[test]
    fn the_nearest_parent_with_a_status_counts() {
        let bet = (
            "b.md",
            "---\nid: b\nkind: bet\nparent: ps\nstatus: dropped\n---\n",
        );
        let obj = ("o.md", "---\nid: o\nkind: objective\nparent: b\n---\n");
        let work = (
            "w.md",
            "---\nid: w\nkind: work\nparent: o\nstatus: in-progress\n---\n",
        );
        assert_eq!(
            findings(
                &StatusConflict,
                "",
                &[COMPANY, PRODUCT, bet, obj, work],
                "2026-11-24"
            ),
            vec!["w.md:5:9 warning: this work is in-progress under a bet `b`, which is dropped"]
        );
        // A live objective in between is reported, and its work is not.
        let obj = (
            "o.md",
            "---\nid: o\nkind: objective\nparent: b\nstatus: committed\n---\n",
        );
        let found = findings(
            &StatusConflict,
            "",
            &[COMPANY, PRODUCT, bet, obj, work],
            "2026-11-24",
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("o.md:"), "{found:?}");
    }
}
