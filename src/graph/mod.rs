//! Stage 2: resolve every id and link between documents into one graph, and
//! report the structural problems only visible across documents
//! (`duplicate-id`, `broken-link`, `invalid-parent`, `cycle`, `deep-chain`).
//!
//! Invariant: after [`Graph::build`] the parent links form a forest no deeper
//! than [`MAX_DEPTH`]: every cycle and every link that would go deeper was
//! reported and cut, so walking up always ends, and every walk over the tree,
//! recursive or not, is bounded by that depth.

mod dependencies;
mod export;

pub(crate) use dependencies::DEPENDENCY_KINDS;
pub use export::{json_key, to_dot, to_json, to_json_reusing, JsonPieces};

use std::collections::{HashMap, HashSet};

/// The graph's maps by id and path: foldhash, which hashes short strings
/// several times faster than the standard SipHash, with a seed chosen per
/// process so that no set of ids can be written to collide.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::config::Schema;
use crate::diagnostics::{Diagnostic, Span};
use crate::model::BodyLinkTarget;
use crate::model::Document;
use crate::text::{slugify, suggest};

/// Index of a document in the site's document list: a type of its own so
/// that it cannot be mistaken for a source index, a count or an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(usize);

crate::model::position_type!(DocId, "document");

/// What an edge means (the `rel` of `graph.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rel {
    /// `parent:` — the traceability tree.
    Parent,
    /// `supports:` — further upward links.
    Supports,
    /// `related:` — sideways.
    Related,
    /// `team:` — who executes it.
    Team,
    /// `success.metric` / `key_results[].metric`.
    Metric,
    /// A review's `covers:`.
    Covers,
    /// A metric's `drives:`: the metric it moves, further along input → output → outcome → impact.
    Drives,
    /// A decision's `decides:`: what it shapes.
    Decides,
    /// A decision's `superseded_by:`: the decision that replaced it.
    SupersededBy,
    /// A link in the body.
    Mentions,
    /// `depends_on:`: a document this one waits on.
    DependsOn,
}

impl Rel {
    /// The name used in `graph.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rel::Parent => "parent",
            Rel::Supports => "supports",
            Rel::Related => "related",
            Rel::Team => "team",
            Rel::Metric => "metric",
            Rel::Covers => "covers",
            Rel::Drives => "drives",
            Rel::Decides => "decides",
            Rel::SupersededBy => "superseded_by",
            Rel::Mentions => "mentions",
            Rel::DependsOn => "depends_on",
        }
    }
}

/// A resolved link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The document the link is written in.
    pub from: DocId,
    /// The document it names.
    pub to: DocId,
    /// What it means.
    pub rel: Rel,
    /// Where the link is written in `from`'s file (for a body link mentioned
    /// several times, the first), so an editor can jump from it or rename it.
    pub span: Span,
}

/// The resolved strategy graph.
#[derive(Debug, Default)]
pub struct Graph {
    index: FastMap<String, DocId>,
    parent: Vec<Option<DocId>>,
    children: Vec<Vec<DocId>>,
    edges: Vec<Edge>,
    outgoing: Vec<Vec<usize>>,
    incoming: Vec<Vec<usize>>,
    traces_to_strategy: Vec<bool>,
    /// Which resolution made this graph: a graph the analysis keeps keeps its number.
    generation: u64,
}

/// The number of the next graph [`Graph::build`] makes; 0 is the empty default.
static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Extra knowledge that makes broken-link hints precise.
#[derive(Debug, Default, PartialEq)]
pub struct ResolveContext {
    /// Ids of draft documents left out of this run, with their files.
    pub excluded_drafts: HashMap<String, String>,
}

