//! Stage 5: write a rendered site to disk, atomically enough that a failed
//! build never leaves a half-written site (SPEC §10). Files go into a fresh
//! folder beside the target. A fresh build (no previous output, no readable
//! manifest, or `--clean`) swaps that folder in whole and then removes the
//! previous output. A rebuild over an output that has a manifest
//! ([`MANIFEST`]: every file's path, length and hash) writes into the staging
//! folder only the files whose bytes changed, and once the whole render has
//! succeeded it writes a journal of the moves and removals it is about to
//! make, then makes them; a process killed during those moves leaves the
//! journal, and the next build completes it ([`sweep_leftovers`]).
//!
//! Nothing in or beside the output is trusted as it is found: the site root
//! and a restored CI cache may hold anything, links and forged bookkeeping
//! included. So:
//! - an in-place update starts from what is on disk: each file the manifest
//!   lists must be a regular file of the listed length, or it is written
//!   again; anything the manifest does not list is removed
//!   ([`keep_what_is_on_disk`]), so the output never holds a link;
//! - a leftover folder is completed or restored only if this machine's
//!   throughline made it (`recovery`: a token in it, a record of it in the
//!   user's cache folder); any other is removed, never obeyed;
//! - every move and removal inside the output and a staging folder goes
//!   one name at a time without following links (`nofollow`), and only
//!   regular files are moved.
//!
//! A build that is stopped leaves nothing behind either. This process's
//! staging folders are listed in a registry that [`abandon_all`] empties on
//! SIGINT, SIGTERM or SIGHUP (main.rs calls it from its signal thread), and
//! what a process killed outright left beside the output (`kill -9`, a power
//! cut) is removed by the next build with [`sweep_leftovers`].

mod journal;
mod manifest;
mod nofollow;
mod recovery;
mod sweep;

use std::ffi::OsStr;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};

use rayon::prelude::*;

use journal::*;
use manifest::*;
use nofollow::{Folder, Kind};
use recovery::{Identity, Records, TOKEN};
use sweep::*;
pub use sweep::{sweep_leftovers, Swept};

/// The file that marks a folder as throughline's output, safe to replace.
pub const MARKER: &str = ".throughline-output";

/// The file beside the marker that lists every file of the output with its
/// length and a hash of its bytes, so a rebuild can tell which pages changed
/// without reading the previous pages back.
pub const MANIFEST: &str = ".throughline-manifest";

/// The render cache's file (`render::cache`), at the top of the output: kept
/// by a rebuild beside the pages, written by the renderer.
pub const CACHE_FILE: &str = ".throughline-cache";

/// In a staging folder: the moves and removals an in-place update is about to
/// make. Written (to a temporary name, then renamed) only after every changed
/// file is staged, so its presence means the update can be completed.
const JOURNAL: &str = ".throughline-journal";

/// First line of a manifest; a manifest with any other first line is ignored
/// and the build starts from scratch.
const MANIFEST_HEADER: &str = "throughline-manifest 1";

/// First line of a journal.
const JOURNAL_HEADER: &str = "throughline-journal 1";

/// Longest manifest or journal read back, about a million files: one
/// restored from a cache may be any size, and is then not read at all.
const BOOKKEEPING_LIMIT: u64 = 64 * 1024 * 1024;

/// Test-only hook: when set to N, an in-place update aborts the process (as
/// `kill -9` would) after its N-th move or removal, so the tests can stop a
/// build at an exact point of its final moves; a swap counts renaming the
/// previous output away as its first move. Never set it outside tests.
pub const ABORT_AFTER_MOVES_ENV: &str = "THROUGHLINE_TEST_ABORT_AFTER_MOVES";

/// One file of the site, by its path relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated path relative to the output root.
    pub path: String,
    /// The contents.
    pub bytes: Vec<u8>,
}

impl OutputFile {
    /// A file with text contents.
    pub fn text(path: impl Into<String>, text: String) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.into_bytes(),
        }
    }
}

/// Why the output folder is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

/// The absolute, symlink-free form of `path`, which need not exist yet.
fn resolve(path: &Path) -> PathBuf {
    let absolute = crate::source::absolute(path);
    let mut existing = absolute.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// Refuses an output folder that is the site root, contains it, or holds files throughline did not write.
pub fn check_target(root: &Path, out: &Path) -> Result<(), Refusal> {
    let (root, target) = (resolve(root), resolve(out));
    if target == root {
        return Err(Refusal(format!("refusing to write the site into the site root `{}`; choose an output folder such as `{}`", root.display(), root.join("public").display())));
    }
    if root.starts_with(&target) {
        return Err(Refusal(format!(
            "refusing to write into `{}`: it contains the site root",
            target.display()
        )));
    }
    if target.is_file() {
        return Err(Refusal(format!(
            "refusing to replace `{}`: it is a file, not a folder",
            target.display()
        )));
    }
    if target.is_dir() && !target.join(MARKER).exists() {
        let empty = std::fs::read_dir(&target)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(Refusal(format!(
                "refusing to replace `{}`: the folder is not empty and was not created by throughline (it has no `{MARKER}` file)",
                target.display()
            )));
        }
    }
    Ok(())
}

