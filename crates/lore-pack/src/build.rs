//! `lore build`: sources → per-file ingest (cached) → link → pack + index.
//!
//! Incremental: a file whose size and mtime (or, failing that, content hash)
//! match the cache is not read again, and only its documents are replaced in
//! the search index. Linking is always redone: it is cheap and global.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use lore_ingest::{Config, FileContext, FileOutput, SourceConfig, SourceFile};
use lore_model::{Diagnostic, Severity, Timestamp};
use rkyv::rancor;
use serde::Serialize;

use crate::data::{PackData, SCHEMA_VERSION};
use crate::store::{self, BuildLock, CACHE_FILE, Counts, INDEX_DIR, Manifest, PackError, Stamp};
use lore_search::IndexUpdate;

/// Backstage Locations can point at each other; stop following after this many hops.
const MAX_FOLLOW_ROUNDS: usize = 8;

/// What to build, from where, to where.
pub struct BuildOptions<'a> {
    /// The knowledge root (where `lore.toml` is, if there is one).
    pub root: PathBuf,
    /// Where the pack is written.
    pub pack_dir: PathBuf,
    /// The knowledge's configuration (`lore.toml`, or the default).
    pub config: Config,
    /// Ignore the cache and read every file again.
    pub force: bool,
    /// The embedding model's directory, for hybrid search; none for lexical search only.
    pub model: Option<PathBuf>,
    /// Called as the build moves on, from any thread (for a progress bar).
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
}

/// A step of a build, reported to [`BuildOptions::progress`].
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// The sources were walked.
    Discovered {
        /// How many files they hold.
        files: usize,
    },
    /// One more file was read, or reused from the cache.
    FileRead,
    /// Every file is in; the graph is being linked.
    Linking,
    /// The search index is being written.
    Indexing,
    /// Documents whose text changed are being embedded.
    Embedding,
}

/// What a build did.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// The manifest written.
    pub manifest: Manifest,
    /// Knowledge files in the pack (Backstage Location targets included).
    pub files: usize,
    /// Files read this time.
    pub files_read: usize,
    /// Files whose cached ingest was reused.
    pub files_reused: usize,
    /// How the search index was brought up to date.
    pub index: IndexUpdate,
    /// Set when the pack has a model: what was embedded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embeddings: Option<lore_search::EmbeddingUpdate>,
    /// Every problem found, with its file and line.
    pub diagnostics: Vec<Diagnostic>,
    /// How long the build took, in milliseconds.
    pub elapsed_ms: u64,
}

#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
struct Cache {
    key: u64,
    entries: Vec<CacheEntry>,
}

#[derive(Clone, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
struct CacheEntry {
    abs: String,
    rel: String,
    len: u64,
    mtime_ns: i64,
    hash: u64,
    deps: Vec<Stamp>,
    output: FileOutput,
}

/// Where proposed knowledge waits for review (see `lore review`): always
/// read, so that what agents propose is shown, marked as proposed.
pub const PROPOSALS_DIR: &str = "proposals";

/// The sources lore.toml names (the whole root when it names none), and the
/// proposals directory when it exists and no source covers it.
pub fn effective_sources(config: &Config, root: &Path) -> Vec<SourceConfig> {
    let source = |path: &str| SourceConfig {
        path: path.into(),
        kind: Default::default(),
        system_from_path: Default::default(),
        incidents: Default::default(),
        environment: None,
        exclude: Vec::new(),
    };
    if config.sources.is_empty() {
        return vec![source(".")];
    }
    let mut sources = config.sources.clone();
    let covered = sources.iter().any(|s| {
        let path = s.path.strip_prefix(".").unwrap_or(&s.path);
        path.as_os_str().is_empty() || Path::new(PROPOSALS_DIR).starts_with(path)
    });
    if !covered && root.join(PROPOSALS_DIR).is_dir() {
        sources.push(SourceConfig {
            system_from_path: lore_ingest::config::PathConvention::FirstDir,
            incidents: lore_ingest::config::Detect::Never,
            ..source(PROPOSALS_DIR)
        });
    }
    sources
}

