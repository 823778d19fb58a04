//! The site config (`throughline.yaml`, SPEC §7); the kinds schema it
//! adjusts is in [`schema`].
//!
//! Defaults are built in; the config may relabel kinds, change cadences and
//! allowed parents, and add kinds. Unknown keys are refused with a "did you
//! mean" hint: a config typo silently ignored is a rule silently off.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::date::Cadence;
use crate::diagnostics::{Diagnostic, Span};
use crate::text::{suggest, LineIndex};
use crate::yaml::{self, Locator, Step};

mod schema;
mod trackers;

use schema::apply_kind_overrides;
pub use schema::{KindDef, ParentRule, Schema, KIND_KEYS, PAGE_KIND};
pub use trackers::{
    export_path, TrackerConfig, TrackerFormat, WorkState, DEFAULT_UNPLANNED_LABELS, TRACKER_KEYS,
};

/// The config file's name in the site root.
pub const CONFIG_FILE: &str = "throughline.yaml";

/// What a config's `rules:` entry sets a rule to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Deny,
}

/// `markdown:` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct MarkdownConfig {
    /// The syntect theme for code blocks.
    pub highlight_theme: String,
    /// Let raw HTML and `javascript:` links through (trusted content only).
    pub unsafe_html: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            highlight_theme: "base16-ocean.dark".to_string(),
            unsafe_html: false,
        }
    }
}

/// The whole site config, with defaults filled in.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site's title.
    pub title: String,
    /// URL or path prefix the site is hosted under, always ending in `/`.
    pub base_url: String,
    /// `default` or a path to a theme folder.
    pub theme: String,
    /// The `too-many-bets` threshold.
    pub max_bets_per_quarter: usize,
    /// How many active bets a quarter needs before `portfolio-imbalance` judges its mix.
    pub portfolio_min_bets: usize,
    /// Whether `portfolio-imbalance` also wants big, medium and small bets
    /// each in a judged quarter (`portfolio_require_all_sizes`).
    pub portfolio_require_all_sizes: bool,
    /// The approval a bet of each size needs (`approval:`), checked by
    /// `missing-approval`; levels are ordered, and a higher one satisfies a
    /// lower. Without the key, a big bet needs a named approver of any level.
    /// Sizes and levels are their spellings (`model` is this layer's
    /// neighbour, not below it); `missing-approval` reads them as its types.
    pub approval: BTreeMap<String, String>,
    /// How long a parent's change may wait before children are `drift`.
    pub drift_grace: Cadence,
    /// How far (a fraction of the way from baseline to target) a goal may lag its elapsed time before `behind-pace`.
    pub pace_tolerance: f64,
    /// The largest share (a fraction) of a team's work in a quarter that may be unplanned before `unplanned-work`.
    pub max_unplanned_share: f64,
    /// The verbs (or phrases such as `roll out`) that make an objective's
    /// title an output for `output-objective`, lowercase; `new` warns on them too.
    pub output_verbs: Vec<String>,
    /// Globs (relative to the root) of files that are not content.
    pub ignore: Vec<String>,
    /// Per-rule severity overrides.
    pub rules: BTreeMap<String, RuleLevel>,
    /// Markdown rendering settings.
    pub markdown: MarkdownConfig,
    /// The kinds schema after the config's overrides.
    pub schema: Schema,
    /// Whether `build` and `serve` read the git history into the site
    /// (commits per document, the changes page, time in status).
    pub history: bool,
    /// The web address of the repository (`https://github.com/org/strategy`),
    /// without a trailing `/`; commits link to `{repo_url}/commit/{id}`.
    pub repo_url: Option<String>,
    /// Where a document is edited on the web: a pattern with `{path}`, the
    /// document's file relative to the root (`edit_url:`); see [`Config::edit_url`].
    pub edit_url: Option<String>,
    /// How far back the changes page looks from the build date.
    pub changes_window: Cadence,
    /// The date the site is judged on when `--today` does not name one: a
    /// site kept as it stood on that day (an archive, the example site).
    pub as_of: Option<crate::date::Date>,
    /// The issue trackers' exports read as work items (`trackers:`).
    pub trackers: Vec<TrackerConfig>,
    /// The largest share (a fraction) of a team's work in a quarter that may trace to nothing before `untraced-work`.
    pub max_untraced_share: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Strategy".to_string(),
            base_url: "/".to_string(),
            theme: "default".to_string(),
            max_bets_per_quarter: 4,
            portfolio_min_bets: 3,
            portfolio_require_all_sizes: false,
            approval: BTreeMap::from([("big".to_string(), "team".to_string())]),
            drift_grace: Cadence {
                amount: 30,
                unit: crate::date::CadenceUnit::Days,
            },
            pace_tolerance: 0.25,
            max_unplanned_share: 0.3,
            output_verbs: DEFAULT_OUTPUT_VERBS.iter().map(|v| v.to_string()).collect(),
            ignore: Vec::new(),
            rules: BTreeMap::new(),
            markdown: MarkdownConfig::default(),
            schema: Schema::builtin(),
            history: true,
            repo_url: None,
            edit_url: None,
            changes_window: Cadence {
                amount: 90,
                unit: crate::date::CadenceUnit::Days,
            },
            as_of: None,
            trackers: Vec::new(),
            max_untraced_share: 0.3,
        }
    }
}

