//! `throughline serve`: build into memory, serve over HTTP on loopback,
//! watch the root, rebuild what changed and reload open pages.
//!
//! Three threads share one [`served::Served`]: the HTTP server reads it,
//! the rebuild loop (the caller's thread) writes it, and the watcher feeds
//! the loop batches of changed paths. Nothing is written to disk, so
//! stopping the server (Ctrl-C) leaves no files behind: unless `--edit` is
//! given, when the pages carry forms whose changes the rebuild loop writes
//! into the documents (`forms.rs`, `apply.rs`), then renders as after a save.

mod apply;
mod change;
#[cfg(test)]
mod differential;
mod forms;
mod http;
mod invalidate;
mod report;
mod request;
mod served;
pub mod session;
mod watch;

use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};

use crate::site::{LoadOptions, RunError};
pub use report::Said;
use session::{LiveSite, Outcome};
use watch::WatchEvent;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// What to load; `base_url` is set to `/` so absolute links work locally.
    pub load: LoadOptions,
    /// The address to listen on.
    pub bind: String,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Colour in the terminal reports.
    pub color: bool,
    /// `--edit`: forms on the pages that write into the documents.
    pub edit: Option<EditOptions>,
}

/// How `serve --edit` writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct EditOptions {
    /// `--commit`: commit each change, as the git user; never push.
    pub commit: bool,
    /// `--allow-remote-edit`: take forms on an address beyond loopback.
    pub allow_remote: bool,
}

/// What the rebuild loop waits for: a batch from the watcher, or a form to write.
#[derive(Debug)]
enum Event {
    Watch(WatchEvent),
    Edit(http::EditJob),
}

