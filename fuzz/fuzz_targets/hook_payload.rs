//! Each agent's hook payload: parsed, its command checked, and the answer
//! rendered in that agent's dialect, which must be JSON the agent can read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore_fuzz::{CountingAllocator, bounded, gate, text};
use lore_hooks::{Agent, Answer};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fuzz_target!(|data: &[u8]| {
    let Some(payload) = text(data) else { return };
    lore_fuzz::example_pack();
    // One hook call answers one agent: each is bounded on its own.
    for agent in Agent::ALL {
        bounded("hook_payload", || {
            let Ok(parsed) = lore_hooks::parse(agent, payload) else { return };
            let Some(command) = parsed.command else { return };
            let verdict = gate(&lore_action::analyze_shell(&command));
            let answer = Answer {
                decision: verdict.decision,
                reason: &verdict.summary,
                context: &command,
                approve_hint: "lore approve",
            };
            let response = lore_hooks::render(agent, &answer);
            if !response.stdout.is_empty() {
                let parsed: Result<serde_json::Value, _> = serde_json::from_str(&response.stdout);
                assert!(parsed.is_ok(), "{agent:?}'s answer is JSON: {}", response.stdout);
            }
        });
    }
});
