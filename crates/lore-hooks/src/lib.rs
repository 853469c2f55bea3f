//! Each coding agent's hook protocol: what it sends on stdin, how it wants a
//! decision back, and where its hook configuration lives. The facts come
//! from each agent's documentation (see docs/hooks.md).

use std::path::{Path, PathBuf};

use lore_model::Decision;
use serde_json::{Value, json};

/// A coding agent whose hook protocol lore speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    /// Claude Code.
    Claude,
    /// OpenAI's Codex CLI.
    Codex,
    /// Google's Gemini CLI.
    Gemini,
    /// Cursor (its shell-execution hooks).
    Cursor,
    /// GitHub Copilot CLI.
    Copilot,
    /// Kiro CLI.
    Kiro,
}

impl Agent {
    /// Every agent, in the order listings show them.
    pub const ALL: [Agent; 6] =
        [Agent::Claude, Agent::Codex, Agent::Gemini, Agent::Cursor, Agent::Copilot, Agent::Kiro];

    /// The agent a name means, case-insensitively: its [`Agent::name`] or a
    /// common alias (`claude`, `codex-cli`, `github-copilot`); `None` otherwise.
    pub fn parse(name: &str) -> Option<Agent> {
        Some(match name.to_ascii_lowercase().as_str() {
            "claude" | "claude-code" => Agent::Claude,
            "codex" | "codex-cli" => Agent::Codex,
            "gemini" | "gemini-cli" => Agent::Gemini,
            "cursor" => Agent::Cursor,
            "copilot" | "copilot-cli" | "github-copilot" => Agent::Copilot,
            "kiro" | "kiro-cli" => Agent::Kiro,
            _ => return None,
        })
    }

    /// The agent's name as lore writes it (`claude-code`, `codex`, …).
    pub fn name(self) -> &'static str {
        match self {
            Agent::Claude => "claude-code",
            Agent::Codex => "codex",
            Agent::Gemini => "gemini",
            Agent::Cursor => "cursor",
            Agent::Copilot => "copilot",
            Agent::Kiro => "kiro",
        }
    }

    /// Whether the agent can ask its user to approve; the others get a deny
    /// that says how a human can approve.
    pub fn can_ask(self) -> bool {
        matches!(self, Agent::Claude | Agent::Cursor | Agent::Copilot)
    }
}

/// When in a tool call the hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Before the tool runs: decide.
    Before,
    /// After it ran: record it.
    After,
}

/// What lore needs from a hook payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// Whether the tool is about to run or has run.
    pub event: Event,
    /// The agent's name for the tool (`Bash`, `run_shell_command`, `Shell` for Cursor).
    pub tool: String,
    /// The shell command, when the tool runs one.
    pub command: Option<String>,
    /// The agent's working directory (`cwd`, or Cursor's first workspace root), when sent.
    pub cwd: Option<String>,
    /// The agent's session or conversation ID, when sent.
    pub session: Option<String>,
}

/// Why a hook payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The payload is not JSON; holds the parser's message.
    #[error("the hook payload is not JSON: {0}")]
    NotJson(String),
    /// The payload names no tool (and is not Cursor's shell event).
    #[error("the hook payload has no tool name")]
    NoTool,
}

const SHELL_TOOLS: [&str; 8] =
    ["Bash", "bash", "Shell", "shell", "run_shell_command", "execute_bash", "powershell", "terminal"];

fn text(value: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| value.get(*k).and_then(Value::as_str)).map(str::to_string)
}

