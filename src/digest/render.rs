//! The renderers of a [`Digest`], one per format, from the one model. Every
//! value from the repository (titles, ids, kinds, messages, commit subjects
//! and authors) goes through its reader's escaping function in
//! [`crate::escape`] (HTML: `render::markdown::escape`); links go only to
//! the model's URLs, which point into `base_url` and `repo_url`.

use std::fmt::Write;

use serde_json::{json, Value};

use super::{Digest, RuleCount, Section, HORIZON_DAYS};
use crate::escape::{
    for_markdown, for_slack, json_for_terminal, markdown_code_span, markdown_with_code,
};
use crate::render::markdown::escape as html;

/// How `digest` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestFormat {
    /// For a chat or a pull request.
    Markdown,
    /// An email: one HTML document, inline styles only.
    Html,
    /// One JSON document.
    Json,
    /// A Slack Block Kit payload for an incoming webhook.
    Slack,
}

/// The line an empty digest says.
pub const NOTHING: &str = "Nothing needs you this week: no decision is waiting, nothing falls due in the next 14 days, and nothing changed.";

/// `digest` in `format`.
pub fn render(digest: &Digest, format: DigestFormat) -> String {
    match format {
        DigestFormat::Markdown => markdown(digest),
        DigestFormat::Html => html_email(digest),
        DigestFormat::Json => {
            let text = serde_json::to_string_pretty(digest).unwrap_or_default();
            let mut out = json_for_terminal(&text).into_owned();
            out.push('\n');
            out
        }
        DigestFormat::Slack => slack(digest),
    }
}

/// The digest's title, raw.
fn title(digest: &Digest) -> String {
    format!("Strategy digest: {}", digest.site)
}

/// The window and the scope in words, raw.
fn subtitle(digest: &Digest) -> String {
    let mut out = match &digest.since_revision {
        Some(rev) => format!("Changes since {rev}, judged on {}", digest.to),
        None => format!("{} to {}", digest.from, digest.to),
    };
    let mut scope: Vec<String> = digest
        .teams
        .iter()
        .map(|t| format!("team {} ({})", t.title, t.id))
        .collect();
    scope.extend(digest.owners.iter().map(|o| format!("owner {o}")));
    if !scope.is_empty() {
        let _ = write!(out, ", for {}", scope.join(", "));
    }
    out
}

/// The sections in order, with their headings.
fn sections(digest: &Digest) -> [(String, &Section); 3] {
    [
        ("Needs a decision".into(), &digest.needs_decision),
        (
            format!("Coming up in the next {HORIZON_DAYS} days"),
            &digest.coming_up,
        ),
        ("What changed".into(), &digest.changed),
    ]
}

