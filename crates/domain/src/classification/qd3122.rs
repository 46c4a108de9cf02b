//! QĐ 3122/2010/QĐ-BCA, for historical years: absolute counts, and a commune is type I
//! on any one of ≥ 100 addicts with records, ≥ 5 drug clusters, or a drug-plant area (the
//! figure 2,000 was read with its unit cut off). Only the first two are confirmed; the
//! lower bands were not recovered and are parameters.

use super::measure::{self, Quantity, Spec, at_least, decide, drug_free_specs};
use super::{
    Band, Bound, ClassificationError, ClassificationInputs, CommuneClass, CriteriaVersion, CriterionMeta,
    CriterionResult, DrugFreeCriteria, Param,
};
use serde::{Deserialize, Serialize};

/// The thresholds of one band of QĐ 3122/2010. `None` leaves a criterion out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Qd3122Band {
    /// How many of the band's criteria must be met (1: "any one of").
    pub min_criteria: Param<u32>,
    /// Addicts with management records.
    pub addicts_with_records: Option<Param<Bound>>,
    /// Drug clusters (tụ điểm tệ nạn ma túy).
    pub clusters: Option<Param<Bound>>,
    /// Drug-plant area, m².
    pub plants_area_m2: Option<Param<Bound>>,
}

/// All bands of QĐ 3122/2010 and its drug-free criteria.
///
/// `Default`: type I on any one of ≥ 100 addicts, ≥ 5 clusters (both confirmed) or
/// ≥ 2,000 m² of drug plants (unconfirmed: the unit was cut off, m² is the likely
/// reading). Types II and III, unconfirmed, also "any one of", each band halving the one
/// above with counts rounded up: II ≥ 50 addicts, ≥ 3 clusters, ≥ 1,000 m²; III ≥ 25
/// addicts, ≥ 2 clusters, ≥ 500 m². Drug-free, unconfirmed: no addicts or users with
/// records and no drug offenders arrested (the older practice DOMAIN.md cites).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Qd3122Thresholds {
    /// Type I.
    pub type1: Qd3122Band,
    /// Type II.
    pub type2: Qd3122Band,
    /// Type III.
    pub type3: Qd3122Band,
    /// Drug-free.
    pub drug_free: DrugFreeCriteria,
}

impl Default for Qd3122Thresholds {
    fn default() -> Self {
        use Bound::AtLeast;
        use Param as P;
        let lower = |addicts: f64, clusters: f64, area: f64| Qd3122Band {
            min_criteria: P::unconfirmed(1),
            addicts_with_records: Some(P::unconfirmed(AtLeast(addicts))),
            clusters: Some(P::unconfirmed(AtLeast(clusters))),
            plants_area_m2: Some(P::unconfirmed(AtLeast(area))),
        };
        Self {
            type1: Qd3122Band {
                min_criteria: P::confirmed(1),
                addicts_with_records: Some(P::confirmed(AtLeast(100.0))),
                clusters: Some(P::confirmed(AtLeast(5.0))),
                plants_area_m2: Some(P::unconfirmed(AtLeast(2000.0))),
            },
            type2: lower(50.0, 3.0, 1000.0),
            type3: lower(25.0, 2.0, 500.0),
            drug_free: DrugFreeCriteria {
                persons_with_records: Some(P::unconfirmed(Bound::AtMost(0.0))),
                offenders_arrested: Some(P::unconfirmed(Bound::AtMost(0.0))),
                ..DrugFreeCriteria::default()
            },
        }
    }
}

const VERSION: CriteriaVersion = CriteriaVersion::Qd3122_2010;

impl Qd3122Band {
    fn specs(&self, band: Band) -> Vec<Spec> {
        let rows = [
            (
                "addicts",
                self.addicts_with_records,
                Quantity::AddictsWithRecords,
                "người nghiện ma túy có hồ sơ quản lý",
                "addicts with management records",
            ),
            ("clusters", self.clusters, Quantity::Clusters, "tụ điểm tệ nạn ma túy", "drug clusters"),
            (
                "plant_area",
                self.plants_area_m2,
                Quantity::PlantsArea,
                "diện tích trồng cây có chứa chất ma túy",
                "area of drug plants",
            ),
        ];
        rows.into_iter()
            .filter_map(|(id, param, q, desc_vi, desc_en)| {
                param.map(|p| Spec { id, band, desc_vi, desc_en, alts: vec![(q, p)] })
            })
            .collect()
    }
}

impl Qd3122Thresholds {
    fn bands(&self) -> [(Band, &Qd3122Band, CommuneClass); 3] {
        [
            (Band::Type1, &self.type1, CommuneClass::Type1),
            (Band::Type2, &self.type2, CommuneClass::Type2),
            (Band::Type3, &self.type3, CommuneClass::Type3),
        ]
    }

    /// The configured criteria, for the UI.
    pub(super) fn criteria(&self) -> Vec<CriterionMeta> {
        let mut out: Vec<CriterionMeta> =
            self.bands().iter().flat_map(|(band, cfg, _)| cfg.specs(*band)).map(|s| s.meta()).collect();
        out.extend(drug_free_specs(&self.drug_free).iter().map(Spec::meta));
        out
    }

    fn check(&self) -> Result<(), ClassificationError> {
        for (band, cfg, _) in self.bands() {
            let specs = cfg.specs(band);
            let available = specs.len() as u32;
            let min = cfg.min_criteria.value;
            if min == 0 || min > available {
                return Err(ClassificationError::BadMinCriteria { version: VERSION, band, min, available });
            }
            for spec in specs {
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
        let mut all = Vec::new();
        let bands = self.bands().map(|(band, cfg, class)| {
            let rows: Vec<CriterionResult> = cfg.specs(band).iter().map(|s| s.evaluate(inputs)).collect();
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