/// Reads `agent`'s hook payload (the JSON it writes on stdin).
pub fn parse(agent: Agent, payload: &str) -> Result<Payload, HookError> {
    let value: Value = serde_json::from_str(payload).map_err(|e| HookError::NotJson(e.to_string()))?;
    let event_name = text(&value, &["hook_event_name", "hookEventName", "event"]).unwrap_or_default();
    let event = if event_name.to_ascii_lowercase().starts_with("post")
        || event_name == "AfterTool"
        || event_name == "afterShellExecution"
    {
        Event::After
    } else {
        Event::Before
    };
    let session = text(&value, &["session_id", "sessionId", "conversation_id"]);
    let cwd = text(&value, &["cwd"])
        .or_else(|| value.get("workspace_roots").and_then(|r| r.get(0)).and_then(Value::as_str).map(str::to_string));
    // Cursor's beforeShellExecution carries the command at the top level.
    if agent == Agent::Cursor
        && let Some(command) = text(&value, &["command"])
    {
        return Ok(Payload { event, tool: "Shell".into(), command: Some(command), cwd, session });
    }
    let tool = text(&value, &["tool_name", "toolName"]).ok_or(HookError::NoTool)?;
    // Copilot sends toolArgs as a JSON string; the others as an object.
    let input = match value.get("tool_input").or_else(|| value.get("toolArgs")).or_else(|| value.get("tool_args")) {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::String(s.clone())),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    let command = if SHELL_TOOLS.contains(&tool.as_str()) {
        match &input {
            Value::String(s) => Some(s.clone()),
            v => text(v, &["command", "cmd", "script"]),
        }
    } else {
        None
    };
    Ok(Payload { event, tool, command, cwd, session })
}

/// What a hook prints and exits with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// What to print on stdout (JSON for most agents; empty when silent).
    pub stdout: String,
    /// What to print on stderr (Kiro shows it to the model on a block).
    pub stderr: String,
    /// The process exit code: 0, or 2 for Kiro to block.
    pub exit_code: i32,
}

impl Response {
    fn silent() -> Response {
        Response { stdout: String::new(), stderr: String::new(), exit_code: 0 }
    }

    fn json(value: Value) -> Response {
        Response { stdout: format!("{value}\n"), stderr: String::new(), exit_code: 0 }
    }
}

/// A decision to render: the verdict, the reason the agent should read, the
/// briefing, and how a human approves an ask when the agent cannot ask.
pub struct Answer<'a> {
    /// The gate's decision; an ask becomes a deny for agents that cannot ask.
    pub decision: Decision,
    /// The one-line reason the agent is shown.
    pub reason: &'a str,
    /// The briefing, given to the agent as extra context; may be empty.
    pub context: &'a str,
    /// How a human approves, appended to the reason when an ask becomes a deny.
    pub approve_hint: &'a str,
}

/// The agent's dialect for a decision. lore never answers "allow" where an
/// agent's allow would skip its own permission prompt: allows and warnings
/// only add context.
pub fn render(agent: Agent, answer: &Answer<'_>) -> Response {
    let decision = match answer.decision {
        Decision::Ask if !agent.can_ask() => Decision::Deny,
        d => d,
    };
    let reason = if answer.decision == Decision::Ask && !agent.can_ask() {
        format!("{} — this needs a human: {}", answer.reason, answer.approve_hint)
    } else {
        answer.reason.to_string()
    };
    let context = answer.context;
    match agent {
        Agent::Claude => match decision {
            Decision::Deny | Decision::Ask => Response::json(json!({
                "hookSpecificOutput": {
                    "hookEventName": "PreToolUse",
                    "permissionDecision": decision.as_str(),
                    "permissionDecisionReason": reason,
                    "additionalContext": context,
                }
            })),
            Decision::Warn => Response::json(json!({
                "hookSpecificOutput": { "hookEventName": "PreToolUse", "additionalContext": format!("lore warns: {reason}\n{context}") }
            })),
            Decision::Allow if !context.is_empty() => Response::json(json!({
                "hookSpecificOutput": { "hookEventName": "PreToolUse", "additionalContext": context }
            })),
            Decision::Allow => Response::silent(),
        },
        // Codex rejects unknown fields and any decision but deny.
        Agent::Codex => match decision {
            Decision::Deny => Response::json(json!({
                "hookSpecificOutput": { "hookEventName": "PreToolUse", "permissionDecision": "deny", "permissionDecisionReason": format!("{reason}\n{context}").trim_end() }
            })),
            _ => Response::silent(),
        },
        Agent::Gemini => match decision {
            Decision::Deny => {
                Response::json(json!({ "decision": "deny", "reason": format!("{reason}\n{context}").trim_end() }))
            }
            Decision::Warn => Response::json(json!({ "decision": "allow", "reason": format!("lore warns: {reason}") })),
            _ => Response::silent(),
        },
        Agent::Cursor => match decision {
            Decision::Allow => Response::json(json!({ "permission": "allow" })),
            Decision::Warn => Response::json(
                json!({ "permission": "allow", "agent_message": format!("lore warns: {reason}\n{context}").trim_end() }),
            ),
            d => Response::json(
                json!({ "permission": d.as_str(), "user_message": reason, "agent_message": format!("{reason}\n{context}").trim_end() }),
            ),
        },
        Agent::Copilot => match decision {
            Decision::Deny | Decision::Ask => Response::json(
                json!({ "permissionDecision": decision.as_str(), "permissionDecisionReason": format!("{reason}\n{context}").trim_end() }),
            ),
            _ => Response::silent(),
        },
        // Kiro reads exit codes only: 2 blocks, with stderr shown to the model.
        Agent::Kiro => match decision {
            Decision::Deny => Response {
                stdout: String::new(),
                stderr: format!("{reason}\n{context}").trim_end().to_string() + "\n",
                exit_code: 2,
            },
            _ => Response::silent(),
        },
    }
}

