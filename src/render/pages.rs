//! One function per kind of page, each returning the typed context its
//! template sees. Contexts borrow from the [`Model`] and go to Tera as they
//! are: no intermediate JSON tree, no copies of titles and messages.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use super::svg::{self, Reference, TreeNode};
use super::tree;
use super::view::{ConfidenceView, DhmView, DocLink, Finding, GoalView, Model};
use crate::analysis::GoalOutcome;
use crate::date::{Date, Quarter};
use crate::diagnostics::Severity;
use crate::graph::{DocId, Rel};
use crate::hash::ByHash;
use crate::model::{Lno, Size, Status};
use crate::rules;
use crate::text::format_number;

/// The variables every page has besides its own: `site`, `root`, `section`.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Base<'a> {
    /// Site-wide facts.
    pub site: SiteFacts<'a>,
    /// The prefix from this page to the site root.
    pub root: &'a str,
    /// Which part of the site the page belongs to, for the navigation.
    pub section: &'static str,
    /// Lets a partial render skip a page whose values did not change; not a template value.
    #[serde(skip)]
    pub served: Option<&'a super::ServedPages>,
}

/// `site` in every template.
#[derive(Debug, Clone, Serialize)]
pub(super) struct SiteFacts<'a> {
    /// The site title.
    pub title: &'a str,
    /// The build date.
    pub today: &'a str,
    /// Whether the highlight stylesheet exists.
    pub has_code: bool,
    /// The page of the document with id `glossary`, if the site has one,
    /// relative to the site root: the framework terms (DHM, LNO, the
    /// confidence meter) link to it.
    pub glossary: Option<String>,
}

/// The context every page shares.
pub(super) fn base<'a>(model: &'a Model<'_>, root: &'a str, section: &'static str) -> Base<'a> {
    let site = model.site;
    Base {
        site: SiteFacts {
            title: &site.config.title,
            today: &model.today,
            has_code: model.has_code,
            glossary: model.link_to("glossary").map(|l| l.path.after("")),
        },
        root,
        section,
        served: model.served,
    }
}

fn ost_tree(model: &Model<'_>, doc: DocId, prefix: &str) -> TreeNode {
    let d = &model.site.docs[doc];
    let note = d
        .result
        .map(|r| r.as_str().to_string())
        .or_else(|| d.status.map(|s| s.as_str().to_string()));
    let children = model
        .site
        .graph
        .children(doc)
        .iter()
        .filter(|&&c| {
            matches!(
                model.site.docs[c].kind.as_str(),
                "opportunity" | "solution" | "experiment"
            )
        })
        .map(|&c| ost_tree(model, c, prefix))
        .collect();
    TreeNode {
        title: d.title.clone(),
        kind: d.kind.clone(),
        note,
        url: model.links[doc].path.after(prefix),
        children,
    }
}

/// The SVG diagram of the opportunity solution tree rooted at outcome `doc`.
pub(super) fn ost_diagram(model: &Model<'_>, doc: DocId, prefix: &str) -> String {
    svg::tree_diagram(&ost_tree(model, doc, prefix))
}

/// A document's own page (`page.html`).
#[derive(Debug, Serialize)]
pub(super) struct DocumentPage<'a> {
    /// The document as links show it.
    pub page: DocLink<'a>,
    /// Its facts and frameworks.
    pub doc: DocumentFacts<'a>,
    /// The body as HTML.
    pub body: &'a str,
    /// The body's first paragraph as plain text, cut at about 200 bytes:
    /// the page's `<meta name="description">`.
    pub description: String,
    /// Ancestors, the company strategy first.
    pub trail: Vec<DocLink<'a>>,
    /// The documents below, as a collapsible tree.
    pub subtree_html: String,
    /// Descendants left out of `subtree_html`.
    pub subtree_hidden: usize,
    /// `supports` links out.
    pub supports: Vec<DocLink<'a>>,
    /// `supports` links in.
    pub supported_by: Vec<DocLink<'a>>,
    /// `related` links, both ways.
    pub related: Vec<DocLink<'a>>,
    /// Documents mentioning this one in their body.
    pub backlinks: Vec<DocLink<'a>>,
    /// Documents this one's body mentions.
    pub mentions: Vec<DocLink<'a>>,
    /// A team's documents.
    pub members: Option<Vec<DocLink<'a>>>,
    /// This document's findings.
    pub findings: &'a [Finding<'a>],
    /// The commits that touched it and how long it has had its status;
    /// `None` when history is off.
    pub history: Option<DocHistoryView<'a>>,
}

/// The history section of a document's page.
#[derive(Debug, Serialize)]
pub(super) struct DocHistoryView<'a> {
    /// The newest commits that touched it, at most [`DOC_COMMITS`].
    commits: Vec<CommitView<'a>>,
    /// How many more there are.
    more: usize,
    /// Why the list is empty or partial.
    note: Option<String>,
    /// How long it has had its status.
    in_status: Option<crate::history::TimeInStatus>,
}

/// How many commits a document's page lists.
pub(super) const DOC_COMMITS: usize = 20;

/// A commit as the pages list it.
#[derive(Debug, Serialize)]
pub(super) struct CommitView<'a> {
    short: &'a str,
    date: String,
    author: &'a str,
    subject: &'a str,
    /// The commit's web page, when `repo_url` is set.
    url: Option<String>,
}

fn commit_view<'a>(model: &'a Model<'_>, commit: &'a crate::history::Commit) -> CommitView<'a> {
    CommitView {
        short: commit.short(),
        date: commit.date.to_string(),
        author: &commit.author,
        subject: &commit.subject,
        url: commit.url(model.site.config.repo_url.as_deref()),
    }
}

/// One change on the changes page and the dashboard.
#[derive(Debug, Serialize)]
pub(super) struct ChangeView<'a> {
    /// The document's page, when it is still in the site.
    doc: Option<DocLink<'a>>,
    /// Its title now, or as the commit wrote it, or its id.
    title: &'a str,
    kind_label: &'a str,
    change: &'a crate::history::Change,
    commit: CommitView<'a>,
}

fn change_view<'a>(model: &'a Model<'_>, event: &'a crate::history::Event) -> ChangeView<'a> {
    let site = model.site;
    let doc = model.link_to(&event.id);
    ChangeView {
        doc,
        title: doc.map_or(event.title.as_deref().unwrap_or(&event.id), |d| d.title),
        kind_label: site
            .config
            .schema
            .get(&event.kind)
            .map_or(event.kind.as_str(), |k| k.label.as_str()),
        change: &event.change,
        commit: commit_view(model, &site.history.commits[event.commit]),
    }
}

fn doc_history<'a>(model: &'a Model<'_>, id: DocId) -> Option<DocHistoryView<'a>> {
    let site = model.site;
    let history = &site.history;
    if history.state == crate::history::HistoryState::Off {
        return None;
    }
    let doc = &site.docs[id];
    let commits = history
        .docs
        .get(&doc.id)
        .map_or(&[][..], |d| &d.commits[..]);
    Some(DocHistoryView {
        commits: commits
            .iter()
            .take(DOC_COMMITS)
            .map(|&c| commit_view(model, &history.commits[c]))
            .collect(),
        more: commits.len().saturating_sub(DOC_COMMITS),
        note: history.state.note(),
        in_status: history.time_in_status(&doc.id, doc.status.map(|s| s.as_str()), site.today),
    })
}

/// The changes page (`changes/`): the window's changes, by week, newest first.
#[derive(Debug, Serialize)]
pub(super) struct ChangesPage<'a> {
    /// The config's `changes_window` in words (`90 days`).
    window: String,
    /// The first day of the window.
    from: String,
    /// Why there is nothing, or only part of it.
    note: Option<String>,
    /// Changes in the window.
    total: usize,
    weeks: Vec<WeekView<'a>>,
}

/// One week of the changes page.
#[derive(Debug, Serialize)]
struct WeekView<'a> {
    /// Its Monday.
    start: String,
    changes: Vec<ChangeView<'a>>,
    /// Changes of the week left out past [`CHANGES_PER_WEEK`].
    hidden: usize,
}

