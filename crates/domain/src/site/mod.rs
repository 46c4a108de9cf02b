//! Drug sites (điểm, tụ điểm, điểm nguy cơ về ma túy): their kinds, the lifecycle from a
//! report to closure, the parameters a province sets (monitoring window, re-formation
//! radius, cluster size), the schedule of checks after elimination, coordinate checks,
//! and the counts behind plan targets T1 and T2. The store keeps the dated transitions
//! with who made them and on what evidence; this module only says which transitions are
//! allowed and what a set of histories adds up to.

mod counts;
mod geo;
#[cfg(test)]
mod tests;

pub use counts::{HistoryError, SiteCounts, SiteHistory, site_counts};
pub use geo::{CoordinateError, EARTH_RADIUS_M, LatLon, haversine_m, in_vietnam};

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A stored name that does not belong to the enumeration it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}': expected one of {allowed}")]
pub struct UnknownSiteValue {
    /// What was being parsed ("site kind", "site state").
    pub what: &'static str,
    /// The text that did not match.
    pub value: String,
    /// The accepted names, comma-separated.
    pub allowed: String,
}

pub(crate) fn parse_stored<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    what: &'static str,
    s: &str,
) -> Result<T, UnknownSiteValue> {
    all.iter().copied().find(|v| name(*v) == s).ok_or_else(|| UnknownSiteValue {
        what,
        value: s.to_owned(),
        allowed: all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", "),
    })
}

/// The kind of a drug site. Official numeric definitions are not public, so the working
/// definitions below are the province's, and the one number in them (the cluster size)
/// is a parameter ([`SiteParams::cluster_min_subjects`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// Điểm phức tạp về ma túy: a fixed place where illegal selling or use happens
    /// repeatedly, tied to one or a few subjects.
    Point,
    /// Tụ điểm phức tạp về ma túy: a place where several subjects gather regularly to
    /// buy, sell or use.
    Cluster,
    /// Điểm nguy cơ: a place at risk of becoming a point or cluster (an abandoned house,
    /// a conditional business with violations). Not counted in target T1.
    RiskPoint,
}

impl SiteKind {
    /// Every kind, in display order.
    pub const ALL: [SiteKind; 3] = [Self::Point, Self::Cluster, Self::RiskPoint];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Point => "point",
            Self::Cluster => "cluster",
            Self::RiskPoint => "risk_point",
        }
    }

    /// The Vietnamese label shown to officials.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Point => "Điểm phức tạp về ma túy",
            Self::Cluster => "Tụ điểm phức tạp về ma túy",
            Self::RiskPoint => "Điểm nguy cơ",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Point => "Drug point",
            Self::Cluster => "Drug cluster",
            Self::RiskPoint => "Risk point",
        }
    }

    /// Whether sites of this kind count towards target T1 and can be hot spots: the plan
    /// speaks of points and clusters only, risk points are tracked separately.
    pub fn is_point_or_cluster(self) -> bool {
        matches!(self, Self::Point | Self::Cluster)
    }
}

impl fmt::Display for SiteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SiteKind {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "site kind", s)
    }
}

/// Where a site stands in its lifecycle.
///
/// The graph (every step is dated and justified in the store):
///
/// ```text
/// reported ─┬─> listed ──> under_action ──> eliminated ──> monitoring ─┬─> closed
///           └─> dismissed        ^                                     └─> reformed
///                                └──────────── listed <────────────────────────┘
/// ```
///
/// DOMAIN.md gives the main line and the re-formation loop. It says nothing about a
/// report that verification finds baseless; `dismissed` is added for that case, reachable
/// from `reported` only, so that such reports end cleanly instead of staying open forever.
/// `closed` and `dismissed` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteState {
    /// Tiếp nhận tin báo, nghi vấn: reported or suspected, not yet verified.
    Reported,
    /// Đã xác minh, đưa vào danh sách: verified and on the list to be dealt with.
    Listed,
    /// Đang đấu tranh, triệt xóa: an operation against it is under way.
    UnderAction,
    /// Đã triệt xóa: the subjects were dealt with and the activity stopped.
    Eliminated,
    /// Đang theo dõi sau triệt xóa: inside the monitoring window after elimination.
    Monitoring,
    /// Đã kết thúc theo dõi: the window passed with no recurrence (sustained). Final.
    Closed,
    /// Tái hình thành: activity recurred at the same place within the window.
    Reformed,
    /// Loại bỏ: verification found the report baseless. Final. Not in DOMAIN.md.
    Dismissed,
}

