//! Go to definition, find references, hover, and document and workspace symbols.

use std::fmt::Write as _;

use lsp_types::{
    DocumentSymbol, DocumentSymbolResponse, GotoDefinitionResponse, Hover, HoverContents, Location,
    MarkupContent, MarkupKind, Position, Range, SymbolInformation, SymbolKind,
};

use crate::escape::{for_markdown, markdown_code_span, markdown_with_code};
use crate::graph::{anchor_index, DocId};
use crate::source::headings;
use crate::text::LineIndex;

use super::refs;
use super::{Ctx, File};

/// Where document `to` is defined: its `#heading`'s line when one is named, else its `id:`.
fn location_of(ctx: &Ctx<'_>, to: DocId, heading: Option<&str>) -> Option<Location> {
    let doc = &ctx.site.docs[to];
    let file = ctx.file_at(doc.file.clone())?;
    let range = match heading.and_then(|h| heading_range(ctx, &file, h)) {
        Some(range) => range,
        None => match doc.id_span {
            Some(span) => file.lines.span_range(span, ctx.encoding),
            None => Range::default(),
        },
    };
    Some(Location {
        uri: ctx.ws.uri(&doc.file)?,
        range,
    })
}

/// The range of the heading `written` names in `file`.
fn heading_range(ctx: &Ctx<'_>, file: &File<'_>, written: &str) -> Option<Range> {
    let (_, doc) = file.doc?;
    let i = anchor_index(&doc.body.anchors, written)?;
    let text = file.text();
    let found = headings(text, doc.body_offset, &LineIndex::new(text));
    let heading = found.get(i)?;
    Some(file.lines.span_range(heading.span, ctx.encoding))
}

/// `textDocument/definition`.
pub fn definition(
    ctx: &Ctx<'_>,
    file: &File<'_>,
    position: Position,
) -> Option<GotoDefinitionResponse> {
    let written = refs::at(file, ctx.offset(file, position))?;
    let to = refs::resolve(ctx.site, &written)?;
    location_of(ctx, to, written.heading).map(GotoDefinitionResponse::Scalar)
}

/// The document whose id (or a reference to it) is at `position`.
pub fn target_at(ctx: &Ctx<'_>, file: &File<'_>, position: Position) -> Option<DocId> {
    let written = refs::at(file, ctx.offset(file, position))?;
    refs::resolve(ctx.site, &written)
}

/// Every place a reference to `to` is written, in file order (the documents
/// come from the graph's incoming edges; every mention in them is listed).
pub fn references_to<'a>(ctx: &Ctx<'a>, to: DocId) -> Vec<(String, refs::Written<'a>)> {
    let site = ctx.site;
    let mut from: Vec<DocId> = site.graph.incoming(to).map(|e| e.from).collect();
    // An owner names a person by name, not by a link.
    from.extend(site.facts.people().owned_by(to));
    from.push(to);
    // Stamps are no edge of the graph: a stamp on a former parent names it still.
    let id = &site.docs[to].id;
    from.extend(DocId::all(site.docs.len()).filter(|&i| {
        site.docs[i]
            .reviewed_against
            .iter()
            .any(|s| s.target.id == *id)
    }));
    from.sort_unstable();
    from.dedup();
    let mut out = Vec::new();
    for d in from {
        let doc = &site.docs[d];
        for w in refs::written(doc) {
            if refs::resolve(site, &w) == Some(to) {
                out.push((doc.file.clone(), w));
            }
        }
    }
    out
}

/// `textDocument/references`.
pub fn references(
    ctx: &Ctx<'_>,
    file: &File<'_>,
    position: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(to) = target_at(ctx, file, position) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (rel, w) in references_to(ctx, to) {
        if w.declaration && !include_declaration {
            continue;
        }
        let (Some(other), Some(uri)) = (ctx.file_at(rel.clone()), ctx.ws.uri(&rel)) else {
            continue;
        };
        out.push(Location {
            uri,
            range: other.lines.span_range(w.span, ctx.encoding),
        });
    }
    out
}

/// `textDocument/hover`: what the document named at `position` is, where it
/// traces to, and what `check` says about it.
pub fn hover(ctx: &Ctx<'_>, file: &File<'_>, position: Position) -> Option<Hover> {
    let written = refs::at(file, ctx.offset(file, position))?;
    let to = refs::resolve(ctx.site, &written)?;
    let (start, end) = file.lines.span_offsets(written.span);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: describe(ctx, to),
        }),
        range: Some(file.lines.range(start, end, ctx.encoding)),
    })
}