/// How many changes of one week the changes page lists: a commit that adds
/// 10,000 documents would otherwise make a 10,000-item page.
pub(super) const CHANGES_PER_WEEK: usize = 200;

/// The first day of the changes window.
fn changes_from(site: &crate::site::Site) -> Date {
    site.config.changes_window.before(site.today)
}

/// The changes page.
pub(super) fn changes<'a>(model: &'a Model<'_>) -> ChangesPage<'a> {
    let site = model.site;
    let from = changes_from(site);
    let mut weeks: BTreeMap<Date, (Vec<ChangeView<'a>>, usize)> = BTreeMap::new();
    let mut total = 0;
    for event in site.shown_events_between(from, site.today) {
        total += 1;
        let date = site.history.commits[event.commit].date;
        let (shown, hidden) = weeks.entry(crate::date::week_start(date)).or_default();
        if shown.len() < CHANGES_PER_WEEK {
            shown.push(change_view(model, event));
        } else {
            *hidden += 1;
        }
    }
    ChangesPage {
        window: site.config.changes_window.to_string(),
        from: from.to_string(),
        note: site.history.state.note(),
        total,
        weeks: weeks
            .into_iter()
            .rev()
            .map(|(start, (changes, hidden))| WeekView {
                start: start.to_string(),
                changes,
                hidden,
            })
            .collect(),
    }
}

/// The dashboard's latest changes.
#[derive(Debug, Serialize)]
struct RecentChanges<'a> {
    /// The newest, at most [`HOME_SAMPLE`].
    items: Vec<ChangeView<'a>>,
    /// All changes in the window.
    total: usize,
    window: String,
    note: Option<String>,
}

fn recent_changes<'a>(model: &'a Model<'_>) -> Option<RecentChanges<'a>> {
    let site = model.site;
    if site.history.state == crate::history::HistoryState::Off {
        return None;
    }
    let mut in_window = site.shown_events_between(changes_from(site), site.today);
    let items = in_window
        .by_ref()
        .take(HOME_SAMPLE)
        .map(|e| change_view(model, e))
        .collect::<Vec<_>>();
    Some(RecentChanges {
        total: items.len() + in_window.count(),
        items,
        window: site.config.changes_window.to_string(),
        note: site.history.state.note(),
    })
}

/// `doc` on a document's page.
#[derive(Debug, Serialize)]
pub(super) struct DocumentFacts<'a> {
    owner: Option<&'a str>,
    team: Option<DocLink<'a>>,
    quarter: Option<String>,
    reviewed: Option<String>,
    updated: Option<String>,
    next_review: Option<String>,
    review_due: bool,
    tags: &'a [String],
    file: &'a str,
    size: Option<&'static str>,
    lno: Option<&'static str>,
    approval: Option<ApprovalView<'a>>,
    dhm: Option<DhmView<'a>>,
    confidence: Option<ConfidenceView>,
    success: Option<GoalView<'a>>,
    key_results: Vec<GoalView<'a>>,
    /// The worst pace of its goals (and, for a bet, its objectives'): `on track`, `at risk`, `behind`.
    pace: Option<&'static str>,
    /// The same as a style class.
    pace_class: Option<&'static str>,
    metric_type: Option<&'static str>,
    indicator: Option<&'static str>,
    unit: Option<&'a str>,
    direction: Option<&'static str>,
    chart: Option<String>,
    used_by: Option<Vec<DocLink<'a>>>,
    checkins: Vec<CheckinView>,
    assumption: Option<&'a str>,
    result: Option<&'static str>,
    date: Option<String>,
    covers: Vec<DocLink<'a>>,
    reviewed_in: Vec<DocLink<'a>>,
    ost: Option<String>,
    extra: &'a Map<String, Value>,
}

#[derive(Debug, Serialize)]
struct ApprovalView<'a> {
    level: Option<&'static str>,
    approver: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct CheckinView {
    date: String,
    value: String,
}

/// A document's own page.
/// Document `id`'s page without its body ([`DocumentPage::with_body`]
/// adds it): a build hashes these values to tell whether the page changed
/// before it renders any Markdown.
pub(super) fn document<'a>(model: &'a Model<'_>, id: DocId) -> DocumentPage<'a> {
    let site = model.site;
    let doc = &site.docs[id];
    let graph = &site.graph;
    let links = |ids: Vec<DocId>| -> Vec<DocLink<'a>> {
        let mut seen = BTreeSet::new();
        ids.into_iter()
            .filter(|i| seen.insert(*i))
            .map(|i| model.links[i])
            .collect()
    };
    let pace = model.rolled_up_pace(id);
    let mut trail: Vec<DocId> = graph.ancestors(id);
    trail.reverse();
    let out_rel = |rel: Rel| {
        graph
            .outgoing(id)
            .filter(move |e| e.rel == rel)
            .map(|e| e.to)
            .collect::<Vec<_>>()
    };
    let in_rel = |rel: Rel| {
        graph
            .incoming(id)
            .filter(move |e| e.rel == rel)
            .map(|e| e.from)
            .collect::<Vec<_>>()
    };
    let mut related = out_rel(Rel::Related);
    related.extend(in_rel(Rel::Related));
    let next_review = model.next_review(id);
    let (shown_depth, hidden) = tree::levels_within(model, id, tree::SUBTREE_BUDGET);

    let chart = (doc.kind == "metric").then(|| {
        // The unit beside a target: `40%`, `12 days`.
        let unit = match doc.unit.as_deref() {
            None | Some("") => String::new(),
            Some("%") => "%".to_string(),
            Some(u) => format!(" {u}"),
        };
        let unit = unit.as_str();
        let references: Vec<Reference> = graph
            .incoming(id)
            .filter(|e| e.rel == Rel::Metric)
            .flat_map(|e| {
                let user = &site.docs[e.from];
                let success = user
                    .success
                    .iter()
                    .filter_map(|s| s.target.map(|t| (t, s.deadline)));
                let krs = user
                    .key_results
                    .iter()
                    .filter_map(|k| k.target.map(|t| (t, k.by)));
                success.chain(krs).map(move |(t, by)| Reference {
                    value: t,
                    label: match by {
                        Some(d) => format!("target {}{unit} by {d}", format_number(t)),
                        None => format!("target {}{unit}", format_number(t)),
                    },
                })
            })
            .collect();
        svg::metric_chart(
            &doc.title,
            doc.unit.as_deref().unwrap_or(""),
            &doc.checkins,
            &references,
        )
    });
    let below: Vec<tree::TreeItem> = graph
        .children(id)
        .iter()
        .map(|&c| tree::subtree(model, c, shown_depth))
        .collect();

    DocumentPage {
        description: String::new(),
        page: model.links[id],
        doc: DocumentFacts {
            owner: doc.owner.as_deref(),
            team: doc.team.as_ref().and_then(|t| model.link_to(&t.id)),
            quarter: doc.quarter.map(|q| q.to_string()),
            reviewed: doc.reviewed.map(|d| d.to_string()),
            updated: doc.updated.map(|d| d.to_string()),
            next_review: next_review.map(|d| d.to_string()),
            review_due: next_review.is_some_and(|d| d < site.today),
            tags: &doc.tags,
            file: &doc.file,
            size: doc.size.map(|s| s.as_str()),
            lno: doc.lno.map(|l| l.as_str()),
            approval: doc.approval.as_ref().map(|a| ApprovalView {
                level: a.level.map(|l| l.as_str()),
                approver: a.approver.as_deref(),
            }),
            dhm: doc.dhm.as_ref().map(|d| model.dhm(d)),
            confidence: doc
                .confidence
                .as_ref()
                .map(|c| model.confidence(c, doc.status)),
            success: doc.success.as_ref().map(|s| model.success(id, s)),
            key_results: doc
                .key_results
                .iter()
                .map(|k| model.goal(id, None, k.metric.as_ref(), k.baseline, k.target, k.by))
                .collect(),
            pace: pace.map(|p| p.as_str()),
            pace_class: pace.map(|p| p.slug()),
            metric_type: doc.metric_type.map(|t| t.as_str()),
            indicator: doc.indicator.map(|i| i.as_str()),
            unit: doc.unit.as_deref(),
            direction: doc.direction.map(|d| d.as_str()),
            chart,
            used_by: (doc.kind == "metric").then(|| links(in_rel(Rel::Metric))),
            checkins: doc
                .checkins
                .iter()
                .rev()
                .map(|c| CheckinView {
                    date: c.date.to_string(),
                    value: format_number(c.value),
                })
                .collect(),
            assumption: doc.assumption.as_deref(),
            result: doc.result.map(|r| r.as_str()),
            date: doc.date.map(|d| d.to_string()),
            covers: links(out_rel(Rel::Covers)),
            reviewed_in: links(in_rel(Rel::Covers)),
            ost: (doc.kind == "outcome").then(|| ost_diagram(model, id, "../")),
            extra: &doc.extra,
        },
        body: "",
        trail: links(trail),
        subtree_html: super::tree::tree_html(&below, "../", "../trace/"),
        subtree_hidden: hidden,
        supports: links(out_rel(Rel::Supports)),
        supported_by: links(in_rel(Rel::Supports)),
        related: links(related),
        backlinks: links(in_rel(Rel::Mentions)),
        mentions: links(out_rel(Rel::Mentions)),
        members: (doc.kind == "team").then(|| {
            links(
                graph
                    .incoming(id)
                    .filter(|e| e.rel == Rel::Team)
                    .map(|e| e.from)
                    .collect(),
            )
        }),
        findings: &model.findings[id],
        history: doc_history(model, id),
    }
}

