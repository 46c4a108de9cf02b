//! Escalations (kiến nghị, khó khăn vướng mắc): a commune or a partner agency raises a
//! difficulty with the provincial police (PC04); the police decide it, return it with
//! reasons, or forward what is beyond their authority to the Provincial People's
//! Committee, which decides it or returns it to the police. Each step has an assignee
//! and a deadline. This module is the state machine: which step is allowed, from which
//! state, by which level, and what it needs; the store records the steps.

use crate::site::{UnknownSiteValue, parse_stored};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where an escalation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationState {
    /// With the provincial police (Công an tỉnh, PC04), waiting for an answer.
    AtPolice,
    /// Forwarded to the Provincial People's Committee (UBND tỉnh).
    AtCommittee,
    /// Decided (final).
    Decided,
    /// Returned to whoever raised it, with reasons; they may resubmit.
    Returned,
}

impl EscalationState {
    /// Every state, in display order.
    pub const ALL: [Self; 4] = [Self::AtPolice, Self::AtCommittee, Self::Decided, Self::Returned];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AtPolice => "at_police",
            Self::AtCommittee => "at_committee",
            Self::Decided => "decided",
            Self::Returned => "returned",
        }
    }

    /// Whether someone still owes an answer (so a deadline runs).
    pub fn is_pending(self) -> bool {
        matches!(self, Self::AtPolice | Self::AtCommittee)
    }
}

impl fmt::Display for EscalationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EscalationState {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "escalation state", s)
    }
}

/// A step of an escalation's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationStep {
    /// Raised by a commune or an agency (the first step).
    Raise,
    /// Given to an officer (or leader) to answer; the state and deadline stay.
    Assign,
    /// Sent on to the Provincial People's Committee, beyond the police's authority.
    Forward,
    /// Answered with a decision.
    Decide,
    /// Sent back with reasons: by the police to the raiser, by the committee to the police.
    Return,
    /// Raised again after a return, with what changed.
    Resubmit,
}

impl EscalationStep {
    /// Every step.
    pub const ALL: [Self; 6] =
        [Self::Raise, Self::Assign, Self::Forward, Self::Decide, Self::Return, Self::Resubmit];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Raise => "raise",
            Self::Assign => "assign",
            Self::Forward => "forward",
            Self::Decide => "decide",
            Self::Return => "return",
            Self::Resubmit => "resubmit",
        }
    }

    /// Whether the step must carry a note (the decision, the reasons, the summary).
    pub fn needs_note(self) -> bool {
        matches!(self, Self::Raise | Self::Forward | Self::Decide | Self::Return | Self::Resubmit)
    }

    /// Whether the step starts a new deadline (someone new owes an answer).
    pub fn restarts_deadline(self) -> bool {
        matches!(self, Self::Raise | Self::Forward | Self::Return | Self::Resubmit)
    }
}

impl fmt::Display for EscalationStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EscalationStep {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "escalation step", s)
    }
}

/// Who takes a step: the level the actor speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The commune or agency that raised the escalation.
    Raiser,
    /// The provincial police (PC04).
    Police,
    /// The Provincial People's Committee (its leaders).
    Committee,
}

impl Level {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Raiser => "raiser",
            Self::Police => "police",
            Self::Committee => "committee",
        }
    }
}

/// Why a step was refused. Nothing is written when it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The state does not allow the step at all.
    #[error("an escalation that is {state} cannot be sent the step '{step}'; allowed: {}", list(.allowed))]
    NotAllowed {
        /// The current state.
        state: EscalationState,
        /// The step asked for.
        step: EscalationStep,
        /// The steps the state allows (for anyone).
        allowed: Vec<EscalationStep>,
    },
    /// The step is allowed, but not for this level.
    #[error("in state {state} the step '{step}' is for the {}, not the {}", .expected.as_str(), .actual.as_str())]
    WrongLevel {
        /// The current state.
        state: EscalationState,
        /// The step asked for.
        step: EscalationStep,
        /// The level that may take it.
        expected: Level,
        /// The level that tried.
        actual: Level,
    },
    /// A decision, reasons or a summary is required.
    #[error("the step '{0}' needs a note (the decision, the reasons or the summary)")]
    NoteRequired(EscalationStep),
    /// Assigning needs someone to assign to.
    #[error("assigning needs an assignee")]
    AssigneeRequired,
}

fn list(steps: &[EscalationStep]) -> String {
    if steps.is_empty() {
        "none (it is final)".to_owned()
    } else {
        steps.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }
}

