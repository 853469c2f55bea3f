//! Hooks with a shared store configured: they decide and log locally, never
//! waiting on the store, and `lore log ship` delivers each decision once.

mod common;

use std::path::{Path, PathBuf};

use common::{LoreCommand, lore, success_json};

fn acme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

fn payload(i: usize) -> String {
    serde_json::json!({
        "session_id": format!("s-{i}"), "transcript_path": "/tmp/t", "cwd": "/tmp",
        "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": { "command": format!("kubectl get pods -n team-{i}") }
    })
    .to_string()
}

#[test]
fn fifty_concurrent_hooks_then_ship_deliver_every_decision_once() {
    let Some(admin) = lore_testkit::postgres_server() else { return };
    let url = lore_testkit::fresh_database(&admin);
    let home = tempfile::tempdir().expect("home");
    let packs = tempfile::tempdir().expect("packs");
    let log = home.path().join("decisions.db");
    let command = || {
        let mut command = lore();
        command
            .knowledge(acme())
            .home_with_cache(home.path())
            .pack_dir(packs.path())
            .log(&log)
            .without_cloud_context()
            .env("LORE_STORE_URL", &url);
        command
    };
    // Build the pack once, so the hooks race on the log rather than the build.
    assert!(command().args(["build", "-q"]).run().status.success());
    let hooks: Vec<_> = (0..50)
        .map(|i| {
            let mut hook = command();
            hook.args(["hook", "claude-code"]);
            std::thread::spawn(move || hook.run_with_stdin(payload(i).as_bytes()))
        })
        .collect();
    for hook in hooks {
        let out = hook.join().expect("hook");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let shared = lore_log::open_shared(&url, "test").expect("the store");
    assert_eq!(shared.count().expect("count"), 0, "a hook never writes to the shared store itself");

    let shipped = success_json(&command().args(["--json", "log", "ship"]).run(), "ship");
    assert_eq!((shipped["delivered"].as_u64(), shipped["already_there"].as_u64()), (Some(50), Some(0)), "{shipped}");
    let again = success_json(&command().args(["--json", "log", "ship"]).run(), "ship again");
    assert_eq!(again["delivered"].as_u64(), Some(0), "{again}");
    assert_eq!(shared.count().expect("count"), 50, "every decision exactly once");
    let inputs: std::collections::HashSet<String> = shared
        .query(&lore_log::Filter { limit: 100, ..Default::default() })
        .expect("query")
        .into_iter()
        .map(|e| e.input)
        .collect();
    assert_eq!(inputs.len(), 50);
}

#[test]
fn ship_without_a_store_says_how_to_set_one() {
    let home = tempfile::tempdir().expect("home");
    let out = lore()
        .knowledge(acme())
        .home_with_cache(home.path())
        .log(home.path().join("decisions.db"))
        .env_remove("LORE_STORE_URL")
        .args(["log", "ship"])
        .run();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("LORE_STORE_URL"));
}

#[test]
fn a_bad_store_url_is_named_without_its_password() {
    let home = tempfile::tempdir().expect("home");
    let out = lore()
        .knowledge(acme())
        .home_with_cache(home.path())
        .log(home.path().join("decisions.db"))
        .env("LORE_STORE_URL", "postgres://lore:hunter2@127.0.0.1:1/lore?connect_timeout=2")
        .args(["log", "ship"])
        .run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("LORE_STORE_URL") && stderr.contains("cannot connect"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

fn asking(command: &str) -> String {
    serde_json::json!({
        "session_id": "s-approve", "transcript_path": "/tmp/t", "cwd": "/tmp",
        "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": { "command": command }
    })
    .to_string()
}

/// The permission decision of a Claude Code hook's answer.
fn permission(out: &std::process::Output) -> String {
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    answer["hookSpecificOutput"]["permissionDecision"].as_str().unwrap_or("allow").to_string()
}

#[test]
fn an_approval_made_on_one_machine_is_honoured_by_a_hook_on_another_through_the_store() {
    let Some(admin) = lore_testkit::postgres_server() else { return };
    let url = lore_testkit::fresh_database(&admin);
    let dir = tempfile::tempdir().expect("dir");
    let machine = |name: &str, url: &str| {
        let mut command = lore();
        command
            .knowledge(acme())
            .home_with_cache(dir.path().join(name))
            .pack_dir(dir.path().join("packs"))
            .log(dir.path().join(format!("{name}.db")))
            .without_cloud_context()
            .env("LORE_STORE_URL", url);
        command
    };
    let command = "kubectl --context prod-eu-1 delete namespace payments";
    let asked = machine("laptop-a", &url).args(["hook", "claude-code"]).run_with_stdin(asking(command).as_bytes());
    assert_ne!(permission(&asked), "allow", "{}", String::from_utf8_lossy(&asked.stdout));
    let local = lore_log::open(&dir.path().join("laptop-a.db")).expect("laptop a's log");
    let id = local.query(&lore_log::Filter::default()).expect("query")[0].id;

    let approved = success_json(
        &machine("laptop-a", &url).args(["--json", "approve", &id.to_string(), "--why", "CHG-88"]).run(),
        "approve",
    );
    assert!(approved["note"].is_null(), "approved in the shared store: {approved}");
    assert_eq!(approved["why"], "CHG-88");

    let hook = |name: &str, url: &str| {
        let started = std::time::Instant::now();
        let out = machine(name, url).args(["hook", "claude-code"]).run_with_stdin(asking(command).as_bytes());
        (out, started.elapsed())
    };
    let (other, _) = hook("laptop-b", &url);
    assert_eq!(permission(&other), "allow", "{}", String::from_utf8_lossy(&other.stdout));
    let (again, _) = hook("laptop-b", &url);
    assert_ne!(permission(&again), "allow", "a once-only approval is used once, whichever machine uses it");

    // A standing approval holds on every machine until it is revoked.
    let standing = machine("laptop-a", &url).args(["approve", &id.to_string(), "--standing"]).run();
    assert!(standing.status.success(), "{}", String::from_utf8_lossy(&standing.stderr));
    for _ in 0..2 {
        assert_eq!(permission(&hook("laptop-b", &url).0), "allow", "standing");
    }
    let revoked = success_json(&machine("laptop-a", &url).args(["--json", "revoke", &id.to_string()]).run(), "revoke");
    assert_eq!(revoked["revoked"], 1, "{revoked}");
    assert_ne!(permission(&hook("laptop-b", &url).0), "allow", "revoked everywhere");

    // A store that does not answer: the hook keeps its verdict, says so, and does not wait long.
    let unreachable = "postgres://lore:hunter2@10.255.255.1:5432/lore";
    let (cut_off, took) = hook("laptop-c", unreachable);
    let stdout = String::from_utf8_lossy(&cut_off.stdout);
    assert_ne!(permission(&cut_off), "allow", "{stdout}");
    assert!(stdout.contains("looked up on this machine only") && !stdout.contains("hunter2"), "{stdout}");
    assert!(took < std::time::Duration::from_secs(2), "the lookup is bounded: {took:?}");
}
