//! What the server answers, one module per feature. Each reads the latest
//! analysis through a [`Ctx`]; none changes the workspace or the disk.

pub mod capabilities;
pub mod diagnostics;

use lsp_server::ErrorCode;
use lsp_types::{Position, Uri};
use serde_json::Value;

use crate::graph::DocId;
use crate::model::Document;
use crate::Site;

use super::convert::{Encoding, Lines};
use super::state::Workspace;

/// What every request handler reads.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The workspace.
    pub ws: &'a Workspace,
    /// Its latest analysis.
    pub site: &'a Site,
    /// What LSP columns count.
    pub encoding: Encoding,
    /// What the client can do.
    pub caps: ClientCaps,
}

/// What the client said it can do, as far as the server cares.
#[derive(Debug, Default, Clone, Copy)]
pub struct ClientCaps {
    /// `WorkspaceEdit.documentChanges` (versioned edits).
    pub document_changes: bool,
    /// Registering `workspace/didChangeWatchedFiles` at run time.
    pub watch_files: bool,
}

/// A file of the site a request is about, with its text indexed for positions.
#[derive(Debug)]
pub struct File<'a> {
    /// Root-relative path.
    pub rel: String,
    /// The text as last analysed (the buffer's when open).
    pub lines: Lines<'a>,
    /// Its document, when it is one (not a draft, not ignored).
    pub doc: Option<(DocId, &'a Document)>,
}

impl<'a> File<'a> {
    /// The text.
    pub fn text(&self) -> &'a str {
        self.lines.text()
    }
}

impl<'a> Ctx<'a> {
    /// The file `uri` names, if it is inside the root and the analysis read it.
    pub fn file(&self, uri: &Uri) -> Option<File<'a>> {
        let rel = self.ws.rel_path(uri)?;
        self.file_at(rel)
    }

    /// The file at root-relative `rel`.
    pub fn file_at(&self, rel: String) -> Option<File<'a>> {
        let text = self.ws.text(&rel)?;
        let doc = self.ws.doc(&rel);
        Some(File {
            rel,
            lines: Lines::new(text),
            doc,
        })
    }

    /// The byte offset of `position` in `file`.
    pub fn offset(&self, file: &File<'_>, position: Position) -> usize {
        file.lines.offset(position, self.encoding)
    }
}

/// An error answered to a request.
#[derive(Debug)]
pub struct Failure {
    /// A JSON-RPC or LSP error code.
    pub code: i32,
    /// What went wrong.
    pub message: String,
}

impl Failure {
    /// An error with `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure {
            code: code as i32,
            message: message.into(),
        }
    }
}

/// What a request handler returns.
pub type Answer = Result<Value, Failure>;
