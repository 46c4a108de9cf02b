//! Periodic reports through the real server on every engine: the whole workflow of a
//! commune's report (draft → submit → return → draft → submit → approve → issue) with
//! its history and audit; frozen figures that a data change does not touch while
//! "recompute" shows the difference; who may do what; the files (calamine opens the
//! workbook, the DOCX's text carries the Decree 30 heading, the figures and the
//! recipients, and no identity); the pages with their CSRF-protected forms.

mod common;
mod support;

use calamine::{Data, DataType, Reader, Xlsx};
use common::{TestApp, UserClient};
use diaban_domain::access::Role;
use serde_json::{Value, json};
use std::io::Read;
use support::{add_person, audit_entries, fresh_id_number};

/// Phường Kon Tum, a commune of Quảng Ngãi (51).
const COMMUNE_A: &str = "23293";
/// Phường Cẩm Thành, another commune of Quảng Ngãi.
const COMMUNE_B: &str = "21025";

async fn add_site(officer: &UserClient, name: &str, on: &str) {
    let site = json!({"kind": "point", "name": name, "unit": COMMUNE_A, "lat": 14.35, "lon": 108.0,
                      "address": "thôn 1", "found_how": "tin báo", "state": "listed", "on": on});
    let (s, v) = officer.post_json("/api/v1/sites", &site).await;
    assert_eq!(s, 201, "{v}");
}

fn figure<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["figures"]["indicators"].as_array().unwrap().iter().find(|f| f["id"] == id).unwrap()
}

async fn bytes(c: &UserClient, path: &str) -> (u16, String, Vec<u8>) {
    let r = c.get(path).await;
    let s = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (s, ct, r.bytes().await.unwrap().to_vec())
}

/// Every XML part of a zip (XLSX or DOCX) as one text.
fn zip_text(b: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(b)).expect("a zip");
    let mut all = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        all.push_str(&s);
    }
    all
}

fn document_xml(b: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(b)).expect("a zip");
    let mut s = String::new();
    z.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut s).unwrap();
    s
}

