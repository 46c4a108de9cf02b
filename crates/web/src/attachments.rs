//! Documents and photos on lifecycle steps, in the web layer: reading a step with its
//! files from a multipart form (or, without files, from JSON or an urlencoded form), the
//! words for a refused file, and the download response. Which files are accepted is
//! decided by `diaban_domain::attachment`; storing and opening them by
//! `diaban_store::site_attachments`.

use crate::AppState;
use crate::auth::Identity;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Tr;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, PRAGMA};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use diaban_domain::attachment::{AttachmentLimits, FileKind, MIB, Refusal, Upload};
use diaban_store::audit;
use diaban_store::site_attachments::{self, AttachmentMeta};
use diaban_vault::KeyRing;
use serde::Deserialize;
use std::sync::Arc;

/// The name of the file field(s) of a step.
pub const FILE_FIELD: &str = "attachment";
/// The longest text field read from a multipart form.
const MAX_TEXT_FIELD: usize = 64 * 1024;

/// A lifecycle step as submitted, with its files not yet checked.
#[derive(Debug, Default, Deserialize)]
pub struct StepSubmission {
    /// The state wanted.
    #[serde(default)]
    pub to: String,
    /// The date, `YYYY-MM-DD` (empty: today).
    #[serde(default)]
    pub on: String,
    /// Evidence or decision.
    #[serde(default)]
    pub note: String,
    /// The files, for `diaban_domain::attachment::check_files`.
    #[serde(skip)]
    pub files: Vec<Upload>,
}

/// Reads `multipart/form-data` (fields `to`, `on`, `note`, files `attachment`),
/// `application/json` or `application/x-www-form-urlencoded` (no files).
impl FromRequest<AppState> for StepSubmission {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let ct = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if ct.starts_with("multipart/form-data") {
            let form = Multipart::from_request(req, state).await.map_err(|e| bad_request(e.body_text()))?;
            read_multipart(form, &state.config.attachment_limits).await
        } else if ct.starts_with("application/json") {
            let Json(s) = Json::<StepSubmission>::from_request(req, state)
                .await
                .map_err(|e| AppError::new(ErrorKind::Unprocessable, e.body_text()))?;
            Ok(s)
        } else if ct.starts_with("application/x-www-form-urlencoded") {
            let Form(s) = Form::<StepSubmission>::from_request(req, state)
                .await
                .map_err(|e| bad_request(e.body_text()))?;
            Ok(s)
        } else {
            Err(bad_request("send multipart/form-data, application/json or a form"))
        }
    }
}

fn bad_request(m: impl Into<String>) -> AppError {
    AppError::new(ErrorKind::BadRequest, m)
}

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(ErrorKind::PayloadTooLarge, "the request is larger than a step with its files may be")
    } else {
        bad_request(format!("the form could not be read: {}", e.body_text()))
    }
}

/// Reads every field. Files are kept up to the size limit (beyond it only their size is
/// counted) and only as many as the step may have, so memory stays within
/// `max_files × max_file_bytes` whatever is sent; the refusal itself is
/// `check_files`'s.
async fn read_multipart(mut form: Multipart, limits: &AttachmentLimits) -> Result<StepSubmission, AppError> {
    let mut out = StepSubmission::default();
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            if name != FILE_FIELD {
                return Err(bad_request(format!("files go in the field '{FILE_FIELD}', not '{name}'")));
            }
            let keep = out.files.len() < limits.max_files;
            let mut size = 0u64;
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                size += chunk.len() as u64;
                if keep && size <= limits.max_file_bytes {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if size > limits.max_file_bytes {
                bytes = Vec::new();
            }
            out.files.push(Upload { name: file_name, size, bytes });
            continue;
        }
        let text = read_text(&mut field, &name).await?;
        match name.as_str() {
            "to" => out.to = text,
            "on" => out.on = text,
            "note" => out.note = text,
            // csrf_token (checked by the middleware) and anything else.
            _ => {}
        }
    }
    Ok(out)
}

async fn read_text(field: &mut Field<'_>, name: &str) -> Result<String, AppError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if buf.len() + chunk.len() > MAX_TEXT_FIELD {
            return Err(bad_request(format!("the field '{name}' is too long")));
        }
        buf.extend_from_slice(&chunk);
    }
    let text =
        String::from_utf8(buf).map_err(|_| bad_request(format!("the field '{name}' is not UTF-8 text")))?;
    // The same rule as every form and JSON body (crate::input_text), which cannot see
    // inside a multipart body.
    if let Some(c) = diaban_domain::text::forbidden_control(&text) {
        return Err(bad_request(format!(
            "the field '{name}' holds a control character ({})",
            diaban_domain::text::code_point(c)
        )));
    }
    Ok(text)
}

/// A size for people, with the language's decimal mark (whole mebibytes without one).
pub fn size_label(bytes: u64, tr: Tr) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < MIB {
        format!("{} KB", tr.dec(bytes as f64 / 1024.0, 1))
    } else if bytes.is_multiple_of(MIB) {
        format!("{} MB", tr.num(i64::try_from(bytes / MIB).unwrap_or(i64::MAX)))
    } else {
        format!("{} MB", tr.dec(bytes as f64 / MIB as f64, 1))
    }
}

/// The accepted kinds, for people.
fn kinds_label() -> String {
    FileKind::ALL.map(FileKind::label).join(", ")
}

