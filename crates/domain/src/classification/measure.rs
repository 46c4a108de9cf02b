//! The shared machinery of both criteria versions: the quantities read from the inputs,
//! how a criterion with one or more alternatives is evaluated in three-valued logic,
//! how its explanation is written, and how bands combine into a class.

use super::{
    Band, Bound, ClassificationError, ClassificationInputs, CommuneClass, CriteriaVersion, CriterionMeta,
    CriterionResult, Param,
};

const INPUTS: [(&str, &str, &str); 9] = [
    ("population", "dân số", "resident population"),
    (
        "persons_with_records",
        "người nghiện và người sử dụng trái phép có hồ sơ quản lý",
        "addicts and illegal users with records",
    ),
    (
        "places_organising_use",
        "địa điểm tổ chức, chứa chấp sử dụng trái phép chất ma túy",
        "places organising or harbouring drug use",
    ),
    ("offenders_arrested", "người phạm tội về ma túy bị bắt giữ", "drug offenders arrested"),
    ("drug_plants_count", "số cây có chứa chất ma túy", "number of drug plants"),
    ("drug_plants_area_m2", "diện tích cây có chứa chất ma túy", "area of drug plants"),
    ("on_key_route", "nằm trên tuyến trọng điểm về ma túy", "lies on a key drug route"),
    ("addicts_with_records", "người nghiện có hồ sơ quản lý", "addicts with records"),
    ("clusters", "tụ điểm ma túy", "drug clusters"),
];

/// The Vietnamese name of an input field of [`ClassificationInputs`], for forms and
/// explanations; `None` for an unknown name.
pub fn input_label_vi(field: &str) -> Option<&'static str> {
    INPUTS.iter().find(|(f, _, _)| *f == field).map(|(_, vi, _)| *vi)
}

/// The English name of an input field of [`ClassificationInputs`].
pub fn input_label_en(field: &str) -> Option<&'static str> {
    INPUTS.iter().find(|(f, _, _)| *f == field).map(|(_, _, en)| *en)
}

