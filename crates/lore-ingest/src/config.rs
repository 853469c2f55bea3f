//! `lore.toml`: which sources make up the knowledge, and how to read them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The configuration's file name, at the knowledge root.
pub const CONFIG_FILE: &str = "lore.toml";

/// The whole of `lore.toml`; every key is optional (docs/knowledge-format.md).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[knowledge]`: its name and review interval.
    pub knowledge: KnowledgeSettings,
    /// `[pack]`: where the pack goes and what a stale one does.
    pub pack: PackSettings,
    /// `[[source]]` tables; none means the whole root, auto-detected.
    #[serde(rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// `alias = "system"`: names that mean an existing system, such as
    /// `postgres = "patroni"`.
    pub aliases: BTreeMap<String, String>,
    /// Settings of the gate; read by the gate, kept here so one file configures lore.
    pub gate: Option<toml::Table>,
    /// Settings of `lore serve`; read by the server.
    pub server: Option<toml::Table>,
    /// `[search]`: the embedding model, for hybrid search.
    pub search: SearchSettings,
    /// `[store]`: a shared store for `lore serve` (PostgreSQL).
    pub store: StoreSettings,
}

/// `[store]` in `lore.toml`. `LORE_STORE_URL` wins over it, and is the
/// better place for a URL with a password in it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// `postgres://user:password@host:port/db`; `None` keeps the embedded SQLite log.
    pub url: Option<String>,
}

/// `[search]` in `lore.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchSettings {
    /// A directory holding a sentence-embedding model (all-MiniLM-L6-v2:
    /// `config.json`, `tokenizer.json`, `model.safetensors`), relative to the
    /// knowledge root: search becomes hybrid. `LORE_MODEL` overrides it.
    pub model: Option<PathBuf>,
}

/// `[knowledge]` in `lore.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnowledgeSettings {
    /// The knowledge's display name (`Acme`); `None` leaves it unnamed.
    pub name: Option<String>,
    /// How often a record should be reviewed when it does not say: `90d`, `12w`, `6m`, `1y`.
    pub review_every: Option<String>,
}

/// `[pack]` in `lore.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PackSettings {
    /// Where the compiled pack goes; relative to the knowledge root. Default `.lore`.
    pub dir: Option<PathBuf>,
    /// What queries do when sources changed since the build.
    pub on_stale: OnStale,
}

/// What a query does when sources changed since the pack was built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnStale {
    /// Rebuild the pack first (the default).
    #[default]
    Rebuild,
    /// Answer from the old pack and warn.
    Warn,
    /// Answer from the old pack, silently.
    Ignore,
}

/// One `[[source]]`: a file or directory and how to read it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// A file or directory, relative to the knowledge root.
    pub path: PathBuf,
    /// What the source holds; `auto` detects it per file.
    #[serde(default)]
    pub kind: SourceSetting,
    /// How a plain document's path names its system.
    #[serde(default)]
    pub system_from_path: PathConvention,
    /// Whether postmortem-shaped documents become incidents.
    #[serde(default)]
    pub incidents: Detect,
    /// The environment that deployments in this source run in.
    #[serde(default)]
    pub environment: Option<String>,
    /// Globs (relative to the source path) to leave out.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// What a source holds. `auto` decides per file from its content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceSetting {
    /// Decide per file from its content.
    #[default]
    Auto,
    /// lore's own record files (YAML, or Markdown with front matter).
    Lore,
    /// Backstage catalog entities.
    Backstage,
    /// Markdown (and the other doc dialects): runbooks, postmortems, docs.
    Markdown,
    /// Kubernetes manifests.
    Kubernetes,
    /// Docker Compose files (and their `.env`).
    Compose,
    /// A service catalog YAML (GitLab's `service-catalog.yml` shape).
    ServiceCatalog,
}

/// How a plain Markdown document's path names its system.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[rkyv(derive(Debug, PartialEq, Eq, Clone, Copy))]
pub enum PathConvention {
    /// The first directory (below the source path) that names a known system or alias.
    #[default]
    Auto,
    /// The first directory below the source path is the system, known or not.
    FirstDir,
    /// The file name without extension is the system.
    FileStem,
    /// The path names no system; only `systems:` and title mentions count.
    None,
}