/// What the server tells the terminal.
#[derive(Debug)]
pub enum Report<'a> {
    /// The first build is done and the server is listening.
    Ready {
        /// The address to open.
        url: String,
        /// The first build.
        outcome: &'a Outcome,
    },
    /// The watcher could not use native events and polls instead.
    Polling(&'a str),
    /// A rebuild after a change.
    Rebuilt(&'a Outcome),
    /// The watcher reported a problem.
    WatchError(&'a str),
    /// The server listens beyond loopback, so anyone on the network can read
    /// the site and any host name is answered; reported before the first build.
    Exposed(SocketAddr),
    /// `--edit --allow-remote-edit` beyond loopback: anyone who can reach
    /// the address can change the documents.
    RemoteEdit(SocketAddr),
    /// A form's change was written (`change` is the commit message's line),
    /// then the site rebuilt; `committed` is `--commit`'s result.
    Edited {
        /// The change in one line: `checkin m-rate 33 (2026-12-07)`.
        change: &'a str,
        /// The file written, relative to the root.
        file: &'a str,
        /// `--commit`'s result: `None` without it.
        committed: Option<Result<(), String>>,
        /// The rebuild after it.
        outcome: &'a Outcome,
    },
    /// A form was refused; why.
    EditRefused(&'a str),
}

/// Binds, builds, serves and rebuilds on change until the process is stopped.
pub fn serve(options: ServeOptions, report: &mut dyn FnMut(Report<'_>)) -> Result<(), RunError> {
    let address = format!("{}:{}", options.bind, options.port);
    let listener = TcpListener::bind(&address).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
            "; another server is using it: pass `--port 0` to pick a free port"
        } else {
            ""
        };
        RunError::Other(format!("cannot listen on {address}: {e}{hint}"))
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| RunError::Other(format!("cannot listen on {address}: {e}")))?;
    let exposed = request::HostPolicy::for_address(local) == request::HostPolicy::Any;
    if let Some(edit) = options.edit {
        if exposed && !edit.allow_remote {
            return Err(RunError::Other(format!(
                "`--edit` listens on loopback only, and {local} is not: anyone on the network \
                 could change the documents. Drop `--bind`, or add `--allow-remote-edit` if \
                 everyone who can reach {local} may edit"
            )));
        }
        if edit.commit && !apply::in_git_work_tree(&options.load.root) {
            return Err(RunError::Other(format!(
                "`--commit` commits each change, but {} is not in a git work tree; \
                 run `git init` there, or drop `--commit`",
                options.load.root.display()
            )));
        }
    }
    if exposed {
        report(Report::Exposed(local));
        if options.edit.is_some() {
            report(Report::RemoteEdit(local));
        }
    }
    let mut load = options.load;
    load.base_url = Some("/".into());
    let root = load.root.clone();
    if !root.is_dir() {
        return Err(RunError::Root(format!(
            "`{}` is not a folder",
            root.display()
        )));
    }

    // Watch before the first build, so a save during it is not missed.
    let (watch_events, watched) = mpsc::channel();
    let (_watcher, polling) = watch::watch(&root, watch_events).map_err(RunError::Other)?;
    let (events, changes) = mpsc::channel();
    let forward = events.clone();
    std::thread::spawn(move || {
        for event in watched {
            if forward.send(Event::Watch(event)).is_err() {
                return;
            }
        }
    });
    let (mut live, outcome) = LiveSite::start(load, options.color);
    let editing = match options.edit {
        Some(_) => Some(Arc::new(http::Editing {
            token: token()?,
            forms: RwLock::default(),
            jobs: events,
        })),
        None => None,
    };
    let mut fingerprints = forms::Fingerprints::default();
    let mut refresh_forms = |live: &LiveSite, outcome: &Outcome| {
        if let (Some(editing), Some(site)) = (&editing, live.site()) {
            fingerprints.update(site, &outcome.changed, outcome.full);
            let table = forms::FormsTable::of(site, &fingerprints);
            if let Ok(mut forms) = editing.forms.write() {
                *forms = table;
            }
        }
    };
    // Before the first request: a page served without its forms would stay so.
    refresh_forms(&live, &outcome);
    let reloads = Arc::new(http::Reloads::default());
    let served = live.served();
    let server_reloads = Arc::clone(&reloads);
    let server_editing = editing.clone();
    std::thread::spawn(move || http::run(listener, served, server_reloads, server_editing));
    report(Report::Ready {
        url: url(local),
        outcome: &outcome,
    });

    if let Some(reason) = &polling {
        report(Report::Polling(reason));
    }
    let mut build = 0u64;
    let mut last_problem = outcome.problem.clone();
    while let Ok(event) = changes.recv() {
        let mut paths = Vec::new();
        let mut jobs = Vec::new();
        for event in std::iter::once(event).chain(changes.try_iter()) {
            match event {
                Event::Watch(WatchEvent::Changed(p)) => paths.extend(p),
                Event::Watch(WatchEvent::Error(e)) => report(Report::WatchError(&e)),
                Event::Edit(job) => jobs.push(job),
            }
        }
        // Saves first, so that a form is judged against the files as they are.
        if !paths.is_empty() {
            let outcome = live.update(&paths);
            refresh_forms(&live, &outcome);
            if !outcome.changed.is_empty() {
                if outcome.files_changed > 0 || outcome.problem != last_problem {
                    build += 1;
                    reloads.broadcast(build);
                }
                last_problem = outcome.problem.clone();
                report(Report::Rebuilt(&outcome));
            }
        }
        for job in jobs {
            let applied = match live.site() {
                Some(site) => apply::apply(site, &job.form),
                None => apply::Applied::Refused {
                    status: "503 Service Unavailable",
                    field: forms::Field::Form,
                    message: "the site did not load (see the terminal); nothing was written".into(),
                },
            };
            match &applied {
                apply::Applied::Written { file, change } => {
                    let committed = options
                        .edit
                        .filter(|e| e.commit)
                        .map(|_| apply::commit(&root, file, change));
                    let outcome = live.update(&[root.join(file)]);
                    refresh_forms(&live, &outcome);
                    build += 1;
                    reloads.broadcast(build);
                    last_problem = outcome.problem.clone();
                    report(Report::Edited {
                        change,
                        file: &file.to_string_lossy(),
                        committed,
                        outcome: &outcome,
                    });
                }
                apply::Applied::Unchanged { .. } => {}
                apply::Applied::Refused { message, .. } => report(Report::EditRefused(message)),
            }
            // The server thread may have given up waiting; nothing to tell then.
            let _ = job.reply.send(applied);
        }
    }
    Ok(())
}

/// The random token of this process's forms: 128 bits, hex.
fn token() -> Result<String, RunError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| RunError::Other(format!("cannot make the forms' token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn url(address: SocketAddr) -> String {
    format!("http://{address}/")
}
