//! `serve --edit`: what each served page offers to change, the forms that
//! offer it, and the form a browser posts back.
//!
//! The forms are added to a page as it is answered, like the reload script,
//! so the rendered pages stay those of `build`. What a page offers is read
//! from the latest analysis once per rebuild ([`FormsTable::of`]); a form
//! carries the id of the document it changes (never a path) and the
//! fingerprint of that document's file as the page was rendered from it, so
//! a write over a newer file is refused (409).

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::confidence::{CONFIDENCE_KINDS, DIMENSIONS};
use crate::date::Date;
use crate::graph::DocId;
use crate::model::{Level, MetricRef, Status};
use crate::render::markdown::Escaped;
use crate::render::view::doc_path;
use crate::site::Site;

/// Where the forms post.
pub(super) const EDIT_PATH: &str = "/__throughline/edit";

/// The largest form body read; a longer one gets 413 before it is read.
pub(crate) const MAX_BODY: u64 = 64 * 1024;

/// Kinds whose status the forms change (SPEC: bets, objectives and work).
pub(super) const STATUS_KINDS: &[&str] = &["bet", "objective", "work"];

/// The fingerprint a form carries of the file it changes: a hash of the
/// file's text as the served pages were rendered from it. foldhash, not the
/// byte-at-a-time FNV of `stable_hash`: every text is hashed after each
/// rebuild, and the value never outlives the process.
pub(super) fn file_fingerprint(text: &str) -> String {
    format!("{:016x}", crate::hash::hash_of(&text))
}

/// A metric a page offers a check-in for: the page's own, or a goal's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MetricForm {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) fingerprint: String,
    pub(super) unit: Option<String>,
}

