//! `stale`: strategy written once and never looked at again. A document whose
//! last review is older than its cadence is no longer known to be true.

use super::{Context, ReviewSource, Rule, RuleMeta, Scope};
use crate::date::days_between;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct Stale;

/// `stale`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "stale",
    title: "Past their review date",
    summary: "The last review is older than the document's review cadence.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &Stale,
};

impl Rule for Stale {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let doc = &ctx.docs[id];
        let Some(kind) = ctx.kind(doc) else { return };
        let Some(cadence) = crate::analysis::review_cadence(doc, &ctx.config.schema) else {
            return;
        };
        let label = ctx.label(doc);
        let Some(last) = ctx.last_review(id) else {
            if matches!(kind.layer, Some(1..=4)) {
                out.push(
                    ctx.warning(self.id(), doc, ctx.span(doc, &[Step::Key("kind")]), format!("{label} has never been reviewed"))
                        .with_hint(format!(
                            "once someone has confirmed it is still true, add `reviewed: {}`; cadence is {cadence}",
                            ctx.today
                        )),
                );
            }
            return;
        };
        let Some(due) = ctx.facts().next_review(id) else {
            return;
        };
        if ctx.today <= due {
            return;
        }
        let days = days_between(last.date, ctx.today);
        if crate::analysis::judged_by_changes(doc, &ctx.config.schema) {
            // Sprint work is judged by its changes, not by a review date.
            let (how, span) = match last.source {
                ReviewSource::Updated => ("`updated:`", ctx.span(doc, &[Step::Key("updated")])),
                ReviewSource::Git => ("git", ctx.span(doc, &[Step::Key("kind")])),
                ReviewSource::Field => ("`reviewed:`", ctx.span(doc, &[Step::Key("reviewed")])),
                ReviewSource::Review(_) => ("a review", ctx.span(doc, &[Step::Key("kind")])),
            };
            out.push(
                ctx.warning(self.id(), doc, span, format!("{label} has not changed for {days} days ({how}); cadence is {cadence}"))
                    .with_label(format!("due {due}"))
                    .with_hint("move it on: change its status, or close it if it is done or dropped; a change made outside git goes in `updated:`"),
            );
            return;
        }
        let (message, span) = match last.source {
            ReviewSource::Field => (
                format!("{label} was last reviewed {days} days ago; cadence is {cadence}"),
                ctx.span(doc, &[Step::Key("reviewed")]),
            ),
            ReviewSource::Review(r) => (
                format!("{label} was last reviewed {days} days ago, in `{}`; cadence is {cadence}", ctx.docs[r].id),
                ctx.span(doc, &[Step::Key("reviewed")]),
            ),
            ReviewSource::Git | ReviewSource::Updated => (
                format!("{label} has no `reviewed:` date and last changed {days} days ago (git); cadence is {cadence}"),
                ctx.span(doc, &[Step::Key("kind")]),
            ),
        };
        out.push(
            ctx.warning(self.id(), doc, span, message)
                .with_label(format!("due {due}"))
                .with_hint("re-read it with its owner; then set `reviewed:` to today's date, or record a review that `covers` it"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY};

    fn product(reviewed: &str) -> String {
        format!("---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: {reviewed}\n---\n")
    }

    #[test]
    fn the_due_day_is_still_fresh_and_the_next_is_stale() {
        let files = |p: &str| {
            vec![
                COMPANY,
                ("ps.md", Box::leak(product(p).into_boxed_str()) as &str),
            ]
        };
        assert!(findings(&Stale, "", &files("2026-05-24"), "2026-11-24").is_empty());
        assert_eq!(
            findings(&Stale, "", &files("2026-05-23"), "2026-11-24"),
            vec!["ps.md:5:11 warning: product strategy was last reviewed 185 days ago; cadence is 6 months"]
        );
    }

    #[test]
    fn a_covering_review_counts_and_closed_documents_never_go_stale() {
        let review = (
            "review.md",
            "---\nid: q3-review\nkind: review\ndate: 2026-10-01\ncovers: [ps]\n---\n",
        );
        let stale = (
            "ps.md",
            "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-01-01\n---\n",
        );
        assert!(findings(&Stale, "", &[COMPANY, stale, review], "2026-11-24").is_empty());
        let done = ("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nstatus: archived\nreviewed: 2020-01-01\n---\n");
        assert!(findings(&Stale, "", &[COMPANY, done], "2026-11-24").is_empty());
    }

    #[test]
    fn layers_one_to_four_without_any_date_are_never_reviewed() {
        let bet = ("bet.md", "---\nid: bet\nkind: bet\nparent: ps\n---\n");
        let work = ("work.md", "---\nid: w\nkind: work\nparent: bet\n---\n");
        let product = (
            "ps.md",
            "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n",
        );
        assert_eq!(
            findings(&Stale, "", &[COMPANY, product, bet, work], "2026-11-24"),
            vec!["bet.md:3:7 warning: bet has never been reviewed"]
        );
    }

    #[test]
    fn work_is_judged_by_its_last_change_not_by_the_review_date_new_wrote() {
        let work = |dates: &str| {
            let text = format!("---\nid: w\nkind: work\nstatus: in-progress\n{dates}---\n");
            findings(
                &Stale,
                "",
                &[COMPANY, ("w.md", Box::leak(text.into_boxed_str()))],
                "2026-11-24",
            )
        };
        // `new` wrote `reviewed:` a month ago; the status changed last week.
        assert!(work("reviewed: 2026-10-24\nupdated: 2026-11-17\n").is_empty());
        // Nothing changed for 38 days: stuck, whatever `reviewed:` says.
        assert_eq!(
            work("reviewed: 2026-10-10\nupdated: 2026-10-17\n"),
            vec!["w.md:6:10 warning: work has not changed for 38 days (`updated:`); cadence is 2 weeks"]
        );
        // Done work is never stale.
        let done = "---\nid: w\nkind: work\nstatus: done\nupdated: 2020-01-01\n---\n";
        assert!(findings(&Stale, "", &[COMPANY, ("w.md", done)], "2026-11-24").is_empty());
    }

    #[test]
    fn review_every_and_config_cadences_override_the_kind() {
        let product = ("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-10-01\nreview_every: 30d\n---\n");
        assert_eq!(
            findings(&Stale, "", &[COMPANY, product], "2026-11-24").len(),
            1
        );
        let product = (
            "ps.md",
            "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-10-01\n---\n",
        );
        assert_eq!(
            findings(
                &Stale,
                "kinds: { product-strategy: { cadence: 4w } }\n",
                &[COMPANY, product],
                "2026-11-24"
            )
            .len(),
            1
        );
    }
}
