//! Which documents a change can reach: the ones whose per-document findings
//! ([`crate::rules::Scope::Document`]) must be judged again after an edit.

use super::Facts;
use crate::graph::{DocId, Graph};

/// The documents whose facts differ between two analyses of the same documents (same files, same order).
pub(crate) fn changed_facts(before: &Facts, after: &Facts) -> Vec<DocId> {
    let n = before.last_review.len().max(after.last_review.len());
    DocId::all(n)
        .filter(|&d| {
            before.last_review(d) != after.last_review(d)
                || before.next_review(d) != after.next_review(d)
                || before.team_of(d) != after.team_of(d)
                || before.quarter_of(d) != after.quarter_of(d)
                || before.stamped_fingerprint(d) != after.stamped_fingerprint(d)
                || before.superseded(d) != after.superseded(d)
        })
        .collect()
}

/// Marks, by [`DocId`], every document within a per-document rule's reach
/// of a document in `changed`, in the graph before the change and after it:
/// the changed document itself, its parent chain, its subtree, and the
/// documents it links to or that link to it. Both graphs hold the same
/// documents in the same order; a change that adds, removes or renames one
/// is judged from scratch instead, because it renumbers them.
pub(crate) fn reach(changed: &[DocId], before: &Graph, after: &Graph) -> Vec<bool> {
    let n = after.len();
    let mut dirty = vec![false; n];
    let mut mark = |d: DocId| {
        if let Some(slot) = dirty.get_mut(d.index()) {
            *slot = true;
        }
    };
    for &doc in changed {
        mark(doc);
        for graph in [before, after] {
            if doc.index() >= graph.len() {
                continue;
            }
            graph.ancestors(doc).into_iter().for_each(&mut mark);
            graph.descendants(doc).into_iter().for_each(&mut mark);
            graph.outgoing(doc).for_each(|e| mark(e.to));
            graph.incoming(doc).for_each(|e| mark(e.from));
        }
    }
    dirty
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    const FILES: &[(&str, &str)] = &[
        (
            "company.md",
            "---\nid: co\nkind: company-strategy\ntitle: Co\n---\n",
        ),
        (
            "ps.md",
            "---\nid: ps\nkind: product-strategy\ntitle: PS\nparent: co\n---\n",
        ),
        (
            "bet.md",
            "---\nid: bet\nkind: bet\ntitle: Bet\nparent: ps\n---\n",
        ),
        (
            "work.md",
            "---\nid: work\nkind: work\ntitle: Work\nparent: bet\n---\n",
        ),
        (
            "other.md",
            "---\nid: other\nkind: product-strategy\ntitle: Other\nparent: co\n---\n",
        ),
        (
            "review.md",
            "---\nid: rev\nkind: review\ntitle: Rev\ndate: 2026-01-01\ncovers: [bet]\n---\n",
        ),
    ];

    fn names(site: &crate::site::Site, dirty: &[bool]) -> Vec<String> {
        let mut out: Vec<String> = dirty
            .iter()
            .enumerate()
            .filter(|(_, d)| **d)
            .map(|(i, _)| site.docs[i].id.clone())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_change_reaches_its_chain_its_subtree_and_its_links_but_not_its_siblings() {
        let site = site("", FILES, "2026-11-24");
        let bet = site.graph.lookup("bet").expect("bet");
        let dirty = reach(&[bet], &site.graph, &site.graph);
        assert_eq!(names(&site, &dirty), ["bet", "co", "ps", "rev", "work"]);
    }

    #[test]
    fn a_leaf_reaches_up_only() {
        let site = site("", FILES, "2026-11-24");
        let work = site.graph.lookup("work").expect("work");
        let dirty = reach(&[work], &site.graph, &site.graph);
        assert_eq!(names(&site, &dirty), ["bet", "co", "ps", "work"]);
    }

    #[test]
    fn a_reparenting_reaches_the_old_and_the_new_chain() {
        let before = site("", FILES, "2026-11-24");
        let mut moved = FILES.to_vec();
        moved[2] = (
            "bet.md",
            "---\nid: bet\nkind: bet\ntitle: Bet\nparent: other\n---\n",
        );
        let after = site("", &moved, "2026-11-24");
        let bet = after.graph.lookup("bet").expect("bet");
        let dirty = reach(&[bet], &before.graph, &after.graph);
        assert_eq!(
            names(&after, &dirty),
            ["bet", "co", "other", "ps", "rev", "work"]
        );
    }

    #[test]
    fn a_review_changes_the_facts_of_what_it_covers() {
        let before = site("", FILES, "2026-11-24");
        let mut later = FILES.to_vec();
        later[5] = (
            "review.md",
            "---\nid: rev\nkind: review\ntitle: Rev\ndate: 2026-06-01\ncovers: [bet]\n---\n",
        );
        let after = site("", &later, "2026-11-24");
        let bet = after.graph.lookup("bet").expect("bet");
        assert_eq!(changed_facts(&before.facts, &after.facts), [bet]);
    }
}
