//! The classification of Quảng Ngãi's communes for 2024 (QĐ 3122) and 2025 (QĐ 28): the
//! manual inputs a commune would report (persons with records, arrests, plants, key
//! route, addicts; population for 2024, when only the legacy communes have a figure),
//! then both years computed, so the province view shows types and changes. Sites and
//! the 2025 population come from the other demo modules (registry counts).

use super::rng::SplitMix64;
use diaban_store::Db;
use diaban_store::classification as cls;
use diaban_store::persons::Scope;
use diaban_store::units::Unit;

pub async fn fill(db: &Db, province: &Unit, seed: u64) -> anyhow::Result<()> {
    let mut rng = SplitMix64::new(seed ^ 0x00c1_a551);
    let communes = cls::communes(db, Scope::Province(province.id)).await?;
    for c in &communes {
        // A commune's burden: most light, a few heavy; it drifts from 2024 to 2025.
        let burden = rng.unit().powi(3);
        let population = rng.range(4_000.0, 25_000.0).round();
        for (year, drift) in [(2024, 1.0), (2025, rng.range(0.6, 1.5))] {
            let b = (burden * drift).min(1.0);
            let persons = (population * b * rng.range(0.0, 0.012)).round();
            let offenders = (population * b * rng.range(0.0, 0.0025)).round();
            let plants = if rng.unit() < 0.15 { (b * rng.range(0.0, 4_000.0)).round() } else { 0.0 };
            let area = (plants / 4.0 * 10.0).round() / 10.0;
            let route = rng.unit() < 0.2;
            let mut values = vec![
                ("persons_with_records", Some(persons)),
                ("offenders_arrested", Some(offenders)),
                ("drug_plants_count", Some(plants)),
                ("drug_plants_area_m2", Some(area)),
                ("on_key_route", Some(if route { 1.0 } else { 0.0 })),
            ];
            if year == 2024 {
                values.push(("population", Some(population)));
                values.push(("addicts_with_records", Some((persons * rng.range(0.4, 0.8) * 4.0).round())));
            }
            cls::set_manual(db, c, year, &values, None, None).await?;
        }
    }
    for year in [2024, 2025] {
        cls::recompute(db, Scope::Province(province.id), &communes, year, None, None).await?;
    }
    tracing::info!(communes = communes.len(), "demo classification inputs written and computed");
    Ok(())
}
