//! Linear's CSV export (Settings → Import / Export → Export CSV): `ID`,
//! `Title`, `Status`, `Assignee`, `Labels` (comma-separated in one
//! column), `Cycle Start`, `Project`, `Parent issue`, `Completed`,
//! `Canceled`; dates as JavaScript writes them.

use super::{parse_any_date, parse_estimate, Item, Reader};
use crate::config::WorkState;
use crate::date::Quarter;

const HINT: &str =
    "make it again with Linear's Export CSV; the columns `ID`, `Title` and `Status` are needed";

/// Reads the CSV from byte `start`.
pub(super) fn read(reader: &mut Reader<'_>, start: usize) {
    reader.csv_rows(start, &["ID", "Title", "Status"], HINT, |reader, row| {
        let Some(key) = row.get("ID").map(str::to_string) else {
            reader.skip(row.span, "this row has no `ID`".to_string(), HINT);
            return;
        };
        // A cancelation or completion date is the surest word on the state.
        let state = if row.get("Canceled").is_some() {
            Some(WorkState::Canceled)
        } else if row.get("Completed").is_some() {
            Some(WorkState::Done)
        } else {
            row.get("Status").and_then(|s| reader.state(s))
        };
        let Some(state) = state else {
            let status = row.get("Status").unwrap_or("");
            reader.skip(
                reader.find_in(row.range.clone(), status),
                format!("{key} has the unknown status `{status}`"),
                "map it under this export's `status_map:` (to-do, in-progress, done or canceled)",
            );
            return;
        };
        let labels: Vec<&str> = row.all("Labels").flat_map(|l| l.split(',')).collect();
        let (unplanned, label_ids) = reader.labels(labels.iter().copied());
        let title = row.get("Title").unwrap_or("").to_string();
        let description = row.get("Description").unwrap_or("");
        let names = reader.names(row.range.clone(), label_ids, &[&title, description]);
        let parent_key = row.get("Parent issue").map(str::to_string);
        let mut groups = vec![key.to_lowercase()];
        if let Some(p) = &parent_key {
            groups.push(p.to_lowercase());
        }
        if let Some(p) = row.get("Project") {
            groups.push(format!("project:{}", p.to_lowercase()));
        }
        let date = row
            .get("Completed")
            .or(row.get("Canceled"))
            .and_then(parse_any_date)
            .or_else(|| row.get("Created").and_then(parse_any_date));
        let item = Item {
            url: reader.url_for(&key),
            key,
            title,
            state,
            owner: row.get("Assignee").map(str::to_string),
            team: reader.team(row.get("Team")),
            quarter: row
                .get("Cycle Start")
                .or(row.get("Cycle End"))
                .and_then(parse_any_date)
                .map(Quarter::of),
            date,
            unplanned,
            estimate: row.get("Estimate").and_then(parse_estimate),
            names,
            groups,
            parent_key,
            span: row.span,
        };
        reader.push(item);
    });
}
