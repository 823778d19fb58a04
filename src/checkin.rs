//! `throughline checkin`: records measured values of metrics without anyone
//! editing YAML, one from the command line or many from a CSV export
//! (`metric,date,value`). Each value becomes an item of the metric's
//! `checkins:`, written by [`crate::edit`], so only the added (or, with
//! `--replace`, the changed) text differs.
//!
//! Every row is validated before anything is written: one bad row and no file
//! changes. A check-in goes where its date belongs when the existing list is
//! in date order, and at the end otherwise (the list is the author's; we do
//! not reorder it). Each edited front matter is parsed again and compared
//! with what was meant, so a layout the editor misreads is refused, not
//! written.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::date::{parse_date, Date};
use crate::diagnostics::SHOWN_PER_FILE;
use crate::edit::{edit_list, list_field, ListEdit, ListField};
use crate::escape::for_terminal;
use crate::graph::DocId;
use crate::site::{RunError, Site};
use crate::source::{split_front_matter, MAX_FILE_BYTES};
use crate::text::{format_number, group_digits, plural, suggest, LineIndex};
use crate::yaml::{flow_scalar, parse_front_matter, MAX_YAML_BYTES};

/// One check-in as given, before it is validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Where it came from, for messages: `export.csv:3`, or empty for the command line.
    pub origin: String,
    /// The metric's id.
    pub metric: String,
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// The value, a number.
    pub value: String,
    /// Why it moved, or what was learned: written as the check-in's
    /// `note:`. Blank is none. The CLI's `--note`, a CSV's `note` column and
    /// any other caller go through this one field, so all write the same bytes.
    pub note: Option<String>,
}

impl Row {
    /// The row of `checkin METRIC VALUE [--date DATE]`: dated `date`, else
    /// the day `today` gives (asked only then, so that a `--date` run never
    /// depends on `SOURCE_DATE_EPOCH`). A `date` that is no date is refused
    /// here, so that the message names `--date`.
    pub fn of_arguments(
        metric: &str,
        value: &str,
        date: Option<&str>,
        note: Option<String>,
        today: impl FnOnce() -> Result<Date, RunError>,
    ) -> Result<Row, RunError> {
        let date = match date {
            Some(d) => parse_date(d).ok_or_else(|| {
                RunError::Other(format!(
                    "`--date {d}` is not a date; write it as YYYY-MM-DD"
                ))
            })?,
            None => today()?,
        };
        Ok(Row {
            origin: String::new(),
            metric: metric.to_string(),
            date: date.to_string(),
            value: value.to_string(),
            note,
        })
    }
}

/// What one check-in does.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The metric's id.
    pub metric: String,
    /// Its file, relative to the root.
    pub file: String,
    /// The date.
    pub date: Date,
    /// The new value.
    pub value: f64,
    /// The value it replaces, with `--replace`.
    pub replaced: Option<f64>,
    /// The note written with it, if any.
    pub note: Option<String>,
}

/// Every change of a run and the files to write, ready to be written.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The changes, in the order given.
    pub changes: Vec<Change>,
    /// Each edited file and its new text, in path order.
    pub files: Vec<(PathBuf, String)>,
}

impl Plan {
    /// What `checkin` tells once the plan is written: a line per check-in
    /// (for stdout) and the summary (for stderr), which counts those of the
    /// `rows` given that were recorded already with the same value.
    pub fn report(&self, rows: usize, dry_run: bool) -> (Vec<String>, String) {
        let lines = self
            .changes
            .iter()
            .map(|c| {
                // The metric's file name comes from the repository.
                let (metric, file) = (for_terminal(&c.metric), for_terminal(&c.file));
                match c.replaced {
                    Some(old) => format!(
                        "`{metric}` on {}: {} (was {}) in {file}",
                        c.date,
                        format_number(c.value),
                        format_number(old),
                    ),
                    None => format!(
                        "`{metric}` on {}: {} in {file}",
                        c.date,
                        format_number(c.value)
                    ),
                }
            })
            .collect();
        let unchanged = rows.saturating_sub(self.changes.len());
        let summary = format!(
            "{} {} in {}{}",
            if dry_run {
                "dry run: nothing was written; would record"
            } else {
                "recorded"
            },
            plural(self.changes.len(), "check-in"),
            plural(self.files.len(), "file"),
            if unchanged > 0 {
                format!("; {unchanged} already recorded with the same value")
            } else {
                String::new()
            }
        );
        (lines, summary)
    }
}

/// Problems, each with the number of the row it is about (its index in
/// the rows given), so that they can be told in row order.
type Problems = Vec<(usize, String)>;

/// A row's number, the row, and where its check-in goes.
type Placed<'v> = (usize, &'v Valid, Placement);

/// A validated row.
struct Valid {
    metric: DocId,
    date: Date,
    value: f64,
    note: Option<String>,
}

