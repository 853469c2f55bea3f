//! The capabilities the server offers, whatever the transport: each takes a
//! plain request and answers JSON. MCP tools and HTTP endpoints are thin
//! wrappers over these.

use std::collections::HashMap;
use std::path::PathBuf;

use lore_model::{Day, Decision};
use lore_pack::query;
use lore_service::evaluate::{self, Input, Request};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::config::Caller;
use crate::state::{Loaded, Shared};

/// A briefing's size when the caller does not ask for detail: about 1,000 tokens.
pub const COMPACT_BRIEF_BYTES: usize = 4_000;
/// Longest runbook text returned at once.
const MAX_RUNBOOK_BYTES: usize = 16_000;

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error("{message}")]
    NotFound { message: String, suggestions: Vec<String> },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

fn not_found(message: String, suggestions: Vec<String>) -> OpError {
    OpError::NotFound { message, suggestions }
}

pub type OpResult = Result<Value, OpError>;

fn to_json<T: Serialize>(value: &T) -> OpResult {
    serde_json::to_value(value).map_err(|e| OpError::Internal(e.to_string()))
}

fn pack(loaded: &Loaded) -> Result<&lore_pack::Pack, OpError> {
    loaded.pack.as_ref().ok_or_else(|| OpError::Unavailable(loaded.unavailable()))
}

fn resolve(data: &lore_pack::ArchivedPackData, name: &str) -> Result<u32, OpError> {
    query::resolve(data, name).ok_or_else(|| not_found(format!("no system named `{name}`"), query::suggest(data, name)))
}

/// One page of a list, and where the next one starts.
#[derive(Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub offset: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

impl<T> Page<T> {
    fn of(all: Vec<T>, offset: usize, limit: usize) -> Page<T> {
        let total = all.len();
        let limit = limit.clamp(1, 500);
        let items: Vec<T> = all.into_iter().skip(offset).take(limit).collect();
        let end = offset.saturating_add(items.len());
        Page { items, total, offset, next_offset: (end < total).then_some(end) }
    }
}

// ---- check_action -------------------------------------------------------

/// A proposed action to check before running it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The action: a shell command, SQL, a Terraform plan (JSON), Kubernetes
    /// manifests, or a structured action (JSON), as `kind` says.
    pub input: String,
    /// `shell` (default), `sql`, `terraform-plan`, `manifest` or `structured`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The directory the action would run in.
    #[serde(default)]
    pub cwd: Option<String>,
    /// Variables that select clouds and clusters where it runs: AWS_PROFILE,
    /// TF_WORKSPACE, CLOUDSDK_CORE_PROJECT and the like.
    #[serde(default)]
    pub env: Option<HashMap<String, String>>,
    /// The agent's session, for the decision log.
    #[serde(default)]
    pub session: Option<String>,
    /// Who proposes it, when no API token says.
    #[serde(default)]
    pub agent: Option<String>,
    /// Return the full verdict (every action and reason), not the compact answer.
    #[serde(default)]
    pub detail: bool,
}

