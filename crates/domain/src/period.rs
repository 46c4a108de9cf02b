//! Statistical periods (DOMAIN.md §7, ND 09/2019): reports count from a cut-off day, not
//! from the first of the month. With the default cut-off 15, month M runs from the 15th
//! of month M−1 to the 14th of M, the first half-year from 15/12 to 14/6 and the year from
//! 15/12 of the year before to 14/12. The cut-off day is a parameter (1–28); with 1 the
//! periods are calendar months, halves and years.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

impl Period {
    /// The statistical year `year` with the default cut-off (15/12 of the year before to
    /// 14/12).
    pub fn statistical_year(year: i32) -> Option<Self> {
        StatPeriod::year(year).bounds(DEFAULT_CUTOFF_DAY)
    }

    /// Whether a day falls in the period.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// Whether something running on `[start, end)` (end exclusive, `None` open) runs on at
    /// least one day of the period.
    pub fn overlaps(&self, start: NaiveDate, end: Option<NaiveDate>) -> bool {
        start <= self.to && end.is_none_or(|e| e > self.from)
    }
}

/// The cut-off day of the state's reporting periods.
pub const DEFAULT_CUTOFF_DAY: u32 = 15;

/// The province's reporting parameters (group `reporting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportingParams {
    /// The first day of a statistical month (1–28).
    pub cutoff_day: u32,
}

impl Default for ReportingParams {
    fn default() -> Self {
        Self { cutoff_day: DEFAULT_CUTOFF_DAY }
    }
}

impl ReportingParams {
    /// Whether the cut-off day can start a month in every month.
    pub fn is_valid(&self) -> bool {
        (1..=28).contains(&self.cutoff_day)
    }
}

/// How long a statistical period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// A month.
    Month,
    /// Six months.
    HalfYear,
    /// A year.
    Year,
}

/// A named statistical period: `2026` (year), `2026-H1` (half-year), `2026-03` (month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatPeriod {
    /// Its length.
    pub kind: PeriodKind,
    /// The year it ends in.
    pub year: i32,
    /// The month (1–12), the half (1–2), or 1 for a year.
    pub index: u32,
}

/// A period name that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a period: expected YYYY, YYYY-H1, YYYY-H2 or YYYY-MM")]
pub struct BadPeriod(pub String);

impl BadPeriod {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        format!("«{}» không phải là kỳ báo cáo: nhập YYYY, YYYY-H1, YYYY-H2 hoặc YYYY-MM.", self.0)
    }
}

impl StatPeriod {
    /// Statistical year `year`.
    pub fn year(year: i32) -> Self {
        Self { kind: PeriodKind::Year, year, index: 1 }
    }

    /// Statistical month `month` of `year`.
    pub fn month(year: i32, month: u32) -> Self {
        Self { kind: PeriodKind::Month, year, index: month.clamp(1, 12) }
    }

    /// Half `half` (1 or 2) of `year`.
    pub fn half(year: i32, half: u32) -> Self {
        Self { kind: PeriodKind::HalfYear, year, index: half.clamp(1, 2) }
    }

    /// The first and last statistical month it spans.
    fn months(self) -> (u32, u32) {
        match self.kind {
            PeriodKind::Month => (self.index, self.index),
            PeriodKind::HalfYear => (self.index * 6 - 5, self.index * 6),
            PeriodKind::Year => (1, 12),
        }
    }

    /// Its days with statistical months starting on `cutoff_day`; `None` outside the
    /// calendar or for a cut-off outside 1–28.
    pub fn bounds(self, cutoff_day: u32) -> Option<Period> {
        if !(1..=28).contains(&cutoff_day) {
            return None;
        }
        let (first, last) = self.months();
        let month_start = |m: u32| -> Option<NaiveDate> {
            let d = NaiveDate::from_ymd_opt(self.year, m, 1)?;
            if cutoff_day == 1 { Some(d) } else { d.checked_sub_months(Months::new(1))?.with_day(cutoff_day) }
        };
        let from = month_start(first)?;
        let next = month_start(1)?.checked_add_months(Months::new(last))?;
        Some(Period { from, to: next.pred_opt()? })
    }

