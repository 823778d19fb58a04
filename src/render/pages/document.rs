//! A document's page (`<id>/`, `page.html`): its facts and frameworks, the
//! documents around it, its findings and history, and its body. A build
//! keys the page before its body is rendered ([`document_key`]).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};

use super::dependencies::DependencyView;
use super::{commit_view, ost_diagram, page, render_page, Base, CommitView};
use crate::analysis::DependencyLink;
use crate::graph::{DocId, Rel};
use crate::hash;
use crate::output::OutputFile;
use crate::render::body::{render_body, Resolver};
use crate::render::cache::CachedDoc;
use crate::render::error::RenderError;
use crate::render::markdown::{LinkResolver, RenderedBody};
use crate::render::search::SearchDoc;
use crate::render::svg::{self, Reference};
use crate::render::theme::Theme;
use crate::render::tree;
use crate::render::view::{ConfidenceView, DhmView, DocLink, Finding, GoalView, Model};
use crate::text::figure;

/// A document's own page (`page.html`).
#[derive(Debug, Serialize)]
struct DocumentPage<'a> {
    /// The document as links show it.
    pub page: DocLink<'a>,
    /// Its facts and frameworks.
    pub doc: DocumentFacts<'a>,
    /// The body as HTML.
    pub body: &'a str,
    /// The body's first paragraph as plain text, cut at about 200 bytes:
    /// the page's `<meta name="description">`.
    pub description: String,
    /// Ancestors, the company strategy first.
    pub trail: Vec<DocLink<'a>>,
    /// The documents below, as a collapsible tree: made from `below` only
    /// for a page that is rendered ([`DocumentPage::with_body`]).
    pub subtree_html: String,
    /// The tree `subtree_html` is made of: a build keys the page by it
    /// (hashed as it is, like the trace pages' trees), so an unchanged page
    /// never pays for its tree's HTML.
    #[serde(skip)]
    below: Vec<tree::TreeItem<'a>>,
    /// Descendants left out of `subtree_html`.
    pub subtree_hidden: usize,
    /// `supports` links out.
    pub supports: Vec<DocLink<'a>>,
    /// `supports` links in.
    pub supported_by: Vec<DocLink<'a>>,
    /// `related` links, both ways.
    pub related: Vec<DocLink<'a>>,
    /// Documents mentioning this one in their body.
    pub backlinks: Vec<DocLink<'a>>,
    /// Documents this one's body mentions.
    pub mentions: Vec<DocLink<'a>>,
    /// A team's documents.
    pub members: Option<Vec<DocLink<'a>>>,
    /// What it waits on (`depends_on:`), in the order written.
    pub depends_on: Vec<DependencyView<'a>>,
    /// What waits on it.
    pub depended_on_by: Vec<DependencyView<'a>>,
    /// This document's findings.
    pub findings: &'a [Finding<'a>],
    /// The commits that touched it and how long it has had its status;
    /// `None` when history is off.
    pub history: Option<DocHistoryView<'a>>,
    /// The host's web editor for its file, when `edit_url` or `repo_url` says where.
    pub edit_url: Option<String>,
    /// What is fixed (its own and inherited, with constraints) and what is
    /// open; `None` when there is nothing of either.
    pub frame: Option<FrameView<'a>>,
}

/// One entry of confidence over time.
#[derive(Debug, Serialize)]
struct ConfidenceRow<'a> {
    date: String,
    problem: Option<&'static str>,
    solution: Option<&'static str>,
    outcome: Option<&'static str>,
    note: Option<String>,
    evidence: Option<String>,
    /// The commit that changed `confidence:`, for a point from git.
    commit: Option<super::CommitView<'a>>,
}

/// The two-column "fixed and open" block.
#[derive(Debug, Serialize)]
struct FrameView<'a> {
    fixed: Vec<StatedView<'a>>,
    constraints: Vec<StatedView<'a>>,
    open: &'a [String],
}

/// A statement, with the document above that states it (`None`: this one).
#[derive(Debug, Serialize)]
struct StatedView<'a> {
    text: &'a str,
    from: Option<DocLink<'a>>,
}

