//! Persons: illegal drug users and addicts with management records (người sử dụng trái
//! phép chất ma túy, người nghiện ma túy có hồ sơ quản lý). This module owns the identity
//! number and its checks, the demographic breakdowns of the statistics (sex, ethnicity,
//! age band), the two legal regimes and the duration of each measure under them, the
//! transitions the law suggests (always proposals, never applied silently), the
//! residence-change deadlines, and the services that count for target T5.

mod events;
mod identity;
mod profile;
mod regime;
pub mod stats;
#[cfg(test)]
mod stats_tests;
pub mod stats_years;
#[cfg(test)]
mod tests;

pub use events::{
    EventKind, PersonEvent, Proposal, TRANSFER_NOTIFY_HOURS, TRANSFER_REPORT_HOURS, is_transfer_overdue,
    proposals, transfer_notification_deadline, transfer_report_deadline,
};
pub use identity::{IdError, IdentityDocument, IdentityNumber, PROVINCE_CODES};
pub use profile::{EndReason, HeldIn, Substance, parse_substances, substances_text};
pub use regime::{
    DurationRules, EpisodeError, EpisodeKind, EpisodeSpan, KindDuration, LAW_120_2025_IN_FORCE, MonthRange,
    Regime, RegimeDurations, check_no_overlap,
};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A stored name that does not belong to the enumeration it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}': expected one of {allowed}")]
pub struct UnknownPersonValue {
    /// What was being parsed ("sex", "age band", …).
    pub what: &'static str,
    /// The text that did not match.
    pub value: String,
    /// The accepted names, comma-separated.
    pub allowed: String,
}

pub(crate) fn parse_stored<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    what: &'static str,
    s: &str,
) -> Result<T, UnknownPersonValue> {
    all.iter().copied().find(|v| name(*v) == s).ok_or_else(|| UnknownPersonValue {
        what,
        value: s.to_owned(),
        allowed: all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", "),
    })
}

/// Sex (giới tính) as recorded, and as the identity number encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Nam.
    Male,
    /// Nữ.
    Female,
}

impl Sex {
    /// Both values.
    pub const ALL: [Sex; 2] = [Self::Male, Self::Female];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Male => "Nam",
            Self::Female => "Nữ",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Male => "Male",
            Self::Female => "Female",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Sex {
    type Err = UnknownPersonValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "sex", s)
    }
}

/// Ethnicity (dân tộc) as written in the record. The statistics only split Kinh from
/// the others, so the name is kept as written and only [`Ethnicity::is_kinh`] reads it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ethnicity(String);

impl Ethnicity {
    /// Keeps the name as written, trimmed.
    pub fn new(name: &str) -> Self {
        Self(name.trim().to_owned())
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the Kinh (Việt) majority, for the Kinh / other breakdown. Matches
    /// without regard to case or diacritics, with or without the word "dân tộc", and
    /// accepts "Việt", the other official name of the same group.
    pub fn is_kinh(&self) -> bool {
        let folded = crate::text::fold(&self.0);
        let name = folded.strip_prefix("dan toc ").unwrap_or(&folded);
        matches!(name, "kinh" | "viet" | "kinh (viet)" | "viet (kinh)")
    }
}

/// Age bands of the statistics on persons (QĐ 127/2009 as amended by QĐ 13/2019):
/// <14, 14–<16, 16–<18, 18–30, ≥30. The printed "18–30, ≥30" overlaps at 30; a person
/// aged exactly 30 is put in "30 and over", so the 18 band is 18 ≤ age < 30 and every
/// age falls in exactly one band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBand {
    /// Dưới 14 tuổi.
    #[serde(rename = "under_14")]
    Under14,
    /// Từ 14 đến dưới 16 tuổi.
    #[serde(rename = "14_to_16")]
    From14To16,
    /// Từ 16 đến dưới 18 tuổi.
    #[serde(rename = "16_to_18")]
    From16To18,
    /// Từ 18 đến dưới 30 tuổi.
    #[serde(rename = "18_to_30")]
    From18To30,
    /// Từ 30 tuổi trở lên.
    #[serde(rename = "30_and_over")]
    From30,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 5] =
        [Self::Under14, Self::From14To16, Self::From16To18, Self::From18To30, Self::From30];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Under14 => "under_14",
            Self::From14To16 => "14_to_16",
            Self::From16To18 => "16_to_18",
            Self::From18To30 => "18_to_30",
            Self::From30 => "30_and_over",
        }
    }

    /// The Vietnamese label, as the statistical tables print it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Under14 => "Dưới 14 tuổi",
            Self::From14To16 => "Từ 14 đến dưới 16 tuổi",
            Self::From16To18 => "Từ 16 đến dưới 18 tuổi",
            Self::From18To30 => "Từ 18 đến dưới 30 tuổi",
            Self::From30 => "Từ 30 tuổi trở lên",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Under14 => "Under 14",
            Self::From14To16 => "14 to under 16",
            Self::From16To18 => "16 to under 18",
            Self::From18To30 => "18 to under 30",
            Self::From30 => "30 and over",
        }
    }

    /// The band of a completed age in years.
    pub fn from_age(age: u32) -> Self {
        match age {
            0..14 => Self::Under14,
            14..16 => Self::From14To16,
            16..18 => Self::From16To18,
            18..30 => Self::From18To30,
            _ => Self::From30,
        }
    }

    /// The band of a person born on `birth`, on date `on`; `None` if `on` is before the
    /// birth (a data error the caller should show, not hide).
    pub fn of(birth: NaiveDate, on: NaiveDate) -> Option<Self> {
        age_on(birth, on).map(Self::from_age)
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AgeBand {
    type Err = UnknownPersonValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "age band", s)
    }
}

