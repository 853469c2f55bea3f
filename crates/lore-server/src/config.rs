//! `[server]` in lore.toml and the API tokens file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Where `lore serve` listens unless told otherwise: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7878";

#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ServerTable {
    addr: Option<String>,
    tokens_file: Option<PathBuf>,
    max_body_bytes: Option<usize>,
    request_timeout_secs: Option<u64>,
    max_concurrent_requests: Option<usize>,
    reload_every_secs: Option<u64>,
    allowed_hosts: Vec<String>,
    /// The role of each token, by the name (`agent`) it is issued to.
    roles: std::collections::BTreeMap<String, Role>,
}

/// What a token may do. Each role may do what the ones before it may.
/// `[server.roles]` in lore.toml gives it by the token's name; else the
/// token's own `role`; else agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads knowledge, decisions, proposals and health.
    Reader,
    /// Also checks actions and proposes knowledge: what an agent does.
    #[default]
    Agent,
    /// Also approves decisions and approves or rejects proposals.
    Approver,
}

impl Role {
    /// The role's name, as the tokens file spells it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Agent => "agent",
            Role::Approver => "approver",
        }
    }
}

/// Who a request comes from: the identity of its API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The agent the token was issued to, for the decision log.
    pub agent: String,
    /// The team the token belongs to, if any.
    pub team: Option<String>,
    /// What the token may do.
    pub role: Role,
}

/// An API token from the tokens file (`[[token]]`); its secret is never printed.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The bearer secret a caller presents.
    pub secret: String,
    /// The agent it identifies.
    pub agent: String,
    /// The team it belongs to, if any.
    #[serde(default)]
    pub team: Option<String>,
    /// What it may do (default: agent).
    #[serde(default)]
    pub role: Role,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("agent", &self.agent)
            .field("team", &self.team)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// How the server runs: `[server]` in lore.toml, then the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The API tokens; none means loopback only.
    pub tokens: Vec<Token>,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// Requests served at once; more wait.
    pub max_concurrent_requests: usize,
    /// How often to look for a rebuilt pack or changed sources.
    pub reload_every: Duration,
    /// Host names the MCP endpoint answers to, beyond loopback and the bound address.
    pub allowed_hosts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            addr: DEFAULT_ADDR.parse().expect("a valid default address"),
            tokens: Vec::new(),
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            max_concurrent_requests: 64,
            reload_every: Duration::from_secs(2),
            allowed_hosts: Vec::new(),
        }
    }
}

/// Why the server's configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `[server]` is malformed.
    #[error("[server] in lore.toml: {0}")]
    Table(String),
    /// The address is not HOST:PORT.
    #[error("[server] addr `{0}` is not HOST:PORT")]
    Addr(String),
    /// The tokens file is unreadable or malformed.
    #[error("tokens file {path}: {message}")]
    Tokens {
        /// The tokens file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl Settings {
    /// `[server]` from lore.toml, then the command line's address and tokens file.
    pub fn from_config(
        table: Option<&toml::Table>,
        root: &Path,
        addr: Option<&str>,
        tokens_file: Option<&Path>,
    ) -> Result<Settings, ConfigError> {
        let table: ServerTable = match table {
            Some(t) => t.clone().try_into().map_err(|e: toml::de::Error| ConfigError::Table(e.message().into()))?,
            None => ServerTable::default(),
        };
        let defaults = Settings::default();
        let addr_text = addr.map(str::to_string).or(table.addr).unwrap_or_else(|| DEFAULT_ADDR.into());
        let addr = addr_text.parse().map_err(|_| ConfigError::Addr(addr_text.clone()))?;
        let tokens_path = tokens_file.map(Path::to_path_buf).or_else(|| table.tokens_file.map(|p| root.join(p)));
        let mut tokens = match tokens_path {
            Some(path) => load_tokens(&path)?,
            None => Vec::new(),
        };
        assign_roles(&mut tokens, &table.roles)?;
        Ok(Settings {
            addr,
            tokens,
            max_body_bytes: table.max_body_bytes.unwrap_or(defaults.max_body_bytes),
            request_timeout: table.request_timeout_secs.map_or(defaults.request_timeout, Duration::from_secs),
            max_concurrent_requests: table.max_concurrent_requests.unwrap_or(defaults.max_concurrent_requests).max(1),
            reload_every: table.reload_every_secs.map_or(defaults.reload_every, Duration::from_secs),
            allowed_hosts: table.allowed_hosts,
        })
    }

    /// The token's identity, comparing every secret in full (no early exit
    /// that would time how much of a guess was right).
    pub fn caller(&self, presented: &str) -> Option<Caller> {
        let mut found = None;
        for token in &self.tokens {
            if constant_time_eq(token.secret.as_bytes(), presented.as_bytes()) {
                found = Some(Caller { agent: token.agent.clone(), team: token.team.clone(), role: token.role });
            }
        }
        found
    }
}

