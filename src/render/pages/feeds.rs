//! The Atom feeds (RFC 4287): `changes/feed.xml` for the whole strategy and
//! `teams/<team-id>/feed.xml` for each team, one entry per complete week of
//! the changes window that has changes, the week's changes as the changes
//! page groups them ([`events_by_week`]). A feed reader (Slack's RSS app,
//! Teams) shows a week once: an entry's id is its feed's address and the
//! week's Monday, and its `updated` the date of the week's newest commit,
//! so a rebuild writes the same bytes.
//!
//! Published only with an absolute `base_url`: a feed's ids and links must
//! be absolute, and a feed is read away from the site.

use std::fmt::Write;

use super::changes::events_by_week;
use crate::date::Date;
use crate::escape::for_xml;
use crate::history::Event;
use crate::output::OutputFile;
use crate::render::markdown::escape as html;
use crate::render::view::Model;
use crate::site::Site;

/// Changes an entry lists; the rest are counted, and the changes page has
/// them. A feed holds at most a window's weeks of this many (about 300 KB
/// for 13 weeks), under the 1 MB a page may weigh.
const FEED_CHANGES_PER_WEEK: usize = 50;

/// The whole strategy's feed, from the output's root.
pub(in crate::render) const CHANGES_FEED: &str = "changes/feed.xml";

/// Whether the site publishes feeds: its `base_url` is absolute.
pub(in crate::render) fn published(site: &Site) -> bool {
    absolute_base(site).is_some()
}

fn absolute_base(site: &Site) -> Option<&str> {
    let base = site.config.base_url.as_str();
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))?;
    let ok = !rest.is_empty()
        && !rest.starts_with('/')
        && !base.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`')
        });
    ok.then_some(base)
}

/// A team's feed, from the output's root.
pub(in crate::render) fn team_feed(team: &str) -> String {
    format!("teams/{team}/feed.xml")
}

/// Every feed of the site: none without an absolute `base_url`.
pub(in crate::render) fn feeds(model: &Model<'_>) -> Vec<OutputFile> {
    let site = model.site;
    let Some(base) = absolute_base(site) else {
        return Vec::new();
    };
    // Complete weeks only: a week still under way would change its entry.
    let weeks: Vec<(Date, Vec<&Event>)> = events_by_week(site)
        .into_iter()
        .filter(|(monday, _)| monday.saturating_add(jiff::ToSpan::days(6)).lt(&site.today))
        .collect();
    let mut files = vec![OutputFile::text(
        CHANGES_FEED,
        feed(
            model,
            base,
            &format!("{}: changes", site.config.title),
            CHANGES_FEED,
            &weeks,
        ),
    )];
    let teams = crate::analysis::Teams::new(&site.docs, &site.graph);
    for (t, team) in crate::graph::DocId::all(site.docs.len()).zip(&site.docs) {
        if team.kind != "team" || !crate::text::is_slug(&team.id) {
            continue;
        }
        let theirs: Vec<(Date, Vec<&Event>)> = weeks
            .iter()
            .map(|(monday, events)| {
                let mine = events
                    .iter()
                    .filter(|e| {
                        site.graph.lookup(&e.id).is_some_and(|d| {
                            teams
                                .of(&site.docs, &site.graph, &site.facts, d)
                                .contains(&t)
                        })
                    })
                    .copied()
                    .collect();
                (*monday, mine)
            })
            .filter(|(_, events): &(Date, Vec<&Event>)| !events.is_empty())
            .collect();
        let path = team_feed(&team.id);
        let title = format!("{}: changes for {}", site.config.title, team.title);
        files.push(OutputFile::text(
            &path,
            feed(model, base, &title, &path, &theirs),
        ));
    }
    files
}

/// One feed: its entries newest week first.
fn feed(
    model: &Model<'_>,
    base: &str,
    title: &str,
    path: &str,
    weeks: &[(Date, Vec<&Event>)],
) -> String {
    let site = model.site;
    let updated_of = |events: &[&Event]| {
        events
            .iter()
            .map(|e| site.history.commits[e.commit].date)
            .max()
    };
    let updated = weeks
        .iter()
        .filter_map(|(_, events)| updated_of(events))
        .max()
        .unwrap_or(site.today);
    let id = format!("{base}{path}");
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = write!(
        out,
        "  <title>{}</title>\n  <id>{}</id>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <updated>{}</updated>\n  <author><name>{}</name></author>\n  <generator>throughline</generator>\n",
        for_xml(title),
        for_xml(&id),
        for_xml(&id),
        for_xml(&format!("{base}changes/")),
        timestamp(updated),
        for_xml(&site.config.title),
    );
    for (monday, events) in weeks.iter().rev() {
        let Some(updated) = updated_of(events) else {
            continue;
        };
        let anchor = format!("{base}changes/#week-{monday}");
        let count = events.len();
        let _ = write!(
            out,
            "  <entry>\n    <title>Week of {monday}: {count} change{}</title>\n    <id>{}</id>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <updated>{}</updated>\n    <content type=\"html\">{}</content>\n  </entry>\n",
            if count == 1 { "" } else { "s" },
            for_xml(&format!("{id}#week-{monday}")),
            for_xml(&anchor),
            timestamp(updated),
            for_xml(&week_html(model, base, events)),
        );
    }
    out.push_str("</feed>\n");
    out
}

/// A week's changes as an HTML list, each linking to its document's page.
fn week_html(model: &Model<'_>, base: &str, events: &[&Event]) -> String {
    let site = model.site;
    let mut out = String::from("<ul>");
    for event in events.iter().take(FEED_CHANGES_PER_WEEK) {
        let commit = &site.history.commits[event.commit];
        let (title, link) = match model.link_to(&event.id) {
            Some(l) => (l.title, Some(format!("{base}{}/", l.id))),
            None => (event.title.as_deref().unwrap_or(&event.id), None),
        };
        out.push_str("<li>");
        match link {
            Some(href) => {
                let _ = write!(out, "<a href=\"{}\">{}</a>", html(&href), html(title));
            }
            None => out.push_str(&html(title)),
        }
        let _ = write!(out, ": {} <small>(", html(&event.change.describe()));
        match commit.url(site.config.repo_url.as_deref()) {
            Some(url) => {
                let _ = write!(out, "<a href=\"{}\">{}</a>", html(&url), commit.short());
            }
            None => out.push_str(commit.short()),
        }
        let _ = write!(
            out,
            " {}, {}, {})</small></li>",
            html(&commit.subject),
            html(&commit.author),
            commit.date
        );
    }
    if events.len() > FEED_CHANGES_PER_WEEK {
        let _ = write!(
            out,
            "<li>and {} more changes, on the changes page</li>",
            events.len() - FEED_CHANGES_PER_WEEK
        );
    }
    out.push_str("</ul>");
    out
}

/// A date as an RFC 3339 timestamp at midnight UTC: commits are dated by day.
fn timestamp(date: Date) -> String {
    format!("{date}T00:00:00Z")
}
