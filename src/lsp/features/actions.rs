//! Code actions for fixes that are mechanical: the did-you-mean id of a
//! broken link, "mark reviewed today", and the missing fields of the
//! document's kind.

use std::collections::BTreeMap;

use lsp_types::{CodeAction, CodeActionKind, Range, TextEdit};

use crate::source::split_front_matter;

use super::edits::{edit_between, workspace_edit};
use super::refs::{self, Target};
use super::{diagnostics, fields, Ctx, File};

/// The id a broken-link hint suggests (`did you mean `x`?`).
pub fn suggested_id(hint: &str) -> Option<&str> {
    hint.strip_prefix("did you mean `")?.strip_suffix("`?")
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// `textDocument/codeAction` for `range` of `file`.
pub fn actions(ctx: &Ctx<'_>, file: &File<'_>, range: Range) -> Vec<CodeAction> {
    let mut out = Vec::new();
    let findings: Vec<_> = diagnostics::for_file(&ctx.site.diagnostics, &file.rel)
        .filter(|d| overlaps(file.lines.span_range(d.span, ctx.encoding), range))
        .collect();
    // Did you mean: replace the id written at the finding with the suggestion.
    for d in findings.iter().filter(|d| d.rule == "broken-link") {
        let Some(new) = d.hint.as_deref().and_then(suggested_id) else {
            continue;
        };
        let Some((_, doc)) = file.doc else { continue };
        let Some(Target::Id(old)) = refs::written(doc)
            .into_iter()
            .find(|w| w.span == d.span)
            .map(|w| w.target)
        else {
            continue;
        };
        let Some((start, end)) = refs::id_range(file.text(), file.lines.span_offsets(d.span), old)
        else {
            continue;
        };
        let edit = TextEdit {
            range: file.lines.range(start, end, ctx.encoding),
            new_text: new.to_string(),
        };
        out.push(CodeAction {
            title: format!("Change `{old}` to `{new}`"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostics::to_lsp(d, &file.lines, ctx.encoding)]),
            edit: Some(workspace_edit(
                ctx,
                BTreeMap::from([(file.rel.clone(), vec![edit])]),
            )),
            is_preferred: Some(true),
            ..CodeAction::default()
        });
    }
    let Ok(fm) = split_front_matter(file.text()) else {
        return out;
    };
    if !fm.present {
        return out;
    }
    // Mark reviewed today: exactly what `throughline review ID` writes
    // (`reviewed:`, and `reviewed_against:` stamps for drift).
    let reviewed_edit = file.doc.and_then(|(d, doc)| {
        let own = ctx.site.graph.lookup(&doc.id) == Some(d);
        let plan = crate::review::plan(ctx.site, std::slice::from_ref(&doc.id), ctx.site.today);
        let review = plan.ok()?.into_iter().next().filter(|_| own)?;
        Some(edit_between(&file.lines, &review.text, ctx.encoding))
    });
    let stale: Vec<_> = findings
        .iter()
        .filter(|d| d.rule == "stale")
        .map(|d| diagnostics::to_lsp(d, &file.lines, ctx.encoding))
        .collect();
    if let Some(reviewed_edit) = reviewed_edit {
        out.push(CodeAction {
            title: format!("Mark reviewed today ({})", ctx.site.today),
            kind: Some(if stale.is_empty() {
                CodeActionKind::REFACTOR_REWRITE
            } else {
                CodeActionKind::QUICKFIX
            }),
            diagnostics: (!stale.is_empty()).then_some(stale),
            edit: Some(workspace_edit(
                ctx,
                BTreeMap::from([(file.rel.clone(), vec![reviewed_edit])]),
            )),
            ..CodeAction::default()
        });
    }

    // The kind's missing fields, as `throughline new` would write them.
    let kind = fields::kind_of(file);
    let present = fields::present(file.text());
    let skip = ["id", "kind", "title"];
    let missing: Vec<(String, String)> = fields::skeleton_blocks(ctx, &kind)
        .into_iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()) && !present.contains(k))
        .collect();
    // Added as `edit` adds fields: before the closing fence, in the file's line ends.
    let blocks: Vec<&str> = missing.iter().map(|(_, block)| block.as_str()).collect();
    let filled = (!missing.is_empty())
        .then(|| crate::edit::add_fields(file.text(), &blocks).ok())
        .flatten();
    if let Some(filled) = filled {
        let names: Vec<&str> = missing.iter().map(|(k, _)| k.as_str()).collect();
        out.push(CodeAction {
            title: format!("Add the missing fields of a `{kind}`: {}", names.join(", ")),
            kind: Some(CodeActionKind::REFACTOR_REWRITE),
            edit: Some(workspace_edit(
                ctx,
                BTreeMap::from([(
                    file.rel.clone(),
                    vec![edit_between(&file.lines, &filled, ctx.encoding)],
                )]),
            )),
            ..CodeAction::default()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggestion_is_read_from_the_hint() {
        assert_eq!(
            suggested_id("did you mean `ps-payouts`?"),
            Some("ps-payouts")
        );
        assert_eq!(suggested_id("check the id; ids come from `id:`"), None);
    }
}
