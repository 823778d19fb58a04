//! History in the built site (commits on document pages, time in status,
//! the `changes/` page, the dashboard's latest changes), on real git
//! repositories made inside the tests with scripted dates; never the
//! project's own repository.

use std::path::Path;

use crate::support::{git, git_at, SiteTest};

const CONFIG: &str = "title: Acme\nrepo_url: https://git.example.com/acme/strategy/\n";
const COMPANY: &str =
    "---\nid: cs\nkind: company-strategy\nreviewed: 2026-06-01\n---\n# Strategy\n";
const PAYOUTS: &str =
    "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-06-01\n---\n# Payouts\n";
const LENDING: &str =
    "---\nid: pl\nkind: product-strategy\nparent: cs\nreviewed: 2026-06-01\n---\n# Lending\n";
const BET: &str = "---\nid: bet-a\nkind: bet\nparent: ps\nstatus: proposed\nquarter: 2026-Q4\nreviewed: 2026-06-01\n---\n# Bet A\n";
const METRIC: &str = "---\nid: m-payout\nkind: metric\ntype: outcome\nunit: '%'\nreviewed: 2026-06-01\ncheckins:\n  - {date: 2026-06-01, value: 10}\n---\n# Payout speed\n";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn commit(root: &Path, date: &str, message: &str) {
    git_at(root, date, &["add", "-A"]);
    git_at(root, date, &["commit", "-q", "-m", message]);
}

/// A strategy over six months: set up in June (outside a 90-day window
/// judged on 2026-11-24), then in the window a bet committed, moved to
/// another product strategy, a check-in, a review, a bet dropped from the
/// files, and one added.
fn scripted_history() -> SiteTest {
    let site = SiteTest::new()
        .file("throughline.yaml", CONFIG)
        .file("cs.md", COMPANY)
        .file("ps.md", PAYOUTS)
        .file("pl.md", LENDING)
        .file("bets/bet-a.md", BET)
        .file(
            "bets/bet-old.md",
            "---\nid: bet-old\nkind: bet\nparent: ps\nstatus: proposed\nreviewed: 2026-06-01\n---\n# Old bet\n",
        )
        .file("metrics/m-payout.md", METRIC);
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    commit(root, "2026-06-01", "Set up the strategy");
    write(root, "bets/bet-a.md", &BET.replace("proposed", "committed"));
    git_at(root, "2026-10-08", &["add", "-A"]);
    git_at(
        root,
        "2026-10-08",
        &[
            "commit",
            "-q",
            "--author",
            "Ada Lovelace <ada@example.com>",
            "-m",
            "Commit bet A",
        ],
    );
    write(
        root,
        "metrics/m-payout.md",
        &METRIC.replace(
            "value: 10}",
            "value: 10}\n  - {date: 2026-10-20, value: 14}",
        ),
    );
    commit(root, "2026-10-21", "Check in payout speed");
    // Moved to another folder and re-parented in one commit: one document.
    std::fs::remove_file(root.join("bets/bet-a.md")).expect("rm");
    write(
        root,
        "bets/lending/bet-a.md",
        &BET.replace("proposed", "committed")
            .replace("parent: ps", "parent: pl"),
    );
    commit(root, "2026-11-03", "Move bet A under lending");
    write(
        root,
        "ps.md",
        &PAYOUTS.replace("reviewed: 2026-06-01", "reviewed: 2026-11-10"),
    );
    std::fs::remove_file(root.join("bets/bet-old.md")).expect("rm");
    write(
        root,
        "bets/bet-new.md",
        "---\nid: bet-new\nkind: bet\nparent: pl\nstatus: proposed\nreviewed: 2026-11-10\n---\n# New bet\n",
    );
    commit(
        root,
        "2026-11-10",
        "Review payouts <script>; drop the old bet",
    );
    site
}

fn read(out: &Path, page: &str) -> String {
    std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

/// The commit id git gave the commit with `subject`.
fn commit_id(root: &Path, subject: &str) -> String {
    let out = std::process::Command::new("git")
        .current_dir(root)
        .args(["log", "--format=%H %s"])
        .output()
        .expect("git log");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_suffix(&format!(" {subject}")).map(str::to_string))
        .unwrap_or_else(|| panic!("no commit `{subject}`"))
}

