//! The indicator catalogue (DOMAIN.md §1 targets T1–T6, §7 indicators): one definition per
//! [`IndicatorId`], computed from plain rows the store loads for a scope and a period.
//!
//! Every row carries the **current** commune it counts towards (the store maps a legacy
//! unit to the commune it became through the 2025 lineage), so a 2023 figure recorded
//! on a former Kon Tum commune and a 2026 figure recorded on the merged commune add up
//! in the same place: that is the re-aggregation across the merger.
//!
//! The computation is in two steps: [`Figures`] are the raw counts of one set of rows
//! (the whole scope, or one commune), and [`value_of`] turns them into an indicator's
//! value, numerator and denominator. [`compute`] does both for the scope and for each
//! commune in one pass over the rows.
//!
//! ```
//! use diaban_analytics::indicators::{compute, Data};
//! use diaban_domain::indicator::IndicatorId;
//! use diaban_domain::period::StatPeriod;
//!
//! let year = StatPeriod::year(2026);
//! let data = Data::empty(year.bounds(15).unwrap(), year.previous().bounds(15).unwrap());
//! let values = compute(&data);
//! let t1 = values.iter().find(|v| v.id == IndicatorId::T1SitesChange).unwrap();
//! assert_eq!(t1.value, None); // no site at the end of the year before: no rate
//! ```

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use diaban_domain::area::{AreaHistory, transformation_figures};
use diaban_domain::classification::{CommuneClass, CriteriaVersion};
use diaban_domain::indicator::IndicatorId;
use diaban_domain::period::Period;
use diaban_domain::person::stats::{StatGroup, compute_groups};
use diaban_domain::propaganda::VenueType;
use diaban_domain::seizures::{Drug, QuantityUnit};
use diaban_domain::site::{SiteHistory, SiteState, site_counts};
use std::collections::BTreeMap;

/// A case as the indicators need it: no identities.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFact {
    /// The current commune.
    pub commune_id: i64,
    /// When it happened.
    pub occurred_on: NaiveDate,
    /// Subjects recorded on it.
    pub subjects: u32,
    /// Cases prosecuted (khởi tố vụ án).
    pub prosecuted_cases: u32,
    /// Defendants prosecuted (bị can).
    pub defendants: u32,
    /// Persons handled administratively.
    pub persons_handled: u32,
}

/// A propaganda activity: its commune when it was held in one (an activity of a
/// department may have none, and then counts for the scope only).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityFact {
    /// The current commune, if any.
    pub commune_id: Option<i64>,
    /// The day.
    pub on: NaiveDate,
    /// Participants.
    pub participants: u32,
    /// The kind of place it was held in.
    pub venue: VenueType,
}

/// One seizure line of a case: the case's commune and day, the drug, the quantity and
/// its unit as recorded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeizureFact {
    /// The current commune of the case.
    pub commune_id: i64,
    /// The case's day.
    pub on: NaiveDate,
    /// The drug.
    pub drug: Drug,
    /// The quantity, in `unit`.
    pub quantity: f64,
    /// The unit as recorded.
    pub unit: QuantityUnit,
}

/// The class of a commune for a statistical year under each criteria version it was
/// classified under.
pub type Classes = BTreeMap<i64, BTreeMap<CriteriaVersion, CommuneClass>>;

/// Why an indicator has no value although rows exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum IndicatorNote {
    /// The communes of the year and of the year before were not classified under one
    /// criteria version, so their counts are not the same measure (T6 communes).
    CriteriaDiffer {
        /// The versions used for the year.
        now: [bool; 2],
        /// The versions used for the year before.
        before: [bool; 2],
    },
    /// No commune was classified for the year or the year before.
    NotClassified,
}

impl IndicatorNote {
    fn versions(used: [bool; 2]) -> Vec<CriteriaVersion> {
        CriteriaVersion::ALL.iter().zip(used).filter(|(_, u)| *u).map(|(v, _)| *v).collect()
    }