impl<'a> DocumentPage<'a> {
    /// The page with its body: rendered, and its first paragraph as the description.
    pub(super) fn with_body(self, body: &'a super::markdown::RenderedBody) -> DocumentPage<'a> {
        DocumentPage {
            description: body.description.clone(),
            body: &body.html,
            ..self
        }
    }
}

/// A bet as a card on the dashboard and the roadmap.
#[derive(Debug, Serialize)]
pub(super) struct BetCard<'a> {
    doc: DocLink<'a>,
    size: Option<&'static str>,
    quarter: Option<String>,
    owner: Option<&'a str>,
    team: Option<DocLink<'a>>,
    confidence: Option<ConfidenceView>,
    dhm: Option<DhmView<'a>>,
    success: Option<GoalView<'a>>,
}

fn bet_card<'a>(model: &'a Model<'_>, bet: DocId) -> BetCard<'a> {
    let doc = &model.site.docs[bet];
    BetCard {
        doc: model.links[bet],
        size: doc.size.map(|s| s.as_str()),
        quarter: doc.quarter.map(|q| q.to_string()),
        owner: doc.owner.as_deref(),
        team: doc.team.as_ref().and_then(|t| model.link_to(&t.id)),
        confidence: doc
            .confidence
            .as_ref()
            .map(|c| model.confidence(c, doc.status)),
        dhm: doc.dhm.as_ref().map(|d| model.dhm(d)),
        success: doc.success.as_ref().map(|s| model.success(bet, s)),
    }
}

/// The size mix of a quarter's active bets.
#[derive(Debug, Serialize)]
pub(super) struct Balance {
    active: usize,
    big: usize,
    medium: usize,
    small: usize,
    big_pct: usize,
    medium_pct: usize,
    small_pct: usize,
    max: usize,
}

fn balance(model: &Model<'_>, bets: &[DocId]) -> Balance {
    let active: Vec<DocId> = bets
        .iter()
        .copied()
        .filter(|&b| model.site.docs[b].status.is_some_and(Status::is_active_bet))
        .collect();
    let count = |size| {
        active
            .iter()
            .filter(|&&b| model.site.docs[b].size == Some(size))
            .count()
    };
    let n = active.len().max(1);
    let (big, medium, small) = (count(Size::Big), count(Size::Medium), count(Size::Small));
    Balance {
        active: active.len(),
        big,
        medium,
        small,
        big_pct: big * 100 / n,
        medium_pct: medium * 100 / n,
        small_pct: small * 100 / n,
        max: model.site.config.max_bets_per_quarter,
    }
}

fn bets_by_quarter(model: &Model<'_>) -> (BTreeMap<Quarter, Vec<DocId>>, Vec<DocId>) {
    let mut by_quarter: BTreeMap<Quarter, Vec<DocId>> = BTreeMap::new();
    let mut unscheduled = Vec::new();
    for (i, d) in model
        .site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == "bet")
    {
        match d.quarter {
            Some(q) => by_quarter.entry(q).or_default().push(i),
            None => unscheduled.push(i),
        }
    }
    (by_quarter, unscheduled)
}

/// The dashboard (`index.html`).
#[derive(Debug, Serialize)]
pub(super) struct HomePage<'a> {
    quarter: String,
    /// The review pages of the current and the last quarter, when they exist.
    reviews: Vec<QuarterLink>,
    bets: Vec<BetCard<'a>>,
    balance: Balance,
    layers: Vec<Layer<'a>>,
    health: Vec<RuleCount>,
    /// The most overdue stale documents, at most [`HOME_SAMPLE`]; `stale_count` is all of them.
    stale: Vec<StaleItem<'a>>,
    stale_count: usize,
    /// Bets of past quarters still open (`analysis::expiry`, as `expired`
    /// judges), oldest quarter first, at most [`HOME_SAMPLE`]; `unfinished_count` is all of them.
    unfinished: Vec<UnfinishedBet<'a>>,
    unfinished_count: usize,
    /// How many bets this quarter has; `bets` holds at most [`HOME_BETS`] of them.
    bet_count: usize,
    counts: SiteCounts,
    /// The first company strategies, at most [`HOME_SAMPLE`], of `company_count`.
    companies: Vec<DocLink<'a>>,
    company_count: usize,
    /// The latest changes; `None` when history is off.
    changes: Option<RecentChanges<'a>>,
}

/// A link to a quarter's review page.
#[derive(Debug, Serialize)]
struct QuarterLink {
    quarter: String,
    path: String,
}

/// How many items of a list the dashboard shows before "see all": the
/// dashboard summarises, the health page and the roadmap list everything
/// (a 10,000-document site has thousands of stale documents).
pub(super) const HOME_SAMPLE: usize = 5;

/// How many of this quarter's bets the dashboard shows as cards.
pub(super) const HOME_BETS: usize = 6;

/// A layer of the strategy stack: its kind, how many documents, the first few.
#[derive(Debug, Serialize)]
struct Layer<'a> {
    kind: &'a str,
    label: &'a str,
    layer: Option<u8>,
    count: usize,
    docs: Vec<DocLink<'a>>,
}

#[derive(Debug, Serialize)]
struct RuleCount {
    rule: &'static str,
    title: &'static str,
    count: usize,
    severity: &'static str,
}

#[derive(Debug, Serialize)]
struct StaleItem<'a> {
    doc: DocLink<'a>,
    message: &'a str,
}

/// A bet still open after its quarter ended.
#[derive(Debug, Serialize)]
struct UnfinishedBet<'a> {
    doc: DocLink<'a>,
    quarter: String,
    /// The quarter's review page.
    review: String,
    status: &'static str,
}

