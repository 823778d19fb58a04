//! Stage 4: turn a checked site into pages. Pure: it takes the loaded site
//! and returns files in memory; writing them is `output`'s job, so `build`
//! and `serve` share every line of it.
//!
//! The work is a flat list of [`Job`]s, each a function of the immutable
//! site, run in parallel.

pub mod highlight;
pub mod markdown;
pub mod pages;
pub mod svg;
pub mod theme;
pub mod view;

use rayon::prelude::*;
use serde_json::json;

use crate::graph::DocId;
use crate::output::OutputFile;
use crate::Site;
use markdown::{escape, LinkResolver};
use pages::TreeItem;
use theme::{TemplateError, Theme};
use view::Model;

/// One page or file of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// A document's page.
    Document(DocId),
    /// The dashboard.
    Home,
    /// The traceability tree.
    Trace,
    /// The health report.
    Health,
    /// Bets by quarter.
    Roadmap,
    /// Teams.
    Teams,
    /// The search page and its index.
    Search,
    /// The 404 page.
    NotFound,
    /// `graph.json`.
    Graph,
    /// Stylesheets and scripts.
    Assets,
}

/// Every job of a full build, in a fixed order.
pub fn all_jobs(site: &Site) -> Vec<Job> {
    let mut jobs: Vec<Job> = (0..site.docs.len()).map(Job::Document).collect();
    jobs.extend([
        Job::Home,
        Job::Trace,
        Job::Health,
        Job::Roadmap,
        Job::Teams,
        Job::Search,
        Job::NotFound,
        Job::Graph,
        Job::Assets,
    ]);
    jobs
}

/// Renders `jobs` for `site` with `theme`; files come back sorted by path.
pub fn render(site: &Site, theme: &Theme, jobs: &[Job]) -> Result<Vec<OutputFile>, TemplateError> {
    let model = Model::new(site);
    let per_job: Vec<Vec<OutputFile>> = jobs
        .par_iter()
        .map(|job| run(&model, theme, *job))
        .collect::<Result<_, _>>()?;
    let mut files: Vec<OutputFile> = per_job.into_iter().flatten().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn page(
    theme: &Theme,
    template: &str,
    path: String,
    context: &serde_json::Value,
) -> Result<OutputFile, TemplateError> {
    let html = theme
        .render(template, context)
        .map_err(|e| TemplateError(format!("rendering {path} with `{template}`: {}", e.0)))?;
    Ok(OutputFile::text(path, html))
}

fn run(model: &Model<'_>, theme: &Theme, job: Job) -> Result<Vec<OutputFile>, TemplateError> {
    let site = model.site;
    Ok(match job {
        Job::Document(id) => {
            let doc = &site.docs[id];
            let body = &site.sources[doc.source].text[doc.body_offset..];
            let resolver = Resolver {
                model,
                from_file: &doc.file,
            };
            let rendered = markdown::render(
                body,
                &resolver,
                site.config.markdown.unsafe_html,
                Some(&doc.title),
                0,
            );
            let context = pages::document(model, id, &rendered.html);
            vec![page(
                theme,
                "page.html",
                model.links[id].path.clone(),
                &context,
            )?]
        }
        Job::Home => vec![page(
            theme,
            "index.html",
            "index.html".into(),
            &pages::home(model),
        )?],
        Job::Trace => vec![page(
            theme,
            "trace.html",
            "trace/index.html".into(),
            &pages::trace(model),
        )?],
        Job::Health => vec![page(
            theme,
            "health.html",
            "health/index.html".into(),
            &pages::health(model),
        )?],
        Job::Roadmap => vec![page(
            theme,
            "roadmap.html",
            "roadmap/index.html".into(),
            &pages::roadmap(model),
        )?],
        Job::Teams => vec![page(
            theme,
            "teams.html",
            "teams/index.html".into(),
            &pages::teams(model),
        )?],
        Job::Search => vec![
            page(
                theme,
                "search.html",
                "search/index.html".into(),
                &pages::search(model),
            )?,
            search_index(model),
        ],
        Job::NotFound => vec![page(
            theme,
            "404.html",
            "404.html".into(),
            &pages::not_found(model),
        )?],
        Job::Graph => {
            let graph = crate::graph::to_json(&site.docs, &site.graph, &site.config.base_url);
            vec![OutputFile::text(
                "graph.json",
                serde_json::to_string_pretty(&graph).unwrap_or_default() + "\n",
            )]
        }
        Job::Assets => {
            let mut files: Vec<OutputFile> = theme
                .assets
                .iter()
                .map(|(name, bytes)| OutputFile {
                    path: format!("assets/{name}"),
                    bytes: bytes.clone(),
                })
                .collect();
            if site.docs.iter().any(|d| d.body.has_code) {
                let css = highlight::stylesheet(&site.config.markdown.highlight_theme)
                    .map_err(TemplateError)?;
                files.push(OutputFile::text("assets/highlight.css", css));
            }
            files
        }
    })
}

/// Resolves body links of one document to URLs relative to its page.
struct Resolver<'a> {
    model: &'a Model<'a>,
    from_file: &'a str,
}

