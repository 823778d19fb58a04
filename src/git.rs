//! Last commit dates from git, the fallback for a document without
//! `reviewed:` (SPEC §6 `stale`, `drift`). One `git log` pass for the whole
//! site, never one process per file; outside a work tree, or without git,
//! there are simply no dates.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::date::{parse_date, Date};

/// Each file's last commit date, keyed by its path relative to the site root.
pub(crate) type GitDates = HashMap<String, Date>;

/// The committer date of the last commit touching each file under `root`, or
/// `None` when `root` is not in a git work tree or git cannot be run.
pub(crate) fn last_commit_dates(root: &Path) -> Option<GitDates> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.quotepath=off",
            "log",
            "--format=%x00%cs",
            "--name-only",
            "--relative",
            "--no-renames",
            "--",
            ".",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(parse_log(&String::from_utf8_lossy(&output.stdout)))
}

/// Parses `git log --format=%x00%cs --name-only` output, newest commit first.
fn parse_log(log: &str) -> GitDates {
    let mut dates = GitDates::new();
    for commit in log.split('\0').filter(|c| !c.trim().is_empty()) {
        let mut lines = commit.lines();
        let Some(date) = lines.next().and_then(|d| parse_date(d.trim())) else {
            continue;
        };
        for file in lines.map(str::trim).filter(|l| !l.is_empty()) {
            dates.entry(file.to_string()).or_insert(date);
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

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
