//! The personal identity number (số định danh cá nhân, the number on the citizen identity
//! card) and the legacy 9-digit identity card (chứng minh nhân dân, CMND).
//!
//! The 12 digits read `PPP G YY RRRRRR`: PPP is the province where the birth was
//! registered, G the century and sex, YY the last two digits of the birth year, RRRRRR a
//! serial. There is no check digit, so a typo that keeps the structure valid cannot be
//! caught; what can be checked is the structure and its agreement with the recorded sex
//! and birth year. PPP says where the birth was registered, never where the person lives:
//! nothing here derives a residence from it.

use super::Sex;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The 63 province codes in force before the 2025 mergers, as 3 digits (the 2-digit
/// statistical code left-padded with 0). Numbers are not reissued after mergers, so all 63
/// stay valid.
pub const PROVINCE_CODES: [&str; 63] = [
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024",
    "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045",
    "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070",
    "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
    "094", "095", "096",
];

/// Which part of an identity number is wrong. `Display` is English; [`IdError::message_vi`]
/// is the Vietnamese text for the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing was entered.
    #[error("the identity number is empty: expected 12 digits")]
    Empty,
    /// A character that is not a digit (spaces and dots included).
    #[error("the identity number must contain digits only: character {position} is '{found}'")]
    NotDigits {
        /// Position of the first offending character, from 1.
        position: usize,
        /// The character.
        found: char,
    },
    /// Digits only, but not 12 of them.
    #[error("the identity number must have exactly 12 digits, found {found}")]
    WrongLength {
        /// How many digits there were.
        found: usize,
    },
    /// Neither 12 digits (identity number) nor 9 (legacy identity card).
    #[error(
        "an identity document number must have 12 digits (identity number) or 9 (old identity card), found {found}"
    )]
    WrongDocumentLength {
        /// How many digits there were.
        found: usize,
    },
    /// The first three digits are not one of the 63 province codes.
    #[error(
        "unknown province code \"{code}\" in digits 1 to 3: expected one of the 63 province codes in use before 2025 (001 to 096)"
    )]
    UnknownProvince {
        /// The three digits.
        code: String,
    },
    /// The fourth digit encodes the other sex than the record.
    #[error("digit 4 ({digit}) says {number_says} but the record says {record_says}")]
    SexMismatch {
        /// The fourth digit.
        digit: u8,
        /// The sex it encodes.
        number_says: Sex,
        /// The sex on the record.
        record_says: Sex,
    },
    /// Digits 4 to 6 encode another birth year than the record.
    #[error("digits 4 to 6 say birth year {number_says} but the record says {record_says}")]
    BirthYearMismatch {
        /// The year they encode.
        number_says: i32,
        /// The year on the record.
        record_says: i32,
    },
}

impl IdError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Empty => "Chưa nhập số định danh cá nhân (cần 12 chữ số).".to_owned(),
            Self::NotDigits { position, found } => {
                format!("Số định danh chỉ được gồm chữ số; ký tự thứ {position} là «{found}».")
            }
            Self::WrongLength { found } => {
                format!("Số định danh cá nhân phải có đúng 12 chữ số; số đã nhập có {found} chữ số.")
            }
            Self::WrongDocumentLength { found } => format!(
                "Số giấy tờ tùy thân phải có 12 chữ số (số định danh cá nhân) hoặc 9 chữ số (chứng minh nhân dân cũ); số đã nhập có {found} chữ số."
            ),
            Self::UnknownProvince { code } => format!(
                "Ba chữ số đầu «{code}» không phải mã tỉnh, thành phố nơi đăng ký khai sinh: phải là một trong 63 mã dùng trước năm 2025 (từ 001 đến 096)."
            ),
            Self::SexMismatch { digit, number_says, record_says } => format!(
                "Chữ số thứ 4 ({digit}) cho biết giới tính {}, nhưng hồ sơ ghi {}.",
                number_says.label_vi().to_lowercase(),
                record_says.label_vi().to_lowercase()
            ),
            Self::BirthYearMismatch { number_says, record_says } => format!(
                "Các chữ số thứ 4 đến 6 cho biết năm sinh {number_says}, nhưng hồ sơ ghi năm sinh {record_says}."
            ),
        }
    }
}

/// Digits only, with the position of the first character that is not one.
fn digits_only(s: &str) -> Result<usize, IdError> {
    let mut count = 0;
    for (i, c) in s.chars().enumerate() {
        if !c.is_ascii_digit() {
            return Err(IdError::NotDigits { position: i + 1, found: c });
        }
        count += 1;
    }
    if count == 0 {
        return Err(IdError::Empty);
    }
    Ok(count)
}

