//! The transformation of key drug areas (chuyển hóa địa bàn trọng điểm, phức tạp về ma
//! túy): an area is selected by decision, gets a plan with a fixed window, is evaluated
//! against the province's checklist, is recognised as transformed or not, and a
//! transformed area is then watched for relapse (tái phức tạp). This module owns that
//! lifecycle, the province's checklist as versioned data, and the figures behind plan
//! targets T3 and T4.

mod checklist;
mod figures;
#[cfg(test)]
mod tests;

pub use checklist::{
    Answer, Checklist, ChecklistError, ChecklistItem, Evaluation, EvaluationResult, evaluate,
};
pub use figures::{AreaHistory, AreaHistoryError, T3T4, transformation_figures};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A stored name that does not belong to the enumeration it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}': expected one of {allowed}")]
pub struct UnknownAreaValue {
    /// What was being parsed.
    pub what: &'static str,
    /// The text that did not match.
    pub value: String,
    /// The accepted names, comma-separated.
    pub allowed: String,
}

/// Where an area stands in the transformation programme.
///
/// ```text
/// selected ──> planned ──> in_progress ──> evaluated ─┬─> transformed ──> monitoring ─┬─> sustained
///                               ^                     │                               └─> relapsed
///                               └── not_transformed <─┘
/// ```
///
/// An area not transformed goes back to work for a new round (`not_transformed →
/// in_progress`; the revised plan is the evidence of that step). `sustained` and
/// `relapsed` are final: a relapsed area that is selected again starts a new programme
/// record, so that the first round still counts as it ended in T3 and T4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaState {
    /// Được lựa chọn chuyển hóa: selected by decision.
    Selected,
    /// Đã có kế hoạch: a plan with measures, responsible units and a window.
    Planned,
    /// Đang thực hiện chuyển hóa: the plan is being carried out.
    InProgress,
    /// Đã đánh giá: evaluated against the checklist, awaiting recognition.
    Evaluated,
    /// Được công nhận đã chuyển hóa: recognised as transformed.
    Transformed,
    /// Chưa đạt chuyển hóa: evaluated and not recognised.
    NotTransformed,
    /// Đang theo dõi không tái phức tạp: inside the non-relapse window.
    Monitoring,
    /// Duy trì bền vững: the window passed without relapse. Final.
    Sustained,
    /// Tái phức tạp: the situation became complex again. Final.
    Relapsed,
}

impl AreaState {
    /// Every state, in lifecycle order.
    pub const ALL: [AreaState; 9] = [
        Self::Selected,
        Self::Planned,
        Self::InProgress,
        Self::Evaluated,
        Self::Transformed,
        Self::NotTransformed,
        Self::Monitoring,
        Self::Sustained,
        Self::Relapsed,
    ];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Selected => "selected",
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Evaluated => "evaluated",
            Self::Transformed => "transformed",
            Self::NotTransformed => "not_transformed",
            Self::Monitoring => "monitoring",
            Self::Sustained => "sustained",
            Self::Relapsed => "relapsed",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Selected => "Được lựa chọn chuyển hóa",
            Self::Planned => "Đã có kế hoạch chuyển hóa",
            Self::InProgress => "Đang thực hiện chuyển hóa",
            Self::Evaluated => "Đã đánh giá",
            Self::Transformed => "Được công nhận đã chuyển hóa",
            Self::NotTransformed => "Chưa đạt chuyển hóa",
            Self::Monitoring => "Đang theo dõi không tái phức tạp",
            Self::Sustained => "Duy trì bền vững",
            Self::Relapsed => "Tái phức tạp",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Selected => "Selected",
            Self::Planned => "Planned",
            Self::InProgress => "In progress",
            Self::Evaluated => "Evaluated",
            Self::Transformed => "Transformed",
            Self::NotTransformed => "Not transformed",
            Self::Monitoring => "Monitoring for relapse",
            Self::Sustained => "Sustained",
            Self::Relapsed => "Relapsed",
        }
    }

    /// The states an area in this state may move to next; empty for final states.
    pub fn allowed_next(self) -> &'static [AreaState] {
        use AreaState::*;
        match self {
            Selected => &[Planned],
            Planned => &[InProgress],
            InProgress => &[Evaluated],
            Evaluated => &[Transformed, NotTransformed],
            NotTransformed => &[InProgress],
            Transformed => &[Monitoring],
            Monitoring => &[Sustained, Relapsed],
            Sustained | Relapsed => &[],
        }
    }

    /// Whether no transition leaves this state.
    pub fn is_final(self) -> bool {
        self.allowed_next().is_empty()
    }
}

impl fmt::Display for AreaState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AreaState {
    type Err = UnknownAreaValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownAreaValue {
            what: "area state",
            value: s.to_owned(),
            allowed: Self::ALL.map(Self::as_str).join(", "),
        })
    }
}

/// A state change the programme does not allow. `Display` is English;
/// [`TransitionError::message_vi`] is Vietnamese. Both list the allowed targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub struct TransitionError {
    /// The state the area is in.
    pub from: AreaState,
    /// The state asked for.
    pub to: AreaState,
}

