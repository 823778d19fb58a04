//! Work from trackers' exports, through the real binary: GitHub, Jira and
//! Linear exports shaped as the tools write them join a site as work items,
//! are measured (`untraced-work`), show in its pages and `graph.json`, and a
//! broken export never stops the rest of the site from being judged.

use crate::support::{fixtures_dir, git, git_at, SiteTest};

const TODAY: &str = "2026-04-30";

fn export(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join("trackers").join(name)).expect("fixture")
}

const CONFIG: &str = "history: false\nmax_untraced_share: 0.2\ntrackers:\n  - file: work/gh-issue-list.json\n    team: team-payouts\n  - file: work/jira-all-fields.csv\n    format: jira\n    team: team-payouts\n    url: https://acme.atlassian.net/browse/\n  - file: work/linear.csv\n    format: linear\n    team_map: {Platform: team-platform}\n  - file: work/gh-api-paginate.json\n    format: github\n    team: team-platform\n";

/// A strategy down to one objective, two teams, and the four exports.
fn site() -> SiteTest {
    let mut site = SiteTest::new()
        .file("throughline.yaml", CONFIG)
        .file("docs/cs.md", "---\nid: cs\nkind: company-strategy\ntitle: Acme\nreviewed: 2026-04-01\n---\n")
        .file("docs/ps.md", "---\nid: ps\nkind: product-strategy\ntitle: Payouts\nparent: cs\nreviewed: 2026-04-01\n---\n")
        .file("docs/bet.md", "---\nid: bet-payouts\nkind: bet\ntitle: Faster payouts\nparent: ps\nreviewed: 2026-04-01\n---\n")
        .file(
            "docs/obj.md",
            "---\nid: obj-payouts\nkind: objective\ntitle: Paid the same day\nparent: bet-payouts\nquarter: 2026-Q1\nteam: team-payouts\nreviewed: 2026-04-01\ntracks: [PAY-12, \"milestone:Q1 payouts\", NOPE-1]\n---\nThe ledger epic is [[PAY-12]]; the story [[pay-42]].\n",
        )
        .file("docs/team-payouts.md", "---\nid: team-payouts\nkind: team\ntitle: Payouts team\nreviewed: 2026-04-01\n---\n")
        .file("docs/team-platform.md", "---\nid: team-platform\nkind: team\ntitle: Platform team\nreviewed: 2026-04-01\n---\n");
    for name in [
        "gh-issue-list.json",
        "jira-all-fields.csv",
        "linear.csv",
        "gh-api-paginate.json",
    ] {
        site = site.file(&format!("work/{name}"), export(name));
    }
    site
}

fn check(site: &SiteTest) -> crate::support::Run {
    site.run(&["check", "ROOT", "--format", "json", "--today", TODAY])
}

#[test]
fn exports_join_as_work_items_and_every_finding_points_into_its_file() {
    let site = site();
    let run = check(&site);
    let found: Vec<String> = run
        .findings()
        .into_iter()
        .filter(|f| {
            !f.starts_with("no-dhm")
                && !f.starts_with("missing-")
                && !f.starts_with("output-objective")
        })
        .collect();
    assert_eq!(
        found,
        [
            // `milestone:Q1 payouts` matches #123, though #123 names its objective itself.
            "tracker-export docs/obj.md:9:42",
            "untraced-work docs/team-payouts.md:3:7",
            "unplanned-work docs/team-platform.md:3:7",
            "untraced-work docs/team-platform.md:3:7",
            "tracker-export work/gh-issue-list.json:1:1",
            // The label `tl:obj-nowhere`, where the export writes it.
            "broken-link work/gh-issue-list.json:86:18",
            // PAY-45's unknown status, on its row (after a quoted newline), at the status.
            "tracker-export work/jira-all-fields.csv:7:32",
        ],
        "{}",
        run.stdout
    );
    let json = run.json();
    let untraced: Vec<&str> = json
        .iter()
        .filter(|d| d["rule"] == "untraced-work")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    // Largest first: PAY-44 has 3 story points; then the most recent.
    assert_eq!(
        untraced[0],
        "in 2026-Q1, 2 of this team's 7 tracker items (28.6%) trace to no objective or bet: PAY-44, acme/app#126; the limit is 20%"
    );
    // No estimates: the most recent first (#9 closed on Apr 5, ENG-41 on Apr 3).
    assert!(untraced[1].contains("acme/app#9, ENG-41"), "{untraced:?}");
    let info = json.iter().find(|d| d["severity"] == "info").unwrap();
    assert_eq!(
        info["message"],
        "read as a github export (detected from its content)"
    );
    // `[[PAY-12]]` and `[[pay-42]]` in a document resolve to the items.
    assert!(!run.stdout.contains("docs/obj.md:10"), "{}", run.stdout);
}

