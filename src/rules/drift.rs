//! `drift`: the strategy moved and this part has not caught up.
//!
//! Exact, where `throughline review` stamped what the document was reviewed
//! against (`reviewed_against:`): it fires when the parent or a `supports`
//! target no longer has the stamped fingerprint, whatever the dates say.
//! Otherwise by dates: a parent that changed after its child was last
//! reviewed, longer ago than the grace period, means the child may now
//! contradict it.

use super::{is_closed, Context, Rule, RuleMeta, Scope};
use crate::date::{days_between, Date};
use crate::diagnostics::{Diagnostic, Severity, Span};
use crate::graph::{DocId, Rel};
use crate::model::Document;
use crate::yaml::Step;

/// `n` days in words: "1 day", "16 days".
fn days(n: i64) -> String {
    crate::text::plural(usize::try_from(n).unwrap_or(0), "day")
}

/// See the module docs.
pub(crate) struct Drift;

/// `drift`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "drift",
    title: "Parent changed since review",
    summary: "The parent changed after this document was last reviewed, longer ago than the grace period.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &Drift,
};

impl Rule for Drift {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let doc = &ctx.docs[id];
        if is_closed(doc) {
            return;
        }
        let stamped = self.check_stamps(ctx, id, doc, out);
        self.check_decisions(ctx, id, doc, out);
        let Some(parent_id) = ctx.graph.parent(id) else {
            return;
        };
        if stamped.contains(&parent_id) {
            return;
        }
        let parent = &ctx.docs[parent_id];
        let (Some(changed), Some(last)) = (parent.changed_on(), ctx.last_review(id)) else {
            return;
        };
        if !drifted(ctx, last.date, changed) {
            return;
        }
        out.push(
            ctx.warning(
                self.id(),
                doc,
                review_span(ctx, doc, "parent"),
                format!(
                    "its parent `{}` changed on {changed}, {} after this {} was last reviewed ({})",
                    parent.id,
                    days(days_between(last.date, changed)),
                    ctx.label(doc),
                    last.date
                ),
            )
            .with_label(format!("parent changed {} ago", days(days_between(changed, ctx.today))))
            .with_hint("re-read it against its parent; change what no longer fits, then update `reviewed:`"),
        );
    }
}

/// Whether what changed on `changed` has left a document last reviewed on
/// `reviewed` behind: it changed after the review, and the grace period
/// (`drift_grace:`) to catch up has passed in full.
fn drifted(ctx: &Context<'_>, reviewed: Date, changed: Date) -> bool {
    changed > reviewed && ctx.today > ctx.config.drift_grace.after(changed)
}

/// Where a finding by dates points: the `reviewed:` that is out of date,
/// else `field`, the link to what changed.
fn review_span(ctx: &Context<'_>, doc: &Document, field: &'static str) -> Span {
    let key = if doc.reviewed.is_some() {
        "reviewed"
    } else {
        field
    };
    ctx.span(doc, &[Step::Key(key)])
}

impl Drift {
    /// Reports each decision that shapes `doc` (`decides:` it) and was
    /// superseded, by a decision dated after `doc` was last reviewed and
    /// longer ago than the grace period: the choice it was built on changed.
    fn check_decisions(
        &self,
        ctx: &Context<'_>,
        id: DocId,
        doc: &Document,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(last) = ctx.last_review(id) else {
            return;
        };
        for e in ctx.graph.incoming(id).filter(|e| e.rel == Rel::Decides) {
            let Some((by, Some(on))) = ctx.facts().superseded(e.from) else {
                continue;
            };
            if !drifted(ctx, last.date, on) {
                continue;
            }
            out.push(
                ctx.warning(
                    self.id(),
                    doc,
                    review_span(ctx, doc, "kind"),
                    format!(
                        "decision `{}`, which shapes it, was superseded by `{}` on {on}, {} after this {} was last reviewed ({})",
                        ctx.docs[e.from].id,
                        ctx.docs[by].id,
                        days(days_between(last.date, on)),
                        ctx.label(doc),
                        last.date
                    ),
                )
                .with_hint("re-read it against the new decision; change what no longer fits, then update `reviewed:`"),
            );
        }
    }

