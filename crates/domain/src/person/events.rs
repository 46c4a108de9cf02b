//! What the law suggests when something happens to a person under a measure, and the
//! deadlines when a user changes residence. A suggestion is a [`Proposal`] for an officer
//! to accept or reject with a decision; nothing here changes a record.

use super::{EpisodeKind, Regime, UnknownPersonValue, parse_stored};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Something recorded about a person that may call for a new measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Tự ý chấm dứt cai nghiện tự nguyện: left voluntary rehab (home, community or
    /// facility) before its end.
    QuitVoluntaryRehab,
    /// Vi phạm cai nghiện tự nguyện: broke the obligations of voluntary rehab (using drugs
    /// during it, for instance).
    ViolatedVoluntaryRehab,
    /// Bỏ điều trị thay thế: dropped out of or was expelled from substitution therapy.
    LeftSubstitutionTherapy,
    /// Tái nghiện trong thời gian quản lý sau cai: relapsed during post-rehab management.
    RelapsedInPostRehab,
    /// Xét nghiệm dương tính: a positive test. Recorded for the history; what follows
    /// depends on the person's situation, which an officer judges, so no proposal.
    TestedPositive,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 5] = [
        Self::QuitVoluntaryRehab,
        Self::ViolatedVoluntaryRehab,
        Self::LeftSubstitutionTherapy,
        Self::RelapsedInPostRehab,
        Self::TestedPositive,
    ];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QuitVoluntaryRehab => "quit_voluntary_rehab",
            Self::ViolatedVoluntaryRehab => "violated_voluntary_rehab",
            Self::LeftSubstitutionTherapy => "left_substitution_therapy",
            Self::RelapsedInPostRehab => "relapsed_in_post_rehab",
            Self::TestedPositive => "tested_positive",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::QuitVoluntaryRehab => "Tự ý chấm dứt cai nghiện tự nguyện",
            Self::ViolatedVoluntaryRehab => "Vi phạm quy định cai nghiện tự nguyện",
            Self::LeftSubstitutionTherapy => "Bỏ hoặc bị đưa ra khỏi điều trị thay thế",
            Self::RelapsedInPostRehab => "Tái sử dụng ma túy trong thời gian quản lý sau cai",
            Self::TestedPositive => "Xét nghiệm dương tính với chất ma túy",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::QuitVoluntaryRehab => "Quit voluntary rehab",
            Self::ViolatedVoluntaryRehab => "Violated voluntary rehab",
            Self::LeftSubstitutionTherapy => "Dropped out of substitution therapy",
            Self::RelapsedInPostRehab => "Relapsed during post-rehab management",
            Self::TestedPositive => "Tested positive",
        }
    }

    /// Whether DOMAIN.md states this trigger for compulsory rehab under `regime`. The
    /// table lists all four triggers under Law 73/2021; under Law 120/2025 it repeats
    /// only the substitution-therapy one ("same"), so the other three are carried over
    /// but unconfirmed.
    fn confirmed_trigger(self, regime: Regime) -> bool {
        match regime {
            Regime::Law73_2021 => true,
            Regime::Law120_2025 => self == Self::LeftSubstitutionTherapy,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = UnknownPersonValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "person event", s)
    }
}

/// A dated event in a person's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonEvent {
    /// The day it happened (Vietnam calendar).
    pub on: NaiveDate,
    /// What happened.
    pub kind: EventKind,
}

/// A measure the law suggests after an event, for an officer to decide on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The date of the triggering event.
    pub on: NaiveDate,
    /// The triggering event.
    pub trigger: EventKind,
    /// The measure proposed.
    pub to: EpisodeKind,
    /// The regime in force on the event date, whose rule is cited.
    pub regime: Regime,
    /// The legal basis in Vietnamese: the law and the trigger.
    pub legal_basis_vi: String,
    /// The legal basis in English.
    pub legal_basis_en: String,
    /// `false` when the trigger is carried over from Law 73/2021 without a confirmed
    /// counterpart in the regime in force; the UI shows it as unconfirmed.
    pub confirmed: bool,
}