/// The history section of a document's page.
#[derive(Debug, Serialize)]
struct DocHistoryView<'a> {
    /// The newest commits that touched it, at most [`DOC_COMMITS`].
    commits: Vec<CommitView<'a>>,
    /// How many more there are.
    more: usize,
    /// Why the list is empty or partial.
    note: Option<String>,
    /// How long it has had its status.
    in_status: Option<crate::history::TimeInStatus>,
}

/// How many commits a document's page lists.
const DOC_COMMITS: usize = 20;

fn doc_history<'a>(model: &'a Model<'_>, id: DocId) -> Option<DocHistoryView<'a>> {
    let site = model.site;
    let history = &site.history;
    if history.state == crate::history::HistoryState::Off {
        return None;
    }
    let doc = &site.docs[id];
    let commits = history
        .docs
        .get(&doc.id)
        .map_or(&[][..], |d| &d.commits[..]);
    Some(DocHistoryView {
        commits: commits
            .iter()
            .take(DOC_COMMITS)
            .map(|&c| commit_view(model, &history.commits[c]))
            .collect(),
        more: commits.len().saturating_sub(DOC_COMMITS),
        note: history.state.note(),
        in_status: history.time_in_status(&doc.id, doc.status.map(|s| s.as_str()), site.today),
    })
}

/// `doc` on a document's page.
#[derive(Debug, Serialize)]
struct DocumentFacts<'a> {
    owner: Option<&'a str>,
    /// The owner's page, when `owner:` names a person.
    owner_page: Option<String>,
    team: Option<DocLink<'a>>,
    quarter: Option<String>,
    reviewed: Option<String>,
    updated: Option<String>,
    next_review: Option<String>,
    review_due: bool,
    tags: &'a [String],
    file: &'a str,
    size: Option<&'static str>,
    lno: Option<&'static str>,
    approval: Option<ApprovalView<'a>>,
    dhm: Option<DhmView<'a>>,
    confidence: Option<ConfidenceView>,
    success: Option<GoalView<'a>>,
    key_results: Vec<GoalView<'a>>,
    /// The worst pace of its goals (and, for a bet, its objectives'): `on track`, `at risk`, `behind`.
    pace: Option<&'static str>,
    /// The same as a style class.
    pace_class: Option<&'static str>,
    metric_type: Option<&'static str>,
    indicator: Option<&'static str>,
    unit: Option<&'a str>,
    /// The unit as written after a number.
    unit_suffix: String,
    direction: Option<&'static str>,
    chart: Option<String>,
    /// What the chart's marks mean.
    chart_legend: Option<crate::render::legend::Legend>,
    used_by: Option<Vec<DocLink<'a>>>,
    checkins: Vec<CheckinView<'a>>,
    /// Whether any check-in has a note: the table gets a note column.
    checkin_notes: bool,
    assumption: Option<&'a str>,
    result: Option<&'static str>,
    date: Option<String>,
    covers: Vec<DocLink<'a>>,
    /// The decisions that shape it (`decides:` it), by date.
    decided_by: Vec<DocLink<'a>>,
    /// A decision's `decides:`.
    decides: Vec<DocLink<'a>>,
    /// A decision's `superseded_by:`.
    superseded_by: Option<DocLink<'a>>,
    /// The decisions this one superseded.
    supersedes: Vec<DocLink<'a>>,
    /// A decision's `options:`.
    options: &'a [String],
    /// A decision's `tradeoffs:`.
    tradeoffs: &'a [String],
    /// Whether it is a decision: its `date:` is when it was decided.
    is_decision: bool,
    /// `confidence_log:` and the changes of `confidence:` in git
    /// ([`crate::history::confidence_over_time`]), oldest first.
    confidence_log: Vec<ConfidenceRow<'a>>,
    reviewed_in: Vec<DocLink<'a>>,
    ost: Option<super::OstDiagram>,
    extra: &'a Map<String, Value>,
}

#[derive(Debug, Serialize)]
struct ApprovalView<'a> {
    level: Option<&'static str>,
    approver: Option<&'a str>,
    /// The approver's page, when they are a person.
    approver_page: Option<String>,
}

#[derive(Debug, Serialize)]
struct CheckinView<'a> {
    date: String,
    /// The value with the metric's unit.
    value: String,
    /// How it changed since the check-in before, in its better direction
    /// (`Change::in_words`); none for the first.
    change: Option<String>,
    note: Option<&'a str>,
}

