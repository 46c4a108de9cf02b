//! Unit name search latency (p50/p95/max) on a fresh SQLite database with the units
//! loaded: through the in-memory index the server uses, and through SQL for comparison.
//! Run: `cargo run --release -p diaban-store --example bench_units`.

use diaban_store::units::{self, UnitFilter};
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = diaban_store::testing::sqlite().await?;
    diaban_store::reference::load_units(&t.db).await?;
    let queries = ["quang ngai", "Đắk Tô", "phuong", "ha noi", "son", "Xã Ba", "kon", "minh", "an", "thanh"];
    let index = diaban_store::unit_index::UnitIndex::load(&t.db).await?;
    for via_index in [true, false] {
        let mut times = Vec::new();
        for round in 0..100 {
            for q in queries {
                let f = UnitFilter {
                    q: Some(q.to_owned()),
                    as_of: Some(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?),
                    limit: 20,
                    ..Default::default()
                };
                let t0 = Instant::now();
                let (found, _) = if via_index { index.search(&f) } else { units::search(&t.db, &f).await? };
                let dt = t0.elapsed();
                if round > 0 {
                    times.push(dt.as_secs_f64() * 1000.0);
                }
                std::hint::black_box(found);
            }
        }
        times.sort_by(f64::total_cmp);
        let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "unit name search ({}) over {} queries: p50 {:.3} ms, p95 {:.3} ms, max {:.3} ms",
            if via_index { "in-memory index, as served" } else { "SQL" },
            times.len(),
            pct(0.5),
            pct(0.95),
            pct(1.0)
        );
    }
    t.cleanup().await;
    Ok(())
}
