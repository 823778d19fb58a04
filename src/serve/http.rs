//! A small HTTP/1.1 server for the files in memory, on loopback by default.
//!
//! It answers GET and HEAD, one request per connection, from the in-memory
//! [`Served`] files only: nothing is read from disk, so no request path can
//! reach a file outside the site. `/__throughline/events` is a
//! server-sent-events stream that says `reload` after each rebuild.
//!
//! It is reachable by any web page the user opens, so it trusts nothing:
//! bound to loopback it answers only requests for this machine's names (a
//! page whose domain was rebound to 127.0.0.1 gets 403); request heads are
//! bounded in size ([`MAX_REQUEST_LINE`], [`MAX_HEADERS`]) and in time
//! ([`Limits::head_timeout`]); at most [`Limits::requests`] connections are
//! handled at once and the rest get a quick 503, with reload streams capped
//! apart so open tabs never starve page loads.
//!
//! Why not a crate: the dev server needs a tenth of HTTP, and the candidates
//! are either unmaintained (tiny_http) or bring an async runtime (axum,
//! hyper) that triples the build for a loopback preview.

use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::apply::Applied;
use super::forms::{self, EditForm, FormsTable, Refusal, EDIT_PATH, MAX_BODY};
use super::request::{read_head, Head, HeadError, HostPolicy, MAX_HEADERS, MAX_REQUEST_LINE};
use super::served::{FileBytes, Problem, Served};
use crate::render::markdown::escape;
use crate::render::view::doc_path;

/// The path of the reload stream.
pub(super) const EVENTS_PATH: &str = "/__throughline/events";

/// How long one write may block on a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long, and how many bytes, to read and drop after answering (see [`finish`]).
const LINGER: Duration = Duration::from_secs(2);
const MAX_LINGER_BYTES: u64 = 256 * 1024;

/// How often a reload stream checks that its client is still there.
const POLL: Duration = Duration::from_secs(1);

/// How often an idle reload stream is pinged, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Caps and timeouts of the server; `Default` is what `serve` uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Connections handled at once, reload streams not counted; more get 503.
    pub(crate) requests: usize,
    /// Reload streams open at once; more get 503 (`EventSource` retries).
    pub(crate) streams: usize,
    /// How long a client has to send its whole request head.
    pub(crate) head_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            requests: 64,
            streams: 64,
            head_timeout: Duration::from_secs(10),
        }
    }
}

/// How long a posted form waits for the rebuild loop to write it (a
/// `--commit` runs the repository's hooks).
const EDIT_PATIENCE: Duration = Duration::from_secs(120);

/// What the server needs to take forms (`serve --edit`).
#[derive(Debug)]
pub(super) struct Editing {
    /// The random token of this process, which every form carries.
    pub(super) token: String,
    /// What each page offers, from the latest analysis.
    pub(super) forms: RwLock<FormsTable>,
    /// Where forms go to be written: the rebuild loop.
    pub(super) jobs: Sender<super::Event>,
}

/// A form on its way to the rebuild loop, and where its answer goes.
#[derive(Debug)]
pub(super) struct EditJob {
    pub(super) form: EditForm,
    pub(super) reply: Sender<Applied>,
}

/// The open reload streams.
#[derive(Debug, Default)]
pub(super) struct Reloads {
    clients: Mutex<Vec<Sender<u64>>>,
}

