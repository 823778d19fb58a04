//! The site's history, read once per `build` (and once per `serve` start):
//! which commits touched each document, and what each commit changed in the
//! strategy (documents added and removed, status transitions, re-parenting,
//! goals, check-ins, reviews), compared with the same front-matter
//! comparison `diff` uses. The pages read these facts; none recomputes them.
//!
//! Three git processes, whatever the size of the site: `git rev-parse`
//! (is this a work tree, is it shallow), one `git log --raw` over
//! the site root for every commit and the files it touched, and one
//! `git cat-file --batch` for every version of every document those
//! commits wrote.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::body::{changed_sections, section_changes, section_hashes, SectionChange};
use super::cache::{self, KeptUse, Stamp};
use super::fields::{front_matter_change, top_field, FrontMatterChange};
use super::revision::{cat_objects_each, read_blobs};
use crate::config::{Config, TrackerConfig};
use crate::date::{days_between, parse_date, Date};
use crate::source::SourceFilter;

/// Whether the history was read, and if not, why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryState {
    /// Not asked for: `check`, `diff` and the editor server do not read it.
    #[default]
    NotRead,
    /// `history: false` in the config.
    Off,
    /// The site root is not inside a git work tree.
    NoRepository,
    /// git could not be run, or failed; its message.
    Unavailable(String),
    /// Read; `shallow` when the clone holds only the newest commits.
    Read {
        /// The clone is shallow: history starts at the oldest commit fetched.
        shallow: bool,
    },
}

impl HistoryState {
    /// A sentence for the pages when there is no history to show, or only
    /// part of it; `None` when the whole history was read.
    pub fn note(&self) -> Option<String> {
        match self {
            HistoryState::NotRead => Some("The history was not read for this view.".into()),
            HistoryState::Off => Some("History is off (`history: false` in throughline.yaml).".into()),
            HistoryState::NoRepository => Some("No history: the site is not in a git repository.".into()),
            HistoryState::Unavailable(why) => Some(format!("No history: {why}.")),
            HistoryState::Read { shallow: true } => Some("This is a shallow clone, so the history starts at the oldest commit fetched and changes before it are not shown; fetch the full history (`fetch-depth: 0` in actions/checkout, `GIT_DEPTH: 0` in GitLab CI).".into()),
            HistoryState::Read { shallow: false } => None,
        }
    }
}

/// One commit that touched the site's documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// The full commit id.
    pub id: String,
    /// Its committer date.
    #[serde(with = "crate::date::as_text")]
    pub date: Date,
    /// Its author's name.
    pub author: String,
    /// The first line of its message.
    pub subject: String,
    /// The oldest commit of a shallow clone: its files are the starting
    /// point, not changes (git shows them all as added).
    pub boundary: bool,
}

impl Commit {
    /// The first seven characters of the id.
    pub fn short(&self) -> &str {
        self.id.get(..7).unwrap_or(&self.id)
    }

    /// The commit's web page, when the config names the repository.
    pub fn url(&self, repo_url: Option<&str>) -> Option<String> {
        repo_url.map(|base| format!("{base}/commit/{}", self.id))
    }
}

/// What one commit changed in one document, at the level of the strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Change {
    /// The document appeared.
    Added {
        /// Its status then.
        status: Option<String>,
    },
    /// The document (its id) is gone.
    Removed,
    /// `status:` changed.
    Status {
        /// Before (`None`: no status).
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// `parent:` changed.
    Parent {
        /// Before.
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// Success criteria or key results changed.
    Goals {
        /// The fields (`success`, `key_results`).
        fields: Vec<String>,
    },
    /// Check-ins were added to a metric.
    Checkins {
        /// How many.
        added: usize,
        /// The newest added, as `date: value`.
        latest: Option<String>,
    },
    /// A judgement changed: `size`, `approval`, `confidence`, `dhm` or an
    /// experiment's `result`, each old and new value in short text.
    Judged {
        /// The field.
        field: String,
        /// Before (`None`: not written).
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// `reviewed:` moved: the document was reviewed.
    Reviewed {
        /// The new review date.
        on: Option<String>,
    },
    /// The id changed, the file staying where it was.
    Renamed {
        /// The id before.
        from: String,
    },
    /// The title changed.
    Title {
        /// Before.
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// `owner:` changed.
    Owner {
        /// Before (`None`: no owner).
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// The body's words changed in these sections (by heading; empty for
    /// the text before the first heading), edited, added or removed.
    Text {
        /// The sections' headings.
        sections: Vec<String>,
        /// The words that changed in the first few of them
        /// ([`MAX_EXCERPTS`]), as `diff` says them ([`section_changes`]);
        /// empty when a version's text was not at hand (a history kept
        /// before excerpts were).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        excerpts: Vec<SectionChange>,
    },
    /// A tracker export's items changed (the event's id is the export's
    /// path): counted, the first few named, those naming a document first.
    Items {
        /// Items new in the export.
        added: usize,
        /// Items gone from it.
        removed: usize,
        /// Items whose state changed.
        status_changed: usize,
        /// The first few of them.
        named: Vec<super::exports::ItemNamed>,
        /// How many more changed.
        more: usize,
    },
    /// `depends_on:` gained or lost ids.
    Dependencies {
        /// Ids it now waits on.
        added: Vec<String>,
        /// Ids it no longer waits on.
        removed: Vec<String>,
    },
}

/// A change, with the commit and document it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Index into [`SiteHistory::commits`].
    pub commit: usize,
    /// The document's id.
    pub id: String,
    /// Its kind as written then.
    pub kind: String,
    /// Its `title:` then, if it had one.
    pub title: Option<String>,
    /// What changed.
    pub change: Change,
    /// The version was a draft (`draft: true`) then: not to be shown
    /// unless the document is in the run.
    pub draft: bool,
}

/// One document's history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocHistory {
    /// The commits that touched it, newest first (indices into [`SiteHistory::commits`]).
    pub commits: Vec<usize>,
    /// Its status in the newest commit that has it.
    status: Option<String>,
    /// When that status was set.
    #[serde(with = "crate::date::as_text::option")]
    status_since: Option<Date>,
    /// Whether `status_since` is the day it was set, or only the oldest
    /// commit of a shallow clone (it was set then or before).
    since_exact: bool,
}

/// How long a document has had its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeInStatus {
    /// The status.
    pub status: String,
    /// The date of the commit that set it.
    pub since: String,
    /// Whole days from then to the build date.
    pub days: i64,
    /// The history is shallow and the status was already set at its oldest
    /// commit: it has been so for at least `days`.
    pub at_least: bool,
}

/// The site's history as the pages show it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SiteHistory {
    /// Whether it was read.
    pub state: HistoryState,
    /// Commits that touched documents, newest first.
    pub commits: Vec<Commit>,
    /// Each document's history, by id.
    #[serde(serialize_with = "sorted")]
    pub docs: HashMap<String, DocHistory>,
    /// Every change, newest first.
    pub events: Vec<Event>,
    /// What became of the history the last read kept.
    #[serde(skip)]
    pub kept: KeptUse,
    /// The indices in `events` of each document's `confidence` changes,
    /// newest first: a page reads its own without walking every event.
    #[serde(skip)]
    pub(crate) confidence_changes: HashMap<String, Vec<usize>>,
}

