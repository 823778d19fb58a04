//! The workspace as the server sees it: the site root, the files on disk,
//! the editor's open buffers laid over them, and the latest analysis.
//!
//! Buffers are overlays: an analysis reads every document from disk except
//! the open ones, whose unsaved text it reads instead, through
//! [`inputs_from_texts`], so the editor sees exactly what `check` would say
//! if the buffers were saved. Nothing here writes to disk.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lsp_types::Uri;

use crate::config::{Config, CONFIG_FILE};
use crate::diagnostics::Diagnostic;
use crate::git::GitDates;
use crate::graph::DocId;
use crate::model::Document;
use crate::site::{analyze_cached, inputs_from_texts, AnalysisCache, LoadOptions, RunError, Site};
use crate::source::{self, RootGuard, SourceFile};

use super::convert::{path_to_uri, relative_to, uri_to_path};

/// An open document's unsaved text.
#[derive(Debug, Clone)]
pub struct Buffer {
    /// The URI the client named it by (answers use it as given).
    pub uri: Uri,
    /// The client's version of the text.
    pub version: i32,
    /// The text.
    pub text: String,
}

/// The site, its open buffers and the latest analysis.
#[derive(Debug)]
pub struct Workspace {
    /// The site root as the client named it.
    pub root: PathBuf,
    /// The root as the file system resolves it (a client may name either).
    canonical_root: PathBuf,
    guard: RootGuard,
    /// How analyses run (today's date is refreshed for each).
    pub options: LoadOptions,
    /// Open buffers by root-relative path.
    pub open: BTreeMap<String, Buffer>,
    /// The latest analysis; its sources are the effective texts (disk overlaid with buffers).
    pub site: Option<Site>,
    /// Why the latest analysis could not run (an invalid `throughline.yaml`).
    pub problem: Option<RunError>,
    cache: AnalysisCache,
    git_dates: Option<GitDates>,
    /// The trackers' exports, read at each reload (a config change reloads).
    exports: Vec<crate::tracker::Export>,
    io_diagnostics: Vec<Diagnostic>,
    /// `throughline.yaml` as last read from disk.
    config_disk: Option<String>,
    /// Something changed since the latest analysis.
    dirty: bool,
    /// The next analysis must walk the disk again (start, config or folder changes).
    needs_reload: bool,
    /// Files changed on disk since the latest analysis (an in-place body patch cannot cover them).
    disk_touched: bool,
}

impl Workspace {
    /// A workspace for the site at `root`; nothing is read until the first [`Workspace::analyze`].
    pub fn new(root: PathBuf, options: LoadOptions) -> Workspace {
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        Workspace {
            guard: RootGuard::new(&root),
            root,
            canonical_root,
            options,
            open: BTreeMap::new(),
            site: None,
            problem: None,
            cache: AnalysisCache::default(),
            git_dates: None,
            exports: Vec::new(),
            io_diagnostics: Vec::new(),
            config_disk: None,
            dirty: true,
            needs_reload: true,
            disk_touched: false,
        }
    }

    /// The root-relative path of a URI, if it names a file inside the root.
    pub fn rel_path(&self, uri: &Uri) -> Option<String> {
        let path = uri_to_path(uri)?;
        relative_to(&self.root, &path).or_else(|| relative_to(&self.canonical_root, &path))
    }

    /// The URI to name `rel` by: the client's own for an open buffer.
    pub fn uri(&self, rel: &str) -> Option<Uri> {
        match self.open.get(rel) {
            Some(buffer) => Some(buffer.uri.clone()),
            None => path_to_uri(&self.root.join(rel)),
        }
    }

    /// The text the latest analysis read for `rel`, else the open buffer's
    /// (a file that is not a document). The analysed text, not a newer
    /// buffer, so that the spans of the analysis always fit it, even while
    /// an invalid config holds the analysis back.
    pub fn text(&self, rel: &str) -> Option<&str> {
        let analysed = self.site.as_ref().and_then(|site| {
            let i = site
                .sources
                .binary_search_by(|s| s.path.as_str().cmp(rel))
                .ok()?;
            Some(site.sources[i].text.as_str())
        });
        analysed.or_else(|| self.open.get(rel).map(|b| b.text.as_str()))
    }

