//! The traceability tree: which documents a page shows below another
//! ([`subtree`], bounded by [`SUBTREE_BUDGET`]) and its HTML ([`tree_html`]),
//! written in Rust because recursive templates are slow and awkward in Tera.
//! Depth is bounded by the graph's `MAX_DEPTH`, so the recursion is too.

use super::markdown::Escaped;
use super::view::{DocLink, Model};
use crate::date::Quarter;
use crate::graph::DocId;

/// A node of the traceability tree, rendered by [`super::tree_html`].
/// Hashed with its page's values (`ServedPages`) through `Hash`, not serde.
#[derive(Debug, Clone, Hash)]
pub(super) struct TreeItem<'a> {
    /// The document.
    pub doc: DocLink<'a>,
    /// The team's id (own or inherited), for filtering.
    pub team: Option<&'a str>,
    /// The quarter, own or the nearest ancestor's, for filtering.
    pub quarter: Option<Quarter>,
    /// The owner, for filtering.
    pub owner: Option<&'a str>,
    /// Where it stands (`Model::verdict`): a bet's standing, else the
    /// worst pace of its goals.
    pub verdict: Option<crate::analysis::Standing>,
    /// How the documents below it stand; only the trace pages count them
    /// (a document page's tree is cut by its own budget).
    pub rollup: Option<crate::analysis::Rollup>,
    /// Children in the parent tree.
    pub children: Vec<TreeItem<'a>>,
    /// Descendants shown on another trace page instead of here: the line
    /// links there.
    pub elsewhere: usize,
    /// The document whose trace page (`trace/<id>/`) shows them: this one
    /// or an ancestor.
    pub elsewhere_on: Option<DocLink<'a>>,
    /// Tracker items below it counted instead of listed.
    pub collapsed: Collapsed,
}

/// Tracker items under one document, counted rather than listed: more than
/// [`TRACKER_ITEMS_LISTED`] of them would bury the documents beside them.
#[derive(Debug, Clone, Copy, Default, Hash, PartialEq, Eq)]
pub(super) struct Collapsed {
    /// How many.
    pub items: usize,
    /// Of them, done.
    pub done: usize,
}

/// How many tracker items a document's tree lists before it counts them instead.
pub(crate) const TRACKER_ITEMS_LISTED: usize = 10;

/// The children of `doc` a tree lists, and the tracker items it counts instead.
fn shown_children(model: &Model<'_>, doc: DocId) -> (Vec<DocId>, Collapsed) {
    let docs = &model.site.docs;
    let children = model.site.graph.children(doc);
    let items = children
        .iter()
        .filter(|&&c| docs[c].tracker.is_some())
        .count();
    if items <= TRACKER_ITEMS_LISTED {
        return (children.to_vec(), Collapsed::default());
    }
    let done = children
        .iter()
        .filter(|&&c| {
            docs[c].tracker.is_some() && docs[c].status == Some(crate::model::Status::Done)
        })
        .count();
    let shown = children
        .iter()
        .copied()
        .filter(|&c| docs[c].tracker.is_none())
        .collect();
    (shown, Collapsed { items, done })
}

/// The tree from `doc` down, `depth` levels deep (1: `doc` alone), with filter data.
pub(super) fn subtree<'a>(model: &'a Model<'_>, doc: DocId, depth: usize) -> TreeItem<'a> {
    let (children, collapsed) = if depth > 1 {
        shown_children(model, doc)
    } else {
        (Vec::new(), Collapsed::default())
    };
    TreeItem {
        collapsed,
        doc: model.links[doc],
        team: model.team_of(doc).map(|t| model.links[t].id),
        quarter: model.quarter_of(doc),
        owner: model.site.docs[doc].owner.as_deref(),
        verdict: model.verdict(doc),
        rollup: None,
        elsewhere: 0,
        elsewhere_on: None,
        children: children
            .into_iter()
            .map(|c| subtree(model, c, depth - 1))
            .collect(),
    }
}

/// How many documents a page's "below" tree shows before pointing to the trace page.
pub(crate) const SUBTREE_BUDGET: usize = 300;

/// How many documents one trace page shows at most (about 300 to 450 bytes
/// each), besides the children of its last level, which link to their own
/// pages. 2,000 let the 10k site's landing page grow to 475 KB, which a
/// phone on a slow link takes over 3 s to load (Lighthouse 78); at 1,000 it
/// is 28 KB and the branch pages are unchanged (docs/performance.md).
pub(crate) const TRACE_PAGE_BUDGET: usize = 1_000;

