//! `/api/v1/businesses`: conditional businesses (ND 96/2016 as amended), their
//! inspections, links to drug sites, the list of those not inspected within the
//! parameter period, and CSV/XLSX exports. Read under the sites' rules (`ReadSites`),
//! written with `ManageBusinesses`; scoped by the business's commune. Shared with the
//! pages.

use crate::AppState;
use crate::api::sites::tr_of;
use crate::api::sites_io::xlsx_response;
use crate::api::{ApiQuery, parse_u64};
use crate::auth::actions::{ManageBusinesses, ReadSites};
use crate::auth::{Authorized, Identity};
use crate::error::{ApiError, AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use crate::site_input::{Loose, parse_date, unit_in_scope};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use diaban_domain::UnitLevel;
use diaban_domain::business::{BusinessLine, InspectionKind, inspection_cutoff};
use diaban_domain::site::LatLon;
use diaban_store::businesses::{self, Business, BusinessError, BusinessFilter, NewBusiness, NewInspection};
use diaban_store::units;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: GET = ReadSites, POST = ManageBusinesses; scoped; audited.
        .route("/businesses", get(list).post(create_route))
        // Access: ReadSites; scoped; audited as business.export.
        .route("/businesses/export.csv", get(export_csv))
        // Access: ReadSites; scoped; audited as business.export.
        .route("/businesses/export.xlsx", get(export_xlsx))
        // Access: ReadSites; scoped (404 outside).
        .route("/businesses/{id}", get(detail))
        // Access: ManageBusinesses; the business in scope (else 404); audited.
        .route("/businesses/{id}/inspections", post(inspect_route))
        // Access: ManageBusinesses; business and site in scope; audited.
        .route("/businesses/{id}/sites", post(link_route))
}

/// The list filters as typed (shared with the page).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub line: Option<String>,
    pub unit: Option<String>,
    /// `1`: only businesses not inspected within the parameter period.
    pub due: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

pub(crate) async fn filter_of(state: &AppState, q: &ListQuery, max: u64) -> Result<BusinessFilter, AppError> {
    let nonempty =
        |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut f = BusinessFilter::default();
    if let Some(l) = nonempty(&q.line) {
        f.line = Some(l.parse::<BusinessLine>().map_err(|e| AppError::bad_param("line", e))?);
    }
    if let Some(code) = nonempty(&q.unit) {
        let today = diaban_domain::time::today_in_vietnam();
        let u = if diaban_domain::unit::is_valid_unit_code(&code) {
            units::by_code(&state.db, &code, Some(UnitLevel::Commune), today).await?
        } else {
            None
        };
        f.unit_id = Some(
            u.ok_or_else(|| AppError::bad_param("unit", format!("no commune has the code '{code}'")))?.id,
        );
    }
    if matches!(q.due.as_deref(), Some("1" | "true" | "on")) {
        let p = crate::api::escalations::params(state).await?;
        let today = diaban_domain::time::today_in_vietnam();
        f.not_inspected_since = Some(inspection_cutoff(today, p.business_inspection_months));
    }
    f.limit = parse_u64("limit", q.limit.as_deref(), 200, max).map_err(|e| e.0)?;
    f.offset = parse_u64("offset", q.offset.as_deref(), 0, u64::MAX >> 1).map_err(|e| e.0)?;
    Ok(f)
}

async fn list(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter_of(&state, &q, 10_000).await?;
    let (items, total) = businesses::list(&state.db, who.scope(), &f).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

/// A business as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct BusinessInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub line: String,
    #[serde(default)]
    pub certificate_no: String,
    #[serde(default)]
    pub certificate_on: String,
    #[serde(default)]
    pub address: String,
    /// The commune's code.
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub lat: Option<Loose>,
    #[serde(default)]
    pub lon: Option<Loose>,
}

