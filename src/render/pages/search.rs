//! The search page (`search/`, `search.html`); its index is
//! [`search`](crate::render::search)'s, written beside it.

use serde::Serialize;

use super::{base, page};
use crate::output::OutputFile;
use crate::render::error::RenderError;
use crate::render::theme::Theme;
use crate::render::view::Model;

/// The search page; its index is [`search`](crate::render::search)'s.
pub(in crate::render) fn search_page(
    model: &Model<'_>,
    theme: &Theme,
) -> Result<Option<OutputFile>, RenderError> {
    page(
        theme,
        "search.html",
        "search/index.html".into(),
        &base(model, "../", "search"),
        &search(model),
    )
}

/// The search page: the kinds its filter offers.
#[derive(Debug, Serialize)]
struct SearchPage<'a> {
    /// Each kind documents have, as its name and label, sorted by label.
    pub kinds: Vec<crate::render::search::KindName<'a>>,
}

/// The search page's context.
fn search<'a>(model: &Model<'a>) -> SearchPage<'a> {
    SearchPage {
        kinds: crate::render::search::kinds(model)
            .into_iter()
            .map(|(name, label)| crate::render::search::KindName { name, label })
            .collect(),
    }
}
