//! Front matter to a typed [`Document`]: every field of SPEC §2, each wrong
//! value reported as a `schema` diagnostic at its own position, all at once.

use serde_json::{Map, Value};

use crate::config::{Schema, PAGE_KIND};
use crate::date::{parse_date, Cadence, Date, Quarter};
use crate::diagnostics::{Diagnostic, Severity, Span};
use crate::model::*;
use crate::source::frontmatter::{split_front_matter, SplitError};
use crate::source::{extract_body, SourceFile, MAX_HIGHLIGHTED_CODE_BYTES};
use crate::text::{group_digits, is_slug, slugify, suggest, LineIndex};
use crate::yaml::lines::Line;

use super::identity::{identity, scalar_text, Identity};
use crate::yaml::{self, Locator, Step};

/// Every front-matter field throughline understands.
pub const KNOWN_FIELDS: &[&str] = &[
    "id",
    "kind",
    "title",
    "parent",
    "supports",
    "related",
    "owner",
    "team",
    "status",
    "quarter",
    "reviewed",
    "reviewed_against",
    "updated",
    "review_every",
    "tags",
    "draft",
    "size",
    "dhm",
    "confidence",
    "lno",
    "source",
    "success",
    "key_results",
    "approval",
    "type",
    "indicator",
    "unit",
    "direction",
    "checkins",
    "drives",
    "assumption",
    "result",
    "concluded",
    "fixed",
    "open",
    "constraints",
    "decides",
    "superseded_by",
    "options",
    "tradeoffs",
    "confidence_log",
    "covers",
    "date",
    "depends_on",
    "handles",
    "role",
    "participants",
    "tracks",
];
const DHM_FIELDS: &[&str] = &["delight", "hard_to_copy", "margin"];
const CONFIDENCE_FIELDS: &[&str] = &["problem", "solution", "outcome"];
const SUCCESS_FIELDS: &[&str] = &["outcome", "metric", "baseline", "target", "deadline"];
const KEY_RESULT_FIELDS: &[&str] = &["metric", "baseline", "target", "by"];
const APPROVAL_FIELDS: &[&str] = &["level", "approver"];
const CHECKIN_FIELDS: &[&str] = &["date", "value", "note"];
const DEPENDENCY_FIELDS: &[&str] = &["id", "needed_by", "note"];
const CONFIDENCE_LOG_FIELDS: &[&str] =
    &["date", "problem", "solution", "outcome", "note", "evidence"];
const SCORE_FIELDS: &[&str] = &["score", "note"];

/// The fields inside each structured field, for documentation and its test.
pub const NESTED_FIELDS: &[(&str, &[&str])] = &[
    ("dhm", DHM_FIELDS),
    ("dhm score", SCORE_FIELDS),
    ("confidence", CONFIDENCE_FIELDS),
    ("success", SUCCESS_FIELDS),
    ("key_results", KEY_RESULT_FIELDS),
    ("approval", APPROVAL_FIELDS),
    ("checkins", CHECKIN_FIELDS),
    ("depends_on", DEPENDENCY_FIELDS),
    ("confidence_log", CONFIDENCE_LOG_FIELDS),
];

/// Whether `field` is read on a document of kind `kind`: `fixed:` and
/// `open:` frame the strategy stack above sprint work (layers 1 to 4:
/// strategies, bets, objectives, and a configured kind placed there), so
/// elsewhere they are reported and not read. Every other field is read on
/// any kind. The LSP's completion asks the same.
pub fn field_applies(field: &str, kind: Option<&crate::config::KindDef>) -> bool {
    match field {
        "fixed" | "open" => kind.and_then(|k| k.layer).is_some_and(|l| l <= 4),
        _ => true,
    }
}

/// Parses one source file (at `source` in the site's list) into a document and its diagnostics.
pub fn parse_document(
    file: &SourceFile,
    source: SourceId,
    schema: &Schema,
) -> (Document, Vec<Diagnostic>) {
    let text = file.text.as_str();
    let lines = LineIndex::new(text);
    let stem_id = stem_id(&file.path);
    let mut doc = Document {
        id: stem_id.clone(),
        source,
        file: file.path.clone(),
        kind: PAGE_KIND.to_string(),
        ..Document::default()
    };
    let mut diags = Vec::new();

    let fm = match split_front_matter(text) {
        Ok(fm) => fm,
        Err(SplitError::Unclosed) => {
            diags.push(
                Diagnostic::error(
                    "yaml",
                    &file.path,
                    Span::new(1, 1, 3),
                    "front matter is never closed",
                )
                .with_label("opened here")
                .with_hint("end the front matter with a line that holds only `---`"),
            );
            doc.invalid = true;
            doc.id = recover_id(text).unwrap_or(stem_id);
            return finish(doc, diags);
        }
    };
    doc.body_offset = fm.body_offset;
    doc.body = extract_body(text, fm.body_offset, &lines, &file.path);
    // Reported here, where both `check` and `build` see it, rather than by
    // the renderer, which only `build` runs.
    for block in &doc.body.large_code_blocks {
        diags.push(
            Diagnostic::new(
                "large-code-block",
                Severity::Info,
                &file.path,
                block.span,
                format!(
                    "this code block is {} KiB, so it is shown without syntax highlighting",
                    group_digits(block.bytes.div_ceil(1024))
                ),
            )
            .with_hint(format!(
                "code blocks over {} KiB are not highlighted; split it, or link to the file instead",
                MAX_HIGHLIGHTED_CODE_BYTES / 1024
            )),
        );
    }

    let map = match yaml::parse_front_matter(fm.yaml) {
        Ok(map) => map,
        Err(e) => {
            let first_line = lines.span(text, fm.yaml_offset, 0).line;
            let span = Span::new(first_line + e.line - 1, e.column, 0);
            let hint = e
                .hint
                .clone()
                .unwrap_or_else(|| yaml::syntax_hint(fm.yaml, e.line));
            diags.push(
                Diagnostic::error(
                    "yaml",
                    &file.path,
                    span,
                    format!(
                        "front matter is not valid YAML: {}",
                        e.message_in_file(first_line)
                    ),
                )
                .with_hint(hint),
            );
            doc.invalid = true;
            doc.id = recover_id(fm.yaml).unwrap_or(stem_id);
            return finish(doc, diags);
        }
    };

    let mut reader = Reader {
        file: &file.path,
        text,
        yaml_offset: fm.yaml_offset,
        locator: Locator::new(fm.yaml),
        lines: &lines,
        diags,
    };
    reader.read_fields(&mut doc, map, schema, stem_id);
    let diags = reader.diags;
    finish(doc, diags)
}