/// What a swap in progress touches: the output, the staging folder and the
/// name the previous output is renamed to while the new one moves in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Staged {
    out: PathBuf,
    dir: PathBuf,
    previous: PathBuf,
    records: Option<Records>,
}

/// Every swap of this process not yet finished. A signal handler empties it
/// with [`abandon_all`]; commit and drop hold the lock while they rename or
/// remove, so the handler never sees a swap half done.
static STAGED: Mutex<Vec<Staged>> = Mutex::new(Vec::new());

/// Read-locked around each file write, write-locked by [`abandon_all`] to wait
/// for the writes in flight before it removes the folder they write into.
static WRITES: RwLock<()> = RwLock::new(());

/// Set once by [`abandon_all`]: from then on nothing is staged, written or committed.
static ABANDONED: AtomicBool = AtomicBool::new(false);

/// The registry, even if a thread panicked while holding it: the paths it
/// lists are still the ones to clean up.
fn staged() -> MutexGuard<'static, Vec<Staged>> {
    STAGED.lock().unwrap_or_else(PoisonError::into_inner)
}

fn abandoned() -> io::Error {
    io::Error::new(io::ErrorKind::Interrupted, "the build was interrupted")
}

/// The folder an output lives in and its name (`public` for `/site/public`).
fn parent_and_name(out: &Path) -> (PathBuf, String) {
    let parent = out
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    (parent, name)
}

/// What a commit did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Committed {
    /// Whether the previous output was updated in place (false: swapped whole).
    pub in_place: bool,
    /// Files written into the output: all of them for a swap, the changed ones in place.
    pub written: usize,
    /// Files of the previous output removed because the new one has no such file (in place only).
    pub removed: usize,
}

/// A fresh folder beside the output folder that files are written into as
/// they are rendered, then brought in by [`Staging::commit`]. Dropped without
/// a commit, it removes itself and the previous output stays as it was.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    previous: PathBuf,
    committed: bool,
    /// The previous output's manifest when this build updates it in place;
    /// None when the staging folder becomes the whole new output.
    before: Option<Manifest>,
    /// Every file of the new output, and whether it was written into the
    /// staging folder (in place, an unchanged file is not).
    after: Mutex<foldhash::HashMap<String, (FileDigest, bool)>>,
    /// Where the folders this build may leave behind are recorded as its
    /// own (`recovery`); None: nothing it leaves is ever trusted.
    records: Option<Records>,
}

impl Staging {
    /// Creates an empty staging folder for `out`, after removing what stopped
    /// builds left beside it (and completing an in-place update a killed
    /// build left a journal for). Unless `clean`, a previous output with a
    /// readable manifest is updated in place by the commit; otherwise the
    /// commit swaps the staging folder in whole.
    pub fn create(out: &Path, clean: bool) -> io::Result<Staging> {
        Staging::create_with(out, clean, Records::of_user())
    }

    /// [`Staging::create`], recording what it may leave behind in `records`.
    fn create_with(out: &Path, clean: bool, records: Option<Records>) -> io::Result<Staging> {
        let out = resolve(out);
        let (parent, name) = parent_and_name(&out);
        std::fs::create_dir_all(&parent)?;
        // Best effort: a leftover that cannot be removed must not stop a build.
        let _ = sweep_with(&out, records.as_ref());
        let before = if clean {
            None
        } else {
            trusted_manifest(&out, records.as_ref())
        };
        let dir = parent.join(format!(".{name}.new-{}", std::process::id()));
        let previous = parent.join(format!(".{name}.old-{}", std::process::id()));
        // Registered under the lock, so a signal either finds the folder
        // listed or arrives before it exists.
        let mut staged = staged();
        if ABANDONED.load(Ordering::SeqCst) {
            return Err(abandoned());
        }
        // Whatever has this process's name (a folder of a process that had
        // this PID before, or one planted) goes, without following a link.
        remove_tree(&dir);
        std::fs::create_dir(&dir)?;
        staged.push(Staged {
            out: out.clone(),
            dir: dir.clone(),
            previous: previous.clone(),
            records: records.clone(),
        });
        Ok(Staging {
            out,
            dir,
            previous,
            committed: false,
            before,
            after: Mutex::new(foldhash::HashMap::default()),
            records,
        })
    }

    /// Whether the commit will update the previous output in place.
    pub fn in_place(&self) -> bool {
        self.before.is_some()
    }

    /// Writes one file, or only records it when the previous output has the
    /// same bytes at that path; safe to call from many threads. A second
    /// write of a path (a static file over a generated page) replaces the first.
    pub fn write(&self, file: &OutputFile) -> io::Result<()> {
        if is_reserved(&file.path) {
            return Ok(());
        }
        self.write_any(file)
    }

    /// Writes one of the files throughline keeps for itself in the output
    /// (the render cache), which [`Staging::write`] refuses to take from a
    /// page or a static file. It is staged, listed and moved like a page, so
    /// it always comes from the same build as the pages beside it.
    pub fn write_own(&self, file: &OutputFile) -> io::Result<()> {
        self.write_any(file)
    }