impl Graph {
    /// Resolves all links of `docs` and reports what does not fit.
    pub fn build(
        docs: &[Document],
        schema: &Schema,
        context: &ResolveContext,
    ) -> (Graph, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let index = index_ids(docs, &mut diags);
        let by_path: FastMap<&str, DocId> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.file.as_str(), DocId(i)))
            .collect();
        let mut graph = Graph {
            parent: vec![None; docs.len()],
            children: vec![Vec::new(); docs.len()],
            outgoing: vec![Vec::new(); docs.len()],
            incoming: vec![Vec::new(); docs.len()],
            ..Graph::default()
        };
        let resolver = Resolver {
            docs,
            graph_index: &index,
            by_path: &by_path,
            schema,
            context,
            hints: Mutex::new(HashMap::new()),
        };
        // Each document's links resolve on their own; they are added in
        // document order, so edges and findings come out as from one thread.
        let resolved: Vec<Links> = docs
            .par_iter()
            .enumerate()
            .map(|(from, doc)| resolver.links_of(DocId(from), doc))
            .collect();
        for (from, links) in DocId::all(docs.len()).zip(resolved) {
            graph.parent[from] = links.parent;
            for (to, rel, span) in links.edges {
                graph.add_edge(Edge {
                    from,
                    to,
                    rel,
                    span,
                });
            }
            diags.extend(links.diags);
        }

        dependencies::report_cycles(docs, &graph, &mut diags);
        cut_cycles(docs, &mut graph.parent, &mut diags);
        cut_deep_chains(docs, &mut graph.parent, &mut diags);
        for (child, parent) in DocId::all(docs.len()).zip(&graph.parent) {
            if let Some(p) = parent {
                graph.children[*p].push(child);
            }
        }
        graph.traces_to_strategy = traces_to_strategy(docs, schema, &graph.parent);
        graph.index = index;
        graph.generation = NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (graph, diags)
    }

    fn add_edge(&mut self, edge: Edge) {
        let i = self.edges.len();
        self.outgoing[edge.from].push(i);
        self.incoming[edge.to].push(i);
        self.edges.push(edge);
    }

    /// Which resolution made this graph: two graphs of one number are one
    /// graph, of the same documents in the same order (an analysis that
    /// moved no link keeps the last one).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The document with `id`.
    pub fn lookup(&self, id: &str) -> Option<DocId> {
        self.index.get(id).copied()
    }

    /// The document an id as written names: the id itself, or a tracker's
    /// item by its key in any case (`PAY-42` for `pay-42`). `docs` are the
    /// documents the graph was built from.
    pub fn lookup_written(&self, docs: &[Document], id: &str) -> Option<DocId> {
        self.lookup(id).or_else(|| {
            self.lookup(&slugify(id))
                .filter(|&d| docs.get(d.index()).is_some_and(|d| d.tracker.is_some()))
        })
    }

    /// The parent of `doc`, if its link resolved.
    pub fn parent(&self, doc: DocId) -> Option<DocId> {
        self.parent[doc]
    }

    /// The documents whose parent is `doc`, in file order.
    pub fn children(&self, doc: DocId) -> &[DocId] {
        &self.children[doc]
    }

    /// Every resolved link, in document and field order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Links written in `doc`.
    pub fn outgoing(&self, doc: DocId) -> impl Iterator<Item = &Edge> {
        self.outgoing[doc].iter().map(|&i| &self.edges[i])
    }

    /// Links naming `doc`.
    pub fn incoming(&self, doc: DocId) -> impl Iterator<Item = &Edge> {
        self.incoming[doc].iter().map(|&i| &self.edges[i])
    }

    /// The parent chain from `doc`'s parent up to the root of its tree.
    pub fn ancestors(&self, doc: DocId) -> Vec<DocId> {
        let mut chain = Vec::new();
        let mut at = self.parent[doc];
        while let Some(p) = at {
            chain.push(p);
            at = self.parent[p];
        }
        chain
    }

    /// How many documents the graph holds.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether the graph holds no documents.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Every document below `doc` in the parent tree, depth first.
    pub fn descendants(&self, doc: DocId) -> Vec<DocId> {
        let mut out = Vec::new();
        let mut stack: Vec<DocId> = self.children[doc].iter().rev().copied().collect();
        while let Some(d) = stack.pop() {
            out.push(d);
            stack.extend(self.children[d].iter().rev());
        }
        out
    }

    /// Whether `doc` reaches a company strategy by parent links.
    pub fn traces_to_strategy(&self, doc: DocId) -> bool {
        self.traces_to_strategy[doc]
    }

    /// The roots of the parent forest (documents without a parent), in file order.
    pub fn roots(&self) -> impl Iterator<Item = DocId> + '_ {
        DocId::all(self.parent.len()).filter(|&d| self.parent[d].is_none())
    }
}

