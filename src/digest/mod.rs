//! `throughline digest`: what a team or a person needs for the coming week,
//! as one [`Digest`] model rendered in four formats ([`render`]).
//!
//! Every fact is read from where the site's other views read it: the
//! window's changes from [`Site::shown_events_between`] (the changes page),
//! paces from `analysis::worst_own_pace` (`behind-pace`), findings from the
//! analysis of each revision compared by [`crate::diff::findings_between`]
//! (`diff`), check-ins due from `stale-metric`'s `checkin_due`, reviews due
//! from `Facts::next_review` (`stale`). The site "then" is the repository
//! at the window's start, read from git objects like `diff`'s base, and
//! judged on the same day as now, so what differs is what the window's
//! commits changed.

mod render;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::Stdio;

use serde::Serialize;

use crate::analysis::{worst_own_pace, PaceVerdict};
use crate::date::{Cadence, Date, Quarter};
use crate::diagnostics::Severity;
use crate::diff::{analyse, FindingSummary, Side};
use crate::graph::DocId;
use crate::history::{Event, HistoryState};
use crate::site::{read_history, LoadOptions, RunError, Site};

pub use render::{render, DigestFormat, NOTHING};

/// How far ahead "Coming up" looks, in days.
pub const HORIZON_DAYS: i64 = 14;

/// Items listed per section at most; the rest are counted.
const MAX_ITEMS: usize = 50;

/// A review's learning is cut at this many bytes, as on the quarter review.
const LEARNING_LIMIT: usize = 400;

/// Documents named under one rule in "Health" at most.
const DOCS_PER_RULE: usize = 5;

/// The window's start, as `--since` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// A duration (`7d`, `2w`) up to and including today.
    Duration(Cadence),
    /// The days after this date, up to and including today.
    After(Date),
    /// The commits after this revision.
    Revision(String),
}

impl Since {
    /// Reads `--since`: a duration, else a date, else a revision.
    pub fn parse(text: &str) -> Since {
        if let Some(c) = Cadence::parse(text) {
            Since::Duration(c)
        } else if let Some(d) = crate::date::parse_date(text) {
            Since::After(d)
        } else {
            Since::Revision(text.to_string())
        }
    }
}

/// What the digest is asked for.
#[derive(Debug, Clone)]
pub struct DigestOptions {
    /// The window.
    pub since: Since,
    /// `--team`: team ids; empty with `owners` empty is the whole site.
    pub teams: Vec<String>,
    /// `--owner`: owners' names.
    pub owners: Vec<String>,
    /// `--base-url`, over the config's.
    pub base_url: Option<String>,
}

/// The digest: its sections, each empty when there is nothing to say.
#[derive(Debug, Serialize)]
pub struct Digest {
    /// The site's title.
    pub site: String,
    /// The first day of the window (for `--since REV`, the day after the
    /// revision's commit).
    pub from: String,
    /// The last day: the day judged on.
    pub to: String,
    /// `--since REV`: the revision, as named.
    pub since_revision: Option<String>,
    /// The teams asked for (ids) and their titles.
    pub teams: Vec<Named>,
    /// The owners asked for.
    pub owners: Vec<String>,
    /// The published site (absolute, ending in `/`).
    pub base_url: String,
    /// What the digest could not know, in sentences.
    pub notes: Vec<String>,
    /// Goals that turned behind or at risk, bets past their quarter, new errors.
    pub needs_decision: Section,
    /// Reviews, deadlines, the quarter's end and check-ins in the next 14 days.
    pub coming_up: Section,
    /// The window's changes from git, newest first.
    pub changed: Section,
    /// Findings new and resolved in the window, by rule.
    pub health: Health,
    /// A line for the terminal, not the digest: the kept history was
    /// refused ([`crate::history::cache::KeptUse::note`]).
    #[serde(skip)]
    pub kept_note: Option<String>,
}

