//! `serve --edit`: forms posted to the real binary over raw HTTP write
//! what `checkin`, `review` and an edit of one field write, and nothing
//! reaches a file without the server's token, from another origin, over a
//! stale page, or beyond loopback.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::serve::{wait_for, Server};
use crate::support::SiteTest;

/// The date the server judges on (`Server::start_with` passes `--today`).
const TODAY: &str = "2026-11-24";

fn edit_server(site: &SiteTest) -> Server {
    Server::start_with(site.root(), &["--edit"])
}

/// The hidden fields of the form for `action` on document `id` in `page`.
fn form_of(page: &str, action: &str, id: &str) -> HashMap<String, String> {
    for form in page.split("<form method=\"post\"").skip(1) {
        let form = &form[..form.find("</form>").expect("a closed form")];
        let mut fields = HashMap::new();
        for input in form.split("<input type=\"hidden\" ").skip(1) {
            let attr = |name: &str| {
                let start = input.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                input[start..start + input[start..].find('"').expect("quote")].to_string()
            };
            fields.insert(attr("name"), attr("value"));
        }
        if fields.get("action").map(String::as_str) == Some(action)
            && fields.get("id").map(String::as_str) == Some(id)
        {
            return fields;
        }
    }
    panic!("no `{action}` form for `{id}` on the page");
}

fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        char::from(b).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The form for `action` on `id` as the page at `target` serves it, with `extra` fields.
fn body_for(
    server: &Server,
    target: &str,
    action: &str,
    id: &str,
    extra: &[(&str, &str)],
) -> String {
    let form = form_of(&server.page(target), action, id);
    let mut fields: Vec<(&str, &str)> =
        form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    fields.extend_from_slice(extra);
    encode(&fields)
}

/// Posts `body` to the edit route with `headers` (each `Name: value`), as a browser would
/// from the served origin unless `headers` say otherwise.
fn post_with(server: &Server, body: &str, headers: &[String]) -> (u16, String, String) {
    let mut request = format!(
        "POST /__throughline/edit HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        server.address,
        body.len()
    );
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    let (status, head, body) = server.raw(request.as_bytes());
    (status, head, String::from_utf8_lossy(&body).into_owned())
}

fn post(server: &Server, body: &str) -> (u16, String, String) {
    let origin = format!("Origin: http://{}", server.address);
    post_with(server, body, &[origin])
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).expect("read")
}

#[test]
fn without_edit_every_post_gets_405_as_before() {
    let site = SiteTest::example();
    let server = Server::start(site.root());
    let before = read(site.root(), "metrics/m-same-day-rate.md");
    for target in ["/__throughline/edit", "/", "/m-same-day-rate/"] {
        let request = format!(
            "POST {target} HTTP/1.1\r\nHost: {}\r\nOrigin: http://{0}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\nid=ab",
            server.address
        );
        let (status, head, _) = server.raw(request.as_bytes());
        assert_eq!(status, 405, "{target}: {head}");
        assert!(head.contains("\r\nAllow: GET, HEAD"), "{head}");
    }
    let page = server.page("/m-same-day-rate/");
    assert!(!page.contains("tl-edit"), "no forms without --edit");
    let (_, head, _) = server.request("/m-same-day-rate/");
    assert!(!head.contains("X-Frame-Options"), "{head}");
    assert_eq!(read(site.root(), "metrics/m-same-day-rate.md"), before);
}

