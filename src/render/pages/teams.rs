//! The teams page (`teams/`, `teams.html`): each team's cascade from the
//! bets down, its open work by LNO and its planned and unplanned work.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Overview;
use crate::graph::DocId;
use crate::model::{Lno, Status};
use crate::render::jobs::Job;
use crate::render::view::{DocLink, Finding, Model};

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::Teams,
    template: "teams.html",
    path: "teams/index.html",
    root: Some("../"),
    section: "teams",
    render: |m, t, o, b| o.page(t, b, &teams(m)),
};

/// The teams page (`teams.html`).
#[derive(Debug, Serialize)]
struct TeamsPage<'a> {
    teams: Vec<TeamView<'a>>,
    /// What the two parts of each quarter's mini bar mean.
    planned_legend: crate::render::legend::Legend,
}

#[derive(Debug, Serialize)]
struct TeamView<'a> {
    doc: DocLink<'a>,
    cascade: Vec<CascadeItem<'a>>,
    lno: LnoMix,
    /// Planned and unplanned work per quarter, oldest first (`analysis::work_mix`).
    sources: Vec<SourceMix>,
    /// Its tracker items per quarter, traced and not (`analysis::work_trace`).
    traces: Vec<TraceRow>,
    findings: &'a [Finding<'a>],
}

/// A team's tracker items of one quarter, as `untraced-work` counts them.
#[derive(Debug, Serialize)]
struct TraceRow {
    quarter: String,
    #[serde(flatten)]
    counts: super::TraceCounts,
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
    /// The bar's legend, with the counts.
    legend: crate::render::legend::Legend,
}

/// Teams and the alignment cascade.
fn teams<'a>(model: &'a Model<'_>) -> TeamsPage<'a> {
    let site = model.site;
    let mut teams = Vec::new();
    let mix = crate::analysis::work_mix(&site.docs, &site.facts);
    let traces = crate::analysis::work_trace(&site.docs, &site.graph, &site.facts);
    for (t, _) in site
        .docs
        .iter()
        .enumerate()
        .map(|(t, d)| (DocId::new(t), d))
        .filter(|(_, d)| d.kind == "team")
    {
        let mut by_bet: BTreeMap<Option<DocId>, Vec<DocId>> = BTreeMap::new();
        let mut lno = [0usize; 4];
        for (i, d) in DocId::all(site.docs.len()).zip(&site.docs) {
            if !matches!(d.kind.as_str(), "objective" | "work") || model.team_of(i) != Some(t) {
                continue;
            }
            // A tracker's items are counted below, not listed: a team has thousands.
            if d.tracker.is_none() {
                by_bet.entry(model.bet_of(i)).or_default().push(i);
            }
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
                legend: crate::render::legend::lno_mix(lno),
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
            traces: traces
                .iter()
                .filter(|((team, _), _)| *team == t)
                .map(|((_, q), trace)| TraceRow {
                    quarter: q.to_string(),
                    counts: super::TraceCounts::of(trace, site.config.max_untraced_share),
                })
                .collect(),
            findings: &model.findings[t],
        });
    }
    TeamsPage {
        teams,
        planned_legend: crate::render::legend::planned(),
    }
}
