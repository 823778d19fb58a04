//! The search index, cut into small scripts that the search page loads only
//! when someone searches, and only the ones a query needs:
//!
//! - `search/manifest.js`: the kinds, each document's kind, and which term
//!   shards exist (10,000 documents: about 10 KB gzipped);
//! - `search/terms/<key>.js`: every word that starts with `key` (its first
//!   two characters, lowercased), each with the documents it occurs in and
//!   where (title, heading or body), as deltas;
//! - `search/docs/<name>.js`: title, page and text of a run of documents
//!   (a fragment, eight on average; [`Layout`]), for the results shown.
//!
//! Each is a script calling `THROUGHLINE_SEARCH`, not JSON, so that search
//! works from `file://` as well as over HTTP (a page may add a script from
//! any folder, but may not `fetch` one under `file://`). The files are a
//! function of the documents in order: a full build streams them batch by
//! batch, `serve` makes them again from the entries it keeps, and both write
//! the same bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::output::OutputFile;

use super::cache::CachedDoc;
use super::view::{DocLink, Model};

/// Where every file of search lives: `serve` drops what it served under
/// here and a new render did not write.
pub const SEARCH_PREFIX: &str = "search/";

/// Documents per `search/docs/<name>.js` on average: the results shown
/// (20) need at most 20 of them, each a few KB gzipped.
const DOCS_PER_FRAGMENT: u64 = 8;

/// A fragment ends after this many documents even if no id cut it before.
const MAX_DOCS_PER_FRAGMENT: usize = 32;

/// How the documents, in the index's order, are cut into fragments, and
/// each fragment's name. A fragment ends after a document whose id hashes
/// to a multiple of [`DOCS_PER_FRAGMENT`] (eight documents on average), or
/// at [`MAX_DOCS_PER_FRAGMENT`]; it is named by its first document's id
/// (`search/docs/bet-a.js`: ids are slugs, unique in a site). Cuts and names come from the documents' ids, not their
/// positions: a document added or removed changes the fragment it is in,
/// and the fragments after it keep their names and bytes (cut by position,
/// one added document rewrote every fragment after it, 980 files at 10,000
/// documents). The one place fragments are decided: the build's stream,
/// the render cache's keys, serve's live index and the manifest all read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Layout {
    /// Each fragment's name and its first document (a position in the index).
    fragments: Vec<(String, usize)>,
    /// How many documents there are.
    docs: usize,
}

impl Layout {
    /// The fragments of the documents with these ids, in the index's order.
    pub(super) fn of<'a>(ids: impl IntoIterator<Item = &'a str>) -> Layout {
        let mut layout = Layout::default();
        let mut names = std::collections::HashSet::new();
        let mut open = false;
        for (n, id) in ids.into_iter().enumerate() {
            let hash = id_hash(id);
            if !open {
                layout.fragments.push((fragment_name(id, &mut names), n));
                open = true;
            }
            let size = n + 1 - layout.fragments.last().map_or(0, |f| f.1);
            if hash % DOCS_PER_FRAGMENT == 0 || size == MAX_DOCS_PER_FRAGMENT {
                open = false;
            }
            layout.docs = n + 1;
        }
        layout
    }

    /// How many fragments there are.
    pub(super) fn len(&self) -> usize {
        self.fragments.len()
    }

    /// The positions of fragment `f`'s documents.
    pub(super) fn range(&self, f: usize) -> std::ops::Range<usize> {
        let start = self.fragments.get(f).map_or(self.docs, |x| x.1);
        let end = self.fragments.get(f + 1).map_or(self.docs, |x| x.1);
        start..end
    }

    /// Fragment `f`'s name, as in `search/docs/<name>.js`.
    pub(super) fn name(&self, f: usize) -> &str {
        self.fragments.get(f).map_or("", |x| x.0.as_str())
    }

    /// The fragment holding the document at position `doc`.
    pub(super) fn fragment_of(&self, doc: usize) -> usize {
        self.fragments
            .partition_point(|x| x.1 <= doc)
            .saturating_sub(1)
    }
}

/// The name of a fragment whose first document has id `id`: the id, or,
/// where a site being served has two documents of one id (an error a build
/// stops at), the id with a suffix for the later one.
fn fragment_name(id: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let mut name = id.to_string();
    let mut suffix = 1;
    while !taken.insert(name.clone()) {
        suffix += 1;
        name = format!("{id}-{suffix}");
    }
    name
}

/// A document's id's hash, what cuts fragments: [`stable_hash`], so that a
/// site's fragments stay the same from one release to the next.
fn id_hash(id: &str) -> u64 {
    crate::hash::stable_hash(id)
}

/// A longer word is not indexed (a hash, a URL run together).
const MAX_TERM_CHARS: usize = 40;

/// Where a word occurs in a document, the best place counting: search ranks
/// title above headings above body.
const BODY: u8 = 0;
const HEADING: u8 = 1;
const TITLE: u8 = 2;
pub(super) const PLACES: u32 = 3;