fn index_ids(docs: &[Document], diags: &mut Vec<Diagnostic>) -> FastMap<String, DocId> {
    let mut index: FastMap<String, DocId> =
        FastMap::with_capacity_and_hasher(docs.len(), Default::default());
    let mut groups: HashMap<&str, Vec<DocId>> = HashMap::new();
    for (i, doc) in DocId::all(docs.len()).zip(docs) {
        if let Some(&first) = index.get(&doc.id) {
            groups
                .entry(doc.id.as_str())
                .or_insert_with(|| vec![first])
                .push(i);
        } else {
            index.insert(doc.id.clone(), i);
        }
    }
    for (id, members) in groups {
        for &m in &members {
            let others: Vec<&str> = members
                .iter()
                .filter(|&&o| o != m)
                .map(|&o| docs[o].file.as_str())
                .collect();
            let doc = &docs[m];
            let explicit = doc.id_span.is_some();
            diags.push(
                Diagnostic::error(
                    "duplicate-id",
                    &doc.file,
                    doc.id_span.unwrap_or_else(Span::file_start),
                    format!("id `{id}` is also used by {}", others.join(", ")),
                )
                .with_doc(id)
                .with_hint(if explicit {
                    "ids must be unique across the site; rename one of them"
                } else {
                    "this id comes from the file name; rename the file or add a unique `id:`"
                }),
            );
        }
    }
    index
}

/// Whether `a` and `b`, two versions of one document, resolve to the same
/// links and findings wherever they stand: every field [`Graph::build`]
/// reads of a document, as the one that links or as the one linked to.
/// A graph whose documents all compare the same is the same graph, so an
/// edit that changes none of these (a title, a status, a sentence that
/// moves no link) can keep it. Keep this in step with the resolver.
pub(crate) fn same_links(a: &Document, b: &Document) -> bool {
    a.id == b.id
        && a.id_span == b.id_span
        && a.file == b.file
        && a.kind == b.kind
        && a.invalid == b.invalid
        && a.draft == b.draft
        && a.metric_type == b.metric_type
        && a.parent == b.parent
        && a.supports == b.supports
        && a.related == b.related
        && a.covers == b.covers
        && a.team == b.team
        && a.drives == b.drives
        && a.depends_on
            .iter()
            .map(|d| &d.target)
            .eq(b.depends_on.iter().map(|d| &d.target))
        && a.decides == b.decides
        && a.superseded_by == b.superseded_by
        && a.metric_refs().eq(b.metric_refs())
        && a.body.links == b.body.links
        && a.body.anchors == b.body.anchors
}

struct Resolver<'a> {
    docs: &'a [Document],
    graph_index: &'a FastMap<String, DocId>,
    by_path: &'a FastMap<&'a str, DocId>,
    schema: &'a Schema,
    context: &'a ResolveContext,
    /// Hints per missing id: finding the nearest id is a scan of all ids, done once per id.
    hints: Mutex<HashMap<String, String>>,
}

/// What one document's links resolved to.
struct Links {
    parent: Option<DocId>,
    /// Targets and relations, in the order the document writes them.
    edges: Vec<(DocId, Rel, Span)>,
    diags: Vec<Diagnostic>,
}

