//! History in the built site (commits on document pages, time in status,
//! the `changes/` page, the dashboard's latest changes), on real git
//! repositories made inside the tests with scripted dates; never the
//! project's own repository.

use std::path::Path;

use crate::support::{git, git_at, snapshot_dir, SiteTest};

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
        nov3.contains("moved from <a href=\"../ps/index.html\">Payouts</a> <code>ps</code> to <a href=\"../pl/index.html\">Lending</a> <code>pl</code>"),
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
    // The commit's three changes sit under one line of it, not three.
    assert_eq!(nov10.matches("class=\"commit\"").count(), 1, "{nov10}");
    let under = &nov10[nov10.find("class=\"commit-changes\"").expect("grouped")..];
    assert_eq!(under.matches("<li>").count(), 3, "{nov10}");
    assert!(
        nov10.find("Review payouts &lt;script&gt;").unwrap()
            < nov10.find("class=\"commit-changes\"").unwrap(),
        "the commit line heads its changes: {nov10}"
    );
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

/// Moved from a parent that is gone: named by the title the history last
/// saw it with, its id beside it, as `diff` names it from the old revision.
#[test]
fn a_move_from_a_removed_parent_names_it_by_its_last_title() {
    let site = SiteTest::new()
        .file("throughline.yaml", CONFIG)
        .file("cs.md", COMPANY)
        .file("pl.md", LENDING)
        .file(
            "ps-old.md",
            "---\nid: ps-old\ntitle: Old payouts\nkind: product-strategy\nparent: cs\nreviewed: 2026-06-01\n---\nText.\n",
        )
        .file("bets/bet-a.md", BET.replace("parent: ps", "parent: ps-old"));
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    commit(root, "2026-10-01", "Set up the strategy");
    std::fs::remove_file(root.join("ps-old.md")).expect("rm");
    write(
        root,
        "bets/bet-a.md",
        &BET.replace("parent: ps", "parent: pl"),
    );
    commit(root, "2026-11-03", "Fold old payouts into lending");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "changes/index.html");
    assert!(
        page.contains("moved from Old payouts <code>ps-old</code> to <a href=\"../pl/index.html\">Lending</a> <code>pl</code>"),
        "{page}"
    );
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

