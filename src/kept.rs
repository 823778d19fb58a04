//! What throughline keeps between runs outside the output: files in the
//! user's cache folder, one of each kind per site root. The site's history
//! walk (`history::cache`) and the files' last commit dates (`git`) are
//! kept here, each stamped with the commit it was read at, so that the
//! next run asks git only for what is new. Deleting the folder is always
//! safe: everything in it is read again from git.
//!
//! Not in the output, since the history holds what the site does not
//! publish (drafts); readable by the user alone for the same reason.

use std::path::{Path, PathBuf};

/// Names the folder to keep files in, instead of the platform's cache folder.
pub(crate) const CACHE_DIR_ENV: &str = "THROUGHLINE_CACHE_DIR";

/// Where throughline keeps what it caches: `$THROUGHLINE_CACHE_DIR`, else
/// the platform's cache folder (`$XDG_CACHE_HOME` or `~/.cache` on Linux,
/// `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows) with a
/// `throughline` folder in it. `None` when there is no home to put it in.
pub(crate) fn folder() -> Option<PathBuf> {
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

/// The file of `kind` kept in `folder` for the site at `root`, named by a
/// hash of the root's canonical path (two sites in one repository, or two
/// clones, each have their own): `history-<hash>.json`.
fn file_in(folder: &Path, root: &Path, kind: &str) -> Option<PathBuf> {
    let root = std::fs::canonicalize(root).ok()?;
    let hash = crate::hash::stable_hash(&root.to_string_lossy());
    Some(folder.join(format!("{kind}-{hash:016x}.json")))
}

/// The file of `kind` kept for the site at `root`, when there is one that
/// is a plain file (a link there is not followed) of at most `limit` bytes
/// and its check holds: its bytes as [`write`] was given them.
pub(crate) fn read(root: &Path, kind: &str, limit: u64) -> Option<Vec<u8>> {
    read_in(&folder()?, root, kind, limit)
}

fn read_in(folder: &Path, root: &Path, kind: &str, limit: u64) -> Option<Vec<u8>> {
    match find_in(folder, root, kind, limit) {
        Found::Bytes(bytes) => Some(bytes),
        Found::Nothing | Found::Damaged => None,
    }
}

/// What [`find`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// No file (or no cache folder).
    Nothing,
    /// Something at the file's name that is not what [`write`] wrote: a
    /// link, another kind of file, a file over the limit, cut short or
    /// changed.
    Damaged,
    /// The bytes [`write`] was given.
    Bytes(Vec<u8>),
}

/// [`read`], telling a damaged file from none, for a reader that says so.
pub(crate) fn find(root: &Path, kind: &str, limit: u64) -> Found {
    match folder() {
        Some(folder) => find_in(&folder, root, kind, limit),
        None => Found::Nothing,
    }
}

fn find_in(folder: &Path, root: &Path, kind: &str, limit: u64) -> Found {
    let Some(file) = file_in(folder, root, kind) else {
        return Found::Nothing;
    };
    let mut bytes = match crate::source::read_regular(&file, limit.saturating_add(8)) {
        Ok(bytes) => bytes,
        Err(crate::source::NotRead::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Found::Nothing
        }
        Err(_) => return Found::Damaged,
    };
    let Some((body, check)) = bytes.split_last_chunk::<8>() else {
        return Found::Damaged;
    };
    if check_of(body) != *check || body.len() as u64 > limit {
        return Found::Damaged;
    }
    bytes.truncate(bytes.len() - 8);
    Found::Bytes(bytes)
}

/// The check each kept file ends with: a hash of the bytes before it
/// (foldhash with a fixed seed, as the output manifest hashes a file),
/// little-endian. A file cut short or damaged on disk then reads as no
/// file, never as another history; it is no signature (whoever forges a
/// file can compute it), which is why each reader also checks what a file
/// says against the repository.
fn check_of(bytes: &[u8]) -> [u8; 8] {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0)
        .hash_one(bytes)
        .to_le_bytes()
}

/// Keeps `bytes` as the file of `kind` for the site at `root`: written to a
/// new file of this write's own and renamed over the file, so a run that
/// reads it at the same time sees the old file or the new one, never half.
/// Best effort: what cannot be kept is read from git next time.
pub(crate) fn write(root: &Path, kind: &str, bytes: &[u8]) {
    if let Some(folder) = folder() {
        write_in(&folder, root, kind, bytes);
    }
}

