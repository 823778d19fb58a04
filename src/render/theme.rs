//! Templates and assets. The default theme is embedded in the binary; a
//! theme folder (`theme:` in the config) and then the site's own
//! `templates/` override templates by name. Autoescaping is on for every
//! `.html` template: front-matter values are always escaped.
//!
//! This is the only module that knows Tera (2.x; ARCHITECTURE.md says why).

use std::path::Path;

use crate::config::Config;

macro_rules! embedded {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates/", $name)))),+]
    };
}

/// The default theme's templates, by name.
pub const TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html",
    "page.html",
    "index.html",
    "trace.html",
    "health.html",
    "health_rule.html",
    "partials/finding.html",
    "partials/health_filter.html",
    "partials/finding_table.html",
    "partials/finding_hints.html",
    "roadmap.html",
    "teams.html",
    "metrics.html",
    "decisions.html",
    "partials/metric_card.html",
    "quarter.html",
    "search.html",
    "404.html",
    "partials/goal.html",
    "partials/score.html",
    "partials/confidence.html",
    "partials/bet_card.html",
    "partials/balance.html",
    "partials/roadmap_quarter.html",
    "partials/quarter_review_link.html",
    "partials/quarter_work.html",
    "partials/quarter_item.html",
    "partials/quarter_rollup.html",
    "partials/pager.html",
    "partials/roadmap_rollup.html",
    "changes.html",
    "people.html",
    "person.html",
    "person_moved.html",
    "dependencies.html",
    "partials/change.html",
    "partials/words.html",
    "partials/excerpt.html",
    "partials/commit.html",
    "partials/legend.html",
);

/// The default theme's static assets, by path under `assets/`.
pub const ASSETS: &[(&str, &str)] = &[
    (
        "style.css",
        include_str!("../../themes/default/assets/style.css"),
    ),
    (
        "search.js",
        include_str!("../../themes/default/assets/search.js"),
    ),
    (
        "health.js",
        include_str!("../../themes/default/assets/health.js"),
    ),
    (
        "trace.js",
        include_str!("../../themes/default/assets/trace.js"),
    ),
    (
        "site.js",
        include_str!("../../themes/default/assets/site.js"),
    ),
    (
        "favicon.svg",
        include_str!("../../themes/default/assets/favicon.svg"),
    ),
];

/// A problem with a template: the build cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

/// The compiled templates of a build.
pub struct Theme {
    tera: tera::Tera,
    /// Asset files (path under `assets/`, contents), theme folder overrides applied.
    pub assets: Vec<(String, Vec<u8>)>,
    /// A hash of every template's and asset's text: a render cache of
    /// another theme is not used.
    pub(crate) identity: u64,
}

/// Writes `s` HTML-escaped: the five special characters only, so URLs stay readable.
fn escape_into(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Every `{{ }}` of every page passes here: no intermediate string.
    write!(out, "{}", super::markdown::Escaped(s))
}

/// The `code` filter: a finding's message or hint, escaped, with its
/// backtick spans (`` `lno: overhead` ``) as `<code>`. Messages quote fields
/// and values in backticks, as Markdown does; they are text from documents, so
/// they are escaped first and never read as HTML; the result is marked safe.
fn code_filter(text: &str, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    tera::Value::safe_string(&code_spans(text))
}

/// The `figure` filter: a number as [`crate::text::figure`] writes it
/// (`10,000`), for counts a template shows; templates do no formatting of
/// their own.
fn figure_filter(n: f64, _: tera::Kwargs, _: &tera::State) -> String {
    crate::text::figure(n)
}

/// `text` escaped, with each pair of backticks around a span made `<code>`;
/// a backtick without a partner stays a backtick.
pub fn code_spans(text: &str) -> String {
    let escaped = super::markdown::Escaped(text).to_string();
    let parts: Vec<&str> = escaped.split('`').collect();
    let mut out = String::with_capacity(escaped.len() + 16);
    // Even parts are prose, odd parts code; an odd count of backticks leaves
    // the last part unpaired, written back with its backtick.
    let paired = if parts.len() % 2 == 0 {
        parts.len() - 1
    } else {
        parts.len()
    };
    for (i, part) in parts.iter().enumerate() {
        if i >= paired {
            out.push('`');
            out.push_str(part);
        } else if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Every file under `dir` (none if it does not exist), as (path relative to `dir`, bytes).
fn read_folder(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, TemplateError> {
    let mut found = Vec::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| TemplateError(format!("cannot read {}: {e}", dir.display())))?;
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).map_err(|e| {
                TemplateError(format!("cannot read {}: {e}", entry.path().display()))
            })?;
            found.push((crate::source::relative_path(dir, entry.path()), bytes));
        }
    }
    Ok(found)
}

