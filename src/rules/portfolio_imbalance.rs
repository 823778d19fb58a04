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
    summary: "In a quarter with 3+ active bets, over half are big, or all are small; with `portfolio_require_all_sizes`, one of big, medium and small is missing.",
    severity: Severity::Warning,
    scope: Scope::Site,
    rule: &PortfolioImbalance,
};

impl Rule for PortfolioImbalance {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (quarter, bets) in crate::analysis::active_bets_by_quarter(ctx.docs) {
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
            let missing: Vec<&str> = [Size::Big, Size::Medium, Size::Small]
                .into_iter()
                .filter(|&size| count(size) == 0)
                .map(Size::as_str)
                .collect();
            let message = if big * 2 > n {
                format!("{big} of {quarter}'s {n} active bets are big: risk is concentrated")
            } else if small == n {
                format!(
                    "all {n} of {quarter}'s active bets are small: that is incremental thinking"
                )
            } else if ctx.config.portfolio_require_all_sizes && !missing.is_empty() {
                format!(
                    "{quarter}'s {n} active bets include no {} bet: a healthy portfolio has all three sizes",
                    missing.join(" or ")
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
        run_with("", sizes)
    }

    fn run_with(config: &str, sizes: &[&str]) -> Vec<String> {
        let files: Vec<(String, String)> = sizes
            .iter()
            .enumerate()
            .map(|(i, size)| {
                (format!("b{i}.md"), format!("---\nid: b{i}\nkind: bet\nparent: ps\nquarter: 2027-Q1\nstatus: committed\nsize: {size}\n---\n"))
            })
            .collect();
        let mut all: Vec<(&str, &str)> = vec![COMPANY, PRODUCT];
        all.extend(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        findings(&PortfolioImbalance, config, &all, "2026-11-24")
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

    #[test]
    fn all_three_sizes_are_asked_for_only_when_the_config_says_so() {
        let all = "portfolio_require_all_sizes: true\n";
        assert!(run(&["big", "big", "medium", "medium"]).is_empty());
        assert_eq!(
            run_with(all, &["big", "big", "medium", "medium"]),
            vec!["b0.md:5:10 warning: 2027-Q1's 4 active bets include no small bet: a healthy portfolio has all three sizes"]
        );
        assert!(run_with(all, &["big", "medium", "small"]).is_empty());
        assert!(run_with(all, &["big", "medium"]).is_empty());
    }
}
