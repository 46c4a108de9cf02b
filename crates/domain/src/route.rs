//! Key drug routes (tuyến trọng điểm phức tạp về ma túy, DOMAIN.md §2): a route runs
//! along roads, rail, waterways, air or sea and crosses unit borders, so it links to many
//! units and is the child of none. Membership of a commune feeds classification
//! criterion (đ) in the years the route is in force.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a route runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteMode {
    /// Đường bộ.
    Road,
    /// Đường sắt.
    Rail,
    /// Đường thủy nội địa.
    Waterway,
    /// Đường hàng không.
    Air,
    /// Đường biển.
    Sea,
    /// Several of them.
    Mixed,
}

impl RouteMode {
    /// Every mode, in display order.
    pub const ALL: [RouteMode; 6] =
        [Self::Road, Self::Rail, Self::Waterway, Self::Air, Self::Sea, Self::Mixed];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Road => "road",
            Self::Rail => "rail",
            Self::Waterway => "waterway",
            Self::Air => "air",
            Self::Sea => "sea",
            Self::Mixed => "mixed",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Road => "Đường bộ",
            Self::Rail => "Đường sắt",
            Self::Waterway => "Đường thủy nội địa",
            Self::Air => "Đường hàng không",
            Self::Sea => "Đường biển",
            Self::Mixed => "Nhiều loại hình",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Road => "Road",
            Self::Rail => "Rail",
            Self::Waterway => "Inland waterway",
            Self::Air => "Air",
            Self::Sea => "Sea",
            Self::Mixed => "Mixed",
        }
    }
}

impl fmt::Display for RouteMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mode name that is not one of [`RouteMode::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown route mode '{0}': expected one of road, rail, waterway, air, sea, mixed")]
pub struct UnknownRouteMode(pub String);

impl FromStr for RouteMode {
    type Err = UnknownRouteMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| UnknownRouteMode(s.to_owned()))
    }
}

/// Whether a route in force from `valid_from` to `valid_to` (open when `None`, both ends
/// included) is in force at some time between `from` and `to` (both included): the test
/// of criterion (đ) for a statistical year.
pub fn in_force_during(
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    from: NaiveDate,
    to: NaiveDate,
) -> bool {
    valid_from <= to && valid_to.is_none_or(|end| end >= from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn modes_round_trip_and_refuse_unknown_names() {
        for m in RouteMode::ALL {
            assert_eq!(m.as_str().parse::<RouteMode>(), Ok(m));
        }
        assert!("bus".parse::<RouteMode>().unwrap_err().to_string().contains("road, rail"));
    }

    #[test]
    fn in_force_during_a_year_touches_both_ends() {
        let (y0, y1) = (d(2024, 12, 15), d(2025, 12, 14));
        assert!(in_force_during(d(2025, 12, 14), None, y0, y1));
        assert!(!in_force_during(d(2025, 12, 15), None, y0, y1));
        assert!(in_force_during(d(2020, 1, 1), Some(d(2024, 12, 15)), y0, y1));
        assert!(!in_force_during(d(2020, 1, 1), Some(d(2024, 12, 14)), y0, y1));
        assert!(in_force_during(d(2025, 3, 1), Some(d(2025, 6, 1)), y0, y1));
    }
}
