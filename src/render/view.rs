//! What templates see: plain serialisable views of documents, computed once
//! per build from the checked site. Templates get ready-made URLs, labels,
//! percentages and SVG; they never reach into the graph themselves.
//!
//! URLs are relative to the site root (`bet-a/index.html`); each page adds its
//! own prefix (`root`, `../` for a document page), so the site works under any
//! sub-path and from the file system.
//!
//! Views borrow from the site rather than copy out of it: a [`DocLink`] is a
//! few references, cheap to put in every list of every page.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::{Pace, PaceVerdict, PacedGoal};
use crate::date::{days_between, Date, Quarter};
use crate::diagnostics::{Diagnostic, Severity};
use crate::graph::DocId;
use crate::hash::hash_of;
use crate::model::{Confidence, Dhm, DhmScore, Level, MetricRef, Status, Success};
use crate::site::Site;
use crate::text::figure as number;

/// A link to a document, with what a list or badge needs: what every page
/// that lists the document shows of it. `serve` hashes it whole to know
/// which pages a change reaches, so a new field is never forgotten there;
/// make one only with [`doc_link`].
#[derive(Debug, Clone, Copy, Serialize, Hash)]
pub struct DocLink<'a> {
    /// The id.
    pub id: &'a str,
    /// The title.
    pub title: &'a str,
    /// The kind name.
    pub kind: &'a str,
    /// The kind's label.
    pub kind_label: &'a str,
    /// The status, if any.
    pub status: Option<&'static str>,
    /// The page, relative to the site root.
    pub path: DocPath<'a>,
    /// How many warnings and errors this document has.
    pub warnings: usize,
    /// A tracker's item: its page in the tracker, where links go instead of
    /// `path` (an item has no page here). An item whose export carries no
    /// link has `path` set to what it serves, else the trace page.
    pub url: Option<&'a str>,
}

/// The page of the document with this id, relative to the site root
/// (`bet-a/index.html`); written out only where a page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocPath<'a>(pub &'a str);

impl DocPath<'_> {
    /// The path after `prefix` (`../` from another document's page), as a string.
    pub fn after(&self, prefix: &str) -> String {
        // Every link on every page makes one: skip the formatting machinery.
        let mut path = String::with_capacity(prefix.len() + self.0.len() + INDEX_HTML.len());
        path.push_str(prefix);
        path.push_str(self.0);
        path.push_str(INDEX_HTML);
        path
    }
}

impl fmt::Display for DocPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)?;
        f.write_str(INDEX_HTML)
    }
}

impl Serialize for DocPath<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The hash of a page's values (`crate::hash`, the one serializer
        // that is not human-readable) takes the id alone: the rest of the
        // path is the same for every document, and formatting it was half
        // of hashing a link. Templates get the path, written straight into
        // what they read.
        match serializer.is_human_readable() {
            true => serializer.collect_str(self),
            false => serializer.serialize_str(self.0),
        }
    }
}

/// What follows a document's id in its page's path.
pub const INDEX_HTML: &str = "/index.html";

/// A diagnostic as pages show it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Finding<'a> {
    /// The rule id.
    pub rule: &'static str,
    /// The rule's title for readers (`rules::title`).
    pub title: &'static str,
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// The message.
    pub message: &'a str,
    /// What to do.
    pub hint: Option<&'a str>,
    /// `file:line:column`.
    pub location: Location<'a>,
    /// The document, if known.
    pub doc: Option<DocLink<'a>>,
    /// The id of the document's team, own or inherited: the health page filters by it.
    pub team: Option<&'a str>,
    /// The document's owner: the health page filters by it.
    pub owner: Option<&'a str>,
    /// The document's next review (`analysis::Facts::next_review`): the
    /// health page sorts by it and shows how overdue it is.
    #[serde(skip)]
    pub due: Option<Date>,
}

/// Where a diagnostic points, written `file:line:column`.
#[derive(Debug, Clone, Copy)]
pub struct Location<'a>(&'a Diagnostic);

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(f, "{}:{}:{}", d.file, d.span.line, d.span.column)
    }
}

