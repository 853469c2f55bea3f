//! The log survives concurrent writers and a writer killed mid-write.
//!
//! Writers are this test binary run again as a child (`LORE_LOG_WRITER`),
//! so each is a separate process with its own connection, as hooks are.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use lore_log::{DecisionLog, Decisions, NewRecord};

fn record(i: usize, writer: &str) -> NewRecord {
    NewRecord {
        ts_unix: i as i64,
        source: "test".into(),
        agent: Some(writer.into()),
        input: format!("kubectl delete pod p-{i}"),
        input_kind: "shell".into(),
        actions: "[]".into(),
        decision: "ask".into(),
        reasons: "[]".into(),
        ..NewRecord::default()
    }
}

/// In a child: append `LORE_LOG_COUNT` records (or forever), printing each id once committed.
#[test]
fn writer_child() {
    let Ok(path) = std::env::var("LORE_LOG_WRITER") else { return };
    let count: usize = std::env::var("LORE_LOG_COUNT").ok().and_then(|c| c.parse().ok()).unwrap_or(usize::MAX);
    let name = std::env::var("LORE_LOG_NAME").unwrap_or_default();
    let path = std::path::Path::new(&path);
    if std::env::var_os("LORE_LOG_PENDING").is_some() {
        // As a hook writes: one framed record appended to <log>.pending.
        for i in 0..count {
            lore_log::journal::append(path, &lore_log::new_uid(), &record(i, &name)).expect("append");
            println!("committed {}", i + 1);
        }
        return;
    }
    let log = DecisionLog::open(path).expect("open");
    for i in 0..count {
        let id = log.append(&record(i, &name)).expect("append");
        println!("committed {id}");
    }
}

fn spawn_writer(path: &std::path::Path, name: &str, count: Option<usize>) -> std::process::Child {
    spawn(path, name, count, false)
}

fn spawn(path: &std::path::Path, name: &str, count: Option<usize>, pending: bool) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    if pending {
        cmd.env("LORE_LOG_PENDING", "1");
    }
    cmd.args(["--exact", "writer_child", "--nocapture", "--test-threads=1"])
        .env("LORE_LOG_WRITER", path)
        .env("LORE_LOG_NAME", name)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(count) = count {
        cmd.env("LORE_LOG_COUNT", count.to_string());
    }
    cmd.spawn().expect("spawn writer")
}

#[test]
fn concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("decisions.db");
    DecisionLog::open(&path).expect("create");
    let writers: Vec<_> = (0..8).map(|w| spawn_writer(&path, &format!("w{w}"), Some(50))).collect();
    for mut writer in writers {
        assert!(writer.wait().expect("wait").success());
    }
    let log = DecisionLog::open(&path).expect("open");
    assert_eq!(log.count().expect("count"), 400, "8 writers × 50 records, none lost");
}

#[test]
fn a_killed_writer_loses_at_most_the_record_in_flight() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("decisions.db");
    DecisionLog::open(&path).expect("create");
    let mut writer = spawn_writer(&path, "victim", None);
    let stdout = writer.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut last_committed = 0i64;
    // Let it write for a while, then kill -9 in the middle of its loop.
    let deadline = std::time::Instant::now() + Duration::from_millis(400);
    while std::time::Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(id) = line.strip_prefix("committed ").and_then(|i| i.parse().ok()) {
                    last_committed = id;
                }
            }
            _ => break,
        }
    }
    writer.kill().expect("kill -9");
    writer.wait().expect("reap");
    assert!(last_committed > 10, "the writer got going ({last_committed} records)");
    let log = DecisionLog::open(&path).expect("reopen after the crash");
    let count = log.count().expect("count");
    // Every record reported committed is there; at most one more made it in.
    assert!(count >= last_committed, "{count} records, {last_committed} reported committed");
    let integrity: String = rusqlite::Connection::open(&path)
        .expect("open")
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(integrity, "ok");
    // And the log keeps working.
    log.append(&record(0, "after")).expect("append after the crash");
}

#[test]
fn hooks_appending_while_the_log_drains_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("decisions.db");
    DecisionLog::open(&path).expect("create");
    let mut writers: Vec<_> = (0..6).map(|w| spawn(&path, &format!("w{w}"), Some(200), true)).collect();
    // Drains race the writers: every open moves what is pending into SQLite.
    while writers.iter_mut().any(|w| w.try_wait().expect("poll").is_none()) {
        DecisionLog::open(&path).expect("drain");
    }
    for mut writer in writers {
        assert!(writer.wait().expect("wait").success());
    }
    let log = DecisionLog::open(&path).expect("open");
    assert_eq!(log.count().expect("count"), 1200, "6 writers × 200 records, none lost, none twice");
    assert!(!lore_log::journal::pending_path(&path).exists(), "drained");
}

#[test]
fn a_hook_killed_while_appending_loses_at_most_the_record_in_flight() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("decisions.db");
    DecisionLog::open(&path).expect("create");
    let mut writer = spawn(&path, "victim", None, true);
    let mut lines = BufReader::new(writer.stdout.take().expect("stdout")).lines();
    let mut committed = 0i64;
    let deadline = std::time::Instant::now() + Duration::from_millis(300);
    while std::time::Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) => committed = line.strip_prefix("committed ").and_then(|n| n.parse().ok()).unwrap_or(0),
            _ => break,
        }
    }
    writer.kill().expect("kill -9");
    writer.wait().expect("reap");
    assert!(committed > 10, "the writer got going ({committed} records)");
    let count = DecisionLog::open(&path).expect("reopen").count().expect("count");
    assert!(count >= committed, "{count} records, {committed} reported written");
    assert!(!lore_log::journal::damaged_path(&path).exists(), "a whole-write append leaves no torn record");
}
