//! Markdown to HTML for document bodies: links by id and relative `.md`
//! paths become page URLs, headings get the same anchors the link checker
//! knows, code is highlighted, and unless `markdown.unsafe_html` is set, raw
//! HTML is escaped and `javascript:`/`data:` URLs are neutralised.

use pulldown_cmark::{
    html, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd,
};

use super::highlight;
use crate::source::{fence_language, markdown_options, MAX_HIGHLIGHTED_CODE_BYTES};
use crate::text::slugify;

/// Where a link written in a body points, as the renderer needs it.
pub(crate) trait LinkResolver {
    /// The URL and title of the document with `id`, relative to the page being rendered.
    fn by_id(&self, id: &str) -> Option<(String, &str)>;
    /// The URL of the document at `written`, a relative `.md` path as written in the body.
    fn by_path(&self, written: &str) -> Option<String>;
}

/// A rendered body.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct RenderedBody {
    /// The HTML.
    pub html: String,
    /// Plain text, for the search index (at most `text_limit` bytes).
    pub text: String,
    /// The text of its headings, for the search index, one ` · ` between
    /// two (at most `text_limit` bytes).
    pub headings: String,
    /// Its first paragraph as plain text ([`first_paragraph`], at most
    /// [`DESCRIPTION_BYTES`]): the page's description.
    pub description: String,
}

/// How long a page's description may be, in bytes, before it is cut at a word.
pub(crate) const DESCRIPTION_BYTES: usize = 200;

/// A body to render, with what parsing the document learned about it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Body<'a> {
    /// The Markdown.
    pub markdown: &'a str,
    /// Its headings' anchors in order, as `source` computed them for the link checker.
    pub anchors: &'a [String],
    /// The page title: a first `# heading` that repeats it is left out (the template shows the title).
    pub title: Option<&'a str>,
}

/// Renders `body` to HTML, streaming its events from the parser to the HTML writer.
pub(crate) fn render<'a>(
    body: Body<'a>,
    links: &'a dyn LinkResolver,
    unsafe_html: bool,
    text_limit: usize,
) -> RenderedBody {
    let mut events = Parser::new_ext(body.markdown, markdown_options());
    let mut anchors = body.anchors.iter();
    let mut leading = Vec::new();
    if let Some(title) = body.title {
        leading = leading_heading(&mut events);
        if repeats_title(&leading, title) {
            leading.clear();
            anchors.next();
        }
    }
    let rewrite = Rewrite {
        links,
        unsafe_html,
        anchors,
        text: SearchText::new(text_limit),
        headings: SearchText::new(text_limit),
        in_heading: false,
        code: None,
        wiki_title: None,
        task_label_open: false,
    };
    let mut html_out = String::with_capacity(body.markdown.len() * 3 / 2);
    let mut rewritten = Rewritten {
        leading: leading.into_iter(),
        events,
        rewrite,
        // From the parse as written (a title heading left out is skipped by
        // it anyway), as `first_paragraph` reads it.
        description: FirstParagraph::new(DESCRIPTION_BYTES),
        pending: None,
    };
    let mut notes = Footnotes::new(&mut rewritten);
    html::push_html(&mut html_out, &mut notes);
    notes.write_section(&mut html_out);
    RenderedBody {
        html: html_out,
        text: rewritten.rewrite.text.words,
        headings: rewritten.rewrite.headings.words,
        description: rewritten.description.finish(),
    }
}

/// The events of a body as the HTML writer takes them: the held leading
/// heading, then the parser's, each seen by the description and passed
/// through [`Rewrite`]. One iterator rather than a chain of adapters, whose
/// two-slot arrays moved every event several times (4% of a build).
struct Rewritten<'a, I> {
    leading: std::vec::IntoIter<Event<'a>>,
    events: I,
    rewrite: Rewrite<'a>,
    description: FirstParagraph,
    /// An event to give after the `</label>` given before it.
    pending: Option<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Rewritten<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.pending.take() {
            return Some(event);
        }
        loop {
            let event = self.leading.next().or_else(|| self.events.next())?;
            self.description.see(&event);
            let close = self.rewrite.closes_task_label(&event);
            match (close, self.rewrite.event(event)) {
                (Some(close), Some(event)) => {
                    self.pending = Some(event);
                    return Some(close);
                }
                (Some(close), None) => return Some(close),
                (None, Some(event)) => return Some(event),
                (None, None) => {}
            }
        }
    }
}

