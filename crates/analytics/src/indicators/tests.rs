//! Each indicator on a fixture small enough to count by hand.

use super::*;
use diaban_domain::area::AreaState as A;
use diaban_domain::period::StatPeriod;
use diaban_domain::person::{HeldIn, Sex};
use diaban_domain::propaganda::VenueType;
use diaban_domain::seizures::{Drug, QuantityUnit};
use diaban_domain::site::SiteKind;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const C1: i64 = 1;
const C2: i64 = 2;

fn site(kind: SiteKind, hot: bool, transitions: &[(NaiveDate, SiteState)]) -> SiteHistory {
    SiteHistory { kind, hot_spot: hot, transitions: transitions.to_vec() }
}

fn group(commune: i64, count: i64, reached: bool, addict: bool, counselled: bool) -> StatGroup {
    StatGroup {
        commune_id: commune,
        sex: Sex::Male,
        birth_year: 1990,
        kinh: true,
        substances: vec![],
        use_since_year: None,
        held_in: HeldIn::Community,
        rehab_forms: [false; 4],
        in_facility: false,
        reached,
        addict,
        counselled,
        count,
    }
}

/// Statistical year 2026 (15/12/2025–14/12/2026) against 2025, baseline 25/9/2023.
fn fixture() -> Data {
    let y = StatPeriod::year(2026);
    let mut data = Data::empty(y.bounds(15).unwrap(), y.previous().bounds(15).unwrap());
    data.baseline = d(2023, 9, 25);
    data.communes = vec![C1, C2];
    use SiteState::*;
    data.sites = vec![
        // C1: a hot spot listed before the baseline, eliminated in 2026 → T2 numerator.
        (C1, site(SiteKind::Point, true, &[(d(2023, 1, 5), Listed), (d(2026, 3, 1), Eliminated)])),
        // C1: active both year ends.
        (C1, site(SiteKind::Cluster, false, &[(d(2024, 5, 1), Listed)])),
        // C2: a hot spot at the baseline still active → T2 denominator only.
        (C2, site(SiteKind::Point, true, &[(d(2023, 6, 1), Listed)])),
        // C2: eliminated on 14/12/2025 (year 2025), re-formed on 15/12/2025 (year 2026).
        (
            C2,
            site(
                SiteKind::Point,
                false,
                &[(d(2024, 1, 1), Listed), (d(2025, 12, 14), Eliminated), (d(2025, 12, 15), Reformed)],
            ),
        ),
        // C2: a risk point eliminated: counts for the detected share only.
        (C2, site(SiteKind::RiskPoint, false, &[(d(2024, 1, 1), Listed), (d(2026, 2, 1), Eliminated)])),
        // C2: reported, never verified: not detected.
        (C2, site(SiteKind::Point, false, &[(d(2026, 4, 1), Reported)])),
    ];
    data.area_monitoring_months = 12;
    data.areas = vec![
        (
            C1,
            AreaHistory {
                transitions: vec![
                    (d(2024, 1, 1), A::Selected),
                    (d(2024, 10, 1), A::InProgress),
                    (d(2025, 6, 1), A::Evaluated),
                    (d(2025, 6, 2), A::Transformed),
                ],
            },
        ),
        (
            C2,
            AreaHistory {
                transitions: vec![
                    (d(2024, 1, 1), A::Selected),
                    (d(2024, 10, 1), A::InProgress),
                    (d(2025, 1, 1), A::Evaluated),
                    (d(2025, 1, 2), A::Transformed),
                    (d(2025, 8, 1), A::Relapsed),
                ],
            },
        ),
        (C2, AreaHistory { transitions: vec![(d(2026, 1, 1), A::Selected)] }),
    ];
    data.persons = vec![
        group(C1, 6, true, true, true),
        group(C1, 2, false, false, false),
        group(C2, 2, true, true, false),
    ];
    data.persons_previous = vec![group(C1, 5, true, true, true), group(C2, 2, false, false, false)];
    data.classes = qd28(&[(C1, CommuneClass::Type2), (C2, CommuneClass::DrugFree)]);
    data.classes_previous = qd28(&[(C1, CommuneClass::Type2), (C2, CommuneClass::HasDrugs)]);
    let case = |c, on, s, pc, def, h| CaseFact {
        commune_id: c,
        occurred_on: on,
        subjects: s,
        prosecuted_cases: pc,
        defendants: def,
        persons_handled: h,
    };
    data.cases = vec![
        case(C1, d(2025, 12, 14), 9, 1, 9, 0), // the year before: ignored
        case(C1, d(2025, 12, 15), 3, 1, 2, 1),
        case(C2, d(2026, 12, 14), 1, 0, 0, 1),
        case(C2, d(2026, 12, 15), 5, 1, 5, 0), // the year after: ignored
    ];
    data.rings_dismantled = vec![(Some(C1), d(2026, 5, 1)), (None, d(2026, 6, 1)), (Some(C2), d(2025, 1, 1))];
    data.propaganda = vec![
        ActivityFact {
            commune_id: Some(C1),
            on: d(2026, 1, 10),
            participants: 120,
            venue: VenueType::School,
        },
        ActivityFact { commune_id: None, on: d(2026, 2, 10), participants: 300, venue: VenueType::Business },
        ActivityFact { commune_id: Some(C2), on: d(2025, 12, 1), participants: 50, venue: VenueType::School },
    ];
    data.inspections = vec![(C1, d(2026, 1, 1)), (C2, d(2026, 12, 14)), (C2, d(2026, 12, 15))];
    data
}

