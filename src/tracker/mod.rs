//! Issue trackers' exports (`trackers:` in the config): GitHub, Jira,
//! Linear and a plain CSV, each read as its tool writes it into [`Item`]s,
//! which the site joins to its documents as work items
//! (`crate::site`). One export at a time; it knows no document.
//!
//! An export is read from the root like a document (no link out of it
//! followed, no FIFO opened) but with its own limit, [`MAX_EXPORT_BYTES`]:
//! a year of a large tracker is tens of megabytes. Its items are parsed one
//! at a time, and a bad item is a `tracker-export` warning at its place
//! that skips it alone; an export that cannot be read as its format is an
//! error, and none of it is used.

mod github;
mod jira;
mod join;
mod linear;
mod plain;

use std::path::Path;

pub use join::join;

use crate::config::{TrackerConfig, TrackerFormat, WorkState};
use crate::date::{Date, Quarter};
use crate::diagnostics::{Diagnostic, Severity, Span};
use crate::model::Status;
use crate::source::{NotRead, RootGuard};
use crate::text::LineIndex;

/// The largest export read, in bytes.
pub const MAX_EXPORT_BYTES: u64 = 256 * 1024 * 1024;

/// The rule id of every finding about an export.
pub const RULE: &str = "tracker-export";

/// What an item names as what it serves, with where it says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The id as written (`obj-a`, `PAY-12`).
    pub id: String,
    /// Where in the export.
    pub span: Span,
}

/// One issue of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The tracker's key as it shows it: `PAY-42`, `acme/app#123`.
    pub key: String,
    /// The title.
    pub title: String,
    /// Where the tracker's status puts it.
    pub state: WorkState,
    /// The assignee's name, if any.
    pub owner: Option<String>,
    /// The team id, if the export or its entry names one.
    pub team: Option<String>,
    /// The tracker's page for it.
    pub url: Option<String>,
    /// Its quarter from its sprint, cycle or milestone dates (or the plain
    /// table's `quarter` column).
    pub quarter: Option<Quarter>,
    /// When it was resolved, else created: the quarter of an item that
    /// names nothing, and how recent it is.
    pub date: Option<Date>,
    /// Whether a label (`unplanned_labels`) or the `source` column says it
    /// was not planned.
    pub unplanned: bool,
    /// Its estimate (story points, Linear's estimate), where the export has one.
    pub estimate: Option<f64>,
    /// The documents it names: `tl:` labels first, then `[[id]]` in its
    /// title or body.
    pub names: Vec<Named>,
    /// What `tracks:` may name to own it: its own key, its parent's and
    /// epic's keys, `milestone:NAME`, `project:NAME`; each lowercase.
    pub groups: Vec<String>,
    /// The key of its parent issue or epic, if any, for `tracks:` of a key
    /// to own the items below it.
    pub parent_key: Option<String>,
    /// Where the item is written in the export.
    pub span: Span,
}

/// What one export gave: its items and what is wrong in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Export {
    /// The export, relative to the root.
    pub file: String,
    /// The format read.
    pub format: Option<TrackerFormat>,
    /// The items, in the export's order.
    pub items: Vec<Item>,
    /// Findings about it, at their places in it.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the export `entry` names, below `root`.
