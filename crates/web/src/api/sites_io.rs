//! The drug-site registry as files: CSV and XLSX exports of the sites in the caller's
//! scope (the list's filters, audited as `site.export`), and the all-or-nothing import
//! of a provincial list from CSV or XLSX. [`read`] turns either format into rows of
//! (line, field → text); [`parse_import`] validates every row as a single site would be
//! and names each bad row by its line and field. The import page
//! (`pages::sites_import`) uses the same functions.

mod read;

pub(crate) use read::{Format, Problem, XLSX_MIME};

use crate::AppState;
use crate::api::ApiQuery;
use crate::api::sites::{ListQuery, filter_of, tr_of};
use crate::auth::actions::{ReadSites, WriteSites};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::i18n::Tr;
use crate::site_input::{self, Loose, SiteInput};
use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use diaban_domain::site::{SiteKind, SiteState};
use diaban_store::audit;
use diaban_store::sites::{self, NewSite, Site};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, Worksheet, XlsxError};
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: ReadSites, scoped, audited.
        .route("/sites/export.csv", get(export_csv))
        // Access: ReadSites, scoped, audited (the same entry as the CSV export).
        .route("/sites/export.xlsx", get(export_xlsx))
        // Access: WriteSites; every row must be in the caller's scope; all or nothing.
        .route("/sites/import", post(import))
}

/// Reads a file's rows without validating them: their number, or the messages of the
/// problems (the fuzz harness's way in).
pub(crate) fn read_rows(body: &[u8], format: Format, tr: Tr) -> Result<usize, Vec<String>> {
    read::read(body, format, tr)
        .map(|rows| rows.len())
        .map_err(|ps| ps.into_iter().map(|p| p.message).collect())
}

/// The largest import file.
pub(crate) const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
/// The most data rows an import takes (every row is validated against the units).
pub(crate) const MAX_IMPORT_ROWS: usize = 10_000;
/// The worksheet of the XLSX export and template.
pub(crate) const SHEET_NAME: &str = "Điểm tụ điểm";
/// The name of the template's example row; an import refuses a row still carrying it.
pub(crate) const EXAMPLE_NAME: &str = "VÍ DỤ - xóa dòng này";

/// One column an import reads.
pub(crate) struct Column {
    /// The API name: the CSV header and the field it fills.
    pub key: &'static str,
    /// The Vietnamese header the XLSX export and template write (accepted on import).
    pub header_vi: &'static str,
    /// The export's API name of the same field, where it differs (accepted on import).
    pub export_key: Option<&'static str>,
    /// The translation key of what it holds.
    pub label: &'static str,
    /// Whether every import must have it.
    pub required: bool,
    /// Its width in the XLSX files, in characters.
    pub width: f64,
}

const fn col(
    key: &'static str,
    header_vi: &'static str,
    label: &'static str,
    required: bool,
    width: f64,
) -> Column {
    Column { key, header_vi, export_key: None, label, required, width }
}

/// The columns an import reads, by header (any order). An XLSX export re-imports where
/// the columns overlap: its `unit_code` and `state_since` are `unit` and `on`.
pub(crate) const IMPORT_COLUMNS: [Column; 13] = [
    col("kind", "Loại", "sites.kind", true, 26.0),
    col("hot_spot", "Điểm nóng", "sites.hot_spot", false, 10.0),
    col("name", "Tên điểm", "sites.name", true, 32.0),
    col("address", "Địa chỉ", "sites.address", false, 32.0),
    Column {
        export_key: Some("unit_code"), ..col("unit", "Mã xã, phường", "sites.unit_code", true, 14.0)
    },
    col("lat", "Vĩ độ", "sites.lat", true, 11.0),
    col("lon", "Kinh độ", "sites.lon", true, 12.0),
    col("state", "Trạng thái", "sites.first_state", false, 30.0),
    Column { export_key: Some("state_since"), ..col("on", "Từ ngày", "sites.on", false, 12.0) },
    col("business_ref", "Cơ sở kinh doanh có điều kiện liên quan", "sites.business_ref", false, 28.0),
    col("found_how", "Nguồn phát hiện", "sites.found_how", false, 24.0),
    col("description", "Mô tả", "sites.description", false, 40.0),
    col("note", "Ghi chú", "sites.note", false, 30.0),
];

