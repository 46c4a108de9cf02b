//! Synthetic incidents (arrests, seizures, tips, overdoses, syringe finds) for 2023–2026:
//! clustered around the demo sites, so hot spots show in the analytics, and scattered
//! around commune centres. Recorded through the store, so incidents near eliminated or
//! monitored sites raise re-formation alerts exactly as real ones would.

use super::rng::SplitMix64;
use chrono::{Days, NaiveDate};
use diaban_domain::incident::IncidentKind;
use diaban_domain::site::{LatLon, SiteParams};
use diaban_store::Db;
use diaban_store::incidents::{self, NewIncident};
use diaban_store::persons::Scope;
use diaban_store::sites::{self, SiteFilter};
use diaban_store::units::{self, Unit};

/// A point `radius_m` at most from (lat, lon), uniform over the disc.
fn around(rng: &mut SplitMix64, lat: f64, lon: f64, radius_m: f64) -> Option<LatLon> {
    let r = radius_m * rng.unit().sqrt();
    let a = rng.range(0.0, std::f64::consts::TAU);
    let dlat = r * a.cos() / 111_320.0;
    let dlon = r * a.sin() / (111_320.0 * lat.to_radians().cos());
    LatLon::new(lat + dlat, lon + dlon).ok()
}

fn date(rng: &mut SplitMix64, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from.checked_add_days(Days::new(rng.int(0, span) as u64)).unwrap_or(from)
}

fn kind(rng: &mut SplitMix64) -> IncidentKind {
    // Tips and arrests dominate, overdoses are rare.
    match rng.int(0, 99) {
        0..=29 => IncidentKind::Tip,
        30..=54 => IncidentKind::Arrest,
        55..=74 => IncidentKind::Seizure,
        75..=89 => IncidentKind::SyringeFind,
        90..=94 => IncidentKind::Overdose,
        _ => IncidentKind::Other,
    }
}

/// Writes the demo incidents (after the sites).
pub async fn fill(db: &Db, province: &Unit, seed: u64) -> anyhow::Result<usize> {
    let mut rng = SplitMix64::new(seed ^ 0x696e_6364);
    let first = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap_or_default();
    let mut list = Vec::new();
    let (all_sites, _) = sites::list(db, Scope::Province(province.id), &SiteFilter::default()).await?;
    for s in &all_sites {
        for _ in 0..rng.int(0, 6) {
            if let Some(at) = around(&mut rng, s.lat, s.lon, 600.0) {
                let on = date(&mut rng, first, last);
                list.push(NewIncident {
                    kind: kind(&mut rng),
                    on,
                    location: at,
                    unit_id: s.unit_id,
                    source: "demo".into(),
                    note: String::new(),
                });
            }
        }
    }
    // Activity returning near some sites under monitoring: the alerts an officer has to
    // decide.
    for s in all_sites.iter().filter(|s| s.state == diaban_domain::site::SiteState::Monitoring) {
        if rng.int(0, 2) == 0 {
            continue;
        }
        if let Some(at) = around(&mut rng, s.lat, s.lon, 150.0) {
            let on = date(&mut rng, s.state_since, last);
            list.push(NewIncident {
                kind: kind(&mut rng),
                on,
                location: at,
                unit_id: s.unit_id,
                source: "demo".into(),
                note: String::new(),
            });
        }
    }
    for c in units::children(db, province.id).await? {
        let (Some(lat), Some(lon)) = (c.lat, c.lon) else { continue };
        for _ in 0..rng.int(1, 5) {
            if let Some(at) = around(&mut rng, lat, lon, 3_000.0) {
                let on = date(&mut rng, first, last);
                list.push(NewIncident {
                    kind: kind(&mut rng),
                    on,
                    location: at,
                    unit_id: c.id,
                    source: "demo".into(),
                    note: String::new(),
                });
            }
        }
    }
    list.sort_by_key(|i| i.on);
    let radius = SiteParams::default().reformation_radius_m;
    let rec = incidents::record_many(db, &list, radius, None, None).await?;
    Ok(rec.ids.len())
}
