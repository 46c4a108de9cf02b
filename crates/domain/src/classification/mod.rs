//! The yearly classification of communes by drug situation (phân loại địa bàn xã về ma
//! túy): type I, II, III, "has drugs", or drug-free, under the criteria version in force
//! for the statistical year. A result records the version, the inputs, and for every
//! criterion its value, threshold, outcome and an explanation in both languages, so a
//! classification can be re-read years later. Thresholds are versioned parameters; the
//! ones no public text confirms carry `confirmed: false`, which the UI shows.
//!
//! Missing inputs are never guessed: a criterion whose input is missing is undecided
//! (`met: None`). A class is still given when the undecided criteria cannot change it —
//! three type I criteria met decide type I whatever the fourth says; a type I criterion
//! that could still tip the balance makes the commune not classifiable. Classes are tried
//! from the highest down, so type II is decided only once type I is ruled out.

mod measure;
mod qd28;
mod qd3122;
#[cfg(test)]
mod tests;

pub use measure::{input_label_en, input_label_vi};
pub use qd28::{Qd28Band, Qd28Thresholds};
pub use qd3122::{Qd3122Band, Qd3122Thresholds};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A stored name that does not belong to the enumeration it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}': expected one of {allowed}")]
pub struct UnknownClassificationValue {
    /// What was being parsed.
    pub what: &'static str,
    /// The text that did not match.
    pub value: String,
    /// The accepted names, comma-separated.
    pub allowed: String,
}

fn parse_stored<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    what: &'static str,
    s: &str,
) -> Result<T, UnknownClassificationValue> {
    all.iter().copied().find(|v| name(*v) == s).ok_or_else(|| UnknownClassificationValue {
        what,
        value: s.to_owned(),
        allowed: all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", "),
    })
}

/// The set of criteria applied. Ordered as counted: QĐ 28/2025 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CriteriaVersion {
    /// QĐ 28/2025/QĐ-TTg (24/8/2025): rates per resident population, "at least 3 of".
    #[serde(rename = "qd28_2025")]
    Qd28_2025,
    /// QĐ 3122/2010/QĐ-BCA (9/8/2010): absolute counts, "any one of".
    #[serde(rename = "qd3122_2010")]
    Qd3122_2010,
}

impl CriteriaVersion {
    /// Both versions, newest first.
    pub const ALL: [CriteriaVersion; 2] = [Self::Qd28_2025, Self::Qd3122_2010];

    /// The default version for a statistical year: QĐ 28/2025 for 2025 and later (the
    /// decision was signed in August 2025 and the year's classification is made at its
    /// end), QĐ 3122/2010 before. A caller may apply another version explicitly, for
    /// instance to compare 2025 under both.
    pub fn for_year(statistical_year: i32) -> Self {
        if statistical_year >= 2025 { Self::Qd28_2025 } else { Self::Qd3122_2010 }
    }

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Qd28_2025 => "qd28_2025",
            Self::Qd3122_2010 => "qd3122_2010",
        }
    }

    /// The Vietnamese label (the decision's number and symbol).
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Qd28_2025 => "Quyết định 28/2025/QĐ-TTg",
            Self::Qd3122_2010 => "Quyết định 3122/2010/QĐ-BCA",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Qd28_2025 => "Decision 28/2025/QĐ-TTg",
            Self::Qd3122_2010 => "Decision 3122/2010/QĐ-BCA",
        }
    }
}

impl fmt::Display for CriteriaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CriteriaVersion {
    type Err = UnknownClassificationValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "criteria version", s)
    }
}

/// The outcome of a classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommuneClass {
    /// Địa bàn trọng điểm phức tạp về ma túy loại I.
    #[serde(rename = "type_1")]
    Type1,
    /// Loại II.
    #[serde(rename = "type_2")]
    Type2,
    /// Loại III.
    #[serde(rename = "type_3")]
    Type3,
    /// Có tệ nạn ma túy: some drug problem, below type III, not drug-free (provinces
    /// report this group separately from the drug-free communes).
    HasDrugs,
    /// Địa bàn không ma túy: the drug-free criteria hold.
    DrugFree,
    /// Missing inputs leave the class open; `missing_inputs` says which.
    NotClassifiable,
}