/// Where an agent's hook configuration goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The project's own configuration (`.claude/settings.json` in the project).
    Project,
    /// The user's configuration in their home directory.
    User,
}

/// The file holding `agent`'s hooks for `scope`, under `home` or `project`.
pub fn config_path(agent: Agent, scope: Scope, home: &Path, project: &Path) -> PathBuf {
    let base = match scope {
        Scope::User => home,
        Scope::Project => project,
    };
    match (agent, scope) {
        (Agent::Claude, _) => base.join(".claude/settings.json"),
        (Agent::Codex, _) => base.join(".codex/hooks.json"),
        (Agent::Gemini, _) => base.join(".gemini/settings.json"),
        (Agent::Cursor, _) => base.join(".cursor/hooks.json"),
        (Agent::Copilot, Scope::Project) => base.join(".github/hooks/lore.json"),
        (Agent::Copilot, Scope::User) => base.join(".copilot/hooks/lore.json"),
        (Agent::Kiro, _) => base.join(".kiro/agents/lore.json"),
    }
}

fn hook_command(binary: &Path, agent: Agent, event: &str) -> String {
    let suffix = if event.is_empty() { String::new() } else { format!(" --event {event}") };
    format!("{} hook {}{suffix}", shell_quote(&binary.to_string_lossy()), agent.name())
}

fn shell_quote(text: &str) -> String {
    if text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c)) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Adds lore's hook to `config` (an agent's settings JSON), keeping