/// What `output_verbs` is when the config does not set it: verbs that name
/// something to ship rather than a change to see.
pub const DEFAULT_OUTPUT_VERBS: &[&str] = &[
    "launch",
    "ship",
    "build",
    "release",
    "implement",
    "deliver",
    "roll out",
    "deploy",
    "introduce",
    "migrate",
];

/// The keys `throughline.yaml` accepts at the top level.
pub const CONFIG_KEYS: &[&str] = &[
    "title",
    "base_url",
    "theme",
    "max_bets_per_quarter",
    "portfolio_min_bets",
    "portfolio_require_all_sizes",
    "approval",
    "drift_grace",
    "pace_tolerance",
    "max_unplanned_share",
    "output_verbs",
    "ignore",
    "rules",
    "kinds",
    "markdown",
    "history",
    "repo_url",
    "edit_url",
    "changes_window",
    "as_of",
    "trackers",
    "max_untraced_share",
];
/// How a config problem is told at the key of a path.
type ErrorAt<'a> = dyn Fn(&[Step<'_>], String, Option<String>) -> ConfigError + 'a;

/// The bet sizes `approval:` names: `model::Size::ALL` (a test holds them equal).
pub const BET_SIZES: &[&str] = &["big", "medium", "small"];
/// The approval levels, lowest first: `model::ApprovalLevel::ALL`.
pub const APPROVAL_LEVELS: &[&str] = &["team", "product", "executive"];

/// `approval:`, a map from bet size to the lowest approval level it needs:
/// `{big: executive, medium: product}`. Each problem is told at its key.
fn approval_policy(
    v: &Value,
    error_at: &ErrorAt<'_>,
) -> Result<BTreeMap<String, String>, ConfigError> {
    let example = "such as `approval: { big: executive, medium: product }`".to_string();
    let Some(map) = v.as_object() else {
        return Err(error_at(
            &[Step::Key("approval")],
            format!(
                "`approval` must map bet sizes to approval levels, not {}",
                yaml::describe(v)
            ),
            Some(example),
        ));
    };
    let mut policy = BTreeMap::new();
    for (size, level) in map {
        if !BET_SIZES.contains(&size.as_str()) {
            let hint = match suggest(size, BET_SIZES.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the sizes are: {}", BET_SIZES.join(", ")),
            };
            return Err(error_at(
                &[Step::Key("approval"), Step::Key(size)],
                format!("`{size}` under `approval` is not a bet size"),
                Some(hint),
            ));
        };
        let Some(level) = level.as_str().filter(|l| APPROVAL_LEVELS.contains(l)) else {
            return Err(error_at(
                &[Step::Key("approval"), Step::Key(size)],
                format!(
                    "`approval.{size}` must be one of {}",
                    APPROVAL_LEVELS.join(", ")
                ),
                Some(
                    "levels are ordered team < product < executive; a higher one satisfies a lower"
                        .to_string(),
                ),
            ));
        };
        policy.insert(size.clone(), level.to_string());
    }
    Ok(policy)
}

/// The keys under `markdown:`.
pub const MARKDOWN_KEYS: &[&str] = &["highlight_theme", "unsafe_html"];
/// A config problem: the run cannot proceed (exit 2).
pub type ConfigError = Box<Diagnostic>;