impl SiteState {
    /// Every state, in lifecycle order.
    pub const ALL: [SiteState; 8] = [
        Self::Reported,
        Self::Listed,
        Self::UnderAction,
        Self::Eliminated,
        Self::Monitoring,
        Self::Closed,
        Self::Reformed,
        Self::Dismissed,
    ];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::Listed => "listed",
            Self::UnderAction => "under_action",
            Self::Eliminated => "eliminated",
            Self::Monitoring => "monitoring",
            Self::Closed => "closed",
            Self::Reformed => "reformed",
            Self::Dismissed => "dismissed",
        }
    }

    /// The Vietnamese label shown to officials.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Reported => "Tiếp nhận tin báo, nghi vấn",
            Self::Listed => "Đã xác minh, đưa vào danh sách",
            Self::UnderAction => "Đang đấu tranh, triệt xóa",
            Self::Eliminated => "Đã triệt xóa",
            Self::Monitoring => "Đang theo dõi sau triệt xóa",
            Self::Closed => "Kết thúc theo dõi (bền vững)",
            Self::Reformed => "Tái hình thành",
            Self::Dismissed => "Loại bỏ (tin báo không có cơ sở)",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Reported => "Reported / suspected",
            Self::Listed => "Verified and listed",
            Self::UnderAction => "Under action",
            Self::Eliminated => "Eliminated",
            Self::Monitoring => "Monitoring after elimination",
            Self::Closed => "Closed (sustained)",
            Self::Reformed => "Re-formed",
            Self::Dismissed => "Dismissed (baseless report)",
        }
    }

    /// The states a site in this state may move to next; empty for final states.
    pub fn allowed_next(self) -> &'static [SiteState] {
        use SiteState::*;
        match self {
            Reported => &[Listed, Dismissed],
            Listed => &[UnderAction],
            UnderAction => &[Eliminated],
            Eliminated => &[Monitoring],
            Monitoring => &[Closed, Reformed],
            Reformed => &[Listed],
            Closed | Dismissed => &[],
        }
    }

    /// Whether no transition leaves this state.
    pub fn is_final(self) -> bool {
        self.allowed_next().is_empty()
    }

    /// Whether a point or cluster in this state is an active problem for target T1:
    /// listed, under action, or re-formed (a re-formed site is active again before it
    /// is re-listed).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Listed | Self::UnderAction | Self::Reformed)
    }

    /// Whether the site has been eliminated and not re-formed since: eliminated,
    /// monitoring or closed. These states are reachable only through elimination.
    pub fn is_eliminated_or_later(self) -> bool {
        matches!(self, Self::Eliminated | Self::Monitoring | Self::Closed)
    }
}

impl fmt::Display for SiteState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SiteState {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "site state", s)
    }
}

/// A state change the lifecycle does not allow. The English text is the `Display`;
/// [`TransitionError::message_vi`] gives the Vietnamese one. Both list the allowed targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub struct TransitionError {
    /// The state the site is in.
    pub from: SiteState,
    /// The state that was asked for.
    pub to: SiteState,
}

impl TransitionError {
    /// The states that would have been accepted.
    pub fn allowed(&self) -> &'static [SiteState] {
        self.from.allowed_next()
    }

    /// The message in Vietnamese, for officials.
    pub fn message_vi(&self) -> String {
        let allowed = self.allowed();
        if allowed.is_empty() {
            return format!(
                "Không thể chuyển điểm sang trạng thái «{}»: «{}» là trạng thái cuối cùng.",
                self.to.label_vi(),
                self.from.label_vi()
            );
        }
        let list: Vec<String> = allowed.iter().map(|s| format!("«{}»", s.label_vi())).collect();
        format!(
            "Không thể chuyển điểm từ trạng thái «{}» sang «{}»; chỉ được chuyển sang: {}.",
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
            return write!(f, "a site cannot move to '{}': '{}' is a final state", self.to, self.from);
        }
        let list: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
        write!(
            f,
            "a site cannot move from '{}' to '{}': allowed next states are {}",
            self.from,
            self.to,
            list.join(", ")
        )
    }
}

