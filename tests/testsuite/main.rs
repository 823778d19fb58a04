//! The integration test suite: one binary (it links once), one module per
//! feature. Every test runs the real `throughline` binary on a site folder.

mod agreement;
mod bad_input;
mod browser;
mod build;
mod check;
mod ci_recipe;
mod cli;
mod docs;
mod graph;
mod health;
#[cfg(unix)]
mod interrupt;
mod lsp;
mod package;
mod safety;
mod sarif;
mod scaffold;
mod serve;
mod support;
