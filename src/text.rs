//! Small text helpers shared by the stages, a leaf that imports no other
//! module: positions in a text ([`Span`], byte offsets to line and column),
//! slugs, and "did you mean" suggestions.

/// A place in a file: 1-based line and column (in characters), and the length
/// of the text at fault in characters (0 when only the position is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// Length of the underlined text, in characters.
    pub len: u32,
}

impl Span {
    /// A span at `line:column` covering `len` characters.
    pub fn new(line: u32, column: u32, len: u32) -> Span {
        Span { line, column, len }
    }

    /// The start of a file, for problems that concern the whole file.
    pub fn file_start() -> Span {
        Span::new(1, 1, 0)
    }
}

/// Maps byte offsets in one text to 1-based lines and character columns.
///
/// Columns count characters, and a line can be megabytes long (200,000 links
/// on one line), so counting from the line's start for every span would be
/// quadratic: the index keeps the number of characters before every
/// [`CHUNK`]-byte boundary, and a span counts at most one chunk by hand.
/// Most documents are ASCII, where a character is a byte: they need no
/// checkpoints at all (counting them was 9% of a 10k `check`).
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Characters in `text[..k * CHUNK]`, for every `k`; empty for ASCII text.
    chars_before_chunk: Vec<usize>,
    ascii: bool,
}

/// Bytes per checkpoint of [`LineIndex`]'s character counts.
const CHUNK: usize = 256;

fn chars_in(bytes: &[u8]) -> usize {
    // Every byte that does not continue a UTF-8 sequence starts a character.
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        // memchr finds every newline with SIMD; `match_indices` re-enters its
        // searcher per line, which cost 5% of a 10k rebuild's instructions.
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let ascii = text.is_ascii();
        let mut chars_before_chunk = Vec::new();
        if !ascii {
            chars_before_chunk.reserve(text.len() / CHUNK + 1);
            let mut chars = 0;
            chars_before_chunk.push(0);
            for chunk in text.as_bytes().chunks(CHUNK) {
                chars += chars_in(chunk);
                chars_before_chunk.push(chars);
            }
        }
        LineIndex {
            line_starts,
            chars_before_chunk,
            ascii,
        }
    }

    /// Characters in `text[..offset]`, from the nearest checkpoint.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        if self.ascii {
            return offset;
        }
        let chunk = offset / CHUNK;
        let counted = self.chars_before_chunk.get(chunk).copied().unwrap_or(0);
        counted
            + text
                .as_bytes()
                .get(chunk * CHUNK..offset)
                .map_or(0, chars_in)
    }

    /// The span of `len_bytes` bytes at `offset` in `text` (which must be the indexed text).
    pub fn span(&self, text: &str, offset: usize, len_bytes: usize) -> Span {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let at = self.chars_before(text, offset);
        let column = at - self.chars_before(text, start) + 1;
        let end = (offset + len_bytes).min(text.len());
        let len = self.chars_before(text, end) - at;
        Span::new(to_u32(line + 1), to_u32(column), to_u32(len))
    }
}

/// The lines of `text`, each with its `\n` (as `str::split_inclusive`
/// gives them), found with memchr: the loaders split every file this way.
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = ends.next().map_or(text.len(), |at| at + 1);
        let line = &text[start..end];
        start = end;
        Some(line)
    })
}

/// Formats a number the way people write it: `40`, not `40.0`; `12.5` stays.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A figure as a reader sees it on a page, a chart or a card: what
/// [`format_number`] writes, with the whole part's digits grouped in
/// thousands (`12,345`, `-1,234.5`, `0.25`). The one display format of a
/// number; what is written back into a document, or printed as JSON, stays
/// [`format_number`]'s (a comma there would change the value).
pub fn figure(n: f64) -> String {
    let plain = format_number(n);
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    if whole.len() <= 3 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return plain;
    }
    let mut out = String::with_capacity(plain.len() + whole.len() / 3);
    out.push_str(sign);
    out.push_str(&grouped(whole));
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A unit as written after a number: a symbol (`%`, `‰`) sits against it
/// (`40%`), a word after a space (`15 interviews`, `18 per 1k jobs`). Every
/// number shown with its unit is written this way.
pub fn unit_suffix(unit: &str) -> String {
    let unit = unit.trim();
    match unit.chars().next() {
        Some(c) if c.is_alphanumeric() => format!(" {unit}"),
        _ => unit.to_string(),
    }
}

