//! The pack on disk: `manifest.json`, `pack.bin` (the archived [`PackData`]),
//! `stamps.bin` (what the sources looked like at build time), `cache.bin`
//! (per-file ingest results for incremental builds) and `index/` (tantivy).
//!
//! Every file is written to a temporary name and renamed into place, so a
//! reader never sees a half-written file and a mapped file never changes
//! under its reader.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use lore_model::Timestamp;
use memmap2::Mmap;
use rkyv::rancor;
use serde::{Deserialize, Serialize};

use crate::data::{ArchivedPackData, PackData, SCHEMA_VERSION};

/// The manifest's file name in the pack directory.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The archived records' file name.
pub const PACK_FILE: &str = "pack.bin";
/// The file name of the sources' stamps at build time.
pub const STAMPS_FILE: &str = "stamps.bin";
/// The file name of the per-file ingest cache.
pub const CACHE_FILE: &str = "cache.bin";
/// The search indexes' directory (and `vectors.bin`'s).
pub const INDEX_DIR: &str = "index";
const LOCK_FILE: &str = "lock";

/// Why a pack could not be opened, built or written.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// No manifest in the directory: nothing was built there.
    #[error("no knowledge pack at {0}; run `lore build` to compile one")]
    Missing(PathBuf),
    /// Built by a lore whose pack layout this one cannot read.
    #[error(
        "the knowledge pack at {dir} was built by an incompatible lore (schema {found}, this lore reads {expected}); run `lore build` to rebuild it"
    )]
    Incompatible {
        /// The pack directory.
        dir: PathBuf,
        /// The manifest's schema.
        found: u32,
        /// The schema this lore reads.
        expected: u32,
    },
    /// A file of the pack is missing, damaged or disagrees with the manifest.
    #[error("the knowledge pack at {dir} is corrupt ({reason}); run `lore build` to rebuild it")]
    Corrupt {
        /// The pack directory.
        dir: PathBuf,
        /// Which file, and what is wrong with it.
        reason: String,
    },
    /// A file or directory could not be read or written.
    // The cause is in the message, so it is not also the error's `source`:
    // a chain printer (anyhow's `{:#}`) would print it twice.
    #[error("{action} {path}: {cause}")]
    Io {
        /// What was being done (`reading`, `mapping`, `renaming`, …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// What failed.
        cause: std::io::Error,
    },
    /// The search index failed; holds its message.
    #[error("search index: {0}")]
    Search(String),
}

impl From<lore_search::SearchError> for PackError {
    fn from(err: lore_search::SearchError) -> PackError {
        PackError::Search(err.to_string())
    }
}

impl PackError {
    pub(crate) fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> PackError + 'a {
        move |cause| PackError::Io { action, path: path.to_path_buf(), cause }
    }

    /// A rebuild would fix it.
    pub fn is_rebuildable(&self) -> bool {
        matches!(self, PackError::Missing(_) | PackError::Incompatible { .. } | PackError::Corrupt { .. })
    }
}

/// `manifest.json`: what was built, when, from what, and how to check it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The pack layout's version ([`SCHEMA_VERSION`]); another cannot be read.
    pub schema: u32,
    /// The version of lore that built it.
    pub lore_version: String,
    /// When it was built.
    pub built_at: Timestamp,
    /// The knowledge root it was built from.
    pub knowledge_root: PathBuf,
    /// The knowledge's name (`[knowledge] name`), when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The git commit of the knowledge root, when it is in a repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// How many records, documents and problems it holds.
    pub counts: Counts,
    /// xxh3-64 of `pack.bin`, hex.
    pub pack_checksum: String,
    /// The size of `pack.bin` in bytes, checked when it is opened.
    pub pack_bytes: u64,
    /// A hash of every system name: documents link to systems by name, so the
    /// search index is rebuilt in full when it changes.
    pub vocabulary: String,
}

impl Manifest {
    /// A short version for citations: the checksum, with the commit when known.
    pub fn version(&self) -> String {
        match &self.commit {
            Some(commit) => format!(
                "{}@{}",
                &self.pack_checksum[..12.min(self.pack_checksum.len())],
                &commit[..12.min(commit.len())]
            ),
            None => self.pack_checksum[..12.min(self.pack_checksum.len())].to_string(),
        }
    }
}

