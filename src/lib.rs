//! throughline: a static site generator for strategy documents.
//!
//! The pipeline runs one way, each stage a module that knows only the
//! stages below it (ARCHITECTURE.md, "Layers"): [`source`] finds and parses
//! files, [`graph`] resolves links between them, `analysis` derives facts,
//! [`rules`] judges the strategy's health, [`site`] runs those stages into a
//! [`Site`], and [`render`] and [`output`] turn it into pages on disk
//! ([`build`]). `check`, `build`, `serve`, `diff` and `lsp` all start from
//! [`load`]. This file declares the modules and re-exports what the binary,
//! the tests and the benches use.

// The leaves, which import no other module.
pub mod date;
pub mod escape;
mod hash;
pub mod text;

// What a finding is; the YAML surface; settings and typed documents.
pub mod config;
pub mod diagnostics;
mod model;
mod yaml;

// Stages 1 to 5 and what they keep between runs.
mod analysis;
pub mod edit;
mod git;
pub mod graph;
mod kept;
pub mod rules;
mod site;
pub mod source;
pub mod tracker;

// What a site is read into: its history, pages, the output folder.
mod build;
pub mod history;
pub mod output;
pub mod render;

// Commands and front ends.
pub mod checkin;
pub mod confidence;
pub mod diff;
pub mod digest;
pub mod lsp;
pub mod review;
pub mod scaffold;
pub mod serve;

pub use build::{
    check_summary, for_each_static_file, load_theme, refused_summary as build_refused_summary,
    write_site, write_site_with, Built,
};
pub use site::{
    analyze, analyze_cached, inputs_from_texts, load, load_lean, read_history, read_inputs,
    reparse_in_place, AnalysisCache, Inputs, Kept, LoadOptions, RunError, Site,
};
pub use source::absolute;