    /// The reason in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::CriteriaDiffer { now, before } => {
                let names = |u: [bool; 2]| {
                    Self::versions(u).iter().map(|v| v.label_vi()).collect::<Vec<_>>().join(" và ")
                };
                format!(
                    "Không so sánh được: năm này phân loại theo {}, năm trước theo {}; hai bộ tiêu chí không cùng thước đo.",
                    names(*now),
                    names(*before)
                )
            }
            Self::NotClassified => "Chưa có xã nào được phân loại cho năm này hoặc năm trước.".to_owned(),
        }
    }

    /// The reason in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::CriteriaDiffer { now, before } => {
                let names = |u: [bool; 2]| {
                    Self::versions(u).iter().map(|v| v.as_str()).collect::<Vec<_>>().join(" and ")
                };
                format!(
                    "Not comparable: the year was classified under {}, the year before under {}.",
                    names(*now),
                    names(*before)
                )
            }
            Self::NotClassified => "No commune was classified for the year or the year before.".to_owned(),
        }
    }
}

/// Everything the catalogue reads for one scope, one period and the period before.
#[derive(Debug, Clone)]
pub struct Data {
    /// The period the values are for.
    pub period: Period,
    /// The period before (T1 and the growths compare with it).
    pub previous: Period,
    /// The plan's baseline date: hot spots active on it are the T2 denominator.
    pub baseline: NaiveDate,
    /// The non-relapse monitoring window of areas, in months (T4).
    pub area_monitoring_months: u32,
    /// The current communes of the scope: the breakdown has one entry for each.
    pub communes: Vec<i64>,
    /// Sites with their current commune.
    pub sites: Vec<(i64, SiteHistory)>,
    /// Areas selected for transformation with their current commune.
    pub areas: Vec<(i64, AreaHistory)>,
    /// Persons with a record in `period`, grouped (see [`StatGroup`]).
    pub persons: Vec<StatGroup>,
    /// Persons with a record in `previous`, grouped.
    pub persons_previous: Vec<StatGroup>,
    /// The classes of each commune for the statistical year the period ends in, under
    /// each criteria version applied.
    pub classes: Classes,
    /// The same for the year before.
    pub classes_previous: Classes,
    /// Cases in the period (others are ignored).
    pub cases: Vec<CaseFact>,
    /// Rings: the commune of their first case, when known, and the day dismantled.
    pub rings_dismantled: Vec<(Option<i64>, NaiveDate)>,
    /// Propaganda activities.
    pub propaganda: Vec<ActivityFact>,
    /// Seizure lines of the cases.
    pub seizures: Vec<SeizureFact>,
    /// Inspections of conditional businesses: commune and day.
    pub inspections: Vec<(i64, NaiveDate)>,
}

impl Data {
    /// No rows at all, the baseline on the period's first day and a 12-month window.
    pub fn empty(period: Period, previous: Period) -> Self {
        Self {
            period,
            previous,
            baseline: period.from,
            area_monitoring_months: 12,
            communes: vec![],
            sites: vec![],
            areas: vec![],
            persons: vec![],
            persons_previous: vec![],
            classes: BTreeMap::new(),
            classes_previous: BTreeMap::new(),
            cases: vec![],
            rings_dismantled: vec![],
            propaganda: vec![],
            seizures: vec![],
            inspections: vec![],
        }
    }

    /// Keeps only the rows of the current communes `territory` (a plan's territory, or
    /// the communes a legacy unit became): rows without a commune (an activity of a
    /// department, a ring led by the province) cannot be placed and are dropped, and
    /// the breakdown lists only those communes.
    pub fn restrict(&mut self, territory: &std::collections::BTreeSet<i64>) {
        let inside = |c: &i64| territory.contains(c);
        self.communes.retain(inside);
        self.sites.retain(|(c, _)| inside(c));
        self.areas.retain(|(c, _)| inside(c));
        self.persons.retain(|g| inside(&g.commune_id));
        self.persons_previous.retain(|g| inside(&g.commune_id));
        self.classes.retain(|c, _| inside(c));
        self.classes_previous.retain(|c, _| inside(c));
        self.cases.retain(|k| inside(&k.commune_id));
        self.rings_dismantled.retain(|(c, _)| c.as_ref().is_some_and(inside));
        self.propaganda.retain(|a| a.commune_id.as_ref().is_some_and(inside));
        self.seizures.retain(|s| inside(&s.commune_id));
        self.inspections.retain(|(c, _)| inside(c));
    }
}

