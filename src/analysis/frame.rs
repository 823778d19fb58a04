//! What a document is framed by: the `fixed:` statements and `constraints:`
//! of every document above it, and its own, with its own `open:`. One
//! function, so that every page (and anything else) shows the same trail.

use crate::graph::{DocId, Graph};
use crate::model::Document;

/// One statement and where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stated<'a> {
    /// The document that states it: the one itself, or an ancestor.
    pub from: DocId,
    /// The statement.
    pub text: &'a str,
}

/// A document's frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Frame<'a> {
    /// Every `fixed:` statement from the top of the trail down to the
    /// document itself, each once (the first, highest, statement of a text).
    pub fixed: Vec<Stated<'a>>,
    /// Every `constraints:` statement, likewise.
    pub constraints: Vec<Stated<'a>>,
    /// The document's own `open:`: what is open belongs to its level.
    pub open: &'a [String],
}

impl Frame<'_> {
    /// Whether there is nothing to show.
    pub(crate) fn is_empty(&self) -> bool {
        self.fixed.is_empty() && self.constraints.is_empty() && self.open.is_empty()
    }
}

/// The frame of `doc`: `fixed:` and `constraints:` inherited down the
/// trail (ancestors first), `open:` its own. The walk is the graph's
/// ancestor chain, at most `MAX_DEPTH` long.
pub(crate) fn frame_of<'a>(docs: &'a [Document], graph: &Graph, doc: DocId) -> Frame<'a> {
    let mut chain = graph.ancestors(doc);
    chain.reverse();
    chain.push(doc);
    let mut frame = Frame {
        open: &docs[doc].open,
        ..Frame::default()
    };
    for &from in &chain {
        let d = &docs[from];
        for (list, into) in [
            (&d.fixed, &mut frame.fixed),
            (&d.constraints, &mut frame.constraints),
        ] {
            for text in list {
                // Repeating a statement below keeps it where it was first said.
                if !into.iter().any(|s: &Stated<'_>| s.text == text.as_str()) {
                    into.push(Stated { from, text });
                }
            }
        }
    }
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    #[test]
    fn fixed_and_constraints_come_down_the_trail_and_open_stays_at_its_level() {
        let site = site(
            "",
            &[
                ("cs.md", "---\nid: cs\nkind: company-strategy\nfixed: [Merchants own their data]\nopen: [Which markets first]\n---\n"),
                ("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nfixed:\n  - Payouts are free\n  - Merchants own their data\n---\n"),
                ("bet.md", "---\nid: bet\nkind: bet\nparent: ps\nconstraints: [No new bank partner before Q2]\nopen: [The rail]\n---\n"),
                ("obj.md", "---\nid: obj\nkind: objective\nparent: bet\nopen: How to measure it\n---\n"),
            ],
            "2026-11-24",
        );
        let id = |s: &str| site.graph.lookup(s).expect("id");
        let frame = frame_of(&site.docs, &site.graph, id("obj"));
        let fixed: Vec<(&str, &str)> = frame
            .fixed
            .iter()
            .map(|s| (site.docs[s.from].id.as_str(), s.text))
            .collect();
        assert_eq!(
            fixed,
            [
                ("cs", "Merchants own their data"),
                ("ps", "Payouts are free")
            ]
        );
        assert_eq!(frame.constraints.len(), 1);
        assert_eq!(site.docs[frame.constraints[0].from].id, "bet");
        assert_eq!(frame.open, ["How to measure it"]);
        assert!(frame_of(&site.docs, &site.graph, id("cs")).fixed.len() == 1);
    }
}
