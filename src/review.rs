//! `throughline review`: records that documents were re-read against what
//! they depend on. It sets `reviewed:` and stamps the fingerprint of the
//! parent and each `supports` target into `reviewed_against:`, which makes
//! `drift` exact for them (see `rules/drift.rs`).

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::analysis::fingerprint_of;
use crate::date::Date;
use crate::edit::set_fields;
use crate::graph::{DocId, Rel};
use crate::model::{check_id, Fingerprint};
use crate::site::{RunError, Site};
use crate::source::split_front_matter;
use crate::text::suggest;
use crate::yaml::parse_front_matter;

/// One document's review, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The document's id.
    pub id: String,
    /// Its file on disk.
    pub path: PathBuf,
    /// The file's text as it was read: the write is refused if the file
    /// no longer holds it.
    pub original: String,
    /// The file's new text: only `reviewed:` and `reviewed_against:` differ.
    pub text: String,
    /// What it was reviewed against, in the order written.
    pub against: Vec<(String, Fingerprint)>,
}

impl Review {
    /// What `review` tells once it is written: the document, the day and
    /// what it was reviewed against.
    pub fn summary(&self, today: Date, dry_run: bool) -> String {
        // Ids come from the repository: escaped for the terminal.
        let against: Vec<String> = self
            .against
            .iter()
            .map(|(id, fp)| format!("`{}` ({fp})", crate::escape::for_terminal(id)))
            .collect();
        let verb = if dry_run { "would review" } else { "reviewed" };
        let id = crate::escape::for_terminal(&self.id);
        match against.as_slice() {
            [] => format!("{verb} `{id}` on {today}"),
            _ => format!("{verb} `{id}` on {today} against {}", against.join(", ")),
        }
    }
}

/// The reviews of `ids` in `site` on `today`; refuses an unknown id (with a
/// "did you mean") before anything is computed, so nothing is half done.
pub fn plan(site: &Site, ids: &[String], today: Date) -> Result<Vec<Review>, RunError> {
    let docs: Vec<DocId> = ids
        .iter()
        .map(|id| {
            site.graph.lookup(id).ok_or_else(|| {
                let hint = suggest(id, site.docs.iter().map(|d| d.id.as_str()))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                RunError::Other(format!("no document has the id `{id}`{hint}"))
            })
        })
        .collect::<Result<_, _>>()?;
    // `review a a` reviews `a` once: one run writes a file once.
    let mut seen = std::collections::HashSet::new();
    docs.into_iter()
        .filter(|doc| seen.insert(*doc))
        .map(|doc| review_one(site, doc, today))
        .collect()
}

fn review_one(site: &Site, doc: DocId, today: Date) -> Result<Review, RunError> {
    let d = &site.docs[doc];
    if let Some(origin) = d.tracker.as_deref() {
        return Err(RunError::Other(format!(
            "`{}` is {} from the tracker's export {}; it has no document to stamp: review it in the tracker",
            d.id, origin.key, d.file
        )));
    }
    usable_id(d)?;
    let mut against: Vec<(String, Fingerprint)> = Vec::new();
    for edge in site.graph.outgoing(doc) {
        if !matches!(edge.rel, Rel::Parent | Rel::Supports) {
            continue;
        }
        let target = &site.docs[edge.to];
        // A tracker's item changes in the tracker: there is no text to stamp.
        if target.tracker.is_some() || against.iter().any(|(id, _)| *id == target.id) {
            continue;
        }
        usable_id(target)?;
        let text = &site.sources[target.source].text;
        let fingerprint = fingerprint_of(text).ok_or_else(|| {
            RunError::Other(format!(
                "cannot review `{}` against `{}`: the front matter of {} does not parse; fix it first",
                d.id, target.id, target.file
            ))
        })?;
        against.push((target.id.clone(), fingerprint));
    }
    let stamps: Vec<String> = against
        .iter()
        .map(|(id, fp)| format!("{id}: {}", crate::yaml::scalar(&fp.to_string())))
        .collect();
    let mut fields = vec![("reviewed", today.to_string())];
    if !against.is_empty() || !d.reviewed_against.is_empty() {
        fields.push(("reviewed_against", format!("{{{}}}", stamps.join(", "))));
    }
    let original = &site.sources[d.source].text;
    let text = set_fields(original, &fields)
        .map_err(|e| RunError::Other(format!("cannot review `{}` in {}: {}", d.id, d.file, e.0)))?;
    // `set_fields` reads lines, not YAML: a layout it misreads is refused here.
    reads_back(original, &text, &fields).map_err(|(line, why)| {
        RunError::Other(format!(
            "cannot review `{}` in {}:{line}: {why}; nothing was written; edit `reviewed:` by hand",
            d.id, d.file
        ))
    })?;
    Ok(Review {
        id: d.id.clone(),
        path: site.sources[d.source].abs_path.clone(),
        original: original.clone(),
        text,
        against,
    })
}