/// The plan for `rows` in `site`, or every problem found (each prefixed by
/// its row's origin); nothing is written either way.
///
/// Linear in the rows and the files' lengths: each row is judged once (a
/// metric once, however many rows name it), and each file is parsed, edited
/// in one pass ([`edit_list`]) and parsed again once, whatever number of its
/// rows; one edit per row made 16,000 rows take minutes.
pub fn plan(site: &Site, rows: &[Row], replace: bool) -> Result<Plan, Vec<String>> {
    // (row, message): every row is judged, then the messages are given in row order.
    let (by_doc, mut errors) = judge_rows(site, rows);
    let mut changes: Vec<(usize, Change)> = Vec::new();
    let mut files = Vec::new();
    for (&doc, doc_rows) in &by_doc {
        let d = &site.docs[doc];
        let source = &site.sources[d.source];
        match apply(&source.text, &d.file, doc_rows, replace) {
            Ok(applied) => {
                for (r, date, value, replaced) in applied.changed {
                    let note = rows[r].note.as_deref().and_then(note_text);
                    let change = Change {
                        metric: d.id.clone(),
                        file: d.file.clone(),
                        date,
                        value,
                        replaced,
                        note: note.map(str::to_string),
                    };
                    changes.push((r, change));
                }
                if let Some(text) = applied.text {
                    files.push((source.abs_path.clone(), text));
                }
            }
            Err(found) => errors.extend(
                found
                    .into_iter()
                    .map(|(r, message)| (r, at(&rows[r].origin, message))),
            ),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|(r, _)| *r);
        return Err(errors.into_iter().map(|(_, m)| m).collect());
    }
    changes.sort_by_key(|(r, _)| *r);
    Ok(Plan {
        changes: changes.into_iter().map(|(_, c)| c).collect(),
        files,
    })
}

/// Every row validated, grouped by the metric's document (in the order given
/// within each), and the problems found, each with its row number.
fn judge_rows(site: &Site, rows: &[Row]) -> (BTreeMap<DocId, Vec<(usize, Valid)>>, Problems) {
    let mut errors: Problems = Vec::new();
    // Two rows for one metric and date would make the result depend on row
    // order; the row that gave the first.
    let mut seen: HashMap<(DocId, Date), usize> = HashMap::new();
    let mut metrics: HashMap<&str, Result<DocId, String>> = HashMap::new();
    let mut by_doc: BTreeMap<DocId, Vec<(usize, Valid)>> = BTreeMap::new();
    for (r, row) in rows.iter().enumerate() {
        let valid = validate(site, row, &mut metrics);
        match valid {
            Ok(v) => match seen.entry((v.metric, v.date)) {
                Entry::Occupied(first) => {
                    let first = match rows[*first.get()].origin.as_str() {
                        "" => "the command line",
                        origin => origin,
                    };
                    let message = format!(
                        "`{}` is given a second value for {} (the first is at {first})",
                        row.metric.trim(),
                        v.date
                    );
                    errors.push((r, at(&row.origin, message)));
                }
                Entry::Vacant(slot) => {
                    slot.insert(r);
                    by_doc.entry(v.metric).or_default().push((r, v));
                }
            },
            Err(message) => errors.push((r, at(&row.origin, message))),
        }
    }
    (by_doc, errors)
}

fn at(origin: &str, message: String) -> String {
    if origin.is_empty() {
        message
    } else {
        format!("{origin}: {message}")
    }
}

/// Checks that the row names a metric whose front matter can be edited, and
/// holds a date and a number that can be kept exactly. `metrics` remembers
/// what each metric named was found to be, so that a million rows naming
/// one unknown id look for a "did you mean" once.
fn validate<'r>(
    site: &Site,
    row: &'r Row,
    metrics: &mut HashMap<&'r str, Result<DocId, String>>,
) -> Result<Valid, String> {
    let id = row.metric.trim();
    let metric = metrics
        .entry(id)
        .or_insert_with(|| editable_metric(site, id))
        .clone()?;
    let date_text = row.date.trim();
    let date = parse_date(date_text)
        .ok_or_else(|| format!("`{date_text}` is not a date; write it as YYYY-MM-DD"))?;
    let value = exact_number(row.value.trim())?;
    Ok(Valid {
        metric,
        date,
        value,
        note: row.note.as_deref().and_then(note_text).map(str::to_string),
    })
}

/// The note to write for `given`: trimmed, and none when blank.
fn note_text(given: &str) -> Option<&str> {
    Some(given.trim()).filter(|n| !n.is_empty())
}

/// The document of metric `id`, if its front matter can be edited.
fn editable_metric(site: &Site, id: &str) -> Result<DocId, String> {
    let Some(doc) = site.graph.lookup(id) else {
        let metrics = site
            .docs
            .iter()
            .filter(|d| d.kind == "metric")
            .map(|d| d.id.as_str());
        let hint = suggest(id, metrics)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(format!("no metric has the id `{id}`{hint}"));
    };
    let d = &site.docs[doc];
    if d.invalid {
        return Err(format!(
            "the front matter of {} cannot be read; fix what `throughline check` reports there first",
            d.file
        ));
    }
    if d.kind != "metric" {
        return Err(format!(
            "`{id}` is a {}, not a metric; check-ins are recorded on metrics",
            d.kind
        ));
    }
    Ok(doc)
}

