//! Whether what a document waits on (`depends_on:`) will come in time: one
//! judgement for the `dependency-at-risk` rule, the dependencies page and
//! every page that lists what a document depends on.

use super::{worst_own_pace, Facts, PaceVerdict};
use crate::date::{Date, Quarter};
use crate::graph::{DocId, Graph};
use crate::model::{Dependency, Document, Status};

/// Why a dependency may not come in time, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Risk {
    /// What is waited on was dropped or archived: it will not come.
    Dropped(Status),
    /// One of its goals is behind pace (`behind-pace`).
    BehindPace,
    /// It is still `proposed` or in `discovery` while what waits on it is committed or in progress.
    Uncommitted {
        /// Its status.
        theirs: Status,
        /// The waiting document's.
        ours: Status,
    },
    /// It is planned for a later quarter than what waits on it.
    LaterQuarter {
        /// Its quarter.
        theirs: Quarter,
        /// The waiting document's.
        ours: Quarter,
    },
    /// Its deadline falls after `needed_by`.
    LateDeadline {
        /// Its deadline ([`deadline_of`]).
        deadline: Date,
        /// When it is needed.
        needed_by: Date,
    },
}

impl Risk {
    /// Why, as a clause after "`id` is at risk: ".
    pub(crate) fn reason(self) -> String {
        match self {
            Risk::Dropped(status) => format!("it is {}", status.as_str()),
            Risk::BehindPace => "its goals are behind pace".to_string(),
            Risk::Uncommitted { theirs, ours } => format!(
                "it is still {} while this is {}",
                theirs.as_str(),
                ours.as_str()
            ),
            Risk::LaterQuarter { theirs, ours } => {
                format!("it is planned for {theirs}, after this one's {ours}")
            }
            Risk::LateDeadline {
                deadline,
                needed_by,
            } => format!("its deadline {deadline} is after it is needed, {needed_by}"),
        }
    }

    /// A few words for a page's status column.
    pub(crate) fn short(self) -> &'static str {
        match self {
            Risk::Dropped(_) => "dropped",
            Risk::BehindPace => "behind pace",
            Risk::Uncommitted { .. } => "not committed",
            Risk::LaterQuarter { .. } => "planned later",
            Risk::LateDeadline { .. } => "due too late",
        }
    }
}

/// When `doc` is due: a bet's success `deadline`, an objective's latest
/// key-result `by`, else the last day of its quarter (own or inherited).
pub(crate) fn deadline_of(docs: &[Document], facts: &Facts, doc: DocId) -> Option<Date> {
    let d = &docs[doc];
    let own = match d.kind.as_str() {
        "bet" => d.success.as_ref().and_then(|s| s.deadline),
        "objective" => d.key_results.iter().filter_map(|k| k.by).max(),
        _ => None,
    };
    own.or_else(|| facts.quarter_of(doc).map(Quarter::last_day))
}

/// Whether the dependency `dep`, written in `from` and resolved to `to`,
/// is at risk as of `today`, and the worst reason. Never when `to` is done,
/// nor when `from` is closed: nothing waits any more.
#[allow(clippy::too_many_arguments)]
pub(crate) fn dependency_risk(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    (from, dep): (DocId, &Dependency),
    to: DocId,
    tolerance: f64,
    today: Date,
) -> Option<Risk> {
    let (waits, target) = (&docs[from], &docs[to]);
    if target.status == Some(Status::Done) || waits.status.is_some_and(Status::is_closed) {
        return None;
    }
    if let Some(status @ (Status::Dropped | Status::Archived)) = target.status {
        return Some(Risk::Dropped(status));
    }
    if worst_own_pace(docs, graph, facts, to, tolerance, today) == Some(PaceVerdict::Behind) {
        return Some(Risk::BehindPace);
    }
    if let (Some(theirs @ (Status::Proposed | Status::Discovery)), Some(ours)) =
        (target.status, waits.status.filter(|s| s.is_active_bet()))
    {
        return Some(Risk::Uncommitted { theirs, ours });
    }
    if let (Some(theirs), Some(ours)) = (facts.quarter_of(to), facts.quarter_of(from)) {
        if theirs > ours {
            return Some(Risk::LaterQuarter { theirs, ours });
        }
    }
    let needed_by = dep.needed_by?;
    let deadline = deadline_of(docs, facts, to)?;
    (deadline > needed_by).then_some(Risk::LateDeadline {
        deadline,
        needed_by,
    })
}

/// One resolved `depends_on:` entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DependencyLink<'a> {
    /// The document that waits.
    pub from: DocId,
    /// The entry.
    pub dep: &'a Dependency,
    /// The document waited on.
    pub to: DocId,
}

/// Every `depends_on:` entry of `docs` that names a document, in file and entry order.
pub(crate) fn dependency_links<'a>(
    docs: &'a [Document],
    graph: &'a Graph,
) -> impl Iterator<Item = DependencyLink<'a>> + 'a {
    DocId::all(docs.len())
        .zip(docs)
        .filter(|(_, d)| !d.invalid)
        .flat_map(move |(from, d)| {
            d.depends_on.iter().filter_map(move |dep| {
                Some(DependencyLink {
                    from,
                    dep,
                    to: graph.lookup(&dep.target.id)?,
                })
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    #[test]
    fn a_deadline_is_the_success_by_the_latest_key_result_or_the_quarter_end() {
        let files = [
            ("b.md", "---\nid: b\nkind: bet\nquarter: 2027-Q1\nsuccess: {deadline: 2027-02-01}\n---\n"),
            ("o.md", "---\nid: o\nkind: objective\nparent: b\nkey_results:\n  - {by: 2027-03-01}\n  - {by: 2027-02-10}\n---\n"),
            ("w.md", "---\nid: w\nkind: work\nparent: o\n---\n"),
            ("x.md", "---\nid: x\nkind: work\n---\n"),
        ];
        let site = site("", &files, "2026-11-24");
        let due = |id: &str| {
            deadline_of(&site.docs, &site.facts, site.graph.lookup(id).unwrap())
                .map(|d| d.to_string())
        };
        assert_eq!(due("b").as_deref(), Some("2027-02-01"));
        assert_eq!(due("o").as_deref(), Some("2027-03-01"));
        assert_eq!(
            due("w").as_deref(),
            Some("2027-03-31"),
            "the inherited quarter's end"
        );
        assert_eq!(due("x"), None);
    }
}