/// Columns only the export writes (API name, Vietnamese header, width). An import
/// refuses them by name: it always creates new sites, so an `id` would mislead.
pub(crate) const EXPORT_ONLY: [(&str, &str, f64); 2] =
    [("id", "Mã điểm", 9.0), ("unit_name", "Tên xã, phường", 24.0)];

/// The columns of the exports, in order (the CSV header; the XLSX writes their
/// Vietnamese headers).
pub(crate) const CSV_HEADER: [&str; 14] = [
    "id",
    "kind",
    "hot_spot",
    "name",
    "address",
    "unit_code",
    "unit_name",
    "lat",
    "lon",
    "state",
    "state_since",
    "business_ref",
    "found_how",
    "description",
];

/// The Vietnamese header and width of an export column.
fn export_header(key: &'static str) -> (&'static str, f64) {
    IMPORT_COLUMNS
        .iter()
        .find(|c| c.key == key || c.export_key == Some(key))
        .map(|c| (c.header_vi, c.width))
        .or_else(|| EXPORT_ONLY.iter().find(|(k, ..)| *k == key).map(|(_, h, w)| (*h, *w)))
        .unwrap_or((key, 10.0))
}

/// Every site in the caller's scope matching the list's filters (no paging).
async fn sites_for_export(state: &AppState, who: &Identity, q: &ListQuery) -> Result<Vec<Site>, AppError> {
    let mut f = filter_of(state, q, u64::MAX >> 1).await?;
    f.limit = 0;
    f.offset = 0;
    Ok(sites::list(&state.db, who.scope(), &f).await?.0)
}

async fn audit_export(state: &AppState, who: &Identity, count: usize) -> Result<(), AppError> {
    audit::append(&state.db, &who.audit("site.export", "site", count)).await?;
    Ok(())
}

/// The sites in the caller's scope matching the filter, as CSV.
pub(crate) async fn csv_of(state: &AppState, who: &Identity, q: &ListQuery) -> Result<Vec<u8>, AppError> {
    let items = sites_for_export(state, who, q).await?;
    let mut w = crate::export::CsvOut::new();
    let io = |e: csv::Error| AppError::internal(e);
    w.write_record(CSV_HEADER).map_err(io)?;
    for s in &items {
        w.write_record([
            s.id.to_string(),
            s.kind.as_str().to_owned(),
            s.hot_spot.to_string(),
            s.name.clone(),
            s.address.clone(),
            s.unit_code.clone(),
            s.unit_name.clone(),
            format!("{:.6}", s.lat),
            format!("{:.6}", s.lon),
            s.state.as_str().to_owned(),
            s.state_since.to_string(),
            s.business_ref.clone().unwrap_or_default(),
            s.found_how.clone(),
            s.description.clone(),
        ])
        .map_err(io)?;
    }
    let body = w.into_inner().map_err(|e| AppError::internal(e.to_string()))?;
    audit_export(state, who, items.len()).await?;
    Ok(body)
}

/// The sites in the caller's scope matching the filter, as an XLSX workbook.
pub(crate) async fn xlsx_of(state: &AppState, who: &Identity, q: &ListQuery) -> Result<Vec<u8>, AppError> {
    let items = sites_for_export(state, who, q).await?;
    let body = sites_workbook(&items).map_err(AppError::internal)?;
    audit_export(state, who, items.len()).await?;
    Ok(body)
}

async fn export_csv(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let body = csv_of(&state, &who, &q).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"sites.csv\""),
        ],
        body,
    ))
}

async fn export_xlsx(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let body = xlsx_of(&state, &who, &q).await?;
    Ok(xlsx_response(body, "sites.xlsx"))
}

/// An XLSX file to download.
pub(crate) fn xlsx_response(body: Vec<u8>, file_name: &'static str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    ([(CONTENT_TYPE, XLSX_MIME.to_owned()), (CONTENT_DISPOSITION, disposition)], body).into_response()
}

