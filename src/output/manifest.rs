//! The output's manifest: every file's path, length and hash, written
//! last by a build and read first by the next, and the check of what it
//! lists against what is on disk before an in-place update trusts it.

use super::*;

/// A file's length and a 64-bit hash of its bytes: what the manifest keeps
/// to tell a changed page from an unchanged one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint {
    pub(super) hash: u64,
    pub(super) len: u64,
}

impl Fingerprint {
    /// foldhash with a fixed seed: every byte of every page goes through it
    /// (120 MB at 10k), where SipHash was 2% of a build. Its output is not
    /// promised across versions; if it changes, every page of the first
    /// build after an upgrade just counts as changed and is written again.
    /// Two different pages of the same length collide with odds of about
    /// 2^-64; a page is no adversary's lever (whoever writes it can change it).
    pub(super) fn of(bytes: &[u8]) -> Fingerprint {
        use std::hash::BuildHasher;
        Fingerprint {
            hash: foldhash::quality::FixedState::with_seed(0).hash_one(bytes),
            len: bytes.len() as u64,
        }
    }
}

/// Every file of an output by path, as listed in its [`MANIFEST`].
// foldhash: a build looks up and inserts every page.
pub(super) type Manifest = foldhash::HashMap<String, Fingerprint>;

/// Writes a path so that it fits on one line: `\` and line ends are escaped.
pub(super) fn escape_path(path: &str) -> String {
    path.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// The inverse of [`escape_path`]; None for an escape it never writes.
pub(super) fn unescape_path(text: &str) -> Option<String> {
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
pub(super) fn is_inside_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The names throughline keeps at the top of the output for itself; a
/// rendered or static file of that name is never written.
pub(super) fn is_reserved(path: &str) -> bool {
    is_bookkeeping(path) || path == CACHE_FILE
}

/// The files that say what the output is, which no manifest lists: the
/// render cache, by contrast, is listed like a page.
pub(super) fn is_bookkeeping(path: &str) -> bool {
    [MARKER, MANIFEST, JOURNAL, TOKEN].contains(&path)
}

/// The manifest as text: a header line, then `HASH LEN PATH` per file, sorted by path.
pub(super) fn manifest_text(files: &Manifest) -> String {
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
pub(super) fn parse_manifest(text: &str) -> Option<Manifest> {
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

/// The regular file `name` in `folder` as text, if it is at most `limit`
/// bytes; never through a link.
pub(super) fn read_limited(folder: &Folder, name: &str, limit: u64) -> Option<String> {
    let mut text = String::new();
    folder
        .open_file(OsStr::new(name))
        .ok()?
        .take(limit.saturating_add(1))
        .read_to_string(&mut text)
        .ok()?;
    (text.len() as u64 <= limit).then_some(text)
}

/// Whether `name` in `folder` is a regular file (not a link to one).
pub(super) fn is_regular(folder: &Folder, name: &str) -> bool {
    matches!(folder.kind(OsStr::new(name)), Ok(Some(Kind::File(_))))
}

/// The manifest of the output `folder`, if it is throughline's (it has the
/// marker) and the manifest reads back whole.
pub(super) fn read_manifest(folder: &Folder) -> Option<Manifest> {
    if !is_regular(folder, MARKER) {
        return None;
    }
    parse_manifest(&read_limited(folder, MANIFEST, BOOKKEEPING_LIMIT)?)
}

/// The manifest an in-place update of `out` may start from: the listed
/// files that are on disk as listed, everything else in the output removed
/// ([`keep_what_is_on_disk`]). None (a fresh build, which replaces the whole
/// output) when there is no readable manifest or the output cannot be
/// walked, and always where [`Folder`] is unsupported.
pub(super) fn trusted_manifest(out: &Path) -> Option<Manifest> {
    let folder = Folder::open(out).ok()?;
    let listed = read_manifest(&folder)?;
    keep_what_is_on_disk(&folder, listed).ok()
}

/// The files of `listed` that are on disk as the previous build wrote them:
/// regular files, not links, of the listed length. Everything else in the
/// output is removed without following links: a listed file that is
/// missing its bytes or changed (this build writes it again), a file, link
/// or folder no manifest lists, a folder left empty. So the output holds
/// only what a build wrote, whatever a restored cache or a hand put there.
///
/// One `fstatat` per kept file and one read of each folder; the bytes are
/// not read, so a file changed to other bytes of the same length stays
/// until its page changes. That is no lever: whoever can write the output
/// can write its manifest too, and `--clean` writes everything afresh.
pub(super) fn keep_what_is_on_disk(out: &Folder, listed: Manifest) -> io::Result<Manifest> {
    let mut kept = Manifest::default();
    kept.extend(keep_in_folder(out, "", &listed)?.files);
    Ok(kept)
}

/// Listed files kept, with their fingerprints.
pub(super) type KeptFiles = Vec<(String, Fingerprint)>;

/// What [`keep_in_folder`] keeps of one folder.
#[derive(Default)]
pub(super) struct KeptHere {
    /// The names kept in the folder, so an emptied folder goes too.
    names: usize,
    /// The listed files kept, at any depth, with their fingerprints.
    files: KeptFiles,
}

/// [`keep_what_is_on_disk`] for one folder at `prefix` in the output. The
/// names of a folder are judged in parallel, and so are their folders in
/// turn: the walk is a system call or more per name (10,000 folders of
/// one page each on a 10k site), which one thread would add to every
/// rebuild's time.
pub(super) fn keep_in_folder(
    folder: &Folder,
    prefix: &str,
    listed: &Manifest,
) -> io::Result<KeptHere> {
    let judged: Vec<io::Result<Option<KeptFiles>>> = folder
        .entries()?
        .into_par_iter()
        .map(
            |(name, hint)| match keeps_entry(folder, prefix, &name, hint, listed)? {
                Some(files) => Ok(Some(files)),
                None => folder.remove(&name).map(|()| None),
            },
        )
        .collect();
    let mut here = KeptHere::default();
    for entry in judged {
        if let Some(files) = entry? {
            here.names += 1;
            here.files.extend(files);
        }
    }
    Ok(here)
}

/// Whether the name `name` in `folder` (at `prefix`) stays, and with which
/// listed files: a listed file as listed, a folder that keeps something, or
/// the output's marker and manifest at its top. `None`: it goes.
pub(super) fn keeps_entry(
    folder: &Folder,
    prefix: &str,
    name: &OsStr,
    hint: Option<Kind>,
    listed: &Manifest,
) -> io::Result<Option<KeptFiles>> {
    // No build writes a name that is not UTF-8.
    let Some(text) = name.to_str() else {
        return Ok(None);
    };
    let path = if prefix.is_empty() {
        text.to_string()
    } else {
        format!("{prefix}/{text}")
    };
    let kind = match hint {
        Some(kind) => Some(kind),
        None => folder.kind(name)?,
    };
    Ok(match kind {
        Some(Kind::Folder) => match folder.child(name) {
            Ok(inner) => {
                let here = keep_in_folder(&inner, &path, listed)?;
                (here.names > 0).then_some(here.files)
            }
            Err(_) => None,
        },
        Some(Kind::File(_)) if prefix.is_empty() && (text == MARKER || text == MANIFEST) => {
            Some(Vec::new())
        }
        Some(Kind::File(len)) => match listed.get(&path) {
            Some(print) if print.len == len => Some(vec![(path, *print)]),
            _ => None,
        },
        // A link, a pipe, a device: never written by a build.
        Some(Kind::Other) => None,
        // Gone since the folder was read: nothing to keep.
        None => None,
    })
}
