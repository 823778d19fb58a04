//! Stage 5: write a rendered site to disk, atomically enough that a failed
//! build never leaves a half-written site (SPEC §10). Files go into a fresh
//! folder beside the target, which is then swapped in; the previous output is
//! removed only after the swap.
//!
//! A build that is stopped leaves nothing behind either. This process's
//! staging folders are listed in a registry that [`abandon_all`] empties on
//! SIGINT, SIGTERM or SIGHUP (main.rs calls it from its signal thread), and
//! what a process killed outright left beside the output (`kill -9`, a power
//! cut) is removed by the next build with [`sweep_leftovers`].

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};

use rayon::prelude::*;

/// The file that marks a folder as throughline's output, safe to replace.
pub const MARKER: &str = ".throughline-output";

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
    let absolute = crate::absolute(path);
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

/// A fresh folder beside the output folder that files are written into as
/// they are rendered, then swapped in by [`Staging::commit`]. Dropped without
/// a commit, it removes itself and the previous output stays as it was.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    previous: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging folder for `out`, after removing what stopped builds left beside it.
    pub fn create(out: &Path) -> io::Result<Staging> {
        let out = resolve(out);
        let (parent, name) = parent_and_name(&out);
        std::fs::create_dir_all(&parent)?;
        // Best effort: a leftover that cannot be removed must not stop a build.
        let _ = sweep_leftovers(&out);
        let dir = parent.join(format!(".{name}.new-{}", std::process::id()));
        let previous = parent.join(format!(".{name}.old-{}", std::process::id()));
        // Registered under the lock, so a signal either finds the folder
        // listed or arrives before it exists.
        let mut staged = staged();
        if ABANDONED.load(Ordering::SeqCst) {
            return Err(abandoned());
        }
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        staged.push(Staged {
            out: out.clone(),
            dir: dir.clone(),
            previous: previous.clone(),
        });
        Ok(Staging {
            out,
            dir,
            previous,
            committed: false,
        })
    }

    /// Writes one file; safe to call from many threads.
    pub fn write(&self, file: &OutputFile) -> io::Result<()> {
        let _writing = WRITES.read().unwrap_or_else(PoisonError::into_inner);
        if ABANDONED.load(Ordering::SeqCst) {
            return Err(abandoned());
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

    /// Marks the folder as throughline's and swaps it in place of the previous output.
    pub fn commit(mut self) -> io::Result<()> {
        // Held through both renames and the removal of the previous output:
        // a signal meanwhile waits, then finds this swap done and nothing to clean.
        let mut staged = staged();
        if ABANDONED.load(Ordering::SeqCst) {
            return Err(abandoned());
        }
        std::fs::write(
            self.dir.join(MARKER),
            "This folder is written by throughline and replaced on every build.\n",
        )?;
        if self.out.exists() {
            std::fs::rename(&self.out, &self.previous)?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.out) {
            // Put the previous site back: a failed swap must not lose it.
            let _ = std::fs::rename(&self.previous, &self.out);
            return Err(e);
        }
        self.committed = true;
        // The marker goes first: a previous output that still has it is
        // whole, which is what `sweep_leftovers` relies on to restore one.
        let _ = std::fs::remove_file(self.previous.join(MARKER));
        remove_tree(&self.previous);
        staged.retain(|s| s.dir != self.dir);
        Ok(())
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
        if !exists(&swap.out) && swap.previous.join(MARKER).is_file() {
            let _ = std::fs::rename(&swap.previous, &swap.out);
        }
        remove_tree(&swap.dir);
    }
    std::mem::forget(staged);
    count
}

/// Whether anything, even a dangling link, has this name.
fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// What [`sweep_leftovers`] found and did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    /// Leftover folders removed.
    pub removed: Vec<PathBuf>,
    /// The previous output that was put back in place of a missing output folder.
    pub restored: Option<PathBuf>,
}

