//! Terraform / OpenTofu plans (`terraform show -json`): each resource change
//! becomes an action.

use lore_model::ActionClass;
use serde_json::Value;

use crate::model::{Action, Analysis, InputKind, Reversibility, Target};

/// Analyses a plan from `terraform show -json`: one action per resource change.
pub fn analyze(json: &str) -> Analysis {
    let value: Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(err) => return Analysis::incomplete(InputKind::TerraformPlan, format!("not plan JSON: {err}")),
    };
    let Some(changes) = value.get("resource_changes").and_then(Value::as_array) else {
        let problem = if value.get("format_version").is_some() {
            return Analysis {
                kind: InputKind::TerraformPlan,
                actions: Vec::new(),
                complete: true,
                problems: Vec::new(),
            };
        } else {
            "no `resource_changes`: is this the output of `terraform show -json PLAN`?"
        };
        return Analysis::incomplete(InputKind::TerraformPlan, problem);
    };
    let tool = if value.get("terraform_version").and_then(Value::as_str).is_some_and(|v| v.contains("tofu")) {
        "tofu"
    } else {
        "terraform"
    };
    let mut actions = Vec::new();
    let mut problems = Vec::new();
    for change in changes {
        let address = change.get("address").and_then(Value::as_str).unwrap_or("").to_string();
        let kinds: Vec<&str> = change
            .pointer("/change/actions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let class = match kinds.as_slice() {
            ["no-op"] => continue,
            ["read"] => ActionClass::Read,
            ["create"] => ActionClass::Create,
            ["update"] => ActionClass::Update,
            ["delete"] => ActionClass::Delete,
            ["forget"] => ActionClass::Delete,
            ["delete", "create"] | ["create", "delete"] => ActionClass::Recreate,
            other => {
                problems.push(format!("{address}: unknown change actions {other:?}"));
                ActionClass::Unknown
            }
        };
        let mut action = Action::new(tool, class);
        action.command = vec!["apply".into(), kinds.join("+")];
        let resource_type = change.get("type").and_then(Value::as_str).unwrap_or("").to_string();
        let provider = change.get("provider_name").and_then(Value::as_str).unwrap_or("").to_string();
        action.targets.push(Target::Terraform { address: address.clone() });
        if !resource_type.is_empty() {
            let short_provider = provider.rsplit('/').next().unwrap_or(&provider).to_string();
            action.targets.push(Target::Cloud {
                provider: short_provider,
                service: resource_type,
                resource_type: None,
                id: None,
                region: None,
            });
        }
        if let Some(reason) = change.get("action_reason").and_then(Value::as_str) {
            action.flag(reason);
        }
        if kinds == ["create", "delete"] {
            action.flag("create-before-destroy");
        }
        if kinds == ["forget"] {
            action.flag("state-only");
        }
        if let Some(previous) = change.get("previous_address").and_then(Value::as_str) {
            action.flag(&format!("moved-from={previous}"));
        }
        if change.get("mode").and_then(Value::as_str) == Some("data") {
            action.class = ActionClass::Read;
        }
        action.text = address;
        action.reversibility = Reversibility::estimate(action.class, &action.flags);
        actions.push(action);
    }
    Analysis { kind: InputKind::TerraformPlan, complete: problems.is_empty(), actions, problems }
}
