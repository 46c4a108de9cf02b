//! The two legal regimes for managing users and addicts, the measures (episodes) a
//! person goes through, and how long each lasts under each regime. The regime follows the
//! date of the decision, so a record opened under Law 73/2021 keeps its terms after the
//! 2025 law takes effect, and both regimes stay in the code.

use super::{UnknownPersonValue, parse_stored};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The first day of Law 120/2025/QH15: decisions dated from 1/7/2026 fall under it.
pub const LAW_120_2025_IN_FORCE: NaiveDate = match NaiveDate::from_ymd_opt(2026, 7, 1) {
    Some(d) => d,
    None => panic!("2026-07-01 is a valid date"),
};

/// The law whose terms apply to a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Regime {
    /// Luật Phòng, chống ma túy 73/2021/QH14 with ND 105/2021 and ND 116/2021: decisions
    /// dated up to 30/6/2026 inclusive.
    #[serde(rename = "law_73_2021")]
    Law73_2021,
    /// Luật Phòng, chống ma túy 120/2025/QH15: decisions dated from 1/7/2026.
    #[serde(rename = "law_120_2025")]
    Law120_2025,
}

impl Regime {
    /// Both regimes, oldest first.
    pub const ALL: [Regime; 2] = [Self::Law73_2021, Self::Law120_2025];

    /// The regime for a decision dated `date` (a Vietnam calendar date).
    pub fn for_decision(date: NaiveDate) -> Self {
        if date < LAW_120_2025_IN_FORCE { Self::Law73_2021 } else { Self::Law120_2025 }
    }

    /// The regime in force at an instant, by the calendar date in Vietnam (an event at
    /// 30/6/2026 23:30 Vietnam time, 16:30 UTC, is still under Law 73/2021).
    pub fn at(instant: DateTime<Utc>) -> Self {
        Self::for_decision(instant.with_timezone(&crate::time::VIETNAM_OFFSET).date_naive())
    }

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Law73_2021 => "law_73_2021",
            Self::Law120_2025 => "law_120_2025",
        }
    }

    /// The law's number and symbol, as cited.
    pub fn citation(self) -> &'static str {
        match self {
            Self::Law73_2021 => "73/2021/QH14",
            Self::Law120_2025 => "120/2025/QH15",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Law73_2021 => "Luật Phòng, chống ma túy số 73/2021/QH14",
            Self::Law120_2025 => "Luật Phòng, chống ma túy số 120/2025/QH15",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Law73_2021 => "Law on Drug Prevention and Control No. 73/2021/QH14",
            Self::Law120_2025 => "Law on Drug Prevention and Control No. 120/2025/QH15",
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Regime {
    type Err = UnknownPersonValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "legal regime", s)
    }
}

/// A measure a person goes through, with a start and (usually) an end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeKind {
    /// Quản lý người sử dụng trái phép chất ma túy: an illegal user under management by
    /// the commune, from the chairman's decision.
    UserManagement,
    /// Xác định tình trạng nghiện: determining addiction (TT 18/2021/TT-BYT: ≥3 of 6
    /// criteria together for ≥1 month or repeatedly within 12 months). An assessment, not
    /// a term: it has no planned end.
    AddictionDetermination,
    /// Cai nghiện tự nguyện tại gia đình, cộng đồng: voluntary rehab at home or in the
    /// community.
    VoluntaryRehabHome,
    /// Cai nghiện tự nguyện tại cơ sở cai nghiện: voluntary rehab at a facility.
    VoluntaryRehabFacility,
    /// Cai nghiện bắt buộc: compulsory rehab (18 and over).
    CompulsoryRehab,
    /// Điều trị nghiện bằng thuốc thay thế (methadone): open-ended.
    SubstitutionTherapy,
    /// Quản lý sau cai nghiện: post-rehab management at the place of residence.
    PostRehabManagement,
}

