//! Reading the facts the graph needs from a Markdown body: its links (with
//! positions), heading anchors, and first `# heading`. Rendering is not done here.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::diagnostics::Span;
use crate::model::{BodyFacts, BodyLink, BodyLinkTarget, LargeCodeBlock};
use crate::text::{AnchorSet, LineIndex};

/// Code blocks larger than this (in bytes of code) are not highlighted but
/// rendered as plain escaped text, with a `large-code-block` info: syntect's
/// classed HTML for a 9 MB block made a 366 MB page and a 1.8 GB peak (0.11 GB
/// plain), and nobody reads a highlighted listing that long. The one place
/// the limit is kept; the renderer reads it from here.
pub const MAX_HIGHLIGHTED_CODE_BYTES: usize = 256 * 1024;

/// The language of a fenced code block, from its info string (`rust`, `py`), as the renderer highlights it.
pub fn fence_language(info: &str) -> &str {
    info.split([' ', ',', '{']).next().unwrap_or("")
}

/// The Markdown extensions throughline enables everywhere, so that the links
/// found here are exactly the links the renderer will see.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_WIKILINKS
}

/// Reads `body` (which starts at byte `body_offset` of `file_text`) of the file at `file_path`.
pub fn extract_body(
    file_text: &str,
    body_offset: usize,
    lines: &LineIndex,
    file_path: &str,
) -> BodyFacts {
    let body = &file_text[body_offset..];
    let mut facts = BodyFacts::default();
    let mut anchors = AnchorSet::default();
    let mut heading: Option<(HeadingLevel, String)> = None;
    // Inside a code block with a language: where it starts and its size so far.
    let mut code: Option<(usize, usize)> = None;
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    let text = text.trim().to_string();
                    facts.anchors.push(anchors.next(&text));
                    if level == HeadingLevel::H1
                        && facts.first_heading.is_none()
                        && !text.is_empty()
                    {
                        facts.first_heading = Some(text);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
                if let Some((_, bytes)) = code.as_mut() {
                    *bytes += t.len();
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                facts.has_code = true;
                if matches!(&kind, CodeBlockKind::Fenced(info) if !fence_language(info).is_empty())
                {
                    code = Some((range.start, 0));
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((start, bytes)) = code.take() {
                    if bytes > MAX_HIGHLIGHTED_CODE_BYTES {
                        let fence = body[start..].find('\n').unwrap_or(body.len() - start);
                        let fence = body[start..start + fence].trim_end_matches('\r').len();
                        facts.large_code_blocks.push(LargeCodeBlock {
                            span: lines.span(file_text, body_offset + start, fence),
                            bytes,
                        });
                    }
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let span = lines.span(file_text, body_offset + range.start, range.len());
                let target = match link_type {
                    LinkType::WikiLink { .. } => Some(wiki_target(&dest_url)),
                    LinkType::Inline
                    | LinkType::Reference
                    | LinkType::Collapsed
                    | LinkType::Shortcut => path_link(&dest_url, file_path),
                    _ => None,
                };
                if let Some(target) = target {
                    facts.links.push(BodyLink { target, span });
                }
            }
            _ => {}
        }
    }
    facts
}

/// A heading of a body, with where it is written (for an editor's outline and jumps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 for `#`, up to 6.
    pub level: u8,
    /// Its text.
    pub text: String,
    /// Its anchor, the same as [`BodyFacts::anchors`] holds for it.
    pub anchor: String,
    /// Where the heading is written.
    pub span: Span,
}