/// What one document's page offers to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DocForms {
    pub(super) id: String,
    pub(super) file: String,
    pub(super) fingerprint: String,
    /// The date a check-in defaults to and a review is recorded on.
    pub(super) today: Date,
    /// Metrics to record a check-in for: the document's own, then its goals'.
    pub(super) checkins: Vec<MetricForm>,
    /// `(last review, next review)` when the document has a cadence.
    pub(super) review: Option<(Option<Date>, Date)>,
    /// `(current status, the statuses of its kind)` for bets, objectives and work.
    pub(super) status: Option<(Option<&'static str>, &'static [&'static str])>,
    /// The current confidence, when the kind carries one.
    pub(super) confidence: Option<[Option<&'static str>; 3]>,
}

/// The fingerprint of each file of a site, kept between rebuilds: hashing
/// every text after each save cost a 10,000-document site 0.8 s in a debug
/// build, and a rebuild re-reads only the files it names.
#[derive(Debug, Default)]
pub(super) struct Fingerprints {
    by_path: HashMap<String, String>,
}

impl Fingerprints {
    /// Brings the fingerprints up to `site` after an update that re-read
    /// `changed` (root-relative paths), or every file when `full`.
    pub(super) fn update(&mut self, site: &Site, changed: &[String], full: bool) {
        if full {
            self.by_path.clear();
        }
        // A changed folder's files may have been read again too.
        self.by_path.retain(|path, _| {
            !changed.iter().any(|c| {
                path == c
                    || path
                        .strip_prefix(c.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
        });
        // Files gone since are dropped; new and re-read ones are hashed.
        let mut kept = HashMap::with_capacity(site.sources.len());
        for source in &site.sources {
            let fingerprint = self
                .by_path
                .remove(&source.path)
                .unwrap_or_else(|| file_fingerprint(&source.text));
            kept.insert(source.path.clone(), fingerprint);
        }
        self.by_path = kept;
    }

    fn of(&self, site: &Site, source: crate::model::SourceId) -> String {
        // A tracker's item has no file, and no page to offer forms on.
        let Some(source) = site.sources.get(source.index()) else {
            return String::new();
        };
        self.by_path
            .get(&source.path)
            .cloned()
            .unwrap_or_else(|| file_fingerprint(&source.text))
    }
}

/// What every served page offers, by the path of the page.
#[derive(Debug, Default)]
pub(super) struct FormsTable {
    pages: HashMap<String, DocForms>,
}

impl FormsTable {
    /// What `site`'s pages offer, with the files' `fingerprints`.
    pub(super) fn of(site: &Site, fingerprints: &Fingerprints) -> FormsTable {
        let pages = crate::graph::DocId::all(site.docs.len())
            .filter(|&doc| site.docs[doc].tracker.is_none())
            .map(|doc| {
                let forms = doc_forms(site, doc, fingerprints);
                (doc_path(&site.docs[doc].id), forms)
            })
            .collect();
        FormsTable { pages }
    }

    /// What the page at `path` (site-relative, `…/index.html`) offers.
    pub(super) fn page(&self, path: &str) -> Option<&DocForms> {
        self.pages.get(path)
    }

    /// What the page of document `id` offers.
    pub(super) fn doc(&self, id: &str) -> Option<&DocForms> {
        self.pages.get(&doc_path(id))
    }
}

fn doc_forms(site: &Site, doc: DocId, fingerprints: &Fingerprints) -> DocForms {
    let d = &site.docs[doc];
    let metric_form = |m: DocId| {
        let md = &site.docs[m];
        MetricForm {
            id: md.id.clone(),
            title: md.title.clone(),
            fingerprint: fingerprints.of(site, md.source),
            unit: md.unit.clone(),
        }
    };
    let mut checkins = Vec::new();
    if d.kind == "metric" {
        checkins.push(metric_form(doc));
    }
    let goals = d
        .success
        .iter()
        .map(|s| s.metric.as_ref())
        .chain(d.key_results.iter().map(|k| k.metric.as_ref()));
    for metric in goals.flatten() {
        let MetricRef::Id(r) = metric else { continue };
        let Some(m) = site.graph.lookup(&r.id) else {
            continue;
        };
        if site.docs[m].kind == "metric" && !checkins.iter().any(|c| c.id == site.docs[m].id) {
            checkins.push(metric_form(m));
        }
    }
    let review = site
        .facts
        .next_review(doc)
        .map(|next| (site.facts.last_review(doc).map(|l| l.date), next));
    let status = STATUS_KINDS
        .contains(&d.kind.as_str())
        .then(|| (d.status.map(Status::as_str), Status::for_kind(&d.kind)));
    let confidence = CONFIDENCE_KINDS.contains(&d.kind.as_str()).then(|| {
        let c = d.confidence.as_ref();
        [
            c.and_then(|c| c.problem).map(Level::as_str),
            c.and_then(|c| c.solution).map(Level::as_str),
            c.and_then(|c| c.outcome).map(Level::as_str),
        ]
    });
    DocForms {
        id: d.id.clone(),
        file: d.file.clone(),
        fingerprint: fingerprints.of(site, d.source),
        today: site.today,
        checkins,
        review,
        status,
        confidence,
    }
}

/// What a form asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Action {
    /// A check-in of a metric: its value and date (empty: today), its note
    /// (empty: none; `--note`), and whether it replaces a value recorded for
    /// that date (`--replace`).
    Checkin {
        value: String,
        date: String,
        note: String,
        replace: bool,
    },
    /// What `review ID` writes.
    Review,
    /// A new `status:`.
    Status(String),
    /// A new `confidence:`, one level per dimension (empty: unchanged),
    /// and why (empty: no note), logged as `confidence --note` logs it.
    Confidence { levels: [String; 3], note: String },
}

/// A form as posted: which document, what change, and where to go back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EditForm {
    /// The document changed.
    pub(super) id: String,
    /// The fingerprint of its file as the page showed it.
    pub(super) fingerprint: String,
    /// The document whose page the form was on (a goal's check-in is posted
    /// from the bet or objective); its page is where the answer goes.
    pub(super) back: String,
    pub(super) action: Action,
}

/// Which field of a form an error is about, so it is shown beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Value,
    Date,
    Status,
    Confidence,
    /// The form as a whole (a stale fingerprint, a review that cannot be written).
    Form,
}

/// A refused form, shown on the page it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    pub(super) form: EditForm,
    pub(super) field: Field,
    pub(super) message: String,
}

/// The fields of an `application/x-www-form-urlencoded` body, or why not.
/// A name given twice is refused: which one counts would be a guess.
pub(super) fn parse_body(body: &[u8]) -> Result<HashMap<String, String>, &'static str> {
    let body = std::str::from_utf8(body).map_err(|_| "the form is not UTF-8")?;
    let mut fields = HashMap::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            crate::text::percent_decode(&s.replace('+', " "))
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or("the form is not percent-encoded UTF-8")
        };
        if fields.insert(decode(name)?, decode(value)?).is_some() {
            return Err("a field of the form is given twice");
        }
    }
    Ok(fields)
}

