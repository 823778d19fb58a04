//! The quarter reviews (`quarters/<YYYY-Qn>/`, `quarter.html`): for each
//! quarter with bets or objectives, whether they achieved their results.
//! Not a row of [`OVERVIEWS`](super::OVERVIEWS): one job makes a page per
//! quarter ([`quarter_pages_job`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    base, by_strategy, group_head, page, page_count, root_of, GroupHead, Pager, PagesResult,
    PAGE_ROWS,
};
use crate::analysis::{GoalOutcome, Tally};
use crate::date::Quarter;
use crate::graph::DocId;
use crate::render::error::RenderError;
use crate::render::theme::Theme;
use crate::render::view::{DocLink, GoalView, Model};
use crate::site::Site;
use crate::text::group_digits;

/// The paths of the quarter review pages a full render of `site` writes,
/// for `serve` to drop those an edit makes go away.
pub fn quarter_page_paths(site: &Site) -> Vec<String> {
    review_quarters(site)
        .into_iter()
        .flat_map(|(quarter, docs)| {
            let mut paths = vec![quarter_path(quarter)];
            if docs.len() > PAGE_ROWS {
                for g in by_strategy(site, &docs) {
                    paths.extend(
                        (1..=page_count(g.docs.len())).map(|n| group_path(quarter, &g.slug, n)),
                    );
                }
            }
            paths
        })
        .collect()
}

/// Every quarter's review page, rendered one after another like the other
/// overviews ([`Job::Quarters`](crate::render::Job::Quarters)).
pub(in crate::render) fn quarter_pages_job(model: &Model<'_>, theme: &Theme) -> PagesResult {
    Ok(quarter_pages(model)?
        .into_iter()
        .map(|(path, context)| {
            let root = root_of(&path);
            page(
                theme,
                "quarter.html",
                path,
                &base(model, &root, "quarters"),
                &context,
            )
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect())
}

/// Every quarter that has a review page, with its bets and objectives (own
/// or inherited quarter, `Facts::quarter_of`), bets first, each in document order.
pub(super) fn review_quarters(site: &Site) -> BTreeMap<Quarter, Vec<DocId>> {
    let mut by_quarter: BTreeMap<Quarter, Vec<DocId>> = BTreeMap::new();
    for kind in ["bet", "objective"] {
        for (i, _) in DocId::all(site.docs.len())
            .zip(&site.docs)
            .filter(|(_, d)| d.kind == kind)
        {
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

/// The path of page `n` (from 1) of a product strategy's part of a quarter
/// review: `quarters/2026-Q4/ps-payouts/`, then `.../page/2/`, as Hugo and
/// Zola page a section.
fn group_path(quarter: Quarter, slug: &str, n: usize) -> String {
    if n <= 1 {
        format!("quarters/{quarter}/{slug}/index.html")
    } else {
        format!("quarters/{quarter}/{slug}/page/{n}/index.html")
    }
}

/// A quarter review (`quarter.html`): did we achieve results? The whole
/// quarter on one page, or, past [`PAGE_ROWS`] bets and objectives, a
/// landing page of roll-ups by product strategy and a page per strategy.
#[derive(Debug, Serialize)]
struct QuarterPage<'a> {
    quarter: String,
    current: bool,
    past: bool,
    /// The quarter's landing page, relative to the site root.
    landing: String,
    /// On a product strategy's page: that strategy (or the unplaced).
    group: Option<GroupHead<'a>>,
    /// On a product strategy's page of several: where it is among them.
    pager: Option<Pager>,
    /// What this page counts: the quarter on its landing page, a strategy on its own.
    tally: TallyView,
    /// Whether the results are grouped by product strategy (more than one, or paged).
    grouped: bool,
    /// Whether the landing page lists only roll-ups, each group on its own page.
    paged: bool,
    /// The heading level of an item: 3, or 4 under a group's heading.
    item_level: u8,
    groups: Vec<GroupView<'a>>,
    /// Each review covering an item on this page, once.
    learnings: Vec<Learning<'a>>,
    /// Only on the landing page.
    teams: Vec<TeamShare<'a>>,
    /// Each team's tracker items of the quarter, traced and not
    /// (`partials/quarter_work.html`); only on the landing page.
    work: QuarterWork<'a>,
}

/// The quarter's tracker work: a row per team with items, and the limit.
#[derive(Debug, Serialize)]
struct QuarterWork<'a> {
    teams: Vec<TeamWork<'a>>,
    /// `max_untraced_share`, as a percentage.
    limit: String,
}

/// A team's tracker items of the quarter, as `untraced-work` and the teams
/// page count them (`analysis::work_trace`), with its largest untraced ones.
#[derive(Debug, Serialize)]
struct TeamWork<'a> {
    team: DocLink<'a>,
    #[serde(flatten)]
    counts: super::TraceCounts,
    /// The largest untraced items, as the rule lists them, at most [`LARGEST_SHOWN`].
    largest: Vec<DocLink<'a>>,
}

/// How many untraced items a team's row names.
const LARGEST_SHOWN: usize = 3;

/// The rows of `quarter` from the site's work trace.
fn quarter_work<'a>(
    model: &'a Model<'_>,
    traces: &BTreeMap<(DocId, Quarter), crate::analysis::WorkTrace>,
    quarter: Quarter,
) -> QuarterWork<'a> {
    let site = model.site;
    let teams = traces
        .iter()
        .filter(|((_, q), _)| *q == quarter)
        .map(|(&(team, _), trace)| TeamWork {
            team: model.links[team],
            counts: super::TraceCounts::of(trace, site.config.max_untraced_share),
            largest: trace
                .largest_untraced(&site.docs)
                .into_iter()
                .take(LARGEST_SHOWN)
                .map(|d| model.links[d])
                .collect(),
        })
        .collect();
    QuarterWork {
        teams,
        limit: crate::text::format_percent(site.config.max_untraced_share),
    }
}

