//! The history a build read, kept for the next build.
//!
//! A site's history is a function of the commit it is read at: the commits
//! on the first-parent line from HEAD and the blobs they wrote never
//! change. So a build stamps the history it read with that commit (and the
//! other inputs of the read: the shallow clone's boundary, the config's
//! `ignore`, whether `public/` is output, and the binary) and keeps it. The
//! next build of the site:
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
//! touched only drafts). It is in the user's cache folder ([`folder`]), one
//! file per site root, written whole to a temporary name and renamed.
//!
//! The file is JSON: the stamp, then the walk ([`Walk`]): the history
//! oldest first, and what the next commit is compared with (each path's
//! document and each document's newest compared fields). Anything that
//! does not decode is ignored whole.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::site::Walk;

/// Names the folder the history files are kept in, instead of the
/// platform's cache folder.
pub const CACHE_DIR_ENV: &str = "THROUGHLINE_CACHE_DIR";

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

    /// Whether a read with `other` differs only in its commit: a walk kept
    /// from this one may then go on to `other`'s commit.
    pub(crate) fn same_read_as(&self, other: &Stamp) -> bool {
        self.binary == other.binary
            && self.shallow == other.shallow
            && self.ignore == other.ignore
            && self.public_is_output == other.public_is_output
    }
}

#[derive(Serialize)]
struct FileRef<'a> {
    stamp: &'a Stamp,
    walk: &'a Walk,
}

#[derive(Deserialize)]
struct File {
    stamp: Stamp,
    walk: Walk,
}

/// Where throughline keeps what it caches: `$THROUGHLINE_CACHE_DIR`, else
/// the platform's cache folder (`$XDG_CACHE_HOME` or `~/.cache` on Linux,
/// `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows) with a
/// `throughline` folder in it. `None` when there is no home to put it in.
pub fn folder() -> Option<PathBuf> {
    let set = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = set(CACHE_DIR_ENV) {
        return Some(dir);
    }
    let base = if cfg!(target_os = "macos") {
        set("HOME").map(|home| home.join("Library/Caches"))
    } else if cfg!(windows) {
        set("LOCALAPPDATA")
    } else {
        set("XDG_CACHE_HOME").or_else(|| set("HOME").map(|home| home.join(".cache")))
    };
    base.map(|base| base.join("throughline"))
}

/// The history file of the site at `root`: one per site, named by a hash
/// of the root's canonical path (two sites in one repository, or two
/// clones, each have their own).
fn file_for(root: &Path) -> Option<PathBuf> {
    let root = std::fs::canonicalize(root).ok()?;
    let name = format!(
        "history-{:016x}.json",
        crate::render::stable_hash(&root.to_string_lossy())
    );
    Some(folder()?.join(name))
}

/// The history file kept for the site at `root`, when there is one that is
/// a plain file (a link there is not followed) within the limit.
pub(crate) fn kept(root: &Path) -> Option<Vec<u8>> {
    crate::source::read_regular(&file_for(root)?, HISTORY_FILE_LIMIT).ok()
}

/// Keeps `bytes` as the history file of the site at `root`: written to a
/// name of this process's own and renamed over the file, so a build that
/// reads it at the same time sees the old file or the new one, never half.
/// Best effort: a history that cannot be kept is read from git next time.
pub(crate) fn keep(root: &Path, bytes: &[u8]) {
    let Some(file) = file_for(root) else { return };
    let Some(dir) = file.parent() else { return };
    if create_private_dir(dir).is_err() {
        return;
    }
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        file.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    if std::fs::write(&temporary, bytes).is_err() || std::fs::rename(&temporary, &file).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

/// Creates `dir` (and its parents), readable by the user alone: the files
/// hold drafts' front matter.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The file for a walk read under `stamp`.
pub(crate) fn encode(stamp: &Stamp, walk: &Walk) -> Option<Vec<u8>> {
    serde_json::to_vec(&FileRef { stamp, walk }).ok()
}

/// The stamp and walk `bytes` hold, if they are a history file.
pub(crate) fn decode(bytes: &[u8]) -> Option<(Stamp, Walk)> {
    let file: File = serde_json::from_slice(bytes).ok()?;
    file.walk.is_consistent().then_some((file.stamp, file.walk))
}