/// Checks a `repo_url` and drops its trailing `/`: it is written into
/// `href`s, so only an `http(s)` address with a host passes (no
/// `javascript:`, no spaces or quotes that would end the attribute).
pub fn repo_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Err(format!(
            "`{url}` does not start with `https://` or `http://`"
        ));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{url}` names no host"));
    }
    let unsafe_in_href =
        |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`');
    // Byte by byte when ASCII (nearly always): a tracker export checks
    // tens of thousands of links.
    let found = if url.is_ascii() {
        url.bytes().map(char::from).find(|&c| unsafe_in_href(c))
    } else {
        url.chars().find(|&c| unsafe_in_href(c))
    };
    if let Some(c) = found {
        return Err(format!("it contains {c:?}"));
    }
    Ok(url.to_string())
}

/// Checks an `edit_url` pattern as [`repo_url`] checks an address (it is
/// written into `href`s), and that it says where the file goes (`{path}`).
pub fn edit_url_pattern(url: &str) -> Result<String, String> {
    let url = repo_url(url)?;
    if !url.contains("{path}") {
        return Err(format!("`{url}` has no `{{path}}` for the document's file"));
    }
    Ok(url)
}

/// The path bytes of an edit link left as they are: RFC 3986's unreserved
/// characters and `/`; everything else (a space, `#`, `?`, `%`) is encoded.
const EDIT_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

impl Config {
    /// The web editor's address for the document in `file` (relative to the
    /// root): `edit_url` with `{path}` filled in, else, for a `repo_url` on
    /// github.com or gitlab.com, that host's editor on the branch `main`.
    /// `None` without either: a site that sets neither shows no link.
    pub fn edit_url(&self, file: &str) -> Option<String> {
        let pattern = match (&self.edit_url, &self.repo_url) {
            (Some(pattern), _) => pattern.clone(),
            (None, Some(repo)) => {
                let host = repo.split('/').nth(2).unwrap_or("").to_ascii_lowercase();
                match host.as_str() {
                    "github.com" | "www.github.com" => format!("{repo}/edit/main/{{path}}"),
                    "gitlab.com" | "www.gitlab.com" => format!("{repo}/-/edit/main/{{path}}"),
                    _ => return None,
                }
            }
            (None, None) => return None,
        };
        let path = percent_encoding::utf8_percent_encode(file, EDIT_PATH).to_string();
        Some(pattern.replace("{path}", &path))
    }
}

