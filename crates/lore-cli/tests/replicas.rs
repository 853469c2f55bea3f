//! Two `lore serve` processes on one PostgreSQL store, under load from many
//! clients: one replica killed with SIGKILL mid-run, and the store itself
//! stopped and started again mid-run. Afterwards every answered check is in
//! the shared log exactly once.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{LoreCommand, lore};
use serde_json::{Value, json};

fn acme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

/// A `lore serve` process on a loopback port, with its own local log.
struct Replica {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the replicas' homes, logs and shared pack live.
struct Site {
    dir: tempfile::TempDir,
    url: String,
}

impl Site {
    fn new(url: &str) -> Site {
        let site = Site { dir: tempfile::tempdir().expect("tempdir"), url: url.to_string() };
        // Build the pack once, so replicas start on it rather than race to build it.
        let built = site.lore("build").args(["build", "-q"]).run();
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        site
    }

    fn lore(&self, name: &str) -> std::process::Command {
        let mut command = lore();
        command
            .knowledge(acme())
            .home_with_cache(self.dir.path().join(name))
            .pack_dir(self.dir.path().join("packs"))
            .log(self.dir.path().join(format!("{name}.db")))
            .without_cloud_context()
            .env("LORE_STORE_URL", &self.url);
        command
    }

    /// Starts a replica and waits until it is ready.
    fn replica(&self, name: &str) -> Replica {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a port").port();
        let stderr = std::fs::File::create(self.dir.path().join(format!("{name}.stderr"))).expect("stderr file");
        let child = self
            .lore(name)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("lore serve starts");
        let replica = Replica {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log: self.dir.path().join(format!("{name}.db")),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while status(&replica, "/readyz") != Some(200) {
            assert!(Instant::now() < deadline, "replica {name} did not become ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        replica
    }

    fn shared(&self) -> Box<dyn lore_log::Store> {
        lore_log::open_shared(&self.url, "test").expect("the store")
    }
}

/// The HTTP status of a GET, or `None` when nothing answers.
fn status(replica: &Replica, path: &str) -> Option<u16> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
        client.get(format!("{}{path}", replica.base)).send().await.ok().map(|r| r.status().as_u16())
    })
}

/// What a load run got: each answered input, the answer, and how many
/// requests got no answer.
#[derive(Default)]
struct Answers {
    answered: HashMap<String, Value>,
    unanswered: usize,
}

/// Sends `total` checks from `clients` clients, alternating between the
/// replicas (a client whose replica does not answer tries the other, with a
/// new input, as an agent would retry); `during` runs once `at` of them were
/// answered. Every input is new, so each can be found in the log.
fn load(bases: &[String], total: usize, clients: usize, at: usize, during: impl FnOnce() + Send) -> Answers {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let done = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|scope| {
        let watcher = {
            let done = done.clone();
            scope.spawn(move || {
                while done.load(Ordering::Relaxed) < at {
                    std::thread::sleep(Duration::from_millis(5));
                }
                during();
            })
        };
        let answers = runtime.block_on(async {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().expect("client");
            let tasks: Vec<_> = (0..clients)
                .map(|c| {
                    let (client, bases, done, next) = (client.clone(), bases.to_vec(), done.clone(), next.clone());
                    tokio::spawn(async move {
                        let mut answers = Answers::default();
                        let mut target = c % bases.len();
                        loop {
                            let n = next.fetch_add(1, Ordering::Relaxed);
                            if n >= total {
                                return answers;
                            }
                            for attempt in 0..4 {
                                let input = format!("kubectl get pods -n team-{n}-{attempt}");
                                let sent = client
                                    .post(format!("{}/v1/check", bases[target]))
                                    .json(&json!({ "input": input, "agent": "load" }))
                                    .send()
                                    .await;
                                let body = match sent {
                                    Ok(response) if response.status().is_success() => {
                                        response.json::<Value>().await.ok()
                                    }
                                    _ => None,
                                };
                                match body {
                                    Some(body) => {
                                        answers.answered.insert(input, body);
                                        break;
                                    }
                                    None => {
                                        answers.unanswered += 1;
                                        target = (target + 1) % bases.len();
                                    }
                                }
                            }
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            let mut all = Answers::default();
            for task in tasks {
                let answers = task.await.expect("client");
                all.answered.extend(answers.answered);
                all.unanswered += answers.unanswered;
            }
            all
        });
        watcher.join().expect("the mid-run step");
        answers
    })
}

/// The inputs the shared log holds, with how often each is there, and
/// whether its uids are all distinct.
fn logged(store: &dyn lore_log::Store) -> (HashMap<String, usize>, bool) {
    let entries = store.query(&lore_log::Filter { limit: 1_000_000, ..Default::default() }).expect("query");
    let uids: HashSet<&str> = entries.iter().map(|e| e.uid.as_str()).collect();
    let mut inputs = HashMap::new();
    for entry in &entries {
        *inputs.entry(entry.input.clone()).or_insert(0) += 1;
    }
    (inputs, uids.len() == entries.len())
}

/// How many checks the kill test sends: 20,000 unless `LORE_REPLICA_CHECKS` says.
fn checks() -> usize {
    std::env::var("LORE_REPLICA_CHECKS").ok().and_then(|n| n.parse().ok()).unwrap_or(20_000)
}

#[test]
fn a_replica_killed_mid_run_loses_no_answered_check() {
    let Some(admin) = lore_testkit::postgres_server() else { return };
    let site = Site::new(&lore_testkit::fresh_database(&admin));
    let (first, second) = (site.replica("a"), site.replica("b"));
    let bases = [first.base.clone(), second.base.clone()];
    let total = checks();
    let first = std::sync::Mutex::new(first);
    let started = Instant::now();
    let answers = load(&bases, total, 50, total / 3, || {
        let mut first = first.lock().expect("replica");
        first.child.kill().expect("kill -9");
        first.child.wait().expect("reaped");
    });
    let elapsed = started.elapsed();
    eprintln!(
        "{} checks answered, {} requests unanswered, in {:.1} s ({:.0}/s)",
        answers.answered.len(),
        answers.unanswered,
        elapsed.as_secs_f64(),
        answers.answered.len() as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(answers.answered.len(), total, "the surviving replica answered every check");
    assert!(answers.unanswered > 0, "the killed replica was killed mid-run");
    let (inputs, distinct_uids) = logged(site.shared().as_ref());
    assert!(distinct_uids, "no decision id repeats");
    for (input, answer) in &answers.answered {
        assert!(answer["decision_id"].is_i64(), "answered from the store, not queued: {answer}");
        assert_eq!(inputs.get(input), Some(&1), "{input}: every answered check is logged exactly once");
    }
    let extra = inputs.len() - answers.answered.len();
    assert!(extra <= answers.unanswered, "only checks in flight at the kill may be logged unanswered ({extra})");
    assert!(inputs.values().all(|n| *n == 1), "nothing is logged twice");
    drop(second);
}

#[test]
fn the_store_stopped_and_started_mid_run_loses_and_doubles_nothing() {
    let Some(store) = lore_testkit::OwnPostgres::start() else { return };
    let site = Site::new(store.url());
    let replicas = [site.replica("a"), site.replica("b")];
    let bases: Vec<String> = replicas.iter().map(|r| r.base.clone()).collect();
    let total = 3_000;
    let outage_seen = std::sync::atomic::AtomicBool::new(false);
    let answers = load(&bases, total, 20, total / 3, || {
        store.stop();
        // While it lasts, each replica says so.
        std::thread::sleep(Duration::from_millis(2_500));
        let seen: Vec<Option<u16>> = replicas.iter().map(|r| status(r, "/readyz")).collect();
        eprintln!("/readyz during the outage: {seen:?}");
        outage_seen.store(seen.iter().all(|s| *s == Some(503)), Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(1_000));
        store.start_again();
    });
    assert!(outage_seen.load(Ordering::Relaxed), "/readyz reports the outage on both replicas");
    assert_eq!(answers.answered.len(), total, "every check was answered from the pack: {} failed", answers.unanswered);
    let queued = answers.answered.values().filter(|a| a["decision_id"].is_null()).count();
    assert!(queued > 0, "some checks came during the outage and were queued");
    assert!(
        answers
            .answered
            .values()
            .filter(|a| a["decision_id"].is_null())
            .all(|a| a["notes"].to_string().contains("delivered when it is back")),
        "a queued check says so"
    );
    // The replicas deliver what they queued once the store is back.
    let shared = site.shared();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (inputs, distinct_uids) = logged(shared.as_ref());
        assert!(distinct_uids, "no decision id repeats");
        assert!(inputs.values().all(|n| *n == 1), "nothing is logged twice");
        let missing = answers.answered.keys().filter(|input| !inputs.contains_key(*input)).count();
        if missing == 0 {
            assert_eq!(inputs.len(), total, "nothing but the answered checks");
            break;
        }
        assert!(Instant::now() < deadline, "{missing} answered checks were never delivered");
        std::thread::sleep(Duration::from_millis(500));
    }
    for replica in &replicas {
        assert_eq!(status(replica, "/readyz"), Some(200), "ready again");
        let local = lore_log::open(&replica.log).expect("local log");
        assert!(local.undelivered(10).expect("undelivered").is_empty(), "the local log is all delivered");
    }
}
