//! Rewrites top-level front-matter fields of a document in place, for the
//! commands that write into a user's files (`review`, `checkin`). Only the
//! lines of the fields named change; every other byte stays as it was:
//! comments, key order, quoting, blank lines, CRLF line ends.
//!
//! Lists (`checkins:`) are edited item by item: [`list_field`] finds where
//! each item of a block (`- item`) or flow (`[item, item]`) list is written,
//! [`insert_list_item`] adds one in the style of its neighbours and
//! [`set_item_field`] changes one field of one item; [`edit_list`] makes
//! many such edits in one pass. These read lines and
//! brackets, not YAML, so a caller that must be sure re-parses the result
//! (`checkin` does, and refuses a file whose result reads back differently).
//!
//! Writing the result is [`write_document`] and [`write_all`]'s job, the one
//! writer of every command that changes or adds a document.

use std::ops::Range;

use crate::source::split_front_matter;
use crate::yaml::lines::{strip_comment, Line};

mod write;

pub use write::{
    write_all, write_document, write_new_document, Replacement, WriteError, EDITED_MEANWHILE,
    EDIT_MEANWHILE_ENV,
};

/// Why a file's front matter cannot be edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError(pub String);

/// `text` with each `(key, value)` set: an existing top-level `key:` has its
/// value (the rest of its line and any lines nested under it) replaced by
/// `value`, which must be one line of YAML; a missing key is added at the end
/// of the front matter, in the order given. A trailing `# comment` on a
/// replaced one-line value is kept.
pub fn set_fields(text: &str, fields: &[(&str, String)]) -> Result<String, EditError> {
    let (start, end, eol) = front_matter_bounds(text)?;
    let lines = split_lines(&text[start..end]);

    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..start]);
    let mut done = vec![false; fields.len()];
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let read = Line::read(line);
        let Some(f) = fields.iter().position(|(key, _)| is_key_line(&read, key)) else {
            out.push_str(line);
            i += 1;
            continue;
        };
        if done[f] {
            return Err(EditError(format!(
                "`{}` is written twice in the front matter; remove one first",
                fields[f].0
            )));
        }
        done[f] = true;
        let (key, value) = &fields[f];
        let rest = read.rest();
        // The value's own lines: indented ones, or `- item`s of a list written at column 0.
        let mut j = i + 1;
        while j < lines.len() && continues_value(lines[j], read.value().is_empty()) {
            j += 1;
        }
        out.push_str(key);
        out.push_str(": ");
        out.push_str(value);
        if j == i + 1 {
            out.push_str(&kept_comment(rest));
        }
        out.push_str(eol);
        i = j;
    }
    for (f, (key, value)) in fields.iter().enumerate() {
        if !done[f] {
            append_field(&mut out, start, eol, &format!("{key}: {value}\n"));
        }
    }
    out.push_str(&text[end..]);
    Ok(out)
}

/// `text` with `blocks` added at the end of its front matter, in order:
/// each a top-level field as `new` writes it (`key: value`, perhaps with
/// nested lines), its lines ending in `\n`, which become the file's own
/// line end. Every other byte is kept.
pub fn add_fields(text: &str, blocks: &[&str]) -> Result<String, EditError> {
    let (start, end, eol) = front_matter_bounds(text)?;
    let added: usize = blocks.iter().map(|b| b.len() * 2).sum();
    let mut out = String::with_capacity(text.len() + added);
    out.push_str(&text[..end]);
    for block in blocks {
        append_field(&mut out, start, eol, block);
    }
    out.push_str(&text[end..]);
    Ok(out)
}

/// Appends `block` (lines ending in `\n`) to `out`, which ends inside front
/// matter that starts at `start`, with `eol` for each line end; first ends
/// the last line of the front matter if it has no line end.
fn append_field(out: &mut String, start: usize, eol: &str, block: &str) {
    if !out.ends_with('\n') && out.len() > start {
        out.push_str(eol);
    }
    for line in block.split_inclusive('\n') {
        match line.strip_suffix('\n') {
            Some(line) => {
                out.push_str(line.strip_suffix('\r').unwrap_or(line));
                out.push_str(eol);
            }
            None => out.push_str(line),
        }
    }
}

/// The front matter's byte range in `text` and the line end it uses.
fn front_matter_bounds(text: &str) -> Result<(usize, usize, &'static str), EditError> {
    let fm = split_front_matter(text)
        .ok()
        .filter(|fm| fm.present)
        .ok_or_else(|| EditError("the file has no front matter to edit".into()))?;
    let start = fm.yaml_offset;
    let end = start + fm.yaml.len();
    // The file's own line end, judged on the opening fence and the front matter.
    let eol = if text[..end].contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Ok((start, end, eol))
}

