//! Propaganda activities, cases with seizures and rings through the API and the pages,
//! on every available engine: validation, scope, the partner's own activities, the
//! incidents a case creates, audited reads of typed subjects, exports without
//! identities, and markup shown as text.

mod common;
mod support;

use common::TestApp;
use diaban_domain::access::Role;
use serde_json::json;

/// Phường Kon Tum (a current commune of Quảng Ngãi, centre 14.3545, 108.013).
const KON_TUM: &str = "23293";
/// Phường Cẩm Thành (another commune of Quảng Ngãi).
const CAM_THANH: &str = "21025";

fn activity(on: &str, venue: &str, form: &str, n: u32) -> serde_json::Value {
    json!({"held_on": on, "organiser": "Công an phường", "venue_type": venue, "place": "Trường THPT",
           "form": form, "participants": n, "materials": 50, "topic": "Phòng chống ma túy học đường"})
}

#[tokio::test]
async fn propaganda_is_recorded_scoped_and_partners_keep_their_own() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let partner = app.login_as(Role::Partner, "51").await;

        let (s, body) =
            kt.post_json("/api/v1/propaganda", &activity("2026-03-02", "school", "meeting", 120)).await;
        assert_eq!(s, 201, "{} {body}", app.engine);
        let (s, _) =
            ct.post_json("/api/v1/propaganda", &activity("2026-03-05", "commune", "loudspeaker", 60)).await;
        assert_eq!(s, 201);
        let mut own = activity("2026-03-06", "industrial_zone", "leaflets", 30);
        own["organiser"] = json!("Tên khác bị bỏ qua");
        let (s, body) = partner.post_json("/api/v1/propaganda", &own).await;
        assert_eq!(s, 201, "{body}");

        // Bad input: each refused with the field named.
        for (bad, field) in [
            (activity("2999-01-01", "school", "meeting", 1), "held_on"),
            (activity("2026-03-02", "pub", "meeting", 1), "venue_type"),
            (activity("2026-03-02", "school", "dance", 1), "form"),
            (
                json!({"held_on": "2026-03-02", "organiser": "X", "venue_type": "school", "form": "meeting", "participants": -3}),
                "participants",
            ),
            (
                json!({"held_on": "2026-03-02", "organiser": "X", "venue_type": "school", "form": "meeting", "unit": CAM_THANH}),
                "unit",
            ),
        ] {
            let (s, err) = kt.post_json("/api/v1/propaganda", &bad).await;
            assert_eq!(s, 422, "{bad} -> {err}");
            assert!(err["error"]["message"].as_str().unwrap().contains(field), "{err} should name {field}");
        }

        // Scope: each commune sees its own; the province sees all three.
        assert_eq!(kt.get_json("/api/v1/propaganda").await.1["total"], 1);
        assert_eq!(pc04.get_json("/api/v1/propaganda").await.1["total"], 3);
        // A partner lists its own only, with its account's name as organiser, but sees
        // the totals of its whole scope.
        let (_, mine) = partner.get_json("/api/v1/propaganda").await;
        assert_eq!(mine["total"], 1, "{mine}");
        assert_eq!(mine["items"][0]["organiser"], partner.username.as_str());
        let (_, sum) = partner.get_json("/api/v1/propaganda/summary").await;
        assert_eq!(sum["activities"], 3, "{sum}");
        assert_eq!(sum["participants"], 210);
        let (_, sum) = pc04.get_json("/api/v1/propaganda/summary?venue_type=school").await;
        assert_eq!(sum["activities"], 1);
        assert_eq!(sum["by_form"][0]["key"], "meeting");

        // Exports: CSV with codes, XLSX; a partner's export holds its own rows only.
        let r = pc04.get("/api/v1/propaganda/export.csv").await;
        assert_eq!(r.status().as_u16(), 200);
        let text = r.text().await.unwrap();
        assert!(text.starts_with("id,held_on,unit_code,unit_name,organiser,venue_type"), "{text}");
        assert_eq!(text.lines().count(), 4);
        assert!(text.contains(",school,"));
        let text = partner.get("/api/v1/propaganda/export.csv").await.text().await.unwrap();
        assert_eq!(text.lines().count(), 2);
        let r = pc04.get("/api/v1/propaganda/export.xlsx").await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");

        // Roles.
        let leader = app.login_as(Role::Leader, "51").await;
        assert_eq!(leader.get_json("/api/v1/propaganda").await.1["total"], 3);
        assert_eq!(
            leader.post_json("/api/v1/propaganda", &activity("2026-03-02", "school", "meeting", 1)).await.0,
            403
        );
        for role in [Role::Admin, Role::Auditor] {
            let u = app.login_as(role, "51").await;
            assert_eq!(u.get_json("/api/v1/propaganda").await.0, 403, "{role}");
        }
        // The calendar shows March's activities on their days.
        let page = pc04.get("/propaganda/calendar?month=2026-03").await.text().await.unwrap();
        assert!(page.contains("03/2026"), "calendar title");
        assert_eq!(page.matches("Công an phường").count(), 2, "two police activities in March");
        assert_eq!(pc04.get("/propaganda/calendar?month=2026-13").await.status().as_u16(), 400);
        app.stop().await;
    }
}

