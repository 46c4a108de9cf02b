//! `/api/v1/sites` on every available engine: creation with validation and warnings,
//! scope, the lifecycle with an illegal step, monitoring checks and the CSV export.

mod common;

use common::TestApp;
use diaban_domain::access::Role;
use serde_json::json;

/// Phường Kon Tum (a current commune of Quảng Ngãi, centre 14.3545, 108.013).
const KON_TUM: &str = "23293";
/// Phường Cẩm Thành (another commune of Quảng Ngãi, centre 15.1135, 108.812).
const CAM_THANH: &str = "21025";

fn site(name: &str, unit: &str, lat: f64, lon: f64) -> serde_json::Value {
    json!({"kind": "point", "name": name, "unit": unit, "lat": lat, "lon": lon,
           "address": "thôn 1", "found_how": "tin báo", "on": "2024-01-10"})
}

#[tokio::test]
async fn create_validates_warns_and_scopes() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;

        let (s, body) = pc04.post_json("/api/v1/sites", &site("Điểm A", KON_TUM, 14.3550, 108.0140)).await;
        assert_eq!(s, 201, "{} {body}", app.engine);
        let a = body["id"].as_i64().unwrap();
        assert_eq!(body["warnings"], json!([]));

        // 100 m away: recorded, with a warning naming the existing site.
        let (s, body) = kt.post_json("/api/v1/sites", &site("Điểm A'", KON_TUM, 14.3559, 108.0140)).await;
        assert_eq!(s, 201, "{body}");
        let near = &body["warnings"][0];
        assert_eq!(near["code"], "near_existing");
        assert_eq!(near["site_id"].as_i64(), Some(a));
        assert!((95..=105).contains(&near["distance_m"].as_i64().unwrap()), "{near}");

        // Far from the commune's centre: a warning, not a refusal.
        let (s, body) = pc04.post_json("/api/v1/sites", &site("Xa", KON_TUM, 14.6, 108.3)).await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["warnings"][0]["code"], "far_from_unit_centre");

        // A legacy Kon Tum commune code of 2024 is accepted and counts towards Phường Kon Tum.
        let (s, body) = kt.post_json("/api/v1/sites", &site("Điểm cũ", "23281", 14.36, 108.0)).await;
        assert_eq!(s, 201, "{body}");
        let legacy = body["id"].as_i64().unwrap();
        let (_, got) = kt.get_json(&format!("/api/v1/sites/{legacy}")).await;
        assert_eq!(got["unit"]["legacy"], true);
        assert_eq!(got["unit"]["code"], "23281");

        // Bad input: each refused with the field named, nothing written.
        let bad = [
            (site("X", "99999", 14.35, 108.0), "99999"),
            (site("X", KON_TUM, 108.0, 14.35), "lat"),
            (site("X", KON_TUM, 48.85, 2.35), "lat"),
            (json!({"kind": "hub", "name": "X", "unit": KON_TUM, "lat": 14.35, "lon": 108.0}), "kind"),
            (json!({"kind": "point", "name": " ", "unit": KON_TUM, "lat": 14.35, "lon": 108.0}), "name"),
            (
                json!({"kind": "point", "name": "X", "unit": KON_TUM, "lat": 14.35, "lon": 108.0, "state": "eliminated"}),
                "state",
            ),
            (
                json!({"kind": "point", "name": "X", "unit": KON_TUM, "lat": 14.35, "lon": 108.0, "on": "2999-01-01"}),
                "on",
            ),
        ];
        for (body, named) in bad {
            let (s, err) = pc04.post_json("/api/v1/sites", &body).await;
            assert_eq!(s, 422, "{body} -> {err}");
            let msg = err["error"]["message"].as_str().unwrap();
            assert!(msg.contains(named), "{msg} should name {named}");
        }
        // A commune officer cannot file a site in another commune.
        let (s, err) = ct.post_json("/api/v1/sites", &site("X", KON_TUM, 14.35, 108.0)).await;
        assert_eq!(s, 422, "{err}");

        // Scope: Cẩm Thành sees none of Kon Tum's sites.
        let (s, _) = ct.get_json(&format!("/api/v1/sites/{a}")).await;
        assert_eq!(s, 404);
        let (_, list) = ct.get_json("/api/v1/sites").await;
        assert_eq!(list["total"], 0);
        let (_, list) = kt.get_json("/api/v1/sites").await;
        assert_eq!(list["total"], 4);
        let (_, list) =
            pc04.get_json(&format!("/api/v1/sites?unit={KON_TUM}&kind=point&state=reported")).await;
        assert_eq!(list["total"], 4);
        let (s, err) = pc04.get_json("/api/v1/sites?state=gone").await;
        assert_eq!(s, 400, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("state"));

        // Roles without site access.
        for role in [Role::Admin, Role::Partner, Role::Auditor] {
            let u = app.login_as(role, "51").await;
            assert_eq!(u.get_json("/api/v1/sites").await.0, 403, "{role}");
        }
        let leader = app.login_as(Role::Leader, "51").await;
        assert_eq!(leader.get_json("/api/v1/sites").await.1["total"], 4);
        assert_eq!(leader.post_json("/api/v1/sites", &site("X", KON_TUM, 14.35, 108.0)).await.0, 403);

        // CSV export, scoped.
        let r = kt.get("/api/v1/sites/export.csv").await;
        assert_eq!(r.status().as_u16(), 200);
        let text = r.text().await.unwrap();
        assert!(text.starts_with("id,kind,hot_spot,name"), "{text}");
        assert_eq!(text.lines().count(), 5);
        let r = ct.get("/api/v1/sites/export.csv").await;
        assert_eq!(r.text().await.unwrap().lines().count(), 1);
        app.stop().await;
    }
}

