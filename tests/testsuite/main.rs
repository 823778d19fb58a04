//! The integration test suite: one binary (it links once), one module per
//! feature. Every test runs the real `throughline` binary on a site folder.
//! With the unit tests it is the everyday loop, `cargo test --lib --test
//! testsuite`; the tests that drive browsers, editors and other tools, or
//! stop builds from outside, are the `slow` binary (`tests/slow/`).

mod agreement;
mod bad_input;
mod build;
mod check;
mod checkin;
mod ci_recipe;
mod cli;
mod digest;
mod digest_recipe;
mod docs;
mod errors;
mod feeds;
mod graph;
mod health;
mod history;
#[cfg(unix)]
mod interrupt;
mod layers;
mod learning;
mod lsp;
mod package;
mod people;
#[cfg(unix)]
mod rebuild;
mod release;
#[cfg(unix)]
mod render_cache;
mod review;
mod safety;
mod sarif;
mod scaffold;
mod scale;
mod serve;
mod serve_edit;
mod site_history;
// Each binary uses part of the shared helpers.
#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;
mod trace;
mod trackers;
