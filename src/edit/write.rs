//! The one way a command writes into the user's documents (`review`,
//! `checkin`, `new`, `init`).
//!
//! The site root is untrusted (ARCHITECTURE.md, threat model): anything in
//! it may be a symbolic link planted by a pull request, and an editor or a
//! `git pull` may save a document between throughline's read and its write.
//! So a document is replaced only through a temporary file that this run
//! created new (`O_EXCL`, which never follows a link) under a random name
//! beside it, its mode set on the handle, its data synced, and renamed over
//! the document only after the document was read again and found to hold
//! the very bytes the command read. A link, a special file or a read-only
//! document is refused, never replaced.
//!
//! [`write_all`] writes several documents all or none: every temporary
//! file is written and every document checked before the first rename; if
//! a rename fails part-way, the documents already replaced get their
//! previous bytes back. Its limit: a crash or `kill -9` between two renames
//! leaves the first documents written and the others not (each document is
//! whole either way, never half a text).
//!
//! A change saved in the instant between the last check and the rename is
//! still lost: nothing but a lock every editor honours could close that
//! window, and editors take none. It is microseconds wide instead of the
//! seconds a large site takes to read.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::source::{bom_stripped, read_regular, NotRead, MAX_FILE_BYTES};

/// Test-only hook: when set to a file name, [`write_all`] appends a line to
/// the document of that name after it has prepared every write and before
/// it checks the documents again, as an editor saving meanwhile would. Never
/// set it outside tests.
pub const EDIT_MEANWHILE_ENV: &str = "THROUGHLINE_TEST_EDIT_MEANWHILE";

/// What the hook of [`EDIT_MEANWHILE_ENV`] appends.
pub const EDITED_MEANWHILE: &str = "Edited meanwhile.\n";

/// How many random characters name a temporary file: 62^12 names, so a
/// pull request cannot plant links at them in advance.
const RANDOM_CHARS: usize = 12;

/// How much of the document's name the temporary file's name repeats.
const MAX_NAME_IN_TEMPORARY: usize = 64;

/// The byte-order mark, which the readers strip from a document's text and
/// the writer puts back.
const BOM: &str = "\u{feff}";

/// One document to replace.
#[derive(Debug, Clone, Copy)]
pub struct Replacement<'a> {
    /// The document's path.
    pub path: &'a Path,
    /// Its text as the command read it (a leading byte-order mark stripped,
    /// as the readers strip it): the write is refused if the document no
    /// longer holds it.
    pub original: &'a str,
    /// The new text; a byte-order mark the document starts with is kept.
    pub text: &'a str,
}

/// Why nothing (or, for [`WriteError::PartlyWritten`], something) was written.
#[derive(Debug)]
pub enum WriteError {
    /// The document does not hold what the command read: it was edited,
    /// replaced or removed meanwhile.
    Changed {
        /// The document.
        path: PathBuf,
    },
    /// The document is a symbolic link: replacing it would turn the link
    /// into a plain file, and writing through it could reach any file.
    Link {
        /// The document.
        path: PathBuf,
    },
    /// The document is not a regular file (a folder, a FIFO, a device).
    NotRegular {
        /// The document.
        path: PathBuf,
        /// What it is: `a folder`, `a named pipe (FIFO)`.
        kind: &'static str,
    },
    /// The document may not be written: its mode has no write bit, or this
    /// user may not open it for writing, or its file system is read-only.
    ReadOnly {
        /// The document.
        path: PathBuf,
    },
    /// A new document's path is taken (by a file, a folder or a link).
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// One run was asked to write one document twice.
    Twice {
        /// The document.
        path: PathBuf,
    },
    /// An I/O error.
    Io {
        /// The document.
        path: PathBuf,
        /// What failed: `read`, `create a temporary file beside`.
        doing: &'static str,
        /// The error.
        error: std::io::Error,
    },
    /// Replacing a document failed after others were replaced: they were
    /// given their previous bytes back where they could be.
    PartWay {
        /// Why the document failed.
        cause: Box<WriteError>,
        /// The documents replaced before it and given their bytes back.
        restored: Vec<PathBuf>,
        /// The documents replaced before it and left with their new text,
        /// each with why it was not put back.
        kept_new: Vec<(PathBuf, String)>,
    },
}

