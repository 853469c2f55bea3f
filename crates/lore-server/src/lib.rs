//! lore over the network. `lore mcp` serves MCP on stdio; `lore serve`
//! serves the HTTP JSON API under `/v1`, MCP (streamable HTTP) at `/mcp`,
//! `/healthz`, `/readyz` and `/openapi.json`.
//!
//! Every operation lives in `lore_service::ops`; [`api`] gives each of
//! them the wire form MCP and HTTP share, and [`mcp`] and [`http`] only
//! adapt it to a transport. The knowledge is held in [`state::Shared`] and
//! swapped whole when it changes.

pub mod api;
pub mod config;
pub mod console;
pub mod http;
pub mod mcp;
mod openapi;
pub mod state;

use std::sync::Arc;

pub use config::{Caller, Settings};
use lore_service::Knowledge;
pub use state::Shared;

/// Why lore could not serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address is taken or not this machine's.
    // Causes are in the messages, not the errors' `source`: a chain printer
    // would print them twice.
    #[error("cannot listen on {addr}: {cause}")]
    Listen {
        /// Where lore tried to listen.
        addr: std::net::SocketAddr,
        /// The cause.
        cause: std::io::Error,
    },
    /// Open to the network without API tokens.
    #[error("{0}")]
    Refused(String),
    /// The async runtime would not start, or serving failed.
    #[error("{what}: {cause}")]
    Io {
        /// What lore was doing.
        what: &'static str,
        /// The cause.
        cause: std::io::Error,
    },
    /// The MCP session failed.
    #[error("MCP: {0}")]
    Mcp(String),
}

type Result<T> = std::result::Result<T, ServeError>;

/// Serves MCP on stdin and stdout until the client closes them.
pub fn serve_stdio(knowledge: Knowledge, settings: Settings) -> Result<()> {
    runtime()?.block_on(async move {
        let shared = load(knowledge, settings).await?;
        tokio::spawn(reload_loop(shared.clone()));
        mcp::LoreMcp::new(shared, "mcp").serve_stdio().await
    })
}

/// Serves HTTP on `settings.addr` until interrupted; `ready` is told the
/// address once listening (port 0 picks a free port).
pub fn serve_http(
    knowledge: Knowledge,
    settings: Settings,
    ready: impl FnOnce(std::net::SocketAddr, &Shared) + Send,
) -> Result<()> {
    refuse_open_without_tokens(&settings)?;
    runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(settings.addr)
            .await
            .map_err(|cause| ServeError::Listen { addr: settings.addr, cause })?;
        let addr = listener.local_addr().map_err(|cause| ServeError::Io { what: "reading the address", cause })?;
        let shared = load(knowledge, settings).await?;
        ready(addr, &shared);
        tokio::spawn(reload_loop(shared.clone()));
        axum::serve(listener, http::router(shared, addr))
            .with_graceful_shutdown(stop_requested())
            .await
            .map_err(|cause| ServeError::Io { what: "serving HTTP", cause })
    })
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, which is how a container
/// runtime or Kubernetes stops a server: requests in flight are finished.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Loads the knowledge and opens the store off the async threads: both
/// block (a build, a PostgreSQL connection).
async fn load(knowledge: Knowledge, settings: Settings) -> Result<Arc<Shared>> {
    tokio::task::spawn_blocking(move || Shared::new(knowledge, settings))
        .await
        .map_err(|e| ServeError::Io { what: "loading the knowledge", cause: std::io::Error::other(e.to_string()) })
}

/// Without tokens, anyone who can reach the port could read the knowledge
/// and fill the decision log: only loopback is allowed then.
pub fn refuse_open_without_tokens(settings: &Settings) -> Result<()> {
    if settings.tokens.is_empty() && !settings.addr.ip().is_loopback() {
        return Err(ServeError::Refused(format!(
            "refusing to listen on {} without API tokens: anyone who can reach it could read your knowledge and write to the decision log. \
             Configure tokens (`--tokens FILE` or `[server] tokens_file` in lore.toml; see docs/server.md), or listen on 127.0.0.1",
            settings.addr
        )));
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|cause| ServeError::Io { what: "starting the async runtime", cause })
}

/// How often a server delivers its machine's local log (hooks beside it)
/// to the shared store, when there is one.
const SHIP_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Picks up a rebuilt pack or changed sources without a restart, and ships
/// the local log to the shared store now and then, and as soon as the
/// store is back after decisions were queued.
pub async fn reload_loop(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(shared.settings.reload_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    let mut shipped_at = tokio::time::Instant::now() - SHIP_EVERY;
    let first = shared.clone();
    let _ = tokio::task::spawn_blocking(move || record_health(&first)).await;
    loop {
        tick.tick().await;
        let ship = shipped_at.elapsed() >= SHIP_EVERY || shared.log.has_queued();
        if ship {
            shipped_at = tokio::time::Instant::now();
        }
        let shared = shared.clone();
        let _ = tokio::task::spawn_blocking(move || {
            if shared.reload(false) {
                record_health(&shared);
            }
            if ship {
                // A store that does not answer now is tried again next time.
                let _ = shared.log.ship_local();
            }
        })
        .await;
    }
}

/// Keeps the served build's health score in the trend the console shows.
fn record_health(shared: &Shared) {
    let _ = lore_service::ops::record_build_health(&shared.current());
}
