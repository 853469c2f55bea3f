//! The store of what lore decided and learned: every decision the gate
//! makes, humans' approvals, and the knowledge's bitemporal history.
//!
//! The domain sees only the [`Store`] trait. [`DecisionLog`] keeps it in an
//! embedded SQLite database in WAL mode, so that hook processes running at
//! once never lose a record and a killed process loses at most the one in
//! flight. The schema and its migrations are in docs/store.md.

use std::path::PathBuf;

mod history;
pub mod journal;
mod postgres;
mod sqlite;

pub use history::{Current, Synced, Version};
pub use postgres::{PgStore, redact};
use serde::{Deserialize, Serialize};
pub use sqlite::DecisionLog;

/// Why the decision log could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// SQLite failed on the log.
    #[error("decision log {path}: {source}")]
    Sqlite {
        /// The log's database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The shared store failed: it is unreachable, refused the login, or
    /// answered with an error. Never shows the password.
    #[error("store {store} (from {setting}): {message}")]
    Store {
        /// The setting the store's URL came from (`LORE_STORE_URL`, `[store] url`).
        setting: String,
        /// The store's URL without its password.
        store: String,
        /// What went wrong.
        message: String,
    },
    /// A file beside the log (pending records, the approval list) could not be read or written.
    #[error("decision log: {action} {path}: {source}")]
    Pending {
        /// The file.
        path: PathBuf,
        /// What was being done to it.
        action: &'static str,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A record could not be encoded.
    #[error("decision log: cannot encode a record: {0}")]
    Encode(String),
    /// The log's directory could not be created.
    #[error("decision log {path}: cannot create its directory: {source}")]
    Io {
        /// The log's database file.
        path: PathBuf,
        /// Why its directory could not be created.
        source: std::io::Error,
    },
}

/// One decision to record.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewRecord {
    /// When it was decided, in Unix seconds.
    pub ts_unix: i64,
    /// Which front end asked: `cli`, `hook`, `mcp`, `http`, ….
    pub source: String,
    /// The agent's name (`claude-code`, …), when one asked.
    pub agent: Option<String>,
    /// The team of the API token the request came with (server requests).
    pub team: Option<String>,
    /// The agent's session ID, when it sent one.
    pub session: Option<String>,
    /// The working directory the action would run in, when known.
    pub cwd: Option<String>,
    /// The input exactly as received (the command, SQL, plan, …).
    pub input: String,
    /// What the input is: `shell`, `sql`, `terraform-plan`, `manifest`, `structured`.
    pub input_kind: String,
    /// JSON.
    pub actions: String,
    /// The decision: `allow`, `warn`, `ask` or `deny`.
    pub decision: String,
    /// JSON.
    pub reasons: String,
    /// The IDs of the rules the reasons cite.
    pub rule_ids: Vec<String>,
    /// The systems the actions touch.
    pub systems: Vec<String>,
    /// The version of the pack it was decided against; `None` with no pack.
    pub pack_version: Option<String>,
}

/// One logged decision, as read back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// Its ID (row ID), increasing; what `lore approve` takes.
    pub id: i64,
    /// Its globally unique ID (a UUID, time-ordered for new decisions): the
    /// same decision has it in every store it is delivered to.
    pub uid: String,
    /// When it was decided, in Unix seconds.
    pub ts_unix: i64,
    /// Which front end asked (see [`NewRecord::source`]).
    pub source: String,
    /// The agent's name, when one asked.
    pub agent: Option<String>,
    /// The team of the API token the request came with (server requests).
    pub team: Option<String>,
    /// The agent's session ID, when sent.
    pub session: Option<String>,
    /// The working directory, when known.
    pub cwd: Option<String>,
    /// The input as received.
    pub input: String,
    /// What the input is (see [`NewRecord::input_kind`]).
    pub input_kind: String,
    /// The analysed actions (a string if what was stored is not JSON).
    pub actions: serde_json::Value,
    /// `allow`, `warn`, `ask` or `deny`.
    pub decision: String,
    /// The reasons (a string if what was stored is not JSON).
    pub reasons: serde_json::Value,
    /// The IDs of the rules the reasons cite.
    pub rule_ids: Vec<String>,
    /// The systems the actions touch.
    pub systems: Vec<String>,
    /// The pack version it was decided against; `None` with no pack.
    pub pack_version: Option<String>,
    /// Whether the agent reported afterwards that the action ran.
    pub executed: bool,
}