/// Findings by severity: the dashboard counts warnings apart from infos,
/// which are notes, not problems.
#[derive(Debug, Serialize)]
struct SiteCounts {
    documents: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

/// How many documents of a layer the dashboard lists.
const LAYER_SAMPLE: usize = 6;

/// The dashboard.
pub(super) fn home<'a>(model: &'a Model<'_>) -> HomePage<'a> {
    let site = model.site;
    let current = Quarter::of(site.today);
    let (by_quarter, _) = bets_by_quarter(model);
    let now_bets = by_quarter.get(&current).cloned().unwrap_or_default();
    let of_kind = |kind: &'a str| {
        site.docs
            .iter()
            .enumerate()
            .filter(move |(_, d)| d.kind == kind)
            .map(|(i, _)| model.links[i])
    };
    let layers = site
        .config
        .schema
        .kinds()
        .iter()
        .filter(|k| k.layer.is_some() || k.ost)
        .map(|k| Layer {
            kind: &k.name,
            label: &k.label,
            layer: k.layer,
            count: of_kind(&k.name).count(),
            docs: of_kind(&k.name).take(LAYER_SAMPLE).collect(),
        })
        .collect();
    // Thousands of each at 10k, of which the page shows five: sort their
    // keys with their places (ties keep them: the order `check` prints),
    // and make only the five shown.
    let stale_findings: Vec<(Date, usize, &crate::diagnostics::Diagnostic, DocId)> = site
        .diagnostics
        .iter()
        .filter(|d| d.rule == "stale")
        .filter_map(|d| model.by_file(&d.file).map(|i| (d, i)))
        .enumerate()
        // The longest overdue first (the earliest review date).
        .map(|(n, (d, i))| (model.next_review(i).unwrap_or(Date::MAX), n, d, i))
        .collect();
    let stale_count = stale_findings.len();
    let stale = first_by_key(stale_findings, |&(due, n, _, _)| (due, n))
        .map(|(_, _, d, i)| StaleItem {
            doc: model.links[i],
            message: &d.message,
        })
        .collect();
    let reviewed = review_quarters(site);
    let unfinished_bets: Vec<(Quarter, usize, crate::analysis::Expiry)> = (0..site.docs.len())
        .filter(|&i| site.docs[i].kind == "bet")
        .filter_map(|i| {
            let e = crate::analysis::expiry(&site.docs, &site.facts, i, site.today)?;
            Some((e.quarter, i, e))
        })
        .collect();
    let unfinished_count = unfinished_bets.len();
    // Oldest quarter first; within one, the order of the files.
    let unfinished = first_by_key(unfinished_bets, |&(q, i, _)| (q, i))
        .map(|(_, i, e)| UnfinishedBet {
            doc: model.links[i],
            quarter: e.quarter.to_string(),
            review: quarter_path(e.quarter),
            status: e.status.as_str(),
        })
        .collect();
    let severity = |s: Severity| site.diagnostics.iter().filter(|d| d.severity == s).count();
    HomePage {
        quarter: current.to_string(),
        reviews: [current, current.previous()]
            .into_iter()
            .filter(|q| reviewed.contains_key(q))
            .map(|q| QuarterLink {
                quarter: q.to_string(),
                path: quarter_path(q),
            })
            .collect(),
        bets: now_bets
            .iter()
            .take(HOME_BETS)
            .map(|&b| bet_card(model, b))
            .collect(),
        bet_count: now_bets.len(),
        balance: balance(model, &now_bets),
        layers,
        health: rule_summary(model),
        stale,
        stale_count,
        unfinished,
        unfinished_count,
        counts: SiteCounts {
            documents: site.docs.len(),
            findings: site.diagnostics.len(),
            errors: severity(Severity::Error),
            warnings: severity(Severity::Warning),
            infos: severity(Severity::Info),
        },
        companies: of_kind("company-strategy").take(HOME_SAMPLE).collect(),
        company_count: of_kind("company-strategy").count(),
        changes: recent_changes(model),
    }
}

/// The first [`HOME_SAMPLE`] of `items` by `key`, in its order.
fn first_by_key<T, K: Ord>(mut items: Vec<T>, key: impl Fn(&T) -> K) -> impl Iterator<Item = T> {
    if items.len() > HOME_SAMPLE {
        items.select_nth_unstable_by_key(HOME_SAMPLE, &key);
        items.truncate(HOME_SAMPLE);
    }
    items.sort_unstable_by_key(key);
    items.into_iter()
}

/// Where `rule` comes in the health page: health rules, structural ones, build notes.
pub(super) fn rule_order(rule: &str) -> usize {
    rules::HEALTH_RULES
        .iter()
        .chain(rules::STRUCTURAL_RULES)
        .chain(rules::BUILD_NOTES)
        .position(|r| *r == rule)
        .unwrap_or(usize::MAX)
}

fn rule_summary(model: &Model<'_>) -> Vec<RuleCount> {
    let mut counts: BTreeMap<(usize, &'static str), (usize, &'static str)> = BTreeMap::new();
    for d in &model.site.diagnostics {
        let entry = counts
            .entry((rule_order(d.rule), d.rule))
            .or_insert((0, d.severity.as_str()));
        entry.0 += 1;
    }
    counts
        .into_iter()
        .map(|((_, rule), (count, severity))| RuleCount {
            rule,
            title: rules::title(rule),
            count,
            severity,
        })
        .collect()
}

/// The traceability page (`trace.html`).
/// A page of the traceability tree: the whole forest when it fits
/// [`tree::TRACE_PAGE_BUDGET`], else its first levels (`trace/`) and a page
/// per branch below them (`trace/<id>/`), each with the same filters.
#[derive(Debug, Clone, Serialize)]
pub(super) struct TracePage<'a> {
    /// The document whose tree this page shows; `None` on `trace/` itself.
    branch: Option<DocLink<'a>>,
    /// The way from the top of the tree down to `branch`.
    trail: Vec<DocLink<'a>>,
    /// Made from [`TraceTrees`] by [`TracePage::with_trees`].
    forest_html: String,
    unconnected_html: String,
    /// Whether some branches are on pages of their own.
    split: bool,
    teams: Vec<DocLink<'a>>,
    quarters: BTreeSet<String>,
    statuses: BTreeSet<&'static str>,
    kinds: Vec<super::search::KindName<'a>>,
    owners: BTreeSet<&'a str>,
    outcomes: Vec<OutcomeDiagram<'a>>,
    /// Outcomes listed without their diagrams: more than [`TRACE_DIAGRAMS`].
    outcome_links: Vec<DocLink<'a>>,
}

/// A trace page's trees, kept as values until the page is rendered: serve
/// hashes them with the page's other values to tell whether the page
/// changed, so only a page that did pays for its HTML (the trees of a 10k
/// site were a third of a title edit's work).
#[derive(Debug, Hash)]
pub(super) struct TraceTrees<'a> {
    forest: Vec<tree::TreeItem<'a>>,
    unconnected: Vec<tree::TreeItem<'a>>,
    /// The way from the page to the site root, and to the `trace/` folder.
    root: &'static str,
    trace: &'static str,
}

impl<'a> TracePage<'a> {
    /// The page with its trees as HTML.
    pub(super) fn with_trees(mut self, trees: &TraceTrees<'a>) -> TracePage<'a> {
        self.forest_html = tree::tree_html(&trees.forest, trees.root, trees.trace);
        self.unconnected_html = tree::tree_html(&trees.unconnected, trees.root, trees.trace);
        self
    }
}

#[derive(Debug, Clone, Serialize)]
struct OutcomeDiagram<'a> {
    doc: DocLink<'a>,
    svg: String,
}

/// How many opportunity solution trees the trace page draws; beyond that it
/// lists the outcomes, whose own pages draw them.
const TRACE_DIAGRAMS: usize = 20;

/// The roots of the traceability tree: those of a strategy layer's company
/// strategy, and those of no company strategy.
fn trace_roots(site: &crate::site::Site) -> (Vec<DocId>, Vec<DocId>) {
    let roots: Vec<DocId> = site
        .graph
        .roots()
        .filter(|&r| {
            site.config
                .schema
                .get(&site.docs[r].kind)
                .is_some_and(|k| k.layer.is_some() || k.ost)
        })
        .collect();
    roots.into_iter().partition(|&r| {
        site.config
            .schema
            .get(&site.docs[r].kind)
            .is_some_and(|k| k.layer == Some(1))
    })
}

/// The distinct `values`, in no order.
fn distinct<T: std::hash::Hash + Eq>(values: impl Iterator<Item = T>) -> foldhash::HashSet<T> {
    values.collect()
}

