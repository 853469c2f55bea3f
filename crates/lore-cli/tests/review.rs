//! The review queue as an owner uses it: a proposed rule is shown but not
//! enforced, `lore approve` writes it into the knowledge and it is enforced;
//! `lore reject` keeps the proposal with the reason.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{LoreCommand, lore};
use lore_govern::proposal::{self, Kind, Proposal};
use lore_model::{Day, Decision};
use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = lore_testkit::example_copy(&dir.path().join("acme"), &dir.path().join("decisions.db"));
        Env { dir, root }
    }

    fn run(&self, args: &[&str]) -> Output {
        lore().knowledge(&self.root).args(args).home(self.dir.path()).env("USER", "dana").env("NO_COLOR", "1").run()
    }

    fn json(&self, args: &[&str]) -> Value {
        common::success_json(&self.run(args), args)
    }

    fn check(&self, command: &str) -> (i32, Value) {
        let out = self.run(&["--json", "check", "--", command]);
        (out.status.code().unwrap_or(-1), serde_json::from_slice(&out.stdout).expect("a verdict"))
    }
}

fn propose(root: &Path, kind: Kind, statement: &str) -> String {
    let p = Proposal {
        kind,
        system: "search-service".into(),
        statement: statement.into(),
        why: "A restart re-reads the whole catalog and search is empty for 40 minutes".into(),
        instead: Some("Restart it after 20:00 UTC".into()),
        decision: Some(Decision::Deny),
        commands: vec!["kubectl * rollout restart *search-service*".into()],
        tools: Vec::new(),
        depends_on: Some("catalog-db".into()),
        incident: None,
        proposed_by: "claude-code (team search)".into(),
        proposed_on: Day::today(),
    };
    proposal::write(root, &p).expect("proposed");
    p.id()
}

const RESTART: &str = "kubectl --context prod-eu-1 rollout restart deployment/search-service -n search";

#[test]
fn a_proposed_rule_is_visible_but_not_enforced_until_approved_then_enforced() {
    let env = Env::new();
    let id = propose(&env.root, Kind::Rule, "Never restart search-service during business hours");

    let (code, verdict) = env.check(RESTART);
    assert_ne!(verdict["decision"], "deny", "proposed: never enforced: {verdict}");
    assert_eq!(code, 0);
    let reasons = serde_json::to_string(&verdict["actions"]).expect("json");
    assert!(reasons.contains("business hours"), "but shown: {reasons}");

    let queue = env.json(&["--json", "review"]);
    assert!(
        queue.as_array().is_some_and(|q| q.iter().any(|p| p["id"] == id.as_str() && p["kind"] == "rule")),
        "{queue}"
    );
    let rules = env.json(&["--json", "rules", "--system", "search-service"]);
    let shown = rules.as_array().and_then(|r| r.iter().find(|r| r["id"] == id.as_str())).expect("listed");
    assert_eq!(shown["status"], "proposed");

    let approved = env.json(&["--json", "approve", &id, "--why", "seen in INC-2026-007"]);
    assert_eq!(approved["loaded"], true, "{approved}");
    let written = env.root.join(format!("rules/{}.md", id.to_lowercase()));
    let text = std::fs::read_to_string(&written).expect("the rule file");
    assert!(text.contains("Approved by dana on") && text.contains("seen in INC-2026-007"), "{text}");

    let (code, verdict) = env.check(RESTART);
    assert_eq!(verdict["decision"], "deny", "approved: enforced: {verdict}");
    assert_eq!(code, 7);
    assert!(env.json(&["--json", "review"]).as_array().is_some_and(|q| q.iter().all(|p| p["id"] != id.as_str())));
    let kept = env.root.join(format!("proposals/.history/{id}.md"));
    assert!(std::fs::read_to_string(kept).expect("kept").contains("## Decision"));
}