/// The raw counts of one set of rows. Every date is read as the end of that day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    /// Points and clusters first active (listed or under action) on a day of the period:
    /// newly formed (plan line 5). A re-formed site is not new.
    pub sites_new: f64,
    /// The same in the period before.
    pub sites_new_previous: f64,
    /// Seized quantities per line of [`IndicatorId::SEIZURES`] (masses in grams).
    pub seized: [f64; 10],
    /// Propaganda sessions per line of [`IndicatorId::PROPAGANDA_VENUES`].
    pub propaganda_by_venue: [f64; 5],
    /// Which criteria versions the year's classes use (by [`CriteriaVersion::ALL`]).
    pub versions_used: [bool; 2],
    /// The same for the year before.
    pub versions_used_previous: [bool; 2],
    /// Problem communes of the year under the version both years share, when one does:
    /// (current, previous); `None` when the two years cannot be compared.
    pub problem_communes_comparable: Option<(f64, f64)>,
    /// Points and clusters active (listed, under action, re-formed) at the period's end.
    pub sites_active: f64,
    /// The same at the end of the period before.
    pub sites_active_previous: f64,
    /// Hot spots active at the baseline (T2 denominator).
    pub hot_spots_at_baseline: f64,
    /// Of those, eliminated after the baseline and still eliminated at the period's end.
    pub hot_spots_eliminated: f64,
    /// Points and clusters that entered `eliminated` during the period.
    pub sites_eliminated: f64,
    /// Points and clusters that entered `reformed` during the period.
    pub sites_reformed: f64,
    /// Points, clusters and risk points detected (listed or beyond) by the period's end.
    pub sites_detected: f64,
    /// Of those, eliminated (eliminated, monitoring, closed) at the period's end.
    pub sites_detected_eliminated: f64,
    /// Areas selected by the period's end.
    pub areas_selected: f64,
    /// Of those, transformed by the period's end.
    pub areas_transformed: f64,
    /// Transformed areas whose window ended by the period's end (T4 denominator).
    pub areas_past_window: f64,
    /// Of those, not relapsed within the window (T4 numerator).
    pub areas_not_relapsed: f64,
    /// Transformed areas relapsed within their window by the period's end.
    pub areas_relapsed: f64,
    /// Persons with a management record in the period.
    pub persons_with_records: f64,
    /// Of those, reached by a service in the period.
    pub persons_reached: f64,
    /// Addicts with a record in the period.
    pub addicts: f64,
    /// Addicts counselled in the period.
    pub addicts_counselled: f64,
    /// Addicts with a record in the period before.
    pub addicts_previous: f64,
    /// Illegal users (records that are not addicts) in the period.
    pub illegal_users: f64,
    /// Illegal users in the period before.
    pub illegal_users_previous: f64,
    /// Communes classified with drug problems for the year (types I–III, has drugs).
    pub problem_communes: f64,
    /// The same for the year before.
    pub problem_communes_previous: f64,
    /// Communes classified drug-free for the year.
    pub drug_free_communes: f64,
    /// Communes classified at all for the year (not "not classifiable").
    pub classified_communes: f64,
    /// The same for the year before.
    pub classified_communes_previous: f64,
    /// Cases in the period.
    pub cases: f64,
    /// Their subjects.
    pub case_subjects: f64,
    /// Cases prosecuted.
    pub prosecuted_cases: f64,
    /// Defendants prosecuted.
    pub prosecuted_defendants: f64,
    /// Persons handled administratively.
    pub administratively_handled: f64,
    /// Rings dismantled in the period.
    pub rings_dismantled: f64,
    /// Propaganda sessions in the period.
    pub propaganda_sessions: f64,
    /// Their participants.
    pub propaganda_participants: f64,
    /// Inspections of conditional businesses in the period.
    pub inspections: f64,
}