/// A document's own page.
/// Document `id`'s page without its body ([`DocumentPage::with_body`]
/// adds it): a build hashes these values to tell whether the page changed
/// before it renders any Markdown.
fn document<'a>(model: &'a Model<'_>, id: DocId) -> DocumentPage<'a> {
    let site = model.site;
    let doc = &site.docs[id];
    let graph = &site.graph;
    let links = |ids: Vec<DocId>| -> Vec<DocLink<'a>> {
        // Most lists hold a few links: looked through, not put in a set
        // (a tree per list was a tenth of keying every page of a rebuild).
        if ids.len() <= 16 {
            let mut out: Vec<DocLink<'a>> = Vec::with_capacity(ids.len());
            for (n, &i) in ids.iter().enumerate() {
                if !ids[..n].contains(&i) {
                    out.push(model.links[i]);
                }
            }
            return out;
        }
        let mut seen = BTreeSet::new();
        ids.into_iter()
            .filter(|i| seen.insert(*i))
            .map(|i| model.links[i])
            .collect()
    };
    let pace = model.rolled_up_pace(id);
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
    let next_review = model.next_review(id);
    let (shown_depth, hidden) = tree::levels_within(model, id, tree::SUBTREE_BUDGET);

    let chart = (doc.kind == "metric").then(|| {
        let unit = crate::text::unit_suffix(doc.unit.as_deref().unwrap_or_default());
        let unit = unit.as_str();
        let references: Vec<Reference> =
            crate::analysis::targets_on(&site.docs, graph, &site.facts, id)
                .into_iter()
                .map(|t| Reference {
                    value: t.value,
                    by: t.by,
                    path: t.expected_path(),
                    label: match t.by {
                        Some(d) => format!("target {}{unit} by {d}", figure(t.value)),
                        None => format!("target {}{unit}", figure(t.value)),
                    },
                })
                .collect();
        svg::metric_chart(
            &doc.title,
            doc.unit.as_deref().unwrap_or(""),
            &doc.checkins,
            &references,
        )
    });
    let below: Vec<tree::TreeItem> = graph
        .children(id)
        .iter()
        .map(|&c| tree::subtree(model, c, shown_depth))
        .collect();

    let frame = crate::analysis::frame_of(&site.docs, graph, id);
    let stated = |list: &[crate::analysis::Stated<'a>]| -> Vec<StatedView<'a>> {
        list.iter()
            .map(|s| StatedView {
                text: s.text,
                from: (s.from != id).then(|| model.links[s.from]),
            })
            .collect()
    };
    let frame = (!frame.is_empty()).then(|| FrameView {
        fixed: stated(&frame.fixed),
        constraints: stated(&frame.constraints),
        open: frame.open,
    });

    DocumentPage {
        frame,
        description: String::new(),
        page: model.links[id],
        doc: DocumentFacts {
            owner: doc.owner.as_deref(),
            owner_page: super::owner_page(model, id),
            team: doc.team.as_ref().and_then(|t| model.link_to(&t.id)),
            quarter: doc.quarter.map(|q| q.to_string()),
            reviewed: doc.reviewed.map(|d| d.to_string()),
            updated: doc.updated.map(|d| d.to_string()),
            next_review: next_review.map(|d| d.to_string()),
            review_due: next_review.is_some_and(|d| d < site.today),
            tags: &doc.tags,
            file: &doc.file,
            size: doc.size.map(|s| s.as_str()),
            lno: doc.lno.map(|l| l.as_str()),
            approval: doc.approval.as_ref().map(|a| ApprovalView {
                level: a.level.map(|l| l.as_str()),
                approver: a.approver.as_deref(),
                approver_page: a
                    .approver
                    .as_deref()
                    .and_then(|name| site.facts.people().find(name))
                    .map(|p| super::people::person_path(&site.docs[p].id)),
            }),
            dhm: doc.dhm.as_ref().map(|d| model.dhm(d)),
            confidence: doc
                .confidence
                .as_ref()
                .map(|c| model.confidence(c, doc.status)),
            success: doc.success.as_ref().map(|s| model.success(id, s)),
            key_results: doc
                .key_results
                .iter()
                .map(|k| model.goal(id, None, k.metric.as_ref(), k.baseline, k.target, k.by))
                .collect(),
            pace: pace.map(|p| p.as_str()),
            pace_class: pace.map(|p| p.slug()),
            metric_type: doc.metric_type.map(|t| t.as_str()),
            indicator: doc.indicator.map(|i| i.as_str()),
            unit: doc.unit.as_deref(),
            unit_suffix: crate::text::unit_suffix(doc.unit.as_deref().unwrap_or_default()),
            direction: doc.direction.map(|d| d.as_str()),
            chart_legend: chart.is_some().then(|| {
                crate::render::legend::chart(doc.checkins.iter().any(|c| c.note.is_some()))
            }),
            chart,
            used_by: (doc.kind == "metric").then(|| links(in_rel(Rel::Metric))),
            checkin_notes: doc.checkins.iter().any(|c| c.note.is_some()),
            checkins: {
                let unit = doc.unit.as_deref().unwrap_or_default();
                let suffix = crate::text::unit_suffix(unit);
                let mut rows: Vec<CheckinView> = doc
                    .checkins
                    .iter()
                    .enumerate()
                    .map(|(i, c)| CheckinView {
                        date: c.date.to_string(),
                        value: format!("{}{suffix}", figure(c.value)),
                        change: i.checked_sub(1).map(|p| {
                            crate::analysis::Change::between(
                                doc.checkins[p].point(),
                                c.point(),
                                doc.direction,
                            )
                            .in_words(unit)
                        }),
                        note: c.note.as_deref(),
                    })
                    .collect();
                rows.reverse();
                rows
            },
            assumption: doc.assumption.as_deref(),
            result: doc.result.map(|r| r.as_str()),
            date: doc.date.map(|d| d.to_string()),
            covers: links(out_rel(Rel::Covers)),
            decided_by: {
                let mut by = in_rel(Rel::Decides);
                by.sort_by_key(|&d| (site.docs[d].date, d));
                links(by)
            },
            decides: links(out_rel(Rel::Decides)),
            superseded_by: out_rel(Rel::SupersededBy).first().map(|&d| model.links[d]),
            supersedes: links(in_rel(Rel::SupersededBy)),
            options: &doc.options,
            tradeoffs: &doc.tradeoffs,
            is_decision: doc.kind == "decision",
            confidence_log: crate::history::confidence_over_time(
                &doc.id,
                &doc.confidence_log,
                &site.history,
            )
            .into_iter()
            .map(|p| ConfidenceRow {
                date: p.date.to_string(),
                problem: p.levels.problem.map(|l| l.as_str()),
                solution: p.levels.solution.map(|l| l.as_str()),
                outcome: p.levels.outcome.map(|l| l.as_str()),
                note: p.note,
                evidence: p.evidence,
                commit: p
                    .commit
                    .and_then(|c| site.history.commits.get(c))
                    .map(|c| super::commit_view(model, c)),
            })
            .collect(),
            reviewed_in: links(in_rel(Rel::Covers)),
            ost: (doc.kind == "outcome").then(|| ost_diagram(model, id, "../")),
            extra: &doc.extra,
        },
        body: "",
        trail: links(trail),
        subtree_html: String::new(),
        below,
        subtree_hidden: hidden,
        supports: links(out_rel(Rel::Supports)),
        supported_by: links(in_rel(Rel::Supports)),
        related: links(related),
        backlinks: links(in_rel(Rel::Mentions)),
        mentions: links(out_rel(Rel::Mentions)),
        members: (doc.kind == "team").then(|| {
            links(
                graph
                    .incoming(id)
                    // A tracker's items are counted on the teams page, not listed here.
                    .filter(|e| e.rel == Rel::Team && model.site.docs[e.from].tracker.is_none())
                    .map(|e| e.from)
                    .collect(),
            )
        }),
        depends_on: crate::analysis::dependency_links(std::slice::from_ref(&site.docs[id]), graph)
            .map(|link| DependencyView::of(model, DependencyLink { from: id, ..link }))
            .collect(),
        depended_on_by: in_rel(Rel::DependsOn)
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .flat_map(|from| {
                crate::analysis::dependency_links(std::slice::from_ref(&site.docs[from]), graph)
                    .filter(|link| link.to == id)
                    .map(move |link| DependencyLink { from, ..link })
            })
            .map(|link| DependencyView::of(model, link))
            .collect(),
        findings: &model.findings[id],
        history: doc_history(model, id),
        edit_url: site.config.edit_url(&doc.file),
    }
}

