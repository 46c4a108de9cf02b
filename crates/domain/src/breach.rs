//! The personal-data breach register (sự cố lộ, lọt dữ liệu cá nhân, DOMAIN.md §8): what
//! an incident record holds, the categories of data it touched, the deadline to notify
//! the authority (A05, Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao)
//! — the detection time plus the hours of the `data_protection` parameters in force on
//! the day of detection, 72 by default [parameter] — and whether the notification came
//! in time. A record describes an incident, never a person: the form asks for no
//! identities and the report counts only.

use crate::ops_enum::labelled_enum;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

labelled_enum!(
    /// A category of personal data an incident touched.
    BreachCategory, "data category", [
        /// Họ tên, số định danh, ngày sinh.
        Identity = "identity", "Thông tin định danh (họ tên, số định danh, ngày sinh)", "Identifying data";
        /// Địa chỉ, số điện thoại.
        Contact = "contact", "Địa chỉ, số điện thoại", "Address and phone";
        /// Sử dụng, nghiện, cai nghiện, điều trị thay thế: dữ liệu sức khỏe.
        Health = "health", "Sử dụng, nghiện, cai nghiện, điều trị (dữ liệu sức khỏe)", "Drug use, addiction, rehab (health data)";
        /// Vụ việc, xử lý: dữ liệu về tội phạm.
        Crime = "crime", "Vụ việc, xử lý vi phạm (dữ liệu tội phạm)", "Cases and handling (crime data)";
        /// Tài khoản, mật khẩu, khóa.
        Credentials = "credentials", "Tài khoản, mật khẩu, khóa mã hóa", "Accounts, passwords, keys";
        /// Khác.
        Other = "other", "Khác", "Other";
    ]
);

/// The province's data-protection parameters (group `data_protection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataProtectionParams {
    /// Hours from detection within which the authority must be notified.
    pub breach_notify_hours: u32,
}

/// DOMAIN.md §8: notify within 72 hours [parameter].
pub const DEFAULT_NOTIFY_HOURS: u32 = 72;

impl Default for DataProtectionParams {
    fn default() -> Self {
        Self { breach_notify_hours: DEFAULT_NOTIFY_HOURS }
    }
}

impl DataProtectionParams {
    /// Whether the value can be used: from 1 hour to 30 days.
    pub fn is_valid(&self) -> bool {
        (1..=720).contains(&self.breach_notify_hours)
    }
}

/// The moment the authority must have been notified by.
pub fn notify_deadline(detected_at: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
    detected_at + Duration::hours(i64::from(hours))
}

/// Where the authority's notification of an incident stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyStatus {
    /// Notified by the deadline.
    InTime,
    /// Notified after it.
    Late,
    /// Not yet, the deadline still ahead.
    Pending,
    /// Not yet, the deadline passed.
    Overdue,
}

impl NotifyStatus {
    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            NotifyStatus::InTime => "Đã thông báo đúng hạn",
            NotifyStatus::Late => "Đã thông báo quá hạn",
            NotifyStatus::Pending => "Chưa thông báo (còn hạn)",
            NotifyStatus::Overdue => "Chưa thông báo — quá hạn",
        }
    }
}

/// The status at `as_of` of an incident due by `deadline`, notified at `notified_at`
/// (a notification after `as_of` has not happened yet at that moment).
pub fn notify_status(
    deadline: DateTime<Utc>,
    notified_at: Option<DateTime<Utc>>,
    as_of: DateTime<Utc>,
) -> NotifyStatus {
    match notified_at.filter(|n| *n <= as_of) {
        Some(n) if n <= deadline => NotifyStatus::InTime,
        Some(_) => NotifyStatus::Late,
        None if as_of > deadline => NotifyStatus::Overdue,
        None => NotifyStatus::Pending,
    }
}

/// What is wrong with an incident record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BreachError {
    /// No description.
    #[error("describe what happened")]
    NoDescription,
    /// No category of data.
    #[error("choose at least one category of data")]
    NoCategory,
    /// Detected in the future.
    #[error("the detection time is in the future")]
    FutureDetection,
    /// A notification before the detection, or in the future.
    #[error("a notification must be after the detection and not in the future")]
    BadNotification,
    /// An implausible number of persons.
    #[error("the number of persons affected must be from 0 to 100,000,000")]
    BadCount,
}

