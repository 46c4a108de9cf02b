//! Beyond the lifecycle, on every available engine: correcting a site (API and page),
//! linking persons under their access rules, incidents with re-formation alerts that an
//! officer decides, the all-or-nothing incident import, and the parameters page.

mod common;

use common::TestApp;
use diaban_domain::access::Role;
use serde_json::json;

/// Phường Kon Tum (centre 14.3545, 108.013).
const KON_TUM: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const CAM_THANH: &str = "21025";

/// A site in Phường Kon Tum taken through to monitoring; returns its id.
async fn monitored_site(officer: &common::UserClient) -> i64 {
    let (s, body) = officer
        .post_json(
            "/api/v1/sites",
            &json!({"kind": "point", "name": "Điểm bờ suối", "unit": KON_TUM, "lat": 14.3550, "lon": 108.0140,
                    "state": "listed", "on": "2025-10-01"}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    for (to, on) in
        [("under_action", "2025-11-01"), ("eliminated", "2026-02-01"), ("monitoring", "2026-02-02")]
    {
        let (s, b) =
            officer.post_json(&format!("/api/v1/sites/{id}/transitions"), &json!({"to": to, "on": on})).await;
        assert_eq!(s, 200, "{b}");
    }
    id
}

#[tokio::test]
async fn an_incident_near_a_monitored_site_raises_an_alert_decided_once() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let leader = app.login_as(Role::Leader, "51").await;
        let site = monitored_site(&kt).await;

        // ~100 m away, after the monitoring began: an alert; the commune comes from the
        // nearest centre.
        let (s, b) = kt
            .post_json(
                "/api/v1/incidents",
                &json!({"kind": "syringe_find", "date": "2026-03-05", "lat": 14.3559, "lon": 108.0140}),
            )
            .await;
        assert_eq!(s, 201, "{} {b}", app.engine);
        assert_eq!(b["alerts"].as_array().unwrap().len(), 1);
        let (_, list) = kt.get_json("/api/v1/incidents").await;
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["unit_code"], KON_TUM);
        // Bad input is named.
        let (s, b) = kt
            .post_json(
                "/api/v1/incidents",
                &json!({"kind": "fire", "date": "2026-03-05", "lat": 14.3, "lon": 108.0}),
            )
            .await;
        assert_eq!(s, 422);
        assert!(b["error"]["message"].as_str().unwrap().contains("kind"), "{b}");
        let (s, _) = kt
            .post_json(
                "/api/v1/incidents",
                &json!({"kind": "tip", "date": "2099-01-01", "lat": 14.3, "lon": 108.0}),
            )
            .await;
        assert_eq!(s, 422);

        // The alert is visible in scope only, and on the site.
        let (_, open) = leader.get_json("/api/v1/sites/alerts").await;
        assert_eq!(open["items"].as_array().unwrap().len(), 1, "{open}");
        let alert = open["items"][0]["id"].as_i64().unwrap();
        let (_, other) = ct.get_json("/api/v1/sites/alerts").await;
        assert_eq!(other["items"], json!([]));
        let (_, s_json) = kt.get_json(&format!("/api/v1/sites/{site}")).await;
        assert_eq!(s_json["alerts"][0]["status"], "open");
        // The checks page lists the site's pending checks (monthly from the monitoring
        // start, so some are overdue), for its commune only.
        let checks = kt.get("/sites/checks?days=400").await;
        assert_eq!(checks.status(), 400, "at most 366 days");
        let html = kt.get("/sites/checks?days=31").await.text().await.unwrap();
        assert!(html.contains(&format!("href=\"/sites/{site}\"")), "{}", app.engine);
        assert!(html.contains("badge--off-track"), "overdue checks are flagged");
        let other = ct.get("/sites/checks").await.text().await.unwrap();
        assert!(!other.contains(&format!("href=\"/sites/{site}\"")));
        let (_, map) = leader.get_json("/api/v1/sites/map?state=monitoring").await;
        assert_eq!(map["items"].as_array().unwrap().len(), 1, "{map}");
        assert_eq!(map["items"][0]["id"].as_i64(), Some(site));
        assert_eq!(ct.get_json("/api/v1/sites/map").await.1["items"], json!([]));

        // Leaders read but do not decide; another commune cannot; a dismissal needs a reason.
        let path = format!("/api/v1/sites/alerts/{alert}");
        assert_eq!(leader.post_json(&path, &json!({"decision": "accept"})).await.0, 403);
        assert_eq!(ct.post_json(&path, &json!({"decision": "accept"})).await.0, 404);
        assert_eq!(kt.post_json(&path, &json!({"decision": "dismiss"})).await.0, 422);
        let (s, b) = kt.post_json(&path, &json!({"decision": "accept", "note": "sẽ kiểm tra"})).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["status"], "accepted");
        assert_eq!(kt.post_json(&path, &json!({"decision": "dismiss", "note": "x"})).await.0, 409);
        app.stop().await;
    }
}

