//! Which rules exist, as plain data: the id lists of each group and
//! [`RuleInfo`]. A leaf: the config (which refuses levels for structural
//! rules), the renderers and the rules themselves read it, and it reads
//! nothing but [`Severity`].

use super::Severity;

/// What the outputs (SARIF, the docs test) need to know about a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// The rule id.
    pub id: &'static str,
    /// One sentence: what it catches.
    pub summary: &'static str,
    /// Its default severity.
    pub severity: Severity,
}

/// Rules reported while loading and resolving; errors, except `skipped-file`, a warning.
pub const STRUCTURAL_RULES: &[&str] = &[
    "yaml",
    "schema",
    "duplicate-id",
    "broken-link",
    "invalid-parent",
    "cycle",
    "deep-chain",
    "io",
    "encoding",
    "skipped-file",
];

/// Infos reported while loading about how a document is built differently
/// (a code block too large to highlight); never errors, not configurable.
pub const BUILD_NOTES: &[&str] = &["large-code-block"];

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
    "status-conflict",
    "expired",
    "kr-count",
    "behind-pace",
    "unplanned-work",
    "metric-chain",
];
