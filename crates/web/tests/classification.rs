//! The classification of communes through the API and the pages, on every available
//! engine: scope, bad input refused with the field named and nothing written, a manual
//! change recomputed into a new class, and a change of thresholds that leaves a stored
//! result alone.

mod common;

use common::{TestApp, UserClient};
use diaban_domain::access::Role;
use serde_json::{Value, json};

/// Phường Kon Tum.
const KON_TUM: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const CAM_THANH: &str = "21025";

async fn put_json(u: &UserClient, path: &str, body: &Value) -> (u16, Value) {
    let r =
        u.client.put(u.url(path)).header("x-csrf-token", &u.csrf).json(body).send().await.expect("request");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn input<'a>(detail: &'a Value, field: &str) -> &'a Value {
    detail["inputs"].as_array().unwrap().iter().find(|i| i["field"] == field).unwrap()
}

/// Type I under QĐ 28: (a) 0.625%, (b) 2 places, (c) 0.125%.
fn type1_inputs() -> Value {
    json!({"population": 8000, "persons_with_records": 50, "places_organising_use": 2,
           "offenders_arrested": 10, "drug_plants_count": 0, "drug_plants_area_m2": "0",
           "on_key_route": false})
}

#[tokio::test]
async fn officers_read_and_write_within_scope_only() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let leader = app.login_as(Role::Leader, "51").await;
        let (s, b) =
            put_json(&kt, &format!("/api/v1/classifications/{KON_TUM}/2025/inputs"), &type1_inputs()).await;
        assert_eq!(s, 200, "{} {b}", app.engine);
        assert_eq!(b["result"]["class"], "type_1", "{b}");
        assert_eq!(b["result"]["version"], "qd28_2025");
        assert_eq!(input(&b, "population")["source"], "manual");
        assert_eq!(input(&b, "population")["entered_by"], kt.username.as_str());

        // The commune officer's list has their commune only; the province sees them all.
        let (s, mine) = kt.get_json("/api/v1/classifications?year=2025").await;
        assert_eq!(s, 200, "{mine}");
        assert_eq!(mine["items"].as_array().unwrap().len(), 1);
        assert_eq!(mine["items"][0]["class"], "type_1");
        let (_, all) = leader.get_json("/api/v1/classifications?year=2025").await;
        assert!(all["items"].as_array().unwrap().len() > 90, "{}", app.engine);
        assert_eq!(all["counts"]["type_1"], 1);
        // Another commune: 404 to read, 404 to write; nothing of it shown.
        let (s, _) = kt.get_json(&format!("/api/v1/classifications/{CAM_THANH}/2025")).await;
        assert_eq!(s, 404);
        let (s, _) = put_json(
            &kt,
            &format!("/api/v1/classifications/{CAM_THANH}/2025/inputs"),
            &json!({"clusters": 1}),
        )
        .await;
        assert_eq!(s, 404);
        // A leader reads but does not write.
        let (s, _) =
            put_json(&leader, &format!("/api/v1/classifications/{KON_TUM}/2025/inputs"), &json!({})).await;
        assert_eq!(s, 403);
        let (s, _) = leader.post_json("/api/v1/classifications/2025/compute", &json!({})).await;
        assert_eq!(s, 403);
        // Computing the year covers every commune in the province officer's scope.
        let (s, c) = pc04.post_json("/api/v1/classifications/2025/compute", &json!({})).await;
        assert_eq!(s, 200, "{c}");
        assert!(c["computed"].as_u64().unwrap() > 90);
        let (_, all) = leader.get_json("/api/v1/classifications?year=2025").await;
        assert_eq!(all["counts"]["not_computed"], 0, "{}", all["counts"]);

        // Pages: the province view with the map, the commune page with its explanation.
        let r = kt.get("/classification?year=2025").await;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Phường Kon Tum") && html.contains("map-data"), "{}", app.engine);
        assert!(!html.contains("Phường Cẩm Thành"));
        let r = leader.get(&format!("/classification/{KON_TUM}/2025")).await;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("loại I") && html.contains("Quyết định 28/2025/QĐ-TTg"), "{}", app.engine);
        assert_eq!(kt.get(&format!("/classification/{CAM_THANH}/2025")).await.status().as_u16(), 404);
        // The CSV of the year.
        let r = leader.get("/api/v1/classifications/export.csv?year=2025").await;
        assert_eq!(r.status().as_u16(), 200);
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("unit_code,unit_name,year,version,class"), "{csv}");
        assert!(csv.contains(&format!("{KON_TUM},Phường Kon Tum,2025,qd28_2025,type_1")), "{csv}");
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_written() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let path = format!("/api/v1/classifications/{KON_TUM}/2025/inputs");
        for (body, field) in [
            (json!({"offenders_arrested": -1}), "offenders_arrested"),
            (json!({"drug_plants_area_m2": "abc"}), "drug_plants_area_m2"),
            (json!({"clusters": 1.5}), "clusters"),
            (json!({"population": 0}), "population"),
            (json!({"on_key_route": "maybe"}), "on_key_route"),
            (json!({"nonsense": 1}), "nonsense"),
            // One good field and one bad: nothing written.
            (json!({"offenders_arrested": 3, "drug_plants_count": -5}), "drug_plants_count"),
        ] {
            let (s, b) = put_json(&kt, &path, &body).await;
            assert_eq!(s, 422, "{} {body}: {b}", app.engine);
            assert!(b["error"]["message"].as_str().unwrap().contains(field), "{b}");
        }
        let (_, d) = kt.get_json(&format!("/api/v1/classifications/{KON_TUM}/2025")).await;
        assert_eq!(input(&d, "offenders_arrested")["source"], "missing", "{d}");
        assert_eq!(d["result"], Value::Null);
        for (path, name) in [
            ("/api/v1/classifications?year=2014".to_owned(), "year"),
            ("/api/v1/classifications?year=abc".to_owned(), "year"),
            (format!("/api/v1/classifications/{KON_TUM}/2999"), "year"),
            ("/api/v1/classifications/99999/2025".to_owned(), "unit_code"),
            ("/api/v1/classifications?year=2025&unit=99999".to_owned(), "unit"),
        ] {
            let (s, b) = kt.get_json(&path).await;
            assert_eq!(s, 400, "{path}: {b}");
            assert!(b["error"]["message"].as_str().unwrap().contains(name), "{b}");
        }
        // The page form names the field and keeps what was typed.
        let r = kt
            .post_form(&format!("/classification/{KON_TUM}/2025"), &[("population", "-3"), ("clusters", "2")])
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Dân số"), "{html}");
        let (_, d) = kt.get_json(&format!("/api/v1/classifications/{KON_TUM}/2025")).await;
        assert_eq!(input(&d, "clusters")["source"], "registry");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_manual_change_recomputes_and_new_thresholds_leave_stored_results_alone() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let admin = app.login_as(Role::Admin, "51").await;
        let path = format!("/api/v1/classifications/{KON_TUM}/2025/inputs");
        let (_, b) = put_json(&kt, &path, &type1_inputs()).await;
        assert_eq!(b["result"]["class"], "type_1", "{}: {b}", app.engine);
        // No arrests after all: two criteria of each band, which is type III.
        let (s, b) = put_json(&kt, &path, &json!({"offenders_arrested": 0})).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["result"]["class"], "type_3", "{b}");
        let before = b["result"].clone();

        // The admin requires 3 criteria for type III from 1/1/2025.
        let (_, t) = admin.get_json("/api/v1/parameters/classification").await;
        let mut strict = t["in_force"].clone();
        strict["qd28"]["type3"]["min_criteria"]["value"] = json!(3);
        let (s, b) = put_json(
            &admin,
            "/api/v1/parameters/classification",
            &json!({"value": strict, "valid_from": "2025-01-01", "note": "thử"}),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        // Bad thresholds are refused.
        let mut bad = strict.clone();
        bad["qd28"]["type3"]["min_criteria"]["value"] = json!(0);
        let (s, _) = put_json(
            &admin,
            "/api/v1/parameters/classification",
            &json!({"value": bad, "valid_from": "2025-01-01"}),
        )
        .await;
        assert_eq!(s, 422);
        // The stored result is as it was.
        let (_, d) = kt.get_json(&format!("/api/v1/classifications/{KON_TUM}/2025")).await;
        assert_eq!(d["result"], before, "{}", app.engine);
        // Recomputing applies the new thresholds and says from when.
        let (s, _) = kt.post_json("/api/v1/classifications/2025/compute", &json!({})).await;
        assert_eq!(s, 200);
        let (_, d) = kt.get_json(&format!("/api/v1/classifications/{KON_TUM}/2025")).await;
        assert_eq!(d["result"]["thresholds_from"], "2025-01-01");
        assert_eq!(d["result"]["class"], "has_drugs", "{d}");
        // The admin page shows the thresholds with the unconfirmed ones marked.
        let r = admin.get("/admin/parameters").await;
        let html = r.text().await.unwrap();
        assert!(html.contains("chưa xác nhận") && html.contains("/admin/parameters/classification"));
        app.stop().await;
    }
}
