//! Issue 19 (outside security test), items 1, 2, 4, 5 and 8, on every available engine:
//! hostile workbooks are refused before they are read, control characters and bad
//! UTF-8 are refused at the edge with 400 (never a 500 from PostgreSQL), CSV exports
//! cannot carry formulas, and import errors say what is wrong and what the limit is.
//! Every hostile file is generated here.

mod common;
mod support;

use common::TestApp;
use diaban_domain::access::Role;
use diaban_web::fuzz::{SHEET_END, SHEET_START, import_header_row, text_cell, workbook};
use serde_json::{Value, json};

const KON_TUM: &str = "23293";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_owned()
}

/// The 1.5 KB workbook of the finding: a header row and one cell at XFD1048576.
fn far_cell_workbook() -> Vec<u8> {
    let sheet = format!(
        r#"{SHEET_START}{}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>{SHEET_END}"#,
        import_header_row()
    );
    workbook(&sheet, None)
}

async fn post_file(
    client: &common::UserClient,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let r = client
        .client
        .post(client.url(path))
        .header("content-type", content_type)
        .header("x-csrf-token", client.csrf.clone())
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_workbook_with_a_cell_at_xfd1048576_is_refused_and_the_server_lives() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let body = far_cell_workbook();
        assert!(body.len() < 4096, "{} bytes", body.len());
        let (s, v) = post_file(&kt, "/api/v1/sites/import", XLSX, body.clone()).await;
        assert_eq!(s, 422, "{v}");
        let m = message(&v);
        assert!(m.contains("XFD1048576") && m.contains("20.000"), "{m}");
        // A declared dimension alone is enough to be refused.
        let declared = format!(r#"{SHEET_START}{}{SHEET_END}"#, import_header_row())
            .replace("<sheetData>", r#"<dimension ref="A1:XFD1048576"/><sheetData>"#);
        let (s, v) = post_file(&kt, "/api/v1/sites/import", XLSX, workbook(&declared, None)).await;
        assert_eq!(s, 422, "{v}");
        // Still serving.
        assert_eq!(app.get_json("/healthz").await.0, 200);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_zip_bomb_sheet_is_refused_by_its_compression_ratio() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        // 40 MiB of spaces inside the sheet deflate to a few tens of KiB.
        let padding = " ".repeat(40 * 1024 * 1024);
        let sheet = format!("{SHEET_START}{}{padding}{SHEET_END}", import_header_row());
        let (s, v) = post_file(&kt, "/api/v1/sites/import", XLSX, workbook(&sheet, None)).await;
        assert_eq!(s, 422, "{v}");
        assert!(message(&v).contains("nén"), "{v}");
        app.stop().await;
    }
}

#[tokio::test]
async fn nul_in_json_and_forms_is_a_400_on_every_engine_and_nothing_is_stored() {
    for app in TestApp::all().await {
        // The anonymous sign-in of the finding.
        let r = reqwest::Client::new()
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": "admin\u{0}", "password": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{}", app.engine);
        let v: Value = r.json().await.unwrap();
        assert!(message(&v).contains("U+0000"), "{v}");
        // POST /api/v1/routes of the finding.
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        let route = json!({"name": "Quốc lộ\u{0}14", "mode": "road", "valid_from": "2025-01-01",
                           "units": [KON_TUM, "20242"]});
        let (s, v) = pc04.post_json("/api/v1/routes", &route).await;
        assert_eq!(s, 400, "{} {v}", app.engine);
        // A site through the API, with an escape character in a key of the body.
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let site =
            json!({"kind": "point", "name": "Nhà\u{7}trọ", "unit": KON_TUM, "lat": 14.35, "lon": 108.0});
        let (s, _) = kt.post_json("/api/v1/sites", &site).await;
        assert_eq!(s, 400);
        let (_, list) = kt.get_json("/api/v1/sites").await;
        assert_eq!(list["total"], 0, "{list}");
        // A query string.
        let (s, v) = kt.get_json("/api/v1/sites?q=a%00b").await;
        assert_eq!(s, 400, "{v}");
        // A page form, and a form that is not UTF-8: refused, not silently repaired.
        let r = kt.post_form("/sites", &[("name", "a\u{0}b"), ("kind", "point")]).await;
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.text().await.unwrap().contains("U+0000"));
        let r = kt
            .client
            .post(kt.url("/sites"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-csrf-token", kt.csrf.clone())
            .body("kind=point&name=Nh%E0+tr%F4")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.text().await.unwrap().contains("UTF-8"));
        app.stop().await;
    }
}

