//! The resolved graph for other tools: `graph.json` (SPEC §9) and Graphviz dot.

use std::hash::BuildHasher;

use serde::Serialize;

use super::{DocId, Graph};
use crate::model::Document;

/// A node of `graph.json`.
#[derive(Serialize)]
struct Node<'a> {
    id: &'a str,
    kind: &'a str,
    title: &'a str,
    url: Url<'a>,
    parent: Option<&'a str>,
    status: Option<&'static str>,
    #[serde(serialize_with = "as_text")]
    quarter: Option<crate::date::Quarter>,
    team: Option<&'a str>,
    owner: Option<&'a str>,
    file: &'a str,
    /// A tracker's item: its key as the tracker shows it (`PAY-42`).
    #[serde(skip_serializing_if = "Option::is_none")]
    tracker_key: Option<&'a str>,
}

/// An edge of `graph.json`.
/// A document's URL, written straight into the output: making 100,000
/// strings only to copy them was a tenth of writing graph.json. A tracker's
/// item has no page: its URL is the tracker's (`Some(link)`, null if none).
struct Url<'a>(&'a str, &'a str, Option<Option<&'a str>>);

impl Serialize for Url<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.2 {
            None => s.collect_str(&format_args!("{}{}/", self.0, self.1)),
            Some(Some(link)) => s.serialize_str(link),
            Some(None) => s.serialize_none(),
        }
    }
}

fn as_text<S: serde::Serializer>(
    quarter: &Option<crate::date::Quarter>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match quarter {
        Some(q) => s.collect_str(q),
        None => s.serialize_none(),
    }
}

#[derive(Serialize)]
struct EdgeOut<'a> {
    from: &'a str,
    to: &'a str,
    rel: &'static str,
}

/// The whole of `graph.json`.
#[derive(Serialize)]
struct GraphOut<'a> {
    nodes: Vec<Node<'a>>,
    edges: Vec<EdgeOut<'a>>,
}

fn graph_out<'a>(docs: &'a [Document], graph: &'a Graph, base_url: &'a str) -> GraphOut<'a> {
    GraphOut {
        nodes: nodes(docs, graph, base_url).collect(),
        edges: edges(docs, graph).collect(),
    }
}

/// The nodes of `graph.json`, in file order.
fn nodes<'a>(
    docs: &'a [Document],
    graph: &'a Graph,
    base_url: &'a str,
) -> impl Iterator<Item = Node<'a>> + 'a {
    DocId::all(docs.len()).zip(docs).map(move |(i, d)| Node {
        id: &d.id,
        kind: &d.kind,
        title: &d.title,
        url: Url(
            base_url,
            &d.id,
            d.tracker.as_deref().map(|o| o.url.as_deref()),
        ),
        parent: graph.parent(i).map(|p| docs[p].id.as_str()),
        status: d.status.map(|s| s.as_str()),
        quarter: d.quarter,
        team: d.team.as_ref().map(|t| t.id.as_str()),
        owner: d.owner.as_deref(),
        file: &d.file,
        tracker_key: d.tracker.as_deref().map(|o| o.key.as_str()),
    })
}

/// The edges of `graph.json`, in the graph's order.
fn edges<'a>(docs: &'a [Document], graph: &'a Graph) -> impl Iterator<Item = EdgeOut<'a>> + 'a {
    graph.edges().iter().map(|e| EdgeOut {
        from: &docs[e.from].id,
        to: &docs[e.to].id,
        rel: e.rel.as_str(),
    })
}

/// One hash of all that [`to_json`] writes for these documents: equal keys,
/// equal files. A build over an output whose `graph.json` was made from the
/// same key keeps that file: serialising 10,000 nodes again was 5% of a
/// rebuild's work, done for a file whose bytes had not changed.
pub fn json_key(docs: &[Document], graph: &Graph, base_url: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // Hashed as they are made: no list of 10,000 nodes only to hash it.
    let mut hasher = foldhash::quality::FixedState::with_seed(0).build_hasher();
    base_url.hash(&mut hasher);
    docs.len().hash(&mut hasher);
    for node in nodes(docs, graph, base_url) {
        node.key().hash(&mut hasher);
    }
    graph.edges().len().hash(&mut hasher);
    for edge in edges(docs, graph) {
        edge.key().hash(&mut hasher);
    }
    hasher.finish()
}

