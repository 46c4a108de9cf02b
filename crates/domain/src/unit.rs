//! Administrative units (đơn vị hành chính). Since 1 July 2025 there are two levels,
//! province and commune; before, three: province, district, commune. Units are
//! effective-dated: a legacy unit stays in the registry with its end date so that
//! nothing recorded against it is lost, and the lineage links it to its successors.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The level of a unit in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    /// Tỉnh / thành phố trực thuộc trung ương.
    Province,
    /// Huyện / quận / thị xã / thành phố thuộc tỉnh (legacy units only).
    District,
    /// Xã / phường / thị trấn / đặc khu.
    Commune,
}

impl UnitLevel {
    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::District => "district",
            Self::Commune => "commune",
        }
    }
}

impl fmt::Display for UnitLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level name that is not one of province, district, commune.
#[derive(Debug, thiserror::Error)]
#[error("unknown unit level '{0}': expected province, district or commune")]
pub struct UnknownLevel(pub String);

impl FromStr for UnitLevel {
    type Err = UnknownLevel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "province" => Ok(Self::Province),
            "district" => Ok(Self::District),
            "commune" => Ok(Self::Commune),
            other => Err(UnknownLevel(other.to_owned())),
        }
    }
}

/// How a legacy commune went into a 2025 unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineageKind {
    /// The whole legacy unit went into the new one.
    Whole,
    /// The legacy unit was divided; one of the parts.
    Split,
}

impl LineageKind {
    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Whole => "whole",
            Self::Split => "split",
        }
    }
}

/// Checks that a unit code is 2 to 5 ASCII digits (province 2, district 3, commune 5),
/// keeping leading zeros: codes are strings, never numbers.
pub fn is_valid_unit_code(code: &str) -> bool {
    (2..=5).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip() {
        for l in [UnitLevel::Province, UnitLevel::District, UnitLevel::Commune] {
            assert_eq!(l.as_str().parse::<UnitLevel>().unwrap(), l);
        }
        assert!("ward".parse::<UnitLevel>().is_err());
    }

    #[test]
    fn unit_codes_keep_leading_zeros() {
        assert!(is_valid_unit_code("01"));
        assert!(is_valid_unit_code("00004"));
        assert!(!is_valid_unit_code("4"));
        assert!(!is_valid_unit_code("51a"));
        assert!(!is_valid_unit_code("123456"));
    }
}
