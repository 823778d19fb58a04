//! The changes page (`changes/`, `changes.html`): the strategy's changes
//! over the config's `changes_window`, by week, newest first.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{change_view, ChangeView, Overview};
use crate::date::Date;
use crate::history::Event;
use crate::render::jobs::Job;
use crate::render::view::Model;
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
    /// The Atom feed `changes/feed.xml` is published (an absolute `base_url`).
    feed: bool,
    weeks: Vec<WeekView<'a>>,
}

/// One week of the changes page.
#[derive(Debug, Serialize)]
struct WeekView<'a> {
    /// Its Monday.
    start: String,
    changes: Vec<ChangeView<'a>>,
    /// Changes of the week left out past [`CHANGES_PER_WEEK`].
    hidden: usize,
}

/// How many changes of one week the changes page lists: a commit that adds
/// 10,000 documents would otherwise make a 10,000-item page.
const CHANGES_PER_WEEK: usize = 200;

/// The first day of the changes window.
pub(super) fn changes_from(site: &Site) -> Date {
    site.config.changes_window.before(site.today)
}

/// The window's changes by week (its Monday), oldest week first, each
/// week's newest first: the changes page and the feeds group them alike.
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
    let weeks = events_by_week(site);
    ChangesPage {
        window: site.config.changes_window.to_string(),
        from: changes_from(site).to_string(),
        note: site.history.state.note(),
        total: weeks.values().map(Vec::len).sum(),
        feed: super::feeds::published(site),
        weeks: weeks
            .into_iter()
            .rev()
            .map(|(start, events)| WeekView {
                start: start.to_string(),
                hidden: events.len().saturating_sub(CHANGES_PER_WEEK),
                changes: events
                    .into_iter()
                    .take(CHANGES_PER_WEEK)
                    .map(|e| change_view(model, e))
                    .collect(),
            })
            .collect(),
    }
}
