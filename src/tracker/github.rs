//! GitHub: `gh issue list --json …` (camelCase, `OPEN`/`CLOSED`) and the
//! REST API's `/repos/OWNER/REPO/issues` (snake_case, `open`/`closed`,
//! pull requests in it), one array or `gh api --paginate`'s arrays one
//! after another.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{parse_any_date, Item, Reader};
use crate::config::WorkState;
use crate::date::Quarter;

/// An issue as the export writes it. Text is borrowed from the export where
/// it has no escapes, and the body is kept as written until it may name
/// something: 50,000 issues are 50,000 bodies nobody reads.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Issue<'a> {
    number: Option<u64>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    state: Option<Cow<'a, str>>,
    #[serde(rename = "stateReason", alias = "state_reason", borrow)]
    state_reason: Option<Cow<'a, str>>,
    #[serde(borrow)]
    labels: Vec<Label<'a>>,
    #[serde(borrow)]
    assignees: Vec<User<'a>>,
    #[serde(borrow)]
    milestone: Option<Milestone<'a>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    html_url: Option<Cow<'a, str>>,
    #[serde(rename = "createdAt", alias = "created_at", borrow)]
    created_at: Option<Cow<'a, str>>,
    #[serde(rename = "closedAt", alias = "closed_at", borrow)]
    closed_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    body: Option<&'a RawValue>,
    pull_request: Option<serde::de::IgnoredAny>,
}

/// A label: an object with `name` (both shapes), or a bare name.
#[derive(Deserialize)]
#[serde(untagged)]
enum Label<'a> {
    Named {
        #[serde(borrow)]
        name: Cow<'a, str>,
    },
    Bare(#[serde(borrow)] Cow<'a, str>),
}

impl Label<'_> {
    fn name(&self) -> &str {
        match self {
            Label::Named { name } | Label::Bare(name) => name,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct User<'a> {
    #[serde(borrow)]
    login: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Milestone<'a> {
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(rename = "dueOn", alias = "due_on", borrow)]
    due_on: Option<Cow<'a, str>>,
}

/// An issue's body as text, when it may name something: `[[` written
/// plainly, or any `\u` escape (which could spell one). `Err` when the
/// body is not a string.
fn body_text(raw: Option<&RawValue>) -> Result<Cow<'_, str>, serde_json::Error> {
    let Some(raw) = raw else {
        return Ok(Cow::Borrowed(""));
    };
    let json = raw.get();
    let may_name = memchr::memmem::find(json.as_bytes(), b"[[").is_some()
        || memchr::memmem::find(json.as_bytes(), b"\\u").is_some();
    if json.starts_with('"') && !may_name {
        return Ok(Cow::Borrowed(""));
    }
    let text: Option<Cow<'_, str>> = serde_json::from_str(json)?;
    Ok(text.unwrap_or_default())
}