/// The trees from `roots` down, as many whole levels as fit in `budget`
/// documents (always the roots and their children). When some are left
/// out, the branches below go to trace pages of their own: those of the
/// documents on the shallowest level (below the roots) whose whole trees
/// each fit a page, so a site gets a few full pages rather than many small
/// ones. A document on the last level shown whose children are left out
/// links to the page that shows them. Returns the trees and the documents
/// that get a page, in order.
pub(super) fn within_budget<'a>(
    model: &'a Model<'_>,
    roots: &[DocId],
    budget: usize,
) -> (Vec<TreeItem<'a>>, Vec<DocId>) {
    let graph = &model.site.graph;
    // Whole levels below the roots while they fit.
    let mut levels: Vec<Vec<DocId>> = vec![roots.to_vec()];
    let mut shown = roots.len();
    loop {
        let next: Vec<DocId> = levels[levels.len() - 1]
            .iter()
            .flat_map(|&d| graph.children(d).iter().copied())
            .collect();
        if next.is_empty() || (levels.len() > 1 && shown + next.len() > budget) {
            break;
        }
        shown += next.len();
        levels.push(next);
    }
    let depth = levels.len();
    let last = &levels[depth - 1];
    if last.iter().all(|&d| graph.children(d).is_empty()) {
        let items = roots
            .iter()
            .map(|&r| {
                let mut item = subtree(model, r, depth);
                mark_rollups(model, &mut item, r);
                item
            })
            .collect();
        return (items, Vec::new());
    }
    // The level whose documents get pages: the shallowest below the roots
    // whose trees each fit one, else the last one shown.
    let paged_level = (1..depth)
        .find(|&l| {
            levels[l]
                .iter()
                .all(|&d| graph.descendants(d).len() < budget)
        })
        .unwrap_or(depth - 1);
    let mut owner: std::collections::HashMap<DocId, DocId> = std::collections::HashMap::new();
    for &d in &levels[paged_level] {
        owner.insert(d, d);
    }
    for level in &levels[paged_level + 1..depth] {
        for &d in level {
            if let Some(&o) = graph.parent(d).and_then(|p| owner.get(&p)) {
                owner.insert(d, o);
            }
        }
    }
    let paged: Vec<DocId> = levels[paged_level]
        .iter()
        .copied()
        .filter(|&d| !graph.children(d).is_empty())
        .collect();
    let items = roots
        .iter()
        .map(|&r| {
            let mut item = subtree(model, r, depth);
            mark_elsewhere(model, &mut item, r, depth, &owner);
            mark_rollups(model, &mut item, r);
            item
        })
        .collect();
    (items, paged)
}

/// Gives every node of `item` (the tree of `doc`) that has documents below
/// it its roll-up ([`Model::rollup`]), shown or on another page.
fn mark_rollups(model: &Model<'_>, item: &mut TreeItem<'_>, doc: DocId) {
    if !model.site.graph.children(doc).is_empty() {
        item.rollup = Some(model.rollup(doc));
    }
    let (shown, _) = shown_children(model, doc);
    for (child, &c) in item.children.iter_mut().zip(&shown) {
        mark_rollups(model, child, c);
    }
}

/// How many documents `items` show.
pub(super) fn count(items: &[TreeItem<'_>]) -> usize {
    items.iter().map(|i| 1 + count(&i.children)).sum()
}

/// Marks the nodes of the last level shown (`depth` 1 below `doc`) whose
/// children are left out with the page that shows them (`owner`).
fn mark_elsewhere<'a>(
    model: &'a Model<'_>,
    item: &mut TreeItem<'a>,
    doc: DocId,
    depth: usize,
    owner: &std::collections::HashMap<DocId, DocId>,
) {
    let graph = &model.site.graph;
    if depth == 1 {
        if let Some(&o) = owner.get(&doc) {
            if !graph.children(doc).is_empty() {
                item.elsewhere = graph.descendants(doc).len();
                item.elsewhere_on = Some(model.links[o]);
            }
        }
        return;
    }
    let (shown, _) = shown_children(model, doc);
    for (child, &c) in item.children.iter_mut().zip(&shown) {
        mark_elsewhere(model, child, c, depth - 1, owner);
    }
}

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

/// A roll-up's counts after its "N below" and `lead`: `3 behind, 12 at
/// risk, 90 on track`, each count classed by its standing so the stylesheet can colour
/// the words that need attention; nothing when no document below has a
/// verdict or is done.
fn rollup_parts(rollup: &crate::analysis::Rollup, lead: &str, out: &mut String) {
    use std::fmt::Write;
    let mut first = true;
    for (n, words, slug) in rollup.parts() {
        out.push_str(if first { lead } else { ", " });
        first = false;
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            "<span class=\"r-{slug}\">{} {words}</span>",
            crate::text::group_digits(n as usize)
        );
    }
}

