//! The history a build read, kept for the next build.
//!
//! A site's history is a function of the commit it is read at: the commits
//! on the first-parent line from HEAD and the blobs they wrote never
//! change. So a build stamps the history it read with that commit (and the
//! other inputs of the read: the shallow clone's boundary, the config's
//! `ignore`, the output folder under the root, and the binary) and keeps
//! it. The next build of the site, or `digest` or `serve` (one file per
//! site root, whichever command read it, so a CI job that builds and then
//! sends the digest reads git once):
//! - at the same stamp, takes the history from the file and runs neither
//!   `git log` nor `git cat-file` (a rebuild after an edit not yet
//!   committed, the loop of someone writing: uncommitted edits never enter
//!   the history, the pages compare the files with it);
//! - at a commit that descends from the stamped one along first parents
//!   (after a commit, a pull, or a CI run that keeps the cache folder),
//!   reads only the commits since and walks on from where the kept walk
//!   stopped;
//! - otherwise (a rebase, a reset, a deepened clone, another config or
//!   binary) reads the whole history, as without a file.
//!
//! The file is not in the output: the walk holds what the site does not
//! publish (drafts' front matter and commits, the subjects of commits that
//! touched only drafts). It is in the user's cache folder ([`crate::kept`]).
//!
//! The file is JSON: the stamp, then the walk (`site::Walk`): the history
//! oldest first, and what the next commit is compared with (each path's
//! document and each document's newest compared fields). Anything that
//! does not decode is ignored whole.
//!
//! The file is a hint, never authority: the cache folder may be restored
//! from a CI cache that another branch's run saved, byte for byte. So a
//! file is used only when its stamp and commits are object ids and its
//! indices in range ([`decode`]), and when the commits it holds are the
//! ones git lists for its stamp, id, date, author and subject
//! (`site::read`); anything else is read again from git.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The most a history file may hold before it is ignored (read from git
/// instead); far above a real site's (about 6 MB for 10,000 documents).
const HISTORY_FILE_LIMIT: u64 = 1 << 30;

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
    /// The output folder under the root, which is not content
    /// (`SourceFilter::output`): `public` by default, `None` outside.
    output: Option<String>,
}

impl Stamp {
    /// The stamp of a read at `head`.
    pub(crate) fn new(
        head: String,
        shallow: &std::collections::HashSet<String>,
        ignore: &[String],
        output: Option<&str>,
    ) -> Stamp {
        let mut shallow: Vec<String> = shallow.iter().cloned().collect();
        shallow.sort_unstable();
        Stamp {
            binary: crate::hash::binary_identity(),
            head,
            shallow,
            ignore: ignore.to_vec(),
            output: output.map(str::to_string),
        }
    }

    /// The commit the history was read at.
    pub(crate) fn head(&self) -> &str {
        &self.head
    }

    /// Whether every commit it names is an object id: a stamp read back
    /// from a restored cache may name anything, and its head reaches git's
    /// command line.
    fn names_object_ids(&self) -> bool {
        crate::git::is_object_id(&self.head)
            && self.shallow.iter().all(|id| crate::git::is_object_id(id))
    }

    /// Whether a read with `other` differs only in its commit: a walk kept
    /// from this one may then go on to `other`'s commit.
    pub(crate) fn same_read_as(&self, other: &Stamp) -> bool {
        self.binary == other.binary
            && self.shallow == other.shallow
            && self.ignore == other.ignore
            && self.output == other.output
    }
}

// Generic over the walk, which `site` owns and checks, so that this file
// knows the format and `site` the history.
#[derive(Serialize)]
struct FileRef<'a, W> {
    stamp: &'a Stamp,
    walk: &'a W,
}

#[derive(Deserialize)]
struct File<W> {
    stamp: Stamp,
    walk: W,
}

