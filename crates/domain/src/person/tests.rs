use super::*;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use serde::Deserialize;
use serde::de::value::{Error as DeError, StrDeserializer, StringDeserializer};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn utc(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, s).unwrap()
}

fn de<'a, T: Deserialize<'a>>(s: &'a str) -> T {
    T::deserialize(StrDeserializer::<DeError>::new(s)).unwrap()
}

#[test]
fn stored_names_round_trip_and_match_serde() {
    for v in Sex::ALL {
        assert_eq!(v.as_str().parse::<Sex>().unwrap(), v);
        assert_eq!(de::<Sex>(v.as_str()), v);
    }
    for v in AgeBand::ALL {
        assert_eq!(v.as_str().parse::<AgeBand>().unwrap(), v);
        assert_eq!(de::<AgeBand>(v.as_str()), v);
    }
    for v in ServiceKind::ALL {
        assert_eq!(v.as_str().parse::<ServiceKind>().unwrap(), v);
        assert_eq!(de::<ServiceKind>(v.as_str()), v);
        assert!(v.counts_for_t5());
    }
    for v in Regime::ALL {
        assert_eq!(v.as_str().parse::<Regime>().unwrap(), v);
        assert_eq!(de::<Regime>(v.as_str()), v);
    }
    for v in EpisodeKind::ALL {
        assert_eq!(v.as_str().parse::<EpisodeKind>().unwrap(), v);
        assert_eq!(de::<EpisodeKind>(v.as_str()), v);
        assert!(!v.label_vi().is_empty() && !v.label_en().is_empty());
    }
    for v in EventKind::ALL {
        assert_eq!(v.as_str().parse::<EventKind>().unwrap(), v);
        assert_eq!(de::<EventKind>(v.as_str()), v);
    }
    assert_eq!(
        "nam".parse::<Sex>().unwrap_err().to_string(),
        "unknown sex 'nam': expected one of male, female"
    );
}

#[test]
fn the_63_codes_are_the_legacy_provinces_padded() {
    assert_eq!(PROVINCE_CODES.len(), 63);
    assert!(PROVINCE_CODES.windows(2).all(|w| w[0] < w[1]));
    for code in ["001", "051", "062", "079", "096"] {
        assert!(PROVINCE_CODES.contains(&code));
    }
    for code in ["000", "003", "005", "097", "100"] {
        assert!(!PROVINCE_CODES.contains(&code));
    }
}

#[test]
fn valid_numbers_decode_province_sex_and_year() {
    let n = IdentityNumber::parse(" 051087123456 ", Some(Sex::Male), Some(1987)).unwrap();
    assert_eq!(n.as_str(), "051087123456");
    assert_eq!(n.province_code(), "051");
    assert_eq!((n.sex(), n.century(), n.birth_year()), (Sex::Male, 1900, 1987));
    let n = IdentityNumber::parse("062301000001", Some(Sex::Female), Some(2001)).unwrap();
    assert_eq!((n.sex(), n.birth_year()), (Sex::Female, 2001));
    let n = IdentityNumber::parse("001599999999", None, None).unwrap();
    assert_eq!((n.sex(), n.birth_year()), (Sex::Female, 2199));
    let n = IdentityNumber::parse("096800000000", None, None).unwrap();
    assert_eq!((n.sex(), n.birth_year()), (Sex::Male, 2300));
}

#[test]
fn each_wrong_part_is_named() {
    use IdError::*;
    let cases: Vec<(&str, Option<Sex>, Option<i32>, IdError)> = vec![
        ("", None, None, Empty),
        ("   ", None, None, Empty),
        ("05108712345", None, None, WrongLength { found: 11 }),
        ("0510871234567", None, None, WrongLength { found: 13 }),
        ("051 087 123 456", None, None, NotDigits { position: 4, found: ' ' }),
        ("05108712345a", None, None, NotDigits { position: 12, found: 'a' }),
        ("０51087123456", None, None, NotDigits { position: 1, found: '０' }),
        ("003087123456", None, None, UnknownProvince { code: "003".into() }),
        ("000087123456", None, None, UnknownProvince { code: "000".into() }),
        ("097087123456", None, None, UnknownProvince { code: "097".into() }),
        (
            "051087123456",
            Some(Sex::Female),
            None,
            SexMismatch { digit: 0, number_says: Sex::Male, record_says: Sex::Female },
        ),
        (
            "051187123456",
            Some(Sex::Male),
            Some(1987),
            SexMismatch { digit: 1, number_says: Sex::Female, record_says: Sex::Male },
        ),
        (
            "051087123456",
            Some(Sex::Male),
            Some(1990),
            BirthYearMismatch { number_says: 1987, record_says: 1990 },
        ),
        ("051287123456", None, Some(1987), BirthYearMismatch { number_says: 2087, record_says: 1987 }),
    ];
    for (input, sex, year, expected) in cases {
        assert_eq!(IdentityNumber::parse(input, sex, year), Err(expected), "{input:?}");
    }
}