/// everything else. Idempotent: an entry already calling `lore hook` is
/// replaced, not duplicated.
pub fn install_into(agent: Agent, mut config: Value, binary: &Path) -> Value {
    if !config.is_object() {
        config = json!({});
    }
    let is_lore = |entry: &Value| entry.to_string().contains(" hook ") && entry.to_string().contains("lore");
    let command = hook_command(binary, agent, "");
    let push = |list: &mut Value, entry: Value| {
        if !list.is_array() {
            *list = json!([]);
        }
        if let Some(items) = list.as_array_mut() {
            items.retain(|e| !is_lore(e));
            items.push(entry);
        }
    };
    match agent {
        Agent::Claude | Agent::Codex | Agent::Gemini => {
            let (pre, post, matcher) = match agent {
                Agent::Gemini => ("BeforeTool", "AfterTool", "run_shell_command"),
                _ => ("PreToolUse", "PostToolUse", "Bash"),
            };
            let hooks = &mut config["hooks"];
            if !hooks.is_object() {
                *hooks = json!({});
            }
            push(
                &mut hooks[pre],
                json!({ "matcher": matcher, "hooks": [{ "type": "command", "command": command, "timeout": 10 }] }),
            );
            push(
                &mut hooks[post],
                json!({ "matcher": matcher, "hooks": [{ "type": "command", "command": hook_command(binary, agent, "post"), "timeout": 10 }] }),
            );
        }
        Agent::Cursor => {
            config["version"] = json!(1);
            let hooks = &mut config["hooks"];
            if !hooks.is_object() {
                *hooks = json!({});
            }
            push(&mut hooks["beforeShellExecution"], json!({ "command": command }));
            push(&mut hooks["afterShellExecution"], json!({ "command": hook_command(binary, agent, "post") }));
        }
        Agent::Copilot => {
            config["version"] = json!(1);
            let hooks = &mut config["hooks"];
            if !hooks.is_object() {
                *hooks = json!({});
            }
            push(&mut hooks["preToolUse"], json!({ "type": "command", "bash": command, "timeoutSec": 10 }));
            push(
                &mut hooks["postToolUse"],
                json!({ "type": "command", "bash": hook_command(binary, agent, "post"), "timeoutSec": 10 }),
            );
        }
        Agent::Kiro => {
            if config.get("name").is_none() {
                config["name"] = json!("lore");
            }
            let hooks = &mut config["hooks"];
            if !hooks.is_object() {
                *hooks = json!({});
            }
            push(&mut hooks["preToolUse"], json!({ "matcher": "shell", "command": command, "timeout_ms": 10000 }));
            push(
                &mut hooks["postToolUse"],
                json!({ "matcher": "shell", "command": hook_command(binary, agent, "post"), "timeout_ms": 10000 }),
            );
        }
    }
    config
}

/// The binary lore's hook in `config` calls, if it has one (whether that
/// file exists is for the caller to check).
pub fn installed_binary(config: &Value) -> Option<PathBuf> {
    let text = config.to_string();
    let at = text.find(" hook ")?;
    let before = &text[..at];
    let start = before.rfind(['"', '\'']).map_or(0, |i| i + 1);
    let path = before[start..].trim();
    (!path.is_empty()).then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_of_every_agent() {
        let claude = r#"{"session_id":"s","cwd":"/repo","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"kubectl delete ns prod","description":"x"}}"#;
        let p = parse(Agent::Claude, claude).expect("parse");
        assert_eq!(
            (p.event, p.command.as_deref(), p.cwd.as_deref()),
            (Event::Before, Some("kubectl delete ns prod"), Some("/repo"))
        );
        let copilot = r#"{"sessionId":"s","cwd":"/r","toolName":"bash","toolArgs":"{\"command\":\"rm -rf /\"}"}"#;
        assert_eq!(parse(Agent::Copilot, copilot).expect("parse").command.as_deref(), Some("rm -rf /"));
        let cursor =
            r#"{"hook_event_name":"beforeShellExecution","conversation_id":"c","command":"git push -f","cwd":"/r"}"#;
        assert_eq!(parse(Agent::Cursor, cursor).expect("parse").command.as_deref(), Some("git push -f"));
        let gemini =
            r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"ls"}}"#;
        assert_eq!(parse(Agent::Gemini, gemini).expect("parse").command.as_deref(), Some("ls"));
        let edit = r#"{"hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"/a"}}"#;
        assert_eq!(parse(Agent::Claude, edit).expect("parse").command, None);
        let post = r#"{"hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#;
        assert_eq!(parse(Agent::Claude, post).expect("parse").event, Event::After);
        assert!(parse(Agent::Claude, "not json").is_err());
    }

    #[test]
    fn install_is_idempotent_and_keeps_other_settings() {
        let existing = json!({"model": "x", "hooks": {"PreToolUse": [{"matcher": "Edit", "hooks": []}]}});
        let once = install_into(Agent::Claude, existing, Path::new("/opt/lore/bin/lore"));
        let twice = install_into(Agent::Claude, once.clone(), Path::new("/opt/lore/bin/lore"));
        assert_eq!(once, twice);
        assert_eq!(once["model"], "x");
        assert_eq!(once["hooks"]["PreToolUse"].as_array().map(Vec::len), Some(2));
        assert_eq!(installed_binary(&once), Some(PathBuf::from("/opt/lore/bin/lore")));
    }
}
