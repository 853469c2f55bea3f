//! What the server holds between requests: the loaded knowledge, swapped
//! whole when the pack or its sources change, and the decision log.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use lore_pack::Pack;
use lore_service::evaluate::SharedLog;
use lore_service::loaded::{config_stamp, manifest_stamp};
use lore_service::{Knowledge, Loaded, Origin};

use crate::config::Settings;

/// What every request shares: the knowledge, swapped whole on reload, and the decision log.
pub struct Shared {
    /// Where the knowledge is, as given, and how it was found: lore.toml is
    /// read again from here, and a link here that moves is followed.
    given: PathBuf,
    origin: Origin,
    /// How the server runs.
    pub settings: Settings,
    current: ArcSwap<Loaded>,
    /// The decision log every check appends to.
    pub log: SharedLog,
    reloading: Mutex<()>,
}

impl Shared {
    /// Loads the knowledge and opens its decision log.
    pub fn new(knowledge: Knowledge, settings: Settings) -> Arc<Shared> {
        let (given, origin) = (knowledge.given.clone(), knowledge.origin);
        let log = SharedLog::for_server(&knowledge);
        let loaded = Loaded::load(Arc::new(knowledge));
        Arc::new(Shared {
            given,
            origin,
            settings,
            current: ArcSwap::from_pointee(loaded),
            log,
            reloading: Mutex::new(()),
        })
    }

    /// The knowledge as loaded now; a request keeps this version to its end.
    pub fn current(&self) -> Arc<Loaded> {
        self.current.load_full()
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
        // git-sync swaps a link to each new checkout: the root moved.
        let moved = self.given.canonicalize().is_ok_and(|root| root != old.knowledge.root);
        let config_changed = moved || config_stamp(&self.given) != old.config_stamp;
        let knowledge = if config_changed {
            match Knowledge::at(&self.given, self.origin) {
                Ok(knowledge) => Arc::new(knowledge),
                Err(err) => {
                    // Keep serving what worked; say so once per edit.
                    eprintln!("lore: {err}; still serving the knowledge loaded before");
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
        let new = Loaded::load(knowledge);
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
        self.current.store(Arc::new(Loaded::load(knowledge)));
    }
}
