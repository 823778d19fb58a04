//! Calendar dates, review cadences (`30d`, `12w`, `6m`, `1y`), planning
//! quarters (`2027-Q1`) and the build date every time-based rule is judged on.

use std::fmt;

use jiff::{civil, ToSpan};

/// A calendar date without time zone.
pub type Date = civil::Date;

/// Parses a strict `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<Date> {
    let bytes = s.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i16 = s.get(0..4)?.parse().ok()?;
    let month: i8 = s.get(5..7)?.parse().ok()?;
    let day: i8 = s.get(8..10)?.parse().ok()?;
    if !s[0..4]
        .bytes()
        .chain(s[5..7].bytes())
        .chain(s[8..10].bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Date::new(year, month, day).ok()
}

/// Whole days from `earlier` to `later` (negative when `later` is before).
pub fn days_between(earlier: Date, later: Date) -> i64 {
    later.duration_since(earlier).as_secs() / 86_400
}

/// The Monday that starts `date`'s week (ISO 8601 weeks), by which the
/// changes page groups changes.
pub fn week_start(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.saturating_add((-back).days())
}

/// The unit of a [`Cadence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CadenceUnit {
    /// `d`
    Days,
    /// `w`
    Weeks,
    /// `m`
    Months,
    /// `y`
    Years,
}

/// A review cadence or grace period such as `6m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: CadenceUnit,
}

