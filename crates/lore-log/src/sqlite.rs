//! The embedded store: SQLite in WAL mode, one file per user (or per
//! `[gate] log`), with versioned migrations applied on open.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::journal;
use crate::{
    Approval, Decisions, Entry, Filter, Granted, Handled, LogError, NewRecord, Pending, ProposalDecision, Rejection,
    Reviews, Written, json, split,
};

/// An open decision log: one SQLite connection, which the threads of one
/// process take in turn.
pub struct DecisionLog {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// Past this size the WAL is checkpointed into the database and truncated.
const WAL_CHECKPOINT_BYTES: u64 = 256 * 1024;
/// The version `MIGRATIONS` bring a log to (SQLite's `user_version`).
/// The columns [`entry`] reads, in its order.
const ENTRY_COLUMNS: &str = "id, ts_unix, source, agent, session, cwd, input, input_kind, actions, decision, reasons, rule_ids, systems, pack_version, executed, team, uid";

/// A row of [`ENTRY_COLUMNS`] as an entry.
fn entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: row.get(0)?,
        ts_unix: row.get(1)?,
        source: row.get(2)?,
        agent: row.get(3)?,
        session: row.get(4)?,
        cwd: row.get(5)?,
        input: row.get(6)?,
        input_kind: row.get(7)?,
        actions: json(row.get(8)?),
        decision: row.get(9)?,
        reasons: json(row.get(10)?),
        rule_ids: split(row.get(11)?),
        systems: split(row.get(12)?),
        pack_version: row.get(13)?,
        executed: row.get::<_, i64>(14)? != 0,
        team: row.get(15)?,
        uid: row.get::<_, Option<String>>(16)?.unwrap_or_default(),
    })
}

const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64 + 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    ts_unix INTEGER NOT NULL,
    source TEXT NOT NULL,
    agent TEXT,
    session TEXT,
    cwd TEXT,
    input TEXT NOT NULL,
    input_kind TEXT NOT NULL,
    actions TEXT NOT NULL,
    decision TEXT NOT NULL,
    reasons TEXT NOT NULL,
    rule_ids TEXT NOT NULL,
    systems TEXT NOT NULL,
    pack_version TEXT,
    executed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS decisions_ts ON decisions (ts_unix);
