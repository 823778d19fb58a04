//! Stage 1: find the site's Markdown files, read them, and parse each into a
//! typed [`Document`](crate::model::Document).
//!
//! This stage never looks at more than one document at a time: ids, links
//! and kinds between documents are the graph's job.

mod body;
mod document;
mod frontmatter;

pub use body::{
    extract_body, fence_language, join_relative, markdown_options, BodyFacts, BodyLink,
    BodyLinkTarget, LargeCodeBlock, MAX_HIGHLIGHTED_CODE_BYTES,
};
pub use document::{parse_document, KNOWN_FIELDS, NESTED_FIELDS};
pub use frontmatter::{split_front_matter, FrontMatter};

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Span};
use crate::text::LineIndex;

/// Documents larger than this are refused: nobody writes strategy that long,
/// and it keeps a stray data file from stalling a build.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A Markdown file read from the site.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, `/`-separated.
    pub path: String,
    /// Path on disk.
    pub abs_path: PathBuf,
    /// The file's text, without a leading byte-order mark.
    pub text: String,
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
pub fn discover(root: &Path, config: &Config, options: &WalkOptions) -> Discovered {
    let filter = SourceFilter::new(config, options.output_dir.as_deref());
    let output_dir = options
        .output_dir
        .as_ref()
        .and_then(|o| o.canonicalize().ok());
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    let mut diagnostics = Vec::new();

    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
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
            }
            true
        });

    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                diagnostics.push(walk_error(root, &err));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = relative_path(root, entry.path());
        if filter.is_document(&rel) {
            found.push((rel, entry.into_path()));
        }
    }

    let results: Vec<Result<SourceFile, Box<Diagnostic>>> = found
        .into_par_iter()
        .map(|(rel, abs)| read_source(rel, abs))
        .collect();
    let mut files = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diagnostics.push(*d),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Discovered { files, diagnostics }
}

/// Decides, from its path alone, whether a file is content. [`discover`]
/// asks it of every file it walks; serve's watcher, which hears about one path
/// at a time, asks it too.
#[derive(Debug)]
pub struct SourceFilter {
    ignore: GlobSet,
    /// No output folder was given, so `public/` (the default) is output, not content.
    public_is_output: bool,
}

impl SourceFilter {
    /// The filter for a site with `config`, built into `output_dir` (`public/` when `None`).
    pub fn new(config: &Config, output_dir: Option<&Path>) -> SourceFilter {
        SourceFilter {
            ignore: build_ignore(&config.ignore),
            public_is_output: output_dir.is_none(),
        }
    }

    /// Whether `rel` (relative to the root, `/`-separated) names a document.
    pub fn is_document(&self, rel: &str) -> bool {
        let hidden = rel.split('/').any(|p| p.is_empty() || p.starts_with('.'));
        let reserved = match rel.split_once('/') {
            Some(("static" | "templates", _)) => true,
            Some(("public", _)) => self.public_is_output,
            _ => false,
        };
        rel.ends_with(".md") && !hidden && !reserved && !self.ignore.is_match(rel)
    }
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

/// `path` relative to `root`, `/`-separated; the full path if it is not under `root`.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
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

/// Reads one document, refusing huge files and reporting bad encodings.
pub fn read_source(rel: String, abs: PathBuf) -> Result<SourceFile, Box<Diagnostic>> {
    let read = std::fs::metadata(&abs).and_then(|m| {
        if m.len() > MAX_FILE_BYTES {
            Ok(Err(m.len()))
        } else {
            std::fs::read(&abs).map(Ok)
        }
    });
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(len)) => {
            return Err(Box::new(
                Diagnostic::error(
                    "io",
                    rel,
                    Span::file_start(),
                    format!(
                        "file is {} MB; documents may be at most {} MB",
                        len / 1_000_000,
                        MAX_FILE_BYTES / 1024 / 1024
                    ),
                )
                .with_hint("split it into several documents, or add it to `ignore:`"),
            ))
        }
        Err(e) => {
            return Err(Box::new(
                Diagnostic::error(
                    "io",
                    rel,
                    Span::file_start(),
                    format!("cannot read this file: {e}"),
                )
                .with_hint("check its permissions, or add it to `ignore:` in throughline.yaml"),
            ))
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let span = LineIndex::new(&prefix).span(&prefix, valid, 0);
            return Err(Box::new(
                Diagnostic::error(
                    "encoding",
                    rel,
                    Span { len: 1, ..span },
                    format!(
                        "file is not valid UTF-8 (byte 0x{:02x} at offset {valid})",
                        bytes[valid]
                    ),
                )
                .with_hint("save the file as UTF-8"),
            ));
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(SourceFile {
        path: rel,
        abs_path: abs,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_keeps_documents_and_skips_reserved_hidden_and_ignored_paths() {
        let config = Config {
            ignore: vec!["drafts/**".into()],
            ..Config::default()
        };
        let filter = SourceFilter::new(&config, None);
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
        let elsewhere = SourceFilter::new(&config, Some(Path::new("/tmp/out")));
        assert!(
            elsewhere.is_document("public/a.md"),
            "with an output folder elsewhere, public/ is content"
        );
    }
}