impl Serialize for Location<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One DHM score for display.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreView<'a> {
    /// 1 to 5.
    pub score: u8,
    /// Bar width, 20 to 100.
    pub pct: u8,
    /// The note, if any.
    pub note: Option<&'a str>,
}

/// A DHM evaluation for display.
#[derive(Debug, Clone, Serialize)]
pub struct DhmView<'a> {
    /// Delight.
    pub delight: Option<ScoreView<'a>>,
    /// Hard to copy.
    pub hard_to_copy: Option<ScoreView<'a>>,
    /// Margin.
    pub margin: Option<ScoreView<'a>>,
    /// The sum of the scores given, out of 15.
    pub total: u8,
}

/// A confidence level for display.
#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    /// `low`, `medium`, `high`, or `unknown`.
    pub level: &'static str,
    /// How many of three segments are lit.
    pub filled: u8,
}

/// The confidence meter.
#[derive(Debug, Clone, Serialize)]
pub struct ConfidenceView {
    /// Problem confidence.
    pub problem: LevelView,
    /// Solution confidence.
    pub solution: LevelView,
    /// Outcome confidence.
    pub outcome: LevelView,
    /// All three are high: ready to execute.
    pub ready: bool,
    /// Any is low: discovery needed.
    pub needs_discovery: bool,
    /// Committed, under way or closed: past the point where "not yet ready
    /// to execute" would mean anything, so the meter gives no verdict then.
    pub committed: bool,
    /// What the levels say of the bet at its status, if anything: ready or
    /// not before committing; once committed, only that a low level is a
    /// risk; nothing once it is closed.
    pub verdict: Option<&'static str>,
    /// The verdict's style: `ready`, `discovery` or none.
    pub verdict_class: &'static str,
}

/// Success criteria or a key result, with progress from the metric's check-ins.
#[derive(Debug, Clone, Serialize)]
pub struct GoalView<'a> {
    /// The outcome sought (success criteria only).
    pub outcome: Option<&'a str>,
    /// The metric as text, when it is not a link.
    pub metric_text: Option<&'a str>,
    /// The metric document, when it is a link.
    pub metric: Option<DocLink<'a>>,
    /// The metric's unit.
    pub unit: &'a str,
    /// The unit as written after a number ([`crate::text::unit_suffix`]).
    pub unit_suffix: String,
    /// Baseline.
    pub baseline: Option<String>,
    /// Latest measured value.
    pub current: Option<String>,
    /// Date of the latest value.
    pub current_date: Option<String>,
    /// Target.
    pub target: Option<String>,
    /// Deadline.
    pub deadline: Option<String>,
    /// Progress from baseline to target, 0–100, when measurable.
    pub progress: Option<u8>,
    /// Whether `progress` is known (templates test this, not the number, which may be 0).
    pub has_progress: bool,
    /// Its pace as `behind-pace` judges it: `on track`, `at risk` or `behind`.
    pub pace: Option<&'static str>,
    /// The pace as a style class: `on-track`, `at-risk`, `behind`.
    pub pace_class: Option<&'static str>,
    /// Where the goal stands, as the sentence starts it: `On track`, `Not started`, ...
    pub state: String,
    /// The outcome as a style class (`on-track`, `not-started`, ...).
    pub state_class: &'static str,
    /// The rest of the sentence: `79% of the target, 37% of the time`.
    pub detail: String,
    /// Where the goal should be today, 0–100: the tick on the bar.
    pub expected: Option<u8>,
    /// Whether `expected` is known.
    pub has_expected: bool,
}

