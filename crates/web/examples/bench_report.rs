//! What an annual provincial report costs on the demo data: computing its figures (the
//! indicator catalogue for the year and the year before, the plan's targets, the
//! personal-data counts from the audit log) and writing the XLSX and the DOCX, through
//! the same code as `diaban report` and the Reports page. Target: under 1 s in all.
//!
//! Run: `scripts/bench-report.sh` (it fills a demo database first), or
//! `cargo run --release -p diaban-web --example bench_report -- sqlite://demo.db` on a
//! database filled by `diaban demo`. `RUNS` sets the number of runs (10); `UNIT` and
//! `PERIOD` the report (51, 2026).

use chrono::Utc;
use diaban_domain::report::ReportKind;
use diaban_web::indicators_ops::{current_unit, place_of};
use diaban_web::reports_ops::{FileParts, Format, figures, letterhead, render};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn line(label: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let pct = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    println!("  {label:<34} n={:<3} p50 {:>8.1} ms  max {:>8.1} ms", v.len(), pct(0.5), pct(1.0));
}

fn err(e: diaban_web::AppError) -> Box<dyn std::error::Error> {
    e.message.into()
}

#[tokio::main]
async fn main() -> Res<()> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: bench_report DATABASE_URL (a database filled by `diaban demo`)")?;
    let runs: usize = std::env::var("RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let unit_code = std::env::var("UNIT").unwrap_or_else(|_| "51".into());
    let period_name = std::env::var("PERIOD").unwrap_or_else(|_| "2026".into());
    let db = diaban_store::Db::connect(&url).await?;
    db.migrate().await?;
    let kind = ReportKind::Annual;
    let period = kind.period(&period_name)?;
    let template = diaban_store::reports::template(&db, None).await?.template;
    let (mut compute, mut xlsx, mut docx, mut total) = (vec![], vec![], vec![], vec![]);
    let mut sizes = (0, 0);
    for _ in 0..runs {
        let t0 = Instant::now();
        let unit = current_unit(&db, &unit_code).await.map_err(err)?;
        let place = place_of(&db, unit).await.map_err(err)?;
        let f = figures(&db, &place, period, Utc::now()).await.map_err(err)?;
        let lh = letterhead(&db, &place.unit, &template).await.map_err(err)?;
        let t1 = Instant::now();
        let title = template.title_for(kind, &f.period_label);
        let narratives = template.default_narratives();
        let parts =
            FileParts { title: &title, number: None, issued_on: None, narratives: &narratives, draft: true };
        let x = render(Format::Xlsx, &template, &f, &lh, &parts).map_err(err)?;
        let t2 = Instant::now();
        let d = render(Format::Docx, &template, &f, &lh, &parts).map_err(err)?;
        let t3 = Instant::now();
        sizes = (x.len(), d.len());
        compute.push(ms(t1 - t0));
        xlsx.push(ms(t2 - t1));
        docx.push(ms(t3 - t2));
        total.push(ms(t3 - t0));
    }
    println!(
        "annual report of {unit_code} for {period_name} on {} ({} communes' data), release build:",
        db.backend().as_str(),
        diaban_store::units::children(&db, current_unit(&db, &unit_code).await.map_err(err)?.id).await?.len()
    );
    line("figures (year and year before)", compute);
    line("XLSX", xlsx);
    line("DOCX", docx);
    line("total (figures + both files)", total);
    println!("  sizes: XLSX {} bytes, DOCX {} bytes", sizes.0, sizes.1);
    db.close().await;
    Ok(())
}
