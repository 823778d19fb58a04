//! The jobs of a render: [`Job`], the list of a full build ([`all_jobs`]),
//! and what each job that is no document page makes ([`run`]). Document
//! pages and search are [`parallel`](super::parallel)'s; an overview is a
//! row of [`OVERVIEWS`].

use super::pages::{self, OVERVIEWS};
use super::theme::Theme;
use super::view::Model;
use super::{highlight, RenderError};
use crate::graph::DocId;
use crate::output::OutputFile;
use crate::site::Site;

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
    /// `people/` and a page per person (`people/<id>/`), when the site has people.
    People,
    /// Dependencies team by team (`dependencies/`), when the site has one.
    Dependencies,
    /// Decisions, newest first (`decisions/`).
    Decisions,
    /// The Atom feeds: `changes/feed.xml`, `teams/<id>/feed.xml`.
    Feeds,
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
    // A tracker's item has no page: it links to the tracker.
    let mut jobs: Vec<Job> = DocId::all(site.docs.len())
        .filter(|&d| site.docs[d].tracker.is_none())
        .map(Job::Document)
        .collect();
    jobs.extend([
        Job::Home,
        Job::Trace,
        Job::Health,
        Job::Roadmap,
        Job::Teams,
        Job::Metrics,
        Job::Quarters,
        Job::Changes,
        Job::People,
        Job::Dependencies,
        Job::Decisions,
        Job::Feeds,
        Job::Search,
        Job::NotFound,
        Job::Graph,
        Job::Assets,
    ]);
    jobs
}

/// The resolved graph for other tools (SPEC §9), at the output's root.
pub(super) const GRAPH_JSON: &str = "graph.json";

/// Renders an overview: any job but a document page or search, which
/// [`render_with`](super::parallel::render_with) makes itself (pages in
/// batches, the index from their entries).
pub(super) fn run(
    model: &Model<'_>,
    theme: &Theme,
    job: Job,
) -> Result<Vec<OutputFile>, RenderError> {
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
        Job::Quarters => pages::quarter::quarter_pages_job(model, theme)?,
        Job::People => pages::people::people_pages_job(model, theme)?,
        Job::Feeds => pages::feeds::feeds(model),
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
        | Job::Dependencies
        | Job::Decisions
        | Job::Metrics
        | Job::NotFound => {
            unreachable!("render_with sorts document and search jobs out; OVERVIEWS has the rest")
        }
    })
}
