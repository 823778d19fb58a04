//! `throughline diff BASE [HEAD]`: analyses two revisions through the
//! analysis layer's text inputs (no checkout, [`crate::history`] reads the
//! files) and reports the change at the level of the strategy.

mod items;
mod report;
mod strategy;

pub use items::{ExportChange, ItemChange, ItemEdit};
pub use report::{compare_url, render, DiffFormat};
pub use strategy::{diff, findings_between, DocChange, DocSummary, FindingSummary, StrategyDiff};

use crate::date::Date;
use crate::history::{
    commit_at_end_of, read_exports, read_revision, read_revisions, RevisionError, RevisionTexts,
};
use crate::site::{analyze, inputs_from_texts, read_inputs, LoadOptions, RunError, Site};

/// One side of a diff: a git revision, or the working tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// A revision, as git names it (`main`, `HEAD~3`, a commit id).
    Revision(String),
    /// The files on disk now.
    WorkingTree,
}

/// What names a diff's base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// A revision, as git names it.
    Revision(String),
    /// The head's branch as a day closed ([`commit_at_end_of`]).
    Since(Date),
    /// The branch as the day of a `review` document's `date:` closed; the
    /// review is read at the head.
    SinceReview(String),
}

/// Analyses the base `base` names and `head`. The base's label says what
/// named it (`HEAD at the end of 2026-10-01 (3f9a0c1)`).
pub fn analyse_from(
    base: &Base,
    head: &Side,
    options: &LoadOptions,
) -> Result<(Analysed, Analysed), RunError> {
    let tip = match head {
        Side::Revision(rev) => rev.as_str(),
        Side::WorkingTree => "HEAD",
    };
    let anchored = |day: Date| {
        commit_at_end_of(&options.root, tip, day).map_err(|e| revision_error(e, options))
    };
    match base {
        Base::Revision(rev) => analyse_both(rev, head, options),
        Base::Since(day) => {
            let commit = anchored(*day)?;
            let (mut old, new) = analyse_both(&commit, head, options)?;
            old.label = format!("{tip} at the end of {day} ({})", short(&commit));
            Ok((old, new))
        }
        Base::SinceReview(id) => {
            let new = analyse(head, options)?;
            let day = review_date(&new.site, id)?;
            let commit = anchored(day)?;
            let mut old = analyse(&Side::Revision(commit.clone()), options)?;
            old.label = format!("the review {id} of {day} ({})", short(&commit));
            Ok((old, new))
        }
    }
}

/// The `date:` of the review document `id` in `site`.
pub fn review_date(site: &Site, id: &str) -> Result<Date, RunError> {
    let Some(doc) = site.graph.lookup(id).map(|i| &site.docs[i]) else {
        let hint = crate::text::suggest(
            id,
            site.docs
                .iter()
                .filter(|d| d.kind == "review")
                .map(|d| d.id.as_str()),
        )
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
        return Err(RunError::Other(format!(
            "no document has the id `{id}`{hint}"
        )));
    };
    if doc.kind != "review" {
        return Err(RunError::Other(format!(
            "`{id}` is a {}, not a review; --since-review takes the id of a `review` document",
            doc.kind
        )));
    }
    doc.date.ok_or_else(|| {
        RunError::Other(format!(
            "the review `{id}` has no `date:` ({}); add the day it took place",
            doc.file
        ))
    })
}

fn short(commit: &str) -> String {
    commit.chars().take(7).collect()
}

/// A side, analysed, with what could not be read there.
#[derive(Debug)]
pub struct Analysed {
    /// The site as of that side.
    pub site: Site,
    /// What the side is called in reports (`main (3f9a0c1)`, `working tree`).
    pub label: String,
    /// The commit, for a revision (the working tree has none).
    pub commit: Option<String>,
    /// Files that could not be read at that revision.
    pub unreadable: Vec<String>,
}