    fn write_any(&self, file: &OutputFile) -> io::Result<()> {
        let _writing = WRITES.read().unwrap_or_else(PoisonError::into_inner);
        if ABANDONED.load(Ordering::SeqCst) {
            return Err(abandoned());
        }
        let print = FileDigest::of(&file.bytes);
        let changed = self
            .before
            .as_ref()
            .is_none_or(|before| before.get(&file.path) != Some(&print));
        self.after
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(file.path.clone(), (print, changed));
        if !changed {
            return Ok(());
        }
        let path = self.dir.join(&file.path);
        if let Some(parent) = path.parent() {
            // Most pages have a folder of their own, so one `mkdir` that
            // usually succeeds beats remembering which folders exist.
            match std::fs::create_dir(parent) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(parent)?,
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                _ => {}
            }
        }
        std::fs::write(path, &file.bytes)
    }

    /// Whether the new output has a file at `path`, written or kept.
    pub fn has(&self, path: &str) -> bool {
        self.after
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(path)
    }

    /// Whether the output being updated in place lists a file at `path`.
    pub fn had(&self, path: &str) -> bool {
        self.before.as_ref().is_some_and(|b| b.contains_key(path))
    }

    /// The bytes of the previous output's file at `path`, when it is a
    /// plain file and its manifest lists it with exactly these bytes: the
    /// file the previous build wrote, not one changed since (or a link put
    /// in its place). A file that is not what the manifest lists is
    /// forgotten, so that writing it again replaces it even with the bytes
    /// the manifest names.
    pub fn previous_file(&mut self, path: &str) -> Option<Vec<u8>> {
        let before = self.before.as_mut()?;
        let print = *before.get(path)?;
        let bytes = crate::source::read_regular(&self.out.join(path), print.len).ok();
        match bytes {
            Some(bytes) if FileDigest::of(&bytes) == print => Some(bytes),
            _ => {
                before.remove(path);
                None
            }
        }
    }

    /// Counts the previous output's file at `path` as part of the new one,
    /// as it is: a page the render left unchanged. An error when the
    /// output being updated has no such file.
    pub fn keep(&self, path: &str) -> io::Result<()> {
        let print = self
            .before
            .as_ref()
            .and_then(|before| before.get(path))
            .copied()
            .ok_or_else(|| {
                io::Error::other(format!(
                    "the render kept `{path}`, which the previous output does not have"
                ))
            })?;
        self.after
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.to_string(), (print, false));
        Ok(())
    }

    /// Brings the new output in: swaps the staging folder in place of the
    /// previous output, or, in place, moves the changed files in and removes
    /// the files that are gone.
    pub fn commit(mut self) -> io::Result<Committed> {
        // Held through the renames and removals: a signal meanwhile waits,
        // then finds this commit done and nothing to clean.
        let mut staged = staged();
        if ABANDONED.load(Ordering::SeqCst) {
            return Err(abandoned());
        }
        let after = std::mem::take(self.after.get_mut().unwrap_or_else(PoisonError::into_inner));
        let result = match self.before.take() {
            None => self.swap(&after),
            Some(before) => self.update_in_place(&before, &after),
        };
        staged.retain(|s| s.dir != self.dir);
        result
    }

    /// The fresh build's commit: the staging folder becomes the output.
    fn swap(
        &mut self,
        after: &foldhash::HashMap<String, (FileDigest, bool)>,
    ) -> io::Result<Committed> {
        let manifest: Manifest = after.iter().map(|(p, (f, _))| (p.clone(), *f)).collect();
        std::fs::write(self.dir.join(MANIFEST), manifest_text(&manifest))?;
        std::fs::write(
            self.dir.join(MARKER),
            "This folder is written by throughline and replaced on every build.\n",
        )?;
        let had_previous = exists(&self.out);
        let marked = if had_previous {
            self.move_previous_away()?
        } else {
            None
        };
        if had_previous && abort_hook() == Some(1) {
            std::process::abort();
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.out) {
            // Put the previous site back: a failed swap must not lose it.
            if had_previous && std::fs::rename(&self.previous, &self.out).is_ok() {
                unmark_restored(&self.out, self.records.as_ref());
            }
            return Err(e);
        }
        self.committed = true;
        // The record and the marker go first: a previous output that still
        // has both is whole, which is what `sweep_leftovers` relies on to
        // restore one.
        if let (Some(records), Some(id)) = (&self.records, marked) {
            records.forget(id);
        }
        let _ = std::fs::remove_file(self.previous.join(MARKER));
        remove_tree(&self.previous);
        Ok(Committed {
            in_place: false,
            written: after.len(),
            removed: 0,
        })
    }

    /// Renames the previous output to `.NAME.old-PID`, marked first as this
    /// machine's (`recovery`), so that if the process dies before the new
    /// output is in place the next build puts it back; a folder of that
    /// name that is not marked is never put back. Returns the mark to forget.
    fn move_previous_away(&self) -> io::Result<Option<Identity>> {
        let folder = Folder::open(&self.out).ok();
        let marked = match (&self.records, &folder) {
            (Some(records), Some(folder)) => records.mark(folder, &self.previous).ok(),
            _ => None,
        };
        if let Err(e) = std::fs::rename(&self.out, &self.previous) {
            if let (Some(records), Some(folder)) = (&self.records, &folder) {
                records.unmark(folder);
            }
            return Err(e);
        }
        Ok(marked)
    }

    /// The rebuild's commit: journal, then moves and removals, then the new manifest.
    fn update_in_place(
        &mut self,
        before: &Manifest,
        after: &foldhash::HashMap<String, (FileDigest, bool)>,
    ) -> io::Result<Committed> {
        let mut moves: Vec<&str> = after
            .iter()
            .filter(|(_, (_, changed))| *changed)
            .map(|(path, _)| path.as_str())
            .collect();
        moves.sort_unstable();
        let mut removals: Vec<&str> = before
            .keys()
            .filter(|path| !after.contains_key(*path))
            .map(String::as_str)
            .collect();
        removals.sort_unstable();
        let committed = Committed {
            in_place: true,
            written: moves.len(),
            removed: removals.len(),
        };
        if moves.is_empty() && removals.is_empty() {
            // The output already is the new site, manifest included.
            self.committed = true;
            remove_tree(&self.dir);
            return Ok(committed);
        }
        let manifest: Manifest = after.iter().map(|(p, (f, _))| (p.clone(), *f)).collect();
        std::fs::write(self.dir.join(MANIFEST), manifest_text(&manifest))?;
        let mut journal = String::from(JOURNAL_HEADER);
        journal.push('\n');
        for path in &removals {
            journal.push_str("remove ");
            journal.push_str(&escape_path(path));
            journal.push('\n');
        }
        for path in &moves {
            journal.push_str("move ");
            journal.push_str(&escape_path(path));
            journal.push('\n');
        }
        let out = Folder::open(&self.out)?;
        let staging = Folder::open(&self.dir)?;
        // Marked before the journal exists: the next build obeys a journal
        // only in a folder this machine's throughline marked. Unmarked (no
        // cache folder), a kill during the moves costs a fresh build.
        let marked = self
            .records
            .as_ref()
            .and_then(|records| records.mark(&staging, &self.dir).ok());
        let pending = self.dir.join(format!("{JOURNAL}.tmp"));
        std::fs::write(&pending, journal)?;
        // The rename is the point of no return: before it, a failure or a
        // kill leaves the previous site untouched and the staging folder is
        // swept; after it, the staging folder is the update to complete, so
        // it is no longer removed on drop (nor by a signal: `commit` takes it
        // out of the registry).
        std::fs::rename(&pending, self.dir.join(JOURNAL))?;
        self.committed = true;
        apply_journal(&out, &staging, &removals, &moves, abort_hook())?;
        remove_tree(&self.dir);
        if let (Some(records), Some(id)) = (&self.records, marked) {
            records.forget(id);
        }
        Ok(committed)
    }
}