/// How many results stand at each outcome, and their total.
#[derive(Debug, Serialize)]
struct TallyView {
    /// Every outcome, zeros too, so the reader sees what adds up.
    counts: Vec<OutcomeCount>,
    /// The sum of `counts`: the total the page states.
    total: usize,
    /// `total` as the page writes it (`1,020`).
    total_shown: String,
    /// How many bets and objectives the results are of.
    items: usize,
    items_shown: String,
}

impl TallyView {
    fn of(tally: &Tally, items: usize) -> TallyView {
        TallyView {
            counts: tally
                .counts()
                .map(|(o, count)| OutcomeCount {
                    label: o.as_str(),
                    class: o.slug(),
                    count,
                    shown: group_digits(count),
                })
                .collect(),
            total: tally.total(),
            total_shown: group_digits(tally.total()),
            items,
            items_shown: group_digits(items),
        }
    }
}

/// How many of the quarter's results stand at one outcome.
#[derive(Debug, Serialize)]
struct OutcomeCount {
    label: &'static str,
    class: &'static str,
    count: usize,
    shown: String,
}

/// The bets and objectives under one product strategy.
#[derive(Debug, Serialize)]
struct GroupView<'a> {
    head: GroupHead<'a>,
    /// Its anchor on the landing page.
    anchor: String,
    tally: TallyView,
    /// Its page, relative to the site root, when the quarter is paged.
    page: Option<String>,
    /// Its items, when they are on this page.
    items: Vec<ReviewItem<'a>>,
}

/// A bet or objective of the quarter and where its goals stand.
#[derive(Debug, Serialize)]
struct ReviewItem<'a> {
    doc: DocLink<'a>,
    /// The worst of its goals' outcomes (unmeasured when it sets none).
    outcome: &'static str,
    outcome_class: &'static str,
    goals: Vec<ReviewGoal<'a>>,
    /// The reviews that cover it: what each says of it, the rest of each
    /// once in the page's learnings.
    reviews: Vec<ReviewNote<'a>>,
}

/// A review that covers an item, and what its table says of that item.
#[derive(Debug, Serialize)]
struct ReviewNote<'a> {
    review: DocLink<'a>,
    date: Option<String>,
    said: Option<String>,
}

/// One goal (a bet's success criteria, an objective's key result): the
/// progress glyph every page draws, and how far it moved from its baseline.
#[derive(Debug, Serialize)]
struct ReviewGoal<'a> {
    what: String,
    view: GoalView<'a>,
    /// `analysis::goal_change` in words: "−12 min, 33.3% better since 2026-10-01".
    change: Option<String>,
}

