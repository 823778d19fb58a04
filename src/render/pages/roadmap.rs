//! The roadmap (`roadmap/`, `roadmap.html`): bets by quarter, Now, Next and
//! Later first, and this quarter's portfolio.

use std::collections::BTreeSet;

use serde::Serialize;

use super::quarter::{quarter_path, review_quarters};
use super::{balance, bet_card, bets_by_quarter, Balance, BetCard, Overview};
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
    render: |m, t, o, b| o.page(t, b, &roadmap(m)),
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
    unscheduled: Vec<BetCard<'a>>,
    /// The current quarter's bets by DHM and confidence.
    portfolio: Portfolio<'a>,
    /// What the cards' badges mean: the bets' statuses, then sizes.
    legends: [Legend; 2],
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
        bets: bets
            .iter()
            .filter(|&&b| !is_dropped(model, b))
            .map(|&b| bet_card(model, b))
            .collect(),
        dropped: bets
            .iter()
            .filter(|&&b| is_dropped(model, b))
            .map(|&b| model.links[b])
            .collect(),
        balance: balance(model, bets),
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

fn roadmap<'a>(model: &'a Model<'_>) -> RoadmapPage<'a> {
    let (by_quarter, unscheduled) = bets_by_quarter(model);
    let now = Quarter::of(model.site.today);
    let next = now.next();
    let of = |q: Quarter| by_quarter.get(&q).map_or(&[][..], Vec::as_slice);
    let reviewed: BTreeSet<Quarter> = review_quarters(model.site).into_keys().collect();
    let view = |q: Quarter, bets: &[DocId]| quarter_view(model, &reviewed, q, bets);
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
        unscheduled: unscheduled.iter().map(|&b| bet_card(model, b)).collect(),
        portfolio: portfolio(model, of(now)),
    }
}
