//! Stage 4: turn a checked site into pages. Pure: it takes the loaded site
//! and returns files in memory; writing them is `output`'s job, so `build`
//! and `serve` share every line of it.
//!
//! The work is a flat list of [`Job`]s, each a function of the immutable
//! site, run in parallel.

pub mod cache;
mod highlight;
pub(crate) mod markdown;
mod metrics;
mod pages;
mod search;
mod svg;
pub mod theme;
mod tree;
pub mod view;

use crate::hash::{self, binary_identity, hash_of};

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::graph::DocId;
use crate::output::OutputFile;
use crate::site::Site;
use cache::{CachedDoc, RenderCache};
use markdown::LinkResolver;
pub use search::SEARCH_PREFIX;
use search::{CodedDoc, Dictionary, IndexWriter, SearchDoc};
use theme::{TemplateError, Theme};
use view::{Fingerprints, Model};

/// One page or file of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// A document's page.
    Document(DocId),
    /// The dashboard.
    Home,
    /// The traceability tree.
    Trace,
    /// The health report.
    Health,
    /// Bets by quarter.
    Roadmap,
    /// Teams.
    Teams,
    /// Metric chains.
    Metrics,
    /// One review page per quarter (`quarters/<YYYY-Qn>/`).
    Quarters,
    /// The strategy's changes over the config's window (`changes/`).
    Changes,
    /// The search page and its index.
    Search,
    /// The 404 page.
    NotFound,
    /// `graph.json`.
    Graph,
    /// Stylesheets and scripts.
    Assets,
}

/// Every job of a full build, in a fixed order.
pub fn all_jobs(site: &Site) -> Vec<Job> {
    let mut jobs: Vec<Job> = (0..site.docs.len()).map(Job::Document).collect();
    jobs.extend([
        Job::Home,
        Job::Trace,
        Job::Health,
        Job::Roadmap,
        Job::Teams,
        Job::Metrics,
        Job::Quarters,
        Job::Changes,
        Job::Search,
        Job::NotFound,
        Job::Graph,
        Job::Assets,
    ]);
    jobs
}

/// Why rendering stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

impl From<TemplateError> for RenderError {
    fn from(e: TemplateError) -> RenderError {
        RenderError(format!("template error: {}", e.0))
    }
}

/// Where rendered files go as they are made (a staging folder, or memory).
pub type Sink<'a> = dyn Fn(OutputFile) -> Result<(), RenderError> + Sync + 'a;

/// What a render produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Files written.
    pub files: usize,
    /// HTML pages among them.
    pub pages: usize,
}

/// How much of each body the search index keeps.
const SEARCH_TEXT_LIMIT: usize = 2_000;

/// The resolved graph for other tools (SPEC §9), at the output's root.
const GRAPH_JSON: &str = "graph.json";

/// Renders `jobs` for `site`, handing each file to `sink` as soon as it exists.
/// Document pages go first, so the search index reuses their text.
pub fn render_into(
    site: &Site,
    theme: &Theme,
    jobs: &[Job],
    sink: &Sink<'_>,
) -> Result<Rendered, RenderError> {
    render_with(site, theme, jobs, sink, Mode::Plain)
}

/// What a build rendered, and what it keeps for the next build.
#[derive(Debug)]
pub struct BuildRender {
    /// What was handed to the sink.
    pub rendered: Rendered,
    /// The paths of the previous output's files this build left as they
    /// are: their inputs did not change, so they were not rendered.
    pub kept: Vec<String>,
    /// What the next build over this output reads back ([`cache`]). Its
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
    let fingerprints = Fingerprints::of(site);
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
        Mode::Build(&mut memory, &fingerprints),
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
struct BuildMemory<'c> {
    /// Each page's key: the previous build's, replaced as pages render.
    pages: ServedPages,
    /// The previous build's search documents, by id.
    previous: HashMap<&'c str, &'c CachedDoc>,
    /// The previous cache's words, when there is one.
    words: Option<Vec<String>>,
    /// This build's search documents, in the index's order.
    docs: Vec<CachedDoc>,
    /// The dictionary the documents' codes number.
    dictionary: Option<Dictionary>,
}

