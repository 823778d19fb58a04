//! Stage 5: write a rendered site to disk, atomically enough that a failed
//! build never leaves a half-written site (SPEC §10). Files go into a fresh
//! folder beside the target, which is then swapped in; the previous output is
//! removed only after the swap.

use std::io;
use std::path::{Path, PathBuf};

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
    /// Creates an empty staging folder for `out`.
    pub fn create(out: &Path) -> io::Result<Staging> {
        let out = resolve(out);
        let parent = out
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        std::fs::create_dir_all(&parent)?;
        let dir = parent.join(format!(".{name}.new-{}", std::process::id()));
        let previous = parent.join(format!(".{name}.old-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(Staging {
            out,
            dir,
            previous,
            committed: false,
        })
    }

    /// Writes one file; safe to call from many threads.
    pub fn write(&self, file: &OutputFile) -> io::Result<()> {
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
        remove_tree(&self.previous);
        Ok(())
    }
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
            let _ = std::fs::remove_dir_all(&self.dir);
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
}
