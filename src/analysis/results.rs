//! A quarter's results as the review pages count them: which goals a bet or
//! objective sets, where each stands, how far it moved, and which product
//! strategy it rolls up to. Counted here once, so a page's totals add up
//! whatever the template shows.

use super::{goal_outcome, read_goal, Change, Facts, GoalOutcome, PacedGoal};
use crate::config::Schema;
use crate::date::Date;
use crate::graph::{DocId, Graph};
use crate::model::{Direction, Document, Point};

/// The strategy-stack layer whose documents the roadmap and the quarter
/// review group by (SPEC §3: 2 is the product strategy).
const GROUP_LAYER: u8 = 2;

/// The product strategy `doc` rolls up to: itself or its nearest ancestor of
/// a kind at layer 2. `None` for a document under no product strategy.
pub(crate) fn product_strategy_of(
    docs: &[Document],
    graph: &Graph,
    schema: &Schema,
    doc: DocId,
) -> Option<DocId> {
    let at_layer = |d: DocId| {
        schema
            .get(&docs[d].kind)
            .is_some_and(|k| k.layer == Some(GROUP_LAYER))
    };
    // Parent links form a forest no deeper than `graph::MAX_DEPTH`: this ends.
    let mut at = Some(doc);
    while let Some(d) = at {
        if at_layer(d) {
            return Some(d);
        }
        at = graph.parent(d);
    }
    None
}

/// A goal a bet or objective sets, with how pages name it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NamedGoal<'a> {
    /// `None` for a bet's success criteria; the key result's number (from 1).
    pub key_result: Option<usize>,
    pub goal: PacedGoal<'a>,
}