    /// The document in `rel`, as of the latest analysis.
    pub fn doc(&self, rel: &str) -> Option<(DocId, &Document)> {
        let site = self.site.as_ref()?;
        let i = site
            .docs
            .binary_search_by(|d| d.file.as_str().cmp(rel))
            .map(DocId::new)
            .ok()?;
        Some((i, &site.docs[i]))
    }

    /// A buffer was opened or its text replaced.
    pub fn set_buffer(&mut self, rel: String, uri: Uri, version: i32, text: String) {
        if rel == CONFIG_FILE {
            self.needs_reload = true;
        }
        self.open.insert(rel, Buffer { uri, version, text });
        self.dirty = true;
    }

    /// A buffer was closed: its file counts as what is on disk again.
    pub fn close(&mut self, rel: &str) {
        if self.open.remove(rel).is_some() {
            self.disk_changed(&[rel.to_string()]);
        }
    }

    /// Files changed on disk (created, changed or deleted). Open buffers keep their text.
    pub fn disk_changed(&mut self, rels: &[String]) {
        for rel in rels {
            // A new or removed folder, or the config, changes which files are documents.
            if rel == CONFIG_FILE || !rel.ends_with(".md") {
                self.needs_reload = true;
            }
            self.cache.forget(rel);
        }
        self.dirty = true;
        self.disk_touched = true;
        let Some(site) = self.site.as_mut() else {
            self.needs_reload = true;
            return;
        };
        for rel in rels.iter().filter(|r| r.ends_with(".md")) {
            let found = site
                .sources
                .binary_search_by(|s| s.path.as_str().cmp(rel.as_str()));
            let read = source::read_source(&self.guard, rel.clone(), self.root.join(rel));
            match (found, read) {
                (Ok(i), Ok(file)) => site.sources[i] = file,
                (Err(i), Ok(file)) => site.sources.insert(i, file),
                (Ok(i), Err(_)) => {
                    site.sources.remove(i);
                }
                (Err(_), Err(_)) => {}
            }
        }
    }

    /// Analyses the site again if anything changed; returns whether it did.
    pub fn analyze(&mut self) -> bool {
        if !self.dirty {
            return false;
        }
        self.dirty = false;
        // The clock's day, read again at each analysis so that a session
        // left open overnight moves on; the config buffer's `as_of`, if any,
        // wins over it in the analysis.
        let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
        if let Ok(today) = crate::date::Today::new(None, epoch.as_deref()) {
            self.options.today = today;
        }
        let result = if self.needs_reload || self.site.is_none() {
            self.reload()
        } else if !self.disk_touched && self.patch_in_place() {
            return true;
        } else {
            self.overlay()
        };
        self.disk_touched = false;
        match result {
            Ok(site) => {
                self.site = Some(site);
                self.problem = None;
            }
            Err(problem) => self.problem = Some(problem),
        }
        true
    }

    /// Puts the buffers' texts in place when each edit is to a body and
    /// changes nothing the analysis depends on (typing prose): the graph and
    /// every finding stay valid, and no analysis runs. Returns whether it
    /// did; when any edit is more than that, nothing is changed.
    fn patch_in_place(&mut self) -> bool {
        let config_text = self.config_text();
        let Some(site) = self.site.as_mut() else {
            return false;
        };
        if site.config_text != config_text
            || site.today != self.options.today.with_as_of(site.config.as_of)
        {
            return false;
        }
        let mut patches = Vec::new();
        for (rel, buffer) in &self.open {
            if !rel.ends_with(".md") {
                continue;
            }
            match site
                .sources
                .binary_search_by(|s| s.path.as_str().cmp(rel.as_str()))
            {
                Ok(i) if site.sources[i].text == buffer.text => continue,
                Ok(_) if !buffer.text.starts_with('\u{feff}') => {}
                // A new file, or one whose text analysis would change first.
                _ => return false,
            }
            let file = SourceFile::new(rel.clone(), self.root.join(rel), buffer.text.clone());
            match crate::site::reparse_in_place(site, &self.cache, &file) {
                Some((at, doc, parsed)) => patches.push((at, doc, file, parsed)),
                None => return false,
            }
        }
        for (at, doc, file, parsed) in patches {
            site.sources[at] = file;
            site.docs[doc] = parsed;
        }
        true
    }

