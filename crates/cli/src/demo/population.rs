//! Population estimates: the 2025 communes of the demo province for 2025–2026, and the
//! legacy communes that went into it (old Quảng Ngãi and Kon Tum) for 2023–2024, so that
//! rates before and after the merger both have a denominator.

use super::rng::SplitMix64;
use diaban_store::Db;
use diaban_store::population::{self, Population};
use diaban_store::units::{self, Unit, UnitFilter};
use std::collections::HashMap;

const SOURCE: &str = "demo estimate";

pub async fn fill(db: &Db, province: &Unit, seed: u64) -> anyhow::Result<()> {
    let mut rng = SplitMix64::new(seed ^ 0x0050_4f50);
    let communes = units::children(db, province.id).await?;
    let mut rows = Vec::new();
    let mut current_2025: HashMap<i64, i64> = HashMap::new();
    for c in &communes {
        let area = c.area_km2.unwrap_or(50.0).max(1.0);
        // Wards and the island zone are dense; highland communes sparse.
        let density = match c.unit_type.as_str() {
            "Phường" => rng.range(1200.0, 4500.0),
            "Đặc khu" => rng.range(1500.0, 2500.0),
            _ if c.lat.unwrap_or(15.0) > 14.2 && c.lon.unwrap_or(108.0) > 108.4 => rng.range(250.0, 900.0),
            _ => rng.range(25.0, 140.0),
        };
        let p2025 = ((area * density).round() as i64).max(1500);
        current_2025.insert(c.id, p2025);
        rows.push(Population { unit_id: c.id, year: 2025, population: p2025, source: SOURCE.into() });
        let p2026 = (p2025 as f64 * rng.range(1.004, 1.014)).round() as i64;
        rows.push(Population { unit_id: c.id, year: 2026, population: p2026, source: SOURCE.into() });
    }
    let filter = UnitFilter {
        scope_province_id: Some(province.id),
        generation: Some("legacy".into()),
        level: Some(diaban_domain::UnitLevel::Commune),
        limit: 10_000,
        ..Default::default()
    };
    let (legacy, _) = units::search(db, &filter).await?;
    let mut shares: HashMap<i64, i64> = HashMap::new();
    for l in &legacy {
        if let Some(c) = l.scope_commune_id {
            *shares.entry(c).or_default() += 1;
        }
    }
    for l in &legacy {
        let Some(c) = l.scope_commune_id else {
            continue;
        };
        let base =
            current_2025.get(&c).copied().unwrap_or(5000) / shares.get(&c).copied().unwrap_or(1).max(1);
        let p2024 = (base as f64 * rng.range(0.985, 0.996)).round() as i64;
        let p2023 = (p2024 as f64 * rng.range(0.986, 0.996)).round() as i64;
        rows.push(Population { unit_id: l.id, year: 2024, population: p2024, source: SOURCE.into() });
        rows.push(Population { unit_id: l.id, year: 2023, population: p2023, source: SOURCE.into() });
    }
    population::upsert_all(db, &rows).await?;
    tracing::info!(rows = rows.len(), "demo population estimates written");
    Ok(())
}
