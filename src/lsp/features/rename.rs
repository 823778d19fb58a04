//! Renaming an id: its `id:` and every reference to it across the site, in
//! front matter and in body links, as one edit the client applies.

use std::collections::BTreeMap;

use lsp_server::ErrorCode;
use lsp_types::{Position, PrepareRenameResponse, TextEdit, WorkspaceEdit};

use crate::analysis::fingerprint_of;
use crate::edit::set_fields;
use crate::graph::DocId;
use crate::model::check_id;
use crate::yaml::{scalar, Locator, Step};

use super::edits::{edit_between, workspace_edit};
use super::navigation::references_to;
use super::refs::{self, Target};
use super::{Ctx, Failure, File};

/// The id at `position`, the document it names, and the id's byte range in `file`.
fn id_at(
    ctx: &Ctx<'_>,
    file: &File<'_>,
    position: Position,
) -> Result<(DocId, (usize, usize)), Failure> {
    let not_here = || Failure::new(ErrorCode::RequestFailed, "there is no id here to rename");
    let written = refs::at(file, ctx.offset(file, position)).ok_or_else(not_here)?;
    let Target::Id(id) = written.target else {
        return Err(Failure::new(
            ErrorCode::RequestFailed,
            "this link names a file: rename the file instead",
        ));
    };
    let to = refs::resolve(ctx.site, &written).ok_or_else(|| {
        Failure::new(
            ErrorCode::RequestFailed,
            format!("no document has the id `{id}`"),
        )
    })?;
    let range = refs::id_range(file.text(), file.lines.span_offsets(written.span), id)
        .ok_or_else(not_here)?;
    Ok((to, range))
}

/// `textDocument/prepareRename`: the id's range and text, or why it cannot be renamed.
pub fn prepare(
    ctx: &Ctx<'_>,
    file: &File<'_>,
    position: Position,
) -> Result<PrepareRenameResponse, Failure> {
    let (to, (start, end)) = id_at(ctx, file, position)?;
    Ok(PrepareRenameResponse::RangeWithPlaceholder {
        range: file.lines.range(start, end, ctx.encoding),
        placeholder: ctx.site.docs[to].id.clone(),
    })
}

/// `textDocument/rename`.
pub fn rename(
    ctx: &Ctx<'_>,
    file: &File<'_>,
    position: Position,
    new_id: &str,
) -> Result<WorkspaceEdit, Failure> {
    let (to, _) = id_at(ctx, file, position)?;
    let old = ctx.site.docs[to].id.as_str();
    if new_id == old {
        return Ok(WorkspaceEdit::default());
    }
    // What `check` would report on the new `id:`, refused before any edit.
    if let Err(e) = check_id(new_id) {
        return Err(Failure::new(
            ErrorCode::InvalidParams,
            format!("{}: {}", e.message(new_id), e.hint(new_id)),
        ));
    }
    if let Some(other) = ctx.site.graph.lookup(new_id) {
        return Err(Failure::new(
            ErrorCode::InvalidParams,
            format!(
                "the id `{new_id}` already exists ({})",
                ctx.site.docs[other].file
            ),
        ));
    }
    let mut edits: BTreeMap<String, Vec<TextEdit>> = BTreeMap::new();
    // Where the old id is written in each file, for its text after the rename.
    let mut replaced: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (rel, written) in references_to(ctx, to) {
        if !matches!(written.target, Target::Id(_)) {
            continue;
        }
        let Some(other) = ctx.file_at(rel.clone()) else {
            continue;
        };
        let span = other.lines.span_offsets(written.span);
        let Some((start, end)) = refs::id_range(other.text(), span, old) else {
            continue;
        };
        edits.entry(rel.clone()).or_default().push(TextEdit {
            range: other.lines.range(start, end, ctx.encoding),
            new_text: new_id.to_string(),
        });
        replaced.entry(rel).or_default().push((start, end));
    }
    let mut after: BTreeMap<String, String> = BTreeMap::new();
    for (rel, mut ranges) in replaced {
        let Some(text) = ctx.ws.text(&rel) else {
            continue;
        };
        ranges.sort_unstable();
        ranges.dedup();
        let mut new_text = text.to_string();
        for &(start, end) in ranges.iter().rev() {
            new_text.replace_range(start..end, new_id);
        }
        after.insert(rel, new_text);
    }
    // An id that comes from the file name is written into the front matter
    // instead (the file keeps its name, so links by path still work).
    let target = &ctx.site.docs[to];
    if target.id_span.is_none() {
        if let Some(target_file) = ctx.file_at(target.file.clone()) {
            let text = target_file.text();
            let new_text = match set_fields(text, &[("id", scalar(new_id))]) {
                Ok(t) => t,
                Err(_) => format!("---\nid: {}\n---\n{text}", scalar(new_id)),
            };
            edits
                .entry(target.file.clone())
                .or_default()
                .push(edit_between(&target_file.lines, &new_text, ctx.encoding));
            after.insert(target.file.clone(), new_text);
        }
    }
    restamp(ctx, to, &after, &mut edits);
    Ok(workspace_edit(ctx, edits))
}

/// Keeps drift exact across a rename. The rename changes the text of the
/// renamed document (its `id:`) and of every document that names it, and so
/// their fingerprints: a stamp that was current on one of them (taken on
/// the text before the rename) is set to the fingerprint of its text after,
/// as `review` would stamp it; a stamp that was already out of date stays
/// out of date. `after` holds each changed file's text after the rename.
fn restamp(
    ctx: &Ctx<'_>,
    renamed: DocId,
    after: &BTreeMap<String, String>,
    edits: &mut BTreeMap<String, Vec<TextEdit>>,
) {
    let site = ctx.site;
    for (rel, new_text) in after {
        let Some(changed) = site.docs.iter().position(|d| d.file == *rel) else {
            continue;
        };
        let Some(old_text) = ctx.ws.text(rel) else {
            continue;
        };
        let (Some(was), Some(now)) = (fingerprint_of(old_text), fingerprint_of(new_text)) else {
            continue;
        };
        if was == now {
            continue;
        }
        // Stamps name the document by the id it had: the old id, for the renamed one.
        let id = site.docs[changed].id.as_str();
        for stamper in site.docs.iter() {
            if !stamper
                .reviewed_against
                .iter()
                .any(|s| s.target.id == id && s.stamp == was)
            {
                continue;
            }
            // A document that stamps itself is edited whole already; leave it.
            if stamper.file == site.docs[renamed].file && site.docs[renamed].id_span.is_none() {
                continue;
            }
            let Some(file) = ctx.file_at(stamper.file.clone()) else {
                continue;
            };
            let Some(at) =
                Locator::new(file.text()).value(&[Step::Key("reviewed_against"), Step::Key(id)])
            else {
                continue;
            };
            let (start, end) = (at.offset, at.offset + at.len);
            let text = file.text();
            // Inside quotes the stamp is written bare; hex and a dot need no escape.
            let quoted = start > 0
                && matches!(text.as_bytes()[start - 1], b'"' | b'\'')
                && text.as_bytes().get(end) == Some(&text.as_bytes()[start - 1]);
            let stamp = now.to_string();
            edits
                .entry(stamper.file.clone())
                .or_default()
                .push(TextEdit {
                    range: file.lines.range(start, end, ctx.encoding),
                    new_text: if quoted { stamp } else { scalar(&stamp) },
                });
        }
    }
}
