//! `throughline review` and exact drift, through the real binary: stamps are
//! written into the user's files without touching anything else, and `drift`
//! follows the stamped content exactly, in both directions.

use crate::support::SiteTest;

const COMPANY: &str =
    "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n";
const PRODUCT: &str = "---\nid: ps-payouts\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n# Payouts\n\nSame-day payouts for every merchant.\n";
/// A bet written the way people write: comments, quoting, odd key order, CRLF.
const BET: &str = "---\r\n# Owned by the payouts team.\r\nkind: bet\r\nid: bet-instant\r\ntitle: 'Instant: payouts'   # quoted, with a colon\r\nparent: ps-payouts\r\nowner: ana\r\nreviewed: 2026-10-01\r\n---\r\n# Instant payouts\r\n";

fn site() -> SiteTest {
    SiteTest::new()
        .file("cs.md", COMPANY)
        .file("ps-payouts.md", PRODUCT)
        .file("bets/bet-instant.md", BET)
}

fn drift_findings(site: &SiteTest) -> Vec<String> {
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    run.json()
        .into_iter()
        .filter(|d| d["rule"] == "drift")
        .map(|d| {
            format!(
                "{}:{} {}",
                d["file"].as_str().unwrap_or(""),
                d["line"],
                d["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn review(site: &SiteTest, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["--today", "2026-11-24"];
    all.extend_from_slice(args);
    site.run_in("review", &all)
}

fn edit(site: &SiteTest, rel: &str, from: &str, to: &str) {
    let text = site.read(rel);
    assert!(text.contains(from), "{rel} has no `{from}`");
    std::fs::write(site.root().join(rel), text.replacen(from, to, 1)).expect("write");
}

#[test]
fn review_rewrites_only_its_two_lines() {
    let site = site();
    let run = review(&site, &["bet-instant"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("reviewed `bet-instant` on 2026-11-24 against `ps-payouts` ("),
        "{}",
        run.stdout
    );
    let after = site.read("bets/bet-instant.md");
    let stamp = after
        .split("reviewed_against: {ps-payouts: ")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("a stamp for the parent");
    assert_eq!(stamp.len(), 17, "fields.body, 8 hex digits each: {stamp}");
    let expected = BET.replace(
        "reviewed: 2026-10-01\r\n",
        &format!("reviewed: 2026-11-24\r\nreviewed_against: {{ps-payouts: {stamp}}}\r\n"),
    );
    assert_eq!(after, expected, "every other byte, CRLF included, is kept");
    assert_eq!(drift_findings(&site), Vec::<String>::new());
}

#[test]
fn a_same_day_edit_of_the_parent_drifts_and_a_new_review_clears_it() {
    let site = site();
    assert_eq!(review(&site, &["bet-instant"]).code, 0);

    // The same day, the parent's text changes: no date moved, yet the bet was reviewed against the old text.
    edit(
        &site,
        "ps-payouts.md",
        "Same-day payouts",
        "Next-day payouts",
    );
    assert_eq!(
        drift_findings(&site),
        vec!["bets/bet-instant.md:9 `ps-payouts` changed since this bet was reviewed against it on 2026-11-24: its body changed"]
    );
    edit(
        &site,
        "ps-payouts.md",
        "# Payouts",
        "# Payouts, reconsidered",
    );
    edit(
        &site,
        "ps-payouts.md",
        "reviewed: 2026-11-01",
        "reviewed: 2026-11-01\nowner: li",
    );
    assert_eq!(
        drift_findings(&site),
        vec!["bets/bet-instant.md:9 `ps-payouts` changed since this bet was reviewed against it on 2026-11-24: its fields and its body changed"]
    );

    assert_eq!(review(&site, &["bet-instant"]).code, 0);
    assert_eq!(
        drift_findings(&site),
        Vec::<String>::new(),
        "re-reviewing clears it"
    );

    // Form is not content: reformatting the parent does not drift.
    edit(
        &site,
        "ps-payouts.md",
        "parent: cs",
        "parent: \"cs\"  # the company",
    );
    assert_eq!(drift_findings(&site), Vec::<String>::new());
    // Reviewing the parent itself changes only its review fields: no drift below it.
    assert_eq!(review(&site, &["ps-payouts"]).code, 0);
    assert_eq!(drift_findings(&site), Vec::<String>::new());
}

#[test]
fn an_unknown_id_is_refused_and_nothing_is_written() {
    let site = site();
    let run = review(&site, &["bet-instant", "bet-instnt"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no document has the id `bet-instnt`; did you mean `bet-instant`?"),
        "{}",
        run.stderr
    );
    assert_eq!(site.read("bets/bet-instant.md"), BET, "nothing half done");
}

fn due_site() -> SiteTest {
    site()
        .file(
            "bets/bet-old.md",
            "---\nid: bet-old\nkind: bet\nparent: ps-payouts\nowner: ana\nreviewed: 2026-01-01\n---\n",
        )
        .file(
            "bets/bet-bob.md",
            "---\nid: bet-bob\nkind: bet\nparent: ps-payouts\nowner: bob\nreviewed: 2026-01-01\n---\n",
        )
}

#[test]
fn due_reviews_the_stale_and_drifted_documents_of_one_owner() {
    let site = due_site();
    let run = review(&site, &["--due", "--owner", "ana", "--yes"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("reviewed `bet-old` on 2026-11-24 against `ps-payouts` ("),
        "{}",
        run.stdout
    );
    assert!(site
        .read("bets/bet-old.md")
        .contains("reviewed: 2026-11-24\nreviewed_against: {ps-payouts: "));
    assert!(
        site.read("bets/bet-bob.md")
            .contains("reviewed: 2026-01-01\n"),
        "bob's bet is left alone"
    );
    let again = review(&site, &["--due", "--owner", "ana"]);
    assert_eq!(again.code, 0);
    assert!(
        again.stderr.contains("nothing is stale or drifted"),
        "{}",
        again.stderr
    );
}

#[test]
fn due_without_yes_and_without_a_terminal_lists_and_writes_nothing() {
    let site = due_site();
    let before = crate::support::snapshot_dir(site.root());
    // The test runner's standard input is not a terminal: nobody to ask.
    let run = review(&site, &["--due"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "due for review: bet-bob, bet-old\n");
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    let dry = review(&site, &["--due", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(dry.stdout, run.stdout);
    assert_eq!(
        crate::support::snapshot_dir(site.root()),
        before,
        "nothing is written without --yes"
    );
}

#[cfg(unix)]
#[test]
fn due_into_a_closed_pipe_is_quiet_and_writes_all_or_nothing() {
    use crate::support::{quiet_on_closed_pipe, run_into_closed_pipe};
    let site = due_site();
    let root = site.root().to_string_lossy().into_owned();
    let before = crate::support::snapshot_dir(site.root());
    let args = ["review", "--due", "--root", &root, "--today", "2026-11-24"];
    let (status, stderr) = run_into_closed_pipe(&args, site.root());
    assert!(quiet_on_closed_pipe(status), "{status:?}: {stderr}");
    assert_eq!(stderr, "", "no panic, no message about the pipe");
    assert_eq!(crate::support::snapshot_dir(site.root()), before);
    // Confirmed: every listed file is written before anything is printed.
    let mut confirmed = args.to_vec();
    confirmed.push("--yes");
    let (status, stderr) = run_into_closed_pipe(&confirmed, site.root());
    assert!(quiet_on_closed_pipe(status), "{status:?}: {stderr}");
    assert_eq!(stderr, "");
    for file in ["bets/bet-old.md", "bets/bet-bob.md"] {
        assert!(site.read(file).contains("reviewed: 2026-11-24\n"), "{file}");
    }
}

#[test]
fn a_dry_run_says_what_it_would_stamp_and_writes_nothing() {
    let site = site();
    let run = review(&site, &["bet-instant", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("would review `bet-instant` on 2026-11-24 against `ps-payouts` ("),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("dry run: nothing was written"));
    assert_eq!(site.read("bets/bet-instant.md"), BET);
}

#[test]
fn a_hand_edited_stamp_is_a_schema_error_at_its_line() {
    let site = site().file(
        "bets/bet-instant.md",
        "---\nid: bet-instant\nkind: bet\nparent: ps-payouts\nreviewed: 2026-11-24\nreviewed_against: {ps-payouts: yesterday}\n---\n",
    );
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    assert!(
        run.findings()
            .contains(&"schema bets/bet-instant.md:6:32".to_string()),
        "{:?}",
        run.findings()
    );
}

/// Issue #31: `review` rewrote lines, not YAML, and broke files that checked
/// clean. Each of these layouts is refused, naming the file and a line, and
/// the file is left as it was.
#[test]
fn layouts_the_editor_would_misread_are_refused_and_left_alone() {
    let head = "---\nkind: bet\nparent: ps-payouts\n";
    // Each with the line the refusal names: where the edit would begin, or
    // the key written twice.
    let layouts: [(&str, String, u32); 7] = [
        (
            "bet-anchor",
            format!("{head}id: bet-anchor\nreviewed: &when 2026-10-01\nupdated: *when\n---\n"),
            5,
        ),
        (
            "bet-flow",
            "---\n{id: bet-flow, kind: bet, parent: ps-payouts, reviewed: 2026-10-01}\n---\n"
                .to_string(),
            2,
        ),
        (
            "bet-quoted",
            format!("{head}id: bet-quoted\ntitle: \"Instant payouts,\nreviewed: in October\"\n---\n"),
            6,
        ),
        (
            "bet-stamps",
            format!("{head}id: bet-stamps\nreviewed: 2026-10-01\nreviewed_against: {{\nps-payouts: 0a0b0c0d.01020304}}\n---\n"),
            5,
        ),
        (
            "bet-quoted-key",
            format!("{head}id: bet-quoted-key\n\"reviewed\": 2026-10-01\n---\n"),
            5,
        ),
        (
            "bet-spaced-key",
            format!("{head}id: bet-spaced-key\nreviewed : 2026-10-01\n---\n"),
            5,
        ),
        (
            "bet-explicit-key",
            format!("{head}id: bet-explicit-key\n? reviewed\n: 2026-10-01\n---\n"),
            7,
        ),
    ];
    let mut site = site();
    for (id, text, _) in &layouts {
        site = site.file(&format!("bets/{id}.md"), text);
    }
    let check = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    let errors: Vec<String> = check
        .json()
        .into_iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d.to_string())
        .collect();
    assert_eq!(errors, Vec::<String>::new(), "each layout checks clean");

    for (id, text, line) in &layouts {
        let run = review(&site, &[id]);
        assert_eq!(run.code, 2, "{id}: {}{}", run.stdout, run.stderr);
        let at = format!("cannot review `{id}` in bets/{id}.md:{line}: ");
        assert!(
            run.stderr.contains(&at)
                && run
                    .stderr
                    .contains("; nothing was written; edit `reviewed:` by hand"),
            "{id}: {}",
            run.stderr
        );
        assert_eq!(&site.read(&format!("bets/{id}.md")), text, "{id}");
    }
}

/// The files of `rel`'s folder: no temporary file may be left behind.
fn folder(site: &SiteTest, rel: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.root().join(rel))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Issue #31: an edit saved between `review`'s read and its write was
/// silently overwritten. The test-only hook saves one while the write is
/// under way.
#[test]
fn an_edit_saved_while_review_runs_is_kept_and_nothing_is_written() {
    let site = site();
    let root = site.root().to_string_lossy().into_owned();
    let run = site.run_with_env(
        &[
            "review",
            "--root",
            &root,
            "--today",
            "2026-11-24",
            "bet-instant",
        ],
        &[(throughline::edit::EDIT_MEANWHILE_ENV, "bet-instant.md")],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "bet-instant.md` changed since throughline read it; nothing was written; run the command again"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "", "no review is reported");
    assert_eq!(
        site.read("bets/bet-instant.md"),
        format!("{BET}{}", throughline::edit::EDITED_MEANWHILE),
        "the edit saved meanwhile is kept"
    );
    assert_eq!(folder(&site, "bets"), ["bet-instant.md"]);
}

/// Issue #31: `review A B` whose second write failed left A written.
#[test]
fn review_of_several_documents_writes_all_or_none() {
    let other = "---\nid: bet-other\nkind: bet\nparent: ps-payouts\nreviewed: 2026-10-01\n---\n";
    let site = site().file("bets/bet-other.md", other);
    let root = site.root().to_string_lossy().into_owned();
    let args = [
        "review",
        "--root",
        &root,
        "--today",
        "2026-11-24",
        "bet-instant",
        "bet-other",
    ];
    // The second document is saved by someone else while the first is written.
    let run = site.run_with_env(
        &args,
        &[(throughline::edit::EDIT_MEANWHILE_ENV, "bet-other.md")],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(
        site.read("bets/bet-instant.md"),
        BET,
        "the first is unchanged"
    );
    assert_eq!(
        site.read("bets/bet-other.md"),
        format!("{other}{}", throughline::edit::EDITED_MEANWHILE)
    );

    // The second document is read-only.
    std::fs::write(site.root().join("bets/bet-other.md"), other).expect("write");
    set_mode(&site, "bets/bet-other.md", 0o444);
    let run = site.run(&args);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("bet-other.md` is read-only; nothing was written"),
        "{}",
        run.stderr
    );
    assert_eq!(
        site.read("bets/bet-instant.md"),
        BET,
        "the first is unchanged"
    );
    assert_eq!(site.read("bets/bet-other.md"), other);
    assert_eq!(folder(&site, "bets"), ["bet-instant.md", "bet-other.md"]);

    // Writable again, both are written; an id given twice is reviewed once.
    set_mode(&site, "bets/bet-other.md", 0o644);
    let mut twice = args.to_vec();
    twice.push("bet-other");
    let run = site.run(&twice);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(site
        .read("bets/bet-other.md")
        .contains("reviewed: 2026-11-24\n"));
}

fn set_mode(site: &SiteTest, rel: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(site.root().join(rel), std::fs::Permissions::from_mode(mode))
        .expect("chmod");
}

/// Issue #31: a document that was a link inside the root was replaced by a
/// plain file.
#[test]
fn a_document_that_is_a_link_is_refused_and_stays_a_link() {
    // The target is inside the root, in a hidden folder the site does not read.
    let site = site().file(".kept/bet-instant.md", BET);
    std::fs::remove_file(site.root().join("bets/bet-instant.md")).expect("remove");
    std::os::unix::fs::symlink(
        "../.kept/bet-instant.md",
        site.root().join("bets/bet-instant.md"),
    )
    .expect("link");
    let run = review(&site, &["bet-instant"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("bet-instant.md` is a symbolic link")
            && run.stderr.contains("nothing was written"),
        "{}",
        run.stderr
    );
    assert!(
        std::fs::symlink_metadata(site.root().join("bets/bet-instant.md"))
            .expect("meta")
            .file_type()
            .is_symlink(),
        "still a link"
    );
    assert_eq!(site.read(".kept/bet-instant.md"), BET);
    assert_eq!(folder(&site, "bets"), ["bet-instant.md"]);
}

/// `review` stamps ids into `reviewed_against:`; it refuses to stamp an id
/// that `check` refuses (here one longer than a file name can hold), which
/// would have to change, and writes nothing.
#[test]
fn review_refuses_an_id_that_check_refuses() {
    let long = format!("ps-{}", "x".repeat(200));
    let product = PRODUCT.replace("id: ps-payouts", &format!("id: {long}"));
    let bet = BET.replace("parent: ps-payouts", &format!("parent: {long}"));
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("ps-payouts.md", &product)
        .file("bets/bet-instant.md", &bet);
    let run = review(&site, &["bet-instant"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("203 bytes long; ids may be at most 128 bytes"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(site.root().join("bets/bet-instant.md")).expect("read"),
        bet
    );
}

/// On a terminal, `review --due` lists and asks; only a yes writes. The
/// terminal is `script`'s pseudo-terminal (util-linux), the answer typed
/// into it.
#[cfg(unix)]
#[test]
fn due_on_a_terminal_asks_and_only_a_yes_writes() {
    let Some(script) = crate::support::which(&["script"]) else {
        eprintln!("note: `script` is not installed; the terminal case is not tested");
        return;
    };
    let site = due_site();
    let before = crate::support::snapshot_dir(site.root());
    let command = format!(
        "{} review --due --owner ana --root '{}' --today 2026-11-24",
        env!("CARGO_BIN_EXE_throughline"),
        site.root().display()
    );
    let answer = |typed: &str| {
        let mut shell = std::process::Command::new("sh");
        shell
            .args([
                "-c",
                &format!(
                    "printf '{typed}' | '{}' -qec \"$0\" /dev/null",
                    script.display()
                ),
                &command,
            ])
            .env("NO_COLOR", "1")
            .env("THROUGHLINE_CACHE_DIR", crate::support::cache_dir());
        let out = crate::support::run_limited(shell, std::time::Duration::from_secs(30));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let no = answer("n\\n");
    assert!(
        no.contains("stamp 1 document as reviewed on 2026-11-24? [y/N]"),
        "{no}"
    );
    assert!(no.contains("nothing was written"), "{no}");
    assert_eq!(crate::support::snapshot_dir(site.root()), before);
    let yes = answer("y\\n");
    assert!(yes.contains("reviewed `bet-old` on 2026-11-24"), "{yes}");
    assert!(site
        .read("bets/bet-old.md")
        .contains("reviewed: 2026-11-24\n"));
    assert!(site
        .read("bets/bet-bob.md")
        .contains("reviewed: 2026-01-01\n"));
}
