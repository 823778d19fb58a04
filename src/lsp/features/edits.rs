//! The edits that actions and rename hand the client: the one span that
//! turns a text into another, and edits per file as a `WorkspaceEdit`.

use std::collections::BTreeMap;

use lsp_types::{
    DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit,
    Uri, WorkspaceEdit,
};

use super::{Ctx, Encoding, Lines};

/// One edit that turns the text `lines` indexes into `new`: the span between
/// their common start and common end.
pub fn edit_between(lines: &Lines<'_>, new: &str, encoding: Encoding) -> TextEdit {
    let old = lines.text();
    let mut start = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let max_suffix = old.len().min(new.len()) - start;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    TextEdit {
        range: lines.range(start, old.len() - suffix, encoding),
        new_text: new[start..new.len() - suffix].to_string(),
    }
}

/// Edits per file as a `WorkspaceEdit`: versioned `documentChanges` when the client takes them.
pub fn workspace_edit(ctx: &Ctx<'_>, edits: BTreeMap<String, Vec<TextEdit>>) -> WorkspaceEdit {
    let named: Vec<(Uri, Option<i32>, Vec<TextEdit>)> = edits
        .into_iter()
        .filter_map(|(rel, e)| {
            let version = ctx.ws.open.get(&rel).map(|b| b.version);
            Some((ctx.ws.uri(&rel)?, version, e))
        })
        .collect();
    if ctx.caps.document_changes {
        let changes = named
            .into_iter()
            .map(|(uri, version, e)| TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: e.into_iter().map(OneOf::Left).collect(),
            })
            .collect();
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(changes)),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(named.into_iter().map(|(uri, _, e)| (uri, e)).collect()),
            ..WorkspaceEdit::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_covers_what_differs() {
        let old = "---\nreviewed: 2026-11-03 # é\n---\n";
        let new = "---\nreviewed: 2026-11-24 # é\nreviewed_against: {a: x}\n---\n";
        let lines = Lines::new(old);
        let edit = edit_between(&lines, new, Encoding::Utf16);
        let (start, end) = (
            lines.offset(edit.range.start, Encoding::Utf16),
            lines.offset(edit.range.end, Encoding::Utf16),
        );
        let mut applied = old.to_string();
        applied.replace_range(start..end, &edit.new_text);
        assert_eq!(applied, new);
        let same = edit_between(&lines, old, Encoding::Utf16);
        assert!(same.new_text.is_empty() && same.range.start == same.range.end);
    }
}