/// Footnotes as a section at the end of the body, numbered in the order
/// they are first referred to, each with a link back to where it is
/// referred to; pulldown-cmark's writer would print each where it is
/// defined, a lone number before a paragraph. Ids are by number (`fn-1`,
/// `fnref-1`), never by the label a document wrote.
struct Footnotes<'a, 'r, I> {
    events: &'r mut I,
    /// Labels in the order first referred to.
    order: Vec<String>,
    /// How many times each of `order` has been referred to.
    refs: Vec<usize>,
    /// Each definition's events, by label, in the order defined.
    defs: Vec<(String, Vec<Event<'a>>)>,
}

impl<'a, 'r, I: Iterator<Item = Event<'a>>> Footnotes<'a, 'r, I> {
    fn new(events: &'r mut I) -> Self {
        Footnotes {
            events,
            order: Vec::new(),
            refs: Vec::new(),
            defs: Vec::new(),
        }
    }

    /// The footnotes' section, after the body: those referred to first, in
    /// that order, then any never referred to (their text is kept).
    fn write_section(mut self, out: &mut String) {
        if self.defs.is_empty() {
            return;
        }
        for (label, _) in &self.defs {
            if !self.order.contains(label) {
                self.order.push(label.clone());
                self.refs.push(0);
            }
        }
        out.push_str("<section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n");
        for (i, label) in self.order.iter().enumerate() {
            let Some(at) = self.defs.iter().position(|(l, _)| l == label) else {
                continue;
            };
            let events = std::mem::take(&mut self.defs[at].1);
            let n = i + 1;
            let mut note = String::new();
            html::push_html(&mut note, events.into_iter());
            if self.refs[i] > 0 {
                let back = format!(
                    " <a href=\"#fnref-{n}\" class=\"footnote-back\" aria-label=\"Back to reference {n}\">\u{21a9}\u{fe0e}</a>"
                );
                let trimmed = note.trim_end();
                match trimmed.strip_suffix("</p>") {
                    Some(body) => note = format!("{body}{back}</p>\n"),
                    None => note.push_str(&back),
                }
            }
            out.push_str(&format!("<li id=\"fn-{n}\">{note}</li>\n"));
        }
        out.push_str("</ol>\n</section>\n");
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Footnotes<'a, '_, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            match self.events.next()? {
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let mut body = Vec::new();
                    let mut depth = 0usize;
                    for event in self.events.by_ref() {
                        match &event {
                            Event::Start(Tag::FootnoteDefinition(_)) => depth += 1,
                            Event::End(TagEnd::FootnoteDefinition) if depth == 0 => break,
                            Event::End(TagEnd::FootnoteDefinition) => depth -= 1,
                            _ => {}
                        }
                        body.push(event);
                    }
                    let label = label.to_string();
                    if !self.defs.iter().any(|(l, _)| *l == label) {
                        self.defs.push((label, body));
                    }
                }
                Event::FootnoteReference(label) => {
                    let i = match self.order.iter().position(|l| **l == *label) {
                        Some(i) => i,
                        None => {
                            self.order.push(label.to_string());
                            self.refs.push(0);
                            self.order.len() - 1
                        }
                    };
                    self.refs[i] += 1;
                    let n = i + 1;
                    // The first reference is where the note links back to.
                    let id = match self.refs[i] {
                        1 => format!("fnref-{n}"),
                        k => format!("fnref-{n}-{k}"),
                    };
                    return Some(Event::InlineHtml(CowStr::from(format!(
                        "<sup class=\"footnote-ref\"><a href=\"#fn-{n}\" id=\"{id}\">{n}</a></sup>"
                    ))));
                }
                other => return Some(other),
            }
        }
    }
}

/// The events of a first `# heading`, through its end, or else the first event.
fn leading_heading<'a>(events: &mut impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut held = Vec::new();
    let Some(first) = events.next() else {
        return held;
    };
    let h1 = matches!(
        first,
        Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        })
    );
    held.push(first);
    if h1 {
        for event in events.by_ref() {
            let end = matches!(event, Event::End(TagEnd::Heading(_)));
            held.push(event);
            if end {
                break;
            }
        }
    }
    held
}

