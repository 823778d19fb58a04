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
pub(crate) struct Server {
    child: Child,
    pub(crate) address: String,
    pub(crate) output: Receiver<String>,
    pub(crate) errors: Receiver<String>,
}

impl Server {
    pub(crate) fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    /// Starts on a free port, on 2026-11-24, with `args` added to the command line.
    pub(crate) fn start_with(root: &Path, args: &[&str]) -> Server {
        let mut all = vec!["--today", "2026-11-24"];
        all.extend_from_slice(args);
        Server::launch(root, &all)
    }

    /// Starts on a free port with only `args` added: without `--today`, the
    /// site's `as_of` (or `SOURCE_DATE_EPOCH`, set here) names the day.
    fn launch(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
            .args(["serve", "--port", "0"])
            .args(args)
            .env("SOURCE_DATE_EPOCH", "1795478400")
            .arg(root)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn throughline serve");
        let output = lines_of(child.stdout.take().expect("stdout"));
        let errors = lines_of(child.stderr.take().expect("stderr"));
        let mut server = Server {
            child,
            address: String::new(),
            output,
            errors,
        };
        let line = server.wait_for_line(|l| l.contains("http://"));
        let start = line.find("http://").expect("url") + "http://".len();
        let rest = &line[start..];
        server.address = rest[..rest.find('/').expect("slash")].to_string();
        server
    }

    pub(crate) fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        wait_for(&self.output, wanted)
    }

    /// Sends a GET for `target` with the server's address as Host; (status code, head, body).
    pub(crate) fn request(&self, target: &str) -> (u16, String, Vec<u8>) {
        self.request_for(target, &self.address)
    }

    /// Sends a GET for `target` with this Host header.
    pub(crate) fn request_for(&self, target: &str, host: &str) -> (u16, String, Vec<u8>) {
        self.raw(format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
    }

    /// Sends `request` byte for byte and splits the whole answer; a reset fails the test.
    pub(crate) fn raw(&self, request: &[u8]) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        stream.write_all(request).expect("send");
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .expect("the answer arrives whole, without a reset");
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("head");
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = head[9..12].parse().expect("status");
        (status, head, response[split + 4..].to_vec())
    }

    pub(crate) fn page(&self, target: &str) -> String {
        let (status, _, body) = self.request(target);
        assert_eq!(status, 200, "GET {target}");
        String::from_utf8(body).expect("utf-8")
    }

    /// Opens the reload stream; each `data:` line arrives on the receiver.
    pub(crate) fn reloads(&self) -> Receiver<String> {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        write!(
            stream,
            "GET /__throughline/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
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

/// Each line of `pipe`, as it is printed.
fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

pub(crate) fn wait_for(lines: &Receiver<String>, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if wanted(&line) => return line,
            Ok(_) => {}
            Err(_) => panic!("serve did not print the expected line in time"),
        }
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

#[test]
fn requests_for_other_hosts_are_refused_so_dns_rebinding_reads_nothing() {
    let site = SiteTest::fixture("healthy");
    let server = Server::start(site.root());
    let port = server.address.rsplit(':').next().expect("port").to_string();

    let (status, head, body) = server.request_for("/graph.json", &format!("evil.example:{port}"));
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 403, "{head}");
    assert!(head.contains("Content-Type: text/plain"), "{head}");
    assert!(
        body.contains("DNS rebinding") && body.contains("--bind"),
        "{body}"
    );
    assert!(!body.contains("nodes"), "{body}");

    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        assert_eq!(server.request_for("/graph.json", &host).0, 200, "{host}");
    }
}

#[test]
fn an_absolute_form_target_is_served_and_its_host_checked() {
    let site = SiteTest::fixture("healthy");
    let server = Server::start(site.root());
    let address = &server.address;
    let request = format!("GET http://{address}/bet-instant/ HTTP/1.1\r\nHost: {address}\r\n\r\n");
    let (status, _, body) = server.raw(request.as_bytes());
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("Merchants are paid the same day"));

    let request = format!("GET http://evil.example/graph.json HTTP/1.1\r\nHost: {address}\r\n\r\n");
    assert_eq!(server.raw(request.as_bytes()).0, 403);
}

