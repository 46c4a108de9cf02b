//! Incidents: dated, geolocated events (an arrest, a seizure, a tip, an overdose, a
//! syringe find) that feed the analytics and warn of re-formation near sites that were
//! eliminated.

use crate::site::{SiteState, UnknownSiteValue, parse_stored};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// Bắt giữ.
    Arrest,
    /// Thu giữ ma túy.
    Seizure,
    /// Tin báo.
    Tip,
    /// Sốc thuốc, quá liều.
    Overdose,
    /// Phát hiện bơm kim tiêm.
    SyringeFind,
    /// Khác.
    Other,
}

impl IncidentKind {
    /// Every kind, in display order.
    pub const ALL: [IncidentKind; 6] =
        [Self::Arrest, Self::Seizure, Self::Tip, Self::Overdose, Self::SyringeFind, Self::Other];

    /// The stored, CSV and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Arrest => "arrest",
            Self::Seizure => "seizure",
            Self::Tip => "tip",
            Self::Overdose => "overdose",
            Self::SyringeFind => "syringe_find",
            Self::Other => "other",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Arrest => "Bắt giữ",
            Self::Seizure => "Thu giữ ma túy",
            Self::Tip => "Tin báo",
            Self::Overdose => "Sốc thuốc, quá liều",
            Self::SyringeFind => "Phát hiện bơm kim tiêm",
            Self::Other => "Khác",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Arrest => "Arrest",
            Self::Seizure => "Seizure",
            Self::Tip => "Tip",
            Self::Overdose => "Overdose",
            Self::SyringeFind => "Syringe find",
            Self::Other => "Other",
        }
    }
}

impl fmt::Display for IncidentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IncidentKind {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "incident kind", s)
    }
}

/// Whether an incident on `incident_on`, `distance_m` from a site in `state` since
/// `state_since`, raises a re-formation alert on it: the site must be eliminated or under
/// monitoring, the incident must lie within the re-formation radius and must not be
/// older than the site's current state (an old incident entered late says nothing about
/// re-formation after the elimination).
pub fn raises_reformation_alert(
    state: SiteState,
    state_since: NaiveDate,
    incident_on: NaiveDate,
    distance_m: f64,
    radius_m: f64,
) -> bool {
    matches!(state, SiteState::Eliminated | SiteState::Monitoring)
        && incident_on >= state_since
        && distance_m <= radius_m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn kinds_round_trip() {
        for k in IncidentKind::ALL {
            assert_eq!(k.as_str().parse::<IncidentKind>().unwrap(), k);
        }
        let e = "fire".parse::<IncidentKind>().unwrap_err();
        assert!(e.allowed.contains("syringe_find"));
    }

    #[test]
    fn alert_needs_a_watched_state_a_recent_date_and_the_radius() {
        let since = d(2026, 3, 1);
        assert!(raises_reformation_alert(SiteState::Monitoring, since, d(2026, 3, 1), 200.0, 200.0));
        assert!(raises_reformation_alert(SiteState::Eliminated, since, d(2026, 5, 1), 10.0, 200.0));
        assert!(!raises_reformation_alert(SiteState::Monitoring, since, d(2026, 2, 28), 10.0, 200.0));
        assert!(!raises_reformation_alert(SiteState::Monitoring, since, d(2026, 4, 1), 200.1, 200.0));
        for s in [SiteState::Listed, SiteState::Closed, SiteState::Reformed, SiteState::UnderAction] {
            assert!(!raises_reformation_alert(s, since, d(2026, 4, 1), 1.0, 200.0), "{s:?}");
        }
    }
}
