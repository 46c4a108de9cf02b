//! Nhập danh sách: the page that imports a list of drug sites from a CSV or XLSX file,
//! and the XLSX template to fill in. All or nothing: any bad row re-renders the page
//! with a report naming each line and problem, and nothing is written; success goes
//! back to the list with the count. The rules are the API's (`crate::api::sites_io`).

use super::{Crumb, Ctx, Page, redirect_with_flash_count, render};
use crate::AppState;
use crate::api::sites_io::{
    self, Format, IMPORT_COLUMNS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, Problem, xlsx_response,
};
use crate::auth::actions::WriteSites;
use crate::auth::{Authorized, Identity};
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use diaban_domain::UnitLevel;
use diaban_domain::site::{SiteKind, SiteState};
use diaban_store::persons::Scope;
use diaban_store::sites;
use diaban_store::units::UnitFilter;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // Access: WriteSites (officers); every row must lie in the caller's scope; all or
        // nothing. The body may hold a whole import file and the rest of the form.
        .route(
            "/sites/import",
            get(form).post(upload).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 1024 * 1024)),
        )
        // Access: WriteSites (the template holds no data, but only importers need it).
        .route("/sites/import/template.xlsx", get(template))
}

/// An import column, as the page explains it.
pub struct ColumnRow {
    pub key: &'static str,
    pub header: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub values: String,
}

/// A line of the validation report.
pub struct ProblemRow {
    pub line: String,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "sites_import.html")]
struct ImportPage {
    p: Page,
    columns: Vec<ColumnRow>,
    limits: String,
    error: Option<String>,
    problems: Vec<ProblemRow>,
}

fn label_in(tr: Tr, vi: &'static str, en: &'static str) -> &'static str {
    if tr.0 == Lang::Vi { vi } else { en }
}

fn columns(tr: Tr) -> Vec<ColumnRow> {
    let kinds: Vec<String> = SiteKind::ALL
        .iter()
        .map(|k| format!("{} ({})", k.as_str(), label_in(tr, k.label_vi(), k.label_en())))
        .collect();
    let states: Vec<String> = [SiteState::Reported, SiteState::Listed]
        .iter()
        .map(|s| format!("{} ({})", s.as_str(), label_in(tr, s.label_vi(), s.label_en())))
        .collect();
    IMPORT_COLUMNS
        .iter()
        .map(|c| ColumnRow {
            key: c.key,
            header: c.header_vi,
            label: tr.t(c.label),
            required: c.required,
            values: match c.key {
                "kind" => kinds.join("; "),
                "state" => format!("{}. {}", states.join("; "), tr.t("sites_io.values_state")),
                "hot_spot" => tr.t("sites_io.values_hot_spot").to_owned(),
                "unit" => tr.t("sites_io.values_unit").to_owned(),
                "lat" | "lon" => tr.t("sites_io.values_coordinate").to_owned(),
                "on" => tr.t("sites_io.values_on").to_owned(),
                _ => String::new(),
            },
        })
        .collect()
}

fn problem_rows(problems: &[Problem]) -> Vec<ProblemRow> {
    problems
        .iter()
        .map(|p| ProblemRow {
            line: p.line.map(|l| l.to_string()).unwrap_or_else(|| "—".to_owned()),
            column: p
                .field
                .and_then(|f| IMPORT_COLUMNS.iter().find(|c| c.key == f))
                .map(|c| format!("{} ({})", c.header_vi, c.key))
                .unwrap_or_default(),
            message: p.message.clone(),
        })
        .collect()
}

/// The page, with an error or a report when an upload failed (then 4xx).
async fn page(
    who: &Identity,
    ctx: &Ctx,
    error: Option<String>,
    problems: &[Problem],
    status: StatusCode,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(who));
    let mut p = ctx.page(Some(who), "sites_io.title", "sites").await;
    p.breadcrumbs = vec![
        Crumb { label: tr.t("nav.home").into(), href: Some("/".into()) },
        Crumb { label: tr.t("sites.title").into(), href: Some("/sites".into()) },
        Crumb { label: tr.t("sites_io.import").into(), href: None },
    ];
    let limits = tr
        .t("sites_io.limits")
        .replace("{mb}", &(MAX_IMPORT_BYTES >> 20).to_string())
        .replace("{rows}", &tr.num(MAX_IMPORT_ROWS as i64));
    let page = ImportPage { p, columns: columns(tr), limits, error, problems: problem_rows(problems) };
    let mut r = render(ctx.flash_key.is_some(), &page)?;
    *r.status_mut() = status;
    Ok(r)
}

