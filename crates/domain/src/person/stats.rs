//! Statistics on persons without identities (QĐ 127/2009 as amended by QĐ 13/2019): how
//! many persons have a management record in a period, and the breakdowns by age band,
//! sex, ethnicity (Kinh / other), substance, duration of use, rehab form and where they
//! are held; how many were reached by a service (target T5); growth year on year (T6).
//! Pure functions over plain rows: the store reads the rows, this module counts.

use super::{AgeBand, EpisodeKind, HeldIn, Sex, Substance};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

pub use crate::period::Period;

/// One measure of a person, as the statistics need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatEpisode {
    /// Which measure.
    pub kind: EpisodeKind,
    /// Its first day.
    pub start: NaiveDate,
    /// The first day it no longer runs: the actual end, else the planned end; `None` while
    /// open-ended.
    pub end: Option<NaiveDate>,
}

/// One person's row: no name, no identity number, no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatPerson {
    /// The current commune the record counts towards.
    pub commune_id: i64,
    /// Sex.
    pub sex: Sex,
    /// Birth year.
    pub birth_year: i32,
    /// Whether the person is Kinh (see [`super::Ethnicity::is_kinh`]).
    pub kinh: bool,
    /// Substances used (may be empty: not recorded).
    pub substances: Vec<Substance>,
    /// The year use began, when known.
    pub use_since_year: Option<i32>,
    /// Where the person is held.
    pub held_in: HeldIn,
    /// The person's measures.
    pub episodes: Vec<StatEpisode>,
    /// The days services were received (any kind that counts for T5).
    pub services: Vec<NaiveDate>,
    /// The days counselling was received (a subset of `services`).
    pub counselling: Vec<NaiveDate>,
}

/// Bands of the duration of use, in whole years up to the period's end.
pub const USE_DURATION_BANDS: [&str; 5] = ["under_1", "1_to_5", "5_to_10", "10_and_over", "unknown"];

fn use_band(since: Option<i32>, period_end: NaiveDate) -> &'static str {
    match since.map(|y| period_end.year() - y) {
        None => "unknown",
        Some(y) if y < 1 => "under_1",
        Some(y) if y < 5 => "1_to_5",
        Some(y) if y < 10 => "5_to_10",
        Some(_) => "10_and_over",
    }
}

/// Rehab forms of the breakdown: the three forms of rehab and substitution therapy.
pub const REHAB_FORMS: [EpisodeKind; 4] = [
    EpisodeKind::VoluntaryRehabHome,
    EpisodeKind::VoluntaryRehabFacility,
    EpisodeKind::CompulsoryRehab,
    EpisodeKind::SubstitutionTherapy,
];

/// Where-held lines: the [`HeldIn`] values and `rehab_facility`, which is read from the
/// measures (voluntary rehab at a facility or compulsory rehab running on the last day).
pub const HELD_LINES: [&str; 6] =
    ["community", "prison", "detention", "education_institution", "reform_school", "rehab_facility"];

/// The counts for one unit (or the whole scope).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// Persons with a management record in the period.
    pub with_records: i64,
    /// By age band (age reached in the calendar year of the period's last day).
    pub by_age_band: BTreeMap<&'static str, i64>,
    /// By sex.
    pub by_sex: BTreeMap<&'static str, i64>,
    /// Kinh.
    pub kinh: i64,
    /// Other ethnicities.
    pub other_ethnicity: i64,
    /// By substance; a person using several is counted under each, `unknown` when none
    /// is recorded.
    pub by_substance: BTreeMap<&'static str, i64>,
    /// By duration of use ([`USE_DURATION_BANDS`]).
    pub by_use_duration: BTreeMap<&'static str, i64>,
    /// By rehab form run during the period; a person in two forms counts under each.
    pub by_rehab_form: BTreeMap<&'static str, i64>,
    /// Where held on the period's last day ([`HELD_LINES`]).
    pub by_held: BTreeMap<&'static str, i64>,
    /// Persons with a record reached in the period (T5): a service received, or
    /// substitution therapy or rehab in any form running (see [`StatGroup::reached_for_t5`]).
    pub reached_by_services: i64,
    /// Of the persons with records, the addicts: an addiction determination, a rehab,
    /// substitution or post-rehab measure started by the period's end. The others are
    /// illegal users under management.
    pub addicts: i64,
    /// Addicts who received counselling in the period (national target: ≥ 80%).
    pub addicts_counselled: i64,
}

