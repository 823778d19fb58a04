//! The quarter reviews (`quarters/<YYYY-Qn>/`, `quarter.html`): for each
//! quarter with bets or objectives, whether they achieved their results.
//! Not a row of [`OVERVIEWS`](super::OVERVIEWS): one job makes a page per
//! quarter ([`quarter_pages_job`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{base, page, PagesResult};
use crate::analysis::GoalOutcome;
use crate::date::Quarter;
use crate::graph::DocId;
use crate::render::error::RenderError;
use crate::render::theme::Theme;
use crate::render::view::{DocLink, Model};
use crate::site::Site;
use crate::text::figure;

/// The paths of the quarter review pages a full render of `site` writes,
/// for `serve` to drop those an edit makes go away.
pub fn quarter_page_paths(site: &Site) -> Vec<String> {
    review_quarters(site)
        .into_keys()
        .map(quarter_path)
        .collect()
}

/// Every quarter's review page, rendered one after another like the other
/// overviews ([`Job::Quarters`](crate::render::Job::Quarters)).
pub(in crate::render) fn quarter_pages_job(model: &Model<'_>, theme: &Theme) -> PagesResult {
    Ok(quarter_pages(model)?
        .into_iter()
        .map(|(quarter, context)| {
            page(
                theme,
                "quarter.html",
                quarter_path(quarter),
                &base(model, "../../", "quarters"),
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

/// A quarter review (`quarter.html`): did we achieve results?
#[derive(Debug, Serialize)]
struct QuarterPage<'a> {
    quarter: String,
    current: bool,
    past: bool,
    items: Vec<ReviewItem<'a>>,
    /// How many items stand at each outcome (by their worst goal), those with any.
    counts: Vec<OutcomeCount>,
    teams: Vec<TeamShare<'a>>,
    /// Each team's tracker items of the quarter, traced and not (`partials/quarter_work.html`).
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
    traced: usize,
    traced_done: usize,
    untraced: usize,
    unplanned: usize,
    /// The untraced share as `untraced-work` words it.
    share: String,
    /// More than `max_untraced_share`: `untraced-work` reports it.
    over_limit: bool,
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
            traced: trace.traced,
            traced_done: trace.traced_done,
            untraced: trace.untraced.len(),
            unplanned: trace.unplanned,
            share: crate::text::format_percent(trace.untraced_share()),
            over_limit: trace.exceeds(site.config.max_untraced_share),
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

/// How many of the quarter's items stand at one outcome.
#[derive(Debug, Serialize)]
struct OutcomeCount {
    label: &'static str,
    class: &'static str,
    count: usize,
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
    doc: DocId,
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
    let outcome = crate::analysis::goal_outcome(
        &site.docs,
        &site.graph,
        &site.facts,
        doc,
        goal,
        site.config.pace_tolerance,
        site.today,
    );
    let unit = reading
        .metric
        .and_then(|m| site.docs[m].unit.as_deref())
        .unwrap_or_default();
    let unit = crate::text::unit_suffix(unit);
    (
        outcome,
        ReviewGoal {
            what,
            outcome: outcome.as_str(),
            outcome_class: outcome.slug(),
            latest: reading
                .latest
                .map(|c| format!("{}{unit} on {}", figure(c.value), c.date)),
            target: goal.target.map(|t| format!("{}{unit}", figure(t))),
            deadline: goal.deadline.map(|d| d.to_string()),
        },
    )
}

/// The review pages, one per quarter of [`review_quarters`].
fn quarter_pages<'a>(model: &'a Model<'_>) -> Result<Vec<(Quarter, QuarterPage<'a>)>, RenderError> {
    let site = model.site;
    let current = Quarter::of(site.today);
    // Which reviews cover each document, found once for every page.
    let mut covered_by: BTreeMap<DocId, Vec<DocId>> = BTreeMap::new();
    for (r, review) in DocId::all(site.docs.len()).zip(&site.docs) {
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
            slot.insert(crate::render::markdown::first_paragraph(
                body,
                LEARNING_LIMIT,
            ));
        }
    }
    let mix = crate::analysis::work_mix(&site.docs, &site.facts);
    let traces = crate::analysis::work_trace(&site.docs, &site.graph, &site.facts);
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
                            id,
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
                                id,
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
            // Each item counted once, by its worst goal: the counts add up to the items.
            let counts = GoalOutcome::ALL
                .into_iter()
                .map(|o| OutcomeCount {
                    label: o.as_str(),
                    class: o.slug(),
                    count: items.iter().filter(|i| i.outcome == o.as_str()).count(),
                })
                .filter(|c| c.count > 0)
                .collect();
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
                counts,
                teams,
                work: quarter_work(model, &traces, quarter),
            };
            (quarter, page)
        })
        .collect())
}