/// Checks one step of the lifecycle. Staying in the same state is not a transition and
/// is refused too, so that every recorded step means something happened.
pub fn transition(from: SiteState, to: SiteState) -> Result<(), TransitionError> {
    if from.allowed_next().contains(&to) { Ok(()) } else { Err(TransitionError { from, to }) }
}

/// The province's settings for sites. None of these numbers is in a public text
/// (DOMAIN.md §3 marks them as parameters); `Default` gives DOMAIN.md's working values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteParams {
    /// How long an eliminated site is monitored before it can be closed (default 12).
    pub monitoring_months: u32,
    /// How often it is checked during that window (default every month).
    pub check_interval_months: u32,
    /// Activity within this distance of an eliminated site counts as re-formation
    /// (default 200 m).
    pub reformation_radius_m: f64,
    /// The fewest subjects that make a place a cluster rather than a point (default 3).
    pub cluster_min_subjects: u32,
    /// A site farther than this from the centre of its unit is flagged for a second look,
    /// because it is more likely a coordinate or unit error than a real site (default
    /// 15 km; unit centres are approximate, so this is a warning, not a rule).
    pub far_from_unit_centre_km: f64,
}

impl Default for SiteParams {
    fn default() -> Self {
        Self {
            monitoring_months: 12,
            check_interval_months: 1,
            reformation_radius_m: 200.0,
            cluster_min_subjects: 3,
            far_from_unit_centre_km: 15.0,
        }
    }
}

/// A setting in [`SiteParams`] that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SiteParamsError {
    /// The monitoring window or the check interval is zero.
    #[error("{field} must be at least 1 month, got 0")]
    ZeroMonths {
        /// The offending field.
        field: &'static str,
    },
    /// The check interval is longer than the window, so no check would fall inside it.
    #[error("check_interval_months ({interval}) must not exceed monitoring_months ({window})")]
    IntervalLongerThanWindow {
        /// The interval asked for.
        interval: u32,
        /// The window.
        window: u32,
    },
    /// A distance is zero, negative or not a number.
    #[error("{field} must be a positive number, got {value}")]
    NotPositive {
        /// The offending field.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// A cluster of one subject would make every point a cluster.
    #[error("cluster_min_subjects must be at least 2 (a cluster is several subjects), got {0}")]
    ClusterTooSmall(u32),
}

impl SiteParamsError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::ZeroMonths { field } => format!("Tham số {field} phải từ 1 tháng trở lên."),
            Self::IntervalLongerThanWindow { interval, window } => format!(
                "Chu kỳ kiểm tra ({interval} tháng) không được dài hơn thời gian theo dõi ({window} tháng)."
            ),
            Self::NotPositive { field, value } => {
                format!("Tham số {field} phải là số dương; giá trị đã nhập: {value}.")
            }
            Self::ClusterTooSmall(n) => format!(
                "Số đối tượng tối thiểu của tụ điểm phải từ 2 trở lên (tụ điểm gồm nhiều đối tượng); giá trị đã nhập: {n}."
            ),
        }
    }
}

impl SiteParams {
    /// Checks that the settings make sense together.
    pub fn validate(&self) -> Result<(), SiteParamsError> {
        if self.monitoring_months == 0 {
            return Err(SiteParamsError::ZeroMonths { field: "monitoring_months" });
        }
        if self.check_interval_months == 0 {
            return Err(SiteParamsError::ZeroMonths { field: "check_interval_months" });
        }
        if self.check_interval_months > self.monitoring_months {
            return Err(SiteParamsError::IntervalLongerThanWindow {
                interval: self.check_interval_months,
                window: self.monitoring_months,
            });
        }
        for (field, value) in [
            ("reformation_radius_m", self.reformation_radius_m),
            ("far_from_unit_centre_km", self.far_from_unit_centre_km),
        ] {
            // NaN is not finite, so it is caught here too.
            if !value.is_finite() || value <= 0.0 {
                return Err(SiteParamsError::NotPositive { field, value });
            }
        }
        if self.cluster_min_subjects < 2 {
            return Err(SiteParamsError::ClusterTooSmall(self.cluster_min_subjects));
        }
        Ok(())
    }

