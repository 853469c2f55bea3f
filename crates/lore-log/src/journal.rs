//! The hook's way into the decision log: one `O_APPEND` write of a framed
//! record to `<log>.pending`, moved into SQLite by the next process that
//! opens the log ([`crate::DecisionLog::open`], and every read after it).
//!
//! A hook is a process per agent command; opening SQLite (its schema, two
//! pragmas, a write transaction) was a third of what one cost. The write
//! here is as durable as the log's WAL with `synchronous=NORMAL`: in the
//! operating system's hands before the hook answers, not fsynced, so a
//! `kill -9` loses at most the record in flight. Concurrent appends never
//! interleave: each record is one `write` on a file opened for appending,
//! and on a local file system Linux (like every POSIX system) keeps each
//! such write whole. A network file system does not promise that; keep the
//! log on a local disk.
//!
//! Moving the records: the drainer renames `<log>.pending` to
//! `<log>.draining` inside a SQLite write transaction (so drainers take
//! turns), waits for an exclusive lock on it (writers hold a shared one
//! while they write), inserts each record by its uid (so a drain that dies
//! half way is simply done again), commits, and removes the file. A writer
//! that took its lock after the rename finds its file no longer at
//! `<log>.pending` and opens the new one.
//!
//! Approvals are looked up in SQLite only when one may apply: the log keeps
//! `<log>.approved`, the hashes of inputs with a live approval, rewritten
//! from the approvals table whenever one is given or withdrawn. It may list
//! approvals already used (it is a superset, and SQLite decides); a missing
//! file means "not known", never "none".

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::{LogError, NewRecord};

const MAGIC: &[u8; 4] = b"LDR1";
/// Magic, payload length (u32) and the payload's xxh3-64.
const FRAME_HEADER: usize = 16;
/// No decision record is near this; a length past it is damage, not a record.
const MAX_PAYLOAD: usize = 16 * 1024 * 1024;

/// Where pending records wait: `<log>.pending`.
pub fn pending_path(log: &Path) -> PathBuf {
    suffixed(log, "pending")
}

pub(crate) fn draining_path(log: &Path) -> PathBuf {
    suffixed(log, "draining")
}

/// Records that could not be read back (damaged on disk) are kept here, never dropped.
pub fn damaged_path(log: &Path) -> PathBuf {
    suffixed(log, "damaged")
}

/// The hashes of inputs that may have a live approval: `<log>.approved`.
pub fn approved_path(log: &Path) -> PathBuf {
    suffixed(log, "approved")
}

fn suffixed(log: &Path, suffix: &str) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn io<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(std::io::Error) -> LogError + 'a {
    move |source| LogError::Pending { path: path.to_path_buf(), action, source }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Framed<'a> {
    uid: std::borrow::Cow<'a, str>,
    record: std::borrow::Cow<'a, NewRecord>,
}

/// Appends one decision under `uid` to the log's pending records.
pub fn append(log: &Path, uid: &str, record: &NewRecord) -> Result<(), LogError> {
    let path = pending_path(log);
    let frame = frame(uid, record)?;
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir, "creating"))?;
    }
    loop {
        let mut file = OpenOptions::new().append(true).create(true).open(&path).map_err(io(&path, "opening"))?;
        file.lock_shared().map_err(io(&path, "locking"))?;
        // Renamed away by a drainer between the open and the lock: that
        // drainer may already have read it, so write to the new one.
        if !still_at(&file, &path) {
            continue;
        }
        file.write_all(&frame).map_err(io(&path, "appending to"))?;
        return Ok(());
    }
}

fn still_at(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.ino() == named.ino() && open.dev() == named.dev(),
        _ => false,
    }
}

fn frame(uid: &str, record: &NewRecord) -> Result<Vec<u8>, LogError> {
    let framed = Framed { uid: uid.into(), record: std::borrow::Cow::Borrowed(record) };
    let mut out = vec![0u8; FRAME_HEADER];
    serde_json::to_writer(&mut out, &framed).map_err(|err| LogError::Encode(err.to_string()))?;
    let payload = &out[FRAME_HEADER..];
    let len = u32::try_from(payload.len()).map_err(|_| LogError::Encode("a record past 4 GiB".into()))?;
    let checksum = xxhash_rust::xxh3::xxh3_64(payload);
    out[..4].copy_from_slice(MAGIC);
    out[4..8].copy_from_slice(&len.to_le_bytes());
    out[8..16].copy_from_slice(&checksum.to_le_bytes());
    Ok(out)
}

/// What a drain read: the records, and the bytes it could not read as records.
pub(crate) struct Drained {
    pub records: Vec<(String, NewRecord)>,
    pub damaged: Vec<u8>,
}

/// Takes the pending file for draining (`<log>.draining`, if a drain that
/// died left none) and reads it once no writer holds it. The caller holds
/// the log's write lock. `None` when nothing is pending.
pub(crate) fn take(log: &Path) -> Result<Option<(File, Drained)>, LogError> {
    let draining = draining_path(log);
    if !draining.exists() {
        match std::fs::rename(pending_path(log), &draining) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(io(&draining, "taking")(err)),
        }
    }
    let mut file = File::open(&draining).map_err(io(&draining, "opening"))?;
    file.lock().map_err(io(&draining, "locking"))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io(&draining, "reading"))?;
    Ok(Some((file, parse(&bytes))))
}