impl Cadence {
    /// Parses `30d`, `12w`, `6m` or `1y`.
    pub fn parse(s: &str) -> Option<Cadence> {
        let s = s.trim();
        let unit = match s.chars().last()? {
            'd' => CadenceUnit::Days,
            'w' => CadenceUnit::Weeks,
            'm' => CadenceUnit::Months,
            'y' => CadenceUnit::Years,
            _ => return None,
        };
        let digits = &s[..s.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let amount: u32 = digits.parse().ok()?;
        (amount > 0 && amount <= 10_000).then_some(Cadence { amount, unit })
    }

    /// Like [`Cadence::parse`], saying what is wrong: "`0d` is zero days; a duration is at least `1d`".
    pub fn parse_explained(s: &str) -> Result<Cadence, String> {
        if let Some(c) = Cadence::parse(s) {
            return Ok(c);
        }
        let s = s.trim();
        let (digits, unit) = s.split_at(s.len() - s.chars().last().map_or(0, char::len_utf8));
        let unit_name = match unit {
            "d" => "days",
            "w" => "weeks",
            "m" => "months",
            "y" => "years",
            _ if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(format!("`{s}` has no unit; add d, w, m or y, as in `{s}d`"))
            }
            _ => return Err(format!("`{s}` does not end in a unit (d, w, m or y)")),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{s}` does not start with a whole number"));
        }
        match digits.parse::<u64>() {
            Ok(0) => Err(format!(
                "`{s}` is zero {unit_name}; a duration is at least `1{unit}`"
            )),
            _ => Err(format!("`{s}` is longer than 10,000 {unit_name}")),
        }
    }

    /// `date` plus this cadence, clamped to the calendar's range (month ends clamp: Aug 31 + 6m = Feb 28).
    pub fn after(self, date: Date) -> Date {
        date.saturating_add(self.span(1))
    }

    /// `date` minus this cadence.
    pub fn before(self, date: Date) -> Date {
        date.saturating_add(self.span(-1))
    }

    fn span(self, sign: i64) -> jiff::Span {
        let n = sign * i64::from(self.amount);
        match self.unit {
            CadenceUnit::Days => n.days(),
            CadenceUnit::Weeks => n.weeks(),
            CadenceUnit::Months => n.months(),
            CadenceUnit::Years => n.years(),
        }
    }
}

impl fmt::Display for Cadence {
    /// Plain words: `6 months`, `1 year`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            CadenceUnit::Days => "day",
            CadenceUnit::Weeks => "week",
            CadenceUnit::Months => "month",
            CadenceUnit::Years => "year",
        };
        let plural = if self.amount == 1 { "" } else { "s" };
        write!(f, "{} {unit}{plural}", self.amount)
    }
}

/// A planning quarter such as `2027-Q1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Quarter {
    /// The year.
    pub year: i16,
    /// 1 to 4.
    pub number: u8,
}

impl Quarter {
    /// Parses `YYYY-Qn`.
    pub fn parse(s: &str) -> Option<Quarter> {
        let (year, q) = s.split_once("-Q")?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || q.len() != 1 {
            return None;
        }
        let number: u8 = q.parse().ok()?;
        (1..=4).contains(&number).then_some(Quarter {
            year: year.parse().ok()?,
            number,
        })
    }

    /// The quarter's first day (`2027-Q1` → 2027-01-01).
    pub fn first_day(self) -> Date {
        let month = (self.number.clamp(1, 4) as i8 - 1) * 3 + 1;
        Date::new(self.year, month, 1).unwrap_or(Date::MIN)
    }

    /// The quarter's last day (`2027-Q1` → 2027-03-31).
    pub fn last_day(self) -> Date {
        let month = self.number.clamp(1, 4) as i8 * 3;
        Date::new(self.year, month, 1)
            .map(|d| d.last_of_month())
            .unwrap_or(Date::MAX)
    }

    /// The quarter after this one (`2026-Q4` → `2027-Q1`).
    pub fn next(self) -> Quarter {
        match self.number {
            4.. => Quarter {
                year: self.year.saturating_add(1),
                number: 1,
            },
            n => Quarter {
                year: self.year,
                number: n + 1,
            },
        }
    }

    /// The quarter before this one (`2027-Q1` → `2026-Q4`).
    pub fn previous(self) -> Quarter {
        match self.number {
            0 | 1 => Quarter {
                year: self.year.saturating_sub(1),
                number: 4,
            },
            n => Quarter {
                year: self.year,
                number: n - 1,
            },
        }
    }

    /// The quarter `date` falls in.
    pub fn of(date: Date) -> Quarter {
        Quarter {
            year: date.year(),
            number: ((date.month() - 1) / 3 + 1) as u8,
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

/// Why a build date could not be worked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildDateError(pub String);

/// The day a run judges the strategy on, as the command line and the
/// environment give it, before the config is read: the date every rule is
/// judged on is `--today`, else the config's `as_of`, else
/// `SOURCE_DATE_EPOCH`, else today (UTC) ([`Today::with_as_of`]). `as_of`
/// comes before `SOURCE_DATE_EPOCH` because it is the site's own statement
/// of the day it stands on, where the epoch is only the build's (a commit's
/// time in CI). The load that reads the config resolves it, so the config is
/// read once per run, and an editor's unsaved `as_of` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Today {
    /// `--today`: it wins over the config's `as_of`.
    Given(Date),
    /// No `--today`: the config's `as_of` if it has one, else this day
    /// (`SOURCE_DATE_EPOCH`, else the clock).
    Unless(Date),
}

impl Today {
    /// The day of `--today` (`flag`), else of `SOURCE_DATE_EPOCH`, else of
    /// the clock. A malformed value of either is refused, whatever the
    /// config says.
    pub fn new(
        flag: Option<&str>,
        source_date_epoch: Option<&str>,
    ) -> Result<Today, BuildDateError> {
        if let Some(s) = flag {
            return parse_date(s).map(Today::Given).ok_or_else(|| {
                BuildDateError(format!("`--today {s}` is not a date; expected YYYY-MM-DD"))
            });
        }
        let timestamp = match source_date_epoch.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                let seconds: i64 = s.parse().map_err(|_| {
                    BuildDateError(format!("SOURCE_DATE_EPOCH={s} is not a number of seconds"))
                })?;
                jiff::Timestamp::from_second(seconds)
                    .map_err(|_| BuildDateError(format!("SOURCE_DATE_EPOCH={s} is out of range")))?
            }
            None => jiff::Timestamp::now(),
        };
        Ok(Today::Unless(
            timestamp.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
        ))
    }

    /// The date the run judges on, given the config's `as_of`.
    pub fn with_as_of(self, as_of: Option<Date>) -> Date {
        match (self, as_of) {
            (Today::Given(day), _) | (Today::Unless(day), None) => day,
            (Today::Unless(_), Some(as_of)) => as_of,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn quarters_step_across_years() {
        let q = |s: &str| Quarter::parse(s).unwrap();
        assert_eq!(q("2026-Q4").next(), q("2027-Q1"));
        assert_eq!(q("2026-Q2").next(), q("2026-Q3"));
        assert_eq!(q("2027-Q1").previous(), q("2026-Q4"));
        assert_eq!(q("2026-Q3").previous(), q("2026-Q2"));
    }

    #[test]
    fn strict_dates() {
        assert_eq!(d("2026-10-02"), Date::new(2026, 10, 2).unwrap());
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "26-10-02",
            "2026-1-02",
            "2026-10-02T00:00",
            "+026-10-02",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn cadences() {
        let six_months = Cadence::parse("6m").unwrap();
        assert_eq!(six_months.after(d("2026-03-01")), d("2026-09-01"));
        assert_eq!(six_months.after(d("2026-08-31")), d("2027-02-28"));
        assert_eq!(
            Cadence::parse("2w").unwrap().after(d("2026-11-10")),
            d("2026-11-24")
        );
        assert_eq!(
            Cadence::parse("30d").unwrap().before(d("2026-11-24")),
            d("2026-10-25")
        );
        assert_eq!(six_months.to_string(), "6 months");
        assert_eq!(Cadence::parse("1y").unwrap().to_string(), "1 year");
        for bad in ["", "m", "6", "0d", "-3d", "6 months", "3x"] {
            assert_eq!(Cadence::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn quarters() {
        assert_eq!(
            Quarter::parse("2027-Q1"),
            Some(Quarter {
                year: 2027,
                number: 1
            })
        );
        assert_eq!(Quarter::parse("2027-Q5"), None);
        assert_eq!(Quarter::parse("27-Q1"), None);
        assert_eq!(Quarter::of(d("2026-11-24")).to_string(), "2026-Q4");
        assert!(Quarter::parse("2026-Q4") < Quarter::parse("2027-Q1"));
        let q = |s: &str| Quarter::parse(s).unwrap();
        assert_eq!(q("2027-Q1").first_day(), d("2027-01-01"));
        assert_eq!(q("2027-Q1").last_day(), d("2027-03-31"));
        assert_eq!(q("2026-Q2").last_day(), d("2026-06-30"));
        assert_eq!(q("2026-Q4").first_day(), d("2026-10-01"));
        assert_eq!(q("2026-Q4").last_day(), d("2026-12-31"));
    }

    #[test]
    fn build_date_precedence() {
        let on = |flag, as_of, epoch| Today::new(flag, epoch).map(|t| t.with_as_of(as_of));
        assert_eq!(
            on(Some("2026-11-24"), Some(d("2020-01-01")), Some("0")).unwrap(),
            d("2026-11-24")
        );
        assert_eq!(on(None, None, Some("1795478400")).unwrap(), d("2026-11-24"));
        assert_eq!(on(None, None, Some("1795478399")).unwrap(), d("2026-11-23"));
        assert_eq!(
            on(None, Some(d("2026-11-24")), Some("0")).unwrap(),
            d("2026-11-24")
        );
        assert!(on(Some("yesterday"), None, None).is_err());
        assert!(on(None, None, Some("soon")).is_err());
        // A malformed epoch is refused even where `as_of` would win.
        assert!(on(None, Some(d("2026-11-24")), Some("soon")).is_err());
        assert_eq!(days_between(d("2026-03-01"), d("2026-11-24")), 268);
    }
}

/// A [`Date`] in serde as `YYYY-MM-DD` text, read back strictly ([`parse_date`]).
pub(crate) mod as_text {
    use super::{parse_date, Date};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    /// Writes `date` as `YYYY-MM-DD`.
    pub(crate) fn serialize<S: Serializer>(date: &Date, to: S) -> Result<S::Ok, S::Error> {
        to.collect_str(date)
    }

    /// Reads a strict `YYYY-MM-DD`.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Date, D::Error> {
        strict(&<std::borrow::Cow<'de, str>>::deserialize(from)?)
    }

    /// `text` as a date, or the error that says it is not one.
    fn strict<E: Error>(text: &str) -> Result<Date, E> {
        parse_date(text).ok_or_else(|| E::custom(format!("not a date: {text}")))
    }

    /// The same for an optional date.
    pub(crate) mod option {
        use super::{strict, Date};
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes `date` as `YYYY-MM-DD`, or null.
        pub(crate) fn serialize<S: Serializer>(
            date: &Option<Date>,
            to: S,
        ) -> Result<S::Ok, S::Error> {
            match date {
                Some(date) => to.collect_str(date),
                None => to.serialize_none(),
            }
        }

        /// Reads a strict `YYYY-MM-DD`, or null.
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            from: D,
        ) -> Result<Option<Date>, D::Error> {
            <Option<std::borrow::Cow<'de, str>>>::deserialize(from)?
                .map(|text| strict(&text))
                .transpose()
        }
    }
}