#[test]
fn id_messages_in_both_languages() {
    let e = IdentityNumber::parse("097087123456", None, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown province code \"097\" in digits 1 to 3: expected one of the 63 province codes in use before 2025 (001 to 096)"
    );
    assert!(e.message_vi().contains("«097»"));
    let e = IdentityNumber::parse("051187123456", Some(Sex::Male), None).unwrap_err();
    assert_eq!(e.to_string(), "digit 4 (1) says female but the record says male");
    assert_eq!(e.message_vi(), "Chữ số thứ 4 (1) cho biết giới tính nữ, nhưng hồ sơ ghi nam.");
    let e = IdentityNumber::parse("051087123456", None, Some(1990)).unwrap_err();
    assert_eq!(e.to_string(), "digits 4 to 6 say birth year 1987 but the record says 1990");
    assert!(e.message_vi().contains("năm sinh 1987") && e.message_vi().contains("1990"));
    let e = IdentityNumber::parse("05108712345", None, None).unwrap_err();
    assert_eq!(e.to_string(), "the identity number must have exactly 12 digits, found 11");
}

#[test]
fn documents_are_told_apart_by_length() {
    assert_eq!(
        IdentityDocument::parse("123456789", Some(Sex::Male), Some(1970)).unwrap(),
        IdentityDocument::Cmnd("123456789".into())
    );
    let doc = IdentityDocument::parse("051087123456", Some(Sex::Male), Some(1987)).unwrap();
    assert_eq!((doc.kind_str(), doc.number()), ("cccd", "051087123456"));
    // A 12-digit number gets every check, a 9-digit one none beyond the digits.
    assert!(matches!(
        IdentityDocument::parse("051087123456", Some(Sex::Female), None),
        Err(IdError::SexMismatch { .. })
    ));
    assert_eq!(
        IdentityDocument::parse("1234567890", None, None),
        Err(IdError::WrongDocumentLength { found: 10 })
    );
    assert!(matches!(
        IdentityDocument::parse("12345678x", None, None),
        Err(IdError::NotDigits { position: 9, .. })
    ));
}

#[test]
fn identity_numbers_hide_the_serial_in_debug_and_deserialize_checked() {
    let n = IdentityNumber::parse("051087123456", None, None).unwrap();
    assert_eq!(format!("{n:?}"), "IdentityNumber(051087******)");
    assert_eq!(n.to_string(), "051087123456");
    let ok = IdentityNumber::deserialize(StringDeserializer::<DeError>::new("051087123456".to_owned()));
    assert_eq!(ok.unwrap(), n);
    let bad = IdentityNumber::deserialize(StringDeserializer::<DeError>::new("999087123456".to_owned()));
    assert!(bad.is_err());
}

#[test]
fn ethnicity_splits_kinh_from_the_rest() {
    for kinh in ["Kinh", "kinh", " KINH ", "Dân tộc Kinh", "Việt", "Kinh (Việt)"] {
        assert!(Ethnicity::new(kinh).is_kinh(), "{kinh}");
    }
    for other in ["Tày", "Ba Na", "Xơ Đăng", "Giẻ Triêng", "Kinh Bắc", ""] {
        assert!(!Ethnicity::new(other).is_kinh(), "{other}");
    }
    assert_eq!(Ethnicity::new(" Xơ Đăng ").as_str(), "Xơ Đăng");
}

