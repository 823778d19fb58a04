//! The changes page (`changes/`, `changes.html`): the strategy's changes
//! over the config's `changes_window`, by week, newest first; each review
//! in the window starts a section of the changes since it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{change_view, ChangeView, Overview};
use crate::date::Date;
use crate::history::Event;
use crate::render::jobs::Job;
use crate::render::view::{DocLink, Model};
use crate::site::Site;

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::Changes,
    template: "changes.html",
    path: "changes/index.html",
    root: Some("../"),
    section: "changes",
    render: |m, t, o, b| o.page(t, b, &changes(m)),
};

/// The changes page (`changes/`): the window's changes, by week, newest first.
#[derive(Debug, Serialize)]
struct ChangesPage<'a> {
    /// The config's `changes_window` in words (`90 days`).
    window: String,
    /// The first day of the window.
    from: String,
    /// Why there is nothing, or only part of it.
    note: Option<String>,
    /// Changes in the window.
    total: usize,
    /// The window's changes, cut at each review in it, newest first.
    sections: Vec<SinceView<'a>>,
    /// Whether a review cuts them (else one section, its weeks the page's).
    cut: bool,
    /// The Atom feed `changes/feed.xml` is published (an absolute `base_url`).
    feed: bool,
}

/// The changes since one review (up to the next), or, with no review,
/// those before every review in the window (or all of them when it has none).
#[derive(Debug, Serialize)]
struct SinceView<'a> {
    review: Option<DocLink<'a>>,
    /// The review's `date:`.
    date: Option<String>,
    /// The section's id in the page, unique: `since-<review id>`, or `before-reviews`.
    anchor: String,
    weeks: Vec<WeekView<'a>>,
}

/// One week of the changes page.
#[derive(Debug, Serialize)]
struct WeekView<'a> {
    /// Its Monday.
    start: String,
    /// Its changes under their commits, newest first: one commit line each.
    commits: Vec<CommitGroup<'a>>,
    /// Changes of the week left out past [`CHANGES_PER_WEEK`].
    hidden: usize,
}

/// One commit's changes, in the order the history lists them.
#[derive(Debug, Serialize)]
struct CommitGroup<'a> {
    commit: super::CommitView<'a>,
    changes: Vec<ChangeView<'a>>,
}

/// `changes` under their commits: the history lists a commit's changes
/// together, so each run of one commit is a group.
fn by_commit<'a>(
    model: &'a Model<'_>,
    changes: Vec<(usize, ChangeView<'a>)>,
) -> Vec<CommitGroup<'a>> {
    let mut groups: Vec<(usize, CommitGroup<'a>)> = Vec::new();
    for (commit, change) in changes {
        match groups.last_mut() {
            Some((c, group)) if *c == commit => group.changes.push(change),
            _ => groups.push((
                commit,
                CommitGroup {
                    commit: super::commit_view(model, &model.site.history.commits[commit]),
                    changes: vec![change],
                },
            )),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// How many changes of one week the changes page lists: a commit that adds
/// 10,000 documents would otherwise make a 10,000-item page.
const CHANGES_PER_WEEK: usize = 200;

/// How many text changes on the page show their excerpts (newest first);
/// older ones name their sections only. Each excerpt is up to about 80
/// words: at 10,000 documents a busy window would otherwise pass the page
/// budget ([0014](docs/decisions/0014-page-budgets.md)).
const EXCERPTS_PER_PAGE: usize = 100;

/// The first day of the changes window.
pub(super) fn changes_from(site: &Site) -> Date {
    site.config.changes_window.before(site.today)
}

/// The reviews in the window with a `date:`, newest first: where the
/// page's sections start. A commit belongs to the newest review dated
/// before its day, as `diff --since-review` takes the branch as the
/// review's day closed.
fn reviews_in(site: &Site, from: Date) -> Vec<(usize, Date)> {
    let mut reviews: Vec<(usize, Date)> = site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == "review")
        .filter_map(|(i, d)| Some((i, d.date?)))
        .filter(|&(_, date)| date >= from && date <= site.today)
        .collect();
    reviews.sort_by_key(|&(i, date)| std::cmp::Reverse((date, i)));
    reviews
}

/// The window's changes by week (its Monday), oldest week first, each
/// week's newest first: the one grouping the changes page (cut at its
/// reviews) and the feeds share.
pub(super) fn events_by_week(site: &Site) -> BTreeMap<Date, Vec<&Event>> {
    let mut weeks: BTreeMap<Date, Vec<&Event>> = BTreeMap::new();
    for event in site.shown_events_between(changes_from(site), site.today) {
        let date = site.history.commits[event.commit].date;
        weeks
            .entry(crate::date::week_start(date))
            .or_default()
            .push(event);
    }
    weeks
}

/// The changes page.
fn changes<'a>(model: &'a Model<'_>) -> ChangesPage<'a> {
    let site = model.site;
    let from = changes_from(site);
    let reviews = reviews_in(site, from);
    // Per section (0: since the newest review; the last: before them all), per week.
    type Weeks<'a> = BTreeMap<Date, (Vec<(usize, ChangeView<'a>)>, usize)>;
    let mut sections: Vec<Weeks<'a>> = (0..=reviews.len()).map(|_| BTreeMap::new()).collect();
    let mut total = 0;
    let mut excerpts = 0;
    // The feeds' grouping, cut at the reviews: a week's cap counts across
    // the sections a review cuts it into, so reviews cannot make the page
    // longer than its budget.
    // Newest week first, so the excerpts go to the newest changes.
    for (week, events) in events_by_week(site).into_iter().rev() {
        let mut listed = 0;
        for event in events {
            total += 1;
            let date = site.history.commits[event.commit].date;
            let section = reviews
                .iter()
                .position(|&(_, reviewed)| date > reviewed)
                .unwrap_or(reviews.len());
            let (shown, hidden) = sections[section].entry(week).or_default();
            if listed < CHANGES_PER_WEEK {
                listed += 1;
                let mut view = change_view(model, event);
                if !view.excerpts.is_empty() {
                    if excerpts < EXCERPTS_PER_PAGE {
                        excerpts += 1;
                    } else {
                        view.excerpts = &[];
                    }
                }
                shown.push((event.commit, view));
            } else {
                *hidden += 1;
            }
        }
    }
    let weeks = |weeks: Weeks<'a>| {
        weeks
            .into_iter()
            .rev()
            .map(|(start, (changes, hidden))| WeekView {
                start: start.to_string(),
                commits: by_commit(model, changes),
                hidden,
            })
            .collect()
    };
    let sections = sections
        .into_iter()
        .enumerate()
        .map(|(i, w)| SinceView {
            review: reviews.get(i).map(|&(doc, _)| model.links[doc]),
            date: reviews.get(i).map(|(_, date)| date.to_string()),
            anchor: reviews
                .get(i)
                .map_or("before-reviews".to_string(), |&(doc, _)| {
                    format!("since-{}", model.links[doc].id)
                }),
            weeks: weeks(w),
        })
        // A review keeps its section, empty or not: nothing since it is news.
        .filter(|s| s.review.is_some() || !s.weeks.is_empty())
        .collect();
    ChangesPage {
        window: site.config.changes_window.to_string(),
        from: from.to_string(),
        note: site.history.state.note(),
        total,
        sections,
        cut: !reviews.is_empty(),
        feed: super::feeds::published(site),
    }
}