/// The health section's two lists with their headings.
fn health_lists(digest: &Digest) -> [(&'static str, &[RuleCount]); 2] {
    let new = if digest.health.compared {
        "New findings"
    } else {
        "Findings now (the findings at the window's start are not known)"
    };
    [
        (new, &digest.health.new),
        ("Resolved findings", &digest.health.resolved),
    ]
}

fn more_line(more: usize) -> Option<String> {
    (more > 0).then(|| format!("and {more} more, on the site"))
}

/// The prefix of an overdue item.
const OVERDUE: &str = "overdue";

fn markdown(digest: &Digest) -> String {
    let mut out = format!("# {}\n\n", for_markdown(&title(digest)));
    let _ = writeln!(out, "{}\n", for_markdown(&subtitle(digest)));
    for note in &digest.notes {
        let _ = writeln!(out, "> {}\n", markdown_with_code(note));
    }
    if digest.is_empty() {
        let _ = writeln!(out, "{NOTHING}");
        return out;
    }
    let link = |text: &str, url: &Option<String>| match url {
        Some(url) => format!("[{}](<{url}>)", for_markdown(text)),
        None => for_markdown(text),
    };
    for (heading, section) in sections(digest) {
        if section.items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {heading}\n");
        for item in &section.items {
            let mut line = String::from("- ");
            if item.overdue {
                let _ = write!(line, "**{OVERDUE}** ");
            }
            let _ = write!(
                line,
                "{} ({}): {}",
                link(&item.title, &item.url),
                for_markdown(&item.kind),
                for_markdown(&item.what)
            );
            if let Some(c) = &item.commit {
                let short = match &c.url {
                    Some(url) => format!("[{}](<{url}>)", markdown_code_span(&c.short)),
                    None => markdown_code_span(&c.short),
                };
                let _ = write!(
                    line,
                    ", in {short} {} ({}, {})",
                    for_markdown(&c.subject),
                    for_markdown(&c.author),
                    item.date.as_deref().unwrap_or("")
                );
            }
            let _ = writeln!(out, "{line}");
        }
        if let Some(more) = more_line(section.more) {
            let _ = writeln!(out, "- {more}");
        }
        out.push('\n');
    }
    if !digest.health.new.is_empty() || !digest.health.resolved.is_empty() {
        out.push_str("## Health\n\n");
        for (heading, rules) in health_lists(digest) {
            if rules.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{heading}:\n");
            for r in rules {
                let docs: Vec<String> = r.docs.iter().map(|d| link(&d.title, &d.url)).collect();
                let _ = writeln!(
                    out,
                    "- {} {}: {}: {}",
                    for_markdown(&r.title),
                    markdown_code_span(&r.rule),
                    r.count,
                    docs.join(", ")
                );
            }
            out.push('\n');
        }
    }
    out
}

/// Inline styles: mail clients drop `<style>` and external sheets.
const BODY: &str = "margin:0;padding:24px;background:#ffffff;color:#1a1a1a;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5";
const H1: &str = "margin:0 0 4px;font-size:22px";
const H2: &str =
    "margin:24px 0 8px;font-size:17px;border-bottom:1px solid #d0d0d0;padding-bottom:4px";
const MUTED: &str = "color:#555555;font-size:13px";
const LINK: &str = "color:#0b57d0";
const BADGE: &str = "display:inline-block;padding:0 6px;border-radius:3px;background:#b3261e;color:#ffffff;font-size:12px;font-weight:bold";

fn html_email(digest: &Digest) -> String {
    let mut out = String::new();
    let title = html(&title(digest));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>{title}</title>\n</head>\n<body style=\"{BODY}\">\n<div style=\"max-width:680px;margin:0 auto\">\n<h1 style=\"{H1}\">{title}</h1>\n<p style=\"{MUTED}\">{}</p>\n",
        html(&subtitle(digest))
    );
    for note in &digest.notes {
        let _ = writeln!(out, "<p style=\"{MUTED}\">{}</p>", html(note));
    }
    let link = |text: &str, url: &Option<String>| match url {
        Some(url) => format!(
            "<a href=\"{}\" style=\"{LINK}\">{}</a>",
            html(url),
            html(text)
        ),
        None => html(text),
    };
    if digest.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", html(NOTHING));
    }
    for (heading, section) in sections(digest) {
        if section.items.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<h2 style=\"{H2}\">{}</h2>\n<ul style=\"padding-left:20px;margin:0\">",
            html(&heading)
        );
        for item in &section.items {
            out.push_str("<li style=\"margin:0 0 6px\">");
            if item.overdue {
                let _ = write!(out, "<span style=\"{BADGE}\">{OVERDUE}</span> ");
            }
            let _ = write!(
                out,
                "{} <span style=\"{MUTED}\">({})</span>: {}",
                link(&item.title, &item.url),
                html(&item.kind),
                html(&item.what)
            );
            if let Some(c) = &item.commit {
                let _ = write!(
                    out,
                    "<br><span style=\"{MUTED}\">{} {} ({}, {})</span>",
                    link(&c.short, &c.url),
                    html(&c.subject),
                    html(&c.author),
                    html(item.date.as_deref().unwrap_or(""))
                );
            }
            out.push_str("</li>\n");
        }
        if let Some(more) = more_line(section.more) {
            let _ = writeln!(out, "<li style=\"{MUTED}\">{}</li>", html(&more));
        }
        out.push_str("</ul>\n");
    }
    if !digest.health.new.is_empty() || !digest.health.resolved.is_empty() {
        let _ = writeln!(out, "<h2 style=\"{H2}\">Health</h2>");
        for (heading, rules) in health_lists(digest) {
            if rules.is_empty() {
                continue;
            }
            let _ = writeln!(out, "<p style=\"margin:8px 0 4px\"><strong>{}</strong></p>\n<ul style=\"padding-left:20px;margin:0\">", html(heading));
            for r in rules {
                let docs: Vec<String> = r.docs.iter().map(|d| link(&d.title, &d.url)).collect();
                let _ = writeln!(
                    out,
                    "<li style=\"margin:0 0 6px\">{} <code>{}</code>: {}<br><span style=\"{MUTED}\">{}</span></li>",
                    html(&r.title),
                    html(&r.rule),
                    r.count,
                    docs.join(", ")
                );
            }
            out.push_str("</ul>\n");
        }
    }
    let _ = write!(
        out,
        "<p style=\"{MUTED};margin-top:32px\">{}</p>\n</div>\n</body>\n</html>\n",
        link("Open the strategy site", &Some(digest.base_url.clone()))
    );
    out
}