    /// Whether this many regular subjects make a place a cluster rather than a point.
    pub fn is_cluster_size(&self, subjects: u32) -> bool {
        subjects >= self.cluster_min_subjects
    }

    /// Whether a site lies suspiciously far from the centre of the unit it is filed under.
    pub fn is_far_from_unit_centre(&self, site: LatLon, unit_centre: LatLon) -> bool {
        site.distance_m(unit_centre) > self.far_from_unit_centre_km * 1000.0
    }

    /// Whether activity seen at `activity_at` on `activity_on` counts as re-formation of a
    /// site eliminated at `eliminated_at` on `eliminated_on`: within the radius (boundary
    /// included), after the elimination day and no later than the last day of the window.
    pub fn is_reformation(
        &self,
        eliminated_at: LatLon,
        eliminated_on: NaiveDate,
        activity_at: LatLon,
        activity_on: NaiveDate,
    ) -> bool {
        let Some(window_end) = monitoring_window_end(eliminated_on, self) else {
            // A window ending beyond chrono's calendar still contains any real date.
            return activity_on > eliminated_on
                && eliminated_at.distance_m(activity_at) <= self.reformation_radius_m;
        };
        activity_on > eliminated_on
            && activity_on <= window_end
            && eliminated_at.distance_m(activity_at) <= self.reformation_radius_m
    }
}

/// The last day of the monitoring window: the elimination date plus the window in
/// months, clamped to the end of a shorter month (31 Jan + 1 month = 28 or 29 Feb).
/// `None` only beyond the calendar chrono can represent.
pub fn monitoring_window_end(eliminated_on: NaiveDate, params: &SiteParams) -> Option<NaiveDate> {
    eliminated_on.checked_add_months(Months::new(params.monitoring_months))
}

/// The due dates of the periodic checks after elimination: one every
/// `check_interval_months` counted from the elimination date, up to the end of the
/// window; when the interval does not divide the window, a last check falls on the
/// window's end so that the window is always closed by a check.
///
/// Each date is computed from the elimination date, not from the previous due date, so
/// clamping does not drift: from 31 January the checks fall on 28/29 February, 31 March,
/// 30 April, 31 May… An interval of 0 gives no dates ([`SiteParams::validate`] refuses it).
pub fn monitoring_schedule(eliminated_on: NaiveDate, params: &SiteParams) -> Vec<NaiveDate> {
    let (window, interval) = (params.monitoring_months, params.check_interval_months);
    let mut due = Vec::new();
    if interval == 0 {
        return due;
    }
    let mut months = interval;
    while months <= window {
        match eliminated_on.checked_add_months(Months::new(months)) {
            Some(d) => due.push(d),
            None => return due,
        }
        months += interval;
    }
    if window % interval != 0
        && let Some(end) = eliminated_on.checked_add_months(Months::new(window))
    {
        due.push(end);
    }
    due
}

/// Whether a check due on `due` is overdue on `today`, allowing `grace_days` after the due
/// date: with no grace a check due on the 10th is overdue from the 11th.
pub fn is_overdue(due: NaiveDate, today: NaiveDate, grace_days: u32) -> bool {
    match due.checked_add_days(Days::new(u64::from(grace_days))) {
        Some(last_day) => today > last_day,
        // A grace period past the end of the calendar never runs out.
        None => false,
    }
}

/// How a linked person is involved in a site (the link is a reference: the person's
/// record keeps its own access rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectRole {
    /// Owns or runs the place.
    Owner,
    /// Uses drugs there.
    User,
    /// Sells drugs there.
    Dealer,
    /// Otherwise involved.
    Other,
}

impl SubjectRole {
    /// Every role, in display order.
    pub const ALL: [SubjectRole; 4] = [Self::Owner, Self::Dealer, Self::User, Self::Other];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::User => "user",
            Self::Dealer => "dealer",
            Self::Other => "other",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Owner => "Chủ địa điểm",
            Self::User => "Người sử dụng",
            Self::Dealer => "Đối tượng mua bán",
            Self::Other => "Liên quan khác",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::User => "User",
            Self::Dealer => "Dealer",
            Self::Other => "Other",
        }
    }
}

impl FromStr for SubjectRole {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "subject role", s)
    }
}
