//! `throughline confidence`: records a change of a bet's or solution's
//! confidence with the reason for it. `confidence:` is set to the new levels
//! and an entry `{date, <the levels that changed>, note, evidence}` is added to
//! `confidence_log:`, both by [`crate::edit`], so only those lines differ.
//! The one plan for the command line and `serve --edit`'s form: both write
//! the same bytes.
//!
//! The entry writes each level that differs from where the log stood
//! (a level not written carries over, as the page reads it), so after the
//! write the log ends on the levels `confidence:` holds. With a log kept
//! in step that is exactly the levels that changed; with no log yet, the
//! first entry writes every level, and the history starts whole.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::date::{parse_date, Date};
use crate::edit::{edit_list, list_field, set_fields, ListEdit};
use crate::escape::for_terminal;
use crate::graph::DocId;
use crate::model::{Confidence, Level};
use crate::site::Site;
use crate::source::{split_front_matter, MAX_FILE_BYTES};
use crate::text::suggest;
use crate::yaml::{flow_scalar, parse_front_matter, MAX_YAML_BYTES};

/// The kinds that carry `confidence:` (SPEC §2).
pub const CONFIDENCE_KINDS: &[&str] = &["bet", "solution"];

/// The three dimensions of `confidence:`, in the order written.
pub const DIMENSIONS: [&str; 3] = ["problem", "solution", "outcome"];

/// A confidence change as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The bet's or solution's id.
    pub id: String,
    /// The new level of each dimension (in [`DIMENSIONS`] order); `None`
    /// keeps the current one.
    pub levels: [Option<Level>; 3],
    /// The day the change is recorded on.
    pub date: Date,
    /// Why it changed: the entry's `note:`. Blank is none.
    pub note: Option<String>,
    /// Where the evidence is (an experiment's id, a link): the entry's
    /// `evidence:`. Blank is none.
    pub evidence: Option<String>,
}

/// Why a change cannot be made, and which part of the request it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What to tell, with what to do.
    pub message: String,
    /// Whether the id names no document (rather than one that cannot take it).
    pub unknown: bool,
}

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal {
        message: message.into(),
        unknown: false,
    }
}

/// A confidence change, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The document's id.
    pub id: String,
    /// Its file, relative to the root.
    pub file: String,
    /// Its file on disk.
    pub path: PathBuf,
    /// The file's text as it was read: the write is refused if the file no
    /// longer holds it.
    pub original: String,
    /// The new text; `None` when the confidence already reads so.
    pub text: Option<String>,
    /// Each dimension that changes: its name, the level before, the level after.
    pub changes: Vec<(&'static str, Option<Level>, Level)>,
    /// The day recorded.
    pub date: Date,
    /// The note written.
    pub note: Option<String>,
    /// The evidence written.
    pub evidence: Option<String>,
}

impl Plan {
    /// The change in one line, naming the document and each level moved:
    /// `confidence bet-x solution medium -> low (2026-11-24)`. The message
    /// of a `serve --edit --commit` commit; escape it for a terminal.
    pub fn change(&self) -> String {
        let moves: Vec<String> = self
            .changes
            .iter()
            .map(|(dimension, before, after)| {
                format!(
                    "{dimension} {} -> {}",
                    before.map_or("(none)", Level::as_str),
                    after.as_str()
                )
            })
            .collect();
        let moves = if moves.is_empty() {
            "unchanged".to_string()
        } else {
            moves.join(", ")
        };
        format!("confidence {} {moves} ({})", self.id, self.date)
    }

    /// What the command tells: the change, its file, and the note.
    pub fn summary(&self, dry_run: bool) -> String {
        let verb = if dry_run { "would record" } else { "recorded" };
        let note = self
            .note
            .as_deref()
            .map(|n| format!(": \"{}\"", for_terminal(n)))
            .unwrap_or_default();
        format!(
            "{verb} {} in {}{note}",
            for_terminal(&self.change()),
            for_terminal(&self.file)
        )
    }
}

/// The levels of `--problem`, `--solution`, `--outcome` as given, each
/// checked; `None` where a dimension was not given.
pub fn parse_levels(given: [Option<&str>; 3]) -> Result<[Option<Level>; 3], Refusal> {
    let mut levels = [None; 3];
    for ((slot, text), dimension) in levels.iter_mut().zip(given).zip(DIMENSIONS) {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            continue;
        };
        *slot = Some(Level::parse(text).ok_or_else(|| {
            refuse(format!(
                "`{text}` is not a confidence level for {dimension}; choose one of {}",
                Level::ALL.join(", ")
            ))
        })?);
    }
    Ok(levels)
}