#[tokio::test]
async fn a_communes_report_goes_through_the_workflow_and_its_issued_figures_stay_frozen() {
    for app in TestApp::all().await {
        let e = app.engine;
        let xa = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let leader = app.login_as(Role::Leader, "51").await;
        let partner = app.login_as(Role::Partner, "51").await;
        let other = app.login_as(Role::CommuneOfficer, COMMUNE_B).await;
        add_site(&xa, "Điểm A", "2026-02-01").await;
        // A period that does not fit the kind is named.
        let (s, v) = xa.post_json("/api/v1/reports", &json!({"kind": "monthly", "period": "2026"})).await;
        assert_eq!(s, 422, "{e}: {v}");
        assert!(v.to_string().contains("YYYY-MM"), "{v}");
        // PC04 cannot draft the commune's report; the commune officer can.
        let body = json!({"unit": COMMUNE_A, "kind": "monthly", "period": "2026-02"});
        assert_eq!(pc04.post_json("/api/v1/reports", &body).await.0, 403, "{e}");
        let (s, v) = xa.post_json("/api/v1/reports", &json!({"kind": "monthly", "period": "2026-02"})).await;
        assert_eq!(s, 201, "{e}: {v}");
        let id = v["id"].as_i64().unwrap();
        assert_eq!(xa.post_json("/api/v1/reports", &body).await.0, 409, "one report per unit, kind, period");
        let path = format!("/api/v1/reports/{id}");
        let (s, r) = xa.get_json(&path).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["status"], "draft");
        assert_eq!(r["editable"], true);
        assert_eq!(r["actions"], json!(["submit"]));
        assert_eq!(figure(&r, "sites_active")["value"], 1.0, "{e}");
        // A draft stays with its unit.
        for c in [&pc04, &leader, &partner, &other] {
            assert_eq!(c.get_json(&path).await.0, 404, "{e}: {}", c.username);
        }
        // Narratives: unknown placeholders are refused, known ones filled.
        let bad = json!({"narratives": {"danh_gia": "Có {ho_ten} ở {unit}"}});
        let (s, v) = xa.post_json(&format!("{path}/narratives"), &bad).await;
        assert_eq!(s, 422, "{v}");
        assert!(v.to_string().contains("ho_ten"), "{v}");
        let good = json!({"narratives": {"danh_gia": "Đánh giá: còn {sites_active} điểm tại {unit}."}});
        assert_eq!(xa.post_json(&format!("{path}/narratives"), &good).await.0, 200);
        // A passage left for the author still holds its marker: submit names the section.
        let (s, v) = xa.post_json(&format!("{path}/submit"), &json!({})).await;
        assert_eq!(s, 422, "{e}: {v}");
        let msg = v.to_string();
        assert!(msg.contains("Người soạn bổ sung") && msg.contains("X. PHƯƠNG HƯỚNG"), "{e}: {msg}");
        assert!(!msg.contains("IX. ĐÁNH GIÁ CHUNG"), "{e}: the assessment was written: {msg}");
        let next = json!({"narratives": {"phuong_huong": "Tiếp tục triệt xóa điểm tại {unit}."}});
        assert_eq!(xa.post_json(&format!("{path}/narratives"), &next).await.0, 200);
        // Submit; PC04 returns without a reason (refused), then with one.
        assert_eq!(xa.post_json(&format!("{path}/submit"), &json!({})).await.0, 200);
        assert_eq!(xa.post_json(&format!("{path}/narratives"), &good).await.0, 409, "no edit once submitted");
        let (s, r) = pc04.get_json(&path).await;
        assert_eq!(s, 200, "the reviewer sees it once submitted");
        assert_eq!(r["actions"], json!(["approve", "return"]));
        // Leaders review the province's report; a commune's is not theirs to see before issue.
        assert_eq!(leader.post_json(&format!("{path}/approve"), &json!({})).await.0, 404, "{e}");
        assert_eq!(pc04.post_json(&format!("{path}/return"), &json!({"reason": "  "})).await.0, 422);
        let (s, v) = pc04.post_json(&format!("{path}/return"), &json!({"reason": "Thiếu số liệu"})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["status"], "returned");
        assert_eq!(xa.post_json(&format!("{path}/issue"), &json!({})).await.0, 409, "{e}: not from returned");
        assert_eq!(xa.post_json(&format!("{path}/redraft"), &json!({})).await.0, 200);
        assert_eq!(xa.post_json(&format!("{path}/submit"), &json!({})).await.0, 200);
        assert_eq!(xa.post_json(&format!("{path}/approve"), &json!({})).await.0, 403, "{e}: not one's own");
        assert_eq!(pc04.post_json(&format!("{path}/approve"), &json!({})).await.0, 200);
        assert_eq!(
            pc04.post_json(&format!("{path}/issue"), &json!({})).await.0,
            403,
            "{e}: the drafting unit issues"
        );
        let (s, v) = xa.post_json(&format!("{path}/issue"), &json!({})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["status"], "issued");
        assert_eq!(v["number"], "1/BC-CAX");
        // Everyone in scope reads it now; the other commune does not.
        for c in [&pc04, &leader, &partner] {
            assert_eq!(c.get_json(&path).await.0, 200, "{e}: {}", c.username);
        }
        assert_eq!(other.get_json(&path).await.0, 404);
        let (_, list) = partner.get_json("/api/v1/reports?status=issued").await;
        assert_eq!(list["total"], 1, "{list}");
        // The history and the audit log hold every step.
        let (_, r) = xa.get_json(&path).await;
        let steps: Vec<&str> =
            r["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
        assert_eq!(steps, ["submit", "return", "redraft", "submit", "approve", "issue"], "{e}");
        assert_eq!(r["history"][1]["reason"], "Thiếu số liệu");
        for a in ["report.submit", "report.return", "report.redraft", "report.approve", "report.issue"] {
            assert!(!audit_entries(&app, a).await.is_empty(), "{e}: {a} audited");
        }
        assert!(!audit_entries(&app, "report.approve").await.is_empty());
        assert_eq!(r["frozen"], true);
        assert!(r["narratives"]["danh_gia"].as_str().unwrap().contains("{sites_active}"));
        // The data change: a second site. Frozen stays; recompute shows the difference.
        add_site(&xa, "Điểm B", "2026-02-02").await;
        let (_, r) = xa.get_json(&format!("{path}?recompute=1")).await;
        assert_eq!(figure(&r, "sites_active")["value"], 1.0, "{e}: frozen");
        let diffs = r["recomputed"]["differences"].as_array().unwrap();
        let d = diffs.iter().find(|d| d["key"] == "sites_active").unwrap_or_else(|| panic!("{e}: {diffs:?}"));
        assert_eq!((d["frozen"].as_f64(), d["now"].as_f64()), (Some(1.0), Some(2.0)));
        let (_, again) = xa.get_json(&path).await;
        assert_eq!(figure(&again, "sites_active")["value"], 1.0, "{e}: recompute never overwrites");
        // Issued: nothing moves any more.
        assert_eq!(xa.post_json(&format!("{path}/submit"), &json!({})).await.0, 409);
        // The auditor and the admin have no reports.
        for role in [Role::Auditor, Role::Admin] {
            let c = app.login_as(role, "51").await;
            assert_eq!(c.get("/api/v1/reports").await.status().as_u16(), 403, "{e}: {role}");
            assert_eq!(c.get("/reports").await.status().as_u16(), 403, "{e}: {role}");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn the_files_open_and_carry_the_figures_the_heading_and_no_identity() {
    for app in TestApp::all().await {
        let e = app.engine;
        let xa = app.login_as(Role::CommuneOfficer, COMMUNE_A).await;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        add_site(&xa, "Điểm A", "2026-02-01").await;
        let name = "Nguyễn Văn Thửnghiệm";
        let idn = fresh_id_number();
        add_person(&app, COMMUNE_A, name, &idn).await;
        let breach = json!({"detected_at": "2026-10-03T09:00", "description": "Máy tính nhiễm mã độc",
                            "categories": ["health"], "persons_affected": 12});
        assert_eq!(pc04.post_json("/api/v1/data-breaches", &breach).await.0, 201, "{e}");
        let (s, v) = pc04.post_json("/api/v1/reports", &json!({"kind": "annual", "period": "2026"})).await;
        assert_eq!(s, 201, "{e}: {v}");
        let id = v["id"].as_i64().unwrap();
        let (_, ind) = pc04.get_json("/api/v1/indicators?unit=51&period=2026").await;
        let want = |k: &str| {
            ind["indicators"].as_array().unwrap().iter().find(|i| i["id"] == k).unwrap()["value"].as_f64()
        };
        // The workbook.
        let (s, ct, xlsx) = bytes(&pc04, &format!("/api/v1/reports/{id}/download?format=xlsx")).await;
        assert_eq!(s, 200, "{e}");
        assert!(ct.contains("spreadsheetml"), "{ct}");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.clone())).expect("a workbook");
        let sheet = book.worksheet_range(diaban_reports::xlsx::SHEET).expect("the sheet");
        let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(cell(0, 3), Data::String("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into()));
        assert_eq!(cell(1, 3), Data::String("Độc lập - Tự do - Hạnh phúc".into()));
        assert_eq!(cell(1, 0), Data::String("CÔNG AN TỈNH QUẢNG NGÃI".into()));
        assert_eq!(cell(2, 0), Data::String("Số:      /BC-CAT".into()));
        let row_of = |label: &str| {
            (0..sheet.height() as u32)
                .find(|r| cell(*r, 1) == Data::String(label.into()))
                .unwrap_or_else(|| panic!("no row {label}"))
        };
        let active = row_of("Điểm, tụ điểm đang hoạt động (cuối kỳ)");
        assert_eq!(cell(active, 2).as_f64(), want("sites_active"), "{e}: the figure of /api/v1/indicators");
        assert_eq!(cell(active, 2).as_f64(), Some(1.0));
        let records = row_of("Người nghiện, người sử dụng trái phép có hồ sơ quản lý");
        assert_eq!(cell(records, 2).as_f64(), want("persons_with_records"));
        assert_eq!(cell(row_of("Vụ việc phát hiện") - 1, 2), Data::String("Kỳ báo cáo".into()), "header row");
        let merged = book.merge_cells_by_sheet_name(diaban_reports::xlsx::SHEET).expect("merged regions");
        assert!(
            merged.iter().any(|d| d.start == (0, 3) && d.end == (0, 6)),
            "the motto is merged over D:G: {merged:?}"
        );
        assert!(merged.len() >= 8, "{merged:?}");
        // The registry sections are tables of their own.
        let breaches = row_of("Sự cố lộ, lọt dữ liệu cá nhân phát hiện trong kỳ");
        assert_eq!(cell(breaches, 2).as_f64(), Some(1.0), "{e}");
        assert_eq!(cell(row_of("Chưa thông báo, đã quá hạn"), 2).as_f64(), Some(1.0), "{e}");
        assert_eq!(cell(row_of("Số người bị ảnh hưởng (ước tính)"), 2).as_f64(), Some(12.0), "{e}");
        let has = |text: &str| {
            (0..sheet.height() as u32).any(|r| (0..7).any(|c| cell(r, c) == Data::String(text.into())))
        };
        for heading in [
            "Ma túy thu giữ theo loại và đơn vị tính",
            "Loại ma túy",
            "Phân loại xã, phường, đặc khu theo tình hình ma túy",
            "Tiêu chí áp dụng",
            "Tổng số người có hồ sơ quản lý",
            "Độ tuổi",
            "Tuyên truyền theo loại địa điểm",
            "Trường học",
            "Kiểm tra cơ sở kinh doanh có điều kiện về an ninh, trật tự",
            "Ngành nghề kinh doanh",
            "VIII. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH",
            "Đôn đốc",
            "Khó khăn, vướng mắc và kiến nghị",
            "Khó khăn, vướng mắc, kiến nghị phát sinh trong kỳ",
        ] {
            assert!(has(heading), "{e}: no «{heading}» in the workbook");
        }
        // The document.
        let (s, ct, docx) = bytes(&pc04, &format!("/api/v1/reports/{id}/download?format=docx")).await;
        assert_eq!(s, 200);
        assert!(ct.contains("wordprocessingml"), "{ct}");
        let text = diaban_reports::docx::text_of(&document_xml(&docx));
        for needle in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "BỘ CÔNG AN",
            "CÔNG AN TỈNH QUẢNG NGÃI",
            "Số:      /BC-CAT",
            "Quảng Ngãi, ngày",
            "BÁO CÁO",
            "Điểm, tụ điểm đang hoạt động (cuối kỳ)",
            "Nơi nhận:",
            "- Lưu: VT, PC04.",
            "GIÁM ĐỐC",
            "VII. BẢO VỆ DỮ LIỆU CÁ NHÂN",
            "DỰ THẢO",
            "Ma túy thu giữ theo loại và đơn vị tính",
            "Người có hồ sơ quản lý theo độ tuổi",
            "Tuyên truyền theo loại địa điểm",
            "Kiểm tra cơ sở kinh doanh có điều kiện về an ninh, trật tự",
            "Phân loại xã, phường, đặc khu theo tình hình ma túy",
            "VIII. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH",
            "Khó khăn, vướng mắc và kiến nghị",
            "Sổ theo dõi sự cố ghi nhận 1 sự cố",
            "«[Người soạn bổ sung:",
        ] {
            assert!(text.contains(needle), "{e}: no «{needle}» in\n{text}");
        }
        // The narrative carries the figure: "… Số điểm, tụ điểm đang hoạt động cuối kỳ là 1; …".
        assert!(text.contains("đang hoạt động cuối kỳ là 1;"), "{text}");
        // Aggregates only.
        for (what, all) in [("xlsx", zip_text(&xlsx)), ("docx", zip_text(&docx))] {
            assert!(!all.contains(name), "{e}: a name in the {what}");
            assert!(!all.contains(&idn), "{e}: an identity number in the {what}");
        }
        // Issued: the number and the date are in the document.
        let leader = app.login_as(Role::Leader, "51").await;
        let written = json!({"narratives": {"danh_gia": "Đạt yêu cầu.", "phuong_huong": "Tiếp tục."}});
        assert_eq!(pc04.post_json(&format!("/api/v1/reports/{id}/narratives"), &written).await.0, 200);
        assert_eq!(pc04.post_json(&format!("/api/v1/reports/{id}/submit"), &json!({})).await.0, 200);
        assert_eq!(leader.post_json(&format!("/api/v1/reports/{id}/approve"), &json!({})).await.0, 200);
        assert_eq!(pc04.post_json(&format!("/api/v1/reports/{id}/issue"), &json!({})).await.0, 200);
        let (_, _, docx) = bytes(&leader, &format!("/api/v1/reports/{id}/download?format=docx")).await;
        let text = diaban_reports::docx::text_of(&document_xml(&docx));
        assert!(text.contains("Số: 1/BC-CAT"), "{text}");
        assert!(!text.contains("DỰ THẢO"));
        assert!(!audit_entries(&app, "report.download").await.is_empty());
        let (s, _, _) = bytes(&pc04, &format!("/api/v1/reports/{id}/download?format=pdf")).await;
        assert_eq!(s, 400);
        app.stop().await;
    }
}

#[tokio::test]
async fn the_pages_list_create_edit_and_move_a_report_with_csrf() {
    for app in TestApp::all().await {
        let e = app.engine;
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let html = pc04.get("/reports").await.text().await.unwrap();
        assert!(html.contains("Báo cáo định kỳ"), "{e}");
        assert!(html.contains("name=\"csrf_token\""));
        // Without the CSRF token: refused.
        let r = pc04
            .client
            .post(pc04.url("/reports"))
            .form(&[("kind", "annual"), ("period", "2026")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "{e}");
        // A mismatched period is shown on the form.
        let r = pc04.post_form("/reports", &[("kind", "half-year"), ("period", "2026-03")]).await;
        assert_eq!(r.status().as_u16(), 422, "{e}");
        assert!(r.text().await.unwrap().contains("2026-H1"));
        let r = pc04.post_form("/reports", &[("kind", "annual"), ("period", "2026")]).await;
        assert_eq!(r.status().as_u16(), 303, "{e}");
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        let html = pc04.get(&to).await.text().await.unwrap();
        assert!(html.contains("id=\"narratives-form\""), "{e}: editable while draft");
        assert!(html.contains("data-step=\"submit\""));
        assert!(html.contains("VI. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU KẾ HOẠCH"));
        let r = pc04.post_form(&format!("{to}/narratives"), &[("n_danh_gia", "Tốt; {cases} vụ.")]).await;
        assert_eq!(r.status().as_u16(), 303, "{e}");
        let html = pc04.get(&to).await.text().await.unwrap();
        assert!(html.contains("Tốt; {cases} vụ."), "{e}");
        let r = pc04.post_form(&format!("{to}/narratives"), &[("n_danh_gia", "{khong_co}")]).await;
        assert_eq!(r.status().as_u16(), 422, "{e}");
        // The page flags the passages for the author and refuses to submit while one is left.
        let html = pc04.get(&to).await.text().await.unwrap();
        assert!(html.contains("data-author-needed=\"phuong_huong\""), "{e}");
        assert!(!html.contains("data-author-needed=\"danh_gia\""), "{e}: written");
        let r = pc04.post_form(&format!("{to}/submit"), &[]).await;
        assert_eq!(r.status().as_u16(), 422, "{e}");
        let html = r.text().await.unwrap();
        assert!(html.contains("Chưa thể trình báo cáo") && html.contains("X. PHƯƠNG HƯỚNG"), "{e}");
        let r = pc04
            .post_form(&format!("{to}/narratives"), &[("n_phuong_huong", "Tiếp tục kế hoạch {plan}.")])
            .await;
        assert_eq!(r.status().as_u16(), 303, "{e}");
        assert_eq!(pc04.post_form(&format!("{to}/submit"), &[]).await.status().as_u16(), 303);
        let leader = app.login_as(Role::Leader, "51").await;
        let html = leader.get(&to).await.text().await.unwrap();
        assert!(html.contains("data-step=\"return\""), "{e}");
        let r = leader.post_form(&format!("{to}/return"), &[("reason", "")]).await;
        assert_eq!(r.status().as_u16(), 422, "{e}: a reason is required");
        assert_eq!(leader.post_form(&format!("{to}/approve"), &[]).await.status().as_u16(), 303);
        assert_eq!(pc04.post_form(&format!("{to}/issue"), &[]).await.status().as_u16(), 303);
        let html = pc04.get(&to).await.text().await.unwrap();
        assert!(html.contains("1/BC-CAT"), "{e}");
        assert!(!html.contains("id=\"narratives-form\""));
        let html = pc04.get(&format!("{to}?recompute=1")).await.text().await.unwrap();
        assert!(html.contains("id=\"differences\""), "{e}");
        let html = leader.get("/reports?kind=annual&status=issued").await.text().await.unwrap();
        assert!(html.contains("1/BC-CAT"), "{e}");
        let r = pc04.get(&format!("{to}/download?format=docx")).await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(pc04.get("/reports?kind=weekly").await.status().as_u16(), 400);
        app.stop().await;
    }
}
