//! The people pages (`people/`, `people.html`; `people/<id>/`,
//! `person.html`): everyone with what they own, and for each person what
//! they own by layer, what falls due, their findings, how each thing
//! traces up to the company strategy, what they approve and the reviews
//! they took part in. Not rows of
//! [`OVERVIEWS`](super::OVERVIEWS): one job makes them all, and none when
//! the site has no people.

use serde::Serialize;

use super::{base, page, PagesResult};
use crate::analysis::{deadline_of, PaceVerdict};
use crate::date::Date;
use crate::graph::DocId;
use crate::model::Status;
use crate::render::theme::Theme;
use crate::render::view::{DocLink, Finding, Model};
use crate::site::Site;

/// How far ahead a person's page looks for what falls due.
const DUE_WITHIN_DAYS: i64 = 30;

/// The paths of the people pages a full render of `site` writes, for
/// `serve` to drop those an edit makes go away.
pub(in crate::render) fn people_page_paths(site: &Site) -> Vec<String> {
    let people = site.facts.people();
    if people.is_empty() {
        return Vec::new();
    }
    std::iter::once(INDEX.to_string())
        .chain(people.all().iter().map(|&p| person_path(&site.docs[p].id)))
        .collect()
}

const INDEX: &str = "people/index.html";

/// The page of the person with id `id`, relative to the site root.
pub(in crate::render) fn person_path(id: &str) -> String {
    format!("people/{id}/index.html")
}

/// `people/` and a page per person, rendered one after another like the overviews.
pub(in crate::render) fn people_pages_job(model: &Model<'_>, theme: &Theme) -> PagesResult {
    let people = model.site.facts.people();
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let rows: Vec<PersonRow> = people.all().iter().map(|&p| row(model, p)).collect();
    let index = PeoplePage { people: rows };
    files.extend(page(
        theme,
        "people.html",
        INDEX.to_string(),
        &base(model, "../", "people"),
        &index,
    )?);
    let person_base = base(model, "../../", "people");
    for &p in people.all() {
        let context = person(model, p);
        let path = person_path(&model.site.docs[p].id);
        files.extend(page(theme, "person.html", path, &person_base, &context)?);
    }
    Ok(files)
}

/// `people.html`: everyone.
#[derive(Debug, Serialize)]
struct PeoplePage<'a> {
    people: Vec<PersonRow<'a>>,
}

/// A person in the list, with counts of what they own.
#[derive(Debug, Serialize)]
struct PersonRow<'a> {
    doc: DocLink<'a>,
    path: String,
    role: Option<&'a str>,
    team: Option<DocLink<'a>>,
    owned: usize,
    behind: usize,
    overdue: usize,
}

fn row<'a>(model: &'a Model<'_>, p: DocId) -> PersonRow<'a> {
    let site = model.site;
    let owned = site.facts.people().owned_by(p);
    let today = site.today;
    PersonRow {
        doc: model.links[p],
        path: person_path(&site.docs[p].id),
        role: site.docs[p].role.as_deref(),
        team: site.docs[p]
            .team
            .as_ref()
            .and_then(|t| model.link_to(&t.id)),
        owned: owned.len(),
        behind: owned
            .iter()
            .filter(|&&d| model.rolled_up_pace(d) == Some(PaceVerdict::Behind))
            .count(),
        overdue: owned
            .iter()
            .filter(|&&d| model.next_review(d).is_some_and(|n| n < today))
            .count(),
    }
}

/// `person.html`: one person.
#[derive(Debug, Serialize)]
struct PersonPage<'a> {
    doc: DocLink<'a>,
    role: Option<&'a str>,
    team: Option<DocLink<'a>>,
    handles: &'a [String],
    /// What they own, a group per kind in the schema's order (the stack's layers first).
    groups: Vec<OwnedGroup<'a>>,
    /// Reviews and deadlines overdue or within [`DUE_WITHIN_DAYS`] days, soonest first.
    due: Vec<DueItem<'a>>,
    /// The findings about what they own.
    findings: Vec<&'a Finding<'a>>,
    owned: usize,
    /// What names them as `approval.approver`, in file order.
    approves: Vec<Approved<'a>>,
    /// The reviews whose `participants` name them, newest first.
    reviews: Vec<TookPart<'a>>,
}

/// A document they approve, and at what level.
#[derive(Debug, Serialize)]
struct Approved<'a> {
    doc: DocLink<'a>,
    level: Option<&'static str>,
    size: Option<&'static str>,
}