#[test]
fn edit_beyond_loopback_exits_2_unless_allowed_and_then_warns() {
    let site = SiteTest::example();
    let refused = site.run(&[
        "serve", "--edit", "--bind", "0.0.0.0", "--port", "0", "ROOT",
    ]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("--allow-remote-edit"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("loopback"), "{}", refused.stderr);

    let commit_alone = site.run(&["serve", "--commit", "ROOT"]);
    assert_eq!(
        commit_alone.code, 2,
        "--commit needs --edit: {}",
        commit_alone.stderr
    );

    let server = Server::start_with(
        site.root(),
        &["--edit", "--allow-remote-edit", "--bind", "0.0.0.0"],
    );
    let warning = wait_for(&server.errors, |l| l.contains("--allow-remote-edit"));
    assert!(warning.contains("can change the documents"), "{warning}");
}

#[test]
fn commit_outside_a_git_work_tree_exits_2() {
    let site = SiteTest::example();
    let run = site.run_with_env(
        &["serve", "--edit", "--commit", "--port", "0", "ROOT"],
        // The temporary folder must not be found inside some other repository.
        &[("GIT_CEILING_DIRECTORIES", "/")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not in a git work tree"),
        "{}",
        run.stderr
    );
}

#[test]
fn forms_write_exactly_what_checkin_review_and_a_status_edit_write() {
    let served = SiteTest::example();
    let by_hand = SiteTest::example();
    let server = edit_server(&served);

    // A check-in, posted from the objective whose key result the metric is.
    let body = body_for(
        &server,
        "/obj-same-day-rate/",
        "checkin",
        "m-same-day-rate",
        &[
            ("value", "33"),
            ("date", TODAY),
            ("note", "Fallback rail: live"),
        ],
    );
    let (status, head, _) = post(&server, &body);
    assert_eq!(status, 303, "{head}");
    assert!(
        head.lines().any(|l| l == "Location: /obj-same-day-rate/"),
        "{head}"
    );
    let cli = by_hand.run(&[
        "checkin",
        "m-same-day-rate",
        "33",
        "--date",
        TODAY,
        "--note",
        "Fallback rail: live",
        "--root",
        "ROOT",
    ]);
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    let rel = "metrics/m-same-day-rate.md";
    assert_eq!(read(served.root(), rel), read(by_hand.root(), rel));
    assert!(
        read(served.root(), rel)
            .contains("{date: 2026-11-24, value: 33, note: \"Fallback rail: live\"}"),
        "{}",
        read(served.root(), rel)
    );
    // The page already shows it: the server rebuilt before answering.
    assert!(
        server.page("/m-same-day-rate/").contains(">33"),
        "the new check-in is shown"
    );

    // Mark reviewed.
    let body = body_for(
        &server,
        "/bet-cash-forecast/",
        "review",
        "bet-cash-forecast",
        &[],
    );
    assert_eq!(post(&server, &body).0, 303);
    let cli = by_hand.run(&[
        "review",
        "bet-cash-forecast",
        "--today",
        TODAY,
        "--root",
        "ROOT",
    ]);
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    let rel = "bets/bet-cash-forecast.md";
    assert_eq!(read(served.root(), rel), read(by_hand.root(), rel));

    // A status: the `status:` line alone changes.
    let before = read(served.root(), rel);
    let body = body_for(
        &server,
        "/bet-cash-forecast/",
        "status",
        "bet-cash-forecast",
        &[("status", "done")],
    );
    assert_eq!(post(&server, &body).0, 303);
    let expected = before.replacen("\nstatus: in-progress\n", "\nstatus: done\n", 1);
    assert_ne!(expected, before);
    assert_eq!(read(served.root(), rel), expected);

    // A confidence: the `confidence:` line changes and the log starts,
    // with every level, as the bet had none.
    let before = read(served.root(), rel);
    let body = body_for(
        &server,
        "/bet-cash-forecast/",
        "confidence",
        "bet-cash-forecast",
        &[
            ("problem", "high"),
            ("solution", "low"),
            ("outcome", "medium"),
        ],
    );
    assert_eq!(post(&server, &body).0, 303);
    let expected = before
        .replacen(
            "\nconfidence: { problem: medium, solution: medium, outcome: medium }\n",
            "\nconfidence: { problem: high, solution: low, outcome: medium }\n",
            1,
        )
        .replacen(
            "\n---\nProject",
            "\nconfidence_log:\n  - {date: 2026-11-24, problem: high, solution: low, outcome: medium}\n---\nProject",
            1,
        );
    assert_ne!(expected, before);
    assert_eq!(read(served.root(), rel), expected);
    let page = server.page("/bet-cash-forecast/");
    assert!(
        page.contains("<option selected>done</option>"),
        "the form shows the new status"
    );
}

#[test]
fn a_refused_value_is_shown_in_its_form_and_nothing_is_written() {
    let site = SiteTest::example();
    let server = edit_server(&site);
    let rel = "metrics/m-same-day-rate.md";
    let before = read(site.root(), rel);
    let body = body_for(
        &server,
        "/m-same-day-rate/",
        "checkin",
        "m-same-day-rate",
        &[("value", "lots"), ("date", TODAY)],
    );
    let (status, _, page) = post(&server, &body);
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("aria-invalid=\"true\" aria-describedby=\"tl-checkin-0-error\""),
        "{page}"
    );
    assert!(page.contains("id=\"tl-checkin-0-error\""), "{page}");
    assert!(page.contains("lots"), "what was typed is kept: {page}");
    assert!(
        page.contains("history.replaceState"),
        "a reload must not post again"
    );
    let body = body_for(
        &server,
        "/m-same-day-rate/",
        "checkin",
        "m-same-day-rate",
        &[("value", "3"), ("date", "24/11/2026")],
    );
    let (status, _, page) = post(&server, &body);
    assert_eq!(status, 422);
    assert!(
        page.contains("is not a date; write it as YYYY-MM-DD"),
        "{page}"
    );
    assert_eq!(read(site.root(), rel), before);

    // A second value for a recorded date is refused unless the box is ticked,
    // which is `--replace`.
    let other = |replace: bool| {
        let mut extra = vec![("value", "30"), ("date", "2026-11-15")];
        if replace {
            extra.push(("replace", "on"));
        }
        body_for(
            &server,
            "/m-same-day-rate/",
            "checkin",
            "m-same-day-rate",
            &extra,
        )
    };
    let (status, _, page) = post(&server, &other(false));
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("already records 31"), "{page}");
    assert!(
        page.contains("tick &quot;replace the value of that date&quot;"),
        "{page}"
    );
    assert_eq!(read(site.root(), rel), before);
    assert_eq!(post(&server, &other(true)).0, 303);
    let by_hand = SiteTest::example();
    let cli = by_hand.run(&[
        "checkin",
        "m-same-day-rate",
        "30",
        "--date",
        "2026-11-15",
        "--replace",
        "--root",
        "ROOT",
    ]);
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    assert_eq!(read(site.root(), rel), read(by_hand.root(), rel));
}