impl Reloads {
    /// Tells every open page to reload; `build` numbers the rebuild.
    pub(super) fn broadcast(&self, build: u64) {
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

/// A counting cap on connection threads of one kind.
#[derive(Debug)]
struct Slots {
    used: Arc<AtomicUsize>,
    max: usize,
}

/// One taken place in [`Slots`], given back when dropped.
#[derive(Debug)]
struct Slot(Arc<AtomicUsize>);

impl Slots {
    fn new(max: usize) -> Slots {
        Slots {
            used: Arc::new(AtomicUsize::new(0)),
            max,
        }
    }

    fn take(&self) -> Option<Slot> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(Arc::clone(&self.used)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What every connection thread shares.
struct Server {
    served: Arc<RwLock<Served>>,
    reloads: Arc<Reloads>,
    editing: Option<Arc<Editing>>,
    hosts: HostPolicy,
    limits: Limits,
    requests: Slots,
    streams: Slots,
}

/// Accepts connections on `listener` forever, at most [`Limits::default`] at once.
pub(super) fn run(
    listener: TcpListener,
    served: Arc<RwLock<Served>>,
    reloads: Arc<Reloads>,
    editing: Option<Arc<Editing>>,
) {
    run_with(listener, served, reloads, editing, Limits::default());
}

/// [`run`] with other limits.
pub(crate) fn run_with(
    listener: TcpListener,
    served: Arc<RwLock<Served>>,
    reloads: Arc<Reloads>,
    editing: Option<Arc<Editing>>,
    limits: Limits,
) {
    let hosts = listener
        .local_addr()
        .map_or(HostPolicy::Loopback, HostPolicy::for_address);
    let server = Arc::new(Server {
        served,
        reloads,
        editing,
        hosts,
        limits,
        requests: Slots::new(limits.requests),
        streams: Slots::new(limits.streams),
    });
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, say: let some close instead of spinning.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let Some(slot) = server.requests.take() else {
            refuse_busy(stream);
            continue;
        };
        let server = Arc::clone(&server);
        // A failed spawn drops the closure, which closes the connection and frees the slot.
        let _ = std::thread::Builder::new()
            .name("serve-connection".into())
            .spawn(move || {
                // A client that goes away mid-answer is not an error worth reporting.
                let _ = handle(stream, &server, slot);
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

fn handle(stream: TcpStream, server: &Server, slot: Slot) -> io::Result<()> {
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let until = Instant::now() + server.limits.head_timeout;
    // Kept for the body of a POST, part of which it may have read already.
    let mut reader = BufReader::new(Deadline::new(&stream, until));
    let head = match read_head(&mut reader) {
        Ok(head) => head,
        Err(HeadError::Gone) => return Ok(()),
        Err(error) => return finish(&stream, &refusal(&error), false),
    };
    if !server.hosts.allows(head.host.as_deref()) {
        return finish(&stream, &foreign_host(), false);
    }
    let head_only = head.method == "HEAD";
    if let (Some(editing), "POST") = (&server.editing, head.method.as_str()) {
        let response = post(&mut reader, &head, &server.served, editing);
        return finish(&stream, &response, false);
    }
    if head.method != "GET" && !head_only {
        let mut response = text("405 Method Not Allowed", "only GET and HEAD");
        response.headers.push(("Allow", "GET, HEAD".into()));
        return finish(&stream, &response, false);
    }
    if head.path() == EVENTS_PATH && !head_only {
        // A reload stream lives as long as its page: it gives back the
        // request slot so open tabs never starve page loads.
        let Some(stream_slot) = server.streams.take() else {
            let response = text("503 Service Unavailable", "too many live-reload streams");
            return finish(&stream, &response, false);
        };
        drop(slot);
        return stream_reloads(stream, &server.reloads, stream_slot);
    }
    let response = answer(&head, &server.served, server.editing.as_deref());
    finish(&stream, &response, head_only)
}

fn answer(head: &Head, served: &RwLock<Served>, editing: Option<&Editing>) -> Response {
    match served.read() {
        Ok(served) => respond(&served, head.path(), editing),
        Err(_) => text(
            "500 Internal Server Error",
            "the server's state is poisoned",
        ),
    }
}

/// The answer to a head that could not be read.
fn refusal(error: &HeadError) -> Response {
    match error {
        HeadError::Bad(reason) => text("400 Bad Request", reason),
        HeadError::UriTooLong => text(
            "414 URI Too Long",
            &format!("the request line is longer than {MAX_REQUEST_LINE} bytes"),
        ),
        HeadError::HeadersTooLarge => text(
            "431 Request Header Fields Too Large",
            &format!("the headers are longer than {MAX_HEADERS} bytes"),
        ),
        HeadError::TimedOut | HeadError::Gone => {
            text("408 Request Timeout", "the request did not arrive in time")
        }
    }
}

fn foreign_host() -> Response {
    text(
        "403 Forbidden",
        concat!(
            "This dev server only answers requests for localhost or a loopback address ",
            "(127.0.0.1, [::1]), so that a web page whose domain was rebound to this ",
            "machine (DNS rebinding) cannot read the site.\n",
            "To serve it under other names, listen beyond loopback with --bind ",
            "(e.g. --bind 0.0.0.0): then anyone on the network can read it.\n"
        ),
    )
}

/// Reads from a socket until a fixed moment, however slowly the bytes come:
/// a timeout per read alone would let a client that sends a byte every few
/// seconds hold its thread for ever.
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Instant,
}

impl<'a> Deadline<'a> {
    fn new(stream: &'a TcpStream, until: Instant) -> Deadline<'a> {
        Deadline { stream, until }
    }
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}

/// Writes the response, then closes so that the client reads all of it.
///
/// Closing a socket with unread request bytes makes the kernel send a reset,
/// which can destroy the answer before the client reads it (a 414 for a long
/// URL would arrive as "connection reset"). So the write side is shut first,
/// then what the client still sends is read and dropped until it closes,
/// for at most [`LINGER`] and [`MAX_LINGER_BYTES`].
fn finish(stream: &TcpStream, response: &Response, head_only: bool) -> io::Result<()> {
    write_response(stream, response, head_only)?;
    stream.shutdown(Shutdown::Write)?;
    let rest = Deadline::new(stream, Instant::now() + LINGER);
    let _ = io::copy(&mut rest.take(MAX_LINGER_BYTES), &mut io::sink());
    Ok(())
}

/// Answers 503 from the accept loop without ever blocking it: the answer
/// fits in an empty send buffer, and the request bytes already here are read
/// first so closing does not reset the connection.
fn refuse_busy(stream: TcpStream) {
    if stream.set_nonblocking(true).is_err() {
        return;
    }
    let mut response = text(
        "503 Service Unavailable",
        "too many connections at once; try again",
    );
    response.headers.push(("Retry-After", "1".into()));
    drop_pending(&stream);
    if write_response(&stream, &response, false).is_ok() {
        let _ = stream.shutdown(Shutdown::Write);
    }
    drop_pending(&stream);
}

/// Reads and drops what has already arrived, without waiting for more.
fn drop_pending(mut stream: &TcpStream) {
    let mut buf = [0u8; 4096];
    for _ in 0..16 {
        if !matches!(stream.read(&mut buf), Ok(n) if n > 0) {
            return;
        }
    }
}

/// Decides what to answer for `path` (the request target without its query).
fn respond(served: &Served, path: &str, editing: Option<&Editing>) -> Response {
    let Some(key) = site_path(path) else {
        return not_found(served);
    };
    let file = if key.is_empty() || key.ends_with('/') {
        format!("{key}index.html")
    } else {
        key.clone()
    };
    if let Some(bytes) = served.file(&file) {
        let mut response = file_response("200 OK", &file, bytes, served.problem.as_ref());
        if let Some(editing) = editing {
            add_forms(&mut response, &file, editing, None);
        }
        return response;
    }
    if served.file(&format!("{key}/index.html")).is_some() {
        // Relative links on the page only work with the trailing slash.
        let mut response = text("301 Moved Permanently", "moved");
        response
            .headers
            .push(("Location", format!("/{}/", encode_path(&key))));
        return response;
    }
    not_found(served)
}

/// Adds the forms of the page at `file`, if it is a document's, to an HTML
/// `response`; `refused` shows a form's refusal. An editable page may not be
/// framed: a page on another site could otherwise trick a click on its buttons.
fn add_forms(response: &mut Response, file: &str, editing: &Editing, refused: Option<&Refusal>) {
    let Ok(table) = editing.forms.read() else {
        return;
    };
    let Some(page) = table.page(file) else {
        return;
    };
    let mut panel = forms::panel(page, &editing.token, refused);
    if refused.is_some() {
        // The answer to a POST: a reload must not post again, so the page
        // takes its own address (a reload then gets it).
        let url = format!("/{}", encode_path(&page_dir(&page.id)));
        panel.push_str(&format!(
            "<script>history.replaceState(null,\"\",\"{url}\");</script>"
        ));
    }
    let html = &response.body;
    let mut out = Vec::with_capacity(html.len() + panel.len() + forms::STYLE.len());
    let head_end = find_last(html, b"</head>").unwrap_or(0);
    let main_end = find_last(html, b"</main>")
        .or_else(|| find_last(html, b"</body>"))
        .unwrap_or(html.len())
        .max(head_end);
    out.extend_from_slice(&html[..head_end]);
    if head_end > 0 {
        out.extend_from_slice(forms::STYLE.as_bytes());
    }
    out.extend_from_slice(&html[head_end..main_end]);
    out.extend_from_slice(panel.as_bytes());
    out.extend_from_slice(&html[main_end..]);
    response.body = Arc::new(out);
    response.headers.push(("X-Frame-Options", "DENY".into()));
    response
        .headers
        .push(("Content-Security-Policy", "frame-ancestors 'none'".into()));
}

/// A document's page as a folder path, without the leading `/`.
fn page_dir(id: &str) -> String {
    let path = doc_path(id);
    path.strip_suffix("index.html").unwrap_or(&path).to_string()
}

/// Answers a POST under `serve --edit`: only to [`EDIT_PATH`], only from the
/// served origin, with a bounded form body carrying this process's token.
/// The change itself is made by the rebuild loop, which holds the analysis.
fn post(
    reader: &mut impl Read,
    head: &Head,
    served: &RwLock<Served>,
    editing: &Editing,
) -> Response {
    if head.path() != EDIT_PATH {
        let mut response = text(
            "405 Method Not Allowed",
            &format!("only GET and HEAD here; forms post to {EDIT_PATH}"),
        );
        response.headers.push(("Allow", "GET, HEAD".into()));
        return response;
    }
    if let Err(why) = same_origin(head) {
        return text("403 Forbidden", &why);
    }
    let length = match (head.write.chunked, head.write.content_length) {
        (false, Some(length)) => length,
        _ => {
            return text(
                "411 Length Required",
                "a form is sent with a Content-Length, not chunked",
            )
        }
    };
    if length > MAX_BODY {
        return text(
            "413 Content Too Large",
            &format!("a form is at most {MAX_BODY} bytes; this one says it is {length}"),
        );
    }
    let form_type = head.write.content_type.as_deref().is_some_and(|t| {
        t.split(';').next().is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    if !form_type {
        return text(
            "415 Unsupported Media Type",
            "a form is sent as application/x-www-form-urlencoded",
        );
    }
    // `length` is at most MAX_BODY, so this fits in memory and in usize.
    let mut body = vec![0u8; length as usize];
    if reader.read_exact(&mut body).is_err() {
        return text("408 Request Timeout", "the form did not arrive in time");
    }
    let fields = match forms::parse_body(&body) {
        Ok(fields) => fields,
        Err(why) => return text("400 Bad Request", why),
    };
    let token = fields.get("token").map_or("", String::as_str);
    if !same_secret(token.as_bytes(), editing.token.as_bytes()) {
        return text(
            "403 Forbidden",
            "the form does not carry this server's token: it was not served by this \
             `throughline serve --edit` (restarted since?); reload the page and try again",
        );
    }
    let form = match forms::edit_form(&fields) {
        Ok(form) => form,
        Err(why) => return text("400 Bad Request", &why),
    };
    let (reply, answer) = mpsc::channel();
    let job = EditJob {
        form: form.clone(),
        reply,
    };
    if editing.jobs.send(super::Event::Edit(job)).is_err() {
        return text("503 Service Unavailable", "the server is stopping");
    }
    let applied = match answer.recv_timeout(EDIT_PATIENCE) {
        Ok(applied) => applied,
        Err(_) => {
            return text(
                "503 Service Unavailable",
                "the change was not made in time; reload the page to see whether it was",
            )
        }
    };
    // The page to go back to, named by an id the site has (else the document's own).
    let back = match editing.forms.read() {
        Ok(table) if table.doc(&form.back).is_some() => form.back.clone(),
        _ => form.id.clone(),
    };
    match applied {
        Applied::Written { .. } | Applied::Unchanged { .. } => {
            let mut response = text("303 See Other", "saved");
            response
                .headers
                .push(("Location", format!("/{}", encode_path(&page_dir(&back)))));
            response
        }
        Applied::Refused {
            status,
            field,
            message,
        } => {
            let file = doc_path(&back);
            let page = served.read().ok().and_then(|s| {
                s.file(&file)
                    .map(|bytes| file_response(status, &file, bytes, s.problem.as_ref()))
            });
            let Some(mut response) = page else {
                return text(status, &message);
            };
            let refusal = Refusal {
                form,
                field,
                message,
            };
            add_forms(&mut response, &file, editing, Some(&refusal));
            response
        }
    }
}

/// Whether a POST comes from a page of this server: its `Origin` is the
/// served origin, or, from a browser that sends no `Origin`, it says
/// `Sec-Fetch-Site: same-origin`. `Origin: null` (a `file://` page, a
/// sandboxed frame) is another origin.
fn same_origin(head: &Head) -> Result<(), String> {
    let Some(host) = head.host.as_deref() else {
        return Err("a form is posted with a Host header".into());
    };
    match (&head.write.origin, head.write.fetch_site.as_deref()) {
        (Some(origin), _) if origin.eq_ignore_ascii_case(&format!("http://{host}")) => Ok(()),
        (Some(origin), _) => Err(format!(
            "this form was posted from another origin ({origin}), not from a page of this \
             server (http://{host}); throughline serve --edit only takes its own pages' forms"
        )),
        (None, Some("same-origin")) => Ok(()),
        (None, _) => Err(
            "the request names neither its Origin nor Sec-Fetch-Site: same-origin, so it \
             cannot be told from another site's; throughline serve --edit only takes its own pages' forms"
                .into(),
        ),
    }
}

/// Compares a token in time that does not depend on where it differs.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn not_found(served: &Served) -> Response {
    match served.file("404.html") {
        Some(bytes) => file_response("404 Not Found", "404.html", bytes, served.problem.as_ref()),
        None => text("404 Not Found", "not found"),
    }
}

/// The site-relative file a URL path names, or `None` when it tries to leave
/// the site: `..` in any spelling, backslashes, NUL, or bytes that are not UTF-8.
pub(super) fn site_path(path: &str) -> Option<String> {
    let path = path.strip_prefix('/')?;
    let decoded = String::from_utf8(crate::text::percent_decode(path)?).ok()?;
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

/// The bytes a redirect's `Location` path percent-encodes: everything but
/// RFC 3986's `pchar` and `/`. What it protects: a name with CR LF cannot end
/// the header and start another, and a space, `?`, `#` or `%` in a name
/// cannot make the path mean another one. Non-ASCII bytes are always encoded.
const LOCATION_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// `path` with every byte of [`LOCATION_PATH`] percent-encoded.
fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, LOCATION_PATH).to_string()
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
        // The last guard against header injection: refuse rather than split a header.
        if value.bytes().any(|b| b.is_ascii_control()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a control character in a header value",
            ));
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()
}

/// Holds the connection open and writes one `reload` event per rebuild,
/// until the client closes it; `_slot` is its place among the streams.
fn stream_reloads(mut stream: TcpStream, reloads: &Reloads, _slot: Slot) -> io::Result<()> {
    let events = reloads.subscribe();
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n: connected\n\n",
    )?;
    stream.flush()?;
    let mut written = Instant::now();
    loop {
        match events.recv_timeout(POLL) {
            Ok(build) => write!(stream, "event: reload\ndata: {build}\n\n")?,
            Err(RecvTimeoutError::Timeout) if client_left(&stream) => return Ok(()),
            Err(RecvTimeoutError::Timeout) if written.elapsed() >= KEEP_ALIVE => {
                stream.write_all(b": keep-alive\n\n")?;
            }
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        stream.flush()?;
        written = Instant::now();
    }
}

/// Whether the client of a reload stream has closed it. It never sends
/// anything after its request, so end of stream (or an error) means it left;
/// noticing within a second frees the slot when a tab navigates away.
fn client_left(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let peeked = stream.peek(&mut [0u8; 1]);
    let restored = stream.set_nonblocking(false).is_ok();
    let open = match peeked {
        Ok(n) => n > 0,
        Err(e) => e.kind() == io::ErrorKind::WouldBlock,
    };
    !(open && restored)
}

/// The media type for a served path, by extension.
pub(super) fn content_type(path: &str) -> &'static str {
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
    use std::net::SocketAddr;

    /// How long a test waits for an answer before failing.
    const PATIENCE: Duration = Duration::from_secs(10);

    const PAGE: &str = "<html><body>a page</body></html>";

    /// A server on a free loopback port with these files and limits.
    fn start(limits: Limits, files: &[(&str, &str)]) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let served = Arc::new(RwLock::new(Served::of(files)));
        std::thread::spawn(move || {
            run_with(listener, served, Arc::new(Reloads::default()), None, limits);
        });
        address
    }

    fn site() -> SocketAddr {
        start(Limits::default(), &[("index.html", PAGE)])
    }

    fn connect(address: SocketAddr) -> TcpStream {
        let stream = TcpStream::connect(address).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        stream
    }

    /// Sends `request` as is and reads the whole answer; a reset fails the test.
    fn exchange(address: SocketAddr, request: &[u8]) -> String {
        let mut stream = connect(address);
        stream.write_all(request).expect("send");
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .expect("the answer arrives whole, without a reset");
        String::from_utf8_lossy(&answer).into_owned()
    }

    fn get(address: SocketAddr, target: &str, host: &str) -> String {
        exchange(
            address,
            format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
        )
    }

    fn status(answer: &str) -> &str {
        answer.get(9..12).unwrap_or(answer)
    }

    /// Reads until the end of a response head, however the connection ends after it.
    fn read_head_of(stream: &mut TcpStream) -> String {
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    }

    fn post_from(host: Option<&str>, origin: Option<&str>, fetch_site: Option<&str>) -> Head {
        Head {
            method: "POST".into(),
            target: EDIT_PATH.into(),
            host: host.map(str::to_string),
            write: super::super::request::WriteHeaders {
                origin: origin.map(str::to_string),
                fetch_site: fetch_site.map(str::to_string),
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_post_is_taken_only_from_the_served_origin() {
        let host = Some("127.0.0.1:1111");
        for (origin, fetch_site) in [
            (Some("http://127.0.0.1:1111"), None),
            (Some("HTTP://127.0.0.1:1111"), Some("same-origin")),
            (None, Some("same-origin")),
        ] {
            assert!(
                same_origin(&post_from(host, origin, fetch_site)).is_ok(),
                "{origin:?} {fetch_site:?}"
            );
        }
        for (origin, fetch_site) in [
            (Some("http://localhost:1111"), None),
            (Some("http://127.0.0.1:2222"), Some("same-origin")),
            (Some("https://127.0.0.1:1111"), None),
            (Some("null"), Some("same-origin")),
            (Some("http://127.0.0.1:1111.evil.example"), None),
            (None, Some("same-site")),
            (None, Some("cross-site")),
            (None, Some("none")),
            (None, None),
        ] {
            assert!(
                same_origin(&post_from(host, origin, fetch_site)).is_err(),
                "{origin:?} {fetch_site:?}"
            );
        }
        let no_host = post_from(None, Some("http://127.0.0.1:1111"), None);
        assert!(same_origin(&no_host).is_err());
    }

    #[test]
    fn tokens_are_compared_whole() {
        assert!(same_secret(b"abcd", b"abcd"));
        assert!(!same_secret(b"abcd", b"abce"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"", b"abcd"));
    }

    #[test]
    fn a_crlf_in_a_redirected_path_cannot_inject_a_header() {
        let address = start(
            Limits::default(),
            &[
                ("a\r\nSet-Cookie: x=1/index.html", PAGE),
                ("caf\u{e9} ?#%/index.html", PAGE),
            ],
        );
        let answer = get(address, "/a%0D%0ASet-Cookie:%20x=1", "localhost");
        assert_eq!(status(&answer), "301", "{answer}");
        assert!(
            answer.contains("\r\nLocation: /a%0D%0ASet-Cookie:%20x=1/\r\n"),
            "{answer}"
        );
        assert!(!answer.contains("\nSet-Cookie"), "{answer}");
        let answer = get(address, "/caf%C3%A9%20%3F%23%25", "localhost");
        assert!(
            answer.contains("\r\nLocation: /caf%C3%A9%20%3F%23%25/\r\n"),
            "{answer}"
        );
    }

    #[test]
    fn location_path_encodes_exactly_what_the_hand_written_encoder_did() {
        for byte in 0..=255u8 {
            let kept = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
            let out = percent_encoding::percent_encode(&[byte], LOCATION_PATH).to_string();
            let expected = if kept {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            };
            assert_eq!(out, expected, "byte {byte:#04x}");
        }
    }

    #[test]
    fn location_paths_keep_only_safe_bytes() {
        assert_eq!(encode_path("bets/bet-a_1.~"), "bets/bet-a_1.~");
        assert_eq!(encode_path("a\r\nb"), "a%0D%0Ab");
        assert_eq!(
            encode_path("x\u{1}\u{7f} \"<>\\^`{|}"),
            "x%01%7F%20%22%3C%3E%5C%5E%60%7B%7C%7D"
        );
        assert_eq!(encode_path("\u{e9}"), "%C3%A9");
    }

    #[test]
    fn on_loopback_only_requests_for_this_machine_are_answered() {
        let address = site();
        let port = address.port();
        for host in [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            "localhost".into(),
            "docs.localhost".into(),
            "[::1]:1".into(),
        ] {
            assert_eq!(status(&get(address, "/", &host)), "200", "{host}");
        }
        for host in [
            format!("evil.example:{port}"),
            "evil.example".into(),
            "".into(),
        ] {
            let answer = get(address, "/", &host);
            assert_eq!(status(&answer), "403", "{host}");
            assert!(answer.contains("DNS rebinding"), "{answer}");
            assert!(!answer.contains("a page"), "{answer}");
        }
        let no_host = exchange(address, b"GET / HTTP/1.0\r\n\r\n");
        assert_eq!(status(&no_host), "200", "{no_host}");
    }

    #[test]
    fn the_reload_stream_is_host_checked_too() {
        let answer = get(site(), EVENTS_PATH, "evil.example");
        assert_eq!(status(&answer), "403", "{answer}");
    }

    #[test]
    fn an_absolute_form_target_is_served_when_its_host_is_local() {
        let address = site();
        let own = format!("GET http://{address}/ HTTP/1.1\r\nHost: {address}\r\n\r\n");
        let answer = exchange(address, own.as_bytes());
        assert_eq!(status(&answer), "200", "{answer}");
        assert!(answer.contains("a page"));
        let foreign = format!("GET http://evil.example/ HTTP/1.1\r\nHost: {address}\r\n\r\n");
        assert_eq!(status(&exchange(address, foreign.as_bytes())), "403");
    }

    #[test]
    fn a_request_line_that_is_not_utf8_gets_400() {
        let answer = exchange(site(), b"GET /\xff\xfe HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assert_eq!(status(&answer), "400", "{answer}");
        assert!(answer.contains("not UTF-8"), "{answer}");
    }

    #[test]
    fn an_overlong_request_line_gets_414_without_a_reset() {
        let mut request = b"GET /".to_vec();
        request.resize(64 * 1024, b'a');
        request.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\n\r\n");
        let answer = exchange(site(), &request);
        assert_eq!(status(&answer), "414", "{answer}");
    }

    #[test]
    fn oversized_headers_get_431() {
        let mut request = b"GET / HTTP/1.1\r\nHost: localhost\r\n".to_vec();
        for _ in 0..4096 {
            request.extend_from_slice(b"X-Filler: 0123456789\r\n");
        }
        request.extend_from_slice(b"\r\n");
        let answer = exchange(site(), &request);
        assert_eq!(status(&answer), "431", "{answer}");
    }

    #[test]
    fn a_client_trickling_its_head_is_cut_off_at_the_deadline() {
        let limits = Limits {
            head_timeout: Duration::from_millis(500),
            ..Limits::default()
        };
        let address = start(limits, &[("index.html", PAGE)]);
        let mut stream = connect(address);
        let mut writer = stream.try_clone().expect("clone");
        // Each byte well within any per-read timeout, and the head never
        // ends: only the deadline for the whole head can answer it (without
        // one, the read below times out and the test fails).
        std::thread::spawn(move || {
            let head = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".iter();
            for byte in head.chain(b"1234567890".iter().cycle()) {
                if writer.write_all(&[*byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let answer = read_head_of(&mut stream);
        assert_eq!(status(&answer), "408", "{answer}");
    }

    #[test]
    fn connections_beyond_the_cap_get_a_quick_503_and_slots_come_back() {
        let limits = Limits {
            requests: 3,
            ..Limits::default()
        };
        let address = start(limits, &[("index.html", PAGE)]);
        let idle: Vec<TcpStream> = (0..3).map(|_| connect(address)).collect();
        // Answered while the idle ones hold every slot: a request queued
        // behind them would get a 200 once they timed out, not a 503.
        let answer = get(address, "/", "localhost");
        assert_eq!(status(&answer), "503", "{answer}");
        drop(idle);
        let deadline = Instant::now() + PATIENCE;
        while status(&get(address, "/", "localhost")) != "200" {
            assert!(Instant::now() < deadline, "the slots were not given back");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Opens a reload stream and waits until the server says it is connected;
    /// the answer is empty when the server refused before the request was sent.
    fn open_stream(address: SocketAddr) -> (TcpStream, String) {
        let mut stream = connect(address);
        let _ = write!(
            stream,
            "GET {EVENTS_PATH} HTTP/1.1\r\nHost: localhost\r\n\r\n"
        );
        let mut answer = Vec::new();
        let mut buf = [0u8; 256];
        while !answer.windows(11).any(|w| w == b": connected") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
        (stream, String::from_utf8_lossy(&answer).into_owned())
    }

    #[test]
    fn reload_streams_have_their_own_cap_and_never_starve_pages() {
        let limits = Limits {
            requests: 1,
            streams: 2,
            ..Limits::default()
        };
        let address = start(limits, &[("index.html", PAGE)]);
        let (first, answer) = open_stream(address);
        assert_eq!(status(&answer), "200", "{answer}");
        let (_second, answer) = open_stream(address);
        assert_eq!(status(&answer), "200", "{answer}");
        assert_eq!(status(&get(address, "/", "localhost")), "200");
        let (_, answer) = open_stream(address);
        assert_eq!(status(&answer), "503", "{answer}");

        // A tab that navigates away closes its stream; the place comes back.
        drop(first);
        let deadline = Instant::now() + PATIENCE;
        loop {
            let (_third, answer) = open_stream(address);
            if status(&answer) == "200" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the closed stream kept its place"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

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