/// The number written as `text`, when a number read from YAML (an `f64`)
/// holds exactly that value. One that does not would be recorded as another
/// number without a word: `123456789012345678901234567890` as
/// `123456789012345680000000000000`, `1e-400` as 0.
fn exact_number(text: &str) -> Result<f64, String> {
    let value = match text.parse::<f64>() {
        Ok(v) => v,
        Err(_) if text.contains(',') => {
            return Err(format!(
                "`{text}` is not a number; write it without thousands separators and with a `.` for decimals"
            ))
        }
        Err(_) => return Err(format!("`{text}` is not a number")),
    };
    // `inf`, `NaN` and the like are words, not decimals.
    let Some(written) = Decimal::parse(text) else {
        return Err(format!("`{text}` is not a finite number"));
    };
    if value.is_infinite() {
        return Err(format!(
            "`{text}` is too large to be kept: numbers are kept as 64-bit floating point, at most about 1.8e308"
        ));
    }
    // `{:e}` is the shortest text that reads back as `value`.
    let kept = Decimal::parse(&format!("{value:e}"));
    if kept.as_ref() == Some(&written) {
        return Ok(value);
    }
    if value == 0.0 {
        return Err(format!(
            "`{text}` is too close to zero to be kept: it would be recorded as 0; record it in a larger unit"
        ));
    }
    Err(format!(
        "`{text}` cannot be kept exactly: it has more significant digits than a number keeps (about 15 to 17), and would be recorded as {}; round it, or record it in a larger unit",
        format_number(value)
    ))
}

/// A decimal number as written, reduced so that equal values compare equal:
/// `0.DIGITS × 10^exponent` with no leading or trailing zero digit (zero is
/// no digits, whatever its sign).
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    /// `[+-]DIGITS[.DIGITS][(e|E)[+-]DIGITS]`, as Rust's float parser reads
    /// it (a side of the point may be empty, not both); `None` for anything
    /// else.
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, unsigned) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(e) => (&unsigned[..e], Some(&unsigned[e + 1..])),
            None => (unsigned, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !all_digits(digits) {
                    return None;
                }
                // Past i64 the value is 0 or infinite anyway; saturate.
                e.parse().unwrap_or(if e.starts_with('-') {
                    i64::MIN / 4
                } else {
                    i64::MAX / 4
                })
            }
        };
        let joined = format!("{whole}{fraction}");
        let significant = joined.trim_start_matches('0');
        let leading_zeros = joined.len() - significant.len();
        let digits = significant.trim_end_matches('0').to_string();
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        let point = whole.len() as i64 - leading_zeros as i64;
        Some(Decimal {
            negative,
            digits,
            exponent: point.saturating_add(exponent),
        })
    }
}

/// What applying one file's rows gives.
struct Applied {
    /// The file's new text; `None` when every row was already recorded.
    text: Option<String>,
    /// The rows that change it: row number, date, value, and the value it replaces.
    changed: Vec<(usize, Date, f64, Option<f64>)>,
}

/// Where one row's check-in goes.
enum Placement {
    /// A new item before existing item `index`.
    Insert(usize),
    /// A new value for existing item `index`, which holds `old`.
    Replace(usize, Option<f64>),
}

/// `text` (of `file`) with the check-ins of `rows` (each with its row
/// number) added or, with `replace`, changed; or every problem found, each
/// with its row number. The file is parsed once, edited in one pass, checked
/// against the loader's limits and parsed again once.
fn apply(
    text: &str,
    file: &str,
    rows: &[(usize, Valid)],
    replace: bool,
) -> Result<Applied, Problems> {
    // A problem of the whole file is told once, at its first row.
    let first = rows.first().map_or(0, |(r, _)| *r);
    let others = match rows.len() {
        0 | 1 => String::new(),
        n => format!(" ({} rows)", group_digits(n)),
    };
    let cannot = |why: String| vec![(first, format!("cannot add to {file}{others}: {why}"))];
    let existing = Existing::read(text).map_err(cannot)?;
    let mut placed = place(&existing, text, file, rows, replace)?;
    if placed.is_empty() {
        return Ok(Applied {
            text: None,
            changed: Vec::new(),
        });
    }
    // New items before the same existing item go in date order when the list
    // is in date order (so it stays so), and in the order given otherwise.
    placed.sort_by_key(|(r, row, placement)| match placement {
        Placement::Insert(index) if existing.in_order => (*index, Some(row.date), *r),
        Placement::Insert(index) => (*index, None, *r),
        Placement::Replace(..) => (usize::MAX, None, *r),
    });
    let (edits, expected) = edits_and_result(&existing.items, &placed);
    let new_text = edit_list(text, "checkins", &edits).map_err(|e| cannot(e.0))?;
    still_readable(&new_text).map_err(cannot)?;
    reads_back_as_meant(&new_text, existing.fields, &expected).map_err(cannot)?;
    let changed = placed
        .into_iter()
        .map(|(r, row, placement)| match placement {
            Placement::Insert(_) => (r, row.date, row.value, None),
            Placement::Replace(_, old) => (r, row.date, row.value, old),
        })
        .collect();
    Ok(Applied {
        text: Some(new_text),
        changed,
    })
}

