//! The health report (`health/`, `health.html`): every rule with its counts
//! and first findings, and each rule's findings in full on pages of their
//! own (`health/<rule>/`, `health_rule.html`).

use std::collections::BTreeSet;

use serde::Serialize;

use super::{page, page_from, Base, Overview, PagesResult};
use crate::render::jobs::Job;
use crate::render::theme::Theme;
use crate::render::view::{DocLink, Finding, Model};
use crate::rules;

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::Health,
    template: "health.html",
    path: "health/index.html",
    root: Some("../"),
    section: "health",
    render: health_pages,
};

/// Where the health job writes its pages (the health page and each rule's):
/// `serve` drops what it served under here and a new render did not write.
pub const HEALTH_PREFIX: &str = "health/";

/// The health report, and each rule's findings in full on pages of their
/// own: the report shows only the first of each ([`HEALTH_SAMPLE`]).
fn health_pages<'m>(
    model: &'m Model<'_>,
    theme: &Theme,
    overview: &Overview,
    base: &Base<'m>,
) -> PagesResult {
    let mut files = match health_key(model) {
        Some(key) => page_from(
            theme,
            overview.template,
            overview.path.into(),
            base,
            key,
            |key| health_with(model, key.filters),
        )?
        .into_iter()
        .collect(),
        None => overview.page(theme, base, &health(model))?,
    };
    for of in health_rule_pages(model) {
        let root = "../".repeat(of.path.matches('/').count());
        let base = super::base(model, &root, overview.section);
        let template = "health_rule.html";
        let made = match health_rule_key(model, &of) {
            Some(key) => page_from(theme, template, of.path.clone(), &base, key, |_| {
                health_rule_page(model, &of)
            })?,
            None => page(
                theme,
                template,
                of.path.clone(),
                &base,
                &health_rule_page(model, &of),
            )?,
        };
        files.extend(made);
    }
    Ok(files)
}

/// Where `rule` comes in the health page: health rules, structural ones, build notes.
pub(in crate::render) fn rule_order(rule: &str) -> usize {
    rules::HEALTH_RULES
        .iter()
        .chain(rules::STRUCTURAL_RULES)
        .chain(rules::BUILD_NOTES)
        .position(|r| *r == rule)
        .unwrap_or(usize::MAX)
}

/// The health report (`health.html`): every rule with its counts, and the
/// first findings of each; the rest are on the rule's own pages.
#[derive(Debug, Serialize)]
struct HealthPage<'a> {
    groups: Vec<FindingGroup<'a>>,
    total: usize,
    /// How many findings a group shows at most: [`HEALTH_SAMPLE`].
    sample: usize,
    filters: Filters<'a>,
    /// What the colour at each finding's edge means.
    legend: crate::render::legend::Legend,
}

/// What the health page's filter offers beyond the rules: teams and owners
/// that have findings, sorted.
#[derive(Debug, Serialize)]
struct Filters<'a> {
    teams: Vec<DocLink<'a>>,
    owners: BTreeSet<&'a str>,
}

#[derive(Debug, Serialize)]
struct FindingGroup<'a> {
    rule: &'static str,
    title: &'static str,
    summary: Option<&'static str>,
    count: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Shown open: the first [`HEALTH_OPEN`] groups; the others collapse.
    open: bool,
    /// The first [`HEALTH_SAMPLE`] findings (all of them on a rule's page).
    items: Vec<Row<'a>>,
    /// The rule's own page, relative to the site root, when `items` is not all.
    all: Option<String>,
    /// The hint every finding of the rule gives, said once for the group
    /// instead of under each of them.
    hint: Option<&'a str>,
    /// The hints its rows share ([`notes`]), each said once, numbered, above
    /// the table; a row names its note's number instead of repeating it.
    hints: Vec<&'a str>,
}

/// One row of a rule's table of findings.
#[derive(Debug, Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    finding: Finding<'a>,
    /// The number (1-based) of the group's hint that says what to do for it,
    /// when its hint is one of [`FindingGroup::hints`]; `finding.hint` is then none.
    note: Option<usize>,
    /// Its document's next review, if it has one.
    due: Option<String>,
    /// Days past `due` on the build date, when it is past.
    overdue: Option<i64>,
}

/// A rule's page of findings (`health_rule.html`), one of `pages`.
#[derive(Debug, Serialize)]
struct HealthRulePage<'a> {
    group: FindingGroup<'a>,
    filters: Filters<'a>,
    /// 1-based.
    page: usize,
    /// Every page of the rule, relative to the site root, first to last.
    pages: Vec<String>,
}

