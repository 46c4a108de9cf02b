//! Test harness: a real server on port 0 over a fresh, migrated database with the
//! reference units, one per engine available (SQLite always; PostgreSQL when
//! TEST_DATABASE_URL is set).
#![allow(dead_code)]

use diaban_domain::access::Role;
use diaban_store::testing::{self, TestDb};
use diaban_store::{units, users};
use diaban_vault::KeyRing;
use diaban_web::{AppState, WebConfig};
use std::sync::Arc;
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub engine: &'static str,
    pub tdb: Option<TestDb>,
    pub keys: Arc<KeyRing>,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    async fn start(tdb: TestDb, config: WebConfig, with_keys: bool) -> TestApp {
        diaban_store::reference::load_units(&tdb.db).await.expect("units load");
        // As `diaban serve` does at start: the persons statistics are kept per year.
        diaban_store::person_facts::ensure(&tdb.db, diaban_domain::time::today_in_vietnam())
            .await
            .expect("statistics facts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        // Without keys the server gets none (as when started without a key file); `keys`
        // is then a ring the test may use directly on the store.
        let keys = Arc::new(KeyRing::generate());
        let state = AppState::new(tdb.db.clone(), with_keys.then(|| (*keys).clone()), config);
        let server = tokio::spawn(diaban_web::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        let engine = tdb.db.backend().as_str();
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::builder().cookie_store(true).build().expect("client"),
            engine,
            tdb: Some(tdb),
            keys,
            state,
            stop: Some(tx),
            server: Some(server),
        }
    }

    /// One app per available engine.
    pub async fn all() -> Vec<TestApp> {
        Self::all_with(WebConfig::default()).await
    }

    /// One app per available engine, with settings.
    pub async fn all_with(config: WebConfig) -> Vec<TestApp> {
        let mut apps = Vec::new();
        for tdb in testing::all().await.expect("test databases") {
            apps.push(TestApp::start(tdb, config.clone(), true).await);
        }
        apps
    }

    /// One app per available engine, started without a data key file.
    pub async fn all_without_keys() -> Vec<TestApp> {
        let mut apps = Vec::new();
        for tdb in testing::all().await.expect("test databases") {
            apps.push(TestApp::start(tdb, WebConfig::default(), false).await);
        }
        apps
    }

    pub fn db(&self) -> &diaban_store::Db {
        &self.tdb.as_ref().expect("db").db
    }

    /// Creates an account directly in the store; returns (username, password).
    pub async fn create_user(&self, role: Role, unit_code: &str) -> (String, String) {
        let n = NEXT_USER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let username = format!("{}{}", role.as_str().replace('_', ""), n);
        let password = format!("correct horse {n} battery");
        let unit = units::current_scope_unit(self.db(), unit_code, role.scope_is_commune())
            .await
            .expect("unit")
            .expect("unit exists");
        let hash = diaban_vault::password::hash_password(&password).expect("hash");
        let new = users::NewUser {
            username: username.clone(),
            display_name: username.clone(),
            password_hash: hash,
            role,
            unit_id: unit.id,
            must_change_password: false,
        };
        users::create(self.db(), &new).await.expect("create user");
        (username, password)
    }

    /// A client signed in through the API as a new account of `role` scoped to `unit_code`.
    pub async fn login_as(&self, role: Role, unit_code: &str) -> UserClient {
        let (username, password) = self.create_user(role, unit_code).await;
        self.login(&username, &password).await
    }

    /// Signs in through `POST /api/v1/session`.
    pub async fn login(&self, username: &str, password: &str) -> UserClient {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let r = client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(r.status().as_u16(), 200, "login of {username} failed");
        let body: serde_json::Value = r.json().await.expect("login body");
        UserClient {
            client,
            csrf: body["csrf_token"].as_str().unwrap_or_default().to_owned(),
            base: self.base.clone(),
            username: username.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.client.get(self.url(path)).send().await.expect("request");
        let status = r.status().as_u16();
        let body = r.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    /// Stops the server gracefully and removes the database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            s.await.expect("server task").expect("server result");
        }
        if let Some(t) = self.tdb.take() {
            t.cleanup().await;
        }
    }
}

static NEXT_USER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A signed-in client with its CSRF token.
pub struct UserClient {
    pub client: reqwest::Client,
    pub csrf: String,
    pub base: String,
    pub username: String,
}

impl UserClient {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// A JSON POST with the CSRF header.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .client
            .post(self.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .expect("request");
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// A form POST with the CSRF field.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &self.csrf));
        self.client.post(self.url(path)).form(&all).send().await.expect("request")
    }
}
