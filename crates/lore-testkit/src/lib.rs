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

/// A writable copy of the example knowledge (examples/acme) at `to`, its
/// decision log at `log`: for tests that change knowledge or read the log.
pub fn example_copy(to: &Path, log: &Path) -> PathBuf {
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme"), to);
    let config_path = to.join("lore.toml");
    let mut config = std::fs::read_to_string(&config_path).expect("the example has a lore.toml");
    config.push_str(&format!("\n[gate]\nlog = {:?}\n", log.to_string_lossy()));
    std::fs::write(&config_path, config).expect("writing lore.toml");
    to.to_path_buf()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating the copy");
    for entry in std::fs::read_dir(from).expect("reading the example").flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copying the example");
        }
    }
}