fn classes(version: CriteriaVersion, rows: &[(i64, CommuneClass)]) -> Classes {
    rows.iter().map(|(c, k)| (*c, BTreeMap::from([(version, *k)]))).collect()
}

fn qd28(rows: &[(i64, CommuneClass)]) -> Classes {
    classes(CriteriaVersion::Qd28_2025, rows)
}

fn get(values: &[IndicatorValue], id: IndicatorId) -> &IndicatorValue {
    values.iter().find(|v| v.id == id).unwrap()
}

#[test]
fn every_indicator_on_the_hand_counted_fixture() {
    use IndicatorId as I;
    let v = compute(&fixture());
    assert_eq!(v.len(), IndicatorId::ALL.len());
    let value = |id| get(&v, id).value;
    // Active points and clusters: end 2026 = C1 cluster, C2 hot spot, C2 re-formed = 3;
    // end 2025 = C1 hot spot, C1 cluster, C2 hot spot = 3 (C2's other was eliminated on 14/12).
    assert_eq!(value(I::SitesActive), Some(3.0));
    assert_eq!(value(I::T1SitesChange), Some(0.0));
    assert_eq!(get(&v, I::T1SitesChange).denominator, Some(3.0));
    // Hot spots at the baseline: two; one eliminated.
    assert_eq!(value(I::T2HotSpotsEliminated), Some(50.0));
    // Entered 'eliminated' in 2026: the C1 hot spot (the risk point is not a point/cluster).
    assert_eq!(value(I::SitesEliminated), Some(1.0));
    assert_eq!(value(I::SitesReformed), Some(1.0));
    // Detected (all kinds, reported excluded): 5; eliminated at the end: hot spot + risk point.
    assert_eq!(value(I::SitesEliminatedShare), Some(40.0));
    // Areas: 3 selected, 2 transformed; past the 12-month window by 14/12/2026: both;
    // C2's relapsed within it.
    assert_eq!(value(I::AreasSelected), Some(3.0));
    assert_eq!(value(I::T3AreasTransformed), Some(200.0 / 3.0));
    assert_eq!(value(I::T4AreasNotRelapsed), Some(50.0));
    assert_eq!(value(I::AreasRelapsed), Some(1.0));
    // Persons: 10 with records, 8 reached; addicts 8 (previous 5); counselled 6; users 2 (previous 2).
    assert_eq!(value(I::PersonsWithRecords), Some(10.0));
    assert_eq!(value(I::T5PersonsReached), Some(80.0));
    assert_eq!(value(I::T6AddictsGrowth), Some(60.0));
    assert_eq!(value(I::AddictsCounselled), Some(75.0));
    assert_eq!(value(I::IllegalUsersGrowth), Some(0.0));
    // Communes: problems 1 (previous 2) → −50%; drug-free 1 of 2.
    assert_eq!(value(I::ProblemCommunes), Some(1.0));
    assert_eq!(value(I::T6ProblemCommunesGrowth), Some(-50.0));
    assert_eq!(value(I::DrugFreeCommunes), Some(50.0));
    // Cases on 15/12/2025 and 14/12/2026 only.
    assert_eq!(value(I::Cases), Some(2.0));
    assert_eq!(value(I::CaseSubjects), Some(4.0));
    assert_eq!(value(I::ProsecutedCases), Some(1.0));
    assert_eq!(value(I::ProsecutedDefendants), Some(2.0));
    assert_eq!(value(I::AdministrativelyHandled), Some(2.0));
    assert_eq!(value(I::RingsDismantled), Some(2.0));
    assert_eq!(value(I::PropagandaSessions), Some(2.0));
    assert_eq!(value(I::PropagandaParticipants), Some(420.0));
    assert_eq!(value(I::Inspections), Some(2.0));
}

