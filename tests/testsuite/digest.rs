//! `throughline digest` on a scripted git history (statuses, re-parenting,
//! a check-in that turns a goal behind, a review, a finding resolved and one
//! introduced), in every format: each section, the window's edges, team and
//! owner scopes, the empty digest, a site without git, and hostile titles
//! and commit subjects that must not break out of any format.

use serde_json::Value;

use crate::support::{
    assert_contains_all, assert_contains_none, commit_all_at as commit, git, write_file as write,
    SiteTest,
};

const CONFIG: &str = "title: Acme\nbase_url: https://strategy.example.com/\nrepo_url: https://git.example.com/acme/strategy\n";
const TODAY: &str = "2026-11-24";

/// A title and a commit subject written to break out of every format.
pub(crate) const HOSTILE: &str =
    "@everyone <img src=x onerror=alert(1)> <!channel> [x](https://evil.example) *b*";
const HOSTILE_SUBJECT: &str =
    "Check in <script>alert(1)</script> @here <@U123> https://evil.example";

fn bet(id: &str, parent: &str, status: &str, extra: &str) -> String {
    format!("---\nid: {id}\nkind: bet\nparent: {parent}\nstatus: {status}\nquarter: 2026-Q4\nreviewed: 2026-11-01\n{extra}---\n# {id}\n")
}

fn metric(id: &str, extra: &str, checkins: &[(&str, u32)]) -> String {
    let rows: String = checkins
        .iter()
        .map(|(d, v)| format!("  - {{date: {d}, value: {v}}}\n"))
        .collect();
    format!("---\nid: {id}\nkind: metric\ntype: outcome\n{extra}checkins:\n{rows}---\n# {id}\n")
}

/// Two teams; payouts (`ps`, team-pay) and lending (`pl`, team-lend). Set up
/// on 2026-11-01, before a 7-day window judged on 2026-11-24 (18th to 24th).
pub(crate) fn scripted() -> SiteTest {
    let site = SiteTest::new()
        .file("throughline.yaml", CONFIG)
        .file("cs.md", "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n")
        .file("teams/team-pay.md", "---\nid: team-pay\nkind: team\ntitle: Payouts team\n---\n")
        .file("teams/team-lend.md", "---\nid: team-lend\nkind: team\ntitle: Lending team\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nteam: team-pay\nreviewed: 2026-11-01\n---\n# Payouts\n")
        .file("pl.md", "---\nid: pl\nkind: product-strategy\nparent: cs\nteam: team-lend\nreviewed: 2026-11-01\n---\n# Lending\n")
        .file("bets/bet-a.md", bet("bet-a", "ps", "committed", "title: Faster payouts\n"))
        .file("bets/bet-b.md", bet("bet-b", "pl", "proposed", "title: Credit lines\nowner: Grace\n"))
        .file("bets/bet-c.md", bet("bet-c", "ps", "proposed", "title: Cash forecast\n").replace("# bet-c\n", "# bet-c\n\nSee [[no-such-doc]].\n"))
        .file("objectives/obj-a.md", "---\nid: obj-a\nkind: objective\nparent: bet-a\ntitle: Payouts in a day\nreviewed: 2026-11-01\nkey_results:\n  - {metric: m-speed, baseline: 0, target: 100, by: 2026-12-31}\n---\n")
        .file("objectives/obj-b.md", "---\nid: obj-b\nkind: objective\nparent: bet-b\ntitle: First credit lines\nreviewed: 2026-11-01\nkey_results:\n  - {metric: m-other, baseline: 0, target: 10, by: 2026-12-01}\n---\n")
        .file("metrics/m-speed.md", metric("m-speed", "", &[("2026-11-01", 40)]))
        .file("metrics/m-other.md", metric("m-other", "review_every: 2w\n", &[("2026-11-01", 1)]));
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    commit(root, "2026-11-01", "Set up the strategy");
    // The day before the window: outside it.
    write(
        root,
        "metrics/m-other.md",
        &metric(
            "m-other",
            "review_every: 2w\n",
            &[("2026-11-01", 1), ("2026-11-17", 2)],
        ),
    );
    commit(root, "2026-11-17", "Check in m-other, outside the window");
    // The window's first day: a re-parenting, and the broken link fixed.
    write(
        root,
        "bets/bet-c.md",
        &bet("bet-c", "pl", "proposed", "title: Cash forecast\n"),
    );
    commit(root, "2026-11-18", "Move the forecast under lending");
    write(
        root,
        "bets/bet-b.md",
        &bet(
            "bet-b",
            "pl",
            "committed",
            "title: Credit lines\nowner: Grace\n",
        ),
    );
    commit(root, "2026-11-19", "Commit to credit lines");
    // 50 of 91 days gone, 20% of the way: behind.
    write(
        root,
        "metrics/m-speed.md",
        &metric("m-speed", "", &[("2026-11-01", 40), ("2026-11-20", 20)]),
    );
    commit(root, "2026-11-20", HOSTILE_SUBJECT);
    write(root, "reviews/rev-pay.md", "---\nid: rev-pay\nkind: review\ntitle: Payouts review\ndate: 2026-11-22\ncovers: [bet-a]\n---\n# Learnings\n\nPayouts take longer than we thought.\n");
    commit(root, "2026-11-22", "Review payouts");
    // The window's last day: a new bet with a hostile title and a broken parent.
    write(root, "bets/bet-h.md", &format!("---\nid: bet-h\nkind: bet\nparent: ps\nstatus: proposed\ntitle: \"{}\"\nreviewed: 2026-11-24\n---\n", HOSTILE.replace('"', "\\\"")));
    write(root, "bets/bet-x.md", "---\nid: bet-x\nkind: bet\nparent: no-such-parent\ntitle: Orphan\nreviewed: 2026-11-24\n---\n");
    commit(root, TODAY, "Add two bets");
    site
}