/// One document as search knows it: its kind, its entry in a fragment
/// (title, page, text as JSON), and its words with the best place each
/// occurs. Made where its page is rendered, in parallel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SearchDoc {
    kind: String,
    entry: String,
    /// The distinct words, lowercased, one space between two.
    words: String,
    /// The best place of each word, in the same order.
    places: Vec<u8>,
}

impl SearchDoc {
    /// `link`'s document, whose body has these headings and text.
    pub(super) fn new(
        link: &DocLink<'_>,
        headings: &str,
        text: &str,
        facts: EntryFacts<'_>,
    ) -> SearchDoc {
        // Each text lowercased once, its words borrowed from that; only the
        // distinct words are copied (a body of 2,000 bytes has about 300
        // words, half of them repeats).
        let texts = [
            (text.to_lowercase(), BODY),
            (headings.to_lowercase(), HEADING),
            (link.title.to_lowercase(), TITLE),
            (link.id.to_lowercase(), TITLE),
            // An owner's name or person id finds what they own, ranked
            // as a heading: above a mention in a body, below a title.
            (facts.owner.unwrap_or_default().to_lowercase(), HEADING),
            (facts.person.unwrap_or_default().to_lowercase(), HEADING),
        ];
        let mut best: HashMap<&str, u8, WordHasher> = HashMap::default();
        for (text, place) in &texts {
            for word in words(text) {
                let seen = best.entry(word).or_insert(*place);
                *seen = (*seen).max(*place);
            }
        }
        // One string of the distinct words, one byte of place each: two
        // allocations a document instead of one a word. Their order is the
        // map's, which changes no output (the index sorts its words).
        let mut joined = String::with_capacity(best.keys().map(|w| w.len() + 1).sum());
        let mut places = Vec::with_capacity(best.len());
        for (word, place) in best {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(word);
            places.push(place);
        }
        SearchDoc {
            kind: link.kind.to_string(),
            // Strings always serialise.
            // Status, quarter and owner go with each result; an empty
            // string when there is none.
            entry: serde_json::to_string(&(
                link.title,
                link.path.0,
                text,
                link.status.unwrap_or_default(),
                facts.quarter.map(|q| q.to_string()).unwrap_or_default(),
                facts.owner.unwrap_or_default(),
            ))
            .unwrap_or_default(),
            words: joined,
            places,
        }
    }

    /// The entry: title, page and text as a fragment holds them.
    pub(super) fn entry(&self) -> &str {
        &self.entry
    }

    /// Each distinct word with the best place it occurs.
    fn words(&self) -> impl Iterator<Item = (&str, u8)> + '_ {
        self.words
            .split(' ')
            .filter(|w| !w.is_empty())
            .zip(self.places.iter().copied())
    }
}

/// What a search result shows of its document besides its title and text,
/// and what more finds it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct EntryFacts<'a> {
    /// `owner:` as written.
    pub owner: Option<&'a str>,
    /// The id of the person `owner:` names, when it names one.
    pub person: Option<&'a str>,
    /// Its quarter, own or inherited.
    pub quarter: Option<crate::date::Quarter>,
}

impl<'a> EntryFacts<'a> {
    /// Document `id`'s.
    pub(super) fn of(model: &Model<'a>, id: crate::graph::DocId) -> EntryFacts<'a> {
        let site = model.site;
        EntryFacts {
            owner: site.docs[id].owner.as_deref(),
            person: site
                .facts
                .people()
                .owner_of(id)
                .map(|p| site.docs[p].id.as_str()),
            quarter: model.quarter_of(id),
        }
    }
}

/// Every word the index has seen, each with a number: documents keep their
/// words as numbers, so `serve` joins 10,000 of them into postings without
/// hashing a word again.
#[derive(Debug, Default)]
pub(super) struct Dictionary {
    ids: HashMap<String, u32, WordHasher>,
    words: Vec<String>,
}

impl Dictionary {
    /// The dictionary that numbers `words` in their order, as a render
    /// cache kept them.
    pub(super) fn of_words(words: Vec<String>) -> Dictionary {
        let ids = words
            .iter()
            .enumerate()
            .map(|(id, word)| (word.clone(), u32::try_from(id).unwrap_or(u32::MAX)))
            .collect();
        Dictionary { ids, words }
    }

    /// The words `docs` use, numbered in the order they first occur, with
    /// the codes of `docs` numbered to match: a cache keeps no word that no
    /// document has any more.
    pub(super) fn compact(&self, docs: &mut [CachedDoc]) -> Vec<String> {
        // By old number, the new one plus one (0: not seen yet).
        let mut renumbered = vec![0u32; self.words.len()];
        let mut words = Vec::new();
        for doc in docs {
            for code in &mut doc.codes {
                let (word, place) = (*code / PLACES, *code % PLACES);
                let Some(slot) = renumbered.get_mut(word as usize) else {
                    continue;
                };
                if *slot == 0 {
                    words.push(self.word(word).to_string());
                    *slot = u32::try_from(words.len()).unwrap_or(u32::MAX / PLACES);
                }
                *code = (*slot - 1).saturating_mul(PLACES).saturating_add(place);
            }
        }
        words
    }

