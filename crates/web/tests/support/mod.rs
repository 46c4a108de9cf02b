//! Helpers shared by the security tests (access matrix, sessions and CSRF, personal
//! data): raw cookies, the page forms' CSRF token, and fixtures written through the store.
#![allow(dead_code)]

use crate::common::TestApp;
use diaban_store::audit::{self, AuditFilter, Entry};
use diaban_store::persons::{self, Created, NewPerson};
use diaban_store::units;
use std::sync::atomic::{AtomicU32, Ordering};

/// A client that keeps cookies and does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// A client without a cookie store (cookies are sent by hand).
pub fn bare() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// The value `name` is set to by the response's Set-Cookie headers, if any.
pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.to_owned())
}

/// Every Set-Cookie header of a response for `name`, whole (with attributes).
pub fn set_cookie_line(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The hidden `csrf_token` field of a page.
pub fn csrf_field(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).expect("page has a csrf_token field");
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

/// The Location header of a redirect.
pub fn location(r: &reqwest::Response) -> String {
    r.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// Opens the sign-in page with `client` (which keeps the CSRF cookie) and returns the
/// form's CSRF token.
pub async fn login_page_csrf(app: &TestApp, client: &reqwest::Client) -> String {
    let r = client.get(app.url("/login")).send().await.expect("GET /login");
    assert_eq!(r.status().as_u16(), 200);
    csrf_field(&r.text().await.expect("body"))
}

/// Signs in through the page form. Returns the client, its CSRF token and the response.
pub async fn page_login(
    app: &TestApp,
    username: &str,
    password: &str,
) -> (reqwest::Client, String, reqwest::Response) {
    let client = browser();
    let csrf = login_page_csrf(app, &client).await;
    let r = client
        .post(app.url("/login"))
        .form(&[("username", username), ("password", password), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .expect("POST /login");
    (client, csrf, r)
}

/// Signs in through the API with a client without cookie store; returns the raw session
/// and CSRF cookie values (for requests with hand-made Cookie headers).
pub async fn raw_api_login(app: &TestApp, username: &str, password: &str) -> (String, String) {
    let r = bare()
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status().as_u16(), 200, "login of {username}");
    let session = set_cookie(&r, "dz_session").expect("session cookie");
    let csrf = set_cookie(&r, "dz_csrf").expect("csrf cookie");
    (session, csrf)
}

static NEXT_SERIAL: AtomicU32 = AtomicU32::new(100);

/// A valid, unique 12-digit identity number for a man born in 1990 (registered in 051).
pub fn fresh_id_number() -> String {
    let n = NEXT_SERIAL.fetch_add(1, Ordering::Relaxed);
    format!("051090{n:06}")
}

/// Writes a person living in the commune `commune_code` through the store (sealed with
/// the app's keys); returns the id.
pub async fn add_person(app: &TestApp, commune_code: &str, full_name: &str, id_number: &str) -> i64 {
    let unit = units::current_scope_unit(app.db(), commune_code, true)
        .await
        .expect("unit")
        .unwrap_or_else(|| panic!("commune {commune_code} exists"));
    let new = NewPerson {
        residence_unit_id: unit.id,
        sex: "male".into(),
        birth_year: 1990,
        ethnicity: "Kinh".into(),
        id_number: Some(id_number.to_owned()),
        full_name: full_name.to_owned(),
        birth_date: None,
        address: Some("Số 1 đường Thử".into()),
        phone: None,
        notes: None,
    };
    match persons::create(app.db(), &app.keys, &new, None).await.expect("create person") {
        Created::New(id) => id,
        Created::Existing(id) => panic!("person {id} already existed"),
    }
}

/// Audit entries matching an action prefix (newest first).
pub async fn audit_entries(app: &TestApp, action_prefix: &str) -> Vec<Entry> {
    let f = AuditFilter { action_prefix: Some(action_prefix.into()), limit: 10_000, ..Default::default() };
    audit::search(app.db(), &f).await.expect("audit search").0
}

/// The id of a user by name.
pub async fn user_id(app: &TestApp, username: &str) -> i64 {
    diaban_store::users::by_username(app.db(), username).await.expect("user").expect("exists").id
}