/// Whether `held` is a whole `# heading` whose text is `title`.
fn repeats_title(held: &[Event<'_>], title: &str) -> bool {
    let (Some(Event::Start(Tag::Heading { .. })), Some(Event::End(TagEnd::Heading(_)))) =
        (held.first(), held.last())
    else {
        return false;
    };
    let text: String = held
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    text.trim() == title
}

/// What rendering does to each event: links resolved, anchors set, code
/// highlighted, raw HTML neutralised, text collected for the search index.
struct Rewrite<'a> {
    links: &'a dyn LinkResolver,
    unsafe_html: bool,
    anchors: std::slice::Iter<'a, String>,
    text: SearchText,
    /// The headings' text, apart from the body's (search ranks it higher).
    headings: SearchText,
    /// Inside a heading: its text goes to `headings` as well.
    in_heading: bool,
    /// Inside a code block: its language and text so far.
    code: Option<(String, String)>,
    /// The title to show for the wiki link just opened.
    wiki_title: Option<&'a str>,
    /// A task-list item's `<label>` is open: it closes where the item's
    /// first run of inline content ends.
    task_label_open: bool,
}

/// Whether `event` belongs to a run of inline content (what a `<label>` may hold).
fn is_inline(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::End(tag) => matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        ),
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak => true,
        Event::Html(_) | Event::DisplayMath(_) | Event::Rule | Event::TaskListMarker(_) => false,
    }
}

impl<'a> Rewrite<'a> {
    /// The `</label>` of a task-list item to give before `event`, where the
    /// item's text ends (before the next block, or the end of its paragraph or item).
    fn closes_task_label(&mut self, event: &Event<'_>) -> Option<Event<'a>> {
        if self.task_label_open && !is_inline(event) {
            self.task_label_open = false;
            Some(Event::InlineHtml(CowStr::Borrowed("</label>")))
        } else {
            None
        }
    }

    fn event(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        // Inside a code block, collect its text; highlight it at the end.
        if let Some((lang, buf)) = &mut self.code {
            match event {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let html = code_block(lang, buf);
                    self.code = None;
                    return Some(Event::Html(CowStr::from(html)));
                }
                _ => {}
            }
            return None;
        }
        Some(match event {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                if !self.headings.words.is_empty() {
                    self.headings.push(" · ");
                }
                self.in_heading = true;
                Event::Start(Tag::Heading {
                    level,
                    id: self.anchors.next().map(|a| CowStr::Borrowed(a.as_str())),
                    classes,
                    attrs,
                })
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => fence_language(&info).to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
                return None;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (dest, shown_title) = resolve_link(link_type, &dest_url, self.links);
                if matches!(link_type, LinkType::WikiLink { has_pothole: false }) {
                    self.wiki_title = shown_title;
                }
                let dest = if self.unsafe_html {
                    dest
                } else {
                    neutralise(dest)
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = if self.unsafe_html {
                    dest_url
                } else {
                    neutralise(dest_url)
                };
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                })
            }
            Event::Text(t) if self.wiki_title.is_some() => {
                let shown = self.wiki_title.take().map_or(t, CowStr::Borrowed);
                self.push_text(&shown);
                Event::Text(shown)
            }
            // pulldown-cmark writes a bare `<input type="checkbox">`, which has no
            // label (axe's `label`): the item's text becomes its label.
            // Disabled: the page shows the state, nobody changes it there.
            Event::TaskListMarker(done) => {
                self.task_label_open = true;
                Event::InlineHtml(CowStr::Borrowed(if done {
                    "<label class=\"task\"><input type=\"checkbox\" disabled checked> "
                } else {
                    "<label class=\"task\"><input type=\"checkbox\" disabled> "
                }))
            }
            Event::Html(h) | Event::InlineHtml(h) if !self.unsafe_html => Event::Text(h),
            Event::Text(t) => {
                self.push_text(&t);
                Event::Text(t)
            }
            Event::Code(t) => {
                self.push_text(&t);
                Event::Code(t)
            }
            // A line break inside a paragraph separates two words: dropping
            // it ran them together in search snippets ("seewhich").
            Event::SoftBreak | Event::HardBreak => {
                self.push_text(" ");
                event
            }
            Event::End(TagEnd::Heading(_)) => {
                self.in_heading = false;
                self.text.push(" ");
                event
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                self.text.push(" ");
                event
            }
            other => other,
        })
    }

    /// Text of the body, for the search index: a heading's also goes to `headings`.
    fn push_text(&mut self, text: &str) {
        self.text.push(text);
        if self.in_heading {
            self.headings.push(text);
        }
    }
}

