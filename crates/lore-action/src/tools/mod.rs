//! Per-tool semantics: what a command line means for each tool lore knows,
//! and a conservative reading for the rest.

mod cloud;
mod db;
mod git;
mod kube;
mod platforms;
mod system;
mod terraform;

pub use kube::kind_name;

use lore_model::ActionClass;

use crate::model::{Action, Target};
use crate::shell::{Arg, Invocation};

pub fn analyze(inv: &mut Invocation<'_>) -> Vec<Action> {
    let tool = inv.tool;
    let actions = match tool {
        "kubectl" | "oc" | "kubecolor" | "microk8s.kubectl" => kube::kubectl(inv),
        "helm" => kube::helm(inv),
        // `tf` is the wrapper many teams put in front of Terraform.
        "terraform" | "tofu" | "terragrunt" | "tf" => terraform::terraform(inv),
        "aws" => cloud::aws(inv),
        "gcloud" | "gsutil" => cloud::gcloud(inv),
        "az" => cloud::az(inv),
        "eksctl" => cloud::eksctl(inv),
        "psql" | "mysql" | "mariadb" | "sqlite3" | "mongosh" | "mongo" | "redis-cli" | "valkey-cli" | "pg_dump"
        | "dropdb" | "createdb" | "pg_restore" | "mysqldump" | "mysqladmin" => db::database(inv),
        "git" => git::git(inv),
        "docker" | "podman" | "docker-compose" | "nerdctl" => system::docker(inv),
        "ansible" | "ansible-playbook" => system::ansible(inv),
        "curl" | "wget" | "http" | "xh" => system::http(inv),
        "systemctl" | "service" => system::services(inv),
        "kafka-topics" | "kafka-topics.sh" => system::kafka_topics(inv),
        t if platforms::TOOLS.contains(&t) => platforms::platform(inv),
        // What their code does is read by the shell analyser; awk's own work is reading.
        t if crate::interpreter::Lang::of(t) == Some(crate::interpreter::Lang::Awk) => {
            vec![Action::new(t, ActionClass::Read)]
        }
        t if crate::interpreter::Lang::of(t).is_some() => vec![Action::new(t, ActionClass::Unknown)],
        _ => match system::files(inv) {
            Some(actions) => actions,
            None => vec![unknown_tool(tool, inv.args)],
        },
    };
    let help = asks_for_help(tool, inv.args);
    actions
        .into_iter()
        .map(|mut action| {
            if help {
                action.class = ActionClass::Read;
                action.reversibility = crate::model::Reversibility::Reversible;
                action.flag("help");
            }
            for arg in inv.args {
                if arg.unknown && !action.unknowns.contains(&arg.text) {
                    action.unknowns.push(arg.text.clone());
                }
            }
            action
        })
        .collect()
}

/// Tools whose `-h` and leading `help` word print help (for database
/// clients `-h` names a host).
const HELP_TOOLS: [&str; 13] = [
    "kubectl",
    "oc",
    "kubecolor",
    "helm",
    "terraform",
    "tofu",
    "terragrunt",
    "tf",
    "git",
    "gcloud",
    "az",
    "eksctl",
    "gh",
];

/// `--help` anywhere before `--`, or a help word or flag where the tool
/// reads it so: nothing runs but the help text.
fn asks_for_help(tool: &str, args: &[Arg]) -> bool {
    let before = args.iter().take_while(|a| a.text != "--");
    let long = before.clone().any(|a| a.text == "--help");
    let short = HELP_TOOLS.contains(&tool)
        && (args.last().is_some_and(|a| a.text == "-h")
            || args.iter().find(|a| !a.text.starts_with('-')).is_some_and(|a| a.text == "help"));
    long || short
}

/// Commands that only read or print: `cat`, `grep`, `echo`, `ls`, … Text
/// they are given is data, never an action.
pub const READ_ONLY: [&str; 62] = [
    "echo",
    "printf",
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ls",
    "ll",
    "pwd",
    "cd",
    "which",
    "whereis",
    "type",
    "wc",
    "sort",
    "uniq",
    "cut",
    "tr",
    "awk",
    "sed",
    "jq",
    "yq",
    "diff",
    "cmp",
    "stat",
    "file",
    "du",
    "df",
    "ps",
    "top",
    "htop",
    "free",
    "uptime",
    "whoami",
    "id",
    "hostname",
    "date",
    "env",
    "printenv",
    "true",
    "false",
    ":",
    "test",
    "[",
    "sleep",
    "tree",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "md5sum",
    "sha256sum",
    "tee",
    "man",
    "history",
    "nslookup",
];

