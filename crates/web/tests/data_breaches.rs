//! The personal-data breach register through the real server on every engine: the API
//! records an incident with its deadline from the `data_protection` parameters, refuses
//! bad fields by name, records the notifications and shows overdue ones; only the roles
//! of the access table use it, a province sees only its own incidents, every change is
//! audited; the page lists, records and marks notified with its CSRF-protected forms and
//! says not to write identities; and a report's protection section counts the register.

mod common;
mod support;

use common::TestApp;
use diaban_domain::access::Role;
use serde_json::json;

#[tokio::test]
async fn the_api_records_incidents_with_their_deadline_and_notifications() {
    for app in TestApp::all().await {
        let e = app.engine;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let body = json!({"detected_at": "2026-10-03T09:00", "description": "Máy tính nhiễm mã độc",
                          "categories": ["health", "identity"], "persons_affected": 40,
                          "measures": "Cách ly máy"});
        let (s, v) = pc04.post_json("/api/v1/data-breaches", &body).await;
        assert_eq!(s, 201, "{e}: {v}");
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["notify_hours"], 72);
        // 09:00 in Vietnam is 02:00 UTC; 72 hours later.
        assert_eq!(v["detected_at"], "2026-10-03T02:00:00Z", "{v}");
        assert_eq!(v["notify_deadline"], "2026-10-06T02:00:00Z", "{v}");
        assert_eq!(v["status"], "overdue", "{e}: not notified and the deadline passed");
        assert_eq!(v["categories"], json!(["health", "identity"]));
        // Bad fields are named, in Vietnamese.
        for (bad, field) in [
            (
                json!({"detected_at": "hôm qua", "description": "x", "categories": ["health"], "persons_affected": 1}),
                "detected_at",
            ),
            (
                json!({"detected_at": "2026-10-03T09:00", "description": " ", "categories": ["health"], "persons_affected": 1}),
                "description",
            ),
            (
                json!({"detected_at": "2026-10-03T09:00", "description": "x", "categories": [], "persons_affected": 1}),
                "categories",
            ),
            (
                json!({"detected_at": "2026-10-03T09:00", "description": "x", "categories": ["names"], "persons_affected": 1}),
                "categories",
            ),
            (
                json!({"detected_at": "2026-10-03T09:00", "description": "x", "categories": ["other"]}),
                "persons_affected",
            ),
            (
                json!({"detected_at": "2099-01-01T09:00", "description": "x", "categories": ["other"], "persons_affected": 1}),
                "detected_at",
            ),
        ] {
            let (s, v) = pc04.post_json("/api/v1/data-breaches", &bad).await;
            assert_eq!(s, 422, "{e}: {bad} → {v}");
            assert!(v.to_string().contains(field), "{e}: {v} names {field}");
        }
        // A notification before the detection is refused; a later one recorded (late).
        let path = format!("/api/v1/data-breaches/{id}/notified");
        let (s, v) = pc04.post_json(&path, &json!({"authority_notified_at": "2026-10-01T09:00"})).await;
        assert_eq!(s, 422, "{e}: {v}");
        let (s, v) = pc04.post_json(&path, &json!({})).await;
        assert_eq!(s, 422, "{e}: nothing to record: {v}");
        let (s, v) = pc04
            .post_json(&path, &json!({"authority_notified_at": "2026-10-07T10:00", "subjects_notified_at": "2026-10-08T10:00"}))
            .await;
        assert_eq!(s, 200, "{e}: {v}");
        assert_eq!(v["status"], "late");
        // In time under a shorter parameter set afterwards: the deadline stays as recorded.
        let admin = app.login_as(Role::Admin, "51").await;
        let r = admin
            .post_form(
                "/admin/parameters/data_protection",
                &[("value", "{\"breach_notify_hours\": 0}"), ("valid_from", "2026-01-01")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422, "{e}: 0 hours refused");
        let r = admin
            .post_form(
                "/admin/parameters/data_protection",
                &[("value", "{\"breach_notify_hours\": 24}"), ("valid_from", "2026-11-01")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{e}");
        let (s, v) = admin
            .post_json("/api/v1/data-breaches", &json!({"detected_at": "2026-11-02T08:00:00+07:00", "description": "Lộ mật khẩu",
                        "categories": ["credentials"], "persons_affected": 0, "authority_notified_at": "2026-11-02T20:00:00+07:00"}))
            .await;
        assert_eq!(s, 201, "{e}: {v}");
        assert_eq!((v["notify_hours"].as_i64(), v["status"].as_str()), (Some(24), Some("in_time")), "{v}");
        let (_, one) = pc04.get_json(&format!("/api/v1/data-breaches/{id}")).await;
        assert_eq!(one["notify_hours"], 72, "{e}: fixed when recorded");
        // The auditor reads; only the province's own incidents; others are refused.
        let auditor = app.login_as(Role::Auditor, "51").await;
        let (s, list) = auditor.get_json("/api/v1/data-breaches").await;
        assert_eq!(s, 200, "{e}");
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        assert_eq!(
            auditor.post_json("/api/v1/data-breaches", &body).await.0,
            403,
            "{e}: the auditor reads only"
        );
        let hanoi = app.login_as(Role::ProvinceOfficer, "01").await;
        let (_, list) = hanoi.get_json("/api/v1/data-breaches").await;
        assert_eq!(list["items"], json!([]), "{e}");
        assert_eq!(hanoi.get_json(&format!("/api/v1/data-breaches/{id}")).await.0, 404);
        assert_eq!(
            hanoi.post_json(&path, &json!({"authority_notified_at": "2026-10-07T10:00"})).await.0,
            404
        );
        for role in [Role::CommuneOfficer, Role::Leader, Role::Partner] {
            let unit = if role == Role::CommuneOfficer { "23293" } else { "51" };
            let c = app.login_as(role, unit).await;
            assert_eq!(c.get_json("/api/v1/data-breaches").await.0, 403, "{e}: {role}");
            assert_eq!(c.get("/data-breaches").await.status().as_u16(), 403, "{e}: {role}");
        }
        // Audited, with who was notified.
        let created = support::audit_entries(&app, "data_breach.create").await;
        assert_eq!(created.len(), 2, "{e}");
        let notified = support::audit_entries(&app, "data_breach.notify").await;
        assert_eq!(notified.len(), 1, "{e}");
        assert_eq!(notified[0].reason, "authority,subjects");
        assert_eq!(notified[0].target_id, id.to_string());
        app.stop().await;
    }
}

#[tokio::test]
async fn the_page_lists_records_and_marks_notified_with_csrf() {
    for app in TestApp::all().await {
        let e = app.engine;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let html = pc04.get("/data-breaches").await.text().await.unwrap();
        assert!(html.contains("Sổ theo dõi sự cố dữ liệu cá nhân"), "{e}");
        assert!(html.contains("id=\"no-identities\""), "{e}: the form says not to write identities");
        assert!(html.contains("href=\"/data-breaches\""), "{e}: in the menu");
        let fields = [
            ("detected_at", "2026-10-03T09:00"),
            ("description", "Bản in danh sách để quên"),
            ("categories", "identity"),
            ("categories", "crime"),
            ("persons_affected", "6"),
            ("measures", "Thu hồi bản in"),
        ];
        // Without the CSRF token: refused.
        let r = pc04.client.post(pc04.url("/data-breaches")).form(&fields).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{e}");
        // A missing category is shown on the form, with what was typed.
        let r = pc04.post_form("/data-breaches", &fields[..2]).await;
        assert_eq!(r.status().as_u16(), 422, "{e}");
        let html = r.text().await.unwrap();
        assert!(html.contains("Chọn ít nhất một loại dữ liệu"), "{e}");
        assert!(html.contains("Bản in danh sách để quên"));
        let r = pc04.post_form("/data-breaches", &fields).await;
        assert_eq!(r.status().as_u16(), 303, "{e}");
        let html = pc04.get("/data-breaches").await.text().await.unwrap();
        assert!(html.contains("data-status=\"overdue\""), "{e}: flagged overdue");
        assert!(html.contains("Vụ việc, xử lý vi phạm"), "{e}: the categories");
        let (_, list) = pc04.get_json("/api/v1/data-breaches").await;
        let id = list["items"][0]["id"].as_i64().unwrap();
        let r = pc04
            .post_form(
                &format!("/data-breaches/{id}/notified"),
                &[("authority_notified_at", "2026-10-04T08:00")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{e}");
        let html = pc04.get("/data-breaches").await.text().await.unwrap();
        assert!(html.contains("data-status=\"in_time\""), "{e}");
        // The auditor sees the list without the forms.
        let auditor = app.login_as(Role::Auditor, "51").await;
        let html = auditor.get("/data-breaches").await.text().await.unwrap();
        assert!(html.contains("Bản in danh sách để quên"), "{e}");
        assert!(!html.contains("id=\"breach-form\""), "{e}");
        assert_eq!(support::audit_entries(&app, "data_breach.").await.len(), 2, "{e}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_reports_protection_section_counts_the_register() {
    for app in TestApp::all().await {
        let e = app.engine;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        for (at, notified) in [("2026-10-03T09:00", Some("2026-10-04T09:00")), ("2026-10-05T09:00", None)] {
            let mut body = json!({"detected_at": at, "description": "Sự cố", "categories": ["health"], "persons_affected": 5});
            if let Some(n) = notified {
                body["authority_notified_at"] = json!(n);
            }
            assert_eq!(pc04.post_json("/api/v1/data-breaches", &body).await.0, 201, "{e}");
        }
        let (s, v) =
            pc04.post_json("/api/v1/reports", &json!({"kind": "monthly", "period": "2026-10"})).await;
        assert_eq!(s, 201, "{e}: {v}");
        let (_, r) = pc04.get_json(&format!("/api/v1/reports/{}", v["id"])).await;
        let b = &r["figures"]["registries"]["breaches"];
        assert_eq!(
            (&b["detected"], &b["notified_in_time"], &b["overdue"], &b["persons_affected"]),
            (&json!(2), &json!(1), &json!(1), &json!(10)),
            "{e}: {b}"
        );
        app.stop().await;
    }
}