/// Whether a source's plain documents become incidents (`incidents = ...`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Detect {
    /// Postmortem-shaped documents become incidents.
    #[default]
    Auto,
    /// Every plain document of the source is an incident.
    Always,
    /// None is.
    Never,
}

/// Why `lore.toml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// It is not valid TOML, or has an unknown key or a wrong type.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The configuration file.
        path: PathBuf,
        /// The 1-based line of the error.
        line: usize,
        /// The TOML parser's message.
        message: String,
    },
    /// It parses but a value is not allowed (such as a review interval).
    #[error("{path}: {message}")]
    Invalid {
        /// The configuration file.
        path: PathBuf,
        /// Which key, and what is wrong with its value.
        message: String,
    },
}

impl Config {
    /// Reads and checks the configuration at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
        let config = Config::parse(&text, path)?;
        Ok(config)
    }

    /// Parses and checks configuration text; `path` is for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|err| ConfigError::Parse {
            path: path.into(),
            line: err.span().map(|span| line_of(text, span.start)).unwrap_or(1),
            message: err.message().to_string(),
        })?;
        if let Some(every) = &config.knowledge.review_every
            && parse_interval_days(every).is_none()
        {
            return Err(ConfigError::Invalid {
                path: path.into(),
                message: format!("knowledge.review_every: `{every}` is not an interval such as 90d, 12w, 6m or 1y"),
            });
        }
        Ok(config)
    }

    /// `[knowledge] review_every` in days, when set.
    pub fn default_review_days(&self) -> Option<u32> {
        self.knowledge.review_every.as_deref().and_then(parse_interval_days)
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text.get(..byte).map(|head| head.matches('\n').count() + 1).unwrap_or(1)
}

/// `90d`, `12w`, `6m` (30-day months), `1y`, or a bare number of days.
pub fn parse_interval_days(text: &str) -> Option<u32> {
    let text = text.trim();
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let count: u32 = digits.parse().ok()?;
    let per = match unit.trim() {
        "" | "d" | "day" | "days" => 1,
        "w" | "week" | "weeks" => 7,
        "m" | "mo" | "month" | "months" => 30,
        "y" | "year" | "years" => 365,
        _ => return None,
    };
    count.checked_mul(per)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse() {
        assert_eq!(parse_interval_days("90d"), Some(90));
        assert_eq!(parse_interval_days("12w"), Some(84));
        assert_eq!(parse_interval_days("6m"), Some(180));
        assert_eq!(parse_interval_days("1y"), Some(365));
        assert_eq!(parse_interval_days("30"), Some(30));
        assert_eq!(parse_interval_days("soon"), None);
    }

    #[test]
    fn config_reads_sources_and_aliases() {
        let text = r#"
[knowledge]
name = "GitLab"
review_every = "180d"

[[source]]
path = "docs"
kind = "markdown"
system_from_path = "first-dir"

[[source]]
path = "services/service-catalog.yml"

[aliases]
postgres = "patroni"
"#;
        let config = Config::parse(text, Path::new("lore.toml")).expect("valid");
        assert_eq!(config.sources.len(), 2);
        assert_eq!(config.sources[0].kind, SourceSetting::Markdown);
        assert_eq!(config.sources[0].system_from_path, PathConvention::FirstDir);
        assert_eq!(config.sources[1].kind, SourceSetting::Auto);
        assert_eq!(config.aliases.get("postgres").map(String::as_str), Some("patroni"));
        assert_eq!(config.default_review_days(), Some(180));
    }

    #[test]
    fn config_errors_name_the_line() {
        let err =
            Config::parse("[knowledge]\nname = \"x\"\nbogus = 1\n", Path::new("lore.toml")).expect_err("unknown key");
        let text = err.to_string();
        assert!(text.starts_with("lore.toml:3:"), "{text}");
        assert!(text.contains("bogus"), "{text}");
    }
}
