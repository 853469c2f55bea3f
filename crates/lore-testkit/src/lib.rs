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

/// The PostgreSQL server for store tests (`LORE_TEST_POSTGRES_URL`; CI
/// starts one with scripts/pg-test-server.sh), or `None`, said once, when
/// there is none. With `LORE_REQUIRE_POSTGRES` set, its absence fails.
pub fn postgres_server() -> Option<String> {
    match std::env::var("LORE_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("LORE_REQUIRE_POSTGRES").is_none(),
                "LORE_REQUIRE_POSTGRES is set but LORE_TEST_POSTGRES_URL is not"
            );
            eprintln!("skipping PostgreSQL: set LORE_TEST_POSTGRES_URL (scripts/pg-test-server.sh starts one)");
            None
        }
    }
}

/// A new, empty database on the test server at `admin`, and its URL.
pub fn fresh_database(admin: &str) -> String {
    let name = format!("lore_test_{:016x}{:08x}", std::process::id() as u64 ^ nanos(), unique());
    let mut client = postgres::Client::connect(admin, postgres::NoTls).expect("the test PostgreSQL answers");
    client.batch_execute(&format!("CREATE DATABASE {name}")).expect("creating a test database");
    let (server, _) = admin.rsplit_once('/').expect("the test URL names a database");
    format!("{server}/{name}")
}

fn nanos() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

fn unique() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
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