#[test]
fn forms_from_anywhere_but_the_served_pages_are_refused() {
    let site = SiteTest::example();
    let server = edit_server(&site);
    let rel = "bets/bet-cash-forecast.md";
    let before = read(site.root(), rel);
    let body = body_for(
        &server,
        "/bet-cash-forecast/",
        "review",
        "bet-cash-forecast",
        &[],
    );
    let refused = |headers: &[String], why: &str| {
        let (status, head, text) = post_with(&server, &body, headers);
        assert_eq!(status, 403, "{why}: {head}\n{text}");
        assert_eq!(read(site.root(), rel), before, "{why}");
        text
    };
    let text = refused(&["Origin: http://evil.example".into()], "another origin");
    assert!(text.contains("another origin"), "{text}");
    refused(&["Origin: null".into()], "a file:// page");
    refused(&[], "neither Origin nor Sec-Fetch-Site");
    refused(
        &["Sec-Fetch-Site: cross-site".into()],
        "a cross-site fetch without Origin",
    );
    let origin = format!("Origin: http://{}", server.address);
    let wrong_token = body.replace("token=", "token=0");
    let (status, _, text) = post_with(&server, &wrong_token, std::slice::from_ref(&origin));
    assert_eq!(status, 403);
    assert!(text.contains("token"), "{text}");
    let no_token: String = body
        .split('&')
        .filter(|f| !f.starts_with("token="))
        .collect::<Vec<_>>()
        .join("&");
    assert_eq!(
        post_with(&server, &no_token, std::slice::from_ref(&origin)).0,
        403
    );

    // DNS rebinding: a page at evil.example whose name now points here.
    let rebound = format!(
        "POST /__throughline/edit HTTP/1.1\r\nHost: evil.example\r\nOrigin: http://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(server.raw(rebound.as_bytes()).0, 403);
    assert_eq!(read(site.root(), rel), before);

    // An editable page may not be framed, so no other page can trick a click on it.
    let (_, head, _) = server.request("/bet-cash-forecast/");
    assert!(head.contains("\r\nX-Frame-Options: DENY"), "{head}");
    assert!(
        head.contains("\r\nContent-Security-Policy: frame-ancestors 'none'"),
        "{head}"
    );

    // A browser that sends no Origin but says same-origin is taken.
    let (status, head, _) = post_with(&server, &body, &["Sec-Fetch-Site: same-origin".into()]);
    assert_eq!(status, 303, "{head}");
    assert_ne!(read(site.root(), rel), before);
}

#[test]
fn malformed_oversized_and_misdirected_posts_get_their_status() {
    let site = SiteTest::example();
    let server = edit_server(&site);
    let host = &server.address;
    // Over 64 KiB: answered from the head, before a byte of the body is sent.
    let big = format!(
        "POST /__throughline/edit HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 65537\r\n\r\n"
    );
    let (status, _, body) = server.raw(big.as_bytes());
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    let chunked = format!(
        "POST /__throughline/edit HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    );
    assert_eq!(server.raw(chunked.as_bytes()).0, 411);
    let json = format!(
        "POST /__throughline/edit HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
    );
    assert_eq!(server.raw(json.as_bytes()).0, 415);
    let elsewhere = format!(
        "POST /m-same-day-rate/ HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n"
    );
    assert_eq!(server.raw(elsewhere.as_bytes()).0, 405);

    // The document is named by its id, never a path.
    let body = body_for(
        &server,
        "/m-same-day-rate/",
        "checkin",
        "m-same-day-rate",
        &[("value", "1")],
    );
    for id in ["../../etc/passwd", "metrics/m-same-day-rate.md", "m-nope"] {
        let renamed = body.replace("id=m-same-day-rate", &encode(&[("id", id)]));
        let (status, _, text) = post(&server, &renamed);
        assert_eq!(status, 404, "{id}: {text}");
    }
    let twice = format!("{body}&value=2");
    assert_eq!(post(&server, &twice).0, 400);
}

#[test]
fn a_form_over_a_file_changed_since_gets_409_and_the_change_stays() {
    let site = SiteTest::example();
    let server = edit_server(&site);
    let rel = "bets/bet-cash-forecast.md";
    let body = body_for(
        &server,
        "/bet-cash-forecast/",
        "status",
        "bet-cash-forecast",
        &[("status", "done")],
    );
    // Another tab, or an editor, saves meanwhile.
    let edited = read(site.root(), rel).replacen("status: in-progress", "status: committed", 1);
    std::fs::write(site.root().join(rel), &edited).expect("write");
    let (status, _, page) = post(&server, &body);
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("changed since this page was shown"), "{page}");
    assert!(page.contains("nothing was written"), "{page}");
    assert_eq!(read(site.root(), rel), edited);

    // The same once the server has taken the save in: the form's fingerprint
    // is that of the file as it was, whatever the server has seen since.
    let mut server = server;
    let page = server.page("/bet-cash-forecast/");
    let form = form_of(&page, "review", "bet-cash-forecast");
    let again = edited.replacen("status: committed", "status: discovery", 1);
    std::fs::write(site.root().join(rel), &again).expect("write");
    server.wait_for_line(|l| l.contains("bet-cash-forecast.md changed"));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, page) = post(&server, &encode(&fields));
    assert_eq!(status, 409, "{page}");
    assert_eq!(read(site.root(), rel), again);
}

