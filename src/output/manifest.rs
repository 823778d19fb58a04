//! The output's manifest: every file's path, length and hash, written
//! last by a build and read first by the next, and the check of what it
//! lists against what is on disk before an in-place update trusts it.

use super::nofollow::Stamp;
use super::recovery::Stamps;
use super::*;

/// A file's length and a 64-bit hash of its bytes: what the manifest keeps
/// to tell a changed page from an unchanged one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileDigest {
    pub(super) hash: u64,
    pub(super) len: u64,
}

impl FileDigest {
    /// foldhash with a fixed seed: every byte of every page goes through it
    /// (120 MB at 10k), where SipHash was 2% of a build. Its output is not
    /// promised across versions; if it changes, every page of the first
    /// build after an upgrade just counts as changed and is written again.
    /// Two different pages of the same length collide with odds of about
    /// 2^-64; a page is no adversary's lever (whoever writes it can change it).
    pub(super) fn of(bytes: &[u8]) -> FileDigest {
        use std::hash::BuildHasher;
        FileDigest {
            hash: foldhash::quality::FixedState::with_seed(0).hash_one(bytes),
            len: bytes.len() as u64,
        }
    }
}

/// Every file of an output by path, as listed in its [`MANIFEST`].
// foldhash: a build looks up and inserts every page.
pub(super) type Manifest = foldhash::HashMap<String, FileDigest>;

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
    let mut sorted: Vec<(&String, &FileDigest)> = files.iter().collect();
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
        files.insert(path, FileDigest { hash, len });
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
/// walked, and always where [`Folder`] is unsupported. With `records`, the
/// walk skips reading the folders unchanged since the last walk and keeps
/// what it saw for the next.
pub(super) fn trusted_manifest(out: &Path, records: Option<&Records>) -> Option<Manifest> {
    let folder = Folder::open(out).ok()?;
    let listed = read_manifest(&folder)?;
    let stamps = records.map(|r| r.stamps(&folder)).unwrap_or_default();
    let (kept, seen) = keep_what_is_on_disk(&folder, listed, &stamps).ok()?;
    if let Some(records) = records {
        if seen != stamps {
            records.keep_stamps(&folder, &seen);
        }
    }
    Some(kept)
}

/// The files of `listed` that are on disk as the previous build wrote them:
/// regular files, not links, of the listed length. Everything else in the
/// output is removed without following links: a listed file that is
/// missing its bytes or changed (this build writes it again), a file, link
/// or folder no manifest lists, a folder left empty. So the output holds
/// only what a build wrote, whatever a restored cache or a hand put there.
/// Returns the kept files and every folder's [`Stamp`] as seen.
///
/// A folder whose stamp is the one `stamps` holds from the last walk has
/// had no name added, removed or renamed since that walk left it holding
/// only listed files: it is not read again, and its files are kept as the
/// manifest lists them. That skips a `find` over the output on most
/// rebuilds (10,000 folders at 10k pages), and it cannot be forged: a
/// folder restored from a cache, pulled or made anew has a new inode and
/// change time, and a folder changed in place a new change time.
///
/// Otherwise one `fstatat` per kept file and one read of each folder; the
/// bytes are not read, so a file changed to other bytes of the same length
/// stays until its page changes. That is no lever: whoever can write the
/// output can write its manifest too, and `--clean` writes everything afresh.
pub(super) fn keep_what_is_on_disk(
    out: &Folder,
    listed: Manifest,
    stamps: &Stamps,
) -> io::Result<(Manifest, Stamps)> {
    let walk = Walk::new(&listed, stamps);
    let here = keep_in_folder(out, "", &walk)?;
    Ok((
        here.kept.files.into_iter().collect(),
        here.kept.stamps.into_iter().collect(),
    ))
}

/// What one walk of the output reads.
pub(super) struct Walk<'a> {
    /// The manifest's files.
    listed: &'a Manifest,
    /// The folders' stamps of the last walk.
    stamps: &'a Stamps,
    /// The names the manifest puts directly in each folder, by its path
    /// (`""` for the top), each with whether it is a folder.
    below: foldhash::HashMap<&'a str, Vec<(&'a str, bool)>>,
}

impl<'a> Walk<'a> {
    fn new(listed: &'a Manifest, stamps: &'a Stamps) -> Walk<'a> {
        let mut below: foldhash::HashMap<&str, Vec<(&str, bool)>> = foldhash::HashMap::default();
        let mut folders: foldhash::HashSet<&str> = foldhash::HashSet::default();
        for path in listed.keys() {
            let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
            below.entry(parent).or_default().push((name, false));
            // Each folder on the way, once, in the folder above it.
            let mut folder = parent;
            while !folder.is_empty() && folders.insert(folder) {
                let (up, name) = folder.rsplit_once('/').unwrap_or(("", folder));
                below.entry(up).or_default().push((name, true));
                folder = up;
            }
        }
        Walk {
            listed,
            stamps,
            below,
        }
    }
}

/// Listed files kept, with their fingerprints.
pub(super) type KeptFiles = Vec<(String, FileDigest)>;