#[tokio::test]
async fn incident_import_is_all_or_nothing_and_names_the_bad_row() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let send = |body: &'static str| {
            kt.client
                .post(kt.url("/api/v1/incidents/import"))
                .header("x-csrf-token", &kt.csrf)
                .header("content-type", "text/csv")
                .body(body)
                .send()
        };
        let r = send("lat,lon,date,kind\n14.355,108.014,2026-01-02,arrest\n14.356,108.015,2026-13-02,tip\n")
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let b: serde_json::Value = r.json().await.unwrap();
        let msg = b["error"]["message"].as_str().unwrap();
        assert!(msg.contains("line 3") && msg.contains("date"), "{msg}");
        assert_eq!(kt.get_json("/api/v1/incidents").await.1["total"], 0, "{}", app.engine);
        // A point in another province is outside a commune officer's scope.
        let r = send("lat,lon,date,kind\n21.03,105.85,2026-01-02,arrest\n").await.unwrap();
        assert_eq!(r.status(), 422);
        let r = send("lat,lon,kind\n14.355,108.014,arrest\n").await.unwrap();
        assert_eq!(r.status(), 422);
        let r = send("kind,date,lon,lat,note\narrest,2026-01-02,108.014,14.355,\noverdose,02/03/2026,108.0141,14.3551,ghi chú\n")
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(kt.get_json("/api/v1/incidents").await.1["total"], 2);
        // The page import goes through the same rules.
        let page = kt
            .post_form(
                "/incidents/import",
                &[("csv", "lat,lon,date,kind\n14.355,108.014,2026-01-02,bogus\n")],
            )
            .await;
        assert_eq!(page.status(), 422);
        let html = page.text().await.unwrap();
        assert!(html.contains("line 2"), "the page names the row");
        let page = kt
            .post_form(
                "/incidents",
                &[("kind", "tip"), ("date", "2026-01-03"), ("lat", "14,3552"), ("lon", "108,0142")],
            )
            .await;
        assert_eq!(page.status(), 303);
        assert_eq!(kt.get_json("/api/v1/incidents").await.1["total"], 3);
        let listing = kt.get("/incidents").await;
        assert_eq!(listing.status(), 200);
        app.stop().await;
    }
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    diaban_store::users::by_username(app.db(), username).await.unwrap().unwrap().id
}

async fn after_json(who: &common::UserClient, id: i64) -> serde_json::Value {
    who.get_json(&format!("/api/v1/sites/{id}")).await.1
}