#[test]
fn age_bands_at_their_boundaries() {
    use AgeBand::*;
    let birth = d(2000, 6, 15);
    let cases = [
        (d(2014, 6, 14), Under14),
        (d(2014, 6, 15), From14To16),
        (d(2016, 6, 14), From14To16),
        (d(2016, 6, 15), From16To18),
        (d(2018, 6, 14), From16To18),
        (d(2018, 6, 15), From18To30),
        (d(2030, 6, 14), From18To30),
        (d(2030, 6, 15), From30), // exactly 30: "30 and over"
        (d(2080, 1, 1), From30),
        (d(2000, 6, 15), Under14),
    ];
    for (on, band) in cases {
        assert_eq!(AgeBand::of(birth, on), Some(band), "{on}");
    }
    assert_eq!(AgeBand::of(birth, d(2000, 6, 14)), None);
    // Born on 29 February: a year older on 1 March in common years.
    assert_eq!(age_on(d(2004, 2, 29), d(2022, 2, 28)), Some(17));
    assert_eq!(age_on(d(2004, 2, 29), d(2022, 3, 1)), Some(18));
    assert_eq!(age_on(d(2004, 2, 29), d(2024, 2, 29)), Some(20));
}

#[test]
fn regime_switches_on_1_july_2026() {
    assert_eq!(Regime::for_decision(d(2022, 1, 1)), Regime::Law73_2021);
    assert_eq!(Regime::for_decision(d(2026, 6, 30)), Regime::Law73_2021);
    assert_eq!(Regime::for_decision(d(2026, 7, 1)), Regime::Law120_2025);
    // 30/6/2026 23:59:59 in Vietnam is 16:59:59 UTC.
    assert_eq!(Regime::at(utc(2026, 6, 30, 16, 59, 59)), Regime::Law73_2021);
    assert_eq!(Regime::at(utc(2026, 6, 30, 17, 0, 0)), Regime::Law120_2025);
}

#[test]
fn default_terms_are_domain_md_table() {
    let r = DurationRules::default();
    use EpisodeKind::*;
    use Regime::*;
    let f = MonthRange::fixed;
    let b = MonthRange::between;
    let table = [
        (UserManagement, Law73_2021, false, Some(f(12))),
        (UserManagement, Law120_2025, true, Some(f(12))),
        (VoluntaryRehabHome, Law73_2021, false, Some(b(6, 12))),
        (VoluntaryRehabHome, Law73_2021, true, Some(b(6, 12))),
        (VoluntaryRehabHome, Law120_2025, false, Some(f(24))),
        (VoluntaryRehabHome, Law120_2025, true, Some(f(36))),
        (VoluntaryRehabFacility, Law73_2021, false, Some(b(6, 12))),
        (VoluntaryRehabFacility, Law120_2025, true, Some(f(36))),
        (CompulsoryRehab, Law73_2021, false, Some(b(12, 24))),
        (CompulsoryRehab, Law120_2025, false, Some(f(24))),
        (CompulsoryRehab, Law120_2025, true, Some(f(36))),
        (SubstitutionTherapy, Law73_2021, false, None),
        (SubstitutionTherapy, Law120_2025, true, None),
        (AddictionDetermination, Law73_2021, false, None),
        (PostRehabManagement, Law73_2021, false, Some(f(12))),
        (PostRehabManagement, Law120_2025, true, Some(f(12))),
    ];
    for (kind, regime, repeat, term) in table {
        assert_eq!(r.term(kind, regime, repeat), term, "{kind} {regime} {repeat}");
    }
    for regime in Regime::ALL {
        assert!(!r.for_regime(regime).post_rehab_management.confirmed);
        assert!(r.for_regime(regime).compulsory_rehab.confirmed);
    }
}

