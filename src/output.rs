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

/// The file beside the marker that lists every file of the output with its
/// length and a hash of its bytes, so a rebuild can tell which pages changed
/// without reading the previous pages back.
pub const MANIFEST: &str = ".throughline-manifest";

/// In a staging folder: the moves and removals an in-place update is about to
/// make. Written (to a temporary name, then renamed) only after every changed
/// file is staged, so its presence means the update can be completed.
const JOURNAL: &str = ".throughline-journal";

/// First line of a manifest; a manifest with any other first line is ignored
/// and the build starts from scratch.
const MANIFEST_HEADER: &str = "throughline-manifest 1";

/// First line of a journal.
const JOURNAL_HEADER: &str = "throughline-journal 1";

/// Test-only hook: when set to N, an in-place update aborts the process (as
/// `kill -9` would) after its N-th move or removal, so the tests can stop a
/// build at an exact point of its final moves. Never set it outside tests.
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

/// A file's length and a 64-bit hash of its bytes: what the manifest keeps
/// to tell a changed page from an unchanged one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    hash: u64,
    len: u64,
}

impl Fingerprint {
    /// foldhash with a fixed seed: every byte of every page goes through it
    /// (120 MB at 10k), where SipHash was 2% of a build. Its output is not
    /// promised across versions; if it changes, every page of the first
    /// build after an upgrade just counts as changed and is written again.
    /// Two different pages of the same length collide with odds of about
    /// 2^-64; a page is no adversary's lever (whoever writes it can change it).
    fn of(bytes: &[u8]) -> Fingerprint {
        use std::hash::BuildHasher;
        Fingerprint {
            hash: foldhash::quality::FixedState::with_seed(0).hash_one(bytes),
            len: bytes.len() as u64,
        }
    }
}

/// Every file of an output by path, as listed in its [`MANIFEST`].
// foldhash: a build looks up and inserts every page.
type Manifest = foldhash::HashMap<String, Fingerprint>;

/// Writes a path so that it fits on one line: `\` and line ends are escaped.
fn escape_path(path: &str) -> String {
    path.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// The inverse of [`escape_path`]; None for an escape it never writes.
fn unescape_path(text: &str) -> Option<String> {
    let mut path = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            path.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => path.push('\\'),
            'n' => path.push('\n'),
            'r' => path.push('\r'),
            _ => return None,
        }
    }
    Some(path)
}

/// Whether `path` names a file strictly inside the output: relative, no
/// empty, `.` or `..` component. Paths read back from a manifest or journal
/// are checked with this before anything is removed or moved, since a
/// manifest is a file in the output folder that anyone who can write there
/// (a restored CI cache) can change.
fn is_inside_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The names throughline keeps at the top of the output for itself; a
/// rendered or static file of that name is never written.
fn is_reserved(path: &str) -> bool {
    is_bookkeeping(path) || path == crate::render::cache::CACHE_FILE
}

/// The files that say what the output is, which no manifest lists: the
/// render cache, by contrast, is listed like a page.
fn is_bookkeeping(path: &str) -> bool {
    [MARKER, MANIFEST, JOURNAL].contains(&path)
}

/// The manifest as text: a header line, then `HASH LEN PATH` per file, sorted by path.
fn manifest_text(files: &Manifest) -> String {
    let mut sorted: Vec<(&String, &Fingerprint)> = files.iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut text = String::with_capacity(64 * sorted.len() + 32);
    text.push_str(MANIFEST_HEADER);
    text.push('\n');
    for (path, print) in sorted {
        use std::fmt::Write;
        let _ = writeln!(
            text,
            "{:016x} {} {}",
            print.hash,
            print.len,
            escape_path(path)
        );
    }
    text
}

/// Parses a manifest; None if any line is not one [`manifest_text`] writes
/// or names a path outside the output, so a damaged manifest means a build
/// from scratch rather than a wrong guess about what is on disk.
fn parse_manifest(text: &str) -> Option<Manifest> {
    let mut lines = text.lines();
    if lines.next()? != MANIFEST_HEADER {
        return None;
    }
    let mut files = Manifest::default();
    for line in lines {
        let mut fields = line.splitn(3, ' ');
        let hash = u64::from_str_radix(fields.next()?, 16).ok()?;
        let len = fields.next()?.parse().ok()?;
        let path = unescape_path(fields.next()?)?;
        if !is_inside_path(&path) || is_bookkeeping(&path) {
            return None;
        }
        files.insert(path, Fingerprint { hash, len });
    }
    Some(files)
}