/// What every trace page's filters offer.
fn trace_page<'a>(model: &'a Model<'_>) -> TracePage<'a> {
    let site = model.site;
    let mut teams: Vec<DocLink> = site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == "team")
        .map(|(i, _)| model.links[i])
        .collect();
    teams.sort_by(|a, b| a.title.cmp(b.title));
    TracePage {
        branch: None,
        trail: Vec::new(),
        forest_html: String::new(),
        unconnected_html: String::new(),
        split: false,
        teams,
        // The few distinct values first: a string and a tree insert per
        // document were a third of the trace pages' work at 10k.
        quarters: distinct(site.docs.iter().filter_map(|d| d.quarter))
            .into_iter()
            .map(|q| q.to_string())
            .collect(),
        statuses: distinct(model.links.iter().filter_map(|l| l.status))
            .into_iter()
            .collect(),
        kinds: super::search::kinds(model)
            .into_iter()
            .map(|(name, label)| super::search::KindName { name, label })
            .collect(),
        owners: distinct(site.docs.iter().filter_map(|d| d.owner.as_deref()))
            .into_iter()
            .collect(),
        outcomes: Vec::new(),
        outcome_links: Vec::new(),
    }
}

/// The trees of the traceability page (`trace/`): the strategy's, the
/// unconnected documents', and the documents whose branches are on pages of
/// their own.
fn trace_forest<'a>(
    model: &'a Model<'_>,
) -> (Vec<tree::TreeItem<'a>>, Vec<tree::TreeItem<'a>>, Vec<DocId>) {
    let (strategy, loose) = trace_roots(model.site);
    let (items, mut paged) = tree::within_budget(model, &strategy, tree::TRACE_PAGE_BUDGET);
    let left = tree::TRACE_PAGE_BUDGET.saturating_sub(tree::count(&items));
    let (loose_items, more) = tree::within_budget(model, &loose, left);
    paged.extend(more);
    (items, loose_items, paged)
}

/// A trace page before its trees are HTML: serve compares it with what it
/// served, so only a page that changed pays for the HTML of its trees.
#[derive(Debug, Serialize)]
pub(super) struct TraceKey<'a> {
    page: TracePage<'a>,
    trees: ByHash<TraceTrees<'a>>,
}

impl<'a> TraceKey<'a> {
    /// The page's values, its trees made HTML.
    pub(super) fn into_values(self) -> TracePage<'a> {
        self.page.with_trees(&self.trees.0)
    }
}

/// The traceability page (`trace/`), and the page of each branch too large
/// for the page above it (`trace/<id>/index.html`, with its path), in the
/// order the pages link to them.
pub(super) fn trace<'a>(model: &'a Model<'_>) -> (TraceKey<'a>, Vec<(String, TraceKey<'a>)>) {
    let site = model.site;
    let (items, loose_items, paged) = trace_forest(model);
    // What the filters offer is the same on every page: made once.
    let filters = trace_page(model);
    let outcomes: Vec<DocId> = (0..site.docs.len())
        .filter(|&i| site.docs[i].kind == "outcome")
        .collect();
    let draw = outcomes.len() <= TRACE_DIAGRAMS;
    let branches = trace_branch_pages(model, &paged, &filters);
    let page = TracePage {
        split: !paged.is_empty(),
        outcomes: if draw {
            outcomes
                .iter()
                .map(|&i| OutcomeDiagram {
                    doc: model.links[i],
                    svg: ost_diagram(model, i, "../"),
                })
                .collect()
        } else {
            Vec::new()
        },
        outcome_links: if draw {
            Vec::new()
        } else {
            outcomes.iter().map(|&i| model.links[i]).collect()
        },
        ..filters
    };
    let trees = TraceTrees {
        forest: items,
        unconnected: loose_items,
        root: "../",
        trace: "",
    };
    let landing = TraceKey {
        page,
        trees: ByHash(trees),
    };
    (landing, branches)
}

/// The trace pages of the branches in `paged` and, in turn, of those too
/// large for them.
fn trace_branch_pages<'a>(
    model: &'a Model<'_>,
    paged: &[DocId],
    filters: &TracePage<'a>,
) -> Vec<(String, TraceKey<'a>)> {
    let graph = &model.site.graph;
    let mut queue: std::collections::VecDeque<DocId> = paged.iter().copied().collect();
    let mut pages = Vec::new();
    while let Some(doc) = queue.pop_front() {
        let (items, paged) = tree::within_budget(model, &[doc], tree::TRACE_PAGE_BUDGET);
        queue.extend(paged.iter().copied());
        let mut trail: Vec<DocId> = graph.ancestors(doc);
        trail.reverse();
        let link = model.links[doc];
        let page = TracePage {
            branch: Some(link),
            trail: trail.iter().map(|&d| model.links[d]).collect(),
            split: !paged.is_empty(),
            ..filters.clone()
        };
        let trees = TraceTrees {
            forest: items,
            unconnected: Vec::new(),
            root: "../../",
            trace: "../",
        };
        pages.push((
            format!("trace/{}", link.path.after("")),
            TraceKey {
                page,
                trees: ByHash(trees),
            },
        ));
    }
    pages
}

/// The health report (`health.html`): every rule with its counts, and the
/// first findings of each; the rest are on the rule's own pages.
#[derive(Debug, Serialize)]
pub(super) struct HealthPage<'a> {
    groups: Vec<FindingGroup<'a>>,
    total: usize,
    /// How many findings a group shows at most: [`HEALTH_SAMPLE`].
    sample: usize,
    filters: Filters<'a>,
}

/// What the health page's filter offers beyond the rules: teams and owners
/// that have findings, sorted.
#[derive(Debug, Serialize)]
pub(super) struct Filters<'a> {
    teams: Vec<DocLink<'a>>,
    owners: BTreeSet<&'a str>,
}

#[derive(Debug, Serialize)]
struct FindingGroup<'a> {
    rule: &'static str,
    title: &'static str,
    summary: Option<&'static str>,
    count: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Shown open: the first [`HEALTH_OPEN`] groups; the others collapse.
    open: bool,
    /// The first [`HEALTH_SAMPLE`] findings (all of them on a rule's page).
    items: Vec<Finding<'a>>,
    /// The rule's own page, relative to the site root, when `items` is not all.
    all: Option<String>,
}

/// A rule's page of findings (`health_rule.html`), one of `pages`.
#[derive(Debug, Serialize)]
pub(super) struct HealthRulePage<'a> {
    group: FindingGroup<'a>,
    filters: Filters<'a>,
    /// 1-based.
    page: usize,
    /// Every page of the rule, relative to the site root, first to last.
    pages: Vec<String>,
}

/// How many findings of each rule the health page shows; a site of 10,000
/// documents has 6,000 `stale` findings, which would make the page 5 MB.
pub(super) const HEALTH_SAMPLE: usize = 20;

/// How many groups of the health page are open; the rest are collapsed.
pub(super) const HEALTH_OPEN: usize = 3;

/// How many findings one page of a rule holds: about 600 KB of HTML, under
/// the 1 MB a page may weigh.
pub(super) const HEALTH_PAGE: usize = 1_000;

fn filters<'a>(model: &'a Model<'_>, findings: &[Finding<'a>]) -> Filters<'a> {
    let team_ids: BTreeSet<&str> = findings.iter().filter_map(|f| f.team).collect();
    let mut teams: Vec<DocLink> = team_ids
        .into_iter()
        .filter_map(|id| model.link_to(id))
        .collect();
    teams.sort_by(|a, b| a.title.cmp(b.title));
    Filters {
        teams,
        owners: findings.iter().filter_map(|f| f.owner).collect(),
    }
}

/// The path of page `page` (1-based) of `rule`'s findings, relative to the site root.
fn rule_page_path(rule: &str, page: usize) -> String {
    if page == 1 {
        format!("health/{rule}/index.html")
    } else {
        format!("health/{rule}/{page}/index.html")
    }
}

