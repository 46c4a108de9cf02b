use super::measure::fmt_num;
use super::*;
use proptest::prelude::*;
use serde::Deserialize;
use serde::de::value::{Error as DeError, StrDeserializer};

/// A commune of 10,000 residents with nothing to report, off any key route.
fn clean() -> ClassificationInputs {
    ClassificationInputs {
        population: Some(10_000),
        persons_with_records: Some(0),
        places_organising_use: Some(0),
        offenders_arrested: Some(0),
        drug_plants_count: Some(0),
        drug_plants_area_m2: Some(0.0),
        on_key_route: Some(false),
        addicts_with_records: Some(0),
        clusters: Some(0),
    }
}

fn qd28(i: &ClassificationInputs) -> Classification {
    classify(i, CriteriaVersion::Qd28_2025, &Thresholds::default()).unwrap()
}

fn qd3122(i: &ClassificationInputs) -> Classification {
    classify(i, CriteriaVersion::Qd3122_2010, &Thresholds::default()).unwrap()
}

fn row<'a>(c: &'a Classification, band: Band, id: &str) -> &'a CriterionResult {
    c.criteria
        .iter()
        .find(|r| r.band == band && r.id == id)
        .unwrap_or_else(|| panic!("no criterion {band} {id}"))
}

#[test]
fn stored_names_round_trip_and_match_serde() {
    for v in CriteriaVersion::ALL {
        assert_eq!(v.as_str().parse::<CriteriaVersion>().unwrap(), v);
        assert_eq!(CriteriaVersion::deserialize(StrDeserializer::<DeError>::new(v.as_str())).unwrap(), v);
    }
    for v in CommuneClass::ALL {
        assert_eq!(v.as_str().parse::<CommuneClass>().unwrap(), v);
        assert_eq!(CommuneClass::deserialize(StrDeserializer::<DeError>::new(v.as_str())).unwrap(), v);
        assert!(!v.label_vi().is_empty() && !v.label_en().is_empty());
    }
    for v in Band::ALL {
        assert_eq!(v.as_str().parse::<Band>().unwrap(), v);
        assert_eq!(Band::deserialize(StrDeserializer::<DeError>::new(v.as_str())).unwrap(), v);
    }
}

#[test]
fn version_follows_the_statistical_year() {
    assert_eq!(CriteriaVersion::for_year(2010), CriteriaVersion::Qd3122_2010);
    assert_eq!(CriteriaVersion::for_year(2024), CriteriaVersion::Qd3122_2010);
    assert_eq!(CriteriaVersion::for_year(2025), CriteriaVersion::Qd28_2025);
    let c = classify_year(&clean(), 2024, &Thresholds::default()).unwrap();
    assert_eq!(c.version, CriteriaVersion::Qd3122_2010);
}

/// Each QĐ 28 type I criterion exactly at, and just below, its threshold, on its own.
#[test]
fn qd28_type1_criteria_at_their_thresholds() {
    type Edit = fn(&mut ClassificationInputs);
    let cases: [(&str, Edit, Edit); 5] = [
        ("a", |i| i.persons_with_records = Some(50), |i| i.persons_with_records = Some(49)),
        ("b", |i| i.places_organising_use = Some(2), |i| i.places_organising_use = Some(1)),
        ("c", |i| i.offenders_arrested = Some(10), |i| i.offenders_arrested = Some(9)),
        ("d", |i| i.drug_plants_count = Some(3000), |i| i.drug_plants_count = Some(2999)),
        ("d", |i| i.drug_plants_area_m2 = Some(750.0), |i| i.drug_plants_area_m2 = Some(749.9)),
    ];
    for (id, at, below) in cases {
        let mut i = clean();
        at(&mut i);
        assert_eq!(row(&qd28(&i), Band::Type1, id).met, Some(true), "{id} at threshold");
        let mut i = clean();
        below(&mut i);
        assert_eq!(row(&qd28(&i), Band::Type1, id).met, Some(false), "{id} below");
    }
}

