//! Time conventions: everything is stored in UTC and shown in Vietnam's time zone,
//! which has a fixed offset of +07:00 and no daylight saving, so a fixed offset is
//! exact and no time-zone database is needed.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Asia/Ho_Chi_Minh: UTC+7 all year (checked at compile time).
pub const VIETNAM_OFFSET: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(o) => o,
    None => panic!("+07:00 is a valid offset"),
};

/// The first day of the 2025 two-level local government (checked at compile time).
pub const REORGANISATION_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2025, 7, 1) {
    Some(d) => d,
    None => panic!("2025-07-01 is a valid date"),
};

/// Asia/Ho_Chi_Minh as an offset value.
pub fn vietnam_offset() -> FixedOffset {
    VIETNAM_OFFSET
}

/// Today's date in Vietnam.
pub fn today_in_vietnam() -> NaiveDate {
    Utc::now().with_timezone(&vietnam_offset()).date_naive()
}

/// Formats a date the Vietnamese way: dd/mm/yyyy.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Formats a UTC instant as Vietnam local time: dd/mm/yyyy HH:MM.
pub fn format_datetime(t: DateTime<Utc>) -> String {
    t.with_timezone(&vietnam_offset()).format("%d/%m/%Y %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shows_times_in_vietnam() {
        let t = Utc.with_ymd_and_hms(2026, 6, 30, 18, 30, 0).unwrap();
        assert_eq!(format_datetime(t), "01/07/2026 01:30");
        assert_eq!(format_date(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()), "01/07/2025");
    }
}
