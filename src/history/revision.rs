//! Reads a git revision's copy of the site straight from git objects, with
//! no checkout: the file list from `git ls-tree`, the texts from one
//! `git cat-file --batch`. The result is the analysis layer's text input.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::config::CONFIG_FILE;

/// A revision's files under the site root: `(root-relative path, text)`,
/// and `throughline.yaml`'s text if it has one. Files that are not UTF-8 are
/// left out and named in `unreadable`.
#[derive(Debug, Default)]
pub struct RevisionTexts {
    /// The resolved commit id.
    pub commit: String,
    /// `throughline.yaml` at that revision.
    pub config_text: Option<String>,
    /// Every `.md` file under the root at that revision.
    pub files: Vec<(String, String)>,
    /// Files that could not be read as UTF-8.
    pub unreadable: Vec<String>,
}

/// Why a revision could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionError(pub String);

/// Reads revision `rev` of the site at `root` (which must be inside a git work tree).
pub fn read_revision(root: &Path, rev: &str) -> Result<RevisionTexts, RevisionError> {
    let commit = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|e| {
        RevisionError(e.unwrap_or_else(|| format!("`{rev}` is not a revision of this repository")))
    })?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    // Paths come relative to the working directory, the site root.
    let listing = git(root, &["ls-tree", "-r", "-z", &commit]).map_err(|e| {
        RevisionError(e.unwrap_or_else(|| format!("cannot list the files of `{rev}`")))
    })?;
    // `<mode> <type> <object>\t<path>`; only regular files (100644, 100755):
    // a committed symbolic link's blob is its target's name, not a document.
    let entries: Vec<(String, String)> = listing
        .split(|&b| b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (meta, path) = entry.split_once('\t')?;
            let id = meta.split(' ').nth(2)?;
            meta.starts_with("100")
                .then(|| (path.to_string(), id.to_string()))
        })
        .filter(|(p, _)| p.ends_with(".md") || p == CONFIG_FILE)
        .collect();
    // By blob id: `<commit>:<path>` makes git search the tree for each
    // path, quadratic in the size of a folder (3 s for 10,000 documents).
    let names: Vec<String> = entries.iter().map(|(_, id)| id.clone()).collect();
    let blobs = cat_objects(root, &names)?;
    let paths = entries.into_iter().map(|(path, _)| path);
    let mut texts = RevisionTexts {
        commit,
        ..RevisionTexts::default()
    };
    for (path, bytes) in paths.zip(blobs) {
        // A blob over the size limit was never read, as on disk.
        match bytes.map(String::from_utf8) {
            Some(Ok(text)) if path == CONFIG_FILE => texts.config_text = Some(text),
            Some(Ok(text)) => texts.files.push((path, text)),
            Some(Err(_)) | None => texts.unreadable.push(path),
        }
    }
    Ok(texts)
}

/// Runs git in `root`; the error is git's own message when it printed one.
pub(crate) fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, Option<String>> {
    let output = Command::new("git")
        .current_dir(root)
        .args(["-c", "core.quotepath=off"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Some(format!("cannot run git: {e}")))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
        Err((!message.is_empty()).then_some(message))
    }
}

/// The contents of the objects `names` (blob ids), in order, through one `git cat-file --batch`; `None` for a blob
/// over the document size limit. Used for one revision's files and for
/// every version of every document in the site's history.
pub(crate) fn cat_objects(
    root: &Path,
    names: &[String],
) -> Result<Vec<Option<Vec<u8>>>, RevisionError> {
    let failed = |e: std::io::Error| RevisionError(format!("cannot read git objects: {e}"));
    let mut child = Command::new("git")
        .current_dir(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(failed)?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| RevisionError("git cat-file has no input".into()))?;
    let requests: String = names.iter().map(|n| format!("{n}\n")).collect();
    // Written from another thread: git answers while we still write, and both pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| RevisionError("git cat-file has no output".into()))?;
    let mut reader = BufReader::new(stdout);
    let mut blobs = Vec::with_capacity(names.len());
    for name in names {
        let mut header = String::new();
        reader.read_line(&mut header).map_err(failed)?;
        // `<oid> blob <size>`, or `<name> missing`.
        let size = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| RevisionError(format!("git could not read `{name}`")))?;
        let blob = if size as u64 <= crate::source::MAX_FILE_BYTES {
            let mut blob = vec![0; size];
            reader.read_exact(&mut blob).map_err(failed)?;
            Some(blob)
        } else {
            // Too large to be a document, as on disk: skipped unread.
            std::io::copy(&mut (&mut reader).take(size as u64), &mut std::io::sink())
                .map_err(failed)?;
            None
        };
        let mut newline = [0u8; 1];
        reader.read_exact(&mut newline).map_err(failed)?;
        blobs.push(blob);
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(blobs)
}
