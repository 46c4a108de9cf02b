//! The indicator catalogue at national scale (issue 9): a SQLite database with synthetic
//! data over the 3,321 current communes of the 34 provinces — 300,000 person records with
//! measures and services, 20,000 sites with their lifecycles, 1,000,000 incidents, 30,000
//! cases and 20,000 propaganda activities — then every indicator for one province and one
//! statistical year (`indicator_data::load` + `indicators::compute`, what the dashboard and
//! `GET /api/v1/indicators` do), for a commune, and for every province in turn.
//!
//! Run: `cargo run --release -p diaban-store --example bench_indicators [-- DB_FILE]`.
//! Generating takes minutes (each record is sealed like a real one); with DB_FILE the
//! database is kept and a second run measures only. SCALE=0.1 makes everything ten times
//! smaller (a quick try).

use chrono::{Days, NaiveDate};
use diaban_analytics::indicators;
use diaban_domain::UnitLevel;
use diaban_domain::cases::{CaseOutcome, OutcomeFigures};
use diaban_domain::incident::IncidentKind;
use diaban_domain::period::{PeriodKind, StatPeriod};
use diaban_domain::person::{EpisodeKind, ServiceKind};
use diaban_domain::propaganda::{PropagandaForm, VenueType};
use diaban_domain::site::{LatLon, SiteKind, SiteParams, SiteState};
use diaban_store::cases::{self, NewCase};
use diaban_store::incidents::{self, NewIncident};
use diaban_store::indicator_data::{self, Request};
use diaban_store::person_records::{self, History, NewEpisode};
use diaban_store::persons::{self, NewPerson, Scope};
use diaban_store::propaganda::{self, NewActivity};
use diaban_store::sites::{self, NewSite, TransitionRequest};
use diaban_store::units::{self, Unit, UnitFilter};
use diaban_store::{Db, person_facts, reference};
use diaban_vault::KeyRing;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// A small deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
    fn day(&mut self, from: NaiveDate, days: u64) -> NaiveDate {
        from + Days::new(self.below(days))
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn date(y: i32, m: u32, d: u32) -> Res<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "date".into())
}

/// A point near the commune's centre (or the province's when the commune has none).
fn near(c: &Unit, rng: &mut Lcg) -> Res<LatLon> {
    let (lat, lon) = (c.lat.unwrap_or(14.5), c.lon.unwrap_or(108.0));
    let j = |r: &mut Lcg| (r.below(2001) as f64 - 1000.0) / 1000.0 * 0.02;
    Ok(LatLon::new(lat + j(rng), lon + j(rng))?)
}

async fn provinces(db: &Db) -> Res<Vec<(Unit, Vec<Unit>)>> {
    let f = UnitFilter {
        level: Some(UnitLevel::Province),
        generation: Some("2025".into()),
        limit: 100,
        ..Default::default()
    };
    let (list, _) = units::search(db, &f).await?;
    let mut out = Vec::new();
    for p in list {
        let communes = units::children(db, p.id).await?;
        out.push((p, communes));
    }
    Ok(out)
}

