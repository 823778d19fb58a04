//! Errors that point at the fix (issue #20, section 2), through the real
//! binary: each finding names what to change, where, with a hint that fits
//! the document.

use crate::support::SiteTest;

/// The JSON findings of `check` on `site` as (rule, file:line, message, hint).
fn findings(site: &SiteTest) -> Vec<(String, String, String, String)> {
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    run.json()
        .into_iter()
        .map(|d| {
            let text = |k: &str| d[k].as_str().unwrap_or("").to_string();
            (
                text("rule"),
                format!("{}:{}", text("file"), d["line"]),
                text("message"),
                text("hint"),
            )
        })
        .collect()
}

#[test]
fn status_hints_offer_only_the_statuses_of_the_kind() {
    let site = SiteTest::new()
        .file(
            "bet-a.md",
            "---\nid: bet-a\nkind: bet\nstatus: activ\n---\n",
        )
        .file(
            "cs.md",
            "---\nid: cs\nkind: company-strategy\nstatus: activ\n---\n",
        );
    let hints: Vec<(String, String)> = findings(&site)
        .into_iter()
        .filter(|f| f.0 == "schema")
        .map(|f| (f.1, f.3))
        .collect();
    assert_eq!(
        hints,
        [
            (
                "bet-a.md:4".to_string(),
                "use one of: proposed, discovery, committed, in-progress, done, dropped, archived"
                    .to_string()
            ),
            (
                "cs.md:4".to_string(),
                "did you mean `active`? (one of: active, archived)".to_string()
            ),
        ]
    );
}

#[test]
fn ost_shape_asks_for_what_the_docs_ask_for() {
    let site = SiteTest::new()
        .file("out.md", "---\nid: out\nkind: outcome\n---\n")
        .file(
            "opp.md",
            "---\nid: opp\nkind: opportunity\nparent: out\n---\n",
        )
        .file("sol.md", "---\nid: sol\nkind: solution\nparent: opp\n---\n");
    let hint = findings(&site)
        .into_iter()
        .find(|f| f.0 == "ost-shape")
        .map(|f| f.3)
        .unwrap_or_default();
    assert_eq!(
        hint,
        "compare and contrast: sketch at least one more solution, so there are two to choose between"
    );
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md"))
        .expect("rules.md");
    assert!(docs.contains("sketch at least two\nsolutions per opportunity"));
}

