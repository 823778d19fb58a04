//! The roadmap (`roadmap/`, `roadmap.html`): bets by quarter, Now, Next and
//! Later first, and this quarter's portfolio. Grouped by product strategy
//! when there is more than one; past [`PAGE_ROWS`] bets, a landing page of
//! roll-ups and a page per product strategy (`roadmap/<id>/`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::quarter::{quarter_path, review_quarters};
use super::{
    balance, base, bet_card, bets_by_quarter, by_strategy, group_head, page, page_count, root_of,
    Balance, BetCard, GroupHead, Overview, Pager, PagesResult, StrategyGroup, PAGE_ROWS,
};
use crate::analysis::Standing;
use crate::date::Quarter;
use crate::graph::DocId;
use crate::model::Status;
use crate::render::jobs::Job;
use crate::render::legend::{self, Legend};
use crate::render::svg;
use crate::render::view::{DocLink, Model};

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::Roadmap,
    template: "roadmap.html",
    path: "roadmap/index.html",
    root: Some("../"),
    section: "roadmap",
    render: roadmap_pages,
};

/// The roadmap (`roadmap.html`): Now, Next and Later first, so the page
/// opens on the quarter being worked; past quarters after them.
#[derive(Debug, Serialize)]
struct RoadmapPage<'a> {
    /// The build date's quarter, shown even when it holds no bets.
    now: QuarterView<'a>,
    /// The quarter after it.
    next: QuarterView<'a>,
    /// Every scheduled quarter after `next`, oldest first.
    later: Vec<QuarterView<'a>>,
    /// Quarters before `now`, most recent first.
    past: Vec<QuarterView<'a>>,
    unscheduled: QuarterView<'a>,
    /// The current quarter's bets by DHM and confidence; `None` on a
    /// landing page of roll-ups (each strategy's page has its own).
    portfolio: Option<Portfolio<'a>>,
    /// On a product strategy's page: that strategy.
    group: Option<GroupHead<'a>>,
    /// On a product strategy's page of several: where it is among them.
    pager: Option<Pager>,
    /// Whether this is a landing page of roll-ups, the bets on pages per strategy.
    paged: bool,
    /// On a landing page of roll-ups: a row per product strategy.
    strategies: Vec<StrategyRow<'a>>,
    /// What the cards' badges mean: the bets' statuses, then sizes.
    legends: [Legend; 2],
}

/// A product strategy's bets on the roadmap's landing page, by when.
#[derive(Debug, Serialize)]
struct StrategyRow<'a> {
    head: GroupHead<'a>,
    /// Its page, relative to the site root.
    page: String,
    now: Rollup,
    next: Rollup,
    later: Rollup,
    past: Rollup,
    unscheduled: Rollup,
    total: usize,
}

/// How a set of bets stands, each once: open bets by standing
/// (`analysis::standing`; a future quarter's are only planned), then done,
/// then dropped or archived. The parts add up to `total`.
#[derive(Debug, Default, Serialize)]
struct Rollup {
    total: usize,
    parts: Vec<RollupPart>,
}

#[derive(Debug, Serialize)]
struct RollupPart {
    label: &'static str,
    slug: &'static str,
    count: usize,
}

/// The parts of a [`Rollup`] past the standings, in their order.
const PLANNED: (&str, &str) = ("planned", "planned");
const DONE: (&str, &str) = ("done", "done");
const DROPPED: (&str, &str) = ("dropped or archived", "dropped");

fn rollup(model: &Model<'_>, bets: &[DocId], future: bool) -> Rollup {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    let n = Standing::ALL.len();
    for &b in bets {
        let slot = match model.site.docs[b].status {
            Some(Status::Done) => n + 1,
            Some(s) if s.is_closed() => n + 2,
            _ if future => n,
            _ => model
                .standing(b)
                .and_then(|s| Standing::ALL.iter().position(|&x| x == s))
                .unwrap_or(n),
        };
        *counts.entry(slot).or_default() += 1;
    }
    Rollup {
        total: bets.len(),
        parts: counts
            .into_iter()
            .map(|(slot, count)| {
                let (label, slug) = match Standing::ALL.get(slot) {
                    Some(s) => (s.as_str(), s.slug()),
                    None if slot == n => PLANNED,
                    None if slot == n + 1 => DONE,
                    None => DROPPED,
                };
                RollupPart { label, slug, count }
            })
            .collect(),
    }
}

