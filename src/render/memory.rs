//! A build's render: what it remembers of the build before (the render
//! cache's page keys and search documents, used only under the same
//! [`build_identity`]) and what it leaves for the next.

use std::collections::HashMap;

use rayon::prelude::*;

use super::body::search_entry;
use super::cache::{CachedDoc, RenderCache};
use super::jobs::all_jobs;
use super::parallel::{render_with, Mode};
use super::search::{self, Dictionary, IndexWriter};
use super::theme::Theme;
use super::view::{Appearances, Model};
use super::{RenderError, Rendered, ServedPages, Sink};
use crate::hash::{binary_identity, hash_of};
use crate::output::OutputFile;
use crate::site::Site;

/// What a build rendered, and what it keeps for the next build.
#[derive(Debug)]
pub struct BuildRender {
    /// What was handed to the sink.
    pub rendered: Rendered,
    /// The paths of the previous output's files this build left as they
    /// are: their inputs did not change, so they were not rendered.
    pub kept: Vec<String>,
    /// What the next build over this output reads back ([`cache`](super::cache)). Its
    /// page keys may still name pages this build no longer has (a removed
    /// document's): the output stage keeps those of the files it holds.
    pub cache: RenderCache,
}

/// Renders every page of `site` for a build, handing each file to `sink`
/// as soon as it exists. With `previous`, the cache of the build that wrote
/// the output being updated, pages whose key it holds unchanged are not
/// rendered but listed in [`BuildRender::kept`]; a cache of another
/// [`build_identity`] is not used.
pub fn render_build(
    site: &Site,
    theme: &Theme,
    sink: &Sink<'_>,
    previous: Option<RenderCache>,
) -> Result<BuildRender, RenderError> {
    let identity = build_identity(site, theme);
    let (pages, previous_docs, words) = match previous {
        Some(cache) if cache.identity == identity => (cache.pages, cache.docs, Some(cache.words)),
        _ => Default::default(),
    };
    let appearances = Appearances::of(site);
    let mut memory = BuildMemory {
        pages: ServedPages::remembering(pages),
        previous: previous_docs.iter().map(|d| (d.id.as_str(), d)).collect(),
        words,
        docs: Vec::new(),
        dictionary: None,
    };
    let rendered = render_with(
        site,
        theme,
        &all_jobs(site),
        sink,
        Mode::Build(&mut memory, &appearances),
    )?;
    let kept = memory.pages.take_skipped();
    let pages = memory.pages.into_hashes();
    let mut docs = memory.docs;
    let words = memory
        .dictionary
        .map(|d| d.compact(&mut docs))
        .unwrap_or_default();
    Ok(BuildRender {
        rendered,
        kept,
        cache: RenderCache {
            identity,
            pages,
            docs,
            words,
        },
    })
}

/// What a render cache must match to be used: the binary, the theme, and
/// the inputs every page reads that no page's key holds (the config, which
/// also says how bodies render; the base URL; the date judged).
pub fn build_identity(site: &Site, theme: &Theme) -> u64 {
    hash_of(&(
        binary_identity(),
        theme.identity,
        &site.config_text,
        &site.config.base_url,
        site.today.to_string(),
    ))
}

/// A build's state while it renders: page keys old and new, and the search
/// documents for the cache.
pub(super) struct BuildMemory<'c> {
    /// Each page's key: the previous build's, replaced as pages render.
    pub(super) pages: ServedPages,
    /// The previous build's search documents, by id.
    pub(super) previous: HashMap<&'c str, &'c CachedDoc>,
    /// The previous cache's words, when there is one.
    pub(super) words: Option<Vec<String>>,
    /// This build's search documents, in the index's order.
    pub(super) docs: Vec<CachedDoc>,
    /// The dictionary the documents' codes number.
    pub(super) dictionary: Option<Dictionary>,
}

