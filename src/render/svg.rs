//! Inline SVG drawn at build time: metric charts and opportunity solution
//! trees. No script, no external service; each figure has a `<title>` and a
//! text alternative for screen readers.

use std::fmt::Write;

use super::markdown::escape;
use crate::model::Checkin;

/// A horizontal reference line on a metric chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The value.
    pub value: f64,
    /// What it is ("target 40 by 2027-03-31").
    pub label: String,
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{:.2}", n)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// A line chart of `checkins` with dashed reference lines (targets, baseline).
pub fn metric_chart(
    title: &str,
    unit: &str,
    checkins: &[Checkin],
    references: &[Reference],
) -> String {
    const W: f64 = 560.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 48.0;
    const RIGHT: f64 = 150.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 30.0;
    if checkins.is_empty() {
        return String::new();
    }
    let values = checkins
        .iter()
        .map(|c| c.value)
        .chain(references.iter().map(|r| r.value));
    let (mut lo, mut hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if (hi - lo).abs() < f64::EPSILON {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.08;
    let (lo, hi) = (lo - pad, hi + pad);
    let n = checkins.len();
    let x = |i: usize| {
        if n == 1 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (W - LEFT - RIGHT) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));

    let latest = checkins[n - 1];
    let summary = format!(
        "{} check-ins from {} to {}; latest {}{unit} on {}",
        n,
        checkins[0].date,
        latest.date,
        fmt_num(latest.value),
        latest.date
    );
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">{}: {}</title>",
        escape(title),
        escape(&summary)
    );
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        H - BOTTOM,
        W - RIGHT,
        H - BOTTOM
    );
    for (v, anchor) in [(hi - pad, "hi"), (lo + pad, "lo")] {
        let _ = write!(
            svg,
            "<text class=\"tick tick-{anchor}\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT - 6.0,
            y(v) + 4.0,
            escape(&fmt_num(v))
        );
    }
    for r in references {
        let ry = y(r.value);
        let _ = write!(
            svg,
            "<line class=\"reference\" x1=\"{LEFT}\" y1=\"{ry:.1}\" x2=\"{}\" y2=\"{ry:.1}\"/><text class=\"reference-label\" x=\"{}\" y=\"{:.1}\">{}</text>",
            W - RIGHT,
            W - RIGHT + 6.0,
            ry + 4.0,
            escape(&r.label)
        );
    }
    let points: Vec<String> = checkins
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{:.1},{:.1}", x(i), y(c.value)))
        .collect();
    let _ = write!(
        svg,
        "<polyline class=\"series\" points=\"{}\"/>",
        points.join(" ")
    );
    for (i, c) in checkins.iter().enumerate() {
        let _ = write!(
            svg,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{}: {}{}</title></circle>",
            x(i),
            y(c.value),
            c.date,
            escape(&fmt_num(c.value)),
            escape(unit)
        );
    }
    let _ = write!(
        svg,
        "<text class=\"tick\" x=\"{LEFT}\" y=\"{}\">{}</text>",
        H - 10.0,
        checkins[0].date
    );
    let _ = write!(
        svg,
        "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        W - RIGHT,
        H - 10.0,
        latest.date
    );
    svg.push_str("</svg>");
    svg
}

/// A node of an opportunity solution tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    /// Shown in the box.
    pub title: String,
    /// The kind (`outcome`, `opportunity`, `solution`, `experiment`), used as a CSS class.
    pub kind: String,
    /// A short status line (status or experiment result).
    pub note: Option<String>,
    /// Where the box links to.
    pub url: String,
    /// The nodes below.
    pub children: Vec<TreeNode>,
}

const BOX_W: f64 = 176.0;
const BOX_H: f64 = 58.0;
const GAP_X: f64 = 16.0;
const GAP_Y: f64 = 44.0;

struct Placed<'a> {
    node: &'a TreeNode,
    x: f64,
    depth: usize,
    parent: Option<usize>,
}

/// Lays a tree out top-down: leaves side by side, each parent centred over its children.
fn layout(root: &TreeNode) -> Vec<Placed<'_>> {
    fn place<'a>(
        node: &'a TreeNode,
        depth: usize,
        parent: Option<usize>,
        next_leaf: &mut f64,
        out: &mut Vec<Placed<'a>>,
    ) -> f64 {
        let index = out.len();
        out.push(Placed {
            node,
            x: 0.0,
            depth,
            parent,
        });
        let x = if node.children.is_empty() {
            let x = *next_leaf;
            *next_leaf += BOX_W + GAP_X;
            x
        } else {
            let xs: Vec<f64> = node
                .children
                .iter()
                .map(|c| place(c, depth + 1, Some(index), next_leaf, out))
                .collect();
            (xs[0] + xs[xs.len() - 1]) / 2.0
        };
        out[index].x = x;
        x
    }
    let mut out = Vec::new();
    let mut next_leaf = 0.0;
    place(root, 0, None, &mut next_leaf, &mut out);
    out
}

