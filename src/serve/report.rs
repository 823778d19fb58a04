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
    /// What the terminal is told of this event for a site at `root`;
    /// `writes` when `--edit` lets the pages' forms write documents.
    pub fn describe(&self, root: &str, writes: bool) -> Said {
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
                let writes = if writes {
                    "forms on the pages write into the documents"
                } else {
                    "nothing is written to disk"
                };
                Said {
                    stderr: outcome.report.clone(),
                    stdout: format!(
                        "serving {root}: {state}
  {url}  (Ctrl-C to stop; {writes})
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
            Report::RemoteEdit(address) => Said {
                stderr: format!(
                    "warning: --allow-remote-edit: anyone who can reach {address} can change the documents\n"
                ),
                ..Said::default()
            },
            Report::Edited {
                change,
                file,
                committed,
                outcome,
            } => {
                let committed = match committed {
                    None => String::new(),
                    Some(Ok(())) => "; committed".to_string(),
                    Some(Err(why)) => format!("; not committed: {}", for_terminal(why)),
                };
                Said {
                    stderr: outcome.report.clone(),
                    stdout: format!(
                        "edited {}: {}{committed}\n",
                        for_terminal(file),
                        for_terminal(change)
                    ),
                }
            }
            Report::EditRefused(message) => Said {
                stdout: format!("edit refused: {}\n", for_terminal(message)),
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
