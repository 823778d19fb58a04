//! The floor of a build: only the work no static site generator can skip.
//!
//!     cargo run --release --example floor -- CORPUS LIKE OUT
//!
//! Reads every `.md` file under CORPUS, renders every body (what follows
//! the front matter) with pulldown-cmark alone, and writes into OUT (which
//! must not exist) the files a throughline build wrote into LIKE: the same
//! paths with the same sizes, read from LIKE's manifest, filled with the
//! rendered HTML. All three steps run in parallel as the build does. Prints
//! the wall time of each step and the total; `scripts/bench.sh` reports a
//! cold build as a multiple of that total.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pulldown_cmark::{html, Options, Parser};
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [corpus, like, out] = args.as_slice() else {
        eprintln!("usage: floor CORPUS LIKE OUT");
        std::process::exit(2);
    };
    if let Err(e) = run(Path::new(corpus), Path::new(like), Path::new(out)) {
        eprintln!("floor: {e}");
        std::process::exit(2);
    }
}

fn run(corpus: &Path, like: &Path, out: &Path) -> std::io::Result<()> {
    // What to write, known before the clock starts: it stands for the pages
    // a generator decides on, not for work.
    let manifest = std::fs::read_to_string(like.join(".throughline-manifest"))?;
    let files: Vec<(PathBuf, usize)> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.splitn(3, ' ');
            let _hash = fields.next()?;
            let len = fields.next()?.parse().ok()?;
            Some((out.join(fields.next()?), len))
        })
        .collect();
    if out.exists() {
        return Err(std::io::Error::other(format!(
            "{} exists; the floor writes into a fresh folder",
            out.display()
        )));
    }

    let started = Instant::now();
    let sources: Vec<PathBuf> = walkdir::WalkDir::new(corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let texts: Vec<String> = sources
        .par_iter()
        .map(std::fs::read_to_string)
        .collect::<Result<_, _>>()?;
    let read = started.elapsed();

    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let bodies: Vec<String> = texts
        .par_iter()
        .map(|text| {
            let mut page = String::with_capacity(text.len() * 2);
            html::push_html(&mut page, Parser::new_ext(body_of(text), options));
            page
        })
        .collect();
    let rendered = started.elapsed();

    std::fs::create_dir_all(out)?;
    files
        .par_iter()
        .enumerate()
        .try_for_each(|(i, (path, len))| {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            // Some rendered body, repeated to the length of the page it stands for.
            let body = bodies[i % bodies.len().max(1)].as_bytes();
            let mut bytes = Vec::with_capacity(*len);
            while bytes.len() < *len && !body.is_empty() {
                let take = body.len().min(len - bytes.len());
                bytes.extend_from_slice(&body[..take]);
            }
            bytes.resize(*len, b' ');
            std::fs::write(path, bytes)
        })?;
    let total = started.elapsed();
    println!(
        "floor: {} sources, {} files, {} bytes: read {:.3} s, render {:.3} s, write {:.3} s, total {:.3} s",
        texts.len(),
        files.len(),
        files.iter().map(|(_, len)| len).sum::<usize>(),
        read.as_secs_f64(),
        (rendered - read).as_secs_f64(),
        (total - rendered).as_secs_f64(),
        total.as_secs_f64()
    );
    Ok(())
}

/// The text after a `---` front matter block, or all of it when there is none.
fn body_of(text: &str) -> &str {
    text.strip_prefix("---\n")
        .and_then(|rest| rest.find("\n---\n").map(|end| &rest[end + 5..]))
        .unwrap_or(text)
}
