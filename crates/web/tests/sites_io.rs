//! Sites as files on every available engine: the XLSX export (typed cells, scope,
//! audit), XLSX import through the API (all or nothing, bad rows named by the row Excel
//! shows, unreadable files refused plainly, the size limit) and the import page
//! (multipart upload with its CSRF field, the template, the report).

mod common;
mod support;

use calamine::{Data, Reader, Xlsx};
use common::{TestApp, UserClient};
use diaban_domain::access::Role;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};
use support::audit_entries;

/// Phường Kon Tum (a current commune of Quảng Ngãi).
const KON_TUM: &str = "23293";
/// Phường Cẩm Thành (another commune of Quảng Ngãi).
const CAM_THANH: &str = "21025";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The Vietnamese headers the XLSX export writes.
const EXPORT_HEADERS: [&str; 14] = [
    "Mã điểm",
    "Loại",
    "Điểm nóng",
    "Tên điểm",
    "Địa chỉ",
    "Mã xã, phường",
    "Tên xã, phường",
    "Vĩ độ",
    "Kinh độ",
    "Trạng thái",
    "Từ ngày",
    "Cơ sở kinh doanh có điều kiện liên quan",
    "Nguồn phát hiện",
    "Mô tả",
];

/// A cell of a workbook written for a test.
#[derive(Clone)]
enum Cell {
    Text(&'static str),
    Num(f64),
    Date(u16, u8, u8),
    Blank,
}

use Cell::{Blank, Date, Num, Text};

/// An XLSX workbook of one sheet with these rows (the first being the headers).
fn workbook(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Text(t) => {
                    sheet.write_string(r, c, *t).unwrap();
                }
                Num(n) => {
                    sheet.write_number(r, c, *n).unwrap();
                }
                Date(y, m, d) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    sheet.write_datetime_with_format(r, c, dt, &date).unwrap();
                }
                Blank => {}
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// The first sheet of a workbook: its name and its cells.
fn sheet_of(bytes: &[u8]) -> (String, Vec<Vec<Data>>) {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    (name, range.rows().map(|r| r.to_vec()).collect())
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn site(name: &str, unit: &str, lat: f64, lon: f64) -> Value {
    json!({"kind": "point", "name": name, "unit": unit, "lat": lat, "lon": lon,
           "address": "thôn 1", "found_how": "tin báo", "on": "2024-01-10"})
}

async fn post_body(u: &UserClient, content_type: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut req = u.client.post(u.url("/api/v1/sites/import")).header("x-csrf-token", &u.csrf);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let r = req.body(body).send().await.expect("request");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn get_bytes(u: &UserClient, path: &str) -> (u16, String, Vec<u8>) {
    let r = u.get(path).await;
    let s = r.status().as_u16();
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (s, ct, r.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn xlsx_export_is_typed_scoped_and_audited() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        for (name, unit, lat, lon) in [
            ("Điểm A", KON_TUM, 14.355, 108.014),
            ("Điểm B", KON_TUM, 14.36, 108.02),
            ("Điểm C", CAM_THANH, 15.11, 108.81),
        ] {
            let (s, body) = pc04.post_json("/api/v1/sites", &site(name, unit, lat, lon)).await;
            assert_eq!(s, 201, "{} {body}", app.engine);
        }
        let exports_before = audit_entries(&app, "site.export").await.len();

        // The commune officer gets the header and Kon Tum's two sites only.
        let (s, ct, bytes) = get_bytes(&kt, "/api/v1/sites/export.xlsx").await;
        assert_eq!(s, 200, "{}", app.engine);
        assert_eq!(ct, XLSX);
        let (name, rows) = sheet_of(&bytes);
        assert_eq!(name, "Điểm tụ điểm");
        assert_eq!(rows[0].iter().map(text).collect::<Vec<_>>(), EXPORT_HEADERS);
        assert_eq!(rows.len(), 3, "header and two rows");
        let names: Vec<String> = rows[1..].iter().map(|r| text(&r[3])).collect();
        assert!(names.contains(&"Điểm A".to_owned()) && names.contains(&"Điểm B".to_owned()), "{names:?}");
        let a = rows.iter().find(|r| text(&r[3]) == "Điểm A").unwrap();
        assert!(matches!(a[0], Data::Float(_) | Data::Int(_)), "id is a number: {:?}", a[0]);
        assert_eq!(text(&a[1]), "Điểm phức tạp về ma túy");
        assert_eq!(text(&a[2]), "Không");
        assert_eq!(a[5], Data::String(KON_TUM.into()), "commune code as text");
        // Code 23293 was Phường Thắng Lợi on the site's date, 10/01/2024.
        assert_eq!(text(&a[6]), "Phường Thắng Lợi");
        assert_eq!(a[7], Data::Float(14.355));
        assert_eq!(a[8], Data::Float(108.014));
        assert_eq!(text(&a[9]), "Tiếp nhận tin báo, nghi vấn");
        match &a[10] {
            Data::DateTime(d) => {
                let (y, m, day, ..) = d.to_ymd_hms_milli();
                assert_eq!((y, m, day), (2024, 1, 10));
            }
            other => panic!("a date cell, not {other:?}"),
        }
        assert_eq!(text(&a[12]), "tin báo");

        // Another commune's officer gets the header only; the province sees all, filtered.
        let ct_officer = app.login_as(Role::CommuneOfficer, CAM_THANH).await;
        let (_, _, bytes) = get_bytes(&ct_officer, "/api/v1/sites/export.xlsx").await;
        let (_, rows) = sheet_of(&bytes);
        assert_eq!(rows.len(), 2);
        assert_eq!(text(&rows[1][3]), "Điểm C");
        let (_, _, bytes) = get_bytes(&pc04, "/api/v1/sites/export.xlsx").await;
        assert_eq!(sheet_of(&bytes).1.len(), 4);
        let (_, _, bytes) = get_bytes(&pc04, &format!("/api/v1/sites/export.xlsx?unit={CAM_THANH}")).await;
        assert_eq!(sheet_of(&bytes).1.len(), 2);
        let (s, _, _) = get_bytes(&pc04, "/api/v1/sites/export.xlsx?state=gone").await;
        assert_eq!(s, 400);
        assert_eq!(audit_entries(&app, "site.export").await.len(), exports_before + 4);

        // Who may export: officers and leaders, not the admin.
        let leader = app.login_as(Role::Leader, "51").await;
        assert_eq!(get_bytes(&leader, "/api/v1/sites/export.xlsx").await.0, 200);
        let admin = app.login_as(Role::Admin, "51").await;
        assert_eq!(get_bytes(&admin, "/api/v1/sites/export.xlsx").await.0, 403);
        app.stop().await;
    }
}

/// The headers of an import in the template's Vietnamese.
fn vi_header() -> Vec<Cell> {
    ["Loại", "Điểm nóng", "Tên điểm", "Mã xã, phường", "Vĩ độ", "Kinh độ", "Trạng thái", "Từ ngày"]
        .into_iter()
        .map(Text)
        .collect()
}

#[tokio::test]
async fn xlsx_import_is_all_or_nothing_and_names_excel_rows() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let good_row = |name: &'static str| {
            // The commune code stored as a number, the date as a date cell.
            vec![
                Text("point"),
                Text("Có"),
                Text(name),
                Num(23293.0),
                Num(14.355),
                Num(108.014),
                Blank,
                Date(2024, 3, 1),
            ]
        };
        let bad = workbook(&[
            vi_header(),
            good_row("Điểm 1"),
            vec![
                Text("cluster"),
                Blank,
                Text("Điểm 2"),
                Num(99999.0),
                Num(14.36),
                Num(108.02),
                Blank,
                Date(2024, 3, 1),
            ],
            vec![Blank; 8],
            good_row("Điểm 3"),
        ]);
        let (s, err) = post_body(&pc04, Some(XLSX), bad.clone()).await;
        assert_eq!(s, 422, "{} {err}", app.engine);
        let msg = err["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("1 bad row(s)") && msg.contains("line 3: unit") && msg.contains("99999"),
            "{msg}"
        );
        assert_eq!(err["error"]["problems"][0]["line"], 3);
        assert_eq!(err["error"]["problems"][0]["field"], "unit");
        assert_eq!(pc04.get_json("/api/v1/sites").await.1["total"], 0, "nothing half-written");
        // Detected by its ZIP signature whatever the declared type.
        assert_eq!(post_body(&pc04, None, bad).await.0, 422);

        let good = workbook(&[
            vi_header(),
            good_row("Điểm 1"),
            vec![
                Text("Tụ điểm phức tạp về ma túy"),
                Text("Không"),
                Text("Điểm 2"),
                Text("23281"),
                Num(14.36),
                Num(108.0),
                Text("listed"),
                Text("01/03/2024"),
            ],
        ]);
        let (s, body) = post_body(&pc04, Some(XLSX), good.clone()).await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["imported"], 2);
        let (_, list) = pc04.get_json("/api/v1/sites?hot_spot=true").await;
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["unit"]["code"], KON_TUM);
        assert_eq!(list["items"][0]["state_since"], "2024-03-01");
        let (_, list) = pc04.get_json("/api/v1/sites?kind=cluster&state=listed").await;
        assert_eq!(list["items"][0]["unit"]["code"], "23281", "a legacy code kept");

        // Scope: a commune officer cannot import into another commune; the row is named.
        let other = workbook(&[
            vi_header(),
            vec![Text("point"), Blank, Text("X"), Text(CAM_THANH), Num(15.11), Num(108.81), Blank, Blank],
        ]);
        let (s, err) = post_body(&kt, Some(XLSX), other).await;
        assert_eq!(s, 422, "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("line 2: unit"), "{err}");

        // An export, less its export-only columns, imports again (as new sites).
        let (_, _, exported) = get_bytes(&pc04, "/api/v1/sites/export.xlsx").await;
        let (_, s_err) = post_body(&pc04, Some(XLSX), exported.clone()).await;
        let m = s_err["error"]["message"].as_str().unwrap().to_owned();
        assert!(m.contains("\"Mã điểm\"") && m.contains("\"Tên xã, phường\""), "{m}");
        let (_, rows) = sheet_of(&exported);
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            let kept = row.iter().enumerate().filter(|(c, _)| *c != 0 && *c != 6).map(|(_, d)| d);
            for (c, d) in kept.enumerate() {
                let (r, c) = (r as u32, c as u16);
                match d {
                    Data::String(t) => sheet.write_string(r, c, t).map(|_| ()),
                    Data::Float(n) => sheet.write_number(r, c, *n).map(|_| ()),
                    Data::DateTime(d) => sheet.write_number(r, c, d.as_f64()).map(|_| ()),
                    _ => Ok(()),
                }
                .unwrap();
            }
        }
        let (s, body) = post_body(&pc04, Some(XLSX), book.save_to_buffer().unwrap()).await;
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["imported"], 2);
        assert_eq!(pc04.get_json("/api/v1/sites").await.1["total"], 4);
        app.stop().await;
    }
}

