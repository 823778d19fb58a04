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
        run.stdout.contains("Left drifted\n  Bet A `bet-a`"),
        "{}",
        run.stdout
    );
    let markdown = diff(&site, &["reviewed", "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .starts_with("## Strategy changes from reviewed \\("),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown
            .stdout
            .contains("### Left drifted\n- Bet A `bet-a`"),
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

/// A title that would mention everyone, load an image, show HTML and a link
/// if it reached a pull-request comment as it is.
#[cfg(unix)]
const HOSTILE_TITLE: &str =
    "@everyone <img src=x onerror=alert(1)> [click](http://evil) ![i](http://evil/i.png)";
/// Body text that would be markup in a report, and a terminal's escape.
#[cfg(unix)]
const HOSTILE_EXCERPT: &str =
    "@everyone **bold** ~~gone~~ <b>x</b> [y](http://evil) \u{1b}]0;pwned\u{7}";
/// A folder whose name would start a heading and a list item of its own.
#[cfg(unix)]
const HOSTILE_FOLDER: &str = "x\n# Heading\n- item";
/// A file name that would set the terminal's title.
#[cfg(unix)]
const TERMINAL_TITLE: &str = "bets/\u{1b}]0;pwned\u{7}.md";

/// `repository()`, then a commit on branch `@everyone<b>x` that adds
/// documents with hostile titles and in hostile files, moves `bet-a` into
/// the hostile folder and gives it a hostile owner.
#[cfg(unix)]
fn hostile_repository() -> SiteTest {
    let site = repository();
    write(
        &site,
        "bets/evil.md",
        &format!("---\nid: bet-evil\nkind: bet\ntitle: {HOSTILE_TITLE:?}\nparent: ps\nreviewed: 2026-11-20\n---\n"),
    );
    write(
        &site,
        &format!("{HOSTILE_FOLDER}/bet-nl.md"),
        // A one-character CSI and a right-to-left override, which JSON may hold raw.
        "---\nid: bet-nl\nkind: bet\ntitle: \"CSI \\u009B2J, RLO \\u202Eevil\"\nparent: ps\nreviewed: 2026-11-20\n---\n",
    );
    write(
        &site,
        TERMINAL_TITLE,
        "---\nid: bet-esc\nkind: bet\nparent: ps\nreviewed: 2026-11-20\n---\n",
    );
    std::fs::remove_file(site.root().join("bets/bet-a.md")).expect("rm");
    write(
        &site,
        &format!("{HOSTILE_FOLDER}/bet-a.md"),
        &BET.replace("status: proposed", "owner: \"@org/team [x](http://evil)\""),
    );
    // A section edit whose excerpt would mention, link, embolden and set
    // the terminal's title.
    write(
        &site,
        "ps.md",
        &PRODUCT.replace(
            "Same-day payouts.",
            &format!("Same-day payouts {HOSTILE_EXCERPT}"),
        ),
    );
    git(site.root(), &["checkout", "-q", "-b", "@everyone<b>x"]);
    commit(&site, "hostile names");
    site
}

/// What a Markdown reader makes of a text: its headings and list items (as
/// their plain text), its plain text, and every event that is live markup.
#[cfg(unix)]
#[derive(Debug, Default)]
struct Reading {
    headings: Vec<String>,
    items: Vec<String>,
    text: String,
    live: Vec<String>,
}

/// Reads `markdown` with pulldown-cmark, every extension on (tables,
/// footnotes, strikethrough, math, ...), as GitHub's reader would.
#[cfg(unix)]
fn read_markdown(markdown: &str) -> Reading {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut reading = Reading::default();
    // The heading or item being read, innermost last.
    let mut open: Vec<(bool, String)> = Vec::new();
    for event in Parser::new_ext(markdown, Options::all()) {
        let text = match &event {
            Event::Start(Tag::Heading { .. }) => {
                open.push((true, String::new()));
                continue;
            }
            Event::Start(Tag::Item) => {
                open.push((false, String::new()));
                continue;
            }
            Event::End(TagEnd::Heading(_) | TagEnd::Item) => {
                if let Some((heading, text)) = open.pop() {
                    let list = if heading {
                        &mut reading.headings
                    } else {
                        &mut reading.items
                    };
                    list.push(text);
                }
                continue;
            }
            Event::Text(t) => {
                reading.text.push_str(t);
                t.to_string()
            }
            Event::Code(c) => format!("`{c}`"),
            Event::SoftBreak | Event::HardBreak => "\n".to_string(),
            Event::Start(
                Tag::Paragraph | Tag::List(_) | Tag::Emphasis | Tag::Strong | Tag::Strikethrough,
            )
            | Event::End(_) => continue,
            other => {
                reading.live.push(format!("{other:?}"));
                continue;
            }
        };
        if let Some((_, current)) = open.last_mut() {
            current.push_str(&text);
        }
    }
    reading
}

#[cfg(unix)]
#[test]
fn markdown_shows_what_a_commit_wrote_and_renders_nothing_of_its_own() {
    let site = hostile_repository();
    let run = diff(&site, &["base", "@everyone<b>x", "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let md = &run.stdout;
    let reading = read_markdown(md);
    assert_eq!(reading.live, Vec::<String>::new(), "{md}");
    // Emphasis, strikethrough and the like are not live, but must not come from a value.
    let parsed: Vec<_> = pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::all())
        .filter(|e| {
            matches!(
                e,
                pulldown_cmark::Event::Start(
                    pulldown_cmark::Tag::Emphasis
                        | pulldown_cmark::Tag::Strong
                        | pulldown_cmark::Tag::Strikethrough
                )
            )
        })
        .collect();
    // The report's own: the section's name in emphasis, the words removed
    // struck through, the words added in bold.
    assert_eq!(parsed.len(), 3, "{parsed:?} in {md}");
    // Only the report's own headings, and no list item a value started.
    let ours = [
        "Added",
        "Removed",
        "Changed",
        "Findings introduced",
        "Findings resolved",
        "Left drifted",
    ];
    let (title, sections) = reading.headings.split_first().expect("a title");
    assert!(title.starts_with("Strategy changes from base ("), "{md}");
    for heading in sections {
        assert!(
            ours.contains(&heading.as_str()),
            "heading {heading:?} in {md}"
        );
    }
    for item in &reading.items {
        assert!(!item.starts_with("item"), "item {item:?} in {md}");
    }
    // No live mention, issue reference or bare link in the text GitHub scans.
    let mention = regex_free_find(&reading.text, |at, rest| {
        reading.text[..at].ends_with('@') && rest.starts_with(|c: char| c.is_ascii_alphanumeric())
    });
    assert_eq!(mention, None, "a live mention in {md}");
    assert!(!reading.text.contains("://"), "a bare link in {md}");
    // And the reader is shown exactly what was committed, on one line each.
    let shown = reading.text.replace('\u{200b}', "");
    assert!(shown.contains(HOSTILE_TITLE), "{shown}");
    assert!(
        shown.contains(
            &HOSTILE_EXCERPT
                .replace('\u{1b}', "\\u{1b}")
                .replace('\u{7}', "\\u{7}")
        ),
        "{shown}"
    );
    assert!(shown.contains("Strategy changes from base ("), "{shown}");
    assert!(shown.contains("to @everyone<b>x ("), "{shown}");
    assert!(
        shown.contains("x\\u{a}# Heading\\u{a}- item/bet-nl.md"),
        "{shown}"
    );
    assert!(
        shown.contains("owner: (none) → @org/team [x](http://evil)"),
        "{shown}"
    );
}

/// The first position `at` in `text` (a char boundary) for which `hit(at, &text[at..])`.
#[cfg(unix)]
fn regex_free_find(text: &str, hit: impl Fn(usize, &str) -> bool) -> Option<usize> {
    text.char_indices()
        .map(|(at, _)| at)
        .find(|&at| hit(at, &text[at..]))
}

#[cfg(unix)]
#[test]
fn the_terminal_is_shown_committed_file_names_never_sent_them() {
    let site = hostile_repository();
    let run = diff(&site, &["base", "@everyone<b>x"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = &run.stdout;
    for c in ['\u{1b}', '\u{7}'] {
        assert!(!out.contains(c), "{c:?} in {out:?}");
    }
    assert!(out.contains("bets/\\u{1b}]0;pwned\\u{7}.md"), "{out}");
    assert!(
        out.contains(
            "{+payouts @everyone **bold** ~~gone~~ <b>x</b> [y](http://evil) \\u{1b}]0;pwned\\u{7}+}"
        ),
        "{out}"
    );
    // A line break in a folder's name does not start a line of its own.
    assert!(
        out.contains("moved from bets/bet-a.md to x\\u{a}# Heading\\u{a}- item/bet-a.md"),
        "{out}"
    );
    assert!(!out.lines().any(|l| l.starts_with("# Heading")), "{out}");
}

#[cfg(unix)]
#[test]
fn json_keeps_the_values_exactly_and_prints_nothing_a_terminal_acts_on() {
    let site = hostile_repository();
    let run = diff(&site, &["base", "@everyone<b>x", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!run.stdout.contains(c), "{c:?} in {}", run.stdout);
    }
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let added = report["diff"]["added"].as_array().expect("list");
    let by_id = |id: &str| {
        added
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("{id} not added: {added:?}"))
    };
    assert_eq!(by_id("bet-esc")["file"], TERMINAL_TITLE);
    assert_eq!(by_id("bet-evil")["title"], HOSTILE_TITLE);
    assert_eq!(by_id("bet-nl")["title"], "CSI \u{9b}2J, RLO \u{202e}evil");
    assert_eq!(
        by_id("bet-nl")["file"],
        format!("{HOSTILE_FOLDER}/bet-nl.md")
    );
}

/// A branch whose first-parent line, side branch and reflog each tell a
/// different story of October 10th: on main, `bet-a` was committed on
/// October 1st; a side branch made a commit on the 5th, merged on the 20th;
/// and the reflog says main pointed at its first commit on the 10th, then
/// jumped to its last (a reset and a restore that day).
fn dated_history() -> (SiteTest, String) {
    use crate::support::git_at;
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("ps.md", PRODUCT)
        .file("bets/bet-a.md", BET);
    let commit_on = |date: &str, message: &str| {
        git_at(site.root(), date, &["add", "-A"]);
        git_at(site.root(), date, &["commit", "-q", "-m", message]);
    };
    git_at(site.root(), "2026-09-01", &["init", "-q", "-b", "main"]);
    commit_on("2026-09-01", "base");
    write(
        &site,
        "bets/bet-a.md",
        &BET.replace("status: proposed", "status: committed"),
    );
    commit_on("2026-10-01", "commit bet-a");
    let october = rev_parse(&site, "HEAD");
    git_at(site.root(), "2026-10-05", &["checkout", "-q", "-b", "side"]);
    write(
        &site,
        "bets/bet-side.md",
        "---\nid: bet-side\nkind: bet\nparent: ps\nreviewed: 2026-10-05\n---\n",
    );
    commit_on("2026-10-05", "side bet");
    git_at(site.root(), "2026-10-20", &["checkout", "-q", "main"]);
    git_at(
        site.root(),
        "2026-10-20",
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
    );
    write(
        &site,
        "reviews/q4.md",
        "---\nid: review-q4\nkind: review\ntitle: Q4 review\ndate: 2026-10-10\ncovers: [ps]\n---\n",
    );
    write(
        &site,
        "bets/bet-a.md",
        &BET.replace("status: proposed", "status: in-progress"),
    );
    commit_on("2026-11-01", "start bet-a; the Q4 review");
    let last = rev_parse(&site, "HEAD");
    let first = rev_parse(&site, "HEAD~3");
    git_at(
        site.root(),
        "2026-10-10",
        &["update-ref", "-m", "rewind", "refs/heads/main", &first],
    );
    git_at(
        site.root(),
        "2026-10-10",
        &["update-ref", "-m", "restore", "refs/heads/main", &last],
    );
    // The reflog disagrees with the branch's history.
    let by_reflog = rev_parse(&site, "main@{2026-10-10 23:59:59 +0000}");
    assert_ne!(by_reflog, october, "the scripted reflog must disagree");
    (site, october)
}

fn rev_parse(site: &SiteTest, rev: &str) -> String {
    let out = Command::new("git")
        .current_dir(site.root())
        .args(["rev-parse", "--verify", rev])
        .output()
        .expect("git");
    assert!(out.status.success(), "git rev-parse {rev}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn since_a_date_or_a_review_is_the_first_parent_line_as_that_day_closed() {
    let (site, october) = dated_history();
    let short = &october[..7];
    for args in [
        &["--since", "2026-10-10"][..],
        &["--since", "2026-10-10", "HEAD"],
        &["--since-review", "review-q4"],
    ] {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let run = diff(&site, &all);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        let base = report["base"].as_str().unwrap_or_default();
        assert!(base.ends_with(&format!("({short})")), "{args:?}: {base}");
        let diff = &report["diff"];
        let added: Vec<&str> = diff["added"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["id"].as_str())
            .collect();
        // The side branch's bet came in with the merge, after the 10th.
        assert_eq!(added, ["bet-side", "review-q4"], "{args:?}: {diff}");
        assert_eq!(
            diff["changed"][0]["fields"]["status"],
            serde_json::json!({"old": "committed", "new": "in-progress"}),
            "{args:?}"
        );
    }
    let human = diff(&site, &["--since-review", "review-q4"]);
    assert!(
        human.stdout.starts_with(&format!(
            "Strategy changes from the review review-q4 of 2026-10-10 ({short}) to working tree"
        )),
        "{}",
        human.stdout
    );
    let before = diff(&site, &["--since", "2026-08-01"]);
    assert_eq!(before.code, 2);
    assert!(
        before.stderr.contains("on or before 2026-08-01"),
        "{}",
        before.stderr
    );
    let not_review = diff(&site, &["--since-review", "ps"]);
    assert_eq!(not_review.code, 2);
    assert!(
        not_review.stderr.contains("not a review"),
        "{}",
        not_review.stderr
    );
    let unknown = diff(&site, &["--since-review", "review-q5"]);
    assert!(
        unknown.stderr.contains("did you mean `review-q4`"),
        "{}",
        unknown.stderr
    );
}

/// The strategy a leadership team reads: a product strategy retitled and
/// its "For whom" section edited, a bet's target moved, and a document
/// that was stale before and is still stale after a review that came too
/// late to help.
fn story() -> SiteTest {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file(
            "ps.md",
            "---\nid: ps\nkind: product-strategy\ntitle: Payouts\nparent: cs\nreviewed: 2026-11-01\n---\n## For whom\n\nSmall merchants who sell\nonline.\n\n## Why now\n\nRates fell.\n",
        )
        .file(
            "bets/bet-a.md",
            "---\nid: bet-a\nkind: bet\ntitle: Instant payouts\nparent: ps\nstatus: proposed\nreviewed: 2026-11-01\nsuccess:\n  metric: m-payout\n  baseline: 10\n  target: 40\n  deadline: 2027-06-30\n---\n",
        )
        .file("metrics/m-payout.md", METRIC)
        .file(
            "bets/bet-old.md",
            "---\nid: bet-old\nkind: bet\ntitle: Old bet\nparent: ps\nreviewed: 2026-01-05\n---\n",
        );
    git(site.root(), &["init", "-q", "-b", "main"]);
    commit(&site, "base");
    git(site.root(), &["tag", "base"]);
    write(
        &site,
        "ps.md",
        "---\nid: ps\nkind: product-strategy\ntitle: Payouts for everyone\nparent: cs\nreviewed: 2026-11-01\n---\n## For whom\n\nSmall merchants who sell online and in shops.\n\n## Why now\n\nRates fell.\n",
    );
    let bet = std::fs::read_to_string(site.root().join("bets/bet-a.md")).expect("bet");
    write(
        &site,
        "bets/bet-a.md",
        &bet.replace("target: 40", "target: 45"),
    );
    write(
        &site,
        "bets/bet-old.md",
        "---\nid: bet-old\nkind: bet\ntitle: Old bet\nparent: ps\nreviewed: 2026-02-07\n---\n",
    );
    commit(&site, "retitle, for whom, target");
    site
}

#[test]
fn every_change_is_said_in_words_in_every_format() {
    let site = story();
    let human = diff(&site, &["base", "main"]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    for line in [
        "  Payouts for everyone `ps` (product-strategy)\n",
        "      title: Payouts → Payouts for everyone\n",
        "      text changed in “For whom”: Small merchants who sell [-online.-]{+online and in shops.+}\n",
        "  Instant payouts `bet-a` (bet)\n",
        "      success.target: 40 → 45\n",
    ] {
        assert!(human.stdout.contains(line), "{line:?} in\n{}", human.stdout);
    }
    assert!(!human.stdout.contains("Why now"), "{}", human.stdout);
    assert!(
        !human.stdout.contains("Findings"),
        "a finding that persists is neither introduced nor resolved:\n{}",
        human.stdout
    );

    let markdown = diff(&site, &["base", "main", "--format", "markdown"]);
    for line in [
        "- Payouts for everyone `ps` (product-strategy)\n",
        "  - text changed in *For whom*: Small merchants who sell ~~online.~~ **online and in shops.**\n",
        "  - success.target: 40 → 45\n",
    ] {
        assert!(markdown.stdout.contains(line), "{line:?} in\n{}", markdown.stdout);
    }

    let json = diff(&site, &["base", "main", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let changed = report["diff"]["changed"].as_array().expect("changed");
    let ps = changed.iter().find(|c| c["doc"]["id"] == "ps").expect("ps");
    assert_eq!(ps["fields"]["title"]["new"], "Payouts for everyone");
    assert_eq!(
        ps["sections"],
        serde_json::json!([{
            "heading": "For whom",
            "how": "edited",
            "excerpt": {
                "before": "Small merchants who sell",
                "removed": "online.",
                "added": "online and in shops.",
                "after": ""
            }
        }])
    );
    let bet = changed
        .iter()
        .find(|c| c["doc"]["id"] == "bet-a")
        .expect("bet");
    assert_eq!(
        bet["fields"],
        serde_json::json!({"success.target": {"old": 40, "new": 45}})
    );
    assert_eq!(report["diff"]["findings_introduced"], serde_json::json!([]));
    assert_eq!(report["diff"]["findings_resolved"], serde_json::json!([]));
    assert_eq!(report["compare_url"], serde_json::Value::Null);

    // With `repo_url`, the report links to the host's full diff.
    write(
        &site,
        "throughline.yaml",
        "repo_url: https://git.example.com/acme/strategy\n",
    );
    commit(&site, "name the repository");
    git(site.root(), &["tag", "named"]);
    write(
        &site,
        "cs.md",
        &COMPANY.replace("# Strategy", "# Strategy\n\nWin."),
    );
    commit(&site, "win");
    let linked = diff(&site, &["named", "main", "--format", "markdown"]);
    let (named, main) = (rev(&site, "named"), rev(&site, "main"));
    assert!(
        linked.stdout.contains(&format!(
            "Full diff: <https://git.example.com/acme/strategy/compare/{named}...{main}>\n"
        )),
        "{}",
        linked.stdout
    );
}

fn rev(site: &SiteTest, name: &str) -> String {
    rev_parse(site, name)
}

#[test]
fn a_dependency_added_or_removed_and_an_owner_changed_are_named() {
    let site = repository()
        .file("objectives/o-a.md", "---\nid: o-a\nkind: objective\nparent: bet-a\nowner: Ana\nreviewed: 2026-11-01\ndepends_on: [o-b]\n---\n")
        .file("objectives/o-b.md", "---\nid: o-b\nkind: objective\nparent: bet-a\nreviewed: 2026-11-01\n---\n")
        .file("objectives/o-c.md", "---\nid: o-c\nkind: objective\nparent: bet-a\nreviewed: 2026-11-01\n---\n");
    commit(&site, "objectives");
    git(site.root(), &["tag", "before"]);
    write(
        &site,
        "objectives/o-a.md",
        "---\nid: o-a\nkind: objective\nparent: bet-a\nowner: Bea\nreviewed: 2026-11-01\ndepends_on:\n  - {id: o-c, needed_by: 2027-02-01}\n---\n",
    );
    commit(&site, "o-a waits on o-c now");
    let run = diff(&site, &["before", "main", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let change = &report["diff"]["changed"][0];
    assert_eq!(change["doc"]["id"], "o-a");
    assert_eq!(change["dependencies_added"], serde_json::json!(["o-c"]));
    assert_eq!(change["dependencies_removed"], serde_json::json!(["o-b"]));
    assert_eq!(change["fields"]["owner"]["old"], "Ana");
    assert_eq!(change["fields"]["owner"]["new"], "Bea");
    let text = diff(&site, &["before", "main"]).stdout;
    assert!(text.contains("now waits on `o-c`"), "{text}");
    assert!(text.contains("no longer waits on `o-b`"), "{text}");
    assert!(text.contains("owner: Ana → Bea"), "{text}");
    assert!(
        !text.contains("depends_on:"),
        "said id by id, not as a raw field: {text}"
    );
    // The changes page says the same, commit by commit.
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let changes = std::fs::read_to_string(built.out.join("changes/index.html")).expect("changes");
    assert!(
        changes.contains("now waits on <a href=\"../o-c/index.html\"><code>o-c</code></a>; no longer waits on <a href=\"../o-b/index.html\"><code>o-b</code></a>"),
        "{changes}"
    );
    assert!(changes.contains("owner Ana → Bea"), "{changes}");
}