type Errors = Vec<(&'static str, String)>;

fn text_given(l: &Option<Loose>) -> bool {
    match l {
        Some(Loose::Text(s)) => !s.trim().is_empty(),
        Some(_) => true,
        None => false,
    }
}

/// Validates and records a business in the caller's scope.
pub(crate) async fn create(
    state: &AppState,
    who: &Identity,
    input: &BusinessInput,
    tr: Tr,
) -> Result<Result<i64, Errors>, AppError> {
    let mut errors: Errors = Vec::new();
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(("name", tr.t("validation.required").into()));
    }
    for (f, v, max) in [
        ("name", name.as_str(), 200),
        ("certificate_no", input.certificate_no.as_str(), 100),
        ("address", input.address.as_str(), 300),
    ] {
        if v.chars().count() > max {
            errors.push((f, tr.t("validation.too_long").into()));
        }
    }
    let line = input.line.trim().parse::<BusinessLine>().ok();
    if line.is_none() {
        errors.push(("line", tr.t("businesses.bad_line").into()));
    }
    let today = diaban_domain::time::today_in_vietnam();
    let certificate_on = match input.certificate_on.trim() {
        "" => None,
        s => match parse_date(s) {
            Some(d) if d <= today => Some(d),
            Some(_) => {
                errors.push(("certificate_on", tr.t("sites.future_date").into()));
                None
            }
            None => {
                errors.push(("certificate_on", tr.t("validation.date").into()));
                None
            }
        },
    };
    let location = match (text_given(&input.lat), text_given(&input.lon)) {
        (false, false) => None,
        _ => match (input.lat.as_ref().and_then(Loose::number), input.lon.as_ref().and_then(Loose::number)) {
            (Some(lat), Some(lon)) => match LatLon::new(lat, lon) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(("lat", if tr.0 == Lang::Vi { e.message_vi() } else { e.to_string() }));
                    None
                }
            },
            _ => {
                errors.push(("lat", tr.t("sites.bad_coordinate").into()));
                None
            }
        },
    };
    let code = input.unit.trim();
    let unit = if code.is_empty() {
        errors.push(("unit", tr.t("validation.required").into()));
        None
    } else {
        let u = if diaban_domain::unit::is_valid_unit_code(code) {
            units::by_code(&state.db, code, Some(UnitLevel::Commune), today).await?
        } else {
            None
        };
        match u {
            Some(u) if unit_in_scope(&u, who.scope()) => Some(u),
            Some(_) => {
                errors.push(("unit", format!("{} ({code})", tr.t("sites.unit_out_of_scope"))));
                None
            }
            None => {
                errors.push(("unit", format!("{} ({code})", tr.t("sites.unknown_unit"))));
                None
            }
        }
    };
    let (Some(line), Some(unit), true) = (line, unit, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let new = NewBusiness {
        name,
        line,
        certificate_no: input.certificate_no.trim().to_owned(),
        certificate_on,
        address: input.address.trim().to_owned(),
        unit_id: unit.id,
        location,
    };
    let id = businesses::create(
        &state.db,
        &new,
        Some(who.user.id),
        Some(who.audit("business.create", "business", "")),
    )
    .await?;
    Ok(Ok(id))
}

fn joined(errors: &[(&'static str, String)]) -> String {
    errors.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
}

async fn create_route(
    State(state): State<AppState>,
    who: Authorized<ManageBusinesses>,
    Json(input): Json<BusinessInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    match create(&state, &who, &input, tr_of(&who)).await? {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({"id": id})))),
        Err(e) => Err(AppError::new(ErrorKind::Unprocessable, joined(&e)).into()),
    }
}

async fn detail(
    State(state): State<AppState>,
    who: Authorized<ReadSites>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let b = businesses::get(&state.db, id, who.scope())
        .await?
        .ok_or_else(|| AppError::not_found("no such business"))?;
    let inspections = businesses::inspections(&state.db, id).await?;
    let sites = businesses::sites_of(&state.db, id).await?;
    Ok(Json(json!({"business": b, "inspections": inspections, "sites": sites})))
}

/// An inspection as typed or sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct InspectionInput {
    /// planned or ad_hoc.
    #[serde(default)]
    pub kind: String,
    /// The day (not after today).
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub findings: String,
    #[serde(default)]
    pub violations: String,
    #[serde(default)]
    pub sanctions: String,
}

