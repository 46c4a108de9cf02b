//! Operations part B through the real server on every engine: anonymous tips (public
//! page and API, the throttle, the follow-up code, markup shown as text, triage), the
//! escalation flow with notifications, and conditional businesses with the due list and
//! exports.

mod common;
mod support;

use common::TestApp;
use diaban_domain::access::Role;
use diaban_web::WebConfig;
use serde_json::json;
use support::{audit_entries, browser, csrf_field};

/// Phường Kon Tum, a commune of Quảng Ngãi (51).
const COMMUNE_A: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const COMMUNE_B: &str = "21025";

const SCRIPT: &str = "<script>alert('x')</script>";

#[tokio::test]
async fn a_citizen_sends_a_tip_without_signing_in_and_follows_it_up() {
    for app in TestApp::all().await {
        // The province must have an account for its communes to be offered.
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let client = browser();
        let r = client.get(app.url("/tip")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{}", app.engine);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("value=\"{COMMUNE_A}\"")), "the commune is offered");
        let csrf = csrf_field(&html);
        // Without the CSRF token the form is refused.
        let r =
            client.post(app.url("/tip")).form(&[("unit", COMMUNE_A), ("text", "x")]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let text = format!("Bán ma túy ban đêm {SCRIPT}");
        let r = client
            .post(app.url("/tip"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("unit", COMMUNE_A),
                ("lat", "14.3550"),
                ("lon", "108.0140"),
                ("address", "Hẻm 12 <b>đường</b> Trần Phú"),
                ("text", text.as_str()),
                ("follow_up", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{}", app.engine);
        let page = r.text().await.unwrap();
        let marker = "id=\"follow-up-code\">";
        let start = page.find(marker).expect("the code is shown") + marker.len();
        let code = page[start..start + 14].to_owned();
        assert_eq!(code.len(), 14, "{code}");
        // Nothing about the sender: the audit entry has no address and no account.
        let created = audit_entries(&app, "tip.create").await;
        assert_eq!(created.len(), 1);
        assert_eq!((created[0].actor.as_str(), created[0].ip.as_str()), ("anonymous", ""));
        // The code shows the status, typed however.
        let r = client
            .post(app.url("/tip/status"))
            .form(&[("csrf_token", csrf.as_str()), ("code", code.to_lowercase().replace('-', " ").as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await.unwrap().contains("badge--new"));
        let r = client
            .post(app.url("/tip/status"))
            .form(&[("csrf_token", csrf.as_str()), ("code", "2222-2222-2222")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404);
        // The officer of the commune sees it, with the markup shown as text.
        let (s, q) = officer.get_json("/api/v1/tips?status=new").await;
        assert_eq!(s, 200, "{q}");
        let id = q["items"][0]["id"].as_i64().expect("a tip in the queue");
        let r = officer.get(&format!("/tips/{id}")).await;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await.unwrap();
        assert!(!html.contains(SCRIPT), "{}: the script is not in the page as markup", app.engine);
        assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"), "escaped");
        assert!(!html.contains("<b>đường</b>"));
        // The other commune does not.
        let other = app.login_as(Role::CommuneOfficer, COMMUNE_B).await;
        assert_eq!(other.get(&format!("/api/v1/tips/{id}")).await.status().as_u16(), 404);
        // Triage: accepted into an incident with a new site.
        let (s, v) = officer
            .post_json(
                &format!("/api/v1/tips/{id}/triage"),
                &json!({"decision": "accept", "site": "new", "site_kind": "point", "site_name": "Hẻm 12"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert!(v["incident_id"].as_i64().is_some() && v["site_id"].as_i64().is_some(), "{v}");
        let (s, _) = officer
            .post_json(&format!("/api/v1/tips/{id}/triage"), &json!({"decision": "dismiss", "reason": "x"}))
            .await;
        assert_eq!(s, 409, "once only");
        let (s, inc) = officer.get_json("/api/v1/incidents?kind=tip").await;
        assert_eq!((s, inc["total"].as_i64()), (200, Some(1)));
        let (s, f) = app_post_json(&app, "/api/v1/tips/status", &json!({"code": code})).await;
        assert_eq!((s, f["status"].as_str()), (200, Some("accepted")));
        assert_eq!(audit_entries(&app, "tip.accept").await.len(), 1);
        app.stop().await;
    }
}

async fn app_post_json(app: &TestApp, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let r = support::bare().post(app.url(path)).json(body).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn the_tip_after_the_limit_within_the_window_gets_429_with_a_friendly_message() {
    let config = WebConfig { tip_limit: 3, tip_window_minutes: 60, ..WebConfig::default() };
    for app in TestApp::all_with(config).await {
        app.create_user(Role::ProvinceOfficer, "51").await;
        let tip = json!({"unit": COMMUNE_A, "text": "Có người tụ tập sử dụng ma túy"});
        for i in 0..3 {
            let (s, v) = app_post_json(&app, "/api/v1/tips", &tip).await;
            assert_eq!(s, 201, "{}: tip {i}: {v}", app.engine);
            assert!(v["follow_up_code"].is_null());
        }
        let (s, v) = app_post_json(&app, "/api/v1/tips", &tip).await;
        assert_eq!(s, 429, "{}: {v}", app.engine);
        assert!(v["error"]["message"].as_str().unwrap_or_default().contains("thử lại sau"), "{v}");
        // Bad fields are named and do not count.
        let (s, v) = app_post_json(&app, "/api/v1/tips", &json!({"unit": "99999", "text": ""})).await;
        assert_eq!(s, 429, "still throttled: {v}");
        // The page answers the same way.
        let client = browser();
        let html = client.get(app.url("/tip")).send().await.unwrap().text().await.unwrap();
        let csrf = csrf_field(&html);
        let r = client
            .post(app.url("/tip"))
            .form(&[("csrf_token", csrf.as_str()), ("unit", COMMUNE_A), ("text", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 429);
        assert!(r.text().await.unwrap().contains("113"));
        app.stop().await;
    }
}

#[tokio::test]
async fn a_bad_tip_is_refused_field_by_field_and_nothing_is_stored() {
    for app in TestApp::all().await {
        app.create_user(Role::ProvinceOfficer, "51").await;
        let (s, v) =
            app_post_json(&app, "/api/v1/tips", &json!({"unit": "00004", "text": "", "lat": 14.3})).await;
        assert_eq!(s, 422, "{v}");
        let m = v["error"]["message"].as_str().unwrap_or_default();
        assert!(m.contains("unit:") && m.contains("text:") && m.contains("lat:"), "{m}");
        assert!(audit_entries(&app, "tip.create").await.is_empty());
        app.stop().await;
    }
}

#[tokio::test]
async fn an_escalation_goes_from_the_commune_to_the_police_and_the_committee() {
    for app in TestApp::all().await {
        let commune = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let police = app.login_as(Role::ProvinceOfficer, "51").await;
        let leader = app.login_as(Role::Leader, "51").await;
        let partner = app.login_as(Role::Partner, "51").await;
        let (s, v) = commune
            .post_json(
                "/api/v1/escalations",
                &json!({"title": format!("Kinh phí {SCRIPT}"), "body": "Thiếu kinh phí"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        // The police are told; the badge shows in the header.
        let (_, n) = police.get_json("/api/v1/notifications").await;
        assert_eq!(n["unread"], 1, "{n}");
        let page = police.get("/escalations").await.text().await.unwrap();
        assert!(page.contains("notif-count"));
        assert!(!page.contains(SCRIPT), "the title is shown as text");
        // A partner sees only its own; the leader cannot act before it is forwarded.
        assert_eq!(partner.get(&format!("/api/v1/escalations/{id}")).await.status().as_u16(), 404);
        let (s, v) = leader
            .post_json(&format!("/api/v1/escalations/{id}/steps"), &json!({"step": "decide", "note": "x"}))
            .await;
        assert_eq!(s, 409, "{v}");
        let (s, v) = commune
            .post_json(&format!("/api/v1/escalations/{id}/steps"), &json!({"step": "forward", "note": "x"}))
            .await;
        assert_eq!(s, 409, "{v}");
        let (s, v) = police
            .post_json(&format!("/api/v1/escalations/{id}/steps"), &json!({"step": "forward", "note": ""}))
            .await;
        assert_eq!(s, 409, "a forward needs a note: {v}");
        let (s, v) = police
            .post_json(
                &format!("/api/v1/escalations/{id}/steps"),
                &json!({"step": "forward", "note": "Vượt thẩm quyền"}),
            )
            .await;
        assert_eq!((s, v["state"].as_str()), (200, Some("at_committee")), "{v}");
        let (_, n) = leader.get_json("/api/v1/notifications").await;
        assert_eq!(n["unread"], 1, "{n}");
        let (s, v) = leader
            .post_json(
                &format!("/api/v1/escalations/{id}/steps"),
                &json!({"step": "decide", "note": "Đồng ý"}),
            )
            .await;
        assert_eq!(
            (s, v["state"].as_str(), v["decision"].as_str()),
            (200, Some("decided"), Some("Đồng ý")),
            "{v}"
        );
        let (_, n) = commune.get_json("/api/v1/notifications").await;
        assert_eq!(n["unread"], 1);
        let (s, v) = commune.post_json("/api/v1/notifications/read", &json!({})).await;
        assert_eq!((s, v["marked"].as_i64()), (200, Some(1)));
        let (_, d) = commune.get_json(&format!("/api/v1/escalations/{id}")).await;
        assert_eq!(d["steps"].as_array().map(Vec::len), Some(3), "{d}");
        assert_eq!(audit_entries(&app, "escalation.").await.len(), 3);
        app.stop().await;
    }
}

#[tokio::test]
async fn businesses_are_recorded_inspected_listed_when_due_and_exported() {
    for app in TestApp::all().await {
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let (s, v) = officer
            .post_json(
                "/api/v1/businesses",
                &json!({"name": format!("Karaoke {SCRIPT}"), "line": "karaoke", "unit": COMMUNE_A, "certificate_no": "12/GCN"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        let (s, v) = officer
            .post_json("/api/v1/businesses", &json!({"name": "X", "line": "casino", "unit": COMMUNE_B}))
            .await;
        assert_eq!(s, 422, "{v}");
        let m = v["error"]["message"].as_str().unwrap_or_default();
        assert!(m.contains("line:") && m.contains("unit:"), "{m}");
        let (_, due) = officer.get_json("/api/v1/businesses?due=1").await;
        assert_eq!(due["total"], 1, "never inspected: due");
        let (s, v) = officer
            .post_json(
                &format!("/api/v1/businesses/{id}/inspections"),
                &json!({"kind": "ad_hoc", "on": "2026-01-05", "violations": "Không niêm yết"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        // An unknown business is refused with a clear message.
        let (s, v) = officer
            .post_json(
                "/api/v1/businesses/999999/inspections",
                &json!({"kind": "planned", "on": "2026-01-05"}),
            )
            .await;
        assert_eq!(s, 404, "{v}");
        assert!(v["error"]["message"].as_str().unwrap_or_default().contains("Không có cơ sở"), "{v}");
        let (_, b) = officer.get_json(&format!("/api/v1/businesses/{id}")).await;
        assert_eq!(b["business"]["last_inspected_on"], "2026-01-05");
        let r = officer.get("/api/v1/businesses/export.csv").await;
        assert_eq!(r.status().as_u16(), 200);
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("id,name,line,certificate_no"), "{csv}");
        assert!(csv.contains("2026-01-05"));
        let r = officer.get("/api/v1/businesses/export.xlsx").await;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.bytes().await.unwrap().starts_with(b"PK"));
        let page = officer.get(&format!("/businesses/{id}")).await.text().await.unwrap();
        assert!(!page.contains(SCRIPT), "{}: the name is shown as text", app.engine);
        // Another commune's officer does not see it.
        let other = app.login_as(Role::CommuneOfficer, COMMUNE_B).await;
        assert_eq!(other.get(&format!("/api/v1/businesses/{id}")).await.status().as_u16(), 404);
        app.stop().await;
    }
}