async fn form(who: Authorized<WriteSites>, ctx: Ctx) -> Result<Response, AppError> {
    page(&who, &ctx, None, &[], StatusCode::OK).await
}

/// The uploaded file: its name, its declared type and its bytes.
struct Upload {
    name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

enum UploadError {
    TooLarge,
    Malformed(String),
}

/// Reads the `file` part, refusing more than [`MAX_IMPORT_BYTES`].
async fn read_upload(mut form: Multipart) -> Result<Option<Upload>, UploadError> {
    let failed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UploadError::TooLarge
        } else {
            UploadError::Malformed(e.body_text())
        }
    };
    let mut upload = None;
    while let Some(mut field) = form.next_field().await.map_err(failed)? {
        if field.name() != Some("file") {
            continue;
        }
        let mut file = Upload {
            name: field.file_name().map(str::to_owned),
            content_type: field.content_type().map(str::to_owned),
            bytes: Vec::new(),
        };
        while let Some(chunk) = field.chunk().await.map_err(failed)? {
            if file.bytes.len() + chunk.len() > MAX_IMPORT_BYTES {
                return Err(UploadError::TooLarge);
            }
            file.bytes.extend_from_slice(&chunk);
        }
        upload = Some(file);
    }
    Ok(upload)
}

async fn upload(
    State(state): State<AppState>,
    who: Authorized<WriteSites>,
    ctx: Ctx,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let tr = ctx.tr(Some(&who));
    let form = form.map_err(|e| AppError::new(ErrorKind::BadRequest, e.body_text()))?;
    let file = match read_upload(form).await {
        Ok(Some(f)) if !f.bytes.is_empty() => f,
        Ok(_) => {
            let m = tr.t("sites_io.choose_file").to_owned();
            return page(&who, &ctx, Some(m), &[], StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(UploadError::TooLarge) => {
            let m = tr.t("sites_io.too_large").replace("{mb}", &(MAX_IMPORT_BYTES >> 20).to_string());
            return page(&who, &ctx, Some(m), &[], StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        Err(UploadError::Malformed(m)) => return Err(AppError::new(ErrorKind::BadRequest, m)),
    };
    let format = Format::detect(file.content_type.as_deref(), file.name.as_deref(), &file.bytes);
    match sites_io::parse_import(&state, &who, &file.bytes, format, tr).await? {
        Err(problems) => {
            let m = tr.t("sites_io.report").to_owned();
            page(&who, &ctx, Some(m), &problems, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Ok(list) => {
            let ids = sites::create_many(
                &state.db,
                &list,
                Some(who.user.id),
                Some(who.audit("site.import", "site", "")),
            )
            .await?;
            Ok(redirect_with_flash_count("/sites", "sites_io.imported", ids.len()))
        }
    }
}

/// The template's example commune: the officer's own, or the first of their province.
async fn example_unit(state: &AppState, who: &Identity) -> Result<(String, f64, f64), AppError> {
    let unit = if who.unit.level == "commune" {
        Some(who.unit.clone())
    } else {
        let today = diaban_domain::time::today_in_vietnam();
        let mut f = UnitFilter {
            level: Some(UnitLevel::Commune),
            as_of: Some(today),
            limit: 1,
            ..Default::default()
        };
        match who.scope() {
            Scope::Province(p) => f.scope_province_id = Some(p),
            Scope::Commune(c) => f.scope_commune_id = Some(c),
        }
        state.search_units(&f).await?.0.into_iter().next()
    };
    Ok(match unit {
        Some(u) => (u.code, u.lat.unwrap_or(14.3545), u.lon.unwrap_or(108.013)),
        None => (String::new(), 14.3545, 108.013),
    })
}

async fn template(State(state): State<AppState>, who: Authorized<WriteSites>) -> Result<Response, AppError> {
    let (code, lat, lon) = example_unit(&state, &who).await?;
    let today = diaban_domain::time::today_in_vietnam();
    let body = sites_io::template_workbook(&code, lat, lon, today).map_err(AppError::internal)?;
    Ok(xlsx_response(body, "mau-nhap-diem.xlsx"))
}