/// Completed years of age on `on`: the age goes up on the birthday. Someone born on
/// 29 February has the birthday on 1 March in common years (the day after 28 February),
/// because 28 February would make them a year older a day early. `None` before birth.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth {
        return None;
    }
    let years = on.year() - birth.year();
    let had_birthday = (on.month(), on.day()) >= (birth.month(), birth.day());
    u32::try_from(if had_birthday { years } else { years - 1 }).ok()
}

/// Services that reach a person with a management record. Every kind counts for target
/// T5 (DOMAIN.md §5: counselling, treatment, substitution therapy, rehab in any form,
/// vocational training, reintegration support).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Tư vấn.
    Counselling,
    /// Điều trị y tế, tâm lý: medical or psychological treatment.
    Treatment,
    /// Điều trị bằng thuốc thay thế (methadone).
    SubstitutionTherapy,
    /// Cai nghiện, any form.
    Rehab,
    /// Dạy nghề.
    VocationalTraining,
    /// Hỗ trợ tái hòa nhập cộng đồng.
    ReintegrationSupport,
}

impl ServiceKind {
    /// Every kind.
    pub const ALL: [ServiceKind; 6] = [
        Self::Counselling,
        Self::Treatment,
        Self::SubstitutionTherapy,
        Self::Rehab,
        Self::VocationalTraining,
        Self::ReintegrationSupport,
    ];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Counselling => "counselling",
            Self::Treatment => "treatment",
            Self::SubstitutionTherapy => "substitution_therapy",
            Self::Rehab => "rehab",
            Self::VocationalTraining => "vocational_training",
            Self::ReintegrationSupport => "reintegration_support",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Counselling => "Tư vấn",
            Self::Treatment => "Điều trị y tế, tâm lý",
            Self::SubstitutionTherapy => "Điều trị bằng thuốc thay thế",
            Self::Rehab => "Cai nghiện",
            Self::VocationalTraining => "Dạy nghề",
            Self::ReintegrationSupport => "Hỗ trợ tái hòa nhập cộng đồng",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Counselling => "Counselling",
            Self::Treatment => "Medical or psychological treatment",
            Self::SubstitutionTherapy => "Substitution therapy",
            Self::Rehab => "Rehab",
            Self::VocationalTraining => "Vocational training",
            Self::ReintegrationSupport => "Reintegration support",
        }
    }

    /// Whether a person reached by this service counts as reached for target T5: true for
    /// every kind today; kept as a function so that a plan with a narrower list changes
    /// one place.
    pub fn counts_for_t5(self) -> bool {
        true
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ServiceKind {
    type Err = UnknownPersonValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "service kind", s)
    }
}