/// Slack's limit on a section's text, with room to spare.
const SLACK_SECTION_CHARS: usize = 2900;
/// Slack's limit on a message's blocks.
const SLACK_MAX_BLOCKS: usize = 50;
/// A line longer than this is cut: a title may be long, a section may not.
const SLACK_LINE_CHARS: usize = 600;

/// A title longer than this is cut in a Slack link's text.
const SLACK_TITLE_CHARS: usize = 150;

fn slack(digest: &Digest) -> String {
    let link = |text: &str, url: &Option<String>| {
        let text = match text.char_indices().nth(SLACK_TITLE_CHARS) {
            Some((at, _)) => format!("{}…", &text[..at]),
            None => text.to_string(),
        };
        match url {
            Some(url) => format!("<{url}|{}>", for_slack(&text)),
            None => for_slack(&text),
        }
    };
    let mut blocks: Vec<Value> = vec![
        mrkdwn_section(&format!("*{}*", for_slack(&title(digest)))),
        json!({"type": "context", "elements": [{"type": "mrkdwn", "text": for_slack(&subtitle(digest))}]}),
    ];
    for note in &digest.notes {
        blocks.push(
            json!({"type": "context", "elements": [{"type": "mrkdwn", "text": for_slack(note)}]}),
        );
    }
    if digest.is_empty() {
        blocks.push(mrkdwn_section(&for_slack(NOTHING)));
    }
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (heading, section) in sections(digest) {
        if section.items.is_empty() {
            continue;
        }
        let mut lines: Vec<String> = section
            .items
            .iter()
            .map(|item| {
                let mut line = String::from("• ");
                if item.overdue {
                    let _ = write!(line, "*{OVERDUE}* ");
                }
                let _ = write!(
                    line,
                    "{} ({}): {}",
                    link(&item.title, &item.url),
                    for_slack(&item.kind),
                    for_slack(&item.what)
                );
                if let Some(c) = &item.commit {
                    let _ = write!(
                        line,
                        ", in {} {} ({})",
                        link(&c.short, &c.url),
                        for_slack(&c.subject),
                        for_slack(&c.author)
                    );
                }
                line
            })
            .collect();
        lines.extend(more_line(section.more).map(|m| format!("• {m}")));
        groups.push((format!("*{heading}*"), lines));
    }
    if !digest.health.new.is_empty() || !digest.health.resolved.is_empty() {
        let mut lines = Vec::new();
        for (heading, rules) in health_lists(digest) {
            if rules.is_empty() {
                continue;
            }
            lines.push(format!("_{heading}_"));
            for r in rules {
                let docs: Vec<String> = r.docs.iter().map(|d| link(&d.title, &d.url)).collect();
                lines.push(format!(
                    "• {} ({}): {}: {}",
                    for_slack(&r.title),
                    for_slack(&r.rule),
                    r.count,
                    docs.join(", ")
                ));
            }
        }
        groups.push(("*Health*".into(), lines));
    }
    for (heading, lines) in groups {
        blocks.push(json!({"type": "divider"}));
        let mut text = heading;
        for line in lines {
            let line = cut(&line, SLACK_LINE_CHARS);
            if text.chars().count() + line.chars().count() + 1 > SLACK_SECTION_CHARS {
                blocks.push(mrkdwn_section(&text));
                text = String::new();
            }
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&line);
        }
        blocks.push(mrkdwn_section(&text));
    }
    if blocks.len() > SLACK_MAX_BLOCKS {
        blocks.truncate(SLACK_MAX_BLOCKS - 1);
        blocks.push(mrkdwn_section(&format!(
            "More on the site: <{}|open it>",
            digest.base_url
        )));
    }
    let payload = json!({"text": for_slack(&title(digest)), "blocks": blocks});
    let mut out = serde_json::to_string_pretty(&payload).unwrap_or_default();
    out.push('\n');
    out
}

