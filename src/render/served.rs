//! What serve keeps between renders: [`ServedPages`], a hash of the values
//! each page was rendered from (a build reads the previous build's from its
//! cache), and [`SearchEntries`], each document's search entry, from which
//! a partial render writes only the search index's files that change.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;

use super::body::search_entry;
use super::pages::Base;
use super::search::{self, CodedDoc, Dictionary, SearchDoc};
use super::view::Model;
use super::RenderError;
use crate::graph::DocId;
use crate::hash;
use crate::output::OutputFile;

/// Each document's search entry from earlier renders, by document id, so a
/// render of a few pages can still write the whole search index.
#[derive(Debug, Default)]
pub struct SearchEntries {
    pub(super) docs: HashMap<String, CodedDoc>,
    /// The words their codes number: only grows, which changes no output.
    pub(super) dictionary: Dictionary,
    /// The entries, as they were, of the documents whose entry changed
    /// since the search index was last written.
    pub(super) before: HashMap<String, CodedDoc>,
}

/// What serve remembers of the pages it serves, or a build of the pages the
/// previous build wrote (read from its [`cache`](super::cache)): a hash of the values each
/// was rendered from. A partial render hashes a page's values (cheap: no
/// template runs, nothing is allocated) and renders it only when the hash
/// differs, so one changed title no longer renders 12,000 findings again.
/// Templates are not part of the hash: serve starts afresh when they change.
#[derive(Debug, Default)]
pub struct ServedPages {
    hashes: Mutex<HashMap<String, u64>>,
    /// The pages the current render found unchanged.
    skipped: Mutex<Vec<String>>,
    /// The search index as last served, for writing only what an edit changes.
    pub(super) search: Mutex<Option<search::LiveIndex>>,
    /// graph.json's pieces as last served, for serialising only what an edit changes.
    pub(super) graph_json: Mutex<crate::graph::JsonPieces>,
}

impl ServedPages {
    /// Pages rendered before from values of these keys (a build's cache).
    pub(super) fn remembering(hashes: HashMap<String, u64>) -> ServedPages {
        ServedPages {
            hashes: Mutex::new(hashes),
            ..ServedPages::default()
        }
    }

