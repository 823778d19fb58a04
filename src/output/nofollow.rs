//! File operations that never follow a link, for the output folder and its
//! staging folders. Everything starts from a [`Folder`], an open handle on a
//! real folder, and goes down one name at a time: each folder is opened
//! with `O_NOFOLLOW | O_DIRECTORY`, each file is looked at with
//! `fstatat(AT_SYMLINK_NOFOLLOW)`, moved with `renameat` and removed with
//! `unlinkat`. A link planted anywhere (by a commit, a restored CI cache)
//! is at most removed as a link; a move or removal never leaves the folder
//! it starts from, whatever the names it is given.
//!
//! Unix only: elsewhere every operation answers `Unsupported`, which the
//! output module treats as "do not trust": no in-place update, no recovery.

use std::ffi::{OsStr, OsString};
use std::io;

/// What a name in a folder is, looked at without following a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A real folder.
    Folder,
    /// A regular file, with its length.
    File(u64),
    /// A link, a pipe, a device, a socket: never ours.
    Other,
}

/// A folder's inode and change time: they change whenever a name in the
/// folder is added, removed or renamed, and a folder restored, pulled or
/// made anew gets new ones, which nobody can choose in advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Stamp {
    pub(super) ino: u64,
    pub(super) ctime: i64,
    pub(super) ctime_nsec: i64,
}

#[cfg(unix)]
pub(super) use unix::Folder;

#[cfg(not(unix))]
pub(super) use elsewhere::Folder;

#[cfg(unix)]
mod unix {
    use super::*;
    use rustix::fs::{AtFlags, FileType, Mode, OFlags};
    use rustix::io::Errno;
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    /// An open folder that was a real folder, not a link, when it was opened.
    #[derive(Debug)]
    pub(in crate::output) struct Folder(OwnedFd);

    /// Read-only, a folder, not through a link, not inherited by children.
    fn folder_flags() -> OFlags {
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
    }

    /// Whether an open or stat failed because the name is not a real
    /// folder: a file (`ENOTDIR`) or a link (`ELOOP`; some systems say
    /// `ENOTDIR` for a link with `O_DIRECTORY` too).
    fn not_a_folder(e: Errno) -> bool {
        e == Errno::NOTDIR || e == Errno::LOOP
    }

