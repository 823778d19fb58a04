//! The pipeline every command starts from: load (read the config and the
//! files, or take texts held in memory), parse, resolve the graph, derive the
//! facts and judge the rules, into one [`Site`]. `check`, `build`, `serve`,
//! `diff` and the editor server all run these stages; what they do with the
//! site is theirs. [`AnalysisCache`] lets serve and the editor server analyse
//! again only what an edit can reach.

mod cache;

pub use cache::{AnalysisCache, Kept};

use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::{self, Config};
use crate::date::{Date, Today};
use crate::diagnostics::{self, Diagnostic, SourceLookup};
use crate::graph::{self, DocId, Graph, ResolveContext};
use crate::model::{Document, SourceId};
use crate::source::{self, SourceFile};
use crate::{analysis, git, history, rules, tracker};

/// What a run reads and how.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The site root.
    pub root: PathBuf,
    /// The day the strategy is judged on, but for the config's `as_of`,
    /// which the load reads with the config.
    pub today: Today,
    /// Include `draft: true` documents.
    pub drafts: bool,
    /// The output folder, never read as content.
    pub output_dir: Option<PathBuf>,
    /// Overrides the config's `base_url`.
    pub base_url: Option<String>,
}

/// A loaded, resolved site and everything found wrong with it.
#[derive(Debug)]
pub struct Site {
    /// The site root.
    pub root: PathBuf,
    /// The config.
    pub config: Config,
    /// The text of `throughline.yaml`, if present.
    pub config_text: Option<String>,
    /// Every Markdown file read, in path order; after [`load_lean`], each
    /// text holds its front matter and the lines its diagnostics quote.
    pub sources: Vec<SourceFile>,
    /// The documents of this run (drafts left out unless asked for), in path order.
    pub docs: Vec<Document>,
    /// The resolved links.
    pub graph: Graph,
    /// What is derived from documents and graph, computed once for every consumer.
    pub facts: analysis::Facts,
    /// Every problem found, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// The date the strategy was judged on.
    pub today: Date,
    /// The git history the pages show; read by `build` and `serve` only
    /// ([`read_history`]), empty ("not read") for every other command.
    pub history: std::sync::Arc<history::SiteHistory>,
    /// The ids of the drafts left out of this run (`draft: true` without `--drafts`).
    pub left_out_drafts: std::collections::HashSet<String>,
}

impl Site {
    /// A site with no documents: what serve holds for the moment its last
    /// analysis is handed to the next one.
    pub fn empty(options: &LoadOptions) -> Site {
        Site {
            root: options.root.clone(),
            config: Config::default(),
            config_text: None,
            sources: Vec::new(),
            docs: Vec::new(),
            graph: Graph::default(),
            facts: analysis::Facts::default(),
            diagnostics: Vec::new(),
            today: options.today.with_as_of(None),
            history: std::sync::Arc::default(),
            left_out_drafts: std::collections::HashSet::new(),
        }
    }

    /// The history's changes of commits dated from `from` to `to`, newest
    /// first, that this run may show: none of a document left out as a
    /// draft, nor of a version that was a draft then (unless the document
    /// is in this run, `--drafts`). The changes page and the dashboard
    /// both ask this, so neither publishes what the other hides.
    pub fn shown_events_between(
        &self,
        from: Date,
        to: Date,
    ) -> impl Iterator<Item = &history::Event> {
        self.history.events_between(from, to).filter(move |e| {
            !self.left_out_drafts.contains(&e.id)
                && (!e.draft || self.graph.lookup(&e.id).is_some())
        })
    }
}

impl SourceLookup for Site {
    fn source_text(&self, file: &str) -> Option<&str> {
        if file == config::CONFIG_FILE {
            return self.config_text.as_deref();
        }
        let i = self
            .sources
            .binary_search_by(|s| s.path.as_str().cmp(file))
            .ok()?;
        Some(&self.sources[i].text)
    }
}

