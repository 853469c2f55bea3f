//! `lore check`: allow, warn, ask or deny for a proposed action, logged.

use std::path::Path;

use anyhow::Result;
use lore_model::Decision;
use lore_service::evaluate::{self, Request};

use crate::args::{Global, InputArgs};
use crate::render;
use crate::ui::{Ui, exit};

pub fn run(g: &Global, input: &InputArgs, cwd: Option<&Path>, agent: &str) -> Result<u8> {
    let ui = Ui::of(g);
    let request = Request {
        input: input.input()?,
        cwd: cwd.map(Path::to_path_buf).or_else(|| std::env::current_dir().ok()),
        agent: Some(agent.to_string()),
        team: None,
        session: None,
        source: "cli",
        vars: None,
        example_rules: true,
        stale_check_every: None,
        deferred_log: false,
    };
    let outcome = evaluate::evaluate(g.knowledge.as_deref(), request);
    ui.notes(&outcome.notes);
    let verdict = &outcome.verdict;
    if ui.json() {
        let mut value = serde_json::to_value(verdict)?;
        value["decision_id"] = serde_json::json!(outcome.decision_id);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        anstream::print!("{}", render::verdict(verdict, outcome.decision_id));
    }
    Ok(match verdict.decision {
        Decision::Allow | Decision::Warn => exit::OK,
        Decision::Ask => exit::ASK,
        Decision::Deny => exit::DENY,
    })
}
