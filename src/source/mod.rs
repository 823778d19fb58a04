//! Stage 1: find the site's Markdown files, read them, and parse each into a
//! typed [`Document`](crate::model::Document).
//!
//! This stage never looks at more than one document at a time: ids, links
//! and kinds between documents are the graph's job.

mod body;
mod document;
mod frontmatter;
mod identity;

pub use crate::model::SourceId;
pub use body::{
    extract_body, fence_language, headings, join_relative, markdown_options, path_link, wiki_parts,
    Heading, MAX_HIGHLIGHTED_CODE_BYTES,
};
pub use document::{field_applies, parse_document, KNOWN_FIELDS, NESTED_FIELDS};
pub use frontmatter::{front_matter_text, split_front_matter, FrontMatter};
pub(crate) use identity::identity;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Span};

/// Documents larger than this are refused: nobody writes strategy that long
/// (4 MiB is a long book), and it bounds one file's cost: `check` of the
/// worst body at the limit, every line a wiki link, takes about 0.8 s and
/// 630 MB (`scripts/worst-cases.sh --bytes 4194304`), where 32 MiB took 7 s and 4 GB.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A Markdown file read from the site.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, `/`-separated.
    pub path: String,
    /// Path on disk.
    pub abs_path: PathBuf,
    /// The file's text, without a leading byte-order mark; once
    /// [released](SourceFile::release_after), only its beginning.
    pub text: String,
    /// What the whole text was, while `text` holds only its beginning.
    pub released: Option<Released>,
}

/// The length and hash of a file's whole text, kept when the text is
/// released, so that reading the file again can tell it is the same text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    len: usize,
    hash: u64,
}

impl Released {
    fn of(text: &str) -> Released {
        use std::hash::BuildHasher;
        // foldhash rather than SipHash (`output`'s fingerprints): every text
        // of a build is hashed twice, when read and when read again, so
        // speed on long inputs counts. It tells an edit made during the run
        // from the text read, not an adversary's collision: whoever can
        // write the file can change the page anyway.
        Released {
            len: text.len(),
            hash: foldhash::quality::FixedState::with_seed(0).hash_one(text.as_bytes()),
        }
    }
}

impl SourceFile {
    /// A file whose whole text is `text`.
    pub fn new(path: String, abs_path: PathBuf, text: String) -> SourceFile {
        SourceFile {
            path,
            abs_path,
            text,
            released: None,
        }
    }

    /// Keeps only the first `keep` bytes of the text, remembering what the
    /// whole was, so that [`SourceFile::whole_text`] can read it again. Does
    /// nothing when `keep` is not before the end or not a character boundary.
    pub fn release_after(&mut self, keep: usize) {
        if keep >= self.text.len() || !self.text.is_char_boundary(keep) {
            return;
        }
        if self.released.is_none() {
            self.released = Some(Released::of(&self.text));
        }
        self.text.truncate(keep);
        self.text.shrink_to_fit();
    }

    /// The whole text: the one held, or, once released, the file read again
    /// through `guard` as it was read first, and checked to be the same text.
    pub fn whole_text(&self, guard: &RootGuard) -> Result<Cow<'_, str>, Box<Diagnostic>> {
        let Some(whole) = self.released else {
            return Ok(Cow::Borrowed(&self.text));
        };
        // The first read went through the guard. This one opens the same
        // path without following a link at its end, only a regular file,
        // and keeps the text only if it is the very text read first: no
        // other file's bytes can get through, and the guard's `realpath`
        // is not paid twice per page. A path it refuses (a link inside the
        // site) takes the guarded way.
        let again = read_walked_source(self.path.clone(), self.abs_path.clone())
            .ok()
            .filter(|again| Released::of(&again.text) == whole);
        if let Some(again) = again {
            return Ok(Cow::Owned(again.text));
        }
        match read_source(guard, self.path.clone(), self.abs_path.clone()) {
            Ok(again) if Released::of(&again.text) == whole => Ok(Cow::Owned(again.text)),
            Ok(_) => Err(changed_since_read(&self.path, "its text is not the same")),
            Err(d) => Err(changed_since_read(&self.path, &d.message)),
        }
    }

    /// The length and hash of the whole text, held or released: what a
    /// build's render cache keys a page's body by.
    pub fn whole_print(&self) -> (usize, u64) {
        let print = self.released.unwrap_or_else(|| Released::of(&self.text));
        (print.len, print.hash)
    }

    /// Whether line `line` (1-based) is held whole, its line ending included
    /// (or the text is whole): what a diagnostic quotes of it is the file's.
    pub fn holds_line(&self, line: u32) -> bool {
        self.released.is_none() || lines_ended(&self.text) >= line as usize
    }

    /// Reads the text again ([`SourceFile::whole_text`]) and holds it up
    /// to the end of line `line`, or whole if that is where the file ends.
    pub fn restore_through(&mut self, line: u32, guard: &RootGuard) -> Result<(), Box<Diagnostic>> {
        let whole = self.whole_text(guard)?.into_owned();
        let end = whole
            .match_indices('\n')
            .nth((line as usize).saturating_sub(1))
            .map_or(whole.len(), |(at, _)| at + 1);
        if end >= whole.len() {
            self.text = whole;
            self.released = None;
        } else {
            self.text = whole[..end].to_string();
        }
        Ok(())
    }
}