/// A checked 12-digit personal identity number. `Debug` masks the serial so the number
/// does not end up whole in logs; `Display` and [`IdentityNumber::as_str`] give it whole.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdentityNumber(String);

impl IdentityNumber {
    /// Parses a number, checking in order: digits only, 12 of them, a known province
    /// code, and, when the record gives them, the sex and the birth year encoded in
    /// digits 4 to 6. Surrounding whitespace is ignored; inner spaces or dots are refused
    /// (the error says where), so that what is stored is exactly the number.
    ///
    /// A birth year after today is not refused here (this module has no clock); a number
    /// like that fails against the record's birth year whenever one is given.
    pub fn parse(s: &str, sex: Option<Sex>, birth_year: Option<i32>) -> Result<Self, IdError> {
        let s = s.trim();
        let found = digits_only(s)?;
        if found != 12 {
            return Err(IdError::WrongLength { found });
        }
        let number = Self(s.to_owned());
        if !PROVINCE_CODES.contains(&number.province_code()) {
            return Err(IdError::UnknownProvince { code: number.province_code().to_owned() });
        }
        if let Some(record_says) = sex
            && record_says != number.sex()
        {
            return Err(IdError::SexMismatch {
                digit: number.digit(3),
                number_says: number.sex(),
                record_says,
            });
        }
        if let Some(record_says) = birth_year
            && record_says != number.birth_year()
        {
            return Err(IdError::BirthYearMismatch { number_says: number.birth_year(), record_says });
        }
        Ok(number)
    }

    fn digit(&self, index: usize) -> u8 {
        // Parsing admitted ASCII digits only.
        self.0.as_bytes()[index] - b'0'
    }

    /// The whole number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits 1 to 3: the province where the birth was registered (not the residence).
    pub fn province_code(&self) -> &str {
        &self.0[..3]
    }

    /// The sex encoded in digit 4: even is male, odd is female.
    pub fn sex(&self) -> Sex {
        if self.digit(3).is_multiple_of(2) { Sex::Male } else { Sex::Female }
    }

    /// The first year of the century encoded in digit 4: 0/1 → 1900, 2/3 → 2000, …,
    /// 8/9 → 2300.
    pub fn century(&self) -> i32 {
        1900 + 100 * i32::from(self.digit(3) / 2)
    }

    /// The birth year encoded in digits 4 to 6.
    pub fn birth_year(&self) -> i32 {
        self.century() + i32::from(self.digit(4)) * 10 + i32::from(self.digit(5))
    }

    /// The number with the serial hidden, for lists and logs: `051087******`.
    pub fn masked(&self) -> String {
        format!("{}******", &self.0[..6])
    }
}

impl fmt::Debug for IdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityNumber({})", self.masked())
    }
}

impl fmt::Display for IdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for IdentityNumber {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s, None, None)
    }
}

impl From<IdentityNumber> for String {
    fn from(n: IdentityNumber) -> Self {
        n.0
    }
}

/// The identity document number on a record: the 12-digit identity number, or the
/// 9-digit identity card (CMND) that legacy records carry. The 12-digit CMND issued in
/// the 2010s already used the personal identity number, so it parses as [`Self::Cccd`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum IdentityDocument {
    /// Số định danh cá nhân / căn cước (công dân): 12 digits, checked.
    Cccd(IdentityNumber),
    /// Chứng minh nhân dân (9 digits): kept as is; its digits encode nothing checkable.
    Cmnd(String),
}

impl IdentityDocument {
    /// Decides by the number of digits: 12 → identity number with every check of
    /// [`IdentityNumber::parse`]; 9 → legacy card, digits only; anything else → error.
    pub fn parse(s: &str, sex: Option<Sex>, birth_year: Option<i32>) -> Result<Self, IdError> {
        let s = s.trim();
        match digits_only(s)? {
            12 => IdentityNumber::parse(s, sex, birth_year).map(Self::Cccd),
            9 => Ok(Self::Cmnd(s.to_owned())),
            found => Err(IdError::WrongDocumentLength { found }),
        }
    }

    /// The stored name of the document kind: `cccd` or `cmnd`.
    pub fn kind_str(&self) -> &'static str {
        match self {
            Self::Cccd(_) => "cccd",
            Self::Cmnd(_) => "cmnd",
        }
    }

    /// The number as entered (trimmed).
    pub fn number(&self) -> &str {
        match self {
            Self::Cccd(n) => n.as_str(),
            Self::Cmnd(s) => s,
        }
    }
}