#[test]
fn the_breakdown_by_commune_adds_up_where_counts_do() {
    use IndicatorId as I;
    let v = compute(&fixture());
    let by = |id| get(&v, id).by_commune.clone();
    assert_eq!(by(I::SitesActive), BTreeMap::from([(C1, Some(1.0)), (C2, Some(2.0))]));
    // C1: 2 active at the end of 2025, 1 at the end of 2026.
    assert_eq!(by(I::T1SitesChange)[&C1], Some(-50.0));
    assert_eq!(by(I::T2HotSpotsEliminated), BTreeMap::from([(C1, Some(100.0)), (C2, Some(0.0))]));
    assert_eq!(by(I::T5PersonsReached)[&C1], Some(75.0));
    assert_eq!(by(I::RingsDismantled), BTreeMap::from([(C1, Some(1.0)), (C2, Some(0.0))]));
    // An activity of a department has no commune: in the total only.
    assert_eq!(by(I::PropagandaParticipants), BTreeMap::from([(C1, Some(120.0)), (C2, Some(0.0))]));
    // C2: two addicts, none counselled.
    assert_eq!(by(I::AddictsCounselled)[&C2], Some(0.0));
    assert_eq!(by(I::T4AreasNotRelapsed)[&C1], Some(100.0));
    for id in [I::SitesActive, I::Cases, I::CaseSubjects, I::PersonsWithRecords, I::Inspections] {
        let total = get(&v, id).value.unwrap();
        let sum: f64 = by(id).values().map(|x| x.unwrap()).sum();
        assert_eq!(total, sum, "{id}");
    }
}

#[test]
fn shares_and_changes_over_zero_have_no_value() {
    let y = StatPeriod::year(2026);
    let v = compute(&Data::empty(y.bounds(15).unwrap(), y.previous().bounds(15).unwrap()));
    for x in &v {
        match x.id.measure() {
            // Nothing classified: the number of problem communes is unknown.
            _ if x.id == IndicatorId::ProblemCommunes => assert_eq!(x.value, None),
            diaban_domain::indicator::Measure::Count => assert_eq!(x.value, Some(0.0), "{}", x.id),
            _ => assert_eq!(x.value, None, "{}", x.id),
        }
    }
}

