//! Which leftover folders this machine's throughline made. Only those are
//! ever completed (`.NAME.new-PID` with a journal) or restored
//! (`.NAME.old-PID`); a folder of the same name that came from a commit or
//! a restored cache is never obeyed.
//!
//! When a build makes such a folder it writes a random token into it
//! ([`TOKEN`]) and a record into the user's cache folder, named by the
//! folder's device and inode, holding the token, the token file's change
//! time (to the nanosecond) and the folder's path. A folder is trusted when
//! all of these agree. Why each:
//! - a commit can carry a token file but cannot write the user's cache
//!   folder, so no record names its folder;
//! - a restored cache can carry records, but not the device, inode and
//!   change time its folders will have on this disk: the kernel sets the
//!   change time when the file is written, and nothing can set it back;
//! - the token tells a record left by a removed folder from a new folder
//!   that got its inode.
//!
//! Without a cache folder, or where a record cannot be written or read,
//! nothing is trusted: the leftover is removed and the next build writes
//! the whole site, which is slower and always right.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::nofollow::{Folder, Stamp};

/// The name of the token file in a staging folder, or in an output about to
/// be renamed to `.NAME.old-PID`.
pub(super) const TOKEN: &str = ".throughline-token";

/// First line of a record.
const RECORD_HEADER: &str = "throughline-staging 1";

/// Bytes of randomness in a token.
const TOKEN_BYTES: usize = 16;

/// Longest record or token read back: what this module writes is far shorter.
const READ_LIMIT: u64 = 8 * 1024;

/// The first line of a file of stamps.
const STAMPS_HEADER: &str = "throughline-stamps 1";

/// The most a file of stamps may hold: a line per folder of the output.
const STAMPS_LIMIT: u64 = 64 * 1024 * 1024;

/// Each folder's [`Stamp`] by its path in the output.
pub(super) type Stamps = foldhash::HashMap<String, Stamp>;

/// A folder's device and inode: what a rename keeps and a commit cannot choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Identity {
    dev: u64,
    ino: u64,
}

