//! The whole forest's filter index (`trace/forest.js`): when the tree is too
//! large for one page, each trace page shows only its part, and its filters
//! load this file to find every match, on whatever page it is.
//!
//! A script, not JSON, so that it loads from the file system too (a `fetch`
//! of a `file:` URL is refused); every string in it is a JSON string
//! (`serde_json`), which a script reads as the same text. Values repeated
//! across documents (kinds, statuses, teams, owners, quarters, standings,
//! pages) are written once, in dictionaries, and each document refers to
//! them by position, and its link is left empty when it is its id's page:
//! the 10,000-document corpus's is 789 KB, 154 KB gzipped.

use std::collections::HashMap;
use std::fmt::Write;

use crate::analysis::Standing;
use crate::graph::DocId;
use crate::render::view::{Model, INDEX_HTML};

/// Where the index goes, beside the trace page.
pub(super) const FOREST_PATH: &str = "trace/forest.js";

/// Positions in a dictionary of strings, made as they are first met; 0 is
/// "none", written as the empty string.
struct Dictionary<'a> {
    values: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Dictionary<'a> {
    fn new() -> Dictionary<'a> {
        Dictionary {
            values: vec![""],
            index: HashMap::from([("", 0)]),
        }
    }

    fn code(&mut self, value: Option<&'a str>) -> usize {
        let Some(value) = value else { return 0 };
        let next = self.values.len();
        *self.index.entry(value).or_insert_with(|| {
            self.values.push(value);
            next
        })
    }
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn json_list(values: &[&str]) -> String {
    let items: Vec<String> = values.iter().map(|v| json(v)).collect();
    format!("[{}]", items.join(","))
}

/// The index of the documents under `roots` (the trace's, in its order).
/// `paged` are the documents whose branches have trace pages of their own:
/// a document is listed on the page of its nearest ancestor among them
/// (`trace/<id>/`), else on `trace/` itself; a paged document shows on the
/// page above it, with the link to its own.
pub(super) fn forest_js(model: &Model<'_>, roots: &[DocId], paged: &[DocId]) -> String {
    let site = model.site;
    let graph = &site.graph;
    let paged: foldhash::HashSet<DocId> = paged.iter().copied().collect();
    let mut kinds = Dictionary::new();
    let mut labels: Vec<&str> = vec![""];
    let mut statuses = Dictionary::new();
    let mut teams = Dictionary::new();
    let mut owners = Dictionary::new();
    let mut quarters: Vec<String> = Vec::new();
    let mut quarter_codes: HashMap<crate::date::Quarter, usize> = HashMap::new();
    let mut pages = Dictionary::new();
    let mut rows = String::new();
    // Depth first from each root, in the order the trees show them; the
    // page each document is on goes down with it.
    let mut stack: Vec<(DocId, Option<DocId>)> = roots.iter().rev().map(|&r| (r, None)).collect();
    while let Some((doc, page)) = stack.pop() {
        let link = &model.links[doc];
        let k = kinds.code(Some(link.kind));
        if k == labels.len() {
            labels.push(link.kind_label);
        }
        let q = model.quarter_of(doc).map_or(0, |q| {
            let next = quarter_codes.len() + 1;
            *quarter_codes.entry(q).or_insert_with(|| {
                quarters.push(q.to_string());
                next
            })
        });
        let verdict = model
            .verdict(doc)
            .and_then(|v| Standing::ALL.iter().position(|&s| s == v))
            .map_or(0, |p| p + 1);
        // Most documents' page is their id's: said by an empty link.
        let href = match link.url.filter(|u| is_web(u)) {
            Some(url) => url.to_string(),
            None if link.path.0 == link.id => String::new(),
            None => format!("{}{INDEX_HTML}", link.path.0),
        };
        if !rows.is_empty() {
            rows.push(',');
        }
        // Writing into a String cannot fail.
        let _ = write!(
            rows,
            "[{},{},{k},{},{},{},{q},{verdict},{},{}]",
            json(link.id),
            json(link.title),
            statuses.code(link.status),
            teams.code(model.team_of(doc).map(|t| model.links[t].id)),
            owners.code(site.docs[doc].owner.as_deref()),
            pages.code(page.map(|p| model.links[p].id)),
            json(&href),
        );
        let below = if paged.contains(&doc) {
            Some(doc)
        } else {
            page
        };
        for &c in graph.children(doc).iter().rev() {
            stack.push((c, below));
        }
    }
    let quarters: Vec<&str> = quarters.iter().map(String::as_str).collect();
    let standings: Vec<&str> = std::iter::once("")
        .chain(Standing::ALL.iter().map(|s| s.slug()))
        .collect();
    let words: Vec<&str> = std::iter::once("")
        .chain(Standing::ALL.iter().map(|s| s.as_str()))
        .collect();
    let quarters: Vec<&str> = std::iter::once("").chain(quarters).collect();
    format!(
        "window.throughlineForest={{\"kinds\":{},\"labels\":{},\"statuses\":{},\"teams\":{},\"owners\":{},\"quarters\":{},\"standings\":{},\"words\":{},\"pages\":{},\"docs\":[{rows}]}};\n",
        json_list(&kinds.values),
        json_list(&labels),
        json_list(&statuses.values),
        json_list(&teams.values),
        json_list(&owners.values),
        json_list(&quarters),
        json_list(&standings),
        json_list(&words),
        json_list(&pages.values),
    )
}

/// Whether a tracker's link is one a page may link to: the filter's list
/// links an item there, and anything else to the page it hangs under.
fn is_web(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_are_kept() {
        assert!(is_web("https://github.com/o/r/issues/1"));
        assert!(is_web("HTTP://x"));
        assert!(!is_web("javascript:alert(1)"));
        assert!(!is_web("data:text/html,x"));
    }

    #[test]
    fn dictionaries_code_none_as_zero_and_each_value_once() {
        let mut d = Dictionary::new();
        assert_eq!(d.code(None), 0);
        assert_eq!(d.code(Some("a")), 1);
        assert_eq!(d.code(Some("b")), 2);
        assert_eq!(d.code(Some("a")), 1);
        assert_eq!(d.values, ["", "a", "b"]);
    }
}