/// A metric's check-ins as they are, read once for all its rows.
struct Existing {
    /// Every field of the front matter.
    fields: Map<String, Value>,
    /// The check-ins, as YAML reads them.
    items: Vec<Value>,
    /// Where each is written.
    list: ListField,
    /// Each one's date, if it has one.
    dates: Vec<Option<Date>>,
    /// The check-ins of each date.
    by_date: HashMap<Date, Vec<usize>>,
    /// Whether every one has a date and they are in date order.
    in_order: bool,
}

impl Existing {
    fn read(text: &str) -> Result<Existing, String> {
        let fields = front_matter_map(text)?;
        let items: Vec<Value> = match fields.get("checkins") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.clone(),
            Some(_) => return Err("`checkins:` is not a list".into()),
        };
        let list = list_field(text, "checkins").map_err(|e| e.0)?;
        if list.items.len() != items.len() {
            return Err(format!(
                "cannot tell where its {} check-ins are written; add these by hand",
                items.len()
            ));
        }
        let dates: Vec<Option<Date>> = items
            .iter()
            .map(|item| {
                item.get("date")
                    .and_then(Value::as_str)
                    .and_then(parse_date)
            })
            .collect();
        let mut by_date: HashMap<Date, Vec<usize>> = HashMap::new();
        for (i, date) in dates.iter().enumerate() {
            if let Some(date) = date {
                by_date.entry(*date).or_default().push(i);
            }
        }
        let in_order = dates.iter().all(Option::is_some) && dates.windows(2).all(|w| w[0] <= w[1]);
        Ok(Existing {
            fields,
            items,
            list,
            dates,
            by_date,
            in_order,
        })
    }
}

/// Where each row's check-in goes in `existing` (of `text`, in `file`); a
/// row that records the value already there goes nowhere. Every row is
/// judged before any problem is returned.
fn place<'v>(
    existing: &Existing,
    text: &str,
    file: &str,
    rows: &'v [(usize, Valid)],
    replace: bool,
) -> Result<Vec<Placed<'v>>, Problems> {
    // Lines only for messages: indexed once, and only if one is needed.
    let lines = std::cell::OnceCell::new();
    let line_of = |i: usize| {
        let offset = existing.list.items[i].start;
        lines
            .get_or_init(|| LineIndex::new(text))
            .span(text, offset, 0)
            .line
    };
    let mut errors = Vec::new();
    let mut placed = Vec::new();
    for (r, row) in rows {
        let same = existing
            .by_date
            .get(&row.date)
            .map_or(&[][..], Vec::as_slice);
        let placement = match same {
            [] if existing.in_order => Placement::Insert(
                existing
                    .dates
                    .partition_point(|d| d.is_some_and(|d| d < row.date)),
            ),
            [] => Placement::Insert(existing.items.len()),
            [i] => {
                let item = &existing.items[*i];
                let old = item.get("value").and_then(Value::as_f64);
                let old_note = item.get("note");
                let new_note = row
                    .note
                    .as_ref()
                    .filter(|n| old_note.and_then(Value::as_str) != Some(n.as_str()));
                if old == Some(row.value) && new_note.is_none() {
                    // The same value (and note) on the same date: nothing to do.
                    continue;
                }
                if !replace {
                    let old = old.map_or_else(|| "no value".to_string(), format_number);
                    let message = if old_note.is_some()
                        && new_note.is_some()
                        && old == format_number(row.value)
                    {
                        format!(
                            "{file}:{} already records a different note for {}; pass --replace to change it",
                            line_of(*i),
                            row.date,
                        )
                    } else {
                        format!(
                            "{file}:{} already records {old} for {}; pass --replace to change it to {}",
                            line_of(*i),
                            row.date,
                            format_number(row.value)
                        )
                    };
                    errors.push((*r, message));
                    continue;
                }
                if new_note.is_some() && old_note.is_none() {
                    let message = format!(
                        "{file}:{} records {} without a note, and this command changes only a note already written; add `note:` to it by hand",
                        line_of(*i),
                        row.date,
                    );
                    errors.push((*r, message));
                    continue;
                }
                Placement::Replace(*i, old)
            }
            [a, b, ..] => {
                let message = format!(
                    "{file}:{} and :{} both record {}; remove one by hand first",
                    line_of(*a),
                    line_of(*b),
                    row.date
                );
                errors.push((*r, message));
                continue;
            }
        };
        placed.push((*r, row, placement));
    }
    if errors.is_empty() {
        Ok(placed)
    } else {
        Err(errors)
    }
}

