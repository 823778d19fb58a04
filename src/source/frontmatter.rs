//! Splitting a document into its YAML front matter and its Markdown body.

/// A document's text cut at the front-matter fences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontMatter<'t> {
    /// The YAML between the fences (empty when the file has none).
    pub yaml: &'t str,
    /// Byte offset of the YAML in the file.
    pub yaml_offset: usize,
    /// The Markdown after the closing fence.
    pub body: &'t str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
    /// Whether the file had front matter at all.
    pub present: bool,
}

/// Why front matter could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// An opening `---` without a closing `---` (or `...`).
    Unclosed,
}

fn is_fence(line: &str, closing: bool) -> bool {
    let line = line
        .trim_end_matches(['\n', '\r'])
        .trim_end_matches([' ', '\t']);
    line == "---" || (closing && line == "...")
}

/// The front matter of `text` with its fences, as parsing cuts it: all of
/// `text` when the front matter is never closed, nothing when there is none.
pub fn front_matter_text(text: &str) -> &str {
    split_front_matter(text).map_or(text, |split| &text[..split.body_offset])
}

/// Cuts `text` (already without a BOM) at the `---` fences.
pub fn split_front_matter(text: &str) -> Result<FrontMatter<'_>, SplitError> {
    let mut lines = crate::text::lines_inclusive(text);
    let no_front_matter = FrontMatter {
        yaml: "",
        yaml_offset: 0,
        body: text,
        body_offset: 0,
        present: false,
    };
    match lines.next() {
        Some(first) if is_fence(first, false) => {
            let yaml_offset = first.len();
            let mut offset = yaml_offset;
            for line in lines {
                if is_fence(line, true) {
                    let body_offset = offset + line.len();
                    return Ok(FrontMatter {
                        yaml: &text[yaml_offset..offset],
                        yaml_offset,
                        body: &text[body_offset..],
                        body_offset,
                        present: true,
                    });
                }
                offset += line.len();
            }
            Err(SplitError::Unclosed)
        }
        _ => Ok(no_front_matter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lf_and_crlf() {
        let fm = split_front_matter("---\nid: a\n---\nBody\n").unwrap();
        assert_eq!((fm.yaml, fm.body, fm.present), ("id: a\n", "Body\n", true));
        let fm = split_front_matter("---\r\nid: a\r\n---\r\nBody\r\n").unwrap();
        assert_eq!((fm.yaml, fm.body), ("id: a\r\n", "Body\r\n"));
        assert_eq!(fm.body_offset, 17);
    }

    #[test]
    fn no_fence_means_no_front_matter() {
        let fm = split_front_matter("# Title\n---\n").unwrap();
        assert!(!fm.present);
        assert_eq!(fm.body, "# Title\n---\n");
        assert!(!split_front_matter("").unwrap().present);
    }

    #[test]
    fn unclosed_and_lonely_fences() {
        assert_eq!(
            split_front_matter("---\nid: a\n"),
            Err(SplitError::Unclosed)
        );
        assert_eq!(split_front_matter("---"), Err(SplitError::Unclosed));
        assert_eq!(split_front_matter("---\n"), Err(SplitError::Unclosed));
        let fm = split_front_matter("---\n---\n").unwrap();
        assert_eq!((fm.yaml, fm.body), ("", ""));
        let fm = split_front_matter("---\nid: a\n...\nx").unwrap();
        assert_eq!(fm.body, "x");
    }
}
