//! Seizures (thu giữ ma túy): each drug type is counted in its own units. Heroin is
//! weighed (grams or kilograms) and also counted in bricks (bánh); synthetic drugs are
//! weighed and counted in tablets (viên), often both in one seizure; cannabis is weighed
//! in kilograms and counted in plants (cây); cocaine and opium are weighed. A seizure
//! line is one drug, one quantity, one unit; a case may carry several lines of the same
//! drug (120 g and 3,000 tablets of synthetic drugs). A unit that does not fit the drug
//! is refused here, so no store or form has to know the table.

use crate::ops_enum::labelled_enum;
use serde::Serialize;

labelled_enum!(
    /// The drug seized, as the statistical tables group them.
    Drug, "drug type", [
        /// Heroin.
        Heroin = "heroin", "Heroin", "Heroin";
        /// Ma túy tổng hợp (methamphetamine, MDMA, ketamine …).
        Synthetic = "synthetic", "Ma túy tổng hợp", "Synthetic drugs";
        /// Cần sa.
        Cannabis = "cannabis", "Cần sa", "Cannabis";
        /// Cocaine.
        Cocaine = "cocaine", "Cocaine", "Cocaine";
        /// Thuốc phiện.
        Opium = "opium", "Thuốc phiện", "Opium";
        /// Other substances (precursors, new psychoactive substances …).
        Other = "other", "Chất ma túy khác", "Other substances";
    ]
);

labelled_enum!(
    /// A unit a seized quantity is given in.
    QuantityUnit, "quantity unit", [
        /// Gam.
        Gram = "g", "gam", "g";
        /// Kilôgam.
        Kilogram = "kg", "kg", "kg";
        /// Viên (tablets of synthetic drugs).
        Tablet = "tablet", "viên", "tablets";
        /// Bánh (heroin bricks).
        Brick = "brick", "bánh", "bricks";
        /// Cây (cannabis plants).
        Plant = "plant", "cây", "plants";
    ]
);

impl QuantityUnit {
    /// Grams per unit for a mass; None for a count (tablets, bricks, plants).
    pub fn grams(self) -> Option<f64> {
        match self {
            QuantityUnit::Gram => Some(1.0),
            QuantityUnit::Kilogram => Some(1000.0),
            QuantityUnit::Tablet | QuantityUnit::Brick | QuantityUnit::Plant => None,
        }
    }
}

impl Drug {
    /// The units this drug is recorded in.
    pub fn allowed_units(self) -> &'static [QuantityUnit] {
        use QuantityUnit::*;
        match self {
            Drug::Heroin => &[Gram, Kilogram, Brick],
            Drug::Synthetic => &[Gram, Kilogram, Tablet],
            Drug::Cannabis => &[Gram, Kilogram, Plant],
            Drug::Cocaine | Drug::Opium => &[Gram, Kilogram],
            Drug::Other => &[Gram, Kilogram, Tablet],
        }
    }

    /// Whether `unit` fits this drug.
    pub fn allows(self, unit: QuantityUnit) -> bool {
        self.allowed_units().contains(&unit)
    }
}

/// One line of a seizure: a drug, a positive quantity, a unit that fits the drug.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeizureLine {
    drug: Drug,
    quantity: f64,
    unit: QuantityUnit,
}

/// Why a seizure line was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeizureError {
    /// The unit is not one this drug is counted in.
    #[error("{drug} is not recorded in {unit}: use {allowed}")]
    UnitDoesNotFit {
        /// The drug.
        drug: Drug,
        /// The unit given.
        unit: QuantityUnit,
        /// The units allowed, comma-separated.
        allowed: String,
    },
    /// Zero, negative or not a number.
    #[error("the quantity must be a number greater than zero")]
    NotPositive,
    /// A count (tablets, bricks, plants) with a fraction.
    #[error("{0} are counted in whole numbers")]
    FractionalCount(QuantityUnit),
    /// Beyond any plausible seizure (a typing slip).
    #[error("the quantity is implausibly large")]
    TooLarge,
}

impl SeizureError {
    /// The Vietnamese message shown on forms.
    pub fn message_vi(&self) -> String {
        match self {
            SeizureError::UnitDoesNotFit { drug, unit, .. } => {
                let allowed: Vec<&str> = drug.allowed_units().iter().map(|u| u.label_vi()).collect();
                format!(
                    "{} không tính bằng đơn vị «{}»; dùng một trong: {}",
                    drug.label_vi(),
                    unit.label_vi(),
                    allowed.join(", ")
                )
            }
            SeizureError::NotPositive => "Số lượng phải là số lớn hơn 0".into(),
            SeizureError::FractionalCount(u) => format!("Số {} phải là số nguyên", u.label_vi()),
            SeizureError::TooLarge => "Số lượng quá lớn, vui lòng kiểm tra lại".into(),
        }
    }
}

/// The largest quantity accepted in any unit (a million kilograms, tablets or plants).
const MAX_QUANTITY: f64 = 1.0e9;

impl SeizureLine {
    /// A checked line.
    pub fn new(drug: Drug, quantity: f64, unit: QuantityUnit) -> Result<Self, SeizureError> {
        if !drug.allows(unit) {
            let allowed: Vec<&str> = drug.allowed_units().iter().map(|u| u.as_str()).collect();
            return Err(SeizureError::UnitDoesNotFit { drug, unit, allowed: allowed.join(", ") });
        }
        if !quantity.is_finite() || quantity <= 0.0 {
            return Err(SeizureError::NotPositive);
        }
        if quantity > MAX_QUANTITY {
            return Err(SeizureError::TooLarge);
        }
        if unit.grams().is_none() && quantity.fract() != 0.0 {
            return Err(SeizureError::FractionalCount(unit));
        }
        Ok(SeizureLine { drug, quantity, unit })
    }

