//! Pages that stay readable at scale (issue #33): the roadmap and the
//! quarter review of a site of 120 bets under three product strategies,
//! grouped with roll-ups, at most 50 rows a page, every bet reachable and
//! every count adding up to the total it states.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::support::SiteTest;

/// 70, 30 and 15 bets under three product strategies, five under none.
const BETS: [usize; 8] = [70, 30, 15, 0, 0, 0, 0, 0];

/// Every page of `out` under `dir`, by path relative to `out`.
fn pages_under(out: &Path, dir: &str) -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    let mut todo = vec![out.join(dir)];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                let rel = p.strip_prefix(out).unwrap().to_string_lossy().into_owned();
                pages.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    pages
}

/// The pages of the site each `href` of `page` (at `from`, relative to the output) leads to.
fn links(from: &str, page: &str) -> Vec<String> {
    let dir = Path::new(from).parent().unwrap_or(Path::new(""));
    page.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| !h.starts_with('#') && !h.contains(':'))
        .map(|h| {
            let mut path = PathBuf::new();
            for c in dir.join(h.split('#').next().unwrap()).components() {
                match c {
                    Component::ParentDir => {
                        path.pop();
                    }
                    Component::Normal(n) => path.push(n),
                    _ => {}
                }
            }
            path.to_string_lossy().into_owned()
        })
        .collect()
}

/// The total a counts line states and the sum of its parts, at each `data-total`.
fn totals(page: &str) -> Vec<(usize, usize)> {
    let number = |s: &str| s.split('"').next().unwrap().parse::<usize>().unwrap();
    page.split("data-total=\"")
        .skip(1)
        .map(|line| {
            let end = line
                .find("</p>")
                .into_iter()
                .chain(line.find("</span></td>"))
                .chain(line.find("</summary>"))
                .min()
                .unwrap_or(line.len());
            let line = &line[..end];
            let counted = line.split("data-count=\"").skip(1).map(number).sum();
            (number(line), counted)
        })
        .collect()
}