/// What became of the history file the last read kept, for a note.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeptUse {
    /// None was looked for, or none was there.
    #[default]
    None,
    /// It was this very history: git read no commit.
    Whole,
    /// It was walked on with the commits since its own.
    WalkedOn,
    /// It was another read's (another binary, config or output folder, a
    /// commit off HEAD's line): read again, as expected after a change.
    Other,
    /// It was damaged, not as this binary writes one, or git lists other
    /// commits than it holds: ignored, and read again.
    Refused,
}

impl KeptUse {
    /// A line for the terminal when the kept history was refused: a
    /// restored cache someone tampered with, or a disk that damaged it.
    pub fn note(self) -> Option<String> {
        (self == KeptUse::Refused).then(|| {
            let folder = crate::kept::folder()
                .map(|f| crate::escape::for_terminal(&f.display().to_string()).into_owned())
                .unwrap_or_else(|| "the cache folder".into());
            format!(
                "the history kept for this site in {folder} was damaged or does not match the repository's commits, so it was not used; read it from git instead"
            )
        })
    }
}

/// The history file kept for the site at `root`: its bytes, or whether
/// one was there but not as [`keep`] wrote it.
pub(crate) fn kept(root: &Path) -> crate::kept::Found {
    crate::kept::find(root, "history", HISTORY_FILE_LIMIT)
}

/// Keeps `bytes` as the history file of the site at `root`.
pub(crate) fn keep(root: &Path, bytes: &[u8]) {
    crate::kept::write(root, "history", bytes);
}

/// The file for a walk read under `stamp`.
pub(crate) fn encode<W: Serialize>(stamp: &Stamp, walk: &W) -> Option<Vec<u8>> {
    serde_json::to_vec(&FileRef { stamp, walk }).ok()
}

/// The stamp and walk `bytes` hold, if they are a history file whose
/// stamp names object ids and whose walk is `consistent` (its commits
/// object ids, its indices in range). That is all a
/// file can be checked for alone: whether its commits are the
/// repository's is checked against git before it is used
/// (`site::read`).
pub(crate) fn decode<W: DeserializeOwned>(
    bytes: &[u8],
    consistent: impl FnOnce(&W) -> bool,
) -> Option<(Stamp, W)> {
    let file: File<W> = serde_json::from_slice(bytes).ok()?;
    (file.stamp.names_object_ids() && consistent(&file.walk)).then_some((file.stamp, file.walk))
}

/// Why `bytes`, which [`decode`] refused, were refused: another binary's
/// file (whose format may differ: expected after an upgrade), or not a
/// file any binary wrote as it is.
pub(crate) fn undecoded(bytes: &[u8]) -> KeptUse {
    #[derive(Deserialize)]
    struct Binary {
        binary: u64,
    }
    #[derive(Deserialize)]
    struct Head {
        stamp: Binary,
    }
    match serde_json::from_slice::<Head>(bytes) {
        Ok(head) if head.stamp.binary != crate::hash::binary_identity() => KeptUse::Other,
        _ => KeptUse::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_binarys_file_is_expected_and_anything_else_refused() {
        let ours = crate::hash::binary_identity();
        let other = format!(
            r#"{{"stamp": {{"binary": {}, "shape": "new"}}, "walk": 1}}"#,
            ours ^ 1
        );
        assert_eq!(undecoded(other.as_bytes()), KeptUse::Other);
        // This binary's, yet not as it writes one: forged or damaged.
        let mine = format!(r#"{{"stamp": {{"binary": {ours}}}, "walk": 1}}"#);
        assert_eq!(undecoded(mine.as_bytes()), KeptUse::Refused);
        for junk in [&b""[..], b"{", b"[]", b"{\"stamp\": 1}"] {
            assert_eq!(undecoded(junk), KeptUse::Refused, "{junk:?}");
        }
        assert!(KeptUse::Refused.note().is_some());
        for quiet in [
            KeptUse::None,
            KeptUse::Whole,
            KeptUse::WalkedOn,
            KeptUse::Other,
        ] {
            assert_eq!(quiet.note(), None, "{quiet:?}");
        }
    }
}
