//! A person's measures, services, proposals and moves through the API and the pages, on
//! every engine: the rules' refusals with their messages, an audit entry for every read
//! and change, the receiving commune's incoming list, the statistics and the export.

mod common;
mod support;

use calamine::{Data, Reader, Xlsx};
use common::TestApp;
use diaban_domain::access::Role;
use serde_json::json;
use support::{add_person, audit_entries, fresh_id_number};

/// Phường Kon Tum and Phường Cẩm Thành, communes of Quảng Ngãi (51).
const COMMUNE_A: &str = "23293";
const COMMUNE_B: &str = "21025";

#[tokio::test]
async fn measures_and_services_through_the_api_follow_the_rules_and_are_audited() {
    for app in TestApp::all().await {
        let e = app.engine;
        let id = add_person(&app, COMMUNE_A, "Trần Văn Thử", &fresh_id_number()).await;
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let base = format!("/api/v1/persons/{id}");
        // Law 73/2021 on 30/6/2026: voluntary rehab needs a term of 6 to 12 months.
        let rehab = |date: &str, term: &str| {
            json!({"kind": "voluntary_rehab_home", "decision_number": "15/QĐ-UBND", "decision_date": date,
                   "signer": "Chủ tịch UBND xã", "term_months": term})
        };
        let (s, v) = officer.post_json(&format!("{base}/episodes"), &rehab("2026-06-30", "")).await;
        assert_eq!(s, 422, "{e}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().starts_with("term_months: "), "{v}");
        let (s, v) = officer.post_json(&format!("{base}/episodes"), &rehab("2026-06-30", "9")).await;
        assert_eq!(s, 201, "{e}: {v}");
        assert_eq!(v["episode"]["regime"], "law_73_2021");
        assert_eq!(v["episode"]["planned_end"], "2027-03-30");
        // The same kind again, overlapping (under Law 120/2025 now, a repeat: 36 months
        // fixed): refused, nothing written.
        let (s, v) = officer.post_json(&format!("{base}/episodes"), &rehab("2026-09-01", "")).await;
        assert_eq!(s, 422, "{e}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().starts_with("start_on: "), "{v}");
        // An end before the start.
        let mut bad = rehab("2026-06-30", "9");
        bad["kind"] = json!("compulsory_rehab");
        bad["term_months"] = json!("12");
        bad["actual_end"] = json!("2026-06-01");
        bad["end_reason"] = json!("quit");
        let (s, v) = officer.post_json(&format!("{base}/episodes"), &bad).await;
        assert_eq!(s, 422, "{e}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("actual_end"), "{v}");
        // A service in the future is refused; today's is recorded.
        let tomorrow = (diaban_domain::time::today_in_vietnam() + chrono::Days::new(1)).to_string();
        let today = diaban_domain::time::today_in_vietnam().to_string();
        let (s, v) = officer
            .post_json(
                &format!("{base}/services"),
                &json!({"kind": "counselling", "provided_on": tomorrow, "provider": "Trạm y tế"}),
            )
            .await;
        assert_eq!(s, 422, "{e}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().starts_with("provided_on: "), "{v}");
        let (s, _) = officer
            .post_json(
                &format!("{base}/services"),
                &json!({"kind": "counselling", "provided_on": today, "provider": "Trạm y tế"}),
            )
            .await;
        assert_eq!(s, 201);
        // Reads: each is one audited read of the record.
        let before = audit_entries(&app, "person.read").await.len();
        let (s, v) = officer.get_json(&format!("{base}/episodes")).await;
        assert_eq!((s, v["items"].as_array().map(Vec::len)), (200, Some(1)), "{e}: {v}");
        let (s, v) = officer.get_json(&format!("{base}/services")).await;
        assert_eq!((s, v["items"].as_array().map(Vec::len)), (200, Some(1)), "{e}: {v}");
        let reads = audit_entries(&app, "person.read").await;
        assert_eq!(reads.len(), before + 2, "{e}");
        assert!(reads.iter().take(2).all(|r| r.target_id == id.to_string() && r.actor == officer.username));
        assert_eq!(audit_entries(&app, "person.episode.create").await.len(), 1, "{e}");
        assert_eq!(audit_entries(&app, "person.service.create").await.len(), 1, "{e}");
        // Another commune's officer sees nothing and cannot write; both attempts are audited.
        let other = app.login_as(Role::CommuneOfficer, COMMUNE_B).await;
        assert_eq!(other.get_json(&format!("{base}/episodes")).await.0, 404);
        let (s, _) = other
            .post_json(
                &format!("{base}/services"),
                &json!({"kind": "counselling", "provided_on": today, "provider": "X"}),
            )
            .await;
        assert_eq!(s, 404);
        let denied: Vec<_> =
            audit_entries(&app, "person.").await.into_iter().filter(|a| a.actor == other.username).collect();
        assert_eq!(denied.len(), 2, "{e}");
        assert!(denied.iter().all(|a| a.outcome == "denied"));
        app.stop().await;
    }
}

#[tokio::test]
async fn a_relapse_waits_for_the_officers_decision_and_a_move_reaches_the_receiving_commune() {
    for app in TestApp::all().await {
        let e = app.engine;
        let id = add_person(&app, COMMUNE_A, "Lê Văn Chuyển", &fresh_id_number()).await;
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let base = format!("/api/v1/persons/{id}");
        let (s, v) = officer
            .post_json(
                &format!("{base}/events"),
                &json!({"kind": "relapsed_in_post_rehab", "occurred_on": "2026-05-04"}),
            )
            .await;
        assert_eq!(s, 201, "{e}: {v}");
        assert_eq!(v["proposal"], "pending");
        assert_eq!(v["event"]["proposed"]["to"], "compulsory_rehab");
        assert!(v["event"]["proposed"]["legal_basis_vi"].as_str().unwrap().contains("73/2021/QH14"));
        let ev = v["id"].as_i64().unwrap();
        let (_, eps) = officer.get_json(&format!("{base}/episodes")).await;
        assert_eq!(eps["items"].as_array().map(Vec::len), Some(0), "{e}: nothing applied by itself");
        let (s, v) = officer
            .post_json(
                &format!("{base}/events/{ev}/decision"),
                &json!({"accept": true, "note": "Tòa án đã quyết định", "episode": {"decision_number": "3/QĐ-TA",
                        "decision_date": "2026-05-20", "signer": "Thẩm phán", "term_months": "18"}}),
            )
            .await;
        assert_eq!(s, 200, "{e}: {v}");
        let (_, eps) = officer.get_json(&format!("{base}/episodes")).await;
        assert_eq!(eps["items"][0]["kind"], "compulsory_rehab", "{e}: {eps}");
        assert_eq!(audit_entries(&app, "person.proposal.accept").await.len(), 1);
        // The move: recorded by commune A, seen by commune B, which marks the report.
        let (s, v) = officer
            .post_json(&format!("{base}/transfers"), &json!({"to_unit": COMMUNE_B, "moved_at": "2026-07-10T08:00", "known_at": "2026-07-12T09:00"}))
            .await;
        assert_eq!(s, 201, "{e}: {v}");
        assert_eq!(v["regime"], "law_120_2025");
        // Known on 12/7 at 09:00, recorded today: the notification was late.
        assert_eq!(v["notification_overdue"], true);
        assert_eq!(v["report_overdue"], true);
        assert_eq!(officer.get_json(&base).await.0, 404, "{e}: the record left commune A");
        let receiving = app.login_as(Role::CommuneOfficer, COMMUNE_B).await;
        let (s, inc) = receiving.get_json("/api/v1/persons/transfers/incoming").await;
        assert_eq!(s, 200);
        let items = inc["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{e}: {inc}");
        assert_eq!(items[0]["person_id"], id);
        let tid = items[0]["id"].as_i64().unwrap();
        let page = receiving.get("/persons/incoming").await.text().await.unwrap();
        assert!(page.contains(&format!("/persons/{id}")), "{e}");
        let (s, _) =
            receiving.post_json(&format!("/api/v1/persons/transfers/{tid}/reported"), &json!({})).await;
        assert_eq!(s, 200);
        let (_, inc) = receiving.get_json("/api/v1/persons/transfers/incoming").await;
        assert_eq!(inc["items"].as_array().map(Vec::len), Some(0), "{e}");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_detail_page_is_one_audited_read_and_shows_the_timeline() {
    for app in TestApp::all().await {
        let id = add_person(&app, COMMUNE_A, "Phạm Văn Dòng", &fresh_id_number()).await;
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let r = officer
            .post_form(
                &format!("/persons/{id}/episodes"),
                &[
                    ("kind", "user_management"),
                    ("decision_number", "7/QĐ-UBND"),
                    ("decision_date", "2026-07-01"),
                    ("signer", "Chủ tịch UBND xã"),
                    ("start_on", "2026-07-01"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303, "{}", app.engine);
        let r = officer
            .post_form(
                &format!("/persons/{id}/services"),
                &[
                    ("kind", "vocational_training"),
                    ("provided_on", "2026-07-15"),
                    ("provider", "Trung tâm dạy nghề"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        // A form error is shown on the form, in Vietnamese, with 422.
        let r = officer
            .post_form(
                &format!("/persons/{id}/services"),
                &[("kind", "counselling"), ("provided_on", "2999-01-01"), ("provider", "X")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("Ngày không được ở tương lai."));
        let before = audit_entries(&app, "person.read").await.len();
        let html = officer.get(&format!("/persons/{id}")).await.text().await.unwrap();
        assert_eq!(audit_entries(&app, "person.read").await.len(), before + 1, "{}", app.engine);
        assert!(html.contains("Quản lý người sử dụng trái phép chất ma túy"), "{}", app.engine);
        assert!(html.contains("120/2025/QH15"));
        assert!(html.contains("01/07/2027"), "planned end shown");
        assert!(html.contains("Trung tâm dạy nghề"));
        app.stop().await;
    }
}

#[tokio::test]
async fn statistics_carry_no_identities_and_the_export_is_for_the_provincial_police_only() {
    for app in TestApp::all().await {
        let id = add_person(&app, COMMUNE_A, "Đỗ Văn Thống", &fresh_id_number()).await;
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let (s, _) = officer
            .post_json(
                &format!("/api/v1/persons/{id}/episodes"),
                &json!({"kind": "substitution_therapy", "decision_number": "1/QĐ", "decision_date": "2026-02-01", "signer": "BS"}),
            )
            .await;
        assert_eq!(s, 201);
        let partner = app.login_as(Role::Partner, "51").await;
        let (s, v) = partner.get_json("/api/v1/persons/statistics?year=2026").await;
        assert_eq!(s, 200, "{}: {v}", app.engine);
        assert_eq!(v["total"]["with_records"], 1);
        assert_eq!(v["total"]["by_rehab_form"]["substitution_therapy"], 1);
        assert!(!v.to_string().contains("Thống"), "no names in statistics");
        let page = partner.get("/persons/statistics?year=2026").await;
        assert_eq!(page.status().as_u16(), 200);
        // The same figures as a workbook: title, merged section headings, a line for the
        // commune and the total, no name anywhere.
        let r = partner.get("/api/v1/persons/statistics.xlsx?year=2026").await;
        assert_eq!(r.status().as_u16(), 200);
        let bytes = r.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
        let range = book.worksheet_range_at(0).expect("a sheet").expect("readable");
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        let cell = |r: usize, c: usize| match &rows[r][c] {
            Data::String(s) => s.clone(),
            Data::Float(f) => f.to_string(),
            Data::Empty => String::new(),
            other => format!("{other:?}"),
        };
        assert!(cell(0, 0).starts_with("THỐNG KÊ NGƯỜI NGHIỆN"), "{}", cell(0, 0));
        assert!(cell(1, 0).contains("14/12/2026"), "{}", cell(1, 0));
        assert_eq!(cell(3, 2), "Số người có hồ sơ quản lý");
        assert_eq!(cell(3, 7), "Độ tuổi");
        assert_eq!(rows.len(), 7, "headers, the commune, the total");
        assert_eq!(cell(5, 2), "1");
        assert_eq!(cell(6, 1), "Tổng cộng");
        assert_eq!(cell(6, 2), "1");
        assert!(rows.iter().flatten().all(|d| !format!("{d:?}").contains("Thống")), "no names");
        let merged = book.merge_cells_by_sheet_id(0).expect("merge info");
        assert!(merged.iter().any(|m| m.start == (3, 7)), "the age section is merged: {merged:?}");
        let csv = partner.get("/api/v1/persons/statistics.csv?year=2026").await.text().await.unwrap();
        assert!(csv.starts_with("unit_code,unit_name,with_records,previous_year"), "{csv}");
        assert!(csv.lines().last().unwrap().contains("Tổng cộng,1,0,"), "{csv}");
        assert_eq!(partner.get("/api/v1/persons/export.csv").await.status().as_u16(), 403);
        assert_eq!(officer.get("/api/v1/persons/export.csv").await.status().as_u16(), 403);
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let r = pc04.get("/api/v1/persons/export.csv").await;
        assert_eq!(r.status().as_u16(), 200);
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("id,id_number,full_name"), "{csv}");
        assert!(csv.contains("Đỗ Văn Thống") && csv.contains("substitution_therapy"));
        let exports = audit_entries(&app, "person.export").await;
        assert_eq!(exports.len(), 1);
        assert_eq!(exports[0].target_id, "1");
        app.stop().await;
    }
}

#[tokio::test]
async fn the_profile_form_saves_several_substances_and_names_a_bad_year() {
    for app in TestApp::all().await {
        let id = add_person(&app, COMMUNE_A, "Phan Văn Hồ Sơ", &fresh_id_number()).await;
        let officer = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let reads = audit_entries(&app, "person.read").await.len();
        let form = officer.get(&format!("/persons/{id}/profile")).await;
        assert_eq!(form.status().as_u16(), 200);
        let html = form.text().await.unwrap();
        assert!(html.contains(r#"name="substances" value="heroin""#), "{html}");
        assert_eq!(audit_entries(&app, "person.read").await.len(), reads + 1, "opening the form is a read");
        let bad = officer
            .post_form(
                &format!("/persons/{id}/profile"),
                &[("substances", "heroin"), ("use_since_year", "1800")],
            )
            .await;
        assert_eq!(bad.status().as_u16(), 422);
        assert!(bad.text().await.unwrap().contains("field-error"));
        let (_, v) = officer.get_json(&format!("/api/v1/persons/{id}/profile")).await;
        assert_eq!(v["substances"], json!([]), "nothing saved from a refused form");
        let ok = officer
            .post_form(
                &format!("/persons/{id}/profile"),
                &[
                    ("substances", "heroin"),
                    ("substances", "cannabis"),
                    ("use_since_year", "2018"),
                    ("held_in", "community"),
                    ("occupation", "Làm nông"),
                    ("education", "THCS"),
                ],
            )
            .await;
        assert_eq!(ok.status().as_u16(), 303, "{}", app.engine);
        let (_, v) = officer.get_json(&format!("/api/v1/persons/{id}/profile")).await;
        let mut got: Vec<String> =
            v["substances"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect();
        got.sort();
        assert_eq!(got, ["cannabis", "heroin"], "{v}");
        assert_eq!(v["use_since_year"], 2018);
        assert_eq!(audit_entries(&app, "person.profile.update").await.len(), 1);
        // Without the CSRF token the form is refused.
        let forged = officer
            .client
            .post(officer.url(&format!("/persons/{id}/profile")))
            .form(&[("substances", "opium")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status().as_u16(), 403);
        app.stop().await;
    }
}
