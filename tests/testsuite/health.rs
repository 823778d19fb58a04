//! Strategy-health rules through the binary: one planted problem per rule,
//! no false positives on a healthy site, severities, build date and git dates.

use crate::support::SiteTest;

const TODAY: &str = "2026-11-24";

#[test]
fn each_planted_problem_is_reported_once_on_the_right_line() {
    let site = SiteTest::fixture("health-planted");
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(
        run.code, 0,
        "warnings alone do not fail a check: {}",
        run.stderr
    );
    assert_eq!(
        run.findings(),
        vec![
            "portfolio-imbalance bets/bet-big-a.md:6:10",
            "flat-outcome bets/bet-big-b.md:16:11",
            "drift bets/bet-cards.md:10:11",
            "missing-instrumentation bets/bet-instant.md:14:1",
            "missing-approval bets/bet-noapproval.md:11:7",
            "no-dhm bets/bet-nodhm.md:3:7",
            "premature-commitment bets/bet-premature.md:13:24",
            "expired bets/bet-q3-open.md:6:10",
            "too-many-bets bets/q2-0.md:6:10",
            "ost-shape discovery/exp-fake-door.md:3:7",
            "assumption-invalidated discovery/exp-payroll-day.md:7:9",
            "untested-solution discovery/sol-digest.md:4:8",
            "metric-chain metrics/m-flat.md:5:7",
            "stale-metric metrics/m-old.md:6:1",
            "behind-pace objectives/obj-activation.md:11:50",
            "kr-count objectives/obj-everything.md:16:5",
            "output-objective objectives/obj-launch.md:4:8",
            "overdue objectives/obj-overdue.md:11:54",
            "skipped-layer objectives/obj-reminders.md:5:9",
            "input-key-result objectives/obj-reminders.md:10:1",
            "stale strategy/lending.md:7:11",
            "overhead-heavy teams/team-ops.md:3:7",
            "unplanned-work teams/team-risk.md:3:7",
            "untraced-work teams/team-support.md:3:7",
            "status-conflict work/limits.md:6:9",
            "orphan work/orphan.md:3:7",
            "unknown-person work/risk-0.md:10:8",
            "dependency-at-risk work/risk-0.md:11:14",
        ]
    );
    let mut rules: Vec<&str> = run
        .json()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .map(|r| Box::leak(r.to_string().into_boxed_str()) as &str)
        .collect();
    rules.sort();
    let mut all = throughline::rules::HEALTH_RULES.to_vec();
    all.sort();
    assert_eq!(rules, all, "every health rule is planted exactly once");
    insta::assert_snapshot!(
        "health_planted_human",
        site.run(&["check", "ROOT", "--today", TODAY]).stdout
    );
}

