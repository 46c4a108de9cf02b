//! QĐ 28/2025/QĐ-TTg: a commune is type I when it meets at least 3 of five criteria,
//! (a) addicts and users with records ≥ 0.5% of residents, (b) ≥ 2 places organising or
//! harbouring use, (c) offenders arrested ≥ 0.1% of residents, (d) ≥ 3,000 drug plants
//! or ≥ 750 m² destroyed, (đ) at least 2 criteria met at type III level or above while
//! lying on a key drug route; type II on at least 3 of a lower band; type III on at least
//! one criterion of the lowest band.
//!
//! Bands are cumulative: a value that meets a higher band meets the lower ones too. The
//! type II band is printed as "0.05% to under 0.1%", but reading the upper limit as an
//! exclusion would make a commune with two type I criteria and one type II criterion fall
//! to type III; the upper limit only marks where type I starts.
//!
//! (đ) refers to the classification it is part of ("criteria of type III or above"). To
//! avoid the circle it is evaluated on (a)–(d) at the lowest (type III) band, which by
//! cumulation is exactly "type III or above", the same way in every band.

use super::measure::{
    self, Quantity, Reach, Spec, at_least, decide, drug_free_specs, verdict_en, verdict_vi,
};
use super::{
    Band, Bound, ClassificationError, ClassificationInputs, CommuneClass, CriteriaVersion, CriterionMeta,
    CriterionResult, DrugFreeCriteria, Param,
};
use serde::{Deserialize, Serialize};

/// The thresholds of one band of QĐ 28/2025. `None` leaves a criterion out of the band.
/// Rates are in percent of residents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Qd28Band {
    /// How many of the band's criteria must be met.
    pub min_criteria: Param<u32>,
    /// (a) addicts and illegal users with records, % of residents.
    pub records_rate_percent: Option<Param<Bound>>,
    /// (b) places organising or harbouring use.
    pub places: Option<Param<Bound>>,
    /// (c) drug offenders arrested, % of residents.
    pub arrests_rate_percent: Option<Param<Bound>>,
    /// (d) drug plants destroyed, number (either this or the area suffices).
    pub plants_count: Option<Param<Bound>>,
    /// (d) drug plants destroyed, m².
    pub plants_area_m2: Option<Param<Bound>>,
    /// (đ) how many of (a)–(d) must be met at the lowest band, together with lying on a
    /// key route; `None` leaves (đ) out of the band.
    pub route_min_lowest_band: Option<Param<u32>>,
}

/// All bands of QĐ 28/2025 and its drug-free criteria.
///
/// `Default`: type I is DOMAIN.md's confirmed text. Type II has the confirmed (b) ≥ 1,
/// (c) ≥ 0.05%, (d) ≥ 125 m² and "at least 3"; the rest are choices, unconfirmed:
/// (a) ≥ 0.25% — half the type I rate, the same step (c) takes from type I to II;
/// (d) ≥ 500 plants — 4 plants per m² like the type I pair (3,000 : 750), applied to
/// 125 m²; (đ) as in type I, as a secondary source reads it. Type III (all unconfirmed)
/// halves type II again — (a) ≥ 0.125%, (c) ≥ 0.025%, (d) ≥ 250 plants or ≥ 62.5 m² —
/// except (b), which cannot go below one place, with "at least 1" as DOMAIN.md says.
/// Drug-free (unconfirmed): no persons with records, no offenders arrested, no places
/// organising use — the older practice DOMAIN.md cites, plus the places QĐ 28 counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Qd28Thresholds {
    /// Type I.
    pub type1: Qd28Band,
    /// Type II.
    pub type2: Qd28Band,
    /// Type III, the lowest band; (đ) of every band is evaluated on its (a)–(d).
    pub type3: Qd28Band,
    /// Drug-free.
    pub drug_free: DrugFreeCriteria,
}

