//! What signing in and checking a session cost: argon2id hashing and verification on
//! their own, one whole sign-in through `POST /api/v1/session`, and the per-request
//! overhead of session lookup and authorisation (`GET /api/v1/me` against `GET /healthz`,
//! both over a kept-alive connection to a real server on port 0). SQLite always;
//! PostgreSQL too when `TEST_DATABASE_URL` is set.
//!
//! Run: `scripts/bench-login.sh` (or `cargo run --release -p diaban-web --example
//! bench_auth`). Set `REQUESTS` to change the number of requests per route (1000).

use diaban_domain::access::Role;
use diaban_store::{testing, units, users};
use diaban_vault::password::{self, PasswordParams};
use diaban_web::{AppState, WebConfig};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50, p95 and mean in milliseconds.
fn summary(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let pct = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    (pct(0.5), pct(0.95), v.iter().sum::<f64>() / v.len() as f64)
}

fn line(label: &str, v: Vec<f64>, unit_us: bool) {
    let n = v.len();
    let (p50, p95, mean) = summary(v);
    if unit_us {
        println!(
            "  {label:<38} n={n:<5} p50 {:>7.1} µs  p95 {:>7.1} µs  mean {:>7.1} µs",
            p50 * 1000.0,
            p95 * 1000.0,
            mean * 1000.0
        );
    } else {
        println!("  {label:<38} n={n:<5} p50 {p50:>7.1} ms  p95 {p95:>7.1} ms  mean {mean:>7.1} ms");
    }
}

fn argon2() -> Res<()> {
    let p = PasswordParams::default();
    println!(
        "argon2id m={} KiB, t={}, p={} (one thread, release build)",
        p.memory_kib, p.iterations, p.parallelism
    );
    let pw = "một mật khẩu đủ dài 2026";
    let (mut hashes, mut verifies) = (Vec::new(), Vec::new());
    let mut phc = String::new();
    for _ in 0..20 {
        let t = Instant::now();
        phc = password::hash_password(pw)?;
        hashes.push(ms(t.elapsed()));
    }
    for _ in 0..20 {
        let t = Instant::now();
        assert!(password::verify_password(pw, &phc)?);
        verifies.push(ms(t.elapsed()));
    }
    line("hash a password", hashes, false);
    line("verify a password", verifies, false);
    Ok(())
}

async fn over_http(tdb: testing::TestDb, requests: usize) -> Res<()> {
    let engine = tdb.db.backend().as_str();
    diaban_store::reference::load_units(&tdb.db).await?;
    let unit = units::current_scope_unit(&tdb.db, "23293", true).await?.ok_or("unit 23293")?;
    let pw = "một mật khẩu đủ dài 2026";
    let new = users::NewUser {
        username: "bench".into(),
        display_name: "bench".into(),
        password_hash: password::hash_password(pw)?,
        role: Role::CommuneOfficer,
        unit_id: unit.id,
        must_change_password: false,
    };
    let uid = users::create(&tdb.db, &new).await?;
    let (token, stored) = diaban_vault::token::new_token();
    diaban_store::tokens::create(
        &tdb.db,
        uid,
        &stored,
        "bench",
        diaban_store::now() + chrono::Duration::days(1),
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState::new(tdb.db.clone(), Some(diaban_vault::KeyRing::generate()), WebConfig::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(diaban_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    println!("\n{engine}: over HTTP on 127.0.0.1 (client and server on the same machine)");

    // Whole sign-ins: JSON parsing, throttling queries, argon2id, the attempt and the
    // audit entry written, the session stored.
    let mut logins = Vec::new();
    let mut client = reqwest::Client::new();
    for i in 0..21 {
        let c = reqwest::Client::builder().cookie_store(true).build()?;
        let t = Instant::now();
        let r = c
            .post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({"username": "bench", "password": pw}))
            .send()
            .await?;
        let dt = t.elapsed();
        if r.status() != 200 {
            return Err(format!("sign-in answered {}", r.status()).into());
        }
        if i > 0 {
            logins.push(ms(dt));
        }
        client = c;
    }
    line("sign-in (POST /api/v1/session)", logins, false);

    let bearer = format!("Bearer {token}");
    // Each call: `n` timed requests after `warm` untimed ones.
    let timed = async |path: &str, auth: bool, warm: usize, n: usize| -> Res<Vec<f64>> {
        let mut v = Vec::with_capacity(n);
        for i in 0..warm + n {
            let mut req = client.get(format!("{base}{path}"));
            if auth {
                req = req.header("authorization", &bearer);
            }
            let t = Instant::now();
            let r = req.send().await?;
            let status = r.status();
            let _ = r.bytes().await?;
            let dt = t.elapsed();
            if status != 200 {
                return Err(format!("{path} answered {status}").into());
            }
            if i >= warm {
                v.push(ms(dt));
            }
        }
        Ok(v)
    };
    for (path, auth) in [("/healthz", false), ("/api/v1/me", false), ("/api/v1/me", true)] {
        timed(path, auth, 100, 0).await?;
    }
    // Interleaved in rounds, so drift on a shared machine hits all three alike.
    let (mut health, mut me, mut tok) = (Vec::new(), Vec::new(), Vec::new());
    let per_round = requests.div_ceil(5);
    for _ in 0..5 {
        health.extend(timed("/healthz", false, 0, per_round).await?);
        me.extend(timed("/api/v1/me", false, 0, per_round).await?);
        tok.extend(timed("/api/v1/me", true, 0, per_round).await?);
    }
    let base_p50 = summary(health.clone()).0;
    let me_p50 = summary(me.clone()).0;
    let tok_p50 = summary(tok.clone()).0;
    line("GET /healthz (one SELECT 1)", health, true);
    line("GET /api/v1/me (session cookie)", me, true);
    line("GET /api/v1/me (bearer token)", tok, true);
    println!(
        "  session lookup + authorisation: +{:.1} µs (cookie), +{:.1} µs (bearer) over /healthz at p50",
        (me_p50 - base_p50) * 1000.0,
        (tok_p50 - base_p50) * 1000.0
    );
    let _ = stop.send(());
    server.await??;
    tdb.cleanup().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let requests = std::env::var("REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000usize).max(5);
    argon2()?;
    for tdb in testing::all().await? {
        over_http(tdb, requests).await?;
    }
    Ok(())
}