/// The front-matter fields [`changes`] compares; a version holds no other
/// (less to hold during the walk, and to keep: see [`cache`]).
const COMPARED_FIELDS: [&str; 13] = [
    "status",
    "parent",
    "success",
    "key_results",
    "checkins",
    "reviewed",
    "owner",
    "depends_on",
    "size",
    "approval",
    "confidence",
    "dhm",
    "result",
];

/// The judgements the changes page reports, in the order it reports them:
/// downsizing a bet and dropping its approval must not pass unseen.
const JUDGED_FIELDS: [&str; 5] = ["size", "approval", "confidence", "dhm", "result"];

/// A document's front matter at one commit: its id, kind and title, and
/// the fields the history compares.
#[derive(Debug, Serialize, Deserialize)]
struct Version {
    id: String,
    kind: String,
    title: Option<String>,
    /// `draft: true`.
    draft: bool,
    fields: Map<String, Value>,
    /// The body's sections: each heading and a hash of its words.
    #[serde(default)]
    sections: Vec<(String, u64)>,
    /// The blob it was read from: where a text change's excerpt reads
    /// the words before (empty in a history kept before it was recorded).
    #[serde(default)]
    blob: String,
}

/// A file a commit touched: its root-relative path, and the blob it holds
/// after the commit (`None`: deleted, or no longer a regular file).
struct Touch {
    path: String,
    blob: Option<String>,
}

struct LogCommit {
    commit: Commit,
    touched: Vec<Touch>,
    /// The trackers' exports it touched.
    exports: Vec<Touch>,
}

/// An export's version at a commit: the commit's place in the log read,
/// the export's path, and its items (`None`: deleted; `Some(None)`: not
/// readable as its format then).
type ExportVersion = (usize, String, Option<Option<super::exports::Items>>);

/// Every version of the trackers' exports the commits wrote, oldest first,
/// read through the build's reader one at a time (an export may be tens of
/// megabytes; its items are much less), in one more `git cat-file`.
fn read_export_versions(
    root: &Path,
    commits: &[LogCommit],
    entries: &[TrackerConfig],
) -> Result<Vec<ExportVersion>, HistoryState> {
    let touches: Vec<(usize, &Touch)> = commits
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.exports.iter().map(move |t| (i, t)))
        .collect();
    let names: Vec<String> = touches.iter().filter_map(|(_, t)| t.blob.clone()).collect();
    let mut read: Vec<Option<super::exports::Items>> = Vec::with_capacity(names.len());
    let mut at = touches.iter().filter(|(_, t)| t.blob.is_some());
    if !names.is_empty() {
        cat_objects_each(root, &names, crate::tracker::MAX_EXPORT_BYTES, |bytes| {
            let Some((_, touch)) = at.next() else { return };
            let entry = entries.iter().find(|e| e.file == touch.path);
            read.push(
                bytes
                    .zip(entry)
                    .and_then(|(bytes, entry)| super::exports::items_of(&touch.path, bytes, entry)),
            );
        })
        .map_err(|e| HistoryState::Unavailable(format!("cannot read the history: {}", e.0)))?;
    }
    let mut read = read.into_iter();
    Ok(touches
        .into_iter()
        .map(|(i, t)| {
            let items = t.blob.as_ref().map(|_| read.next().flatten());
            (i, t.path.clone(), items)
        })
        .collect())
}

impl SiteHistory {
    /// An empty history in `state` (off, not read, not a repository).
    pub fn empty(state: HistoryState) -> SiteHistory {
        SiteHistory {
            state,
            ..SiteHistory::default()
        }
    }

    /// Reads the history of the documents under `root` (those `config`
    /// makes documents; `output_dir` is never content). With `use_kept`,
    /// starts from the history the last read kept ([`cache`]) where it
    /// still holds, and keeps this one for the next. Never fails: what went
    /// wrong is the state.
    pub fn collect(
        root: &Path,
        config: &Config,
        output_dir: Option<&Path>,
        use_kept: bool,
    ) -> SiteHistory {
        if !config.history {
            return SiteHistory::empty(HistoryState::Off);
        }
        let filter = SourceFilter::new(config, root, output_dir);
        // What the walk reads, with `ignore`: a walk that followed other
        // exports (or read them as another format) is not walked on.
        let mut read_as = config.ignore.clone();
        read_as.extend(
            config
                .trackers
                .iter()
                .map(|t| format!("tracker {} {:?}", t.file, t.format.map(|f| f.as_str()))),
        );
        let stamp = |head: String, shallow: &HashSet<String>| {
            Stamp::new(head, shallow, &read_as, filter.output())
        };
        let previous = if use_kept {
            cache::kept(root)
        } else {
            crate::kept::Found::Nothing
        };
        let reading = Reading {
            filter: &filter,
            exports: &config.trackers,
        };
        match read(root, &reading, stamp, previous) {
            Ok(history) => history,
            Err(state) => SiteHistory::empty(state),
        }
    }

    /// How long document `id` has had `status` (its status in the files
    /// being built) on `today`; `None` without history, without a status,
    /// or when the files' status is not the one last committed (an
    /// uncommitted edit: the history does not know when it happened).
    pub fn time_in_status(
        &self,
        id: &str,
        status: Option<&str>,
        today: Date,
    ) -> Option<TimeInStatus> {
        let doc = self.docs.get(id)?;
        let status = status?;
        let since = doc.status_since?;
        if doc.status.as_deref() != Some(status) || since > today {
            return None;
        }
        Some(TimeInStatus {
            status: status.to_string(),
            since: since.to_string(),
            days: days_between(since, today),
            at_least: !doc.since_exact,
        })
    }

    /// The newest `title:` the history saw document `id` with: what names a
    /// document no longer in the site (a removed parent), as `diff` names one
    /// from the revision that still had it.
    pub fn last_title(&self, id: &str) -> Option<&str> {
        self.events
            .iter()
            .find(|e| e.id == id && e.title.is_some())
            .and_then(|e| e.title.as_deref())
    }

    /// Changes of commits dated from `from` to `to`, both included, newest first.
    pub fn events_between(&self, from: Date, to: Date) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(move |e| {
            let date = self.commits[e.commit].date;
            from <= date && date <= to
        })
    }
}

/// What a read follows: the documents `filter` admits, and the trackers'
/// exports.
struct Reading<'a> {
    filter: &'a SourceFilter,
    exports: &'a [TrackerConfig],
}

