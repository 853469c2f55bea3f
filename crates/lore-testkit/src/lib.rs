//! Test support shared by lore's crates: where the real corpora are, a
//! writable copy of the example knowledge, and building packs.

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

/// Builds the pack of the knowledge at `root`, configured by `config`, into
/// `pack_dir`, embedding its documents with the model in `model` when given
/// (lexical search only otherwise). Reuses `pack_dir`'s cache, if any, and
/// reports no progress. Panics when the build fails: this is test support.
pub fn build_pack(
    root: &Path,
    config: lore_ingest::Config,
    pack_dir: &Path,
    model: Option<&Path>,
) -> lore_pack::BuildReport {
    let options = lore_pack::BuildOptions {
        root: root.to_path_buf(),
        pack_dir: pack_dir.to_path_buf(),
        config,
        force: false,
        model: model.map(Path::to_path_buf),
        progress: None,
    };
    lore_pack::build(&options).expect("the pack builds")
}

/// [`build_pack`] with the configuration in `root/lore.toml` and no model.
/// Panics when that file does not load or the build fails.
pub fn build_pack_from_toml(root: &Path, pack_dir: &Path) -> lore_pack::BuildReport {
    let config = lore_ingest::Config::load(&root.join("lore.toml")).expect("root/lore.toml loads");
    build_pack(root, config, pack_dir, None)
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
