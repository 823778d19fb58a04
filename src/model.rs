//! The typed content model (SPEC §2): what a parsed document is, independent
//! of how it was written. Produced by `source`, read by every later stage.

use serde_json::{Map, Value};

use crate::date::{Cadence, Date, Quarter};
use crate::diagnostics::Span;

/// The methods and `Index` impls of a position in one of the site's lists
/// (a newtype over `usize`), so that `list[id]` reads as before while a
/// position in one list cannot be used in another by mistake.
macro_rules! position_type {
    ($name:ident, $what:literal) => {
        impl $name {
            #[doc = concat!("The ", $what, " at position `index` of its list.")]
            pub const fn new(index: usize) -> $name {
                $name(index)
            }

            /// Its position in its list.
            pub const fn index(self) -> usize {
                self.0
            }

            #[doc = concat!("Every position of a list of `len` ", $what, "s, in order.")]
            pub fn all(
                len: usize,
            ) -> impl DoubleEndedIterator<Item = $name> + ExactSizeIterator + Clone {
                (0..len).map($name)
            }

            #[doc = concat!("Every position of a list of `len` ", $what, "s, in order, for rayon.")]
            pub fn par_all(len: usize) -> impl rayon::iter::IndexedParallelIterator<Item = $name> {
                use rayon::iter::{IntoParallelIterator, ParallelIterator};
                (0..len).into_par_iter().map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl<T> std::ops::Index<$name> for [T] {
            type Output = T;
            fn index(&self, id: $name) -> &T {
                &self[id.0]
            }
        }

        impl<T> std::ops::IndexMut<$name> for [T] {
            fn index_mut(&mut self, id: $name) -> &mut T {
                &mut self[id.0]
            }
        }

        impl<T> std::ops::Index<$name> for Vec<T> {
            type Output = T;
            fn index(&self, id: $name) -> &T {
                &self[id.0]
            }
        }

        impl<T> std::ops::IndexMut<$name> for Vec<T> {
            fn index_mut(&mut self, id: $name) -> &mut T {
                &mut self[id.0]
            }
        }
    };
}
pub(crate) use position_type;

/// Position of a file in the site's list of source files (sorted by path).
/// Not a [`crate::graph::DocId`]: a file whose front matter is no document
/// has a source and no document, so the two lists differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(usize);

position_type!(SourceId, "source file");

/// Ids the site's own pages use (SPEC §9); no document may take them.
pub(crate) const RESERVED_IDS: &[&str] = &[
    "index",
    "trace",
    "health",
    "roadmap",
    "teams",
    "metrics",
    "quarters",
    "search",
    "404",
    "decisions",
    "assets",
    "graph",
    "changes",
    "people",
    "dependencies",
];

/// The longest id, in bytes (UTF-8). Every id names files of the built site,
/// `ID/index.html` and `search/docs/ID.js`, and `new` writes `ID.md` beside
/// the editors' temporary `.ID.md.throughline-…`; file systems cap one name
/// at 255 bytes (eCryptfs at 143). 128 bytes leaves room for every suffix
/// throughline adds, now and later, and is still 128 letters, or about 40
/// in scripts of three bytes a letter: far longer than any id people type.
pub(crate) const MAX_ID_BYTES: usize = 128;

/// Why a text cannot be a document's id. [`check_id`] is the one judge of
/// ids: `check` (and so `build`) reports it on `id:`, and `new`, `review` and
/// the editor's rename refuse what it refuses, so none of them accepts an id
/// that the build cannot write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdError {
    /// Nothing to name the document by.
    Empty,
    /// Not lowercase letters, digits, `-` and `_`, or starts with `-`.
    NotSlug,
    /// The name of one of the site's own pages.
    Reserved,
    /// Longer than [`MAX_ID_BYTES`]; how long it is.
    TooLong(usize),
}

/// Whether `id` can name a document: a slug ([`crate::text::is_slug`]), not
/// a page of the site's own, at most [`MAX_ID_BYTES`] bytes.
pub(crate) fn check_id(id: &str) -> Result<(), IdError> {
    if id.is_empty() {
        Err(IdError::Empty)
    } else if !crate::text::is_slug(id) {
        Err(IdError::NotSlug)
    } else if RESERVED_IDS.contains(&id) {
        Err(IdError::Reserved)
    } else if id.len() > MAX_ID_BYTES {
        Err(IdError::TooLong(id.len()))
    } else {
        Ok(())
    }
}

impl IdError {
    /// What is wrong with `id`, as one sentence without a final stop.
    pub(crate) fn message(&self, id: &str) -> String {
        match self {
            IdError::Empty => "the id is empty".to_string(),
            IdError::NotSlug => format!("`{id}` is not a valid id"),
            IdError::Reserved => format!("`{id}` is reserved for the site's own pages"),
            IdError::TooLong(bytes) => format!(
                "the id `{}` is {bytes} bytes long; ids may be at most {MAX_ID_BYTES} bytes",
                shortened(id)
            ),
        }
    }

    /// What to do about it.
    pub(crate) fn hint(&self, id: &str) -> String {
        match self {
            IdError::Empty => "give the document an id of letters or digits".to_string(),
            IdError::NotSlug => match crate::text::slugify(id) {
                fixed if fixed.is_empty() => {
                    "ids are lowercase letters, digits, `-` and `_`, not starting with `-`"
                        .to_string()
                }
                fixed => format!("ids are lowercase letters, digits and dashes, e.g. `{fixed}`"),
            },
            IdError::Reserved => format!("choose another id; reserved: {}", RESERVED_IDS.join(", ")),
            IdError::TooLong(_) => "choose a shorter id: each id names a folder and files of the built site, and file systems refuse long names".to_string(),
        }
    }
}

/// The start of a long id, for messages: the whole id would bury the point.
fn shortened(id: &str) -> String {
    const SHOWN: usize = 40;
    match id.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &id[..cut]),
        None => id.to_string(),
    }
}

