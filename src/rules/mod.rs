//! Stage 3: strategy-health rules (SPEC §6). Each rule is one small unit in
//! its own file that reads the resolved site and returns diagnostics;
//! [`registry`] is the one list of them. Rules never print, never touch files,
//! and never see each other.

mod assumption_invalidated;
mod behind_pace;
mod dependency_at_risk;
mod drift;
mod expired;
mod flat_outcome;
mod input_key_result;
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
mod skipped_layer;
mod stale;
mod stale_metric;
pub(crate) use stale_metric::checkin_due;
mod status_conflict;
mod too_many_bets;
mod unknown_person;
mod unplanned_work;
mod untested_solution;
mod untraced_work;

use std::sync::OnceLock;

use crate::analysis::Facts;
use crate::config::{Config, KindDef, RuleLevel};
use crate::date::Date;
use crate::diagnostics::catalog::{NOTES, STRUCTURAL};
use crate::diagnostics::{Diagnostic, RuleInfo, Severity, Span};
use crate::graph::{DocId, Graph};
use crate::model::{Document, Status};
use crate::source::{split_front_matter, SourceFile};
use crate::text::LineIndex;
use crate::yaml::{Locator, Step};

/// The title a reader sees for a rule: what is wrong, in words
/// ("Missing success criteria"), where authors and `check` use the id.
/// Every page that shows a rule to readers asks here; a rule without a
/// title shows under its id.
pub fn title(id: &'static str) -> &'static str {
    STRUCTURAL
        .iter()
        .chain(NOTES)
        .find(|r| r.id == id)
        .map(|r| r.title)
        .or_else(|| REGISTRY.iter().find(|m| m.id == id).map(|m| m.title))
        .unwrap_or(id)
}

/// A strategy-health rule: its logic. What it is called and what it
/// catches are its [`RuleMeta`], the `META` constant in its file.
pub trait Rule: Sync {
    /// The rule's metadata: `&META`.
    fn meta(&self) -> &'static RuleMeta;
    /// The rule id, one of [`HEALTH_RULES`].
    fn id(&self) -> &'static str {
        self.meta().id
    }
    /// One sentence: what the rule catches.
    fn summary(&self) -> &'static str {
        self.meta().summary
    }
    /// The severity of its findings before the config's `rules:` levels.
    fn default_severity(&self) -> Severity {
        self.meta().severity
    }
    /// What its findings depend on; see [`Scope`].
    fn scope(&self) -> Scope {
        self.meta().scope
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

/// Everything about a health rule but its logic, written once, as the
/// constant `META` in the rule's own file. The registry lists these; the
/// rule's id, title, summary, severity and scope are read from here and
/// nowhere else ([`HEALTH_RULES`], [`title`], [`catalog`], the config's
/// `rules:` names, SARIF, the health page).
#[derive(Clone, Copy)]
pub struct RuleMeta {
    /// The id `check` prints and the config's `rules:` sets; a section `## <id>` in docs/rules.md.
    pub id: &'static str,
    /// What is wrong, in words, for readers of the site ("Goals behind pace").
    pub title: &'static str,
    /// One sentence: what the rule catches.
    pub summary: &'static str,
    /// The severity of its findings before the config's `rules:` levels; most rules warn.
    pub severity: Severity,
    /// What its findings depend on.
    pub scope: Scope,
    /// The rule itself.
    pub rule: &'static dyn Rule,
}

impl RuleMeta {
    /// What the outputs need to know about the rule.
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            id: self.id,
            title: self.title,
            summary: self.summary,
            severity: self.severity,
        }
    }
}

/// Every health rule, one line each, in the order of SPEC §6, then those of
/// SPEC §11 as they arrived: the one list of them.
const REGISTRY: &[RuleMeta] = &[
    stale::META,
    drift::META,
    orphan::META,
    output_objective::META,
    missing_instrumentation::META,
    no_dhm::META,
    too_many_bets::META,
    portfolio_imbalance::META,
    premature_commitment::META,
    missing_approval::META,
    overdue::META,
    flat_outcome::META,
    stale_metric::META,
    overhead_heavy::META,
    ost_shape::META,
    status_conflict::META,
    expired::META,
    kr_count::META,
    behind_pace::META,
    unplanned_work::META,
    metric_chain::META,
    unknown_person::META,
    dependency_at_risk::META,
    input_key_result::META,
    skipped_layer::META,
    untested_solution::META,
    assumption_invalidated::META,
    untraced_work::META,
];

