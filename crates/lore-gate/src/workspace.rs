//! What git says about the agent's working tree, asked only for the
//! actions whose verdict depends on it (`git reset --hard`, `rm -rf src`),
//! each question bounded in time. Any failure, timeout or missing repository
//! is "cannot tell", and the gate then decides as if it could not look.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The longest one git question may take before lore stops waiting.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(300);
/// Output past this is not read. The questions only need to know whether
/// there is any, so a long answer is cut, and git stops on a closed pipe.
const MAX_OUTPUT: usize = 64 * 1024;

/// The working tree of one check, with answers cached for its actions.
#[derive(Debug, Clone)]
pub struct Workspace {
    dir: PathBuf,
    repository: OnceLock<bool>,
    dirty: OnceLock<Option<bool>>,
    branch: OnceLock<Option<String>>,
}

/// What git knows of one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathState {
    /// Some file under it is tracked.
    Tracked,
    /// Ignored by `.gitignore`: build outputs, caches, local settings.
    Ignored,
    /// Neither: nothing can bring it back once deleted.
    Untracked,
}

impl Workspace {
    /// The working tree at `dir`; git is asked nothing until a question needs it.
    pub fn new(dir: &Path) -> Workspace {
        Workspace {
            dir: dir.to_path_buf(),
            repository: OnceLock::new(),
            dirty: OnceLock::new(),
            branch: OnceLock::new(),
        }
    }

    /// Whether the directory is inside a git work tree: found by looking
    /// for `.git`, so a directory outside any repository costs no process.
    fn in_repository(&self) -> bool {
        *self.repository.get_or_init(|| self.dir.ancestors().any(|d| d.join(".git").exists()))
    }

    fn git(&self, args: &[&str]) -> Option<String> {
        if !self.in_repository() {
            return None;
        }
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(&self.dir)
            .args(["--no-optional-locks", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false"])
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        run_bounded(command, PROBE_TIMEOUT)
    }

    /// Whether tracked files under `paths` (the whole tree when empty)
    /// differ from the last commit, staged or not.
    pub fn has_changes(&self, paths: &[&str]) -> Option<bool> {
        if paths.is_empty() {
            return *self.dirty.get_or_init(|| self.changes(&[]));
        }
        self.changes(paths)
    }

    fn changes(&self, paths: &[&str]) -> Option<bool> {
        let mut args = vec!["status", "--porcelain", "--untracked-files=no", "--"];
        args.extend_from_slice(paths);
        self.git(&args).map(|out| !out.trim().is_empty())
    }

    /// The checked-out branch; `None` when detached or unknown.
    pub fn branch(&self) -> Option<String> {
        self.branch
            .get_or_init(|| {
                let out = self.git(&["symbolic-ref", "--quiet", "--short", "HEAD"])?;
                Some(out.trim().to_string()).filter(|b| !b.is_empty())
            })
            .clone()
    }

    /// Whether `commit` is already contained in `into`: moving to it or
    /// deleting it loses no commit.
    pub fn contains(&self, into: &str, commit: &str) -> Option<bool> {
        if commit.starts_with('-') || into.starts_with('-') {
            return None;
        }
        let base = self.git(&["merge-base", into, commit])?;
        let tip = self.git(&["rev-parse", "--verify", "--quiet", &format!("{commit}^{{commit}}")])?;
        Some(base.trim() == tip.trim())
    }

    /// Whether `git clean` with these options would remove anything: asked
    /// with `--dry-run`, so nothing is removed.
    pub fn clean_removes(&self, options: &[&str], paths: &[&str]) -> Option<bool> {
        let mut args = vec!["clean", "--dry-run"];
        args.extend(options.iter().copied().filter(|o| matches!(*o, "-d" | "-x" | "-X")));
        args.push("--");
        args.extend_from_slice(paths);
        self.git(&args).map(|out| !out.trim().is_empty())
    }

    /// Whether the repository has stashed changes; `None` when git cannot say.
    pub fn has_stashes(&self) -> Option<bool> {
        self.git(&["stash", "list"]).map(|out| !out.trim().is_empty())
    }

    /// Tracked, ignored or neither, for a path relative to the working directory.
    pub fn path_state(&self, path: &str) -> Option<PathState> {
        if !self.git(&["ls-files", "--", path])?.trim().is_empty() {
            return Some(PathState::Tracked);
        }
        let ignored = self.git(&["check-ignore", "--quiet", "--no-index", "--", path]).is_some();
        Some(if ignored { PathState::Ignored } else { PathState::Untracked })
    }
}

/// Runs a command for at most `timeout`; its stdout when it exits with 0.
fn run_bounded(mut command: Command, timeout: Duration) -> Option<String> {
    let mut child = command.spawn().ok()?;
    let mut stdout = child.stdout.take()?;
    // Read on a thread so a full pipe never stalls the child past the deadline.
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = (&mut stdout).take(MAX_OUTPUT as u64).read_to_end(&mut out);
        out
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(1)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    }?;
    let out = reader.join().ok()?;
    (status.success() || out.len() >= MAX_OUTPUT).then(|| String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_outside_any_repository_spawns_nothing() {
        let workspace = Workspace::new(Path::new("/nonexistent/lore/workspace"));
        assert_eq!(workspace.has_changes(&[]), None);
        assert_eq!(workspace.branch(), None);
        assert_eq!(workspace.path_state("src"), None);
    }

    #[test]
    fn a_slow_command_is_stopped_at_the_deadline() {
        let mut command = Command::new("sleep");
        command.arg("5").stdout(Stdio::piped());
        let started = Instant::now();
        assert_eq!(run_bounded(command, Duration::from_millis(50)), None);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