/// Why a run could not proceed at all (exit code 2).
#[derive(Debug)]
pub enum RunError {
    /// The root is missing or not a folder.
    Root(String),
    /// `throughline.yaml` is invalid; the diagnostic points into it.
    Config {
        /// The problem.
        diagnostic: Box<Diagnostic>,
        /// The config's text, to quote the line.
        text: Option<String>,
    },
    /// Anything else that stops the run.
    Other(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Root(m) | RunError::Other(m) => f.write_str(m),
            RunError::Config { diagnostic, .. } => write!(
                f,
                "{}:{}:{}: {}",
                diagnostic.file, diagnostic.span.line, diagnostic.span.column, diagnostic.message
            ),
        }
    }
}

impl std::error::Error for RunError {}

/// Runs stages 1–3 on a site: read, parse, resolve, and judge it.
pub fn load(options: &LoadOptions) -> Result<Site, RunError> {
    Ok(analyze(read_inputs(options)?, options))
}

/// [`load`] for a command that needs the texts only to quote its
/// diagnostics and to render pages (`check`, `build`): each file's text is
/// [released](SourceFile::release_after) once it is parsed, but for its front
/// matter and the lines its diagnostics quote, and the render reads the rest
/// again ([`SourceFile::whole_text`]). The texts of 100,000 documents are
/// 630 MB, which would otherwise stay alive to the end of the build.
pub fn load_lean(options: &LoadOptions) -> Result<Site, RunError> {
    // Each file is parsed as soon as it is read, so that no more than a
    // file per thread is held whole at any time.
    let (inputs, parsed) = read_inputs_each(options, |config, file| {
        let parsed = source::parse_document(file, SourceId::default(), &config.schema);
        file.release_after(parsed.0.body_offset);
        parsed
    })?;
    Ok(analyze_with(inputs, options, Parse::Released(parsed)))
}

/// Stage 1a: reads the config, every Markdown file and the git dates.
pub fn read_inputs(options: &LoadOptions) -> Result<Inputs, RunError> {
    Ok(read_inputs_each(options, |_, _| ())?.0)
}

/// [`read_inputs`], handing each file to `each` with the config as soon as
/// it is read; returns what `each` made of each file, in the files' order.
fn read_inputs_each<T: Send>(
    options: &LoadOptions,
    each: impl Fn(&Config, &mut SourceFile) -> T + Sync,
) -> Result<(Inputs, Vec<T>), RunError> {
    let root = &options.root;
    if !root.is_dir() {
        return Err(RunError::Root(format!(
            "`{}` is not a folder",
            root.display()
        )));
    }
    let (mut config, config_text) =
        Config::load(root, rules::HEALTH_RULES).map_err(|diagnostic| {
            let text = std::fs::read_to_string(root.join(config::CONFIG_FILE)).ok();
            RunError::Config { diagnostic, text }
        })?;
    apply_options(&mut config, options);
    let walk = source::WalkOptions {
        output_dir: options.output_dir.clone(),
    };
    // git reads the history in a process of its own while the files are
    // read and parsed here; one after the other, its time was added to
    // every load of a site kept in git.
    let ((discovered, made), git_dates, exports) = std::thread::scope(|scope| {
        let git_dates = scope.spawn(|| git::last_commit_dates(root));
        let exports = scope.spawn(|| read_exports(root, &config));
        let read = source::discover_each(root, &config, &walk, |file| each(&config, file));
        (
            read,
            git_dates.join().ok().flatten(),
            exports.join().unwrap_or_default(),
        )
    });
    let inputs = Inputs {
        config,
        config_text,
        sources: discovered.files,
        io_diagnostics: discovered.diagnostics,
        git_dates,
        exports,
    };
    Ok((inputs, made))
}