/// Splits `text` into at most two lines of about `width` characters, with an ellipsis if cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split_whitespace() {
        let current = lines.last_mut().map(|l| l.chars().count()).unwrap_or(0);
        if current > 0 && current + 1 + word.chars().count() > width {
            if lines.len() == 2 {
                if let Some(last) = lines.last_mut() {
                    last.push('…');
                }
                return lines;
            }
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// An opportunity solution tree as an SVG diagram. Its role is `group`, not
/// `img`: an image's content is hidden from assistive technology, and every
/// node is a link someone may want to follow.
pub fn tree_diagram(root: &TreeNode) -> String {
    let placed = layout(root);
    let width = placed.iter().map(|p| p.x).fold(0.0, f64::max) + BOX_W;
    let depth = placed.iter().map(|p| p.depth).max().unwrap_or(0);
    let height = (depth as f64 + 1.0) * (BOX_H + GAP_Y) - GAP_Y;
    let y = |d: usize| d as f64 * (BOX_H + GAP_Y);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"ost\" viewBox=\"-2 -2 {:.0} {:.0}\" width=\"{:.0}\" role=\"group\" aria-labelledby=\"ost-{}\"><title id=\"ost-{}\">Opportunity solution tree for {} ({} nodes)</title>",
        width + 4.0,
        height + 4.0,
        width + 4.0,
        escape(&crate::text::slugify(&root.title)),
        escape(&crate::text::slugify(&root.title)),
        escape(&root.title),
        placed.len()
    );
    for p in &placed {
        if let Some(parent) = p.parent {
            let (px, py) = (
                placed[parent].x + BOX_W / 2.0,
                y(placed[parent].depth) + BOX_H,
            );
            let (cx, cy) = (p.x + BOX_W / 2.0, y(p.depth));
            let mid = (py + cy) / 2.0;
            let _ = write!(svg, "<path class=\"edge\" d=\"M{px:.1},{py:.1} C{px:.1},{mid:.1} {cx:.1},{mid:.1} {cx:.1},{cy:.1}\"/>");
        }
    }
    for p in &placed {
        let (bx, by) = (p.x, y(p.depth));
        let _ = write!(
            svg,
            "<a href=\"{}\"><g class=\"node node-{}\"><rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"8\"/>",
            escape(&p.node.url),
            escape(&p.node.kind)
        );
        let _ = write!(
            svg,
            "<text class=\"node-kind\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            bx + 10.0,
            by + 15.0,
            escape(&p.node.kind)
        );
        if let Some(note) = &p.node.note {
            let _ = write!(
                svg,
                "<text class=\"node-note\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                bx + BOX_W - 10.0,
                by + 15.0,
                escape(note)
            );
        }
        for (i, line) in wrap(&p.node.title, 26).iter().enumerate() {
            let _ = write!(
                svg,
                "<text class=\"node-title\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                bx + 10.0,
                by + 33.0 + 15.0 * i as f64,
                escape(line)
            );
        }
        svg.push_str("</g></a>");
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_date;

    fn node(title: &str, kind: &str, children: Vec<TreeNode>) -> TreeNode {
        TreeNode {
            title: title.into(),
            kind: kind.into(),
            note: None,
            url: format!("../{title}/index.html"),
            children,
        }
    }

    #[test]
    fn parents_sit_centred_over_their_children() {
        let tree = node(
            "out",
            "outcome",
            vec![
                node(
                    "a",
                    "opportunity",
                    vec![
                        node("s1", "solution", vec![]),
                        node("s2", "solution", vec![]),
                    ],
                ),
                node("b", "opportunity", vec![]),
            ],
        );
        let placed = layout(&tree);
        let x = |t: &str| placed.iter().find(|p| p.node.title == t).unwrap().x;
        assert_eq!(x("s1"), 0.0);
        assert_eq!(x("s2"), BOX_W + GAP_X);
        assert_eq!(x("a"), (BOX_W + GAP_X) / 2.0);
        assert_eq!(x("b"), 2.0 * (BOX_W + GAP_X));
        assert_eq!(x("out"), (x("a") + x("b")) / 2.0);
        let svg = tree_diagram(&tree);
        assert_eq!(svg.matches("<rect").count(), 5);
        assert_eq!(svg.matches("class=\"edge\"").count(), 4);
    }

    #[test]
    fn titles_are_escaped_and_wrapped() {
        let svg = tree_diagram(&node(
            "<b>Merchants cannot plan cash for payroll every other Friday</b>",
            "outcome",
            vec![],
        ));
        assert!(!svg.contains("<b>"));
        assert_eq!(
            wrap("one two three four five six seven eight nine ten", 12),
            vec!["one two", "three four…"]
        );
    }

    #[test]
    fn chart_plots_points_and_references() {
        let c = |d: &str, v: f64| Checkin {
            date: parse_date(d).unwrap(),
            value: v,
        };
        let svg = metric_chart(
            "Rate",
            "%",
            &[
                c("2026-09-01", 12.0),
                c("2026-10-01", 20.0),
                c("2026-11-01", 31.0),
            ],
            &[Reference {
                value: 40.0,
                label: "target 40".into(),
            }],
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("class=\"reference\""));
        assert!(svg.contains("latest 31% on 2026-11-01"));
        assert_eq!(metric_chart("Rate", "", &[], &[]), "");
    }
}
