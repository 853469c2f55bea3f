//! Work lost in git: commands that throw away uncommitted changes,
//! untracked files, stashes, branches, the reflog, or other people's
//! commits. Where git can say cheaply that nothing would be lost, the
//! command is allowed and the reason says so.

use lore_action::{Action, Target};
use lore_model::{ActionClass, Decision};

use super::{Finding, Surroundings};

/// Branches everyone builds on: rewriting them is never an agent's call.
const PROTECTED_REFS: [&str; 4] = ["main", "master", "production", "prod"];

pub fn is_protected(git_ref: &str) -> bool {
    PROTECTED_REFS.contains(&git_ref) || git_ref.starts_with("release")
}

pub fn check(action: &Action, around: &Surroundings) -> Vec<Finding> {
    if action.tool != "git" || action.has_flag("help") {
        return Vec::new();
    }
    let verb = action.command.first().map(String::as_str).unwrap_or("");
    let finding = match verb {
        "push" if action.class == ActionClass::HistoryRewrite && !action.has_flag("mirror") => {
            force_push(action, around)
        }
        "reset" => reset(action, around),
        "checkout" | "restore" | "switch" if action.class == ActionClass::DataDelete => discard(action, around),
        "clean" if action.class == ActionClass::DataDelete => clean(action, around),
        "stash" if action.class == ActionClass::DataDelete => stash(action, around),
        "branch" if action.has_flag("force") => branch(action, around),
        "filter-branch" | "filter-repo" => Some(Finding::new(
            Decision::Ask,
            format!("git {verb} rewrites every commit: each clone, fork and open pull request must start over"),
            "work on a fresh clone, and keep a backup first (`git bundle create ../backup.bundle --all`)",
        )),
        "gc" | "reflog" | "prune" if action.has_flag("prune-now") => Some(Finding::new(
            Decision::Ask,
            format!(
                "git {verb} now drops the reflog and unreachable commits: what undoes a bad reset, rebase or branch delete"
            ),
            "leave expiry to git's defaults (`git gc` alone keeps two weeks)",
        )),
        _ => None,
    };
    finding.into_iter().collect()
}

fn refs(action: &Action) -> Vec<Option<&str>> {
    action
        .targets
        .iter()
        .filter_map(|t| match t {
            Target::Git { git_ref, .. } => Some(git_ref.as_deref()),
            _ => None,
        })
        .collect()
}

fn paths(action: &Action) -> Vec<&str> {
    action
        .targets
        .iter()
        .filter_map(|t| match t {
            Target::Path { path } => Some(path.as_str()),
            _ => None,
        })
        .collect()
}

/// Force-pushing replaces the remote branch; on a protected one that is
/// other people's work.
fn force_push(action: &Action, around: &Surroundings) -> Option<Finding> {
    let current = around.workspace.and_then(|w| w.branch());
    let branches: Vec<Option<String>> = refs(action)
        .into_iter()
        .map(|r| match r {
            Some("HEAD") | None => current.clone(),
            Some(r) => Some(r.to_string()),
        })
        .collect();
    if let Some(branch) = branches.iter().flatten().find(|b| is_protected(b)) {
        return Some(Finding::new(
            Decision::Deny,
            format!(
                "force-pushing `{branch}` rewrites a shared main branch: commits others pushed are dropped for everyone"
            ),
            "push to a new branch and open a pull request, or undo with `git revert`",
        ));
    }
    let named = branches.iter().flatten().next().map_or("the current branch".to_string(), |b| format!("`{b}`"));
    let lease = if action.has_flag("force-with-lease") { " (the lease only checks what you last fetched)" } else { "" };
    Some(Finding::new(
        Decision::Ask,
        format!(
            "force-pushing {named} replaces the remote branch's history{lease}; commits pushed there since are lost"
        ),
        "push to a new branch, or fetch and rebase onto the remote first so nothing is dropped",
    ))
}

