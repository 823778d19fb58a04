//! A small HTTP/1.1 server for the files in memory, on loopback by default.
//!
//! It answers GET and HEAD, one request per connection, from the in-memory
//! [`Served`] files only: nothing is read from disk, so no request path can
//! reach a file outside the site. `/__throughline/events` is a
//! server-sent-events stream that says `reload` after each rebuild.
//!
//! Why not a crate: the dev server needs a tenth of HTTP, and the candidates
//! are either unmaintained (tiny_http) or bring an async runtime (axum,
//! hyper) that triples the build for a loopback preview.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use super::session::{FileBytes, Problem, Served};
use crate::render::markdown::escape;

/// The path of the reload stream.
pub const EVENTS_PATH: &str = "/__throughline/events";

/// The longest request head accepted, in bytes.
const MAX_HEAD: usize = 16 * 1024;

/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How often an idle reload stream is pinged, so dead clients are noticed.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The open reload streams.
#[derive(Debug, Default)]
pub struct Reloads {
    clients: Mutex<Vec<Sender<u64>>>,
}

impl Reloads {
    /// Tells every open page to reload; `build` numbers the rebuild.
    pub fn broadcast(&self, build: u64) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|c| c.send(build).is_ok());
        }
    }

    fn subscribe(&self) -> Receiver<u64> {
        let (tx, rx) = mpsc::channel();
        if let Ok(mut clients) = self.clients.lock() {
            clients.push(tx);
        }
        rx
    }
}

/// Accepts connections on `listener` forever, one thread each.
pub fn run(listener: TcpListener, served: Arc<RwLock<Served>>, reloads: Arc<Reloads>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let served = Arc::clone(&served);
        let reloads = Arc::clone(&reloads);
        std::thread::spawn(move || {
            // A client that goes away mid-answer is not an error worth reporting.
            let _ = handle(stream, &served, &reloads);
        });
    }
}

/// A response before it is written.
struct Response {
    status: &'static str,
    headers: Vec<(&'static str, String)>,
    /// Shared with the served files, so answering does not copy them.
    body: FileBytes,
}

fn handle(stream: TcpStream, served: &RwLock<Served>, reloads: &Reloads) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some((method, target)) = read_head(&mut reader)? else {
        return write_response(&stream, &text("400 Bad Request", "bad request"), false);
    };
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        let mut response = text("405 Method Not Allowed", "only GET and HEAD");
        response.headers.push(("Allow", "GET, HEAD".into()));
        return write_response(&stream, &response, false);
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    if path == EVENTS_PATH && !head_only {
        return stream_reloads(stream, reloads);
    }
    let response = match served.read() {
        Ok(served) => respond(&served, path),
        Err(_) => text(
            "500 Internal Server Error",
            "the server's state is poisoned",
        ),
    };
    write_response(&stream, &response, head_only)
}

/// Reads the request line and skips the headers; `None` for a malformed request.
fn read_head<R: BufRead>(reader: &mut R) -> io::Result<Option<(String, String)>> {
    let mut line = String::new();
    let mut total = Read::take(&mut *reader, MAX_HEAD as u64).read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    if !version.starts_with("HTTP/1.") {
        return Ok(None);
    }
    let request = (method.to_string(), target.to_string());
    loop {
        let mut header = String::new();
        let read = Read::take(&mut *reader, MAX_HEAD as u64).read_line(&mut header)?;
        total += read;
        if read == 0 || header == "\r\n" || header == "\n" {
            break;
        }
        if total > MAX_HEAD {
            return Ok(None);
        }
    }
    Ok(Some(request))
}

/// Decides what to answer for `path` (the request target without its query).
fn respond(served: &Served, path: &str) -> Response {
    let Some(key) = site_path(path) else {
        return not_found(served);
    };
    let file = if key.is_empty() || key.ends_with('/') {
        format!("{key}index.html")
    } else {
        key.clone()
    };
    if let Some(bytes) = served.file(&file) {
        return file_response("200 OK", &file, bytes, served.problem.as_ref());
    }
    if served.file(&format!("{key}/index.html")).is_some() {
        // Relative links on the page only work with the trailing slash.
        let mut response = text("301 Moved Permanently", "moved");
        response.headers.push(("Location", format!("/{key}/")));
        return response;
    }
    not_found(served)
}

fn not_found(served: &Served) -> Response {
    match served.file("404.html") {
        Some(bytes) => file_response("404 Not Found", "404.html", bytes, served.problem.as_ref()),
        None => text("404 Not Found", "not found"),
    }
}

