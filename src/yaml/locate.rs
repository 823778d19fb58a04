//! [`Locator`]: where a field or value is written in a YAML text, since
//! serde_yaml values carry no positions.

/// foldhash: every document's front matter is located as it is parsed,
/// and SipHash was a third of that.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
use std::sync::Mutex;

use super::lines::{strip_comment, Line};

/// One step in a path to a field: a mapping key or a list index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// A mapping key.
    Key(&'a str),
    /// A list index.
    Index(usize),
}

/// A byte range in the located text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Located {
    /// Byte offset of the start.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

/// Finds where fields and values are written in a YAML text.
///
/// It understands the layouts front matter uses in practice (block mappings,
/// block lists, one-line flow `{…}` and `[…]`); when it cannot find the exact
/// place it falls back to the nearest enclosing field, never to a wrong line.
#[derive(Debug)]
pub(crate) struct Locator<'t> {
    text: &'t str,
    /// Top-level keys: (key, byte offset of the key, byte offset where its block ends).
    top: Vec<(&'t str, usize, usize)>,
    /// Each top-level key's first entry in `top`.
    top_index: HashMap<&'t str, usize>,
    /// The items of every list located so far, by the offset its search starts
    /// at: finding item `n` by counting from the list's start would make
    /// locating every item of a 40,000-item list quadratic.
    lists: Mutex<HashMap<usize, Vec<(usize, usize)>>>,
    /// Where each key is written in a top-level field's block (by the block's
    /// start), in order: searching the block for every one of 70,000 keys
    /// under `success:` would be quadratic.
    keys: Mutex<HashMap<usize, KeyIndex<'t>>>,
}

/// The offsets where each key is written, in increasing order.
type KeyIndex<'t> = HashMap<&'t str, Vec<usize>>;

