//! What an analysis keeps for the next one: the parse of every file and the
//! per-document findings, so serve and the editor server analyse again only
//! what an edit can reach.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::config::Config;
use crate::date;
use crate::diagnostics::Diagnostic;
use crate::graph::{Graph, ResolveContext};
use crate::model::{Document, SourceId};
use crate::source::SourceFile;
use crate::{analysis, config, graph, source};

use super::Site;

/// What an analysis keeps of the one before it, for the next to reuse.
///
/// Parsing is the only stage whose work is per file, so each file's parse is
/// remembered until the caller [forgets](AnalysisCache::forget) it: the
/// caller knows which files it re-read (serve hears it from the watcher, the
/// editor server from the buffers), so the cache never hashes texts to find
/// out. The graph is resolved again every time; of the rules, those that judge
/// one document at a time judge again only the documents a forgotten file
/// can reach ([`analysis::reach`]). Hand the site back with
/// [`AnalysisCache::keep`] before the next analysis: its documents are lent
/// to it, not copied, and are parsed again if they are not given back.
#[derive(Debug, Default)]
pub struct AnalysisCache {
    /// The last site's documents, in path order, as it handed them back:
    /// the next analysis takes each one whose file is still there and was
    /// not forgotten, walking both lists in step. (A map by path moved each
    /// of 10,000 documents, 900 bytes apiece, in and out on every edit:
    /// 9 ms of a title edit's analysis.)
    pub(super) kept: Vec<Document>,
    /// Files whose kept document must not be reused.
    pub(super) forgotten: foldhash::HashSet<String>,
    // foldhash: SipHash made the lookups a tenth of a front-matter edit's analysis.
    pub(super) diagnostics: HashMap<String, Vec<Diagnostic>, foldhash::fast::RandomState>,
    pub(super) earlier: Option<Earlier>,
    /// Whether the last parse left every document's links as they were
    /// ([`graph::same_links`]), so the earlier graph still holds.
    pub(super) links_unchanged: bool,
    /// What the earlier graph was resolved with, and the findings it gave.
    pub(super) graph_context: ResolveContext,
    pub(super) graph_diagnostics: Vec<Diagnostic>,
}

/// What the rules of the next analysis reuse of the last one.
#[derive(Debug)]
pub(super) struct Earlier {
    /// The judged documents' files, in [`DocId`] order.
    pub(super) files: Vec<String>,
    pub(super) graph: Graph,
    pub(super) facts: analysis::Facts,
    /// Every diagnostic of the last analysis; the rules keep what still holds.
    pub(super) findings: Vec<Diagnostic>,
    pub(super) config_text: Option<String>,
    pub(super) today: date::Date,
}

impl Earlier {
    /// Whether it judged these very `docs`, in this order, under this config text.
    pub(super) fn judged(&self, docs: &[Document], config_text: Option<&str>) -> bool {
        self.config_text.as_deref() == config_text
            && self.files.len() == docs.len()
            && self.files.iter().zip(docs).all(|(f, d)| *f == d.file)
    }
}

/// The parts of a kept [`Site`] its next analysis starts from.
#[derive(Debug)]
pub struct Kept {
    /// The config.
    pub config: Config,
    /// The config's text.
    pub config_text: Option<String>,
    /// The source texts, in path order.
    pub sources: Vec<SourceFile>,
}

impl AnalysisCache {
    /// Drops what is known about `path`, so the next analysis parses it again.
    pub fn forget(&mut self, path: &str) {
        self.forgotten.insert(path.to_string());
        self.diagnostics.remove(path);
    }

    /// The diagnostics the parse of `path` gave, if the cache holds it.
    pub fn diagnostics_of(&self, path: &str) -> Option<&[Diagnostic]> {
        self.diagnostics.get(path).map(Vec::as_slice)
    }

    /// Takes back the site of the last analysis for the next one to reuse,
    /// and returns what that one starts from.
    pub fn keep(&mut self, site: Site) -> Kept {
        let Site {
            config,
            config_text,
            sources,
            docs,
            graph,
            facts,
            diagnostics,
            today,
            ..
        } = site;
        self.earlier = Some(Earlier {
            files: docs.iter().map(|d| d.file.clone()).collect(),
            graph,
            facts,
            findings: diagnostics,
            config_text: config_text.clone(),
            today,
        });
        if self.kept.is_empty() {
            self.kept = docs;
        } else {
            // A site kept over another one not yet analysed again: the newer
            // document of a file wins, as it was written last.
            self.kept.extend(docs);
            self.kept.reverse();
            self.kept.sort_by(|a, b| a.file.cmp(&b.file));
            self.kept
                .dedup_by(|later, earlier| later.file == earlier.file);
        }
        Kept {
            config,
            config_text,
            sources,
        }
    }

