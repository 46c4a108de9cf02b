//! Plans (kế hoạch) as data: who issued a plan, which province owns it today, its period
//! and baseline, and its targets (chỉ tiêu) — an indicator of the catalogue, a comparator
//! and a value, per statistical year or by a deadline (DOMAIN.md §1). The rule that says
//! whether a target is on track, at risk or off track lives here, with its wording, so
//! the dashboard and the reports say the same thing. Tasks (nhiệm vụ) assigned by a plan
//! and the rule that says when one is late are here too; the store keeps them.

use crate::indicator::{IndicatorId, Measure};
use crate::ops_enum::labelled_enum;
use crate::period::{Period, PeriodKind, StatPeriod};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// How a value is compared with its target.
    Comparator, "comparator", [
        /// At least (≥).
        Ge = "ge", "Không thấp hơn", "At least";
        /// More than (>).
        Gt = "gt", "Cao hơn", "More than";
        /// At most (≤).
        Le = "le", "Không cao hơn", "At most";
        /// Less than (<).
        Lt = "lt", "Thấp hơn", "Less than";
    ]
);

impl Comparator {
    /// The mathematical symbol (≥ > ≤ <).
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Ge => "≥",
            Comparator::Gt => ">",
            Comparator::Le => "≤",
            Comparator::Lt => "<",
        }
    }

    /// Whether `value` meets `target` under this comparator.
    pub fn holds(self, value: f64, target: f64) -> bool {
        match self {
            Comparator::Ge => value >= target,
            Comparator::Gt => value > target,
            Comparator::Le => value <= target,
            Comparator::Lt => value < target,
        }
    }

    /// Whether a higher value is better (≥, >).
    pub fn wants_higher(self) -> bool {
        matches!(self, Comparator::Ge | Comparator::Gt)
    }
}

/// A target of a plan: `indicator comparator value`, per statistical year (`year`), by a
/// deadline (`deadline`), or — when both are None — every statistical year of the plan's
/// period. At most one of `year` and `deadline` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The indicator of the catalogue.
    pub indicator: IndicatorId,
    /// How the value compares.
    pub comparator: Comparator,
    /// The target value, in the indicator's unit (percent for shares and changes).
    pub value: f64,
    /// For this statistical year only.
    pub year: Option<i32>,
    /// To be reached by this day.
    pub deadline: Option<NaiveDate>,
    /// Free note (e.g. "T1", the plan's wording).
    pub note: String,
}

labelled_enum!(
    /// Where a target stands against its current value.
    TargetStatus, "target status", [
        /// The comparator holds.
        OnTrack = "on_track", "Đạt", "On track";
        /// It fails, but by no more than the at-risk margin.
        AtRisk = "at_risk", "Có nguy cơ không đạt", "At risk";
        /// It fails by more than the margin.
        OffTrack = "off_track", "Không đạt", "Off track";
        /// No value could be computed.
        NoData = "no_data", "Chưa có số liệu", "No data";
        /// The period shown is shorter than the one the target is judged on, or lies before
        /// its deadline: the value is progress so far, not a result.
        InProgress = "in_progress", "Chưa đến kỳ đánh giá", "Not yet due";
    ]
);

/// The default at-risk margin, in the indicator's own unit (percentage points for shares
/// and changes).
pub const DEFAULT_AT_RISK_MARGIN: f64 = 5.0;

/// How far `current` falls short of the target (0 or more; 0 when it holds or is level).
fn shortfall(t: &Target, current: f64) -> f64 {
    let gap = if t.comparator.wants_higher() { t.value - current } else { current - t.value };
    gap.max(0.0)
}

/// The status of `target` given its `current` value: on track when the comparator holds;
/// at risk when it fails by at most `at_risk_margin` (a strict comparator failing on the
/// target value itself fails by 0, so it is at risk); off track otherwise; no data when
/// there is no value.
pub fn status(target: &Target, current: Option<f64>, at_risk_margin: f64) -> TargetStatus {
    let Some(v) = current.filter(|v| v.is_finite()) else {
        return TargetStatus::NoData;
    };
    if target.comparator.holds(v, target.value) {
        TargetStatus::OnTrack
    } else if shortfall(target, v) <= at_risk_margin {
        TargetStatus::AtRisk
    } else {
        TargetStatus::OffTrack
    }
}

