//! [`GitSpy`]: what a run asked of git, and the files it kept, for tests
//! that check a kept history is used (git not asked for it again) or
//! refused (asked again); and the seal a kept file ends with, so a test
//! can forge one as a restored cache would.

use std::path::{Path, PathBuf};

/// A folder holding a `git` that appends its arguments, one run a line, to
/// `calls` and then runs the real git. Runs with its [`GitSpy::env`] keep
/// their files in its `cache` folder.
pub(crate) struct GitSpy {
    dir: tempfile::TempDir,
}

impl GitSpy {
    pub(crate) fn new() -> GitSpy {
        let real = std::process::Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .expect("find git");
        let real = String::from_utf8_lossy(&real.stdout).trim().to_string();
        assert!(!real.is_empty(), "git is on PATH");
        let dir = tempfile::tempdir().expect("spy dir");
        let calls = dir.path().join("calls");
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{real}' \"$@\"\n",
            calls.display()
        );
        let git = dir.path().join("git");
        std::fs::write(&git, script).expect("write spy");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        GitSpy { dir }
    }

    /// The cache folder of the runs it watches.
    pub(crate) fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    /// The environment of a run it watches: PATH with the spy first, and
    /// the cache folder.
    pub(crate) fn env(&self) -> [(String, String); 2] {
        let path = format!(
            "{}:{}",
            self.dir.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        [
            ("PATH".into(), path),
            (
                "THROUGHLINE_CACHE_DIR".into(),
                self.cache().to_string_lossy().into_owned(),
            ),
        ]
    }

    /// The calls so far, and forgets them.
    pub(crate) fn take(&self) -> Vec<String> {
        let calls = self.dir.path().join("calls");
        let text = std::fs::read_to_string(&calls).unwrap_or_default();
        let _ = std::fs::remove_file(&calls);
        text.lines().map(str::to_string).collect()
    }

    /// The one file of `kind` (`history`, `dates`) kept in its cache folder.
    pub(crate) fn kept_file(&self, kind: &str) -> PathBuf {
        let files: Vec<PathBuf> = std::fs::read_dir(self.cache())
            .expect("cache folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{kind}-")))
            })
            .collect();
        assert_eq!(files.len(), 1, "one {kind} file: {files:?}");
        files.into_iter().next().expect("one")
    }
}

/// An environment as `run_with_env` takes it.
pub(crate) fn as_env(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Whether `calls` read the history from git: its `git log --raw` of
/// commits and the files they touched, which the versions' read follows
/// (not only the header-only `git log` that checks a kept history; the
/// `git cat-file` of a revision `diff` or `digest` reads is not history).
pub(crate) fn read_history_from_git(calls: &[String]) -> bool {
    calls
        .iter()
        .any(|c| c.contains(" log ") && c.contains("--raw"))
}

/// A kept file's bytes without the check that ends it.
pub(crate) fn read_kept(file: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(file).expect("kept");
    let (body, check) = bytes.split_last_chunk::<8>().expect("a check");
    assert_eq!(fold_hash(body).to_le_bytes(), *check, "sealed");
    bytes.truncate(bytes.len() - 8);
    bytes
}

/// Writes `body` as a kept file, sealed with the check a kept file ends
/// with (a hash of the bytes before it): a forger knows the format.
pub(crate) fn write_kept(file: &Path, body: &[u8]) {
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(&fold_hash(body).to_le_bytes());
    std::fs::write(file, bytes).expect("forge");
}

fn fold_hash(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0).hash_one(bytes)
}