pub(super) fn check_inputs(i: &ClassificationInputs) -> Result<(), ClassificationError> {
    if let Some(p) = i.population
        && p <= 0
    {
        return Err(ClassificationError::PopulationNotPositive(p));
    }
    let counts = [
        ("persons_with_records", i.persons_with_records),
        ("places_organising_use", i.places_organising_use),
        ("offenders_arrested", i.offenders_arrested),
        ("drug_plants_count", i.drug_plants_count),
        ("addicts_with_records", i.addicts_with_records),
        ("clusters", i.clusters),
    ];
    for (input, value) in counts {
        if let Some(v) = value
            && v < 0
        {
            return Err(ClassificationError::Negative { input, value: v as f64 });
        }
    }
    if let Some(a) = i.drug_plants_area_m2 {
        if !a.is_finite() {
            return Err(ClassificationError::NotFinite { input: "drug_plants_area_m2", value: a });
        }
        if a < 0.0 {
            return Err(ClassificationError::Negative { input: "drug_plants_area_m2", value: a });
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Percent,
    Count,
    SquareMetres,
}

/// A measured value, or the inputs that were missing to measure it.
type Measured = Result<f64, Vec<&'static str>>;

/// One drug-free criterion: id, threshold, quantity, description in Vietnamese, English.
type DrugFreeRow = (&'static str, Option<Param<Bound>>, Quantity, &'static str, &'static str);

/// A figure a criterion compares to its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quantity {
    /// persons_with_records per 100 residents.
    RecordsRate,
    /// offenders_arrested per 100 residents.
    ArrestsRate,
    PersonsWithRecords,
    AddictsWithRecords,
    OffendersArrested,
    Places,
    Clusters,
    PlantsCount,
    PlantsArea,
}

impl Quantity {
    fn unit(self) -> Unit {
        match self {
            Self::RecordsRate | Self::ArrestsRate => Unit::Percent,
            Self::PlantsArea => Unit::SquareMetres,
            _ => Unit::Count,
        }
    }

    fn what_vi(self) -> &'static str {
        match self {
            Self::RecordsRate | Self::ArrestsRate => "tỷ lệ trên dân số",
            Self::PersonsWithRecords | Self::AddictsWithRecords | Self::OffendersArrested => "số người",
            Self::Places => "số địa điểm",
            Self::Clusters => "số tụ điểm",
            Self::PlantsCount => "số cây",
            Self::PlantsArea => "diện tích",
        }
    }

    fn what_en(self) -> &'static str {
        match self {
            Self::RecordsRate | Self::ArrestsRate => "share of residents",
            Self::PersonsWithRecords | Self::AddictsWithRecords | Self::OffendersArrested => "persons",
            Self::Places => "places",
            Self::Clusters => "clusters",
            Self::PlantsCount => "plants",
            Self::PlantsArea => "area",
        }
    }

    /// The value, or the inputs it lacks.
    fn measure(self, i: &ClassificationInputs) -> Measured {
        fn count(v: Option<i64>, name: &'static str) -> Measured {
            v.map(|n| n as f64).ok_or_else(|| vec![name])
        }
        fn rate(n: Option<i64>, name: &'static str, pop: Option<i64>) -> Measured {
            match (n, pop) {
                // One division of exact integers (both far below 2^53): correctly
                // rounded, so a rate exactly at a threshold equals the threshold literal.
                (Some(n), Some(p)) => Ok((n as f64 * 100.0) / p as f64),
                // Nobody over an unknown (positive) population is 0% whatever it is: a
                // certainty, not a guess, and it lets a commune with no cases be classified
                // before its population figure arrives.
                (Some(0), None) => Ok(0.0),
                (n, p) => {
                    let mut missing = Vec::new();
                    if n.is_none() {
                        missing.push(name);
                    }
                    if p.is_none() {
                        missing.push("population");
                    }
                    Err(missing)
                }
            }
        }
        match self {
            Self::RecordsRate => rate(i.persons_with_records, "persons_with_records", i.population),
            Self::ArrestsRate => rate(i.offenders_arrested, "offenders_arrested", i.population),
            Self::PersonsWithRecords => count(i.persons_with_records, "persons_with_records"),
            Self::AddictsWithRecords => count(i.addicts_with_records, "addicts_with_records"),
            Self::OffendersArrested => count(i.offenders_arrested, "offenders_arrested"),
            Self::Places => count(i.places_organising_use, "places_organising_use"),
            Self::Clusters => count(i.clusters, "clusters"),
            Self::PlantsCount => count(i.drug_plants_count, "drug_plants_count"),
            Self::PlantsArea => i.drug_plants_area_m2.ok_or_else(|| vec!["drug_plants_area_m2"]),
        }
    }
}

/// A number for people: up to 4 decimals, trailing zeros dropped, thousands grouped; the
/// Vietnamese form swaps the separators (3.000,5 against 3,000.5).
pub(super) fn fmt_num(x: f64, vi: bool) -> String {
    let text = format!("{:.4}", x.abs());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let (group, point) = if vi { ('.', ',') } else { (',', '.') };
    let mut out = String::new();
    if x < 0.0 && text != "0" {
        out.push('-');
    }
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

fn fmt_value(x: f64, unit: Unit, vi: bool) -> String {
    let n = fmt_num(x, vi);
    match unit {
        Unit::Percent => format!("{n}%"),
        Unit::Count => n,
        Unit::SquareMetres => format!("{n} m²"),
    }
}

fn fmt_bound(b: Bound, unit: Unit, vi: bool) -> String {
    format!("{} {}", b.symbol(), fmt_value(b.limit(), unit, vi))
}

pub(super) fn verdict_vi(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "đạt",
        Some(false) => "không đạt",
        None => "chưa đánh giá được (thiếu số liệu)",
    }
}

pub(super) fn verdict_en(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "not met",
        None => "undecided (missing input)",
    }
}