fn label_vi(s: EscalationStep) -> &'static str {
    match s {
        EscalationStep::Raise => "gửi kiến nghị",
        EscalationStep::Assign => "giao người xử lý",
        EscalationStep::Forward => "chuyển UBND tỉnh",
        EscalationStep::Decide => "quyết định",
        EscalationStep::Return => "trả lại",
        EscalationStep::Resubmit => "gửi lại",
    }
}

fn state_vi(s: EscalationState) -> &'static str {
    match s {
        EscalationState::AtPolice => "đang ở Công an tỉnh",
        EscalationState::AtCommittee => "đang ở UBND tỉnh",
        EscalationState::Decided => "đã có quyết định",
        EscalationState::Returned => "đã trả lại",
    }
}

impl StepError {
    /// The message in Vietnamese, for forms.
    pub fn message_vi(&self) -> String {
        match self {
            StepError::NotAllowed { state, step, allowed } => {
                let ok = if allowed.is_empty() {
                    "không còn bước nào (đã kết thúc)".to_owned()
                } else {
                    allowed.iter().map(|s| label_vi(*s)).collect::<Vec<_>>().join(", ")
                };
                format!(
                    "Kiến nghị {} nên không thể {}. Các bước được phép: {ok}.",
                    state_vi(*state),
                    label_vi(*step)
                )
            }
            StepError::WrongLevel { state, step, expected, .. } => {
                let who = match expected {
                    Level::Raiser => "đơn vị gửi kiến nghị",
                    Level::Police => "Công an tỉnh (PC04)",
                    Level::Committee => "lãnh đạo UBND tỉnh",
                };
                format!("Kiến nghị {}: bước «{}» do {who} thực hiện.", state_vi(*state), label_vi(*step))
            }
            StepError::NoteRequired(step) => {
                format!("Bước «{}» cần ghi nội dung (quyết định, lý do hoặc tóm tắt).", label_vi(*step))
            }
            StepError::AssigneeRequired => "Cần chọn người được giao xử lý.".to_owned(),
        }
    }
}

/// What the steps allowed in a state are, and who takes each.
pub fn allowed_steps(state: EscalationState) -> Vec<(EscalationStep, Level)> {
    use EscalationState::*;
    use EscalationStep::*;
    match state {
        AtPolice => vec![
            (Assign, Level::Police),
            (Decide, Level::Police),
            (Return, Level::Police),
            (Forward, Level::Police),
        ],
        AtCommittee => {
            vec![(Assign, Level::Committee), (Decide, Level::Committee), (Return, Level::Committee)]
        }
        Returned => vec![(Resubmit, Level::Raiser)],
        Decided => vec![],
    }
}

/// The state after `step`, taken by `level` from `state`, or why it is refused. `note`
/// and `has_assignee` are what the step carries.
pub fn step(
    state: EscalationState,
    step: EscalationStep,
    level: Level,
    note: &str,
    has_assignee: bool,
) -> Result<EscalationState, StepError> {
    use EscalationState::*;
    use EscalationStep::*;
    let allowed = allowed_steps(state);
    let Some((_, who)) = allowed.iter().find(|(s, _)| *s == step) else {
        return Err(StepError::NotAllowed {
            state,
            step,
            allowed: allowed.iter().map(|(s, _)| *s).collect(),
        });
    };
    if *who != level {
        return Err(StepError::WrongLevel { state, step, expected: *who, actual: level });
    }
    if step.needs_note() && note.trim().is_empty() {
        return Err(StepError::NoteRequired(step));
    }
    if step == Assign && !has_assignee {
        return Err(StepError::AssigneeRequired);
    }
    Ok(match (state, step) {
        (s, Assign) => s,
        (_, Decide) => Decided,
        (AtPolice, Forward) => AtCommittee,
        (AtPolice, Return) => Returned,
        (AtCommittee, Return) => AtPolice,
        (Returned, Resubmit) => AtPolice,
        // `allowed_steps` lists nothing else.
        (s, _) => s,
    })
}

/// The deadline of a step taken on `on`: `response_days` later for a step that makes
/// someone new owe an answer, else `current` (assigning does not buy time).
pub fn deadline(
    step: EscalationStep,
    on: NaiveDate,
    response_days: u32,
    current: Option<NaiveDate>,
) -> Option<NaiveDate> {
    if step.restarts_deadline() { on.checked_add_days(Days::new(u64::from(response_days))) } else { current }
}

/// Whether an escalation is overdue on `today`: an answer is owed and its deadline passed.
pub fn is_overdue(state: EscalationState, due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    state.is_pending() && due_on.is_some_and(|d| d < today)
}

/// The province's operations parameters (group `operations` of the parameter store).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OperationsParams {
    /// Days the police or the committee have to answer an escalation step.
    pub escalation_response_days: u32,
    /// A conditional business not inspected within this many months is listed as due.
    pub business_inspection_months: u32,
}

