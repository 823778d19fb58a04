use super::*;
use crate::config::TrackerConfig;

fn entry(format: Option<TrackerFormat>) -> TrackerConfig {
    TrackerConfig {
        file: "x".to_string(),
        file_span: crate::diagnostics::Span::file_start(),
        format,
        team: Some("team-payouts".to_string()),
        url: Some("https://acme.atlassian.net/browse/".to_string()),
        team_map: [("Platform".to_string(), "team-platform".to_string())].into(),
        status_map: Default::default(),
        unplanned_labels: crate::config::DEFAULT_UNPLANNED_LABELS
            .iter()
            .map(|s| s.to_string())
            .collect(),
        label_prefix: "tl:".to_string(),
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/trackers/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

fn read(name: &str, format: Option<TrackerFormat>) -> Export {
    parse(name, fixture(name), &entry(format))
}

fn keys(e: &Export) -> Vec<&str> {
    e.items.iter().map(|i| i.key.as_str()).collect()
}

fn rules(e: &Export) -> Vec<(String, u32, String)> {
    e.diagnostics
        .iter()
        .map(|d| {
            (
                d.severity.as_str().to_string(),
                d.span.line,
                d.message.clone(),
            )
        })
        .collect()
}

#[test]
fn gh_issue_list_json_is_read_with_keys_states_labels_and_milestones() {
    let e = read("gh-issue-list.json", None);
    assert_eq!(e.format, Some(TrackerFormat::Github));
    assert_eq!(
        keys(&e),
        [
            "acme/app#123",
            "acme/app#124",
            "acme/app#125",
            "acme/app#126"
        ]
    );
    let [a, b, c, d] = &e.items[..] else { panic!() };
    assert_eq!(a.state, WorkState::Done);
    assert_eq!(a.owner.as_deref(), Some("ana"));
    assert_eq!(a.quarter, Quarter::parse("2026-Q1"));
    assert_eq!(
        a.url.as_deref(),
        Some("https://github.com/acme/app/issues/123")
    );
    assert_eq!(a.names[0].id, "obj-payouts", "[[id]] in the body");
    assert!(a.groups.contains(&"milestone:q1 payouts".to_string()));
    assert!(b.unplanned && b.state == WorkState::ToDo && b.owner.is_none());
    assert_eq!(b.names[0].id, "obj-payouts");
    // The label's place in the export, not the item's.
    assert_eq!(
        (b.names[0].span.line, b.names[0].span.column),
        (41, 18),
        "{:?}",
        b.names[0].span
    );
    assert_eq!(c.state, WorkState::Canceled, "closed as not planned");
    assert_eq!(d.names[0].id, "obj-nowhere");
    // Detected: an info says which format was used.
    assert_eq!(
        rules(&e),
        [(
            "info".to_string(),
            1,
            "read as a github export (detected from its content)".to_string()
        )]
    );
}

#[test]
fn rest_arrays_from_gh_api_paginate_are_joined_and_pull_requests_skipped() {
    let e = read("gh-api-paginate.json", Some(TrackerFormat::Github));
    assert_eq!(keys(&e), ["acme/app#7", "acme/app#9"]);
    assert_eq!(e.items[0].quarter, Quarter::parse("2026-Q2"), "due_on");
    assert_eq!(
        e.items[0].url.as_deref(),
        Some("https://github.com/acme/app/issues/7")
    );
    assert!(e.items[1].unplanned && e.items[1].state == WorkState::Done);
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
}

#[test]
fn jira_csv_with_bom_crlf_repeated_columns_and_numeric_parents() {
    let e = read("jira-all-fields.csv", None);
    assert_eq!(e.format, Some(TrackerFormat::Jira));
    assert_eq!(keys(&e), ["PAY-12", "PAY-42", "PAY-43", "PAY-44"]);
    let story = &e.items[1];
    assert_eq!(story.owner.as_deref(), Some("José Álvarez"));
    assert_eq!(story.names[0].id, "obj-payouts");
    assert_eq!(story.quarter, Quarter::parse("2026-Q1"), "from the sprint");
    assert_eq!(story.estimate, Some(5.0));
    assert_eq!(story.date, crate::date::parse_date("2026-02-12"));
    assert_eq!(story.parent_key.as_deref(), Some("PAY-12"), "the epic link");
    assert_eq!(
        story.url.as_deref(),
        Some("https://acme.atlassian.net/browse/PAY-42")
    );
    assert_eq!(story.team.as_deref(), Some("team-payouts"));
    // `Parent` 10042 is PAY-42's `Issue id`.
    assert_eq!(e.items[2].parent_key.as_deref(), Some("PAY-42"));
    assert!(e.items[2].owner.is_none(), "an empty assignee is none");
    assert!(e.items[3].unplanned);
    assert_eq!(e.items[3].state, WorkState::ToDo);
    // The unknown status skips its row alone, at its line (after the quoted newline).
    let found = rules(&e);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[1].0, "warning");
    assert_eq!(found[1].1, 7);
    assert!(
        found[1]
            .2
            .contains("PAY-45 has the unknown status `Parked`"),
        "{found:?}"
    );
}

#[test]
fn a_status_map_names_a_custom_status() {
    let mut config = entry(Some(TrackerFormat::Jira));
    config
        .status_map
        .insert("parked".to_string(), WorkState::ToDo);
    let e = parse("j.csv", fixture("jira-all-fields.csv"), &config);
    assert_eq!(e.items.len(), 5);
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
}

#[test]
fn jira_search_json_reads_categories_and_makes_browse_links() {
    let e = read("jira-search.json", None);
    assert_eq!(e.format, Some(TrackerFormat::Jira));
    assert_eq!(keys(&e), ["OSP-7", "OSP-8"]);
    assert_eq!(e.items[0].state, WorkState::InProgress);
    assert_eq!(e.items[0].owner.as_deref(), Some("Zoë Ng"));
    assert_eq!(e.items[0].parent_key.as_deref(), Some("OSP-1"));
    assert_eq!(e.items[1].state, WorkState::ToDo, "by its category");
}

#[test]
fn linear_csv_reads_cycles_projects_labels_and_dates() {
    let e = read("linear.csv", None);
    assert_eq!(e.format, Some(TrackerFormat::Linear));
    assert_eq!(keys(&e), ["ENG-40", "ENG-41", "ENG-42", "ENG-43"]);
    let a = &e.items[0];
    assert_eq!(a.team.as_deref(), Some("team-platform"), "through team_map");
    assert_eq!(a.quarter, Quarter::parse("2026-Q2"));
    assert_eq!(a.estimate, Some(3.0));
    assert_eq!(a.names.len(), 1, "label and [[id]] name one document once");
    assert!(a.groups.contains(&"project:payouts v2".to_string()));
    assert!(e.items[1].unplanned && e.items[1].state == WorkState::Done);
    assert_eq!(e.items[2].state, WorkState::Canceled);
    assert_eq!(e.items[3].parent_key.as_deref(), Some("ENG-40"));
}

#[test]
fn the_plain_table_reads_its_columns_and_skips_a_bad_quarter() {
    let e = read("plain.csv", Some(TrackerFormat::Csv));
    assert_eq!(keys(&e), ["OPS-1", "OPS-2"]);
    assert_eq!(e.items[0].names[0].id, "obj-payouts");
    assert_eq!(e.items[0].url.as_deref(), Some("https://ops.example/OPS-1"));
    assert!(e.items[1].unplanned);
    let found = rules(&e);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, 4);
    assert!(found[0].2.contains("`Q5`"), "{found:?}");
}

