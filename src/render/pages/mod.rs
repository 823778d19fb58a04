//! A file per kind of page, each with the typed context its template sees
//! and, for an overview, its row of [`OVERVIEWS`]: adding a page is its
//! file here, its template and its docs. Contexts borrow from the [`Model`]
//! and go to Tera as they are: no intermediate JSON tree, no copies of
//! titles and messages.
//!
//! This file holds what the pages share: [`Base`], the values every page
//! has; [`page`] and [`page_from`], which render a page unless it was
//! rendered before from the same values; and the cards several pages show.

mod changes;
mod decisions;
mod dependencies;
pub(in crate::render) mod document;
pub(in crate::render) mod feeds;
pub(in crate::render) mod health;
mod home;
mod metrics;
mod not_found;
pub(in crate::render) mod people;
pub(in crate::render) mod quarter;
mod roadmap;
pub(in crate::render) mod search;
mod teams;
pub(in crate::render) mod trace;
mod trace_index;

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::RenderError;
use super::jobs::Job;
use super::served::ServedPages;
use super::svg::{self, TreeNode};
use super::theme::Theme;
use super::view::{ConfidenceView, DhmView, DocLink, GoalView, Model};
use crate::date::Quarter;
use crate::graph::DocId;
use crate::model::{Size, Status};
use crate::output::OutputFile;

/// The variables every page has besides its own: `site`, `root`, `section`.
#[derive(Debug, Clone, Serialize)]
pub(in crate::render) struct Base<'a> {
    /// Site-wide facts.
    pub site: SiteFacts<'a>,
    /// The prefix from this page to the site root.
    pub root: &'a str,
    /// Which part of the site the page belongs to, for the navigation.
    pub section: &'static str,
    /// Lets a partial render skip a page whose values did not change; not a template value.
    #[serde(skip)]
    pub served: Option<&'a ServedPages>,
}

/// `site` in every template.
#[derive(Debug, Clone, Serialize)]
pub(in crate::render) struct SiteFacts<'a> {
    /// The site title.
    pub title: &'a str,
    /// The build date.
    pub today: &'a str,
    /// Whether the highlight stylesheet exists.
    pub has_code: bool,
    /// Whether the Atom feeds are published (an absolute `base_url`).
    pub feeds: bool,
    /// The page of the document with id `glossary`, if the site has one,
    /// relative to the site root: the framework terms (DHM, LNO, the
    /// confidence meter) link to it.
    pub glossary: Option<String>,
    /// Whether the site has people: the navigation links `people/` then.
    pub has_people: bool,
    /// Whether the site has a dependency: the navigation links `dependencies/` then.
    pub has_dependencies: bool,
}

/// The context every page shares.
pub(in crate::render) fn base<'a>(
    model: &'a Model<'_>,
    root: &'a str,
    section: &'static str,
) -> Base<'a> {
    let site = model.site;
    Base {
        site: SiteFacts {
            title: &site.config.title,
            today: &model.today,
            has_code: model.has_code,
            feeds: feeds::published(site),
            glossary: model.link_to("glossary").map(|l| l.path.after("")),
            has_people: !site.facts.people().is_empty(),
            has_dependencies: model.has_dependencies,
        },
        root,
        section,
        served: model.served,
    }
}

/// An overview's pages, those that needed no render left out ([`ServedPages`]).
pub(in crate::render) type PagesResult = Result<Vec<OutputFile>, RenderError>;

/// Renders `template` into the page at `path`. `None` when that page was
/// rendered before from the very same values: serve serves it, or the
/// previous build wrote it ([`ServedPages`]).
fn page(
    theme: &Theme,
    template: &str,
    path: String,
    base: &Base<'_>,
    context: &impl serde::Serialize,
) -> Result<Option<OutputFile>, RenderError> {
    page_from(theme, template, path, base, context, |context| context)
}

/// [`page`] for a page some of whose values are costly to make: `key`
/// determines them and is what serve compares, and `values` makes them from
/// it only for a page that is rendered.
fn page_from<K: serde::Serialize, C: serde::Serialize>(
    theme: &Theme,
    template: &str,
    path: String,
    base: &Base<'_>,
    key: K,
    values: impl FnOnce(K) -> C,
) -> Result<Option<OutputFile>, RenderError> {
    if let Some(served) = base.served {
        if served.unchanged(&path, template, base, &key) {
            return Ok(None);
        }
    }
    render_page(theme, template, path, base, &values(key)).map(Some)
}

