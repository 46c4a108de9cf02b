//! Signals the analytics feed back into the registries (ANALYTICS.md §4): a suggestion to
//! verify a new site, a re-formation alert on a watched site, a relapse warning on an area
//! under non-relapse monitoring. Each is open until an officer accepts or dismisses it.

use crate::site::{UnknownSiteValue, parse_stored};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a signal asks the officer to look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// Gợi ý điểm mới: a new, consecutive or intensifying hot cell with no registered site.
    SuggestSite,
    /// Cảnh báo tái hình thành: an eliminated or monitored site whose cell turns hot again,
    /// or with incidents within the re-formation radius.
    ReformationAlert,
    /// Cảnh báo tái phức tạp: an area under non-relapse monitoring whose cell turns hot.
    RelapseWarning,
}

impl SignalKind {
    /// Every kind, in display order.
    pub const ALL: [SignalKind; 3] = [Self::SuggestSite, Self::ReformationAlert, Self::RelapseWarning];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SuggestSite => "suggest_site",
            Self::ReformationAlert => "reformation_alert",
            Self::RelapseWarning => "relapse_warning",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::SuggestSite => "Gợi ý xác minh điểm mới",
            Self::ReformationAlert => "Cảnh báo tái hình thành",
            Self::RelapseWarning => "Cảnh báo tái phức tạp",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::SuggestSite => "Suggested new site",
            Self::ReformationAlert => "Re-formation alert",
            Self::RelapseWarning => "Relapse warning",
        }
    }
}

impl fmt::Display for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignalKind {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "signal kind", s)
    }
}

/// Where a signal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalStatus {
    /// Chờ xử lý.
    Open,
    /// Đã chấp nhận.
    Accepted,
    /// Đã bỏ qua.
    Dismissed,
}

impl SignalStatus {
    /// Every status, in display order.
    pub const ALL: [SignalStatus; 3] = [Self::Open, Self::Accepted, Self::Dismissed];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Accepted => "accepted",
            Self::Dismissed => "dismissed",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Open => "Chờ xử lý",
            Self::Accepted => "Đã chấp nhận",
            Self::Dismissed => "Đã bỏ qua",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Accepted => "Accepted",
            Self::Dismissed => "Dismissed",
        }
    }
}

impl fmt::Display for SignalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignalStatus {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "signal status", s)
    }
}

/// The reason a decision must carry: trimmed, non-empty, at most 2,000 characters. The
/// error is the Vietnamese message shown to the officer.
pub fn decision_reason(text: &str) -> Result<String, &'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Cần ghi lý do chấp nhận hoặc bỏ qua.");
    }
    if t.chars().count() > 2000 {
        return Err("Lý do dài quá 2.000 ký tự.");
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_round_trip() {
        for k in SignalKind::ALL {
            assert_eq!(k.as_str().parse::<SignalKind>().unwrap(), k);
        }
        for s in SignalStatus::ALL {
            assert_eq!(s.as_str().parse::<SignalStatus>().unwrap(), s);
        }
        assert!("maybe".parse::<SignalStatus>().is_err());
    }

    #[test]
    fn a_decision_needs_a_reason() {
        assert!(decision_reason("  ").is_err());
        assert_eq!(decision_reason(" đã xác minh ").unwrap(), "đã xác minh");
        assert!(decision_reason(&"x".repeat(2001)).is_err());
    }
}