/// Facts shared by every page of a build.
pub struct Model<'a> {
    /// The site.
    pub site: &'a Site,
    /// A link per document.
    pub links: Vec<DocLink<'a>>,
    /// Findings per document.
    pub findings: Vec<Vec<Finding<'a>>>,
    /// Findings not tied to a document (unreadable files, config).
    pub loose_findings: Vec<Finding<'a>>,
    /// Whether any document has a code block: every page then links the highlight stylesheet.
    pub has_code: bool,
    /// Whether any document depends on another: every page then links `dependencies/`.
    pub has_dependencies: bool,
    /// The build date, which every page shows, written once.
    pub today: String,
    /// What was rendered before: serve's memory, or the previous build's cache; `None` in a plain render.
    pub served: Option<&'a super::ServedPages>,
    /// A build's render over its previous output: a job whose inputs did
    /// not change keeps every page it wrote, unmade ([`ServedPages::job_unchanged`](super::ServedPages)).
    pub keeps_jobs: bool,
    // foldhash: every render looks up each finding's document by path.
    by_file: HashMap<&'a str, DocId, foldhash::fast::RandomState>,
    /// Every finding, by rule (in the health page's order of rules), then
    /// in the order of the site's diagnostics: made once for the health
    /// page and the rules' pages.
    by_rule: Vec<Finding<'a>>,
    /// Each rule's part of `by_rule`.
    rule_ranges: Vec<(&'static str, std::ops::Range<usize>)>,
    /// A key per finding of `by_rule`, from its document's [`Appearance`]s,
    /// when serve handed them over: what the health pages are keyed by.
    by_rule_keys: Option<Vec<u64>>,
    /// What a released text is read again through ([`Model::text_of`]).
    guard: crate::source::RootGuard,
    /// Every document's verdict and roll-up, made the first time a page
    /// asks ([`Model::verdict`], [`Model::rollup`]): one pass for the build.
    rollups: std::sync::OnceLock<RollupTable>,
}

/// What [`crate::analysis::rollups`] makes: a verdict and a roll-up per document.
type RollupTable = (
    Vec<Option<crate::analysis::Standing>>,
    Vec<crate::analysis::Rollup>,
);

/// A rule's findings with their keys, and where the rule stands on the health page.
type RuleBucket<'a> = (usize, &'static str, Vec<(Finding<'a>, u64)>);

/// The link to document `doc`, which has `warnings` findings.
pub fn doc_link(site: &Site, doc: DocId, warnings: usize) -> DocLink<'_> {
    let d = &site.docs[doc];
    let (path, url) = match d.tracker.as_deref() {
        None => (DocPath(&d.id), None),
        Some(origin) => {
            let served = site
                .graph
                .parent(doc)
                .map_or("trace", |p| site.docs[p].id.as_str());
            (DocPath(served), origin.url.as_deref())
        }
    };
    DocLink {
        id: &d.id,
        title: &d.title,
        kind: &d.kind,
        kind_label: site
            .config
            .schema
            .get(&d.kind)
            .map_or(d.kind.as_str(), |k| k.label.as_str()),
        status: d.status.map(|s| s.as_str()),
        path,
        warnings,
        url,
    }
}

/// What pages other than its own show of a document, and its findings,
/// each as a hash: serve compares them between analyses to find the pages
/// an edit reaches, and a page made of many documents' findings uses them
/// as its key instead of hashing every finding's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Appearance {
    /// What lists, badges and trees elsewhere show of the document.
    pub summary: u64,
    /// Its findings, in order.
    pub findings: u64,
}

/// Every document's [`Appearance`], by [`DocId`], and the findings tied to no document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Appearances {
    /// By document.
    pub docs: Vec<Appearance>,
    /// A hash of the findings whose file is no document (config, unreadable files).
    pub loose: u64,
}

/// Each document of `site` by its file.
// foldhash: every render looks up each finding's document by path.
fn docs_by_file(site: &Site) -> HashMap<&str, DocId, foldhash::fast::RandomState> {
    // A tracker's items share their export's path: a finding there is
    // about the export, not one of them.
    site.docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.tracker.is_none())
        .map(|(i, d)| (d.file.as_str(), DocId::new(i)))
        .collect()
}

