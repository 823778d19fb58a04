//! The site's colour language as data: which look each value of each
//! vocabulary takes, and the legends that explain them
//! (`partials/legend.html`). Green, amber and red say good, at risk and bad
//! and nothing else; every other meaning (status, size, LNO, severity info,
//! a chart's marks) is told by a neutral fill, an outline or a glyph.
//! The stylesheet draws each class; this module names them, so a legend
//! shows exactly what the page shows ([0025](docs/decisions/0025-colour-language.md)).

use serde::Serialize;

use crate::model::{ExperimentResult, Lno, Size, Status};

// The looks below are the stylesheet's statement in code: the stylesheet
// draws them, and the tests hold it to this table (a status's glyph, no hue
// on a category). The build itself only needs the legends.

/// What a colour says. Only the first three may be drawn in green, amber
/// and red; everything else is [`Tone::Neutral`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum Tone {
    /// Green: on track, met, ready.
    Good,
    /// Amber: at risk, a warning, flat.
    AtRisk,
    /// Red: behind, missed, an error.
    Bad,
    /// Greys, outlines and glyphs: a category, not a judgement.
    Neutral,
}

/// How a status badge looks: told apart by fill, outline and glyph, never
/// by hue (a status is where a document is, not how it is doing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Look {
    /// The glyph before its word (the stylesheet's `::before`).
    pub glyph: &'static str,
    /// Its fill, in words, for the decision record and tests.
    pub fill: &'static str,
    /// Its outline, in words.
    pub outline: &'static str,
    pub tone: Tone,
}

/// The look of each status (`.badge.status-<status>` in the stylesheet).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn status_look(status: Status) -> Look {
    let look = |glyph, fill, outline| Look {
        glyph,
        fill,
        outline,
        tone: Tone::Neutral,
    };
    match status {
        Status::Proposed => look("○", "none", "dashed"),
        Status::Discovery => look("◇", "none", "dotted"),
        Status::Committed => look("◆", "none", "solid"),
        Status::InProgress => look("◐", "light grey", "solid"),
        Status::Done => look("✓", "dark grey", "none"),
        Status::Dropped => look("✕", "none", "faint, struck through"),
        Status::Active => look("●", "light grey", "faint"),
        Status::Archived => look("▪", "grey", "none"),
        Status::Accepted => look("✓", "none", "double"),
        Status::Superseded => look("↷", "none", "dashed, struck through"),
    }
}

/// The look of an experiment's result (`.badge.result-<result>`): what an
/// experiment found is knowledge either way, so neither is green or red.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn result_look(result: ExperimentResult) -> Look {
    let look = |glyph| Look {
        glyph,
        fill: "none",
        outline: "solid",
        tone: Tone::Neutral,
    };
    match result {
        ExperimentResult::Validated => look("✓"),
        ExperimentResult::Invalidated => look("✕"),
        ExperimentResult::Inconclusive => look("~"),
    }
}

/// The tone of a standing, a pace or a goal's outcome (the words of
/// `analysis::Standing` and the quarter review): the only judgements the
/// site colours.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn judgement_tone(words: &str) -> Tone {
    match words {
        "on track" | "on-track" | "met" | "moving" | "ready" => Tone::Good,
        "at risk" | "at-risk" | "flat" | "warning" => Tone::AtRisk,
        "behind" | "missed" | "error" => Tone::Bad,
        _ => Tone::Neutral,
    }
}

/// One entry of a legend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Key {
    /// The class that draws it, the same the page uses (`badge status-done`,
    /// `standing-behind`, `size-big`).
    pub class: String,
    /// What it means.
    pub label: String,
    /// Drawn as the badge itself, its label inside, rather than as a swatch.
    pub pill: bool,
    /// A count beside it (the dashboard's standing), if any.
    pub count: Option<usize>,
    /// Where its count links to, if anywhere.
    pub href: Option<String>,
}

impl Key {
    fn swatch(class: impl Into<String>, label: impl Into<String>) -> Key {
        Key {
            class: class.into(),
            label: label.into(),
            pill: false,
            count: None,
            href: None,
        }
    }

    fn pill(class: impl Into<String>, label: impl Into<String>) -> Key {
        Key {
            pill: true,
            ..Key::swatch(class, label)
        }
    }

    /// This key with a count, linked to `href`.
    pub(crate) fn counted(mut self, count: usize, href: Option<String>) -> Key {
        self.count = Some(count);
        self.href = href;
        self
    }
}

/// A legend: what the marks of one figure or list mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Legend {
    /// Its accessible name ("Statuses").
    pub label: &'static str,
    pub keys: Vec<Key>,
}