/// Normalises a base URL so it always ends in `/`.
pub fn normalize_base_url(url: &str) -> String {
    let url = url.trim();
    if url.is_empty() {
        "/".to_string()
    } else if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

impl Config {
    /// Reads `ROOT/throughline.yaml` if present; returns the config and its text (for diagnostics).
    /// `health_rules` as for [`Config::parse`].
    pub fn load(
        root: &Path,
        health_rules: &[&str],
    ) -> Result<(Config, Option<String>), ConfigError> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                Box::new(Diagnostic::error(
                    "config",
                    CONFIG_FILE,
                    Span::file_start(),
                    "throughline.yaml is not valid UTF-8",
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Config::default(), None))
            }
            Err(e) => {
                return Err(Box::new(Diagnostic::error(
                    "config",
                    CONFIG_FILE,
                    Span::file_start(),
                    format!("cannot read throughline.yaml: {e}"),
                )))
            }
        };
        let config = Config::parse(&text, health_rules)?;
        Ok((config, Some(text)))
    }

    /// Parses the text of a `throughline.yaml`. `health_rules` are the ids
    /// its `rules:` may set, in the order a hint lists them: the rules'
    /// registry (`crate::rules::HEALTH_RULES`), which lives layers above the
    /// config.
    pub fn parse(text: &str, health_rules: &[&str]) -> Result<Config, ConfigError> {
        let lines = LineIndex::new(text);
        let locator = Locator::new(text);
        let error_at = |path: &[Step<'_>], message: String, hint: Option<String>| {
            let span = locator
                .value(path)
                .map_or(Span::file_start(), |l| lines.span(text, l.offset, l.len));
            let d = Diagnostic::error("config", CONFIG_FILE, span, message);
            Box::new(match hint {
                Some(h) => d.with_hint(h),
                None => d,
            })
        };
        let map = yaml::parse_front_matter(text).map_err(|e| {
            let hint = e
                .hint
                .clone()
                .unwrap_or_else(|| yaml::syntax_hint(text, e.line));
            Box::new(
                Diagnostic::error(
                    "config",
                    CONFIG_FILE,
                    crate::diagnostics::Span::new(e.line, e.column, 0),
                    format!(
                        "throughline.yaml is not valid YAML: {}",
                        e.message_in_file(1)
                    ),
                )
                .with_hint(hint),
            )
        })?;

        for key in map.keys() {
            if !CONFIG_KEYS.contains(&key.as_str()) {
                let hint = match suggest(key, CONFIG_KEYS.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the keys are: {}", CONFIG_KEYS.join(", ")),
                };
                let span = locator
                    .key(&[Step::Key(key)])
                    .map_or(Span::file_start(), |l| lines.span(text, l.offset, l.len));
                return Err(Box::new(
                    Diagnostic::error("config", CONFIG_FILE, span, format!("unknown key `{key}`"))
                        .with_hint(hint),
                ));
            }
        }

        let mut config = Config::default();
        let field = |key: &'static str| map.get(key).filter(|v| !v.is_null());
        let typed = |key: &'static str, value: &Value, expected: &str| -> Result<_, ConfigError> {
            Err(error_at(
                &[Step::Key(key)],
                format!("`{key}` must be {expected}, not {}", yaml::describe(value)),
                None,
            ))
        };

        if let Some(v) = field("title") {
            match v.as_str() {
                Some(s) => config.title = s.to_string(),
                None => return typed("title", v, "text"),
            }
        }
        if let Some(v) = field("base_url") {
            match v.as_str() {
                Some(s) => config.base_url = normalize_base_url(s),
                None => return typed("base_url", v, "a URL or path such as `/strategy/`"),
            }
        }
        if let Some(v) = field("theme") {
            match v.as_str() {
                Some(s) => config.theme = s.to_string(),
                None => return typed("theme", v, "`default` or a path"),
            }
        }
        let count = |key: &'static str, v: &Value, example: &str| -> Result<usize, ConfigError> {
            if let Some(n) = v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|&n| n > 0)
            {
                return Ok(n);
            }
            let written = match v {
                Value::Number(n) => n.to_string(),
                Value::String(s) => format!("`{s}`"),
                other => yaml::describe(other).to_string(),
            };
            Err(error_at(
                &[Step::Key(key)],
                format!("`{key}` must be a whole number above 0, not {written}"),
                Some(format!("write a count such as `{key}: {example}`")),
            ))
        };
        if let Some(v) = field("max_bets_per_quarter") {
            config.max_bets_per_quarter = count("max_bets_per_quarter", v, "4")?;
        }
        if let Some(v) = field("portfolio_min_bets") {
            config.portfolio_min_bets = count("portfolio_min_bets", v, "3")?;
        }
        // A duration such as `30d`; `hint` says how to write one for `key`.
        let duration = |key: &'static str, v: &Value, hint: &str| -> Result<Cadence, ConfigError> {
            let parsed = match v {
                Value::String(s) => Cadence::parse_explained(s),
                Value::Number(n) => {
                    Err(format!("`{n}` has no unit; add d, w, m or y, as in `{n}d`"))
                }
                other => Err(format!("it is {}", yaml::describe(other))),
            };
            parsed.map_err(|why| {
                error_at(
                    &[Step::Key(key)],
                    format!("`{key}` is not a duration: {why}"),
                    Some(hint.to_string()),
                )
            })
        };
        if let Some(v) = field("drift_grace") {
            config.drift_grace = duration(
                "drift_grace",
                v,
                "write a whole number and a unit, such as `30d`, `2w` or `1m`; to stop reporting drift, set `rules: { drift: allow }`",
            )?;
        }
        // Fractions, not percentages: YAML reads `30%` as text, and one
        // spelling for every share keeps `0.3` and `30` from meaning the same.
        let fraction = |key: &'static str, v: &Value, example: &str| -> Result<f64, ConfigError> {
            if let Some(f) = v.as_f64().filter(|f| (0.0..=1.0).contains(f)) {
                return Ok(f);
            }
            let (why, hint) = match v {
                Value::String(s) => match s.trim().strip_suffix('%').map(str::trim) {
                    Some(p) if p.parse::<f64>().is_ok() => (
                        format!("`{s}` is a percentage"),
                        format!(
                            "write it as a fraction: `{key}: {}`",
                            p.parse::<f64>().map_or(0.0, |p| p / 100.0)
                        ),
                    ),
                    _ => (
                        format!("`{s}` is text"),
                        format!("write a fraction such as `{key}: {example}`"),
                    ),
                },
                Value::Number(n) => (
                    format!("{n} is outside 0 to 1"),
                    format!("write a fraction such as `{key}: {example}`, not a percentage"),
                ),
                other => (
                    format!("it is {}", yaml::describe(other)),
                    format!("write a fraction such as `{key}: {example}`"),
                ),
            };
            Err(error_at(
                &[Step::Key(key)],
                format!("`{key}` must be a fraction from 0 to 1: {why}"),
                Some(hint),
            ))
        };
        if let Some(v) = field("pace_tolerance") {
            config.pace_tolerance = fraction("pace_tolerance", v, "0.25")?;
        }
        if let Some(v) = field("max_unplanned_share") {
            config.max_unplanned_share = fraction("max_unplanned_share", v, "0.3")?;
        }
        if let Some(v) = field("max_untraced_share") {
            config.max_untraced_share = fraction("max_untraced_share", v, "0.3")?;
        }
        if let Some(v) = field("trackers") {
            let unknown = |path: &[Step<'_>], parent: &str, known: &[&str]| {
                unknown_nested(&locator, &lines, text, path, parent, known)
            };
            config.trackers = trackers::parse(v, &error_at, &unknown)?;
        }
        if let Some(v) = field("output_verbs") {
            let Some(items) = v.as_array() else {
                return typed(
                    "output_verbs",
                    v,
                    "a list of verbs such as `[launch, roll out]`",
                );
            };
            let mut verbs = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let at = [Step::Key("output_verbs"), Step::Index(i)];
                let Some(verb) = item.as_str().map(str::trim) else {
                    return Err(error_at(
                        &at,
                        format!(
                            "each of `output_verbs` must be a verb, not {}",
                            yaml::describe(item)
                        ),
                        None,
                    ));
                };
                // Matched word by word against a title's first words, so a verb is letters.
                let words_ok = verb.split(' ').all(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
                });
                if verb.is_empty() || !words_ok {
                    return Err(error_at(
                        &at,
                        format!("`{verb}` is not a verb: write words of letters separated by single spaces"),
                        Some("such as `launch` or `roll out`; a title starting with it or a form of it (`launching`, `rolled out`) is an output".to_string()),
                    ));
                }
                verbs.push(verb.to_lowercase());
            }
            config.output_verbs = verbs;
        }
        if let Some(v) = field("ignore") {
            match v
                .as_array()
                .map(|a| a.iter().map(|s| s.as_str().map(str::to_string)).collect())
            {
                Some(Some(list)) => config.ignore = list,
                _ => return typed("ignore", v, "a list of glob patterns"),
            }
            for (i, pattern) in config.ignore.iter().enumerate() {
                if let Err(e) = globset::Glob::new(pattern) {
                    return Err(error_at(
                        &[Step::Key("ignore"), Step::Index(i)],
                        format!("`{pattern}` is not a valid glob: {}", e.kind()),
                        None,
                    ));
                }
            }
        }
        if let Some(v) = field("portfolio_require_all_sizes") {
            match v.as_bool() {
                Some(b) => config.portfolio_require_all_sizes = b,
                None => return typed("portfolio_require_all_sizes", v, "`true` or `false`"),
            }
        }
        if let Some(v) = field("approval") {
            config.approval = approval_policy(v, &error_at)?;
        }
        if let Some(v) = field("history") {
            match v.as_bool() {
                Some(b) => config.history = b,
                None => return typed("history", v, "`true` or `false`"),
            }
        }
        if let Some(v) = field("repo_url") {
            match v.as_str().map(repo_url) {
                Some(Ok(url)) => config.repo_url = Some(url),
                Some(Err(why)) => {
                    return Err(error_at(
                        &[Step::Key("repo_url")],
                        format!("`repo_url` is not a repository's web address: {why}"),
                        Some("write the address you open in a browser, such as `https://github.com/org/strategy`; commits link to `<repo_url>/commit/<id>`".to_string()),
                    ))
                }
                None => return typed("repo_url", v, "a web address such as `https://github.com/org/strategy`"),
            }
        }
        if let Some(v) = field("edit_url") {
            let hint = "write the address of the host's editor with `{path}` where the file goes, such as `https://github.com/org/strategy/edit/main/{path}`";
            match v.as_str().map(edit_url_pattern) {
                Some(Ok(url)) => config.edit_url = Some(url),
                Some(Err(why)) => {
                    return Err(error_at(
                        &[Step::Key("edit_url")],
                        format!("`edit_url` is not an editor's web address: {why}"),
                        Some(hint.to_string()),
                    ))
                }
                None => return typed("edit_url", v, hint),
            }
        }
        if let Some(v) = field("changes_window") {
            config.changes_window = duration(
                "changes_window",
                v,
                "write a whole number and a unit, such as `90d`, `12w` or `6m`",
            )?;
        }
        if let Some(v) = field("as_of") {
            match v.as_str().and_then(crate::date::parse_date) {
                Some(date) => config.as_of = Some(date),
                None => return typed("as_of", v, "a date, YYYY-MM-DD"),
            }
        }
        if let Some(v) = field("markdown") {
            let Some(obj) = v.as_object() else {
                return typed("markdown", v, "a mapping");
            };
            for key in obj.keys() {
                if !MARKDOWN_KEYS.contains(&key.as_str()) {
                    return Err(unknown_nested(
                        &locator,
                        &lines,
                        text,
                        &[Step::Key("markdown"), Step::Key(key)],
                        "markdown",
                        MARKDOWN_KEYS,
                    ));
                }
            }
            config.markdown = serde_json::from_value(v.clone()).map_err(|e| {
                error_at(
                    &[Step::Key("markdown")],
                    format!("`markdown` is invalid: {e}"),
                    None,
                )
            })?;
        }
        if let Some(v) = field("rules") {
            let Some(obj) = v.as_object() else {
                return typed("rules", v, "a mapping of rule: allow|warn|deny");
            };
            for (rule, level) in obj {
                if crate::diagnostics::catalog::STRUCTURAL_RULES.contains(&rule.as_str()) {
                    return Err(error_at(
                        &[Step::Key("rules"), Step::Key(rule)],
                        format!("`{rule}` is a structural rule and is always an error"),
                        Some(
                            "only the strategy-health rules can be set to allow, warn or deny"
                                .to_string(),
                        ),
                    ));
                }
                if crate::diagnostics::catalog::BUILD_NOTES.contains(&rule.as_str()) {
                    return Err(error_at(
                        &[Step::Key("rules"), Step::Key(rule)],
                        format!("`{rule}` is a note on how the site is built and cannot be set"),
                        Some(
                            "only the strategy-health rules can be set to allow, warn or deny"
                                .to_string(),
                        ),
                    ));
                }
                if !health_rules.contains(&rule.as_str()) {
                    let hint = match suggest(rule, health_rules.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("the rules are: {}", health_rules.join(", ")),
                    };
                    return Err(error_at(
                        &[Step::Key("rules"), Step::Key(rule)],
                        format!("unknown rule `{rule}`"),
                        Some(hint),
                    ));
                }
                let parsed: Option<RuleLevel> = serde_json::from_value(level.clone()).ok();
                match parsed {
                    Some(l) => {
                        config.rules.insert(rule.clone(), l);
                    }
                    None => {
                        return Err(error_at(
                            &[Step::Key("rules"), Step::Key(rule)],
                            format!("rule `{rule}` must be set to allow, warn or deny"),
                            None,
                        ))
                    }
                }
            }
        }
        if let Some(v) = field("kinds") {
            let Some(obj) = v.as_object() else {
                return typed("kinds", v, "a mapping of kind name to settings");
            };
            config.schema = apply_kind_overrides(obj, &locator, &lines, text)?;
        }
        Ok(config)
    }

    /// The severity a health rule is reported at, or `None` when it is allowed.
    pub fn level_of(&self, rule: &str) -> Option<RuleLevel> {
        self.rules.get(rule).copied()
    }
}