/// How many findings of each rule the health page shows; a site of 10,000
/// documents has 6,000 `stale` findings, which would make the page 5 MB.
const HEALTH_SAMPLE: usize = 20;

/// How many groups of the health page are open; the rest are collapsed.
const HEALTH_OPEN: usize = 3;

/// How many findings one page of a rule holds: about 600 KB of HTML, under
/// the 1 MB a page may weigh.
const HEALTH_PAGE: usize = 1_000;

fn filters<'a>(model: &'a Model<'_>, findings: &[Finding<'a>]) -> Filters<'a> {
    let team_ids: BTreeSet<&str> = findings.iter().filter_map(|f| f.team).collect();
    let mut teams: Vec<DocLink> = team_ids
        .into_iter()
        .filter_map(|id| model.link_to(id))
        .collect();
    teams.sort_by(|a, b| a.title.cmp(b.title));
    Filters {
        teams,
        owners: findings.iter().filter_map(|f| f.owner).collect(),
    }
}

/// The path of page `page` (1-based) of `rule`'s findings, relative to the site root.
pub(super) fn rule_page_path(rule: &str, page: usize) -> String {
    if page == 1 {
        format!("health/{rule}/index.html")
    } else {
        format!("health/{rule}/{page}/index.html")
    }
}

/// How many `findings` there are: all, errors, warnings, infos.
fn severity_counts(findings: &[Finding<'_>]) -> [usize; 4] {
    let mut counts = [findings.len(), 0, 0, 0];
    for f in findings {
        match f.severity {
            "error" => counts[1] += 1,
            "warning" => counts[2] += 1,
            "info" => counts[3] += 1,
            _ => {}
        }
    }
    counts
}

/// `rule`'s group, counting `all` its findings and showing `shown` of them.
fn group<'a>(
    model: &Model<'_>,
    rule: &'static str,
    all: &[Finding<'a>],
    shown: &[Finding<'a>],
    open: bool,
) -> FindingGroup<'a> {
    let [count, errors, warnings, infos] = severity_counts(all);
    // One hint every row of the table gives is said once above it, with no
    // number in the rows, even when findings not shown give others.
    let first_hint = shown.first().and_then(|f| f.hint);
    let hint = first_hint.filter(|_| shown.iter().all(|f| f.hint == first_hint));
    let hints = if hint.is_some() {
        Vec::new()
    } else {
        notes(shown.iter().filter_map(|f| f.hint))
    };
    let today = model.site.today;
    FindingGroup {
        hint,
        items: shown
            .iter()
            .map(|f| {
                let note = f
                    .hint
                    .and_then(|h| hints.iter().position(|&n| n == h))
                    .map(|n| n + 1);
                Row {
                    finding: Finding {
                        hint: f.hint.filter(|_| hint.is_none() && note.is_none()),
                        ..*f
                    },
                    note,
                    due: f.due.map(|d| d.to_string()),
                    overdue: f.due.filter(|&d| d < today).map(|d| model.days_since(d)),
                }
            })
            .collect(),
        hints,
        rule,
        title: rules::title(rule),
        summary: rules::catalog()
            .into_iter()
            .find(|r| r.id == rule)
            .map(|r| r.summary),
        count,
        errors,
        warnings,
        infos,
        open,
        all: None,
    }
}

/// How many different hints the rows of a table may give for each to be
/// said once above it, numbered, whether one row gives it or many.
const SHARED_HINTS: usize = 3;

/// The hints said once above a table whose rows give `hints`, in the order
/// first given: all of them when there are at most [`SHARED_HINTS`] (`stale`
/// has one for strategy and one for work); else those two or more rows give,
/// and a row whose hint is its own says it in the row.
fn notes<'a>(hints: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut counted: Vec<(&'a str, usize)> = Vec::new();
    let mut index: std::collections::HashMap<&'a str, usize> = std::collections::HashMap::new();
    for h in hints {
        match index.get(h) {
            Some(&i) => counted[i].1 += 1,
            None => {
                index.insert(h, counted.len());
                counted.push((h, 1));
            }
        }
    }
    let few = counted.len() <= SHARED_HINTS;
    counted
        .into_iter()
        .filter(|&(_, n)| few || n > 1)
        .map(|(h, _)| h)
        .collect()
}

/// The health report: every rule with its counts and first findings.
fn health<'a>(model: &'a Model<'_>) -> HealthPage<'a> {
    health_with(model, filters(model, model.all_findings()))
}