/// A body's plain text for the search index: the first `limit` bytes of its
/// text, with every run of whitespace written as one space.
struct SearchText {
    words: String,
    /// Bytes of text taken so far, before whitespace is collapsed.
    taken: usize,
    limit: usize,
    /// Whitespace was seen since the last word.
    space: bool,
}

impl SearchText {
    fn new(limit: usize) -> SearchText {
        SearchText {
            words: String::new(),
            taken: 0,
            limit,
            space: false,
        }
    }

    fn push(&mut self, s: &str) {
        let room = self.limit.saturating_sub(self.taken);
        let mut end = s.len().min(room);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.taken += end;
        let text = &s[..end];
        if is_plain_prose(text) {
            // Already collapsed: copy it whole, minding a space at either end.
            let trimmed = text.trim_start_matches(' ');
            self.space |= trimmed.len() < text.len();
            let words = trimmed.trim_end_matches(' ');
            self.word(words);
            self.space |= words.len() < trimmed.len();
            return;
        }
        let mut at = 0;
        while at < text.len() {
            let gap = at;
            while at < text.len() {
                match whitespace_at(text, at) {
                    (true, width) => at += width,
                    (false, _) => break,
                }
            }
            if at > gap {
                self.space = true;
            }
            let word = at;
            while at < text.len() {
                match whitespace_at(text, at) {
                    (false, width) => at += width,
                    (true, _) => break,
                }
            }
            self.word(&text[word..at]);
        }
    }

    fn word(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        if self.space && !self.words.is_empty() {
            self.words.push(' ');
        }
        self.space = false;
        self.words.push_str(word);
    }
}

/// Whether `text` is ASCII whose only whitespace is single spaces, as most
/// text of a body is. Each check is one pass the compiler vectorises; going
/// byte by byte over every body was 3% of a build.
fn is_plain_prose(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Folds without early exit, so they run 16 bytes at a time.
    let control = bytes
        .iter()
        .fold(false, |seen, b| seen | (b'\t'..=b'\r').contains(b));
    let double_space = bytes
        .iter()
        .zip(bytes.iter().skip(1))
        .fold(false, |seen, (a, b)| seen | ((*a == b' ') & (*b == b' ')));
    text.is_ascii() && !control && !double_space
}

/// Whether the character at byte `at` of `text` is whitespace, and its width in bytes.
fn whitespace_at(text: &str, at: usize) -> (bool, usize) {
    let byte = text.as_bytes()[at];
    if byte.is_ascii() {
        // `is_ascii_whitespace` leaves out the vertical tab, which `char::is_whitespace` counts.
        (byte.is_ascii_whitespace() || byte == 0x0b, 1)
    } else {
        let c = text[at..].chars().next().unwrap_or(' ');
        (c.is_whitespace(), c.len_utf8())
    }
}

fn resolve_link<'a>(
    link_type: LinkType,
    dest: &CowStr<'a>,
    links: &'a dyn LinkResolver,
) -> (CowStr<'a>, Option<&'a str>) {
    match link_type {
        LinkType::WikiLink { .. } => {
            let (id, heading) = crate::source::wiki_parts(dest);
            match links.by_id(id) {
                Some((url, title)) => {
                    let url = match heading {
                        Some(h) => format!("{url}#{}", slugify(h)),
                        None => url,
                    };
                    (CowStr::from(url), Some(title))
                }
                None => (dest.clone(), None),
            }
        }
        LinkType::Inline | LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
            match links.by_path(dest) {
                Some(url) => (CowStr::from(url), None),
                None => (dest.clone(), None),
            }
        }
        _ => (dest.clone(), None),
    }
}

/// Replaces `javascript:`, `vbscript:` and `data:` URLs with `#`.
fn neutralise(dest: CowStr<'_>) -> CowStr<'_> {
    let compact: String = dest
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    if ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| compact.starts_with(s))
    {
        CowStr::Borrowed("#")
    } else {
        dest
    }
}