/// `{"nodes": [...], "edges": [...]}`, in file order, with page URLs under `base_url`, pretty-printed.
pub fn to_json(docs: &[Document], graph: &Graph, base_url: &str) -> String {
    let out = graph_out(docs, graph, base_url);
    // Measured, then written into a buffer of that size: grown by doubling,
    // the 60 MB of 100,000 documents took a 64 MiB buffer, and the 32 MiB
    // one beside it while it moved, at the build's peak of memory.
    let mut size = ByteCount(0);
    let mut bytes = match serde_json::to_writer_pretty(&mut size, &out) {
        Ok(()) => Vec::with_capacity(size.0 + 1),
        Err(_) => Vec::new(),
    };
    let written = serde_json::to_writer_pretty(&mut bytes, &out);
    let mut text = match written.map(|()| String::from_utf8(bytes)) {
        Ok(Ok(text)) => text,
        _ => "{}".into(),
    };
    text.push('\n');
    text
}

/// A writer that only counts the bytes written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// graph.json as `serve` last wrote it, a piece per node and one for the
/// edges, each with a hash of what it was made from: an edit serialises
/// again only the nodes it changed. Serialising 10,000 nodes and their edges
/// was a sixth of a title edit's work.
#[derive(Debug, Default)]
pub struct JsonPieces {
    base_url: String,
    nodes: Vec<(u64, String)>,
    edges: (u64, String),
}

/// [`to_json`], reusing the pieces of the last call that did not change.
pub fn to_json_reusing(
    docs: &[Document],
    graph: &Graph,
    base_url: &str,
    pieces: &mut JsonPieces,
) -> String {
    let out = graph_out(docs, graph, base_url);
    if pieces.base_url != base_url {
        *pieces = JsonPieces {
            base_url: base_url.to_string(),
            ..JsonPieces::default()
        };
    }
    let hasher = foldhash::fast::FixedState::with_seed(0);
    pieces.nodes.truncate(out.nodes.len());
    for (i, node) in out.nodes.iter().enumerate() {
        let hash = hasher.hash_one(node.key());
        match pieces.nodes.get_mut(i) {
            Some(piece) if piece.0 == hash => {}
            Some(piece) => *piece = (hash, array_items(std::slice::from_ref(node))),
            None => pieces
                .nodes
                .push((hash, array_items(std::slice::from_ref(node)))),
        }
    }
    let edges_hash = hasher.hash_one(out.edges.iter().map(EdgeOut::key).collect::<Vec<_>>());
    if pieces.edges.0 != edges_hash || pieces.edges.1.is_empty() {
        pieces.edges = (edges_hash, array_items(&out.edges));
    }
    let size: usize = pieces.nodes.iter().map(|(_, p)| p.len() + 2).sum();
    let mut text = String::with_capacity(size + pieces.edges.1.len() + 64);
    text.push_str("{\n  \"nodes\": ");
    match pieces.nodes.is_empty() {
        true => text.push_str("[]"),
        false => {
            text.push_str("[\n");
            for (i, (_, piece)) in pieces.nodes.iter().enumerate() {
                if i > 0 {
                    text.push_str(",\n");
                }
                text.push_str(piece);
            }
            text.push_str("\n  ]");
        }
    }
    text.push_str(",\n  \"edges\": ");
    match out.edges.is_empty() {
        true => text.push_str("[]"),
        false => {
            text.push_str("[\n");
            text.push_str(&pieces.edges.1);
            text.push_str("\n  ]");
        }
    }
    text.push_str("\n}\n");
    text
}

/// `items` as the pretty printer writes them inside an array two levels
/// deep, between its `[` line and its `]` line: each indented by four
/// spaces, separated by `,` and a newline.
fn array_items<T: Serialize>(items: &[T]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        // Plain data always serialises.
        let text = serde_json::to_string_pretty(item).unwrap_or_default();
        out.push_str("    ");
        // A JSON string escapes its newlines: every newline is between lines.
        out.push_str(&text.replace('\n', "\n    "));
    }
    out
}

