//! `trackers:`: the issue trackers' exports the site reads as work items
//! (SPEC §7; read by `crate::tracker`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::ConfigError;
use crate::yaml::{self, Step};

/// The keys of one `trackers:` entry.
pub const TRACKER_KEYS: &[&str] = &[
    "file",
    "format",
    "team",
    "url",
    "team_map",
    "status_map",
    "unplanned_labels",
    "label_prefix",
];

/// Which tool wrote an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackerFormat {
    /// `gh issue list --json …` or the REST API's issues array.
    Github,
    /// Jira's "Export → CSV (all fields)" or its REST search JSON.
    Jira,
    /// Linear's CSV export.
    Linear,
    /// A plain table: `id,title,status,parent,owner,team,url,quarter,source`.
    Csv,
}

impl TrackerFormat {
    /// Every format, as written in the config.
    pub const ALL: &'static [&'static str] = &["github", "jira", "linear", "csv"];

    /// The format named `s`.
    pub fn parse(s: &str) -> Option<TrackerFormat> {
        match s {
            "github" => Some(TrackerFormat::Github),
            "jira" => Some(TrackerFormat::Jira),
            "linear" => Some(TrackerFormat::Linear),
            "csv" => Some(TrackerFormat::Csv),
            _ => None,
        }
    }

    /// As written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackerFormat::Github => "github",
            TrackerFormat::Jira => "jira",
            TrackerFormat::Linear => "linear",
            TrackerFormat::Csv => "csv",
        }
    }
}

/// Where a tracker's status puts an item: the four states every tracker has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkState {
    /// Planned, not started.
    ToDo,
    /// Started.
    InProgress,
    /// Finished.
    Done,
    /// Will not be done.
    Canceled,
}

impl WorkState {
    /// As written in `status_map:`.
    pub const ALL: &'static [&'static str] = &["to-do", "in-progress", "done", "canceled"];

    /// The state named `s` in `status_map:`.
    pub fn parse(s: &str) -> Option<WorkState> {
        match s {
            "to-do" => Some(WorkState::ToDo),
            "in-progress" => Some(WorkState::InProgress),
            "done" => Some(WorkState::Done),
            "canceled" => Some(WorkState::Canceled),
            _ => None,
        }
    }
}

/// One `trackers:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerConfig {
    /// The export, relative to the root, `/`-separated.
    pub file: String,
    /// Where `file:` is written in the config: an export that is not there
    /// is reported here, at a file the site has.
    pub file_span: crate::diagnostics::Span,
    /// The tool that wrote it; detected from its content when not given.
    pub format: Option<TrackerFormat>,
    /// The team of the items that name none.
    pub team: Option<String>,
    /// The tracker's address for a key (`https://acme.atlassian.net/browse/`),
    /// for exports that carry no link.
    pub url: Option<String>,
    /// Tracker team names to team ids.
    pub team_map: BTreeMap<String, String>,
    /// Status names (lowercase) to states, beyond the built-in names.
    pub status_map: BTreeMap<String, WorkState>,
    /// Labels (lowercase) that make an item `source: unplanned`.
    pub unplanned_labels: Vec<String>,
    /// The prefix of a label naming what an item serves (`tl:` in `tl:obj-a`).
    pub label_prefix: String,
}

/// The default `unplanned_labels`.
pub const DEFAULT_UNPLANNED_LABELS: &[&str] = &["unplanned", "interrupt", "support"];

/// Checks an export's path: relative, inside the root, no `..`, `/`-separated.
pub fn export_path(path: &str) -> Result<String, String> {
    let path = path.trim();
    if path.is_empty() {
        return Err("the path is empty".to_string());
    }
    if path.starts_with('/') || path.contains('\\') || path.as_bytes().get(1) == Some(&b':') {
        return Err(format!("`{path}` is not a path relative to the site root"));
    }
    if path.split('/').any(|part| part == ".." || part.is_empty()) {
        return Err(format!(
            "`{path}` leaves the site root or has an empty part"
        ));
    }
    if path.chars().any(char::is_control) {
        return Err("the path contains a control character".to_string());
    }
    Ok(path.strip_prefix("./").unwrap_or(path).to_string())
}

