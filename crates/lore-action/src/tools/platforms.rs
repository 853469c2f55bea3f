//! Hosting platforms, their stores and the tools around clusters: doctl,
//! flyctl, heroku, vercel, netlify, wrangler, firebase, gh, vault, consul,
//! etcdctl, argocd, flux, velero, mc, rclone and restic.
//!
//! Their destructive verbs get the classes the gate knows: destroying a
//! whole cluster, app, site, database, repository, secret engine, key
//! prefix, bucket or backup set is bulk destruction; deleting one durable
//! thing (a droplet, a volume, a release, a backup) is an irreversible
//! delete; deleting one small thing (a DNS record, an alias, a key) stays a
//! plain delete.

use lore_model::ActionClass;

use super::Opts;
use crate::model::{Action, Reversibility, Target};
use crate::shell::{Arg, Invocation};

/// Tools this module reads.
pub const TOOLS: [&str; 20] = [
    "doctl", "flyctl", "fly", "heroku", "vercel", "netlify", "wrangler", "firebase", "gh", "vault", "consul",
    "etcdctl", "argocd", "flux", "velero", "mc", "rclone", "restic", "k9s", "microk8s",
];

/// Options of these tools that take a value, so their values are not verbs.
const VALUE_FLAGS: [&str; 34] = [
    "-a",
    "--app",
    "-n",
    "--namespace",
    "-p",
    "--project",
    "--config",
    "--context",
    "--region",
    "-r",
    "--repo",
    "--address",
    "--endpoints",
    "--token",
    "-o",
    "--output",
    "--format",
    "--team",
    "--scope",
    "--site",
    "--env",
    "--cluster",
    "--namespace-id",
    "--keep-last",
    "--keep-daily",
    "--keep-weekly",
    "--keep-monthly",
    "--older-than",
    "--min-age",
    "--max-age",
    "--selector",
    "-l",
    "--confirm",
    "--remote-name",
];

const DELETE_VERBS: [&str; 11] =
    ["delete", "del", "rm", "remove", "destroy", "purge", "disable", "forget", "reset", "rb", "uninstall"];

/// Whole things: deleting one deletes everything in it.
const WHOLE: [&str; 24] = [
    "cluster",
    "clusters",
    "database",
    "databases",
    "db",
    "d1",
    "apps",
    "app",
    "project",
    "projects",
    "proj",
    "site",
    "sites",
    "repo",
    "bucket",
    "registry",
    "namespace",
    "secrets",
    "auth",
    "kustomization",
    "addons",
    "pg",
    "kv-namespace",
    "environment",
];

/// Small, recreatable things.
const SMALL: [&str; 19] = [
    "records",
    "record",
    "alias",
    "domain",
    "domains",
    "env",
    "channel",
    "functions",
    "function",
    "object",
    "pod",
    "machine",
    "machines",
    "secret",
    "variable",
    "label",
    "cache",
    "run",
    "gist",
];

pub fn platform(inv: &mut Invocation<'_>) -> Vec<Action> {
    let tool = inv.tool;
    let opts = Opts::new(inv.args, &VALUE_FLAGS);
    // `heroku apps:destroy`, `firebase hosting:sites:delete`: one word, several parts.
    let words: Vec<String> = opts
        .positionals()
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            if i == 0 && a.text.contains(':') && !a.text.contains("://") && tool != "rclone" && tool != "mc" {
                a.text.split(':').map(str::to_string).collect::<Vec<_>>()
            } else {
                vec![a.text.clone()]
            }
        })
        .collect();
    let mut action = Action::new(tool, ActionClass::Read);
    let verb_at = words.iter().position(|w| DELETE_VERBS.contains(&w.as_str()));
    // The subcommand words, up to the verb; not the names after them.
    let is_word = |w: &&String| w.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit());
    action.command = match verb_at {
        Some(v) => words[..=v].to_vec(),
        None => words.iter().take(3).take_while(is_word).cloned().collect(),
    };
    let help = words.first().is_some_and(|w| w == "help") || opts.has(&["--help", "-h"]);
    if tool == "k9s" || help {
        return vec![action];
    }
    if opts.has(&["--dry-run", "--dry"]) || (tool == "rclone" && opts.short('n')) {
        action.flag("dry-run");
        return vec![action];
    }
    action.class = match verb_at {
        Some(at) => destruction(tool, &words, at, &opts, &mut action),
        None => other_verb(tool, &words),
    };
    for word in words.iter().skip(verb_at.map_or(words.len(), |v| v + 1)) {
        action.targets.push(Target::Other { value: format!("{tool}:{word}") });
    }
    nested(tool, &words, inv);
    vec![action]
}

