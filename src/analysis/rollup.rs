//! How each document stands in one word (its *verdict*), and how the
//! documents below each one stand, counted (its *roll-up*): the trace page
//! says "150 below: 3 behind, 12 at risk, 90 on track" on every branch, and
//! its filters find every at-risk document of the forest by the same verdict.

use super::standing::{rolled_up_pace, standing, Standing};
use super::Facts;
use crate::date::Date;
use crate::graph::{DocId, Graph};
use crate::model::{Document, Status};

/// Where document `doc` stands today: an open bet's [`standing`]; any other
/// open document's worst goal pace ([`rolled_up_pace`]); `None` when it is
/// closed or has no goal to judge it by. The trace's badges, roll-ups and
/// filters all read this one verdict.
pub(crate) fn verdict(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    doc: DocId,
    tolerance: f64,
    today: Date,
) -> Option<Standing> {
    let d = &docs[doc];
    if d.status.is_some_and(Status::is_closed) {
        return None;
    }
    if d.kind == "bet" {
        return standing(docs, graph, facts, doc, tolerance, today);
    }
    rolled_up_pace(docs, graph, facts, doc, tolerance, today).map(Standing::from)
}

/// What lies below one document: how many documents, how many of them
/// stand where ([`verdict`]), and how many are done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Rollup {
    /// Every descendant.
    pub below: u32,
    /// Descendants by verdict, in the order of [`Standing::ALL`].
    pub standing: [u32; Standing::ALL.len()],
    /// Descendants whose status is `done`.
    pub done: u32,
}

impl Rollup {
    /// The counts with a verdict or done, worst first, as `(count, words, slug)`;
    /// empty counts left out.
    pub fn parts(&self) -> impl Iterator<Item = (u32, &'static str, &'static str)> + '_ {
        Standing::ALL
            .iter()
            .zip(self.standing)
            .map(|(s, n)| (n, s.as_str(), s.slug()))
            .chain(std::iter::once((self.done, "done", "done")))
            .filter(|&(n, _, _)| n > 0)
    }

    fn add(&mut self, other: &Rollup) {
        self.below += other.below;
        for (a, b) in self.standing.iter_mut().zip(other.standing) {
            *a += b;
        }
        self.done += other.done;
    }
}

/// Every document's verdict and roll-up, in one pass over the forest: each
/// document's verdict once, then each adds its own and its roll-up to its
/// parent's, children before parents (the reverse of a walk down from the
/// roots), so a 10,000-document site costs one verdict a document.
pub(crate) fn rollups(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    tolerance: f64,
    today: Date,
) -> (Vec<Option<Standing>>, Vec<Rollup>) {
    use rayon::prelude::*;
    let verdicts: Vec<Option<Standing>> = (0..docs.len())
        .into_par_iter()
        .map(|i| verdict(docs, graph, facts, DocId::new(i), tolerance, today))
        .collect();
    let mut order: Vec<DocId> = graph.roots().collect();
    let mut at = 0;
    while at < order.len() {
        let d = order[at];
        order.extend_from_slice(graph.children(d));
        at += 1;
    }
    let mut rollups = vec![Rollup::default(); docs.len()];
    for &d in order.iter().rev() {
        let Some(parent) = graph.parent(d) else {
            continue;
        };
        let mut own = rollups[d];
        own.below += 1;
        if let Some(v) = verdicts[d] {
            if let Some(slot) = Standing::ALL.iter().position(|&s| s == v) {
                own.standing[slot] += 1;
            }
        }
        if docs[d].status == Some(Status::Done) {
            own.done += 1;
        }
        rollups[parent].add(&own);
    }
    (verdicts, rollups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    #[test]
    fn each_branch_counts_every_document_below_it_by_verdict_once() {
        let metric = "---\nid: m\nkind: metric\ncheckins:\n  - {date: 2026-10-01, value: 0}\n  - {date: 2026-11-15, value: 10}\n---\n";
        let bet = |id: &str, status: &str, success: &str| {
            format!("---\nid: {id}\nkind: bet\nparent: ps\nquarter: 2026-Q4\nstatus: {status}\n{success}---\n")
        };
        let far = "success: {metric: m, baseline: 0, target: 100, deadline: 2026-12-31}\n";
        let near = "success: {metric: m, baseline: 0, target: 15, deadline: 2026-12-31}\n";
        let files = [
            (
                "cs.md",
                "---\nid: cs\nkind: company-strategy\n---\n".to_string(),
            ),
            (
                "ps.md",
                "---\nid: ps\nkind: product-strategy\nparent: cs\n---\n".to_string(),
            ),
            ("m.md", metric.to_string()),
            ("behind.md", bet("behind", "in-progress", far)),
            ("ontrack.md", bet("ontrack", "in-progress", near)),
            ("bare.md", bet("bare", "committed", "")),
            ("shipped.md", bet("shipped", "done", far)),
            (
                "w.md",
                "---\nid: w\nkind: work\nparent: behind\nstatus: done\n---\n".to_string(),
            ),
        ];
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let site = site("", &files, "2026-11-24");
        let (verdicts, rollups) = rollups(&site.docs, &site.graph, &site.facts, 0.25, site.today);
        let id = |s: &str| site.graph.lookup(s).unwrap();
        assert_eq!(verdicts[id("behind")], Some(Standing::Behind));
        assert_eq!(verdicts[id("ontrack")], Some(Standing::OnTrack));
        assert_eq!(verdicts[id("bare")], Some(Standing::Unmeasured));
        assert_eq!(verdicts[id("shipped")], None, "closed: nothing asked of it");
        let ps = rollups[id("ps")];
        assert_eq!(ps.below, 5);
        let words: Vec<String> = ps.parts().map(|(n, w, _)| format!("{n} {w}")).collect();
        assert_eq!(words, ["1 behind", "1 unmeasured", "1 on track", "2 done"]);
        // The company strategy counts the product strategy too, which has no verdict.
        assert_eq!(rollups[id("cs")].below, 6);
        assert_eq!(rollups[id("cs")].standing, ps.standing);
        assert_eq!(rollups[id("w")], Rollup::default());
    }
}