/// Every `*.html` under `dir` as (name relative to `dir`, text).
fn read_templates(dir: &Path) -> Result<Vec<(String, String)>, TemplateError> {
    read_folder(dir)?
        .into_iter()
        .filter(|(name, _)| name.ends_with(".html"))
        .map(|(name, bytes)| {
            let text = String::from_utf8(bytes).map_err(|_| {
                TemplateError(format!(
                    "template {} is not valid UTF-8",
                    dir.join(&name).display()
                ))
            })?;
            Ok((name, text))
        })
        .collect()
}

impl Theme {
    /// The default theme, then the configured theme folder, then `ROOT/templates/`.
    /// Everything about the theme that a build would refuse is refused here,
    /// so `check`, which loads it too, agrees with `build`: a missing or
    /// non-theme folder, a template that does not compile, an unknown
    /// `markdown.highlight_theme`.
    pub fn load(root: &Path, config: &Config) -> Result<Theme, TemplateError> {
        super::highlight::check_theme(&config.markdown.highlight_theme).map_err(|e| {
            TemplateError(format!("throughline.yaml: markdown.highlight_theme: {e}"))
        })?;
        let mut templates: Vec<(String, String)> = TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let mut assets: Vec<(String, Vec<u8>)> = ASSETS
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
            .collect();
        let mut layers = Vec::new();
        if config.theme != "default" {
            let theme_dir = root.join(&config.theme);
            if !theme_dir.is_dir() {
                return Err(TemplateError(format!(
                    "theme folder `{}` does not exist (set `theme: default` or a path to a folder)",
                    theme_dir.display()
                )));
            }
            // A folder with neither is a typo or a system folder (`theme: /etc`), not a theme.
            if !theme_dir.join("templates").is_dir() && !theme_dir.join("assets").is_dir() {
                return Err(TemplateError(format!(
                    "`{}` is not a theme folder: it has neither `templates/` nor `assets/` (set `theme: default` or a path to a theme folder)",
                    theme_dir.display()
                )));
            }
            layers.push(theme_dir.join("templates"));
            for (name, bytes) in read_folder(&theme_dir.join("assets"))? {
                match assets.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = bytes,
                    None => assets.push((name, bytes)),
                }
            }
        }
        layers.push(root.join("templates"));
        for dir in layers {
            for (name, text) in read_templates(&dir)? {
                match templates.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = text,
                    None => templates.push((name, text)),
                }
            }
        }
        let identity = crate::hash::hash_of(&(&templates, &assets));
        let mut tera = tera::Tera::default();
        tera.autoescape_on([".html"]);
        tera.set_escape_fn(escape_into);
        tera.register_filter("code", code_filter);
        tera.register_filter("figure", figure_filter);
        tera.add_raw_templates(templates)
            .map_err(|e| TemplateError(e.to_string()))?;
        Ok(Theme {
            tera,
            assets,
            identity,
        })
    }

    /// Renders `template` with the variables of `base` (those every page has)
    /// and of `page` (its own); both must serialise to maps.
    pub fn render(
        &self,
        template: &str,
        base: &impl serde::Serialize,
        page: &impl serde::Serialize,
    ) -> Result<String, TemplateError> {
        let mut variables =
            tera::Context::from_serialize(page).map_err(|e| TemplateError(e.to_string()))?;
        variables
            .extend(tera::Context::from_serialize(base).map_err(|e| TemplateError(e.to_string()))?);
        self.tera
            .render(template, &variables)
            .map_err(|e| TemplateError(e.to_string()))
    }
}

#[cfg(test)]
mod code_tests {
    use super::code_spans;

    #[test]
    fn backtick_spans_become_code_after_escaping() {
        assert_eq!(
            code_spans("set `lno: overhead` <b>"),
            "set <code>lno: overhead</code> &lt;b&gt;"
        );
        assert_eq!(code_spans("`<script>`"), "<code>&lt;script&gt;</code>");
        assert_eq!(code_spans("a ` b"), "a ` b");
        assert_eq!(code_spans("`a` and ` b"), "<code>a</code> and ` b");
    }
}
