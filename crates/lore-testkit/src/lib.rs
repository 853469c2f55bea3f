//! Test support shared by lore's crates.

use std::path::{Path, PathBuf};

/// `../shared/corpora` (beside the checkout), or `LORE_CORPORA`. `None`,
/// with a note on stderr, when absent: a checkout without the corpora still
/// runs every other test.
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