pub(super) fn missing_vi(names: &[&'static str]) -> String {
    names.iter().map(|n| input_label_vi(n).unwrap_or(n)).collect::<Vec<_>>().join(", ")
}

pub(super) fn missing_en(names: &[&'static str]) -> String {
    names.iter().map(|n| input_label_en(n).unwrap_or(n)).collect::<Vec<_>>().join(", ")
}

/// A criterion met when any of its alternatives holds: (d) of QĐ 28 has two (plants
/// or area), the others one.
pub(super) struct Spec {
    pub id: &'static str,
    pub band: Band,
    pub desc_vi: &'static str,
    pub desc_en: &'static str,
    pub alts: Vec<(Quantity, Param<Bound>)>,
}

impl Spec {
    fn confirmed(&self) -> bool {
        self.alts.iter().all(|(_, p)| p.confirmed)
    }

    fn threshold(&self) -> String {
        self.alts.iter().map(|(q, p)| fmt_bound(p.value, q.unit(), false)).collect::<Vec<_>>().join(" | ")
    }

    pub fn check(&self, version: CriteriaVersion) -> Result<(), ClassificationError> {
        for (_, p) in &self.alts {
            if !p.value.limit().is_finite() {
                return Err(ClassificationError::BadThreshold {
                    version,
                    band: self.band,
                    id: self.id,
                    value: p.value.limit(),
                });
            }
        }
        Ok(())
    }

    pub fn meta(&self) -> CriterionMeta {
        CriterionMeta {
            id: self.id,
            band: self.band,
            threshold: self.threshold(),
            confirmed: self.confirmed(),
            description_vi: self.desc_vi.to_owned(),
            description_en: self.desc_en.to_owned(),
        }
    }

    pub fn evaluate(&self, inputs: &ClassificationInputs) -> CriterionResult {
        let measured: Vec<_> = self.alts.iter().map(|(q, _)| q.measure(inputs)).collect();
        let outcomes: Vec<Option<bool>> = self
            .alts
            .iter()
            .zip(&measured)
            .map(|((_, p), m)| m.as_ref().ok().map(|v| p.value.holds(*v)))
            .collect();
        let met = if outcomes.contains(&Some(true)) {
            Some(true)
        } else if outcomes.iter().all(|o| *o == Some(false)) {
            Some(false)
        } else {
            None
        };
        let mut missing_inputs = Vec::new();
        if met.is_none() {
            for name in measured.iter().filter_map(|m| m.as_ref().err()).flatten() {
                if !missing_inputs.contains(name) {
                    missing_inputs.push(*name);
                }
            }
        }
        let value = measured
            .iter()
            .zip(&self.alts)
            .map(|(m, (q, _))| match m {
                Ok(v) => fmt_value(*v, q.unit(), false),
                Err(_) => "?".to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" | ");
        let part = |vi: bool, (m, (q, p)): (&Measured, &(Quantity, Param<Bound>))| {
            let (what, limit_word) = if vi { (q.what_vi(), "ngưỡng") } else { (q.what_en(), "threshold") };
            let bound = fmt_bound(p.value, q.unit(), vi);
            match m {
                Ok(v) => format!("{what} {} ({limit_word} {bound})", fmt_value(*v, q.unit(), vi)),
                Err(names) if vi => format!("{what}: thiếu {} ({limit_word} {bound})", missing_vi(names)),
                Err(names) => format!("{what}: missing {} ({limit_word} {bound})", missing_en(names)),
            }
        };
        let parts_vi: Vec<String> = measured.iter().zip(&self.alts).map(|x| part(true, x)).collect();
        let parts_en: Vec<String> = measured.iter().zip(&self.alts).map(|x| part(false, x)).collect();
        CriterionResult {
            id: self.id,
            band: self.band,
            met,
            value,
            threshold: self.threshold(),
            confirmed: self.confirmed(),
            missing_inputs,
            explanation_vi: format!(
                "{}, tiêu chí ({}) – {}: {} → {}.",
                self.band.label_vi(),
                self.id,
                self.desc_vi,
                parts_vi.join(" hoặc "),
                verdict_vi(met)
            ),
            explanation_en: format!(
                "{}, criterion ({}) – {}: {} → {}.",
                self.band.label_en(),
                self.id,
                self.desc_en,
                parts_en.join(" or "),
                verdict_en(met)
            ),
        }
    }
}

/// Whether a band's "at least `min` of" rule is reached, ruled out, or still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reach {
    Yes,
    No,
    Open,
}

/// "At least `min` of these criteria": reached when `min` are met, ruled out when even
/// all undecided ones together could not make `min`, open otherwise.
pub(super) fn at_least(results: &[&CriterionResult], min: u32) -> Reach {
    let met = results.iter().filter(|r| r.met == Some(true)).count() as u32;
    let open = results.iter().filter(|r| r.met.is_none()).count() as u32;
    if met >= min {
        Reach::Yes
    } else if met + open < min {
        Reach::No
    } else {
        Reach::Open
    }
}

/// "All of these": any unmet rules it out; no criteria at all also rules it out (an
/// empty list must not make every commune drug-free).
pub(super) fn all_of(results: &[&CriterionResult]) -> Reach {
    if results.is_empty() || results.iter().any(|r| r.met == Some(false)) {
        Reach::No
    } else if results.iter().all(|r| r.met == Some(true)) {
        Reach::Yes
    } else {
        Reach::Open
    }
}

/// The class from the bands, highest first: the first band reached decides; an open band
/// before any reached one leaves the class open, because it could still apply. Below all
/// bands the drug-free criteria decide between drug-free and "has drugs".
pub(super) fn decide(bands: [(CommuneClass, Reach); 3], drug_free: Reach) -> CommuneClass {
    for (class, reach) in bands {
        match reach {
            Reach::Yes => return class,
            Reach::Open => return CommuneClass::NotClassifiable,
            Reach::No => {}
        }
    }
    match drug_free {
        Reach::Yes => CommuneClass::DrugFree,
        Reach::No => CommuneClass::HasDrugs,
        Reach::Open => CommuneClass::NotClassifiable,
    }
}

/// The drug-free criteria as specs, in a fixed order.
pub(super) fn drug_free_specs(c: &super::DrugFreeCriteria) -> Vec<Spec> {
    let rows: [DrugFreeRow; 7] = [
        (
            "df_persons",
            c.persons_with_records,
            Quantity::PersonsWithRecords,
            "người nghiện và người sử dụng trái phép chất ma túy có hồ sơ quản lý",
            "addicts and illegal users with management records",
        ),
        (
            "df_addicts",
            c.addicts_with_records,
            Quantity::AddictsWithRecords,
            "người nghiện ma túy có hồ sơ quản lý",
            "addicts with management records",
        ),
        (
            "df_offenders",
            c.offenders_arrested,
            Quantity::OffendersArrested,
            "người phạm tội về ma túy bị bắt giữ",
            "drug offenders arrested",
        ),
        (
            "df_places",
            c.places_organising_use,
            Quantity::Places,
            "địa điểm tổ chức, chứa chấp sử dụng trái phép chất ma túy",
            "places where drug use is organised or harboured",
        ),
        ("df_clusters", c.clusters, Quantity::Clusters, "tụ điểm ma túy", "drug clusters"),
        ("df_plants", c.drug_plants_count, Quantity::PlantsCount, "cây có chứa chất ma túy", "drug plants"),
        (
            "df_plant_area",
            c.drug_plants_area_m2,
            Quantity::PlantsArea,
            "diện tích cây có chứa chất ma túy",
            "area of drug plants",
        ),
    ];
    rows.into_iter()
        .filter_map(|(id, param, q, vi, en)| {
            param.map(|p| Spec { id, band: Band::DrugFree, desc_vi: vi, desc_en: en, alts: vec![(q, p)] })
        })
        .collect()
}
