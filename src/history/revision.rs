//! Reads a git revision's copy of the site straight from git objects, with
//! no checkout: the file list from `git ls-tree`, the texts from one
//! `git cat-file --batch`. The result is the analysis layer's text input.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use rayon::prelude::*;

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
    /// The other regular files under the root, not read:
    /// `(root-relative path, blob id)`, for [`read_exports`].
    pub other_files: Vec<(String, String)>,
}

/// The trackers' exports at the `paths` (root-relative, as `trackers:`
/// names them) among a revision's other files, each read whole up to the
/// exports' own limit ([`crate::tracker::MAX_EXPORT_BYTES`]): `(path,
/// bytes)`. A path the revision does not hold as a regular file (missing,
/// or a symbolic link) is left out, as the build leaves out such an export.
pub fn read_exports(
    root: &Path,
    texts: &RevisionTexts,
    paths: &[&str],
) -> Result<Vec<(String, Vec<u8>)>, RevisionError> {
    let found: Vec<&(String, String)> = texts
        .other_files
        .iter()
        .filter(|(path, _)| paths.contains(&path.as_str()))
        .collect();
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = found.iter().map(|(_, id)| id.clone()).collect();
    let blobs = cat_objects_up_to(root, &names, crate::tracker::MAX_EXPORT_BYTES)?;
    Ok(found
        .into_iter()
        .zip(blobs)
        .filter_map(|((path, _), bytes)| Some((path.clone(), bytes?)))
        .collect())
}

/// Why a revision could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionError(pub String);

/// Reads revision `rev` of the site at `root` (which must be inside a git work tree).
pub fn read_revision(root: &Path, rev: &str) -> Result<RevisionTexts, RevisionError> {
    let mut texts = read_revisions(root, &[rev])?;
    texts
        .pop()
        .ok_or_else(|| RevisionError(format!("cannot read `{rev}`")))
}

/// Reads several revisions at once, in order. A blob the revisions share
/// (most documents, between two revisions of a site) is read from git once:
/// git's cost is in inflating each blob's delta chain, about 50 µs a blob.
pub fn read_revisions(root: &Path, revs: &[&str]) -> Result<Vec<RevisionTexts>, RevisionError> {
    let mut others: Vec<Vec<(String, String)>> = Vec::new();
    let listed: Vec<(String, Vec<(String, String)>)> = revs
        .iter()
        .map(|rev| {
            let (commit, all) = list_revision(root, rev)?;
            let (read, other): (Vec<_>, Vec<_>) = all
                .into_iter()
                .partition(|(p, _)| p.ends_with(".md") || p == CONFIG_FILE);
            others.push(other);
            Ok((commit, read))
        })
        .collect::<Result<_, RevisionError>>()?;
    // In path order, each version of a file next to the others: git keeps
    // recently inflated delta bases, and neighbouring requests then share
    // them (in blob id order the same reads take 60% longer).
    let mut by_path: Vec<(&str, &str)> = listed
        .iter()
        .flat_map(|(_, entries)| entries.iter().map(|(p, id)| (p.as_str(), id.as_str())))
        .collect();
    by_path.sort_by_key(|&(path, _)| path);
    // Decoded once per blob; a side gets its own copy of a shared text.
    let decoded: HashMap<String, Option<String>> = read_blobs(root, &by_path)?
        .into_iter()
        .map(|(id, bytes)| (id, bytes.and_then(|b| String::from_utf8(b).ok())))
        .collect();
    Ok(listed
        .into_iter()
        .zip(others)
        .map(|((commit, entries), other_files)| {
            let mut texts = RevisionTexts {
                commit,
                other_files,
                ..RevisionTexts::default()
            };
            for (path, id) in entries {
                // A blob over the size limit was never read, as on disk.
                match decoded.get(&id).cloned().flatten() {
                    Some(text) if path == CONFIG_FILE => texts.config_text = Some(text),
                    Some(text) => texts.files.push((path, text)),
                    None => texts.unreadable.push(path),
                }
            }
            texts
        })
        .collect())
}

/// The contents of the blobs `wanted` (path, blob id), by id; `None` for a
/// blob over the document size limit. Those the work tree holds are read
/// from it, the others from git in the order given (see [`cat_objects`]).
/// Used for revisions' files and for every version in the site's history.
pub(crate) fn read_blobs(
    root: &Path,
    wanted: &[(&str, &str)],
) -> Result<HashMap<String, Option<Vec<u8>>>, RevisionError> {
    let mut blobs: HashMap<String, Option<Vec<u8>>> = work_tree_blobs(root, wanted)
        .into_iter()
        .map(|(id, bytes)| (id, Some(bytes)))
        .collect();
    let mut asked = HashSet::new();
    let names: Vec<String> = wanted
        .iter()
        .filter(|&&(_, id)| !blobs.contains_key(id) && asked.insert(id))
        .map(|&(_, id)| id.to_string())
        .collect();
    let read = cat_objects(root, &names)?;
    blobs.extend(names.into_iter().zip(read));
    Ok(blobs)
}