/// A document's id is read one way for its page and its history: an id
/// written with blanks in quotes, or as a number, is still the page's.
#[test]
fn ids_with_blanks_or_written_as_numbers_keep_their_history() {
    let site = SiteTest::new()
        .file("throughline.yaml", CONFIG)
        .file("cs.md", COMPANY)
        .file("ps.md", PAYOUTS)
        .file(
            "bets/bet-a.md",
            BET.replace("id: bet-a", "id: \" bet-a\"")
                .replace("proposed", "committed"),
        )
        .file(
            "year.md",
            "---\nid: 2026\nreviewed: 2026-06-01\n---\n# The year\n",
        );
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    commit(root, "2026-06-01", "Set up the strategy");
    write(
        root,
        "bets/bet-a.md",
        &BET.replace("id: bet-a", "id: \" bet-a\"")
            .replace("proposed", "committed"),
    );
    write(
        root,
        "year.md",
        "---\nid: 2026\nreviewed: 2026-06-01\n---\n# The year\n\nPlans.\n",
    );
    commit(root, "2026-10-08", "Plan the year");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let bet = read(&built.out, "bet-a/index.html");
    assert!(bet.contains("Set up the strategy"), "{bet}");
    assert!(
        bet.contains("committed <span class=\"muted\">for 176 days, since 2026-06-01</span>"),
        "{bet}"
    );
    let year = read(&built.out, "2026/index.html");
    assert!(year.contains("Plan the year"), "{year}");
    assert!(year.contains("Set up the strategy"), "{year}");
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

use crate::support::git_spy::{as_env, GitSpy};

/// The history files kept in the spy's cache folder.
fn kept(spy: &GitSpy) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(spy.cache())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("history-"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the calls read the history's commits and versions from git.
fn read_history_from_git(calls: &[String]) -> bool {
    calls
        .iter()
        .any(|c| (c.contains(" log ") && c.contains("--raw")) || c.contains("cat-file"))
}

#[test]
fn a_rebuild_at_the_same_commit_takes_the_kept_history_not_git() {
    let site = scripted_history();
    let spy = GitSpy::new();
    let owned = spy.env();
    let env = as_env(&owned);
    let dir = tempfile::tempdir().expect("out");
    let out = dir.path().join("site");
    let out_arg = out.to_string_lossy().into_owned();
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "ROOT", "-o", &out_arg, "--today", "2026-11-24"];
        args.extend_from_slice(extra);
        let run = site.run_with_env(&args, &env);
        assert_eq!(run.code, 0, "{}", run.stderr);
    };

    build(&[]);
    assert!(
        read_history_from_git(&spy.take()),
        "the first build reads git"
    );
    let kept = kept(&spy);
    assert_eq!(kept.len(), 1, "one history file for the site: {kept:?}");
    let first = snapshot_dir(&out);
    assert!(
        first.keys().all(|path| !path.contains("history")),
        "the kept history is not in the output: {:?}",
        first.keys().collect::<Vec<_>>()
    );
    let kept_first = std::fs::read(&kept[0]).expect("kept");

    // An edit that is not committed: the kept history.
    let metric = read(site.root(), "metrics/m-payout.md");
    write(
        site.root(),
        "metrics/m-payout.md",
        &format!("{metric}\nAn uncommitted note.\n"),
    );
    build(&[]);
    let calls = spy.take();
    assert!(!read_history_from_git(&calls), "{calls:?}");
    assert!(
        calls.iter().any(|c| c.contains("rev-parse")),
        "HEAD is checked: {calls:?}"
    );
    let second = snapshot_dir(&out);
    assert!(
        std::fs::read(&kept[0]).expect("kept") == kept_first,
        "kept as it was"
    );
    for page in ["bet-a/index.html", "changes/index.html", "ps/index.html"] {
        assert!(
            second[page] == first[page],
            "{page} is as the first build made it"
        );
    }
    assert!(read(&out, "m-payout/index.html").contains("An uncommitted note."));

    // A new commit: read from git again, and the pages show it.
    write(
        site.root(),
        "bets/bet-new.md",
        &read(site.root(), "bets/bet-new.md").replace("proposed", "committed"),
    );
    commit(site.root(), "2026-11-20", "Commit the new bet");
    build(&[]);
    let calls = spy.take();
    assert!(read_history_from_git(&calls), "a new HEAD is read from git");
    assert!(
        calls
            .iter()
            .any(|c| c.contains(" log ") && c.contains("..")),
        "only the commits since the kept one: {calls:?}"
    );
    let walked_on = snapshot_dir(&out);
    let bet = read(&out, "bet-new/index.html");
    assert!(bet.contains("Commit the new bet"), "{bet}");
    assert!(bet.contains("for 4 days, since 2026-11-20"), "{bet}");
    assert!(read(&out, "changes/index.html").contains("Commit the new bet"));

    // `--clean` trusts nothing of the output, and makes what walking on made.
    build(&["--clean"]);
    assert!(read_history_from_git(&spy.take()), "--clean reads git");
    assert!(
        snapshot_dir(&out) == walked_on,
        "walking on = reading it all"
    );

    // A history file that is not what the build wrote is ignored whole.
    let after_clean = snapshot_dir(&out);
    std::fs::write(&kept[0], "{\"stamp\": 1}").expect("damage");
    build(&[]);
    assert!(
        read_history_from_git(&spy.take()),
        "a damaged file is read from git"
    );
    assert!(
        snapshot_dir(&out) == after_clean,
        "the same output as the clean build"
    );
}