impl Reading<'_> {
    fn export_paths(&self) -> Vec<&str> {
        self.exports.iter().map(|t| t.file.as_str()).collect()
    }
}

fn read(
    root: &Path,
    reading: &Reading<'_>,
    stamp: impl Fn(String, &HashSet<String>) -> Stamp,
    previous: crate::kept::Found,
) -> Result<SiteHistory, HistoryState> {
    let filter = reading.filter;
    let (shallow, head) = repository_state(root)?;
    // A repository without commits yet has no history, which is not a problem.
    let Some(head) = head else {
        return Ok(SiteHistory::empty(HistoryState::Read { shallow: false }));
    };
    let stamp = stamp(head, &shallow);
    let (start, kept) = start(root, filter, &stamp, &shallow, previous);
    let (mut walk, range) = match start {
        Start::Kept(walk) => {
            let mut history = walk.finish();
            history.kept = kept;
            return Ok(history);
        }
        Start::After(walk, range) => (walk, range),
        Start::Afresh => (Walk::default(), stamp.head().to_string()),
    };
    let log = crate::git::command(root)
        .args([
            "log",
            "-z",
            // The main line only, each merge compared with its first parent:
            // every file version then follows the one before it, so no
            // change is claimed twice or against the wrong version.
            "--first-parent",
            "-m",
            "--no-renames",
            // `--raw`: each file's new blob id, so the versions are read by
            // id; naming them `<commit>:<path>` makes git search the tree for
            // each, which took 9 s for 20,000 versions in a 7,000-file folder.
            "--raw",
            "--no-abbrev",
            "--relative",
            LOG_FORMAT,
            "--end-of-options",
        ])
        // The log of the commit the stamp names (not of a HEAD moved since),
        // or of the commits since the kept walk's.
        .arg(&range)
        .args(["--", "."])
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| HistoryState::Unavailable(format!("cannot run git: {e}")))?;
    if !log.status.success() {
        let message = String::from_utf8_lossy(&log.stderr).trim().to_string();
        return Err(HistoryState::Unavailable(format!(
            "git log failed: {message}"
        )));
    }
    let mut commits = parse_log(&log.stdout, filter, &reading.export_paths());
    for c in &mut commits {
        c.commit.boundary = shallow.contains(&c.commit.id);
    }
    // Oldest first: each version is compared with the one before it.
    commits.reverse();
    let first = walk.commits();
    let exported = read_export_versions(root, &commits, reading.exports)?;
    let (versions, blobs) = read_versions(root, &commits)?;
    walk.steps(commits, versions);
    walk.excerpts(root, blobs);
    walk.export_steps(first, exported);
    walk.history.state = HistoryState::Read {
        shallow: !shallow.is_empty(),
    };
    if let Some(bytes) = cache::encode(&stamp, &walk) {
        cache::keep(root, &bytes);
    }
    let mut history = walk.finish();
    history.kept = kept;
    Ok(history)
}

/// Each commit's header in the history's `git log`: its id, committer
/// date, author and subject, as [`parse_log`] reads them.
const LOG_FORMAT: &str = "--format=%x1e%H%x1f%cs%x1f%an%x1f%s";

/// Where a read under `stamp` starts from, given the history file the last
/// read kept (`previous`).
enum Start {
    /// The kept walk is the history at the stamp's commit, whole.
    Kept(Walk),
    /// The kept walk stopped at a commit HEAD descends from along first
    /// parents; the range of the commits since.
    After(Walk, String),
    /// No kept walk holds: the whole history is read.
    Afresh,
}

/// The kept walk, when it is the very one (the same stamp) or one HEAD
/// walks on from, and git lists the commits it holds as it holds them;
/// and what became of it, for a note.
fn start(
    root: &Path,
    filter: &SourceFilter,
    stamp: &Stamp,
    shallow: &HashSet<String>,
    previous: crate::kept::Found,
) -> (Start, KeptUse) {
    let bytes = match previous {
        crate::kept::Found::Nothing => return (Start::Afresh, KeptUse::None),
        crate::kept::Found::Damaged => return (Start::Afresh, KeptUse::Refused),
        crate::kept::Found::Bytes(bytes) => bytes,
    };
    let Some((kept, walk)) = cache::decode(&bytes, Walk::is_consistent) else {
        return (Start::Afresh, cache::undecoded(&bytes));
    };
    // `None`: the stamp's own walk; else the commits since the kept one's.
    let since = if kept == *stamp {
        None
    } else if kept.same_read_as(stamp) && follows(root, kept.head(), stamp.head()) {
        Some(format!("{}..{}", kept.head(), stamp.head()))
    } else {
        return (Start::Afresh, KeptUse::Other);
    };
    if !lists_the_walks_commits(root, filter, kept.head(), shallow, &walk) {
        return (Start::Afresh, KeptUse::Refused);
    }
    match since {
        None => (Start::Kept(walk), KeptUse::Whole),
        Some(range) => (Start::After(walk, range), KeptUse::WalkedOn),
    }
}

/// Whether git lists, at `head`, the commits `walk` holds: the same ids,
/// dates, authors and subjects, in the same order, the same ones a shallow
/// clone's boundary. The kept file may come from a restored cache that
/// anyone who could run a job in CI wrote; what it says of commits is
/// published (document pages, `changes/`), so it is checked against the
/// repository before it is used.
///
/// One `git log` without `--raw`, of the commits' headers only: the read
/// the file saves is the versions' blobs (`git cat-file`) and their front
/// matter's parse, which this does not repeat. What each commit changed
/// (the events, statuses, and the versions the next commit is compared
/// with) is still the file's word: checking it means reading those blobs.
fn lists_the_walks_commits(
    root: &Path,
    filter: &SourceFilter,
    head: &str,
    shallow: &HashSet<String>,
    walk: &Walk,
) -> bool {
    let Ok(output) = crate::git::command(root)
        .args([
            "log",
            "-z",
            // As the history's own log selects its commits.
            "--first-parent",
            "-m",
            "--no-renames",
            "--relative",
            LOG_FORMAT,
            "--end-of-options",
            head,
            "--",
            ".",
        ])
        .stderr(Stdio::null())
        .output()
    else {
        return false;
    };
    if !output.status.success() {
        return false;
    }
    // Newest first, as the walk's are oldest first.
    let listed = parse_log(&output.stdout, filter, &[]);
    listed.len() == walk.history.commits.len()
        && listed
            .iter()
            .rev()
            .zip(&walk.history.commits)
            .all(|(listed, kept)| {
                let listed = &listed.commit;
                listed.id == kept.id
                    && listed.date == kept.date
                    && listed.author == kept.author
                    && listed.subject == kept.subject
                    && shallow.contains(&listed.id) == kept.boundary
            })
}