    /// The word numbered `id` (empty for a number it never gave).
    fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).map_or("", String::as_str)
    }

    fn id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        // Fewer than 2^32 / 3 words: a site that large never gets this far.
        let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX / PLACES);
        self.words.push(word.to_string());
        self.ids.insert(word.to_string(), id);
        id
    }
}

/// A [`SearchDoc`] with its words as numbers of a [`Dictionary`]: what
/// `serve` keeps of each document between renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CodedDoc {
    kind: String,
    entry: String,
    /// `word number * PLACES + place`.
    codes: Vec<u32>,
}

impl CodedDoc {
    /// What a render cache keeps of the document `id` with this entry: all
    /// but the entry's text.
    pub(super) fn cached(&self, id: &str) -> CachedDoc {
        CachedDoc {
            id: id.to_string(),
            kind: self.kind.clone(),
            entry_hash: crate::hash::hash_of(&self.entry),
            codes: self.codes.clone(),
        }
    }

    /// `doc`, its words numbered in `dictionary`.
    pub(super) fn new(doc: SearchDoc, dictionary: &mut Dictionary) -> CodedDoc {
        let codes = doc
            .words()
            .map(|(word, place)| {
                dictionary
                    .id(word)
                    .saturating_mul(PLACES)
                    .saturating_add(u32::from(place))
            })
            .collect();
        CodedDoc {
            kind: doc.kind,
            entry: doc.entry,
            codes,
        }
    }
}

/// The words of a lowercased `text` as search matches them: runs of
/// letters and digits (`search.js` lowercases a query and splits it the
/// same way).
fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| {
        !w.is_empty() && (w.len() <= MAX_TERM_CHARS || w.chars().count() <= MAX_TERM_CHARS)
    })
}

/// The hasher of the words' maps: foldhash with a fixed seed, which reads
/// a word eight bytes at a time (FNV-1a, before, took a multiply a byte, and
/// hashing words was 3% of a cold build). The standard hasher's protection
/// against chosen keys buys nothing in a build of one's own site.
type WordHasher = foldhash::fast::FixedState;

/// The shard a word is in: its first two characters.
fn shard_key(word: &str) -> &str {
    let end = word.char_indices().nth(2).map_or(word.len(), |(at, _)| at);
    &word[..end]
}

/// A shard key as a file name: ASCII letters and digits as they are, any
/// other character as `_` and its code point in hex (`search.js` agrees).
fn shard_file(key: &str) -> String {
    let mut name = String::new();
    for c in key.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else {
            name.push_str(&format!("_{:x}", u32::from(c)));
        }
    }
    name
}

/// The kinds documents of the site have, as (name, label), sorted by label:
/// the options of the search page's kind filter.
pub(super) fn kinds<'a>(model: &Model<'a>) -> Vec<(&'a str, &'a str)> {
    let mut kinds: Vec<(&str, &str)> = model.links.iter().map(|l| (l.kind, l.kind_label)).collect();
    kinds.sort_unstable_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)));
    kinds.dedup();
    kinds
}

/// A kind as a filter offers it.
#[derive(Debug, Clone, serde::Serialize)]
pub(super) struct KindName<'a> {
    /// The kind's name (the filter's value).
    pub name: &'a str,
    /// Its label.
    pub label: &'a str,
}

/// Writes the index from documents given in order.
pub(super) struct IndexWriter {
    kinds: Vec<String>,
    /// Each document's kind, as an index into `kinds`.
    doc_kinds: Vec<usize>,
    /// By word number: `document * PLACES + place`, ascending.
    postings: Vec<Vec<u32>>,
    /// The documents of the fragment being filled, as JSON.
    fragment: Vec<String>,
    /// How the documents are cut into fragments.
    layout: Layout,
    /// The fragment being filled.
    filling: usize,
}

impl IndexWriter {
    /// An empty index for a site with these kinds (from [`kinds`]) and
    /// documents cut into fragments as `layout` says.
    pub(super) fn new(kinds: &[(&str, &str)], layout: Layout) -> IndexWriter {
        IndexWriter {
            kinds: kinds.iter().map(|(name, _)| name.to_string()).collect(),
            doc_kinds: Vec::new(),
            postings: Vec::new(),
            fragment: Vec::new(),
            layout,
            filling: 0,
        }
    }

    /// How the documents are cut into fragments.
    pub(super) fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Adds the next document; returns its fragment's file once it is full.
    pub(super) fn push(&mut self, doc: &CodedDoc) -> Option<OutputFile> {
        self.push_words(&doc.kind, &doc.codes);
        self.fragment.push(doc.entry.clone());
        let full = self.filling < self.layout.len()
            && self.doc_kinds.len() >= self.layout.range(self.filling).end;
        full.then(|| self.fragment_file())
    }