/// How many line endings `text` holds: the lines it holds whole.
fn lines_ended(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// Why a released text could not be read again as it was.
fn changed_since_read(rel: &str, why: &str) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "io",
            rel.to_string(),
            Span::file_start(),
            format!("this file changed while the site was being built ({why})"),
        )
        .with_hint("run the command again once the file is saved"),
    )
}

/// What walking the root found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Files read successfully, sorted by path.
    pub files: Vec<SourceFile>,
    /// Files that could not be read, loops, encoding problems.
    pub diagnostics: Vec<Diagnostic>,
}

/// Where not to look for content.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// The output folder, if it lies inside the root.
    pub output_dir: Option<PathBuf>,
}

/// Walks `root` and reads every document (SPEC §1).
///
/// Symbolic links are followed only while they stay inside the root: a link
/// to a folder or file elsewhere (`/etc`, `/proc/self/environ`, a home
/// folder) is skipped with a `skipped-file` warning and never read, because
/// whatever a document holds ends up on a published page.
pub fn discover(root: &Path, config: &Config, options: &WalkOptions) -> Discovered {
    discover_each(root, config, options, |_| ()).0
}

/// [`discover`], handing each file to `each` as soon as it is read (in
/// parallel), so that a caller can parse it and release its text before the
/// other files are read; returns what `each` made of each file, in order.
pub fn discover_each<T: Send>(
    root: &Path,
    config: &Config,
    options: &WalkOptions,
    each: impl Fn(&mut SourceFile) -> T + Sync,
) -> (Discovered, Vec<T>) {
    let filter = SourceFilter::new(config, root, options.output_dir.as_deref());
    let guard = RootGuard::new(root);
    let output_dir = options
        .output_dir
        .as_ref()
        .and_then(|o| o.canonicalize().ok());
    // Each document, and whether it is a link itself.
    let mut found: Vec<(String, PathBuf, bool)> = Vec::new();
    let skipped_links = std::cell::RefCell::new(Vec::new());

    // Not sorted as it walks (`sort_by_file_name` split each name out of
    // its path at every comparison, 2% of a rebuild at 10k): the documents
    // are sorted by path below, and the walk's findings at the end.
    let walker = WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            if name.starts_with('.') {
                return false;
            }
            if entry.file_type().is_dir() {
                if entry.depth() == 1 && (name == "static" || name == "templates") {
                    return false;
                }
                if let Some(out) = &output_dir {
                    if entry.path().canonicalize().is_ok_and(|p| &p == out) {
                        return false;
                    }
                }
                // Only a link can lead out: every plain folder below an
                // admitted one is inside the root too.
                if entry.path_is_symlink() {
                    if let Err(d) = guard.admit(&relative_path(root, entry.path()), entry.path()) {
                        skipped_links.borrow_mut().push(*d);
                        return false;
                    }
                }
            }
            true
        });

    let mut diagnostics = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                diagnostics.push(walk_error(root, &err));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        // Special files named `*.md` go on too: read_source reports and skips them.
        let rel = relative_path(root, entry.path());
        if filter.is_document(&rel) {
            let linked = entry.path_is_symlink();
            found.push((rel, entry.into_path(), linked));
        }
    }
    diagnostics.extend(skipped_links.into_inner());

    // In path order before they are read, so that what `each` makes is in
    // order too, and never moved to be sorted.
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let (results, made): (Vec<Read>, Vec<Option<T>>) = found
        .into_par_iter()
        .map(|(rel, abs, linked)| {
            let read = if linked {
                read_source(&guard, rel, abs)
            } else {
                read_walked_source(rel, abs)
            };
            match read {
                Ok(mut file) => {
                    let made = each(&mut file);
                    (Ok(file), Some(made))
                }
                Err(d) => (Err(d), None),
            }
        })
        .unzip();
    let mut files = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diagnostics.push(*d),
        }
    }
    // In one order whatever order the folders listed their entries in.
    crate::diagnostics::sort(&mut diagnostics);
    let discovered = Discovered { files, diagnostics };
    // Sized up front: `flatten` cannot tell how many there are, and growing
    // the vector moved 10,000 documents several times on one thread.
    let mut each_made = Vec::with_capacity(made.len());
    each_made.extend(made.into_iter().flatten());
    (discovered, each_made)
}