/// One refusal in the user's language, naming the file.
pub fn refusal_text(r: &Refusal, tr: Tr) -> String {
    match r {
        Refusal::TooMany { count, max } => {
            format!("{} ({count}; {} {max}).", tr.t("attachments.too_many"), tr.t("attachments.at_most"))
        }
        Refusal::TooLarge { name, size, max } => format!(
            "«{name}»: {} ({}; {} {}).",
            tr.t("attachments.too_large"),
            size_label(*size, tr),
            tr.t("attachments.at_most"),
            size_label(*max, tr)
        ),
        Refusal::Empty { name } => format!("«{name}»: {}.", tr.t("attachments.empty")),
        Refusal::TypeNotAllowed { name } => {
            format!("«{name}»: {} ({}).", tr.t("attachments.type_not_allowed"), kinds_label())
        }
        Refusal::Container { name, why } => {
            format!("«{name}»: {}", crate::file_limits::container_text(why, tr))
        }
    }
}

/// Every refusal of a step, after a sentence saying that nothing was saved.
pub fn refusals_text(rs: &[Refusal], tr: Tr) -> String {
    let each: Vec<String> = rs.iter().map(|r| refusal_text(r, tr)).collect();
    format!("{} {}", tr.t("attachments.refused"), each.join(" "))
}

/// The hint under the file input: how many, how large, which kinds.
pub fn limits_hint(limits: &AttachmentLimits, tr: Tr) -> String {
    format!(
        "{} {} {}; {} {}; {} {}.",
        tr.t("attachments.at_most_cap"),
        limits.max_files,
        tr.t("attachments.files_word"),
        tr.t("attachments.max_size"),
        size_label(limits.max_file_bytes, tr),
        tr.t("attachments.kinds"),
        kinds_label()
    )
}

/// The data key, or a clear refusal: without it no file can be sealed or opened.
pub fn keys(state: &AppState) -> Result<Arc<KeyRing>, AppError> {
    state.keys.clone().ok_or_else(|| {
        AppError::new(
            ErrorKind::Unavailable,
            "the server has no data key file (--key-file), so attachments cannot be stored or opened",
        )
        .with_key("attachments.no_key")
    })
}

/// An attachment's metadata as the API shows it, with its download address.
pub fn meta_json(m: &AttachmentMeta) -> serde_json::Value {
    serde_json::json!({
        "id": m.id, "file_name": m.file_name, "content_type": m.content_type,
        "size_bytes": m.size_bytes, "sha256": m.sha256, "uploaded_by": m.uploaded_by,
        "uploaded_at": m.uploaded_at,
        "href": format!("/api/v1/sites/{}/attachments/{}", m.site_id, m.id),
    })
}

/// Opens an attachment of a site within the caller's scope and answers it as a download.
/// Every attempt is audited as `site.attachment.read`; one outside the scope (or of
/// another site, or missing) answers 404 and is audited as denied.
pub async fn download(state: &AppState, who: &Identity, site_id: i64, id: i64) -> Result<Response, AppError> {
    let keys = keys(state)?;
    let found = site_attachments::get(&state.db, &keys, site_id, id, who.scope()).await?;
    let mut e = who.audit("site.attachment.read", "site_attachment", id);
    if found.is_none() {
        e.outcome = "denied".into();
    }
    audit::append(&state.db, &e).await?;
    let a = found.ok_or_else(|| AppError::not_found("no such attachment"))?;
    let content_type = HeaderValue::from_str(&a.meta.content_type).map_err(AppError::internal)?;
    let disposition =
        HeaderValue::from_str(&content_disposition(&a.meta.file_name)).map_err(AppError::internal)?;
    let mut res = a.content.into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, content_type);
    h.insert(CONTENT_DISPOSITION, disposition);
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store, private"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(res)
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII fallback without
/// accents for old clients, and the exact name percent-encoded.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = diaban_domain::text::without_accents(name)
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn disposition_has_an_ascii_fallback_and_the_exact_name() {
        assert_eq!(
            content_disposition("Quyết định số 12.pdf"),
            "attachment; filename=\"Quyet dinh so 12.pdf\"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%2012.pdf"
        );
        assert!(HeaderValue::from_str(&content_disposition("Đ\\x.png")).is_ok());
    }

    #[test]
    fn refusals_name_the_file_in_both_languages() {
        let r = Refusal::TooLarge { name: "ảnh.png".into(), size: 11 * MIB, max: 10 * MIB };
        assert_eq!(refusal_text(&r, Tr(Lang::En)), "«ảnh.png»: file too large (11 MB; at most 10 MB).");
        let r = Refusal::TooLarge { name: "ảnh.png".into(), size: 10 * MIB + 1, max: 10 * MIB };
        assert!(refusal_text(&r, Tr(Lang::Vi)).contains("(10,0 MB; tối đa 10 MB)"));
        let t = Refusal::TypeNotAllowed { name: "trang.png".into() };
        assert!(refusal_text(&t, Tr(Lang::En)).contains("trang.png"));
    }

    #[test]
    fn the_hint_states_the_limits() {
        let l = AttachmentLimits::default();
        assert_eq!(
            limits_hint(&l, Tr(Lang::Vi)),
            "Tối đa 5 tệp; mỗi tệp không quá 10 MB; nhận các loại PDF, JPEG, PNG, WebP, DOCX, XLSX."
        );
        assert_eq!(
            limits_hint(&l, Tr(Lang::En)),
            "At most 5 files; each at most 10 MB; accepted kinds PDF, JPEG, PNG, WebP, DOCX, XLSX."
        );
    }
}