/// A fraction as a percentage for messages: `0.25` → `25%`, `0.2486` → `24.9%`.
pub fn format_percent(fraction: f64) -> String {
    let tenths = (fraction * 1000.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}%")
    } else {
        format!("{tenths:.1}%")
    }
}

/// Converts a count to `u32`, saturating: positions beyond 4 billion are not meaningful.
pub fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Decodes `%XX` escapes; `None` when an escape is malformed. The one
/// decoder for URL paths, whether a browser asked for them or a body links to them.
pub fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Where bytes read as text stop being UTF-8: the first bad byte, its
/// offset, and its line and column (of the valid text before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8 {
    /// The span of the first bad byte.
    pub span: Span,
    /// The byte.
    pub byte: u8,
    /// Its offset from the start.
    pub offset: usize,
}

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "byte 0x{:02x} at offset {}", self.byte, self.offset)
    }
}

/// `bytes` as text, or where they stop being UTF-8: how a document and a
/// tracker's export are told to be saved again, at the same place.
pub fn utf8(bytes: Vec<u8>) -> Result<String, NotUtf8> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        NotUtf8 {
            span: Span {
                len: 1,
                ..LineIndex::new(valid).span(valid, offset, 0)
            },
            byte: bytes[offset],
            offset,
        }
    })
}

/// Lowercases and joins runs of letters and digits with `-`: `"Q1 Plan (v2)"` → `"q1-plan-v2"`.
pub fn slugify(s: &str) -> String {
    let mut slug = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        // ASCII, nearly every id and key, skips the Unicode tables.
        let kept = if c.is_ascii() {
            c.is_ascii_alphanumeric() || c == '_'
        } else {
            c.is_alphanumeric()
        };
        if kept {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            if c.is_ascii() {
                slug.push(c.to_ascii_lowercase());
            } else {
                slug.extend(c.to_lowercase());
            }
        } else {
            dash = true;
        }
    }
    slug
}

/// Gives headings unique anchors the way GitHub does: `risks`, then `risks-1`.
#[derive(Debug, Default)]
pub struct AnchorSet {
    // foldhash: a set per document body, and a lookup per heading.
    seen: std::collections::HashMap<String, usize, foldhash::fast::RandomState>,
}

impl AnchorSet {
    /// The anchor for the next heading with text `heading`.
    pub fn next(&mut self, heading: &str) -> String {
        let mut base = slugify(heading);
        if base.is_empty() {
            base = "section".to_string();
        }
        let count = self.seen.entry(base.clone()).or_insert(0);
        let anchor = if *count == 0 {
            base
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        anchor
    }
}

/// Whether `s` is a valid id: lowercase letters, digits, `-` and `_`, not starting with `-`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.chars().all(|c| {
            c == '-' || c == '_' || c.is_numeric() || (c.is_alphabetic() && !c.is_uppercase())
        })
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let max = match word.chars().count() {
        0..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, c)| d <= max && d > 0 && c != word)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// `n word`, with an `s` unless `n` is 1 (`info` is uncountable): `3 warnings`, `1 error`.
pub fn plural(n: usize, word: &str) -> String {
    match (n, word) {
        (1, _) | (_, "info") => format!("{n} {word}"),
        _ => format!("{n} {word}s"),
    }
}

/// `n` with its thousands grouped by commas: `9,997`.
pub fn group_digits(n: usize) -> String {
    grouped(&n.to_string())
}

