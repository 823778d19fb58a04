//! What the server tells the terminal, as text: one line per event on
//! stdout, like Zola's and Hugo's servers, and diagnostics on stderr.

use super::Report;
use crate::escape::for_terminal;
use crate::text::plural;

/// The text of one [`Report`]: `stderr` (diagnostics, warnings) is printed
/// before `stdout` (the event's line); either may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Said {
    /// For stderr, as it is printed (each line ends with a newline).
    pub stderr: String,
    /// For stdout, as it is printed (each line ends with a newline).
    pub stdout: String,
}

impl Report<'_> {
    /// What the terminal is told of this event for a site at `root`.
    pub fn describe(&self, root: &str) -> Said {
        match self {
            Report::Ready { url, outcome } => {
                let state = match &outcome.problem {
                    Some(problem) => problem.summary.clone(),
                    None => format!(
                        "{} documents, {} files, {} in {} ms",
                        outcome.documents,
                        outcome.files_changed,
                        plural(outcome.counts.warnings, "warning"),
                        outcome.took.as_millis()
                    ),
                };
                Said {
                    stderr: outcome.report.clone(),
                    stdout: format!(
                        "serving {root}: {state}
  {url}  (Ctrl-C to stop; nothing is written to disk)
watching {root} for changes\n"
                    ),
                }
            }
            Report::Polling(reason) => Said {
                stdout: format!(
                    "note: native file events are unavailable ({reason}); polling every 0.5 s\n"
                ),
                ..Said::default()
            },
            Report::WatchError(message) => Said {
                stdout: format!("watch error: {}\n", for_terminal(message)),
                ..Said::default()
            },
            Report::Exposed(address) => Said {
                stderr: format!(
                    "warning: listening on {address}, beyond loopback: anyone on the network can read this site, under any host name\n"
                ),
                ..Said::default()
            },
            Report::Rebuilt(outcome) => {
                // File names come from the disk and may hold terminal controls.
                let what = match outcome.changed.as_slice() {
                    [one] => for_terminal(one).into_owned(),
                    [first, rest @ ..] => {
                        format!("{} and {} more", for_terminal(first), rest.len())
                    }
                    [] => String::new(),
                };
                let scope = if outcome.full {
                    "full rebuild"
                } else {
                    "rebuilt"
                };
                let result = match &outcome.problem {
                    Some(problem) => problem.summary.clone(),
                    None => format!(
                        "{} rendered, {} changed, {}",
                        plural(outcome.rendered, "file"),
                        outcome.files_changed,
                        plural(outcome.counts.warnings, "warning")
                    ),
                };
                Said {
                    stderr: outcome.report.clone(),
                    stdout: format!(
                        "{what} changed: {scope} in {} ms: {result}\n",
                        outcome.took.as_millis()
                    ),
                }
            }
        }
    }
}