/// The hover text of a document.
pub fn describe(ctx: &Ctx<'_>, d: DocId) -> String {
    let site = ctx.site;
    let doc = &site.docs[d];
    let label = site
        .config
        .schema
        .get(&doc.kind)
        .map_or(doc.kind.as_str(), |k| k.label.as_str());
    // Titles, owners, labels and messages come from the repository: the
    // editor renders this as Markdown, links and images included.
    let mut out = format!(
        "**{}** · {}\n\n{}",
        for_markdown(&doc.title),
        markdown_code_span(&doc.id),
        for_markdown(label)
    );
    if let Some(status) = doc.status {
        let _ = write!(out, " · {}", status.as_str());
    }
    if let Some(owner) = &doc.owner {
        let _ = write!(out, " · owner: {}", for_markdown(owner));
    }
    if let Some(quarter) = &doc.quarter {
        let _ = write!(out, " · {quarter}");
    }
    let mut trail: Vec<String> = site
        .graph
        .ancestors(d)
        .into_iter()
        .rev()
        .map(|a| markdown_code_span(&site.docs[a].id))
        .collect();
    if !trail.is_empty() {
        trail.push(markdown_code_span(&doc.id));
        let _ = write!(out, "\n\nTrail: {}", trail.join(" › "));
    }
    let must_trace = site
        .config
        .schema
        .get(&doc.kind)
        .is_some_and(|k| k.must_trace_to_strategy());
    if must_trace && !site.graph.traces_to_strategy(d) {
        out.push_str("\n\nDoes not trace up to a company strategy.");
    }
    let findings: Vec<_> = super::diagnostics::for_file(&site.diagnostics, &doc.file).collect();
    if !findings.is_empty() {
        out.push_str("\n\nFindings:");
        for f in findings {
            let _ = write!(
                out,
                "\n- {} `{}` (line {}): {}",
                f.severity,
                f.rule,
                f.span.line,
                markdown_with_code(&f.message)
            );
        }
    }
    out
}

/// `textDocument/documentSymbol`: the headings, nested by level.
pub fn document_symbols(ctx: &Ctx<'_>, file: &File<'_>) -> DocumentSymbolResponse {
    let text = file.text();
    let body_offset = file.doc.map_or(0, |(_, d)| d.body_offset);
    let mut roots: Vec<(u8, DocumentSymbol)> = Vec::new();
    // Open headings, outermost first; each is attached to its parent when closed.
    let mut stack: Vec<(u8, DocumentSymbol)> = Vec::new();
    let close = |stack: &mut Vec<(u8, DocumentSymbol)>, roots: &mut Vec<(u8, DocumentSymbol)>| {
        if let Some(done) = stack.pop() {
            match stack.last_mut() {
                Some((_, parent)) => parent.children.get_or_insert_with(Vec::new).push(done.1),
                None => roots.push(done),
            }
        }
    };
    for h in headings(text, body_offset, &LineIndex::new(text)) {
        while stack.last().is_some_and(|(level, _)| *level >= h.level) {
            close(&mut stack, &mut roots);
        }
        let range = file.lines.span_range(h.span, ctx.encoding);
        #[allow(deprecated)]
        let symbol = DocumentSymbol {
            name: if h.text.is_empty() {
                h.anchor.clone()
            } else {
                h.text.clone()
            },
            detail: Some(format!("#{}", h.anchor)),
            kind: SymbolKind::STRING,
            tags: None,
            deprecated: None,
            range,
            selection_range: range,
            children: None,
        };
        stack.push((h.level, symbol));
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    DocumentSymbolResponse::Nested(roots.into_iter().map(|(_, s)| s).collect())
}

/// The most symbols a workspace search returns.
const MAX_SYMBOLS: usize = 200;

/// `workspace/symbol`: documents whose id or title contains every word of `query`.
pub fn workspace_symbols(ctx: &Ctx<'_>, query: &str) -> Vec<SymbolInformation> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut out = Vec::new();
    for doc in &ctx.site.docs {
        let haystack = format!("{} {}", doc.id, doc.title).to_lowercase();
        if !words.iter().all(|w| haystack.contains(w.as_str())) {
            continue;
        }
        let Some(uri) = ctx.ws.uri(&doc.file) else {
            continue;
        };
        // Positions are those of the `id:` line; computing them needs the file's text only then.
        let range = match (doc.id_span, ctx.ws.text(&doc.file)) {
            (Some(span), Some(text)) => super::Lines::new(text).span_range(span, ctx.encoding),
            _ => Range::default(),
        };
        #[allow(deprecated)]
        out.push(SymbolInformation {
            name: format!("{} — {}", doc.id, doc.title),
            kind: SymbolKind::FILE,
            tags: None,
            deprecated: None,
            location: Location { uri, range },
            container_name: Some(doc.kind.clone()),
        });
        if out.len() >= MAX_SYMBOLS {
            break;
        }
    }
    out
}
