//! `serve --edit`: a posted form made into a write, on the rebuild loop's
//! thread, which holds the analysis the page was rendered from.
//!
//! Each change is computed by the code of the command that makes it
//! (`checkin::plan`, `review::plan`, `confidence::plan`; a status is
//! `edit::set_fields` of that one field, checked by `review::reads_back`)
//! and written by the one writer (`edit::write_all`), which refuses a file
//! that no longer holds the text the analysis read. So a form writes the
//! bytes the command line writes, and never over an edit it did not see.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::checkin::{self, Row};
use crate::confidence;
use crate::date::parse_date;
use crate::edit::{self, set_fields, Replacement, WriteError};
use crate::model::Status;
use crate::review;
use crate::site::Site;
use crate::text::format_number;

use super::forms::{file_fingerprint, Action, EditForm, Field, STATUS_KINDS};

/// What became of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Applied {
    /// Written: the file, relative to the root, and the change in one line
    /// (the commit message with `--commit`).
    Written { file: PathBuf, change: String },
    /// Nothing to write: the file already says so.
    Unchanged { change: String },
    /// Refused: the HTTP status, the field to show it beside, the message.
    Refused {
        status: &'static str,
        field: Field,
        message: String,
    },
}

fn refused(status: &'static str, field: Field, message: impl Into<String>) -> Applied {
    Applied::Refused {
        status,
        field,
        message: message.into(),
    }
}

/// Makes the change `form` asks for in `site`'s files.
pub(super) fn apply(site: &Site, form: &EditForm) -> Applied {
    let Some(doc) = site.graph.lookup(&form.id) else {
        return refused(
            "404 Not Found",
            Field::Form,
            format!(
                "no document has the id `{}` any more; nothing was written",
                form.id
            ),
        );
    };
    let d = &site.docs[doc];
    // A tracker's item has no file here: it is edited in its tracker.
    let Some(source) = site.sources.get(d.source.index()) else {
        return refused(
            "404 Not Found",
            Field::Form,
            format!(
                "`{}` is a tracker's item: change it in the tracker; nothing was written",
                form.id
            ),
        );
    };
    if file_fingerprint(&source.text) != form.fingerprint {
        return stale(&d.file);
    }
    let original = source.text.as_str();
    let planned = match &form.action {
        Action::Checkin {
            value,
            date,
            note,
            replace,
        } => plan_checkin(site, &form.id, value, date, note, *replace),
        Action::Review => review::plan(site, std::slice::from_ref(&form.id), site.today)
            .map_err(|e| refused("422 Unprocessable Content", Field::Form, e.to_string()))
            .and_then(|mut reviews| {
                let r = reviews.pop().ok_or_else(|| {
                    refused(
                        "500 Internal Server Error",
                        Field::Form,
                        "no review planned",
                    )
                })?;
                Ok((Some(r.text), format!("review {} ({})", r.id, site.today)))
            }),
        Action::Status(status) => plan_status(d, original, status),
        Action::Confidence { levels, note } => plan_confidence(site, &form.id, levels, note),
    };
    let (text, change) = match planned {
        Ok(planned) => planned,
        Err(refusal) => return refusal,
    };
    let Some(text) = text.filter(|t| t != original) else {
        return Applied::Unchanged { change };
    };
    let replacement = Replacement {
        path: &source.abs_path,
        original,
        text: &text,
    };
    match edit::write_all(&[replacement]) {
        Ok(()) => Applied::Written {
            file: PathBuf::from(&source.path),
            change,
        },
        Err(WriteError::Changed { .. }) => stale(&d.file),
        Err(e) => refused(
            "500 Internal Server Error",
            Field::Form,
            format!("nothing was written: {e}"),
        ),
    }
}

/// The refusal of a form shown before its file last changed.
fn stale(file: &str) -> Applied {
    refused(
        "409 Conflict",
        Field::Form,
        format!(
            "{file} changed since this page was shown (in an editor, another tab or by git); \
             nothing was written. The page now shows the file as it is: make the change again."
        ),
    )
}

type Planned = Result<(Option<String>, String), Applied>;