#[tokio::test]
async fn unreadable_and_oversized_files_are_refused_plainly() {
    for app in TestApp::all().await {
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let (s, err) = post_body(&pc04, Some(XLSX), b"kind,name,unit,lat,lon\n".to_vec()).await;
        assert_eq!(s, 422, "{} {err}", app.engine);
        assert!(err["error"]["message"].as_str().unwrap().contains("XLSX"), "{err}");
        assert_eq!(err["error"]["problems"][0]["line"], Value::Null);

        // A workbook whose first sheet is empty, and one with headers only.
        let (s, err) = post_body(&pc04, Some(XLSX), workbook(&[])).await;
        assert_eq!(s, 422);
        assert!(err["error"]["message"].as_str().unwrap().contains("rang tính đầu tiên"), "{err}");
        let (s, err) = post_body(&pc04, Some(XLSX), workbook(&[vi_header()])).await;
        assert_eq!(s, 422);
        assert!(err["error"]["message"].as_str().unwrap().contains("không có dòng"), "{err}");
        // An unknown header, with its column letter.
        let mut header = vi_header();
        header.push(Text("Màu"));
        let (s, err) = post_body(&pc04, Some(XLSX), workbook(&[header])).await;
        assert_eq!(s, 422);
        assert!(err["error"]["message"].as_str().unwrap().contains("\"Màu\" (I)"), "{err}");

        // Larger than 10 MiB: 413 with a JSON error, before anything is read.
        let big = vec![b'a'; 10 * 1024 * 1024 + 1];
        let (s, err) = post_body(&pc04, Some("text/csv"), big).await;
        assert_eq!(s, 413, "{err}");
        assert_eq!(err["error"]["code"], "payload_too_large");
        assert!(err["error"]["message"].as_str().unwrap().contains("10 MiB"), "{err}");
        assert_eq!(pc04.get_json("/api/v1/sites").await.1["total"], 0);

        // A role that may not write.
        let leader = app.login_as(Role::Leader, "51").await;
        assert_eq!(post_body(&leader, Some(XLSX), workbook(&[vi_header()])).await.0, 403);
        app.stop().await;
    }
}

