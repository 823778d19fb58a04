//! `portfolio-imbalance`: bet sizing. In a quarter with enough active bets, a
//! majority of big bets concentrates risk; all small bets is incremental
//! thinking. A healthy portfolio mixes sizes.

use super::{Context, Rule, RuleMeta, Scope};
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Size;
use crate::yaml::Step;

/// See the module docs.
pub(crate) struct PortfolioImbalance;

/// `portfolio-imbalance`: its id, title, summary, severity and scope.
pub(super) const META: RuleMeta = RuleMeta {
    id: "portfolio-imbalance",
    title: "Unbalanced bet portfolio",
    summary: "In a quarter with 3+ active bets, over half are big, or all are small.",
    severity: Severity::Warning,
    scope: Scope::Site,
    rule: &PortfolioImbalance,
};

impl Rule for PortfolioImbalance {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (quarter, bets) in ctx.active_bets_by_quarter() {
            let n = bets.len();
            if n < ctx.config.portfolio_min_bets {
                continue;
            }
            let count = |size| {
                bets.iter()
                    .filter(|&&b| ctx.docs[b].size == Some(size))
                    .count()
            };
            let (big, small) = (count(Size::Big), count(Size::Small));
            let message = if big * 2 > n {
                format!("{big} of {quarter}'s {n} active bets are big: risk is concentrated")
            } else if small == n {
                format!(
                    "all {n} of {quarter}'s active bets are small: that is incremental thinking"
                )
            } else {
                continue;
            };
            let first = &ctx.docs[bets[0]];
            out.push(
                ctx.warning(self.id(), first, ctx.span(first, &[Step::Key("quarter")]), message)
                    .with_hint("mix big, medium and small bets: few big bets for step changes, small ones for quick, confident wins"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{findings, COMPANY, PRODUCT};

    fn run(sizes: &[&str]) -> Vec<String> {
        let files: Vec<(String, String)> = sizes
            .iter()
            .enumerate()
            .map(|(i, size)| {
                (format!("b{i}.md"), format!("---\nid: b{i}\nkind: bet\nparent: ps\nquarter: 2027-Q1\nstatus: committed\nsize: {size}\n---\n"))
            })
            .collect();
        let mut all: Vec<(&str, &str)> = vec![COMPANY, PRODUCT];
        all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        findings(&PortfolioImbalance, "", &all, "2026-11-24")
    }

    #[test]
    fn half_big_is_fine_over_half_is_not() {
        assert!(run(&["big", "big", "small", "medium"]).is_empty());
        assert_eq!(
            run(&["big", "big", "small"]),
            vec!["b0.md:5:10 warning: 2 of 2027-Q1's 3 active bets are big: risk is concentrated"]
        );
    }

    #[test]
    fn all_small_is_flagged_and_two_bets_are_not_judged() {
        assert_eq!(run(&["small", "small", "small"]), vec!["b0.md:5:10 warning: all 3 of 2027-Q1's active bets are small: that is incremental thinking"]);
        assert!(run(&["big", "big"]).is_empty());
    }
}
