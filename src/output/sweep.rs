//! What a killed build left beside the output: a staging folder this
//! machine marked is completed, an old output put back, anything else
//! named like them removed without following links.

use super::*;

/// Takes the mark off an output put back from `.NAME.old-PID`: its token
/// file goes (it is no page) and, with it, the record.
pub(super) fn unmark_restored(out: &Path, records: Option<&Records>) {
    let Ok(folder) = Folder::open(out) else {
        return;
    };
    match records {
        Some(records) => records.unmark(&folder),
        None => {
            let _ = folder.remove(OsStr::new(TOKEN));
        }
    }
}

/// Whether anything, even a dangling link, has this name.
pub(super) fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// What [`sweep_leftovers`] found and did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    /// Leftover folders removed.
    pub removed: Vec<PathBuf>,
    /// The previous output that was put back in place of a missing output folder.
    pub restored: Option<PathBuf>,
    /// The staging folder of an in-place update cut short whose journal was completed.
    pub completed: Option<PathBuf>,
}

/// Removes the staging folders (`.NAME.new-PID`) and previous outputs
/// (`.NAME.old-PID`) that processes no longer running left beside `out`.
///
/// Only a folder this machine's throughline made and marked (`recovery`)
/// is ever obeyed; any other folder of such a name, committed or restored
/// from a cache, is removed without following a link in it. Folders of
/// live processes are never touched, nor anything that is not a real
/// folder (a link named like a leftover).
///
/// When `out` itself is missing, a build was stopped between the two renames
/// of its swap: its previous output, if marked and whole (it still has the
/// marker, which a commit removes before deleting anything), is renamed back
/// to `out` rather than deleted, so the user has a site again even if the
/// build that found it fails.
///
/// A dead build's marked staging folder that holds a journal was cut short
/// in the middle of an in-place update's final moves: the journal is
/// completed first (the moves and removals it lists are made, and the new
/// manifest moved in), so the output is the site that build rendered.
pub fn sweep_leftovers(out: &Path) -> io::Result<Swept> {
    sweep_with(out, Records::of_user().as_ref())
}

/// [`sweep_leftovers`] with the records of marked folders in `records`.
pub(super) fn sweep_with(out: &Path, records: Option<&Records>) -> io::Result<Swept> {
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
    let marked = |dir: &Path| -> Option<Folder> {
        let folder = Folder::open(dir).ok()?;
        records?.is_marked(&folder, dir).then_some(folder)
    };
    let mut swept = Swept::default();
    // At most one in-place update can be cut short (each takes the output's
    // manifest away first, and the next update needs one); the journal
    // sorted first stands for all of them.
    dead_new.sort();
    let cut = dead_new.iter().find_map(|dir| {
        let folder = marked(dir)?;
        is_regular(&folder, JOURNAL).then_some((dir, folder))
    });
    if let Some((dir, folder)) = cut {
        if complete_journal(&out, &folder) {
            swept.completed = Some(dir.clone());
        }
    }
    if !exists(&out) {
        // Two can only be found after concurrent builds into one folder;
        // the newest is the site the user saw last.
        let newest = dead_old
            .iter()
            .filter(|old| marked(old).is_some_and(|folder| is_regular(&folder, MARKER)))
            .max_by_key(|old| old.metadata().and_then(|m| m.modified()).ok())
            .cloned();
        if let Some(old) = newest {
            std::fs::rename(&old, &out)?;
            unmark_restored(&out, records);
            dead_old.retain(|o| o != &old);
            swept.restored = Some(old);
        }
    }
    for leftover in dead_new.into_iter().chain(dead_old) {
        let id = Folder::open(&leftover)
            .ok()
            .and_then(|folder| Records::identity(&folder));
        remove_tree(&leftover);
        if let (Some(records), Some(id)) = (records, id) {
            records.forget(id);
        }
        swept.removed.push(leftover);
    }
    Ok(swept)
}

/// Whether `file_name` is `.NAME.new-PID` (true) or `.NAME.old-PID` (false), and the PID.
pub(super) fn leftover_of(file_name: &str, name: &str) -> Option<(bool, u32)> {
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
pub(super) fn process_is_running(pid: u32) -> bool {
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
pub(super) fn process_is_running(_pid: u32) -> bool {
    true
}

/// Removes a folder and everything in it, its top-level entries in parallel:
/// the previous output of a large site is tens of thousands of folders, and
/// removing them one by one is the longest serial step of a build.
pub(super) fn remove_tree(dir: &Path) {
    // Only a real folder is walked; a link by that name goes as itself.
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        let _ = std::fs::remove_file(dir);
        return;
    }
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
