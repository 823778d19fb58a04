//! The site as `serve` keeps it between saves: the sources, their parses and
//! the rendered files, all in memory. [`LiveSite::update`] brings it up to
//! date after a batch of changed paths, running the same stages as `build`
//! but re-reading only the files that changed and re-rendering only the pages
//! whose content can change.
//!
//! Which pages can change: a page shows its own document in full and, of
//! every other document, only what [`DocState::summary`] covers (title,
//! kind, status, finding count, team, quarter, parent) for its neighbours,
//! its trail up and its subtree down. So after an edit the pages to render
//! again are those of the edited documents and their direct neighbours, of
//! every document whose summary changed together with its ancestors and
//! descendants, of every document whose findings changed, and the pages that
//! aggregate the whole site. A test checks the result against a full render
//! after many kinds of edit.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::config;
use crate::diagnostics::{self, Counts, Diagnostic, HumanStyle, Severity};
use crate::graph::DocId;
use crate::output::OutputFile;
use crate::render::{self, theme::Theme, view::doc_path, Job, RenderError, SearchEntries};
use crate::source::{self, SourceFilter};
use crate::{analyze_cached, git, Inputs, LoadOptions, ParseCache, RunError, Site};

/// A served file's contents, shared with the server threads. Not `Arc<[u8]>`:
/// making one from the rendered `Vec` copies it, 20 MB of search index per rebuild.
pub type FileBytes = Arc<Vec<u8>>;

/// The files being served and what is wrong with the latest build, shared with the server threads.
#[derive(Debug, Default)]
pub struct Served {
    /// Rendered pages and assets, by path relative to the site root.
    generated: HashMap<String, FileBytes>,
    /// `static/` files, which win over generated ones as in `build`.
    statics: HashMap<String, FileBytes>,
    /// The latest build's errors, shown over every page until they are fixed.
    pub problem: Option<Problem>,
}

impl Served {
    /// The file at `path` (relative, `/`-separated), if the site has one.
    pub fn file(&self, path: &str) -> Option<FileBytes> {
        self.statics
            .get(path)
            .or_else(|| self.generated.get(path))
            .cloned()
    }

    /// A site of these `(path, contents)` files, for the server's tests.
    #[cfg(test)]
    pub(crate) fn of(files: &[(&str, &str)]) -> Served {
        Served {
            generated: files
                .iter()
                .map(|(path, text)| (path.to_string(), Arc::new(text.as_bytes().to_vec())))
                .collect(),
            ..Served::default()
        }
    }

    /// Every path served, sorted; for tests and comparisons with `build`.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .generated
            .keys()
            .chain(self.statics.keys())
            .cloned()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        paths.sort();
        paths
    }
}

/// Why the latest build is not the one being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// One line: what failed.
    pub summary: String,
    /// The diagnostics in the human format, without colour.
    pub details: String,
}

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

/// What a served page was rendered from, per document id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DocState {
    /// The source file.
    file: String,
    /// A hash of what other pages show of this document.
    summary: u64,
    /// A hash of this document's own findings.
    findings: u64,
    /// Documents linked to or from this one: id, relation, whether the link is outgoing.
    neighbours: Vec<(String, &'static str, bool)>,
    /// Ids of the parent chain, nearest first.
    ancestors: Vec<String>,
}

/// Everything kept between rebuilds once the config and theme have loaded.
struct Loaded {
    site: Site,
    theme: Theme,
    filter: SourceFilter,
    /// Refuses links out of the root, as discovery does.
    guard: source::RootGuard,
    git_dates: Option<git::GitDates>,
    read_errors: BTreeMap<String, Diagnostic>,
    parses: ParseCache,
    search: SearchEntries,
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
        let (at, doc, parsed) = crate::reparse_in_place(site, &loaded.parses, &file)?;
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

/// What the served pages were rendered from.
#[derive(Debug, PartialEq, Eq)]
struct RenderedFrom {
    /// Per document id.
    states: HashMap<String, DocState>,
    /// A hash of every diagnostic.
    diagnostics_hash: u64,
    /// Whether any page had code: every page links the highlight stylesheet then.
    has_code: bool,
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