    /// The period of the same kind just before.
    pub fn previous(self) -> Self {
        match self.kind {
            PeriodKind::Year => Self::year(self.year - 1),
            PeriodKind::HalfYear if self.index == 1 => Self::half(self.year - 1, 2),
            PeriodKind::HalfYear => Self::half(self.year, 1),
            PeriodKind::Month if self.index == 1 => Self::month(self.year - 1, 12),
            PeriodKind::Month => Self::month(self.year, self.index - 1),
        }
    }

    /// The same period a year before (for year-on-year comparisons of months and halves).
    pub fn a_year_before(self) -> Self {
        Self { year: self.year - 1, ..self }
    }

    /// The period of `kind` that contains `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate, cutoff_day: u32) -> Self {
        // The statistical month: from the cut-off day on, the day counts to the next month.
        let (mut y, mut m) = (day.year(), day.month());
        if cutoff_day > 1 && day.day() >= cutoff_day {
            if m == 12 {
                y += 1;
                m = 1;
            } else {
                m += 1;
            }
        }
        match kind {
            PeriodKind::Month => Self::month(y, m),
            PeriodKind::HalfYear => Self::half(y, if m <= 6 { 1 } else { 2 }),
            PeriodKind::Year => Self::year(y),
        }
    }

    /// The periods of `kind` from the one containing `from` to the one containing `to`.
    pub fn series(kind: PeriodKind, from: NaiveDate, to: NaiveDate, cutoff_day: u32) -> Vec<Self> {
        let (first, last) =
            (Self::containing(kind, from, cutoff_day), Self::containing(kind, to, cutoff_day));
        let mut out = vec![last];
        let mut p = last;
        while p > first && out.len() < 600 {
            p = p.previous();
            out.push(p);
        }
        out.reverse();
        out
    }

    /// The name in Vietnamese: "Năm 2026", "6 tháng đầu năm 2026", "Tháng 3/2026".
    pub fn label_vi(self) -> String {
        match (self.kind, self.index) {
            (PeriodKind::Year, _) => format!("Năm {}", self.year),
            (PeriodKind::HalfYear, 1) => format!("6 tháng đầu năm {}", self.year),
            (PeriodKind::HalfYear, _) => format!("6 tháng cuối năm {}", self.year),
            (PeriodKind::Month, m) => format!("Tháng {m}/{}", self.year),
        }
    }
}

impl fmt::Display for StatPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Year => write!(f, "{}", self.year),
            PeriodKind::HalfYear => write!(f, "{}-H{}", self.year, self.index),
            PeriodKind::Month => write!(f, "{}-{:02}", self.year, self.index),
        }
    }
}