#[test]
fn a_history_file_from_another_site_at_another_commit_is_not_used() {
    // Two repositories, the same files, different commits: the second
    // site's build over the first's output reads its own history.
    let first = scripted_history();
    let built = first.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let second = scripted_history();
    write(
        second.root(),
        "ps.md",
        &PAYOUTS.replace("# Payouts", "# Payouts, again"),
    );
    commit(second.root(), "2026-11-22", "Retitle payouts");
    let out_arg = built.out.to_string_lossy().into_owned();
    let run = second.run(&["build", "ROOT", "-o", &out_arg, "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&built.out, "ps/index.html").contains("Retitle payouts"));
}

/// Builds `site` into `out` (git watched by `spy`), then into a fresh
/// folder with `--clean`; says whether the two outputs are the same, file
/// for file, and whether the first build read only the commits since the
/// kept walk's (a `git log` of a range).
fn same_as_a_clean_build(site: &SiteTest, out: &Path, spy: &GitSpy) -> (bool, bool) {
    let out_arg = out.to_string_lossy().into_owned();
    let owned = spy.env();
    let env = as_env(&owned);
    let run = site.run_with_env(
        &["build", "ROOT", "-o", &out_arg, "--today", "2026-11-24"],
        &env,
    );
    let walked_on = spy
        .take()
        .iter()
        .any(|c| c.contains(" log ") && c.contains("--raw") && c.contains(".."));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let clean = site.build_elsewhere(&["--clean"], &[]);
    assert_eq!(clean.run.code, 0, "{}", clean.run.stderr);
    (snapshot_dir(out) == snapshot_dir(&clean.out), walked_on)
}

#[test]
fn after_a_merge_a_reset_or_a_branch_switch_the_history_is_the_one_git_gives() {
    let site = scripted_history();
    let root = site.root();
    let dir = tempfile::tempdir().expect("out");
    let out = dir.path().join("site");
    let spy = GitSpy::new();
    assert_eq!(same_as_a_clean_build(&site, &out, &spy), (true, false));

    // A branch merged with a merge commit: the main line walks on through it.
    git(root, &["checkout", "-q", "-b", "topic"]);
    write(
        root,
        "pl.md",
        &LENDING.replace("reviewed: 2026-06-01", "reviewed: 2026-11-20"),
    );
    commit(root, "2026-11-20", "Review lending");
    git(root, &["checkout", "-q", "main"]);
    write(root, "bets/bet-new.md", "---\nid: bet-new\nkind: bet\nparent: pl\nstatus: committed\nreviewed: 2026-11-10\n---\n# New bet\n");
    commit(root, "2026-11-21", "Commit the new bet");
    git_at(
        root,
        "2026-11-22",
        &["merge", "-q", "--no-ff", "-m", "Merge topic", "topic"],
    );
    assert_eq!(same_as_a_clean_build(&site, &out, &spy), (true, true));
    assert!(read(&out, "pl/index.html").contains("Merge topic"));

    // A reset and a new commit: the kept commit is no longer on the line.
    git(root, &["reset", "-q", "--hard", "HEAD~1"]);
    write(
        root,
        "ps.md",
        &PAYOUTS.replace("# Payouts", "# Payouts, renamed"),
    );
    commit(root, "2026-11-23", "Rename payouts");
    assert_eq!(same_as_a_clean_build(&site, &out, &spy), (true, false));
    assert!(!read(&out, "changes/index.html").contains("Merge topic"));

    // The branch that was merged as a second parent, checked out: not on
    // the kept commit's main line either.
    git(root, &["checkout", "-q", "topic"]);
    assert_eq!(same_as_a_clean_build(&site, &out, &spy), (true, false));
    assert!(!read(&out, "changes/index.html").contains("Rename payouts"));
}

#[test]
fn what_the_site_does_not_publish_stays_out_of_the_output() {
    // A draft, committed: its title and its commit's subject are in the
    // kept history (the walk compares it), never in the published output.
    let site = scripted_history();
    write(
        site.root(),
        "bets/secret.md",
        "---\nid: secret\nkind: bet\nparent: ps\ndraft: true\nstatus: proposed\ntitle: Secret acquisition plan\n---\n# Secret acquisition plan\n",
    );
    commit(site.root(), "2026-11-15", "Draft the takeover of Initech");
    let spy = GitSpy::new();
    let (same, _) = same_as_a_clean_build(
        &site,
        &tempfile::tempdir().expect("out").path().join("site"),
        &spy,
    );
    assert!(same);
    let built = {
        let owned = spy.env();
        let env = as_env(&owned);
        site.build_elsewhere(&[], &env)
    };
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    for (path, bytes) in snapshot_dir(&built.out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("Secret acquisition"),
            "{path} holds the draft's title"
        );
        assert!(!text.contains("Initech"), "{path} holds the draft's commit");
    }
    // With `--drafts` the draft is in the run, and so is its history.
    let with_drafts = site.build_elsewhere(&["--drafts"], &[]);
    assert_eq!(with_drafts.run.code, 0, "{}", with_drafts.run.stderr);
    let changes = read(&with_drafts.out, "changes/index.html");
    assert!(changes.contains("Secret acquisition plan"), "{changes}");
    assert!(changes.contains("Draft the takeover of Initech"));

    let kept = kept(&spy);
    assert_eq!(kept.len(), 1);
    let history = String::from_utf8_lossy(&read_kept(&kept[0])).into_owned();
    assert!(
        history.contains("Secret acquisition plan"),
        "the walk has the draft"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(spy.cache())
            .expect("cache folder")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the cache folder is the user's alone: {mode:o}"
        );
    }
}