/// The portfolio chart and the table that says the same in text.
#[derive(Debug, Serialize)]
struct Portfolio<'a> {
    /// Inline SVG, hidden from assistive technology (the table is its text).
    svg: String,
    rows: Vec<PortfolioRow<'a>>,
    /// How many bets are drawn (those with both DHM scores and confidence).
    charted: usize,
    /// The ranges the chart shows, in words.
    scale: String,
    /// The bubbles' sizes.
    legend: Legend,
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
        scale: svg::PortfolioScale::of(&bubbles).describe(),
        charted: bubbles.len(),
        rows,
        legend: legend::bubbles(),
    }
}

#[derive(Debug, Serialize)]
struct QuarterView<'a> {
    quarter: String,
    /// Its review page, relative to the site root, when it has one.
    review: Option<String>,
    bets: Vec<BetCard<'a>>,
    /// Bets of the quarter that were dropped or archived: named, not shown
    /// as cards among the plan.
    dropped: Vec<DocLink<'a>>,
    balance: Balance,
    /// Every bet of the quarter, each once.
    rollup: Rollup,
    /// The same bets by product strategy, when the page groups them; then
    /// `bets` and `dropped` are empty.
    groups: Vec<CardGroup<'a>>,
}

/// A product strategy's bets in one quarter.
#[derive(Debug, Serialize)]
struct CardGroup<'a> {
    head: GroupHead<'a>,
    rollup: Rollup,
    bets: Vec<BetCard<'a>>,
    dropped: Vec<DocLink<'a>>,
}

/// How a page of the roadmap shows a quarter's bets.
#[derive(Clone, Copy)]
enum Show<'g> {
    /// As cards.
    Cards,
    /// As cards under each product strategy (the group of each bet by position).
    Grouped(&'g [StrategyGroup], &'g BTreeMap<DocId, usize>),
    /// Only counted: the landing page of a paged roadmap.
    Counted,
}

fn quarter_view<'a>(
    model: &'a Model<'_>,
    reviewed: &BTreeSet<Quarter>,
    quarter: Option<Quarter>,
    bets: &[DocId],
    show: Show<'_>,
) -> QuarterView<'a> {
    let now = Quarter::of(model.site.today);
    let cards = |bets: &[DocId]| -> (Vec<BetCard<'a>>, Vec<DocLink<'a>>) {
        (
            bets.iter()
                .filter(|&&b| !is_dropped(model, b))
                .map(|&b| bet_card(model, b))
                .collect(),
            bets.iter()
                .filter(|&&b| is_dropped(model, b))
                .map(|&b| model.links[b])
                .collect(),
        )
    };
    let future = quarter.is_some_and(|q| q > now);
    let (bets_shown, dropped, groups) = match show {
        Show::Cards => {
            let (b, d) = cards(bets);
            (b, d, Vec::new())
        }
        Show::Counted => (Vec::new(), Vec::new(), Vec::new()),
        Show::Grouped(groups, of) => {
            let mut members: Vec<Vec<DocId>> = vec![Vec::new(); groups.len()];
            for &b in bets {
                if let Some(&g) = of.get(&b) {
                    members[g].push(b);
                }
            }
            let groups = groups
                .iter()
                .zip(members)
                .filter(|(_, m)| !m.is_empty())
                .map(|(g, m)| {
                    let (bets, dropped) = cards(&m);
                    CardGroup {
                        head: group_head(model, g),
                        rollup: rollup(model, &m, future),
                        bets,
                        dropped,
                    }
                })
                .collect();
            (Vec::new(), Vec::new(), groups)
        }
    };
    QuarterView {
        quarter: quarter.map(|q| q.to_string()).unwrap_or_default(),
        review: quarter.filter(|q| reviewed.contains(q)).map(quarter_path),
        bets: bets_shown,
        dropped,
        balance: balance(model, quarter, bets),
        rollup: rollup(model, bets, future),
        groups,
    }
}

