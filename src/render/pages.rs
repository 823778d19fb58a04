//! One function per kind of page, each returning the template context for it.
//! Contexts are plain JSON values built from the views in `view`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::svg::{self, Reference, TreeNode};
use super::view::{DocLink, Finding, Model};
use crate::date::Quarter;
use crate::graph::{DocId, Rel};
use crate::model::{Lno, Size, Status};
use crate::rules;
use crate::text::format_number;

/// A node of the traceability tree.
#[derive(Debug, Clone, Serialize)]
pub struct TreeItem {
    /// The document.
    pub doc: DocLink,
    /// The team's id (own or inherited), for filtering.
    pub team: Option<String>,
    /// The quarter, own or the nearest ancestor's, for filtering.
    pub quarter: Option<String>,
    /// Children in the parent tree.
    pub children: Vec<TreeItem>,
}

/// The context every page shares.
pub fn base(model: &Model<'_>, root: &str, section: &str) -> Value {
    let site = model.site;
    json!({
        "site": {
            "title": site.config.title,
            "today": site.today.to_string(),
            "has_code": site.docs.iter().any(|d| d.body.has_code),
        },
        "root": root,
        "section": section,
    })
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}

/// The tree from `doc` down, `depth` levels deep (1: `doc` alone), with filter data.
pub fn subtree(model: &Model<'_>, doc: DocId, depth: usize) -> TreeItem {
    let graph = &model.site.graph;
    let quarter = std::iter::once(doc)
        .chain(graph.ancestors(doc))
        .find_map(|d| model.site.docs[d].quarter)
        .map(|q| q.to_string());
    TreeItem {
        doc: model.links[doc].clone(),
        team: model.team_of(doc).map(|t| model.site.docs[t].id.clone()),
        quarter,
        children: if depth > 1 {
            graph
                .children(doc)
                .iter()
                .map(|&c| subtree(model, c, depth - 1))
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// How many documents a page's "below" tree shows before pointing to the trace page.
const SUBTREE_BUDGET: usize = 300;

/// How many whole levels below `doc` fit in `budget` nodes (always at least the
/// children), and how many descendants that leaves out.
fn levels_within(model: &Model<'_>, doc: DocId, budget: usize) -> (usize, usize) {
    let graph = &model.site.graph;
    let mut level: Vec<DocId> = graph.children(doc).to_vec();
    let (mut shown, mut depth, mut hidden) = (0, 0, 0);
    while !level.is_empty() {
        if depth > 0 && shown + level.len() > budget {
            hidden += level.len();
        } else {
            shown += level.len();
            depth += 1;
        }
        level = level
            .iter()
            .flat_map(|&d| graph.children(d).iter().copied())
            .collect();
    }
    (depth, hidden)
}

fn ost_tree(model: &Model<'_>, doc: DocId, prefix: &str) -> TreeNode {
    let d = &model.site.docs[doc];
    let note = d
        .result
        .map(|r| r.as_str().to_string())
        .or_else(|| d.status.map(|s| s.as_str().to_string()));
    let children = model
        .site
        .graph
        .children(doc)
        .iter()
        .filter(|&&c| {
            matches!(
                model.site.docs[c].kind.as_str(),
                "opportunity" | "solution" | "experiment"
            )
        })
        .map(|&c| ost_tree(model, c, prefix))
        .collect();
    TreeNode {
        title: d.title.clone(),
        kind: d.kind.clone(),
        note,
        url: format!("{prefix}{}", model.links[doc].path),
        children,
    }
}

/// The SVG diagram of the opportunity solution tree rooted at outcome `doc`.
pub fn ost_diagram(model: &Model<'_>, doc: DocId, prefix: &str) -> String {
    svg::tree_diagram(&ost_tree(model, doc, prefix))
}

/// A document's own page.
pub fn document(model: &Model<'_>, id: DocId, body_html: &str) -> Value {
    let site = model.site;
    let doc = &site.docs[id];
    let graph = &site.graph;
    let links = |ids: Vec<DocId>| -> Vec<DocLink> {
        let mut seen = std::collections::BTreeSet::new();
        ids.into_iter()
            .filter(|i| seen.insert(*i))
            .map(|i| model.links[i].clone())
            .collect()
    };
    let mut trail: Vec<DocId> = graph.ancestors(id);
    trail.reverse();
    let out_rel = |rel: Rel| {
        graph
            .outgoing(id)
            .filter(move |e| e.rel == rel)
            .map(|e| e.to)
            .collect::<Vec<_>>()
    };
    let in_rel = |rel: Rel| {
        graph
            .incoming(id)
            .filter(move |e| e.rel == rel)
            .map(|e| e.from)
            .collect::<Vec<_>>()
    };
    let mut related = out_rel(Rel::Related);
    related.extend(in_rel(Rel::Related));
    let next_review = model.next_review(doc);
    let (shown_depth, hidden) = levels_within(model, id, SUBTREE_BUDGET);

    let success = doc.success.as_ref().map(|s| model.success(s));
    let key_results: Vec<_> = doc
        .key_results
        .iter()
        .map(|k| model.goal(None, k.metric.as_ref(), k.baseline, k.target, k.by))
        .collect();

    let chart = (doc.kind == "metric").then(|| {
        let references: Vec<Reference> = graph
            .incoming(id)
            .filter(|e| e.rel == Rel::Metric)
            .flat_map(|e| {
                let user = &site.docs[e.from];
                let success = user
                    .success
                    .iter()
                    .filter_map(|s| s.target.map(|t| (t, s.deadline)));
                let krs = user
                    .key_results
                    .iter()
                    .filter_map(|k| k.target.map(|t| (t, k.by)));
                success.chain(krs).map(|(t, by)| Reference {
                    value: t,
                    label: match by {
                        Some(d) => format!("target {} by {d}", format_number(t)),
                        None => format!("target {}", format_number(t)),
                    },
                })
            })
            .collect();
        svg::metric_chart(
            &doc.title,
            doc.unit.as_deref().unwrap_or(""),
            &doc.checkins,
            &references,
        )
    });
    let used_by = (doc.kind == "metric").then(|| links(in_rel(Rel::Metric)));

    let page = json!({
        "page": model.links[id],
        "doc": {
            "owner": doc.owner,
            "team": doc.team.as_ref().and_then(|t| model.link_to(&t.id)),
            "quarter": doc.quarter.map(|q| q.to_string()),
            "reviewed": doc.reviewed.map(|d| d.to_string()),
            "updated": doc.updated.map(|d| d.to_string()),
            "next_review": next_review.map(|d| d.to_string()),
            "review_due": next_review.is_some_and(|d| d < site.today),
            "tags": doc.tags,
            "file": doc.file,
            "size": doc.size.map(|s| s.as_str()),
            "lno": doc.lno.map(|l| l.as_str()),
            "approval": doc.approval.as_ref().map(|a| json!({"level": a.level.map(|l| l.as_str()), "approver": a.approver})),
            "dhm": doc.dhm.as_ref().map(|d| model.dhm(d)),
            "confidence": doc.confidence.as_ref().map(|c| model.confidence(c)),
            "success": success,
            "key_results": key_results,
            "metric_type": doc.metric_type.map(|t| t.as_str()),
            "indicator": doc.indicator.map(|i| i.as_str()),
            "unit": doc.unit,
            "direction": doc.direction.map(|d| d.as_str()),
            "chart": chart,
            "used_by": used_by,
            "checkins": doc.checkins.iter().rev().map(|c| json!({"date": c.date.to_string(), "value": format_number(c.value)})).collect::<Vec<_>>(),
            "assumption": doc.assumption,
            "result": doc.result.map(|r| r.as_str()),
            "date": doc.date.map(|d| d.to_string()),
            "covers": links(out_rel(Rel::Covers)),
            "reviewed_in": links(in_rel(Rel::Covers)),
            "ost": (doc.kind == "outcome").then(|| ost_diagram(model, id, "../")),
            "extra": doc.extra,
        },
        "body": body_html,
        "trail": links(trail),
        "subtree_html": super::tree_html(&graph.children(id).iter().map(|&c| subtree(model, c, shown_depth)).collect::<Vec<_>>(), "../"),
        "subtree_hidden": hidden,
        "supports": links(out_rel(Rel::Supports)),
        "supported_by": links(in_rel(Rel::Supports)),
        "related": links(related),
        "backlinks": links(in_rel(Rel::Mentions)),
        "mentions": links(out_rel(Rel::Mentions)),
        "members": (doc.kind == "team").then(|| links(graph.incoming(id).filter(|e| e.rel == Rel::Team).map(|e| e.from).collect())),
        "findings": model.findings[id],
    });
    merge(base(model, "../", "doc"), page)
}

/// The bets of a quarter as cards.
fn bet_card(model: &Model<'_>, bet: DocId) -> Value {
    let doc = &model.site.docs[bet];
    let success = doc.success.as_ref().map(|s| model.success(s));
    json!({
        "doc": model.links[bet],
        "size": doc.size.map(|s| s.as_str()),
        "quarter": doc.quarter.map(|q| q.to_string()),
        "owner": doc.owner,
        "team": doc.team.as_ref().and_then(|t| model.link_to(&t.id)),
        "confidence": doc.confidence.as_ref().map(|c| model.confidence(c)),
        "dhm": doc.dhm.as_ref().map(|d| model.dhm(d)),
        "success": success,
    })
}

fn balance(model: &Model<'_>, bets: &[DocId]) -> Value {
    let active: Vec<DocId> = bets
        .iter()
        .copied()
        .filter(|&b| model.site.docs[b].status.is_some_and(Status::is_active_bet))
        .collect();
    let count = |size| {
        active
            .iter()
            .filter(|&&b| model.site.docs[b].size == Some(size))
            .count()
    };
    let n = active.len().max(1);
    let (big, medium, small) = (count(Size::Big), count(Size::Medium), count(Size::Small));
    json!({
        "active": active.len(),
        "big": big, "medium": medium, "small": small,
        "big_pct": big * 100 / n, "medium_pct": medium * 100 / n, "small_pct": small * 100 / n,
        "max": model.site.config.max_bets_per_quarter,
    })
}

fn bets_by_quarter(model: &Model<'_>) -> (BTreeMap<Quarter, Vec<DocId>>, Vec<DocId>) {
    let mut by_quarter: BTreeMap<Quarter, Vec<DocId>> = BTreeMap::new();
    let mut unscheduled = Vec::new();
    for (i, d) in model
        .site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == "bet")
    {
        match d.quarter {
            Some(q) => by_quarter.entry(q).or_default().push(i),
            None => unscheduled.push(i),
        }
    }
    (by_quarter, unscheduled)
}

/// The dashboard.
pub fn home(model: &Model<'_>) -> Value {
    let site = model.site;
    let current = Quarter::of(site.today);
    let (by_quarter, _) = bets_by_quarter(model);
    let now_bets = by_quarter.get(&current).cloned().unwrap_or_default();
    let layers: Vec<Value> = site
        .config
        .schema
        .kinds()
        .iter()
        .filter(|k| k.layer.is_some() || k.ost)
        .map(|k| {
            let docs: Vec<DocLink> = site.docs.iter().enumerate().filter(|(_, d)| d.kind == k.name).map(|(i, _)| model.links[i].clone()).collect();
            json!({"kind": k.name, "label": k.label, "layer": k.layer, "count": docs.len(), "docs": docs.iter().take(6).collect::<Vec<_>>()})
        })
        .collect();
    let stale: Vec<Value> = site
        .diagnostics
        .iter()
        .filter(|d| d.rule == "stale")
        .filter_map(|d| {
            model
                .by_file(&d.file)
                .map(|i| json!({"doc": model.links[i], "message": d.message}))
        })
        .collect();
    let page = json!({
        "quarter": current.to_string(),
        "bets": now_bets.iter().map(|&b| bet_card(model, b)).collect::<Vec<_>>(),
        "balance": balance(model, &now_bets),
        "layers": layers,
        "health": rule_summary(model),
        "stale": stale,
        "counts": {"documents": site.docs.len(), "findings": site.diagnostics.len()},
        "companies": site.docs.iter().enumerate().filter(|(_, d)| d.kind == "company-strategy").map(|(i, _)| model.links[i].clone()).collect::<Vec<_>>(),
    });
    merge(base(model, "", "home"), page)
}

fn rule_order(rule: &str) -> usize {
    rules::HEALTH_RULES
        .iter()
        .chain(rules::STRUCTURAL_RULES)
        .position(|r| *r == rule)
        .unwrap_or(usize::MAX)
}

fn rule_summary(model: &Model<'_>) -> Vec<Value> {
    let mut counts: BTreeMap<(usize, &str), (usize, &str)> = BTreeMap::new();
    for d in &model.site.diagnostics {
        let entry = counts
            .entry((rule_order(d.rule), d.rule))
            .or_insert((0, d.severity.as_str()));
        entry.0 += 1;
    }
    counts.into_iter().map(|((_, rule), (count, severity))| json!({"rule": rule, "count": count, "severity": severity})).collect()
}

/// The full traceability tree.
pub fn trace(model: &Model<'_>) -> Value {
    let site = model.site;
    let roots: Vec<DocId> = site
        .graph
        .roots()
        .filter(|&r| {
            site.config
                .schema
                .get(&site.docs[r].kind)
                .is_some_and(|k| k.layer.is_some() || k.ost)
        })
        .collect();
    let (strategy, loose): (Vec<DocId>, Vec<DocId>) = roots.into_iter().partition(|&r| {
        site.config
            .schema
            .get(&site.docs[r].kind)
            .is_some_and(|k| k.layer == Some(1))
    });
    let mut teams: Vec<DocLink> = site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == "team")
        .map(|(i, _)| model.links[i].clone())
        .collect();
    teams.sort_by(|a, b| a.title.cmp(&b.title));
    let quarters: std::collections::BTreeSet<String> = site
        .docs
        .iter()
        .filter_map(|d| d.quarter.map(|q| q.to_string()))
        .collect();
    let outcomes: Vec<Value> = site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == "outcome")
        .map(|(i, _)| json!({"doc": model.links[i], "svg": ost_diagram(model, i, "../")}))
        .collect();
    let page = json!({
        "forest_html": super::tree_html(&strategy.iter().map(|&r| subtree(model, r, usize::MAX)).collect::<Vec<_>>(), "../"),
        "unconnected_html": super::tree_html(&loose.iter().map(|&r| subtree(model, r, usize::MAX)).collect::<Vec<_>>(), "../"),
        "teams": teams,
        "quarters": quarters,
        "outcomes": outcomes,
    });
    merge(base(model, "../", "trace"), page)
}

