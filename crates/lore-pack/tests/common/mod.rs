//! Helpers for integration tests: building packs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use lore_ingest::{Config, PathConvention, SourceConfig, SourceSetting};
use lore_pack::{BuildReport, Pack};

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
    build_with_model(root, config, None)
}

/// Builds the pack of `root` in `root/.lore`, embedding with `model` when given.
pub fn build_with_model(root: &Path, config: Config, model: Option<&Path>) -> BuildReport {
    lore_testkit::build_pack(root, config, &root.join(".lore"), model)
}

pub fn config(sources: Vec<SourceConfig>) -> Config {
    Config { sources, ..Config::default() }
}