fn digest(site: &SiteTest, extra: &[&str]) -> String {
    let mut args = vec!["digest", "ROOT", "--today", TODAY];
    args.extend_from_slice(extra);
    let run = site.run(&args);
    assert_eq!(run.code, 0, "digest {extra:?}: {}", run.stderr);
    run.stdout
}

fn json(site: &SiteTest, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&digest(site, &args)).expect("JSON")
}

/// The ids of a section's items, with what is said of each.
fn items(d: &Value, section: &str) -> Vec<String> {
    d[section]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            format!(
                "{}: {}",
                i["id"].as_str().unwrap_or(""),
                i["what"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn health(d: &Value, list: &str) -> Vec<String> {
    d["health"][list]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| format!("{} {}", r["rule"].as_str().unwrap_or(""), r["count"]))
        .collect()
}

#[test]
fn each_section_reads_the_window_from_git() {
    let site = scripted();
    let d = json(&site, &[]);
    assert_eq!(
        (d["from"].as_str(), d["to"].as_str()),
        (Some("2026-11-18"), Some(TODAY))
    );
    let needs = items(&d, "needs_decision");
    assert!(
        needs.contains(&"obj-a: turned behind (was on track)".to_string()),
        "{needs:?}"
    );
    assert!(
        needs
            .iter()
            .any(|i| i.starts_with("bet-x: error (broken-link)")),
        "{needs:?}"
    );
    // Already failing before the window: not news.
    assert!(!needs.iter().any(|i| i.starts_with("bet-c")), "{needs:?}");
    let changed = items(&d, "changed");
    assert_eq!(
        changed,
        [
            "bet-h: added as proposed",
            "bet-x: added",
            "rev-pay: added; learned: Payouts take longer than we thought.",
            "m-speed: 1 check-in added (latest 2026-11-20: 20)",
            "bet-b: status proposed → committed",
            "bet-c: moved from ps to pl",
            // The same commit dropped its broken link from the text.
            "bet-c: text changed in “bet-c”",
        ],
    );
    let coming = items(&d, "coming_up");
    assert!(
        coming.contains(&"obj-b: key result 1: deadline 2026-12-01".to_string()),
        "{coming:?}"
    );
    assert!(
        coming.contains(&"m-other: check-in due by 2026-12-01 (every 2 weeks)".to_string()),
        "{coming:?}"
    );
    assert!(
        health(&d, "new").contains(&"broken-link 1".to_string()),
        "{d:#}"
    );
    assert!(
        health(&d, "resolved").contains(&"broken-link 1".to_string()),
        "{d:#}"
    );
    // Links only into base_url and repo_url.
    let change = &d["changed"]["items"][4];
    assert_eq!(change["url"], "https://strategy.example.com/bet-b/");
    assert!(change["commit"]["url"]
        .as_str()
        .unwrap_or("")
        .starts_with("https://git.example.com/acme/strategy/commit/"));
}

#[test]
fn every_format_has_every_section() {
    let site = scripted();
    let md = digest(&site, &[]);
    assert_contains_all(
        &md,
        "Markdown digest",
        &[
            "# Strategy digest: Acme",
            "## Needs a decision",
            "## Coming up in the next 14 days",
            "## What changed",
            "## Health",
            "New findings:",
            "Resolved findings:",
        ],
    );
    assert!(md.contains("[Credit lines](<https://strategy.example.com/bet-b/>) (Bet): status proposed → committed"), "{md}");
    let html = digest(&site, &["--format", "html"]);
    assert_contains_all(
        &html,
        "HTML digest",
        &[
            ">Needs a decision</h2>",
            ">Coming up in the next 14 days</h2>",
            ">What changed</h2>",
            ">Health</h2>",
        ],
    );
    assert!(html.contains("<a href=\"https://strategy.example.com/bet-b/\""));
    // An email: inline styles only, nothing fetched, nothing run.
    assert_contains_none(
        &html,
        "HTML digest",
        &[
            "<script", "<style", "<link", "<img", " src=\"", "@import", "url(",
        ],
    );
    let slack: Value =
        serde_json::from_str(&digest(&site, &["--format", "slack"])).expect("Slack JSON");
    let text = slack_text(&slack);
    assert_contains_all(
        &text,
        "Slack payload",
        &[
            "*Needs a decision*",
            "*Coming up in the next 14 days*",
            "*What changed*",
            "*Health*",
        ],
    );
    assert!(
        text.contains("<https://strategy.example.com/bet-b/|Credit lines>"),
        "{text}"
    );
    assert!(slack["blocks"].as_array().is_some_and(|b| b.len() <= 50));
}

/// Every mrkdwn text of a Block Kit payload, one per line.
fn slack_text(payload: &Value) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(t)) = m.get("text") {
                    out.push_str(t);
                    out.push('\n');
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(payload, &mut out);
    out
}

#[test]
fn hostile_titles_and_subjects_stay_text_in_every_format() {
    let site = scripted();
    let md = digest(&site, &[]);
    assert_contains_none(
        &md,
        "Markdown digest",
        &[
            "<img",
            "<script",
            "<!channel>",
            "<@U123>",
            "@everyone",
            "@here",
            "](https://evil",
            "https://evil",
        ],
    );
    assert!(
        md.contains("&lt;img src=x onerror=alert\\(1\\)&gt;"),
        "{md}"
    );
    let html = digest(&site, &["--format", "html"]);
    assert_contains_none(
        &html,
        "HTML digest",
        &["<img", "<script", "<!channel>", "<@U123>"],
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("href=\"https://evil"));
    let d = json(&site, &[]);
    // JSON carries the exact text, for a tool to escape for its own reader.
    let changed = |field: fn(&Value) -> Option<&str>| -> Vec<String> {
        d["changed"]["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| field(i).map(str::to_string))
            .collect()
    };
    let titles = changed(|i| i["title"].as_str());
    assert!(titles.iter().any(|t| t == HOSTILE), "{titles:?}");
    let subjects = changed(|i| i["commit"]["subject"].as_str());
    assert!(
        subjects.iter().any(|s| s == HOSTILE_SUBJECT),
        "{subjects:?}"
    );
    let slack: Value =
        serde_json::from_str(&digest(&site, &["--format", "slack"])).expect("Slack JSON");
    let text = slack_text(&slack);
    assert_contains_none(
        &text,
        "Slack payload",
        &[
            "<!",
            "<@",
            "@everyone",
            "@here",
            "@channel",
            "<script",
            "<img",
            "://evil",
        ],
    );
    // The only `<` left open a link into the site or the repository.
    for (at, _) in text.match_indices('<') {
        let rest = &text[at..];
        assert!(
            rest.starts_with("<https://strategy.example.com/")
                || rest.starts_with("<https://git.example.com/acme/strategy/commit/"),
            "a link out of the site: {}",
            &rest[..rest.len().min(60)]
        );
    }
}

#[test]
fn the_windows_edges_are_its_first_and_last_days() {
    let site = scripted();
    // A date: the days after it. The 17th's check-in is in, then.
    let d = json(&site, &["--since", "2026-11-16"]);
    assert_eq!(d["from"], "2026-11-17");
    assert!(
        items(&d, "changed")
            .iter()
            .any(|i| i.starts_with("m-other: 1 check-in")),
        "{d:#}"
    );
    // One day: today only.
    let d = json(&site, &["--since", "1d"]);
    assert_eq!(d["from"], TODAY);
    let changed = items(&d, "changed");
    assert_eq!(changed, ["bet-h: added as proposed", "bet-x: added"]);
    // A revision: the commits after it, whatever their dates.
    let out = std::process::Command::new("git")
        .current_dir(site.root())
        .args(["log", "--format=%H", "-1", "--grep", "Review payouts"])
        .output()
        .expect("git log");
    let rev = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let d = json(&site, &["--since", &rev]);
    assert_eq!(
        items(&d, "changed"),
        ["bet-h: added as proposed", "bet-x: added"]
    );
    assert_eq!(d["since_revision"], rev.as_str());
    // Not a window.
    let run = site.run(&["digest", "ROOT", "--today", TODAY, "--since", "no-such-rev"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is not a duration (`7d`), a date (YYYY-MM-DD) or a revision"),
        "{}",
        run.stderr
    );
    let run = site.run(&["digest", "ROOT", "--today", TODAY, "--since", TODAY]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn a_team_or_an_owner_narrows_every_section() {
    let site = scripted();
    let d = json(&site, &["--team", "team-lend"]);
    let changed = items(&d, "changed");
    // Re-parented into lending: the lending team's now.
    assert_eq!(
        changed,
        [
            "bet-b: status proposed → committed",
            "bet-c: moved from ps to pl",
            "bet-c: text changed in “bet-c”"
        ]
    );
    assert!(items(&d, "needs_decision")
        .iter()
        .all(|i| !i.starts_with("obj-a")));
    // m-other measures obj-b, a lending objective: its check-in is the team's.
    assert!(
        items(&d, "coming_up")
            .iter()
            .any(|i| i.starts_with("m-other")),
        "{d:#}"
    );
    assert_eq!(d["teams"][0]["title"], "Lending team");
    let d = json(&site, &["--team", "team-pay"]);
    let changed = items(&d, "changed");
    assert!(
        changed.contains(&"m-speed: 1 check-in added (latest 2026-11-20: 20)".to_string()),
        "{changed:?}"
    );
    assert!(
        changed.iter().any(|c| c.starts_with("rev-pay: added")),
        "a review is its covered bet's team's: {changed:?}"
    );
    assert!(!changed.iter().any(|c| c.starts_with("bet-b")));
    let d = json(&site, &["--owner", "Grace"]);
    assert_eq!(items(&d, "changed"), ["bet-b: status proposed → committed"]);
    let md = digest(&site, &["--owner", "Grace", "--team", "team-lend"]);
    assert!(
        md.contains("for team Lending team \\(team-lend\\), owner Grace"),
        "{md}"
    );
    let run = site.run(&["digest", "ROOT", "--today", TODAY, "--team", "team-lned"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `team-lend`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_digest_says_so_in_one_line() {
    let site = SiteTest::new().file("throughline.yaml", CONFIG).file(
        "cs.md",
        "---\nid: cs\nkind: company-strategy\nreviewed: 2026-06-01\n---\n# Strategy\n",
    );
    git(site.root(), &["init", "-q", "-b", "main"]);
    commit(site.root(), "2026-06-01", "Set up");
    let md = digest(&site, &[]);
    assert_eq!(
        md,
        format!(
            "# Strategy digest: Acme\n\n2026-11-18 to 2026-11-24\n\n{}\n",
            throughline::digest::NOTHING
        )
    );
    let html = digest(&site, &["--format", "html"]);
    assert!(html.contains(throughline::digest::NOTHING) && !html.contains("<h2"));
    let slack = digest(&site, &["--format", "slack"]);
    assert!(slack.contains("Nothing needs you this week"), "{slack}");
    let d = json(&site, &[]);
    assert!(items(&d, "changed").is_empty() && items(&d, "coming_up").is_empty());
}

#[test]
fn without_git_the_digest_says_what_it_cannot_know() {
    let site = SiteTest::new().file("throughline.yaml", CONFIG).file(
        "cs.md",
        "---\nid: cs\nkind: company-strategy\nreviewed: 2025-06-01\n---\n# Strategy\n",
    );
    let d = json(&site, &[]);
    let notes = d["notes"].to_string();
    assert!(
        notes.contains("not in a git repository") && notes.contains("cannot be known"),
        "{notes}"
    );
    assert!(
        items(&d, "coming_up").contains(&"cs: review overdue since 2026-06-01".to_string()),
        "{d:#}"
    );
    assert_eq!(d["health"]["compared"], false);
    assert!(health(&d, "new").contains(&"stale 1".to_string()));
    // A revision needs history.
    let run = site.run(&["digest", "ROOT", "--today", TODAY, "--since", "HEAD~1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no git history"), "{}", run.stderr);
}

#[test]
fn links_need_an_absolute_base_url() {
    let site = SiteTest::new().file("cs.md", "---\nid: cs\nkind: company-strategy\n---\n");
    let run = site.run(&["digest", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("needs an absolute base_url") && run.stderr.contains("--base-url"),
        "{}",
        run.stderr
    );
    let run = site.run(&[
        "digest",
        "ROOT",
        "--today",
        TODAY,
        "--base-url",
        "/strategy/",
    ]);
    assert_eq!(run.code, 2);
    let run = site.run(&[
        "digest",
        "ROOT",
        "--today",
        TODAY,
        "--base-url",
        "https://s.example.com/a(b)",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let run = site.run(&[
        "digest",
        "ROOT",
        "--today",
        TODAY,
        "--base-url",
        "https://s.example.com/strategy",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("\"base_url\": \"https://s.example.com/strategy/\""));
}

/// A document without `reviewed:` is judged alike at the window's start and
/// now (no git dates on either side, as `diff` judges), so the week's
/// unrelated commit does not make its findings "new".
#[test]
fn both_sides_are_judged_without_git_dates() {
    let site = SiteTest::new()
        .file("throughline.yaml", CONFIG)
        .file("cs.md", "---\nid: cs\nkind: company-strategy\n---\n# Strategy\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n# Payouts\n");
    git(site.root(), &["init", "-q", "-b", "main"]);
    commit(site.root(), "2025-01-10", "Set up");
    write(
        site.root(),
        "ps.md",
        "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-20\n---\n# Payouts\n",
    );
    commit(site.root(), "2026-11-20", "Review payouts");
    let d = json(&site, &[]);
    assert_eq!(d["health"]["compared"], true);
    let new: Vec<String> = health(&d, "new");
    assert!(new.is_empty(), "{d:#}");
    assert_eq!(items(&d, "changed"), ["ps: reviewed on 2026-11-20"]);
}

#[test]
fn a_build_and_a_digest_in_one_job_read_the_history_from_git_once() {
    use crate::support::git_spy::{as_env, read_history_from_git, read_kept, write_kept, GitSpy};
    let site = scripted();
    // Not committed, so that the build is not refused for the orphan's
    // error: the history is HEAD's either way.
    std::fs::remove_file(site.root().join("bets/bet-x.md")).expect("remove");
    let spy = GitSpy::new();
    let owned = spy.env();
    let env = as_env(&owned);
    let run = |args: &[&str]| {
        let run = site.run_with_env(args, &env);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        run
    };
    let digest_args = ["digest", "ROOT", "--today", TODAY, "--format", "json"];
    // What a digest says that reads git itself, with a cache of its own.
    let nothing_kept = tempfile::tempdir().expect("cache");
    let fresh = site.run_with_env(
        &digest_args,
        &[(
            "THROUGHLINE_CACHE_DIR",
            &nothing_kept.path().to_string_lossy(),
        )],
    );
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
    let fresh: Value = serde_json::from_str(&fresh.stdout).expect("JSON");
    assert!(
        items(&fresh, "changed").contains(&"bet-b: status proposed → committed".to_string()),
        "the history is in it: {fresh:#}"
    );
    let same_as_fresh = |run: &crate::support::Run, what: &str| {
        let d: Value = serde_json::from_str(&run.stdout).expect("JSON");
        assert_eq!(d, fresh, "{what}");
    };

    // The default output folder, `ROOT/public`, for both.
    run(&["build", "ROOT", "--today", TODAY]);
    assert!(read_history_from_git(&spy.take()), "the build reads git");
    let shared = run(&digest_args);
    let calls = spy.take();
    assert!(
        !read_history_from_git(&calls),
        "the build's history: {calls:?}"
    );
    assert_eq!(shared.stderr, "", "nothing to note");
    same_as_fresh(&shared, "the build's history, the same digest");

    // An output folder elsewhere: the digest is told where, as the build was.
    let dir = tempfile::tempdir().expect("out");
    let out = dir.path().join("site").to_string_lossy().into_owned();
    run(&["build", "ROOT", "-o", &out, "--today", TODAY]);
    assert!(read_history_from_git(&spy.take()), "another read: {out}");
    let mut told = digest_args.to_vec();
    told.extend(["--output", &out]);
    same_as_fresh(&run(&told), "told the output folder");
    assert!(!read_history_from_git(&spy.take()), "the build's history");

    // A damaged file is refused, said, and read from git again.
    let file = spy.kept_file("history");
    let mut bytes = std::fs::read(&file).expect("kept");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(&file, &bytes).expect("damage");
    let damaged = run(&told);
    assert!(read_history_from_git(&spy.take()), "read from git again");
    assert!(
        damaged
            .stderr
            .starts_with("note: the history kept for this site in ")
            && damaged.stderr.contains("was damaged or does not match"),
        "{}",
        damaged.stderr
    );
    same_as_fresh(&damaged, "the damaged file is not used");

    // A forged one, sealed as throughline seals it, whose commit git
    // lists with another subject: refused by the digest and the build.
    for command in ["digest", "build"] {
        let text = String::from_utf8(read_kept(&file)).expect("JSON");
        let forged = text.replace("Commit to credit lines", "Approved by the board");
        assert_ne!(forged, text);
        write_kept(&file, forged.as_bytes());
        let refused = if command == "digest" {
            run(&told)
        } else {
            run(&["build", "ROOT", "-o", &out, "--today", TODAY])
        };
        assert!(read_history_from_git(&spy.take()), "{command}: read again");
        assert!(
            refused
                .stderr
                .contains("note: the history kept for this site in "),
            "{command}: {}",
            refused.stderr
        );
        if command == "digest" {
            same_as_fresh(&refused, "no invented subject");
        }
    }
}