/// The statuses in `present`, in the order of the lifecycle.
pub(crate) fn statuses(present: impl IntoIterator<Item = Status>) -> Legend {
    let mut shown: Vec<Status> = present.into_iter().collect();
    shown.sort();
    shown.dedup();
    Legend {
        label: "Statuses",
        keys: shown
            .into_iter()
            .map(|s| Key::pill(format!("badge status-{}", s.as_str()), s.as_str()))
            .collect(),
    }
}

/// Bet sizes, smallest first, as badges (`size-small` …).
pub(crate) fn sizes() -> Legend {
    Legend {
        label: "Bet sizes",
        keys: [Size::Small, Size::Medium, Size::Big]
            .into_iter()
            .map(|s| Key::pill(format!("badge size-{}", s.as_str()), s.as_str()))
            .collect(),
    }
}

/// The segments of a size bar, with their counts.
pub(crate) fn size_mix(counts: [(Size, usize); 3]) -> Legend {
    Legend {
        label: "Bet sizes",
        keys: counts
            .into_iter()
            .map(|(s, n)| Key::swatch(s.as_str(), s.as_str()).counted(n, None))
            .collect(),
    }
}

/// The bubbles of the portfolio chart, by size.
pub(crate) fn bubbles() -> Legend {
    Legend {
        label: "Bubble sizes",
        keys: [Size::Small, Size::Medium, Size::Big]
            .into_iter()
            .map(|s| Key::swatch(format!("bubble-key size-{}", s.as_str()), s.as_str()))
            .collect(),
    }
}

/// The segments of an LNO bar, with their counts (`unclassified` only when some are).
pub(crate) fn lno_mix(counts: [usize; 4]) -> Legend {
    let names = [
        Lno::Leverage.as_str(),
        Lno::Neutral.as_str(),
        Lno::Overhead.as_str(),
        "unclassified",
    ];
    Legend {
        label: "Open work by leverage",
        keys: names
            .into_iter()
            .zip(counts)
            .enumerate()
            .filter(|&(i, (_, n))| i < 3 || n > 0)
            .map(|(_, (name, n))| Key::swatch(name, name).counted(n, None))
            .collect(),
    }
}

/// Finding severities, as the health lists mark them at their edge.
pub(crate) fn severities() -> Legend {
    Legend {
        label: "Severities",
        keys: ["error", "warning", "info"]
            .into_iter()
            .map(|s| Key::swatch(format!("edge sev-{s}"), s))
            .collect(),
    }
}

/// The marks of a metric chart.
pub(crate) fn chart(noted: bool) -> Legend {
    let mut keys = vec![
        Key::swatch("line-key series", "check-ins"),
        Key::swatch("line-key reference", "target"),
        Key::swatch("ring-key target", "the target at its deadline"),
        Key::swatch("line-key expected", "expected path"),
    ];
    if noted {
        keys.push(Key::swatch("ring-key noted", "a check-in with a note"));
    }
    Legend {
        label: "Chart marks",
        keys,
    }
}

/// A standing's key on the dashboard: its count, linked to its group.
pub(crate) fn standing(slug: &str, label: &str) -> Key {
    Key::swatch(format!("standing-{slug}"), label)
}

/// A legend of the dashboard's standings.
pub(crate) fn standings(keys: Vec<Key>) -> Legend {
    Legend {
        label: "Open bets by standing",
        keys,
    }
}

/// The box fills of an opportunity solution tree: each status present, in
/// the order first met reading the tree (each box also writes its status, so
/// the fill is never the only sign of it).
pub(super) fn ost_statuses(root: &super::svg::TreeNode) -> Legend {
    fn walk<'t>(node: &'t super::svg::TreeNode, seen: &mut Vec<&'t str>) {
        let s = node.note.as_deref().unwrap_or("no status");
        if !seen.contains(&s) {
            seen.push(s);
        }
        for c in &node.children {
            walk(c, seen);
        }
    }
    let mut seen = Vec::new();
    walk(root, &mut seen);
    Legend {
        label: "Box fills by status",
        keys: seen
            .into_iter()
            .map(|s| {
                let status = (s != "no status").then_some(s);
                Key::swatch(
                    format!("ost-box st-{}", super::svg::status_class(status)),
                    s,
                )
            })
            .collect(),
    }
}

/// The teams page's mini bar: how much of a quarter's work was planned.
pub(crate) fn planned() -> Legend {
    Legend {
        label: "Planned and not planned work",
        keys: vec![
            Key::swatch("planned", "planned"),
            Key::swatch(
                "not-planned",
                "not planned (requests, incidents, unplanned)",
            ),
        ],
    }
}