/// A decision waiting to be written by [`Decisions::write_batch`].
#[derive(Debug, Clone)]
pub struct Pending {
    /// Its uid, chosen by the caller (see [`Decisions::append_as`]).
    pub uid: String,
    /// The decision as the gate made it.
    pub record: NewRecord,
    /// Whether a human's approval of its input would lift it (an ask or a
    /// deny that may be approved).
    pub approvable: bool,
}

/// What writing one pending decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// It is logged, under this id.
    Logged(i64),
    /// An approval lifts it; it is not logged. The caller applies the
    /// approval and writes the decision again, as allowed.
    Approved(Granted),
}

/// Which decisions [`Decisions::query`] returns; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only decisions at or after this time, in Unix seconds.
    pub since_unix: Option<i64>,
    /// Only this decision (`deny`, …).
    pub decision: Option<String>,
    /// Only decisions touching this system.
    pub system: Option<String>,
    /// Only this agent's decisions.
    pub agent: Option<String>,
    /// Only decisions older than this id: the next page after one whose
    /// last entry had it.
    pub before_id: Option<i64>,
    /// At most this many, newest first; 0 means 50.
    pub limit: usize,
}

/// A human's approval of a decision's exact input.
#[derive(Debug, Clone, Copy)]
pub struct Approval<'a> {
    /// Who approves.
    pub by: Option<&'a str>,
    /// Why, kept with the approval.
    pub why: Option<&'a str>,
    /// When, in Unix seconds.
    pub now: i64,
    /// Until when it holds, in Unix seconds.
    pub expires_unix: i64,
    /// Whether it lets the input through every time until it expires,
    /// rather than once.
    pub standing: bool,
}

/// A human's refusal of a decision's request.
#[derive(Debug, Clone, Copy)]
pub struct Rejection<'a> {
    /// Who refuses.
    pub by: Option<&'a str>,
    /// Why: a refusal always says.
    pub why: &'a str,
    /// When, in Unix seconds.
    pub now: i64,
}

/// What a human did about a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handled {
    /// The decision.
    pub decision_id: i64,
    /// `approved` or `rejected`.
    pub verdict: String,
    /// Whether an approval stands until it expires, rather than once.
    pub standing: bool,
    /// Who.
    pub by: Option<String>,
    /// Why.
    pub why: Option<String>,
    /// When, in Unix seconds.
    pub ts_unix: i64,
}

/// An approval the gate found for an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Granted {
    /// The approved decision's id.
    pub decision: i64,
    /// Who approved it.
    pub by: Option<String>,
    /// Why.
    pub why: Option<String>,
    /// Whether it stands (it was not used up).
    pub standing: bool,
}

