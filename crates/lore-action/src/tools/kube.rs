//! kubectl (and oc) and helm.

use lore_model::ActionClass;

use super::{Opts, note_flags};
use crate::model::{Action, Hint, Target};
use crate::shell::{Arg, Invocation};

const KUBECTL_VALUE_FLAGS: [&str; 44] = [
    "--context",
    "-n",
    "--namespace",
    "--kubeconfig",
    "-s",
    "--server",
    "--cluster",
    "--user",
    "--token",
    "--as",
    "--as-group",
    "--request-timeout",
    "-l",
    "--selector",
    "-o",
    "--output",
    "-f",
    "--filename",
    "-c",
    "--container",
    "--field-selector",
    "--grace-period",
    "--timeout",
    "--replicas",
    "--current-replicas",
    "-p",
    "--patch",
    "--type",
    "--image",
    "--port",
    "-k",
    "--kustomize",
    "--for",
    "--to-revision",
    "--sort-by",
    "--template",
    "-L",
    "--since",
    "--tail",
    "--certificate-authority",
    "--client-certificate",
    "--client-key",
    "-v",
    "--subresource",
];

const KUBECTL_FLAGS: [(&[&str], &str); 8] = [
    (&["--force"], "force"),
    (&["--all"], "all"),
    (&["-A", "--all-namespaces"], "all-namespaces"),
    (&["--cascade"], "cascade"),
    (&["--dry-run"], "dry-run"),
    (&["--prune"], "prune"),
    (&["--ignore-daemonsets"], "ignore-daemonsets"),
    (&["--delete-emptydir-data", "--delete-local-data"], "delete-emptydir-data"),
];

/// Short names and plurals, as kubectl accepts them, to the kind's name.
pub fn kind_name(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let base = lower.split('.').next().unwrap_or(&lower);
    let kind = match base {
        "ns" | "namespace" | "namespaces" => "namespace",
        "po" | "pod" | "pods" => "pod",
        "deploy" | "deployment" | "deployments" => "deployment",
        "svc" | "service" | "services" => "service",
        "sts" | "statefulset" | "statefulsets" => "statefulset",
        "ds" | "daemonset" | "daemonsets" => "daemonset",
        "rs" | "replicaset" | "replicasets" => "replicaset",
        "no" | "node" | "nodes" => "node",
        "cm" | "configmap" | "configmaps" => "configmap",
        "secret" | "secrets" => "secret",
        "pvc" | "persistentvolumeclaim" | "persistentvolumeclaims" => "persistentvolumeclaim",
        "pv" | "persistentvolume" | "persistentvolumes" => "persistentvolume",
        "ing" | "ingress" | "ingresses" => "ingress",
        "job" | "jobs" => "job",
        "cj" | "cronjob" | "cronjobs" => "cronjob",
        "sa" | "serviceaccount" | "serviceaccounts" => "serviceaccount",
        "crd" | "crds" | "customresourcedefinition" | "customresourcedefinitions" => "customresourcedefinition",
        "hpa" | "horizontalpodautoscaler" | "horizontalpodautoscalers" => "horizontalpodautoscaler",
        "pdb" | "poddisruptionbudget" | "poddisruptionbudgets" => "poddisruptionbudget",
        "netpol" | "networkpolicy" | "networkpolicies" => "networkpolicy",
        "role" | "roles" => "role",
        "rolebinding" | "rolebindings" => "rolebinding",
        "clusterrole" | "clusterroles" => "clusterrole",
        "clusterrolebinding" | "clusterrolebindings" => "clusterrolebinding",
        "ep" | "endpoints" => "endpoints",
        "all" => "all",
        other => return other.trim_end_matches('s').to_string(),
    };
    kind.to_string()
}

