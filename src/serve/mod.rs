//! `throughline serve`: build into memory, serve over HTTP on loopback,
//! watch the root, rebuild what changed and reload open pages.
//!
//! Three threads share one [`served::Served`]: the HTTP server reads it,
//! the rebuild loop (the caller's thread) writes it, and the watcher feeds
//! the loop batches of changed paths. Nothing is written to disk, so
//! stopping the server (Ctrl-C) leaves no files behind.

mod change;
#[cfg(test)]
mod differential;
mod http;
mod invalidate;
mod report;
mod request;
mod served;
pub mod session;
mod watch;

use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::sync::Arc;

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
    if request::HostPolicy::for_address(local) == request::HostPolicy::Any {
        report(Report::Exposed(local));
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
    let (events, changes) = mpsc::channel();
    let (_watcher, polling) = watch::watch(&root, events).map_err(RunError::Other)?;
    let (mut live, outcome) = LiveSite::start(load, options.color);
    let reloads = Arc::new(http::Reloads::default());
    let served = live.served();
    let server_reloads = Arc::clone(&reloads);
    std::thread::spawn(move || http::run(listener, served, server_reloads));
    report(Report::Ready {
        url: url(local),
        outcome: &outcome,
    });

    if let Some(reason) = &polling {
        report(Report::Polling(reason));
    }
    let mut build = 0u64;
    let mut last_problem = outcome.problem;
    while let Ok(event) = changes.recv() {
        let mut paths = Vec::new();
        for event in std::iter::once(event).chain(changes.try_iter()) {
            match event {
                WatchEvent::Changed(p) => paths.extend(p),
                WatchEvent::Error(e) => report(Report::WatchError(&e)),
            }
        }
        if paths.is_empty() {
            continue;
        }
        let outcome = live.update(&paths);
        if outcome.changed.is_empty() {
            continue;
        }
        if outcome.files_changed > 0 || outcome.problem != last_problem {
            build += 1;
            reloads.broadcast(build);
        }
        last_problem = outcome.problem.clone();
        report(Report::Rebuilt(&outcome));
    }
    Ok(())
}

fn url(address: SocketAddr) -> String {
    format!("http://{address}/")
}
