//! `throughline graph`: the resolved graph as JSON and dot.

use crate::support::SiteTest;

fn small_site() -> SiteTest {
    SiteTest::new()
        .file("cs.md", "---\nid: cs\nkind: company-strategy\ntitle: Win merchants\nstatus: active\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\ntitle: Same-day \"payouts\"\nparent: cs\n---\n")
        .file("team.md", "---\nid: team-pay\nkind: team\n---\n")
        .file("metric.md", "---\nid: m-rate\nkind: metric\n---\n")
        .file(
            "bet.md",
            "---\nid: bet-a\nkind: bet\nparent: ps\nsupports: [cs]\nrelated: [ps]\nteam: team-pay\nquarter: 2027-Q1\nstatus: committed\nsuccess: { metric: m-rate }\n---\nMentions [[cs]] twice: [[cs]].\n",
        )
        .file("review.md", "---\nid: rev\nkind: review\ndate: 2026-11-01\ncovers: [bet-a]\n---\n")
}

#[test]
fn json_has_nodes_and_edges() {
    let run = small_site().run(&["graph", "ROOT", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let graph: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let nodes = graph["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 6);
    let bet = nodes.iter().find(|n| n["id"] == "bet-a").unwrap();
    assert_eq!(bet["kind"], "bet");
    assert_eq!(bet["url"], "/bet-a/");
    assert_eq!(bet["parent"], "ps");
    assert_eq!(bet["status"], "committed");
    assert_eq!(bet["quarter"], "2027-Q1");
    let edges: Vec<String> = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} -{}-> {}",
                e["from"].as_str().unwrap(),
                e["rel"].as_str().unwrap(),
                e["to"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        edges,
        vec![
            "bet-a -parent-> ps",
            "bet-a -supports-> cs",
            "bet-a -related-> ps",
            "bet-a -team-> team-pay",
            "bet-a -metric-> m-rate",
            "bet-a -mentions-> cs",
            "ps -parent-> cs",
            "rev -covers-> bet-a",
        ]
    );
}

#[test]
fn dot_is_a_digraph_with_escaped_labels() {
    let run = small_site().run(&["graph", "ROOT", "--format", "dot"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("digraph strategy {\n"));
    assert!(
        run.stdout
            .contains("\"ps\" [label=\"Same-day \\\"payouts\\\"\\n(product-strategy)\"];"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\"bet-a\" -> \"ps\";"));
    assert!(run
        .stdout
        .contains("\"rev\" -> \"bet-a\" [label=\"covers\", style=dashed];"));
}

#[test]
fn graph_still_prints_but_fails_on_errors() {
    let site = small_site().file("bad.md", "---\nid: bad\nkind: bet\nparent: nowhere\n---\n");
    let run = site.run(&["graph", "ROOT"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[broken-link]"));
    assert!(serde_json::from_str::<serde_json::Value>(&run.stdout).is_ok());
}
