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
        ".gitignore",
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
    assert!(
        run.stderr.contains("already holds `notes.md`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.root().join("notes.md")).unwrap(),
        "# Mine\n"
    );
}

/// A new repository from a forge holds `.git`, a README and a licence:
/// `init` starts the site beside them and leaves them as they were, and the
/// README in Markdown is no strategy document.
#[test]
fn init_starts_beside_a_new_repositorys_git_readme_and_licence() {
    let dir = SiteTest::new();
    let repo = dir.root().join("repo");
    std::fs::create_dir(&repo).unwrap();
    crate::support::git(&repo, &["init", "-q"]);
    let readme = "# Our team's strategy\n\nNot a document, [a link](nowhere).\n";
    std::fs::write(repo.join("README.md"), readme).unwrap();
    std::fs::write(repo.join("LICENSE.md"), "# Licence\n").unwrap();
    let head = std::fs::read_to_string(repo.join(".git/HEAD")).unwrap();
    let run = dir.run(&["init", "repo", "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("kept as they were: .git, LICENSE.md, README.md"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("README.md")).unwrap(),
        readme
    );
    assert_eq!(
        std::fs::read_to_string(repo.join(".git/HEAD")).unwrap(),
        head
    );
    assert!(repo.join("bets/bet-first.md").is_file());
    let check = dir.run(&["check", "repo", "--today", "2026-11-24", "--deny-warnings"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert_eq!(check.stdout, "");

    // `.git` alone, with --empty.
    let bare = dir.root().join("bare");
    std::fs::create_dir(&bare).unwrap();
    crate::support::git(&bare, &["init", "-q"]);
    let run = dir.run(&["init", "bare", "--empty"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(bare.join("throughline.yaml").is_file() && bare.join("README.md").is_file());
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

#[test]
fn init_ignores_the_output_folder_and_names_the_examples_or_starts_empty() {
    let dir = SiteTest::new();
    let site = dir.root().join("full");
    let run = dir.run(&["init", site.to_str().unwrap(), "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(site.join(".gitignore")).unwrap(),
        "public/\n"
    );
    assert!(
        run.stderr.contains("the example documents are yours to rewrite or delete: strategy/cs-company.md, products/ps-core.md, bets/bet-first.md")
            && run.stderr.contains("`throughline init --empty` starts without them"),
        "{}",
        run.stderr
    );
    // The starter objective leaves its LNO class to the author.
    assert!(
        !std::fs::read_to_string(site.join("objectives/obj-first.md"))
            .unwrap()
            .contains("lno:")
    );

    let empty = dir.root().join("empty");
    let empty_arg = empty.to_str().unwrap().to_string();
    let run = dir.run(&["init", "--empty", &empty_arg, "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&empty)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".gitignore", "README.md", "throughline.yaml"]);
    let check = dir.run(&["check", &empty_arg, "--deny-warnings"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stderr.contains("0 documents"), "{}", check.stderr);
    // Building it leaves nothing for git to pick up but what .gitignore names.
    assert_eq!(dir.run(&["build", &empty_arg]).code, 0);
    assert!(empty.join("public").is_dir());
}

/// A site whose bet is planned for 2027-Q1 and owned by a team, with an
/// objective that names neither a team nor a quarter of its own.
fn planned_site() -> SiteTest {
    SiteTest::new()
        .file("cs.md", "---\nid: cs\nkind: company-strategy\nowner: Ceo\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nowner: Cpo\n---\n")
        .file("teams/team-yard.md", "---\nid: team-yard\nkind: team\n---\n")
        .file("teams/team-gate.md", "---\nid: team-gate\nkind: team\n---\n")
        .file(
            "bets/bet-gate.md",
            "---\nid: bet-gate\nkind: bet\nparent: ps\nquarter: 2027-Q1\nteam: team-yard\nowner: Ana\n---\n",
        )
        .file(
            "objectives/obj-gate.md",
            "---\nid: obj-gate\nkind: objective\nparent: bet-gate\nowner: Bo\n---\n",
        )
}

fn new_in(site: &SiteTest, args: &[&str]) -> crate::support::Run {
    let root = site.root().to_string_lossy().into_owned();
    let mut all = vec!["new", "--root", &root, "--today", "2026-11-24"];
    all.extend_from_slice(args);
    site.run(&all)
}

fn written(run: &crate::support::Run) -> String {
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::read_to_string(run.stdout.trim()).unwrap()
}

#[test]
fn new_inherits_quarter_team_and_owner_and_flags_override_them() {
    let site = planned_site();
    // Team and quarter come from the nearest ancestor that has them; the owner is the parent's.
    let run = new_in(
        &site,
        &["objective", "Shorter waits", "--parent", "bet-gate"],
    );
    let text = written(&run);
    assert!(
        text.contains(
            "parent: bet-gate\nquarter: 2027-Q1\nstatus: proposed\nowner: Ana\nteam: team-yard\n"
        ),
        "{text}"
    );
    assert!(
        run.stderr
            .contains("inherited from `bet-gate`: quarter: 2027-Q1, team: team-yard, owner: Ana"),
        "{}",
        run.stderr
    );
    let text = written(&new_in(
        &site,
        &["work", "Gate sensors", "--parent", "obj-gate"],
    ));
    assert!(
        text.contains("status: proposed\nowner: Bo\nteam: team-yard\n"),
        "{text}"
    );
    assert!(
        !text.contains("quarter"),
        "work has no quarter of its own:\n{text}"
    );
    let text = written(&new_in(
        &site,
        &[
            "objective",
            "Faster gates",
            "--parent",
            "bet-gate",
            "--quarter",
            "2027-Q2",
            "--team",
            "team-gate",
            "--owner",
            "Cy",
            "--id",
            "obj-gates-q2",
        ],
    ));
    assert!(
        text.starts_with("---\nid: obj-gates-q2\n")
            && text.contains("quarter: 2027-Q2\nstatus: proposed\nowner: Cy\nteam: team-gate\n"),
        "{text}"
    );
    // Without a parent or a flag, the quarter is the author's to fill in.
    let run = new_in(&site, &["bet", "Unplanned", "--parent", "ps"]);
    let text = written(&run);
    assert!(
        text.contains("quarter:                  # the quarter it is planned for, YYYY-Qn\n"),
        "{text}"
    );
    assert!(
        run.stderr
            .contains("note: `quarter:` is empty; fill it in, or pass --quarter 2026-Q4"),
        "{}",
        run.stderr
    );
    let check = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    assert_eq!(check.structural_findings(), Vec::<String>::new());
}

#[test]
fn new_leaves_judgements_to_the_author() {
    let site = planned_site();
    let metric = written(&new_in(&site, &["metric", "Detention hours"]));
    assert!(
        metric.contains("\n# direction:              # up or down is better; without it, baseline → target decides\n"),
        "{metric}"
    );
    assert!(!metric.contains("\ndirection:"), "{metric}");
    let metric = written(&new_in(
        &site,
        &["metric", "Gate throughput", "--direction", "up"],
    ));
    assert!(metric.contains("\ndirection: up          "), "{metric}");
    let objective = written(&new_in(
        &site,
        &["objective", "Fewer waits", "--parent", "bet-gate"],
    ));
    assert!(!objective.contains("lno"), "{objective}");
    let bet = written(&new_in(&site, &["bet", "Yard app", "--parent", "ps"]));
    assert!(
        bet.contains("\nsize:                     # big, medium or small\n"),
        "{bet}"
    );
    // Work is planned unless the author says where it came from
    // (`unplanned-work` counts the rest), with the other sources named.
    let work = written(&new_in(
        &site,
        &["work", "Gate sensors", "--parent", "obj-gate"],
    ));
    assert!(
        work.contains(
            "\nsource: planned           # or stakeholder-request, incident, unplanned\n"
        ),
        "{work}"
    );
    // The metric with its direction reads back as `up`; the other has none.
    let check = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    assert_eq!(check.structural_findings(), Vec::<String>::new());
}

#[test]
fn new_refuses_bad_quarters_teams_ids_and_directions() {
    let site = planned_site();
    let cases: [(&[&str], &str); 8] = [
        (
            &["--quarter", "2027Q1"],
            "`--quarter 2027Q1` is not a quarter; write it as YYYY-Qn, such as 2026-Q4",
        ),
        (
            &["--quarter", "2027-Q5"],
            "`--quarter 2027-Q5` is not a quarter",
        ),
        (
            &["--team", "team-yrd"],
            "no team has the id `team-yrd`; did you mean `team-yard`?",
        ),
        (
            &["--team", "bet-gate"],
            "`bet-gate` is a bet, not a team (the teams are: team-gate, team-yard)",
        ),
        (&["--id", "Gate App"], "`--id Gate App` is not a valid id"),
        (
            &["--id", "bet-gate"],
            "a document with the id `bet-gate` already exists: bets/bet-gate.md",
        ),
        (
            &["--id", "health"],
            "`health` is the name of a page of the site",
        ),
        (
            &["--direction", "up"],
            "only a metric has a direction, not a `bet`",
        ),
    ];
    for (flags, expected) in cases {
        let mut args = vec!["bet", "Gate app", "--parent", "ps"];
        args.extend_from_slice(flags);
        let run = new_in(&site, &args);
        assert_eq!(run.code, 2, "{flags:?}");
        assert!(run.stderr.contains(expected), "{flags:?}: {}", run.stderr);
    }
    let run = new_in(&site, &["metric", "M", "--direction", "sideways"]);
    assert!(
        run.stderr
            .contains("`--direction sideways` must be `up` or `down`"),
        "{}",
        run.stderr
    );
    assert!(!site.root().join("bets/bet-gate-app.md").exists());
    assert!(!site.root().join("metrics/m-m.md").exists());
}

/// Issue #31: `new` asked whether its file exists, which a dangling link
/// committed at that name denies, then wrote through the link to wherever
/// it pointed. The new file is now moved into place only if the name is free.
#[test]
fn new_never_writes_through_a_link_committed_at_its_file() {
    let dir = SiteTest::new();
    let root = dir.root().join("site");
    let root_arg = root.to_str().unwrap().to_string();
    assert_eq!(dir.run(&["init", &root_arg]).code, 0);
    let outside = dir.root().join("outside.txt");
    std::os::unix::fs::symlink(&outside, root.join("bets/bet-planted.md")).expect("link");
    let run = dir.run(&[
        "new", "bet", "Planted", "--root", &root_arg, "--parent", "ps-core",
    ]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("bets/bet-planted.md` already exists; nothing was written"),
        "{}",
        run.stderr
    );
    assert!(!outside.exists(), "nothing is written through the link");
    let leftovers: Vec<String> = std::fs::read_dir(root.join("bets"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new(), "no temporary file is left");
}

/// `new` makes no id the build cannot write: `--id` is judged as `check`
/// judges `id:`, and an id made from a long title is cut to 128 bytes at a
/// word, so the new document checks clean.
#[test]
fn new_refuses_a_long_id_and_cuts_one_made_from_a_long_title() {
    let site = SiteTest::new();
    let long = "p".repeat(129);
    let run = new_in(&site, &["page", "Long", "--id", &long]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("129 bytes long; ids may be at most 128 bytes"),
        "{}",
        run.stderr
    );
    let title = "Merchants see their money the same day they are paid ".repeat(4);
    let text = written(&new_in(&site, &["bet", &title]));
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .expect("an id")
        .to_string();
    assert!(id.len() <= 128 && id.len() > 100, "{id}");
    assert!(
        id.starts_with("bet-merchants-see-") && !id.ends_with('-'),
        "{id}"
    );
    let check = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    assert!(!check.stdout.contains("\"schema\""), "{}", check.stdout);
}

#[test]
fn new_and_init_dry_runs_make_every_check_and_write_nothing() {
    let site = planned_site();
    let before = crate::support::snapshot_dir(site.root());
    let run = new_in(
        &site,
        &[
            "objective",
            "Payouts \u{1b}]0;x\u{7} same day",
            "--parent",
            "bet-gate",
            "--dry-run",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert!(
        lines
            .next()
            .is_some_and(|l| l.ends_with("obj-payouts-0-x-same-day.md")),
        "{}",
        run.stdout
    );
    assert_eq!(lines.next(), Some("---"), "the text it would write follows");
    assert!(run.stdout.contains("team: team-yard"), "{}", run.stdout);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "the title is escaped for the terminal"
    );
    assert!(run.stderr.contains("dry run: nothing was written"));
    let refused = new_in(
        &site,
        &["objective", "Other", "--parent", "nowhere", "--dry-run"],
    );
    assert_eq!(refused.code, 2, "a dry run refuses what a run would");
    assert_eq!(crate::support::snapshot_dir(site.root()), before);

    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("strategy");
    let target_arg = target.to_string_lossy().into_owned();
    let run = crate::support::run_binary(
        &[
            "init".into(),
            target_arg,
            "--dry-run".into(),
            "--today".into(),
            "2026-11-24".into(),
        ],
        &[],
        dir.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.lines().any(|l| l.ends_with("throughline.yaml")),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("would create 10 files"),
        "{}",
        run.stderr
    );
    assert!(!target.exists(), "nothing was created");
}