#[test]
fn the_files_commit_dates_are_kept_per_commit_and_new_commits_merge_in() {
    // `check` reads each file's last commit date (the stand-in for a
    // missing `reviewed:`); the dates are kept by commit like the history.
    let site = SiteTest::new()
        .file("cs.md", "---\nid: cs\nkind: company-strategy\n---\n# S\n")
        .file(
            "ps.md",
            "---\nid: ps\nkind: product-strategy\nparent: cs\n---\n# P\n",
        );
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    commit(root, "2025-10-01", "Strategy");
    let spy = GitSpy::new();
    let owned = spy.env();
    let env = as_env(&owned);
    let check = || {
        let run = site.run_with_env(
            &["check", "ROOT", "--format", "json", "--today", "2026-11-24"],
            &env,
        );
        (run.stdout, spy.take())
    };
    // What a run with nothing kept says, for the same commit.
    let fresh = || {
        let empty = tempfile::tempdir().expect("empty cache");
        let dir = empty.path().to_string_lossy().into_owned();
        site.run_with_env(
            &["check", "ROOT", "--format", "json", "--today", "2026-11-24"],
            &[("THROUGHLINE_CACHE_DIR", &dir)],
        )
        .stdout
    };
    let dates_logged = |calls: &[String]| calls.iter().any(|c| c.contains("--name-only"));

    let (first, calls) = check();
    assert!(dates_logged(&calls), "the first run asks git: {calls:?}");
    assert!(
        first.contains("\"stale\""),
        "cs was last committed in 2025: {first}"
    );
    let (again, calls) = check();
    assert!(!dates_logged(&calls), "the same commit: kept {calls:?}");
    assert_eq!(again, first);

    // A new commit touching cs.md: only it is logged, and cs is no longer stale.
    write(
        root,
        "cs.md",
        "---\nid: cs\nkind: company-strategy\n---\n# Strategy\n",
    );
    commit(root, "2026-11-20", "Retitle the strategy");
    let (after, calls) = check();
    assert!(
        calls
            .iter()
            .any(|c| c.contains("--name-only") && c.contains("..")),
        "only the commits since: {calls:?}"
    );
    assert_eq!(after, fresh(), "the same as reading every commit");
    let stale = |json: &str| json.matches("\"rule\":\"stale\"").count();
    assert_eq!((stale(&first), stale(&after)), (2, 1), "{after}");

    // A reset: the kept commit is not an ancestor any more; all is read again.
    git(root, &["reset", "-q", "--hard", "HEAD~1"]);
    let (reset, calls) = check();
    assert!(
        calls
            .iter()
            .any(|c| c.contains("--name-only") && !c.contains("..")),
        "{calls:?}"
    );
    assert_eq!(reset, fresh());
    assert_eq!(reset, first);
}

/// The one file of `kind` (`history`, `dates`) kept in `spy`'s cache folder.
fn kept_file(spy: &GitSpy, kind: &str) -> std::path::PathBuf {
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(spy.cache())
        .expect("cache folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{kind}-")))
        })
        .collect();
    assert_eq!(files.len(), 1, "one {kind} file: {files:?}");
    files.into_iter().next().expect("one")
}

/// A kept file's bytes without the check that ends it (8 bytes, when the
/// format has one: a hash of the bytes before it, as the output manifest
/// hashes a file).
fn read_kept(file: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(file).expect("kept");
    if let Some((body, check)) = bytes.split_last_chunk::<8>() {
        if fold_hash(body).to_le_bytes() == *check {
            bytes.truncate(bytes.len() - 8);
        }
    }
    bytes
}

/// Writes `body` as a kept file, sealed with the check a kept file ends
/// with when the format has one (`like`, the file before, does): a forger
/// knows the format.
fn write_kept(file: &Path, like: &[u8], body: &[u8]) {
    let sealed = like
        .split_last_chunk::<8>()
        .is_some_and(|(b, check)| fold_hash(b).to_le_bytes() == *check);
    let mut bytes = body.to_vec();
    if sealed {
        bytes.extend_from_slice(&fold_hash(body).to_le_bytes());
    }
    std::fs::write(file, bytes).expect("forge");
}

fn fold_hash(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0).hash_one(bytes)
}

/// Rewrites the commit a kept file is stamped with (`stamp.head` in the
/// history, `head` in the dates): what a forged cache may say.
fn forge_head(file: &Path, head: &str) {
    let before = std::fs::read(file).expect("kept");
    let mut kept: serde_json::Value = serde_json::from_slice(&read_kept(file)).expect("JSON");
    match kept.get_mut("stamp") {
        Some(stamp) => stamp["head"] = head.into(),
        None => kept["head"] = head.into(),
    }
    write_kept(file, &before, &serde_json::to_vec(&kept).expect("JSON"));
}

