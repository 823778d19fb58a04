//! A change in words, once: [`Change::words`] says each change as a list
//! of [`Word`]s, and every reader renders that list (plain text for the
//! digest and the feeds, [`Change::describe`]; HTML with links on the
//! changes page and the dashboard, `partials/words.html`), so that no two
//! places can word a change differently.

use serde::Serialize;

use super::site::Change;

/// One piece of a change's sentence. Everything but [`Word::Text`] holds
/// text from the repository: its renderer escapes it for its reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "kebab-case")]
pub enum Word {
    /// throughline's own words (`status`, `→`, `moved from`).
    Text(&'static str),
    /// A value as written (a level, a date, an owner).
    Value(String),
    /// A status, which a page shows as its badge.
    Status(String),
    /// A document's id, which a page links by its title where it can.
    Id(String),
    /// A title or heading, in quotation marks.
    Quoted(String),
}

impl Word {
    /// The word as plain text.
    fn plain(&self, out: &mut String) {
        match self {
            Word::Text(t) => out.push_str(t),
            Word::Value(v) | Word::Status(v) | Word::Id(v) => out.push_str(v),
            Word::Quoted(q) => {
                out.push('“');
                out.push_str(q);
                out.push('”');
            }
        }
    }
}

/// `values` joined by `sep`, each made a word by `word`.
fn joined(out: &mut Vec<Word>, values: &[String], sep: &'static str, word: fn(String) -> Word) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(Word::Text(sep));
        }
        out.push(word(v.clone()));
    }
}

impl Change {
    /// The change as a sentence of [`Word`]s (`status active → done`).
    pub fn words(&self) -> Vec<Word> {
        use Word::{Quoted, Status, Text, Value};
        let value = |v: &Option<String>, none: &'static str, word: fn(String) -> Word| {
            v.clone().map_or(Text(none), word)
        };
        let mut w = Vec::new();
        match self {
            Change::Added { status } => {
                w.push(Text("added"));
                if let Some(s) = status {
                    w.extend([Text(" as "), Status(s.clone())]);
                }
            }
            Change::Removed => w.push(Text("removed")),
            Change::Status { from, to } => w.extend([
                Text("status "),
                value(from, "(none)", Value),
                Text(" → "),
                value(to, "(none)", Status),
            ]),
            Change::Parent { from, to } => w.extend([
                Text("moved from "),
                value(from, "no parent", Word::Id),
                Text(" to "),
                value(to, "no parent", Word::Id),
            ]),
            Change::Goals { fields } => {
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        w.push(Text(" and "));
                    }
                    w.push(Text(match f.as_str() {
                        "success" => "success criteria",
                        _ => "key results",
                    }));
                }
                w.push(Text(" changed"));
            }
            Change::Checkins { added, latest } => {
                w.extend([
                    Value(added.to_string()),
                    Text(if *added == 1 {
                        " check-in added"
                    } else {
                        " check-ins added"
                    }),
                ]);
                if let Some(l) = latest {
                    w.extend([Text(" (latest "), Value(l.clone()), Text(")")]);
                }
            }
            Change::Reviewed { on } => {
                w.push(Text("reviewed"));
                if let Some(on) = on {
                    w.extend([Text(" on "), Value(on.clone())]);
                }
            }
            Change::Judged { field, from, to } => w.extend([
                Value(field.clone()),
                Text(" "),
                value(from, "(none)", Value),
                Text(" → "),
                value(to, "(none)", Value),
            ]),
            Change::Renamed { from } => {
                w.extend([Text("id renamed from "), Word::Id(from.clone())])
            }
            Change::Title { from, .. } => {
                w.extend([Text("retitled from "), value(from, "“(none)”", Quoted)])
            }
            Change::Owner { from, to } => w.extend([
                Text("owner "),
                value(from, "(none)", Value),
                Text(" → "),
                value(to, "(none)", Value),
            ]),
            Change::Text { sections, .. } => {
                w.push(Text("text changed in "));
                for (i, s) in sections.iter().enumerate() {
                    if i > 0 {
                        w.push(Text(", "));
                    }
                    w.push(match s.as_str() {
                        "" => Text("the opening text"),
                        s => Quoted(s.to_string()),
                    });
                }
            }
            Change::Items {
                added,
                removed,
                status_changed,
                named,
                more,
            } => {
                w.push(Text("items: "));
                let mut first = true;
                for (n, what) in [
                    (added, " added"),
                    (removed, " removed"),
                    (status_changed, " changed status"),
                ] {
                    if *n > 0 {
                        if !first {
                            w.push(Text(", "));
                        }
                        first = false;
                        w.extend([Value(n.to_string()), Text(what)]);
                    }
                }
                for (i, item) in named.iter().enumerate() {
                    w.push(Text(if i == 0 { " (" } else { "; " }));
                    w.extend([
                        Value(item.key.clone()),
                        Text(" "),
                        Quoted(item.title.clone()),
                    ]);
                    match (&item.from, &item.to) {
                        (None, Some(to)) => w.extend([Text(" added as "), Value(to.clone())]),
                        (Some(_), None) => w.push(Text(" removed")),
                        (Some(from), Some(to)) => w.extend([
                            Text(" "),
                            Value(from.clone()),
                            Text(" → "),
                            Value(to.clone()),
                        ]),
                        (None, None) => {}
                    }
                }
                if *more > 0 {
                    w.extend([Text("; and "), Value(more.to_string()), Text(" more")]);
                }
                if !named.is_empty() {
                    w.push(Text(")"));
                }
            }
            Change::Dependencies { added, removed } => {
                if !added.is_empty() {
                    w.push(Text("now waits on "));
                    joined(&mut w, added, ", ", Word::Id);
                }
                if !added.is_empty() && !removed.is_empty() {
                    w.push(Text("; "));
                }
                if !removed.is_empty() {
                    w.push(Text("no longer waits on "));
                    joined(&mut w, removed, ", ", Word::Id);
                }
            }
        }
        w
    }

    /// The change in words as plain text ([`Change::words`]), for the
    /// digest and the feeds. Raw: values come from the repository, so the
    /// caller escapes it for its reader.
    pub fn describe(&self) -> String {
        plain(&self.words())
    }
}

/// Words as plain text.
pub fn plain(words: &[Word]) -> String {
    let mut out = String::new();
    for w in words {
        w.plain(&mut out);
    }
    out
}