/// Where a target stands for a period someone looks at: the one verdict that the
/// dashboard, the indicators API, the plan and areas pages and the reports all show.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The status.
    pub status: TargetStatus,
    /// The statistical period the target is judged on (the period shown when they are
    /// the same; the year, or the year of the deadline, when the period shown is shorter
    /// or earlier).
    pub judged_on: StatPeriod,
    /// The value the status is about (progress so far when `status` is in progress).
    pub value: Option<f64>,
    /// How the status was decided, in words.
    pub rule_vi: String,
}

/// The statistical period `t` is judged on when `shown` is looked at; `None` when the
/// target says nothing about it: a target for another year, or a deadline whose year
/// lies before the period shown (it was judged in its own year).
pub fn judging_period(t: &Target, shown: StatPeriod, cutoff_day: u32) -> Option<StatPeriod> {
    let year_of_shown = StatPeriod::year(shown.year);
    match (t.year, t.deadline) {
        (Some(y), _) => (y == shown.year).then_some(StatPeriod::year(y)),
        (None, Some(d)) => {
            let due = StatPeriod::containing(PeriodKind::Year, d, cutoff_day);
            (year_of_shown.year <= due.year).then_some(due)
        }
        (None, None) => Some(year_of_shown),
    }
}

/// The verdict on `t` for the period `shown`, whose value is `value`: judged by
/// [`status`] when `shown` is the period the target is judged on; in progress (never
/// "off track") when `shown` is a month or a half-year of it, or a year before the
/// deadline's; `None` when the target does not apply to `shown` (see [`judging_period`]).
pub fn verdict(
    t: &Target,
    shown: StatPeriod,
    cutoff_day: u32,
    value: Option<f64>,
    margin: f64,
) -> Option<Verdict> {
    let judged_on = judging_period(t, shown, cutoff_day)?;
    if judged_on == shown {
        return Some(Verdict {
            status: status(t, value, margin),
            judged_on,
            value,
            rule_vi: status_rule_vi(t, margin),
        });
    }
    Some(Verdict {
        status: TargetStatus::InProgress,
        judged_on,
        value,
        rule_vi: format!(
            "Chỉ tiêu được đánh giá theo {}; giá trị của {} là tiến độ đến nay, chưa phải kết quả. {}",
            lower_first(&judged_on.label_vi()),
            lower_first(&shown.label_vi()),
            status_rule_vi(t, margin)
        ),
    })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Why a period cannot be judged against a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanPeriodError {
    /// The period ends before the plan's period starts.
    #[error("the period ends before the plan starts on {0}")]
    BeforePlan(NaiveDate),
    /// The period starts after the plan ended.
    #[error("the plan ended on {0}; its final result is judged on the statistical year {1}")]
    AfterPlan(NaiveDate, i32),
}

impl PlanPeriodError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::BeforePlan(d) => {
                format!("Kỳ này kết thúc trước khi kế hoạch bắt đầu ({}).", d.format("%d/%m/%Y"))
            }
            Self::AfterPlan(d, y) => format!(
                "Kế hoạch đã kết thúc ngày {}; kết quả cuối cùng được đánh giá theo năm thống kê {y}.",
                d.format("%d/%m/%Y")
            ),
        }
    }
}

/// The statistical year a plan's final result is judged on: the year its period ends in.
pub fn final_year(p: &Plan, cutoff_day: u32) -> StatPeriod {
    StatPeriod::containing(PeriodKind::Year, p.period_to, cutoff_day)
}

/// Whether `shown` (with its days `days`) lies within the plan's period: a period that
/// ends before the plan starts, or starts after it ended, is not judged against it.
pub fn check_period(p: &Plan, days: Period, cutoff_day: u32) -> Result<(), PlanPeriodError> {
    if days.to < p.period_from {
        return Err(PlanPeriodError::BeforePlan(p.period_from));
    }
    if days.from > p.period_to {
        return Err(PlanPeriodError::AfterPlan(p.period_to, final_year(p, cutoff_day).year));
    }
    Ok(())
}

/// Whether a plan is in force on some day of `days`.
pub fn in_force(p: &Plan, days: Period) -> bool {
    days.to >= p.period_from && days.from <= p.period_to
}

/// A number the Vietnamese way: decimal comma, no useless zeros (80, -5, 0,5).
pub fn fmt_number_vi(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s == "-0" { "0" } else { s };
    s.replace('.', ",")
}

fn unit_vi(m: Measure) -> &'static str {
    match m {
        Measure::Count => "",
        Measure::Percent | Measure::Change => "%",
    }
}

fn margin_unit_vi(m: Measure) -> &'static str {
    match m {
        Measure::Count => "đơn vị",
        Measure::Percent | Measure::Change => "điểm phần trăm",
    }
}

