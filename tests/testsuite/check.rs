//! `throughline check`: structural rules, formats, exit codes, options.

use crate::support::SiteTest;

const TODAY: &str = "2026-11-24";

#[test]
fn every_structural_rule_is_reported_at_the_field_or_link_at_fault() {
    let site = SiteTest::fixture("structural");
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.structural_findings(),
        vec![
            "schema bets/bad-schema.md:5:9",
            "schema bets/bad-schema.md:6:17",
            "schema bets/bad-schema.md:7:1",
            "yaml bets/bad-yaml.md:4:14",
            "broken-link bets/broken-links.md:4:9",
            "broken-link bets/broken-links.md:5:20",
            "broken-link bets/broken-links.md:7:39",
            "broken-link bets/broken-links.md:9:10",
            "broken-link bets/broken-links.md:9:45",
            "duplicate-id bets/dup-one.md:2:5",
            "duplicate-id bets/dup-two.md:2:5",
            "invalid-parent bets/invalid-parent.md:4:9",
            "cycle discovery/loop-a.md:4:9",
        ]
    );
    insta::assert_snapshot!("structural_json", run.stdout);
    assert!(
        run.stderr
            .starts_with("check failed: 10 documents, 12 errors, 1 warning, 0 info in "),
        "{}",
        run.stderr
    );
}