fn finish(mut doc: Document, mut diags: Vec<Diagnostic>) -> (Document, Vec<Diagnostic>) {
    if doc.title.is_empty() {
        doc.title = doc
            .body
            .first_heading
            .clone()
            .unwrap_or_else(|| doc.id.clone());
    }
    for d in &mut diags {
        d.doc = Some(doc.id.clone());
    }
    (doc, diags)
}

/// The id of a document without `id:`: its file name, slugified.
pub(crate) fn stem_id(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    slugify(name.strip_suffix(".md").unwrap_or(name))
}

/// Finds `id: x` by eye when the YAML as a whole cannot be parsed, so that links to the document still resolve.
fn recover_id(yaml: &str) -> Option<String> {
    yaml.lines().map(Line::read).find_map(|l| {
        let value = Some(l)
            .filter(|l| l.is_top_level() && l.key == Some("id"))?
            .value()
            .trim_matches(['"', '\'']);
        is_slug(value).then(|| value.to_string())
    })
}

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    yaml_offset: usize,
    locator: Locator<'a>,
    lines: &'a LineIndex,
    diags: Vec<Diagnostic>,
}

/// How a message names the field at `path`, backticks included. Positions
/// in lists count from 1 everywhere a person reads them, so a path into a
/// list is written in words: "`baseline` of key result 2", "check-in 1",
/// "item 3 of `supports`", never `key_results[1]`.
fn path_name(path: &[Step<'_>]) -> String {
    let Some(at) = path.iter().position(|s| matches!(s, Step::Index(_))) else {
        return format!("`{}`", dotted(path));
    };
    let (Some(Step::Index(i)), Some(Step::Key(list))) =
        (path.get(at), path.get(at.wrapping_sub(1)))
    else {
        return format!("`{}`", dotted(path));
    };
    let item = match *list {
        "key_results" => format!("key result {}", i + 1),
        "checkins" => format!("check-in {}", i + 1),
        _ => format!("item {} of `{}`", i + 1, dotted(&path[..at])),
    };
    match &path[at + 1..] {
        [] => item,
        rest => format!("`{}` of {item}", dotted(rest)),
    }
}

/// The keys of `path` joined by dots (`dhm.delight`); an index is skipped.
fn dotted(path: &[Step<'_>]) -> String {
    path.iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(*k),
            Step::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// What a list field makes of a value written where its list should be.
#[derive(Clone, Copy)]
enum Lone<'e> {
    /// It is reported: the field must be `expected`.
    Refused(&'e str),
    /// An id (text or a number) is a list of one; anything else is reported
    /// as not `expected`.
    Scalar(&'e str),
    /// Whatever it is, it is the list's one item.
    Any,
}

/// One item of a list field: where it is, and its number as a person counts.
struct Item {
    path: Vec<Step<'static>>,
    number: usize,
}

impl Item {
    fn nth(key: &'static str, index: usize) -> Item {
        Item {
            path: vec![Step::Key(key), Step::Index(index)],
            number: index + 1,
        }
    }

    /// The value written alone in place of the list.
    fn alone(key: &'static str) -> Item {
        Item {
            path: vec![Step::Key(key)],
            number: 1,
        }
    }

    /// The path to the item's field `field`.
    fn at(&self, field: &'static str) -> Vec<Step<'static>> {
        let mut path = self.path.clone();
        path.push(Step::Key(field));
        path
    }
}

impl Reader<'_> {
    fn to_span(&self, located: Option<yaml::Located>) -> Span {
        match located {
            Some(l) => self
                .lines
                .span(self.text, self.yaml_offset + l.offset, l.len),
            None => self.lines.span(self.text, self.yaml_offset, 0),
        }
    }

    fn value_span(&self, path: &[Step<'_>]) -> Span {
        self.to_span(self.locator.value(path))
    }

    fn key_span(&self, path: &[Step<'_>]) -> Span {
        self.to_span(self.locator.key(path))
    }

    fn error(&mut self, path: &[Step<'_>], message: String, hint: Option<String>) {
        let d = Diagnostic::error("schema", self.file, self.value_span(path), message);
        self.diags.push(match hint {
            Some(h) => d.with_hint(h),
            None => d,
        });
    }

    fn wrong_type(&mut self, path: &[Step<'_>], value: &Value, expected: &str) {
        let message = format!(
            "{} must be {expected}, not {}",
            path_name(path),
            yaml::describe(value)
        );
        self.error(path, message, None);
    }

    fn text(&mut self, value: &Value, path: &[Step<'_>]) -> Option<String> {
        let text = scalar_text(value);
        if text.is_none() && !value.is_null() {
            self.wrong_type(path, value, "text");
        }
        text
    }

    fn date(&mut self, value: &Value, path: &[Step<'_>]) -> Option<Date> {
        match value {
            Value::Null => None,
            Value::String(s) => {
                let date = parse_date(s.trim());
                if date.is_none() {
                    let message = format!("{} is not a valid date: `{s}`", path_name(path));
                    self.error(
                        path,
                        message,
                        Some("write dates as YYYY-MM-DD, e.g. 2026-10-02".to_string()),
                    );
                }
                date
            }
            other => {
                self.wrong_type(path, other, "a date (YYYY-MM-DD)");
                None
            }
        }
    }

    fn number(&mut self, value: &Value, path: &[Step<'_>]) -> Option<f64> {
        match value {
            Value::Null => None,
            Value::Number(n) => n.as_f64(),
            Value::String(s) => {
                let name = path_name(path);
                let (message, hint) = match yaml::number_problem(s) {
                    Some(yaml::NumberProblem::NotFinite) => (
                        format!("{name} must be a finite number, not `{s}`"),
                        "write a number such as 40 or 0.5; leave the field empty while it is unknown",
                    ),
                    Some(yaml::NumberProblem::OutOfRange { negative }) => (
                        format!(
                            "{name} is out of range: `{}` is too {} for a number",
                            s.trim(),
                            if negative { "far below zero" } else { "large" }
                        ),
                        "write a number between -1.7e308 and 1.7e308; a value this size is usually a typo",
                    ),
                    None => (
                        format!("{name} must be a number, not text (`{s}`)"),
                        "write the bare number; put the unit on the metric (`unit:`)",
                    ),
                };
                self.error(path, message, Some(hint.to_string()));
                None
            }
            other => {
                self.wrong_type(path, other, "a number");
                None
            }
        }
    }

    fn boolean(&mut self, value: &Value, path: &[Step<'_>]) -> Option<bool> {
        match value {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(path, other, "true or false");
                None
            }
        }
    }

    fn vocab<T>(
        &mut self,
        value: &Value,
        path: &[Step<'_>],
        parse: fn(&str) -> Option<T>,
        all: &[&str],
    ) -> Option<T> {
        let word = self.text(value, path)?;
        let parsed = parse(word.trim());
        if parsed.is_none() {
            let hint = match suggest(word.trim(), all.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? (one of: {})", all.join(", ")),
                None => format!("use one of: {}", all.join(", ")),
            };
            self.error(
                path,
                format!("{} cannot be `{word}`", path_name(path)),
                Some(hint),
            );
        }
        parsed
    }

    fn id_ref(&mut self, value: &Value, path: &[Step<'_>]) -> Option<Ref> {
        let id = match value {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Null => return None,
            other => {
                self.wrong_type(path, other, "an id");
                return None;
            }
        };
        let span = self.value_span(path);
        Some(Ref { id, span })
    }

    fn id_list(&mut self, value: &Value, key: &'static str) -> Vec<Ref> {
        self.list_of(value, key, Lone::Scalar("a list of ids"), |r, v, item| {
            r.id_ref(v, &item.path)
        })
    }

    /// The walk every list field shares: each item read by `read` at its own
    /// path (an item `read` refuses is left out, `read` having reported
    /// why), and a value that is not a list treated as `lone` says.
    fn list_of<T>(
        &mut self,
        value: &Value,
        key: &'static str,
        lone: Lone<'_>,
        mut read: impl FnMut(&mut Self, &Value, &Item) -> Option<T>,
    ) -> Vec<T> {
        let items: Vec<(Item, &Value)> = match (value, lone) {
            (Value::Null, _) => return Vec::new(),
            (Value::Array(items), _) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Item::nth(key, i), v))
                .collect(),
            (Value::String(_) | Value::Number(_), Lone::Scalar(_)) | (_, Lone::Any) => {
                vec![(Item::alone(key), value)]
            }
            (other, Lone::Refused(expected) | Lone::Scalar(expected)) => {
                self.wrong_type(&[Step::Key(key)], other, expected);
                return Vec::new();
            }
        };
        items
            .into_iter()
            .filter_map(|(item, v)| read(self, v, &item))
            .collect()
    }

    /// A list of mappings with `fields` (`key_results:`, `checkins:`, …):
    /// an item that is not a mapping is reported and left out, an empty one
    /// left out; anything but a list is reported as not `expected`.
    fn entries<T>(
        &mut self,
        value: &Value,
        key: &'static str,
        expected: &str,
        fields: &[&str],
        mut read: impl FnMut(&mut Self, &Map<String, Value>, &Item) -> Option<T>,
    ) -> Vec<T> {
        self.list_of(value, key, Lone::Refused(expected), |r, v, item| {
            let obj = r.object(v, &item.path, fields)?;
            read(r, obj, item)
        })
    }

    /// `reviewed_against: {id: stamp, ...}`, as `throughline review` writes it.
    fn review_stamps(&mut self, value: &Value) -> Vec<ReviewStamp> {
        let key = "reviewed_against";
        let Value::Object(map) = value else {
            if !value.is_null() {
                self.wrong_type(&[Step::Key(key)], value, "a map of ids to review stamps");
            }
            return Vec::new();
        };
        let mut stamps = Vec::new();
        for (id, stamp) in map {
            let path = [Step::Key(key), Step::Key(id)];
            let parsed = stamp.as_str().and_then(Fingerprint::parse);
            match parsed {
                Some(stamp) if is_slug(id) => stamps.push(ReviewStamp {
                    target: Ref {
                        id: id.clone(),
                        span: self.key_span(&path),
                    },
                    stamp,
                }),
                _ => self.error(
                    &path,
                    format!("`{key}.{id}` is not a review stamp"),
                    Some("stamps are written by `throughline review ID`; run it again rather than editing them".to_string()),
                ),
            }
        }
        stamps
    }

    fn metric_ref(&mut self, value: &Value, path: &[Step<'_>]) -> Option<MetricRef> {
        let text = self.text(value, path)?;
        let text = text.trim().to_string();
        if is_slug(&text) {
            let span = self.value_span(path);
            Some(MetricRef::Id(Ref { id: text, span }))
        } else {
            Some(MetricRef::Text(text))
        }
    }

    fn object<'v>(
        &mut self,
        value: &'v Value,
        path: &[Step<'_>],
        fields: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Null => None,
            Value::Object(obj) => {
                for key in obj.keys() {
                    if !fields.contains(&key.as_str()) {
                        let mut key_path = path.to_vec();
                        key_path.push(Step::Key(key));
                        let hint = match suggest(key, fields.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!(
                                "the fields of {} are: {}",
                                path_name(path),
                                fields.join(", ")
                            ),
                        };
                        let span = self.key_span(&key_path);
                        self.diags.push(
                            Diagnostic::warning(
                                "schema",
                                self.file,
                                span,
                                format!("unknown field {}", path_name(&key_path)),
                            )
                            .with_hint(hint),
                        );
                    }
                }
                Some(obj)
            }
            other => {
                self.wrong_type(path, other, "a mapping of fields");
                None
            }
        }
    }

    fn dhm_score(&mut self, value: &Value, path: &[Step<'_>]) -> Option<DhmScore> {
        let (score_value, note) = match value {
            Value::Null => return None,
            Value::Object(_) => {
                let obj = self.object(value, path, SCORE_FIELDS)?;
                let mut note_path = path.to_vec();
                note_path.push(Step::Key("note"));
                let note = obj.get("note").and_then(|n| self.text(n, &note_path));
                (obj.get("score").cloned().unwrap_or(Value::Null), note)
            }
            other => (other.clone(), None),
        };
        let score = match &score_value {
            Value::Number(n) => n.as_f64(),
            Value::Null => {
                self.error(
                    path,
                    format!("{} has no score", path_name(path)),
                    Some("give a score from 1 to 5".to_string()),
                );
                return None;
            }
            other => {
                self.wrong_type(path, other, "a score from 1 to 5");
                return None;
            }
        };
        match score {
            Some(s) if (1.0..=5.0).contains(&s) && s.fract() == 0.0 => Some(DhmScore {
                score: s as u8,
                note,
            }),
            _ => {
                let message = format!(
                    "{} is {score_value}; DHM scores are whole numbers from 1 to 5",
                    path_name(path)
                );
                self.error(path, message, None);
                None
            }
        }
    }

    /// Reports what is wrong with the document's id, as [`Identity`] found
    /// it: an id [`check_id`] refuses is reported here, where `check` and so
    /// `build` see it (the identity has already replaced one that is not a
    /// slug, so that links to it still resolve and later findings can name
    /// the document).
    fn report_id(&mut self, who: &Identity, span: Option<Span>, stem_id: &str) {
        let Some(e) = &who.id_error else {
            return;
        };
        let from_name = who.written_id.is_none();
        let id = who.written_id.as_deref().unwrap_or(stem_id);
        let (message, hint) = match (e, from_name) {
            (IdError::Empty, true) => (
                "no id can be made from this file's name".to_string(),
                "add an `id:` field with letters or digits".to_string(),
            ),
            (IdError::TooLong(_), true) => (
                format!("this file's name makes an id too long: {}", e.message(id)),
                "add a shorter `id:` to the front matter, or rename the file".to_string(),
            ),
            _ => (e.message(id), e.hint(id)),
        };
        let d = Diagnostic::error(
            "schema",
            self.file,
            span.unwrap_or_else(Span::file_start),
            message,
        )
        .with_hint(hint);
        self.diags.push(d);
    }

    fn read_fields(
        &mut self,
        doc: &mut Document,
        map: Map<String, Value>,
        schema: &Schema,
        stem_id: String,
    ) {
        // Identity first, so later diagnostics can name the document. It is
        // read as `history` reads it; here its problems are reported too.
        let who = identity(&map, self.file);
        if let Some(v) = map.get("id").filter(|v| !v.is_null()) {
            let path = [Step::Key("id")];
            doc.id_span = Some(self.value_span(&path));
            self.text(v, &path);
        }
        self.report_id(&who, doc.id_span, &stem_id);
        doc.id = who.id;

        if let Some(v) = map.get("kind").filter(|v| !v.is_null()) {
            let path = [Step::Key("kind")];
            doc.kind_span = Some(self.value_span(&path));
            self.text(v, &path);
            if let Some(kind) = who.kind {
                if schema.get(&kind).is_some() {
                    doc.kind = kind;
                } else {
                    let hint = match suggest(&kind, schema.names()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "the kinds are: {}",
                            schema.names().collect::<Vec<_>>().join(", ")
                        ),
                    };
                    self.error(&path, format!("unknown kind `{kind}`"), Some(hint));
                    doc.invalid = true;
                }
            }
        }

        let kind_def = schema.get(&doc.kind);
        for (key, value) in &map {
            let k = [Step::Key(key.as_str())];
            if !field_applies(key, kind_def) {
                let span = self.key_span(&k);
                self.diags.push(
                    Diagnostic::warning(
                        "schema",
                        self.file,
                        span,
                        format!(
                            "`{key}` is not read on a `{}` document: it belongs to strategies, bets and objectives",
                            doc.kind
                        ),
                    )
                    .with_hint(
                        "move it to the objective, bet or strategy this document serves, or into its body",
                    ),
                );
                doc.extra.insert(key.clone(), value.clone());
                continue;
            }
            match key.as_str() {
                "id" | "kind" => {}
                "title" => {
                    self.text(value, &k);
                    doc.title = who.title.clone().unwrap_or_default();
                }
                "parent" => doc.parent = self.id_ref(value, &k),
                "supports" => doc.supports = self.id_list(value, "supports"),
                "related" => doc.related = self.id_list(value, "related"),
                "covers" => doc.covers = self.id_list(value, "covers"),
                "drives" => doc.drives = self.id_list(value, "drives"),
                "tracks" => doc.tracks = self.id_list(value, "tracks"),
                "team" => doc.team = self.id_ref(value, &k),
                "owner" => {
                    doc.owner = self.text(value, &k);
                    doc.owner_span = doc.owner.as_ref().map(|_| self.value_span(&k));
                }
                "status" => {
                    doc.status = self.vocab(value, &k, Status::parse, Status::for_kind(&doc.kind))
                }
                "quarter" => {
                    if let Some(q) = self.text(value, &k) {
                        doc.quarter = Quarter::parse(q.trim());
                        if doc.quarter.is_none() {
                            self.error(
                                &k,
                                format!("`quarter` is not a quarter: `{q}`"),
                                Some("write quarters as YYYY-Qn, e.g. 2027-Q1".to_string()),
                            );
                        }
                    }
                }
                "reviewed" => doc.reviewed = self.date(value, &k),
                "reviewed_against" => doc.reviewed_against = self.review_stamps(value),
                "updated" => doc.updated = self.date(value, &k),
                "date" => doc.date = self.date(value, &k),
                "concluded" => doc.concluded = self.date(value, &k),
                "review_every" => {
                    if let Some(c) = self.text(value, &k) {
                        match Cadence::parse_explained(&c) {
                            Ok(cadence) => doc.review_every = Some(cadence),
                            Err(why) => self.error(
                                &k,
                                format!("`review_every` is not a duration: {why}"),
                                Some("write durations as 30d, 12w, 6m or 1y".to_string()),
                            ),
                        }
                    }
                }
                "fixed" => doc.fixed = self.text_list(value, "fixed"),
                "open" => doc.open = self.text_list(value, "open"),
                "constraints" => doc.constraints = self.text_list(value, "constraints"),
                "options" => doc.options = self.text_list(value, "options"),
                "tradeoffs" => doc.tradeoffs = self.text_list(value, "tradeoffs"),
                "decides" => doc.decides = self.id_list(value, "decides"),
                "superseded_by" => doc.superseded_by = self.id_ref(value, &k),
                // Trimmed and empty ones dropped, as statements are: `" c "`
                // and `c` are one tag to whoever filters by it.
                "tags" => doc.tags = self.text_list(value, "tags"),
                "draft" => {
                    self.boolean(value, &k);
                    doc.draft = who.draft;
                }
                "size" => doc.size = self.vocab(value, &k, Size::parse, Size::ALL),
                "lno" => doc.lno = self.vocab(value, &k, Lno::parse, Lno::ALL),
                "source" => {
                    doc.work_source = self.vocab(value, &k, WorkSource::parse, WorkSource::ALL)
                }
                "type" => {
                    doc.metric_type = self.vocab(value, &k, MetricType::parse, MetricType::ALL)
                }
                "indicator" => {
                    doc.indicator = self.vocab(value, &k, Indicator::parse, Indicator::ALL)
                }
                "direction" => {
                    doc.direction = self.vocab(value, &k, Direction::parse, Direction::ALL)
                }
                "result" => {
                    doc.result =
                        self.vocab(value, &k, ExperimentResult::parse, ExperimentResult::ALL)
                }
                "unit" => doc.unit = self.text(value, &k),
                "assumption" => doc.assumption = self.text(value, &k),
                "dhm" => doc.dhm = self.read_dhm(value),
                "confidence" => doc.confidence = self.read_confidence(value),
                "confidence_log" => doc.confidence_log = self.read_confidence_log(value),
                "success" => doc.success = self.read_success(value),
                "key_results" => doc.key_results = self.read_key_results(value),
                "approval" => doc.approval = self.read_approval(value),
                "checkins" => doc.checkins = self.read_checkins(value),
                "depends_on" => doc.depends_on = self.read_dependencies(value),
                "handles" => doc.handles = self.text_list(value, "handles"),
                "participants" => doc.participants = self.text_list(value, "participants"),
                "role" => doc.role = self.text(value, &k),
                unknown => {
                    if let Some(s) = suggest(unknown, KNOWN_FIELDS.iter().copied()) {
                        let span = self.key_span(&k);
                        self.diags.push(
                            Diagnostic::warning(
                                "schema",
                                self.file,
                                span,
                                format!("unknown field `{unknown}`"),
                            )
                            .with_hint(format!("did you mean `{s}`?")),
                        );
                    }
                    doc.extra.insert(unknown.to_string(), value.clone());
                }
            }
        }
    }

    /// A list of short statements (`fixed:`, `open:`, `constraints:`); one
    /// statement written alone is a list of one.
    fn text_list(&mut self, value: &Value, key: &'static str) -> Vec<String> {
        self.list_of(value, key, Lone::Any, |r, v, item| {
            let text = r.text(v, &item.path)?;
            Some(text.trim().to_string()).filter(|t| !t.is_empty())
        })
    }

    fn read_dhm(&mut self, value: &Value) -> Option<Dhm> {
        let obj = self.object(value, &[Step::Key("dhm")], DHM_FIELDS)?;
        let mut dhm = Dhm::default();
        for (field, slot) in [
            ("delight", &mut dhm.delight),
            ("hard_to_copy", &mut dhm.hard_to_copy),
            ("margin", &mut dhm.margin),
        ] {
            if let Some(v) = obj.get(field) {
                *slot = self.dhm_score(v, &[Step::Key("dhm"), Step::Key(field)]);
            }
        }
        Some(dhm)
    }

    fn read_confidence(&mut self, value: &Value) -> Option<Confidence> {
        let obj = self.object(value, &[Step::Key("confidence")], CONFIDENCE_FIELDS)?;
        let mut c = Confidence::default();
        for (field, slot) in [
            ("problem", &mut c.problem),
            ("solution", &mut c.solution),
            ("outcome", &mut c.outcome),
        ] {
            if let Some(v) = obj.get(field) {
                *slot = self.vocab(
                    v,
                    &[Step::Key("confidence"), Step::Key(field)],
                    Level::parse,
                    Level::ALL,
                );
            }
        }
        Some(c)
    }

    fn read_confidence_log(&mut self, value: &Value) -> Vec<ConfidenceEntry> {
        let mut entries = self.entries(
            value,
            "confidence_log",
            "a list of `{date, problem, solution, outcome, note}` entries",
            CONFIDENCE_LOG_FIELDS,
            |r, obj, item| {
                let mut levels = Confidence::default();
                for (field, slot) in [
                    ("problem", &mut levels.problem),
                    ("solution", &mut levels.solution),
                    ("outcome", &mut levels.outcome),
                ] {
                    if let Some(v) = obj.get(field) {
                        *slot = r.vocab(v, &item.at(field), Level::parse, Level::ALL);
                    }
                }
                let note = obj.get("note").and_then(|n| r.text(n, &item.at("note")));
                let evidence = obj
                    .get("evidence")
                    .and_then(|n| r.text(n, &item.at("evidence")));
                let date = obj.get("date").and_then(|d| r.date(d, &item.at("date")));
                if date.is_none() && !obj.contains_key("date") {
                    r.error(
                        &item.path,
                        format!("confidence entry {} has no `date`", item.number),
                        Some("write when the levels were set: `date: YYYY-MM-DD`".to_string()),
                    );
                }
                Some(ConfidenceEntry {
                    date: date?,
                    levels,
                    note,
                    evidence,
                })
            },
        );
        entries.sort_by_key(|e| e.date);
        entries
    }

    fn read_success(&mut self, value: &Value) -> Option<Success> {
        let obj = self.object(value, &[Step::Key("success")], SUCCESS_FIELDS)?;
        let at = |f: &'static str| [Step::Key("success"), Step::Key(f)];
        let get = |f: &str| obj.get(f).unwrap_or(&Value::Null);
        Some(Success {
            outcome: self.text(get("outcome"), &at("outcome")),
            metric: self.metric_ref(get("metric"), &at("metric")),
            baseline: self.number(get("baseline"), &at("baseline")),
            target: self.number(get("target"), &at("target")),
            deadline: self.date(get("deadline"), &at("deadline")),
        })
    }

    fn read_key_results(&mut self, value: &Value) -> Vec<KeyResult> {
        self.entries(
            value,
            "key_results",
            "a list of key results",
            KEY_RESULT_FIELDS,
            |r, obj, item| {
                let get = |f: &str| obj.get(f).unwrap_or(&Value::Null);
                Some(KeyResult {
                    metric: r.metric_ref(get("metric"), &item.at("metric")),
                    baseline: r.number(get("baseline"), &item.at("baseline")),
                    target: r.number(get("target"), &item.at("target")),
                    by: r.date(get("by"), &item.at("by")),
                })
            },
        )
    }

    fn read_approval(&mut self, value: &Value) -> Option<Approval> {
        let obj = self.object(value, &[Step::Key("approval")], APPROVAL_FIELDS)?;
        let get = |f: &str| obj.get(f).unwrap_or(&Value::Null);
        Some(Approval {
            level: self.vocab(
                get("level"),
                &[Step::Key("approval"), Step::Key("level")],
                ApprovalLevel::parse,
                ApprovalLevel::ALL,
            ),
            approver: self.text(
                get("approver"),
                &[Step::Key("approval"), Step::Key("approver")],
            ),
        })
    }

    /// `depends_on:`: ids, or `{id, needed_by, note}`; a lone id is a list of one.
    fn read_dependencies(&mut self, value: &Value) -> Vec<Dependency> {
        self.list_of(value, "depends_on", Lone::Any, |r, v, item| match v {
            Value::Object(_) => {
                let obj = r.object(v, &item.path, DEPENDENCY_FIELDS)?;
                let get = |f: &str| obj.get(f).unwrap_or(&Value::Null);
                let target = r.id_ref(get("id"), &item.at("id"));
                let needed_by = obj
                    .get("needed_by")
                    .and_then(|d| r.date(d, &item.at("needed_by")));
                let note = obj.get("note").and_then(|n| r.text(n, &item.at("note")));
                if target.is_none() {
                    r.error(
                        &item.path,
                        format!("dependency {} has no `id`", item.number),
                        Some("write `{id: ID, needed_by: YYYY-MM-DD}` or just the id".to_string()),
                    );
                }
                Some(Dependency {
                    target: target?,
                    needed_by,
                    note,
                })
            }
            Value::String(_) | Value::Number(_) => Some(Dependency {
                target: r.id_ref(v, &item.path)?,
                needed_by: None,
                note: None,
            }),
            other => {
                r.wrong_type(&item.path, other, "an id or `{id, needed_by, note}`");
                None
            }
        })
    }

    fn read_checkins(&mut self, value: &Value) -> Vec<Checkin> {
        let mut checkins = self.entries(
            value,
            "checkins",
            "a list of `{date, value}` check-ins",
            CHECKIN_FIELDS,
            |r, obj, item| {
                let date = obj.get("date").and_then(|d| r.date(d, &item.at("date")));
                let value = obj
                    .get("value")
                    .and_then(|v| r.number(v, &item.at("value")));
                let note = obj.get("note").and_then(|n| r.text(n, &item.at("note")));
                match (date, value) {
                    (Some(date), Some(value)) => return Some(Checkin { date, value, note }),
                    (None, _) if !obj.contains_key("date") => r.error(
                        &item.path,
                        format!("check-in {} has no `date`", item.number),
                        None,
                    ),
                    (_, None) if !obj.contains_key("value") => r.error(
                        &item.path,
                        format!("check-in {} has no `value`", item.number),
                        None,
                    ),
                    _ => {}
                }
                None
            },
        );
        checkins.sort_by_key(|c| c.date);
        checkins
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str, text: &str) -> (Document, Vec<Diagnostic>) {
        let file = SourceFile::new(path.to_string(), path.into(), text.to_string());
        parse_document(&file, SourceId::default(), &Schema::builtin())
    }

    fn messages(diags: &[Diagnostic]) -> Vec<String> {
        let mut diags = diags.to_vec();
        crate::diagnostics::sort(&mut diags);
        diags
            .iter()
            .map(|d| {
                format!(
                    "{}:{} {} {} {}",
                    d.span.line, d.span.column, d.rule, d.severity, d.message
                )
            })
            .collect()
    }

    /// Every diagnostic whole: place, rule, severity, message and hint.
    fn full(diags: &[Diagnostic]) -> Vec<String> {
        let mut diags = diags.to_vec();
        crate::diagnostics::sort(&mut diags);
        diags
            .iter()
            .map(|d| {
                format!(
                    "{}:{}+{} {} {} {} | {}",
                    d.span.line,
                    d.span.column,
                    d.span.len,
                    d.rule,
                    d.severity,
                    d.message,
                    d.hint.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }

    /// Pins what each reader of a list in front matter says of a wrong
    /// shape (a scalar for the list, a scalar or a list for an entry, an
    /// entry missing what it needs, an unknown field) and what it keeps.
    #[test]
    fn lists_of_entries_report_every_wrong_shape() {
        let day = |s: &str| parse_date(s).unwrap();
        let bet = |fields: &str| parse("b.md", &format!("---\nkind: bet\n{fields}---\n"));

        let (doc, diags) = bet("confidence_log: high\n");
        assert!(doc.confidence_log.is_empty());
        assert_eq!(
            full(&diags),
            vec![
                "3:17+4 schema error `confidence_log` must be a list of `{date, problem, solution, outcome, note}` entries, not text | -",
            ]
        );
        let (doc, diags) = bet("confidence_log:\n  - high\n  - [low]\n  -\n  - {problem: low}\n  - {date: 2026-01-02, problem: high, evidence: e}\n  - {date: 2026-01-01, outcome: low, note: n, bogus: 1}\n  - {date: 2026-13-01}\n");
        assert_eq!(
            full(&diags),
            vec![
                "4:5+4 schema error item 1 of `confidence_log` must be a mapping of fields, not text | -",
                "5:5+5 schema error item 2 of `confidence_log` must be a mapping of fields, not a list | -",
                "7:5+14 schema error confidence entry 4 has no `date` | write when the levels were set: `date: YYYY-MM-DD`",
                "9:47+5 schema warning unknown field `bogus` of item 6 of `confidence_log` | the fields of item 6 of `confidence_log` are: date, problem, solution, outcome, note, evidence",
                "10:12+10 schema error `date` of item 7 of `confidence_log` is not a valid date: `2026-13-01` | write dates as YYYY-MM-DD, e.g. 2026-10-02",
            ]
        );
        let log: Vec<_> = doc
            .confidence_log
            .iter()
            .map(|e| {
                (
                    e.date,
                    e.levels.problem,
                    e.levels.outcome,
                    e.note.as_deref(),
                    e.evidence.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            log,
            vec![
                (day("2026-01-01"), None, Some(Level::Low), Some("n"), None),
                (day("2026-01-02"), Some(Level::High), None, None, Some("e"))
            ]
        );

        let (doc, diags) = bet("key_results: 3\n");
        assert!(doc.key_results.is_empty());
        assert_eq!(
            full(&diags),
            vec![
                "3:14+1 schema error `key_results` must be a list of key results, not a number | -"
            ]
        );
        let (doc, diags) = bet("key_results:\n  - m-a\n  -\n  - {baseline: 1, targte: 2}\n  - {metric: m-b, target: 4, by: 2027-01-01}\n");
        assert_eq!(
            full(&diags),
            vec![
                "4:5+3 schema error key result 1 must be a mapping of fields, not text | -",
                "6:19+6 schema warning unknown field `targte` of key result 3 | did you mean `target`?",
            ]
        );
        let krs: Vec<_> = doc
            .key_results
            .iter()
            .map(|k| (k.metric.is_some(), k.baseline, k.target, k.by))
            .collect();
        assert_eq!(
            krs,
            vec![
                (false, Some(1.0), None, None),
                (true, None, Some(4.0), Some(day("2027-01-01")))
            ]
        );

        let (doc, diags) = bet("checkins: {date: 2026-01-01, value: 1}\n");
        assert!(doc.checkins.is_empty());
        assert_eq!(
            full(&diags),
            vec![
                "3:11+28 schema error `checkins` must be a list of `{date, value}` check-ins, not a mapping | -",
            ]
        );
        let (doc, diags) = bet("checkins:\n  - 5\n  - {value: 1}\n  - {date: 2026-02-01}\n  - {date: 2026-02-01, value: x}\n  - {date: 2026-03-01, value: 3, note: up, by: me}\n  - {date: 2026-01-01, value: 2}\n");
        assert_eq!(
            full(&diags),
            vec![
                "4:5+1 schema error check-in 1 must be a mapping of fields, not a number | -",
                "5:5+10 schema error check-in 2 has no `date` | -",
                "6:5+18 schema error check-in 3 has no `value` | -",
                "7:31+1 schema error `value` of check-in 4 must be a number, not text (`x`) | write the bare number; put the unit on the metric (`unit:`)",
                "8:44+2 schema warning unknown field `by` of check-in 5 | the fields of check-in 5 are: date, value, note",
            ]
        );
        let checkins: Vec<_> = doc
            .checkins
            .iter()
            .map(|c| (c.date, c.value, c.note.as_deref()))
            .collect();
        assert_eq!(
            checkins,
            vec![
                (day("2026-01-01"), 2.0, None),
                (day("2026-03-01"), 3.0, Some("up"))
            ]
        );

        let (doc, diags) = bet("depends_on: true\n");
        assert!(doc.depends_on.is_empty());
        assert_eq!(
            full(&diags),
            vec![
                "3:13+4 schema error `depends_on` must be an id or `{id, needed_by, note}`, not a true/false value | -",
            ]
        );
        let (doc, diags) = bet("depends_on: {note: soon}\n");
        assert!(doc.depends_on.is_empty());
        assert_eq!(
            full(&diags),
            vec![
                "3:13+12 schema error dependency 1 has no `id` | write `{id: ID, needed_by: YYYY-MM-DD}` or just the id",
            ]
        );
        let (doc, diags) = bet("depends_on: lone\n");
        assert_eq!(full(&diags), Vec::<String>::new());
        assert_eq!(doc.depends_on.len(), 1);
        assert_eq!(doc.depends_on[0].target.id, "lone");
        let (doc, diags) = bet("depends_on:\n  - true\n  - [a]\n  -\n  - {needed_by: 2027-01-01}\n  - {id: b, needed_by: 2027-01-01, note: n, when: 1}\n  - c\n  - 7\n");
        assert_eq!(
            full(&diags),
            vec![
                "4:5+4 schema error item 1 of `depends_on` must be an id or `{id, needed_by, note}`, not a true/false value | -",
                "5:5+3 schema error item 2 of `depends_on` must be an id or `{id, needed_by, note}`, not a list | -",
                "6:3+1 schema error item 3 of `depends_on` must be an id or `{id, needed_by, note}`, not nothing | -",
                "7:5+23 schema error dependency 4 has no `id` | write `{id: ID, needed_by: YYYY-MM-DD}` or just the id",
                "8:45+4 schema warning unknown field `when` of item 5 of `depends_on` | the fields of item 5 of `depends_on` are: id, needed_by, note",
            ]
        );
        let deps: Vec<_> = doc
            .depends_on
            .iter()
            .map(|d| (d.target.id.as_str(), d.needed_by, d.note.as_deref()))
            .collect();
        assert_eq!(
            deps,
            vec![
                ("b", Some(day("2027-01-01")), Some("n")),
                ("c", None, None),
                ("7", None, None)
            ]
        );
    }

    /// The same for lists of ids, statements and tags.
    #[test]
    fn lists_of_scalars_report_every_wrong_shape() {
        let bet = |fields: &str| parse("b.md", &format!("---\nkind: bet\n{fields}---\n"));

        let (doc, diags) = bet("tracks: true\nsupports: {a: 1}\nrelated: x\n");
        assert_eq!(
            full(&diags),
            vec![
                "3:9+4 schema error `tracks` must be a list of ids, not a true/false value | -",
                "4:11+6 schema error `supports` must be a list of ids, not a mapping | -"
            ]
        );
        assert!(doc.tracks.is_empty() && doc.supports.is_empty());
        assert_eq!(doc.related.len(), 1);
        let (doc, diags) = bet("tracks:\n  - {a: 1}\n  - [b]\n  -\n  - true\n  - c\n  - 7\n");
        assert_eq!(
            full(&diags),
            vec![
                "4:5+6 schema error item 1 of `tracks` must be an id, not a mapping | -",
                "5:5+3 schema error item 2 of `tracks` must be an id, not a list | -",
                "7:5+4 schema error item 4 of `tracks` must be an id, not a true/false value | -"
            ]
        );
        let ids: Vec<_> = doc
            .tracks
            .iter()
            .map(|r| (r.id.as_str(), r.span.line, r.span.column))
            .collect();
        assert_eq!(ids, vec![("c", 8, 5), ("7", 9, 5)]);

        let (doc, diags) =
            bet("constraints: {a: 1}\noptions: [x]\ntradeoffs: \"  one  \"\nhandles: \"  \"\n");
        assert_eq!(
            full(&diags),
            vec!["3:14+6 schema error `constraints` must be text, not a mapping | -"]
        );
        assert!(doc.constraints.is_empty() && doc.handles.is_empty());
        assert_eq!(doc.tradeoffs, vec!["one"]);
        let (doc, diags) = bet(
            "constraints:\n  - {a: 1}\n  - [b]\n  -\n  - \"  \"\n  - \" c \"\n  - true\n  - 7\n",
        );
        assert_eq!(
            full(&diags),
            vec![
                "4:5+6 schema error item 1 of `constraints` must be text, not a mapping | -",
                "5:5+3 schema error item 2 of `constraints` must be text, not a list | -"
            ]
        );
        assert_eq!(doc.constraints, vec!["c", "true", "7"]);

        let (doc, diags) = bet("tags: {a: 1}\n");
        assert_eq!(
            full(&diags),
            vec!["3:7+6 schema error `tags` must be text, not a mapping | -"]
        );
        assert!(doc.tags.is_empty());
        let (doc, diags) = bet("tags:\n  - {a: 1}\n  - [b]\n  -\n  - \" c \"\n  - \"\"\n  - 7\n");
        assert_eq!(
            full(&diags),
            vec![
                "4:5+6 schema error item 1 of `tags` must be text, not a mapping | -",
                "5:5+3 schema error item 2 of `tags` must be text, not a list | -"
            ]
        );
        assert_eq!(doc.tags, vec!["c", "7"]);
        let (doc, diags) = bet("tags: solo\n");
        assert!(diags.is_empty());
        assert_eq!(doc.tags, vec!["solo"]);
    }

    #[test]
    fn reads_a_full_bet() {
        let (doc, diags) = parse(
            "bets/bet-a.md",
            "---\nid: bet-a\nkind: bet\ntitle: Instant payouts\nparent: ps-x\nquarter: 2027-Q1\nstatus: committed\nreviewed: 2026-10-02\nsize: big\ndhm: { delight: 5, hard_to_copy: {score: 3, note: moat}, margin: 2 }\nconfidence: { problem: high, solution: medium, outcome: low }\nsuccess:\n  outcome: Paid same day\n  metric: metric-rate\n  baseline: 12\n  target: 40\n  deadline: 2027-03-31\napproval: { level: executive, approver: Ana }\nowner_note: kept\n---\nBody [[ps-x]].\n",
        );
        assert!(diags.is_empty(), "{:?}", messages(&diags));
        assert_eq!(doc.id, "bet-a");
        assert_eq!(doc.kind, "bet");
        assert_eq!(doc.parent.as_ref().unwrap().span, Span::new(5, 9, 4));
        assert_eq!(doc.status, Some(Status::Committed));
        assert_eq!(
            doc.dhm
                .as_ref()
                .unwrap()
                .hard_to_copy
                .as_ref()
                .unwrap()
                .note
                .as_deref(),
            Some("moat")
        );
        assert_eq!(doc.confidence.unwrap().outcome, Some(Level::Low));
        let success = doc.success.unwrap();
        assert_eq!(success.target, Some(40.0));
        assert!(
            matches!(success.metric, Some(MetricRef::Id(ref r)) if r.id == "metric-rate" && r.span.line == 14)
        );
        assert!(doc.extra.contains_key("owner_note"));
        assert_eq!(doc.body.links.len(), 1);
    }

    #[test]
    fn reports_every_bad_field_at_its_place() {
        let (_, diags) = parse(
            "a.md",
            "---\nkind: bet\nstatus: commited\nreviewed: 2026-02-30\ndhm: { delight: 9 }\nparnet: ps-x\nquarter: Q1\nsuccess: { target: 40% }\n---\n",
        );
        assert_eq!(
            messages(&diags),
            vec![
                "3:9 schema error `status` cannot be `commited`",
                "4:11 schema error `reviewed` is not a valid date: `2026-02-30`",
                "5:17 schema error `dhm.delight` is 9; DHM scores are whole numbers from 1 to 5",
                "6:1 schema warning unknown field `parnet`",
                "7:10 schema error `quarter` is not a quarter: `Q1`",
                "8:20 schema error `success.target` must be a number, not text (`40%`)",
            ]
        );
        let status = diags.iter().find(|d| d.message.contains("status")).unwrap();
        assert_eq!(status.hint.as_deref(), Some("did you mean `committed`? (one of: proposed, discovery, committed, in-progress, done, dropped, archived)"));
    }

    #[test]
    fn numbers_must_be_finite_and_in_range() {
        let (doc, diags) = parse(
            "a.md",
            "---\nkind: bet\nsuccess:\n  baseline: .nan\n  target: .inf\nkey_results:\n  - {metric: m, target: 1e400, baseline: -1e400}\ncheckins:\n  - {date: 2026-01-01, value: -.INF}\nreview_every: 0d\n---\n",
        );
        assert_eq!(
            messages(&diags),
            vec![
                "4:13 schema error `success.baseline` must be a finite number, not `.nan`",
                "5:11 schema error `success.target` must be a finite number, not `.inf`",
                "7:25 schema error `target` of key result 1 is out of range: `1e400` is too large for a number",
                "7:42 schema error `baseline` of key result 1 is out of range: `-1e400` is too far below zero for a number",
                "9:31 schema error `value` of check-in 1 must be a finite number, not `-.inf`",
                "10:15 schema error `review_every` is not a duration: `0d` is zero days; a duration is at least `1d`",
            ]
        );
        assert!(diags.iter().all(|d| d.hint.is_some()));
        assert_eq!(doc.success.unwrap().baseline, None);
    }

    #[test]
    fn a_key_written_twice_is_an_error_at_the_second() {
        let (doc, diags) = parse(
            "a.md",
            "---\nid: keep-me\nowner: Ana\nkind: bet\nowner: Bo\n---\n",
        );
        assert!(doc.invalid);
        assert_eq!(doc.id, "keep-me");
        assert_eq!(
            messages(&diags),
            vec!["5:1 yaml error front matter is not valid YAML: `owner` is written twice in the same mapping (first on line 3)"]
        );
        assert_eq!(
            diags[0].hint.as_deref(),
            Some("keep one `owner:`; YAML would silently use the last one")
        );
        let (_, diags) = parse(
            "a.md",
            "---\nkind: objective\nkey_results:\n  - metric: a\n    target: 1\n    metric: b\ndhm: {delight: 1, delight: 2}\n---\n",
        );
        assert_eq!(
            messages(&diags),
            vec!["6:5 yaml error front matter is not valid YAML: `metric` is written twice in the same mapping (first on line 4)"]
        );
        let (_, diags) = parse("a.md", "---\ndhm: {delight: 1, delight: 2}\n---\n");
        assert_eq!(
            messages(&diags),
            vec!["2:19 yaml error front matter is not valid YAML: `delight` is written twice in the same mapping (first on line 2)"]
        );
    }

    #[test]
    fn work_source_is_one_of_four_words() {
        let (doc, diags) = parse(
            "w.md",
            "---\nkind: work\nsource: stakeholder-request\n---\n",
        );
        assert!(diags.is_empty(), "{:?}", messages(&diags));
        assert_eq!(doc.work_source, Some(WorkSource::StakeholderRequest));
        let (doc, diags) = parse("w.md", "---\nkind: work\nsource: incidnet\n---\n");
        assert_eq!(doc.work_source, None);
        assert_eq!(
            messages(&diags),
            vec!["3:9 schema error `source` cannot be `incidnet`"]
        );
        assert_eq!(
            diags[0].hint.as_deref(),
            Some("did you mean `incident`? (one of: planned, stakeholder-request, incident, unplanned)")
        );
    }

    #[test]
    fn unknown_kind_suggests_and_marks_invalid() {
        let (doc, diags) = parse("a.md", "---\nkind: objectve\n---\n");
        assert!(doc.invalid);
        assert_eq!(diags[0].hint.as_deref(), Some("did you mean `objective`?"));
    }

    #[test]
    fn plain_pages_and_titles() {
        let (doc, diags) = parse("pages/Zürich Plan.md", "# Our Zürich plan\n\nText.\n");
        assert!(diags.is_empty());
        assert_eq!(
            (doc.id.as_str(), doc.kind.as_str(), doc.title.as_str()),
            ("zürich-plan", "page", "Our Zürich plan")
        );
        let (doc, _) = parse("empty.md", "");
        assert_eq!((doc.id.as_str(), doc.title.as_str()), ("empty", "empty"));
    }

    #[test]
    fn yaml_errors_point_into_the_file() {
        let (doc, diags) = parse("a.md", "---\nid: keep-me\nparent: [x\n---\n");
        assert!(doc.invalid);
        assert_eq!(doc.id, "keep-me");
        assert_eq!(diags[0].rule, "yaml");
        assert!(diags[0].span.line >= 3, "{:?}", diags[0]);
        let (_, diags) = parse("a.md", "---\nid: a\n");
        assert_eq!(
            messages(&diags),
            vec!["1:1 yaml error front matter is never closed"]
        );
    }

    #[test]
    fn reserved_and_malformed_ids() {
        let (_, diags) = parse("a.md", "---\nid: trace\n---\n");
        assert!(diags[0].message.contains("reserved"));
        let (doc, diags) = parse("a.md", "---\nid: Bet One\n---\n");
        assert_eq!(doc.id, "bet-one");
        assert_eq!(
            diags[0].hint.as_deref(),
            Some("ids are lowercase letters, digits and dashes, e.g. `bet-one`")
        );
    }
}