fn a_case() -> serde_json::Value {
    json!({
        "reference": "15/2026", "occurred_on": "2026-03-05", "unit": KON_TUM,
        "lat": 14.3550, "lon": 108.0140, "summary": "Bắt quả tang mua bán trái phép chất ma túy",
        "outcome": "criminal", "prosecuted_cases": 1, "defendants": 2,
        "seizures": [
            {"drug": "synthetic", "quantity": 120.5, "unit": "g"},
            {"drug": "synthetic", "quantity": 3000, "unit": "tablet"},
            {"drug": "heroin", "quantity": 2, "unit": "brick"}
        ],
        "subjects": [{"name": "Hà Văn Đối Tượng", "birth_year": 1994, "sex": "male", "role": "trafficker"}]
    })
}

#[tokio::test]
async fn cases_record_seizures_in_their_units_create_incidents_and_hide_identities() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;

        let (s, body) = kt.post_json("/api/v1/cases", &a_case()).await;
        assert_eq!(s, 201, "{} {body}", app.engine);
        let id = body["id"].as_i64().unwrap();
        assert_eq!(body["incidents"].as_array().unwrap().len(), 2, "a seizure and an arrest");
        let (_, inc) = kt.get_json("/api/v1/incidents").await;
        assert_eq!(inc["total"], 2);
        assert_eq!(inc["items"][0]["source"], "case");

        // A unit that does not fit the drug, a case in the future, figures that do not
        // fit the outcome: refused with a clear message, nothing written.
        let mut bad = a_case();
        bad["seizures"] = json!([{"drug": "heroin", "quantity": 5, "unit": "tablet"}]);
        let (s, err) = kt.post_json("/api/v1/cases", &bad).await;
        assert_eq!(s, 422, "{err}");
        let msg = err["error"]["message"].as_str().unwrap();
        assert!(msg.contains("seizures") && msg.contains("Heroin") && msg.contains("viên"), "{msg}");
        let mut bad = a_case();
        bad["occurred_on"] = json!("2999-01-01");
        let (s, err) = kt.post_json("/api/v1/cases", &bad).await;
        assert_eq!(s, 422);
        assert!(err["error"]["message"].as_str().unwrap().contains("occurred_on"), "{err}");
        let mut bad = a_case();
        bad["outcome"] = json!("administrative");
        let (s, err) = kt.post_json("/api/v1/cases", &bad).await;
        assert_eq!(s, 422);
        assert!(err["error"]["message"].as_str().unwrap().contains("outcome"), "{err}");
        let (s, _) = ct.post_json("/api/v1/cases", &a_case()).await;
        assert_eq!(s, 422, "another commune's unit is refused");
        assert_eq!(pc04.get_json("/api/v1/cases").await.1["total"], 1, "nothing half-written");

        // The detail: typed names for roles that read persons (audited), not for others.
        let (s, got) = kt.get_json(&format!("/api/v1/cases/{id}")).await;
        assert_eq!(s, 200);
        assert_eq!(got["subject_list"][0]["name"], "Hà Văn Đối Tượng");
        assert_eq!(got["seizures"][1]["unit"], "tablet");
        let (found, _) = diaban_store::audit::search(
            app.db(),
            &diaban_store::audit::AuditFilter {
                action_prefix: Some("case.subjects.read".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].target_id, id.to_string());
        let leader = app.login_as(Role::Leader, "51").await;
        let (s, got) = leader.get_json(&format!("/api/v1/cases/{id}")).await;
        assert_eq!(s, 200);
        assert!(got["subject_list"][0]["name"].is_null(), "{got}");
        assert!(!got.to_string().contains("Đối Tượng"));
        assert_eq!(ct.get_json(&format!("/api/v1/cases/{id}")).await.0, 404);
        assert_eq!(leader.post_json("/api/v1/cases", &a_case()).await.0, 403);
        let partner = app.login_as(Role::Partner, "51").await;
        assert_eq!(partner.get_json("/api/v1/cases").await.0, 403);

        // Totals and exports carry no identities.
        let (_, sum) = pc04.get_json("/api/v1/cases/summary").await;
        assert_eq!(sum["cases"], 1, "{sum}");
        assert_eq!(sum["defendants"], 2);
        let synthetic =
            sum["seizures"].as_array().unwrap().iter().find(|s| s["drug"] == "synthetic").unwrap();
        assert_eq!(synthetic["grams"], 120.5);
        assert_eq!(synthetic["tablets"], 3000);
        let csv = pc04.get("/api/v1/cases/export.csv").await.text().await.unwrap();
        assert!(csv.starts_with("id,reference,occurred_on,unit_code"), "{csv}");
        assert!(csv.contains("synthetic 3000 tablet"), "{csv}");
        assert!(!csv.contains("Đối Tượng"), "no names in exports");
        let csv = pc04.get("/api/v1/cases/summary.csv").await.text().await.unwrap();
        assert!(csv.contains("seized.synthetic.tablets,Ma túy tổng hợp (viên),3000"), "{csv}");
        let r = pc04.get("/api/v1/cases/export.xlsx").await;
        assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");

        // Rings: create, link the case, dismantle once.
        let (s, body) = pc04.post_json("/api/v1/rings", &json!({"name": "Đường dây biên giới"})).await;
        assert_eq!(s, 201, "{body}");
        let ring = body["id"].as_i64().unwrap();
        let (s, r) = pc04.post_json(&format!("/api/v1/rings/{ring}/cases"), &json!({"case_id": id})).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!((r["cases"].as_i64(), r["subjects"].as_i64()), (Some(1), Some(1)));
        let (s, _) =
            pc04.post_json(&format!("/api/v1/rings/{ring}/dismantle"), &json!({"on": "2026-01-01"})).await;
        assert_eq!(s, 422, "before its first case");
        let (s, r) =
            pc04.post_json(&format!("/api/v1/rings/{ring}/dismantle"), &json!({"on": "2026-04-01"})).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["dismantled_on"], "2026-04-01");
        let (s, _) =
            pc04.post_json(&format!("/api/v1/rings/{ring}/dismantle"), &json!({"on": "2026-04-02"})).await;
        assert_eq!(s, 409);
        let (_, list) = pc04.get_json("/api/v1/rings?dismantled=true").await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert_eq!(kt.get_json(&format!("/api/v1/rings/{ring}")).await.0, 404, "a province ring");
        app.stop().await;
    }
}