/// Analyses `side` of the site at `options.root`. Git dates are left out on
/// both sides, so the two are judged alike.
pub fn analyse(side: &Side, options: &LoadOptions) -> Result<Analysed, RunError> {
    match side {
        Side::WorkingTree => {
            let mut inputs = read_inputs(options)?;
            inputs.git_dates = None;
            Ok(Analysed {
                site: analyze(inputs, options),
                label: "working tree".into(),
                commit: None,
                unreadable: Vec::new(),
            })
        }
        Side::Revision(rev) => {
            let texts =
                read_revision(&options.root, rev).map_err(|e| revision_error(e, options))?;
            analysed_revision(rev, texts, options)
        }
    }
}

/// Analyses both sides of a diff at once. Two revisions are read from git
/// together, so each blob they share (most documents) is read once.
pub fn analyse_both(
    base: &str,
    head: &Side,
    options: &LoadOptions,
) -> Result<(Analysed, Analysed), RunError> {
    let (old, new) = match head {
        Side::Revision(head) => {
            let mut texts = read_revisions(&options.root, &[base, head])
                .map_err(|e| revision_error(e, options))?;
            let (Some(new), Some(old)) = (texts.pop(), texts.pop()) else {
                return Err(RunError::Other(format!(
                    "cannot read `{base}` and `{head}`"
                )));
            };
            rayon::join(
                || analysed_revision(base, old, options),
                || analysed_revision(head, new, options),
            )
        }
        // Independent sides, and each waits on git or the disk part of the time.
        Side::WorkingTree => rayon::join(
            || analyse(&Side::Revision(base.to_string()), options),
            || analyse(head, options),
        ),
    };
    Ok((old?, new?))
}

/// Analyses the texts read from revision `rev`.
fn analysed_revision(
    rev: &str,
    texts: RevisionTexts,
    options: &LoadOptions,
) -> Result<Analysed, RunError> {
    let short = short(&texts.commit);
    let exports = export_texts(&texts, options)?;
    let inputs = inputs_from_texts(
        texts.config_text,
        texts.files.into_iter().chain(exports),
        options,
    )?;
    Ok(Analysed {
        site: analyze(inputs, options),
        label: format!("{rev} ({short})"),
        commit: Some(texts.commit),
        unreadable: texts.unreadable,
    })
}

/// The trackers' exports the revision's own config names, as texts for
/// [`inputs_from_texts`], which reads them through the build's reader
/// (`tracker::parse`): its items are then the revision's, as a build of
/// that commit would join them. A config that does not parse names none
/// (analysing the revision reports it). An export that is not UTF-8 is
/// read with its bad bytes replaced: its items still compare.
fn export_texts(
    texts: &RevisionTexts,
    options: &LoadOptions,
) -> Result<Vec<(String, String)>, RunError> {
    let Some(config) = texts
        .config_text
        .as_deref()
        .and_then(|t| crate::config::Config::parse(t, crate::rules::HEALTH_RULES).ok())
    else {
        return Ok(Vec::new());
    };
    let paths: Vec<&str> = config.trackers.iter().map(|t| t.file.as_str()).collect();
    let read =
        read_exports(&options.root, texts, &paths).map_err(|e| revision_error(e, options))?;
    Ok(read
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8_lossy(&bytes).into_owned()))
        .collect())
}

/// A revision that cannot be read, with the shallow-clone hint when it applies.
fn revision_error(e: RevisionError, options: &LoadOptions) -> RunError {
    RunError::Other(format!("{}{}", e.0, shallow_hint(&options.root)))
}

/// A hint for a revision that is missing from a shallow clone (CI's default).
fn shallow_hint(root: &std::path::Path) -> String {
    let shallow = std::process::Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--is-shallow-repository"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "true");
    if shallow {
        "; this is a shallow clone, so older revisions are missing: fetch the full history (`fetch-depth: 0` in actions/checkout)".into()
    } else {
        String::new()
    }
}
