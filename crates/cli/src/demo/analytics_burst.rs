//! An emerging hot spot for the Analytics page: a tight cluster of incidents over the last
//! three demo months at a place of the Phường Kon Tum area with no registered site, so a
//! run of the page shows NEW or CONSECUTIVE hot cells and "Tạo gợi ý" suggests a site to
//! verify (ANALYTICS.md §4). Recorded through the store like every other incident.

use super::rng::SplitMix64;
use chrono::NaiveDate;
use diaban_domain::incident::IncidentKind;
use diaban_domain::site::{LatLon, SiteParams, haversine_m};
use diaban_store::Db;
use diaban_store::incidents::{self, NewIncident};
use diaban_store::persons::Scope;
use diaban_store::sites::{self, SiteFilter};
use diaban_store::units::{self, Unit};

/// The commune the burst is planted in (the demo commune officer's).
const COMMUNE: &str = "23293";

/// Writes the burst (after the other incidents); returns how many incidents it added.
pub async fn fill(db: &Db, province: &Unit, seed: u64) -> anyhow::Result<usize> {
    let mut rng = SplitMix64::new(seed ^ 0x6275_7273);
    let Some(commune) = units::children(db, province.id).await?.into_iter().find(|c| c.code == COMMUNE)
    else {
        return Ok(0);
    };
    let (Some(lat), Some(lon)) = (commune.lat, commune.lon) else { return Ok(0) };
    let (all_sites, _) = sites::list(db, Scope::Province(province.id), &SiteFilter::default()).await?;
    // The first of a few candidate places 2-4 km from the centre with no site within 1.5 km.
    let candidates = [(0.025, 0.0), (0.0, 0.03), (-0.025, 0.0), (0.0, -0.03), (0.02, 0.02)];
    let Some(at) = candidates
        .iter()
        .map(|(dlat, dlon)| (lat + dlat, lon + dlon))
        .find(|&(a, b)| all_sites.iter().all(|s| haversine_m(a, b, s.lat, s.lon) > 1_500.0))
    else {
        return Ok(0);
    };
    let mut list = Vec::new();
    for (month, n) in [(9, 4), (10, 7), (11, 11)] {
        for _ in 0..n {
            let day = rng.int(1, 15) as u32;
            let Some(on) = NaiveDate::from_ymd_opt(2026, month, day) else { continue };
            let Ok(location) =
                LatLon::new(at.0 + rng.range(-0.0008, 0.0008), at.1 + rng.range(-0.0008, 0.0008))
            else {
                continue;
            };
            let kind = if rng.int(0, 1) == 0 { IncidentKind::SyringeFind } else { IncidentKind::Arrest };
            list.push(NewIncident {
                kind,
                on,
                location,
                unit_id: commune.id,
                source: "demo".into(),
                note: String::new(),
            });
        }
    }
    list.sort_by_key(|i| i.on);
    let radius = SiteParams::default().reformation_radius_m;
    Ok(incidents::record_many(db, &list, radius, None, None).await?.ids.len())
}
