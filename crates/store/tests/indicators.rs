//! The rows of the indicator catalogue as the store loads them, on every engine: a site
//! recorded on a legacy (pre-2025) commune counts towards the current commune it became,
//! so a 2023 baseline compares with 2026 across the merger.

use chrono::NaiveDate;
use diaban_analytics::indicators::compute;
use diaban_domain::UnitLevel;
use diaban_domain::indicator::IndicatorId;
use diaban_domain::period::StatPeriod;
use diaban_domain::site::{LatLon, SiteKind, SiteState};
use diaban_store::indicator_data::{self, Request};
use diaban_store::persons::Scope;
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
