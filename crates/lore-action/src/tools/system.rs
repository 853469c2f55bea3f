//! Files and processes (rm, dd, mkfs, chmod, systemctl…), containers,
//! ansible, HTTP clients and Kafka topics.

use lore_model::ActionClass;

use super::{Opts, READ_ONLY};
use crate::model::{Action, Target};
use crate::shell::{Arg, Invocation};

/// Files, devices and the host itself. `None` for tools this does not know.
pub fn files(inv: &mut Invocation<'_>) -> Option<Vec<Action>> {
    let tool = inv.tool;
    let args = inv.args;
    let opts = Opts::new(args, &[]);
    // `rm -rf -- -x`: what follows `--` are operands too.
    let paths: Vec<&Arg> = opts.positionals().into_iter().chain(opts.after_dashdash()).collect();
    let path_targets = |action: &mut Action, list: &[&Arg]| {
        for p in list {
            action.targets.push(Target::path(&p.text));
        }
    };
    let mut action = Action::new(tool, ActionClass::Unknown);
    match tool {
        "rm" | "rmdir" | "unlink" => {
            action.class = ActionClass::Delete;
            if opts.short('r') || opts.short('R') || opts.has(&["--recursive"]) {
                action.flag("recursive");
            }
            if opts.short('f') || opts.has(&["--force"]) {
                action.flag("force");
            }
            if opts.has(&["--no-preserve-root"]) {
                action.flag("no-preserve-root");
            }
            path_targets(&mut action, &paths);
        }
        "shred" | "truncate" | "srm" => {
            action.class = ActionClass::DataDelete;
            let list: Vec<&Arg> = if tool == "truncate" {
                let o = Opts::new(args, &["-s", "--size", "-r", "--reference"]);
                o.positionals()
            } else {
                paths.clone()
            };
            path_targets(&mut action, &list);
        }
        "mv" | "cp" | "rsync" | "scp" | "install" | "ln" => {
            action.class = if tool == "rsync" && (opts.short('n') || opts.has(&["--dry-run"])) {
                action.flag("dry-run");
                ActionClass::Read
            } else if tool == "rsync" && args.iter().any(|a| a.text.starts_with("--delete")) {
                action.flag("delete");
                ActionClass::DataDelete
            } else if tool == "mv" {
                ActionClass::Update
            } else {
                ActionClass::DataWrite
            };
            if opts.short('r') || opts.short('R') || opts.short('a') {
                action.flag("recursive");
            }
            if opts.short('f') || opts.has(&["--force"]) {
                action.flag("force");
            }
            // The destination is what changes; a remote one names a host.
            if let Some(dest) = paths.last() {
                if let Some((host, path)) = dest.text.split_once(':').filter(|(h, _)| !h.contains('/')) {
                    let host = host.rsplit('@').next().unwrap_or(host);
                    action.env.add_host(host);
                    action.targets.push(Target::Path { path: path.to_string() });
                } else {
                    action.targets.push(Target::path(&dest.text));
                }
            }
        }
        "dd" => {
            action.class = ActionClass::DataWrite;
            for arg in args {
                if let Some(dest) = arg.text.strip_prefix("of=") {
                    action.targets.push(Target::path(dest));
                    if dest.starts_with("/dev/") && !dest.starts_with("/dev/null") {
                        action.class = ActionClass::BulkDestroy;
                        action.flag("device");
                    }
                }
            }
        }
        t if t.starts_with("mkfs")
            || matches!(t, "mke2fs" | "mkswap" | "fdisk" | "parted" | "sfdisk" | "sgdisk" | "wipefs") =>
        {
            action.class = if matches!(t, "fdisk" | "parted") && paths.len() <= 1 && args.iter().any(|a| a.text == "-l")
            {
                ActionClass::Read
            } else {
                ActionClass::BulkDestroy
            };
            action.flag("device");
            path_targets(&mut action, &paths.iter().filter(|p| p.text.starts_with('/')).copied().collect::<Vec<_>>());
        }
        "chmod" | "chown" | "chgrp" | "setfacl" | "chattr" => {
            action.class = ActionClass::PermissionChange;
            if opts.short('R') || opts.has(&["--recursive"]) {
                action.flag("recursive");
            }
            path_targets(&mut action, &paths.iter().skip(1).copied().collect::<Vec<_>>());
        }
        "kill" | "pkill" | "killall" => {
            action.class = ActionClass::Restart;
            if args.iter().any(|a| a.text == "-9" || a.text == "-KILL" || a.text == "-SIGKILL") {
                action.flag("force");
            }
        }
        "reboot" | "shutdown" | "halt" | "poweroff" | "init" => {
            action.class = ActionClass::Restart;
            action.flag("host");
        }
        "crontab" if opts.short('r') => action.class = ActionClass::Delete,
        "iptables" | "ip6tables" | "nft" | "ufw" | "firewall-cmd" | "route" => {
            action.class = if args.iter().any(|a| matches!(a.text.as_str(), "-L" | "-S" | "--list" | "status" | "list"))
            {
                ActionClass::Read
            } else {
                ActionClass::NetworkChange
            };
        }
        "useradd" | "userdel" | "usermod" | "passwd" | "visudo" | "groupadd" | "gpasswd" => {
            action.class = ActionClass::PermissionChange
        }
        "mount" | "umount" | "swapoff" | "swapon" => action.class = ActionClass::Update,
        "apt" | "apt-get" | "yum" | "dnf" | "pip" | "pip3" | "npm" | "cargo" | "brew" | "make" | "go" => {
            let verb = paths.first().map(|a| a.text.as_str()).unwrap_or("");
            action.class = match verb {
                "remove" | "purge" | "uninstall" | "autoremove" => ActionClass::Delete,
                "install" | "upgrade" | "update" | "add" | "build" | "publish" => ActionClass::Update,
                "test" | "list" | "show" | "search" | "check" | "info" | "view" => ActionClass::Read,
                _ => ActionClass::Unknown,
            };
            if !verb.is_empty() {
                action.command.push(verb.to_string());
            }
        }
        "tar" | "zip" | "unzip" | "gzip" | "gunzip" => action.class = ActionClass::DataWrite,
        "touch" | "mkdir" => {
            action.class = ActionClass::Create;
            path_targets(&mut action, &paths);
        }
        // `tee FILE` writes its input over FILE (`-a`: after it).
        "tee" if !paths.is_empty() => {
            action.class = ActionClass::DataWrite;
            path_targets(&mut action, &paths);
        }
        "sort" if args.iter().any(|a| a.text == "-o" || a.text.starts_with("--output")) => {
            action.class = ActionClass::DataWrite;
            let output = Opts::new(args, &["-o", "--output", "-k", "-t", "-S", "-T"]).value(&["-o", "--output"]);
            if let Some(file) = output {
                action.targets.push(Target::path(&file.text));
            }
        }
        "sed" if opts.short('i') || args.iter().any(|a| a.text.starts_with("--in-place")) => {
            action.class = ActionClass::DataWrite;
            if let Some(file) = paths.last() {
                action.targets.push(Target::path(&file.text));
            }
        }
        t if READ_ONLY.contains(&t) => {
            action.class = ActionClass::Read;
        }
        _ => return None,
    }
    Some(vec![action])
}