impl<'t> Locator<'t> {
    /// Indexes the top-level keys of `text`.
    pub(crate) fn new(text: &'t str) -> Locator<'t> {
        let mut top: Vec<(&'t str, usize, usize)> = Vec::new();
        let mut top_index = HashMap::default();
        let mut offset = 0;
        for line in crate::text::lines_inclusive(text) {
            let read = Line::read(line);
            if let Some(key) = read.key.filter(|_| read.is_top_level()) {
                if let Some(last) = top.last_mut() {
                    last.2 = offset;
                }
                top_index.entry(key).or_insert(top.len());
                top.push((key, offset + read.key_at, text.len()));
            }
            offset += line.len();
        }
        Locator {
            text,
            top,
            top_index,
            lists: Mutex::new(HashMap::default()),
            keys: Mutex::new(HashMap::default()),
        }
    }

    /// The first place at or after `from` where `key:` is written in the block `block..end`.
    fn key_after(&self, block: usize, end: usize, from: usize, key: &str) -> Option<usize> {
        let first_after = |places: &Vec<usize>| {
            let i = places.partition_point(|&p| p < from);
            places.get(i).copied()
        };
        let Ok(mut keys) = self.keys.lock() else {
            return key_index(self.text, block, end)
                .get(key)
                .and_then(first_after);
        };
        keys.entry(block)
            .or_insert_with(|| key_index(self.text, block, end))
            .get(key)
            .and_then(first_after)
    }

    /// Item `n` of the list whose search starts at `from` (and ends at `end`).
    fn item(&self, from: usize, end: usize, n: usize) -> Option<(usize, usize)> {
        let Ok(mut lists) = self.lists.lock() else {
            return list_items(&self.text[from..end]).get(n).copied();
        };
        lists
            .entry(from)
            .or_insert_with(|| list_items(&self.text[from..end]))
            .get(n)
            .copied()
    }

    /// Where the key at `path` is written (the last key of the path, or the list item).
    pub(crate) fn key(&self, path: &[Step<'_>]) -> Option<Located> {
        self.walk(path).map(|w| w.at)
    }

    /// Where the value at `path` is written; falls back to its key, or to the nearest enclosing field.
    pub(crate) fn value(&self, path: &[Step<'_>]) -> Option<Located> {
        let Walk { at, end, complete } = self.walk(path)?;
        if !complete || !matches!(path.last(), Some(Step::Key(_))) {
            return Some(at);
        }
        let after_key = at.offset + at.len;
        let rest = &self.text[after_key..end];
        let colon = rest.find(':')?;
        let value_start = after_key + colon + 1;
        // Only the value's own text is looked at, so that locating every value
        // of a megabyte-long line stays linear.
        let flow = key_in_flow_mapping(self.text, at.offset);
        let delimiters: &[u8] = if flow { b"\n,}" } else { b"\n" };
        let value_len = self.text.as_bytes()[value_start..end]
            .iter()
            .position(|b| delimiters.contains(b))
            .unwrap_or(end - value_start);
        let line_rest = &self.text[value_start..value_start + value_len];
        let trimmed = strip_comment(line_rest).trim();
        if trimmed.is_empty() {
            return Some(at);
        }
        let lead = line_rest.len() - line_rest.trim_start().len();
        Some(Located {
            offset: value_start + lead,
            len: trimmed.len(),
        })
    }

    /// Follows `path` as far as it is written.
    fn walk(&self, path: &[Step<'_>]) -> Option<Walk> {
        let (first, rest) = path.split_first()?;
        let Step::Key(top_key) = first else {
            return None;
        };
        let &(key, offset, end) = self.top.get(*self.top_index.get(top_key)?)?;
        let mut at = Located {
            offset,
            len: key.len(),
        };
        // Keys are searched after the previous key; an item's own keys start inside it.
        let mut search_from = offset + key.len();
        for step in rest {
            let found = match *step {
                Step::Key(k) => self
                    .key_after(offset, end, search_from, k)
                    .map(|at| Located {
                        offset: at,
                        len: k.len(),
                    }),
                Step::Index(n) => self.item(search_from, end, n).map(|(i, len)| Located {
                    offset: search_from + i,
                    len,
                }),
            };
            match found {
                Some(next) => {
                    at = next;
                    search_from = match step {
                        Step::Key(_) => next.offset + next.len,
                        Step::Index(_) => next.offset,
                    };
                }
                None => {
                    return Some(Walk {
                        at,
                        end,
                        complete: false,
                    })
                }
            }
        }
        Some(Walk {
            at,
            end,
            complete: true,
        })
    }
}

struct Walk {
    at: Located,
    end: usize,
    complete: bool,
}

/// Whether the key at `offset` sits inside a `{ … }` mapping: whether `{` or
/// `,` comes before it (past blanks and an opening quote) rather than the
/// start of a line or a `- `. It looks back no further than that, so finding
/// every key of a megabyte-long line stays linear.
fn key_in_flow_mapping(text: &str, offset: usize) -> bool {
    let before = text.as_bytes()[..offset]
        .iter()
        .rev()
        .find(|&&b| !matches!(b, b' ' | b'\t' | b'"' | b'\''));
    matches!(before, Some(b'{' | b','))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80
}

/// Every place in `text[start..end]` where a key is written before a `:`
/// (past blanks and a closing quote), by key: the word just before the colon,
/// and, for keys with other characters (`my key`), the text back to the start
/// of the line, a `- ` or a `{`, `[` or `,` (no further than 256 bytes, so a
/// line of many colons stays linear). A key found neither way is not located;
/// the caller falls back to the enclosing field.
fn key_index(text: &str, start: usize, end: usize) -> KeyIndex<'_> {
    let bytes = text.as_bytes();
    let mut index: KeyIndex<'_> = HashMap::default();
    let mut add = |from: usize, to: usize| {
        if from < to {
            index.entry(&text[from..to]).or_default().push(from);
        }
    };
    for (colon, _) in text[start..end].match_indices(':') {
        let colon = start + colon;
        let mut key_end = colon;
        while key_end > start && matches!(bytes[key_end - 1], b' ' | b'"' | b'\'') {
            key_end -= 1;
        }
        let mut word = key_end;
        while word > start && is_word_byte(bytes[word - 1]) {
            word -= 1;
        }
        add(word, key_end);
        let floor = key_end.saturating_sub(256).max(start);
        let mut line = word;
        while line > floor && !matches!(bytes[line - 1], b'\n' | b'{' | b'[' | b',') {
            line -= 1;
        }
        let delimited = line == start || matches!(bytes[line - 1], b'\n' | b'{' | b'[' | b',');
        if delimited && line < word {
            let written = &text[line..key_end];
            let trimmed = written
                .trim_start()
                .trim_start_matches("- ")
                .trim_start_matches("? ")
                .trim_start()
                .trim_start_matches(['"', '\'']);
            let key_start = key_end - trimmed.len();
            if key_start < word {
                add(key_start, key_end);
            }
        }
    }
    index
}

/// The byte offset and length of every list item at the start of `haystack`,
/// in block (`- a`) or flow (`[a, b]`) style.
fn list_items(haystack: &str) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let line_end = haystack.find('\n').unwrap_or(haystack.len());
    let first_line = &haystack[..line_end];
    if let Some(open) = first_line.find('[') {
        let inner_start = open + 1;
        let close = first_line[inner_start..]
            .find(']')
            .map_or(line_end, |c| inner_start + c);
        let mut pos = inner_start;
        for item in first_line[inner_start..close].split(',') {
            let lead = item.len() - item.trim_start().len();
            items.push((pos + lead, item.trim().len()));
            pos += item.len() + 1;
        }
        return items;
    }
    let mut offset = line_end + 1;
    let mut indent = None;
    let Some(rest) = haystack.get(offset..) else {
        return items;
    };
    for line in rest.split_inclusive('\n') {
        let stripped = line.trim_start_matches(' ');
        let this_indent = line.len() - stripped.len();
        if stripped.starts_with("- ") || stripped.trim_end() == "-" {
            let expected = *indent.get_or_insert(this_indent);
            if this_indent == expected {
                let item = stripped[1..].trim_start_matches([' ', '\t']);
                let item_len = item.split('\n').next().unwrap_or("").trim_end().len();
                if item_len == 0 {
                    // An empty item (`-` alone): its dash, not the next line.
                    items.push((offset + this_indent, 1));
                } else {
                    let item_offset = offset + this_indent + (stripped.len() - item.len());
                    items.push((item_offset, item_len));
                }
            }
        }
        offset += line.len();
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    const FM: &str = "id: bet-a\nkind: bet\nparent: ps-x   # the strategy\nsupports: [ps-y, ps-z]\nrelated:\n  - bet-b\n  - bet-c\ndhm: { delight: 5, hard_to_copy: 3, margin: 9 }\nsuccess:\n  outcome: Paid same day\n  metric: metric-rate\nkey_results:\n  - metric: m-one\n    target: 4\n  - metric: m-two\n    target: 5\n";

    fn at(l: Option<Located>) -> &'static str {
        let l = l.unwrap();
        let s: &'static str =
            Box::leak(FM[l.offset..l.offset + l.len].to_string().into_boxed_str());
        s
    }

    #[test]
    fn finds_values_keys_and_items() {
        let loc = Locator::new(FM);
        assert_eq!(at(loc.value(&[Step::Key("parent")])), "ps-x");
        assert_eq!(at(loc.key(&[Step::Key("parent")])), "parent");
        assert_eq!(
            at(loc.value(&[Step::Key("supports"), Step::Index(1)])),
            "ps-z"
        );
        assert_eq!(
            at(loc.value(&[Step::Key("related"), Step::Index(1)])),
            "bet-c"
        );
        assert_eq!(at(loc.value(&[Step::Key("dhm"), Step::Key("margin")])), "9");
        assert_eq!(
            at(loc.value(&[Step::Key("success"), Step::Key("metric")])),
            "metric-rate"
        );
        let kr = [
            Step::Key("key_results"),
            Step::Index(1),
            Step::Key("metric"),
        ];
        assert_eq!(at(loc.value(&kr)), "m-two");
        assert_eq!(loc.value(&[Step::Key("nope")]), None);
    }

    #[test]
    fn finds_keys_with_spaces_and_dots_and_the_first_after_a_list_item() {
        let text = "success:\n  my key: 1\n  \"other.k\": 2\nkey_results:\n  - metric: a\n  - {target: 1, metric: b}\n";
        let loc = Locator::new(text);
        let at = |path: &[Step<'_>]| {
            let l = loc.key(path).unwrap();
            &text[l.offset..l.offset + l.len]
        };
        assert_eq!(at(&[Step::Key("success"), Step::Key("my key")]), "my key");
        assert_eq!(at(&[Step::Key("success"), Step::Key("other.k")]), "other.k");
        let second = [
            Step::Key("key_results"),
            Step::Index(1),
            Step::Key("metric"),
        ];
        let l = loc.value(&second).unwrap();
        assert_eq!(&text[l.offset..l.offset + l.len], "b");
    }

    #[test]
    fn an_empty_list_item_is_found_at_its_dash() {
        let fm = "depends_on:\n  - b\n  -\n  - c\nkey_results:\n  -   \n";
        let loc = Locator::new(fm);
        let at = |path: &[Step<'_>]| loc.value(path).map(|l| &fm[l.offset..l.offset + l.len]);
        assert_eq!(at(&[Step::Key("depends_on"), Step::Index(1)]), Some("-"));
        let second = loc
            .value(&[Step::Key("depends_on"), Step::Index(1)])
            .unwrap();
        assert_eq!(second.offset, fm.find("  -\n").unwrap() + 2);
        assert_eq!(at(&[Step::Key("depends_on"), Step::Index(2)]), Some("c"));
        assert_eq!(at(&[Step::Key("key_results"), Step::Index(0)]), Some("-"));
    }

    #[test]
    fn falls_back_to_the_enclosing_field() {
        let loc = Locator::new(FM);
        assert_eq!(
            at(loc.value(&[Step::Key("success"), Step::Key("deadline")])),
            "success"
        );
    }
}