#[test]
fn a_missing_required_column_or_bad_json_leaves_the_export_unused() {
    let e = parse(
        "a.csv",
        b"Issue key,Summary\nPAY-1,x\n".to_vec(),
        &entry(Some(TrackerFormat::Jira)),
    );
    assert!(e.items.is_empty());
    assert_eq!(e.diagnostics[0].severity, Severity::Error);
    assert!(e.diagnostics[0].message.contains("no `Status` column"));
    let e = parse(
        "a.json",
        b"[{\"number\": 1,\n \"title\": \"x\", \"state\": \"open\"},\n {oops}]".to_vec(),
        &entry(None),
    );
    assert!(e.items.is_empty());
    let d = e
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert_eq!((d.span.line, d.span.column), (3, 3), "{d:?}");
}

#[test]
fn a_bad_item_is_skipped_at_its_place_and_the_others_kept() {
    let text = "[{\"number\": 1, \"title\": \"a\", \"state\": \"open\"},\n {\"number\": \"two\", \"state\": \"open\"},\n {\"number\": 3, \"title\": \"c\", \"state\": \"open\", \"url\": \"javascript:alert(1)\"}]";
    let e = parse(
        "a.json",
        text.as_bytes().to_vec(),
        &entry(Some(TrackerFormat::Github)),
    );
    assert_eq!(keys(&e), ["#1", "#3"]);
    assert_eq!(e.items[1].url, None, "only http(s) links are kept");
    assert_eq!(e.diagnostics.len(), 1);
    assert_eq!(e.diagnostics[0].span.line, 2);
}