async fn generate(db: &Db, all: &[(Unit, Vec<Unit>)], scale: f64) -> Res<()> {
    let communes: Vec<&Unit> = all.iter().flat_map(|(_, c)| c).collect();
    let n = |x: f64| (x * scale) as usize;
    let keys = KeyRing::generate();
    let mut rng = Lcg(2026);
    let start = date(2023, 1, 1)?;
    let span = 1400; // days: to the end of October 2026

    let t0 = Instant::now();
    let mut histories = Vec::new();
    for i in 0..n(300_000.0) {
        let c = communes[i % communes.len()];
        let p = NewPerson {
            residence_unit_id: c.id,
            sex: if i % 9 == 0 { "female" } else { "male" }.into(),
            birth_year: 1960 + (i % 47) as i32,
            ethnicity: ["Kinh", "Xơ Đăng", "Ba Na", "Thái", "Kinh"][i % 5].into(),
            id_number: Some(format!("0{:02}09{:07}", 1 + i % 90, i)),
            full_name: format!("Người Đo {i}"),
            birth_date: None,
            address: None,
            phone: None,
            notes: None,
        };
        let id = match persons::create(db, &keys, &p, None).await? {
            persons::Created::New(id) | persons::Created::Existing(id) => id,
        };
        let mut h = History { person_id: id, ..Default::default() };
        let kinds = [
            EpisodeKind::UserManagement,
            EpisodeKind::SubstitutionTherapy,
            EpisodeKind::VoluntaryRehabHome,
            EpisodeKind::CompulsoryRehab,
        ];
        let kind = kinds[(rng.below(4)) as usize];
        // Rehab decided before 1/7/2026, under Law 73/2021's terms (the later law's differ).
        let first = rng.day(start, if kind.is_rehab() { 1200 } else { span });
        h.episodes.push(NewEpisode {
            kind,
            decision_number: "1/QĐ".into(),
            decision_date: first,
            signer: "x".into(),
            start: first,
            term_months: match kind {
                EpisodeKind::CompulsoryRehab => Some(24),
                EpisodeKind::VoluntaryRehabHome => Some(12),
                _ => None,
            },
            actual_end: None,
            end_reason: None,
            criteria_met: None,
            place: String::new(),
        });
        if kind == EpisodeKind::CompulsoryRehab && rng.below(2) == 0 {
            let after = first + Days::new(760);
            h.episodes.push(NewEpisode {
                kind: EpisodeKind::PostRehabManagement,
                decision_date: after,
                start: after,
                term_months: None,
                ..h.episodes[0].clone()
            });
        }
        for _ in 0..rng.below(3) {
            h.services.push((ServiceKind::Counselling, rng.day(first, 300), "x".into()));
        }
        histories.push(h);
        if histories.len() == 5_000 {
            person_records::load_histories(db, &histories).await?;
            histories.clear();
        }
    }
    person_records::load_histories(db, &histories).await?;
    println!("persons: {} with histories in {:.0} s", n(300_000.0), t0.elapsed().as_secs_f64());

    let t0 = Instant::now();
    let params = SiteParams::default();
    let mut batch = Vec::new();
    for i in 0..n(20_000.0) {
        let c = communes[(i * 7) % communes.len()];
        batch.push(NewSite {
            kind: [SiteKind::Point, SiteKind::Cluster, SiteKind::RiskPoint][i % 3],
            hot_spot: i % 5 == 0,
            name: format!("Điểm đo {i}"),
            description: String::new(),
            address: String::new(),
            unit_id: c.id,
            location: near(c, &mut rng)?,
            business_ref: None,
            found_how: "bench".into(),
            responsible_user_id: None,
            state: SiteState::Listed,
            on: rng.day(start, span - 300),
            note: String::new(),
        });
        if batch.len() == 2_000 {
            sites::create_many(db, &batch, None, None).await?;
            batch.clear();
        }
    }
    sites::create_many(db, &batch, None, None).await?;
    println!("sites: {} in {:.0} s", n(20_000.0), t0.elapsed().as_secs_f64());

    let t0 = Instant::now();
    let mut batch = Vec::new();
    for i in 0..n(1_000_000.0) {
        let c = communes[(i * 13) % communes.len()];
        batch.push(NewIncident {
            kind: IncidentKind::ALL[i % IncidentKind::ALL.len()],
            on: rng.day(start, span),
            location: near(c, &mut rng)?,
            unit_id: c.id,
            source: "bench".into(),
            note: String::new(),
        });
        if batch.len() == 20_000 {
            incidents::record_many(db, &batch, 0.0, None, None).await?;
            batch.clear();
        }
    }
    incidents::record_many(db, &batch, 0.0, None, None).await?;
    println!("incidents: {} in {:.0} s", n(1_000_000.0), t0.elapsed().as_secs_f64());

    // Half of the sites taken through action to elimination (after the incidents: an
    // incident recorded near an eliminated site is checked for re-formation, which a
    // bulk load of history does not need).
    let t0 = Instant::now();
    for (p, _) in all {
        let scope = Scope::Province(p.id);
        let (list, _) =
            sites::list(db, scope, &sites::SiteFilter { limit: 100_000, ..Default::default() }).await?;
        for s in list.iter().step_by(2) {
            let on = s.state_since + Days::new(30);
            let req = TransitionRequest { to: SiteState::UnderAction, on, note: String::new() };
            sites::change_state(db, s.id, scope, &req, None, &params, None).await?;
            let req =
                TransitionRequest { to: SiteState::Eliminated, on: on + Days::new(60), note: String::new() };
            sites::change_state(db, s.id, scope, &req, None, &params, None).await?;
        }
    }

    println!("sites taken to elimination in {:.0} s", t0.elapsed().as_secs_f64());

    let t0 = Instant::now();
    for i in 0..n(30_000.0) {
        let c = communes[(i * 11) % communes.len()];
        let criminal = i % 3 == 0;
        let case = NewCase {
            reference: String::new(),
            occurred_on: rng.day(start, span),
            unit_id: c.id,
            location: None,
            summary: "bench".into(),
            outcome: if criminal { CaseOutcome::Criminal } else { CaseOutcome::Administrative },
            figures: OutcomeFigures {
                prosecuted_cases: u32::from(criminal),
                defendants: if criminal { 2 } else { 0 },
                persons_handled: if criminal { 0 } else { 1 },
            },
            subjects: vec![],
            seizures: vec![],
            ring_id: None,
        };
        let scope = Scope::Province(c.scope_province_id.unwrap_or_default());
        cases::create(db, None, &case, scope, 0.0, None, None).await?;
    }
    for i in 0..n(20_000.0) {
        let c = communes[(i * 17) % communes.len()];
        let a = NewActivity {
            held_on: rng.day(start, span),
            unit_id: c.id,
            organiser: "Công an xã".into(),
            venue_type: VenueType::ALL[i % VenueType::ALL.len()],
            place: String::new(),
            form: PropagandaForm::ALL[i % PropagandaForm::ALL.len()],
            participants: 20 + (i % 200) as u32,
            materials: 0,
            topic: "bench".into(),
        };
        propaganda::create(db, &a, None, None).await?;
    }
    println!("cases and activities in {:.0} s", t0.elapsed().as_secs_f64());
    Ok(())
}

