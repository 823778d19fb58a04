//! The slow integration tests, a binary of their own so that the everyday
//! loop (`cargo test --lib --test testsuite`) leaves them out while `cargo
//! test` runs them: the built site in headless Chromium (`browser`), axe-core
//! and the Nu Html Checker (`a11y`), Neovim as the LSP client (`editor`),
//! the pre-commit hook run by `pre-commit` (`precommit`), and builds stopped
//! by signals, `kill -9` and the abort hook (`kills`). Each tool-driven test
//! prints a note and passes where its tool is missing, except under CI.

mod a11y;
mod browser;
mod editor;
#[cfg(unix)]
mod kills;
mod precommit;
mod serve_edit;
mod snippets;
// Each binary uses part of the shared helpers.
#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;
