//! The 404 page (`404.html`), served at any depth: its links start from
//! the site's `base_url` and it carries its own stylesheet.

use serde::Serialize;

use super::Overview;
use crate::render::jobs::Job;
use crate::render::theme::Theme;

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::NotFound,
    template: "404.html",
    path: "404.html",
    root: None,
    section: "404",
    render: |_, t, o, b| o.page(t, b, &not_found(t)),
};

/// The 404 page: it carries the theme's stylesheet itself, as a `data:`
/// URL, because it is served at any depth (and opened from `file://`),
/// where no relative path reaches `assets/style.css`, and `base_url` is
/// right only on the host.
#[derive(Debug, Serialize)]
struct NotFoundPage {
    /// `style.css` as a `data:` URL, every byte outside a safe set
    /// percent-encoded (so nothing in it ends the attribute).
    css: String,
}

/// The bytes the 404 page's `data:` URL percent-encodes. What it protects:
/// the URL sits in a quoted HTML attribute, so no `"`, `'`, `<`, `>`, `&`,
/// `%`, `#`, space or control byte of the stylesheet may appear in it as
/// itself. Non-ASCII bytes are always encoded.
const DATA_URL_IN_ATTRIBUTE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':')
    .remove(b';')
    .remove(b',')
    .remove(b'/')
    .remove(b'(')
    .remove(b')')
    .remove(b'!')
    .remove(b'*')
    .remove(b'@')
    .remove(b'+')
    .remove(b'=')
    .remove(b'?')
    .remove(b'$');

/// The 404 page's context, with the theme's stylesheet.
fn not_found(theme: &Theme) -> NotFoundPage {
    let bytes: &[u8] = theme
        .assets
        .iter()
        .find(|(name, _)| name == "style.css")
        .map_or(&[], |(_, bytes)| bytes.as_slice());
    let mut css = String::with_capacity(bytes.len() * 2 + 32);
    css.push_str("data:text/css;charset=utf-8,");
    css.extend(percent_encoding::percent_encode(
        bytes,
        DATA_URL_IN_ATTRIBUTE,
    ));
    NotFoundPage { css }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_url_encodes_exactly_what_the_hand_written_encoder_did() {
        for byte in 0..=255u8 {
            let kept = byte.is_ascii_alphanumeric() || b"-_.~:;,/()!*@+=?$".contains(&byte);
            let out = percent_encoding::percent_encode(&[byte], DATA_URL_IN_ATTRIBUTE).to_string();
            let expected = if kept {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            };
            assert_eq!(out, expected, "byte {byte:#04x}");
        }
    }
}