/// Checks that `after`, the front matter `before` with `fields` set, reads
/// back as meant: each field with the value written, every other field as
/// it was. `Err` holds the 1-based line to look at in `before` and why.
pub(crate) fn reads_back(
    before: &str,
    after: &str,
    fields: &[(&str, String)],
) -> Result<(), (usize, String)> {
    let edited_line = first_changed_line(before, after);
    let mut expected = front_matter_map(before).map_err(|(line, e)| {
        (
            line,
            format!("its front matter does not parse ({e}); fix what `throughline check` reports there first"),
        )
    })?;
    for (key, value) in fields {
        let alone = parse_front_matter(&format!("{key}: {value}"))
            .ok()
            .and_then(|mut map| map.remove(*key))
            .unwrap_or(Value::Null);
        expected.insert((*key).to_string(), alone);
    }
    let got = front_matter_map(after).map_err(|(line, e)| {
        (
            line.min(edited_line),
            format!("the edited front matter would not read back ({e}), so it is written in a way this command cannot edit"),
        )
    })?;
    if got == expected {
        return Ok(());
    }
    let key = got
        .iter()
        .find(|(k, v)| expected.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .or_else(|| expected.keys().find(|k| !got.contains_key(*k)));
    let why = match key {
        Some(k) if fields.iter().any(|(f, _)| f == k) => {
            format!("`{k}:` would not read back as the value written")
        }
        Some(k) => format!("the edit would change `{k}` too"),
        None => "the edited front matter would not read back as meant".to_string(),
    };
    Err((
        edited_line,
        format!("{why}, so it is written in a way this command cannot edit"),
    ))
}

/// The fields of the front matter of `text`, or the 1-based line of the
/// error in `text` and what it is (for a key written twice, the line of the first).
fn front_matter_map(text: &str) -> Result<Map<String, Value>, (usize, String)> {
    let fm = split_front_matter(text)
        .map_err(|_| (1, "the front matter is never closed".to_string()))?;
    let first_line = text[..fm.yaml_offset].matches('\n').count() + 1;
    parse_front_matter(fm.yaml).map_err(|e| {
        let line = e.earlier_line.unwrap_or(e.line) as usize;
        (first_line + line - 1, e.message)
    })
}

/// The 1-based line where `after` first differs from `before`.
fn first_changed_line(before: &str, after: &str) -> usize {
    let same = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    before.as_bytes()[..same]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Refuses a document whose id `check` refuses: a review stamps ids into
/// `reviewed_against:`, and a stamp under an id that must change would be
/// left behind when it does.
fn usable_id(d: &crate::model::Document) -> Result<(), RunError> {
    check_id(&d.id).map_err(|e| {
        RunError::Other(format!(
            "cannot review: {} (in {}); fix that first: {}",
            e.message(&d.id),
            d.file,
            e.hint(&d.id)
        ))
    })
}

/// The documents that are stale or drifted, as `check` reports them, of
/// `owner` when given, in file order: what `review --due` reviews.
pub fn due(site: &Site, owner: Option<&str>) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for d in &site.diagnostics {
        if !matches!(d.rule, "stale" | "drift") {
            continue;
        }
        let Some(doc) = d.doc.as_deref().and_then(|id| site.graph.lookup(id)) else {
            continue;
        };
        let doc = &site.docs[doc];
        if owner.is_some_and(|o| doc.owner.as_deref() != Some(o)) {
            continue;
        }
        if !ids.contains(&doc.id) {
            ids.push(doc.id.clone());
        }
    }
    ids
}