/// Removes the drained file, keeping what could not be read in `<log>.damaged`.
pub(crate) fn finish(log: &Path, damaged: &[u8]) -> Result<(), LogError> {
    if !damaged.is_empty() {
        let path = damaged_path(log);
        let mut file = OpenOptions::new().append(true).create(true).open(&path).map_err(io(&path, "opening"))?;
        file.write_all(damaged).map_err(io(&path, "appending to"))?;
    }
    let draining = draining_path(log);
    std::fs::remove_file(&draining).map_err(io(&draining, "removing"))
}

/// The records in `bytes`, in order. A frame that does not check out (a
/// torn last write, damage) goes to `damaged` up to the next frame's magic.
fn parse(bytes: &[u8]) -> Drained {
    let mut out = Drained { records: Vec::new(), damaged: Vec::new() };
    let mut at = 0;
    while at < bytes.len() {
        match read_frame(&bytes[at..]) {
            Some((uid, record, used)) => {
                out.records.push((uid, record));
                at += used;
            }
            None => {
                let next = find_magic(&bytes[at + 1..]).map_or(bytes.len(), |n| at + 1 + n);
                out.damaged.extend_from_slice(&bytes[at..next]);
                at = next;
            }
        }
    }
    out
}

fn read_frame(bytes: &[u8]) -> Option<(String, NewRecord, usize)> {
    if bytes.len() < FRAME_HEADER || &bytes[..4] != MAGIC {
        return None;
    }
    let len = u32::from_le_bytes(bytes[4..8].try_into().ok()?) as usize;
    let checksum = u64::from_le_bytes(bytes[8..16].try_into().ok()?);
    let payload = bytes.get(FRAME_HEADER..FRAME_HEADER.checked_add(len)?).filter(|_| len <= MAX_PAYLOAD)?;
    if xxhash_rust::xxh3::xxh3_64(payload) != checksum {
        return None;
    }
    let framed: Framed<'_> = serde_json::from_slice(payload).ok()?;
    Some((framed.uid.into_owned(), framed.record.into_owned(), FRAME_HEADER + len))
}

fn find_magic(bytes: &[u8]) -> Option<usize> {
    bytes.windows(MAGIC.len()).position(|w| w == MAGIC)
}

/// The key an input is listed under in `<log>.approved`.
pub(crate) fn input_key(input: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(input.as_bytes())
}

/// Whether an approval of `input` may hold at `now`: `true` unless
/// `<log>.approved` exists and lists none live for it.
pub fn may_be_approved(log: &Path, input: &str, now: i64) -> bool {
    let Ok(text) = std::fs::read_to_string(approved_path(log)) else { return true };
    let key = format!("{:016x}", input_key(input));
    text.lines().any(|line| {
        let mut fields = line.split(' ');
        fields.next() == Some(key.as_str())
            && fields.next().and_then(|t| t.parse::<i64>().ok()).is_none_or(|expires| expires >= now)
    })
}

/// Rewrites `<log>.approved` from `live` (input, expiry) pairs, through a
/// temporary file and a rename so a hook never reads half of it.
pub(crate) fn write_approved(log: &Path, live: &[(String, i64)]) -> Result<(), LogError> {
    let path = approved_path(log);
    let tmp = suffixed(log, &format!("approved.tmp.{}", std::process::id()));
    let mut text = String::with_capacity(live.len() * 28);
    for (input, expires) in live {
        text.push_str(&format!("{:016x} {expires}\n", input_key(input)));
    }
    std::fs::write(&tmp, text).map_err(io(&tmp, "writing"))?;
    std::fs::rename(&tmp, &path).map_err(io(&path, "replacing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(input: &str) -> NewRecord {
        NewRecord { input: input.into(), decision: "allow".into(), ..NewRecord::default() }
    }

    #[test]
    fn frames_read_back_and_damage_is_kept_not_dropped() {
        let mut bytes = frame("u1", &record("ls")).expect("frame");
        let second = frame("u2", &record("git status")).expect("frame");
        let mut torn = second.clone();
        torn[FRAME_HEADER + 3] ^= 0xFF;
        bytes.extend_from_slice(&torn);
        bytes.extend_from_slice(&frame("u3", &record("pwd")).expect("frame"));
        bytes.extend_from_slice(&second[..second.len() / 2]);
        let read = parse(&bytes);
        let uids: Vec<&str> = read.records.iter().map(|(uid, _)| uid.as_str()).collect();
        assert_eq!(uids, ["u1", "u3"]);
        assert_eq!(read.records[1].1.input, "pwd");
        assert_eq!(read.damaged.len(), torn.len() + second.len() / 2, "the damaged frame and the torn tail");
    }

    #[test]
    fn an_unknown_approval_list_is_not_an_empty_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("decisions.db");
        assert!(may_be_approved(&log, "terraform destroy", 100), "no list: SQLite decides");
        write_approved(&log, &[("terraform destroy".into(), 200)]).expect("write");
        assert!(may_be_approved(&log, "terraform destroy", 100));
        assert!(!may_be_approved(&log, "terraform destroy", 201), "expired");
        assert!(!may_be_approved(&log, "kubectl delete ns x", 100));
        write_approved(&log, &[]).expect("write");
        assert!(!may_be_approved(&log, "terraform destroy", 100));
    }
}