fn git(root: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", root)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn with_commit_each_change_is_committed_alone_as_the_git_user() {
    let site = SiteTest::example();
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["config", "user.name", "Dana Li"]);
    git(root, &["config", "user.email", "dana@example.com"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "start"]);
    // Something else staged stays staged, out of the form's commit.
    std::fs::write(root.join("notes.txt"), "mine\n").expect("write");
    git(root, &["add", "notes.txt"]);

    let mut server = Server::start_with(root, &["--edit", "--commit"]);
    let body = body_for(
        &server,
        "/m-same-day-rate/",
        "checkin",
        "m-same-day-rate",
        &[("value", "33"), ("date", "2026-11-20")],
    );
    let (status, head, _) = post(&server, &body);
    assert_eq!(status, 303, "{head}");
    let line = server.wait_for_line(|l| l.starts_with("edited "));
    assert_eq!(
        line,
        "edited metrics/m-same-day-rate.md: checkin m-same-day-rate 33 (2026-11-20); committed"
    );
    let log = git(root, &["log", "-1", "--format=%s|%an|%ae", "--name-only"]);
    assert_eq!(
        log.trim(),
        "checkin m-same-day-rate 33 (2026-11-20)|Dana Li|dana@example.com\n\nmetrics/m-same-day-rate.md"
    );
    let status = git(root, &["status", "--porcelain"]);
    assert_eq!(
        status.trim(),
        "A  notes.txt",
        "nothing else committed, nothing left over"
    );
    assert_eq!(git(root, &["rev-list", "--count", "HEAD"]).trim(), "2");
}