CREATE TABLE IF NOT EXISTS approvals (
    id INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL,
    input TEXT NOT NULL,
    approved_by TEXT,
    ts_unix INTEGER NOT NULL,
    expires_unix INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
";

/// Each step takes a log from the version before it to the next: entry `i`
/// takes version `i + 1` to `i + 2` (the base schema is version 1). Steps
/// are only ever appended; docs/store.md lists them.
const MIGRATIONS: [&str; 7] = [
    "ALTER TABLE decisions ADD COLUMN team TEXT;",
    "CREATE TABLE IF NOT EXISTS knowledge (
        id INTEGER PRIMARY KEY,
        knowledge TEXT NOT NULL,
        kind TEXT NOT NULL,
        record_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        record TEXT NOT NULL,
        cite TEXT NOT NULL,
        valid_from TEXT,
        valid_until TEXT,
        learned_unix INTEGER NOT NULL,
        retired_unix INTEGER,
        pack_version TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS knowledge_record ON knowledge (knowledge, kind, record_id);
    CREATE TABLE IF NOT EXISTS knowledge_synced (knowledge TEXT PRIMARY KEY, pack_version TEXT NOT NULL);",
    // 3 → 4: a globally unique id per decision, so that delivering it to a
    // shared store is idempotent; older decisions get random ones.
    "ALTER TABLE decisions ADD COLUMN uid TEXT;
    UPDATE decisions SET uid = lower(
        hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
        || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
    WHERE uid IS NULL;
    CREATE UNIQUE INDEX IF NOT EXISTS decisions_uid ON decisions (uid);",
    // 4 → 5: when each decision was delivered to a shared store.
    "ALTER TABLE decisions ADD COLUMN delivered_unix INTEGER;
    CREATE INDEX IF NOT EXISTS decisions_undelivered ON decisions (id) WHERE delivered_unix IS NULL;",
    // 5 → 6: approvals say why, and may stand (not used up) until they expire.
    "ALTER TABLE approvals ADD COLUMN why TEXT;
    ALTER TABLE approvals ADD COLUMN standing INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX IF NOT EXISTS approvals_input ON approvals (input) WHERE used = 0;",
    // 6 → 7: humans' decisions on proposals.
    "CREATE TABLE IF NOT EXISTS proposal_decisions (
        id INTEGER PRIMARY KEY,
        knowledge TEXT NOT NULL,
        proposal TEXT NOT NULL,
        verdict TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        why TEXT,
        ts_unix INTEGER NOT NULL,
        written TEXT
    );
    CREATE INDEX IF NOT EXISTS proposal_decisions_knowledge ON proposal_decisions (knowledge, id);",
    // 7 → 8: humans' refusals of asks and denials; approvals found by decision.
    "CREATE TABLE IF NOT EXISTS decision_rejections (
        id INTEGER PRIMARY KEY,
        decision_id INTEGER NOT NULL,
        rejected_by TEXT,
        why TEXT NOT NULL,
        ts_unix INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS decision_rejections_decision ON decision_rejections (decision_id);
    CREATE INDEX IF NOT EXISTS approvals_decision ON approvals (decision_id);",
];

impl DecisionLog {
    /// Opens the log at `path`, creating it and its directory if missing and
    /// bringing an older schema up to date.
    pub fn open(path: &Path) -> Result<DecisionLog, LogError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| LogError::Io { path: path.to_path_buf(), source })?;
        }
        let err = |source| LogError::Sqlite { path: path.to_path_buf(), source };
        let conn = Connection::open(path).map_err(err)?;
        // Hooks run concurrently: wait for the writer instead of failing.
        conn.busy_timeout(Duration::from_secs(5)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(err)?;
        // Hooks are short-lived processes. Checkpointing and deleting the
        // WAL at every close would cost three fsyncs per call; instead the
        // WAL stays between calls and is checkpointed (and truncated) once
        // it passes WAL_CHECKPOINT_BYTES, which keeps the next process's
        // recovery of it small. Commits are as durable as WAL with NORMAL.
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).map_err(err)?;
        let mut log = DecisionLog { conn: Mutex::new(conn), path: path.to_path_buf() };
        log.migrate()?;
        if !journal::approved_path(path).exists() {
            let now =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
            log.write_approved(&log.db(), now)?;
        }
        log.drain()?;
        Ok(log)
    }

    /// Moves the records hooks left in `<log>.pending` into the log (see
    /// [`journal`]); one stat when there are none.
    fn drain(&self) -> Result<(), LogError> {
        if !journal::pending_path(&self.path).exists() && !journal::draining_path(&self.path).exists() {
            return Ok(());
        }
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate).map_err(self.err())?;
        let Some((_locked, drained)) = journal::take(&self.path)? else { return Ok(()) };
        for (uid, record) in &drained.records {
            self.insert(&tx, uid, record)?;
        }
        tx.commit().map_err(self.err())?;
        journal::finish(&self.path, &drained.damaged)
    }

    /// Rewrites `<log>.approved` from the live approvals, so a hook knows
    /// when it need not open the log to look for one.
    fn write_approved(&self, db: &Connection, now: i64) -> Result<(), LogError> {
        let mut statement = db
            .prepare("SELECT input, expires_unix FROM approvals WHERE used = 0 AND expires_unix >= ?1")
            .map_err(self.err())?;
        let live = statement
            .query_map(params![now], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err())?;
        journal::write_approved(&self.path, &live)
    }

    /// Brings the schema up to `SCHEMA_VERSION`, in one write transaction:
    /// of two processes opening an old log at once, the second finds it done.
    fn migrate(&mut self) -> Result<(), LogError> {
        let path = self.path.clone();
        let err = |source| LogError::Sqlite { path: path.clone(), source };
        let version = |conn: &Connection| conn.pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0));
        let conn = self.conn.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        if version(conn).map_err(err)? >= SCHEMA_VERSION {
            return Ok(());
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        let found = version(&tx).map_err(err)?;
        if found < SCHEMA_VERSION {
            tx.execute_batch(SCHEMA).map_err(err)?;
            for migration in MIGRATIONS.iter().skip((found - 1).max(0) as usize) {
                tx.execute_batch(migration).map_err(err)?;
            }
            tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// The connection, for one operation; a thread that panicked holding it
    /// left no transaction open (rusqlite rolls back on drop).
    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The connection, without locking: this log is borrowed mutably.
    pub(crate) fn db_mut(&mut self) -> &mut Connection {
        self.conn.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn err(&self) -> impl Fn(rusqlite::Error) -> LogError + '_ {
        |source| LogError::Sqlite { path: self.path.clone(), source }
    }

    /// The input of decision `id`, if there is one.
    fn input_of(&self, db: &Connection, id: i64) -> Result<Option<String>, LogError> {
        db.query_row("SELECT input FROM decisions WHERE id = ?1", params![id], |row| row.get(0))
            .optional()
            .map_err(self.err())
    }

    fn uid_taken(&self, uid: &str) -> LogError {
        let message = format!("decision uid {uid} is taken");
        LogError::Sqlite { path: self.path.clone(), source: rusqlite::Error::ToSqlConversionFailure(message.into()) }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Inserts a decision under `uid`; 0 rows when that uid is there already.
    fn insert(&self, db: &Connection, uid: &str, r: &NewRecord) -> Result<usize, LogError> {
        // Cached: a server's writer inserts thousands of decisions a second.
        let mut insert = db
            .prepare_cached(
                "INSERT OR IGNORE INTO decisions (ts_unix, source, agent, session, cwd, input, input_kind, actions, decision, reasons, rule_ids, systems, pack_version, team, uid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )
            .map_err(self.err())?;
        insert
            .execute(params![
                r.ts_unix,
                r.source,
                r.agent,
                r.session,
                r.cwd,
                r.input,
                r.input_kind,
                r.actions,
                r.decision,
                r.reasons,
                r.rule_ids.join(","),
                r.systems.join(","),
                r.pack_version,
                r.team,
                uid
            ])
            .map_err(self.err())
    }

    fn checkpoint_if_large(&self) -> Result<(), LogError> {
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_CHECKPOINT_BYTES) {
            // Another process may be writing; a busy checkpoint is simply retried next time.
            let _ = self.db().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        Ok(())
    }
}

impl Decisions for DecisionLog {
    fn append_as(&self, uid: &str, r: &NewRecord) -> Result<i64, LogError> {
        let id = {
            let db = self.db();
            if self.insert(&db, uid, r)? == 0 {
                return Err(self.uid_taken(uid));
            }
            db.last_insert_rowid()
        };
        self.checkpoint_if_large()?;
        Ok(id)
    }

    fn deliver(&self, uid: &str, r: &NewRecord) -> Result<bool, LogError> {
        Ok(self.insert(&self.db(), uid, r)? > 0)
    }

    fn undelivered(&self, limit: usize) -> Result<Vec<(String, NewRecord)>, LogError> {
        self.drain()?;
        let db = self.db();
        let mut stmt = db
            .prepare(
                "SELECT uid, ts_unix, source, agent, team, session, cwd, input, input_kind, actions, decision, reasons, rule_ids, systems, pack_version
                 FROM decisions WHERE delivered_unix IS NULL ORDER BY id LIMIT ?1",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![limit.min(i64::MAX as usize) as i64], |row| {
                Ok((
                    row.get(0)?,
                    NewRecord {
                        ts_unix: row.get(1)?,
                        source: row.get(2)?,
                        agent: row.get(3)?,
                        team: row.get(4)?,
                        session: row.get(5)?,
                        cwd: row.get(6)?,
                        input: row.get(7)?,
                        input_kind: row.get(8)?,
                        actions: row.get(9)?,
                        decision: row.get(10)?,
                        reasons: row.get(11)?,
                        rule_ids: split(row.get(12)?),
                        systems: split(row.get(13)?),
                        pack_version: row.get(14)?,
                    },
                ))
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    fn mark_delivered(&self, uids: &[String], now: i64) -> Result<(), LogError> {
        let db = self.db();
        let mut stmt = db.prepare("UPDATE decisions SET delivered_unix = ?1 WHERE uid = ?2").map_err(self.err())?;
        for uid in uids {
            stmt.execute(params![now, uid]).map_err(self.err())?;
        }
        Ok(())
    }

    /// Records that the latest decision on `input` in `session` actually ran.
    fn mark_executed(&self, session: Option<&str>, input: &str) -> Result<bool, LogError> {
        self.drain()?;
        let changed = self
            .db()
            .execute(
                "UPDATE decisions SET executed = 1 WHERE id = (
                    SELECT id FROM decisions WHERE input = ?1 AND (session IS ?2) ORDER BY id DESC LIMIT 1)",
                params![input, session],
            )
            .map_err(self.err())?;
        Ok(changed > 0)
    }

    /// The decisions `filter` selects, newest first.
    fn query(&self, filter: &Filter) -> Result<Vec<Entry>, LogError> {
        self.drain()?;
        let limit = if filter.limit == 0 { 50 } else { filter.limit } as i64;
        let db = self.db();
        let mut stmt = db
            .prepare(&format!(
                "SELECT {ENTRY_COLUMNS}
                 FROM decisions
                 WHERE (?1 IS NULL OR ts_unix >= ?1) AND (?2 IS NULL OR decision = ?2) AND (?3 IS NULL OR agent = ?3)
                   AND (?4 IS NULL OR (',' || systems || ',') LIKE ('%,' || ?4 || ',%'))
                   AND (?6 IS NULL OR id < ?6)
                 ORDER BY id DESC LIMIT ?5",
            ))
            .map_err(self.err())?;
        let rows = stmt
            .query_map(
                params![filter.since_unix, filter.decision, filter.agent, filter.system, limit, filter.before_id],
                entry,
            )
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// How many decisions the log holds.
    fn count(&self) -> Result<i64, LogError> {
        self.drain()?;
        self.db().query_row("SELECT count(*) FROM decisions", [], |row| row.get(0)).map_err(self.err())
    }

    /// The decision with this ID, if any.
    fn get(&self, id: i64) -> Result<Option<Entry>, LogError> {
        self.drain()?;
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM decisions WHERE id = ?1");
        self.db().query_row(&sql, [id], entry).optional().map_err(self.err())
    }

    fn find_uid(&self, uid: &str) -> Result<Option<i64>, LogError> {
        self.drain()?;
        self.db()
            .query_row("SELECT id FROM decisions WHERE uid = ?1", [uid], |row| row.get(0))
            .optional()
            .map_err(self.err())
    }

    fn approve(&self, id: i64, a: &Approval<'_>) -> Result<Option<String>, LogError> {
        self.drain()?;
        let db = self.db();
        let Some(input) = self.input_of(&db, id)? else { return Ok(None) };
        db.execute(
            "INSERT INTO approvals (decision_id, input, approved_by, why, standing, ts_unix, expires_unix)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, input, a.by, a.why, a.standing, a.now, a.expires_unix],
        )
        .map_err(self.err())?;
        self.write_approved(&db, a.now)?;
        Ok(Some(input))
    }

    fn revoke(&self, id: i64, now: i64) -> Result<Option<usize>, LogError> {
        self.drain()?;
        let db = self.db();
        let Some(input) = self.input_of(&db, id)? else { return Ok(None) };
        let withdrawn = db
            .execute(
                "UPDATE approvals SET used = 1 WHERE input = ?1 AND used = 0 AND expires_unix >= ?2",
                params![input, now],
            )
            .map_err(self.err())?;
        self.write_approved(&db, now)?;
        Ok(Some(withdrawn))
    }

    fn reject(&self, id: i64, r: &Rejection<'_>) -> Result<Option<String>, LogError> {
        self.drain()?;
        let db = self.db();
        let Some(input) = self.input_of(&db, id)? else { return Ok(None) };
        db.execute(
            "INSERT INTO decision_rejections (decision_id, rejected_by, why, ts_unix) VALUES (?1, ?2, ?3, ?4)",
            params![id, r.by, r.why, r.now],
        )
        .map_err(self.err())?;
        Ok(Some(input))
    }

    fn handled(&self, ids: &[i64]) -> Result<Vec<Handled>, LogError> {
        self.drain()?;
        let db = self.db();
        let mut stmt = db
            .prepare_cached(
                "SELECT decision_id, 'approved', standing, approved_by, why, ts_unix FROM approvals WHERE decision_id = ?1
                 UNION ALL
                 SELECT decision_id, 'rejected', 0, rejected_by, why, ts_unix FROM decision_rejections WHERE decision_id = ?1",
            )
            .map_err(self.err())?;
        let mut all = Vec::new();
        for id in ids {
            let rows = stmt
                .query_map(params![id], |row| {
                    Ok(Handled {
                        decision_id: row.get(0)?,
                        verdict: row.get(1)?,
                        standing: row.get(2)?,
                        by: row.get(3)?,
                        why: row.get(4)?,
                        ts_unix: row.get(5)?,
                    })
                })
                .map_err(self.err())?;
            for row in rows {
                all.push(row.map_err(self.err())?);
            }
        }
        all.sort_by(|a, b| b.ts_unix.cmp(&a.ts_unix).then(b.decision_id.cmp(&a.decision_id)));
        Ok(all)
    }

    fn take_approval(&self, input: &str, now: i64) -> Result<Option<Granted>, LogError> {
        // One lock for the lookup and the use: threads of one process take
        // an approval once; BEGIN IMMEDIATE does the same across processes.
        let mut db = self.db();
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate).map_err(self.err())?;
        let granted = take_approval(&tx, input, now).map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        Ok(granted)
    }

    /// One write transaction for the batch, so one commit.
    fn write_batch(&self, batch: &[Pending], now: i64) -> Result<Vec<Written>, LogError> {
        let written = {
            let mut db = self.db();
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate).map_err(self.err())?;
            let mut written = Vec::with_capacity(batch.len());
            for pending in batch {
                if pending.approvable
                    && let Some(granted) = take_approval(&tx, &pending.record.input, now).map_err(self.err())?
                {
                    written.push(Written::Approved(granted));
                    continue;
                }
                if self.insert(&tx, &pending.uid, &pending.record)? == 0 {
                    return Err(self.uid_taken(&pending.uid));
                }
                written.push(Written::Logged(tx.last_insert_rowid()));
            }
            tx.commit().map_err(self.err())?;
            written
        };
        self.checkpoint_if_large()?;
        Ok(written)
    }
}

/// Uses up an unexpired approval of `input` (a standing one first, and not
/// used up), within the caller's transaction.
fn take_approval(db: &Connection, input: &str, now: i64) -> rusqlite::Result<Option<Granted>> {
    let found: Option<(i64, Granted)> = db
        .prepare_cached(
            "SELECT id, decision_id, approved_by, why, standing FROM approvals
             WHERE input = ?1 AND used = 0 AND expires_unix >= ?2 ORDER BY standing DESC, id DESC LIMIT 1",
        )?
        .query_row(params![input, now], |row| {
            let granted = Granted { decision: row.get(1)?, by: row.get(2)?, why: row.get(3)?, standing: row.get(4)? };
            Ok((row.get(0)?, granted))
        })
        .optional()?;
    let Some((approval, granted)) = found else { return Ok(None) };
    if !granted.standing {
        db.execute("UPDATE approvals SET used = 1 WHERE id = ?1", params![approval])?;
    }
    Ok(Some(granted))
}

impl Reviews for DecisionLog {
    fn record_review(&self, d: &ProposalDecision) -> Result<(), LogError> {
        self.db()
            .execute(
                "INSERT INTO proposal_decisions (knowledge, proposal, verdict, decided_by, why, ts_unix, written)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![d.knowledge, d.proposal, d.verdict, d.by, d.why, d.ts_unix, d.written],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    fn reviews(&self, knowledge: &str, limit: usize) -> Result<Vec<ProposalDecision>, LogError> {
        let db = self.db();
        let mut stmt = db
            .prepare(
                "SELECT knowledge, proposal, verdict, decided_by, why, ts_unix, written FROM proposal_decisions
                 WHERE knowledge = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![knowledge, limit.min(i64::MAX as usize) as i64], |row| {
                Ok(ProposalDecision {
                    knowledge: row.get(0)?,
                    proposal: row.get(1)?,
                    verdict: row.get(2)?,
                    by: row.get(3)?,
                    why: row.get(4)?,
                    ts_unix: row.get(5)?,
                    written: row.get(6)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(input: &str, decision: &str) -> NewRecord {
        NewRecord {
            ts_unix: 1_000,
            source: "test".into(),
            agent: Some("claude-code".into()),
            session: Some("s1".into()),
            input: input.into(),
            input_kind: "shell".into(),
            actions: "[]".into(),
            decision: decision.into(),
            reasons: "[]".into(),
            systems: vec!["payments-db".into()],
            ..NewRecord::default()
        }
    }

    #[test]
    fn append_query_execute_and_approve() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = DecisionLog::open(&dir.path().join("nested/decisions.db")).expect("open");
        let a = log.append(&record("rm -rf /", "deny")).expect("append");
        log.append(&record("ls", "allow")).expect("append");
        assert_eq!(log.count().expect("count"), 2);
        let denied = log.query(&Filter { decision: Some("deny".into()), ..Filter::default() }).expect("query");
        assert_eq!(denied.len(), 1);
        assert_eq!(denied[0].input, "rm -rf /");
        let by_system = log.query(&Filter { system: Some("payments-db".into()), ..Filter::default() }).expect("query");
        assert_eq!(by_system.len(), 2);
        assert!(log.query(&Filter { system: Some("payments".into()), ..Filter::default() }).expect("query").is_empty());
        assert!(log.mark_executed(Some("s1"), "ls").expect("mark"));
        assert!(log.query(&Filter { decision: Some("allow".into()), ..Filter::default() }).expect("q")[0].executed);

        let once = Approval { by: Some("dana"), why: None, now: 1_000, expires_unix: 1_600, standing: false };
        assert_eq!(log.approve(a, &once).expect("approve").as_deref(), Some("rm -rf /"));
        let granted = log.take_approval("rm -rf /", 1_100).expect("take").expect("granted");
        assert_eq!((granted.decision, granted.by.as_deref()), (a, Some("dana")));
        assert_eq!(log.take_approval("rm -rf /", 1_100).expect("take"), None, "an approval is used once");
        log.approve(a, &once).expect("approve");
        assert_eq!(log.take_approval("rm -rf /", 1_601).expect("take"), None, "and expires");
        assert_eq!(log.approve(999, &once).expect("approve"), None);
    }

    #[test]
    fn a_version_1_log_gains_the_team_column_and_keeps_its_records() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("decisions.db");
        {
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(SCHEMA).expect("v1 schema");
            conn.execute_batch(
                "INSERT INTO decisions (ts_unix, source, input, input_kind, actions, decision, reasons, rule_ids, systems)
                 VALUES (1, 'hook', 'ls', 'shell', '[]', 'allow', '[]', '', '');
                 PRAGMA user_version = 1;",
            )
            .expect("v1 record");
        }
        let log = DecisionLog::open(&path).expect("migrates");
        log.append(&NewRecord { team: Some("payments".into()), ..record("kubectl get pods", "allow") })
            .expect("append");
        let entries = log.query(&Filter::default()).expect("query");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].team.as_deref(), Some("payments"));
        assert_eq!(entries[1].team, None);
        drop(log);
        DecisionLog::open(&path).expect("opens again without migrating twice");
    }

    #[test]
    fn every_decision_gets_a_unique_id_and_a_version_3_log_gains_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("decisions.db");
        {
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(SCHEMA).expect("v1 schema");
            for migration in &MIGRATIONS[..2] {
                conn.execute_batch(migration).expect("to v3");
            }
            conn.execute_batch(
                "INSERT INTO decisions (ts_unix, source, input, input_kind, actions, decision, reasons, rule_ids, systems)
                 VALUES (1, 'hook', 'ls', 'shell', '[]', 'allow', '[]', '', ''), (2, 'hook', 'pwd', 'shell', '[]', 'allow', '[]', '', '');
                 PRAGMA user_version = 3;",
            )
            .expect("v3 records");
        }
        let log = DecisionLog::open(&path).expect("migrates");
        for _ in 0..50 {
            log.append(&record("kubectl get pods", "allow")).expect("append");
        }
        let entries = log.query(&Filter { limit: 100, ..Filter::default() }).expect("query");
        assert_eq!(entries.len(), 52);
        let uids: std::collections::HashSet<&str> = entries.iter().map(|e| e.uid.as_str()).collect();
        assert_eq!(uids.len(), 52, "no id repeats, old or new");
        assert!(entries.iter().all(|e| e.uid.len() == 36 && e.uid.matches('-').count() == 4), "UUID-shaped");
        let newest: Vec<&str> = entries[..50].iter().rev().map(|e| e.uid.as_str()).collect();
        assert!(newest.windows(2).all(|w| w[0] < w[1]), "new ids sort by time (UUID v7)");
        let version: i64 = log.db().pragma_query_value(None, "user_version", |row| row.get(0)).expect("version");
        assert_eq!(version, SCHEMA_VERSION);
    }
}