impl Appearances {
    /// The appearances of `site`'s documents.
    pub fn of(site: &Site) -> Appearances {
        let by_file = docs_by_file(site);
        let mut own: Vec<Vec<&Diagnostic>> = vec![Vec::new(); site.docs.len()];
        let mut loose: Vec<&Diagnostic> = Vec::new();
        for d in &site.diagnostics {
            match by_file.get(d.file.as_str()) {
                Some(&i) => own[i].push(d),
                None => loose.push(d),
            }
        }
        let graph = &site.graph;
        let docs = site
            .docs
            .par_iter()
            .enumerate()
            .map(|(i, doc)| {
                let i = DocId::new(i);
                // An objective's pace shows on its bet's page, and can change
                // with a metric that is no neighbour of the bet.
                let pace = crate::analysis::worst_own_pace(
                    &site.docs,
                    graph,
                    &site.facts,
                    i,
                    site.config.pace_tolerance,
                    site.today,
                );
                let summary = hash_of(&(
                    // Whatever a list or badge on another page shows.
                    doc_link(site, i, own[i].len()),
                    pace.map(|p| p.as_str()),
                    // The trees' badge: a bet's standing reads its metric's
                    // check-ins, which no neighbour's appearance holds.
                    crate::analysis::verdict(
                        &site.docs,
                        graph,
                        &site.facts,
                        i,
                        site.config.pace_tolerance,
                        site.today,
                    ),
                    // What the trees on other pages add: filter data, where it hangs, and the
                    // note in an ancestor outcome's opportunity solution tree.
                    doc.team.as_ref().map(|t| &t.id),
                    // A dependency's line on the page that waits names the
                    // team of what it waits on: two links away from that page.
                    site.facts.team_of(i).map(|t| site.docs[t].title.as_str()),
                    doc.quarter,
                    // The trees' owner filter (`data-o`), and the person an owner links to.
                    doc.owner.as_deref(),
                    site.facts
                        .people()
                        .owner_of(i)
                        .map(|p| site.docs[p].id.as_str()),
                    // What a dependent's page judges its risk by.
                    crate::analysis::deadline_of(&site.docs, &site.facts, i),
                    graph.parent(i),
                    doc.result.map(|r| r.as_str()),
                    // Hash takes tuples of at most twelve.
                    (
                        // What pages below show of it: the fixed and open block.
                        &doc.fixed,
                        &doc.constraints,
                        // A decision's pages say what replaced it.
                        doc.superseded_by.as_ref().map(|r| &r.id),
                        doc.date,
                    ),
                ));
                Appearance {
                    summary,
                    findings: hash_of(&own[i]),
                }
            })
            .collect();
        Appearances {
            docs,
            loose: hash_of(&loose),
        }
    }
}

/// The documents that have a page (all but trackers' items), in order:
/// the search index holds these, its n-th entry the n-th of them.
pub fn page_docs(site: &Site) -> impl Iterator<Item = DocId> + '_ {
    DocId::all(site.docs.len()).filter(|&d| site.docs[d].tracker.is_none())
}

/// A document's page, relative to the site root.
pub fn doc_path(id: &str) -> String {
    DocPath(id).after("")
}