fn code_block(lang: &str, code: &str) -> String {
    // The same test `source` applies when it reports `large-code-block`.
    let highlighted = (!lang.is_empty() && code.len() <= MAX_HIGHLIGHTED_CODE_BYTES)
        .then(|| highlight::highlight(code, lang))
        .flatten();
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(lang))
    };
    match highlighted {
        Some(html) => format!("<pre class=\"code\"><code{class}>{html}</code></pre>\n"),
        None => format!(
            "<pre class=\"code\"><code{class}>{}</code></pre>\n",
            escape(code)
        ),
    }
}

/// Escapes text for HTML.
pub(crate) fn escape(s: &str) -> String {
    Escaped(s).to_string()
}

/// Text that writes itself HTML-escaped (`&`, `<`, `>`, `"`, `'`), without an intermediate string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Escaped<'a>(pub &'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Byte by byte: the five are ASCII, so they never occur inside a
        // multi-byte character, and searching for a set of `char`s decoded
        // every character (1.8% of a build, escaping every value of every page).
        let mut start = 0;
        for (at, byte) in self.0.bytes().enumerate() {
            let entity = match byte {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&self.0[start..at])?;
            f.write_str(entity)?;
            start = at + 1;
        }
        f.write_str(&self.0[start..])
    }
}

/// The plain text of the first paragraph of `markdown` (a review's learning
/// as the quarter review quotes it), at most `limit` bytes, cut at a word
/// with `…`. Headings, tables and lists before it are skipped.
pub(crate) fn first_paragraph(markdown: &str, limit: usize) -> String {
    let mut first = FirstParagraph::new(limit);
    for event in Parser::new_ext(markdown, markdown_options()) {
        if first.see(&event) {
            break;
        }
    }
    first.finish()
}

/// What a review's table says of the document `id`: the first body row of
/// a table whose first cell links to it (`[[id]]`, `[[id|...]]`, `[[id#...]]`),
/// each other cell as plain text after its column's header ("Finding: 31%
/// same-day"). The quarter review shows it beside the item, in context,
/// where the review's opening paragraph would be a fragment.
pub(crate) fn table_row_naming(markdown: &str, id: &str, limit: usize) -> Option<String> {
    let names = |cell: &str| {
        ["]]", "|", "#"]
            .iter()
            .any(|end| cell.contains(&format!("[[{id}{end}")))
    };
    let mut header: Vec<String> = Vec::new();
    let mut cells: Vec<(String, bool)> = Vec::new();
    let (mut in_head, mut in_cell) = (false, false);
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::TableHead) => {
                in_head = true;
                header.clear();
            }
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => cells.clear(),
            Event::Start(Tag::TableCell) => {
                in_cell = true;
                let source = markdown.get(range).unwrap_or_default();
                if in_head {
                    header.push(String::new());
                } else {
                    cells.push((String::new(), names(source)));
                }
            }
            Event::End(TagEnd::TableCell) => in_cell = false,
            Event::Text(t) | Event::Code(t) if in_cell => {
                let cell = if in_head {
                    header.last_mut()
                } else {
                    cells.last_mut().map(|(c, _)| c)
                };
                if let Some(c) = cell {
                    c.push_str(&t);
                }
            }
            Event::End(TagEnd::TableRow) if cells.first().is_some_and(|(_, n)| *n) => {
                let said: Vec<String> = cells
                    .iter()
                    .skip(1)
                    .enumerate()
                    .filter(|(_, (c, _))| !c.trim().is_empty())
                    .map(|(n, (c, _))| match header.get(n + 1).map(|h| h.trim()) {
                        Some(h) if !h.is_empty() => format!("{h}: {}", c.trim()),
                        _ => c.trim().to_string(),
                    })
                    .collect();
                if said.is_empty() {
                    continue;
                }
                let mut text = said.join("; ");
                if text.len() > limit {
                    let mut cut = limit;
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text.truncate(cut);
                    text.push('\u{2026}');
                }
                return Some(text);
            }
            _ => {}
        }
    }
    None
}

/// Collects [`first_paragraph`] from a body's events as they pass, so that
/// the render gets a page's description from its one parse.
pub(crate) struct FirstParagraph {
    text: String,
    depth: usize,
    inside: bool,
    done: bool,
    limit: usize,
}

