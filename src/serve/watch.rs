//! Watching the site root: notify's native watcher behind notify-debouncer-full,
//! so an editor's burst of writes and renames arrives as one batch of paths.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    new_debouncer_opt, DebounceEventResult, Debouncer, NoCache, RecommendedCache,
};

/// How long the root must be quiet before a batch is handed on. Editors
/// finish an atomic save (write a temporary file, rename it) well within it,
/// and it is short enough that the page reloads before the hand leaves the keyboard.
pub(super) const DEBOUNCE: Duration = Duration::from_millis(20);

/// How often the polling fallback looks at the files.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// A running watcher; dropping it stops watching. Its debouncer is held,
/// never read: it watches while it lives.
pub(super) enum Watcher {
    /// inotify, FSEvents or ReadDirectoryChanges.
    Native(#[allow(dead_code)] Debouncer<RecommendedWatcher, RecommendedCache>),
    /// Polling, when the native watcher cannot watch the root (Linux's inotify limits).
    Polling(#[allow(dead_code)] Debouncer<PollWatcher, NoCache>),
}

/// What the watcher tells its owner.
#[derive(Debug)]
pub(super) enum WatchEvent {
    /// Paths that changed, were created, removed or renamed (both names).
    Changed(Vec<PathBuf>),
    /// The watcher reported a problem; watching goes on.
    Error(String),
}

/// Whether an event can mean new content. Reads are left out: the rebuild
/// itself opens every changed file, and hearing about that would rebuild forever.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Watches `root` recursively and sends each debounced batch to `events`.
/// Returns the watcher and, when it had to fall back to polling, why.
pub(super) fn watch(
    root: &Path,
    events: Sender<WatchEvent>,
) -> Result<(Watcher, Option<String>), String> {
    let handler = |events: Sender<WatchEvent>| {
        move |result: DebounceEventResult| {
            let event = match result {
                Ok(batch) => {
                    let mut paths: Vec<PathBuf> = batch
                        .into_iter()
                        .filter(|e| changes_content(&e.event.kind))
                        .flat_map(|e| e.event.paths)
                        .collect();
                    if paths.is_empty() {
                        return;
                    }
                    paths.sort();
                    paths.dedup();
                    WatchEvent::Changed(paths)
                }
                Err(errors) => WatchEvent::Error(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            // The receiver is gone only while serve shuts down.
            let _ = events.send(event);
        }
    };
    let native = new_debouncer_opt::<_, RecommendedWatcher, RecommendedCache>(
        DEBOUNCE,
        None,
        handler(events.clone()),
        RecommendedCache::new(),
        notify::Config::default(),
    )
    .and_then(|mut debouncer| {
        debouncer.watch(root, RecursiveMode::Recursive)?;
        Ok(debouncer)
    });
    let reason = match native {
        Ok(debouncer) => return Ok((Watcher::Native(debouncer), None)),
        Err(e) => e.to_string(),
    };
    let mut polling = new_debouncer_opt::<_, PollWatcher, NoCache>(
        DEBOUNCE,
        None,
        handler(events),
        NoCache,
        notify::Config::default().with_poll_interval(POLL_INTERVAL),
    )
    .map_err(|e| format!("cannot watch `{}`: {e}", root.display()))?;
    polling
        .watch(root, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch `{}`: {e}", root.display()))?;
    Ok((Watcher::Polling(polling), Some(reason)))
}