    /// Each page's key, as the last render left them.
    pub(super) fn into_hashes(self) -> HashMap<String, u64> {
        self.hashes.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the page at `path` was served from these very values; remembers them if not.
    pub(super) fn unchanged(
        &self,
        path: &str,
        template: &str,
        base: &Base<'_>,
        context: &impl serde::Serialize,
    ) -> bool {
        // Plain data always serialises; a failure only costs a render.
        match hash::hash_value(&(template, base, context)) {
            Some(key) => self.unchanged_key(path, key),
            None => false,
        }
    }

    /// Whether the page at `path` was made from values of this `key`
    /// (counting it as skipped); remembers the key if not.
    pub(super) fn unchanged_key(&self, path: &str, key: u64) -> bool {
        let Ok(mut hashes) = self.hashes.lock() else {
            return false;
        };
        if hashes.get(path) == Some(&key) {
            drop(hashes);
            if let Ok(mut skipped) = self.skipped.lock() {
                skipped.push(path.to_string());
            }
            return true;
        }
        hashes.insert(path.to_string(), key);
        false
    }

    /// Remembers that the page at `path` is made from values of this `key`.
    pub(super) fn remember(&self, path: String, key: u64) {
        if let Ok(mut hashes) = self.hashes.lock() {
            hashes.insert(path, key);
        }
    }

    /// Whether the job `job`, all of whose files lie under `prefix`, was
    /// last made from inputs of this key, and each file it made is still
    /// here with its key: then those files are counted as skipped, and the
    /// job need not run. A file the output lost since (its key pruned)
    /// makes the job run again.
    pub(super) fn job_unchanged(&self, job: &str, prefix: &str, inputs: u64) -> bool {
        let paths: Vec<String> = {
            let Ok(hashes) = self.hashes.lock() else {
                return false;
            };
            let mut paths: Vec<&str> = hashes
                .keys()
                .map(String::as_str)
                .filter(|p| p.starts_with(prefix))
                .collect();
            paths.sort_unstable();
            if paths.is_empty()
                || hashes.get(&super::cache::job_key(job))
                    != Some(&hash::hash_of(&(inputs, &paths)))
            {
                return false;
            }
            paths.into_iter().map(str::to_string).collect()
        };
        self.keep(paths);
        true
    }

    /// Remembers that job `job` made the files at `paths` from inputs of this key.
    pub(super) fn remember_job(&self, job: &str, inputs: u64, paths: &[&str]) {
        let mut paths = paths.to_vec();
        paths.sort_unstable();
        self.remember(super::cache::job_key(job), hash::hash_of(&(inputs, &paths)));
    }

    /// The pages the last render left as they were, which are still part of the site.
    pub fn take_skipped(&self) -> Vec<String> {
        self.skipped
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }

    /// Forgets the pages at `paths`: they are no longer served.
    pub fn forget(&self, paths: &[String]) {
        if let Ok(mut hashes) = self.hashes.lock() {
            for path in paths {
                hashes.remove(path);
            }
        }
    }

    /// Forgets every page, so the next render renders them all.
    pub fn forget_all(&self) {
        if let Ok(mut hashes) = self.hashes.lock() {
            hashes.clear();
        }
        if let Ok(mut search) = self.search.lock() {
            *search = None;
        }
        self.take_skipped();
    }

    /// Counts `paths` as left unchanged by the current render.
    pub(super) fn keep(&self, paths: Vec<String>) {
        if let Ok(mut skipped) = self.skipped.lock() {
            skipped.extend(paths);
        }
    }
}

/// The search index of a partial render: entries `known` does not hold are
/// computed here (and kept). When serve's copy of the index is of the same
/// documents in the same order, only its files that change are returned,
/// and the others are kept as served.
pub(super) fn search_index(
    model: &Model<'_>,
    known: &mut SearchEntries,
    served: Option<&ServedPages>,
) -> Result<Vec<OutputFile>, RenderError> {
    let site = model.site;
    // The index's n-th entry is the n-th document with a page.
    let paged: Vec<DocId> = super::view::page_docs(site).collect();
    let missing: Vec<(DocId, SearchDoc)> = paged
        .par_iter()
        .copied()
        .filter(|&id| !known.docs.contains_key(&site.docs[id].id))
        .map(|id| Ok((id, search_entry(model, id)?)))
        .collect::<Result<_, RenderError>>()?;
    for (id, entry) in missing {
        let coded = CodedDoc::new(entry, &mut known.dictionary);
        known.docs.insert(site.docs[id].id.clone(), coded);
    }
    let kinds = search::kinds(model);
    let SearchEntries {
        docs,
        dictionary,
        before,
    } = known;
    let entry_at = |n: usize| docs.get(&site.docs.get(paged.get(n)?.index())?.id);
    let mut live = served.and_then(|s| s.search.lock().ok());
    if let Some(index) = live.as_deref_mut().and_then(Option::as_mut) {
        if index.fits(&kinds, paged.iter().map(|&d| site.docs[d].id.as_str())) {
            let changed: Vec<(usize, CodedDoc)> = before
                .drain()
                .filter_map(|(id, was)| {
                    let doc = site.graph.lookup(&id)?;
                    Some((paged.binary_search(&doc).ok()?, was))
                })
                .collect();
            let update = index.update(&changed, entry_at, dictionary);
            if let Some(served) = served {
                served.keep(update.unchanged);
            }
            return Ok(update.written);
        }
    }
    before.clear();
    let (index, files) = search::LiveIndex::write(
        &kinds,
        paged
            .iter()
            .map(|&d| &site.docs[d])
            .filter_map(|d| Some((d.id.as_str(), docs.get(&d.id)?))),
        dictionary,
    );
    if let Some(live) = live.as_deref_mut() {
        *live = Some(index);
    }
    Ok(files)
}