#[test]
fn the_published_site_links_each_document_to_the_hosts_editor_only_when_told_where() {
    let page = "bet-cash-forecast/index.html";
    let link = |config: &str| {
        let site = SiteTest::example();
        let path = site.root().join("throughline.yaml");
        let text = read(site.root(), "throughline.yaml") + config;
        std::fs::write(&path, text).expect("config");
        let built = site.build_elsewhere(&[], &[]);
        assert_eq!(built.run.code, 0, "{}", built.run.stderr);
        let html = std::fs::read_to_string(built.out.join(page)).expect("page");
        html.find("Edit this page").map(|at| {
            let start = html[..at].rfind("<a href=\"").expect("a link") + 9;
            html[start..start + html[start..].find('"').expect("quote")].to_string()
        })
    };
    assert_eq!(link(""), None, "no link without repo_url or edit_url");
    assert_eq!(
        link("repo_url: https://git.example.com/fernhill/strategy\n"),
        None,
        "no guessed link for an unknown host"
    );
    assert_eq!(
        link("repo_url: https://github.com/fernhill/strategy\n").as_deref(),
        Some("https://github.com/fernhill/strategy/edit/main/bets/bet-cash-forecast.md")
    );
    assert_eq!(
        link("repo_url: https://gitlab.com/fernhill/strategy\n").as_deref(),
        Some("https://gitlab.com/fernhill/strategy/-/edit/main/bets/bet-cash-forecast.md")
    );
    assert_eq!(
        link("edit_url: https://code.example.com/s/_edit/trunk/docs/{path}?a=1&b=2\n").as_deref(),
        Some("https://code.example.com/s/_edit/trunk/docs/bets/bet-cash-forecast.md?a=1&amp;b=2")
    );
    let site = SiteTest::example().file("throughline.yaml", "edit_url: https://x.example/edit\n");
    let run = site.run(&["check", "ROOT"]);
    assert_eq!(run.code, 2, "a pattern without {{path}} is refused");
    assert!(run.stderr.contains("edit_url"), "{}", run.stderr);
}

