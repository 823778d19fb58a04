//! `depends_on:` as the graph sees it: what a document may wait on, and
//! `dependency-cycle`, documents that wait on each other, each cycle
//! reported once with all of its members.

use super::{DocId, Graph, Rel};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::Document;

/// The kinds that wait and are waited on: the work that has a time and a status.
pub(crate) const DEPENDENCY_KINDS: &[&str] = &["bet", "objective", "work"];

/// A dependency must name a bet, an objective or a work item: only those
/// have the status, quarter and deadline a dependency is judged by.
pub(super) fn check_target(
    from: &Document,
    to: &Document,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    if to.invalid || from.invalid || DEPENDENCY_KINDS.contains(&to.kind.as_str()) {
        return;
    }
    diags.push(
        Diagnostic::error(
            "schema",
            &from.file,
            span,
            format!(
                "`depends_on` must name a bet, an objective or a work item, but `{}` is a `{}`",
                to.id, to.kind
            ),
        )
        .with_doc(&from.id)
        .with_hint("name the bet, objective or work item that delivers what is needed; use `related:` for any other link"),
    );
}

/// Reports every cycle of `depends_on` edges once: each strongly connected
/// component (Tarjan's, without recursion, so no chain is too long), at
/// the entry of its first document that leads round the shortest cycle
/// back to it.
pub(super) fn report_cycles(docs: &[Document], graph: &Graph, diags: &mut Vec<Diagnostic>) {
    let n = docs.len();
    let mut next: Vec<Vec<(DocId, Span)>> = vec![Vec::new(); n];
    let mut any = false;
    for e in graph.edges().iter().filter(|e| e.rel == Rel::DependsOn) {
        next[e.from].push((e.to, e.span));
        any = true;
    }
    if !any {
        return;
    }
    let components = strongly_connected(&next);
    let mut member = vec![false; n];
    for component in components {
        let Some(&start) = component.iter().min() else {
            continue;
        };
        let self_loop = next[start].iter().any(|&(w, _)| w == start);
        if component.len() == 1 && !self_loop {
            continue;
        }
        for &c in &component {
            member[c] = true;
        }
        let cycle = shortest_cycle(start, &next, &member);
        for &c in &component {
            member[c] = false;
        }
        let Some(&second) = cycle.get(1) else {
            continue;
        };
        let span = next[start]
            .iter()
            .find(|&&(w, _)| w == second)
            .map_or(Span::file_start(), |&(_, s)| s);
        let from = &docs[start];
        let message = if cycle.len() == 2 {
            format!("`{}` depends on itself", from.id)
        } else {
            let names: Vec<String> = cycle.iter().map(|&d| format!("`{}`", docs[d].id)).collect();
            let (first, rest) = names.split_at(1);
            format!(
                "dependency cycle: {} waits on {}",
                first.concat(),
                rest.join(", which waits on ")
            )
        };
        diags.push(
            Diagnostic::error("dependency-cycle", &from.file, span, message)
                .with_doc(&from.id)
                .with_hint("documents that wait on each other can never start; remove the dependency that is not real, or split the work so one side can go first"),
        );
    }
}

/// The shortest path from `start` round to `start` within the component
/// marked in `member`, both ends included; a breadth-first search.
fn shortest_cycle(start: DocId, next: &[Vec<(DocId, Span)>], member: &[bool]) -> Vec<DocId> {
    let mut came_from: foldhash::HashMap<DocId, DocId> = Default::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &(w, _) in &next[v] {
            if w == start {
                let mut trail = Vec::new();
                let mut at = v;
                while at != start {
                    trail.push(at);
                    at = came_from.get(&at).copied().unwrap_or(start);
                }
                trail.reverse();
                let mut cycle = vec![start];
                cycle.extend(trail);
                cycle.push(start);
                return cycle;
            }
            if member[w] && !came_from.contains_key(&w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}

/// The strongly connected components of `next` with an edge out, by
/// Tarjan's algorithm with an explicit stack.
fn strongly_connected(next: &[Vec<(DocId, Span)>]) -> Vec<Vec<DocId>> {
    const UNSEEN: usize = usize::MAX;
    let n = next.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut counter = 0;
    let mut components = Vec::new();
    let mut calls: Vec<(DocId, usize)> = Vec::new();
    for root in DocId::all(n) {
        if index[root] != UNSEEN || next[root].is_empty() {
            continue;
        }
        calls.push((root, 0));
        while let Some(&(v, i)) = calls.last() {
            if i == 0 && index[v] == UNSEEN {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&(w, _)) = next[v].get(i) {
                if let Some(top) = calls.last_mut() {
                    top.1 += 1;
                }
                if index[w] == UNSEEN {
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(u, _)) = calls.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}