/// One file read, or why it was not.
type Read = Result<SourceFile, Box<Diagnostic>>;

/// The site root as the file system resolves it, to tell files inside the
/// site from symbolic links that lead out of it.
#[derive(Debug, Clone)]
pub struct RootGuard {
    canonical: PathBuf,
}

impl RootGuard {
    /// The guard for `root`; a root that cannot be resolved guards itself as written.
    pub fn new(root: &Path) -> RootGuard {
        RootGuard {
            canonical: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
        }
    }

    /// Where `abs` really is, if that is inside the root; otherwise a
    /// `skipped-file` warning naming the link and its target.
    pub fn admit(&self, rel: &str, abs: &Path) -> Result<PathBuf, Box<Diagnostic>> {
        let real = abs.canonicalize().map_err(|e| cannot_read(rel, &e))?;
        if real.starts_with(&self.canonical) {
            return Ok(real);
        }
        Err(Box::new(
            Diagnostic::warning(
                "skipped-file",
                rel.to_string(),
                Span::file_start(),
                format!(
                    "`{rel}` is a symbolic link to `{}`, outside the site; it is skipped and never read",
                    real.display()
                ),
            )
            .with_hint(
                "copy the file into the site if it belongs to it, or remove the link; \
                 throughline never publishes files from outside the site root",
            ),
        ))
    }
}

/// Reads one document: only a regular file inside the root, at most
/// [`MAX_FILE_BYTES`], valid UTF-8 (a leading byte-order mark is dropped).
/// Links out of the root, FIFOs, devices and sockets are never opened for reading.
pub fn read_source(
    guard: &RootGuard,
    rel: String,
    abs: PathBuf,
) -> Result<SourceFile, Box<Diagnostic>> {
    let real = guard.admit(&rel, &abs)?;
    let bytes = read_regular_file(&rel, &real)?;
    source_file(rel, abs, bytes)
}

/// [`read_source`] for a file the walk found, not a link itself: each
/// folder on its path is a plain folder or a link the walk admitted (one
/// that stays inside the root), and the file is opened without following a
/// link put in its place, so the guard's `realpath` (a `readlink` per
/// folder of the path, 5 per file and 3% of a cold build) would find
/// nothing new. A folder swapped for a link after the walk could still lead
/// the open astray, as it could between the guard's `realpath` and its open.
fn read_walked_source(rel: String, abs: PathBuf) -> Result<SourceFile, Box<Diagnostic>> {
    let bytes = read_regular_file(&rel, &abs)?;
    source_file(rel, abs, bytes)
}

/// The source file of `bytes` read from `rel`, if they are UTF-8.
fn source_file(rel: String, abs: PathBuf, bytes: Vec<u8>) -> Result<SourceFile, Box<Diagnostic>> {
    let text = match crate::text::utf8(bytes) {
        Ok(text) => text,
        Err(bad) => {
            return Err(Box::new(
                Diagnostic::error(
                    "encoding",
                    rel,
                    bad.span,
                    format!("file is not valid UTF-8 ({bad})"),
                )
                .with_hint("save the file as UTF-8"),
            ));
        }
    };
    let text = without_bom(text);
    Ok(SourceFile::new(rel, abs, text))
}

