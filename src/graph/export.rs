//! The resolved graph for other tools: `graph.json` (SPEC §9) and Graphviz dot.

use serde_json::{json, Value};

use super::Graph;
use crate::model::Document;

/// `{"nodes": [...], "edges": [...]}`, in file order, with page URLs under `base_url`.
pub fn to_json(docs: &[Document], graph: &Graph, base_url: &str) -> Value {
    let nodes: Vec<Value> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "id": d.id,
                "kind": d.kind,
                "title": d.title,
                "url": format!("{base_url}{}/", d.id),
                "parent": graph.parent(i).map(|p| docs[p].id.as_str()),
                "status": d.status.map(|s| s.as_str()),
                "quarter": d.quarter.map(|q| q.to_string()),
                "team": d.team.as_ref().map(|t| t.id.as_str()),
                "owner": d.owner,
                "file": d.file,
            })
        })
        .collect();
    let edges: Vec<Value> = graph
        .edges()
        .iter()
        .map(|e| json!({"from": docs[e.from].id, "to": docs[e.to].id, "rel": e.rel.as_str()}))
        .collect();
    json!({ "nodes": nodes, "edges": edges })
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
