//! The resolved graph for other tools: `graph.json` (SPEC §9) and Graphviz dot.

use serde::Serialize;

use super::Graph;
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
}

/// An edge of `graph.json`.
/// A document's URL, written straight into the output: making 100,000
/// strings only to copy them was a tenth of writing graph.json.
struct Url<'a>(&'a str, &'a str);

impl Serialize for Url<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}{}/", self.0, self.1))
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

fn graph_out<'a>(docs: &'a [Document], graph: &Graph, base_url: &'a str) -> GraphOut<'a> {
    let nodes = docs
        .iter()
        .enumerate()
        .map(|(i, d)| Node {
            id: &d.id,
            kind: &d.kind,
            title: &d.title,
            url: Url(base_url, &d.id),
            parent: graph.parent(i).map(|p| docs[p].id.as_str()),
            status: d.status.map(|s| s.as_str()),
            quarter: d.quarter,
            team: d.team.as_ref().map(|t| t.id.as_str()),
            owner: d.owner.as_deref(),
            file: &d.file,
        })
        .collect();
    let edges = graph
        .edges()
        .iter()
        .map(|e| EdgeOut {
            from: &docs[e.from].id,
            to: &docs[e.to].id,
            rel: e.rel.as_str(),
        })
        .collect();
    GraphOut { nodes, edges }
}

/// `{"nodes": [...], "edges": [...]}`, in file order, with page URLs under `base_url`, pretty-printed.
pub fn to_json(docs: &[Document], graph: &Graph, base_url: &str) -> String {
    let mut text = serde_json::to_string_pretty(&graph_out(docs, graph, base_url))
        .unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
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