#[tokio::test]
async fn forms_record_a_case_and_show_markup_as_text() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let script = "<script>alert(1)</script>";

        // A propaganda activity with markup in every free field.
        let r = kt
            .post_form(
                "/propaganda",
                &[
                    ("held_on", "2026-03-02"),
                    ("organiser", script),
                    ("venue_type", "school"),
                    ("place", script),
                    ("form", "meeting"),
                    ("participants", "40"),
                    ("topic", script),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{}", app.engine);
        let page = kt.get("/propaganda").await.text().await.unwrap();
        assert!(!page.contains(script), "markup is never output as markup");
        assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "it is shown as text");

        // A bad form: shown again with the message, values kept, nothing written.
        let r = kt
            .post_form(
                "/cases",
                &[
                    ("occurred_on", "2026-03-05"),
                    ("summary", script),
                    ("seizure_drug_1", "heroin"),
                    ("seizure_quantity_1", "3"),
                    ("seizure_unit_1", "plant"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Heroin không tính bằng đơn vị «cây»"), "the refusal is explained");
        assert!(!page.contains(script));

        // The same case with a fitting unit, two synthetic lines and a typed subject.
        let r = kt
            .post_form(
                "/cases",
                &[
                    ("occurred_on", "2026-03-05"),
                    ("lat", "14,3551"),
                    ("lon", "108,0141"),
                    ("summary", script),
                    ("outcome", "administrative"),
                    ("persons_handled", "1"),
                    ("seizure_drug_1", "synthetic"),
                    ("seizure_quantity_1", "2,5"),
                    ("seizure_unit_1", "g"),
                    ("seizure_drug_2", "synthetic"),
                    ("seizure_quantity_2", "10"),
                    ("seizure_unit_2", "tablet"),
                    ("seizure_drug_3", "heroin"),
                    ("seizure_quantity_3", ""),
                    ("seizure_unit_3", "g"),
                    ("subject_name_1", script),
                    ("subject_role_1", "user"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("/cases/"), "{to}");
        let page = kt.get(&to).await.text().await.unwrap();
        assert!(!page.contains(script));
        assert_eq!(
            page.matches("&#60;script&#62;").count(),
            3,
            "summary (details and the outcome form) and subject shown as text"
        );
        assert!(
            page.contains("Ma túy tổng hợp: 2,5 gam") && page.contains("Ma túy tổng hợp: 10 viên"),
            "{page}"
        );
        let list = kt.get("/cases").await.text().await.unwrap();
        assert!(list.contains(&to), "the list links the case");
        assert!(!list.contains(script));
        // Rings page and form.
        let r = kt.post_form("/rings", &[("name", script)]).await;
        assert_eq!(r.status().as_u16(), 303);
        let page = kt.get("/rings").await.text().await.unwrap();
        assert!(!page.contains(script) && page.contains("&#60;script&#62;"));
        app.stop().await;
    }
}

#[tokio::test]
async fn the_outcome_of_a_case_is_updated_later_with_the_same_rules_and_audited() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let ct = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let mut pending = a_case();
        pending["outcome"] = json!("pending");
        pending["prosecuted_cases"] = json!(0);
        pending["defendants"] = json!(0);
        let (s, body) = kt.post_json("/api/v1/cases", &pending).await;
        assert_eq!(s, 201, "{} {body}", app.engine);
        let id = body["id"].as_i64().unwrap();
        let put = |who: &common::UserClient, v: serde_json::Value| {
            let req = who
                .client
                .put(who.url(&format!("/api/v1/cases/{id}/outcome")))
                .header("x-csrf-token", &who.csrf)
                .json(&v);
            async move {
                let r = req.send().await.unwrap();
                (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        // Prosecuted without defendants: refused, nothing changed.
        let (s, err) = put(&kt, json!({"outcome": "criminal", "prosecuted_cases": 1, "defendants": 0})).await;
        assert_eq!(s, 422, "{err}");
        let (_, c) = kt.get_json(&format!("/api/v1/cases/{id}")).await;
        assert_eq!(c["outcome"], "pending");
        // Another commune cannot touch it.
        let (s, _) = put(&ct, json!({"outcome": "administrative", "persons_handled": 1})).await;
        assert_eq!(s, 404);
        let (s, c) = put(
            &kt,
            json!({"outcome": "criminal", "prosecuted_cases": 1, "defendants": 2, "reference": "15/2026/KT",
                   "summary": "<b>Khởi tố</b>"}),
        )
        .await;
        assert_eq!(s, 200, "{c}");
        assert_eq!(c["outcome"], "criminal");
        assert_eq!(c["reference"], "15/2026/KT");
        let updates = support::audit_entries(&app, "case.update").await;
        assert_eq!(updates.len(), 1);
        // The page's form: a bad figure is named with 422; markup is shown as text.
        let page = kt.get(&format!("/cases/{id}")).await.text().await.unwrap();
        assert!(page.contains("id=\"outcome-form\""));
        assert!(page.contains("&#60;b&#62;Khởi tố") && !page.contains("<b>Khởi tố"), "markup shown as text");
        let bad = kt
            .post_form(
                &format!("/cases/{id}/outcome"),
                &[("outcome", "administrative"), ("persons_handled", "0")],
            )
            .await;
        assert_eq!(bad.status().as_u16(), 422);
        let ok = kt
            .post_form(
                &format!("/cases/{id}/outcome"),
                &[("outcome", "administrative"), ("persons_handled", "3")],
            )
            .await;
        assert_eq!(ok.status().as_u16(), 303);
        let (_, c) = kt.get_json(&format!("/api/v1/cases/{id}")).await;
        assert_eq!(c["outcome"], "administrative");
        assert_eq!(support::audit_entries(&app, "case.update").await.len(), 2);
        app.stop().await;
    }
}