impl Resolver<'_> {
    /// Resolves every link `doc` (at `from`) writes, in front matter order, then the body's.
    fn links_of(&self, from: DocId, doc: &Document) -> Links {
        let docs = self.docs;
        let mut links = Links {
            parent: None,
            edges: Vec::new(),
            diags: Vec::new(),
        };
        let diags = &mut links.diags;
        if let Some(parent) = &doc.parent {
            if let Some(to) = self.resolve(doc, &parent.id, parent.span, diags) {
                links.parent = Some(to);
                links.edges.push((to, Rel::Parent, parent.span));
                check_parent_kind(docs, self.schema, from, to, parent.span, diags);
            }
        }
        for (refs, rel) in [
            (&doc.supports, Rel::Supports),
            (&doc.related, Rel::Related),
            (&doc.covers, Rel::Covers),
            (&doc.decides, Rel::Decides),
        ] {
            for r in refs {
                if let Some(to) = self.resolve(doc, &r.id, r.span, diags) {
                    links.edges.push((to, rel, r.span));
                }
            }
        }
        if let Some(next) = &doc.superseded_by {
            if let Some(to) = self.resolve(doc, &next.id, next.span, diags) {
                check_target_kind(
                    doc,
                    &docs[to],
                    "superseded_by",
                    "decision",
                    next.span,
                    diags,
                );
                links.edges.push((to, Rel::SupersededBy, next.span));
            }
        }
        if let Some(team) = &doc.team {
            if let Some(to) = self.resolve(doc, &team.id, team.span, diags) {
                check_target_kind(doc, &docs[to], "team", "team", team.span, diags);
                links.edges.push((to, Rel::Team, team.span));
            }
        }
        for metric in doc.metric_refs() {
            if let Some(to) = self.resolve(doc, &metric.id, metric.span, diags) {
                check_target_kind(doc, &docs[to], "metric", "metric", metric.span, diags);
                links.edges.push((to, Rel::Metric, metric.span));
            }
        }
        for driven in &doc.drives {
            if let Some(to) = self.resolve(doc, &driven.id, driven.span, diags) {
                check_target_kind(doc, &docs[to], "drives", "metric", driven.span, diags);
                check_drive_order(doc, &docs[to], driven.span, diags);
                links.edges.push((to, Rel::Drives, driven.span));
            }
        }
        for dep in &doc.depends_on {
            let target = &dep.target;
            if let Some(to) = self.resolve(doc, &target.id, target.span, diags) {
                dependencies::check_target(doc, &docs[to], target.span, diags);
                links.edges.push((to, Rel::DependsOn, target.span));
            }
        }
        let mut mentioned = HashSet::new();
        for link in &doc.body.links {
            let (target, heading) = match &link.target {
                BodyLinkTarget::Id { id, heading } => {
                    (self.resolve(doc, id, link.span, diags), heading)
                }
                BodyLinkTarget::Path {
                    path,
                    written,
                    heading,
                } => {
                    let found = path.as_deref().and_then(|p| self.by_path.get(p).copied());
                    if found.is_none() {
                        diags.push(
                            Diagnostic::error(
                                "broken-link",
                                &doc.file,
                                link.span,
                                format!("link to `{written}`: no such document"),
                            )
                            .with_doc(&doc.id)
                            .with_hint(
                                "the path is relative to this file; check the folder and file name",
                            ),
                        );
                    }
                    (found, heading)
                }
            };
            let Some(to) = target else { continue };
            if let Some(heading) = heading {
                check_heading(doc, &docs[to], heading, link.span, diags);
            }
            if to != from && mentioned.insert(to) {
                links.edges.push((to, Rel::Mentions, link.span));
            }
        }
        links
    }

    fn resolve(
        &self,
        from: &Document,
        id: &str,
        span: Span,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<DocId> {
        if let Some(&to) = self.graph_index.get(id) {
            return Some(to);
        }
        // A tracker's key names its item in any case: `[[PAY-42]]` is `pay-42`.
        if let Some(&to) = self.graph_index.get(&slugify(id)) {
            if self.docs[to].tracker.is_some() {
                return Some(to);
            }
        }
        let known = self
            .hints
            .lock()
            .ok()
            .and_then(|hints| hints.get(id).cloned());
        let hint = known.unwrap_or_else(|| {
            let hint = self.hint_for(id);
            if let Ok(mut hints) = self.hints.lock() {
                hints.insert(id.to_string(), hint.clone());
            }
            hint
        });
        diags.push(
            Diagnostic::error(
                "broken-link",
                &from.file,
                span,
                format!("no document has the id `{id}`"),
            )
            .with_doc(&from.id)
            .with_hint(hint),
        );
        None
    }

    fn hint_for(&self, id: &str) -> String {
        if let Some(file) = self.context.excluded_drafts.get(id) {
            format!("`{id}` ({file}) is a draft; build with `--drafts`, or remove `draft: true`")
        } else if let Some(&to) = self.graph_index.get(&slugify(id)) {
            format!("did you mean `{}`?", self.docs[to].id)
        } else if let Some(s) = suggest(id, self.graph_index.keys().map(String::as_str)) {
            format!("did you mean `{s}`?")
        } else {
            "check the id; ids come from `id:` or the file name".to_string()
        }
    }
}