    /// Reports each stamped dependency (the parent or a `supports` target)
    /// whose content moved since the stamp; returns the dependencies that
    /// have a stamp, which the date rule then leaves alone.
    fn check_stamps(
        &self,
        ctx: &Context<'_>,
        id: DocId,
        doc: &Document,
        out: &mut Vec<Diagnostic>,
    ) -> Vec<DocId> {
        let depends_on: Vec<DocId> = ctx
            .graph
            .outgoing(id)
            .filter(|e| matches!(e.rel, Rel::Parent | Rel::Supports))
            .map(|e| e.to)
            .collect();
        let mut stamped = Vec::new();
        for stamp in &doc.reviewed_against {
            // A stamp for a document it no longer depends on says nothing.
            let Some(target) = ctx
                .graph
                .lookup(&stamp.target.id)
                .filter(|t| depends_on.contains(t))
            else {
                continue;
            };
            stamped.push(target);
            let Some(now) = ctx.facts().stamped_fingerprint(target) else {
                continue;
            };
            let Some(what) = now.changes_since(stamp.stamp) else {
                continue;
            };
            let since = doc
                .reviewed
                .map_or_else(String::new, |d| format!(" on {d}"));
            out.push(
                ctx.warning(
                    self.id(),
                    doc,
                    stamp.target.span,
                    format!(
                        "`{}` changed since this {} was reviewed against it{since}: {what}",
                        stamp.target.id,
                        ctx.label(doc),
                    ),
                )
                .with_label("changed since the review")
                .with_hint(format!(
                    "re-read it against `{}`; change what no longer fits, then run `throughline review {}`",
                    stamp.target.id, doc.id
                )),
            );
        }
        stamped
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

    /// A bet shaped by decision `d-old`, superseded by `d-new` on `on`; the
    /// bet last reviewed on `reviewed`, in its `reviewed:` or (with `by_review`)
    /// by a review that covers it.
    fn decided(on: &str, reviewed: &str, by_review: bool) -> Vec<(&'static str, &'static str)> {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let (field, review) = if by_review {
            (
                String::new(),
                format!("---\nid: r\nkind: review\ndate: {reviewed}\ncovers: [bet]\n---\n"),
            )
        } else {
            (format!("reviewed: {reviewed}\n"), String::new())
        };
        let mut files = vec![
            COMPANY,
            ("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n"),
            ("bet.md", leak(format!("---\nid: bet\nkind: bet\nparent: ps\n{field}---\n"))),
            ("d-old.md", "---\nid: d-old\nkind: decision\ndate: 2026-08-01\nstatus: superseded\nsuperseded_by: d-new\ndecides: [bet]\n---\n"),
            ("d-new.md", leak(format!("---\nid: d-new\nkind: decision\ndate: {on}\nstatus: accepted\n---\n"))),
        ];
        if by_review {
            files.push(("r.md", leak(review)));
        }
        files
    }

    /// Both kinds of drift start the day after the last review and fire
    /// once the grace period has passed in full; each points at
    /// `reviewed:`, else at a field of its own.
    #[test]
    fn drift_starts_after_the_review_and_fires_after_the_grace_period() {
        let today = "2026-11-24";
        // Superseded on the day of the review: reviewed against it.
        assert!(findings(
            &Drift,
            "",
            &decided("2026-09-01", "2026-09-01", false),
            today
        )
        .is_empty());
        // 30 days ago: the last day of the default grace.
        assert!(findings(
            &Drift,
            "",
            &decided("2026-10-25", "2026-09-01", false),
            today
        )
        .is_empty());
        assert_eq!(
            findings(&Drift, "", &decided("2026-10-24", "2026-09-01", false), today),
            vec!["bet.md:5:11 warning: decision `d-old`, which shapes it, was superseded by `d-new` on 2026-10-24, 53 days after this bet was last reviewed (2026-09-01)"]
        );
        assert_eq!(
            findings(&Drift, "", &decided("2026-09-02", "2026-09-01", true), today),
            vec!["bet.md:3:7 warning: decision `d-old`, which shapes it, was superseded by `d-new` on 2026-09-02, 1 day after this bet was last reviewed (2026-09-01)"]
        );
        // The parent changed on the day of the review; then the day after,
        // seen by a covering review.
        assert!(findings(&Drift, "", &site("2026-09-15", "2026-09-15"), today).is_empty());
        let mut files = decided("2026-08-01", "2026-09-15", true);
        files[1] = ("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\nupdated: 2026-09-16\n---\n");
        assert_eq!(
            findings(&Drift, "", &files, today),
            vec!["bet.md:4:9 warning: its parent `ps` changed on 2026-09-16, 1 day after this bet was last reviewed (2026-09-15)"]
        );
    }
}