impl CommuneClass {
    /// Every class, most serious first.
    pub const ALL: [CommuneClass; 6] =
        [Self::Type1, Self::Type2, Self::Type3, Self::HasDrugs, Self::DrugFree, Self::NotClassifiable];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Type1 => "type_1",
            Self::Type2 => "type_2",
            Self::Type3 => "type_3",
            Self::HasDrugs => "has_drugs",
            Self::DrugFree => "drug_free",
            Self::NotClassifiable => "not_classifiable",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Type1 => "Địa bàn trọng điểm phức tạp về ma túy loại I",
            Self::Type2 => "Địa bàn trọng điểm phức tạp về ma túy loại II",
            Self::Type3 => "Địa bàn trọng điểm phức tạp về ma túy loại III",
            Self::HasDrugs => "Có tệ nạn ma túy (chưa đến mức loại III)",
            Self::DrugFree => "Địa bàn không ma túy",
            Self::NotClassifiable => "Chưa đủ số liệu để phân loại",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Type1 => "Key drug area, type I",
            Self::Type2 => "Key drug area, type II",
            Self::Type3 => "Key drug area, type III",
            Self::HasDrugs => "Has drug problems (below type III)",
            Self::DrugFree => "Drug-free",
            Self::NotClassifiable => "Not classifiable (missing inputs)",
        }
    }
}

impl fmt::Display for CommuneClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CommuneClass {
    type Err = UnknownClassificationValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "commune class", s)
    }
}

/// The band a criterion belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Type I criteria.
    #[serde(rename = "type_1")]
    Type1,
    /// Type II criteria.
    #[serde(rename = "type_2")]
    Type2,
    /// Type III (lowest band) criteria.
    #[serde(rename = "type_3")]
    Type3,
    /// Drug-free criteria.
    DrugFree,
}

impl Band {
    /// Every band.
    pub const ALL: [Band; 4] = [Self::Type1, Self::Type2, Self::Type3, Self::DrugFree];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Type1 => "type_1",
            Self::Type2 => "type_2",
            Self::Type3 => "type_3",
            Self::DrugFree => "drug_free",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Type1 => "Loại I",
            Self::Type2 => "Loại II",
            Self::Type3 => "Loại III",
            Self::DrugFree => "Không ma túy",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Type1 => "Type I",
            Self::Type2 => "Type II",
            Self::Type3 => "Type III",
            Self::DrugFree => "Drug-free",
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Band {
    type Err = UnknownClassificationValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "criteria band", s)
    }
}

/// A threshold: how a value compares to a limit. Rates are in percent of residents
/// (0.5 means 0.5%), areas in m², the rest are counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "value", rename_all = "snake_case")]
pub enum Bound {
    /// value ≥ limit (how the decisions word their thresholds).
    AtLeast(f64),
    /// value > limit.
    MoreThan(f64),
    /// value ≤ limit (the drug-free criteria).
    AtMost(f64),
}

impl Bound {
    /// Whether `value` satisfies the bound. Rates are computed as one division of exact
    /// integers, so a rate exactly at the limit compares equal to it.
    pub fn holds(self, value: f64) -> bool {
        match self {
            Self::AtLeast(l) => value >= l,
            Self::MoreThan(l) => value > l,
            Self::AtMost(l) => value <= l,
        }
    }

    /// The limit.
    pub fn limit(self) -> f64 {
        match self {
            Self::AtLeast(l) | Self::MoreThan(l) | Self::AtMost(l) => l,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Self::AtLeast(_) => "≥",
            Self::MoreThan(_) => ">",
            Self::AtMost(_) => "≤",
        }
    }
}

/// A parameter value with whether a public text confirms it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Param<T> {
    /// The value in force.
    pub value: T,
    /// `true` when read in the decision itself; `false` for a default chosen here, which
    /// the UI marks "unconfirmed" until the province sets it.
    pub confirmed: bool,
}

impl<T> Param<T> {
    /// A value read in the decision.
    pub const fn confirmed(value: T) -> Self {
        Self { value, confirmed: true }
    }

    /// A default no public text confirms.
    pub const fn unconfirmed(value: T) -> Self {
        Self { value, confirmed: false }
    }
}

