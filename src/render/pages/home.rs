//! The dashboard (`index.html`): this quarter's bets and their balance, the
//! strategy's layers, health by rule, and the first few of every list the
//! other pages hold in full.

use std::collections::BTreeMap;

use serde::Serialize;

use super::changes::changes_from;
use super::health::rule_order;
use super::quarter::{quarter_path, review_quarters};
use super::Overview;
use super::{balance, bet_card, bets_by_quarter, change_view, Balance, BetCard, ChangeView};
use crate::analysis::Standing;
use crate::date::{Date, Quarter};
use crate::diagnostics::Severity;
use crate::graph::DocId;
use crate::render::jobs::Job;
use crate::render::view::{DocLink, Model};
use crate::rules;

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::Home,
    template: "index.html",
    path: "index.html",
    root: Some(""),
    section: "home",
    render: |m, t, o, b| o.page(t, b, &home(m)),
};

/// The dashboard's latest changes.
#[derive(Debug, Serialize)]
struct RecentChanges<'a> {
    /// The newest, at most [`HOME_SAMPLE`].
    items: Vec<ChangeView<'a>>,
    /// All changes in the window.
    total: usize,
    window: String,
    note: Option<String>,
}

fn recent_changes<'a>(model: &'a Model<'_>) -> Option<RecentChanges<'a>> {
    let site = model.site;
    if site.history.state == crate::history::HistoryState::Off {
        return None;
    }
    let mut in_window = site.shown_events_between(changes_from(site), site.today);
    let items = in_window
        .by_ref()
        .take(HOME_SAMPLE)
        .map(|e| change_view(model, e))
        .collect::<Vec<_>>();
    Some(RecentChanges {
        total: items.len() + in_window.count(),
        items,
        window: site.config.changes_window.to_string(),
        note: site.history.state.note(),
    })
}

/// The dashboard's first answer: how this quarter's open bets stand.
#[derive(Debug, Serialize)]
struct QuarterStatus<'a> {
    /// Days from today to the quarter's last day, that day counted.
    days_left: i64,
    /// Open bets of the quarter (not done, dropped or archived).
    open: usize,
    /// One group per standing that has bets, worst first.
    groups: Vec<StandingGroup<'a>>,
    /// The bar's legend: each group's mark, count and link.
    legend: crate::render::legend::Legend,
}

/// The open bets of one standing.
#[derive(Debug, Serialize)]
struct StandingGroup<'a> {
    slug: &'static str,
    label: &'static str,
    count: usize,
    /// Its share of the open bets, in percent, for the bar's segment.
    share: f64,
    bets: Vec<DocLink<'a>>,
    /// Those of `count` not named in `bets`.
    more: usize,
}

/// Something on the dashboard's short list of what needs attention.
#[derive(Debug, Serialize)]
struct Attention<'a> {
    doc: Option<DocLink<'a>>,
    /// Why, in a phrase.
    why: String,
    /// `bad` or `risk`: the colour of its mark.
    tone: &'static str,
}

/// How many items the attention list holds: a handful, read at a glance.
const ATTENTION_ITEMS: usize = 6;

/// The dashboard (`index.html`).
#[derive(Debug, Serialize)]
struct HomePage<'a> {
    quarter: String,
    status: QuarterStatus<'a>,
    /// What needs attention first, ranked, at most [`ATTENTION_ITEMS`].
    attention: Vec<Attention<'a>>,
    /// The review pages of the current and the last quarter, when they exist.
    reviews: Vec<QuarterLink>,
    bets: Vec<BetCard<'a>>,
    balance: Balance,
    layers: Vec<Layer<'a>>,
    health: Vec<RuleCount>,
    /// The most overdue stale documents, at most [`HOME_SAMPLE`]; `stale_count` is all of them.
    stale: Vec<StaleItem<'a>>,
    stale_count: usize,
    /// Bets of past quarters still open (`analysis::expiry`, as `expired`
    /// judges), oldest quarter first, at most [`HOME_SAMPLE`]; `unfinished_count` is all of them.
    unfinished: Vec<UnfinishedBet<'a>>,
    unfinished_count: usize,
    /// Dependencies at risk (as `dependency-at-risk` judges), in file
    /// order, at most [`HOME_SAMPLE`]; `at_risk_count` is all of them.
    at_risk: Vec<super::dependencies::DependencyView<'a>>,
    at_risk_count: usize,
    /// How many bets this quarter has; `bets` holds at most [`HOME_BETS`] of them.
    bet_count: usize,
    counts: SiteCounts,
    /// The first company strategies, at most [`HOME_SAMPLE`], of `company_count`.
    companies: Vec<DocLink<'a>>,
    company_count: usize,
    /// The latest changes; `None` when history is off.
    changes: Option<RecentChanges<'a>>,
}

