//! Helpers for integration tests: building packs and finding the shared corpora.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use lore_ingest::{Config, PathConvention, SourceConfig, SourceSetting};
use lore_pack::{BuildOptions, BuildReport, Pack};

/// `../shared/corpora`, or `LORE_CORPORA`. `None` (with a note on stderr)
/// when absent, so a checkout without the corpora still runs the rest.
pub fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("LORE_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: no corpora at {} (set LORE_CORPORA to run this test)", dir.display());
        None
    }
}

pub fn source(path: impl Into<PathBuf>) -> SourceConfig {
    SourceConfig {
        path: path.into(),
        kind: SourceSetting::Auto,
        system_from_path: PathConvention::Auto,
        incidents: Default::default(),
        environment: None,
        exclude: Vec::new(),
    }
}

pub struct Built {
    pub dir: tempfile::TempDir,
    pub pack: Pack,
    pub report: BuildReport,
}

/// Builds a pack from `config` with its root and pack in a fresh temporary directory.
pub fn build(config: Config) -> Built {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = build_at(dir.path(), config);
    let pack = Pack::open(&dir.path().join(".lore")).expect("pack opens");
    Built { dir, pack, report }
}

pub fn build_at(root: &Path, config: Config) -> BuildReport {
    let options =
        BuildOptions { root: root.to_path_buf(), pack_dir: root.join(".lore"), config, force: false, progress: None };
    lore_pack::build(&options).expect("build succeeds")
}

pub fn config(sources: Vec<SourceConfig>) -> Config {
    Config { sources, ..Config::default() }
}