/// The figures of one commune for one statistical year. Every field may be missing;
/// each criterion says which ones it needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClassificationInputs {
    /// Resident population (dân số đang cư trú), the base of every rate.
    pub population: Option<i64>,
    /// Addicts plus illegal users with management records (QĐ 28 (a), drug-free).
    pub persons_with_records: Option<i64>,
    /// Places where illegal drug use is organised or harboured (QĐ 28 (b)).
    pub places_organising_use: Option<i64>,
    /// Drug offenders arrested in the commune (QĐ 28 (c), drug-free).
    pub offenders_arrested: Option<i64>,
    /// Drug plants found and destroyed, number (QĐ 28 (d)).
    pub drug_plants_count: Option<i64>,
    /// Drug plants found and destroyed, area in m² (QĐ 28 (d), QĐ 3122).
    pub drug_plants_area_m2: Option<f64>,
    /// Whether the commune lies on a key drug route (QĐ 28 (đ)).
    pub on_key_route: Option<bool>,
    /// Addicts with management records (QĐ 3122).
    pub addicts_with_records: Option<i64>,
    /// Drug clusters, tụ điểm (QĐ 3122).
    pub clusters: Option<i64>,
}

/// What must hold for a commune to be drug-free: each configured figure within its
/// bound (normally `AtMost(0)`); `None` leaves a figure out. With nothing configured no
/// commune is drug-free, rather than every one.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DrugFreeCriteria {
    /// Addicts and illegal users with records.
    pub persons_with_records: Option<Param<Bound>>,
    /// Addicts with records.
    pub addicts_with_records: Option<Param<Bound>>,
    /// Drug offenders arrested.
    pub offenders_arrested: Option<Param<Bound>>,
    /// Places organising or harbouring use.
    pub places_organising_use: Option<Param<Bound>>,
    /// Drug clusters.
    pub clusters: Option<Param<Bound>>,
    /// Drug plants, number.
    pub drug_plants_count: Option<Param<Bound>>,
    /// Drug plants, m².
    pub drug_plants_area_m2: Option<Param<Bound>>,
}

/// The thresholds of both versions; `Default` is DOMAIN.md's confirmed values plus the
/// defaults chosen here for the rest (see each version's `Default`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// QĐ 28/2025/QĐ-TTg.
    pub qd28: Qd28Thresholds,
    /// QĐ 3122/2010/QĐ-BCA.
    pub qd3122: Qd3122Thresholds,
}

impl Thresholds {
    /// Every criterion of a version with its threshold and whether it is confirmed, for
    /// the UI to list and mark "unconfirmed".
    pub fn criteria(&self, version: CriteriaVersion) -> Vec<CriterionMeta> {
        match version {
            CriteriaVersion::Qd28_2025 => self.qd28.criteria(),
            CriteriaVersion::Qd3122_2010 => self.qd3122.criteria(),
        }
    }
}

/// One criterion of a version, as configured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionMeta {
    /// "a" … "đ" for QĐ 28; a short name for QĐ 3122 and the drug-free criteria.
    pub id: &'static str,
    /// Its band.
    pub band: Band,
    /// The threshold, language-neutral ("≥ 0.5%", "≥ 3,000 | ≥ 750 m²").
    pub threshold: String,
    /// Whether every number in it is confirmed.
    pub confirmed: bool,
    /// What it measures, Vietnamese.
    pub description_vi: String,
    /// What it measures, English.
    pub description_en: String,
}

/// One criterion evaluated on one commune.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionResult {
    /// As in [`CriterionMeta::id`].
    pub id: &'static str,
    /// Its band.
    pub band: Band,
    /// `Some(true)` met, `Some(false)` not met, `None` undecided for missing inputs.
    pub met: Option<bool>,
    /// The measured value, language-neutral; "?" where an input is missing.
    pub value: String,
    /// The threshold, language-neutral.
    pub threshold: String,
    /// Whether every number in the threshold is confirmed.
    pub confirmed: bool,
    /// The inputs whose absence left it undecided (empty when decided).
    pub missing_inputs: Vec<&'static str>,
    /// The reasoning in Vietnamese.
    pub explanation_vi: String,
    /// The reasoning in English.
    pub explanation_en: String,
}