/// Checks an action, applies a standing approval and logs the decision,
/// exactly as the hook does. Blocking.
pub fn check(shared: &Shared, request: CheckRequest, caller: Option<&Caller>, source: &str) -> OpResult {
    let detail = request.detail;
    let kind = request.kind.as_deref().unwrap_or("shell");
    let input = Input::of_kind(kind, request.input).ok_or_else(|| {
        OpError::BadRequest(format!(
            "unknown kind `{kind}`; expected shell, sql, terraform-plan, manifest or structured"
        ))
    })?;
    let loaded = shared.current();
    let request = Request {
        input,
        cwd: request.cwd.map(PathBuf::from),
        agent: caller.map(|c| c.agent.clone()).or(request.agent),
        team: caller.and_then(|c| c.team.clone()),
        session: request.session,
        source,
        vars: Some(request.env.unwrap_or_default()),
        example_rules: true,
        stale_check_every: None,
    };
    let (analysis, mut verdict) = evaluate::assess(loaded.pack.as_ref(), &loaded.gate, &request, true);
    let mut notes = Vec::new();
    if let Some(err) = &loaded.error {
        notes.push(format!("knowledge could not be loaded ({err}); only the baseline applies"));
    }
    let recorded = shared
        .with_log(|log| evaluate::record(log, &request, &analysis, &mut verdict).map_err(|e| e.to_string()))
        .and_then(|result| result);
    let decision_id = recorded.map_err(|err| notes.push(format!("decision not logged: {err}"))).ok();
    let mut answer = json!({
        "decision": verdict.decision,
        "summary": verdict.summary,
        "reasons": evaluate::reason_text(&verdict),
        "briefing": evaluate::briefing_text(&verdict),
        "decision_id": decision_id,
        "pack_version": verdict.pack_version,
    });
    if verdict.decision >= Decision::Ask {
        answer["approve"] = json!(evaluate::approve_hint(decision_id));
    }
    if !notes.is_empty() {
        answer["notes"] = json!(notes);
    }
    if detail {
        answer["verdict"] = to_json(&verdict)?;
    }
    Ok(answer)
}

// ---- brief_system, blast_radius -------------------------------------------

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BriefRequest {
    /// A system's name or alias.
    pub system: String,
    /// Only what applies in this environment.
    #[serde(default)]
    pub env: Option<String>,
    /// Size cap in bytes of JSON; the most important items are kept. Default 4000.
    #[serde(default)]
    pub budget: Option<usize>,
}

