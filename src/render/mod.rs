//! Stage render: turn a checked site into pages. Pure: it takes the loaded
//! site and returns files in memory; writing them is `output`'s job, so
//! `build` and `serve` share every line of it.
//!
//! The work is a flat list of [`Job`]s, each a function of the immutable
//! site, run in parallel. A file per job of the renderer:
//!
//! - `jobs.rs`: the [`Job`]s, and what each job that is no document page makes;
//! - `parallel.rs`: how a list of jobs runs (overviews, document pages in
//!   batches, the search index fed between them);
//! - `pages/`: a file per kind of page, its context and its row of `OVERVIEWS`;
//! - `body.rs`: a document's body as HTML, its links resolved, and its search entry;
//! - `memory.rs`: a build's render over a previous output ([`render_build`]);
//! - `served.rs`: what serve keeps between renders ([`ServedPages`], [`SearchEntries`]);
//! - `cache.rs`: the render cache a build leaves in its output;
//! - `view.rs`: the per-build [`Model`](view::Model) every page reads;
//! - `theme.rs`, `markdown.rs`, `highlight.rs`, `search.rs`, `tree.rs`,
//!   `svg.rs`: templates, bodies, code, the search index, trees and charts.

mod body;
pub mod cache;
mod error;
mod highlight;
mod jobs;
pub(crate) mod legend;
pub(crate) mod markdown;
mod memory;
mod pages;
mod parallel;
mod search;
mod served;
mod svg;
pub mod theme;
mod tree;
pub mod view;

use crate::output::OutputFile;
use crate::site::Site;
pub use error::RenderError;
pub use jobs::{all_jobs, Job};
pub use memory::{build_identity, render_build, BuildRender};
pub use pages::health::HEALTH_PREFIX;
pub use pages::optional_page_paths;
pub use pages::quarter::quarter_page_paths;
pub use pages::trace::TRACE_PREFIX;
use parallel::{render_with, Mode};
pub use search::SEARCH_PREFIX;
pub use served::{SearchEntries, ServedPages};
use theme::Theme;
use view::Appearances;

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

/// [`render_into`] for a partial rebuild: documents not in `jobs` keep the
/// search entry `known` has for them; `known` is updated with the new ones.
/// Pages `served` already serves from the same values are not rendered or
/// handed to `sink`: [`ServedPages::take_skipped`] lists them. With
/// `appearances` (of this very site), pages of many findings are keyed by
/// them instead of by their values.
pub fn render_partial(
    site: &Site,
    theme: &Theme,
    jobs: &[Job],
    sink: &Sink<'_>,
    known: &mut SearchEntries,
    served: &ServedPages,
    appearances: Option<&Appearances>,
) -> Result<Rendered, RenderError> {
    render_with(
        site,
        theme,
        jobs,
        sink,
        Mode::Serve {
            known,
            served,
            appearances,
        },
    )
}

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