/// The change `request` asks of `site`, computed and checked; nothing is
/// written. Refused: an unknown id (with a "did you mean"), a kind without
/// confidence, a front matter that cannot be edited safely, a request that
/// changes nothing but carries a note (the note would be lost).
pub fn plan(site: &Site, request: &Request) -> Result<Plan, Refusal> {
    let id = request.id.trim();
    let doc = find(site, id)?;
    let d = &site.docs[doc];
    let Some(source) = site.sources.get(d.source.index()) else {
        return Err(refuse(format!(
            "`{id}` is a tracker's item; it has no confidence"
        )));
    };
    if d.invalid {
        return Err(refuse(format!(
            "the front matter of {} cannot be read; fix what `throughline check` reports there first",
            d.file
        )));
    }
    let current = d
        .confidence
        .as_ref()
        .map_or([None; 3], |c| [c.problem, c.solution, c.outcome]);
    let mut new = current;
    for (slot, given) in new.iter_mut().zip(request.levels) {
        if given.is_some() {
            *slot = given;
        }
    }
    if request.levels.iter().all(Option::is_none) {
        return Err(refuse(
            "give at least one level: --problem, --solution or --outcome (low, medium or high)",
        ));
    }
    let given = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
    };
    let (note, evidence) = (given(&request.note), given(&request.evidence));
    let changes: Vec<(&'static str, Option<Level>, Level)> = DIMENSIONS
        .iter()
        .zip(current.iter().zip(&new))
        .filter_map(|(dimension, (before, after))| match after {
            Some(after) if *before != Some(*after) => Some((*dimension, *before, *after)),
            _ => None,
        })
        .collect();
    let mut plan = Plan {
        id: d.id.clone(),
        file: d.file.clone(),
        path: source.abs_path.clone(),
        original: source.text.clone(),
        text: None,
        changes,
        date: request.date,
        note,
        evidence,
    };
    if plan.changes.is_empty() {
        if plan.note.is_some() || plan.evidence.is_some() {
            return Err(refuse(format!(
                "the confidence of `{}` is already {}; change a level to record a change with its note",
                d.id,
                written(&new)
            )));
        }
        return Ok(plan);
    }
    let text = rewrite(&source.text, &d.confidence_log, &new, &plan).map_err(|why| {
        refuse(format!(
            "cannot change the confidence in {}: {why}; nothing was written; edit it by hand",
            d.file
        ))
    })?;
    plan.text = Some(text);
    Ok(plan)
}

/// The bet or solution `id`, or why not.
fn find(site: &Site, id: &str) -> Result<DocId, Refusal> {
    let Some(doc) = site.graph.lookup(id) else {
        let candidates = site
            .docs
            .iter()
            .filter(|d| CONFIDENCE_KINDS.contains(&d.kind.as_str()))
            .map(|d| d.id.as_str());
        let hint = suggest(id, candidates)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(Refusal {
            message: format!("no document has the id `{id}`{hint}"),
            unknown: true,
        });
    };
    let kind = site.docs[doc].kind.as_str();
    if !CONFIDENCE_KINDS.contains(&kind) {
        return Err(refuse(format!(
            "`{id}` is a {kind}; a {kind} has no confidence: bets and solutions do"
        )));
    }
    Ok(doc)
}

/// `{ problem: high, solution: low, outcome: medium }`, the levels known.
fn written(levels: &[Option<Level>; 3]) -> String {
    let pairs: Vec<String> = DIMENSIONS
        .iter()
        .zip(levels)
        .filter_map(|(dimension, level)| level.map(|l| format!("{dimension}: {}", l.as_str())))
        .collect();
    format!("{{ {} }}", pairs.join(", "))
}