/// The blobs among `wanted` (path, blob id) that the work tree holds: the
/// file at the path whose bytes hash to the blob's id is that blob, byte for
/// byte. Reading and hashing it costs a tenth of what git spends inflating
/// it, and between a revision and one near the checkout most blobs are on
/// disk. A file that differs (edited, or changed by git's line-ending or
/// other filters) is read from git as before; so is every blob of a
/// repository whose ids are not SHA-1.
fn work_tree_blobs(root: &Path, wanted: &[(&str, &str)]) -> HashMap<String, Vec<u8>> {
    let mut ids_at: HashMap<&str, Vec<&str>> = HashMap::new();
    for &(path, id) in wanted {
        if id.len() == 40 {
            ids_at.entry(path).or_default().push(id);
        }
    }
    ids_at
        .into_par_iter()
        .filter_map(|(path, ids)| {
            let file = root.join(path);
            // A link on disk is not the committed file, whatever it points at.
            let meta = std::fs::symlink_metadata(&file).ok()?;
            if !meta.is_file() || meta.len() > crate::source::MAX_FILE_BYTES {
                return None;
            }
            let bytes = std::fs::read(&file).ok()?;
            let id = git_blob_id(&bytes);
            ids.contains(&id.as_str()).then_some((id, bytes))
        })
        .collect()
}

/// The id git gives a blob of these bytes (SHA-1 of `blob <length>\0` and the bytes), in hex.
fn git_blob_id(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Revision `rev`'s commit id, and its regular files as
/// `(root-relative path, blob id)`.
fn list_revision(root: &Path, rev: &str) -> Result<(String, Vec<(String, String)>), RevisionError> {
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
    // By blob id, not `<commit>:<path>`: that makes git search the tree for
    // each path, quadratic in the size of a folder (3 s for 10,000 documents).
    let entries = listing
        .split(|&b| b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (meta, path) = entry.split_once('\t')?;
            let id = meta.split(' ').nth(2)?;
            meta.starts_with("100")
                .then(|| (path.to_string(), id.to_string()))
        })
        .collect();
    Ok((commit, entries))
}

/// Runs git in `root`; the error is git's own message when it printed one.
pub(crate) fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, Option<String>> {
    let output = crate::git::command(root)
        .args(args)
        .output()
        .map_err(|e| Some(format!("cannot run git: {e}")))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
        Err((!message.is_empty()).then_some(message))
    }
}

/// Below this many objects one git process reads them all: starting a
/// second costs more than it saves.
const OBJECTS_PER_PROCESS: usize = 500;

/// The contents of the objects `names` (blob ids), in order; `None` for a
/// blob over the document size limit. Git spends its
/// time inflating delta chains on one core per process, so a long list is
/// split between one `git cat-file --batch` per core.
fn cat_objects(root: &Path, names: &[String]) -> Result<Vec<Option<Vec<u8>>>, RevisionError> {
    cat_objects_up_to(root, names, crate::source::MAX_FILE_BYTES)
}

/// [`cat_objects`], a blob over `limit` bytes read as `None`.
fn cat_objects_up_to(
    root: &Path,
    names: &[String],
    limit: u64,
) -> Result<Vec<Option<Vec<u8>>>, RevisionError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let processes = cores.min(names.len() / OBJECTS_PER_PROCESS).max(1);
    if processes == 1 {
        return cat_objects_in_one(root, names, limit);
    }
    let chunk = names.len().div_ceil(processes);
    let parts: Vec<Result<Vec<Option<Vec<u8>>>, RevisionError>> = std::thread::scope(|scope| {
        let running: Vec<_> = names
            .chunks(chunk)
            .map(|part| scope.spawn(move || cat_objects_in_one(root, part, limit)))
            .collect();
        running
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(RevisionError("reading git objects failed".into())))
            })
            .collect()
    });
    let mut blobs = Vec::with_capacity(names.len());
    for part in parts {
        blobs.extend(part?);
    }
    Ok(blobs)
}

/// [`cat_objects`] through one `git cat-file --batch`.
fn cat_objects_in_one(
    root: &Path,
    names: &[String],
    limit: u64,
) -> Result<Vec<Option<Vec<u8>>>, RevisionError> {
    let mut blobs = Vec::with_capacity(names.len());
    cat_objects_each(root, names, limit, |blob| blobs.push(blob))?;
    Ok(blobs)
}

/// Hands each object of `names` (`None`: over `limit` bytes) to `each` as
/// one `git cat-file --batch` reads it, in order, holding one at a time:
/// for exports, each version of which may be tens of megabytes.
pub(crate) fn cat_objects_each(
    root: &Path,
    names: &[String],
    limit: u64,
    mut each: impl FnMut(Option<Vec<u8>>),
) -> Result<(), RevisionError> {
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
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    for name in names {
        let mut header = String::new();
        reader.read_line(&mut header).map_err(failed)?;
        // `<oid> blob <size>`, or `<name> missing`.
        let size = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| RevisionError(format!("git could not read `{name}`")))?;
        let blob = if size as u64 <= limit {
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
        each(blob);
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::git_blob_id;

    #[test]
    fn blob_ids_are_the_ones_git_gives() {
        // `printf hello | git hash-object --stdin`, and git's empty blob.
        assert_eq!(
            git_blob_id(b"hello"),
            "b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0"
        );
        assert_eq!(git_blob_id(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
