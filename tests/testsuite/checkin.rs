//! `throughline checkin`, through the real binary, on files written the way
//! people write them: the added check-in is the only change, bad input
//! changes nothing, and the result still checks clean.

use crate::support::SiteTest;

/// Comments between items, a trailing comment, a blank line, CRLF.
const BLOCK: &str = "---\r\nid: m-detention\r\nkind: metric\r\ntitle: Detention hours\r\ndirection: down   # fewer is better\r\ncheckins:   # weekly, from the yard system\r\n  - {date: 2026-10-01, value: 120}\r\n  # the new gate opened here\r\n\r\n  - {date: 2026-11-01, value: 95}  # estimated\r\nowner: ops\r\n---\r\nHours trucks wait at the dock.\r\n";
/// A flow list over several lines, with a trailing comma.
const FLOW: &str = "---\nid: m-ontime\nkind: metric\ntitle: On-time delivery\ncheckins: [\n  {date: 2026-09-01, value: 81.5},\n  {date: 2026-10-01, value: 83},\n]\n---\n";
/// What `new metric` writes: an empty flow list with a comment.
const EMPTY: &str = "---\nid: m-empty\nkind: metric\ntitle: Empty\ncheckins: []              # - {date: YYYY-MM-DD, value: N}\n---\n";
const ABSENT: &str = "---\nid: m-absent\nkind: metric\ntitle: Absent\n---\nBody\n";
const BET: &str = "---\nid: bet-x\nkind: bet\ntitle: X\n---\n";

fn site() -> SiteTest {
    SiteTest::new()
        .file("metrics/m-detention.md", BLOCK)
        .file("metrics/m-ontime.md", FLOW)
        .file("metrics/m-empty.md", EMPTY)
        .file("metrics/m-absent.md", ABSENT)
        .file("bets/bet-x.md", BET)
}

fn checkin(site: &SiteTest, args: &[&str]) -> crate::support::Run {
    site.run_in("checkin", args)
}

fn assert_unchanged(site: &SiteTest) {
    for (rel, text) in [
        ("metrics/m-detention.md", BLOCK),
        ("metrics/m-ontime.md", FLOW),
        ("metrics/m-empty.md", EMPTY),
        ("metrics/m-absent.md", ABSENT),
    ] {
        assert_eq!(site.read(rel), text, "{rel} must not change");
    }
}

fn schema_and_yaml_findings(site: &SiteTest) -> Vec<String> {
    site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"])
        .structural_findings()
}