/// Reads the arrays of issues from byte `start` of the export.
pub(super) fn read(reader: &mut Reader<'_>, start: usize) {
    let text = reader.text;
    let body = &text[start..];
    let stream = serde_json::Deserializer::from_str(body).into_iter::<Vec<&RawValue>>();
    let mut elements: Vec<&RawValue> = Vec::new();
    for page in stream {
        match page {
            Ok(page) => elements.extend(page),
            Err(e) => {
                let span = json_position(reader, start, body, e.line(), e.column());
                reader.note(
                    crate::diagnostics::Severity::Error,
                    span,
                    format!("the export is not a JSON array of issues: {}; it is not used", strip_position(&e)),
                    "make it again with `gh issue list --json …` or `gh api --paginate repos/OWNER/REPO/issues`, and do not edit it by hand".to_string(),
                );
                reader.export.items.clear();
                return;
            }
        }
    }
    for raw in elements {
        let at = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        let range = at..at + raw.get().len();
        let item_span = reader.span_at(at, 1);
        let issue: Issue = match serde_json::from_str(raw.get()) {
            Ok(issue) => issue,
            Err(e) => {
                let span = json_position(reader, at, raw.get(), e.line(), e.column());
                reader.skip(
                    span,
                    format!("this issue cannot be read: {}", strip_position(&e)),
                    "an issue is an object with `number`, `title` and `state`",
                );
                continue;
            }
        };
        if issue.pull_request.is_some() {
            continue;
        }
        let link: Option<String> = issue
            .html_url
            .as_deref()
            .or_else(|| issue.url.as_deref().filter(|u| !u.contains("://api.")))
            .map(str::to_string);
        let Some(number) = issue.number else {
            reader.skip(
                item_span,
                "this issue has no `number`".to_string(),
                "export with `--json number,title,state,…`",
            );
            continue;
        };
        let key = match link.as_deref().and_then(repository_of) {
            Some(repo) => format!("{repo}#{number}"),
            None => format!("#{number}"),
        };
        let Some(state) = issue.state.as_deref() else {
            reader.skip(
                item_span,
                format!("issue {key} has no `state`"),
                "export with `--json number,title,state,…`",
            );
            continue;
        };
        let state = match (
            state.to_ascii_lowercase().as_str(),
            issue.state_reason.as_deref(),
        ) {
            ("closed", Some(r)) if r.eq_ignore_ascii_case("not_planned") => WorkState::Canceled,
            ("closed", _) => WorkState::Done,
            ("open", _) => WorkState::ToDo,
            (other, _) => match reader.state(other) {
                Some(s) => s,
                None => {
                    reader.skip(
                        item_span,
                        format!("issue {key} has the unknown state `{other}`"),
                        "GitHub's states are open and closed",
                    );
                    continue;
                }
            },
        };
        let labels: Vec<&str> = issue.labels.iter().map(Label::name).collect();
        let (unplanned, label_ids) = reader.labels(labels.iter().copied());
        let title = issue.title.as_deref().unwrap_or_default().to_string();
        let body_text = match body_text(issue.body) {
            Ok(text) => text,
            Err(e) => {
                let written = issue.body.map_or("", RawValue::get);
                let body_at = written.as_ptr() as usize - text.as_ptr() as usize;
                let span = json_position(reader, body_at, written, e.line(), e.column());
                reader.skip(
                    span,
                    format!(
                        "issue {key}'s `body` cannot be read: {}",
                        strip_position(&e)
                    ),
                    "an issue's body is a string or null",
                );
                continue;
            }
        };
        let names = reader.names(range, label_ids, &[&title, &body_text]);
        let milestone = issue.milestone.as_ref();
        let mut groups = vec![key.to_lowercase()];
        if let Some(m) = milestone.and_then(|m| m.title.as_deref()) {
            groups.push(format!("milestone:{}", m.trim().to_lowercase()));
        }
        let date = issue
            .closed_at
            .as_deref()
            .and_then(parse_any_date)
            .or_else(|| issue.created_at.as_deref().and_then(parse_any_date));
        let owner = issue
            .assignees
            .first()
            .and_then(|u| u.login.as_deref().or(u.name.as_deref()))
            .filter(|o| !o.is_empty())
            .map(str::to_string);
        let item = Item {
            key,
            title,
            state,
            owner,
            team: reader.team(None),
            url: link,
            quarter: milestone
                .and_then(|m| m.due_on.as_deref())
                .and_then(parse_any_date)
                .map(Quarter::of),
            date,
            unplanned,
            estimate: None,
            names,
            groups,
            parent_key: None,
            span: item_span,
        };
        reader.push(item);
    }
}

/// `OWNER/REPO` from an issue's web address (`https://github.com/OWNER/REPO/issues/N`).
fn repository_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let mut parts = rest.split('/');
    let _host = parts.next()?;
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    Some(format!("{owner}/{repo}"))
}

/// The export's span of serde_json's 1-based `line` and `column` within `slice`, which starts at byte `at`.
pub(super) fn json_position(
    reader: &Reader<'_>,
    at: usize,
    slice: &str,
    line: usize,
    column: usize,
) -> crate::diagnostics::Span {
    let mut offset = 0;
    for (i, l) in slice.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1).min(l.len());
            offset += (0..=col)
                .rev()
                .find(|&c| l.is_char_boundary(c))
                .unwrap_or(0);
            break;
        }
        offset += l.len();
    }
    reader.span_at(at + offset, 0)
}

/// serde_json's message without its " at line L column C": the span says it.
pub(super) fn strip_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}