#[test]
fn output_titles_are_caught_in_their_forms_and_the_verbs_are_configurable() {
    let objective = |id: &str, title: &str| {
        format!("---\nid: {id}\nkind: objective\ntitle: \"{title}\"\nkey_results:\n  - {{metric: m, baseline: 1, target: 2}}\n---\n")
    };
    let site = SiteTest::new()
        .file("a.md", objective("obj-a", "Roll out the gate app"))
        .file("b.md", objective("obj-b", "Deliver yard sensors"))
        .file("c.md", objective("obj-c", "Launching self check-in"))
        .file("d.md", objective("obj-d", "Q4: Launch dock booking"))
        .file(
            "e.md",
            objective("obj-e", "Cut detention from 9 to 5 hours"),
        );
    let titles: Vec<(String, String)> = findings(&site)
        .into_iter()
        .filter(|f| f.0 == "output-objective")
        .map(|f| (f.1, f.2))
        .collect();
    assert_eq!(
        titles,
        [
            (
                "a.md:4".to_string(),
                "the title describes an output (\"Roll out …\"), not an outcome".to_string()
            ),
            (
                "b.md:4".to_string(),
                "the title describes an output (\"Deliver …\"), not an outcome".to_string()
            ),
            (
                "c.md:4".to_string(),
                "the title describes an output (\"Launching …\"), not an outcome".to_string()
            ),
            (
                "d.md:4".to_string(),
                "the title describes an output (\"Launch …\"), not an outcome".to_string()
            ),
        ]
    );
    // A site's own list replaces the default.
    let site = site.file("throughline.yaml", "output_verbs: [cut]\n");
    let flagged: Vec<String> = findings(&site)
        .into_iter()
        .filter(|f| f.0 == "output-objective")
        .map(|f| f.1)
        .collect();
    assert_eq!(flagged, ["e.md:4"]);
    // A verb that is not words is a config error at its line.
    let site = site.file(
        "throughline.yaml",
        "title: X\noutput_verbs: [launch, \"ship!\"]\n",
    );
    let run = site.run(&["check", "ROOT"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`ship!` is not a verb") && run.stderr.contains("throughline.yaml:2:"),
        "{}",
        run.stderr
    );
}

#[test]
fn new_warns_when_it_writes_an_output_title() {
    let site = SiteTest::new();
    let run = site.run(&[
        "new",
        "objective",
        "Rolling out dock booking",
        "--root",
        "ROOT",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: the title describes an output (\"Rolling out\"), not an outcome"),
        "{}",
        run.stderr
    );
    let run = site.run(&["new", "objective", "Fewer trucks wait", "--root", "ROOT"]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn every_incomplete_key_result_is_named_by_its_position_counted_from_one() {
    let site = SiteTest::new().file(
        "obj.md",
        "---\nid: obj\nkind: objective\ntitle: Fewer trucks wait\nkey_results:\n  - {metric: m-wait, baseline: 9, target: 5}\n  - {metric: m-gate, target: 3}\n  - {baseline: 1}\n  - {metric: m-x, baseline: 1, target: 2, by: 2027-02-30}\n---\n",
    );
    let got: Vec<(String, String, String)> = findings(&site)
        .into_iter()
        .filter(|f| f.0 == "output-objective" || f.0 == "schema")
        .map(|f| (f.1, f.2, f.3))
        .collect();
    assert_eq!(
        got,
        [
            (
                "obj.md:7".to_string(),
                "key result 2 has no baseline".to_string(),
                "add `baseline: …` to it: a key result is a change you can measure, from a baseline to a target".to_string()
            ),
            (
                "obj.md:8".to_string(),
                "key result 3 has no metric or target".to_string(),
                "add `metric: …, target: …` to it: a key result is a change you can measure, from a baseline to a target".to_string()
            ),
            (
                "obj.md:9".to_string(),
                "`by` of key result 4 is not a valid date: `2027-02-30`".to_string(),
                "write dates as YYYY-MM-DD, e.g. 2026-10-02".to_string()
            ),
        ]
    );
}

#[test]
fn one_yaml_mistake_gives_one_error_and_no_orphans_below_it() {
    let site = SiteTest::new()
        .file("cs.md", "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n")
        // `metric` is indented one space too far: the bet's front matter does not parse.
        .file("bet.md", "---\nid: bet-first\nkind: bet\nparent: ps\nreviewed: 2026-11-01\nsuccess:\n  outcome: x\n   metric: m\n---\n")
        .file("obj.md", "---\nid: obj-a\nkind: objective\nparent: bet-first\nreviewed: 2026-11-01\nkey_results:\n  - {metric: m, baseline: 1, target: 2}\n---\n")
        .file("w.md", "---\nid: w-a\nkind: work\nparent: obj-a\nreviewed: 2026-11-01\n---\n")
        .file("m.md", "---\nid: m\nkind: metric\ncheckins: [{date: 2026-11-20, value: 1}]\n---\n")
        // A real orphan elsewhere is still reported.
        .file("lost.md", "---\nid: obj-lost\nkind: objective\nreviewed: 2026-11-01\nkey_results:\n  - {metric: m, baseline: 1, target: 2}\n---\n");
    let rules: Vec<(String, String)> = findings(&site)
        .into_iter()
        .filter(|f| f.0 != "stale")
        .map(|f| (f.0, f.1))
        .collect();
    assert_eq!(
        rules,
        [
            ("yaml".to_string(), "bet.md:8".to_string()),
            ("orphan".to_string(), "lost.md:3".to_string()),
        ]
    );
}

#[test]
fn yaml_errors_say_how_a_line_is_indented_and_give_the_colon_hint_only_for_a_colon() {
    let site = SiteTest::new()
        .file(
            "a.md",
            "---\nid: a\nsuccess:\n  outcome: x\n   metric: m\n---\n",
        )
        .file("b.md", "---\nid: b\ntitle: Payouts: the sequel\n---\n")
        .file("c.md", "---\nid: c\ntags: [a, b\n---\n");
    let hints: Vec<(String, String)> = findings(&site)
        .into_iter()
        .filter(|f| f.0 == "yaml")
        .map(|f| (f.1, f.3))
        .collect();
    assert_eq!(hints.len(), 3, "{hints:#?}");
    assert!(
        hints[0]
            .1
            .starts_with("this line is indented 3 spaces; the keys around it, 2"),
        "{hints:#?}"
    );
    assert!(
        hints[1].1.starts_with("the value contains `: `"),
        "{hints:#?}"
    );
    assert!(
        !hints[2].1.contains("`: `") && !hints[2].1.contains("indented"),
        "{hints:#?}"
    );
}
