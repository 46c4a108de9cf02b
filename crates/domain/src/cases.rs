//! Cases (vụ án, vụ việc về ma túy) and rings (đường dây): the outcome of a case and the
//! figures that go with it, the subjects' roles, and the date rules. A case is either
//! still being handled, prosecuted (khởi tố: cases and defendants) or handled
//! administratively (xử phạt hành chính: persons); its figures must fit its outcome.

use crate::ops_enum::labelled_enum;
use chrono::NaiveDate;

labelled_enum!(
    /// How a case ended (so far).
    CaseOutcome, "case outcome", [
        /// Đang xử lý.
        Pending = "pending", "Đang xử lý", "Being handled";
        /// Khởi tố hình sự.
        Criminal = "criminal", "Khởi tố hình sự", "Criminal prosecution";
        /// Xử lý hành chính.
        Administrative = "administrative", "Xử lý hành chính", "Administrative handling";
    ]
);

labelled_enum!(
    /// What a subject did in a case.
    SubjectRole, "subject role", [
        /// Cầm đầu, tổ chức.
        Organiser = "organiser", "Cầm đầu, tổ chức", "Organiser";
        /// Mua bán.
        Trafficker = "trafficker", "Mua bán", "Trafficker";
        /// Vận chuyển.
        Transporter = "transporter", "Vận chuyển", "Transporter";
        /// Tàng trữ.
        Possessor = "possessor", "Tàng trữ", "Possession";
        /// Tổ chức, chứa chấp sử dụng.
        Harbourer = "harbourer", "Tổ chức, chứa chấp sử dụng", "Organising or harbouring use";
        /// Sử dụng trái phép.
        User = "user", "Sử dụng trái phép", "Illegal use";
        /// Khác.
        Other = "other", "Khác", "Other";
    ]
);

/// The figures of an outcome: for a prosecution, the cases (khởi tố vụ) and defendants
/// (bị can); for administrative handling, the persons handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct OutcomeFigures {
    /// Cases prosecuted.
    pub prosecuted_cases: u32,
    /// Defendants prosecuted.
    pub defendants: u32,
    /// Persons handled administratively.
    pub persons_handled: u32,
}

/// Why a case was refused (one per field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// Dated after today.
    #[error("a case cannot be dated in the future")]
    FutureDate,
    /// A prosecution without a defendant or a prosecuted case.
    #[error("a prosecution needs at least one prosecuted case and one defendant")]
    ProsecutionWithoutFigures,
    /// Administrative handling of nobody.
    #[error("administrative handling needs at least one person handled")]
    AdministrativeWithoutPersons,
    /// Figures of another outcome (defendants on an administrative case …).
    #[error("the figures do not fit the outcome {0}")]
    FiguresDoNotFit(CaseOutcome),
    /// A ring dismantled before its first case, or in the future.
    #[error("the dismantling date must lie between the ring's first case and today")]
    BadDismantlingDate,
}

impl CaseError {
    /// The field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            CaseError::FutureDate => "occurred_on",
            CaseError::BadDismantlingDate => "dismantled_on",
            _ => "outcome",
        }
    }

    /// The Vietnamese message shown on forms.
    pub fn message_vi(&self) -> String {
        match self {
            CaseError::FutureDate => "Ngày xảy ra vụ việc không được sau ngày hôm nay".into(),
            CaseError::ProsecutionWithoutFigures => {
                "Khởi tố hình sự cần ít nhất 1 vụ khởi tố và 1 bị can".into()
            }
            CaseError::AdministrativeWithoutPersons => "Xử lý hành chính cần ít nhất 1 người bị xử lý".into(),
            CaseError::FiguresDoNotFit(o) => {
                format!("Số liệu không phù hợp với kết quả «{}»", o.label_vi())
            }
            CaseError::BadDismantlingDate => {
                "Ngày triệt phá phải từ ngày vụ việc đầu tiên đến hôm nay".into()
            }
        }
    }
}

