//! The history a build read, kept in the output for the next build.
//!
//! A site's history is a function of the commit it is read at: the commits
//! on the first-parent line from HEAD and the blobs they wrote never
//! change. So a build stamps the history it read with that commit (and the
//! other inputs of the read: the shallow clone's boundary, the config's
//! `ignore`, whether `public/` is output, and the binary), writes it into
//! the output as [`HISTORY_FILE`], and the next build over that output
//! uses it instead of running `git log` and `git cat-file` again when the
//! stamp still holds. Uncommitted edits do not enter the history (the pages
//! compare the files with it), so a rebuild after editing a file, the
//! usual loop, reads no history from git at all.
//!
//! The file is JSON: the stamp, then the history. Anything that does not
//! decode, or decodes to another stamp, is ignored whole: the history is
//! then read from git as if there were no file.

use serde::{Deserialize, Serialize};

use super::site::SiteHistory;

/// The file's name, at the top of the output.
pub const HISTORY_FILE: &str = ".throughline-history";

/// The most a history file may hold before it is ignored (read from git
/// instead); far above a real site's (2 MB for 10,000 documents).
pub const HISTORY_FILE_LIMIT: u64 = 512 << 20;

/// Which history a file holds: the inputs of the read that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The binary that wrote it; another may read histories differently.
    binary: u64,
    /// The commit HEAD named.
    head: String,
    /// A shallow clone's boundary commits, sorted (empty for a full clone):
    /// fetching more history changes the history at the same HEAD.
    shallow: Vec<String>,
    /// The config's `ignore` patterns, which decide what is a document.
    ignore: Vec<String>,
    /// `public/` is the output (no output folder was named), not content.
    public_is_output: bool,
}

impl Stamp {
    /// The stamp of a read at `head`.
    pub(crate) fn new(
        head: String,
        shallow: &std::collections::HashSet<String>,
        ignore: &[String],
        public_is_output: bool,
    ) -> Stamp {
        let mut shallow: Vec<String> = shallow.iter().cloned().collect();
        shallow.sort_unstable();
        Stamp {
            binary: crate::render::binary_identity(),
            head,
            shallow,
            ignore: ignore.to_vec(),
            public_is_output,
        }
    }

    /// The commit the history was read at.
    pub(crate) fn head(&self) -> &str {
        &self.head
    }
}

#[derive(Serialize)]
struct FileRef<'a> {
    stamp: &'a Stamp,
    history: &'a SiteHistory,
}

#[derive(Deserialize)]
struct File {
    stamp: Stamp,
    history: SiteHistory,
}

/// The history file of the output at `out`, when it has one that is a
/// plain file (a link there is not followed) within the limit.
pub fn previous(out: &std::path::Path) -> Option<Vec<u8>> {
    crate::source::read_regular(&out.join(HISTORY_FILE), HISTORY_FILE_LIMIT).ok()
}

/// The file for `history`, when it was read from git at a known commit.
pub fn encode(history: &SiteHistory) -> Option<Vec<u8>> {
    let stamp = history.read_at.as_ref()?;
    serde_json::to_vec(&FileRef { stamp, history }).ok()
}

