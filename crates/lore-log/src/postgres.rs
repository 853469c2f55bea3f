//! The shared store: PostgreSQL, for several `lore serve` replicas and the
//! hooks that deliver to them. A pool of connections (r2d2), bounded
//! timeouts, TLS through rustls when the URL asks for it (`sslmode=require`),
//! and versioned migrations applied on open under an advisory lock.

use std::collections::HashMap;
use std::time::Duration;

use postgres::{Config, GenericClient, Row};
use r2d2_postgres::PostgresConnectionManager;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::history::{Current, Synced, Version};
use crate::{
    Approval, Decisions, Entry, Filter, Granted, Handled, History, LogError, NewRecord, Pending, ProposalDecision,
    Rejection, Reviews, Written, json, split,
};

type Pool = r2d2::Pool<Manager>;

/// A pooled connection, with the statements of the hot path prepared once
/// on it: parsing and planning each check's statements again would cost the
/// server more than running them.
pub(crate) struct Conn {
    client: postgres::Client,
    prepared: HashMap<&'static str, postgres::Statement>,
}

impl Conn {
    /// `sql`, prepared on this connection the first time it is asked for.
    fn prepared(&mut self, sql: &'static str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }
}

impl std::ops::Deref for Conn {
    type Target = postgres::Client;
    fn deref(&self) -> &postgres::Client {
        &self.client
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        &mut self.client
    }
}

/// r2d2's PostgreSQL manager, making [`Conn`]s.
struct Manager(PostgresConnectionManager<MakeRustlsConnect>);

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn { client: self.0.connect()?, prepared: HashMap::new() })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        self.0.has_broken(&mut conn.client)
    }
}

/// How long to wait to connect, and for a pooled connection: short, since
/// a server that cannot write falls back to its local log meanwhile.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one statement may run.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections a process keeps open at most.
const POOL_SIZE: u32 = 16;

/// Each step takes the schema from the version before it to the next; step
/// `i` makes version `i + 1`. Steps are only ever appended (docs/store.md).
const MIGRATIONS: [&str; 4] = [
    "
CREATE TABLE decisions (
    id BIGSERIAL PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    ts_unix BIGINT NOT NULL,
    source TEXT NOT NULL,
    agent TEXT,
    team TEXT,
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
    executed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX decisions_ts ON decisions (ts_unix);
CREATE INDEX decisions_input ON decisions (input);
CREATE TABLE approvals (
    id BIGSERIAL PRIMARY KEY,
    decision_id BIGINT NOT NULL REFERENCES decisions (id),
    input TEXT NOT NULL,
    approved_by TEXT,
    ts_unix BIGINT NOT NULL,
    expires_unix BIGINT NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX approvals_input ON approvals (input) WHERE NOT used;
CREATE TABLE knowledge (
    id BIGSERIAL PRIMARY KEY,
    knowledge TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    record TEXT NOT NULL,
    cite TEXT NOT NULL,
    valid_from TEXT,
    valid_until TEXT,
    learned_unix BIGINT NOT NULL,
    retired_unix BIGINT,
    pack_version TEXT NOT NULL
);
CREATE INDEX knowledge_record ON knowledge (knowledge, kind, lower(record_id));
CREATE TABLE knowledge_synced (knowledge TEXT PRIMARY KEY, pack_version TEXT NOT NULL);
",
    // 1 → 2: approvals say why, and may stand (not used up) until they expire.
    "ALTER TABLE approvals ADD COLUMN why TEXT;
    ALTER TABLE approvals ADD COLUMN standing BOOLEAN NOT NULL DEFAULT FALSE;",
    // 2 → 3: humans' decisions on proposals.
    "CREATE TABLE proposal_decisions (
        id BIGSERIAL PRIMARY KEY,
        knowledge TEXT NOT NULL,
        proposal TEXT NOT NULL,
        verdict TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        why TEXT,
        ts_unix BIGINT NOT NULL,
        written TEXT
    );
    CREATE INDEX proposal_decisions_knowledge ON proposal_decisions (knowledge, id);",
    // 3 → 4: humans' refusals of asks and denials; approvals found by decision.
    "CREATE TABLE decision_rejections (
        id BIGSERIAL PRIMARY KEY,
        decision_id BIGINT NOT NULL REFERENCES decisions (id),
        rejected_by TEXT,
        why TEXT NOT NULL,
        ts_unix BIGINT NOT NULL
    );
    CREATE INDEX decision_rejections_decision ON decision_rejections (decision_id);
    CREATE INDEX approvals_decision ON approvals (decision_id);",
];