/// A review that covers items on the page: its first paragraph, once, and
/// what it covers here.
#[derive(Debug, Serialize)]
struct Learning<'a> {
    review: DocLink<'a>,
    date: Option<String>,
    text: String,
    covers: Vec<DocLink<'a>>,
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

/// What every page of a build reads: which reviews cover each document and
/// what each review learned, found once.
struct Reviews<'a> {
    covered_by: BTreeMap<DocId, Vec<DocId>>,
    learned: BTreeMap<DocId, String>,
    /// What a review's table says of a document it covers, by (document, review).
    said: BTreeMap<(DocId, DocId), String>,
    model: &'a Model<'a>,
}

impl<'a> Reviews<'a> {
    fn of(model: &'a Model<'a>) -> Result<Reviews<'a>, RenderError> {
        let site = model.site;
        let mut covered_by: BTreeMap<DocId, Vec<DocId>> = BTreeMap::new();
        let mut learned = BTreeMap::new();
        let mut said = BTreeMap::new();
        for (r, review) in DocId::all(site.docs.len()).zip(&site.docs) {
            if review.kind != "review" {
                continue;
            }
            let covers: Vec<DocId> = review
                .covers
                .iter()
                .filter_map(|c| model.lookup(&c.id))
                .collect();
            if covers.is_empty() {
                continue;
            }
            // Each review's text once, however many documents it covers.
            let text = model.text_of(r)?;
            let body = text.get(review.body_offset..).unwrap_or_default();
            learned.insert(
                r,
                crate::render::markdown::first_paragraph(body, LEARNING_LIMIT),
            );
            for target in covers {
                let by = covered_by.entry(target).or_default();
                // A review naming a document twice covers it once.
                if by.contains(&r) {
                    continue;
                }
                by.push(r);
                let id = &site.docs[target].id;
                if let Some(row) =
                    crate::render::markdown::table_row_naming(body, id, LEARNING_LIMIT)
                {
                    said.insert((target, r), row);
                }
            }
        }
        Ok(Reviews {
            covered_by,
            learned,
            said,
            model,
        })
    }

    fn of_item(&self, item: DocId) -> &[DocId] {
        self.covered_by.get(&item).map_or(&[], Vec::as_slice)
    }

    /// Every review covering one of `items`, in file order, with the items it covers.
    fn learnings(&self, items: &[DocId]) -> Vec<Learning<'a>> {
        let mut by_review: BTreeMap<DocId, Vec<DocId>> = BTreeMap::new();
        for &i in items {
            for &r in self.of_item(i) {
                by_review.entry(r).or_default().push(i);
            }
        }
        let (model, site) = (self.model, self.model.site);
        by_review
            .into_iter()
            .map(|(r, covers)| Learning {
                review: model.links[r],
                date: site.docs[r].date.map(|d| d.to_string()),
                text: self.learned.get(&r).cloned().unwrap_or_default(),
                covers: covers.into_iter().map(|i| model.links[i]).collect(),
            })
            .collect()
    }
}

/// A bet or objective with each of its goals' outcome and glyph.
fn review_item<'a>(model: &'a Model<'_>, reviews: &Reviews<'a>, id: DocId) -> ReviewItem<'a> {
    let site = model.site;
    let doc = &site.docs[id];
    let outcomes = crate::analysis::item_outcomes(
        &site.docs,
        &site.graph,
        &site.facts,
        id,
        site.config.pace_tolerance,
        site.today,
    );
    let goals = crate::analysis::goals_of(doc)
        .into_iter()
        .map(|named| {
            let g = named.goal;
            let view = match (named.key_result, doc.success.as_ref()) {
                (None, Some(s)) => model.success(id, s),
                _ => model.goal(id, None, g.metric, g.baseline, g.target, g.deadline),
            };
            let unit = view.unit;
            let change = crate::analysis::goal_change(&site.docs, &site.graph, &site.facts, id, g)
                .map(|c| format!("{} since {}", c.in_words(unit), c.from.date));
            ReviewGoal {
                what: named
                    .key_result
                    .map_or_else(|| "Success".to_string(), |n| format!("Key result {n}")),
                view,
                change,
            }
        })
        .collect();
    let worst = outcomes
        .iter()
        .copied()
        .max()
        .unwrap_or(GoalOutcome::Unmeasured);
    ReviewItem {
        doc: model.links[id],
        outcome: worst.as_str(),
        outcome_class: worst.slug(),
        goals,
        reviews: reviews
            .of_item(id)
            .iter()
            .map(|&r| ReviewNote {
                review: model.links[r],
                date: site.docs[r].date.map(|d| d.to_string()),
                said: reviews.said.get(&(id, r)).cloned(),
            })
            .collect(),
    }
}