/// A link to a quarter's review page.
#[derive(Debug, Serialize)]
struct QuarterLink {
    quarter: String,
    path: String,
}

/// How many items of a list the dashboard shows before "see all": the
/// dashboard summarises, the health page and the roadmap list everything
/// (a 10,000-document site has thousands of stale documents).
const HOME_SAMPLE: usize = 5;

/// How many of this quarter's bets the dashboard shows as cards.
const HOME_BETS: usize = 6;

/// A layer of the strategy stack: its kind, how many documents, the first few.
#[derive(Debug, Serialize)]
struct Layer<'a> {
    kind: &'a str,
    label: &'a str,
    layer: Option<u8>,
    count: usize,
    docs: Vec<DocLink<'a>>,
}

#[derive(Debug, Serialize)]
struct RuleCount {
    rule: &'static str,
    title: &'static str,
    count: usize,
    severity: &'static str,
}

#[derive(Debug, Serialize)]
struct StaleItem<'a> {
    doc: DocLink<'a>,
    message: &'a str,
}

/// A bet still open after its quarter ended.
#[derive(Debug, Serialize)]
struct UnfinishedBet<'a> {
    doc: DocLink<'a>,
    quarter: String,
    /// The quarter's review page.
    review: String,
    status: &'static str,
}

/// Findings by severity: the dashboard counts warnings apart from infos,
/// which are notes, not problems.
#[derive(Debug, Serialize)]
struct SiteCounts {
    documents: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

/// How many documents of a layer the dashboard lists.
const LAYER_SAMPLE: usize = 6;

/// The dashboard.
fn home<'a>(model: &'a Model<'_>) -> HomePage<'a> {
    let site = model.site;
    let current = Quarter::of(site.today);
    let (by_quarter, _) = bets_by_quarter(model);
    let mut now_bets = by_quarter.get(&current).cloned().unwrap_or_default();
    let standing: Vec<(DocId, Option<Standing>)> =
        now_bets.iter().map(|&b| (b, model.standing(b))).collect();
    // At any size the cards shown are the riskiest open bets, closed ones last.
    now_bets.sort_by_key(|&b| {
        let s = standing.iter().find(|(i, _)| *i == b).and_then(|(_, s)| *s);
        (s.is_none(), s)
    });
    let status = quarter_status(model, current, &standing);
    let attention = attention(model, &standing);
    let of_kind = |kind: &'a str| {
        site.docs
            .iter()
            .enumerate()
            .filter(move |(_, d)| d.kind == kind)
            .map(|(i, _)| model.links[i])
    };
    let layers = site
        .config
        .schema
        .kinds()
        .iter()
        .filter(|k| k.layer.is_some() || k.ost)
        .map(|k| Layer {
            kind: &k.name,
            label: &k.label,
            layer: k.layer,
            count: of_kind(&k.name).count(),
            docs: of_kind(&k.name).take(LAYER_SAMPLE).collect(),
        })
        .collect();
    // Thousands of each at 10k, of which the page shows five: sort their
    // keys with their places (ties keep them: the order `check` prints),
    // and make only the five shown.
    // Strategy first (company to objectives, then metrics and teams), sprint
    // work last: a fortnight's ticket past its review must not bury a
    // product strategy a year old. Within each, the longest overdue first.
    let rank = |i: DocId| match site
        .config
        .schema
        .get(&site.docs[i].kind)
        .and_then(|k| k.layer)
    {
        Some(5) => 2,
        Some(_) => 0,
        None => 1,
    };
    let stale_findings: Vec<(u8, Date, usize, &crate::diagnostics::Diagnostic, DocId)> = site
        .diagnostics
        .iter()
        .filter(|d| d.rule == "stale")
        .filter_map(|d| model.by_file(&d.file).map(|i| (d, i)))
        .enumerate()
        .map(|(n, (d, i))| (rank(i), model.next_review(i).unwrap_or(Date::MAX), n, d, i))
        .collect();
    let stale_count = stale_findings.len();
    let at_risk: Vec<super::dependencies::DependencyView> =
        crate::analysis::dependency_links(&site.docs, &site.graph)
            .map(|link| super::dependencies::DependencyView::of(model, link))
            .filter(|d| d.risk.is_some())
            .collect();
    let stale = first_by_key(stale_findings, |&(rank, due, n, _, _)| (rank, due, n))
        .map(|(_, _, _, d, i)| StaleItem {
            doc: model.links[i],
            message: &d.message,
        })
        .collect();
    let reviewed = review_quarters(site);
    let unfinished_bets: Vec<(Quarter, DocId, crate::analysis::Expiry)> =
        DocId::all(site.docs.len())
            .filter(|&i| site.docs[i].kind == "bet")
            .filter_map(|i| {
                let e = crate::analysis::expiry(&site.docs, &site.facts, i, site.today)?;
                Some((e.quarter, i, e))
            })
            .collect();
    let unfinished_count = unfinished_bets.len();
    // Oldest quarter first; within one, the order of the files.
    let unfinished = first_by_key(unfinished_bets, |&(q, i, _)| (q, i))
        .map(|(_, i, e)| UnfinishedBet {
            doc: model.links[i],
            quarter: e.quarter.to_string(),
            review: quarter_path(e.quarter),
            status: e.status.as_str(),
        })
        .collect();
    let severity = |s: Severity| site.diagnostics.iter().filter(|d| d.severity == s).count();
    HomePage {
        quarter: current.to_string(),
        status,
        attention,
        reviews: [current, current.previous()]
            .into_iter()
            .filter(|q| reviewed.contains_key(q))
            .map(|q| QuarterLink {
                quarter: q.to_string(),
                path: quarter_path(q),
            })
            .collect(),
        bets: now_bets
            .iter()
            .take(HOME_BETS)
            .map(|&b| bet_card(model, b))
            .collect(),
        bet_count: now_bets.len(),
        balance: balance(model, Some(current), &now_bets),
        layers,
        health: rule_summary(model),
        stale,
        stale_count,
        unfinished,
        unfinished_count,
        at_risk_count: at_risk.len(),
        at_risk: at_risk.into_iter().take(HOME_SAMPLE).collect(),
        counts: SiteCounts {
            documents: site.docs.len(),
            findings: site.diagnostics.len(),
            errors: severity(Severity::Error),
            warnings: severity(Severity::Warning),
            infos: severity(Severity::Info),
        },
        companies: of_kind("company-strategy").take(HOME_SAMPLE).collect(),
        company_count: of_kind("company-strategy").count(),
        changes: recent_changes(model),
    }
}

