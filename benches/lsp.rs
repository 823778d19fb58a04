//! `throughline lsp` on a generated corpus (`../shared/bench/gen_corpus.py`),
//! spoken to over stdio by the release binary:
//!
//! (a) `initialize` to the first diagnostics of an opened document;
//! (b) a keystroke to its diagnostics: each edit writes one more character
//!     of a broken `[[…]]` link into the open document, so every edit changes
//!     its findings and is published (median and range);
//! (c) the server's peak memory (VmHWM).
//!
//! `cargo bench --bench lsp` (sizes with `LSP_BENCH_SIZES=1000,10000`,
//! edits with `LSP_BENCH_EDITS=30`).

mod common;

use common::corpus;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this file too, with no time to spare.
    if std::env::args().all(|a| a != "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("LSP_BENCH_SIZES")
        .unwrap_or_else(|_| "10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let edits: usize = std::env::var("LSP_BENCH_EDITS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    for size in sizes {
        let dir = corpus(size);
        let (first, keystrokes, peak) = session(&dir, edits);
        println!(
            "{size:>6} documents: initialize to first diagnostics {:.0} ms; keystroke to diagnostics {}; peak memory {} MB",
            first.as_secs_f64() * 1000.0,
            summary(&keystrokes),
            peak / 1024
        );
    }
}

/// The first Markdown file of the corpus, in path order.
fn some_document(dir: &Path) -> PathBuf {
    let mut stack = vec![dir.to_path_buf()];
    let mut found = Vec::new();
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read corpus").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found.into_iter().next().expect("a document")
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
}

impl Server {
    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self
                .incoming
                .recv_timeout(Duration::from_secs(120))
                .expect("the server answers");
            if wanted(&message) {
                return message;
            }
        }
    }
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// One session: (initialize to first diagnostics, each keystroke to its diagnostics, peak KiB).
fn session(dir: &Path, edits: usize) -> (Duration, Vec<Duration>, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn throughline lsp");
    let stdout = child.stdout.take().expect("stdout");
    let stdin = child.stdin.take().expect("stdin");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Some(m) = read_frame(&mut reader) {
            if tx.send(m).is_err() {
                break;
            }
        }
    });
    let mut server = Server {
        child,
        stdin,
        incoming: rx,
    };
    let root = dir.canonicalize().expect("root");
    let doc = some_document(&root);
    let uri = format!("file://{}", doc.display());
    let text = std::fs::read_to_string(&doc).expect("read document");

    let started = Instant::now();
    server.send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "rootUri": format!("file://{}", root.display()), "capabilities": {} } }));
    server.wait_for(|m| m["id"] == 1);
    server.send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    server.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } } }));
    server.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1
    });
    let first = started.elapsed();

    let mut typed = String::from("\n[[n");
    let mut keystrokes = Vec::new();
    for n in 0..edits {
        // One more character of a link that names no document: a new finding every time.
        typed.push(char::from(b'a' + (n % 26) as u8));
        let version = n as i64 + 2;
        let edited = format!("{text}{typed}]]\n");
        let sent = Instant::now();
        server.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": edited }] } }));
        server.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        });
        keystrokes.push(sent.elapsed());
    }
    // Prose typed at the end of the body: no finding changes, so nothing is
    // published; a request right after it is answered once the edit is in.
    let mut prose_times = Vec::new();
    let mut prose = format!("{text}{typed}]]\n");
    for n in 0..edits {
        prose.push(char::from(b'a' + (n % 26) as u8));
        let version = (edits + n) as i64 + 2;
        let id = 1000 + n as i64;
        let sent = Instant::now();
        server.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": prose }] } }));
        server.send(json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
            "params": { "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } } }));
        server.wait_for(|m| m["id"] == id);
        prose_times.push(sent.elapsed());
    }
    println!(
        "  prose keystroke to the next answer: {}",
        summary(&prose_times)
    );
    let peak = peak_kib(server.child.id());
    server.send(json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }));
    server.wait_for(|m| m["id"] == 2);
    server.send(json!({ "jsonrpc": "2.0", "method": "exit" }));
    let _ = server.child.wait();
    (first, keystrokes, peak)
}

/// The process's peak resident memory in KiB (`VmHWM`), 0 where /proc is missing.
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn summary(times: &[Duration]) -> String {
    let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    match (ms.first(), ms.get(ms.len() / 2), ms.last()) {
        (Some(lo), Some(median), Some(hi)) => {
            format!(
                "median {median:.1} ms (range {lo:.1}-{hi:.1}, {} edits)",
                ms.len()
            )
        }
        _ => "no edits".into(),
    }
}