    /// The config text an analysis reads: the open buffer's, else the disk's.
    fn config_text(&self) -> Option<String> {
        match self.open.get(CONFIG_FILE) {
            Some(buffer) => Some(buffer.text.clone()),
            None => self.config_disk.clone(),
        }
    }

    fn config_error(text: Option<String>, diagnostic: Box<Diagnostic>) -> RunError {
        RunError::Config { diagnostic, text }
    }

    /// Walks the disk again, as `check` reads a site, then lays the buffers over it.
    fn reload(&mut self) -> Result<Site, RunError> {
        if !self.root.is_dir() {
            return Err(RunError::Root(format!(
                "`{}` is not a folder",
                self.root.display()
            )));
        }
        match Config::load(&self.root, crate::rules::HEALTH_RULES) {
            Ok((_, text)) => self.config_disk = text,
            // A broken config on disk matters only when no buffer replaces it.
            Err(diagnostic) => {
                if !self.open.contains_key(CONFIG_FILE) {
                    let text = std::fs::read_to_string(self.root.join(CONFIG_FILE)).ok();
                    return Err(Self::config_error(text, diagnostic));
                }
            }
        }
        let config_text = self.config_text();
        let config = parse_config(config_text.as_deref())?;
        let walk = source::WalkOptions {
            output_dir: self.options.output_dir.clone(),
        };
        let discovered = source::discover(&self.root, &config, &walk);
        // Read only: the editor server never writes a file (docs/editors.md),
        // the kept dates of the last build or check included.
        self.git_dates = crate::git::last_commit_dates_read_only(&self.root);
        self.exports = crate::site::read_exports(&self.root, &config);
        self.io_diagnostics = discovered.diagnostics;
        self.cache = AnalysisCache::default();
        if let Some(old) = self.site.take() {
            drop(old);
        }
        self.needs_reload = false;
        Ok(self.run(config_text, discovered.files))
    }

    /// Analyses the latest analysis's texts again with the buffers' current text.
    fn overlay(&mut self) -> Result<Site, RunError> {
        let config_text = self.config_text();
        // Checked before the texts are handed over, so a broken config keeps the last analysis.
        parse_config(config_text.as_deref())?;
        let Some(site) = self.site.take() else {
            return self.reload();
        };
        let sources = self.cache.keep(site).sources;
        Ok(self.run(config_text, sources))
    }

    fn run(&mut self, config_text: Option<String>, sources: Vec<SourceFile>) -> Site {
        let mut texts: BTreeMap<String, String> =
            sources.into_iter().map(|s| (s.path, s.text)).collect();
        for (rel, buffer) in &self.open {
            if !rel.ends_with(".md") {
                continue;
            }
            if texts.get(rel) != Some(&buffer.text) {
                self.cache.forget(rel);
                texts.insert(rel.clone(), buffer.text.clone());
            }
        }
        let inputs = inputs_from_texts(config_text.clone(), texts, &self.options);
        let mut inputs = match inputs {
            Ok(inputs) => inputs,
            // parse_config accepted this text a moment ago; this cannot happen,
            // but an empty site is a better answer than a panic.
            Err(_) => crate::site::Inputs {
                config_text,
                ..crate::site::Inputs::default()
            },
        };
        inputs.git_dates = self.git_dates.clone();
        inputs.exports = self.exports.clone();
        inputs.io_diagnostics = self.io_diagnostics.clone();
        analyze_cached(inputs, &self.options, &mut self.cache)
    }
}

fn parse_config(text: Option<&str>) -> Result<Config, RunError> {
    match text {
        Some(text) => {
            Config::parse(text, crate::rules::HEALTH_RULES).map_err(|diagnostic| RunError::Config {
                diagnostic,
                text: Some(text.to_string()),
            })
        }
        None => Ok(Config::default()),
    }
}