/// How many of each record a pack holds, and the build's problems.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Systems, after merging.
    pub systems: usize,
    /// Edges, dangling ones included.
    pub edges: usize,
    /// Edges whose target names no known system.
    pub dangling_edges: usize,
    /// Environments.
    pub environments: usize,
    /// Rules.
    pub rules: usize,
    /// Runbooks.
    pub runbooks: usize,
    /// Incidents.
    pub incidents: usize,
    /// Change freezes.
    pub freezes: usize,
    /// Teams.
    pub teams: usize,
    /// Searchable documents.
    pub documents: usize,
    /// Sections indexed, over every document.
    pub chunks: usize,
    /// Problems of severity error found reading the sources.
    pub errors: usize,
    /// Problems of severity warning.
    pub warnings: usize,
}

/// What a source file or directory looked like when the pack was built.
#[derive(Debug, Clone, PartialEq, Eq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Stamp {
    /// The file or directory, as the build saw it.
    pub path: String,
    /// A file's size in bytes; 0 for a directory.
    pub len: u64,
    /// Its modification time in nanoseconds since the Unix epoch (0 when unknown).
    pub mtime_ns: i64,
}

impl Stamp {
    /// The stamp of `path` now; `None` when it cannot be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            path: path.to_string_lossy().into_owned(),
            len: if meta.is_dir() { 0 } else { meta.len() },
            mtime_ns: mtime_ns(&meta),
        })
    }
}

/// A file's modification time in nanoseconds since the Unix epoch; 0 when
/// unknown or before 1970.
pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0)
}

/// An opened pack: the manifest and the memory-mapped, validated records.
pub struct Pack {
    dir: PathBuf,
    manifest: Manifest,
    bytes: Mmap,
}

