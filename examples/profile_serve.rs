//! Drives `LiveSite::update` through title edits of a corpus, for a profiler:
//! `scripts/profile-serve.sh` runs it under callgrind and counts only `edit`.
//!
//!     cargo run --release --example profile_serve -- DIR [EDITS]
//!
//! With `EDIT=body`, each edit adds a sentence to a body instead.
//!
//! With `ONE_THREAD` set, rayon runs on the calling thread, so a profiler
//! that follows one thread sees the whole of each edit.

use std::path::{Path, PathBuf};

use throughline::serve::session::{LiveSite, Outcome};
use throughline::LoadOptions;

// The binary's allocator, so that the profile counts what serve does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: profile_serve DIR [EDITS]"));
    let edits: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    if std::env::var_os("ONE_THREAD").is_some() {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build_global()
            .expect("one rayon thread");
    }
    let options = LoadOptions {
        root: dir.clone(),
        today: throughline::date::Today::Given(
            throughline::date::parse_date("2026-11-24").expect("date"),
        ),
        drafts: false,
        output_dir: None,
        base_url: Some("/".into()),
    };
    let (mut live, _) = LiveSite::start(options, false);
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let step = (files.len() / edits.max(1)).max(1);
    for (n, path) in files.iter().step_by(step).take(edits).enumerate() {
        let text = std::fs::read_to_string(path).expect("read");
        let edited = if std::env::var("EDIT").is_ok_and(|e| e == "body") {
            // At the top of the body, where search indexes it.
            text.replacen(
                "\n---\n",
                &format!("\n---\nEdit {n}: one more sentence.\n"),
                1,
            )
        } else {
            text.replacen("title: ", &format!("title: Edit {n} of "), 1)
        };
        std::fs::write(path, edited).expect("write");
        let outcome = edit(&mut live, path);
        eprintln!(
            "{}: {} files rendered in {:?}",
            path.display(),
            outcome.rendered,
            outcome.took
        );
    }
}

/// One edit; its own function so that a profiler can count it alone.
#[inline(never)]
fn edit(live: &mut LiveSite, path: &Path) -> Outcome {
    live.update(&[path.to_path_buf()])
}
