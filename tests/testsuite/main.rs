//! The integration test suite: one binary (it links once), one module per
//! feature. Every test runs the real `throughline` binary on a site folder.

mod a11y;
mod agreement;
mod bad_input;
mod browser;
mod build;
mod check;
mod checkin;
mod ci_recipe;
mod cli;
mod docs;
mod errors;
mod graph;
mod health;
mod history;
#[cfg(unix)]
mod interrupt;
mod layers;
mod lsp;
mod package;
mod precommit;
#[cfg(unix)]
mod rebuild;
#[cfg(unix)]
mod render_cache;
mod review;
mod safety;
mod sarif;
mod scaffold;
mod serve;
mod site_history;
mod support;
