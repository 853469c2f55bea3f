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

/// A PostgreSQL cluster of one test's own, which the test may stop and
/// start again (the shared test server must stay up for the others). Made
/// with scripts/pg-test-server.sh, on a free loopback port; stopped on drop.
pub struct OwnPostgres {
    dir: tempfile::TempDir,
    port: u16,
    url: String,
}

impl OwnPostgres {
    /// A new cluster, running; `None` (said by [`postgres_server`]) where
    /// the store tests have no PostgreSQL.
    pub fn start() -> Option<OwnPostgres> {
        postgres_server()?;
        let dir = tempfile::tempdir().expect("tempdir");
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-test-server.sh");
        let out = std::process::Command::new(script)
            .arg(dir.path())
            .arg(port.to_string())
            .output()
            .expect("running scripts/pg-test-server.sh");
        assert!(out.status.success(), "pg-test-server.sh: {}", String::from_utf8_lossy(&out.stderr));
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Some(OwnPostgres { dir, port, url })
    }

    /// The cluster's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the server at once (`pg_ctl stop -m fast`): clients are cut off.
    pub fn stop(&self) {
        let out = self.pg_ctl(&["-m", "fast", "stop"]);
        assert!(out.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Starts the stopped server again, on the same port, and waits for it.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        let out = self.pg_ctl(&["-l", &log.to_string_lossy(), "-w", "-o", &options, "start"]);
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn pg_ctl(&self, args: &[&str]) -> std::process::Output {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's binaries")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin/pg_ctl")))
            .filter(|p| p.is_file())
            .max()
            .expect("pg_ctl");
        let data = self.dir.path().join("data");
        let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let mut command = if root {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin);
            c
        } else {
            std::process::Command::new(bin)
        };
        command.arg("-D").arg(&data).args(args).output().expect("running pg_ctl")
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        // Already stopped is fine; a test that failed must not panic again here.
        let _ = self.pg_ctl(&["-m", "immediate", "stop"]);
    }
}
