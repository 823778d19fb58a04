//! What the server tells the client it can do.

use lsp_types::{
    InitializeResult, PositionEncodingKind, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind,
};

use crate::lsp::convert::Encoding;

/// The answer to `initialize`.
pub fn initialize_result(encoding: Encoding) -> InitializeResult {
    let position_encoding = match encoding {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
    };
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(position_encoding),
            // Whole texts: a document is at most 4 MiB and is parsed whole anyway.
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "throughline".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    }
}