#[test]
fn human_format_quotes_the_line_with_a_caret() {
    let site = SiteTest::fixture("structural");
    let run = site.run(&["check", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("structural_human", run.stdout);
}

#[test]
fn github_format_writes_annotations() {
    let site = SiteTest::fixture("structural");
    let run = site.run(&["check", "ROOT", "--format", "github", "--today", TODAY]);
    assert_eq!(run.code, 1);
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "::error file=bets/bad-schema.md,line=5,col=9,title=schema::`status` cannot be `commited`%0Ahint: did you mean `committed`? (one of: proposed, discovery, committed, in-progress, done, dropped, archived)"
    );
    assert!(run.stdout.contains(
        "::warning file=bets/bad-schema.md,line=7,col=1,title=schema::unknown field `reviewd`"
    ));
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let site = SiteTest::new().file(
        "strategy.md",
        "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\ntitel: Typo\n---\n",
    );
    let run = site.run(&["check", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run
        .stdout
        .contains("warning[schema]: unknown field `titel`"));
    let run = site.run(&["check", "ROOT", "--today", TODAY, "--deny-warnings"]);
    assert_eq!(run.code, 1);
}

#[test]
fn a_clean_site_exits_zero_with_one_summary_line() {
    let site = SiteTest::new()
        .file(
            "company.md",
            "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Our strategy\n",
        )
        .file(
            "glossary.md",
            "# Glossary\n\nNo front matter at all; see [[cs]].\n",
        );
    let run = site.run(&["check", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(run
        .stderr
        .starts_with("checked: 2 documents, 0 errors, 0 warnings, 0 info in "));
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = SiteTest::new()
        .file(
            "company.md",
            "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\nSee [[ps-draft]].\n",
        )
        .file(
            "draft.md",
            "---\nid: ps-draft\nkind: product-strategy\nparent: cs\ndraft: true\n---\n",
        );
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(
        run.structural_findings(),
        vec!["broken-link company.md:6:5"]
    );
    assert_eq!(
        run.json()[0]["hint"],
        "`ps-draft` (draft.md) is a draft; build with `--drafts`, or remove `draft: true`"
    );
    let run = site.run(&[
        "check", "ROOT", "--format", "json", "--today", TODAY, "--drafts",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("2 documents"));
}

#[test]
fn config_files_are_validated_with_a_hint() {
    let site = SiteTest::new().file("throughline.yaml", "title: X\nmax_bet_per_quarter: 3\n");
    let run = site.run(&["check", "ROOT"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error[config]: unknown key `max_bet_per_quarter`\n --> throughline.yaml:2:1\n  |\n2 | max_bet_per_quarter: 3\n  | ^^^^^^^^^^^^^^^^^^^\n  = hint: did you mean `max_bets_per_quarter`?\n\n"
    );
    let site = SiteTest::new().file("throughline.yaml", "title: [unclosed\n");
    let run = site.run(&["check", "ROOT"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("throughline.yaml is not valid YAML"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_kinds_change_what_a_parent_may_be() {
    let site = SiteTest::new()
        .file("throughline.yaml", "kinds:\n  initiative: { label: Initiative, layer: 3, parents: [product-strategy], cadence: 3m }\n")
        .file("cs.md", "---\nid: cs\nkind: company-strategy\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\n---\n")
        .file("init.md", "---\nid: init\nkind: initiative\nparent: ps\n---\n")
        .file("wrong.md", "---\nid: wrong\nkind: initiative\nparent: cs\n---\n");
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(
        run.structural_findings(),
        vec!["invalid-parent wrong.md:4:9"]
    );
}

#[test]
fn ignore_globs_and_reserved_folders_are_not_content() {
    let site = SiteTest::new()
        .file(
            "throughline.yaml",
            "ignore: [\"notes/**\", \"README.md\"]\n",
        )
        .file("README.md", "---\nkind: nonsense\n---\n")
        .file("notes/scratch.md", "---\nkind: nonsense\n---\n")
        .file("static/x.md", "---\nkind: nonsense\n---\n")
        .file("templates/y.md", "---\nkind: nonsense\n---\n")
        .file("public/z.md", "---\nkind: nonsense\n---\n")
        .file(".git/w.md", "---\nkind: nonsense\n---\n")
        .file("cs.md", "---\nid: cs\nkind: company-strategy\n---\n");
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains(": 1 documents"), "{}", run.stderr);
}

/// An id names a folder and files of the built site; `check` refuses one
/// longer than 128 bytes, where `build` used to fail on it
/// after the check passed ("cannot write"), and the longest it accepts builds.
#[test]
fn an_id_too_long_to_be_a_file_name_is_refused_by_check_and_build_alike() {
    let at_limit = format!("p-{}", "b".repeat(126));
    let fine = SiteTest::new().file(
        "ok.md",
        format!("---\nid: {at_limit}\ntitle: Longest\n---\nText.\n"),
    );
    let built = fine.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    assert!(built.out.join(&at_limit).join("index.html").is_file());

    let too_long = format!("p-{}", "a".repeat(254));
    let from_name = "c".repeat(200);
    let site = SiteTest::new()
        .file(
            "long.md",
            format!("---\ntitle: Long\nid: {too_long}\n---\nText.\n"),
        )
        .file(
            &format!("{from_name}.md"),
            "---\ntitle: Named by its file\n---\nText.\n",
        );
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.json();
    let long = findings
        .iter()
        .find(|f| f["file"] == "long.md")
        .expect("long.md is reported");
    assert_eq!(
        (&long["rule"], &long["line"], &long["column"]),
        (&"schema".into(), &3.into(), &5.into())
    );
    let message = long["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("256 bytes long; ids may be at most 128 bytes"),
        "{message}"
    );
    assert!(
        long["hint"]
            .as_str()
            .is_some_and(|h| h.contains("shorter id")),
        "{long}"
    );
    let named = findings
        .iter()
        .find(|f| f["file"] == format!("{from_name}.md"))
        .expect("the long file name is reported");
    assert!(
        named["hint"]
            .as_str()
            .is_some_and(|h| h.contains("add a shorter `id:`")),
        "{named}"
    );

    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 1, "{}", built.run.stderr);
    assert!(
        built.run.stderr.contains("nothing was written"),
        "{}",
        built.run.stderr
    );
    assert!(
        !built.run.stderr.contains("cannot write"),
        "{}",
        built.run.stderr
    );
    assert!(!built.out.exists());
}