/// How a top-level list field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListForm {
    /// The key is not in the front matter.
    Absent,
    /// `key:` with nothing after it (or `~`, `null`): no items yet.
    Empty,
    /// `- item` lines under the key.
    Block,
    /// `[item, item]`, on one line or several.
    Flow,
}

/// A top-level list field as written: its form and where each item is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListField {
    /// The form.
    pub form: ListForm,
    /// Each item's text (without the `- ` or the separating commas), as byte
    /// ranges into the whole file, in the order written.
    pub items: Vec<Range<usize>>,
    /// Where the line of each block item starts (the indentation before `-`).
    line_starts: Vec<usize>,
    /// Where each block item's last line that is not a comment ends, line end included.
    content_ends: Vec<usize>,
    /// Flow: the offsets of `[` and `]`, and whether a comma follows the last item.
    brackets: Option<(usize, usize, bool)>,
    /// Empty: the offset just after the key's line, or the `~`/`null` written as the value.
    empty_at: Option<EmptyAt>,
    /// Where a missing key is added: the end of the front matter.
    fm_end: usize,
    /// The line end the file uses.
    eol: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum EmptyAt {
    AfterKeyLine(usize),
    Null(Range<usize>),
}

/// Where the top-level list `key` and each of its items are written in `text`.
pub fn list_field(text: &str, key: &str) -> Result<ListField, EditError> {
    let (start, end, eol) = front_matter_bounds(text)?;
    let mut field = ListField {
        form: ListForm::Absent,
        items: Vec::new(),
        line_starts: Vec::new(),
        content_ends: Vec::new(),
        brackets: None,
        empty_at: None,
        fm_end: end,
        eol,
    };
    let mut lines = Vec::new();
    let mut offset = start;
    for line in split_lines(&text[start..end]) {
        lines.push((offset, line));
        offset += line.len();
    }
    let mut key_lines = lines
        .iter()
        .enumerate()
        .map(|(at, &(offset, line))| (at, (offset, Line::read(line))))
        .filter(|(_, (_, line))| is_key_line(line, key));
    let Some((at, (key_offset, key_line))) = key_lines.next() else {
        return Ok(field);
    };
    if key_lines.next().is_some() {
        return Err(EditError(format!(
            "`{key}` is written twice in the front matter; remove one first"
        )));
    }
    let after_colon = key_offset + key_line.after_colon;
    let rest = key_line.rest();
    let value = key_line.value();
    let value_offset = after_colon + (rest.len() - rest.trim_start().len());
    if value.is_empty() {
        block_items(&lines[at + 1..], &mut field)?;
        if field.items.is_empty() {
            field.form = ListForm::Empty;
            field.empty_at = Some(EmptyAt::AfterKeyLine(key_offset + lines[at].1.len()));
        } else {
            field.form = ListForm::Block;
        }
    } else if matches!(value, "~" | "null" | "Null" | "NULL") {
        field.form = ListForm::Empty;
        field.empty_at = Some(EmptyAt::Null(value_offset..value_offset + value.len()));
    } else if value.starts_with('[') {
        field.form = ListForm::Flow;
        flow_items(text, value_offset, end, &mut field)
            .ok_or_else(|| EditError(format!("the `[` of `{key}:` is never closed")))?;
    } else {
        return Err(EditError(format!(
            "`{key}:` is not a list; write it as `{key}: []` or as `- ` items"
        )));
    }
    Ok(field)
}

/// Fills `field` with the `- ` items written on `lines` (each with its offset),
/// which follow the key's line; the list ends at the first line that is less
/// indented than its dashes and is not blank or a comment.
fn block_items(lines: &[(usize, &str)], field: &mut ListField) -> Result<(), EditError> {
    let mut dash_indent: Option<usize> = None;
    for &(offset, line) in lines {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let content = trimmed.trim_end_matches(['\r', '\n']).trim_end();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let is_dash = content == "-" || content.starts_with("- ");
        match dash_indent {
            None if is_dash => dash_indent = Some(indent),
            None if indent > 0 => {
                return Err(EditError(
                    "the value under the key is not a list of `- ` items".into(),
                ))
            }
            None => return Ok(()),
            Some(d) if indent == d && is_dash => {}
            Some(d) if indent > d => {
                if let Some(last) = field.content_ends.last_mut() {
                    *last = offset + line.len();
                }
                if let Some(item) = field.items.last_mut() {
                    item.end = offset + indent + content.len();
                }
                continue;
            }
            Some(_) => return Ok(()),
        }
        // A new item: its text starts after the dash and the blanks after it.
        let after_dash = &content[1..];
        let item_start = offset + indent + 1 + (after_dash.len() - after_dash.trim_start().len());
        field.line_starts.push(offset);
        field.content_ends.push(offset + line.len());
        field
            .items
            .push(item_start..offset + indent + content.len());
    }
    Ok(())
}

