//! The site as `serve` keeps it between saves: the sources, their parses and
//! the rendered files, all in memory. [`LiveSite::update`] brings it up to
//! date after a batch of changed paths, running the same stages as `build`
//! but re-reading only the files that changed and re-rendering only the pages
//! whose content can change.
//!
//! Which pages can change is for `serve/invalidate.rs` to say; what a
//! changed path is, for `serve/change.rs`; the served files live in
//! [`super::served`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::diagnostics::{Counts, Diagnostic, Severity};
use crate::git;
use crate::graph::DocId;
use crate::output::OutputFile;
use crate::render::{self, theme::Theme, Job, RenderError, SearchEntries, ServedPages};
use crate::site::{analyze_cached, AnalysisCache, Inputs, Kept, LoadOptions, RunError, Site};
use crate::source::{self, SourceFilter};

use super::change::{self, ChangeKind};
use super::invalidate::RenderedFrom;
use super::served::Failure;
pub use super::served::{FileBytes, Problem, Served};

/// What one [`LiveSite::update`] did, for the terminal line.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The paths that changed, relative to the root.
    pub changed: Vec<String>,
    /// Whether everything was reloaded (config, templates, static files).
    pub full: bool,
    /// Pages and files rendered.
    pub rendered: usize,
    /// Served files whose bytes changed, were added or removed.
    pub files_changed: usize,
    /// Documents in the site.
    pub documents: usize,
    /// Findings of the latest build.
    pub counts: Counts,
    /// From the start of the update to the new files being served.
    pub took: Duration,
    /// Set when the update failed: the old pages stay served.
    pub problem: Option<Problem>,
    /// The failure's diagnostics in the human format, coloured for the terminal.
    pub report: String,
}

impl Outcome {
    /// An update that found nothing relevant among the changed paths.
    fn nothing(started: Instant) -> Outcome {
        Outcome {
            changed: Vec::new(),
            full: false,
            rendered: 0,
            files_changed: 0,
            documents: 0,
            counts: Counts::default(),
            took: started.elapsed(),
            problem: None,
            report: String::new(),
        }
    }
}

/// Everything kept between rebuilds once the config and theme have loaded.
struct Loaded {
    site: Site,
    theme: Theme,
    filter: SourceFilter,
    /// Refuses links out of the root, as discovery does.
    guard: source::RootGuard,
    git_dates: Option<git::GitDates>,
    /// The trackers' exports as last read; a change to one reloads.
    exports: Vec<crate::tracker::Export>,
    read_errors: BTreeMap<String, Diagnostic>,
    parses: AnalysisCache,
    search: SearchEntries,
    /// What each served page was rendered from, so an unchanged page is not rendered again.
    pages: ServedPages,
    /// What the served pages show; `None` when they are older than the theme or config.
    rendered_from: Option<RenderedFrom>,
    /// Files re-read since the served pages were rendered.
    reread: HashSet<String>,
    /// The front matter each re-read file had when the served pages were rendered (`None`: new file).
    front_matter_before: HashMap<String, Option<String>>,
}

/// Which pages a render brings up to date.
enum Plan {
    /// Only these documents' bodies changed: their pages and the search index.
    Bodies(Vec<DocId>),
    /// Compare the site with what the served pages were rendered from.
    WhatChanged,
}

/// The jobs for documents whose body alone changed: no other page shows a body, but the search index does.
fn body_jobs(docs: Vec<DocId>) -> Vec<Job> {
    let mut jobs: Vec<Job> = docs.into_iter().map(Job::Document).collect();
    jobs.push(Job::Search);
    jobs
}

