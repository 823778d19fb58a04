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
//!   file's hash and the targets of its links; and, under names no file
//!   has ([`job_key`]), a job's key: what all its files are made of and
//!   their paths, so an unchanged job is skipped whole (the trace);
//! - each document's search entry as the index uses it: its kind, a hash of
//!   its fragment entry, and its words as numbers of the dictionary that
//!   ends the file. The entries' texts are not kept (20 MB at 10,000
//!   documents); a search fragment with a changed entry has its
//!   entries made again from their documents.
//!
//! The format is this module's own: little-endian, lengths as LEB128, and
//! a check of the bytes before it at the end.
//!
//! The cache is a hint, never authority: the output folder may be restored
//! from a CI cache another branch's run saved, manifest and all, so the
//! manifest's word that this build wrote it proves nothing. Reading never
//! trusts a length beyond the bytes that remain (no allocation is sized by
//! a count before the bytes for it are there), checks every word number
//! against the dictionary that ends the file (a forged one made the index
//! allocate postings for 2^30 words, 34 GB, and the build abort), and
//! anything it cannot read makes the whole cache unusable, never a panic:
//! the build then renders every page, as from scratch. The check at the
//! end refuses a cache damaged on disk (a bit flipped, bytes cut), whose
//! pages and search entries might otherwise be kept wrong; it is no
//! signature (whoever forges a cache can compute it), and a kept page is
//! trusted as the output holds it in any case.

use std::collections::HashMap;

// The output layer names every file it keeps at the top of the output.
pub use crate::output::CACHE_FILE;

/// What starts the name a job's key is kept under among the pages' keys:
/// no file's path starts so, so no page's key is mistaken for it.
const JOB_KEY: &str = "\0job:";

/// The name under which job `job`'s key is kept among the pages' keys: the
/// hash of its inputs and of the files it made
/// ([`ServedPages::job_unchanged`](super::ServedPages)).
pub(crate) fn job_key(job: &str) -> String {
    format!("{JOB_KEY}{job}")
}

/// Whether `path` among the pages' keys names a job's key, not a file:
/// kept as long as the cache, while a page's key goes with its file.
pub fn is_job_key(path: &str) -> bool {
    path.starts_with(JOB_KEY)
}

/// The first bytes of the file; another version's cache is ignored.
const MAGIC: &[u8] = b"throughline-cache 2\n";

/// The check that ends the file: a hash of every byte before it, as the
/// output manifest hashes a file (foldhash with a fixed seed),
/// little-endian.
fn check_of(bytes: &[u8]) -> [u8; 8] {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0)
        .hash_one(bytes)
        .to_le_bytes()
}

/// How many places a word has in a document's codes (`word * PLACES +
/// place`), as the search index numbers them.
const PLACES: u32 = super::search::PLACES;

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
        let check = check_of(&out.0);
        out.0.extend_from_slice(&check);
        out.0
    }

    /// The cache in `bytes`; `None` for anything that is not a whole cache
    /// of this version with its check, or whose codes name words its
    /// dictionary does not have.
    pub fn decode(bytes: &[u8]) -> Option<RenderCache> {
        let (body, check) = bytes.split_last_chunk::<8>()?;
        if check_of(body) != *check {
            return None;
        }
        let mut input = Reader(body.strip_prefix(MAGIC)?);
        let identity = input.u64()?;
        let pages = input.pages()?;
        let docs = input.docs()?;
        let words = input.words()?;
        let in_dictionary = |code: &u32| ((code / PLACES) as usize) < words.len();
        let whole = input.0.is_empty() && docs.iter().all(|d| d.codes.iter().all(in_dictionary));
        whole.then_some(RenderCache {
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

    /// A count, then that many items read by `item`. Filled as the items
    /// are read, never allocated up front: [`Reader::len`] bounds a count
    /// by the bytes left, not by the memory an item takes (a page is 32
    /// bytes of map for each byte of file).
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let count = self.len()?;
        let mut items = Vec::new();
        for _ in 0..count {
            items.push(item(self)?);
        }
        Some(items)
    }

    /// Each page's key, by output path.
    fn pages(&mut self) -> Option<HashMap<String, u64>> {
        let pages = self.list(|input| Some((input.str()?, input.u64()?)))?;
        Some(pages.into_iter().collect())
    }

    /// The documents of the search index, their codes as written (checked
    /// against the dictionary once it is read).
    fn docs(&mut self) -> Option<Vec<CachedDoc>> {
        self.list(|input| {
            Some(CachedDoc {
                id: input.str()?,
                kind: input.str()?,
                entry_hash: input.u64()?,
                codes: input.list(|input| u32::try_from(input.varint()?).ok())?,
            })
        })
    }

    /// The dictionary.
    fn words(&mut self) -> Option<Vec<String>> {
        self.list(Reader::str)
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
                    // One byte of LEB128 and two; the last word's last place.
                    codes: vec![0, 1, 127, 128, 149],
                },
                CachedDoc {
                    id: "empty".into(),
                    kind: String::new(),
                    entry_hash: 0,
                    codes: Vec::new(),
                },
            ],
            words: ["payout", "ünïcode", ""]
                .into_iter()
                .map(str::to_string)
                .chain((3..50).map(|n| format!("word{n}")))
                .collect(),
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

    /// `body` with the check a cache ends with: what a forger writes.
    fn sealed(mut body: Vec<u8>) -> Vec<u8> {
        let check = check_of(&body);
        body.extend_from_slice(&check);
        body
    }

    #[test]
    fn a_forged_count_allocates_nothing_it_cannot_fill() {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&0u64.to_le_bytes());
        // A count of 2^62 pages in a file of a few bytes.
        bytes.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
        assert_eq!(RenderCache::decode(&sealed(bytes)), None);
        // A varint longer than 64 bits.
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&0u64.to_le_bytes());
        bytes.extend_from_slice(&[0xff; 11]);
        assert_eq!(RenderCache::decode(&sealed(bytes)), None);
    }

    #[test]
    fn a_code_past_the_dictionary_is_refused() {
        // A word number of 2^30 made the index allocate postings for every
        // number below it (34 GB), from a file of a few bytes.
        let mut cache = sample();
        cache.docs[0].codes.push((1 << 30) * PLACES);
        assert_eq!(RenderCache::decode(&cache.encode()), None);
        let mut cache = sample();
        let past = u32::try_from(cache.words.len()).expect("few") * PLACES;
        cache.docs[1].codes = vec![past - 1];
        assert!(
            RenderCache::decode(&cache.encode()).is_some(),
            "the last word"
        );
        cache.docs[1].codes = vec![past];
        assert_eq!(RenderCache::decode(&cache.encode()), None, "one past it");
    }

    #[test]
    fn a_cache_damaged_on_disk_fails_its_check() {
        let bytes = sample().encode();
        for at in 0..bytes.len() {
            for bit in 0..8 {
                let mut flipped = bytes.clone();
                flipped[at] ^= 1 << bit;
                assert_eq!(
                    RenderCache::decode(&flipped),
                    None,
                    "bit {bit} of byte {at}"
                );
            }
        }
    }
}