/// When the target applies, in words.
pub fn when_vi(t: &Target) -> String {
    match (t.year, t.deadline) {
        (Some(y), _) => format!("năm thống kê {y}"),
        (None, Some(d)) => format!("đến ngày {}", d.format("%d/%m/%Y")),
        (None, None) => "hằng năm".to_owned(),
    }
}

/// The target as one line: `T1: … ≤ -5% (hằng năm)`.
pub fn describe_vi(t: &Target) -> String {
    format!("{} {}", t.indicator.label_vi(), goal_vi(t))
}

/// The target without the indicator's name, e.g. "≤ -5% (hằng năm)": where the name is
/// already shown beside it.
pub fn goal_vi(t: &Target) -> String {
    let m = t.indicator.measure();
    format!("{} {}{} ({})", t.comparator.symbol(), fmt_number_vi(t.value), unit_vi(m), when_vi(t))
}

/// The rule that decides the status, in words (shown on hover on the dashboard).
pub fn status_rule_vi(target: &Target, at_risk_margin: f64) -> String {
    let m = target.indicator.measure();
    let goal = format!("{} {}{}", target.comparator.symbol(), fmt_number_vi(target.value), unit_vi(m));
    let side = if target.comparator.wants_higher() { "thấp hơn" } else { "cao hơn" };
    format!(
        "Đạt nếu giá trị {goal}; có nguy cơ không đạt nếu chưa đạt nhưng {side} mục tiêu không quá {} {}; \
         không đạt nếu {side} mục tiêu nhiều hơn thế; chưa có số liệu nếu chưa tính được giá trị.",
        fmt_number_vi(at_risk_margin),
        margin_unit_vi(m)
    )
}

/// A plan as issued (the store adds its id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Number and symbol, e.g. `3220/KH-UBND`.
    pub number: String,
    /// The issuing body, as written on the plan.
    pub issuer: String,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// The issuing unit's code at the date of issue (a legacy code such as Kon Tum's 62);
    /// None for a national plan.
    pub issuer_unit_code: Option<String>,
    /// The current province that owns the plan today (through the 2025 lineage); None
    /// for a national plan.
    pub owner_unit_code: Option<String>,
    /// First day of the plan's period.
    pub period_from: NaiveDate,
    /// Last day of the plan's period.
    pub period_to: NaiveDate,
    /// The day the baseline figures are taken.
    pub baseline_on: NaiveDate,
    /// Title.
    pub title: String,
}

/// Why a plan, a target, a task or a report was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// Number missing.
    #[error("a plan needs its number")]
    NoNumber,
    /// Title missing.
    #[error("a plan needs its title")]
    NoTitle,
    /// Issuer missing.
    #[error("a plan needs its issuer")]
    NoIssuer,
    /// Period ends before it starts.
    #[error("the period ends before it starts")]
    PeriodReversed,
    /// Baseline outside the sensible range.
    #[error("the baseline date is after the end of the period")]
    BaselineAfterPeriod,
    /// A target's indicator is not in the catalogue.
    #[error("unknown indicator '{0}'")]
    UnknownIndicator(String),
    /// A target's comparator is not one of ge, gt, le, lt.
    #[error("unknown comparator '{0}'")]
    UnknownComparator(String),
    /// A target's value is not a number.
    #[error("the target value is not a number")]
    BadValue,
    /// A share outside 0–100.
    #[error("a share must lie between 0 and 100")]
    ShareOutOfRange,
    /// Both a year and a deadline.
    #[error("a target is per year or by a deadline, not both")]
    YearAndDeadline,
    /// A year outside the plan's period.
    #[error("the year lies outside the plan's period")]
    YearOutsidePeriod,
    /// A deadline before the plan was issued.
    #[error("the deadline is before the plan was issued")]
    DeadlineBeforeIssue,
    /// A task without a title.
    #[error("a task needs a title")]
    NoTaskTitle,
    /// A task without an assignee.
    #[error("a task needs an assignee: a commune, the province or an agency")]
    NoAssignee,
    /// A percent outside 0–100.
    #[error("progress is a percent from 0 to 100")]
    PercentOutOfRange,
    /// A report dated after today.
    #[error("a report cannot be dated in the future")]
    FutureReport,
    /// A report, reminder or inspection without text.
    #[error("the text is empty")]
    NoText,
    /// A task due after its plan ends.
    #[error("the task is due after the plan ends on {0}")]
    DueAfterPlan(NaiveDate),
}

