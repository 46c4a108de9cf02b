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
/// bearer token. API requests without a session cookie are exempt: nothing in them acts
/// for a signed-in user, so they are answered 401 — except the JSON sign-in, which no
/// cross-site form can send (a JSON body from another site needs a CORS preflight, which
/// is never granted; the handler refuses any other content type). Page forms always
/// need the token, the sign-in form included.
///
/// In a `multipart/form-data` body (a form with files) the token is read from the
/// `csrf_token` field among the text fields that come before the first file, within the
/// first [`MULTIPART_CSRF_WINDOW`] bytes; forms put it first. Only that much is read
/// here, and it is handed on in front of the rest of the body, so a large upload is
/// neither buffered nor limited by this check (the route's own limit applies).
pub async fn csrf(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let existing =
        cookie_value(&req, CSRF_COOKIE).filter(|v| v.len() >= 32 && v.len() <= 64).map(str::to_owned);
    let token = existing.clone().unwrap_or_else(|| diaban_vault::token::random_id(32));
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = req.headers().contains_key(axum::http::header::AUTHORIZATION);
    let has_session = cookie_value(&req, crate::auth::session::SESSION_COOKIE).is_some();
    let exempt = req.uri().path().starts_with("/api/") && !has_session;
    let req_lang = req.extensions().get::<RequestLang>().and_then(|l| l.0);
    if unsafe_method && !bearer && !exempt {
        let header = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let provided = match header {
            Some(h) => Some(h),
            None if is_multipart(&req) => {
                let (r, field) = multipart_csrf_field(req).await;
                req = r;
                field
            }
            None if is_form(&req) => {
                let (parts, body) = req.into_parts();
                let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
                    Ok(b) => b,
                    Err(_) => {
                        let tr = Tr(req_lang.unwrap_or_default());
                        let m = crate::file_limits::too_large_text(MAX_FORM_BYTES as u64, tr);
                        return AppError::told(ErrorKind::PayloadTooLarge, m).into_response();
                    }
                };
                let field = form_field(&bytes, CSRF_FIELD);
                req = Request::from_parts(parts, Body::from(bytes));
                field
            }
            None => None,
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

fn is_form(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// How much of a multipart body the CSRF check reads to find the token.
pub const MULTIPART_CSRF_WINDOW: usize = 64 * 1024;

/// Reads at most [`MULTIPART_CSRF_WINDOW`] bytes of a multipart body, looks for the
/// `csrf_token` text field before the first file, and gives back the request with its
/// whole body (the bytes read, then the rest, still streaming).
async fn multipart_csrf_field(req: Request) -> (Request, Option<String>) {
    use axum::extract::FromRequest;
    use futures_util::StreamExt;
    let (parts, body) = req.into_parts();
    let mut rest = body.into_data_stream();
    let mut head: Vec<axum::body::Bytes> = Vec::new();
    let mut read = 0;
    while read < MULTIPART_CSRF_WINDOW {
        match rest.next().await {
            Some(Ok(chunk)) => {
                read += chunk.len();
                head.push(chunk);
            }
            // A broken body: no token, and the handler will not read it either.
            Some(Err(_)) => {
                let req = Request::from_parts(parts, Body::empty());
                return (req, None);
            }
            None => break,
        }
    }
    let window: Vec<u8> = head.concat();
    let mut token = None;
    if let Some(ct) = parts.headers.get(CONTENT_TYPE)
        && let Ok(probe) = Request::builder().header(CONTENT_TYPE, ct).body(Body::from(window))
        && let Ok(mut form) = axum::extract::Multipart::from_request(probe, &()).await
    {
        // A cut-off window ends the parse with an error, which reads as "no token".
        while let Ok(Some(field)) = form.next_field().await {
            if field.file_name().is_some() {
                break;
            }
            if field.name() == Some(CSRF_FIELD) {
                token = field.text().await.ok();
                break;
            }
        }
    }
    let replay = futures_util::stream::iter(head.into_iter().map(Ok::<_, axum::Error>));
    let req = Request::from_parts(parts, Body::from_stream(replay.chain(rest)));
    (req, token)
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

/// An extractor's own refusal (a path id that is not a number, a body that is not the
/// expected JSON or form, a wrong content type) arrives as plain text; it becomes an
/// [`AppError`] so it is answered like every other error, JSON under `/api/` and a page
/// elsewhere. Its text is not passed on: it may quote what was sent (an identity number
/// in the wrong field), and error pages repeat nothing sensitive.
fn rejection(res: &Response, lang: Lang, multipart: bool) -> Option<AppError> {
    // Plain text from axum's extractors; no content type at all from the body limit.
    let plain = match res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        Some(v) => v.starts_with("text/plain"),
        None => res.status() == StatusCode::PAYLOAD_TOO_LARGE,
    };
    if !plain {
        return None;
    }
    let (kind, message) = match res.status() {
        StatusCode::BAD_REQUEST => {
            (ErrorKind::BadRequest, "the request is malformed: check the address and the parameters")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (ErrorKind::BadRequest, "the body has the wrong content type"),
        StatusCode::UNPROCESSABLE_ENTITY => {
            (ErrorKind::Unprocessable, "the body does not have the expected fields and types")
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            // The general body limit (or an upload route's own, for multipart bodies,
            // whose readers name their limits themselves).
            let tr = Tr(lang);
            let m = if multipart {
                tr.t("error.too_large").to_owned()
            } else {
                tr.t("limits.server_too_large")
                    .replace("{max}", &diaban_domain::attachment::human_size(crate::BODY_LIMIT as u64))
            };
            return Some(AppError::told(ErrorKind::PayloadTooLarge, m));
        }
        _ => return None,
    };
    Some(AppError::new(kind, message))
}

/// Turns an [`AppError`] carried by a response (or an extractor's refusal) into JSON
/// (under /api/) or a page in the request's language; sends people who are not signed in
/// to the sign-in page.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/") || req.uri().path() == "/healthz";
    let lang = query_lang(&req)
        .or_else(|| cookie_value(&req, LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or_default();
    let htmx = req.headers().contains_key("hx-request");
    let multipart = is_multipart(&req);
    let res = next.run(req).await;
    let Some(err) = res.extensions().get::<AppError>().cloned().or_else(|| rejection(&res, lang, multipart))
    else {
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
            _ if err.told => err.message.clone(),
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
