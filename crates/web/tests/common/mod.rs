//! Test harness: a real server on port 0 over a fresh, migrated database with the
//! reference units, one per engine available (SQLite always; PostgreSQL when
//! TEST_DATABASE_URL is set).
#![allow(dead_code)]

use diaban_store::testing::{self, TestDb};
use diaban_web::{AppState, WebConfig};
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub engine: &'static str,
    pub tdb: Option<TestDb>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    async fn start(tdb: TestDb) -> TestApp {
        diaban_store::reference::load_units(&tdb.db)
            .await
            .expect("units load");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let state = AppState::new(tdb.db.clone(), WebConfig::default());
        let server = tokio::spawn(diaban_web::serve(listener, state, async move {
            let _ = rx.await;
        }));
        let engine = tdb.db.backend().as_str();
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            engine,
            tdb: Some(tdb),
            stop: Some(tx),
            server: Some(server),
        }
    }

    /// One app per available engine.
    pub async fn all() -> Vec<TestApp> {
        let mut apps = Vec::new();
        for tdb in testing::all().await.expect("test databases") {
            apps.push(TestApp::start(tdb).await);
        }
        apps
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
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