/// Renders `template` into the page at `path`, whatever was rendered before.
fn render_page(
    theme: &Theme,
    template: &str,
    path: String,
    base: &Base<'_>,
    context: &impl serde::Serialize,
) -> Result<OutputFile, RenderError> {
    let html = theme.render(template, base, context).map_err(|e| {
        RenderError(format!(
            "template error: rendering {path} with `{template}`: {}",
            e.0
        ))
    })?;
    Ok(OutputFile::text(path, html))
}

/// An overview page: which job makes it, its template and output path, and
/// where its links start from.
pub(in crate::render) struct Overview {
    pub(in crate::render) job: Job,
    template: &'static str,
    path: &'static str,
    /// The prefix from the page to the site root; `None`: the site's
    /// `base_url`, for the 404 page, which is served at any depth.
    pub(in crate::render) root: Option<&'static str>,
    pub(in crate::render) section: &'static str,
    pub(in crate::render) render:
        for<'m> fn(&'m Model<'_>, &Theme, &Overview, &Base<'m>) -> PagesResult,
}

impl Overview {
    fn page(&self, theme: &Theme, base: &Base<'_>, context: &impl serde::Serialize) -> PagesResult {
        Ok(page(theme, self.template, self.path.into(), base, context)?
            .into_iter()
            .collect())
    }
}

/// Every page that is not a document's, in the order a build renders them:
/// each page's row is in its file.
pub(in crate::render) const OVERVIEWS: &[Overview] = &[
    home::OVERVIEW,
    trace::OVERVIEW,
    health::OVERVIEW,
    roadmap::OVERVIEW,
    teams::OVERVIEW,
    metrics::OVERVIEW,
    changes::OVERVIEW,
    dependencies::OVERVIEW,
    decisions::OVERVIEW,
    not_found::OVERVIEW,
];

/// The paths of the pages a site has only when it has people or
/// dependencies, for `serve` to drop those an edit makes go away.
pub fn optional_page_paths(site: &crate::site::Site) -> Vec<String> {
    let mut paths = people::people_page_paths(site);
    paths.extend(roadmap::group_page_paths(site));
    paths.extend(dependencies::page_paths(site));
    paths
}

/// The page of the person `doc`'s `owner:` names, relative to the site root.
fn owner_page(model: &Model<'_>, doc: DocId) -> Option<String> {
    let person = model.site.facts.people().owner_of(doc)?;
    Some(people::person_path(&model.site.docs[person].id))
}

/// Outcome `doc`'s opportunity solution tree, as its diagram draws it.
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

/// An opportunity solution tree as a page shows it: the figure, and the
/// legend of its box fills beside it.
#[derive(Debug, Clone, Serialize)]
struct OstDiagram {
    /// Both layouts of the tree (`svg::tree_diagram`), HTML.
    svg: String,
    legend: crate::render::legend::Legend,
}

/// The diagram of the opportunity solution tree rooted at outcome `doc`.
fn ost_diagram(model: &Model<'_>, doc: DocId, prefix: &str) -> OstDiagram {
    let tree = ost_tree(model, doc, prefix);
    OstDiagram {
        svg: svg::tree_diagram(&tree),
        legend: crate::render::legend::ost_statuses(&tree),
    }
}

/// A commit as the pages list it.
#[derive(Debug, Serialize)]
struct CommitView<'a> {
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
struct ChangeView<'a> {
    /// The document's page, when it is still in the site.
    doc: Option<DocLink<'a>>,
    /// Its title now, or as the commit wrote it, or its id.
    title: &'a str,
    kind_label: &'a str,
    /// The change in words ([`crate::history::Change::words`]), each id
    /// with its document's page where the site still has it.
    words: Vec<WordView<'a>>,
    /// A text change's words before and after, by section.
    excerpts: &'a [crate::history::SectionChange],
    commit: CommitView<'a>,
}

/// One [`Word`](crate::history::Word) of a change, for `partials/words.html`.
#[derive(Debug, Serialize)]
struct WordView<'a> {
    #[serde(flatten)]
    word: crate::history::Word,
    /// An id's document, when the site has it: linked by its title.
    doc: Option<DocLink<'a>>,
    /// An id no longer in the site: the title the history last saw it with.
    seen_as: Option<&'a str>,
}