/// A team named in the scope.
#[derive(Debug, Serialize)]
pub struct Named {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// A list of items, and how many more were left out.
#[derive(Debug, Default, Serialize)]
pub struct Section {
    /// The items shown.
    pub items: Vec<Item>,
    /// Items left out past [`MAX_ITEMS`].
    pub more: usize,
}

/// One line of a section: a document and what to say of it. All text is
/// raw; each renderer escapes it for its reader.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The document's title (or id when it has none).
    pub title: String,
    /// Its id.
    pub id: String,
    /// Its kind's label.
    pub kind: String,
    /// Its page on the published site; `None` when it is gone.
    pub url: Option<String>,
    /// What to say (`behind (was on track)`, `review due`).
    pub what: String,
    /// The day it concerns (a due date, a commit's date).
    pub date: Option<String>,
    /// Already past due.
    pub overdue: bool,
    /// The commit, for a change.
    pub commit: Option<CommitRef>,
}

/// A commit, as a change names it.
#[derive(Debug, Clone, Serialize)]
pub struct CommitRef {
    /// The full id.
    pub id: String,
    /// Its first seven characters.
    pub short: String,
    /// The author.
    pub author: String,
    /// The subject line.
    pub subject: String,
    /// Its page under `repo_url`.
    pub url: Option<String>,
}

/// Findings new and resolved in the window.
#[derive(Debug, Default, Serialize)]
pub struct Health {
    /// Whether the findings at the window's start were known (git history).
    pub compared: bool,
    /// Findings introduced, by rule; without `compared`, every finding now.
    pub new: Vec<RuleCount>,
    /// Findings resolved, by rule.
    pub resolved: Vec<RuleCount>,
}

/// One rule's findings in "Health".
#[derive(Debug, Serialize)]
pub struct RuleCount {
    /// The rule's id.
    pub rule: String,
    /// Its title.
    pub title: String,
    /// How many findings.
    pub count: usize,
    /// The first documents they are on.
    pub docs: Vec<Item>,
}

impl Digest {
    /// Whether no section has anything.
    pub fn is_empty(&self) -> bool {
        self.needs_decision.items.is_empty()
            && self.coming_up.items.is_empty()
            && self.changed.items.is_empty()
            && self.health.new.is_empty()
            && self.health.resolved.is_empty()
    }
}

