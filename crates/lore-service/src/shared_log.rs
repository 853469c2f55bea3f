//! The store of a long-running process (a server), shared by its threads:
//! decisions are written by one writer thread in batches, one transaction
//! each (group commit), and go to the local log while the shared store
//! does not answer.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use lore_action::Analysis;
use lore_gate::Verdict;
use lore_log::{Pending, Store, Written};
use lore_model::Timestamp;

use crate::evaluate::{Request, approvable, grant, new_record, record_as};
use crate::knowledge::Knowledge;

type Opener = Box<dyn Fn() -> Result<Box<dyn Store>, String> + Send + Sync>;

/// How long a store that failed is left alone before it is tried again.
pub const RETRY_AFTER: Duration = Duration::from_secs(2);

/// The most decisions one transaction writes: enough to take every check
/// waiting at once, few enough that one slow batch delays few answers.
const MAX_BATCH: usize = 256;

/// Where a decision was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// In the store, under this id.
    Stored(i64),
    /// In the local log, under this local id, to be delivered later.
    Queued(i64),
}

/// The store of a long-running process. A check waits until its decision
/// is written (every answered check is logged), but checks that arrive
/// together share one transaction. A shared store that does not answer is
/// tried again at most every [`RETRY_AFTER`]; meanwhile decisions go to the
/// local log, which is shipped to the shared store once it is back.
pub struct SharedLog {
    core: Arc<Core>,
    writer: Sender<Job>,
}

struct Core {
    /// Stores are safe to share: the shared one pools its connections; the
    /// embedded one takes turns inside.
    store: RwLock<Result<Arc<dyn Store>, String>>,
    reopen: Option<Opener>,
    fallback: Option<Box<dyn Store>>,
    /// Until when to leave the shared store alone after it failed.
    resting_until: Mutex<Option<Instant>>,
    /// Whether decisions went to the local log since it was last shipped.
    queued: AtomicBool,
}

/// A decision for the writer, and where to say what became of it.
struct Job {
    pending: Pending,
    reply: Sender<Result<Written, String>>,
}

impl SharedLog {
    /// Opens the log at `path`; a log that cannot be opened is kept as why.
    pub fn open(path: &Path) -> SharedLog {
        SharedLog::of(lore_log::open(path).map_err(|e| e.to_string()), None, None)
    }

    /// The store a server uses for `knowledge`: the shared one when
    /// configured (opened again later if it is down now, with the local log
    /// taking decisions meanwhile), else the embedded log.
    pub fn for_server(knowledge: &Knowledge) -> SharedLog {
        let Some((url, setting)) = knowledge.store_url() else {
            return SharedLog::open(&knowledge.log_path());
        };
        let open = move || lore_log::open_shared(&url, setting).map_err(|e| e.to_string());
        let fallback = lore_log::open(&knowledge.log_path()).ok();
        SharedLog::of(open(), Some(Box::new(open)), fallback)
    }

    fn of(
        store: Result<Box<dyn Store>, String>,
        reopen: Option<Opener>,
        fallback: Option<Box<dyn Store>>,
    ) -> SharedLog {
        let core = Arc::new(Core {
            store: RwLock::new(store.map(Arc::from)),
            reopen,
            fallback,
            resting_until: Mutex::new(None),
            queued: AtomicBool::new(false),
        });
        let (writer, jobs) = mpsc::channel();
        let writing = core.clone();
        // Without the thread, `write` says so and decisions go to the local log.
        let _ =
            std::thread::Builder::new().name("lore-log-writer".into()).spawn(move || write_batches(&writing, &jobs));
        SharedLog { core, writer }
    }

    /// Whether the store answers now (not when it failed moments ago);
    /// `Err` says why it is not there at all.
    pub fn reachable(&self) -> Result<bool, String> {
        if self.core.resting() {
            return Ok(false);
        }
        let reachable = self.with(|store| store.reachable());
        if let Ok(false) = reachable {
            self.core.rest();
        }
        reachable
    }

    /// Runs `f` with the store (see [`SharedLog::store`]).
    pub fn with<T>(&self, f: impl FnOnce(&dyn Store) -> T) -> Result<T, String> {
        self.store().map(|store| f(store.as_ref()))
    }

    /// The store, opened first if it could not be opened before (at most
    /// every [`RETRY_AFTER`]); `Err` says why there is none.
    pub fn store(&self) -> Result<Arc<dyn Store>, String> {
        self.core.store()
    }