impl Pack {
    /// Opens the pack in `dir`: reads the manifest, maps `pack.bin` and
    /// checks its header, so queries can read it in place. A pack this
    /// layout wrote was validated when it was written, and its header names
    /// the manifest's checksum, so it is not validated again: a hook opens
    /// the pack at every call. Any other is validated in full.
    pub fn open(dir: &Path) -> Result<Pack, PackError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let text = match std::fs::read(&manifest_path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(PackError::Missing(dir.to_path_buf()));
            }
            Err(err) => return Err(PackError::io("reading", &manifest_path)(err)),
        };
        let manifest: Manifest = serde_json::from_slice(&text)
            .map_err(|err| PackError::Corrupt { dir: dir.to_path_buf(), reason: format!("{MANIFEST_FILE}: {err}") })?;
        if manifest.schema != SCHEMA_VERSION {
            return Err(PackError::Incompatible {
                dir: dir.to_path_buf(),
                found: manifest.schema,
                expected: SCHEMA_VERSION,
            });
        }
        let pack_path = dir.join(PACK_FILE);
        let file = File::open(&pack_path).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => {
                PackError::Corrupt { dir: dir.to_path_buf(), reason: format!("{PACK_FILE} is missing") }
            }
            _ => PackError::io("opening", &pack_path)(err),
        })?;
        let bytes = map_read_only(&file).map_err(PackError::io("mapping", &pack_path))?;
        if bytes.len() as u64 != manifest.pack_bytes {
            return Err(PackError::Corrupt {
                dir: dir.to_path_buf(),
                reason: format!("{PACK_FILE} is {} bytes, the manifest says {}", bytes.len(), manifest.pack_bytes),
            });
        }
        let corrupt =
            |reason: String| PackError::Corrupt { dir: dir.to_path_buf(), reason: format!("{PACK_FILE}: {reason}") };
        let header = Header::read(&bytes).map_err(corrupt)?;
        if format!("{:016x}", header.checksum) != manifest.pack_checksum {
            return Err(corrupt("it is not the file the manifest describes (a build was interrupted?)".into()));
        }
        if header.layout != layout() {
            rkyv::access::<ArchivedPackData, rancor::Error>(&bytes[HEADER_BYTES..])
                .map_err(|err| corrupt(err.to_string()))?;
        }
        Ok(Pack { dir: dir.to_path_buf(), manifest, bytes })
    }

    /// Checks every byte: the checksum and every archived value. `open`
    /// trusts a pack this build of lore wrote; this is for `lore doctor`.
    pub fn verify(&self) -> Result<(), PackError> {
        let corrupt =
            |reason: String| PackError::Corrupt { dir: self.dir.clone(), reason: format!("{PACK_FILE}: {reason}") };
        let archive = &self.bytes[HEADER_BYTES..];
        if format!("{:016x}", xxhash_rust::xxh3::xxh3_64(archive)) != self.manifest.pack_checksum {
            return Err(corrupt("its checksum does not match the manifest: it changed after it was built".into()));
        }
        rkyv::access::<ArchivedPackData, rancor::Error>(archive).map_err(|err| corrupt(err.to_string()))?;
        Ok(())
    }

    /// The archived records, read in place from the mapping.
    #[allow(unsafe_code)]
    pub fn data(&self) -> &ArchivedPackData {
        // SAFETY: `access_unchecked` needs bytes that hold a valid, aligned
        // `ArchivedPackData`. `open` is the only constructor. It returns a
        // `Pack` only when `rkyv::access` validated these very bytes (which
        // checks alignment and every archived value), or when the header
        // says this layout wrote them and names the manifest's checksum:
        // `write_pack` validates what it archives before writing it, and
        // writes it whole under a new name (`write_atomic`), so those bytes
        // are the validated ones. The archive starts 64 bytes in, so a
        // page-aligned mapping keeps it aligned. `self.bytes` is private and
        // never replaced, and the mapping does not change while mapped (see
        // `map_read_only`).
        unsafe { rkyv::access_unchecked::<ArchivedPackData>(&self.bytes[HEADER_BYTES..]) }
    }

    /// The pack's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The pack's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The source files the pack was built from, as the build saw them
    /// (directories left out); empty when the stamps cannot be read.
    pub fn source_files(&self) -> Vec<PathBuf> {
        let Ok(bytes) = std::fs::read(self.dir.join(STAMPS_FILE)) else { return Vec::new() };
        let mut aligned = rkyv::util::AlignedVec::<16>::with_capacity(bytes.len());
        aligned.extend_from_slice(&bytes);
        let Ok(stamps) = rkyv::access::<rkyv::Archived<Vec<Stamp>>, rancor::Error>(&aligned) else {
            return Vec::new();
        };
        stamps.iter().map(|stamp| PathBuf::from(stamp.path.as_str())).filter(|path| path.is_file()).collect()
    }

    /// Whether any source changed since the build: a file's size or mtime,
    /// or a directory's mtime (a file added or removed).
    pub fn is_stale(&self) -> bool {
        let path = self.dir.join(STAMPS_FILE);
        let Ok(bytes) = std::fs::read(&path) else { return true };
        let mut aligned = rkyv::util::AlignedVec::<16>::with_capacity(bytes.len());
        aligned.extend_from_slice(&bytes);
        let Ok(stamps) = rkyv::access::<rkyv::Archived<Vec<Stamp>>, rancor::Error>(&aligned) else { return true };
        stamps.iter().any(|stamp| {
            let now = Stamp::of(Path::new(stamp.path.as_str()));
            now.is_none_or(|now| now.len != stamp.len.to_native() || now.mtime_ns != stamp.mtime_ns.to_native())
        })
    }
}