/// Builds the digest of the site at `options.root` as of `options.today`.
pub fn digest(options: &LoadOptions, asked: &DigestOptions) -> Result<Digest, RunError> {
    // Now as `diff` reads its working-tree side, without git dates, so
    // that it is judged as the window's start is (see `diff::analyse`).
    let (now, history) = std::thread::scope(|scope| {
        let history = scope.spawn(|| read_history(options, true));
        (analyse(&Side::WorkingTree, options), history.join())
    });
    let mut now = now?.site;
    now.history = std::sync::Arc::new(history.unwrap_or_default());
    let base_url = base_url(asked.base_url.as_deref().unwrap_or(&now.config.base_url))?;
    let (scope, team_docs) = Scope::new(&now, asked)?;
    let today = now.today;
    let mut notes = Vec::new();
    let read = matches!(now.history.state, HistoryState::Read { .. });
    if let Some(note) = now.history.state.note() {
        notes.push(note);
    }
    // The window: its days, the commits in it, and the revision it starts from.
    let (from, commits_in, base, since_revision) = match &asked.since {
        Since::Duration(c) => {
            let from = c.before(today).tomorrow().unwrap_or(today);
            (from, None, base_before(&now, from), None)
        }
        Since::After(d) => {
            if *d >= today {
                return Err(RunError::Other(format!(
                    "`--since {d}` is not before the day judged on ({today}); the window is the days after it"
                )));
            }
            let from = d.tomorrow().unwrap_or(today);
            (from, None, base_before(&now, from), None)
        }
        Since::Revision(rev) => {
            if !read {
                return Err(RunError::Other(format!(
                    "`--since {rev}` names a revision, but the site has no git history; give a duration (`7d`) or a date instead"
                )));
            }
            let (commit, after) = revision_window(&options.root, rev)?;
            let from = now
                .history
                .commits
                .iter()
                .filter(|c| after.contains(&c.id))
                .map(|c| c.date)
                .min()
                .unwrap_or(today);
            (from, Some(after), Some(commit), Some(rev.clone()))
        }
    };
    // The site at the window's start; `None` when it cannot be known.
    let then = match base {
        Some(commit) if read => match analyse(&Side::Revision(commit), options) {
            Ok(a) => Some(a.site),
            Err(e) => {
                notes.push(format!(
                    "The site at the window's start could not be read ({e}), so nothing is compared with it."
                ));
                None
            }
        },
        // History read, but no commit before the window: the site began in it.
        None if read => Some(Site::empty(options)),
        _ => None,
    };
    if then.is_none() && !read {
        notes.push("Without git history, what changed and what is new cannot be known: the sections show the site as it is now.".into());
    }
    let ctx = Ctx::new(&now, then.as_ref(), &scope, &base_url);
    let events: Vec<&Event> = now
        .shown_events_between(from, today)
        .filter(|e| {
            commits_in
                .as_ref()
                .is_none_or(|set| set.contains(&now.history.commits[e.commit].id))
        })
        .collect();
    Ok(Digest {
        site: now.config.title.clone(),
        from: from.to_string(),
        to: today.to_string(),
        since_revision,
        teams: team_docs
            .iter()
            .map(|&t| Named {
                id: now.docs[t].id.clone(),
                title: now.docs[t].title.clone(),
            })
            .collect(),
        owners: asked.owners.clone(),
        base_url: base_url.clone(),
        notes,
        needs_decision: ctx.needs_decision(),
        coming_up: ctx.coming_up(),
        changed: ctx.changed(&events),
        health: ctx.health(),
        kept_note: now.history.kept.note(),
    })
}

/// The absolute `base_url` links go to, ending in `/`, or why it will not do.
fn base_url(url: &str) -> Result<String, RunError> {
    let refuse = |why: String| {
        RunError::Other(format!(
            "the digest links to the published site, so it needs an absolute base_url, and {why}; set `base_url: https://…` in throughline.yaml or pass `--base-url https://…`"
        ))
    };
    let checked = crate::config::repo_url(url)
        .map_err(|_| refuse(format!("`{}` is not one", crate::escape::for_terminal(url))))?;
    if let Some(c) = checked
        .chars()
        .find(|c| matches!(c, '|' | '(' | ')' | '[' | ']' | '{' | '}' | '\\' | '^'))
    {
        return Err(refuse(format!("`{checked}` contains {c:?}")));
    }
    Ok(format!("{checked}/"))
}

/// The newest commit dated before `from`: the site as the window found it.
fn base_before(site: &Site, from: Date) -> Option<String> {
    site.history
        .commits
        .iter()
        .find(|c| c.date < from)
        .map(|c| c.id.clone())
}

/// `rev`'s commit and the commits after it on HEAD's first-parent line.
fn revision_window(
    root: &std::path::Path,
    rev: &str,
) -> Result<(String, HashSet<String>), RunError> {
    let unknown = |why: &str| {
        RunError::Other(format!(
            "`--since {rev}` is not a duration (`7d`), a date (YYYY-MM-DD) or a revision of this repository: {why}"
        ))
    };
    let git = |args: &[&str]| {
        crate::git::command(root)
            .args(args)
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| unknown(&e.to_string()))
    };
    let spec = format!("{rev}^{{commit}}");
    let parsed = git(&["rev-parse", "--verify", "-q", "--end-of-options", &spec])?;
    let commit = String::from_utf8_lossy(&parsed.stdout).trim().to_string();
    if !parsed.status.success() || commit.is_empty() {
        return Err(unknown("git knows no such commit"));
    }
    let range = format!("{commit}..HEAD");
    let listed = git(&["rev-list", "--first-parent", "--end-of-options", &range])?;
    if !listed.status.success() {
        return Err(unknown(String::from_utf8_lossy(&listed.stderr).trim()));
    }
    let after = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    Ok((commit, after))
}