pub fn read(root: &Path, guard: &RootGuard, entry: &TrackerConfig) -> Export {
    let abs = root.join(&entry.file);
    let fail = |message: String, hint: &str| Export {
        file: entry.file.clone(),
        diagnostics: vec![
            Diagnostic::error(RULE, entry.file.clone(), Span::file_start(), message)
                .with_hint(hint.to_string()),
        ],
        ..Export::default()
    };
    // An export that is missing, or a link out of the site, is no file the
    // site has: the finding points at `file:` in the config instead.
    let at_config = |message: String, hint: &str| Export {
        file: entry.file.clone(),
        diagnostics: vec![Diagnostic::error(
            RULE,
            crate::config::CONFIG_FILE,
            entry.file_span,
            message,
        )
        .with_hint(hint.to_string())],
        ..Export::default()
    };
    let real = match guard.admit(&entry.file, &abs) {
        Ok(real) => real,
        Err(d) if d.rule == "skipped-file" => {
            return at_config(
                format!("the export `{}` is a link out of the site; it is not read", entry.file),
                "copy the export into the site: throughline reads nothing outside its root",
            )
        }
        Err(_) => {
            return at_config(
                format!("the export `{}` does not exist or cannot be read", entry.file),
                "make the export with the command in the guide (docs/guide.md, \"Work from trackers\"), or fix `file:` under `trackers:`",
            )
        }
    };
    match crate::source::read_regular(&real, MAX_EXPORT_BYTES) {
        Ok(bytes) => parse(&entry.file, bytes, entry),
        Err(NotRead::Io(e)) => fail(
            format!("the export `{}` cannot be read: {e}", entry.file),
            "check its permissions and that it is a file",
        ),
        Err(NotRead::Special(kind)) => fail(
            format!("the export `{}` is {kind}, not a regular file; it is not read", entry.file),
            "point `file:` at the export itself",
        ),
        Err(NotRead::TooLarge(len)) => fail(
            format!(
                "the export is {:.1} MiB; exports may be at most {} MiB",
                len as f64 / 1_048_576.0,
                MAX_EXPORT_BYTES / 1_048_576
            ),
            "export fewer issues (a narrower query, recent quarters only) or split the export into several `trackers:` entries",
        ),
    }
}

/// Parses an export's bytes (read from `file`) as `entry` says.
pub fn parse(file: &str, bytes: Vec<u8>, entry: &TrackerConfig) -> Export {
    let mut export = Export {
        file: file.to_string(),
        ..Export::default()
    };
    let text = match crate::text::utf8(bytes) {
        Ok(text) => text,
        Err(bad) => {
            export.diagnostics.push(
                Diagnostic::error(
                    RULE,
                    file,
                    bad.span,
                    format!("the export is not valid UTF-8 ({bad}); it is not used"),
                )
                .with_hint("save or export it again as UTF-8"),
            );
            return export;
        }
    };
    // Positions count from after a byte-order mark, as in documents.
    let text = crate::source::without_bom(text);
    let body = text.as_str();
    let mut reader = Reader {
        file,
        text: &text,
        lines: LineIndex::new(&text),
        entry,
        export: &mut export,
    };
    let format = match entry.format {
        Some(f) => f,
        None => match detect(body) {
            Some(f) => {
                reader.note(
                    Severity::Info,
                    Span::file_start(),
                    format!(
                        "read as a {} export (detected from its content)",
                        f.as_str()
                    ),
                    format!(
                        "to say so, add `format: {}` to this export's entry under `trackers:`",
                        f.as_str()
                    ),
                );
                f
            }
            None => {
                reader.note(
                    Severity::Error,
                    Span::file_start(),
                    "the export's format cannot be told from its content; it is not used"
                        .to_string(),
                    format!(
                        "name it with `format:` under `trackers:` ({})",
                        TrackerFormat::ALL.join(", ")
                    ),
                );
                return export;
            }
        },
    };
    reader.export.format = Some(format);
    let start = 0;
    match format {
        TrackerFormat::Github => github::read(&mut reader, start),
        TrackerFormat::Jira if body.trim_start().starts_with('{') => {
            jira::read_json(&mut reader, start)
        }
        TrackerFormat::Jira => jira::read_csv(&mut reader, start),
        TrackerFormat::Linear => linear::read(&mut reader, start),
        TrackerFormat::Csv => plain::read(&mut reader, start),
    }
    export
}

/// Tells an export's format from its first bytes and its header.
fn detect(text: &str) -> Option<TrackerFormat> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return Some(TrackerFormat::Github);
    }
    if trimmed.starts_with('{') {
        return trimmed
            .get(..trimmed.len().min(4096))
            .is_some_and(|head| head.contains("\"issues\""))
            .then_some(TrackerFormat::Jira);
    }
    let header = text.lines().next().unwrap_or("");
    let columns: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect();
    let has = |name: &str| columns.iter().any(|c| c == name);
    if has("Issue key") {
        Some(TrackerFormat::Jira)
    } else if has("ID") && has("Title") && (has("Cycle Name") || has("Parent issue")) {
        Some(TrackerFormat::Linear)
    } else if has("id") && has("title") {
        Some(TrackerFormat::Csv)
    } else {
        None
    }
}