/// Every health rule, in the registry's order.
pub fn registry() -> &'static [RuleMeta] {
    REGISTRY
}

/// The ids of the strategy-health rules (SPEC §6), in the registry's order:
/// the rules a site's config may set.
pub const HEALTH_RULES: &[&str] = &ids::<{ REGISTRY.len() }>(REGISTRY);

/// The ids of `rules`, of which there are `N`.
const fn ids<const N: usize>(rules: &[RuleMeta]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = rules[i].id;
        i += 1;
    }
    out
}

/// Every rule throughline reports, structural first, then build notes, with what it catches and its default severity.
pub fn catalog() -> Vec<RuleInfo> {
    STRUCTURAL
        .iter()
        .chain(NOTES)
        .copied()
        .chain(REGISTRY.iter().map(RuleMeta::info))
        .collect()
}

/// Runs every rule and applies the config's `rules:` levels, in parallel;
/// the findings come in no particular order (sort them).
pub fn run(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let every: Vec<DocId> = ctx.judged_docs().collect();
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
        .map(|m| m.rule)
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
        .judged_docs()
        .filter(|&id| dirty.get(id.index()).copied().unwrap_or(true))
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
        .map(|m| m.rule)
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
pub use crate::diagnostics::catalog::{BUILD_NOTES, STRUCTURAL_RULES};
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
        DocId::all(self.docs.len())
            .zip(self.docs)
            .filter(|(_, d)| !d.invalid)
    }

    /// The documents the [`Scope::Document`] rules judge: not a tracker's
    /// items, whose truth is the tracker's (the site rules count them).
    fn judged_docs(&self) -> impl Iterator<Item = DocId> + 'a {
        self.docs()
            .filter(|(_, d)| d.tracker.is_none())
            .map(|(id, _)| id)
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
        let front = self.fronts.get(doc.source.index()).and_then(|f| {
            f.get_or_init(|| {
                let text = self.sources.get(doc.source.index())?.text.as_str();
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
            today: crate::date::Today::Given(crate::date::parse_date("2026-11-24").expect("date")),
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
        let config = Config::parse(config, HEALTH_RULES).expect("test config");
        let today = crate::date::parse_date(today).expect("test date");
        let options = LoadOptions {
            root: ".".into(),
            today: crate::date::Today::Given(today),
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
    fn every_rule_has_one_unique_id_a_title_and_a_summary() {
        // docs/rules.md's section per rule: `tests/testsuite/docs.rs`.
        let all = catalog();
        let mut seen = std::collections::BTreeSet::new();
        for rule in &all {
            assert!(seen.insert(rule.id), "`{}` is listed twice", rule.id);
            assert!(
                !rule.id.is_empty() && rule.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "`{}` is not a lowercase, hyphenated id",
                rule.id
            );
            assert!(!rule.title.trim().is_empty(), "`{}` has no title", rule.id);
            assert!(
                !rule.summary.trim().is_empty(),
                "`{}` has no summary",
                rule.id
            );
            assert_eq!(title(rule.id), rule.title, "the title of `{}`", rule.id);
        }
        for meta in registry() {
            // A `META` whose `rule` is another file's rule, or a rule whose
            // `meta()` is another file's `META`, shows here.
            assert_eq!(
                meta.rule.id(),
                meta.id,
                "`{}`'s META and rule disagree",
                meta.id
            );
        }
        let ids: Vec<&str> = registry().iter().map(|m| m.id).collect();
        assert_eq!(HEALTH_RULES, ids.as_slice());
        assert_eq!(
            all.len(),
            STRUCTURAL_RULES.len() + BUILD_NOTES.len() + HEALTH_RULES.len()
        );
    }

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
        for meta in registry() {
            let mut found = Vec::new();
            meta.rule.check(&ctx, &mut found);
            apply_level(&ctx, meta.rule, &mut found);
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
