//! The parameter groups edited on their admin pages (terms of the measures, operations
//! deadlines) and through `/api/v1/parameters/operations`, on every engine: a refused
//! value changes nothing, an accepted one is in force from its date and audited.

mod common;
mod support;

use common::TestApp;
use diaban_domain::access::Role;
use serde_json::json;
use support::audit_entries;

#[tokio::test]
async fn the_operations_deadlines_are_set_on_the_page_and_a_bad_value_changes_nothing() {
    for app in TestApp::all().await {
        let admin = app.login_as(Role::Admin, "51").await;
        let page = admin.get("/admin/parameters/operations").await;
        assert_eq!(page.status().as_u16(), 200, "{}", app.engine);
        let html = page.text().await.unwrap();
        assert!(html.contains("escalation_response_days"), "the value in force is shown");
        let today = diaban_domain::time::today_in_vietnam().to_string();
        let bad = admin
            .post_form(
                "/admin/parameters/operations",
                &[("value", r#"{"escalation_response_days": 0}"#), ("valid_from", &today)],
            )
            .await;
        assert_eq!(bad.status().as_u16(), 422);
        assert!(bad.text().await.unwrap().contains("escalation_response_days: from 1 to 365 days"));
        let not_json =
            admin.post_form("/admin/parameters/operations", &[("value", "{"), ("valid_from", &today)]).await;
        assert_eq!(not_json.status().as_u16(), 422);
        let (_, v) = admin.get_json("/api/v1/parameters/operations").await;
        assert_eq!(v["in_force"]["escalation_response_days"], 10, "defaults still apply");
        assert_eq!(audit_entries(&app, "parameters.set").await.len(), 0);
        let ok = admin
            .post_form(
                "/admin/parameters/operations",
                &[
                    ("value", r#"{"escalation_response_days": 7, "business_inspection_months": 6}"#),
                    ("valid_from", &today),
                    ("note", "Quyết định của Giám đốc Công an tỉnh"),
                ],
            )
            .await;
        assert_eq!(ok.status().as_u16(), 303);
        let (_, v) = admin.get_json("/api/v1/parameters/operations").await;
        assert_eq!(v["in_force"]["escalation_response_days"], 7);
        assert_eq!(v["in_force"]["business_inspection_months"], 6);
        assert_eq!(audit_entries(&app, "parameters.set").await.len(), 1);
        // The API refuses a bad value with the same message.
        let r = admin
            .client
            .put(admin.url("/api/v1/parameters/operations"))
            .header("x-csrf-token", &admin.csrf)
            .json(&json!({"value": {"business_inspection_months": 99}, "valid_from": today}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let v: serde_json::Value = r.json().await.unwrap();
        assert!(v.to_string().contains("business_inspection_months"), "{v}");
        // Only the administrator.
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        assert_eq!(pc04.get("/admin/parameters/operations").await.status().as_u16(), 403);
        assert_eq!(admin.get("/admin/parameters/nothing").await.status().as_u16(), 404);
        // The reporting cut-off day: 1–28, and the indicators follow it.
        let bad = admin
            .post_form(
                "/admin/parameters/reporting",
                &[("value", r#"{"cutoff_day": 31}"#), ("valid_from", &today)],
            )
            .await;
        assert_eq!(bad.status().as_u16(), 422);
        let ok = admin
            .post_form(
                "/admin/parameters/reporting",
                &[("value", r#"{"cutoff_day": 1}"#), ("valid_from", &today)],
            )
            .await;
        assert_eq!(ok.status().as_u16(), 303);
        let (_, v) = pc04.get_json("/api/v1/indicators?period=2026").await;
        assert_eq!(v["period"]["from"], "2026-01-01", "{}", v["period"]);
        app.stop().await;
    }
}

#[tokio::test]
async fn the_terms_of_the_measures_are_edited_as_json_and_checked() {
    for app in TestApp::all().await {
        let admin = app.login_as(Role::Admin, "51").await;
        let (_, v) = admin.get_json("/api/v1/parameters/person_durations").await;
        let mut value = v["in_force"].clone();
        let text = value.to_string();
        let r = admin
            .post_form(
                "/admin/parameters/person_durations",
                &[("value", &text), ("valid_from", "2027-01-01"), ("note", "giữ nguyên")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{}", app.engine);
        let (_, v) = admin.get_json("/api/v1/parameters/person_durations").await;
        assert_eq!(v["history"].as_array().unwrap().len(), 1);
        // A term of 0 months is refused, and nothing is added.
        assert!(zero_first_min(&mut value), "a term in {value}");
        let r = admin
            .post_form(
                "/admin/parameters/person_durations",
                &[("value", &value.to_string()), ("valid_from", "2027-02-01")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let (_, v) = admin.get_json("/api/v1/parameters/person_durations").await;
        assert_eq!(v["history"].as_array().unwrap().len(), 1);
        app.stop().await;
    }
}

/// Sets the first `min` found in the value to 0.
fn zero_first_min(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(min) = m.get_mut("min") {
                *min = json!(0);
                return true;
            }
            m.values_mut().any(zero_first_min)
        }
        serde_json::Value::Array(a) => a.iter_mut().any(zero_first_min),
        _ => false,
    }
}
