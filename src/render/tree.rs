//! The traceability tree: which documents a page shows below another
//! ([`subtree`], bounded by [`SUBTREE_BUDGET`]) and its HTML ([`tree_html`]),
//! written in Rust because recursive templates are slow and awkward in Tera.
//! Depth is bounded by the graph's `MAX_DEPTH`, so the recursion is too.

use super::markdown::Escaped;
use super::view::{DocLink, Model};
use crate::date::Quarter;
use crate::graph::DocId;

/// A node of the traceability tree, rendered by [`super::tree_html`].
#[derive(Debug, Clone)]
pub struct TreeItem<'a> {
    /// The document.
    pub doc: DocLink<'a>,
    /// The team's id (own or inherited), for filtering.
    pub team: Option<&'a str>,
    /// The quarter, own or the nearest ancestor's, for filtering.
    pub quarter: Option<Quarter>,
    /// Children in the parent tree.
    pub children: Vec<TreeItem<'a>>,
}

/// The tree from `doc` down, `depth` levels deep (1: `doc` alone), with filter data.
pub fn subtree<'a>(model: &'a Model<'_>, doc: DocId, depth: usize) -> TreeItem<'a> {
    let graph = &model.site.graph;
    TreeItem {
        doc: model.links[doc],
        team: model.team_of(doc).map(|t| model.links[t].id),
        quarter: model.quarter_of(doc),
        children: if depth > 1 {
            graph
                .children(doc)
                .iter()
                .map(|&c| subtree(model, c, depth - 1))
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// How many documents a page's "below" tree shows before pointing to the trace page.
pub(crate) const SUBTREE_BUDGET: usize = 300;

/// How many whole levels below `doc` fit in `budget` nodes (always at least the
/// children), and how many descendants that leaves out.
pub(crate) fn levels_within(model: &Model<'_>, doc: DocId, budget: usize) -> (usize, usize) {
    let graph = &model.site.graph;
    let mut level: Vec<DocId> = graph.children(doc).to_vec();
    let (mut shown, mut depth, mut hidden) = (0, 0, 0);
    while !level.is_empty() {
        if depth > 0 && shown + level.len() > budget {
            hidden += level.len();
        } else {
            shown += level.len();
            depth += 1;
        }
        level = level
            .iter()
            .flat_map(|&d| graph.children(d).iter().copied())
            .collect();
    }
    (depth, hidden)
}

/// The traceability tree as nested lists. A branch's children sit in a
/// `<details>` so the tree opens and closes without script; its `<summary>`
/// holds only the toggle, after the document's link, because a link inside
/// `<summary>` nests one control in another: keyboard and screen-reader users
/// reach one of the two, never both (axe's `nested-interactive`). The
/// stylesheet draws the toggle in the gutter left of the title.
pub fn tree_html(items: &[TreeItem], root: &str) -> String {
    fn node(item: &TreeItem, root: &str, depth: usize, out: &mut String) {
        use std::fmt::Write;
        let d = &item.doc;
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            "<li data-id=\"{}\" data-team=\"{}\" data-quarter=\"",
            Escaped(d.id),
            Escaped(item.team.unwrap_or("")),
        );
        if let Some(quarter) = item.quarter {
            // `2027-Q1`: nothing to escape.
            let _ = write!(out, "{quarter}");
        }
        let _ = write!(
            out,
            "\"><span class=\"node-line\"><a href=\"{root}{}{}\">{}</a> <span class=\"badge kind\">{}</span>",
            Escaped(d.path.0),
            super::view::INDEX_HTML,
            Escaped(d.title),
            Escaped(d.kind_label)
        );
        if let Some(status) = d.status {
            let _ = write!(
                out,
                " <span class=\"badge status-{status}\">{status}</span>"
            );
        }
        if d.warnings > 0 {
            let s = if d.warnings == 1 { "" } else { "s" };
            let _ = write!(
                out,
                " <span class=\"badge warn\">{} finding{s}</span>",
                d.warnings
            );
        }
        if !item.children.is_empty() {
            let _ = write!(
                out,
                " <span class=\"muted\">({})</span>",
                item.children.len()
            );
        }
        out.push_str("</span>");
        if !item.children.is_empty() {
            // The toggle's name says whose children it shows; its state
            // (expanded or collapsed) comes from `<details>` itself.
            let n = item.children.len();
            let _ = write!(
                out,
                "{}<summary><span class=\"visually-hidden\">{n} below {}</span></summary><ul>",
                if depth < 2 {
                    "<details open>"
                } else {
                    "<details>"
                },
                Escaped(d.title)
            );
            for c in &item.children {
                node(c, root, depth + 1, out);
            }
            out.push_str("</ul></details>");
        }
        out.push_str("</li>");
    }
    if items.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"tree\">");
    for item in items {
        node(item, root, 0, &mut out);
    }
    out.push_str("</ul>");
    out
}
