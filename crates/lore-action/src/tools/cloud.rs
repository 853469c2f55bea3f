//! aws, gcloud and az: the service, the operation and the resource, with the
//! operation's verb deciding the class.

use lore_model::ActionClass;

use super::Opts;
use crate::model::{Action, Hint, Target};
use crate::shell::Invocation;

const AWS_GLOBAL_VALUE_FLAGS: [&str; 9] = [
    "--profile",
    "--region",
    "--output",
    "--endpoint-url",
    "--query",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--color",
    "--ca-bundle",
];

/// Classifies a cloud API operation by its verb.
fn class_of_operation(operation: &str) -> ActionClass {
    let op = operation.to_ascii_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| op.starts_with(p));
    if starts(&["get-secret-value", "get-parameter", "get-parameters", "decrypt", "access"]) && !op.contains("policy") {
        return ActionClass::SecretRead;
    }
    if starts(&[
        "describe", "list", "get", "show", "head", "lookup", "search", "scan", "query", "estimate", "validate", "wait",
        "ls",
    ]) {
        return ActionClass::Read;
    }
    if op.contains("iam")
        || op.contains("policy")
        || starts(&[
            "attach-role",
            "detach-role",
            "attach-user",
            "detach-user",
            "attach-group",
            "add-user",
            "remove-user",
            "add-role",
            "remove-role",
            "create-access-key",
            "update-assume-role",
            "tag-role",
        ])
    {
        return ActionClass::PermissionChange;
    }
    if op.contains("security-group")
        || op.contains("firewall")
        || op.contains("route")
        || op.contains("record-set")
        || op.contains("network-acl")
        || op.starts_with("authorize")
        || op.starts_with("revoke")
    {
        return ActionClass::NetworkChange;
    }
    if starts(&[
        "delete",
        "remove",
        "terminate",
        "deregister",
        "purge",
        "rb",
        "rm",
        "destroy",
        "drop",
        "release",
        "cancel",
        "disable-key",
        "schedule-key-deletion",
    ]) {
        return ActionClass::Delete;
    }
    if starts(&["failover", "switchover", "promote"]) {
        return ActionClass::Failover;
    }
    if starts(&["reboot", "restart", "reset", "restore"]) {
        return if op.starts_with("restore") { ActionClass::Create } else { ActionClass::Restart };
    }
    if starts(&["stop", "suspend", "pause", "hibernate"]) {
        return ActionClass::Scale;
    }
    if starts(&["resize", "scale", "set-desired-capacity", "update-auto-scaling"]) {
        return ActionClass::Scale;
    }
    if starts(&["deploy", "publish", "start-deployment", "create-deployment", "update-function-code", "rollout"]) {
        return ActionClass::Deploy;
    }
    if starts(&[
        "create", "run", "put", "import", "copy", "cp", "mb", "register", "allocate", "start", "invoke", "send",
        "enable", "add", "tag", "mv", "sync", "upload",
    ]) {
        return if starts(&["put", "cp", "mv", "sync", "upload", "copy"]) {
            ActionClass::DataWrite
        } else {
            ActionClass::Create
        };
    }
    if starts(&["update", "modify", "set", "change", "associate", "disassociate", "untag", "replace", "apply", "patch"])
    {
        return ActionClass::Update;
    }
    if starts(&["ssh", "execute", "exec", "connect", "start-session"]) {
        return ActionClass::Exec;
    }
    ActionClass::Unknown
}

