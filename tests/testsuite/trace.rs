//! The traceability pages: each branch's status roll-up, and the whole
//! forest's filter index that a split tree's filters search.

use crate::support::SiteTest;

const TODAY: &str = "2026-11-24";

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// 1 company strategy, 3 product strategies, 30 bets without a success
/// metric (unmeasured), 2,400 objectives: more than a trace page holds, so
/// each product strategy's branch gets a page. Two objectives deep in other
/// pages are paced against metric `m` (10 of the way on 2026-11-15): one
/// behind (target 100), one at risk (target 25).
fn large_site() -> SiteTest {
    SiteTest::split_trace(
        "active",
        &[
            (
                "obj-1-3-7",
                "quarter: 2026-Q4\nkey_results:\n  - {metric: m, baseline: 0, target: 100, by: 2026-12-31}\n",
            ),
            (
                "obj-2-0-0",
                "quarter: 2026-Q4\nkey_results:\n  - {metric: m, baseline: 0, target: 25, by: 2026-12-31}\n",
            ),
        ],
    )
}

#[test]
fn every_branch_says_how_the_documents_below_it_stand() {
    let site = large_site();
    let run = site.run(&["build", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = site.root().join("public");
    let top = read(&out.join("trace/index.html"));
    // Each count once, worst first; the words that need attention classed.
    assert!(
        top.contains(r#"<span class="rollup">2,433 below: <span class="r-behind">1 behind</span>, <span class="r-at-risk">1 at risk</span>, <span class="r-unmeasured">30 unmeasured</span></span>"#),
        "the company strategy: {top}"
    );
    assert!(
        top.contains(r#"<span class="rollup">810 below: <span class="r-behind">1 behind</span>, <span class="r-unmeasured">10 unmeasured</span></span>"#),
        "ps-1"
    );
    // A branch on a page of its own: its count is the link, its roll-up follows.
    assert!(
        top.contains(r#"80 below<span class="visually-hidden"> Title of bet-1-3</span> ›</a> <span class="rollup"><span class="r-behind">1 behind</span></span>"#),
        "bet-1-3"
    );
    assert!(
        top.contains(
            r#"80 below<span class="visually-hidden"> Title of bet-1-4</span> ›</a></span>"#
        ),
        "nothing to say below bet-1-4: no roll-up"
    );
    // The page that shows the objective shows its standing, as a badge and
    // as what the standing filter reads.
    let branch = read(&out.join("trace/ps-1/index.html"));
    let row = branch
        .split("<li ")
        .find(|r| r.contains("href=\"../../obj-1-3-7/index.html\""))
        .expect("obj-1-3-7 on its branch's page");
    assert!(row.starts_with(r#"data-k="objective" data-s="active" data-q="2026-Q4" data-o="Owner 0" data-v="behind">"#), "{row}");
    assert!(row.contains(r#"<span class="badge pace-behind""#), "{row}");
}

/// The forest index's JSON, from its script.
fn forest(out: &std::path::Path) -> serde_json::Value {
    let js = read(&out.join("trace/forest.js"));
    let json = js
        .strip_prefix("window.throughlineForest=")
        .and_then(|j| j.trim_end().strip_suffix(';'))
        .unwrap_or_else(|| panic!("{js}"));
    serde_json::from_str(json).unwrap()
}

#[test]
fn a_split_trees_filters_search_every_document_through_one_index() {
    let site = large_site();
    let run = site.run(&["build", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = site.root().join("public");
    // Every trace page points its filters at the one index.
    assert!(read(&out.join("trace/index.html")).contains(r#"data-forest="forest.js">"#));
    assert!(read(&out.join("trace/ps-2/index.html"))
        .contains(r#"data-forest="../forest.js" data-page="ps-2">"#));
    let forest = forest(&out);
    let docs = forest["docs"].as_array().unwrap();
    // Every document of the tree, once; not the metric, which is no part of it.
    assert_eq!(docs.len(), 2434);
    let word = |dict: &str, row: &serde_json::Value, col: usize| {
        forest[dict][row[col].as_u64().unwrap() as usize]
            .as_str()
            .unwrap()
            .to_string()
    };
    let behind: Vec<(String, String, String)> = docs
        .iter()
        .filter(|d| word("standings", d, 7) == "behind")
        .map(|d| {
            (
                d[0].as_str().unwrap().to_string(),
                word("pages", d, 8),
                d[9].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Found across the forest, with the trace page that shows it; its link
    // is empty: its own page, by its id.
    assert_eq!(
        behind,
        [("obj-1-3-7".to_string(), "ps-1".to_string(), String::new())]
    );
    let row = docs.iter().find(|d| d[0] == "obj-2-0-0").unwrap();
    assert_eq!(word("standings", row, 7), "at-risk");
    assert_eq!(word("kinds", row, 2), "objective");
    assert_eq!(word("statuses", row, 3), "active");
    assert_eq!(word("owners", row, 5), "Owner 0");
    assert_eq!(word("quarters", row, 6), "2026-Q4");
    // A paged document is listed on the page above it, which shows it.
    let ps = docs.iter().find(|d| d[0] == "ps-0").unwrap();
    assert_eq!(word("pages", ps, 8), "");
    let bet = docs.iter().find(|d| d[0] == "bet-0-0").unwrap();
    assert_eq!(word("pages", bet, 8), "ps-0");
}

#[test]
fn a_tree_on_one_page_needs_no_index() {
    let site = SiteTest::fixture("healthy");
    let run = site.run(&["build", "ROOT", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = site.root().join("public");
    assert!(!out.join("trace/forest.js").exists());
    let trace = read(&out.join("trace/index.html"));
    assert!(!trace.contains("data-forest"), "{trace}");
    // Filters fold into a disclosure a phone opens on demand.
    assert!(trace.contains(r#"<details id="trace-filter-box" class="filter-box">"#));
}