/// Takes in edits that change nothing but body text, without resolving and
/// judging the site again: each changed file must be a served document whose
/// re-parse (front matter, links, headings, code, parse diagnostics) equals
/// the one the site holds, so the graph and every finding stay as they are.
/// Returns the documents patched, or `None` (and changes nothing) when any
/// edit is more than that.
fn patch_bodies(loaded: &mut Loaded, root: &Path, changed: &[String]) -> Option<Vec<DocId>> {
    if loaded.rendered_from.is_none() || !loaded.reread.is_empty() {
        return None;
    }
    let site = &loaded.site;
    let mut patches = Vec::with_capacity(changed.len());
    for rel in changed {
        let file = source::read_source(&loaded.guard, rel.clone(), root.join(rel)).ok()?;
        let (at, doc, parsed) = crate::site::reparse_in_place(site, &loaded.parses, &file)?;
        patches.push((at, doc, file, parsed));
    }
    let mut docs = Vec::with_capacity(patches.len());
    for (at, doc, file, parsed) in patches {
        loaded.site.sources[at] = file;
        loaded.site.docs[doc] = parsed;
        docs.push(doc);
    }
    Some(docs)
}

/// A site kept in memory and rebuilt on change.
pub struct LiveSite {
    options: LoadOptions,
    /// The root as the watcher names it (symbolic links resolved).
    canonical_root: PathBuf,
    loaded: Option<Loaded>,
    served: Arc<RwLock<Served>>,
    color: bool,
}

impl LiveSite {
    /// Loads and renders the site at `options.root`. Errors in the site do
    /// not stop it: they become the [`Problem`] served over every page.
    pub fn start(options: LoadOptions, color: bool) -> (LiveSite, Outcome) {
        let canonical_root = options
            .root
            .canonicalize()
            .unwrap_or_else(|_| options.root.clone());
        let mut live = LiveSite {
            options,
            canonical_root,
            loaded: None,
            served: Arc::new(RwLock::new(Served::default())),
            color,
        };
        let outcome = live.update(&[]);
        (live, outcome)
    }

    /// The files being served, shared with the server.
    pub fn served(&self) -> Arc<RwLock<Served>> {
        Arc::clone(&self.served)
    }