fn word_views<'a>(model: &'a Model<'_>, change: &crate::history::Change) -> Vec<WordView<'a>> {
    change
        .words()
        .into_iter()
        .map(|word| {
            let doc = match &word {
                crate::history::Word::Id(id) => model.link_to(id),
                _ => None,
            };
            let seen_as = match &word {
                crate::history::Word::Id(id) if doc.is_none() => model.site.history.last_title(id),
                _ => None,
            };
            WordView { word, doc, seen_as }
        })
        .collect()
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
        words: word_views(model, &event.change),
        excerpts: match &event.change {
            crate::history::Change::Text { excerpts, .. } => excerpts,
            _ => &[],
        },
        commit: commit_view(model, &site.history.commits[event.commit]),
    }
}

/// A bet as a card on the dashboard and the roadmap.
#[derive(Debug, Serialize)]
struct BetCard<'a> {
    doc: DocLink<'a>,
    size: Option<&'static str>,
    quarter: Option<String>,
    owner: Option<&'a str>,
    /// The owner's page, when `owner:` names a person.
    owner_page: Option<String>,
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
        owner_page: owner_page(model, bet),
        team: doc.team.as_ref().and_then(|t| model.link_to(&t.id)),
        confidence: doc
            .confidence
            .as_ref()
            .map(|c| model.confidence(c, doc.status)),
        dhm: doc.dhm.as_ref().map(|d| model.dhm(d)),
        success: doc.success.as_ref().map(|s| model.success(bet, s)),
    }
}

/// A team's tracker items of one quarter, as `untraced-work` counts them
/// (`analysis::work_trace`): the teams page's row and the quarter review's.
#[derive(Debug, Serialize)]
struct TraceCounts {
    traced: usize,
    traced_done: usize,
    untraced: usize,
    unplanned: usize,
    /// The untraced share as `untraced-work` words it.
    share: String,
    /// More than `max_untraced_share`: `untraced-work` reports it.
    over_limit: bool,
}

impl TraceCounts {
    fn of(trace: &crate::analysis::WorkTrace, limit: f64) -> TraceCounts {
        TraceCounts {
            traced: trace.traced,
            traced_done: trace.traced_done,
            untraced: trace.untraced.len(),
            unplanned: trace.unplanned,
            share: crate::text::format_percent(trace.untraced_share()),
            over_limit: trace.exceeds(limit),
        }
    }
}

/// The size mix of a quarter's active bets, and its limit.
#[derive(Debug, Serialize)]
struct Balance {
    active: usize,
    big: usize,
    medium: usize,
    small: usize,
    big_pct: usize,
    medium_pct: usize,
    small_pct: usize,
    /// The quarter's active bets against `max_bets_per_quarter`; none for
    /// bets with no quarter, which no limit holds.
    limit: Option<Limit>,
    /// The bar's legend, with the counts.
    legend: crate::render::legend::Legend,
}

/// A quarter's active bets against its limit, as `too-many-bets` judges them
/// (`analysis::bet_load`): all of the quarter's, on a page that shows some.
#[derive(Debug, Serialize)]
struct Limit {
    quarter: String,
    active: usize,
    max: usize,
    /// Over the limit: the page says so as a warning.
    over: bool,
    /// The `too-many-bets` findings' page, relative to the site root, when
    /// there are some (the rule may be turned off).
    finding: Option<String>,
}

/// The size mix of `bets`' active ones, and the limit of `quarter`, all of
/// whose bets count against it: a roadmap page per product strategy shows
/// some of a quarter's bets.
fn balance(model: &Model<'_>, quarter: Option<Quarter>, bets: &[DocId]) -> Balance {
    let docs = &model.site.docs;
    let load =
        quarter.map(|q| crate::analysis::bet_load(docs, model.site.config.max_bets_per_quarter, q));
    let active: Vec<DocId> = match &load {
        Some(load) => bets
            .iter()
            .copied()
            .filter(|b| load.active.binary_search(b).is_ok())
            .collect(),
        None => bets
            .iter()
            .copied()
            .filter(|&b| docs[b].status.is_some_and(Status::is_active_bet))
            .collect(),
    };
    let count = |size| {
        active
            .iter()
            .filter(|&&b| docs[b].size == Some(size))
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
        limit: load.map(|load| Limit {
            quarter: load.quarter.to_string(),
            active: load.active.len(),
            max: load.max,
            over: load.over_limit(),
            finding: (!model.rule_findings(TOO_MANY_BETS).is_empty())
                .then(|| health::rule_page_path(TOO_MANY_BETS, 1)),
        }),
        legend: crate::render::legend::size_mix([
            (Size::Big, big),
            (Size::Medium, medium),
            (Size::Small, small),
        ]),
    }
}

