//! Jira: "Export → CSV (all fields)" (a column per value of a multi-valued
//! field: several `Labels`, several `Sprint`; `Parent` as the numeric
//! `Issue id`) and the REST search JSON (`/rest/api/2/search`, pages one
//! after another).

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{parse_any_date, parse_estimate, Item, Reader, Row};
use crate::config::WorkState;
use crate::date::Quarter;
use crate::diagnostics::Severity;

const CSV_HINT: &str = "make it again with Jira's Export → CSV (all fields); the columns `Issue key`, `Summary` and `Status` are needed";

/// Reads the CSV from byte `start`.
pub(super) fn read_csv(reader: &mut Reader<'_>, start: usize) {
    // `Parent` is the parent's numeric `Issue id`, which may come on a later row.
    let mut keys_by_id: std::collections::HashMap<String, String> =
        std::collections::HashMap::new();
    let mut parents: Vec<Option<String>> = Vec::new();
    reader.csv_rows(start, &["Issue key", "Summary", "Status"], CSV_HINT, |reader, row| {
        let Some(key) = row.get("Issue key").map(str::to_string) else {
            reader.skip(row.span, "this row has no `Issue key`".to_string(), CSV_HINT);
            return;
        };
        let Some(state) = state_of(reader, row) else {
            let status = row.get("Status").unwrap_or("");
            reader.skip(
                reader.find_in(row.range.clone(), status),
                format!("{key} has the unknown status `{status}`"),
                "map it under this export's `status_map:` (to-do, in-progress, done or canceled), or export `Status Category` too",
            );
            return;
        };
        if let Some(id) = row.get("Issue id") {
            keys_by_id.insert(id.to_string(), key.clone());
        }
        let labels: Vec<&str> = row.all("Labels").collect();
        let (unplanned, label_ids) = reader.labels(labels.iter().copied());
        let title = row.get("Summary").unwrap_or("").to_string();
        let description = row.get("Description").unwrap_or("");
        let names = reader.names(row.range.clone(), label_ids, &[&title, description]);
        let epic = row.get("Custom field (Epic Link)").map(str::to_string);
        let parent = row.get("Parent key").or(row.get("Parent")).map(str::to_string);
        let date = row
            .get("Resolved")
            .and_then(parse_any_date)
            .or_else(|| row.get("Created").and_then(parse_any_date));
        let mut groups = vec![key.to_lowercase()];
        if let Some(e) = &epic {
            groups.push(e.to_lowercase());
        }
        let item = Item {
            url: reader.url_for(&key),
            key,
            title,
            state,
            owner: row.get("Assignee").map(str::to_string),
            team: reader.team(row.get("Team").or(row.get("Custom field (Team)"))),
            quarter: row.all("Sprint").find_map(quarter_in_name),
            date,
            unplanned,
            estimate: row
                .get("Custom field (Story Points)")
                .or(row.get("Custom field (Story point estimate)"))
                .and_then(parse_estimate),
            names,
            groups,
            parent_key: epic,
            span: row.span,
        };
        parents.push(parent);
        reader.push(item);
    });
    // A parent written as a numeric id becomes its key; one written as a
    // key (`Parent key`, some instances' `Parent`) stays.
    for (item, parent) in reader.export.items.iter_mut().zip(parents) {
        let Some(parent) = parent else { continue };
        let key = match keys_by_id.get(&parent) {
            Some(key) => key.clone(),
            None if parent.bytes().all(|b| b.is_ascii_digit()) => continue,
            None => parent,
        };
        item.groups.push(key.to_lowercase());
        item.parent_key = Some(key);
    }
}

/// An item's state: `status_map:` or the built-in names for its `Status`,
/// else its `Status Category` (To Do, In Progress, Done).
fn state_of(reader: &Reader<'_>, row: &Row<'_>) -> Option<WorkState> {
    row.get("Status")
        .and_then(|s| reader.state(s))
        .or_else(|| row.get("Status Category").and_then(|c| reader.state(c)))
}

