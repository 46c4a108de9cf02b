//! The statistics on a fixture counted by hand (see the comment of each person).

use super::stats::*;
use super::{EpisodeKind as K, HeldIn, Sex, Substance};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ep(kind: K, start: NaiveDate, end: Option<NaiveDate>) -> StatEpisode {
    StatEpisode { kind, start, end }
}

#[allow(clippy::too_many_arguments)]
fn person(
    commune_id: i64,
    sex: Sex,
    birth_year: i32,
    kinh: bool,
    substances: Vec<Substance>,
    use_since_year: Option<i32>,
    held_in: HeldIn,
    episodes: Vec<StatEpisode>,
    services: Vec<NaiveDate>,
) -> StatPerson {
    StatPerson {
        commune_id,
        sex,
        birth_year,
        kinh,
        substances,
        use_since_year,
        held_in,
        episodes,
        services,
        counselling: vec![],
    }
}

/// Statistical year 2026 runs 15/12/2025 to 14/12/2026.
fn fixture() -> Vec<StatPerson> {
    use Substance::*;
    vec![
        // A: counted (management in the year), 36 → 30+, heroin for 16 years, reached.
        person(
            1,
            Sex::Male,
            1990,
            true,
            vec![Heroin],
            Some(2010),
            HeldIn::Community,
            vec![ep(K::UserManagement, d(2026, 1, 10), Some(d(2027, 1, 10)))],
            vec![d(2026, 3, 1)],
        ),
        // B: counted, 17 → 16–18, not Kinh, two substances, 2 years of use; facility rehab
        // ended 1/12, compulsory rehab running on 14/12 → held in a rehab facility; her only
        // service was before the year.
        person(
            1,
            Sex::Female,
            2009,
            false,
            vec![Methamphetamine, Cannabis],
            Some(2024),
            HeldIn::Community,
            vec![
                ep(K::VoluntaryRehabFacility, d(2026, 6, 1), Some(d(2026, 12, 1))),
                ep(K::CompulsoryRehab, d(2026, 12, 1), Some(d(2028, 12, 1))),
            ],
            vec![d(2025, 12, 1)],
        ),
        // C: counted (open-ended methadone since 2020), 26 → 18–30, in prison, nothing
        // recorded on use; a service on the year's last day counts.
        person(
            2,
            Sex::Male,
            2000,
            true,
            vec![],
            None,
            HeldIn::Prison,
            vec![ep(K::SubstitutionTherapy, d(2020, 1, 1), None)],
            vec![d(2026, 12, 14)],
        ),
        // D: not counted: management ended in 2025.
        person(
            2,
            Sex::Male,
            1980,
            true,
            vec![Heroin],
            Some(2000),
            HeldIn::Community,
            vec![ep(K::UserManagement, d(2024, 1, 1), Some(d(2025, 1, 1)))],
            vec![d(2026, 5, 5)],
        ),
        // E: counted: addiction determined on the year's first day; 13 → under 14; began
        // using in 2026 → under a year.
        person(
            2,
            Sex::Male,
            2013,
            true,
            vec![Cannabis],
            Some(2026),
            HeldIn::Community,
            vec![ep(K::AddictionDetermination, d(2025, 12, 15), None)],
            vec![],
        ),
        // F: counted (post-rehab into June), exactly 30 → 30 and over.
        person(
            1,
            Sex::Female,
            1996,
            true,
            vec![Heroin],
            Some(2016),
            HeldIn::Community,
            vec![ep(K::PostRehabManagement, d(2025, 6, 1), Some(d(2026, 6, 1)))],
            vec![],
        ),
        // G: not counted: post-rehab ended on 15/12/2025, the first day the measure no
        // longer runs, which is the year's first day.
        person(
            1,
            Sex::Female,
            1996,
            true,
            vec![Heroin],
            Some(2016),
            HeldIn::Community,
            vec![ep(K::PostRehabManagement, d(2024, 12, 15), Some(d(2025, 12, 15)))],
            vec![d(2026, 1, 1)],
        ),
        // H: not counted: a determination before the year is not a record in it.
        person(
            2,
            Sex::Male,
            1990,
            true,
            vec![],
            None,
            HeldIn::Community,
            vec![ep(K::AddictionDetermination, d(2025, 12, 14), None)],
            vec![],
        ),
    ]
}

