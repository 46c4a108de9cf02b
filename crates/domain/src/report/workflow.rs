//! The life of a report as pure functions: draft → submitted (a commune's to the
//! province's police, the province's to the People's Committee) → approved, or returned
//! with a reason → issued; a returned report goes back to draft. Who may do what depends
//! on the role, the report's level and where the actor stands ([`Standing`]): the
//! drafting unit drafts, submits and issues; the level above approves or returns.

use super::ReportLevel;
use crate::access::Role;
use crate::ops_enum::labelled_enum;

labelled_enum!(
    /// Where a report is in its life.
    ReportStatus, "report status", [
        /// Being written; figures are live.
        Draft = "draft", "Dự thảo", "Draft";
        /// Sent up for approval.
        Submitted = "submitted", "Đã trình", "Submitted";
        /// Approved by the level above; ready to issue.
        Approved = "approved", "Đã duyệt", "Approved";
        /// Sent back with a reason.
        Returned = "returned", "Trả lại", "Returned";
        /// Issued: number and date given, figures frozen.
        Issued = "issued", "Đã ban hành", "Issued";
    ]
);

labelled_enum!(
    /// A step of the workflow.
    Transition, "report transition", [
        /// Send up for approval.
        Submit = "submit", "Trình duyệt", "Submit";
        /// Approve.
        Approve = "approve", "Phê duyệt", "Approve";
        /// Send back, with a reason.
        Return = "return", "Trả lại", "Return";
        /// Take a returned report back to draft.
        Redraft = "redraft", "Soạn lại", "Redraft";
        /// Issue: give it a number and a date and freeze its figures.
        Issue = "issue", "Ban hành", "Issue";
    ]
);

/// Where the actor stands to the report's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The actor's scope is the report's unit.
    Own,
    /// The actor's scope is the province the report's commune belongs to.
    Above,
    /// Anything else in scope (never outside: out-of-scope reports are not found).
    Other,
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// Not possible from this status.
    #[error("cannot {1} a report that is {0}")]
    NotFrom(ReportStatus, Transition),
    /// A return without a reason.
    #[error("a returned report needs a reason")]
    ReasonRequired,
    /// The actor may not take this step on this report.
    #[error("your role cannot {0} this report")]
    NotAllowed(Transition),
}

impl WorkflowError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            WorkflowError::NotFrom(s, t) => {
                format!("Không thể «{}» báo cáo đang ở trạng thái «{}».", t.label_vi(), s.label_vi())
            }
            WorkflowError::ReasonRequired => "Trả lại báo cáo phải nêu lý do.".to_owned(),
            WorkflowError::NotAllowed(t) => {
                format!("Vai trò của bạn không được «{}» báo cáo này.", t.label_vi())
            }
        }
    }
}

/// Whether the actor drafts for the report's unit: a commune's police for its commune,
/// PC04 for its province.
pub fn is_drafter(role: Role, level: ReportLevel, standing: Standing) -> bool {
    standing == Standing::Own
        && matches!(
            (level, role),
            (ReportLevel::Commune, Role::CommuneOfficer) | (ReportLevel::Province, Role::ProvinceOfficer)
        )
}

/// Whether the actor reviews the report: PC04 for a commune of its province, a leader for
/// the province's own report.
pub fn is_reviewer(role: Role, level: ReportLevel, standing: Standing) -> bool {
    matches!(
        (level, role, standing),
        (ReportLevel::Commune, Role::ProvinceOfficer, Standing::Above)
            | (ReportLevel::Province, Role::Leader, Standing::Own)
    )
}

/// Whether the actor may take step `t` at all (whatever the status).
pub fn may(role: Role, level: ReportLevel, standing: Standing, t: Transition) -> bool {
    match t {
        Transition::Submit | Transition::Redraft | Transition::Issue => is_drafter(role, level, standing),
        Transition::Approve | Transition::Return => is_reviewer(role, level, standing),
    }
}

/// Whether the narratives may be edited: by the drafter, while draft or returned.
pub fn may_edit(role: Role, level: ReportLevel, standing: Standing, status: ReportStatus) -> bool {
    is_drafter(role, level, standing) && matches!(status, ReportStatus::Draft | ReportStatus::Returned)
}

/// Whether the actor may read the report (the role's `ReadReports` and the scope are
/// checked before): the drafter always, the reviewer once submitted, anyone in scope
/// once issued.
pub fn visible(role: Role, level: ReportLevel, standing: Standing, status: ReportStatus) -> bool {
    is_drafter(role, level, standing)
        || (is_reviewer(role, level, standing) && status != ReportStatus::Draft)
        || status == ReportStatus::Issued
}

/// The status after step `t` from `from`, or why not. `reason` is required to return.
pub fn next(from: ReportStatus, t: Transition, reason: &str) -> Result<ReportStatus, WorkflowError> {
    use ReportStatus as S;
    use Transition as T;
    let to = match (from, t) {
        (S::Draft, T::Submit) => S::Submitted,
        (S::Submitted, T::Approve) => S::Approved,
        (S::Submitted, T::Return) => S::Returned,
        (S::Returned, T::Redraft) => S::Draft,
        (S::Approved, T::Issue) => S::Issued,
        _ => return Err(WorkflowError::NotFrom(from, t)),
    };
    if t == T::Return && reason.trim().is_empty() {
        return Err(WorkflowError::ReasonRequired);
    }
    Ok(to)
}

/// [`may`] then [`next`]: the whole rule for one step.
pub fn step(
    role: Role,
    level: ReportLevel,
    standing: Standing,
    from: ReportStatus,
    t: Transition,
    reason: &str,
) -> Result<ReportStatus, WorkflowError> {
    if !may(role, level, standing, t) {
        return Err(WorkflowError::NotAllowed(t));
    }
    next(from, t, reason)
}

/// The steps the actor can take now, for the buttons of the report page.
pub fn available(role: Role, level: ReportLevel, standing: Standing, from: ReportStatus) -> Vec<Transition> {
    Transition::ALL
        .iter()
        .copied()
        .filter(|t| may(role, level, standing, *t) && next(from, *t, "x").is_ok())
        .collect()
}