    /// Adds the next document's kind and words, but no fragment entry: for
    /// a build whose fragments are made apart ([`fragment_js`]).
    pub(super) fn push_words(&mut self, kind: &str, codes: &[u32]) {
        let n = self.doc_kinds.len();
        let kind = self.kinds.iter().position(|k| k == kind).unwrap_or(0);
        self.doc_kinds.push(kind);
        // At most 2^32 / 3 documents; a site that large never gets this far.
        let base = u32::try_from(n)
            .unwrap_or(u32::MAX / PLACES)
            .saturating_mul(PLACES);
        for &code in codes {
            let (word, place) = ((code / PLACES) as usize, code % PLACES);
            if word >= self.postings.len() {
                self.postings.resize_with(word + 1, Vec::new);
            }
            self.postings[word].push(base.saturating_add(place));
        }
    }

    /// The fragment filled so far, as a file; the next one starts empty.
    fn fragment_file(&mut self) -> OutputFile {
        let name = self.layout.name(self.filling);
        let file = fragment_js(name, self.fragment.iter().map(String::as_str));
        self.fragment.clear();
        self.filling += 1;
        file
    }

    /// The last fragment, the term shards and the manifest; `dictionary`
    /// names the words of the documents pushed.
    pub(super) fn finish(self, dictionary: &Dictionary) -> Vec<OutputFile> {
        self.finish_keeping(dictionary, Vec::new()).0
    }

    /// [`IndexWriter::finish`], also handing back what was written as a
    /// [`LiveIndex`] of the documents `ids`.
    fn finish_keeping(
        mut self,
        dictionary: &Dictionary,
        ids: Vec<String>,
    ) -> (Vec<OutputFile>, LiveIndex) {
        let mut files = Vec::new();
        if !self.fragment.is_empty() && self.filling < self.layout.len() {
            files.push(self.fragment_file());
        }
        let shards = group_shards(&self.postings, dictionary);
        for (key, words) in &shards {
            files.push(shard_js(key, words, &self.postings, dictionary));
        }
        files.push(manifest_js(
            &self.kinds,
            &self.doc_kinds,
            &shards,
            &self.layout,
        ));
        let live = LiveIndex {
            ids,
            layout: self.layout,
            kinds: self.kinds,
            doc_kinds: self.doc_kinds,
            postings: self.postings,
            shards,
        };
        (files, live)
    }
}

/// The words some document has, by shard key, each shard's words sorted.
type Shards = BTreeMap<String, Vec<u32>>;

fn group_shards(postings: &[Vec<u32>], dictionary: &Dictionary) -> Shards {
    let mut shards = Shards::new();
    for (id, p) in postings.iter().enumerate() {
        if let (false, Some(word)) = (p.is_empty(), dictionary.words.get(id)) {
            // Word numbers are below 2^32: the dictionary numbers them so.
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            shards
                .entry(shard_key(word).to_string())
                .or_default()
                .push(id);
        }
    }
    for words in shards.values_mut() {
        words.sort_unstable_by(|a, b| dictionary.word(*a).cmp(dictionary.word(*b)));
    }
    shards
}

/// What a fragment's file is made from, as a key for the render
/// cache: its documents' ids and the hashes of their entries.
pub(super) fn fragment_key(docs: &[CachedDoc]) -> u64 {
    crate::hash::hash_of(
        &docs
            .iter()
            .map(|d| (&d.id, d.entry_hash))
            .collect::<Vec<_>>(),
    )
}

/// `search/docs/<name>.js`: the entries of the documents of fragment `name`.
pub(super) fn fragment_js<'a>(
    name: &str,
    entries: impl Iterator<Item = &'a str> + Clone,
) -> OutputFile {
    let size: usize = entries.clone().map(|e| e.len() + 1).sum();
    let mut js = String::with_capacity(size + 48);
    js.push_str("THROUGHLINE_SEARCH.docs(");
    js.push_str(&json(name));
    js.push_str(",[");
    for (i, entry) in entries.enumerate() {
        if i > 0 {
            js.push(',');
        }
        js.push_str(entry);
    }
    js.push_str("]);\n");
    OutputFile::text(fragment_path(name), js)
}

/// Where fragment `name` is written.
pub(super) fn fragment_path(name: &str) -> String {
    format!("{SEARCH_PREFIX}docs/{name}.js")
}

fn shard_path(key: &str) -> String {
    format!("{SEARCH_PREFIX}terms/{}.js", shard_file(key))
}

const MANIFEST_PATH: &str = "search/manifest.js";

/// `search/terms/<key>.js`: `words` (sorted) with their postings as deltas.
fn shard_js(
    key: &str,
    words: &[u32],
    postings: &[Vec<u32>],
    dictionary: &Dictionary,
) -> OutputFile {
    let mut js = String::from("THROUGHLINE_SEARCH.terms(");
    js.push_str(&json(key));
    js.push_str(",{");
    for (i, &word) in words.iter().enumerate() {
        if i > 0 {
            js.push(',');
        }
        js.push_str(&json(dictionary.word(word)));
        js.push_str(":[");
        let mut last = 0;
        let postings = postings.get(word as usize).map_or(&[][..], Vec::as_slice);
        for (j, &p) in postings.iter().enumerate() {
            if j > 0 {
                js.push(',');
            }
            push_number(&mut js, (p - last) as usize);
            last = p;
        }
        js.push(']');
    }
    js.push_str("});\n");
    OutputFile::text(shard_path(key), js)
}