#[test]
fn document_pages_list_their_commits_and_time_in_status() {
    let site = scripted_history();
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "bet-a/index.html");
    let id = commit_id(site.root(), "Commit bet A");
    // The commit links to the repository (trailing `/` of repo_url dropped).
    assert!(
        page.contains(&format!(
            "2026-10-08 · Ada Lovelace · <a href=\"https://git.example.com/acme/strategy/commit/{id}\"><code>{}</code> Commit bet A</a>",
            &id[..7]
        )),
        "{page}"
    );
    // Newest first; the move is part of the same document's history.
    let moved = page.find("Move bet A under lending").expect("move listed");
    let committed = page.find("Commit bet A").expect("commit listed");
    let created = page.find("Set up the strategy").expect("creation listed");
    assert!(moved < committed && committed < created);
    assert!(
        !page.contains("Check in payout speed"),
        "only commits that touched this document"
    );
    // Committed on 2026-10-08, judged on 2026-11-24: 47 days.
    assert!(
        page.contains("committed <span class=\"muted\">for 47 days, since 2026-10-08</span>"),
        "{page}"
    );
    // The subject is text, never markup.
    let ps = read(&built.out, "ps/index.html");
    assert!(ps.contains("Review payouts &lt;script&gt;; drop the old bet"));
}

#[test]
fn the_changes_page_groups_the_window_by_week() {
    let site = scripted_history();
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "changes/index.html");
    let weeks: Vec<&str> = page
        .match_indices("<h2 id=\"week-")
        .map(|(i, _)| &page[i + 13..i + 23])
        .collect();
    // Newest first; June's set-up is outside the 90-day window.
    assert_eq!(
        weeks,
        ["2026-11-09", "2026-11-02", "2026-10-19", "2026-10-05"]
    );
    let week = |start: &str| {
        let from = page.find(&format!("week-{start}\"")).expect("week");
        let to = page[from..].find("</section>").expect("end") + from;
        page[from..to].to_string()
    };
    let oct5 = week("2026-10-05");
    assert!(oct5.contains("<a href=\"../bet-a/index.html\">Bet A</a>"));
    assert!(
        oct5.contains("status proposed → <span class=\"badge status-committed\">committed</span>")
    );
    assert!(week("2026-10-19").contains("1 check-in added (latest 2026-10-20: 14)"));
    let nov3 = week("2026-11-02");
    assert!(
        nov3.contains("moved from <code>ps</code> to <code>pl</code>"),
        "{nov3}"
    );
    assert!(
        !nov3.contains("added"),
        "a moved file is not a new document: {nov3}"
    );
    let nov10 = week("2026-11-09");
    assert!(nov10.contains("Payouts</a> <span class=\"badge kind\">Product strategy</span>\nreviewed on 2026-11-10"), "{nov10}");
    // A dropped document has no page left; its title comes from the history.
    assert!(
        nov10.contains("bet-old <span class=\"badge kind\">Bet</span>\nremoved"),
        "{nov10}"
    );
    assert!(nov10.contains("<a href=\"../bet-new/index.html\">New bet</a> <span class=\"badge kind\">Bet</span>\nadded as"));
    assert!(!page.contains("Set up the strategy"));

    // The dashboard shows the newest few and links to the rest.
    let home = read(&built.out, "index.html");
    let latest = &home[home.find("id=\"changes-h\"").expect("latest changes")..];
    assert!(latest.contains("Review payouts"));
    assert!(
        latest.contains("<a href=\"changes/index.html\">See all 6 changes of the last 90 days</a>"),
        "{latest}"
    );
    assert_eq!(latest.matches("<li>").count(), 5);
}

#[test]
fn a_wider_window_reaches_further_back_and_builds_are_the_same_twice() {
    let site = scripted_history();
    write(
        site.root(),
        "throughline.yaml",
        &format!("{CONFIG}changes_window: 6m\n"),
    );
    let first = site.build_elsewhere(&[], &[]);
    assert_eq!(first.run.code, 0, "{}", first.run.stderr);
    let page = read(&first.out, "changes/index.html");
    assert!(page.contains("Set up the strategy"));
    assert!(page.contains("the last 6 months"));
    let second = site.build_elsewhere(&[], &[]);
    for file in ["changes/index.html", "index.html", "bet-a/index.html"] {
        assert_eq!(read(&first.out, file), read(&second.out, file), "{file}");
    }
}

