//! Bad input of every kind gives a diagnostic naming the file, or is read
//! correctly; never a panic or a hang (the runner's time limit catches hangs).

use crate::support::SiteTest;

const COMPANY: &str =
    "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n";

fn check(site: &SiteTest) -> crate::support::Run {
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("latin1.md", b"---\nid: x\ntitle: Caf\xe9\n---\n");
    let run = check(&site);
    assert_eq!(run.structural_findings(), vec!["encoding latin1.md:3:11"]);
    assert_eq!(run.json()[0]["hint"], "save the file as UTF-8");
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let site = SiteTest::new().file(
        "cs.md",
        "\u{feff}---\nid: cs\nkind: company-strategy\ntitle: With BOM\n---\n",
    );
    let run = check(&site);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let graph = site.run(&["graph", "ROOT"]);
    assert!(
        graph.stdout.contains("\"title\": \"With BOM\""),
        "{}",
        graph.stdout
    );
}

#[test]
fn crlf_line_ends_are_read_and_positions_stay_exact() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY.replace('\n', "\r\n"))
        .file("ps.md", "---\r\nid: ps\r\nkind: product-strategy\r\nparent: cs\r\n---\r\nSee [[cs]] and [[nowhere]].\r\n");
    let run = check(&site);
    assert_eq!(run.structural_findings(), vec!["broken-link ps.md:6:16"]);
    let human = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert!(
        human.stdout.contains("6 | See [[cs]] and [[nowhere]].\n"),
        "{}",
        human.stdout
    );
}

#[test]
fn an_empty_file_is_a_plain_page() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("notes/empty.md", "");
    let run = check(&site);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let graph = site.run(&["graph", "ROOT"]);
    assert!(graph.stdout.contains("\"id\": \"empty\""));
}

#[test]
fn a_lone_fence_or_unclosed_front_matter_is_a_yaml_error() {
    let site = SiteTest::new().file("fence.md", "---").file(
        "open.md",
        "---\nid: open\nkind: bet\n\nBody without a closing fence.\n",
    );
    let run = check(&site);
    assert_eq!(
        run.structural_findings(),
        vec!["yaml fence.md:1:1", "yaml open.md:1:1"]
    );
    assert_eq!(run.json()[0]["message"], "front matter is never closed");
}

#[test]
fn a_yaml_alias_bomb_is_refused() {
    let mut yaml = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for name in "bcdefghi".chars() {
        let refs = vec![format!("*{prev}"); 9].join(",");
        yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    let site = SiteTest::new().file("bomb.md", format!("---\n{yaml}---\n"));
    let run = check(&site);
    assert_eq!(run.code, 1);
    let found = run.json();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0]["rule"].as_str(), found[0]["file"].as_str()),
        (Some("yaml"), Some("bomb.md"))
    );
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("repetition limit"),
        "{}",
        found[0]
    );
}