/// One indicator's result for the scope, with its breakdown by commune.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorValue {
    /// Which indicator.
    pub id: IndicatorId,
    /// The value: a count, a percent (0–100) or a change in percent; `None` when it
    /// cannot be computed (a share or a change over zero).
    pub value: Option<f64>,
    /// The count the value is made of (the count itself, or a share's numerator, or
    /// the current count of a change).
    pub numerator: f64,
    /// A share's denominator, or the previous count of a change; `None` for a count.
    pub denominator: Option<f64>,
    /// The value per current commune of the scope.
    pub by_commune: BTreeMap<i64, Option<f64>>,
    /// Why there is no value, when rows exist but do not make one.
    pub note: Option<IndicatorNote>,
}

fn percent(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| 100.0 * num / den)
}

fn change(cur: f64, prev: f64) -> Option<f64> {
    (prev > 0.0).then(|| 100.0 * (cur - prev) / prev)
}

/// An indicator's `(value, numerator, denominator)` from raw counts.
pub fn value_of(id: IndicatorId, f: &Figures) -> (Option<f64>, f64, Option<f64>) {
    use IndicatorId as I;
    let share = |n: f64, d: f64| (percent(n, d), n, Some(d));
    let growth = |c: f64, p: f64| (change(c, p), c, Some(p));
    let count = |n: f64| (Some(n), n, None);
    match id {
        I::T1SitesChange => growth(f.sites_active, f.sites_active_previous),
        I::T2HotSpotsEliminated => share(f.hot_spots_eliminated, f.hot_spots_at_baseline),
        I::T3AreasTransformed => share(f.areas_transformed, f.areas_selected),
        I::T4AreasNotRelapsed => share(f.areas_not_relapsed, f.areas_transformed),
        I::T5PersonsReached => share(f.persons_reached, f.persons_with_records),
        I::T6AddictsGrowth => growth(f.addicts, f.addicts_previous),
        // Without any commune classified for the year (or the year before) the count is
        // unknown, not zero.
        // Only years classified under the same criteria compare (see `note_of`).
        I::T6ProblemCommunesGrowth => match f.problem_communes_comparable {
            Some((cur, prev)) => growth(cur, prev),
            None => (None, f.problem_communes, Some(f.problem_communes_previous)),
        },
        I::IllegalUsersGrowth => growth(f.illegal_users, f.illegal_users_previous),
        I::AddictsCounselled => share(f.addicts_counselled, f.addicts),
        I::DrugFreeCommunes => share(f.drug_free_communes, f.classified_communes),
        I::SitesEliminatedShare => share(f.sites_detected_eliminated, f.sites_detected),
        I::SitesActive => count(f.sites_active),
        I::SitesEliminated => count(f.sites_eliminated),
        I::SitesReformed => count(f.sites_reformed),
        I::AreasSelected => count(f.areas_selected),
        I::AreasTransformed => count(f.areas_transformed),
        I::AreasRelapsed => count(f.areas_relapsed),
        I::PersonsWithRecords => count(f.persons_with_records),
        I::PersonsReached => count(f.persons_reached),
        I::ProblemCommunes if f.classified_communes == 0.0 => (None, 0.0, None),
        I::ProblemCommunes => count(f.problem_communes),
        I::Cases => count(f.cases),
        I::CaseSubjects => count(f.case_subjects),
        I::ProsecutedCases => count(f.prosecuted_cases),
        I::ProsecutedDefendants => count(f.prosecuted_defendants),
        I::AdministrativelyHandled => count(f.administratively_handled),
        I::RingsDismantled => count(f.rings_dismantled),
        I::PropagandaSessions => count(f.propaganda_sessions),
        I::PropagandaParticipants => count(f.propaganda_participants),
        I::Inspections => count(f.inspections),
        I::SitesNew => count(f.sites_new),
        I::SitesNewChange => growth(f.sites_new, f.sites_new_previous),
        _ => {
            if let Some(i) = IndicatorId::SEIZURES.iter().position(|(x, _, _)| *x == id) {
                count(f.seized[i])
            } else if let Some(i) = IndicatorId::PROPAGANDA_VENUES.iter().position(|(x, _)| *x == id) {
                count(f.propaganda_by_venue[i])
            } else {
                (None, 0.0, None)
            }
        }
    }
}