/// `text` with `confidence:` set to `new` and the entry of `plan` added to
/// `confidence_log:` (whose parsed entries are `log`), checked to read
/// back as meant and to stay within what the loader reads.
fn rewrite(
    text: &str,
    log: &[crate::model::ConfidenceEntry],
    new: &[Option<Level>; 3],
    plan: &Plan,
) -> Result<String, String> {
    let before = front_matter_map(text)?;
    // Where the log stands: each level as its last entry to write it left it.
    let mut carried = Confidence::default();
    for entry in log {
        carried.problem = entry.levels.problem.or(carried.problem);
        carried.solution = entry.levels.solution.or(carried.solution);
        carried.outcome = entry.levels.outcome.or(carried.outcome);
    }
    let carried = [carried.problem, carried.solution, carried.outcome];
    let mut fields: Vec<(&str, String)> = vec![("date", plan.date.to_string())];
    let mut entry = Map::new();
    entry.insert("date".into(), Value::String(plan.date.to_string()));
    for ((dimension, level), was) in DIMENSIONS.iter().zip(new).zip(carried) {
        if let Some(level) = level.filter(|l| Some(*l) != was) {
            fields.push((dimension, level.as_str().to_string()));
            entry.insert((*dimension).into(), Value::String(level.as_str().into()));
        }
    }
    for (key, text) in [("note", &plan.note), ("evidence", &plan.evidence)] {
        if let Some(text) = text {
            fields.push((key, flow_scalar(text)));
            entry.insert(key.into(), Value::String(text.clone()));
        }
    }
    let items: Vec<Value> = match before.get("confidence_log") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err("`confidence_log:` is not a list".into()),
    };
    // By date where the list is in date order (so it stays so), else at the end.
    let dates: Vec<Option<Date>> = items
        .iter()
        .map(|i| i.get("date").and_then(Value::as_str).and_then(parse_date))
        .collect();
    let in_order = dates.iter().all(Option::is_some) && dates.windows(2).all(|w| w[0] <= w[1]);
    let index = if in_order {
        dates.partition_point(|d| d.is_some_and(|d| d <= plan.date))
    } else {
        items.len()
    };
    let confidence = written(new);
    let with_level = set_fields(text, &[("confidence", confidence.clone())]).map_err(|e| e.0)?;
    let listed = list_field(&with_level, "confidence_log").map_err(|e| e.0)?;
    if listed.items.len() != items.len() {
        return Err(format!(
            "cannot tell where its {} confidence entries are written",
            items.len()
        ));
    }
    let edit = ListEdit::Insert { index, fields };
    let new_text = edit_list(&with_level, "confidence_log", &[edit]).map_err(|e| e.0)?;
    still_readable(&new_text)?;
    let mut expected = before;
    let level_value = parse_front_matter(&format!("confidence: {confidence}"))
        .ok()
        .and_then(|mut m| m.remove("confidence"))
        .unwrap_or(Value::Null);
    expected.insert("confidence".into(), level_value);
    let mut log_items = items;
    log_items.insert(index, Value::Object(entry));
    expected.insert("confidence_log".into(), Value::Array(log_items));
    let got = front_matter_map(&new_text)?;
    if got != expected {
        return Err("its `confidence:` or `confidence_log:` is written in a way this command cannot edit safely".into());
    }
    Ok(new_text)
}

fn front_matter_map(text: &str) -> Result<Map<String, Value>, String> {
    let fm =
        split_front_matter(text).map_err(|_| "its front matter is never closed".to_string())?;
    parse_front_matter(fm.yaml)
        .map_err(|e| format!("its front matter is not valid YAML: {}", e.message))
}