impl PlanError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            PlanError::NoNumber => "Chưa nhập số, ký hiệu kế hoạch.".into(),
            PlanError::NoTitle => "Chưa nhập tên kế hoạch.".into(),
            PlanError::NoIssuer => "Chưa nhập cơ quan ban hành.".into(),
            PlanError::PeriodReversed => "Ngày kết thúc giai đoạn trước ngày bắt đầu.".into(),
            PlanError::BaselineAfterPeriod => "Ngày lấy số liệu gốc sau ngày kết thúc giai đoạn.".into(),
            PlanError::UnknownIndicator(s) => format!("Không có chỉ tiêu «{s}» trong danh mục."),
            PlanError::UnknownComparator(s) => {
                format!("Phép so sánh «{s}» không hợp lệ (chọn ≥, >, ≤ hoặc <).")
            }
            PlanError::BadValue => "Giá trị mục tiêu phải là một số.".into(),
            PlanError::ShareOutOfRange => "Tỷ lệ phải nằm trong khoảng 0–100%.".into(),
            PlanError::YearAndDeadline => "Chỉ tiêu theo năm hoặc theo thời hạn, không cả hai.".into(),
            PlanError::YearOutsidePeriod => "Năm thống kê nằm ngoài giai đoạn của kế hoạch.".into(),
            PlanError::DeadlineBeforeIssue => "Thời hạn trước ngày ban hành kế hoạch.".into(),
            PlanError::NoTaskTitle => "Chưa nhập tên nhiệm vụ.".into(),
            PlanError::NoAssignee => "Chưa chọn đơn vị thực hiện (xã, tỉnh hoặc sở, ngành).".into(),
            PlanError::PercentOutOfRange => "Tiến độ phải từ 0 đến 100%.".into(),
            PlanError::FutureReport => "Ngày báo cáo không được sau ngày hôm nay.".into(),
            PlanError::NoText => "Chưa nhập nội dung.".into(),
            PlanError::DueAfterPlan(d) => {
                format!("Thời hạn của nhiệm vụ sau ngày kết thúc kế hoạch ({}).", d.format("%d/%m/%Y"))
            }
        }
    }
}

/// Checks a plan's own fields.
pub fn validate_plan(p: &Plan) -> Result<(), PlanError> {
    if p.number.trim().is_empty() {
        return Err(PlanError::NoNumber);
    }
    if p.title.trim().is_empty() {
        return Err(PlanError::NoTitle);
    }
    if p.issuer.trim().is_empty() {
        return Err(PlanError::NoIssuer);
    }
    if p.period_to < p.period_from {
        return Err(PlanError::PeriodReversed);
    }
    if p.baseline_on > p.period_to {
        return Err(PlanError::BaselineAfterPeriod);
    }
    Ok(())
}

/// Checks a target against its plan.
pub fn validate_target(t: &Target, plan: &Plan) -> Result<(), PlanError> {
    if !t.value.is_finite() {
        return Err(PlanError::BadValue);
    }
    if t.indicator.measure() == Measure::Percent && !(0.0..=100.0).contains(&t.value) {
        return Err(PlanError::ShareOutOfRange);
    }
    if t.year.is_some() && t.deadline.is_some() {
        return Err(PlanError::YearAndDeadline);
    }
    if let Some(y) = t.year {
        // A statistical year Y runs 15/12/Y-1 to 14/12/Y: it overlaps the period when
        // Y lies between the period's first and its last calendar year (+1 for December).
        use chrono::Datelike;
        if y < plan.period_from.year() || y > plan.period_to.year() + 1 {
            return Err(PlanError::YearOutsidePeriod);
        }
    }
    if let Some(d) = t.deadline
        && d < plan.issued_on
    {
        return Err(PlanError::DeadlineBeforeIssue);
    }
    Ok(())
}

/// A target as typed in a form or a JSON body (strings, so each error names its field).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetInput {
    /// Indicator id.
    pub indicator: String,
    /// ge, gt, le or lt.
    pub comparator: String,
    /// The value.
    pub value: String,
    /// Statistical year, or empty.
    #[serde(default)]
    pub year: String,
    /// Deadline `YYYY-MM-DD`, or empty.
    #[serde(default)]
    pub deadline: String,
    /// Note.
    #[serde(default)]
    pub note: String,
}