impl Node<'_> {
    /// What the node is made from, for [`JsonPieces`].
    fn key(&self) -> impl std::hash::Hash + '_ {
        (
            (
                self.id,
                self.kind,
                self.title,
                self.url.1,
                self.url.2,
                self.parent,
            ),
            (
                self.status,
                self.quarter,
                self.team,
                self.owner,
                self.file,
                self.tracker_key,
            ),
        )
    }
}

impl EdgeOut<'_> {
    fn key(&self) -> (&str, &str, &str) {
        (self.from, self.to, self.rel)
    }
}

/// A Graphviz digraph, strategy at the top.
pub fn to_dot(docs: &[Document], graph: &Graph) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from(
        "digraph strategy {\n  rankdir=BT;\n  node [shape=box, fontname=\"sans-serif\"];\n",
    );
    for d in docs {
        let label = format!(
            "{}\\n({})",
            d.title.replace('\\', "\\\\").replace('"', "\\\""),
            d.kind
        );
        out.push_str(&format!("  {} [label=\"{label}\"];\n", quote(&d.id)));
    }
    for e in graph.edges() {
        let style = match e.rel {
            super::Rel::Parent => String::new(),
            // Waiting is not tracing: bold and red, with the arrow as read
            // ("waits on"), never confused with the dashed sideways links.
            super::Rel::DependsOn => format!(
                " [label={}, style=bold, color=firebrick, constraint=false]",
                quote(e.rel.as_str())
            ),
            other => format!(" [label={}, style=dashed]", quote(other.as_str())),
        };
        out.push_str(&format!(
            "  {} -> {}{style};\n",
            quote(&docs[e.from].id),
            quote(&docs[e.to].id)
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Schema;
    use crate::graph::ResolveContext;
    use crate::source::{parse_document, SourceFile};

    fn site(files: &[(&str, &str)]) -> (Vec<Document>, Graph) {
        let schema = Schema::builtin();
        let docs: Vec<Document> = files
            .iter()
            .enumerate()
            .map(|(i, (path, text))| {
                let file = SourceFile::new(
                    path.to_string(),
                    std::path::PathBuf::from(path),
                    text.to_string(),
                );
                parse_document(&file, crate::model::SourceId::new(i), &schema).0
            })
            .collect();
        let graph = Graph::build(&docs, &schema, &ResolveContext::default()).0;
        (docs, graph)
    }

    #[test]
    fn pieces_reused_or_made_again_write_what_the_pretty_printer_writes() {
        let mut pieces = JsonPieces::default();
        let steps: [&[(&str, &str)]; 5] = [
            &[],
            &[
                (
                    "cs.md",
                    "---\nid: cs\nkind: company-strategy\ntitle: \"Say \\\"hi\\\"\\nthere\"\n---\n",
                ),
                (
                    "b.md",
                    "---\nid: b\nkind: bet\nparent: cs\nquarter: 2027-Q1\n---\n",
                ),
            ],
            &[
                (
                    "cs.md",
                    "---\nid: cs\nkind: company-strategy\ntitle: Renamed\n---\n",
                ),
                (
                    "b.md",
                    "---\nid: b\nkind: bet\nparent: cs\nquarter: 2027-Q1\n---\n",
                ),
            ],
            &[("cs.md", "---\nid: cs\nkind: company-strategy\n---\n")],
            &[
                ("a.md", "---\nid: a\nkind: bet\nparent: cs\n---\n"),
                ("cs.md", "---\nid: cs\nkind: company-strategy\n---\n"),
            ],
        ];
        for (n, files) in steps.iter().enumerate() {
            let (docs, graph) = site(files);
            for base in ["/", "/sub/"] {
                assert_eq!(
                    to_json_reusing(&docs, &graph, base, &mut pieces),
                    to_json(&docs, &graph, base),
                    "step {n}, base {base}"
                );
            }
        }
    }
}