#[test]
fn rates_exactly_at_a_threshold_count_for_awkward_populations() {
    for (population, arrested, band) in [
        (7_000, 7, Band::Type1),   // 0.1%
        (30_000, 30, Band::Type1), // 0.1%
        (6_000, 3, Band::Type2),   // 0.05%
        (14_000, 7, Band::Type2),  // 0.05%
    ] {
        let i = ClassificationInputs {
            population: Some(population),
            offenders_arrested: Some(arrested),
            ..clean()
        };
        assert_eq!(row(&qd28(&i), band, "c").met, Some(true), "{arrested}/{population}");
    }
    let i = ClassificationInputs {
        population: Some(13_000),
        persons_with_records: Some(65), // 0.5%
        ..clean()
    };
    assert_eq!(row(&qd28(&i), Band::Type1, "a").met, Some(true));
}

#[test]
fn qd28_at_least_three_at_the_boundary() {
    use CommuneClass::*;
    let with = |persons, places, arrested, route| ClassificationInputs {
        persons_with_records: Some(persons),
        places_organising_use: Some(places),
        offenders_arrested: Some(arrested),
        on_key_route: Some(route),
        ..clean()
    };
    let cases = [
        // (a), (b), (c) all at type I: three met.
        (with(50, 2, 10, false), Type1),
        // Two type I criteria; (c) at 0.09% meets type II, so type II has (a)(b)(c).
        (with(50, 2, 9, false), Type2),
        // Two type I criteria on a key route: (đ) is the third.
        (with(50, 2, 0, true), Type1),
        // On a key route with (a) 0.25% and (b) one place: (đ) is met in every band, but
        // type I has only (đ); type II has (a), (b) and (đ).
        (with(25, 1, 0, true), Type2),
        // Type II band exactly: 0.25%, 1 place, 0.05%.
        (with(25, 1, 5, false), Type2),
        // Type II with two only: falls to type III on (a).
        (with(25, 1, 4, false), Type3),
        // One lowest-band criterion.
        (with(0, 1, 0, false), Type3),
        (with(13, 0, 0, false), Type3), // 0.13% ≥ 0.125%
        // Below every band but not drug-free.
        (with(12, 0, 0, false), HasDrugs),
        (with(0, 0, 2, false), HasDrugs), // 0.02% < 0.025%
        (with(0, 0, 0, true), DrugFree),
    ];
    for (i, expected) in cases {
        assert_eq!(qd28(&i).class, expected, "{i:?}");
    }
}

#[test]
fn route_criterion_is_read_at_the_lowest_band() {
    // (a) 0.2% and (c) 0.03% meet only type III; on a key route that makes (đ).
    let i = ClassificationInputs {
        persons_with_records: Some(20),
        offenders_arrested: Some(3),
        on_key_route: Some(true),
        ..clean()
    };
    let c = qd28(&i);
    assert_eq!(row(&c, Band::Type1, "đ").met, Some(true));
    assert_eq!(row(&c, Band::Type1, "a").met, Some(false));
    assert_eq!(c.class, CommuneClass::Type3);
    // One lowest-band criterion is not enough for (đ).
    let one = ClassificationInputs { offenders_arrested: Some(0), ..i };
    assert_eq!(row(&qd28(&one), Band::Type1, "đ").met, Some(false));
}

#[test]
fn plants_either_count_or_area() {
    let i = ClassificationInputs { drug_plants_count: None, drug_plants_area_m2: Some(750.0), ..clean() };
    let r = row(&qd28(&i), Band::Type1, "d").clone();
    assert_eq!(r.met, Some(true));
    assert!(r.missing_inputs.is_empty());
    assert_eq!(r.value, "? | 750 m²");
    assert_eq!(r.threshold, "≥ 3,000 | ≥ 750 m²");
    let i = ClassificationInputs { drug_plants_count: None, drug_plants_area_m2: Some(100.0), ..clean() };
    let r = row(&qd28(&i), Band::Type1, "d").clone();
    assert_eq!(r.met, None);
    assert_eq!(r.missing_inputs, vec!["drug_plants_count"]);
}