#[test]
fn a_kept_head_that_reads_as_an_option_never_reaches_git() {
    // A restored cache whose stamps name `--output=FILE` where a commit
    // should be: put before a range on git's command line, git would
    // create FILE. The files are ignored, and the history read afresh.
    let site = scripted_history();
    let spy = GitSpy::new();
    let owned = spy.env();
    let env = as_env(&owned);
    let dir = tempfile::tempdir().expect("out");
    let out = dir.path().join("site");
    let out_arg = out.to_string_lossy().into_owned();
    let build = || {
        let run = site.run_with_env(
            &["build", "ROOT", "-o", &out_arg, "--today", "2026-11-24"],
            &env,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    };
    build();
    spy.take();
    // A new commit, so the kept stamps are not HEAD's and the builds look
    // for the kept commit on HEAD's line.
    write(
        site.root(),
        "pl.md",
        &LENDING.replace("reviewed: 2026-06-01", "reviewed: 2026-11-20"),
    );
    commit(site.root(), "2026-11-20", "Review lending");
    let planted = tempfile::tempdir().expect("planted");
    let target = planted.path().join("x");
    let option = format!("--output={}", target.display());
    forge_head(&kept_file(&spy, "history"), &option);
    forge_head(&kept_file(&spy, "dates"), &option);

    build();
    let created: Vec<String> = std::fs::read_dir(planted.path())
        .expect("planted")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(created.is_empty(), "git created {created:?}");
    let calls = spy.take();
    assert!(
        calls.iter().all(|c| !c.contains("--output")),
        "no forged head reaches git: {calls:?}"
    );
    assert!(read_history_from_git(&calls), "read afresh: {calls:?}");
    let clean = site.build_elsewhere(&["--clean"], &[]);
    assert_eq!(clean.run.code, 0, "{}", clean.run.stderr);
    assert!(
        snapshot_dir(&out) == snapshot_dir(&clean.out),
        "as a clean build"
    );
}

#[test]
fn a_forged_history_file_publishes_no_invented_commit() {
    // The kept walk says what git does not: another subject and author for
    // a real commit. Neither at the same commit nor walking on from it is
    // it published; the history is read from git instead.
    let site = scripted_history();
    let spy = GitSpy::new();
    let dir = tempfile::tempdir().expect("out");
    let out = dir.path().join("site");
    let forge = || {
        let file = kept_file(&spy, "history");
        let before = std::fs::read(&file).expect("kept");
        let text = String::from_utf8(read_kept(&file)).expect("JSON");
        let forged = text
            .replace("Commit bet A", "Bet A approved by the board")
            .replace("Ada Lovelace", "The Chief Executive");
        assert_ne!(forged, text);
        write_kept(&file, &before, forged.as_bytes());
    };
    let invented = |out: &Path| {
        snapshot_dir(out).into_iter().any(|(_, bytes)| {
            let text = String::from_utf8_lossy(&bytes);
            text.contains("approved by the board") || text.contains("Chief Executive")
        })
    };
    assert_eq!(same_as_a_clean_build(&site, &out, &spy), (true, false));
    assert!(read(&out, "bet-a/index.html").contains("Commit bet A"));

    // At the same commit.
    forge();
    assert_eq!(same_as_a_clean_build(&site, &out, &spy), (true, false));
    assert!(
        !invented(&out),
        "an invented subject or author is published"
    );

    // Walking on from the kept commit after a new one.
    forge();
    write(
        site.root(),
        "pl.md",
        &LENDING.replace("reviewed: 2026-06-01", "reviewed: 2026-11-20"),
    );
    commit(site.root(), "2026-11-20", "Review lending");
    assert_eq!(
        same_as_a_clean_build(&site, &out, &spy),
        (true, false),
        "read from the start, not walked on"
    );
    assert!(
        !invented(&out),
        "an invented subject or author is published"
    );

    // Unforged, the kept walk is used again: the check costs no re-read.
    write(
        site.root(),
        "ps.md",
        &PAYOUTS.replace("reviewed: 2026-06-01", "reviewed: 2026-11-22"),
    );
    commit(site.root(), "2026-11-22", "Review payouts again");
    assert_eq!(same_as_a_clean_build(&site, &out, &spy), (true, true));
}

/// A product strategy retitled and its "For whom" section edited, and a
/// section whose heading is markup, in the window: the changes page and
/// the dashboard say both in words, each commit linking to its full diff.
#[test]
fn the_changes_page_says_which_title_and_sections_changed() {
    let strategy = |title: &str, for_whom: &str| {
        format!("---\nid: ps\nkind: product-strategy\ntitle: {title}\nparent: cs\nreviewed: 2026-06-01\n---\n## For whom\n\n{for_whom}\n\n## Why now\n\nRates fell.\n\n## <img src=x onerror=alert(1)>\n\nRisky.\n")
    };
    let site = SiteTest::new()
        .file("throughline.yaml", CONFIG)
        .file("cs.md", COMPANY)
        .file(
            "ps.md",
            strategy("Payouts", "Small merchants who sell\nonline."),
        );
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    commit(root, "2026-06-01", "Set up the strategy");
    // Re-wrapped only: no change to the text.
    write(
        root,
        "ps.md",
        &strategy("Payouts", "Small merchants who sell online."),
    );
    commit(root, "2026-10-06", "Re-wrap");
    write(
        root,
        "ps.md",
        &strategy(
            "Payouts for everyone",
            "Small merchants who sell online and in shops.",
        ),
    );
    commit(root, "2026-10-07", "Payouts for everyone");
    write(
        root,
        "ps.md",
        &strategy(
            "Payouts for everyone",
            "Small merchants who sell online and in shops.",
        )
        .replace("Risky.", "Fraud."),
    );
    commit(root, "2026-10-08", "Name the risk");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "changes/index.html");
    assert!(
        page.contains("Product strategy</span>\nretitled from “Payouts”"),
        "{page}"
    );
    assert!(
        page.contains("text changed in “For whom”\n<p class=\"excerpt\">"),
        "{page}"
    );
    assert!(
        page.contains("text changed in “&lt;img src=x onerror=alert(1)&gt;”"),
        "the heading is text, not markup: {page}"
    );
    assert!(!page.contains("<img src=x"), "{page}");
    assert_eq!(
        page.matches("text changed in").count(),
        2,
        "a re-wrap is no change: {page}"
    );
    assert!(!page.contains("Why now"), "{page}");
    let commit = commit_id(root, "Payouts for everyone");
    assert!(
        page.contains(&format!(
            "https://git.example.com/acme/strategy/commit/{commit}"
        )),
        "the commit links to its full diff: {page}"
    );
    // Each text change shows its words, as `diff` marks them: struck
    // through and underlined, announced to screen readers.
    let for_whom = "<p class=\"excerpt\"><span class=\"muted\">“For whom”:</span> Small merchants who sell <del><span class=\"visually-hidden\">removed: </span>online.</del> <ins><span class=\"visually-hidden\">added: </span>online and in shops.</ins></p>";
    assert!(page.contains(for_whom), "{page}");
    assert!(
        page.contains("“&lt;img src=x onerror=alert(1)&gt;”:</span> <del><span class=\"visually-hidden\">removed: </span>Risky.</del> <ins><span class=\"visually-hidden\">added: </span>Fraud.</ins>"),
        "{page}"
    );
    let home = read(&built.out, "index.html");
    let latest = &home[home.find("id=\"changes-h\"").expect("latest changes")..];
    assert!(latest.contains("retitled from “Payouts”"), "{latest}");
    assert!(latest.contains("text changed in “For whom”"), "{latest}");
    assert!(latest.contains(for_whom), "{latest}");
    // Built again from the history the first build kept: the same words.
    let again = site.build_elsewhere(&[], &[]);
    assert_eq!(again.run.code, 0, "{}", again.run.stderr);
    assert_eq!(read(&again.out, "changes/index.html"), page);
    // A commit after the kept walk: its excerpt reads the version before
    // from git, as the kept walk holds no text.
    let last = std::fs::read_to_string(root.join("ps.md")).expect("ps");
    write(root, "ps.md", &last.replace("Rates fell.", "Rates rose."));
    self::commit(root, "2026-10-09", "Rates rose");
    let walked_on = site.build_elsewhere(&[], &[]);
    assert_eq!(walked_on.run.code, 0, "{}", walked_on.run.stderr);
    let page = read(&walked_on.out, "changes/index.html");
    assert!(
        page.contains("“Why now”:</span> Rates <del><span class=\"visually-hidden\">removed: </span>fell.</del> <ins><span class=\"visually-hidden\">added: </span>rose.</ins>"),
        "{page}"
    );
}