impl<'a> DocumentPage<'a> {
    /// The page with its body: rendered, and its first paragraph as the
    /// description; and with its tree as HTML.
    fn with_body(self, body: &'a RenderedBody) -> DocumentPage<'a> {
        DocumentPage {
            description: body.description.clone(),
            body: &body.html,
            subtree_html: tree::tree_html(&self.below, "../", "../trace/"),
            ..self
        }
    }
}

/// A document's search entry: made with its page, or the previous build's.
pub(in crate::render) enum Entry<'c> {
    Fresh(SearchDoc),
    Kept(&'c CachedDoc),
}

/// Document `id`'s page and search entry. In a build (`previous`: the
/// previous build's search documents, empty for a fresh build), the page is
/// keyed before anything is rendered ([`document_key`]), and a page whose
/// key the previous build left is neither rendered nor handed back.
pub(in crate::render) fn document_page<'c>(
    model: &Model<'_>,
    theme: &Theme,
    id: DocId,
    previous: Option<&HashMap<&str, &'c CachedDoc>>,
) -> Result<(Option<OutputFile>, Entry<'c>), RenderError> {
    let site = model.site;
    let doc = &site.docs[id];
    let path = model.links[id].path.after("");
    let base = super::base(model, "../", "doc");
    let context = document(model, id);
    let memory = previous.and(model.served);
    if let (Some(previous), Some(memory)) = (previous, memory) {
        match (
            document_key(model, id, &base, &context),
            previous.get(doc.id.as_str()),
        ) {
            (Some(key), Some(cached)) if memory.unchanged_key(&path, key) => {
                return Ok((None, Entry::Kept(cached)));
            }
            (Some(key), _) => memory.remember(path.clone(), key),
            (None, _) => {}
        }
    }
    let text = model.text_of(id)?;
    let rendered = render_body(model, id, &text);
    let context = context.with_body(&rendered);
    // A person's one page is `people/<id>/`: theirs only points there.
    let template = if doc.kind == crate::analysis::PERSON_KIND {
        "person_moved.html"
    } else {
        "page.html"
    };
    let file = match memory {
        // Keyed above, by what the values are made from.
        Some(_) => Some(render_page(theme, template, path, &base, &context)?),
        None => page(theme, template, path, &base, &context)?,
    };
    let entry = SearchDoc::new(
        &model.links[id],
        &rendered.headings,
        &rendered.text,
        crate::render::search::EntryFacts::of(model, id),
    );
    Ok((file, Entry::Fresh(entry)))
}

/// What document `id`'s page is made from, as one hash, without its body
/// rendered: the page's values (`base`, `context`, the body left out) and,
/// for the body, what its HTML is made of: the file's text (its length and
/// hash) and what each of its links resolves to. Headings, code and the
/// Markdown options are the file's text and the config, which the build's
/// identity holds. `None` only if the values cannot be hashed.
fn document_key(
    model: &Model<'_>,
    id: DocId,
    base: &Base<'_>,
    context: &DocumentPage<'_>,
) -> Option<u64> {
    let doc = &model.site.docs[id];
    let resolver = Resolver {
        model,
        from_file: &doc.file,
    };
    let targets: Vec<Option<(String, &str)>> = doc
        .body
        .links
        .iter()
        .map(|link| match &link.target {
            crate::model::BodyLinkTarget::Id { id, .. } => resolver.by_id(id),
            crate::model::BodyLinkTarget::Path { written, .. } => {
                resolver.by_path(written).map(|url| (url, ""))
            }
        })
        .collect();
    hash::hash_value(&(
        "page.html",
        base,
        context,
        hash::ByHash(&context.below),
        model.site.sources[doc.source].whole_print(),
        doc.body_offset,
        targets,
    ))
}