/// `search/manifest.js`: the kinds, each document's kind, the shard keys,
/// and the fragments: their names and how many documents each holds.
fn manifest_js(
    kinds: &[String],
    doc_kinds: &[usize],
    shards: &Shards,
    layout: &Layout,
) -> OutputFile {
    let keys: Vec<&str> = shards.keys().map(String::as_str).collect();
    let names: Vec<&str> = (0..layout.len()).map(|f| layout.name(f)).collect();
    let sizes: Vec<usize> = (0..layout.len()).map(|f| layout.range(f).len()).collect();
    let manifest = serde_json::json!({
        "kinds": kinds,
        "kind": doc_kinds,
        "shards": keys,
        "fragments": names,
        "sizes": sizes,
    });
    OutputFile::text(
        MANIFEST_PATH.to_string(),
        format!("THROUGHLINE_SEARCH.manifest({manifest});\n"),
    )
}

/// The index as `serve` last wrote it, so that an edit rewrites only the
/// files it changes: the fragment holding an edited document, the shards
/// of the words it gained or lost, and the manifest when a kind or the
/// list of shards changed. At 10,000 documents the index is about 1,400
/// files, and writing them all was three quarters of a body edit's work.
#[derive(Debug)]
pub(super) struct LiveIndex {
    /// The documents' ids, in the order of the index.
    ids: Vec<String>,
    /// How they are cut into fragments.
    layout: Layout,
    kinds: Vec<String>,
    doc_kinds: Vec<usize>,
    postings: Vec<Vec<u32>>,
    shards: Shards,
}

/// What [`LiveIndex::update`] wrote, and the index's files it left as they were.
#[derive(Debug, Default)]
pub(super) struct IndexUpdate {
    /// The files whose contents changed.
    pub written: Vec<OutputFile>,
    /// The paths of the others, still part of the index.
    pub unchanged: Vec<String>,
}

impl LiveIndex {
    /// The whole index of `docs` (ids and entries, in order), with the state
    /// to update it from.
    pub(super) fn write<'a>(
        kinds: &[(&str, &str)],
        docs: impl Iterator<Item = (&'a str, &'a CodedDoc)>,
        dictionary: &Dictionary,
    ) -> (LiveIndex, Vec<OutputFile>) {
        let docs: Vec<(&str, &CodedDoc)> = docs.collect();
        let layout = Layout::of(docs.iter().map(|(id, _)| *id));
        let mut writer = IndexWriter::new(kinds, layout);
        let mut files = Vec::new();
        let mut ids = Vec::new();
        for (id, doc) in docs {
            ids.push(id.to_string());
            files.extend(writer.push(doc));
        }
        let (rest, live) = writer.finish_keeping(dictionary, ids);
        files.extend(rest);
        (live, files)
    }

    /// Whether the index is of these documents, in this order, with these
    /// kinds: only then can [`LiveIndex::update`] bring it up to date.
    pub(super) fn fits<'a>(
        &self,
        kinds: &[(&str, &str)],
        mut ids: impl ExactSizeIterator<Item = &'a str>,
    ) -> bool {
        self.kinds.len() == kinds.len()
            && self.kinds.iter().zip(kinds).all(|(a, (b, _))| a == b)
            && ids.len() == self.ids.len()
            && self.ids.iter().all(|id| ids.next() == Some(id.as_str()))
    }

    /// Brings the index up to date after the documents at `changed` (their
    /// position in the index, and their entry before) were given a new
    /// entry; `entry_at` gives each document's entry now.
    pub(super) fn update<'a>(
        &mut self,
        changed: &[(usize, CodedDoc)],
        entry_at: impl Fn(usize) -> Option<&'a CodedDoc>,
        dictionary: &Dictionary,
    ) -> IndexUpdate {
        let mut fragments = BTreeSet::new();
        let mut words = BTreeSet::new();
        let mut manifest = false;
        for (n, before) in changed {
            let Some(now) = entry_at(*n) else { continue };
            if before.entry != now.entry {
                fragments.insert(self.layout.fragment_of(*n));
            }
            if before.kind != now.kind {
                let kind = self.kinds.iter().position(|k| *k == now.kind).unwrap_or(0);
                if let Some(slot) = self.doc_kinds.get_mut(*n) {
                    manifest |= *slot != kind;
                    *slot = kind;
                }
            }
            if before.codes == now.codes {
                continue;
            }
            let base = u32::try_from(*n)
                .unwrap_or(u32::MAX / PLACES)
                .saturating_mul(PLACES);
            // Only the codes gained or lost: a sentence added to a body
            // rewrites the shards of its new words, not of every word.
            let (lost, gained) = difference(&before.codes, &now.codes);
            for &code in &lost {
                let (word, place) = ((code / PLACES) as usize, code % PLACES);
                if let Some(p) = self.postings.get_mut(word) {
                    if let Ok(at) = p.binary_search(&base.saturating_add(place)) {
                        p.remove(at);
                    }
                }
                words.insert(code / PLACES);
            }
            for &code in &gained {
                let (word, place) = ((code / PLACES) as usize, code % PLACES);
                if word >= self.postings.len() {
                    self.postings.resize_with(word + 1, Vec::new);
                }
                let p = &mut self.postings[word];
                if let Err(at) = p.binary_search(&base.saturating_add(place)) {
                    p.insert(at, base.saturating_add(place));
                }
                words.insert(code / PLACES);
            }
        }
        // Each word gained or lost goes into or out of its shard, which is written again.
        let mut keys = BTreeSet::new();
        for &word in &words {
            let text = dictionary.word(word);
            let key = shard_key(text);
            let present = self
                .postings
                .get(word as usize)
                .is_some_and(|p| !p.is_empty());
            // A shard coming or going changes the manifest's list.
            let existed = self.shards.contains_key(key);
            manifest |= present && !existed;
            let shard = self.shards.entry(key.to_string()).or_default();
            let at = shard.binary_search_by(|w| dictionary.word(*w).cmp(text));
            match (present, at) {
                (true, Err(at)) => shard.insert(at, word),
                (false, Ok(at)) => {
                    shard.remove(at);
                }
                _ => {}
            }
            if shard.is_empty() {
                self.shards.remove(key);
                manifest |= existed;
            }
            keys.insert(key.to_string());
        }
        let mut update = IndexUpdate::default();
        for &f in &fragments {
            let entries: Vec<&str> = self
                .layout
                .range(f)
                .filter_map(|n| entry_at(n).map(|d| d.entry.as_str()))
                .collect();
            update
                .written
                .push(fragment_js(self.layout.name(f), entries.iter().copied()));
        }
        for key in &keys {
            if let Some(words) = self.shards.get(key) {
                update
                    .written
                    .push(shard_js(key, words, &self.postings, dictionary));
            }
        }
        if manifest {
            update.written.push(manifest_js(
                &self.kinds,
                &self.doc_kinds,
                &self.shards,
                &self.layout,
            ));
        } else {
            update.unchanged.push(MANIFEST_PATH.to_string());
        }
        update.unchanged.extend(
            (0..self.layout.len())
                .filter(|f| !fragments.contains(f))
                .map(|f| fragment_path(self.layout.name(f))),
        );
        update.unchanged.extend(
            self.shards
                .keys()
                .filter(|k| !keys.contains(*k))
                .map(|k| shard_path(k)),
        );
        update
    }
}