impl WriteError {
    /// What went wrong, as one clause.
    fn what(&self) -> String {
        match self {
            WriteError::Changed { path } => {
                format!("`{}` changed since throughline read it", shown(path))
            }
            WriteError::Link { path } => format!(
                "`{}` is a symbolic link; throughline neither writes through a link nor replaces it with a file",
                shown(path)
            ),
            WriteError::NotRegular { path, kind } => {
                format!("`{}` is {kind}, not a regular file", shown(path))
            }
            WriteError::ReadOnly { path } => format!("`{}` is read-only", shown(path)),
            WriteError::Exists { path } => format!("`{}` already exists", shown(path)),
            WriteError::Twice { path } => {
                format!("`{}` was to be written twice in one run", shown(path))
            }
            WriteError::Io { path, doing, error } => {
                format!("cannot {doing} `{}`: {error}", shown(path))
            }
            WriteError::PartWay { cause, .. } => cause.what(),
        }
    }

    /// What the user can do about it, if anything.
    fn advice(&self) -> Option<&'static str> {
        match self {
            WriteError::Changed { .. } => Some("run the command again"),
            WriteError::Link { .. } => Some("make the edit by hand in the file it points to"),
            WriteError::ReadOnly { .. } => Some(
                "make it writable (`chmod u+w`) if it should change, and run the command again",
            ),
            WriteError::PartWay { cause, .. } => cause.advice(),
            _ => None,
        }
    }

    /// The document the error is about.
    pub fn path(&self) -> &Path {
        match self {
            WriteError::Changed { path }
            | WriteError::Link { path }
            | WriteError::NotRegular { path, .. }
            | WriteError::ReadOnly { path }
            | WriteError::Exists { path }
            | WriteError::Twice { path }
            | WriteError::Io { path, .. } => path,
            WriteError::PartWay { cause, .. } => cause.path(),
        }
    }
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.what())?;
        if let WriteError::PartWay {
            restored, kept_new, ..
        } = self
        {
            if !restored.is_empty() {
                let names: Vec<String> =
                    restored.iter().map(|p| format!("`{}`", shown(p))).collect();
                write!(
                    f,
                    "; {}, already replaced, got the text it had back",
                    names.join(", ")
                )?;
            }
            if !kept_new.is_empty() {
                for (p, why) in kept_new {
                    write!(
                        f,
                        "; `{}` was written and could not be put back ({why}): check it with `git diff`",
                        shown(p)
                    )?;
                }
                return Ok(());
            }
        }
        f.write_str("; nothing was written")?;
        match self.advice() {
            Some(advice) => write!(f, "; {advice}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for WriteError {}

/// `path` as the user gave it, without a leading `./`.
fn shown(path: &Path) -> std::path::Display<'_> {
    path.strip_prefix(".").unwrap_or(path).display()
}

/// Replaces the document at `path`, which must still hold `original` (the
/// text the command read, without a byte-order mark), with `text`.
pub fn write_document(path: &Path, original: &str, text: &str) -> Result<(), WriteError> {
    write_all(&[Replacement {
        path,
        original,
        text,
    }])
}

/// Replaces every document of `files`, all or none (see the module's
/// comment for what that guarantees and its limit).
pub fn write_all(files: &[Replacement<'_>]) -> Result<(), WriteError> {
    let mut paths = std::collections::HashSet::with_capacity(files.len());
    if let Some(twice) = files.iter().find(|file| !paths.insert(file.path)) {
        return Err(WriteError::Twice {
            path: twice.path.to_path_buf(),
        });
    }
    // Every temporary file is written before any document is replaced; an
    // error drops the ones made, which removes them.
    let prepared = files
        .iter()
        .map(|file| prepare(file, RANDOM_CHARS))
        .collect::<Result<Vec<_>, _>>()?;
    edit_meanwhile_for_tests(&prepared);
    write_prepared(prepared)
}

/// Checks that no document changed since it was prepared, then replaces them.
fn write_prepared(prepared: Vec<Prepared>) -> Result<(), WriteError> {
    for p in &prepared {
        p.check_unchanged()?;
    }
    replace_all(prepared, |p, temporary| {
        // Checked again right before its own rename: the renames before
        // it took a moment too.
        p.check_unchanged()?;
        temporary
            .persist(&p.path)
            .map(drop)
            .map_err(|e| WriteError::Io {
                path: p.path.clone(),
                doing: "replace",
                error: e.error,
            })
    })
}

/// A document ready to be replaced: its new bytes are in a synced
/// temporary file beside it.
struct Prepared {
    path: PathBuf,
    /// The bytes the document held, byte-order mark included.
    before: Vec<u8>,
    /// The bytes written into the temporary file.
    after: Vec<u8>,
    /// The document's metadata as opened: its mode and owner go to the
    /// temporary file, and to the one that puts the bytes back.
    meta: std::fs::Metadata,
    temporary: Option<NamedTempFile>,
}

impl Prepared {
    /// Refuses when the document no longer holds the bytes read when it
    /// was prepared: a save meanwhile, or a link or another file put in its place.
    fn check_unchanged(&self) -> Result<(), WriteError> {
        let changed = || WriteError::Changed {
            path: self.path.clone(),
        };
        match read_regular(&self.path, MAX_FILE_BYTES) {
            Ok(now) if now == self.before => Ok(()),
            Ok(_) | Err(NotRead::Special(_) | NotRead::TooLarge(_)) => Err(changed()),
            Err(NotRead::Io(error)) if is_gone_or_link(&self.path, &error) => Err(changed()),
            Err(NotRead::Io(error)) => Err(WriteError::Io {
                path: self.path.clone(),
                doing: "read again",
                error,
            }),
        }
    }
}

/// Checks the document of `file` and writes its new bytes into a new
/// temporary file beside it, with the document's mode and owner, synced.
/// `random_chars` is [`RANDOM_CHARS`] but in a test that plants a link at
/// the name.
fn prepare(file: &Replacement<'_>, random_chars: usize) -> Result<Prepared, WriteError> {
    let path = file.path;
    let (document, meta) = open_document(path)?;
    let before = read_document(path, document)?;
    let before_text = std::str::from_utf8(&before).map(bom_stripped);
    if before_text != Ok(file.original) {
        return Err(WriteError::Changed {
            path: path.to_path_buf(),
        });
    }
    // The readers strip a byte-order mark; an editor that wrote one wants it kept.
    let mut after = Vec::with_capacity(file.text.len() + BOM.len());
    if before.starts_with(BOM.as_bytes()) && !file.text.starts_with(BOM) {
        after.extend_from_slice(BOM.as_bytes());
    }
    after.extend_from_slice(file.text.as_bytes());
    let temporary = temporary_beside(path, random_chars, None)?;
    fill(temporary.as_file(), &after, &meta).map_err(|error| WriteError::Io {
        path: path.to_path_buf(),
        doing: "write a temporary file beside",
        error,
    })?;
    Ok(Prepared {
        path: path.to_path_buf(),
        before,
        after,
        meta,
        temporary: Some(temporary),
    })
}

/// Opens the document for reading and writing without following a link at
/// its end and without blocking on a FIFO, and checks on the handle that it
/// is a regular file this user may write. Opening it for writing asks the
/// system itself whether it may be written (ownership, ACLs, a read-only
/// mount); nothing is written through this handle.
fn open_document(path: &Path) -> Result<(File, std::fs::Metadata), WriteError> {
    let owned = || path.to_path_buf();
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    {
        // No O_NOFOLLOW: ask about the name first (racy, but a link is
        // refused whenever it is there before the write starts).
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(WriteError::Link { path: owned() });
        }
    }
    let document = options.open(path).map_err(|error| {
        let found = std::fs::symlink_metadata(path);
        match found {
            Ok(m) if m.file_type().is_symlink() => WriteError::Link { path: owned() },
            Ok(m) if !m.is_file() => WriteError::NotRegular {
                path: owned(),
                kind: crate::source::special_file_kind(&m),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                WriteError::Changed { path: owned() }
            }
            _ if matches!(
                error.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
            ) =>
            {
                WriteError::ReadOnly { path: owned() }
            }
            _ => WriteError::Io {
                path: owned(),
                doing: "open",
                error,
            },
        }
    })?;
    let meta = document.metadata().map_err(|error| WriteError::Io {
        path: owned(),
        doing: "read the metadata of",
        error,
    })?;
    if !meta.is_file() {
        return Err(WriteError::NotRegular {
            path: owned(),
            kind: crate::source::special_file_kind(&meta),
        });
    }
    // Root may open any file for writing; a mode without a write bit is
    // still the owner saying "do not change this".
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly { path: owned() });
    }
    Ok((document, meta))
}

