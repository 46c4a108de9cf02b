//! The rows of the indicator catalogue as the store loads them, on every engine: a site
//! recorded on a legacy (pre-2025) commune counts towards the current commune it became,
//! so a 2023 baseline compares with 2026 across the merger.

use chrono::NaiveDate;
use diaban_analytics::indicators::compute;
use diaban_domain::UnitLevel;
use diaban_domain::indicator::IndicatorId;
use diaban_domain::period::StatPeriod;
use diaban_domain::site::{LatLon, SiteKind, SiteState};
use diaban_store::cases::{self, NewCase};
use diaban_store::indicator_data::{self, Request};
use diaban_store::persons::Scope;
use diaban_store::propaganda::{self, NewActivity};
use diaban_store::sites::{self, NewSite};
use diaban_store::units::{self, Unit};
use diaban_store::{Db, reference, testing};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn site(db: &Db, unit: &Unit, at: &Unit, on: NaiveDate) {
    let new = NewSite {
        kind: SiteKind::Point,
        hot_spot: true,
        name: "Điểm thử".into(),
        description: String::new(),
        address: String::new(),
        unit_id: unit.id,
        location: LatLon::new(at.lat.unwrap(), at.lon.unwrap()).unwrap(),
        business_ref: None,
        found_how: String::new(),
        responsible_user_id: None,
        state: SiteState::Listed,
        on,
        note: String::new(),
    };
    sites::create(db, &new, None, None).await.unwrap();
}

#[tokio::test]
async fn a_legacy_communes_sites_count_towards_the_commune_it_became() {
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
        let communes = units::children(db, qn.id).await.unwrap();
        // A current commune of Quảng Ngãi that a former (Kon Tum) commune went into.
        let mut found = None;
        for c in &communes {
            let before = units::predecessors(db, c).await.unwrap();
            if let Some(l) = before.into_iter().find(|l| l.unit.is_legacy()) {
                found = Some((c.clone(), l.unit));
                break;
            }
        }
        let (now, legacy) = found.expect("a commune with a legacy predecessor");
        // Listed in 2023 on the legacy commune, and in 2026 on the current one.
        site(db, &legacy, &now, d(2023, 6, 1)).await;
        site(db, &now, &now, d(2026, 2, 1)).await;
        let year = StatPeriod::year(2026);
        let req = Request {
            period: year.bounds(15).unwrap(),
            previous: year.previous().bounds(15).unwrap(),
            baseline: d(2023, 9, 25),
            area_monitoring_months: 12,
            class_year: 2026,
        };
        let ids: Vec<i64> = communes.iter().map(|c| c.id).collect();
        let data = indicator_data::load(db, Scope::Province(qn.id), &ids, req).await.unwrap();
        let values = compute(&data);
        let get = |id| values.iter().find(|v| v.id == id).unwrap();
        let active = get(IndicatorId::SitesActive);
        assert_eq!(active.value, Some(2.0), "{}", db.backend().as_str());
        assert_eq!(active.by_commune[&now.id], Some(2.0), "both count in the current commune");
        // The end of 2025 had the legacy one only: +100%.
        assert_eq!(get(IndicatorId::T1SitesChange).by_commune[&now.id], Some(100.0));
        // The baseline list of hot spots is the legacy commune's 2023 site.
        assert_eq!(get(IndicatorId::T2HotSpotsEliminated).denominator, Some(1.0));
        // A commune scope sees the same.
        let one = indicator_data::load(db, Scope::Commune(now.id), &[now.id], req).await.unwrap();
        assert_eq!(compute(&one).iter().find(|v| v.id == IndicatorId::SitesActive).unwrap().value, Some(2.0));
    }
}

#[tokio::test]
async fn a_trend_read_at_once_gives_the_figures_of_each_period_read_alone() {
    use diaban_domain::cases::{CaseOutcome, OutcomeFigures};
    use diaban_domain::propaganda::{PropagandaForm, VenueType};
    for t in testing::all().await.unwrap() {
        let db = &t.db;
        reference::load_units(db).await.unwrap();
        let qn = units::by_code(db, "51", Some(UnitLevel::Province), d(2026, 1, 1)).await.unwrap().unwrap();
        let communes = units::children(db, qn.id).await.unwrap();
        let (a, b) = (&communes[0], &communes[1]);
        // Rows on both sides of the period boundaries (14/12 and 15/12).
        for (unit, on) in
            [(a, d(2024, 12, 14)), (b, d(2024, 12, 15)), (a, d(2025, 12, 14)), (b, d(2026, 3, 2))]
        {
            site(db, unit, unit, on).await;
            let case = NewCase {
                reference: String::new(),
                occurred_on: on,
                unit_id: unit.id,
                location: None,
                summary: "thử".into(),
                outcome: CaseOutcome::Criminal,
                figures: OutcomeFigures { prosecuted_cases: 1, defendants: 2, persons_handled: 0 },
                subjects: vec![],
                seizures: vec![],
                ring_id: None,
            };
            cases::create(db, None, &case, Scope::Province(qn.id), 0.0, None, None).await.unwrap();
            let activity = NewActivity {
                held_on: on,
                unit_id: unit.id,
                organiser: "Công an xã".into(),
                venue_type: VenueType::ALL[0],
                place: String::new(),
                form: PropagandaForm::ALL[0],
                participants: 40,
                materials: 0,
                topic: "thử".into(),
            };
            propaganda::create(db, &activity, None, None).await.unwrap();
        }
        let req = |sp: StatPeriod| Request {
            period: sp.bounds(15).unwrap(),
            previous: sp.previous().bounds(15).unwrap(),
            baseline: d(2023, 9, 25),
            area_monitoring_months: 12,
            class_year: StatPeriod::containing(
                diaban_domain::period::PeriodKind::Year,
                sp.bounds(15).unwrap().to,
                15,
            )
            .year,
        };
        let reqs: Vec<Request> = [
            StatPeriod::year(2025),
            StatPeriod::year(2026),
            StatPeriod::month(2026, 3),
            StatPeriod::half(2025, 2),
        ]
        .into_iter()
        .map(req)
        .collect();
        let ids: Vec<i64> = communes.iter().map(|c| c.id).collect();
        let scope = Scope::Province(qn.id);
        let together = indicator_data::load_many(db, scope, &ids, &reqs).await.unwrap();
        assert_eq!(together.len(), reqs.len());
        for (r, data) in reqs.iter().zip(&together) {
            let alone = indicator_data::load(db, scope, &ids, *r).await.unwrap();
            assert_eq!(compute(data), compute(&alone), "{:?}", r.period);
            assert_eq!(data.cases, alone.cases);
            assert_eq!(data.propaganda, alone.propaganda);
        }
        // Each year has its own rows: 2025 holds the cases of 15/12/2024 and 14/12/2025.
        assert_eq!(together[0].cases.len(), 2, "{}", db.backend().as_str());
        assert_eq!(together[1].cases.len(), 1);
        t.cleanup().await;
    }
}