impl EpisodeKind {
    /// Every kind.
    pub const ALL: [EpisodeKind; 7] = [
        Self::UserManagement,
        Self::AddictionDetermination,
        Self::VoluntaryRehabHome,
        Self::VoluntaryRehabFacility,
        Self::CompulsoryRehab,
        Self::SubstitutionTherapy,
        Self::PostRehabManagement,
    ];

    /// Whether the measure shows the person is an addict (every measure but the
    /// management of an illegal user).
    pub fn marks_addiction(self) -> bool {
        self != Self::UserManagement
    }

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserManagement => "user_management",
            Self::AddictionDetermination => "addiction_determination",
            Self::VoluntaryRehabHome => "voluntary_rehab_home",
            Self::VoluntaryRehabFacility => "voluntary_rehab_facility",
            Self::CompulsoryRehab => "compulsory_rehab",
            Self::SubstitutionTherapy => "substitution_therapy",
            Self::PostRehabManagement => "post_rehab_management",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::UserManagement => "Quản lý người sử dụng trái phép chất ma túy",
            Self::AddictionDetermination => "Xác định tình trạng nghiện ma túy",
            Self::VoluntaryRehabHome => "Cai nghiện tự nguyện tại gia đình, cộng đồng",
            Self::VoluntaryRehabFacility => "Cai nghiện tự nguyện tại cơ sở cai nghiện",
            Self::CompulsoryRehab => "Cai nghiện bắt buộc",
            Self::SubstitutionTherapy => "Điều trị nghiện bằng thuốc thay thế (methadone)",
            Self::PostRehabManagement => "Quản lý sau cai nghiện",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::UserManagement => "Management of an illegal drug user",
            Self::AddictionDetermination => "Addiction determination",
            Self::VoluntaryRehabHome => "Voluntary rehab at home or in the community",
            Self::VoluntaryRehabFacility => "Voluntary rehab at a facility",
            Self::CompulsoryRehab => "Compulsory rehab",
            Self::SubstitutionTherapy => "Substitution therapy (methadone)",
            Self::PostRehabManagement => "Post-rehab management",
        }
    }

    /// Whether this is a form of rehab (cai nghiện), for the rehab-form breakdown.
    pub fn is_rehab(self) -> bool {
        matches!(self, Self::VoluntaryRehabHome | Self::VoluntaryRehabFacility | Self::CompulsoryRehab)
    }
}

impl fmt::Display for EpisodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EpisodeKind {
    type Err = UnknownPersonValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "episode kind", s)
    }
}

/// An inclusive range of whole months; `min == max` is a fixed term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRange {
    /// The shortest term, months.
    pub min: u32,
    /// The longest term, months.
    pub max: u32,
}

impl MonthRange {
    /// A fixed term.
    pub const fn fixed(months: u32) -> Self {
        Self { min: months, max: months }
    }

    /// A term from `min` to `max` months, both included.
    pub const fn between(min: u32, max: u32) -> Self {
        Self { min, max }
    }

    /// Whether `months` is allowed.
    pub fn contains(self, months: u32) -> bool {
        (self.min..=self.max).contains(&months)
    }

    fn text_vi(self) -> String {
        if self.min == self.max {
            format!("đúng {} tháng", self.min)
        } else {
            format!("từ {} đến {} tháng", self.min, self.max)
        }
    }
}

impl fmt::Display for MonthRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "exactly {} months", self.min)
        } else {
            write!(f, "{} to {} months", self.min, self.max)
        }
    }
}

/// The term of one kind of measure under one regime. `None` means no fixed term
/// (substitution therapy is open-ended; an addiction determination is an act).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindDuration {
    /// The term the first time the person gets this measure.
    pub first_time: Option<MonthRange>,
    /// The term for a person who has had it before.
    pub repeat: Option<MonthRange>,
    /// Whether the figure was read in a public legal text; `false` shows "unconfirmed".
    pub confirmed: bool,
}

