//! terraform, OpenTofu and terragrunt.

use lore_model::ActionClass;

use super::{Opts, note_flags};
use crate::model::{Action, Hint, Target};
use crate::shell::Invocation;

const TERRAFORM_VALUE_FLAGS: [&str; 9] =
    ["-var", "-var-file", "-target", "-replace", "-chdir", "-out", "-state", "-lock-timeout", "-parallelism"];

pub fn terraform(inv: &mut Invocation<'_>) -> Vec<Action> {
    // Terraform's flags are single-dash and take values with `=`; `-chdir` is global.
    let opts = Opts::new(inv.args, &TERRAFORM_VALUE_FLAGS);
    let positionals = opts.positionals();
    let words: Vec<&str> = positionals.iter().map(|a| a.text.as_str()).collect();
    let verb = words.first().copied().unwrap_or("");
    let sub = words.get(1).copied();
    let has = |name: &str| opts.has(&[name, &format!("-{name}")]);
    let mut action = Action::new(inv.tool, ActionClass::Unknown);
    if !verb.is_empty() {
        action.command.push(verb.to_string());
    }
    action.class = match verb {
        "plan" => ActionClass::Read,
        "apply" if has("-destroy") => ActionClass::BulkDestroy,
        "apply" if opts.has(&["-replace", "--replace"]) => ActionClass::Recreate,
        "apply" => ActionClass::Update,
        "destroy" => ActionClass::BulkDestroy,
        "taint" => ActionClass::Recreate,
        "untaint" => ActionClass::Update,
        "import" => ActionClass::Create,
        "refresh" => ActionClass::Update,
        "force-unlock" => ActionClass::Update,
        "state" => {
            if let Some(sub) = sub {
                action.command.push(sub.to_string());
            }
            match sub {
                Some("rm") => ActionClass::Delete,
                Some("mv" | "replace-provider" | "push") => ActionClass::Update,
                Some("list" | "show" | "pull") => ActionClass::Read,
                _ => ActionClass::Unknown,
            }
        }
        "workspace" | "env" => {
            if let Some(sub) = sub {
                action.command.push(sub.to_string());
            }
            match sub {
                Some("select") => {
                    if let Some(name) = words.get(2) {
                        action.env.terraform_workspace = Some(Hint::explicit(name));
                    }
                    ActionClass::Update
                }
                Some("new") => ActionClass::Create,
                Some("delete") => ActionClass::Delete,
                _ => ActionClass::Read,
            }
        }
        "init" | "validate" | "fmt" | "output" | "show" | "graph" | "providers" | "version" | "console" | "get"
        | "login" | "logout" | "test" | "metadata" => ActionClass::Read,
        "run-all" => ActionClass::Unknown,
        _ => ActionClass::Unknown,
    };
    // `-target=ADDR` scopes a destroy to those resources.
    let targets = opts.values(&["-target", "--target"]);
    if action.class == ActionClass::BulkDestroy && !targets.is_empty() {
        action.class = ActionClass::Delete;
        action.flag("targeted");
    }
    for target in targets.iter().chain(opts.values(&["-replace", "--replace"]).iter()) {
        action.targets.push(Target::Terraform { address: target.text.clone() });
    }
    if verb == "state" && matches!(sub, Some("rm" | "mv")) {
        for address in &words[2..] {
            action.targets.push(Target::Terraform { address: address.to_string() });
        }
    }
    if matches!(verb, "taint" | "untaint") {
        for address in &words[1..] {
            action.targets.push(Target::Terraform { address: address.to_string() });
        }
    }
    if verb == "import"
        && let Some(address) = words.get(1)
    {
        action.targets.push(Target::Terraform { address: address.to_string() });
    }
    note_flags(
        &mut action,
        &opts,
        &[
            (&["-auto-approve", "--auto-approve"], "auto-approve"),
            (&["-destroy", "--destroy"], "destroy"),
            (&["-refresh-only"], "refresh-only"),
        ],
    );
    if verb == "plan" && action.has_flag("destroy") {
        action.flag("dry-run");
    }
    for file in opts.values(&["-var-file", "--var-file"]) {
        action.env.terraform_var_files.push(file.text.clone());
    }
    if let Some(dir) = opts.value(&["-chdir", "--chdir"]) {
        action.targets.push(Target::path(&dir.text));
    }
    if action.env.terraform_workspace.is_none() {
        action.env.terraform_workspace = Some(Hint::implicit());
    }
    if verb == "destroy" || action.has_flag("destroy") {
        action.flag("destroy");
    }
    vec![action]
}