/// The health report: every finding, grouped by rule.
pub fn health(model: &Model<'_>) -> Value {
    let mut groups: BTreeMap<(usize, &str), Vec<Finding>> = BTreeMap::new();
    for (finding, d) in model
        .all_findings()
        .into_iter()
        .zip(&model.site.diagnostics)
    {
        groups
            .entry((rule_order(d.rule), d.rule))
            .or_default()
            .push(finding);
    }
    let summaries: BTreeMap<&str, &str> = rules::registry()
        .iter()
        .map(|r| (r.id(), r.summary()))
        .collect();
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|((_, rule), items)| json!({"rule": rule, "summary": summaries.get(rule), "count": items.len(), "items": items}))
        .collect();
    let page = json!({"groups": groups, "total": model.site.diagnostics.len()});
    merge(base(model, "../", "health"), page)
}

/// Bets by quarter.
pub fn roadmap(model: &Model<'_>) -> Value {
    let (by_quarter, unscheduled) = bets_by_quarter(model);
    let current = Quarter::of(model.site.today);
    let quarters: Vec<Value> = by_quarter
        .iter()
        .map(|(q, bets)| {
            json!({
                "quarter": q.to_string(),
                "current": *q == current,
                "past": *q < current,
                "bets": bets.iter().map(|&b| bet_card(model, b)).collect::<Vec<_>>(),
                "balance": balance(model, bets),
            })
        })
        .collect();
    let page = json!({"quarters": quarters, "unscheduled": unscheduled.iter().map(|&b| bet_card(model, b)).collect::<Vec<_>>()});
    merge(base(model, "../", "roadmap"), page)
}