#[test]
fn dates_as_trackers_write_them() {
    let d = |s| parse_any_date(s).map(|d| d.to_string());
    assert_eq!(d("2026-03-04T10:00:00Z").as_deref(), Some("2026-03-04"));
    assert_eq!(d("04/Mar/26 10:00 AM").as_deref(), Some("2026-03-04"));
    assert_eq!(d("04/Mar/2026").as_deref(), Some("2026-03-04"));
    assert_eq!(
        d("Wed Mar 04 2026 10:00:00 GMT+0000 (GMT)").as_deref(),
        Some("2026-03-04")
    );
    assert_eq!(d("yesterday"), None);
    assert_eq!(d("31/Feb/26"), None);
}

#[test]
fn derived_ids_are_slugs_of_keys() {
    assert_eq!(derived_id("PAY-42"), "pay-42");
    assert_eq!(derived_id("acme/app#123"), "acme-app-123");
}

#[test]
fn garbage_never_panics() {
    for bytes in [
        &b""[..],
        b"[",
        b"\xff\xfe",
        b"{\"issues\": [1, {\"key\": 2}]}",
        b"\"a\nb",
        b"id,title,status\n\"unterminated",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "ID,Title,Status,Cycle Name\né,[[,Todo,\n".as_bytes(),
    ] {
        for format in [None, Some(TrackerFormat::Github), Some(TrackerFormat::Jira), Some(TrackerFormat::Linear), Some(TrackerFormat::Csv)] {
            let _ = parse("x", bytes.to_vec(), &entry(format));
        }
    }
}

#[test]
fn an_items_link_that_is_not_http_is_dropped_whatever_the_format() {
    // Links go into pages' `href`s and the trace's forest index: an
    // export is attacker-written, so `javascript:` and friends never pass.
    let gh = br#"[{"number":1,"title":"a","state":"OPEN","labels":[],"assignees":[],"url":"javascript:alert(1)"},
                 {"number":2,"title":"b","state":"OPEN","labels":[],"assignees":[],"url":"https://github.com/acme/app/issues/2"}]"#;
    let e = parse("gh.json", gh.to_vec(), &entry(Some(TrackerFormat::Github)));
    let urls: Vec<Option<&str>> = e.items.iter().map(|i| i.url.as_deref()).collect();
    assert_eq!(urls, [None, Some("https://github.com/acme/app/issues/2")]);
    let csv = b"id,title,status,url\nX-1,a,todo,\"data:text/html,<script>x</script>\"\nX-2,b,todo, JavaScript:alert(1)\n";
    let e = parse("plain.csv", csv.to_vec(), &entry(Some(TrackerFormat::Csv)));
    assert_eq!(e.items.len(), 2, "{:?}", rules(&e));
    assert!(e.items.iter().all(|i| i.url.is_none()), "{:?}", e.items);
}

#[test]
fn an_issues_body_names_what_it_links_however_it_is_escaped_and_must_be_text() {
    // Bodies are kept as written unless they may name something: a plain
    // `[[`, or `\u` escapes that could spell one, are read; a body that is
    // not a string skips the issue at the body.
    let text = r#"[{"number":1,"title":"a","state":"open","body":"Steps:\r\nserves [[obj-a]]"},
 {"number":2,"title":"b","state":"open","body":"serves \u005b\u005bobj-b]] \u00e9"},
 {"number":3,"title":"c","state":"open","body":"nothing here\r\n"},
 {"number":4,"title":"d","state":"open","body":null},
 {"number":5,"title":"e","state":"open",
  "body": 42}]"#;
    let e = parse(
        "a.json",
        text.as_bytes().to_vec(),
        &entry(Some(TrackerFormat::Github)),
    );
    assert_eq!(keys(&e), ["#1", "#2", "#3", "#4"]);
    let named: Vec<Vec<&str>> = e
        .items
        .iter()
        .map(|i| i.names.iter().map(|n| n.id.as_str()).collect())
        .collect();
    assert_eq!(named, [vec!["obj-a"], vec!["obj-b"], vec![], vec![]]);
    assert_eq!(e.diagnostics.len(), 1, "{:?}", rules(&e));
    let d = &e.diagnostics[0];
    assert!(d.message.contains("#5's `body`"), "{}", d.message);
    // At the value (serde_json reports where it stopped, within `42`).
    assert_eq!(d.span.line, 6, "{d:?}");
    assert!((11..=13).contains(&d.span.column), "{d:?}");
}