#[test]
fn twenty_thousand_nested_brackets_are_refused() {
    let deep = format!(
        "---\nid: deep\nx: {}{}\n---\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let site = SiteTest::new().file("deep.md", deep);
    let run = check(&site);
    assert_eq!(run.structural_findings(), vec!["yaml deep.md:3:68"]);
    assert_eq!(
        run.json()[0]["message"],
        "front matter is not valid YAML: brackets nest deeper than 64 levels"
    );
}

/// Runs `check` and returns its findings. Each of these inputs took tens
/// of seconds before issue #13, in a release build, and a fraction of a
/// second after: a return to quadratic time would trip the runner's 30 s
/// hang guard in this debug build. The speed itself is measured by
/// `scripts/worst-cases.sh`, not asserted here, so that no test depends on
/// the machine.
fn check_findings(site: &SiteTest) -> Vec<String> {
    check(site).structural_findings()
}

#[test]
fn a_quote_inside_a_title_does_not_switch_the_bracket_limit_off() {
    let deep = format!(
        "---\nid: deep\ntitle: the \"best plan\nx: {}{}\n---\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let site = SiteTest::new().file("deep.md", deep);
    assert_eq!(check_findings(&site), vec!["yaml deep.md:4:68"]);
}

#[test]
fn a_list_of_forty_thousand_items_is_located_in_linear_time() {
    let items = "  - cs\n".repeat(40_000);
    let flow = vec!["cs"; 40_000].join(", ");
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file(
            "block.md",
            format!("---\nid: block\nrelated:\n{items}  - nowhere\n---\n"),
        )
        .file(
            "flow.md",
            format!("---\nid: flow\nrelated: [{flow}, nowhere]\n---\n"),
        );
    assert_eq!(
        check_findings(&site),
        vec![
            "broken-link block.md:40004:5".to_string(),
            format!("broken-link flow.md:3:{}", 11 + 4 * 40_000),
        ]
    );
}

#[test]
fn two_hundred_thousand_links_on_one_line_are_located_in_linear_time() {
    let links = "[[cs]] ".repeat(200_000);
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("links.md", format!("# Links\n\n{links}[[nowhere]]\n"));
    assert_eq!(
        check_findings(&site),
        vec![format!("broken-link links.md:3:{}", 7 * 200_000 + 1)]
    );
}

#[test]
fn a_rule_reporting_every_one_of_many_key_results_stays_linear() {
    let results = "  - {metric: m-rate, target: 5, by: 2020-01-01}\n".repeat(20_000);
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("m.md", "---\nid: m-rate\nkind: metric\n---\n")
        .file(
            "obj.md",
            format!(
                "---\nid: obj\nkind: objective\nstatus: committed\nkey_results:\n{results}---\n"
            ),
        );
    let run = check(&site);
    let overdue: Vec<String> = run
        .findings()
        .into_iter()
        .filter(|f| f.starts_with("overdue"))
        .collect();
    assert_eq!(overdue.len(), 20_000);
    assert_eq!(overdue[19_999], "overdue obj.md:20005:37");
}

#[test]
fn seventy_thousand_unknown_keys_are_each_located_in_linear_time() {
    let keys: String = (0..70_000).map(|i| format!("  k{i}: 1\n")).collect();
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("keys.md", format!("---\nid: keys\nsuccess:\n{keys}---\n"));
    let run = check(&site);
    let found = run.findings();
    assert_eq!(found.len(), 70_000);
    assert_eq!(found[69_999], "schema keys.md:70003:3");
}

#[test]
fn front_matter_over_a_megabyte_is_refused_before_it_is_parsed() {
    // 1.4 MB: more YAML than is read, yet under the file size limit.
    let items = "  - cs\n".repeat(200_000);
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("long.md", format!("---\nid: long\nrelated:\n{items}---\n"));
    let run = check(&site);
    assert_eq!(run.structural_findings(), vec!["yaml long.md:2:1"]);
    assert_eq!(
        run.json()[0]["message"],
        "front matter is not valid YAML: 1367 KiB is more than the 1024 KiB of YAML that is read"
    );
}

#[test]
fn a_document_just_under_the_size_limit_is_read() {
    let paragraph =
        "Merchants want their money the same day; see [[cs]] for why that matters. ".repeat(20);
    let mut body = String::new();
    while body.len() < 4_000_000 {
        body.push_str(&paragraph);
        body.push_str("\n\n");
    }
    let lines = body.lines().count();
    body.push_str("The end links to [[nowhere]].\n");
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("huge.md", format!("---\nid: huge\nkind: page\n---\n{body}"));
    let run = check(&site);
    assert_eq!(
        run.structural_findings(),
        vec![format!("broken-link huge.md:{}:18", lines + 5)]
    );
}

#[test]
fn a_self_parent_is_a_cycle() {
    let site = SiteTest::new().file(
        "self.md",
        "---\nid: opp\nkind: opportunity\nparent: opp\n---\n",
    );
    let run = check(&site);
    assert_eq!(run.structural_findings(), vec!["cycle self.md:4:9"]);
    assert_eq!(run.json()[0]["message"], "`opp` is its own parent");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_not_followed_forever() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("area/doc.md", "# Doc\n");
    std::os::unix::fs::symlink("..", site.root().join("area/back")).unwrap();
    let run = check(&site);
    assert_eq!(run.structural_findings(), vec!["io area/back:1:1"]);
    assert!(run.json()[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("symbolic link loop"));
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("locked.md", "# Locked\n");
    std::os::unix::fs::symlink("does-not-exist.md", site.root().join("dangling.md")).unwrap();
    let locked = site.root().join("locked.md");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads files whatever their mode; only then is locked.md readable.
    let locked_is_readable = std::fs::read(&locked).is_ok();
    let run = check(&site);
    let mut expected = vec!["io dangling.md:1:1".to_string()];
    if !locked_is_readable {
        expected.push("io locked.md:1:1".to_string());
    }
    assert_eq!(run.structural_findings(), expected);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn file_names_with_spaces_and_non_ascii_work() {
    let site = SiteTest::new()
        .file("cs.md", "---\nid: cs\nkind: company-strategy\n---\nSee [[plan-zürich-été]] and [the plan](pages/Plan%20Z%C3%BCrich%20%C3%A9t%C3%A9.md).\n")
        .file("pages/Plan Zürich été.md", "# Zürich\n");
    let run = check(&site);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let graph = site.run(&["graph", "ROOT"]);
    assert!(
        graph.stdout.contains("\"id\": \"plan-zürich-été\""),
        "{}",
        graph.stdout
    );
    assert!(graph
        .stdout
        .contains("\"file\": \"pages/Plan Zürich été.md\""));
}

/// Human output larger than this for one flooded file means the caps or the
/// line window stopped working (before them: 1.28 GB for the first test).
const FLOOD_LIMIT: usize = 64 * 1024;

#[test]
fn ten_thousand_broken_links_on_one_line_print_a_bounded_report() {
    let line: String = (1..=10_000).map(|i| format!("[[nope-{i}]] ")).collect();
    assert!(line.len() > 128 * 1024);
    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "flood.md",
        format!("---\nid: flood\nkind: page\n---\n{line}\n"),
    );
    let human = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(
        human.stdout.len() < FLOOD_LIMIT,
        "{} bytes of human output",
        human.stdout.len()
    );
    assert_eq!(human.stdout.matches("error[broken-link]").count(), 3);
    assert!(
        human.stdout.contains("… and 9,997 more errors on line 5 of flood.md; `throughline check --format json` lists them all\n"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.lines().all(|l| l.chars().count() < 120));
    let json = check(&site);
    let findings = json.structural_findings();
    assert_eq!(findings.len(), 10_000);
    assert_eq!(
        findings[9_999],
        format!("broken-link flood.md:5:{}", line.len() - 14)
    );
}

#[test]
fn a_flow_list_of_five_thousand_unknown_ids_prints_a_bounded_report() {
    let ids: Vec<String> = (0..5_000).map(|i| format!("gone-{i}")).collect();
    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "list.md",
        format!(
            "---\nid: list\nkind: page\nrelated: [{}]\n---\n",
            ids.join(", ")
        ),
    );
    let human = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(
        human.stdout.len() < FLOOD_LIMIT,
        "{} bytes of human output",
        human.stdout.len()
    );
    assert!(
        human
            .stdout
            .contains("… and 4,997 more errors on line 4 of list.md;"),
        "{}",
        human.stdout
    );
    let json = check(&site);
    let broken = json
        .json()
        .iter()
        .filter(|v| v["rule"] == "broken-link")
        .count();
    assert_eq!(broken, 5_000);
}

#[test]
fn a_long_line_is_quoted_as_a_window_around_each_finding() {
    let prose = "Merchants want their money the same day, and the plan says how. ";
    let line = format!(
        "{}See [[gone-1]], [[gone-2]], [[gone-3]], [[gone-4]] and [[gone-5]]. {}",
        prose.repeat(3),
        prose.repeat(3)
    );
    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "long.md",
        format!("---\nid: long\nkind: page\n---\n{line}\n"),
    );
    let run = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    insta::assert_snapshot!("long_line_human", run.stdout);
}

#[test]
fn terminal_controls_in_ids_titles_links_and_file_names_are_escaped() {
    // ESC ] 0 ; … BEL sets the window title, ESC [ 2 J clears the screen,
    // U+009B is the one-character CSI, CR returns to the start of the line.
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file(
            "evil.md",
            "---\nid: \"evil\\e]0;pwned\\a\\r\\e[2J\\u009B31m\\n::error::injected\"\nkind: page\ntitle: \"Launch\\e]0;pwned\\a\\u009B2J\"\n---\nText \x1b]0;pwned\x07 and\r see [[nope\x1b\x07\u{9b}x]] and [[ok\x1b[2J]].\n",
        )
        .file("name\x1b]0;t\x07.md", "See [[nowhere\r]].\n");
    let human = site.run(&["check", "ROOT", "--today", "2026-11-24", "--color", "never"]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    for c in ['\x1b', '\x07', '\r', '\u{9b}'] {
        assert!(!human.stdout.contains(c), "{c:?} in {}", human.stdout);
    }
    insta::assert_snapshot!("terminal_controls_human", human.stdout);

    let colored = site.run(&[
        "check",
        "ROOT",
        "--today",
        "2026-11-24",
        "--color",
        "always",
    ]);
    // Colour is the only escape sequence: `ESC [ <digits;> m`.
    for (at, _) in colored.stdout.match_indices('\x1b') {
        let sgr = &colored.stdout[at + 1..];
        let params = sgr.strip_prefix('[').unwrap_or("!");
        let end = params.find(|c: char| !c.is_ascii_digit() && c != ';');
        assert_eq!(
            end.map(|e| &params[e..e + 1]),
            Some("m"),
            "{:?}",
            &sgr[..sgr.len().min(20)]
        );
    }
    for c in ['\x07', '\r', '\u{9b}'] {
        assert!(!colored.stdout.contains(c), "{c:?}");
    }

    let json = check(&site);
    let findings = json.json();
    assert!(
        findings.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("evil\x1b]0;pwned\x07")),
        "JSON keeps the text exactly"
    );
    assert!(!json.stdout.contains('\u{9b}') && !json.stdout.contains('\x1b'));

    let github = site.run(&[
        "check",
        "ROOT",
        "--today",
        "2026-11-24",
        "--format",
        "github",
    ]);
    let lines: Vec<&str> = github.stdout.lines().collect();
    assert_eq!(lines.len(), findings.len(), "{}", github.stdout);
    for line in lines {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
        assert!(!line.contains(['\x1b', '\x07', '\r', '\u{9b}']), "{line}");
    }
    assert!(
        github.stdout.contains("%0A::error::injected"),
        "{}",
        github.stdout
    );
}

#[cfg(unix)]
#[test]
fn checkin_names_a_metric_file_with_terminal_controls_escaped() {
    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "metrics/\x1b]0;pwned\x07.md",
        "---\nid: m-x\nkind: metric\ntype: outcome\nunit: '%'\nreviewed: 2026-11-01\n---\n",
    );
    let run = site.run(&[
        "checkin",
        "--root",
        "ROOT",
        "m-x",
        "5",
        "--date",
        "2026-11-01",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains(['\x1b', '\x07']), "{:?}", run.stdout);
    assert!(
        run.stdout.contains("in metrics/\\u{1b}]0;pwned\\u{7}.md"),
        "{}",
        run.stdout
    );
}

#[test]
fn numbers_that_are_not_finite_or_out_of_range_are_reported_where_written() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file(
            "bet.md",
            "---\nid: bet\nkind: bet\nsuccess:\n  baseline: .nan\n  target: .inf\n---\n",
        )
        .file(
            "obj.md",
            "---\nid: obj\nkind: objective\nkey_results:\n  - metric: m\n    target: 1e400\n---\n",
        );
    let run = check(&site);
    let schema: Vec<serde_json::Value> = run
        .json()
        .into_iter()
        .filter(|d| d["rule"] == "schema")
        .collect();
    let found: Vec<String> = schema
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            "bet.md:5:13 `success.baseline` must be a finite number, not `.nan`",
            "bet.md:6:11 `success.target` must be a finite number, not `.inf`",
            "obj.md:6:13 `target` of key result 1 is out of range: `1e400` is too large for a number",
        ]
    );
    assert!(schema.iter().all(|d| d["hint"].is_string()));
}

