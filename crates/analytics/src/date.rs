//! Calendar dates and months without a date-time dependency: EHSA only needs
//! to know which calendar month an incident falls in, and the input format is
//! the fixed `YYYY-MM-DD`.

use std::fmt;

/// A proleptic Gregorian calendar date (year 1 to 9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date, or `None` when the day does not exist (month 13,
    /// 30 February, year 0 …).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, zero-padded).
    pub fn parse_iso(text: &str) -> Option<Self> {
        Self::parse_iso_bytes(text.as_bytes())
    }

    pub(crate) fn parse_iso_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        // The digit counts bound the values, so the narrowing casts are exact.
        Self::new(year as i32, month as u8, day as u8)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The calendar month this date falls in.
    pub fn year_month(self) -> YearMonth {
        YearMonth { year: self.year, month: self.month }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A calendar month: the EHSA time step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u8,
}

impl YearMonth {
    /// Builds a month, or `None` outside years 1–9999 and months 1–12.
    pub fn new(year: i32, month: u8) -> Option<Self> {
        Date::new(year, month, 1).map(Date::year_month)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// Months since January of year 0: consecutive months have consecutive
    /// ordinals, which turns "month of an incident" into an array index.
    pub fn ordinal(self) -> i32 {
        self.year * 12 + i32::from(self.month) - 1
    }

    /// The month `steps` months later (earlier when negative), or `None`
    /// outside years 1–9999.
    pub fn add_months(self, steps: i32) -> Option<Self> {
        let ordinal = self.ordinal().checked_add(steps)?;
        let month = u8::try_from(ordinal.rem_euclid(12) + 1).ok()?;
        Self::new(ordinal.div_euclid(12), month)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_dates_and_rejects_impossible_ones() {
        assert_eq!(Date::parse_iso("2024-02-29"), Date::new(2024, 2, 29));
        assert!(Date::parse_iso("2024-02-29").is_some());
        assert!(Date::parse_iso("2023-02-29").is_none());
        assert!(Date::parse_iso("1900-02-29").is_none());
        assert!(Date::parse_iso("2000-02-29").is_some());
        assert!(Date::parse_iso("2024-04-31").is_none());
        assert!(Date::parse_iso("2024-13-01").is_none());
        assert!(Date::parse_iso("2024-00-10").is_none());
        assert!(Date::parse_iso("0000-01-01").is_none());
        assert!(Date::parse_iso("2024-1-01").is_none());
        assert!(Date::parse_iso("2024/01/01").is_none());
        assert!(Date::parse_iso("2024-01-01T00:00").is_none());
        assert!(Date::parse_iso("２024-01-01").is_none());
    }

    #[test]
    fn months_are_consecutive_across_years() {
        let dec = YearMonth::new(2023, 12).unwrap();
        let jan = YearMonth::new(2024, 1).unwrap();
        assert_eq!(jan.ordinal() - dec.ordinal(), 1);
        assert_eq!(dec.add_months(1), Some(jan));
        assert_eq!(jan.add_months(-1), Some(dec));
        assert_eq!(jan.add_months(25).unwrap().to_string(), "2026-02");
        assert_eq!(YearMonth::new(9999, 12).unwrap().add_months(1), None);
    }
}
