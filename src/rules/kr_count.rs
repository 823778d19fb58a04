//! `kr-count`: an objective measured six ways is measured no way. More than
//! five key results spread a team's attention the way too many bets spread a
//! portfolio's.

use super::{is_closed, Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct KrCount;

/// `kr-count`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "kr-count",
    title: "Objectives with too many key results",
    summary: "An objective has more than five key results.",
    severity: Severity::Info,
    scope: Scope::Document,
    rule: &KrCount,
};

/// The most key results an objective should have.
const MAX_KEY_RESULTS: usize = 5;

impl Rule for KrCount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_document(&self, ctx: &Context<'_>, id: DocId, out: &mut Vec<Diagnostic>) {
        let doc = &ctx.docs[id];
        if doc.kind != "objective" {
            return;
        }
        let count = doc.key_results.len();
        // A closed objective is history: its list can no longer be trimmed.
        if count <= MAX_KEY_RESULTS || is_closed(doc) {
            return;
        }
        // Pointed at the first key result over the limit: the list above it is fine.
        let span = ctx.span(
            doc,
            &[Step::Key("key_results"), Step::Index(MAX_KEY_RESULTS)],
        );
        let mut d = ctx
            .warning(
                self.id(),
                doc,
                span,
                format!("objective has {count} key results; more than {MAX_KEY_RESULTS} spreads its focus"),
            )
            .with_label(format!("key result {}", MAX_KEY_RESULTS + 1))
            .with_hint("keep the two or three that best show the outcome; move the rest to another objective or track them as metrics");
        d.severity = self.default_severity();
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn run(count: usize, status: &str) -> Vec<String> {
        let krs: String = (0..count)
            .map(|i| format!("  - {{metric: m-{i}, baseline: 1, target: 2}}\n"))
            .collect();
        let obj = format!(
            "---\nid: o\nkind: objective\nparent: ps\nstatus: {status}\nkey_results:\n{krs}---\n"
        );
        let metrics: Vec<String> = (0..count)
            .map(|i| format!("---\nid: m-{i}\nkind: metric\n---\n"))
            .collect();
        let names: Vec<String> = (0..count).map(|i| format!("m{i}.md")).collect();
        let mut files = vec![COMPANY, PRODUCT, ("o.md", obj.as_str())];
        files.extend(
            names
                .iter()
                .map(String::as_str)
                .zip(metrics.iter().map(String::as_str)),
        );
        findings(&KrCount, "", &files, "2026-11-24")
    }

    #[test]
    fn five_key_results_are_fine_and_six_are_too_many() {
        assert!(run(5, "in-progress").is_empty());
        assert_eq!(
            run(6, "in-progress"),
            vec!["o.md:12:5 info: objective has 6 key results; more than 5 spreads its focus"]
        );
    }

    #[test]
    fn closed_objectives_are_left_alone() {
        for closed in ["done", "dropped", "archived"] {
            assert!(run(7, closed).is_empty(), "{closed}");
        }
        assert_eq!(run(7, "proposed").len(), 1);
    }
}