/// How many `findings` there are: all, errors, warnings, infos.
fn severity_counts(findings: &[Finding<'_>]) -> [usize; 4] {
    let mut counts = [findings.len(), 0, 0, 0];
    for f in findings {
        match f.severity {
            "error" => counts[1] += 1,
            "warning" => counts[2] += 1,
            "info" => counts[3] += 1,
            _ => {}
        }
    }
    counts
}

/// `rule`'s group, counting `all` its findings and showing `shown` of them.
fn group<'a>(
    rule: &'static str,
    all: &[Finding<'a>],
    shown: &[Finding<'a>],
    open: bool,
) -> FindingGroup<'a> {
    let [count, errors, warnings, infos] = severity_counts(all);
    FindingGroup {
        rule,
        title: rules::title(rule),
        summary: rules::catalog()
            .into_iter()
            .find(|r| r.id == rule)
            .map(|r| r.summary),
        count,
        errors,
        warnings,
        infos,
        open,
        items: shown.to_vec(),
        all: None,
    }
}

/// The health report: every rule with its counts and first findings.
pub(super) fn health<'a>(model: &'a Model<'_>) -> HealthPage<'a> {
    health_with(model, filters(model, model.all_findings()))
}

/// What determines the health report of a [keyed](Model::keyed) model.
#[derive(Serialize)]
pub(super) struct HealthKey<'a> {
    /// The report's filters, which [`health_with`] makes it from.
    pub(super) filters: Filters<'a>,
    /// Each rule, its counts (all, errors, warnings, infos) and the keys of the findings it shows.
    rules: Vec<(&'static str, [usize; 4], &'a [u64])>,
}

/// The [`HealthKey`] of a keyed model; `None` for one that is not.
pub(super) fn health_key<'a>(model: &'a Model<'_>) -> Option<HealthKey<'a>> {
    let rules = model
        .findings_by_rule()
        .map(|(rule, items)| {
            let keys = model.finding_keys(rule)?;
            let sample = &keys[..keys.len().min(HEALTH_SAMPLE)];
            Some((rule, severity_counts(items), sample))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(HealthKey {
        filters: filters(model, model.all_findings()),
        rules,
    })
}

/// The health report, with its `filters` already made.
pub(super) fn health_with<'a>(model: &'a Model<'_>, filters: Filters<'a>) -> HealthPage<'a> {
    HealthPage {
        filters,
        groups: model
            .findings_by_rule()
            .enumerate()
            .map(|(i, (rule, items))| {
                let sample = &items[..items.len().min(HEALTH_SAMPLE)];
                let mut g = group(rule, items, sample, i < HEALTH_OPEN);
                g.all = (g.count > HEALTH_SAMPLE).then(|| rule_page_path(rule, 1));
                g
            })
            .collect(),
        total: model.site.diagnostics.len(),
        sample: HEALTH_SAMPLE,
    }
}

/// One page of a rule's findings: where it goes, and which it shows.
pub(super) struct RulePage {
    /// Relative to the site root.
    pub(super) path: String,
    /// The rule.
    pub(super) rule: &'static str,
    /// 0-based: the page shows the rule's findings from `n * HEALTH_PAGE`.
    n: usize,
}

/// Each rule's pages of findings: every finding of the rule, [`HEALTH_PAGE`]
/// to a page.
pub(super) fn health_rule_pages(model: &Model<'_>) -> Vec<RulePage> {
    model
        .findings_by_rule()
        .flat_map(|(rule, items)| {
            (0..items.len().div_ceil(HEALTH_PAGE)).map(move |n| RulePage {
                path: rule_page_path(rule, n + 1),
                rule,
                n,
            })
        })
        .collect()
}

/// What determines one of [`health_rule_pages`] in a [keyed](Model::keyed)
/// model: the rule's counts (all, errors, warnings, infos), which also give
/// its pages, and the keys of the findings on this one.
pub(super) fn health_rule_key<'a>(
    model: &'a Model<'_>,
    of: &RulePage,
) -> Option<([usize; 4], &'a [u64])> {
    let keys = model.finding_keys(of.rule)?;
    let chunk = keys.chunks(HEALTH_PAGE).nth(of.n).unwrap_or_default();
    Some((severity_counts(model.rule_findings(of.rule)), chunk))
}

/// The values of one of [`health_rule_pages`].
pub(super) fn health_rule_page<'a>(model: &'a Model<'_>, of: &RulePage) -> HealthRulePage<'a> {
    let items = model.rule_findings(of.rule);
    let chunk = items.chunks(HEALTH_PAGE).nth(of.n).unwrap_or_default();
    HealthRulePage {
        // The counts are the rule's, not this page's.
        group: group(of.rule, items, chunk, true),
        filters: filters(model, chunk),
        page: of.n + 1,
        pages: (1..=items.len().div_ceil(HEALTH_PAGE))
            .map(|n| rule_page_path(of.rule, n))
            .collect(),
    }
}

/// The roadmap (`roadmap.html`): Now, Next and Later first, so the page
/// opens on the quarter being worked; past quarters after them.
#[derive(Debug, Serialize)]
pub(super) struct RoadmapPage<'a> {
    /// The build date's quarter, shown even when it holds no bets.
    now: QuarterView<'a>,
    /// The quarter after it.
    next: QuarterView<'a>,
    /// Every scheduled quarter after `next`, oldest first.
    later: Vec<QuarterView<'a>>,
    /// Quarters before `now`, most recent first.
    past: Vec<QuarterView<'a>>,
    unscheduled: Vec<BetCard<'a>>,
    /// The current quarter's bets by DHM and confidence.
    portfolio: Portfolio<'a>,
}

/// The portfolio chart and the table that says the same in text.
#[derive(Debug, Serialize)]
struct Portfolio<'a> {
    /// Inline SVG, hidden from assistive technology (the table is its text).
    svg: String,
    rows: Vec<PortfolioRow<'a>>,
    /// How many bets are drawn (those with both DHM scores and confidence).
    charted: usize,
}

/// One bet of the portfolio, as the table lists it.
#[derive(Debug, Serialize)]
struct PortfolioRow<'a> {
    /// Its number on the chart, when it is drawn.
    number: Option<usize>,
    doc: DocLink<'a>,
    size: Option<&'static str>,
    dhm: Option<u8>,
    /// Low 1, medium 2, high 3, summed over problem, solution and outcome.
    confidence: Option<u8>,
    /// The three levels in words (`high, medium, low`).
    levels: Option<String>,
}

/// The portfolio of `bets` still in play (done, dropped and archived ones
/// are no longer choices to weigh): a bet with no `dhm:` or no
/// `confidence:` has no place on the chart and is listed in the table as such.
fn portfolio<'a>(model: &'a Model<'_>, bets: &[DocId]) -> Portfolio<'a> {
    let mut rows = Vec::new();
    let mut number = 0;
    for &b in bets {
        let doc = &model.site.docs[b];
        if doc.status.is_some_and(Status::is_closed) {
            continue;
        }
        let dhm = doc.dhm.as_ref().map(|d| model.dhm(d).total);
        let confidence = doc
            .confidence
            .as_ref()
            .map(|c| model.confidence(c, doc.status));
        let score = confidence
            .as_ref()
            .map(|c| c.problem.filled + c.solution.filled + c.outcome.filled);
        let charted = dhm.is_some() && score.is_some();
        if charted {
            number += 1;
        }
        rows.push(PortfolioRow {
            number: charted.then_some(number),
            doc: model.links[b],
            size: doc.size.map(|s| s.as_str()),
            dhm,
            confidence: score,
            levels: confidence.map(|c| {
                format!(
                    "problem {}, solution {}, outcome {}",
                    c.problem.level, c.solution.level, c.outcome.level
                )
            }),
        });
    }
    let bubbles: Vec<svg::Bubble> = rows
        .iter()
        .filter_map(|r| {
            Some(svg::Bubble {
                number: r.number?,
                title: r.doc.title,
                dhm: r.dhm?,
                confidence: r.confidence?,
                size: r.size.unwrap_or("unsized"),
            })
        })
        .collect();
    Portfolio {
        svg: if bubbles.is_empty() {
            String::new()
        } else {
            svg::portfolio_chart(&bubbles)
        },
        charted: bubbles.len(),
        rows,
    }
}

#[derive(Debug, Serialize)]
struct QuarterView<'a> {
    quarter: String,
    /// Its review page, relative to the site root, when it has one.
    review: Option<String>,
    bets: Vec<BetCard<'a>>,
    balance: Balance,
}

fn quarter_view<'a>(
    model: &'a Model<'_>,
    reviewed: &BTreeSet<Quarter>,
    quarter: Quarter,
    bets: &[DocId],
) -> QuarterView<'a> {
    QuarterView {
        quarter: quarter.to_string(),
        review: reviewed.contains(&quarter).then(|| quarter_path(quarter)),
        bets: bets.iter().map(|&b| bet_card(model, b)).collect(),
        balance: balance(model, bets),
    }
}