impl<'a> Model<'a> {
    /// Prepares links and findings for every document.
    pub fn new(site: &'a Site) -> Model<'a> {
        Model::keyed(site, None)
    }

    /// [`Model::new`], keying each finding by `appearances` (of this very
    /// site) for pages that list many: serve compares keys, not texts.
    pub fn keyed(site: &'a Site, appearances: Option<&Appearances>) -> Model<'a> {
        let appearances = appearances.filter(|f| f.docs.len() == site.docs.len());
        let by_file = docs_by_file(site);
        let mut counts = vec![0usize; site.docs.len()];
        for d in &site.diagnostics {
            if let Some(&i) = by_file.get(d.file.as_str()) {
                counts[i] += 1;
            }
        }
        let links: Vec<DocLink> = DocId::par_all(site.docs.len())
            .map(|i| doc_link(site, i, counts[i]))
            .collect();
        let mut model = Model {
            site,
            links,
            // Sized from the counts: a document's list grown from empty
            // took room for four findings at its first, 90 MB at 100,000
            // documents of one or two findings each.
            findings: counts.iter().map(|&n| Vec::with_capacity(n)).collect(),
            loose_findings: Vec::new(),
            has_code: site.docs.iter().any(|d| d.body.has_code),
            has_dependencies: crate::analysis::dependency_links(&site.docs, &site.graph)
                .next()
                .is_some(),
            today: site.today.to_string(),
            served: None,
            keeps_jobs: false,
            by_file,
            by_rule: Vec::with_capacity(site.diagnostics.len()),
            rule_ranges: Vec::new(),
            by_rule_keys: None,
            guard: crate::source::RootGuard::new(&site.root),
            rollups: std::sync::OnceLock::new(),
        };
        // Each rule's findings in the diagnostics' order, the rules in the
        // health page's: a bucket per rule, not a sort of 12,000 findings.
        // Made on every thread (12,000 at 10k, on every edit in serve),
        // then put in their places in order.
        let made: Vec<(Finding<'a>, Option<DocId>, u64)> = site
            .diagnostics
            .par_iter()
            .map(|d| {
                let doc = model.by_file.get(d.file.as_str()).copied();
                // A finding shows its diagnostic (in its document's findings),
                // its document's link, team and owner (in the summaries).
                let finding = model.finding(d);
                // ... and when its document is due, which no appearance holds.
                let key = appearances.map_or(0, |f| match doc {
                    Some(i) => hash_of(&(
                        f.docs[i],
                        model.team_of(i).map(|t| f.docs[t].summary),
                        finding.due,
                    )),
                    None => hash_of(d),
                });
                (finding, doc, key)
            })
            .collect();
        let mut buckets: Vec<RuleBucket<'a>> = Vec::new();
        for (finding, doc, key) in made {
            match doc {
                Some(i) => model.findings[i].push(finding),
                None => model.loose_findings.push(finding),
            }
            let d = finding.location.0;
            let bucket = match buckets.iter().position(|(_, rule, _)| *rule == d.rule) {
                Some(b) => b,
                None => {
                    buckets.push((super::pages::health::rule_order(d.rule), d.rule, Vec::new()));
                    buckets.len() - 1
                }
            };
            buckets[bucket].2.push((finding, key));
        }
        // The health page reads worst first: rules by their most severe
        // finding, then in the rules' order; a rule's findings by severity,
        // then by how long their document has been due for review (the
        // most overdue first; never due last), then as `check` prints them.
        for (_, _, findings) in &mut buckets {
            findings.sort_by_key(|(f, _)| (f.location.0.severity, f.due.unwrap_or(Date::MAX)));
        }
        buckets.sort_by_key(|(order, rule, findings)| {
            let worst = findings.iter().map(|(f, _)| f.location.0.severity).min();
            (worst, *order, *rule)
        });
        let mut keys = Vec::with_capacity(site.diagnostics.len());
        for (_, rule, findings) in buckets {
            let start = model.by_rule.len();
            for (finding, key) in findings {
                model.by_rule.push(finding);
                keys.push(key);
            }
            model.rule_ranges.push((rule, start..model.by_rule.len()));
        }
        if appearances.is_some() {
            model.by_rule_keys = Some(keys);
        }
        model
    }

    /// The whole text of document `id`'s file: as the site holds it, or
    /// read again where the load released it (`crate::site::load_lean`).
    pub fn text_of(&self, id: DocId) -> Result<Cow<'a, str>, super::RenderError> {
        let site: &'a Site = self.site;
        let Some(source) = site.sources.get(site.docs[id].source.index()) else {
            return Err(super::RenderError(format!(
                "{}: a tracker's item has no text of its own",
                site.docs[id].file
            )));
        };
        source
            .whole_text(&self.guard)
            .map_err(|d| super::RenderError(format!("{}: {}", d.file, d.message)))
    }

    fn finding(&self, d: &'a Diagnostic) -> Finding<'a> {
        let doc = self.by_file.get(d.file.as_str()).copied();
        Finding {
            rule: d.rule,
            title: crate::rules::title(d.rule),
            severity: d.severity.as_str(),
            message: &d.message,
            hint: d.hint.as_deref(),
            location: Location(d),
            doc: doc.map(|i| self.links[i]),
            team: doc
                .and_then(|i| self.team_of(i))
                .map(|t| self.site.docs[t].id.as_str()),
            owner: doc.and_then(|i| self.site.docs[i].owner.as_deref()),
            due: doc.and_then(|i| self.site.facts.next_review(i)),
        }
    }

    /// Every finding, grouped by rule in the health page's order.
    pub fn all_findings(&self) -> &[Finding<'a>] {
        &self.by_rule
    }

    /// The findings of each rule that has some, in the health page's order of rules.
    pub fn findings_by_rule(&self) -> impl Iterator<Item = (&'static str, &[Finding<'a>])> {
        self.rule_ranges
            .iter()
            .map(|(rule, range)| (*rule, &self.by_rule[range.clone()]))
    }

    /// Where `rule`'s findings are in [`Model::all_findings`]; empty if it has none.
    fn rule_range(&self, rule: &str) -> std::ops::Range<usize> {
        self.rule_ranges
            .iter()
            .find(|(r, _)| *r == rule)
            .map_or(0..0, |(_, range)| range.clone())
    }

    /// The findings of `rule`, in the order of the site's diagnostics.
    pub fn rule_findings(&self, rule: &str) -> &[Finding<'a>] {
        &self.by_rule[self.rule_range(rule)]
    }

    /// The keys of `rule`'s findings, when the model was [`keyed`](Model::keyed).
    pub fn finding_keys(&self, rule: &str) -> Option<&[u64]> {
        Some(&self.by_rule_keys.as_deref()?[self.rule_range(rule)])
    }

    /// The document with `id`.
    pub fn lookup(&self, id: &str) -> Option<DocId> {
        self.site.graph.lookup_written(&self.site.docs, id)
    }

    /// The link to `id`, if it exists.
    pub fn link_to(&self, id: &str) -> Option<DocLink<'a>> {
        self.lookup(id).map(|i| self.links[i])
    }

    /// The document at a file path.
    pub fn by_file(&self, file: &str) -> Option<DocId> {
        self.by_file.get(file).copied()
    }

    /// The team of a document: its own `team:`, else its nearest ancestor's.
    pub fn team_of(&self, doc: DocId) -> Option<DocId> {
        self.site.facts.team_of(doc)
    }

    /// The quarter of a document: its own `quarter:`, else its nearest ancestor's.
    pub fn quarter_of(&self, doc: DocId) -> Option<Quarter> {
        self.site.facts.quarter_of(doc)
    }

    /// The nearest bet at or above `doc`; failing one, the bet that `doc`
    /// or an ancestor `supports:` (the teams page lists it under that bet).
    pub fn bet_of(&self, doc: DocId) -> Option<DocId> {
        let graph = &self.site.graph;
        let is_bet = |d: DocId| self.site.docs[d].kind == "bet";
        let chain: Vec<DocId> = std::iter::once(doc).chain(graph.ancestors(doc)).collect();
        chain.iter().copied().find(|&d| is_bet(d)).or_else(|| {
            // A platform objective serves another team's bet through
            // `supports:` rather than `parent:`; it is under that bet too.
            chain.iter().find_map(|&d| {
                graph
                    .outgoing(d)
                    .filter(|e| e.rel == crate::graph::Rel::Supports)
                    .find_map(|e| {
                        std::iter::once(e.to)
                            .chain(graph.ancestors(e.to))
                            .find(|&s| is_bet(s))
                    })
            })
        })
    }

    /// The last day `doc` counts as reviewed (`analysis::Facts::next_review`, which `stale` judges by).
    pub fn next_review(&self, doc: DocId) -> Option<Date> {
        self.site.facts.next_review(doc)
    }

    /// Days since `date` on the build date.
    pub fn days_since(&self, date: Date) -> i64 {
        days_between(date, self.site.today)
    }

    /// DHM scores for display.
    pub fn dhm<'d>(&self, dhm: &'d Dhm) -> DhmView<'d> {
        let score = |s: &'d Option<DhmScore>| {
            s.as_ref().map(|s| ScoreView {
                score: s.score,
                pct: s.score * 20,
                note: s.note.as_deref(),
            })
        };
        let total = [&dhm.delight, &dhm.hard_to_copy, &dhm.margin]
            .iter()
            .filter_map(|s| s.as_ref().map(|s| s.score))
            .sum();
        DhmView {
            delight: score(&dhm.delight),
            hard_to_copy: score(&dhm.hard_to_copy),
            margin: score(&dhm.margin),
            total,
        }
    }

    /// The confidence meter for display.
    pub fn confidence(&self, c: &Confidence, status: Option<Status>) -> ConfidenceView {
        let level = |l: Option<Level>| match l {
            Some(Level::Low) => LevelView {
                level: "low",
                filled: 1,
            },
            Some(Level::Medium) => LevelView {
                level: "medium",
                filled: 2,
            },
            Some(Level::High) => LevelView {
                level: "high",
                filled: 3,
            },
            None => LevelView {
                level: "unknown",
                filled: 0,
            },
        };
        let all = [c.problem, c.solution, c.outcome];
        let ready = all.iter().all(|l| *l == Some(Level::High));
        let low = all.contains(&Some(Level::Low));
        let (verdict, verdict_class) = match status {
            Some(s) if s.is_closed() => (None, ""),
            Some(s) if s.is_active_bet() => match low {
                true => (Some("Committed while a confidence is low"), "discovery"),
                false => (None, ""),
            },
            _ if ready => (Some("Ready to execute"), "ready"),
            _ if low => (Some("Needs discovery before committing"), "discovery"),
            _ => (Some("Not yet ready to execute"), ""),
        };
        ConfidenceView {
            verdict,
            verdict_class,
            problem: level(c.problem),
            solution: level(c.solution),
            outcome: level(c.outcome),
            ready,
            needs_discovery: low,
            committed: status.is_some_and(|s| s.is_active_bet() || s.is_closed()),
        }
    }

    /// The pace of a goal of `doc` as `behind-pace` judges it (`analysis::current_pace`).
    pub fn pace(&self, doc: DocId, goal: PacedGoal<'_>) -> Option<Pace> {
        let site = self.site;
        crate::analysis::current_pace(
            &site.docs,
            &site.graph,
            &site.facts,
            doc,
            goal,
            site.config.pace_tolerance,
            site.today,
        )
    }

    /// The worst pace among a document's goals: an objective's key results;
    /// a bet's success criteria and its objectives' key results.
    pub fn rolled_up_pace(&self, doc: DocId) -> Option<PaceVerdict> {
        let site = self.site;
        crate::analysis::rolled_up_pace(
            &site.docs,
            &site.graph,
            &site.facts,
            doc,
            site.config.pace_tolerance,
            site.today,
        )
    }

    fn rollup_table(&self) -> &RollupTable {
        self.rollups.get_or_init(|| {
            let site = self.site;
            crate::analysis::rollups(
                &site.docs,
                &site.graph,
                &site.facts,
                site.config.pace_tolerance,
                site.today,
            )
        })
    }

    /// Where `doc` stands today ([`crate::analysis::verdict`]).
    pub fn verdict(&self, doc: DocId) -> Option<crate::analysis::Standing> {
        self.rollup_table().0.get(doc.index()).copied().flatten()
    }

    /// How the documents below `doc` stand ([`crate::analysis::rollups`]).
    pub fn rollup(&self, doc: DocId) -> crate::analysis::Rollup {
        self.rollup_table()
            .1
            .get(doc.index())
            .copied()
            .unwrap_or_default()
    }

    /// Where bet `bet` stands today ([`crate::analysis::standing`]); `None` once it is closed.
    pub fn standing(&self, bet: DocId) -> Option<crate::analysis::Standing> {
        let site = self.site;
        crate::analysis::standing(
            &site.docs,
            &site.graph,
            &site.facts,
            bet,
            site.config.pace_tolerance,
            site.today,
        )
    }

    /// A goal (success criteria or key result) of `doc` with progress read from its metric.
    pub fn goal(
        &self,
        doc: DocId,
        outcome: Option<&'a String>,
        metric: Option<&'a MetricRef>,
        baseline: Option<f64>,
        target: Option<f64>,
        deadline: Option<Date>,
    ) -> GoalView<'a> {
        let pace = self.pace(
            doc,
            PacedGoal {
                metric,
                baseline,
                target,
                deadline,
            },
        );
        let site = self.site;
        let glyph = crate::analysis::goal_progress(
            &site.docs,
            &site.graph,
            &site.facts,
            doc,
            PacedGoal {
                metric,
                baseline,
                target,
                deadline,
            },
            site.config.pace_tolerance,
            site.today,
        );
        let expected = glyph
            .time_share
            .map(|t| (t * 100.0).clamp(0.0, 100.0).round() as u8);
        let reading =
            crate::analysis::read_goal(&self.site.docs, &self.site.graph, metric, baseline, target);
        let (metric_doc, latest) = (reading.metric, reading.latest);
        let unit = metric_doc
            .and_then(|m| self.site.docs[m].unit.as_deref())
            .unwrap_or_default();
        let progress = reading
            .progress
            .map(|p| (p * 100.0).clamp(0.0, 100.0).round() as u8);
        GoalView {
            outcome: outcome.map(String::as_str),
            metric_text: match metric {
                Some(MetricRef::Text(t)) => Some(t.as_str()),
                _ => None,
            },
            metric: metric_doc.map(|m| self.links[m]),
            unit,
            unit_suffix: crate::text::unit_suffix(unit),
            baseline: baseline.map(number),
            current: latest.map(|c| number(c.value)),
            current_date: latest.map(|c| c.date.to_string()),
            target: target.map(number),
            deadline: deadline.map(|d| d.to_string()),
            has_progress: progress.is_some(),
            progress,
            pace: pace.map(|p| p.verdict.as_str()),
            pace_class: pace.map(|p| p.verdict.slug()),
            state: glyph.state,
            state_class: glyph.outcome.slug(),
            detail: glyph.detail,
            has_expected: expected.is_some(),
            expected,
        }
    }

    /// A bet's (`doc`'s) success criteria with progress.
    pub fn success(&self, doc: DocId, s: &'a Success) -> GoalView<'a> {
        self.goal(
            doc,
            s.outcome.as_ref(),
            s.metric.as_ref(),
            s.baseline,
            s.target,
            s.deadline,
        )
    }

    /// The count of findings of each severity for `doc`.
    pub fn severity_counts(&self, doc: DocId) -> (usize, usize) {
        let f = &self.findings[doc];
        let errors = f
            .iter()
            .filter(|x| x.severity == Severity::Error.as_str())
            .count();
        (errors, f.len() - errors)
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn site(files: &[(&str, &str)]) -> Site {
        crate::rules::testing::site("", files, "2026-11-24")
    }

    #[test]
    fn team_and_quarter_come_from_the_nearest_document_that_has_one() {
        let site = site(&[
            ("a-cs.md", "---\nid: cs\nkind: company-strategy\n---\n"),
            ("b-team.md", "---\nid: team-a\nkind: team\n---\n"),
            (
                "c-ps.md",
                "---\nid: ps\nkind: product-strategy\nparent: cs\nteam: team-a\n---\n",
            ),
            (
                "d-bet.md",
                "---\nid: bet\nkind: bet\nparent: ps\nquarter: 2027-Q1\nteam: nosuch\n---\n",
            ),
            (
                "e-obj.md",
                "---\nid: obj\nkind: objective\nparent: bet\n---\n",
            ),
            ("f-bet2.md", "---\nid: bet2\nkind: bet\nparent: ps\n---\n"),
            (
                "g-work.md",
                "---\nid: work\nkind: work\nparent: bet2\nquarter: 2027-Q2\n---\n",
            ),
        ]);
        let model = Model::new(&site);
        let of = |id: &str| {
            let doc = site.graph.lookup(id).unwrap();
            (
                model.team_of(doc).map(|t| site.docs[t].id.as_str()),
                model.quarter_of(doc).map(|q| q.to_string()),
            )
        };
        assert_eq!(of("cs"), (None, None));
        assert_eq!(of("ps"), (Some("team-a"), None));
        // A team that names no document ends the search: no fallback to `ps`'s team.
        assert_eq!(of("bet"), (None, Some("2027-Q1".into())));
        assert_eq!(of("obj"), (None, Some("2027-Q1".into())));
        assert_eq!(of("bet2"), (Some("team-a"), None));
        assert_eq!(of("work"), (Some("team-a"), Some("2027-Q2".into())));
    }
}
