//! Why rendering stopped: its own file, so that the pages and the stages
//! that run them name it without going through `render/mod.rs`.

use super::theme::TemplateError;

/// Why rendering stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

impl From<TemplateError> for RenderError {
    fn from(e: TemplateError) -> RenderError {
        RenderError(format!("template error: {}", e.0))
    }
}