/// Gives each token the role `[server.roles]` names for it; a name no
/// token is issued to is refused, since a misspelt reader would be an agent.
fn assign_roles(tokens: &mut [Token], roles: &std::collections::BTreeMap<String, Role>) -> Result<(), ConfigError> {
    if tokens.is_empty() {
        return Ok(());
    }
    if let Some(name) = roles.keys().find(|name| !tokens.iter().any(|t| &t.agent == *name)) {
        return Err(ConfigError::Table(format!("roles: no token is issued to `{name}`")));
    }
    for token in tokens {
        if let Some(role) = roles.get(&token.agent) {
            token.role = *role;
        }
    }
    Ok(())
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A TOML file of `[[token]]` tables (`secret`, `agent`, `team`, `role`), kept out
/// of the knowledge repository.
pub fn load_tokens(path: &Path) -> Result<Vec<Token>, ConfigError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        token: Vec<Token>,
    }
    let err = |message: String| ConfigError::Tokens { path: path.to_path_buf(), message };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let file: File = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
    if let Some(short) = file.token.iter().find(|t| t.secret.len() < 16) {
        return Err(err(format!("the secret of `{}` is shorter than 16 characters", short.agent)));
    }
    Ok(file.token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_identify_callers_and_short_secrets_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tokens.toml");
        std::fs::write(&path, "[[token]]\nsecret = \"0123456789abcdef-ci\"\nagent = \"ci-bot\"\nteam = \"platform\"\n")
            .expect("write");
        let settings = Settings::from_config(None, dir.path(), Some("0.0.0.0:9000"), Some(&path)).expect("settings");
        assert_eq!(settings.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(
            settings.caller("0123456789abcdef-ci"),
            Some(Caller { agent: "ci-bot".into(), team: Some("platform".into()), role: Role::Agent })
        );
        assert_eq!(settings.caller("0123456789abcdef-cj"), None);
        assert_eq!(settings.caller(""), None);
        std::fs::write(&path, "[[token]]\nsecret = \"short\"\nagent = \"x\"\n").expect("write");
        assert!(load_tokens(&path).unwrap_err().to_string().contains("shorter than 16"));
        std::fs::write(&path, "[[token]]\nsecret = \"0123456789abcdef-ci\"\nagent = \"ci-bot\"\nrole = \"approver\"\n")
            .expect("write");
        let roles: toml::Table = toml::from_str("[roles]\nci-bot = \"reader\"").expect("toml");
        let settings = Settings::from_config(Some(&roles), dir.path(), None, Some(&path)).expect("settings");
        assert_eq!(settings.caller("0123456789abcdef-ci").map(|c| c.role), Some(Role::Reader), "[server.roles] wins");
        let typo: toml::Table = toml::from_str("[roles]\nci-bto = \"reader\"").expect("toml");
        let refused = Settings::from_config(Some(&typo), dir.path(), None, Some(&path)).unwrap_err();
        assert!(refused.to_string().contains("no token is issued to `ci-bto`"), "{refused}");
        let bad: toml::Table = toml::from_str("adr = \"x\"").expect("toml");
        assert!(Settings::from_config(Some(&bad), dir.path(), None, None).is_err());
    }
}
