//! Inline SVG drawn at build time: metric charts, opportunity solution
//! trees and the roadmap's portfolio chart. No script, no external service;
//! each figure has a `<title>` and a text alternative for screen readers
//! (the portfolio's is the table beside it, so the chart itself is hidden).

use std::fmt::Write;

use super::markdown::escape;
use crate::date::Date;
use crate::model::Checkin;

/// A goal drawn on a metric chart: its target, and the path to it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reference {
    /// The target value.
    pub value: f64,
    /// What it is ("target 40 by 2027-03-31").
    pub label: String,
    /// The deadline, where the target is marked.
    pub by: Option<Date>,
    /// The expected path: from the baseline at the goal's start to the
    /// target at its deadline (`analysis::TargetOn::expected_path`).
    pub path: Option<((Date, f64), (Date, f64))>,
}

/// The width, in CSS px, a metric chart is drawn at on a 390 px phone (a
/// little under what the stylesheet leaves it: 390 less `main`'s and
/// `.figure`'s padding and border, 332 px).
const PHONE_CHART_PX: f64 = 330.0;
/// The smallest text a chart may show on a phone, in CSS px.
const MIN_TEXT_PX: f64 = 11.0;

/// The font size, in viewBox units, of a chart `view_width` units wide that
/// is drawn `rendered_px` CSS px wide: no text under [`MIN_TEXT_PX`] there.
/// Rounded up to a half unit.
fn font_units(view_width: f64, rendered_px: f64) -> f64 {
    (MIN_TEXT_PX * view_width / rendered_px * 2.0).ceil() / 2.0
}

/// A value on a chart: to two decimals at most, thousands grouped, as
/// every figure on the site ([`crate::text::figure`]).
fn fmt_num(n: f64) -> String {
    crate::text::figure((n * 100.0).round() / 100.0)
}

/// A time axis: dates to x in proportion to the days between them.
#[derive(Debug, Clone, Copy)]
struct TimeAxis {
    from: Date,
    days: f64,
    left: f64,
    width: f64,
}

impl TimeAxis {
    fn new(from: Date, to: Date, left: f64, width: f64) -> TimeAxis {
        let days = crate::date::days_between(from, to).max(1) as f64;
        TimeAxis {
            from,
            days,
            left,
            width,
        }
    }

    fn x(&self, d: Date) -> f64 {
        self.left + self.width * crate::date::days_between(self.from, d) as f64 / self.days
    }

