//! Stage 3: strategy-health rules. Each rule is one small unit that reads the
//! resolved site and returns diagnostics; [`registry`] is the one list of them.
//! Rules never print, never touch files, and never see each other.

use crate::config::{Config, RuleLevel};
use crate::date::Date;
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::Graph;
use crate::model::Document;

/// Rules reported while loading and resolving; always errors.
pub const STRUCTURAL_RULES: &[&str] = &[
    "yaml",
    "schema",
    "duplicate-id",
    "broken-link",
    "invalid-parent",
    "cycle",
    "io",
    "encoding",
];

/// The strategy-health rules of SPEC §6, configurable per site.
pub const HEALTH_RULES: &[&str] = &[
    "stale",
    "drift",
    "orphan",
    "output-objective",
    "missing-instrumentation",
    "no-dhm",
    "too-many-bets",
    "portfolio-imbalance",
    "premature-commitment",
    "missing-approval",
    "overdue",
    "flat-outcome",
    "stale-metric",
    "overhead-heavy",
    "ost-shape",
];

/// What a rule may read.
pub struct Context<'a> {
    /// Every document in the run, in file order.
    pub docs: &'a [Document],
    /// The resolved links.
    pub graph: &'a Graph,
    /// The site config.
    pub config: &'a Config,
    /// The date the strategy is judged on.
    pub today: Date,
}

/// A strategy-health rule.
pub trait Rule: Sync {
    /// The rule id, one of [`HEALTH_RULES`].
    fn id(&self) -> &'static str;
    /// Appends what the rule finds to `out`.
    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Every health rule, in the order of SPEC §6.
pub fn registry() -> Vec<&'static dyn Rule> {
    Vec::new()
}

/// Runs every rule and applies the config's `rules:` levels.
pub fn run(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in registry() {
        let level = ctx.config.level_of(rule.id());
        if level == Some(RuleLevel::Allow) {
            continue;
        }
        let start = out.len();
        rule.check(ctx, &mut out);
        for d in &mut out[start..] {
            d.severity = match level {
                Some(RuleLevel::Deny) => Severity::Error,
                Some(RuleLevel::Warn) => Severity::Warning,
                _ => d.severity,
            };
        }
    }
    out
}