/// ASCII `digits` with a comma before each group of three from the right.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_inclusive_splits_as_split_inclusive_does() {
        for text in ["", "a", "a\n", "a\nb", "a\r\n\nb\n", "\n\n", "é\nü"] {
            let ours: Vec<&str> = lines_inclusive(text).collect();
            let std: Vec<&str> = text.split_inclusive('\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn figures_group_thousands_and_keep_what_format_number_keeps() {
        assert_eq!(figure(0.0), "0");
        assert_eq!(figure(999.0), "999");
        assert_eq!(figure(1000.0), "1,000");
        assert_eq!(figure(12345.0), "12,345");
        assert_eq!(figure(1234567.0), "1,234,567");
        assert_eq!(figure(-1234.5), "-1,234.5");
        assert_eq!(figure(1234.25), "1,234.25");
        assert_eq!(figure(0.25), "0.25");
        assert_eq!(figure(-12.0), "-12");
        assert_eq!(figure(1e20), "100,000,000,000,000,000,000");
        assert_eq!(figure(f64::NAN), "NaN");
        assert_eq!(figure(f64::INFINITY), "inf");
        assert_eq!(group_digits(10_000), "10,000");
        assert_eq!(group_digits(7), "7");
        // What goes back into a document is never grouped.
        assert_eq!(format_number(12345.0), "12345");
    }

    #[test]
    fn percentages_round_to_a_tenth_and_drop_a_zero_tenth() {
        assert_eq!(unit_suffix("%"), "%");
        assert_eq!(unit_suffix("per 1k jobs"), " per 1k jobs");
        assert_eq!(unit_suffix("min"), " min");
        assert_eq!(unit_suffix(""), "");
        assert_eq!(format_percent(0.25), "25%");
        assert_eq!(format_percent(0.2486), "24.9%");
        assert_eq!(format_percent(1.0), "100%");
        assert_eq!(format_percent(-0.03), "-3%");
    }

    #[test]
    fn spans_count_characters_not_bytes() {
        let text = "a\nzüri: x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.span(text, x, 1), Span::new(2, 7, 1));
        assert_eq!(index.span(text, 0, 0), Span::new(1, 1, 0));
        assert_eq!(index.span(text, text.len(), 0), Span::new(3, 1, 0));
        // Across checkpoints, on a long line of multibyte characters.
        let long = format!("x\n{}y", "é".repeat(1000));
        let index = LineIndex::new(&long);
        let y = long.find('y').unwrap();
        assert_eq!(index.span(&long, y, 1), Span::new(2, 1001, 1));
        assert_eq!(index.span(&long, 2, y - 2), Span::new(2, 1, 1000));
    }

    #[test]
    fn slugs_of_ascii_are_what_the_unicode_rules_make() {
        // `slugify` before its ASCII shortcut.
        let unicode = |s: &str| {
            let mut slug = String::new();
            let mut dash = false;
            for c in s.chars() {
                if c.is_alphanumeric() || c == '_' {
                    if dash && !slug.is_empty() {
                        slug.push('-');
                    }
                    dash = false;
                    slug.extend(c.to_lowercase());
                } else {
                    dash = true;
                }
            }
            slug
        };
        for c in (0u8..128).map(char::from).chain(['É', 'ß', 'İ', '٣', '—']) {
            let text = format!("A{c}b {c}");
            assert_eq!(slugify(&text), unicode(&text), "{c:?}");
        }
    }

    #[test]
    fn text_that_is_not_utf8_says_where_at_the_first_bad_byte() {
        assert_eq!(utf8(b"ok\n".to_vec()).as_deref(), Ok("ok\n"));
        let bad = utf8(b"one\ntwo \xff three".to_vec()).unwrap_err();
        assert_eq!((bad.span.line, bad.span.column, bad.span.len), (2, 5, 1));
        assert_eq!(bad.to_string(), "byte 0xff at offset 8");
        // A cut character: the offset is where it starts.
        let cut = utf8("é".as_bytes()[..1].to_vec()).unwrap_err();
        assert_eq!((cut.byte, cut.offset), (0xc3, 0));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Q1 Plan (v2)"), "q1-plan-v2");
        assert_eq!(slugify("  Zürich plan  "), "zürich-plan");
        assert_eq!(slugify("bet_instant-payouts"), "bet_instant-payouts");
        assert!(is_slug("bet-1"));
        assert!(!is_slug("Bet 1"));
        assert!(!is_slug("-x"));
    }

    #[test]
    fn suggestions_are_close_matches_only() {
        let fields = ["parent", "supports", "related"];
        assert_eq!(suggest("parnet", fields), Some("parent"));
        assert_eq!(suggest("suports", fields), Some("supports"));
        assert_eq!(suggest("banana", fields), None);
        assert_eq!(suggest("parent", fields), None);
    }

    #[test]
    fn digits_are_grouped_by_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(9_997), "9,997");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }
}
