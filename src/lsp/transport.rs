//! The wire: `Content-Length` framed JSON-RPC messages on a byte stream.
//!
//! lsp-server's own stdio transport ends the connection at the first payload
//! that is not a valid message (its reader thread returns the error), which
//! the protocol does not allow: a malformed message must get an error
//! response and the server must go on. So framing is done here, and only
//! well-formed messages become [`lsp_server::Message`] values.

use std::io::{self, BufRead, Read, Write};

use lsp_server::{ErrorCode, Message};
use serde_json::{json, Value};

/// The largest message body read: the biggest document (4 MiB) with every
/// character JSON-escaped fits, and a wrong length cannot make the server
/// hold gigabytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// What one read from the stream gave.
#[derive(Debug)]
pub enum Incoming {
    /// A well-formed message.
    Message(Message),
    /// A frame whose body is not a valid message: answer with this error
    /// (`id` is the request's when it could be read, else null).
    Invalid {
        /// The id to answer, if the body had one.
        id: Value,
        /// A JSON-RPC error code.
        code: i32,
        /// What was wrong.
        message: String,
    },
}

/// Reads the next frame; `Ok(None)` when the stream has ended.
pub fn read(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    let mut line = String::new();
    loop {
        line.clear();
        // Header lines are short; a line without an end is read whole only up to a bound.
        let n = input.by_ref().take(8 * 1024).read_line(&mut line)?;
        if n == 0 {
            return Ok(None);
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between frames are skipped.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = trimmed.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
    let Some(length) = length else {
        return Ok(Some(invalid(
            Value::Null,
            ErrorCode::ParseError,
            "a message must start with a `Content-Length` header".into(),
        )));
    };
    if length > MAX_MESSAGE_BYTES {
        // Skip the body, so the next frame is read from its start.
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Some(invalid(
            Value::Null,
            ErrorCode::InvalidRequest,
            format!("a message may be at most {MAX_MESSAGE_BYTES} bytes, this one is {length}"),
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(parse(&body)))
}

fn invalid(id: Value, code: ErrorCode, message: String) -> Incoming {
    Incoming::Invalid {
        id,
        code: code as i32,
        message,
    }
}

/// A frame's body as a message, or the error to answer it with.
fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return invalid(
                Value::Null,
                ErrorCode::ParseError,
                format!("not valid JSON: {e}"),
            )
        }
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    if !value.is_object() {
        return invalid(
            id,
            ErrorCode::InvalidRequest,
            "a message must be a JSON object".into(),
        );
    }
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(e) => invalid(
            id,
            ErrorCode::InvalidRequest,
            format!("not a JSON-RPC request, response or notification: {e}"),
        ),
    }
}

/// Writes one message.
pub fn write(output: &mut impl Write, message: &Message) -> io::Result<()> {
    message.write(output)?;
    output.flush()
}

/// Writes an error response whose id may be null (lsp-server's `Response` cannot hold one).
pub fn write_error(
    output: &mut impl Write,
    id: &Value,
    code: i32,
    message: &str,
) -> io::Result<()> {
    let text = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    })
    .to_string();
    write!(output, "Content-Length: {}\r\n\r\n{text}", text.len())?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(text: &str) -> Vec<Incoming> {
        let mut input = io::Cursor::new(text.as_bytes().to_vec());
        let mut out = Vec::new();
        while let Some(m) = read(&mut input).expect("read") {
            out.push(m);
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn malformed_bodies_become_errors_and_reading_goes_on() {
        let text = [
            frame("{not json"),
            frame("[1, 2]"),
            frame(r#"{"jsonrpc":"2.0","id":7,"params":{}}"#),
            frame(r#"{"jsonrpc":"2.0","id":8,"method":"shutdown"}"#),
        ]
        .concat();
        let got = frames(&text);
        assert_eq!(got.len(), 4);
        assert!(
            matches!(&got[0], Incoming::Invalid { code, id: Value::Null, .. } if *code == ErrorCode::ParseError as i32)
        );
        assert!(
            matches!(&got[1], Incoming::Invalid { code, .. } if *code == ErrorCode::InvalidRequest as i32)
        );
        assert!(matches!(&got[2], Incoming::Invalid { id, .. } if *id == json!(7)));
        assert!(
            matches!(&got[3], Incoming::Message(Message::Request(r)) if r.method == "shutdown")
        );
    }

    #[test]
    fn a_frame_without_length_or_too_long_is_refused() {
        let text = format!(
            "Content-Type: x\r\n\r\nContent-Length: {}\r\n\r\n{}",
            MAX_MESSAGE_BYTES + 1,
            " ".repeat(MAX_MESSAGE_BYTES + 1)
        );
        let got = frames(&text);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|m| matches!(m, Incoming::Invalid { .. })));
    }
}
