//! `build`'s last stages: render the analysed site with its theme and write
//! it to the output folder through `output`'s staging, with the static files
//! beside the pages.

use std::path::Path;
use std::time::Duration;

use crate::diagnostics::Counts;
use crate::site::{RunError, Site};
use crate::text::plural;
use crate::{output, render, source};

/// The site's theme, compiled: what `build` renders with and `check` verifies.
pub fn load_theme(site: &Site) -> Result<render::theme::Theme, RunError> {
    render::theme::Theme::load(&site.root, &site.config)
        .map_err(|e| RunError::Other(format!("template error: {}", e.0)))
}

/// What a build wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Built {
    /// Files of the site, pages and assets together.
    pub files: usize,
    /// HTML pages among them.
    pub pages: usize,
    /// What reached the disk: in place or swapped, files written and removed.
    pub committed: output::Committed,
    /// Pages of the previous output left as they were without being
    /// rendered: the render cache showed their inputs unchanged.
    pub reused_pages: usize,
}

impl Built {
    /// `build`'s last line: the documents, pages and findings, how long it
    /// took and where it wrote; a rebuild in place says how much of the
    /// output it touched.
    pub fn summary(&self, documents: usize, counts: Counts, took: Duration, out: &Path) -> String {
        let touched = if self.committed.in_place {
            format!(
                " ({} changed, {} removed; {} unchanged, not rendered)",
                plural(self.committed.written, "file"),
                self.committed.removed,
                plural(self.reused_pages, "page")
            )
        } else {
            String::new()
        };
        format!(
            "built: {documents} documents, {} pages, {} in {} ms → {}{touched}",
            self.pages,
            tally(counts),
            took.as_millis(),
            out.display()
        )
    }
}

/// `build`'s last line when its findings stop it before anything is written.
pub fn refused_summary(documents: usize, counts: Counts) -> String {
    format!(
        "build failed: {documents} documents, {}, {}; nothing was written",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning")
    )
}

/// `check`'s last line: the verdict, the documents and findings, how long it took.
pub fn check_summary(documents: usize, counts: Counts, took: Duration) -> String {
    format!(
        "{}: {documents} documents, {} in {} ms",
        if counts.errors > 0 {
            "check failed"
        } else {
            "checked"
        },
        tally(counts),
        took.as_millis()
    )
}

/// "1 error, 2 warnings, 0 info", as the summaries say it.
fn tally(counts: Counts) -> String {
    format!(
        "{}, {}, {}",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.infos, "info")
    )
}

/// Renders a checked site with no errors into `out` (stages 4–5), updating a
/// previous output in place where it has a manifest; see [`write_site_with`].
pub fn write_site(site: &Site, out: &Path) -> Result<Built, RunError> {
    write_site_with(site, out, false)
}

/// Renders a checked site with no errors into `out` (stages 4–5): every page
/// is rendered; the changed ones (all of them when `clean` or when there is
/// no previous manifest) are written into a staging folder as they are
/// rendered, and brought in only once everything rendered.
pub fn write_site_with(site: &Site, out: &Path, clean: bool) -> Result<Built, RunError> {
    output::check_target(&site.root, out).map_err(|r| RunError::Other(r.0))?;
    let theme = load_theme(site)?;
    let cannot_write =
        |e: std::io::Error| RunError::Other(format!("cannot write `{}`: {e}", out.display()));
    let mut staging = output::Staging::create(out, clean).map_err(cannot_write)?;
    // The previous build's render cache, if the output being updated has
    // the very one that build wrote (its manifest says so), pruned of any
    // page the output no longer has.
    let previous = staging
        .previous_file(render::cache::CACHE_FILE)
        .and_then(|bytes| render::cache::RenderCache::decode(&bytes))
        .map(|mut cache| {
            cache
                .pages
                .retain(|path, _| staging.had(path) || render::cache::is_job_key(path));
            cache
        });
    let write = |file: output::OutputFile| {
        staging
            .write(&file)
            .map_err(|e| render::RenderError(format!("cannot write {}: {e}", file.path)))
    };
    let built =
        render::render_build(site, &theme, &write, previous).map_err(|e| RunError::Other(e.0))?;
    for path in &built.kept {
        staging.keep(path).map_err(cannot_write)?;
    }
    let mut cache = built.cache;
    let copied = copy_static(&site.root, &staging, |path| {
        // The page a static file replaces is rendered again next time.
        cache.pages.remove(path);
    })?;
    // Only the keys of pages the new output holds: not a removed document's.
    cache
        .pages
        .retain(|path, _| staging.has(path) || render::cache::is_job_key(path));
    staging
        .write_own(&output::OutputFile {
            path: render::cache::CACHE_FILE.into(),
            bytes: cache.encode(),
        })
        .map_err(cannot_write)?;
    let committed = staging.commit().map_err(cannot_write)?;
    let reused_pages = built.kept.iter().filter(|p| p.ends_with(".html")).count();
    Ok(Built {
        files: built.rendered.files + built.kept.len() + copied,
        pages: built.rendered.pages + reused_pages,
        committed,
        reused_pages,
    })
}

/// Copies `ROOT/static/**` into the output after rendering, so a static file replaces a generated one.
fn copy_static(
    root: &Path,
    staging: &output::Staging,
    mut copied: impl FnMut(&str),
) -> Result<usize, RunError> {
    for_each_static_file(root, |file| {
        copied(&file.path);
        staging
            .write(&file)
            .map_err(|e| RunError::Other(format!("cannot copy `static/{}`: {e}", file.path)))
    })
}

/// Hands every file under `ROOT/static/`, read into memory, to `each`; returns how many there were.
/// Symbolic links that lead out of the site root are skipped.
pub fn for_each_static_file(
    root: &Path,
    mut each: impl FnMut(output::OutputFile) -> Result<(), RunError>,
) -> Result<usize, RunError> {
    let dir = root.join("static");
    if !dir.is_dir() {
        return Ok(0);
    }
    let inside = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut count = 0;
    for entry in walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| RunError::Other(format!("cannot read static files: {e}")))?;
        // A link out of the site would publish whatever it points at (a key, a home folder).
        let escapes = entry
            .path()
            .canonicalize()
            .map_or(true, |real| !real.starts_with(&inside));
        if !entry.file_type().is_file() || escapes {
            continue;
        }
        let path = source::relative_path(&dir, entry.path());
        let bytes = std::fs::read(entry.path()).map_err(|e| {
            RunError::Other(format!("cannot read `{}`: {e}", entry.path().display()))
        })?;
        each(output::OutputFile { path, bytes })?;
        count += 1;
    }
    Ok(count)
}
