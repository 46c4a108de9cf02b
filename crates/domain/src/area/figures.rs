//! The figures behind plan targets T3 (≥60% of selected areas transformed) and T4
//! (≥85% of transformed areas not relapsed), from the dated state histories of areas.

use super::{AreaState, TransitionError, transition};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The dated states of one area in the programme; the first entry is its selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaHistory {
    /// The states with the dates they took effect, in order.
    pub transitions: Vec<(NaiveDate, AreaState)>,
}

/// Why a stored area history does not follow the programme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaHistoryError {
    /// No state at all.
    #[error("an area history needs at least its selection")]
    Empty,
    /// The first state is not the selection.
    #[error("an area history must start with 'selected', not '{0}'")]
    NotSelectedFirst(AreaState),
    /// A transition dated before the one it follows.
    #[error("transition {index} ({date}) is dated before the previous one ({previous})")]
    OutOfOrder {
        /// Position, from 0.
        index: usize,
        /// Its date.
        date: NaiveDate,
        /// The previous date.
        previous: NaiveDate,
    },
    /// A step the programme does not allow.
    #[error("transition {index}: {error}")]
    Step {
        /// Position, from 0.
        index: usize,
        /// The refused step.
        error: TransitionError,
    },
}

impl AreaHistoryError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        use crate::time::format_date as fd;
        match self {
            Self::Empty => "Lịch sử của địa bàn phải có ít nhất quyết định lựa chọn.".to_owned(),
            Self::NotSelectedFirst(s) => format!(
                "Lịch sử của địa bàn phải bắt đầu bằng «{}», không phải «{}».",
                AreaState::Selected.label_vi(),
                s.label_vi()
            ),
            Self::OutOfOrder { index, date, previous } => format!(
                "Bước chuyển thứ {} (ngày {}) có ngày sớm hơn bước trước đó (ngày {}).",
                index + 1,
                fd(*date),
                fd(*previous)
            ),
            Self::Step { index, error } => {
                format!("Bước chuyển thứ {}: {}", index + 1, error.message_vi())
            }
        }
    }
}

impl AreaHistory {
    /// The state in force at the end of day `at` (the latest entry dated on or before
    /// it; on one date, the last in the list); `None` before selection.
    pub fn state_at(&self, at: NaiveDate) -> Option<AreaState> {
        let mut best: Option<(NaiveDate, AreaState)> = None;
        for &(date, state) in &self.transitions {
            if date <= at && best.is_none_or(|(d, _)| date >= d) {
                best = Some((date, state));
            }
        }
        best.map(|(_, s)| s)
    }

    /// Checks the history: starts with the selection, in date order, every step allowed.
    pub fn check(&self) -> Result<(), AreaHistoryError> {
        let Some(&first) = self.transitions.first() else {
            return Err(AreaHistoryError::Empty);
        };
        if first.1 != AreaState::Selected {
            return Err(AreaHistoryError::NotSelectedFirst(first.1));
        }
        let mut previous = first;
        for (index, &(date, state)) in self.transitions.iter().enumerate().skip(1) {
            if date < previous.0 {
                return Err(AreaHistoryError::OutOfOrder { index, date, previous: previous.0 });
            }
            transition(previous.1, state).map_err(|error| AreaHistoryError::Step { index, error })?;
            previous = (date, state);
        }
        Ok(())
    }

    fn selected_on(&self) -> Option<NaiveDate> {
        self.transitions.iter().map(|&(d, _)| d).min()
    }

    fn first_dated(&self, state: AreaState) -> Option<NaiveDate> {
        self.transitions.iter().filter(|&&(_, s)| s == state).map(|&(d, _)| d).min()
    }
}

/// The T3 and T4 figures at the end of a day. Dates are read as ends of days: an entry
/// dated on `at` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct T3T4 {
    /// Areas selected on or before `at` (their first entry is dated on or before it).
    pub selected: usize,
    /// Of those, areas recognised as transformed on or before `at`, whatever happened
    /// after (a relapsed area was still transformed, for T3).
    pub transformed: usize,
    /// Transformed areas whose non-relapse window has ended by `at`: recognition date
    /// plus the monitoring months on or before `at`. The window runs from recognition,
    /// not from the `monitoring` entry, so a late entry does not stretch it.
    pub transformed_past_window: usize,
    /// Transformed areas with a relapse dated on or after recognition, on or before the
    /// window's last day and on or before `at`, whether or not the window has ended (an
    /// early warning). A relapse recorded after the window does not count.
    pub relapsed_within_window: usize,
    /// Transformed areas whose window has ended by `at` with no relapse recorded at any
    /// time from recognition to `at` (within the window or after it): the T4 numerator.
    /// Areas still inside their window are not yet counted as a success.
    pub not_relapsed_after_window: usize,
    /// Transformed areas with a relapse dated on or after recognition and on or before
    /// `at`, inside the window or after it.
    pub relapsed_ever: usize,
}

impl T3T4 {
    /// T3 as a share (0.0–1.0): transformed / selected; `None` with nothing selected.
    pub fn t3(&self) -> Option<f64> {
        (self.selected > 0).then(|| self.transformed as f64 / self.selected as f64)
    }

    /// T4 as a share (0.0–1.0), as DOMAIN.md §1 defines it: transformed areas that went
    /// through their window and have not relapsed / areas transformed; `None` while none
    /// is transformed.
    pub fn t4(&self) -> Option<f64> {
        (self.transformed > 0).then(|| self.not_relapsed_after_window as f64 / self.transformed as f64)
    }
}

/// Computes the T3 and T4 figures at the end of day `at` with a non-relapse window of
/// `monitoring_months` (normally [`super::AreaParams::monitoring_months`]). See [`T3T4`]
/// for exactly what each figure counts. Histories are read as given; run
/// [`AreaHistory::check`] on import to refuse bad ones.
pub fn transformation_figures(areas: &[AreaHistory], at: NaiveDate, monitoring_months: u32) -> T3T4 {
    let mut f = T3T4::default();
    for area in areas {
        if area.selected_on().is_none_or(|d| d > at) {
            continue;
        }
        f.selected += 1;
        let Some(transformed_on) = area.first_dated(AreaState::Transformed).filter(|d| *d <= at) else {
            continue;
        };
        f.transformed += 1;
        // Beyond chrono's calendar the window never ends.
        let window_end = transformed_on.checked_add_months(Months::new(monitoring_months));
        let relapsed = area.transitions.iter().any(|&(d, s)| {
            s == AreaState::Relapsed
                && d >= transformed_on
                && d <= at
                && window_end.is_none_or(|end| d <= end)
        });
        let relapsed_ever =
            area.transitions.iter().any(|&(d, s)| s == AreaState::Relapsed && d >= transformed_on && d <= at);
        if relapsed {
            f.relapsed_within_window += 1;
        }
        if relapsed_ever {
            f.relapsed_ever += 1;
        }
        if window_end.is_some_and(|end| end <= at) {
            f.transformed_past_window += 1;
            if !relapsed_ever {
                f.not_relapsed_after_window += 1;
            }
        }
    }
    f
}