fn plan_checkin(
    site: &Site,
    id: &str,
    value: &str,
    date: &str,
    note: &str,
    replace: bool,
) -> Planned {
    let date = if date.is_empty() {
        site.today
    } else {
        parse_date(date).ok_or_else(|| {
            refused(
                "422 Unprocessable Content",
                Field::Date,
                format!("`{date}` is not a date; write it as YYYY-MM-DD"),
            )
        })?
    };
    let row = Row {
        origin: String::new(),
        metric: id.to_string(),
        date: date.to_string(),
        value: value.to_string(),
        // The same field `checkin --note` fills: one writer, the same bytes.
        note: (!note.is_empty()).then(|| note.to_string()),
    };
    let plan = checkin::plan(site, &[row], replace).map_err(|errors| {
        // The form's checkbox is the command's flag.
        let message = errors
            .join("; ")
            .replace("pass --replace", "tick \"replace the value of that date\"");
        refused("422 Unprocessable Content", Field::Value, message)
    })?;
    let shown = plan
        .changes
        .first()
        .map_or_else(|| value.to_string(), |c| format_number(c.value));
    let change = match plan.changes.first().and_then(|c| c.replaced) {
        Some(old) => format!("checkin {id} {shown} ({date}, was {})", format_number(old)),
        None => format!("checkin {id} {shown} ({date})"),
    };
    Ok((plan.files.into_iter().next().map(|(_, text)| text), change))
}

fn plan_status(d: &crate::model::Document, original: &str, status: &str) -> Planned {
    // What the page offers is what is taken: a crafted form gets no more.
    if !STATUS_KINDS.contains(&d.kind.as_str()) {
        return Err(refused(
            "422 Unprocessable Content",
            Field::Status,
            format!(
                "the forms change the status of bets, objectives and work, not of a {}",
                d.kind
            ),
        ));
    }
    let allowed = Status::for_kind(&d.kind);
    if !allowed.contains(&status) {
        return Err(refused(
            "422 Unprocessable Content",
            Field::Status,
            format!(
                "`{status}` is not a status of a {}; choose one of {}",
                d.kind,
                allowed.join(", ")
            ),
        ));
    }
    let before = d.status.map_or("(none)", Status::as_str);
    let change = format!("status {} {before} -> {status}", d.id);
    if d.status.map(Status::as_str) == Some(status) {
        return Ok((None, change));
    }
    set_one(original, "status", status.to_string(), Field::Status).map(|t| (Some(t), change))
}

fn plan_confidence(site: &Site, id: &str, levels: &[String; 3], note: &str) -> Planned {
    // The select's choices, each checked as `--problem` and the rest are.
    let given = [0, 1, 2].map(|i| Some(levels[i].as_str()));
    let refuse =
        |e: confidence::Refusal| refused("422 Unprocessable Content", Field::Confidence, e.message);
    let request = confidence::Request {
        id: id.to_string(),
        levels: confidence::parse_levels(given).map_err(refuse)?,
        date: site.today,
        // The same field `confidence --note` fills: one plan, the same bytes.
        note: (!note.is_empty()).then(|| note.to_string()),
        evidence: None,
    };
    let plan = confidence::plan(site, &request).map_err(refuse)?;
    Ok((plan.text.clone(), plan.change()))
}

/// `original` with top-level `key` set to `value` and nothing else changed,
/// as `review` sets its fields: refused if the result does not read back so.
fn set_one(original: &str, key: &str, value: String, field: Field) -> Result<String, Applied> {
    let fields = [(key, value)];
    let cannot = |why: String| {
        refused(
            "422 Unprocessable Content",
            field,
            format!("cannot change `{key}:`: {why}; nothing was written; edit it by hand"),
        )
    };
    let text = set_fields(original, &fields).map_err(|e| cannot(e.0))?;
    review::reads_back(original, &text, &fields)
        .map_err(|(line, why)| cannot(format!("line {line}: {why}")))?;
    Ok(text)
}

/// Whether `root` is inside a git work tree, for `--commit`.
pub(super) fn in_git_work_tree(root: &Path) -> bool {
    git(root)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"true"))
}

/// Commits `file` (relative to `root`) alone, as the git user, with
/// `message`; whatever else is staged stays staged. Never pushes.
pub(super) fn commit(root: &Path, file: &Path, message: &str) -> Result<(), String> {
    let run = |args: &[&std::ffi::OsStr]| -> Result<(), String> {
        let out = git(root)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&out.stderr);
        Err(format!("git {}", said.trim()))
    };
    let file = file.as_os_str();
    // `add` first: a path given to `commit` must be known to git.
    run(&["add".as_ref(), "--".as_ref(), file])?;
    run(&[
        "commit".as_ref(),
        "--quiet".as_ref(),
        "-m".as_ref(),
        message.as_ref(),
        "--".as_ref(),
        file,
    ])
}

fn git(root: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(root)
        .stdin(std::process::Stdio::null());
    command
}
