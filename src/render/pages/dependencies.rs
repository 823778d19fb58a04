//! The dependencies page (`dependencies/`, `dependencies.html`): team by
//! team, who waits on whom and how much of it is at risk; then every
//! dependency, the open ones first. Written only when the site has one.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Overview;
use crate::analysis::{dependency_links, dependency_risk, DependencyLink};
use crate::graph::DocId;
use crate::model::Status;
use crate::render::jobs::Job;
use crate::render::view::{DocLink, Model};

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::Dependencies,
    template: "dependencies.html",
    path: "dependencies/index.html",
    root: Some("../"),
    section: "dependencies",
    render: |m, t, o, b| match dependencies(m) {
        Some(page) => o.page(t, b, &page),
        None => Ok(Vec::new()),
    },
};

#[derive(Debug, Serialize)]
struct DependenciesPage<'a> {
    /// The teams that wait or are waited on, in file order; "no team" last.
    teams: Vec<Option<DocLink<'a>>>,
    /// A row per waiting team, a cell per team waited on, as `teams`.
    matrix: Vec<MatrixRow<'a>>,
    dependencies: Vec<DependencyView<'a>>,
    open: usize,
    at_risk: usize,
}

#[derive(Debug, Serialize)]
struct MatrixRow<'a> {
    team: Option<DocLink<'a>>,
    cells: Vec<Cell>,
}

#[derive(Debug, Default, Clone, Serialize)]
struct Cell {
    count: usize,
    at_risk: usize,
}

/// One dependency, as this page and document pages show it.
#[derive(Debug, Serialize)]
pub(in crate::render) struct DependencyView<'a> {
    pub from: DocLink<'a>,
    pub to: DocLink<'a>,
    pub from_team: Option<DocLink<'a>>,
    pub to_team: Option<DocLink<'a>>,
    pub needed_by: Option<String>,
    pub note: Option<&'a str>,
    /// Whether what is waited on is still to come: not done, and something still waits.
    pub open: bool,
    /// A few words on the risk, as `dependency-at-risk` judges it.
    pub risk: Option<&'static str>,
    /// The risk's reason in a sentence.
    pub reason: Option<String>,
}

impl<'a> DependencyView<'a> {
    /// `link` as pages show it.
    pub(in crate::render) fn of(
        model: &'a Model<'_>,
        link: DependencyLink<'a>,
    ) -> DependencyView<'a> {
        dependency_view(model, link)
    }
}

fn dependency_view<'a>(model: &'a Model<'_>, link: DependencyLink<'a>) -> DependencyView<'a> {
    let site = model.site;
    let risk = dependency_risk(
        &site.docs,
        &site.graph,
        &site.facts,
        (link.from, link.dep),
        link.to,
        site.config.pace_tolerance,
        site.today,
    );
    let closed = |d: DocId| site.docs[d].status.is_some_and(Status::is_closed);
    DependencyView {
        from: model.links[link.from],
        to: model.links[link.to],
        from_team: model.team_of(link.from).map(|t| model.links[t]),
        to_team: model.team_of(link.to).map(|t| model.links[t]),
        needed_by: link.dep.needed_by.map(|d| d.to_string()),
        note: link.dep.note.as_deref(),
        open: !closed(link.to) && !closed(link.from),
        risk: risk.map(|r| r.short()),
        reason: risk.map(|r| r.reason()),
    }
}

fn dependencies<'a>(model: &'a Model<'_>) -> Option<DependenciesPage<'a>> {
    let site = model.site;
    let mut all: Vec<DependencyView> = dependency_links(&site.docs, &site.graph)
        .map(|link| dependency_view(model, link))
        .collect();
    if all.is_empty() {
        return None;
    }
    // Open first, at risk first among them; file order otherwise (a stable sort).
    all.sort_by_key(|d| (!d.open, d.risk.is_none()));
    let team_ids: Vec<Option<DocId>> = {
        let mut seen: BTreeMap<(bool, usize), Option<DocId>> = BTreeMap::new();
        for link in dependency_links(&site.docs, &site.graph) {
            for t in [model.team_of(link.from), model.team_of(link.to)] {
                seen.insert((t.is_none(), t.map_or(0, DocId::index)), t);
            }
        }
        seen.into_values().collect()
    };
    let column = |t: Option<DocId>| team_ids.iter().position(|&x| x == t).unwrap_or(0);
    let mut cells = vec![vec![Cell::default(); team_ids.len()]; team_ids.len()];
    for link in dependency_links(&site.docs, &site.graph) {
        let view = dependency_view(model, link);
        if !view.open {
            continue;
        }
        let cell = &mut cells[column(model.team_of(link.from))][column(model.team_of(link.to))];
        cell.count += 1;
        cell.at_risk += usize::from(view.risk.is_some());
    }
    let teams: Vec<Option<DocLink>> = team_ids.iter().map(|t| t.map(|t| model.links[t])).collect();
    Some(DependenciesPage {
        matrix: teams
            .iter()
            .zip(cells)
            .map(|(&team, cells)| MatrixRow { team, cells })
            .collect(),
        teams,
        open: all.iter().filter(|d| d.open).count(),
        at_risk: all.iter().filter(|d| d.risk.is_some()).count(),
        dependencies: all,
    })
}