fn mrkdwn_section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

/// `line` cut to `max` characters, at a character boundary, with `…`. A
/// link the cut would split is left out whole: a cut address could name
/// another site. Escaped text has no `<` or `>`, so every `<` opens a link.
fn cut(line: &str, max: usize) -> String {
    match line.char_indices().nth(max) {
        None => line.to_string(),
        Some((at, _)) => {
            let mut kept = &line[..at];
            if let Some(open) = kept.rfind('<').filter(|&o| kept[o..].find('>').is_none()) {
                kept = &kept[..open];
            }
            format!("{kept}…")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CommitRef, Health, Item, Section};
    use super::*;

    fn digest(items: usize, title: &str) -> Digest {
        let item = |n: usize| Item {
            title: format!("{title} {n}"),
            id: format!("bet-{n}"),
            kind: "Bet".into(),
            url: Some(format!("https://s.example.com/bet-{n}/")),
            what: "status proposed → committed".into(),
            date: Some("2026-11-20".into()),
            overdue: false,
            commit: Some(CommitRef {
                id: "0123456789abcdef".into(),
                short: "0123456".into(),
                author: "Ada".into(),
                subject: "Commit".into(),
                url: None,
            }),
        };
        Digest {
            site: "Acme".into(),
            from: "2026-11-18".into(),
            to: "2026-11-24".into(),
            since_revision: None,
            teams: Vec::new(),
            owners: Vec::new(),
            base_url: "https://s.example.com/".into(),
            notes: Vec::new(),
            needs_decision: Section::default(),
            coming_up: Section::default(),
            changed: Section {
                items: (0..items).map(item).collect(),
                more: 7,
            },
            health: Health::default(),
            kept_note: None,
        }
    }

    #[test]
    fn a_long_digest_keeps_within_slacks_limits() {
        let long_title = "x".repeat(5_000);
        for (n, title) in [(50, "Bet"), (3_000, "Bet"), (3, long_title.as_str())] {
            let payload: Value = serde_json::from_str(&slack(&digest(n, title))).expect("JSON");
            let blocks = payload["blocks"].as_array().expect("blocks");
            assert!(
                blocks.len() <= SLACK_MAX_BLOCKS,
                "{n}: {} blocks",
                blocks.len()
            );
            for b in blocks {
                let text = b["text"]["text"].as_str().unwrap_or("");
                assert!(
                    text.chars().count() <= 3_000,
                    "{n}: {} chars",
                    text.chars().count()
                );
            }
        }
        let text = slack(&digest(2, "Bet"));
        assert!(text.contains("and 7 more, on the site"), "{text}");
    }

    #[test]
    fn a_cut_never_splits_a_link() {
        assert_eq!(cut("• <https://s.example.com/a/|abcdef>", 20), "• …");
        assert_eq!(
            cut("• <https://s.example.com/a/|x> and more text", 33),
            "• <https://s.example.com/a/|x> an…"
        );
        assert_eq!(cut("short", 20), "short");
    }
}