pub fn services(inv: &mut Invocation<'_>) -> Vec<Action> {
    let opts =
        Opts::new(inv.args, &["-H", "--host", "-M", "--machine", "-t", "--type", "-p", "--property", "-n", "--lines"]);
    let words: Vec<String> = opts.positionals().iter().map(|a| a.text.clone()).collect();
    // `systemctl VERB UNIT` but `service UNIT VERB`.
    let (verb, units): (String, Vec<String>) = if inv.tool == "service" {
        (words.get(1).cloned().unwrap_or_default(), words.first().cloned().into_iter().collect())
    } else {
        (words.first().cloned().unwrap_or_default(), words.iter().skip(1).cloned().collect())
    };
    let class = match verb.as_str() {
        "stop" | "disable" | "mask" | "kill" => ActionClass::Scale,
        "restart" | "reload" | "try-restart" | "reload-or-restart" | "force-reload" => ActionClass::Restart,
        "start" | "enable" | "unmask" | "daemon-reload" | "edit" | "set-property" => ActionClass::Update,
        "reboot" | "poweroff" | "halt" => ActionClass::Restart,
        _ => ActionClass::Read,
    };
    let mut action = Action::new(inv.tool, class);
    if !verb.is_empty() {
        action.command.push(verb.clone());
    }
    if matches!(verb.as_str(), "stop" | "disable" | "mask" | "kill") {
        action.flag("stop");
    }
    for unit in units {
        action.targets.push(Target::Other { value: format!("unit:{}", unit.trim_end_matches(".service")) });
    }
    if let Some(host) = opts.value(&["-H", "--host"]) {
        action.env.add_host(&host.text);
    }
    vec![action]
}