/// Whether `head` descends from `base` along first parents: the commits
/// after `base` on the main line are then exactly the commits a walk that
/// stopped at `base` has not seen. Not after a rebase or a reset, nor when
/// `base` came in through a merge's second parent (or is not in the clone).
fn follows(root: &Path, base: &str, head: &str) -> bool {
    let Ok(output) = crate::git::command(root)
        .args([
            "rev-list",
            "--first-parent",
            "--parents",
            "--end-of-options",
        ])
        .arg(format!("{base}..{head}"))
        .stderr(Stdio::null())
        .output()
    else {
        return false;
    };
    // Newest first, each line a commit and its parents: the oldest's first
    // parent is `base` when `base` is on the line.
    let text = String::from_utf8_lossy(&output.stdout);
    output.status.success()
        && text
            .lines()
            .last()
            .and_then(|line| line.split(' ').nth(1))
            .is_some_and(|parent| parent == base)
}

/// The commits a shallow clone starts from (empty for a full clone) and
/// the commit HEAD names (`None` before the first commit), or why there is
/// no history: not a work tree, or no git.
fn repository_state(root: &Path) -> Result<(HashSet<String>, Option<String>), HistoryState> {
    let output = crate::git::command(root)
        .args([
            "rev-parse",
            "--is-shallow-repository",
            "--git-path",
            "shallow",
            // Quietly nothing, and exit code 1, when there is no commit yet.
            "--verify",
            "-q",
            "HEAD",
        ])
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                HistoryState::Unavailable("git is not installed (or not on PATH)".into())
            }
            _ => HistoryState::Unavailable(format!("cannot run git: {e}")),
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    let is_shallow = lines.next();
    if !matches!(is_shallow, Some("true" | "false")) {
        let message = String::from_utf8_lossy(&output.stderr);
        return Err(if message.contains("not a git repository") {
            HistoryState::NoRepository
        } else {
            HistoryState::Unavailable(format!("git rev-parse failed: {}", message.trim()))
        });
    }
    // `--git-path` answers relative to the working directory, the root.
    let shallow_file = lines.next().map(|p| root.join(p));
    let head = lines
        .next()
        .filter(|id| output.status.success() && crate::git::is_object_id(id))
        .map(str::to_string);
    if is_shallow != Some("true") {
        return Ok((HashSet::new(), head));
    }
    let file = shallow_file.ok_or_else(|| {
        HistoryState::Unavailable("git did not say where the shallow file is".into())
    })?;
    let text = std::fs::read_to_string(&file)
        .map_err(|e| HistoryState::Unavailable(format!("cannot read `{}`: {e}", file.display())))?;
    Ok((text.lines().map(|l| l.trim().to_string()).collect(), head))
}