/// The edits that make `placed` (in the order they are to be written) of
/// the check-ins `items`, and the check-ins they should read back as: each
/// new one before the item it was placed before.
fn edits_and_result<'a>(items: &[Value], placed: &[Placed<'_>]) -> (Vec<ListEdit<'a>>, Vec<Value>) {
    let mut edits = Vec::with_capacity(placed.len());
    let mut before_item: Vec<Vec<Value>> = vec![Vec::new(); items.len() + 1];
    let mut kept = items.to_vec();
    for (_, row, placement) in placed {
        let written = format_number(row.value);
        match placement {
            Placement::Insert(index) => {
                let mut item = Map::new();
                item.insert("date".into(), Value::String(row.date.to_string()));
                item.insert("value".into(), number(row.value));
                let mut fields = vec![("date", row.date.to_string()), ("value", written)];
                if let Some(note) = &row.note {
                    item.insert("note".into(), Value::String(note.clone()));
                    fields.push(("note", flow_scalar(note)));
                }
                before_item[*index].push(Value::Object(item));
                edits.push(ListEdit::Insert {
                    index: *index,
                    fields,
                });
            }
            Placement::Replace(index, _) => {
                if let Some(Value::Object(item)) = kept.get_mut(*index) {
                    item.insert("value".into(), number(row.value));
                    if let Some(note) = &row.note {
                        item.insert("note".into(), Value::String(note.clone()));
                    }
                }
                edits.push(ListEdit::Set {
                    index: *index,
                    name: "value",
                    value: written,
                });
                if let Some(note) = &row.note {
                    edits.push(ListEdit::Set {
                        index: *index,
                        name: "note",
                        value: flow_scalar(note),
                    });
                }
            }
        }
    }
    let mut result = Vec::with_capacity(items.len() + placed.len());
    for (new, old) in before_item.iter_mut().zip(kept) {
        result.append(new);
        result.push(old);
    }
    if let Some(at_end) = before_item.last_mut() {
        result.append(at_end);
    }
    (edits, result)
}

/// Refuses a text the loader would not read: one longer than a document may
/// be ([`MAX_FILE_BYTES`]), or whose front matter is longer than the YAML
/// that is read ([`MAX_YAML_BYTES`]). Written, it would drop the metric from
/// the site and break every link to it.
fn still_readable(text: &str) -> Result<(), String> {
    // The writer puts back a byte-order mark the file had; count one.
    let bytes = text.len() + '\u{feff}'.len_utf8();
    if bytes as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file would be {:.1} MiB, and documents may be at most {} MiB; it would no longer be read. Move long text out of its body, or remove older check-ins (git keeps them)",
            bytes as f64 / 1_048_576.0,
            MAX_FILE_BYTES / 1_048_576
        ));
    }
    let yaml = split_front_matter(text)
        .map_err(|_| "its front matter is never closed".to_string())?
        .yaml
        .len();
    if yaml > MAX_YAML_BYTES {
        return Err(format!(
            "its front matter would be {} KiB, and at most {} KiB of it is read; the metric would no longer be read. Record fewer check-ins (weekly rather than daily, say), or remove older ones first (git keeps them)",
            group_digits(yaml.div_ceil(1024)),
            group_digits(MAX_YAML_BYTES / 1024)
        ));
    }
    Ok(())
}

/// Reads the edited front matter back: every field but `checkins` as
/// `before` has it, and the check-ins `expected`.
fn reads_back_as_meant(
    new_text: &str,
    mut before: Map<String, Value>,
    expected: &[Value],
) -> Result<(), String> {
    let mut after = front_matter_map(new_text).map_err(|e| {
        format!("the edited front matter would not read back ({e}); add these by hand")
    })?;
    let got = after.remove("checkins");
    before.remove("checkins");
    let same_items = got.as_ref().and_then(Value::as_array).is_some_and(|got| {
        got.len() == expected.len()
            && got.iter().zip(expected).all(|(g, e)| {
                g.get("date") == e.get("date")
                    && g.get("value").and_then(Value::as_f64)
                        == e.get("value").and_then(Value::as_f64)
                    && g.get("note") == e.get("note")
                    && g.as_object().map(Map::len) == e.as_object().map(Map::len)
            })
    });
    if after != before || !same_items {
        return Err(
            "its `checkins:` is written in a way this command cannot edit safely; add these by hand"
                .into(),
        );
    }
    Ok(())
}