/// Tools that act on the machine they run on, beside [`READ_ONLY`]: files,
/// processes, packages, builds. Their environment is where the agent is.
const LOCAL_TOOLS: [&str; 52] = [
    "rm",
    "rmdir",
    "unlink",
    "shred",
    "truncate",
    "srm",
    "mv",
    "cp",
    "install",
    "ln",
    "dd",
    "chmod",
    "chown",
    "chgrp",
    "chattr",
    "kill",
    "pkill",
    "killall",
    "touch",
    "mkdir",
    "tar",
    "zip",
    "unzip",
    "gzip",
    "gunzip",
    "find",
    "xargs",
    "git",
    "make",
    "cargo",
    "go",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "node",
    "python",
    "python3",
    "pip",
    "pip3",
    "apt",
    "apt-get",
    "brew",
    "docker",
    "podman",
    "docker-compose",
    "systemctl",
    "service",
    "crontab",
    "mount",
    "umount",
    "sed",
];

/// Tools with an analyser of their own.
const KNOWN_TOOLS: [&str; 44] = [
    "kubectl",
    "oc",
    "kubecolor",
    "helm",
    "terraform",
    "tofu",
    "terragrunt",
    "tf",
    "aws",
    "gcloud",
    "gsutil",
    "az",
    "eksctl",
    "psql",
    "mysql",
    "mariadb",
    "sqlite3",
    "mongosh",
    "mongo",
    "redis-cli",
    "valkey-cli",
    "pg_dump",
    "dropdb",
    "createdb",
    "pg_restore",
    "mysqldump",
    "mysqladmin",
    "git",
    "docker",
    "podman",
    "docker-compose",
    "nerdctl",
    "ansible",
    "ansible-playbook",
    "curl",
    "wget",
    "systemctl",
    "service",
    "kafka-topics",
    "kafka-topics.sh",
    "rm",
    "ssh",
    "sudo",
    "knife",
];

/// Whether lore understands `tool` itself, rather than guessing at its verbs.
pub fn is_known(tool: &str) -> bool {
    KNOWN_TOOLS.contains(&tool)
        || LOCAL_TOOLS.contains(&tool)
        || READ_ONLY.contains(&tool)
        || platforms::TOOLS.contains(&tool)
}

/// Whether `tool` is a hosting platform's or a store's CLI (`doctl`, `gh`, `rclone`, …).
pub fn is_platform(tool: &str) -> bool {
    platforms::TOOLS.contains(&tool)
}

/// Whether `tool` acts where it runs, not on some server or cloud.
pub fn works_locally(tool: &str) -> bool {
    READ_ONLY.contains(&tool) || LOCAL_TOOLS.contains(&tool)
}

/// An unknown tool: class unknown, with targets read from its arguments.
fn unknown_tool(tool: &str, args: &[Arg]) -> Action {
    let mut action = Action::new(tool, ActionClass::Unknown);
    for arg in args.iter().filter(|a| !a.text.starts_with('-')) {
        let text = &arg.text;
        let target = if text.starts_with('/') || text.starts_with("./") || text.starts_with("~/") {
            Target::path(text)
        } else if text.contains("://") {
            Target::Other { value: text.clone() }
        } else {
            continue;
        };
        action.targets.push(target);
    }
    let words: Vec<&str> = args
        .iter()
        .filter(|a| !a.text.starts_with('-') && !a.text.contains('/'))
        .map(|a| a.text.as_str())
        .take(3)
        .collect();
    // Most CLIs name what they do with a conventional verb: `eksctl delete nodegroup`.
    // A tool whose name is computed (`kube$(echo ctl)`) is not guessed at.
    let verb_at = if tool.contains(['$', '`']) { None } else { words.iter().position(|w| generic_verb(w).is_some()) };
    match verb_at {
        Some(at) => {
            action.class = generic_verb(words[at]).unwrap_or(ActionClass::Unknown);
            action.command = words[..=at].iter().map(|w| w.to_string()).collect();
        }
        None => action.command.extend(words.first().map(|w| w.to_string())),
    }
    // A rehearsal changes nothing.
    if args.iter().any(|a| matches!(a.text.as_str(), "--dry-run" | "--dryrun" | "--noop" | "--no-op")) {
        action.class = ActionClass::Read;
        action.flag("dry-run");
    }
    action
}

/// The class a conventional subcommand verb names, for tools lore has no module for.
fn generic_verb(word: &str) -> Option<ActionClass> {
    Some(match word {
        "get" | "list" | "ls" | "describe" | "show" | "status" | "info" | "inspect" | "view" | "logs" | "diff"
        | "plan" | "check" | "version" | "help" => ActionClass::Read,
        "delete" | "remove" | "rm" | "destroy" | "purge" | "uninstall" | "terminate" => ActionClass::Delete,
        "create" | "add" | "new" | "install" => ActionClass::Create,
        "update" | "set" | "patch" | "edit" | "apply" | "upgrade" | "modify" | "configure" | "enable" | "disable"
        | "pause" | "unpause" | "resize" => ActionClass::Update,
        "restart" | "reboot" | "reload" | "kill" | "stop" => ActionClass::Restart,
        "scale" => ActionClass::Scale,
        "drain" | "cordon" => ActionClass::Drain,
        "deploy" | "release" | "rollout" => ActionClass::Deploy,
        "rollback" => ActionClass::Rollback,
        "failover" | "switchover" | "promote" => ActionClass::Failover,
        _ => return None,
    })
}