pub(super) fn unknown_nested(
    locator: &Locator<'_>,
    lines: &LineIndex,
    text: &str,
    path: &[Step<'_>],
    parent: &str,
    known: &[&str],
) -> ConfigError {
    let key = match path.last() {
        Some(Step::Key(k)) => *k,
        _ => "",
    };
    let span = locator
        .key(path)
        .map_or(Span::file_start(), |l| lines.span(text, l.offset, l.len));
    let hint = match suggest(key, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("the keys under `{parent}` are: {}", known.join(", ")),
    };
    Box::new(
        Diagnostic::error(
            "config",
            CONFIG_FILE,
            span,
            format!("unknown key `{parent}.{key}`"),
        )
        .with_hint(hint),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Config::parse`] with the rules' registry, as the commands call it.
    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, crate::rules::HEALTH_RULES)
    }

    #[test]
    fn defaults_without_a_file() {
        let config = parse("").unwrap();
        assert_eq!(config.max_bets_per_quarter, 4);
        assert_eq!(config.base_url, "/");
        assert!(config
            .schema
            .get("bet")
            .unwrap()
            .parents
            .allows("product-strategy"));
        assert!(!config
            .schema
            .get("company-strategy")
            .unwrap()
            .parents
            .allows("bet"));
    }

    #[test]
    fn edit_links_come_from_edit_url_or_a_github_or_gitlab_repo_url() {
        let file = "bets/a b#c.md";
        assert_eq!(parse("").unwrap().edit_url(file), None);
        let gitea = parse("repo_url: https://git.example.com/org/s\n").unwrap();
        assert_eq!(
            gitea.edit_url(file),
            None,
            "an unknown host gets no guessed link"
        );
        let github = parse("repo_url: https://github.com/org/s/\n").unwrap();
        assert_eq!(
            github.edit_url(file).as_deref(),
            Some("https://github.com/org/s/edit/main/bets/a%20b%23c.md")
        );
        let gitlab = parse("repo_url: https://gitlab.com/org/s\n").unwrap();
        assert_eq!(
            gitlab.edit_url("x.md").as_deref(),
            Some("https://gitlab.com/org/s/-/edit/main/x.md")
        );
        let pattern = "repo_url: https://github.com/org/s\nedit_url: https://git.example.com/s/_edit/trunk/strategy/{path}\n";
        assert_eq!(
            parse(pattern).unwrap().edit_url("x.md").as_deref(),
            Some("https://git.example.com/s/_edit/trunk/strategy/x.md"),
            "edit_url wins"
        );
        for bad in [
            "edit_url: https://github.com/org/s/edit/main/\n",
            "edit_url: javascript:alert(1)/{path}\n",
            "edit_url: \"https://x.example/{path}\\\" onmouseover=\\\"\"\n",
            "edit_url: 3\n",
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.message.contains("edit_url"), "{bad}: {}", err.message);
        }
        let err = parse("edit_uri: https://x.example/{path}\n").unwrap_err();
        assert!(
            err.message.contains("unknown key `edit_uri`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unknown_keys_get_a_suggestion_and_a_position() {
        let err = parse("title: X\nmax_bet_per_quarter: 3\n").unwrap_err();
        assert_eq!(err.message, "unknown key `max_bet_per_quarter`");
        assert_eq!(
            err.hint.as_deref(),
            Some("did you mean `max_bets_per_quarter`?")
        );
        assert_eq!((err.span.line, err.span.column), (2, 1));
        let err = parse("markdown: { unsafe_htm: true }\n").unwrap_err();
        assert_eq!(err.hint.as_deref(), Some("did you mean `unsafe_html`?"));
    }

    #[test]
    fn counts_and_durations_say_what_is_wrong() {
        let err = parse("title: X\nmax_bets_per_quarter: -1\n").unwrap_err();
        assert_eq!(
            err.message,
            "`max_bets_per_quarter` must be a whole number above 0, not -1"
        );
        assert_eq!((err.span.line, err.span.column), (2, 23));
        assert_eq!(
            err.hint.as_deref(),
            Some("write a count such as `max_bets_per_quarter: 4`")
        );
        let err = parse("portfolio_min_bets: 2.5\n").unwrap_err();
        assert!(err.message.ends_with("not 2.5"), "{}", err.message);
        let err = parse("max_bets_per_quarter: four\n").unwrap_err();
        assert!(err.message.ends_with("not `four`"), "{}", err.message);

        let err = parse("drift_grace: 0d\n").unwrap_err();
        assert_eq!(
            err.message,
            "`drift_grace` is not a duration: `0d` is zero days; a duration is at least `1d`"
        );
        assert_eq!((err.span.line, err.span.column), (1, 14));
        assert!(err.hint.as_deref().unwrap().contains("drift: allow"));
        let err = parse("drift_grace: 30\n").unwrap_err();
        assert!(err.message.contains("`30` has no unit"), "{}", err.message);
        let err = parse("drift_grace: 3x\n").unwrap_err();
        assert!(
            err.message.contains("does not end in a unit"),
            "{}",
            err.message
        );
        assert_eq!(
            parse("drift_grace: 2w\n").unwrap().drift_grace,
            Cadence::parse("2w").unwrap()
        );
    }

    #[test]
    fn fractions_are_fractions_and_a_percentage_is_explained() {
        assert_eq!(parse("").unwrap().pace_tolerance, 0.25);
        assert_eq!(parse("pace_tolerance: 0.1\n").unwrap().pace_tolerance, 0.1);
        assert_eq!(parse("pace_tolerance: 0\n").unwrap().pace_tolerance, 0.0);
        let err = parse("title: X\npace_tolerance: 25%\n").unwrap_err();
        assert_eq!(
            err.message,
            "`pace_tolerance` must be a fraction from 0 to 1: `25%` is a percentage"
        );
        assert_eq!(
            err.hint.as_deref(),
            Some("write it as a fraction: `pace_tolerance: 0.25`")
        );
        assert_eq!((err.span.line, err.span.column), (2, 17));
        let err = parse("pace_tolerance: 25\n").unwrap_err();
        assert_eq!(
            err.message,
            "`pace_tolerance` must be a fraction from 0 to 1: 25 is outside 0 to 1"
        );
        let err = parse("pace_tolerance: lots\n").unwrap_err();
        assert!(err.message.ends_with("`lots` is text"), "{}", err.message);
        assert_eq!(parse("").unwrap().max_unplanned_share, 0.3);
        let err = parse("max_unplanned_share: \"30%\"\n").unwrap_err();
        assert_eq!(
            err.hint.as_deref(),
            Some("write it as a fraction: `max_unplanned_share: 0.3`")
        );
        assert_eq!((err.span.line, err.span.column), (1, 22));
        let err = parse("max_unplanned_share: 30\n").unwrap_err();
        assert!(
            err.message.ends_with("30 is outside 0 to 1"),
            "{}",
            err.message
        );
    }

    #[test]
    fn output_verbs_are_words_and_replace_the_default() {
        let config = parse("output_verbs: [Launch, roll out]\n").unwrap();
        assert_eq!(config.output_verbs, ["launch", "roll out"]);
        assert!(parse("output_verbs: []\n").unwrap().output_verbs.is_empty());
        assert!(Config::default()
            .output_verbs
            .contains(&"deliver".to_string()));
        let err = parse("output_verbs:\n  - launch\n  - ship it!\n").unwrap_err();
        assert_eq!(
            err.message,
            "`ship it!` is not a verb: write words of letters separated by single spaces"
        );
        assert_eq!(err.span.line, 3);
        let err = parse("output_verbs: launch\n").unwrap_err();
        assert!(
            err.message.contains("must be a list of verbs"),
            "{}",
            err.message
        );
        let err = parse("output_verbs: [3]\n").unwrap_err();
        assert!(err.message.contains("not a number"), "{}", err.message);
    }

    #[test]
    fn a_key_written_twice_is_refused_at_the_second() {
        let err = parse("title: A\nmax_bets_per_quarter: 3\ntitle: B\n").unwrap_err();
        assert_eq!(
            err.message,
            "throughline.yaml is not valid YAML: `title` is written twice in the same mapping (first on line 1)"
        );
        assert_eq!((err.span.line, err.span.column), (3, 1));
        assert_eq!(
            err.hint.as_deref(),
            Some("keep one `title:`; YAML would silently use the last one")
        );
        let err = parse("kinds:\n  bet:\n    label: A\n    label: B\n").unwrap_err();
        assert_eq!((err.span.line, err.span.column), (4, 5));
        assert!(
            err.message.ends_with("(first on line 3)"),
            "{}",
            err.message
        );
    }

    #[test]
    fn kinds_can_be_relabelled_changed_and_added() {
        let config = parse(
            "kinds:\n  bet: { label: Initiative, cadence: 6w }\n  initiative: { layer: 3, parents: [product-strategy], cadence: 3m }\n",
        )
        .unwrap();
        let bet = config.schema.get("bet").unwrap();
        assert_eq!(bet.label, "Initiative");
        assert_eq!(bet.cadence, Cadence::parse("6w"));
        let added = config.schema.get("initiative").unwrap();
        assert!(added.must_trace_to_strategy());
        assert!(added.parents.allows("product-strategy"));
    }

    #[test]
    fn bad_kind_parent_and_rule_names_are_refused() {
        let err = parse("kinds:\n  bet: { parents: [product-stratgy] }\n").unwrap_err();
        assert_eq!(
            err.hint.as_deref(),
            Some("did you mean `product-strategy`?")
        );
        let err = parse("rules: { stael: deny }\n").unwrap_err();
        assert_eq!(err.hint.as_deref(), Some("did you mean `stale`?"));
        let err = parse("rules:\n  cycle: allow\n").unwrap_err();
        assert!(err.message.contains("structural"), "{}", err.message);
        let err = parse("rules:\n  large-code-block: allow\n").unwrap_err();
        assert!(err.message.contains("cannot be set"), "{}", err.message);
        let err = parse("rules: { stale: sometimes }\n").unwrap_err();
        assert!(err.message.contains("allow, warn or deny"));
    }
}
