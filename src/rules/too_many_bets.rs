//! `too-many-bets`: if everything is strategic, nothing is. A quarter with
//! more active bets than the limit (default 4) has no real priorities.

use super::{Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct TooManyBets;

/// `too-many-bets`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "too-many-bets",
    title: "Too many bets at once",
    summary:
        "A quarter has more active (committed or in-progress) bets than `max_bets_per_quarter`.",
    severity: Severity::Warning,
    scope: Scope::Site,
    rule: &TooManyBets,
};

impl Rule for TooManyBets {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let max = ctx.config.max_bets_per_quarter;
        for load in crate::analysis::bet_loads(ctx.docs, max).filter(|l| l.over_limit()) {
            let (quarter, bets) = (load.quarter, &load.active);
            let first = &ctx.docs[bets[0]];
            let names: Vec<String> = bets
                .iter()
                .map(|&b| format!("`{}`", ctx.docs[b].id))
                .collect();
            out.push(
                ctx.warning(
                    self.id(),
                    first,
                    ctx.span(first, &[Step::Key("quarter")]),
                    format!("{quarter} has {} active bets; the limit is {max}", bets.len()),
                )
                .with_label(format!("active in {quarter}: {}", names.join(", ")))
                .with_hint("a strategy holds 2–4 bets a quarter: move the least important back to `proposed` or to a later quarter"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn bets(n: usize, status: &str) -> Vec<(String, String)> {
        (0..n)
            .map(|i| (format!("b{i}.md"), format!("---\nid: b{i}\nkind: bet\nparent: ps\nquarter: 2027-Q1\nstatus: {status}\n---\n")))
            .collect()
    }

    fn run(config: &str, extra: &[(String, String)]) -> Vec<String> {
        let mut files: Vec<(&str, &str)> = vec![COMPANY, PRODUCT];
        files.extend(extra.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        findings(&TooManyBets, config, &files, "2026-11-24")
    }

    #[test]
    fn four_is_fine_five_is_too_many() {
        assert!(run("", &bets(4, "committed")).is_empty());
        assert_eq!(
            run("", &bets(5, "in-progress")),
            vec!["b0.md:5:10 warning: 2027-Q1 has 5 active bets; the limit is 4"]
        );
        assert!(run("max_bets_per_quarter: 5\n", &bets(5, "committed")).is_empty());
    }

    #[test]
    fn only_active_bets_count() {
        let mut all = bets(4, "committed");
        all.push((
            "p.md".into(),
            "---\nid: p\nkind: bet\nparent: ps\nquarter: 2027-Q1\nstatus: proposed\n---\n".into(),
        ));
        assert!(run("", &all).is_empty());
    }
}
