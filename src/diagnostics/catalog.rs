//! The rules reported before the strategy-health rules run, as plain data:
//! the structural rules and build notes, each one [`RuleInfo`], and their id
//! lists. A leaf: the config (which refuses levels for these rules), the
//! renderers and the rules read it, and it reads nothing but [`Severity`].
//! The health rules describe themselves, each in its own file
//! (`crate::rules::RuleMeta`).

use super::Severity;

/// What the outputs (SARIF, the health page, the docs test) need to know about a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// The rule id.
    pub id: &'static str,
    /// What is wrong, in words, for readers of the site ("Broken links").
    pub title: &'static str,
    /// One sentence: what it catches.
    pub summary: &'static str,
    /// Its default severity.
    pub severity: Severity,
}

/// Rules reported while loading and resolving; errors, except `skipped-file`.
pub(crate) const STRUCTURAL: &[RuleInfo] = &[
    structural("yaml", "Front matter that does not parse", "Front matter is not valid YAML, or is never closed."),
    structural("schema", "Fields with a wrong type or value", "A field has the wrong type or value (unknown kind, bad date, score out of range); unknown-field typos are warnings."),
    structural("duplicate-id", "Documents sharing an id", "Two documents share an id."),
    structural("broken-link", "Broken links", "A link names an id, heading or path that does not exist."),
    structural("invalid-parent", "Parents of the wrong kind", "The parent's kind is not allowed for this kind."),
    structural("cycle", "Parent chains that loop", "The parent chain loops."),
    structural("dependency-cycle", "Work that waits in a loop", "Documents wait on each other through `depends_on`: none of them can go first."),
    structural("deep-chain", "Parent chains too deep", "A parent chain is more than 64 levels deep."),
    structural("io", "Files that cannot be read", "A file or folder cannot be read, a symbolic link loops, or a file is too large."),
    structural("encoding", "Files that are not UTF-8", "A file is not valid UTF-8."),
    structural("tracker-export", "Tracker exports that cannot be read", "A tracker's export cannot be read as its format or lacks a column (an error: it is not used); a row is bad (a warning: it is skipped); a `tracks:` entry matches nothing."),
    RuleInfo {
        id: "skipped-file",
        title: "Skipped files",
        summary: "A symbolic link leads out of the site, or a path is a FIFO, device or socket: it is skipped and never read.",
        // Skipping a file is not an error in the site, but a build that
        // skips one should not pass unnoticed under --deny-warnings.
        severity: Severity::Warning,
    },
];

/// Infos reported while loading about how a document is built differently
/// (a code block too large to highlight); never errors, not configurable.
pub(crate) const NOTES: &[RuleInfo] = &[RuleInfo {
    id: "large-code-block",
    title: "Code blocks too large to highlight",
    summary: "A code block is too large to highlight, so it is shown as plain text.",
    severity: Severity::Info,
}];

/// The ids of [`STRUCTURAL`], in its order.
pub const STRUCTURAL_RULES: &[&str] = &ids::<{ STRUCTURAL.len() }>(STRUCTURAL);

/// The ids of [`NOTES`].
pub const BUILD_NOTES: &[&str] = &ids::<{ NOTES.len() }>(NOTES);

/// A structural rule that is an error.
const fn structural(id: &'static str, title: &'static str, summary: &'static str) -> RuleInfo {
    RuleInfo {
        id,
        title,
        summary,
        severity: Severity::Error,
    }
}

/// The ids of `rules`, of which there are `N`.
const fn ids<const N: usize>(rules: &[RuleInfo]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = rules[i].id;
        i += 1;
    }
    out
}