/// Refuses a text the loader would not read whole: it would drop the
/// document from the site.
fn still_readable(text: &str) -> Result<(), String> {
    // The writer puts back a byte-order mark the file had; count one.
    let bytes = text.len() + '\u{feff}'.len_utf8();
    let yaml = split_front_matter(text)
        .map_err(|_| "its front matter is never closed".to_string())?
        .yaml
        .len();
    if bytes as u64 > MAX_FILE_BYTES || yaml > MAX_YAML_BYTES {
        return Err("the file would grow past what a document may be, and would no longer be read; move older `confidence_log:` entries out (git keeps them)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_of(files: &[(&str, &str)]) -> Site {
        crate::rules::testing::site("", files, "2026-11-24")
    }

    fn request(id: &str, levels: [Option<&str>; 3], note: Option<&str>) -> Request {
        Request {
            id: id.into(),
            levels: parse_levels(levels).expect("levels"),
            date: parse_date("2026-11-24").expect("date"),
            note: note.map(str::to_string),
            evidence: None,
        }
    }

    #[test]
    fn the_changed_level_and_its_note_are_logged_and_nothing_else_moves() {
        let text = "---\r\nid: b\r\nkind: bet\r\n# how sure we are\r\nconfidence: { problem: high, solution: medium, outcome: medium }  # kept\r\nconfidence_log:\r\n  - {date: 2026-08-20, problem: high, solution: medium, outcome: medium}\r\ntitle: B\r\n---\r\nBody\r\n";
        let site = site_of(&[("b.md", text)]);
        let plan = plan(
            &site,
            &request("b", [None, Some("low"), None], Some("Pilot: 2 of 9, a, b")),
        )
        .expect("plan");
        assert_eq!(
            plan.text.as_deref(),
            Some("---\r\nid: b\r\nkind: bet\r\n# how sure we are\r\nconfidence: { problem: high, solution: low, outcome: medium } # kept\r\nconfidence_log:\r\n  - {date: 2026-08-20, problem: high, solution: medium, outcome: medium}\r\n  - {date: 2026-11-24, solution: low, note: \"Pilot: 2 of 9, a, b\"}\r\ntitle: B\r\n---\r\nBody\r\n")
        );
        assert_eq!(
            plan.change(),
            "confidence b solution medium -> low (2026-11-24)"
        );
    }

    #[test]
    fn a_first_entry_writes_every_level_and_a_back_dated_one_goes_in_date_order() {
        let site = site_of(&[(
            "b.md",
            "---\nid: b\nkind: bet\nconfidence: {problem: low}\n---\n",
        )]);
        let first = plan(&site, &request("b", [None, Some("high"), None], None)).expect("plan");
        assert_eq!(
            first.text.as_deref(),
            Some("---\nid: b\nkind: bet\nconfidence: { problem: low, solution: high }\nconfidence_log:\n  - {date: 2026-11-24, problem: low, solution: high}\n---\n")
        );
        let site = site_of(&[(
            "b.md",
            "---\nid: b\nkind: bet\nconfidence: {problem: low}\nconfidence_log:\n- date: 2026-12-01\n  problem: low\n---\n",
        )]);
        let early = plan(&site, &request("b", [Some("high"), None, None], None)).expect("plan");
        assert_eq!(
            early.text.as_deref(),
            Some("---\nid: b\nkind: bet\nconfidence: { problem: high }\nconfidence_log:\n- date: 2026-11-24\n  problem: high\n- date: 2026-12-01\n  problem: low\n---\n")
        );
    }

    #[test]
    fn evidence_is_written_after_the_note() {
        let site = site_of(&[(
            "b.md",
            "---\nid: b\nkind: bet\nconfidence: {problem: low}\nconfidence_log: [{date: 2026-01-05, problem: low}]\n---\n",
        )]);
        let mut asked = request("b", [Some("medium"), None, None], Some("Interviews"));
        asked.evidence = Some(" exp-fake-door ".into());
        let plan = plan(&site, &asked).expect("plan");
        assert_eq!(
            plan.text.as_deref(),
            Some("---\nid: b\nkind: bet\nconfidence: { problem: medium }\nconfidence_log: [{date: 2026-01-05, problem: low}, {date: 2026-11-24, problem: medium, note: Interviews, evidence: exp-fake-door}]\n---\n")
        );
    }

    #[test]
    fn nothing_to_change_writes_nothing_and_a_lone_note_is_refused() {
        let site = site_of(&[
            (
                "b.md",
                "---\nid: b\nkind: bet\nconfidence: {problem: low}\n---\n",
            ),
            ("w.md", "---\nid: w\nkind: work\n---\n"),
        ]);
        let same = plan(&site, &request("b", [Some("low"), None, None], None)).expect("plan");
        assert_eq!(same.text, None);
        let lone = plan(
            &site,
            &request("b", [Some("low"), None, None], Some("still")),
        );
        assert!(lone.expect_err("refused").message.contains("already"));
        let work = plan(&site, &request("w", [Some("low"), None, None], None));
        assert!(work
            .expect_err("refused")
            .message
            .contains("a work has no confidence"));
        let typo =
            plan(&site, &request("bb", [Some("low"), None, None], None)).expect_err("unknown");
        assert!(
            typo.unknown && typo.message.contains("did you mean `b`"),
            "{}",
            typo.message
        );
        assert!(parse_levels([Some("sure"), None, None]).is_err());
        let none = site_of(&[("b.md", "---\nid: b\nkind: bet\n---\n")]);
        assert!(plan(&none, &request("b", [None; 3], None)).is_err());
    }

    #[test]
    fn a_log_written_in_a_way_the_editor_cannot_follow_is_refused() {
        let site = site_of(&[(
            "b.md",
            "---\nid: b\nkind: bet\nconfidence: {problem: low}\nconfidence_log: &log\n  - {date: 2026-01-01, problem: low}\n---\n",
        )]);
        let refused = plan(&site, &request("b", [Some("high"), None, None], None));
        assert!(refused.is_err(), "{refused:?}");
    }
}