    /// The first of each month from `from` to `to`, inclusive.
    fn month_starts(from: Date, to: Date) -> Vec<Date> {
        let mut out = Vec::new();
        let mut m = from.first_of_month();
        if m < from {
            m = m.last_of_month().tomorrow().unwrap_or(Date::MAX);
        }
        while m <= to && out.len() < 1200 {
            out.push(m);
            m = match m.last_of_month().tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        out
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A month's tick label: "Oct", with the year when it is not the year of
/// the label before (`previous`; none for the first).
fn month_label(d: Date, previous: Option<Date>) -> String {
    let name = MONTHS[(d.month().clamp(1, 12) - 1) as usize];
    if previous.is_none_or(|p| p.year() != d.year()) {
        format!("{name} {}", d.year())
    } else {
        name.to_string()
    }
}

/// The metric chart's geometry, in viewBox units.
const CHART_W: f64 = 460.0;
const CHART_H: f64 = 280.0;

/// A line chart of `checkins` on a time axis from the first check-in (or a
/// goal's start) to the latest deadline, with each goal's target (a dashed
/// line, marked at its deadline) and its expected path.
pub(super) fn metric_chart(
    title: &str,
    unit: &str,
    checkins: &[Checkin],
    references: &[Reference],
) -> String {
    const W: f64 = CHART_W;
    const H: f64 = CHART_H;
    if checkins.is_empty() {
        return String::new();
    }
    let font = font_units(W, PHONE_CHART_PX);
    let left = font * 4.2;
    let right = font * 0.8;
    let top = font * 2.0;
    let bottom = font * 2.4;
    let values = checkins
        .iter()
        .map(|c| c.value)
        .chain(references.iter().map(|r| r.value))
        .chain(references.iter().filter_map(|r| r.path.map(|p| p.0 .1)));
    let (mut lo, mut hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if (hi - lo).abs() < f64::EPSILON {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.08;
    let (lo, hi) = (lo - pad, hi + pad);
    let n = checkins.len();
    let dates = checkins
        .iter()
        .map(|c| c.date)
        .chain(references.iter().filter_map(|r| r.by))
        .chain(references.iter().filter_map(|r| r.path.map(|p| p.0 .0)));
    let (first, last) = dates.fold((Date::MAX, Date::MIN), |(a, b), d| (a.min(d), b.max(d)));
    let axis = TimeAxis::new(first, last, left, W - left - right);
    let y = |v: f64| top + (H - top - bottom) * (1.0 - (v - lo) / (hi - lo));

    let latest = &checkins[n - 1];
    let summary = format!(
        "{} check-ins from {} to {}; latest {}{} on {}",
        n,
        checkins[0].date,
        latest.date,
        fmt_num(latest.value),
        crate::text::unit_suffix(unit),
        latest.date
    );
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" font-size=\"{font}\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">{}: {}</title>",
        escape(title),
        escape(&summary)
    );
    // Gridlines at round values, each labelled with the unit; a long unit
    // is written once, above the axis, instead.
    let short_unit = unit.chars().count() <= 4;
    let with_unit = |v: f64| {
        let n = fmt_num(v);
        match (short_unit, unit) {
            (_, "") | (false, _) => n,
            (true, u) => format!("{n}{}", crate::text::unit_suffix(u)),
        }
    };
    if !short_unit {
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"4\" y=\"{:.1}\">{}</text>",
            font,
            escape(unit)
        );
    }
    for v in grid_values(lo + pad, hi - pad) {
        let gy = y(v);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{left:.1}\" y1=\"{gy:.1}\" x2=\"{:.1}\" y2=\"{gy:.1}\"/><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - right,
            left - 5.0,
            gy + font * 0.35,
            escape(&with_unit(v))
        );
    }
    let base = H - bottom;
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{left:.1}\" y1=\"{base:.1}\" x2=\"{:.1}\" y2=\"{base:.1}\"/>",
        W - right,
    );
    // A tick at each month start; labelled as often as the labels fit.
    let months = TimeAxis::month_starts(first, last);
    let month_w = axis.width * 30.4 / axis.days;
    let label_w = font * 4.6;
    let every = [1usize, 2, 3, 6, 12, 24, 60, 120]
        .into_iter()
        .find(|&k| k as f64 * month_w >= label_w)
        .unwrap_or(120);
    let mut previous = None;
    for (i, m) in months.iter().enumerate() {
        let mx = axis.x(*m);
        let _ = write!(
            svg,
            "<line class=\"axis\" x1=\"{mx:.1}\" y1=\"{base:.1}\" x2=\"{mx:.1}\" y2=\"{:.1}\"/>",
            base + 5.0
        );
        // A label that would run off the right edge is left out.
        if i % every == 0 && mx + label_w / 2.0 <= W {
            let _ = write!(
                svg,
                "<text class=\"tick date\" x=\"{mx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                base + font * 1.4,
                month_label(*m, previous)
            );
            previous = Some(*m);
        }
    }
    for r in references {
        let ry = y(r.value);
        let _ = write!(
            svg,
            "<line class=\"reference\" x1=\"{left:.1}\" y1=\"{ry:.1}\" x2=\"{:.1}\" y2=\"{ry:.1}\"/>",
            W - right,
        );
        if let Some(((d0, v0), (d1, v1))) = r.path {
            let _ = write!(
                svg,
                "<line class=\"expected\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"><title>expected path: {}{} on {d0} to {}{} by {d1}</title></line>",
                axis.x(d0),
                y(v0),
                axis.x(d1),
                y(v1),
                escape(&fmt_num(v0)),
                escape(&crate::text::unit_suffix(unit)),
                escape(&fmt_num(v1)),
                escape(&crate::text::unit_suffix(unit)),
            );
        }
        if let Some(by) = r.by {
            let _ = write!(
                svg,
                "<circle class=\"target\" cx=\"{:.1}\" cy=\"{ry:.1}\" r=\"5\"/>",
                axis.x(by)
            );
        }
        // The label above the line, at the right; below it when near the top.
        let ly = if ry - 6.0 - font < top - font {
            ry + font + 2.0
        } else {
            ry - 6.0
        };
        let _ = write!(
            svg,
            "<text class=\"reference-label\" x=\"{:.1}\" y=\"{ly:.1}\" text-anchor=\"end\">{}</text>",
            W - right,
            escape(&r.label)
        );
    }
    let points: Vec<String> = checkins
        .iter()
        .map(|c| format!("{:.1},{:.1}", axis.x(c.date), y(c.value)))
        .collect();
    let _ = write!(
        svg,
        "<polyline class=\"series\" points=\"{}\"/>",
        points.join(" ")
    );
    // Each point names its date and value on hover; the latest value is
    // written beside its point (the table below the chart has them all).
    for (i, c) in checkins.iter().enumerate() {
        let (px, py) = (axis.x(c.date), y(c.value));
        // A check-in with a note is drawn as a ring, its note in the hover
        // text; the table under the chart lists every note for those who
        // cannot hover.
        let (class, note) = match c.note.as_deref() {
            Some(note) => (" noted", format!(" — {note}")),
            None => ("", String::new()),
        };
        let _ = write!(
            svg,
            "<g class=\"point{class}\"><circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"4\"/><title>{}: {}{}</title>",
            c.date,
            escape(&with_unit(c.value)),
            escape(&note),
        );
        if i == n - 1 {
            // Above the point, or below it when it is near the top.
            let ly = if py - 8.0 - font < top - font {
                py + font + 6.0
            } else {
                py - 8.0
            };
            let anchor = if px > W - right - font * 3.0 {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                svg,
                "<text class=\"value\" x=\"{px:.1}\" y=\"{ly:.1}\" text-anchor=\"{anchor}\">{}</text>",
                escape(&with_unit(c.value))
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// Round values between `lo` and `hi` for gridlines: three to six of them,
/// a step of 1, 2 or 5 times a power of ten.
fn grid_values(lo: f64, hi: f64) -> Vec<f64> {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let rough = span / 4.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * power);
    let first = (lo / step).ceil();
    (0..12)
        .map(|k| (first + f64::from(k)) * step)
        .take_while(|&v| v <= hi + step * 1e-9)
        // -0 would print as "-0".
        .map(|v| if v == 0.0 { 0.0 } else { v })
        .collect()
}

/// A node of an opportunity solution tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TreeNode {
    /// Shown in the box.
    pub title: String,
    /// The kind (`outcome`, `opportunity`, `solution`, `experiment`), used as a CSS class.
    pub kind: String,
    /// A short status line (status or experiment result); it also picks the
    /// box's colour.
    pub note: Option<String>,
    /// Where the box links to.
    pub url: String,
    /// The nodes below.
    pub children: Vec<TreeNode>,
}

// Text sizes, in px at scale 1; the stylesheet sets the same ones
// (`svg.ost .node-title`, `.node-kind`).
const TITLE_PX: f64 = 13.0;
const TITLE_LINE: f64 = 16.0;
const LABEL_PX: f64 = 11.5;
/// `letter-spacing: .04em` on the uppercase kind and status labels.
const LABEL_SPACING: f64 = 0.4;
const LABEL_LINE: f64 = 14.5;
const PAD_X: f64 = 10.0;
const PAD_TOP: f64 = 8.0;
const PAD_BOTTOM: f64 = 9.0;

/// The wide, top-down layout: boxes side by side.
const WIDE_BOX_W: f64 = 184.0;
const WIDE_GAP_X: f64 = 16.0;
const WIDE_GAP_Y: f64 = 40.0;
/// The narrow, indented layout: one box per row, each reaching from its
/// indentation to a common right edge this far from the left, but never
/// narrower than `NARROW_MIN_BOX_W` (a tree deeper than a phone is wide grows
/// the diagram instead).
const NARROW_WIDTH: f64 = 320.0;
const NARROW_MIN_BOX_W: f64 = 180.0;
const NARROW_INDENT: f64 = 22.0;
const NARROW_GAP_Y: f64 = 10.0;
/// The smallest scale the wide layout is shown at, so a 13 px title never
/// shrinks below 11 px; below it, the narrow layout is shown instead. On a
/// 390 px phone (a container under 400 px) only a one-leaf tree's wide
/// layout shows, at full size, so no label there is under 11.5 px.
const WIDE_MIN_SCALE: f64 = 0.85;
/// The stylesheet has a container query for each minimum width from 3 to
/// this many hundred px (`.ost-min-N`); a wider tree shows the narrow layout
/// at every width.
const WIDE_MAX_BUCKET: u32 = 12;

/// The advance width of `c` in em, an upper bound over common sans-serif
/// system fonts: these are DejaVu Sans's widths (Debian's default, wider than
/// Segoe UI, Helvetica or Roboto) rounded up. A wide (East Asian) character
/// counts 1 em; anything else unlisted, 0.72 em (DejaVu's widest lowercase
/// letters but `m` and `w`).
fn char_em(c: char) -> f64 {
    use unicode_width::UnicodeWidthChar;
    match c {
        ' ' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' | 'i' | 'j' | 'l' | 'I' | 'J' => 0.33,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '/' | '-' | '"' => 0.46,
        'm' | 'M' | 'W' => 1.0,
        'w' | '%' | '…' | '—' => 1.0,
        '&' | '@' | 'O' | 'Q' | 'G' | 'D' | 'H' | 'N' | 'U' => 0.8,
        'a'..='z' | '0'..='9' | '?' | '$' | '#' | '+' | '=' => 0.65,
        'A'..='Z' => 0.72,
        _ if c.width().unwrap_or(1) >= 2 => 1.0,
        _ => 0.72,
    }
}

/// The width `text` takes at `px`, with `spacing` px after every character.
fn text_width(text: &str, px: f64, spacing: f64) -> f64 {
    text.chars().map(|c| char_em(c) * px + spacing).sum()
}

/// Splits `text` into lines no wider than `width` px at `px`: as many lines
/// as it needs, never cut short. A word wider than a line is broken between
/// characters.
fn wrap(text: &str, px: f64, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, px, 0.0) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: break it where it stops fitting.
        for c in word.chars() {
            line.push(c);
            if text_width(&line, px, 0.0) > width && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// What one box shows, measured for a box `box_w` wide.
struct NodeText {
    /// The kind and status labels share one line when both fit.
    note_below_kind: bool,
    title: Vec<String>,
    height: f64,
}

fn measure(node: &TreeNode, box_w: f64) -> NodeText {
    let inner = box_w - 2.0 * PAD_X;
    let label = |s: &str| text_width(&s.to_uppercase(), LABEL_PX, LABEL_SPACING);
    let note_below_kind = node
        .note
        .as_deref()
        .is_some_and(|n| label(&node.kind) + 12.0 + label(n) > inner);
    let label_lines = if note_below_kind { 2.0 } else { 1.0 };
    let title = wrap(&node.title, TITLE_PX, inner);
    let height =
        PAD_TOP + label_lines * LABEL_LINE + 4.0 + title.len() as f64 * TITLE_LINE + PAD_BOTTOM;
    NodeText {
        note_below_kind,
        title,
        height,
    }
}

/// A node with its box's place, width and text.
struct Placed<'a> {
    node: &'a TreeNode,
    text: NodeText,
    x: f64,
    y: f64,
    w: f64,
    depth: usize,
    parent: Option<usize>,
}

/// The nodes in depth-first order (each parent before its children), each
/// measured for the box width `box_w` gives its depth.
fn flatten<'a>(root: &'a TreeNode, box_w: &dyn Fn(usize) -> f64) -> Vec<Placed<'a>> {
    fn walk<'a>(
        node: &'a TreeNode,
        depth: usize,
        parent: Option<usize>,
        box_w: &dyn Fn(usize) -> f64,
        out: &mut Vec<Placed<'a>>,
    ) {
        let index = out.len();
        let w = box_w(depth);
        out.push(Placed {
            node,
            text: measure(node, w),
            x: 0.0,
            y: 0.0,
            w,
            depth,
            parent,
        });
        for c in &node.children {
            walk(c, depth + 1, Some(index), box_w, out);
        }
    }
    let mut out = Vec::new();
    walk(root, 0, None, box_w, &mut out);
    out
}