pub fn brief(loaded: &Loaded, request: &BriefRequest) -> OpResult {
    let data = pack(loaded)?.data();
    let ix = resolve(data, &request.system)?;
    let budget = request.budget.unwrap_or(COMPACT_BRIEF_BYTES).clamp(500, 200_000);
    to_json(&query::brief(data, ix, request.env.as_deref(), budget, Day::today()))
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BlastRequest {
    /// A system's name or alias, or a name that dependencies point at.
    pub system: String,
    #[serde(default)]
    pub env: Option<String>,
    /// How many hops to follow (default 16).
    #[serde(default)]
    pub depth: Option<u32>,
    /// Affected systems per page (default 25).
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: Option<usize>,
}

pub fn blast(loaded: &Loaded, request: &BlastRequest) -> OpResult {
    let data = pack(loaded)?.data();
    let radius = query::blast(data, &request.system, request.env.as_deref(), request.depth.unwrap_or(16).min(64))
        .map_err(|err| match err {
            query::QueryError::UnknownSystem { suggestions, .. } => {
                not_found(format!("no system or dependency named `{}`", request.system), suggestions)
            }
        })?;
    let mut value = to_json(&radius)?;
    let page = Page::of(radius.nodes, request.offset.unwrap_or(0), request.limit.unwrap_or(25));
    value["nodes"] = to_json(&page.items)?;
    value["page"] = json!({ "total": page.total, "offset": page.offset, "next_offset": page.next_offset });
    Ok(value)
}

// ---- search_knowledge, list_rules, get_incident, get_runbook ---------------

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchKnowledgeRequest {
    /// A question or keywords.
    pub query: String,
    /// Only documents about this system.
    #[serde(default)]
    pub system: Option<String>,
    /// Only documents of this kind: runbook, incident, rule, system.
    #[serde(default)]
    pub kind: Option<String>,
    /// Hits per page (default 5).
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: Option<usize>,
}

pub fn search(loaded: &Loaded, request: &SearchKnowledgeRequest) -> OpResult {
    let data = pack(loaded)?.data();
    if request.query.trim().is_empty() {
        return Err(OpError::BadRequest("the query is empty".into()));
    }
    let search = loaded.search().map_err(OpError::Unavailable)?;
    let limit = request.limit.unwrap_or(5).clamp(1, 50);
    let offset = request.offset.unwrap_or(0).min(1_000);
    let system = request.system.as_deref().map(|s| {
        query::resolve(data, s)
            .map(|ix| data.systems[ix as usize].id.to_string())
            .unwrap_or_else(|| lore_model::normalize_name(s))
    });
    let results = search
        .index
        .search(&lore_search::SearchRequest {
            text: request.query.clone(),
            system,
            kind: request.kind.clone(),
            limit: offset + limit + 1,
        })
        .map_err(|e| OpError::Internal(e.to_string()))?;
    let more = results.hits.len() > offset + limit;
    let items: Vec<_> = results.hits.into_iter().skip(offset).take(limit).collect();
    let next_offset = more.then_some(offset + items.len());
    let mut answer = json!({ "hits": items, "offset": offset, "next_offset": next_offset });
    if let Some(note) = results.note.or_else(|| search.note.clone()) {
        answer["note"] = json!(note);
    }
    Ok(answer)
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListRulesRequest {
    /// Rules about this system (and those for every system).
    #[serde(default)]
    pub system: Option<String>,
    /// Rules that apply in this environment.
    #[serde(default)]
    pub env: Option<String>,
    /// Rules per page (default 20).
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: Option<usize>,
}

pub fn rules(loaded: &Loaded, request: &ListRulesRequest) -> OpResult {
    let data = pack(loaded)?.data();
    if let Some(system) = &request.system {
        resolve(data, system)?;
    }
    let all = query::rules(data, request.system.as_deref(), request.env.as_deref(), Day::today());
    to_json(&Page::of(all, request.offset.unwrap_or(0), request.limit.unwrap_or(20)))
}

pub fn systems(loaded: &Loaded) -> OpResult {
    to_json(&query::systems(pack(loaded)?.data()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GetIncidentRequest {
    /// The incident's id, such as INC-2025-031.
    pub id: String,
}

pub fn incident(loaded: &Loaded, request: &GetIncidentRequest) -> OpResult {
    let data = pack(loaded)?.data();
    match query::show(data, &format!("incident:{}", request.id)) {
        Some((_, record)) => Ok(record),
        None => {
            let ids: Vec<String> = data
                .incidents
                .iter()
                .map(|i| i.id.to_string())
                .filter(|id| query::near(id, &request.id).is_some())
                .collect();
            Err(not_found(format!("no incident with id `{}`", request.id), ids))
        }
    }
}

pub fn rule(loaded: &Loaded, id: &str) -> OpResult {
    let data = pack(loaded)?.data();
    query::show(data, &format!("rule:{id}"))
        .map(|(_, record)| record)
        .ok_or_else(|| not_found(format!("no rule with id `{id}`"), Vec::new()))
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GetRunbookRequest {
    /// The runbook's id, optionally with a section: `ID#anchor`.
    #[serde(default)]
    pub id: Option<String>,
    /// Or its path, optionally with a line: `docs/redis/redis.md:136`.
    #[serde(default)]
    pub path: Option<String>,
    /// Most bytes of text to return (default and cap 16000).
    #[serde(default)]
    pub max_bytes: Option<usize>,
}

/// A runbook section's text, read from its source file, with its citation.
pub fn runbook(loaded: &Loaded, request: &GetRunbookRequest) -> OpResult {
    let data = pack(loaded)?.data();
    let (runbook, anchor, line) = match (&request.id, &request.path) {
        (Some(id), _) => {
            let (id, anchor) = match id.split_once('#') {
                Some((id, anchor)) => (id, Some(anchor.to_string())),
                None => (id.as_str(), None),
            };
            let found = data.runbooks.iter().find(|r| r.id.as_str().eq_ignore_ascii_case(id));
            (found.ok_or_else(|| not_found(format!("no runbook with id `{id}`"), Vec::new()))?, anchor, None)
        }
        (None, Some(path)) => {
            let (path, line) = match path.rsplit_once(':') {
                Some((p, l)) if l.parse::<u32>().is_ok() => (p, l.parse::<u32>().ok()),
                _ => (path.as_str(), None),
            };
            let path = path.trim_start_matches("./");
            let found = data.runbooks.iter().find(|r| r.path.as_str() == path);
            (found.ok_or_else(|| not_found(format!("no runbook at `{path}`"), Vec::new()))?, None, line)
        }
        (None, None) => return Err(OpError::BadRequest("give the runbook's `id` or its `path`".into())),
    };
    let runbook: lore_model::Runbook = query::owned(runbook);
    // The narrowest section holding the line, or the anchored one, else the whole document.
    let section = runbook
        .sections
        .iter()
        .filter(|s| match (&anchor, line) {
            (Some(a), _) => s.anchor == *a,
            (None, Some(l)) => s.line_start <= l && l <= s.line_end,
            (None, None) => false,
        })
        .min_by_key(|s| s.line_end - s.line_start);
    if let Some(anchor) = &anchor
        && section.is_none()
    {
        let anchors = runbook.sections.iter().map(|s| s.anchor.clone()).collect();
        return Err(not_found(format!("runbook `{}` has no section `{anchor}`", runbook.id), anchors));
    }
    let (start, end, heading) = match section {
        Some(s) => (s.line_start, s.line_end, s.heading.clone()),
        None => (1, u32::MAX, runbook.title.clone()),
    };
    let file = loaded.root.join(&runbook.path);
    let text = std::fs::read_to_string(&file)
        .map_err(|e| OpError::Unavailable(format!("cannot read {}: {e}", runbook.path)))?;
    let max = request.max_bytes.unwrap_or(MAX_RUNBOOK_BYTES).clamp(200, MAX_RUNBOOK_BYTES);
    let mut body = String::new();
    let mut last = start;
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i as u32 + 1, l)) {
        if n < start || n > end {
            continue;
        }
        if body.len() + line.len() + 1 > max {
            break;
        }
        body.push_str(line);
        body.push('\n');
        last = n;
    }
    let truncated = last < end.min(text.lines().count() as u32);
    Ok(json!({
        "id": runbook.id,
        "title": runbook.title,
        "section": heading,
        "cite": format!("{}:{start}-{last}", runbook.path),
        "systems": runbook.systems,
        "owner": runbook.meta.owner,
        "reviewed": runbook.meta.freshness.reviewed,
        "text": body,
        "truncated": truncated,
        "sections": runbook.sections.iter().map(|s| format!("{}#{} ({}:{})", runbook.id, s.anchor, runbook.path, s.line_start)).collect::<Vec<_>>(),
    }))
}

/// A system's page, as an MCP resource or `GET /v1/systems/NAME`.
pub fn system_page(loaded: &Loaded, name: &str) -> OpResult {
    brief(loaded, &BriefRequest { system: name.to_string(), env: None, budget: Some(query::DEFAULT_BRIEF_BUDGET) })
}

/// The "before you act on production" checklist, with the system's briefing.
pub fn checklist(loaded: &Loaded, system: &str, action: Option<&str>) -> Result<String, OpError> {
    let briefing = brief(loaded, &BriefRequest { system: system.to_string(), env: None, budget: None })?;
    let action = action.map(|a| format!(" The action you plan: `{a}`.")).unwrap_or_default();
    Ok(format!(
        "Before you act on the production system `{system}`.{action}\n\n\
         1. Read the briefing below: its owners, the rules (and why), past incidents, active freezes and what depends on it.\n\
         2. Call `check_action` with the exact command before running it. Do not run it if the decision is deny. If it is ask, stop and ask a human, quoting the reasons.\n\
         3. Prefer the safer alternative the rules give (\"instead\"). Never delete and recreate a production resource to fix it.\n\
         4. Know the blast radius: everything that depends on `{system}` goes down with it (`blast_radius`).\n\
         5. Follow the runbook for the operation (`get_runbook`), and tell the owners before you start.\n\
         6. If anything in the briefing is stale or marked proposed, treat it as unverified and say so.\n\n\
         Briefing (JSON):\n{}",
        serde_json::to_string_pretty(&briefing).unwrap_or_default()
    ))
}