impl FirstParagraph {
    pub(crate) fn new(limit: usize) -> FirstParagraph {
        FirstParagraph {
            text: String::new(),
            depth: 0,
            inside: false,
            done: false,
            limit,
        }
    }

    /// Takes the next event of the body; true once the paragraph is complete.
    pub(crate) fn see(&mut self, event: &Event<'_>) -> bool {
        if self.done {
            return true;
        }
        match event {
            Event::Start(Tag::Paragraph) if self.depth == 0 => self.inside = true,
            Event::End(TagEnd::Paragraph) if self.inside => self.done = true,
            Event::Start(_) if !self.inside => self.depth += 1,
            Event::End(_) if !self.inside => self.depth = self.depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if self.inside => self.text.push_str(t),
            Event::SoftBreak | Event::HardBreak if self.inside => self.text.push(' '),
            _ => {}
        }
        self.done |= self.text.len() > self.limit;
        self.done
    }

    /// The paragraph's text, cut at a word with `…` if it is over the limit.
    pub(crate) fn finish(self) -> String {
        let (mut text, limit) = (self.text, self.limit);
        if text.len() > limit {
            let mut cut = limit;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let cut = text[..cut].rfind(' ').unwrap_or(cut);
            text.truncate(cut);
            text.push('…');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_review_table_row_is_found_by_the_document_it_names() {
        let body = "Intro.\n\n| Item | Finding | Decision |\n|---|---|---|\n| [[ps-a]] | Rate up | Keep |\n| [[bet-b]] | Losses `ok` | Continue |\n";
        assert_eq!(
            super::table_row_naming(body, "bet-b", 400).as_deref(),
            Some("Finding: Losses ok; Decision: Continue")
        );
        assert_eq!(
            super::table_row_naming(body, "bet", 400),
            None,
            "a prefix is not a name"
        );
        assert_eq!(super::table_row_naming(body, "nope", 400), None);
        let cut = super::table_row_naming(body, "ps-a", 12).unwrap();
        assert_eq!(cut, "Finding: Rat\u{2026}");
    }

    use super::*;

    #[test]
    fn the_first_paragraph_is_plain_text_after_any_heading_and_is_cut_at_a_word() {
        let md = "# Review\n\n| a |\n|---|\n| x |\n\nWe *learned* that `x`\nholds.\n\nMore.";
        assert_eq!(first_paragraph(md, 100), "We learned that x holds.");
        assert_eq!(first_paragraph(md, 12), "We learned…");
        assert_eq!(first_paragraph("- only\n- a list\n", 100), "");
    }

    struct Links;
    impl LinkResolver for Links {
        fn by_id(&self, id: &str) -> Option<(String, &str)> {
            (id == "ps").then(|| ("../ps/index.html".to_string(), "Payments <strategy>"))
        }
        fn by_path(&self, written: &str) -> Option<String> {
            (written == "../products/ps.md").then(|| "../ps/index.html".to_string())
        }
    }

    /// `markdown` with the anchors `source` gives its headings.
    fn body<'a>(
        markdown: &'a str,
        anchors: &'a mut Vec<String>,
        title: Option<&'a str>,
    ) -> Body<'a> {
        *anchors = crate::source::extract_body(
            markdown,
            0,
            &crate::text::LineIndex::new(markdown),
            "t.md",
        )
        .anchors;
        Body {
            markdown,
            anchors,
            title,
        }
    }

    fn html(markdown: &str, unsafe_html: bool) -> String {
        render(
            body(markdown, &mut Vec::new(), None),
            &Links,
            unsafe_html,
            1000,
        )
        .html
    }

    #[test]
    fn links_become_page_urls_with_titles() {
        assert_eq!(
            html("See [[ps]], [[ps|the plan]] and [[ps#Risks and bets]].", false),
            "<p>See <a href=\"../ps/index.html\">Payments &lt;strategy&gt;</a>, <a href=\"../ps/index.html\">the plan</a> and <a href=\"../ps/index.html#risks-and-bets\">Payments &lt;strategy&gt;</a>.</p>\n"
        );
        assert_eq!(html("[p](../products/ps.md) [x](https://example.com/a.md)", false), "<p><a href=\"../ps/index.html\">p</a> <a href=\"https://example.com/a.md\">x</a></p>\n");
    }