/// A link to another document by id, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    /// The id named.
    pub id: String,
    /// Where the id is written.
    pub span: Span,
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(#[doc = $text] $variant),+
        }

        impl $name {
            /// Every accepted spelling, in order.
            pub const ALL: &'static [&'static str] = &[$($text),+];

            /// Parses the spelling used in front matter.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// The spelling used in front matter.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }
    };
}

vocabulary!(
    /// Lifecycle status.
    Status {
        Proposed = "proposed",
        Discovery = "discovery",
        Committed = "committed",
        InProgress = "in-progress",
        Done = "done",
        Dropped = "dropped",
        Active = "active",
        Archived = "archived",
        Accepted = "accepted",
        Superseded = "superseded",
    }
);

impl Status {
    /// The statuses a document of `kind` is written with: strategies, teams,
    /// metrics and pages are `active` or `archived`; everything else moves
    /// from `proposed` to `done` or `dropped` (or is `archived`). Hints offer
    /// only these, so a bet is not told to try `active`.
    pub fn for_kind(kind: &str) -> &'static [&'static str] {
        match kind {
            "company-strategy" | "product-strategy" | "team" | "metric" | "page" | "person" => {
                &["active", "archived"]
            }
            "bet" | "objective" | "work" | "outcome" | "opportunity" | "solution"
            | "experiment" | "review" => &[
                "proposed",
                "discovery",
                "committed",
                "in-progress",
                "done",
                "dropped",
                "archived",
            ],
            "decision" => &["proposed", "accepted", "superseded"],
            _ => Status::ALL,
        }
    }

    /// Finished or retired: such documents are never stale.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Status::Done | Status::Dropped | Status::Archived | Status::Superseded
        )
    }

    /// Resources are committed: `committed` or `in-progress`.
    pub fn is_active_bet(self) -> bool {
        matches!(self, Status::Committed | Status::InProgress)
    }
}

