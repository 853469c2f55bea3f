//! The knowledge's history, bitemporal: every version of every record, with
//! when lore learned it and when it was retired (transaction time), and
//! when the fact holds in the world (valid time, from the record). Nothing
//! is deleted: a changed record retires its old version and adds the new.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::{DecisionLog, History, LogError};

/// A record as it is in the pack now.
#[derive(Debug, Clone)]
pub struct Current {
    /// The record's kind: `rule`, `incident`, `runbook`, `freeze`, `team`, `environment`.
    pub kind: String,
    /// The record's ID, unique within its kind.
    pub id: String,
    /// A hash of what the record says (not where it sits in its file).
    pub hash: String,
    /// The record as JSON.
    pub record: String,
    /// Where the record is written (`path:line`).
    pub cite: String,
    /// The day the fact starts to hold (`YYYY-MM-DD`), when the record says.
    pub valid_from: Option<String>,
    /// The day the fact stops holding (`YYYY-MM-DD`), when the record says.
    pub valid_until: Option<String>,
}

/// One version of a record.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// The record's kind, as in [`Current::kind`].
    pub kind: String,
    /// The record's ID as stored (the lookup ignores case).
    pub id: String,
    /// The hash of what this version says (see [`Current::hash`]).
    pub hash: String,
    /// This version as JSON (a string if what was stored is not JSON).
    pub record: serde_json::Value,
    /// Where this version was written (`path:line`).
    pub cite: String,
    /// The day the fact started to hold, when the record said (valid time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// The day the fact stopped holding, when the record said (valid time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// When lore first saw this version, in Unix seconds (transaction time).
    pub learned_unix: i64,
    /// When a sync found it changed or gone, in Unix seconds; `None` while current.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_unix: Option<i64>,
    /// The version of the pack it was learned from (checksum, and commit when known).
    pub pack_version: String,
}

/// What a sync changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Synced {
    /// Records seen for the first time.
    pub learned: usize,
    /// Records whose content changed: the old version retired, the new added.
    pub changed: usize,
    /// Records no longer in the pack, retired.
    pub retired: usize,
}