#[test]
fn communes_not_classified_for_the_year_give_no_value_not_a_fall() {
    let mut data = fixture();
    data.classes.clear();
    let v = compute(&data);
    assert_eq!(get(&v, IndicatorId::ProblemCommunes).value, None);
    assert_eq!(get(&v, IndicatorId::T6ProblemCommunesGrowth).value, None);
    assert_eq!(get(&v, IndicatorId::DrugFreeCommunes).value, None);
}

#[test]
fn a_monthly_period_moves_the_boundaries() {
    let m = StatPeriod::month(2026, 1);
    let mut data = fixture();
    data.period = m.bounds(15).unwrap();
    data.previous = m.previous().bounds(15).unwrap();
    let v = compute(&data);
    // 15/12/2025–14/1/2026: the case of 15/12/2025 only; the C2 site re-formed on 15/12.
    assert_eq!(get(&v, IndicatorId::Cases).value, Some(1.0));
    assert_eq!(get(&v, IndicatorId::SitesReformed).value, Some(1.0));
    assert_eq!(get(&v, IndicatorId::Inspections).value, Some(1.0));
}

#[test]
fn every_indicator_has_a_definition() {
    for &id in IndicatorId::ALL {
        assert!(definition(id).len() > 20, "{id}");
    }
}

#[test]
fn new_points_and_clusters_are_those_first_listed_in_the_period() {
    use IndicatorId as I;
    use SiteState::*;
    let mut data = fixture();
    data.sites.extend([
        // Listed in 2026: new.
        (C1, site(SiteKind::Point, false, &[(d(2026, 2, 1), Listed)])),
        // Reported in 2025, first listed on 15/12/2025 (the first day of 2026): new in 2026.
        (C2, site(SiteKind::Cluster, false, &[(d(2025, 11, 1), Reported), (d(2025, 12, 15), Listed)])),
        // Listed in 2025: new in the year before.
        (C2, site(SiteKind::Cluster, false, &[(d(2025, 3, 1), Listed)])),
        // A risk point listed in 2026 is not a point or cluster.
        (C1, site(SiteKind::RiskPoint, false, &[(d(2026, 3, 1), Listed)])),
    ]);
    let v = compute(&data);
    // The re-formed site of the fixture (listed in 2024) is not new.
    assert_eq!(get(&v, I::SitesNew).value, Some(2.0));
    assert_eq!(get(&v, I::SitesNewChange).value, Some(100.0));
    assert_eq!(get(&v, I::SitesNewChange).denominator, Some(1.0));
    assert_eq!(get(&v, I::SitesNew).by_commune, BTreeMap::from([(C1, Some(1.0)), (C2, Some(1.0))]));
}

#[test]
fn seizures_add_up_per_drug_and_unit_and_never_across_units() {
    use IndicatorId as I;
    let mut data = fixture();
    let line = |c, on, drug, quantity, unit| SeizureFact { commune_id: c, on, drug, quantity, unit };
    data.seizures = vec![
        line(C1, d(2026, 1, 5), Drug::Heroin, 1.5, QuantityUnit::Kilogram),
        line(C2, d(2026, 2, 5), Drug::Heroin, 200.0, QuantityUnit::Gram),
        line(C2, d(2026, 2, 5), Drug::Heroin, 3.0, QuantityUnit::Brick),
        line(C1, d(2026, 3, 5), Drug::Synthetic, 3000.0, QuantityUnit::Tablet),
        line(C1, d(2026, 3, 5), Drug::Synthetic, 120.0, QuantityUnit::Gram),
        line(C1, d(2026, 4, 5), Drug::Cannabis, 40.0, QuantityUnit::Plant),
        // The year before: ignored.
        line(C1, d(2025, 12, 14), Drug::Heroin, 9.0, QuantityUnit::Kilogram),
    ];
    let v = compute(&data);
    assert_eq!(get(&v, I::SeizedHeroinGrams).value, Some(1700.0));
    assert_eq!(get(&v, I::SeizedHeroinBricks).value, Some(3.0));
    assert_eq!(get(&v, I::SeizedSyntheticTablets).value, Some(3000.0));
    assert_eq!(get(&v, I::SeizedSyntheticGrams).value, Some(120.0));
    assert_eq!(get(&v, I::SeizedCannabisPlants).value, Some(40.0));
    assert_eq!(get(&v, I::SeizedCannabisGrams).value, Some(0.0));
    assert_eq!(
        get(&v, I::SeizedHeroinGrams).by_commune,
        BTreeMap::from([(C1, Some(1500.0)), (C2, Some(200.0))])
    );
}