#[test]
fn missing_inputs_leave_the_class_open_only_when_they_matter() {
    use CommuneClass::*;
    // (b) and (d) met, (a) and (c) unknown without population: type I could go either way.
    let open = ClassificationInputs {
        population: None,
        persons_with_records: Some(50),
        places_organising_use: Some(2),
        offenders_arrested: Some(10),
        drug_plants_count: Some(3000),
        ..clean()
    };
    let c = qd28(&open);
    assert_eq!(c.class, NotClassifiable);
    assert_eq!(row(&c, Band::Type1, "a").met, None);
    assert_eq!(c.missing_inputs, vec!["population"]);
    // The same on a key route: (b), (d), (đ) make three whatever (a) and (c) are.
    let decided = ClassificationInputs { on_key_route: Some(true), ..open.clone() };
    let c = qd28(&decided);
    assert_eq!(c.class, Type1);
    assert_eq!(c.missing_inputs, vec!["population"]);
    // The route unknown with (a)(b) met: (đ) could make the third.
    let route = ClassificationInputs {
        persons_with_records: Some(50),
        places_organising_use: Some(2),
        on_key_route: None,
        ..clean()
    };
    let c = qd28(&route);
    assert_eq!(c.class, NotClassifiable);
    assert_eq!(c.missing_inputs, vec!["on_key_route"]);
    // Route unknown but fewer than two lowest-band criteria: (đ) is false anyway.
    let c = qd28(&ClassificationInputs { on_key_route: None, ..clean() });
    assert_eq!(c.class, DrugFree);
    assert!(c.missing_inputs.is_empty());
}

#[test]
fn a_zero_count_needs_no_population_but_a_positive_one_does() {
    let none = ClassificationInputs { population: None, ..clean() };
    assert_eq!(qd28(&none).class, CommuneClass::DrugFree);
    let one = ClassificationInputs { population: None, persons_with_records: Some(1), ..clean() };
    let c = qd28(&one);
    assert_eq!(c.class, CommuneClass::NotClassifiable);
    assert_eq!(c.missing_inputs, vec!["population"]);
    assert!(row(&c, Band::Type1, "a").explanation_vi.contains("thiếu dân số"));
    assert!(row(&c, Band::Type1, "a").explanation_en.contains("missing resident population"));
}

#[test]
fn drug_free_needs_its_inputs() {
    let c = qd28(&ClassificationInputs { places_organising_use: None, ..clean() });
    // (b) unknown could still make type III.
    assert_eq!(c.class, CommuneClass::NotClassifiable);
    assert_eq!(c.missing_inputs, vec!["places_organising_use"]);
    let c = qd28(&ClassificationInputs::default());
    assert_eq!(c.class, CommuneClass::NotClassifiable);
}

#[test]
fn explanations_show_values_and_thresholds_in_each_language() {
    let i = ClassificationInputs { persons_with_records: Some(62), ..clean() };
    let c = qd28(&i);
    let a = row(&c, Band::Type1, "a");
    assert_eq!(a.value, "0.62%");
    assert_eq!(a.threshold, "≥ 0.5%");
    assert!(a.confirmed);
    assert_eq!(
        a.explanation_vi,
        "Loại I, tiêu chí (a) – người nghiện và người sử dụng trái phép chất ma túy có hồ sơ quản lý so với dân số: tỷ lệ trên dân số 0,62% (ngưỡng ≥ 0,5%) → đạt."
    );
    assert_eq!(
        a.explanation_en,
        "Type I, criterion (a) – addicts and illegal users with management records, relative to residents: share of residents 0.62% (threshold ≥ 0.5%) → met."
    );
    let a2 = row(&c, Band::Type2, "a");
    assert!(!a2.confirmed);
    let d = row(&c, Band::Type1, "đ");
    assert_eq!(d.value, "1 of (a)–(d) at type III+ & route: no");
    assert!(d.explanation_vi.contains("nằm trên tuyến: không → không đạt"));
}

#[test]
fn metadata_marks_what_is_unconfirmed() {
    let t = Thresholds::default();
    let meta = t.criteria(CriteriaVersion::Qd28_2025);
    assert_eq!(meta.len(), 5 + 5 + 4 + 3);
    let flags: Vec<(Band, &str, bool)> = meta.iter().map(|m| (m.band, m.id, m.confirmed)).collect();
    for id in ["a", "b", "c", "d", "đ"] {
        assert!(flags.contains(&(Band::Type1, id, true)), "type I {id}");
    }
    for (id, confirmed) in [("a", false), ("b", true), ("c", true), ("d", false), ("đ", false)] {
        assert!(flags.contains(&(Band::Type2, id, confirmed)), "type II {id}");
    }
    assert!(meta.iter().filter(|m| m.band == Band::Type3 || m.band == Band::DrugFree).all(|m| !m.confirmed));
    let old = t.criteria(CriteriaVersion::Qd3122_2010);
    assert_eq!(old.len(), 3 + 3 + 3 + 2);
    let confirmed: Vec<&str> = old.iter().filter(|m| m.confirmed).map(|m| m.id).collect();
    assert_eq!(confirmed, vec!["addicts", "clusters"]);
}