/// The state of an export being read: where findings go and how positions are told.
pub(crate) struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    lines: LineIndex,
    entry: &'a TrackerConfig,
    export: &'a mut Export,
}

impl Reader<'_> {
    /// The span of `len` bytes at byte `offset` of the export.
    fn span_at(&self, offset: usize, len: usize) -> Span {
        self.lines.span(self.text, offset, len)
    }

    /// A finding at `span`.
    fn note(&mut self, severity: Severity, span: Span, message: String, hint: String) {
        self.export
            .diagnostics
            .push(Diagnostic::new(RULE, severity, self.file, span, message).with_hint(hint));
    }

    /// A bad item: a warning, and the item is skipped.
    fn skip(&mut self, span: Span, message: String, hint: &str) {
        self.note(
            Severity::Warning,
            span,
            format!("{message}; the item is skipped"),
            hint.to_string(),
        );
    }

    /// The state `status` (a tracker's status name or category) maps to:
    /// the entry's `status_map:` first, then the names trackers ship with.
    fn state(&self, status: &str) -> Option<WorkState> {
        let name = status.trim().to_lowercase();
        if let Some(&state) = self.entry.status_map.get(&name) {
            return Some(state);
        }
        builtin_state(&name)
    }

    /// An item's team: the export's name through `team_map:`, else the entry's `team:`.
    fn team(&self, named: Option<&str>) -> Option<String> {
        let named = named.map(str::trim).filter(|n| !n.is_empty());
        named
            .and_then(|n| self.entry.team_map.get(n).cloned())
            .or_else(|| self.entry.team.clone())
    }

    /// The tracker's page for `key` when the export carries no link: the entry's `url:` and the key.
    fn url_for(&self, key: &str) -> Option<String> {
        self.entry.url.as_ref().map(|base| format!("{base}{key}"))
    }

    /// Whether any of `labels` is unplanned, and the ids its `tl:` labels name.
    fn labels<'l>(&self, labels: impl IntoIterator<Item = &'l str>) -> (bool, Vec<String>) {
        let mut unplanned = false;
        let mut ids = Vec::new();
        for label in labels {
            let label = label.trim();
            if let Some(id) = label.strip_prefix(self.entry.label_prefix.as_str()) {
                if !id.trim().is_empty() {
                    ids.push(id.trim().to_string());
                }
            } else if self
                .entry
                .unplanned_labels
                .iter()
                .any(|u| u.eq_ignore_ascii_case(label))
            {
                unplanned = true;
            }
        }
        (unplanned, ids)
    }

    /// Where `needle` is written within `within` (a byte range of the
    /// export), else the range's start: a label's place in its item.
    fn find_in(&self, within: std::ops::Range<usize>, needle: &str) -> Span {
        let hay = self.text.get(within.clone()).unwrap_or("");
        match memchr::memmem::find(hay.as_bytes(), needle.as_bytes()) {
            Some(at) => self.span_at(within.start + at, needle.len()),
            None => self.span_at(within.start, 0),
        }
    }

    /// Names an item's `tl:` labels and `[[id]]`s give, each at its place in `within`.
    fn names(
        &self,
        within: std::ops::Range<usize>,
        label_ids: Vec<String>,
        texts: &[&str],
    ) -> Vec<Named> {
        let mut names: Vec<Named> = label_ids
            .into_iter()
            .map(|id| Named {
                span: self.find_in(within.clone(), &format!("{}{id}", self.entry.label_prefix)),
                id,
            })
            .collect();
        for text in texts {
            for id in wikilinks(text) {
                if names.iter().all(|n| n.id != id) {
                    names.push(Named {
                        span: self.find_in(within.clone(), &format!("[[{id}")),
                        id: id.to_string(),
                    });
                }
            }
        }
        names
    }

    /// Adds an item.
    fn push(&mut self, mut item: Item) {
        // The link goes into pages' `href`s: only an http(s) address passes.
        item.url = item.url.and_then(|u| crate::config::repo_url(&u).ok());
        self.export.items.push(item);
    }
}

