//! A person's statistics facts for every statistical year they count in, so the store
//! can keep them (and the counts of persons who count alike) up to date when a record is
//! written, instead of going through every record when the statistics are asked for.
//! The facts of a year are [`StatGroup::of`] for that year: nothing new is defined here.

use super::stats::{StatGroup, StatPerson};
use crate::period::{PeriodKind, StatPeriod};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// The statistical years (with months starting on `cutoff_day`) in which `p` has a record,
/// up to `last_year`, each with the person's group in that year. A measure without an end
/// counts in every year from its start up to `last_year`; the caller keeps `last_year`
/// ahead of the years asked for.
pub fn year_groups(p: &StatPerson, cutoff_day: u32, last_year: i32) -> Vec<(i32, StatGroup)> {
    let year_of = |d: NaiveDate| StatPeriod::containing(PeriodKind::Year, d, cutoff_day).year;
    let mut years = BTreeSet::new();
    for e in &p.episodes {
        let first = year_of(e.start);
        // `end` is the first day the measure no longer runs: its last day is the day before.
        let last = e.end.and_then(|d| d.pred_opt()).map_or(last_year, |d| year_of(d).min(last_year));
        years.extend(first..=last);
    }
    years
        .into_iter()
        .filter_map(|y| {
            let period = StatPeriod::year(y).bounds(cutoff_day)?;
            StatGroup::of(p, &period).map(|g| (y, g.in_bands(&period)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::stats::StatEpisode;
    use crate::person::{EpisodeKind, HeldIn, Sex};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn person(episodes: Vec<StatEpisode>, services: Vec<NaiveDate>) -> StatPerson {
        StatPerson {
            commune_id: 7,
            sex: Sex::Male,
            birth_year: 1990,
            kinh: false,
            substances: vec![],
            use_since_year: Some(2015),
            held_in: HeldIn::Community,
            episodes,
            counselling: services.clone(),
            services,
        }
    }

    /// Every year from 2000 to `last`, tried one by one: the definition itself.
    fn brute(p: &StatPerson, cutoff: u32, last: i32) -> Vec<(i32, StatGroup)> {
        (2000..=last)
            .filter_map(|y| {
                let period = StatPeriod::year(y).bounds(cutoff).unwrap();
                StatGroup::of(p, &period).map(|g| (y, g.in_bands(&period)))
            })
            .collect()
    }

    #[test]
    fn the_years_are_those_of_the_definition() {
        let ep = |kind, start, end| StatEpisode { kind, start, end };
        let cases = vec![
            // One year of management starting on the cut-off day: counts in the next year only.
            person(vec![ep(EpisodeKind::UserManagement, d(2024, 12, 15), Some(d(2025, 12, 15)))], vec![]),
            // Ends on the cut-off day: its last day, the 14th, is still in the earlier year.
            person(vec![ep(EpisodeKind::UserManagement, d(2023, 3, 1), Some(d(2024, 12, 15)))], vec![]),
            // Open-ended substitution therapy: every year up to the horizon.
            person(vec![ep(EpisodeKind::SubstitutionTherapy, d(2021, 6, 1), None)], vec![d(2022, 1, 3)]),
            // A determination is an act on its day; followed later by compulsory rehab.
            person(
                vec![
                    ep(EpisodeKind::AddictionDetermination, d(2022, 12, 14), Some(d(2022, 12, 15))),
                    ep(EpisodeKind::CompulsoryRehab, d(2024, 2, 1), Some(d(2026, 2, 1))),
                ],
                vec![d(2025, 5, 5)],
            ),
            person(vec![], vec![d(2025, 5, 5)]),
        ];
        for cutoff in [1, 15, 28] {
            for p in &cases {
                assert_eq!(year_groups(p, cutoff, 2028), brute(p, cutoff, 2028), "cutoff {cutoff}: {p:?}");
            }
        }
    }

    #[test]
    fn groups_in_bands_give_the_same_figures() {
        use crate::person::stats::{Period, compute_groups};
        let period = Period::statistical_year(2026).unwrap();
        let mut groups = Vec::new();
        for birth_year in 1950..=2020 {
            for since in
                [None, Some(1990), Some(2016), Some(2021), Some(2022), Some(2025), Some(2026), Some(2027)]
            {
                let mut p = person(
                    vec![StatEpisode { kind: EpisodeKind::UserManagement, start: d(2026, 1, 1), end: None }],
                    vec![],
                );
                p.birth_year = birth_year;
                p.use_since_year = since;
                groups.push(StatGroup::of(&p, &period).unwrap());
            }
        }
        let banded: Vec<StatGroup> = groups.iter().cloned().map(|g| g.in_bands(&period)).collect();
        assert_eq!(compute_groups(&banded, period), compute_groups(&groups, period));
        let mut keys: Vec<(i32, Option<i32>)> =
            banded.iter().map(|g| (g.birth_year, g.use_since_year)).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 5 * 5, "five age bands by five duration bands: {keys:?}");
    }

    #[test]
    fn nothing_is_counted_beyond_the_horizon() {
        let p = person(
            vec![StatEpisode { kind: EpisodeKind::SubstitutionTherapy, start: d(2025, 1, 1), end: None }],
            vec![],
        );
        let years: Vec<i32> = year_groups(&p, 15, 2027).into_iter().map(|(y, _)| y).collect();
        assert_eq!(years, vec![2025, 2026, 2027]);
    }
}
