//! The built-in baseline: what lore stops even with no knowledge written.
//! Each finding says what would be lost and what to do instead.

mod data;
mod files;
mod git;

use std::path::Path;

use lore_action::{Action, Target};
use lore_model::{ActionClass, Decision};

use crate::context::Context;
use crate::workspace::Workspace;

pub use git::is_protected;

/// A branch named by a push (or, with none named, the branch pushed) is a shared main one.
pub fn touches_protected_ref(action: &Action) -> bool {
    action.targets.iter().any(|t| match t {
        Target::Git { git_ref: Some(r), .. } => is_protected(r),
        Target::Git { git_ref: None, .. } => true,
        _ => false,
    })
}

/// One thing the baseline says about an action.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub decision: Decision,
    /// What would be lost, or why nothing is.
    pub message: String,
    /// What to do instead; empty when nothing is lost.
    pub instead: String,
    /// Whether a human's approval, or a reviewed allow rule, can lift it.
    pub approvable: bool,
}

impl Finding {
    fn new(decision: Decision, message: String, instead: &str) -> Finding {
        Finding { decision, message, instead: instead.to_string(), approvable: true }
    }
}

/// Where an action runs, as far as the baseline needs to know.
pub struct Surroundings<'a> {
    pub production: bool,
    /// An environment the knowledge names, and not production.
    pub known_elsewhere: bool,
    pub cwd: Option<&'a str>,
    pub home: Option<&'a str>,
    pub tmpdir: Option<&'a str>,
    pub workspace: Option<&'a Workspace>,
}

impl<'a> Surroundings<'a> {
    pub fn of(ctx: &'a Context, production: bool, known_elsewhere: bool) -> Surroundings<'a> {
        Surroundings {
            production,
            known_elsewhere,
            cwd: ctx.cwd.as_deref().and_then(Path::to_str),
            home: ctx.home(),
            tmpdir: ctx.tmpdir(),
            workspace: ctx.workspace.as_ref(),
        }
    }
}

pub fn check(action: &Action, around: &Surroundings) -> Vec<Finding> {
    // A rehearsal or a help page changes nothing.
    if action.has_flag("dry-run") || action.has_flag("help") {
        return Vec::new();
    }
    let mut out = files::check(action, around);
    out.extend(files::writes(action, around));
    out.extend(git::check(action, around));
    out.extend(data::check(action, around));
    out.extend(infrastructure(action, around.production));
    if out.is_empty() && action.class == ActionClass::BulkDestroy {
        out.push(Finding::new(
            if around.production { Decision::Deny } else { Decision::Ask },
            format!("{} destroys many things at once, with no undo", action.label()),
            "take a backup or snapshot first, and rehearse it with `--dry-run` where the tool has one",
        ));
    }
    out
}

/// Clusters, clouds, devices and code from the network.
fn infrastructure(action: &Action, production: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let in_prod = |base: Decision| if production { Decision::Deny } else { base };
    let tool = action.tool.as_str();
    if action.has_flag("device") && matches!(action.class, ActionClass::BulkDestroy) {
        let device = action
            .targets
            .iter()
            .find_map(|t| match t {
                Target::Path { path } => Some(path.as_str()),
                _ => None,
            })
            .unwrap_or("a device");
        out.push(Finding {
            approvable: false,
            ..Finding::new(
                Decision::Deny,
                format!("writing a filesystem or raw data onto {device} erases everything on it"),
                "check the device with `lsblk` and write to an image file instead",
            )
        });
    }
    if action.family() == "terraform" && action.class == ActionClass::BulkDestroy {
        out.push(Finding::new(
            in_prod(Decision::Ask),
            "terraform destroy deletes every resource in the workspace; recreating them is not a restore".into(),
            "`terraform plan -destroy` to see the list; remove single resources with `-target`, or `terraform state rm` to let go of them",
        ));
    }
    if action.family() == "kubectl" && matches!(action.class, ActionClass::Delete | ActionClass::BulkDestroy) {
        let namespace = action
            .targets
            .iter()
            .any(|t| matches!(t, Target::Kubernetes { kind, .. } if kind == "namespace" || kind == "project"));
        if namespace {
            out.push(Finding::new(
                in_prod(Decision::Ask),
                "deleting a namespace deletes everything in it, secrets and volumes included".into(),
                "delete the workloads you mean by name; `kubectl get all,pvc,secret -n NS` shows what would go",
            ));
        }
        if action.has_flag("all") || action.has_flag("all-namespaces") {
            out.push(Finding::new(
                in_prod(Decision::Ask),
                "deleting with --all or across all namespaces removes more than one thing".into(),
                "name what you delete, or use a label selector checked with `kubectl get -l …` first",
            ));
        }
    }
    if tool == "git" && action.has_flag("mirror") {
        out.push(Finding::new(
            Decision::Deny,
            "git push --mirror overwrites and deletes every ref on the remote, its main branch included".into(),
            "push the branches you mean by name",
        ));
    }
    if tool == "aws" && action.command.get(1).is_some_and(|c| c == "rb") && action.has_flag("force") {
        out.push(Finding::new(
            in_prod(Decision::Ask),
            "aws s3 rb --force deletes every object in the bucket, then the bucket".into(),
            "copy it away first (`aws s3 sync s3://BUCKET ./backup`), or empty it with a lifecycle rule you can review",
        ));
    }
    if action.has_flag("from-network") {
        out.push(Finding::new(
            Decision::Ask,
            "this runs code straight from the network, unread; whatever the server sends runs with your rights".into(),
            "download it (`curl -fsSLo install.sh URL`), read it, then run the file",
        ));
    }
    if action.has_flag("look-alike") {
        let what = action.unknowns.first().map_or("a word of it is disguised", String::as_str);
        out.push(Finding::new(
            in_prod(Decision::Ask),
            format!("{what}: look-alike or invisible characters hide what a command is from whoever reviews it"),
            "write the command in plain ASCII",
        ));
    }
    if action.has_flag("hidden-program") {
        let what = action.unknowns.first().map_or("its program", String::as_str);
        out.push(Finding::new(
            in_prod(Decision::Ask),
            format!("lore cannot see what this runs ({what}); a command that hides its program from review is how a destructive one gets past it"),
            "write the command out in full, so that it can be checked",
        ));
    }
    let durable = lore_action::is_platform(tool)
        && matches!(action.class, ActionClass::Delete | ActionClass::DataDelete)
        && action.reversibility == lore_action::Reversibility::Irreversible;
    if durable {
        out.push(Finding::new(
            in_prod(Decision::Ask),
            format!("{} deletes it for good: the platform keeps no copy", action.label()),
            "take a backup or snapshot first, or check the name with the tool's list command",
        ));
    }
    out
}
