//! The `lore` binary as a user runs it: a fresh machine with no
//! configuration (the built-in example), --json, exit codes and colour.

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Output;

use common::{LoreCommand, lore, text};
use serde_json::Value;

/// Runs lore in `cwd` with a private HOME, cache and configuration, as on a
/// fresh machine.
fn lore_in<S: AsRef<OsStr>>(home: &Path, cwd: &Path, args: &[S]) -> Output {
    lore().args(args).current_dir(cwd).home_with_cache(home).config_home(home.join("config")).run()
}

struct Fresh {
    home: tempfile::TempDir,
    cwd: tempfile::TempDir,
}

impl Fresh {
    fn new() -> Fresh {
        Fresh { home: tempfile::tempdir().expect("home"), cwd: tempfile::tempdir().expect("cwd") }
    }

    fn run(&self, args: &[&str]) -> Output {
        lore_in(self.home.path(), self.cwd.path(), args)
    }

    fn json(&self, args: &[&str]) -> Value {
        common::success_json(&self.run(args), args)
    }
}

#[test]
fn a_fresh_machine_uses_the_example_and_says_so() {
    let fresh = Fresh::new();
    let out = fresh.run(&["brief", "payments-db"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("built-in example knowledge"), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("payments-db") && stdout.contains("No ad-hoc writes"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colour codes when stdout is not a terminal");
}

#[test]
fn the_readme_check_denies_on_the_example_and_names_it() {
    let fresh = Fresh::new();
    let out = fresh.run(&["check", "--", "kubectl", "--context", "prod-eu-1", "delete", "ns", "payments"]);
    assert_eq!(out.status.code(), Some(7), "deny exits 7: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("built-in example knowledge"), "{}", text(&out.stderr));
}

#[test]
fn lint_reports_in_three_formats_and_fails_on_the_chosen_severity() {
    let fresh = Fresh::new();
    let out = fresh.run(&["lint"]);
    assert_eq!(out.status.code(), Some(0), "the example has warnings, not errors: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Health "), "{}", text(&out.stdout));
    assert_eq!(fresh.run(&["lint", "--fail-on", "warning"]).status.code(), Some(8));
    assert_eq!(fresh.run(&["lint", "--fail-on", "never"]).status.code(), Some(0));

    let report = fresh.json(&["lint", "--json"]);
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| f["code"] == "stale" && f["line"].as_u64().is_some()));
    assert!(report["health"]["overall"].as_u64().is_some_and(|s| s <= 100));

    let sarif = fresh.json(&["lint", "--sarif"]);
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), findings.len());
    assert!(results.iter().all(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64() >= Some(1)));
}

#[test]
fn a_mined_advisory_warns_until_promoted_to_a_rule() {
    let fresh = Fresh::new();
    let knowledge = fresh.cwd.path();
    std::fs::create_dir_all(knowledge.join("systems")).expect("mkdir");
    std::fs::create_dir_all(knowledge.join("runbooks/redis")).expect("mkdir");
    std::fs::write(knowledge.join("systems/redis.yaml"), "kind: system\nid: redis\nowners: [platform]\n")
        .expect("write");
    std::fs::write(
        knowledge.join("runbooks/redis/operations.md"),
        "# Redis operations\n\n## Safety\n\nNOTE: DO NOT USE MONITOR COMMAND! It can overload a production machine.\n",
    )
    .expect("write");
    let k = knowledge.to_str().expect("utf-8 path");

    let advisories = fresh.json(&["-k", k, "advisories", "--json"]);
    let advisory = &advisories[0];
    assert_eq!(advisory["systems"][0], "redis");
    assert_eq!(advisory["provenance"]["line_start"], 5);
    let id = advisory["id"].as_str().expect("id");

    // Unreviewed, the prohibition asks where the environment is unknown (a
    // human decides, seeing the quote); it never denies.
    let asked = fresh.run(&["-k", k, "check", "--", "redis-cli", "-h", "redis-01", "monitor"]);
    assert_eq!(asked.status.code(), Some(6), "the documented prohibition asks: {}", text(&asked.stdout));
    assert!(text(&asked.stdout).contains("unreviewed advisory"), "{}", text(&asked.stdout));
    assert!(text(&asked.stdout).contains("runbooks/redis/operations.md:5"), "{}", text(&asked.stdout));
    let staging = fresh.run(&["-k", k, "check", "--", "redis-cli", "-h", "redis-01-staging", "monitor"]);
    assert_eq!(staging.status.code(), Some(0), "outside production it warns: {}", text(&staging.stdout));

    let promoted = fresh.json(&["-k", k, "promote", id, "--decision", "ask", "--json"]);
    assert_eq!(promoted["loaded"], true, "{promoted}");
    let rules = fresh.json(&["-k", k, "rules", "--json"]);
    assert!(rules.as_array().expect("rules").iter().any(
        |r| r["decision"] == "ask" && r["rationale"].as_str().is_some_and(|why| why.contains("DO NOT USE MONITOR"))
    ));
    let asked = fresh.run(&["-k", k, "check", "--", "redis-cli", "-h", "redis-01", "monitor"]);
    assert_eq!(asked.status.code(), Some(6), "the promoted rule asks: {}", text(&asked.stdout));
    assert!(!text(&asked.stdout).contains("unreviewed advisory"), "the rule speaks for it now");

    assert_eq!(fresh.run(&["-k", k, "promote", id]).status.code(), Some(1), "never overwrites");
    assert_eq!(fresh.run(&["-k", k, "promote", "ADV-00000000"]).status.code(), Some(3));
}