/// Fills `field` with the items of the flow list whose `[` is at `open`;
/// `None` when it is not closed before `end`. Brackets and braces nest;
/// quoted text and comments are skipped.
fn flow_items(text: &str, open: usize, end: usize, field: &mut ListField) -> Option<()> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut item_start: Option<usize> = None;
    let mut last_content = open;
    let mut comma_after_last = false;
    let mut i = open;
    while i < end {
        let b = bytes[i];
        match b {
            b'#' if i > 0 && bytes[i - 1].is_ascii_whitespace() => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            // A quote opens a quoted scalar only where a token starts; in
            // the middle of plain text (`don't`) it is a character.
            b'\'' | b'"' if matches!(bytes[last_content], b'{' | b',' | b':' | b'[') => {
                // Skip to its end ('' is an escaped quote, \\ escapes in "…").
                if item_start.is_none() && depth == 1 {
                    item_start = Some(i);
                }
                i += 1;
                while i < end {
                    if b == b'"' && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == b {
                        if b == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                last_content = i.min(end - 1);
                i += 1;
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth == 1 {
                    i += 1;
                    continue;
                }
                if depth == 2 && item_start.is_none() {
                    item_start = Some(i);
                }
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(s) = item_start.take() {
                        field.items.push(s..last_content + 1);
                        comma_after_last = false;
                    }
                    field.brackets = Some((open, i, comma_after_last));
                    return Some(());
                }
            }
            b',' if depth == 1 => {
                if let Some(s) = item_start.take() {
                    field.items.push(s..last_content + 1);
                }
                comma_after_last = true;
                last_content = i;
                i += 1;
                continue;
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {
                if item_start.is_none() && depth == 1 {
                    item_start = Some(i);
                }
            }
        }
        last_content = i;
        i += 1;
    }
    None
}

/// One change to a top-level list, for [`edit_list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListEdit<'a> {
    /// A mapping of `fields` inserted before item `index` (after the last
    /// item when `index` is the number of items), as [`insert_list_item`]
    /// writes it. Several at one index keep the order given.
    Insert {
        /// Where, in the items as written before any edit.
        index: usize,
        /// The mapping's fields, each value one line of YAML.
        fields: Vec<(&'a str, String)>,
    },
    /// Field `name` of item `index` set to `value`, as [`set_item_field`] does.
    Set {
        /// Which item, as written before any edit.
        index: usize,
        /// The field.
        name: &'a str,
        /// Its new value, one line of YAML.
        value: String,
    },
}

/// `text` with every edit of `edits` made to the top-level list `key`, in
/// one pass: the list is found once and the text copied once, however many
/// edits there are (`checkin --csv` adds thousands of items to one list; one
/// edit at a time made that quadratic). Each edit is placed as if it were
/// the only one; every other byte is kept.
pub fn edit_list(text: &str, key: &str, edits: &[ListEdit<'_>]) -> Result<String, EditError> {
    let field = list_field(text, key)?;
    let mut splices: Vec<Splice> = Vec::new();
    // The insertions at each index, in the order given.
    let mut inserts: std::collections::BTreeMap<usize, Vec<&[(&str, String)]>> =
        std::collections::BTreeMap::new();
    for edit in edits {
        match edit {
            ListEdit::Insert { index, fields } => {
                inserts.entry(*index).or_default().push(fields);
            }
            ListEdit::Set { index, name, value } => {
                splices.push(set_splice(text, &field, key, *index, name, value)?);
            }
        }
    }
    for (index, items) in &inserts {
        splices.push(insert_splice(text, &field, key, *index, items)?);
    }
    // By position; an insertion (empty range) before a replacement at the same place.
    splices.sort_by_key(|s| (s.at, s.to));
    let added: usize = splices.iter().map(|s| s.text.len()).sum();
    let mut out = String::with_capacity(text.len() + added);
    let mut copied = 0;
    for splice in &splices {
        if splice.at < copied {
            return Err(EditError(format!(
                "two changes to `{key}` fall on the same text"
            )));
        }
        out.push_str(&text[copied..splice.at]);
        out.push_str(&splice.text);
        copied = splice.to;
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

/// `text` with a mapping of `fields` inserted into the top-level list `key`
/// before item `index` (after the last item when `index` is the number of
/// items). The item is written in its neighbour's style: `- {a: 1, b: 2}`,
/// `- a: 1` with the next field on a line below, or `{a: 1, b: 2}` in a flow
/// list, at the neighbour's indentation. Values must be one-line YAML. An
/// empty key gets a block list; a missing key is added at the end of the
/// front matter. Every other byte is kept.
pub fn insert_list_item(
    text: &str,
    key: &str,
    index: usize,
    fields: &[(&str, String)],
) -> Result<String, EditError> {
    let edit = ListEdit::Insert {
        index,
        fields: fields.to_vec(),
    };
    edit_list(text, key, &[edit])
}

/// `text[at..to]` replaced by `text`.
struct Splice {
    at: usize,
    to: usize,
    text: String,
}

/// The splice that inserts `items` (each a mapping's fields) before item
/// `index` of `field`, in the style [`insert_list_item`] describes.
fn insert_splice(
    text: &str,
    field: &ListField,
    key: &str,
    index: usize,
    items: &[&[(&str, String)]],
) -> Result<Splice, EditError> {
    let eol = field.eol;
    let flows: Vec<String> = items.iter().map(|fields| flow_mapping(fields)).collect();
    let each = |piece: &dyn Fn(&str) -> String| flows.iter().map(|f| piece(f)).collect::<String>();
    let (at, insert, replace_to) = match field.form {
        ListForm::Absent => {
            let mut insert = String::new();
            if !text[..field.fm_end].ends_with('\n') {
                insert.push_str(eol);
            }
            insert.push_str(&format!("{key}:{eol}"));
            insert.push_str(&each(&|flow| format!("  - {flow}{eol}")));
            (field.fm_end, insert, None)
        }
        ListForm::Empty => match &field.empty_at {
            Some(EmptyAt::AfterKeyLine(at)) => {
                (*at, each(&|flow| format!("  - {flow}{eol}")), None)
            }
            Some(EmptyAt::Null(range)) => (
                range.start,
                format!("[{}]", flows.join(", ")),
                Some(range.end),
            ),
            None => return Err(EditError(format!("cannot tell where `{key}:` ends"))),
        },
        ListForm::Block => {
            let n = field.items.len();
            let neighbour = index.min(n - 1);
            let line_start = field.line_starts[neighbour];
            let item_start = field.items[neighbour].start;
            let dash_line = &text[line_start..item_start];
            let indent = &dash_line[..dash_line.len() - dash_line.trim_start_matches(' ').len()];
            let neighbour_text = &text[field.items[neighbour].clone()];
            let gap = &dash_line[indent.len() + 1..];
            let mut lines = String::new();
            for (fields, flow) in items.iter().zip(&flows) {
                let item = if neighbour_text.starts_with('{') || fields.len() < 2 {
                    flow.clone()
                } else {
                    // A block mapping: later fields line up under the first.
                    let column = " ".repeat(item_start - line_start);
                    fields
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join(&format!("{eol}{column}"))
                };
                lines.push_str(&format!("{indent}-{gap}{item}{eol}"));
            }
            let at = match index {
                0 => line_start,
                i if i >= n => field.content_ends[n - 1],
                i => field.content_ends[i - 1],
            };
            (at, lines, None)
        }
        ListForm::Flow => {
            let (open, close, trailing_comma) = field
                .brackets
                .ok_or_else(|| EditError(format!("cannot tell where `{key}:` ends")))?;
            let n = field.items.len();
            if n == 0 {
                (open + 1, flows.join(", "), None)
            } else if index < n {
                let start = field.items[index].start;
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                let before = &text[line_start..start];
                if start > open + 1 && before.trim().is_empty() {
                    // The item starts its own line: so does each new one.
                    (start, each(&|flow| format!("{flow},{eol}{before}")), None)
                } else {
                    (start, each(&|flow| format!("{flow}, ")), None)
                }
            } else {
                let last = field.items[n - 1].clone();
                let line_start = text[..last.start].rfind('\n').map_or(0, |i| i + 1);
                let before = &text[line_start..last.start];
                let own_line = last.start > open + 1 && before.trim().is_empty();
                if trailing_comma {
                    let comma = last.end + text[last.end..close].find(',').unwrap_or(0);
                    if own_line {
                        (
                            comma + 1,
                            each(&|flow| format!("{eol}{before}{flow},")),
                            None,
                        )
                    } else {
                        (comma + 1, each(&|flow| format!(" {flow},")), None)
                    }
                } else if own_line {
                    (
                        last.end,
                        each(&|flow| format!(",{eol}{before}{flow}")),
                        None,
                    )
                } else {
                    (last.end, each(&|flow| format!(", {flow}")), None)
                }
            }
        }
    };
    Ok(Splice {
        at,
        to: replace_to.unwrap_or(at),
        text: insert,
    })
}

/// `{a: 1, b: 2}`.
fn flow_mapping(fields: &[(&str, String)]) -> String {
    let inner: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// `text` with the field `name` of item `index` of the top-level list `key`
/// (a mapping, flow or block) set to `value`, one line of YAML; only the old
/// value's text is replaced, so a comment after it stays.
pub fn set_item_field(
    text: &str,
    key: &str,
    index: usize,
    name: &str,
    value: &str,
) -> Result<String, EditError> {
    let edit = ListEdit::Set {
        index,
        name,
        value: value.to_string(),
    };
    edit_list(text, key, &[edit])
}

/// The splice that sets field `name` of item `index` of `field` to `value`.
fn set_splice(
    text: &str,
    field: &ListField,
    key: &str,
    index: usize,
    name: &str,
    value: &str,
) -> Result<Splice, EditError> {
    let item = field
        .items
        .get(index)
        .cloned()
        .ok_or_else(|| EditError(format!("`{key}` has no item {}", index + 1)))?;
    let item_text = &text[item.clone()];
    let flow = item_text.starts_with('{');
    let bytes = item_text.as_bytes();
    let found = item_text.match_indices(name).map(|(i, _)| i).find(|&i| {
        let before_ok = i == 0 || matches!(bytes[i - 1], b'{' | b',' | b' ' | b'\t' | b'\n');
        let after = &item_text[i + name.len()..];
        before_ok && after.trim_start_matches([' ', '\t']).starts_with(':')
    });
    let Some(at) = found else {
        return Err(EditError(format!(
            "item {} of `{key}` has no `{name}:` to change",
            index + 1
        )));
    };
    let after_key = at + name.len();
    let colon = after_key + item_text[after_key..].find(':').unwrap_or(0);
    let rest = &item_text[colon + 1..];
    let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let value_start = colon + 1 + lead;
    let stops: &[char] = if flow {
        &[',', '}', '\n', '\r']
    } else {
        &['\n', '\r']
    };
    let raw = &item_text[value_start..];
    let raw = &raw[..raw.find(stops).unwrap_or(raw.len())];
    let old = strip_comment(raw).trim_end();
    if old.is_empty() {
        return Err(EditError(format!(
            "item {} of `{key}` has no value for `{name}:` on its line",
            index + 1
        )));
    }
    let from = item.start + value_start;
    Ok(Splice {
        at: from,
        to: from + old.len(),
        text: value.to_string(),
    })
}

/// The lines of `text`, each with its line end.
fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Whether `line` writes the top-level key `key` as this module writes it:
/// plain, with the `:` right after it. A key written otherwise (`"key":`,
/// `key :`) is not taken for it, so the edit adds a second `key:` that the
/// caller's re-parse refuses, rather than rewriting a layout it would change.
fn is_key_line(line: &Line<'_>, key: &str) -> bool {
    line.is_top_level() && line.key == Some(key) && line.after_colon == key.len() + 1
}

fn continues_value(line: &str, value_on_next_lines: bool) -> bool {
    line.starts_with([' ', '\t'])
        || (value_on_next_lines && (line.starts_with("- ") || line.trim_end() == "-"))
}

/// The ` # comment` after a one-line value, to keep beside the new value.
fn kept_comment(rest: &str) -> String {
    let comment = &rest[strip_comment(rest).len()..];
    if comment.is_empty() {
        String::new()
    } else {
        format!(" {comment}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `edit_list` gives what its edits give made one at a time, on every
    /// form of list: several insertions at one index, at the ends, and a
    /// changed value beside them.
    #[test]
    fn many_list_edits_in_one_pass_match_the_same_edits_one_at_a_time() {
        let layouts = [
            "---\nid: m\nc:\n  - {d: 2, v: 20}  # two\n  - {d: 4, v: 40}\nx: 1\n---\nBody\n",
            "---\r\nc:\r\n- d: 2\r\n  v: 20\r\n# between\r\n- d: 4\r\n  v: 40\r\n---\r\n",
            "---\nc: [{d: 2, v: 20}, {d: 4, v: 40}]\n---\n",
            "---\nc: [\n  {d: 2, v: 20},\n  {d: 4, v: 40},\n]\n---\n",
            "---\nc: [\n  {d: 2, v: 20},\n  {d: 4, v: 40}\n]\n---\n",
        ];
        let item = |d: u32| vec![("d", d.to_string()), ("v", (d * 10).to_string())];
        for text in layouts {
            let edits = [
                ListEdit::Insert {
                    index: 2,
                    fields: item(5),
                },
                ListEdit::Insert {
                    index: 0,
                    fields: item(1),
                },
                ListEdit::Set {
                    index: 1,
                    name: "v",
                    value: "41".into(),
                },
                ListEdit::Insert {
                    index: 1,
                    fields: item(3),
                },
                ListEdit::Insert {
                    index: 2,
                    fields: item(6),
                },
                ListEdit::Insert {
                    index: 0,
                    fields: item(0),
                },
            ];
            // One at a time: (original index, order given), each shifted by those before it.
            let mut one_by_one = set_item_field(text, "c", 1, "v", "41").unwrap();
            for (shifted, d) in [(0, 1), (1, 0), (3, 3), (5, 5), (6, 6)] {
                // Given order within an index: before item 0, 1 then 0; before 1, 3; at the end, 5 then 6.
                one_by_one = insert_list_item(&one_by_one, "c", shifted, &item(d)).unwrap();
            }
            assert_eq!(edit_list(text, "c", &edits).unwrap(), one_by_one, "{text}");
        }
        // Lists with no items yet take them all, in order.
        for (text, expected) in [
            (
                "---\nc: []\n---\n",
                "---\nc: [{d: 1, v: 10}, {d: 2, v: 20}]\n---\n",
            ),
            (
                "---\nc: ~\n---\n",
                "---\nc: [{d: 1, v: 10}, {d: 2, v: 20}]\n---\n",
            ),
            (
                "---\nc:\n---\n",
                "---\nc:\n  - {d: 1, v: 10}\n  - {d: 2, v: 20}\n---\n",
            ),
            (
                "---\nid: m\n---\n",
                "---\nid: m\nc:\n  - {d: 1, v: 10}\n  - {d: 2, v: 20}\n---\n",
            ),
        ] {
            let edits = [
                ListEdit::Insert {
                    index: 0,
                    fields: item(1),
                },
                ListEdit::Insert {
                    index: 0,
                    fields: item(2),
                },
            ];
            assert_eq!(edit_list(text, "c", &edits).unwrap(), expected, "{text}");
        }
    }

    fn set(text: &str, fields: &[(&str, &str)]) -> String {
        let fields: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
        set_fields(text, &fields).expect("edits")
    }

    #[test]
    fn only_the_named_lines_change() {
        let text = "---\n# owner: keep me\nid: bet\ntitle: 'Same-day: payouts'   # quoted, with a colon\nreviewed: 2026-01-01  # last QBR\nstatus: committed\n---\nBody with reviewed: 2020-01-01\n";
        let edited = set(text, &[("reviewed", "2026-11-24")]);
        assert_eq!(
            edited,
            "---\n# owner: keep me\nid: bet\ntitle: 'Same-day: payouts'   # quoted, with a colon\nreviewed: 2026-11-24 # last QBR\nstatus: committed\n---\nBody with reviewed: 2020-01-01\n"
        );
    }

    #[test]
    fn crlf_files_stay_crlf_and_missing_fields_are_added_at_the_end() {
        let text = "---\r\nid: bet\r\nparent: ps\r\n---\r\nBody\r\n";
        let edited = set(
            text,
            &[
                ("reviewed", "2026-11-24"),
                ("reviewed_against", "{ps: 0a0b0c0d.01020304}"),
            ],
        );
        assert_eq!(
            edited,
            "---\r\nid: bet\r\nparent: ps\r\nreviewed: 2026-11-24\r\nreviewed_against: {ps: 0a0b0c0d.01020304}\r\n---\r\nBody\r\n"
        );
    }

    #[test]
    fn a_value_written_over_several_lines_is_replaced_whole() {
        let text = "---\nid: bet\nreviewed_against:\n  ps: 0a0b0c0d.01020304\n  cs: 0a0b0c0d.01020304\nreviewed:\n  2026-01-01\nlist:\n- a\n- b\nowner: ana\n---\n";
        let edited = set(
            text,
            &[
                ("reviewed_against", "{ps: 11111111.22222222}"),
                ("reviewed", "2026-11-24"),
                ("list", "[c]"),
            ],
        );
        assert_eq!(
            edited,
            "---\nid: bet\nreviewed_against: {ps: 11111111.22222222}\nreviewed: 2026-11-24\nlist: [c]\nowner: ana\n---\n"
        );
    }

    #[test]
    fn similar_keys_nested_keys_and_a_duplicate_are_told_apart() {
        let text = "---\nreviewed_by: ana\nsuccess:\n  reviewed: 2020-01-01\n---\n";
        assert_eq!(
            set(text, &[("reviewed", "2026-11-24")]),
            "---\nreviewed_by: ana\nsuccess:\n  reviewed: 2020-01-01\nreviewed: 2026-11-24\n---\n"
        );
        let twice = "---\nreviewed: 2020-01-01\nreviewed: 2020-02-01\n---\n";
        let fields = [("reviewed", "2026-11-24".to_string())];
        assert!(set_fields(twice, &fields).is_err());
        assert!(set_fields("no front matter\n", &fields).is_err());
    }

    #[test]
    fn empty_front_matter_gets_its_first_field() {
        assert_eq!(
            set("---\n---\nBody\n", &[("reviewed", "2026-11-24")]),
            "---\nreviewed: 2026-11-24\n---\nBody\n"
        );
    }

    fn checkin(date: &str, value: &str) -> Vec<(&'static str, String)> {
        vec![("date", date.to_string()), ("value", value.to_string())]
    }

    fn insert(text: &str, index: usize, date: &str, value: &str) -> String {
        insert_list_item(text, "checkins", index, &checkin(date, value)).expect("inserts")
    }

    #[test]
    fn block_list_items_are_found_past_comments_and_nested_lines() {
        let text = "---\nid: m\ncheckins:   # monthly\n  - {date: 2026-01-01, value: 1}\n  # after the outage\n\n  - date: 2026-02-01\n    value: 2  # estimated\nowner: ana\n---\n";
        let field = list_field(text, "checkins").expect("found");
        assert_eq!(field.form, ListForm::Block);
        let items: Vec<&str> = field.items.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            items,
            [
                "{date: 2026-01-01, value: 1}",
                "date: 2026-02-01\n    value: 2  # estimated"
            ]
        );
        // A dash list written at the key's own indentation is a list too.
        let flush = "---\ncheckins:\n- {date: 2026-01-01, value: 1}\n- {date: 2026-02-01, value: 2}\nid: m\n---\n";
        assert_eq!(list_field(flush, "checkins").expect("found").items.len(), 2);
    }

    #[test]
    fn flow_list_items_are_found_across_lines_quotes_and_comments() {
        let text = "---\ncheckins: [ {date: 2026-01-01, value: 1}, {date: '2026-02-01', value: \"2, really\"} ]  # two\n---\n";
        let field = list_field(text, "checkins").expect("found");
        assert_eq!(field.form, ListForm::Flow);
        let items: Vec<&str> = field.items.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            items,
            [
                "{date: 2026-01-01, value: 1}",
                "{date: '2026-02-01', value: \"2, really\"}"
            ]
        );
        let multi = "---\ncheckins: [\n  {date: 2026-01-01, value: 1}, # first ] not the end\n  {date: 2026-02-01, value: 2},\n]\n---\n";
        let field = list_field(multi, "checkins").expect("found");
        assert_eq!(field.items.len(), 2);
        assert_eq!(field.brackets.map(|b| b.2), Some(true), "trailing comma");
    }

    #[test]
    fn an_item_goes_into_a_block_list_in_its_neighbours_style() {
        let text = "---\r\ncheckins:\r\n  - {date: 2026-01-01, value: 1}\r\n  # after the outage\r\n  - {date: 2026-03-01, value: 3}  # note\r\nowner: ana\r\n---\r\n";
        assert_eq!(
            insert(text, 1, "2026-02-01", "2"),
            "---\r\ncheckins:\r\n  - {date: 2026-01-01, value: 1}\r\n  - {date: 2026-02-01, value: 2}\r\n  # after the outage\r\n  - {date: 2026-03-01, value: 3}  # note\r\nowner: ana\r\n---\r\n"
        );
        assert_eq!(
            insert(text, 2, "2026-04-01", "4"),
            text.replace(
                "# note\r\n",
                "# note\r\n  - {date: 2026-04-01, value: 4}\r\n"
            )
        );
        assert_eq!(
            insert(text, 0, "2025-12-01", "0"),
            text.replace(
                "checkins:\r\n",
                "checkins:\r\n  - {date: 2025-12-01, value: 0}\r\n"
            )
        );
        let block = "---\ncheckins:\n-   date: 2026-01-01\n    value: 1\n---\n";
        assert_eq!(
            insert(block, 1, "2026-02-01", "2"),
            "---\ncheckins:\n-   date: 2026-01-01\n    value: 1\n-   date: 2026-02-01\n    value: 2\n---\n"
        );
    }

    #[test]
    fn an_item_goes_into_a_flow_list_on_one_line_or_several() {
        let one = "---\ncheckins: [{date: 2026-01-01, value: 1}]   # keep\n---\n";
        assert_eq!(
            insert(one, 1, "2026-02-01", "2"),
            "---\ncheckins: [{date: 2026-01-01, value: 1}, {date: 2026-02-01, value: 2}]   # keep\n---\n"
        );
        assert_eq!(
            insert(one, 0, "2025-12-01", "0"),
            "---\ncheckins: [{date: 2025-12-01, value: 0}, {date: 2026-01-01, value: 1}]   # keep\n---\n"
        );
        let empty = "---\ncheckins: []              # - {date: YYYY-MM-DD, value: N}\n---\n";
        assert_eq!(
            insert(empty, 0, "2026-02-01", "2"),
            "---\ncheckins: [{date: 2026-02-01, value: 2}]              # - {date: YYYY-MM-DD, value: N}\n---\n"
        );
        let multi = "---\ncheckins: [\n  {date: 2026-01-01, value: 1},\n  {date: 2026-03-01, value: 3},\n]\n---\n";
        assert_eq!(
            insert(multi, 1, "2026-02-01", "2"),
            "---\ncheckins: [\n  {date: 2026-01-01, value: 1},\n  {date: 2026-02-01, value: 2},\n  {date: 2026-03-01, value: 3},\n]\n---\n"
        );
        assert_eq!(
            insert(multi, 2, "2026-04-01", "4"),
            "---\ncheckins: [\n  {date: 2026-01-01, value: 1},\n  {date: 2026-03-01, value: 3},\n  {date: 2026-04-01, value: 4},\n]\n---\n"
        );
    }

    #[test]
    fn a_missing_or_empty_key_gets_its_first_item() {
        assert_eq!(
            insert("---\nid: m\n---\nBody\n", 0, "2026-02-01", "2"),
            "---\nid: m\ncheckins:\n  - {date: 2026-02-01, value: 2}\n---\nBody\n"
        );
        assert_eq!(
            insert(
                "---\ncheckins:  # none yet\nid: m\n---\n",
                0,
                "2026-02-01",
                "2"
            ),
            "---\ncheckins:  # none yet\n  - {date: 2026-02-01, value: 2}\nid: m\n---\n"
        );
        assert_eq!(
            insert("---\ncheckins: ~\n---\n", 0, "2026-02-01", "2"),
            "---\ncheckins: [{date: 2026-02-01, value: 2}]\n---\n"
        );
        for refused in [
            "---\ncheckins: 3\n---\n",
            "---\ncheckins:\n  date: 2026-01-01\n---\n",
            "---\ncheckins: [{date: 2026-01-01\n---\n",
            "---\ncheckins: []\ncheckins: []\n---\n",
        ] {
            assert!(
                insert_list_item(refused, "checkins", 0, &checkin("2026-02-01", "2")).is_err(),
                "{refused}"
            );
        }
    }

    #[test]
    fn one_field_of_one_item_is_replaced_in_place() {
        let text = "---\ncheckins:\n  - {date: 2026-01-01, value: 1}\n  - date: 2026-02-01\n    value: 2.0   # estimated\nx: [{date: 2026-02-01, value: 9}]\n---\n";
        assert_eq!(
            set_item_field(text, "checkins", 0, "value", "10").expect("set"),
            text.replace("value: 1}", "value: 10}")
        );
        assert_eq!(
            set_item_field(text, "checkins", 1, "value", "2.5").expect("set"),
            text.replace("value: 2.0 ", "value: 2.5 ")
        );
        assert!(set_item_field(text, "checkins", 2, "value", "1").is_err());
        assert!(set_item_field(text, "checkins", 0, "note", "1").is_err());
    }
}