#[tokio::test]
async fn sites_are_corrected_without_losing_a_concurrent_edit() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let id = monitored_site(&kt).await;
        let (_, before) = kt.get_json(&format!("/api/v1/sites/{id}")).await;
        let seen = before["updated_at"].as_str().unwrap().to_owned();
        let put = |who: &common::UserClient, body: serde_json::Value| {
            who.client
                .put(who.url(&format!("/api/v1/sites/{id}")))
                .header("x-csrf-token", &who.csrf)
                .json(&body)
                .send()
        };
        let edit = json!({"kind": "cluster", "name": "Tụ điểm bờ suối", "unit": KON_TUM, "lat": 14.3551, "lon": 108.0141,
                          "address": "tổ 5", "updated_at": seen});
        assert_eq!(put(&ct, edit.clone()).await.unwrap().status(), 404);
        let r = put(&kt, edit.clone()).await.unwrap();
        assert_eq!(r.status(), 200, "{}", app.engine);
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!((b["kind"].as_str(), b["state"].as_str()), (Some("cluster"), Some("monitoring")));
        // The same stale form again: refused.
        assert_eq!(put(&kt, edit.clone()).await.unwrap().status(), 409);
        // Bad coordinates: refused with the field.
        let mut bad = edit.clone();
        bad["lat"] = json!(48.8);
        bad["updated_at"] = json!("");
        assert_eq!(put(&kt, bad).await.unwrap().status(), 422);
        // The officer in charge: kept when not chosen, changed to an officer in scope,
        // refused outside it.
        let kt_id = user_id(&app, &kt.username).await;
        let ct_id = user_id(&app, &ct.username).await;
        let kt2 = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let kt2_id = user_id(&app, &kt2.username).await;
        assert_eq!(after_json(&kt, id).await["responsible_user_id"].as_i64(), Some(kt_id));
        let mut choose = edit.clone();
        choose["updated_at"] = json!("");
        choose["responsible"] = json!(ct_id);
        let r = put(&kt, choose.clone()).await.unwrap();
        assert_eq!(r.status(), 422);
        let b: serde_json::Value = r.json().await.unwrap();
        assert!(b["error"]["message"].as_str().unwrap().starts_with("responsible"), "{b}");
        choose["responsible"] = json!(kt2_id);
        assert_eq!(put(&kt, choose).await.unwrap().status(), 200);
        assert_eq!(after_json(&kt, id).await["responsible_user_id"].as_i64(), Some(kt2_id));
        // Through the page.
        let form = kt.get(&format!("/sites/{id}/edit")).await;
        assert_eq!(form.status(), 200);
        let html = form.text().await.unwrap();
        let start = html.find("name=\"updated_at\" value=\"").unwrap() + 25;
        let stamp = &html[start..start + html[start..].find('"').unwrap()];
        let r = kt
            .post_form(
                &format!("/sites/{id}/edit"),
                &[
                    ("kind", "point"),
                    ("name", "Điểm bờ suối (sửa)"),
                    ("unit", KON_TUM),
                    ("lat", "14.3551"),
                    ("lon", "108.0141"),
                    ("updated_at", stamp),
                    ("on", "2025-10-01"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let after = after_json(&kt, id).await;
        assert_eq!(after["name"], "Điểm bờ suối (sửa)");
        assert_eq!(after["responsible_user_id"].as_i64(), Some(kt2_id), "the form kept the officer");
        // A site in the charge of a province officer: the commune's edit form offers
        // "unchanged" first, and saving it does not reassign the site.
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let pc04_id = user_id(&app, &pc04.username).await;
        let (_, b) = pc04
            .post_json("/api/v1/sites", &json!({"kind": "point", "name": "Điểm của tỉnh", "unit": KON_TUM, "lat": 14.36, "lon": 108.02}))
            .await;
        let pid = b["id"].as_i64().unwrap();
        let html = kt.get(&format!("/sites/{pid}/edit")).await.text().await.unwrap();
        assert!(html.contains("<option value=\"\" selected>"), "the form offers unchanged");
        let r = kt
            .post_form(
                &format!("/sites/{pid}/edit"),
                &[
                    ("kind", "point"),
                    ("name", "Điểm của tỉnh"),
                    ("unit", KON_TUM),
                    ("lat", "14.36"),
                    ("lon", "108.02"),
                    ("responsible", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(after_json(&kt, pid).await["responsible_user_id"].as_i64(), Some(pc04_id));
        app.stop().await;
    }
}

#[tokio::test]
async fn persons_are_linked_by_identity_number_within_scope() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let leader = app.login_as(Role::Leader, "51").await;
        let person = json!({"full_name": "Trần Văn Liên", "id_number": "051090123457", "sex": "male",
                            "birth_date": "1990-01-01", "ethnicity": "Kinh", "residence_unit": CAM_THANH});
        let (s, b) = ct.post_json("/api/v1/persons", &person).await;
        assert_eq!(s, 201, "{} {b}", app.engine);
        let pid = b["id"].as_i64().unwrap();
        let site = monitored_site(&kt).await;
        let path = format!("/api/v1/sites/{site}/persons");
        // Kon Tum cannot reach a Cẩm Thành resident; the province can.
        let (s, b) = kt.post_json(&path, &json!({"id_number": "051090123457", "role": "dealer"})).await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(kt.post_json(&path, &json!({"id_number": "12", "role": "dealer"})).await.0, 422);
        assert_eq!(
            leader.post_json(&path, &json!({"id_number": "051090123457", "role": "dealer"})).await.0,
            403
        );
        let (s, b) = pc04.post_json(&path, &json!({"id_number": "051090123457", "role": "dealer"})).await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(b["person_id"].as_i64(), Some(pid));
        // The link is shown; only readers reaching the person see it as reachable.
        let (_, seen_kt) = kt.get_json(&format!("/api/v1/sites/{site}")).await;
        assert_eq!(seen_kt["persons"][0]["in_scope"], false);
        let (_, seen_pc) = pc04.get_json(&format!("/api/v1/sites/{site}")).await;
        assert_eq!(seen_pc["persons"][0]["in_scope"], true);
        let html = kt.get(&format!("/sites/{site}")).await.text().await.unwrap();
        assert!(!html.contains("Trần Văn Liên"), "no names on the site page");
        assert!(!html.contains(&format!("href=\"/persons/{pid}\"")));
        // The person's page lists the site to those who reach both.
        let person_page = pc04.get(&format!("/persons/{pid}")).await.text().await.unwrap();
        assert!(person_page.contains(&format!("href=\"/sites/{site}\"")), "the person's page links the site");
        // Unlinked once.
        let del = |who: &common::UserClient| {
            who.client
                .delete(who.url(&format!("/api/v1/sites/{site}/persons/{pid}")))
                .header("x-csrf-token", &who.csrf)
                .send()
        };
        assert_eq!(del(&kt).await.unwrap().status(), 204);
        assert_eq!(del(&kt).await.unwrap().status(), 404);
        app.stop().await;
    }
}

#[tokio::test]
async fn parameters_are_set_by_the_admin_and_apply() {
    for app in TestApp::all().await {
        let admin = app.login_as(Role::Admin, "51").await;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        assert_eq!(pc04.get("/admin/parameters").await.status(), 403);
        assert_eq!(pc04.get_json("/api/v1/parameters/sites").await.0, 403);
        let (s, b) = admin.get_json("/api/v1/parameters/sites").await;
        assert_eq!(s, 200);
        assert_eq!(b["in_force"]["reformation_radius_m"], 200.0);
        // An impossible value is refused with the reason, nothing stored.
        let r = admin
            .post_form(
                "/admin/parameters",
                &[
                    ("monitoring_months", "6"),
                    ("check_interval_months", "12"),
                    ("reformation_radius_m", "300"),
                    ("cluster_min_subjects", "3"),
                    ("far_from_unit_centre_km", "15"),
                    ("valid_from", "2026-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = admin
            .post_form(
                "/admin/parameters",
                &[
                    ("monitoring_months", "6"),
                    ("check_interval_months", "abc"),
                    ("reformation_radius_m", "300"),
                    ("cluster_min_subjects", "3"),
                    ("far_from_unit_centre_km", "15"),
                    ("valid_from", "2026-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert_eq!(admin.get_json("/api/v1/parameters/sites").await.1["history"], json!([]));
        let r = admin
            .post_form(
                "/admin/parameters",
                &[
                    ("monitoring_months", "6"),
                    ("check_interval_months", "1"),
                    ("reformation_radius_m", "1000"),
                    ("cluster_min_subjects", "3"),
                    ("far_from_unit_centre_km", "15"),
                    ("valid_from", "2026-01-01"),
                    ("note", "QĐ 12"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, b) = admin.get_json("/api/v1/parameters/sites").await;
        assert_eq!(b["in_force"]["reformation_radius_m"], 1000.0, "{b}");
        // The wider radius now applies: an incident 500 m from a monitored site alerts.
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        monitored_site(&kt).await;
        let (s, b) = kt
            .post_json(
                "/api/v1/incidents",
                &json!({"kind": "tip", "date": "2026-03-05", "lat": 14.3595, "lon": 108.0140}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(b["alerts"].as_array().unwrap().len(), 1, "{}", app.engine);
        app.stop().await;
    }
}

#[tokio::test]
async fn malformed_requests_are_answered_like_every_other_error() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        // A path id that is not a number: JSON under /api/, a page elsewhere.
        let (s, b) = kt.get_json("/api/v1/sites/abc").await;
        assert_eq!(s, 400, "{}", app.engine);
        assert_eq!(b["error"]["code"], "bad_request", "{b}");
        let page = kt.get("/sites/abc").await;
        assert_eq!(page.status(), 400);
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        // A body with a wrong type: the error does not quote what was sent.
        let (s, b) = kt
            .post_json("/api/v1/incidents", &json!({"kind": "tip", "date": "2026-01-01", "lat": 14.3, "lon": 108.0, "note": 51190123456_i64}))
            .await;
        assert_eq!(s, 422, "{b}");
        assert_eq!(b["error"]["code"], "unprocessable");
        assert!(!b.to_string().contains("51190123456"), "{b}");
        // Not JSON at all.
        let r = kt
            .client
            .post(kt.url("/api/v1/incidents"))
            .header("x-csrf-token", &kt.csrf)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!(b["error"]["code"], "bad_request");
        app.stop().await;
    }
}