/// The documents the digest is about: those of the teams and owners asked
/// for, or all.
struct Scope {
    /// The teams' ids (compared by id: a site may be the one at the window's start).
    teams: Vec<String>,
    owners: HashSet<String>,
}

type MeasuredBy = crate::analysis::Teams;

fn measured_by(site: &Site) -> MeasuredBy {
    crate::analysis::Teams::new(&site.docs, &site.graph)
}

impl Scope {
    /// The scope asked for, its teams checked against `site`'s team documents.
    fn new(site: &Site, asked: &DigestOptions) -> Result<(Scope, Vec<DocId>), RunError> {
        let mut teams = Vec::new();
        for id in &asked.teams {
            match site
                .graph
                .lookup(id)
                .filter(|&t| site.docs[t].kind == "team")
            {
                Some(t) => teams.push(t),
                None => {
                    let known: Vec<&str> = site
                        .docs
                        .iter()
                        .filter(|d| d.kind == "team")
                        .map(|d| d.id.as_str())
                        .collect();
                    let hint = match crate::text::suggest(id, known.iter().copied()) {
                        Some(s) => format!("; did you mean `{s}`?"),
                        None if known.is_empty() => "; the site has no team documents".into(),
                        None => format!("; the teams are {}", known.join(", ")),
                    };
                    return Err(RunError::Other(format!(
                        "`--team {}`: no team document has that id{hint}",
                        crate::escape::for_terminal(id)
                    )));
                }
            }
        }
        teams.sort_unstable();
        teams.dedup();
        let scope = Scope {
            teams: teams.iter().map(|&t| site.docs[t].id.clone()).collect(),
            owners: asked.owners.iter().cloned().collect(),
        };
        Ok((scope, teams))
    }

    fn everything(&self) -> bool {
        self.teams.is_empty() && self.owners.is_empty()
    }

    /// Whether document `doc` of `site` is in scope: its owner is asked
    /// for, or its team (its own or inherited) is. A metric belongs to the
    /// teams of what it measures, a review to those of what it covers.
    fn has(&self, site: &Site, measured: &MeasuredBy, doc: DocId) -> bool {
        if self.everything() {
            return true;
        }
        let d = &site.docs[doc];
        if d.owner.as_ref().is_some_and(|o| self.owners.contains(o)) {
            return true;
        }
        measured
            .of(&site.docs, &site.graph, &site.facts, doc)
            .into_iter()
            .any(|t| self.teams.contains(&site.docs[t].id))
    }
}

/// What the sections are built from.
struct Ctx<'a> {
    now: &'a Site,
    /// The site at the window's start, when it is known.
    then: Option<&'a Site>,
    scope: &'a Scope,
    base_url: &'a str,
    now_measured: MeasuredBy,
    then_measured: MeasuredBy,
    /// Findings introduced and resolved in the window (`None`: not known).
    findings: Option<(Vec<FindingSummary>, Vec<FindingSummary>)>,
}

impl<'a> Ctx<'a> {
    fn new(now: &'a Site, then: Option<&'a Site>, scope: &'a Scope, base_url: &'a str) -> Self {
        Ctx {
            now,
            then,
            scope,
            base_url,
            now_measured: measured_by(now),
            then_measured: then.map(measured_by).unwrap_or_default(),
            findings: then.map(|then| crate::diff::findings_between(then, now)),
        }
    }

    /// Whether document `doc` of the site now is in scope.
    fn in_scope(&self, doc: DocId) -> bool {
        self.scope.has(self.now, &self.now_measured, doc)
    }

    /// Whether the document with `id` is in scope: as it is now, else as
    /// it was at the window's start (a removed document).
    fn id_in_scope(&self, id: &str) -> bool {
        if self.scope.everything() {
            return true;
        }
        if let Some(doc) = self.now.graph.lookup(id) {
            return self.in_scope(doc);
        }
        self.then.is_some_and(|then| {
            then.graph
                .lookup(id)
                .is_some_and(|doc| self.scope.has(then, &self.then_measured, doc))
        })
    }