/// What the walk keeps below one name.
#[derive(Default)]
pub(super) struct Kept {
    /// The listed files kept, at any depth, with their fingerprints.
    files: KeptFiles,
    /// The folders seen, with their stamps.
    stamps: Vec<(String, Stamp)>,
}

impl Kept {
    fn add(&mut self, other: Kept) {
        self.files.extend(other.files);
        self.stamps.extend(other.stamps);
    }
}

/// What [`keep_in_folder`] keeps of one folder.
#[derive(Default)]
pub(super) struct KeptHere {
    /// The names kept in the folder, so an emptied folder goes too.
    names: usize,
    kept: Kept,
}

/// [`keep_what_is_on_disk`] for one folder at `prefix` in the output. The
/// names of a folder are judged in parallel, and so are their folders in
/// turn: the walk is a system call or more per name.
pub(super) fn keep_in_folder(
    folder: &Folder,
    prefix: &str,
    walk: &Walk<'_>,
) -> io::Result<KeptHere> {
    let judged: Vec<io::Result<Option<Kept>>> = folder
        .entries()?
        .into_par_iter()
        .map(
            |(name, hint)| match keeps_entry(folder, prefix, &name, hint, walk)? {
                Some(kept) => Ok(Some(kept)),
                None => folder.remove(&name).map(|()| None),
            },
        )
        .collect();
    let mut here = KeptHere::default();
    for entry in judged {
        if let Some(kept) = entry? {
            here.names += 1;
            here.kept.add(kept);
        }
    }
    Ok(here)
}

/// What stays of the name `name` in `folder` (at `prefix`): a listed file
/// as listed, a folder that keeps something, or the output's marker and
/// manifest at its top. `None`: it goes.
pub(super) fn keeps_entry(
    folder: &Folder,
    prefix: &str,
    name: &OsStr,
    hint: Option<Kind>,
    walk: &Walk<'_>,
) -> io::Result<Option<Kept>> {
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
        Some(Kind::Folder) => keep_folder(folder, name, path, walk)?,
        Some(Kind::File(_)) if prefix.is_empty() && (text == MARKER || text == MANIFEST) => {
            Some(Kept::default())
        }
        Some(Kind::File(len)) => match walk.listed.get(&path) {
            Some(print) if print.len == len => Some(Kept {
                files: vec![(path, *print)],
                stamps: Vec::new(),
            }),
            _ => None,
        },
        // A link, a pipe, a device: never written by a build.
        Some(Kind::Other) => None,
        // Gone since the folder was read: nothing to keep.
        None => None,
    })
}

/// What stays of the folder `name` in `folder`, at `path`: read again
/// unless its stamp is the last walk's (see [`keep_what_is_on_disk`]). The
/// stamp is taken before the folder is read, so a change made meanwhile
/// shows in the next walk.
fn keep_folder(
    folder: &Folder,
    name: &OsStr,
    path: String,
    walk: &Walk<'_>,
) -> io::Result<Option<Kept>> {
    let Some((Kind::Folder, Some(stamp))) = folder.stamp(name)? else {
        // Gone, or no longer a real folder, since the folder above was read.
        return Ok(None);
    };
    let (names, mut kept) = if walk.stamps.get(&path) == Some(&stamp) {
        keep_stamped_folder(folder, name, &path, walk)?
    } else {
        let Ok(inner) = folder.child(name) else {
            return Ok(None);
        };
        let here = keep_in_folder(&inner, &path, walk)?;
        (here.names, here.kept)
    };
    kept.stamps.push((path, stamp));
    Ok((names > 0).then_some(kept))
}

/// [`keep_folder`] for a folder unchanged since the last walk: its names are
/// the manifest's, so it is not read; each listed file is still held to its
/// listed type and length (one `fstatat`, through the folder's name, which
/// was a real folder a moment ago), and its folders are walked in turn.
fn keep_stamped_folder(
    folder: &Folder,
    name: &OsStr,
    path: &str,
    walk: &Walk<'_>,
) -> io::Result<(usize, Kept)> {
    let mut kept = Kept::default();
    let mut names = 0;
    let mut inner = None;
    for (child, is_folder) in walk.below.get(path).into_iter().flatten() {
        let at = format!("{path}/{child}");
        if *is_folder {
            if inner.is_none() {
                match folder.child(name) {
                    Ok(opened) => inner = Some(opened),
                    Err(_) => return Ok((0, Kept::default())),
                }
            }
            let Some(inner) = inner.as_ref() else {
                continue;
            };
            if let Some(below) = keep_folder(inner, OsStr::new(child), at, walk)? {
                names += 1;
                kept.add(below);
            }
        } else if let Some(print) = walk.listed.get(&at) {
            let mut relative = name.to_os_string();
            relative.push("/");
            relative.push(child);
            if folder.kind(&relative)? == Some(Kind::File(print.len)) {
                names += 1;
                kept.files.push((at, *print));
            } else {
                // Changed in place: removed (through the folder opened as a
                // real folder, never through a path), so this build writes
                // it again.
                if let Ok(opened) = folder.child(name) {
                    opened.remove(OsStr::new(child))?;
                }
            }
        }
    }
    Ok((names, kept))
}
