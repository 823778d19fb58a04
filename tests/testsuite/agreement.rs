//! `check` refuses everything `build` would refuse: a site that passes
//! `check` in CI must build. Each case runs both commands on the same site.

use crate::support::SiteTest;

const COMPANY: &str =
    "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n# Strategy\n";

/// Runs check and build; asserts both stop with exit 2 and name `expected`.
fn both_refuse(site: &SiteTest, expected: &str) {
    let check = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    let built = site.build_elsewhere(&[], &[]);
    let (build, out_dir) = (&built.run, &built.out);
    for (name, run) in [("check", &check), ("build", build)] {
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(expected),
            "{name} must say `{expected}`: {}",
            run.stderr
        );
    }
    assert!(!out_dir.exists(), "build wrote nothing");
}

#[test]
fn an_unknown_highlight_theme_is_refused_even_without_code_blocks() {
    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "throughline.yaml",
        "title: T\nmarkdown:\n  highlight_theme: no-such-theme\n",
    );
    both_refuse(&site, "unknown highlight theme `no-such-theme`");
}

#[test]
fn a_template_with_a_syntax_error_is_refused() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("templates/page.html", "{% if %}broken{% endif");
    both_refuse(&site, "template error");
}

#[test]
fn a_missing_theme_folder_is_refused() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("throughline.yaml", "title: T\ntheme: themes/nope\n");
    both_refuse(&site, "does not exist");
}

#[test]
fn a_folder_that_is_not_a_theme_is_refused() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file("throughline.yaml", "title: T\ntheme: /etc\n");
    both_refuse(&site, "is not a theme folder");
}

#[test]
fn a_valid_theme_folder_and_highlight_theme_pass_both() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file(
            "throughline.yaml",
            "title: T\ntheme: themes/corp\nmarkdown:\n  highlight_theme: InspiredGitHub\n",
        )
        .file("themes/corp/assets/extra.css", "body { color: black }\n");
    let check = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let built = site.build_elsewhere(&[], &[]);
    let (build, out_dir) = (&built.run, &built.out);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    assert!(out_dir.join("assets/extra.css").exists());
}

/// Builds `site` as of 2026-11-24 into a temporary folder and returns the page of `id`.
fn built_page(site: &SiteTest, id: &str) -> String {
    let built = site.build_elsewhere(&[], &[]);
    let (build, out_dir) = (&built.run, &built.out);
    assert_eq!(build.code, 0, "{}{}", build.stdout, build.stderr);
    std::fs::read_to_string(out_dir.join(id).join("index.html")).expect("page")
}

