//! Reading a metric's progress, shared by `overdue` and `flat-outcome`.

use super::Context;
use crate::model::{Checkin, Direction, Document, MetricRef};

/// The metric document a `metric:` field links to.
pub(super) fn metric_doc<'a>(
    ctx: &Context<'a>,
    metric: Option<&MetricRef>,
) -> Option<&'a Document> {
    match metric? {
        MetricRef::Id(r) => ctx
            .graph
            .lookup(&r.id)
            .map(|i| &ctx.docs[i])
            .filter(|d| d.kind == "metric"),
        MetricRef::Text(_) => None,
    }
}

/// The latest check-in of the linked metric.
pub(super) fn latest(ctx: &Context<'_>, metric: Option<&MetricRef>) -> Option<Checkin> {
    metric_doc(ctx, metric)?.checkins.last().copied()
}

/// Whether higher is better: the metric's `direction`, else the way from baseline to target, else up.
pub(super) fn higher_is_better(
    ctx: &Context<'_>,
    metric: Option<&MetricRef>,
    baseline: Option<f64>,
    target: Option<f64>,
) -> bool {
    match metric_doc(ctx, metric).and_then(|m| m.direction) {
        Some(Direction::Up) => true,
        Some(Direction::Down) => false,
        None => match (baseline, target) {
            (Some(b), Some(t)) => t >= b,
            _ => true,
        },
    }
}