/// Command-line options of one tool: which flags take a value.
pub struct Opts<'a> {
    args: &'a [Arg],
    value_flags: &'a [&'a str],
}

impl<'a> Opts<'a> {
    pub fn new(args: &'a [Arg], value_flags: &'a [&'a str]) -> Opts<'a> {
        Opts { args, value_flags }
    }

    fn takes_value(&self, arg: &str) -> bool {
        !arg.contains('=') && self.value_flags.contains(&arg)
    }

    /// Arguments that are not flags or flag values, up to `--`.
    pub fn positionals(&self) -> Vec<&'a Arg> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(arg) = self.args.get(i) {
            if arg.text == "--" {
                break;
            }
            if arg.text.starts_with('-') && arg.text.len() > 1 {
                i += if self.takes_value(&arg.text) { 2 } else { 1 };
                continue;
            }
            out.push(arg);
            i += 1;
        }
        out
    }

    /// Everything after `--`.
    pub fn after_dashdash(&self) -> &'a [Arg] {
        match self.args.iter().position(|a| a.text == "--") {
            Some(i) => &self.args[i + 1..],
            None => &[],
        }
    }

    fn before_dashdash(&self) -> &'a [Arg] {
        match self.args.iter().position(|a| a.text == "--") {
            Some(i) => &self.args[..i],
            None => self.args,
        }
    }

    /// A flag is present: `--force`, or `--force=…`.
    pub fn has(&self, names: &[&str]) -> bool {
        self.before_dashdash().iter().any(|a| {
            let flag = a.text.split('=').next().unwrap_or(&a.text);
            names.contains(&flag)
        })
    }

    /// A short flag, alone or combined (`-r` in `-rf`).
    pub fn short(&self, letter: char) -> bool {
        self.before_dashdash().iter().any(|a| {
            a.text.starts_with('-')
                && !a.text.starts_with("--")
                && a.text.len() > 1
                && a.text[1..].chars().all(|c| c.is_ascii_alphabetic())
                && a.text[1..].contains(letter)
        })
    }

    /// The value of `--name value`, `--name=value` or `-nvalue`.
    pub fn value(&self, names: &[&str]) -> Option<Arg> {
        self.values(names).into_iter().last()
    }

    pub fn values(&self, names: &[&str]) -> Vec<Arg> {
        let args = self.before_dashdash();
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            if let Some((flag, value)) = arg.text.split_once('=')
                && names.contains(&flag)
            {
                out.push(Arg { text: value.to_string(), unknown: arg.unknown });
            } else if names.contains(&arg.text.as_str()) {
                if let Some(value) = args.get(i + 1) {
                    out.push(value.clone());
                    i += 1;
                }
            } else if arg.text.len() > 2
                && !arg.text.starts_with("--")
                && arg.text.starts_with('-')
                && arg.text.is_char_boundary(2)
            {
                let (flag, value) = arg.text.split_at(2);
                if names.contains(&flag) && self.value_flags.contains(&flag) {
                    out.push(Arg { text: value.to_string(), unknown: arg.unknown });
                }
            }
            i += 1;
        }
        out
    }
}

/// Adds each `(flag names, normalised label)` present.
pub fn note_flags(action: &mut Action, opts: &Opts<'_>, table: &[(&[&str], &str)]) {
    for (names, label) in table {
        // `--dry-run=none` runs for real.
        let real_run = *label == "dry-run" && opts.value(names).is_some_and(|v| v.text == "none" || v.text == "false");
        if opts.has(names) && !real_run {
            action.flag(label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<Arg> {
        text.split_whitespace().map(Arg::known).collect()
    }

    #[test]
    fn options_skip_flag_values() {
        let a = args("--context prod -n shop delete pod web-1 --grace-period=0 --force -- sh -c ls");
        let opts = Opts::new(&a, &["--context", "-n", "--namespace"]);
        let pos: Vec<&str> = opts.positionals().iter().map(|a| a.text.as_str()).collect();
        assert_eq!(pos, vec!["delete", "pod", "web-1"]);
        assert_eq!(opts.value(&["--context"]).map(|a| a.text), Some("prod".into()));
        assert_eq!(opts.value(&["--grace-period"]).map(|a| a.text), Some("0".into()));
        assert!(opts.has(&["--force"]));
        assert_eq!(opts.after_dashdash().len(), 3);
        let b = args("-rf /tmp/x -nprod");
        let opts = Opts::new(&b, &["-n"]);
        assert!(opts.short('r') && opts.short('f') && !opts.short('x'));
        assert_eq!(opts.value(&["-n"]).map(|a| a.text), Some("prod".into()));
    }
}