    /// Sets a folder handle's reading position back to the start when dropped.
    struct Rewind<'a>(&'a OwnedFd);

    impl Drop for Rewind<'_> {
        fn drop(&mut self) {
            let _ = rustix::fs::seek(self.0, rustix::fs::SeekFrom::Start(0));
        }
    }

    /// Every name in the folder `fd` with its type as the folder gives it,
    /// read from the start; the reading position is left at the start again
    /// for a later read. On Linux it reads the folder through `fd` itself
    /// (`getdents64` into a buffer): the walk of a 10k-page output reads
    /// 10,000 folders, and a duplicate handle per folder (what `Dir` needs)
    /// cost three more system calls each.
    #[cfg(target_os = "linux")]
    fn read_names(fd: &OwnedFd) -> io::Result<Vec<(OsString, FileType)>> {
        let _rewind = Rewind(fd);
        let mut buf: Vec<u8> = Vec::with_capacity(32 * 1024);
        'read: loop {
            let capacity = buf.capacity();
            let mut dir = rustix::fs::RawDir::new(fd, buf.spare_capacity_mut());
            let mut names = Vec::new();
            while let Some(entry) = dir.next() {
                match entry {
                    Ok(entry) => names.push((
                        OsStr::from_bytes(entry.file_name().to_bytes()).to_os_string(),
                        entry.file_type(),
                    )),
                    // A name longer than the buffer: a bigger buffer, from the start.
                    Err(e) if e == Errno::INVAL && capacity < 1 << 20 => {
                        buf.reserve(capacity * 2);
                        rustix::fs::seek(fd, rustix::fs::SeekFrom::Start(0))?;
                        continue 'read;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            return Ok(names);
        }
    }

    /// [`read_names`] where `RawDir` is not offered: through a duplicate of
    /// the handle (`Dir` takes one), set back to the start once read.
    #[cfg(not(target_os = "linux"))]
    fn read_names(fd: &OwnedFd) -> io::Result<Vec<(OsString, FileType)>> {
        let dir = rustix::fs::Dir::new(fd.try_clone()?)?;
        let _rewind = Rewind(fd);
        let mut names = Vec::new();
        for entry in dir {
            let entry = entry?;
            names.push((
                OsStr::from_bytes(entry.file_name().to_bytes()).to_os_string(),
                entry.file_type(),
            ));
        }
        Ok(names)
    }

    impl Folder {
        /// Opens the folder at `path`; an error if its last component is a link
        /// or not a folder. Earlier components are the user's own choice of
        /// path (the output's parent), resolved as usual.
        pub(in crate::output) fn open(path: &Path) -> io::Result<Folder> {
            Ok(Folder(rustix::fs::open(
                path,
                folder_flags(),
                Mode::empty(),
            )?))
        }

        /// The real folder `name` inside this one.
        pub(in crate::output) fn child(&self, name: &OsStr) -> io::Result<Folder> {
            Ok(Folder(rustix::fs::openat(
                &self.0,
                name,
                folder_flags(),
                Mode::empty(),
            )?))
        }

        /// The real folder at `parts` below this one (this one, dup'ed, for none).
        pub(in crate::output) fn descend(&self, parts: &[&str]) -> io::Result<Folder> {
            let mut at = Folder(self.0.try_clone()?);
            for part in parts {
                at = at.child(OsStr::new(part))?;
            }
            Ok(at)
        }

        /// [`Folder::descend`], creating what is missing: a file or a link
        /// where a folder must go is removed (as itself) and replaced.
        pub(in crate::output) fn make_path(&self, parts: &[&str]) -> io::Result<Folder> {
            let mut at = Folder(self.0.try_clone()?);
            for part in parts {
                let name = OsStr::new(part);
                at = match rustix::fs::openat(&at.0, name, folder_flags(), Mode::empty()) {
                    Ok(fd) => Folder(fd),
                    Err(e) if e == Errno::NOENT => at.new_child(name)?,
                    Err(e) if not_a_folder(e) => {
                        rustix::fs::unlinkat(&at.0, name, AtFlags::empty())?;
                        at.new_child(name)?
                    }
                    Err(e) => return Err(e.into()),
                };
            }
            Ok(at)
        }

        fn new_child(&self, name: &OsStr) -> io::Result<Folder> {
            rustix::fs::mkdirat(&self.0, name, Mode::from_raw_mode(0o777))?;
            self.child(name)
        }

        /// What `name` is; None when nothing has that name.
        pub(in crate::output) fn kind(&self, name: &OsStr) -> io::Result<Option<Kind>> {
            match rustix::fs::statat(&self.0, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => Ok(Some(match FileType::from_raw_mode(stat.st_mode) {
                    FileType::Directory => Kind::Folder,
                    FileType::RegularFile => Kind::File(u64::try_from(stat.st_size).unwrap_or(0)),
                    _ => Kind::Other,
                })),
                Err(e) if e == Errno::NOENT => Ok(None),
                Err(e) => Err(e.into()),
            }
        }

        /// What `name` is and, for a real folder, its [`Stamp`]; None when
        /// nothing has that name.
        pub(in crate::output) fn stamp(
            &self,
            name: &OsStr,
        ) -> io::Result<Option<(Kind, Option<Stamp>)>> {
            match rustix::fs::statat(&self.0, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => Ok(Some(match FileType::from_raw_mode(stat.st_mode) {
                    FileType::Directory => (
                        Kind::Folder,
                        Some(Stamp {
                            ino: stat.st_ino,
                            ctime: stat.st_ctime,
                            ctime_nsec: i64::try_from(stat.st_ctime_nsec).unwrap_or(0),
                        }),
                    ),
                    FileType::RegularFile => {
                        (Kind::File(u64::try_from(stat.st_size).unwrap_or(0)), None)
                    }
                    _ => (Kind::Other, None),
                })),
                Err(e) if e == Errno::NOENT => Ok(None),
                Err(e) => Err(e.into()),
            }
        }

        /// The names in this folder, with what each is when the folder says
        /// so cheaply (`None`: ask [`Folder::kind`]).
        pub(in crate::output) fn entries(&self) -> io::Result<Vec<(OsString, Option<Kind>)>> {
            let names = read_names(&self.0)?
                .into_iter()
                .filter(|(name, _)| name != "." && name != "..")
                .map(|(name, file_type)| {
                    let kind = match file_type {
                        FileType::Directory => Some(Kind::Folder),
                        // A regular file's length needs a stat; the caller
                        // asks only for the files it keeps.
                        FileType::Unknown | FileType::RegularFile => None,
                        _ => Some(Kind::Other),
                    };
                    (name, kind)
                })
                .collect();
            Ok(names)
        }

        /// Removes `name`: a file or a link as itself, a folder with
        /// everything in it (links inside removed as links). Nothing by
        /// that name is fine.
        pub(in crate::output) fn remove(&self, name: &OsStr) -> io::Result<()> {
            match rustix::fs::unlinkat(&self.0, name, AtFlags::empty()) {
                Ok(()) => Ok(()),
                Err(e) if e == Errno::NOENT => Ok(()),
                // A folder: Linux says EISDIR, macOS and the BSDs EPERM.
                Err(e) if e == Errno::ISDIR || e == Errno::PERM => {
                    self.child(name)?.clear()?;
                    Ok(rustix::fs::unlinkat(&self.0, name, AtFlags::REMOVEDIR)?)
                }
                Err(e) => Err(e.into()),
            }
        }

        /// Removes everything in this folder.
        pub(in crate::output) fn clear(&self) -> io::Result<()> {
            for (name, _) in self.entries()? {
                self.remove(&name)?;
            }
            Ok(())
        }

        /// Removes the folder `name` if it is empty; whether it did.
        pub(in crate::output) fn remove_if_empty(&self, name: &OsStr) -> bool {
            rustix::fs::unlinkat(&self.0, name, AtFlags::REMOVEDIR).is_ok()
        }

        /// Moves `name` of this folder to `to_name` in `to`, replacing a file
        /// or link there (never writing through it).
        pub(in crate::output) fn move_to(
            &self,
            name: &OsStr,
            to: &Folder,
            to_name: &OsStr,
        ) -> io::Result<()> {
            Ok(rustix::fs::renameat(&self.0, name, &to.0, to_name)?)
        }

        /// A file created new (never one that exists, never through a link),
        /// readable by its owner alone.
        pub(in crate::output) fn create_private(&self, name: &OsStr) -> io::Result<std::fs::File> {
            let flags =
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let fd = rustix::fs::openat(&self.0, name, flags, Mode::from_raw_mode(0o600))?;
            Ok(std::fs::File::from(fd))
        }

        /// The regular file `name` opened for reading, not through a link;
        /// `O_NONBLOCK` so a pipe planted under that name cannot stall the open.
        pub(in crate::output) fn open_file(&self, name: &OsStr) -> io::Result<std::fs::File> {
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
            let file =
                std::fs::File::from(rustix::fs::openat(&self.0, name, flags, Mode::empty())?);
            if !file.metadata()?.is_file() {
                return Err(io::Error::other("not a regular file"));
            }
            Ok(file)
        }

        /// The folder's own metadata (its device and inode name it).
        pub(in crate::output) fn metadata(&self) -> io::Result<std::fs::Metadata> {
            std::fs::File::from(self.0.try_clone()?).metadata()
        }
    }
}

#[cfg(not(unix))]
mod elsewhere {
    use super::*;
    use std::path::Path;

    /// Never opened: without `openat` and `O_NOFOLLOW` nothing here is
    /// trusted, so the output is always written whole and no leftover is
    /// ever completed or restored.
    #[derive(Debug)]
    pub(in crate::output) struct Folder(());

    fn unsupported<T>() -> io::Result<T> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "link-free file operations need unix",
        ))
    }

    #[allow(clippy::unused_self)]
    impl Folder {
        pub(in crate::output) fn open(_path: &Path) -> io::Result<Folder> {
            unsupported()
        }
        pub(in crate::output) fn child(&self, _name: &OsStr) -> io::Result<Folder> {
            unsupported()
        }
        pub(in crate::output) fn descend(&self, _parts: &[&str]) -> io::Result<Folder> {
            unsupported()
        }
        pub(in crate::output) fn make_path(&self, _parts: &[&str]) -> io::Result<Folder> {
            unsupported()
        }
        pub(in crate::output) fn kind(&self, _name: &OsStr) -> io::Result<Option<Kind>> {
            unsupported()
        }
        pub(in crate::output) fn entries(&self) -> io::Result<Vec<(OsString, Option<Kind>)>> {
            unsupported()
        }
        pub(in crate::output) fn remove(&self, _name: &OsStr) -> io::Result<()> {
            unsupported()
        }
        pub(in crate::output) fn clear(&self) -> io::Result<()> {
            unsupported()
        }
        pub(in crate::output) fn remove_if_empty(&self, _name: &OsStr) -> bool {
            false
        }
        pub(in crate::output) fn move_to(
            &self,
            _name: &OsStr,
            _to: &Folder,
            _to_name: &OsStr,
        ) -> io::Result<()> {
            unsupported()
        }
        pub(in crate::output) fn create_private(&self, _name: &OsStr) -> io::Result<std::fs::File> {
            unsupported()
        }
        pub(in crate::output) fn open_file(&self, _name: &OsStr) -> io::Result<std::fs::File> {
            unsupported()
        }
        pub(in crate::output) fn metadata(&self) -> io::Result<std::fs::Metadata> {
            unsupported()
        }
        pub(in crate::output) fn stamp(
            &self,
            _name: &OsStr,
        ) -> io::Result<Option<(Kind, Option<Stamp>)>> {
            unsupported()
        }
    }
}
