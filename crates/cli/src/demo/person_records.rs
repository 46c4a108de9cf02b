//! Histories for the demo persons: measures under both regimes (decisions from 2023 to the
//! demo day, so some fall on each side of 1/7/2026), services, a few events with proposals
//! waiting, and the profile the statistics read. Generated from the seed against a fixed
//! demo day, so the data do not depend on the day the demo is made.

use super::rng::SplitMix64;
use chrono::{Datelike, Days, Months, NaiveDate};
use diaban_domain::person::{EndReason, EpisodeKind, EventKind, HeldIn, Regime, ServiceKind, Substance};
use diaban_store::Db;
use diaban_store::person_records::{self, History, NewEpisode, Profile};
use diaban_store::persons::Scope;
use diaban_store::units::Unit;

/// The day the demo histories are written up to.
pub const DEMO_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 15) {
    Some(d) => d,
    None => panic!("valid date"),
};

const PROVIDERS: &[&str] = &[
    "Trạm y tế xã (mô phỏng)",
    "Cơ sở cai nghiện ma túy tỉnh (mô phỏng)",
    "Cơ sở điều trị methadone (mô phỏng)",
    "Trung tâm dịch vụ việc làm (mô phỏng)",
    "Hội Liên hiệp Phụ nữ xã (mô phỏng)",
];

fn day(rng: &mut SplitMix64, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Days::new(rng.int(0, span) as u64)
}

fn measure(kind: EpisodeKind, n: usize, on: NaiveDate, term: Option<u32>) -> NewEpisode {
    let determination = kind == EpisodeKind::AddictionDetermination;
    NewEpisode {
        kind,
        decision_number: if determination { String::new() } else { format!("{}/QĐ-MP", 100 + n) },
        decision_date: on,
        signer: if determination { String::new() } else { "Chủ tịch UBND xã (mô phỏng)".into() },
        start: on,
        term_months: term,
        actual_end: None,
        end_reason: None,
        criteria_met: None,
        place: String::new(),
    }
}

/// The term a decision picks when the regime gives a range.
fn term(rng: &mut SplitMix64, kind: EpisodeKind, on: NaiveDate) -> Option<u32> {
    match (Regime::for_decision(on), kind) {
        (Regime::Law73_2021, EpisodeKind::VoluntaryRehabHome | EpisodeKind::VoluntaryRehabFacility) => {
            Some(rng.int(6, 12) as u32)
        }
        (Regime::Law73_2021, EpisodeKind::CompulsoryRehab) => Some(rng.int(12, 24) as u32),
        _ => None,
    }
}

fn history(rng: &mut SplitMix64, person_id: i64, n: usize) -> History {
    let mut h = History { person_id, ..Default::default() };
    let start = day(rng, NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or(DEMO_DAY), DEMO_DAY - Days::new(20));
    let r = rng.unit();
    if r < 0.45 {
        let mut m = measure(EpisodeKind::UserManagement, n, start, None);
        if rng.unit() < 0.15 {
            let end = start + Days::new(rng.int(30, 300) as u64);
            if end < DEMO_DAY {
                m.actual_end = Some(end);
                m.end_reason = Some(if rng.unit() < 0.5 { EndReason::Moved } else { EndReason::Other });
            }
        }
        h.episodes.push(m);
    } else if r < 0.85 {
        let mut d = measure(EpisodeKind::AddictionDetermination, n, start, None);
        d.criteria_met = Some(rng.int(3, 6) as u8);
        d.place = "Trạm y tế xã (mô phỏng)".into();
        h.episodes.push(d);
        let rehab_on = start + Days::new(rng.int(10, 40) as u64);
        if rehab_on < DEMO_DAY {
            let f = rng.unit();
            let kind = if f < 0.45 {
                EpisodeKind::VoluntaryRehabHome
            } else if f < 0.7 {
                EpisodeKind::VoluntaryRehabFacility
            } else {
                EpisodeKind::CompulsoryRehab
            };
            let t = term(rng, kind, rehab_on);
            let months = t.unwrap_or(24);
            let mut e = measure(kind, n, rehab_on, t);
            e.place = if kind == EpisodeKind::VoluntaryRehabHome {
                "Tại gia đình".into()
            } else {
                PROVIDERS[1].into()
            };
            let planned = rehab_on.checked_add_months(Months::new(months)).unwrap_or(DEMO_DAY);
            let quit = kind != EpisodeKind::CompulsoryRehab && rng.unit() < 0.12;
            let end = if quit { Some(rehab_on + Days::new(rng.int(20, 120) as u64)) } else { Some(planned) };
            match end.filter(|e| *e < DEMO_DAY) {
                Some(end) => {
                    e.actual_end = Some(end);
                    e.end_reason = Some(if quit { EndReason::Quit } else { EndReason::Completed });
                    h.episodes.push(e);
                    if quit {
                        h.events.push((EventKind::QuitVoluntaryRehab, end));
                    } else {
                        h.episodes.push(measure(EpisodeKind::PostRehabManagement, n, end, None));
                        if rng.unit() < 0.15 {
                            let relapse = day(rng, end + Days::new(1), DEMO_DAY);
                            h.events.push((EventKind::RelapsedInPostRehab, relapse));
                        }
                    }
                }
                None => h.episodes.push(e),
            }
        }
    } else {
        let mut e = measure(EpisodeKind::SubstitutionTherapy, n, start, None);
        e.place = PROVIDERS[2].into();
        h.episodes.push(e);
    }
    let from = start.max(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap_or(start));
    for _ in 0..rng.int(0, 4) {
        let kind = ServiceKind::ALL[(rng.next_u64() % ServiceKind::ALL.len() as u64) as usize];
        let provider = PROVIDERS[(rng.next_u64() % PROVIDERS.len() as u64) as usize];
        h.services.push((kind, day(rng, from, DEMO_DAY), provider.to_owned()));
    }
    let mut substances = vec![Substance::ALL[(rng.next_u64() % 5) as usize]];
    if rng.unit() < 0.3 {
        substances.push(Substance::ALL[(rng.next_u64() % Substance::ALL.len() as u64) as usize]);
    }
    substances.sort();
    substances.dedup();
    let held = rng.unit();
    h.profile = Some(Profile {
        substances,
        use_since_year: Some(start.year() - rng.int(0, 12) as i32),
        occupation: ["Lao động tự do", "Nông dân", "Không nghề nghiệp", "Công nhân"]
            [(rng.next_u64() % 4) as usize]
            .into(),
        education: ["Tiểu học", "THCS", "THPT"][(rng.next_u64() % 3) as usize].into(),
        held_in: if held < 0.03 {
            HeldIn::Prison
        } else if held < 0.05 {
            HeldIn::Detention
        } else if held < 0.06 {
            HeldIn::EducationInstitution
        } else {
            HeldIn::Community
        },
    });
    h
}

/// Writes a history for every demo person of the province.
pub async fn fill(db: &Db, province: &Unit, seed: u64) -> anyhow::Result<()> {
    let mut rng = SplitMix64::new(seed ^ 0x6570_6973);
    let ids = person_records::ids_in_scope(db, Scope::Province(province.id)).await?;
    let histories: Vec<History> = ids.iter().enumerate().map(|(n, id)| history(&mut rng, *id, n)).collect();
    let n = person_records::load_histories(db, &histories).await?;
    tracing::info!(episodes = n, "demo person histories written");
    Ok(())
}