/// Maps `file` read-only (page-aligned, as rkyv's archive requires).
#[allow(unsafe_code)]
fn map_read_only(file: &File) -> std::io::Result<Mmap> {
    // SAFETY: `Mmap::map` is unsafe because the bytes change, or reading
    // them faults, if the file is written or truncated while mapped. lore
    // never writes a pack file in place: every build writes a temporary file
    // and renames it over the old one (`write_atomic`), which leaves the
    // mapped inode untouched until the last mapping goes. A tool that edits
    // `pack.bin` in place is outside what lore supports.
    unsafe { Mmap::map(file) }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PackError> {
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let mut file = File::create(&tmp).map_err(PackError::io("creating", &tmp))?;
    file.write_all(bytes).map_err(PackError::io("writing", &tmp))?;
    file.sync_data().map_err(PackError::io("syncing", &tmp))?;
    std::fs::rename(&tmp, path).map_err(PackError::io("renaming", path))
}

/// Archives `data` into `pack.bin` in `dir`, behind its header, once the
/// archive validates; returns the file's size in bytes and the archive's
/// xxh3-64 checksum as hex.
pub fn write_pack(dir: &Path, data: &PackData) -> Result<(u64, String), PackError> {
    let corrupt = |reason: String| PackError::Corrupt { dir: dir.to_path_buf(), reason };
    let archive = rkyv::to_bytes::<rancor::Error>(data).map_err(|err| corrupt(format!("cannot serialise: {err}")))?;
    rkyv::access::<ArchivedPackData, rancor::Error>(&archive)
        .map_err(|err| corrupt(format!("the archive does not validate: {err}")))?;
    let checksum = xxhash_rust::xxh3::xxh3_64(&archive);
    let mut bytes = Header { layout: layout(), checksum, archive_bytes: archive.len() as u64 }.bytes().to_vec();
    bytes.extend_from_slice(&archive);
    write_atomic(&dir.join(PACK_FILE), &bytes)?;
    Ok((bytes.len() as u64, format!("{checksum:016x}")))
}

/// The bytes before the archive in `pack.bin`; a multiple of rkyv's alignment.
const HEADER_BYTES: usize = 64;
const MAGIC: &[u8; 8] = b"LOREPACK";

/// This build's pack layout: a hash of the archived types' sources and the
/// archive crates' versions (`build.rs`).
fn layout() -> u64 {
    env!("LORE_PACK_LAYOUT").parse().unwrap_or(0)
}

/// `pack.bin`'s header: the magic, the layout that wrote it, the archive's
/// length and checksum. Little-endian, zero-padded to [`HEADER_BYTES`].
struct Header {
    layout: u64,
    checksum: u64,
    archive_bytes: u64,
}

impl Header {
    fn bytes(&self) -> [u8; HEADER_BYTES] {
        let mut out = [0u8; HEADER_BYTES];
        out[..8].copy_from_slice(MAGIC);
        out[8..16].copy_from_slice(&self.layout.to_le_bytes());
        out[16..24].copy_from_slice(&self.checksum.to_le_bytes());
        out[24..32].copy_from_slice(&self.archive_bytes.to_le_bytes());
        out
    }

    fn read(bytes: &[u8]) -> Result<Header, String> {
        let field = |at: usize| bytes.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes);
        if bytes.len() < HEADER_BYTES || &bytes[..8] != MAGIC {
            return Err("it does not start with a lore pack header".into());
        }
        let (Some(layout), Some(checksum), Some(archive_bytes)) = (field(8), field(16), field(24)) else {
            return Err("its header is cut short".into());
        };
        if archive_bytes != (bytes.len() - HEADER_BYTES) as u64 {
            return Err(format!("its header says {archive_bytes} bytes follow, {} do", bytes.len() - HEADER_BYTES));
        }
        Ok(Header { layout, checksum, archive_bytes })
    }
}

/// Writes the sources' stamps into `stamps.bin` in `dir`.
pub fn write_stamps(dir: &Path, stamps: &Vec<Stamp>) -> Result<(), PackError> {
    let bytes = rkyv::to_bytes::<rancor::Error>(stamps).map_err(|err| PackError::Corrupt {
        dir: dir.to_path_buf(),
        reason: format!("cannot serialise stamps: {err}"),
    })?;
    write_atomic(&dir.join(STAMPS_FILE), &bytes)
}

/// Writes `manifest.json` into `dir`. A build writes it last, so a manifest
/// never describes files not yet written.
pub fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), PackError> {
    let json = serde_json::to_vec_pretty(manifest)
        .map_err(|err| PackError::Corrupt { dir: dir.to_path_buf(), reason: err.to_string() })?;
    write_atomic(&dir.join(MANIFEST_FILE), &json)
}

/// Serialises builds of the same pack, across processes.
pub struct BuildLock {
    _file: File,
}

impl BuildLock {
    /// Waits for, then holds, the exclusive lock on `dir`'s lock file
    /// (creating `dir`), until the lock is dropped.
    pub fn acquire(dir: &Path) -> Result<BuildLock, PackError> {
        std::fs::create_dir_all(dir).map_err(PackError::io("creating", dir))?;
        let path = dir.join(LOCK_FILE);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(PackError::io("opening", &path))?;
        file.lock().map_err(PackError::io("locking", &path))?;
        Ok(BuildLock { _file: file })
    }
}