vocabulary!(
    /// Bet size.
    Size { Big = "big", Medium = "medium", Small = "small" }
);

vocabulary!(
    /// Shreyas Doshi's LNO classification.
    Lno { Leverage = "leverage", Neutral = "neutral", Overhead = "overhead" }
);

vocabulary!(
    /// A confidence level.
    Level { Low = "low", Medium = "medium", High = "high" }
);

vocabulary!(
    /// Who may approve a bet.
    ApprovalLevel { Team = "team", Product = "product", Executive = "executive" }
);

vocabulary!(
    /// Where a metric sits in the input → impact chain.
    MetricType { Input = "input", Output = "output", Outcome = "outcome", Impact = "impact" }
);

vocabulary!(
    /// Where a work item came from: the plan, or something that interrupted it.
    WorkSource {
        Planned = "planned",
        StakeholderRequest = "stakeholder-request",
        Incident = "incident",
        Unplanned = "unplanned",
    }
);

vocabulary!(
    /// Whether a metric predicts or reports.
    Indicator { Leading = "leading", Lagging = "lagging" }
);

vocabulary!(
    /// Which way is better for a metric.
    Direction { Up = "up", Down = "down" }
);

vocabulary!(
    /// What an experiment found.
    ExperimentResult { Validated = "validated", Invalidated = "invalidated", Inconclusive = "inconclusive" }
);

/// One DHM dimension's score, 1–5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhmScore {
    /// 1 to 5.
    pub score: u8,
    /// Why, if given.
    pub note: Option<String>,
}

/// Gibson Biddle's DHM evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dhm {
    /// Delights customers.
    pub delight: Option<DhmScore>,
    /// Hard to copy.
    pub hard_to_copy: Option<DhmScore>,
    /// Margin enhancing.
    pub margin: Option<DhmScore>,
}

/// The confidence meter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confidence {
    /// Is the problem real?
    pub problem: Option<Level>,
    /// Does the solution solve it?
    pub solution: Option<Level>,
    /// Will solving it move the strategic goal?
    pub outcome: Option<Level>,
}

/// One entry of a bet's `confidence_log:`: the levels on a day, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfidenceEntry {
    /// When the levels were set.
    pub date: Date,
    /// The levels then; a level not written is unchanged.
    pub levels: Confidence,
    /// What moved it (`note:`).
    pub note: Option<String>,
    /// Where the evidence is (`evidence:`): an experiment's id, a link, a sentence.
    pub evidence: Option<String>,
}

/// A metric named by id (a link) or described in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricRef {
    /// An id-shaped value: a link to a metric document.
    Id(Ref),
    /// Free text.
    Text(String),
}

/// A bet's strategic instrumentation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Success {
    /// The outcome sought.
    pub outcome: Option<String>,
    /// How it is measured.
    pub metric: Option<MetricRef>,
    /// Where the metric is today.
    pub baseline: Option<f64>,
    /// Where it must get to.
    pub target: Option<f64>,
    /// By when.
    pub deadline: Option<Date>,
}

/// One key result of an objective.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyResult {
    /// The metric.
    pub metric: Option<MetricRef>,
    /// Where it is today.
    pub baseline: Option<f64>,
    /// Where it must get to.
    pub target: Option<f64>,
    /// By when.
    pub by: Option<Date>,
}

/// Decision rights for a bet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approval {
    /// The level that decides.
    pub level: Option<ApprovalLevel>,
    /// Who approved.
    pub approver: Option<String>,
}

/// One entry of `depends_on:`: a document this one waits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The document waited on.
    pub target: Ref,
    /// When it is needed (`needed_by:`), if said.
    pub needed_by: Option<Date>,
    /// Why, or what exactly is needed.
    pub note: Option<String>,
}