impl Default for Breakdown {
    fn default() -> Self {
        let zeros = |keys: &[&'static str]| keys.iter().map(|k| (*k, 0)).collect::<BTreeMap<_, _>>();
        let substances: Vec<&'static str> =
            Substance::ALL.iter().map(|s| s.as_str()).chain(["unknown"]).collect();
        Self {
            with_records: 0,
            by_age_band: zeros(&AgeBand::ALL.map(AgeBand::as_str)),
            by_sex: zeros(&Sex::ALL.map(Sex::as_str)),
            kinh: 0,
            other_ethnicity: 0,
            by_substance: zeros(&substances),
            by_use_duration: zeros(&USE_DURATION_BANDS),
            by_rehab_form: zeros(&REHAB_FORMS.map(EpisodeKind::as_str)),
            by_held: zeros(&HELD_LINES),
            reached_by_services: 0,
            addicts: 0,
            addicts_counselled: 0,
        }
    }
}

impl Breakdown {
    /// The share of persons with records reached by a service (T5), `None` without any.
    pub fn t5_rate(&self) -> Option<f64> {
        (self.with_records > 0).then(|| self.reached_by_services as f64 / self.with_records as f64)
    }

    fn add(&mut self, g: &StatGroup, period: &Period) {
        let n = g.count;
        self.with_records += n;
        let age = u32::try_from(period.to.year() - g.birth_year).unwrap_or(0);
        *self.by_age_band.entry(AgeBand::from_age(age).as_str()).or_default() += n;
        *self.by_sex.entry(g.sex.as_str()).or_default() += n;
        if g.kinh {
            self.kinh += n;
        } else {
            self.other_ethnicity += n;
        }
        if g.substances.is_empty() {
            *self.by_substance.entry("unknown").or_default() += n;
        }
        for s in &g.substances {
            *self.by_substance.entry(s.as_str()).or_default() += n;
        }
        *self.by_use_duration.entry(use_band(g.use_since_year, period.to)).or_default() += n;
        for (form, runs) in REHAB_FORMS.iter().zip(g.rehab_forms) {
            if runs {
                *self.by_rehab_form.entry(form.as_str()).or_default() += n;
            }
        }
        let held = match g.held_in {
            HeldIn::Community if g.in_facility => "rehab_facility",
            h => h.as_str(),
        };
        *self.by_held.entry(held).or_default() += n;
        if g.reached_for_t5() {
            self.reached_by_services += n;
        }
        if g.addict {
            self.addicts += n;
            if g.counselled {
                self.addicts_counselled += n;
            }
        }
    }
}

/// Persons who count alike in a period's statistics: the same commune and attributes and
/// the same facts about their measures and services in the period, with how many they
/// are. The store may count them in SQL (`GROUP BY`) so the statistics of a province do
/// not need one row per person; [`StatGroup::of`] is the definition it must agree with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatGroup {
    /// The current commune.
    pub commune_id: i64,
    /// Sex.
    pub sex: Sex,
    /// Birth year.
    pub birth_year: i32,
    /// Kinh or not.
    pub kinh: bool,
    /// Substances used.
    pub substances: Vec<Substance>,
    /// The year use began.
    pub use_since_year: Option<i32>,
    /// Where held (from the profile).
    pub held_in: HeldIn,
    /// For each of [`REHAB_FORMS`], whether such a measure runs on a day of the period.
    pub rehab_forms: [bool; 4],
    /// Whether a rehab measure at a facility (voluntary at a facility, compulsory) runs on
    /// the period's last day.
    pub in_facility: bool,
    /// Whether at least one service was received in the period.
    pub reached: bool,
    /// Whether the person is an addict (see [`Breakdown::addicts`]).
    pub addict: bool,
    /// Whether counselling was received in the period.
    pub counselled: bool,
    /// How many persons.
    pub count: i64,
}

