//! The dependencies page (`dependencies/`, `dependencies.html`): team by
//! team, who waits on whom and how much of it is at risk; then every
//! dependency, the open ones at risk first, [`PAGE_ROWS`] a page (the
//! rest at `dependencies/page/N/`). Written only when the site has one.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{base, page, page_count, root_of, Overview, Pager, PagesResult, PAGE_ROWS};
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
    render: dependencies_pages,
};

/// The page `n` (from 1) of the list of dependencies, relative to the site root.
fn list_path(n: usize) -> String {
    if n <= 1 {
        OVERVIEW.path.to_string()
    } else {
        format!("dependencies/page/{n}/index.html")
    }
}

/// The paths of the dependencies pages a full render of `site` writes,
/// for `serve` to drop those an edit makes go away.
pub(super) fn page_paths(site: &crate::site::Site) -> Vec<String> {
    let count = dependency_links(&site.docs, &site.graph).count();
    if count == 0 {
        return Vec::new();
    }
    (1..=page_count(count)).map(list_path).collect()
}

/// The matrix and the first [`PAGE_ROWS`] dependencies on the page, the
/// rest on pages of their own, each with a pager.
fn dependencies_pages<'m>(
    model: &'m Model<'_>,
    theme: &crate::render::theme::Theme,
    overview: &Overview,
    base_of_first: &super::Base<'m>,
) -> PagesResult {
    let Some(mut first) = dependencies(model) else {
        return Ok(Vec::new());
    };
    // Cut into pages in one pass (each view moved once).
    let mut all = std::mem::take(&mut first.dependencies).into_iter();
    first.dependencies = all.by_ref().take(PAGE_ROWS).collect();
    let rest: Vec<Vec<DependencyView>> =
        std::iter::from_fn(|| Some(all.by_ref().take(PAGE_ROWS).collect::<Vec<_>>()))
            .take_while(|page| !page.is_empty())
            .collect();
    let pages = rest.len() + 1;
    first.pager = Pager::of(1, pages, OVERVIEW.path, list_path);
    let mut files = overview.page(theme, base_of_first, &first)?;
    for (number, dependencies) in (2..).zip(rest) {
        let path = list_path(number);
        let root = root_of(&path);
        let later = DependenciesPage {
            teams: Vec::new(),
            matrix: Vec::new(),
            dependencies,
            open: first.open,
            at_risk: first.at_risk,
            total: first.total,
            pager: Pager::of(number, pages, &path, list_path),
            group: first.group,
        };
        files.extend(page(
            theme,
            OVERVIEW.template,
            path,
            &base(model, &root, OVERVIEW.section),
            &later,
        )?);
    }
    Ok(files)
}

#[derive(Debug, Serialize)]
struct DependenciesPage<'a> {
    /// The teams that wait or are waited on, in file order; "no team" last.
    teams: Vec<Option<DocLink<'a>>>,
    /// A row per waiting team, a cell per team waited on, as `teams`.
    matrix: Vec<MatrixRow<'a>>,
    /// This page's share of the list.
    dependencies: Vec<DependencyView<'a>>,
    open: usize,
    at_risk: usize,
    /// How many dependencies there are, on every page.
    total: usize,
    /// Where this page is among the list's pages, when there are several.
    pager: Option<Pager>,
    /// What the pager is of, as `partials/pager.html` names it.
    group: ListName,
}

/// The name of a paged list, for the pager's label.
#[derive(Debug, Clone, Copy, Serialize)]
struct ListName {
    title: &'static str,
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
    // Open first, at risk first among them; file order otherwise (a stable
    // sort). The pages cut this order: what needs attention is on the first.
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
        total: all.len(),
        dependencies: all,
        pager: None,
        group: ListName {
            title: "every dependency",
        },
    })
}
