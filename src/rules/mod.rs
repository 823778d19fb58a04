//! Stage 3: strategy-health rules (SPEC §6). Each rule is one small unit in
//! its own file that reads the resolved site and returns diagnostics;
//! [`registry`] is the one list of them. Rules never print, never touch files,
//! and never see each other.

mod behind_pace;
mod drift;
mod expired;
mod flat_outcome;
mod kr_count;
mod metric_chain;
mod missing_approval;
mod missing_instrumentation;
mod no_dhm;
mod orphan;
mod ost_shape;
mod output_objective;
mod overdue;
mod overhead_heavy;
mod portfolio_imbalance;
mod premature_commitment;
mod stale;
mod stale_metric;
mod status_conflict;
mod too_many_bets;
mod unplanned_work;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::analysis::Facts;
use crate::config::{Config, KindDef, RuleLevel};
use crate::date::{Date, Quarter};
use crate::diagnostics::{Diagnostic, Severity, Span};
use crate::graph::{DocId, Graph};
use crate::model::{Document, Status};
use crate::source::{split_front_matter, SourceFile};
use crate::text::LineIndex;
use crate::yaml::{Locator, Step};

/// The title a reader sees for a rule: what is wrong, in words
/// ("Missing success criteria"), where authors and `check` use the id.
/// The one table of titles; every page that shows a rule to readers asks here.
pub fn title(id: &'static str) -> &'static str {
    match id {
        "yaml" => "Front matter that does not parse",
        "schema" => "Fields with a wrong type or value",
        "duplicate-id" => "Documents sharing an id",
        "broken-link" => "Broken links",
        "invalid-parent" => "Parents of the wrong kind",
        "cycle" => "Parent chains that loop",
        "deep-chain" => "Parent chains too deep",
        "io" => "Files that cannot be read",
        "encoding" => "Files that are not UTF-8",
        "skipped-file" => "Skipped files",
        "large-code-block" => "Code blocks too large to highlight",
        "stale" => "Past their review date",
        "drift" => "Parent changed since review",
        "orphan" => "Not connected to the strategy",
        "output-objective" => "Objectives that describe outputs",
        "missing-instrumentation" => "Missing success criteria",
        "no-dhm" => "Bets without a DHM evaluation",
        "too-many-bets" => "Too many bets at once",
        "portfolio-imbalance" => "Unbalanced bet portfolio",
        "premature-commitment" => "Committed before discovery",
        "missing-approval" => "Committed without approval",
        "overdue" => "Past their deadline",
        "flat-outcome" => "Outcomes that do not move",
        "stale-metric" => "Metrics without recent check-ins",
        "overhead-heavy" => "Teams heavy on overhead",
        "ost-shape" => "Opportunity trees out of shape",
        "status-conflict" => "Status at odds with the work below",
        "expired" => "Open past their quarter",
        "kr-count" => "Objectives with too many key results",
        "behind-pace" => "Goals behind pace",
        "unplanned-work" => "Too much unplanned work",
        "metric-chain" => "Metrics that do not roll up",
        // A rule added without a title still shows, under its id.
        other => other,
    }
}

/// A strategy-health rule.
pub trait Rule: Sync {
    /// The rule id, one of [`HEALTH_RULES`].
    fn id(&self) -> &'static str;
    /// One sentence: what the rule catches.
    fn summary(&self) -> &'static str;
    /// The severity of its findings before the config's `rules:` levels; most rules warn.
    fn default_severity(&self) -> Severity {
        Severity::Warning
    }
    /// What its findings depend on; see [`Scope`].
    fn scope(&self) -> Scope {
        Scope::Site
    }
    /// Appends what the rule finds to `out`. A [`Scope::Document`] rule
    /// need not implement it: it is the findings of every judged document.
    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (id, _) in ctx.docs() {
            self.check_document(ctx, id, out);
        }
    }
    /// A [`Scope::Document`] rule's findings about `doc`, and about nothing else.
    fn check_document(&self, _ctx: &Context<'_>, _doc: DocId, _out: &mut Vec<Diagnostic>) {}
}

/// What a rule's findings depend on, which says when they must be computed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Each finding is about one document and reads only that document, its
    /// parent chain, its subtree, the documents it links to or that link to
    /// it, and their fields and facts. A change re-judges only the documents
    /// within that reach of it (`crate::analysis::dirty`); the rest keep their findings.
    Document,
    /// Findings weigh the whole site (counts per quarter or team): judged again on every change.
    Site,
}