/// Stage 1a for texts already in memory (a git revision's files, an
/// editor's unsaved buffers): the same config parsing and the same choice of
/// documents as [`read_inputs`], without touching the disk. `files` are
/// (root-relative `/`-separated path, text); files that are not documents
/// (other extensions, `static/`, hidden or ignored paths) are left out.
pub fn inputs_from_texts(
    config_text: Option<String>,
    files: impl IntoIterator<Item = (String, String)>,
    options: &LoadOptions,
) -> Result<Inputs, RunError> {
    let mut config = match config_text.as_deref() {
        Some(text) => {
            Config::parse(text, rules::HEALTH_RULES).map_err(|diagnostic| RunError::Config {
                diagnostic,
                text: config_text.clone(),
            })?
        }
        None => Config::default(),
    };
    apply_options(&mut config, options);
    let filter = source::SourceFilter::new(&config, &options.root, options.output_dir.as_deref());
    // The trackers' exports among the texts are read as `read_exports`
    // reads them from disk; an export not among them is not read.
    let mut exports: Vec<Option<tracker::Export>> = vec![None; config.trackers.len()];
    let files = files.into_iter().filter_map(|(path, text)| {
        match config.trackers.iter().position(|t| t.file == path) {
            Some(at) => {
                exports[at] = Some(tracker::parse(
                    &path,
                    text.into_bytes(),
                    &config.trackers[at],
                ));
                None
            }
            None => Some((path, text)),
        }
    });
    let mut sources: Vec<SourceFile> = files
        .filter(|(path, _)| filter.is_document(path))
        .map(|(path, text)| {
            let abs_path = options.root.join(&path);
            SourceFile::new(path, abs_path, source::without_bom(text))
        })
        .collect();
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Inputs {
        config,
        config_text,
        sources,
        io_diagnostics: Vec::new(),
        git_dates: None,
        exports: exports.into_iter().flatten().collect(),
    })
}

/// Reads the trackers' exports the config names, below `root`, each as a
/// stream of items (`crate::tracker`); what cannot be read is a finding.
pub(crate) fn read_exports(root: &std::path::Path, config: &Config) -> Vec<tracker::Export> {
    let guard = source::RootGuard::new(root);
    config
        .trackers
        .par_iter()
        .map(|entry| tracker::read(root, &guard, entry))
        .collect()
}

/// What the command line overrides in the config, wherever the config came from.
fn apply_options(config: &mut Config, options: &LoadOptions) {
    if let Some(base_url) = &options.base_url {
        config.base_url = config::normalize_base_url(base_url);
    }
}

/// What the analysis stages start from: files already read, by [`load`] or by a caller holding them in memory.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The config.
    pub config: Config,
    /// The config's text, for quoting it in diagnostics.
    pub config_text: Option<String>,
    /// The Markdown files, sorted by path.
    pub sources: Vec<SourceFile>,
    /// Problems met while reading files.
    pub io_diagnostics: Vec<Diagnostic>,
    /// Each file's last git commit date, when the site is in a git work tree.
    pub git_dates: Option<git::GitDates>,
    /// The trackers' exports, read ([`read_exports`]); their items join the
    /// documents as work items.
    pub exports: Vec<tracker::Export>,
}

/// Stages 1b–3: parse every source, resolve the graph, run the health rules.
pub fn analyze(inputs: Inputs, options: &LoadOptions) -> Site {
    analyze_with(inputs, options, Parse::Fresh)
}

/// [`analyze`], reusing what `cache` holds of the analysis before: the parse
/// of every file not [forgotten](AnalysisCache::forget), and, when the same
/// documents are judged under the same config and date, the per-document
/// findings about documents the change cannot reach (serve's rebuilds, the
/// editor server's keystrokes).
pub fn analyze_cached(inputs: Inputs, options: &LoadOptions, cache: &mut AnalysisCache) -> Site {
    analyze_with(inputs, options, Parse::Cached(cache))
}

/// Where the documents of an analysis come from.
enum Parse<'c> {
    /// Parsed here, from the whole texts.
    Fresh,
    /// Parsed already, one per source in order, as the files were read; the
    /// texts are released, and read again where the analysis or its
    /// diagnostics need more ([`load_lean`]).
    Released(Vec<(Document, Vec<Diagnostic>)>),
    /// Taken from the cache where it holds them, parsed here where not.
    Cached(&'c mut AnalysisCache),
}