#[test]
fn the_example_meets_its_promises() {
    let fresh = Fresh::new();
    let systems = fresh.json(&["systems", "--json"]);
    assert!(systems.as_array().map_or(0, Vec::len) >= 25);
    let rules = fresh.json(&["rules", "--json"]);
    let rules = rules.as_array().expect("list");
    assert!(rules.len() >= 10);
    assert!(rules.iter().all(|r| !r["rationale"].as_str().unwrap_or("").is_empty()));
    assert!(
        rules.iter().filter(|r| r["decision"] != "allow").all(|r| r["instead"].is_string()),
        "every rule says what to do instead"
    );
    let incidents = fresh.json(&["incidents", "--json"]);
    let incidents = incidents.as_array().expect("list");
    assert!(incidents.len() >= 6);
    assert!(
        incidents
            .iter()
            .any(|i| i["title"].as_str().is_some_and(|t| t.contains("AI coding agent deleted and recreated")))
    );
    let envs: Vec<String> = systems
        .as_array()
        .expect("list")
        .iter()
        .flat_map(|s| s["environments"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect();
    assert!(envs.contains(&"production".to_string()) && envs.contains(&"staging".to_string()));

    let blast = fresh.json(&["blast", "ledger-db", "--json"]);
    let deepest = blast["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["depth"].as_u64()).max();
    assert!(deepest >= Some(5), "a deep chain: {blast}");

    let brief = fresh.json(&["brief", "ledger-db", "--json"]);
    assert_eq!(brief["system"]["tier"], 1);
    assert!(brief["freshness"].as_array().is_some_and(|f| !f.is_empty()), "stale knowledge is flagged");
    assert!(brief["freezes"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(brief["escalation"][0]["escalation"].as_array().is_some_and(|e| !e.is_empty()));
}

#[test]
fn ask_cites_path_and_lines() {
    let fresh = Fresh::new();
    let hits = fresh.json(&["ask", "how do I fail over the payments database", "--json"]);
    let first = &hits[0];
    assert_eq!(first["path"], "runbooks/payments-db-failover.md");
    assert!(first["cite"].as_str().is_some_and(|c| c.starts_with("runbooks/payments-db-failover.md:")));
    let filtered = fresh.json(&["ask", "never", "--kind", "incident", "--json"]);
    assert!(filtered.as_array().expect("list").iter().all(|h| h["kind"] == "incident"));
}

#[test]
fn ask_answers_questions_it_cannot_search_clearly() {
    let fresh = Fresh::new();
    let out = fresh.run(&["ask", "?!? the of"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("No passages match: the question has no words"), "{}", text(&out.stdout));
    let out = fresh.run(&["ask", "?!? the of", "--json"]);
    assert_eq!(text(&out.stdout).trim(), "[]");
    assert!(text(&out.stderr).contains("no words to search for"), "{}", text(&out.stderr));
    let huge = format!("payments failover {}", "database ".repeat(11_000));
    let out = fresh.run(&["ask", &huge]);
    assert!(text(&out.stdout).contains("payments-db-failover.md"), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("only its start was searched"), "{}", text(&out.stderr));

    // Invalid UTF-8 is read lossily rather than refused.
    use std::os::unix::ffi::OsStrExt;
    let question = OsStr::from_bytes(b"\xff\xfe payments failover");
    let out = lore_in(fresh.home.path(), fresh.cwd.path(), &[OsStr::new("ask"), question, OsStr::new("--json")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let hits: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(hits[0]["path"], "runbooks/payments-db-failover.md");
}

#[test]
fn show_finds_any_record() {
    let fresh = Fresh::new();
    let rule = fresh.json(&["show", "rule:no-terraform-destroy-prod", "--json"]);
    assert_eq!(rule["kind"], "rule");
    assert_eq!(rule["record"]["decision"], "deny");
    assert!(rule["record"]["meta"]["provenance"]["file"].as_str().is_some_and(|f| f.ends_with(".md")));
    let incident = fresh.json(&["show", "INC-2025-031", "--json"]);
    assert_eq!(incident["kind"], "incident");
}

#[test]
fn unknown_names_exit_3_with_suggestions() {
    let fresh = Fresh::new();
    let out = fresh.run(&["brief", "payments-dbb"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("did you mean payments-db"), "{}", text(&out.stderr));
    let out = fresh.run(&["show", "rule:nope", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let body: Value = serde_json::from_slice(&out.stdout).expect("json error body");
    assert!(body["error"].is_string());
}

#[test]
fn usage_errors_exit_2_and_bad_knowledge_exits_1() {
    let fresh = Fresh::new();
    assert_eq!(fresh.run(&["brief"]).status.code(), Some(2));
    assert_eq!(fresh.run(&["frobnicate"]).status.code(), Some(2));
    let out = fresh.run(&["--knowledge", "/nonexistent/dir", "systems"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nonexistent/dir"));
}

#[test]
fn nearest_lore_toml_wins_and_strict_builds_fail_on_errors() {
    let fresh = Fresh::new();
    let root = fresh.cwd.path();
    std::fs::write(root.join("lore.toml"), "[knowledge]\nname = \"Tiny\"\n").expect("write");
    std::fs::create_dir_all(root.join("sub/dir")).expect("mkdir");
    std::fs::write(root.join("svc.yaml"), "kind: system\nname: tiny-api\n").expect("write");
    let out = lore_in(fresh.home.path(), &root.join("sub/dir"), &["systems", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("example"), "found the lore.toml above the cwd");
    let systems: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(systems[0]["id"], "tiny-api");

    std::fs::write(root.join("bad.yaml"), "kind: rule\ndecision: deny\n").expect("write");
    let lenient = fresh.run(&["build"]);
    assert_eq!(lenient.status.code(), Some(0));
    assert!(text(&lenient.stdout).contains("bad.yaml:1"), "{}", text(&lenient.stdout));
    let strict = fresh.run(&["build", "--strict"]);
    assert_eq!(strict.status.code(), Some(4));
}

#[test]
fn stale_packs_rebuild_themselves() {
    let fresh = Fresh::new();
    let root = fresh.cwd.path();
    std::fs::write(root.join("lore.toml"), "").expect("write");
    std::fs::write(root.join("a.yaml"), "kind: system\nname: first\n").expect("write");
    assert_eq!(fresh.json(&["systems", "--json"]).as_array().map(Vec::len), Some(1));
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(root.join("b.yaml"), "kind: system\nname: second\n").expect("write");
    let out = fresh.run(&["systems", "--json"]);
    assert!(text(&out.stderr).contains("rebuilding"), "{}", text(&out.stderr));
    let systems: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(systems.as_array().map(Vec::len), Some(2));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let fresh = Fresh::new();
    let plain = fresh.run(&["rules"]);
    assert!(!text(&plain.stdout).contains('\u{1b}'));
    let forced = fresh.run(&["--color", "always", "rules"]);
    assert!(text(&forced.stdout).contains('\u{1b}'));
    let out = lore()
        .args(["--color", "auto", "rules"])
        .current_dir(fresh.cwd.path())
        .home_with_cache(fresh.home.path())
        .env("NO_COLOR", "1")
        .run();
    assert!(!text(&out.stdout).contains('\u{1b}'));
}

#[test]
fn parse_shows_what_lore_understood() {
    let fresh = Fresh::new();
    let out = fresh.run(&["parse", "--json", "--", "kubectl get pods && kubectl --context prod -n x delete ns prod"]);
    assert!(out.status.success());
    assert!(!text(&out.stderr).contains("example"), "parse needs no knowledge");
    let analysis: Value = serde_json::from_slice(&out.stdout).expect("json");
    let actions = analysis["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[1]["class"], "delete");
    assert_eq!(actions[1]["env"]["kube_context"]["value"], "prod");

    let sql = fresh.json(&["parse", "--json", "--sql", "DELETE FROM refunds"]);
    assert!(sql["actions"][0]["flags"].as_array().is_some_and(|f| f.iter().any(|x| x == "no-where")));

    let dir = tempfile::tempdir().expect("dir");
    let manifest = dir.path().join("m.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {replicas: 0}\n",
    )
    .expect("write");
    let parsed = fresh.json(&["parse", "--json", "--manifest", manifest.to_str().expect("utf8")]);
    assert_eq!(parsed["actions"][0]["class"], "scale");

    let structured = fresh.json(&[
        "parse",
        "--json",
        "--action",
        r#"{"tool":"aws","class":"delete","flags":["skip-final-snapshot"]}"#,
    ]);
    assert_eq!(structured["actions"][0]["reversibility"], "irreversible");

    // Input that cannot be fully analysed exits 5 and says why.
    let out = fresh.run(&["parse", "--", &"$(".repeat(1000)]);
    assert_eq!(out.status.code(), Some(5));
    assert!(text(&out.stdout).contains("incomplete"));
}

#[test]
fn parse_reads_stdin() {
    let fresh = Fresh::new();
    let out = lore()
        .args(["parse", "--json"])
        .home(fresh.home.path())
        .run_with_stdin(b"ssh db-1 <<EOF\nredis-cli FLUSHALL\nEOF\n");
    let analysis: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(analysis["actions"][0]["class"], "bulk-destroy");
    assert_eq!(analysis["actions"][0]["env"]["hosts"][0], "db-1");
}