/// The goals `doc` sets: a bet's success criteria, an objective's key results.
pub(crate) fn goals_of(doc: &Document) -> Vec<NamedGoal<'_>> {
    match doc.kind.as_str() {
        "bet" => doc
            .success
            .iter()
            .map(|s| NamedGoal {
                key_result: None,
                goal: PacedGoal::of_success(s),
            })
            .collect(),
        "objective" => doc
            .key_results
            .iter()
            .enumerate()
            .map(|(n, k)| NamedGoal {
                key_result: Some(n + 1),
                goal: PacedGoal::of_key_result(k),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// How many results stand at each outcome: every goal once, and a bet or
/// objective that sets none once as unmeasured, so the counts add up to
/// [`Tally::total`], the number a page states.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    counts: [usize; GoalOutcome::ALL.len()],
}

impl Tally {
    /// Counts one more result at `outcome`.
    pub(crate) fn add(&mut self, outcome: GoalOutcome) {
        if let Some(i) = GoalOutcome::ALL.iter().position(|&o| o == outcome) {
            self.counts[i] += 1;
        }
    }

    /// Adds every count of `other`.
    pub(crate) fn merge(&mut self, other: &Tally) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
    }

    /// Each outcome, in [`GoalOutcome::ALL`]'s order, with its count.
    pub(crate) fn counts(&self) -> impl Iterator<Item = (GoalOutcome, usize)> + '_ {
        GoalOutcome::ALL.into_iter().zip(self.counts)
    }

    /// Every result counted.
    pub(crate) fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// Where each goal of `doc` stands on `today` ([`goal_outcome`]), in
/// [`goals_of`]'s order; a document that sets no goal gets one unmeasured.
pub(crate) fn item_outcomes(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    doc: DocId,
    tolerance: f64,
    today: Date,
) -> Vec<GoalOutcome> {
    let goals = goals_of(&docs[doc]);
    if goals.is_empty() {
        return vec![GoalOutcome::Unmeasured];
    }
    goals
        .into_iter()
        .map(|g| goal_outcome(docs, graph, facts, doc, g.goal, tolerance, today))
        .collect()
}

/// How far `goal` of `doc` has moved from its baseline, as of its metric's
/// latest check-in: from the baseline on the goal's start
/// ([`super::pace::goal_start`]) in its better direction. `None` without a
/// metric document with a check-in after the start, or with a baseline of 0
/// (a relative change from zero means nothing).
pub(crate) fn goal_change(
    docs: &[Document],
    graph: &Graph,
    facts: &Facts,
    doc: DocId,
    goal: PacedGoal<'_>,
) -> Option<Change> {
    let reading = read_goal(docs, graph, goal.metric, goal.baseline, goal.target);
    let metric = reading.metric?;
    let baseline = goal.baseline?;
    let start = super::pace::goal_start(docs, facts, doc, metric)?;
    let to = reading.latest?;
    if to.date <= start || baseline == 0.0 {
        return None;
    }
    let raw = (to.value - baseline) / baseline.abs();
    let down = match docs[metric].direction {
        Some(d) => d == Direction::Down,
        None => !reading.higher_is_better,
    };
    Some(Change {
        from: Point {
            date: start,
            value: baseline,
        },
        to,
        relative: if down { -raw } else { raw },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    const METRIC: &str = "---\nid: m\nkind: metric\nunit: min\ndirection: down\ncheckins:\n  - {date: 2026-09-20, value: 36}\n  - {date: 2026-11-01, value: 24}\n---\n";

    #[test]
    fn every_goal_counts_once_and_an_item_without_goals_once() {
        let obj = "---\nid: o\nkind: objective\nquarter: 2026-Q4\nkey_results:\n  - {metric: m, baseline: 36, target: 30, by: 2026-12-31}\n  - {metric: m, baseline: 36, target: 10, by: 2026-12-31}\n  - {metric: m, target: 10}\n---\n";
        let bare = "---\nid: b\nkind: bet\nquarter: 2026-Q4\n---\n";
        let site = site(
            "",
            &[("m.md", METRIC), ("o.md", obj), ("b.md", bare)],
            "2026-11-24",
        );
        let mut tally = Tally::default();
        for id in ["o", "b"] {
            let d = site.graph.lookup(id).unwrap();
            for o in item_outcomes(&site.docs, &site.graph, &site.facts, d, 0.25, site.today) {
                tally.add(o);
            }
        }
        assert_eq!(tally.total(), 4, "three key results and one bare bet");
        let of = |o| tally.counts().find(|&(x, _)| x == o).map(|(_, n)| n);
        assert_eq!(of(GoalOutcome::Met), Some(1));
        assert_eq!(of(GoalOutcome::Unmeasured), Some(2));
        assert_eq!(tally.counts().map(|(_, n)| n).sum::<usize>(), tally.total());
    }

    #[test]
    fn a_falling_metric_that_falls_is_better() {
        let obj = "---\nid: o\nkind: objective\nquarter: 2026-Q4\nkey_results:\n  - {metric: m, baseline: 36, target: 20, by: 2026-12-31}\n---\n";
        let site = site("", &[("m.md", METRIC), ("o.md", obj)], "2026-11-24");
        let o = site.graph.lookup("o").unwrap();
        let kr = &site.docs[o].key_results[0];
        let c = goal_change(
            &site.docs,
            &site.graph,
            &site.facts,
            o,
            PacedGoal::of_key_result(kr),
        )
        .unwrap();
        assert_eq!(c.from.value, 36.0);
        assert_eq!(c.in_words("min"), "\u{2212}12 min, 33.3% better");
    }

    #[test]
    fn a_bet_rolls_up_to_its_product_strategy() {
        let site = site(
            "",
            &[
                ("a.md", "---\nid: cs\nkind: company-strategy\n---\n"),
                (
                    "b.md",
                    "---\nid: ps\nkind: product-strategy\nparent: cs\n---\n",
                ),
                ("c.md", "---\nid: bet\nkind: bet\nparent: ps\n---\n"),
                ("d.md", "---\nid: obj\nkind: objective\nparent: bet\n---\n"),
                ("e.md", "---\nid: loose\nkind: bet\nparent: cs\n---\n"),
            ],
            "2026-11-24",
        );
        let of = |id: &str| {
            let d = site.graph.lookup(id).unwrap();
            product_strategy_of(&site.docs, &site.graph, &site.config.schema, d)
                .map(|p| site.docs[p].id.as_str())
        };
        assert_eq!(of("obj"), Some("ps"));
        assert_eq!(of("bet"), Some("ps"));
        assert_eq!(of("loose"), None);
    }
}