fn write_in(folder: &Path, root: &Path, kind: &str, bytes: &[u8]) {
    let Some(file) = file_in(folder, root, kind) else {
        return;
    };
    if create_private_dir(folder).is_err() {
        return;
    }
    let Some((temporary, written)) = write_new_private(folder, &file, bytes) else {
        return;
    };
    if !written || std::fs::rename(&temporary, &file).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

/// How many names [`write_new_private`] tries: a name is taken only by a
/// file left by a write that died, or planted by whoever filled the folder
/// (a restored CI cache), so a few fresh ones always find a free name.
const TEMPORARY_NAMES: u32 = 8;

/// Creates a new file beside `file`, readable by the user alone from the
/// moment it exists, and writes `bytes` into it: its path, and whether the
/// whole write succeeded. `None` when no new file could be made.
///
/// Created with `create_new` (`O_CREAT | O_EXCL`): a link or file already
/// at the name is never followed or reused, the name is just skipped; the
/// mode is the creation's, not a `chmod` after the bytes are in.
fn write_new_private(folder: &Path, file: &Path, bytes: &[u8]) -> Option<(PathBuf, bool)> {
    use std::io::Write;
    let name = file.file_name()?.to_string_lossy().into_owned();
    for _ in 0..TEMPORARY_NAMES {
        let temporary = folder.join(format!(".{name}.{}.tmp", unique_suffix()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&temporary) {
            Ok(mut handle) => {
                let written =
                    handle.write_all(bytes).is_ok() && handle.write_all(&check_of(bytes)).is_ok();
                return Some((temporary, written));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => return None,
        }
    }
    None
}

/// A suffix no other write uses: this process's id, a count of its writes
/// (two threads of `serve` may keep the same file at once), and a random
/// number, so a name cannot be planted ahead for a known process id.
fn unique_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // Each `RandomState` is seeded from the system's randomness (per thread,
    // then varied per instance); enough for a name, which `create_new`
    // keeps safe in any case.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(count);
    format!("{}.{count}.{:016x}", std::process::id(), hasher.finish())
}

/// Creates `dir` (and its parents), readable by the user alone.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_file_is_read_back_for_its_root_and_kind_only() {
        let cache = tempfile::tempdir().expect("cache");
        let folder = cache.path().join("nested/throughline");
        let one = tempfile::tempdir().expect("site");
        let two = tempfile::tempdir().expect("site");
        write_in(&folder, one.path(), "dates", b"one");
        assert_eq!(
            read_in(&folder, one.path(), "dates", 100).as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(
            read_in(&folder, two.path(), "dates", 100),
            None,
            "another root"
        );
        assert_eq!(
            read_in(&folder, one.path(), "history", 100),
            None,
            "another kind"
        );
        assert_eq!(
            read_in(&folder, one.path(), "dates", 2),
            None,
            "over the limit"
        );
        let file = file_in(&folder, one.path(), "dates").expect("name");
        let kept = std::fs::read(&file).expect("kept");
        for cut in 0..kept.len() {
            std::fs::write(&file, &kept[..cut]).expect("cut");
            assert_eq!(
                read_in(&folder, one.path(), "dates", 100),
                None,
                "cut at {cut}"
            );
        }
        for at in 0..kept.len() {
            let mut flipped = kept.clone();
            flipped[at] ^= 0x10;
            std::fs::write(&file, &flipped).expect("flip");
            assert_eq!(
                find_in(&folder, one.path(), "dates", 100),
                Found::Damaged,
                "flip at {at}"
            );
        }
        // No file is not a damaged one: the reader says only the latter.
        assert_eq!(find_in(&folder, two.path(), "dates", 100), Found::Nothing);
        write_in(&folder, one.path(), "dates", b"again");
        assert_eq!(
            read_in(&folder, one.path(), "dates", 100).as_deref(),
            Some(&b"again"[..])
        );
        let names: Vec<String> = std::fs::read_dir(&folder)
            .expect("folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&folder)
                .expect("folder")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the user's alone: {mode:o}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_kept_file_is_the_users_alone_from_its_creation() {
        use std::os::unix::fs::PermissionsExt;
        let cache = tempfile::tempdir().expect("cache");
        let site = tempfile::tempdir().expect("site");
        write_in(cache.path(), site.path(), "history", b"{}");
        let file = file_in(cache.path(), site.path(), "history").expect("name");
        let mode = std::fs::metadata(&file).expect("kept").permissions().mode();
        // 0600 whatever the umask: the walk holds drafts the site does not publish.
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_a_kept_file_is_replaced_not_written_through() {
        let cache = tempfile::tempdir().expect("cache");
        let site = tempfile::tempdir().expect("site");
        let target = cache.path().join("target");
        std::fs::write(&target, "theirs").expect("target");
        let file = file_in(cache.path(), site.path(), "dates").expect("name");
        std::os::unix::fs::symlink(&target, &file).expect("link");
        write_in(cache.path(), site.path(), "dates", b"ours");
        assert_eq!(std::fs::read(&target).expect("target"), b"theirs");
        let meta = std::fs::symlink_metadata(&file).expect("kept");
        assert!(meta.is_file(), "a plain file now");
        assert_eq!(
            read_in(cache.path(), site.path(), "dates", 100).as_deref(),
            Some(&b"ours"[..])
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_a_kept_file_is_not_followed() {
        let cache = tempfile::tempdir().expect("cache");
        let site = tempfile::tempdir().expect("site");
        let secret = cache.path().join("secret");
        std::fs::write(&secret, "{}").expect("secret");
        let file = file_in(cache.path(), site.path(), "dates").expect("name");
        std::os::unix::fs::symlink(&secret, &file).expect("link");
        assert_eq!(read_in(cache.path(), site.path(), "dates", 100), None);
    }
}