/// Parses `git log -z --raw --format=%x1e<fields>` output, newest
/// commit first, keeping the documents `filter` admits. A path that is not
/// UTF-8 or holds a line break is left out: it cannot be named to
/// `git cat-file --batch`, whose requests are lines.
fn parse_log(bytes: &[u8], filter: &SourceFilter, exports: &[&str]) -> Vec<LogCommit> {
    let mut commits: Vec<LogCommit> = Vec::new();
    let mut tokens = bytes.split(|&b| b == 0);
    while let Some(token) = tokens.next() {
        let token = token.strip_prefix(b"\n").unwrap_or(token);
        if let Some(header) = token.strip_prefix(b"\x1e") {
            let header = String::from_utf8_lossy(header);
            let mut fields = header.splitn(4, '\x1f');
            let (Some(id), Some(date), Some(author), Some(subject)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let Some(date) = parse_date(date) else {
                continue;
            };
            commits.push(LogCommit {
                commit: Commit {
                    id: id.to_string(),
                    date,
                    author: author.to_string(),
                    subject: subject.to_string(),
                    boundary: false,
                },
                touched: Vec::new(),
                exports: Vec::new(),
            });
            continue;
        }
        if token.is_empty() {
            continue;
        }
        // `:<old mode> <new mode> <old id> <new id> <status>`, then the path.
        let Some(path) = tokens.next() else { break };
        let fields: Vec<&[u8]> = token.split(|&b| b == b' ').collect();
        let (Some(mode), Some(id), Some(status)) = (fields.get(1), fields.get(3), fields.get(4))
        else {
            continue;
        };
        let Ok(path) = std::str::from_utf8(path) else {
            continue;
        };
        let export = exports.contains(&path);
        if path.contains('\n') || !(export || filter.is_document(path)) {
            continue;
        }
        // Only a regular file is a document: a committed symbolic link's
        // blob is the name of its target.
        let regular = mode.starts_with(b"100");
        let blob = (status.first() != Some(&b'D') && regular)
            .then(|| String::from_utf8_lossy(id).into_owned());
        if let Some(last) = commits.last_mut() {
            let touch = Touch {
                path: path.to_string(),
                blob,
            };
            if export {
                last.exports.push(touch);
            } else {
                last.touched.push(touch);
            }
        }
    }
    commits
}

/// Every version the commits wrote, in the order of their touches (`None`
/// for a deletion, or a file that is not a readable document then).
/// The blobs read come back too: a text change's excerpt reads its words.
fn read_versions(
    root: &Path,
    commits: &[LogCommit],
) -> Result<(Vec<Option<Version>>, Blobs), HistoryState> {
    let wanted: Vec<(&str, &str)> = commits
        .iter()
        .flat_map(|c| &c.touched)
        .filter_map(|t| Some((t.path.as_str(), t.blob.as_deref()?)))
        .collect();
    let blobs = read_blobs(root, &wanted)
        .map_err(|e| HistoryState::Unavailable(format!("cannot read the history: {}", e.0)))?;
    // Parsing is the costly part (one YAML parse per version): in parallel.
    let parsed: Vec<Option<Version>> = wanted
        .par_iter()
        .map(|(path, id)| {
            let mut v = version(path, blobs.get(*id)?.as_deref()?)?;
            v.blob = id.to_string();
            Some(v)
        })
        .collect();
    let mut parsed = parsed.into_iter();
    let mut out = Vec::new();
    for c in commits {
        for t in &c.touched {
            out.push(match t.blob {
                Some(_) => parsed.next().flatten(),
                None => None,
            });
        }
    }
    Ok((out, blobs))
}

/// A document's front matter as a commit wrote it; `None` when it cannot
/// be read then (not UTF-8, unclosed or invalid front matter), which is
/// neither a change nor a removal.
fn version(path: &str, bytes: &[u8]) -> Option<Version> {
    let text = crate::source::bom_stripped(std::str::from_utf8(bytes).ok()?);
    let front = crate::source::split_front_matter(text).ok()?;
    let mut fields = crate::yaml::parse_front_matter(front.yaml).ok()?;
    let sections = section_hashes(front.body);
    // As `source` reads a document: the file name without `id:`, a page without `kind:`.
    let who = crate::source::identity(&fields, path);
    let (id, title, draft) = (who.id, who.title, who.draft);
    let kind = who
        .kind
        .unwrap_or_else(|| crate::config::PAGE_KIND.to_string());
    fields.retain(|key, _| COMPARED_FIELDS.contains(&key.as_str()));
    Some(Version {
        id,
        kind,
        title,
        draft,
        fields,
        sections,
        blob: String::new(),
    })
}

/// A field's value as one line of text (`None` when absent).
fn text_value(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The history of `log` (oldest first) from the start.
#[cfg(test)]
fn walk(log: Vec<LogCommit>, versions: Vec<Option<Version>>) -> SiteHistory {
    let mut walk = Walk::default();
    walk.steps(log, versions);
    walk.finish()
}

/// The history as far as a walk through the commits has gone, oldest commit
/// first, with what the next commit is compared with. A build keeps it in
/// the user's cache folder ([`cache`]), so the next build at a later commit
/// walks only the commits since.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Walk {
    /// The history so far, oldest first (indices count from the oldest).
    history: SiteHistory,
    /// Which id each path holds now.
    #[serde(serialize_with = "sorted")]
    at_path: HashMap<String, String>,
    /// How many paths hold each id (a document moved within one commit is
    /// deleted and added in it).
    #[serde(serialize_with = "sorted")]
    paths_of: HashMap<String, usize>,
    /// Each document's newest version.
    #[serde(serialize_with = "sorted")]
    latest: HashMap<String, Version>,
    /// Each tracker export's items at the newest commit that wrote it.
    #[serde(default, serialize_with = "sorted")]
    export_items: HashMap<String, super::exports::Items>,
    /// The text changes of the last [`Walk::steps`] still without their
    /// excerpts ([`Walk::excerpts`]): never kept.
    #[serde(skip)]
    pending: Vec<PendingText>,
}

/// A text change waiting for its excerpt: its event's index in the walk,
/// and the blobs of the versions before and after.
#[derive(Debug)]
struct PendingText {
    event: usize,
    before: String,
    after: String,
}

/// Blobs read from git or the work tree, by id (`None`: over the size limit).
type Blobs = HashMap<String, Option<Vec<u8>>>;

/// The most sections of one text change whose words the history keeps:
/// a page lists each change in a line or three, and a commit that rewrites
/// a whole document says the rest by their headings.
const MAX_EXCERPTS: usize = 3;

/// A version's body, from its blob's bytes.
fn body_of(bytes: &[u8]) -> Option<&str> {
    let text = crate::source::bom_stripped(std::str::from_utf8(bytes).ok()?);
    Some(crate::source::split_front_matter(text).ok()?.body)
}

/// A map in the order of its keys, so that the same walk is always the same bytes.
fn sorted<K: Ord + Serialize, V: Serialize, S: serde::Serializer>(
    map: &HashMap<K, V>,
    to: S,
) -> Result<S::Ok, S::Error> {
    to.collect_map(map.iter().collect::<std::collections::BTreeMap<_, _>>())
}

impl Walk {
    /// How many commits the walk has gone through.
    fn commits(&self) -> usize {
        self.history.commits.len()
    }

    /// Whether every commit is named by an object id and every index names
    /// one of the walk's commits (a walk read back from a file that
    /// `cache::encode` did not write may not: an index past the commits
    /// would panic where the pages look it up).
    pub(crate) fn is_consistent(&self) -> bool {
        let commits = self.commits();
        self.history
            .commits
            .iter()
            .all(|c| crate::git::is_object_id(&c.id))
            && self.history.events.iter().all(|e| e.commit < commits)
            && self
                .history
                .docs
                .values()
                .all(|d| d.commits.iter().all(|&c| c < commits))
    }

    /// Goes through the commits of `log` (oldest first), comparing each
    /// version of a document (by id, so a moved file is the same document)
    /// with the one before it, on from where the walk is.
    /// `versions` are the versions the commits wrote, in the order of their touches.
    fn steps(&mut self, log: Vec<LogCommit>, versions: Vec<Option<Version>>) {
        let mut versions = versions.into_iter();
        let first = self.commits();
        for (
            index,
            LogCommit {
                commit, touched, ..
            },
        ) in log.into_iter().enumerate()
        {
            let index = first + index;
            let boundary = commit.boundary;
            let mut gone: Vec<String> = Vec::new();
            let mut touched_ids: Vec<String> = Vec::new();
            let mut events: Vec<Event> = Vec::new();
            for touch in touched {
                let version = versions.next().flatten();
                if touch.blob.is_some() && version.is_none() {
                    // Unreadable at this commit: the document is still there,
                    // unchanged as far as the history can tell.
                    if let Some(id) = self.at_path.get(&touch.path) {
                        touched_ids.push(id.clone());
                    }
                    continue;
                }
                let held = match &version {
                    Some(v) => self.at_path.insert(touch.path.clone(), v.id.clone()),
                    None => self.at_path.remove(&touch.path),
                };
                if let Some(old) = &held {
                    if version.as_ref().is_none_or(|v| v.id != *old) {
                        if let Some(n) = self.paths_of.get_mut(old) {
                            *n = n.saturating_sub(1);
                        }
                        gone.push(old.clone());
                    }
                }
                let Some(version) = version else { continue };
                if held.as_deref() != Some(version.id.as_str()) {
                    *self.paths_of.entry(version.id.clone()).or_default() += 1;
                }
                // Renamed in place: the file that held an id now holds a new
                // one, and the old id is nowhere else. One document, whose
                // history goes on under its new id.
                let renamed_from = held.filter(|old| {
                    *old != version.id
                        && !self.latest.contains_key(&version.id)
                        && self.paths_of.get(old).copied().unwrap_or(0) == 0
                });
                if let Some(old) = &renamed_from {
                    self.paths_of.remove(old);
                    gone.retain(|g| g != old);
                    if let Some(last) = self.latest.remove(old) {
                        self.latest.insert(version.id.clone(), last);
                    }
                    if let Some(past) = self.history.docs.remove(old) {
                        self.history.docs.insert(version.id.clone(), past);
                    }
                }
                let doc = self.history.docs.entry(version.id.clone()).or_default();
                let before = self.latest.get(&version.id);
                let changes = match (before, renamed_from) {
                    (None, _) => vec![Change::Added {
                        status: text_value(version.fields.get("status")),
                    }],
                    (Some(before), None) => changes(before, &version),
                    (Some(before), Some(from)) => {
                        let mut all = vec![Change::Renamed { from }];
                        all.extend(changes(before, &version));
                        all
                    }
                };
                for change in &changes {
                    match change {
                        Change::Added { status } => {
                            doc.status = status.clone();
                            doc.status_since = Some(commit.date);
                            doc.since_exact = !boundary;
                        }
                        Change::Status { to, .. } => {
                            doc.status = to.clone();
                            doc.status_since = Some(commit.date);
                            doc.since_exact = true;
                        }
                        _ => {}
                    }
                }
                if !boundary {
                    for change in changes {
                        if let (Change::Text { .. }, Some(before)) =
                            (&change, self.latest.get(&version.id))
                        {
                            self.pending.push(PendingText {
                                event: self.history.events.len() + events.len(),
                                before: before.blob.clone(),
                                after: version.blob.clone(),
                            });
                        }
                        events.push(Event {
                            commit: index,
                            id: version.id.clone(),
                            kind: version.kind.clone(),
                            title: version.title.clone(),
                            change,
                            draft: version.draft,
                        });
                    }
                }
                touched_ids.push(version.id.clone());
                self.latest.insert(version.id.clone(), version);
            }
            for id in gone {
                if self.paths_of.get(&id).copied().unwrap_or(0) > 0 {
                    continue;
                }
                self.paths_of.remove(&id);
                let Some(last) = self.latest.remove(&id) else {
                    continue;
                };
                if let Some(doc) = self.history.docs.get_mut(&id) {
                    doc.status = None;
                    doc.status_since = None;
                }
                if !boundary {
                    events.push(Event {
                        commit: index,
                        id: id.clone(),
                        kind: last.kind,
                        title: last.title,
                        change: Change::Removed,
                        draft: last.draft,
                    });
                }
                touched_ids.push(id);
            }
            // The oldest commit of a shallow clone says what was there, not what changed.
            if !boundary {
                let mut seen = HashSet::new();
                for id in touched_ids {
                    if seen.insert(id.clone()) {
                        self.history.docs.entry(id).or_default().commits.push(index);
                    }
                }
            }
            self.history.events.extend(events);
            self.history.commits.push(commit);
        }
    }

    /// Gives the text changes of the last [`Walk::steps`] their excerpts:
    /// the words that changed, by [`section_changes`], the one comparison
    /// `diff` makes. `blobs` holds what the walk read; a version before
    /// them (kept from an earlier walk) is read now, in one more request.
    fn excerpts(&mut self, root: &Path, mut blobs: Blobs) {
        let pending = std::mem::take(&mut self.pending);
        let missing: Vec<(&str, &str)> = pending
            .iter()
            .flat_map(|p| [p.before.as_str(), p.after.as_str()])
            .filter(|id| crate::git::is_object_id(id) && !blobs.contains_key(*id))
            .map(|id| ("", id))
            .collect();
        if !missing.is_empty() {
            // Best effort: without the words, the change still names its sections.
            if let Ok(more) = read_blobs(root, &missing) {
                blobs.extend(more);
            }
        }
        let found: Vec<(usize, Vec<SectionChange>)> = pending
            .par_iter()
            .filter_map(|p| {
                let text = |id: &str| body_of(blobs.get(id)?.as_deref()?);
                let (old, new) = (text(&p.before)?, text(&p.after)?);
                let excerpts: Vec<SectionChange> = section_changes(old, new)
                    .into_iter()
                    .filter(|c| c.excerpt.is_some())
                    .take(MAX_EXCERPTS)
                    .collect();
                Some((p.event, excerpts))
            })
            .collect();
        for (event, found) in found {
            if let Some(Event {
                change: Change::Text { excerpts, .. },
                ..
            }) = self.history.events.get_mut(event)
            {
                *excerpts = found;
            }
        }
    }

    /// Each refresh of a tracker export in the commits the last
    /// [`Walk::steps`] went through (from commit `first` on) is a change of
    /// its items ([`super::exports::compare`]), the export's path its id.
    fn export_steps(&mut self, first: usize, versions: Vec<ExportVersion>) {
        let none = super::exports::Items::new();
        for (offset, path, items) in versions {
            let index = first + offset;
            let items = match items {
                // Unreadable then: no change claimed, the last items stand.
                Some(None) => continue,
                Some(Some(items)) => items,
                None => super::exports::Items::new(),
            };
            let before = self.export_items.get(&path).unwrap_or(&none);
            let boundary = self.history.commits.get(index).is_none_or(|c| c.boundary);
            if !boundary {
                if let Some(change) = super::exports::compare(before, &items) {
                    self.history.events.push(Event {
                        commit: index,
                        id: path.clone(),
                        kind: "export".to_string(),
                        title: Some(path.clone()),
                        change,
                        draft: false,
                    });
                }
            }
            self.export_items.insert(path, items);
        }
    }

    /// The history as the pages show it: newest first.
    pub(crate) fn finish(self) -> SiteHistory {
        let mut history = self.history;
        // Newest first, as the pages list them; indices are rewritten to match.
        let last = history.commits.len().saturating_sub(1);
        history.commits.reverse();
        // Stable: within one commit, changes stay in path order.
        history.events.sort_by_key(|e| std::cmp::Reverse(e.commit));
        for (i, e) in history.events.iter_mut().enumerate() {
            e.commit = last - e.commit;
            if matches!(&e.change, Change::Judged { field, .. } if field == "confidence") {
                history
                    .confidence_changes
                    .entry(e.id.clone())
                    .or_default()
                    .push(i);
            }
        }
        for doc in history.docs.values_mut() {
            doc.commits.reverse();
            for c in &mut doc.commits {
                *c = last - *c;
            }
        }
        history
    }
}

/// A field's value in a few words: a scalar as written, a mapping as
/// `key: value` pairs (`problem: high, solution: low`), nested ones in braces.
fn short_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Object(map) => Some(
            map.iter()
                .filter_map(|(k, v)| Some(format!("{k}: {}", short_text(v)?)))
                .map(|pair| pair.replace('\n', " "))
                .collect::<Vec<_>>()
                .join(", "),
        )
        .map(|s| if s.is_empty() { "{}".to_string() } else { s }),
        Value::Array(items) => Some(format!(
            "[{}]",
            items
                .iter()
                .filter_map(short_text)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        other => text_value(Some(other)),
    }
}

/// What changed between two versions of one document, in the terms the
/// changes page uses; the comparison itself is `diff`'s.
fn changes(before: &Version, after: &Version) -> Vec<Change> {
    let FrontMatterChange {
        fields,
        checkins_added,
        dependencies_added,
        dependencies_removed,
    } = front_matter_change(&before.fields, &after.fields);
    let mut out = Vec::new();
    // A title written where there was none may only say what the first
    // heading said, which is the title pages show without one.
    if before.title.is_some() && after.title.is_some() && before.title != after.title {
        out.push(Change::Title {
            from: before.title.clone(),
            to: after.title.clone(),
        });
    }
    if let Some(f) = fields.get("status") {
        out.push(Change::Status {
            from: text_value(Some(&f.old)),
            to: text_value(Some(&f.new)),
        });
    }
    if let Some(f) = fields.get("parent") {
        out.push(Change::Parent {
            from: text_value(Some(&f.old)),
            to: text_value(Some(&f.new)),
        });
    }
    let goals: Vec<String> = ["success", "key_results"]
        .into_iter()
        .filter(|k| fields.keys().any(|f| top_field(f) == *k))
        .map(str::to_string)
        .collect();
    if !goals.is_empty() {
        out.push(Change::Goals { fields: goals });
    }
    // Said whole (`confidence problem: high, … → …`), however deep the
    // comparison found the change (`confidence.solution`).
    for field in JUDGED_FIELDS {
        if fields.keys().any(|f| top_field(f) == field) {
            let whole = |fm: &Map<String, Value>| fm.get(field).cloned().unwrap_or(Value::Null);
            out.push(Change::Judged {
                field: field.to_string(),
                from: short_text(&whole(&before.fields)),
                to: short_text(&whole(&after.fields)),
            });
        }
    }
    if !checkins_added.is_empty() {
        let latest = checkins_added
            .iter()
            .filter_map(|c| {
                let date = text_value(c.get("date"))?;
                let value = text_value(c.get("value"))?;
                Some((date, value))
            })
            .max()
            .map(|(date, value)| format!("{date}: {value}"));
        out.push(Change::Checkins {
            added: checkins_added.len(),
            latest,
        });
    }
    if let Some(f) = fields.get("reviewed") {
        if !f.new.is_null() {
            out.push(Change::Reviewed {
                on: text_value(Some(&f.new)),
            });
        }
    }
    let sections = changed_sections(&before.sections, &after.sections);
    if !sections.is_empty() {
        out.push(Change::Text {
            sections,
            excerpts: Vec::new(),
        });
    }
    if let Some(f) = fields.get("owner") {
        out.push(Change::Owner {
            from: text_value(Some(&f.old)),
            to: text_value(Some(&f.new)),
        });
    }
    if !dependencies_added.is_empty() || !dependencies_removed.is_empty() {
        out.push(Change::Dependencies {
            added: dependencies_added,
            removed: dependencies_removed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> SourceFilter {
        SourceFilter::new(&Config::default(), Path::new("."), None)
    }

    #[test]
    fn a_log_reads_as_commits_and_documents() {
        let log = b"\x1eaaaa\x1f2026-11-02\x1fAda\x1fcommit a bet\x1f with a unit separator\0\n:100644 100644 b1 b2 M\0bets/a.md\0:000000 100644 0 b3 A\0static/x.md\0:100644 000000 b4 0 D\0old.md\0:100644 120000 b5 b6 T\0link.md\0\x1ebbbb\x1f2026-11-01\x1fBo\x1fbase\0\n:000000 100644 0 b1 A\0bets/a.md\0";
        let commits = parse_log(log, &filter(), &[]);
        assert_eq!(commits.len(), 2);
        assert_eq!(
            commits[0].commit.subject,
            "commit a bet\x1f with a unit separator"
        );
        let paths: Vec<(&str, Option<&str>)> = commits[0]
            .touched
            .iter()
            .map(|t| (t.path.as_str(), t.blob.as_deref()))
            .collect();
        assert_eq!(
            paths,
            [
                ("bets/a.md", Some("b2")),
                ("old.md", None),
                ("link.md", None)
            ],
            "static/ is not content; a deleted file and a symbolic link have no version"
        );
        assert_eq!(commits[1].commit.author, "Bo");
    }

    fn v(id: &str, yaml: &str) -> Option<Version> {
        version(
            &format!("{id}.md"),
            format!("---\n{yaml}\n---\n").as_bytes(),
        )
    }

    /// A commit id for the commit named `name` (its subject in these tests):
    /// the name's bytes in hex, padded to the 40 digits of an object id.
    fn object_id(name: &str) -> String {
        let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{hex:0>40}")
    }

    fn log_commit(id: &str, date: &str, touched: &[(&str, bool)]) -> LogCommit {
        // `(path, deleted)`; the blob id does not matter once versions are read.
        LogCommit {
            commit: Commit {
                id: object_id(id),
                date: parse_date(date).expect("date"),
                author: "A".into(),
                subject: id.into(),
                boundary: false,
            },
            touched: touched
                .iter()
                .map(|(p, deleted)| Touch {
                    path: p.to_string(),
                    blob: (!deleted).then(|| "blob".to_string()),
                })
                .collect(),
            exports: Vec::new(),
        }
    }

    #[test]
    fn a_moved_file_is_the_same_document_and_status_time_counts_from_the_transition() {
        let log = vec![
            log_commit("c1", "2026-09-01", &[("a.md", false)]),
            log_commit("c2", "2026-10-01", &[("a.md", true), ("sub/a.md", false)]),
            log_commit("c3", "2026-10-10", &[("sub/a.md", false)]),
        ];
        let versions = vec![
            v("a", "id: a\nkind: bet\nstatus: proposed"),
            None,
            v("a", "id: a\nkind: bet\nstatus: proposed"),
            v("a", "id: a\nkind: bet\nstatus: committed"),
        ];
        let h = walk(log, versions);
        let changes: Vec<&Change> = h.events.iter().map(|e| &e.change).collect();
        assert_eq!(
            changes,
            [
                &Change::Status {
                    from: Some("proposed".into()),
                    to: Some("committed".into())
                },
                &Change::Added {
                    status: Some("proposed".into())
                },
            ],
            "the move is neither a removal nor an addition"
        );
        assert_eq!(h.docs["a"].commits, [0, 1, 2]);
        let today = parse_date("2026-11-24").expect("date");
        let t = h
            .time_in_status("a", Some("committed"), today)
            .expect("time");
        assert_eq!(
            (t.since.as_str(), t.days, t.at_least),
            ("2026-10-10", 45, false)
        );
        assert_eq!(
            h.time_in_status("a", Some("active"), today),
            None,
            "an uncommitted status has no known start"
        );
    }

    #[test]
    fn an_unreadable_version_is_no_removal_and_a_page_needs_no_kind() {
        let log = vec![
            log_commit("c1", "2026-11-01", &[("notes.md", false)]),
            log_commit("c2", "2026-11-02", &[("notes.md", false)]),
            log_commit("c3", "2026-11-03", &[("notes.md", false)]),
        ];
        let versions = vec![
            version("notes.md", b"# Notes\n"),
            version("notes.md", b"---\ntitle: [unclosed\n---\n"),
            version("notes.md", b"---\ntitle: Notes\n---\n"),
        ];
        assert!(versions[1].is_none(), "invalid front matter is unreadable");
        let h = walk(log, versions);
        let changes: Vec<&Change> = h.events.iter().map(|e| &e.change).collect();
        let text = Change::Text {
            excerpts: Vec::new(),
            sections: vec!["Notes".into()],
        };
        // The body lost its heading; nothing was removed.
        assert_eq!(
            changes,
            [&text, &Change::Added { status: None }],
            "{:?}",
            h.events
        );
        assert_eq!(h.events[0].kind, "page");
        assert_eq!(h.docs["notes"].commits, [0, 1, 2]);
    }

    #[test]
    fn a_shallow_boundary_is_a_starting_point_not_a_change() {
        let mut first = log_commit("c1", "2026-11-01", &[("a.md", false)]);
        first.commit.boundary = true;
        let log = vec![first, log_commit("c2", "2026-11-02", &[("a.md", true)])];
        let h = walk(
            log,
            vec![v("a", "id: a\nkind: bet\nstatus: committed"), None],
        );
        assert_eq!(h.events.len(), 1);
        assert_eq!(h.events[0].change, Change::Removed);
        assert_eq!(
            h.docs["a"].commits,
            [0],
            "the boundary commit is not listed"
        );
    }

    /// A history of five commits: a bet proposed, committed, moved, a
    /// metric added and checked in, the bet removed, a page added.
    fn five_commits() -> (Vec<LogCommit>, Vec<Option<Version>>) {
        let log = vec![
            log_commit("c1", "2026-09-01", &[("a.md", false), ("m.md", false)]),
            log_commit("c2", "2026-09-15", &[("a.md", false)]),
            log_commit("c3", "2026-10-01", &[("a.md", true), ("sub/a.md", false)]),
            log_commit("c4", "2026-10-20", &[("m.md", false)]),
            log_commit(
                "c5",
                "2026-11-02",
                &[("sub/a.md", true), ("notes.md", false)],
            ),
        ];
        let m = "id: m\nkind: metric\ncheckins:\n  - {date: 2026-09-01, value: 1}";
        let versions = vec![
            v("a", "id: a\nkind: bet\nstatus: proposed"),
            v("m", m),
            v("a", "id: a\nkind: bet\nstatus: committed"),
            None,
            v("a", "id: a\nkind: bet\nstatus: committed\nparent: ps"),
            v("m", &format!("{m}\n  - {{date: 2026-10-20, value: 2.5}}")),
            None,
            version("notes.md", b"---\ntitle: Notes\n---\n"),
        ];
        (log, versions)
    }

    /// The versions the commits from `from` on wrote, out of all of them.
    fn versions_from(
        log: &[LogCommit],
        versions: Vec<Option<Version>>,
        from: usize,
    ) -> (Vec<Option<Version>>, Vec<Option<Version>>) {
        let before: usize = log[..from].iter().map(|c| c.touched.len()).sum();
        let mut versions = versions;
        let after = versions.split_off(before);
        (versions, after)
    }

    #[test]
    fn a_walk_kept_in_a_file_and_walked_on_is_the_walk_made_at_once() {
        let stamp = Stamp::new(object_id("c-old"), &HashSet::new(), &[], None);
        let (log, versions) = five_commits();
        let whole = walk(log, versions);
        for cut in 0..=5 {
            let (mut log, versions) = five_commits();
            let later = log.split_off(cut);
            let (first, second) = versions_from(&log, versions, cut);
            let mut kept = Walk::default();
            kept.steps(log, first);
            let bytes = cache::encode(&stamp, &kept).expect("encodes");
            let (read_stamp, mut walk) =
                cache::decode(&bytes, Walk::is_consistent).expect("decodes");
            assert_eq!(read_stamp, stamp);
            walk.steps(later, second);
            let resumed = walk.finish();
            assert_eq!(resumed.commits, whole.commits, "cut after {cut}");
            assert_eq!(resumed.events, whole.events, "cut after {cut}");
            assert_eq!(resumed.docs, whole.docs, "cut after {cut}");
        }
        let what: Vec<(&str, &str)> = whole
            .events
            .iter()
            .map(|e| {
                let change = match e.change {
                    Change::Added { .. } => "added",
                    Change::Removed => "removed",
                    Change::Status { .. } => "status",
                    Change::Parent { .. } => "parent",
                    Change::Checkins { .. } => "checkins",
                    _ => "other",
                };
                (e.id.as_str(), change)
            })
            .collect();
        assert_eq!(
            what,
            [
                ("notes", "added"),
                ("a", "removed"),
                ("m", "checkins"),
                ("a", "parent"),
                ("a", "status"),
                ("a", "added"),
                ("m", "added"),
            ],
            "every kind of step is crossed by some cut"
        );
    }

    /// The walk through [`five_commits`], with a stamp to keep it under.
    fn five_commits_walked() -> (Stamp, Walk) {
        let stamp = Stamp::new(object_id("c"), &HashSet::new(), &[], None);
        let (log, versions) = five_commits();
        let mut walk = Walk::default();
        walk.steps(log, versions);
        (stamp, walk)
    }

    #[test]
    fn a_walk_with_an_index_past_its_commits_is_not_read_back() {
        let (stamp, kept) = five_commits_walked();
        let text = String::from_utf8(cache::encode(&stamp, &kept).expect("encodes")).expect("JSON");
        assert!(cache::decode(text.as_bytes(), Walk::is_consistent).is_some());
        let broken = text.replacen("\"commit\":4", "\"commit\":9", 1);
        assert_ne!(broken, text);
        assert!(cache::decode(broken.as_bytes(), Walk::is_consistent).is_none());
        for cut in [0, 1, text.len() / 2, text.len() - 1] {
            assert!(
                cache::decode(&text.as_bytes()[..cut], Walk::is_consistent).is_none(),
                "cut at {cut}"
            );
        }
        let bad_date = text.replacen("2026-09-01", "2026-13-01", 1);
        assert!(cache::decode(bad_date.as_bytes(), Walk::is_consistent).is_none());
    }

    #[test]
    fn the_same_walk_is_always_the_same_bytes() {
        let (stamp, kept) = five_commits_walked();
        let bytes = cache::encode(&stamp, &kept).expect("encodes");
        let (_, again) = cache::decode(&bytes, Walk::is_consistent).expect("decodes");
        assert_eq!(cache::encode(&stamp, &again).expect("encodes"), bytes);
    }

    #[test]
    fn a_walk_whose_commits_are_not_object_ids_is_not_read_back() {
        let (stamp, kept) = five_commits_walked();
        let text = String::from_utf8(cache::encode(&stamp, &kept).expect("encodes")).expect("JSON");
        let head = object_id("c");
        let first = object_id("c1");
        // An option where the head should be: it would reach git's command line.
        let not_hex = format!("{}g", &head[..39]);
        for forged_head in ["--output=/tmp/x", "HEAD", &not_hex, &head[..39]] {
            let forged = text.replacen(&head, forged_head, 1);
            assert_ne!(forged, text);
            assert!(
                cache::decode(forged.as_bytes(), Walk::is_consistent).is_none(),
                "{forged_head}"
            );
        }
        let forged = text.replacen(&first, "--all", 1);
        assert!(
            cache::decode(forged.as_bytes(), Walk::is_consistent).is_none(),
            "a commit's id"
        );
        // A SHA-256 repository's ids are 64 digits.
        let sha256 = text.replace(&head, &format!("{head}{}", &head[..24]));
        assert!(cache::decode(sha256.as_bytes(), Walk::is_consistent).is_some());
    }
}
