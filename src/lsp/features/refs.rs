//! Every reference a document writes, where, and what it names: the one
//! list that go-to-definition, references, hover and rename read.

use crate::diagnostics::Span;
use crate::graph::DocId;
use crate::model::BodyLinkTarget;
use crate::model::Document;
use crate::site::Site;

use super::File;

/// What a written reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// A document by id (front matter, `[[id]]`).
    Id(&'a str),
    /// A document by relative `.md` path, resolved to a root-relative path (`None`: leaves the root).
    Path(Option<&'a str>),
    /// A person by id, name or handle (`owner:`), as `analysis::People` resolves it.
    Person(&'a str),
}

/// One reference written in a document.
#[derive(Debug, Clone, Copy)]
pub struct Written<'a> {
    /// What it names.
    pub target: Target<'a>,
    /// The `#heading` of a body link.
    pub heading: Option<&'a str>,
    /// Where it is written.
    pub span: Span,
    /// Whether it is the document's own `id:`.
    pub declaration: bool,
}

/// The document's `id:` (when written) and every reference in its front matter and body.
pub fn written(doc: &Document) -> Vec<Written<'_>> {
    let mut out = Vec::new();
    fn by_id(r: &crate::model::Ref) -> Written<'_> {
        Written {
            target: Target::Id(r.id.as_str()),
            heading: None,
            span: r.span,
            declaration: false,
        }
    }
    if let Some(span) = doc.id_span {
        out.push(Written {
            target: Target::Id(&doc.id),
            heading: None,
            span,
            declaration: true,
        });
    }
    out.extend(doc.parent.iter().map(by_id));
    out.extend(doc.supports.iter().map(by_id));
    out.extend(doc.related.iter().map(by_id));
    out.extend(doc.team.iter().map(by_id));
    out.extend(doc.covers.iter().map(by_id));
    out.extend(doc.decides.iter().map(by_id));
    out.extend(doc.superseded_by.iter().map(by_id));
    out.extend(doc.metric_refs().map(by_id));
    // A review stamp's key names the document reviewed against: renamed with
    // it, or the stamp would be lost and drift would no longer be exact.
    out.extend(doc.reviewed_against.iter().map(|s| by_id(&s.target)));
    out.extend(doc.depends_on.iter().map(|d| by_id(&d.target)));
    if let (Some(owner), Some(span)) = (&doc.owner, doc.owner_span) {
        out.push(Written {
            target: Target::Person(owner.as_str()),
            heading: None,
            span,
            declaration: false,
        });
    }
    for link in &doc.body.links {
        let (target, heading) = match &link.target {
            BodyLinkTarget::Id { id, heading } => (Target::Id(id.as_str()), heading.as_deref()),
            BodyLinkTarget::Path { path, heading, .. } => {
                (Target::Path(path.as_deref()), heading.as_deref())
            }
        };
        out.push(Written {
            target,
            heading,
            span: link.span,
            declaration: false,
        });
    }
    out
}

/// The reference written at byte `offset` of `file` (its ends included, so a
/// cursor just after an id still finds it).
pub fn at<'a>(file: &File<'a>, offset: usize) -> Option<Written<'a>> {
    let (_, doc) = file.doc?;
    written(doc).into_iter().find(|w| {
        let (start, end) = file.lines.span_offsets(w.span);
        start <= offset && offset <= end
    })
}

/// The document a reference names, as the graph resolved it.
pub fn resolve(site: &Site, written: &Written<'_>) -> Option<DocId> {
    match written.target {
        Target::Id(id) => site.graph.lookup(id),
        Target::Person(name) => site.facts.people().find(name),
        // The graph resolved this path (`source::path_link`) to a file; find that file's document.
        Target::Path(path) => {
            let path = path?;
            site.docs
                .binary_search_by(|d| d.file.as_str().cmp(path))
                .map(DocId::new)
                .ok()
        }
    }
}

/// The byte range of the id itself inside a reference's span (`[[id#h|label]]`
/// → `id`; a quoted front-matter value → the text inside the quotes).
pub fn id_range(text: &str, span_range: (usize, usize), id: &str) -> Option<(usize, usize)> {
    let (start, end) = span_range;
    let within = text.get(start..end)?;
    let is_id_char = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut from = 0;
    while let Some(i) = within[from..].find(id) {
        let at = from + i;
        let before = within[..at].chars().next_back();
        let after = within[at + id.len()..].chars().next();
        if !before.is_some_and(is_id_char) && !after.is_some_and(is_id_char) {
            return Some((start + at, start + at + id.len()));
        }
        from = at + id.len().max(1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_inside_a_link_is_found_whole() {
        let text = "See [[bet-a-2#risks|bet-a]] and [[bet-a]].";
        let start = text.find("[[").expect("link");
        let end = text.find("]]").expect("end") + 2;
        let label = text.find("bet-a]]").expect("label");
        // `bet-a` inside `bet-a-2` is not the id `bet-a`; the label's is.
        assert_eq!(
            id_range(text, (start, end), "bet-a"),
            Some((label, label + 5))
        );
        assert_eq!(
            id_range(text, (start, end), "bet-a-2"),
            Some((start + 2, start + 9))
        );
    }
}