#[test]
fn planned_end_follows_the_regime_and_the_chosen_term() {
    let r = DurationRules::default();
    use EpisodeKind::*;
    use Regime::*;
    let start = d(2026, 6, 30);
    assert_eq!(
        r.planned_end(UserManagement, start, Regime::for_decision(start), false, None),
        Ok(Some(d(2027, 6, 30)))
    );
    assert_eq!(
        r.planned_end(VoluntaryRehabHome, start, Law73_2021, false, Some(6)),
        Ok(Some(d(2026, 12, 30)))
    );
    assert_eq!(
        r.planned_end(VoluntaryRehabHome, d(2026, 7, 1), Law120_2025, false, None),
        Ok(Some(d(2028, 7, 1)))
    );
    assert_eq!(
        r.planned_end(VoluntaryRehabHome, d(2026, 7, 1), Law120_2025, true, None),
        Ok(Some(d(2029, 7, 1)))
    );
    assert_eq!(r.planned_end(CompulsoryRehab, start, Law73_2021, false, Some(18)), Ok(Some(d(2027, 12, 30))));
    assert_eq!(r.planned_end(SubstitutionTherapy, start, Law73_2021, false, None), Ok(None));
    assert_eq!(r.planned_end(AddictionDetermination, start, Law120_2025, false, None), Ok(None));
    // Month ends clamp.
    assert_eq!(
        r.planned_end(PostRehabManagement, d(2024, 2, 29), Law73_2021, false, None),
        Ok(Some(d(2025, 2, 28)))
    );
    assert_eq!(
        r.planned_end(VoluntaryRehabFacility, d(2025, 8, 31), Law73_2021, false, Some(6)),
        Ok(Some(d(2026, 2, 28)))
    );
}

#[test]
fn terms_outside_the_regime_are_refused_with_the_allowed_range() {
    let r = DurationRules::default();
    use EpisodeKind::*;
    use Regime::*;
    let e = r.planned_end(VoluntaryRehabHome, d(2025, 1, 1), Law73_2021, false, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Voluntary rehab at home or in the community under Law 73/2021/QH14 needs a term: choose 6 to 12 months"
    );
    assert!(e.message_vi().contains("từ 6 đến 12 tháng"));
    let e = r.planned_end(VoluntaryRehabHome, d(2025, 1, 1), Law73_2021, false, Some(13)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a term of 13 months is not allowed for Voluntary rehab at home or in the community under Law 73/2021/QH14: allowed is 6 to 12 months"
    );
    let e = r.planned_end(CompulsoryRehab, d(2026, 8, 1), Law120_2025, true, Some(24)).unwrap_err();
    assert_eq!(
        e,
        EpisodeError::TermOutOfRange {
            kind: CompulsoryRehab,
            regime: Law120_2025,
            repeat: true,
            chosen: 24,
            allowed: MonthRange::fixed(36),
        }
    );
    assert!(e.message_vi().contains("đúng 36 tháng") && e.message_vi().contains("lần thứ hai"));
    let e = r.planned_end(SubstitutionTherapy, d(2025, 1, 1), Law73_2021, false, Some(6)).unwrap_err();
    assert!(matches!(e, EpisodeError::NoTerm { chosen: 6, .. }));
    assert!(e.to_string().contains("leave the term empty"));
}

#[test]
fn the_same_decision_a_day_apart_gets_different_terms() {
    let r = DurationRules::default();
    let kind = EpisodeKind::CompulsoryRehab;
    let before = d(2026, 6, 30);
    let after = d(2026, 7, 1);
    assert!(r.planned_end(kind, before, Regime::for_decision(before), false, Some(12)).is_ok());
    assert!(matches!(
        r.planned_end(kind, after, Regime::for_decision(after), false, Some(12)),
        Err(EpisodeError::TermOutOfRange { .. })
    ));
    assert_eq!(r.planned_end(kind, after, Regime::for_decision(after), false, None), Ok(Some(d(2028, 7, 1))));
}

fn span(kind: EpisodeKind, start: NaiveDate, end: Option<NaiveDate>) -> EpisodeSpan {
    EpisodeSpan { kind, start, end }
}

