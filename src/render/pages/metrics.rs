//! The metrics page (`metrics/`): every metric chain, drawn left to right
//! from inputs to impact, with a sparkline per metric and how it moved over
//! the window `metric-chain` judges (`analysis::change_over`), so the page
//! and the rule say the same thing.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::Overview;
use crate::analysis::{change_over, Trend, WINDOW_DAYS};
use crate::graph::{DocId, Rel};
use crate::model::{Checkin, MetricType};
use crate::render::jobs::Job;
use crate::render::view::{DocLink, Finding, Model};
use crate::text::figure;

/// This page's row of [`OVERVIEWS`](super::OVERVIEWS).
pub(super) const OVERVIEW: Overview = Overview {
    job: Job::Metrics,
    template: "metrics.html",
    path: "metrics/index.html",
    root: Some("../"),
    section: "metrics",
    render: |m, t, o, b| o.page(t, b, &metrics(m)),
};

/// The columns of a chain, in the order a metric drives the next.
const COLUMNS: [MetricType; 4] = [
    MetricType::Input,
    MetricType::Output,
    MetricType::Outcome,
    MetricType::Impact,
];

/// The metrics page (`metrics.html`).
#[derive(Debug, Serialize)]
struct MetricsPage<'a> {
    /// Metrics joined by `drives:`, each chain with the most metrics first.
    chains: Vec<Chain<'a>>,
    /// Metrics that drive nothing and nothing drives.
    alone: Vec<MetricCard<'a>>,
    /// The window of the trend, in days.
    window: i64,
}

/// One chain: its metrics by column, inputs first.
#[derive(Debug, Serialize)]
struct Chain<'a> {
    columns: Vec<Column<'a>>,
}

#[derive(Debug, Serialize)]
struct Column<'a> {
    /// `input`, `output`, `outcome`, `impact`, or `untyped`.
    kind: &'static str,
    metrics: Vec<MetricCard<'a>>,
}

/// One metric as the page shows it.
#[derive(Debug, Serialize)]
struct MetricCard<'a> {
    doc: DocLink<'a>,
    unit: &'a str,
    /// The unit as written after a number.
    unit_suffix: String,
    /// The latest check-in, as `value` on `date`.
    latest: Option<Reading>,
    /// `moving`, `flat` or `between` over the window to the latest check-in.
    trend: Option<&'static str>,
    /// The change over that window, signed so that positive is better (`+12%`).
    change: Option<String>,
    /// Inline SVG, hidden from assistive technology: `latest` and `change` say it in words.
    sparkline: String,
    /// The metrics it drives.
    drives: Vec<DocLink<'a>>,
    findings: &'a [Finding<'a>],
}

#[derive(Debug, Serialize)]
struct Reading {
    value: String,
    date: String,
}

/// The metrics page of `model`'s site.
fn metrics<'a>(model: &'a Model<'_>) -> MetricsPage<'a> {
    let site = model.site;
    let metrics: Vec<DocId> = DocId::all(site.docs.len())
        .filter(|&i| site.docs[i].kind == "metric")
        .collect();
    let drives = |m: DocId| {
        site.graph
            .outgoing(m)
            .filter(|e| e.rel == Rel::Drives)
            .map(|e| e.to)
    };
    // Chains are the connected parts of the `drives` graph.
    let mut chain_of: BTreeMap<DocId, DocId> = metrics.iter().map(|&m| (m, m)).collect();
    fn root(chain_of: &BTreeMap<DocId, DocId>, mut m: DocId) -> DocId {
        while let Some(&up) = chain_of.get(&m).filter(|&&up| up != m) {
            m = up;
        }
        m
    }
    for &m in &metrics {
        for to in drives(m) {
            let (a, b) = (root(&chain_of, m), root(&chain_of, to));
            if a != b {
                chain_of.insert(a.max(b), a.min(b));
            }
        }
    }
    let mut groups: BTreeMap<DocId, Vec<DocId>> = BTreeMap::new();
    for &m in &metrics {
        let r = root(&chain_of, m);
        groups.entry(r).or_default().push(m);
    }
    let card = |m: DocId| {
        let doc = &site.docs[m];
        let last = doc.checkins.last();
        let change = last.and_then(|c| change_over(doc, c.date, WINDOW_DAYS));
        MetricCard {
            doc: model.links[m],
            unit: doc.unit.as_deref().unwrap_or(""),
            unit_suffix: crate::text::unit_suffix(doc.unit.as_deref().unwrap_or_default()),
            latest: last.map(|c| Reading {
                value: figure(c.value),
                date: c.date.to_string(),
            }),
            trend: change.map(|c| match c.trend() {
                Trend::Moving => "moving",
                Trend::Flat => "flat",
                Trend::Between => "between",
            }),
            change: change.map(|c| c.in_words(doc.unit.as_deref().unwrap_or_default())),
            sparkline: sparkline(&doc.checkins),
            drives: drives(m).map(|to| model.links[to]).collect(),
            findings: &model.findings[m],
        }
    };
    let mut chains = Vec::new();
    let mut alone = Vec::new();
    for members in groups.into_values() {
        if members.len() == 1 {
            alone.push(card(members[0]));
            continue;
        }
        let column_of = |m: &DocId| {
            site.docs[*m]
                .metric_type
                .and_then(|t| COLUMNS.iter().position(|c| *c == t))
                .unwrap_or(COLUMNS.len())
        };
        let mut columns: Vec<Column> = Vec::new();
        for (i, kind) in COLUMNS
            .iter()
            .map(|t| t.as_str())
            .chain(["untyped"])
            .enumerate()
        {
            let in_column: Vec<MetricCard> = members
                .iter()
                .filter(|m| column_of(m) == i)
                .map(|&m| card(m))
                .collect();
            if !in_column.is_empty() {
                columns.push(Column {
                    kind,
                    metrics: in_column,
                });
            }
        }
        chains.push((members.len(), Chain { columns }));
    }
    // Longest chains first; equal ones keep the order of their first metric's file.
    chains.sort_by_key(|c| std::cmp::Reverse(c.0));
    MetricsPage {
        chains: chains.into_iter().map(|(_, c)| c).collect(),
        alone,
        window: WINDOW_DAYS,
    }
}

