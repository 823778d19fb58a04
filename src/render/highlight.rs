//! Syntax highlighting with syntect, loaded on first use: a site without code
//! blocks never pays for it. Output uses CSS classes, with one stylesheet
//! generated for the configured theme.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
/// Kept once loaded: serve writes the stylesheet on every edit, and loading
/// the themes (a bincode dump) was most of its cost.
static THEMES: OnceLock<ThemeSet> = OnceLock::new();

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Highlights `code` as `lang` (a fence token such as `rust` or `py`); `None` for an unknown language.
pub(super) fn highlight(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// Refuses a `highlight_theme` syntect does not have, whether or not the site
/// has code yet: `check` must refuse what a later build would.
pub(super) fn check_theme(theme: &str) -> Result<(), String> {
    // The default is known to exist; loading every theme costs a few milliseconds.
    if theme == crate::config::MarkdownConfig::default().highlight_theme {
        return Ok(());
    }
    stylesheet(theme).map(|_| ())
}

/// The stylesheet for `theme` (a syntect default theme name), or the names available.
pub(super) fn stylesheet(theme: &str) -> Result<String, String> {
    let themes = THEMES.get_or_init(ThemeSet::load_defaults);
    let Some(t) = themes.themes.get(theme) else {
        let names: Vec<&str> = themes.themes.keys().map(String::as_str).collect();
        return Err(format!(
            "unknown highlight theme `{theme}`; the themes are: {}",
            names.join(", ")
        ));
    };
    css_for_theme_with_class_style(t, CLASS_STYLE).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_languages() {
        let html = highlight("fn main() {}\n", "rust").unwrap();
        assert!(html.contains("hl-"), "{html}");
        assert!(highlight("x", "no-such-language").is_none());
        assert!(stylesheet("base16-ocean.dark").unwrap().contains(".hl-"));
        assert!(stylesheet("nope")
            .unwrap_err()
            .contains("base16-ocean.dark"));
        assert!(check_theme("base16-ocean.dark").is_ok());
        assert!(check_theme("InspiredGitHub").is_ok());
        assert!(check_theme("nope").unwrap_err().contains("InspiredGitHub"));
    }
}