/// Cloud CLIs take a value after every `--long-option` of an operation,
/// except a few switches: the value-taking flags of this command line.
fn long_options_take_values<'a>(args: &'a [crate::shell::Arg], known: &[&'a str], switches: &[&str]) -> Vec<&'a str> {
    let mut flags = known.to_vec();
    for arg in args {
        if arg.text.starts_with("--") && !arg.text.contains('=') && !switches.contains(&arg.text.as_str()) {
            flags.push(arg.text.as_str());
        }
    }
    flags
}

/// The resource an operation names: `--db-instance-identifier x`, `--instance-ids i-1`.
fn resource_id(opts: &Opts<'_>, args: &[crate::shell::Arg]) -> Option<String> {
    for arg in args {
        let flag = arg.text.split('=').next().unwrap_or(&arg.text);
        let names_resource = flag.starts_with("--")
            && (flag.ends_with("-identifier")
                || flag.ends_with("-id")
                || flag.ends_with("-ids")
                || flag.ends_with("-name")
                || flag.ends_with("-arn")
                || flag == "--bucket"
                || flag == "--cluster"
                || flag == "--service"
                || flag == "--key")
            && !matches!(flag, "--profile" | "--region" | "--query-id" | "--client-request-id" | "--idempotency-token");
        if names_resource && let Some(value) = opts.value(&[flag]) {
            return Some(value.text);
        }
    }
    None
}

pub fn aws(inv: &mut Invocation<'_>) -> Vec<Action> {
    let value_flags = long_options_take_values(inv.args, &AWS_GLOBAL_VALUE_FLAGS, &AWS_SWITCHES);
    let opts = Opts::new(inv.args, &value_flags);
    let positionals = opts.positionals();
    let words: Vec<&str> = positionals.iter().map(|a| a.text.as_str()).collect();
    let service = words.first().copied().unwrap_or("");
    let operation = words.get(1).copied().unwrap_or("");
    let mut action = Action::new("aws", class_of_operation(operation));
    action.command = words.iter().take(2).map(|w| w.to_string()).collect();
    action.env.aws_profile = Some(opts.value(&["--profile"]).map_or_else(Hint::implicit, |a| Hint::explicit(&a.text)));
    let region = opts.value(&["--region"]).map(|a| a.text);
    if let Some(region) = &region {
        action.env.aws_region = Some(Hint::explicit(region));
    }
    let has = |names: &[&str]| opts.has(names);
    if service == "s3" {
        let paths: Vec<&str> = words.get(2..).unwrap_or_default().to_vec();
        action.class = match operation {
            "rm" if has(&["--recursive"]) => ActionClass::BulkDestroy,
            "rm" => ActionClass::DataDelete,
            "rb" if has(&["--force"]) => ActionClass::BulkDestroy,
            "rb" => ActionClass::Delete,
            "sync" if has(&["--delete"]) => ActionClass::DataDelete,
            "sync" | "cp" | "mv" => ActionClass::DataWrite,
            "mb" => ActionClass::Create,
            "ls" | "presign" => ActionClass::Read,
            _ => action.class,
        };
        let bucket = |path: &str| {
            path.strip_prefix("s3://").map(|rest| Target::Cloud {
                provider: "aws".into(),
                service: "s3".into(),
                resource_type: Some("bucket".into()),
                id: Some(rest.split('/').next().unwrap_or("").to_string()),
                region: region.clone(),
            })
        };
        if matches!(operation, "sync" | "cp" | "mv") {
            // The destination is what changes.
            if let Some(dest) = paths.last() {
                action.targets.push(bucket(dest).unwrap_or_else(|| Target::path(dest)));
            }
        } else {
            action.targets.extend(paths.iter().filter_map(|p| bucket(p)));
        }
    } else if !service.is_empty() {
        let resource_type = operation.split('-').skip(1).collect::<Vec<_>>().join("-");
        action.targets.push(Target::Cloud {
            provider: "aws".into(),
            service: service.to_string(),
            resource_type: (!resource_type.is_empty()).then_some(resource_type),
            id: resource_id(&opts, inv.args),
            region: region.clone(),
        });
    }
    for (flag, label) in [
        ("--recursive", "recursive"),
        ("--force", "force"),
        ("--delete", "delete"),
        ("--skip-final-snapshot", "skip-final-snapshot"),
        ("--dryrun", "dry-run"),
        ("--dry-run", "dry-run"),
        ("--delete-automated-backups", "delete-automated-backups"),
        ("--force-failover", "force-failover"),
    ] {
        if has(&[flag]) {
            action.flag(label);
        }
    }
    if service == "iam" && action.class != ActionClass::Read {
        action.class = ActionClass::PermissionChange;
    }
    if operation == "reboot-db-instance" && action.has_flag("force-failover") {
        action.class = ActionClass::Failover;
    }
    vec![action]
}

/// AWS CLI options that take no value.
const AWS_SWITCHES: [&str; 22] = [
    "--recursive",
    "--force",
    "--delete",
    "--dryrun",
    "--dry-run",
    "--no-dry-run",
    "--skip-final-snapshot",
    "--no-skip-final-snapshot",
    "--delete-automated-backups",
    "--force-failover",
    "--no-verify-ssl",
    "--no-paginate",
    "--debug",
    "--quiet",
    "--apply-immediately",
    "--no-apply-immediately",
    "--exact-timestamps",
    "--follow-symlinks",
    "--only-show-errors",
    "--no-cli-pager",
    "--force-delete",
    "--wait",
];

/// gcloud command groups whose names read like verbs (`gcloud run deploy`).
const GCLOUD_GROUPS: [&str; 6] = ["run", "app", "builds", "deploy", "scheduler", "tasks"];

/// The verb of a `GROUP… VERB [NAME]` command line: the first word that
/// classifies and is not a group name.
fn verb_of(words: &[String], groups: &[&str]) -> (usize, ActionClass) {
    words
        .iter()
        .enumerate()
        .filter(|(i, w)| !(*i == 0 && groups.contains(&w.as_str())))
        .map(|(i, w)| (i, class_of_operation(w)))
        .find(|(_, c)| *c != ActionClass::Unknown)
        .unwrap_or((words.len(), ActionClass::Unknown))
}

pub fn gcloud(inv: &mut Invocation<'_>) -> Vec<Action> {
    let value_flags = long_options_take_values(
        inv.args,
        &[
            "--project",
            "--region",
            "--zone",
            "--format",
            "--filter",
            "--account",
            "--configuration",
            "--impersonate-service-account",
        ],
        &["--quiet", "--async", "--recursive", "--force", "--all", "--delete-disks", "--keep-disks", "--dry-run"],
    );
    let opts = Opts::new(inv.args, &value_flags);
    let words: Vec<String> = opts.positionals().iter().map(|a| a.text.clone()).collect();
    let tool = inv.tool;
    let (verb_index, class) = verb_of(&words, &GCLOUD_GROUPS);
    let mut action = Action::new(tool, class);
    action.command = words.iter().take(verb_index + 1).cloned().collect();
    let project = opts.value(&["--project"]);
    action.env.gcp_project = Some(project.map_or_else(Hint::implicit, |a| Hint::explicit(&a.text)));
    let service = words.iter().take(verb_index).cloned().collect::<Vec<_>>().join(" ");
    let id = words.get(verb_index + 1).cloned();
    if tool == "gsutil" {
        action.class = match words.first().map(String::as_str) {
            Some("rm") if opts.short('r') => ActionClass::BulkDestroy,
            Some("rm") => ActionClass::DataDelete,
            Some("rb") => ActionClass::Delete,
            Some("cp" | "mv" | "rsync") => ActionClass::DataWrite,
            Some("ls" | "cat" | "du" | "stat") => ActionClass::Read,
            _ => action.class,
        };
        for bucket in words.iter().filter(|w| w.starts_with("gs://")) {
            action.targets.push(Target::Cloud {
                provider: "gcp".into(),
                service: "storage".into(),
                resource_type: Some("bucket".into()),
                id: Some(bucket.trim_start_matches("gs://").split('/').next().unwrap_or("").to_string()),
                region: None,
            });
        }
    } else if !service.is_empty() {
        let region = opts.value(&["--region", "--zone"]).map(|a| a.text);
        action.targets.push(Target::Cloud { provider: "gcp".into(), service, resource_type: None, id, region });
    }
    if opts.has(&["--quiet", "-q"]) {
        action.flag("auto-approve");
    }
    if opts.has(&["--recursive"]) || opts.short('r') {
        action.flag("recursive");
    }
    vec![action]
}

pub fn az(inv: &mut Invocation<'_>) -> Vec<Action> {
    let value_flags = long_options_take_values(
        inv.args,
        &["--subscription", "-g", "--resource-group", "-n", "--name", "-o", "--output", "--query", "-l", "--location"],
        &["--yes", "--no-wait", "--force", "--debug", "--verbose", "--only-show-errors", "--force-deletion"],
    );
    let opts = Opts::new(inv.args, &value_flags);
    let words: Vec<String> = opts.positionals().iter().map(|a| a.text.clone()).collect();
    let (verb_index, class) = verb_of(&words, &[]);
    let mut action = Action::new("az", class);
    action.command = words.iter().take(verb_index + 1).cloned().collect();
    action.env.azure_subscription =
        Some(opts.value(&["--subscription"]).map_or_else(Hint::implicit, |a| Hint::explicit(&a.text)));
    let service = words.iter().take(verb_index).cloned().collect::<Vec<_>>().join(" ");
    let group = opts.value(&["-g", "--resource-group"]).map(|a| a.text);
    let id = opts.value(&["-n", "--name"]).map(|a| a.text).or(group.clone());
    if words.first().map(String::as_str) == Some("group") && action.class == ActionClass::Delete {
        action.class = ActionClass::BulkDestroy;
    }
    if !service.is_empty() {
        action.targets.push(Target::Cloud {
            provider: "azure".into(),
            service,
            resource_type: None,
            id,
            region: opts.value(&["-l", "--location"]).map(|a| a.text),
        });
    }
    if opts.has(&["--yes", "-y"]) {
        action.flag("auto-approve");
    }
    vec![action]
}

/// `eksctl VERB RESOURCE`: with a config file, changes to node groups and
/// service accounts are only planned until `--approve` is given.
pub fn eksctl(inv: &mut Invocation<'_>) -> Vec<Action> {
    let value_flags = long_options_take_values(
        inv.args,
        &["--cluster", "-c", "--name", "-n", "--region", "-r", "--profile", "-p", "-f", "--config-file", "--include"],
        &["--approve", "--wait", "--drain", "--disable-eviction", "--force", "--dry-run", "--parallel"],
    );
    let opts = Opts::new(inv.args, &value_flags);
    let words: Vec<String> = opts.positionals().iter().take(2).map(|a| a.text.clone()).collect();
    let (verb, resource) = (words.first().map_or("", String::as_str), words.get(1).map_or("", String::as_str));
    let mut class = match verb {
        "get" | "info" | "version" | "help" | "completion" => ActionClass::Read,
        "create" | "register" => ActionClass::Create,
        "delete" | "deregister" if resource == "cluster" => ActionClass::BulkDestroy,
        "delete" | "deregister" => ActionClass::Delete,
        "drain" => ActionClass::Drain,
        "scale" => ActionClass::Scale,
        "upgrade" | "update" | "set" | "unset" | "enable" | "utils" | "associate" | "disassociate" => {
            ActionClass::Update
        }
        _ => ActionClass::Unknown,
    };
    let config = opts.value(&["-f", "--config-file"]);
    // Without --approve eksctl only plans node group and drain changes; a
    // cluster is created or deleted straight away.
    let planned = config.is_some()
        && !opts.has(&["--approve"])
        && matches!(verb, "delete" | "create" | "drain")
        && resource != "cluster";
    if planned || opts.has(&["--dry-run"]) {
        class = ActionClass::Read;
    }
    let mut action = Action::new("eksctl", class);
    action.command = words.clone();
    if planned || opts.has(&["--dry-run"]) {
        action.flag("dry-run");
    }
    if opts.has(&["--approve"]) {
        action.flag("approve");
    }
    action.env.aws_profile =
        Some(opts.value(&["--profile", "-p"]).map_or_else(Hint::implicit, |a| Hint::explicit(&a.text)));
    let region = opts.value(&["--region", "-r"]).map(|a| a.text);
    let cluster = opts
        .value(&["--cluster", "-c"])
        .or_else(|| (resource == "cluster").then(|| opts.value(&["--name", "-n"])).flatten());
    // The cluster a config file describes is named after it: `nasa-cryo.eksctl.yaml`.
    let cluster = cluster.map(|a| a.text).or_else(|| {
        config.map(|f| f.text.split('/').next_back().unwrap_or("").split('.').next().unwrap_or("").to_string())
    });
    let names = match opts
        .value(&["--include"])
        .or_else(|| (resource != "cluster").then(|| opts.value(&["--name", "-n"])).flatten())
    {
        Some(names) => names.text.split(',').map(str::to_string).collect(),
        None => Vec::new(),
    };
    for name in names.iter().map(Some).chain(names.is_empty().then_some(None)) {
        action.targets.push(Target::Cloud {
            provider: "aws".into(),
            service: "eks".into(),
            resource_type: Some(if resource.is_empty() { "cluster".into() } else { resource.to_string() }),
            id: name.cloned().or_else(|| cluster.clone()).filter(|c| !c.is_empty()),
            region: region.clone(),
        });
    }
    vec![action]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_classify_by_verb() {
        assert_eq!(class_of_operation("delete-db-instance"), ActionClass::Delete);
        assert_eq!(class_of_operation("describe-instances"), ActionClass::Read);
        assert_eq!(class_of_operation("get-secret-value"), ActionClass::SecretRead);
        assert_eq!(class_of_operation("failover-db-cluster"), ActionClass::Failover);
        assert_eq!(class_of_operation("terminate-instances"), ActionClass::Delete);
        assert_eq!(class_of_operation("attach-role-policy"), ActionClass::PermissionChange);
        assert_eq!(class_of_operation("authorize-security-group-ingress"), ActionClass::NetworkChange);
        assert_eq!(class_of_operation("modify-db-instance"), ActionClass::Update);
        assert_eq!(class_of_operation("stop-instances"), ActionClass::Scale);
    }
}
