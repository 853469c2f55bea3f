//! What the server holds between requests: the loaded knowledge, swapped
//! whole when the pack or its sources change, and the decision log.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use arc_swap::ArcSwap;
use lore_gate::GateConfig;
use lore_log::DecisionLog;
use lore_pack::Pack;
use lore_service::search::OpenedSearch;
use lore_service::{Knowledge, Origin};

use crate::config::Settings;

/// One version of the knowledge. Requests hold an `Arc` to it, so a reload
/// never changes the knowledge under a request in flight.
pub struct Loaded {
    /// The knowledge as lore.toml described it when this version was loaded.
    pub knowledge: Arc<Knowledge>,
    pub pack: Option<Pack>,
    /// Why there is no pack.
    pub error: Option<String>,
    pub gate: GateConfig,
    pub root: PathBuf,
    /// The pack's manifest as it was on disk when loaded: a new build changes it.
    manifest_stamp: Option<SystemTime>,
    /// lore.toml as it was when loaded: an edit means new sources or settings.
    config_stamp: Option<SystemTime>,
    search: OnceLock<Result<OpenedSearch, String>>,
}

impl Loaded {
    pub fn version(&self) -> Option<String> {
        self.pack.as_ref().map(|p| p.manifest().version())
    }

    /// The search, opened at its first use (hybrid when a model is configured).
    pub fn search(&self) -> Result<&OpenedSearch, String> {
        let pack = self.pack.as_ref().ok_or_else(|| self.unavailable())?;
        self.search
            .get_or_init(|| lore_service::search::open(&self.knowledge, pack).map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn unavailable(&self) -> String {
        self.error.clone().unwrap_or_else(|| "the knowledge is not loaded".into())
    }
}

pub struct Shared {
    /// Where the knowledge is, and how it was found: lore.toml is read again from here.
    root: PathBuf,
    origin: Origin,
    pub settings: Settings,
    current: ArcSwap<Loaded>,
    /// One connection, held only to append: SQLite serialises writers anyway.
    log: Mutex<Result<DecisionLog, String>>,
    reloading: Mutex<()>,
}

impl Shared {
    pub fn new(knowledge: Knowledge, settings: Settings) -> Arc<Shared> {
        let (root, origin) = (knowledge.root.clone(), knowledge.origin);
        let log = DecisionLog::open(&knowledge.log_path()).map_err(|e| e.to_string());
        let loaded = load(Arc::new(knowledge));
        Arc::new(Shared {
            root,
            origin,
            settings,
            current: ArcSwap::from_pointee(loaded),
            log: Mutex::new(log),
            reloading: Mutex::new(()),
        })
    }

    pub fn current(&self) -> Arc<Loaded> {
        self.current.load_full()
    }

    /// Runs `f` with the decision log; `Err` says why there is none.
    pub fn with_log<T>(&self, f: impl FnOnce(&DecisionLog) -> T) -> Result<T, String> {
        let guard = self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*guard {
            Ok(log) => Ok(f(log)),
            Err(err) => Err(err.clone()),
        }
    }

    /// Whether lore serves its built-in example rather than someone's knowledge.
    pub fn is_example(&self) -> bool {
        self.origin == Origin::Example
    }

    /// Loads the knowledge again when lore.toml was edited, the pack was
    /// rebuilt or its sources changed (rebuilding it as `[pack] on_stale`
    /// says); `force` loads it in any case. Returns whether the version
    /// changed. Blocking.
    pub fn reload(&self, force: bool) -> bool {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let old = self.current();
        let config_changed = config_stamp(&self.root) != old.config_stamp;
        let knowledge = if config_changed {
            match Knowledge::at(&self.root, self.origin) {
                Ok(knowledge) => Arc::new(knowledge),
                Err(err) => {
                    // Keep serving what worked; say so once per edit.
                    eprintln!("lore: {err:#}; still serving the knowledge loaded before");
                    old.knowledge.clone()
                }
            }
        } else {
            old.knowledge.clone()
        };
        let changed_on_disk = config_changed || manifest_stamp(&knowledge) != old.manifest_stamp;
        let stale = old.pack.as_ref().is_none_or(Pack::is_stale);
        if !(force || changed_on_disk || stale) {
            return false;
        }
        if config_changed {
            // The pack was built from the old sources: build from the new ones.
            let _ = knowledge.build(false, None);
        }
        let new = load(knowledge);
        let changed = new.version() != old.version() || new.error != old.error;
        if changed || changed_on_disk {
            self.current.store(Arc::new(new));
        }
        changed
    }

    /// Builds the pack now (new files the staleness check cannot see, such
    /// as a first proposal) and loads it.
    pub fn rebuild(&self) {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let knowledge = self.current().knowledge.clone();
        let _ = knowledge.build(false, None);
        self.current.store(Arc::new(load(knowledge)));
    }
}

fn manifest_stamp(knowledge: &Knowledge) -> Option<SystemTime> {
    std::fs::metadata(knowledge.pack_dir.join(lore_pack::store::MANIFEST_FILE)).and_then(|m| m.modified()).ok()
}

fn config_stamp(root: &Path) -> Option<SystemTime> {
    std::fs::metadata(root.join(lore_ingest::config::CONFIG_FILE)).and_then(|m| m.modified()).ok()
}

fn load(knowledge: Arc<Knowledge>) -> Loaded {
    let gate = GateConfig::from_table(knowledge.config.gate.as_ref()).unwrap_or_default();
    let (pack, error) = match knowledge.open(None, true) {
        Ok(pack) => (Some(pack), None),
        Err(err) => (None, Some(format!("{err:#}"))),
    };
    Loaded {
        pack,
        error,
        gate,
        root: knowledge.root.clone(),
        manifest_stamp: manifest_stamp(&knowledge),
        config_stamp: config_stamp(&knowledge.root),
        search: OnceLock::new(),
        knowledge,
    }
}