impl KindDuration {
    const fn same(range: MonthRange, confirmed: bool) -> Self {
        Self { first_time: Some(range), repeat: Some(range), confirmed }
    }

    const OPEN: Self = Self { first_time: None, repeat: None, confirmed: true };

    /// The term that applies.
    pub fn for_repeat(&self, repeat: bool) -> Option<MonthRange> {
        if repeat { self.repeat } else { self.first_time }
    }
}

/// The terms of every measure under one regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegimeDurations {
    /// Managing an illegal user.
    pub user_management: KindDuration,
    /// Addiction determination (no term).
    pub addiction_determination: KindDuration,
    /// Voluntary rehab at home or in the community.
    pub voluntary_rehab_home: KindDuration,
    /// Voluntary rehab at a facility.
    pub voluntary_rehab_facility: KindDuration,
    /// Compulsory rehab.
    pub compulsory_rehab: KindDuration,
    /// Substitution therapy (no term).
    pub substitution_therapy: KindDuration,
    /// Post-rehab management.
    pub post_rehab_management: KindDuration,
}

impl RegimeDurations {
    /// The term of one kind.
    pub fn for_kind(&self, kind: EpisodeKind) -> &KindDuration {
        match kind {
            EpisodeKind::UserManagement => &self.user_management,
            EpisodeKind::AddictionDetermination => &self.addiction_determination,
            EpisodeKind::VoluntaryRehabHome => &self.voluntary_rehab_home,
            EpisodeKind::VoluntaryRehabFacility => &self.voluntary_rehab_facility,
            EpisodeKind::CompulsoryRehab => &self.compulsory_rehab,
            EpisodeKind::SubstitutionTherapy => &self.substitution_therapy,
            EpisodeKind::PostRehabManagement => &self.post_rehab_management,
        }
    }
}

/// The terms of every measure under both regimes: versioned parameters, `Default` being
/// DOMAIN.md §5 read literally.
///
/// Law 73/2021: user management 1 year (12 months, fixed); voluntary rehab at home or at
/// a facility 6 to 12 months (the decision picks the term); compulsory rehab 12 to 24
/// months; no first/repeat distinction. Law 120/2025: user management 1 year; voluntary
/// rehab (home or facility) and compulsory rehab 24 months the first time and 36 months
/// for a repeat, each read as a fixed term because the table gives one figure (if the
/// final text turns out to make it a maximum, lower `min`). Both: substitution therapy
/// open-ended, addiction determination without a term, post-rehab management 1 year —
/// the last unconfirmed in both regimes (DOMAIN.md marks it a parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurationRules {
    /// Terms for decisions up to 30/6/2026.
    pub law_73_2021: RegimeDurations,
    /// Terms for decisions from 1/7/2026.
    pub law_120_2025: RegimeDurations,
}

impl Default for DurationRules {
    fn default() -> Self {
        let year = KindDuration::same(MonthRange::fixed(12), true);
        let post_rehab = KindDuration::same(MonthRange::fixed(12), false);
        let old_voluntary = KindDuration::same(MonthRange::between(6, 12), true);
        let new_rehab = KindDuration {
            first_time: Some(MonthRange::fixed(24)),
            repeat: Some(MonthRange::fixed(36)),
            confirmed: true,
        };
        Self {
            law_73_2021: RegimeDurations {
                user_management: year,
                addiction_determination: KindDuration::OPEN,
                voluntary_rehab_home: old_voluntary,
                voluntary_rehab_facility: old_voluntary,
                compulsory_rehab: KindDuration::same(MonthRange::between(12, 24), true),
                substitution_therapy: KindDuration::OPEN,
                post_rehab_management: post_rehab,
            },
            law_120_2025: RegimeDurations {
                user_management: year,
                addiction_determination: KindDuration::OPEN,
                voluntary_rehab_home: new_rehab,
                voluntary_rehab_facility: new_rehab,
                compulsory_rehab: new_rehab,
                substitution_therapy: KindDuration::OPEN,
                post_rehab_management: post_rehab,
            },
        }
    }
}