#[test]
fn a_status_or_confidence_the_kind_does_not_take_is_refused_beside_its_field() {
    let site = SiteTest::example();
    let server = edit_server(&site);
    let rel = "bets/bet-cash-forecast.md";
    let before = read(site.root(), rel);
    let body = body_for(
        &server,
        "/bet-cash-forecast/",
        "status",
        "bet-cash-forecast",
        &[("status", "active")],
    );
    let (status, _, page) = post(&server, &body);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("`active` is not a status of a bet"), "{page}");
    assert!(page.contains("id=\"tl-status-value\" name=\"status\" aria-invalid=\"true\" aria-describedby=\"tl-status-error\""), "{page}");
    let body = body_for(
        &server,
        "/bet-cash-forecast/",
        "confidence",
        "bet-cash-forecast",
        &[("problem", "sure"), ("solution", "low"), ("outcome", "low")],
    );
    let (status, _, page) = post(&server, &body);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("`sure` is not a confidence level"), "{page}");
    assert!(
        page.contains("aria-describedby=\"tl-confidence-error\""),
        "{page}"
    );
    // A metric has no status form, and a form for one is refused all the same.
    assert!(!server.page("/m-same-day-rate/").contains("tl-status-value"));
    let checkin = form_of(
        &server.page("/m-same-day-rate/"),
        "checkin",
        "m-same-day-rate",
    );
    let crafted = encode(&[
        ("token", &checkin["token"]),
        ("id", "m-same-day-rate"),
        ("fingerprint", &checkin["fingerprint"]),
        ("action", "status"),
        ("status", "archived"),
    ]);
    let (status, _, page) = post(&server, &crafted);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("not of a metric"), "{page}");
    let metric = "metrics/m-same-day-rate.md";
    assert!(!read(site.root(), metric).contains("archived"));
    assert_eq!(read(site.root(), rel), before);
}

#[test]
fn a_confidence_change_with_a_note_writes_what_the_confidence_command_writes() {
    let served = SiteTest::example();
    let by_hand = SiteTest::example();
    let root = served.root();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["config", "user.name", "Dana Li"]);
    git(root, &["config", "user.email", "dana@example.com"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "start"]);
    let mut server = Server::start_with(root, &["--edit", "--commit"]);
    let rel = "bets/bet-instant-payouts.md";
    let before = read(root, rel);
    let note = "Rail B failed twice: \"2 outages\", 1 week";
    // The form posts every level; only the solution moves.
    let body = body_for(
        &server,
        "/bet-instant-payouts/",
        "confidence",
        "bet-instant-payouts",
        &[
            ("problem", "high"),
            ("solution", "low"),
            ("outcome", "medium"),
            ("note", note),
        ],
    );
    let (status, head, _) = post(&server, &body);
    assert_eq!(status, 303, "{head}");
    let line = server.wait_for_line(|l| l.starts_with("edited "));
    assert_eq!(
        line,
        "edited bets/bet-instant-payouts.md: confidence bet-instant-payouts solution medium -> low (2026-11-24); committed"
    );
    let subject = git(root, &["log", "-1", "--format=%s"]);
    assert_eq!(
        subject.trim(),
        "confidence bet-instant-payouts solution medium -> low (2026-11-24)"
    );

    // The command line: a dry run writes nothing and says what it would do.
    let args = |extra: &[&str]| {
        let mut args = vec![
            "confidence",
            "bet-instant-payouts",
            "--solution",
            "low",
            "--note",
            note,
            "--date",
            TODAY,
            "--root",
            "ROOT",
        ];
        args.extend_from_slice(extra);
        by_hand.run(&args)
    };
    let dry = args(&["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.starts_with(
            "would record confidence bet-instant-payouts solution medium -> low (2026-11-24) in bets/bet-instant-payouts.md"
        ),
        "{}",
        dry.stdout
    );
    assert!(dry.stderr.contains("dry run: nothing was written"));
    assert_eq!(read(by_hand.root(), rel), before);
    let cli = args(&[]);
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    assert_eq!(read(root, rel), read(by_hand.root(), rel), "the same bytes");

    // Only the two fields changed: the level, and one entry with the level that moved.
    let expected = before
        .replacen(
            "confidence: { problem: high, solution: medium, outcome: medium }",
            "confidence: { problem: high, solution: low, outcome: medium }",
            1,
        )
        .replacen(
            "the fallback rail keeps the promise\"}\n",
            "the fallback rail keeps the promise\"}\n  - {date: 2026-11-24, solution: low, note: \"Rail B failed twice: \\\"2 outages\\\", 1 week\"}\n",
            1,
        );
    assert_ne!(expected, before);
    assert_eq!(read(root, rel), expected);
    let page = server.page("/bet-instant-payouts/");
    assert!(
        page.contains("<td>2026-11-24</td><td>high</td><td>low</td><td>medium</td><td>Rail B failed twice: &quot;2 outages&quot;, 1 week</td>"),
        "the page's confidence history shows the change and its note"
    );

    // Asked again, nothing changes: the CLI says so and writes nothing; a
    // note with no change is refused rather than lost.
    let again = by_hand.run(&[
        "confidence",
        "bet-instant-payouts",
        "--solution",
        "low",
        "--root",
        "ROOT",
    ]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("nothing to record"),
        "{}",
        again.stderr
    );
    let lone = args(&[]);
    assert_eq!(lone.code, 2, "{}", lone.stderr);
    assert!(lone.stderr.contains("already"), "{}", lone.stderr);
    assert_eq!(read(root, rel), read(by_hand.root(), rel));
}