/// A quarter written in a sprint's name (`Payments 2026-Q1 #3`).
fn quarter_in_name(name: &str) -> Option<Quarter> {
    name.match_indices("-Q").find_map(|(at, _)| {
        let begin = at.checked_sub(4)?;
        Quarter::parse(name.get(begin..at + 3)?)
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Page<'a> {
    #[serde(borrow)]
    issues: Vec<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Issue {
    key: Option<String>,
    #[serde(rename = "self")]
    self_url: Option<String>,
    fields: Fields,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Fields {
    summary: Option<String>,
    status: Option<Status>,
    labels: Vec<String>,
    assignee: Option<Person>,
    parent: Option<Parent>,
    created: Option<String>,
    resolutiondate: Option<String>,
    description: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Status {
    name: Option<String>,
    #[serde(rename = "statusCategory")]
    category: Option<Category>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Category {
    key: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Person {
    #[serde(rename = "displayName")]
    display_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Parent {
    key: Option<String>,
}

/// Reads the REST search JSON from byte `start`.
pub(super) fn read_json(reader: &mut Reader<'_>, start: usize) {
    let text = reader.text;
    let body = &text[start..];
    let mut elements: Vec<&RawValue> = Vec::new();
    for page in serde_json::Deserializer::from_str(body).into_iter::<Page<'_>>() {
        match page {
            Ok(page) => elements.extend(page.issues),
            Err(e) => {
                let span = super::github::json_position(reader, start, body, e.line(), e.column());
                reader.note(
                    Severity::Error,
                    span,
                    format!("the export is not Jira's search JSON: {}; it is not used", super::github::strip_position(&e)),
                    "save the response of `/rest/api/2/search` (or `/rest/api/3/search/jql`) as it comes".to_string(),
                );
                reader.export.items.clear();
                return;
            }
        }
    }
    for raw in elements {
        let at = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        let range = at..at + raw.get().len();
        let span = reader.span_at(at, 1);
        let issue: Issue = match serde_json::from_str(raw.get()) {
            Ok(issue) => issue,
            Err(e) => {
                let span =
                    super::github::json_position(reader, at, raw.get(), e.line(), e.column());
                reader.skip(
                    span,
                    format!(
                        "this issue cannot be read: {}",
                        super::github::strip_position(&e)
                    ),
                    "an issue has `key` and `fields`",
                );
                continue;
            }
        };
        let Some(key) = issue.key.clone().filter(|k| !k.trim().is_empty()) else {
            reader.skip(
                span,
                "this issue has no `key`".to_string(),
                "an issue has `key` and `fields`",
            );
            continue;
        };
        let f = &issue.fields;
        let status = f.status.as_ref();
        let state = status
            .and_then(|s| s.name.as_deref())
            .and_then(|n| reader.state(n))
            .or_else(|| {
                status
                    .and_then(|s| s.category.as_ref())
                    .and_then(|c| c.key.as_deref())
                    .and_then(|k| reader.state(k))
            });
        let Some(state) = state else {
            let name = status.and_then(|s| s.name.clone()).unwrap_or_default();
            reader.skip(
                span,
                format!("{key} has the unknown status `{name}`"),
                "map it under this export's `status_map:` (to-do, in-progress, done or canceled)",
            );
            continue;
        };
        let (unplanned, label_ids) = reader.labels(f.labels.iter().map(String::as_str));
        let title = f.summary.clone().unwrap_or_default();
        let description = match &f.description {
            Some(serde_json::Value::String(s)) => s.as_str(),
            _ => "",
        };
        let names = reader.names(range, label_ids, &[&title, description]);
        let parent_key = f.parent.as_ref().and_then(|p| p.key.clone());
        let mut groups = vec![key.to_lowercase()];
        if let Some(p) = &parent_key {
            groups.push(p.to_lowercase());
        }
        let url = reader.url_for(&key).or_else(|| {
            let self_url = issue.self_url.as_deref()?;
            let at = self_url.find("/rest/")?;
            Some(format!("{}/browse/{key}", &self_url[..at]))
        });
        let item = Item {
            url,
            title,
            state,
            owner: f.assignee.as_ref().and_then(|a| a.display_name.clone()),
            team: reader.team(None),
            quarter: None,
            date: f
                .resolutiondate
                .as_deref()
                .and_then(parse_any_date)
                .or_else(|| f.created.as_deref().and_then(parse_any_date)),
            unplanned,
            estimate: None,
            names,
            groups,
            parent_key,
            span,
            key,
        };
        reader.push(item);
    }
}