/// Where the log lives when nothing says otherwise.
pub fn default_path() -> PathBuf {
    if let Ok(path) = std::env::var("LORE_LOG") {
        return PathBuf::from(path);
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    state.join("lore").join("decisions.db")
}

/// Decisions and the approvals of them: what the gate appends and a human
/// approves, whichever store keeps them.
pub trait Decisions {
    /// Appends one decision under a new unique id and returns its id.
    fn append(&self, record: &NewRecord) -> Result<i64, LogError> {
        self.append_as(&new_uid(), record)
    }
    /// Appends one decision under `uid`, which the caller chose so that a
    /// write retried elsewhere (the local log, when the store failed
    /// mid-write) is still one decision; an error when `uid` is taken.
    fn append_as(&self, uid: &str, record: &NewRecord) -> Result<i64, LogError>;
    /// Records that the latest decision on `input` in `session` actually ran.
    fn mark_executed(&self, session: Option<&str>, input: &str) -> Result<bool, LogError>;
    /// The decisions `filter` selects, newest first.
    fn query(&self, filter: &Filter) -> Result<Vec<Entry>, LogError>;
    /// How many decisions the store holds.
    fn count(&self) -> Result<i64, LogError>;
    /// The decision with this id, if any.
    fn get(&self, id: i64) -> Result<Option<Entry>, LogError>;
    /// The id of the decision with this globally unique id, if the store has it.
    fn find_uid(&self, uid: &str) -> Result<Option<i64>, LogError>;
    /// A human approves the input of decision `id`; returns that input, or
    /// `None` when there is no such decision.
    fn approve(&self, id: i64, approval: &Approval<'_>) -> Result<Option<String>, LogError>;
    /// Withdraws every approval of the input of decision `id` that could
    /// still let it through (standing or once-only); returns how many, or
    /// `None` when there is no such decision.
    fn revoke(&self, id: i64, now: i64) -> Result<Option<usize>, LogError>;
    /// A human says no to the request of decision `id`, and why; returns
    /// its input, or `None` when there is no such decision.
    fn reject(&self, id: i64, rejection: &Rejection<'_>) -> Result<Option<String>, LogError>;
    /// What humans did about these decisions (approvals and rejections),
    /// newest first.
    fn handled(&self, ids: &[i64]) -> Result<Vec<Handled>, LogError>;
    /// Finds an unexpired approval of exactly this input: a standing one
    /// first, else a once-only one, which this uses up.
    fn take_approval(&self, input: &str, now: i64) -> Result<Option<Granted>, LogError>;
    /// Whether the store answers now (an embedded one always does).
    fn reachable(&self) -> bool {
        true
    }
    /// Writes decisions that many callers made at once, as each caller
    /// would: an approvable one first takes an approval of its input, and
    /// one that an approval lifts is answered with it instead of logged.
    /// A store may do the batch in one transaction; on an error, none of
    /// it is known to be written.
    fn write_batch(&self, batch: &[Pending], now: i64) -> Result<Vec<Written>, LogError> {
        batch
            .iter()
            .map(|pending| {
                if pending.approvable
                    && let Some(granted) = self.take_approval(&pending.record.input, now)?
                {
                    return Ok(Written::Approved(granted));
                }
                self.append_as(&pending.uid, &pending.record).map(Written::Logged)
            })
            .collect()
    }
    /// Stores a decision made elsewhere under its own `uid`; delivering the
    /// same `uid` again changes nothing. Returns whether it was new.
    fn deliver(&self, uid: &str, record: &NewRecord) -> Result<bool, LogError>;
    /// Delivers a batch as [`Decisions::deliver`] does each; returns how
    /// many were new. A store may do it in one transaction.
    fn deliver_batch(&self, batch: &[(String, NewRecord)]) -> Result<usize, LogError> {
        let mut new = 0;
        for (uid, record) in batch {
            new += usize::from(self.deliver(uid, record)?);
        }
        Ok(new)
    }
    /// Up to `limit` decisions not yet delivered to a shared store, oldest
    /// first, with their uids (a shared store has none to deliver).
    fn undelivered(&self, limit: usize) -> Result<Vec<(String, NewRecord)>, LogError>;
    /// Marks these decisions delivered at `now`.
    fn mark_delivered(&self, uids: &[String], now: i64) -> Result<(), LogError>;
}

/// What one delivery to the shared store did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Shipped {
    /// Decisions the shared store did not have.
    pub delivered: usize,
    /// Decisions it had already (a delivery interrupted before it was marked).
    pub already_there: usize,
}

/// Delivers every decision `local` has not delivered to `shared`, in
/// batches, marking each batch once the shared store holds it. A run cut
/// short delivers the rest next time, and the shared store ignores what it
/// holds already, so each decision arrives exactly once.
pub fn ship(local: &dyn Store, shared: &dyn Store, now: i64) -> Result<Shipped, LogError> {
    const BATCH: usize = 500;
    let mut shipped = Shipped::default();
    loop {
        let batch = local.undelivered(BATCH)?;
        if batch.is_empty() {
            return Ok(shipped);
        }
        let new = shared.deliver_batch(&batch)?;
        shipped.delivered += new;
        shipped.already_there += batch.len() - new;
        let uids: Vec<String> = batch.into_iter().map(|(uid, _)| uid).collect();
        local.mark_delivered(&uids, now)?;
    }
}

/// The knowledge's bitemporal history (see [`history`](crate::Version)).
pub trait History {
    /// Brings the history of `knowledge` (its root) up to the pack's records.
    fn sync_history(
        &mut self,
        knowledge: &str,
        records: &[Current],
        pack_version: &str,
        now: i64,
    ) -> Result<Synced, LogError>;
    /// The pack version the history of `knowledge` was last brought up to.
    fn synced_version(&self, knowledge: &str) -> Result<Option<String>, LogError>;
    /// Every version of a record, oldest first.
    fn history(&self, knowledge: &str, kind: Option<&str>, id: &str) -> Result<Vec<Version>, LogError>;
    /// Whether any history was recorded for `knowledge`.
    fn has_history(&self, knowledge: &str) -> Result<bool, LogError>;
}

/// A human's decision on a proposal, kept in the store beside the files the
/// review writes, so that every server on a store shows one review history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalDecision {
    /// The knowledge's root.
    pub knowledge: String,
    /// The proposal's id, `PROP-…`.
    pub proposal: String,
    /// `approved` or `rejected`.
    pub verdict: String,
    /// Who decided.
    pub by: String,
    /// Why, if they said (always, for a rejection).
    pub why: Option<String>,
    /// When, in Unix seconds.
    pub ts_unix: i64,
    /// The knowledge file an approval wrote, relative to the root.
    pub written: Option<String>,
}

/// Humans' decisions on proposed knowledge.
pub trait Reviews {
    /// Keeps one decision.
    fn record_review(&self, decision: &ProposalDecision) -> Result<(), LogError>;
    /// The latest `limit` decisions on proposals to `knowledge`, newest first.
    fn reviews(&self, knowledge: &str, limit: usize) -> Result<Vec<ProposalDecision>, LogError>;
}

/// Everything lore keeps beside the pack. The domain uses only this; which
/// store holds it (embedded SQLite, by default) is the opener's business.
pub trait Store: Decisions + History + Reviews + Send + Sync {}

impl<T: Decisions + History + Reviews + Send + Sync> Store for T {}

/// Opens the store at `path` (the embedded SQLite log), creating it and
/// bringing its schema up to date.
pub fn open(path: &std::path::Path) -> Result<Box<dyn Store>, LogError> {
    Ok(Box::new(DecisionLog::open(path)?))
}

/// Opens the shared store at `url` (PostgreSQL), which came from `setting`.
pub fn open_shared(url: &str, setting: &str) -> Result<Box<dyn Store>, LogError> {
    Ok(Box::new(PgStore::open(url, setting)?))
}

/// Takes an approval of `input` from the shared store at `url` within
/// `budget` (see [`PgStore::take_approval_within`]).
pub fn take_shared_approval(
    url: &str,
    setting: &str,
    input: &str,
    now: i64,
    budget: std::time::Duration,
) -> Result<Option<Granted>, LogError> {
    PgStore::take_approval_within(url, setting, input, now, budget)
}

/// A stored comma-separated list (rule ids, systems) as a list.
pub(crate) fn split(s: String) -> Vec<String> {
    s.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// Stored JSON (actions, reasons) as a value; what is not JSON stays a string.
pub(crate) fn json(s: String) -> serde_json::Value {
    serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s))
}

/// `text` as a decision uid in the form stores keep it, if it is a UUID.
pub fn parse_uid(text: &str) -> Option<String> {
    uuid::Uuid::try_parse(text).ok().map(|uid| uid.to_string())
}

/// A new globally unique decision id: a UUID v7, so ids sort by time.
pub fn new_uid() -> String {
    uuid::Uuid::now_v7().to_string()
}