#[test]
fn the_statistical_year_runs_from_15_december_to_14_december() {
    let p = Period::statistical_year(2026).unwrap();
    assert_eq!((p.from, p.to), (d(2025, 12, 15), d(2026, 12, 14)));
}

#[test]
fn the_breakdowns_match_the_hand_count() {
    let s = compute(&fixture(), Period::statistical_year(2026).unwrap());
    let t = &s.total;
    assert_eq!(t.with_records, 5);
    let age: Vec<i64> = ["under_14", "14_to_16", "16_to_18", "18_to_30", "30_and_over"]
        .iter()
        .map(|k| t.by_age_band[k])
        .collect();
    assert_eq!(age, [1, 0, 1, 1, 2]);
    assert_eq!((t.by_sex["male"], t.by_sex["female"]), (3, 2));
    assert_eq!((t.kinh, t.other_ethnicity), (4, 1));
    assert_eq!(t.by_substance["heroin"], 2);
    assert_eq!(t.by_substance["methamphetamine"], 1);
    assert_eq!(t.by_substance["cannabis"], 2);
    assert_eq!(t.by_substance["unknown"], 1);
    assert_eq!(t.by_substance["opium"], 0);
    assert_eq!(t.by_use_duration["10_and_over"], 2);
    assert_eq!(t.by_use_duration["5_to_10"], 0);
    assert_eq!(t.by_use_duration["1_to_5"], 1);
    assert_eq!(t.by_use_duration["under_1"], 1);
    assert_eq!(t.by_use_duration["unknown"], 1);
    assert_eq!(t.by_rehab_form["voluntary_rehab_home"], 0);
    assert_eq!(t.by_rehab_form["voluntary_rehab_facility"], 1);
    assert_eq!(t.by_rehab_form["compulsory_rehab"], 1);
    assert_eq!(t.by_rehab_form["substitution_therapy"], 1);
    assert_eq!(t.by_held["community"], 3);
    assert_eq!(t.by_held["rehab_facility"], 1);
    assert_eq!(t.by_held["prison"], 1);
    assert_eq!(t.by_held["detention"], 0);
    // T5 (DOMAIN.md §5): A by a service; B by rehab at a facility and compulsory rehab
    // running in the year although her only service row is from before it; C by a service
    // and by methadone. E (a determination only) and F (post-rehab is management, not a
    // service) are not reached.
    assert_eq!(t.reached_by_services, 3);
    assert_eq!(t.t5_rate(), Some(0.6));
    assert_eq!(s.by_unit.len(), 2);
    assert_eq!((s.by_unit[&1].with_records, s.by_unit[&1].reached_by_services), (3, 2));
    assert_eq!((s.by_unit[&2].with_records, s.by_unit[&2].reached_by_services), (2, 1));
    // The units add up to the total, line by line.
    let sum: i64 = s.by_unit.values().map(|b| b.by_held.values().sum::<i64>()).sum();
    assert_eq!(sum, 5);
}

#[test]
fn growth_is_relative_to_the_previous_year_and_undefined_from_zero() {
    assert_eq!(growth(101, 100), Some(0.01));
    assert_eq!(growth(90, 100), Some(-0.1));
    assert_eq!(growth(5, 0), None);
    assert!(growth(100, 100).unwrap() < T6_MAX_GROWTH);
    // Year on year on the fixture: 2025 (15/12/2024–14/12/2025) counts C (methadone
    // since 2020), D (management into 1/1/2025), F, G and H (determined 14/12/2025).
    let y2025 = compute(&fixture(), Period::statistical_year(2025).unwrap()).total.with_records;
    assert_eq!(y2025, 5);
    let y2026 = compute(&fixture(), Period::statistical_year(2026).unwrap()).total.with_records;
    assert_eq!(growth(y2026, y2025), Some(0.0));
}