/// Checks a case's date and its outcome's figures.
pub fn check_case(
    occurred_on: NaiveDate,
    today: NaiveDate,
    outcome: CaseOutcome,
    f: OutcomeFigures,
) -> Vec<CaseError> {
    let mut e = Vec::new();
    if occurred_on > today {
        e.push(CaseError::FutureDate);
    }
    match outcome {
        CaseOutcome::Pending => {
            if f != OutcomeFigures::default() {
                e.push(CaseError::FiguresDoNotFit(outcome));
            }
        }
        CaseOutcome::Criminal => {
            if f.persons_handled != 0 {
                e.push(CaseError::FiguresDoNotFit(outcome));
            } else if f.prosecuted_cases == 0 || f.defendants == 0 {
                e.push(CaseError::ProsecutionWithoutFigures);
            }
        }
        CaseOutcome::Administrative => {
            if f.prosecuted_cases != 0 || f.defendants != 0 {
                e.push(CaseError::FiguresDoNotFit(outcome));
            } else if f.persons_handled == 0 {
                e.push(CaseError::AdministrativeWithoutPersons);
            }
        }
    }
    e
}

/// Checks the date a ring is marked dismantled: not before its first case (when it has
/// any), not after today.
pub fn check_dismantled_on(
    on: NaiveDate,
    first_case_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), CaseError> {
    if on > today || first_case_on.is_some_and(|first| on < first) {
        return Err(CaseError::BadDismantlingDate);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn fig(c: u32, def: u32, p: u32) -> OutcomeFigures {
        OutcomeFigures { prosecuted_cases: c, defendants: def, persons_handled: p }
    }

    #[test]
    fn outcomes_and_their_figures() {
        let today = d(2026, 5, 1);
        let on = d(2026, 4, 1);
        use CaseOutcome::*;
        let table = [
            (Pending, fig(0, 0, 0), vec![]),
            (Pending, fig(1, 0, 0), vec![CaseError::FiguresDoNotFit(Pending)]),
            (Criminal, fig(1, 3, 0), vec![]),
            (Criminal, fig(1, 0, 0), vec![CaseError::ProsecutionWithoutFigures]),
            (Criminal, fig(0, 2, 0), vec![CaseError::ProsecutionWithoutFigures]),
            (Criminal, fig(1, 2, 1), vec![CaseError::FiguresDoNotFit(Criminal)]),
            (Administrative, fig(0, 0, 2), vec![]),
            (Administrative, fig(0, 0, 0), vec![CaseError::AdministrativeWithoutPersons]),
            (Administrative, fig(0, 1, 2), vec![CaseError::FiguresDoNotFit(Administrative)]),
        ];
        for (outcome, f, want) in table {
            assert_eq!(check_case(on, today, outcome, f), want, "{outcome} {f:?}");
        }
    }

    #[test]
    fn a_case_in_the_future_is_refused() {
        let today = d(2026, 5, 1);
        let e = check_case(d(2026, 5, 2), today, CaseOutcome::Pending, OutcomeFigures::default());
        assert_eq!(e, vec![CaseError::FutureDate]);
        assert_eq!(e[0].field(), "occurred_on");
        assert!(e[0].message_vi().contains("hôm nay"));
        assert!(check_case(today, today, CaseOutcome::Pending, OutcomeFigures::default()).is_empty());
    }

    #[test]
    fn dismantling_dates() {
        let today = d(2026, 5, 1);
        assert!(check_dismantled_on(d(2026, 4, 1), Some(d(2026, 1, 1)), today).is_ok());
        assert!(check_dismantled_on(d(2026, 4, 1), None, today).is_ok());
        assert!(check_dismantled_on(d(2025, 12, 31), Some(d(2026, 1, 1)), today).is_err());
        assert!(check_dismantled_on(d(2026, 5, 2), None, today).is_err());
    }
}