#[tokio::test]
async fn lifecycle_with_illegal_step_and_checks() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let (_, body) = kt.post_json("/api/v1/sites", &site("Tụ điểm", KON_TUM, 14.3550, 108.0140)).await;
        let id = body["id"].as_i64().unwrap();
        let step = |to: &str, on: &str| json!({"to": to, "on": on, "note": format!("{to} evidence")});

        // Illegal: 409 naming the allowed states; nothing changes.
        let (s, err) =
            kt.post_json(&format!("/api/v1/sites/{id}/transitions"), &step("eliminated", "2024-02-01")).await;
        assert_eq!(s, 409, "{err}");
        let msg = err["error"]["message"].as_str().unwrap();
        assert!(msg.contains("[allowed: listed, dismissed]"), "{msg}");
        // Another commune cannot move it.
        let (s, _) =
            ct.post_json(&format!("/api/v1/sites/{id}/transitions"), &step("listed", "2024-02-01")).await;
        assert_eq!(s, 404);
        // A date before the current state's.
        let (s, _) =
            kt.post_json(&format!("/api/v1/sites/{id}/transitions"), &step("listed", "2023-01-01")).await;
        assert_eq!(s, 422);

        for (to, on) in [
            ("listed", "2024-02-01"),
            ("under_action", "2024-03-01"),
            ("eliminated", "2024-05-31"),
            ("monitoring", "2024-06-01"),
        ] {
            let (s, body) = kt.post_json(&format!("/api/v1/sites/{id}/transitions"), &step(to, on)).await;
            assert_eq!(s, 200, "{to}: {body}");
            assert_eq!(body["state"], to);
        }
        let (_, got) = kt.get_json(&format!("/api/v1/sites/{id}")).await;
        assert_eq!(got["timeline"].as_array().unwrap().len(), 5);
        assert_eq!(got["checks"].as_array().unwrap().len(), 12);
        assert_eq!(got["allowed_next"], json!(["closed", "reformed"]));

        // Due checks (long overdue by now), then a check with activity re-forms the site.
        let (_, due) = kt.get_json("/api/v1/sites/checks/due").await;
        assert_eq!(due["items"].as_array().unwrap().len(), 12);
        assert_eq!(due["items"][0]["overdue"], true);
        assert_eq!(ct.get_json("/api/v1/sites/checks/due").await.1["items"], json!([]));
        let (_, overdue) = kt.get_json("/api/v1/sites?overdue=true").await;
        assert_eq!(overdue["total"], 1);

        let (s, body) = kt
            .post_json(
                &format!("/api/v1/sites/{id}/checks"),
                &json!({"outcome": "no_activity", "on": "2024-07-01"}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["site"]["state"], "monitoring");
        let (s, body) = kt
            .post_json(
                &format!("/api/v1/sites/{id}/checks"),
                &json!({"outcome": "activity", "on": "2024-08-02", "note": "tụ tập trở lại"}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["site"]["state"], "reformed");
        assert_eq!(body["site"]["allowed_next"], json!(["listed"]));
        let (_, due) = kt.get_json("/api/v1/sites/checks/due").await;
        assert_eq!(due["items"], json!([]));
        let (s, _) = kt
            .post_json(
                &format!("/api/v1/sites/{id}/checks"),
                &json!({"outcome": "no_activity", "on": "2024-08-03"}),
            )
            .await;
        assert_eq!(s, 422, "a re-formed site is not under monitoring");
        let (s, _) = kt.post_json(&format!("/api/v1/sites/{id}/checks"), &json!({"outcome": "maybe"})).await;
        assert_eq!(s, 422);

        // Every change is in the audit log, chained.
        let report = diaban_store::audit::verify(app.db()).await.unwrap();
        assert!(report.first_problem.is_none());
        let (entries, _) = diaban_store::audit::search(
            app.db(),
            &diaban_store::audit::AuditFilter {
                action_prefix: Some("site.".into()),
                target_id: Some(id.to_string()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(entries.len(), 7, "create, 4 transitions, 2 checks");
        app.stop().await;
    }
}

#[tokio::test]
async fn import_is_all_or_nothing_and_names_bad_rows() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let post_csv = |body: &'static str| {
            pc04.client
                .post(pc04.url("/api/v1/sites/import"))
                .header("x-csrf-token", &pc04.csrf)
                .header("content-type", "text/csv")
                .body(body)
                .send()
        };
        let bad = "kind,name,unit,lat,lon,on\n\
                   point,Điểm 1,23293,14.355,108.014,2024-03-01\n\
                   cluster,Điểm 2,99999,14.36,108.02,2024-03-01\n\
                   point,Điểm 3,23293,200,108.02,2024-03-01\n\
                   point,Điểm 4,23281,14.36,108.0,2024-03-01\n";
        let r = post_csv(bad).await.unwrap();
        assert_eq!(r.status().as_u16(), 422, "{}", app.engine);
        let err: serde_json::Value = r.json().await.unwrap();
        let msg = err["error"]["message"].as_str().unwrap();
        assert!(msg.contains("2 bad row(s)"), "{msg}");
        assert!(msg.contains("line 3: unit") && msg.contains("99999"), "{msg}");
        assert!(msg.contains("line 4: lat"), "{msg}");
        assert!(!msg.contains("line 2") && !msg.contains("line 5"), "{msg}");
        assert_eq!(pc04.get_json("/api/v1/sites").await.1["total"], 0, "nothing half-written");

        let r =
            post_csv("kind,name,unit,lat,lon,on\nsomething,X,23293,14.3,108.0,2024-01-01\n").await.unwrap();
        assert_eq!(r.status().as_u16(), 422);
        let r = post_csv("kind,name,colour\npoint,X,red\n").await.unwrap();
        assert_eq!(r.status().as_u16(), 422);

        let good = "kind,hot_spot,name,unit,lat,lon,state,on\n\
                    point,false,Điểm 1,23293,14.355,108.014,reported,2024-03-01\n\
                    cluster,true,Điểm 4,23281,14.36,108.0,listed,2024-03-01\n";
        let r = post_csv(good).await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["imported"], 2);
        let (_, list) = pc04.get_json("/api/v1/sites?hot_spot=true&state=listed").await;
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["unit"]["code"], "23281");
        app.stop().await;
    }
}
