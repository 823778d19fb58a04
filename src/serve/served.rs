//! The store the server threads read: the files being served, in memory,
//! and the problem shown over them. The rebuild loop is its only writer and
//! swaps a render's files in with `Served::replace_all` or `Served::apply`
//! while holding the write lock once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::config;
use crate::diagnostics::{self, Diagnostic, HumanStyle};
use crate::output::OutputFile;
use crate::site::RunError;

/// A served file's contents, shared with the server threads. Not `Arc<[u8]>`:
/// making one from the rendered `Vec` copies it, 20 MB of search index per rebuild.
pub type FileBytes = Arc<Vec<u8>>;

/// The files being served and what is wrong with the latest build, shared with the server threads.
#[derive(Debug, Default)]
pub struct Served {
    /// Rendered pages and assets, by path relative to the site root.
    generated: HashMap<String, FileBytes>,
    /// `static/` files, which win over generated ones as in `build`.
    statics: HashMap<String, FileBytes>,
    /// The latest build's errors, shown over every page until they are fixed.
    pub problem: Option<Problem>,
}

impl Served {
    /// The file at `path` (relative, `/`-separated), if the site has one.
    pub fn file(&self, path: &str) -> Option<FileBytes> {
        self.statics
            .get(path)
            .or_else(|| self.generated.get(path))
            .cloned()
    }

    /// A site of these `(path, contents)` files, for the server's tests.
    #[cfg(test)]
    pub(crate) fn of(files: &[(&str, &str)]) -> Served {
        Served {
            generated: files
                .iter()
                .map(|(path, text)| (path.to_string(), Arc::new(text.as_bytes().to_vec())))
                .collect(),
            ..Served::default()
        }
    }

    /// Every path served, sorted; for tests and comparisons with `build`.
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .generated
            .keys()
            .chain(self.statics.keys())
            .cloned()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        paths.sort();
        paths
    }

    /// Serves `statics` as the site's `static/` files from now on.
    pub(crate) fn set_statics(&mut self, statics: HashMap<String, FileBytes>) {
        self.statics = statics;
    }

    /// Serves exactly `files` as the generated ones (a render of every
    /// page); returns how many there are.
    pub(crate) fn replace_all(&mut self, files: Vec<OutputFile>) -> usize {
        let count = files.len();
        self.generated = files
            .into_iter()
            .map(|f| (f.path, Arc::new(f.bytes)))
            .collect();
        count
    }

    /// The generated (not static) paths that start with `prefix`.
    pub(crate) fn generated_under(&self, prefix: &str) -> Vec<String> {
        self.generated
            .keys()
            .filter(|p| p.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Takes in a partial render: drops the `gone` paths and stores each of
    /// `files` whose bytes differ from the served ones. Returns how many
    /// served files were removed, added or changed.
    pub(crate) fn apply(&mut self, gone: &[String], files: Vec<OutputFile>) -> usize {
        let mut count = gone
            .iter()
            .filter(|path| self.generated.remove(path.as_str()).is_some())
            .count();
        for file in files {
            let same = self
                .generated
                .get(&file.path)
                .is_some_and(|old| **old == *file.bytes);
            if !same {
                count += 1;
                self.generated.insert(file.path, Arc::new(file.bytes));
            }
        }
        count
    }
}

/// Why the latest build is not the one being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// One line: what failed.
    pub summary: String,
    /// The diagnostics in the human format, without colour.
    pub details: String,
}

/// A problem and its report for the terminal.
pub(crate) type Failure = (Problem, String);

impl Problem {
    /// A failure that is one message, with no diagnostics to quote.
    pub(crate) fn plain(message: String) -> Failure {
        let problem = Problem {
            summary: message.clone(),
            details: String::new(),
        };
        (problem, format!("error: {message}\n"))
    }

    /// A failure of `errors` in `sources`: the details without colour, the
    /// terminal's report coloured when `color` is set.
    pub(crate) fn report(
        sources: &dyn diagnostics::SourceLookup,
        errors: &[Diagnostic],
        summary: String,
        color: bool,
    ) -> Failure {
        let render = |color: bool| {
            let mut out = Vec::new();
            // Writing into a Vec cannot fail.
            let _ = diagnostics::render_human(errors, sources, HumanStyle { color }, &mut out);
            String::from_utf8_lossy(&out).into_owned()
        };
        let problem = Problem {
            summary,
            details: render(false),
        };
        (problem, render(color))
    }

    /// The failure a run error is: an invalid config is quoted where it is wrong.
    pub(crate) fn of_run_error(err: &RunError, color: bool) -> Failure {
        match err {
            RunError::Config { diagnostic, text } => {
                let mut lookup = HashMap::new();
                if let Some(text) = text {
                    lookup.insert(config::CONFIG_FILE.to_string(), text.clone());
                }
                let summary = format!(
                    "{} is invalid; still serving the last good build",
                    config::CONFIG_FILE
                );
                Problem::report(&lookup, std::slice::from_ref(diagnostic), summary, color)
            }
            other => Problem::plain(other.to_string()),
        }
    }
}
