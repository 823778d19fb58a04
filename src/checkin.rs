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

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::date::{parse_date, Date};
use crate::edit::{insert_list_item, list_field, set_item_field};
use crate::site::Site;
use crate::source::split_front_matter;
use crate::text::{format_number, suggest};
use crate::yaml::parse_front_matter;

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
}

/// Every change of a run and the files to write, ready to be written.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The changes, in the order given.
    pub changes: Vec<Change>,
    /// Each edited file and its new text, in path order.
    pub files: Vec<(PathBuf, String)>,
}

/// A validated row.
struct Valid {
    metric: usize,
    date: Date,
    value: f64,
}

/// The plan for `rows` in `site`, or every problem found (each prefixed by
/// its row's origin); nothing is written either way.
pub fn plan(site: &Site, rows: &[Row], replace: bool) -> Result<Plan, Vec<String>> {
    // (row, message): every row is judged, then the messages are given in row order.
    let mut errors: Vec<(usize, String)> = Vec::new();
    let mut valid: Vec<(usize, Valid)> = Vec::new();
    // Two rows for one metric and date would make the result depend on row order.
    let mut seen: HashMap<(usize, Date), String> = HashMap::new();
    for (r, row) in rows.iter().enumerate() {
        match validate(site, row) {
            Ok(v) => {
                if let Some(first) = seen.get(&(v.metric, v.date)) {
                    let message = format!(
                        "`{}` is given a second value for {} (the first is at {first})",
                        row.metric, v.date
                    );
                    errors.push((r, at(&row.origin, message)));
                } else {
                    let first = if row.origin.is_empty() {
                        "the command line".to_string()
                    } else {
                        row.origin.clone()
                    };
                    seen.insert((v.metric, v.date), first);
                    valid.push((r, v));
                }
            }
            Err(message) => errors.push((r, at(&row.origin, message))),
        }
    }
    // Group by file, keeping the given order within each.
    let mut by_doc: BTreeMap<usize, Vec<(usize, &Valid)>> = BTreeMap::new();
    for (r, v) in &valid {
        by_doc.entry(v.metric).or_default().push((*r, v));
    }
    let mut changes: Vec<(usize, Change)> = Vec::new();
    let mut files = Vec::new();
    for (&doc, doc_rows) in &by_doc {
        let d = &site.docs[doc];
        let source = &site.sources[d.source];
        let mut text = source.text.clone();
        let mut changed = false;
        for &(r, row) in doc_rows {
            match apply(&text, &d.file, row, replace) {
                Ok(Some((new_text, replaced))) => {
                    text = new_text;
                    changed = true;
                    changes.push((
                        r,
                        Change {
                            metric: d.id.clone(),
                            file: d.file.clone(),
                            date: row.date,
                            value: row.value,
                            replaced,
                        },
                    ));
                }
                // The same value on the same date: nothing to do.
                Ok(None) => {}
                Err(message) => errors.push((r, at(&rows[r].origin, message))),
            }
        }
        if changed {
            files.push((source.abs_path.clone(), text));
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

fn at(origin: &str, message: String) -> String {
    if origin.is_empty() {
        message
    } else {
        format!("{origin}: {message}")
    }
}

/// Checks that the row names a metric whose front matter can be edited, and
/// holds a date and a finite number.
fn validate(site: &Site, row: &Row) -> Result<Valid, String> {
    let id = row.metric.trim();
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
    let date_text = row.date.trim();
    let date = parse_date(date_text)
        .ok_or_else(|| format!("`{date_text}` is not a date; write it as YYYY-MM-DD"))?;
    let value_text = row.value.trim();
    let value = match value_text.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        Ok(_) => return Err(format!("`{value_text}` is not a finite number")),
        Err(_) if value_text.contains(',') => {
            return Err(format!(
                "`{value_text}` is not a number; write it without thousands separators and with a `.` for decimals"
            ))
        }
        Err(_) => return Err(format!("`{value_text}` is not a number")),
    };
    Ok(Valid {
        metric: doc,
        date,
        value,
    })
}

/// `text` with the check-in of `row` added (or replaced); `None` when it
/// already holds that value on that date; the value replaced, if any.
#[allow(clippy::type_complexity)]
fn apply(
    text: &str,
    file: &str,
    row: &Valid,
    replace: bool,
) -> Result<Option<(String, Option<f64>)>, String> {
    let cannot = |why: String| format!("cannot add to {file}: {why}");
    let before = front_matter_map(text).map_err(cannot)?;
    let existing: Vec<Value> = match before.get("checkins") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err(cannot("`checkins:` is not a list".into())),
    };
    let field = list_field(text, "checkins").map_err(|e| cannot(e.0))?;
    if field.items.len() != existing.len() {
        return Err(cannot(format!(
            "cannot tell where its {} check-ins are written; add this one by hand",
            existing.len()
        )));
    }
    let dates: Vec<Option<Date>> = existing
        .iter()
        .map(|item| {
            item.get("date")
                .and_then(Value::as_str)
                .and_then(parse_date)
        })
        .collect();
    let same: Vec<usize> = (0..dates.len())
        .filter(|&i| dates[i] == Some(row.date))
        .collect();
    let written = format_number(row.value);
    let (new_text, expected, replaced) = match same.as_slice() {
        [] => {
            let in_order =
                dates.iter().all(Option::is_some) && dates.windows(2).all(|w| w[0] <= w[1]);
            let index = if in_order {
                dates.partition_point(|d| d.is_some_and(|d| d < row.date))
            } else {
                existing.len()
            };
            let fields = [("date", row.date.to_string()), ("value", written.clone())];
            let new_text =
                insert_list_item(text, "checkins", index, &fields).map_err(|e| cannot(e.0))?;
            let mut expected = existing.clone();
            let mut item = Map::new();
            item.insert("date".into(), Value::String(row.date.to_string()));
            item.insert("value".into(), number(row.value));
            expected.insert(index, Value::Object(item));
            (new_text, expected, None)
        }
        [i] => {
            let old = existing[*i].get("value").and_then(Value::as_f64);
            if old == Some(row.value) {
                return Ok(None);
            }
            let line = line_of(text, field.items[*i].start);
            if !replace {
                let old = old.map_or_else(|| "no value".to_string(), format_number);
                return Err(format!(
                    "{file}:{line} already records {old} for {}; pass --replace to change it to {written}",
                    row.date
                ));
            }
            let new_text = set_item_field(text, "checkins", *i, "value", &written)
                .map_err(|e| cannot(format!("line {line}: {}", e.0)))?;
            let mut expected = existing.clone();
            if let Some(Value::Object(item)) = expected.get_mut(*i) {
                item.insert("value".into(), number(row.value));
            }
            (new_text, expected, old)
        }
        [first, ..] => {
            return Err(format!(
                "{file}:{} and :{} both record {}; remove one by hand first",
                line_of(text, field.items[*first].start),
                line_of(text, field.items[same[1]].start),
                row.date
            ))
        }
    };
    // Read back what was written: the same fields, and the check-ins meant.
    let mut after = front_matter_map(&new_text).map_err(|e| {
        cannot(format!(
            "the edited front matter would not read back ({e}); add this one by hand"
        ))
    })?;
    let mut before = before;
    let got = after.remove("checkins");
    before.remove("checkins");
    let same_items = got.as_ref().and_then(Value::as_array).is_some_and(|got| {
        got.len() == expected.len()
            && got.iter().zip(&expected).all(|(g, e)| {
                g.get("date") == e.get("date")
                    && g.get("value").and_then(Value::as_f64)
                        == e.get("value").and_then(Value::as_f64)
                    && g.as_object().map(Map::len) == e.as_object().map(Map::len)
            })
    });
    if after != before || !same_items {
        return Err(cannot(
            "its `checkins:` is written in a way this command cannot edit safely; add this one by hand"
                .into(),
        ));
    }
    Ok(Some((new_text, replaced)))
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

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
}

/// The rows of a CSV export with a header row naming (in any order) the
/// columns `metric`, `date` and `value`; other columns are ignored. Fields
/// may be quoted as RFC 4180 says (`"1,5"`, `""` for a quote, line breaks
/// inside quotes). `name` is used in each row's origin; every problem is
/// returned with its line.
pub fn read_csv(name: &str, text: &str) -> Result<Vec<Row>, Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = parse_csv(text).map_err(|(line, m)| vec![format!("{name}:{line}: {m}")])?;
    let mut records = records.into_iter();
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
            header.join(",")
        )]);
    };
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
            metric: fields[m].clone(),
            date: fields[d].clone(),
            value: fields[v].clone(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The records of `text` with the line each starts on; blank lines are skipped.
#[allow(clippy::type_complexity)]
fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, (usize, String)> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    loop {
        let start_line = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut ended = false;
        loop {
            let Some(c) = chars.next() else {
                ended = true;
                break;
            };
            match c {
                '"' if field.trim().is_empty() => {
                    field.clear();
                    let quote_line = line;
                    loop {
                        match chars.next() {
                            Some('"') if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            Some('"') => break,
                            Some(c) => {
                                if c == '\n' {
                                    line += 1;
                                }
                                field.push(c);
                            }
                            None => {
                                return Err((
                                    quote_line,
                                    "a quoted field is never closed".to_string(),
                                ))
                            }
                        }
                    }
                    // Only blanks may follow a closing quote before the separator.
                    while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                        chars.next();
                    }
                    if !matches!(chars.peek(), None | Some(',' | '\r' | '\n')) {
                        return Err((
                            line,
                            "text after a closing quote; write a quote inside a quoted field as `\"\"`"
                                .to_string(),
                        ));
                    }
                }
                ',' => fields.push(std::mem::take(&mut field)),
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    line += 1;
                    break;
                }
                c => field.push(c),
            }
        }
        fields.push(field);
        let blank = fields.len() == 1 && fields[0].trim().is_empty();
        if !blank {
            records.push((start_line, fields));
        }
        if ended {
            return Ok(records);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            read_csv("x.csv", "metric,date,value\nm,\"2026-01-01,1\n"),
            Err(vec!["x.csv:2: a quoted field is never closed".to_string()])
        );
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
