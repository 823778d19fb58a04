//! `expired`: time boxes nobody closed. A bet or objective planned for a
//! quarter that is over, and still open, was neither finished nor stopped:
//! the review that should have decided its fate did not.

use super::{Context, Rule, RuleMeta, Scope};
use crate::analysis::{expiry, Expiry};
use crate::date::days_between;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct Expired;

/// `expired`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "expired",
    title: "Open past their quarter",
    summary: "A bet or objective's quarter ended before the build date, but it is still open.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &Expired,
};

impl Rule for Expired {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let doc = &ctx.docs[id];
        let Some(Expiry { quarter, status }) = expiry(ctx.docs, ctx.facts(), id, ctx.today) else {
            return;
        };
        let ended = quarter.last_day();
        let (span, whose) = if doc.quarter.is_some() {
            (ctx.span(doc, &[Step::Key("quarter")]), String::new())
        } else {
            (
                ctx.span(doc, &[Step::Key("status")]),
                " (inherited from its parent)".to_string(),
            )
        };
        out.push(
            ctx.warning(
                self.id(),
                doc,
                span,
                format!(
                    "its quarter {quarter}{whose} ended on {ended}, {} ago, but this {} is still {}",
                    match days_between(ended, ctx.today) {
                        1 => "1 day".to_string(),
                        n => format!("{n} days"),
                    },
                    ctx.label(doc),
                    status.as_str()
                ),
            )
            .with_hint("close the time box: `done` if the result is in, `dropped` if not, or move it to the quarter it now belongs to and say why"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn run(status: &str, today: &str) -> Vec<String> {
        let bet =
            format!("---\nid: b\nkind: bet\nparent: ps\nquarter: 2026-Q3\nstatus: {status}\n---\n");
        findings(&Expired, "", &[COMPANY, PRODUCT, ("b.md", &bet)], today)
    }

    #[test]
    fn the_quarters_last_day_is_still_inside_it() {
        // 2026-Q3 ends on 2026-09-30.
        assert!(run("in-progress", "2026-09-30").is_empty());
        assert_eq!(
            run("in-progress", "2026-10-01"),
            vec!["b.md:5:10 warning: its quarter 2026-Q3 ended on 2026-09-30, 1 day ago, but this bet is still in-progress"]
        );
    }

    #[test]
    fn only_open_statuses_expire() {
        for open in ["proposed", "committed", "in-progress", "active"] {
            assert_eq!(run(open, "2026-11-24").len(), 1, "{open}");
        }
        for settled in ["discovery", "done", "dropped", "archived"] {
            assert!(run(settled, "2026-11-24").is_empty(), "{settled}");
        }
    }

    #[test]
    fn objectives_inherit_their_bets_quarter() {
        let bet = (
            "b.md",
            "---\nid: b\nkind: bet\nparent: ps\nquarter: 2026-Q3\nstatus: done\n---\n",
        );
        let obj = (
            "o.md",
            "---\nid: o\nkind: objective\nparent: b\nstatus: committed\n---\n",
        );
        let work = (
            "w.md",
            "---\nid: w\nkind: work\nparent: o\nstatus: in-progress\n---\n",
        );
        assert_eq!(
            findings(&Expired, "", &[COMPANY, PRODUCT, bet, obj, work], "2026-11-24"),
            vec!["o.md:5:9 warning: its quarter 2026-Q3 (inherited from its parent) ended on 2026-09-30, 55 days ago, but this objective is still committed"]
        );
    }
}