/// The built-in names of trackers' statuses and status categories (lowercase).
fn builtin_state(name: &str) -> Option<WorkState> {
    Some(match name {
        "to do"
        | "todo"
        | "open"
        | "backlog"
        | "new"
        | "triage"
        | "selected for development"
        | "ready"
        | "planned"
        | "proposed"
        | "committed" => WorkState::ToDo,
        "in progress" | "in-progress" | "indeterminate" | "in review" | "review" | "started"
        | "doing" | "blocked" | "discovery" => WorkState::InProgress,
        "done" | "closed" | "resolved" | "completed" | "complete" | "fixed" => WorkState::Done,
        "canceled" | "cancelled" | "won't do" | "wont do" | "won't fix" | "duplicate"
        | "not_planned" | "not planned" | "dropped" | "rejected" => WorkState::Canceled,
        _ => return None,
    })
}

/// The document status a state is shown as: planned work is `committed`.
pub fn status_of(state: WorkState) -> Status {
    match state {
        WorkState::ToDo => Status::Committed,
        WorkState::InProgress => Status::InProgress,
        WorkState::Done => Status::Done,
        WorkState::Canceled => Status::Dropped,
    }
}

/// An item's state as people say it (`to do`, `in progress`, `done`,
/// `canceled`): how `diff` and the changes page word a status change.
pub fn state_word(state: WorkState) -> &'static str {
    match state {
        WorkState::ToDo => "to do",
        WorkState::InProgress => "in progress",
        WorkState::Done => "done",
        WorkState::Canceled => "canceled",
    }
}

/// The id an item takes from its key: `PAY-42` → `pay-42`, `acme/app#123` → `acme-app-123`.
pub fn derived_id(key: &str) -> String {
    crate::text::slugify(key)
}

/// The ids of `[[id]]`, `[[id|label]]` and `[[id#heading]]` in `text`.
fn wikilinks(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("[[").filter_map(move |(at, _)| {
        let rest = &text[at + 2..];
        let end = rest.find("]]")?;
        let inner = &rest[..end];
        let id = inner.split(['|', '#']).next()?.trim();
        (!id.is_empty() && id.len() <= 200 && !id.contains(['[', '\n'])).then_some(id)
    })
}

/// A date as trackers write them: ISO (`2026-03-04`, `2026-03-04T10:00:00Z`,
/// `2026-03-04 10:00`), Jira's `04/Mar/26 10:00 AM`, and the JavaScript
/// form Linear writes (`Wed Mar 04 2026 10:00:00 GMT+0000 (…)`).
pub(crate) fn parse_any_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(d) = s.get(..10).and_then(crate::date::parse_date) {
        return Some(d);
    }
    let month = |m: &str| -> Option<i8> {
        let m = m.get(..3)?.to_ascii_lowercase();
        let at = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ]
        .iter()
        .position(|&x| x == m)?;
        i8::try_from(at + 1).ok()
    };
    // Jira: dd/MMM/yy or dd/MMM/yyyy, then a time.
    let first = s.split_whitespace().next()?;
    let parts: Vec<&str> = first.split('/').collect();
    if parts.len() == 3 {
        let day: i8 = parts[0].parse().ok()?;
        let m = month(parts[1])?;
        let year: i16 = match parts[2].len() {
            2 => 2000 + parts[2].parse::<i16>().ok()?,
            4 => parts[2].parse().ok()?,
            _ => return None,
        };
        return Date::new(year, m, day).ok();
    }
    // JavaScript's Date::toString: `Wed Mar 04 2026 …`.
    let words: Vec<&str> = s.split_whitespace().take(4).collect();
    if words.len() == 4 {
        let m = month(words[1])?;
        let day: i8 = words[2].parse().ok()?;
        let year: i16 = words[3].parse().ok()?;
        return Date::new(year, m, day).ok();
    }
    None
}

/// An estimate as written (`3`, `2.5`); empty is none.
fn parse_estimate(s: &str) -> Option<f64> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f >= 0.0)
}

#[cfg(test)]
mod tests;

/// A CSV export's columns by name: where each name's columns are, found
/// once from the header rather than by walking it for every value read
/// (Jira's "all fields" export has a hundred columns or more).
pub(crate) struct Columns {
    at: foldhash::HashMap<String, Vec<usize>>,
}