/// How many bets of one standing the dashboard names; the rest are counted
/// and left to the roadmap, so the page stays short at any size.
const STANDING_NAMED: usize = 10;

fn quarter_status<'a>(
    model: &'a Model<'_>,
    quarter: Quarter,
    standing: &[(DocId, Option<Standing>)],
) -> QuarterStatus<'a> {
    let open = standing.iter().filter(|(_, s)| s.is_some()).count();
    let groups: Vec<StandingGroup<'a>> = Standing::ALL
        .into_iter()
        .filter_map(|s| {
            let mut bets: Vec<DocLink<'a>> = standing
                .iter()
                .filter(|(_, o)| *o == Some(s))
                .map(|&(b, _)| model.links[b])
                .collect();
            let count = bets.len();
            // The dashboard names a handful; the roadmap lists them all.
            bets.truncate(STANDING_NAMED);
            (count > 0).then(|| StandingGroup {
                slug: s.slug(),
                label: s.as_str(),
                count,
                share: (count as f64 * 1000.0 / open as f64).round() / 10.0,
                more: count - bets.len(),
                bets,
            })
        })
        .collect();
    let legend = crate::render::legend::standings(
        groups
            .iter()
            .map(|g: &StandingGroup<'_>| {
                crate::render::legend::standing(g.slug, g.label)
                    .counted(g.count, Some(format!("#standing-{}", g.slug)))
            })
            .collect(),
    );
    QuarterStatus {
        days_left: crate::date::days_between(model.site.today, quarter.last_day()) + 1,
        open,
        groups,
        legend,
    }
}

