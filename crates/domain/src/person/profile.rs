//! What a record says about a person's use, for the statistics (QĐ 127/2009 as amended by
//! QĐ 13/2019): the substances used, where the person is held, and why a measure ended
//! early. None of these identifies a person on its own.

use super::{UnknownPersonValue, parse_stored};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! stored_enum {
    ($(#[$m:meta])* $name:ident, $what:literal, [$($(#[$vm:meta])* $v:ident = $s:literal, $vi:literal, $en:literal;)*]) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $v,)*
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// The stored and API form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }

            /// The Vietnamese label.
            pub fn label_vi(self) -> &'static str {
                match self { $($name::$v => $vi,)* }
            }

            /// The English label.
            pub fn label_en(self) -> &'static str {
                match self { $($name::$v => $en,)* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownPersonValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_stored(Self::ALL, Self::as_str, $what, s)
            }
        }
    };
}

stored_enum!(
    /// A substance (chất ma túy) a person uses; a person may use several.
    Substance, "substance", [
        /// Heroin.
        Heroin = "heroin", "Heroin", "Heroin";
        /// Ma túy tổng hợp dạng đá (methamphetamine).
        Methamphetamine = "methamphetamine", "Ma túy đá (methamphetamine)", "Methamphetamine";
        /// Thuốc lắc (MDMA).
        Ecstasy = "ecstasy", "Thuốc lắc (MDMA)", "Ecstasy (MDMA)";
        /// Ketamine.
        Ketamine = "ketamine", "Ketamine", "Ketamine";
        /// Cần sa.
        Cannabis = "cannabis", "Cần sa", "Cannabis";
        /// Thuốc phiện.
        Opium = "opium", "Thuốc phiện", "Opium";
        /// Cocaine.
        Cocaine = "cocaine", "Cocaine", "Cocaine";
        /// Chất khác.
        Other = "other", "Chất khác", "Other";
    ]
);

stored_enum!(
    /// Where a person with a record is held (the "of whom" lines of the statistics). A
    /// person in a rehab facility is counted from their rehab measures, not from here.
    HeldIn, "place held", [
        /// Not held: living in the community.
        Community = "community", "Tại cộng đồng", "In the community";
        /// Trong trại giam, trại tạm giam (prison).
        Prison = "prison", "Trong trại giam", "In prison";
        /// Đang bị tạm giữ, tạm giam (detention).
        Detention = "detention", "Đang bị tạm giữ, tạm giam", "In detention";
        /// Trong cơ sở giáo dục bắt buộc.
        EducationInstitution = "education_institution", "Trong cơ sở giáo dục bắt buộc", "In a compulsory education institution";
        /// Trong trường giáo dưỡng.
        ReformSchool = "reform_school", "Trong trường giáo dưỡng", "In a reform school";
    ]
);

stored_enum!(
    /// Why a measure ended (lý do kết thúc): on its term, or early and why.
    EndReason, "end reason", [
        /// Hết thời hạn: ended on its term.
        Completed = "completed", "Hết thời hạn", "Completed its term";
        /// Tự ý bỏ: left before the end.
        Quit = "quit", "Tự ý chấm dứt", "Quit";
        /// Vi phạm: ended for breaking its rules.
        Violated = "violated", "Vi phạm quy định", "Violated its rules";
        /// Tái sử dụng: relapsed.
        Relapsed = "relapsed", "Tái sử dụng ma túy", "Relapsed";
        /// Chuyển biện pháp khác: replaced by another measure.
        Replaced = "replaced", "Chuyển sang biện pháp khác", "Replaced by another measure";
        /// Chuyển nơi cư trú.
        Moved = "moved", "Chuyển nơi cư trú", "Moved away";
        /// Chết.
        Died = "died", "Chết", "Died";
        /// Lý do khác.
        Other = "other", "Lý do khác", "Other";
    ]
);

/// Parses a comma-separated list of substances as stored ("heroin,cannabis"), sorted and
/// without repeats; an empty text is an empty list.
pub fn parse_substances(s: &str) -> Result<Vec<Substance>, UnknownPersonValue> {
    let mut v = s
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(Substance::from_str)
        .collect::<Result<Vec<_>, _>>()?;
    v.sort();
    v.dedup();
    Ok(v)
}

/// The stored form of a list of substances.
pub fn substances_text(v: &[Substance]) -> String {
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}
