//! One version of the knowledge, opened for answering: the pack (or why
//! there is none), the gate's configuration, and the search, opened at its
//! first use. The CLI opens one per command; the server holds one and
//! swaps it whole when the knowledge changes.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use lore_gate::GateConfig;
use lore_pack::{ArchivedPackData, Pack, Progress};

use crate::error::{Error, Result};
use crate::knowledge::Knowledge;
use crate::search::{GateSearch, OpenedSearch};

/// The knowledge as loaded once. Requests hold it (or an `Arc` of it), so a
/// reload never changes the knowledge under a request in flight.
pub struct Loaded {
    /// The knowledge as lore.toml described it when this version was loaded.
    pub knowledge: Arc<Knowledge>,
    /// The pack; `None` when it could not be opened or built.
    pub pack: Option<Pack>,
    /// Why there is no pack.
    pub error: Option<String>,
    /// The `[gate]` section (the defaults when it is malformed).
    pub gate: GateConfig,
    /// The pack's manifest as it was on disk when loaded: a new build changes it.
    pub manifest_stamp: Option<SystemTime>,
    /// lore.toml as it was when loaded: an edit means new sources or settings.
    pub config_stamp: Option<SystemTime>,
    search: OnceLock<Result<OpenedSearch, String>>,
    /// The gate's lexical search, kept so that a server opens it once.
    gate_search: Option<GateSearch>,
}

impl Loaded {
    /// Loads the knowledge, building its pack when needed; a pack that cannot
    /// be opened is kept as `error` (a server goes on with the baseline).
    pub fn load(knowledge: Arc<Knowledge>) -> Loaded {
        match knowledge.open(None) {
            Ok(opened) => Loaded::new(knowledge, Some(opened.pack), None),
            Err(err) => Loaded::new(knowledge, None, Some(err.to_string())),
        }
    }

    /// Opens the knowledge for one command: its pack must open. Returns the
    /// notes for the user (a rebuild, stale sources).
    pub fn open(knowledge: Knowledge, progress: Option<&(dyn Fn(Progress) + Sync)>) -> Result<(Loaded, Vec<String>)> {
        let opened = knowledge.open(progress)?;
        Ok((Loaded::new(Arc::new(knowledge), Some(opened.pack), None), opened.notes))
    }

    fn new(knowledge: Arc<Knowledge>, pack: Option<Pack>, error: Option<String>) -> Loaded {
        Loaded {
            gate_search: pack.as_ref().map(GateSearch::new),
            gate: GateConfig::from_table(knowledge.config.gate.as_ref()).unwrap_or_default(),
            manifest_stamp: manifest_stamp(&knowledge),
            config_stamp: config_stamp(&knowledge.root),
            pack,
            error,
            knowledge,
            search: OnceLock::new(),
        }
    }

    /// The pack's version, when there is a pack.
    pub fn version(&self) -> Option<String> {
        self.pack.as_ref().map(|p| p.manifest().version())
    }

    /// The pack, or `Unavailable` saying why there is none.
    pub fn pack(&self) -> Result<&Pack> {
        self.pack.as_ref().ok_or_else(|| Error::Unavailable(self.unavailable()))
    }

    /// The pack's archived data, or `Unavailable`.
    pub fn data(&self) -> Result<&ArchivedPackData> {
        self.pack().map(Pack::data)
    }

    /// The search, opened at its first use (hybrid when a model is configured).
    pub fn search(&self) -> Result<&OpenedSearch> {
        let pack = self.pack()?;
        self.search
            .get_or_init(|| crate::search::open(&self.knowledge, pack).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Error::Unavailable(e.clone()))
    }

    /// The gate's search of the pack, opened at its first query.
    pub fn gate_search(&self) -> Option<&GateSearch> {
        self.gate_search.as_ref()
    }

    /// Why there is no pack, said for a person.
    pub fn unavailable(&self) -> String {
        self.error.clone().unwrap_or_else(|| "the knowledge is not loaded".into())
    }
}

/// When the pack's manifest was last written, if there is one.
pub fn manifest_stamp(knowledge: &Knowledge) -> Option<SystemTime> {
    std::fs::metadata(knowledge.pack_dir.join(lore_pack::store::MANIFEST_FILE)).and_then(|m| m.modified()).ok()
}

/// When `lore.toml` under `root` was last written, if there is one.
pub fn config_stamp(root: &Path) -> Option<SystemTime> {
    std::fs::metadata(root.join(lore_ingest::config::CONFIG_FILE)).and_then(|m| m.modified()).ok()
}