/// Top-down: leaves side by side, each parent centred over its children; the
/// boxes of one level share a row as tall as its tallest box.
fn layout_wide(root: &TreeNode) -> Vec<Placed<'_>> {
    let mut placed = flatten(root, &|_| WIDE_BOX_W);
    // `placed` is in depth-first order, so leaves come left to right.
    let mut next_leaf = 0.0;
    for p in placed.iter_mut().filter(|p| p.node.children.is_empty()) {
        p.x = next_leaf;
        next_leaf += WIDE_BOX_W + WIDE_GAP_X;
    }
    // Walking backwards sees every child before its parent, the last child
    // first: each parent's (first, last) child x, then its own x between them.
    let mut span: Vec<Option<(f64, f64)>> = vec![None; placed.len()];
    for i in (0..placed.len()).rev() {
        if let Some((first, last)) = span[i] {
            placed[i].x = (first + last) / 2.0;
        }
        if let Some(p) = placed[i].parent {
            let x = placed[i].x;
            span[p] = Some(span[p].map_or((x, x), |(_, last)| (x, last)));
        }
    }
    let depth = placed.iter().map(|p| p.depth).max().unwrap_or(0);
    let mut row_h = vec![0.0f64; depth + 1];
    for p in &placed {
        row_h[p.depth] = row_h[p.depth].max(p.text.height);
    }
    let mut row_y = vec![0.0; depth + 1];
    for d in 1..=depth {
        row_y[d] = row_y[d - 1] + row_h[d - 1] + WIDE_GAP_Y;
    }
    for p in &mut placed {
        p.y = row_y[p.depth];
        // Every box of a row is as tall as the row, so edges meet one line.
        p.text.height = row_h[p.depth];
    }
    placed
}

