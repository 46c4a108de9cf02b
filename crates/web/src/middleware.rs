//! Cross-cutting request handling: security headers, CSRF, the interface language, and
//! rendering errors as JSON or pages.

use crate::AppState;
use crate::error::{AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

/// The CSRF token of this request (double-submit: the same value is in an HttpOnly
/// cookie and must come back in a form field or the `X-CSRF-Token` header).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// The language asked for by `?lang=` or the language cookie, if any.
#[derive(Debug, Clone, Copy)]
pub struct RequestLang(pub Option<Lang>);

const CSRF_COOKIE: &str = "dz_csrf";
const LANG_COOKIE: &str = "dz_lang";
/// Name of the CSRF field in forms.
pub const CSRF_FIELD: &str = "csrf_token";
const MAX_FORM_BYTES: usize = 1024 * 1024;
/// The largest multipart form: the largest upload (an import file, 10 MiB) and the rest
/// of the form. The whole body is buffered to find the token, then handed on.
const MAX_MULTIPART_BYTES: usize = 11 * 1024 * 1024;

fn cookie_value<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    crate::auth::session::cookie_in(req.headers(), name)
}

fn query_lang(req: &Request) -> Option<Lang> {
    req.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v))
    })
}

/// Security headers on every response.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let img = match &state.config.tiles_origin {
        Some(o) => format!("img-src 'self' data: {o}"),
        None => "img-src 'self' data:".to_owned(),
    };
    let csp = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; {img}; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert("content-security-policy", v);
    }
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(self)"));
    if !res.headers().contains_key("cache-control") {
        res.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
    }
    res
}

