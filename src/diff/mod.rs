//! `throughline diff BASE [HEAD]`: analyses two revisions through the
//! analysis layer's text inputs (no checkout, [`crate::history`] reads the
//! files) and reports the change at the level of the strategy.

mod report;
mod strategy;

pub use report::{render, DiffFormat};
pub use strategy::{diff, findings_between, DocChange, DocSummary, FindingSummary, StrategyDiff};

use crate::history::{read_revision, read_revisions, RevisionError, RevisionTexts};
use crate::site::{analyze, inputs_from_texts, read_inputs, LoadOptions, RunError, Site};

/// One side of a diff: a git revision, or the working tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// A revision, as git names it (`main`, `HEAD~3`, a commit id).
    Revision(String),
    /// The files on disk now.
    WorkingTree,
}

/// A side, analysed, with what could not be read there.
#[derive(Debug)]
pub struct Analysed {
    /// The site as of that side.
    pub site: Site,
    /// What the side is called in reports (`main (3f9a0c1)`, `working tree`).
    pub label: String,
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
    let short: String = texts.commit.chars().take(7).collect();
    let inputs = inputs_from_texts(texts.config_text, texts.files, options)?;
    Ok(Analysed {
        site: analyze(inputs, options),
        label: format!("{rev} ({short})"),
        unreadable: texts.unreadable,
    })
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
