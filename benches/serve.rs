//! `serve` after a single-document edit, on corpora from `../shared/bench/gen_corpus.py`:
//!
//! (a) rebuild: from the change reaching the rebuild to the new pages being
//!     served (`LiveSite::update`, in process);
//! (b) edit to reload: from the file write to the reload event arriving on
//!     the server-sent-events stream of the release binary, debounce included.
//!
//! `cargo bench --bench serve` (sizes with `SERVE_BENCH_SIZES=1000,10000`,
//! edits per size with `SERVE_BENCH_EDITS=20`, one kind of edit with
//! `SERVE_BENCH_EDIT=body` or `title`). Prints medians and ranges.

mod common;

use common::corpus;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use throughline::serve::session::LiveSite;
use throughline::LoadOptions;

// Measure with the allocator the binary ships with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this file too, with no time to spare.
    if std::env::args().all(|a| a != "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("SERVE_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let edits: usize = std::env::var("SERVE_BENCH_EDITS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let only = std::env::var("SERVE_BENCH_EDIT").ok();
    println!("serve: median of {edits} single-document edits");
    for size in sizes {
        let dir = corpus(size);
        for edit in [Edit::Body, Edit::Title] {
            if only.as_deref().is_some_and(|o| o != edit.name()) {
                continue;
            }
            let (rebuild, pages) = rebuild_times(&dir, edits, edit);
            let reload = reload_times(&dir, edits, edit);
            println!(
                "{size:>6} documents, {}: rebuild {} (pages rendered: median {}), edit-to-reload {}",
                edit.describe(),
                summary(&rebuild),
                median_usize(pages),
                summary(&reload)
            );
        }
    }
}

/// What each edit changes.
#[derive(Debug, Clone, Copy)]
enum Edit {
    /// A sentence appended to the body: the common case while writing.
    Body,
    /// The title in the front matter: every page that lists the document changes too.
    Title,
}

impl Edit {
    fn name(self) -> &'static str {
        match self {
            Edit::Body => "body",
            Edit::Title => "title",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Edit::Body => "body text appended",
            Edit::Title => "title changed",
        }
    }

    fn apply(self, path: &Path, n: usize) {
        let mut text = std::fs::read_to_string(path).expect("read");
        match self {
            Edit::Body => text.push_str(&format!("\nEdited in the serve benchmark, pass {n}.\n")),
            Edit::Title => text = text.replacen("title: ", &format!("title: Edit {n} of "), 1),
        }
        std::fs::write(path, text).expect("write");
    }
}

/// Documents to edit: every n-th Markdown file, so edits spread over the kinds.
fn targets(dir: &Path, count: usize) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let step = (files.len() / count).max(1);
    files.into_iter().step_by(step).take(count).collect()
}

fn options(dir: &Path) -> LoadOptions {
    LoadOptions {
        root: dir.to_path_buf(),
        today: throughline::date::Today::Given(
            throughline::date::parse_date("2026-11-24").expect("date"),
        ),
        drafts: false,
        output_dir: None,
        base_url: Some("/".into()),
    }
}

fn rebuild_times(dir: &Path, edits: usize, edit: Edit) -> (Vec<Duration>, Vec<usize>) {
    let (mut live, first) = LiveSite::start(options(dir), false);
    assert!(first.problem.is_none(), "{:?}", first.problem);
    let mut times = Vec::new();
    let mut pages = Vec::new();
    for (n, path) in targets(dir, edits).iter().enumerate() {
        edit.apply(path, n);
        let outcome = live.update(std::slice::from_ref(path));
        assert!(outcome.problem.is_none(), "{:?}", outcome.problem);
        times.push(outcome.took);
        pages.push(outcome.rendered);
    }
    (times, pages)
}

fn reload_times(dir: &Path, edits: usize, edit: Edit) -> Vec<Duration> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(["serve", "--port", "0", "--today", "2026-11-24"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut lines = stdout.lines();
    let address = loop {
        let line = lines
            .next()
            .expect("serve prints its address")
            .expect("line");
        if let Some(at) = line.find("http://") {
            let rest = &line[at + 7..];
            break rest[..rest.find('/').expect("slash")].to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let mut stream = TcpStream::connect(&address).expect("connect");
    write!(
        stream,
        "GET /__throughline/events HTTP/1.1\r\nHost: {address}\r\n\r\n"
    )
    .expect("send");
    let (tx, events) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if line.starts_with("data: ") && tx.send(Instant::now()).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    let mut times = Vec::new();
    for (n, path) in targets(dir, edits).iter().enumerate() {
        let written = Instant::now();
        edit.apply(path, n + 1000);
        let arrived = events
            .recv_timeout(Duration::from_secs(30))
            .expect("a reload event");
        times.push(arrived.duration_since(written));
        // Let the watcher settle so edits do not merge into one batch.
        std::thread::sleep(Duration::from_millis(150));
        while events.try_recv().is_ok() {}
    }
    let _ = child.kill();
    let _ = child.wait();
    times
}

fn summary(times: &[Duration]) -> String {
    let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    if ms.is_empty() {
        return "n/a".into();
    }
    format!(
        "{:.1} ms (min {:.1}, max {:.1})",
        ms[ms.len() / 2],
        ms[0],
        ms[ms.len() - 1]
    )
}

fn median_usize(mut values: Vec<usize>) -> usize {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or(0)
}