/// Stages 1b–3.
fn analyze_with(inputs: Inputs, options: &LoadOptions, parse: Parse<'_>) -> Site {
    let Inputs {
        config,
        config_text,
        mut sources,
        io_diagnostics,
        git_dates,
        exports,
    } = inputs;
    let today = options.today.with_as_of(config.as_of);
    let guard = matches!(parse, Parse::Released(_)).then(|| source::RootGuard::new(&options.root));
    let mut diagnostics = io_diagnostics;
    // Unzipped as they are made: collecting pairs and then moving every
    // document out of them kept two copies of 100,000 documents alive.
    // Which sources were parsed afresh rather than taken from the cache.
    let mut fresh = vec![true; sources.len()];
    let mut cache = None;
    let (mut docs, parse_diagnostics): (Vec<Document>, Vec<Vec<Diagnostic>>) = match parse {
        Parse::Fresh => sources
            .par_iter()
            .enumerate()
            .map(|(i, file)| source::parse_document(file, SourceId::new(i), &config.schema))
            .unzip(),
        Parse::Released(parsed) => SourceId::all(parsed.len())
            .zip(parsed)
            .map(|(i, (mut doc, diagnostics))| {
                doc.source = i;
                (doc, diagnostics)
            })
            .unzip(),
        Parse::Cached(kept) => cache
            .insert(kept)
            .parse(&sources, &config.schema, &mut fresh),
    };
    diagnostics.extend(parse_diagnostics.into_iter().flatten());
    let mut context = ResolveContext::default();
    if !options.drafts {
        for doc in docs.iter().filter(|d| d.draft) {
            context
                .excluded_drafts
                .insert(doc.id.clone(), doc.file.clone());
        }
        docs.retain(|d| !d.draft);
    }
    // The trackers' items join as work items here, so the graph, facts,
    // rules, pages and the editor all see them through the one path.
    let mut exports = exports;
    for export in &mut exports {
        diagnostics.append(&mut export.diagnostics);
    }
    let (joined, findings) = tracker::join(exports, docs);
    docs = joined;
    diagnostics.extend(findings);

    let mut earlier = cache.as_mut().and_then(|c| c.earlier.take());
    // An edit that moved no link keeps the last graph and its findings.
    let kept_graph = match (cache.as_mut(), earlier.as_mut()) {
        (Some(cache), Some(earlier))
            if cache.links_unchanged
                && cache.graph_context == context
                && earlier.judged(&docs, config_text.as_deref()) =>
        {
            Some((
                std::mem::take(&mut earlier.graph),
                cache.graph_diagnostics.clone(),
            ))
        }
        _ => None,
    };
    let graph_reused = kept_graph.is_some();
    let (graph, graph_diags) =
        kept_graph.unwrap_or_else(|| Graph::build(&docs, &config.schema, &context));
    let left_out_drafts = context.excluded_drafts.keys().cloned().collect();
    if let Some(cache) = cache.as_mut() {
        cache.graph_diagnostics.clone_from(&graph_diags);
        cache.graph_context = context;
    }
    diagnostics.extend(graph_diags);

    // A fingerprint is of the whole text: the texts of the documents review
    // stamps name are read again for it, and released after.
    let stamped: Vec<DocId> = match guard {
        Some(_) => analysis::stamped(&docs, &graph).collect(),
        None => Vec::new(),
    };
    if let Some(guard) = &guard {
        let whole = stamped.iter().map(|&t| (docs[t].source, u32::MAX));
        diagnostics.extend(restore(&mut sources, whole, guard));
    }
    let facts =
        analysis::Facts::compute(&docs, &sources, &graph, &config.schema, git_dates.as_ref());
    for &target in &stamped {
        sources[docs[target].source].release_after(docs[target].body_offset);
    }
    let rule_context = rules::Context::new(&docs, &graph, &config, &sources, &facts, today);
    let earlier = earlier.filter(|e| e.today == today && e.judged(&docs, config_text.as_deref()));
    let findings = match earlier {
        Some(earlier) => {
            let mut changed: Vec<DocId> = DocId::all(docs.len())
                .filter(|&d| fresh.get(docs[d].source.index()).copied().unwrap_or(true))
                .collect();
            // Facts also come from outside the documents (git dates): a
            // document whose facts moved is judged again even if unchanged.
            changed.extend(analysis::changed_facts(&earlier.facts, &facts));
            // A kept graph was taken from the earlier analysis: it is both.
            let earlier_graph = if graph_reused { &graph } else { &earlier.graph };
            let dirty = analysis::reach(&changed, earlier_graph, &graph);
            rules::rerun(&rule_context, earlier.findings, &dirty)
        }
        None => rules::run(&rule_context),
    };
    diagnostics.extend(findings);
    diagnostics::sort(&mut diagnostics);
    if let Some(guard) = &guard {
        let quoted = diagnostics
            .chunk_by(|a, b| a.file == b.file)
            .filter_map(|of_file| {
                let at = sources
                    .binary_search_by(|s| s.path.as_str().cmp(&of_file[0].file))
                    .map(SourceId::new)
                    .ok()?;
                Some((at, of_file.iter().map(|d| d.span.line).max()?))
            })
            .collect::<Vec<_>>();
        let unreadable = restore(&mut sources, quoted, guard);
        if !unreadable.is_empty() {
            diagnostics.extend(unreadable);
            diagnostics::sort(&mut diagnostics);
        }
    }

    Site {
        root: options.root.clone(),
        config,
        config_text,
        sources,
        docs,
        graph,
        facts,
        diagnostics,
        today,
        history: std::sync::Arc::default(),
        left_out_drafts,
    }
}