/// The tally of `items`: each goal once ([`crate::analysis::item_outcomes`]).
fn tally_of(model: &Model<'_>, items: &[DocId]) -> Tally {
    let site = model.site;
    let mut tally = Tally::default();
    for &i in items {
        for o in crate::analysis::item_outcomes(
            &site.docs,
            &site.graph,
            &site.facts,
            i,
            site.config.pace_tolerance,
            site.today,
        ) {
            tally.add(o);
        }
    }
    tally
}

/// The review pages, by path: one per quarter of [`review_quarters`], and
/// for a quarter of more than [`PAGE_ROWS`] items one or more per product strategy.
fn quarter_pages<'a>(model: &'a Model<'_>) -> Result<Vec<(String, QuarterPage<'a>)>, RenderError> {
    let site = model.site;
    let current = Quarter::of(site.today);
    let reviews = Reviews::of(model)?;
    let mix = crate::analysis::work_mix(&site.docs, &site.facts);
    let traces = crate::analysis::work_trace(&site.docs, &site.graph, &site.facts);
    let mut pages = Vec::new();
    for (quarter, docs) in review_quarters(site) {
        let groups = by_strategy(site, &docs);
        let paged = docs.len() > PAGE_ROWS;
        let grouped = paged || groups.len() > 1;
        let tallies: Vec<Tally> = groups.iter().map(|g| tally_of(model, &g.docs)).collect();
        let mut total = Tally::default();
        for t in &tallies {
            total.merge(t);
        }
        let new_page = |group, pager, tally, groups, learnings, teams, work| QuarterPage {
            quarter: quarter.to_string(),
            current: quarter == current,
            past: quarter < current,
            landing: quarter_path(quarter),
            group,
            pager,
            tally,
            grouped,
            paged,
            item_level: if grouped && !paged { 4 } else { 3 },
            groups,
            learnings,
            teams,
            work,
        };
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
        let landing_groups = groups
            .iter()
            .zip(&tallies)
            .map(|(g, t)| GroupView {
                head: group_head(model, g),
                anchor: format!("group-{}", g.slug),
                tally: TallyView::of(t, g.docs.len()),
                page: paged.then(|| group_path(quarter, &g.slug, 1)),
                items: if paged {
                    Vec::new()
                } else {
                    g.docs
                        .iter()
                        .map(|&i| review_item(model, &reviews, i))
                        .collect()
                },
            })
            .collect();
        let learnings = if paged {
            Vec::new()
        } else {
            reviews.learnings(&docs)
        };
        pages.push((
            quarter_path(quarter),
            new_page(
                None,
                None,
                TallyView::of(&total, docs.len()),
                landing_groups,
                learnings,
                teams,
                quarter_work(model, &traces, quarter),
            ),
        ));
        if !paged {
            continue;
        }
        for (g, t) in groups.iter().zip(&tallies) {
            let pages_of_group = page_count(g.docs.len());
            for (n, chunk) in (1..).zip(g.docs.chunks(PAGE_ROWS)) {
                let path = group_path(quarter, &g.slug, n);
                let pager = Pager::of(n, pages_of_group, &path, |m| {
                    group_path(quarter, &g.slug, m)
                });
                let view = GroupView {
                    head: group_head(model, g),
                    anchor: format!("group-{}", g.slug),
                    tally: TallyView::of(t, g.docs.len()),
                    page: None,
                    items: chunk
                        .iter()
                        .map(|&i| review_item(model, &reviews, i))
                        .collect(),
                };
                let mut page = new_page(
                    Some(group_head(model, g)),
                    pager,
                    TallyView::of(t, g.docs.len()),
                    vec![view],
                    reviews.learnings(chunk),
                    Vec::new(),
                    QuarterWork {
                        teams: Vec::new(),
                        limit: String::new(),
                    },
                );
                page.item_level = 3;
                pages.push((path, page));
            }
        }
    }
    Ok(pages)
}