impl TransitionError {
    /// The states that would have been accepted.
    pub fn allowed(&self) -> &'static [AreaState] {
        self.from.allowed_next()
    }

    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        let allowed = self.allowed();
        if allowed.is_empty() {
            return format!(
                "Không thể chuyển địa bàn sang trạng thái «{}»: «{}» là trạng thái cuối cùng.",
                self.to.label_vi(),
                self.from.label_vi()
            );
        }
        let list: Vec<String> = allowed.iter().map(|s| format!("«{}»", s.label_vi())).collect();
        format!(
            "Không thể chuyển địa bàn từ trạng thái «{}» sang «{}»; chỉ được chuyển sang: {}.",
            self.from.label_vi(),
            self.to.label_vi(),
            list.join(", ")
        )
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed = self.allowed();
        if allowed.is_empty() {
            return write!(f, "an area cannot move to '{}': '{}' is a final state", self.to, self.from);
        }
        let list: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        write!(
            f,
            "an area cannot move from '{}' to '{}': allowed next states are {}",
            self.from,
            self.to,
            list.join(", ")
        )
    }
}

/// Checks one step of the programme. Staying in the same state is refused too.
pub fn transition(from: AreaState, to: AreaState) -> Result<(), TransitionError> {
    if from.allowed_next().contains(&to) { Ok(()) } else { Err(TransitionError { from, to }) }
}

/// The province's settings for transformation; DOMAIN.md marks the monitoring period
/// a parameter, and the review interval is a working choice (a quarterly review, in step
/// with quarterly reporting). The programme period bounds the decisions the programme
/// records: by default from the date of KH 3220/KH-UBND (25/9/2023) to the end of 2030,
/// the horizon of the national targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AreaParams {
    /// How long a transformed area is watched for relapse (default 12 months).
    pub monitoring_months: u32,
    /// How often it is reviewed during that window (default every 3 months).
    pub review_interval_months: u32,
    /// The first day a selection decision may be dated.
    pub programme_from: NaiveDate,
    /// The last day a decision of the programme may be dated.
    pub programme_to: NaiveDate,
}

impl Default for AreaParams {
    fn default() -> Self {
        Self {
            monitoring_months: 12,
            review_interval_months: 3,
            programme_from: NaiveDate::from_ymd_opt(2023, 9, 25).unwrap_or(NaiveDate::MIN),
            programme_to: NaiveDate::from_ymd_opt(2030, 12, 31).unwrap_or(NaiveDate::MAX),
        }
    }
}

/// A setting in [`AreaParams`] that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaParamsError {
    /// Zero months.
    #[error("{field} must be at least 1 month, got 0")]
    ZeroMonths {
        /// The offending field.
        field: &'static str,
    },
    /// No review would fall inside the window.
    #[error("review_interval_months ({interval}) must not exceed monitoring_months ({window})")]
    IntervalLongerThanWindow {
        /// The interval.
        interval: u32,
        /// The window.
        window: u32,
    },
    /// The programme ends before it starts.
    #[error("programme_to ({to}) is before programme_from ({from})")]
    PeriodReversed {
        /// The first day.
        from: NaiveDate,
        /// The last day.
        to: NaiveDate,
    },
}

impl AreaParamsError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::ZeroMonths { field } => format!("Tham số {field} phải từ 1 tháng trở lên."),
            Self::IntervalLongerThanWindow { interval, window } => format!(
                "Chu kỳ rà soát ({interval} tháng) không được dài hơn thời gian theo dõi ({window} tháng)."
            ),
            Self::PeriodReversed { from, to } => format!(
                "Ngày kết thúc chương trình ({}) trước ngày bắt đầu ({}).",
                crate::time::format_date(*to),
                crate::time::format_date(*from)
            ),
        }
    }
}

impl AreaParams {
    /// Checks that the settings make sense together.
    pub fn validate(&self) -> Result<(), AreaParamsError> {
        if self.monitoring_months == 0 {
            return Err(AreaParamsError::ZeroMonths { field: "monitoring_months" });
        }
        if self.review_interval_months == 0 {
            return Err(AreaParamsError::ZeroMonths { field: "review_interval_months" });
        }
        if self.review_interval_months > self.monitoring_months {
            return Err(AreaParamsError::IntervalLongerThanWindow {
                interval: self.review_interval_months,
                window: self.monitoring_months,
            });
        }
        if self.programme_to < self.programme_from {
            return Err(AreaParamsError::PeriodReversed { from: self.programme_from, to: self.programme_to });
        }
        Ok(())
    }

    /// Whether a decision dated `d` falls within the programme period (both ends count).
    pub fn in_programme(&self, d: NaiveDate) -> bool {
        self.programme_from <= d && d <= self.programme_to
    }

    /// The last day of the non-relapse window of an area recognised as transformed on
    /// `transformed_on`: that date plus the window, clamped to a shorter month's end.
    pub fn window_end(&self, transformed_on: NaiveDate) -> Option<NaiveDate> {
        transformed_on.checked_add_months(Months::new(self.monitoring_months))
    }

    /// The due dates of the reviews during the window, each counted from the
    /// recognition date (so clamping does not drift), the last on the window's end even
    /// when the interval does not divide it. An interval of 0 gives none.
    pub fn review_schedule(&self, transformed_on: NaiveDate) -> Vec<NaiveDate> {
        let (window, interval) = (self.monitoring_months, self.review_interval_months);
        let mut due = Vec::new();
        if interval == 0 {
            return due;
        }
        let mut months = interval;
        while months <= window {
            match transformed_on.checked_add_months(Months::new(months)) {
                Some(d) => due.push(d),
                None => return due,
            }
            months += interval;
        }
        if window % interval != 0
            && let Some(end) = self.window_end(transformed_on)
        {
            due.push(end);
        }
        due
    }
}
