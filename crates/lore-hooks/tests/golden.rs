//! Golden outputs: what each agent receives for each decision. Regenerate
//! with `UPDATE_GOLDEN=1 cargo test -p lore-hooks --test golden`, then
//! review the diff against each agent's documentation (docs/hooks.md).

use std::path::Path;

use lore_hooks::{Agent, Answer, render};
use lore_model::Decision;

#[test]
fn every_agent_and_decision_matches_its_golden_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for agent in Agent::ALL {
        for decision in [Decision::Allow, Decision::Warn, Decision::Ask, Decision::Deny] {
            let answer = Answer {
                decision,
                reason: "lore: deny: Never run terraform destroy against production [rules/no-terraform-destroy-prod.md:1-29]",
                context: "Owners: platform\nInstead: Run `terraform plan` and post the plan in #platform-changes.",
                approve_hint: "a human can approve it once with `lore approve 42`, then retry",
            };
            let response = render(agent, &answer);
            let actual =
                format!("exit: {}\n--- stdout\n{}--- stderr\n{}", response.exit_code, response.stdout, response.stderr);
            let path = dir.join(format!("{}-{}.txt", agent.name(), decision.as_str()));
            if update {
                std::fs::write(&path, &actual).expect("write golden");
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if expected != actual {
                mismatches.push(format!("{}:\n{actual}", path.display()));
            }
            // Whatever the dialect, stdout is empty or one JSON document.
            if !response.stdout.is_empty() {
                serde_json::from_str::<serde_json::Value>(&response.stdout).expect("stdout is JSON");
            }
        }
    }
    assert!(mismatches.is_empty(), "outputs differ from their golden files:\n{}", mismatches.join("\n"));
}

#[test]
fn no_agent_is_ever_told_allow_where_allow_skips_its_prompt() {
    for decision in [Decision::Allow, Decision::Warn] {
        let answer = Answer { decision, reason: "r", context: "c", approve_hint: "h" };
        for agent in [Agent::Claude, Agent::Codex, Agent::Copilot] {
            let out = render(agent, &answer).stdout;
            assert!(!out.contains("\"permissionDecision\":\"allow\""), "{agent:?}: {out}");
        }
    }
}

#[test]
fn agents_without_ask_get_a_deny_that_says_how_to_approve() {
    let answer = Answer { decision: Decision::Ask, reason: "r", context: "", approve_hint: "run lore approve 7" };
    for agent in [Agent::Codex, Agent::Gemini, Agent::Kiro] {
        let out = render(agent, &answer);
        let text = format!("{}{}", out.stdout, out.stderr);
        assert!(text.contains("deny") || out.exit_code == 2, "{agent:?}: {text}");
        assert!(text.contains("lore approve 7"), "{agent:?}: {text}");
    }
}
