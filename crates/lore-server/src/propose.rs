//! Knowledge proposed by agents: written as files under `proposals/` in the
//! knowledge directory, marked proposed. lore reads them, shows them as
//! unreviewed and never enforces them; a human approves them into the
//! knowledge files (see docs/governance.md).

use lore_govern::proposal::{self, Kind, Proposal, ProposalError};
use lore_model::{Day, Decision};
use lore_pack::query;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::config::Caller;
use crate::ops::{OpError, OpResult};
use crate::state::Shared;

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
    if shared.is_example() {
        return Err(OpError::BadRequest(
            "lore is serving its built-in example; point it at your knowledge (--knowledge DIR) to propose".into(),
        ));
    }
    let kind = Kind::parse(&request.kind).ok_or_else(|| {
        OpError::BadRequest(format!("unknown kind `{}`; expected rule, fact, dependency or lesson", request.kind))
    })?;
    let decision = match request.decision.as_deref() {
        None => None,
        Some("warn") => Some(Decision::Warn),
        Some("ask") => Some(Decision::Ask),
        Some("deny") => Some(Decision::Deny),
        Some(other) => {
            return Err(OpError::BadRequest(format!("a proposed rule decides warn, ask or deny, not `{other}`")));
        }
    };
    let loaded = shared.current();
    let data = loaded.pack.as_ref().ok_or_else(|| OpError::Unavailable(loaded.unavailable()))?.data();
    let Some(ix) = query::resolve(data, &request.system) else {
        return Err(OpError::NotFound {
            message: format!("no system named `{}`", request.system),
            suggestions: query::suggest(data, &request.system),
        });
    };
    let proposal = Proposal {
        kind,
        system: data.systems[ix as usize].id.to_string(),
        statement: request.statement,
        why: request.why,
        instead: request.instead,
        decision,
        commands: request.commands,
        tools: request.tools,
        depends_on: request.depends_on,
        incident: request.incident,
        proposed_by: match caller {
            Some(c) => format!("{}{}", c.agent, c.team.as_ref().map(|t| format!(" (team {t})")).unwrap_or_default()),
            None => "an unauthenticated local client".into(),
        },
        proposed_on: Day::today(),
    };
    let (path, new) = proposal::write(&loaded.root, &proposal).map_err(|err| match err {
        ProposalError::Invalid(message) => OpError::BadRequest(message),
        other => OpError::Internal(other.to_string()),
    })?;
    if new {
        shared.rebuild();
    }
    let relative = path.strip_prefix(&loaded.root).unwrap_or(&path).to_string_lossy().into_owned();
    Ok(json!({
        "id": proposal.id(),
        "status": "proposed",
        "path": relative,
        "note": if new {
            "shown as unreviewed and never enforced until a human approves it (lore review, lore approve ID)"
        } else {
            "already proposed"
        },
    }))
}

/// The proposals waiting for review, from the loaded pack.
pub fn pending(shared: &Shared) -> Value {
    let loaded = shared.current();
    let rows = loaded.pack.as_ref().map(|p| query::proposals(p.data())).unwrap_or_default();
    serde_json::to_value(rows).unwrap_or_default()
}
