//! Finding the knowledge and keeping its pack fresh.
//!
//! Every command finds its knowledge the same way, in this order:
//! `--knowledge DIR` (or `LORE_KNOWLEDGE`), the nearest `lore.toml` at or
//! above the working directory, the user config, the built-in example.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use lore_ingest::{Config, OnStale, config::CONFIG_FILE};
use lore_pack::{BuildOptions, BuildReport, Pack, Progress};

use crate::error::{Error, Result};

static EXAMPLE: Dir<'static> = include_dir!("$OUT_DIR/example-acme");

/// Names the embedding model's directory; wins over `[search] model`.
pub const MODEL_ENV: &str = "LORE_MODEL";
/// Names the shared store; wins over `[store] url`.
pub const STORE_ENV: &str = "LORE_STORE_URL";

/// How the knowledge was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--knowledge DIR` or `LORE_KNOWLEDGE`.
    Flag,
    /// The nearest `lore.toml` at or above the working directory.
    Nearest,
    /// `knowledge = DIR` in the user's `lore/config.toml`.
    UserConfig,
    /// The built-in example (Acme), written to the cache.
    Example,
}

/// A knowledge directory, its configuration and where its pack lives.
pub struct Knowledge {
    /// The directory, canonicalised.
    pub root: PathBuf,
    /// The directory as it was given: a link (git-sync's) may point it
    /// elsewhere later, and a server follows it.
    pub given: PathBuf,
    /// Its `lore.toml`, or the defaults when it has none.
    pub config: Config,
    /// Where the compiled pack is kept.
    pub pack_dir: PathBuf,
    /// How it was found.
    pub origin: Origin,
}

/// A pack opened for reading, with what the user should know about how.
pub struct Opened {
    /// The pack.
    pub pack: Pack,
    /// Notes for the user: a rebuild, stale sources.
    pub notes: Vec<String>,
}

impl Knowledge {
    /// Finds the knowledge: `flag`, else the nearest `lore.toml`, else the
    /// user config, else the built-in example.
    pub fn locate(flag: Option<&Path>) -> Result<Knowledge> {
        if let Some(dir) = flag {
            if !dir.is_dir() {
                return Err(Error::Unavailable(format!("knowledge directory {} does not exist", dir.display())));
            }
            return Knowledge::at(dir, Origin::Flag);
        }
        let cwd = std::env::current_dir().map_err(Error::io("cannot read", "the working directory"))?;
        if let Some(dir) = cwd.ancestors().find(|d| d.join(CONFIG_FILE).is_file()) {
            return Knowledge::at(dir, Origin::Nearest);
        }
        if let Some(dir) = user_config_knowledge()? {
            return Knowledge::at(&dir, Origin::UserConfig);
        }
        let dir = extract_example()?;
        Knowledge::at(&dir, Origin::Example)
    }

    /// The knowledge at `dir`, found as `origin` says.
    pub fn at(dir: &Path, origin: Origin) -> Result<Knowledge> {
        let root = dir.canonicalize().map_err(Error::io("cannot open", dir))?;
        let config_path = root.join(CONFIG_FILE);
        let config = if config_path.is_file() { Config::load(&config_path)? } else { Config::default() };
        let pack_dir = pack_dir(&root, &config)?;
        Ok(Knowledge { root, given: dir.to_path_buf(), config, pack_dir, origin })
    }

    /// Where the knowledge is, said for a person; for the example, how to use one's own.
    pub fn describe(&self) -> String {
        match self.origin {
            Origin::Example => format!(
                "using the built-in example knowledge (Acme, a fictional company) from {}; point lore at yours with --knowledge DIR or a lore.toml",
                self.root.display()
            ),
            _ => format!("knowledge at {}", self.root.display()),
        }
    }

    /// Whether this is the built-in example rather than someone's knowledge.
    pub fn is_example(&self) -> bool {
        self.origin == Origin::Example
    }

