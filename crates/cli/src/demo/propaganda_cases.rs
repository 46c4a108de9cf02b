//! Synthetic operations for 2024–2026: propaganda activities by the commune police, PC04
//! and the health department (the demo partner, recorded under its account), cases with
//! seizures in each drug's own units and clearly fake typed subjects, some recorded
//! against legacy Kon Tum communes before the merger, and three rings, one dismantled.
//! Cases with coordinates create their incidents through the store, as real ones do.

use super::rng::SplitMix64;
use chrono::{Days, NaiveDate};
use diaban_domain::cases::{CaseOutcome, OutcomeFigures, SubjectRole};
use diaban_domain::propaganda::{PropagandaForm, VenueType};
use diaban_domain::seizures::{Drug, QuantityUnit, SeizureLine};
use diaban_domain::site::{LatLon, SiteParams};
use diaban_store::Db;
use diaban_store::cases::{self, NewCase, NewSubject};
use diaban_store::persons::Scope;
use diaban_store::propaganda::{self, NewActivity};
use diaban_store::rings::{self, NewRing};
use diaban_store::units::{self, Unit, UnitFilter};
use diaban_store::users;
use diaban_vault::KeyRing;

/// Activities and cases the demo writes.
const ACTIVITIES: usize = 180;
const CASES: usize = 120;

fn date(rng: &mut SplitMix64, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from.checked_add_days(Days::new(rng.int(0, span) as u64)).unwrap_or(from)
}

fn pick<'a, T>(rng: &mut SplitMix64, list: &'a [T]) -> &'a T {
    &list[(rng.next_u64() % list.len() as u64) as usize]
}

fn near(rng: &mut SplitMix64, u: &Unit) -> Option<LatLon> {
    let (lat, lon) = (u.lat?, u.lon?);
    LatLon::new(lat + rng.range(-0.02, 0.02), lon + rng.range(-0.02, 0.02)).ok()
}

