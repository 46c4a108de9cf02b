//! Anonymous tips (tin báo của quần chúng): a citizen reports a place and what happens
//! there, without signing in and without giving an identity. A tip waits in the triage
//! queue of its commune (and of the province) until an officer turns it into an incident
//! (and perhaps a site) or dismisses it with a reason. The citizen may keep a one-time
//! follow-up code to see that status; the code is stored only as a hash.

use crate::site::{UnknownSiteValue, parse_stored};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Where a tip stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipStatus {
    /// Received, not yet triaged.
    New,
    /// Turned into an incident (and perhaps a site).
    Accepted,
    /// Set aside with a reason.
    Dismissed,
}

impl TipStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::New, Self::Accepted, Self::Dismissed];

    /// The stored and API form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Accepted => "accepted",
            Self::Dismissed => "dismissed",
        }
    }
}

impl FromStr for TipStatus {
    type Err = UnknownSiteValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_stored(&Self::ALL, Self::as_str, "tip status", s)
    }
}

/// The longest description a tip may carry, in characters.
pub const MAX_TEXT: usize = 4000;
/// The longest address text, in characters.
pub const MAX_ADDRESS: usize = 300;

/// Letters of follow-up codes: no 0/O, 1/I/L, so a code read aloud or copied by hand
/// survives.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A follow-up code made from 12 random bytes: 12 letters of [`ALPHABET`] in three
/// groups (`ABCD-EFGH-JKMN`), about 59 bits, enough that guessing one is hopeless at
/// the throttled rate.
pub fn follow_up_code(random: &[u8; 12]) -> String {
    let mut out = String::with_capacity(14);
    for (i, b) in random.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    out
}

/// The canonical form of a code as typed: upper case, without spaces or dashes. None
/// when it cannot be a code.
pub fn normalise_code(typed: &str) -> Option<String> {
    let mut out = String::new();
    for c in typed.chars() {
        let c = c.to_ascii_uppercase();
        if c == ' ' || c == '-' {
            continue;
        }
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == 12).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back_however_typed() {
        let code = follow_up_code(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30]);
        assert_eq!(code, "2345-6789-ABCZ");
        assert_eq!(normalise_code("2345 6789 abcz").as_deref(), Some("23456789ABCZ"));
        assert_eq!(normalise_code(&code).as_deref(), Some("23456789ABCZ"));
        assert_eq!(normalise_code("2345-6789-ABC"), None, "too short");
        assert_eq!(normalise_code("0345-6789-ABCZ"), None, "0 is never in a code");
        assert_eq!(normalise_code("<script>"), None);
    }

    #[test]
    fn statuses_round_trip() {
        for s in TipStatus::ALL {
            assert_eq!(s.as_str().parse::<TipStatus>().unwrap(), s);
        }
    }
}