fn legal_basis(trigger: EventKind, regime: Regime, confirmed: bool) -> (String, String) {
    let (case_vi, case_en) = match trigger {
        EventKind::QuitVoluntaryRehab => {
            ("người tự ý chấm dứt cai nghiện tự nguyện", "a person who quits voluntary rehab")
        }
        EventKind::ViolatedVoluntaryRehab => (
            "người vi phạm quy định khi đang cai nghiện tự nguyện",
            "a person who violates the rules of voluntary rehab",
        ),
        EventKind::LeftSubstitutionTherapy => (
            "người bỏ hoặc bị đưa ra khỏi điều trị nghiện bằng thuốc thay thế",
            "a person who drops out of, or is removed from, substitution therapy",
        ),
        EventKind::RelapsedInPostRehab => (
            "người tái sử dụng ma túy trong thời gian quản lý sau cai nghiện",
            "a person who relapses during post-rehab management",
        ),
        // Never called for it: no proposal follows a positive test.
        EventKind::TestedPositive => ("", ""),
    };
    let mut vi = format!(
        "{}: {} thuộc diện xem xét đề nghị áp dụng biện pháp cai nghiện bắt buộc (người từ đủ 18 tuổi).",
        regime.label_vi(),
        case_vi
    );
    let mut en = format!(
        "{}: {} may be proposed for compulsory rehab (persons aged 18 and over).",
        regime.label_en(),
        case_en
    );
    if !confirmed {
        vi.push_str(" Căn cứ này lấy từ Luật số 73/2021/QH14; quy định tương ứng của luật đang có hiệu lực chưa được xác nhận.");
        en.push_str(" This trigger is taken from Law 73/2021/QH14; the corresponding rule of the law in force is not confirmed.");
    }
    (vi, en)
}

/// The measures the law suggests after each event, in date order. Every trigger DOMAIN.md
/// names (quitting or violating voluntary rehab, leaving substitution therapy, relapse in
/// post-rehab management) proposes compulsory rehab under the regime in force on the event
/// date; the age condition (18 and over) and the decision itself stay with the officer.
pub fn proposals(events: &[PersonEvent]) -> Vec<Proposal> {
    let mut out: Vec<Proposal> = events
        .iter()
        .filter(|e| e.kind != EventKind::TestedPositive)
        .map(|e| {
            let regime = Regime::for_decision(e.on);
            let confirmed = e.kind.confirmed_trigger(regime);
            let (legal_basis_vi, legal_basis_en) = legal_basis(e.kind, regime, confirmed);
            Proposal {
                on: e.on,
                trigger: e.kind,
                to: EpisodeKind::CompulsoryRehab,
                regime,
                legal_basis_vi,
                legal_basis_en,
                confirmed,
            }
        })
        .collect();
    out.sort_by_key(|p| p.on);
    out
}

/// Hours a user who moves has to report at the new place of residence (Law 120/2025).
pub const TRANSFER_REPORT_HOURS: i64 = 24;
/// Hours the commune police of the old place have to notify the receiving commune
/// (Law 120/2025).
pub const TRANSFER_NOTIFY_HOURS: i64 = 24;

fn deadline(from: DateTime<Utc>, hours: i64, regime: Regime) -> Option<DateTime<Utc>> {
    match regime {
        Regime::Law73_2021 => None,
        Regime::Law120_2025 => from.checked_add_signed(TimeDelta::hours(hours)),
    }
}

/// By when a user who moved at `moved_at` must report at the new place: 24 hours later
/// under Law 120/2025; `None` under Law 73/2021, which sets no such deadline. Pass
/// `Regime::at(moved_at)` to follow the date of the move.
pub fn transfer_report_deadline(moved_at: DateTime<Utc>, regime: Regime) -> Option<DateTime<Utc>> {
    deadline(moved_at, TRANSFER_REPORT_HOURS, regime)
}

/// By when the commune police must notify the receiving commune: 24 hours after
/// `known_at` under Law 120/2025, `None` before. The clock starts when the police learn of
/// the move; when only the moving time is known, pass it, which gives the earliest (the
/// strictest) deadline.
pub fn transfer_notification_deadline(known_at: DateTime<Utc>, regime: Regime) -> Option<DateTime<Utc>> {
    deadline(known_at, TRANSFER_NOTIFY_HOURS, regime)
}

/// Whether an obligation with `deadline` is overdue at `now`: done after the deadline, or
/// not done and the deadline has passed. Doing it exactly at the deadline is on time. No
/// deadline, never overdue.
pub fn is_transfer_overdue(
    deadline: Option<DateTime<Utc>>,
    done_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match (deadline, done_at) {
        (None, _) => false,
        (Some(d), Some(done)) => done > d,
        (Some(d), None) => now > d,
    }
}
