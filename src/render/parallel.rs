//! How a list of jobs runs: the overviews one after another (a build) or
//! together (serve), document pages in batches beside them, and each
//! batch's search entries written into the index while the next renders.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::cache::CachedDoc;
use super::jobs::{run, Job};
use super::memory::{incremental_index, BuildMemory};
use super::pages::document::{document_page, Entry};
use super::pages::search::search_page;
use super::search::{self, CodedDoc, Dictionary, IndexWriter, SearchDoc};
use super::served::search_index;
use super::theme::Theme;
use super::view::{Appearances, Model};
use super::{RenderError, Rendered, SearchEntries, ServedPages, Sink};
use crate::graph::DocId;
use crate::output::OutputFile;
use crate::site::Site;

/// Who a render is for.
pub(super) enum Mode<'r, 'c> {
    /// Any list of jobs, nothing remembered ([`render_into`](super::render_into)).
    Plain,
    /// A build, remembering what it renders ([`render_build`](super::render_build)).
    Build(&'r mut BuildMemory<'c>, &'r Appearances),
    /// Serve's partial render ([`render_partial`](super::render_partial)).
    Serve {
        known: &'r mut SearchEntries,
        served: &'r ServedPages,
        appearances: Option<&'r Appearances>,
    },
}

pub(super) fn render_with(
    site: &Site,
    theme: &Theme,
    jobs: &[Job],
    sink: &Sink<'_>,
    mode: Mode<'_, '_>,
) -> Result<Rendered, RenderError> {
    let (known, served, appearances, build) = match mode {
        Mode::Plain => (None, None, None, None),
        Mode::Build(memory, appearances) => (None, None, Some(appearances), Some(memory)),
        Mode::Serve {
            known,
            served,
            appearances,
        } => (Some(known), Some(served), appearances, None),
    };
    // A build's memory, in the parts the threads read and the parts it fills in at the end.
    let (build_pages, previous, words, mut build_out) = match build {
        Some(BuildMemory {
            pages,
            previous,
            words,
            docs,
            dictionary,
        }) => (
            Some(&*pages),
            Some(&*previous),
            words.take(),
            Some((docs, dictionary)),
        ),
        None => (None, None, None, None),
    };
    let building = build_pages.is_some();
    let mut model = Model::keyed(site, appearances);
    model.served = served.or(build_pages);
    model.keeps_jobs = building;
    let files = AtomicUsize::new(0);
    let pages = AtomicUsize::new(0);
    let emit = |file: OutputFile| {
        files.fetch_add(1, Ordering::Relaxed);
        if file.path.ends_with(".html") {
            pages.fetch_add(1, Ordering::Relaxed);
        }
        sink(file)
    };
    let (mut documents, mut overviews, mut with_search) = (Vec::new(), Vec::new(), false);
    for &job in jobs {
        match job {
            Job::Document(id) => documents.push(id),
            Job::Search => with_search = true,
            overview => overviews.push(overview),
        }
    }
    // A build that renders every page, in order, writes each search entry
    // into the index while the next batch renders: holding them all until
    // the end was 220 MB at 100,000 documents. Serve keeps them instead,
    // for the partial renders that follow. A build over a previous output
    // with a cache makes only the index's files whose documents changed.
    let every_page_in_order = documents.iter().copied().eq(super::view::page_docs(site));
    let incremental = words.is_some();
    let mut index =
        (known.is_none() && with_search && every_page_in_order && !incremental).then(|| {
            let layout =
                search::Layout::of(super::view::page_docs(site).map(|d| site.docs[d].id.as_str()));
            IndexWriter::new(&search::kinds(&model), layout)
        });
    let mut dictionary = words.map(Dictionary::of_words).unwrap_or_default();
    let mut kept: Vec<(DocId, SearchDoc)> = Vec::new();
    let mut build_docs: Vec<CachedDoc> = Vec::new();
    // A build runs the overviews, a few long jobs, one after another: each
    // holds its whole page in template values while it renders (250 MB for
    // the health report of 100,000 documents), so two at once would double
    // that. Serve renders few pages of each and holds the site anyway, so
    // there they share the threads: the longest (health, trace) no longer
    // wait for each other on the way to the reload.
    // Document pages fill the other threads around them, a batch at a time.
    let run_overview = |&job: &Job| run(&model, theme, job)?.into_iter().try_for_each(&emit);
    let (overviews_done, documents_done) = rayon::join(
        || match served {
            Some(_) => overviews.par_iter().try_for_each(run_overview),
            None => overviews.iter().try_for_each(run_overview),
        },
        || {
            // Each batch's entries go into the index, in order, while the
            // next batch renders: done between batches, it left a thread
            // idle for a tenth of the render.
            let mut take_in = |entries: Vec<(DocId, Entry)>| -> Result<(), RenderError> {
                for (id, entry) in entries {
                    let doc_id = site.docs[id].id.as_str();
                    let entry = match entry {
                        Entry::Fresh(entry) => entry,
                        Entry::Kept(cached) => {
                            build_docs.push(cached.clone());
                            continue;
                        }
                    };
                    if index.is_none() && !building {
                        kept.push((id, entry));
                        continue;
                    }
                    let coded = CodedDoc::new(entry, &mut dictionary);
                    if building {
                        build_docs.push(coded.cached(doc_id));
                    }
                    if let Some(fragment) = index.as_mut().and_then(|index| index.push(&coded)) {
                        emit(fragment)?;
                    }
                }
                Ok(())
            };
            let render_batch = |batch: &[DocId]| {
                batch
                    .par_iter()
                    .map(|&id| {
                        let (file, entry) = document_page(&model, theme, id, previous)?;
                        if let Some(file) = file {
                            emit(file)?;
                        }
                        Ok((id, entry))
                    })
                    .collect::<Result<Vec<(DocId, Entry)>, RenderError>>()
            };
            let mut rendered = Vec::new();
            for batch in documents.chunks(DOCUMENT_BATCH) {
                let before = std::mem::take(&mut rendered);
                let (this, taken) = rayon::join(|| render_batch(batch), || take_in(before));
                taken?;
                rendered = this?;
            }
            take_in(rendered)
        },
    );
    overviews_done?;
    documents_done?;
    let index = match (index, build_pages) {
        (Some(index), build_pages) => {
            if let Some(build_pages) = build_pages {
                let layout = index.layout();
                for f in 0..layout.len() {
                    let docs = build_docs.get(layout.range(f)).unwrap_or_default();
                    let path = search::fragment_path(layout.name(f));
                    build_pages.remember(path, search::fragment_key(docs));
                }
            }
            Some(index.finish(&dictionary))
        }
        (None, Some(build_pages)) if with_search => Some(incremental_index(
            &model,
            &build_docs,
            build_pages,
            &dictionary,
            &emit,
        )?),
        (None, Some(_)) => None,
        (None, None) => {
            let mut this_render = SearchEntries::default();
            let known = known.unwrap_or(&mut this_render);
            for (id, entry) in kept {
                let coded = CodedDoc::new(entry, &mut known.dictionary);
                if let Some(was) = known.docs.insert(site.docs[id].id.clone(), coded) {
                    let is = &known.docs[&site.docs[id].id];
                    if *is != was {
                        known.before.entry(site.docs[id].id.clone()).or_insert(was);
                    }
                }
            }
            known.docs.retain(|id, _| site.graph.lookup(id).is_some());
            match with_search {
                true => Some(search_index(&model, known, served)?),
                false => None,
            }
        }
    };
    if let Some(files) = index {
        if let Some(page) = search_page(&model, theme)? {
            emit(page)?;
        }
        files.into_iter().try_for_each(&emit)?;
    }
    if let Some((docs, kept_dictionary)) = build_out.as_mut() {
        **docs = build_docs;
        **kept_dictionary = Some(dictionary);
    }
    Ok(Rendered {
        files: files.into_inner(),
        pages: pages.into_inner(),
    })
}

/// How many document pages are rendered between writes into the search index.
const DOCUMENT_BATCH: usize = 1024;