/// The search index of a build over a previous output: the fragments whose
/// documents or entries changed, made again, and every term shard and the
/// manifest, which cost little and which the output's manifest writes only
/// when their bytes changed. A changed fragment's entries are made again
/// from their documents (their bodies rendered a second time) rather than
/// held from their pages' render: an edit to every document then costs a
/// second render of each body, not every entry's text held at once (200 MB
/// at 100,000 documents).
pub(super) fn incremental_index(
    model: &Model<'_>,
    docs: &[CachedDoc],
    pages: &ServedPages,
    dictionary: &Dictionary,
    emit: &(dyn Fn(OutputFile) -> Result<(), RenderError> + Sync),
) -> Result<Vec<OutputFile>, RenderError> {
    let layout = search::Layout::of(docs.iter().map(|d| d.id.as_str()));
    let changed: Vec<usize> = (0..layout.len())
        .filter(|&f| {
            let path = search::fragment_path(layout.name(f));
            let of_fragment = docs.get(layout.range(f)).unwrap_or_default();
            !pages.unchanged_key(&path, search::fragment_key(of_fragment))
        })
        .collect();
    // Each handed on as soon as it is made, so that no more than a few are
    // alive. A build renders every page in order: the index's n-th
    // document is the n-th with a page.
    let paged: Vec<crate::graph::DocId> = super::view::page_docs(model.site).collect();
    changed.par_iter().try_for_each(|&f| {
        let entries = layout
            .range(f)
            .filter_map(|n| paged.get(n).copied())
            .map(|id| Ok(search_entry(model, id)?.entry().to_string()))
            .collect::<Result<Vec<String>, RenderError>>()?;
        emit(search::fragment_js(
            layout.name(f),
            entries.iter().map(String::as_str),
        ))
    })?;
    let mut writer = IndexWriter::new(&search::kinds(model), layout);
    for doc in docs {
        writer.push_words(&doc.kind, &doc.codes);
    }
    Ok(writer.finish(dictionary))
}

#[cfg(test)]
mod graph_json_tests {
    use std::sync::Mutex;

    use super::*;
    use crate::render::jobs::GRAPH_JSON;

    /// The bytes of `graph.json` among `files`, if it was written.
    fn graph_json(files: &Mutex<Vec<OutputFile>>) -> Option<Vec<u8>> {
        let files = files.lock().expect("lock");
        files
            .iter()
            .find(|f| f.path == GRAPH_JSON)
            .map(|f| f.bytes.clone())
    }

    #[test]
    fn a_build_keeps_the_graph_json_made_from_the_same_documents_and_makes_a_changed_one_again() {
        let mut site = crate::rules::testing::example();
        let theme = crate::build::load_theme(&site).expect("the default theme");
        let written = Mutex::new(Vec::new());
        let sink = |file: OutputFile| -> Result<(), RenderError> {
            written.lock().expect("lock").push(file);
            Ok(())
        };

        let first = render_build(&site, &theme, &sink, None).expect("the first build");
        assert!(graph_json(&written).is_some(), "a first build writes it");

        written.lock().expect("lock").clear();
        let again = render_build(&site, &theme, &sink, Some(first.cache)).expect("again");
        assert!(
            again.kept.iter().any(|p| p == GRAPH_JSON),
            "kept: {:?}",
            again.kept
        );
        assert_eq!(graph_json(&written), None, "nothing it shows changed");

        // A title is in graph.json; a body is not.
        site.docs[0].title = "A title no build has seen".into();
        written.lock().expect("lock").clear();
        let changed = render_build(&site, &theme, &sink, Some(again.cache)).expect("changed");
        assert!(!changed.kept.iter().any(|p| p == GRAPH_JSON));
        let made = graph_json(&written).expect("made again");
        assert_eq!(
            made,
            crate::graph::to_json(&site.docs, &site.graph, &site.config.base_url).into_bytes(),
            "what a build from scratch writes"
        );
        assert!(String::from_utf8_lossy(&made).contains("A title no build has seen"));
    }
}