    /// Whether decisions were queued in the local log since it was last
    /// shipped: a server ships as soon as the store is back.
    pub fn has_queued(&self) -> bool {
        self.core.queued.load(Ordering::Relaxed)
    }

    /// Delivers the local log to the shared store: what was queued while it
    /// was down, and the decisions of hooks on this machine. `None` without
    /// a shared store.
    pub fn ship_local(&self) -> Option<Result<lore_log::Shipped, String>> {
        let fallback = self.core.fallback.as_ref()?;
        if self.core.resting() {
            return Some(Err("the store failed moments ago".into()));
        }
        let now = Timestamp::now().0;
        let shipped = self
            .with(|store| lore_log::ship(fallback.as_ref(), store, now).map_err(|e| e.to_string()))
            .and_then(|shipped| shipped);
        match &shipped {
            Ok(_) => self.core.queued.store(false, Ordering::Relaxed),
            Err(_) => self.core.rest(),
        }
        Some(shipped)
    }

    /// Records a checked action, applying a human's approval if one holds:
    /// in the store, or, when it does not take it, in the local log to be
    /// delivered later, under the same uid.
    pub fn record(
        &self,
        request: &Request<'_>,
        analysis: &Analysis,
        verdict: &mut Verdict,
    ) -> Result<Recorded, String> {
        let now = Timestamp::now().0;
        let uid = lore_log::new_uid();
        let mut pending = Pending {
            uid: uid.clone(),
            record: new_record(request, analysis, verdict, now),
            approvable: approvable(verdict),
        };
        let written = match self.write(pending.clone()) {
            Ok(Written::Approved(granted)) => {
                grant(verdict, &granted);
                pending.record = new_record(request, analysis, verdict, now);
                pending.approvable = false;
                self.write(pending)
            }
            other => other,
        };
        let why = match written {
            Ok(Written::Logged(id)) => return Ok(Recorded::Stored(id)),
            Ok(Written::Approved(_)) => "an approval was taken twice".to_string(),
            Err(why) => why,
        };
        let Some(local) = &self.core.fallback else { return Err(why) };
        self.core.rest();
        // The same uid: a write the store took before it failed to answer
        // is not delivered twice.
        match record_as(local.as_ref(), &uid, request, analysis, verdict) {
            Ok(id) => {
                self.core.queued.store(true, Ordering::Relaxed);
                Ok(Recorded::Queued(id))
            }
            Err(err) => Err(format!("{why}; and the local log failed too: {err}")),
        }
    }

    /// Hands a decision to the writer and waits for it to be written.
    fn write(&self, pending: Pending) -> Result<Written, String> {
        if self.core.resting() {
            return Err("it failed moments ago".into());
        }
        let (reply, written) = mpsc::channel();
        self.writer.send(Job { pending, reply }).map_err(|_| "the log writer stopped".to_string())?;
        written.recv().map_err(|_| "the log writer stopped".to_string())?
    }
}

impl Core {
    fn store(&self) -> Result<Arc<dyn Store>, String> {
        let mut current = self.store.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        if current.is_err()
            && let Some(reopen) = &self.reopen
            && !self.resting()
        {
            let mut store = self.store.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            if store.is_err() {
                *store = reopen().map(Arc::from);
                if store.is_err() {
                    self.rest();
                }
            }
            current = store.clone();
        }
        current
    }

    fn resting(&self) -> bool {
        let until = self.resting_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        until.is_some_and(|until| Instant::now() < until)
    }

    fn rest(&self) {
        let mut until = self.resting_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *until = Some(Instant::now() + RETRY_AFTER);
    }
}

/// The writer: takes every decision waiting (up to [`MAX_BATCH`]), writes
/// them in one batch, and tells each caller what became of its own.
fn write_batches(core: &Core, jobs: &Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH
            && let Ok(job) = jobs.try_recv()
        {
            batch.push(job);
        }
        let (pendings, replies): (Vec<Pending>, Vec<Sender<_>>) =
            batch.into_iter().map(|j| (j.pending, j.reply)).unzip();
        let now = Timestamp::now().0;
        let written = match core.resting() {
            true => Err("it failed moments ago".to_string()),
            false => core.store().and_then(|store| store.write_batch(&pendings, now).map_err(|e| e.to_string())),
        };
        match written {
            Ok(written) => {
                for (reply, written) in replies.into_iter().zip(written) {
                    let _ = reply.send(Ok(written));
                }
            }
            Err(why) => {
                for reply in replies {
                    let _ = reply.send(Err(why.clone()));
                }
            }
        }
    }
}