#[test]
fn qd3122_any_one_of_absolute_counts() {
    use CommuneClass::*;
    let cases = [
        (ClassificationInputs { addicts_with_records: Some(100), ..clean() }, Type1),
        (ClassificationInputs { addicts_with_records: Some(99), ..clean() }, Type2),
        (ClassificationInputs { clusters: Some(5), ..clean() }, Type1),
        (ClassificationInputs { clusters: Some(4), ..clean() }, Type2),
        (ClassificationInputs { clusters: Some(2), ..clean() }, Type3),
        (ClassificationInputs { drug_plants_area_m2: Some(2000.0), ..clean() }, Type1),
        (ClassificationInputs { drug_plants_area_m2: Some(499.0), ..clean() }, DrugFree),
        (
            ClassificationInputs {
                addicts_with_records: Some(24),
                persons_with_records: Some(30),
                clusters: Some(1),
                ..clean()
            },
            HasDrugs,
        ),
        (clean(), DrugFree),
        // Any one met decides type I even with the others missing.
        (
            ClassificationInputs {
                addicts_with_records: None,
                drug_plants_area_m2: None,
                clusters: Some(5),
                ..clean()
            },
            Type1,
        ),
        (ClassificationInputs { addicts_with_records: None, ..clean() }, NotClassifiable),
    ];
    for (i, expected) in cases {
        assert_eq!(qd3122(&i).class, expected, "{i:?}");
    }
    let c = qd3122(&ClassificationInputs { addicts_with_records: None, ..clean() });
    assert_eq!(c.missing_inputs, vec!["addicts_with_records"]);
    // QĐ 28 inputs play no part under QĐ 3122 and the other way round.
    let c = qd3122(&ClassificationInputs { places_organising_use: Some(9), ..clean() });
    assert_eq!(c.class, DrugFree);
}

#[test]
fn bad_inputs_and_thresholds_are_refused() {
    let t = Thresholds::default();
    let v = CriteriaVersion::Qd28_2025;
    let e = classify(&ClassificationInputs { population: Some(0), ..clean() }, v, &t).unwrap_err();
    assert_eq!(e, ClassificationError::PopulationNotPositive(0));
    assert!(e.message_vi().contains("để trống"));
    let e = classify(&ClassificationInputs { clusters: Some(-1), ..clean() }, v, &t).unwrap_err();
    assert_eq!(e.to_string(), "clusters cannot be negative, got -1");
    assert_eq!(e.message_vi(), "Số liệu «tụ điểm ma túy» không được âm; đã nhập -1.");
    let e = classify(&ClassificationInputs { drug_plants_area_m2: Some(f64::NAN), ..clean() }, v, &t)
        .unwrap_err();
    assert!(matches!(e, ClassificationError::NotFinite { .. }));
    let mut bad = Thresholds::default();
    bad.qd28.type1.min_criteria.value = 6;
    let e = classify(&clean(), v, &bad).unwrap_err();
    assert_eq!(
        e.to_string(),
        "qd28_2025 type_1: the number of criteria to meet must be between 1 and 5, got 6"
    );
    let mut bad = Thresholds::default();
    bad.qd3122.type2.clusters = Some(Param::unconfirmed(Bound::AtLeast(f64::INFINITY)));
    let e = classify(&clean(), CriteriaVersion::Qd3122_2010, &bad).unwrap_err();
    assert!(matches!(e, ClassificationError::BadThreshold { id: "clusters", .. }));
}

#[test]
fn empty_drug_free_criteria_make_nobody_drug_free() {
    let mut t = Thresholds::default();
    t.qd28.drug_free = DrugFreeCriteria::default();
    let c = classify(&clean(), CriteriaVersion::Qd28_2025, &t).unwrap();
    assert_eq!(c.class, CommuneClass::HasDrugs);
}

