//! Plans, targets and tasks through the real server on every engine: the shipped plans in
//! the API and the pages, targets replaced with clear Vietnamese refusals, tasks assigned
//! to a commune and an agency, progress reported by the assignee only, reminders with
//! notifications, the late list for PC04, difficulties as escalations, and CSRF on the
//! forms.

mod common;
mod support;

use common::TestApp;
use diaban_domain::access::Role;
use serde_json::{Value, json};
use support::{audit_entries, csrf_field, user_id};

/// Phường Kon Tum, a commune of Quảng Ngãi (51) that came from legacy Kon Tum.
const COMMUNE_A: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const COMMUNE_B: &str = "21025";

async fn kh3220(app: &TestApp, who: &common::UserClient) -> i64 {
    let (s, v) = who.get_json("/api/v1/plans").await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().iter().find(|p| p["number"] == "3220/KH-UBND").expect("KH 3220")["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{} id", app.engine))
}

/// The national 2030 plan, in force in 2026 (KH 3220 ended on 14/12/2025, so tasks due
/// in 2026 go to the national plan).
async fn national(app: &TestApp, who: &common::UserClient) -> i64 {
    let (s, v) = who.get_json("/api/v1/plans").await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().iter().find(|p| p["number"] == "132-KL/TW").expect("national plan")["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{} id", app.engine))
}

fn message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn plans_and_targets_are_read_by_all_and_edited_by_pc04_with_vietnamese_refusals() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let id = kh3220(&app, &pc04).await;
        let (s, v) = pc04.get_json(&format!("/api/v1/plans/{id}")).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["plan"]["owner_unit_code"], "51");
        assert_eq!(v["plan"]["issuer_unit_code"], "62");
        assert_eq!(v["covered_communes"], 40);
        let targets = v["targets"].as_array().unwrap();
        assert_eq!(targets.len(), 7);
        assert_eq!(targets[1]["indicator"], "t2_hot_spots_eliminated");
        assert_eq!(targets[1]["deadline"], "2025-12-14");
        assert!(targets[1]["status_rule_vi"].as_str().unwrap().contains("≥ 80%"));
        // A task cannot be due after the plan ends (14/12/2025): refused, with the date.
        let (s, v) = pc04
            .post_json(
                &format!("/api/v1/plans/{id}/tasks"),
                &json!({"title": "Rà soát", "unit": "23293", "deadline": "2026-03-31", "frequency": "monthly"}),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        assert!(message(&v).contains("14/12/2025"), "{v}");

        // Hà Nội's officers see the national plan but not KH 3220.
        let hanoi = app.login_as(Role::ProvinceOfficer, "01").await;
        let (_, v) = hanoi.get_json("/api/v1/plans").await;
        assert_eq!(v["total"], 1, "{v}");
        assert_eq!(hanoi.get_json(&format!("/api/v1/plans/{id}")).await.0, 404);

        // Replace the targets; bad input gets a clear Vietnamese message and changes nothing.
        let put = |body: Value| {
            let c = pc04.client.put(pc04.url(&format!("/api/v1/plans/{id}/targets")));
            c.header("x-csrf-token", &pc04.csrf).json(&body).send()
        };
        for (body, words) in [
            (
                json!([{"indicator": "t9_unknown", "comparator": "ge", "value": "1"}]),
                "Không có chỉ tiêu «t9_unknown»",
            ),
            (
                json!([{"indicator": "t2_hot_spots_eliminated", "comparator": "ge", "value": "80", "deadline": "2023-01-01"}]),
                "trước ngày ban hành",
            ),
            (json!([{"indicator": "t3_areas_transformed", "comparator": "ge", "value": "160"}]), "0–100%"),
        ] {
            let r = put(body).await.unwrap();
            assert_eq!(r.status().as_u16(), 422, "{}", app.engine);
            let v: Value = r.json().await.unwrap();
            assert!(message(&v).contains(words), "{v}");
        }
        let r = put(json!({"targets": [
            {"indicator": "t1_sites_change", "comparator": "≤", "value": "-10"},
            {"indicator": "t5_persons_reached", "comparator": "gt", "value": "85", "year": "2025"}
        ]}))
        .await
        .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let (_, v) = pc04.get_json(&format!("/api/v1/plans/{id}/targets")).await;
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!((items[0]["comparator"].as_str(), items[0]["value"].as_f64()), (Some("le"), Some(-10.0)));
        assert_eq!(items[1]["year"], 2025);
        assert_eq!(audit_entries(&app, "plan.targets").await.len(), 1);

        // A commune officer reads but may not edit; a national plan is the admin's.
        let commune = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        assert_eq!(commune.get_json(&format!("/api/v1/plans/{id}")).await.0, 200);
        let r = commune
            .client
            .put(commune.url(&format!("/api/v1/plans/{id}/targets")))
            .header("x-csrf-token", &commune.csrf)
            .json(&json!([]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let (_, all) = pc04.get_json("/api/v1/plans").await;
        let national =
            all["items"].as_array().unwrap().iter().find(|p| p["owner_unit_code"].is_null()).unwrap()["id"]
                .as_i64()
                .unwrap();
        let r = pc04
            .client
            .put(pc04.url(&format!("/api/v1/plans/{national}/targets")))
            .header("x-csrf-token", &pc04.csrf)
            .json(&json!([]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);

        // The pages: the list, the plan with its targets (rule on hover) and edit form.
        let html = pc04.get("/plans").await.text().await.unwrap();
        assert!(html.contains("3220/KH-UBND") && html.contains("Kế hoạch"), "plans page");
        let html = pc04.get(&format!("/plans/{id}")).await.text().await.unwrap();
        assert!(html.contains("id=\"targets-form\"") && html.contains("<abbr title=\"Đạt nếu giá trị"));
        // The form saves targets (CSRF required), and a bad row is shown, not saved.
        let form = [
            ("indicator", "t4_areas_not_relapsed"),
            ("comparator", "ge"),
            ("value", "85"),
            ("year", ""),
            ("deadline", ""),
            ("note", "T4"),
        ];
        let r = pc04.client.post(pc04.url(&format!("/plans/{id}/targets"))).form(&form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "no CSRF token");
        let r = pc04.post_form(&format!("/plans/{id}/targets"), &form).await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, v) = pc04.get_json(&format!("/api/v1/plans/{id}/targets")).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        let bad = [("indicator", "t4_areas_not_relapsed"), ("comparator", "ge"), ("value", "abc")];
        let r = pc04.post_form(&format!("/plans/{id}/targets"), &bad).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("Giá trị mục tiêu phải là một số"));
        app.stop().await;
    }
}