    /// A document's page on the published site, while it is in the site.
    fn url(&self, id: &str) -> Option<String> {
        (self.now.graph.lookup(id).is_some() && crate::text::is_slug(id))
            .then(|| format!("{}{id}/", self.base_url))
    }

    fn kind_label(&self, kind: &str) -> String {
        self.now
            .config
            .schema
            .get(kind)
            .map_or(kind, |k| k.label.as_str())
            .to_string()
    }

    /// An item for document `doc` of the site now.
    fn item(&self, doc: DocId, what: String, date: Option<Date>, overdue: bool) -> Item {
        let d = &self.now.docs[doc];
        Item {
            title: title_or_id(&d.title, &d.id),
            id: d.id.clone(),
            kind: self.kind_label(&d.kind),
            url: self.url(&d.id),
            what,
            date: date.map(|d| d.to_string()),
            overdue,
            commit: None,
        }
    }

    /// An item for a finding's document (an id, or a file when it has none).
    fn finding_item(&self, doc: &str, what: String) -> Item {
        let found = self
            .now
            .graph
            .lookup(doc)
            .map(|i| &self.now.docs[i])
            .or_else(|| {
                self.then
                    .and_then(|t| t.graph.lookup(doc).map(|i| &t.docs[i]))
            });
        Item {
            title: found.map_or_else(|| doc.to_string(), |d| title_or_id(&d.title, &d.id)),
            id: doc.to_string(),
            kind: found.map_or_else(|| "file".into(), |d| self.kind_label(&d.kind)),
            url: self.url(doc),
            what,
            date: None,
            overdue: false,
            commit: None,
        }
    }

    /// Goals that turned behind or at risk, bets past their quarter, errors new.
    fn needs_decision(&self) -> Section {
        let pace = |site: &Site, doc: DocId| {
            worst_own_pace(
                &site.docs,
                &site.graph,
                &site.facts,
                doc,
                site.config.pace_tolerance,
                site.today,
            )
        };
        let mut items = Vec::new();
        for (i, d) in DocId::all(self.now.docs.len()).zip(&self.now.docs) {
            if !matches!(d.kind.as_str(), "objective" | "bet") || !self.in_scope(i) {
                continue;
            }
            let Some(verdict) = pace(self.now, i).filter(|v| *v >= PaceVerdict::AtRisk) else {
                continue;
            };
            let what = match self.then {
                None => verdict.as_str().to_string(),
                Some(then) => match then.graph.lookup(&d.id).and_then(|j| pace(then, j)) {
                    Some(before) if before >= verdict => continue,
                    Some(before) => {
                        format!("turned {} (was {})", verdict.as_str(), before.as_str())
                    }
                    None => format!("turned {} (no pace before)", verdict.as_str()),
                },
            };
            items.push(self.item(i, what, None, false));
        }
        for f in &self.now.diagnostics {
            let Some(doc) = f.doc.as_deref().and_then(|id| self.now.graph.lookup(id)) else {
                continue;
            };
            if f.rule == "expired" && self.now.docs[doc].kind == "bet" && self.in_scope(doc) {
                items.push(self.item(doc, f.message.clone(), None, true));
            }
        }
        let severity: HashMap<(&str, &str, &str), Severity> = self
            .now
            .diagnostics
            .iter()
            .map(|d| {
                let doc = d.doc.as_deref().unwrap_or(&d.file);
                ((d.rule, doc, d.message.as_str()), d.severity)
            })
            .collect();
        let errors: Vec<(&str, &str, &str)> = match &self.findings {
            Some((new, _)) => new
                .iter()
                .map(|f| (f.rule.as_str(), f.doc.as_str(), f.message.as_str()))
                .filter(|k| severity.get(k) == Some(&Severity::Error))
                .collect(),
            None => severity
                .iter()
                .filter(|(_, s)| **s == Severity::Error)
                .map(|(k, _)| *k)
                .collect(),
        };
        let mut errors: Vec<Item> = errors
            .into_iter()
            .filter(|(_, doc, _)| self.id_in_scope(doc))
            .map(|(rule, doc, message)| {
                self.finding_item(doc, format!("error ({rule}): {message}"))
            })
            .collect();
        errors.sort_by(|a, b| (&a.id, &a.what).cmp(&(&b.id, &b.what)));
        items.extend(errors);
        capped(items)
    }

