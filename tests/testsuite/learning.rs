//! Context and learning (issue 37), through the real binary: notes on
//! check-ins (`checkin --note`, a CSV's `note` column, the metric page), the
//! rules that catch evidence ignored, and what pages show of them.

use crate::support::SiteTest;

/// A block list in CRLF with a comment, and a flow list.
const BLOCK: &str = "---\r\nid: m-wait\r\nkind: metric\r\ntitle: Wait\r\ncheckins:   # weekly\r\n  - {date: 2026-10-01, value: 120, note: baseline week}\r\n  - {date: 2026-11-01, value: 95}  # estimated\r\n---\r\nHours.\r\n";
const FLOW: &str =
    "---\nid: m-rate\nkind: metric\ntitle: Rate\nunit: \"%\"\ncheckins: [{date: 2026-09-01, value: 10}]\n---\n";

fn site() -> SiteTest {
    SiteTest::new()
        .file("metrics/m-wait.md", BLOCK)
        .file("metrics/m-rate.md", FLOW)
}

fn checkin(site: &SiteTest, args: &[&str]) -> crate::support::Run {
    site.run_in("checkin", args)
}

/// `checkin METRIC VALUE --date DATE --note NOTE EXTRA...`.
fn noted(
    site: &SiteTest,
    metric: &str,
    value: &str,
    date: &str,
    note: &str,
    extra: &[&str],
) -> crate::support::Run {
    let mut args = vec![metric, value, "--date", date, "--note", note];
    args.extend_from_slice(extra);
    checkin(site, &args)
}

fn findings(site: &SiteTest) -> Vec<String> {
    site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"])
        .findings()
}

#[test]
fn checkin_note_is_written_beside_the_value_quoted_only_when_it_must_be() {
    let site = site();
    let run = noted(
        &site,
        "m-rate",
        "12",
        "2026-10-01",
        "  pricing page, then the new onboarding  ",
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        site.read("metrics/m-rate.md"),
        FLOW.replace(
            "value: 10}]",
            "value: 10}, {date: 2026-10-01, value: 12, note: \"pricing page, then the new onboarding\"}]"
        )
    );
    let run = noted(&site, "m-wait", "90", "2026-11-08", "new gate", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        site.read("metrics/m-wait.md"),
        BLOCK.replace(
            "# estimated\r\n",
            "# estimated\r\n  - {date: 2026-11-08, value: 90, note: new gate}\r\n"
        )
    );
    // A blank note is no note.
    let run = noted(&site, "m-rate", "13", "2026-11-01", "  ", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site
        .read("metrics/m-rate.md")
        .contains("{date: 2026-11-01, value: 13}]"));
    assert_eq!(findings(&site), Vec::<String>::new());
}