#[test]
fn a_check_in_goes_where_its_date_belongs_and_nothing_else_changes() {
    let site = site();
    let run = checkin(&site, &["m-detention", "101", "--date", "2026-10-15"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "`m-detention` on 2026-10-15: 101 in metrics/m-detention.md\n"
    );
    // After the item before it, so the comment stays with the item it describes.
    assert_eq!(
        site.read("metrics/m-detention.md"),
        BLOCK.replace(
            "value: 120}\r\n",
            "value: 120}\r\n  - {date: 2026-10-15, value: 101}\r\n"
        )
    );
    let run = checkin(&site, &["m-detention", "-7.25", "--date", "2026-11-20"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.read("metrics/m-detention.md").contains(
        "  - {date: 2026-11-01, value: 95}  # estimated\r\n  - {date: 2026-11-20, value: -7.25}\r\nowner: ops\r\n"
    ));
    assert_eq!(schema_and_yaml_findings(&site), Vec::<String>::new());
}

#[test]
fn flow_empty_and_missing_lists_take_a_check_in_and_the_date_defaults_to_the_build_date() {
    let site = site();
    // 2026-11-24, as SOURCE_DATE_EPOCH says.
    let epoch = [("SOURCE_DATE_EPOCH", "1795478400")];
    for metric in ["m-ontime", "m-empty", "m-absent"] {
        let root = site.root().to_string_lossy().into_owned();
        let run = site.run_with_env(&["checkin", metric, "84", "--root", &root], &epoch);
        assert_eq!(run.code, 0, "{metric}: {}", run.stderr);
    }
    assert_eq!(
        site.read("metrics/m-ontime.md"),
        FLOW.replace(
            "value: 83},\n",
            "value: 83},\n  {date: 2026-11-24, value: 84},\n"
        )
    );
    assert_eq!(
        site.read("metrics/m-empty.md"),
        EMPTY.replace("[]", "[{date: 2026-11-24, value: 84}]")
    );
    assert_eq!(
        site.read("metrics/m-absent.md"),
        ABSENT.replace(
            "title: Absent\n",
            "title: Absent\ncheckins:\n  - {date: 2026-11-24, value: 84}\n"
        )
    );
    assert_eq!(schema_and_yaml_findings(&site), Vec::<String>::new());
    let graph = site.run(&["graph", "ROOT"]);
    assert_eq!(graph.code, 0, "{}", graph.stderr);
}

#[test]
fn a_second_value_for_a_date_is_refused_unless_replace_changes_it_in_place() {
    let site = site();
    let run = checkin(&site, &["m-detention", "90", "--date", "2026-11-01"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "metrics/m-detention.md:10 already records 95 for 2026-11-01; pass --replace to change it to 90"
        ),
        "{}",
        run.stderr
    );
    assert_unchanged(&site);
    let run = checkin(
        &site,
        &["m-detention", "90", "--date", "2026-11-01", "--replace"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "`m-detention` on 2026-11-01: 90 (was 95) in metrics/m-detention.md\n"
    );
    assert_eq!(
        site.read("metrics/m-detention.md"),
        BLOCK.replace("value: 95}  # estimated", "value: 90}  # estimated")
    );
    // The same value again is not a conflict; nothing changes.
    let run = checkin(&site, &["m-detention", "90", "--date", "2026-11-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("already recorded with the same value"));
}

#[test]
fn unknown_metrics_other_kinds_bad_values_and_dates_are_refused() {
    let site = site();
    let cases: [(&[&str], &str); 6] = [
        (
            &["m-detension", "1"],
            "no metric has the id `m-detension`; did you mean `m-detention`?",
        ),
        (
            &["bet-x", "1"],
            "`bet-x` is a bet, not a metric; check-ins are recorded on metrics",
        ),
        (&["m-ontime", "abc"], "`abc` is not a number"),
        (&["m-ontime", "inf"], "`inf` is not a finite number"),
        (&["m-ontime", "NaN"], "`NaN` is not a finite number"),
        (
            &["m-ontime", "1", "--date", "2026-02-30"],
            "`--date 2026-02-30` is not a date; write it as YYYY-MM-DD",
        ),
    ];
    for (args, expected) in cases {
        let run = checkin(&site, args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    }
    assert_unchanged(&site);
}

#[test]
fn a_csv_export_is_added_whole() {
    let site = site().file(
        "export.csv",
        "Metric,Date,Value,Source\r\nm-ontime,2026-11-01,\"84.5\",\"yard, east\"\r\n\"m-detention\",2026-11-08,88,x\r\n\r\nm-ontime,2026-08-01,80,x\r\n",
    );
    let csv = site.path("export.csv");
    let run = checkin(&site, &["--csv", &csv]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    assert!(
        run.stderr.contains("recorded 3 check-ins in 2 files"),
        "{}",
        run.stderr
    );
    assert_eq!(
        site.read("metrics/m-ontime.md"),
        "---\nid: m-ontime\nkind: metric\ntitle: On-time delivery\ncheckins: [\n  {date: 2026-08-01, value: 80},\n  {date: 2026-09-01, value: 81.5},\n  {date: 2026-10-01, value: 83},\n  {date: 2026-11-01, value: 84.5},\n]\n---\n"
    );
    assert!(site.read("metrics/m-detention.md").contains(
        "value: 95}  # estimated\r\n  - {date: 2026-11-08, value: 88}\r\nowner: ops\r\n"
    ));
    assert_eq!(schema_and_yaml_findings(&site), Vec::<String>::new());
}

#[test]
fn one_bad_row_and_no_file_changes_every_bad_row_named_by_its_line() {
    let site = site().file(
        "export.csv",
        "metric,date,value\nm-ontime,2026-11-01,84\nm-ontme,2026-11-02,1\nm-ontime,11/03/2026,1\nm-ontime,2026-11-04,\"1,234\"\nm-detention,2026-11-01,90\nm-ontime,2026-11-01,85\nm-ontime,2026-11-05\n",
    );
    let csv = site.path("export.csv");
    let run = checkin(&site, &["--csv", &csv]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // A row with the wrong number of fields is found first, on its own.
    assert!(
        run.stderr
            .contains("export.csv:8: 2 fields where the header has 3"),
        "{}",
        run.stderr
    );
    assert_unchanged(&site);
    let site = site.file(
        "export.csv",
        "metric,date,value\nm-ontime,2026-11-01,84\nm-ontme,2026-11-02,1\nm-ontime,11/03/2026,1\nm-ontime,2026-11-04,\"1,234\"\nm-detention,2026-11-01,90\nm-ontime,2026-11-01,85\n",
    );
    let run = checkin(&site, &["--csv", &csv]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    let lines: Vec<String> = errors
        .iter()
        .map(|e| {
            e.split(".csv:")
                .nth(1)
                .unwrap_or("")
                .split(':')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(lines, ["3", "4", "5", "6", "7"], "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `m-ontime`?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nothing was written: 5 problems"),
        "{}",
        run.stderr
    );
    assert_unchanged(&site);
}

#[test]
fn an_unordered_list_gets_the_check_in_at_its_end() {
    let text = "---\nid: m\nkind: metric\ncheckins:\n- date: 2026-11-01\n  value: 2\n- date: 2026-09-01\n  value: 1\n---\n";
    let site = SiteTest::new().file("m.md", text);
    let run = checkin(&site, &["m", "3", "--date", "2026-10-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        site.read("m.md"),
        text.replace(
            "  value: 1\n",
            "  value: 1\n- date: 2026-10-01\n  value: 3\n"
        )
    );
}

/// Issue #31: `checkin` renamed its text over a metric saved meanwhile, and
/// over several metrics wrote some and not others when one write failed.
#[test]
fn a_metric_saved_while_checkin_runs_is_kept_and_no_metric_is_written() {
    let site = site().file(
        "export.csv",
        "metric,date,value\nm-detention,2026-11-08,88\nm-ontime,2026-11-01,84.5\n",
    );
    let csv = site.path("export.csv");
    let root = site.root().to_string_lossy().into_owned();
    let run = site.run_with_env(
        &["checkin", "--root", &root, "--csv", &csv],
        &[(throughline::edit::EDIT_MEANWHILE_ENV, "m-ontime.md")],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "m-ontime.md` changed since throughline read it; nothing was written; run the command again"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(site.read("metrics/m-detention.md"), BLOCK);
    assert_eq!(
        site.read("metrics/m-ontime.md"),
        format!("{FLOW}{}", throughline::edit::EDITED_MEANWHILE)
    );
    let mut names: Vec<String> = std::fs::read_dir(site.root().join("metrics"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["m-absent.md", "m-detention.md", "m-empty.md", "m-ontime.md"],
        "no temporary file is left"
    );
}

/// Issue #31: a metric that is a link was replaced by a plain file.
#[test]
fn a_metric_that_is_a_link_is_refused() {
    let site = site().file(".kept/m-ontime.md", FLOW);
    std::fs::remove_file(site.root().join("metrics/m-ontime.md")).expect("remove");
    std::os::unix::fs::symlink(
        "../.kept/m-ontime.md",
        site.root().join("metrics/m-ontime.md"),
    )
    .expect("link");
    let run = checkin(&site, &["m-ontime", "84.5", "--date", "2026-11-01"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("m-ontime.md` is a symbolic link"),
        "{}",
        run.stderr
    );
    assert!(
        std::fs::symlink_metadata(site.root().join("metrics/m-ontime.md"))
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    assert_eq!(site.read(".kept/m-ontime.md"), FLOW);
}

#[test]
fn a_number_that_cannot_be_kept_exactly_is_refused_not_rounded() {
    let site = site();
    for (value, expected) in [
        (
            "123456789012345678901234567890",
            "`123456789012345678901234567890` cannot be kept exactly: it has more significant digits than a number keeps (about 15 to 17), and would be recorded as 123456789012345680000000000000",
        ),
        (
            "1e-400",
            "`1e-400` is too close to zero to be kept: it would be recorded as 0",
        ),
        ("1e400", "`1e400` is too large to be kept"),
    ] {
        let run = checkin(&site, &["m-ontime", value, "--date", "2026-11-01"]);
        assert_eq!(run.code, 2, "{value}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{value}: {}", run.stderr);
    }
    assert_unchanged(&site);
    // What is kept exactly is taken, however it is written.
    let run = checkin(&site, &["m-ontime", "1.2500e1", "--date", "2026-11-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site
        .read("metrics/m-ontime.md")
        .contains("{date: 2026-11-01, value: 12.5}"));
}

/// The loader reads a document of at most 4 MiB, with at most 1 MiB of front
/// matter; a check-in that would take a metric past either is refused, with
/// what to do, instead of dropping the metric from the site.
#[test]
fn no_check_in_makes_a_metric_too_long_to_be_read() {
    // 20 bytes short of the limit: the file is read, one more check-in is too much.
    let mut long_body = FLOW.to_string();
    while long_body.len() < 4 * 1024 * 1024 - 20 - 12 {
        long_body.push_str("Long notes.\n");
    }
    long_body.push_str(&"x".repeat(4 * 1024 * 1024 - 20 - long_body.len()));
    // Front matter 10 bytes short of its limit.
    let front = FLOW.len() - "---\n---\n".len();
    let comment = format!("# {}\n", "x".repeat(1024 * 1024 - 10 - front - 3));
    let long_front = FLOW.replace(
        "title: On-time delivery\n",
        &format!("title: On-time delivery\n{comment}"),
    );
    for (text, expected) in [
        (
            long_body,
            "cannot add to metrics/m-ontime.md: the file would be 4.0 MiB, and documents may be at most 4 MiB; it would no longer be read. Move long text out of its body, or remove older check-ins (git keeps them)",
        ),
        (
            long_front,
            "cannot add to metrics/m-ontime.md: its front matter would be 1,025 KiB, and at most 1,024 KiB of it is read; the metric would no longer be read. Record fewer check-ins",
        ),
    ] {
        let site = SiteTest::new().file("metrics/m-ontime.md", &text);
        let run = checkin(&site, &["m-ontime", "84", "--date", "2026-11-01"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(expected), "{}", run.stderr);
        assert_eq!(site.read("metrics/m-ontime.md"), text);
        let check = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
        assert!(!check.stdout.contains("\"io\""), "{}", check.stdout);
    }
}

/// A million bad rows are one mistake a million times: the first 50 are
/// shown, as `check` shows 50 findings of a file, and the rest are counted.
#[test]
fn a_csv_of_many_bad_rows_prints_a_few_and_counts_the_rest() {
    let mut csv = String::from("metric,date,value\n");
    for day in 0..1000 {
        csv.push_str(&format!("m-ontme,2026-01-01,{day}\n"));
    }
    let site = site().file("export.csv", &csv);
    let path = site.path("export.csv");
    let run = checkin(&site, &["--csv", &path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errors = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .count();
    assert_eq!(errors, 50, "{}", run.stderr);
    assert!(
        run.stderr.contains("… and 950 more problems not shown; fix these and run it again to see them\nnothing was written: 1,000 problems\n"),
        "{}",
        run.stderr
    );
    assert_unchanged(&site);
}

#[test]
fn a_dry_run_says_what_it_would_record_and_writes_nothing() {
    let site = site();
    let run = checkin(
        &site,
        &["m-ontime", "42", "--date", "2026-11-20", "--dry-run"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("`m-ontime` on 2026-11-20: 42 in "),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .starts_with("dry run: nothing was written; would record 1 check-in in 1 file"),
        "{}",
        run.stderr
    );
    assert_unchanged(&site);
}