/// Teams and the alignment cascade.
pub fn teams(model: &Model<'_>) -> Value {
    let site = model.site;
    let mut teams: Vec<Value> = Vec::new();
    for (t, _) in site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == "team")
    {
        let mut by_bet: BTreeMap<Option<DocId>, Vec<DocId>> = BTreeMap::new();
        let mut lno = [0usize; 4];
        for (i, d) in site.docs.iter().enumerate() {
            if !matches!(d.kind.as_str(), "objective" | "work") || model.team_of(i) != Some(t) {
                continue;
            }
            by_bet.entry(model.bet_of(i)).or_default().push(i);
            if d.kind == "work" && !d.status.is_some_and(Status::is_closed) {
                let slot = match d.lno {
                    Some(Lno::Leverage) => 0,
                    Some(Lno::Neutral) => 1,
                    Some(Lno::Overhead) => 2,
                    None => 3,
                };
                lno[slot] += 1;
            }
        }
        let open: usize = lno.iter().sum();
        let pct = |n: usize| (n * 100).checked_div(open).unwrap_or(0);
        let cascade: Vec<Value> = by_bet
            .into_iter()
            .map(|(bet, items)| {
                let chain = bet.map(|b| {
                    let mut up: Vec<DocLink> = site.graph.ancestors(b).into_iter().rev().map(|a| model.links[a].clone()).collect();
                    up.push(model.links[b].clone());
                    up
                });
                json!({"bet": bet.map(|b| model.links[b].clone()), "chain": chain, "items": items.iter().map(|&i| model.links[i].clone()).collect::<Vec<_>>()})
            })
            .collect();
        teams.push(json!({
            "doc": model.links[t],
            "cascade": cascade,
            "lno": {"leverage": lno[0], "neutral": lno[1], "overhead": lno[2], "unclassified": lno[3], "open": open,
                    "leverage_pct": pct(lno[0]), "neutral_pct": pct(lno[1]), "overhead_pct": pct(lno[2]), "unclassified_pct": pct(lno[3])},
            "findings": model.findings[t],
        }));
    }
    let page = json!({"teams": teams});
    merge(base(model, "../", "teams"), page)
}

/// The search page.
pub fn search(model: &Model<'_>) -> Value {
    merge(base(model, "../", "search"), json!({}))
}

/// The 404 page: served at any depth, so its links are absolute under `base_url`.
pub fn not_found(model: &Model<'_>) -> Value {
    merge(base(model, &model.site.config.base_url, "404"), json!({}))
}