/// Reads again, through `guard`, each released source that `wanted` names
/// (by index) with a line past what it holds, and holds it up to that line,
/// or whole for `u32::MAX`. Returns an `io` error for each file that could
/// not be read as it was.
fn restore(
    sources: &mut [SourceFile],
    wanted: impl IntoIterator<Item = (SourceId, u32)>,
    guard: &source::RootGuard,
) -> Vec<Diagnostic> {
    let mut through = vec![0; sources.len()];
    for (at, line) in wanted {
        if let Some(t) = through.get_mut(at.index()) {
            *t = line.max(*t);
        }
    }
    sources
        .par_iter_mut()
        .zip(through)
        .filter(|(file, line)| *line > 0 && !file.holds_line(*line))
        .filter_map(|(file, line)| file.restore_through(line, guard).err())
        .map(|d| *d)
        .collect()
}

/// Reads the site's git history for the pages (`build`, `serve`): once per
/// build, never for `check`, whose findings do not depend on it. It reads
/// the config itself (for `history:` and `ignore`), so that a build can run
/// it beside [`load`]: it mostly waits for git, which works in processes
/// of its own. A config that cannot be read leaves it "not read"; `load`
/// reports that config.
pub fn read_history(options: &LoadOptions, use_kept: bool) -> history::SiteHistory {
    match Config::load(&options.root, rules::HEALTH_RULES) {
        Ok((config, _)) => history::SiteHistory::collect(
            &options.root,
            &config,
            options.output_dir.as_deref(),
            use_kept,
        ),
        Err(_) => history::SiteHistory::default(),
    }
}