/// Every heading of the body at `body_offset` of `file_text`, in order.
///
/// Kept apart from [`extract_body`] because positions of headings are only
/// wanted by the editor server, and the facts the graph compares (serve's
/// body-only edits) must not change when a line moves. Same parser options
/// and the same [`AnchorSet`], so the anchors are the checked ones.
pub fn headings(file_text: &str, body_offset: usize, lines: &LineIndex) -> Vec<Heading> {
    let body = &file_text[body_offset..];
    let mut anchors = AnchorSet::default();
    let mut out = Vec::new();
    let mut open: Option<(u8, String, usize, usize)> = None;
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                open = Some((level as u8, String::new(), range.start, range.len()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text, _, _)) = open.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, start, len)) = open.take() {
                    let text = text.trim().to_string();
                    let line_len = body[start..start + len]
                        .trim_end_matches(['\n', '\r'])
                        .len();
                    out.push(Heading {
                        level,
                        anchor: anchors.next(&text),
                        text,
                        span: lines.span(file_text, body_offset + start, line_len),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn wiki_target(dest: &str) -> BodyLinkTarget {
    let (id, heading) = wiki_parts(dest);
    BodyLinkTarget::Id {
        id: id.to_string(),
        heading: heading.map(str::to_string),
    }
}

/// A wikilink's target (`id#heading`, the part before any `|label`) split
/// into its id and heading, each trimmed; an empty heading is none. The one
/// reading of a wikilink, for the graph (through [`wiki_target`]) and the
/// renderer alike.
pub fn wiki_parts(dest: &str) -> (&str, Option<&str>) {
    match dest.split_once('#') {
        Some((id, heading)) => (id.trim(), Some(heading.trim()).filter(|h| !h.is_empty())),
        None => (dest.trim(), None),
    }
}

/// What a Markdown link `dest` written in the file at `file_path` points at,
/// if it is a relative link to a `.md` file; `None` for anything else
/// (external, absolute, anchors, other files). The one interpreter of such
/// links: the graph checks what it returns and the renderer links to it.
pub fn path_link(dest: &str, file_path: &str) -> Option<BodyLinkTarget> {
    if dest.contains("://") || dest.starts_with('/') || dest.starts_with('#') || has_scheme(dest) {
        return None;
    }
    let (path, heading) = match dest.split_once('#') {
        Some((p, h)) => (p, Some(h.to_string()).filter(|h| !h.is_empty())),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    if !path.ends_with(".md") {
        return None;
    }
    // A malformed escape is taken as written, like a browser would.
    let decoded = crate::text::percent_decode(path)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| path.to_string());
    let dir = file_path.rsplit_once('/').map_or("", |(d, _)| d);
    Some(BodyLinkTarget::Path {
        path: join_relative(dir, &decoded),
        written: dest.to_string(),
        heading,
    })
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => dest[..i]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')),
        None => false,
    }
}

/// Joins `rel` onto the folder `dir` and resolves `.` and `..`; `None` if it leaves the root.
pub fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

    fn facts(text: &str) -> BodyFacts {
        extract_body(text, 0, &LineIndex::new(text), "bets/a.md")
    }

    #[test]
    fn finds_wiki_links_with_positions() {
        let f = facts(
            "# Payouts\n\nSee [[ps-x]] and [[obj-y|the objective]].\nAlso [[bet-z#risks]].\n",
        );
        let targets: Vec<_> = f.links.iter().map(|l| (&l.target, l.span)).collect();
        assert_eq!(targets.len(), 3);
        assert_eq!(
            f.links[0].target,
            BodyLinkTarget::Id {
                id: "ps-x".into(),
                heading: None
            }
        );
        assert_eq!(f.links[0].span, Span::new(3, 5, 8));
        assert_eq!(
            f.links[1].target,
            BodyLinkTarget::Id {
                id: "obj-y".into(),
                heading: None
            }
        );
        assert_eq!(
            f.links[2].target,
            BodyLinkTarget::Id {
                id: "bet-z".into(),
                heading: Some("risks".into())
            }
        );
        assert_eq!(f.first_heading.as_deref(), Some("Payouts"));
    }

    #[test]
    fn finds_relative_md_links_only() {
        let f = facts("[a](../products/p.md) [b](https://x.org/a.md) [c](c.md#goals) [d](img.png) [e](mailto:x@y.md) [f](/abs.md) [g](My%20Plan.md)\n");
        let paths: Vec<_> = f
            .links
            .iter()
            .map(|l| match &l.target {
                BodyLinkTarget::Path { path, heading, .. } => (path.clone(), heading.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            paths,
            vec![
                (Some("products/p.md".into()), None),
                (Some("bets/c.md".into()), Some("goals".into())),
                (Some("bets/My Plan.md".into()), None),
            ]
        );
    }

    #[test]
    fn ignores_links_in_code_and_collects_anchors() {
        let f = facts("## Risks\n\n`[[not-a-link]]`\n\n```\n[[nor-this]]\n```\n\n## Risks\n");
        assert!(f.links.is_empty());
        assert!(f.has_code);
        assert_eq!(f.anchors, vec!["risks", "risks-1"]);
    }

    #[test]
    fn code_blocks_too_large_to_highlight_are_noted_where_they_open() {
        let big = "<p>x</p>\n".repeat(MAX_HIGHLIGHTED_CODE_BYTES / 9 + 1);
        let text = format!(
            "Intro\n\n```html\n{big}```\n\n```\n{big}```\n\n    {big}\n```html\nsmall\n```\n"
        );
        let f = facts(&text);
        assert_eq!(
            f.large_code_blocks,
            vec![LargeCodeBlock {
                span: Span::new(3, 1, 7),
                bytes: big.len()
            }],
            "only the fenced block with a language: the others are never highlighted"
        );
        let exact = "x".repeat(MAX_HIGHLIGHTED_CODE_BYTES - 1) + "\n";
        assert!(facts(&format!("```rust\n{exact}```\n"))
            .large_code_blocks
            .is_empty());
    }

    #[test]
    fn headings_have_the_checked_anchors_and_their_lines() {
        let text = "# Zürich 🚀\n\nText\n\n## Risks\n\n## Risks\n\nSetext\n------\n";
        let lines = LineIndex::new(text);
        let found = headings(text, 0, &lines);
        let anchors: Vec<_> = found.iter().map(|h| h.anchor.clone()).collect();
        assert_eq!(anchors, facts(text).anchors);
        let places: Vec<_> = found.iter().map(|h| (h.level, h.span.line)).collect();
        assert_eq!(places, vec![(1, 1), (2, 5), (2, 7), (2, 9)]);
        assert_eq!(found[0].span, Span::new(1, 1, 10));
    }

    #[test]
    fn relative_paths_cannot_leave_the_root() {
        assert_eq!(join_relative("a/b", "../../c.md"), Some("c.md".into()));
        assert_eq!(join_relative("a", "../../c.md"), None);
    }
}
