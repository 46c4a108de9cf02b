//! `diaban serve`: migrate, load reference data, optionally fill a temporary demo
//! database, then serve HTTP until SIGINT or SIGTERM.

use crate::context::{DbArgs, KeyArgs, open_db};
use crate::demo;
use anyhow::Context;
use clap::Args;
use diaban_web::{AppState, WebConfig};

/// Options of `diaban serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Address to listen on.
    #[arg(long, env = "DIABAN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Start on a fresh temporary database filled with demo data (ignores --db and
    /// --key-file: a temporary key is made for it).
    #[arg(long, env = "DIABAN_DEMO")]
    pub demo: bool,
    /// Tile URL template for maps (e.g. https://tiles.example/{z}/{x}/{y}.png); without
    /// it, maps draw the embedded outline of Vietnam and work offline.
    #[arg(long, env = "DIABAN_TILES_URL")]
    pub tiles_url: Option<String>,
    /// Mark cookies Secure: set when users reach diaban over HTTPS (directly or through a
    /// TLS-terminating proxy).
    #[arg(long, env = "DIABAN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Trust X-Forwarded-For for the client address (only behind your own reverse proxy).
    #[arg(long, env = "DIABAN_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Make two-factor sign-in mandatory for admin and province_officer accounts.
    #[arg(long, env = "DIABAN_REQUIRE_TOTP")]
    pub require_totp: bool,
    /// Minutes without a request after which a session ends.
    #[arg(long, env = "DIABAN_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// Minutes after sign-in after which a session ends whatever happens.
    #[arg(long, env = "DIABAN_SESSION_MAX_MINUTES", default_value_t = 720)]
    pub session_max_minutes: i64,
    /// Anonymous tips one client address may send within --tip-window-minutes.
    #[arg(long, env = "DIABAN_TIP_LIMIT", default_value_t = 5)]
    pub tip_limit: usize,
    /// The window of the tip throttle, in minutes.
    #[arg(long, env = "DIABAN_TIP_WINDOW_MINUTES", default_value_t = 60)]
    pub tip_window_minutes: u64,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let (db_args, key_args) = if args.demo {
        let stem = std::env::temp_dir().join(format!(
            "diaban-demo-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp()
        ));
        (
            DbArgs { db: format!("sqlite://{}.db", stem.display()) },
            KeyArgs { key_file: Some(stem.with_extension("key")) },
        )
    } else {
        (args.db.clone(), args.keys.clone())
    };
    if args.session_idle_minutes < 1 || args.session_max_minutes < args.session_idle_minutes {
        anyhow::bail!(
            "session timeouts: --session-idle-minutes must be at least 1 and not above --session-max-minutes"
        );
    }
    let tiles_origin = match &args.tiles_url {
        Some(u) => Some(origin_of(u).context("--tiles-url must be an http(s) URL template")?),
        None => None,
    };
    let db = open_db(&db_args).await?;
    let keys = if args.demo {
        let keys = demo::ensure_key(&key_args)?;
        let accounts = demo::fill(&db, Some(&keys), demo::DEFAULT_SEED).await?;
        println!("demo database: {}", db_args.db);
        demo::print_accounts(&accounts);
        Some(keys)
    } else {
        let keys = key_args.load()?;
        if keys.is_none() && diaban_store::persons::count_all(&db).await? > 0 {
            anyhow::bail!(
                "this database holds personal data, which is sealed with the data key: pass --key-file PATH (or DIABAN_KEY_FILE)"
            );
        }
        if keys.is_none() {
            tracing::warn!("no --key-file: person records can be neither read nor written");
        }
        keys
    };
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let local = listener.local_addr().context("listener address")?;
    tracing::info!(addr = %local, db = db.backend().as_str(), "diaban is listening");
    println!("diaban listening on http://{local}");
    let config = WebConfig {
        tiles_url: args.tiles_url,
        tiles_origin,
        secure_cookies: args.secure_cookies,
        trust_proxy: args.trust_proxy,
        require_totp: args.require_totp,
        session_idle_minutes: args.session_idle_minutes,
        session_absolute_minutes: args.session_max_minutes,
        tip_limit: args.tip_limit,
        tip_window_minutes: args.tip_window_minutes,
        ..WebConfig::default()
    };
    let state = AppState::new(db.clone(), keys, config);
    // Read the units into memory now rather than on the first search.
    state.search_units(&diaban_store::units::UnitFilter::default()).await.context("reading the units")?;
    let served = diaban_web::serve(listener, state, shutdown_signal()).await.context("server failed");
    db.close().await;
    if args.demo {
        // The demo database and its key are throw-away: leave nothing behind.
        if let Some(path) = db_args.db.strip_prefix("sqlite://") {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
        if let Some(k) = &key_args.key_file {
            let _ = std::fs::remove_file(k);
        }
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// `https://tiles.example/{z}/{x}/{y}.png` → `https://tiles.example`.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    #[test]
    fn tile_origins() {
        assert_eq!(
            super::origin_of("https://t.example/{z}/{x}/{y}.png").as_deref(),
            Some("https://t.example")
        );
        assert_eq!(super::origin_of("ftp://x/y"), None);
    }
}