#[test]
fn malformed_requests_get_an_answer_not_a_closed_connection() {
    let site = SiteTest::fixture("healthy");
    let server = Server::start(site.root());
    let host = &server.address;

    let mut latin1 = b"GET /caf\xe9 HTTP/1.1\r\nHost: ".to_vec();
    latin1.extend_from_slice(format!("{host}\r\n\r\n").as_bytes());
    let (status, _, body) = server.raw(&latin1);
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));

    let mut long = b"GET /".to_vec();
    long.resize(64 * 1024, b'a');
    long.extend_from_slice(format!(" HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes());
    let (status, _, body) = server.raw(&long);
    assert_eq!(status, 414, "{}", String::from_utf8_lossy(&body));
}

#[cfg(unix)]
#[test]
fn a_crlf_in_a_folder_name_cannot_inject_a_header_into_the_redirect() {
    let site = SiteTest::fixture("healthy").file(
        "static/a\r\nSet-Cookie: x=1/index.html",
        "<html><body>odd</body></html>",
    );
    let server = Server::start(site.root());
    let (status, head, _) = server.request("/a%0D%0ASet-Cookie:%20x=1");
    assert_eq!(status, 301, "{head}");
    assert!(
        head.contains("\r\nLocation: /a%0D%0ASet-Cookie:%20x=1/"),
        "{head}"
    );
    assert!(!head.contains("\nSet-Cookie"), "{head}");
    assert_eq!(server.request("/a%0D%0ASet-Cookie:%20x=1/").0, 200);
}

#[test]
fn bound_beyond_loopback_it_warns_and_answers_any_host() {
    let site = SiteTest::fixture("healthy");
    let mut server = Server::start_with(site.root(), &["--bind", "0.0.0.0"]);
    let warning = wait_for(&server.errors, |l| l.starts_with("warning: listening on"));
    assert!(warning.contains("anyone on the network"), "{warning}");
    let port = server.address.rsplit(':').next().expect("port").to_string();
    server.address = format!("127.0.0.1:{port}");
    assert_eq!(server.request_for("/", "strategy.example.com").0, 200);
}

/// Threads of a process, from /proc.
#[cfg(target_os = "linux")]
fn threads_of(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a thread count")
}

#[cfg(target_os = "linux")]
#[test]
fn slow_connections_are_capped_instead_of_taking_a_thread_each() {
    let site = SiteTest::fixture("healthy");
    let server = Server::start(site.root());
    let before = threads_of(server.child.id());
    // Connected and silent, like a slowloris client.
    let slow: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(&server.address).expect("connect"))
        .collect();
    // Answered while the slow ones still hold every slot: a request queued
    // behind them would get its 200 only once they were cut off.
    let (status, _, _) = server.request("/");
    assert_eq!(status, 503, "the connections beyond the cap are refused");
    let during = threads_of(server.child.id());
    assert!(
        during <= before + 64,
        "{before} threads before, {during} with 300 slow connections"
    );

    drop(slow);
    let deadline = Instant::now() + PATIENCE;
    while server.request("/").0 != 200 {
        assert!(Instant::now() < deadline, "the server did not recover");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `serve` reads `as_of` with the rest of the config at each analysis: an
/// edit to it judges the site on the new day at the next rebuild.
#[test]
fn an_edited_as_of_moves_the_day_at_the_next_rebuild() {
    let site = SiteTest::new()
        .file("throughline.yaml", "title: Archive\nas_of: 2026-07-01\n")
        .file(
            "ps-a.md",
            "---\nid: ps-a\nkind: product-strategy\nreviewed: 2026-06-01\n---\n# A\n",
        );
    let mut server = Server::launch(site.root(), &[]);
    assert!(server.page("/ps-a/").contains("<h1"));
    replace_in(site.root(), "throughline.yaml", "2026-07-01", "2027-06-01");
    let line = server.wait_for_line(|l| l.starts_with("throughline.yaml changed:"));
    assert!(line.ends_with(", 1 warning"), "{line}");
    replace_in(site.root(), "throughline.yaml", "2027-06-01", "2026-07-01");
    let line = server.wait_for_line(|l| l.starts_with("throughline.yaml changed:"));
    assert!(line.ends_with(", 0 warnings"), "{line}");
}

#[test]
fn an_edit_to_a_trackers_export_is_picked_up_like_a_document() {
    let site = SiteTest::example();
    let root = site.root();
    let server = Server::start(root);
    let events = server.reloads();
    assert!(server
        .page("/obj-launch-partner-api/")
        .contains("Partner sandbox accounts"));
    replace_in(
        root,
        "tracker/jira.csv",
        "Partner sandbox accounts",
        "Partner sandbox tenants",
    );
    next_reload(&events);
    let deadline = Instant::now() + PATIENCE;
    while !server
        .page("/obj-launch-partner-api/")
        .contains("Partner sandbox tenants")
    {
        assert!(
            Instant::now() < deadline,
            "the export's change is not served"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