/// Stops every build of this process from writing and removes what they
/// staged, putting the previous output back if a swap was cut between its
/// renames; returns how many staging folders there were. For a signal
/// handler that exits right after: the registry stays locked, so a build
/// still running blocks at its next step instead of staging again or exiting
/// with a code of its own.
pub fn abandon_all() -> usize {
    {
        let _no_writes = WRITES.write().unwrap_or_else(PoisonError::into_inner);
        ABANDONED.store(true, Ordering::SeqCst);
    }
    let mut staged = staged();
    let count = staged.len();
    for swap in staged.drain(..) {
        // Commit holds the lock across its renames and puts the previous
        // output back itself when the second fails; this is for the case
        // where putting it back failed too.
        if !exists(&swap.out)
            && swap.previous.join(MARKER).is_file()
            && std::fs::rename(&swap.previous, &swap.out).is_ok()
        {
            unmark_restored(&swap.out, swap.records.as_ref());
        }
        remove_tree(&swap.dir);
    }
    std::mem::forget(staged);
    count
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let mut staged = staged();
            let _ = std::fs::remove_dir_all(&self.dir);
            staged.retain(|s| s.dir != self.dir);
        }
    }
}

/// Writes `files` as the new contents of `out`: in place over a previous
/// output that has a manifest (unless `clean`), else in one swap.
pub fn write_site(out: &Path, files: &[OutputFile], clean: bool) -> io::Result<Committed> {
    let staging = Staging::create(out, clean)?;
    files.par_iter().try_for_each(|f| staging.write(f))?;
    staging.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder of trust records of the test's own, never the user's.
    fn records_in(tmp: &tempfile::TempDir) -> Records {
        Records::in_folder(&tmp.path().join("records"))
    }

    /// [`write_site`] with the records in `tmp`.
    fn write_site(out: &Path, files: &[OutputFile], clean: bool) -> io::Result<Committed> {
        let records = Records::in_folder(&out.with_file_name("records"));
        let staging = Staging::create_with(out, clean, Some(records))?;
        files.par_iter().try_for_each(|f| staging.write(f))?;
        staging.commit()
    }

    /// The names in `dir`, sorted, without the test's records folder.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "records")
            .collect();
        names.sort();
        names
    }

    #[test]
    fn refuses_the_root_its_ancestors_and_foreign_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("public")).unwrap();
        assert!(check_target(&root, &root).is_err());
        assert!(check_target(&root, tmp.path()).is_err());
        assert!(
            check_target(&root, &root.join("public")).is_ok(),
            "an empty folder is fine"
        );
        std::fs::write(root.join("public/keep.txt"), "mine").unwrap();
        let refusal = check_target(&root, &root.join("public")).unwrap_err();
        assert!(refusal.0.contains("not empty"), "{}", refusal.0);
        std::fs::write(root.join("public").join(MARKER), "").unwrap();
        assert!(check_target(&root, &root.join("public")).is_ok());
        assert!(check_target(&root, &tmp.path().join("elsewhere/new")).is_ok());
    }

    #[test]
    fn swaps_in_the_new_site_and_removes_stale_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(
            &out,
            &[
                OutputFile::text("a/index.html", "one".into()),
                OutputFile::text("old.html", "x".into()),
            ],
            true,
        )
        .unwrap();
        write_site(
            &out,
            &[OutputFile::text("a/index.html", "two".into())],
            true,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "two"
        );
        assert!(!out.join("old.html").exists());
        assert!(out.join(MARKER).exists());
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn leftover_names_are_recognised_only_for_this_output() {
        assert_eq!(leftover_of(".public.new-42", "public"), Some((true, 42)));
        assert_eq!(leftover_of(".public.old-42", "public"), Some((false, 42)));
        for other in [
            ".public.new-",
            ".public.new-0",
            ".public.new--1",
            ".public.new-4x",
            ".public.new-99999999999",
            ".public.tmp-42",
            ".publicx.new-42",
            ".site.new-42",
            "public.new-42",
        ] {
            assert_eq!(leftover_of(other, "public"), None, "{other}");
        }
    }

    /// A PID no process can have: above the kernel's limit where it is known.
    fn dead_pid() -> u32 {
        let max = std::fs::read_to_string("/proc/sys/kernel/pid_max")
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok())
            .unwrap_or(4_194_304);
        max + 1000
    }

    #[cfg(unix)]
    #[test]
    fn the_sweep_removes_dead_leftovers_keeps_live_ones_and_restores_a_cut_swap() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let dead = dead_pid();
        let live = std::process::id();
        for name in [
            format!(".public.new-{dead}"),
            format!(".public.old-{}", dead + 1),
            format!(".public.new-{live}"),
            format!(".other.new-{dead}"),
        ] {
            std::fs::create_dir_all(tmp.path().join(name).join("a")).unwrap();
        }
        // The output is missing and a whole previous one is left, marked
        // by the build that renamed it away: it comes back, unmarked.
        let whole = tmp.path().join(format!(".public.old-{dead}"));
        std::fs::create_dir_all(&whole).unwrap();
        std::fs::write(whole.join(MARKER), "").unwrap();
        std::fs::write(whole.join("index.html"), "previous").unwrap();
        let records = records_in(&tmp);
        records
            .mark(&Folder::open(&whole).unwrap(), &whole)
            .unwrap();
        let swept = sweep_with(&out, Some(&records)).unwrap();
        assert_eq!(swept.restored.as_deref(), Some(whole.as_path()));
        assert_eq!(swept.removed.len(), 2, "{swept:?}");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "previous"
        );
        assert!(!out.join(TOKEN).exists(), "the mark is no page");
        assert_eq!(
            std::fs::read_dir(tmp.path().join("records"))
                .unwrap()
                .count(),
            0,
            "nor is its record kept"
        );
        assert_eq!(
            names(tmp.path()),
            [
                format!(".other.new-{dead}"),
                format!(".public.new-{live}"),
                "public".to_string()
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_partly_removed_previous_output_is_not_restored() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let partial = tmp.path().join(format!(".public.old-{}", dead_pid()));
        std::fs::create_dir_all(partial.join("a")).unwrap();
        let records = records_in(&tmp);
        records
            .mark(&Folder::open(&partial).unwrap(), &partial)
            .unwrap();
        let swept = sweep_with(&out, Some(&records)).unwrap();
        assert_eq!(swept.restored, None);
        assert!(!partial.exists() && !out.exists());
    }

    /// A previous output as a commit or a restored cache can plant it:
    /// whole (it has the marker), with links to files outside, not marked.
    #[cfg(unix)]
    #[test]
    fn a_previous_output_this_machine_did_not_mark_is_never_restored() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let secret = tmp.path().join("secret.txt");
        std::fs::write(&secret, "token").unwrap();
        let records = records_in(&tmp);
        let forged = tmp.path().join(format!(".public.old-{}", dead_pid()));
        std::fs::create_dir_all(&forged).unwrap();
        std::fs::write(forged.join(MARKER), "").unwrap();
        std::fs::write(forged.join(MANIFEST), format!("{MANIFEST_HEADER}\n")).unwrap();
        std::os::unix::fs::symlink(&secret, forged.join("passwd.txt")).unwrap();
        // A token file copied from a folder that was marked does not help.
        let real = tmp.path().join("real");
        std::fs::create_dir_all(&real).unwrap();
        records.mark(&Folder::open(&real).unwrap(), &real).unwrap();
        std::fs::copy(real.join(TOKEN), forged.join(TOKEN)).unwrap();

        let swept = sweep_with(&out, Some(&records)).unwrap();
        assert_eq!(swept.restored, None);
        assert!(!out.exists() && !forged.exists(), "removed, not obeyed");
        assert_eq!(std::fs::read_to_string(&secret).unwrap(), "token");
    }

    #[cfg(unix)]
    #[test]
    fn a_mark_holds_only_for_its_folder_its_path_and_its_token_file() {
        let tmp = tempfile::tempdir().unwrap();
        let records = records_in(&tmp);
        let dir = tmp.path().join(".public.new-7");
        std::fs::create_dir_all(&dir).unwrap();
        let folder = Folder::open(&dir).unwrap();
        records.mark(&folder, &dir).unwrap();
        assert!(records.is_marked(&folder, &dir));
        assert!(!records.is_marked(&folder, &tmp.path().join(".public.new-8")));
        assert!(!records_in(&tempfile::tempdir().unwrap()).is_marked(&folder, &dir));
        // The same token, written again: the file's change time moved.
        let token = std::fs::read(dir.join(TOKEN)).unwrap();
        std::fs::remove_file(dir.join(TOKEN)).unwrap();
        std::fs::write(dir.join(TOKEN), &token).unwrap();
        assert!(!records.is_marked(&folder, &dir));
        // A link to a marked token file is not one.
        let other = tmp.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        records.mark(&Folder::open(&other).unwrap(), &dir).unwrap();
        std::fs::remove_file(dir.join(TOKEN)).unwrap();
        std::os::unix::fs::symlink(other.join(TOKEN), dir.join(TOKEN)).unwrap();
        assert!(!records.is_marked(&folder, &dir));
        // Unmarked: the token and the record go.
        records.mark(&folder, &dir).unwrap();
        records.unmark(&folder);
        assert!(!dir.join(TOKEN).exists() && !records.is_marked(&folder, &dir));
    }

    /// What a rebuild keeps of an output: listed regular files of the listed
    /// length. Everything else goes, links as links, and nothing they point
    /// at is touched.
    #[cfg(unix)]
    #[test]
    fn an_in_place_update_keeps_only_listed_files_as_listed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(outside.join("folder")).unwrap();
        std::fs::write(outside.join("passwd"), "root").unwrap();
        std::fs::write(outside.join("folder/keep"), "mine").unwrap();
        let files: Vec<OutputFile> = [
            "a/index.html",
            "b/index.html",
            "c/index.html",
            "d.css",
            "e/f/g.html",
        ]
        .iter()
        .map(|p| OutputFile::text(*p, format!("<p>{p}</p>")))
        .collect();
        write_site(&out, &files, true).unwrap();
        std::fs::remove_file(out.join("a/index.html")).unwrap();
        std::fs::write(out.join("b/index.html"), "longer than it was").unwrap();
        std::fs::remove_file(out.join("d.css")).unwrap();
        std::os::unix::fs::symlink(outside.join("passwd"), out.join("d.css")).unwrap();
        std::os::unix::fs::symlink(outside.join("passwd"), out.join("passwd.txt")).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("e/link")).unwrap();
        std::os::unix::fs::symlink(outside.join("folder"), out.join("h")).unwrap();
        std::fs::create_dir_all(out.join("x/y")).unwrap();
        std::fs::write(out.join("x/y/unlisted.html"), "planted").unwrap();
        std::fs::write(out.join(TOKEN), "stray").unwrap();

        let kept = trusted_manifest(&out, None).unwrap();
        let mut kept: Vec<&str> = kept.keys().map(String::as_str).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["c/index.html", "e/f/g.html"]);
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&out)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| !e.file_type().is_dir())
            .map(|e| {
                e.path()
                    .strip_prefix(&out)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        on_disk.sort();
        assert_eq!(on_disk, [MANIFEST, MARKER, "c/index.html", "e/f/g.html"]);
        assert!(
            !out.join("a").exists() && !out.join("x").exists(),
            "emptied folders go"
        );
        assert_eq!(
            std::fs::read_to_string(outside.join("passwd")).unwrap(),
            "root"
        );
        assert_eq!(
            std::fs::read_to_string(outside.join("folder/keep")).unwrap(),
            "mine"
        );

        // The rebuild writes back what was missing or changed.
        let done = write_site(&out, &files, false).unwrap();
        assert_eq!((done.in_place, done.written, done.removed), (true, 3, 0));
        for file in &files {
            assert_eq!(std::fs::read(out.join(&file.path)).unwrap(), file.bytes);
        }
    }

    #[test]
    fn a_commit_leaves_no_registered_swap_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let staging = Staging::create(&out, false).unwrap();
        let dir = staging.dir.clone();
        assert!(staged().iter().any(|s| s.dir == dir));
        staging.commit().unwrap();
        assert!(!staged().iter().any(|s| s.dir == dir));
        let dropped = Staging::create(&tmp.path().join("other"), false).unwrap();
        let dir = dropped.dir.clone();
        drop(dropped);
        assert!(!staged().iter().any(|s| s.dir == dir) && !dir.exists());
    }

    #[test]
    fn a_manifest_reads_back_as_written_and_refuses_paths_outside_the_output() {
        let mut files = Manifest::default();
        for (i, path) in ["a/index.html", "odd\nname\\x.txt", "b/c/d.css"]
            .iter()
            .enumerate()
        {
            files.insert(
                path.to_string(),
                FileDigest::of(path.repeat(i + 1).as_bytes()),
            );
        }
        assert_eq!(parse_manifest(&manifest_text(&files)), Some(files));
        let header = format!("{MANIFEST_HEADER}\n");
        for bad in [
            "0 1 ../escape.html",
            "0 1 /etc/passwd",
            "0 1 a//b",
            "0 1 a/./b",
            "0 1 .throughline-output",
            "zz 1 a",
            "0 x a",
            "0 1 a\\q",
        ] {
            assert_eq!(parse_manifest(&format!("{header}{bad}\n")), None, "{bad}");
        }
        assert_eq!(parse_manifest("throughline-manifest 0\n"), None);
    }

    /// Inode and modification time of a file, to tell a file left alone from one written again.
    #[cfg(unix)]
    fn identity(path: &Path) -> (u64, std::time::SystemTime) {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).unwrap();
        (meta.ino(), meta.modified().unwrap())
    }

    #[cfg(unix)]
    #[test]
    fn a_rebuild_writes_only_what_changed_and_removes_what_is_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = [
            OutputFile::text("a/index.html", "a".into()),
            OutputFile::text("b/index.html", "b".into()),
            OutputFile::text("gone/deep/index.html", "gone".into()),
        ];
        let done = write_site(&out, &first, false).unwrap();
        assert!(!done.in_place && done.written == 3, "{done:?}");
        let a = identity(&out.join("a/index.html"));
        let done = write_site(&out, &first, false).unwrap();
        assert_eq!((done.in_place, done.written, done.removed), (true, 0, 0));
        assert_eq!(identity(&out.join("a/index.html")), a);

        let second = [
            OutputFile::text("a/index.html", "a".into()),
            OutputFile::text("b/index.html", "b, edited".into()),
            OutputFile::text("c/index.html", "new".into()),
            // A static file over a generated page: the last write counts.
            OutputFile::text("c/index.html", "c".into()),
        ];
        let staging = Staging::create(&out, false).unwrap();
        for file in &second {
            staging.write(file).unwrap();
        }
        let done = staging.commit().unwrap();
        assert_eq!((done.in_place, done.written, done.removed), (true, 2, 1));
        assert_eq!(
            identity(&out.join("a/index.html")),
            a,
            "unchanged, untouched"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("b/index.html")).unwrap(),
            "b, edited"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("c/index.html")).unwrap(),
            "c"
        );
        assert!(!out.join("gone").exists(), "its emptied folders go too");
        assert_eq!(
            read_manifest(&Folder::open(&out).unwrap()).unwrap().len(),
            3,
            "the manifest lists the new site"
        );

        // A static file that equals what the previous build wrote, over a
        // generated page that differs: the staged page must not move in.
        let staging = Staging::create(&out, false).unwrap();
        staging
            .write(&OutputFile::text("c/index.html", "generated".into()))
            .unwrap();
        staging
            .write(&OutputFile::text("c/index.html", "c".into()))
            .unwrap();
        staging
            .write(&OutputFile::text("a/index.html", "a".into()))
            .unwrap();
        staging
            .write(&OutputFile::text("b/index.html", "b, edited".into()))
            .unwrap();
        assert_eq!(staging.commit().unwrap().written, 0);
        assert_eq!(
            std::fs::read_to_string(out.join("c/index.html")).unwrap(),
            "c"
        );
        assert_eq!(names(tmp.path()), ["public"], "no staging folder is left");
    }

    #[cfg(unix)]
    #[test]
    fn a_journal_left_by_a_dead_build_is_completed_by_the_sweep() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let old = [
            OutputFile::text("keep/index.html", "keep".into()),
            OutputFile::text("edit/index.html", "before".into()),
            OutputFile::text("gone/index.html", "gone".into()),
        ];
        write_site(&out, &old, false).unwrap();
        let new = [
            OutputFile::text("keep/index.html", "keep".into()),
            OutputFile::text("edit/index.html", "after".into()),
            OutputFile::text("added/index.html", "added".into()),
        ];
        let expected = tmp.path().join("expected");
        write_site(&expected, &new, true).unwrap();
        // What a build killed after its first move leaves: the journal, the
        // staging folder without the file it moved, the output half done.
        let staging = tmp.path().join(format!(".public.new-{}", dead_pid()));
        std::fs::create_dir_all(staging.join("edit")).unwrap();
        std::fs::write(staging.join("edit/index.html"), "after").unwrap();
        let manifest: Manifest = new
            .iter()
            .map(|f| (f.path.clone(), FileDigest::of(&f.bytes)))
            .collect();
        std::fs::write(staging.join(MANIFEST), manifest_text(&manifest)).unwrap();
        std::fs::write(
            staging.join(JOURNAL),
            format!("{JOURNAL_HEADER}\nremove gone/index.html\nmove added/index.html\nmove edit/index.html\n"),
        )
        .unwrap();
        std::fs::remove_file(out.join(MANIFEST)).unwrap();
        std::fs::create_dir_all(out.join("added")).unwrap();
        std::fs::write(out.join("added/index.html"), "added").unwrap();
        // Marked as the build that wrote it marks it.
        let records = records_in(&tmp);
        records
            .mark(&Folder::open(&staging).unwrap(), &staging)
            .unwrap();

        let swept = sweep_with(&out, Some(&records)).unwrap();
        assert_eq!(swept.completed.as_deref(), Some(staging.as_path()));
        assert!(!staging.exists());
        let read = |dir: &Path| -> Vec<(String, String)> {
            let mut files: Vec<(String, String)> = walkdir::WalkDir::new(dir)
                .into_iter()
                .map(Result::unwrap)
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    let rel = e
                        .path()
                        .strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    (rel, std::fs::read_to_string(e.path()).unwrap())
                })
                .collect();
            files.sort();
            files
        };
        assert_eq!(read(&out), read(&expected));

        // A journal that names a path outside the output is not followed:
        // the manifest goes, so the next build writes everything afresh.
        let staging = tmp.path().join(format!(".public.new-{}", dead_pid() + 1));
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(
            staging.join(JOURNAL),
            format!("{JOURNAL_HEADER}\nremove ../expected/keep/index.html\n"),
        )
        .unwrap();
        records
            .mark(&Folder::open(&staging).unwrap(), &staging)
            .unwrap();
        let swept = sweep_with(&out, Some(&records)).unwrap();
        assert_eq!(swept.completed, None);
        assert!(expected.join("keep/index.html").is_file());
        assert!(!out.join(MANIFEST).exists() && !staging.exists());
        assert!(Staging::create_with(&out, false, Some(records))
            .unwrap()
            .before
            .is_none());
    }

    /// The journal of a marked staging folder names a file behind a link in
    /// it (to the repository's `.git`) and a file behind a link in the
    /// output: neither is moved or removed, and the link is not followed.
    #[cfg(unix)]
    #[test]
    fn a_journal_never_moves_or_removes_through_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let git = tmp.path().join(".git");
        std::fs::create_dir_all(&git).unwrap();
        std::fs::write(git.join("config"), "token").unwrap();
        write_site(&out, &[OutputFile::text("a.html", "a".into())], true).unwrap();
        std::os::unix::fs::symlink(&git, out.join("r")).unwrap();
        let staging = tmp.path().join(format!(".public.new-{}", dead_pid()));
        std::fs::create_dir_all(&staging).unwrap();
        std::os::unix::fs::symlink("../.git", staging.join("g")).unwrap();
        std::fs::write(staging.join(MANIFEST), format!("{MANIFEST_HEADER}\n")).unwrap();
        std::fs::write(
            staging.join(JOURNAL),
            format!("{JOURNAL_HEADER}\nremove r/config\nmove g/config\n"),
        )
        .unwrap();
        let records = records_in(&tmp);
        records
            .mark(&Folder::open(&staging).unwrap(), &staging)
            .unwrap();
        sweep_with(&out, Some(&records)).unwrap();
        assert_eq!(
            std::fs::read_to_string(git.join("config")).unwrap(),
            "token"
        );
        assert!(!out.join("g").exists() && !staging.exists());
    }

    /// A walk with the stamps of the last one reads only the folders changed
    /// since, and still sees what was deleted, replaced by a link or planted
    /// in them; a folder made anew under an old name is read again.
    #[cfg(unix)]
    #[test]
    fn a_walk_skips_only_the_folders_unchanged_since_the_last() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let records = Records::in_folder(&tmp.path().join("records"));
        let all = [
            "a/index.html",
            "b/index.html",
            "c/d/index.html",
            "e/index.html",
            "f/index.html",
        ];
        let files: Vec<OutputFile> = all
            .iter()
            .map(|p| OutputFile::text(*p, format!("<p>{p}</p>")))
            .collect();
        write_site(&out, &files, true).unwrap();
        let kept_paths = |records: Option<&Records>| {
            let mut kept: Vec<String> = trusted_manifest(&out, records)
                .unwrap()
                .into_keys()
                .collect();
            kept.sort();
            kept
        };
        assert_eq!(kept_paths(Some(&records)), all);
        // Stamps kept: the same answer from them.
        let folder = Folder::open(&out).unwrap();
        assert_eq!(records.stamps(&folder).len(), 6, "a, b, c, c/d, e and f");
        assert_eq!(kept_paths(Some(&records)), all);
        std::fs::remove_file(out.join("a/index.html")).unwrap();
        std::fs::remove_file(out.join("c/d/index.html")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", out.join("c/d/index.html")).unwrap();
        std::fs::write(out.join("b/planted.html"), "x").unwrap();
        std::fs::remove_dir_all(out.join("e")).unwrap();
        std::fs::create_dir(out.join("e")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", out.join("e/index.html")).unwrap();
        // Rewritten in place, a file leaves its folder's stamp as it was: its
        // length still tells.
        std::fs::write(out.join("f/index.html"), "<p>longer than it was</p>").unwrap();
        assert_eq!(kept_paths(Some(&records)), ["b/index.html"]);
        assert!(!out.join("b/planted.html").exists());
        assert!(std::fs::symlink_metadata(out.join("c/d/index.html")).is_err());
        assert!(std::fs::symlink_metadata(out.join("e/index.html")).is_err());
        assert!(
            !out.join("f/index.html").exists(),
            "the resized page goes, to be written again"
        );
    }
}
