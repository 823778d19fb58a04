//! A document's identity as its front matter writes it: its id, kind, title
//! and draft flag. [`parse_document`](super::parse_document) reads a
//! document through it and `history` reads every past version through it,
//! so a document is the same document to `check` and to its history
//! (`id: 2026` and `id: " bet-a"` included).

use serde_json::{Map, Value};

use crate::model::{check_id, IdError};
use crate::text::slugify;

use super::document::stem_id;

/// A document's id, kind, title and draft flag, read from its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The id written in `id:` (text or a number, trimmed), if any.
    pub written_id: Option<String>,
    /// The id the document goes by: the written one, else the file name's;
    /// one that is not a slug replaced by its slug (or the file name's).
    pub id: String,
    /// What is wrong with the written (or file name's) id, if anything.
    pub id_error: Option<IdError>,
    /// The kind written in `kind:`, trimmed (whether the schema knows it or not).
    pub kind: Option<String>,
    /// The title written in `title:`, trimmed.
    pub title: Option<String>,
    /// `draft: true`.
    pub draft: bool,
}

/// A scalar read as text: text as written, a number or `true`/`false` as
/// YAML read it; `None` for null, a list or a mapping.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The identity of the document at root-relative `path` with `fields`.
pub(crate) fn identity(fields: &Map<String, Value>, path: &str) -> Identity {
    let trimmed = |key: &str| {
        fields
            .get(key)
            .and_then(scalar_text)
            .map(|t| t.trim().to_string())
    };
    let written_id = trimmed("id");
    let (id, id_error) = resolve_id(written_id.clone(), stem_id(path));
    Identity {
        written_id,
        id,
        id_error,
        kind: trimmed("kind"),
        title: trimmed("title"),
        draft: fields.get("draft") == Some(&Value::Bool(true)),
    }
}

/// The id a document goes by, from the id it writes (else `stem_id`, its
/// file name's), and what is wrong with that id: one that is empty or not a
/// slug is replaced by its slug (or the file name's, or `untitled`), so that
/// links to it still resolve; a reserved or too long id is kept as written.
fn resolve_id(written: Option<String>, stem_id: String) -> (String, Option<IdError>) {
    let id = written.unwrap_or_else(|| stem_id.clone());
    let Err(e) = check_id(&id) else {
        return (id, None);
    };
    let id = match e {
        IdError::Empty | IdError::NotSlug => Some(slugify(&id))
            .filter(|fixed| !fixed.is_empty())
            .or_else(|| Some(stem_id).filter(|stem| !stem.is_empty()))
            .unwrap_or_else(|| "untitled".to_string()),
        IdError::Reserved | IdError::TooLong(_) => id,
    };
    (id, Some(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(yaml: &str) -> Identity {
        let fields = crate::yaml::parse_front_matter(yaml).expect("yaml");
        identity(&fields, "bets/from-name.md")
    }

    #[test]
    fn ids_are_trimmed_numbers_are_text_and_the_file_name_is_the_default() {
        assert_eq!(who("id: \" bet-a\"\n").id, "bet-a");
        assert_eq!(who("id: 2026\n").id, "2026");
        assert_eq!(who("id: 2026\n").written_id.as_deref(), Some("2026"));
        assert_eq!(who("title: x\n").id, "from-name");
        assert_eq!(who("id: [a]\n").id, "from-name");
        let odd = who("id: Bet_A\n");
        assert_eq!(
            (odd.id.as_str(), odd.id_error),
            ("bet_a", Some(IdError::NotSlug))
        );
        let page = who("kind: \" bet \"\ntitle: \"  Payouts \"\ndraft: true\n");
        assert_eq!(page.kind.as_deref(), Some("bet"));
        assert_eq!(page.title.as_deref(), Some("Payouts"));
        assert!(page.draft);
        assert!(!who("draft: \"true\"\n").draft);
        assert_eq!(who("title: 1999\n").title.as_deref(), Some("1999"));
    }
}
