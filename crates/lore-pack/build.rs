//! The pack layout's fingerprint: a hash of the sources that define the
//! archived types and of the archive crates' versions. A pack written by a
//! build with the same fingerprint is read without validating every byte
//! (see `store::Pack::open`); any other is validated in full.

use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let model_dir = manifest_dir.join("../lore-model/src");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&model_dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    sources.retain(|p| p.extension().is_some_and(|ext| ext == "rs"));
    sources.sort();
    sources.push(manifest_dir.join("src/data.rs"));
    let lock = manifest_dir.join("../../Cargo.lock");

    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    for path in &sources {
        println!("cargo:rerun-if-changed={}", path.display());
        hasher.update(read(path).as_bytes());
    }
    println!("cargo:rerun-if-changed={}", model_dir.display());
    println!("cargo:rerun-if-changed={}", lock.display());
    for entry in archive_crates(&read(&lock)) {
        hasher.update(entry.as_bytes());
    }
    println!("cargo:rustc-env=LORE_PACK_LAYOUT={}", hasher.digest());
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The lock file's entries for the crates that decide the archived bytes.
fn archive_crates(lock: &str) -> Vec<&str> {
    const ARCHIVE: [&str; 6] = ["rkyv", "rend", "bytecheck", "ptr_meta", "rancor", "munge"];
    lock.split("[[package]]")
        .filter(|entry| {
            entry
                .lines()
                .find_map(|l| l.strip_prefix("name = "))
                .is_some_and(|n| ARCHIVE.contains(&n.trim_matches('"')))
        })
        .collect()
}