/// Removes the staging folders (`.NAME.new-PID`) and previous outputs
/// (`.NAME.old-PID`) that processes no longer running left beside `out`.
///
/// When `out` itself is missing, a build was stopped between the two renames
/// of its swap: its previous output, if it is whole (it still has the
/// marker, which a commit removes before deleting anything), is renamed back
/// to `out` rather than deleted, so the user has a site again even if the
/// build that found it fails. Folders of live processes are never touched,
/// nor anything that is not a real folder (a link named like a leftover).
pub fn sweep_leftovers(out: &Path) -> io::Result<Swept> {
    let out = resolve(out);
    if out.parent().is_none() || out.file_name().is_none() {
        return Ok(Swept::default());
    }
    let (parent, name) = parent_and_name(&out);
    let mut dead_new = Vec::new();
    let mut dead_old = Vec::new();
    for entry in std::fs::read_dir(&parent)? {
        let entry = entry?;
        let Some((is_new, pid)) = leftover_of(&entry.file_name().to_string_lossy(), &name) else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir || pid == std::process::id() || process_is_running(pid) {
            continue;
        }
        if is_new {
            dead_new.push(entry.path());
        } else {
            dead_old.push(entry.path());
        }
    }
    let mut swept = Swept::default();
    if !exists(&out) {
        // Two can only be found after concurrent builds into one folder;
        // the newest is the site the user saw last.
        let newest = dead_old
            .iter()
            .filter(|old| old.join(MARKER).is_file())
            .max_by_key(|old| old.metadata().and_then(|m| m.modified()).ok())
            .cloned();
        if let Some(old) = newest {
            std::fs::rename(&old, &out)?;
            dead_old.retain(|o| o != &old);
            swept.restored = Some(old);
        }
    }
    for leftover in dead_new.into_iter().chain(dead_old) {
        remove_tree(&leftover);
        swept.removed.push(leftover);
    }
    Ok(swept)
}

/// Whether `file_name` is `.NAME.new-PID` (true) or `.NAME.old-PID` (false), and the PID.
fn leftover_of(file_name: &str, name: &str) -> Option<(bool, u32)> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(name)?;
    let (is_new, digits) = if let Some(d) = rest.strip_prefix(".new-") {
        (true, d)
    } else {
        (false, rest.strip_prefix(".old-")?)
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Zero or a number beyond any PID is not a name this module writes.
    let pid: u32 = digits.parse().ok().filter(|&p| p > 0)?;
    Some((is_new, pid))
}

/// Whether a process with this PID exists (a zombie counts). Where that
/// cannot be asked, every process counts as running, so nothing is removed.
#[cfg(unix)]
fn process_is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    // SAFETY: signal 0 sends nothing; it only asks whether `pid` exists, and
    // `pid` is positive, so it names one process, never a group.
    let answer = unsafe { libc::kill(pid, 0) };
    // EPERM: it exists but belongs to another user.
    answer == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_is_running(_pid: u32) -> bool {
    true
}

/// Removes a folder and everything in it, its top-level entries in parallel:
/// the previous output of a large site is tens of thousands of folders, and
/// removing them one by one is the longest serial step of a build.
fn remove_tree(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.par_iter().for_each(|entry| {
            let path = entry.path();
            let _ = match entry.file_type() {
                Ok(kind) if kind.is_dir() => std::fs::remove_dir_all(&path),
                _ => std::fs::remove_file(&path),
            };
        });
    }
    let _ = std::fs::remove_dir_all(dir);
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

/// Writes `files` as the new contents of `out`, replacing the previous output in one swap.
pub fn write_site(out: &Path, files: &[OutputFile]) -> io::Result<()> {
    let staging = Staging::create(out)?;
    files.par_iter().try_for_each(|f| staging.write(f))?;
    staging.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        )
        .unwrap();
        write_site(&out, &[OutputFile::text("a/index.html", "two".into())]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "two"
        );
        assert!(!out.join("old.html").exists());
        assert!(out.join(MARKER).exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
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
        // The output is missing and a whole previous one is left: it comes back.
        let whole = tmp.path().join(format!(".public.old-{dead}"));
        std::fs::create_dir_all(&whole).unwrap();
        std::fs::write(whole.join(MARKER), "").unwrap();
        std::fs::write(whole.join("index.html"), "previous").unwrap();
        let swept = sweep_leftovers(&out).unwrap();
        assert_eq!(swept.restored.as_deref(), Some(whole.as_path()));
        assert_eq!(swept.removed.len(), 2, "{swept:?}");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "previous"
        );
        let mut left: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
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
        let swept = sweep_leftovers(&out).unwrap();
        assert_eq!(swept.restored, None);
        assert!(!partial.exists() && !out.exists());
    }

    #[test]
    fn a_commit_leaves_no_registered_swap_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let staging = Staging::create(&out).unwrap();
        let dir = staging.dir.clone();
        assert!(staged().iter().any(|s| s.dir == dir));
        staging.commit().unwrap();
        assert!(!staged().iter().any(|s| s.dir == dir));
        let dropped = Staging::create(&tmp.path().join("other")).unwrap();
        let dir = dropped.dir.clone();
        drop(dropped);
        assert!(!staged().iter().any(|s| s.dir == dir) && !dir.exists());
    }
}
