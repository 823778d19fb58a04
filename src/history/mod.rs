//! The strategy's history, read from git: what each commit changed in each
//! document ([`SiteHistory`], kept between runs by [`cache`]), the files of a
//! revision read without a checkout ([`read_revision`]), and the comparison
//! of two versions of a front matter ([`front_matter_change`]). `diff`
//! analyses revisions on top of this.

mod anchor;
mod body;
pub mod cache;
mod confidence;
mod exports;
mod fields;
mod revision;
mod site;
mod words;

pub use anchor::commit_at_end_of;
pub use body::{
    changed_sections, section_changes, section_hashes, SectionChange, SectionEdit, WordChange,
};
pub use confidence::{confidence_over_time, ConfidencePoint};
pub use exports::ItemNamed;
pub use fields::{front_matter_change, top_field, FieldChange, FrontMatterChange};
pub use revision::{read_exports, read_revision, read_revisions, RevisionError, RevisionTexts};
pub use site::{Change, Commit, DocHistory, Event, HistoryState, SiteHistory, TimeInStatus};
pub use words::{plain, Word};
