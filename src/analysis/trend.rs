//! How much a metric moved over a window, in its better direction: one
//! computation for the `metric-chain` rule and the metrics page, so the
//! page's "moving" and "flat" are the rule's.

use crate::date::Date;
use crate::model::{Direction, Document, Point};

/// The window metric chains are judged over, in days, ending at the downstream metric's latest check-in.
pub(crate) const WINDOW_DAYS: i64 = 90;

/// A metric is moving when it improved by at least this much (relative).
pub(crate) const MOVING: f64 = 0.05;

/// A metric is flat when it improved by less than this much (relative); a fall is flat too.
pub(crate) const FLAT: f64 = 0.02;

/// Slack for comparing a change computed from decimal check-ins with the
/// thresholds, so that a change of exactly 5% or 2% is judged as written.
const EPSILON: f64 = 1e-9;

/// A metric's change over a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Change {
    /// The value the window starts from: the latest check-in on or before its
    /// first day, else the first check-in inside it.
    pub from: Point,
    /// The latest check-in on or before the window's last day.
    pub to: Point,
    /// (to − from) / |from|, negated when lower is better: positive is better.
    pub relative: f64,
}

/// Whether a change counts as moving, flat, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trend {
    /// Improved by [`MOVING`] or more.
    Moving,
    /// Improved by less than [`FLAT`] (or got worse).
    Flat,
    /// In between: neither claim is made.
    Between,
}

impl Change {
    /// The change in words, the way it went and whether that is better for
    /// a metric in `unit`: `−12 min, 33.3% better`; a percentage metric moves
    /// in points, `+17 pp, better`, since "+100%" of 17% reads as a doubling
    /// no one can place. Cards, metric pages and findings all say it so.
    pub(crate) fn in_words(&self, unit: &str) -> String {
        // Decimal check-ins subtract to binary noise (0.3 − 0.1); six places is
        // finer than anyone writes a check-in.
        let delta = ((self.to.value - self.from.value) * 1e6).round() / 1e6;
        if delta == 0.0 {
            return "no change".to_string();
        }
        let sign = if delta > 0.0 { "+" } else { "\u{2212}" };
        let amount = crate::text::figure(delta.abs());
        let verdict = if self.relative > 0.0 {
            "better"
        } else {
            "worse"
        };
        if unit.trim() == "%" {
            format!("{sign}{amount} pp, {verdict}")
        } else if !self.relative.is_finite() {
            // From zero: no share of nothing to state.
            format!(
                "{sign}{amount}{}, {verdict}",
                crate::text::unit_suffix(unit)
            )
        } else {
            format!(
                "{sign}{amount}{}, {} {verdict}",
                crate::text::unit_suffix(unit),
                crate::text::format_percent(self.relative.abs())
            )
        }
    }

    /// Moving, flat or in between.
    pub(crate) fn trend(&self) -> Trend {
        if self.relative >= MOVING - EPSILON {
            Trend::Moving
        } else if self.relative < FLAT - EPSILON {
            Trend::Flat
        } else {
            Trend::Between
        }
    }
}

/// How `metric` changed over the `days` days ending on `end`. `None` when
/// fewer than two check-ins bound the window, or the starting value is zero
/// (a relative change from zero means nothing).
pub(crate) fn change_over(metric: &Document, end: Date, days: i64) -> Option<Change> {
    let start = end.checked_sub(jiff::Span::new().days(days)).ok()?;
    let checkins = &metric.checkins;
    // Check-ins are sorted by date: the last on or before a day is found by bisection.
    let upto = |day: Date| checkins.partition_point(|c| c.date <= day);
    let to = checkins.get(upto(end).checked_sub(1)?)?.point();
    let from = match upto(start).checked_sub(1) {
        Some(i) => checkins[i].point(),
        None => checkins.first()?.point(),
    };
    if from.date >= to.date || from.value == 0.0 {
        return None;
    }
    Some(Change::between(from, to, metric.direction))
}