fn upload_form(csrf: Option<&str>, file_name: &str, mime: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    if let Some(c) = csrf {
        form = form.text("csrf_token", c.to_owned());
    }
    let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()).mime_str(mime).unwrap();
    form.part("file", part)
}

async fn upload(u: &UserClient, form: reqwest::multipart::Form) -> reqwest::Response {
    u.client.post(u.url("/sites/import")).multipart(form).send().await.expect("upload")
}

#[tokio::test]
async fn import_page_uploads_with_a_report_or_a_count() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;

        // The list offers both exports and, to writers, the import.
        let html = kt.get("/sites").await.text().await.unwrap();
        assert!(html.contains("/api/v1/sites/export.xlsx") && html.contains("Xuất XLSX"), "{}", app.engine);
        assert!(html.contains("href=\"/sites/import\""));
        let leader = app.login_as(Role::Leader, "51").await;
        let html = leader.get("/sites").await.text().await.unwrap();
        assert!(html.contains("Xuất XLSX") && !html.contains("href=\"/sites/import\""));
        assert_eq!(leader.get("/sites/import").await.status().as_u16(), 403);
        assert_eq!(leader.get("/sites/import/template.xlsx").await.status().as_u16(), 403);

        let r = kt.get("/sites/import").await;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
        assert!(html.contains("name=\"csrf_token\""));
        assert!(html.contains("accept=\".csv,.xlsx"));
        assert!(html.contains("<code>unit</code></td><td>Mã xã, phường</td>"), "columns listed");

        // The template: the import headers and one example row in the officer's commune,
        // which an import refuses as it is.
        let (s, ct, template) = get_bytes(&kt, "/sites/import/template.xlsx").await;
        assert_eq!((s, ct.as_str()), (200, XLSX));
        let (name, rows) = sheet_of(&template);
        assert_eq!(name, "Điểm tụ điểm");
        assert_eq!(rows.len(), 2);
        assert_eq!(text(&rows[0][4]), "Mã xã, phường");
        assert_eq!(rows[1][4], Data::String(KON_TUM.into()));
        let r = upload(&kt, upload_form(Some(&kt.csrf), "mau.xlsx", XLSX, template)).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("dòng ví dụ"));

        // Without the CSRF field: refused before anything is read.
        let csv = "kind,name,unit,lat,lon,on\npoint,Điểm 1,23293,14.355,108.014,2024-03-01\n";
        let r = upload(&kt, upload_form(None, "ds.csv", "text/csv", csv.as_bytes().to_vec())).await;
        assert_eq!(r.status().as_u16(), 403);
        let r = upload(
            &kt,
            upload_form(Some("not-the-token-not-the-token-0000"), "ds.csv", "text/csv", csv.into()),
        )
        .await;
        assert_eq!(r.status().as_u16(), 403);

        // No file chosen.
        let r = upload(&kt, upload_form(Some(&kt.csrf), "", "application/octet-stream", Vec::new())).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.unwrap().contains("Chọn một tệp CSV hoặc XLSX"));

        // A bad row: the page again with the report, nothing imported.
        let bad = workbook(&[
            vi_header(),
            vec![Text("point"), Blank, Text("Điểm 1"), Num(23293.0), Num(14.355), Num(108.014), Blank, Blank],
            vec![Text("point"), Blank, Text("Điểm 2"), Num(23293.0), Num(200.0), Num(108.014), Blank, Blank],
        ]);
        let r = upload(&kt, upload_form(Some(&kt.csrf), "ds.xlsx", XLSX, bad)).await;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Không điểm nào được nhập"), "{html}");
        assert!(html.contains("<td class=\"num\">3</td><td>Vĩ độ (lat)</td>"), "{html}");
        assert!(html.contains("name=\"file\""), "the form again");
        assert_eq!(kt.get_json("/api/v1/sites").await.1["total"], 0);

        // Success: back to the list, which says how many.
        let two = format!("{csv}cluster,Điểm 2,23293,14.36,108.02,2024-03-02\n");
        let r = upload(&kt, upload_form(Some(&kt.csrf), "ds.csv", "text/csv", two.into_bytes())).await;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/sites");
        let html = kt.get("/sites").await.text().await.unwrap();
        assert!(html.contains("Đã nhập 2 điểm."), "{html}");
        assert_eq!(kt.get_json("/api/v1/sites").await.1["total"], 2);
        let imports = audit_entries(&app, "site.import").await;
        assert_eq!(imports.len(), 1);
        app.stop().await;
    }
}