impl FromStr for StatPeriod {
    type Err = BadPeriod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadPeriod(s.to_owned());
        let t = s.trim();
        let year = |y: &str| -> Result<i32, BadPeriod> {
            match y.parse::<i32>() {
                Ok(y) if y.to_string().len() == 4 && (1900..=2200).contains(&y) => Ok(y),
                _ => Err(bad()),
            }
        };
        match t.split_once('-') {
            None => Ok(Self::year(year(t)?)),
            Some((y, "H1" | "h1")) => Ok(Self::half(year(y)?, 1)),
            Some((y, "H2" | "h2")) => Ok(Self::half(year(y)?, 2)),
            Some((y, m)) if m.len() == 2 => match m.parse::<u32>() {
                Ok(m) if (1..=12).contains(&m) => Ok(Self::month(year(y)?, m)),
                _ => Err(bad()),
            },
            Some(_) => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_default_cut_off_gives_the_state_reporting_periods() {
        let p = |s: &str| s.parse::<StatPeriod>().unwrap().bounds(15).unwrap();
        assert_eq!(p("2026"), Period { from: d(2025, 12, 15), to: d(2026, 12, 14) });
        assert_eq!(p("2026-H1"), Period { from: d(2025, 12, 15), to: d(2026, 6, 14) });
        assert_eq!(p("2026-H2"), Period { from: d(2026, 6, 15), to: d(2026, 12, 14) });
        assert_eq!(p("2026-01"), Period { from: d(2025, 12, 15), to: d(2026, 1, 14) });
        assert_eq!(p("2026-03"), Period { from: d(2026, 2, 15), to: d(2026, 3, 14) });
        assert_eq!(Period::statistical_year(2026), Some(p("2026")));
    }

    #[test]
    fn a_cut_off_of_one_gives_calendar_periods_and_others_shift() {
        let y = StatPeriod::year(2026);
        assert_eq!(y.bounds(1), Some(Period { from: d(2026, 1, 1), to: d(2026, 12, 31) }));
        assert_eq!(StatPeriod::month(2024, 2).bounds(1).unwrap().to, d(2024, 2, 29));
        assert_eq!(y.bounds(20), Some(Period { from: d(2025, 12, 20), to: d(2026, 12, 19) }));
        assert_eq!(y.bounds(0), None);
        assert_eq!(y.bounds(29), None);
    }

    #[test]
    fn the_14th_and_the_15th_of_december_fall_in_different_years() {
        assert_eq!(StatPeriod::containing(PeriodKind::Year, d(2025, 12, 14), 15), StatPeriod::year(2025));
        assert_eq!(StatPeriod::containing(PeriodKind::Year, d(2025, 12, 15), 15), StatPeriod::year(2026));
        assert_eq!(StatPeriod::containing(PeriodKind::Month, d(2026, 6, 14), 15), StatPeriod::month(2026, 6));
        assert_eq!(StatPeriod::containing(PeriodKind::Month, d(2026, 6, 15), 15), StatPeriod::month(2026, 7));
        assert_eq!(
            StatPeriod::containing(PeriodKind::HalfYear, d(2026, 6, 15), 15),
            StatPeriod::half(2026, 2)
        );
        assert_eq!(StatPeriod::containing(PeriodKind::Year, d(2025, 12, 31), 1), StatPeriod::year(2025));
    }

    #[test]
    fn periods_follow_each_other_without_gaps() {
        for kind in [PeriodKind::Month, PeriodKind::HalfYear, PeriodKind::Year] {
            let s = StatPeriod::series(kind, d(2023, 9, 25), d(2026, 11, 30), 15);
            for w in s.windows(2) {
                let (a, b) = (w[0].bounds(15).unwrap(), w[1].bounds(15).unwrap());
                assert_eq!(a.to.succ_opt(), Some(b.from), "{} then {}", w[0], w[1]);
            }
            assert!(s[0].bounds(15).unwrap().contains(d(2023, 9, 25)));
            assert!(s.last().unwrap().bounds(15).unwrap().contains(d(2026, 11, 30)));
        }
    }

    #[test]
    fn names_parse_and_print_back() {
        for s in ["2026", "2026-H1", "2026-H2", "2026-01", "2026-12"] {
            assert_eq!(s.parse::<StatPeriod>().unwrap().to_string(), s);
        }
        for bad in ["", "26", "2026-13", "2026-H3", "2026-1", "abcd", "2026-"] {
            assert!(bad.parse::<StatPeriod>().is_err(), "{bad}");
        }
        assert_eq!(StatPeriod::month(2026, 1).previous(), StatPeriod::month(2025, 12));
        assert_eq!(StatPeriod::half(2026, 1).previous(), StatPeriod::half(2025, 2));
        assert_eq!("2026-H1".parse::<StatPeriod>().unwrap().label_vi(), "6 tháng đầu năm 2026");
    }
}
