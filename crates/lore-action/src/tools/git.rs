//! git: history rewrites, deleted refs and discarded work.

use lore_model::ActionClass;

use super::Opts;
use crate::model::{Action, Target};
use crate::shell::Invocation;

const GIT_GLOBAL_VALUE_FLAGS: [&str; 5] = ["-C", "-c", "--git-dir", "--work-tree", "--namespace"];

pub fn git(inv: &mut Invocation<'_>) -> Vec<Action> {
    let global = Opts::new(inv.args, &GIT_GLOBAL_VALUE_FLAGS);
    let Some(verb_arg) = global.positionals().first().copied() else {
        return vec![Action::new("git", ActionClass::Read)];
    };
    let verb = verb_arg.text.as_str();
    let start = inv.args.iter().position(|a| std::ptr::eq(a, verb_arg)).map_or(0, |i| i + 1);
    let args = &inv.args[start..];
    let opts = Opts::new(
        args,
        &[
            "-m",
            "--message",
            "-F",
            "--file",
            "-o",
            "--push-option",
            "--repo",
            "--exec",
            "-X",
            "--strategy-option",
            "-s",
            "--strategy",
            "--onto",
            "--author",
            "--date",
            "-b",
            "-B",
            "-c",
            "-C",
        ],
    );
    let positionals: Vec<String> = opts.positionals().iter().map(|a| a.text.clone()).collect();
    let mut action = Action::new("git", ActionClass::Read);
    action.command.push(verb.to_string());
    match verb {
        "push" if opts.has(&["--dry-run", "-n"]) || opts.short('n') => {
            action.class = ActionClass::Read;
            action.flag("dry-run");
        }
        "push" => {
            let remote = positionals.first().cloned();
            let refspecs: Vec<String> = positionals.iter().skip(1).cloned().collect();
            let forced = opts.has(&["--force", "-f", "--force-with-lease", "--force-if-includes"])
                || opts.short('f')
                || refspecs.iter().any(|r| r.starts_with('+'));
            let deleting = opts.has(&["--delete", "-d"]) || refspecs.iter().any(|r| r.starts_with(':'));
            action.class = if opts.has(&["--mirror"]) {
                action.flag("mirror");
                ActionClass::HistoryRewrite
            } else if forced {
                ActionClass::HistoryRewrite
            } else if deleting {
                ActionClass::Delete
            } else {
                ActionClass::Deploy
            };
            if opts.has(&["--force-with-lease"]) {
                action.flag("force-with-lease");
            } else if forced {
                action.flag("force");
            }
            if refspecs.is_empty() {
                action.targets.push(Target::Git { remote: remote.clone(), git_ref: None });
            }
            for spec in refspecs {
                let spec = spec.trim_start_matches('+');
                let dest = spec.rsplit(':').next().unwrap_or(spec).trim_start_matches("refs/heads/");
                action.targets.push(Target::Git { remote: remote.clone(), git_ref: Some(dest.to_string()) });
            }
        }
        "reset" if opts.has(&["--hard"]) => {
            action.class = ActionClass::DataDelete;
            action.flag("hard");
            if let Some(r) = positionals.first() {
                action.targets.push(Target::Git { remote: None, git_ref: Some(r.clone()) });
            }
        }
        "reset" => {
            action.class = ActionClass::Update;
            // They refuse to discard changes they would lose, but not all of them.
            if opts.has(&["--merge"]) {
                action.flag("merge");
            } else if opts.has(&["--keep"]) {
                action.flag("keep");
            }
        }
        "clean" if opts.short('n') || opts.has(&["--dry-run"]) => {
            action.class = ActionClass::Read;
            action.flag("dry-run");
        }
        "clean" if opts.short('i') || opts.has(&["--interactive"]) => action.class = ActionClass::Update,
        "clean" if opts.short('f') || opts.has(&["--force"]) => {
            action.class = ActionClass::DataDelete;
            action.flag("force");
            if opts.short('x') || opts.short('X') {
                action.flag("ignored-files");
            }
            for letter in ['d', 'x', 'X'] {
                if opts.short(letter) {
                    action.flag(&format!("-{letter}"));
                }
            }
            action
                .targets
                .extend(opts.after_dashdash().iter().chain(opts.positionals()).map(|p| Target::path(&p.text)));
        }
        "clean" => action.class = ActionClass::Read,
        "branch" if opts.has(&["-D"]) || (opts.has(&["-d", "--delete"]) && opts.has(&["-f", "--force"])) => {
            action.class = ActionClass::Delete;
            action.flag("force");
            action.targets.extend(positionals.iter().map(|b| Target::Git { remote: None, git_ref: Some(b.clone()) }));
        }
        "branch" if opts.has(&["-d", "--delete"]) => {
            action.class = ActionClass::Delete;
            action.targets.extend(positionals.iter().map(|b| Target::Git { remote: None, git_ref: Some(b.clone()) }));
        }
        "branch" if opts.has(&["-m", "-M", "--move"]) => action.class = ActionClass::Update,
        "checkout" | "restore" => {
            let paths = opts.after_dashdash();
            // `restore --staged` only unstages, unless it also restores the worktree.
            let unstages = verb == "restore" && opts.has(&["--staged", "-S"]) && !opts.has(&["--worktree", "-W"]);
            // `git checkout REF PATH…` overwrites the paths with REF's version.
            let checkout_paths: &[String] = match positionals.as_slice() {
                [first, ..] if first == "." => &positionals,
                [_, rest @ ..] if !rest.is_empty() => rest,
                _ => &[],
            };
            let discards = !unstages
                && (!paths.is_empty()
                    || (verb == "restore" && !positionals.is_empty())
                    || (verb == "checkout" && !checkout_paths.is_empty()));
            if discards {
                action.class = ActionClass::DataDelete;
                action.flag("discard-changes");
                action.targets.extend(paths.iter().map(|p| Target::path(&p.text)));
                if paths.is_empty() {
                    let listed = if verb == "checkout" { checkout_paths } else { &positionals };
                    action.targets.extend(listed.iter().map(|p| Target::path(p)));
                }
            } else if opts.has(&["-f", "--force"]) {
                action.class = ActionClass::DataDelete;
                action.flag("force");
            } else {
                action.class = ActionClass::Update;
            }
        }
        "switch" if opts.has(&["-f", "--force", "--discard-changes"]) => {
            action.class = ActionClass::DataDelete;
            action.flag("force");
        }
        "rebase" => {
            action.class = ActionClass::HistoryRewrite;
            action.flag("local");
        }
        "filter-branch" | "filter-repo" => {
            action.class = ActionClass::HistoryRewrite;
            action.flag("local");
            action.flag("rewrites-all-history");
        }
        "commit" if opts.has(&["--amend"]) => {
            action.class = ActionClass::HistoryRewrite;
            action.flag("local");
        }
        "stash" => match positionals.first().map(String::as_str) {
            Some("drop" | "clear") => {
                action.class = ActionClass::DataDelete;
                action.command.push(positionals[0].clone());
            }
            Some("list" | "show") => action.class = ActionClass::Read,
            _ => action.class = ActionClass::Update,
        },
        "tag" if opts.has(&["-d", "--delete"]) => action.class = ActionClass::Delete,
        // Pruning now (not after the default two weeks) removes what the reflog could still restore.
        "gc" | "prune"
            if opts.values(&["--prune", "--expire"]).iter().any(|v| matches!(v.text.as_str(), "now" | "all")) =>
        {
            action.class = ActionClass::DataDelete;
            action.flag("prune-now");
        }
        "reflog" if positionals.first().is_some_and(|p| p == "expire" || p == "delete") => {
            action.class = ActionClass::DataDelete;
            action.command.push(positionals[0].clone());
            action.flag("prune-now");
        }
        "update-ref" if opts.has(&["-d"]) => action.class = ActionClass::Delete,
        "commit" | "add" | "merge" | "pull" | "cherry-pick" | "revert" | "tag" | "mv" | "switch" | "init" | "clone"
        | "apply" | "am" => action.class = ActionClass::Update,
        "rm" => action.class = ActionClass::Delete,
        _ => action.class = ActionClass::Read,
    }
    vec![action]
}
