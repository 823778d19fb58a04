//! `throughline lsp`: the Language Server Protocol 3.17 over stdio.
//!
//! One thread reads frames ([`transport`]) and hands them over a channel;
//! the main thread answers them in order. Before blocking for the next
//! message, and before answering any request, it brings the analysis up to
//! date (one analysis for a burst of edits) and publishes the diagnostics
//! that changed. A request whose `$/cancelRequest` arrived before it was
//! started is answered with `RequestCanceled`.

pub mod convert;
pub mod features;
pub mod state;
pub mod transport;

mod server;

pub use server::run;