#[test]
fn overlapping_measures_of_one_kind_are_refused() {
    use EpisodeKind::*;
    let existing = [
        span(UserManagement, d(2024, 1, 1), Some(d(2025, 1, 1))),
        span(SubstitutionTherapy, d(2023, 5, 1), None),
    ];
    // Starting on the day the previous one ends is fine (half-open spans).
    assert!(check_no_overlap(&existing, &span(UserManagement, d(2025, 1, 1), None)).is_ok());
    assert!(check_no_overlap(&existing, &span(UserManagement, d(2023, 1, 1), Some(d(2024, 1, 1)))).is_ok());
    let e = check_no_overlap(&existing, &span(UserManagement, d(2024, 12, 31), None)).unwrap_err();
    assert_eq!(
        e,
        EpisodeError::Overlap {
            kind: UserManagement,
            existing_start: d(2024, 1, 1),
            existing_end: Some(d(2025, 1, 1)),
            new_start: d(2024, 12, 31),
        }
    );
    assert!(e.message_vi().contains("01/01/2024") && e.message_vi().contains("31/12/2024"));
    // An open-ended measure blocks every later one of its kind.
    assert!(matches!(
        check_no_overlap(&existing, &span(SubstitutionTherapy, d(2030, 1, 1), None)),
        Err(EpisodeError::Overlap { existing_end: None, .. })
    ));
    // A new open-ended measure starting earlier covers the existing one.
    assert!(check_no_overlap(&existing, &span(UserManagement, d(2020, 1, 1), None)).is_err());
    // Other kinds may run alongside.
    assert!(check_no_overlap(&existing, &span(PostRehabManagement, d(2024, 6, 1), None)).is_ok());
}

#[test]
fn an_end_not_after_the_start_is_refused() {
    use EpisodeKind::*;
    for end in [d(2024, 12, 31), d(2025, 1, 1)] {
        let e = check_no_overlap(&[], &span(CompulsoryRehab, d(2025, 1, 1), Some(end))).unwrap_err();
        assert_eq!(e, EpisodeError::EndNotAfterStart { start: d(2025, 1, 1), end });
    }
    let e = EpisodeError::EndNotAfterStart { start: d(2025, 1, 1), end: d(2024, 12, 31) };
    assert_eq!(e.to_string(), "the end (2024-12-31) must be after the start (2025-01-01)");
    assert_eq!(e.message_vi(), "Ngày kết thúc (31/12/2024) phải sau ngày bắt đầu (01/01/2025).");
}

#[test]
fn triggers_propose_compulsory_rehab_under_the_regime_of_the_day() {
    let events = [
        PersonEvent { on: d(2026, 8, 1), kind: EventKind::LeftSubstitutionTherapy },
        PersonEvent { on: d(2026, 6, 30), kind: EventKind::QuitVoluntaryRehab },
        PersonEvent { on: d(2026, 7, 1), kind: EventKind::RelapsedInPostRehab },
        PersonEvent { on: d(2026, 5, 1), kind: EventKind::TestedPositive },
        PersonEvent { on: d(2025, 3, 1), kind: EventKind::ViolatedVoluntaryRehab },
    ];
    let p = proposals(&events);
    let summary: Vec<_> = p.iter().map(|p| (p.on, p.trigger, p.regime, p.confirmed)).collect();
    assert_eq!(
        summary,
        vec![
            (d(2025, 3, 1), EventKind::ViolatedVoluntaryRehab, Regime::Law73_2021, true),
            (d(2026, 6, 30), EventKind::QuitVoluntaryRehab, Regime::Law73_2021, true),
            (d(2026, 7, 1), EventKind::RelapsedInPostRehab, Regime::Law120_2025, false),
            (d(2026, 8, 1), EventKind::LeftSubstitutionTherapy, Regime::Law120_2025, true),
        ]
    );
    for proposal in &p {
        assert_eq!(proposal.to, EpisodeKind::CompulsoryRehab);
        assert!(proposal.legal_basis_vi.contains(proposal.regime.citation()));
        assert!(proposal.legal_basis_en.contains(proposal.regime.citation()));
        // Only the law is named: no article numbers that DOMAIN.md does not give.
        assert!(!proposal.legal_basis_vi.contains("Điều"));
        assert!(!proposal.legal_basis_en.to_lowercase().contains("art"));
    }
    assert!(p[2].legal_basis_en.contains("not confirmed"));
    assert!(proposals(&[]).is_empty());
}

