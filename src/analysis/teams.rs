//! Which teams a document belongs to: its own or inherited `team:`; a
//! metric, the teams of the goals that measure it; a review, those of what
//! it covers. The digest's `--team` and the team feeds read this.

use std::collections::HashMap;

use super::Facts;
use crate::graph::{DocId, Graph};
use crate::model::{Document, MetricRef};

/// The documents whose goals measure each metric, to answer [`Teams::of`].
#[derive(Debug, Default)]
pub(crate) struct Teams {
    measured_by: HashMap<DocId, Vec<DocId>>,
}

impl Teams {
    /// Indexes the goals of `docs` by the metric each measures.
    pub(crate) fn new(docs: &[Document], graph: &Graph) -> Teams {
        let mut measured_by: HashMap<DocId, Vec<DocId>> = HashMap::new();
        for (i, d) in DocId::all(docs.len()).zip(docs) {
            let success = d.success.iter().filter_map(|s| s.metric.as_ref());
            let krs = d.key_results.iter().filter_map(|k| k.metric.as_ref());
            for m in success.chain(krs) {
                if let Some(m) = match m {
                    MetricRef::Id(r) => graph.lookup(&r.id),
                    MetricRef::Text(_) => None,
                } {
                    measured_by.entry(m).or_default().push(i);
                }
            }
        }
        Teams { measured_by }
    }

    /// The team documents `doc` belongs to, sorted, without repeats.
    pub(crate) fn of(
        &self,
        docs: &[Document],
        graph: &Graph,
        facts: &Facts,
        doc: DocId,
    ) -> Vec<DocId> {
        let own = |x: DocId| {
            if docs[x].kind == "team" {
                Some(x)
            } else {
                facts.team_of(x)
            }
        };
        let mut teams: Vec<DocId> = own(doc).into_iter().collect();
        match docs[doc].kind.as_str() {
            "metric" => teams.extend(
                self.measured_by
                    .get(&doc)
                    .into_iter()
                    .flatten()
                    .filter_map(|&m| own(m)),
            ),
            "review" => teams.extend(
                docs[doc]
                    .covers
                    .iter()
                    .filter_map(|r| graph.lookup(&r.id))
                    .filter_map(own),
            ),
            _ => {}
        }
        teams.sort_unstable();
        teams.dedup();
        teams
    }
}