    /// Parses the files of `sources` the cache does not hold; lends out the rest.
    /// Marks in `fresh` (by [`SourceId`]) the files it parsed.
    pub(super) fn parse(
        &mut self,
        sources: &[SourceFile],
        schema: &config::Schema,
        fresh: &mut [bool],
    ) -> (Vec<Document>, Vec<Vec<Diagnostic>>) {
        let same_files = self.kept.len() == sources.len()
            && self.kept.iter().zip(sources).all(|(d, f)| d.file == f.path);
        if same_files {
            return self.parse_in_place(sources, schema, fresh);
        }
        self.links_unchanged = false;
        // Both in path order: a kept document is its file's, or of a file
        // that is gone (skipped).
        let mut kept = std::mem::take(&mut self.kept).into_iter().peekable();
        let mut parsed: Vec<Option<(Document, Vec<Diagnostic>)>> =
            Vec::with_capacity(sources.len());
        for (i, file) in SourceId::all(sources.len()).zip(sources) {
            while kept.next_if(|d| d.file < file.path).is_some() {}
            let hit = kept
                .next_if(|d| d.file == file.path)
                .filter(|_| !self.forgotten.contains(&file.path))
                .and_then(|mut doc| {
                    let diagnostics = self.diagnostics.get(&file.path)?.clone();
                    doc.source = i;
                    fresh[i] = false;
                    Some((doc, diagnostics))
                });
            parsed.push(hit);
        }
        self.forgotten.clear();
        let stale: Vec<SourceId> = SourceId::all(sources.len())
            .filter(|&i| parsed[i].is_none())
            .collect();
        for (i, doc) in self.parse_and_remember(sources, schema, &stale) {
            let diagnostics = self.diagnostics_of(&sources[i].path).unwrap_or_default();
            parsed[i] = Some((doc, diagnostics.to_vec()));
        }
        if self.diagnostics.len() > sources.len() {
            let live: std::collections::HashSet<&str> =
                sources.iter().map(|f| f.path.as_str()).collect();
            self.diagnostics
                .retain(|path, _| live.contains(path.as_str()));
        }
        parsed.into_iter().flatten().unzip()
    }

    /// Parses the sources at `stale` (indices), in parallel, and remembers
    /// each one's parse diagnostics; returns the documents with their indices.
    pub(super) fn parse_and_remember(
        &mut self,
        sources: &[SourceFile],
        schema: &config::Schema,
        stale: &[SourceId],
    ) -> Vec<(SourceId, Document)> {
        let parsed: Vec<(SourceId, (Document, Vec<Diagnostic>))> = stale
            .par_iter()
            .map(|&i| (i, source::parse_document(&sources[i], i, schema)))
            .collect();
        parsed
            .into_iter()
            .map(|(i, (doc, diagnostics))| {
                self.diagnostics
                    .insert(sources[i].path.clone(), diagnostics);
                (i, doc)
            })
            .collect()
    }

    /// [`AnalysisCache::parse`] when the kept documents are of exactly these
    /// files, as after an edit to one of them: the kept list becomes the new
    /// one, and only the forgotten files' documents are parsed and put in
    /// place. Moving 10,000 documents into new lists took 6 to 20 ms of an
    /// edit, most of it the memory of those lists.
    pub(super) fn parse_in_place(
        &mut self,
        sources: &[SourceFile],
        schema: &config::Schema,
        fresh: &mut [bool],
    ) -> (Vec<Document>, Vec<Vec<Diagnostic>>) {
        let mut docs = std::mem::take(&mut self.kept);
        let stale: Vec<SourceId> = SourceId::all(sources.len())
            .filter(|&i| {
                let path = &sources[i].path;
                self.forgotten.contains(path) || !self.diagnostics.contains_key(path)
            })
            .collect();
        self.forgotten.clear();
        fresh.fill(false);
        self.links_unchanged = true;
        for (i, doc) in self.parse_and_remember(sources, schema, &stale) {
            fresh[i] = true;
            self.links_unchanged &= graph::same_links(&docs[i], &doc);
            docs[i] = doc;
        }
        let diagnostics = SourceId::all(sources.len())
            .zip(sources)
            .map(|(i, file)| {
                docs[i].source = i;
                self.diagnostics
                    .get(&file.path)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        (docs, diagnostics)
    }
}