pub fn docker(inv: &mut Invocation<'_>) -> Vec<Action> {
    let is_compose = inv.tool == "docker-compose" || inv.args.iter().any(|a| a.text == "compose");
    // `-f` names a compose file, but forces `docker rm`.
    let value_flags: &[&str] = if is_compose {
        &[
            "-H",
            "--host",
            "--context",
            "-f",
            "--file",
            "-p",
            "--project-name",
            "--env-file",
            "--profile",
            "-e",
            "--env",
            "-w",
            "--workdir",
            "-u",
            "--user",
        ]
    } else {
        &[
            "-H",
            "--host",
            "--context",
            "-c",
            "--config",
            "--env-file",
            "-e",
            "--env",
            "-v",
            "--volume",
            "--name",
            "-w",
            "--workdir",
            "-u",
            "--user",
            "--filter",
            "--format",
            "-t",
            "--tag",
            "--network",
            "--entrypoint",
            "--platform",
            "-p",
            "--publish",
        ]
    };
    let opts = Opts::new(inv.args, value_flags);
    let words: Vec<String> = opts.positionals().iter().map(|a| a.text.clone()).collect();
    let (compose, rest): (bool, &[String]) = if inv.tool == "docker-compose" {
        (true, &words)
    } else if words.first().is_some_and(|w| w == "compose") {
        (true, &words[1..])
    } else {
        (false, &words)
    };
    let verb = rest.first().cloned().unwrap_or_default();
    let sub = rest.get(1).cloned();
    let mut action = Action::new(inv.tool, ActionClass::Unknown);
    if compose {
        action.command.push("compose".into());
    }
    action.command.push(verb.clone());
    let volumes = opts.has(&["--volumes"]) || opts.short('v') && compose;
    action.class = match (compose, verb.as_str(), sub.as_deref()) {
        (true, "down", _) if volumes => {
            action.flag("volumes");
            ActionClass::DataDelete
        }
        (true, "down", _) | (true, "rm", _) => ActionClass::Delete,
        (true, "up" | "create" | "start" | "pull" | "build", _) => ActionClass::Deploy,
        (true, "restart", _) => ActionClass::Restart,
        (true, "stop" | "kill" | "pause", _) => ActionClass::Scale,
        (true, "exec" | "run", _) => ActionClass::Exec,
        (true, _, _) => ActionClass::Read,
        (false, "rm" | "rmi", _) => ActionClass::Delete,
        (false, "volume", Some("rm" | "prune")) => ActionClass::DataDelete,
        (false, "system", Some("prune")) => {
            if opts.has(&["--volumes"]) || opts.has(&["-a", "--all"]) || opts.short('a') {
                action.flag("all");
            }
            ActionClass::BulkDestroy
        }
        (false, "container" | "image" | "network" | "builder", Some("prune" | "rm")) => ActionClass::Delete,
        (false, "run" | "create" | "build" | "pull" | "tag" | "commit", _) => ActionClass::Create,
        (false, "exec" | "attach", _) => ActionClass::Exec,
        (false, "stop" | "kill" | "pause", _) => ActionClass::Scale,
        (false, "restart" | "start" | "unpause", _) => ActionClass::Restart,
        (false, "push", _) => ActionClass::Deploy,
        (
            false,
            "ps" | "images" | "logs" | "inspect" | "version" | "info" | "stats" | "top" | "history" | "events" | "port"
            | "diff",
            _,
        ) => ActionClass::Read,
        (false, "volume" | "network" | "container" | "image" | "context", Some("ls" | "inspect" | "list")) => {
            ActionClass::Read
        }
        _ => ActionClass::Unknown,
    };
    if let Some(sub) = &sub
        && matches!(verb.as_str(), "volume" | "system" | "container" | "image" | "network" | "context")
    {
        action.command.push(sub.clone());
    }
    if opts.short('f') || opts.has(&["--force"]) {
        action.flag("force");
    }
    let names: &[String] = match verb.as_str() {
        "volume" | "system" | "container" | "image" | "network" => rest.get(2..).unwrap_or(&[]),
        _ => rest.get(1..).unwrap_or(&[]),
    };
    if matches!(action.class, ActionClass::Delete | ActionClass::DataDelete | ActionClass::Scale | ActionClass::Restart)
    {
        for name in names {
            action.targets.push(Target::Other { value: format!("container:{name}") });
        }
    }
    if (verb == "exec" || (compose && verb == "run"))
        && let Some((container, inner)) = exec_command(inv.args, &verb)
    {
        let label =
            if compose { format!("docker compose {verb} {container}") } else { format!("docker exec {container}") };
        inv.nested.push((label, inner.to_vec()));
    }
    if let Some(host) = opts.value(&["-H", "--host"]) {
        action.env.add_host(&host.text);
    }
    vec![action]
}