/// The change a form's fields ask for, or what is missing.
pub(super) fn edit_form(fields: &HashMap<String, String>) -> Result<EditForm, String> {
    let get = |name: &str| {
        fields
            .get(name)
            .map(|v| v.trim().to_string())
            .ok_or_else(|| format!("the form has no `{name}` field"))
    };
    let action = match get("action")?.as_str() {
        "checkin" => Action::Checkin {
            value: get("value")?,
            date: fields
                .get("date")
                .map(|d| d.trim().to_string())
                .unwrap_or_default(),
            note: fields
                .get("note")
                .map(|n| n.trim().to_string())
                .unwrap_or_default(),
            replace: fields.get("replace").is_some_and(|r| r == "on"),
        },
        "review" => Action::Review,
        "status" => Action::Status(get("status")?),
        "confidence" => {
            let optional = |name: &str| {
                fields
                    .get(name)
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default()
            };
            Action::Confidence {
                levels: DIMENSIONS.map(optional),
                note: optional("note"),
            }
        }
        other => return Err(format!("`{other}` is not a change these forms make")),
    };
    let id = get("id")?;
    let back = fields
        .get("back")
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| id.clone());
    Ok(EditForm {
        id,
        fingerprint: get("fingerprint")?,
        back,
        action,
    })
}