    /// The site root.
    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// Rebuilds after `changed` (absolute or root-relative paths); an empty list reloads everything.
    pub fn update(&mut self, changed: &[PathBuf]) -> Outcome {
        let started = Instant::now();
        let asked = !changed.is_empty();
        let mut changed: Vec<String> = changed
            .iter()
            .map(|p| self.relative(p))
            .filter(|rel| self.is_relevant(rel))
            .collect();
        // A batch can name a path more than once (several events of one save).
        changed.sort();
        changed.dedup();
        if asked && changed.is_empty() {
            return Outcome::nothing(started);
        }
        let full = changed.is_empty()
            || self.loaded.is_none()
            || changed.iter().any(|rel| self.reloads_everything(rel));
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

    /// Whether a change at `rel` can matter: a document, a folder that holds
    /// or held documents, or something that reloads everything. Editor swap
    /// files, `.git` and other hidden paths never do.
    fn is_relevant(&self, rel: &str) -> bool {
        if rel.is_empty() || rel.split('/').any(|p| p.starts_with('.')) {
            return false;
        }
        let Some(loaded) = &self.loaded else {
            return true;
        };
        let under = format!("{rel}/");
        self.reloads_everything(rel)
            || loaded.filter.is_document(rel)
            || self.options.root.join(rel).is_dir()
            || loaded
                .site
                .sources
                .iter()
                .any(|f| f.path.starts_with(&under))
            || loaded
                .read_errors
                .keys()
                .any(|p| p == rel || p.starts_with(&under))
    }

    /// Whether a change to `rel` can touch every page: config, templates, theme, static files.
    fn reloads_everything(&self, rel: &str) -> bool {
        let first = rel.split('/').next().unwrap_or("");
        let theme = self
            .loaded
            .as_ref()
            .map(|l| l.site.config.theme.as_str())
            .filter(|t| *t != "default");
        rel == config::CONFIG_FILE
            || matches!(first, "templates" | "static")
            || theme.is_some_and(|t| rel.starts_with(t.trim_end_matches('/')))
    }

    /// Reads and renders everything again.
    fn reload(&mut self) -> Result<(usize, usize), (Problem, String)> {
        let inputs = match crate::read_inputs(&self.options) {
            Ok(inputs) => inputs,
            Err(err) => {
                self.loaded = None;
                return Err(self.run_error(&err));
            }
        };
        let theme = match Theme::load(&self.options.root, &inputs.config) {
            Ok(theme) => theme,
            Err(e) => {
                self.loaded = None;
                return Err(plain_problem(format!("template error: {}", e.0)));
            }
        };
        let read_errors: BTreeMap<String, Diagnostic> = inputs
            .io_diagnostics
            .iter()
            .map(|d| (d.file.clone(), d.clone()))
            .collect();
        let git_dates = inputs.git_dates.clone();
        let mut parses = ParseCache::default();
        let site = analyze_cached(inputs, &self.options, &mut parses);
        let statics = match read_statics(&site.root) {
            Ok(statics) => statics,
            Err(err) => {
                self.loaded = None;
                return Err(self.run_error(&err));
            }
        };
        let filter = SourceFilter::new(&site.config, self.options.output_dir.as_deref());
        self.loaded = Some(Loaded {
            site,
            theme,
            filter,
            guard: source::RootGuard::new(&self.canonical_root),
            git_dates,
            read_errors,
            parses,
            search: SearchEntries::default(),
            rendered_from: None,
            reread: HashSet::new(),
            front_matter_before: HashMap::new(),
        });
        if let Ok(mut served) = self.served.write() {
            served.statics = statics;
        }
        self.render(Plan::WhatChanged)
    }

    /// Re-reads `changed` and renders the pages that can differ.
    fn rebuild(&mut self, changed: &[String]) -> Result<(usize, usize), (Problem, String)> {
        let Some(loaded) = self.loaded.as_mut() else {
            return self.reload();
        };
        if let Some(docs) = patch_bodies(loaded, &self.options.root, changed) {
            return self.render(Plan::Bodies(docs));
        }
        loaded
            .parses
            .give_back(std::mem::take(&mut loaded.site.docs));
        let mut sources = std::mem::take(&mut loaded.site.sources);
        for rel in changed {
            apply_change(loaded, &mut sources, &self.options.root, rel);
        }
        // The old site is replaced below: its config moves over instead of being copied.
        let inputs = Inputs {
            config: std::mem::take(&mut loaded.site.config),
            config_text: loaded.site.config_text.take(),
            sources,
            io_diagnostics: read_errors_of(&loaded.read_errors),
            git_dates: loaded.git_dates.clone(),
        };
        loaded.site = analyze_cached(inputs, &self.options, &mut loaded.parses);
        self.render(Plan::WhatChanged)
    }

    /// Renders what `plan` says can differ from the served pages, unless the site has errors.
    fn render(&mut self, plan: Plan) -> Result<(usize, usize), (Problem, String)> {
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
            return Err(report(site, &errors, summary, self.color));
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
                let after = RenderedFrom {
                    states: doc_states(site),
                    diagnostics_hash: hash_of(&site.diagnostics),
                    has_code: site.docs.iter().any(|d| d.body.has_code),
                };
                // A site-wide fact every page shows changed: nothing served can be kept.
                let before = loaded
                    .rendered_from
                    .as_ref()
                    .filter(|before| before.has_code == after.has_code);
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
                                .map(|(i, _)| i)
                                .collect(),
                        )
                    }
                    Some(before) => {
                        gone = before
                            .states
                            .keys()
                            .filter(|id| !after.states.contains_key(*id))
                            .map(|id| doc_path(id))
                            .collect();
                        let mut jobs: Vec<Job> =
                            pages_to_render(&before.states, &after.states, &loaded.reread, site)
                                .into_iter()
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
                        replace_all = true;
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
        );
        if let Err(e) = rendered {
            // The search entries may now be ahead of the pages: render everything next time.
            loaded.rendered_from = None;
            return Err(plain_problem(e.0));
        }
        let files = files.into_inner().unwrap_or_default();
        let rendered = files.len();
        let mut served = self
            .served
            .write()
            .map_err(|_| plain_problem("the server's state is poisoned; restart serve".into()))?;
        let files_changed = if replace_all {
            let count = files.len();
            served.generated = files
                .into_iter()
                .map(|f| (f.path, Arc::new(f.bytes)))
                .collect();
            count
        } else {
            let highlight = "assets/highlight.css";
            if jobs.contains(&Job::Assets) && !files.iter().any(|f| f.path == highlight) {
                gone.push(highlight.to_string());
            }
            let mut count = gone
                .iter()
                .filter(|path| served.generated.remove(path.as_str()).is_some())
                .count();
            for file in files {
                let same = served
                    .generated
                    .get(&file.path)
                    .is_some_and(|old| **old == *file.bytes);
                if !same {
                    count += 1;
                    served.generated.insert(file.path, Arc::new(file.bytes));
                }
            }
            count
        };
        if now.is_some() {
            loaded.rendered_from = now;
        }
        loaded.reread.clear();
        loaded.front_matter_before.clear();
        Ok((rendered, files_changed))
    }