async fn catalogue(db: &Db, scope: Scope, communes: &[i64], year: StatPeriod) -> Res<usize> {
    let (Some(period), Some(previous)) = (year.bounds(15), year.previous().bounds(15)) else {
        return Err("period".into());
    };
    let req = Request {
        period,
        previous,
        baseline: date(2023, 9, 25)?,
        area_monitoring_months: 24,
        class_year: year.year,
    };
    let data = indicator_data::load(db, scope, communes, req).await?;
    Ok(indicators::compute(&data).len())
}

#[tokio::main]
async fn main() -> Res<()> {
    let scale: f64 = std::env::var("SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let (path, keep) = match std::env::args().nth(1) {
        Some(p) => (std::path::PathBuf::from(p), true),
        None => (std::env::temp_dir().join(format!("diaban_bench_{}.db", std::process::id())), false),
    };
    let db = Db::connect(&format!("sqlite://{}", path.display())).await?;
    db.migrate().await?;
    reference::load_units(&db).await?;
    let today = date(2026, 11, 30)?;
    person_facts::ensure(&db, today).await?;
    let all = provinces(&db).await?;
    println!("{} provinces, {} communes", all.len(), all.iter().map(|(_, c)| c.len()).sum::<usize>());
    if persons::count_all(&db).await? == 0 {
        generate(&db, &all, scale).await?;
    }
    // The persons statistics kept per year, built again from the records (as after a
    // change of the cut-off day), so a kept database is measured with this build's facts.
    let (cutoff, last_year) = person_facts::wanted(&db, today).await?;
    let t0 = Instant::now();
    person_facts::rebuild(&db, cutoff, last_year).await?;
    println!("statistics facts of every person rebuilt in {:.1} s", t0.elapsed().as_secs_f64());
    let year = StatPeriod::containing(PeriodKind::Year, today, 15);

    let (qn, qn_communes) = all.iter().find(|(p, _)| p.code == "51").ok_or("51")?;
    let ids: Vec<i64> = qn_communes.iter().map(|c| c.id).collect();
    let mut times = Vec::new();
    for round in 0..11 {
        let t0 = Instant::now();
        let n = catalogue(&db, Scope::Province(qn.id), &ids, year).await?;
        if round > 0 {
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        assert!(n > 20);
    }
    println!(
        "every indicator, {} ({} communes), year {}: median {:.0} ms, p95 {:.0} ms",
        qn.name,
        ids.len(),
        year.year,
        pct(&mut times, 0.5),
        pct(&mut times, 0.95)
    );

    let c = &qn_communes[0];
    let t0 = Instant::now();
    catalogue(&db, Scope::Commune(c.id), &[c.id], year).await?;
    println!("every indicator, one commune: {:.0} ms", t0.elapsed().as_secs_f64() * 1000.0);

    let t0 = Instant::now();
    let mut slowest = (0.0, String::new());
    for (p, communes) in &all {
        let ids: Vec<i64> = communes.iter().map(|c| c.id).collect();
        let t1 = Instant::now();
        catalogue(&db, Scope::Province(p.id), &ids, year).await?;
        let ms = t1.elapsed().as_secs_f64() * 1000.0;
        if ms > slowest.0 {
            slowest = (ms, p.name.clone());
        }
    }
    println!(
        "every indicator for each of the {} provinces in turn: {:.0} ms in all (slowest {} at {:.0} ms)",
        all.len(),
        t0.elapsed().as_secs_f64() * 1000.0,
        slowest.1,
        slowest.0
    );
    db.close().await;
    if !keep {
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}