    #[test]
    fn raw_html_and_script_urls_are_neutralised_unless_unsafe() {
        let body = "<script>alert(1)</script>\n\nHi <b>there</b> [x](javascript:alert(1)) [y]( DATA:text/html,1) ![i](data:image/png;base64,AA)";
        let safe = html(body, false);
        assert!(
            !safe.contains("<script>") && !safe.contains("<b>"),
            "{safe}"
        );
        assert!(safe.contains("&lt;script&gt;"));
        assert!(
            !safe.to_lowercase().contains("javascript:") && !safe.to_lowercase().contains("data:"),
            "{safe}"
        );
        let raw = html(body, true);
        assert!(raw.contains("<script>") && raw.contains("javascript:alert(1)"));
    }

    #[test]
    fn headings_get_checker_anchors_and_a_repeated_title_is_dropped() {
        let rendered = |markdown: &str| {
            let mut anchors = Vec::new();
            render(
                body(markdown, &mut anchors, Some("Plan")),
                &Links,
                false,
                1000,
            )
            .html
        };
        assert_eq!(
            rendered("# Plan\n\n## Risks\n\n## Risks\n"),
            "<h2 id=\"risks\">Risks</h2>\n<h2 id=\"risks-1\">Risks</h2>\n"
        );
        // The dropped title keeps its anchor, as it does for the link checker.
        assert_eq!(
            rendered("# Plan\n\n## Plan\n"),
            "<h2 id=\"plan-1\">Plan</h2>\n"
        );
        assert_eq!(
            rendered("# Other\n\n# Plan\n"),
            "<h1 id=\"other\">Other</h1>\n<h1 id=\"plan\">Plan</h1>\n"
        );
        assert_eq!(
            rendered("Text first.\n\n# Plan\n"),
            "<p>Text first.</p>\n<h1 id=\"plan\">Plan</h1>\n"
        );
    }

    #[test]
    fn code_is_highlighted_or_escaped() {
        let out = html(
            "```rust\nlet x = 1 < 2;\n```\n\n```nolang\n<b>\n```\n",
            false,
        );
        assert!(
            out.contains("<pre class=\"code\"><code class=\"language-rust\"><span class=\"hl-"),
            "{out}"
        );
        assert!(out.contains("&lt;b&gt;"));
    }

    #[test]
    fn code_too_large_to_highlight_is_escaped_in_the_same_markup() {
        let code = "<b>&</b>\n".repeat(MAX_HIGHLIGHTED_CODE_BYTES / 9 + 1);
        let out = html(&format!("```html\n{code}```\n"), false);
        assert!(
            out.starts_with(
                "<pre class=\"code\"><code class=\"language-html\">&lt;b&gt;&amp;&lt;/b&gt;\n"
            ),
            "{}",
            &out[..200]
        );
        assert!(out.ends_with("</code></pre>\n"));
        assert!(!out.contains("hl-"));
        assert_eq!(
            out.matches("&lt;b&gt;").count(),
            code.matches("<b>").count()
        );
    }

    #[test]
    fn search_text_collapses_whitespace_across_pieces_and_stops_at_the_limit() {
        let mut text = SearchText::new(20);
        for piece in ["  two ", " words", "\n\tand", " ", "more tex", "t beyond"] {
            text.push(piece);
        }
        // 20 bytes of the raw text, whitespace collapsed afterwards.
        assert_eq!(text.words, "two words and mo");
        let mut text = SearchText::new(9);
        text.push("ééééé");
        assert_eq!(text.words, "éééé", "cut on a character boundary");
        let mut text = SearchText::new(100);
        text.push("a\u{a0}b\u{2003}\u{b}c\u{85}d é");
        assert_eq!(text.words, "a b c d é", "Unicode whitespace");
    }