#[test]
fn transfer_deadlines_exist_from_the_2025_law() {
    let moved = utc(2026, 7, 1, 2, 0, 0);
    let regime = Regime::at(moved);
    assert_eq!(regime, Regime::Law120_2025);
    let report_by = transfer_report_deadline(moved, regime).unwrap();
    assert_eq!(report_by, utc(2026, 7, 2, 2, 0, 0));
    assert_eq!(transfer_notification_deadline(moved, regime), Some(report_by));
    let earlier = utc(2026, 6, 30, 10, 0, 0);
    assert_eq!(transfer_report_deadline(earlier, Regime::at(earlier)), None);
    assert_eq!(transfer_notification_deadline(earlier, Regime::Law73_2021), None);

    let deadline = Some(report_by);
    assert!(!is_transfer_overdue(deadline, Some(report_by), utc(2026, 8, 1, 0, 0, 0)));
    assert!(is_transfer_overdue(deadline, Some(utc(2026, 7, 2, 2, 0, 1)), report_by));
    assert!(!is_transfer_overdue(deadline, None, report_by));
    assert!(is_transfer_overdue(deadline, None, utc(2026, 7, 2, 2, 0, 1)));
    assert!(!is_transfer_overdue(None, None, utc(2030, 1, 1, 0, 0, 0)));
}

fn number(province: usize, g: u8, yy: u8, serial: u32) -> String {
    format!("{}{}{:02}{:06}", PROVINCE_CODES[province], g, yy, serial)
}

proptest! {
    #[test]
    fn generated_numbers_parse_and_round_trip(
        p in 0usize..63, g in 0u8..=9, yy in 0u8..=99, serial in 0u32..=999_999,
    ) {
        let s = number(p, g, yy, serial);
        let sex = if g % 2 == 0 { Sex::Male } else { Sex::Female };
        let year = 1900 + 100 * i32::from(g / 2) + i32::from(yy);
        let n = IdentityNumber::parse(&s, Some(sex), Some(year)).unwrap();
        prop_assert_eq!(n.as_str(), s.as_str());
        prop_assert_eq!(n.sex(), sex);
        prop_assert_eq!(n.birth_year(), year);
        prop_assert_eq!(IdentityNumber::parse(&n.to_string(), None, None).unwrap(), n.clone());
        let doc = IdentityDocument::parse(&s, Some(sex), Some(year)).unwrap();
        prop_assert_eq!(doc, IdentityDocument::Cccd(n));
    }

    #[test]
    fn changing_the_century_digit_breaks_consistency(
        p in 0usize..63, g in 0u8..=9, other in 0u8..=9, yy in 0u8..=99, serial in 0u32..=999_999,
    ) {
        prop_assume!(other != g);
        let sex = if g % 2 == 0 { Sex::Male } else { Sex::Female };
        let year = 1900 + 100 * i32::from(g / 2) + i32::from(yy);
        let changed = number(p, other, yy, serial);
        let result = IdentityNumber::parse(&changed, Some(sex), Some(year));
        if other % 2 != g % 2 {
            let is_sex_mismatch = matches!(result, Err(IdError::SexMismatch { .. }));
            prop_assert!(is_sex_mismatch);
        } else {
            let is_year_mismatch = matches!(result, Err(IdError::BirthYearMismatch { .. }));
            prop_assert!(is_year_mismatch);
        }
    }

    #[test]
    fn unknown_prefixes_are_refused(ppp in 0u32..1000, rest in 0u64..1_000_000_000) {
        let code = format!("{ppp:03}");
        prop_assume!(!PROVINCE_CODES.contains(&code.as_str()));
        let s = format!("{code}{rest:09}");
        prop_assert_eq!(
            IdentityNumber::parse(&s, None, None),
            Err(IdError::UnknownProvince { code })
        );
    }

    #[test]
    fn other_lengths_are_refused(digits in "[0-9]{1,20}") {
        prop_assume!(digits.len() != 12);
        prop_assert_eq!(
            IdentityNumber::parse(&digits, None, None),
            Err(IdError::WrongLength { found: digits.len() })
        );
        if digits.len() != 9 {
            prop_assert_eq!(
                IdentityDocument::parse(&digits, None, None),
                Err(IdError::WrongDocumentLength { found: digits.len() })
            );
        }
    }

    #[test]
    fn every_age_has_one_band_in_order(a in 0u32..120, b in 0u32..120) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(AgeBand::from_age(lo) <= AgeBand::from_age(hi));
    }
}
