//! Structured actions: for agents that describe what they intend to do
//! instead of writing a command. The schema is in docs/actions.md.

use lore_model::ActionClass;
use serde::Deserialize;

use crate::model::{Action, Analysis, EnvHints, InputKind, Reversibility, Target};

/// One intended action, as JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructuredAction {
    /// The program, as in [`Action::tool`].
    pub tool: String,
    /// The subcommand path, as in [`Action::command`].
    #[serde(default)]
    pub command: Vec<String>,
    /// What kind of change it is.
    pub class: ActionClass,
    /// What it is done to.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Where it would run.
    #[serde(default)]
    pub env: EnvHints,
    /// Normalised flags, as in [`Action::flags`].
    #[serde(default)]
    pub flags: Vec<String>,
    /// What the agent means to do, in its words; shown as the action's text
    /// (the label otherwise).
    #[serde(default)]
    pub description: Option<String>,
}

/// A JSON object, or an array of them.
pub fn analyze(json: &str) -> Analysis {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Box<StructuredAction>),
        Many(Vec<StructuredAction>),
    }
    let parsed: OneOrMany = match serde_json::from_str(json) {
        Ok(parsed) => parsed,
        Err(err) => return Analysis::incomplete(InputKind::Structured, format!("not a structured action: {err}")),
    };
    let list = match parsed {
        OneOrMany::One(one) => vec![*one],
        OneOrMany::Many(many) => many,
    };
    let actions = list
        .into_iter()
        .map(|s| {
            let mut action = Action::new(s.tool, s.class);
            action.command = s.command;
            action.targets = s.targets;
            action.env = s.env;
            action.flags = s.flags;
            action.text = s.description.unwrap_or_else(|| action.label());
            action.reversibility = Reversibility::estimate(action.class, &action.flags);
            action
        })
        .collect();
    Analysis { kind: InputKind::Structured, actions, complete: true, problems: Vec::new() }
}