fn reset(action: &Action, around: &Surroundings) -> Option<Finding> {
    let workspace = around.workspace;
    let hard = action.has_flag("hard");
    let careful = action.has_flag("merge") || action.has_flag("keep");
    if !hard && !careful {
        return None;
    }
    let dirty = workspace.and_then(|w| w.has_changes(&[]));
    let target = refs(action).into_iter().flatten().next().filter(|r| *r != "HEAD");
    // `--merge` and `--keep` refuse to throw away most changes: only a dirty tree is at risk.
    if careful {
        return (dirty == Some(true)).then(|| {
            Finding::new(
                Decision::Ask,
                "the working tree has uncommitted changes, and a reset may still overwrite some of them".into(),
                "commit them or `git stash` first",
            )
        });
    }
    let keeps_commits = match target {
        None => Some(true),
        Some(target) => workspace.and_then(|w| w.contains(target, "HEAD")),
    };
    if dirty == Some(false) && keeps_commits == Some(true) {
        return Some(Finding::new(
            Decision::Allow,
            "git reset --hard loses nothing here: the tree is clean and no commit is left behind".into(),
            "",
        ));
    }
    let moved =
        target.map_or(String::new(), |t| format!(", and moves the branch to `{t}`, leaving later commits behind"));
    Some(Finding::new(
        Decision::Ask,
        format!("git reset --hard discards every uncommitted change to tracked files{moved}"),
        "`git stash` (or commit) first; to look at another state, use `git worktree add ../other REF`",
    ))
}

/// `checkout -- PATH`, `restore PATH`, `checkout -f`, `switch --discard-changes`.
fn discard(action: &Action, around: &Surroundings) -> Option<Finding> {
    let paths = paths(action);
    let changed = around.workspace.and_then(|w| w.has_changes(&paths));
    let what = if paths.is_empty() { "the working tree".to_string() } else { format!("`{}`", paths.join(" ")) };
    if changed == Some(false) {
        return Some(Finding::new(Decision::Allow, format!("nothing to lose: {what} has no uncommitted changes"), ""));
    }
    Some(Finding::new(
        Decision::Ask,
        format!("this overwrites uncommitted changes in {what} with the committed version; they cannot be recovered"),
        "`git stash push -- PATH` first (or `git diff > backup.patch`), then restore",
    ))
}

fn clean(action: &Action, around: &Surroundings) -> Option<Finding> {
    let options: Vec<&str> = ["-d", "-x", "-X"].into_iter().filter(|o| action.has_flag(o)).collect();
    let paths = paths(action);
    if around.workspace.and_then(|w| w.clean_removes(&options, &paths)) == Some(false) {
        return Some(Finding::new(Decision::Allow, "git clean would remove nothing here".into(), ""));
    }
    let ignored =
        if action.has_flag("ignored-files") { ", ignored ones too (`.env`, local settings, caches)" } else { "" };
    Some(Finding::new(
        Decision::Ask,
        format!("git clean deletes untracked files{ignored}; git has no copy of them"),
        "run `git clean -n` with the same options to see the list, or `git clean -i` to choose",
    ))
}

fn stash(action: &Action, around: &Surroundings) -> Option<Finding> {
    if around.workspace.and_then(|w| w.has_stashes()) == Some(false) {
        return Some(Finding::new(Decision::Allow, "there are no stashes to lose".into(), ""));
    }
    let which = if action.command.get(1).is_some_and(|c| c == "clear") { "every stash" } else { "a stash" };
    Some(Finding::new(
        Decision::Ask,
        format!("this deletes {which}: work set aside there is gone"),
        "`git stash list` and `git stash show -p` first; `git stash branch NAME` keeps a stash as a branch",
    ))
}

fn branch(action: &Action, around: &Surroundings) -> Option<Finding> {
    let branches: Vec<&str> = refs(action).into_iter().flatten().collect();
    let merged = !branches.is_empty()
        && branches.iter().all(|b| around.workspace.and_then(|w| w.contains("HEAD", b)) == Some(true));
    if merged {
        return Some(Finding::new(Decision::Allow, "the branch is merged into HEAD: no commit is lost".into(), ""));
    }
    Some(Finding::new(
        Decision::Ask,
        format!("git branch -D deletes `{}` even if its commits are merged nowhere", branches.join(" ")),
        "`git branch -d` refuses when unmerged; push or tag it first if it may be needed",
    ))
}