#[tokio::test]
async fn control_characters_in_import_cells_are_named_by_line() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let csv = format!(
            "kind,name,unit,lat,lon\npoint,A,{KON_TUM},14.3,108.0\npoint,B\u{0}x,{KON_TUM},14.3,108.0\n"
        );
        let (s, v) = post_file(&kt, "/api/v1/sites/import", "text/csv", csv.into_bytes()).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["error"]["problems"][0]["line"], 3, "{v}");
        let sheet = format!(
            r#"{SHEET_START}{}<row r="2">{}{}{}{}{}</row>{SHEET_END}"#,
            import_header_row(),
            text_cell("A2", "point"),
            text_cell("B2", "Nhà\u{9b}trọ"),
            text_cell("C2", KON_TUM),
            text_cell("D2", "14.3"),
            text_cell("E2", "108.0"),
        );
        let (s, v) = post_file(&kt, "/api/v1/sites/import", XLSX, workbook(&sheet, None)).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["error"]["problems"][0]["line"], 2, "{v}");
        assert_eq!(v["error"]["problems"][0]["field"], "name", "{v}");
        let (_, list) = kt.get_json("/api/v1/sites").await;
        assert_eq!(list["total"], 0);
        app.stop().await;
    }
}

#[tokio::test]
async fn csv_exports_neutralise_formulas() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        let formula = "=HYPERLINK(\"http://example.invalid\",\"x\")";
        let site = json!({"kind": "point", "name": formula, "address": "+1+1", "unit": KON_TUM, "lat": 14.35, "lon": 108.0});
        let (s, v) = kt.post_json("/api/v1/sites", &site).await;
        assert_eq!(s, 201, "{v}");
        let (s, v) = kt
            .post_json(
                "/api/v1/businesses",
                &json!({"name": "=1+1", "line": "karaoke", "unit": KON_TUM, "certificate_no": "@x"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let activity = json!({"held_on": "2026-03-02", "organiser": "-2+3", "venue_type": "school", "place": "=1+1",
                              "form": "meeting", "participants": 10, "materials": 0, "topic": "@SUM(A1)"});
        let (s, v) = kt.post_json("/api/v1/propaganda", &activity).await;
        assert_eq!(s, 201, "{v}");
        for path in
            ["/api/v1/sites/export.csv", "/api/v1/businesses/export.csv", "/api/v1/propaganda/export.csv"]
        {
            let text = kt.get(path).await.text().await.unwrap();
            for line in text.lines().skip(1) {
                for cell in line.split(',') {
                    let cell = cell.trim_start_matches('"');
                    assert!(!cell.starts_with(['=', '@']), "{path}: {line}");
                    assert!(!cell.starts_with('+') || cell[1..].parse::<f64>().is_ok(), "{path}: {line}");
                }
            }
            assert!(text.contains("'=") || text.contains("'@") || text.contains("'-"), "{path}: {text}");
        }
        // The persons export (identities) and the audit log.
        let pc04 = app.login_as(Role::ProvinceOfficer, "51").await;
        support::add_person(&app, KON_TUM, "=1+1", &support::fresh_id_number()).await;
        let text = pc04.get("/api/v1/persons/export.csv").await.text().await.unwrap();
        assert!(text.contains("'=1+1"), "{text}");
        let auditor = app.login_as(Role::Auditor, "51").await;
        let text = auditor.get("/audit.csv").await.text().await.unwrap();
        assert!(!text.lines().skip(1).any(|l| l.split(',').any(|c| c.starts_with('='))), "{text}");
        app.stop().await;
    }
}

#[tokio::test]
async fn import_errors_name_the_encoding_and_the_limits() {
    for app in TestApp::all().await {
        let kt = app.login_as(Role::CommuneOfficer, KON_TUM).await;
        // "Nhà trọ" in Windows-1258: à is 0xE0, ọ is o + combining dot below (0xF2).
        let cp1258 = b"kind,name,unit,lat,lon\npoint,Nh\xe0 tro\xf2,23293,14.3,108.0\n".to_vec();
        let (s, v) = post_file(&kt, "/api/v1/sites/import", "text/csv", cp1258.clone()).await;
        assert_eq!(s, 422, "{v}");
        let m = message(&v);
        assert!(m.contains("UTF-8") && m.contains("Windows-1258") && m.contains("dòng 2"), "{m}");
        let (s, v) = post_file(&kt, "/api/v1/incidents/import", "text/csv", cp1258).await;
        assert_eq!(s, 400, "{v}");
        assert!(message(&v).contains("Windows-1258"), "{v}");
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("kind,name".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let (_, v) = post_file(&kt, "/api/v1/sites/import", "text/csv", utf16).await;
        assert!(message(&v).contains("UTF-16"), "{v}");
        // A 3 MB incidents file: a clear message with the limit, in JSON.
        let mut big = String::from("lat,lon,date,kind\n");
        while big.len() < 3_000_000 {
            big.push_str("14.35,108.00,2026-01-05,use\n");
        }
        let (s, v) = post_file(&kt, "/api/v1/incidents/import", "text/csv", big.into_bytes()).await;
        assert_eq!(s, 413, "{v}");
        assert!(message(&v).contains("2.0 MiB"), "{v}");
        // A sites file over 10 MiB.
        let (s, v) = post_file(&kt, "/api/v1/sites/import", "text/csv", vec![b'a'; 11 * 1024 * 1024]).await;
        assert_eq!(s, 413, "{v}");
        assert!(message(&v).contains("10 MiB"), "{v}");
        app.stop().await;
    }
}