/// Builds the pack in `options.pack_dir`, holding its build lock: reads what
/// changed, links everything, writes the pack, index and manifest.
pub fn build(options: &BuildOptions<'_>) -> Result<BuildReport, PackError> {
    let started = Instant::now();
    let emit = |p: Progress| {
        if let Some(progress) = options.progress {
            progress(p)
        }
    };
    let _lock = BuildLock::acquire(&options.pack_dir)?;
    let root = &options.root;
    let sources = effective_sources(&options.config, root);
    let discovery = lore_ingest::discover(root, &sources, &options.pack_dir);
    emit(Progress::Discovered { files: discovery.files.len() });

    let cache_key = cache_key(&options.config);
    let mut cache = if options.force { HashMap::new() } else { load_cache(&options.pack_dir, cache_key) };
    let commit = lore_ingest::git_commit(root);
    // A source outside the knowledge root may be its own repository.
    let source_commits: Vec<Option<String>> = sources
        .iter()
        .map(|source| {
            let path = root.join(&source.path);
            let dir = if path.is_dir() { path } else { path.parent().map(Path::to_path_buf).unwrap_or_default() };
            lore_ingest::git_commit(&dir)
        })
        .collect();

    let mut entries: Vec<CacheEntry> = Vec::new();
    let mut read_paths: HashSet<String> = HashSet::new();
    let mut known: HashSet<PathBuf> = discovery.files.iter().map(|f| f.abs.clone()).collect();
    let mut pending = discovery.files;
    let mut diagnostics = discovery.diagnostics;
    for _ in 0..MAX_FOLLOW_ROUNDS {
        if pending.is_empty() {
            break;
        }
        let ingested = ingest_all(&pending, &sources, &source_commits, &mut cache, &emit);
        pending = Vec::new();
        for (entry, was_read) in ingested {
            if was_read {
                read_paths.insert(entry.rel.clone());
            }
            for target in &entry.output.follow {
                let abs = root.join(target);
                if !abs.is_file() {
                    diagnostics.push(Diagnostic {
                        file: entry.rel.clone(),
                        line: 1,
                        severity: Severity::Warning,
                        message: format!("Location target `{target}` does not exist"),
                    });
                } else if known.insert(abs.clone()) {
                    pending.push(SourceFile { abs, rel: target.clone(), source_index: 0, path_dirs: Vec::new() });
                }
            }
            entries.push(entry);
        }
    }
    entries.sort_by(|a, b| a.rel.cmp(&b.rel));
    // Files gone since the last build leave the index too.
    let removed: Vec<String> =
        cache.into_values().map(|e| e.rel).filter(|rel| !entries.iter().any(|e| &e.rel == rel)).collect();

    emit(Progress::Linking);
    let outputs: Vec<FileOutput> = entries.iter().map(|e| e.output.clone()).collect();
    let (mut data, docs) = crate::link::link(&options.config, &outputs);
    data.diagnostics.splice(0..0, diagnostics);
    data.diagnostics.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));

    let vocabulary = vocabulary(&data);
    let previous = previous_manifest(&options.pack_dir);
    let index_dir = options.pack_dir.join(INDEX_DIR);
    let incremental =
        previous.as_ref().is_some_and(|m| m.vocabulary == vocabulary && m.schema == SCHEMA_VERSION) && !options.force;
    emit(Progress::Indexing);
    let files_read = read_paths.len();
    let changed: HashSet<String> = read_paths.into_iter().chain(removed).collect();
    let index_docs: Vec<lore_search::IndexDoc<'_>> =
        docs.iter().map(|d| lore_search::IndexDoc { doc: d.doc, systems: &d.systems }).collect();
    let index = lore_search::update_index(&index_dir, &index_docs, incremental.then_some(&changed))?;
    let embeddings = options.model.as_deref().and_then(|model| {
        emit(Progress::Embedding);
        embed(model, &index_dir, &index_docs, &mut data.diagnostics)
    });

    let (pack_bytes, pack_checksum) = store::write_pack(&options.pack_dir, &data)?;
    store::write_stamps(&options.pack_dir, &stamps(root, &discovery.dirs, &entries))?;
    save_cache(&options.pack_dir, cache_key, entries.clone())?;
    let manifest = Manifest {
        schema: SCHEMA_VERSION,
        lore_version: env!("CARGO_PKG_VERSION").to_string(),
        built_at: Timestamp::now(),
        knowledge_root: root.clone(),
        name: data.name.clone(),
        commit,
        counts: counts(&data, &docs),
        pack_checksum,
        pack_bytes,
        vocabulary,
    };
    store::write_manifest(&options.pack_dir, &manifest)?;
    Ok(BuildReport {
        files: entries.len(),
        files_read,
        files_reused: entries.len() - files_read,
        index,
        embeddings,
        diagnostics: data.diagnostics,
        manifest,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// Brings the document embeddings up to date; a model that cannot be used
/// is a diagnostic, and the pack stays usable for lexical search.
#[cfg(feature = "semantic")]
fn embed(
    model_dir: &Path,
    index_dir: &Path,
    docs: &[lore_search::IndexDoc<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<lore_search::EmbeddingUpdate> {
    let result = lore_search::semantic::Model::load(model_dir)
        .and_then(|model| lore_search::semantic::update_vectors(index_dir, docs, &model));
    match result {
        Ok(update) => {
            if let Some(reason) = &update.rebuilt {
                diagnostics.push(model_problem(model_dir, Severity::Warning, reason.clone()));
            }
            Some(update)
        }
        Err(err) => {
            diagnostics.push(model_problem(model_dir, Severity::Error, err.to_string()));
            None
        }
    }
}

#[cfg(not(feature = "semantic"))]
fn embed(
    model_dir: &Path,
    _index_dir: &Path,
    _docs: &[lore_search::IndexDoc<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<lore_search::EmbeddingUpdate> {
    let message = "this lore was built without the `semantic` feature; the model is not used and search stays lexical";
    diagnostics.push(model_problem(model_dir, Severity::Warning, message.into()));
    None
}

fn model_problem(model_dir: &Path, severity: Severity, message: String) -> Diagnostic {
    Diagnostic { file: model_dir.display().to_string(), line: 0, severity, message }
}

fn previous_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(dir.join(store::MANIFEST_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Reads every file not served by the cache, on all cores. Returns each
/// file's entry and whether it was read (rather than reused).
fn ingest_all(
    files: &[SourceFile],
    sources: &[SourceConfig],
    commits: &[Option<String>],
    cache: &mut HashMap<String, CacheEntry>,
    emit: &(dyn Fn(Progress) + Sync),
) -> Vec<(CacheEntry, bool)> {
    let mut results: Vec<Option<(CacheEntry, bool)>> = vec![None; files.len()];
    let mut to_read = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let abs = file.abs.to_string_lossy().into_owned();
        let meta = std::fs::metadata(&file.abs).ok();
        let (len, mtime) = meta.as_ref().map(|m| (m.len(), store::mtime_ns(m))).unwrap_or((0, 0));
        match cache.remove(&abs) {
            Some(entry) if entry.len == len && entry.mtime_ns == mtime && deps_unchanged(&entry.deps) => {
                emit(Progress::FileRead);
                results[i] = Some((entry, false));
            }
            previous => to_read.push((i, file, len, mtime, previous)),
        }
    }
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(to_read.len().max(1));
    let read: Vec<(usize, CacheEntry, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let work: Vec<_> = to_read.iter().skip(w).step_by(workers).collect();
                scope.spawn(move || {
                    work.into_iter()
                        .map(|(i, file, len, mtime, previous)| {
                            let index = file.source_index.min(sources.len().saturating_sub(1));
                            let commit = commits.get(index).and_then(|c| c.as_deref());
                            let (entry, was_read) =
                                read_one(file, &sources[index], *len, *mtime, previous.as_ref(), commit);
                            emit(Progress::FileRead);
                            (*i, entry, was_read)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    for (i, entry, was_read) in read {
        results[i] = Some((entry, was_read));
    }
    results.into_iter().flatten().collect()
}

fn read_one(
    file: &SourceFile,
    source: &SourceConfig,
    len: u64,
    mtime_ns: i64,
    previous: Option<&CacheEntry>,
    commit: Option<&str>,
) -> (CacheEntry, bool) {
    let abs = file.abs.to_string_lossy().into_owned();
    let ctx =
        FileContext { rel_path: &file.rel, abs_path: &file.abs, source, path_dirs: file.path_dirs.clone(), commit };
    let problem = |message: String| {
        let mut output = FileOutput::default();
        output.diagnostics.push(Diagnostic { file: file.rel.clone(), line: 0, severity: Severity::Error, message });
        output
    };
    let bytes = if len > lore_ingest::MAX_FILE_BYTES {
        Err(format!("larger than {} MiB; skipped", lore_ingest::MAX_FILE_BYTES / (1024 * 1024)))
    } else {
        std::fs::read(&file.abs).map_err(|err| format!("cannot read: {err}"))
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(message) => {
            let entry = CacheEntry {
                abs,
                rel: file.rel.clone(),
                len,
                mtime_ns,
                hash: 0,
                deps: Vec::new(),
                output: problem(message),
            };
            return (entry, true);
        }
    };
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    if let Some(previous) = previous
        && previous.hash == hash
        && deps_unchanged(&previous.deps)
    {
        let mut entry = previous.clone();
        entry.mtime_ns = mtime_ns;
        entry.len = len;
        return (entry, false);
    }
    // Adapters never panic by design; this keeps one bad file from taking the build down if one does.
    let output = std::panic::catch_unwind(|| lore_ingest::ingest_file(&ctx, &bytes))
        .unwrap_or_else(|_| problem("internal error while reading this file; skipped (please report it)".into()));
    let base = Path::new(&file.abs).parent().map(Path::to_path_buf).unwrap_or_default();
    let deps = output
        .depends_on_files
        .iter()
        .filter_map(|dep| Path::new(dep).file_name().and_then(|name| Stamp::of(&base.join(name))))
        .collect();
    (CacheEntry { abs, rel: file.rel.clone(), len, mtime_ns, hash, deps, output }, true)
}

fn deps_unchanged(deps: &[Stamp]) -> bool {
    deps.iter().all(|dep| Stamp::of(Path::new(&dep.path)).as_ref() == Some(dep))
}

/// Cached per-file results are valid for one configuration and one build of
/// lore: a new binary may read files differently.
fn cache_key(config: &Config) -> u64 {
    let config_json = serde_json::to_string(config).unwrap_or_default();
    let binary = std::env::current_exe().ok().and_then(|exe| Stamp::of(&exe)).map(|s| (s.len, s.mtime_ns));
    xxhash_rust::xxh3::xxh3_64(
        format!("{SCHEMA_VERSION}/{}/{binary:?}/{config_json}", env!("CARGO_PKG_VERSION")).as_bytes(),
    )
}

fn load_cache(dir: &Path, key: u64) -> HashMap<String, CacheEntry> {
    let Ok(bytes) = std::fs::read(dir.join(CACHE_FILE)) else { return HashMap::new() };
    let mut aligned = rkyv::util::AlignedVec::<16>::with_capacity(bytes.len());
    aligned.extend_from_slice(&bytes);
    match rkyv::from_bytes::<Cache, rancor::Error>(&aligned) {
        Ok(cache) if cache.key == key => cache.entries.into_iter().map(|e| (e.abs.clone(), e)).collect(),
        _ => HashMap::new(),
    }
}

fn save_cache(dir: &Path, key: u64, entries: Vec<CacheEntry>) -> Result<(), PackError> {
    let cache = Cache { key, entries };
    let bytes = rkyv::to_bytes::<rancor::Error>(&cache).map_err(|err| PackError::Corrupt {
        dir: dir.to_path_buf(),
        reason: format!("cannot serialise cache: {err}"),
    })?;
    store::write_atomic(&dir.join(CACHE_FILE), &bytes)
}

fn stamps(root: &Path, dirs: &[PathBuf], entries: &[CacheEntry]) -> Vec<Stamp> {
    let mut stamps: Vec<Stamp> = dirs.iter().filter_map(|d| Stamp::of(d)).collect();
    stamps.extend(Stamp::of(&root.join(lore_ingest::config::CONFIG_FILE)));
    // The root itself: a `proposals/` directory appearing there is a new source.
    if !dirs.iter().any(|d| d == root) {
        stamps.extend(Stamp::of(root));
    }
    for entry in entries {
        stamps.push(Stamp { path: entry.abs.clone(), len: entry.len, mtime_ns: entry.mtime_ns });
        stamps.extend(entry.deps.iter().cloned());
    }
    stamps
}

fn vocabulary(data: &PackData) -> String {
    let mut names: Vec<&str> = data.names.iter().map(|n| n.name.as_str()).collect();
    names.sort_unstable();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(names.join("\n").as_bytes()))
}

fn counts(data: &PackData, docs: &[crate::link::ResolvedDoc<'_>]) -> Counts {
    Counts {
        systems: data.systems.len(),
        edges: data.edges.len(),
        dangling_edges: data.edges.iter().filter(|e| e.to_ix.is_none()).count(),
        environments: data.environments.len(),
        rules: data.rules.len(),
        runbooks: data.runbooks.len(),
        incidents: data.incidents.len(),
        freezes: data.freezes.len(),
        teams: data.teams.len(),
        documents: docs.len(),
        chunks: docs.iter().map(|d| d.doc.chunks.len()).sum(),
        errors: data.diagnostics.iter().filter(|d| d.severity == Severity::Error).count(),
        warnings: data.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count(),
    }
}
