//! `lore mcp` and `lore serve`: lore over MCP (stdio) and HTTP.

use std::path::Path;

use anyhow::Result;
use lore_service::Knowledge;

use crate::args::Global;
use crate::ui::{self, exit};

fn settings(knowledge: &Knowledge, addr: Option<&str>, tokens: Option<&Path>) -> Result<lore_server::Settings> {
    Ok(lore_server::Settings::from_config(knowledge.config.server.as_ref(), &knowledge.root, addr, tokens)?)
}

/// MCP on stdin and stdout, for an agent to start; stdout is the protocol's, so nothing else is printed.
pub fn stdio(g: &Global) -> Result<u8> {
    let knowledge = Knowledge::locate(g.knowledge.as_deref())?;
    let settings = settings(&knowledge, None, None)?;
    lore_server::serve_stdio(knowledge, settings)?;
    Ok(exit::OK)
}

/// The HTTP JSON API and MCP over streamable HTTP, until interrupted.
pub fn http(g: &Global, addr: Option<&str>, tokens: Option<&Path>) -> Result<u8> {
    let knowledge = ui::locate(g)?;
    let settings = settings(&knowledge, addr, tokens)?;
    let quiet = g.quiet;
    let token_count = settings.tokens.len();
    lore_server::serve_http(knowledge, settings, move |addr, shared| {
        if quiet {
            return;
        }
        let loaded = shared.current();
        let knowledge = match (loaded.version(), &loaded.error) {
            (Some(version), _) => format!("knowledge pack {version}"),
            (None, Some(err)) => format!("no knowledge ({err}); only the baseline applies"),
            (None, None) => "no knowledge".into(),
        };
        let auth =
            if token_count == 0 { "no tokens: loopback only".to_string() } else { format!("{token_count} API tokens") };
        anstream::eprintln!(
            "lore: serving http://{addr} (MCP at /mcp, API at /v1, /openapi.json); {knowledge}; {auth}"
        );
    })?;
    Ok(exit::OK)
}
