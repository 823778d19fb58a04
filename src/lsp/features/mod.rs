//! What the server answers, one module per feature. Each reads the latest
//! analysis through a [`Ctx`]; none changes the workspace or the disk.

pub mod actions;
pub mod capabilities;
pub mod completion;
pub mod diagnostics;
pub mod edits;
pub mod fields;
pub mod navigation;
pub mod refs;
pub mod rename;

use lsp_server::ErrorCode;
use lsp_types::request::{self as req, Request as _};
use lsp_types::{Position, Uri};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::graph::DocId;
use crate::model::Document;
use crate::site::Site;

pub(crate) use super::convert::{Encoding, Lines};
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

/// The requests [`answer`] knows.
const METHODS: &[&str] = &[
    req::Completion::METHOD,
    req::GotoDefinition::METHOD,
    req::References::METHOD,
    req::HoverRequest::METHOD,
    req::DocumentSymbolRequest::METHOD,
    req::WorkspaceSymbolRequest::METHOD,
    req::PrepareRenameRequest::METHOD,
    req::Rename::METHOD,
    req::CodeActionRequest::METHOD,
];

/// Whether [`answer`] knows `method`.
pub fn handles(method: &str) -> bool {
    METHODS.contains(&method)
}

fn params<P: DeserializeOwned>(value: Value) -> Result<P, Failure> {
    serde_json::from_value(value)
        .map_err(|e| Failure::new(ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

fn json(value: impl serde::Serialize) -> Answer {
    serde_json::to_value(value).map_err(|e| Failure::new(ErrorCode::InternalError, e.to_string()))
}

/// Answers a request about the site. A file outside the root, or one the
/// analysis did not read, gets a null answer.
pub fn answer(ctx: &Ctx<'_>, method: &str, p: Value) -> Answer {
    match method {
        req::WorkspaceSymbolRequest::METHOD => {
            let p: lsp_types::WorkspaceSymbolParams = params(p)?;
            return json(navigation::workspace_symbols(ctx, &p.query));
        }
        req::CodeActionRequest::METHOD => {
            let p: lsp_types::CodeActionParams = params(p)?;
            let Some(file) = ctx.file(&p.text_document.uri) else {
                return Ok(Value::Null);
            };
            return json(actions::actions(ctx, &file, p.range));
        }
        req::DocumentSymbolRequest::METHOD => {
            let p: lsp_types::DocumentSymbolParams = params(p)?;
            let Some(file) = ctx.file(&p.text_document.uri) else {
                return Ok(Value::Null);
            };
            return json(navigation::document_symbols(ctx, &file));
        }
        req::References::METHOD => {
            let p: lsp_types::ReferenceParams = params(p)?;
            let at = p.text_document_position;
            let Some(file) = ctx.file(&at.text_document.uri) else {
                return Ok(Value::Null);
            };
            let include = p.context.include_declaration;
            return json(navigation::references(ctx, &file, at.position, include));
        }
        req::Rename::METHOD => {
            let p: lsp_types::RenameParams = params(p)?;
            let at = p.text_document_position;
            let Some(file) = ctx.file(&at.text_document.uri) else {
                return Ok(Value::Null);
            };
            return json(rename::rename(ctx, &file, at.position, &p.new_name)?);
        }
        _ => {}
    }
    // The rest are about one position in one document.
    let at: lsp_types::TextDocumentPositionParams = params(p)?;
    let Some(file) = ctx.file(&at.text_document.uri) else {
        return Ok(Value::Null);
    };
    let position = at.position;
    match method {
        req::Completion::METHOD => json(completion::complete(ctx, &file, position)),
        req::GotoDefinition::METHOD => json(navigation::definition(ctx, &file, position)),
        req::HoverRequest::METHOD => json(navigation::hover(ctx, &file, position)),
        req::PrepareRenameRequest::METHOD => json(rename::prepare(ctx, &file, position)?),
        _ => Err(Failure::new(
            ErrorCode::MethodNotFound,
            format!("unknown method `{method}`"),
        )),
    }
}
