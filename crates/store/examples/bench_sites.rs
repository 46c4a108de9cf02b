//! Site registry latency with 20,000 sites on a fresh SQLite database: a list filtered
//! by commune (one page of 50 with the total), and the map data (every site in the
//! province scope with its coordinates and state, as `GET /api/v1/sites/map` serves it).
//! Run: `cargo run --release -p diaban-store --example bench_sites`.

use chrono::NaiveDate;
use diaban_domain::UnitLevel;
use diaban_domain::site::{LatLon, SiteKind, SiteState};
use diaban_store::persons::Scope;
use diaban_store::sites::{self, NewSite, SiteFilter};
use diaban_store::units;
use std::time::Instant;

fn pct(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = diaban_store::testing::sqlite().await?;
    diaban_store::reference::load_units(&t.db).await?;
    let on = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?;
    let qn = units::by_code(&t.db, "51", Some(UnitLevel::Province), on).await?.ok_or("51")?;
    let communes: Vec<_> =
        units::children(&t.db, qn.id).await?.into_iter().filter(|u| u.lat.is_some()).collect();
    let mut list = Vec::with_capacity(20_000);
    for i in 0..20_000usize {
        let c = &communes[i % communes.len()];
        let (lat, lon) = (c.lat.ok_or("lat")?, c.lon.ok_or("lon")?);
        let jitter = (i as f64 * 0.618).fract() * 0.02 - 0.01;
        list.push(NewSite {
            kind: if i % 3 == 0 { SiteKind::Cluster } else { SiteKind::Point },
            hot_spot: i % 10 == 0,
            name: format!("Điểm {i}"),
            description: String::new(),
            address: String::new(),
            unit_id: c.id,
            location: LatLon::new(lat + jitter, lon - jitter)?,
            business_ref: None,
            found_how: String::new(),
            responsible_user_id: None,
            state: if i % 2 == 0 { SiteState::Listed } else { SiteState::Reported },
            on,
            note: String::new(),
        });
    }
    let t0 = Instant::now();
    sites::create_many(&t.db, &list, None, None).await?;
    println!("created 20,000 sites in {:.1} s", t0.elapsed().as_secs_f64());
    let scope = Scope::Province(qn.id);

    let mut times = Vec::new();
    for round in 0..201 {
        let c = &communes[round % communes.len()];
        let f = SiteFilter { unit_id: Some(c.id), limit: 50, ..Default::default() };
        let t0 = Instant::now();
        let (page, total) = sites::list(&t.db, scope, &f).await?;
        if round > 0 {
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        std::hint::black_box((page, total));
    }
    println!(
        "list filtered by commune (page of 50 + total), 200 runs: p50 {:.2} ms, p95 {:.2} ms",
        pct(&mut times, 0.5),
        pct(&mut times, 0.95)
    );

    let mut times = Vec::new();
    for round in 0..21 {
        let t0 = Instant::now();
        let points = sites::map_points(&t.db, scope, &SiteFilter::default()).await?;
        let body = serde_json::to_vec(&points)?;
        if round > 0 {
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        std::hint::black_box(body);
    }
    println!(
        "map data for 20,000 sites (query + JSON), 20 runs: p50 {:.1} ms, p95 {:.1} ms",
        pct(&mut times, 0.5),
        pct(&mut times, 0.95)
    );
    t.cleanup().await;
    Ok(())
}
