//! `throughline review`: records that documents were re-read against what
//! they depend on. It sets `reviewed:` and stamps the fingerprint of the
//! parent and each `supports` target into `reviewed_against:`, which makes
//! `drift` exact for them (see `rules/drift.rs`).

use std::path::PathBuf;

use crate::analysis::fingerprint_of;
use crate::date::Date;
use crate::edit::set_fields;
use crate::graph::{DocId, Rel};
use crate::model::{check_id, Fingerprint};
use crate::text::suggest;
use crate::{RunError, Site};

/// One document's review, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The document's id.
    pub id: String,
    /// Its file on disk.
    pub path: PathBuf,
    /// The file's new text: only `reviewed:` and `reviewed_against:` differ.
    pub text: String,
    /// What it was reviewed against, in the order written.
    pub against: Vec<(String, Fingerprint)>,
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
    docs.into_iter()
        .map(|doc| review_one(site, doc, today))
        .collect()
}

fn review_one(site: &Site, doc: DocId, today: Date) -> Result<Review, RunError> {
    let d = &site.docs[doc];
    usable_id(d)?;
    let mut against: Vec<(String, Fingerprint)> = Vec::new();
    for edge in site.graph.outgoing(doc) {
        if !matches!(edge.rel, Rel::Parent | Rel::Supports) {
            continue;
        }
        let target = &site.docs[edge.to];
        if against.iter().any(|(id, _)| *id == target.id) {
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
    let text = set_fields(&site.sources[d.source].text, &fields)
        .map_err(|e| RunError::Other(format!("cannot review `{}` in {}: {}", d.id, d.file, e.0)))?;
    Ok(Review {
        id: d.id.clone(),
        path: site.sources[d.source].abs_path.clone(),
        text,
        against,
    })
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
