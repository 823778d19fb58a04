//! Positions: throughline's [`Span`] (1-based line, column and length in
//! characters) and byte offsets to and from LSP positions, whose columns
//! count UTF-16 code units unless the client and server agreed on UTF-8.
//! Also `file:` URIs to and from paths.

use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::diagnostics::Span;
use crate::text::to_u32;

/// What an LSP column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units: the protocol's default.
    Utf16,
}

impl Encoding {
    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The line starts of one text, for converting positions in it.
#[derive(Debug)]
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    /// Indexes `text`'s lines (ended by `\n`, as `LineIndex` counts them).
    pub fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// The text indexed.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// Byte range of 0-based `line` without its line break; `None` past the end.
    pub fn line(&self, line: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        let end = if self.text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        Some((start, end))
    }

    /// The LSP position of byte `offset` (moved back to a character boundary).
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column: usize = self.text[start..offset]
            .chars()
            .map(|c| encoding.units(c))
            .sum();
        Position::new(to_u32(line), to_u32(column))
    }

    /// The byte offset of an LSP position; a column past the line's end is its end,
    /// a line past the text's end is the text's end, as the protocol asks.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let Some((start, end)) = self.line(position.line as usize) else {
            return self.text.len();
        };
        let wanted = position.character as usize;
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= wanted {
                return start + i;
            }
            units += encoding.units(c);
        }
        end
    }

    /// The byte range a span covers.
    pub fn span_offsets(&self, span: Span) -> (usize, usize) {
        let line = (span.line as usize).saturating_sub(1);
        let Some((line_start, line_end)) = self.line(line) else {
            return (self.text.len(), self.text.len());
        };
        let skip = (span.column as usize).saturating_sub(1);
        let start = self.text[line_start..line_end]
            .char_indices()
            .nth(skip)
            .map_or(line_end, |(i, _)| line_start + i);
        let end = self.text[start..]
            .char_indices()
            .nth(span.len as usize)
            .map_or(self.text.len(), |(i, _)| start + i);
        (start, end)
    }

    /// The LSP range of a byte range.
    pub fn range(&self, start: usize, end: usize, encoding: Encoding) -> Range {
        Range::new(self.position(start, encoding), self.position(end, encoding))
    }

    /// The LSP range of a span.
    pub fn span_range(&self, span: Span, encoding: Encoding) -> Range {
        let (start, end) = self.span_offsets(span);
        self.range(start, end, encoding)
    }
}

/// The local path a `file:` URI names; `None` for other schemes or a path that is not UTF-8.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///x` and `file://localhost/x` name the same file.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = crate::text::percent_decode(path)?;
    Some(PathBuf::from(String::from_utf8(bytes).ok()?))
}

/// The bytes a `file:` URI made here percent-encodes: everything but RFC
/// 3986's unreserved characters and `/`. What it protects: a `#`, `?`, `%` or
/// space in a file name stays part of the path, and the URI parses whatever
/// the name holds. Non-ASCII bytes are always encoded.
const FILE_URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let uri = format!("file://{}", utf8_percent_encode(text, FILE_URI_PATH));
    Uri::from_str(&uri).ok()
}

/// `path` relative to `root`, `/`-separated, if it lies inside it (lexically: no `..`).
pub fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let rest = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in rest.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str()?.to_string()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_or_bytes() {
        // "é" is 1 UTF-16 unit and 2 bytes; "🚀" is 2 units and 4 bytes.
        let text = "title: Café 🚀 plan\nparent: ps-x\n";
        let lines = Lines::new(text);
        let plan = text.find("plan").expect("plan");
        assert_eq!(lines.position(plan, Encoding::Utf16), Position::new(0, 15));
        assert_eq!(lines.position(plan, Encoding::Utf8), Position::new(0, 18));
        assert_eq!(lines.offset(Position::new(0, 15), Encoding::Utf16), plan);
        assert_eq!(lines.offset(Position::new(0, 18), Encoding::Utf8), plan);
        // Past the end of a line is its end; past the last line, the text's end.
        assert_eq!(
            lines.offset(Position::new(1, 99), Encoding::Utf16),
            text.len() - 1
        );
        assert_eq!(
            lines.offset(Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        // A column in the middle of a surrogate pair lands before the emoji's end.
        let rocket = text.find('🚀').expect("rocket");
        assert_eq!(lines.offset(Position::new(0, 12), Encoding::Utf16), rocket);
    }

    #[test]
    fn spans_count_characters() {
        let text = "# Zürich 🚀\n\nSee [[bet-ü]] now\r\nnext\n";
        let lines = Lines::new(text);
        // `[[bet-ü]]` is at line 3, column 5, 9 characters long.
        let span = Span::new(3, 5, 9);
        let (start, end) = lines.span_offsets(span);
        assert_eq!(&text[start..end], "[[bet-ü]]");
        assert_eq!(
            lines.span_range(span, Encoding::Utf16),
            Range::new(Position::new(2, 4), Position::new(2, 13))
        );
        assert_eq!(
            lines.span_range(span, Encoding::Utf8),
            Range::new(Position::new(2, 4), Position::new(2, 14))
        );
        let rocket = Span::new(1, 10, 1);
        assert_eq!(
            lines.span_range(rocket, Encoding::Utf16),
            Range::new(Position::new(0, 9), Position::new(0, 11))
        );
        // CRLF: the line ends before the `\r`.
        assert_eq!(
            lines.line(2).map(|(s, e)| &text[s..e]),
            Some("See [[bet-ü]] now")
        );
    }

    #[test]
    fn file_uri_path_encodes_exactly_what_the_hand_written_encoder_did() {
        for byte in 0..=255u8 {
            let kept = byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte);
            let out = percent_encoding::percent_encode(&[byte], FILE_URI_PATH).to_string();
            let expected = if kept {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            };
            assert_eq!(out, expected, "byte {byte:#04x}");
        }
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/my site/bets/bet-ü#1.md");
        let uri = path_to_uri(path).expect("uri");
        assert_eq!(uri.as_str(), "file:///tmp/my%20site/bets/bet-%C3%BC%231.md");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        let other = Uri::from_str("https://example.com/x.md").expect("uri");
        assert_eq!(uri_to_path(&other), None);
        assert_eq!(
            relative_to(Path::new("/s"), Path::new("/s/bets/a.md")).as_deref(),
            Some("bets/a.md")
        );
        assert_eq!(
            relative_to(Path::new("/s"), Path::new("/s/../etc/a.md")),
            None
        );
        assert_eq!(relative_to(Path::new("/s"), Path::new("/t/a.md")), None);
    }
}