impl BreachError {
    /// The field it is about.
    pub fn field(self) -> &'static str {
        match self {
            BreachError::NoDescription => "description",
            BreachError::NoCategory => "categories",
            BreachError::FutureDetection => "detected_at",
            BreachError::BadNotification => "notified_at",
            BreachError::BadCount => "persons_affected",
        }
    }

    /// The message in Vietnamese.
    pub fn message_vi(self) -> &'static str {
        match self {
            BreachError::NoDescription => "Mô tả sự việc đã xảy ra.",
            BreachError::NoCategory => "Chọn ít nhất một loại dữ liệu bị ảnh hưởng.",
            BreachError::FutureDetection => "Thời điểm phát hiện không được ở tương lai.",
            BreachError::BadNotification => {
                "Thời điểm thông báo phải sau khi phát hiện và không ở tương lai."
            }
            BreachError::BadCount => "Số người bị ảnh hưởng phải từ 0 đến 100.000.000.",
        }
    }
}

/// Checks a new incident record.
pub fn check_new(
    description: &str,
    categories: &[BreachCategory],
    persons_affected: i64,
    detected_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), BreachError> {
    if description.trim().is_empty() {
        return Err(BreachError::NoDescription);
    }
    if categories.is_empty() {
        return Err(BreachError::NoCategory);
    }
    if !(0..=100_000_000).contains(&persons_affected) {
        return Err(BreachError::BadCount);
    }
    if detected_at > now {
        return Err(BreachError::FutureDetection);
    }
    Ok(())
}

/// Checks a notification time against the detection and now.
pub fn check_notified(
    detected_at: DateTime<Utc>,
    notified_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), BreachError> {
    if notified_at < detected_at || notified_at > now {
        return Err(BreachError::BadNotification);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, d, h, 0, 0).unwrap()
    }

    #[test]
    fn the_deadline_is_the_parameter_in_hours_after_detection() {
        assert_eq!(notify_deadline(t(1, 8), 72), t(4, 8));
        assert_eq!(notify_deadline(t(1, 8), DataProtectionParams::default().breach_notify_hours), t(4, 8));
        assert!(!DataProtectionParams { breach_notify_hours: 0 }.is_valid());
        assert!(DataProtectionParams { breach_notify_hours: 24 }.is_valid());
    }

    #[test]
    fn notification_status_at_a_moment() {
        let deadline = t(4, 8);
        assert_eq!(notify_status(deadline, Some(t(4, 8)), t(10, 0)), NotifyStatus::InTime);
        assert_eq!(notify_status(deadline, Some(t(4, 9)), t(10, 0)), NotifyStatus::Late);
        assert_eq!(notify_status(deadline, None, t(4, 8)), NotifyStatus::Pending);
        assert_eq!(notify_status(deadline, None, t(4, 9)), NotifyStatus::Overdue);
        // Notified after the moment looked at: not yet notified then.
        assert_eq!(notify_status(deadline, Some(t(9, 0)), t(5, 0)), NotifyStatus::Overdue);
    }

    #[test]
    fn records_are_checked() {
        use BreachCategory::*;
        let now = t(10, 0);
        assert_eq!(check_new("x", &[Health], 3, t(1, 0), now), Ok(()));
        assert_eq!(check_new(" ", &[Health], 3, t(1, 0), now), Err(BreachError::NoDescription));
        assert_eq!(check_new("x", &[], 3, t(1, 0), now), Err(BreachError::NoCategory));
        assert_eq!(check_new("x", &[Other], -1, t(1, 0), now), Err(BreachError::BadCount));
        assert_eq!(check_new("x", &[Other], 1, t(11, 0), now), Err(BreachError::FutureDetection));
        assert_eq!(check_notified(t(2, 0), t(1, 0), now), Err(BreachError::BadNotification));
        assert_eq!(check_notified(t(2, 0), t(11, 0), now), Err(BreachError::BadNotification));
        assert_eq!(check_notified(t(2, 0), t(3, 0), now), Ok(()));
        assert_eq!("health".parse::<BreachCategory>().unwrap(), Health);
    }
}