/// Every health rule, in the order of SPEC §6, then those of SPEC §11 as they arrived.
pub fn registry() -> &'static [&'static dyn Rule] {
    &[
        &stale::Stale,
        &drift::Drift,
        &orphan::Orphan,
        &output_objective::OutputObjective,
        &missing_instrumentation::MissingInstrumentation,
        &no_dhm::NoDhm,
        &too_many_bets::TooManyBets,
        &portfolio_imbalance::PortfolioImbalance,
        &premature_commitment::PrematureCommitment,
        &missing_approval::MissingApproval,
        &overdue::Overdue,
        &flat_outcome::FlatOutcome,
        &stale_metric::StaleMetric,
        &overhead_heavy::OverheadHeavy,
        &ost_shape::OstShape,
        &status_conflict::StatusConflict,
        &expired::Expired,
        &kr_count::KrCount,
        &behind_pace::BehindPace,
        &unplanned_work::UnplannedWork,
        &metric_chain::MetricChain,
    ]
}

/// Every rule throughline reports, structural first, then build notes, with what it catches and its default severity.
pub fn catalog() -> Vec<crate::diagnostics::RuleInfo> {
    use crate::diagnostics::RuleInfo;
    let structural = [
        ("yaml", "Front matter is not valid YAML, or is never closed."),
        ("schema", "A field has the wrong type or value (unknown kind, bad date, score out of range); unknown-field typos are warnings."),
        ("duplicate-id", "Two documents share an id."),
        ("broken-link", "A link names an id, heading or path that does not exist."),
        ("invalid-parent", "The parent's kind is not allowed for this kind."),
        ("cycle", "The parent chain loops."),
        ("deep-chain", "A parent chain is more than 64 levels deep."),
        ("io", "A file or folder cannot be read, a symbolic link loops, or a file is too large."),
        ("encoding", "A file is not valid UTF-8."),
        ("skipped-file", "A symbolic link leads out of the site, or a path is a FIFO, device or socket: it is skipped and never read."),
    ];
    let mut all: Vec<RuleInfo> = structural
        .iter()
        .map(|&(id, summary)| RuleInfo {
            id,
            summary,
            // Skipping a file is not an error in the site, but a build that
            // skips one should not pass unnoticed under --deny-warnings.
            severity: if id == "skipped-file" {
                Severity::Warning
            } else {
                Severity::Error
            },
        })
        .collect();
    all.push(RuleInfo {
        id: "large-code-block",
        summary: "A code block is too large to highlight, so it is shown as plain text.",
        severity: Severity::Info,
    });
    all.extend(registry().iter().map(|r| RuleInfo {
        id: r.id(),
        summary: r.summary(),
        severity: r.default_severity(),
    }));
    all
}

/// Runs every rule and applies the config's `rules:` levels, in parallel;
/// the findings come in no particular order (sort them).
pub fn run(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let every: Vec<DocId> = ctx.docs().map(|(id, _)| id).collect();
    judge(ctx, &every)
}

/// [`run`] after a change, given the findings of the run before it on the
/// same documents under the same config and date: [`Scope::Document`] rules
/// judge again only the documents marked in `dirty` (indexed by [`DocId`])
/// and keep their earlier findings about the rest; [`Scope::Site`] rules run
/// in full. `earlier` may hold any other diagnostics too: they are dropped.
/// Gives the same findings as [`run`], in another order: sort them.
pub fn rerun(ctx: &Context<'_>, earlier: Vec<Diagnostic>, dirty: &[bool]) -> Vec<Diagnostic> {
    let per_document: Vec<&dyn Rule> = registry()
        .iter()
        .copied()
        .filter(|r| r.scope() == Scope::Document && judged(ctx, *r))
        .collect();
    let is_dirty = |file: &str| {
        ctx.docs
            .binary_search_by(|d| d.file.as_str().cmp(file))
            .map_or(true, |i| dirty.get(i).copied().unwrap_or(true))
    };
    let mut out: Vec<Diagnostic> = earlier
        .into_iter()
        .filter(|d| per_document.iter().any(|r| r.id() == d.rule) && !is_dirty(&d.file))
        .collect();
    let again: Vec<DocId> = ctx
        .docs()
        .map(|(id, _)| id)
        .filter(|&id| dirty.get(id).copied().unwrap_or(true))
        .collect();
    out.extend(judge(ctx, &again));
    out
}

