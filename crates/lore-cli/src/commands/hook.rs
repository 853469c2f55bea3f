//! `lore hook AGENT`: answer an agent's hook in its own dialect.

use std::path::PathBuf;

use anyhow::Result;
use lore_hooks::{Agent, Answer, Event};
use lore_model::Decision;
use lore_service::evaluate::{self, Input, Request};
use lore_service::ops;

use crate::args::Global;
use crate::hook_io;
use crate::ui::exit;

pub fn run(g: &Global, agent_name: &str, event: Option<&str>) -> Result<u8> {
    let agent = ops::agents::agent(agent_name)?;
    hook_io::start_deadline(agent);
    let Some(payload) = hook_io::read_payload()? else {
        // No real command is that large: padding must not be a way around the gate.
        let reason = "lore: the hook payload is larger than 1 MiB, so lore cannot check it; failing closed";
        return Ok(respond(agent, &Answer { decision: Decision::Deny, reason, context: "", approve_hint: "" }));
    };
    let parsed = match lore_hooks::parse(agent, &payload) {
        Ok(parsed) => parsed,
        Err(err) => {
            // Nothing to judge: say so, and let the agent's own checks apply.
            eprintln!("lore: {err}; failing open (the agent's own permission checks still apply)");
            return Ok(exit::OK);
        }
    };
    let Some(command) = parsed.command.clone() else { return Ok(exit::OK) };
    if parsed.event == Event::After || event == Some("post") {
        if let Ok(log) = lore_log::open(&evaluate::log_path_for(g.knowledge.as_deref())) {
            let _ = log.mark_executed(parsed.session.as_deref(), &command);
        }
        return Ok(exit::OK);
    }
    let request = Request {
        input: Input::Shell(command),
        cwd: parsed.cwd.as_ref().map(PathBuf::from),
        agent: Some(agent.name().to_string()),
        team: None,
        session: parsed.session.clone(),
        source: "hook",
        vars: None,
        example_rules: false,
        stale_check_every: Some(std::time::Duration::from_secs(5)),
        deferred_log: true,
    };
    let knowledge = g.knowledge.as_deref();
    let Ok(outcome) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| evaluate::evaluate(knowledge, request)))
    else {
        // A bug must not let the command through: most agents run it when a hook crashes.
        let reason = "lore: an internal error stopped the check of this command (see stderr); asking instead";
        return Ok(respond(agent, &Answer { decision: Decision::Ask, reason, context: "", approve_hint: "" }));
    };
    let reason = evaluate::reason_text(&outcome.verdict);
    let mut context = evaluate::briefing_text(&outcome.verdict);
    for note in &outcome.notes {
        context.push_str(&format!("\n(lore: {note})"));
    }
    let hint = evaluate::approve_hint(outcome.decision_ref());
    let answer = Answer { decision: outcome.verdict.decision, reason: &reason, context: &context, approve_hint: &hint };
    Ok(respond(agent, &answer))
}

/// Writes the answer in the agent's dialect; returns the exit code it expects.
fn respond(agent: Agent, answer: &Answer<'_>) -> u8 {
    let response = lore_hooks::render(agent, answer);
    print!("{}", response.stdout);
    eprint!("{}", response.stderr);
    response.exit_code as u8
}
