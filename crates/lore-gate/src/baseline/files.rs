//! Deleting files: where a recursive or forced delete lands decides how
//! much it may cost. The machine's own files and the home directories are
//! never deleted on an agent's say-so; anything outside the working tree
//! and the temp directories needs a human; inside the tree, what git keeps
//! or ignores decides.

use lore_action::{Action, Target};
use lore_model::{ActionClass, Decision};

use super::{Finding, Surroundings};
use crate::workspace::PathState;

/// Directories whose contents are the machine itself.
const SYSTEM_DIRS: [&str; 27] = [
    "/etc",
    "/usr",
    "/var",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/boot",
    "/root",
    "/opt",
    "/srv",
    "/sys",
    "/proc",
    "/dev",
    "/run",
    "/snap",
    "/nix",
    "/System",
    "/Library",
    "/Applications",
    "/private",
    "/efi",
    "/usr/local",
    "/var/lib",
    "/cores",
];

/// Where temporary files live; what is in them is meant to go.
const TEMP_DIRS: [&str; 6] = ["/tmp", "/var/tmp", "/dev/shm", "/private/tmp", "/private/var/folders", "/var/folders"];

/// Directories of users' homes.
const HOME_ROOTS: [&str; 2] = ["/home", "/Users"];

/// Names of what builds, package managers and tools regenerate.
const REGENERATED: [&str; 26] = [
    "target",
    "node_modules",
    "dist",
    "build",
    "out",
    ".next",
    ".nuxt",
    ".svelte-kit",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    ".venv",
    "venv",
    "coverage",
    ".coverage",
    "htmlcov",
    ".cache",
    "Caches",
    ".gradle",
    ".parcel-cache",
    ".turbo",
    ".terraform",
    "_build",
    ".eggs",
];

/// Stands for the home directory when the caller's is not known.
const UNKNOWN_HOME: &str = "/~";

/// How a delete treats what it names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Everything under the path (`rm -r`, `find -delete`, `rsync --delete`).
    Tree,
    /// The named files, without asking (`rm -f`, `shred`, `truncate -s 0`).
    Files,
    /// Overwrites the destination (`mv a b`).
    Overwrite,
    /// Some files under the path, chosen by a test (`find ~ -mtime +30 -delete`).
    Matching,
    /// Files under the path chosen by name (`find logs -name '*.gz' -delete`).
    Named,
}

pub fn check(action: &Action, around: &Surroundings) -> Vec<Finding> {
    let Some(own_reach) = reach(action) else { return Vec::new() };
    let remote = !action.env.hosts.is_empty() && action.tool == "rsync";
    let mut findings = Vec::new();
    for path in action.targets.iter().filter_map(|t| match t {
        Target::Path { path } => Some(path.as_str()),
        _ => None,
    }) {
        // `find ROOT -name X -exec rm {} ;`: each file found under ROOT.
        let (path, reach) = match path.strip_suffix("/{}") {
            Some(root) => (root, found_by_find(action).unwrap_or(Reach::Matching)),
            None => (path, own_reach),
        };
        // `mv a /usr/local/bin/`: into a directory, not over a file.
        if path.starts_with("/dev/null") || (reach == Reach::Overwrite && !names_a_file(path)) {
            continue;
        }
        let no_preserve_root = action.has_flag("no-preserve-root");
        let Some(place) = resolve(path, action, around) else { continue };
        let mut finding = judge(&place, path, reach, no_preserve_root, action, around);
        if let Some(f) = finding.as_mut().filter(|_| remote) {
            f.decision = f.decision.min(Decision::Ask);
        }
        findings.extend(finding);
    }
    findings
}