/// Bets by quarter: Now, Next, Later, then the past.
pub(super) fn roadmap<'a>(model: &'a Model<'_>) -> RoadmapPage<'a> {
    let (by_quarter, unscheduled) = bets_by_quarter(model);
    let now = Quarter::of(model.site.today);
    let next = now.next();
    let of = |q: Quarter| by_quarter.get(&q).map_or(&[][..], Vec::as_slice);
    let reviewed: BTreeSet<Quarter> = review_quarters(model.site).into_keys().collect();
    let view = |q: Quarter, bets: &[DocId]| quarter_view(model, &reviewed, q, bets);
    RoadmapPage {
        now: view(now, of(now)),
        next: view(next, of(next)),
        later: by_quarter
            .range(next.next()..)
            .map(|(&q, bets)| view(q, bets))
            .collect(),
        past: by_quarter
            .range(..now)
            .rev()
            .map(|(&q, bets)| view(q, bets))
            .collect(),
        unscheduled: unscheduled.iter().map(|&b| bet_card(model, b)).collect(),
        portfolio: portfolio(model, of(now)),
    }
}

/// Every quarter that has a review page, with its bets and objectives (own
/// or inherited quarter, `Facts::quarter_of`), bets first, each in document order.
pub(super) fn review_quarters(site: &crate::site::Site) -> BTreeMap<Quarter, Vec<DocId>> {
    let mut by_quarter: BTreeMap<Quarter, Vec<DocId>> = BTreeMap::new();
    for kind in ["bet", "objective"] {
        for (i, _) in site.docs.iter().enumerate().filter(|(_, d)| d.kind == kind) {
            if let Some(q) = site.facts.quarter_of(i) {
                by_quarter.entry(q).or_default().push(i);
            }
        }
    }
    by_quarter
}

/// The path of a quarter's review page, relative to the site root.
pub(super) fn quarter_path(quarter: Quarter) -> String {
    format!("quarters/{quarter}/index.html")
}

/// A quarter review (`quarter.html`): did we achieve results?
#[derive(Debug, Serialize)]
pub(super) struct QuarterPage<'a> {
    quarter: String,
    current: bool,
    past: bool,
    items: Vec<ReviewItem<'a>>,
    met: usize,
    missed: usize,
    open: usize,
    teams: Vec<TeamShare<'a>>,
}

/// A bet or objective of the quarter and where its goals stand.
#[derive(Debug, Serialize)]
struct ReviewItem<'a> {
    doc: DocLink<'a>,
    /// The worst of its goals' outcomes (`no target` when it has none).
    outcome: &'static str,
    outcome_class: &'static str,
    goals: Vec<ReviewGoal>,
    learnings: Vec<Learning<'a>>,
}

/// One goal (a bet's success criteria, an objective's key result) at its deadline.
#[derive(Debug, Serialize)]
struct ReviewGoal {
    what: String,
    outcome: &'static str,
    outcome_class: &'static str,
    latest: Option<String>,
    target: Option<String>,
    deadline: Option<String>,
}

/// What a review that covers an item says, in its first paragraph.
#[derive(Debug, Serialize)]
struct Learning<'a> {
    review: DocLink<'a>,
    date: Option<String>,
    text: String,
}

/// A team's planned and unplanned work in the quarter (`analysis::work_mix`).
#[derive(Debug, Serialize)]
struct TeamShare<'a> {
    team: DocLink<'a>,
    planned: usize,
    not_planned: usize,
    total: usize,
    share: String,
    over_limit: bool,
}

/// How much of a review's first paragraph the quarter review quotes.
const LEARNING_LIMIT: usize = 400;

/// Where one goal of `doc` stands on the build date.
fn review_goal(
    model: &Model<'_>,
    what: String,
    goal: crate::analysis::PacedGoal<'_>,
) -> (GoalOutcome, ReviewGoal) {
    let site = model.site;
    let reading = crate::analysis::read_goal(
        &site.docs,
        &site.graph,
        goal.metric,
        goal.baseline,
        goal.target,
    );
    let outcome = crate::analysis::goal_outcome(&reading, goal.target, goal.deadline, site.today);
    let unit = reading
        .metric
        .and_then(|m| site.docs[m].unit.as_deref())
        .unwrap_or_default();
    // `%` and `€` sit against the number; a word needs a space (`15 interviews`).
    let unit = match unit.chars().next() {
        Some(c) if c.is_alphanumeric() => format!(" {unit}"),
        _ => unit.to_string(),
    };
    (
        outcome,
        ReviewGoal {
            what,
            outcome: outcome.as_str(),
            outcome_class: outcome.slug(),
            latest: reading
                .latest
                .map(|c| format!("{}{unit} on {}", format_number(c.value), c.date)),
            target: goal.target.map(|t| format!("{}{unit}", format_number(t))),
            deadline: goal.deadline.map(|d| d.to_string()),
        },
    )
}

/// The review pages, one per quarter of [`review_quarters`].
pub(super) fn quarter_pages<'a>(
    model: &'a Model<'_>,
) -> Result<Vec<(Quarter, QuarterPage<'a>)>, super::RenderError> {
    let site = model.site;
    let current = Quarter::of(site.today);
    // Which reviews cover each document, found once for every page.
    let mut covered_by: BTreeMap<DocId, Vec<DocId>> = BTreeMap::new();
    for (r, review) in site.docs.iter().enumerate() {
        if review.kind != "review" {
            continue;
        }
        for target in review.covers.iter().filter_map(|c| model.lookup(&c.id)) {
            covered_by.entry(target).or_default().push(r);
        }
    }
    // Each review's learning, from its text, once however many documents it covers.
    let mut learned: BTreeMap<DocId, String> = BTreeMap::new();
    for &r in covered_by.values().flatten() {
        if let std::collections::btree_map::Entry::Vacant(slot) = learned.entry(r) {
            let text = model.text_of(r)?;
            let body = &text[site.docs[r].body_offset..];
            slot.insert(super::markdown::first_paragraph(body, LEARNING_LIMIT));
        }
    }
    let mix = crate::analysis::work_mix(&site.docs, &site.facts);
    Ok(review_quarters(site)
        .into_iter()
        .map(|(quarter, docs)| {
            let items: Vec<ReviewItem> = docs
                .iter()
                .map(|&id| {
                    let doc = &site.docs[id];
                    let mut goals = Vec::new();
                    if let Some(s) = doc.success.as_ref().filter(|_| doc.kind == "bet") {
                        goals.push(review_goal(
                            model,
                            "Success".into(),
                            crate::analysis::PacedGoal {
                                metric: s.metric.as_ref(),
                                baseline: s.baseline,
                                target: s.target,
                                deadline: s.deadline,
                            },
                        ));
                    }
                    if doc.kind == "objective" {
                        for (n, kr) in doc.key_results.iter().enumerate() {
                            goals.push(review_goal(
                                model,
                                format!("Key result {}", n + 1),
                                crate::analysis::PacedGoal {
                                    metric: kr.metric.as_ref(),
                                    baseline: kr.baseline,
                                    target: kr.target,
                                    deadline: kr.by,
                                },
                            ));
                        }
                    }
                    let outcome = goals
                        .iter()
                        .map(|(o, _)| *o)
                        .max()
                        .unwrap_or(GoalOutcome::Unmeasured);
                    let learnings = covered_by
                        .get(&id)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                        .iter()
                        .map(|&r| {
                            let review = &site.docs[r];
                            Learning {
                                review: model.links[r],
                                date: review.date.map(|d| d.to_string()),
                                text: learned.get(&r).cloned().unwrap_or_default(),
                            }
                        })
                        .collect();
                    ReviewItem {
                        doc: model.links[id],
                        outcome: outcome.as_str(),
                        outcome_class: outcome.slug(),
                        goals: goals.into_iter().map(|(_, g)| g).collect(),
                        learnings,
                    }
                })
                .collect();
            let count = |o: GoalOutcome| items.iter().filter(|i| i.outcome == o.as_str()).count();
            let (met, missed, open) = (
                count(GoalOutcome::Met),
                count(GoalOutcome::Missed),
                count(GoalOutcome::Open),
            );
            let teams = mix
                .iter()
                .filter(|((_, q), _)| *q == quarter)
                .map(|(&(team, _), m)| TeamShare {
                    team: model.links[team],
                    planned: m.planned,
                    not_planned: m.not_planned(),
                    total: m.total(),
                    share: crate::text::format_percent(m.unplanned_share()),
                    over_limit: m.exceeds(site.config.max_unplanned_share),
                })
                .collect();
            let page = QuarterPage {
                quarter: quarter.to_string(),
                current: quarter == current,
                past: quarter < current,
                items,
                met,
                missed,
                open,
                teams,
            };
            (quarter, page)
        })
        .collect())
}