/// The site-relative file a URL path names, or `None` when it tries to leave
/// the site: `..` in any spelling, backslashes, NUL, or bytes that are not UTF-8.
pub fn site_path(path: &str) -> Option<String> {
    let path = path.strip_prefix('/')?;
    let decoded = String::from_utf8(percent_decode(path)?).ok()?;
    if decoded.contains(['\\', '\0']) {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            ".." => return None,
            "" | "." => {}
            part => parts.push(part),
        }
    }
    let mut key = parts.join("/");
    if decoded.ends_with('/') && !key.is_empty() {
        key.push('/');
    }
    Some(key)
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn file_response(
    status: &'static str,
    path: &str,
    bytes: FileBytes,
    problem: Option<&Problem>,
) -> Response {
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        Arc::new(inject(&bytes, problem))
    } else {
        bytes
    };
    Response {
        status,
        headers: vec![("Content-Type", content_type.to_string())],
        body,
    }
}

fn text(status: &'static str, body: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
        body: Arc::new(body.as_bytes().to_vec()),
    }
}

fn write_response(mut stream: &TcpStream, response: &Response, head_only: bool) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        response.status,
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()
}

/// Holds the connection open and writes one `reload` event per rebuild.
fn stream_reloads(mut stream: TcpStream, reloads: &Reloads) -> io::Result<()> {
    let events = reloads.subscribe();
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n: connected\n\n",
    )?;
    stream.flush()?;
    loop {
        match events.recv_timeout(KEEP_ALIVE) {
            Ok(build) => write!(stream, "event: reload\ndata: {build}\n\n")?,
            Err(RecvTimeoutError::Timeout) => stream.write_all(b": keep-alive\n\n")?,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        stream.flush()?;
    }
}

/// The media type for a served path, by extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "md" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The script that reloads the page after a rebuild; only `serve` adds it.
const RELOAD_SCRIPT: &str = concat!(
    "<script>/* throughline serve: live reload */(function(){",
    "var events=new EventSource(\"/__throughline/events\");",
    "events.addEventListener(\"reload\",function(){location.reload();});",
    "})();</script>"
);

/// Adds the reload script, and the error overlay when the latest build failed, before `</body>`.
fn inject(html: &[u8], problem: Option<&Problem>) -> Vec<u8> {
    let mut snippet = String::new();
    if let Some(problem) = problem {
        snippet.push_str(&overlay(problem));
    }
    snippet.push_str(RELOAD_SCRIPT);
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The error overlay: the diagnostics over the last good page.
fn overlay(problem: &Problem) -> String {
    format!(
        concat!(
            "<div id=\"throughline-error\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;",
            "overflow:auto;background:rgba(24,24,27,.96);color:#f4f4f5;padding:2rem;",
            "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace\">",
            "<h2 style=\"color:#fca5a5;margin:0 0 1rem;font-size:1.1rem\">throughline: {}</h2>",
            "<pre style=\"white-space:pre-wrap;margin:0 0 1rem\">{}</pre>",
            "<p style=\"color:#a1a1aa\">Fix the file and save: this page reloads by itself. ",
            "The page below is the last good build.</p>",
            "<button type=\"button\" onclick=\"this.parentNode.remove()\">Show the page</button></div>"
        ),
        escape(&problem.summary),
        escape(&problem.details)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        for path in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2e%2e/etc/passwd",
            "/a/%2e%2e%2f%2e%2e%2fetc/passwd",
            "/..%5c..%5cwindows",
            "/%00",
            "/%ff",
            "/%2",
            "relative",
        ] {
            assert_eq!(site_path(path), None, "{path}");
        }
    }

    #[test]
    fn ordinary_paths_map_to_site_files() {
        assert_eq!(site_path("/").as_deref(), Some(""));
        assert_eq!(site_path("/bet-a/").as_deref(), Some("bet-a/"));
        assert_eq!(site_path("/bet-a").as_deref(), Some("bet-a"));
        assert_eq!(
            site_path("/./assets//style.css").as_deref(),
            Some("assets/style.css")
        );
        assert_eq!(site_path("/my%20page/").as_deref(), Some("my page/"));
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("search-index.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("graph.json"), "application/json");
        assert_eq!(content_type("logo.SVG"), "image/svg+xml");
        assert_eq!(content_type("blob"), "application/octet-stream");
    }

    #[test]
    fn the_snippet_goes_before_the_closing_body_and_the_overlay_escapes() {
        let problem = Problem {
            summary: "1 error".into(),
            details: "<script>x</script>".into(),
        };
        let html = String::from_utf8(inject(
            b"<html><body><p>hi</p></body></html>",
            Some(&problem),
        ))
        .expect("utf-8");
        assert!(html.ends_with("</script></body></html>"), "{html}");
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(html.contains("throughline-error"));
        let clean = String::from_utf8(inject(b"<body></body>", None)).expect("utf-8");
        assert!(!clean.contains("throughline-error"));
        assert!(clean.contains("EventSource"));
    }
}