/// A sheet named [`SHEET_NAME`] with a bold, frozen header row and the columns' widths.
fn start_sheet(sheet: &mut Worksheet, headers: &[(&str, f64)]) -> Result<(), XlsxError> {
    sheet.set_name(SHEET_NAME)?;
    let bold = CellFormat::new().set_bold();
    for (c, (header, width)) in headers.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, *header, &bold)?;
        sheet.set_column_width(c, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// Writes text, leaving the cell blank when there is none.
fn write_text(sheet: &mut Worksheet, row: u32, col: u16, text: &str) -> Result<(), XlsxError> {
    if !text.is_empty() {
        sheet.write_string(row, col, text)?;
    }
    Ok(())
}

/// Yes or no as the sheets write it.
fn yes_no(b: bool) -> &'static str {
    if b { "Có" } else { "Không" }
}

/// The export workbook: the [`CSV_HEADER`] columns under Vietnamese headers, kinds and
/// states by their Vietnamese labels, numbers as numbers, dates as dates.
pub(crate) fn sites_workbook(items: &[Site]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headers: Vec<(&str, f64)> = CSV_HEADER.iter().map(|k| export_header(k)).collect();
    start_sheet(sheet, &headers)?;
    let date = CellFormat::new().set_num_format("dd/mm/yyyy");
    let coordinate = CellFormat::new().set_num_format("0.000000");
    for (i, s) in items.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, s.id as f64)?;
        write_text(sheet, r, 1, s.kind.label_vi())?;
        write_text(sheet, r, 2, yes_no(s.hot_spot))?;
        write_text(sheet, r, 3, &s.name)?;
        write_text(sheet, r, 4, &s.address)?;
        // Text, so that codes keep their leading zeros (00004).
        write_text(sheet, r, 5, &s.unit_code)?;
        write_text(sheet, r, 6, &s.unit_name)?;
        sheet.write_number_with_format(r, 7, s.lat, &coordinate)?;
        sheet.write_number_with_format(r, 8, s.lon, &coordinate)?;
        write_text(sheet, r, 9, s.state.label_vi())?;
        sheet.write_datetime_with_format(r, 10, excel_date(s.state_since)?, &date)?;
        write_text(sheet, r, 11, s.business_ref.as_deref().unwrap_or(""))?;
        write_text(sheet, r, 12, &s.found_how)?;
        write_text(sheet, r, 13, &s.description)?;
    }
    sheet.autofilter(0, 0, items.len() as u32, CSV_HEADER.len() as u16 - 1)?;
    book.save_to_buffer()
}

/// The import template: the import columns' Vietnamese headers and one example row
/// (named [`EXAMPLE_NAME`], so that an untouched template is refused).
pub(crate) fn template_workbook(
    unit_code: &str,
    lat: f64,
    lon: f64,
    on: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headers: Vec<(&str, f64)> = IMPORT_COLUMNS.iter().map(|c| (c.header_vi, c.width)).collect();
    start_sheet(sheet, &headers)?;
    let date = CellFormat::new().set_num_format("dd/mm/yyyy");
    let coordinate = CellFormat::new().set_num_format("0.000000");
    for (c, column) in IMPORT_COLUMNS.iter().enumerate() {
        let c = c as u16;
        match column.key {
            "kind" => write_text(sheet, 1, c, SiteKind::Point.label_vi())?,
            "hot_spot" => write_text(sheet, 1, c, yes_no(false))?,
            "name" => write_text(sheet, 1, c, EXAMPLE_NAME)?,
            "address" => write_text(sheet, 1, c, "Thôn 1")?,
            "unit" => write_text(sheet, 1, c, unit_code)?,
            "lat" => {
                sheet.write_number_with_format(1, c, lat, &coordinate)?;
            }
            "lon" => {
                sheet.write_number_with_format(1, c, lon, &coordinate)?;
            }
            "state" => write_text(sheet, 1, c, SiteState::Reported.label_vi())?,
            "on" => {
                sheet.write_datetime_with_format(1, c, excel_date(on)?, &date)?;
            }
            "found_how" => write_text(sheet, 1, c, "Tin báo của quần chúng")?,
            _ => {}
        }
    }
    sheet.autofilter(0, 0, 1, IMPORT_COLUMNS.len() as u16 - 1)?;
    book.save_to_buffer()
}

