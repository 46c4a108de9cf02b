//! `diaban serve`: migrate, load reference data, optionally fill a temporary demo
//! database, then serve HTTP until SIGINT or SIGTERM.

use crate::context::{DbArgs, open_db};
use crate::demo;
use anyhow::Context;
use clap::Args;
use diaban_web::{AppState, WebConfig};

/// Options of `diaban serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "DIABAN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Start on a fresh temporary database filled with demo data (ignores --db).
    #[arg(long, env = "DIABAN_DEMO")]
    pub demo: bool,
    /// Tile URL template for maps (e.g. https://tiles.example/{z}/{x}/{y}.png); without
    /// it, maps draw the embedded outline of Vietnam and work offline.
    #[arg(long, env = "DIABAN_TILES_URL")]
    pub tiles_url: Option<String>,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let db_args = if args.demo {
        let path = std::env::temp_dir().join(format!(
            "diaban-demo-{}-{}.db",
            std::process::id(),
            chrono::Utc::now().timestamp()
        ));
        DbArgs {
            db: format!("sqlite://{}", path.display()),
        }
    } else {
        args.db.clone()
    };
    let db = open_db(&db_args).await?;
    if args.demo {
        demo::fill(&db, demo::DEFAULT_SEED).await?;
        println!("demo database: {}", db_args.db);
    }
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let local = listener.local_addr().context("listener address")?;
    tracing::info!(addr = %local, db = db.backend().as_str(), "diaban is listening");
    println!("diaban listening on http://{local}");
    let state = AppState::new(
        db.clone(),
        WebConfig {
            tiles_url: args.tiles_url,
        },
    );
    diaban_web::serve(listener, state, shutdown_signal())
        .await
        .context("server failed")?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
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