/// What determines the health report of a [keyed](Model::keyed) model.
#[derive(Serialize)]
struct HealthKey<'a> {
    /// The report's filters, which [`health_with`] makes it from.
    filters: Filters<'a>,
    /// Each rule, its counts (all, errors, warnings, infos) and the keys of the findings it shows.
    rules: Vec<(&'static str, [usize; 4], &'a [u64])>,
    /// The build date, which says how overdue each document is.
    today: String,
}

/// The [`HealthKey`] of a keyed model; `None` for one that is not.
fn health_key<'a>(model: &'a Model<'_>) -> Option<HealthKey<'a>> {
    let rules = model
        .findings_by_rule()
        .map(|(rule, items)| {
            let keys = model.finding_keys(rule)?;
            let sample = &keys[..keys.len().min(HEALTH_SAMPLE)];
            Some((rule, severity_counts(items), sample))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(HealthKey {
        filters: filters(model, model.all_findings()),
        rules,
        today: model.site.today.to_string(),
    })
}

/// The health report, with its `filters` already made.
fn health_with<'a>(model: &'a Model<'_>, filters: Filters<'a>) -> HealthPage<'a> {
    HealthPage {
        legend: crate::render::legend::severities(),
        filters,
        groups: model
            .findings_by_rule()
            .enumerate()
            .map(|(i, (rule, items))| {
                let sample = &items[..items.len().min(HEALTH_SAMPLE)];
                let mut g = group(model, rule, items, sample, i < HEALTH_OPEN);
                g.all = (g.count > HEALTH_SAMPLE).then(|| rule_page_path(rule, 1));
                g
            })
            .collect(),
        total: model.site.diagnostics.len(),
        sample: HEALTH_SAMPLE,
    }
}

/// One page of a rule's findings: where it goes, and which it shows.
struct RulePage {
    /// Relative to the site root.
    path: String,
    /// The rule.
    rule: &'static str,
    /// 0-based: the page shows the rule's findings from `n * HEALTH_PAGE`.
    n: usize,
}

/// Each rule's pages of findings: every finding of the rule, [`HEALTH_PAGE`]
/// to a page.
fn health_rule_pages(model: &Model<'_>) -> Vec<RulePage> {
    model
        .findings_by_rule()
        .flat_map(|(rule, items)| {
            (0..items.len().div_ceil(HEALTH_PAGE)).map(move |n| RulePage {
                path: rule_page_path(rule, n + 1),
                rule,
                n,
            })
        })
        .collect()
}

/// What determines one of [`health_rule_pages`] in a [keyed](Model::keyed)
/// model: the rule's counts (all, errors, warnings, infos), which also give
/// its pages, the keys of the findings on this one, and the build date,
/// which says how overdue each is.
fn health_rule_key<'a>(
    model: &'a Model<'_>,
    of: &RulePage,
) -> Option<([usize; 4], &'a [u64], String)> {
    let keys = model.finding_keys(of.rule)?;
    let chunk = keys.chunks(HEALTH_PAGE).nth(of.n).unwrap_or_default();
    Some((
        severity_counts(model.rule_findings(of.rule)),
        chunk,
        model.site.today.to_string(),
    ))
}

/// The values of one of [`health_rule_pages`].
fn health_rule_page<'a>(model: &'a Model<'_>, of: &RulePage) -> HealthRulePage<'a> {
    let items = model.rule_findings(of.rule);
    let chunk = items.chunks(HEALTH_PAGE).nth(of.n).unwrap_or_default();
    HealthRulePage {
        // The counts are the rule's, not this page's.
        group: group(model, of.rule, items, chunk, true),
        filters: filters(model, chunk),
        page: of.n + 1,
        pages: (1..=items.len().div_ceil(HEALTH_PAGE))
            .map(|n| rule_page_path(of.rule, n))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_hints_are_all_said_once_and_many_only_those_rows_share() {
        // Three different hints: each said once above the table.
        assert_eq!(notes(["a", "b", "a", "c"].into_iter()), ["a", "b", "c"]);
        // Five: the two that several rows give are said above it, in the
        // order first given; the rest stay in their one row each.
        assert_eq!(
            notes(["u1", "s2", "s1", "u2", "s1", "u3", "s2"].into_iter()),
            ["s2", "s1"]
        );
        assert!(notes(["u1", "u2", "u3", "u4"].into_iter()).is_empty());
        assert!(notes(std::iter::empty()).is_empty());
    }
}
