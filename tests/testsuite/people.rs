//! People and dependencies through the binary: owners resolved against
//! person documents, `depends_on` checked as links, cycles and risks.

use crate::support::SiteTest;

const TODAY: &str = "2026-11-24";

/// A strategy, two teams' objectives and a person, without problems.
fn site() -> SiteTest {
    SiteTest::new()
        // Titles like "Objective o-a" read as outputs; not the point here.
        .file("throughline.yaml", "rules: { output-objective: allow }\n")
        .file("cs.md", "---\nid: cs\nkind: company-strategy\ntitle: Win merchants\nreviewed: 2026-11-01\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\ntitle: Payouts\nparent: cs\nreviewed: 2026-11-01\n---\n")
        .file("teams/pay.md", "---\nid: team-pay\nkind: team\nreviewed: 2026-11-01\n---\n")
        .file("teams/ledger.md", "---\nid: team-ledger\nkind: team\nreviewed: 2026-11-01\n---\n")
        .file(
            "people/ana.md",
            "---\nid: ana-lima\nkind: person\ntitle: Ana Lima\nteam: team-pay\nrole: Product lead\nhandles: ['@analima']\n---\n",
        )
}

fn objective(id: &str, team: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\nkind: objective\ntitle: Objective {id}\nparent: ps\nteam: {team}\nstatus: committed\nquarter: 2026-Q4\nreviewed: 2026-11-20\n{extra}---\n"
    )
}

#[test]
fn an_unknown_owner_is_a_warning_with_the_nearest_person() {
    let site = site()
        .file("o1.md", objective("o1", "team-pay", "owner: Ana Lma\n"))
        .file("o2.md", objective("o2", "team-pay", "owner: '@AnaLima'\n"));
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), vec!["unknown-person o1.md:10:8"]);
    let found = &run.json()[0];
    assert_eq!(found["severity"], "warning");
    assert_eq!(found["message"], "`owner` `Ana Lma` names no person");
    assert_eq!(found["hint"], "did you mean `ana-lima` (Ana Lima)?");
}

#[test]
fn without_people_an_owner_is_free_text() {
    let site = SiteTest::new().file("p.md", "---\nid: p\nowner: Anyone At All\n---\n");
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.findings(), Vec::<String>::new());
}

#[test]
fn a_cycle_of_three_is_one_error_naming_all_of_it() {
    let site = site()
        .file("a.md", objective("o-a", "team-pay", "depends_on: [o-b]\n"))
        .file(
            "b.md",
            objective("o-b", "team-ledger", "depends_on: [o-c]\n"),
        )
        .file(
            "c.md",
            objective(
                "o-c",
                "team-pay",
                "depends_on:\n  - {id: o-a, needed_by: 2026-12-31}\n",
            ),
        );
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.findings(), vec!["dependency-cycle a.md:10:14"]);
    assert_eq!(
        run.json()[0]["message"],
        "dependency cycle: `o-a` waits on `o-b`, which waits on `o-c`, which waits on `o-a`"
    );
    let myself = site.file("c.md", objective("o-c", "team-pay", "depends_on: [o-c]\n"));
    let run = myself.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.findings(), vec!["dependency-cycle c.md:10:14"]);
    assert_eq!(run.json()[0]["message"], "`o-c` depends on itself");
}

#[test]
fn dependencies_are_links_checked_like_any_other() {
    let site = site()
        .file(
            "a.md",
            objective("o-a", "team-pay", "depends_on: [o-bb, {id: o-draft}, ps]\n"),
        )
        .file("b.md", objective("o-b", "team-ledger", ""))
        .file(
            "d.md",
            "---\nid: o-draft\nkind: objective\ndraft: true\n---\n",
        );
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.findings(),
        vec![
            "broken-link a.md:10:14",
            "broken-link a.md:10:25",
            "schema a.md:10:35",
        ]
    );
    let hints: Vec<&str> = run
        .json()
        .iter()
        .map(|d| d["hint"].as_str().unwrap_or(""))
        .map(|h| Box::leak(h.to_string().into_boxed_str()) as &str)
        .collect();
    assert_eq!(hints[0], "did you mean `o-b`?");
    assert!(hints[1].contains("is a draft"), "{}", hints[1]);
}

