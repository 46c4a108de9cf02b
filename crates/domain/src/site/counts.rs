//! The counts behind plan targets T1 (points and clusters fall by ≥5% a year) and T2
//! (≥80% of the hot spots listed at the baseline eliminated), computed from the dated
//! state histories of sites. Pure: the store loads the histories, the analytics crate
//! turns the counts into rates and statuses.

use super::{SiteKind, SiteState, TransitionError, transition};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The dated states of one site, as the counts need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteHistory {
    /// Point, cluster or risk point.
    pub kind: SiteKind,
    /// Điểm nóng: flagged by the leadership for priority elimination. The flag is taken
    /// as it stands now (its own history is not modelled): the baseline list of hot spots
    /// is what the leadership flagged.
    pub hot_spot: bool,
    /// The states with the dates they took effect; the first entry is the state the site
    /// was created in. On one date, a later entry overrides an earlier one.
    pub transitions: Vec<(NaiveDate, SiteState)>,
}

/// Why a stored history does not follow the lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    /// No state at all.
    #[error("a site history needs at least its creation state")]
    Empty,
    /// A transition is dated before the one it follows.
    #[error("transition {index} ({date}) is dated before the previous one ({previous})")]
    OutOfOrder {
        /// Position in the list, from 0.
        index: usize,
        /// Its date.
        date: NaiveDate,
        /// The date of the transition before it.
        previous: NaiveDate,
    },
    /// A step the lifecycle does not allow.
    #[error("transition {index}: {error}")]
    Step {
        /// Position in the list, from 0.
        index: usize,
        /// The refused step.
        error: TransitionError,
    },
}

impl HistoryError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Empty => "Lịch sử của điểm phải có ít nhất trạng thái ban đầu.".to_owned(),
            Self::OutOfOrder { index, date, previous } => format!(
                "Bước chuyển thứ {} (ngày {}) có ngày sớm hơn bước trước đó (ngày {}).",
                index + 1,
                crate::time::format_date(*date),
                crate::time::format_date(*previous)
            ),
            Self::Step { index, error } => {
                format!("Bước chuyển thứ {}: {}", index + 1, error.message_vi())
            }
        }
    }
}

impl SiteHistory {
    /// The state in force at the end of day `at`: that of the latest transition dated on
    /// or before `at` (for several on that date, the last in the list). `None` when the
    /// site did not exist yet. Works on unsorted lists too.
    pub fn state_at(&self, at: NaiveDate) -> Option<SiteState> {
        let mut best: Option<(NaiveDate, SiteState)> = None;
        for &(date, state) in &self.transitions {
            if date <= at && best.is_none_or(|(d, _)| date >= d) {
                best = Some((date, state));
            }
        }
        best.map(|(_, s)| s)
    }

    /// Checks that the history is in date order and every step is allowed.
    pub fn check(&self) -> Result<(), HistoryError> {
        let Some(first) = self.transitions.first() else {
            return Err(HistoryError::Empty);
        };
        let mut previous = *first;
        for (index, &(date, state)) in self.transitions.iter().enumerate().skip(1) {
            if date < previous.0 {
                return Err(HistoryError::OutOfOrder { index, date, previous: previous.0 });
            }
            transition(previous.1, state).map_err(|error| HistoryError::Step { index, error })?;
            previous = (date, state);
        }
        Ok(())
    }

    fn counts_as_hot_spot(&self) -> bool {
        self.hot_spot && self.kind.is_point_or_cluster()
    }

    /// Whether a transition into `eliminated` is dated after `after` and on or before
    /// `until`.
    fn eliminated_between(&self, after: NaiveDate, until: NaiveDate) -> bool {
        self.transitions.iter().any(|&(d, s)| s == SiteState::Eliminated && d > after && d <= until)
    }
}

/// What [`site_counts`] returns. Every date is read as the end of that day: a transition
/// dated on `at` or on `baseline` has taken effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SiteCounts {
    /// Points and clusters (risk points excluded) whose state at `at` is listed, under
    /// action or re-formed. The T1 figure for a year is this count at the year's end.
    pub active_points_and_clusters: usize,
    /// Points and clusters flagged as hot spots whose state at `baseline` was listed,
    /// under action or re-formed: the T2 denominator. A hot spot reported but not yet
    /// verified at the baseline is not in it; nor is one already eliminated by then.
    pub hot_spots_at_baseline: usize,
    /// Of those, the ones that have a transition into `eliminated` dated after `baseline`
    /// and on or before `at`, and whose state at `at` is eliminated, monitoring or closed
    /// (a hot spot eliminated and then re-formed does not count until it is eliminated
    /// again). The T2 numerator. Zero when `at` is on or before `baseline`.
    pub hot_spots_eliminated_since_baseline: usize,
}

impl SiteCounts {
    /// T2 as a share (0.0–1.0): eliminated hot spots over hot spots at the baseline;
    /// `None` when there were none at the baseline.
    pub fn hot_spot_elimination_share(&self) -> Option<f64> {
        (self.hot_spots_at_baseline > 0)
            .then(|| self.hot_spots_eliminated_since_baseline as f64 / self.hot_spots_at_baseline as f64)
    }
}

impl fmt::Display for SiteCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} active points and clusters; {} of {} baseline hot spots eliminated",
            self.active_points_and_clusters,
            self.hot_spots_eliminated_since_baseline,
            self.hot_spots_at_baseline
        )
    }
}

/// Counts sites for targets T1 and T2 at the end of day `at`, against the plan baseline
/// `baseline` (for KH 3220, the date the baseline list was drawn up). See [`SiteCounts`]
/// for exactly what each field counts. Histories are read as given, not checked: run
/// [`SiteHistory::check`] on import to refuse bad ones.
pub fn site_counts(histories: &[SiteHistory], at: NaiveDate, baseline: NaiveDate) -> SiteCounts {
    let mut counts = SiteCounts::default();
    for h in histories {
        let now = h.state_at(at);
        if h.kind.is_point_or_cluster() && now.is_some_and(SiteState::is_active) {
            counts.active_points_and_clusters += 1;
        }
        if !h.counts_as_hot_spot() || !h.state_at(baseline).is_some_and(SiteState::is_active) {
            continue;
        }
        counts.hot_spots_at_baseline += 1;
        if now.is_some_and(SiteState::is_eliminated_or_later) && h.eliminated_between(baseline, at) {
            counts.hot_spots_eliminated_since_baseline += 1;
        }
    }
    counts
}
