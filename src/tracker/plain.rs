//! A plain table for any other tool: the columns
//! `id,title,status,parent,owner,team,url,quarter,source` (only `id`,
//! `title` and `status` needed), a row per item.

use super::{parse_any_date, Item, Named, Reader};
use crate::date::Quarter;

const HINT: &str = "write a header `id,title,status,parent,owner,team,url,quarter,source`; `id`, `title` and `status` are needed";

/// Reads the CSV from byte `start`.
pub(super) fn read(reader: &mut Reader<'_>, start: usize) {
    reader.csv_rows(start, &["id", "title", "status"], HINT, |reader, row| {
        let Some(key) = row.get("id").map(str::to_string) else {
            reader.skip(row.span, "this row has no `id`".to_string(), HINT);
            return;
        };
        let status = row.get("status").unwrap_or("");
        let Some(state) = reader.state(status) else {
            reader.skip(
                reader.find_in(row.range.clone(), status),
                format!("{key} has the unknown status `{status}`"),
                "write to-do, in-progress, done or canceled, or map it under this export's `status_map:`",
            );
            return;
        };
        let quarter = match row.get("quarter") {
            None => None,
            Some(q) => match Quarter::parse(q) {
                Some(q) => Some(q),
                None => {
                    reader.skip(
                        reader.find_in(row.range.clone(), q),
                        format!("{key} has the quarter `{q}`, which is not a quarter"),
                        "write quarters as YYYY-Qn, e.g. 2027-Q1",
                    );
                    return;
                }
            },
        };
        let source = row.get("source").map(str::to_lowercase);
        let unplanned = match source.as_deref() {
            None | Some("planned") => false,
            Some("unplanned" | "incident" | "stakeholder-request") => true,
            Some(other) => {
                let other = other.to_string();
                reader.skip(
                    reader.find_in(row.range.clone(), &other),
                    format!("{key} has the source `{other}`"),
                    "write planned, unplanned, incident or stakeholder-request",
                );
                return;
            }
        };
        let title = row.get("title").unwrap_or("").to_string();
        let mut names: Vec<Named> = row
            .get("parent")
            .map(|p| Named {
                id: p.to_string(),
                span: reader.find_in(row.range.clone(), p),
            })
            .into_iter()
            .collect();
        names.extend(reader.names(row.range.clone(), Vec::new(), &[&title]));
        let item = Item {
            url: row.get("url").map(str::to_string).or_else(|| reader.url_for(&key)),
            groups: vec![key.to_lowercase()],
            key,
            title,
            state,
            owner: row.get("owner").map(str::to_string),
            team: row.get("team").map(str::to_string).or_else(|| reader.team(None)),
            quarter,
            date: row.get("date").and_then(parse_any_date),
            unplanned,
            estimate: None,
            names,
            parent_key: None,
            span: row.span,
        };
        reader.push(item);
    });
}