impl Change {
    /// The change from one check-in to a later one of a metric whose better
    /// way is `direction` (up when unset). From zero the relative change is
    /// infinite, signed by whether it is better, and said without a share.
    pub(crate) fn between(from: Point, to: Point, direction: Option<Direction>) -> Change {
        let delta = to.value - from.value;
        let raw = if from.value == 0.0 {
            if delta == 0.0 {
                0.0
            } else {
                f64::INFINITY.copysign(delta)
            }
        } else {
            delta / from.value.abs()
        };
        let relative = if direction == Some(Direction::Down) {
            -raw
        } else {
            raw
        };
        Change { from, to, relative }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_date;
    use crate::model::Checkin;

    fn metric(direction: Option<Direction>, checkins: &[(&str, f64)]) -> Document {
        Document {
            direction,
            checkins: checkins
                .iter()
                .map(|&(d, value)| Checkin {
                    date: parse_date(d).expect("date"),
                    value,
                    note: None,
                })
                .collect(),
            ..Document::default()
        }
    }

    fn day(s: &str) -> Date {
        parse_date(s).expect("date")
    }

    #[test]
    fn a_change_between_two_check_ins_reads_in_the_better_direction() {
        let p = |d: &str, value| Point {
            date: day(d),
            value,
        };
        let fell = Change::between(
            p("2026-10-01", 36.0),
            p("2026-11-01", 24.0),
            Some(Direction::Down),
        );
        assert_eq!(fell.in_words("min"), "\u{2212}12 min, 33.3% better");
        let rose = Change::between(p("2026-10-01", 1200.0), p("2026-11-01", 13500.0), None);
        assert_eq!(rose.in_words("jobs"), "+12,300 jobs, 1025% better");
        let from_zero = Change::between(p("2026-10-01", 0.0), p("2026-11-01", 5.0), None);
        assert_eq!(from_zero.in_words("min"), "+5 min, better");
        let worse_from_zero = Change::between(
            p("2026-10-01", 0.0),
            p("2026-11-01", 5.0),
            Some(Direction::Down),
        );
        assert_eq!(worse_from_zero.in_words(""), "+5, worse");
        let same = Change::between(p("2026-10-01", 3.0), p("2026-11-01", 3.0), None);
        assert_eq!(same.in_words("%"), "no change");
    }

    #[test]
    fn the_window_starts_from_the_last_value_before_it() {
        let m = metric(
            None,
            &[
                ("2026-01-01", 50.0),
                ("2026-08-01", 100.0),
                ("2026-10-01", 103.0),
                ("2026-11-15", 105.0),
            ],
        );
        // 90 days before 2026-11-15 is 2026-08-17: the value then was 100.
        let c = change_over(&m, day("2026-11-15"), WINDOW_DAYS).unwrap();
        assert_eq!((c.from.value, c.to.value), (100.0, 105.0));
        assert_eq!(c.relative, 0.05);
        assert_eq!(c.trend(), Trend::Moving);
        // Ending on 2026-10-15, the window starts on 2026-07-17, when the
        // metric still stood at its January value.
        let c = change_over(&m, day("2026-10-15"), WINDOW_DAYS).unwrap();
        assert_eq!((c.from.value, c.to.value), (50.0, 103.0));
    }

    #[test]
    fn a_series_that_starts_inside_the_window_starts_there() {
        let m = metric(None, &[("2026-10-01", 100.0), ("2026-11-15", 101.0)]);
        let c = change_over(&m, day("2026-11-15"), WINDOW_DAYS).unwrap();
        assert_eq!(c.from.value, 100.0);
        assert_eq!(c.trend(), Trend::Flat);
        assert!(
            change_over(&m, day("2026-10-01"), WINDOW_DAYS).is_none(),
            "one check-in"
        );
        let zero = metric(None, &[("2026-10-01", 0.0), ("2026-11-15", 3.0)]);
        assert!(change_over(&zero, day("2026-11-15"), WINDOW_DAYS).is_none());
    }

    #[test]
    fn thresholds_two_and_five_percent_in_the_better_direction() {
        let trend = |dir, to| {
            let m = metric(dir, &[("2026-10-01", 100.0), ("2026-11-15", to)]);
            change_over(&m, day("2026-11-15"), WINDOW_DAYS)
                .unwrap()
                .trend()
        };
        assert_eq!(trend(None, 105.0), Trend::Moving);
        assert_eq!(trend(None, 104.9), Trend::Between);
        assert_eq!(trend(None, 102.0), Trend::Between);
        assert_eq!(trend(None, 101.9), Trend::Flat);
        assert_eq!(trend(None, 90.0), Trend::Flat, "a fall is no improvement");
        assert_eq!(trend(Some(Direction::Down), 95.0), Trend::Moving);
        assert_eq!(trend(Some(Direction::Down), 105.0), Trend::Flat);
    }

    #[test]
    fn a_change_is_worded_by_the_way_it_went_and_whether_that_is_better() {
        let words = |dir, from, to, unit| {
            let m = metric(dir, &[("2026-10-01", from), ("2026-11-15", to)]);
            change_over(&m, day("2026-11-15"), WINDOW_DAYS)
                .unwrap()
                .in_words(unit)
        };
        // Lower is better: a fall from 36 to 24 is a gain, and reads as a fall.
        assert_eq!(
            words(Some(Direction::Down), 36.0, 24.0, "min"),
            "\u{2212}12 min, 33.3% better"
        );
        assert_eq!(words(None, 36.0, 24.0, ""), "\u{2212}12, 33.3% worse");
        // A percentage moves in points: 17% to 34% is +17 pp, not +100%.
        assert_eq!(words(None, 17.0, 34.0, "%"), "+17 pp, better");
        assert_eq!(words(None, 0.1, 0.3, "%"), "+0.2 pp, better");
        assert_eq!(words(None, 5.0, 5.0, "min"), "no change");
    }
}