/// Indented: one box per row in reading order, each child indented under its
/// parent, like an outline. Always narrow enough for a phone.
fn layout_narrow(root: &TreeNode) -> Vec<Placed<'_>> {
    let box_w = |depth: usize| (NARROW_WIDTH - depth as f64 * NARROW_INDENT).max(NARROW_MIN_BOX_W);
    let mut placed = flatten(root, &box_w);
    let mut y = 0.0;
    for p in &mut placed {
        p.x = p.depth as f64 * NARROW_INDENT;
        p.y = y;
        y += p.text.height + NARROW_GAP_Y;
    }
    placed
}

/// A status as a CSS class name part: letters, digits and dashes.
pub(super) fn status_class(note: Option<&str>) -> String {
    let s: String = note
        .unwrap_or("none")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s
}

/// One layout as an `<svg>`: `class` is `ost-wide` or `ost-narrow`, `id`
/// makes its title's id unique on the page.
fn svg_of(placed: &[Placed<'_>], wide: bool, id: &str, name: &str) -> String {
    let width = placed.iter().map(|p| p.x + p.w).fold(0.0, f64::max);
    let height = placed
        .iter()
        .map(|p| p.y + p.text.height)
        .fold(0.0, f64::max);
    let (w, h) = (width + 4.0, height + 4.0);
    let class = if wide { "ost-wide" } else { "ost-narrow" };
    let mut svg = String::new();
    // `group`, not `img`: an image's content is hidden from assistive
    // technology, and every box is a link someone may want to follow.
    let _ = write!(
        svg,
        "<svg class=\"ost {class}\" viewBox=\"-2 -2 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"group\" aria-labelledby=\"{class}-{id}\"><title id=\"{class}-{id}\">{}</title>",
        escape(name)
    );
    for p in placed {
        let Some(parent) = p.parent.map(|i| &placed[i]) else {
            continue;
        };
        let _ = if wide {
            let (px, py) = (parent.x + parent.w / 2.0, parent.y + parent.text.height);
            let (cx, cy) = (p.x + p.w / 2.0, p.y);
            let mid = (py + cy) / 2.0;
            write!(svg, "<path class=\"edge\" d=\"M{px:.1},{py:.1} C{px:.1},{mid:.1} {cx:.1},{mid:.1} {cx:.1},{cy:.1}\"/>")
        } else {
            // From under the parent's left edge down, then across to the child.
            let px = parent.x + NARROW_INDENT / 2.0;
            let py = parent.y + parent.text.height;
            let cy = p.y + 18.0;
            write!(
                svg,
                "<path class=\"edge\" d=\"M{px:.1},{py:.1} V{cy:.1} H{:.1}\"/>",
                p.x
            )
        };
    }
    for p in placed {
        let (bx, by, box_w) = (p.x, p.y, p.w);
        let node = p.node;
        // No `aria-label`: the link's name is its text, kind, status and
        // title as drawn (Chromium joins the lines with spaces), so what a
        // voice-control user sees is what they can say.
        let _ = write!(
            svg,
            "<a href=\"{}\"><g class=\"node node-{} st-{}\"><rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{box_w}\" height=\"{:.1}\" rx=\"{}\"/>",
            escape(&node.url),
            escape(&node.kind),
            status_class(node.note.as_deref()),
            p.text.height,
            corner(&node.kind),
        );
        let label_y = by + PAD_TOP + LABEL_PX;
        let _ = write!(
            svg,
            "<text class=\"node-kind\" x=\"{:.1}\" y=\"{label_y:.1}\">{}</text>",
            bx + PAD_X,
            escape(&node.kind)
        );
        if let Some(note) = &node.note {
            let (x, y, anchor) = if p.text.note_below_kind {
                (bx + PAD_X, label_y + LABEL_LINE, "start")
            } else {
                (bx + box_w - PAD_X, label_y, "end")
            };
            let _ = write!(
                svg,
                "<text class=\"node-note\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
                escape(note)
            );
        }
        let label_lines = if p.text.note_below_kind { 2.0 } else { 1.0 };
        let first_line = by + PAD_TOP + label_lines * LABEL_LINE + 4.0 + TITLE_PX;
        for (i, line) in p.text.title.iter().enumerate() {
            let _ = write!(
                svg,
                "<text class=\"node-title\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                bx + PAD_X,
                first_line + TITLE_LINE * i as f64,
                escape(line)
            );
        }
        svg.push_str("</g></a>");
    }
    svg.push_str("</svg>");
    svg
}

/// Corner radius by kind, so the kinds differ in shape as well as colour:
/// outcomes and opportunities round, solutions and experiments square.
fn corner(kind: &str) -> u8 {
    match kind {
        "outcome" => 14,
        "opportunity" => 10,
        "solution" => 2,
        _ => 6,
    }
}

/// An opportunity solution tree as HTML: two SVG layouts of the same tree
/// (its legend is `legend::ost_statuses`, shown by the page). The wide one (top-down, the usual
/// shape of the diagram) is shown where its container holds it at
/// [`WIDE_MIN_SCALE`] or more; elsewhere, on phones and for trees too wide
/// for any screen, the narrow one (an indented outline). Both scale down to
/// their container (`viewBox`, `max-width: 100%`), so neither is ever cut
/// off; the choice is the stylesheet's container query on `.ost-min-N`,
/// where N is the wide layout's smallest width in hundreds of px.
pub(super) fn tree_diagram(root: &TreeNode) -> String {
    let wide = layout_wide(root);
    let narrow = layout_narrow(root);
    let id = crate::text::slugify(&root.url);
    let name = format!(
        "Opportunity solution tree for {} ({} nodes)",
        root.title,
        wide.len()
    );
    let wide_w = wide.iter().map(|p| p.x).fold(0.0, f64::max) + WIDE_BOX_W + 4.0;
    let bucket = (wide_w * WIDE_MIN_SCALE / 100.0).ceil() as u32;
    let mut html = String::new();
    let _ = write!(html, "<div class=\"ost-figure");
    if bucket <= WIDE_MAX_BUCKET {
        let _ = write!(html, " ost-min-{}", bucket.max(3));
    }
    html.push_str("\">");
    html.push_str(&svg_of(&wide, true, &id, &name));
    html.push_str(&svg_of(&narrow, false, &id, &name));
    html.push_str("</div>");
    html
}

/// One bet on the portfolio chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Bubble<'a> {
    /// Its number, the same in the chart and the table beside it.
    pub number: usize,
    /// Its title, for the bubble's tooltip.
    pub title: &'a str,
    /// DHM total, 0 to 15.
    pub dhm: u8,
    /// Confidence as a number, 0 to 9 (three levels, low 1 to high 3).
    pub confidence: u8,
    /// `big`, `medium`, `small`, or `unsized`.
    pub size: &'a str,
}

