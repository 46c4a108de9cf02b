//! The 17 emerging hot spot categories and the rules that assign them.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind};
use crate::stats::MannKendall;

/// The pattern of a location over time (ANALYTICS.md §1, "Categories").
///
/// The declaration order is the precedence order of the rules: each hot rule
/// comes just before its cold twin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Hot in the final step and never before.
    NewHot,
    /// Cold in the final step and never before.
    NewCold,
    /// A run of at least two hot final steps, hot nowhere else, under 90% of
    /// steps.
    ConsecutiveHot,
    /// The cold twin of [`Category::ConsecutiveHot`].
    ConsecutiveCold,
    /// Hot in ≥ 90% of steps including the final one, z rising significantly.
    IntensifyingHot,
    /// Cold in ≥ 90% of steps including the final one, z falling
    /// significantly (growing colder).
    IntensifyingCold,
    /// Hot in ≥ 90% of steps including the final one, z falling
    /// significantly.
    DiminishingHot,
    /// Cold in ≥ 90% of steps including the final one, z rising
    /// significantly.
    DiminishingCold,
    /// Hot in ≥ 90% of steps including the final one, no significant trend.
    PersistentHot,
    /// The cold twin of [`Category::PersistentHot`].
    PersistentCold,
    /// Hot in ≥ 90% of steps but not the final one.
    HistoricalHot,
    /// The cold twin of [`Category::HistoricalHot`].
    HistoricalCold,
    /// Hot in the final step, cold at some step, hot in under 90% of steps.
    OscillatingHot,
    /// Cold in the final step, hot at some step, cold in under 90% of steps.
    OscillatingCold,
    /// Hot in the final step, never cold, hot in under 90% of steps (and not
    /// new or consecutive).
    SporadicHot,
    /// The cold twin of [`Category::SporadicHot`].
    SporadicCold,
    /// None of the above.
    NoPattern,
}

impl Category {
    /// Every category, in precedence order.
    pub const ALL: [Category; 17] = [
        Self::NewHot,
        Self::NewCold,
        Self::ConsecutiveHot,
        Self::ConsecutiveCold,
        Self::IntensifyingHot,
        Self::IntensifyingCold,
        Self::DiminishingHot,
        Self::DiminishingCold,
        Self::PersistentHot,
        Self::PersistentCold,
        Self::HistoricalHot,
        Self::HistoricalCold,
        Self::OscillatingHot,
        Self::OscillatingCold,
        Self::SporadicHot,
        Self::SporadicCold,
        Self::NoPattern,
    ];

