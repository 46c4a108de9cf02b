//! One target, one verdict: the indicators API, the dashboard, the areas page, the plan
//! page and the periodic report show the same status for each of KH 3220's targets on
//! the same period, each judged on the plan's own territory (the communes of former Kon
//! Tum); legacy codes, plans and periods that do not fit are answered with a clear 4xx.
//! On every engine.

mod common;
mod support;

use chrono::NaiveDate;
use common::TestApp;
use diaban_domain::access::Role;
use diaban_domain::area::{Answer, AreaParams, Checklist};
use diaban_store::areas::{self, Actor, Decision, Measure, NewArea, NewPlan};
use diaban_store::persons::Scope;
use diaban_store::{Db, plans, units};
use serde_json::Value;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Phường Kon Tum: a commune of former Kon Tum, inside KH 3220's territory.
const KON_TUM: &str = "23293";
/// Phường Cẩm Thành: a commune of former Quảng Ngãi, outside it.
const CAM_THANH: &str = "21025";

/// An area of `commune` selected on `selected`; recognised as transformed on `on` when
/// given, else left selected.
async fn area(db: &Db, province: i64, commune: &str, name: &str, selected: NaiveDate, on: Option<NaiveDate>) {
    let p = AreaParams::default();
    let cx = || Actor { scope: Scope::Province(province), params: &p, today: d(2026, 11, 30), by: None };
    let unit = units::by_code(db, commune, Some(diaban_domain::UnitLevel::Commune), d(2026, 1, 1))
        .await
        .unwrap()
        .unwrap();
    let new = NewArea {
        unit_id: unit.id,
        name: name.into(),
        part: name.into(),
        location: None,
        decision_number: "12/QĐ-UBND".into(),
        decision_date: selected,
        decision_signer: "Chủ tịch UBND tỉnh".into(),
        previous_area_id: None,
    };
    let id = areas::select(db, &new, cx(), None).await.unwrap();
    let Some(on) = on else { return };
    let plan = NewPlan {
        starts_on: selected,
        ends_on: on,
        measures: vec![Measure {
            measure: "Tuyên truyền".into(),
            unit: "Công an xã".into(),
            person: "Trưởng".into(),
        }],
        note: String::new(),
    };
    areas::save_plan(db, id, cx(), &plan, None).await.unwrap();
    areas::start(db, id, cx(), selected, None).await.unwrap();
    let answers: Vec<Answer> = Checklist::example_vi()
        .items
        .iter()
        .filter(|i| i.required)
        .map(|i| Answer { code: i.code.clone(), met: true, note: None })
        .collect();
    assert!(areas::evaluate_area(db, id, cx(), on, answers, "Hội đồng", None).await.unwrap());
    let yes = Decision { transformed: true, on, decision_number: "99/QĐ-UBND".into(), note: String::new() };
    areas::decide(db, id, cx(), &yes, None).await.unwrap();
}

/// The status the badge of the card holding `marker` shows on a page.
fn badge_after(html: &str, marker: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("{marker} not on the page"));
    let rest = &html[at..];
    let b = rest.find("badge badge--").expect("a badge after the marker") + "badge badge--".len();
    rest[b..].split('"').next().unwrap().replace('-', "_")
}

fn target<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["plan"]["targets"].as_array().unwrap().iter().find(|t| t["indicator"] == id).unwrap()
}

