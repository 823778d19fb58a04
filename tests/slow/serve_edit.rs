//! `serve --edit` in headless Chromium (`tests/a11y/edit.mjs`): a check-in,
//! a review, a status and a confidence change with a note saved through the
//! forms by keyboard write what `checkin`, `review`, an edit of the
//! `status:` line and `confidence --note` write; axe-core
//! finds nothing on the pages with forms; pages on other origins (another
//! port, `file://`) get 403 posting the same forms. Then the Nu Html Checker
//! reads the served pages with forms, a refused form among them. The
//! screenshot lands in `target/screenshots/serve-edit-forms.png`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{run_limited, which, SiteTest};

const TODAY: &str = "2026-11-24";

/// A running `serve --edit`, stopped when dropped.
struct Served {
    child: Child,
    address: String,
}

impl Served {
    fn start(root: &Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
            .args(["serve", "--edit", "--port", "0", "--today", TODAY])
            .arg(root)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn serve --edit");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.contains("http://"))
            .expect("serve prints its address");
        // Keep reading, so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let start = line.find("http://").expect("url") + "http://".len();
        let rest = &line[start..];
        let address = rest[..rest.find('/').expect("slash")].to_string();
        Served { child, address }
    }

    /// The whole answer to `request`: (status, body).
    fn raw(&self, request: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("answer");
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let split = answer.find("\r\n\r\n").expect("head");
        (
            answer[9..12].parse().expect("status"),
            answer[split + 4..].to_string(),
        )
    }

    fn get(&self, target: &str) -> String {
        let (status, body) = self.raw(&format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        ));
        assert_eq!(status, 200, "GET {target}");
        body
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).expect("read")
}

#[test]
fn forms_save_by_keyboard_pass_axe_and_refuse_other_origins() {
    let Some(tools) = crate::a11y::node_tools("serve --edit") else {
        return;
    };
    let site = SiteTest::example();
    let by_hand = SiteTest::example();
    let server = Served::start(site.root());
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    let mut cmd = Command::new(&tools.node);
    cmd.arg(crate::a11y::tools_dir().join("edit.mjs"))
        .arg(format!("http://{}/", server.address))
        .arg(&shots)
        .env("CHROMIUM", &tools.chromium);
    let out = run_limited(cmd, Duration::from_secs(240));
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "the forms do not work as a reader expects:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let root = by_hand.root().display().to_string();
    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_throughline"))
            .args(args)
            .args(["--root", &root])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    cli(&["checkin", "m-same-day-rate", "33", "--date", TODAY]);
    cli(&["review", "bet-cash-forecast", "--today", TODAY]);
    let bet = "bets/bet-cash-forecast.md";
    let reviewed = read(by_hand.root(), bet);
    std::fs::write(
        by_hand.root().join(bet),
        reviewed.replacen("\nstatus: in-progress\n", "\nstatus: done\n", 1),
    )
    .expect("write");
    cli(&[
        "confidence",
        "bet-cash-forecast",
        "--solution",
        "low",
        "--note",
        "Pilot: 2 of 9 owners opened it",
        "--date",
        TODAY,
    ]);
    assert!(
        read(by_hand.root(), bet).contains("confidence_log:\n  - {date: 2026-11-24, problem: medium, solution: low, outcome: medium, note: \"Pilot: 2 of 9 owners opened it\"}\n"),
        "{}",
        read(by_hand.root(), bet)
    );
    for rel in ["metrics/m-same-day-rate.md", bet] {
        assert_eq!(
            read(site.root(), rel),
            read(by_hand.root(), rel),
            "{rel}: the forms wrote other bytes than the commands (or a refused post wrote)"
        );
    }
    nu_checks_the_pages_with_forms(&server);
}

/// The Nu Html Checker on the served pages with forms: a metric's, a bet's
/// and an objective's, and a refused check-in.
fn nu_checks_the_pages_with_forms(server: &Served) {
    let Some(java) = which(&["java"]) else {
        assert!(std::env::var("CI").is_err(), "CI must have java");
        eprintln!("vnu: java is missing; skipping");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (name, target) in [
        ("metric", "/m-same-day-rate/"),
        ("bet", "/bet-cash-forecast/"),
        ("objective", "/obj-same-day-rate/"),
    ] {
        let path = dir.path().join(format!("{name}.html"));
        std::fs::write(&path, server.get(target)).expect("write");
        files.push(path);
    }
    let page = server.get("/m-same-day-rate/");
    let hidden = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = page.find(&marker).expect(name) + marker.len();
        page[start..start + page[start..].find('"').expect("quote")].to_string()
    };
    let body = format!(
        "token={}&id=m-same-day-rate&back=m-same-day-rate&fingerprint={}&action=checkin&value=lots&date={TODAY}",
        hidden("token"),
        hidden("fingerprint")
    );
    let (status, refused) = server.raw(&format!(
        "POST /__throughline/edit HTTP/1.1\r\nHost: {0}\r\nOrigin: http://{0}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {1}\r\n\r\n{body}",
        server.address,
        body.len()
    ));
    assert_eq!(status, 422, "{refused}");
    assert!(refused.contains("aria-invalid"), "{refused}");
    let path = dir.path().join("refused.html");
    std::fs::write(&path, refused).expect("write");
    files.push(path);

    let jar = crate::a11y::tools_dir().join("node_modules/vnu-jar/build/dist/vnu.jar");
    let mut cmd = Command::new(java);
    cmd.arg("-jar")
        .arg(&jar)
        .args(["--format", "json"])
        .args(&files);
    let out = run_limited(cmd, Duration::from_secs(240));
    let report: serde_json::Value = serde_json::from_slice(&out.stderr).expect("a JSON report");
    let problems: Vec<String> = report["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|m| m["type"] != "info" || m["subType"] == "warning")
        .map(|m| format!("{}: {}: {}", m["url"], m["lastLine"], m["message"]))
        .collect();
    assert!(
        problems.is_empty(),
        "the Nu Html Checker found problems:\n{}",
        problems.join("\n")
    );
}