fn build() -> (SiteTest, crate::support::Built) {
    let site = SiteTest::portfolio(&BETS);
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(
        built.run.code,
        0,
        "{}{}",
        built.run.stderr,
        built
            .run
            .stdout
            .lines()
            .filter(|l| l.contains("error"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    (site, built)
}

#[test]
fn the_roadmap_pages_by_product_strategy_with_every_bet_reachable() {
    let (_site, built) = build();
    let pages = pages_under(&built.out, "roadmap");
    let landing = &pages["roadmap/index.html"];
    // The landing page counts; it shows no card.
    assert!(!landing.contains("<article class=\"card\">"), "{landing}");
    for s in ["ps-0", "ps-1", "ps-2", "unplaced"] {
        assert!(
            landing.contains(&format!("href=\"../roadmap/{s}/index.html\"")),
            "{s} in {landing}"
        );
    }
    // Each row's roll-up adds up to what it states.
    for (total, counted) in totals(landing) {
        assert_eq!(total, counted, "{landing}");
    }
    // 70 bets under ps-0: two pages, linked to each other.
    assert!(pages.contains_key("roadmap/ps-0/page/2/index.html"));
    assert!(!pages.contains_key("roadmap/ps-0/page/3/index.html"));
    assert!(pages["roadmap/ps-0/index.html"]
        .contains("href=\"../../roadmap/ps-0/page/2/index.html\" rel=\"next\""));
    // At most 50 cards a page, and small.
    for (path, page) in &pages {
        let cards = page.matches("<article class=\"card\">").count();
        assert!(cards <= 50, "{path}: {cards} cards");
        assert!(page.len() <= 200_000, "{path}: {} bytes", page.len());
    }
    // Every bet is reachable from the landing page through the roadmap's own pages.
    let mut seen = BTreeSet::new();
    let mut todo = vec!["roadmap/index.html".to_string()];
    let mut reached = BTreeSet::new();
    while let Some(p) = todo.pop() {
        if !seen.insert(p.clone()) {
            continue;
        }
        for l in links(&p, &pages[&p]) {
            if pages.contains_key(&l) {
                todo.push(l);
            } else if let Some(id) = l
                .strip_suffix("/index.html")
                .filter(|i| i.starts_with("bet-"))
            {
                reached.insert(id.to_string());
            }
        }
    }
    let all: BTreeSet<String> = (0..120).map(|n| format!("bet-{n}")).collect();
    assert_eq!(reached, all);
    assert_eq!(seen.len(), pages.len(), "every roadmap page is linked");
}

#[test]
fn a_small_roadmap_with_several_strategies_groups_its_cards_on_one_page() {
    let site = SiteTest::portfolio(&[3, 2]);
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let pages = pages_under(&built.out, "roadmap");
    assert_eq!(pages.len(), 1, "one page");
    let page = &pages["roadmap/index.html"];
    assert_eq!(
        page.matches("<details open class=\"roadmap-group\">")
            .count(),
        4,
        "two strategies now and next"
    );
    assert_eq!(page.matches("<article class=\"card\">").count(), 5);
}

#[test]
fn the_quarter_review_counts_every_goal_once_and_pages_by_strategy() {
    let (_site, built) = build();
    let pages = pages_under(&built.out, "quarters/2026-Q4");
    let landing = &pages["quarters/2026-Q4/index.html"];
    let lines = totals(landing);
    // The page's total, then one per product strategy: each adds up, and
    // the strategies add up to the quarter.
    for &(total, counted) in &lines {
        assert_eq!(total, counted, "{landing}");
    }
    let (quarter, groups) = lines.split_first().unwrap();
    assert_eq!(groups.len(), 4);
    assert_eq!(groups.iter().map(|g| g.0).sum::<usize>(), quarter.0);
    // 60 bets of 2026-Q4: 20 with a success of each kind and 20 without
    // one, and 60 objectives of three key results: 240 results.
    assert_eq!(quarter.0, 60 + 60 * 3);
    assert!(landing.contains("<strong>240 results</strong> of 120 bets and objectives"));
    assert!(
        landing.contains("data-outcome=\"missed\" data-count=\"60\""),
        "{landing}"
    );
    // Every item on exactly one page of at most 50, each page's counts adding up.
    let mut items = Vec::new();
    for (path, page) in &pages {
        let here = page.matches("<article class=\"review-item\"").count();
        assert!(here <= 50, "{path}: {here} items");
        assert!(page.len() <= 200_000, "{path}: {} bytes", page.len());
        for (total, counted) in totals(page) {
            assert_eq!(total, counted, "{path}");
        }
        items.extend(
            page.split("<article class=\"review-item\" id=\"item-")
                .skip(1)
                .map(|s| s.split('"').next().unwrap().to_string()),
        );
    }
    let unique: BTreeSet<&String> = items.iter().collect();
    assert_eq!(items.len(), 120);
    assert_eq!(unique.len(), 120, "each item on one page");
    assert!(pages.contains_key("quarters/2026-Q4/ps-0/page/2/index.html"));
    // Each learning once, with what it says of each item beside the item.
    let all: String = pages.values().cloned().collect();
    assert_eq!(
        all.matches("The rate moved because of the new rail.")
            .count(),
        1
    );
    assert_eq!(
        all.matches("Finding: Rate up to 30%; Decision: Keep")
            .count(),
        1
    );
    assert_eq!(all.matches("Finding: Flat; Decision: Stop").count(), 1);
}

/// The dashboard names a handful of bets per standing, however many there
/// are; the rest are counted and left to the roadmap, so the names and the
/// "more" add up to the group's count.
#[test]
fn the_dashboard_names_a_handful_of_bets_per_standing_and_counts_the_rest() {
    let (_site, built) = build();
    let home = std::fs::read_to_string(built.out.join("index.html")).expect("dashboard");
    let groups: Vec<&str> = home
        .split("<div class=\"standing-group\">")
        .skip(1)
        .collect();
    assert!(!groups.is_empty(), "{home}");
    let mut cut = false;
    for group in groups {
        let group = &group[..group.find("</div>").expect("the group's end")];
        let heading = &group[..group.find("</h3>").expect("heading")];
        let count: usize = heading
            [heading.rfind('(').expect("count") + 1..heading.rfind(')').expect("count")]
            .replace(',', "")
            .parse()
            .expect("a number");
        let named = group.matches("<li><a href=").count();
        let more = group.find(" more on the roadmap").map_or(0, |end| {
            let start = group[..end].rfind('>').expect("the link") + 1;
            group[start..end]
                .replace(',', "")
                .parse::<usize>()
                .expect("more")
        });
        assert!(named <= 10, "{named} named: {group}");
        assert_eq!(named + more, count, "{group}");
        cut |= more > 0;
    }
    assert!(cut, "no group is long enough to be cut: {home}");
}