/// A review they took part in.
#[derive(Debug, Serialize)]
struct TookPart<'a> {
    doc: DocLink<'a>,
    date: Option<String>,
}

#[derive(Debug, Serialize)]
struct OwnedGroup<'a> {
    label: &'a str,
    layer: Option<u8>,
    items: Vec<OwnedItem<'a>>,
}

#[derive(Debug, Serialize)]
struct OwnedItem<'a> {
    doc: DocLink<'a>,
    pace: Option<&'static str>,
    pace_class: Option<&'static str>,
    next_review: Option<String>,
    review_due: bool,
    /// From the company strategy down to its parent; empty when it has no parent.
    trail: Vec<DocLink<'a>>,
    /// Whether the trail reaches a company strategy.
    traces: bool,
}

#[derive(Debug, Serialize)]
struct DueItem<'a> {
    date: String,
    what: &'static str,
    overdue: bool,
    doc: DocLink<'a>,
}

fn person<'a>(model: &'a Model<'_>, p: DocId) -> PersonPage<'a> {
    let site = model.site;
    let d = &site.docs[p];
    let owned = site.facts.people().owned_by(p);
    let today = site.today;
    let horizon = today
        .checked_add(jiff::Span::new().days(DUE_WITHIN_DAYS))
        .unwrap_or(Date::MAX);
    let kinds = site.config.schema.kinds();
    let mut groups: Vec<OwnedGroup> = Vec::new();
    for kind in kinds {
        let items: Vec<OwnedItem> = owned
            .iter()
            .filter(|&&o| site.docs[o].kind == kind.name)
            .map(|&o| {
                let pace = model.rolled_up_pace(o);
                let next = model.next_review(o);
                let mut trail = site.graph.ancestors(o);
                trail.reverse();
                OwnedItem {
                    doc: model.links[o],
                    pace: pace.map(|v| v.as_str()),
                    pace_class: pace.map(|v| v.slug()),
                    next_review: next.map(|n| n.to_string()),
                    review_due: next.is_some_and(|n| n < today),
                    traces: site.graph.traces_to_strategy(o),
                    trail: trail.into_iter().map(|a| model.links[a]).collect(),
                }
            })
            .collect();
        if !items.is_empty() {
            groups.push(OwnedGroup {
                label: &kind.label,
                layer: kind.layer,
                items,
            });
        }
    }
    let mut due: Vec<(Date, &'static str, DocId)> = Vec::new();
    for &o in owned {
        if site.docs[o].status.is_some_and(Status::is_closed) {
            continue;
        }
        if let Some(next) = model.next_review(o).filter(|&n| n <= horizon) {
            due.push((next, "review", o));
        }
        if matches!(site.docs[o].kind.as_str(), "bet" | "objective") {
            if let Some(deadline) =
                deadline_of(&site.docs, &site.facts, o).filter(|&n| n >= today && n <= horizon)
            {
                due.push((deadline, "deadline", o));
            }
        }
    }
    due.sort();
    let people = site.facts.people();
    let approves = people
        .approved_by(p)
        .iter()
        .map(|&a| {
            let doc = &site.docs[a];
            Approved {
                doc: model.links[a],
                level: doc
                    .approval
                    .as_ref()
                    .and_then(|x| x.level)
                    .map(|l| l.as_str()),
                size: doc.size.map(|z| z.as_str()),
            }
        })
        .collect();
    let mut took_part: Vec<DocId> = people.took_part_in(p).to_vec();
    // Newest first; undated ones last; a stable sort keeps file order among equals.
    took_part.sort_by_key(|&r| std::cmp::Reverse(site.docs[r].date));
    let reviews = took_part
        .into_iter()
        .map(|r| TookPart {
            doc: model.links[r],
            date: site.docs[r].date.map(|d| d.to_string()),
        })
        .collect();
    PersonPage {
        doc: model.links[p],
        role: d.role.as_deref(),
        team: d.team.as_ref().and_then(|t| model.link_to(&t.id)),
        handles: &d.handles,
        groups,
        due: due
            .into_iter()
            .map(|(date, what, o)| DueItem {
                date: date.to_string(),
                what,
                overdue: date < today,
                doc: model.links[o],
            })
            .collect(),
        findings: owned.iter().flat_map(|&o| &model.findings[o]).collect(),
        owned: owned.len(),
        approves,
        reviews,
    }
}