/// The teams page (`teams.html`).
#[derive(Debug, Serialize)]
pub(super) struct TeamsPage<'a> {
    teams: Vec<TeamView<'a>>,
}

#[derive(Debug, Serialize)]
struct TeamView<'a> {
    doc: DocLink<'a>,
    cascade: Vec<CascadeItem<'a>>,
    lno: LnoMix,
    /// Planned and unplanned work per quarter, oldest first (`analysis::work_mix`).
    sources: Vec<SourceMix>,
    findings: &'a [Finding<'a>],
}

/// A team's work items of one quarter by `source:`, as `unplanned-work` counts them.
#[derive(Debug, Serialize)]
struct SourceMix {
    quarter: String,
    planned: usize,
    stakeholder_request: usize,
    incident: usize,
    unplanned: usize,
    total: usize,
    planned_pct: usize,
    not_planned_pct: usize,
    /// The unplanned share as `unplanned-work` words it (`66.7%`).
    share: String,
    /// More than `max_unplanned_share` is unplanned: `unplanned-work` reports it.
    over_limit: bool,
}

/// A team's objectives and work under one bet, with the chain from the bet up.
#[derive(Debug, Serialize)]
struct CascadeItem<'a> {
    bet: Option<DocLink<'a>>,
    chain: Option<Vec<DocLink<'a>>>,
    items: Vec<DocLink<'a>>,
}

/// A team's open work by leverage, neutral, overhead.
#[derive(Debug, Serialize)]
struct LnoMix {
    leverage: usize,
    neutral: usize,
    overhead: usize,
    unclassified: usize,
    open: usize,
    leverage_pct: usize,
    neutral_pct: usize,
    overhead_pct: usize,
    unclassified_pct: usize,
}

/// Teams and the alignment cascade.
pub(super) fn teams<'a>(model: &'a Model<'_>) -> TeamsPage<'a> {
    let site = model.site;
    let mut teams = Vec::new();
    let mix = crate::analysis::work_mix(&site.docs, &site.facts);
    for (t, _) in site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == "team")
    {
        let mut by_bet: BTreeMap<Option<DocId>, Vec<DocId>> = BTreeMap::new();
        let mut lno = [0usize; 4];
        for (i, d) in site.docs.iter().enumerate() {
            if !matches!(d.kind.as_str(), "objective" | "work") || model.team_of(i) != Some(t) {
                continue;
            }
            by_bet.entry(model.bet_of(i)).or_default().push(i);
            if d.kind == "work" && !d.status.is_some_and(Status::is_closed) {
                let slot = match d.lno {
                    Some(Lno::Leverage) => 0,
                    Some(Lno::Neutral) => 1,
                    Some(Lno::Overhead) => 2,
                    None => 3,
                };
                lno[slot] += 1;
            }
        }
        let open: usize = lno.iter().sum();
        let pct = |n: usize| (n * 100).checked_div(open).unwrap_or(0);
        let cascade = by_bet
            .into_iter()
            .map(|(bet, items)| CascadeItem {
                bet: bet.map(|b| model.links[b]),
                chain: bet.map(|b| {
                    let mut up: Vec<DocLink> = site
                        .graph
                        .ancestors(b)
                        .into_iter()
                        .rev()
                        .map(|a| model.links[a])
                        .collect();
                    up.push(model.links[b]);
                    up
                }),
                items: items.iter().map(|&i| model.links[i]).collect(),
            })
            .collect();
        teams.push(TeamView {
            doc: model.links[t],
            cascade,
            lno: LnoMix {
                leverage: lno[0],
                neutral: lno[1],
                overhead: lno[2],
                unclassified: lno[3],
                open,
                leverage_pct: pct(lno[0]),
                neutral_pct: pct(lno[1]),
                overhead_pct: pct(lno[2]),
                unclassified_pct: pct(lno[3]),
            },
            sources: mix
                .range(
                    (
                        t,
                        crate::date::Quarter {
                            year: i16::MIN,
                            number: 0,
                        },
                    )..,
                )
                .take_while(|((team, _), _)| *team == t)
                .map(|((_, q), m)| {
                    let share = m.unplanned_share();
                    let planned_pct = (m.planned * 100).checked_div(m.total()).unwrap_or(0);
                    SourceMix {
                        quarter: q.to_string(),
                        planned: m.planned,
                        stakeholder_request: m.stakeholder_request,
                        incident: m.incident,
                        unplanned: m.unplanned,
                        total: m.total(),
                        planned_pct,
                        not_planned_pct: 100 - planned_pct,
                        share: crate::text::format_percent(share),
                        over_limit: m.exceeds(site.config.max_unplanned_share),
                    }
                })
                .collect(),
            findings: &model.findings[t],
        });
    }
    TeamsPage { teams }
}

/// The 404 page: it carries the theme's stylesheet itself, as a `data:`
/// URL, because it is served at any depth (and opened from `file://`),
/// where no relative path reaches `assets/style.css`, and `base_url` is
/// right only on the host.
#[derive(Debug, Serialize)]
pub(super) struct NotFoundPage {
    /// `style.css` as a `data:` URL, every byte outside a safe set
    /// percent-encoded (so nothing in it ends the attribute).
    css: String,
}

/// The bytes the 404 page's `data:` URL percent-encodes. What it protects:
/// the URL sits in a quoted HTML attribute, so no `"`, `'`, `<`, `>`, `&`,
/// `%`, `#`, space or control byte of the stylesheet may appear in it as
/// itself. Non-ASCII bytes are always encoded.
const DATA_URL_IN_ATTRIBUTE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':')
    .remove(b';')
    .remove(b',')
    .remove(b'/')
    .remove(b'(')
    .remove(b')')
    .remove(b'!')
    .remove(b'*')
    .remove(b'@')
    .remove(b'+')
    .remove(b'=')
    .remove(b'?')
    .remove(b'$');

/// The 404 page's context, with the theme's stylesheet.
pub(super) fn not_found(theme: &super::theme::Theme) -> NotFoundPage {
    let bytes: &[u8] = theme
        .assets
        .iter()
        .find(|(name, _)| name == "style.css")
        .map_or(&[], |(_, bytes)| bytes.as_slice());
    let mut css = String::with_capacity(bytes.len() * 2 + 32);
    css.push_str("data:text/css;charset=utf-8,");
    css.extend(percent_encoding::percent_encode(
        bytes,
        DATA_URL_IN_ATTRIBUTE,
    ));
    NotFoundPage { css }
}

/// The search page: the kinds its filter offers.
#[derive(Debug, Serialize)]
pub(super) struct SearchPage<'a> {
    /// Each kind documents have, as its name and label, sorted by label.
    pub kinds: Vec<super::search::KindName<'a>>,
}

/// The search page's context.
pub(super) fn search<'a>(model: &Model<'a>) -> SearchPage<'a> {
    SearchPage {
        kinds: super::search::kinds(model)
            .into_iter()
            .map(|(name, label)| super::search::KindName { name, label })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_url_encodes_exactly_what_the_hand_written_encoder_did() {
        for byte in 0..=255u8 {
            let kept = byte.is_ascii_alphanumeric() || b"-_.~:;,/()!*@+=?$".contains(&byte);
            let out = percent_encoding::percent_encode(&[byte], DATA_URL_IN_ATTRIBUTE).to_string();
            let expected = if kept {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            };
            assert_eq!(out, expected, "byte {byte:#04x}");
        }
    }
}
