//! The render cache: what a build remembers of the pages it wrote, so that
//! the next build over the same output renders only the pages whose inputs
//! changed (issue #17).
//!
//! It is a file in the output folder ([`CACHE_FILE`]), written through the
//! same staging and journal as the pages, and listed in the output manifest
//! like any page. A build trusts it only when its bytes are the ones the
//! manifest lists, so a cache and the pages it describes always come from
//! one build: one that was cut short leaves either the old pair or, once
//! its journal is completed, the new one.
//!
//! What it holds:
//! - the build's identity: the binary, the theme, the config, the date and
//!   base URL; a cache of another identity is ignored whole;
//! - each page's key: the hash of the values it was rendered from
//!   (`ServedPages`), a document page's with its body stood for by its
//!   file's hash and the targets of its links;
//! - each document's search entry as the index uses it: its kind, a hash of
//!   its fragment entry, and its words as numbers of the dictionary that
//!   ends the file. The entries' texts are not kept (20 MB at 10,000
//!   documents); a search fragment with a changed entry has its
//!   entries made again from their documents.
//!
//! The format is this module's own: little-endian, lengths as LEB128.
//! Reading never trusts a length beyond the bytes that remain, and anything
//! it cannot read makes the whole cache unusable, never a panic.

use std::collections::HashMap;

/// The cache's file name, at the top of the output.
pub const CACHE_FILE: &str = ".throughline-cache";

/// The first bytes of the file; another version's cache is ignored.
const MAGIC: &[u8] = b"throughline-cache 1\n";

/// A document as the search index last had it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedDoc {
    /// The document's id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// The hash of its entry in a search fragment (title, page, text).
    pub entry_hash: u64,
    /// Its words with their places, as the dictionary numbers them.
    pub codes: Vec<u32>,
}

/// What one build remembers for the next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderCache {
    /// Of the binary, theme and site-wide inputs (see [`identity`](crate::render::build_identity)).
    pub(crate) identity: u64,
    /// Each page's key, by output path.
    pub(crate) pages: HashMap<String, u64>,
    /// The documents of the search index, in its order.
    pub(crate) docs: Vec<CachedDoc>,
    /// The words the documents' codes number.
    pub(crate) words: Vec<String>,
}

impl RenderCache {
    /// The cache as bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Writer(Vec::with_capacity(
            64 + self.pages.len() * 40 + self.docs.len() * 64,
        ));
        out.0.extend_from_slice(MAGIC);
        out.u64(self.identity);
        // Sorted, so that the same cache is always the same bytes.
        let mut pages: Vec<(&String, &u64)> = self.pages.iter().collect();
        pages.sort_unstable();
        out.len(pages.len());
        for (path, key) in pages {
            out.str(path);
            out.u64(*key);
        }
        out.len(self.docs.len());
        for doc in &self.docs {
            out.str(&doc.id);
            out.str(&doc.kind);
            out.u64(doc.entry_hash);
            out.len(doc.codes.len());
            for &code in &doc.codes {
                out.varint(u64::from(code));
            }
        }
        out.len(self.words.len());
        for word in &self.words {
            out.str(word);
        }
        out.0
    }

    /// The cache in `bytes`; `None` for anything that is not a whole cache
    /// of this version.
    pub fn decode(bytes: &[u8]) -> Option<RenderCache> {
        let mut input = Reader(bytes.strip_prefix(MAGIC)?);
        let identity = input.u64()?;
        let count = input.len()?;
        let mut pages = HashMap::with_capacity(count);
        for _ in 0..count {
            let path = input.str()?;
            pages.insert(path, input.u64()?);
        }
        let count = input.len()?;
        let mut docs = Vec::with_capacity(count);
        for _ in 0..count {
            let id = input.str()?;
            let kind = input.str()?;
            let entry_hash = input.u64()?;
            let n = input.len()?;
            let mut codes = Vec::with_capacity(n);
            for _ in 0..n {
                codes.push(u32::try_from(input.varint()?).ok()?);
            }
            docs.push(CachedDoc {
                id,
                kind,
                entry_hash,
                codes,
            });
        }
        let count = input.len()?;
        let mut words = Vec::with_capacity(count);
        for _ in 0..count {
            words.push(input.str()?);
        }
        input.0.is_empty().then_some(RenderCache {
            identity,
            pages,
            docs,
            words,
        })
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, value: u64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn varint(&mut self, mut value: u64) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    fn len(&mut self, len: usize) {
        self.varint(len as u64);
    }

    fn str(&mut self, text: &str) {
        self.len(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*head))
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first()?;
            self.0 = rest;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// A count of items that follow: never more than the bytes left, since
    /// every item takes at least one byte, so a forged count cannot make
    /// the reader allocate more than the file's size.
    fn len(&mut self) -> Option<usize> {
        let len = usize::try_from(self.varint()?).ok()?;
        (len <= self.0.len()).then_some(len)
    }

    fn str(&mut self) -> Option<String> {
        let len = self.len()?;
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(text.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RenderCache {
        RenderCache {
            identity: 0xdead_beef_0123_4567,
            pages: [
                ("index.html".to_string(), 1),
                ("bets/é/index.html".to_string(), u64::MAX),
            ]
            .into_iter()
            .collect(),
            docs: vec![
                CachedDoc {
                    id: "bet-1".into(),
                    kind: "bet".into(),
                    entry_hash: 42,
                    codes: vec![0, 1, 127, 128, 300_000, u32::MAX],
                },
                CachedDoc {
                    id: "empty".into(),
                    kind: String::new(),
                    entry_hash: 0,
                    codes: Vec::new(),
                },
            ],
            words: vec!["payout".into(), "ünïcode".into(), String::new()],
        }
    }

    #[test]
    fn a_cache_reads_back_as_written_and_encodes_the_same_each_time() {
        let cache = sample();
        let bytes = cache.encode();
        assert_eq!(RenderCache::decode(&bytes), Some(cache.clone()));
        assert_eq!(cache.clone().encode(), bytes);
        assert_eq!(
            RenderCache::decode(&RenderCache::default().encode()),
            Some(RenderCache::default())
        );
    }

    #[test]
    fn a_cut_or_altered_cache_is_refused_without_a_panic() {
        let bytes = sample().encode();
        for end in 0..bytes.len() {
            assert_eq!(RenderCache::decode(&bytes[..end]), None, "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(RenderCache::decode(&longer), None);
        let mut other_version = bytes.clone();
        other_version[MAGIC.len() - 2] = b'9';
        assert_eq!(RenderCache::decode(&other_version), None);
        // Every single-byte change either reads as some cache or is refused.
        for at in 0..bytes.len() {
            for value in [0u8, 0x7f, 0x80, 0xff] {
                let mut changed = bytes.clone();
                changed[at] = value;
                let _ = RenderCache::decode(&changed);
            }
        }
    }

    #[test]
    fn a_forged_count_allocates_nothing_it_cannot_fill() {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&0u64.to_le_bytes());
        // A count of 2^62 pages in a file of a few bytes.
        bytes.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
        assert_eq!(RenderCache::decode(&bytes), None);
        // A varint longer than 64 bits.
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&0u64.to_le_bytes());
        bytes.extend_from_slice(&[0xff; 11]);
        assert_eq!(RenderCache::decode(&bytes), None);
    }
}