#[tokio::test]
async fn every_page_export_and_the_api_give_one_verdict_on_the_plans_territory() {
    for app in TestApp::all().await {
        let db = app.db().clone();
        let qn = units::by_code(&db, "51", Some(diaban_domain::UnitLevel::Province), d(2026, 1, 1))
            .await
            .unwrap()
            .unwrap();
        // Former Kon Tum: two areas selected, one transformed → T3 = 50% on KH 3220's
        // territory (off track against ≥ 60%). Former Quảng Ngãi: one more transformed,
        // which would make the whole province 2/3 ≈ 66.7% (on track) if it were counted.
        area(&db, qn.id, KON_TUM, "Tổ 1", d(2024, 2, 1), Some(d(2024, 9, 1))).await;
        area(&db, qn.id, KON_TUM, "Tổ 2", d(2024, 2, 1), None).await;
        area(&db, qn.id, CAM_THANH, "Tổ 3", d(2024, 2, 1), Some(d(2024, 9, 1))).await;
        let kh = plans::list(&db).await.unwrap().into_iter().find(|p| p.number == "3220/KH-UBND").unwrap();
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;

        // The API, for the province, on 2025 (KH 3220's last year, in force).
        let (s, v) = pc04.get_json("/api/v1/indicators?unit=51&period=2025").await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["plan"]["number"], "3220/KH-UBND", "{}", v["plan"]);
        let territory = v["plan"]["territory"]["communes"].as_u64().unwrap();
        assert!((30..96).contains(&territory), "KH 3220 covers former Kon Tum only: {territory}");
        // The figures cover the province; the plan judges its own communes.
        assert_eq!(v["territory"]["communes"], 96);
        let t3 = target(&v, "t3_areas_transformed");
        assert_eq!(t3["current"]["value"], 50.0, "{t3}");
        assert_eq!(t3["status"], "off_track");
        let province_t3 =
            v["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "t3_areas_transformed").unwrap();
        assert!((province_t3["value"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9, "{province_t3}");
        let api: Vec<(String, String)> = v["plan"]["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["indicator"].as_str().unwrap().to_owned(), t["status"].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(api.len(), 7, "T1–T6, two lines for T6");

        // The dashboard: one card per target with its badge.
        let dash = pc04.get("/?period=2025").await.text().await.unwrap();
        assert!(dash.contains("id=\"plan-territory\""), "the dashboard says where the plan is judged");
        for (id, status) in &api {
            assert_eq!(&badge_after(&dash, &format!("data-indicator=\"{id}\"")), status, "dashboard {id}");
        }
        // The plan page (today's year 2026 is after KH 3220's end: its final year 2025).
        let page = pc04.get(&format!("/plans/{}", kh.id)).await.text().await.unwrap();
        assert!(page.contains("id=\"plan-results-for\""), "the plan page shows results");
        for (id, status) in &api {
            let row = format!("<tr data-indicator=\"{id}\">");
            assert_eq!(&badge_after(&page, &row), status, "plan page {id}");
        }
        // The areas page, on a day of 2025.
        let areas_page = pc04.get("/areas?at=2025-12-14").await.text().await.unwrap();
        let t4 = api.iter().find(|(i, _)| i == "t4_areas_not_relapsed").unwrap();
        assert_eq!(badge_after(&areas_page, "T3 —"), "off_track", "areas page T3");
        assert_eq!(badge_after(&areas_page, "T4 —"), t4.1, "areas page T4");
        // The periodic report's figures (what its XLSX and DOCX print).
        let unit = diaban_web::indicators_ops::current_unit(&db, "51").await.unwrap();
        let place = diaban_web::indicators_ops::place_of(&db, unit).await.unwrap();
        let period = diaban_domain::period::StatPeriod::year(2025);
        let f = diaban_web::reports_ops::figures(&db, &place, period, chrono::Utc::now()).await.unwrap();
        for tf in &f.targets {
            let want = api.iter().find(|(i, _)| i == tf.indicator.as_str()).map(|(_, s)| s.clone());
            assert_eq!(tf.status.map(|s| s.as_str().to_owned()), want, "report {}", tf.indicator);
        }
        assert!(f.plan_territory.as_deref().is_some_and(|t| t.contains(&territory.to_string())));

        // A month is progress towards the year, never a fail.
        let (_, m) = pc04.get_json("/api/v1/indicators?unit=51&period=2025-03").await;
        assert_eq!(target(&m, "t3_areas_transformed")["status"], "in_progress", "{m}");
        assert_eq!(target(&m, "t3_areas_transformed")["judged_on"], "2025");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_plan_is_judged_on_its_territory_and_legacy_codes_resolve_through_the_lineage() {
    for app in TestApp::all().await {
        let db = app.db().clone();
        let kh = plans::list(&db).await.unwrap().into_iter().find(|p| p.number == "3220/KH-UBND").unwrap();
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let covered = plans::covered_communes(&db, kh.id).await.unwrap().len() as u64;

        // Kon Tum's legacy code is a place: the current communes holding its territory.
        let (s, v) = pc04.get_json("/api/v1/indicators?unit=62&period=2025").await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["unit"]["legacy"], true);
        assert_eq!(v["territory"]["communes"], covered);
        assert_eq!(v["plan"]["number"], "3220/KH-UBND");
        // `plan=` narrows everything to the plan's territory: the province asked with KH
        // 3220 is KH 3220's communes, and differs from the national plan's answer.
        let (_, with_kh) =
            pc04.get_json(&format!("/api/v1/indicators?unit=51&period=2025&plan={}", kh.id)).await;
        assert_eq!(with_kh["territory"]["communes"], covered);
        let national =
            plans::list(&db).await.unwrap().into_iter().find(|p| p.owner_unit_code.is_none()).unwrap();
        let (_, with_nat) =
            pc04.get_json(&format!("/api/v1/indicators?unit=51&period=2025&plan={}", national.id)).await;
        assert_eq!(with_nat["territory"]["communes"], 96);

        // A commune of former Quảng Ngãi is never graded against KH 3220.
        let officer = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let (s, v) = officer.get_json("/api/v1/indicators?period=2025").await;
        assert_eq!(s, 200);
        assert_ne!(v["plan"]["number"], "3220/KH-UBND", "{}", v["plan"]);
        let (s, v) = officer.get_json(&format!("/api/v1/indicators?period=2025&plan={}", kh.id)).await;
        assert_eq!(s, 400, "{v}");
        assert!(v.to_string().contains("unit"), "{v}");
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let (_, v) = kt.get_json("/api/v1/indicators?period=2025").await;
        assert_eq!(v["plan"]["number"], "3220/KH-UBND");
        // A commune officer cannot ask for a legacy province.
        let (s, _) = kt.get_json("/api/v1/indicators?unit=62&period=2025").await;
        assert_eq!(s, 404);

        // Bad input, named: unknown plan, a period before or after the plan.
        let (s, v) = pc04.get_json("/api/v1/indicators?unit=51&period=2025&plan=999999").await;
        assert_eq!(s, 404, "{v}");
        let (s, v) = pc04.get_json(&format!("/api/v1/indicators?unit=51&period=2022&plan={}", kh.id)).await;
        assert_eq!(s, 400, "{v}");
        assert!(v.to_string().contains("period"), "{v}");
        let (s, v) = pc04.get_json(&format!("/api/v1/indicators?unit=51&period=2026&plan={}", kh.id)).await;
        assert_eq!(s, 400, "{v}");
        assert!(v.to_string().contains("14/12/2025") || v.to_string().contains("2025-12-14"), "{v}");
        let (s, _) = pc04.get_json("/api/v1/indicators?unit=51&plan=abc").await;
        assert_eq!(s, 400);
        // The dashboard with the ended plan chosen shows its final result and says so.
        let html = pc04.get(&format!("/?period=2026&plan={}", kh.id)).await.text().await.unwrap();
        assert!(html.contains("id=\"plan-note\""), "the ended plan is said to be ended");
        // Without a plan in the query, 2026 is judged by the national plan in force.
        let (_, v) = pc04.get_json("/api/v1/indicators?unit=51&period=2026").await;
        assert_eq!(v["plan"]["id"], national.id);
        app.stop().await;
    }
}
