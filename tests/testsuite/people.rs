//! People and dependencies through the binary: owners resolved against
//! person documents, `depends_on` checked as links, cycles and risks.

use crate::support::SiteTest;

const TODAY: &str = "2026-11-24";

/// A strategy, two teams' objectives and a person, without problems.
fn site() -> SiteTest {
    SiteTest::new()
        // Titles like "Objective o-a" read as outputs; not the point here.
        .file("throughline.yaml", "rules: { output-objective: allow }\n")
        .file("cs.md", "---\nid: cs\nkind: company-strategy\ntitle: Win merchants\nreviewed: 2026-11-01\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\ntitle: Payouts\nparent: cs\nreviewed: 2026-11-01\n---\n")
        .file("teams/pay.md", "---\nid: team-pay\nkind: team\nreviewed: 2026-11-01\n---\n")
        .file("teams/ledger.md", "---\nid: team-ledger\nkind: team\nreviewed: 2026-11-01\n---\n")
        .file(
            "people/ana.md",
            "---\nid: ana-lima\nkind: person\ntitle: Ana Lima\nteam: team-pay\nrole: Product lead\nhandles: ['@analima']\n---\n",
        )
}

fn objective(id: &str, team: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\nkind: objective\ntitle: Objective {id}\nparent: ps\nteam: {team}\nstatus: committed\nquarter: 2026-Q4\nreviewed: 2026-11-20\n{extra}---\n"
    )
}

#[test]
fn an_unknown_owner_is_a_warning_with_the_nearest_person() {
    let site = site()
        .file("o1.md", objective("o1", "team-pay", "owner: Ana Lma\n"))
        .file("o2.md", objective("o2", "team-pay", "owner: '@AnaLima'\n"));
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), vec!["unknown-person o1.md:10:8"]);
    let found = &run.json()[0];
    assert_eq!(found["severity"], "warning");
    assert_eq!(found["message"], "`owner` `Ana Lma` names no person");
    assert_eq!(found["hint"], "did you mean `ana-lima` (Ana Lima)?");
}

#[test]
fn without_people_an_owner_is_free_text() {
    let site = SiteTest::new().file("p.md", "---\nid: p\nowner: Anyone At All\n---\n");
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), Vec::<String>::new());
}

#[test]
fn a_cycle_of_three_is_one_error_naming_all_of_it() {
    let site = site()
        .file("a.md", objective("o-a", "team-pay", "depends_on: [o-b]\n"))
        .file(
            "b.md",
            objective("o-b", "team-ledger", "depends_on: [o-c]\n"),
        )
        .file(
            "c.md",
            objective(
                "o-c",
                "team-pay",
                "depends_on:\n  - {id: o-a, needed_by: 2026-12-31}\n",
            ),
        );
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.findings(), vec!["dependency-cycle a.md:10:14"]);
    assert_eq!(
        run.json()[0]["message"],
        "dependency cycle: `o-a` waits on `o-b`, which waits on `o-c`, which waits on `o-a`"
    );
    let myself = site.file("c.md", objective("o-c", "team-pay", "depends_on: [o-c]\n"));
    let run = myself.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.findings(), vec!["dependency-cycle c.md:10:14"]);
    assert_eq!(run.json()[0]["message"], "`o-c` depends on itself");
}

#[test]
fn dependencies_are_links_checked_like_any_other() {
    let site = site()
        .file(
            "a.md",
            objective("o-a", "team-pay", "depends_on: [o-bb, {id: o-draft}, ps]\n"),
        )
        .file("b.md", objective("o-b", "team-ledger", ""))
        .file(
            "d.md",
            "---\nid: o-draft\nkind: objective\ndraft: true\n---\n",
        );
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.findings(),
        vec![
            "broken-link a.md:10:14",
            "broken-link a.md:10:25",
            "schema a.md:10:35",
        ]
    );
    let hints: Vec<&str> = run
        .json()
        .iter()
        .map(|d| d["hint"].as_str().unwrap_or(""))
        .map(|h| Box::leak(h.to_string().into_boxed_str()) as &str)
        .collect();
    assert_eq!(hints[0], "did you mean `o-b`?");
    assert!(hints[1].contains("is a draft"), "{}", hints[1]);
}

#[test]
fn the_graph_draws_dependencies_apart_from_parents() {
    let site = site()
        .file("a.md", objective("o-a", "team-pay", "depends_on: [o-b]\n"))
        .file("b.md", objective("o-b", "team-ledger", ""));
    let run = site.run(&["graph", "ROOT", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let graph: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let deps: Vec<(&str, &str)> = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rel"] == "depends_on")
        .map(|e| (e["from"].as_str().unwrap(), e["to"].as_str().unwrap()))
        .collect();
    assert_eq!(deps, vec![("o-a", "o-b")]);
    let dot = site.run(&["graph", "ROOT", "--format", "dot"]).stdout;
    assert!(
        dot.contains("\"o-a\" -> \"o-b\" [label=\"depends_on\", style=bold, color=firebrick, constraint=false];"),
        "{dot}"
    );
    assert!(dot.contains("\"o-a\" -> \"ps\";"), "{dot}");
}