    /// The name used in output files: `NEW_HOT`, `CONSECUTIVE_COLD`, …,
    /// `NO_PATTERN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewHot => "NEW_HOT",
            Self::NewCold => "NEW_COLD",
            Self::ConsecutiveHot => "CONSECUTIVE_HOT",
            Self::ConsecutiveCold => "CONSECUTIVE_COLD",
            Self::IntensifyingHot => "INTENSIFYING_HOT",
            Self::IntensifyingCold => "INTENSIFYING_COLD",
            Self::DiminishingHot => "DIMINISHING_HOT",
            Self::DiminishingCold => "DIMINISHING_COLD",
            Self::PersistentHot => "PERSISTENT_HOT",
            Self::PersistentCold => "PERSISTENT_COLD",
            Self::HistoricalHot => "HISTORICAL_HOT",
            Self::HistoricalCold => "HISTORICAL_COLD",
            Self::OscillatingHot => "OSCILLATING_HOT",
            Self::OscillatingCold => "OSCILLATING_COLD",
            Self::SporadicHot => "SPORADIC_HOT",
            Self::SporadicCold => "SPORADIC_COLD",
            Self::NoPattern => "NO_PATTERN",
        }
    }

    /// The Vietnamese label shown to users (điểm nóng: hot spot; điểm lạnh:
    /// cold spot).
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::NewHot => "Điểm nóng mới",
            Self::NewCold => "Điểm lạnh mới",
            Self::ConsecutiveHot => "Điểm nóng liên tiếp",
            Self::ConsecutiveCold => "Điểm lạnh liên tiếp",
            Self::IntensifyingHot => "Điểm nóng gia tăng",
            Self::IntensifyingCold => "Điểm lạnh gia tăng",
            Self::DiminishingHot => "Điểm nóng suy giảm",
            Self::DiminishingCold => "Điểm lạnh suy giảm",
            Self::PersistentHot => "Điểm nóng dai dẳng",
            Self::PersistentCold => "Điểm lạnh dai dẳng",
            Self::HistoricalHot => "Điểm nóng trong quá khứ",
            Self::HistoricalCold => "Điểm lạnh trong quá khứ",
            Self::OscillatingHot => "Điểm nóng dao động",
            Self::OscillatingCold => "Điểm lạnh dao động",
            Self::SporadicHot => "Điểm nóng rải rác",
            Self::SporadicCold => "Điểm lạnh rải rác",
            Self::NoPattern => "Không có xu hướng",
        }
    }

    /// Whether this is one of the eight hot categories.
    pub fn is_hot(self) -> bool {
        matches!(
            self,
            Self::NewHot
                | Self::ConsecutiveHot
                | Self::IntensifyingHot
                | Self::DiminishingHot
                | Self::PersistentHot
                | Self::HistoricalHot
                | Self::OscillatingHot
                | Self::SporadicHot
        )
    }

    /// Whether this is one of the eight cold categories.
    pub fn is_cold(self) -> bool {
        self != Self::NoPattern && !self.is_hot()
    }

    /// Assigns the category of a location from its per-step hot and cold
    /// flags (hot = significant with z > 0, cold = significant with z < 0;
    /// both slices have one entry per step, the final step last) and the
    /// Mann–Kendall test of its z series. The first matching rule wins, in
    /// the order of [`Category::ALL`].
    ///
    /// ```
    /// use diaban_analytics::{Category, stats::mann_kendall};
    /// let hot = [false, false, true];
    /// let cold = [false; 3];
    /// let trend = mann_kendall(&[0.1, 0.2, 3.0]);
    /// assert_eq!(Category::classify(&hot, &cold, &trend), Category::NewHot);
    /// ```
    pub fn classify(hot: &[bool], cold: &[bool], trend: &MannKendall) -> Category {
        let n = hot.len().min(cold.len());
        if n == 0 {
            return Self::NoPattern;
        }
        let (hot, cold) = (&hot[..n], &cold[..n]);
        let h = hot.iter().filter(|&&b| b).count();
        let c = cold.iter().filter(|&&b| b).count();
        let run_hot = hot.iter().rev().take_while(|&&b| b).count();
        let run_cold = cold.iter().rev().take_while(|&&b| b).count();
        let (hot_last, cold_last) = (hot[n - 1], cold[n - 1]);
        // fH ≥ 0.9 in integers, so no rounding question arises at exactly 90%.
        let mostly_hot = 10 * h >= 9 * n;
        let mostly_cold = 10 * c >= 9 * n;
        let trend_up = trend.significant() && trend.tau > 0.0;
        let trend_down = trend.significant() && trend.tau < 0.0;

        let rules = [
            (hot_last && h == 1, Self::NewHot),
            (cold_last && c == 1, Self::NewCold),
            (run_hot >= 2 && h == run_hot && !mostly_hot, Self::ConsecutiveHot),
            (run_cold >= 2 && c == run_cold && !mostly_cold, Self::ConsecutiveCold),
            (mostly_hot && hot_last && trend_up, Self::IntensifyingHot),
            (mostly_cold && cold_last && trend_down, Self::IntensifyingCold),
            (mostly_hot && hot_last && trend_down, Self::DiminishingHot),
            (mostly_cold && cold_last && trend_up, Self::DiminishingCold),
            (mostly_hot && hot_last && !trend.significant(), Self::PersistentHot),
            (mostly_cold && cold_last && !trend.significant(), Self::PersistentCold),
            (!hot_last && mostly_hot, Self::HistoricalHot),
            (!cold_last && mostly_cold, Self::HistoricalCold),
            (hot_last && c >= 1 && !mostly_hot, Self::OscillatingHot),
            (cold_last && h >= 1 && !mostly_cold, Self::OscillatingCold),
            (hot_last && c == 0 && !mostly_hot, Self::SporadicHot),
            (cold_last && h == 0 && !mostly_cold, Self::SporadicCold),
        ];
        rules
            .into_iter()
            .find_map(|(matches, category)| matches.then_some(category))
            .unwrap_or(Self::NoPattern)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::new(ErrorKind::InvalidParameter, format!("unknown category {s:?}")))
    }
}