impl DurationRules {
    /// The terms of one regime.
    pub fn for_regime(&self, regime: Regime) -> &RegimeDurations {
        match regime {
            Regime::Law73_2021 => &self.law_73_2021,
            Regime::Law120_2025 => &self.law_120_2025,
        }
    }

    /// The allowed term of a measure; `None` when it has no fixed term.
    pub fn term(&self, kind: EpisodeKind, regime: Regime, repeat: bool) -> Option<MonthRange> {
        self.for_regime(regime).for_kind(kind).for_repeat(repeat)
    }

    /// The planned end of a measure starting on `start` under `regime`: `start` plus the
    /// term in months, clamped to the end of a shorter month. The end is the first day the
    /// measure no longer runs, so a following measure may start on it. `Ok(None)` for a
    /// measure without a term (then `chosen_months` must be `None`).
    ///
    /// `chosen_months` is the term the decision fixed; it may be left out only when the
    /// regime allows a single figure. `repeat` selects the repeat term under Law 120/2025.
    pub fn planned_end(
        &self,
        kind: EpisodeKind,
        start: NaiveDate,
        regime: Regime,
        repeat: bool,
        chosen_months: Option<u32>,
    ) -> Result<Option<NaiveDate>, EpisodeError> {
        let Some(range) = self.term(kind, regime, repeat) else {
            return match chosen_months {
                None => Ok(None),
                Some(chosen) => Err(EpisodeError::NoTerm { kind, regime, chosen }),
            };
        };
        let months = match chosen_months {
            Some(m) if range.contains(m) => m,
            Some(chosen) => {
                return Err(EpisodeError::TermOutOfRange { kind, regime, repeat, chosen, allowed: range });
            }
            None if range.min == range.max => range.min,
            None => {
                return Err(EpisodeError::TermRequired { kind, regime, allowed: range });
            }
        };
        start
            .checked_add_months(Months::new(months))
            .map(Some)
            .ok_or(EpisodeError::DateOutOfRange { start, months })
    }
}

/// One measure in a person's record, as the overlap check needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeSpan {
    /// Which measure.
    pub kind: EpisodeKind,
    /// The first day it runs.
    pub start: NaiveDate,
    /// The first day it no longer runs (actual or planned); `None` while open-ended.
    pub end: Option<NaiveDate>,
}

impl EpisodeSpan {
    fn overlaps(&self, other: &EpisodeSpan) -> bool {
        // Half-open spans [start, end): touching ends do not overlap.
        let self_before_other_ends = other.end.is_none_or(|e| self.start < e);
        let other_before_self_ends = self.end.is_none_or(|e| other.start < e);
        self_before_other_ends && other_before_self_ends
    }
}

