//! The built-in baseline: what lore stops even with no knowledge written.

use lore_action::{Action, Target};
use lore_model::{ActionClass, Decision};

/// Paths whose recursive removal wrecks a machine.
const SYSTEM_PATHS: [&str; 22] = [
    "/", "/*", "~", "~/", "~/*", "$HOME", "${HOME}", "/etc", "/usr", "/var", "/bin", "/sbin", "/lib", "/lib64",
    "/boot", "/root", "/home", "/opt", "/srv", "/sys", "/proc", "/dev",
];

const PROTECTED_REFS: [&str; 4] = ["main", "master", "production", "prod"];

pub fn touches_protected_ref(action: &Action) -> bool {
    action.targets.iter().any(|t| match t {
        Target::Git { git_ref: Some(r), .. } => PROTECTED_REFS.contains(&r.as_str()) || r.starts_with("release"),
        Target::Git { git_ref: None, .. } => true,
        _ => false,
    })
}

/// `(decision, message, overridable by an explicit allow)`.
pub fn check(action: &Action, production: bool) -> Vec<(Decision, String, bool)> {
    let mut out = Vec::new();
    let in_prod = |base: Decision| if production { Decision::Deny } else { base };
    let tool = action.tool.as_str();
    let paths = || {
        action.targets.iter().filter_map(|t| match t {
            Target::Path { path } => Some(path.as_str()),
            _ => None,
        })
    };
    if tool == "rm" && action.has_flag("recursive") {
        for path in paths() {
            let trimmed = if path.len() > 1 { path.trim_end_matches('/') } else { path };
            if SYSTEM_PATHS.contains(&trimmed) || SYSTEM_PATHS.contains(&path) || action.has_flag("no-preserve-root") {
                out.push((
                    Decision::Deny,
                    format!("recursive removal of `{path}` destroys the machine's files"),
                    false,
                ));
            }
        }
    }
    if action.has_flag("device") && matches!(action.class, ActionClass::BulkDestroy) {
        let device = paths().next().unwrap_or("a device");
        out.push((
            Decision::Deny,
            format!("writing a filesystem or raw data onto {device} erases everything on it"),
            false,
        ));
    }
    let drops_database =
        action.command.first().is_some_and(|c| c == "DROP DATABASE" || c == "DROP SCHEMA") || tool == "dropdb";
    if drops_database {
        out.push((
            in_prod(Decision::Ask),
            "dropping a database deletes all its data; restores take hours".into(),
            true,
        ));
    }
    if action.family() == "terraform" && action.class == ActionClass::BulkDestroy {
        out.push((
            in_prod(Decision::Ask),
            "terraform destroy deletes every resource in the workspace; recreating them is not a restore".into(),
            true,
        ));
    }
    let kube = matches!(tool, "kubectl" | "oc");
    if kube && matches!(action.class, ActionClass::Delete | ActionClass::BulkDestroy) {
        let namespace = action
            .targets
            .iter()
            .any(|t| matches!(t, Target::Kubernetes { kind, .. } if kind == "namespace" || kind == "project"));
        if namespace {
            out.push((
                in_prod(Decision::Ask),
                "deleting a namespace deletes everything in it, secrets included".into(),
                true,
            ));
        }
        if action.has_flag("all") || action.has_flag("all-namespaces") {
            out.push((
                in_prod(Decision::Ask),
                "deleting with --all or across all namespaces removes more than one thing".into(),
                true,
            ));
        }
    }
    if action.class == ActionClass::HistoryRewrite && !action.has_flag("local") && touches_protected_ref(action) {
        out.push((
            Decision::Deny,
            "rewriting the history of a shared main branch drops other people's commits".into(),
            true,
        ));
    }
    if tool == "git" && action.has_flag("mirror") {
        out.push((Decision::Ask, "git push --mirror overwrites and deletes every ref on the remote".into(), true));
    }
    if matches!(tool, "redis-cli" | "valkey-cli") && action.class == ActionClass::BulkDestroy {
        out.push((
            in_prod(Decision::Ask),
            "FLUSHALL/FLUSHDB deletes every key; caches and sessions are gone at once".into(),
            true,
        ));
    }
    if tool == "aws" && action.command.get(1).is_some_and(|c| c == "rb") && action.has_flag("force") {
        out.push((
            in_prod(Decision::Ask),
            "aws s3 rb --force deletes every object in the bucket, then the bucket".into(),
            true,
        ));
    }
    if out.is_empty() && action.class == ActionClass::BulkDestroy {
        out.push((in_prod(Decision::Ask), format!("{} destroys many things at once", action.label()), true));
    }
    out
}