#[test]
fn a_field_written_twice_is_an_error_at_the_second_in_front_matter_and_config() {
    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "bet.md",
        "---\nid: bet\nowner: Ana\nkind: page\nowner: Bo\n---\n",
    );
    let run = check(&site);
    assert_eq!(run.structural_findings(), vec!["yaml bet.md:5:1"]);
    let finding = &run.json()[0];
    assert_eq!(
        finding["message"],
        "front matter is not valid YAML: `owner` is written twice in the same mapping (first on line 3)"
    );
    assert_eq!(
        finding["hint"],
        "keep one `owner:`; YAML would silently use the last one"
    );

    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "throughline.yaml",
        "title: A\nmax_bets_per_quarter: 3\ntitle: B\n",
    );
    let run = check(&site);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[config]: throughline.yaml is not valid YAML: `title` is written twice in the same mapping (first on line 1)\n --> throughline.yaml:3:1\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("= hint: keep one `title:`; YAML would silently use the last one"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_counts_and_durations_explain_what_is_wrong() {
    for (config, at, message) in [
        (
            "max_bets_per_quarter: -1\n",
            "1:23",
            "`max_bets_per_quarter` must be a whole number above 0, not -1",
        ),
        (
            "drift_grace: 0d\n",
            "1:14",
            "`drift_grace` is not a duration: `0d` is zero days; a duration is at least `1d`",
        ),
    ] {
        let site = SiteTest::new()
            .file("cs.md", COMPANY)
            .file("throughline.yaml", config);
        let run = check(&site);
        assert_eq!(run.code, 2, "{config}");
        assert!(
            run.stderr.contains(&format!(
                "error[config]: {message}\n --> throughline.yaml:{at}\n"
            )),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("= hint: "), "{}", run.stderr);
    }
}