#[test]
fn a_broken_export_is_an_error_at_its_place_and_the_rest_is_still_judged() {
    let site = site()
        .file("work/linear.csv", "\"ID\",\"Title\"\n\"ENG-1\",\"x\"\n")
        .file(
            "work/gh-issue-list.json",
            "[{\"number\": 1, \"title\": \"a\", \"state\": \"open\"},\n {\"number\": 2,, }]\n",
        );
    let run = check(&site);
    assert_eq!(run.code, 1);
    let found = run.findings();
    assert!(
        found.contains(&"tracker-export work/linear.csv:1:1".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"tracker-export work/gh-issue-list.json:2:15".to_string()),
        "{found:?}"
    );
    // The Jira export and the documents are still judged.
    assert!(
        found.contains(&"untraced-work docs/team-payouts.md:3:7".to_string()),
        "{found:?}"
    );
    let linear = run
        .json()
        .into_iter()
        .find(|d| d["file"] == "work/linear.csv")
        .unwrap();
    assert_eq!(linear["severity"], "error");
    assert!(
        linear["message"]
            .as_str()
            .unwrap()
            .contains("no `Status` column"),
        "{linear}"
    );
}

#[test]
fn an_export_outside_the_root_or_a_link_out_of_it_is_refused() {
    let site = site().file("throughline.yaml", "trackers:\n  - file: ../issues.json\n");
    let run = check(&site);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("leaves the site root"),
        "{}",
        run.stderr
    );
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.json"),
        "[{\"number\": 1, \"title\": \"SECRET\", \"state\": \"open\"}]",
    )
    .unwrap();
    let site = SiteTest::new().file("throughline.yaml", "trackers:\n  - file: work.json\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.json"),
        site.root().join("work.json"),
    )
    .unwrap();
    let run = check(&site);
    assert!(
        run.stdout.contains("is a link out of the site"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("SECRET"));
}

#[test]
fn the_build_links_items_to_the_tracker_and_has_no_page_for_them() {
    // Without the label naming a missing id, the site builds.
    let fixed = String::from_utf8(export("gh-issue-list.json"))
        .unwrap()
        .replace("tl:obj-nowhere", "bug");
    let site = site().file("work/gh-issue-list.json", fixed);
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = std::fs::read_to_string(built.out.join("obj-payouts/index.html")).unwrap();
    for link in [
        "<a href=\"https://github.com/acme/app/issues/123\">Instant payout API</a>",
        "<a href=\"https://acme.atlassian.net/browse/PAY-42\">Split payouts by currency</a>",
    ] {
        assert!(page.contains(link), "{link}");
    }
    // The body's `[[PAY-12]]` goes to the tracker too.
    assert!(page.contains(
        "ledger epic is <a href=\"https://acme.atlassian.net/browse/PAY-12\">Payout ledger</a>"
    ));
    assert!(!built.out.join("pay-42").exists(), "an item has no page");
    // No page links to a page that does not exist.
    for entry in walk(&built.out) {
        if entry.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&entry).unwrap();
            for id in ["pay-42/", "acme-app-123/", "eng-40/"] {
                assert!(!html.contains(id), "{} links to {id}", entry.display());
            }
        }
    }
    let graph = site.run(&["graph", "ROOT", "--format", "json", "--today", TODAY]);
    let graph: serde_json::Value = serde_json::from_str(&graph.stdout).unwrap();
    let text = graph.to_string();
    assert!(text.contains("\"pay-42\""), "the graph has the items");
}

