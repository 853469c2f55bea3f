//! lore over the network. `lore mcp` serves MCP on stdio; `lore serve`
//! serves the HTTP JSON API under `/v1`, MCP (streamable HTTP) at `/mcp`,
//! `/healthz`, `/readyz` and `/openapi.json`.
//!
//! The capabilities live in [`ops`] and [`propose`], over the domain
//! crates; [`mcp`] and [`http`] only adapt them to a transport. The
//! knowledge is held in [`state::Shared`] and swapped whole when it changes.

pub mod config;
pub mod http;
pub mod mcp;
pub mod ops;
pub mod propose;
pub mod state;

use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
pub use config::{Caller, Settings};
use lore_service::Knowledge;
pub use state::Shared;

/// Serves MCP on stdin and stdout until the client closes them.
pub fn serve_stdio(knowledge: Knowledge, settings: Settings) -> Result<()> {
    runtime()?.block_on(async move {
        let shared = Shared::new(knowledge, settings);
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
            .with_context(|| format!("cannot listen on {}", settings.addr))?;
        let addr = listener.local_addr()?;
        let shared = Shared::new(knowledge, settings);
        ready(addr, &shared);
        tokio::spawn(reload_loop(shared.clone()));
        axum::serve(listener, http::router(shared, addr))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serving HTTP")
    })
}

/// Without tokens, anyone who can reach the port could read the knowledge
/// and fill the decision log: only loopback is allowed then.
pub fn refuse_open_without_tokens(settings: &Settings) -> Result<()> {
    if settings.tokens.is_empty() && !settings.addr.ip().is_loopback() {
        bail!(
            "refusing to listen on {} without API tokens: anyone who can reach it could read your knowledge and write to the decision log. \
             Configure tokens (`--tokens FILE` or `[server] tokens_file` in lore.toml; see docs/server.md), or listen on 127.0.0.1",
            settings.addr
        );
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

/// Picks up a rebuilt pack or changed sources without a restart.
pub async fn reload_loop(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(shared.settings.reload_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let shared = shared.clone();
        let _ = tokio::task::spawn_blocking(move || shared.reload(false)).await;
    }
}