#[test]
fn the_graph_draws_dependencies_apart_from_parents() {
    let site = site()
        .file("a.md", objective("o-a", "team-pay", "depends_on: [o-b]\n"))
        .file("b.md", objective("o-b", "team-ledger", ""));
    let run = site.run(&["graph", "ROOT", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let graph: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let deps: Vec<(&str, &str)> = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rel"] == "depends_on")
        .map(|e| (e["from"].as_str().unwrap(), e["to"].as_str().unwrap()))
        .collect();
    assert_eq!(deps, vec![("o-a", "o-b")]);
    let dot = site.run(&["graph", "ROOT", "--format", "dot"]).stdout;
    assert!(
        dot.contains("\"o-a\" -> \"o-b\" [label=\"depends_on\", style=bold, color=firebrick, constraint=false];"),
        "{dot}"
    );
    assert!(dot.contains("\"o-a\" -> \"ps\";"), "{dot}");
}

/// The HTML of `page` in a build.
fn read(out: &std::path::Path, page: &str) -> String {
    std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

/// What a list of `ul.owned` items on a person page says, one line per
/// item: its title, then its trail's titles.
fn owned_items(html: &str) -> Vec<String> {
    let Some(start) = html.find("id=\"owns-h\"") else {
        return Vec::new();
    };
    let section = &html[start
        ..html[start..]
            .find("</section>")
            .map_or(html.len(), |e| start + e)];
    section
        .split("<li>")
        .skip(1)
        .map(|item| {
            let titles: Vec<&str> = item
                .split("\">")
                .skip(1)
                .filter_map(|s| s.split("</a>").next().filter(|_| s.contains("</a>")))
                .collect();
            titles.join(" | ")
        })
        .collect()
}

#[test]
fn a_person_page_lists_exactly_what_they_own_with_its_trail() {
    let site = site()
        .file("bet.md", "---\nid: bet-a\nkind: bet\ntitle: Instant payouts\nparent: ps\nowner: Ana Lima\nteam: team-pay\nstatus: committed\nquarter: 2026-Q4\nreviewed: 2026-11-20\nsuccess: {deadline: 2026-12-10}\n---\n")
        .file("o1.md", objective("o1", "team-pay", "parent: bet-a\nowner: '@AnaLima'\n").replace("parent: ps\n", ""))
        .file("o2.md", objective("o2", "team-ledger", "owner: Someone Else\n"))
        .file("w.md", "---\nid: w1\nkind: work\ntitle: Webhooks\nparent: o1\nowner: ANA-LIMA\nstatus: in-progress\nreviewed: 2026-11-20\n---\n");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "people/ana-lima/index.html");
    assert_eq!(
        owned_items(&page),
        vec![
            "Instant payouts | Win merchants | Payouts",
            "Objective o1 | Win merchants | Payouts | Instant payouts",
            "Webhooks | Win merchants | Payouts | Instant payouts | Objective o1",
        ],
        "{page}"
    );
    assert!(page.contains("<h2 id=\"owns-h\">Owns 3</h2>"), "{page}");
    // The bet's deadline and the work's review fall within 30 days of the build date.
    assert!(
        page.contains("2026-12-04</time> · review of <a href=\"../../w1/index.html\">Webhooks</a>"),
        "{page}"
    );
    assert!(page.contains("2026-12-10</time> · deadline of <a href=\"../../bet-a/index.html\">Instant payouts</a>"), "{page}");
    // The unknown owner's finding is on no one's page; the list counts everyone.
    let list = read(&built.out, "people/index.html");
    assert!(list.contains("<a href=\"../people/ana-lima/index.html\">Ana Lima</a> <span class=\"muted\">Product lead</span>"), "{list}");
    assert!(list.contains("<td>3</td>"), "{list}");
    // Owners link to their person; a person's own address leads to their page.
    let bet = read(&built.out, "bet-a/index.html");
    assert!(
        bet.contains(
            "<dt>Owner</dt><dd><a href=\"../people/ana-lima/index.html\">Ana Lima</a></dd>"
        ),
        "{bet}"
    );
    assert!(
        bet.contains(">People</a></li>"),
        "the navigation links the people"
    );
    let moved = read(&built.out, "ana-lima/index.html");
    assert!(
        moved.contains("url=../people/ana-lima/index.html"),
        "{moved}"
    );
    let o2 = read(&built.out, "o2/index.html");
    assert!(o2.contains("<dt>Owner</dt><dd>Someone Else</dd>"), "{o2}");
}

#[test]
fn dependencies_show_on_both_pages_and_the_matrix() {
    let site = site()
        .file("a.md", objective("o-a", "team-pay", "depends_on:\n  - {id: o-b, needed_by: 2026-11-30, note: the ledger API}\n  - o-c\n"))
        .file("b.md", objective("o-b", "team-ledger", "key_results:\n  - {by: 2026-12-31}\n"))
        .file("c.md", objective("o-c", "team-ledger", "").replace("status: committed", "status: done"));
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let a = read(&built.out, "o-a/index.html");
    assert!(a.contains("<h3>Waits on</h3>"), "{a}");
    assert!(a.contains("needed by 2026-11-30</span> <span class=\"badge warn\" title=\"its deadline 2026-12-31 is after it is needed, 2026-11-30\">at risk: due too late</span><div class=\"muted\">the ledger API</div>"), "{a}");
    let b = read(&built.out, "o-b/index.html");
    assert!(b.contains("<h3>Waited on by</h3><ul class=\"links deps\"><li><a href=\"../o-a/index.html\">Objective o-a</a>"), "{b}");
    let deps = read(&built.out, "dependencies/index.html");
    // The one open dependency, at risk, from Payments (row) on Ledger (column).
    assert!(deps.contains("Open: 1; at risk: 1."), "{deps}");
    assert!(deps.contains("<th scope=\"row\"><a href=\"../team-pay/index.html\">team-pay</a></th><td>1 <span class=\"badge warn\">1 at risk</span></td><td></td></tr>"), "{deps}");
    // Open first: the dependency on the done objective comes last.
    let open = deps.find("waits on <a href=\"../o-b/").unwrap();
    let done = deps.find("waits on <a href=\"../o-c/").unwrap();
    assert!(open < done);
}

#[test]
fn many_dependencies_are_paged_with_the_ones_at_risk_first_and_every_one_reachable() {
    // 60 objectives each waiting on the next; the last one's is at risk
    // (needed before its deadline). 60 dependencies: two pages of 50 and 10.
    let mut site = site();
    for i in 0..60 {
        let next = format!("o-{}", i + 1);
        let extra = match i {
            59 => "depends_on:\n  - {id: o-b, needed_by: 2026-11-30}\n".to_string(),
            _ => format!("depends_on: [{next}]\n"),
        };
        site = site.file(
            &format!("o/{i:02}.md"),
            objective(&format!("o-{i}"), "team-pay", &extra),
        );
    }
    let site = site
        .file("o/60.md", objective("o-60", "team-ledger", ""))
        .file(
            "b.md",
            objective("o-b", "team-ledger", "key_results:\n  - {by: 2026-12-31}\n"),
        );
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let first = read(&built.out, "dependencies/index.html");
    let second = read(&built.out, "dependencies/page/2/index.html");
    assert!(!built.out.join("dependencies/page/3").exists());
    let items = |page: &str| page.matches("\n  waits on <a href=").count();
    assert_eq!((items(&first), items(&second)), (50, 10));
    // The one at risk leads the first page, under the matrix.
    let at_risk = first.find("waits on <a href=\"../o-b/").unwrap();
    assert!(first.find("<table class=\"plain matrix\">").unwrap() < at_risk);
    assert!(at_risk < first.find("waits on <a href=\"../o-1/").unwrap());
    assert!(first.contains("60 dependencies, 2 pages"), "{first}");
    assert!(
        first.contains("<a href=\"../dependencies/page/2/index.html\" rel=\"next\">Page 2 ›</a>"),
        "{first}"
    );
    // The second page: the rest, no matrix, a way back; links from its depth.
    assert!(!second.contains("class=\"plain matrix\""), "{second}");
    assert!(
        second.contains("<a href=\"../../../dependencies/index.html\" rel=\"prev\">‹ Page 1</a>"),
        "{second}"
    );
    assert!(
        second.contains("<title>Dependencies, page 2 · "),
        "{second}"
    );
    // Every dependency is on one of the pages, once.
    for i in 0..59 {
        let from = format!("\"o-{i}/index.html\">Objective o-{i}</a> <span class=\"muted\">(team-pay)</span>\n  waits on <a href=");
        let on = first.matches(&from.replace("\"o-", "\"../o-")).count()
            + second
                .matches(&from.replace("\"o-", "\"../../../o-"))
                .count();
        assert_eq!(on, 1, "o-{i}");
    }
}

#[test]
fn a_site_without_people_or_dependencies_has_no_such_pages_or_links() {
    let built = SiteTest::fixture("healthy").build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    assert!(!built.out.join("people").exists());
    assert!(!built.out.join("dependencies").exists());
    let home = read(&built.out, "index.html");
    assert!(!home.contains("People</a>") && !home.contains("Dependencies</a>"));
}

#[test]
fn new_person_writes_a_person_that_owners_can_name() {
    let site = site().file("o1.md", objective("o1", "team-pay", "owner: Bea Costa\n"));
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.findings(), vec!["unknown-person o1.md:10:8"]);
    let root = site.root().to_string_lossy().into_owned();
    let made = site.run(&["new", "person", "Bea Costa", "--root", &root]);
    assert_eq!(made.code, 0, "{}{}", made.stdout, made.stderr);
    let written =
        std::fs::read_to_string(site.root().join("people/bea-costa.md")).expect("written");
    assert!(
        written.contains("kind: person\ntitle: Bea Costa\n"),
        "{written}"
    );
    assert!(
        !written.contains("reviewed:"),
        "a person is not reviewed: {written}"
    );
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    assert_eq!(run.findings(), Vec::<String>::new());
}

#[test]
fn a_person_page_lists_what_they_approve_and_the_reviews_they_took_part_in() {
    let bet = |id: &str, approval: &str| {
        format!("---\nid: {id}\nkind: bet\ntitle: Bet {id}\nparent: ps\nstatus: committed\nquarter: 2026-Q4\nreviewed: 2026-11-20\nsize: big\napproval: {approval}\n---\n")
    };
    let review = |id: &str, date: &str, participants: &str| {
        format!("---\nid: {id}\nkind: review\ntitle: Review {id}\ndate: {date}\nparticipants: {participants}\n---\n")
    };
    let site = site()
        .file(
            "b1.md",
            bet("bet-a", "{level: executive, approver: '@AnaLima'}"),
        )
        .file(
            "b2.md",
            bet("bet-b", "{level: executive, approver: Zed Zero}"),
        )
        .file(
            "r1.md",
            review("r-old", "2026-09-01", "[ana lima, Zed Zero]"),
        )
        .file(
            "r2.md",
            review("r-new", "2026-11-18", "[ANA-LIMA, '@analima']"),
        )
        .file("r3.md", review("r-none", "2026-11-19", "[Zed Zero]"));
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = read(&built.out, "people/ana-lima/index.html");
    assert!(
        page.contains("<h2 id=\"approves-h\">Approves 1</h2>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../../bet-a/index.html\">Bet bet-a</a> <span class=\"badge kind\">Bet</span> <span class=\"muted\">big</span> <span class=\"badge status-committed\">committed</span> <span class=\"muted\">approval: executive</span>"),
        "{page}"
    );
    assert!(!page.contains("bet-b/index.html"), "{page}");
    // Newest first, each once though named twice; not the one without her.
    assert!(
        page.contains("<h2 id=\"reviews-h\">Took part in 2 reviews</h2>\n  <ul class=\"links\"><li><time datetime=\"2026-11-18\">2026-11-18</time> · <a href=\"../../r-new/index.html\">Review r-new</a></li><li><time datetime=\"2026-09-01\">2026-09-01</time> · <a href=\"../../r-old/index.html\">Review r-old</a></li></ul>"),
        "{page}"
    );
    assert!(!page.contains("r-none/index.html"), "{page}");
    // The names that match no one are the rule's, found by the same resolution.
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", TODAY]);
    let unknown: Vec<String> = run
        .findings()
        .into_iter()
        .filter(|f| f.starts_with("unknown-person"))
        .collect();
    assert_eq!(
        unknown,
        [
            "unknown-person b2.md:10:40",
            "unknown-person r1.md:6:26",
            "unknown-person r3.md:6:16"
        ]
    );
}