fn number(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn front_matter_map(text: &str) -> Result<Map<String, Value>, String> {
    let fm =
        split_front_matter(text).map_err(|_| "its front matter is never closed".to_string())?;
    parse_front_matter(fm.yaml)
        .map_err(|e| format!("its front matter is not valid YAML: {}", e.message))
}

/// Writes the metrics a check-in changed (`plan.files`), all or none,
/// each only if it still holds the text `site` read (`edit::write_all`).
pub fn write(site: &Site, files: &[(PathBuf, String)]) -> Result<(), RunError> {
    let read: HashMap<&std::path::Path, &str> = site
        .sources
        .iter()
        .map(|s| (s.abs_path.as_path(), s.text.as_str()))
        .collect();
    let mut replacements = Vec::with_capacity(files.len());
    for (path, text) in files {
        let original = read.get(path.as_path()).ok_or_else(|| {
            RunError::Other(format!(
                "cannot write {}: it is not a file this run read",
                path.display()
            ))
        })?;
        replacements.push(crate::edit::Replacement {
            path,
            original,
            text,
        });
    }
    crate::edit::write_all(&replacements).map_err(|e| RunError::Other(e.to_string()))
}

/// Writes the problems that stop a run, one `error:` line each, and that
/// nothing was written. At most [`SHOWN_PER_FILE`] are shown, the cap
/// `check` puts on one file's findings, and the rest are counted: a million
/// bad rows are one mistake made a million times, not a million lines to
/// read.
pub fn write_refusal(errors: &[String], out: &mut dyn Write) -> std::io::Result<()> {
    for e in errors.iter().take(SHOWN_PER_FILE) {
        writeln!(out, "error: {}", for_terminal(e))?;
    }
    if errors.len() > SHOWN_PER_FILE {
        let hidden = errors.len() - SHOWN_PER_FILE;
        writeln!(
            out,
            "… and {} more {} not shown; fix these and run it again to see them",
            group_digits(hidden),
            if hidden == 1 { "problem" } else { "problems" }
        )?;
    }
    let noun = if errors.len() == 1 {
        "problem"
    } else {
        "problems"
    };
    writeln!(
        out,
        "nothing was written: {} {noun}",
        group_digits(errors.len())
    )
}

/// The rows of a CSV export with a header row naming (in any order) the
/// columns `metric`, `date` and `value`, and optionally `note`; other
/// columns are ignored. Fields
/// may be quoted as RFC 4180 says (`"1,5"`, `""` for a quote, line breaks
/// inside quotes), as the `csv` crate reads them. `name` is used in each
/// row's origin; every problem is returned with its line.
pub fn read_csv(name: &str, text: &str) -> Result<Vec<Row>, Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = parse_csv(text)
        .map_err(|(line, m)| vec![format!("{name}:{line}: {m}")])?
        .into_iter();
    let Some((header_line, header)) = records.next() else {
        return Err(vec![format!(
            "{name}: the file is empty; it needs a header row `metric,date,value`"
        )]);
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let column = |c: &str| names.iter().position(|n| n == c);
    let (Some(m), Some(d), Some(v)) = (column("metric"), column("date"), column("value")) else {
        return Err(vec![format!(
            "{name}:{header_line}: the first row must name the columns `metric`, `date` and `value` (it reads `{}`)",
            header.iter().collect::<Vec<_>>().join(",")
        )]);
    };
    let note = column("note");
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (line, fields) in records {
        if fields.len() != header.len() {
            errors.push(format!(
                "{name}:{line}: {} fields where the header has {}",
                fields.len(),
                header.len()
            ));
            continue;
        }
        rows.push(Row {
            origin: format!("{name}:{line}"),
            metric: fields[m].to_string(),
            date: fields[d].to_string(),
            value: fields[v].to_string(),
            note: note.map(|n| fields[n].to_string()),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The records of `text` with the line each starts on, read by the `csv`
/// crate; blank lines are skipped. The crate reads any text without an
/// error, so what it forgives and a user would want to hear about is found
/// here: a record with an odd number of quotes holds a quoted field that is
/// never closed (which swallows every row after it) or a stray quote.
fn parse_csv(text: &str) -> Result<Vec<(usize, csv::StringRecord)>, (usize, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Where each record starts, and the record.
    let mut read: Vec<(usize, csv::StringRecord)> = Vec::new();
    for record in reader.records() {
        let at =
            |p: Option<&csv::Position>| p.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        let record = record.map_err(|e| {
            let offset = at(e.position());
            (line_at(text, offset), e.to_string())
        })?;
        read.push((at(record.position()), record));
    }
    let ends: Vec<usize> = read
        .iter()
        .skip(1)
        .map(|(start, _)| *start)
        .chain([text.len()])
        .collect();
    let mut records = Vec::with_capacity(read.len());
    // Lines are counted here as the records go by: the crate's own count
    // misses blank lines and, in a CRLF file, names the line before.
    let (mut line, mut counted) = (1, 0);
    for ((start, record), end) in read.into_iter().zip(ends) {
        let raw = text.get(start..end).unwrap_or("");
        // A record's position is where the one before it ended, line end and
        // blank lines included.
        let first = start + (raw.len() - raw.trim_start_matches(['\r', '\n']).len());
        line += text.as_bytes()[counted..first]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = first;
        if raw.bytes().filter(|&b| b == b'"').count() % 2 == 1 {
            return Err((
                line,
                "a quoted field is never closed, or a quote stands inside a field that is not quoted; quote the whole field and write a quote inside it as `\"\"`"
                    .to_string(),
            ));
        }
        let blank = record.len() == 1 && record[0].trim().is_empty();
        if !blank {
            records.push((line, record));
        }
    }
    Ok(records)
}

/// The 1-based line of byte `offset` of `text`.
fn line_at(text: &str, offset: usize) -> usize {
    let before = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
    before.iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metric: &str, date: &str, value: &str) -> Row {
        Row {
            origin: String::new(),
            metric: metric.into(),
            date: date.into(),
            value: value.into(),
            note: None,
        }
    }

    fn site(files: &[(&str, &str)]) -> Site {
        crate::rules::testing::site("", files, "2026-11-24")
    }

    #[test]
    fn numbers_are_taken_only_when_they_are_kept_exactly() {
        for kept in [
            "0",
            "-0",
            "+3",
            "40",
            "12.5",
            "-7.25",
            ".5",
            "5.",
            "1.50",
            "0.1",
            "1e3",
            "2.5E-3",
            "0.30000000000000004",
            "123456789012345680000000000000",
            "1.7976931348623157e308",
            "5e-324",
            "0e99999999999999999999",
        ] {
            let value = exact_number(kept).unwrap_or_else(|e| panic!("{kept}: {e}"));
            assert_eq!(value, kept.parse::<f64>().unwrap(), "{kept}");
        }
        let refused = [
            (
                "123456789012345678901234567890",
                "would be recorded as 123456789012345680000000000000",
            ),
            (
                "12345678901234567",
                "would be recorded as 12345678901234568",
            ),
            (
                "0.3000000000000000444",
                "would be recorded as 0.30000000000000004",
            ),
            (
                "1e-400",
                "too close to zero to be kept: it would be recorded as 0",
            ),
            ("-1e-99999999999999999999", "too close to zero"),
            ("1e400", "too large to be kept"),
            ("-1.8e308", "too large to be kept"),
            ("inf", "is not a finite number"),
            ("-infinity", "is not a finite number"),
            ("NaN", "is not a finite number"),
            ("1,5", "without thousands separators"),
            ("1_000", "is not a number"),
            ("", "is not a number"),
        ];
        for (text, expected) in refused {
            let message = exact_number(text).expect_err(text);
            assert!(message.contains(expected), "{text}: {message}");
        }
    }

    #[test]
    fn many_rows_for_one_file_are_applied_in_one_edit_as_one_at_a_time_would() {
        let text = "---\nid: m\nkind: metric\ntitle: M\ncheckins:\n  - {date: 2026-01-10, value: 1}  # first\n  - {date: 2026-01-20, value: 2}\n---\nBody\n";
        let site = site(&[("m.md", text)]);
        // Out of order, before, between and after the existing ones, one
        // replacing, one the same as recorded.
        let rows = [
            row("m", "2026-01-25", "5"),
            row("m", "2026-01-05", "3"),
            row("m", "2026-01-15", "4"),
            row("m", "2026-01-01", "6"),
            row("m", "2026-01-20", "7"),
            row("m", "2026-01-10", "1"),
        ];
        let plan = plan(&site, &rows, true).expect("a plan");
        assert_eq!(plan.files.len(), 1);
        assert_eq!(
            plan.files[0].1,
            "---\nid: m\nkind: metric\ntitle: M\ncheckins:\n  - {date: 2026-01-01, value: 6}\n  - {date: 2026-01-05, value: 3}\n  - {date: 2026-01-10, value: 1}  # first\n  - {date: 2026-01-15, value: 4}\n  - {date: 2026-01-20, value: 7}\n  - {date: 2026-01-25, value: 5}\n---\nBody\n"
        );
        // In the order given; the one already recorded is no change.
        let changes: Vec<(String, Option<f64>)> = plan
            .changes
            .iter()
            .map(|c| (c.date.to_string(), c.replaced))
            .collect();
        assert_eq!(
            changes,
            [
                ("2026-01-25".to_string(), None),
                ("2026-01-05".to_string(), None),
                ("2026-01-15".to_string(), None),
                ("2026-01-01".to_string(), None),
                ("2026-01-20".to_string(), Some(2.0)),
            ]
        );
        // Without --replace the changed value is refused, with its line, and nothing else is.
        assert_eq!(
            plan_errors(&site, &rows),
            ["m.md:7 already records 2 for 2026-01-20; pass --replace to change it to 7"]
        );
    }

    fn plan_errors(site: &Site, rows: &[Row]) -> Vec<String> {
        match plan(site, rows, false) {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        }
    }

    #[test]
    fn a_list_out_of_date_order_takes_new_rows_at_its_end_in_the_order_given() {
        let text = "---\nid: m\nkind: metric\ncheckins: [{date: 2026-02-01, value: 2}, {date: 2026-01-01, value: 1}]\n---\n";
        let site = site(&[("m.md", text)]);
        let rows = [row("m", "2026-03-01", "3"), row("m", "2026-01-15", "4")];
        let plan = plan(&site, &rows, false).expect("a plan");
        assert_eq!(
            plan.files[0].1,
            "---\nid: m\nkind: metric\ncheckins: [{date: 2026-02-01, value: 2}, {date: 2026-01-01, value: 1}, {date: 2026-03-01, value: 3}, {date: 2026-01-15, value: 4}]\n---\n"
        );
    }

    #[test]
    fn no_write_makes_a_file_longer_than_the_loader_reads() {
        // Front matter: a megabyte of check-ins is past what YAML is read.
        let items = MAX_YAML_BYTES / "{date: 2026-01-01, value: 1}".len();
        let site = site(&[("m.md", "---\nid: m\nkind: metric\ncheckins: []\n---\n")]);
        let rows: Vec<Row> = (0..items)
            .map(|i| {
                let first = parse_date("1900-01-01").expect("a date");
                let date = first
                    .checked_add(jiff::Span::new().days(i as i64))
                    .expect("a date");
                row("m", &date.to_string(), "1")
            })
            .collect();
        let errors = plan_errors(&site, &rows);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(&format!(
                "cannot add to m.md ({} rows): its front matter would be",
                group_digits(items)
            )),
            "{}",
            errors[0]
        );
        // The whole file: a body just short of the limit.
        let body = "x".repeat(MAX_FILE_BYTES as usize - 100);
        let text = format!("---\nid: m\nkind: metric\n---\n{body}");
        let site = self::site(&[("m.md", &text)]);
        let errors = plan_errors(
            &site,
            &[
                row("m", "2026-01-01", "1"),
                row("m", "2026-01-02", "2"),
                row("m", "2026-01-03", "3"),
            ],
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("the file would be 4.0 MiB, and documents may be at most 4 MiB"),
            "{}",
            errors[0]
        );
        assert!(plan(&site, &[row("m", "2026-01-01", "1")], false).is_ok());
    }

    #[test]
    fn a_refusal_shows_as_many_problems_as_check_shows_of_one_file() {
        let errors: Vec<String> = (1..=1000)
            .map(|i| format!("x.csv:{i}: bad\u{1b}"))
            .collect();
        let mut out = Vec::new();
        write_refusal(&errors, &mut out).expect("written");
        let out = String::from_utf8(out).expect("UTF-8");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), SHOWN_PER_FILE + 2, "{out}");
        assert_eq!(lines[0], "error: x.csv:1: bad\\u{1b}");
        assert_eq!(
            lines[SHOWN_PER_FILE..],
            [
                "… and 950 more problems not shown; fix these and run it again to see them",
                "nothing was written: 1,000 problems"
            ]
        );
        let mut out = Vec::new();
        write_refusal(&errors[..1], &mut out).expect("written");
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            "error: x.csv:1: bad\\u{1b}\nnothing was written: 1 problem\n"
        );
    }

    #[test]
    fn csv_fields_are_read_as_rfc_4180_quotes_them() {
        let text = "\u{feff}Date,metric,Value,source\r\n2026-01-01,m-a,\"1,5\",\"say \"\"hi\"\"\"\r\n\r\n\"2026-01-02\",m-b,2,\"two\nlines\"\r\n2026-01-03,m-c,3,x\n";
        let rows = read_csv("x.csv", text).expect("reads");
        let got: Vec<(String, String, String, String)> = rows
            .into_iter()
            .map(|r| (r.origin, r.metric, r.date, r.value))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "x.csv:2".into(),
                    "m-a".into(),
                    "2026-01-01".into(),
                    "1,5".into()
                ),
                (
                    "x.csv:4".into(),
                    "m-b".into(),
                    "2026-01-02".into(),
                    "2".into()
                ),
                (
                    "x.csv:6".into(),
                    "m-c".into(),
                    "2026-01-03".into(),
                    "3".into()
                ),
            ]
        );
    }

    #[test]
    fn malformed_csv_is_refused_with_its_line() {
        assert_eq!(
            read_csv("x.csv", "metric,date\nm,2026-01-01\n"),
            Err(vec!["x.csv:1: the first row must name the columns `metric`, `date` and `value` (it reads `metric,date`)".to_string()])
        );
        // An unclosed quote would swallow every row after it; a stray one
        // is a field written wrong. Either is named with its line, CRLF or not.
        let stray = "a quoted field is never closed, or a quote stands inside a field that is not quoted; quote the whole field and write a quote inside it as `\"\"`";
        for (text, line) in [
            (
                "metric,date,value\nm,2026-01-01,1\nm,\"2026-01-02,1\nm,2026-01-03,1\n",
                3,
            ),
            (
                "metric,date,value\r\n\r\nm,2026-01-01,1\r\nm,2026-01-02,\"1\r\nm,2026-01-03,1\r\n",
                4,
            ),
            ("metric,date,value\nm,2026-01-01,1\nm,2026-01-02,1\"\n", 3),
        ] {
            assert_eq!(
                read_csv("x.csv", text),
                Err(vec![format!("x.csv:{line}: {stray}")]),
                "{text:?}"
            );
        }
        assert_eq!(
            read_csv(
                "x.csv",
                "metric,date,value\nm,2026-01-01\nm,2026-01-02,1,2\n"
            ),
            Err(vec![
                "x.csv:2: 2 fields where the header has 3".to_string(),
                "x.csv:3: 4 fields where the header has 3".to_string()
            ])
        );
        assert!(read_csv("x.csv", "").is_err());
    }
}