/// `text` without a leading byte-order mark: a document's text as every
/// stage sees it, whether it was read from disk or handed over in memory.
pub fn without_bom(text: String) -> String {
    match bom_stripped(&text) {
        rest if rest.len() < text.len() => rest.to_string(),
        _ => text,
    }
}

/// [`without_bom`] for a borrowed text.
pub fn bom_stripped(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Opens `path` for reading without following a link at its end, and
/// without blocking on a FIFO: check the type on the handle it returns, not
/// on the name, so that nothing swapped in after a check is read.
fn open_unfollowed(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Why [`read_regular`] read no bytes.
pub(crate) enum NotRead {
    /// Opening or reading failed (a link at the end of the path included).
    Io(std::io::Error),
    /// Not a regular file: what it is (`a named pipe (FIFO)`).
    Special(&'static str),
    /// Longer than the limit: its length, or at least the limit and a byte.
    TooLarge(u64),
}

/// The bytes of the regular file at `path`, at most `limit` of them.
///
/// The type is checked on the opened handle, not the name, so a file swapped
/// for a FIFO between the check and the read still is not read; opening does
/// not block on a FIFO and does not follow a link put in its place. The one
/// reader of a file throughline did not make sure of itself: sources, and
/// the render cache of a previous output.
pub(crate) fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, NotRead> {
    use std::io::Read;
    let file = open_unfollowed(path).map_err(NotRead::Io)?;
    let meta = file.metadata().map_err(NotRead::Io)?;
    if !meta.is_file() {
        return Err(NotRead::Special(special_file_kind(&meta)));
    }
    if meta.len() > limit {
        return Err(NotRead::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow after the size check; never read past the limit.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(NotRead::Io)?;
    if bytes.len() as u64 > limit {
        return Err(NotRead::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_regular`] of a document at `path`, at most [`MAX_FILE_BYTES`]:
/// what it read instead, as the diagnostic about `rel`.
fn read_regular_file(rel: &str, path: &Path) -> Result<Vec<u8>, Box<Diagnostic>> {
    read_regular(path, MAX_FILE_BYTES).map_err(|not| match not {
        NotRead::Io(e) => cannot_read(rel, &e),
        NotRead::Special(kind) => Box::new(
            Diagnostic::warning(
                "skipped-file",
                rel.to_string(),
                Span::file_start(),
                format!("`{rel}` is {kind}, not a regular file; it is skipped and never read"),
            )
            .with_hint("remove it, or add its path to `ignore:` in throughline.yaml"),
        ),
        NotRead::TooLarge(len) => too_large(rel, len),
    })
}

pub(crate) fn special_file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

fn cannot_read(rel: &str, e: &std::io::Error) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "io",
            rel.to_string(),
            Span::file_start(),
            format!("cannot read this file: {e}"),
        )
        .with_hint("check its permissions, or add it to `ignore:` in throughline.yaml"),
    )
}

fn too_large(rel: &str, len: u64) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "io",
            rel.to_string(),
            Span::file_start(),
            format!(
                "file is {:.1} MiB; documents may be at most {} MiB",
                len as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
        )
        .with_hint("split it into several documents, or add it to `ignore:`"),
    )
}

/// Decides, from its path alone, whether a file is content. [`discover`]
/// asks it of every file it walks; serve's watcher, which hears about one path
/// at a time, asks it too, and so does the history, of every path git lists.
#[derive(Debug)]
pub struct SourceFilter {
    ignore: GlobSet,
    /// The output folder under the root ([`output_in_root`]), not content.
    output: Option<String>,
}

impl SourceFilter {
    /// The filter for the site at `root` with `config`, built into
    /// `output_dir` (`public/` when `None`).
    pub fn new(config: &Config, root: &Path, output_dir: Option<&Path>) -> SourceFilter {
        SourceFilter {
            ignore: build_ignore(&config.ignore),
            output: output_in_root(root, output_dir),
        }
    }

    /// Whether `rel` (relative to the root, `/`-separated) names a document.
    pub fn is_document(&self, rel: &str) -> bool {
        let hidden = rel.split('/').any(|p| p.is_empty() || p.starts_with('.'));
        let reserved = matches!(rel.split_once('/'), Some(("static" | "templates", _)))
            || self
                .output
                .as_deref()
                .and_then(|out| rel.strip_prefix(out))
                .is_some_and(|rest| rest.starts_with('/'));
        rel.ends_with(".md") && !hidden && !reserved && !self.ignore.is_match(rel)
    }

    /// The output folder under the root this filter leaves out, if any.
    pub fn output(&self) -> Option<&str> {
        self.output.as_deref()
    }
}

/// The output folder's path under `root`, `/`-separated: `public` when
/// none is named (the default), `None` when it lies outside the root.
/// Symbolic links in either path are resolved, so `-o ./public`, an
/// absolute path and a link to the root's `public/` name one folder; a
/// folder not made yet is placed by its nearest existing parent.
pub fn output_in_root(root: &Path, output_dir: Option<&Path>) -> Option<String> {
    let Some(out) = output_dir else {
        return Some("public".into());
    };
    let root = absolute(root).canonicalize().ok()?;
    let out = absolute(out);
    let (existing, rest) = out
        .ancestors()
        .find_map(|a| Some((a.canonicalize().ok()?, out.strip_prefix(a).ok()?)))?;
    if rest
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    let rel = existing.join(rest);
    let rel = rel.strip_prefix(&root).ok()?;
    (!rel.as_os_str().is_empty()).then(|| relative_path(Path::new(""), rel))
}

fn build_ignore(patterns: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        // Config parsing already rejected invalid globs.
        if let Ok(glob) = Glob::new(p) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// The site root relative to the working directory, `/`-separated with a
/// trailing `/`, so that SARIF paths match the repository a CI job checked
/// out. Empty when the root is the working directory or elsewhere.
pub fn root_from_working_dir(root: &Path) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return String::new();
    };
    let (Ok(root), Ok(cwd)) = (absolute(root).canonicalize(), cwd.canonicalize()) else {
        return String::new();
    };
    match root.strip_prefix(&cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", relative_path(Path::new(""), rel)),
        Err(_) => String::new(),
    }
}

/// `path` relative to `root`, `/`-separated; the full path if it is not under `root`.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    // Into one string: a string per component, then joined, was most of
    // the cost for every file of the walk.
    let mut joined = String::with_capacity(rel.as_os_str().len());
    for (n, c) in rel.components().enumerate() {
        if n > 0 {
            joined.push('/');
        }
        joined.push_str(&c.as_os_str().to_string_lossy());
    }
    joined
}

fn walk_error(root: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err
        .path()
        .map(|p| relative_path(root, p))
        .unwrap_or_else(|| ".".to_string());
    if let Some(ancestor) = err.loop_ancestor() {
        return Diagnostic::error(
            "io",
            path,
            Span::file_start(),
            format!(
                "symbolic link loop: this leads back to `{}`",
                display_dir(&relative_path(root, ancestor))
            ),
        )
        .with_hint("remove the link, or add its path to `ignore:` in throughline.yaml");
    }
    let reason = err
        .io_error()
        .map_or_else(|| err.to_string(), ToString::to_string);
    Diagnostic::error(
        "io",
        path,
        Span::file_start(),
        format!("cannot read this folder: {reason}"),
    )
    .with_hint("check its permissions, or add it to `ignore:` in throughline.yaml")
}

fn display_dir(rel: &str) -> &str {
    if rel.is_empty() {
        "the site root"
    } else {
        rel
    }
}

/// Resolves `path` against the current directory without touching the file system.
///
/// [`std::path::absolute`] does the work; this keeps the two answers the
/// callers (output's folder checks, SARIF's path prefix, the LSP's root)
/// relied on before it: the empty path is the current directory (std refuses
/// it), and a path that cannot be resolved (no current directory) comes back
/// as given rather than as an error. Unlike the hand-written join it
/// replaced, std drops `.` components (`./site` gives `<cwd>/site`); paths
/// compare by components, so only where a path is displayed does that show.
pub fn absolute(path: &Path) -> PathBuf {
    let nonempty = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    std::path::absolute(nonempty).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_relative_path_joins_its_components_with_slashes() {
        let root = Path::new("/site/root");
        assert_eq!(
            relative_path(root, Path::new("/site/root/bets/a.md")),
            "bets/a.md"
        );
        assert_eq!(relative_path(root, Path::new("/site/root/a.md")), "a.md");
        assert_eq!(relative_path(root, Path::new("/site/root")), "");
        // Outside the root, the path as it is, its root written as `/`.
        assert_eq!(relative_path(root, Path::new("/x/y.md")), "//x/y.md");
    }
    use super::*;

    #[test]
    fn absolute_resolves_against_the_working_directory_as_the_callers_expect() {
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(absolute(Path::new("site")), cwd.join("site"));
        assert_eq!(absolute(Path::new("./site/")), cwd.join("site"));
        assert_eq!(absolute(Path::new("")), cwd);
        assert_eq!(absolute(Path::new(".")), cwd);
        // `..` is kept: resolving it needs the file system (a symlink).
        assert_eq!(absolute(Path::new("../x")), cwd.join("..").join("x"));
        let abs = Path::new("/srv/site/public");
        assert_eq!(absolute(abs), abs);
        // Displayed, `.` components are gone (the LSP's root names URIs by it).
        assert_eq!(absolute(Path::new(".")).to_str(), cwd.to_str());
    }

    #[test]
    fn the_files_come_in_path_order_each_with_what_was_made_of_it() {
        // Names that sort one way as folders walked one by one and another
        // as whole paths: `-`, `.` and ` ` come before `/`.
        let dir = tempfile::tempdir().expect("temp dir");
        let names = [
            "a/x.md", "a-b/x.md", "a.md", "a b/y.md", "ab.md", "a/b/c.md", "a/b-c.md", "a/b.md",
            "z.md", "Z.md", "é/e.md", "e.md",
        ];
        for name in names {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, format!("---\nid: x\n---\n{name}\n")).expect("write");
        }
        // A file that cannot be read as UTF-8 is left out of the files.
        std::fs::create_dir(dir.path().join("b")).expect("mkdir");
        std::fs::write(dir.path().join("b/unreadable.md"), [0xff, 0xfe]).expect("write");
        let (found, made) = discover_each(
            dir.path(),
            &Config::default(),
            &WalkOptions::default(),
            |file| file.path.clone(),
        );
        let paths: Vec<&str> = found.files.iter().map(|f| f.path.as_str()).collect();
        let mut sorted = names.to_vec();
        sorted.sort_unstable();
        assert_eq!(paths, sorted);
        assert_eq!(made, sorted, "what `each` made, in the files' order");
        assert!(
            found
                .diagnostics
                .iter()
                .any(|d| d.file == "b/unreadable.md" && d.rule == "encoding"),
            "{:?}",
            found.diagnostics
        );
    }

    #[test]
    fn the_filter_keeps_documents_and_skips_reserved_hidden_and_ignored_paths() {
        let config = Config {
            ignore: vec!["drafts/**".into()],
            ..Config::default()
        };
        let filter = SourceFilter::new(&config, Path::new("."), None);
        for rel in ["a.md", "bets/b.md", "public.md", "x/static/c.md"] {
            assert!(filter.is_document(rel), "{rel}");
        }
        for rel in [
            "a.txt",
            "static/a.md",
            "templates/a.md",
            "public/a.md",
            ".git/a.md",
            "bets/.b.md.swp",
            "bets/.b.md",
            "drafts/x.md",
        ] {
            assert!(!filter.is_document(rel), "{rel}");
        }
        let root = tempfile::tempdir().expect("root");
        let outside = tempfile::tempdir().expect("outside");
        let elsewhere = SourceFilter::new(&config, root.path(), Some(outside.path()));
        assert!(
            elsewhere.is_document("public/a.md"),
            "with an output folder elsewhere, public/ is content"
        );
        assert_eq!(elsewhere.output(), None);
        // Inside the root, not made yet, named through `.`: that folder is
        // output, and `public/` content.
        let nested = root.path().join("./site/out");
        let inside = SourceFilter::new(&config, root.path(), Some(&nested));
        assert_eq!(inside.output(), Some("site/out"));
        assert!(!inside.is_document("site/out/a.md"));
        assert!(inside.is_document("site/outer.md") && inside.is_document("public/a.md"));
        // The default build's `public/`, named or not, is one folder.
        let public = SourceFilter::new(&config, root.path(), Some(&root.path().join("public")));
        assert_eq!(public.output(), filter.output());
        assert_eq!(output_in_root(root.path(), Some(root.path())), None);
    }

    /// A site folder holding `a.md` with `text`, and the file as discovery reads it.
    fn site_with(text: &str) -> (tempfile::TempDir, RootGuard, SourceFile) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let abs = dir.path().join("a.md");
        std::fs::write(&abs, text).expect("write");
        let guard = RootGuard::new(dir.path());
        let file = read_source(&guard, "a.md".into(), abs).expect("read");
        (dir, guard, file)
    }

    const TEXT: &str = "---\nid: a\n---\n# A\n\nsee [[b]]\r\nlast line";

    #[test]
    fn a_released_text_is_read_again_whole_and_as_it_was() {
        let (_dir, guard, mut file) = site_with(&format!("\u{feff}{TEXT}"));
        let front = front_matter_text(&file.text).len();
        file.release_after(front);
        assert_eq!(file.text, "---\nid: a\n---\n");
        assert!(file.holds_line(3) && !file.holds_line(4));
        // The byte-order mark is dropped again, as when it was first read.
        assert_eq!(file.whole_text(&guard).expect("read again"), TEXT);
        file.restore_through(6, &guard).expect("read again");
        assert_eq!(file.text, "---\nid: a\n---\n# A\n\nsee [[b]]\r\n");
        assert!(file.holds_line(6) && !file.holds_line(7));
        // The last line has no line ending: holding it is holding it all.
        file.restore_through(7, &guard).expect("read again");
        assert_eq!((file.text.as_str(), file.released), (TEXT, None));
    }

    #[test]
    fn a_released_text_that_changed_on_disk_is_an_error_not_the_new_text() {
        let (dir, guard, mut file) = site_with(TEXT);
        file.release_after(front_matter_text(TEXT).len());
        // The same length, so only the hash tells.
        std::fs::write(dir.path().join("a.md"), TEXT.replace("[[b]]", "[[c]]")).expect("write");
        let changed = file.whole_text(&guard).expect_err("changed");
        assert_eq!(
            (changed.rule, changed.severity),
            ("io", crate::diagnostics::Severity::Error)
        );
        assert!(
            changed.message.contains("changed while"),
            "{}",
            changed.message
        );
        std::fs::remove_file(dir.path().join("a.md")).expect("remove");
        assert!(file.restore_through(5, &guard).is_err());
        assert_eq!(
            file.text, "---\nid: a\n---\n",
            "nothing is taken from a failed read"
        );
    }

    /// The second read opens the path without the guard's `realpath`:
    /// whatever is put in the file's place, only the text read first gets
    /// through, a link to the same text inside the site included, and a
    /// FIFO neither blocks nor is read.
    #[cfg(unix)]
    #[test]
    fn what_replaces_a_released_file_never_gets_through_the_second_read() {
        let (dir, guard, mut file) = site_with(TEXT);
        file.release_after(front_matter_text(TEXT).len());
        let at = dir.path().join("a.md");
        let outside = tempfile::tempdir().expect("temporary folder");
        let secret = outside.path().join("secret");
        std::fs::write(&secret, TEXT.replace("[[b]]", "[[s]]")).expect("write");
        std::fs::remove_file(&at).expect("remove");
        std::os::unix::fs::symlink(&secret, &at).expect("link");
        assert!(file.whole_text(&guard).is_err(), "a link out of the site");
        // A link inside the site to the same text: the guarded way reads it.
        let inside = dir.path().join("b.md");
        std::fs::write(&inside, TEXT).expect("write");
        std::fs::remove_file(&at).expect("remove");
        std::os::unix::fs::symlink(&inside, &at).expect("link");
        assert_eq!(file.whole_text(&guard).expect("same text"), TEXT);
        std::fs::remove_file(&at).expect("remove");
        let made = std::process::Command::new("mkfifo")
            .arg(&at)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            assert!(file.whole_text(&guard).is_err(), "a FIFO");
        }
    }

    #[test]
    fn a_text_is_released_only_before_its_end_and_at_a_character_boundary() {
        let mut file = SourceFile::new("a.md".into(), "a.md".into(), "é---".into());
        file.release_after(1);
        file.release_after(5);
        assert_eq!((file.text.as_str(), file.released), ("é---", None));
        let guard = RootGuard::new(Path::new("."));
        assert_eq!(file.whole_text(&guard).expect("held"), "é---");
        assert!(file.holds_line(u32::MAX));
    }
}