/// Why an indicator has no value from these counts, when that needs saying.
pub fn note_of(id: IndicatorId, f: &Figures) -> Option<IndicatorNote> {
    match id {
        IndicatorId::T6ProblemCommunesGrowth if f.problem_communes_comparable.is_none() => {
            if f.classified_communes == 0.0 || f.classified_communes_previous == 0.0 {
                Some(IndicatorNote::NotClassified)
            } else {
                Some(IndicatorNote::CriteriaDiffer { now: f.versions_used, before: f.versions_used_previous })
            }
        }
        _ => None,
    }
}

/// The definition of an indicator in words (English), as the API returns it.
pub fn definition(id: IndicatorId) -> &'static str {
    use IndicatorId as I;
    match id {
        I::T1SitesChange => {
            "100 × (points and clusters active at the period's end − active at the previous period's end) / active at the previous period's end; active = listed, under action or re-formed; risk points excluded"
        }
        I::T2HotSpotsEliminated => {
            "100 × hot spots active at the plan baseline that were eliminated after it and are eliminated, monitored or closed at the period's end / hot spots active at the baseline"
        }
        I::T3AreasTransformed => {
            "100 × areas recognised as transformed by the period's end / areas selected by the period's end"
        }
        I::T4AreasNotRelapsed => {
            "100 × areas transformed by the period's end whose monitoring window has ended with no relapse recorded at any time up to the period's end (within the window or after it) / areas transformed by the period's end"
        }
        I::T5PersonsReached => {
            "100 × persons with a management record in the period reached in it by a service (counselling, treatment, vocational training, reintegration support) or by substitution therapy or rehab in any form running on a day of it / persons with a management record in the period"
        }
        I::T6AddictsGrowth => {
            "100 × (addicts with a record in the period − in the previous period) / in the previous period; an addict has an addiction determination, rehab, substitution or post-rehab measure started by the period's end"
        }
        I::T6ProblemCommunesGrowth => {
            "100 × (communes classified with drug problems for the year − for the year before) / for the year before, counted under one criteria version that both years were classified under (QĐ 28/2025 first); no value when the years used different criteria"
        }
        I::IllegalUsersGrowth => {
            "100 × (persons with a record who are not addicts, period − previous period) / previous period"
        }
        I::AddictsCounselled => {
            "100 × addicts with a record who received counselling in the period / addicts with a record"
        }
        I::DrugFreeCommunes => {
            "100 × communes classified drug-free for the year / communes classified for the year"
        }
        I::SitesEliminatedShare => {
            "100 × points, clusters and risk points detected by the period's end that are eliminated, monitored or closed at its end / detected"
        }
        I::SitesActive => "points and clusters listed, under action or re-formed at the period's end",
        I::SitesEliminated => "points and clusters with a transition into 'eliminated' dated in the period",
        I::SitesReformed => "points and clusters with a transition into 're-formed' dated in the period",
        I::AreasSelected => "areas selected for transformation by the period's end",
        I::AreasTransformed => "areas recognised as transformed by the period's end",
        I::AreasRelapsed => {
            "transformed areas with a relapse within their monitoring window, by the period's end"
        }
        I::PersonsWithRecords => {
            "persons with a management measure running on at least one day of the period"
        }
        I::PersonsReached => "persons with a record who received at least one service in the period",
        I::ProblemCommunes => "communes classified type I, II, III or 'has drugs' for the statistical year",
        I::Cases => "cases that occurred in the period",
        I::CaseSubjects => "subjects recorded on the cases of the period",
        I::ProsecutedCases => "cases prosecuted, on the cases of the period",
        I::ProsecutedDefendants => "defendants prosecuted, on the cases of the period",
        I::AdministrativelyHandled => "persons handled administratively, on the cases of the period",
        I::RingsDismantled => "rings marked dismantled on a day of the period",
        I::PropagandaSessions => "propaganda activities held in the period",
        I::PropagandaParticipants => "participants of the propaganda activities of the period",
        I::Inspections => "inspections of conditional businesses dated in the period",
        I::SitesNew => {
            "points and clusters first listed (or first under action) on a day of the period; re-formed sites are not new"
        }
        I::SitesNewChange => {
            "100 × (points and clusters newly formed in the period − in the period before) / in the period before"
        }
        I::SeizedHeroinGrams
        | I::SeizedSyntheticGrams
        | I::SeizedCannabisGrams
        | I::SeizedCocaineGrams
        | I::SeizedOpiumGrams
        | I::SeizedOtherGrams => {
            "grams of the drug seized in the cases of the period (kilograms converted to grams; counted units such as tablets are never added in)"
        }
        I::SeizedHeroinBricks
        | I::SeizedSyntheticTablets
        | I::SeizedCannabisPlants
        | I::SeizedOtherTablets => {
            "the count of the drug seized in this unit in the cases of the period (never converted to a mass)"
        }
        I::PropagandaCommune
        | I::PropagandaSchool
        | I::PropagandaIndustrialZone
        | I::PropagandaBusiness
        | I::PropagandaOtherVenue => "propaganda activities held in the period at this kind of venue",
    }
}

