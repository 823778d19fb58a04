//! The Atom feeds (`changes/feed.xml`, `teams/<id>/feed.xml`) of a site
//! with a scripted git history: valid against RFC 4287's RELAX NG schema
//! (`jing -c`), read by a real feed reader's parser (Python's
//! `feedparser`), each complete week once with a stable id, the same bytes
//! on every build, linked from the changes and team pages, and absent
//! without an absolute `base_url`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::digest::{scripted, HOSTILE};
use crate::support::{fixtures_dir, git_at, SiteTest};

/// The scripted history, with the bet that has a broken parent removed on
/// its last day, so the site builds.
fn buildable() -> SiteTest {
    let site = scripted();
    std::fs::remove_file(site.root().join("bets/bet-x.md")).expect("rm");
    git_at(site.root(), "2026-11-24", &["add", "-A"]);
    git_at(
        site.root(),
        "2026-11-24",
        &["commit", "-q", "-m", "Remove the orphan"],
    );
    site
}

struct Out {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn build(site: &SiteTest, today: &str) -> Out {
    let dir = tempfile::tempdir().expect("out dir");
    let path = dir.path().join("site");
    let out = path.to_string_lossy().into_owned();
    let run = site.run(&["build", "ROOT", "-o", &out, "--today", today]);
    assert_eq!(run.code, 0, "build: {}", run.stderr);
    Out { _dir: dir, path }
}

fn read(out: &Out, file: &str) -> String {
    std::fs::read_to_string(out.path.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Whether `tool` runs (`probe` succeeds; with no probe, it starts at
/// all); outside CI a missing tool is a note, in CI a failure.
fn have(tool: &str, probe: &[&str]) -> bool {
    let ok = Command::new(tool)
        .args(probe)
        .output()
        .is_ok_and(|o| probe.is_empty() || o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "CI must have {tool}: .ci/run installs it"
        );
        eprintln!("note: {tool} is not installed; its check is skipped");
    }
    ok
}

/// `jing -c` against RFC 4287's schema, when jing is installed.
fn assert_valid_atom(feed: &Path) {
    if !have("jing", &[]) {
        return;
    }
    let schema = fixtures_dir().join("atom/rfc4287.rnc");
    let out = Command::new("jing")
        .arg("-c")
        .arg(&schema)
        .arg(feed)
        .output()
        .expect("jing runs");
    assert!(
        out.status.success(),
        "{} is not valid Atom:\n{}{}",
        feed.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The feed as `feedparser` reads it: `None` when feedparser is missing.
fn parsed(feed: &Path) -> Option<Value> {
    if !have("python3", &["-c", "import feedparser"]) {
        return None;
    }
    let script = "import feedparser, json, sys\n\
        f = feedparser.parse(sys.argv[1])\n\
        print(json.dumps({'bozo': f.bozo, 'bozo_exception': str(f.get('bozo_exception', '')), 'title': f.feed.get('title'), 'id': f.feed.get('id'),\n\
          'alternate': [l.get('href') for l in f.feed.get('links', []) if l.get('rel') == 'alternate'],\n\
          'entries': [{'id': e.id, 'title': e.title, 'updated': e.updated, 'link': e.link, 'content': e.content[0].value} for e in f.entries]}))\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(feed)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("feedparser's JSON"))
}

#[test]
fn feeds_are_valid_atom_with_each_complete_week_once() {
    let site = buildable();
    // A Wednesday: the week of 2026-11-30 is under way, so it has no entry.
    let out = build(&site, "2026-12-02");
    let feed = out.path.join("changes/feed.xml");
    assert_valid_atom(&feed);
    let text = read(&out, "changes/feed.xml");
    assert!(text.contains("<id>https://strategy.example.com/changes/feed.xml</id>"));
    assert!(text.contains("<updated>2026-11-24T00:00:00Z</updated>"));
    let Some(f) = parsed(&feed) else { return };
    assert_eq!(f["bozo"], false, "{f:#}");
    assert_eq!(f["title"], "Acme: changes");
    assert_eq!(f["alternate"][0], "https://strategy.example.com/changes/");
    let entries = f["entries"].as_array().expect("entries");
    let ids: Vec<&str> = entries.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "https://strategy.example.com/changes/feed.xml#week-2026-11-23",
            "https://strategy.example.com/changes/feed.xml#week-2026-11-16",
            "https://strategy.example.com/changes/feed.xml#week-2026-10-26",
        ]
    );
    assert_eq!(entries[1]["title"], "Week of 2026-11-16: 6 changes");
    assert_eq!(entries[1]["updated"], "2026-11-22T00:00:00Z");
    assert_eq!(
        entries[1]["link"],
        "https://strategy.example.com/changes/#week-2026-11-16"
    );
    let content = entries[1]["content"].as_str().unwrap_or("");
    assert!(
        content.contains("<a href=\"https://strategy.example.com/bet-b/\">Credit lines</a>: status proposed → committed"),
        "{content}"
    );
    // The hostile title is text in the entry's HTML, not markup.
    let newest = entries[0]["content"].as_str().unwrap_or("");
    assert!(newest.contains("&lt;img src=x"), "{newest}");
    assert!(
        !newest.contains("<img") && !newest.contains("<script"),
        "{newest}"
    );
    assert!(HOSTILE.contains("<img"));

    // On the Sunday the week of the 23rd is still under way; on Monday it is complete.
    let sunday = build(&site, "2026-11-29");
    let f = parsed(&sunday.path.join("changes/feed.xml")).unwrap_or_default();
    assert_eq!(f["entries"].as_array().map(Vec::len), Some(2));
    let monday = build(&site, "2026-11-30");
    let f = parsed(&monday.path.join("changes/feed.xml")).unwrap_or_default();
    assert_eq!(f["entries"].as_array().map(Vec::len), Some(3));
}

#[test]
fn each_team_has_its_feed_and_its_page_links_it() {
    let site = buildable();
    let out = build(&site, "2026-12-02");
    for team in ["team-pay", "team-lend"] {
        assert_valid_atom(&out.path.join(format!("teams/{team}/feed.xml")));
        let page = read(&out, &format!("{team}/index.html"));
        assert!(
            page.contains(&format!("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Acme: changes for {}\" href=\"../teams/{team}/feed.xml\">", if team == "team-pay" { "Payouts team" } else { "Lending team" })),
            "{team}'s page"
        );
    }
    let changes = read(&out, "changes/index.html");
    assert!(changes.contains("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Acme: changes\" href=\"../changes/feed.xml\">"));
    let Some(lend) = parsed(&out.path.join("teams/team-lend/feed.xml")) else {
        return;
    };
    assert_eq!(lend["bozo"], false);
    let entries = lend["entries"].as_array().expect("entries");
    // Lending's changes: the re-parented forecast, credit lines and the
    // check-in of m-other (which a lending objective measures), in one week;
    // and the setup.
    assert_eq!(entries.len(), 2, "{lend:#}");
    assert_eq!(entries[0]["title"], "Week of 2026-11-16: 4 changes");
    assert_eq!(
        entries[0]["id"],
        "https://strategy.example.com/teams/team-lend/feed.xml#week-2026-11-16"
    );
    let pay = parsed(&out.path.join("teams/team-pay/feed.xml")).unwrap_or_default();
    let contents: String = pay["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["content"].as_str())
        .collect();
    assert!(
        contents.contains("Payouts review") && contents.contains("m-speed"),
        "{contents}"
    );
    assert!(!contents.contains("Credit lines"), "{contents}");
}

#[test]
fn feeds_are_the_same_bytes_on_every_build() {
    let site = buildable();
    let (a, b) = (build(&site, "2026-12-02"), build(&site, "2026-12-02"));
    for file in [
        "changes/feed.xml",
        "teams/team-pay/feed.xml",
        "teams/team-lend/feed.xml",
    ] {
        assert_eq!(read(&a, file), read(&b, file), "{file}");
    }
    let manifest = std::fs::read_dir(&a.path)
        .expect("output")
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().contains("manifest"));
    assert!(manifest, "the output has its manifest");
}

#[test]
fn no_feeds_without_an_absolute_base_url() {
    let site = SiteTest::new()
        .file("throughline.yaml", "title: Acme\nbase_url: /strategy/\n")
        .file(
            "cs.md",
            "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n",
        );
    let out = build(&site, "2026-11-24");
    assert!(!out.path.join("changes/feed.xml").exists());
    assert!(!read(&out, "changes/index.html").contains("application/atom+xml"));
}

#[test]
fn an_entry_lists_fifty_changes_and_counts_the_rest() {
    let mut site = SiteTest::new()
        .file(
            "throughline.yaml",
            "title: Acme\nbase_url: https://s.example.com/\n",
        )
        .file(
            "cs.md",
            "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n",
        );
    for n in 0..55 {
        site = site.file(
            &format!("pages/p{n}.md"),
            format!("---\nid: p{n}\nkind: page\ntitle: Page {n}\n---\n"),
        );
    }
    crate::support::git(site.root(), &["init", "-q", "-b", "main"]);
    git_at(site.root(), "2026-11-17", &["add", "-A"]);
    git_at(
        site.root(),
        "2026-11-17",
        &["commit", "-q", "-m", "Everything"],
    );
    let out = build(&site, "2026-11-24");
    assert_valid_atom(&out.path.join("changes/feed.xml"));
    let feed = read(&out, "changes/feed.xml");
    assert_eq!(feed.matches("&lt;li&gt;").count(), 51, "{feed}");
    assert!(
        feed.contains("and 6 more changes, on the changes page"),
        "{feed}"
    );
    assert!(feed.contains("Week of 2026-11-16: 56 changes"));
}