/// What needs attention, most urgent first: errors, behind bets, a breached
/// limit this quarter or a later one, bets at risk, dependencies at risk, unmeasured bets, then the most
/// overdue strategy reviews; each names its document.
fn attention<'a>(
    model: &'a Model<'_>,
    standing: &[(DocId, Option<Standing>)],
) -> Vec<Attention<'a>> {
    let site = model.site;
    let finding = |d: &'a crate::diagnostics::Diagnostic, tone| Attention {
        doc: model.by_file(&d.file).map(|i| model.links[i]),
        why: format!("{}: {}", rules::title(d.rule), d.message),
        tone,
    };
    let bets = |s: Standing, why: &'static str, tone| {
        standing
            .iter()
            .filter(move |(_, o)| *o == Some(s))
            .map(move |&(b, _)| Attention {
                doc: Some(model.links[b]),
                why: why.to_string(),
                tone,
            })
    };
    let errors = site
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| finding(d, "bad"));
    // A breach this quarter or one planned: a past quarter's open bets are
    // `expired`'s to report. The rule reports a quarter at its first bet's
    // `quarter:`, so that bet's quarter is the breach's. This quarter first.
    let now = Quarter::of(site.today);
    let mut limits: Vec<(Quarter, &crate::diagnostics::Diagnostic)> = site
        .diagnostics
        .iter()
        .filter(|d| d.rule == "too-many-bets")
        .filter_map(|d| Some((site.docs[model.by_file(&d.file)?].quarter?, d)))
        .filter(|&(q, _)| q >= now)
        .collect();
    limits.sort_by_key(|&(q, _)| q);
    let limits = limits.into_iter().map(|(_, d)| finding(d, "bad"));
    let waiting = site
        .diagnostics
        .iter()
        .filter(|d| d.rule == "dependency-at-risk")
        .map(|d| finding(d, "risk"));
    let mut strategy_reviews: Vec<(Date, DocId, &crate::diagnostics::Diagnostic)> = site
        .diagnostics
        .iter()
        .filter(|d| d.rule == "stale")
        .filter_map(|d| Some((model.by_file(&d.file)?, d)))
        .filter(|&(i, _)| {
            site.config
                .schema
                .get(&site.docs[i].kind)
                .and_then(|k| k.layer)
                .is_some_and(|l| l <= 2)
        })
        .map(|(i, d)| (model.next_review(i).unwrap_or(Date::MAX), i, d))
        .collect();
    strategy_reviews.sort_by_key(|&(due, i, _)| (due, i));
    let strategy_reviews = strategy_reviews
        .into_iter()
        .map(|(_, _, d)| finding(d, "risk"));
    errors
        .take(2)
        .chain(bets(Standing::Behind, "behind its pace", "bad"))
        .chain(limits)
        .chain(bets(
            Standing::AtRisk,
            "at risk of missing its target",
            "risk",
        ))
        .chain(waiting)
        .chain(bets(
            Standing::Unmeasured,
            "unmeasured: no success metric with a baseline and a target",
            "risk",
        ))
        .chain(strategy_reviews)
        .take(ATTENTION_ITEMS)
        .collect()
}

/// The first [`HOME_SAMPLE`] of `items` by `key`, in its order.
fn first_by_key<T, K: Ord>(mut items: Vec<T>, key: impl Fn(&T) -> K) -> impl Iterator<Item = T> {
    if items.len() > HOME_SAMPLE {
        items.select_nth_unstable_by_key(HOME_SAMPLE, &key);
        items.truncate(HOME_SAMPLE);
    }
    items.sort_unstable_by_key(key);
    items.into_iter()
}

fn rule_summary(model: &Model<'_>) -> Vec<RuleCount> {
    let mut counts: BTreeMap<(usize, &'static str), (usize, &'static str)> = BTreeMap::new();
    for d in &model.site.diagnostics {
        let entry = counts
            .entry((rule_order(d.rule), d.rule))
            .or_insert((0, d.severity.as_str()));
        entry.0 += 1;
    }
    counts
        .into_iter()
        .map(|((_, rule), (count, severity))| RuleCount {
            rule,
            title: rules::title(rule),
            count,
            severity,
        })
        .collect()
}
