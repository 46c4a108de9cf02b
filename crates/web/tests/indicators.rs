//! `/api/v1/indicators` and the dashboard through the real server on every engine: every
//! indicator with its definition id, the scope rules for `unit`, bad periods named.

mod common;
mod support;

use common::TestApp;
use diaban_domain::access::Role;
use serde_json::json;

/// Phường Kon Tum, a commune of Quảng Ngãi (51).
const COMMUNE_A: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const COMMUNE_B: &str = "21025";

#[tokio::test]
async fn the_indicators_of_a_scope_with_their_definitions_and_the_unit_rules() {
    for app in TestApp::all().await {
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let site = json!({"kind": "point", "name": "Điểm A", "unit": COMMUNE_A, "lat": 14.35, "lon": 108.0,
                          "address": "thôn 1", "found_how": "tin báo", "state": "listed", "on": "2026-02-01"});
        let (s, v) = officer.post_json("/api/v1/sites", &site).await;
        assert_eq!(s, 201, "{}: {v}", app.engine);
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let (s, v) = pc04.get_json("/api/v1/indicators?period=2026").await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["period"]["from"], "2025-12-15");
        assert_eq!(v["period"]["to"], "2026-12-14");
        let list = v["indicators"].as_array().unwrap();
        assert_eq!(list.len(), diaban_domain::indicator::IndicatorId::ALL.len());
        let active = list.iter().find(|i| i["id"] == "sites_active").unwrap();
        assert_eq!(active["value"], 1.0, "{active}");
        assert!(active["definition"].as_str().unwrap().contains("listed"));
        let a = active["by_commune"].as_array().unwrap().iter().find(|c| c["code"] == COMMUNE_A).unwrap();
        assert_eq!(a["value"], 1.0);
        // KH 3220 ended on 14/12/2025: in 2026 the national plan in force judges.
        assert_eq!(v["plan"]["number"], "132-KL/TW", "{}", v["plan"]);
        // In 2025 the province's own plan (KH 3220, shipped) judges its targets: T1 has no
        // sites at either year's end, so no value and no data; the rule is in words.
        let (s, v25) = pc04.get_json("/api/v1/indicators?period=2025").await;
        assert_eq!(s, 200, "{v25}");
        assert!(v25["plan"]["number"].as_str().unwrap().contains("3220"), "{}", v25["plan"]);
        let list25 = v25["indicators"].as_array().unwrap();
        let t1 = list25.iter().find(|i| i["id"] == "t1_sites_change").unwrap();
        assert_eq!(t1["targets"][0]["status"], "no_data", "{t1}");
        assert!(!t1["targets"][0]["rule"].as_str().unwrap().is_empty());
        let t5 = list25.iter().find(|i| i["id"] == "t5_persons_reached").unwrap();
        assert_eq!(t5["targets"][0]["comparator"], "gt", "{t5}");
        // A commune below the province; a month.
        let (s, v) = pc04.get_json(&format!("/api/v1/indicators?unit={COMMUNE_B}&period=2026-02")).await;
        assert_eq!(s, 200);
        assert_eq!(v["unit"]["code"], COMMUNE_B);
        assert_eq!(v["period"]["from"], "2026-01-15");
        // The commune officer sees its commune only.
        let (s, _) = officer.get_json(&format!("/api/v1/indicators?unit={COMMUNE_B}")).await;
        assert_eq!(s, 404);
        let (s, v) = officer.get_json("/api/v1/indicators").await;
        assert_eq!(s, 200);
        assert_eq!(v["unit"]["code"], COMMUNE_A);
        // Bad input is named.
        let (s, v) = pc04.get_json("/api/v1/indicators?period=2026-13").await;
        assert_eq!(s, 400, "{v}");
        assert!(v.to_string().contains("period"), "{v}");
        let (s, _) = pc04.get_json("/api/v1/indicators?unit=99999").await;
        assert_eq!(s, 400);
        // The auditor has no aggregates.
        let auditor = app.login_as(Role::Auditor, "51").await;
        assert_eq!(auditor.get("/api/v1/indicators").await.status().as_u16(), 403);
        // The dashboard shows the targets and the chosen indicator by commune.
        let html = pc04.get("/?period=2025&indicator=sites_active").await.text().await.unwrap();
        assert!(html.contains("data-indicator=\"t1_sites_change\""), "targets shown");
        assert!(html.contains("badge--no-data"), "statuses shown");
        assert!(html.contains("id=\"by-commune\""));
        let html = pc04.get(&format!("/?unit={COMMUNE_A}&period=2026")).await.text().await.unwrap();
        assert!(html.contains("Phường Kon Tum"));
        let r = officer.get(&format!("/?unit={COMMUNE_B}")).await;
        assert_eq!(r.status().as_u16(), 404);
        app.stop().await;
    }
}