/// `file`'s parse, when putting it in place of the source of the same path
/// leaves the analysis of `site` valid: the front matter text is the same,
/// and the re-parse (the document with its links, headings, code and every
/// field, and the parse diagnostics `cache` holds for it) equals what the
/// site holds, so the graph and every finding stay as they are. Returns the
/// source's index, the document's index and the parsed document; `None` when
/// the edit is more than that (or the file is not one of the site's documents).
/// An editor's keystroke in prose and serve's save of a body edit take this
/// path instead of a whole analysis.
pub fn reparse_in_place(
    site: &Site,
    cache: &AnalysisCache,
    file: &SourceFile,
) -> Option<(SourceId, graph::DocId, Document)> {
    let at = site
        .sources
        .binary_search_by(|f| f.path.as_str().cmp(&file.path))
        .map(SourceId::new)
        .ok()?;
    let doc = site
        .docs
        .binary_search_by(|d| d.file.as_str().cmp(&file.path))
        .map(DocId::new)
        .ok()?;
    if source::front_matter_text(&file.text) != source::front_matter_text(&site.sources[at].text) {
        return None;
    }
    let (parsed, diagnostics) = source::parse_document(file, at, &site.config.schema);
    if parsed != site.docs[doc] || cache.diagnostics_of(&file.path)? != diagnostics.as_slice() {
        return None;
    }
    Some((at, doc, parsed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::load_theme;
    use crate::rules::testing::{COMPANY, PRODUCT};
    use crate::{date, render};
    use std::collections::BTreeMap;

    fn options_on(today: &str) -> LoadOptions {
        LoadOptions {
            root: PathBuf::from("site"),
            today: date::Today::Given(date::parse_date(today).expect("date")),
            drafts: false,
            output_dir: None,
            base_url: None,
        }
    }

    /// Analyses `files`, then again with `edited` in place through an
    /// [`AnalysisCache`], and asserts the findings equal a fresh analysis's.
    /// Returns how many findings the edit changed, so a test can check that
    /// it changed some.
    fn incremental_matches_fresh(files: &[(&str, &str)], edited: &[(&str, &str)]) -> usize {
        let options = options_on("2027-03-05");
        let texts = |files: &[(&str, &str)]| -> BTreeMap<String, String> {
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect()
        };
        let mut cache = AnalysisCache::default();
        let inputs = inputs_from_texts(None, texts(files), &options).expect("inputs");
        let first = analyze_cached(inputs, &options, &mut cache);
        let before = first.diagnostics.clone();
        let kept = cache.keep(first);
        let mut now: BTreeMap<String, String> =
            kept.sources.into_iter().map(|s| (s.path, s.text)).collect();
        for (path, text) in edited {
            cache.forget(path);
            now.insert(path.to_string(), text.to_string());
        }
        let inputs = inputs_from_texts(None, now.clone(), &options).expect("inputs");
        let incremental = analyze_cached(inputs, &options, &mut cache);
        let fresh = analyze(
            inputs_from_texts(None, now, &options).expect("inputs"),
            &options,
        );
        assert_eq!(incremental.diagnostics, fresh.diagnostics);
        fresh
            .diagnostics
            .iter()
            .filter(|d| !before.contains(d))
            .count()
            + before
                .iter()
                .filter(|d| !fresh.diagnostics.contains(d))
                .count()
    }

    const METRIC: (&str, &str) = (
        "m.md",
        "---\nid: m\nkind: metric\ncheckins:\n  - {date: 2027-03-02, value: 49}\n---\n",
    );
    const OBJECTIVE: (&str, &str) = (
        "o.md",
        "---\nid: o\nkind: objective\nparent: ps\nstatus: active\nquarter: 2027-Q1\nkey_results:\n  - {metric: m, baseline: 0, target: 100, by: 2027-05-01}\n---\n",
    );

    #[test]
    fn a_metric_check_in_re_judges_the_goals_that_read_it() {
        // The objective links to the metric: only the link from it reaches it.
        let behind = (
            "m.md",
            "---\nid: m\nkind: metric\ncheckins:\n  - {date: 2027-03-02, value: 10}\n---\n",
        );
        let changed = incremental_matches_fresh(&[COMPANY, PRODUCT, METRIC, OBJECTIVE], &[behind]);
        assert!(changed > 0, "the edit should change a finding");
    }

    #[test]
    fn an_edit_at_the_top_re_judges_the_whole_subtree() {
        // The objective is the company strategy's grandchild: no link joins them.
        let dropped = COMPANY.1.replacen(
            "kind: company-strategy",
            "kind: company-strategy\nstatus: dropped",
            1,
        );
        let changed = incremental_matches_fresh(
            &[COMPANY, PRODUCT, METRIC, OBJECTIVE],
            &[(COMPANY.0, &dropped)],
        );
        assert!(changed > 0, "the edit should change a finding");
    }

    /// What `check` and `build` load ([`load_lean`]) is what [`load`] gives
    /// every consumer: the same findings (a stamp's fingerprint is of the
    /// whole text: of the front matter alone, the body would seem changed),
    /// the same lines quoted (a broken link in a body) and the same pages,
    /// rendered from texts read again; and a text that changed since is an
    /// error, never a page.
    #[test]
    fn a_lean_load_finds_quotes_and_renders_what_a_whole_one_does() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let company = format!("{}# Company\n\nWe grow.\n", COMPANY.1);
        let stamp = analysis::fingerprint_of(&company).expect("fingerprint");
        let stamped = format!("reviewed: 2026-11-01\nreviewed_against: {{cs: {stamp}}}");
        let product = PRODUCT.1.replacen("reviewed: 2026-11-01", &stamped, 1)
            + "# Product\n\nIt builds on [[cs]]\nand on [[nowhere]].\n\nMore words.\n";
        let files = [(COMPANY.0, company), (PRODUCT.0, product)];
        for (path, text) in &files {
            std::fs::write(dir.path().join(path), text).expect("write");
        }
        let options = LoadOptions {
            root: dir.path().to_path_buf(),
            ..options_on("2026-11-24")
        };
        let whole = load(&options).expect("load");
        let lean = load_lean(&options).expect("load");
        assert_eq!(lean.diagnostics, whole.diagnostics);
        let rules: Vec<(&str, u32)> = whole
            .diagnostics
            .iter()
            .map(|d| (d.rule, d.span.line))
            .collect();
        assert!(!rules.iter().any(|(rule, _)| *rule == "drift"), "{rules:?}");
        assert!(rules.contains(&("broken-link", 11)), "{rules:?}");
        let human = |site: &Site| {
            let mut out = Vec::new();
            diagnostics::render_human(&site.diagnostics, site, Default::default(), &mut out)
                .expect("render");
            String::from_utf8(out).expect("UTF-8")
        };
        assert_eq!(human(&lean), human(&whole));
        assert!(human(&lean).contains("and on [[nowhere]]."));
        // Each text is held only as far as the analysis still needs it.
        assert!(lean.sources.iter().all(|s| s.released.is_some()));
        assert!(lean.sources[1].text.ends_with("[[nowhere]].\n"));

        let theme = load_theme(&whole).expect("theme");
        let jobs = render::all_jobs(&whole);
        let pages = render::render(&whole, &theme, &jobs).expect("render");
        assert_eq!(render::render(&lean, &theme, &jobs).expect("render"), pages);
        let edited = files[1].1.replace("More", "Less");
        std::fs::write(dir.path().join(PRODUCT.0), edited).expect("write");
        let failed = render::render(&lean, &theme, &jobs).expect_err("changed");
        assert!(
            failed.0.starts_with("ps.md: this file changed while"),
            "{failed:?}"
        );
    }

    #[test]
    fn texts_in_memory_are_analysed_as_the_same_files_on_disk() {
        let options = crate::rules::testing::example_options();
        let root = options.root.clone();
        let mut disk = read_inputs(&options).expect("read");
        // Git dates come from the work tree, not from texts; compare like with like.
        disk.git_dates = None;
        let from_disk = analyze(disk, &options);
        let mut files: Vec<(String, String)> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let text = std::fs::read_to_string(e.path()).ok()?;
                Some((source::relative_path(&root, e.path()), text))
            })
            .collect();
        // Files that are not documents are left out as discovery leaves them out.
        files.push(("static/notes.md".into(), "not a document".into()));
        let config_text = std::fs::read_to_string(root.join(config::CONFIG_FILE)).ok();
        let inputs = inputs_from_texts(config_text, files, &options).expect("inputs");
        let in_memory = analyze(inputs, &options);
        let paths = |site: &Site| {
            site.sources
                .iter()
                .map(|f| f.path.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(paths(&in_memory), paths(&from_disk));
        assert_eq!(in_memory.diagnostics, from_disk.diagnostics);
    }
}