impl TargetInput {
    /// Parses and checks the target against its plan.
    pub fn parse(&self, plan: &Plan) -> Result<Target, PlanError> {
        let indicator = self
            .indicator
            .trim()
            .parse::<IndicatorId>()
            .map_err(|_| PlanError::UnknownIndicator(self.indicator.trim().to_owned()))?;
        let c = self.comparator.trim();
        let comparator = match c {
            "≥" | ">=" => Comparator::Ge,
            ">" => Comparator::Gt,
            "≤" | "<=" => Comparator::Le,
            "<" => Comparator::Lt,
            _ => c.parse().map_err(|_| PlanError::UnknownComparator(c.to_owned()))?,
        };
        let value = self.value.trim().replace(',', ".").parse::<f64>().map_err(|_| PlanError::BadValue)?;
        let year = match self.year.trim() {
            "" => None,
            y => Some(y.parse::<i32>().map_err(|_| PlanError::YearOutsidePeriod)?),
        };
        let deadline = match self.deadline.trim() {
            "" => None,
            d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| PlanError::DeadlineBeforeIssue)?),
        };
        let t = Target { indicator, comparator, value, year, deadline, note: self.note.trim().to_owned() };
        validate_target(&t, plan)?;
        Ok(t)
    }

    /// The input form of a stored target (to fill a form).
    pub fn of(t: &Target) -> Self {
        TargetInput {
            indicator: t.indicator.as_str().to_owned(),
            comparator: t.comparator.as_str().to_owned(),
            value: fmt_number_vi(t.value).replace(',', "."),
            year: t.year.map(|y| y.to_string()).unwrap_or_default(),
            deadline: t.deadline.map(|d| d.to_string()).unwrap_or_default(),
            note: t.note.clone(),
        }
    }
}

labelled_enum!(
    /// How often the assignee of a task reports its progress.
    ReportingFrequency, "reporting frequency", [
        /// Hằng tháng.
        Monthly = "monthly", "Hằng tháng", "Monthly";
        /// Hằng quý.
        Quarterly = "quarterly", "Hằng quý", "Quarterly";
    ]
);

impl ReportingFrequency {
    /// Months between two reports.
    pub fn months(self) -> u32 {
        match self {
            ReportingFrequency::Monthly => 1,
            ReportingFrequency::Quarterly => 3,
        }
    }
}

labelled_enum!(
    /// Where a task stands.
    TaskState, "task state", [
        /// Being carried out.
        Open = "open", "Đang thực hiện", "Open";
        /// Done.
        Done = "done", "Đã hoàn thành", "Done";
    ]
);

labelled_enum!(
    /// What the provincial police recorded on a task.
    SupervisionKind, "supervision kind", [
        /// Đôn đốc: a reminder sent to the assignee.
        Reminder = "reminder", "Đôn đốc", "Reminder";
        /// Kiểm tra: an inspection of how the task is carried out.
        Inspection = "inspection", "Kiểm tra", "Inspection";
        /// Hướng dẫn: guidance given to the assignee.
        Guidance = "guidance", "Hướng dẫn", "Guidance";
    ]
);

labelled_enum!(
    /// Why a task is late.
    LateReason, "late reason", [
        /// The deadline passed and the task is not done.
        DeadlinePassed = "deadline_passed", "Quá hạn hoàn thành", "Deadline passed";
        /// No progress report within the reporting frequency.
        NoRecentReport = "no_recent_report", "Chưa báo cáo tiến độ đúng kỳ", "No report within the period";
    ]
);