/// Why a measure's dates or term were refused. `Display` is English;
/// [`EpisodeError::message_vi`] is the Vietnamese text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpisodeError {
    /// A term was given for a measure that has none.
    #[error("{} has no fixed term under Law {} ({chosen} months given): leave the term empty", kind.label_en(), regime.citation())]
    NoTerm {
        /// The measure.
        kind: EpisodeKind,
        /// The regime.
        regime: Regime,
        /// The term given.
        chosen: u32,
    },
    /// The regime allows a range and the decision did not pick a term.
    #[error("{} under Law {} needs a term: choose {allowed}", kind.label_en(), regime.citation())]
    TermRequired {
        /// The measure.
        kind: EpisodeKind,
        /// The regime.
        regime: Regime,
        /// What may be chosen.
        allowed: MonthRange,
    },
    /// The term is outside what the regime allows.
    #[error("a term of {chosen} months is not allowed for {}{} under Law {}: allowed is {allowed}", kind.label_en(), if *repeat { " (repeat)" } else { "" }, regime.citation())]
    TermOutOfRange {
        /// The measure.
        kind: EpisodeKind,
        /// The regime.
        regime: Regime,
        /// Whether the repeat term applied.
        repeat: bool,
        /// The term given.
        chosen: u32,
        /// What may be chosen.
        allowed: MonthRange,
    },
    /// The end would fall outside the calendar.
    #[error("{start} plus {months} months is outside the supported calendar")]
    DateOutOfRange {
        /// The start.
        start: NaiveDate,
        /// The term.
        months: u32,
    },
    /// The end is not after the start.
    #[error("the end ({end}) must be after the start ({start})")]
    EndNotAfterStart {
        /// The start.
        start: NaiveDate,
        /// The end given.
        end: NaiveDate,
    },
    /// Another measure of the same kind runs at the same time.
    #[error("{} from {new_start} overlaps one of the same kind from {existing_start} ({}): only one at a time", kind.label_en(), match existing_end { Some(e) => format!("until {e}"), None => "still open".to_owned() })]
    Overlap {
        /// The measure.
        kind: EpisodeKind,
        /// Start of the existing one.
        existing_start: NaiveDate,
        /// End of the existing one, `None` if open.
        existing_end: Option<NaiveDate>,
        /// Start of the new one.
        new_start: NaiveDate,
    },
}

impl EpisodeError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        use crate::time::format_date as fd;
        match self {
            Self::NoTerm { kind, regime, .. } => format!(
                "Biện pháp «{}» không có thời hạn cố định theo Luật số {}: để trống thời hạn.",
                kind.label_vi(),
                regime.citation()
            ),
            Self::TermRequired { kind, regime, allowed } => format!(
                "Cần chọn thời hạn cho biện pháp «{}» theo Luật số {}: {}.",
                kind.label_vi(),
                regime.citation(),
                allowed.text_vi()
            ),
            Self::TermOutOfRange { kind, regime, repeat, chosen, allowed } => format!(
                "Thời hạn {chosen} tháng không hợp lệ cho biện pháp «{}»{} theo Luật số {}: chỉ được {}.",
                kind.label_vi(),
                if *repeat { " (lần thứ hai trở lên)" } else { "" },
                regime.citation(),
                allowed.text_vi()
            ),
            Self::DateOutOfRange { start, months } => {
                format!("Ngày {} cộng {months} tháng vượt ngoài phạm vi lịch được hỗ trợ.", fd(*start))
            }
            Self::EndNotAfterStart { start, end } => {
                format!("Ngày kết thúc ({}) phải sau ngày bắt đầu ({}).", fd(*end), fd(*start))
            }
            Self::Overlap { kind, existing_start, existing_end, new_start } => format!(
                "Biện pháp «{}» từ ngày {} trùng thời gian với biện pháp cùng loại từ ngày {} ({}): mỗi lúc chỉ được một.",
                kind.label_vi(),
                fd(*new_start),
                fd(*existing_start),
                match existing_end {
                    Some(e) => format!("đến ngày {}", fd(*e)),
                    None => "chưa kết thúc".to_owned(),
                }
            ),
        }
    }
}

/// Checks a new measure against a person's existing ones: its end must be after its
/// start, and it must not overlap an existing measure of the same kind. Spans are
/// half-open (the end day is free), an open end runs forever. Measures of different kinds
/// may overlap (substitution therapy during post-rehab management, for instance).
pub fn check_no_overlap(existing: &[EpisodeSpan], new: &EpisodeSpan) -> Result<(), EpisodeError> {
    if let Some(end) = new.end
        && end <= new.start
    {
        return Err(EpisodeError::EndNotAfterStart { start: new.start, end });
    }
    match existing.iter().find(|e| e.kind == new.kind && e.overlaps(new)) {
        Some(e) => Err(EpisodeError::Overlap {
            kind: new.kind,
            existing_start: e.start,
            existing_end: e.end,
            new_start: new.start,
        }),
        None => Ok(()),
    }
}