    fn run_error(&self, err: &RunError) -> (Problem, String) {
        match err {
            RunError::Config { diagnostic, text } => {
                let mut lookup = HashMap::new();
                if let Some(text) = text {
                    lookup.insert(config::CONFIG_FILE.to_string(), text.clone());
                }
                let summary = format!(
                    "{} is invalid; still serving the last good build",
                    config::CONFIG_FILE
                );
                report(
                    &lookup,
                    std::slice::from_ref(diagnostic),
                    summary,
                    self.color,
                )
            }
            other => plain_problem(other.to_string()),
        }
    }
}

fn plain_problem(message: String) -> (Problem, String) {
    let problem = Problem {
        summary: message.clone(),
        details: String::new(),
    };
    (problem, format!("error: {message}\n"))
}

fn report(
    sources: &dyn diagnostics::SourceLookup,
    errors: &[Diagnostic],
    summary: String,
    color: bool,
) -> (Problem, String) {
    let render = |color: bool| {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = diagnostics::render_human(errors, sources, HumanStyle { color }, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    };
    let problem = Problem {
        summary,
        details: render(false),
    };
    (problem, render(color))
}

fn read_errors_of(errors: &BTreeMap<String, Diagnostic>) -> Vec<Diagnostic> {
    errors.values().cloned().collect()
}

fn read_statics(root: &Path) -> Result<HashMap<String, FileBytes>, RunError> {
    let mut statics = HashMap::new();
    crate::for_each_static_file(root, |file| {
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

/// What each document's page was built from, by id.
fn doc_states(site: &Site) -> HashMap<String, DocState> {
    let mut findings: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
    for d in &site.diagnostics {
        findings.entry(d.file.as_str()).or_default().push(d);
    }
    let graph = &site.graph;
    site.docs
        .par_iter()
        .enumerate()
        .map(|(i, doc)| {
            let own = findings
                .get(doc.file.as_str())
                .map_or(&[][..], Vec::as_slice);
            let summary = hash_of(&(
                &doc.id,
                &doc.title,
                &doc.kind,
                doc.status.map(|s| s.as_str()),
                own.len(),
                doc.team.as_ref().map(|t| &t.id),
                doc.quarter,
                graph.parent(i),
            ));
            let findings = hash_of(&own);
            let mut neighbours: Vec<(String, &'static str, bool)> = graph
                .outgoing(i)
                .map(|e| (site.docs[e.to].id.clone(), e.rel.as_str(), true))
                .chain(
                    graph
                        .incoming(i)
                        .map(|e| (site.docs[e.from].id.clone(), e.rel.as_str(), false)),
                )
                .collect();
            neighbours.sort();
            neighbours.dedup();
            let ancestors = graph
                .ancestors(i)
                .into_iter()
                .map(|a| site.docs[a].id.clone())
                .collect();
            let state = DocState {
                file: doc.file.clone(),
                summary,
                findings,
                neighbours,
                ancestors,
            };
            (doc.id.clone(), state)
        })
        .collect()
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

fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The documents whose pages can differ between `before` and `after` (see the module docs).
fn pages_to_render(
    before: &HashMap<String, DocState>,
    after: &HashMap<String, DocState>,
    reread: &HashSet<String>,
    site: &Site,
) -> Vec<DocId> {
    let mut touched: HashSet<&str> = HashSet::new();
    let mut moved: HashSet<&str> = HashSet::new();
    let mut affected: HashSet<&str> = HashSet::new();
    for id in before.keys().chain(after.keys()) {
        match (before.get(id), after.get(id)) {
            (Some(b), Some(a)) => {
                if b.summary != a.summary {
                    moved.insert(id);
                }
                if b.findings != a.findings || b.file != a.file {
                    touched.insert(id);
                }
            }
            _ => {
                moved.insert(id);
            }
        }
    }
    // A body-only edit changes neither summary nor findings: the files re-read name those pages.
    for (id, state) in before.iter().chain(after.iter()) {
        if reread.contains(&state.file) {
            touched.insert(id);
        }
    }
    for id in touched.iter().chain(moved.iter()) {
        affected.insert(id);
        for states in [before, after] {
            if let Some(s) = states.get(*id) {
                affected.extend(s.neighbours.iter().map(|n| n.0.as_str()));
            }
        }
    }
    for id in &moved {
        for states in [before, after] {
            if let Some(s) = states.get(*id) {
                affected.extend(s.ancestors.iter().map(String::as_str));
            }
            affected.extend(
                states
                    .iter()
                    .filter(|(_, s)| s.ancestors.iter().any(|a| a == id))
                    .map(|(other, _)| other.as_str()),
            );
        }
    }
    let mut ids: Vec<DocId> = affected
        .into_iter()
        .filter_map(|id| site.graph.lookup(id))
        .collect();
    ids.sort_unstable();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_example() -> tempfile::TempDir {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
        let dir = tempfile::tempdir().expect("temp dir");
        for entry in walkdir::WalkDir::new(&from)
            .into_iter()
            .filter_map(Result::ok)
        {
            let to = dir
                .path()
                .join(entry.path().strip_prefix(&from).expect("inside"));
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).expect("mkdir");
            } else {
                std::fs::copy(entry.path(), &to).expect("copy");
            }
        }
        dir
    }

    fn options(root: &Path) -> LoadOptions {
        LoadOptions {
            root: root.to_path_buf(),
            today: crate::date::parse_date("2026-11-24").expect("date"),
            drafts: false,
            output_dir: None,
            base_url: None,
        }
    }

    fn snapshot(live: &LiveSite) -> Vec<(String, Vec<u8>)> {
        let served = live.served.read().expect("lock");
        served
            .paths()
            .into_iter()
            .map(|p| {
                let bytes = served.file(&p).expect("listed").to_vec();
                (p, bytes)
            })
            .collect()
    }

    /// Asserts that the live site serves exactly what a fresh full build of the same files would.
    fn assert_same_as_full_build(live: &LiveSite, step: &str) {
        let (fresh, outcome) = LiveSite::start(options(live.root()), false);
        assert!(outcome.problem.is_none(), "{step}: {:?}", outcome.problem);
        let (ours, theirs) = (snapshot(live), snapshot(&fresh));
        let paths = |s: &[(String, Vec<u8>)]| s.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&ours), paths(&theirs), "{step}: different files");
        for ((path, a), (_, b)) in ours.iter().zip(&theirs) {
            assert!(a == b, "{step}: {path} differs from a full build");
        }
    }

    fn edit(root: &Path, rel: &str, from: &str, to: &str) -> PathBuf {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{rel} has no `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
        path
    }

    /// Changes files under the root and returns the paths a watcher would report.
    type Change = dyn Fn(&Path) -> Vec<PathBuf>;

    #[test]
    fn a_link_out_of_the_site_made_while_serving_is_never_served() {
        let dir = copy_example();
        let root = dir.path();
        let outside = tempfile::tempdir().expect("temp dir");
        let secret = "s3cr3t-from-outside-the-site";
        std::fs::write(
            outside.path().join("secret.md"),
            format!("---\nid: leaked\nkind: page\n---\n{secret}\n"),
        )
        .expect("write");
        let (mut live, outcome) = LiveSite::start(options(root), false);
        assert!(outcome.problem.is_none(), "{:?}", outcome.problem);

        let file_link = root.join("env.md");
        let folder_link = root.join("vendor");
        std::os::unix::fs::symlink(outside.path().join("secret.md"), &file_link).expect("link");
        std::os::unix::fs::symlink(outside.path(), &folder_link).expect("link");
        live.update(&[file_link, folder_link]);

        let served = snapshot(&live);
        assert!(served.iter().all(|(path, _)| !path.starts_with("leaked/")));
        for (path, bytes) in &served {
            assert!(
                !String::from_utf8_lossy(bytes).contains(secret),
                "{path} carries the outside file"
            );
        }
    }

    #[test]
    fn a_chain_thousands_deep_is_a_problem_shown_not_a_crash() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::write(
            root.join("cs.md"),
            "---\nid: cs\nkind: company-strategy\n---\n",
        )
        .expect("write");
        let mut parent = "cs".to_string();
        for i in 0..3_000 {
            std::fs::write(
                root.join(format!("p{i}.md")),
                format!("---\nid: p{i}\nkind: page\nparent: {parent}\n---\n"),
            )
            .expect("write");
            parent = format!("p{i}");
        }
        let (_live, outcome) = LiveSite::start(options(root), false);
        let problem = outcome.problem.expect("the deep chain is reported");
        assert!(
            problem.details.contains("deep-chain"),
            "{}",
            problem.details
        );
    }

    #[test]
    fn every_kind_of_edit_serves_what_a_full_build_would() {
        let dir = copy_example();
        let root = dir.path();
        let (mut live, outcome) = LiveSite::start(options(root), false);
        assert!(outcome.problem.is_none(), "{:?}", outcome.problem);
        assert!(outcome.full);
        let pages = snapshot(&live).len();
        assert!(pages > 50, "only {pages} files");

        let steps: Vec<(&str, Box<Change>)> = vec![
            (
                "body only",
                Box::new(|r| {
                    vec![edit(
                        r,
                        "bets/bet-smart-reserves.md",
                        "Let owners",
                        "Let merchants",
                    )]
                }),
            ),
            (
                "a link added in the body",
                Box::new(|r| {
                    vec![edit(
                        r,
                        "bets/bet-smart-reserves.md",
                        "Let merchants",
                        "See [[obj-weekly-forecast-habit]]. Let merchants",
                    )]
                }),
            ),
            (
                "a paragraph added above a link in the body",
                Box::new(|r| {
                    vec![edit(
                        r,
                        "bets/bet-smart-reserves.md",
                        "See [[obj-weekly-forecast-habit]].",
                        "A new paragraph.\n\nSee [[obj-weekly-forecast-habit]].",
                    )]
                }),
            ),
            (
                "title of the company strategy",
                Box::new(|r| {
                    vec![edit(
                        r,
                        "strategy/cs-fernhill.md",
                        "money desk",
                        "cash desk",
                    )]
                }),
            ),
            (
                "status of work",
                Box::new(|r| {
                    vec![edit(
                        r,
                        "work/w-forecast-email.md",
                        "status: committed",
                        "status: done",
                    )]
                }),
            ),
            (
                "move work to another parent",
                Box::new(|r| {
                    vec![edit(
                        r,
                        "work/w-forecast-email.md",
                        "parent: exp-forecast-email",
                        "parent: obj-weekly-forecast-habit",
                    )]
                }),
            ),
            (
                "metric check-in",
                Box::new(|r| {
                    vec![edit(
                        r,
                        "metrics/m-merchant-retention-90d.md",
                        "value: 83.1",
                        "value: 84.5",
                    )]
                }),
            ),
            (
                "code block appears",
                Box::new(|r| {
                    vec![edit(
                        r,
                        "work/w-api-keys.md",
                        "\n---\n",
                        "\n---\n```rust\nfn main() {}\n```\n",
                    )]
                }),
            ),
            (
                "a new document in a new folder",
                Box::new(|r| {
                    let folder = r.join("work/new");
                    std::fs::create_dir_all(&folder).expect("mkdir");
                    std::fs::write(folder.join("w-new.md"), "---\nid: w-new\nkind: work\ntitle: New work\nparent: obj-weekly-forecast-habit\nteam: team-insights\nstatus: committed\nowner: A\nlno: neutral\nreviewed: 2026-11-20\n---\nSee [[bet-smart-reserves]].\n").expect("write");
                    vec![folder]
                }),
            ),
            (
                "folder renamed",
                Box::new(|r| {
                    std::fs::rename(r.join("work/new"), r.join("work/renamed")).expect("rename");
                    vec![r.join("work/new"), r.join("work/renamed")]
                }),
            ),
            (
                "atomic save: temp file renamed over the document",
                Box::new(|r| {
                    let target = r.join("bets/bet-payout-status.md");
                    let text = std::fs::read_to_string(&target).expect("read").replacen(
                        "title:",
                        "title: Renamed -",
                        1,
                    );
                    let temp = r.join("bets/.bet-payout-status.md.swp");
                    std::fs::write(&temp, text).expect("write");
                    std::fs::rename(&temp, &target).expect("rename");
                    vec![temp, target]
                }),
            ),
            (
                "document deleted",
                Box::new(|r| {
                    let path = r.join("work/w-api-keys.md");
                    std::fs::remove_file(&path).expect("rm");
                    vec![path]
                }),
            ),
            (
                "config changed",
                Box::new(|r| {
                    let path = r.join(config::CONFIG_FILE);
                    let mut text = std::fs::read_to_string(&path).expect("read");
                    text.push_str("\n# a comment\n");
                    std::fs::write(&path, text).expect("write");
                    vec![path]
                }),
            ),
        ];
        for (step, change) in steps {
            let changed = change(root);
            let outcome = live.update(&changed);
            assert!(outcome.problem.is_none(), "{step}: {:?}", outcome.problem);
            assert!(
                outcome.files_changed > 0 || step == "config changed",
                "{step}: nothing changed"
            );
            assert_same_as_full_build(&live, step);
        }
    }

    #[test]
    fn only_edits_to_body_text_skip_resolving_the_site() {
        let dir = copy_example();
        let root = dir.path();
        let (mut live, _) = LiveSite::start(options(root), false);
        let mut patch = |from: &str, to: &str| {
            let rel = "bets/bet-smart-reserves.md".to_string();
            edit(root, &rel, from, to);
            let loaded = live.loaded.as_mut().expect("loaded");
            let patched = patch_bodies(loaded, root, std::slice::from_ref(&rel));
            if patched.is_none() {
                live.update(&[root.join(&rel)]);
            }
            patched.is_some()
        };
        assert!(patch("Let owners", "Let merchants"), "plain text");
        assert!(
            !patch("Let merchants", "Let [[team-insights]]"),
            "a new link"
        );
        assert!(
            !patch("Let [[team-insights]]", "Let\n\n# A heading\n\n"),
            "a heading"
        );
        assert!(
            !patch("status: committed", "status: shaping"),
            "front matter"
        );
    }

    #[test]
    fn a_broken_file_keeps_the_last_good_pages_and_a_fix_recovers() {
        let dir = copy_example();
        let root = dir.path();
        let (mut live, _) = LiveSite::start(options(root), false);
        let page = "bet-smart-reserves/index.html";
        let before = snapshot(&live);

        let path = edit(
            root,
            "bets/bet-smart-reserves.md",
            "quarter: 2027-Q1",
            "quarter: [2027",
        );
        let outcome = live.update(std::slice::from_ref(&path));
        let problem = outcome.problem.expect("broken YAML is an error");
        assert!(
            problem.details.contains("bets/bet-smart-reserves.md:"),
            "{}",
            problem.details
        );
        assert_eq!(snapshot(&live), before, "the last good pages stay served");
        assert!(live.served.read().expect("lock").problem.is_some());

        edit(
            root,
            "bets/bet-smart-reserves.md",
            "quarter: [2027",
            "quarter: 2027-Q2",
        );
        let outcome = live.update(&[path]);
        assert!(outcome.problem.is_none(), "{:?}", outcome.problem);
        assert!(live.served.read().expect("lock").problem.is_none());
        let html = live.served.read().expect("lock").file(page).expect("page");
        assert!(String::from_utf8_lossy(&html).contains("2027-Q2"));
        assert_same_as_full_build(&live, "after the fix");
    }

    #[test]
    fn a_broken_body_link_keeps_the_pages_and_removing_it_recovers() {
        let dir = copy_example();
        let root = dir.path();
        let (mut live, _) = LiveSite::start(options(root), false);
        let before = snapshot(&live);
        let rel = "bets/bet-smart-reserves.md";
        let path = edit(root, rel, "Let owners", "See [[no-such-doc]]. Let owners");
        let outcome = live.update(std::slice::from_ref(&path));
        assert!(outcome.problem.is_some(), "a broken link is an error");
        assert_eq!(snapshot(&live), before);
        // The fix changes the links the site holds, so it is analysed in full.
        edit(
            root,
            rel,
            "See [[no-such-doc]]. Let owners",
            "Let merchants",
        );
        let outcome = live.update(&[path]);
        assert!(outcome.problem.is_none(), "{:?}", outcome.problem);
        let html = live
            .served
            .read()
            .expect("lock")
            .file("bet-smart-reserves/index.html")
            .expect("page");
        assert!(String::from_utf8_lossy(&html).contains("Let merchants"));
        assert_same_as_full_build(&live, "after the fix");
    }

    #[test]
    fn front_matter_is_cut_where_parsing_cuts_it() {
        assert_eq!(front_matter("---\na: 1\n---\nbody\n"), "---\na: 1\n---\n");
        assert_eq!(front_matter("---\na: 1\n...\nbody\n"), "---\na: 1\n...\n");
        assert_eq!(front_matter("no front matter\n"), "");
        assert_eq!(front_matter("---\nunclosed\n"), "---\nunclosed\n");
    }

    #[test]
    fn a_broken_config_keeps_the_pages_and_recovers() {
        let dir = copy_example();
        let root = dir.path();
        let (mut live, _) = LiveSite::start(options(root), false);
        let before = snapshot(&live);
        let path = root.join(config::CONFIG_FILE);
        let good = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, "max_bets_per_quarter: [\n").expect("write");
        let outcome = live.update(std::slice::from_ref(&path));
        assert!(outcome.problem.is_some());
        assert_eq!(snapshot(&live), before);
        std::fs::write(&path, good).expect("write");
        let outcome = live.update(&[path]);
        assert!(outcome.problem.is_none(), "{:?}", outcome.problem);
        assert_same_as_full_build(&live, "config fixed");
    }
}