/// The traceability tree as nested lists. A branch's children sit in a
/// `<details>` so the tree opens and closes without script; its `<summary>`
/// holds only the toggle, after the document's link, because a link inside
/// `<summary>` nests one control in another: keyboard and screen-reader users
/// reach one of the two, never both (axe's `nested-interactive`). The
/// stylesheet draws the toggle in the gutter left of the title.
///
/// Each `<li>` carries what the trace page's filters read, each attribute
/// only when it has a value: `data-k` kind, `data-s` status, `data-t` team,
/// `data-q` quarter, `data-o` owner, `data-v` where it stands. `trace` is the way from the page to
/// the `trace/` folder, for the links to documents' own trace pages.
pub(super) fn tree_html(items: &[TreeItem], root: &str, trace: &str) -> String {
    fn node(item: &TreeItem, root: &str, trace: &str, depth: usize, out: &mut String) {
        use std::fmt::Write;
        let d = &item.doc;
        // Writing into a String cannot fail.
        let _ = write!(out, "<li data-k=\"{}\"", Escaped(d.kind));
        if let Some(status) = d.status {
            let _ = write!(out, " data-s=\"{status}\"");
        }
        if let Some(team) = item.team {
            let _ = write!(out, " data-t=\"{}\"", Escaped(team));
        }
        if let Some(quarter) = item.quarter {
            // `2027-Q1`: nothing to escape.
            let _ = write!(out, " data-q=\"{quarter}\"");
        }
        if let Some(owner) = item.owner {
            let _ = write!(out, " data-o=\"{}\"", Escaped(owner));
        }
        if let Some(verdict) = item.verdict {
            let _ = write!(out, " data-v=\"{}\"", verdict.slug());
        }
        match d.url {
            Some(url) => {
                let _ = write!(
                    out,
                    "><span class=\"node-line\"><a href=\"{}\">",
                    Escaped(url)
                );
            }
            None => {
                let _ = write!(
                    out,
                    "><span class=\"node-line\"><a href=\"{root}{}{}\">",
                    Escaped(d.path.0),
                    super::view::INDEX_HTML
                );
            }
        }
        let _ = write!(
            out,
            "{}</a> <span class=\"badge kind\">{}</span>",
            Escaped(d.title),
            Escaped(d.kind_label)
        );
        if let Some(status) = d.status {
            let _ = write!(
                out,
                " <span class=\"badge status-{status}\">{status}</span>"
            );
        }
        if let Some(verdict) = item.verdict {
            let _ = write!(
                out,
                " <span class=\"badge pace-{}\" title=\"where it stands: the pace of its goals\">{}</span>",
                verdict.slug(),
                verdict.as_str()
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
        match item.rollup {
            // The count and the roll-up go with the link when the branch is
            // on a page of its own: said below.
            Some(rollup) if item.elsewhere_on.is_none() && rollup.below > 0 => {
                let _ = write!(
                    out,
                    " <span class=\"rollup\">{} below",
                    crate::text::group_digits(rollup.below as usize)
                );
                rollup_parts(&rollup, ": ", out);
                out.push_str("</span>");
            }
            None if !item.children.is_empty() => {
                let _ = write!(
                    out,
                    " <span class=\"muted\">({})</span>",
                    crate::text::group_digits(item.children.len())
                );
            }
            _ => {}
        }
        if item.collapsed.items > 0 {
            let _ = write!(
                out,
                " <span class=\"muted\">+ {} tracker items, {} done</span>",
                crate::text::group_digits(item.collapsed.items),
                crate::text::group_digits(item.collapsed.done)
            );
        }
        if let Some(on) = item.elsewhere_on {
            let _ = write!(
                out,
                " <a class=\"branch\" href=\"{trace}{}{}\">{} below",
                Escaped(on.path.0),
                super::view::INDEX_HTML,
                crate::text::group_digits(item.elsewhere)
            );
            // Seen, the count is enough beside the title; heard in a list of
            // links, it needs the title.
            let _ = write!(
                out,
                "<span class=\"visually-hidden\"> {}</span> ›</a>",
                Escaped(d.title)
            );
            if let Some(rollup) = item.rollup.filter(|r| r.parts().next().is_some()) {
                out.push_str(" <span class=\"rollup\">");
                rollup_parts(&rollup, "", out);
                out.push_str("</span>");
            }
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
                node(c, root, trace, depth + 1, out);
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
        node(item, root, trace, 0, &mut out);
    }
    out.push_str("</ul>");
    out
}