/// The manifest of the output at `out`, if it is throughline's (it has the
/// marker) and the manifest reads back whole.
fn read_manifest(out: &Path) -> Option<Manifest> {
    if !out.join(MARKER).is_file() {
        return None;
    }
    parse_manifest(&std::fs::read_to_string(out.join(MANIFEST)).ok()?)
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
    after: Mutex<foldhash::HashMap<String, (Fingerprint, bool)>>,
}

impl Staging {
    /// Creates an empty staging folder for `out`, after removing what stopped
    /// builds left beside it (and completing an in-place update a killed
    /// build left a journal for). Unless `clean`, a previous output with a
    /// readable manifest is updated in place by the commit; otherwise the
    /// commit swaps the staging folder in whole.
    pub fn create(out: &Path, clean: bool) -> io::Result<Staging> {
        let out = resolve(out);
        let (parent, name) = parent_and_name(&out);
        std::fs::create_dir_all(&parent)?;
        // Best effort: a leftover that cannot be removed must not stop a build.
        let _ = sweep_leftovers(&out);
        let before = if clean { None } else { read_manifest(&out) };
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
            before,
            after: Mutex::new(foldhash::HashMap::default()),
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
        let print = Fingerprint::of(&file.bytes);
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
            Some(bytes) if Fingerprint::of(&bytes) == print => Some(bytes),
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
        after: &foldhash::HashMap<String, (Fingerprint, bool)>,
    ) -> io::Result<Committed> {
        let manifest: Manifest = after.iter().map(|(p, (f, _))| (p.clone(), *f)).collect();
        std::fs::write(self.dir.join(MANIFEST), manifest_text(&manifest))?;
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
        Ok(Committed {
            in_place: false,
            written: after.len(),
            removed: 0,
        })
    }

    /// The rebuild's commit: journal, then moves and removals, then the new manifest.
    fn update_in_place(
        &mut self,
        before: &Manifest,
        after: &foldhash::HashMap<String, (Fingerprint, bool)>,
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
        let pending = self.dir.join(format!("{JOURNAL}.tmp"));
        std::fs::write(&pending, journal)?;
        // The rename is the point of no return: before it, a failure or a
        // kill leaves the previous site untouched and the staging folder is
        // swept; after it, the staging folder is the update to complete, so
        // it is no longer removed on drop (nor by a signal: `commit` takes it
        // out of the registry).
        std::fs::rename(&pending, self.dir.join(JOURNAL))?;
        self.committed = true;
        apply_journal(&self.out, &self.dir, &removals, &moves, abort_hook())?;
        remove_tree(&self.dir);
        Ok(committed)
    }
}

/// The number of moves after which [`ABORT_AFTER_MOVES_ENV`] asks to abort.
fn abort_hook() -> Option<usize> {
    std::env::var(ABORT_AFTER_MOVES_ENV)
        .ok()
        .and_then(|n| n.trim().parse().ok())
}

/// Makes the moves and removals of a journal, in an order that is safe to
/// repeat from the start however far an earlier attempt got: the output's
/// manifest is removed first (so an output left half updated is never
/// trusted as the previous build's), then the removals (a file already gone
/// is fine), then the moves (a file no longer in the staging folder was
/// moved already), and the new manifest moves in last.
fn apply_journal(
    out: &Path,
    staging: &Path,
    removals: &[&str],
    moves: &[&str],
    abort_after: Option<usize>,
) -> io::Result<()> {
    match std::fs::remove_file(out.join(MANIFEST)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut done = 0;
    let mut step = || {
        done += 1;
        if abort_after == Some(done) {
            std::process::abort();
        }
    };
    for path in removals {
        let target = out.join(path);
        if !parents_are_real_folders(out, path) {
            continue;
        }
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&target)?,
            Ok(_) => std::fs::remove_file(&target)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        remove_empty_parents(out, path);
        step();
    }
    for path in moves {
        let from = staging.join(path);
        if std::fs::symlink_metadata(&from).is_err() {
            continue;
        }
        let to = out.join(path);
        make_parents(out, path)?;
        if std::fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) {
            // A folder where a file now goes (a page that became a static file).
            std::fs::remove_dir_all(&to)?;
        }
        std::fs::rename(&from, &to)?;
        step();
    }
    std::fs::rename(staging.join(MANIFEST), out.join(MANIFEST))
}