/// Makes a config error at a path, with a message and a hint.
pub(super) type ErrorAt<'a> = &'a dyn Fn(&[Step<'_>], String, Option<String>) -> ConfigError;
/// Makes a config error for an unknown key at a path, given its parent and the known keys.
pub(super) type UnknownAt<'a> = &'a dyn Fn(&[Step<'_>], &str, &[&str]) -> ConfigError;

/// Reads `trackers:`. `error_at` makes a config error at a path;
/// `unknown` one for an unknown key.
pub(super) fn parse(
    value: &Value,
    error_at: ErrorAt<'_>,
    unknown: UnknownAt<'_>,
) -> Result<Vec<TrackerConfig>, ConfigError> {
    let Some(entries) = value.as_array() else {
        return Err(error_at(
            &[Step::Key("trackers")],
            format!(
                "`trackers` must be a list of exports, not {}",
                yaml::describe(value)
            ),
            Some(
                "write `trackers:` then `- file: work/issues.json` with `format: github`"
                    .to_string(),
            ),
        ));
    };
    let mut out = Vec::with_capacity(entries.len());
    let mut seen: Vec<String> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = |key: &'static str| [Step::Key("trackers"), Step::Index(i), Step::Key(key)];
        let Some(obj) = entry.as_object() else {
            return Err(error_at(
                &[Step::Key("trackers"), Step::Index(i)],
                format!(
                    "each of `trackers` must be a mapping with `file:`, not {}",
                    yaml::describe(entry)
                ),
                None,
            ));
        };
        for key in obj.keys() {
            if !TRACKER_KEYS.contains(&key.as_str()) {
                return Err(unknown(
                    &[Step::Key("trackers"), Step::Index(i), Step::Key(key)],
                    "trackers",
                    TRACKER_KEYS,
                ));
            }
        }
        let text = |key: &'static str| -> Result<Option<String>, ConfigError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
                Some(other) => Err(error_at(
                    &at(key),
                    format!("`{key}` must be text, not {}", yaml::describe(other)),
                    None,
                )),
            }
        };
        let Some(file) = text("file")? else {
            return Err(error_at(
                &[Step::Key("trackers"), Step::Index(i)],
                "this export names no `file:`".to_string(),
                Some("add `file: work/issues.json`, the export's path in the site".to_string()),
            ));
        };
        let file = export_path(&file).map_err(|why| {
            error_at(
                &at("file"),
                format!("`file` cannot be read: {why}"),
                Some(
                    "keep the export inside the site and name it relative to throughline.yaml"
                        .to_string(),
                ),
            )
        })?;
        if seen.contains(&file) {
            return Err(error_at(
                &at("file"),
                format!("`{file}` is listed twice under `trackers`"),
                Some("list each export once".to_string()),
            ));
        }
        seen.push(file.clone());
        let format = match text("format")? {
            None => None,
            Some(f) => Some(TrackerFormat::parse(&f).ok_or_else(|| {
                let hint = match crate::text::suggest(&f, TrackerFormat::ALL.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the formats are: {}", TrackerFormat::ALL.join(", ")),
                };
                error_at(
                    &at("format"),
                    format!("unknown tracker format `{f}`"),
                    Some(hint),
                )
            })?),
        };
        let url = match text("url")? {
            None => None,
            Some(u) => Some(super::repo_url(&u).map(|u| format!("{u}/")).map_err(|why| {
                error_at(
                    &at("url"),
                    format!("`url` is not a web address: {why}"),
                    Some("write the address an issue's key follows, such as `https://acme.atlassian.net/browse/`".to_string()),
                )
            })?),
        };
        let map_of = |key: &'static str| -> Result<Vec<(String, String)>, ConfigError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Object(m)) => m
                    .iter()
                    .map(|(k, v)| match v.as_str() {
                        Some(s) => Ok((k.clone(), s.trim().to_string())),
                        None => Err(error_at(
                            &[
                                Step::Key("trackers"),
                                Step::Index(i),
                                Step::Key(key),
                                Step::Key(k),
                            ],
                            format!("`{key}.{k}` must be text, not {}", yaml::describe(v)),
                            None,
                        )),
                    })
                    .collect(),
                Some(other) => Err(error_at(
                    &at(key),
                    format!("`{key}` must be a mapping, not {}", yaml::describe(other)),
                    None,
                )),
            }
        };
        let team_map = map_of("team_map")?.into_iter().collect();
        let mut status_map = BTreeMap::new();
        for (name, state) in map_of("status_map")? {
            let Some(s) = WorkState::parse(&state) else {
                return Err(error_at(
                    &[
                        Step::Key("trackers"),
                        Step::Index(i),
                        Step::Key("status_map"),
                        Step::Key(&name),
                    ],
                    format!("`{state}` is not a state"),
                    Some(format!(
                        "map each tracker status to one of: {}",
                        WorkState::ALL.join(", ")
                    )),
                ));
            };
            status_map.insert(name.trim().to_lowercase(), s);
        }
        let unplanned_labels = match obj.get("unplanned_labels") {
            None | Some(Value::Null) => DEFAULT_UNPLANNED_LABELS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            Some(Value::Array(items)) => {
                let mut labels = Vec::with_capacity(items.len());
                for (j, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(s) => labels.push(s.trim().to_lowercase()),
                        None => {
                            return Err(error_at(
                                &[
                                    Step::Key("trackers"),
                                    Step::Index(i),
                                    Step::Key("unplanned_labels"),
                                    Step::Index(j),
                                ],
                                format!(
                                    "each of `unplanned_labels` must be a label, not {}",
                                    yaml::describe(item)
                                ),
                                None,
                            ))
                        }
                    }
                }
                labels
            }
            Some(other) => {
                return Err(error_at(
                    &at("unplanned_labels"),
                    format!(
                        "`unplanned_labels` must be a list of labels, not {}",
                        yaml::describe(other)
                    ),
                    None,
                ))
            }
        };
        let label_prefix = text("label_prefix")?.unwrap_or_else(|| "tl:".to_string());
        if label_prefix.is_empty() {
            return Err(error_at(
                &at("label_prefix"),
                "`label_prefix` is empty: every label would name a document".to_string(),
                Some("keep the default `tl:` or choose another prefix".to_string()),
            ));
        }
        // The locator's span of `file:`'s value, as a config error would point at it.
        let file_span = error_at(&at("file"), String::new(), None).span;
        out.push(TrackerConfig {
            file,
            file_span,
            format,
            team: text("team")?.filter(|t| !t.is_empty()),
            url,
            team_map,
            status_map,
            unplanned_labels,
            label_prefix,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_paths_stay_inside_the_root() {
        assert_eq!(export_path("work/a.json"), Ok("work/a.json".to_string()));
        assert_eq!(export_path("./a.csv"), Ok("a.csv".to_string()));
        for bad in [
            "",
            "/etc/passwd",
            "../x.json",
            "a/../../b",
            "a//b",
            "C:\\x",
            "a\\b",
        ] {
            assert!(export_path(bad).is_err(), "{bad}");
        }
    }
}