/// Bets by quarter: Now, Next, Later, then the past.
/// Dropped or archived: no longer part of any quarter's plan.
fn is_dropped(model: &Model<'_>, bet: DocId) -> bool {
    matches!(
        model.site.docs[bet].status,
        Some(Status::Dropped | Status::Archived)
    )
}

/// The path of page `n` (from 1) of a product strategy's roadmap, relative
/// to the site root: `roadmap/ps-payouts/`, then `.../page/2/`.
fn group_path(slug: &str, n: usize) -> String {
    if n <= 1 {
        format!("roadmap/{slug}/index.html")
    } else {
        format!("roadmap/{slug}/page/{n}/index.html")
    }
}

/// The paths of the roadmap's pages per product strategy a full render of
/// `site` writes, for `serve` to drop those an edit makes go away.
pub(super) fn group_page_paths(site: &crate::site::Site) -> Vec<String> {
    let bets: Vec<DocId> = DocId::all(site.docs.len())
        .filter(|&i| site.docs[i].kind == "bet")
        .collect();
    if bets.len() <= PAGE_ROWS {
        return Vec::new();
    }
    by_strategy(site, &bets)
        .iter()
        .flat_map(|g| (1..=page_count(g.docs.len())).map(|n| group_path(&g.slug, n)))
        .collect()
}

/// The roadmap: one page while it holds at most [`PAGE_ROWS`] bets (grouped
/// by product strategy when there are several), else a landing page of
/// roll-ups and a page per product strategy.
fn roadmap_pages<'m>(
    model: &'m Model<'_>,
    theme: &crate::render::theme::Theme,
    overview: &Overview,
    base_of_landing: &super::Base<'m>,
) -> PagesResult {
    let (by_quarter, unscheduled) = bets_by_quarter(model);
    let all: Vec<DocId> = DocId::all(model.site.docs.len())
        .filter(|&i| model.site.docs[i].kind == "bet")
        .collect();
    let groups = by_strategy(model.site, &all);
    let group_of: BTreeMap<DocId, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(n, g)| g.docs.iter().map(move |&d| (d, n)))
        .collect();
    let paged = all.len() > PAGE_ROWS;
    let show = if paged {
        Show::Counted
    } else if groups.len() > 1 {
        Show::Grouped(&groups, &group_of)
    } else {
        Show::Cards
    };
    // Which quarters have a review page: found once for every page.
    let reviewed: BTreeSet<Quarter> = review_quarters(model.site).into_keys().collect();
    let mut landing = roadmap(model, &reviewed, &by_quarter, &unscheduled, show);
    if paged {
        landing.paged = true;
        landing.strategies = strategy_rows(model, &groups, &group_of, &by_quarter, &unscheduled);
    }
    let mut files = overview.page(theme, base_of_landing, &landing)?;
    if !paged {
        return Ok(files);
    }
    let now = Quarter::of(model.site.today);
    for (n, g) in groups.iter().enumerate() {
        let mine = |bets: &[DocId]| -> Vec<DocId> {
            bets.iter()
                .copied()
                .filter(|b| group_of.get(b) == Some(&n))
                .collect()
        };
        let of_group: BTreeMap<Quarter, Vec<DocId>> = by_quarter
            .iter()
            .map(|(&q, bets)| (q, mine(bets)))
            .filter(|(_, bets)| !bets.is_empty())
            .collect();
        let unscheduled_of_group = mine(&unscheduled);
        // The order the page shows them in: Now, Next, Later, the past most
        // recent first, then the unscheduled; cut into pages of PAGE_ROWS.
        let of = |q: Quarter| of_group.get(&q).map_or(&[][..], Vec::as_slice);
        let shown: Vec<DocId> = of(now)
            .iter()
            .chain(of(now.next()))
            .chain(of_group.range(now.next().next()..).flat_map(|(_, b)| b))
            .chain(of_group.range(..now).rev().flat_map(|(_, b)| b))
            .chain(&unscheduled_of_group)
            .copied()
            .collect();
        let pages = page_count(shown.len());
        for (number, chunk) in (1..).zip(shown.chunks(PAGE_ROWS)) {
            let on_page: BTreeSet<DocId> = chunk.iter().copied().collect();
            let keep = |bets: &[DocId]| -> Vec<DocId> {
                bets.iter()
                    .copied()
                    .filter(|b| on_page.contains(b))
                    .collect()
            };
            let of_page: BTreeMap<Quarter, Vec<DocId>> = of_group
                .iter()
                .map(|(&q, bets)| (q, keep(bets)))
                .filter(|(_, bets)| !bets.is_empty())
                .collect();
            let path = group_path(&g.slug, number);
            let root = root_of(&path);
            let mut page_of = roadmap(
                model,
                &reviewed,
                &of_page,
                &keep(&unscheduled_of_group),
                Show::Cards,
            );
            page_of.group = Some(group_head(model, g));
            page_of.pager = Pager::of(number, pages, &path, |n| group_path(&g.slug, n));
            files.extend(page(
                theme,
                "roadmap.html",
                path,
                &base(model, &root, "roadmap"),
                &page_of,
            )?);
        }
    }
    Ok(files)
}