/// The forms for `page`, to go at the end of its `<main>`; `refused` is a
/// form that was just refused, shown with its message and values.
pub(super) fn panel(page: &DocForms, token: &str, refused: Option<&Refusal>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<section class=\"tl-edit\" aria-labelledby=\"tl-edit-title\"><h2 id=\"tl-edit-title\">Update</h2>\
         <p class=\"muted\">Each form writes into its document's file (this page's is <code>{}</code>), as <code>throughline checkin</code> and <code>review</code> do; the page then reloads with the change and its findings.</p>",
        Escaped(&page.file)
    );
    let hidden = |out: &mut String, id: &str, fingerprint: &str, action: &str| {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"{EDIT_PATH}\">\
             <input type=\"hidden\" name=\"token\" value=\"{}\">\
             <input type=\"hidden\" name=\"id\" value=\"{}\">\
             <input type=\"hidden\" name=\"back\" value=\"{}\">\
             <input type=\"hidden\" name=\"fingerprint\" value=\"{}\">\
             <input type=\"hidden\" name=\"action\" value=\"{action}\">",
            Escaped(token),
            Escaped(id),
            Escaped(&page.id),
            Escaped(fingerprint),
        );
    };
    // The refusal of the form `(action, id)`, if that is the one refused.
    let refusal_of = |action: &str, id: &str| {
        refused.filter(|r| {
            r.form.id == id
                && matches!(
                    (&r.form.action, action),
                    (Action::Checkin { .. }, "checkin")
                        | (Action::Review, "review")
                        | (Action::Status(_), "status")
                        | (Action::Confidence { .. }, "confidence")
                )
        })
    };
    // A refusal of a form this page does not have (a crafted one, or the
    // page changed meanwhile) is shown above the forms.
    let offered = refused.is_some_and(|r| match &r.form.action {
        Action::Checkin { .. } => page.checkins.iter().any(|m| m.id == r.form.id),
        Action::Review => page.review.is_some() && r.form.id == page.id,
        Action::Status(_) => page.status.is_some() && r.form.id == page.id,
        Action::Confidence { .. } => page.confidence.is_some() && r.form.id == page.id,
    });
    if !offered {
        out.push_str(&error(refused, "tl-edit"));
    }
    for (n, metric) in page.checkins.iter().enumerate() {
        let refused = refusal_of("checkin", &metric.id);
        let (value, date, note, replace) = match refused.map(|r| &r.form.action) {
            Some(Action::Checkin {
                value,
                date,
                note,
                replace,
            }) => (value.clone(), date.clone(), note.clone(), *replace),
            _ => (String::new(), page.today.to_string(), String::new(), false),
        };
        let base = format!("tl-checkin-{n}");
        hidden(&mut out, &metric.id, &metric.fingerprint, "checkin");
        let legend = if metric.id == page.id {
            "Record a check-in".to_string()
        } else {
            format!("Record a check-in of {}", Escaped(&metric.title))
        };
        let unit = metric
            .unit
            .as_deref()
            .map(|u| format!(" ({})", Escaped(u)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<fieldset><legend>{legend}</legend><div class=\"tl-edit-row\">\
             <label for=\"{base}-value\">Value{unit}</label>\
             <input id=\"{base}-value\" name=\"value\" inputmode=\"decimal\" autocomplete=\"off\" required value=\"{}\"{}>\
             <label for=\"{base}-date\">Date</label>\
             <input id=\"{base}-date\" name=\"date\" type=\"date\" required value=\"{}\"{}>\
             <label for=\"{base}-note\">Note (optional)</label>\
             <input id=\"{base}-note\" name=\"note\" autocomplete=\"off\" value=\"{}\">\
             <label><input type=\"checkbox\" name=\"replace\"{}> replace the value of that date</label>\
             <button type=\"submit\">Record check-in</button></div>{}</fieldset></form>",
            Escaped(&value),
            invalid(refused, &[Field::Value, Field::Form], &base),
            Escaped(&date),
            invalid(refused, &[Field::Date], &base),
            Escaped(&note),
            if replace { " checked" } else { "" },
            error(refused, &base),
        );
    }
    if let Some((last, next)) = page.review {
        let refused = refusal_of("review", &page.id);
        let base = "tl-review";
        hidden(&mut out, &page.id, &page.fingerprint, "review");
        let last = last.map_or("Never reviewed".to_string(), |d| {
            format!("Last reviewed {d}")
        });
        let _ = write!(
            out,
            "<fieldset><legend>Review</legend><div class=\"tl-edit-row\">\
             <p id=\"{base}-about\">{last}; next review due {next}. Marking it reviewed records {} as <code>throughline review</code> does.</p>\
             <button type=\"submit\" aria-describedby=\"{base}-about{}\">Mark reviewed</button></div>{}</fieldset></form>",
            page.today,
            if refused.is_some() { format!(" {base}-error") } else { String::new() },
            error(refused, base),
        );
    }
    if let Some((current, choices)) = page.status {
        let refused = refusal_of("status", &page.id);
        let base = "tl-status";
        let chosen = match refused.map(|r| &r.form.action) {
            Some(Action::Status(s)) => Some(s.as_str()),
            _ => current,
        };
        hidden(&mut out, &page.id, &page.fingerprint, "status");
        let _ = write!(
            out,
            "<fieldset><legend>Status</legend><div class=\"tl-edit-row\">\
             <label for=\"{base}-value\">Status</label><select id=\"{base}-value\" name=\"status\"{}>",
            invalid(refused, &[Field::Status, Field::Form], base)
        );
        if current.is_none() {
            out.push_str("<option value=\"\" selected disabled>(none)</option>");
        }
        for choice in choices {
            let selected = if chosen == Some(choice) {
                " selected"
            } else {
                ""
            };
            let _ = write!(out, "<option{selected}>{choice}</option>");
        }
        let _ = write!(
            out,
            "</select><button type=\"submit\">Change status</button></div>{}</fieldset></form>",
            error(refused, base)
        );
    }
    if let Some(levels) = page.confidence {
        let refused = refusal_of("confidence", &page.id);
        let base = "tl-confidence";
        let (chosen, note): ([Option<String>; 3], String) = match refused.map(|r| &r.form.action) {
            Some(Action::Confidence { levels, note }) => (
                levels.clone().map(|l| Some(l).filter(|l| !l.is_empty())),
                note.clone(),
            ),
            _ => (levels.map(|l| l.map(str::to_string)), String::new()),
        };
        hidden(&mut out, &page.id, &page.fingerprint, "confidence");
        out.push_str("<fieldset><legend>Confidence</legend><div class=\"tl-edit-row\">");
        for (dimension, chosen) in DIMENSIONS.iter().zip(&chosen) {
            let _ = write!(
                out,
                "<label for=\"{base}-{dimension}\">{}</label><select id=\"{base}-{dimension}\" name=\"{dimension}\"{}>",
                capitalised(dimension),
                invalid(refused, &[Field::Confidence, Field::Form], base)
            );
            if chosen.is_none() {
                out.push_str("<option value=\"\" selected disabled>(none)</option>");
            }
            for level in Level::ALL {
                let selected = if chosen.as_deref() == Some(level) {
                    " selected"
                } else {
                    ""
                };
                let _ = write!(out, "<option{selected}>{level}</option>");
            }
            out.push_str("</select>");
        }
        let _ = write!(
            out,
            "<label for=\"{base}-note\">Why (optional)</label>\
             <input id=\"{base}-note\" name=\"note\" autocomplete=\"off\" value=\"{}\">\
             <button type=\"submit\" aria-describedby=\"{base}-about{}\">Change confidence</button>\
             <p id=\"{base}-about\">The change and its reason are added to <code>confidence_log:</code>, dated {}, as <code>throughline confidence</code> does.</p></div>{}</fieldset></form>",
            Escaped(&note),
            if refused.is_some() { format!(" {base}-error") } else { String::new() },
            page.today,
            error(refused, base)
        );
    }
    out.push_str("</section>");
    out
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `aria-invalid` and the error's id, on a control whose field was refused.
fn invalid(refused: Option<&Refusal>, fields: &[Field], base: &str) -> String {
    match refused {
        Some(r) if fields.contains(&r.field) => {
            format!(" aria-invalid=\"true\" aria-describedby=\"{base}-error\"")
        }
        _ => String::new(),
    }
}

/// The refusal's message, under the form, named by the refused control.
fn error(refused: Option<&Refusal>, base: &str) -> String {
    refused.map_or(String::new(), |r| {
        format!(
            "<p id=\"{base}-error\" class=\"tl-edit-error\" role=\"alert\">{}</p>",
            Escaped(&r.message)
        )
    })
}

/// The forms' look, added to `<head>` of a page that has them; the theme's
/// colours where it defines them.
pub(super) const STYLE: &str = "<style>\
.tl-edit{margin:2rem 0;padding:1rem;border:2px solid currentColor;border-radius:.5rem}\
.tl-edit fieldset{border:1px solid #767676;margin:.75rem 0;padding:.5rem .75rem}\
.tl-edit-row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}\
.tl-edit-row p{margin:0;flex-basis:100%}\
.tl-edit input,.tl-edit select,.tl-edit button{font:inherit;padding:.25rem .5rem}\
.tl-edit button{cursor:pointer}\
.tl-edit input[name=note]{flex:1 1 14em}\
.tl-edit :focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}\
.tl-edit [aria-invalid=true]{border:2px solid #b91c1c}\
.tl-edit-error{color:#b91c1c;font-weight:600;margin:.5rem 0 0}\
</style>";

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> DocForms {
        DocForms {
            id: "bet-a".into(),
            file: "bets/a <b>.md".into(),
            fingerprint: "00ff".into(),
            today: crate::date::parse_date("2026-12-07").expect("date"),
            checkins: vec![MetricForm {
                id: "m-rate".into(),
                title: "Rate <x>".into(),
                fingerprint: "0a0b".into(),
                unit: Some("%".into()),
            }],
            review: Some((None, crate::date::parse_date("2026-12-01").expect("date"))),
            status: Some((Some("committed"), Status::for_kind("bet"))),
            confidence: Some([Some("high"), None, Some("low")]),
        }
    }

    fn site_of(files: &[(&str, &str)]) -> Site {
        let options = crate::site::LoadOptions {
            root: "/nowhere".into(),
            today: crate::date::Today::Given(crate::date::parse_date("2026-12-07").expect("date")),
            drafts: false,
            output_dir: None,
            base_url: None,
        };
        let files = files.iter().map(|(p, t)| (p.to_string(), t.to_string()));
        let inputs = crate::site::inputs_from_texts(None, files, &options).expect("inputs");
        crate::site::analyze(inputs, &options)
    }

    #[test]
    fn kept_fingerprints_are_those_of_the_texts_after_any_update() {
        let a = "---\nid: m-a\nkind: metric\n---\n";
        let b = "---\nid: m-b\nkind: metric\n---\n";
        let before = site_of(&[("m/a.md", a), ("m/b.md", b)]);
        let mut kept = Fingerprints::default();
        kept.update(&before, &[], true);
        let a2 = "---\nid: m-a\nkind: metric\ntitle: A\n---\n";
        let after = site_of(&[("m/a.md", a2), ("m/b.md", b), ("c.md", a)]);
        let check = |kept: &Fingerprints, site: &Site| {
            for (i, source) in site.sources.iter().enumerate() {
                assert_eq!(
                    kept.of(site, crate::model::SourceId::new(i)),
                    file_fingerprint(&source.text),
                    "{}",
                    source.path
                );
            }
            assert_eq!(kept.by_path.len(), site.sources.len());
        };
        let mut by_file = Fingerprints::default();
        by_file.update(&before, &[], true);
        by_file.update(&after, &["m/a.md".into(), "c.md".into()], false);
        check(&by_file, &after);
        // A changed folder stands for the files under it.
        let mut by_folder = Fingerprints::default();
        by_folder.update(&before, &[], true);
        by_folder.update(&after, &["m".into(), "c.md".into()], false);
        check(&by_folder, &after);
        kept.update(&after, &[], true);
        check(&kept, &after);
        let table = FormsTable::of(&after, &kept);
        assert_eq!(
            table.doc("m-a").map(|d| d.checkins.len()),
            Some(1),
            "a metric's page offers its check-in"
        );
    }

    #[test]
    fn a_form_body_decodes_and_a_field_given_twice_is_refused() {
        let fields = parse_body(b"id=m-a&value=1%2C5+x&date=&action=checkin").expect("parses");
        assert_eq!(fields["value"], "1,5 x");
        assert_eq!(fields["date"], "");
        assert!(parse_body(b"id=a&id=b").is_err());
        assert!(parse_body(b"id=%ff").is_err());
        assert!(parse_body(b"id=%2").is_err());
        assert!(parse_body(b"\xff").is_err());
    }

    #[test]
    fn a_form_names_its_change_and_what_is_missing_is_said() {
        let fields = parse_body(b"action=checkin&id=m-a&fingerprint=ab&value=33&back=bet-a")
            .expect("parses");
        let form = edit_form(&fields).expect("a form");
        assert_eq!(form.back, "bet-a");
        assert_eq!(
            form.action,
            Action::Checkin {
                value: "33".into(),
                date: String::new(),
                note: String::new(),
                replace: false,
            }
        );
        let fields = parse_body(b"action=status&id=m-a&fingerprint=ab").expect("parses");
        let missing = edit_form(&fields).expect_err("no status");
        assert!(missing.contains("`status`"), "{missing}");
        let fields = parse_body(b"action=rm&id=a&fingerprint=ab").expect("parses");
        assert!(edit_form(&fields).is_err());
    }

    #[test]
    fn the_panel_escapes_what_the_site_wrote_and_labels_every_control() {
        let html = panel(&page(), "tok\"en", None);
        assert!(html.contains("bets/a &lt;b&gt;.md"), "{html}");
        assert!(html.contains("Rate &lt;x&gt;"), "{html}");
        assert!(html.contains("value=\"tok&quot;en\""), "{html}");
        assert!(html.contains("value=\"2026-12-07\""), "{html}");
        assert!(
            html.contains("<option selected>committed</option>"),
            "{html}"
        );
        assert!(html.contains("<option value=\"\" selected disabled>(none)</option>"));
        for id in [
            "tl-checkin-0-value",
            "tl-checkin-0-date",
            "tl-status-value",
            "tl-confidence-problem",
            "tl-confidence-solution",
            "tl-confidence-outcome",
            "tl-confidence-note",
        ] {
            assert!(html.contains(&format!("<label for=\"{id}\"")), "{id}");
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
        }
        assert!(!html.contains("aria-invalid"), "{html}");
    }

    #[test]
    fn a_refusal_is_tied_to_its_field_and_keeps_what_was_typed() {
        let refusal = Refusal {
            form: EditForm {
                id: "m-rate".into(),
                fingerprint: "0a0b".into(),
                back: "bet-a".into(),
                action: Action::Checkin {
                    value: "abc<".into(),
                    date: "2026-12-06".into(),
                    note: "rail <b>".into(),
                    replace: true,
                },
            },
            field: Field::Value,
            message: "`abc<` is not a number".into(),
        };
        let html = panel(&page(), "t", Some(&refusal));
        assert!(
            html.contains("id=\"tl-checkin-0-value\" name=\"value\" inputmode=\"decimal\" autocomplete=\"off\" required value=\"abc&lt;\" aria-invalid=\"true\" aria-describedby=\"tl-checkin-0-error\""),
            "{html}"
        );
        assert!(html.contains("value=\"2026-12-06\""), "{html}");
        assert!(html.contains("name=\"replace\" checked"), "{html}");
        // The note typed is kept, escaped.
        assert!(
            html.contains("name=\"note\" autocomplete=\"off\" value=\"rail &lt;b&gt;\""),
            "{html}"
        );
        assert!(html.contains("<p id=\"tl-checkin-0-error\" class=\"tl-edit-error\" role=\"alert\">`abc&lt;` is not a number</p>"));
        assert_eq!(html.matches("aria-invalid").count(), 1, "{html}");
    }

    #[test]
    fn a_refused_confidence_change_keeps_its_levels_and_its_note() {
        let fields = parse_body(
            b"action=confidence&id=bet-a&fingerprint=ab&problem=high&solution=&note=+Pilot+%3Cb%3E+",
        )
        .expect("parses");
        let form = edit_form(&fields).expect("a form");
        assert_eq!(
            form.action,
            Action::Confidence {
                levels: ["high".into(), String::new(), String::new()],
                note: "Pilot <b>".into(),
            },
            "a level not posted is empty: unchanged"
        );
        let refusal = Refusal {
            form,
            field: Field::Confidence,
            message: "the confidence is already so".into(),
        };
        let html = panel(&page(), "t", Some(&refusal));
        assert!(
            html.contains("id=\"tl-confidence-note\" name=\"note\" autocomplete=\"off\" value=\"Pilot &lt;b&gt;\""),
            "{html}"
        );
        assert!(html.contains("<p id=\"tl-confidence-error\" class=\"tl-edit-error\" role=\"alert\">the confidence is already so</p>"), "{html}");
        assert!(
            html.contains("aria-describedby=\"tl-confidence-about tl-confidence-error\""),
            "{html}"
        );
    }
}