    /// Reviews, goal deadlines, the quarter's end and check-ins due in the
    /// next [`HORIZON_DAYS`] days; overdue ones first.
    fn coming_up(&self) -> Section {
        let now = self.now;
        let today = now.today;
        let horizon = today.saturating_add(jiff::ToSpan::days(HORIZON_DAYS));
        let mut items = Vec::new();
        for (i, d) in DocId::all(now.docs.len()).zip(&now.docs) {
            if !self.in_scope(i) {
                continue;
            }
            if let Some(due) = now.facts.next_review(i).filter(|&due| due <= horizon) {
                let what = if due < today {
                    format!("review overdue since {due}")
                } else {
                    format!("review due by {due}")
                };
                items.push(self.item(i, what, Some(due), due < today));
            }
            let open = !d.status.is_some_and(crate::model::Status::is_closed);
            let success = d
                .success
                .as_ref()
                .filter(|_| d.kind == "bet")
                .and_then(|s| s.deadline)
                .map(|by| ("success criteria", by));
            let krs = d
                .key_results
                .iter()
                .enumerate()
                .filter(|_| d.kind == "objective")
                .filter_map(|(n, k)| k.by.map(|by| (n, by)));
            let mut deadlines: Vec<(String, Date)> = success
                .map(|(w, by)| (w.to_string(), by))
                .into_iter()
                .collect();
            deadlines.extend(krs.map(|(n, by)| (format!("key result {}", n + 1), by)));
            for (goal, by) in deadlines.into_iter().filter(|_| open) {
                if by > horizon {
                    continue;
                }
                let what = if by < today {
                    format!("{goal}: deadline passed on {by}")
                } else {
                    format!("{goal}: deadline {by}")
                };
                items.push(self.item(i, what, Some(by), by < today));
            }
            if let Some((cadence, due)) = crate::rules::checkin_due(d, &now.config.schema) {
                match due {
                    None => items.push(self.item(i, "no check-ins yet".into(), None, true)),
                    Some(due) if due <= horizon => {
                        let what = if due < today {
                            format!("check-in overdue since {due} (every {cadence})")
                        } else {
                            format!("check-in due by {due} (every {cadence})")
                        };
                        items.push(self.item(i, what, Some(due), due < today));
                    }
                    Some(_) => {}
                }
            }
        }
        let quarter = Quarter::of(today);
        if quarter.last_day() <= horizon {
            let end = quarter.last_day();
            items.push(Item {
                title: format!("End of {quarter}"),
                id: quarter.to_string(),
                kind: "quarter".into(),
                url: Some(format!("{}quarters/{quarter}/", self.base_url)),
                what: format!("the quarter ends on {end}: review its bets and objectives"),
                date: Some(end.to_string()),
                overdue: false,
                commit: None,
            });
        }
        items.sort_by(|a, b| {
            (!a.overdue, &a.date, &a.title, &a.what).cmp(&(!b.overdue, &b.date, &b.title, &b.what))
        });
        capped(items)
    }