/// Whether every folder between `out` and `path` is a real folder, not a
/// link that would lead a removal out of the output.
fn parents_are_real_folders(out: &Path, path: &str) -> bool {
    let mut at = out.to_path_buf();
    let parts: Vec<&str> = path.split('/').collect();
    parts[..parts.len().saturating_sub(1)].iter().all(|part| {
        at.push(part);
        std::fs::symlink_metadata(&at).is_ok_and(|m| m.is_dir())
    })
}

/// Creates the folders `path` needs inside `out`: a file or link in the way
/// is replaced by a folder, so a move never writes through a link.
fn make_parents(out: &Path, path: &str) -> io::Result<()> {
    let mut at = out.to_path_buf();
    let parts: Vec<&str> = path.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.is_dir() => continue,
            Ok(_) => std::fs::remove_file(&at)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::fs::create_dir(&at)?;
    }
    Ok(())
}

/// Removes the folders of `path` inside `out` that its removal left empty, deepest first.
fn remove_empty_parents(out: &Path, path: &str) {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    while !parts.is_empty() {
        if std::fs::remove_dir(out.join(parts.join("/"))).is_err() {
            break;
        }
        parts.pop();
    }
}

/// Reads a journal back: the removals and the moves, or None if it is not one this module wrote.
fn parse_journal(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    let mut lines = text.lines();
    if lines.next()? != JOURNAL_HEADER {
        return None;
    }
    let (mut removals, mut moves) = (Vec::new(), Vec::new());
    for line in lines {
        let (verb, path) = line.split_once(' ')?;
        let path = unescape_path(path)?;
        if !is_inside_path(&path) || is_bookkeeping(&path) {
            return None;
        }
        match verb {
            "remove" => removals.push(path),
            "move" => moves.push(path),
            _ => return None,
        }
    }
    Some((removals, moves))
}

/// Completes the in-place update a dead build left in `staging`. If the
/// journal is unreadable or the update cannot be completed, the output's
/// manifest is removed, so the next build writes the whole site afresh.
fn complete_journal(out: &Path, staging: &Path) -> bool {
    let journal = std::fs::read_to_string(staging.join(JOURNAL))
        .ok()
        .and_then(|text| parse_journal(&text));
    let completed = journal.is_some_and(|(removals, moves)| {
        let removals: Vec<&str> = removals.iter().map(String::as_str).collect();
        let moves: Vec<&str> = moves.iter().map(String::as_str).collect();
        out.join(MARKER).is_file() && apply_journal(out, staging, &removals, &moves, None).is_ok()
    });
    if !completed {
        let _ = std::fs::remove_file(out.join(MANIFEST));
    }
    completed
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
    /// The staging folder of an in-place update cut short whose journal was completed.
    pub completed: Option<PathBuf>,
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
///
/// A dead build's staging folder that holds a journal was cut short in the
/// middle of an in-place update's final moves: the journal is completed
/// first (the moves and removals it lists are made, and the new manifest
/// moved in), so the output is the site that build rendered.
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
    // At most one in-place update can be cut short (each takes the output's
    // manifest away first, and the next update needs one); the journal
    // sorted first stands for all of them.
    dead_new.sort();
    if let Some(cut) = dead_new.iter().find(|dir| dir.join(JOURNAL).is_file()) {
        if complete_journal(&out, cut) {
            swept.completed = Some(cut.clone());
        }
    }
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
                Fingerprint::of(path.repeat(i + 1).as_bytes()),
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
            read_manifest(&out).unwrap().len(),
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
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no staging folder is left");
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
            .map(|f| (f.path.clone(), Fingerprint::of(&f.bytes)))
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

        let swept = sweep_leftovers(&out).unwrap();
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
        let swept = sweep_leftovers(&out).unwrap();
        assert_eq!(swept.completed, None);
        assert!(expected.join("keep/index.html").is_file());
        assert!(!out.join(MANIFEST).exists() && !staging.exists());
        assert!(Staging::create(&out, false).unwrap().before.is_none());
    }
}