impl LinkResolver for Resolver<'_> {
    fn by_id(&self, id: &str) -> Option<(String, String)> {
        let i = self.model.lookup(id)?;
        Some((
            format!("../{}", self.model.links[i].path),
            self.model.links[i].title.clone(),
        ))
    }

    fn by_path(&self, written: &str) -> Option<String> {
        let (path, fragment) = match written.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (written, None),
        };
        let dir = self.from_file.rsplit_once('/').map_or("", |(d, _)| d);
        let decoded = path.replace("%20", " ");
        let target = crate::source::join_relative(dir, &decoded)?;
        let i = self.model.by_file(&target)?;
        let url = format!("../{}", self.model.links[i].path);
        Some(match fragment {
            Some(f) if !f.is_empty() => format!("{url}#{}", crate::text::slugify(f)),
            _ => url,
        })
    }
}

/// The search index as a script, so it loads from `file://` as well as over HTTP.
fn search_index(model: &Model<'_>) -> OutputFile {
    const TEXT_LIMIT: usize = 2_000;
    let site = model.site;
    let entries: Vec<serde_json::Value> = site
        .docs
        .par_iter()
        .enumerate()
        .map(|(i, doc)| {
            let body = &site.sources[doc.source].text[doc.body_offset..];
            let text = markdown::render(body, &NoLinks, false, None, TEXT_LIMIT).text;
            json!({"i": doc.id, "t": doc.title, "k": model.links[i].kind_label, "u": model.links[i].path, "b": text})
        })
        .collect();
    let json = serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into());
    OutputFile::text(
        "search-index.js",
        format!("window.THROUGHLINE_SEARCH = {json};\n"),
    )
}

struct NoLinks;

impl LinkResolver for NoLinks {
    fn by_id(&self, _: &str) -> Option<(String, String)> {
        None
    }
    fn by_path(&self, _: &str) -> Option<String> {
        None
    }
}

/// The traceability tree as nested lists; branches are `<details>` so the tree works without script.
pub fn tree_html(items: &[TreeItem], root: &str) -> String {
    fn node(item: &TreeItem, root: &str, depth: usize, out: &mut String) {
        let d = &item.doc;
        out.push_str(&format!(
            "<li data-id=\"{}\" data-team=\"{}\" data-quarter=\"{}\">",
            escape(&d.id),
            escape(item.team.as_deref().unwrap_or("")),
            escape(item.quarter.as_deref().unwrap_or(""))
        ));
        let mut line = format!(
            "<span class=\"node-line\"><a href=\"{root}{}\">{}</a> <span class=\"badge kind\">{}</span>",
            escape(&d.path),
            escape(&d.title),
            escape(&d.kind_label)
        );
        if let Some(status) = &d.status {
            line.push_str(&format!(
                " <span class=\"badge status-{status}\">{status}</span>"
            ));
        }
        if d.warnings > 0 {
            let s = if d.warnings == 1 { "" } else { "s" };
            line.push_str(&format!(
                " <span class=\"badge warn\">{} finding{s}</span>",
                d.warnings
            ));
        }
        line.push_str("</span>");
        if item.children.is_empty() {
            out.push_str(&format!("<div class=\"leaf\">{line}</div>"));
        } else {
            let open = if depth < 2 { " open" } else { "" };
            out.push_str(&format!(
                "<details{open}><summary>{line} <span class=\"muted\">({})</span></summary><ul>",
                item.children.len()
            ));
            for c in &item.children {
                node(c, root, depth + 1, out);
            }
            out.push_str("</ul></details>");
        }
        out.push_str("</li>");
    }
    if items.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"tree\">");
    for item in items {
        node(item, root, 0, &mut out);
    }
    out.push_str("</ul>");
    out
}
