//! A document's content fingerprint, for review stamps (`reviewed_against:`):
//! `throughline review` writes the fingerprint of each document a document
//! depends on, and `drift` fires exactly when that document's content no
//! longer matches. Two halves, so a finding can say whether the fields or the
//! body moved.
//!
//! The hash is FNV-1a, written here because a stamp is stored in files and
//! must mean the same thing to every future build; std's hasher makes no such
//! promise across Rust releases.

use serde_json::Value;

use crate::model::Fingerprint;
use crate::source::split_front_matter;

/// Front-matter keys a document's own review writes; they are not content.
pub(crate) const REVIEW_FIELDS: &[&str] = &["reviewed", "reviewed_against"];

/// The fingerprint of a document file's text: its front matter without its
/// own review fields, in a canonical form (comments, quoting and key order do
/// not count), and its body (line ends normalised, trailing blank space
/// ignored); `None` when its front matter does not parse.
pub(crate) fn fingerprint_of(text: &str) -> Option<Fingerprint> {
    let fm = split_front_matter(text).ok()?;
    let mut fields = crate::yaml::parse_front_matter(fm.yaml).ok()?;
    for key in REVIEW_FIELDS {
        fields.remove(*key);
    }
    let canonical = serde_json::to_string(&sorted(Value::Object(fields))).ok()?;
    let body = text
        .get(fm.body_offset..)
        .unwrap_or("")
        .replace("\r\n", "\n");
    Some(Fingerprint {
        fields: crate::hash::stable_hash32(canonical.as_bytes()),
        body: crate::hash::stable_hash32(body.trim_end().as_bytes()),
    })
}

/// `value` with every map's keys in order, whatever order serde_json's maps
/// keep (its `preserve_order` feature can be switched on by any dependency).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "---\nid: ps\n# a comment\ntitle: Payouts\nstatus: committed\nreviewed: 2026-11-01\n---\n# Payouts\n\nSame-day payouts.\n";

    #[test]
    fn form_does_not_count_but_content_does() {
        let base = fingerprint_of(DOC).expect("parses");
        let reformatted = "---\r\nstatus: \"committed\"\r\ntitle: Payouts\r\nid: ps\r\nreviewed: 2026-11-20\r\nreviewed_against: {cs: 00000000.00000000}\r\n---\r\n# Payouts\r\n\r\nSame-day payouts.\r\n\r\n";
        assert_eq!(
            fingerprint_of(reformatted),
            Some(base),
            "order, quoting, comments, CRLF and own review fields"
        );
        let retitled =
            fingerprint_of(&DOC.replace("title: Payouts", "title: Payouts v2")).expect("parses");
        assert_eq!(retitled.changes_since(base), Some("its fields changed"));
        let rewritten = fingerprint_of(&DOC.replace("Same-day", "Next-day")).expect("parses");
        assert_eq!(rewritten.changes_since(base), Some("its body changed"));
    }

    #[test]
    fn a_stamp_reads_back_as_written_and_nothing_else_reads() {
        let fp = fingerprint_of(DOC).expect("parses");
        assert_eq!(Fingerprint::parse(&fp.to_string()), Some(fp));
        for bad in [
            "",
            "3f9a0c1e",
            "3f9a0c1e.77ab12c",
            "3f9a0c1e.77ab12cz",
            "+f9a0c1e.77ab12cd",
            "3f9a0c1e.77ab12cd.0",
        ] {
            assert_eq!(Fingerprint::parse(bad), None, "{bad}");
        }
    }
}