#[test]
fn a_rejected_proposal_leaves_the_queue_and_keeps_its_reason() {
    let env = Env::new();
    let id = propose(&env.root, Kind::Dependency, "search-service reads catalog-db directly");
    let search = env.json(&["--json", "ask", "search-service reads catalog-db directly"]);
    assert!(serde_json::to_string(&search).expect("json").contains("Proposed dependency"), "shown in search");

    let no_reason = env.run(&["reject", &id]);
    assert_eq!(no_reason.status.code(), Some(2), "a rejection needs --why");
    let out = env.run(&["reject", &id, "--why", "it reads through catalog-service"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(env.json(&["--json", "review"]).as_array().is_some_and(|q| q.is_empty()));
    let kept = std::fs::read_to_string(env.root.join(format!("proposals/.history/{id}.md"))).expect("kept");
    assert!(kept.contains("Rejected by dana") && kept.contains("it reads through catalog-service"), "{kept}");

    let again = env.run(&["reject", &id, "--why", "twice"]);
    assert_eq!(again.status.code(), Some(3), "no longer pending");
}

#[test]
fn history_keeps_every_version_and_answers_as_of_a_date() {
    let env = Env::new();
    let rule = env.root.join("rules/session-cache-no-flush.md");
    env.json(&["--json", "build"]);
    let first = env.json(&["--json", "history", "rule:session-cache-no-flush"]);
    assert_eq!(first.as_array().map(Vec::len), Some(1), "{first}");
    let before_edit = lore_model::Timestamp::now().to_string();
    std::thread::sleep(std::time::Duration::from_millis(1100));

    let text = std::fs::read_to_string(&rule).expect("rule");
    std::fs::write(&rule, text.replacen("decision: deny", "decision: ask", 1)).expect("edit");
    std::fs::remove_file(env.root.join("rules/drain-one-node-at-a-time.md")).expect("retire a rule");
    env.json(&["--json", "build"]);

    let versions = env.json(&["--json", "history", "rule:session-cache-no-flush"]);
    let versions = versions.as_array().expect("versions");
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert!(versions[0]["retired_unix"].is_i64() && versions[1]["retired_unix"].is_null());
    assert_eq!(versions[1]["record"]["decision"], "ask");

    let then = env.json(&["--json", "history", "rule:session-cache-no-flush", "--as-of", &before_edit]);
    assert_eq!(then["version"]["record"]["decision"], "deny", "what lore believed before the edit: {then}");
    let retired = env.json(&["--json", "history", "drain-one-node-at-a-time"]);
    assert!(retired[0]["retired_unix"].is_i64(), "a retired rule keeps its history: {retired}");
    let missing = env.run(&["history", "rule:no-such-rule"]);
    assert_eq!(missing.status.code(), Some(3));
}

#[test]
fn a_rule_outside_its_valid_time_is_not_enforced() {
    let env = Env::new();
    std::fs::write(
        env.root.join("rules/old-migration-freeze.md"),
        "---\nkind: rule\nid: old-migration-freeze\ntitle: No restarts of search-service during the 2020 migration\n\
         decision: deny\nscope: { systems: [search-service] }\nmatch: { classes: [restart] }\n\
         rationale: The migration held locks.\nvalid_from: 2020-01-01\nvalid_until: 2020-03-31\nreviewed: 2020-01-01\n---\n# x\n",
    )
    .expect("write");
    std::fs::write(
        env.root.join("rules/reindex-window.md"),
        "---\nkind: rule\nid: reindex-window\ntitle: Ask before restarting search-service until the reindex ends\n\
         decision: ask\nscope: { systems: [search-service] }\nmatch: { classes: [restart] }\n\
         rationale: The reindex runs for weeks.\nvalid_from: 2020-01-01\nvalid_until: 2999-12-31\nreviewed: 2026-11-01\n---\n# x\n",
    )
    .expect("write");
    let (code, verdict) = env.check(RESTART);
    let text = serde_json::to_string(&verdict).expect("json");
    assert_eq!((code, verdict["decision"].as_str()), (6, Some("ask")), "the rule valid now applies: {verdict}");
    assert!(text.contains("reindex-window") && !text.contains("old-migration-freeze"), "{verdict}");
}