impl Default for OperationsParams {
    fn default() -> Self {
        Self { escalation_response_days: 10, business_inspection_months: 12 }
    }
}

impl OperationsParams {
    /// The problems with these values, one per field (empty when valid).
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut v = Vec::new();
        if !(1..=365).contains(&self.escalation_response_days) {
            v.push(("escalation_response_days", "from 1 to 365 days"));
        }
        if !(1..=60).contains(&self.business_inspection_months) {
            v.push(("business_inspection_months", "from 1 to 60 months"));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::EscalationState::*;
    use super::EscalationStep::*;
    use super::*;

    /// Every (state, step, level) and what must come of it.
    #[test]
    fn the_state_machine_table() {
        let ok = |s, st, l| step(s, st, l, "ghi chú", true);
        let table: &[(EscalationState, EscalationStep, Level, Option<EscalationState>)] = &[
            (AtPolice, Assign, Level::Police, Some(AtPolice)),
            (AtPolice, Decide, Level::Police, Some(Decided)),
            (AtPolice, Return, Level::Police, Some(Returned)),
            (AtPolice, Forward, Level::Police, Some(AtCommittee)),
            (AtPolice, Decide, Level::Committee, None),
            (AtPolice, Forward, Level::Raiser, None),
            (AtPolice, Resubmit, Level::Raiser, None),
            (AtPolice, Raise, Level::Raiser, None),
            (AtCommittee, Assign, Level::Committee, Some(AtCommittee)),
            (AtCommittee, Decide, Level::Committee, Some(Decided)),
            (AtCommittee, Return, Level::Committee, Some(AtPolice)),
            (AtCommittee, Decide, Level::Police, None),
            (AtCommittee, Forward, Level::Committee, None),
            (Returned, Resubmit, Level::Raiser, Some(AtPolice)),
            (Returned, Resubmit, Level::Police, None),
            (Returned, Decide, Level::Police, None),
            (Decided, Return, Level::Committee, None),
            (Decided, Resubmit, Level::Raiser, None),
            (Decided, Assign, Level::Police, None),
        ];
        for (s, st, l, want) in table {
            let got = ok(*s, *st, *l);
            match want {
                Some(w) => assert_eq!(got, Ok(*w), "{s} --{st}/{}-->", l.as_str()),
                None => assert!(got.is_err(), "{s} --{st}/{}--> should be refused", l.as_str()),
            }
        }
    }

    #[test]
    fn a_refusal_names_the_allowed_steps_and_who_takes_them() {
        let e = step(Decided, Return, Level::Committee, "x", false).unwrap_err();
        assert!(e.to_string().contains("none (it is final)"), "{e}");
        assert!(e.message_vi().contains("đã có quyết định"), "{}", e.message_vi());
        let e = step(AtPolice, Resubmit, Level::Raiser, "x", false).unwrap_err();
        assert!(e.to_string().contains("assign, decide, return, forward"), "{e}");
        let e = step(AtCommittee, Decide, Level::Police, "x", false).unwrap_err();
        assert!(matches!(e, StepError::WrongLevel { expected: Level::Committee, .. }), "{e}");
        assert!(e.message_vi().contains("lãnh đạo UBND tỉnh"), "{}", e.message_vi());
    }

    #[test]
    fn decisions_returns_and_forwards_need_a_note_and_assigning_an_assignee() {
        for st in [Decide, Return, Forward] {
            assert_eq!(step(AtPolice, st, Level::Police, "  ", true), Err(StepError::NoteRequired(st)));
        }
        assert_eq!(step(AtPolice, Assign, Level::Police, "", false), Err(StepError::AssigneeRequired));
        assert_eq!(step(AtPolice, Assign, Level::Police, "", true), Ok(AtPolice));
    }

    #[test]
    fn deadlines_restart_when_someone_new_owes_an_answer() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let due = NaiveDate::from_ymd_opt(2026, 3, 11).unwrap();
        assert_eq!(deadline(Raise, d, 10, None), Some(due));
        assert_eq!(deadline(Forward, d, 10, Some(d)), Some(due));
        assert_eq!(deadline(Assign, d, 10, Some(d)), Some(d));
        assert!(is_overdue(AtPolice, Some(d), due));
        assert!(!is_overdue(AtPolice, Some(due), due), "due today is not yet overdue");
        assert!(!is_overdue(Decided, Some(d), due));
    }

    #[test]
    fn parameters_are_checked() {
        assert!(OperationsParams::default().problems().is_empty());
        let bad = OperationsParams { escalation_response_days: 0, ..Default::default() };
        assert_eq!(bad.problems()[0].0, "escalation_response_days");
    }
}