impl Identity {
    #[cfg(unix)]
    fn of(folder: &Folder) -> std::io::Result<Identity> {
        use std::os::unix::fs::MetadataExt;
        let meta = folder.metadata()?;
        Ok(Identity {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }

    #[cfg(not(unix))]
    fn of(folder: &Folder) -> std::io::Result<Identity> {
        folder.metadata().map(|_| Identity { dev: 0, ino: 0 })
    }
}

/// The folder of records: `staging/` in the user's cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Records(PathBuf);

impl Records {
    /// The records of this user, in `crate::kept::folder()`; None without one.
    pub(super) fn of_user() -> Option<Records> {
        crate::kept::folder().map(|folder| Records(folder.join("staging")))
    }

    /// Records kept in `dir` (tests use a folder of their own).
    #[cfg(test)]
    pub(super) fn in_folder(dir: &Path) -> Records {
        Records(dir.to_path_buf())
    }

    fn file(&self, id: Identity) -> PathBuf {
        self.0.join(format!("{:x}-{:x}", id.dev, id.ino))
    }

    /// Marks `folder`, found at `path`, as made by this process: a fresh
    /// token file in it and a record of it here. Returns its identity, to
    /// [`Records::forget`] it once the folder is gone or taken over.
    pub(super) fn mark(&self, folder: &Folder, path: &Path) -> std::io::Result<Identity> {
        folder.remove(OsStr::new(TOKEN))?;
        let token = random_token()?;
        let mut file = folder.create_private(OsStr::new(TOKEN))?;
        file.write_all(token.as_bytes())?;
        // After the write: the change time the record keeps is final.
        let changed = change_time(&file.metadata()?);
        let id = Identity::of(folder)?;
        let record = format!(
            "{RECORD_HEADER}\n{token}\n{changed}\n{}\n",
            super::escape_path(&path.to_string_lossy())
        );
        self.write(id, &record)?;
        Ok(id)
    }

    /// Whether `folder`, found at `path`, is one this user's throughline
    /// marked: its token file, its identity and its path agree with a record.
    pub(super) fn is_marked(&self, folder: &Folder, path: &Path) -> bool {
        let Ok(id) = Identity::of(folder) else {
            return false;
        };
        let Ok(record) = crate::source::read_regular(&self.file(id), READ_LIMIT) else {
            return false;
        };
        let Ok(file) = folder.open_file(OsStr::new(TOKEN)) else {
            return false;
        };
        let Ok(meta) = file.metadata() else {
            return false;
        };
        let mut token = String::new();
        if file.take(READ_LIMIT).read_to_string(&mut token).is_err() {
            return false;
        }
        let expected = format!(
            "{RECORD_HEADER}\n{token}\n{}\n{}\n",
            change_time(&meta),
            super::escape_path(&path.to_string_lossy())
        );
        token.len() == 2 * TOKEN_BYTES && record.as_slice() == expected.as_bytes()
    }

    /// Takes the mark off `folder`, which stays (an output put back from
    /// `.NAME.old-PID`): its token file and its record go.
    pub(super) fn unmark(&self, folder: &Folder) {
        let _ = folder.remove(OsStr::new(TOKEN));
        if let Some(id) = Records::identity(folder) {
            self.forget(id);
        }
    }

    /// Removes the record of a folder that is gone. Best effort: a record
    /// left behind matches no other folder (its token is in none).
    pub(super) fn forget(&self, id: Identity) {
        let _ = std::fs::remove_file(self.file(id));
    }

    /// The identity of `folder`, to forget its record after removing it.
    pub(super) fn identity(folder: &Folder) -> Option<Identity> {
        Identity::of(folder).ok()
    }

    /// The stamps of the folders of the output `out` as its last walk saw
    /// them ([`super::manifest::keep_what_is_on_disk`]), by path; empty when
    /// there are none or they do not read. Kept under the output folder's own
    /// identity, so an output restored or made anew has none.
    pub(super) fn stamps(&self, out: &Folder) -> Stamps {
        let Ok(id) = Identity::of(out) else {
            return Stamps::default();
        };
        let Ok(bytes) = crate::source::read_regular(&self.stamps_file(id), STAMPS_LIMIT) else {
            return Stamps::default();
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut lines = text.lines();
        if lines.next() != Some(STAMPS_HEADER) {
            return Stamps::default();
        }
        let mut stamps = Stamps::default();
        for line in lines {
            let mut fields = line.splitn(4, ' ');
            let (Some(ino), Some(ctime), Some(nsec), Some(path)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Stamps::default();
            };
            let (Ok(ino), Ok(ctime), Ok(ctime_nsec), Some(path)) = (
                ino.parse(),
                ctime.parse(),
                nsec.parse(),
                super::unescape_path(path),
            ) else {
                return Stamps::default();
            };
            stamps.insert(
                path,
                Stamp {
                    ino,
                    ctime,
                    ctime_nsec,
                },
            );
        }
        stamps
    }

    /// Keeps `stamps` for the output `out`, for the next walk. Best effort: a
    /// walk without them reads every folder.
    pub(super) fn keep_stamps(&self, out: &Folder, stamps: &Stamps) {
        let Ok(id) = Identity::of(out) else {
            return;
        };
        let mut paths: Vec<(&String, &Stamp)> = stamps.iter().collect();
        paths.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut text = String::from(STAMPS_HEADER);
        text.push('\n');
        for (path, stamp) in paths {
            text.push_str(&format!(
                "{} {} {} {}\n",
                stamp.ino,
                stamp.ctime,
                stamp.ctime_nsec,
                super::escape_path(path)
            ));
        }
        let _ = self.write_named(&self.stamps_file(id), &text);
    }

    fn stamps_file(&self, id: Identity) -> PathBuf {
        self.0.join(format!("stamps-{:x}-{:x}", id.dev, id.ino))
    }

    /// Writes a record, private to the user, replacing a stale one.
    fn write(&self, id: Identity, text: &str) -> std::io::Result<()> {
        self.write_named(&self.file(id), text)
    }

    /// Writes the file `name` of the records, private to the user, replacing a stale one.
    fn write_named(&self, name: &Path, text: &str) -> std::io::Result<()> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.0)?;
        let records = Folder::open(&self.0)?;
        let name = name.file_name().unwrap_or_default();
        records.remove(name)?;
        records.create_private(name)?.write_all(text.as_bytes())
    }
}

/// A file's change time as `SECONDS.NANOSECONDS`.
#[cfg(unix)]
fn change_time(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!("{}.{:09}", meta.ctime(), meta.ctime_nsec())
}

#[cfg(not(unix))]
fn change_time(_meta: &std::fs::Metadata) -> String {
    String::new()
}

/// [`TOKEN_BYTES`] random bytes as hex, from the kernel's generator.
/// `/dev/urandom` rather than a crate: tokens are only made on unix (where
/// [`Folder`] works), every unix has it, and it never blocks once the
/// system has booted.
fn random_token() -> std::io::Result<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