/// The container and the command of `docker exec [OPTS] NAME CMD…` (or
/// `docker compose exec|run [OPTS] SERVICE CMD…`), flags of the command kept.
fn exec_command<'a>(args: &'a [Arg], verb: &str) -> Option<(String, &'a [Arg])> {
    const VALUE_FLAGS: [&str; 10] =
        ["-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--index", "--name", "-v"];
    let mut i = args.iter().position(|a| a.text == verb)? + 1;
    while let Some(arg) = args.get(i) {
        if !arg.text.starts_with('-') {
            break;
        }
        i += if VALUE_FLAGS.contains(&arg.text.as_str()) { 2 } else { 1 };
    }
    let container = args.get(i)?;
    let inner = args.get(i + 1..).filter(|inner| !inner.is_empty())?;
    Some((container.text.clone(), inner))
}

pub fn ansible(inv: &mut Invocation<'_>) -> Vec<Action> {
    let value_flags = [
        "-i",
        "--inventory",
        "-l",
        "--limit",
        "-m",
        "--module-name",
        "-a",
        "--args",
        "-e",
        "--extra-vars",
        "-u",
        "--user",
        "-f",
        "--forks",
        "-t",
        "--tags",
        "--skip-tags",
        "-b",
        "--become-user",
        "--vault-password-file",
        "-c",
        "--connection",
        "-T",
        "--timeout",
        "--private-key",
        "-M",
    ];
    let opts = Opts::new(inv.args, &value_flags);
    let positionals = opts.positionals();
    let check = opts.has(&["--check", "-C", "--syntax-check", "--list-hosts", "--list-tasks"]);
    let mut action = Action::new(inv.tool, if check { ActionClass::Read } else { ActionClass::Deploy });
    if check {
        action.flag("dry-run");
    }
    if inv.tool == "ansible" {
        if let Some(pattern) = positionals.first() {
            for host in pattern.text.split([',', ':']).filter(|h| !h.is_empty()) {
                action.targets.push(Target::host(host));
                action.env.add_host(host);
            }
        }
        let module = opts.value(&["-m", "--module-name"]).map(|a| a.text).unwrap_or_else(|| "command".into());
        action.command.push(module.clone());
        if let Some(module_args) = opts.value(&["-a", "--args"]) {
            if matches!(
                module.as_str(),
                "command" | "shell" | "ansible.builtin.command" | "ansible.builtin.shell" | "raw"
            ) {
                action.class = ActionClass::Exec;
                inv.nested.push((format!("ansible {module}"), vec![module_args]));
            }
        } else if module == "ping" || module == "setup" {
            action.class = ActionClass::Read;
        }
    } else {
        for playbook in &positionals {
            action.targets.push(Target::path(&playbook.text));
        }
    }
    for limit in opts.values(&["-l", "--limit"]) {
        for host in limit.text.split([',', ':']).filter(|h| !h.is_empty()) {
            action.env.add_host(host);
            action.targets.push(Target::host(host));
        }
    }
    vec![action]
}

