//! Renaming an id: its `id:` and every reference to it across the site, in
//! front matter and in body links, as one edit the client applies.

use std::collections::BTreeMap;

use lsp_server::ErrorCode;
use lsp_types::{Position, PrepareRenameResponse, TextEdit, WorkspaceEdit};

use crate::edit::set_fields;
use crate::graph::DocId;
use crate::model::check_id;
use crate::yaml::scalar;

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
        edits.entry(rel).or_default().push(TextEdit {
            range: other.lines.range(start, end, ctx.encoding),
            new_text: new_id.to_string(),
        });
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
        }
    }
    Ok(workspace_edit(ctx, edits))
}
