//! Persons at scale on a fresh SQLite database: 300,000 sealed records in the demo
//! province with a measure each (and a service for one in three), then the search by
//! identity number (the blind index) and a province's yearly statistics with the year
//! before (`person_stats::year_with_previous`, as the statistics page computes them),
//! from the facts kept per year (`person_facts`): what building them costs once, what
//! keeping them costs each write, and the same statistics counted from the records.
//! Run: `cargo run --release -p diaban-store --example bench_persons [-- N]`.

use chrono::{Days, NaiveDate};
use diaban_domain::UnitLevel;
use diaban_domain::person::{EpisodeKind, ServiceKind};
use diaban_store::person_records::{self, History, NewEpisode};
use diaban_store::persons::{self, NewPerson, PersonFilter, Scope};
use diaban_store::{person_facts, person_stats, units};
use diaban_vault::KeyRing;
use std::time::Instant;

fn pct(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

fn id_number(i: usize) -> String {
    format!("051090{:06}", i % 1_000_000)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(300_000);
    let t = diaban_store::testing::sqlite().await?;
    diaban_store::reference::load_units(&t.db).await?;
    let keys = KeyRing::generate();
    let on = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?;
    let qn = units::by_code(&t.db, "51", Some(UnitLevel::Province), on).await?.ok_or("51")?;
    let communes = units::children(&t.db, qn.id).await?;
    let t0 = Instant::now();
    let mut histories = Vec::with_capacity(n);
    for i in 0..n {
        let c = &communes[i % communes.len()];
        let p = NewPerson {
            residence_unit_id: c.id,
            sex: if i % 9 == 0 { "female" } else { "male" }.into(),
            // Varied attributes, so the statistics' groups are many (the realistic case).
            birth_year: 1960 + (i % 47) as i32,
            ethnicity: ["Kinh", "Xơ Đăng", "Ba Na", "Giẻ Triêng", "Kinh"][i % 5].into(),
            id_number: Some(id_number(i)),
            full_name: format!("Người Đo {i}"),
            birth_date: None,
            address: None,
            phone: None,
            notes: None,
        };
        let id = match persons::create(&t.db, &keys, &p, None).await? {
            persons::Created::New(id) | persons::Created::Existing(id) => id,
        };
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("date")? + Days::new((i % 1000) as u64);
        let kind =
            [EpisodeKind::UserManagement, EpisodeKind::SubstitutionTherapy, EpisodeKind::PostRehabManagement]
                [i % 3];
        let mut h = History { person_id: id, ..Default::default() };
        h.episodes.push(NewEpisode {
            kind,
            decision_number: "1/QĐ".into(),
            decision_date: start,
            signer: "x".into(),
            start,
            term_months: None,
            actual_end: None,
            end_reason: None,
            criteria_met: None,
            place: String::new(),
        });
        if i % 3 == 0 {
            h.services.push((ServiceKind::Counselling, start + Days::new(30), "x".into()));
        }
        histories.push(h);
    }
    person_records::load_histories(&t.db, &histories).await?;
    println!("created {n} persons with histories in {:.1} s", t0.elapsed().as_secs_f64());
    let t0 = Instant::now();
    person_facts::rebuild(&t.db, 15, 2027).await?;
    println!("built the statistics facts (years up to 2027) in {:.1} s", t0.elapsed().as_secs_f64());

    let mut times = Vec::new();
    for round in 0..201 {
        let f = PersonFilter { id_number: Some(id_number(round * 997 % n)), limit: 25, ..Default::default() };
        let t0 = Instant::now();
        let (found, _) = persons::list(&t.db, &keys, Scope::Province(qn.id), &f).await?;
        if round > 0 {
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        assert_eq!(found.len(), 1);
    }
    println!(
        "search by identity number: median {:.2} ms, p95 {:.2} ms",
        pct(&mut times, 0.5),
        pct(&mut times, 0.95)
    );

    let mut times = Vec::new();
    for round in 0..6 {
        let t0 = Instant::now();
        let (cur, prev) = person_stats::year_with_previous(&t.db, Scope::Province(qn.id), 2026).await?;
        if round > 0 {
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        assert!(cur.total.with_records > 0 && prev.total.with_records > 0);
    }
    println!(
        "province yearly statistics (two years, kept facts): median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        pct(&mut times, 0.5),
        pct(&mut times, 0.95),
        pct(&mut times, 1.0)
    );

    // What keeping the facts costs a write: a service recorded (transaction, audit entry,
    // the person's facts replaced and the counts moved).
    let mut times = Vec::new();
    for round in 0..101 {
        let id = persons::list(
            &t.db,
            &keys,
            Scope::Province(qn.id),
            &PersonFilter { id_number: Some(id_number(round * 7919 % n)), limit: 1, ..Default::default() },
        )
        .await?
        .0[0]
            .id;
        let entry = diaban_store::audit::NewEntry {
            actor: "cli".into(),
            action: "person.service.add".into(),
            outcome: "ok".into(),
            ..Default::default()
        };
        let t0 = Instant::now();
        person_records::add_service(&t.db, id, ServiceKind::Counselling, on, "x", None, entry).await?;
        if round > 0 {
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
    }
    println!(
        "recording a service (with the facts kept): median {:.2} ms, p95 {:.2} ms",
        pct(&mut times, 0.5),
        pct(&mut times, 0.95)
    );

    // The same year counted from the records, as any other period is.
    let year = diaban_domain::period::Period::statistical_year(2026).ok_or("year")?;
    let t0 = Instant::now();
    let slow = person_stats::grouped_in_sql(&t.db, Scope::Province(qn.id), year).await?;
    let fast = person_stats::groups(&t.db, Scope::Province(qn.id), year).await?;
    let total = |g: &[diaban_domain::person::stats::StatGroup]| g.iter().map(|g| g.count).sum::<i64>();
    println!(
        "one year counted from the records: {:.0} ms ({} persons in {} groups; the kept facts: {} in {})",
        t0.elapsed().as_secs_f64() * 1000.0,
        total(&slow),
        slow.len(),
        total(&fast),
        fast.len()
    );
    t.cleanup().await;
    Ok(())
}
