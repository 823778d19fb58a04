//! GitHub: `gh issue list --json …` (camelCase, `OPEN`/`CLOSED`) and the
//! REST API's `/repos/OWNER/REPO/issues` (snake_case, `open`/`closed`,
//! pull requests in it), one array or `gh api --paginate`'s arrays one
//! after another.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{parse_any_date, Item, Reader};
use crate::config::WorkState;
use crate::date::Quarter;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Issue {
    number: Option<u64>,
    title: Option<String>,
    state: Option<String>,
    #[serde(rename = "stateReason", alias = "state_reason")]
    state_reason: Option<String>,
    labels: Vec<Label>,
    assignees: Vec<User>,
    milestone: Option<Milestone>,
    url: Option<String>,
    html_url: Option<String>,
    #[serde(rename = "createdAt", alias = "created_at")]
    created_at: Option<String>,
    #[serde(rename = "closedAt", alias = "closed_at")]
    closed_at: Option<String>,
    body: Option<String>,
    pull_request: Option<serde::de::IgnoredAny>,
}

/// A label: an object with `name` (both shapes), or a bare name.
#[derive(Deserialize)]
#[serde(untagged)]
enum Label {
    Named { name: String },
    Bare(String),
}

impl Label {
    fn name(&self) -> &str {
        match self {
            Label::Named { name } | Label::Bare(name) => name,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct User {
    login: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Milestone {
    title: Option<String>,
    #[serde(rename = "dueOn", alias = "due_on")]
    due_on: Option<String>,
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
        let link = issue
            .html_url
            .clone()
            .or_else(|| issue.url.clone().filter(|u| !u.contains("://api.")));
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
        let title = issue.title.clone().unwrap_or_default();
        let body_text = issue.body.as_deref().unwrap_or("");
        let names = reader.names(range, label_ids, &[&title, body_text]);
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
            .and_then(|u| u.login.clone().or_else(|| u.name.clone()))
            .filter(|o| !o.is_empty());
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