/// A small line of `checkins`, scaled to their own range.
fn sparkline(checkins: &[Checkin]) -> String {
    const W: f64 = 96.0;
    const H: f64 = 24.0;
    const PAD: f64 = 2.0;
    if checkins.len() < 2 {
        return String::new();
    }
    let (lo, hi) = checkins.iter().fold((f64::MAX, f64::MIN), |(lo, hi), c| {
        (lo.min(c.value), hi.max(c.value))
    });
    let span = if hi - lo > f64::EPSILON { hi - lo } else { 1.0 };
    let last = (checkins.len() - 1) as f64;
    let mut points = String::new();
    for (i, c) in checkins.iter().enumerate() {
        let x = PAD + (W - 2.0 * PAD) * i as f64 / last;
        let y = H - PAD - (H - 2.0 * PAD) * (c.value - lo) / span;
        let _ = write!(points, "{}{x:.1},{y:.1}", if i == 0 { "" } else { " " });
    }
    format!(
        "<svg class=\"sparkline\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" aria-hidden=\"true\" focusable=\"false\"><polyline points=\"{points}\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::site;

    #[test]
    fn a_sparkline_spans_its_box_from_the_lowest_to_the_highest_value() {
        let at = |d: &str, v: f64| Checkin {
            date: crate::date::parse_date(d).expect("date"),
            value: v,
            note: None,
        };
        let svg = sparkline(&[
            at("2026-01-01", 10.0),
            at("2026-02-01", 30.0),
            at("2026-03-01", 20.0),
        ]);
        assert!(
            svg.contains("points=\"2.0,22.0 48.0,2.0 94.0,12.0\""),
            "{svg}"
        );
        assert!(svg.contains("aria-hidden=\"true\""));
        assert_eq!(sparkline(&[at("2026-01-01", 1.0)]), "");
    }

    #[test]
    fn chains_are_the_metrics_joined_by_drives_in_columns_from_input_to_impact() {
        let metric = |id: &str, ty: &str, drives: &str| {
            (
                format!("{id}.md"),
                format!("---\nid: {id}\nkind: metric\ntype: {ty}\n{drives}checkins:\n  - {{date: 2026-09-01, value: 10}}\n  - {{date: 2026-11-01, value: 12}}\n---\n"),
            )
        };
        let files = [
            metric("imp", "impact", ""),
            metric("out", "outcome", "drives: [imp]\n"),
            metric("in1", "input", "drives: [out]\n"),
            metric("in2", "input", "drives: [out]\n"),
            metric("lone", "output", ""),
        ];
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let site = site("", &files, "2026-11-24");
        let model = Model::new(&site);
        let page = metrics(&model);
        assert_eq!(page.chains.len(), 1);
        let columns: Vec<(&str, Vec<&str>)> = page.chains[0]
            .columns
            .iter()
            .map(|c| (c.kind, c.metrics.iter().map(|m| m.doc.id).collect()))
            .collect();
        assert_eq!(
            columns,
            [
                ("input", vec!["in1", "in2"]),
                ("outcome", vec!["out"]),
                ("impact", vec!["imp"])
            ]
        );
        let input = &page.chains[0].columns[0].metrics[0];
        assert_eq!(
            input.drives.iter().map(|d| d.id).collect::<Vec<_>>(),
            ["out"]
        );
        assert_eq!(input.change.as_deref(), Some("+2, 20% better"));
        assert_eq!(input.trend, Some("moving"));
        assert_eq!(
            page.alone.iter().map(|m| m.doc.id).collect::<Vec<_>>(),
            ["lone"]
        );
    }
}
