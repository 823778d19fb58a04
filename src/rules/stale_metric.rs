//! `stale-metric`: no visible progress against goals. A metric nobody has
//! measured lately cannot tell anyone whether the strategy is working.

use super::{is_retired, Context, Rule, RuleMeta, Scope};
use crate::config::Schema;
use crate::date::{days_between, Cadence, Date};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::model::Document;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct StaleMetric;

/// `stale-metric`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "stale-metric",
    title: "Metrics without recent check-ins",
    summary: "A metric's latest check-in is older than its cadence.",
    severity: Severity::Warning,
    scope: Scope::Document,
    rule: &StaleMetric,
};

impl Rule for StaleMetric {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let metric = &ctx.docs[id];
        let Some((cadence, due)) = checkin_due(metric, &ctx.config.schema) else {
            return;
        };
        let Some((latest, due)) = metric.checkins.last().zip(due) else {
            out.push(
                ctx.warning(
                    self.id(),
                    metric,
                    ctx.span(metric, &[Step::Key("checkins")]),
                    "metric has no check-ins",
                )
                .with_hint(format!(
                    "record what it measures today: `checkins: [{{date: {}, value: …}}]`",
                    ctx.today
                )),
            );
            return;
        };
        if ctx.today > due {
            out.push(
                ctx.warning(
                    self.id(),
                    metric,
                    ctx.span(metric, &[Step::Key("checkins")]),
                    format!(
                        "latest check-in is {} days old ({}); check-ins are due every {cadence}",
                        days_between(latest.date, ctx.today),
                        latest.date
                    ),
                )
                .with_label(format!("due {due}"))
                .with_hint("measure it again and add the value under `checkins:`"),
            );
        }
    }
}

/// When `metric`'s next check-in is due: its cadence and the last day its
/// latest check-in counts (`None` inside: it has none, so it is due now).
/// `None` for what is not a live metric with a cadence. `stale-metric`
/// fires, and the digest lists a check-in as coming up, from this.
pub(crate) fn checkin_due(metric: &Document, schema: &Schema) -> Option<(Cadence, Option<Date>)> {
    if metric.kind != "metric" || is_retired(metric) {
        return None;
    }
    let cadence = crate::analysis::declared_cadence(metric, schema)?;
    Some((
        cadence,
        metric.checkins.last().map(|c| cadence.after(c.date)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::findings;

    #[test]
    fn one_month_cadence_boundary() {
        let metric = |date: &str| {
            format!("---\nid: m\nkind: metric\ncheckins:\n  - {{date: 2026-09-01, value: 3}}\n  - {{date: {date}, value: 4}}\n---\n")
        };
        let fresh = metric("2026-10-24");
        assert!(findings(&StaleMetric, "", &[("m.md", &fresh)], "2026-11-24").is_empty());
        let old = metric("2026-10-23");
        assert_eq!(
            findings(&StaleMetric, "", &[("m.md", &old)], "2026-11-24"),
            vec!["m.md:4:1 warning: latest check-in is 32 days old (2026-10-23); check-ins are due every 1 month"]
        );
    }

    #[test]
    fn no_check_ins_at_all() {
        assert_eq!(
            findings(
                &StaleMetric,
                "",
                &[("m.md", "---\nid: m\nkind: metric\n---\n")],
                "2026-11-24"
            ),
            vec!["m.md:3:7 warning: metric has no check-ins"]
        );
    }
}