/// Writing over the machine's own files (`: > /etc/passwd`, `tee
/// /etc/sudoers`, `cp x /etc/shadow`, `sed -i d /etc/fstab`) or a user's
/// dotfiles and keys, and changing the permissions of a whole system tree
/// (`chmod -R 777 /`). Deletes and moves are [`check`]'s.
pub fn writes(action: &Action, around: &Surroundings) -> Vec<Finding> {
    let permissions = action.class == ActionClass::PermissionChange;
    let remote = !action.env.hosts.is_empty();
    if reach(action).is_some() || remote || !(permissions || action.class == ActionClass::DataWrite) {
        return Vec::new();
    }
    // Copying or linking into `/usr/local/bin` or `/opt` installs something;
    // only the machine's configuration and boot files are guarded from it.
    let installs = matches!(action.tool.as_str(), "cp" | "ln" | "install" | "rsync" | "scp");
    let guarded: &[&str] = if installs { &["/etc", "/boot"] } else { &SYSTEM_DIRS };
    let paths = action.targets.iter().filter_map(|t| match t {
        Target::Path { path } => Some(path.as_str()),
        _ => None,
    });
    let mut findings = Vec::new();
    for raw in paths {
        let Some(place) = resolve(raw, action, around) else { continue };
        let path = place.path.as_str();
        let home = around.home.unwrap_or(UNKNOWN_HOME);
        let shown = if raw == path { format!("`{path}`") } else { format!("`{raw}` (`{path}`)") };
        let scratch = ["/var/log", "/var/cache", "/dev", "/proc/self"];
        if temp_dir_holding(path, around).is_some() || scratch.iter().any(|d| within(path, d)) {
            continue;
        }
        let in_cwd = around.cwd.is_some_and(|c| c != "/" && c != home && within(path, c.trim_end_matches('/')));
        if permissions {
            let whole_tree = path == home || SYSTEM_DIRS.contains(&path) || HOME_ROOTS.contains(&path);
            if action.has_flag("recursive") && path == "/" {
                findings.push(machine(format!(
                    "changing the owner or permissions of everything under {shown} breaks the machine: services, sudo and ssh refuse to run with them"
                )));
            } else if action.has_flag("recursive") && whole_tree && !in_cwd {
                findings.push(Finding::new(
                    Decision::Ask,
                    format!("this changes the owner or permissions of everything under {shown}, files the system and its users depend on"),
                    "change only the files you mean, and check them first with `ls -l`",
                ));
            }
            continue;
        }
        let system = guarded.iter().any(|d| within(path, d));
        let dotfile = path.strip_prefix(home).is_some_and(|rest| rest.starts_with("/."));
        if !in_cwd && (system || dotfile) {
            let whose = if system { "the machine's own files" } else { "your own settings and keys" };
            findings.push(overwrite(&shown, whose));
        }
    }
    findings
}

/// A destination that is a file, not a directory to move into: it has an
/// extension, or sits straight in `/etc`.
fn names_a_file(path: &str) -> bool {
    const FILE_DIRS: [&str; 7] =
        ["/etc", "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"];
    let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
    let directory = path.ends_with('/') || matches!(name, "." | "..");
    !directory && (name.contains('.') || FILE_DIRS.contains(&parent))
}

/// How a command that `find -exec` runs reaches the files found.
fn found_by_find(action: &Action) -> Option<Reach> {
    let wrapper = action.wrappers.iter().find(|w| w.starts_with("find -exec") || w.starts_with("find -ok"))?;
    Some(if wrapper.ends_with(" named") { Reach::Named } else { Reach::Matching })
}

fn reach(action: &Action) -> Option<Reach> {
    let under_find = action.wrappers.iter().any(|w| w.starts_with("find -exec") || w.starts_with("find -ok"));
    match action.tool.as_str() {
        "rm" | "unlink" | "srm" if action.has_flag("recursive") || under_find => Some(Reach::Tree),
        "rm" | "unlink" | "srm" if action.has_flag("force") => Some(Reach::Files),
        "find" if action.command.first().is_some_and(|c| c == "-delete") => {
            Some(match (action.has_flag("named"), action.has_flag("filtered")) {
                (true, _) => Reach::Named,
                (false, true) => Reach::Matching,
                _ => Reach::Tree,
            })
        }
        "rsync" if action.has_flag("delete") => Some(Reach::Tree),
        "shred" | "truncate" => Some(Reach::Files),
        "mv" => Some(Reach::Overwrite),
        _ => None,
    }
}

/// A path made absolute: `~`, `~user`, `$HOME`, `$TMPDIR` and `..`
/// resolved against the caller's directories. A glob stands for the
/// directory it lists.
struct Place {
    path: String,
    /// The path named everything in a directory (`dir/*`), not one entry.
    listing: bool,
}