impl History for DecisionLog {
    /// Brings the history of `knowledge` (its root) up to the pack's records.
    fn sync_history(
        &mut self,
        knowledge: &str,
        records: &[Current],
        pack_version: &str,
        now: i64,
    ) -> Result<Synced, LogError> {
        let path = self.path().to_path_buf();
        let err = |source| LogError::Sqlite { path: path.clone(), source };
        let tx = self.db_mut().transaction().map_err(err)?;
        let mut open: HashMap<(String, String), (i64, String)> = HashMap::new();
        {
            let mut stmt = tx
                .prepare(
                    "SELECT id, kind, record_id, hash FROM knowledge WHERE knowledge = ?1 AND retired_unix IS NULL",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map(params![knowledge], |r| Ok(((r.get(1)?, r.get(2)?), (r.get(0)?, r.get(3)?))))
                .map_err(err)?;
            for row in rows {
                let (key, value) = row.map_err(err)?;
                open.insert(key, value);
            }
        }
        let mut synced = Synced::default();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO knowledge (knowledge, kind, record_id, hash, record, cite, valid_from, valid_until, learned_unix, pack_version)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(err)?;
            let mut retire = tx.prepare("UPDATE knowledge SET retired_unix = ?1 WHERE id = ?2").map_err(err)?;
            for r in records {
                match open.remove(&(r.kind.clone(), r.id.clone())) {
                    Some((_, hash)) if hash == r.hash => continue,
                    Some((row, _)) => {
                        retire.execute(params![now, row]).map_err(err)?;
                        synced.changed += 1;
                    }
                    None => synced.learned += 1,
                }
                insert
                    .execute(params![
                        knowledge,
                        r.kind,
                        r.id,
                        r.hash,
                        r.record,
                        r.cite,
                        r.valid_from,
                        r.valid_until,
                        now,
                        pack_version
                    ])
                    .map_err(err)?;
            }
            for (row, _) in open.values() {
                retire.execute(params![now, row]).map_err(err)?;
                synced.retired += 1;
            }
            tx.execute(
                "INSERT INTO knowledge_synced (knowledge, pack_version) VALUES (?1, ?2)
                 ON CONFLICT (knowledge) DO UPDATE SET pack_version = excluded.pack_version",
                params![knowledge, pack_version],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(synced)
    }

    /// The pack version the history of `knowledge` was last brought up to.
    fn synced_version(&self, knowledge: &str) -> Result<Option<String>, LogError> {
        self.db()
            .query_row("SELECT pack_version FROM knowledge_synced WHERE knowledge = ?1", params![knowledge], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())
    }

    /// Every version of a record, oldest first.
    fn history(&self, knowledge: &str, kind: Option<&str>, id: &str) -> Result<Vec<Version>, LogError> {
        let db = self.db();
        let mut stmt = db
            .prepare(
                "SELECT kind, record_id, hash, record, cite, valid_from, valid_until, learned_unix, retired_unix, pack_version
                 FROM knowledge WHERE knowledge = ?1 AND (?2 IS NULL OR kind = ?2) AND record_id = ?3 COLLATE NOCASE
                 ORDER BY id",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![knowledge, kind, id], |r| {
                let record: String = r.get(3)?;
                Ok(Version {
                    kind: r.get(0)?,
                    id: r.get(1)?,
                    hash: r.get(2)?,
                    record: serde_json::from_str(&record).unwrap_or(serde_json::Value::String(record)),
                    cite: r.get(4)?,
                    valid_from: r.get(5)?,
                    valid_until: r.get(6)?,
                    learned_unix: r.get(7)?,
                    retired_unix: r.get(8)?,
                    pack_version: r.get(9)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// Whether any history was recorded for `knowledge`.
    fn has_history(&self, knowledge: &str) -> Result<bool, LogError> {
        self.db()
            .query_row("SELECT 1 FROM knowledge WHERE knowledge = ?1 LIMIT 1", params![knowledge], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(self.err())
    }
}

impl Version {
    /// Whether lore held this version at `unix` (transaction time).
    pub fn believed_at(&self, unix: i64) -> bool {
        self.learned_unix <= unix && self.retired_unix.is_none_or(|retired| unix < retired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current(id: &str, hash: &str) -> Current {
        Current {
            kind: "rule".into(),
            id: id.into(),
            hash: hash.into(),
            record: format!("{{\"id\":\"{id}\",\"v\":\"{hash}\"}}"),
            cite: "rules/x.md:1".into(),
            valid_from: None,
            valid_until: None,
        }
    }

    #[test]
    fn versions_are_learned_changed_and_retired_never_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut log = DecisionLog::open(&dir.path().join("d.db")).expect("open");
        let k = "/knowledge";
        assert_eq!(
            log.sync_history(k, &[current("a", "1"), current("b", "1")], "p1", 100).expect("sync"),
            Synced { learned: 2, changed: 0, retired: 0 }
        );
        assert_eq!(
            log.sync_history(k, &[current("a", "1"), current("b", "1")], "p1", 150).expect("sync"),
            Synced::default()
        );
        assert_eq!(
            log.sync_history(k, &[current("a", "2")], "p2", 200).expect("sync"),
            Synced { learned: 0, changed: 1, retired: 1 }
        );
        let a = log.history(k, Some("rule"), "A").expect("history");
        assert_eq!(a.len(), 2);
        assert!(a[0].believed_at(150) && !a[0].believed_at(200));
        assert!(a[1].believed_at(200) && !a[1].believed_at(150));
        assert_eq!(a[1].record["v"], "2");
        let b = log.history(k, None, "b").expect("history");
        assert_eq!(b.len(), 1, "kept after retirement");
        assert_eq!(b[0].retired_unix, Some(200));
        assert!(log.history("/other", None, "a").expect("history").is_empty(), "per knowledge");
    }
}
