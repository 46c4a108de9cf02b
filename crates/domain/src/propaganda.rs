//! Propaganda and education activities (tuyên truyền, phổ biến giáo dục về phòng, chống
//! ma túy): where they are held, in which form, and the checks on what is recorded. The
//! lists of venue types and forms follow DOMAIN.md §6; "other" covers the rest.

use crate::ops_enum::labelled_enum;
use chrono::NaiveDate;

labelled_enum!(
    /// The kind of place an activity is held in.
    VenueType, "venue type", [
        /// Xã, phường, thôn, tổ dân phố.
        Commune = "commune", "Xã, phường, khu dân cư", "Commune or residential area";
        /// Trường học.
        School = "school", "Trường học", "School";
        /// Khu công nghiệp, cụm công nghiệp.
        IndustrialZone = "industrial_zone", "Khu, cụm công nghiệp", "Industrial zone or cluster";
        /// Doanh nghiệp, cơ sở kinh doanh.
        Business = "business", "Doanh nghiệp, cơ sở kinh doanh", "Business";
        /// Khác.
        Other = "other", "Khác", "Other";
    ]
);

labelled_enum!(
    /// How the message is carried.
    PropagandaForm, "propaganda form", [
        /// Hội nghị, buổi nói chuyện.
        Meeting = "meeting", "Hội nghị, nói chuyện chuyên đề", "Meeting or talk";
        /// Loa truyền thanh.
        Loudspeaker = "loudspeaker", "Loa truyền thanh", "Loudspeaker broadcast";
        /// Tờ rơi, pano, áp phích.
        Leaflets = "leaflets", "Tờ rơi, pano, áp phích", "Leaflets and posters";
        /// Mạng xã hội, trang thông tin điện tử.
        SocialMedia = "social_media", "Mạng xã hội, trang tin", "Social media";
        /// Hội thi, cuộc thi tìm hiểu.
        Contest = "contest", "Hội thi, cuộc thi tìm hiểu", "Contest or quiz";
        /// Văn nghệ, sân khấu hóa.
        Performance = "performance", "Văn nghệ, sân khấu hóa", "Performance";
        /// Khác.
        Other = "other", "Khác", "Other";
    ]
);

/// Why an activity was refused (one per field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityError {
    /// Dated after today.
    #[error("an activity cannot be dated in the future")]
    FutureDate,
    /// More participants than is plausible for one activity.
    #[error("at most 1,000,000 participants")]
    TooManyParticipants,
}

impl ActivityError {
    /// The Vietnamese message shown on forms.
    pub fn message_vi(&self) -> &'static str {
        match self {
            ActivityError::FutureDate => "Ngày tổ chức không được sau ngày hôm nay",
            ActivityError::TooManyParticipants => "Số người tham dự tối đa 1.000.000",
        }
    }
}

/// Checks an activity's date and attendance. Social media reach is not attendance, but
/// the count is still bounded so a slip of the keyboard does not swamp the totals.
pub fn check_activity(held_on: NaiveDate, today: NaiveDate, participants: u32) -> Vec<ActivityError> {
    let mut e = Vec::new();
    if held_on > today {
        e.push(ActivityError::FutureDate);
    }
    if participants > 1_000_000 {
        e.push(ActivityError::TooManyParticipants);
    }
    e
}

/// A week of a month calendar, Monday first; `None` for a day outside the month.
pub type Week = [Option<NaiveDate>; 7];

/// The first and last day of a calendar month, and the grid of weeks (Monday first) a
/// month calendar draws.
pub fn month_grid(year: i32, month: u32) -> Option<(NaiveDate, NaiveDate, Vec<Week>)> {
    use chrono::Datelike;
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = next.pred_opt()?;
    let mut weeks = Vec::new();
    let mut week = [None; 7];
    let mut day = first;
    while day <= last {
        let col = day.weekday().num_days_from_monday() as usize;
        week[col] = Some(day);
        if col == 6 {
            weeks.push(week);
            week = [None; 7];
        }
        day = day.succ_opt()?;
    }
    if week.iter().any(Option::is_some) {
        weeks.push(week);
    }
    Some((first, last, weeks))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn future_dates_and_absurd_attendance_are_refused() {
        let today = d(2026, 3, 10);
        assert!(check_activity(today, today, 200).is_empty());
        assert_eq!(check_activity(d(2026, 3, 11), today, 10), vec![ActivityError::FutureDate]);
        assert_eq!(check_activity(today, today, 2_000_000), vec![ActivityError::TooManyParticipants]);
    }

    #[test]
    fn a_month_grid_starts_on_monday() {
        // March 2026 starts on a Sunday and has 31 days: six weeks.
        let (first, last, weeks) = month_grid(2026, 3).unwrap();
        assert_eq!((first, last), (d(2026, 3, 1), d(2026, 3, 31)));
        assert_eq!(weeks.len(), 6);
        assert_eq!(weeks[0][6], Some(d(2026, 3, 1)));
        assert!(weeks[0][..6].iter().all(Option::is_none));
        assert_eq!(weeks[5][1], Some(d(2026, 3, 31)));
        // February 2027 starts on a Monday and has 28 days: exactly four weeks.
        let (_, _, weeks) = month_grid(2027, 2).unwrap();
        assert_eq!(weeks.len(), 4);
        assert!(month_grid(2026, 13).is_none());
        assert_eq!(month_grid(2026, 12).unwrap().1, d(2026, 12, 31));
    }

    #[test]
    fn names_round_trip() {
        for &v in VenueType::ALL {
            assert_eq!(v.as_str().parse::<VenueType>().unwrap(), v);
        }
        for &f in PropagandaForm::ALL {
            assert_eq!(f.as_str().parse::<PropagandaForm>().unwrap(), f);
        }
        assert!("pub".parse::<VenueType>().is_err());
    }
}
