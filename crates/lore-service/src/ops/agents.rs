//! lore's place in each agent: registering its hook, and checking that
//! the hooks and the knowledge are in working order.

use std::path::{Path, PathBuf};

use lore_hooks::{Agent, Scope};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::evaluate::log_path_for;
use crate::knowledge::Knowledge;

/// The agent a name means, or `Invalid` listing the agents lore knows.
pub fn agent(name: &str) -> Result<Agent> {
    Agent::parse(name).ok_or_else(|| {
        Error::Invalid(format!(
            "unknown agent `{name}`; expected one of: claude-code, codex, gemini, cursor, copilot, kiro"
        ))
    })
}

/// Where and how to register the hook.
#[derive(Debug, Clone)]
pub struct InstallRequest {
    /// The agent.
    pub agent: Agent,
    /// The project's configuration or the user's.
    pub scope: Scope,
    /// The lore binary the hook calls.
    pub binary: PathBuf,
    /// The user's home directory.
    pub home: PathBuf,
    /// The project directory.
    pub project: PathBuf,
    /// Compute the configuration, write nothing.
    pub dry_run: bool,
}

/// The agent's configuration with lore's hook in it.
#[derive(Debug, Serialize)]
pub struct Installed {
    /// The agent's configuration file.
    pub path: PathBuf,
    /// Its new text.
    pub text: String,
    /// Whether it was written (not on a dry run).
    pub written: bool,
}

/// Merges lore's hook into the agent's configuration, keeping everything else in it.
pub fn install(request: &InstallRequest) -> Result<Installed> {
    let path = lore_hooks::config_path(request.agent, request.scope, &request.home, &request.project);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|err| Error::Malformed {
            path: path.clone(),
            message: format!("not valid JSON ({err}); fix it or move it aside"),
        })?,
        Err(_) => serde_json::json!({}),
    };
    let updated = lore_hooks::install_into(request.agent, existing, &request.binary);
    let text = serde_json::to_string_pretty(&updated).unwrap_or_default() + "\n";
    if !request.dry_run {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(Error::io("creating", dir))?;
        }
        std::fs::write(&path, &text).map_err(Error::io("writing", &path))?;
    }
    Ok(Installed { path, text, written: !request.dry_run })
}

/// One check of [`health`].
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked: `knowledge`, `decision log`, `claude-code hook`, …
    pub check: String,
    /// Whether it is in order.
    pub ok: bool,
    /// What was found, or what to do.
    pub detail: String,
}

/// Whether lore is in working order here.
#[derive(Debug, Serialize)]
pub struct Health {
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// The knowledge loads and the log opens (an agent without the hook is only a hint).
    pub healthy: bool,
}

/// Checks that the knowledge loads, the decision log opens, and which
/// agents have lore's hook (each calling a binary that exists).
pub fn health(flag: Option<&Path>, home: &Path, project: &Path) -> Health {
    let mut checks = vec![knowledge_check(flag)];
    let log_path = log_path_for(flag);
    checks.push(match lore_log::open(&log_path).and_then(|l| l.count()) {
        Ok(n) => check("decision log", true, format!("{} ({n} decisions)", log_path.display())),
        Err(err) => check("decision log", false, err.to_string()),
    });
    checks.extend(linking_check());
    let hooks = hook_checks(home, project);
    let any_hook = hooks.iter().any(|c| c.ok);
    checks.extend(hooks);
    let healthy = checks.iter().all(|c| c.ok);
    if !any_hook {
        checks.push(check(
            "hooks",
            false,
            "no agent has lore's hook; run `lore install claude-code` (or codex, gemini, cursor, copilot, kiro)".into(),
        ));
    }
    Health { checks, healthy }
}

fn check(name: &str, ok: bool, detail: String) -> Check {
    Check { check: name.to_string(), ok, detail }
}

/// How this binary was linked, on Linux with glibc: informational, since
/// both work, but a hook starts a process per tool call and dynamic loading
/// is most of that cost there.
fn linking_check() -> Option<Check> {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return None;
    }
    let detail = if cfg!(target_feature = "crt-static") {
        "statically linked: a hook call pays no dynamic loading"
    } else {
        "dynamically linked: each hook call spends about a millisecond loading libc; \
         scripts/build-release.sh builds a statically linked lore"
    };
    Some(check("binary", true, detail.to_string()))
}

fn knowledge_check(flag: Option<&Path>) -> Check {
    // Every byte checked: hooks trust the pack's header, so this is where a
    // pack damaged after its build shows.
    let opened = Knowledge::locate(flag).and_then(|k| {
        let opened = k.open(None)?;
        opened.pack.verify()?;
        Ok((k, opened))
    });
    match opened {
        Ok((k, opened)) => {
            let manifest = opened.pack.manifest();
            let c = &manifest.counts;
            let detail =
                format!("{} ({} systems, {} rules) from {}", manifest.version(), c.systems, c.rules, k.root.display());
            check("knowledge", true, detail)
        }
        Err(err) => check("knowledge", false, err.to_string()),
    }
}

/// Each agent configuration, project and user, that registers lore's hook.
fn hook_checks(home: &Path, project: &Path) -> Vec<Check> {
    let mut checks = Vec::new();
    for agent in Agent::ALL {
        for scope in [Scope::Project, Scope::User] {
            let path = lore_hooks::config_path(agent, scope, home, project);
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let config: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let name = format!("{} hook", agent.name());
            match lore_hooks::installed_binary(&config) {
                Some(binary) if binary.is_file() => {
                    checks.push(check(&name, true, format!("{} → {}", path.display(), binary.display())));
                }
                Some(binary) => checks.push(check(
                    &name,
                    false,
                    format!(
                        "{} calls {}, which does not exist; run lore install {}",
                        path.display(),
                        binary.display(),
                        agent.name()
                    ),
                )),
                None => {}
            }
        }
    }
    checks
}