#[test]
fn a_healthy_site_reports_nothing() {
    let site = SiteTest::fixture("healthy");
    let run = site.run(&["check", "ROOT", "--today", TODAY, "--deny-warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "");
}

#[test]
fn warnings_fail_with_deny_warnings_and_config_sets_severity() {
    let site = SiteTest::fixture("health-planted");
    assert_eq!(
        site.run(&["check", "ROOT", "--today", TODAY, "--deny-warnings"])
            .code,
        1
    );

    let site = site.file(
        "throughline.yaml",
        "rules: { stale: deny, orphan: allow, overhead-heavy: warn }\n",
    );
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 1, "a denied rule is an error");
    let json = run.json();
    let severity = |rule: &str| {
        json.iter()
            .find(|d| d["rule"] == rule)
            .map(|d| d["severity"].as_str().unwrap().to_string())
    };
    assert_eq!(severity("stale").as_deref(), Some("error"));
    assert_eq!(severity("orphan"), None);
    assert_eq!(severity("overhead-heavy").as_deref(), Some("warning"));
}

#[test]
fn the_build_date_comes_from_today_or_source_date_epoch() {
    let site = SiteTest::fixture("health-planted");
    let by_flag = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    // 2026-11-24T00:00:00Z
    let by_epoch = site.run_with_env(
        &["check", "ROOT", "--format", "json"],
        &[("SOURCE_DATE_EPOCH", "1795478400")],
    );
    assert_eq!(by_flag.stdout, by_epoch.stdout);
    // Judged in May, the lending strategy (reviewed 2026-03-10) is not yet stale.
    let in_may = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-05-01"]);
    assert!(
        !in_may.findings().iter().any(|f| f.starts_with("stale ")),
        "{:?}",
        in_may.findings()
    );
}

#[test]
fn a_files_last_commit_stands_in_for_a_missing_reviewed_date() {
    let git = |site: &SiteTest, args: &[&str], date: &str| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(site.root())
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
    };
    let site = SiteTest::new()
        .file("cs.md", "---\nid: cs\nkind: company-strategy\n---\n")
        .file(
            "ps.md",
            "---\nid: ps\nkind: product-strategy\nparent: cs\n---\n",
        );
    if git(&site, &["init", "-q"], "2026-01-01T00:00:00Z")
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        eprintln!("git is not available; skipping");
        return;
    }
    git(&site, &["add", "cs.md"], "2025-10-01T00:00:00Z").unwrap();
    git(
        &site,
        &["commit", "-qm", "strategy"],
        "2025-10-01T00:00:00Z",
    )
    .unwrap();
    git(&site, &["add", "ps.md"], "2026-11-01T00:00:00Z").unwrap();
    git(&site, &["commit", "-qm", "product"], "2026-11-01T00:00:00Z").unwrap();
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    let stale: Vec<_> = run
        .json()
        .into_iter()
        .filter(|d| d["rule"] == "stale")
        .collect();
    assert_eq!(stale.len(), 1, "{:?}", run.stdout);
    assert_eq!(stale[0]["file"], "cs.md");
    assert_eq!(
        stale[0]["message"],
        "company strategy has no `reviewed:` date and last changed 419 days ago (git); cadence is 1 year"
    );
}

#[test]
fn the_example_site_reports_exactly_what_its_readme_lists() {
    let site = SiteTest::example();
    // No `--today`: the example's `as_of` pins the day, whatever the calendar
    // says, and SOURCE_DATE_EPOCH (a build's, not the site's) does not move it.
    let run = site.run_with_env(
        &["check", "ROOT", "--format", "json"],
        &[("SOURCE_DATE_EPOCH", "1900000000")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![
            "missing-instrumentation bets/bet-smart-reserves.md:14:1",
            "metric-chain metrics/m-merchant-retention-90d.md:5:7",
            "input-key-result objectives/obj-discovery-cadence.md:12:1",
            "output-objective objectives/obj-launch-partner-api.md:4:8",
            "stale products/ps-lending.md:8:11",
            "untraced-work teams/team-platform.md:3:7",
            "dependency-at-risk work/w-forecast-model.md:12:10",
        ]
    );
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example/README.md"),
    )
    .unwrap();
    for finding in run.json() {
        let (rule, file) = (
            finding["rule"].as_str().unwrap(),
            finding["file"].as_str().unwrap(),
        );
        assert!(
            readme.contains(&format!("**`{rule}`** — `{file}`")),
            "README does not list {rule} in {file}"
        );
    }
}

/// `as_of` pins the day a site is judged on (an archived quarter): stale
/// by the calendar, clean as of its day; `--today` still judges it on
/// another day; a value that is not a date is a config error at its line.
#[test]
fn as_of_judges_the_site_on_its_day_unless_today_names_another() {
    let strategy = "---\nid: ps-a\nkind: product-strategy\nreviewed: 2026-06-01\n---\n# A\n";
    let site = SiteTest::new()
        .file("throughline.yaml", "title: Archive\nas_of: 2026-07-01\n")
        .file("ps-a.md", strategy);
    let pinned = site.run_with_env(
        &["check", "ROOT", "--format", "json"],
        &[("SOURCE_DATE_EPOCH", "1900000000")],
    );
    assert_eq!(pinned.code, 0, "{}", pinned.stderr);
    assert!(pinned.findings().is_empty(), "{:?}", pinned.findings());
    let later = site.run(&["check", "ROOT", "--format", "json", "--today", "2027-06-01"]);
    assert_eq!(later.findings(), vec!["stale ps-a.md:4:11"]);

    let bad = SiteTest::new()
        .file("throughline.yaml", "title: Archive\nas_of: last spring\n")
        .file("ps-a.md", strategy);
    let run = bad.run(&["check", "ROOT"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("throughline.yaml:2:") && said.contains("YYYY-MM-DD"),
        "{said}"
    );
}
