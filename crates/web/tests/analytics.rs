//! The Analytics page and API on every available engine: EHSA on a planted dataset finds
//! the hot cell, the density and PAI answer, runs past the limits are refused by name,
//! signals are raised once for a hot cell with no site, listed and decided within scope,
//! every decision audited, and the roles the access table names are the ones let in.

mod common;
mod support;

use common::{TestApp, UserClient};
use diaban_domain::access::Role;
use serde_json::Value;
use support::{audit_entries, location};

/// Phường Kon Tum (centre 14.3545, 108.013).
const KON_TUM: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const CAM_THANH: &str = "21025";
/// Where the burst is planted: in Phường Kon Tum, no site there.
const BURST: (f64, f64) = (14.3700, 108.0000);
const PERIOD: &str = "from=2025-01-01&to=2025-12-31";

async fn import(officer: &UserClient, csv: &str) {
    let r = officer
        .client
        .post(officer.url("/api/v1/incidents/import"))
        .header("x-csrf-token", &officer.csrf)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("request");
    let s = r.status().as_u16();
    assert_eq!(s, 201, "{}", r.text().await.unwrap_or_default());
}

/// Twelve months of scattered incidents around the commune, a burst of 25 in the last
/// month at [`BURST`], and three incidents at the burst in early 2026 (the test period).
async fn plant(officer: &UserClient) {
    let mut csv = String::from("lat,lon,date,kind\n");
    for m in 1..=12 {
        for (lat, lon) in [(14.3400, 108.0300), (14.3600, 108.0450), (14.3300, 107.9900)] {
            csv += &format!("{lat},{lon},2025-{m:02}-10,tip\n");
        }
    }
    for k in 0..25 {
        csv += &format!(
            "{:.5},{:.5},2025-12-{:02},arrest\n",
            BURST.0 + 0.0001 * f64::from(k % 5),
            BURST.1,
            k + 1
        );
    }
    for m in 1..=3 {
        csv += &format!("{},{},2026-{m:02}-05,seizure\n", BURST.0, BURST.1);
    }
    import(officer, &csv).await;
}

fn burst_cell() -> String {
    diaban_analytics::cell_hex(diaban_analytics::cell_at(BURST.0, BURST.1, 8).unwrap())
}

fn feature<'a>(g: &'a Value, h3: &str) -> Option<&'a Value> {
    g["features"].as_array()?.iter().find(|f| f["properties"]["h3"] == h3)
}

#[tokio::test]
async fn ehsa_density_and_pai_on_a_planted_dataset() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        plant(&kt).await;
        let (s, g) = kt.get_json(&format!("/api/v1/analytics/ehsa?{PERIOD}")).await;
        assert_eq!(s, 200, "{}: {g}", app.engine);
        assert_eq!(g["type"], "FeatureCollection");
        assert_eq!(g["incidents"], 61);
        assert_eq!(g["months"], 12);
        assert_eq!(g["legend"].as_array().unwrap().len(), 17);
        let hot = feature(&g, &burst_cell()).expect("the burst's cell is analysed");
        assert_eq!(hot["properties"]["category"], "NEW_HOT", "{hot}");
        assert_eq!(hot["properties"]["label"], "Điểm nóng mới");
        assert_eq!(hot["properties"]["incidents"], 25);
        let ring = hot["geometry"]["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.len(), 7, "a closed hexagon");

        let (s, k) = kt.get_json(&format!("/api/v1/analytics/kde?{PERIOD}&bandwidth=500")).await;
        assert_eq!(s, 200, "{k}");
        assert!(!k["features"].as_array().unwrap().is_empty());
        assert_eq!(k["resolution"], 9);

        let (s, p) = kt
            .get_json(&format!("/api/v1/analytics/pai?{PERIOD}&test_from=2026-01-01&test_to=2026-03-31"))
            .await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["test_incidents"], 3);
        let methods: Vec<&str> =
            p["rows"].as_array().unwrap().iter().filter_map(|r| r["method"].as_str()).collect();
        for m in ["ehsa_hot", "kde", "last_period", "registered_sites"] {
            assert!(methods.contains(&m), "{m} in {methods:?}");
        }
        // The EHSA hot cells catch every test incident.
        let ehsa_1 = &p["rows"][0];
        assert_eq!((ehsa_1["method"].as_str(), ehsa_1["hits"].as_i64()), (Some("ehsa_hot"), Some(3)), "{p}");
        let (s, _) = kt.get_json(&format!("/api/v1/analytics/pai?{PERIOD}")).await;
        assert_eq!(s, 400, "PAI needs a test period");

        // Another commune's officer sees none of these incidents.
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let (s, other) = ct.get_json(&format!("/api/v1/analytics/ehsa?{PERIOD}")).await;
        assert_eq!((s, other["incidents"].as_i64()), (200, Some(0)), "{other}");
        assert!(other["features"].as_array().unwrap().is_empty());

        // The page runs the same analysis and leaves the map to the API.
        let page = kt.get(&format!("/analytics?{PERIOD}&run_now=1")).await;
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("id=\"analytics-map\"") && html.contains("/api/v1/analytics/ehsa?from=2025-01-01")
        );
        assert!(html.contains("NEW_HOT") && html.contains("Tạo gợi ý"), "the page offers to raise signals");
        app.stop().await;
    }
}