/// Whether an open task is late on `today`, and why: its deadline passed before today
/// and it is not done; or no progress was reported within its frequency since the last
/// report (or since it was assigned, when none yet).
pub fn late_reason(
    state: TaskState,
    deadline: NaiveDate,
    frequency: ReportingFrequency,
    assigned_on: NaiveDate,
    last_report_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<LateReason> {
    if state == TaskState::Done {
        return None;
    }
    if deadline < today {
        return Some(LateReason::DeadlinePassed);
    }
    let since = last_report_on.map_or(assigned_on, |d| d.max(assigned_on));
    let due = since.checked_add_months(Months::new(frequency.months()))?;
    (due < today).then_some(LateReason::NoRecentReport)
}

/// Checks a task's deadline against its plan: a task cannot be due after the plan ends.
pub fn check_task_deadline(p: &Plan, deadline: NaiveDate) -> Result<(), PlanError> {
    if deadline > p.period_to {
        return Err(PlanError::DueAfterPlan(p.period_to));
    }
    Ok(())
}

/// Checks a progress report: percent 0–100, dated no later than today, with text.
pub fn validate_report(on: NaiveDate, percent: i64, text: &str, today: NaiveDate) -> Result<(), PlanError> {
    if !(0..=100).contains(&percent) {
        return Err(PlanError::PercentOutOfRange);
    }
    if on > today {
        return Err(PlanError::FutureReport);
    }
    if text.trim().is_empty() {
        return Err(PlanError::NoText);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn target(indicator: IndicatorId, comparator: Comparator, value: f64) -> Target {
        Target { indicator, comparator, value, year: None, deadline: None, note: String::new() }
    }

    fn kh3220() -> Plan {
        Plan {
            number: "3220/KH-UBND".into(),
            issuer: "UBND tỉnh Kon Tum".into(),
            issued_on: d(2023, 9, 25),
            issuer_unit_code: Some("62".into()),
            owner_unit_code: Some("51".into()),
            period_from: d(2023, 9, 25),
            period_to: d(2025, 12, 31),
            baseline_on: d(2023, 9, 25),
            title: "Giải quyết điểm, tụ điểm".into(),
        }
    }

    #[test]
    fn comparators_round_trip_and_hold_at_the_boundary() {
        for &c in Comparator::ALL {
            assert_eq!(c.as_str().parse::<Comparator>().unwrap(), c);
        }
        let cases = [
            (Comparator::Ge, 80.0, 80.0, true),
            (Comparator::Gt, 80.0, 80.0, false),
            (Comparator::Le, 80.0, 80.0, true),
            (Comparator::Lt, 80.0, 80.0, false),
            (Comparator::Ge, 79.99, 80.0, false),
            (Comparator::Gt, 80.01, 80.0, true),
            (Comparator::Le, -5.0, -5.0, true),
            (Comparator::Lt, 0.99, 1.0, true),
        ];
        for (c, v, t, want) in cases {
            assert_eq!(c.holds(v, t), want, "{v} {} {t}", c.symbol());
        }
    }

    #[test]
    fn status_table() {
        use IndicatorId::*;
        use TargetStatus::*;
        let cases: &[(IndicatorId, Comparator, f64, Option<f64>, TargetStatus)] = &[
            // T2 ≥ 80: equal is on track, 75 at risk (5 points short), 74.9 off track.
            (T2HotSpotsEliminated, Comparator::Ge, 80.0, Some(80.0), OnTrack),
            (T2HotSpotsEliminated, Comparator::Ge, 80.0, Some(75.0), AtRisk),
            (T2HotSpotsEliminated, Comparator::Ge, 80.0, Some(74.9), OffTrack),
            (T2HotSpotsEliminated, Comparator::Ge, 80.0, Some(100.0), OnTrack),
            // T5 > 80: exactly 80 fails by 0, so at risk.
            (T5PersonsReached, Comparator::Gt, 80.0, Some(80.0), AtRisk),
            (T5PersonsReached, Comparator::Gt, 80.0, Some(80.5), OnTrack),
            // T1 ≤ -5: -5 on track, 0 at risk, 0.1 off track.
            (T1SitesChange, Comparator::Le, -5.0, Some(-5.0), OnTrack),
            (T1SitesChange, Comparator::Le, -5.0, Some(0.0), AtRisk),
            (T1SitesChange, Comparator::Le, -5.0, Some(0.1), OffTrack),
            // T6 < 1: 1 is at risk, 0.5 on track, 7 off track.
            (T6AddictsGrowth, Comparator::Lt, 1.0, Some(1.0), AtRisk),
            (T6AddictsGrowth, Comparator::Lt, 1.0, Some(0.5), OnTrack),
            (T6AddictsGrowth, Comparator::Lt, 1.0, Some(7.0), OffTrack),
            (T6AddictsGrowth, Comparator::Lt, 1.0, None, NoData),
            (T6AddictsGrowth, Comparator::Lt, 1.0, Some(f64::NAN), NoData),
        ];
        for &(i, c, v, cur, want) in cases {
            assert_eq!(status(&target(i, c, v), cur, DEFAULT_AT_RISK_MARGIN), want, "{i} {cur:?}");
        }
        // A zero margin: anything short is off track.
        assert_eq!(status(&target(T3AreasTransformed, Comparator::Ge, 60.0), Some(59.0), 0.0), OffTrack);
    }

    #[test]
    fn a_target_is_judged_on_its_own_period_only() {
        use TargetStatus::*;
        let annual = target(IndicatorId::T1SitesChange, Comparator::Le, -5.0);
        let y = StatPeriod::year(2025);
        // A year is judged; a month or a half-year of it is progress, never off track.
        assert_eq!(verdict(&annual, y, 15, Some(3.0), 5.0).unwrap().status, OffTrack);
        let m = verdict(&annual, StatPeriod::month(2025, 3), 15, Some(30.0), 5.0).unwrap();
        assert_eq!((m.status, m.judged_on), (InProgress, y));
        assert!(m.rule_vi.contains("năm 2025"), "{}", m.rule_vi);
        assert_eq!(
            verdict(&annual, StatPeriod::half(2025, 1), 15, Some(30.0), 5.0).unwrap().status,
            InProgress
        );
        // A deadline: years before it are progress, its year is judged, later years say nothing.
        let mut t2 = target(IndicatorId::T2HotSpotsEliminated, Comparator::Ge, 80.0);
        t2.deadline = Some(d(2025, 12, 14));
        assert_eq!(verdict(&t2, StatPeriod::year(2024), 15, Some(50.0), 5.0).unwrap().status, InProgress);
        let v = verdict(&t2, StatPeriod::year(2025), 15, Some(50.0), 5.0).unwrap();
        assert_eq!((v.status, v.judged_on), (OffTrack, StatPeriod::year(2025)));
        assert_eq!(verdict(&t2, StatPeriod::year(2026), 15, Some(90.0), 5.0), None);
        // A deadline on 15/12 falls in the next statistical year under cut-off 15.
        t2.deadline = Some(d(2025, 12, 15));
        assert_eq!(judging_period(&t2, StatPeriod::year(2025), 15), Some(StatPeriod::year(2026)));
        // A target for one year says nothing about another.
        let mut once = target(IndicatorId::T3AreasTransformed, Comparator::Ge, 60.0);
        once.year = Some(2025);
        assert_eq!(verdict(&once, StatPeriod::year(2024), 15, Some(10.0), 5.0), None);
        assert_eq!(verdict(&once, StatPeriod::year(2025), 15, Some(50.0), 5.0).unwrap().status, OffTrack);
    }

    #[test]
    fn periods_outside_a_plan_and_tasks_after_it_are_refused() {
        let p = kh3220();
        let y = |n| StatPeriod::year(n).bounds(15).unwrap();
        assert_eq!(check_period(&p, y(2023), 15), Ok(()));
        assert_eq!(check_period(&p, y(2022), 15), Err(PlanPeriodError::BeforePlan(d(2023, 9, 25))));
        // KH 3220 runs to 31/12/2025: its final year is the statistical year 2026 under
        // cut-off 15 (15/12/2025–14/12/2026), which it still touches.
        assert_eq!(final_year(&p, 15), StatPeriod::year(2026));
        assert_eq!(check_period(&p, y(2027), 15), Err(PlanPeriodError::AfterPlan(d(2025, 12, 31), 2026)));
        assert!(PlanPeriodError::AfterPlan(d(2025, 12, 14), 2025).message_vi().contains("14/12/2025"));
        assert!(in_force(&p, y(2025)) && !in_force(&p, y(2027)));
        assert_eq!(check_task_deadline(&p, d(2025, 12, 31)), Ok(()));
        assert_eq!(check_task_deadline(&p, d(2026, 1, 1)), Err(PlanError::DueAfterPlan(d(2025, 12, 31))));
    }

    #[test]
    fn rules_and_descriptions_read_in_vietnamese() {
        let t = target(IndicatorId::T2HotSpotsEliminated, Comparator::Ge, 80.0);
        let rule = status_rule_vi(&t, 5.0);
        assert!(
            rule.contains("≥ 80%") && rule.contains("5 điểm phần trăm") && rule.contains("thấp hơn"),
            "{rule}"
        );
        let t1 = target(IndicatorId::T1SitesChange, Comparator::Le, -5.0);
        assert!(status_rule_vi(&t1, 2.5).contains("cao hơn mục tiêu không quá 2,5"));
        assert!(describe_vi(&t1).ends_with("≤ -5% (hằng năm)"), "{}", describe_vi(&t1));
        assert_eq!(goal_vi(&t1), "≤ -5% (hằng năm)");
        assert_eq!(fmt_number_vi(0.5), "0,5");
        assert_eq!(fmt_number_vi(100.0), "100");
        assert_eq!(fmt_number_vi(-0.0), "0");
    }

    #[test]
    fn targets_are_checked_against_their_plan() {
        let p = kh3220();
        let ok = TargetInput {
            indicator: "t2_hot_spots_eliminated".into(),
            comparator: "≥".into(),
            value: "80".into(),
            deadline: "2025-12-14".into(),
            ..Default::default()
        };
        let t = ok.parse(&p).unwrap();
        assert_eq!((t.comparator, t.value, t.deadline), (Comparator::Ge, 80.0, Some(d(2025, 12, 14))));
        assert_eq!(TargetInput::of(&t).parse(&p).unwrap(), t);
        let bad = |f: &dyn Fn(&mut TargetInput)| {
            let mut i = ok.clone();
            f(&mut i);
            i.parse(&p).unwrap_err()
        };
        assert_eq!(bad(&|i| i.indicator = "t7".into()), PlanError::UnknownIndicator("t7".into()));
        assert_eq!(bad(&|i| i.comparator = "=".into()), PlanError::UnknownComparator("=".into()));
        assert_eq!(bad(&|i| i.value = "tám mươi".into()), PlanError::BadValue);
        assert_eq!(bad(&|i| i.value = "120".into()), PlanError::ShareOutOfRange);
        assert_eq!(bad(&|i| i.deadline = "2023-09-24".into()), PlanError::DeadlineBeforeIssue);
        assert_eq!(bad(&|i| i.year = "2025".into()), PlanError::YearAndDeadline);
        assert_eq!(
            bad(&|i| {
                i.deadline.clear();
                i.year = "2030".into();
            }),
            PlanError::YearOutsidePeriod
        );
        // A change may be negative; a share may not.
        let t1 = TargetInput {
            indicator: "t1_sites_change".into(),
            comparator: "le".into(),
            value: "-5".into(),
            ..Default::default()
        };
        assert_eq!(t1.parse(&p).unwrap().value, -5.0);
        assert!(PlanError::DeadlineBeforeIssue.message_vi().contains("ban hành"));
    }

    #[test]
    fn plans_are_checked() {
        let mut p = kh3220();
        assert_eq!(validate_plan(&p), Ok(()));
        p.period_to = d(2023, 1, 1);
        assert_eq!(validate_plan(&p), Err(PlanError::PeriodReversed));
        p = kh3220();
        p.number = " ".into();
        assert_eq!(validate_plan(&p), Err(PlanError::NoNumber));
    }

    #[test]
    fn late_rule_table() {
        use LateReason::*;
        use ReportingFrequency::*;
        let assigned = d(2026, 1, 10);
        // (state, deadline, frequency, last report, today, expected)
        type Case =
            (TaskState, NaiveDate, ReportingFrequency, Option<NaiveDate>, NaiveDate, Option<LateReason>);
        let cases: &[Case] = &[
            // Deadline today is not yet late; the day after is.
            (TaskState::Open, d(2026, 6, 30), Monthly, Some(d(2026, 6, 20)), d(2026, 6, 30), None),
            (
                TaskState::Open,
                d(2026, 6, 30),
                Monthly,
                Some(d(2026, 6, 20)),
                d(2026, 7, 1),
                Some(DeadlinePassed),
            ),
            (TaskState::Done, d(2026, 6, 30), Monthly, None, d(2027, 1, 1), None),
            // Monthly: a month after the last report is still in time, a day more is late.
            (TaskState::Open, d(2026, 12, 31), Monthly, Some(d(2026, 3, 15)), d(2026, 4, 15), None),
            (
                TaskState::Open,
                d(2026, 12, 31),
                Monthly,
                Some(d(2026, 3, 15)),
                d(2026, 4, 16),
                Some(NoRecentReport),
            ),
            // No report yet: counted from the assignment.
            (TaskState::Open, d(2026, 12, 31), Quarterly, None, d(2026, 4, 10), None),
            (TaskState::Open, d(2026, 12, 31), Quarterly, None, d(2026, 4, 11), Some(NoRecentReport)),
        ];
        for &(state, deadline, f, last, today, want) in cases {
            assert_eq!(
                late_reason(state, deadline, f, assigned, last, today),
                want,
                "{deadline} {last:?} {today}"
            );
        }
    }

    #[test]
    fn reports_are_checked() {
        let today = d(2026, 11, 30);
        assert_eq!(validate_report(today, 100, "xong", today), Ok(()));
        assert_eq!(validate_report(today, 101, "x", today), Err(PlanError::PercentOutOfRange));
        assert_eq!(validate_report(today, -1, "x", today), Err(PlanError::PercentOutOfRange));
        assert_eq!(validate_report(d(2026, 12, 1), 50, "x", today), Err(PlanError::FutureReport));
        assert_eq!(validate_report(today, 50, " ", today), Err(PlanError::NoText));
    }
}