pub fn kubectl(inv: &mut Invocation<'_>) -> Vec<Action> {
    // `-f` is a file everywhere but in `logs` and `attach`, where it means follow.
    let first_verb = Opts::new(inv.args, &KUBECTL_VALUE_FLAGS).positionals().first().map(|a| a.text.clone());
    let follow = matches!(first_verb.as_deref(), Some("logs" | "log" | "attach"));
    let value_flags: Vec<&str> = KUBECTL_VALUE_FLAGS.iter().copied().filter(|f| !(follow && *f == "-f")).collect();
    let opts = Opts::new(inv.args, &value_flags);
    let mut positionals = opts.positionals();
    // `oc adm drain` is `kubectl drain`: OpenShift groups admin verbs under `adm`.
    if inv.tool == "oc" && positionals.first().is_some_and(|a| a.text == "adm") {
        positionals.remove(0);
    }
    let words: Vec<&str> = positionals.iter().map(|a| a.text.as_str()).collect();
    let Some(&verb) = words.first() else {
        return vec![Action::new(inv.tool, ActionClass::Read)];
    };
    let mut action = Action::new(inv.tool, ActionClass::Unknown);
    action.command.push(verb.to_string());
    let mut rest: &[&Arg] = &positionals[1..];
    let sub = rest.first().map(|a| a.text.as_str());
    let take_sub = |action: &mut Action| {
        if let Some(sub) = sub {
            action.command.push(sub.to_string());
        }
    };
    let output = opts.value(&["-o", "--output"]).map(|a| a.text).unwrap_or_default();
    action.class = match verb {
        "get" | "describe" | "logs" | "log" | "top" | "explain" | "api-resources" | "api-versions" | "version"
        | "cluster-info" | "diff" | "events" | "wait" | "completion" => ActionClass::Read,
        "delete" => ActionClass::Delete,
        "apply" => ActionClass::Update,
        "create" => {
            take_sub(&mut action);
            match sub {
                Some("rolebinding" | "clusterrolebinding" | "role" | "clusterrole" | "serviceaccount" | "token") => {
                    rest = &rest[1..];
                    ActionClass::PermissionChange
                }
                Some(
                    "secret" | "configmap" | "namespace" | "ns" | "deployment" | "job" | "cronjob" | "service"
                    | "ingress" | "quota",
                ) => ActionClass::Create,
                _ => ActionClass::Create,
            }
        }
        "replace" if opts.has(&["--force"]) => ActionClass::Recreate,
        "replace" | "patch" | "edit" | "label" | "annotate" | "set" | "taint" | "autoscale" => ActionClass::Update,
        "scale" => ActionClass::Scale,
        "rollout" => {
            take_sub(&mut action);
            rest = rest.get(1..).unwrap_or(&[]);
            match sub {
                Some("restart") => ActionClass::Restart,
                Some("undo") => ActionClass::Rollback,
                Some("status" | "history") => ActionClass::Read,
                Some("pause" | "resume") => ActionClass::Update,
                _ => ActionClass::Unknown,
            }
        }
        "drain" | "cordon" => ActionClass::Drain,
        "uncordon" => ActionClass::Update,
        "exec" | "attach" | "debug" | "port-forward" | "proxy" | "rsh" => ActionClass::Exec,
        "cp" => ActionClass::DataWrite,
        "run" => ActionClass::Create,
        "expose" => ActionClass::NetworkChange,
        "auth" => {
            take_sub(&mut action);
            rest = rest.get(1..).unwrap_or(&[]);
            if sub == Some("reconcile") { ActionClass::PermissionChange } else { ActionClass::Read }
        }
        "certificate" => {
            take_sub(&mut action);
            rest = rest.get(1..).unwrap_or(&[]);
            ActionClass::PermissionChange
        }
        "config" => {
            take_sub(&mut action);
            rest = rest.get(1..).unwrap_or(&[]);
            if sub == Some("use-context")
                && let Some(context) = rest.first()
            {
                action.env.kube_context =
                    Some(if context.unknown { Hint::unknown(&context.text) } else { Hint::explicit(&context.text) });
                rest = &[];
            }
            match sub {
                Some("view" | "get-contexts" | "current-context" | "get-clusters" | "get-users") => ActionClass::Read,
                _ => ActionClass::Update,
            }
        }
        _ => ActionClass::Unknown,
    };

    // Environment: the context and namespace, explicit or implicit.
    action.env.kube_context = action.env.kube_context.take().or(Some(match opts.value(&["--context"]) {
        Some(arg) if arg.unknown => Hint::unknown(&arg.text),
        Some(arg) => Hint::explicit(&arg.text),
        None => Hint::implicit(),
    }));
    let namespace = opts.value(&["-n", "--namespace"]);
    action.env.namespace = Some(match &namespace {
        Some(arg) if arg.unknown => Hint::unknown(&arg.text),
        Some(arg) => Hint::explicit(&arg.text),
        None => Hint::implicit(),
    });
    note_flags(&mut action, &opts, &KUBECTL_FLAGS);
    if let Some(grace) = opts.value(&["--grace-period"])
        && grace.text == "0"
    {
        action.flag("grace-period=0");
    }
    if let Some(cascade) = opts.value(&["--cascade"])
        && cascade.text == "orphan"
    {
        action.flag("cascade=orphan");
    }

    // Targets: `kind/name …`, or `kind[,kind] name …`, or files.
    let ns = namespace.as_ref().filter(|a| !a.unknown).map(|a| a.text.as_str());
    let selector = opts.value(&["-l", "--selector"]).map(|a| a.text);
    let resource_verb =
        !matches!(verb, "exec" | "attach" | "port-forward" | "logs" | "log" | "cp" | "run" | "proxy" | "debug" | "rsh");
    if matches!(verb, "drain" | "cordon" | "uncordon" | "taint") {
        let nodes = match rest.first() {
            Some(first) if matches!(first.text.as_str(), "node" | "nodes" | "no") => &rest[1..],
            _ => rest,
        };
        for node in nodes.iter().filter(|a| !a.text.contains('=')) {
            action.targets.push(Target::kube("node", Some(&node.text), None));
        }
    } else if matches!(verb, "exec" | "attach" | "port-forward" | "logs" | "log" | "debug" | "rsh") {
        if let Some(pod) = rest.first() {
            let (kind, name) = pod.text.split_once('/').map_or(("pod", pod.text.as_str()), |(k, n)| (k, n));
            action.targets.push(Target::kube(&kind_name(kind), Some(name), ns));
        }
    } else if resource_verb && !rest.is_empty() {
        let first = &rest[0].text;
        if first.contains('/') {
            for item in rest {
                let (kind, name) = item.text.split_once('/').unwrap_or((&item.text, ""));
                let name = (!name.is_empty()).then_some(name);
                action.targets.push(Target::kube(&kind_name(kind), name, ns));
            }
        } else if !matches!(verb, "create" | "scale" | "set") || rest.len() > 1 || verb == "scale" {
            let names = &rest[1..];
            for kind in first.split(',') {
                let kind = kind_name(kind);
                if names.is_empty() {
                    action.targets.push(Target::Kubernetes {
                        kind: kind.clone(),
                        name: None,
                        namespace: ns.map(str::to_string),
                        selector: selector.clone(),
                    });
                }
                for name in names {
                    action.targets.push(Target::kube(&kind, Some(&name.text), ns));
                }
            }
        } else if verb == "create"
            && let Some(name) = rest.get(1).or(rest.first())
        {
            let kind = sub.map(kind_name).unwrap_or_else(|| "resource".into());
            action.targets.push(Target::kube(&kind, Some(&name.text), ns));
        }
    }
    if action.targets.is_empty() && selector.is_some() {
        action.targets.push(Target::Kubernetes {
            kind: "resource".into(),
            name: None,
            namespace: ns.map(str::to_string),
            selector,
        });
    }
    for file in if follow { Vec::new() } else { opts.values(&["-f", "--filename"]) } {
        // The objects a manifest holds are what the command changes.
        let manifest = if file.text == "-" { inv.stdin.map(str::to_string) } else { read_manifest(&file.text) };
        if let Some(text) = manifest {
            for object in crate::manifest::analyze(&text).actions {
                action.targets.extend(object.targets);
            }
        }
        if file.text != "-" {
            action.targets.push(Target::path(&file.text));
        }
    }
    for dir in opts.values(&["-k", "--kustomize"]) {
        action.targets.push(Target::path(&dir.text));
    }

    // Deleting everything of a kind, everywhere, or by selector is a bulk destroy.
    if action.class == ActionClass::Delete && (action.has_flag("all") || action.has_flag("all-namespaces")) {
        action.class = ActionClass::BulkDestroy;
    }
    if action.class == ActionClass::Scale
        && let Some(replicas) = opts.value(&["--replicas"])
        && replicas.text == "0"
    {
        action.flag("scale-to-zero");
    }
    if verb == "get"
        && is_secret_target(&action.targets)
        && (output.starts_with("yaml")
            || output.starts_with("json")
            || output.starts_with("jsonpath")
            || output.starts_with("go-template"))
    {
        action.class = ActionClass::SecretRead;
    }
    // `oc rsh POD CMD…`: the command follows the pod, with or without `--`.
    if verb == "rsh"
        && let Some(pod) = rest.first()
        && let Some(at) = inv.args.iter().position(|a| std::ptr::eq(a, *pod))
    {
        let inner = &inv.args[at + 1..];
        let inner = inner.strip_prefix(&[Arg::known("--")][..]).unwrap_or(inner);
        if !inner.is_empty() {
            inv.nested.push((format!("oc rsh {}", pod.text), inner.to_vec()));
        }
    }
    if matches!(verb, "exec" | "debug") {
        let inner = opts.after_dashdash();
        if !inner.is_empty() {
            let pod = action.targets.first().map(Target::short).unwrap_or_default();
            inv.nested.push((format!("kubectl exec {pod}"), inner.to_vec()));
        }
    }
    if verb == "apply" && opts.has(&["--prune"]) {
        action.class = ActionClass::Delete;
    }
    vec![action]
}

