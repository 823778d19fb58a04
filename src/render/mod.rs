//! Stage 4: turn a checked site into pages. Pure: takes the loaded site and
//! returns files in memory; writing them is `output`'s job.

pub mod highlight;
pub mod markdown;
pub mod pages;
pub mod svg;
pub mod view;
