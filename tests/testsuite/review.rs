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
    let root = site.root().to_string_lossy().into_owned();
    let mut all = vec!["review", "--root", &root, "--today", "2026-11-24"];
    all.extend_from_slice(args);
    site.run(&all)
}

fn read(site: &SiteTest, rel: &str) -> String {
    std::fs::read_to_string(site.root().join(rel)).expect("read")
}

fn edit(site: &SiteTest, rel: &str, from: &str, to: &str) {
    let text = read(site, rel);
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
    let after = read(&site, "bets/bet-instant.md");
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
    assert_eq!(read(&site, "bets/bet-instant.md"), BET, "nothing half done");
}

#[test]
fn due_reviews_the_stale_and_drifted_documents_of_one_owner() {
    let site = site()
        .file(
            "bets/bet-old.md",
            "---\nid: bet-old\nkind: bet\nparent: ps-payouts\nowner: ana\nreviewed: 2026-01-01\n---\n",
        )
        .file(
            "bets/bet-bob.md",
            "---\nid: bet-bob\nkind: bet\nparent: ps-payouts\nowner: bob\nreviewed: 2026-01-01\n---\n",
        );
    let run = review(&site, &["--due", "--owner", "ana"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("due for review: bet-old\n"),
        "{}",
        run.stdout
    );
    assert!(read(&site, "bets/bet-old.md")
        .contains("reviewed: 2026-11-24\nreviewed_against: {ps-payouts: "));
    assert!(
        read(&site, "bets/bet-bob.md").contains("reviewed: 2026-01-01\n"),
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