/// The pace badges of the trace tree and pages, and what a finding badge means.
pub(crate) fn paces() -> Legend {
    Legend {
        label: "Pace and findings",
        keys: vec![
            Key::pill("badge pace-on-track", "on track"),
            Key::pill("badge pace-at-risk", "at risk"),
            Key::pill("badge pace-behind", "behind"),
            Key::pill("badge warn", "findings"),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ExperimentResult, Status};

    #[test]
    fn every_status_looks_different_from_every_other_and_none_is_coloured() {
        let looks: Vec<(Status, Look)> = Status::ALL
            .iter()
            .filter_map(|s| Status::parse(s))
            .map(|s| (s, status_look(s)))
            .collect();
        assert_eq!(looks.len(), Status::ALL.len());
        for (i, (a, la)) in looks.iter().enumerate() {
            assert_eq!(
                la.tone,
                Tone::Neutral,
                "{a:?} is a category, not a judgement"
            );
            for (b, lb) in &looks[i + 1..] {
                assert!(
                    (la.glyph, la.fill, la.outline) != (lb.glyph, lb.fill, lb.outline),
                    "{a:?} and {b:?} look alike"
                );
            }
        }
        for r in ExperimentResult::ALL
            .iter()
            .filter_map(|r| ExperimentResult::parse(r))
        {
            assert_eq!(result_look(r).tone, Tone::Neutral);
        }
    }

    #[test]
    fn only_judgements_take_green_amber_or_red() {
        assert_eq!(judgement_tone("on track"), Tone::Good);
        assert_eq!(judgement_tone("met"), Tone::Good);
        assert_eq!(judgement_tone("at risk"), Tone::AtRisk);
        assert_eq!(judgement_tone("behind"), Tone::Bad);
        assert_eq!(judgement_tone("missed"), Tone::Bad);
        for neutral in [
            "not started",
            "unmeasured",
            "small",
            "big",
            "leverage",
            "overhead",
            "done",
            "committed",
            "high",
            "validated",
            "info",
        ] {
            assert_eq!(judgement_tone(neutral), Tone::Neutral, "{neutral}");
        }
    }

    /// The stylesheet draws what this module names: each status's glyph,
    /// and no status, size, LNO or result in a judgement's colour.
    #[test]
    fn the_stylesheet_draws_each_look_and_keeps_hues_for_judgements() {
        let css = crate::render::theme::ASSETS
            .iter()
            .find(|(n, _)| *n == "style.css")
            .map(|(_, t)| *t)
            .unwrap_or_default();
        for s in Status::ALL.iter().filter_map(|s| Status::parse(s)) {
            let rule = format!(
                ".badge.status-{}::before {{ content: \"{}",
                s.as_str(),
                status_look(s).glyph
            );
            assert!(css.contains(&rule), "no `{rule}` in style.css");
        }
        for r in ExperimentResult::ALL
            .iter()
            .filter_map(|r| ExperimentResult::parse(r))
        {
            let rule = format!(
                ".badge.result-{}::before {{ content: \"{}",
                r.as_str(),
                result_look(r).glyph
            );
            assert!(css.contains(&rule), "no `{rule}` in style.css");
        }
        // A rule that names a category's class may not use a judgement's colour.
        let categories = [
            "status-",
            "size-",
            "result-",
            ".leverage",
            ".neutral",
            ".overhead",
            ".big",
            ".medium",
            ".small",
            "node-",
            "st-",
            "segments",
            "sev-info",
            "trend-between",
        ];
        for rule in css.split('}') {
            let Some((selector, body)) = rule.split_once('{') else {
                continue;
            };
            if categories.iter().any(|c| selector.contains(c)) {
                for hue in ["var(--ok", "var(--warn", "var(--err"] {
                    assert!(
                        !body.contains(hue),
                        "`{}` draws a category in {hue})",
                        selector.trim()
                    );
                }
            }
        }
    }

    #[test]
    fn an_ost_legend_lists_each_status_present_once_in_the_order_first_met() {
        use crate::render::svg::TreeNode;
        let node = |note: Option<&str>, children| TreeNode {
            title: "t".into(),
            kind: "solution".into(),
            note: note.map(String::from),
            url: String::new(),
            children,
        };
        let tree = node(
            None,
            vec![
                node(Some("in-progress"), vec![node(Some("done"), vec![])]),
                node(Some("done"), vec![node(None, vec![])]),
                node(Some("validated"), vec![]),
            ],
        );
        let legend = ost_statuses(&tree);
        let keys: Vec<(&str, &str)> = legend
            .keys
            .iter()
            .map(|k| (k.class.as_str(), k.label.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("ost-box st-none", "no status"),
                ("ost-box st-in-progress", "in-progress"),
                ("ost-box st-done", "done"),
                ("ost-box st-validated", "validated"),
            ]
        );
        assert!(legend.keys.iter().all(|k| !k.pill && k.count.is_none()));
    }

    #[test]
    fn the_planned_legend_names_both_parts_of_the_mini_bar() {
        let legend = planned();
        let classes: Vec<&str> = legend.keys.iter().map(|k| k.class.as_str()).collect();
        assert_eq!(classes, ["planned", "not-planned"]);
        assert!(legend.keys[1].label.starts_with("not planned"));
    }
}