fn is_problem(c: CommuneClass) -> bool {
    matches!(c, CommuneClass::Type1 | CommuneClass::Type2 | CommuneClass::Type3 | CommuneClass::HasDrugs)
}

/// The rows of one commune (or of the whole scope), borrowed.
#[derive(Default)]
struct Rows<'a> {
    sites: Vec<&'a SiteHistory>,
    areas: Vec<&'a AreaHistory>,
    persons: Vec<StatGroup>,
    persons_previous: Vec<StatGroup>,
    classes: Vec<&'a BTreeMap<CriteriaVersion, CommuneClass>>,
    classes_previous: Vec<&'a BTreeMap<CriteriaVersion, CommuneClass>>,
    cases: Vec<&'a CaseFact>,
    seizures: Vec<&'a SeizureFact>,
    rings: usize,
    propaganda: Vec<&'a ActivityFact>,
    inspections: usize,
}

fn figures_of(d: &Data, r: &Rows) -> Figures {
    let (p, prev) = (d.period, d.previous);
    let sites: Vec<SiteHistory> = r.sites.iter().map(|s| (*s).clone()).collect();
    let now = site_counts(&sites, p.to, d.baseline);
    let before = site_counts(&sites, prev.to, d.baseline);
    let entered = |s: &SiteHistory, state: SiteState| {
        s.kind.is_point_or_cluster() && s.transitions.iter().any(|&(on, st)| st == state && p.contains(on))
    };
    let detected = |s: &SiteHistory| {
        s.state_at(p.to).is_some_and(|st| !matches!(st, SiteState::Reported | SiteState::Dismissed))
    };
    let areas: Vec<AreaHistory> = r.areas.iter().map(|a| (*a).clone()).collect();
    let t = transformation_figures(&areas, p.to, d.area_monitoring_months);
    let people = compute_groups(&r.persons, p).total;
    let people_before = compute_groups(&r.persons_previous, prev).total;
    let in_period = r.cases.iter().filter(|c| p.contains(c.occurred_on));
    let first_active = |s: &SiteHistory| {
        s.kind.is_point_or_cluster().then_some(()).and_then(|_| {
            s.transitions
                .iter()
                .filter(|(_, st)| matches!(st, SiteState::Listed | SiteState::UnderAction))
                .map(|(d, _)| *d)
                .min()
        })
    };
    let new_in =
        |q: Period| sites.iter().filter(|s| first_active(s).is_some_and(|d| q.contains(d))).count() as f64;
    let (cur_classes, prev_classes) = (class_of(&r.classes), class_of(&r.classes_previous));
    let mut f = Figures {
        sites_new: new_in(p),
        sites_new_previous: new_in(prev),
        versions_used: versions_used(&r.classes),
        versions_used_previous: versions_used(&r.classes_previous),
        problem_communes_comparable: comparable_problem_communes(&r.classes, &r.classes_previous),
        sites_active: now.active_points_and_clusters as f64,
        sites_active_previous: before.active_points_and_clusters as f64,
        hot_spots_at_baseline: now.hot_spots_at_baseline as f64,
        hot_spots_eliminated: now.hot_spots_eliminated_since_baseline as f64,
        sites_eliminated: sites.iter().filter(|s| entered(s, SiteState::Eliminated)).count() as f64,
        sites_reformed: sites.iter().filter(|s| entered(s, SiteState::Reformed)).count() as f64,
        sites_detected: sites.iter().filter(|s| detected(s)).count() as f64,
        sites_detected_eliminated: sites
            .iter()
            .filter(|s| detected(s) && s.state_at(p.to).is_some_and(SiteState::is_eliminated_or_later))
            .count() as f64,
        areas_selected: t.selected as f64,
        areas_transformed: t.transformed as f64,
        areas_past_window: t.transformed_past_window as f64,
        areas_not_relapsed: t.not_relapsed_after_window as f64,
        areas_relapsed: t.relapsed_within_window as f64,
        persons_with_records: people.with_records as f64,
        persons_reached: people.reached_by_services as f64,
        addicts: people.addicts as f64,
        addicts_counselled: people.addicts_counselled as f64,
        addicts_previous: people_before.addicts as f64,
        illegal_users: (people.with_records - people.addicts) as f64,
        illegal_users_previous: (people_before.with_records - people_before.addicts) as f64,
        problem_communes: cur_classes.iter().filter(|c| is_problem(**c)).count() as f64,
        problem_communes_previous: prev_classes.iter().filter(|c| is_problem(**c)).count() as f64,
        drug_free_communes: cur_classes.iter().filter(|c| **c == CommuneClass::DrugFree).count() as f64,
        classified_communes: cur_classes.iter().filter(|c| **c != CommuneClass::NotClassifiable).count()
            as f64,
        classified_communes_previous: prev_classes
            .iter()
            .filter(|c| **c != CommuneClass::NotClassifiable)
            .count() as f64,
        rings_dismantled: r.rings as f64,
        inspections: r.inspections as f64,
        ..Figures::default()
    };
    for c in in_period {
        f.cases += 1.0;
        f.case_subjects += f64::from(c.subjects);
        f.prosecuted_cases += f64::from(c.prosecuted_cases);
        f.prosecuted_defendants += f64::from(c.defendants);
        f.administratively_handled += f64::from(c.persons_handled);
    }
    for a in r.propaganda.iter().filter(|a| p.contains(a.on)) {
        f.propaganda_sessions += 1.0;
        f.propaganda_participants += f64::from(a.participants);
        let line = IndicatorId::propaganda_line(a.venue);
        if let Some(i) = IndicatorId::PROPAGANDA_VENUES.iter().position(|(x, _)| *x == line) {
            f.propaganda_by_venue[i] += 1.0;
        }
    }
    for s in r.seizures.iter().filter(|s| p.contains(s.on)) {
        let Some(line) = IndicatorId::seizure_line(s.drug, s.unit) else { continue };
        if let Some(i) = IndicatorId::SEIZURES.iter().position(|(x, _, _)| *x == line) {
            f.seized[i] += s.quantity * s.unit.grams().unwrap_or(1.0);
        }
    }
    f
}