#[test]
fn a_page_shows_the_review_date_check_judges_by_covering_reviews_included() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file(
            "ps.md",
            "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-03-10\n---\n# Payments\n",
        )
        .file(
            "q4-review.md",
            "---\nid: q4-review\nkind: review\ndate: 2026-11-20\ncovers: [ps]\n---\n# Q4 review\n",
        );
    let check = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    assert!(
        !check.stdout.contains("\"stale\""),
        "the covering review counts: {}",
        check.stdout
    );
    let page = built_page(&site, "ps");
    assert!(
        page.contains("<dt>Next review</dt><dd>2027-05-20</dd>"),
        "six months after the covering review, with no due badge: {}",
        page.lines()
            .filter(|l| l.contains("Next review"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn a_stale_document_is_due_on_its_page_and_in_check_alike() {
    let site = SiteTest::new().file("cs.md", COMPANY).file(
        "ps.md",
        "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-03-10\n---\n# Payments\n",
    );
    let check = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    assert!(check.stdout.contains("\"stale\""), "{}", check.stdout);
    let page = built_page(&site, "ps");
    assert!(
        page.contains("2026-09-10 <span class=\"badge warn\">due</span>"),
        "{page}"
    );
}

#[test]
fn a_body_link_check_accepts_is_the_link_the_page_has() {
    let site = SiteTest::new()
        .file("cs.md", COMPANY)
        .file(
            "a.md",
            "---\nid: a\nkind: page\n---\n# A\n\nSee [the page](b.md?v=1), [its part](b.md?v=2#why-now) and [spaced](my%20notes.md).\n",
        )
        .file("b.md", "---\nid: b\nkind: page\n---\n# B\n\n## Why now\n")
        .file("my notes.md", "---\nid: notes\nkind: page\n---\n# Notes\n");
    let check = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    assert!(!check.stdout.contains("broken-link"), "{}", check.stdout);
    let page = built_page(&site, "a");
    for href in [
        "href=\"../b/index.html\"",
        "href=\"../b/index.html#why-now\"",
        "href=\"../notes/index.html\"",
    ] {
        assert!(page.contains(href), "{href} missing: {page}");
    }
    assert!(!page.contains("b.md?v=1"), "{page}");
}

/// A site with `n` active bets in 2026-Q4 (the quarter of 2026-11-24) and a
/// limit of four, and one proposed bet that does not count.
fn quarter_of_bets(n: usize) -> SiteTest {
    let mut site = SiteTest::new()
        .file("throughline.yaml", "title: Limits\nmax_bets_per_quarter: 4\n")
        .file("cs.md", COMPANY)
        .file(
            "ps.md",
            "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n",
        )
        .file(
            "proposed.md",
            "---\nid: proposed\nkind: bet\nparent: ps\nquarter: 2026-Q4\nstatus: proposed\nsize: small\n---\n",
        );
    for i in 0..n {
        let status = if i % 2 == 0 {
            "committed"
        } else {
            "in-progress"
        };
        site = site.file(
            &format!("b{i}.md"),
            format!("---\nid: b{i}\nkind: bet\nparent: ps\nquarter: 2026-Q4\nstatus: {status}\nsize: medium\n---\n"),
        );
    }
    site
}

#[test]
fn the_roadmap_and_dashboard_say_a_breached_limit_where_check_reports_it() {
    // One decision (`analysis::bet_load`) read by `too-many-bets` and the
    // size bars alike: five active bets are over a limit of four on every
    // surface, four are within it on every surface.
    for (n, over) in [(5, true), (4, false)] {
        let site = quarter_of_bets(n);
        let check = site.run(&["check", "ROOT", "--today", "2026-11-24", "--format", "json"]);
        let too_many: Vec<String> = check
            .json()
            .iter()
            .filter(|f| f["rule"] == "too-many-bets")
            .map(|f| f["message"].as_str().unwrap_or_default().to_string())
            .collect();
        let build = site.run(&["build", "ROOT", "--today", "2026-11-24"]);
        assert_eq!(build.code, 0, "{}", build.stderr);
        let out = site.root().join("public");
        let roadmap = std::fs::read_to_string(out.join("roadmap/index.html")).unwrap();
        let dashboard = std::fs::read_to_string(out.join("index.html")).unwrap();
        if over {
            assert_eq!(too_many, ["2026-Q4 has 5 active bets; the limit is 4"]);
            for (name, page, root) in [("roadmap", &roadmap, "../"), ("dashboard", &dashboard, "")]
            {
                // Said as a warning, in words, linking to the finding.
                let breach = page
                    .split("<p class=\"limit-breach\">")
                    .nth(1)
                    .and_then(|p| p.split("</p>").next())
                    .unwrap_or_else(|| panic!("{name} does not say the breach: {page}"));
                assert!(
                    breach.starts_with("<strong>Over the limit:</strong> 2026-Q4 has 5 active bets; the limit is 4."),
                    "{name}: {breach}"
                );
                assert!(
                    breach.contains(&format!(
                        "<a href=\"{root}health/too-many-bets/index.html\">"
                    )),
                    "{name}: {breach}"
                );
                assert!(!page.contains("active of at most"), "{name}");
            }
            assert!(out.join("health/too-many-bets/index.html").is_file());
        } else {
            assert!(too_many.is_empty(), "{too_many:?}");
            for (name, page) in [("roadmap", &roadmap), ("dashboard", &dashboard)] {
                assert!(!page.contains("limit-breach"), "{name}");
                assert!(!page.contains("Over the limit"), "{name}");
                assert!(page.contains("4 active of at most 4"), "{name}: {page}");
            }
        }
    }
}

#[test]
fn the_dashboard_asks_attention_for_this_quarters_breach_not_a_past_ones() {
    // Five active bets in 2026-Q4 and five left active in 2026-Q2: `check`
    // reports both quarters; the dashboard's attention list names only the
    // quarter that is still to be run (the past one's bets are `expired`).
    let mut site = quarter_of_bets(5);
    for i in 0..5 {
        site = site.file(
            &format!("old{i}.md"),
            format!("---\nid: old{i}\nkind: bet\nparent: ps\nquarter: 2026-Q2\nstatus: committed\nsize: small\n---\n"),
        );
    }
    let check = site.run(&["check", "ROOT", "--today", "2026-11-24", "--format", "json"]);
    let mut too_many: Vec<String> = check
        .json()
        .iter()
        .filter(|f| f["rule"] == "too-many-bets")
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .collect();
    too_many.sort();
    assert_eq!(
        too_many,
        [
            "2026-Q2 has 5 active bets; the limit is 4",
            "2026-Q4 has 5 active bets; the limit is 4"
        ]
    );
    let build = site.run(&["build", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let dashboard = std::fs::read_to_string(site.root().join("public/index.html")).unwrap();
    let attention = dashboard
        .split("<h2 id=\"attention-h\">Needs attention</h2>")
        .nth(1)
        .and_then(|p| p.split("</ol>").next())
        .unwrap_or_else(|| panic!("no attention list: {dashboard}"));
    assert!(
        attention.contains("Too many bets at once: 2026-Q4 has 5 active bets; the limit is 4"),
        "{attention}"
    );
    assert!(!attention.contains("2026-Q2 has"), "{attention}");
}

#[test]
fn a_breached_limit_is_said_even_with_its_rule_turned_off_without_a_dead_link() {
    let site = quarter_of_bets(5).file(
        "throughline.yaml",
        "title: Limits\nmax_bets_per_quarter: 4\nrules:\n  too-many-bets: allow\n",
    );
    let build = site.run(&["build", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let out = site.root().join("public");
    let roadmap = std::fs::read_to_string(out.join("roadmap/index.html")).unwrap();
    assert!(
        roadmap.contains("2026-Q4 has 5 active bets; the limit is 4."),
        "{roadmap}"
    );
    assert!(!roadmap.contains("health/too-many-bets/"), "{roadmap}");
    assert!(!out.join("health/too-many-bets").exists());
}

#[test]
fn a_product_strategys_roadmap_page_says_the_whole_quarters_breach() {
    // 60 active bets, 30 under each of two product strategies: the roadmap
    // splits into a page per strategy, and each says the quarter's 60, as
    // `check` does, not its own 30.
    let mut site = SiteTest::new()
        .file("throughline.yaml", "title: Paged\n")
        .file("cs.md", COMPANY);
    for ps in ["ps-a", "ps-b"] {
        site = site.file(
            &format!("{ps}.md"),
            format!(
                "---\nid: {ps}\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n"
            ),
        );
        for i in 0..30 {
            site = site.file(
                &format!("{ps}-b{i}.md"),
                format!("---\nid: {ps}-b{i}\nkind: bet\nparent: {ps}\nquarter: 2026-Q4\nstatus: committed\nsize: small\n---\n"),
            );
        }
    }
    let check = site.run(&["check", "ROOT", "--today", "2026-11-24", "--format", "json"]);
    assert!(check.json().iter().any(|f| f["rule"] == "too-many-bets"
        && f["message"] == "2026-Q4 has 60 active bets; the limit is 4"));
    let build = site.run(&["build", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let page = std::fs::read_to_string(site.root().join("public/roadmap/ps-a/index.html")).unwrap();
    assert!(
        page.contains("<strong>Over the limit:</strong> 2026-Q4 has 60 active bets; the limit is 4. <a href=\"../../health/too-many-bets/index.html\">"),
        "{page}"
    );
    // Its size bar is its own bets'.
    assert!(page.contains("<strong>30</strong> small"), "{page}");
}
