//! `lore hook` and `lore check` end to end: real payloads on stdin, the
//! example knowledge, answers in each agent's dialect, the decision log.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{LoreCommand, json, lore};
use serde_json::Value;

fn acme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

struct Env {
    home: tempfile::TempDir,
    packs: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env { home: tempfile::tempdir().expect("home"), packs: tempfile::tempdir().expect("packs") }
    }

    fn log(&self) -> PathBuf {
        self.home.path().join("decisions.db")
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        lore()
            .knowledge(acme())
            .args(args)
            .current_dir(self.home.path())
            .home_with_cache(self.home.path())
            .pack_dir(self.packs.path())
            .log(self.log())
            .without_cloud_context()
            .run_with_stdin(stdin.as_bytes())
    }

    fn hook(&self, agent: &str, payload: &Value) -> Output {
        self.run(&["hook", agent], &payload.to_string())
    }
}

fn claude(command: &str) -> Value {
    serde_json::json!({
        "session_id": "s-1", "transcript_path": "/tmp/t", "cwd": "/tmp", "permission_mode": "default",
        "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": { "command": command, "description": "d" }, "tool_use_id": "t-1"
    })
}

#[test]
fn claude_code_gets_deny_ask_and_context_never_allow() {
    let env = Env::new();
    let out = env.hook("claude-code", &claude("kubectl --context prod-eu-1 delete ns payments"));
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let hso = &v["hookSpecificOutput"];
    assert_eq!(hso["permissionDecision"], "deny");
    let reason = hso["permissionDecisionReason"].as_str().expect("reason");
    assert!(reason.contains("rules/no-delete-prod-namespaces.md"), "{reason}");
    assert!(hso["additionalContext"].as_str().is_some_and(|c| c.contains("Instead:")));

    let out = env.hook("claude-code", &claude("terraform destroy -auto-approve"));
    let v = json(&out);
    assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "ask");
    assert!(
        v["hookSpecificOutput"]["permissionDecisionReason"].as_str().is_some_and(|r| r.contains("INC-2025-031")),
        "{v}"
    );

    let out = env.hook("claude-code", &claude("kubectl --context prod-eu-1 get pods -n payments"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("permissionDecision"), "a read is not decided by lore: {text}");

    // Not a shell tool: pass through, silently.
    let edit =
        serde_json::json!({"hook_event_name": "PreToolUse", "tool_name": "Edit", "tool_input": {"file_path": "/a"}});
    let out = env.hook("claude-code", &edit);
    assert!(out.stdout.is_empty() && out.status.success());
}

#[test]
fn every_dialect_blocks_a_production_namespace_delete() {
    let env = Env::new();
    let command = "kubectl --context prod-eu-1 delete ns payments";
    let codex = serde_json::json!({"cwd": "/tmp", "hook_event_name": "PreToolUse", "model": "m", "permission_mode": "x", "session_id": "s", "tool_input": {"command": command}, "tool_name": "Bash", "tool_use_id": "t", "transcript_path": "/t", "turn_id": "1"});
    let v = json(&env.hook("codex", &codex));
    assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny");
    assert_eq!(v["hookSpecificOutput"].as_object().map(|o| o.len()), Some(3), "Codex rejects unknown fields");

    let gemini = serde_json::json!({"session_id": "s", "cwd": "/tmp", "hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input": {"command": command}});
    assert_eq!(json(&env.hook("gemini", &gemini))["decision"], "deny");

    let cursor = serde_json::json!({"hook_event_name": "beforeShellExecution", "conversation_id": "c", "generation_id": "g", "workspace_roots": ["/tmp"], "command": command, "cwd": "/tmp"});
    assert_eq!(json(&env.hook("cursor", &cursor))["permission"], "deny");

    let copilot = serde_json::json!({"sessionId": "s", "timestamp": 1, "cwd": "/tmp", "toolName": "bash", "toolArgs": serde_json::json!({"command": command}).to_string()});
    assert_eq!(json(&env.hook("copilot", &copilot))["permissionDecision"], "deny");

    let kiro = serde_json::json!({"hook_event_name": "preToolUse", "cwd": "/tmp", "tool_name": "shell", "tool_input": {"command": command}});
    let out = env.hook("kiro", &kiro);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-delete-prod-namespaces"));
}