    /// The drug.
    pub fn drug(self) -> Drug {
        self.drug
    }
    /// The quantity, in [`SeizureLine::unit`].
    pub fn quantity(self) -> f64 {
        self.quantity
    }
    /// The unit.
    pub fn unit(self) -> QuantityUnit {
        self.unit
    }
}

/// What was seized of one drug, summed over lines: the mass (grams, from g and kg) and
/// each count kept apart, since tablets cannot be turned into grams.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct DrugTotal {
    /// Grams (kilograms converted).
    pub grams: f64,
    /// Tablets.
    pub tablets: i64,
    /// Bricks.
    pub bricks: i64,
    /// Plants.
    pub plants: i64,
}

impl DrugTotal {
    /// Adds a quantity in `unit`.
    pub fn add(&mut self, quantity: f64, unit: QuantityUnit) {
        match unit.grams() {
            Some(g) => self.grams += quantity * g,
            None => {
                let n = quantity.round() as i64;
                match unit {
                    QuantityUnit::Tablet => self.tablets += n,
                    QuantityUnit::Brick => self.bricks += n,
                    _ => self.plants += n,
                }
            }
        }
    }
}

/// Sums lines per drug, in the drugs' display order (drugs with nothing are left out).
pub fn totals<'a>(lines: impl IntoIterator<Item = &'a SeizureLine>) -> Vec<(Drug, DrugTotal)> {
    let mut by: std::collections::BTreeMap<Drug, DrugTotal> = Default::default();
    for l in lines {
        by.entry(l.drug).or_default().add(l.quantity, l.unit);
    }
    by.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Drug::*;
    use QuantityUnit::*;

    /// The table of drugs and units, both ways: every pair is either allowed or refused.
    #[test]
    fn each_drug_takes_only_its_units() {
        let table: [(Drug, &[QuantityUnit]); 6] = [
            (Heroin, &[Gram, Kilogram, Brick]),
            (Synthetic, &[Gram, Kilogram, Tablet]),
            (Cannabis, &[Gram, Kilogram, Plant]),
            (Cocaine, &[Gram, Kilogram]),
            (Opium, &[Gram, Kilogram]),
            (Other, &[Gram, Kilogram, Tablet]),
        ];
        for (drug, allowed) in table {
            for &unit in QuantityUnit::ALL {
                let r = SeizureLine::new(drug, 3.0, unit);
                if allowed.contains(&unit) {
                    assert!(r.is_ok(), "{drug} in {unit}");
                } else {
                    let e = r.unwrap_err();
                    assert!(matches!(e, SeizureError::UnitDoesNotFit { .. }), "{drug} in {unit}: {e}");
                    assert!(e.message_vi().contains(drug.label_vi()), "{}", e.message_vi());
                }
            }
        }
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let e = SeizureLine::new(Heroin, 5.0, Tablet).unwrap_err();
        assert_eq!(e.to_string(), "heroin is not recorded in tablet: use g, kg, brick");
        assert_eq!(e.message_vi(), "Heroin không tính bằng đơn vị «viên»; dùng một trong: gam, kg, bánh");
        assert_eq!(SeizureLine::new(Cannabis, 0.0, Kilogram), Err(SeizureError::NotPositive));
        assert_eq!(SeizureLine::new(Cannabis, -1.0, Plant), Err(SeizureError::NotPositive));
        assert_eq!(SeizureLine::new(Cannabis, f64::NAN, Plant), Err(SeizureError::NotPositive));
        assert_eq!(SeizureLine::new(Synthetic, 2.5, Tablet), Err(SeizureError::FractionalCount(Tablet)));
        assert_eq!(SeizureLine::new(Synthetic, 2e9, Gram), Err(SeizureError::TooLarge));
        assert!(SeizureLine::new(Synthetic, 2.5, Gram).is_ok());
    }

    #[test]
    fn synthetic_grams_and_tablets_add_up_side_by_side() {
        let lines = [
            SeizureLine::new(Synthetic, 120.5, Gram).unwrap(),
            SeizureLine::new(Synthetic, 3000.0, Tablet).unwrap(),
            SeizureLine::new(Synthetic, 1.0, Kilogram).unwrap(),
            SeizureLine::new(Heroin, 2.0, Brick).unwrap(),
            SeizureLine::new(Heroin, 700.0, Gram).unwrap(),
            SeizureLine::new(Cannabis, 40.0, Plant).unwrap(),
        ];
        let t = totals(&lines);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].0, Heroin);
        assert_eq!(t[0].1, DrugTotal { grams: 700.0, bricks: 2, ..Default::default() });
        assert_eq!(t[1].0, Synthetic);
        assert_eq!(t[1].1, DrugTotal { grams: 1120.5, tablets: 3000, ..Default::default() });
        assert_eq!(t[2].1.plants, 40);
    }

    #[test]
    fn stored_names_round_trip() {
        for &d in Drug::ALL {
            assert_eq!(d.as_str().parse::<Drug>().unwrap(), d);
        }
        for &u in QuantityUnit::ALL {
            assert_eq!(u.as_str().parse::<QuantityUnit>().unwrap(), u);
        }
        assert!("meth".parse::<Drug>().is_err());
        assert!("lbs".parse::<QuantityUnit>().is_err());
    }
}