impl StatGroup {
    /// The group of one person with a record in `period`; `None` without a record.
    pub fn of(p: &StatPerson, period: &Period) -> Option<Self> {
        if !has_record_in(p, period) {
            return None;
        }
        let runs =
            |form: EpisodeKind| p.episodes.iter().any(|e| e.kind == form && period.overlaps(e.start, e.end));
        Some(Self {
            commune_id: p.commune_id,
            sex: p.sex,
            birth_year: p.birth_year,
            kinh: p.kinh,
            substances: p.substances.clone(),
            use_since_year: p.use_since_year,
            held_in: p.held_in,
            rehab_forms: REHAB_FORMS.map(runs),
            in_facility: p.episodes.iter().any(|e| {
                matches!(e.kind, EpisodeKind::VoluntaryRehabFacility | EpisodeKind::CompulsoryRehab)
                    && e.start <= period.to
                    && e.end.is_none_or(|end| end > period.to)
            }),
            reached: p.services.iter().any(|d| period.contains(*d)),
            addict: p.episodes.iter().any(|e| e.kind.marks_addiction() && e.start <= period.to),
            counselled: p.counselling.iter().any(|d| period.contains(*d)),
            count: 1,
        })
    }
}

impl StatGroup {
    /// Whether the group counts as reached for T5 (DOMAIN.md §5): a service received in
    /// the period (counselling, treatment, vocational training, reintegration support),
    /// or substitution therapy or rehab in any form running on a day of it.
    pub fn reached_for_t5(&self) -> bool {
        self.reached || self.rehab_forms.iter().any(|runs| *runs)
    }

    /// The same group with the birth year and the year use began replaced by the latest
    /// years in the same age band and duration-of-use band at the end of `period`. Persons
    /// in the same bands count alike in that period's statistics, so the groups kept per
    /// statistical year are fewer and [`compute_groups`] gives the same figures.
    pub fn in_bands(mut self, period: &Period) -> Self {
        let end = period.to.year();
        let band = |y: i32| AgeBand::from_age(u32::try_from(end - y).unwrap_or(0));
        let b = band(self.birth_year);
        // Going back from the period's year, the first year of the same band (a year after
        // the period's counts as the period's own).
        self.birth_year =
            (self.birth_year.min(end)..=end).rev().find(|y| band(*y) == b).unwrap_or(self.birth_year);
        if let Some(since) = self.use_since_year {
            let u = use_band(Some(since), period.to);
            self.use_since_year =
                (since.min(end)..=end).rev().find(|y| use_band(Some(*y), period.to) == u).or(Some(since));
        }
        self
    }
}

/// Whether a person has a management record in the period: a measure runs on at least
/// one day of it. An addiction determination is an act, not a term: it counts on its day.
pub fn has_record_in(p: &StatPerson, period: &Period) -> bool {
    p.episodes.iter().any(|e| match e.kind {
        EpisodeKind::AddictionDetermination => period.contains(e.start),
        _ => period.overlaps(e.start, e.end),
    })
}

/// The statistics of a period: the whole scope and each commune.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonStats {
    /// The period.
    pub period: Period,
    /// Every person in the scope.
    pub total: Breakdown,
    /// Per current commune id.
    pub by_unit: BTreeMap<i64, Breakdown>,
}

/// Counts the persons with a record in `period` and their breakdowns.
pub fn compute(persons: &[StatPerson], period: Period) -> PersonStats {
    let groups: Vec<StatGroup> = persons.iter().filter_map(|p| StatGroup::of(p, &period)).collect();
    compute_groups(&groups, period)
}

/// The same counts from groups of persons with a record in `period` (see [`StatGroup`]).
pub fn compute_groups(groups: &[StatGroup], period: Period) -> PersonStats {
    let mut total = Breakdown::default();
    let mut by_unit: BTreeMap<i64, Breakdown> = BTreeMap::new();
    for g in groups {
        total.add(g, &period);
        by_unit.entry(g.commune_id).or_default().add(g, &period);
    }
    PersonStats { period, total, by_unit }
}

/// Growth from one year to the next, `(current − previous) / previous`; `None` when the
/// previous count is zero (no rate can be computed on it). Target T6 asks for < 1%.
pub fn growth(current: i64, previous: i64) -> Option<f64> {
    (previous > 0).then(|| (current - previous) as f64 / previous as f64)
}

/// The growth target T6: below 1% a year.
pub const T6_MAX_GROWTH: f64 = 0.01;