/// Who a render is for.
enum Mode<'r, 'c> {
    /// Any list of jobs, nothing remembered ([`render_into`]).
    Plain,
    /// A build, remembering what it renders ([`render_build`]).
    Build(&'r mut BuildMemory<'c>, &'r Fingerprints),
    /// Serve's partial render ([`render_partial`]).
    Serve {
        known: &'r mut SearchEntries,
        served: &'r ServedPages,
        fingerprints: Option<&'r Fingerprints>,
    },
}

/// Each document's search entry from earlier renders, by document id, so a
/// render of a few pages can still write the whole search index.
#[derive(Debug, Default)]
pub struct SearchEntries {
    docs: HashMap<String, CodedDoc>,
    /// The words their codes number: only grows, which changes no output.
    dictionary: Dictionary,
    /// The entries, as they were, of the documents whose entry changed
    /// since the search index was last written.
    before: HashMap<String, CodedDoc>,
}

/// [`render_into`] for a partial rebuild: documents not in `jobs` keep the
/// search entry `known` has for them; `known` is updated with the new ones.
/// Pages `served` already serves from the same values are not rendered or
/// handed to `sink`: [`ServedPages::take_skipped`] lists them. With
/// `fingerprints` (of this very site), pages of many findings are keyed by
/// them instead of by their values.
pub fn render_partial(
    site: &Site,
    theme: &Theme,
    jobs: &[Job],
    sink: &Sink<'_>,
    known: &mut SearchEntries,
    served: &ServedPages,
    fingerprints: Option<&Fingerprints>,
) -> Result<Rendered, RenderError> {
    render_with(
        site,
        theme,
        jobs,
        sink,
        Mode::Serve {
            known,
            served,
            fingerprints,
        },
    )
}

fn render_with(
    site: &Site,
    theme: &Theme,
    jobs: &[Job],
    sink: &Sink<'_>,
    mode: Mode<'_, '_>,
) -> Result<Rendered, RenderError> {
    let (known, served, fingerprints, build) = match mode {
        Mode::Plain => (None, None, None, None),
        Mode::Build(memory, fingerprints) => (None, None, Some(fingerprints), Some(memory)),
        Mode::Serve {
            known,
            served,
            fingerprints,
        } => (Some(known), Some(served), fingerprints, None),
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
    let mut model = Model::keyed(site, fingerprints);
    model.served = served.or(build_pages);
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
    let every_page_in_order =
        documents.len() == site.docs.len() && documents.iter().enumerate().all(|(i, &id)| i == id);
    let incremental = words.is_some();
    let mut index =
        (known.is_none() && with_search && every_page_in_order && !incremental).then(|| {
            let layout = search::Layout::of(site.docs.iter().map(|d| d.id.as_str()));
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

/// The search index of a build over a previous output: the fragments whose
/// documents or entries changed, made again, and every term shard and the
/// manifest, which cost little and which the output's manifest writes only
/// when their bytes changed. A changed fragment's entries are made again
/// from their documents (their bodies rendered a second time) rather than
/// held from their pages' render: an edit to every document then costs a
/// second render of each body, not every entry's text held at once (200 MB
/// at 100,000 documents).
fn incremental_index(
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
    // alive. A build renders every document in order: the index's n-th
    // document is `DocId` n.
    changed.par_iter().try_for_each(|&f| {
        let entries = layout
            .range(f)
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

/// How many document pages are rendered between writes into the search index.
const DOCUMENT_BATCH: usize = 1024;

/// Renders `jobs` into memory; files come back sorted by path.
pub fn render(site: &Site, theme: &Theme, jobs: &[Job]) -> Result<Vec<OutputFile>, RenderError> {
    let files = std::sync::Mutex::new(Vec::new());
    render_into(site, theme, jobs, &|file| {
        files
            .lock()
            .map_err(|_| RenderError("a render thread panicked".into()))?
            .push(file);
        Ok(())
    })?;
    let mut files = files
        .into_inner()
        .map_err(|_| RenderError("a render thread panicked".into()))?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// An overview's pages, those that needed no render left out ([`ServedPages`]).
type PagesResult = Result<Vec<OutputFile>, RenderError>;

/// Renders `template` into the page at `path`. `None` when that page was
/// rendered before from the very same values: serve serves it, or the
/// previous build wrote it ([`ServedPages`]).
fn page(
    theme: &Theme,
    template: &str,
    path: String,
    base: &pages::Base<'_>,
    context: &impl serde::Serialize,
) -> Result<Option<OutputFile>, RenderError> {
    page_from(theme, template, path, base, context, |context| context)
}

/// [`page`] for a page some of whose values are costly to make: `key`
/// determines them and is what serve compares, and `values` makes them from
/// it only for a page that is rendered.
fn page_from<K: serde::Serialize, C: serde::Serialize>(
    theme: &Theme,
    template: &str,
    path: String,
    base: &pages::Base<'_>,
    key: K,
    values: impl FnOnce(K) -> C,
) -> Result<Option<OutputFile>, RenderError> {
    if let Some(served) = base.served {
        if served.unchanged(&path, template, base, &key) {
            return Ok(None);
        }
    }
    render_page(theme, template, path, base, &values(key)).map(Some)
}

/// Renders `template` into the page at `path`, whatever was rendered before.
fn render_page(
    theme: &Theme,
    template: &str,
    path: String,
    base: &pages::Base<'_>,
    context: &impl serde::Serialize,
) -> Result<OutputFile, RenderError> {
    let html = theme.render(template, base, context).map_err(|e| {
        RenderError(format!(
            "template error: rendering {path} with `{template}`: {}",
            e.0
        ))
    })?;
    Ok(OutputFile::text(path, html))
}

/// What serve remembers of the pages it serves, or a build of the pages the
/// previous build wrote (read from its [`cache`]): a hash of the values each
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
    search: Mutex<Option<search::LiveIndex>>,
    /// graph.json's pieces as last served, for serialising only what an edit changes.
    graph_json: Mutex<crate::graph::JsonPieces>,
}

impl ServedPages {
    /// Pages rendered before from values of these keys (a build's cache).
    fn remembering(hashes: HashMap<String, u64>) -> ServedPages {
        ServedPages {
            hashes: Mutex::new(hashes),
            ..ServedPages::default()
        }
    }

    /// Each page's key, as the last render left them.
    fn into_hashes(self) -> HashMap<String, u64> {
        self.hashes.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the page at `path` was served from these very values; remembers them if not.
    fn unchanged(
        &self,
        path: &str,
        template: &str,
        base: &pages::Base<'_>,
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
    fn unchanged_key(&self, path: &str, key: u64) -> bool {
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
    fn remember(&self, path: String, key: u64) {
        if let Ok(mut hashes) = self.hashes.lock() {
            hashes.insert(path, key);
        }
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
    fn keep(&self, paths: Vec<String>) {
        if let Ok(mut skipped) = self.skipped.lock() {
            skipped.extend(paths);
        }
    }
}

/// A document's search entry: made with its page, or the previous build's.
enum Entry<'c> {
    Fresh(SearchDoc),
    Kept(&'c CachedDoc),
}

/// Document `id`'s page and search entry. In a build (`previous`: the
/// previous build's search documents, empty for a fresh build), the page is
/// keyed before anything is rendered ([`document_key`]), and a page whose
/// key the previous build left is neither rendered nor handed back.
fn document_page<'c>(
    model: &Model<'_>,
    theme: &Theme,
    id: DocId,
    previous: Option<&HashMap<&str, &'c CachedDoc>>,
) -> Result<(Option<OutputFile>, Entry<'c>), RenderError> {
    let site = model.site;
    let doc = &site.docs[id];
    let path = model.links[id].path.after("");
    let base = pages::base(model, "../", "doc");
    let context = pages::document(model, id);
    let memory = previous.and(model.served);
    if let (Some(previous), Some(memory)) = (previous, memory) {
        match (
            document_key(model, id, &base, &context),
            previous.get(doc.id.as_str()),
        ) {
            (Some(key), Some(cached)) if memory.unchanged_key(&path, key) => {
                return Ok((None, Entry::Kept(cached)));
            }
            (Some(key), _) => memory.remember(path.clone(), key),
            (None, _) => {}
        }
    }
    let text = model.text_of(id)?;
    let rendered = render_body(model, id, &text);
    let context = context.with_body(&rendered);
    let file = match memory {
        // Keyed above, by what the values are made from.
        Some(_) => Some(render_page(theme, "page.html", path, &base, &context)?),
        None => page(theme, "page.html", path, &base, &context)?,
    };
    let entry = SearchDoc::new(&model.links[id], &rendered.headings, &rendered.text);
    Ok((file, Entry::Fresh(entry)))
}

/// Document `id`'s body as HTML, out of its file's whole `text`.
fn render_body(model: &Model<'_>, id: DocId, text: &str) -> markdown::RenderedBody {
    let doc = &model.site.docs[id];
    let resolver = Resolver {
        model,
        from_file: &doc.file,
    };
    markdown::render(
        body_of(text, doc),
        &resolver,
        model.site.config.markdown.unsafe_html,
        SEARCH_TEXT_LIMIT,
    )
}

/// Document `id`'s search entry, its body rendered again.
fn search_entry(model: &Model<'_>, id: DocId) -> Result<SearchDoc, RenderError> {
    let text = model.text_of(id)?;
    let rendered = render_body(model, id, &text);
    Ok(SearchDoc::new(
        &model.links[id],
        &rendered.headings,
        &rendered.text,
    ))
}

/// What document `id`'s page is made from, as one hash, without its body
/// rendered: the page's values (`base`, `context`, the body left out) and,
/// for the body, what its HTML is made of: the file's text (its length and
/// hash) and what each of its links resolves to. Headings, code and the
/// Markdown options are the file's text and the config, which the build's
/// identity holds. `None` only if the values cannot be hashed.
fn document_key(
    model: &Model<'_>,
    id: DocId,
    base: &pages::Base<'_>,
    context: &pages::DocumentPage<'_>,
) -> Option<u64> {
    let doc = &model.site.docs[id];
    let resolver = Resolver {
        model,
        from_file: &doc.file,
    };
    let targets: Vec<Option<(String, &str)>> = doc
        .body
        .links
        .iter()
        .map(|link| match &link.target {
            crate::model::BodyLinkTarget::Id { id, .. } => resolver.by_id(id),
            crate::model::BodyLinkTarget::Path { written, .. } => {
                resolver.by_path(written).map(|url| (url, ""))
            }
        })
        .collect();
    hash::hash_value(&(
        "page.html",
        base,
        context,
        model.site.sources[doc.source].whole_print(),
        doc.body_offset,
        targets,
    ))
}

/// A document's body, out of its file's whole `text`, as the Markdown renderer takes it.
fn body_of<'a>(text: &'a str, doc: &'a crate::model::Document) -> markdown::Body<'a> {
    markdown::Body {
        markdown: &text[doc.body_offset..],
        anchors: &doc.body.anchors,
        title: Some(&doc.title),
    }
}

/// An overview page: which job makes it, its template and output path, and
/// where its links start from.
struct Overview {
    job: Job,
    template: &'static str,
    path: &'static str,
    /// The prefix from the page to the site root; `None`: the site's
    /// `base_url`, for the 404 page, which is served at any depth.
    root: Option<&'static str>,
    section: &'static str,
    render: for<'m> fn(&'m Model<'_>, &Theme, &Overview, &pages::Base<'m>) -> PagesResult,
}

impl Overview {
    fn page(
        &self,
        theme: &Theme,
        base: &pages::Base<'_>,
        context: &impl serde::Serialize,
    ) -> PagesResult {
        Ok(page(theme, self.template, self.path.into(), base, context)?
            .into_iter()
            .collect())
    }
}

/// Where the trace job writes its pages (`trace/` and a page per branch too
/// large for it): `serve` drops what it served under here and a new render
/// did not write.
pub const TRACE_PREFIX: &str = "trace/";

/// Where the health job writes its pages (the health page and each rule's):
/// `serve` drops what it served under here and a new render did not write.
pub const HEALTH_PREFIX: &str = "health/";

/// Every page that is not a document's, in the order a build renders them.
const OVERVIEWS: &[Overview] = &[
    Overview {
        job: Job::Home,
        template: "index.html",
        path: "index.html",
        root: Some(""),
        section: "home",
        render: |m, t, o, b| o.page(t, b, &pages::home(m)),
    },
    Overview {
        job: Job::Trace,
        template: "trace.html",
        path: "trace/index.html",
        root: Some("../"),
        section: "trace",
        render: trace_pages,
    },
    Overview {
        job: Job::Health,
        template: "health.html",
        path: "health/index.html",
        root: Some("../"),
        section: "health",
        render: health_pages,
    },
    Overview {
        job: Job::Roadmap,
        template: "roadmap.html",
        path: "roadmap/index.html",
        root: Some("../"),
        section: "roadmap",
        render: |m, t, o, b| o.page(t, b, &pages::roadmap(m)),
    },
    Overview {
        job: Job::Teams,
        template: "teams.html",
        path: "teams/index.html",
        root: Some("../"),
        section: "teams",
        render: |m, t, o, b| o.page(t, b, &pages::teams(m)),
    },
    Overview {
        job: Job::Metrics,
        template: "metrics.html",
        path: "metrics/index.html",
        root: Some("../"),
        section: "metrics",
        render: |m, t, o, b| o.page(t, b, &metrics::metrics(m)),
    },
    Overview {
        job: Job::Changes,
        template: "changes.html",
        path: "changes/index.html",
        root: Some("../"),
        section: "changes",
        render: |m, t, o, b| o.page(t, b, &pages::changes(m)),
    },
    Overview {
        job: Job::NotFound,
        template: "404.html",
        path: "404.html",
        root: None,
        section: "404",
        render: |_, t, o, b| o.page(t, b, &pages::not_found(t)),
    },
];

/// The trace page, and a page of its own for each branch too large for the page above it.
fn trace_pages<'m>(
    model: &'m Model<'_>,
    theme: &Theme,
    overview: &Overview,
    base: &pages::Base<'m>,
) -> PagesResult {
    let (landing, branches) = pages::trace(model);
    let branch_base = pages::base(model, "../../", overview.section);
    std::iter::once((overview.path.to_string(), base, landing))
        .chain(
            branches
                .into_iter()
                .map(|(path, page)| (path, &branch_base, page)),
        )
        .filter_map(|(path, base, page)| {
            // The trees are the bulk of the page's values: hashed as they
            // are (`Hash`), not through serde, and made HTML only when changed.
            page_from(theme, overview.template, path, base, page, |page| {
                page.into_values()
            })
            .transpose()
        })
        .collect()
}

/// The health report, and each rule's findings in full on pages of their
/// own: the report shows only the first of each (`pages::HEALTH_SAMPLE`).
fn health_pages<'m>(
    model: &'m Model<'_>,
    theme: &Theme,
    overview: &Overview,
    base: &pages::Base<'m>,
) -> PagesResult {
    let mut files = match pages::health_key(model) {
        Some(key) => page_from(
            theme,
            overview.template,
            overview.path.into(),
            base,
            key,
            |key| pages::health_with(model, key.filters),
        )?
        .into_iter()
        .collect(),
        None => overview.page(theme, base, &pages::health(model))?,
    };
    for of in pages::health_rule_pages(model) {
        let root = "../".repeat(of.path.matches('/').count());
        let base = pages::base(model, &root, overview.section);
        let template = "health_rule.html";
        let made = match pages::health_rule_key(model, &of) {
            Some(key) => page_from(theme, template, of.path.clone(), &base, key, |_| {
                pages::health_rule_page(model, &of)
            })?,
            None => page(
                theme,
                template,
                of.path.clone(),
                &base,
                &pages::health_rule_page(model, &of),
            )?,
        };
        files.extend(made);
    }
    Ok(files)
}

/// Renders an overview: any job but a document page or search, which
/// [`render_with`] makes itself (pages in batches, the index from their entries).
fn run(model: &Model<'_>, theme: &Theme, job: Job) -> Result<Vec<OutputFile>, RenderError> {
    let site = model.site;
    if let Some(overview) = OVERVIEWS.iter().find(|o| o.job == job) {
        let root = overview.root.unwrap_or(&site.config.base_url);
        let base = pages::base(model, root, overview.section);
        return (overview.render)(model, theme, overview, &base);
    }
    Ok(match job {
        Job::Graph => {
            let (docs, graph, base_url) = (&site.docs, &site.graph, &site.config.base_url);
            if model.served.is_some_and(|served| {
                served.unchanged_key(GRAPH_JSON, crate::graph::json_key(docs, graph, base_url))
            }) {
                return Ok(Vec::new());
            }
            let pieces = model.served.and_then(|s| s.graph_json.lock().ok());
            let json = match pieces {
                Some(mut pieces) => {
                    crate::graph::to_json_reusing(docs, graph, base_url, &mut pieces)
                }
                None => crate::graph::to_json(docs, graph, base_url),
            };
            vec![OutputFile::text(GRAPH_JSON, json)]
        }
        // Several pages from one job: each quarter's, rendered one after
        // another like the other overviews.
        Job::Quarters => pages::quarter_pages(model)?
            .into_iter()
            .map(|(quarter, context)| {
                page(
                    theme,
                    "quarter.html",
                    pages::quarter_path(quarter),
                    &pages::base(model, "../../", "quarters"),
                    &context,
                )
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect(),
        Job::Assets => {
            let mut files: Vec<OutputFile> = theme
                .assets
                .iter()
                .map(|(name, bytes)| OutputFile {
                    path: format!("assets/{name}"),
                    bytes: bytes.clone(),
                })
                .collect();
            if site.docs.iter().any(|d| d.body.has_code) {
                let css = highlight::stylesheet(&site.config.markdown.highlight_theme)
                    .map_err(|e| RenderError(format!("markdown.highlight_theme: {e}")))?;
                files.push(OutputFile::text("assets/highlight.css", css));
            }
            files
        }
        Job::Document(_)
        | Job::Search
        | Job::Home
        | Job::Trace
        | Job::Health
        | Job::Roadmap
        | Job::Teams
        | Job::Changes
        | Job::Metrics
        | Job::NotFound => {
            unreachable!("render_with sorts document and search jobs out; OVERVIEWS has the rest")
        }
    })
}

/// The paths of the quarter review pages a full render of `site` writes,
/// for `serve` to drop those an edit makes go away.
pub fn quarter_page_paths(site: &Site) -> Vec<String> {
    pages::review_quarters(site)
        .into_keys()
        .map(pages::quarter_path)
        .collect()
}

/// Resolves body links of one document to URLs relative to its page.
struct Resolver<'a> {
    model: &'a Model<'a>,
    from_file: &'a str,
}

impl LinkResolver for Resolver<'_> {
    fn by_id(&self, id: &str) -> Option<(String, &str)> {
        let link = &self.model.links[self.model.lookup(id)?];
        Some((link.path.after("../"), link.title))
    }

    fn by_path(&self, written: &str) -> Option<String> {
        // The link means what the graph checked it to mean: one interpreter for both.
        let crate::model::BodyLinkTarget::Path {
            path: Some(target),
            heading,
            ..
        } = crate::source::path_link(written, self.from_file)?
        else {
            return None;
        };
        let i = self.model.by_file(&target)?;
        let url = self.model.links[i].path.after("../");
        Some(match heading {
            Some(h) => format!("{url}#{}", crate::text::slugify(&h)),
            None => url,
        })
    }
}

/// The search page; its index is [`search`]'s.
fn search_page(model: &Model<'_>, theme: &Theme) -> Result<Option<OutputFile>, RenderError> {
    page(
        theme,
        "search.html",
        "search/index.html".into(),
        &pages::base(model, "../", "search"),
        &pages::search(model),
    )
}

/// The search index of a partial render: entries `known` does not hold are
/// computed here (and kept). When serve's copy of the index is of the same
/// documents in the same order, only its files that change are returned,
/// and the others are kept as served.
fn search_index(
    model: &Model<'_>,
    known: &mut SearchEntries,
    served: Option<&ServedPages>,
) -> Result<Vec<OutputFile>, RenderError> {
    let site = model.site;
    let missing: Vec<(DocId, SearchDoc)> = (0..site.docs.len())
        .into_par_iter()
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
    let entry_at = |n: DocId| docs.get(&site.docs.get(n)?.id);
    let mut live = served.and_then(|s| s.search.lock().ok());
    if let Some(index) = live.as_deref_mut().and_then(Option::as_mut) {
        if index.fits(&kinds, site.docs.iter().map(|d| d.id.as_str())) {
            let changed: Vec<(DocId, CodedDoc)> = before
                .drain()
                .filter_map(|(id, was)| Some((site.graph.lookup(&id)?, was)))
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
        site.docs
            .iter()
            .filter_map(|d| Some((d.id.as_str(), docs.get(&d.id)?))),
        dictionary,
    );
    if let Some(live) = live.as_deref_mut() {
        *live = Some(index);
    }
    Ok(files)
}

#[cfg(test)]
mod key_tests {
    use std::sync::Mutex;

    use super::*;
    use crate::model::BodyLinkTarget;

    /// A resolver that answers as the build's does and writes down what it was asked.
    struct Recording<'a> {
        inner: Resolver<'a>,
        asked: Mutex<Vec<(bool, String)>>,
    }

    impl LinkResolver for Recording<'_> {
        fn by_id(&self, id: &str) -> Option<(String, &str)> {
            self.asked
                .lock()
                .expect("lock")
                .push((true, id.to_string()));
            self.inner.by_id(id)
        }

        fn by_path(&self, written: &str) -> Option<String> {
            let answer = self.inner.by_path(written);
            // A link that is no `.md` path resolves to nothing whatever the site holds.
            if crate::source::path_link(written, self.inner.from_file).is_some() {
                self.asked
                    .lock()
                    .expect("lock")
                    .push((false, written.to_string()));
            }
            answer
        }
    }

    /// A document page's key stands for its body by the file's text and the
    /// targets of the links the load found in it. That holds only if every
    /// link the renderer resolves is one of them: this renders every body of
    /// the example and of a site of odd links, and checks each question the
    /// renderer asked of the site.
    #[test]
    fn the_renderer_resolves_only_links_the_page_key_holds() {
        let example = crate::rules::testing::example();
        let odd = crate::rules::testing::site(
            "",
            &[
                ("cs.md", "---\nid: cs\nkind: company-strategy\n---\n## Why\n"),
                (
                    "a/ps.md",
                    "---\nid: ps\nkind: product-strategy\nparent: cs\n---\n\
                     [[ cs # Why ]], [[cs|label]], [[nosuch]], [[]], [up](../cs.md#why),\n\
                     [q](../cs.md?x=1), [pct](..%2Fcs.md), [ext](https://x.io/a.md), [img](pic.png),\n\
                     ![alt](../cs.md#img), [ref][r], [c][], [s], <../cs.md#auto>, `[[code]]`\n\n\
                     [r]: ../cs.md#ref\n[c]: ../cs.md#collapsed\n[s]: ../cs.md#shortcut\n\n\
                     ```\n[[in-code]] [c](../cs.md#code)\n```\n\
                     | t |\n|---|\n| [[cs#t]] [t](../cs.md#t) |\n\n> [[cs#q]] [^n]\n\n\
                     [^n]: [[cs#f]] [f](../cs.md#f)\n",
                ),
            ],
            "2026-11-24",
        );
        let mut asked_any = 0;
        for site in [&example, &odd] {
            let model = Model::keyed(site, None);
            for (id, doc) in site.docs.iter().enumerate() {
                let recording = Recording {
                    inner: Resolver {
                        model: &model,
                        from_file: &doc.file,
                    },
                    asked: Mutex::new(Vec::new()),
                };
                let text = model.text_of(id).expect("text");
                markdown::render(body_of(&text, doc), &recording, false, SEARCH_TEXT_LIMIT);
                let held: Vec<(bool, String)> = doc
                    .body
                    .links
                    .iter()
                    .map(|link| match &link.target {
                        BodyLinkTarget::Id { id, .. } => (true, id.clone()),
                        BodyLinkTarget::Path { written, .. } => (false, written.clone()),
                    })
                    .collect();
                for question in recording.asked.into_inner().expect("lock") {
                    asked_any += 1;
                    assert!(
                        held.contains(&question),
                        "{}: the renderer resolved {question:?}, which the page's key does not hold ({held:?})",
                        doc.file
                    );
                }
            }
        }
        assert!(asked_any > 20, "the bodies have links: {asked_any}");
    }
}

#[cfg(test)]
mod graph_json_tests {
    use std::sync::Mutex;

    use super::*;

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