/// A pool of connections to one PostgreSQL database.
pub struct PgStore {
    /// Always `Some` until dropped (see `Drop`).
    pool: Option<Pool>,
    named: Named,
}

/// How messages name a store: by its URL without the password, and the
/// setting the URL came from.
struct Named {
    shown: String,
    setting: String,
}

impl Named {
    fn new(url: &str, setting: &str) -> Named {
        Named { shown: redact(url), setting: setting.to_string() }
    }

    fn error(&self, message: String) -> LogError {
        LogError::Store { setting: self.setting.clone(), store: self.shown.clone(), message }
    }

    /// `url` as a client configuration, with these timeouts.
    fn config(&self, url: &str, connect: Duration, statement: Duration) -> Result<Config, LogError> {
        let mut config: Config = url.parse().map_err(|e| self.error(format!("not a PostgreSQL URL ({e})")))?;
        config.connect_timeout(connect);
        config.options(&format!("-c statement_timeout={}", statement.as_millis().max(1)));
        Ok(config)
    }
}

/// `url` with any password replaced by `***`: what messages may show.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return "(a postgres URL)".into() };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _password)) => format!("{name}:***@{host}"),
            None => format!("{user}@{host}"),
        },
        None => authority.to_string(),
    };
    let query = tail.split_once('?').map(|(path, query)| {
        let kept: Vec<&str> = query.split('&').filter(|kv| !kv.starts_with("password=")).collect();
        format!("{path}?{}", kept.join("&"))
    });
    let tail = query.unwrap_or_else(|| tail.to_string());
    if tail.is_empty() { format!("{scheme}://{authority}") } else { format!("{scheme}://{authority}/{tail}") }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`),
    /// from the setting named `setting`, and brings its schema up to date.
    pub fn open(url: &str, setting: &str) -> Result<PgStore, LogError> {
        let named = Named::new(url, setting);
        let bad = |message: String| named.error(message);
        let config = named.config(url, CONNECT_TIMEOUT, STATEMENT_TIMEOUT)?;
        // One connection first, to migrate and to say exactly why it fails
        // (the pool only reports that it timed out).
        let tls = tls();
        let mut first = config.connect(tls.clone()).map_err(|e| bad(format!("cannot connect: {}", describe(&e))))?;
        migrate(&mut first).map_err(|e| bad(describe(&e)))?;
        let manager = Manager(PostgresConnectionManager::new(config, tls));
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(0))
            .connection_timeout(CHECKOUT_TIMEOUT)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build(manager)
            .map_err(|e| bad(format!("cannot connect: {e}")))?;
        Ok(PgStore { pool: Some(pool), named })
    }

    /// Takes an approval of `input` (see [`Decisions::take_approval`]) from
    /// the store at `url` within `budget`, on one connection of its own and
    /// without migrating: what a hook does on an ask or a deny, where waiting
    /// longer would stall the agent. Past the budget it gives up with an error.
    pub fn take_approval_within(
        url: &str,
        setting: &str,
        input: &str,
        now: i64,
        budget: Duration,
    ) -> Result<Option<Granted>, LogError> {
        let named = Named::new(url, setting);
        let bad = |message: String| named.error(message);
        let config = named.config(url, budget, budget)?;
        let input = input.to_string();
        let (sender, answer) = std::sync::mpsc::channel();
        // The client blocks; a thread lets the budget hold whatever the
        // network does. A late answer is dropped with the thread.
        std::thread::Builder::new()
            .name("lore-approval".into())
            .spawn(move || {
                let taken = config
                    .connect(tls())
                    .and_then(|mut client| take_approval(&mut client, TAKE_APPROVAL, &input, now))
                    .map_err(|e| describe(&e));
                let _ = sender.send(taken);
            })
            .map_err(|e| bad(format!("cannot start a lookup: {e}")))?;
        match answer.recv_timeout(budget) {
            Ok(taken) => taken.map_err(bad),
            Err(_) => Err(bad(format!("no answer within {} ms", budget.as_millis()))),
        }
    }

    fn client(&self) -> Result<r2d2::PooledConnection<Manager>, LogError> {
        let pool = self.pool.as_ref().ok_or_else(|| self.err_text("the store is closed".into()))?;
        pool.get().map_err(|e| self.err_text(format!("cannot connect: {e}")))
    }

    /// Inserts decisions on a pooled connection (see [`insert_many`]).
    fn insert<'a>(
        &self,
        batch: impl Iterator<Item = (&'a str, &'a NewRecord)> + Clone,
    ) -> Result<HashMap<String, i64>, LogError> {
        let mut client = self.client()?;
        let statement = client.prepared(INSERT_MANY).map_err(self.err())?;
        insert_many(&mut client.client, &statement, batch).map_err(self.err())
    }

    fn err_text(&self, message: String) -> LogError {
        self.named.error(message)
    }

    fn err(&self) -> impl Fn(postgres::Error) -> LogError + '_ {
        |e| self.err_text(describe(&e))
    }
}

impl Drop for PgStore {
    /// The synchronous client blocks on its own runtime when a connection
    /// closes, which panics on an async thread: the pool is closed on a
    /// thread of its own, wherever the store is dropped.
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::Builder::new().name("lore-store-close".into()).spawn(move || drop(pool));
        }
    }
}

/// Applies the migrations not yet applied, under an advisory lock so that
/// replicas starting together migrate once.
fn migrate(client: &mut postgres::Client) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock(7274419231)", &[])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS lore_migrations (version INTEGER PRIMARY KEY, applied_unix BIGINT NOT NULL)",
    )?;
    let applied: i32 = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM lore_migrations", &[])?.get(0);
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(applied.max(0) as usize) {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO lore_migrations (version, applied_unix) VALUES ($1, extract(epoch FROM now())::BIGINT)",
            &[&(step as i32 + 1)],
        )?;
    }
    tx.commit()
}

/// TLS through rustls with the web's root certificates; used only when the
/// URL's `sslmode` asks for it (`prefer`, the default, tries it first).
fn tls() -> MakeRustlsConnect {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|builder| builder.with_root_certificates(roots).with_no_client_auth());
    match config {
        Ok(config) => MakeRustlsConnect::new(config),
        // ring supports the default versions; this cannot fail, but a
        // store without TLS is still a store for `sslmode=disable`.
        Err(_) => MakeRustlsConnect::new(
            rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        ),
    }
}

/// A PostgreSQL error said for a person: the server's message when it sent one.
fn describe(e: &postgres::Error) -> String {
    match (e.as_db_error(), std::error::Error::source(e)) {
        (Some(db), _) => format!("{}: {}", db.severity(), db.message()),
        (None, Some(cause)) => format!("{e}: {cause}"),
        (None, None) => e.to_string(),
    }
}

fn entry(row: &Row) -> Entry {
    Entry {
        id: row.get(0),
        ts_unix: row.get(1),
        source: row.get(2),
        agent: row.get(3),
        session: row.get(4),
        cwd: row.get(5),
        input: row.get(6),
        input_kind: row.get(7),
        actions: json(row.get(8)),
        decision: row.get(9),
        reasons: json(row.get(10)),
        rule_ids: split(row.get(11)),
        systems: split(row.get(12)),
        pack_version: row.get(13),
        executed: row.get(14),
        team: row.get(15),
        uid: row.get(16),
    }
}

const ENTRY_COLUMNS: &str = "id, ts_unix, source, agent, session, cwd, input, input_kind, actions, decision, reasons, rule_ids, systems, pack_version, executed, team, uid";

/// Many decisions in one statement, one array per column; a uid already
/// there is skipped (delivery) and left out of what it returns.
const INSERT_MANY: &str = "INSERT INTO decisions (uid, ts_unix, source, agent, session, cwd, input, input_kind, actions, decision, reasons, rule_ids, systems, pack_version, team)
     SELECT * FROM UNNEST($1::TEXT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[],
                          $9::TEXT[], $10::TEXT[], $11::TEXT[], $12::TEXT[], $13::TEXT[], $14::TEXT[], $15::TEXT[])
     ON CONFLICT (uid) DO NOTHING RETURNING id, uid";

/// Inserts decisions with the prepared [`INSERT_MANY`]: the id of each new one, by uid.
fn insert_many<'a>(
    client: &mut impl GenericClient,
    statement: &postgres::Statement,
    batch: impl Iterator<Item = (&'a str, &'a NewRecord)> + Clone,
) -> Result<HashMap<String, i64>, postgres::Error> {
    fn column<'a, T>(
        batch: impl Iterator<Item = (&'a str, &'a NewRecord)>,
        f: impl Fn(&'a str, &'a NewRecord) -> T,
    ) -> Vec<T> {
        batch.map(|(uid, r)| f(uid, r)).collect()
    }
    let b = || batch.clone();
    let rows = client.query(
        statement,
        &[
            &column(b(), |uid, _| uid),
            &column(b(), |_, r| r.ts_unix),
            &column(b(), |_, r| r.source.as_str()),
            &column(b(), |_, r| r.agent.as_deref()),
            &column(b(), |_, r| r.session.as_deref()),
            &column(b(), |_, r| r.cwd.as_deref()),
            &column(b(), |_, r| r.input.as_str()),
            &column(b(), |_, r| r.input_kind.as_str()),
            &column(b(), |_, r| r.actions.as_str()),
            &column(b(), |_, r| r.decision.as_str()),
            &column(b(), |_, r| r.reasons.as_str()),
            &column(b(), |_, r| r.rule_ids.join(",")),
            &column(b(), |_, r| r.systems.join(",")),
            &column(b(), |_, r| r.pack_version.as_deref()),
            &column(b(), |_, r| r.team.as_deref()),
        ],
    )?;
    Ok(rows.iter().map(|row| (row.get::<_, String>(1), row.get::<_, i64>(0))).collect())
}

/// A standing approval of `input` if one holds, else a once-only one, used
/// up in the same statement: of two replicas taking it, one gets it.
const TAKE_APPROVAL: &str = "WITH standing AS (
        SELECT decision_id, approved_by, why, TRUE AS standing FROM approvals
        WHERE input = $1 AND standing AND NOT used AND expires_unix >= $2 ORDER BY id DESC LIMIT 1
     ), once AS (
        UPDATE approvals SET used = TRUE WHERE id = (
            SELECT id FROM approvals
            WHERE input = $1 AND NOT standing AND NOT used AND expires_unix >= $2
              AND NOT EXISTS (SELECT 1 FROM standing)
            ORDER BY id DESC LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING decision_id, approved_by, why, FALSE AS standing
     )
     SELECT * FROM standing UNION ALL SELECT * FROM once";

/// Which of these inputs have an approval that may hold: most checks have
/// none, and are spared [`TAKE_APPROVAL`].
const LIVE_APPROVALS: &str =
    "SELECT DISTINCT input FROM approvals WHERE input = ANY($1) AND NOT used AND expires_unix >= $2";

fn take_approval(
    client: &mut impl GenericClient,
    statement: &(impl postgres::ToStatement + ?Sized),
    input: &str,
    now: i64,
) -> Result<Option<Granted>, postgres::Error> {
    let row = client.query_opt(statement, &[&input, &now])?;
    Ok(row.map(|row| Granted { decision: row.get(0), by: row.get(1), why: row.get(2), standing: row.get(3) }))
}

impl Reviews for PgStore {
    fn record_review(&self, d: &ProposalDecision) -> Result<(), LogError> {
        let mut client = self.client()?;
        client
            .execute(
                "INSERT INTO proposal_decisions (knowledge, proposal, verdict, decided_by, why, ts_unix, written)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&d.knowledge, &d.proposal, &d.verdict, &d.by, &d.why, &d.ts_unix, &d.written],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    fn reviews(&self, knowledge: &str, limit: usize) -> Result<Vec<ProposalDecision>, LogError> {
        let mut client = self.client()?;
        let rows = client
            .query(
                "SELECT knowledge, proposal, verdict, decided_by, why, ts_unix, written FROM proposal_decisions
                 WHERE knowledge = $1 ORDER BY id DESC LIMIT $2",
                &[&knowledge, &(limit.min(i64::MAX as usize) as i64)],
            )
            .map_err(self.err())?;
        Ok(rows
            .iter()
            .map(|row| ProposalDecision {
                knowledge: row.get(0),
                proposal: row.get(1),
                verdict: row.get(2),
                by: row.get(3),
                why: row.get(4),
                ts_unix: row.get(5),
                written: row.get(6),
            })
            .collect())
    }
}

impl Decisions for PgStore {
    fn append_as(&self, uid: &str, r: &NewRecord) -> Result<i64, LogError> {
        let ids = self.insert(std::iter::once((uid, r)))?;
        ids.get(uid).copied().ok_or_else(|| self.err_text(format!("decision uid {uid} is taken")))
    }

    fn mark_executed(&self, session: Option<&str>, input: &str) -> Result<bool, LogError> {
        let mut client = self.client()?;
        let changed = client
            .execute(
                "UPDATE decisions SET executed = TRUE WHERE id = (
                    SELECT id FROM decisions WHERE input = $1 AND session IS NOT DISTINCT FROM $2 ORDER BY id DESC LIMIT 1)",
                &[&input, &session],
            )
            .map_err(self.err())?;
        Ok(changed > 0)
    }

    fn query(&self, filter: &Filter) -> Result<Vec<Entry>, LogError> {
        let limit = if filter.limit == 0 { 50 } else { filter.limit.min(i64::MAX as usize) } as i64;
        let mut client = self.client()?;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM decisions
             WHERE ($1::BIGINT IS NULL OR ts_unix >= $1) AND ($2::TEXT IS NULL OR decision = $2) AND ($3::TEXT IS NULL OR agent = $3)
               AND ($4::TEXT IS NULL OR (',' || systems || ',') LIKE ('%,' || $4 || ',%'))
               AND ($6::BIGINT IS NULL OR id < $6)
             ORDER BY id DESC LIMIT $5"
        );
        let rows = client
            .query(
                &sql,
                &[&filter.since_unix, &filter.decision, &filter.agent, &filter.system, &limit, &filter.before_id],
            )
            .map_err(self.err())?;
        Ok(rows.iter().map(entry).collect())
    }

    fn count(&self) -> Result<i64, LogError> {
        let mut client = self.client()?;
        Ok(client.query_one("SELECT count(*) FROM decisions", &[]).map_err(self.err())?.get(0))
    }

    fn get(&self, id: i64) -> Result<Option<Entry>, LogError> {
        let mut client = self.client()?;
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM decisions WHERE id = $1");
        Ok(client.query_opt(&sql, &[&id]).map_err(self.err())?.as_ref().map(entry))
    }

    fn find_uid(&self, uid: &str) -> Result<Option<i64>, LogError> {
        let mut client = self.client()?;
        let row = client.query_opt("SELECT id FROM decisions WHERE uid = $1", &[&uid]).map_err(self.err())?;
        Ok(row.map(|row| row.get(0)))
    }

    fn approve(&self, id: i64, a: &Approval<'_>) -> Result<Option<String>, LogError> {
        let mut client = self.client()?;
        let row = client
            .query_opt(
                "INSERT INTO approvals (decision_id, input, approved_by, why, standing, ts_unix, expires_unix)
                 SELECT id, input, $2, $3, $4, $5, $6 FROM decisions WHERE id = $1 RETURNING input",
                &[&id, &a.by, &a.why, &a.standing, &a.now, &a.expires_unix],
            )
            .map_err(self.err())?;
        Ok(row.map(|row| row.get(0)))
    }

    fn revoke(&self, id: i64, now: i64) -> Result<Option<usize>, LogError> {
        let mut client = self.client()?;
        let mut tx = client.client.transaction().map_err(self.err())?;
        let Some(row) = tx.query_opt("SELECT input FROM decisions WHERE id = $1", &[&id]).map_err(self.err())? else {
            return Ok(None);
        };
        let input: String = row.get(0);
        let revoked = tx
            .execute(
                "UPDATE approvals SET used = TRUE WHERE input = $1 AND NOT used AND expires_unix >= $2",
                &[&input, &now],
            )
            .map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        Ok(Some(revoked as usize))
    }

    fn reject(&self, id: i64, r: &Rejection<'_>) -> Result<Option<String>, LogError> {
        let mut client = self.client()?;
        let row = client
            .query_opt(
                "WITH decision AS (SELECT id, input FROM decisions WHERE id = $1),
                 kept AS (INSERT INTO decision_rejections (decision_id, rejected_by, why, ts_unix)
                          SELECT id, $2, $3, $4 FROM decision)
                 SELECT input FROM decision",
                &[&id, &r.by, &r.why, &r.now],
            )
            .map_err(self.err())?;
        Ok(row.map(|row| row.get(0)))
    }

    fn handled(&self, ids: &[i64]) -> Result<Vec<Handled>, LogError> {
        let mut client = self.client()?;
        let rows = client
            .query(
                "SELECT decision_id, 'approved', standing, approved_by, why, ts_unix FROM approvals
                 WHERE decision_id = ANY($1)
                 UNION ALL
                 SELECT decision_id, 'rejected', FALSE, rejected_by, why, ts_unix FROM decision_rejections
                 WHERE decision_id = ANY($1)
                 ORDER BY ts_unix DESC, decision_id DESC",
                &[&ids],
            )
            .map_err(self.err())?;
        Ok(rows
            .iter()
            .map(|row| Handled {
                decision_id: row.get(0),
                verdict: row.get(1),
                standing: row.get(2),
                by: row.get(3),
                why: row.get(4),
                ts_unix: row.get(5),
            })
            .collect())
    }

    fn take_approval(&self, input: &str, now: i64) -> Result<Option<Granted>, LogError> {
        let mut client = self.client()?;
        let statement = client.prepared(TAKE_APPROVAL).map_err(self.err())?;
        take_approval(&mut client.client, &statement, input, now).map_err(self.err())
    }

    fn reachable(&self) -> bool {
        self.client().and_then(|mut c| c.simple_query("SELECT 1").map_err(self.err())).is_ok()
    }

    fn deliver(&self, uid: &str, r: &NewRecord) -> Result<bool, LogError> {
        Ok(!self.insert(std::iter::once((uid, r)))?.is_empty())
    }

    /// One transaction: which inputs have approvals that may hold (one
    /// statement), taking those (rarely any), then every other decision in
    /// one insert; one commit for all.
    fn write_batch(&self, batch: &[Pending], now: i64) -> Result<Vec<Written>, LogError> {
        let mut client = self.client()?;
        let err = self.err();
        let [live, take, insert] =
            [LIVE_APPROVALS, TAKE_APPROVAL, INSERT_MANY].map(|sql| client.prepared(sql).map_err(&err));
        let (live, take, insert) = (live?, take?, insert?);
        let mut tx = client.client.transaction().map_err(&err)?;
        let asked: Vec<&str> = batch.iter().filter(|p| p.approvable).map(|p| p.record.input.as_str()).collect();
        let approved_inputs: std::collections::HashSet<String> = match asked.is_empty() {
            true => Default::default(),
            false => tx.query(&live, &[&asked, &now]).map_err(&err)?.iter().map(|row| row.get(0)).collect(),
        };
        let mut granted = HashMap::new();
        for pending in batch.iter().filter(|p| p.approvable && approved_inputs.contains(&p.record.input)) {
            if let Some(approval) = take_approval(&mut tx, &take, &pending.record.input, now).map_err(&err)? {
                granted.insert(pending.uid.as_str(), approval);
            }
        }
        let logged = batch.iter().filter(|p| !granted.contains_key(p.uid.as_str()));
        let ids = insert_many(&mut tx, &insert, logged.map(|p| (p.uid.as_str(), &p.record))).map_err(&err)?;
        tx.commit().map_err(&err)?;
        batch
            .iter()
            .map(|pending| match (granted.remove(pending.uid.as_str()), ids.get(&pending.uid)) {
                (Some(approval), _) => Ok(Written::Approved(approval)),
                (None, Some(id)) => Ok(Written::Logged(*id)),
                (None, None) => Err(self.err_text(format!("decision uid {} is taken", pending.uid))),
            })
            .collect()
    }

    fn deliver_batch(&self, batch: &[(String, NewRecord)]) -> Result<usize, LogError> {
        Ok(self.insert(batch.iter().map(|(uid, r)| (uid.as_str(), r)))?.len())
    }

    /// The shared store is where decisions are delivered to, never from.
    fn undelivered(&self, _limit: usize) -> Result<Vec<(String, NewRecord)>, LogError> {
        Ok(Vec::new())
    }

    fn mark_delivered(&self, _uids: &[String], _now: i64) -> Result<(), LogError> {
        Ok(())
    }
}

impl History for PgStore {
    fn sync_history(
        &mut self,
        knowledge: &str,
        records: &[Current],
        pack_version: &str,
        now: i64,
    ) -> Result<Synced, LogError> {
        let mut client = self.client()?;
        let err = self.err();
        let mut tx = client.transaction().map_err(&err)?;
        // Replicas syncing the same knowledge take turns.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&knowledge]).map_err(&err)?;
        let mut open: HashMap<(String, String), (i64, String)> = HashMap::new();
        for row in tx
            .query(
                "SELECT id, kind, record_id, hash FROM knowledge WHERE knowledge = $1 AND retired_unix IS NULL",
                &[&knowledge],
            )
            .map_err(&err)?
        {
            open.insert((row.get(1), row.get(2)), (row.get(0), row.get(3)));
        }
        let mut synced = Synced::default();
        let insert = tx
            .prepare(
                "INSERT INTO knowledge (knowledge, kind, record_id, hash, record, cite, valid_from, valid_until, learned_unix, pack_version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .map_err(&err)?;
        let retire = tx.prepare("UPDATE knowledge SET retired_unix = $1 WHERE id = $2").map_err(&err)?;
        for r in records {
            match open.remove(&(r.kind.clone(), r.id.clone())) {
                Some((_, hash)) if hash == r.hash => continue,
                Some((row, _)) => {
                    tx.execute(&retire, &[&now, &row]).map_err(&err)?;
                    synced.changed += 1;
                }
                None => synced.learned += 1,
            }
            tx.execute(
                &insert,
                &[
                    &knowledge,
                    &r.kind,
                    &r.id,
                    &r.hash,
                    &r.record,
                    &r.cite,
                    &r.valid_from,
                    &r.valid_until,
                    &now,
                    &pack_version,
                ],
            )
            .map_err(&err)?;
        }
        for (row, _) in open.values() {
            tx.execute(&retire, &[&now, row]).map_err(&err)?;
            synced.retired += 1;
        }
        tx.execute(
            "INSERT INTO knowledge_synced (knowledge, pack_version) VALUES ($1, $2)
             ON CONFLICT (knowledge) DO UPDATE SET pack_version = excluded.pack_version",
            &[&knowledge, &pack_version],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(synced)
    }

    fn synced_version(&self, knowledge: &str) -> Result<Option<String>, LogError> {
        let mut client = self.client()?;
        let row = client
            .query_opt("SELECT pack_version FROM knowledge_synced WHERE knowledge = $1", &[&knowledge])
            .map_err(self.err())?;
        Ok(row.map(|row| row.get(0)))
    }

    fn history(&self, knowledge: &str, kind: Option<&str>, id: &str) -> Result<Vec<Version>, LogError> {
        let mut client = self.client()?;
        let rows = client
            .query(
                "SELECT kind, record_id, hash, record, cite, valid_from, valid_until, learned_unix, retired_unix, pack_version
                 FROM knowledge WHERE knowledge = $1 AND ($2::TEXT IS NULL OR kind = $2) AND lower(record_id) = lower($3)
                 ORDER BY id",
                &[&knowledge, &kind, &id],
            )
            .map_err(self.err())?;
        Ok(rows
            .iter()
            .map(|r| Version {
                kind: r.get(0),
                id: r.get(1),
                hash: r.get(2),
                record: json(r.get(3)),
                cite: r.get(4),
                valid_from: r.get(5),
                valid_until: r.get(6),
                learned_unix: r.get(7),
                retired_unix: r.get(8),
                pack_version: r.get(9),
            })
            .collect())
    }

    fn has_history(&self, knowledge: &str) -> Result<bool, LogError> {
        let mut client = self.client()?;
        let row = client
            .query_opt("SELECT 1 FROM knowledge WHERE knowledge = $1 LIMIT 1", &[&knowledge])
            .map_err(self.err())?;
        Ok(row.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(redact("postgres://lore:s3cret@db:5432/lore"), "postgres://lore:***@db:5432/lore");
        assert_eq!(redact("postgres://lore@db/lore?sslmode=require"), "postgres://lore@db/lore?sslmode=require");
        assert_eq!(redact("postgres://db/lore?password=s3cret&sslmode=require"), "postgres://db/lore?sslmode=require");
        assert_eq!(redact("postgresql://u:p@h"), "postgresql://u:***@h");
        assert!(!redact("not a url s3cret").contains("s3cret"));
    }
}
