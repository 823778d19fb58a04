//! Where a history "since" starts: the commit a date or a review names.
//! One answer for `diff --since`, `diff --since-review`, the changes page's
//! review sections and anything else that asks "what changed since…".

use std::path::Path;

use super::revision::git;
use super::RevisionError;
use crate::date::Date;

/// The last commit on the first-parent line of `from` whose committer date
/// is at or before the end of `day` (23:59:59 UTC): the state of the
/// branch as that day closed. First-parent, so a side branch's commit made
/// that week but merged later is not taken for the branch's state; never
/// the reflog (`main@{date}`), which says where this clone's ref pointed
/// then, and knows nothing before the clone was made.
pub fn commit_at_end_of(root: &Path, from: &str, day: Date) -> Result<String, RevisionError> {
    let before = format!("--before={day} 23:59:59 +0000");
    let tip = format!("{from}^{{commit}}");
    let out = git(
        root,
        &[
            "rev-list",
            "-1",
            "--first-parent",
            &before,
            "--end-of-options",
            &tip,
        ],
    )
    .map_err(|e| {
        RevisionError(e.unwrap_or_else(|| format!("`{from}` is not a revision of this repository")))
    })?;
    let commit = String::from_utf8_lossy(&out).trim().to_string();
    if commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(commit)
    } else {
        Err(RevisionError(format!(
            "no commit on `{from}`'s first-parent line was made on or before {day}; its history starts later"
        )))
    }
}