#[tokio::test]
async fn runs_past_the_limits_are_refused_naming_the_parameter() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        for (query, param) in [
            ("from=2019-01-01&to=2026-01-31", "to"),
            ("res=12", "res"),
            ("res=6", "res"),
            ("k=5", "k"),
            ("alpha=0.9", "alpha"),
            ("fdr=perhaps", "fdr"),
            ("from=2026-05-01&to=2026-04-01", "from"),
        ] {
            let (s, b) = pc04.get_json(&format!("/api/v1/analytics/ehsa?{query}")).await;
            assert_eq!(s, 400, "{query}: {b}");
            let msg = b["error"]["message"].as_str().unwrap_or_default();
            assert!(msg.contains(&format!("'{param}'")), "{query}: {msg}");
        }
        // The page says it in Vietnamese next to the form.
        let r = pc04.get("/analytics?from=2019-01-01&to=2026-01-31&run_now=1").await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("dài hơn 60 tháng"));
        app.stop().await;
    }
}

#[tokio::test]
async fn a_hot_cell_without_a_site_is_suggested_once_and_decisions_are_scoped_and_audited() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        plant(&kt).await;
        let (s, r) = kt.post_json(&format!("/api/v1/analytics/signals?{PERIOD}"), &Value::Null).await;
        assert_eq!(s, 201, "{}: {r}", app.engine);
        assert_eq!(r["created"].as_array().unwrap().len(), 1, "{r}");
        let (_, again) = kt.post_json(&format!("/api/v1/analytics/signals?{PERIOD}"), &Value::Null).await;
        assert_eq!(
            (again["created"].as_array().unwrap().len(), again["already_open"].as_i64()),
            (0, Some(1))
        );
        let (_, list) = kt.get_json("/api/v1/analytics/signals?status=open").await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{list}");
        let sig = &items[0];
        assert_eq!(sig["kind"], "suggest_site");
        assert_eq!(sig["cell"], burst_cell().as_str());
        assert_eq!(sig["category"], "NEW_HOT");
        assert_eq!(sig["unit_code"], KON_TUM);
        let id = sig["id"].as_i64().unwrap();
        assert!(sig["next"].as_str().unwrap().starts_with("/sites/new?lat=14.3"), "{sig}");
        assert_eq!(
            audit_entries(&app, "analytics.signals.raise").await.len(),
            1,
            "the empty rerun is not logged"
        );

        // Out of scope: invisible and undecidable.
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        assert_eq!(ct.get_json("/api/v1/analytics/signals").await.1["total"], 0);
        let (s, _) = ct
            .post_json(
                &format!("/api/v1/analytics/signals/{id}/decision"),
                &serde_json::json!({"decision": "dismiss", "reason": "x"}),
            )
            .await;
        assert_eq!(s, 404);
        // A leader reads the signals but does not decide them.
        let leader = app.login_as(Role::Leader, "51").await;
        assert_eq!(leader.get_json("/api/v1/analytics/signals").await.1["total"], 1);
        let (s, _) = leader
            .post_json(
                &format!("/api/v1/analytics/signals/{id}/decision"),
                &serde_json::json!({"decision": "accept", "reason": "x"}),
            )
            .await;
        assert_eq!(s, 403);

        // The page refuses a decision without a reason and keeps the signal open.
        let r = kt
            .post_form(
                &format!("/analytics/signals/{id}/decision"),
                &[("decision", "accept"), ("reason", " ")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(kt.get_json("/api/v1/analytics/signals?status=open").await.1["total"], 1);
        // Accepting opens the new-site form at the cell centre.
        let r = kt
            .post_form(
                &format!("/analytics/signals/{id}/decision"),
                &[("decision", "accept"), ("reason", "Đã xác minh có tụ tập")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let to = location(&r);
        assert!(to.starts_with("/sites/new?lat="), "{to}");
        let form = kt.get(&to).await.text().await.unwrap();
        let lat = format!("{:.6}", sig["lat"].as_f64().unwrap());
        assert!(form.contains(&lat), "the form is prefilled with {lat}");
        let log = audit_entries(&app, "analytics.signal.accept").await;
        assert_eq!(log.len(), 1);
        assert_eq!(
            (log[0].target_type.as_str(), log[0].target_id.as_str()),
            ("analytics_signal", id.to_string().as_str())
        );
        assert_eq!(log[0].actor, kt.username);
        assert_eq!(log[0].reason, "Đã xác minh có tụ tập");
        // Decided once.
        let (s, _) = kt
            .post_json(
                &format!("/api/v1/analytics/signals/{id}/decision"),
                &serde_json::json!({"decision": "dismiss", "reason": "x"}),
            )
            .await;
        assert_eq!(s, 409);
        // Once decided, a new run may raise the cell again; a dismissal is audited too.
        let (_, r) = kt.post_json(&format!("/api/v1/analytics/signals?{PERIOD}"), &Value::Null).await;
        let id2 = r["created"][0].as_i64().expect("raised again");
        let (s, d) = kt
            .post_json(
                &format!("/api/v1/analytics/signals/{id2}/decision"),
                &serde_json::json!({"decision": "dismiss", "reason": "Người đi chợ"}),
            )
            .await;
        assert_eq!((s, d["status"].as_str()), (200, Some("dismissed")), "{d}");
        assert_eq!(audit_entries(&app, "analytics.signal.dismiss").await.len(), 1);
        let page = kt.get("/analytics/signals").await.text().await.unwrap();
        assert!(page.contains("Người đi chợ") && page.contains("Gợi ý xác minh điểm mới"));
        app.stop().await;
    }
}

#[tokio::test]
async fn partners_auditors_and_admins_cannot_run_analytics() {
    for app in TestApp::all().await {
        for role in [Role::Partner, Role::Auditor, Role::Admin] {
            let who = app.login_as(role, "51").await;
            for path in ["/api/v1/analytics/ehsa", "/api/v1/analytics/signals", "/analytics"] {
                assert_eq!(who.get(path).await.status().as_u16(), 403, "{role} {path}");
            }
        }
        let leader = app.login_as(Role::Leader, "51").await;
        assert_eq!(leader.get("/analytics").await.status().as_u16(), 200);
        let (s, _) = leader.post_json("/api/v1/analytics/signals", &Value::Null).await;
        assert_eq!(s, 403, "a leader does not raise signals");
        app.stop().await;
    }
}