/// The API code of a kind or state written as its code or its Vietnamese or English
/// label (as the XLSX export writes it); otherwise the text as it is, for the
/// validation to refuse.
fn code_of<T: Copy>(
    text: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    labels: [fn(T) -> &'static str; 2],
) -> String {
    let t = text.trim().to_lowercase();
    all.iter()
        .find(|v| t == code(**v) || labels.iter().any(|l| t == l(**v).to_lowercase()))
        .map_or_else(|| text.trim().to_owned(), |v| code(*v).to_owned())
}

/// The hot-spot flag as written in a file; None when it is neither yes nor no.
fn hot_spot_flag(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "false" | "0" | "no" | "không" | "off" => Some(false),
        "true" | "1" | "yes" | "có" | "on" | "x" => Some(true),
        _ => None,
    }
}

/// Reads and validates every row of an import file; returns the sites, or the problems:
/// the file's, or one per bad field naming its line.
pub(crate) async fn parse_import(
    state: &AppState,
    who: &Identity,
    body: &[u8],
    format: Format,
    tr: Tr,
) -> Result<Result<Vec<NewSite>, Vec<Problem>>, AppError> {
    let rows = match read::read(body, format, tr) {
        Ok(rows) => rows,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut ok = Vec::with_capacity(rows.len());
    let mut bad = Vec::new();
    for row in &rows {
        let mut errors: Vec<(&'static str, String)> =
            row.bad_cells.iter().map(|(k, m)| (*k, m.clone())).collect();
        let hot_spot = hot_spot_flag(row.get("hot_spot"));
        if hot_spot.is_none() {
            errors.push(("hot_spot", tr.t("sites_io.bad_hot_spot").to_owned()));
        }
        if row.get("name") == EXAMPLE_NAME {
            errors.push(("name", tr.t("sites_io.example_row").to_owned()));
        }
        let text = |k: &str| row.get(k).to_owned();
        let loose = |k: &str| Some(Loose::Text(text(k))).filter(|_| !row.get(k).is_empty());
        let input = SiteInput {
            kind: code_of(
                row.get("kind"),
                &SiteKind::ALL,
                SiteKind::as_str,
                [SiteKind::label_vi, SiteKind::label_en],
            ),
            hot_spot: hot_spot.map(Loose::Bool),
            name: text("name"),
            description: text("description"),
            address: text("address"),
            unit: text("unit"),
            lat: loose("lat"),
            lon: loose("lon"),
            business_ref: text("business_ref"),
            found_how: text("found_how"),
            responsible: None,
            state: code_of(
                row.get("state"),
                &SiteState::ALL,
                SiteState::as_str,
                [SiteState::label_vi, SiteState::label_en],
            ),
            on: text("on"),
            note: text("note"),
        };
        match site_input::validate(state, who, &input, tr).await? {
            Ok(site) if errors.is_empty() => ok.push(site),
            Ok(_) => {}
            Err(more) => {
                // A field whose cell could not be read is named once.
                let named: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
                let more: Vec<_> = more.into_iter().filter(|(f, _)| !named.contains(f)).collect();
                errors.extend(more);
            }
        }
        bad.extend(errors.into_iter().map(|(f, m)| Problem::at(row.line, Some(f), m)));
    }
    Ok(if bad.is_empty() { Ok(ok) } else { Err(bad) })
}

/// The problems in one message: the file's, then each bad line with its fields.
pub(crate) fn problems_message(problems: &[Problem]) -> String {
    let file: Vec<&str> = problems.iter().filter(|p| p.line.is_none()).map(|p| p.message.as_str()).collect();
    let mut lines: Vec<(usize, Vec<String>)> = Vec::new();
    for p in problems {
        let Some(line) = p.line else { continue };
        let text = match p.field {
            Some(f) => format!("{f}: {}", p.message),
            None => p.message.clone(),
        };
        match lines.iter_mut().find(|(l, _)| *l == line) {
            Some((_, texts)) => texts.push(text),
            None => lines.push((line, vec![text])),
        }
    }
    let mut out = String::from("nothing was imported");
    if !file.is_empty() {
        out.push_str(": ");
        out.push_str(&file.join("; "));
    }
    if !lines.is_empty() {
        let rows: Vec<String> = lines.iter().map(|(l, t)| format!("line {l}: {}", t.join("; "))).collect();
        out.push_str(&format!("; {} bad row(s): {}", lines.len(), rows.join(" | ")));
    }
    out
}

/// 422 with the message and each problem as data.
fn problems_response(problems: &[Problem]) -> Response {
    let list: Vec<Value> =
        problems.iter().map(|p| json!({"line": p.line, "field": p.field, "message": p.message})).collect();
    let body = json!({"error": {
        "code": ErrorKind::Unprocessable.code(),
        "message": problems_message(problems),
        "problems": list,
    }});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn too_large(tr: Tr) -> AppError {
    let m = tr.t("sites_io.too_large").replace("{mb}", &(MAX_IMPORT_BYTES >> 20).to_string());
    AppError::told(ErrorKind::PayloadTooLarge, m)
}

async fn import(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let tr = tr_of(&who);
    let declared =
        headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_IMPORT_BYTES as u64) {
        return Err(too_large(tr).into());
    }
    let body = axum::body::to_bytes(body, MAX_IMPORT_BYTES).await.map_err(|_| too_large(tr))?;
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let format = Format::detect(content_type, None, &body);
    match parse_import(&state, &who, &body, format, tr).await? {
        Err(problems) => Ok(problems_response(&problems)),
        Ok(list) => {
            let ids = sites::create_many(
                &state.db,
                &list,
                Some(who.user.id),
                Some(who.audit("site.import", "site", "")),
            )
            .await?;
            Ok((StatusCode::CREATED, Json(json!({"imported": ids.len(), "ids": ids}))).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_read_by_code_or_label() {
        let kind =
            |t: &str| code_of(t, &SiteKind::ALL, SiteKind::as_str, [SiteKind::label_vi, SiteKind::label_en]);
        assert_eq!(kind("cluster"), "cluster");
        assert_eq!(kind(" Tụ điểm phức tạp về ma túy "), "cluster");
        assert_eq!(kind("drug point"), "point");
        assert_eq!(kind("hub"), "hub");
        let state = |t: &str| {
            code_of(t, &SiteState::ALL, SiteState::as_str, [SiteState::label_vi, SiteState::label_en])
        };
        assert_eq!(state("Đã xác minh, đưa vào danh sách"), "listed");
        assert_eq!(state(""), "");
    }

    #[test]
    fn hot_spot_reads_yes_and_no_in_both_languages() {
        assert_eq!(hot_spot_flag("Có"), Some(true));
        assert_eq!(hot_spot_flag("KHÔNG"), Some(false));
        assert_eq!(hot_spot_flag(""), Some(false));
        assert_eq!(hot_spot_flag("true"), Some(true));
        assert_eq!(hot_spot_flag("maybe"), None);
    }

    #[test]
    fn export_headers_reuse_the_import_headers() {
        assert_eq!(export_header("unit_code").0, "Mã xã, phường");
        assert_eq!(export_header("state_since").0, "Từ ngày");
        assert_eq!(export_header("id").0, "Mã điểm");
        for key in CSV_HEADER {
            assert_ne!(export_header(key).0, key, "{key} has no Vietnamese header");
        }
    }

    #[test]
    fn the_message_groups_problems_by_line() {
        let m = problems_message(&[
            Problem::at(3, Some("unit"), "no commune (99999)"),
            Problem::at(3, Some("lat"), "bad"),
            Problem::at(5, Some("kind"), "unknown"),
        ]);
        assert_eq!(
            m,
            "nothing was imported; 2 bad row(s): line 3: unit: no commune (99999); lat: bad | line 5: kind: unknown"
        );
        assert_eq!(
            problems_message(&[Problem::file("not a workbook")]),
            "nothing was imported: not a workbook"
        );
    }
}