/// The history `bytes` hold, if they were written for `stamp`.
pub(crate) fn decode(bytes: &[u8], stamp: &Stamp) -> Option<SiteHistory> {
    let file: File = serde_json::from_slice(bytes).ok()?;
    if file.stamp != *stamp {
        return None;
    }
    let mut history = file.history;
    // An index out of range would be a file not written by `encode`.
    let commits = history.commits.len();
    let in_range = history.events.iter().all(|e| e.commit < commits)
        && history
            .docs
            .values()
            .all(|d| d.commits.iter().all(|&c| c < commits));
    if !in_range {
        return None;
    }
    history.read_at = Some(file.stamp);
    Some(history)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Change, Commit, DocHistory, Event, HistoryState};
    use std::collections::HashSet;

    fn stamp(head: &str) -> Stamp {
        Stamp::new(head.into(), &HashSet::new(), &["drafts/**".into()], false)
    }

    fn history() -> SiteHistory {
        let mut docs = std::collections::HashMap::new();
        let mut bet = DocHistory::default();
        bet.commits = vec![0, 1];
        docs.insert("bet-a".to_string(), bet);
        SiteHistory {
            state: HistoryState::Read { shallow: false },
            commits: vec![
                Commit {
                    id: "b".repeat(40),
                    date: crate::date::parse_date("2026-11-10").expect("date"),
                    author: "Ada".into(),
                    subject: "Commit bet A".into(),
                    boundary: false,
                },
                Commit {
                    id: "a".repeat(40),
                    date: crate::date::parse_date("2026-06-01").expect("date"),
                    author: "Test".into(),
                    subject: "Set up".into(),
                    boundary: false,
                },
            ],
            docs,
            events: vec![Event {
                commit: 0,
                id: "bet-a".into(),
                kind: "bet".into(),
                title: Some("Bet A".into()),
                change: Change::Status {
                    from: Some("proposed".into()),
                    to: Some("committed".into()),
                },
            }],
            read_at: Some(stamp("head-1")),
        }
    }

    #[test]
    fn a_history_comes_back_as_it_was_written_for_the_same_stamp() {
        let written = history();
        let bytes = encode(&written).expect("a stamped history encodes");
        let read = decode(&bytes, &stamp("head-1")).expect("same stamp");
        assert_eq!(read.state, written.state);
        assert_eq!(read.commits, written.commits);
        assert_eq!(read.docs, written.docs);
        assert_eq!(read.events, written.events);
        assert_eq!(read.read_at, written.read_at);
    }

    #[test]
    fn another_commit_or_ignore_list_or_shallow_boundary_is_another_history() {
        let bytes = encode(&history()).expect("encodes");
        assert!(decode(&bytes, &stamp("head-2")).is_none());
        let other_ignore = Stamp::new("head-1".into(), &HashSet::new(), &[], false);
        assert!(decode(&bytes, &other_ignore).is_none());
        let shallow: HashSet<String> = ["c".repeat(40)].into_iter().collect();
        let deepened = Stamp::new("head-1".into(), &shallow, &["drafts/**".into()], false);
        assert!(decode(&bytes, &deepened).is_none());
        let public = Stamp::new(
            "head-1".into(),
            &HashSet::new(),
            &["drafts/**".into()],
            true,
        );
        assert!(decode(&bytes, &public).is_none());
    }

    #[test]
    fn the_same_history_is_always_the_same_bytes() {
        let mut written = history();
        for n in 0..50 {
            written
                .docs
                .insert(format!("doc-{n}"), DocHistory::default());
        }
        let bytes = encode(&written).expect("encodes");
        let again = decode(&bytes, &stamp("head-1")).expect("decodes");
        assert_eq!(encode(&again).expect("encodes"), bytes);
    }

    #[test]
    fn a_history_not_read_from_git_is_not_written() {
        let mut unread = history();
        unread.read_at = None;
        assert!(encode(&unread).is_none());
    }

    #[test]
    fn damaged_bytes_are_ignored_never_a_panic() {
        let bytes = encode(&history()).expect("encodes");
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                decode(&bytes[..cut], &stamp("head-1")).is_none(),
                "cut at {cut}"
            );
        }
        let text = String::from_utf8(bytes).expect("JSON");
        let out_of_range = text.replace("\"commit\":0", "\"commit\":7");
        assert_ne!(out_of_range, text);
        assert!(decode(out_of_range.as_bytes(), &stamp("head-1")).is_none());
        let bad_date = text.replace("2026-11-10", "2026-13-10");
        assert!(decode(bad_date.as_bytes(), &stamp("head-1")).is_none());
    }
}