#[test]
fn a_note_for_a_recorded_date_needs_replace_and_a_note_already_written() {
    let site = site();
    // The same value with a new note is a change, not a repeat.
    let run = noted(&site, "m-wait", "120", "2026-10-01", "re-measured", &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("already records a different note for 2026-10-01"),
        "{}",
        run.stderr
    );
    assert_eq!(site.read("metrics/m-wait.md"), BLOCK);
    let run = noted(
        &site,
        "m-wait",
        "121",
        "2026-10-01",
        "re-measured",
        &["--replace"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site
        .read("metrics/m-wait.md")
        .contains("  - {date: 2026-10-01, value: 121, note: re-measured}\r\n"));
    // An item without `note:` cannot be given one in place: refused, unchanged.
    let before = site.read("metrics/m-wait.md");
    let run = noted(
        &site,
        "m-wait",
        "96",
        "2026-11-01",
        "counted",
        &["--replace"],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("without a note"), "{}", run.stderr);
    assert_eq!(site.read("metrics/m-wait.md"), before);
    // The same value and the same note again: nothing to do.
    let run = noted(&site, "m-wait", "121", "2026-10-01", "re-measured", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("recorded 0 check-ins"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_csv_note_column_is_written_and_blank_cells_write_no_note() {
    let site = site().file(
        "export.csv",
        "metric,date,value,note\r\nm-rate,2026-10-01,11,\"launch week, \"\"busy\"\"\"\r\nm-rate,2026-11-01,14,\r\n",
    );
    let csv = site.root().join("export.csv");
    let run = checkin(&site, &["--csv", &csv.to_string_lossy()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        site.read("metrics/m-rate.md").contains(
            "{date: 2026-10-01, value: 11, note: \"launch week, \\\"busy\\\"\"}, {date: 2026-11-01, value: 14}]"
        ),
        "{}",
        site.read("metrics/m-rate.md")
    );
    assert_eq!(findings(&site), Vec::<String>::new());
}

#[test]
fn the_metric_page_shows_each_note_in_its_table_and_on_its_chart() {
    let site = site();
    let run = noted(
        &site,
        "m-rate",
        "12",
        "2026-10-01",
        "<b>pricing</b> page",
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = std::fs::read_to_string(built.out.join("m-rate/index.html")).expect("page");
    assert!(page.contains("<th scope=\"col\">Note</th>"), "{page}");
    assert!(
        page.contains("<td>&lt;b&gt;pricing&lt;&#x2F;b&gt; page</td>")
            || page.contains("<td>&lt;b&gt;pricing&lt;/b&gt; page</td>"),
        "{page}"
    );
    assert!(page.contains("<g class=\"point noted\">"), "{page}");
    assert!(page.contains("12% — &lt;b&gt;pricing"), "{page}");
    // A note written by hand shows as well.
    let page = std::fs::read_to_string(built.out.join("m-wait/index.html")).expect("page");
    assert!(page.contains("<td>baseline week</td>"), "{page}");
}

const COMPANY: &str = "---\nid: cs\nkind: company-strategy\nreviewed: 2026-11-01\n---\n";
const PRODUCT: &str =
    "---\nid: ps\nkind: product-strategy\nparent: cs\nreviewed: 2026-11-01\n---\n";

fn bet(id: &str, size: &str, approval: &str) -> String {
    format!("---\nid: {id}\nkind: bet\nparent: ps\nquarter: 2027-Q1\nstatus: committed\nsize: {size}\nreviewed: 2026-11-01\ndhm: {{ delight: 3, hard_to_copy: 3, margin: 3 }}\nconfidence: {{ problem: high, solution: high, outcome: high }}\nsuccess: {{ outcome: X, metric: Y, baseline: 1, target: 2, deadline: 2027-03-31 }}\n{approval}---\n")
}

fn portfolio(config: &str) -> SiteTest {
    SiteTest::new()
        .file("throughline.yaml", config)
        .file("cs.md", COMPANY)
        .file("ps.md", PRODUCT)
        .file(
            "b1.md",
            bet("b1", "big", "approval: { level: product, approver: Bo }\n"),
        )
        .file(
            "b2.md",
            bet(
                "b2",
                "big",
                "approval: { level: executive, approver: Ana }\n",
            ),
        )
        .file("b3.md", bet("b3", "medium", ""))
        .file(
            "b4.md",
            bet(
                "b4",
                "medium",
                "approval: { level: executive, approver: Ana }\n",
            ),
        )
}

#[test]
fn the_approval_policy_and_all_sizes_come_from_the_config() {
    // The defaults: a big bet needs a named approver of any level, and two
    // big and two medium bets are a mix.
    assert_eq!(findings(&portfolio("title: T\n")), Vec::<String>::new());
    let site = portfolio(
        "approval: { big: executive, medium: product }\nportfolio_require_all_sizes: true\n",
    );
    assert_eq!(
        findings(&site),
        vec![
            "portfolio-imbalance b1.md:5:10",
            "missing-approval b1.md:12:20",
            "missing-approval b3.md:7:7",
        ]
    );
    let run = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert!(
        run.stdout
            .contains("big bet is approved at product level by Bo; the policy asks for executive"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("include no small bet"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_approval_policy_that_names_no_size_or_level_is_a_config_error_at_its_line() {
    for (config, said) in [
        (
            "approval: { huge: executive }\n",
            "`huge` under `approval` is not a bet size",
        ),
        (
            "approval:\n  big: ceo\n",
            "`approval.big` must be one of team, product, executive",
        ),
        (
            "approval: executive\n",
            "`approval` must map bet sizes to approval levels",
        ),
        (
            "portfolio_require_all_sizes: yes please\n",
            "`portfolio_require_all_sizes` must be",
        ),
    ] {
        let site = portfolio(config);
        let run = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
        assert_eq!(run.code, 2, "{config}: {}", run.stdout);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains(said), "{config}: {all}");
        assert!(all.contains("throughline.yaml:"), "{all}");
    }
}

#[test]
fn fixed_and_constraints_come_down_a_three_level_trail_and_open_stays_at_its_level() {
    let site = SiteTest::new()
        .file("cs.md", "---\nid: cs\nkind: company-strategy\ntitle: Company\nreviewed: 2026-11-01\nfixed: [Merchants own their data]\nopen: [Which markets first]\n---\n")
        .file("ps.md", "---\nid: ps\nkind: product-strategy\ntitle: Payouts\nparent: cs\nreviewed: 2026-11-01\nfixed:\n  - \"Payouts are free <always>\"\n---\n")
        .file("bet.md", "---\nid: bet\nkind: bet\ntitle: Instant\nparent: ps\nreviewed: 2026-11-01\nconstraints: [No new bank partner before Q2]\nopen: [The rail]\n---\n")
        .file("obj.md", "---\nid: obj\nkind: objective\ntitle: Same day\nparent: bet\nreviewed: 2026-11-01\nopen: [How we measure it]\n---\n")
        .file("w.md", "---\nid: w\nkind: work\ntitle: Plain\nparent: obj\nreviewed: 2026-11-20\n---\n");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page =
        |id: &str| std::fs::read_to_string(built.out.join(id).join("index.html")).expect("page");
    let obj = page("obj");
    for shown in [
        "Merchants own their data <span class=\"muted\">from <a href=\"../cs/index.html\">Company</a>",
        "Payouts are free &lt;always&gt; <span class=\"muted\">from <a href=\"../ps/index.html\">Payouts</a>",
        "<span class=\"badge\">constraint</span> No new bank partner before Q2 <span class=\"muted\">from <a href=\"../bet/index.html\">Instant</a>",
        "<li>How we measure it</li>",
    ] {
        assert!(obj.contains(shown), "{shown}\n{obj}");
    }
    // What is open belongs to its level.
    assert!(
        !obj.contains("The rail") && !obj.contains("Which markets first"),
        "{obj}"
    );
    let bet = page("bet");
    assert!(bet.contains("<li>The rail</li>"), "{bet}");
    // Its own statements carry no "from".
    let cs = page("cs");
    assert!(cs.contains("<li>Merchants own their data</li>"), "{cs}");
    // Inherited all the way down, even with nothing of its own.
    let w = page("w");
    assert!(w.contains("Merchants own their data"), "{w}");
    assert!(w.contains("Nothing stated as open at this level."), "{w}");
}

fn decision_site(new_date: &str, bet_reviewed: &str) -> SiteTest {
    SiteTest::new()
        .file("throughline.yaml", "rules: { no-dhm: allow }\n")
        .file("cs.md", COMPANY)
        .file("ps.md", PRODUCT)
        .file(
            "bet.md",
            format!("---\nid: bet\nkind: bet\ntitle: Instant\nparent: ps\nreviewed: {bet_reviewed}\n---\n"),
        )
        .file(
            "decisions/d-old.md",
            "---\nid: d-old\nkind: decision\ntitle: One rail\ndate: 2026-08-20\nstatus: superseded\nsuperseded_by: d-new\ndecides: [bet]\noptions: [One rail, Two rails]\ntradeoffs: [Speed over resilience]\nconstraints: [No new bank partner]\n---\nWhy.\n",
        )
        .file(
            "decisions/d-new.md",
            format!("---\nid: d-new\nkind: decision\ntitle: Fallback rail\ndate: {new_date}\nstatus: accepted\ndecides: [bet]\n---\nBecause.\n"),
        )
}

#[test]
fn decisions_show_on_what_they_shape_and_superseding_links_both_ways() {
    let site = decision_site("2026-10-28", "2026-11-03");
    assert_eq!(findings(&site), Vec::<String>::new());
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page =
        |id: &str| std::fs::read_to_string(built.out.join(id).join("index.html")).expect("page");
    let bet = page("bet");
    assert!(bet.contains("Decisions that shape it"), "{bet}");
    // Oldest first, each with its status.
    let old = bet
        .find("One rail</a> <span class=\"badge status-superseded\">")
        .expect("old");
    let new = bet
        .find("Fallback rail</a> <span class=\"badge status-accepted\">")
        .expect("new");
    assert!(old < new, "{bet}");
    let d_old = page("d-old");
    assert!(
        d_old.contains("Superseded by <a href=\"../d-new/index.html\">Fallback rail</a>"),
        "{d_old}"
    );
    for shown in [
        "<h2 id=\"options-h\">Options weighed</h2>",
        "<li>Two rails</li>",
        "<li>Speed over resilience</li>",
        "No new bank partner",
        "<dt>Decided</dt><dd>2026-08-20</dd>",
    ] {
        assert!(d_old.contains(shown), "{shown}\n{d_old}");
    }
    let d_new = page("d-new");
    assert!(d_new.contains("Decisions it supersedes"), "{d_new}");
    assert!(
        d_new.contains("<a href=\"../d-old/index.html\">One rail</a>"),
        "{d_new}"
    );
    // The decisions page: newest first, the superseded one saying by what.
    let list =
        std::fs::read_to_string(built.out.join("decisions/index.html")).expect("decisions page");
    let new_at = list.find("<td>2026-10-28</td>").expect("new");
    let old_at = list.find("<td>2026-08-20</td>").expect("old");
    assert!(new_at < old_at, "{list}");
    assert!(
        list.contains("superseded by <a href=\"../d-new/index.html\">Fallback rail</a>"),
        "{list}"
    );
    assert!(
        list.contains("aria-current=\"page\">Decisions</a>"),
        "{list}"
    );
    // The constraint of a decision is not inherited by what it decides:
    // `decides:` is no parent link.
    assert!(!bet.contains("No new bank partner"), "{bet}");
}

#[test]
fn a_bet_whose_deciding_decision_was_superseded_after_its_review_drifts() {
    // Superseded on 2026-10-01, the bet last reviewed 2026-09-01: past the 30-day grace by 2026-11-24.
    let site = decision_site("2026-10-01", "2026-09-01");
    let run = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert!(
        run.stdout.contains("warning[drift]: decision `d-old`, which shapes it, was superseded by `d-new` on 2026-10-01, 30 days after this bet was last reviewed (2026-09-01)"),
        "{}",
        run.stdout
    );
    assert_eq!(findings(&site), vec!["drift bet.md:6:11"]);
    // Within the grace period, or reviewed since: nothing.
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-10-20"]);
    assert_eq!(run.findings(), Vec::<String>::new());
    assert_eq!(
        findings(&decision_site("2026-10-01", "2026-10-02")),
        Vec::<String>::new()
    );
    // A superseding decision that names no decision is a schema error at the link.
    let bad = decision_site("2026-10-01", "2026-10-02").file(
        "decisions/d-old.md",
        "---\nid: d-old\nkind: decision\ntitle: One rail\nsuperseded_by: bet\n---\n",
    );
    let run = bad.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert!(run.stdout.contains("superseded_by"), "{}", run.stdout);
}

#[test]
fn the_bet_page_shows_confidence_over_time_with_its_notes() {
    let bet = "---\nid: bet\nkind: bet\ntitle: Instant\nparent: ps\nreviewed: 2026-11-01\nconfidence: { problem: high, solution: medium, outcome: medium }\nconfidence_log:\n  - {date: 2026-10-28, solution: medium, note: Pilot kept the promise}\n  - {date: 2026-08-20, problem: high, solution: low, outcome: medium, note: \"<i>Interviews</i>\", evidence: exp-x}\n---\n";
    let site = SiteTest::new()
        .file("throughline.yaml", "rules: { no-dhm: allow }\n")
        .file("cs.md", COMPANY)
        .file("ps.md", PRODUCT)
        .file("bet.md", bet);
    assert_eq!(findings(&site), Vec::<String>::new());
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = std::fs::read_to_string(built.out.join("bet/index.html")).expect("page");
    // Oldest first; the second entry carries problem and outcome over.
    let first = page
        .find("<tr><td>2026-08-20</td><td>high</td><td>low</td><td>medium</td><td>&lt;i&gt;Interviews&lt;&#x2F;i&gt; <span class=\"muted\">(evidence: exp-x)</span></td></tr>")
        .or_else(|| page.find("<tr><td>2026-08-20</td><td>high</td><td>low</td><td>medium</td><td>&lt;i&gt;Interviews&lt;/i&gt; <span class=\"muted\">(evidence: exp-x)</span></td></tr>"))
        .unwrap_or_else(|| panic!("{page}"));
    let second = page
        .find("<tr><td>2026-10-28</td><td>high</td><td>medium</td><td>medium</td><td>Pilot kept the promise</td></tr>")
        .unwrap_or_else(|| panic!("{page}"));
    assert!(first < second);
    // An entry without a date is a schema error at the entry, not a panic.
    let site = site.file(
        "bet.md",
        "---\nid: bet\nkind: bet\ntitle: Instant\nparent: ps\nconfidence_log:\n  - {problem: low}\n  - {date: someday}\n---\n",
    );
    let run = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("confidence entry 1 has no `date`"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("bet.md:7:5"), "{}", run.stdout);
    assert!(
        run.stdout.contains("not a valid date: `someday`"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_changes_page_shows_size_approval_confidence_and_result_changing() {
    use crate::support::{git, git_at};
    let bet = "---\nid: bet\nkind: bet\ntitle: Instant\nparent: ps\nstatus: committed\nreviewed: 2026-11-01\nsize: big\napproval: { level: executive, approver: Ana }\nconfidence: { problem: high, solution: low, outcome: medium }\n---\n";
    let experiment = "---\nid: exp\nkind: experiment\ntitle: Fake door\nassumption: They click\nresult: inconclusive\n---\n";
    let site = SiteTest::new()
        .file("throughline.yaml", "title: T\n")
        .file("cs.md", COMPANY)
        .file("ps.md", PRODUCT)
        .file("bet.md", bet)
        .file("exp.md", experiment);
    let root = site.root();
    let commit = |date: &str, message: &str| {
        git_at(root, date, &["add", "-A"]);
        git_at(root, date, &["commit", "-q", "-m", message]);
    };
    git(root, &["init", "-q", "-b", "main"]);
    commit("2026-10-01", "Set up");
    let downsized = bet
        .replace("size: big", "size: medium")
        .replace("approval: { level: executive, approver: Ana }\n", "")
        .replace("solution: low", "solution: medium");
    std::fs::write(root.join("bet.md"), downsized).expect("write");
    std::fs::write(
        root.join("exp.md"),
        experiment.replace("inconclusive", "invalidated"),
    )
    .expect("write");
    commit("2026-11-10", "Downsize the bet");
    let built = site.build_elsewhere(&[], &[]);
    assert_eq!(built.run.code, 0, "{}", built.run.stderr);
    let page = std::fs::read_to_string(built.out.join("changes/index.html")).expect("changes");
    for said in [
        "size big → medium",
        "approval approver: Ana, level: executive → (none)",
        "confidence outcome: medium, problem: high, solution: low → outcome: medium, problem: high, solution: medium",
        "result inconclusive → invalidated",
    ] {
        assert!(page.contains(said), "{said}\n{page}");
    }
    // `diff` between the two commits says the same fields changed.
    let run = site.run(&["diff", "HEAD~1", "HEAD", "--root", "ROOT"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for field in ["size", "approval", "confidence", "result"] {
        assert!(run.stdout.contains(field), "{field}\n{}", run.stdout);
    }
}

#[test]
fn fixed_and_open_on_a_kind_that_does_not_take_them_are_reported_at_the_field_and_not_read() {
    let site = SiteTest::new()
        .file("obj.md", "---\nid: obj\nkind: objective\ntitle: Same day\nreviewed: 2026-11-20\nfixed: [Payouts are free]\nopen: [How we measure it]\n---\n")
        .file("w.md", "---\nid: w\nkind: work\ntitle: Ledger\nparent: obj\nreviewed: 2026-11-20\nfixed: [Ledger first]\n# theirs\nopen:\n  - Which queue\n---\n")
        .file("m.md", "---\nid: m\nkind: metric\ntitle: Rate\nreviewed: 2026-11-20\nfixed: Always daily\n---\n");
    let run = site.run(&["check", "ROOT", "--format", "json", "--today", "2026-11-24"]);
    let schema: Vec<String> = run
        .findings()
        .into_iter()
        .filter(|f| f.starts_with("schema "))
        .collect();
    assert_eq!(
        schema,
        ["schema m.md:6:1", "schema w.md:7:1", "schema w.md:9:1"]
    );
    let human = site.run(&["check", "ROOT", "--today", "2026-11-24"]);
    assert!(
        human
            .stdout
            .contains("`open` is not read on a `work` document: it belongs to strategies, bets and objectives"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("move it to the objective, bet or strategy this document serves"),
        "{}",
        human.stdout
    );
    // Not read: the work's page shows what comes down the trail, not its own.
    let built = site.build_elsewhere(&[], &[]);
    let w = std::fs::read_to_string(built.out.join("w/index.html")).expect("page");
    assert!(w.contains("Payouts are free"), "{w}");
    assert!(
        !w.contains("Ledger first") && !w.contains("Which queue"),
        "{w}"
    );
}