/// The codes only `before` has, and those only `now` has.
fn difference(before: &[u32], now: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let sorted = |codes: &[u32]| {
        let mut codes = codes.to_vec();
        codes.sort_unstable();
        codes
    };
    let (before, now) = (sorted(before), sorted(now));
    let lost = before
        .iter()
        .filter(|c| now.binary_search(c).is_err())
        .copied()
        .collect();
    let gained = now
        .iter()
        .filter(|c| before.binary_search(c).is_err())
        .copied()
        .collect();
    (lost, gained)
}

/// Writes `n` in decimal: the shards are mostly numbers, a million and more
/// of them at 10,000 documents, and `serve` writes them on every edit.
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        // `n % 10` is a digit.
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// `s` as a JSON string.
fn json(s: &str) -> String {
    // A string always serialises.
    serde_json::to_string(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::view::DocPath;

    fn doc(id: &str, title: &str, kind: &str, headings: &str, text: &str) -> SearchDoc {
        let link = DocLink {
            id,
            title,
            kind,
            kind_label: kind,
            status: None,
            path: DocPath(id),
            warnings: 0,
            url: None,
        };
        SearchDoc::new(&link, headings, text, EntryFacts::default())
    }

    fn text_of<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
        let file = files.iter().find(|f| f.path == path);
        std::str::from_utf8(&file.unwrap_or_else(|| panic!("no {path}")).bytes).unwrap()
    }

    #[test]
    fn an_owner_finds_what_they_own_and_each_entry_carries_its_status_quarter_and_owner() {
        let link = DocLink {
            id: "bet-a",
            title: "Cash forecast",
            kind: "bet",
            kind_label: "Bet",
            status: Some("in-progress"),
            path: DocPath("bet-a"),
            warnings: 0,
            url: None,
        };
        let facts = EntryFacts {
            owner: Some("Priya Raman"),
            person: Some("priya-raman"),
            quarter: crate::date::Quarter::parse("2026-Q4"),
        };
        let doc = SearchDoc::new(&link, "", "Body text.", facts);
        let words: Vec<(&str, u8)> = doc.words().collect();
        for word in ["priya", "raman"] {
            assert!(words.contains(&(word, HEADING)), "{words:?}");
        }
        assert_eq!(
            doc.entry(),
            r#"["Cash forecast","bet-a","Body text.","in-progress","2026-Q4","Priya Raman"]"#
        );
    }

    #[test]
    fn words_are_lowercased_runs_of_letters_and_digits_each_at_its_best_place() {
        let d = doc(
            "bet-a",
            "Merchant payouts",
            "bet",
            "Why Now",
            "Payouts, now! Café crème see-which",
        );
        let find = |w: &str| d.words().find(|(t, _)| *t == w).map(|(_, p)| p);
        assert_eq!(find("payouts"), Some(TITLE));
        assert_eq!(
            find("bet"),
            Some(TITLE),
            "the id's words count as the title's"
        );
        assert_eq!(find("now"), Some(HEADING));
        assert_eq!(find("café"), Some(BODY));
        assert_eq!(find("see"), Some(BODY));
        assert_eq!(find("which"), Some(BODY));
        assert_eq!(shard_key("café"), "ca");
        assert_eq!(shard_key("éa"), "éa");
        assert_eq!(shard_key("x"), "x");
        assert_eq!(shard_file("éa"), "_e9a");
        let mut n = String::new();
        for x in [0, 7, 10, 4_294_967_295] {
            push_number(&mut n, x);
            n.push(' ');
        }
        assert_eq!(n, "0 7 10 4294967295 ");
    }

    #[test]
    fn the_index_is_a_manifest_term_shards_and_fragments_of_documents() {
        let kinds = [("bet", "Bet"), ("outcome", "Outcome")];
        let ids: Vec<String> = (0..10).map(|i| format!("d{i}")).collect();
        let layout = Layout::of(ids.iter().map(String::as_str));
        let mut writer = IndexWriter::new(&kinds, layout.clone());
        let mut dictionary = Dictionary::default();
        let mut files = Vec::new();
        for i in 0..10 {
            let kind = if i % 2 == 0 { "bet" } else { "outcome" };
            let text = if i == 3 { "merchant me" } else { "metric" };
            let d = CodedDoc::new(
                doc(&format!("d{i}"), "Title", kind, "", text),
                &mut dictionary,
            );
            files.extend(writer.push(&d));
        }
        assert_eq!(
            (layout.len(), files.len()),
            (2, 2),
            "d3's id cuts the ten into two fragments, each written as soon as its last document is in"
        );
        files.extend(writer.finish(&dictionary));
        let first = text_of(&files, &fragment_path(layout.name(0)));
        let start = format!(
            "THROUGHLINE_SEARCH.docs(\"{}\",[[\"Title\",\"d0\",\"metric\",\"\",\"\",\"\"],",
            layout.name(0)
        );
        assert!(first.starts_with(&start), "{first}");
        let last = layout.len() - 1;
        assert!(text_of(&files, &fragment_path(layout.name(last))).contains("\"d9\""));
        assert_eq!(layout.range(last).end, 10);
        let me = text_of(&files, "search/terms/me.js");
        // Document 3's body: 3 * 3 + 0; metric in every other one, deltas of 3.
        assert!(me.contains("\"me\":[9]"), "{me}");
        assert!(me.contains("\"merchant\":[9]"), "{me}");
        assert!(me.contains("\"metric\":[0,3,3,6,3,3,3,3,3]"), "{me}");
        let manifest = text_of(&files, "search/manifest.js");
        assert!(
            manifest.contains("\"kind\":[0,1,0,1,0,1,0,1,0,1]"),
            "{manifest}"
        );
        assert!(manifest.contains("\"shards\":[\"d0\""), "{manifest}");
        let sizes: Vec<String> = (0..layout.len())
            .map(|f| layout.range(f).len().to_string())
            .collect();
        assert!(
            manifest.contains(&format!("\"sizes\":[{}]", sizes.join(","))),
            "{manifest}"
        );
        assert!(
            manifest.contains(&format!("\"fragments\":[\"{}\"", layout.name(0))),
            "{manifest}"
        );
    }

    fn numbered(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("work-{i}")).collect()
    }

    #[test]
    fn fragments_hold_eight_documents_on_average_and_at_most_thirty_two() {
        let ids = numbered(10_000);
        let layout = Layout::of(ids.iter().map(String::as_str));
        let sizes: Vec<usize> = (0..layout.len()).map(|f| layout.range(f).len()).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 10_000);
        assert!(sizes
            .iter()
            .all(|&s| (1..=MAX_DOCS_PER_FRAGMENT).contains(&s)));
        assert!(
            (1_000..1_600).contains(&layout.len()),
            "{} fragments",
            layout.len()
        );
        let names: std::collections::HashSet<&str> =
            (0..layout.len()).map(|f| layout.name(f)).collect();
        assert_eq!(names.len(), layout.len(), "names are unique");
        for doc in [0, 1, 4_999, 9_999] {
            assert!(layout.range(layout.fragment_of(doc)).contains(&doc));
        }
        // A fragment is named by its first document's id.
        assert_eq!(layout.name(0), "work-0");
        let second = layout.range(0).end;
        assert_eq!(layout.name(1), format!("work-{second}"));
        assert_eq!(Layout::of(Vec::<&str>::new()).len(), 0);
    }

    #[test]
    fn a_document_added_or_removed_changes_only_the_fragment_it_is_in() {
        let ids = numbered(2_000);
        let fragments = |ids: &[String]| -> std::collections::BTreeSet<(String, Vec<String>)> {
            let layout = Layout::of(ids.iter().map(String::as_str));
            (0..layout.len())
                .map(|f| (layout.name(f).to_string(), ids[layout.range(f)].to_vec()))
                .collect()
        };
        let before = fragments(&ids);
        for at in [0, 7, 1_000, 1_999] {
            let mut added = ids.clone();
            added.insert(at, "new-doc".to_string());
            let mut removed = ids.clone();
            removed.remove(at);
            for after in [fragments(&added), fragments(&removed)] {
                let gone = before.difference(&after).count();
                let new = after.difference(&before).count();
                assert!(
                    gone <= 2 && new <= 2,
                    "at {at}: {gone} fragments gone, {new} new"
                );
            }
        }
    }

    #[test]
    fn a_fragment_name_taken_by_a_duplicate_id_gets_a_suffix() {
        let mut taken = std::collections::HashSet::new();
        assert_eq!(fragment_name("bet-a", &mut taken), "bet-a");
        assert_eq!(fragment_name("bet-a", &mut taken), "bet-a-2");
        assert_eq!(fragment_name("bet-a-2", &mut taken), "bet-a-2-2");
        // The cuts are the ids' own, the same in every release: FNV-1a.
        assert_eq!(id_hash("bet-a"), 0x0bbc_995e_a6c0_4186);
    }

    #[test]
    fn a_dictionary_with_words_no_document_has_any_more_writes_the_same_index() {
        let kinds = [("bet", "Bet")];
        let index = |docs: &[(&str, &str)], dictionary: &mut Dictionary| {
            let layout = Layout::of(docs.iter().map(|(id, _)| *id));
            let mut writer = IndexWriter::new(&kinds, layout);
            let mut files = Vec::new();
            for (id, text) in docs {
                files
                    .extend(writer.push(&CodedDoc::new(doc(id, "T", "bet", "", text), dictionary)));
            }
            files.extend(writer.finish(dictionary));
            files
        };
        let mut used = Dictionary::default();
        index(&[("a", "old words gone"), ("b", "zebra")], &mut used);
        let again = index(&[("a", "new text"), ("b", "zebra")], &mut used);
        let fresh = index(
            &[("a", "new text"), ("b", "zebra")],
            &mut Dictionary::default(),
        );
        assert_eq!(again, fresh);
        assert!(!again.iter().any(|f| f.path.ends_with("/go.js")));
    }

    #[test]
    fn an_updated_index_is_the_index_written_afresh() {
        let kinds = [("bet", "Bet"), ("outcome", "Outcome")];
        let mut docs: Vec<(String, String, &str)> = (0..40)
            .map(|i| {
                (
                    format!("d{i}"),
                    format!("common w{i} shared{}", i % 3),
                    "bet",
                )
            })
            .collect();
        let ids: Vec<String> = docs.iter().map(|d| d.0.clone()).collect();
        let mut dictionary = Dictionary::default();
        let mut coded = |docs: &[(String, String, &str)]| -> Vec<CodedDoc> {
            docs.iter()
                .map(|(id, text, kind)| {
                    CodedDoc::new(doc(id, "T", kind, "", text), &mut dictionary)
                })
                .collect()
        };
        let before = coded(&docs);
        // A shard comes (zz), a shard goes (sh: every `sharedN` taken
        // away), a kind changes, a word moves to a document of another
        // fragment.
        docs[1].1 = "common zzz".into();
        for d in docs.iter_mut() {
            d.1 =
                d.1.split(' ')
                    .filter(|w| !w.starts_with("shared"))
                    .collect::<Vec<_>>()
                    .join(" ");
        }
        docs[4].2 = "outcome";
        docs[30].1.push_str(" w2");
        let after = coded(&docs);
        let files = |written: Vec<OutputFile>| -> BTreeMap<String, Vec<u8>> {
            written.into_iter().map(|f| (f.path, f.bytes)).collect()
        };
        let (mut live, first) = LiveIndex::write(
            &kinds,
            ids.iter().map(String::as_str).zip(&before),
            &dictionary,
        );
        let mut served = files(first);
        assert!(served.contains_key("search/terms/sh.js"));
        let changed: Vec<(usize, CodedDoc)> = (0..docs.len())
            .filter(|&n| before[n] != after[n])
            .map(|n| (n, before[n].clone()))
            .collect();
        assert!(live.fits(&kinds, ids.iter().map(String::as_str)));
        let update = live.update(&changed, |n| after.get(n), &dictionary);
        let written = files(update.written);
        for path in &update.unchanged {
            assert!(served.contains_key(path), "{path} was never written");
            assert!(
                !written.contains_key(path),
                "{path} both written and unchanged"
            );
        }
        served.retain(|path, _| update.unchanged.contains(path));
        served.extend(written.clone());
        let (_, fresh) = LiveIndex::write(
            &kinds,
            ids.iter().map(String::as_str).zip(&after),
            &dictionary,
        );
        assert_eq!(served, files(fresh));
        assert!(!served.contains_key("search/terms/sh.js"));
        assert!(written.contains_key("search/manifest.js"));
        assert!(
            !written.contains_key("search/terms/co.js"),
            "a shard whose words kept their documents is not written"
        );
    }
}