/// The width, in CSS px, the portfolio chart is drawn at on a 390 px phone
/// (390 less `main`'s padding: 358 px).
const PORTFOLIO_PHONE_PX: f64 = 355.0;
/// Where the quadrants meet: the middle of each scale (DHM 0–15, confidence 3–9).
const DHM_MID: f64 = 7.5;
const CONFIDENCE_MID: f64 = 6.0;

/// The portfolio chart's quadrants, as a product leader names them:
/// (top left, top right, bottom left, bottom right), confidence up and
/// DHM across.
pub(super) const QUADRANTS: [&str; 4] = ["safe bets", "strong bets", "long shots", "bold bets"];

/// The ranges the portfolio chart shows: the data's, one point of margin
/// each side, always holding the quadrants' meeting point, within the
/// scales (DHM 0–15, confidence 0–9).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PortfolioScale {
    /// DHM total, low and high.
    pub dhm: (f64, f64),
    /// Confidence, low and high.
    pub confidence: (f64, f64),
}

impl PortfolioScale {
    pub(super) fn of(bubbles: &[Bubble<'_>]) -> PortfolioScale {
        let range = |values: &mut dyn Iterator<Item = f64>, mid: f64, max: f64| {
            let (lo, hi) = values.fold((mid, mid), |(lo, hi), v| (lo.min(v), hi.max(v)));
            ((lo - 1.0).floor().max(0.0), (hi + 1.0).ceil().min(max))
        };
        PortfolioScale {
            dhm: range(
                &mut bubbles.iter().map(|b| f64::from(b.dhm.min(15))),
                DHM_MID,
                15.0,
            ),
            confidence: range(
                &mut bubbles.iter().map(|b| f64::from(b.confidence.min(9))),
                CONFIDENCE_MID,
                9.0,
            ),
        }
    }

    /// The scale in words, for the chart's caption.
    pub(super) fn describe(&self) -> String {
        format!(
            "DHM total across, drawn from {} to {} (of 0–15); confidence up, from {} to {} (of 0–9)",
            self.dhm.0, self.dhm.1, self.confidence.0, self.confidence.1
        )
    }
}

/// Bubble radius by bet size, in viewBox units.
fn bubble_radius(size: &str) -> f64 {
    match size {
        "big" => 20.0,
        "medium" => 14.0,
        "small" => 9.0,
        _ => 7.0,
    }
}

/// Moves circles `(x, y, r)` apart until none overlaps another (a gap of
/// `gap` between them), within `bounds` (left, top, right, bottom) as far
/// as they allow. Deterministic: the same circles always land in the same
/// places; two at one spot part along an angle set by their order.
fn separate(circles: &mut [(f64, f64, f64)], gap: f64, bounds: (f64, f64, f64, f64)) {
    for _ in 0..200 {
        let mut moved = false;
        for i in 0..circles.len() {
            for j in i + 1..circles.len() {
                let (xi, yi, ri) = circles[i];
                let (xj, yj, rj) = circles[j];
                let (dx, dy) = (xj - xi, yj - yi);
                let d = (dx * dx + dy * dy).sqrt();
                let need = ri + rj + gap;
                if d >= need - 1e-6 {
                    continue;
                }
                let (ux, uy) = if d < 1e-6 {
                    let a = 2.399_963 * (j as f64);
                    (a.cos(), a.sin())
                } else {
                    (dx / d, dy / d)
                };
                let push = (need - d) / 2.0 + 0.01;
                circles[i].0 -= ux * push;
                circles[i].1 -= uy * push;
                circles[j].0 += ux * push;
                circles[j].1 += uy * push;
                moved = true;
            }
        }
        let (l, t, r, b) = bounds;
        for c in circles.iter_mut() {
            c.0 = c.0.clamp(l + c.2, (r - c.2).max(l + c.2));
            c.1 = c.1.clamp(t + c.2, (b - c.2).max(t + c.2));
        }
        if !moved {
            break;
        }
    }
}

/// The portfolio chart: each bet a bubble at its DHM total (across) and
/// confidence (up), sized by bet size, on the data's own range
/// ([`PortfolioScale`]), with named quadrants; the legend of sizes is the
/// page's (`legend::bubbles`), under the chart.
/// Bubbles that would overlap are nudged apart. Hidden from assistive
/// technology: the table beside it on the page holds the same numbers, and
/// a table reads better than a picture described.
pub(super) fn portfolio_chart(bubbles: &[Bubble<'_>]) -> String {
    const W: f64 = 420.0;
    const H: f64 = 330.0;
    let font = font_units(W, PORTFOLIO_PHONE_PX);
    let left = font * 2.4;
    // Room right of the plot for half the last tick's label: at 390 px it
    // touched the edge of the drawing.
    let right = font * 1.2;
    // Room above the plot for a big bubble at the top of the scale.
    let top = font + 12.0;
    let bottom = font * 3.0;
    let scale = PortfolioScale::of(bubbles);
    let (x0, x1) = scale.dhm;
    let (y0, y1) = scale.confidence;
    let x = |v: f64| left + (W - left - right) * (v - x0) / (x1 - x0).max(1.0);
    let y = |v: f64| top + (H - top - bottom) * (1.0 - (v - y0) / (y1 - y0).max(1.0));
    let base = H - bottom;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"portfolio\" viewBox=\"0 0 {W} {H}\" font-size=\"{font}\" aria-hidden=\"true\" focusable=\"false\">"
    );
    // The quadrants: lines where the scales' middles meet, each named in its corner.
    let (mx, my) = (x(DHM_MID), y(CONFIDENCE_MID));
    let _ = write!(
        svg,
        "<line class=\"guide\" x1=\"{mx:.1}\" y1=\"{top:.1}\" x2=\"{mx:.1}\" y2=\"{base:.1}\"/><line class=\"guide\" x1=\"{left:.1}\" y1=\"{my:.1}\" x2=\"{:.1}\" y2=\"{my:.1}\"/>",
        W - right
    );
    let corners = [
        (left + 4.0, top + font, "start"),
        (W - right - 4.0, top + font, "end"),
        (left + 4.0, base - 5.0, "start"),
        (W - right - 4.0, base - 5.0, "end"),
    ];
    for ((qx, qy, anchor), name) in corners.into_iter().zip(QUADRANTS) {
        let _ = write!(
            svg,
            "<text class=\"quadrant\" x=\"{qx:.1}\" y=\"{qy:.1}\" text-anchor=\"{anchor}\">{name}</text>"
        );
    }
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{left:.1}\" y1=\"{base:.1}\" x2=\"{r:.1}\" y2=\"{base:.1}\"/><line class=\"axis\" x1=\"{left:.1}\" y1=\"{top:.1}\" x2=\"{left:.1}\" y2=\"{base:.1}\"/>",
        r = W - right
    );
    // A tick at every whole point (every other on a long scale).
    let step = |lo: f64, hi: f64| if hi - lo > 8.0 { 2 } else { 1 };
    let (xs, ys) = (step(x0, x1), step(y0, y1));
    for v in (x0 as u32..=x1 as u32).step_by(xs) {
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v}</text>",
            x(f64::from(v)),
            base + font * 1.1
        );
    }
    for v in (y0 as u32..=y1 as u32).step_by(ys) {
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            left - 5.0,
            y(f64::from(v)) + font * 0.35
        );
    }
    let _ = write!(
        svg,
        "<text class=\"axis-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">DHM total</text><text class=\"axis-label\" x=\"2\" y=\"{:.1}\">confidence</text>",
        left + (W - left - right) / 2.0,
        H - 6.0,
        font * 1.1
    );
    // Placed, then nudged apart; big bubbles drawn first, so a small one stays on top.
    let mut circles: Vec<(f64, f64, f64)> = bubbles
        .iter()
        .map(|b| {
            (
                x(f64::from(b.dhm.min(15))),
                y(f64::from(b.confidence.min(9))),
                bubble_radius(b.size),
            )
        })
        .collect();
    separate(&mut circles, 2.0, (left, top, W - right, base));
    let mut order: Vec<usize> = (0..bubbles.len()).collect();
    order.sort_by(|&a, &b| circles[b].2.total_cmp(&circles[a].2));
    for i in order {
        let (b, (cx, cy, r)) = (&bubbles[i], circles[i]);
        let _ = write!(
            svg,
            "<g class=\"bubble size-{}\"><title>{}</title><circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{r}\"/><text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            escape(b.size),
            escape(b.title),
            cy + font * 0.35,
            b.number
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bubble(number: usize, dhm: u8, confidence: u8, size: &'static str) -> Bubble<'static> {
        Bubble {
            number,
            title: "A <b>",
            dhm,
            confidence,
            size,
        }
    }

    #[test]
    fn the_portfolio_draws_one_bubble_per_bet_sized_and_placed_by_its_numbers() {
        let bubbles = [bubble(1, 12, 8, "big"), bubble(2, 4, 3, "small")];
        let svg = portfolio_chart(&bubbles);
        // Two bubbles; the legend of sizes is the page's, beside the chart.
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("aria-hidden=\"true\""));
        assert!(svg.contains("<title>A &lt;b&gt;</title>"));
        // The big one is drawn first, under the small one.
        let at = |size: &str| svg.find(&format!("size-{size}\"><title>")).unwrap();
        assert!(at("big") < at("small"), "{svg}");
        // The data's range with a point of margin, not the whole scale.
        let scale = PortfolioScale::of(&bubbles);
        assert_eq!(scale.dhm, (3.0, 13.0));
        assert_eq!(scale.confidence, (2.0, 9.0));
        assert!(
            svg.contains(">3</text>") && !svg.contains(">0</text>"),
            "{svg}"
        );
        assert_eq!(
            scale.describe(),
            "DHM total across, drawn from 3 to 13 (of 0–15); confidence up, from 2 to 9 (of 0–9)"
        );
        // The quadrants' meeting point is always in view, and each is named.
        let near = PortfolioScale::of(&[bubble(1, 14, 9, "big")]);
        assert_eq!(near.dhm, (6.0, 15.0));
        assert_eq!(near.confidence, (5.0, 9.0));
        for name in QUADRANTS {
            assert!(svg.contains(&format!(">{name}</text>")), "{name}");
        }
        // The last tick's label ends inside the drawing, clear of its edge.
        let font = font_units(420.0, PORTFOLIO_PHONE_PX);
        let last = svg
            .split("<text class=\"tick\" x=\"")
            .filter(|t| t.contains("text-anchor=\"middle\""))
            .last()
            .expect("an x tick");
        let x: f64 = last[..last.find('"').unwrap()].parse().unwrap();
        let label = &last[last.find('>').unwrap() + 1..last.find("</text>").unwrap()];
        assert!(
            x + text_width(label, font, 0.0) / 2.0 <= 420.0 - 4.0,
            "{label} at {x} touches the edge"
        );
        // Text at least 11 px on a phone.
        assert!(font * PORTFOLIO_PHONE_PX / 420.0 >= MIN_TEXT_PX);
        assert!(svg.contains(&format!("font-size=\"{font}\"")));
    }

    #[test]
    fn bubbles_at_one_spot_are_nudged_apart_the_same_way_every_time() {
        let circles = || {
            vec![
                (100.0, 100.0, 20.0),
                (100.0, 100.0, 14.0),
                (105.0, 98.0, 9.0),
                (300.0, 50.0, 9.0),
            ]
        };
        let mut a = circles();
        separate(&mut a, 2.0, (0.0, 0.0, 420.0, 300.0));
        for i in 0..a.len() {
            for j in i + 1..a.len() {
                let d = ((a[i].0 - a[j].0).powi(2) + (a[i].1 - a[j].1).powi(2)).sqrt();
                assert!(d >= a[i].2 + a[j].2 + 2.0 - 1e-3, "{i} {j}: {a:?}");
            }
        }
        assert_eq!(a[3], (300.0, 50.0, 9.0), "one far from the rest stays put");
        let mut b = circles();
        separate(&mut b, 2.0, (0.0, 0.0, 420.0, 300.0));
        assert_eq!(a, b);
        // The chart draws the two bets at one spot apart.
        let svg = portfolio_chart(&[bubble(1, 10, 7, "big"), bubble(2, 10, 7, "medium")]);
        let centres: Vec<&str> = svg
            .split("<circle cx=\"")
            .skip(1)
            .map(|c| &c[..c.find(" r=").unwrap()])
            .collect();
        assert_eq!(centres.len(), 2, "{svg}");
        assert_ne!(centres[0], centres[1], "{svg}");
    }

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
        let placed = layout_wide(&tree);
        let x = |t: &str| placed.iter().find(|p| p.node.title == t).unwrap().x;
        let step = WIDE_BOX_W + WIDE_GAP_X;
        assert_eq!(x("s1"), 0.0);
        assert_eq!(x("s2"), step);
        assert_eq!(x("a"), step / 2.0);
        assert_eq!(x("b"), 2.0 * step);
        assert_eq!(x("out"), (x("a") + x("b")) / 2.0);
        // The narrow layout: one row each, in reading order, indented by depth.
        let narrow = layout_narrow(&tree);
        let titles: Vec<&str> = narrow.iter().map(|p| p.node.title.as_str()).collect();
        assert_eq!(titles, ["out", "a", "s1", "s2", "b"]);
        assert_eq!(narrow[2].x, 2.0 * NARROW_INDENT);
        assert!(narrow
            .windows(2)
            .all(|w| w[0].y + w[0].text.height < w[1].y));
        // Both layouts, each with every box and edge.
        let html = tree_diagram(&tree);
        assert_eq!(html.matches("<svg").count(), 2);
        assert_eq!(html.matches("<rect").count(), 10);
        assert_eq!(html.matches("class=\"edge\"").count(), 8);
        // Three leaves: 3 x 200 px less a gap, at 0.85, needs 500 px.
        assert!(
            html.starts_with("<div class=\"ost-figure ost-min-5\">"),
            "{html}"
        );
    }

    #[test]
    fn titles_are_escaped_and_wrapped_whole() {
        let svg = tree_diagram(&node(
            "<b>Merchants cannot plan cash for payroll every other Friday</b>",
            "outcome",
            vec![],
        ));
        assert!(!svg.contains("<b>"));
        let text = "one two three four five six seven eight nine ten";
        let lines = wrap(text, 13.0, 80.0);
        // Every word kept, in order, on as many lines as it takes.
        assert_eq!(lines.join(" "), text);
        assert!(lines.len() >= 4, "{lines:?}");
        for line in &lines {
            assert!(text_width(line, 13.0, 0.0) <= 80.0, "{line:?}");
        }
        // A word longer than a line is broken, not left to overflow.
        let long = wrap("payouts-instant-same-day-for-every-merchant", 13.0, 80.0);
        assert!(long.len() > 1 && long.concat() == "payouts-instant-same-day-for-every-merchant");
        assert!(long.iter().all(|l| text_width(l, 13.0, 0.0) <= 80.0));
        assert_eq!(wrap("", 13.0, 80.0), vec![String::new()]);
    }

    #[test]
    fn boxes_grow_with_their_text_and_rows_share_a_height() {
        let short = node("Short", "solution", vec![]);
        let long = node(
            "An alert five days before payroll if cash will be short, by email and in the app",
            "solution",
            vec![],
        );
        assert!(measure(&long, WIDE_BOX_W).height > measure(&short, WIDE_BOX_W).height);
        let tree = node("out", "outcome", vec![short, long]);
        let placed = layout_wide(&tree);
        assert_eq!(placed[1].text.height, placed[2].text.height);
        assert!(placed[1].y >= placed[0].y + placed[0].text.height);
    }

    #[test]
    fn a_long_status_goes_below_the_kind_and_the_figure_is_only_the_figure() {
        let mut n = node("Benchmarks", "experiment", vec![]);
        n.note = Some("valid".into());
        assert!(!measure(&n, WIDE_BOX_W).note_below_kind);
        n.note = Some("inconclusive after a second and a third round".into());
        assert!(measure(&n, WIDE_BOX_W).note_below_kind);
        let mut done = node("Forecast", "solution", vec![]);
        done.note = Some("done".into());
        let html = tree_diagram(&node("out", "outcome", vec![n, done]));
        assert!(
            html.contains("class=\"node node-solution st-done\""),
            "{html}"
        );
        // The legend is the page's (`legend::ost_statuses`), not the figure's.
        assert!(!html.contains("legend"), "{html}");
    }

    #[test]
    fn a_tree_too_wide_for_any_screen_shows_the_narrow_layout_only() {
        let leaves = (0..12)
            .map(|i| node(&format!("s{i}"), "solution", vec![]))
            .collect();
        let html = tree_diagram(&node("out", "outcome", leaves));
        assert!(html.starts_with("<div class=\"ost-figure\">"), "{html}");
    }

    #[test]
    fn chart_plots_points_and_references() {
        let c = |d: &str, v: f64| Checkin {
            date: parse_date(d).unwrap(),
            value: v,
            note: None,
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
                by: None,
                path: None,
            }],
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        // Gridlines at round values with the unit, and the latest point's value.
        assert!(svg.contains(">20%</text>"), "{svg}");
        assert_eq!(svg.matches("<text class=\"value\"").count(), 1);
        assert!(svg.contains(">31%</text>"), "{svg}");
        assert!(svg.contains("<title>2026-10-01: 20%</title>"), "{svg}");
        assert_eq!(grid_values(12.0, 40.0), vec![20.0, 30.0, 40.0]);
        let shown: Vec<String> = grid_values(0.41, 0.55).into_iter().map(fmt_num).collect();
        assert_eq!(shown, ["0.45", "0.5", "0.55"]);
        assert!(grid_values(3.0, 3.0).is_empty());
        assert!(svg.contains("class=\"reference\""));
        assert!(svg.contains("latest 31% on 2026-11-01"));
        assert_eq!(metric_chart("Rate", "", &[], &[]), "");
    }

    fn day(d: &str) -> Date {
        parse_date(d).unwrap()
    }

    #[test]
    fn dates_sit_in_proportion_to_the_days_between_them() {
        let axis = TimeAxis::new(day("2026-10-01"), day("2026-12-31"), 50.0, 91.0);
        assert_eq!(axis.x(day("2026-10-01")), 50.0);
        assert_eq!(axis.x(day("2026-12-31")), 141.0);
        // 16 days is about half of 31.
        let (a, b) = (
            axis.x(day("2026-10-17")) - 50.0,
            axis.x(day("2026-11-01")) - 50.0,
        );
        assert!((a / b - 16.0 / 31.0).abs() < 1e-9, "{a} {b}");
        let months = TimeAxis::month_starts(day("2026-09-15"), day("2027-01-01"));
        let shown: Vec<String> = months.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["2026-10-01", "2026-11-01", "2026-12-01", "2027-01-01"]
        );
        assert_eq!(month_label(day("2026-10-01"), None), "Oct 2026");
        let oct = Some(day("2026-10-01"));
        assert_eq!(month_label(day("2026-12-01"), oct), "Dec");
        assert_eq!(month_label(day("2027-02-01"), oct), "Feb 2027");
    }

    #[test]
    fn chart_text_is_at_least_11_px_on_a_phone() {
        let font = font_units(CHART_W, PHONE_CHART_PX);
        assert!(font * PHONE_CHART_PX / CHART_W >= MIN_TEXT_PX, "{font}");
        assert!(
            font * PHONE_CHART_PX / CHART_W < MIN_TEXT_PX + 0.5,
            "{font}"
        );
        assert_eq!(font_units(330.0, 330.0), 11.0);
        assert_eq!(font_units(660.0, 330.0), 22.0);
        let svg = metric_chart(
            "m",
            "",
            &[Checkin {
                date: day("2026-10-01"),
                value: 1.0,
                note: None,
            }],
            &[],
        );
        assert!(svg.contains(&format!("font-size=\"{font}\"")), "{svg}");
    }

    #[test]
    fn the_axis_runs_to_the_deadline_with_the_expected_path_and_month_ticks() {
        let c = |d: &str, v: f64| Checkin {
            date: day(d),
            value: v,
            note: None,
        };
        let svg = metric_chart(
            "Minutes",
            "min",
            &[
                c("2026-10-01", 36.0),
                c("2026-10-17", 30.0),
                c("2026-11-01", 24.0),
            ],
            &[Reference {
                value: 12.0,
                label: "target 12 min by 2027-03-31".into(),
                by: Some(day("2027-03-31")),
                path: Some(((day("2026-10-01"), 36.0), (day("2027-03-31"), 12.0))),
            }],
        );
        let font = font_units(CHART_W, PHONE_CHART_PX);
        let axis = TimeAxis::new(
            day("2026-10-01"),
            day("2027-03-31"),
            font * 4.2,
            CHART_W - font * 5.0,
        );
        let end = format!("x2=\"{:.1}\"", axis.x(day("2027-03-31")));
        let expected = svg
            .split("<line class=\"expected\"")
            .nth(1)
            .unwrap_or_default();
        assert!(expected.contains(&end), "{svg}");
        assert!(expected.contains("by 2027-03-31"), "{svg}");
        assert!(
            svg.contains(&format!(
                "<circle class=\"target\" cx=\"{:.1}\"",
                axis.x(day("2027-03-31"))
            )),
            "{svg}"
        );
        // A month tick on each of the six months, with more than two labels.
        assert!(svg.matches("class=\"tick date\"").count() >= 3, "{svg}");
        assert!(svg.contains(">Oct 2026</text>"), "{svg}");
    }
}