#[test]
fn more_than_ten_items_under_a_document_are_counted() {
    let mut csv = String::from("id,title,status,parent,owner,team,url,quarter,source\n");
    for i in 0..12 {
        let status = if i < 5 { "done" } else { "to do" };
        csv.push_str(&format!("OPS-{i},Task {i},{status},obj-payouts,,team-payouts,https://ops.example/{i},2026-Q1,\n"));
    }
    let site = SiteTest::new()
        .file("throughline.yaml", "history: false\ntrackers:\n  - file: ops.csv\n    format: csv\n")
        .file("cs.md", "---\nid: cs\nkind: company-strategy\ntitle: Acme\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\ntitle: P\nparent: cs\n---\n")
        .file("bet.md", "---\nid: bet-payouts\nkind: bet\ntitle: B\nparent: ps\n---\n")
        .file("obj.md", "---\nid: obj-payouts\nkind: objective\ntitle: O\nparent: bet-payouts\nquarter: 2026-Q1\n---\n")
        .file("team.md", "---\nid: team-payouts\nkind: team\ntitle: T\n---\n")
        .file("ops.csv", csv);
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let trace = std::fs::read_to_string(built.out.join("trace/index.html")).unwrap();
    assert!(trace.contains("+ 12 tracker items, 5 done"), "{trace}");
    assert!(!trace.contains("ops.example/3"), "counted, not listed");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The quarter review shows each team's tracker work with the counts the
/// teams page and `untraced-work` give, on the example's GitHub and Jira exports.
#[test]
fn the_quarter_review_counts_each_teams_traced_and_untraced_work_as_the_rule_does() {
    let site = SiteTest::example();
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let read = |rel: &str| std::fs::read_to_string(built.out.join(rel)).expect(rel);
    let quarter = read("quarters/2026-Q4/index.html");
    let start = quarter
        .find("<section aria-labelledby=\"work-trace-h\">")
        .expect("the tracker work section");
    let section = &quarter[start..start + quarter[start..].find("</section>").expect("end")];
    // Payouts: GitHub; Platform: Jira. Traced, done, untraced, unplanned, share.
    assert!(
        section.contains("<a href=\"../../team-payouts/index.html\">Payouts team</a></th><td>3</td><td>1</td><td>1</td><td>1</td><td>25%</td><td><ul class=\"links\"><li><a href=\"https://github.com/fernhill/payouts-app/issues/215\">"),
        "{section}"
    );
    assert!(
        section.contains("<a href=\"../../team-platform/index.html\">Platform team</a></th><td>3</td><td>1</td><td>2</td><td>1</td><td><span class=\"badge warn\">40%</span></td><td><ul class=\"links\"><li><a href=\"https://fernhill.atlassian.net/browse/FERN-13\">Rotate webhook signing keys</a></li><li><a href=\"https://fernhill.atlassian.net/browse/FERN-14\">"),
        "{section}"
    );
    // The teams page shows the same row for the quarter.
    let teams = read("teams/index.html");
    assert!(
        teams.contains("<tr><th scope=\"row\">2026-Q4</th><td>3</td><td>1</td><td>2</td><td>1</td><td><span class=\"badge warn\">40%</span></td></tr>"),
        "{teams}"
    );
    // And `check` reports the one team over the limit, naming the same items.
    let run = site.run(&["check", "ROOT", "--format", "json"]);
    let json = run.json();
    let untraced: Vec<&serde_json::Value> = json
        .iter()
        .filter(|f| f["rule"] == "untraced-work")
        .collect();
    assert_eq!(untraced.len(), 1, "{untraced:?}");
    assert_eq!(untraced[0]["file"], "teams/team-platform.md");
    let message = untraced[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("2 of this team's 5 tracker items (40%)")
            && message.contains("FERN-13, FERN-14"),
        "{message}"
    );
    // A quarter without tracker items has no such section.
    assert!(!read("quarters/2027-Q1/index.html").contains("work-trace-h"));
}

/// An export refreshed between two commits: `diff` reads each revision's
/// items through the build's reader and reports them per export, counted,
/// the first ten named with traced ones first, in every format; a refresh
/// of 40 items is a dozen lines, not 40.
#[test]
fn diff_reports_an_export_refresh_per_export_counted() {
    let csv = |rows: &dyn Fn(usize) -> Option<(String, &'static str)>| {
        let mut csv = String::from("id,title,status,parent,owner,team,url,quarter,source\n");
        for i in 0..40 {
            if let Some((title, status)) = rows(i) {
                // The first five serve the objective; the rest name nothing.
                let parent = if i < 5 { "obj-payouts" } else { "" };
                csv.push_str(&format!(
                    "OPS-{i},{title},{status},{parent},,team-payouts,,2026-Q1,\n"
                ));
            }
        }
        csv
    };
    let before = csv(&|i| (i < 38).then(|| (format!("Task {i}"), "to do")));
    // Two gone, two new, every third a status change; a hostile title.
    let after = csv(&|i| match i {
        0..=1 => None,
        2 => Some(("Fix <b>@everyone</b> | `x`".to_string(), "in progress")),
        _ if i % 3 == 0 => Some((format!("Task {i}"), "done")),
        _ => Some((format!("Task {i}"), "to do")),
    });
    let site = SiteTest::new()
        .file("throughline.yaml", "history: false\ntrackers:\n  - file: work/ops.csv\n    format: csv\n")
        .file("cs.md", "---\nid: cs\nkind: company-strategy\ntitle: Acme\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\ntitle: P\nparent: cs\n---\n")
        .file("bet.md", "---\nid: bet-payouts\nkind: bet\ntitle: B\nparent: ps\n---\n")
        .file("obj.md", "---\nid: obj-payouts\nkind: objective\ntitle: O\nparent: bet-payouts\nquarter: 2026-Q1\n---\n")
        .file("team.md", "---\nid: team-payouts\nkind: team\ntitle: T\n---\n")
        .file("work/ops.csv", before);
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "Set up"]);
    std::fs::write(root.join("work/ops.csv"), after).expect("write");
    git(root, &["commit", "-q", "-am", "Refresh the export"]);
    let diff = |format: &str| {
        let run = site.run(&[
            "diff", "HEAD~1", "HEAD", "--root", "ROOT", "--today", TODAY, "--format", format,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    // 2 removed (0, 1), 2 added (38, 39), 13 changed status (2, then 3, 6, … 36).
    let text = diff("human");
    let section = &text[text.find("Tracker items").expect("a section")..];
    let lines: Vec<&str> = section.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[..6],
        [
            "Tracker items",
            "  `work/ops.csv`: 2 added, 2 removed, 13 changed status",
            "      `OPS-0` Task 0: removed",
            "      `OPS-1` Task 1: removed",
            "      `OPS-2` Fix <b>@everyone</b> | `x`: to do → in progress",
            "      `OPS-3` Task 3: to do → done",
        ],
        "traced items first: {section}"
    );
    assert_eq!(
        lines[6], "      `OPS-6` Task 6: to do → done (untraced)",
        "{section}"
    );
    assert_eq!(lines.len(), 2 + 10 + 1, "ten named: {section}");
    assert_eq!(lines[12], "      and 7 more");
    let md = diff("markdown");
    assert!(md.contains("### Tracker items\n- `work/ops.csv`: 2 added, 2 removed, 13 changed status\n  - `OPS-0` Task 0: removed\n"), "{md}");
    assert!(
        md.contains(
            "`OPS-2` Fix &lt;b&gt;@\u{200b}everyone&lt;/b&gt; \\| \\`x\\`: to do → in progress"
        ),
        "escaped for Markdown: no HTML, no mention: {md}"
    );
    assert!(!md.contains("<b>@everyone"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&diff("json")).expect("JSON");
    let export = &json["diff"]["trackers"][0];
    assert_eq!(export["file"], "work/ops.csv");
    assert_eq!(
        (
            &export["added"],
            &export["removed"],
            &export["status_changed"],
            &export["more"]
        ),
        (&2.into(), &2.into(), &13.into(), &7.into())
    );
    assert_eq!(
        export["items"][3],
        serde_json::json!({"key": "OPS-3", "title": "Task 3", "how": {"what": "status", "from": "to do", "to": "done"}, "traced": true})
    );
    // The working tree against its commit: the export on disk is read as the build reads it.
    std::fs::write(
        root.join("work/ops.csv"),
        std::fs::read_to_string(root.join("work/ops.csv"))
            .expect("read")
            .replace("OPS-4,Task 4,to do", "OPS-4,Task 4,canceled"),
    )
    .expect("write");
    let run = site.run(&["diff", "HEAD", "--root", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "  `work/ops.csv`: 1 changed status\n      `OPS-4` Task 4: to do → canceled\n"
        ),
        "{}",
        run.stdout
    );
}

/// A refresh of an export committed in the window is one line on the
/// changes page: its items counted, the first five named (those naming a
/// document first), a hostile title escaped.
#[test]
fn the_changes_page_lists_an_export_refresh_in_one_line() {
    let csv = |rows: &[(&str, &str, &str)]| {
        let mut csv = String::from("id,title,status,parent,owner,team,url,quarter,source\n");
        for (key, title, status) in rows {
            csv.push_str(&format!("{key},\"{title}\",{status},,,,,2026-Q4,\n"));
        }
        csv
    };
    let mut before: Vec<(String, String, &str)> = (0..30)
        .map(|i| (format!("OPS-{i}"), format!("Task {i}"), "to do"))
        .collect();
    let rows = |v: &[(String, String, &'static str)]| {
        csv(&v
            .iter()
            .map(|(k, t, s)| (k.as_str(), t.as_str(), *s))
            .collect::<Vec<_>>())
    };
    let first = rows(&before);
    for (i, row) in before.iter_mut().enumerate() {
        if i % 2 == 0 {
            row.2 = "done";
        }
    }
    before[0].1 = "Fix <img src=x onerror=alert(1)>".to_string();
    before[9].2 = "in progress";
    before.remove(1);
    let second = rows(&before);
    let site = SiteTest::new()
        .file(
            "throughline.yaml",
            "trackers:\n  - file: work/ops.csv\n    format: csv\n",
        )
        .file(
            "cs.md",
            "---\nid: cs\nkind: company-strategy\ntitle: Acme\n---\n",
        )
        .file("work/ops.csv", first);
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git_at(root, "2026-06-01", &["commit", "-q", "-m", "Set up"]);
    std::fs::write(root.join("work/ops.csv"), second).expect("write");
    git_at(
        root,
        "2026-11-20",
        &["commit", "-q", "-am", "Refresh the export"],
    );
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = std::fs::read_to_string(built.out.join("changes/index.html")).expect("page");
    // 15 done (0, 2, … 28), 9 in progress, 1 removed.
    assert!(
        page.contains("work/ops.csv <span class=\"badge kind\">export</span>\nitems: 1 removed, 16 changed status (OPS-0 “Fix &lt;img src=x onerror=alert(1)&gt;” to do → done; OPS-1 “Task 1” removed; OPS-2 “Task 2” to do → done; OPS-4 “Task 4” to do → done; OPS-6 “Task 6” to do → done; and 12 more)"),
        "{page}"
    );
    assert_eq!(
        page.matches("OPS-").count(),
        5,
        "one line, five named: {page}"
    );
    assert!(!page.contains("<img src=x"), "{page}");
}
