//! A document's body: its Markdown as HTML, each link resolved to a URL
//! relative to its page ([`Resolver`]), and the search entry made from it.

use super::markdown::{self, LinkResolver};
use super::search::SearchDoc;
use super::view::Model;
use super::RenderError;
use crate::graph::DocId;

/// How much of each body the search index keeps.
const SEARCH_TEXT_LIMIT: usize = 2_000;

/// Document `id`'s body as HTML, out of its file's whole `text`.
pub(super) fn render_body(model: &Model<'_>, id: DocId, text: &str) -> markdown::RenderedBody {
    let doc = &model.site.docs[id];
    let resolver = Resolver {
        model,
        from_file: &doc.file,
    };
    markdown::render(
        body_of(text, doc),
        &resolver,
        model.site.config.markdown.unsafe_html,
        SEARCH_TEXT_LIMIT,
    )
}

/// Document `id`'s search entry, its body rendered again.
pub(super) fn search_entry(model: &Model<'_>, id: DocId) -> Result<SearchDoc, RenderError> {
    let text = model.text_of(id)?;
    let rendered = render_body(model, id, &text);
    Ok(SearchDoc::new(
        &model.links[id],
        &rendered.headings,
        &rendered.text,
        super::search::EntryFacts::of(model, id),
    ))
}

/// A document's body, out of its file's whole `text`, as the Markdown renderer takes it.
fn body_of<'a>(text: &'a str, doc: &'a crate::model::Document) -> markdown::Body<'a> {
    markdown::Body {
        markdown: &text[doc.body_offset..],
        anchors: &doc.body.anchors,
        title: Some(&doc.title),
    }
}

/// Resolves body links of one document to URLs relative to its page.
pub(super) struct Resolver<'a> {
    pub(super) model: &'a Model<'a>,
    pub(super) from_file: &'a str,
}

impl LinkResolver for Resolver<'_> {
    fn by_id(&self, id: &str) -> Option<(String, &str)> {
        let link = &self.model.links[self.model.lookup(id)?];
        let href = match link.url {
            Some(url) => url.to_string(),
            None => link.path.after("../"),
        };
        Some((href, link.title))
    }

    fn by_path(&self, written: &str) -> Option<String> {
        // The link means what the graph checked it to mean: one interpreter for both.
        let crate::model::BodyLinkTarget::Path {
            path: Some(target),
            heading,
            ..
        } = crate::source::path_link(written, self.from_file)?
        else {
            return None;
        };
        let i = self.model.by_file(&target)?;
        let url = self.model.links[i].path.after("../");
        Some(match heading {
            Some(h) => format!("{url}#{}", crate::text::slugify(&h)),
            None => url,
        })
    }
}

#[cfg(test)]
mod key_tests {
    use std::sync::Mutex;

    use super::*;
    use crate::model::BodyLinkTarget;

    /// A resolver that answers as the build's does and writes down what it was asked.
    struct Recording<'a> {
        inner: Resolver<'a>,
        asked: Mutex<Vec<(bool, String)>>,
    }

    impl LinkResolver for Recording<'_> {
        fn by_id(&self, id: &str) -> Option<(String, &str)> {
            self.asked
                .lock()
                .expect("lock")
                .push((true, id.to_string()));
            self.inner.by_id(id)
        }

        fn by_path(&self, written: &str) -> Option<String> {
            let answer = self.inner.by_path(written);
            // A link that is no `.md` path resolves to nothing whatever the site holds.
            if crate::source::path_link(written, self.inner.from_file).is_some() {
                self.asked
                    .lock()
                    .expect("lock")
                    .push((false, written.to_string()));
            }
            answer
        }
    }

    /// A document page's key stands for its body by the file's text and the
    /// targets of the links the load found in it. That holds only if every
    /// link the renderer resolves is one of them: this renders every body of
    /// the example and of a site of odd links, and checks each question the
    /// renderer asked of the site.
    #[test]
    fn the_renderer_resolves_only_links_the_page_key_holds() {
        let example = crate::rules::testing::example();
        let odd = crate::rules::testing::site(
            "",
            &[
                ("cs.md", "---\nid: cs\nkind: company-strategy\n---\n## Why\n"),
                (
                    "a/ps.md",
                    "---\nid: ps\nkind: product-strategy\nparent: cs\n---\n\
                     [[ cs # Why ]], [[cs|label]], [[nosuch]], [[]], [up](../cs.md#why),\n\
                     [q](../cs.md?x=1), [pct](..%2Fcs.md), [ext](https://x.io/a.md), [img](pic.png),\n\
                     ![alt](../cs.md#img), [ref][r], [c][], [s], <../cs.md#auto>, `[[code]]`\n\n\
                     [r]: ../cs.md#ref\n[c]: ../cs.md#collapsed\n[s]: ../cs.md#shortcut\n\n\
                     ```\n[[in-code]] [c](../cs.md#code)\n```\n\
                     | t |\n|---|\n| [[cs#t]] [t](../cs.md#t) |\n\n> [[cs#q]] [^n]\n\n\
                     [^n]: [[cs#f]] [f](../cs.md#f)\n",
                ),
            ],
            "2026-11-24",
        );
        let mut asked_any = 0;
        for site in [&example, &odd] {
            let model = Model::keyed(site, None);
            // A tracker's item has no text and no page.
            for (id, doc) in DocId::all(site.docs.len())
                .zip(&site.docs)
                .filter(|(_, d)| d.tracker.is_none())
            {
                let recording = Recording {
                    inner: Resolver {
                        model: &model,
                        from_file: &doc.file,
                    },
                    asked: Mutex::new(Vec::new()),
                };
                let text = model.text_of(id).expect("text");
                markdown::render(body_of(&text, doc), &recording, false, SEARCH_TEXT_LIMIT);
                let held: Vec<(bool, String)> = doc
                    .body
                    .links
                    .iter()
                    .map(|link| match &link.target {
                        BodyLinkTarget::Id { id, .. } => (true, id.clone()),
                        BodyLinkTarget::Path { written, .. } => (false, written.clone()),
                    })
                    .collect();
                for question in recording.asked.into_inner().expect("lock") {
                    asked_any += 1;
                    assert!(
                        held.contains(&question),
                        "{}: the renderer resolved {question:?}, which the page's key does not hold ({held:?})",
                        doc.file
                    );
                }
            }
        }
        assert!(asked_any > 20, "the bodies have links: {asked_any}");
    }
}
