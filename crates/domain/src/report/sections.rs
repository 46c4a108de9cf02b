//! The registry sections of a periodic report (issue 18 item 6): what the plan's lines of
//! work produced in the period, read from the registries of the report's unit — the
//! plan's tasks, escalations, seizures, persons by the QĐ 127 breakdowns, inspections of
//! conditional businesses, the classification of communes, propaganda by venue — and the
//! personal-data breach register. Every type here holds counts, sums, labels of
//! categories or the plan's own words (a task's title and its assignee, a unit or an
//! agency); none has a field for a person, so a report cannot carry one.

use crate::business::BusinessLine;
use crate::classification::{CommuneClass, CriteriaVersion};
use crate::plan::LateReason;
use crate::propaganda::VenueType;
use crate::seizures::{Drug, QuantityUnit};
use serde::{Deserialize, Serialize};

/// One task of the plan as it stood at the end of the period (or today, if earlier).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskFigure {
    /// The task's title, as the plan words it.
    pub title: String,
    /// Who carries it out: the agency named in the plan, else the unit's name.
    pub assignee: String,
    /// The progress in the last report on or before that day (None: no report yet).
    pub percent: Option<i64>,
    /// Whether it was done by that day.
    pub done: bool,
    /// Why it was late on that day (`diaban_domain::plan::late_reason`); None: not late.
    pub late: Option<LateReason>,
    /// Reminders (đôn đốc) the provincial police recorded on it in the period.
    pub reminders: i64,
    /// Inspections (kiểm tra) the provincial police recorded on it in the period.
    pub inspections: i64,
}

/// Difficulties and escalations (khó khăn, vướng mắc; kiến nghị) in the period: the steps
/// taken in it, and where those raised by its end stood on its last day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EscalationFigures {
    /// Raised in the period.
    pub raised: i64,
    /// Of which raised from a task of the plan (source `plan_task`).
    pub raised_from_tasks: i64,
    /// Forwarded by the provincial police to the committee in the period.
    pub forwarded: i64,
    /// Decided by the provincial police in the period.
    pub decided_by_police: i64,
    /// Decided by the Provincial People's Committee in the period.
    pub decided_by_committee: i64,
    /// Returned to the raising unit in the period.
    pub returned: i64,
    /// Raised by the period's end and not decided on its last day.
    pub open_at_end: i64,
    /// Of those, past the day the answer was owed.
    pub overdue_at_end: i64,
}

impl EscalationFigures {
    /// The named counts, for placeholders and tables: `(key, label, count)`.
    pub fn lines(&self) -> [(&'static str, &'static str, i64); 8] {
        [
            ("raised", "Khó khăn, vướng mắc, kiến nghị phát sinh trong kỳ", self.raised),
            (
                "raised_from_tasks",
                "Trong đó: phát sinh khi thực hiện nhiệm vụ của kế hoạch",
                self.raised_from_tasks,
            ),
            ("forwarded", "Công an tỉnh tổng hợp, báo cáo UBND tỉnh", self.forwarded),
            ("decided_by_police", "Công an tỉnh giải quyết", self.decided_by_police),
            ("decided_by_committee", "UBND tỉnh quyết định", self.decided_by_committee),
            ("returned", "Trả lại đơn vị kiến nghị", self.returned),
            ("open_at_end", "Chưa giải quyết xong cuối kỳ", self.open_at_end),
            ("overdue_at_end", "Trong đó: quá hạn trả lời", self.overdue_at_end),
        ]
    }
}

/// Seized in the period: the sum of one drug in one unit of measure as recorded. Units
/// are never added to one another (grams and kilograms stay on separate lines, as the
/// officers recorded them; tablets, bricks and plants cannot be weighed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeizureFigure {
    /// The drug.
    pub drug: Drug,
    /// The unit of measure.
    pub unit: QuantityUnit,
    /// The sum of the quantities.
    pub quantity: f64,
    /// The cases with at least one such line.
    pub cases: i64,
}

/// One count of a labelled breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountLine {
    /// A stable key ("age_18_30", "sex_male").
    pub key: String,
    /// The Vietnamese label.
    pub label: String,
    /// The count.
    pub count: i64,
}

/// A breakdown with its heading ("Độ tuổi", "Giới tính" …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountGroup {
    /// The heading.
    pub heading: String,
    /// The counts, in display order.
    pub lines: Vec<CountLine>,
}

/// Persons with a management record in the period by the breakdowns of QĐ 127/2009 (as
/// amended by QĐ 13/2019) and rehab form, as the persons statistics page computes them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonFigures {
    /// Persons with a management record in the period.
    pub with_records: i64,
    /// The breakdowns (age band, sex, ethnicity, substance, duration of use, rehab form,
    /// where held).
    pub groups: Vec<CountGroup>,
}

/// Inspections of conditional businesses of one line in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessFigure {
    /// The line of business.
    pub line: BusinessLine,
    /// Businesses inspected at least once.
    pub businesses_inspected: i64,
    /// Inspections.
    pub inspections: i64,
    /// Of which ad hoc (đột xuất).
    pub ad_hoc: i64,
    /// Inspections that found violations.
    pub with_violations: i64,
    /// Businesses with violations found at least once.
    pub businesses_with_violations: i64,
}

/// The communes of the unit by the class of the statistical year and the criteria
/// version each was classified under.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassificationFigures {
    /// The statistical year.
    pub year: i32,
    /// Current communes of the unit.
    pub communes: i64,
    /// Counts per (class, version), most serious class first.
    pub lines: Vec<ClassLine>,
    /// Communes without a stored classification for the year.
    pub not_classified: i64,
}

/// Communes of one class under one criteria version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassLine {
    /// The class.
    pub class: CommuneClass,
    /// The criteria version applied.
    pub version: CriteriaVersion,
    /// Communes.
    pub communes: i64,
}

/// Propaganda held at one type of venue in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VenueFigure {
    /// The type of venue.
    pub venue: VenueType,
    /// Sessions.
    pub sessions: i64,
    /// Participants.
    pub participants: i64,
}

/// The personal-data breach register in the period (DOMAIN.md §8): incidents detected
/// in it and how the authority's notification went. Counts only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BreachFigures {
    /// Incidents detected in the period.
    pub detected: i64,
    /// Of which the authority (A05) was notified within the deadline.
    pub notified_in_time: i64,
    /// Notified after the deadline.
    pub notified_late: i64,
    /// Not notified by the period's end, the deadline not yet passed then.
    pub pending: i64,
    /// Not notified by the period's end with the deadline passed.
    pub overdue: i64,
    /// Incidents where the persons concerned were notified.
    pub subjects_notified: i64,
    /// Persons affected, approximately (the sum of the estimates).
    pub persons_affected: i64,
}

impl BreachFigures {
    /// The named counts, for placeholders and tables: `(key, label, count)`.
    pub fn lines(&self) -> [(&'static str, &'static str, i64); 7] {
        [
            ("detected", "Sự cố lộ, lọt dữ liệu cá nhân phát hiện trong kỳ", self.detected),
            ("notified_in_time", "Đã thông báo cho A05 đúng hạn", self.notified_in_time),
            ("notified_late", "Đã thông báo cho A05 nhưng quá hạn", self.notified_late),
            ("pending", "Chưa thông báo, còn trong hạn", self.pending),
            ("overdue", "Chưa thông báo, đã quá hạn", self.overdue),
            ("subjects_notified", "Sự cố đã thông báo cho chủ thể dữ liệu", self.subjects_notified),
            ("persons_affected", "Số người bị ảnh hưởng (ước tính)", self.persons_affected),
        ]
    }
}