    #[test]
    fn escaping_replaces_the_five_characters_and_keeps_the_rest() {
        assert_eq!(escape(""), "");
        assert_eq!(escape("plain é 日本"), "plain é 日本");
        assert_eq!(
            escape("<a href=\"x\">Tom's & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape("é<é>&"), "é&lt;é&gt;&amp;");
    }

    #[test]
    fn search_text_matches_splitting_the_whole_text_on_whitespace() {
        let pieces = [
            "ab", "c", " ", "  ", "\n", "\t", "é", "\u{a0}", "\u{b}", " d ",
        ];
        let mut seed: u64 = 7;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..2000 {
            let mut search = SearchText::new(usize::MAX);
            let mut whole = String::new();
            for _ in 0..next(8) {
                let mut piece = String::new();
                for _ in 0..next(6) {
                    piece.push_str(pieces[next(pieces.len())]);
                }
                search.push(&piece);
                whole.push_str(&piece);
            }
            let expected: Vec<&str> = whole
                .split(char::is_whitespace)
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(search.words, expected.join(" "), "{whole:?}");
        }
    }

    #[test]
    fn task_list_items_label_their_checkboxes() {
        let html = html(
            "- [x] done [[ps]]\n- [ ] open *now*\n  - [ ] nested\n\n1. [ ] loose\n\n   more\n",
            false,
        );
        assert_eq!(html.matches("<label class=\"task\">").count(), 4, "{html}");
        assert_eq!(html.matches("</label>").count(), 4, "{html}");
        assert!(
            html.contains(
                "<input type=\"checkbox\" disabled checked> done <a href=\"../ps/index.html\">"
            ),
            "{html}"
        );
        // The label closes before a nested list and inside a loose item's paragraph.
        assert!(html.contains("<em>now</em></label>\n<ul>"), "{html}");
        assert!(html.contains("loose</label></p>"), "{html}");
    }

    #[test]
    fn footnotes_are_a_numbered_section_at_the_end_with_links_back() {
        let markdown = "Margin is weak[^margin], cost[^c] and margin[^margin] again.\n\n[^c]: Cost *note*.\n\n[^margin]: Modelled at 0.11%.\n\nAfter.\n\n[^unused]: Kept.\n";
        let out = render(body(markdown, &mut Vec::new(), None), &Links, false, 1000);
        let html = &out.html;
        // Numbered by first reference: margin 1, c 2; the repeat links to 1 too.
        assert!(html.contains("<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\">1</a></sup>, cost<sup class=\"footnote-ref\"><a href=\"#fn-2\" id=\"fnref-2\">2</a></sup>"), "{html}");
        assert!(
            html.contains("<a href=\"#fn-1\" id=\"fnref-1-2\">1</a>"),
            "{html}"
        );
        // The definitions leave the text: the paragraph after follows the first directly.
        let section = html
            .find("<section class=\"footnotes\"")
            .expect("a section");
        assert!(html.find("<p>After.</p>").unwrap() < section, "{html}");
        assert!(!html.contains("footnote-definition"), "{html}");
        let notes = &html[section..];
        let one = notes.find("<li id=\"fn-1\"><p>Modelled at 0.11%. <a href=\"#fnref-1\" class=\"footnote-back\"").expect("note 1");
        let two = notes
            .find("<li id=\"fn-2\"><p>Cost <em>note</em>. <a href=\"#fnref-2\"")
            .expect("note 2");
        let three = notes
            .find("<li id=\"fn-3\"><p>Kept.</p>")
            .expect("an unreferenced note is kept, with no link back");
        assert!(one < two && two < three, "{notes}");
        // A body without footnotes has no section.
        let plain = render(body("Text.\n", &mut Vec::new(), None), &Links, false, 1000);
        assert!(!plain.html.contains("footnotes"), "{}", plain.html);
    }

    #[test]
    fn extensions_and_plain_text() {
        let markdown =
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ note[^1]\n\n[^1]: foot\n";
        let out = render(body(markdown, &mut Vec::new(), None), &Links, false, 1000);
        for needle in ["<table>", "type=\"checkbox\"", "<del>old</del>", "footnote"] {
            assert!(out.html.contains(needle), "{needle}: {}", out.html);
        }
        assert!(
            out.text.starts_with("a b 1 2 done old note"),
            "{}",
            out.text
        );
    }

    #[test]
    fn search_text_keeps_a_space_at_line_breaks_and_collects_headings_apart() {
        let markdown = "Intro line\nsee which `code` wins.  \nhard break\n\n## First *part*\n\ntext\n\n### Second\n";
        let out = render(body(markdown, &mut Vec::new(), None), &Links, false, 1000);
        assert_eq!(
            out.text,
            "Intro line see which code wins. hard break First part text Second"
        );
        assert_eq!(out.headings, "First part · Second");
    }
}