    /// The site as last analysed, when its config and theme loaded.
    pub fn site(&self) -> Option<&Site> {
        self.loaded.as_ref().map(|l| &l.site)
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// Rebuilds after `changed` (absolute or root-relative paths); an empty list reloads everything.
    pub fn update(&mut self, changed: &[PathBuf]) -> Outcome {
        let started = Instant::now();
        let asked = !changed.is_empty();
        let mut changed: Vec<(String, ChangeKind)> = changed
            .iter()
            .map(|p| {
                let rel = self.relative(p);
                let kind = self.classify(&rel);
                (rel, kind)
            })
            .filter(|(rel, kind)| self.matters(rel, *kind))
            .collect();
        // A batch can name a path more than once (several events of one save).
        changed.sort_by(|a, b| a.0.cmp(&b.0));
        changed.dedup_by(|a, b| a.0 == b.0);
        if asked && changed.is_empty() {
            return Outcome::nothing(started);
        }
        let full = changed.is_empty()
            || self.loaded.is_none()
            || changed.iter().any(|(_, kind)| kind.reloads_everything());
        let changed: Vec<String> = changed.into_iter().map(|(rel, _)| rel).collect();
        let result = if full {
            self.reload()
        } else {
            self.rebuild(&changed)
        };
        let (rendered, files_changed, failure) = match result {
            Ok((rendered, files_changed)) => (rendered, files_changed, None),
            Err(failure) => (0, 0, Some(failure)),
        };
        let (documents, counts) = self.loaded.as_ref().map_or((0, Counts::default()), |l| {
            (l.site.docs.len(), Counts::of(&l.site.diagnostics))
        });
        let (problem, report) = match failure {
            Some((problem, report)) => (Some(problem), report),
            None => (None, String::new()),
        };
        if let Ok(mut served) = self.served.write() {
            served.problem = problem.clone();
        }
        Outcome {
            changed,
            full,
            rendered,
            files_changed,
            documents,
            counts,
            took: started.elapsed(),
            problem,
            report,
        }
    }

    fn relative(&self, path: &Path) -> String {
        let rel = path
            .strip_prefix(&self.options.root)
            .or_else(|_| path.strip_prefix(&self.canonical_root))
            .unwrap_or(path);
        source::relative_path(Path::new(""), rel)
    }

    /// What the change at `rel` is, given the loaded site's filter and theme.
    fn classify(&self, rel: &str) -> ChangeKind {
        let loaded = self.loaded.as_ref();
        let theme = loaded
            .map(|l| l.site.config.theme.as_str())
            .filter(|t| *t != "default");
        if loaded.is_some_and(|l| l.site.config.trackers.iter().any(|t| t.file == rel)) {
            return ChangeKind::Export;
        }
        let is_dir = self.options.root.join(rel).is_dir();
        change::classify(rel, is_dir, loaded.map(|l| &l.filter), theme)
    }

    /// Whether a change of `kind` at `rel` can matter. A path that is
    /// neither content nor a folder matters if it held documents or an
    /// unreadable file (a deleted folder), or before any site has loaded.
    fn matters(&self, rel: &str, kind: ChangeKind) -> bool {
        match kind {
            ChangeKind::Irrelevant => false,
            ChangeKind::Other => {
                let Some(loaded) = &self.loaded else {
                    return true;
                };
                let under = format!("{rel}/");
                loaded
                    .site
                    .sources
                    .iter()
                    .any(|f| f.path.starts_with(&under))
                    || loaded
                        .read_errors
                        .keys()
                        .any(|p| p == rel || p.starts_with(&under))
            }
            _ => true,
        }
    }

    /// Reads and renders everything again.
    fn reload(&mut self) -> Result<(usize, usize), Failure> {
        let inputs = match crate::site::read_inputs(&self.options) {
            Ok(inputs) => inputs,
            Err(err) => {
                self.loaded = None;
                return Err(Problem::of_run_error(&err, self.color));
            }
        };
        let theme = match Theme::load(&self.options.root, &inputs.config) {
            Ok(theme) => theme,
            Err(e) => {
                self.loaded = None;
                return Err(Problem::plain(format!("template error: {}", e.0)));
            }
        };
        let read_errors: BTreeMap<String, Diagnostic> = inputs
            .io_diagnostics
            .iter()
            .map(|d| (d.file.clone(), d.clone()))
            .collect();
        let git_dates = inputs.git_dates.clone();
        let exports = inputs.exports.clone();
        let mut parses = AnalysisCache::default();
        let mut site = analyze_cached(inputs, &self.options, &mut parses);
        // Read once per (re)load, not per edit: the history changes with
        // commits, not with saves; a config or theme change reloads it.
        site.history = std::sync::Arc::new(crate::site::read_history(&self.options, true));
        let statics = match read_statics(&site.root) {
            Ok(statics) => statics,
            Err(err) => {
                self.loaded = None;
                return Err(Problem::of_run_error(&err, self.color));
            }
        };
        let filter = SourceFilter::new(
            &site.config,
            &self.options.root,
            self.options.output_dir.as_deref(),
        );
        self.loaded = Some(Loaded {
            site,
            theme,
            filter,
            guard: source::RootGuard::new(&self.canonical_root),
            git_dates,
            exports,
            read_errors,
            parses,
            search: SearchEntries::default(),
            pages: ServedPages::default(),
            rendered_from: None,
            reread: HashSet::new(),
            front_matter_before: HashMap::new(),
        });
        if let Ok(mut served) = self.served.write() {
            served.set_statics(statics);
        }
        self.render(Plan::WhatChanged)
    }

    /// Re-reads `changed` and renders the pages that can differ.
    fn rebuild(&mut self, changed: &[String]) -> Result<(usize, usize), Failure> {
        let Some(loaded) = self.loaded.as_mut() else {
            return self.reload();
        };
        if let Some(docs) = patch_bodies(loaded, &self.options.root, changed) {
            return self.render(Plan::Bodies(docs));
        }
        // Read at (re)load only: saves do not change the history.
        let history = std::sync::Arc::clone(&loaded.site.history);
        // The old site is replaced below: what the next analysis can use of it moves over.
        let old = std::mem::replace(&mut loaded.site, Site::empty(&self.options));
        let Kept {
            config,
            config_text,
            mut sources,
        } = loaded.parses.keep(old);
        for rel in changed {
            apply_change(loaded, &mut sources, &self.options.root, rel);
        }
        let inputs = Inputs {
            config,
            config_text,
            sources,
            io_diagnostics: read_errors_of(&loaded.read_errors),
            git_dates: loaded.git_dates.clone(),
            exports: loaded.exports.clone(),
        };
        loaded.site = analyze_cached(inputs, &self.options, &mut loaded.parses);
        loaded.site.history = history;
        self.render(Plan::WhatChanged)
    }

    /// Renders what `plan` says can differ from the served pages, unless the site has errors.
    fn render(&mut self, plan: Plan) -> Result<(usize, usize), Failure> {
        let Some(loaded) = self.loaded.as_mut() else {
            return Ok((0, 0));
        };
        let site = &loaded.site;
        let errors: Vec<Diagnostic> = site
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        if !errors.is_empty() {
            let summary = format!(
                "{} in the site; still serving the last good build",
                crate::text::plural(errors.len(), "error")
            );
            return Err(Problem::report(site, &errors, summary, self.color));
        }
        // What the served pages will have been rendered from, when that changes.
        let mut now = None;
        // Served paths whose page no longer exists.
        let mut gone: Vec<String> = Vec::new();
        // Whether every served page is replaced, rather than only those rendered.
        let mut replace_all = false;
        let jobs = match plan {
            Plan::Bodies(docs) => body_jobs(docs),
            Plan::WhatChanged => {
                let after = RenderedFrom::of(site, loaded.rendered_from.as_ref());
                // A site-wide fact every page shows changed: nothing served can be kept.
                let before = loaded
                    .rendered_from
                    .as_ref()
                    .filter(|before| before.site_wide() == after.site_wide());
                let jobs = match before {
                    Some(before)
                        if *before == after
                            && same_front_matter(&loaded.front_matter_before, site) =>
                    {
                        body_jobs(
                            site.docs
                                .iter()
                                .enumerate()
                                .filter(|(_, d)| loaded.reread.contains(&d.file))
                                .map(|(i, _)| DocId::new(i))
                                .collect(),
                        )
                    }
                    Some(before) => {
                        gone = before.pages_gone(&after);
                        let mut jobs: Vec<Job> = before
                            .pages_to_render(&after, &loaded.reread, site)
                            .into_iter()
                            .filter(|&d| site.docs[d].tracker.is_none())
                            .map(Job::Document)
                            .collect();
                        jobs.extend(
                            render::all_jobs(site)
                                .into_iter()
                                .filter(|j| !matches!(j, Job::Document(_))),
                        );
                        jobs
                    }
                    None => {
                        // Every served page is replaced by what this render writes: skip none.
                        replace_all = true;
                        loaded.pages.forget_all();
                        render::all_jobs(site)
                    }
                };
                now = Some(after);
                jobs
            }
        };
        let files = Mutex::new(Vec::new());
        let rendered = render::render_partial(
            site,
            &loaded.theme,
            &jobs,
            &|file: OutputFile| {
                files
                    .lock()
                    .map_err(|_| RenderError("a render thread panicked".into()))?
                    .push(file);
                Ok(())
            },
            &mut loaded.search,
            &loaded.pages,
            now.as_ref().map(RenderedFrom::appearances),
        );
        let skipped = loaded.pages.take_skipped();
        if let Err(e) = rendered {
            // The search entries may now be ahead of the pages: render everything next time.
            loaded.rendered_from = None;
            loaded.pages.forget_all();
            return Err(Problem::plain(e.0));
        }
        let files = files.into_inner().unwrap_or_default();
        let rendered = files.len();

        let mut served = self
            .served
            .write()
            .map_err(|_| Problem::plain("the server's state is poisoned; restart serve".into()))?;
        let files_changed = if replace_all {
            served.replace_all(files)
        } else {
            let highlight = "assets/highlight.css";
            if jobs.contains(&Job::Assets) && !files.iter().any(|f| f.path == highlight) {
                gone.push(highlight.to_string());
            }
            // The health job writes a page per rule with findings (and per
            // 1,000 of them): a rule whose findings are all fixed, or a rule
            // with fewer pages, leaves pages that a full build would not write.
            // So do search (a word no document has any more, a fragment of
            // documents past the last one) and the trace (a branch that
            // now fits the page above it). A page skipped as unchanged is
            // still there.
            let written: HashSet<&str> = files
                .iter()
                .map(|f| f.path.as_str())
                .chain(skipped.iter().map(String::as_str))
                .collect();
            for (job, prefix) in [
                (Job::Health, render::HEALTH_PREFIX),
                (Job::Search, render::SEARCH_PREFIX),
                (Job::Trace, render::TRACE_PREFIX),
            ] {
                if jobs.contains(&job) {
                    gone.extend(
                        served
                            .generated_under(prefix)
                            .into_iter()
                            .filter(|p| !written.contains(p.as_str())),
                    );
                }
            }
            // A page that comes back must be rendered again, even from the same values.
            loaded.pages.forget(&gone);
            served.apply(&gone, files)
        };
        if now.is_some() {
            loaded.rendered_from = now;
        }
        loaded.reread.clear();
        loaded.front_matter_before.clear();
        Ok((rendered, files_changed))
    }
}

fn read_errors_of(errors: &BTreeMap<String, Diagnostic>) -> Vec<Diagnostic> {
    errors.values().cloned().collect()
}

fn read_statics(root: &Path) -> Result<HashMap<String, FileBytes>, RunError> {
    let mut statics = HashMap::new();
    crate::build::for_each_static_file(root, |file| {
        statics.insert(file.path, Arc::new(file.bytes));
        Ok(())
    })?;
    Ok(statics)
}

/// Brings `sources` up to date with the file or folder at `rel`: read, added, or gone.
fn apply_change(
    loaded: &mut Loaded,
    sources: &mut Vec<source::SourceFile>,
    root: &Path,
    rel: &str,
) {
    let abs = root.join(rel);
    let under = format!("{rel}/");
    let mut gone: Vec<String> = sources
        .iter()
        .filter(|f| f.path == rel || f.path.starts_with(&under))
        .map(|f| f.path.clone())
        .collect();
    gone.extend(
        loaded
            .read_errors
            .keys()
            .filter(|p| *p == rel || p.starts_with(&under))
            .cloned(),
    );
    for path in &gone {
        forget(loaded, sources, path);
    }
    let Ok(meta) = std::fs::metadata(&abs) else {
        return;
    };
    let paths: Vec<String> = if meta.is_dir() {
        walkdir::WalkDir::new(&abs)
            .follow_links(true)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| source::relative_path(root, e.path()))
            .collect()
    } else {
        vec![rel.to_string()]
    };
    let paths: Vec<String> = paths
        .into_iter()
        .filter(|p| loaded.filter.is_document(p))
        .collect();
    for path in paths {
        forget(loaded, sources, &path);
        match source::read_source(&loaded.guard, path.clone(), root.join(&path)) {
            Ok(file) => {
                let at = sources.partition_point(|f| f.path < file.path);
                sources.insert(at, file);
            }
            Err(diagnostic) => {
                loaded.read_errors.insert(path, *diagnostic);
            }
        }
    }
}

fn forget(loaded: &mut Loaded, sources: &mut Vec<source::SourceFile>, path: &str) {
    loaded.reread.insert(path.to_string());
    loaded.parses.forget(path);
    loaded.read_errors.remove(path);
    let found = sources.binary_search_by(|f| f.path.as_str().cmp(path));
    // The first version seen since the served pages is the one they were rendered from.
    loaded
        .front_matter_before
        .entry(path.to_string())
        .or_insert_with(|| {
            found
                .ok()
                .map(|i| front_matter(&sources[i].text).to_string())
        });
    if let Ok(i) = found {
        sources.remove(i);
    }
}

/// The front matter block of a document's text, fences included: everything
/// before the body, cut where parsing cuts it (the whole text when unclosed).
fn front_matter(text: &str) -> &str {
    source::front_matter_text(text)
}

/// Whether every re-read file still exists and kept the front matter the served pages show.
fn same_front_matter(before: &HashMap<String, Option<String>>, site: &Site) -> bool {
    before.iter().all(|(path, old)| {
        let now = site
            .sources
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| front_matter(&site.sources[i].text));
        matches!((old, now), (Some(old), Some(now)) if old == now)
    })
}

#[cfg(test)]
#[path = "session/tests.rs"]
pub(crate) mod tests;