#[test]
fn propaganda_is_counted_by_venue() {
    use IndicatorId as I;
    let v = compute(&fixture());
    // 2026: the school session of C1 and the department's session at a business.
    assert_eq!(get(&v, I::PropagandaSchool).value, Some(1.0));
    assert_eq!(get(&v, I::PropagandaBusiness).value, Some(1.0));
    assert_eq!(get(&v, I::PropagandaCommune).value, Some(0.0));
    assert_eq!(get(&v, I::PropagandaSchool).by_commune, BTreeMap::from([(C1, Some(1.0)), (C2, Some(0.0))]));
}

#[test]
fn problem_communes_compare_only_under_one_criteria_version() {
    use IndicatorId as I;
    let mut data = fixture();
    // The year under QĐ 28/2025, the year before under QĐ 3122/2010 only: not comparable.
    data.classes_previous =
        classes(CriteriaVersion::Qd3122_2010, &[(C1, CommuneClass::Type2), (C2, CommuneClass::HasDrugs)]);
    let v = compute(&data);
    let t6 = get(&v, I::T6ProblemCommunesGrowth);
    assert_eq!(t6.value, None);
    let note = t6.note.unwrap();
    assert!(matches!(note, IndicatorNote::CriteriaDiffer { now: [true, false], before: [false, true] }));
    assert!(note.message_vi().starts_with("Không so sánh được"), "{}", note.message_vi());
    // The count of the year itself is still known.
    assert_eq!(get(&v, I::ProblemCommunes).value, Some(1.0));
    // When the year before was also classified under QĐ 28/2025, that version compares.
    data.classes_previous.get_mut(&C1).unwrap().insert(CriteriaVersion::Qd28_2025, CommuneClass::Type3);
    data.classes_previous.get_mut(&C2).unwrap().insert(CriteriaVersion::Qd28_2025, CommuneClass::DrugFree);
    let v = compute(&data);
    // Under QĐ 28: 1 problem commune in each year.
    assert_eq!(get(&v, I::T6ProblemCommunesGrowth).value, Some(0.0));
    assert_eq!(get(&v, I::T6ProblemCommunesGrowth).note, None);
    // Both years under one version throughout: the fixture's -50%.
    assert_eq!(get(&compute(&fixture()), I::T6ProblemCommunesGrowth).value, Some(-50.0));
}

#[test]
fn a_territory_keeps_only_its_communes_rows() {
    use IndicatorId as I;
    let mut data = fixture();
    data.restrict(&std::collections::BTreeSet::from([C1]));
    let v = compute(&data);
    assert_eq!(data.communes, vec![C1]);
    // C1 alone: one active site at the end of 2026, two at the end of 2025.
    assert_eq!(get(&v, I::SitesActive).value, Some(1.0));
    assert_eq!(get(&v, I::T1SitesChange).value, Some(-50.0));
    assert_eq!(get(&v, I::PersonsWithRecords).value, Some(8.0));
    // The department's activity has no commune: it cannot be placed in a territory.
    assert_eq!(get(&v, I::PropagandaParticipants).value, Some(120.0));
    assert_eq!(get(&v, I::RingsDismantled).value, Some(1.0));
    assert_eq!(get(&v, I::SitesActive).by_commune.len(), 1);
}
