//! Property-based fuzzing of the domain's text parsers (issue 19, item 9: `cargo fuzz`
//! needs nightly Rust, which this project does not use). Each target takes arbitrary
//! strings and structured near-misses and must return, never panic; what it accepts must
//! round-trip. `PROPTEST_CASES` sets the number of cases (small by default so the suite
//! stays fast; `scripts/fuzz.sh` runs many).

use diaban_domain::period::StatPeriod;
use diaban_domain::person::{IdentityDocument, IdentityNumber, Sex};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Strings near a valid identity number: digits with a few characters replaced,
/// inserted or cut, including spaces, dots, full-width and combining digits.
fn near_identity() -> impl Strategy<Value = String> {
    let noise =
        prop::sample::select(vec![" ", ".", "-", "\u{0}", "\u{ff10}", "\u{0663}", "9", "", "\u{301}"]);
    ("[0-9]{0,14}", prop::collection::vec((0usize..16, noise), 0..4)).prop_map(|(digits, edits)| {
        let mut s: Vec<char> = digits.chars().collect();
        for (at, what) in edits {
            let at = at.min(s.len());
            s.splice(at..at, what.chars());
        }
        s.into_iter().collect()
    })
}

fn sex() -> impl Strategy<Value = Option<Sex>> {
    prop::option::of(prop::sample::select(vec![Sex::Male, Sex::Female]))
}

/// Strings near a period: years, halves and months with wrong numbers, signs and
/// separators.
fn near_period() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["", "-", "+", " ", "0", "99999999999"]),
        0u32..100_000,
        prop::sample::select(vec!["", "-", "-H", "-h", "/", "-Q", "H"]),
        prop::sample::select(vec!["", "0", "1", "2", "3", "12", "13", "00", "-1", "4294967296"]),
    )
        .prop_map(|(sign, year, sep, idx)| format!("{sign}{year}{sep}{idx}"))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn identity_numbers_never_panic(s in any::<String>(), sex in sex(), year in prop::option::of(any::<i32>())) {
        let _ = IdentityNumber::parse(&s, sex, year);
        let _ = IdentityDocument::parse(&s, sex, year);
    }

    #[test]
    fn identity_near_misses_never_panic_and_round_trip(s in near_identity(), sex in sex(), year in prop::option::of(1900i32..2100)) {
        if let Ok(n) = IdentityNumber::parse(&s, sex, year) {
            prop_assert_eq!(n.as_str().len(), 12);
            prop_assert!(n.as_str().bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(IdentityNumber::parse(n.as_str(), sex, year), Ok(n.clone()));
        }
        let _ = IdentityDocument::parse(&s, sex, year);
    }

    #[test]
    fn periods_never_panic(s in any::<String>()) {
        let _ = s.parse::<StatPeriod>();
    }

    #[test]
    fn period_near_misses_round_trip(s in near_period()) {
        if let Ok(p) = s.parse::<StatPeriod>() {
            let again: StatPeriod = p.to_string().parse().expect("a period's text parses");
            prop_assert_eq!(again, p);
        }
    }
}