/// A readable manifest file, not too large to read on a hook's time.
fn read_manifest(path: &str) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    (meta.is_file() && meta.len() <= 1024 * 1024).then(|| std::fs::read_to_string(path).ok()).flatten()
}

fn is_secret_target(targets: &[Target]) -> bool {
    targets.iter().any(|t| matches!(t, Target::Kubernetes { kind, .. } if kind == "secret"))
}

const HELM_VALUE_FLAGS: [&str; 16] = [
    "-n",
    "--namespace",
    "--kube-context",
    "--kubeconfig",
    "-f",
    "--values",
    "--set",
    "--set-string",
    "--set-file",
    "--version",
    "--timeout",
    "-o",
    "--output",
    "--repo",
    "--post-renderer",
    "--description",
];

pub fn helm(inv: &mut Invocation<'_>) -> Vec<Action> {
    let opts = Opts::new(inv.args, &HELM_VALUE_FLAGS);
    let positionals = opts.positionals();
    let verb = positionals.first().map(|a| a.text.as_str()).unwrap_or("");
    let class = match verb {
        "install" | "upgrade" => ActionClass::Deploy,
        "uninstall" | "delete" | "del" | "un" => ActionClass::Delete,
        "rollback" => ActionClass::Rollback,
        "list" | "ls" | "status" | "get" | "history" | "template" | "show" | "search" | "lint" | "version" | "env"
        | "diff" => ActionClass::Read,
        "repo" | "dependency" | "dep" | "pull" | "package" | "plugin" | "registry" => ActionClass::Read,
        "test" => ActionClass::Exec,
        _ => ActionClass::Unknown,
    };
    let mut action = Action::new("helm", class);
    if !verb.is_empty() {
        action.command.push(verb.to_string());
    }
    let ns = opts.value(&["-n", "--namespace"]);
    action.env.kube_context =
        Some(opts.value(&["--kube-context"]).map_or_else(Hint::implicit, |a| Hint::explicit(&a.text)));
    action.env.namespace = Some(ns.as_ref().map_or_else(Hint::implicit, |a| Hint::explicit(&a.text)));
    if matches!(class, ActionClass::Deploy | ActionClass::Delete | ActionClass::Rollback | ActionClass::Exec)
        || verb == "status"
    {
        for release in
            positionals.iter().skip(1).take(if verb == "uninstall" || verb == "delete" { usize::MAX } else { 1 })
        {
            action.targets.push(Target::kube(
                "helm-release",
                Some(&release.text),
                ns.as_ref().map(|a| a.text.as_str()),
            ));
        }
    }
    note_flags(
        &mut action,
        &opts,
        &[
            (&["--dry-run"], "dry-run"),
            (&["--force"], "force"),
            (&["--install", "-i"], "install"),
            (&["--atomic"], "atomic"),
        ],
    );
    vec![action]
}