/// A commune's classification for a year, with everything needed to re-read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// The criteria version applied.
    pub version: CriteriaVersion,
    /// The outcome.
    pub class: CommuneClass,
    /// Every criterion of every band, in band order: type I, II, III, drug-free.
    pub criteria: Vec<CriterionResult>,
    /// The inputs whose absence left at least one criterion undecided, in first-seen
    /// order, without repeats. Not empty does not mean not classifiable: the class may be
    /// decided regardless.
    pub missing_inputs: Vec<&'static str>,
    /// The inputs as given.
    pub inputs: ClassificationInputs,
}

/// Inputs or thresholds that cannot be classified on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClassificationError {
    /// A count or area below zero.
    #[error("{input} cannot be negative, got {value}")]
    Negative {
        /// The input's field name.
        input: &'static str,
        /// The value given.
        value: f64,
    },
    /// An area that is not a number.
    #[error("{input} must be a number, got {value}")]
    NotFinite {
        /// The input's field name.
        input: &'static str,
        /// The value given.
        value: f64,
    },
    /// A population of zero would divide by zero: leave it missing instead.
    #[error("population must be positive, got {0}: leave it empty when unknown")]
    PopulationNotPositive(i64),
    /// A band needs at least one criterion met to mean anything.
    #[error("{version} {band}: the number of criteria to meet must be between 1 and {available}, got {min}")]
    BadMinCriteria {
        /// The version.
        version: CriteriaVersion,
        /// The band.
        band: Band,
        /// The configured minimum.
        min: u32,
        /// How many criteria the band has.
        available: u32,
    },
    /// A threshold that is not a number.
    #[error("{version} {band} criterion ({id}): the threshold must be a number, got {value}")]
    BadThreshold {
        /// The version.
        version: CriteriaVersion,
        /// The band.
        band: Band,
        /// The criterion.
        id: &'static str,
        /// The value configured.
        value: f64,
    },
}

impl ClassificationError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Negative { input, value } => format!(
                "Số liệu «{}» không được âm; đã nhập {value}.",
                input_label_vi(input).unwrap_or(input)
            ),
            Self::NotFinite { input, value } => {
                format!("Số liệu «{}» phải là số; đã nhập {value}.", input_label_vi(input).unwrap_or(input))
            }
            Self::PopulationNotPositive(v) => {
                format!("Dân số phải lớn hơn 0; đã nhập {v}. Nếu chưa có số liệu, hãy để trống.")
            }
            Self::BadMinCriteria { version, band, min, available } => format!(
                "{} – {}: số tiêu chí phải đạt phải từ 1 đến {available}; đã đặt {min}.",
                version.label_vi(),
                band.label_vi()
            ),
            Self::BadThreshold { version, band, id, value } => format!(
                "{} – {}, tiêu chí ({id}): ngưỡng phải là số; đã đặt {value}.",
                version.label_vi(),
                band.label_vi()
            ),
        }
    }
}

/// Classifies a commune under `version` with `thresholds`. See the module documentation
/// for how missing inputs are treated, and each version's thresholds for its rules.
pub fn classify(
    inputs: &ClassificationInputs,
    version: CriteriaVersion,
    thresholds: &Thresholds,
) -> Result<Classification, ClassificationError> {
    measure::check_inputs(inputs)?;
    let (class, criteria) = match version {
        CriteriaVersion::Qd28_2025 => thresholds.qd28.evaluate(inputs)?,
        CriteriaVersion::Qd3122_2010 => thresholds.qd3122.evaluate(inputs)?,
    };
    let mut missing_inputs: Vec<&'static str> = Vec::new();
    for name in criteria.iter().flat_map(|c| c.missing_inputs.iter()) {
        if !missing_inputs.contains(name) {
            missing_inputs.push(name);
        }
    }
    Ok(Classification { version, class, criteria, missing_inputs, inputs: inputs.clone() })
}

/// Classifies under the default version for the statistical year
/// ([`CriteriaVersion::for_year`]).
pub fn classify_year(
    inputs: &ClassificationInputs,
    statistical_year: i32,
    thresholds: &Thresholds,
) -> Result<Classification, ClassificationError> {
    classify(inputs, CriteriaVersion::for_year(statistical_year), thresholds)
}
