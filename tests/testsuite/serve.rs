//! `serve`: the real binary on a copy of a fixture site, spoken to over raw
//! HTTP; edits on disk must reach the reload stream and the pages.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::support::SiteTest;

/// How long to wait for the server or an event before failing.
const PATIENCE: Duration = Duration::from_secs(20);

/// A running `throughline serve`, stopped when dropped.
struct Server {
    child: Child,
    address: String,
    output: Receiver<String>,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
            .args(["serve", "--port", "0", "--today", "2026-11-24"])
            .arg(root)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn throughline serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            address: String::new(),
            output,
        };
        let line = server.wait_for_line(|l| l.contains("http://"));
        let start = line.find("http://").expect("url") + "http://".len();
        let rest = &line[start..];
        server.address = rest[..rest.find('/').expect("slash")].to_string();
        server
    }

    fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(_) => panic!("serve did not print the expected line in time"),
            }
        }
    }

    /// Sends a raw request line and returns (status code, head, body).
    fn request(&self, target: &str) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        )
        .expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("head");
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = head[9..12].parse().expect("status");
        (status, head, response[split + 4..].to_vec())
    }

    fn page(&self, target: &str) -> String {
        let (status, _, body) = self.request(target);
        assert_eq!(status, 200, "GET {target}");
        String::from_utf8(body).expect("utf-8")
    }

    /// Opens the reload stream; each `data:` line arrives on the receiver.
    fn reloads(&self) -> Receiver<String> {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        write!(
            stream,
            "GET /__throughline/events HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        .expect("send");
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if line.starts_with(": connected") {
                    let _ = ready_tx.send(());
                }
                if let Some(data) = line.strip_prefix("data: ") {
                    if tx.send(data.to_string()).is_err() {
                        break;
                    }
                }
            }
        });
        ready.recv_timeout(PATIENCE).expect("the stream opens");
        rx
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn next_reload(events: &Receiver<String>) -> String {
    events
        .recv_timeout(PATIENCE)
        .expect("a reload event after the change")
}

fn replace_in(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{rel} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn an_edit_reloads_the_page_a_broken_file_shows_the_overlay_and_a_fix_recovers() {
    let site = SiteTest::fixture("healthy");
    let root = site.root();
    let mut server = Server::start(root);
    let home = server.page("/");
    assert!(
        home.contains("EventSource(\"/__throughline/events\")"),
        "reload script injected"
    );
    let before = server.page("/bet-instant/");
    assert!(before.contains("Merchants are paid the same day"));
    let events = server.reloads();

    replace_in(
        root,
        "bets/bet-instant.md",
        "title: Bet bet-instant",
        "title: Same-day payouts for everyone",
    );
    assert_eq!(next_reload(&events), "1");
    let edited = server.page("/bet-instant/");
    assert!(edited.contains("Same-day payouts for everyone"));
    assert!(
        server.page("/").contains("Same-day payouts for everyone"),
        "the dashboard follows"
    );
    server.wait_for_line(|l| l.starts_with("bets/bet-instant.md changed: rebuilt in"));

    replace_in(
        root,
        "bets/bet-instant.md",
        "quarter: 2026-Q4",
        "quarter: [2026",
    );
    assert_eq!(next_reload(&events), "2");
    let broken = server.page("/bet-instant/");
    assert!(
        broken.contains("id=\"throughline-error\""),
        "the overlay is shown"
    );
    assert!(
        broken.contains("bets/bet-instant.md:"),
        "with the file and line"
    );
    assert!(
        broken.contains("Same-day payouts for everyone"),
        "over the last good page"
    );
    server.wait_for_line(|l| l.contains("still serving the last good build"));

    replace_in(
        root,
        "bets/bet-instant.md",
        "quarter: [2026",
        "quarter: 2027-Q1",
    );
    assert_eq!(next_reload(&events), "3");
    let fixed = server.page("/bet-instant/");
    assert!(!fixed.contains("throughline-error"), "the overlay is gone");
    assert!(fixed.contains("2027-Q1"));
}

#[test]
fn new_deleted_and_moved_documents_are_picked_up() {
    let site = SiteTest::fixture("healthy");
    let root = site.root();
    let server = Server::start(root);
    let events = server.reloads();

    let folder = root.join("work/later");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let text = std::fs::read_to_string(root.join("work/w-ledger.md"))
        .expect("read")
        .replace("id: w-ledger", "id: w-later");
    std::fs::write(folder.join("w-later.md"), text).expect("write");
    next_reload(&events);
    assert_eq!(server.request("/w-later/").0, 200);

    std::fs::rename(&folder, root.join("work/moved")).expect("rename folder");
    std::fs::remove_file(root.join("work/moved/w-later.md")).expect("remove");
    next_reload(&events);
    let deadline = Instant::now() + PATIENCE;
    while server.request("/w-later/").0 != 404 {
        assert!(
            Instant::now() < deadline,
            "the deleted page is still served"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn nothing_outside_the_site_is_served() {
    let site = SiteTest::fixture("healthy").file("static/robots.txt", "User-agent: *\n");
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(outside.path().join("secret.txt"), "top secret").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        site.root().join("static/secret.txt"),
    )
    .expect("symlink");
    let server = Server::start(site.root());

    let (status, head, body) = server.request("/robots.txt");
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: text/plain"), "{head}");
    assert_eq!(body, b"User-agent: *\n");

    for target in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "//etc/passwd",
        "/etc/passwd",
        "/secret.txt",
        "/throughline.yaml",
        "/bets/bet-instant.md",
    ] {
        let (status, _, body) = server.request(target);
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 404, "{target}");
        assert!(
            !body.contains("root:") && !body.contains("top secret"),
            "{target} leaked: {body}"
        );
    }
    let (status, head, body) = server.request("/no-such-page/");
    assert_eq!(status, 404);
    assert!(head.contains("text/html"));
    assert!(
        String::from_utf8_lossy(&body).contains("</html>"),
        "the theme's 404 page"
    );

    let (status, head, _) = server.request("/assets/style.css");
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: text/css"), "{head}");
    let (status, head, _) = server.request("/graph.json");
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: application/json"), "{head}");
    let (status, head, _) = server.request("/bet-instant");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /bet-instant/"), "{head}");
}

#[test]
fn build_output_never_carries_the_reload_script() {
    let site = SiteTest::fixture("healthy");
    let run = site.run(&["build", "ROOT", "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for entry in walkdir::WalkDir::new(site.root().join("public")) {
        let entry = entry.expect("walk");
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(entry.path()).expect("read");
            assert!(
                !html.contains("__throughline"),
                "{}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let site = SiteTest::fixture("healthy");
    let run = site.run(&["serve", "ROOT", "--port", &port]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--port 0"), "{}", run.stderr);
}