fn check_parent_kind(
    docs: &[Document],
    schema: &Schema,
    child: DocId,
    parent: DocId,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let (c, p) = (&docs[child], &docs[parent]);
    if c.invalid || p.invalid || child == parent {
        return;
    }
    let Some(def) = schema.get(&c.kind) else {
        return;
    };
    if def.parents.allows(&p.kind) {
        return;
    }
    let (message, hint) = match &def.parents {
        crate::config::ParentRule::Kinds(kinds) => (
            format!(
                "a `{}` cannot have a `{}` as parent (`{}`)",
                c.kind, p.kind, p.id
            ),
            format!(
                "the parent of a `{}` must be a {}",
                c.kind,
                kinds
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ),
        _ => (
            format!(
                "a `{}` has no parent, but this one names `{}`",
                c.kind, p.id
            ),
            "remove `parent:`; use `related:` for a sideways link".to_string(),
        ),
    };
    diags.push(
        Diagnostic::error("invalid-parent", &c.file, span, message)
            .with_doc(&c.id)
            .with_hint(hint),
    );
}

fn check_target_kind(
    from: &Document,
    to: &Document,
    field: &str,
    kind: &str,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    if to.kind != kind && !to.invalid {
        diags.push(
            Diagnostic::error(
                "schema",
                &from.file,
                span,
                format!(
                    "`{field}` must name a `{kind}` document, but `{}` is a `{}`",
                    to.id, to.kind
                ),
            )
            .with_doc(&from.id),
        );
    }
}

/// A metric drives only metrics further along input → output → outcome →
/// impact: the chain is read left to right, and `metric-chain` judges each
/// link by the types at its ends. Metrics without a `type` are not ordered.
fn check_drive_order(from: &Document, to: &Document, span: Span, diags: &mut Vec<Diagnostic>) {
    if from.invalid || to.invalid || to.kind != "metric" {
        return;
    }
    let problem = if std::ptr::eq(from, to) {
        format!("metric `{}` cannot drive itself", from.id)
    } else {
        let (Some(a), Some(b)) = (from.metric_type, to.metric_type) else {
            return;
        };
        if a < b {
            return;
        }
        format!(
            "`drives` must name a metric of a later type than `{}`, but `{}` is an `{}` metric",
            a.as_str(),
            to.id,
            b.as_str()
        )
    };
    diags.push(
        Diagnostic::error("schema", &from.file, span, problem)
            .with_doc(&from.id)
            .with_hint("metrics drive left to right: input → output → outcome → impact; write the link on the earlier metric"),
    );
}

/// Which of a document's heading `anchors` a link's `#heading` names: the
/// heading's slug, or the anchor as written.
pub fn anchor_index(anchors: &[String], written: &str) -> Option<usize> {
    let slug = slugify(written);
    anchors.iter().position(|a| *a == slug || a == written)
}

fn check_heading(
    from: &Document,
    to: &Document,
    heading: &str,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    if anchor_index(&to.body.anchors, heading).is_some() {
        return;
    }
    let hint = match to.body.anchors.as_slice() {
        [] => format!("`{}` has no headings", to.id),
        anchors => format!(
            "its headings are: {}",
            anchors
                .iter()
                .map(|a| format!("#{a}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    diags.push(
        Diagnostic::error(
            "broken-link",
            &from.file,
            span,
            format!("`{}` has no heading `#{heading}`", to.id),
        )
        .with_doc(&from.id)
        .with_hint(hint),
    );
}

/// Reports each parent cycle once, naming the whole loop, and cuts it at the reported document.
fn cut_cycles(docs: &[Document], parent: &mut [Option<DocId>], diags: &mut Vec<Diagnostic>) {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let mut state = vec![State::New; parent.len()];
    for start in DocId::all(parent.len()) {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(d) = at {
            match state[d] {
                State::Done => break,
                State::OnPath => {
                    let begin = path.iter().position(|&p| p == d).unwrap_or(0);
                    let members = path[begin..].to_vec();
                    report_cycle(docs, &members, diags);
                    if let Some(&first) = members.iter().min_by_key(|&&m| &docs[m].file) {
                        parent[first] = None;
                    }
                    break;
                }
                State::New => {
                    state[d] = State::OnPath;
                    path.push(d);
                    at = parent[d];
                }
            }
        }
        for d in path {
            state[d] = State::Done;
        }
    }
}

fn report_cycle(docs: &[Document], members: &[DocId], diags: &mut Vec<Diagnostic>) {
    let Some(first_pos) = (0..members.len()).min_by_key(|&i| &docs[members[i]].file) else {
        return;
    };
    let doc = &docs[members[first_pos]];
    let span = doc
        .parent
        .as_ref()
        .map_or_else(Span::file_start, |p| p.span);
    let message = if members.len() == 1 {
        format!("`{}` is its own parent", doc.id)
    } else {
        let names: Vec<&str> = (0..=members.len())
            .map(|k| docs[members[(first_pos + k) % members.len()]].id.as_str())
            .collect();
        format!("the parent chain loops: {}", names.join(" → "))
    };
    diags.push(
        Diagnostic::error("cycle", &doc.file, span, message)
            .with_doc(&doc.id)
            .with_hint("a parent must be higher in the strategy stack; break the loop by changing one `parent:`"),
    );
}

/// How many ancestors a document may have. A strategy stack is a handful of
/// levels and an opportunity tree a few more; a chain hundreds deep is a
/// generated or hostile input, and bounding it keeps every tree walk, page and
/// diagram bounded too.
pub const MAX_DEPTH: usize = 64;

/// Cuts, and reports, each parent link that would put a document more than
/// [`MAX_DEPTH`] levels below the root of its tree. Below a cut the chain
/// starts again at depth 0, so a 100,000-deep chain becomes short trees.
fn cut_deep_chains(docs: &[Document], parent: &mut [Option<DocId>], diags: &mut Vec<Diagnostic>) {
    let mut depth: Vec<Option<usize>> = vec![None; parent.len()];
    for start in DocId::all(parent.len()) {
        // Up to the first document whose depth is known, then down again.
        let mut path = Vec::new();
        let mut at = Some(start);
        let mut above = None;
        while let Some(d) = at {
            if let Some(known) = depth[d] {
                above = Some((d, known));
                break;
            }
            path.push(d);
            at = parent[d];
        }
        let mut next = above.map_or(0, |(_, known)| known + 1);
        let mut top = above.map(|(d, _)| d);
        for &d in path.iter().rev() {
            if next > MAX_DEPTH {
                if let Some(p) = top {
                    report_deep_chain(docs, d, p, diags);
                }
                parent[d] = None;
                next = 0;
            }
            depth[d] = Some(next);
            next += 1;
            top = Some(d);
        }
    }
}

fn report_deep_chain(docs: &[Document], doc: DocId, parent: DocId, diags: &mut Vec<Diagnostic>) {
    let d = &docs[doc];
    let span = d.parent.as_ref().map_or_else(Span::file_start, |p| p.span);
    diags.push(
        Diagnostic::error(
            "deep-chain",
            &d.file,
            span,
            format!(
                "`{}` would sit more than {MAX_DEPTH} levels below the top of its tree; the link to `{}` is cut",
                d.id, docs[parent].id
            ),
        )
        .with_doc(&d.id)
        .with_hint("attach this document higher up: a strategy stack or opportunity tree is a few levels deep, not hundreds"),
    );
}

fn traces_to_strategy(docs: &[Document], schema: &Schema, parent: &[Option<DocId>]) -> Vec<bool> {
    let is_top = |d: DocId| {
        schema
            .get(&docs[d].kind)
            .is_some_and(|k| k.layer == Some(1))
    };
    let mut memo: Vec<Option<bool>> = vec![None; docs.len()];
    for start in DocId::all(docs.len()) {
        let mut path = Vec::new();
        let mut at = Some(start);
        let answer = loop {
            match at {
                None => break false,
                Some(d) => {
                    if let Some(known) = memo[d] {
                        break known;
                    }
                    if is_top(d) {
                        break true;
                    }
                    path.push(d);
                    at = parent[d];
                }
            }
        };
        for d in path {
            memo[d] = Some(answer);
        }
        if memo[start].is_none() {
            memo[start] = Some(answer);
        }
    }
    memo.into_iter().map(|m| m.unwrap_or(false)).collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::site;

    /// A company strategy with a chain of `n` pages below it, each the parent of the next.
    fn chain(n: usize) -> Vec<(String, String)> {
        let mut files = vec![(
            "cs.md".to_string(),
            "---\nid: cs\nkind: company-strategy\n---\n".to_string(),
        )];
        let mut parent = "cs".to_string();
        for i in 0..n {
            files.push((
                format!("p/{i:06}.md"),
                format!("---\nid: p{i}\nkind: page\nparent: {parent}\n---\n"),
            ));
            parent = format!("p{i}");
        }
        files
    }

    fn deep_chain_findings(n: usize) -> Vec<String> {
        let files = chain(n);
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let site = site("", &files, "2026-11-24");
        let depth_ok = super::DocId::all(site.docs.len())
            .all(|d| site.graph.ancestors(d).len() <= super::MAX_DEPTH);
        assert!(depth_ok, "a document is deeper than MAX_DEPTH after build");
        site.diagnostics
            .iter()
            .filter(|d| d.rule == "deep-chain")
            .map(|d| format!("{}:{} {}", d.file, d.span.line, d.message))
            .collect()
    }

    #[test]
    fn a_chain_of_max_depth_is_kept_whole() {
        assert_eq!(deep_chain_findings(super::MAX_DEPTH), Vec::<String>::new());
    }

    #[test]
    fn one_level_more_is_cut_at_the_document_that_goes_too_deep() {
        assert_eq!(
            deep_chain_findings(super::MAX_DEPTH + 1),
            vec!["p/000064.md:4 `p64` would sit more than 64 levels below the top of its tree; the link to `p63` is cut"]
        );
    }

    #[test]
    fn a_very_deep_chain_is_cut_every_max_depth_plus_one_levels() {
        let cut_at: Vec<String> = deep_chain_findings(1_000)
            .into_iter()
            .map(|f| f.split(' ').next().unwrap_or_default().to_string())
            .collect();
        // The first cut leaves p64 at depth 0; the next document to go too deep is 65 further down.
        let expected: Vec<String> = (0..)
            .map(|k| 64 + 65 * k)
            .take_while(|&i| i < 1_000)
            .map(|i| format!("p/{i:06}.md:4"))
            .collect();
        assert_eq!(cut_at, expected);
    }

    #[test]
    fn every_edge_carries_where_its_link_is_written() {
        let site = site(
            "",
            &[
                ("cs.md", "---\nid: cs\nkind: company-strategy\n---\n"),
                (
                    "ps.md",
                    "---\nid: ps\nkind: product-strategy\nparent: cs\nrelated: [cs]\n---\nSee [[cs]].\n",
                ),
            ],
            "2026-11-24",
        );
        let ps = site.graph.lookup("ps").expect("ps");
        let spans: Vec<(super::Rel, u32, u32, u32)> = site
            .graph
            .outgoing(ps)
            .map(|e| (e.rel, e.span.line, e.span.column, e.span.len))
            .collect();
        assert_eq!(
            spans,
            vec![
                (super::Rel::Parent, 4, 9, 2),
                (super::Rel::Related, 5, 11, 2),
                (super::Rel::Mentions, 7, 5, 6),
            ]
        );
    }

    #[test]
    fn drives_links_a_metric_to_metrics_of_a_later_type() {
        let metric = |id: &str, ty: &str, drives: &str| {
            format!("---\nid: {id}\nkind: metric\n{ty}drives: [{drives}]\n---\n")
        };
        let files = [
            ("a.md", metric("a", "type: input\n", "b, c, nope")),
            ("b.md", metric("b", "type: outcome\n", "a, b")),
            ("c.md", metric("c", "type: impact\n", "")),
            ("d.md", metric("d", "", "c, cs")),
            (
                "cs.md",
                "---\nid: cs\nkind: company-strategy\n---\n".to_string(),
            ),
        ];
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let site = site("", &files, "2026-11-24");
        let found: Vec<String> = site
            .diagnostics
            .iter()
            .filter(|d| !crate::rules::HEALTH_RULES.contains(&d.rule))
            .map(|d| {
                format!(
                    "{}:{}:{} {} {}",
                    d.file, d.span.line, d.span.column, d.rule, d.message
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                "a.md:5:16 broken-link no document has the id `nope`",
                "b.md:5:10 schema `drives` must name a metric of a later type than `outcome`, but `a` is an `input` metric",
                "b.md:5:13 schema metric `b` cannot drive itself",
                "d.md:4:13 schema `drives` must name a `metric` document, but `cs` is a `company-strategy`",
            ]
        );
        let a = site.graph.lookup("a").expect("a");
        let driven: Vec<&str> = site
            .graph
            .outgoing(a)
            .filter(|e| e.rel == super::Rel::Drives)
            .map(|e| site.docs[e.to].id.as_str())
            .collect();
        assert_eq!(driven, ["b", "c"]);
    }
}

#[cfg(test)]
mod same_links_tests {
    use super::*;

    /// What a resolution gives: the edges, each document's parent, the findings.
    type Resolved = (Vec<Edge>, Vec<Option<DocId>>, Vec<Diagnostic>);

    fn resolve(docs: &[Document], schema: &Schema) -> Resolved {
        let (graph, diagnostics) = Graph::build(docs, schema, &ResolveContext::default());
        let parents = DocId::all(docs.len()).map(|d| graph.parent(d)).collect();
        (graph.edges().to_vec(), parents, diagnostics)
    }

    /// The analysis keeps the last graph when every re-parsed document is
    /// the same under `same_links`; so a field it leaves out must never
    /// change a resolution. Each edit here, made to each document in turn
    /// (of the example site, and of a small site with heading links, an
    /// unknown kind and a metric chain), either `same_links` notices or
    /// leaves the graph as it was. A new check in the resolver that reads a
    /// field left out fails this test (as long as an edit below changes
    /// that field).
    #[test]
    fn a_document_same_under_same_links_resolves_to_the_same_graph() {
        let example = crate::rules::testing::example();
        let small = crate::rules::testing::site(
            "",
            &[
                ("cs.md", "---\nid: cs\nkind: company-strategy\n---\n## Why\n"),
                (
                    "ps.md",
                    "---\nid: ps\nkind: product-strategy\nparent: cs\n---\nSee [[cs#why]] and [the plan](cs.md#why).\n",
                ),
                ("odd.md", "---\nid: odd\nkind: nosuch\n---\n"),
                ("bet.md", "---\nid: bet\nkind: bet\nparent: odd\n---\n"),
                ("m1.md", "---\nid: m1\nkind: metric\ntype: outcome\ndrives: [m2]\n---\n"),
                ("m2.md", "---\nid: m2\nkind: metric\ntype: input\n---\n"),
            ],
            "2026-11-24",
        );
        for site in [&example, &small] {
            assert_edits_noticed_or_harmless(site);
        }
    }

    fn assert_edits_noticed_or_harmless(site: &crate::site::Site) {
        let schema = &site.config.schema;
        let before = resolve(&site.docs, schema);
        type Edit = fn(&mut Document);
        let edits: &[(&str, Edit)] = &[
            ("title", |d| d.title.push_str(" (edited)")),
            ("owner", |d| d.owner = Some("Someone Else".into())),
            ("no owner", |d| d.owner = None),
            ("tags", |d| d.tags.push("edited".into())),
            ("reviewed", |d| d.reviewed = None),
            ("quarter", |d| d.quarter = None),
            ("status", |d| d.status = None),
            ("assumption", |d| d.assumption = Some("edited".into())),
            ("code", |d| d.body.has_code = !d.body.has_code),
            ("id", |d| d.id.push_str("-edited")),
            ("kind", |d| d.kind = "page".into()),
            ("parent", |d| d.parent = None),
            ("team", |d| d.team = None),
            ("supports", |d| d.supports.clear()),
            ("related", |d| d.related.clear()),
            ("covers", |d| d.covers.clear()),
            ("drives", |d| d.drives.clear()),
            ("metric type", |d| d.metric_type = None),
            ("body links", |d| d.body.links.clear()),
            ("headings", |d| d.body.anchors.clear()),
            ("invalid", |d| d.invalid = !d.invalid),
        ];
        let mut noticed = 0;
        for i in 0..site.docs.len() {
            for (name, edit) in edits {
                let mut docs = site.docs.clone();
                edit(&mut docs[i]);
                if !same_links(&site.docs[i], &docs[i]) {
                    noticed += 1;
                    continue;
                }
                assert!(
                    resolve(&docs, schema) == before,
                    "`{name}` on `{}` changes the graph, but same_links says the document is the same",
                    site.docs[i].id
                );
            }
        }
        // The edits of links, ids and kinds are noticed where they change something.
        assert!(noticed > site.docs.len(), "only {noticed} edits noticed");
    }
}