impl Default for Qd28Thresholds {
    fn default() -> Self {
        use Bound::AtLeast;
        use Param as P;
        Self {
            type1: Qd28Band {
                min_criteria: P::confirmed(3),
                records_rate_percent: Some(P::confirmed(AtLeast(0.5))),
                places: Some(P::confirmed(AtLeast(2.0))),
                arrests_rate_percent: Some(P::confirmed(AtLeast(0.1))),
                plants_count: Some(P::confirmed(AtLeast(3000.0))),
                plants_area_m2: Some(P::confirmed(AtLeast(750.0))),
                route_min_lowest_band: Some(P::confirmed(2)),
            },
            type2: Qd28Band {
                min_criteria: P::confirmed(3),
                records_rate_percent: Some(P::unconfirmed(AtLeast(0.25))),
                places: Some(P::confirmed(AtLeast(1.0))),
                arrests_rate_percent: Some(P::confirmed(AtLeast(0.05))),
                plants_count: Some(P::unconfirmed(AtLeast(500.0))),
                plants_area_m2: Some(P::confirmed(AtLeast(125.0))),
                route_min_lowest_band: Some(P::unconfirmed(2)),
            },
            type3: Qd28Band {
                min_criteria: P::unconfirmed(1),
                records_rate_percent: Some(P::unconfirmed(AtLeast(0.125))),
                places: Some(P::unconfirmed(AtLeast(1.0))),
                arrests_rate_percent: Some(P::unconfirmed(AtLeast(0.025))),
                plants_count: Some(P::unconfirmed(AtLeast(250.0))),
                plants_area_m2: Some(P::unconfirmed(AtLeast(62.5))),
                route_min_lowest_band: None,
            },
            drug_free: DrugFreeCriteria {
                persons_with_records: Some(P::unconfirmed(Bound::AtMost(0.0))),
                offenders_arrested: Some(P::unconfirmed(Bound::AtMost(0.0))),
                places_organising_use: Some(P::unconfirmed(Bound::AtMost(0.0))),
                ..DrugFreeCriteria::default()
            },
        }
    }
}

const VERSION: CriteriaVersion = CriteriaVersion::Qd28_2025;

impl Qd28Band {
    /// (a)–(d) of this band as specs.
    fn specs(&self, band: Band) -> Vec<Spec> {
        let mut specs = Vec::new();
        let mut push = |id, desc_vi, desc_en, alts: Vec<(Quantity, Param<Bound>)>| {
            if !alts.is_empty() {
                specs.push(Spec { id, band, desc_vi, desc_en, alts });
            }
        };
        push(
            "a",
            "người nghiện và người sử dụng trái phép chất ma túy có hồ sơ quản lý so với dân số",
            "addicts and illegal users with management records, relative to residents",
            self.records_rate_percent.map(|p| (Quantity::RecordsRate, p)).into_iter().collect(),
        );
        push(
            "b",
            "địa điểm tổ chức, chứa chấp sử dụng trái phép chất ma túy",
            "places where illegal drug use is organised or harboured",
            self.places.map(|p| (Quantity::Places, p)).into_iter().collect(),
        );
        push(
            "c",
            "người phạm tội về ma túy bị bắt giữ so với dân số",
            "drug offenders arrested, relative to residents",
            self.arrests_rate_percent.map(|p| (Quantity::ArrestsRate, p)).into_iter().collect(),
        );
        push(
            "d",
            "cây có chứa chất ma túy bị phát hiện, triệt phá (số cây hoặc diện tích)",
            "drug plants found and destroyed (number or area)",
            [
                self.plants_count.map(|p| (Quantity::PlantsCount, p)),
                self.plants_area_m2.map(|p| (Quantity::PlantsArea, p)),
            ]
            .into_iter()
            .flatten()
            .collect(),
        );
        specs
    }

    fn criteria_count(&self, band: Band) -> u32 {
        self.specs(band).len() as u32 + u32::from(self.route_min_lowest_band.is_some())
    }
}

fn route_texts(n: u32) -> (String, String) {
    (
        format!(
            "đạt từ {n} tiêu chí (a)–(d) ở mức loại III trở lên và nằm trên tuyến trọng điểm phức tạp về ma túy"
        ),
        format!(
            "meets at least {n} of criteria (a)–(d) at type III level or above and lies on a key drug route"
        ),
    )
}

fn route_threshold(n: u32) -> String {
    format!("≥ {n} of (a)–(d) at type III+ & on route")
}