/// A row per product strategy: how its bets stand in each part of the roadmap.
fn strategy_rows<'a>(
    model: &'a Model<'_>,
    groups: &[StrategyGroup],
    group_of: &BTreeMap<DocId, usize>,
    by_quarter: &BTreeMap<Quarter, Vec<DocId>>,
    unscheduled: &[DocId],
) -> Vec<StrategyRow<'a>> {
    let now = Quarter::of(model.site.today);
    groups
        .iter()
        .enumerate()
        .map(|(n, g)| {
            let mine = |bets: &mut dyn Iterator<Item = &DocId>| -> Vec<DocId> {
                bets.copied()
                    .filter(|b| group_of.get(b) == Some(&n))
                    .collect()
            };
            let of = |q: Quarter| by_quarter.get(&q).map_or(&[][..], Vec::as_slice);
            let later = mine(&mut by_quarter.range(now.next().next()..).flat_map(|(_, b)| b));
            let past = mine(&mut by_quarter.range(..now).flat_map(|(_, b)| b));
            StrategyRow {
                head: group_head(model, g),
                page: group_path(&g.slug, 1),
                now: rollup(model, &mine(&mut of(now).iter()), false),
                next: rollup(model, &mine(&mut of(now.next()).iter()), true),
                later: rollup(model, &later, true),
                past: rollup(model, &past, false),
                unscheduled: rollup(model, &mine(&mut unscheduled.iter()), false),
                total: g.docs.len(),
            }
        })
        .collect()
}

fn roadmap<'a>(
    model: &'a Model<'_>,
    reviewed: &BTreeSet<Quarter>,
    by_quarter: &BTreeMap<Quarter, Vec<DocId>>,
    unscheduled: &[DocId],
    show: Show<'_>,
) -> RoadmapPage<'a> {
    let now = Quarter::of(model.site.today);
    let next = now.next();
    let of = |q: Quarter| by_quarter.get(&q).map_or(&[][..], Vec::as_slice);
    let view = |q: Quarter, bets: &[DocId]| quarter_view(model, reviewed, Some(q), bets, show);
    let statuses = model
        .site
        .docs
        .iter()
        .filter(|d| d.kind == "bet")
        .filter_map(|d| d.status);
    RoadmapPage {
        legends: [legend::statuses(statuses), legend::sizes()],
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
        unscheduled: quarter_view(model, reviewed, None, unscheduled, show),
        portfolio: (!matches!(show, Show::Counted)).then(|| portfolio(model, of(now))),
        group: None,
        pager: None,
        paged: false,
        strategies: Vec::new(),
    }
}
