//! `throughline diff` on real git repositories made inside the tests, with
//! scripted histories (never the project's own repository).

use std::process::Command;

use crate::support::{git, SiteTest};

const COMPANY: &str =
    "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n";
const PRODUCT: &str = "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n# Payouts\n\nSame-day payouts.\n";
const BET: &str = "---\nid: bet-a\nkind: bet\nparent: ps\nstatus: proposed\nquarter: 2027-Q1\nreviewed: 2026-11-01\n---\n# Bet A\n";
const METRIC: &str = "---\nid: m-payout\nkind: metric\ntype: outcome\nunit: '%'\nreviewed: 2026-11-01\ncheckins:\n  - {date: 2026-10-01, value: 10}\n---\n";

fn commit(site: &SiteTest, message: &str) {
    git(site.root(), &["add", "-A"]);
    git(site.root(), &["commit", "-q", "-m", message]);
}

/// A repository with one commit (`base`) of a small site.
fn repository() -> SiteTest {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("ps.md", PRODUCT)
        .file("bets/bet-a.md", BET)
        .file("metrics/m-payout.md", METRIC)
        .file(
            "bets/bet-gone.md",
            "---\nid: bet-gone\nkind: bet\nparent: ps\nreviewed: 2026-11-01\n---\n",
        );
    git(site.root(), &["init", "-q", "-b", "main"]);
    commit(&site, "base");
    git(site.root(), &["tag", "base"]);
    site
}