/// One measured value of a metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkin {
    /// When it was measured.
    pub date: Date,
    /// The value.
    pub value: f64,
    /// Why it moved, or what was learned (`note:`).
    pub note: Option<String>,
}

/// A check-in's date and value without its note: what the analysis of
/// pace and trend reads, small enough to copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// When it was measured.
    pub date: Date,
    /// The value.
    pub value: f64,
}

impl Checkin {
    /// Its date and value.
    pub fn point(&self) -> Point {
        Point {
            date: self.date,
            value: self.value,
        }
    }
}

/// A parsed document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Unique id.
    pub id: String,
    /// Where `id:` is written, if it is explicit.
    pub id_span: Option<Span>,
    /// Its file's position in the site's file list.
    pub source: SourceId,
    /// The file, relative to the root.
    pub file: String,
    /// The kind name (`page` when none is given).
    pub kind: String,
    /// Where `kind:` is written.
    pub kind_span: Option<Span>,
    /// The title.
    pub title: String,
    /// The front matter is unreadable or names an unknown kind: only the id is
    /// trusted, and later stages check nothing more about this document.
    pub invalid: bool,
    /// The upward traceability link.
    pub parent: Option<Ref>,
    /// Further upward links.
    pub supports: Vec<Ref>,
    /// Sideways links.
    pub related: Vec<Ref>,
    /// The executing team.
    pub team: Option<Ref>,
    /// Documents a review went over.
    pub covers: Vec<Ref>,
    /// The accountable person: free text, or a person's id, name or handle.
    pub owner: Option<String>,
    /// Where the value of `owner:` is written.
    pub owner_span: Option<Span>,
    /// What this document waits on (`depends_on:`).
    pub depends_on: Vec<Dependency>,
    /// A person's other names: logins, emails (`handles:`).
    pub handles: Vec<String>,
    /// A person's role.
    pub role: Option<String>,
    /// Who took part in a review (`participants:`).
    pub participants: Vec<String>,
    /// Lifecycle status.
    pub status: Option<Status>,
    /// Planning period.
    pub quarter: Option<Quarter>,
    /// Last confirmed as still true.
    pub reviewed: Option<Date>,
    /// What it was reviewed against (`reviewed_against:`): the fingerprint
    /// each depended-on document had then, written by `throughline review`.
    pub reviewed_against: Vec<ReviewStamp>,
    /// Last material change (defaults to `reviewed` where used).
    pub updated: Option<Date>,
    /// Overrides the kind's cadence.
    pub review_every: Option<Cadence>,
    /// Free tags.
    pub tags: Vec<String>,
    /// Excluded from builds unless `--drafts`.
    pub draft: bool,
    /// Bet size.
    pub size: Option<Size>,
    /// DHM evaluation.
    pub dhm: Option<Dhm>,
    /// Confidence meter.
    pub confidence: Option<Confidence>,
    /// LNO classification.
    pub lno: Option<Lno>,
    /// Where a work item came from (`source:`); `None` reads as planned.
    pub work_source: Option<WorkSource>,
    /// Success criteria.
    pub success: Option<Success>,
    /// Key results.
    pub key_results: Vec<KeyResult>,
    /// Decision rights.
    pub approval: Option<Approval>,
    /// Metric type.
    pub metric_type: Option<MetricType>,
    /// Leading or lagging.
    pub indicator: Option<Indicator>,
    /// Display unit.
    pub unit: Option<String>,
    /// Which way is better.
    pub direction: Option<Direction>,
    /// Measured series, sorted by date.
    pub checkins: Vec<Checkin>,
    /// The metrics this metric drives (`drives:`), each of a later type.
    pub drives: Vec<Ref>,
    /// What an experiment tests.
    pub assumption: Option<String>,
    /// What an experiment found.
    pub result: Option<ExperimentResult>,
    /// When an experiment's result was known (`concluded:`).
    pub concluded: Option<Date>,
    /// What teams below must not reinterpret (`fixed:`), inherited down the trail.
    pub fixed: Vec<String>,
    /// What is left to the teams below (`open:`), for this level only.
    pub open: Vec<String>,
    /// Limits the choice was made within (`constraints:`), inherited down the trail.
    pub constraints: Vec<String>,
    /// What a decision shapes (`decides:`).
    pub decides: Vec<Ref>,
    /// The decision that replaced this one (`superseded_by:`).
    pub superseded_by: Option<Ref>,
    /// The options a decision weighed (`options:`).
    pub options: Vec<String>,
    /// What a decision gave up for what (`tradeoffs:`).
    pub tradeoffs: Vec<String>,
    /// Confidence over time (`confidence_log:`), sorted by date.
    pub confidence_log: Vec<ConfidenceEntry>,
    /// When a review took place.
    pub date: Option<Date>,
    /// Fields throughline does not know, for templates.
    pub extra: Map<String, Value>,
    /// Links, headings and other facts read from the body.
    pub body: BodyFacts,
    /// Byte offset of the body in the source text.
    pub body_offset: usize,
    /// Tracker keys, epics, milestones and projects whose items serve this
    /// document (`tracks:`), as written.
    pub tracks: Vec<Ref>,
    /// Where a work item from a tracker's export came from; `None` for a
    /// document. Such an item has no source file (`source` is
    /// [`NO_SOURCE`]) and no page.
    pub tracker: Option<Box<TrackerOrigin>>,
}