/// Documents judged in one piece of work.
const DOCUMENTS_PER_JOB: usize = 256;

/// The findings of every [`Scope::Site`] rule, and of every
/// [`Scope::Document`] rule about the documents `docs`, with the config's
/// levels applied, in no particular order (callers sort them).
///
/// Each site rule is one piece of work, and so is each run of
/// [`DOCUMENTS_PER_JOB`] documents with every document rule. Cut by rule
/// instead, the threads went through the same documents at the same time,
/// and each waited for the other to locate a document's front matter
/// ([`Context::span`] does it once per document): during the rules only
/// one of two threads ran at a time.
fn judge(ctx: &Context<'_>, docs: &[DocId]) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let rules: Vec<&dyn Rule> = registry()
        .iter()
        .copied()
        .filter(|rule| judged(ctx, *rule))
        .collect();
    let (per_document, per_site): (Vec<&dyn Rule>, Vec<&dyn Rule>) = rules
        .into_iter()
        .partition(|rule| rule.scope() == Scope::Document);
    /// One piece of the work.
    enum Job<'r, 'd> {
        /// Every document rule, on these documents.
        Documents(&'d [DocId]),
        /// A site rule.
        Site(&'r dyn Rule),
    }
    let jobs: Vec<Job> = docs
        .chunks(DOCUMENTS_PER_JOB)
        .map(Job::Documents)
        .chain(per_site.into_iter().map(Job::Site))
        .collect();
    jobs.par_iter()
        .map(|job| {
            let mut out = Vec::new();
            match *job {
                Job::Documents(piece) => {
                    for &rule in &per_document {
                        let mut found = Vec::new();
                        for &id in piece {
                            rule.check_document(ctx, id, &mut found);
                        }
                        apply_level(ctx, rule, &mut found);
                        out.append(&mut found);
                    }
                }
                Job::Site(rule) => {
                    rule.check(ctx, &mut out);
                    apply_level(ctx, rule, &mut out);
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .into_iter()
        // Moved, not `concat`ed: that would clone every finding.
        .flatten()
        .collect()
}

/// Whether the config lets `rule` run at all.
fn judged(ctx: &Context<'_>, rule: &dyn Rule) -> bool {
    ctx.config.level_of(rule.id()) != Some(RuleLevel::Allow)
}

/// Applies the config's `rules:` level for `rule` to what it found.
fn apply_level(ctx: &Context<'_>, rule: &dyn Rule, found: &mut [Diagnostic]) {
    let level = ctx.config.level_of(rule.id());
    for d in found {
        d.severity = match level {
            Some(RuleLevel::Deny) => Severity::Error,
            Some(RuleLevel::Warn) => Severity::Warning,
            _ => d.severity,
        };
    }
}

pub use crate::analysis::{LastReview, ReviewSource};
pub use crate::diagnostics::catalog::{BUILD_NOTES, HEALTH_RULES, STRUCTURAL_RULES};
pub use output_objective::output_phrase;

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
    sources: &'a [SourceFile],
    facts: &'a Facts,
    /// Each source's front matter, indexed on the first span asked of it:
    /// indexing it again for every span would make a rule that reports every
    /// one of 100,000 key results quadratic.
    fronts: Vec<OnceLock<Option<Front<'a>>>>,
}

/// A document's front matter with its line index and locator.
struct Front<'a> {
    text: &'a str,
    yaml_offset: usize,
    lines: LineIndex,
    locator: Locator<'a>,
}

impl<'a> Context<'a> {
    /// What rules read of a resolved site; `facts` were derived from the same documents.
    pub fn new(
        docs: &'a [Document],
        graph: &'a Graph,
        config: &'a Config,
        sources: &'a [SourceFile],
        facts: &'a Facts,
        today: Date,
    ) -> Context<'a> {
        Context {
            docs,
            graph,
            config,
            today,
            sources,
            facts,
            fronts: sources.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// The documents rules judge: all but those whose front matter is unusable.
    pub fn docs(&self) -> impl Iterator<Item = (DocId, &'a Document)> {
        self.docs.iter().enumerate().filter(|(_, d)| !d.invalid)
    }

    /// The documents of `kind`.
    pub fn of_kind(&self, kind: &'static str) -> impl Iterator<Item = (DocId, &'a Document)> {
        self.docs().filter(move |(_, d)| d.kind == kind)
    }

    /// The kind definition of `doc`.
    pub fn kind(&self, doc: &Document) -> Option<&'a KindDef> {
        self.config.schema.get(&doc.kind)
    }

    /// The kind's label in lowercase, for the middle of a sentence.
    pub fn label(&self, doc: &Document) -> String {
        self.kind(doc)
            .map_or_else(|| doc.kind.clone(), |k| k.label.to_lowercase())
    }

    /// The label with its indefinite article: "a bet", "an outcome".
    pub fn a_label(&self, doc: &Document) -> String {
        let label = self.label(doc);
        let article = if label.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {label}")
    }

    /// The later of `reviewed` and any covering review's date, else the git date.
    pub fn last_review(&self, doc: DocId) -> Option<LastReview> {
        self.facts.last_review(doc)
    }

    /// A goal's metric reading (`crate::analysis::read_goal`), as pages show it.
    pub fn read_goal(
        &self,
        metric: Option<&crate::model::MetricRef>,
        baseline: Option<f64>,
        target: Option<f64>,
    ) -> crate::analysis::GoalReading {
        crate::analysis::read_goal(self.docs, self.graph, metric, baseline, target)
    }

    /// The pace of a goal written in `doc` as of the build date (`crate::analysis::current_pace`), with the config's `pace_tolerance`.
    pub fn pace(
        &self,
        doc: DocId,
        goal: crate::analysis::PacedGoal<'_>,
    ) -> Option<crate::analysis::Pace> {
        crate::analysis::current_pace(
            self.docs,
            self.graph,
            self.facts,
            doc,
            goal,
            self.config.pace_tolerance,
            self.today,
        )
    }

    /// The derived facts every consumer shares (`crate::analysis`).
    pub fn facts(&self) -> &'a Facts {
        self.facts
    }

    /// Where the value at `path` is written in `doc`; falls back to `kind:`, then to the file's start.
    pub fn span(&self, doc: &Document, path: &[Step<'_>]) -> Span {
        let front = self.fronts.get(doc.source).and_then(|f| {
            f.get_or_init(|| {
                let text = self.sources.get(doc.source)?.text.as_str();
                let fm = split_front_matter(text).ok()?;
                let front = &text[..fm.body_offset];
                Some(Front {
                    text: front,
                    yaml_offset: fm.yaml_offset,
                    lines: LineIndex::new(front),
                    locator: Locator::new(fm.yaml),
                })
            })
            .as_ref()
        });
        let Some(front) = front else {
            return Span::file_start();
        };
        let found = front
            .locator
            .value(path)
            .or_else(|| front.locator.value(&[Step::Key("kind")]));
        found.map_or(Span::file_start(), |l| {
            front
                .lines
                .span(front.text, front.yaml_offset + l.offset, l.len)
        })
    }

    /// A warning of `rule` about `doc`.
    pub fn warning(
        &self,
        rule: &'static str,
        doc: &Document,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::warning(rule, &doc.file, span, message).with_doc(&doc.id)
    }

    /// Bets that are `committed` or `in-progress`, grouped by quarter.
    pub fn active_bets_by_quarter(&self) -> BTreeMap<Quarter, Vec<DocId>> {
        let mut by_quarter: BTreeMap<Quarter, Vec<DocId>> = BTreeMap::new();
        for (id, bet) in self.of_kind("bet") {
            if let (Some(q), Some(status)) = (bet.quarter, bet.status) {
                if status.is_active_bet() {
                    by_quarter.entry(q).or_default().push(id);
                }
            }
        }
        by_quarter
    }
}

/// Whether a document is finished or retired (`done`, `dropped`, `archived`).
pub fn is_closed(doc: &Document) -> bool {
    doc.status.is_some_and(Status::is_closed)
}

/// Whether a document is retired (`dropped`, `archived`): nothing more is asked of it.
pub fn is_retired(doc: &Document) -> bool {
    matches!(doc.status, Some(Status::Dropped | Status::Archived))
}

#[cfg(test)]
pub(crate) mod testing {
    //! Runs one rule on a site written inline.

    use super::*;
    use crate::site::{analyze, Inputs, LoadOptions};

    /// `rule`'s findings on `files` as of `today`, as `file:line:col message` strings.
    pub(crate) fn findings(
        rule: &dyn Rule,
        config: &str,
        files: &[(&str, &str)],
        today: &str,
    ) -> Vec<String> {
        run(rule, config, files, today, false)
    }

    /// Like [`findings`], for fixtures that deliberately contain structural errors.
    pub(crate) fn findings_allowing_errors(
        rule: &dyn Rule,
        files: &[(&str, &str)],
        today: &str,
    ) -> Vec<String> {
        run(rule, "", files, today, true)
    }

    /// The options that load `content-example/` as of 2026-11-24, as the tests judge it.
    pub(crate) fn example_options() -> LoadOptions {
        LoadOptions {
            root: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"),
            today: crate::date::parse_date("2026-11-24").expect("date"),
            drafts: false,
            output_dir: None,
            base_url: None,
        }
    }

    /// `content-example/`, loaded as of 2026-11-24.
    pub(crate) fn example() -> crate::site::Site {
        crate::site::load(&example_options()).expect("the example loads")
    }

    /// The site `files` make with `config`, analysed as of `today`.
    pub(crate) fn site(config: &str, files: &[(&str, &str)], today: &str) -> crate::site::Site {
        let mut sources: Vec<SourceFile> = files
            .iter()
            .map(|(path, text)| SourceFile::new(path.to_string(), path.into(), text.to_string()))
            .collect();
        sources.sort_by(|a, b| a.path.cmp(&b.path));
        let config = Config::parse(config).expect("test config");
        let today = crate::date::parse_date(today).expect("test date");
        let options = LoadOptions {
            root: ".".into(),
            today,
            drafts: false,
            output_dir: None,
            base_url: None,
        };
        analyze(
            Inputs {
                config,
                sources,
                ..Inputs::default()
            },
            &options,
        )
    }

    /// What the rules read of `site`, as of the day it was judged.
    pub(crate) fn context(site: &crate::site::Site) -> Context<'_> {
        Context::new(
            &site.docs,
            &site.graph,
            &site.config,
            &site.sources,
            &site.facts,
            site.today,
        )
    }

    fn run(
        rule: &dyn Rule,
        config: &str,
        files: &[(&str, &str)],
        today: &str,
        allow_errors: bool,
    ) -> Vec<String> {
        let site = site(config, files, today);
        let structural: Vec<_> = site
            .diagnostics
            .iter()
            .filter(|d| !HEALTH_RULES.contains(&d.rule))
            .collect();
        assert!(
            allow_errors || structural.is_empty(),
            "fixture has structural problems: {structural:?}"
        );
        let ctx = context(&site);
        let mut out = Vec::new();
        rule.check(&ctx, &mut out);
        crate::diagnostics::sort(&mut out);
        out.iter()
            .map(|d| {
                format!(
                    "{}:{}:{} {}: {}",
                    d.file, d.span.line, d.span.column, d.severity, d.message
                )
            })
            .collect()
    }

    pub(crate) const COMPANY: (&str, &str) = (
        "cs.md",
        "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n",
    );
    pub(crate) const PRODUCT: (&str, &str) = (
        "ps.md",
        "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n",
    );
}

#[cfg(test)]
mod tests {
    use super::testing::{context, site, COMPANY, PRODUCT};
    use super::*;

    #[test]
    fn judging_documents_in_pieces_finds_what_each_rule_finds_over_all_of_them() {
        // More documents than one piece holds, each with findings from
        // several document rules (never reviewed, no success criteria, ...).
        let texts: Vec<(String, String)> = (0..DOCUMENTS_PER_JOB * 2 + 7)
            .map(|i| {
                (
                    format!("o{i:04}.md"),
                    format!(
                        "---\nid: o{i:04}\nkind: objective\nparent: ps\nstatus: active\nquarter: 2026-Q{}\n---\nShip the thing.\n",
                        1 + i % 4
                    ),
                )
            })
            .collect();
        let mut files: Vec<(&str, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        files.extend([COMPANY, PRODUCT]);
        let site = site("", &files, "2026-11-24");
        let ctx = context(&site);
        let mut one_by_one = Vec::new();
        for rule in registry() {
            let mut found = Vec::new();
            rule.check(&ctx, &mut found);
            apply_level(&ctx, *rule, &mut found);
            one_by_one.extend(found);
        }
        let mut in_pieces = run(&ctx);
        crate::diagnostics::sort(&mut in_pieces);
        crate::diagnostics::sort(&mut one_by_one);
        assert!(
            in_pieces.len() > DOCUMENTS_PER_JOB * 2,
            "the fixture has findings in every piece: {}",
            in_pieces.len()
        );
        assert_eq!(in_pieces, one_by_one);
    }
}
