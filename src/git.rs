//! Last commit dates from git, the fallback for a document without
//! `reviewed:` (SPEC §6 `stale`, `drift`). One `git log` pass for the whole
//! site, never one process per file; outside a work tree, or without git,
//! there are simply no dates.
//!
//! The dates are a function of the commit HEAD names, so they are kept
//! between runs ([`crate::kept`]) stamped with it: at the same commit they
//! are read from the file, and at a commit that descends from it only the
//! commits since are logged (a file's date is the newest of its commits',
//! so the dates of the new commits merge into the kept ones).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::date::{parse_date, Date};

/// Each file's last commit date, keyed by its path relative to the site root.
pub(crate) type GitDates = HashMap<String, Date>;

/// The most a kept dates file may hold before it is ignored.
const KEPT_LIMIT: u64 = 256 << 20;

/// The dates as kept between runs.
#[derive(Serialize, Deserialize)]
struct Kept {
    /// The binary that wrote them.
    binary: u64,
    /// The commit they were read at.
    head: String,
    /// Each file's date, in path order.
    dates: BTreeMap<String, KeptDate>,
}

/// A date as the kept file writes it, `YYYY-MM-DD`.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(transparent)]
struct KeptDate(#[serde(with = "crate::date::as_text")] Date);

/// Runs git in `root`, with paths written as they are (`core.quotepath=off`).
pub(crate) fn command(root: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(root)
        .args(["-c", "core.quotepath=off"])
        .stdin(Stdio::null());
    command
}

/// [`command`], its complaints not shown: a failure here only means no dates.
fn git(root: &Path) -> Command {
    let mut command = command(root);
    command.stderr(Stdio::null());
    command
}

/// The committer date of the last commit touching each file under `root`, or
/// `None` when `root` is not in a git work tree, has no commit yet, or git
/// cannot be run.
pub(crate) fn last_commit_dates(root: &Path) -> Option<GitDates> {
    let head = git(root)
        .args(["rev-parse", "-q", "--verify", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()))?;
    let binary = crate::render::binary_identity();
    let kept = crate::kept::read(root, "dates", KEPT_LIMIT)
        .and_then(|bytes| serde_json::from_slice::<Kept>(&bytes).ok())
        .filter(|kept| kept.binary == binary)
        .map(|kept| {
            let dates: GitDates = kept
                .dates
                .into_iter()
                .map(|(path, KeptDate(date))| (path, date))
                .collect();
            (kept.head, dates)
        });
    let (mut dates, range) = match kept {
        Some((kept_head, dates)) if kept_head == head => return Some(dates),
        Some((kept_head, dates)) if is_ancestor(root, &kept_head, &head) => {
            (dates, format!("{kept_head}..{head}"))
        }
        _ => (GitDates::new(), head.clone()),
    };
    let output = git(root)
        .args([
            "log",
            "--format=%x00%cs",
            "--name-only",
            "--relative",
            "--no-renames",
            &range,
            "--",
            ".",
        ])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    merge(
        &mut dates,
        parse_log(&String::from_utf8_lossy(&output.stdout)),
    );
    let kept = Kept {
        binary,
        head,
        dates: dates
            .iter()
            .map(|(path, &date)| (path.clone(), KeptDate(date)))
            .collect(),
    };
    if let Ok(bytes) = serde_json::to_vec(&kept) {
        crate::kept::write(root, "dates", &bytes);
    }
    Some(dates)
}

/// Whether `commit` is an ancestor of `head` (or `head` itself): every
/// commit `head` reaches is then one `commit` reaches or one of `commit..head`.
fn is_ancestor(root: &Path, commit: &str, head: &str) -> bool {
    git(root)
        .args(["merge-base", "--is-ancestor", commit, head])
        .status()
        .is_ok_and(|status| status.success())
}

/// Takes the newer of each file's dates into `dates`.
fn merge(dates: &mut GitDates, newer: GitDates) {
    for (file, date) in newer {
        note(dates, file, date);
    }
}

/// Notes that `file` was committed on `date`: a file's date is its newest commit's.
fn note(dates: &mut GitDates, file: String, date: Date) {
    let kept = dates.entry(file).or_insert(date);
    *kept = (*kept).max(date);
}

/// Parses `git log --format=%x00%cs --name-only` output: each file's newest
/// commit date.
fn parse_log(log: &str) -> GitDates {
    let mut dates = GitDates::new();
    for commit in log.split('\0').filter(|c| !c.trim().is_empty()) {
        let mut lines = commit.lines();
        let Some(date) = lines.next().and_then(|d| parse_date(d.trim())) else {
            continue;
        };
        for file in lines.map(str::trim).filter(|l| !l.is_empty()) {
            note(&mut dates, file.to_string(), date);
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_new_commits_merge_into_the_kept_ones_newest_wins() {
        let mut kept = parse_log("\x002026-03-04\n\na.md\nb.md\n");
        merge(
            &mut kept,
            parse_log("\x002026-05-01\n\nb.md\nc.md\n\x002026-01-01\n\na.md\n"),
        );
        assert_eq!(
            kept["a.md"],
            parse_date("2026-03-04").unwrap(),
            "an older new commit"
        );
        assert_eq!(kept["b.md"], parse_date("2026-05-01").unwrap());
        assert_eq!(kept["c.md"], parse_date("2026-05-01").unwrap());
    }

    #[test]
    fn newest_commit_wins() {
        let log = "\x002026-03-04\n\nb.md\n\x002026-01-02\n\nb.md\nsub dir/é a.md\n";
        let dates = parse_log(log);
        assert_eq!(dates["b.md"], parse_date("2026-03-04").unwrap());
        assert_eq!(dates["sub dir/é a.md"], parse_date("2026-01-02").unwrap());
    }

    #[test]
    fn outside_a_work_tree_there_are_no_dates() {
        let dir = std::env::temp_dir().join(format!("throughline-nogit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A temp folder may itself sit inside a repository on a developer's machine.
        let inside = Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(["rev-parse", "--is-inside-work-tree"])
            .output();
        if inside.map(|o| !o.status.success()).unwrap_or(true) {
            assert_eq!(last_commit_dates(&dir), None);
        }
        let _ = std::fs::remove_dir(&dir);
    }
}