/// An id renamed in place (the file stays, `id:` changes in one commit) is
/// one document: its page keeps the commits before the rename and the time
/// in status, the changes page and `diff` say "renamed", not removed and added.
#[test]
fn an_id_renamed_in_place_keeps_its_history() {
    let site = scripted_history();
    let root = site.root();
    let bet = std::fs::read_to_string(root.join("bets/lending/bet-a.md")).expect("bet");
    write(
        root,
        "bets/lending/bet-a.md",
        &bet.replace("id: bet-a", "id: bet-lending"),
    );
    commit(root, "2026-11-12", "Rename bet A");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "bet-lending/index.html");
    for subject in [
        "Rename bet A",
        "Move bet A under lending",
        "Commit bet A",
        "Set up the strategy",
    ] {
        assert!(page.contains(subject), "{subject} in {page}");
    }
    assert!(
        page.contains("committed <span class=\"muted\">for 47 days, since 2026-10-08</span>"),
        "{page}"
    );
    let changes = read(&built.out, "changes/index.html");
    assert!(
        changes.contains("id renamed from <code>bet-a</code>"),
        "{changes}"
    );
    let week = &changes[changes.find("week-2026-11-09\"").expect("week")..];
    let week = &week[..week.find("</section>").expect("end")];
    assert_eq!(
        week.matches("Rename bet A</a>").count(),
        1,
        "one change, neither a removal nor an addition: {week}"
    );
    assert!(
        !week.contains("bet-a <span") && !week.contains("Bet A <span"),
        "no removal of the old id: {week}"
    );

    let head = commit_id(root, "Rename bet A");
    let base = format!("{head}~1");
    let diff = site.run(&[
        "diff",
        "--root",
        "ROOT",
        "--today",
        "2026-11-24",
        &base,
        &head,
    ]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(
        diff.stdout
            .contains("  Bet A `bet-lending` (bet)\n      renamed from `bet-a`\n"),
        "{}",
        diff.stdout
    );
    assert!(
        !diff.stdout.contains("Added") && !diff.stdout.contains("Removed"),
        "{}",
        diff.stdout
    );
}