#[test]
fn the_confidence_command_refuses_what_it_cannot_record_and_writes_nothing() {
    let site = SiteTest::example();
    let before = read(site.root(), "bets/bet-instant-payouts.md");
    for (args, said) in [
        (
            vec!["bet-instant-payout", "--problem", "low"],
            "did you mean `bet-instant-payouts`?",
        ),
        (
            vec!["bet-instant-payouts", "--problem", "sure"],
            "`sure` is not a confidence level for problem",
        ),
        (
            vec!["obj-same-day-rate", "--problem", "low"],
            "has no confidence",
        ),
        (
            vec!["bet-instant-payouts", "--date", "2026-11-24"],
            "give at least one level",
        ),
    ] {
        let mut run = vec!["confidence"];
        run.extend(args.iter().copied());
        run.extend(["--root", "ROOT"]);
        let out = site.run(&run);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(said), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("nothing was written"), "{}", out.stderr);
    }
    let bad_date = site.run(&[
        "confidence",
        "bet-instant-payouts",
        "--problem",
        "low",
        "--date",
        "11/24",
        "--root",
        "ROOT",
    ]);
    assert_eq!(bad_date.code, 2, "{}", bad_date.stderr);
    assert!(
        bad_date.stderr.contains("YYYY-MM-DD"),
        "{}",
        bad_date.stderr
    );
    assert_eq!(read(site.root(), "bets/bet-instant-payouts.md"), before);
}

#[test]
fn a_confidence_form_that_changes_nothing_but_carries_a_note_is_refused_beside_it() {
    let site = SiteTest::example();
    let server = edit_server(&site);
    let rel = "bets/bet-instant-payouts.md";
    let before = read(site.root(), rel);
    let body = body_for(
        &server,
        "/bet-instant-payouts/",
        "confidence",
        "bet-instant-payouts",
        &[
            ("problem", "high"),
            ("solution", "medium"),
            ("outcome", "medium"),
            ("note", "Still <sure>"),
        ],
    );
    let (status, _, page) = post(&server, &body);
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("<p id=\"tl-confidence-error\" class=\"tl-edit-error\" role=\"alert\">the confidence of `bet-instant-payouts` is already { problem: high, solution: medium, outcome: medium }; change a level to record a change with its note</p>"),
        "{page}"
    );
    assert!(
        page.contains("name=\"note\" autocomplete=\"off\" value=\"Still &lt;sure&gt;\""),
        "the note typed is kept: {page}"
    );
    assert_eq!(read(site.root(), rel), before);
}