    /// Fails with `Invalid` when this is the built-in example: `what` would
    /// write into it.
    pub fn writable_for(&self, what: &str) -> Result<()> {
        if self.is_example() {
            return Err(Error::Invalid(format!(
                "lore is using its built-in example; point it at your knowledge (--knowledge DIR) to {what}"
            )));
        }
        Ok(())
    }

    /// Compiles the pack (incrementally unless `force`) and records the
    /// knowledge's history; a history that cannot be recorded is a warning.
    pub fn build(&self, force: bool, progress: Option<&(dyn Fn(Progress) + Sync)>) -> Result<BuildReport> {
        let options = BuildOptions {
            root: self.root.clone(),
            pack_dir: self.pack_dir.clone(),
            config: self.config.clone(),
            force,
            model: self.model_dir(),
            progress,
        };
        let mut report = lore_pack::build(&options)?;
        if let Err(err) = self.record_history() {
            report.diagnostics.push(lore_model::Diagnostic {
                file: self.log_path().display().to_string(),
                line: 0,
                severity: lore_model::Severity::Warning,
                message: format!("the knowledge's history was not recorded: {err}"),
            });
        }
        Ok(report)
    }

    /// The embedding model for hybrid search: `LORE_MODEL`, else `[search] model` (relative to the root).
    pub fn model_dir(&self) -> Option<PathBuf> {
        match std::env::var_os(MODEL_ENV).filter(|v| !v.is_empty()) {
            Some(dir) => Some(PathBuf::from(dir)),
            None => self.config.search.model.as_ref().map(|dir| self.root.join(dir)),
        }
    }

    /// The decision log, which also keeps the knowledge's history: `[gate] log`, else the default.
    pub fn log_path(&self) -> PathBuf {
        lore_gate::GateConfig::from_table(self.config.gate.as_ref())
            .ok()
            .and_then(|c| c.log)
            .unwrap_or_else(lore_log::default_path)
    }

    /// The shared store's URL and the setting it came from: `LORE_STORE_URL`,
    /// else `[store] url`; `None` keeps the embedded log.
    pub fn store_url(&self) -> Option<(String, &'static str)> {
        match std::env::var(STORE_ENV) {
            Ok(url) if !url.trim().is_empty() => Some((url, STORE_ENV)),
            _ => {
                self.config.store.url.clone().filter(|u| !u.trim().is_empty()).map(|u| (u, "[store] url in lore.toml"))
            }
        }
    }

    /// The key the history of this knowledge is kept under.
    pub fn history_key(&self) -> String {
        self.root.to_string_lossy().into_owned()
    }

    fn record_history(&self) -> Result<()> {
        let pack = Pack::open(&self.pack_dir)?;
        let mut log = lore_log::open(&self.log_path())?;
        crate::history::sync(log.as_mut(), &self.history_key(), &pack, lore_model::Timestamp::now().0)?;
        Ok(())
    }

    /// Opens the pack, building it first when it is missing or unreadable, and
    /// refreshing it when sources changed (as `[pack] on_stale` says).
    pub fn open(&self, progress: Option<&(dyn Fn(Progress) + Sync)>) -> Result<Opened> {
        self.open_checking(progress, None)
    }

    /// As [`Knowledge::open`], but checks the sources for changes at most once
    /// per `throttle`: hooks run in bursts, and a large pack's check stats
    /// every source file.
    pub fn open_checking(
        &self,
        progress: Option<&(dyn Fn(Progress) + Sync)>,
        throttle: Option<std::time::Duration>,
    ) -> Result<Opened> {
        let mut notes = Vec::new();
        match Pack::open(&self.pack_dir) {
            Ok(pack) => {
                let policy = self.config.pack.on_stale;
                if policy == OnStale::Ignore || recently_checked(&self.pack_dir, throttle) || !pack.is_stale() {
                    return Ok(Opened { pack, notes });
                }
                if policy == OnStale::Warn {
                    notes.push("warning: sources changed since the pack was built; run `lore build` to refresh".into());
                    return Ok(Opened { pack, notes });
                }
                notes.push("sources changed since the last build; rebuilding the knowledge pack".into());
            }
            Err(err) if err.is_rebuildable() => {
                if !matches!(err, lore_pack::PackError::Missing(_)) {
                    notes.push(err.to_string());
                }
                notes.push(format!("building the knowledge pack for {}", self.root.display()));
            }
            Err(err) => return Err(err.into()),
        }
        // A build that fails says why after what led to it (a damaged pack).
        let said_first = |err: Error| match notes.is_empty() {
            true => err,
            false => Error::Unavailable(format!("{}; {err}", notes.join("; "))),
        };
        self.build(false, progress).map_err(said_first)?;
        Ok(Opened { pack: Pack::open(&self.pack_dir)?, notes })
    }
}