/// Validates and records an inspection; an unknown (or out-of-scope) business is
/// refused with a clear message.
pub(crate) async fn inspect(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &InspectionInput,
    tr: Tr,
) -> Result<Result<i64, Errors>, AppError> {
    let mut errors: Errors = Vec::new();
    let kind = input.kind.trim().parse::<InspectionKind>().ok();
    if kind.is_none() {
        errors.push(("kind", tr.t("businesses.bad_inspection_kind").into()));
    }
    let today = diaban_domain::time::today_in_vietnam();
    let on = match parse_date(&input.on) {
        Some(d) if d <= today => Some(d),
        Some(_) => {
            errors.push(("on", tr.t("sites.future_date").into()));
            None
        }
        None => {
            errors.push(("on", tr.t("validation.date").into()));
            None
        }
    };
    for (f, v) in
        [("findings", &input.findings), ("violations", &input.violations), ("sanctions", &input.sanctions)]
    {
        if v.chars().count() > 4000 {
            errors.push((f, tr.t("validation.too_long").into()));
        }
    }
    let (Some(kind), Some(on), true) = (kind, on, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let i = NewInspection {
        kind,
        on,
        findings: input.findings.clone(),
        violations: input.violations.clone(),
        sanctions: input.sanctions.clone(),
    };
    match businesses::add_inspection(
        &state.db,
        id,
        who.scope(),
        &i,
        Some(who.user.id),
        Some(who.audit("business.inspect", "business", id)),
    )
    .await
    {
        Ok(n) => Ok(Ok(n)),
        Err(BusinessError::UnknownBusiness) => {
            Err(AppError::new(ErrorKind::NotFound, tr.t("businesses.unknown_business")))
        }
        Err(BusinessError::UnknownSite) => Err(AppError::not_found("no such site")),
        Err(BusinessError::Db(e)) => Err(e.into()),
    }
}

async fn inspect_route(
    State(state): State<AppState>,
    who: Authorized<ManageBusinesses>,
    Path(id): Path<i64>,
    Json(input): Json<InspectionInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    match inspect(&state, &who, id, &input, tr_of(&who)).await? {
        Ok(n) => Ok((StatusCode::CREATED, Json(json!({"id": n})))),
        Err(e) => Err(AppError::new(ErrorKind::Unprocessable, joined(&e)).into()),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct LinkInput {
    /// The site's id.
    #[serde(default)]
    pub site_id: Option<Loose>,
}

/// Links a site in scope to a business in scope.
pub(crate) async fn link(
    state: &AppState,
    who: &Identity,
    id: i64,
    input: &LinkInput,
    tr: Tr,
) -> Result<(), AppError> {
    let site = input
        .site_id
        .as_ref()
        .and_then(Loose::number)
        .filter(|n| *n >= 1.0 && n.fract() == 0.0)
        .ok_or_else(|| AppError::new(ErrorKind::Unprocessable, tr.t("tips.site_id_needed")))?;
    businesses::link_site(
        &state.db,
        id,
        site as i64,
        who.scope(),
        Some(who.user.id),
        Some(who.audit("business.link_site", "business", id)),
    )
    .await
    .map_err(|e| match e {
        BusinessError::UnknownBusiness => {
            AppError::new(ErrorKind::NotFound, tr.t("businesses.unknown_business"))
        }
        BusinessError::UnknownSite => AppError::new(ErrorKind::Unprocessable, tr.t("tips.no_such_site")),
        BusinessError::Db(e) => e.into(),
    })
}

async fn link_route(
    State(state): State<AppState>,
    who: Authorized<ManageBusinesses>,
    Path(id): Path<i64>,
    Json(input): Json<LinkInput>,
) -> Result<Json<Value>, ApiError> {
    link(&state, &who, id, &input, tr_of(&who)).await?;
    Ok(Json(json!({"linked": true})))
}

/// The columns of the exports, in order.
const HEADER: [(&str, &str, f64); 11] = [
    ("id", "Mã cơ sở", 9.0),
    ("name", "Tên cơ sở", 30.0),
    ("line", "Ngành nghề", 16.0),
    ("certificate_no", "Số giấy chứng nhận ANTT", 18.0),
    ("certificate_on", "Ngày cấp", 12.0),
    ("address", "Địa chỉ", 30.0),
    ("unit_code", "Mã xã, phường", 10.0),
    ("unit_name", "Tên xã, phường", 24.0),
    ("lat", "Vĩ độ", 11.0),
    ("lon", "Kinh độ", 11.0),
    ("last_inspected_on", "Kiểm tra gần nhất", 14.0),
];

async fn for_export(state: &AppState, who: &Identity, q: &ListQuery) -> Result<Vec<Business>, AppError> {
    let mut f = filter_of(state, q, u64::MAX >> 1).await?;
    f.limit = 0;
    f.offset = 0;
    let items = businesses::list(&state.db, who.scope(), &f).await?.0;
    diaban_store::audit::append(&state.db, &who.audit("business.export", "business", items.len())).await?;
    Ok(items)
}

/// The businesses in scope matching the filter, as CSV (codes, ISO dates).
pub(crate) async fn csv_of(state: &AppState, who: &Identity, q: &ListQuery) -> Result<Vec<u8>, AppError> {
    let items = for_export(state, who, q).await?;
    let mut w = crate::export::CsvOut::new();
    let io = |e: csv::Error| AppError::internal(e);
    w.write_record(HEADER.map(|h| h.0)).map_err(io)?;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let coord = |c: Option<f64>| c.map(|c| format!("{c:.6}")).unwrap_or_default();
    for b in &items {
        w.write_record([
            b.id.to_string(),
            b.name.clone(),
            b.line.as_str().to_owned(),
            b.certificate_no.clone(),
            date(b.certificate_on),
            b.address.clone(),
            b.unit_code.clone(),
            b.unit_name.clone(),
            coord(b.lat),
            coord(b.lon),
            date(b.last_inspected_on),
        ])
        .map_err(io)?;
    }
    w.into_inner().map_err(|e| AppError::internal(e.to_string()))
}

/// The same as an XLSX workbook (Vietnamese headers and labels, dates as dates).
pub(crate) async fn xlsx_of(state: &AppState, who: &Identity, q: &ListQuery) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
    let items = for_export(state, who, q).await?;
    let write = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Cơ sở kinh doanh")?;
        let bold = Format::new().set_bold();
        for (c, (_, header, width)) in HEADER.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *header, &bold)?;
            sheet.set_column_width(c as u16, *width)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
        let coord_fmt = Format::new().set_num_format("0.000000");
        for (i, b) in items.iter().enumerate() {
            let r = i as u32 + 1;
            sheet.write_number(r, 0, b.id as f64)?;
            sheet.write_string(r, 1, &b.name)?;
            sheet.write_string(r, 2, b.line.label_vi())?;
            sheet.write_string(r, 3, &b.certificate_no)?;
            for (col, d) in [(4u16, b.certificate_on), (10, b.last_inspected_on)] {
                if let Some(d) = d {
                    let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(r, col, x, &date_fmt)?;
                }
            }
            sheet.write_string(r, 5, &b.address)?;
            sheet.write_string(r, 6, &b.unit_code)?;
            sheet.write_string(r, 7, &b.unit_name)?;
            if let (Some(lat), Some(lon)) = (b.lat, b.lon) {
                sheet.write_number_with_format(r, 8, lat, &coord_fmt)?;
                sheet.write_number_with_format(r, 9, lon, &coord_fmt)?;
            }
        }
        sheet.autofilter(0, 0, items.len() as u32, HEADER.len() as u16 - 1)?;
        book.save_to_buffer()
    };
    write().map_err(AppError::internal)
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
            (CONTENT_DISPOSITION, "attachment; filename=\"businesses.csv\""),
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
    Ok(xlsx_response(body, "businesses.xlsx"))
}