/// The class of each commune under the version preferred for counting (QĐ 28/2025 first).
fn class_of(classes: &[&BTreeMap<CriteriaVersion, CommuneClass>]) -> Vec<CommuneClass> {
    classes.iter().filter_map(|by| CriteriaVersion::ALL.iter().find_map(|v| by.get(v).copied())).collect()
}

/// Which versions the preferred classes of a year use.
fn versions_used(classes: &[&BTreeMap<CriteriaVersion, CommuneClass>]) -> [bool; 2] {
    let mut used = [false; 2];
    for by in classes {
        if let Some(i) = CriteriaVersion::ALL.iter().position(|v| by.contains_key(v)) {
            used[i] = true;
        }
    }
    used
}

/// Problem communes of the year and the year before under the first version (QĐ 28/2025,
/// then QĐ 3122/2010) that every classified commune of both years was classified under;
/// `None` when no version is common to all of them (the counts are not one measure).
fn comparable_problem_communes(
    now: &[&BTreeMap<CriteriaVersion, CommuneClass>],
    before: &[&BTreeMap<CriteriaVersion, CommuneClass>],
) -> Option<(f64, f64)> {
    if now.is_empty() || before.is_empty() {
        return None;
    }
    CriteriaVersion::ALL.iter().find_map(|v| {
        let all_have =
            |year: &[&BTreeMap<CriteriaVersion, CommuneClass>]| year.iter().all(|by| by.contains_key(v));
        (all_have(now) && all_have(before)).then(|| {
            let problems = |year: &[&BTreeMap<CriteriaVersion, CommuneClass>]| {
                year.iter().filter(|by| by.get(v).is_some_and(|c| is_problem(*c))).count() as f64
            };
            (problems(now), problems(before))
        })
    })
}