/// Whether sources were checked within `throttle`; marks this check otherwise.
fn recently_checked(pack_dir: &Path, throttle: Option<std::time::Duration>) -> bool {
    let Some(throttle) = throttle else { return false };
    let marker = pack_dir.join("checked");
    let fresh = std::fs::metadata(&marker)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age < throttle);
    if !fresh {
        // Marked before the check runs, so concurrent hooks do not all check at once.
        let _ = std::fs::File::create(&marker);
    }
    fresh
}

/// `[pack] dir`, else `.lore` under the root; a per-user cache when the root
/// is read-only (a checked-out corpus, a mounted volume).
fn pack_dir(root: &Path, config: &Config) -> Result<PathBuf> {
    if let Ok(dir) = std::env::var("LORE_PACK_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let wanted = root.join(config.pack.dir.clone().unwrap_or_else(|| ".lore".into()));
    // A pack already there was written there: no need to probe (hooks run this on every call).
    if wanted.join(lore_pack::store::MANIFEST_FILE).is_file() || writable(&wanted) {
        return Ok(wanted);
    }
    let key = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(root.to_string_lossy().as_bytes()));
    let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(cache_root().join("packs").join(format!("{name}-{key}")))
}

fn writable(dir: &Path) -> bool {
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    let probe = dir.join(format!(".probe.{}", std::process::id()));
    let ok = std::fs::write(&probe, b"").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

fn cache_root() -> PathBuf {
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("lore")
}

fn user_config_knowledge() -> Result<Option<PathBuf>> {
    #[derive(serde::Deserialize)]
    struct UserConfig {
        knowledge: Option<PathBuf>,
    }
    let Some(path) = dirs::config_dir().map(|d| d.join("lore").join("config.toml")) else { return Ok(None) };
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    let config: UserConfig =
        toml::from_str(&text).map_err(|err| Error::Malformed { path: path.clone(), message: err.to_string() })?;
    Ok(config.knowledge)
}

/// Writes the embedded example to the cache (once per version of it) and
/// returns its directory.
fn extract_example() -> Result<PathBuf> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    visit(&EXAMPLE, &mut |file| {
        hasher.update(file.path().to_string_lossy().as_bytes());
        hasher.update(file.contents());
    });
    let dir = cache_root().join(format!("example-{:016x}", hasher.digest()));
    let marker = dir.join(".complete");
    if marker.is_file() {
        return Ok(dir);
    }
    let staging = dir.with_extension(format!("tmp{}", std::process::id()));
    let mut result = Ok(());
    visit(&EXAMPLE, &mut |file| {
        if result.is_err() {
            return;
        }
        let target = staging.join(file.path());
        result = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, file.contents()))
            .map_err(Error::io("writing the example knowledge to", &target));
    });
    result?;
    let complete = staging.join(".complete");
    std::fs::write(&complete, b"").map_err(Error::io("writing the example knowledge to", &complete))?;
    // Another process may have won the race; either copy is the same.
    if std::fs::rename(&staging, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    Ok(dir)
}

fn visit<'a>(dir: &'a Dir<'a>, f: &mut dyn FnMut(&'a include_dir::File<'a>)) {
    for file in dir.files() {
        f(file);
    }
    for sub in dir.dirs() {
        visit(sub, f);
    }
}