/// A review in the window starts a section of the changes since it, as
/// `diff --since-review` reads them: commits after the review's day.
#[test]
fn each_review_starts_a_section_of_the_changes_since_it() {
    let site = scripted_history();
    let root = site.root();
    write(
        root,
        "reviews/q4.md",
        "---\nid: review-q4\nkind: review\ntitle: Q4 review\ndate: 2026-10-21\ncovers: [ps]\n---\n",
    );
    commit(root, "2026-11-20", "Record the Q4 review");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "changes/index.html");
    let since = page
        .find("<h2 id=\"since-review-q4\">Since the review <a href=\"../review-q4/index.html\">Q4 review</a> of 2026-10-21</h2>")
        .unwrap_or_else(|| panic!("{page}"));
    let before = page
        .find("<h2 id=\"before-reviews\">Before the reviews</h2>")
        .unwrap_or_else(|| panic!("{page}"));
    assert!(since < before, "newest first");
    let (after_review, earlier) = (&page[since..before], &page[before..]);
    // The check-in committed on the review's own day came before it.
    for subject in [
        "Record the Q4 review",
        "Move bet A under lending",
        "Review payouts",
    ] {
        assert!(after_review.contains(subject), "{subject}: {after_review}");
    }
    for subject in ["Check in payout speed", "Commit bet A"] {
        assert!(earlier.contains(subject), "{subject}: {earlier}");
        assert!(!after_review.contains(subject), "{subject}: {after_review}");
    }
    assert!(
        after_review.contains("<h3 id=\"week-2026-11-02-since-review-q4\">Week of 2026-11-02</h3>")
    );
}

/// A review in the middle of a week cuts it in two sections, and the week
/// still lists at most 200 changes between them: reviews cannot stretch
/// the page past its budget.
#[test]
fn a_week_cut_by_a_review_keeps_its_budget() {
    let site = SiteTest::new()
        .file("throughline.yaml", CONFIG)
        .file("cs.md", COMPANY);
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    commit(root, "2026-06-01", "Set up the strategy");
    let pages = |from: usize| {
        for i in from..from + 150 {
            write(
                root,
                &format!("notes/n-{i}.md"),
                &format!("---\nid: n-{i}\nkind: page\ntitle: Note {i}\n---\n"),
            );
        }
    };
    pages(0);
    commit(root, "2026-11-09", "Monday's notes");
    write(
        root,
        "reviews/mid.md",
        "---\nid: review-mid\nkind: review\ntitle: Midweek\ndate: 2026-11-10\ncovers: [cs]\n---\n",
    );
    pages(150);
    commit(root, "2026-11-11", "Wednesday's notes");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "changes/index.html");
    assert!(page.contains("<h2 id=\"since-review-mid\">"), "{page}");
    let listed = page.matches("<span class=\"badge kind\">").count();
    assert_eq!(listed, 200, "{page}");
    assert!(page.contains("and 101 more changes this week"), "{page}");
}