impl Columns {
    fn new(headers: &[String]) -> Self {
        let mut at: foldhash::HashMap<String, Vec<usize>> = foldhash::HashMap::default();
        for (i, name) in headers.iter().enumerate() {
            at.entry(name.clone()).or_default().push(i);
        }
        Columns { at }
    }

    fn has(&self, name: &str) -> bool {
        self.at.contains_key(name)
    }
}

/// One row of a CSV export, by column name.
pub(crate) struct Row<'h> {
    columns: &'h Columns,
    record: ::csv::StringRecord,
    /// Where the row starts in the export.
    pub(crate) span: Span,
    /// The row's bytes in the export.
    pub(crate) range: std::ops::Range<usize>,
}

impl Row<'_> {
    /// The first non-empty value of the columns named `name`.
    pub(crate) fn get<'s>(&'s self, name: &'s str) -> Option<&'s str> {
        self.all(name).next()
    }

    /// Every non-empty value of the columns named `name` (Jira repeats
    /// `Labels`, `Sprint` and others, one column per value), in column order.
    pub(crate) fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.columns
            .at
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&i| self.record.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

impl Reader<'_> {
    /// Reads the CSV from byte `start`: its header, checked for `required`
    /// columns (an error that leaves the export unused), then each row
    /// handed to `each`; a row the CSV reader cannot read is skipped with a
    /// warning at its line.
    fn csv_rows(
        &mut self,
        start: usize,
        required: &[&str],
        hint: &str,
        mut each: impl FnMut(&mut Self, &Row<'_>),
    ) {
        let text = self.text;
        let body = &text[start..];
        let mut csv = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body.as_bytes());
        let mut records = csv.records();
        let headers: Vec<String> = match records.next() {
            Some(Ok(h)) => h.iter().map(|c| c.trim().to_string()).collect(),
            Some(Err(e)) => {
                let span = self.csv_error_span(start, &e);
                self.note(
                    Severity::Error,
                    span,
                    format!(
                        "the export's header cannot be read: {}; it is not used",
                        csv_message(&e)
                    ),
                    hint.to_string(),
                );
                return;
            }
            None => Vec::new(),
        };
        let columns = Columns::new(&headers);
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|r| !columns.has(r))
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.note(
                Severity::Error,
                self.span_at(start, 0),
                format!("the export has no {list} column; it is not used"),
                hint.to_string(),
            );
            return;
        }
        let mut rows = records.peekable();
        while let Some(record) = rows.next() {
            match record {
                Ok(record) => {
                    if record.iter().all(|v| v.trim().is_empty()) {
                        continue;
                    }
                    let at = record
                        .position()
                        .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
                    // The reader places a row after a CRLF's `\r`, at its `\n`.
                    let at = at
                        + body.as_bytes().get(at..).map_or(0, |rest| {
                            rest.iter()
                                .take_while(|&&b| b == b'\r' || b == b'\n')
                                .count()
                        });
                    let end = match rows.peek() {
                        Some(Ok(next)) => next.position().map_or(body.len(), |p| {
                            usize::try_from(p.byte()).unwrap_or(body.len())
                        }),
                        _ => body.len(),
                    };
                    let row = Row {
                        columns: &columns,
                        record,
                        span: self.span_at(start + at, 0),
                        range: start + at..start + end.max(at),
                    };
                    each(self, &row);
                }
                Err(e) => {
                    let span = self.csv_error_span(start, &e);
                    self.skip(
                        span,
                        format!("this row cannot be read: {}", csv_message(&e)),
                        hint,
                    );
                }
            }
        }
    }

    fn csv_error_span(&self, start: usize, e: &::csv::Error) -> Span {
        let at = e
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        self.span_at(start + at, 0)
    }
}

/// The CSV reader's message, without the position the span gives.
fn csv_message(e: &::csv::Error) -> String {
    match e.kind() {
        ::csv::ErrorKind::Utf8 { .. } => "it is not UTF-8".to_string(),
        ::csv::ErrorKind::Io(err) => err.to_string(),
        _ => e.to_string(),
    }
}