/// The raw counts of the whole scope and of each commune of `data.communes`.
pub fn figures(data: &Data) -> (Figures, BTreeMap<i64, Figures>) {
    let mut all = Rows::default();
    let mut by: BTreeMap<i64, Rows> = data.communes.iter().map(|c| (*c, Rows::default())).collect();
    for (c, s) in &data.sites {
        all.sites.push(s);
        if let Some(r) = by.get_mut(c) {
            r.sites.push(s);
        }
    }
    for (c, a) in &data.areas {
        all.areas.push(a);
        if let Some(r) = by.get_mut(c) {
            r.areas.push(a);
        }
    }
    for (list, previous) in [(&data.persons, false), (&data.persons_previous, true)] {
        for g in list {
            if previous {
                all.persons_previous.push(g.clone());
            } else {
                all.persons.push(g.clone());
            }
            if let Some(r) = by.get_mut(&g.commune_id) {
                if previous {
                    r.persons_previous.push(g.clone());
                } else {
                    r.persons.push(g.clone());
                }
            }
        }
    }
    for (map, previous) in [(&data.classes, false), (&data.classes_previous, true)] {
        for (c, class) in map {
            if previous {
                all.classes_previous.push(class);
                if let Some(r) = by.get_mut(c) {
                    r.classes_previous.push(class);
                }
            } else {
                all.classes.push(class);
                if let Some(r) = by.get_mut(c) {
                    r.classes.push(class);
                }
            }
        }
    }
    for c in data.cases.iter().filter(|c| data.period.contains(c.occurred_on)) {
        all.cases.push(c);
        if let Some(r) = by.get_mut(&c.commune_id) {
            r.cases.push(c);
        }
    }
    for s in data.seizures.iter().filter(|s| data.period.contains(s.on)) {
        all.seizures.push(s);
        if let Some(r) = by.get_mut(&s.commune_id) {
            r.seizures.push(s);
        }
    }
    for (c, on) in &data.rings_dismantled {
        if data.period.contains(*on) {
            all.rings += 1;
            if let Some(r) = c.and_then(|c| by.get_mut(&c)) {
                r.rings += 1;
            }
        }
    }
    for a in data.propaganda.iter().filter(|a| data.period.contains(a.on)) {
        all.propaganda.push(a);
        if let Some(r) = a.commune_id.and_then(|c| by.get_mut(&c)) {
            r.propaganda.push(a);
        }
    }
    for (c, on) in &data.inspections {
        if data.period.contains(*on) {
            all.inspections += 1;
            if let Some(r) = by.get_mut(c) {
                r.inspections += 1;
            }
        }
    }
    let total = figures_of(data, &all);
    let per = by.iter().map(|(c, r)| (*c, figures_of(data, r))).collect();
    (total, per)
}

/// Every indicator of the catalogue for the scope, with its breakdown by commune.
pub fn compute(data: &Data) -> Vec<IndicatorValue> {
    let (total, per) = figures(data);
    IndicatorId::ALL
        .iter()
        .map(|&id| {
            let (value, numerator, denominator) = value_of(id, &total);
            let by_commune = per.iter().map(|(c, f)| (*c, value_of(id, f).0)).collect();
            IndicatorValue { id, value, numerator, denominator, by_commune, note: note_of(id, &total) }
        })
        .collect()
}