#[tokio::test]
async fn tasks_are_reported_by_their_assignee_reminded_and_listed_late_for_pc04() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let id = national(&app, &pc04).await;
        let commune_a = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let commune_b = app.login_as(Role::CommuneOfficer, COMMUNE_B).await;
        let partner = app.login_as(Role::Partner, "51").await;
        let partner_id = user_id(&app, &partner.username).await;
        let other_partner = app.login_as(Role::Partner, "51").await;

        // Assign: a commune's task, and an agency's with its partner account.
        let (s, v) = pc04
            .post_json(
                &format!("/api/v1/plans/{id}/tasks"),
                &json!({"title": "Rà soát điểm, tụ điểm", "unit": COMMUNE_A, "deadline": "2026-12-31", "frequency": "monthly"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let task_a = v["id"].as_i64().unwrap();
        let (s, v) = pc04
            .post_json(
                &format!("/api/v1/plans/{id}/tasks"),
                &json!({"title": "Điều trị methadone", "agency": "Sở Y tế", "partner": partner_id.to_string(),
                        "deadline": "2026-01-31", "assigned_on": "2026-01-05"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let task_p = v["id"].as_i64().unwrap();
        // Bad tasks: a deadline before the plan's issue; a commune of another province.
        let (s, v) = pc04
            .post_json(
                &format!("/api/v1/plans/{id}/tasks"),
                &json!({"title": "x", "unit": COMMUNE_A, "deadline": "2023-01-01"}),
            )
            .await;
        assert_eq!(s, 422);
        assert!(message(&v).contains("trước ngày ban hành"), "{v}");
        let (s, v) = pc04
            .post_json(
                &format!("/api/v1/plans/{id}/tasks"),
                &json!({"title": "x", "unit": "00004", "deadline": "2026-12-31"}),
            )
            .await;
        assert_eq!(s, 422);
        assert!(message(&v).contains("trong tỉnh"), "{v}");
        // Only PC04 assigns.
        let (s, _) = commune_a
            .post_json(
                &format!("/api/v1/plans/{id}/tasks"),
                &json!({"title": "x", "unit": COMMUNE_A, "deadline": "2026-12-31"}),
            )
            .await;
        assert_eq!(s, 403);

        // Who sees which task.
        let count = |v: &Value| v["total"].as_i64().unwrap();
        assert_eq!(count(&pc04.get_json(&format!("/api/v1/plans/{id}/tasks")).await.1), 2);
        assert_eq!(count(&commune_a.get_json(&format!("/api/v1/plans/{id}/tasks")).await.1), 1);
        assert_eq!(count(&commune_b.get_json(&format!("/api/v1/plans/{id}/tasks")).await.1), 0);
        assert_eq!(count(&partner.get_json(&format!("/api/v1/plans/{id}/tasks")).await.1), 1);
        assert_eq!(count(&other_partner.get_json(&format!("/api/v1/plans/{id}/tasks")).await.1), 0);
        assert_eq!(commune_b.get_json(&format!("/api/v1/tasks/{task_a}")).await.0, 404);
        assert_eq!(other_partner.get_json(&format!("/api/v1/tasks/{task_p}")).await.0, 404);

        // Reports: by the assignee only, with the checks.
        let report = |body: Value| body;
        let (s, _) = commune_b
            .post_json(
                &format!("/api/v1/tasks/{task_a}/reports"),
                &report(json!({"percent": "10", "body": "x"})),
            )
            .await;
        assert_eq!(s, 404, "another commune's task");
        let (s, v) = commune_a
            .post_json(&format!("/api/v1/tasks/{task_a}/reports"), &json!({"percent": "120", "body": "x"}))
            .await;
        assert_eq!(s, 422);
        assert!(message(&v).contains("Tiến độ phải từ 0 đến 100%"), "{v}");
        let (s, v) = commune_a
            .post_json(
                &format!("/api/v1/tasks/{task_a}/reports"),
                &json!({"percent": "10", "body": "x", "on_date": "2099-01-01"}),
            )
            .await;
        assert_eq!(s, 422);
        assert!(message(&v).contains("không được sau ngày hôm nay"), "{v}");
        let (s, v) = commune_a
            .post_json(
                &format!("/api/v1/tasks/{task_a}/reports"),
                &json!({"percent": "35", "body": "Đã rà soát 3 thôn"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let (_, v) = pc04.get_json(&format!("/api/v1/tasks/{task_a}")).await;
        assert_eq!(v["task"]["last_percent"], 35);
        assert_eq!(v["reports"][0]["body"], "Đã rà soát 3 thôn");
        assert_eq!(audit_entries(&app, "plan_task.report").await.len(), 1);

        // The late list: the agency's task is past its deadline; PC04 only.
        let (s, v) = pc04.get_json("/api/v1/tasks/late").await;
        assert_eq!(s, 200);
        let late: Vec<i64> =
            v["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
        assert_eq!(late, vec![task_p], "{v}");
        assert_eq!(v["items"][0]["late"], "deadline_passed");
        assert_eq!(commune_a.get_json("/api/v1/tasks/late").await.0, 403);
        let html = pc04.get("/tasks/late").await.text().await.unwrap();
        assert!(
            html.contains("Nhiệm vụ trễ hạn")
                && html.contains("Điều trị methadone")
                && html.contains("Quá hạn hoàn thành")
        );

        // A reminder notifies the partner; only PC04 sends one.
        let (s, _) = commune_a
            .post_json(
                &format!("/api/v1/tasks/{task_a}/supervision"),
                &json!({"kind": "reminder", "body": "x"}),
            )
            .await;
        assert_eq!(s, 403);
        let (s, v) = pc04
            .post_json(
                &format!("/api/v1/tasks/{task_p}/supervision"),
                &json!({"kind": "reminder", "body": "Đề nghị báo cáo"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let html = partner.get("/notifications").await.text().await.unwrap();
        assert!(
            html.contains("Công an tỉnh đôn đốc thực hiện nhiệm vụ")
                && html.contains(&format!("/tasks/{task_p}"))
        );
        let (s, _) = pc04
            .post_json(
                &format!("/api/v1/tasks/{task_p}/supervision"),
                &json!({"kind": "inspection", "body": "Đã kiểm tra"}),
            )
            .await;
        assert_eq!(s, 201);

        // A difficulty becomes an escalation at the provincial police, linked to the task.
        let (s, v) = partner
            .post_json(
                &format!("/api/v1/tasks/{task_p}/difficulties"),
                &json!({"title": "Thiếu thuốc", "body": "Đề nghị bổ sung"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let eid = v["id"].as_i64().unwrap();
        let (_, e) = pc04.get_json(&format!("/api/v1/escalations/{eid}")).await;
        assert_eq!(
            (e["escalation"]["source_type"].as_str(), e["escalation"]["source_ref"].as_str()),
            (Some("plan_task"), Some(task_p.to_string().as_str()))
        );
        let (_, t) = partner.get_json(&format!("/api/v1/tasks/{task_p}")).await;
        assert_eq!(t["escalations"][0]["id"], eid);
        assert_eq!(t["supervision"].as_array().unwrap().len(), 2);

        // Done: off the late list.
        let (s, v) =
            pc04.post_json(&format!("/api/v1/tasks/{task_p}/state"), &json!({"state": "done"})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(pc04.get_json("/api/v1/tasks/late").await.1["total"], 0);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_commune_officer_reports_progress_on_the_page_with_csrf() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let id = national(&app, &pc04).await;
        // PC04 assigns through the page.
        let r = pc04
            .post_form(
                &format!("/plans/{id}/tasks"),
                &[
                    ("title", "Tuyên truyền tại trường học"),
                    ("unit", COMMUNE_A),
                    ("deadline", "2026-12-31"),
                    ("frequency", "quarterly"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let to = support::location(&r);
        assert!(to.starts_with("/tasks/"), "{to}");
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let html = officer.get(&to).await.text().await.unwrap();
        assert!(html.contains("id=\"report-form\"") && !html.contains("id=\"supervision-form\""));
        assert!(html.contains("id=\"difficulty-form\""));
        let csrf = csrf_field(&html);
        assert!(!csrf.is_empty());
        // Without the token: refused.
        let path = format!("{to}/reports");
        let r = officer
            .client
            .post(officer.url(&path))
            .form(&[("percent", "50"), ("body", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        // A bad percent shows the message on the page.
        let r = officer.post_form(&path, &[("percent", "150"), ("body", "Đã làm")]).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("Tiến độ phải từ 0 đến 100%"));
        let r = officer.post_form(&path, &[("percent", "50"), ("body", "Đã tổ chức 2 buổi")]).await;
        assert_eq!(r.status().as_u16(), 303);
        let html = officer.get(&to).await.text().await.unwrap();
        assert!(html.contains("Đã tổ chức 2 buổi") && html.contains("50%"));
        // A leader reads but has no report form; an auditor cannot open it.
        let leader = app.login_as(Role::Leader, "51").await;
        let r = leader.get(&to).await;
        assert_eq!(r.status().as_u16(), 200);
        assert!(!r.text().await.unwrap().contains("id=\"report-form\""));
        assert_eq!(leader.post_form(&path, &[("percent", "60"), ("body", "x")]).await.status().as_u16(), 403);
        let auditor = app.login_as(Role::Auditor, "51").await;
        assert_eq!(auditor.get(&to).await.status().as_u16(), 403);
        app.stop().await;
    }
}
