//! `untraced-work`: a team's tracked work that serves no objective. When a
//! large share of what a team builds in a quarter names nothing in the
//! strategy, either the plan is missing what the team really does or the
//! team is busy with what the plan does not want.

use super::{Context, Rule, RuleMeta, Scope};
use crate::analysis::work_trace;
use crate::diagnostics::{Diagnostic, Severity};
use crate::text::format_percent as percent;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct UntracedWork;

/// `untraced-work`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "untraced-work",
    title: "Work that traces to nothing",
    summary: "More than max_untraced_share of a team's tracker items in a quarter name no objective or bet.",
    severity: Severity::Warning,
    scope: Scope::Site,
    rule: &UntracedWork,
};

/// How many of the largest untraced items a finding names.
const NAMED: usize = 5;

impl Rule for UntracedWork {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let limit = ctx.config.max_untraced_share;
        for ((team, quarter), trace) in work_trace(ctx.docs, ctx.graph, ctx.facts()) {
            if !trace.exceeds(limit) {
                continue;
            }
            let largest = trace.largest_untraced(ctx.docs);
            let mut named: Vec<String> = largest
                .iter()
                .take(NAMED)
                .filter_map(|&d| ctx.docs[d].tracker.as_deref().map(|o| o.key.clone()))
                .collect();
            if largest.len() > NAMED {
                named.push(format!("and {} more", largest.len() - NAMED));
            }
            let team_doc = &ctx.docs[team];
            out.push(
                ctx.warning(
                    self.id(),
                    team_doc,
                    ctx.span(team_doc, &[Step::Key("kind")]),
                    format!(
                        "in {quarter}, {} of this team's {} tracker items ({}) trace to no objective or bet: {}; the limit is {}",
                        trace.untraced.len(),
                        trace.total(),
                        percent(trace.untraced_share()),
                        named.join(", "),
                        percent(limit),
                    ),
                )
                .with_hint("label each item `tl:<objective id>`, write `[[id]]` in it, or list its epic under the objective's `tracks:`; work that serves nothing is a question for the plan"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::WorkTrace;

    #[test]
    fn the_share_at_the_limit_is_within_it() {
        let trace = WorkTrace {
            traced: 7,
            untraced: crate::graph::DocId::all(3).collect(),
            ..WorkTrace::default()
        };
        assert!(!trace.exceeds(0.3));
        assert!(trace.exceeds(0.29));
    }
}