/// Writes the demo propaganda activities, cases and rings (after the accounts and sites).
pub async fn fill(db: &Db, keys: Option<&KeyRing>, province: &Unit, seed: u64) -> anyhow::Result<()> {
    let mut rng = SplitMix64::new(seed ^ 0x6f70_735f);
    let communes: Vec<Unit> =
        units::children(db, province.id).await?.into_iter().filter(|u| u.lat.is_some()).collect();
    anyhow::ensure!(!communes.is_empty(), "the demo province has no communes with coordinates");
    let filter = UnitFilter {
        scope_province_id: Some(province.id),
        generation: Some("legacy".into()),
        level: Some(diaban_domain::UnitLevel::Commune),
        limit: 10_000,
        ..Default::default()
    };
    let kon_tum: Vec<Unit> = units::search(db, &filter)
        .await?
        .0
        .into_iter()
        .filter(|u| u.code.as_str() >= "23200" && u.code.as_str() <= "23700" && u.lat.is_some())
        .collect();
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let last = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap_or_default();
    let merger = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default();
    let partner = users::by_username(db, "soyte").await?.map(|u| u.id);

    for _ in 0..ACTIVITIES {
        let on = date(&mut rng, first, last);
        let r = rng.int(0, 9);
        let (unit, organiser, by) = match r {
            0..=5 => {
                let c = pick(&mut rng, &communes);
                (c.id, format!("Công an {}", c.name), None)
            }
            6..=7 => (province.id, "Phòng PC04 Công an tỉnh".to_owned(), None),
            _ => (pick(&mut rng, &communes).id, "Sở Y tế".to_owned(), partner),
        };
        let venue = *pick(&mut rng, VenueType::ALL);
        let form = *pick(&mut rng, PropagandaForm::ALL);
        let participants = match form {
            PropagandaForm::SocialMedia => rng.int(200, 5000),
            PropagandaForm::Loudspeaker => rng.int(100, 2000),
            _ => rng.int(20, 400),
        } as u32;
        let a = NewActivity {
            held_on: on,
            unit_id: unit,
            organiser,
            venue_type: venue,
            place: format!("Địa điểm mẫu số {}", rng.int(1, 99)),
            form,
            participants,
            materials: if matches!(form, PropagandaForm::Leaflets) { rng.int(100, 1000) as u32 } else { 0 },
            topic: "Tuyên truyền phòng, chống ma túy (dữ liệu mẫu)".into(),
        };
        propaganda::create(db, &a, by, None).await?;
    }

    let scope = Scope::Province(province.id);
    let radius = SiteParams::default().reformation_radius_m;
    let mut case_ids = Vec::new();
    for i in 0..CASES {
        let on = date(&mut rng, first, last);
        let legacy = on <= merger && !kon_tum.is_empty() && rng.unit() < 0.3;
        let unit = if legacy { pick(&mut rng, &kon_tum).clone() } else { pick(&mut rng, &communes).clone() };
        let mut seizures = Vec::new();
        for _ in 0..rng.int(0, 2) {
            let drug = *pick(&mut rng, &[Drug::Synthetic, Drug::Synthetic, Drug::Heroin, Drug::Cannabis]);
            let unit = *pick(&mut rng, drug.allowed_units());
            let qty = match unit {
                QuantityUnit::Gram => (rng.range(0.5, 500.0) * 10.0).round() / 10.0,
                QuantityUnit::Kilogram => (rng.range(0.1, 20.0) * 10.0).round() / 10.0,
                QuantityUnit::Tablet => rng.int(10, 20_000) as f64,
                QuantityUnit::Brick => rng.int(1, 30) as f64,
                QuantityUnit::Plant => rng.int(5, 3000) as f64,
            };
            seizures.push(SeizureLine::new(drug, qty, unit)?);
        }
        let n_subjects = rng.int(1, 3) as u32;
        let subjects = match keys {
            Some(_) => (0..n_subjects)
                .map(|k| NewSubject::Named {
                    name: format!("Đối tượng mẫu {}-{}", i + 1, k + 1),
                    birth_year: Some(rng.int(1970, 2006) as i32),
                    sex: Some(if rng.unit() < 0.85 { "male" } else { "female" }.into()),
                    role: *pick(&mut rng, SubjectRole::ALL),
                })
                .collect(),
            None => Vec::new(),
        };
        let (outcome, figures) = match rng.int(0, 9) {
            0..=4 => (
                CaseOutcome::Criminal,
                OutcomeFigures { prosecuted_cases: 1, defendants: n_subjects, persons_handled: 0 },
            ),
            5..=7 => (
                CaseOutcome::Administrative,
                OutcomeFigures { persons_handled: n_subjects, ..Default::default() },
            ),
            _ => (CaseOutcome::Pending, OutcomeFigures::default()),
        };
        let c = NewCase {
            reference: format!("{:03}/{}", i + 1, chrono::Datelike::year(&on)),
            occurred_on: on,
            unit_id: unit.id,
            location: if rng.unit() < 0.8 { near(&mut rng, &unit) } else { None },
            summary: "Vụ việc mẫu để trình diễn, không có thật".into(),
            outcome,
            figures,
            subjects,
            seizures,
            ring_id: None,
        };
        case_ids.push((cases::create(db, keys, &c, scope, radius, None, None).await?.id, on));
    }

    // Three rings of four cases each; the first dismantled after its last case.
    case_ids.sort_by_key(|(_, on)| *on);
    for (k, name) in ["Đường dây mẫu biên giới Lào", "Đường dây mẫu quốc lộ 24", "Đường dây mẫu ven biển"]
        .iter()
        .enumerate()
    {
        let ring = rings::create(
            db,
            &NewRing { name: (*name).into(), unit_id: province.id, description: "Dữ liệu mẫu".into() },
            None,
            None,
        )
        .await?;
        let mut last_on = first;
        for (id, on) in case_ids.iter().skip(k * 30).step_by(7).take(4) {
            rings::link_case(db, ring, *id, scope, None).await?;
            last_on = last_on.max(*on);
        }
        if k == 0 {
            let on = last_on.checked_add_days(Days::new(10)).unwrap_or(last_on).min(last);
            rings::dismantle(db, ring, scope, on, last, None).await?;
        }
    }
    Ok(())
}