/// curl and friends: the method decides.
pub fn http(inv: &mut Invocation<'_>) -> Vec<Action> {
    let value_flags = [
        "-X",
        "--request",
        "-d",
        "--data",
        "--data-raw",
        "--data-binary",
        "-H",
        "--header",
        "-o",
        "--output",
        "-u",
        "--user",
        "-F",
        "--form",
        "-T",
        "--upload-file",
        "-O",
        "-A",
        "--user-agent",
        "-e",
        "--cert",
        "--key",
        "--cacert",
        "-w",
        "--write-out",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-x",
        "--proxy",
        "-b",
        "--cookie",
        "-c",
        "--retry",
    ];
    let opts = Opts::new(inv.args, &value_flags);
    let method = opts.value(&["-X", "--request"]).map(|a| a.text.to_ascii_uppercase());
    let has_data = opts.has(&["-d", "--data", "--data-raw", "--data-binary", "-F", "--form", "--json"]);
    let method = method.unwrap_or_else(|| {
        if opts.has(&["-T", "--upload-file"]) {
            "PUT".into()
        } else if has_data {
            "POST".into()
        } else {
            "GET".into()
        }
    });
    let class = match method.as_str() {
        "DELETE" => ActionClass::Delete,
        "POST" | "PUT" | "PATCH" => ActionClass::Update,
        _ => ActionClass::Read,
    };
    let mut action = Action::new(inv.tool, class);
    action.command.push(method);
    for url in opts.positionals().iter().filter(|a| a.text.contains("://") || a.text.contains('.')) {
        let host = url.text.split_once("://").map(|(_, r)| r).unwrap_or(&url.text);
        let host = host.split(['/', ':', '?']).next().unwrap_or(host);
        action.env.add_host(host);
        action.targets.push(Target::Other { value: url.text.clone() });
    }
    vec![action]
}

pub fn kafka_topics(inv: &mut Invocation<'_>) -> Vec<Action> {
    let opts = Opts::new(
        inv.args,
        &[
            "--topic",
            "--bootstrap-server",
            "--zookeeper",
            "--partitions",
            "--replication-factor",
            "--config",
            "--command-config",
        ],
    );
    let class = if opts.has(&["--delete"]) {
        ActionClass::Delete
    } else if opts.has(&["--create"]) {
        ActionClass::Create
    } else if opts.has(&["--alter"]) {
        ActionClass::Update
    } else {
        ActionClass::Read
    };
    let mut action = Action::new(inv.tool, class);
    if let Some(topic) = opts.value(&["--topic"]) {
        action.targets.push(Target::Other { value: format!("topic:{}", topic.text) });
    }
    if let Some(server) = opts.value(&["--bootstrap-server"]) {
        let host = server.text.split([',', ':']).next().unwrap_or("");
        action.env.add_host(host);
    }
    vec![action]
}
