//! `init` and `new`.

use crate::support::SiteTest;

#[test]
fn init_makes_a_site_that_checks_clean_on_the_day_it_is_created() {
    let dir = SiteTest::new();
    let site = dir.root().join("strategy");
    let site_arg = site.to_str().unwrap().to_string();
    let run = dir.run(&["init", &site_arg, "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for file in [
        "throughline.yaml",
        "README.md",
        "strategy/cs-company.md",
        "bets/bet-first.md",
        "objectives/obj-first.md",
        "metrics/m-activation.md",
        "teams/team-core.md",
        "work/w-first.md",
        "products/ps-core.md",
    ] {
        assert!(site.join(file).is_file(), "{file} missing");
    }
    let check = dir.run(&[
        "check",
        &site_arg,
        "--today",
        "2026-11-24",
        "--deny-warnings",
    ]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(check.stdout, "");
    let build = dir.run(&[
        "build",
        &site_arg,
        "--today",
        "2026-11-24",
        "--deny-warnings",
    ]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    // Today is the default date, too.
    let other = dir.root().join("today");
    assert_eq!(dir.run(&["init", other.to_str().unwrap()]).code, 0);
    assert_eq!(
        dir.run(&["check", other.to_str().unwrap(), "--deny-warnings"])
            .code,
        0
    );
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = SiteTest::new().file("notes.md", "# Mine\n");
    let run = dir.run(&["init", "ROOT"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not an empty folder"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.root().join("notes.md")).unwrap(),
        "# Mine\n"
    );
}

#[test]
fn new_writes_a_skeleton_for_every_kind_without_schema_errors() {
    let dir = SiteTest::new();
    let root = dir.root().join("site");
    let root_arg = root.to_str().unwrap().to_string();
    assert_eq!(
        dir.run(&["init", &root_arg, "--today", "2026-11-24"]).code,
        0
    );
    let kinds = [
        ("company-strategy", "Second company", None),
        ("product-strategy", "Payments: same day", Some("cs-company")),
        ("bet", "Instant payouts", Some("ps-core")),
        ("objective", "Raise payout rate", Some("bet-first")),
        ("work", "Ledger reads", Some("obj-first")),
        ("outcome", "Owners trust timing", Some("bet-first")),
        (
            "opportunity",
            "Payroll surprises",
            Some("out-owners-trust-timing"),
        ),
        ("solution", "Forecast view", Some("opp-payroll-surprises")),
        ("experiment", "Email test", Some("sol-forecast-view")),
        ("metric", "Payout rate", None),
        ("team", "Payouts", None),
        ("review", "Q4 review", None),
        ("page", "Glossary \"terms\" #1", None),
    ];
    for (kind, title, parent) in kinds {
        let mut args = vec![
            "new",
            kind,
            title,
            "--root",
            &root_arg,
            "--today",
            "2026-11-24",
        ];
        if let Some(p) = parent {
            args.extend(["--parent", p]);
        }
        let run = dir.run(&args);
        assert_eq!(run.code, 0, "{kind}: {}", run.stderr);
        let path = std::path::PathBuf::from(run.stdout.trim());
        assert!(path.is_file(), "{kind}: {}", run.stdout);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            kind == "review" || kind == "page" || text.contains("reviewed: 2026-11-24"),
            "{kind}:\n{text}"
        );
    }
    assert!(root.join("bets/bet-instant-payouts.md").is_file());
    assert!(root.join("discovery/sol-forecast-view.md").is_file());
    let check = dir.run(&[
        "check",
        &root_arg,
        "--format",
        "json",
        "--today",
        "2026-11-24",
    ]);
    let errors: Vec<String> = check
        .json()
        .iter()
        .filter(|d| d["severity"] == "error" || d["rule"] == "schema")
        .map(|d| d.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn new_refuses_existing_ids_wrong_parents_and_unknown_kinds() {
    let dir = SiteTest::new();
    let root = dir.root().join("site");
    let root_arg = root.to_str().unwrap().to_string();
    assert_eq!(dir.run(&["init", &root_arg]).code, 0);
    let run = dir.run(&[
        "new", "bet", "First", "--root", &root_arg, "--parent", "ps-core",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`bet-first` already exists: bets/bet-first.md"),
        "{}",
        run.stderr
    );
    let run = dir.run(&[
        "new",
        "bet",
        "Another",
        "--root",
        &root_arg,
        "--parent",
        "obj-first",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "`obj-first` is a `objective`: the parent of a `bet` must be a `product-strategy`"
        ),
        "{}",
        run.stderr
    );
    let run = dir.run(&[
        "new", "bet", "Another", "--root", &root_arg, "--parent", "ps-cor",
    ]);
    assert!(
        run.stderr.contains("did you mean `ps-core`?"),
        "{}",
        run.stderr
    );
    let run = dir.run(&["new", "bett", "Another", "--root", &root_arg]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `bet`?"), "{}", run.stderr);
    assert!(!root.join("bets/bet-another.md").exists());
}

#[test]
fn new_writes_odd_titles_so_that_they_read_back_exactly() {
    let titles = [
        "0x1F",
        "1e3",
        "1.50",
        "yes",
        "null",
        "- x",
        "a: b",
        "#x",
        "\"q\"",
        "'q'",
        "two\nlines",
        "@x",
        "`x",
        "%x",
        "  padded  ",
        "Launch 🚀",
        "x #y",
        "[x]",
        "true",
    ];
    for title in titles {
        let site = SiteTest::new();
        // `--` so that `- x` is a title, not an option.
        let run = site.run(&[
            "new",
            "--root",
            "ROOT",
            "--today",
            "2026-11-24",
            "--",
            "page",
            title,
        ]);
        assert_eq!(run.code, 0, "{title:?}: {}", run.stderr);
        let written = std::fs::read_to_string(run.stdout.trim()).unwrap();
        let check = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
        assert_eq!(check.code, 0, "{title:?}:\n{written}\n{}", check.stdout);
        assert_eq!(check.stdout, "", "{title:?}:\n{written}");
        let graph: serde_json::Value =
            serde_json::from_str(&site.run(&["graph", "ROOT"]).stdout).unwrap();
        let node = &graph["nodes"][0];
        // The checker trims titles; `new` writes the title as it will be read.
        assert_eq!(node["title"], title.trim(), "{written}");
        let expected_id = throughline::text::slugify(title);
        assert_eq!(node["id"], expected_id, "{written}");
        assert_eq!(
            node["file"],
            format!("pages/{expected_id}.md"),
            "{title:?}: the id read back is not the one in the file name"
        );
    }
    // No id can be made from `~`: `new` says so instead of writing `id: ~`.
    let site = SiteTest::new();
    let run = site.run(&["new", "page", "~", "--root", "ROOT"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("letters or digits"), "{}", run.stderr);
}