/// The bytes of the opened document, at most [`MAX_FILE_BYTES`]: one that
/// grew past the limit is not the document the command read.
fn read_document(path: &Path, document: File) -> Result<Vec<u8>, WriteError> {
    let mut bytes = Vec::new();
    document
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| WriteError::Io {
            path: path.to_path_buf(),
            doing: "read",
            error,
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(WriteError::Changed {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

/// A new file beside `path`, named `.NAME.` + `random_chars` random
/// characters + `.throughline`: created with `O_EXCL`, so a link or file
/// already at the name is never opened, and only a name that was free is
/// used. Its mode is 0600 until [`fill`] sets the document's, or `mode`
/// (less the umask) for a new document.
fn temporary_beside(
    path: &Path,
    random_chars: usize,
    mode: Option<u32>,
) -> Result<NamedTempFile, WriteError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    // A long name is cut, so that the temporary name fits where the
    // document's does (255 bytes on most file systems).
    let mut cut = name.len().min(MAX_NAME_IN_TEMPORARY);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let prefix = format!(".{}.", &name[..cut]);
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(&prefix)
        .suffix(".throughline")
        .rand_bytes(random_chars);
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.tempfile_in(dir).map_err(|error| WriteError::Io {
        path: path.to_path_buf(),
        doing: "create a temporary file beside",
        error,
    })
}

/// Writes `bytes` into the temporary file, gives it the owner and mode of
/// the document (`meta`) through the handle, never the name, and syncs it.
fn fill(temporary: &File, bytes: &[u8], meta: &std::fs::Metadata) -> std::io::Result<()> {
    let mut writer = temporary;
    writer.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mine = temporary.metadata()?;
        if (mine.uid(), mine.gid()) != (meta.uid(), meta.gid()) {
            // Best effort: root (CI) keeps a user's file theirs; anyone
            // else may only give the file to a group of their own, and
            // otherwise keeps it, as any editor that saves by rename does.
            let _ = std::os::unix::fs::fchown(temporary, Some(meta.uid()), Some(meta.gid()));
        }
    }
    // After the owner: a change of owner may clear mode bits.
    temporary.set_permissions(meta.permissions())?;
    temporary.sync_all()
}

/// Whether `error`, met opening `path` again, means the document was
/// removed or a link put in its place.
fn is_gone_or_link(path: &Path, error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::NotFound
        || std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Renames each prepared file over its document with `rename`; if one
/// fails, gives the documents already replaced their previous bytes back.
fn replace_all(
    prepared: Vec<Prepared>,
    mut rename: impl FnMut(&Prepared, NamedTempFile) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let mut done: Vec<Prepared> = Vec::with_capacity(prepared.len());
    for mut p in prepared {
        let Some(temporary) = p.temporary.take() else {
            continue;
        };
        // A failed rename hands the temporary file back inside its error,
        // and dropping that removes it.
        if let Err(cause) = rename(&p, temporary) {
            if done.is_empty() {
                return Err(cause);
            }
            let (restored, kept_new) = restore(&done);
            return Err(WriteError::PartWay {
                cause: Box::new(cause),
                restored,
                kept_new,
            });
        }
        done.push(p);
    }
    for p in &done {
        sync_parent(&p.path);
    }
    Ok(())
}

/// Puts the previous bytes back into each document of `done`, newest
/// first, through a new temporary file and a rename; a document that no
/// longer holds what this run wrote was edited since, and is left as it is.
/// Returns the documents restored and those not, with why.
#[allow(clippy::type_complexity)]
fn restore(done: &[Prepared]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut restored = Vec::new();
    let mut kept_new = Vec::new();
    for p in done.iter().rev() {
        match restore_one(p) {
            Ok(()) => restored.push(p.path.clone()),
            Err(why) => kept_new.push((p.path.clone(), why)),
        }
    }
    restored.reverse();
    kept_new.reverse();
    (restored, kept_new)
}

fn restore_one(p: &Prepared) -> Result<(), String> {
    match read_regular(&p.path, MAX_FILE_BYTES) {
        Ok(now) if now == p.after => {}
        _ => return Err("it changed again meanwhile".into()),
    }
    let temporary = temporary_beside(&p.path, RANDOM_CHARS, None).map_err(|e| e.to_string())?;
    fill(temporary.as_file(), &p.before, &p.meta).map_err(|e| e.to_string())?;
    temporary
        .persist(&p.path)
        .map(drop)
        .map_err(|e| e.error.to_string())?;
    sync_parent(&p.path);
    Ok(())
}

/// Syncs the folder of `path`, so that a rename into it survives a power
/// cut. Best effort: the rename is done either way, and not every system
/// can sync a folder.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The hook of [`EDIT_MEANWHILE_ENV`].
fn edit_meanwhile_for_tests(prepared: &[Prepared]) {
    let Some(name) = std::env::var_os(EDIT_MEANWHILE_ENV) else {
        return;
    };
    for p in prepared {
        if p.path.file_name() == Some(name.as_os_str()) {
            if let Ok(mut file) = OpenOptions::new().append(true).open(&p.path) {
                let _ = file.write_all(EDITED_MEANWHILE.as_bytes());
            }
        }
    }
}

/// Writes a new document at `path` (its folders made first): into a
/// temporary file beside it, synced, then moved to `path` only if nothing
/// is there, not even a dangling link, so an existing file is never
/// overwritten and a planted link never followed. The mode is the usual
/// one for a new file (0666 less the umask).
pub fn write_new_document(path: &Path, text: &str) -> Result<(), WriteError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|error| WriteError::Io {
            path: path.to_path_buf(),
            doing: "create the folder of",
            error,
        })?;
    }
    let temporary = temporary_beside(path, RANDOM_CHARS, Some(0o666))?;
    let mut writer = temporary.as_file();
    writer
        .write_all(text.as_bytes())
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|error| WriteError::Io {
            path: path.to_path_buf(),
            doing: "write a temporary file beside",
            error,
        })?;
    match temporary.persist_noclobber(path) {
        Ok(_) => {
            sync_parent(path);
            Ok(())
        }
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(WriteError::Exists {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(WriteError::Io {
            path: path.to_path_buf(),
            doing: "write",
            error: e.error,
        }),
    }
}

#[cfg(test)]
mod tests;