/// The class of a deleting verb at `at`, by what it deletes.
fn destruction(tool: &str, words: &[String], at: usize, opts: &Opts<'_>, action: &mut Action) -> ActionClass {
    let nouns = &words[..at];
    let verb = words[at].as_str();
    let object = words.get(at + 1).map(String::as_str).unwrap_or("");
    let has = |names: &[&str]| nouns.iter().any(|n| names.contains(&n.as_str()));
    let all = opts.has(&["--all", "--all-collections", "--prefix", "--from-key", "-recurse", "--recursive"])
        || opts.short('r') && tool == "mc";
    if all {
        action.flag("all");
    }
    let irreversible = |action: &mut Action, class| {
        action.reversibility = Reversibility::Irreversible;
        class
    };
    match (tool, verb) {
        ("argocd", _) if opts.value(&["--cascade"]).is_some_and(|v| v.text == "false") => ActionClass::Delete,
        ("vault", "delete") if has(&["kv"]) && !has(&["metadata"]) => ActionClass::Delete,
        ("heroku" | "microk8s", "reset") | ("rclone", "purge" | "delete") | ("mc", "rb") => ActionClass::BulkDestroy,
        ("restic", "forget") if opts.has(&["--prune"]) => ActionClass::BulkDestroy,
        ("vercel", "rm" | "remove") if nouns.is_empty() && (object.contains('.') || object.starts_with("dpl_")) => {
            ActionClass::Delete
        }
        // The tool's own unit: an app (fly, vercel, wrangler), a backup (velero).
        ("fly" | "flyctl" | "vercel" | "wrangler", _) if nouns.is_empty() => ActionClass::BulkDestroy,
        _ if has(&SMALL) || SMALL.contains(&verb) => ActionClass::Delete,
        _ if all || has(&WHOLE) => ActionClass::BulkDestroy,
        ("consul" | "etcdctl", _) | ("rclone", "deletefile") | ("mc", "rm") => ActionClass::Delete,
        ("firebase", _) if object == "/" => ActionClass::BulkDestroy,
        _ => irreversible(action, ActionClass::DataDelete),
    }
}

/// Verbs that do not delete: a rehearsal or a read, else a change.
fn other_verb(tool: &str, words: &[String]) -> ActionClass {
    const READS: [&str; 22] = [
        "list",
        "ls",
        "get",
        "show",
        "status",
        "info",
        "logs",
        "view",
        "describe",
        "diff",
        "history",
        "whoami",
        "version",
        "snapshots",
        "check",
        "cat",
        "tree",
        "export",
        "read",
        "lsd",
        "size",
        "help",
    ];
    let has = |names: &[&str]| words.iter().any(|w| names.contains(&w.as_str()));
    match tool {
        "vault" if has(&["read", "get"]) => ActionClass::SecretRead,
        "vault" if has(&["policy", "token"]) => ActionClass::PermissionChange,
        _ if has(&READS) => ActionClass::Read,
        "gh" if words.first().is_some_and(|w| matches!(w.as_str(), "pr" | "issue" | "run" | "api" | "search")) => {
            ActionClass::Read
        }
        _ if has(&["deploy", "sync", "release", "promote", "publish"]) => ActionClass::Deploy,
        // A database restore replaces everything in it.
        "heroku" if has(&["restore"]) => ActionClass::BulkDestroy,
        _ if has(&["scale"]) => ActionClass::Scale,
        _ if has(&["restart", "reconcile"]) => ActionClass::Restart,
        _ if has(&["copy", "put", "cp", "set", "unset", "write", "create", "new", "add", "init"]) => {
            ActionClass::Update
        }
        _ => ActionClass::Unknown,
    }
}

/// Commands some of them run themselves: `heroku pg:psql -c SQL`,
/// `wrangler d1 execute DB --command SQL`.
fn nested(tool: &str, words: &[String], inv: &mut Invocation<'_>) {
    let value = |names: &[&str]| Opts::new(inv.args, &VALUE_FLAGS).value(names);
    match (tool, words) {
        ("heroku", [pg, psql, ..]) if pg == "pg" && psql == "psql" => {
            if let Some(sql) = value(&["-c", "--command"]) {
                let app = value(&["-a", "--app"]).map(|a| a.text).unwrap_or_default();
                let inner = vec![
                    Arg::known("psql"),
                    Arg::known("-h"),
                    Arg::known(&format!("{app}.heroku")),
                    Arg::known("-c"),
                    sql,
                ];
                inv.nested.push((format!("heroku pg:psql {app}").trim_end().to_string(), inner));
            }
        }
        ("wrangler", [d1, execute, db, ..]) if d1 == "d1" && execute == "execute" => {
            if let Some(sql) = value(&["--command"]) {
                let local = inv.args.iter().any(|a| a.text == "--local");
                let database = if local { format!(".wrangler/{db}.sqlite") } else { format!("d1:{db}") };
                let label = format!("wrangler d1 execute {db} {}", if local { "--local" } else { "--remote" });
                inv.nested.push((label, vec![Arg::known("sqlite3"), Arg::known(&database), sql]));
            }
        }
        _ => {}
    }
}