    /// The window's changes, as the changes page lists them.
    fn changed(&self, events: &[&Event]) -> Section {
        let history = &self.now.history;
        let repo_url = self.now.config.repo_url.as_deref().filter(|u| link_safe(u));
        let items = events
            .iter()
            .filter(|e| self.id_in_scope(&e.id))
            .map(|e| {
                let commit = &history.commits[e.commit];
                let title = match self.now.graph.lookup(&e.id) {
                    Some(i) => title_or_id(&self.now.docs[i].title, &e.id),
                    None => e.title.clone().unwrap_or_else(|| e.id.clone()),
                };
                Item {
                    title,
                    id: e.id.clone(),
                    kind: self.kind_label(&e.kind),
                    url: self.url(&e.id),
                    what: match self.learning(&e.id) {
                        Some(learned) => format!("{}; learned: {learned}", e.change.describe()),
                        None => e.change.describe(),
                    },
                    date: Some(commit.date.to_string()),
                    overdue: false,
                    commit: Some(CommitRef {
                        id: commit.id.clone(),
                        short: commit.short().to_string(),
                        author: commit.author.clone(),
                        subject: commit.subject.clone(),
                        url: commit.url(repo_url),
                    }),
                }
            })
            .collect();
        capped(items)
    }

    /// A review's learning, as the quarter review quotes it: its body's
    /// first paragraph. The analysis keeps every text whole.
    fn learning(&self, id: &str) -> Option<String> {
        let doc = self.now.graph.lookup(id)?;
        let d = &self.now.docs[doc];
        if d.kind != "review" {
            return None;
        }
        let body = self
            .now
            .sources
            .get(d.source.index())?
            .text
            .get(d.body_offset..)?;
        Some(crate::render::markdown::first_paragraph(
            body,
            LEARNING_LIMIT,
        ))
        .filter(|l| !l.is_empty())
    }

    /// Findings new and resolved in the window, by rule.
    fn health(&self) -> Health {
        let by_rule = |findings: Vec<&FindingSummary>| {
            let mut rules: BTreeMap<&str, Vec<&FindingSummary>> = BTreeMap::new();
            for f in findings.into_iter().filter(|f| self.id_in_scope(&f.doc)) {
                rules.entry(f.rule.as_str()).or_default().push(f);
            }
            rules
                .into_iter()
                .map(|(rule, found)| RuleCount {
                    rule: rule.to_string(),
                    title: rule_title(rule).to_string(),
                    count: found.len(),
                    docs: {
                        // A document once, however many of the rule's findings it has.
                        let mut seen = HashSet::new();
                        found
                            .iter()
                            .filter(|f| seen.insert(f.doc.as_str()))
                            .take(DOCS_PER_RULE)
                            .map(|f| self.finding_item(&f.doc, f.message.clone()))
                            .collect()
                    },
                })
                .collect::<Vec<_>>()
        };
        match &self.findings {
            Some((new, resolved)) => Health {
                compared: true,
                new: by_rule(new.iter().collect()),
                resolved: by_rule(resolved.iter().collect()),
            },
            None => {
                let now: Vec<FindingSummary> = self
                    .now
                    .diagnostics
                    .iter()
                    .map(|d| FindingSummary::of(self.now, d))
                    .collect();
                Health {
                    compared: false,
                    new: by_rule(now.iter().collect()),
                    resolved: Vec::new(),
                }
            }
        }
    }
}

/// A rule's title from the catalog, or its id.
fn rule_title(rule: &str) -> &'static str {
    crate::rules::catalog()
        .into_iter()
        .find(|r| r.id == rule)
        .map_or("", |r| r.title)
}

fn title_or_id(title: &str, id: &str) -> String {
    if title.trim().is_empty() {
        id.to_string()
    } else {
        title.to_string()
    }
}

/// The first [`MAX_ITEMS`] items, and how many more.
fn capped(mut items: Vec<Item>) -> Section {
    let more = items.len().saturating_sub(MAX_ITEMS);
    items.truncate(MAX_ITEMS);
    Section { items, more }
}

/// Whether `url` can go into every format's link syntax as it is.
fn link_safe(url: &str) -> bool {
    !url.chars().any(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '"' | '\'' | '<' | '>' | '`' | '|' | '(' | ')' | '[' | ']' | '\\'
            )
    })
}
