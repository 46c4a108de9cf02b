//! The units API and the health check against a real server, on every engine.

mod common;
use common::TestApp;

#[tokio::test]
async fn healthz_reports_version_and_engine() {
    for app in TestApp::all().await {
        let (status, body) = app.get_json("/healthz").await;
        assert_eq!(status, 200);
        assert_eq!(body["status"], "ok");
        assert_eq!(body["db"], app.engine);
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
        app.stop().await;
    }
}

#[tokio::test]
async fn lists_and_searches_units() {
    for app in TestApp::all().await {
        let (s, b) = app.get_json("/api/v1/units?level=province&limit=1000").await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["total"], 34);
        let (_, b) = app.get_json("/api/v1/units?level=province&as_of=2024-01-01&limit=1000").await;
        assert_eq!(b["total"], 63);
        for q in ["quang%20ngai", "QU%E1%BA%A2NG%20NG%C3%83I"] {
            let (_, b) = app.get_json(&format!("/api/v1/units?level=province&q={q}")).await;
            assert_eq!(b["total"], 1, "{q}: {b}");
            assert_eq!(b["items"][0]["code"], "51");
        }
        let (_, b) = app.get_json("/api/v1/units?parent=51&limit=1000").await;
        assert_eq!(b["total"], 96);
        assert_eq!(b["items"][0]["parent"]["code"], "51");
        let (_, b) = app.get_json("/api/v1/units?parent=62&as_of=2024-06-01&level=district").await;
        assert_eq!(b["total"], 10, "Kon Tum had 10 districts: {b}");
        app.stop().await;
    }
}

#[tokio::test]
async fn unit_detail_shows_lineage_both_ways() {
    for app in TestApp::all().await {
        let (s, kt) = app.get_json("/api/v1/units/62").await;
        assert_eq!(s, 200);
        assert_eq!(kt["name"], "Tỉnh Kon Tum");
        assert_eq!(kt["generation"], "legacy");
        assert_eq!(kt["successors"][0]["code"], "51");
        let (_, qn) = app.get_json("/api/v1/units/51").await;
        assert_eq!(qn["children"], 96);
        let pred: Vec<&str> =
            qn["predecessors"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
        assert_eq!(pred, vec!["51", "62"]);
        // A legacy Kon Tum ward resolves to a current Quảng Ngãi commune.
        let (_, w) = app.get_json("/api/v1/units/23281?as_of=2024-01-01").await;
        assert_eq!(w["name"], "Phường Quang Trung");
        let succ = w["successors"].as_array().unwrap();
        assert!(!succ.is_empty());
        for s in succ {
            let (_, cur) = app.get_json(&format!("/api/v1/units/{}", s["code"].as_str().unwrap())).await;
            assert_eq!(cur["parent"]["code"], "51", "{cur}");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_parameters_are_json_errors_naming_them() {
    for app in TestApp::all().await {
        for (path, status, needle) in [
            ("/api/v1/units/99999", 404, "99999"),
            ("/api/v1/units/abc", 400, "'code'"),
            ("/api/v1/units?level=ward", 400, "'level'"),
            ("/api/v1/units?as_of=2025-02-30", 400, "'as_of'"),
            ("/api/v1/units?limit=5000", 400, "'limit'"),
            ("/api/v1/units?parent=00000", 400, "'parent'"),
            ("/api/v1/nothing-here", 404, "no such API route"),
        ] {
            let (s, b) = app.get_json(path).await;
            assert_eq!(s, status, "{path}: {b}");
            let msg = b["error"]["message"].as_str().unwrap_or_default();
            assert!(msg.contains(needle), "{path}: {msg}");
            assert!(b["error"]["code"].is_string());
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn openapi_describes_every_api_route() {
    for app in TestApp::all().await {
        let (s, doc) = app.get_json("/api/v1/openapi.json").await;
        assert_eq!(s, 200);
        assert_eq!(doc["openapi"], "3.1.0");
        for path in [
            "/healthz",
            "/api/v1/units",
            "/api/v1/units/{code}",
            "/api/v1/openapi.json",
            "/api/v1/session",
            "/api/v1/me",
            "/api/v1/persons",
            "/api/v1/persons/search",
            "/api/v1/persons/{id}",
            "/api/v1/audit",
            "/api/v1/audit/verify",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
        }
        app.stop().await;
    }
}