/// The rule that judges a [`Limit`].
const TOO_MANY_BETS: &str = "too-many-bets";

fn bets_by_quarter(model: &Model<'_>) -> (BTreeMap<Quarter, Vec<DocId>>, Vec<DocId>) {
    let mut by_quarter: BTreeMap<Quarter, Vec<DocId>> = BTreeMap::new();
    let mut unscheduled = Vec::new();
    for (i, d) in model
        .site
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (DocId::new(i), d))
        .filter(|(_, d)| d.kind == "bet")
    {
        match d.quarter {
            Some(q) => by_quarter.entry(q).or_default().push(i),
            None => unscheduled.push(i),
        }
    }
    (by_quarter, unscheduled)
}

/// How many rows (bets on the roadmap, bets and objectives in a quarter
/// review) a page holds before the overview moves them to a page per
/// product strategy ([0027](../../../docs/decisions/0027-pages-per-product-strategy.md)).
pub(in crate::render) const PAGE_ROWS: usize = 50;

/// Documents under one product strategy (`analysis::product_strategy_of`),
/// or under none.
#[derive(Debug)]
struct StrategyGroup {
    strategy: Option<DocId>,
    /// Its page's folder name: the strategy's id, or [`UNPLACED`] made unique.
    slug: String,
    docs: Vec<DocId>,
}

/// The folder of the group of documents under no product strategy.
const UNPLACED: &str = "unplaced";

/// `docs` by product strategy, in the strategies' file order, those under
/// none last; each group keeps `docs`' order.
fn by_strategy(site: &crate::site::Site, docs: &[DocId]) -> Vec<StrategyGroup> {
    let mut groups: BTreeMap<Option<DocId>, Vec<DocId>> = BTreeMap::new();
    for &d in docs {
        let ps =
            crate::analysis::product_strategy_of(&site.docs, &site.graph, &site.config.schema, d);
        groups.entry(ps).or_default().push(d);
    }
    // `None` sorts first in a map; the unplaced are listed last.
    let unplaced = groups.remove(&None);
    let mut out: Vec<StrategyGroup> = groups
        .into_iter()
        .map(|(strategy, docs)| StrategyGroup {
            slug: strategy.map_or_else(String::new, |s| site.docs[s].id.clone()),
            strategy,
            docs,
        })
        .collect();
    if let Some(docs) = unplaced {
        let mut slug = UNPLACED.to_string();
        // An id may be `unplaced`: the folder takes a name no group has.
        while out.iter().any(|g| g.slug == slug) {
            slug.push('_');
        }
        out.push(StrategyGroup {
            strategy: None,
            slug,
            docs,
        });
    }
    out
}

/// The prefix from a page at `path` (relative to the site root) back to the root.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// A product strategy as a page names it.
#[derive(Debug, Serialize)]
struct GroupHead<'a> {
    /// `None` for the documents under no product strategy.
    doc: Option<DocLink<'a>>,
    title: &'a str,
}

fn group_head<'a>(model: &'a Model<'_>, group: &StrategyGroup) -> GroupHead<'a> {
    GroupHead {
        doc: group.strategy.map(|s| model.links[s]),
        title: group
            .strategy
            .map_or("Under no product strategy", |s| model.links[s].title),
    }
}

/// Where a page is among a strategy's pages; links relative to the page.
#[derive(Debug, Serialize)]
struct Pager {
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

impl Pager {
    /// Page `page` of `pages`, for the page at `path`: its neighbours
    /// linked relative to it, `path_of(n)` being page `n`'s path from the
    /// root. None when there is one page.
    fn of(
        page: usize,
        pages: usize,
        path: &str,
        path_of: impl Fn(usize) -> String,
    ) -> Option<Pager> {
        let root = root_of(path);
        let link = |n: usize| format!("{root}{}", path_of(n));
        (pages > 1).then(|| Pager {
            page,
            pages,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        })
    }
}

/// How many pages `rows` rows take at [`PAGE_ROWS`] a page.
fn page_count(rows: usize) -> usize {
    rows.div_ceil(PAGE_ROWS).max(1)
}
