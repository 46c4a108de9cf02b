//! The transformation programme and the key routes through the API and the pages, on
//! every available engine: the whole programme of one area, refusals with their reasons
//! and nothing written, scope and roles, T3/T4 from the stored history, exports, the
//! versioned checklist, and a route feeding classification criterion (đ).

mod common;

use common::{TestApp, UserClient};
use diaban_domain::access::Role;
use serde_json::{Value, json};

/// Phường Kon Tum (former Kon Tum province, now Quảng Ngãi).
const KON_TUM: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const CAM_THANH: &str = "21025";
/// Phường Hải Châu, Đà Nẵng: another province.
const HAI_CHAU: &str = "20242";

fn message(b: &Value) -> String {
    b["error"]["message"].as_str().unwrap_or_default().to_owned()
}

async fn put_json(u: &UserClient, path: &str, body: &Value) -> (u16, Value) {
    let r =
        u.client.put(u.url(path)).header("x-csrf-token", &u.csrf).json(body).send().await.expect("request");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn selection(decision_date: &str) -> Value {
    json!({"unit": KON_TUM, "name": "Tổ 3, phường Kon Tum", "part": "Tổ 3",
           "decision_number": "125/QĐ-UBND", "decision_date": decision_date,
           "decision_signer": "Phó Chủ tịch UBND tỉnh"})
}

fn all_required(met: bool) -> Value {
    let list = diaban_domain::area::Checklist::example_vi();
    let answers: Vec<Value> = list
        .items
        .iter()
        .filter(|i| i.required)
        .map(|i| json!({"code": i.code, "met": met, "note": "biên bản"}))
        .collect();
    json!(answers)
}

#[tokio::test]
async fn an_area_goes_through_the_programme_through_the_api() {
    for app in TestApp::all().await {
        let e = app.engine;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let other = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let leader = app.login_as(Role::Leader, "51").await;
        let partner = app.login_as(Role::Partner, "51").await;

        // Selection is the province's decision; dates outside the programme are refused.
        let (s, _) = kt.post_json("/api/v1/areas", &selection("2024-01-10")).await;
        assert_eq!(s, 403, "{e}");
        let (s, b) = pc04.post_json("/api/v1/areas", &selection("2023-01-10")).await;
        assert_eq!(s, 422, "{e} {b}");
        assert!(message(&b).contains("ngoài thời gian"), "{b}");
        let (s, b) = pc04.post_json("/api/v1/areas", &selection("2099-01-10")).await;
        assert_eq!(s, 422, "{b}");
        let mut missing = selection("2024-01-10");
        missing["decision_signer"] = json!("");
        let (s, b) = pc04.post_json("/api/v1/areas", &missing).await;
        assert_eq!(s, 422);
        assert!(message(&b).contains("decision_signer"), "{b}");
        let (_, list) = pc04.get_json("/api/v1/areas").await;
        assert_eq!(list["total"], 0, "nothing written: {list}");
        let (s, b) = pc04.post_json("/api/v1/areas", &selection("2024-01-10")).await;
        assert_eq!(s, 201, "{e} {b}");
        let id = b["id"].as_i64().unwrap();
        let base = format!("/api/v1/areas/{id}");

        // A step from the wrong state says which steps are allowed.
        let (s, b) = kt.post_json(&format!("{base}/start"), &json!({"on": "2024-02-01"})).await;
        assert_eq!(s, 422);
        assert!(message(&b).contains("Đã có kế hoạch"), "{b}");
        // The commune carries out the plan.
        let plan = json!({"starts_on": "2024-01-15", "ends_on": "2024-12-15", "measures": [
            {"measure": "Triệt xóa điểm bán lẻ", "unit": "Công an phường", "person": "Trưởng Công an phường"},
            {"measure": "Tuyên truyền tại tổ dân phố", "unit": "UBND phường", "person": ""}]});
        let (s, b) = kt.post_json(&format!("{base}/plan"), &plan).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["state"], "planned");
        assert_eq!(b["plans"][0]["measures"].as_array().unwrap().len(), 2);
        let (s, _) = kt.post_json(&format!("{base}/start"), &json!({"on": "2024-01-15"})).await;
        assert_eq!(s, 200);
        let (s, _) = kt
            .post_json(
                &format!("{base}/progress"),
                &json!({"on": "2024-06-01", "text": "Đã triệt xóa 1 điểm"}),
            )
            .await;
        assert_eq!(s, 200);
        // Another commune's officer does not see it; the leader reads but does not decide.
        assert_eq!(other.get_json(&base).await.0, 404);
        assert_eq!(other.post_json(&format!("{base}/progress"), &json!({"text": "x"})).await.0, 404);
        assert_eq!(partner.get_json("/api/v1/areas").await.0, 403);
        assert_eq!(leader.get_json(&base).await.0, 200);

        // Evaluation: an item that does not exist is refused by name.
        let mut answers = all_required(true);
        answers.as_array_mut().unwrap().push(json!({"code": "khong_co", "met": true}));
        let body = json!({"on": "2024-12-10", "evaluator": "Hội đồng tỉnh", "answers": answers});
        let (s, b) = pc04.post_json(&format!("{base}/evaluations"), &body).await;
        assert_eq!(s, 422);
        assert!(message(&b).contains("khong_co"), "{b}");
        let body = json!({"on": "2024-12-10", "evaluator": "Hội đồng tỉnh", "answers": all_required(true)});
        let (s, b) = pc04.post_json(&format!("{base}/evaluations"), &body).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["evaluations"][0]["passed"], true);
        let decision =
            json!({"outcome": "transformed", "on": "2024-12-20", "decision_number": "301/QĐ-UBND"});
        assert_eq!(leader.post_json(&format!("{base}/decision"), &decision).await.0, 403);
        let (s, b) = pc04.post_json(&format!("{base}/decision"), &decision).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["state"], "monitoring");

        // Monitoring: a review, then a relapse within the window (with its reasons).
        let (s, _) = kt
            .post_json(
                &format!("{base}/reviews"),
                &json!({"on": "2025-03-20", "text": "Ổn định", "warning_signs": false}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, m) = pc04.get_json("/api/v1/areas/monitoring").await;
        assert_eq!(m["items"][0]["reviews_done"], 1, "{m}");
        assert_eq!(m["items"][0]["next_review_due"], "2025-06-20");
        let (s, b) =
            pc04.post_json(&format!("{base}/relapse"), &json!({"on": "2025-06-01", "text": ""})).await;
        assert_eq!(s, 422);
        assert!(message(&b).contains("lý do"), "{b}");
        let (s, b) = pc04
            .post_json(&format!("{base}/relapse"), &json!({"on": "2025-06-01", "text": "Phát hiện điểm mới"}))
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["state"], "relapsed");
        let states: Vec<&str> =
            b["timeline"].as_array().unwrap().iter().map(|t| t["to_state"].as_str().unwrap()).collect();
        assert_eq!(
            states,
            ["selected", "planned", "in_progress", "evaluated", "transformed", "monitoring", "relapsed"]
        );

        // T3 = 1/1; T4 = 0/1: relapsed within the window, which ended on 20/12/2025.
        let (_, f) = leader.get_json("/api/v1/areas/figures?at=2026-01-31").await;
        assert_eq!((f["selected"].as_i64(), f["transformed"].as_i64()), (Some(1), Some(1)), "{f}");
        assert_eq!((f["t3"].as_f64(), f["t4"].as_f64()), (Some(1.0), Some(0.0)), "{f}");
        // T4 is over the areas transformed (DOMAIN.md §1): before its window ends the area
        // is not yet a success, so 0/1 (it used to have no value, over windows ended).
        let (_, f) = leader.get_json("/api/v1/areas/figures?at=2025-01-31").await;
        assert_eq!(f["t4"].as_f64(), Some(0.0), "no window ended yet: {f}");
        let (s, _) = leader.get_json("/api/v1/areas/figures?at=31-31-2025").await;
        assert_eq!(s, 400);

        // Exports, audited.
        let r = leader.get("/api/v1/areas/export.csv").await;
        assert_eq!(r.status().as_u16(), 200);
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("id,unit_code,unit_name,name,part,decision_number"), "{csv}");
        assert!(
            csv.contains(&format!(
                "{id},{KON_TUM},Phường Kon Tum,\"Tổ 3, phường Kon Tum\",Tổ 3,125/QĐ-UBND,2024-01-10"
            )),
            "{csv}"
        );
        let r = leader.get("/api/v1/areas/export.xlsx").await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
        let f = diaban_store::audit::AuditFilter {
            action_prefix: Some("area.".into()),
            limit: 100,
            ..Default::default()
        };
        let (log, _) = diaban_store::audit::search(app.db(), &f).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        for a in [
            "area.select",
            "area.plan",
            "area.evaluate",
            "area.decide",
            "area.review",
            "area.relapse",
            "area.export",
        ] {
            assert!(actions.contains(&a), "{a} not in {actions:?}");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn routes_cross_provinces_and_feed_criterion_dd() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let route = json!({"name": "Quốc lộ 14 thử", "mode": "road", "valid_from": "2025-01-01",
                           "units": [KON_TUM, HAI_CHAU]});
        assert_eq!(kt.post_json("/api/v1/routes", &route).await.0, 403);
        for (bad, field) in [
            (json!({"units": [KON_TUM, "99999"]}), "99999"),
            (json!({"units": [KON_TUM]}), "units"),
            (json!({"units": [KON_TUM, KON_TUM]}), KON_TUM),
            (json!({"mode": "bus"}), "mode"),
            (json!({"valid_to": "2024-01-01"}), "valid_to"),
        ] {
            let mut body = route.clone();
            for (k, v) in bad.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (s, b) = pc04.post_json("/api/v1/routes", &body).await;
            assert_eq!(s, 422, "{body}: {b}");
            assert!(message(&b).contains(field), "{field}: {b}");
        }
        // A route that does not touch the scope cannot be recorded from it.
        let mut outside = route.clone();
        outside["units"] = json!([HAI_CHAU, "20194"]);
        assert_eq!(pc04.post_json("/api/v1/routes", &outside).await.0, 422);
        let (s, b) = pc04.post_json("/api/v1/routes", &route).await;
        assert_eq!(s, 201, "{b}");
        let id = b["id"].as_i64().unwrap();
        let (_, r) = kt.get_json(&format!("/api/v1/routes/{id}")).await;
        assert_eq!(r["units"].as_array().unwrap().len(), 2, "{r}");
        assert_eq!(r["units"][1]["province"], "Thành phố Đà Nẵng", "{r}");
        // Criterion (đ) for 2025 comes from the registry.
        let (_, d) = kt.get_json(&format!("/api/v1/classifications/{KON_TUM}/2025")).await;
        let dd =
            d["inputs"].as_array().unwrap().iter().find(|i| i["field"] == "on_key_route").unwrap().clone();
        assert_eq!((dd["source"].as_str(), dd["value"].as_f64()), (Some("registry"), Some(1.0)), "{d}");
        // Moving it elsewhere in the province changes the count.
        let mut moved = route.clone();
        moved["units"] = json!([CAM_THANH, HAI_CHAU]);
        let (s, b) = put_json(&pc04, &format!("/api/v1/routes/{id}"), &moved).await;
        assert_eq!(s, 200, "{b}");
        let (_, d) = kt.get_json(&format!("/api/v1/classifications/{KON_TUM}/2025")).await;
        let dd =
            d["inputs"].as_array().unwrap().iter().find(|i| i["field"] == "on_key_route").unwrap().clone();
        assert_eq!(dd["value"].as_f64(), Some(0.0), "{d}");
        assert_eq!(kt.get_json(&format!("/api/v1/routes/{id}")).await.0, 404);
        // Pages and exports.
        let html = pc04.get("/routes").await.text().await.unwrap();
        assert!(html.contains("Quốc lộ 14 thử") && html.contains("Phường Hải Châu"), "{html}");
        let csv = pc04.get("/api/v1/routes/export.csv").await.text().await.unwrap();
        assert!(csv.contains(&format!("{CAM_THANH} {HAI_CHAU}")), "{csv}");
        let r = pc04
            .post_form(
                "/routes/new",
                &[("name", ""), ("mode", "road"), ("valid_from", "2025-01-01"), ("units", "21025 99999")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("99999") && html.contains("Trường này là bắt buộc"), "{html}");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_pages_carry_an_area_through_and_the_checklist_is_versioned() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let admin = app.login_as(Role::Admin, "51").await;
        // A selection with missing fields names them and writes nothing.
        let r = pc04.post_form("/areas/new", &[("unit", KON_TUM), ("name", "")]).await;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("field-error"), "{html}");
        let r = pc04
            .post_form(
                "/areas/new",
                &[
                    ("unit", KON_TUM),
                    ("name", "Phường Kon Tum <script>alert(1)</script>"),
                    ("decision_number", "12/QĐ"),
                    ("decision_date", "2024-02-01"),
                    ("decision_signer", "Chủ tịch"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let html = pc04.get(&location).await.text().await.unwrap();
        let shown = html.find("alert(1)").map(|i| &html[i.saturating_sub(200)..i + 40]).unwrap_or("");
        assert!(
            html.contains("&#60;script&#62;alert(1)") && !html.contains("<script>alert"),
            "markup shown as text: {shown}"
        );
        assert!(html.contains("plan-form"), "{html}");
        let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
        // The plan form: two rows typed, one left empty.
        let r = pc04
            .post_form(
                &format!("/areas/{id}/plan"),
                &[
                    ("starts_on", "2024-02-01"),
                    ("ends_on", "2024-11-30"),
                    ("measure", "Rà soát đối tượng"),
                    ("unit", "Công an phường"),
                    ("person", "Đồng chí Trưởng"),
                    ("measure", ""),
                    ("unit", ""),
                    ("person", ""),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let r = pc04.post_form(&format!("/areas/{id}/start"), &[("on", "2024-02-01")]).await;
        assert_eq!(r.status().as_u16(), 303);
        // The administrator issues a new checklist: the evaluation form shows it.
        let r = admin
            .post_form(
                "/admin/areas/checklist",
                &[
                    ("code", "no_sites"),
                    ("text", "Không còn điểm"),
                    ("required", "0"),
                    ("code", "extra"),
                    ("text", "Có mô hình"),
                    ("note", "QĐ 9/2025"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let html = pc04.get(&format!("/areas/{id}/evaluate")).await.text().await.unwrap();
        assert!(html.contains("Có mô hình") && html.contains("phiên bản 2"), "{html}");
        // A checklist with no required item is refused on the page.
        let r = admin.post_form("/admin/areas/checklist", &[("code", "a"), ("text", "A")]).await;
        assert_eq!(r.status().as_u16(), 422);
        // Unanswered required item: refused with its code; then answered.
        let r = pc04
            .post_form(&format!("/areas/{id}/evaluate"), &[("on", "2024-11-25"), ("evaluator", "Hội đồng")])
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("no_sites"));
        let r = pc04
            .post_form(
                &format!("/areas/{id}/evaluate"),
                &[
                    ("on", "2024-11-25"),
                    ("evaluator", "Hội đồng"),
                    ("met_no_sites", "yes"),
                    ("met_extra", "no"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let r = pc04
            .post_form(
                &format!("/areas/{id}/decision"),
                &[("outcome", "transformed"), ("on", "2024-11-30"), ("decision_number", "")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422, "a recognition needs its number");
        let r = pc04
            .post_form(
                &format!("/areas/{id}/decision"),
                &[("outcome", "transformed"), ("on", "2024-11-30"), ("decision_number", "55/QĐ")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let html = pc04.get(&format!("/areas/{id}")).await.text().await.unwrap();
        assert!(html.contains("badge--area-monitoring") && html.contains("review-form"), "{html}");
        assert!(html.contains("Có mô hình"), "the evaluation shows the version it answered");
        // Closing before the window ends is refused with the date.
        let r = pc04.post_form(&format!("/areas/{id}/close"), &[("on", "2025-11-29")]).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("30/11/2025"));
        // The list shows the figures and the area in the monitoring table; today the plan
        // in force (the national one) sets no T3, so no verdict is invented; on a day of
        // 2024 KH 3220 judges T3 with its rule.
        let html = pc04.get("/areas").await.text().await.unwrap();
        assert!(
            html.contains("T3")
                && html.contains("monitoring-table")
                && html.contains("không đặt chỉ tiêu này"),
            "{html}"
        );
        let html = pc04.get("/areas?at=2024-12-14").await.text().await.unwrap();
        assert!(html.contains("Đạt nếu giá trị ≥ 60%") && html.contains("3220/KH-UBND"), "{html}");
        // Programme parameters: a review interval longer than the window is refused.
        let r = admin
            .post_form(
                "/admin/areas",
                &[
                    ("monitoring_months", "6"),
                    ("review_interval_months", "9"),
                    ("programme_from", "2023-09-25"),
                    ("programme_to", "2030-12-31"),
                    ("valid_from", "2026-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert_eq!(pc04.get("/admin/areas").await.status().as_u16(), 403);
        app.stop().await;
    }
}