fn resolve(raw: &str, action: &Action, around: &Surroundings) -> Option<Place> {
    let home = around.home.unwrap_or(UNKNOWN_HOME);
    let text = raw
        .replacen("${HOME}", home, 1)
        .replacen("$HOME", home, 1)
        .replacen("${TMPDIR}", around.tmpdir.unwrap_or("/tmp"), 1)
        .replacen("$TMPDIR", around.tmpdir.unwrap_or("/tmp"), 1);
    let text = match around.cwd {
        Some(cwd) => text.replacen("${PWD}", cwd, 1).replacen("$PWD", cwd, 1),
        None => text,
    };
    // A path that starts unknown (`$DIR/x`, `{}`) is not guessed at; an
    // unknown part further in (`/home/$user`) stands for any name.
    if text.starts_with(['$', '`']) || text == "{}" {
        return None;
    }
    let absolute = if text == "~" || text.starts_with("~/") {
        format!("{home}{}", &text[1..])
    } else if let Some(user) = text.strip_prefix('~') {
        let parent = home.rsplit_once('/').map_or("/home", |(p, _)| if p.is_empty() { "/home" } else { p });
        format!("{parent}/{user}")
    } else if text.starts_with('/') {
        text
    } else {
        let base = base_directory(action, around)?;
        format!("{base}/{text}")
    };
    let mut parts: Vec<&str> = Vec::new();
    let mut listing = false;
    for part in absolute.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            unknown if unknown.contains(['$', '`']) => parts.push("*"),
            // `dir/*` as the last part deletes what dir holds; `dir/*.log` only some of it.
            "*" | ".*" | "{*,.*}" if absolute.ends_with(part) => {
                listing = true;
                break;
            }
            name => parts.push(name),
        }
    }
    Some(Place { path: format!("/{}", parts.join("/")), listing })
}

/// The directory relative paths start from: the caller's, moved by any
/// `cd` earlier in the command.
fn base_directory(action: &Action, around: &Surroundings) -> Option<String> {
    let cwd = around.cwd.map(|c| c.trim_end_matches('/').to_string());
    match action.env.directory.as_ref().and_then(|d| d.value()) {
        Some(dir) if dir.starts_with('/') => Some(dir.to_string()),
        Some(dir) if dir == "~" || dir.starts_with("~/") => Some(format!("{}{}", around.home?, &dir[1..])),
        Some(dir) => Some(format!("{}/{dir}", cwd?)),
        None => cwd,
    }
}

fn within(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/')) || dir == "/"
}

fn strictly_within(path: &str, dir: &str) -> bool {
    path != dir && within(path, dir)
}

/// The temp directory (`/tmp`, `$TMPDIR`, …) that is or holds `path`.
fn temp_dir_holding<'a>(path: &str, around: &Surroundings<'a>) -> Option<&'a str> {
    TEMP_DIRS.iter().copied().chain(around.tmpdir).map(|t| t.trim_end_matches('/')).find(|t| within(path, t))
}

fn regenerated(path: &str) -> bool {
    path.split('/').any(|part| REGENERATED.contains(&part) || part.ends_with(".pyc") || part.ends_with(".o"))
}

/// The verdict on deleting one place.
fn judge(
    place: &Place,
    raw: &str,
    reach: Reach,
    no_preserve_root: bool,
    action: &Action,
    around: &Surroundings,
) -> Option<Finding> {
    let path = place.path.as_str();
    let home = around.home.unwrap_or(UNKNOWN_HOME);
    let cwd = around.cwd.map(|c| c.trim_end_matches('/')).filter(|c| !c.is_empty() && *c != home);
    let tree = reach == Reach::Tree || place.listing;
    let shown = if raw == path { format!("`{path}`") } else { format!("`{raw}` (`{path}`)") };
    if matches!(reach, Reach::Matching | Reach::Named) {
        return matching(path, &shown, reach, cwd, home, around);
    }
    if path == "/" && (tree || no_preserve_root) {
        return Some(machine(format!("deleting {shown} deletes every file on the machine")));
    }
    let a_home = path == home
        || HOME_ROOTS.contains(&path)
        || HOME_ROOTS.iter().any(|root| path.strip_prefix(root).is_some_and(|r| r.len() > 1 && !r[1..].contains('/')));
    if a_home && reach != Reach::Overwrite && cwd.is_none_or(|c| !within(path, c) || path == home) {
        return Some(machine(format!(
            "deleting {shown} deletes a home directory: every project, key and setting in it"
        )));
    }
    if let Some(cwd) = cwd.filter(|c| within(path, c) && !SYSTEM_DIRS.contains(c) && *c != "/") {
        let whole = path == cwd && reach == Reach::Tree && !place.listing;
        return inside_tree(path, cwd, &shown, whole, reach, around);
    }
    // In a temp directory, or everything a temp directory holds (`/tmp/*`).
    if temp_dir_holding(path, around).is_some_and(|t| path != t || place.listing) {
        return None;
    }
    if strictly_within(path, home) {
        let in_home = path.strip_prefix(home).unwrap_or(path);
        if regenerated(in_home) {
            return None;
        }
        if reach == Reach::Overwrite {
            // Dotfiles are the user's settings and keys: `~/.bashrc`, `~/.ssh/config`.
            return in_home.starts_with("/.").then(|| overwrite(&shown, "your own settings"));
        }
        return Some(outside(&shown, reach));
    }
    let system = path == "/" || SYSTEM_DIRS.iter().any(|d| within(path, d));
    if system {
        return Some(match reach {
            Reach::Tree => machine(format!(
                "deleting {shown} deletes part of the machine's own files; the system or its services may not start again"
            )),
            Reach::Overwrite => overwrite(&shown, "the machine's own files"),
            // Logs and caches are meant to be rotated away; the rest is the system.
            _ if ["/var/log", "/var/cache"].iter().any(|d| within(path, d)) => Finding::new(
                Decision::Ask,
                format!("deleting {shown} removes system logs or caches, outside the working directory"),
                "let logrotate or the package manager clean them (`journalctl --vacuum-time=7d`, `apt-get clean`)",
            ),
            _ => machine(format!(
                "deleting {shown} removes one of the machine's own files; the system or its services may not start again"
            )),
        });
    }
    (reach != Reach::Overwrite).then(|| outside(&shown, reach)).filter(|_| !action.has_flag("dry-run"))
}

