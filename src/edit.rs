//! Rewrites top-level front-matter fields of a document in place, for the
//! commands that write into a user's files (`review` today). Only the lines of
//! the fields named change; every other byte stays as it was: comments, key
//! order, quoting, blank lines, CRLF line ends.

use std::path::Path;

use crate::source::split_front_matter;

/// Why a file's front matter cannot be edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError(pub String);

/// `text` with each `(key, value)` set: an existing top-level `key:` has its
/// value (the rest of its line and any lines nested under it) replaced by
/// `value`, which must be one line of YAML; a missing key is added at the end
/// of the front matter, in the order given. A trailing `# comment` on a
/// replaced one-line plain value is kept.
pub fn set_fields(text: &str, fields: &[(&str, String)]) -> Result<String, EditError> {
    let fm = split_front_matter(text)
        .ok()
        .filter(|fm| fm.present)
        .ok_or_else(|| EditError("the file has no front matter to edit".into()))?;
    let start = fm.yaml_offset;
    let end = start + fm.yaml.len();
    let eol = if text[..end].contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let lines = split_lines(&text[start..end]);

    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..start]);
    let mut done = vec![false; fields.len()];
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let Some(f) = fields.iter().position(|(key, _)| is_key_line(line, key)) else {
            out.push_str(line);
            i += 1;
            continue;
        };
        if done[f] {
            return Err(EditError(format!(
                "`{}` is written twice in the front matter; remove one first",
                fields[f].0
            )));
        }
        done[f] = true;
        let (key, value) = &fields[f];
        let rest = line[key.len() + 1..].trim_end_matches(['\r', '\n']);
        // The value's own lines: indented ones, or `- item`s of a list written at column 0.
        let mut j = i + 1;
        while j < lines.len() && continues_value(lines[j], rest.trim().is_empty()) {
            j += 1;
        }
        out.push_str(key);
        out.push_str(": ");
        out.push_str(value);
        if j == i + 1 {
            out.push_str(&kept_comment(rest));
        }
        out.push_str(eol);
        i = j;
    }
    for (f, (key, value)) in fields.iter().enumerate() {
        if done[f] {
            continue;
        }
        if !out.ends_with('\n') && out.len() > start {
            out.push_str(eol);
        }
        out.push_str(key);
        out.push_str(": ");
        out.push_str(value);
        out.push_str(eol);
    }
    out.push_str(&text[end..]);
    Ok(out)
}

/// Replaces the file at `path` with `text` in one rename, so a crash never
/// leaves half a document; the file keeps its permissions.
pub fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.throughline-{}", std::process::id()));
    std::fs::write(&temporary, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&temporary, meta.permissions());
    }
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// The lines of `text`, each with its line end.
fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn is_key_line(line: &str, key: &str) -> bool {
    line.strip_prefix(key)
        .and_then(|rest| rest.strip_prefix(':'))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

fn continues_value(line: &str, value_on_next_lines: bool) -> bool {
    line.starts_with([' ', '\t'])
        || (value_on_next_lines && (line.starts_with("- ") || line.trim_end() == "-"))
}

/// The ` # comment` after a plain one-line value, to keep beside the new value.
fn kept_comment(rest: &str) -> String {
    if rest.contains(['"', '\'']) {
        return String::new();
    }
    match rest.find(" #") {
        Some(at) => format!(" {}", rest[at..].trim_start()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, fields: &[(&str, &str)]) -> String {
        let fields: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
        set_fields(text, &fields).expect("edits")
    }

    #[test]
    fn only_the_named_lines_change() {
        let text = "---\n# owner: keep me\nid: bet\ntitle: 'Same-day: payouts'   # quoted, with a colon\nreviewed: 2026-01-01  # last QBR\nstatus: committed\n---\nBody with reviewed: 2020-01-01\n";
        let edited = set(text, &[("reviewed", "2026-11-24")]);
        assert_eq!(
            edited,
            "---\n# owner: keep me\nid: bet\ntitle: 'Same-day: payouts'   # quoted, with a colon\nreviewed: 2026-11-24 # last QBR\nstatus: committed\n---\nBody with reviewed: 2020-01-01\n"
        );
    }

    #[test]
    fn crlf_files_stay_crlf_and_missing_fields_are_added_at_the_end() {
        let text = "---\r\nid: bet\r\nparent: ps\r\n---\r\nBody\r\n";
        let edited = set(
            text,
            &[
                ("reviewed", "2026-11-24"),
                ("reviewed_against", "{ps: 0a0b0c0d.01020304}"),
            ],
        );
        assert_eq!(
            edited,
            "---\r\nid: bet\r\nparent: ps\r\nreviewed: 2026-11-24\r\nreviewed_against: {ps: 0a0b0c0d.01020304}\r\n---\r\nBody\r\n"
        );
    }

    #[test]
    fn a_value_written_over_several_lines_is_replaced_whole() {
        let text = "---\nid: bet\nreviewed_against:\n  ps: 0a0b0c0d.01020304\n  cs: 0a0b0c0d.01020304\nreviewed:\n  2026-01-01\nlist:\n- a\n- b\nowner: ana\n---\n";
        let edited = set(
            text,
            &[
                ("reviewed_against", "{ps: 11111111.22222222}"),
                ("reviewed", "2026-11-24"),
                ("list", "[c]"),
            ],
        );
        assert_eq!(
            edited,
            "---\nid: bet\nreviewed_against: {ps: 11111111.22222222}\nreviewed: 2026-11-24\nlist: [c]\nowner: ana\n---\n"
        );
    }

    #[test]
    fn similar_keys_nested_keys_and_a_duplicate_are_told_apart() {
        let text = "---\nreviewed_by: ana\nsuccess:\n  reviewed: 2020-01-01\n---\n";
        assert_eq!(
            set(text, &[("reviewed", "2026-11-24")]),
            "---\nreviewed_by: ana\nsuccess:\n  reviewed: 2020-01-01\nreviewed: 2026-11-24\n---\n"
        );
        let twice = "---\nreviewed: 2020-01-01\nreviewed: 2020-02-01\n---\n";
        let fields = [("reviewed", "2026-11-24".to_string())];
        assert!(set_fields(twice, &fields).is_err());
        assert!(set_fields("no front matter\n", &fields).is_err());
    }

    #[test]
    fn empty_front_matter_gets_its_first_field() {
        assert_eq!(
            set("---\n---\nBody\n", &[("reviewed", "2026-11-24")]),
            "---\nreviewed: 2026-11-24\n---\nBody\n"
        );
    }

    #[test]
    fn a_file_is_replaced_whole_and_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("a.md");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_file(&path, "new").expect("replace");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }
}
