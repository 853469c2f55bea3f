//! Knowledge proposed by agents: written as files under `proposals/` in the
//! knowledge directory, marked proposed. lore reads them, shows them as
//! unreviewed and never enforces them; a human approves them into the
//! knowledge files (see docs/governance.md).

use std::path::Path;

use lore_model::{Day, Decision};
use lore_pack::query;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::config::Caller;
use crate::ops::{OpError, OpResult};
use crate::state::Shared;

const MAX_TEXT: usize = 4_000;

/// What an agent learned and proposes to add to the knowledge.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeRequest {
    /// `rule`, `fact`, `dependency` or `lesson` (an incident's lesson).
    pub kind: String,
    /// The system it is about.
    pub system: String,
    /// One line: the rule ("Never run X on Y"), the fact, the dependency or the lesson.
    pub statement: String,
    /// Why: the rationale, the evidence, where it was seen.
    pub why: String,
    /// Rules: the safer alternative.
    #[serde(default)]
    pub instead: Option<String>,
    /// Rules: what it should decide once approved: warn, ask or deny (default ask).
    #[serde(default)]
    pub decision: Option<String>,
    /// Rules: command globs it matches, such as `redis-cli * monitor*`.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Rules: tools it matches, such as `kubectl`.
    #[serde(default)]
    pub tools: Vec<String>,
    /// Dependencies: the system that `system` depends on.
    #[serde(default)]
    pub depends_on: Option<String>,
    /// Lessons: the incident it was learned from.
    #[serde(default)]
    pub incident: Option<String>,
}

/// Writes the proposal and reloads the knowledge so it is shown at once. Blocking.
pub fn propose(shared: &Shared, request: ProposeRequest, caller: Option<&Caller>) -> OpResult {
    if super::state::is_example(&shared.knowledge) {
        return Err(OpError::BadRequest(
            "lore is serving its built-in example; point it at your knowledge (--knowledge DIR) to propose".into(),
        ));
    }
    for (field, text) in [("statement", &request.statement), ("why", &request.why)] {
        if text.trim().is_empty() {
            return Err(OpError::BadRequest(format!("`{field}` is empty")));
        }
        if text.len() > MAX_TEXT {
            return Err(OpError::BadRequest(format!("`{field}` is longer than {MAX_TEXT} bytes")));
        }
    }
    let loaded = shared.current();
    let data = loaded.pack.as_ref().ok_or_else(|| OpError::Unavailable(loaded.unavailable()))?.data();
    let Some(ix) = query::resolve(data, &request.system) else {
        return Err(OpError::NotFound {
            message: format!("no system named `{}`", request.system),
            suggestions: query::suggest(data, &request.system),
        });
    };
    let system = data.systems[ix as usize].id.to_string();
    let who = match caller {
        Some(c) => format!("{}{}", c.agent, c.team.as_ref().map(|t| format!(" (team {t})")).unwrap_or_default()),
        None => "an unauthenticated local client".into(),
    };
    let today = Day::today();
    let key = format!("{}\n{system}\n{}", request.kind, request.statement.trim());
    let id = format!("PROP-{:08x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()) as u32);
    let text = match request.kind.as_str() {
        "rule" => rule_file(&id, &system, &request, &who, today)?,
        "fact" | "dependency" | "lesson" => note_file(&id, &system, &request, &who, today, data)?,
        other => {
            return Err(OpError::BadRequest(format!(
                "unknown kind `{other}`; expected rule, fact, dependency or lesson"
            )));
        }
    };
    let dir = loaded.root.join(lore_pack::PROPOSALS_DIR).join(&system);
    let path = dir.join(format!("{id}.md"));
    let relative = path.strip_prefix(&loaded.root).unwrap_or(&path).to_string_lossy().into_owned();
    if path.exists() {
        return Ok(json!({ "id": id, "status": "proposed", "path": relative, "note": "already proposed" }));
    }
    write_new(&dir, &path, &text).map_err(|e| OpError::Internal(format!("cannot write {relative}: {e}")))?;
    shared.rebuild();
    Ok(json!({
        "id": id,
        "status": "proposed",
        "path": relative,
        "note": "shown as unreviewed and never enforced until a human approves it (lore review)",
    }))
}

fn write_new(dir: &Path, path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let staging = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&staging, text)?;
    std::fs::rename(&staging, path)
}

/// Front matter written as JSON (which is YAML), so no agent text can break out of it.
fn rule_file(id: &str, system: &str, r: &ProposeRequest, who: &str, today: Day) -> Result<String, OpError> {
    let decision = match r.decision.as_deref().unwrap_or("ask") {
        "warn" => Decision::Warn,
        "ask" => Decision::Ask,
        "deny" => Decision::Deny,
        other => return Err(OpError::BadRequest(format!("a proposed rule decides warn, ask or deny, not `{other}`"))),
    };
    if r.commands.is_empty() && r.tools.is_empty() {
        return Err(OpError::BadRequest(
            "a proposed rule needs `commands` (globs) or `tools` saying which actions it is about".into(),
        ));
    }
    let mut front = json!({
        "kind": "rule",
        "id": id,
        "title": one_line(&r.statement),
        "decision": decision,
        "status": "proposed",
        "scope": { "systems": [system] },
        "match": { "commands": r.commands, "tools": r.tools },
        "rationale": r.why.trim(),
    });
    if let Some(instead) = &r.instead {
        front["instead"] = json!(instead.trim());
    }
    Ok(format!(
        "---\n{}\n---\n# {}\n\n## Proposal\n\nProposed by {who} on {today}. Not enforced until a human approves it.\n",
        serde_json::to_string(&front).unwrap_or_default(),
        one_line(&r.statement),
    ))
}

/// Facts, dependencies and lessons are documents until approved: searchable
/// and listed with the system, but they change no graph and no verdict.
fn note_file(
    id: &str,
    system: &str,
    r: &ProposeRequest,
    who: &str,
    today: Day,
    data: &lore_pack::ArchivedPackData,
) -> Result<String, OpError> {
    let title = match r.kind.as_str() {
        "dependency" => {
            let Some(target) = r.depends_on.as_deref().filter(|t| !t.trim().is_empty()) else {
                return Err(OpError::BadRequest("a proposed dependency needs `depends_on`".into()));
            };
            let known = query::resolve(data, target).map(|ix| data.systems[ix as usize].id.to_string());
            format!("Proposed dependency: {system} depends on {}", known.as_deref().unwrap_or(target))
        }
        "lesson" => match r.incident.as_deref() {
            Some(incident) => format!("Proposed lesson from {}: {}", one_line(incident), one_line(&r.statement)),
            None => format!("Proposed lesson: {}", one_line(&r.statement)),
        },
        _ => format!("Proposed fact about {system}: {}", one_line(&r.statement)),
    };
    Ok(format!(
        "# {title}\n\nStatus: proposed ({id}); unreviewed, proposed by {who} on {today}.\n\n## Statement\n\n{}\n\n## Why\n\n{}\n",
        quote(&r.statement),
        quote(&r.why)
    ))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(200).collect()
}

/// Agent text as plain paragraphs: no line of it can open a heading or front matter.
fn quote(text: &str) -> String {
    text.trim()
        .lines()
        .map(|line| {
            let t = line.trim_start();
            if t.starts_with('#') || t.starts_with("---") { format!("\\{t}") } else { line.to_string() }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The proposals waiting for review, from the loaded pack.
pub fn pending(shared: &Shared) -> Value {
    let loaded = shared.current();
    let rows = loaded.pack.as_ref().map(|p| query::proposals(p.data())).unwrap_or_default();
    serde_json::to_value(rows).unwrap_or_default()
}