/// A delete of the files a test picks: inside the working tree or a temp
/// directory they go; anywhere else a human looks first.
fn matching(
    path: &str,
    shown: &str,
    reach: Reach,
    cwd: Option<&str>,
    home: &str,
    around: &Surroundings,
) -> Option<Finding> {
    if temp_dir_holding(path, around).is_some()
        || cwd.is_some_and(|c| within(path, c))
        || (strictly_within(path, home) && regenerated(path))
    {
        return None;
    }
    // Files picked by name in one directory tree are few; across the whole
    // machine, a home or the system's files they may be anything.
    let wide = path == "/" || path == home || HOME_ROOTS.contains(&path) || SYSTEM_DIRS.iter().any(|d| within(path, d));
    let decision = if reach == Reach::Named && !wide { Decision::Warn } else { Decision::Ask };
    Some(Finding::new(
        decision,
        format!("deleting the files found under {shown}, outside the working directory; nothing brings them back"),
        "run the same `find` with `-print` instead of `-delete` first, and read the list",
    ))
}

fn overwrite(shown: &str, whose: &str) -> Finding {
    Finding::new(
        Decision::Ask,
        format!("this overwrites {shown}, one of {whose}, outside the working directory"),
        "keep a copy first (`cp -a FILE FILE.bak`), or change it through its package or service tool",
    )
}

/// Deleting the machine itself: no approval lifts it.
fn machine(message: String) -> Finding {
    Finding {
        approvable: false,
        ..Finding::new(
            Decision::Deny,
            message,
            "name the directory you mean, inside the project or a temp directory, and delete with `rm -ri` to confirm each entry",
        )
    }
}

fn outside(shown: &str, reach: Reach) -> Finding {
    let what = if reach == Reach::Tree { "and everything under it" } else { "without asking" };
    Finding::new(
        Decision::Ask,
        format!(
            "deleting {shown} {what}, outside the working directory and the temp directories; nothing brings it back"
        ),
        "check the path; move it aside first (`mv PATH /tmp/`) or delete with `rm -ri` to confirm each entry",
    )
}

/// Inside the working tree: regenerated and ignored files go freely; what
/// git tracks, or the tree itself, needs a human.
fn inside_tree(
    path: &str,
    cwd: &str,
    shown: &str,
    whole: bool,
    reach: Reach,
    around: &Surroundings,
) -> Option<Finding> {
    if whole {
        return Some(Finding::new(
            Decision::Ask,
            format!(
                "deleting {shown} deletes the whole working tree, with its .git: every local branch, stash and uncommitted change"
            ),
            "delete the subdirectories you mean; keep the checkout, or clone it afresh elsewhere first",
        ));
    }
    let relative = path.strip_prefix(cwd).map(|r| r.trim_start_matches('/')).unwrap_or(path);
    if regenerated(relative) || reach == Reach::Overwrite {
        return None;
    }
    let relative = if relative.is_empty() { "." } else { relative };
    match around.workspace.and_then(|w| w.path_state(relative))? {
        PathState::Tracked => Some(Finding::new(
            Decision::Ask,
            format!("deleting {shown} deletes files git tracks; edits not yet committed are lost"),
            "`git rm -r PATH` keeps the deletion reviewable; commit or `git stash` first",
        )),
        PathState::Untracked => Some(Finding::new(
            Decision::Warn,
            format!("{shown} is not tracked by git: once deleted, nothing brings it back"),
            "move it aside first (`mv PATH /tmp/`) if it may be needed",
        )),
        PathState::Ignored => None,
    }
}