/// The visible text of an HTML fragment: tags dropped, the few entities
/// the templates write decoded, blanks squeezed.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every kind of change the history words (added, removed, status,
/// re-parenting, check-ins, review, title, owner, a judgement, goals,
/// dependencies, text): the changes page and the digest say each in the
/// same words, as both read `Change::words`.
#[test]
fn the_changes_page_and_the_digest_word_each_change_alike() {
    let site = scripted_history();
    let root = site.root();
    write(
        root,
        "pl.md",
        &LENDING.replace("kind:", "title: Lending\nkind:"),
    );
    commit(root, "2026-11-17", "Title lending");
    write(
        root,
        "pl.md",
        "---\nid: pl\nkind: product-strategy\ntitle: Lending <b>now</b>\nparent: cs\nowner: Grace\nreviewed: 2026-06-01\n---\n# Lending\n\n## For whom\n\nEveryone.\n",
    );
    write(
        root,
        "bets/bet-new.md",
        "---\nid: bet-new\nkind: bet\nparent: pl\nstatus: proposed\nsize: medium\nreviewed: 2026-11-10\ndepends_on: [bet-a]\nsuccess: {metric: m-payout, baseline: 10, target: 20, by: 2027-03-31}\n---\n# New bet\n",
    );
    commit(root, "2026-11-18", "Retitle lending, size the new bet");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "changes/index.html");
    // Each change's sentence: after its kind's badge, up to its excerpt or
    // the end of its item (the commit line heads the commit's changes).
    let mut on_page: Vec<String> = page
        .split("<span class=\"badge kind\">")
        .skip(1)
        .filter_map(|item| {
            let end = ["<p class=\"excerpt\">", "</li>"]
                .iter()
                .filter_map(|m| item.find(m))
                .min()?;
            let words = &item[item.find("</span>")? + "</span>".len()..end];
            Some(visible_text(words))
        })
        .collect();
    let run = site.run(&[
        "digest",
        "ROOT",
        "--today",
        "2026-11-24",
        "--since",
        "90d",
        "--format",
        "json",
        "--base-url",
        "https://strategy.example.com/",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let digest: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let mut in_digest: Vec<String> = digest["changed"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            // The page names the ids it cannot link by their titles; the
            // digest names them bare: compare the words, ids included.
            i["what"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    on_page.sort();
    in_digest.sort();
    assert!(on_page.len() >= 12, "{on_page:#?}");
    let titled = |s: &str| {
        // A linked id reads "Title id" on the page: the title dropped.
        s.replace("Payouts ps", "ps")
            .replace("Lending <b>now</b> pl", "pl")
            .replace("Bet A bet-a", "bet-a")
    };
    let on_page: Vec<String> = on_page.iter().map(|s| titled(s)).collect();
    assert_eq!(on_page, in_digest);
    for kind in [
        "retitled from “Lending”",
        "owner (none) → Grace",
        "size (none) → medium",
        "success criteria changed",
        "now waits on bet-a",
        "text changed in “For whom”",
        "moved from ps to pl",
        "status proposed → committed",
        "1 check-in added (latest 2026-10-20: 14)",
    ] {
        assert!(
            in_digest.iter().any(|w| w == kind),
            "{kind}: {in_digest:#?}"
        );
    }
}

/// Each commit that changes a bet's `confidence:` is a point of its
/// confidence over time, its note the commit's subject (escaped: anyone
/// who can push writes it); a `confidence_log:` entry on the same day wins.
#[test]
fn confidence_changes_in_git_join_the_confidence_log() {
    let bet = |confidence: &str, log: &str| {
        format!("---\nid: bet-c\nkind: bet\nparent: ps\nstatus: in-progress\nquarter: 2026-Q4\nreviewed: 2026-06-01\nconfidence: {confidence}\n{log}---\n# Bet C\n")
    };
    let log = "confidence_log:\n  - {date: 2026-06-01, problem: low, note: Started from a hunch}\n  - {date: 2026-10-20, solution: high, note: The pilot worked, evidence: exp-pilot}\n";
    let site = SiteTest::new()
        .file("throughline.yaml", CONFIG)
        .file("cs.md", COMPANY)
        .file("ps.md", PAYOUTS)
        .file(
            "bets/bet-c.md",
            bet("{problem: low, solution: low, outcome: low}", log),
        );
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    commit(root, "2026-06-01", "Set up the strategy");
    write(
        root,
        "bets/bet-c.md",
        &bet("{problem: high, solution: low, outcome: low}", log),
    );
    commit(
        root,
        "2026-09-15",
        "Interviews: <script>alert(1)</script> merchants feel it",
    );
    write(
        root,
        "bets/bet-c.md",
        &bet("{problem: high, solution: high, outcome: low}", log),
    );
    commit(root, "2026-10-20", "Pilot results");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "bet-c/index.html");
    let start = page
        .find("id=\"confidence-log-h\"")
        .expect("confidence over time");
    let table = &page[start..start + page[start..].find("</table>").expect("table")];
    let rows: Vec<String> = table
        .split("<tr>")
        .skip(2)
        .map(|row| visible_text(&row.replace("</td>", " ")))
        .collect();
    assert_eq!(
        rows,
        [
            "2026-06-01 low Started from a hunch",
            &format!(
                "2026-09-15 high low low Interviews: <script>alert(1)</script> merchants feel it (commit {}, Test)",
                &commit_id(root, "Interviews: <script>alert(1)</script> merchants feel it")[..7]
            ),
            "2026-10-20 high high low The pilot worked (evidence: exp-pilot)",
        ],
        "{table}"
    );
    assert!(!page.contains("<script>alert(1)"), "the subject is text");
    assert!(
        table.contains("Interviews: &lt;script&gt;alert(1)&lt;/script&gt; merchants"),
        "{table}"
    );
}