/// The `source` of a work item read from a tracker's export: it has no
/// Markdown file of its own.
pub(crate) const NO_SOURCE: SourceId = SourceId::new(usize::MAX);

/// What a work item from a tracker's export keeps of its issue.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackerOrigin {
    /// The tracker's key as it shows it (`PAY-42`, `acme/app#123`).
    pub key: String,
    /// The tracker's page for it (http or https only).
    pub url: Option<String>,
    /// Its estimate, where the export has one.
    pub estimate: Option<f64>,
    /// When it was resolved, else created.
    pub date: Option<Date>,
    /// Whether it names anything at all (a label, an `[[id]]`, or a `tracks:`
    /// owner): an item naming a missing id is untraced, and its broken link
    /// is reported at its place in the export.
    pub names_something: bool,
}

impl Document {
    /// When this document last changed, as its children see it: `updated`, else `reviewed`.
    pub fn changed_on(&self) -> Option<Date> {
        self.updated.or(self.reviewed)
    }

    /// The metric links of `success` and `key_results`.
    pub fn metric_refs(&self) -> impl Iterator<Item = &Ref> {
        let success = self.success.as_ref().and_then(|s| s.metric.as_ref());
        let krs = self.key_results.iter().filter_map(|k| k.metric.as_ref());
        success.into_iter().chain(krs).filter_map(|m| match m {
            MetricRef::Id(r) => Some(r),
            MetricRef::Text(_) => None,
        })
    }
}

/// What a body link points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyLinkTarget {
    /// `[[id]]`, `[[id|label]]`, `[[id#heading]]`.
    Id {
        /// The id.
        id: String,
        /// The heading anchor, if any.
        heading: Option<String>,
    },
    /// `[text](../bets/x.md#heading)`: a path relative to the root, normalised.
    Path {
        /// The path relative to the site root, or `None` when it climbs out of the root.
        path: Option<String>,
        /// The link as written.
        written: String,
        /// The heading anchor, if any.
        heading: Option<String>,
    },
}

/// A link in a body, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyLink {
    /// What it points at.
    pub target: BodyLinkTarget,
    /// Where it is written in the file.
    pub span: Span,
}

/// Facts read from a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFacts {
    /// Links by id or relative `.md` path.
    pub links: Vec<BodyLink>,
    /// The anchors of every heading, in order.
    pub anchors: Vec<String>,
    /// The text of the first level-1 heading.
    pub first_heading: Option<String>,
    /// Whether the body has a fenced or indented code block.
    pub has_code: bool,
    /// Code blocks with a language that are too large to highlight (see [`crate::source::MAX_HIGHLIGHTED_CODE_BYTES`]).
    pub large_code_blocks: Vec<LargeCodeBlock>,
}

