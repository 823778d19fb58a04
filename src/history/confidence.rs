//! A bet's confidence over time: its `confidence_log:` entries and each
//! change of `confidence:` in git (its note the commit's subject), merged
//! into one dated list. The one statement of that fact: the bet page reads
//! it, nothing recomputes it.

use super::site::{Change, SiteHistory};
use crate::date::Date;
use crate::model::{Confidence, ConfidenceEntry, Level};

/// One point of confidence over time, each level carried forward from the
/// point before when this one does not set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfidencePoint {
    /// The day.
    pub date: Date,
    /// The levels then.
    pub levels: Confidence,
    /// Why: the entry's `note:`, or the commit's subject (raw, from the
    /// repository: the reader escapes it).
    pub note: Option<String>,
    /// The entry's `evidence:`.
    pub evidence: Option<String>,
    /// The commit that changed `confidence:` (an index into
    /// [`SiteHistory::commits`]); `None` for a `confidence_log:` entry.
    pub commit: Option<usize>,
}

/// The confidence over time of document `id`: its `log` (`confidence_log:`)
/// and every commit of `history` that changed its `confidence:`, oldest
/// first. A log entry on the day of a commit's change wins: the log says
/// why in the author's words. Without history, the log alone.
pub fn confidence_over_time(
    id: &str,
    log: &[ConfidenceEntry],
    history: &SiteHistory,
) -> Vec<ConfidencePoint> {
    let mut points: Vec<ConfidencePoint> = log
        .iter()
        .map(|e| ConfidencePoint {
            date: e.date,
            levels: e.levels,
            note: e.note.clone(),
            evidence: e.evidence.clone(),
            commit: None,
        })
        .collect();
    // Newest first: walked backwards, oldest first.
    let changes = history.confidence_changes.get(id).map_or(&[][..], |c| c);
    for event in changes.iter().rev().filter_map(|&i| history.events.get(i)) {
        let Change::Judged { field, to, .. } = &event.change else {
            continue;
        };
        if field != "confidence" || event.id != id {
            continue;
        }
        let Some(commit) = history.commits.get(event.commit) else {
            continue;
        };
        if log.iter().any(|e| e.date == commit.date) {
            continue;
        }
        points.push(ConfidencePoint {
            date: commit.date,
            levels: to.as_deref().map(levels_of).unwrap_or_default(),
            note: Some(commit.subject.clone()),
            evidence: None,
            commit: Some(event.commit),
        });
    }
    // Stable: a day's commits stay in their order.
    points.sort_by_key(|p| p.date);
    let mut carried = Confidence::default();
    for p in &mut points {
        carried.problem = p.levels.problem.or(carried.problem);
        carried.solution = p.levels.solution.or(carried.solution);
        carried.outcome = p.levels.outcome.or(carried.outcome);
        p.levels = carried;
    }
    points
}

/// The levels of a `confidence:` mapping as the history says it in short
/// (`problem: high, solution: low`); a level it does not name, or names
/// with a word that is no level, is not set.
fn levels_of(text: &str) -> Confidence {
    let mut c = Confidence::default();
    for pair in text.split(", ") {
        let Some((key, value)) = pair.split_once(": ") else {
            continue;
        };
        let level = Level::parse(value.trim());
        match key.trim() {
            "problem" => c.problem = level,
            "solution" => c.solution = level,
            "outcome" => c.outcome = level,
            _ => {}
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_reads_back_as_levels() {
        let c = levels_of("outcome: low, problem: high, solution: maybe");
        assert_eq!(c.problem, Some(Level::High));
        assert_eq!(c.solution, None, "no level");
        assert_eq!(c.outcome, Some(Level::Low));
        assert_eq!(levels_of("{}"), Confidence::default());
    }
}