fn write(site: &SiteTest, rel: &str, text: &str) {
    let path = site.root().join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn diff(site: &SiteTest, args: &[&str]) -> crate::support::Run {
    let root = site.root().to_string_lossy().into_owned();
    let mut all = vec!["diff", "--root", &root, "--today", "2026-11-24"];
    all.extend_from_slice(args);
    site.run(&all)
}

/// The second revision: a bet committed and moved, one removed, one added,
/// a check-in, the product strategy's body rewritten.
fn change(site: &SiteTest) {
    std::fs::remove_file(site.root().join("bets/bet-gone.md")).expect("rm");
    std::fs::remove_file(site.root().join("bets/bet-a.md")).expect("rm");
    write(
        site,
        "bets/2027/bet-a.md",
        &BET.replace("status: proposed", "status: committed"),
    );
    write(
        site,
        "bets/bet-new.md",
        "---\nid: bet-new\nkind: bet\ntitle: A new bet\nparent: ps\nreviewed: 2026-11-20\n---\n",
    );
    write(
        site,
        "metrics/m-payout.md",
        &METRIC.replace(
            "  - {date: 2026-10-01, value: 10}\n",
            "  - {date: 2026-10-01, value: 10}\n  - {date: 2026-11-01, value: 14}\n",
        ),
    );
    write(
        site,
        "ps.md",
        &PRODUCT.replace(
            "Same-day payouts.",
            "Next-day payouts.\nFor merchants over a threshold.",
        ),
    );
}

#[test]
fn the_change_between_two_revisions_is_reported_at_the_level_of_the_strategy() {
    let site = repository();
    change(&site);
    commit(&site, "plan the quarter");
    let run = diff(&site, &["base", "main", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let d = &report["diff"];
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|x| x["id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(ids(&d["added"]), vec!["bet-new"]);
    assert_eq!(
        ids(&d["removed"]),
        vec!["bet-gone"],
        "a moved file is not a removal"
    );
    let changed: Vec<&serde_json::Value> = d["changed"].as_array().expect("list").iter().collect();
    let by_id = |id: &str| {
        changed
            .iter()
            .find(|c| c["doc"]["id"] == id)
            .copied()
            .unwrap_or_else(|| panic!("{id} not changed: {changed:?}"))
    };
    let bet = by_id("bet-a");
    assert_eq!(bet["moved_from"], "bets/bet-a.md");
    assert_eq!(bet["fields"]["status"]["old"], "proposed");
    assert_eq!(bet["fields"]["status"]["new"], "committed");
    let metric = by_id("m-payout");
    assert_eq!(metric["checkins_added"][0]["value"], 14);
    assert!(
        metric["fields"].as_object().expect("map").is_empty(),
        "check-ins are reported as added, not as a field change"
    );
    let ps = by_id("ps");
    assert_eq!(
        (
            ps["body_lines_added"].as_u64(),
            ps["body_lines_removed"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert!(report["base"].as_str().unwrap_or("").starts_with("base ("));
}

#[test]
fn the_working_tree_is_the_default_head_and_drift_it_causes_is_named() {
    let site = repository();
    // Review the bet against its parent, then change the parent: the bet is left drifted.
    let root = site.root().to_string_lossy().into_owned();
    let reviewed = site.run(&["review", "--root", &root, "--today", "2026-11-24", "bet-a"]);
    assert_eq!(reviewed.code, 0, "{}", reviewed.stderr);
    commit(&site, "review");
    git(site.root(), &["tag", "reviewed"]);
    write(&site, "ps.md", &PRODUCT.replace("Same-day", "Next-day"));
    let run = diff(&site, &["reviewed"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("to working tree"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Left drifted\n  `bet-a`"),
        "{}",
        run.stdout
    );
    let markdown = diff(&site, &["reviewed", "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .starts_with("## Strategy changes from reviewed ("),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown.stdout.contains("### Left drifted\n- `bet-a`"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn a_revision_that_does_not_exist_is_named_with_exit_2() {
    let site = repository();
    let run = diff(&site, &["no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`no-such-branch` is not a revision"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_unreadable_at_the_base_is_said_and_the_rest_goes_on() {
    let site = repository();
    std::fs::write(
        site.root().join("bets/latin1.md"),
        b"---\nid: x\ntitle: Caf\xe9\n---\n",
    )
    .expect("write");
    commit(&site, "a latin-1 file");
    git(site.root(), &["tag", "latin"]);
    std::fs::remove_file(site.root().join("bets/latin1.md")).expect("rm");
    write(
        &site,
        "bets/bet-a.md",
        &BET.replace("status: proposed", "status: dropped"),
    );
    let run = diff(&site, &["latin"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("`bets/latin1.md` is not readable at latin ("),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("status: proposed → dropped"),
        "{}",
        run.stdout
    );
}

#[test]
fn outside_a_repository_or_in_a_shallow_clone_it_says_why() {
    let plain = SiteTest::new().file("cs.md", COMPANY);
    let run = diff(&plain, &["HEAD"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a git repository"),
        "{}",
        run.stderr
    );

    let site = repository();
    write(&site, "ps.md", &PRODUCT.replace("Same-day", "Next-day"));
    commit(&site, "second");
    let clone = tempfile::tempdir().expect("dir");
    let url = format!("file://{}", site.root().display());
    let status = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url])
        .arg(clone.path().join("c"))
        .status()
        .expect("git clone");
    assert!(status.success());
    let root = clone.path().join("c").to_string_lossy().into_owned();
    let run = site.run(&["diff", "--root", &root, "HEAD~1", "--today", "2026-11-24"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("shallow clone") && run.stderr.contains("fetch-depth: 0"),
        "{}",
        run.stderr
    );
}

/// Two revisions are read from git together, each blob they share once, and
/// a long list of blobs is split between several git processes. The report
/// must be the one a side read on its own gives: the working tree, read
/// from disk, is the same files as the head revision here.
#[test]
fn revisions_read_together_give_the_report_of_each_read_alone() {
    let site = repository();
    // Enough documents that the blobs are read by more than one git process.
    for n in 0..1_200 {
        write(
            &site,
            &format!("work/w-{n:04}.md"),
            &format!("---\nid: w-{n}\nkind: work\nparent: bet-a\nstatus: planned\n---\n# Work {n}\n\nStep {n}.\n"),
        );
    }
    commit(&site, "plan the work");
    git(site.root(), &["tag", "planned"]);
    change(&site);
    for n in (0..1_200).step_by(7) {
        write(
            &site,
            &format!("work/w-{n:04}.md"),
            &format!("---\nid: w-{n}\nkind: work\nparent: bet-new\nstatus: done\n---\n# Work {n}\n\nStep {n}, done.\n"),
        );
    }
    commit(&site, "do the work");
    let together = diff(&site, &["planned", "main", "--format", "json"]);
    let against_disk = diff(&site, &["planned", "--format", "json"]);
    assert_eq!(together.code, 0, "{}{}", together.stdout, together.stderr);
    assert_eq!(against_disk.code, 0, "{}", against_disk.stderr);
    let report = |run: &crate::support::Run| -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(&run.stdout).expect("one JSON document")["diff"]
            .clone()
    };
    let together = report(&together);
    assert_eq!(together, report(&against_disk));
    // Blobs the work tree holds are read from it: an edit not committed,
    // and a file committed with other bytes (CRLF), must not leak into
    // the revisions.
    write(
        &site,
        "work/w-0007.md",
        "---\nid: w-7\nkind: work\nstatus: dropped\n---\n",
    );
    write(&site, "ps.md", &PRODUCT.replace('\n', "\r\n"));
    let after_edits = diff(&site, &["planned", "main", "--format", "json"]);
    assert_eq!(report(&after_edits), together, "{}", after_edits.stderr);
    let changed = together["changed"].as_array().expect("list");
    assert!(
        changed
            .iter()
            .any(|c| c["doc"]["id"] == "w-1197" && c["fields"]["status"]["new"] == "done"),
        "the last document's change is read: {changed:?}"
    );
    assert_eq!(changed.len(), 1_200usize.div_ceil(7) + 3, "{changed:?}");
}