#[test]
fn ask_becomes_deny_with_an_approval_path_and_approval_works_once() {
    let env = Env::new();
    let codex = |command: &str| serde_json::json!({"hook_event_name": "PreToolUse", "session_id": "s", "cwd": "/tmp", "tool_name": "Bash", "tool_input": {"command": command}});
    let out = env.hook("codex", &codex("terraform destroy -auto-approve"));
    let reason = json(&out)["hookSpecificOutput"]["permissionDecisionReason"].as_str().expect("reason").to_string();
    // A hook's decision waits in <log>.pending, so the hint names it by its uid.
    let id: String =
        reason.split("lore approve ").nth(1).expect("approval hint").chars().take_while(|c| *c != '`').collect();
    assert!(lore_log_uid(&id), "{id}");
    let approved = env.run(&["approve", &id, "--by", "dana"], "");
    assert!(approved.status.success(), "{}", String::from_utf8_lossy(&approved.stderr));
    let out = env.hook("codex", &codex("terraform destroy -auto-approve"));
    assert!(
        out.stdout.is_empty(),
        "approved once: allowed (Codex: no output) {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = env.hook("codex", &codex("terraform destroy -auto-approve"));
    assert!(!out.stdout.is_empty(), "the approval was used up");
}

#[test]
fn decisions_are_logged_and_post_tool_use_marks_what_ran() {
    let env = Env::new();
    env.hook("claude-code", &claude("kubectl --context prod-eu-1 delete ns payments"));
    env.hook("claude-code", &claude("ls -la"));
    let mut post = claude("ls -la");
    post["hook_event_name"] = "PostToolUse".into();
    assert!(env.hook("claude-code", &post).status.success());
    let out = env.run(&["log", "--json"], "");
    let entries = json(&out);
    let entries = entries.as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    let deny = entries.iter().find(|e| e["decision"] == "deny").expect("the deny");
    assert_eq!(deny["agent"], "claude-code");
    assert!(deny["rule_ids"].as_array().is_some_and(|r| r.iter().any(|x| x == "no-delete-prod-namespaces")));
    assert!(deny["pack_version"].is_string());
    let ls = entries.iter().find(|e| e["input"] == "ls -la").expect("ls");
    assert_eq!(ls["executed"], true);
    let filtered =
        json(&env.run(&["log", "--json", "--decision", "deny", "--system", "payments-api", "--since", "1h"], ""));
    assert_eq!(filtered.as_array().map(Vec::len), Some(1));
}

#[test]
fn bad_payloads_fail_open_loudly_and_never_hang() {
    let env = Env::new();
    let out = env.run(&["hook", "claude-code"], "{not json");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("failing open"));
    let out = env.run(&["hook", "claude-code"], "");
    assert_eq!(out.status.code(), Some(0));
    let huge = claude(&format!("echo {}; rm -rf /", "x".repeat(2_000_000)));
    let out = env.hook("claude-code", &huge);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["hookSpecificOutput"]["permissionDecision"], "deny", "padding is no way around the gate");
    let bomb = claude(&"$(".repeat(20_000));
    let out = env.hook("claude-code", &bomb);
    assert!(out.status.success());
}

#[test]
fn check_exit_codes_and_json() {
    let env = Env::new();
    assert_eq!(env.run(&["check", "--", "ls"], "").status.code(), Some(0));
    assert_eq!(env.run(&["check", "--", "terraform", "destroy"], "").status.code(), Some(6));
    let out = env.run(&["check", "--json", "--", "kubectl --context prod-eu-1 delete ns payments"], "");
    assert_eq!(out.status.code(), Some(7));
    let v = json(&out);
    assert_eq!(v["decision"], "deny");
    assert!(v["decision_id"].is_i64());
    assert!(v["escalation"].as_array().is_some_and(|e| !e.is_empty()));
    let sql = env.run(&["check", "--sql", "DROP DATABASE payments"], "");
    assert_eq!(sql.status.code(), Some(6));
}

#[test]
fn install_writes_an_absolute_path_idempotently_and_doctor_sees_it() {
    let env = Env::new();
    let project = tempfile::tempdir().expect("project");
    let run = |args: &[&str]| {
        lore()
            .knowledge(acme())
            .args(args)
            .current_dir(project.path())
            .home(env.home.path())
            .pack_dir(env.packs.path())
            .log(env.log())
            .run()
    };
    assert!(run(&["install", "claude-code"]).status.success());
    assert!(run(&["install", "claude-code"]).status.success());
    let settings: Value =
        serde_json::from_str(&std::fs::read_to_string(project.path().join(".claude/settings.json")).expect("written"))
            .expect("json");
    let pre = settings["hooks"]["PreToolUse"].as_array().expect("PreToolUse");
    assert_eq!(pre.len(), 1, "idempotent");
    let command = pre[0]["hooks"][0]["command"].as_str().expect("command");
    assert!(command.starts_with('/') && command.ends_with("hook claude-code"), "{command}");
    assert!(run(&["install", "cursor", "--user"]).status.success());
    assert!(env.home.path().join(".cursor/hooks.json").is_file());
    let doctor = run(&["doctor", "--json"]);
    let checks = json(&doctor);
    assert!(
        checks.as_array().expect("checks").iter().any(|c| c["check"] == "claude-code hook" && c["ok"] == true),
        "{checks}"
    );
    assert!(doctor.status.success(), "{}", String::from_utf8_lossy(&doctor.stdout));
}

fn lore_log_uid(text: &str) -> bool {
    text.len() == 36 && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}