#[test]
fn an_uncommitted_status_has_no_time_in_status() {
    let site = scripted_history();
    write(
        site.root(),
        "bets/lending/bet-a.md",
        &BET.replace("status: proposed", "status: active")
            .replace("parent: ps", "parent: pl"),
    );
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "bet-a/index.html");
    assert!(page.contains("<dt>Status</dt><dd>active</dd>"), "{page}");
}

#[test]
fn a_shallow_clone_shows_what_it_has_and_claims_no_additions() {
    let origin = scripted_history();
    let clone = tempfile::tempdir().expect("clone dir");
    let url = format!("file://{}", origin.root().display());
    let status = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "2", &url])
        .arg(clone.path().join("site"))
        .status()
        .expect("git clone");
    assert!(status.success());
    let out = tempfile::tempdir().expect("out");
    let run = crate::support::run_binary(
        &[
            "build".into(),
            clone.path().join("site").to_string_lossy().into_owned(),
            "-o".into(),
            out.path().join("site").to_string_lossy().into_owned(),
            "--today".into(),
            "2026-11-24".into(),
        ],
        &[],
        clone.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = read(&out.path().join("site"), "changes/index.html");
    assert!(page.contains("shallow clone"), "{page}");
    assert!(page.contains("<code>fetch-depth: 0</code>"));
    // Only the newest commit is a change; the oldest fetched is where the history starts.
    assert!(page.contains("Review payouts"));
    assert!(!page.contains("Move bet A under lending"), "{page}");
    assert_eq!(
        page.matches("\nadded").count(),
        1,
        "only bet-new was added: {page}"
    );
    // Bet A was committed before the clone's history starts: at least since then.
    let bet = read(&out.path().join("site"), "bet-a/index.html");
    assert!(
        bet.contains("for at least 21 days, since 2026-11-03"),
        "{bet}"
    );
}

#[test]
fn without_a_repository_or_git_the_site_still_builds_and_says_why() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("ps.md", PAYOUTS);
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let why = "No history: the site is not in a git repository.";
    assert!(read(&built.out, "changes/index.html").contains(why));
    assert!(read(&built.out, "ps/index.html").contains(why));
    assert!(read(&built.out, "index.html").contains(why));

    let site = scripted_history();
    let empty = tempfile::tempdir().expect("empty PATH");
    let path = empty.path().to_string_lossy().into_owned();
    let built = site.build_elsewhere(&[], &[("PATH", &path)]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "ps/index.html");
    assert!(page.contains("No history: git is not installed"), "{page}");
}

#[test]
fn history_off_leaves_the_sections_out() {
    let site = scripted_history();
    write(site.root(), "throughline.yaml", "history: false\n");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "bet-a/index.html");
    assert!(!page.contains("history-h"));
    assert!(!page.contains("since 2026"));
    assert!(!read(&built.out, "index.html").contains("changes-h"));
    assert!(read(&built.out, "changes/index.html").contains("History is off"));
}

#[test]
fn history_config_is_checked() {
    for (config, message) in [
        (
            "repo_url: javascript:alert(1)\n",
            "`repo_url` is not a repository's web address",
        ),
        (
            "repo_url: \"https://x.example/a\\\"b\"\n",
            "it contains '\"'",
        ),
        (
            "changes_window: 90\n",
            "`changes_window` is not a duration: `90` has no unit",
        ),
        (
            "history: sometimes\n",
            "`history` must be `true` or `false`",
        ),
    ] {
        let site = SiteTest::new()
            .file("throughline.yaml", config)
            .file("cs.md", COMPANY);
        let run = site.run(&["check", "ROOT"]);
        assert_eq!(run.code, 2, "{config}");
        assert!(
            run.stdout.contains(message) || run.stderr.contains(message),
            "{config}: {}{}",
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn changes_is_a_reserved_id() {
    let site = SiteTest::new().file("changes.md", "---\nkind: company-strategy\n---\n# C\n");
    let run = site.run(&["check", "ROOT"]);
    assert!(
        run.stdout.contains("`changes` is reserved"),
        "{}",
        run.stdout
    );
}
