//! Conditional businesses on security and order (cơ sở kinh doanh có điều kiện về ANTT,
//! Nghị định 96/2016/NĐ-CP as amended by Nghị định 56/2023/NĐ-CP): the lines the drug
//! programme watches (karaoke, dance halls, accommodation, massage, bars), their
//! inspections, and when one is due.

use crate::site::{UnknownSiteValue, parse_stored};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The line of business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessLine {
    /// Kinh doanh dịch vụ karaoke.
    Karaoke,
    /// Vũ trường.
    DanceHall,
    /// Kinh doanh dịch vụ lưu trú (hotels, guest houses, motels).
    Accommodation,
    /// Kinh doanh dịch vụ xoa bóp (massage).
    Massage,
    /// Quán bar, pub.
    Bar,
    /// Another conditional line.
    Other,
}

impl BusinessLine {
    /// Every line, in display order.
    pub const ALL: [Self; 6] =
        [Self::Karaoke, Self::DanceHall, Self::Accommodation, Self::Massage, Self::Bar, Self::Other];

    /// The stored, CSV and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Karaoke => "karaoke",
            Self::DanceHall => "dance_hall",
            Self::Accommodation => "accommodation",
            Self::Massage => "massage",
            Self::Bar => "bar",
            Self::Other => "other",
        }
    }

    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Karaoke => "Karaoke",
            Self::DanceHall => "Vũ trường",
            Self::Accommodation => "Lưu trú",
            Self::Massage => "Xoa bóp (massage)",
            Self::Bar => "Quán bar, pub",
            Self::Other => "Ngành nghề khác",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Karaoke => "Karaoke",
            Self::DanceHall => "Dance hall",
            Self::Accommodation => "Accommodation",
            Self::Massage => "Massage",
            Self::Bar => "Bar, pub",
            Self::Other => "Other line",
        }
    }
}

impl FromStr for BusinessLine {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "business line", s)
    }
}

/// Periodic (planned) or unannounced (ad hoc) inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// Kiểm tra định kỳ, theo kế hoạch.
    Planned,
    /// Kiểm tra đột xuất.
    AdHoc,
}

impl InspectionKind {
    /// Both kinds.
    pub const ALL: [Self; 2] = [Self::Planned, Self::AdHoc];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::AdHoc => "ad_hoc",
        }
    }

    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Planned => "Định kỳ (theo kế hoạch)",
            Self::AdHoc => "Đột xuất",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Planned => "Planned",
            Self::AdHoc => "Ad hoc",
        }
    }
}

impl FromStr for InspectionKind {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "inspection kind", s)
    }
}

/// The last day an inspection counts as recent on `today`: a business whose latest
/// inspection is before it (or that has none) is due. `months` is the parameter
/// `business_inspection_months`.
pub fn inspection_cutoff(today: NaiveDate, months: u32) -> NaiveDate {
    today.checked_sub_months(Months::new(months)).unwrap_or(NaiveDate::MIN)
}

/// Whether a business last inspected on `last` (None: never) is due on `today`.
pub fn inspection_due(last: Option<NaiveDate>, today: NaiveDate, months: u32) -> bool {
    last.is_none_or(|d| d < inspection_cutoff(today, months))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_kinds_round_trip() {
        for l in BusinessLine::ALL {
            assert_eq!(l.as_str().parse::<BusinessLine>().unwrap(), l);
        }
        for k in InspectionKind::ALL {
            assert_eq!(k.as_str().parse::<InspectionKind>().unwrap(), k);
        }
        let e = "casino".parse::<BusinessLine>().unwrap_err();
        assert!(e.to_string().contains("karaoke"), "{e}");
    }

    #[test]
    fn a_business_is_due_when_not_inspected_within_the_period() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        assert!(inspection_due(None, today, 12));
        assert!(!inspection_due(NaiveDate::from_ymd_opt(2025, 11, 15), today, 12));
        assert!(inspection_due(NaiveDate::from_ymd_opt(2025, 11, 14), today, 12));
        assert!(!inspection_due(NaiveDate::from_ymd_opt(2026, 6, 1), today, 6));
        assert!(inspection_due(NaiveDate::from_ymd_opt(2026, 5, 14), today, 6));
    }
}
