//! `lore.toml`: which sources make up the knowledge, and how to read them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const CONFIG_FILE: &str = "lore.toml";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub knowledge: KnowledgeSettings,
    pub pack: PackSettings,
    #[serde(rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// `alias = "system"`: names that mean an existing system, such as
    /// `postgres = "patroni"`.
    pub aliases: BTreeMap<String, String>,
    /// Settings of the gate; read by the gate, kept here so one file configures lore.
    pub gate: Option<toml::Table>,
    /// Settings of `lore serve`; read by the server.
    pub server: Option<toml::Table>,
    pub search: SearchSettings,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchSettings {
    /// A directory holding a sentence-embedding model (all-MiniLM-L6-v2:
    /// `config.json`, `tokenizer.json`, `model.safetensors`), relative to the
    /// knowledge root: search becomes hybrid. `LORE_MODEL` overrides it.
    pub model: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KnowledgeSettings {
    pub name: Option<String>,
    /// How often a record should be reviewed when it does not say: `90d`, `12w`, `6m`, `1y`.
    pub review_every: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PackSettings {
    /// Where the compiled pack goes; relative to the knowledge root. Default `.lore`.
    pub dir: Option<PathBuf>,
    /// What queries do when sources changed since the build.
    pub on_stale: OnStale,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnStale {
    #[default]
    Rebuild,
    Warn,
    Ignore,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// A file or directory, relative to the knowledge root.
    pub path: PathBuf,
    #[serde(default)]
    pub kind: SourceSetting,
    #[serde(default)]
    pub system_from_path: PathConvention,
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
    #[default]
    Auto,
    Lore,
    Backstage,
    Markdown,
    Kubernetes,
    Compose,
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
    None,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Detect {
    /// Postmortem-shaped documents become incidents.
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Parse { path: PathBuf, line: usize, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
        let config = Config::parse(&text, path)?;
        Ok(config)
    }

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