/// Double-submit CSRF check on every state-changing request not authenticated by a
/// bearer token. The token comes in the `X-CSRF-Token` header or the `csrf_token` field
/// of a urlencoded or multipart form. API requests without a session cookie are exempt:
/// nothing in them acts for a signed-in user, so they are answered 401 — except the JSON
/// sign-in, which no cross-site form can send (a JSON body from another site needs a
/// CORS preflight, which is never granted; the handler refuses any other content type).
/// Page forms always need the token, the sign-in form included.
pub async fn csrf(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let existing =
        cookie_value(&req, CSRF_COOKIE).filter(|v| v.len() >= 32 && v.len() <= 64).map(str::to_owned);
    let token = existing.clone().unwrap_or_else(|| diaban_vault::token::random_id(32));
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = req.headers().contains_key(axum::http::header::AUTHORIZATION);
    let has_session = cookie_value(&req, crate::auth::session::SESSION_COOKIE).is_some();
    let exempt = req.uri().path().starts_with("/api/") && !has_session;
    if unsafe_method && !bearer && !exempt {
        let header = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let provided = match (header, form_kind(&req)) {
            (Some(h), _) => Some(h),
            (None, Some(kind)) => {
                let limit = match kind {
                    FormKind::UrlEncoded => MAX_FORM_BYTES,
                    FormKind::Multipart(_) => MAX_MULTIPART_BYTES,
                };
                let (parts, body) = req.into_parts();
                let bytes = match axum::body::to_bytes(body, limit).await {
                    Ok(b) => b,
                    Err(_) => {
                        return AppError::new(ErrorKind::PayloadTooLarge, "the form is too large")
                            .into_response();
                    }
                };
                let field = match kind {
                    FormKind::UrlEncoded => form_field(&bytes, CSRF_FIELD),
                    FormKind::Multipart(boundary) => {
                        multipart_field(bytes.clone(), boundary, CSRF_FIELD).await
                    }
                };
                req = Request::from_parts(parts, Body::from(bytes));
                field
            }
            (None, None) => None,
        };
        let ok = match (&existing, &provided) {
            (Some(c), Some(p)) => diaban_vault::token::constant_time_eq(c.as_bytes(), p.as_bytes()),
            _ => false,
        };
        if !ok {
            tracing::warn!(path = %req.uri().path(), "CSRF check failed");
            return AppError::new(ErrorKind::Forbidden, "missing or wrong CSRF token")
                .with_key("error.csrf")
                .into_response();
        }
    }
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut res = next.run(req).await;
    if existing.is_none()
        && let Ok(v) = HeaderValue::from_str(&crate::auth::session::set_cookie(
            &state,
            CSRF_COOKIE,
            &token,
            60 * 60 * 24,
        ))
    {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

/// The body of a page form: urlencoded, or multipart (a file upload) with its boundary.
enum FormKind {
    UrlEncoded,
    Multipart(String),
}

fn form_kind(req: &Request) -> Option<FormKind> {
    let ct = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok())?;
    if ct.starts_with("application/x-www-form-urlencoded") {
        Some(FormKind::UrlEncoded)
    } else if ct.starts_with("multipart/form-data") {
        multer::parse_boundary(ct).ok().map(FormKind::Multipart)
    } else {
        None
    }
}

/// The text of the part `name` of a buffered multipart body. Other parts (the file) are
/// skipped, not decoded.
async fn multipart_field(body: axum::body::Bytes, boundary: String, name: &str) -> Option<String> {
    let mut parts = multer::Multipart::new(Body::from(body).into_data_stream(), boundary);
    while let Ok(Some(field)) = parts.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Reads `?lang=` (remembered in a cookie) or the cookie.
pub async fn language(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let from_query = query_lang(&req);
    let lang = from_query.or_else(|| cookie_value(&req, LANG_COOKIE).and_then(Lang::parse));
    req.extensions_mut().insert(RequestLang(lang));
    let mut res = next.run(req).await;
    if let Some(l) = from_query
        && let Ok(v) = HeaderValue::from_str(&crate::auth::session::set_cookie(
            &state,
            LANG_COOKIE,
            l.code(),
            60 * 60 * 24 * 365,
        ))
    {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    tr: Tr,
    status: u16,
    message: &'a str,
}

/// Turns an [`AppError`] carried by a response into JSON (under /api/) or a page in the
/// request's language; sends people who are not signed in to the sign-in page.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/") || req.uri().path() == "/healthz";
    let lang = query_lang(&req)
        .or_else(|| cookie_value(&req, LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or_default();
    let htmx = req.headers().contains_key("hx-request");
    let res = next.run(req).await;
    let Some(err) = res.extensions().get::<AppError>().cloned() else {
        return res;
    };
    let mut out = if api {
        err.json_response()
    } else if err.kind == ErrorKind::Unauthorized || err.kind == ErrorKind::Redirect {
        let to = err.location.clone().unwrap_or_else(|| "/login".to_owned());
        if htmx {
            // htmx follows this header with a full page load.
            let mut r = StatusCode::OK.into_response();
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert("hx-redirect", v);
            }
            r
        } else {
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(LOCATION, v);
            }
            r
        }
    } else {
        let tr = Tr(lang);
        let message = match err.key {
            Some(k) => tr.t(k).to_owned(),
            None => match err.kind {
                ErrorKind::NotFound => tr.t("error.not_found").to_owned(),
                ErrorKind::Forbidden => tr.t("error.forbidden").to_owned(),
                ErrorKind::TooManyRequests => tr.t("error.too_many").to_owned(),
                ErrorKind::Internal => tr.t("error.internal").to_owned(),
                ErrorKind::Unavailable => tr.t("error.unavailable").to_owned(),
                ErrorKind::Conflict => tr.t("error.conflict").to_owned(),
                ErrorKind::PayloadTooLarge => tr.t("error.too_large").to_owned(),
                _ => format!("{} {}", tr.t("error.bad_request"), err.message),
            },
        };
        let page = ErrorPage { tr, status: err.kind.status().as_u16(), message: &message };
        match page.render() {
            Ok(html) => (err.kind.status(), Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "cannot render the error page");
                err.kind.status().into_response()
            }
        }
    };
    // Keep cookies set by inner layers (e.g. a cleared session).
    for v in res.headers().get_all(SET_COOKIE) {
        out.headers_mut().append(SET_COOKIE, v.clone());
    }
    out
}
