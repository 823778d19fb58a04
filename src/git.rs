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

/// Whether `text` is a full object id as git writes one: 40 lowercase hex
/// digits (SHA-1), or 64 in a SHA-256 repository. What a cache says is a
/// commit is checked with this before it reaches a git command line, so a
/// forged cache cannot hand git an option (`--output=FILE`) or a revision
/// expression of its own; `--end-of-options` guards the same line again.
pub(crate) fn is_object_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The commit HEAD names in the work tree at `root`, if there is one.
pub(crate) fn head_commit(root: &Path) -> Option<String> {
    git(root)
        .args(["rev-parse", "-q", "--verify", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|id| is_object_id(id))
}

/// Whether a run keeps the dates it read for the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// A build or a check: reads the kept dates and keeps the new ones.
    ReadAndWrite,
    /// The editor server, which never writes a file: reads them only.
    ReadOnly,
}

/// The committer date of the last commit touching each file under `root`, or
/// `None` when `root` is not in a git work tree, has no commit yet, or git
/// cannot be run. Keeps the dates for the next run ([`crate::kept`]).
pub(crate) fn last_commit_dates(root: &Path) -> Option<GitDates> {
    commit_dates(root, Keep::ReadAndWrite)
}

/// [`last_commit_dates`] for a run that writes no file (the editor server):
/// the kept dates are used when they hold, but nothing is kept.
pub(crate) fn last_commit_dates_read_only(root: &Path) -> Option<GitDates> {
    commit_dates(root, Keep::ReadOnly)
}

fn commit_dates(root: &Path, keep: Keep) -> Option<GitDates> {
    let head = head_commit(root)?;
    let binary = crate::hash::binary_identity();
    let (mut dates, range) = match kept_dates(root, binary) {
        Some((kept_head, dates)) if kept_head == head => return Some(dates),
        Some((kept_head, dates)) if is_ancestor(root, &kept_head, &head) => {
            (dates, format!("{kept_head}..{head}"))
        }
        _ => (GitDates::new(), head.clone()),
    };
    merge(&mut dates, log_dates(root, &range)?);
    if keep == Keep::ReadAndWrite {
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
    }
    Some(dates)
}

/// The dates the last run kept for `root` and the commit they were read
/// at, when this binary wrote them and that commit is an object id (the
/// file may come from a restored cache: anything else is not used).
fn kept_dates(root: &Path, binary: u64) -> Option<(String, GitDates)> {
    let bytes = crate::kept::read(root, "dates", KEPT_LIMIT)?;
    let kept = serde_json::from_slice::<Kept>(&bytes).ok()?;
    if kept.binary != binary || !is_object_id(&kept.head) {
        return None;
    }
    let dates = kept
        .dates
        .into_iter()
        .map(|(path, KeptDate(date))| (path, date))
        .collect();
    Some((kept.head, dates))
}

/// Each file's newest commit date among the commits `range` names (a
/// commit, or `BASE..HEAD`), `None` when git fails.
fn log_dates(root: &Path, range: &str) -> Option<GitDates> {
    let output = git(root)
        .args([
            "log",
            "--format=%x00%cs",
            "--name-only",
            "--relative",
            "--no-renames",
            "--end-of-options",
            range,
            "--",
            ".",
        ])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| parse_log(&String::from_utf8_lossy(&output.stdout)))
}

/// Whether `commit` is an ancestor of `head` (or `head` itself): every
/// commit `head` reaches is then one `commit` reaches or one of `commit..head`.
fn is_ancestor(root: &Path, commit: &str, head: &str) -> bool {
    git(root)
        .args([
            "merge-base",
            "--is-ancestor",
            "--end-of-options",
            commit,
            head,
        ])
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
    fn object_ids_are_full_lowercase_hex_of_sha1_or_sha256() {
        let sha1 = "0123456789abcdef0123456789abcdef01234567";
        assert!(is_object_id(sha1));
        assert!(is_object_id(&format!("{sha1}{}", &sha1[..24])), "SHA-256");
        for not in [
            "",
            &sha1[..39],
            &format!("{sha1}0"),
            &sha1.to_uppercase(),
            "--output=/tmp/x",
            "HEAD~1",
            "0123456789abcdef0123456789abcdef0123456g",
        ] {
            assert!(!is_object_id(not), "{not}");
        }
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