/// A code block the renderer will not highlight because of its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LargeCodeBlock {
    /// Where its opening fence is written.
    pub span: Span,
    /// Its code, in bytes.
    pub bytes: usize,
}

/// One entry of `reviewed_against:`: a document and the fingerprint it had
/// when this one was last reviewed against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewStamp {
    /// The document reviewed against, with where its id is written.
    pub target: Ref,
    /// Its fingerprint then.
    pub stamp: Fingerprint,
}

/// What a document says, hashed (`analysis::fingerprint_of`), as a review
/// stamp holds it: two halves, so a finding can say whether the fields or the
/// body moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The front matter's half.
    pub fields: u32,
    /// The body's half.
    pub body: u32,
}

impl Fingerprint {
    /// Reads a stamp as written (`3f9a0c1e.77ab12cd`).
    pub fn parse(stamp: &str) -> Option<Fingerprint> {
        let (fields, body) = stamp.split_once('.')?;
        let half = |s: &str| {
            (s.len() == 8 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(s, 16).ok())
                .flatten()
        };
        Some(Fingerprint {
            fields: half(fields)?,
            body: half(body)?,
        })
    }

    /// What differs between a stamp and the content now, in words.
    pub fn changes_since(self, stamp: Fingerprint) -> Option<&'static str> {
        match (self.fields != stamp.fields, self.body != stamp.body) {
            (false, false) => None,
            (true, false) => Some("its fields changed"),
            (false, true) => Some("its body changed"),
            (true, true) => Some("its fields and its body changed"),
        }
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:08x}.{:08x}", self.fields, self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_judged_by_shape_reservation_and_length_in_bytes() {
        assert_eq!(check_id("bet-gate_2"), Ok(()));
        assert_eq!(check_id(""), Err(IdError::Empty));
        assert_eq!(check_id("Bet 1"), Err(IdError::NotSlug));
        assert_eq!(check_id("-x"), Err(IdError::NotSlug));
        assert_eq!(check_id("health"), Err(IdError::Reserved));
        let longest = "a".repeat(MAX_ID_BYTES);
        assert_eq!(check_id(&longest), Ok(()));
        assert_eq!(
            check_id(&format!("{longest}b")),
            Err(IdError::TooLong(MAX_ID_BYTES + 1))
        );
        // Bytes, not letters: file systems count bytes. `ü` is two.
        let letters = "ü".repeat(MAX_ID_BYTES / 2 + 1);
        assert_eq!(check_id(&letters), Err(IdError::TooLong(MAX_ID_BYTES + 2)));
    }

    #[test]
    fn the_longest_id_leaves_room_in_every_name_it_makes() {
        // What the build writes per id (render::view::doc_path,
        // render::search's fragments), what `new` writes, and the editors'
        // temporary file beside it, with a 20-digit suffix to spare.
        let id = "a".repeat(MAX_ID_BYTES);
        let names = [
            id.clone(),
            format!("{id}.js"),
            format!("{id}.md"),
            format!(".{id}.md.throughline-{}", u64::MAX),
        ];
        for name in names {
            assert!(name.len() <= 255 - 32, "{} bytes", name.len());
        }
        assert!(crate::render::view::doc_path(&id).starts_with(&format!("{id}/")));
    }

    #[test]
    fn a_long_id_is_shortened_in_its_message() {
        let id = "x".repeat(300);
        let message = IdError::TooLong(300).message(&id);
        assert!(
            message.contains(&format!("`{}…`", "x".repeat(40))),
            "{message}"
        );
        assert!(message.contains("300 bytes"), "{message}");
        assert!(message.len() < 120, "{message}");
    }
}