/// (đ) for one band, from the lowest-band results of (a)–(d) and the route input.
fn route_row(
    band: Band,
    min: Param<u32>,
    inputs: &ClassificationInputs,
    lowest: &[CriterionResult],
) -> CriterionResult {
    let refs: Vec<&CriterionResult> = lowest.iter().collect();
    let enough = match at_least(&refs, min.value) {
        Reach::Yes => Some(true),
        Reach::No => Some(false),
        Reach::Open => None,
    };
    let route = inputs.on_key_route;
    let met = match (enough, route) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    };
    let mut missing_inputs: Vec<&'static str> = Vec::new();
    if met.is_none() {
        if enough.is_none() {
            for name in lowest.iter().flat_map(|r| r.missing_inputs.iter()) {
                if !missing_inputs.contains(name) {
                    missing_inputs.push(name);
                }
            }
        }
        if route.is_none() {
            missing_inputs.push("on_key_route");
        }
    }
    let met_count = lowest.iter().filter(|r| r.met == Some(true)).count();
    let open_count = lowest.iter().filter(|r| r.met.is_none()).count();
    let open_mark = if open_count > 0 { "+?" } else { "" };
    let (route_vi, route_en, route_neutral) = match route {
        Some(true) => ("có", "yes", "yes"),
        Some(false) => ("không", "no", "no"),
        None => ("chưa có số liệu", "missing", "?"),
    };
    let (desc_vi, desc_en) = route_texts(min.value);
    CriterionResult {
        id: "đ",
        band,
        met,
        value: format!("{met_count}{open_mark} of (a)–(d) at type III+ & route: {route_neutral}"),
        threshold: route_threshold(min.value),
        confirmed: min.confirmed,
        missing_inputs,
        explanation_vi: format!(
            "{}, tiêu chí (đ) – {desc_vi}: {met_count} tiêu chí đạt ở mức loại III{}; nằm trên tuyến: {route_vi} → {}.",
            band.label_vi(),
            if open_count > 0 {
                format!(", {open_count} tiêu chí chưa đánh giá được")
            } else {
                String::new()
            },
            verdict_vi(met)
        ),
        explanation_en: format!(
            "{}, criterion (đ) – {desc_en}: {met_count} criteria met at type III level{}; on a key route: {route_en} → {}.",
            band.label_en(),
            if open_count > 0 { format!(", {open_count} undecided") } else { String::new() },
            verdict_en(met)
        ),
    }
}

impl Qd28Thresholds {
    fn bands(&self) -> [(Band, &Qd28Band, CommuneClass); 3] {
        [
            (Band::Type1, &self.type1, CommuneClass::Type1),
            (Band::Type2, &self.type2, CommuneClass::Type2),
            (Band::Type3, &self.type3, CommuneClass::Type3),
        ]
    }

    /// The configured criteria, for the UI.
    pub(super) fn criteria(&self) -> Vec<CriterionMeta> {
        let mut out = Vec::new();
        for (band, cfg, _) in self.bands() {
            out.extend(cfg.specs(band).iter().map(Spec::meta));
            if let Some(min) = cfg.route_min_lowest_band {
                let (description_vi, description_en) = route_texts(min.value);
                out.push(CriterionMeta {
                    id: "đ",
                    band,
                    threshold: route_threshold(min.value),
                    confirmed: min.confirmed,
                    description_vi,
                    description_en,
                });
            }
        }
        out.extend(drug_free_specs(&self.drug_free).iter().map(Spec::meta));
        out
    }

    fn check(&self) -> Result<(), ClassificationError> {
        for (band, cfg, _) in self.bands() {
            let available = cfg.criteria_count(band);
            let min = cfg.min_criteria.value;
            if min == 0 || min > available {
                return Err(ClassificationError::BadMinCriteria { version: VERSION, band, min, available });
            }
            for spec in cfg.specs(band) {
                spec.check(VERSION)?;
            }
        }
        for spec in drug_free_specs(&self.drug_free) {
            spec.check(VERSION)?;
        }
        Ok(())
    }

    pub(super) fn evaluate(
        &self,
        inputs: &ClassificationInputs,
    ) -> Result<(CommuneClass, Vec<CriterionResult>), ClassificationError> {
        self.check()?;
        let lowest: Vec<CriterionResult> =
            self.type3.specs(Band::Type3).iter().map(|s| s.evaluate(inputs)).collect();
        let mut all = Vec::new();
        let bands = self.bands().map(|(band, cfg, class)| {
            let mut rows: Vec<CriterionResult> = if band == Band::Type3 {
                lowest.clone()
            } else {
                cfg.specs(band).iter().map(|s| s.evaluate(inputs)).collect()
            };
            if let Some(min) = cfg.route_min_lowest_band {
                rows.push(route_row(band, min, inputs, &lowest));
            }
            let refs: Vec<&CriterionResult> = rows.iter().collect();
            let reach = at_least(&refs, cfg.min_criteria.value);
            all.extend(rows);
            (class, reach)
        });
        let free: Vec<CriterionResult> =
            drug_free_specs(&self.drug_free).iter().map(|s| s.evaluate(inputs)).collect();
        let free_refs: Vec<&CriterionResult> = free.iter().collect();
        let drug_free = measure::all_of(&free_refs);
        all.extend(free);
        Ok((decide(bands, drug_free), all))
    }
}