#[test]
fn numbers_are_written_the_local_way() {
    assert_eq!(fmt_num(3000.0, false), "3,000");
    assert_eq!(fmt_num(3000.0, true), "3.000");
    assert_eq!(fmt_num(0.5, true), "0,5");
    assert_eq!(fmt_num(1_234_567.25, false), "1,234,567.25");
    assert_eq!(fmt_num(0.0125, false), "0.0125");
    assert_eq!(fmt_num(62.5, true), "62,5");
    assert_eq!(fmt_num(0.0, false), "0");
    assert_eq!(fmt_num(-1.0, false), "-1");
}

fn severity(c: CommuneClass) -> u8 {
    match c {
        CommuneClass::DrugFree => 0,
        CommuneClass::HasDrugs => 1,
        CommuneClass::Type3 => 2,
        CommuneClass::Type2 => 3,
        CommuneClass::Type1 => 4,
        CommuneClass::NotClassifiable => u8::MAX,
    }
}

fn inputs_strategy() -> impl Strategy<Value = ClassificationInputs> {
    (1i64..50_000, 0i64..400, 0i64..4, 0i64..80, 0i64..5_000, 0u32..1_200, any::<bool>(), 0i64..150, 0i64..8)
        .prop_map(|(pop, persons, places, arrested, plants, area, route, addicts, clusters)| {
            ClassificationInputs {
                population: Some(pop),
                persons_with_records: Some(persons),
                places_organising_use: Some(places),
                offenders_arrested: Some(arrested),
                drug_plants_count: Some(plants),
                drug_plants_area_m2: Some(f64::from(area)),
                on_key_route: Some(route),
                addicts_with_records: Some(addicts),
                clusters: Some(clusters),
            }
        })
}

/// Blanks input `k` (0..9) of `i`.
fn blank(mut i: ClassificationInputs, k: usize) -> ClassificationInputs {
    match k {
        0 => i.population = None,
        1 => i.persons_with_records = None,
        2 => i.places_organising_use = None,
        3 => i.offenders_arrested = None,
        4 => i.drug_plants_count = None,
        5 => i.drug_plants_area_m2 = None,
        6 => i.on_key_route = None,
        7 => i.addicts_with_records = None,
        _ => i.clusters = None,
    }
    i
}

proptest! {
    #[test]
    fn complete_inputs_always_classify(i in inputs_strategy()) {
        for v in CriteriaVersion::ALL {
            let c = classify(&i, v, &Thresholds::default()).unwrap();
            prop_assert_ne!(c.class, CommuneClass::NotClassifiable);
            prop_assert!(c.missing_inputs.is_empty());
        }
    }

    #[test]
    fn a_class_decided_despite_missing_inputs_is_the_true_one(
        i in inputs_strategy(), blanks in proptest::collection::vec(0usize..9, 1..4),
    ) {
        let partial = blanks.iter().fold(i.clone(), |acc, &k| blank(acc, k));
        for v in CriteriaVersion::ALL {
            let full = classify(&i, v, &Thresholds::default()).unwrap().class;
            let part = classify(&partial, v, &Thresholds::default()).unwrap().class;
            if part != CommuneClass::NotClassifiable {
                prop_assert_eq!(part, full);
            }
        }
    }

    #[test]
    fn more_cases_never_make_a_commune_less_serious(
        i in inputs_strategy(), k in 1usize..9, extra in 1i64..200,
    ) {
        let mut more = i.clone();
        match k {
            1 => more.persons_with_records = more.persons_with_records.map(|n| n + extra),
            2 => more.places_organising_use = more.places_organising_use.map(|n| n + extra),
            3 => more.offenders_arrested = more.offenders_arrested.map(|n| n + extra),
            4 => more.drug_plants_count = more.drug_plants_count.map(|n| n + extra),
            5 => more.drug_plants_area_m2 = more.drug_plants_area_m2.map(|a| a + extra as f64),
            6 => more.on_key_route = Some(true),
            7 => more.addicts_with_records = more.addicts_with_records.map(|n| n + extra),
            _ => more.clusters = more.clusters.map(|n| n + extra),
        }
        for v in CriteriaVersion::ALL {
            let before = classify(&i, v, &Thresholds::default()).unwrap().class;
            let after = classify(&more, v, &Thresholds::default()).unwrap().class;
            prop_assert!(severity(after) >= severity(before), "{:?} -> {:?}", before, after);
        }
    }
}
