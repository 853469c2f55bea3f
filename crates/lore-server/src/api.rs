//! The requests of MCP and HTTP: each one's wire form (JSON with a schema,
//! shared by the OpenAPI document and the MCP tools' input schemas), turned
//! into the operation's typed request with the defaults agents get, and the
//! answer turned into JSON. Every operation itself is in
//! `lore_service::ops`; nothing here decides anything.

use std::collections::HashMap;
use std::path::PathBuf;

use lore_pack::query;
use lore_service::evaluate::{self, Input, Request};
use lore_service::ops::{self, Page};
use lore_service::{Error, Loaded};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::config::Caller;
use crate::state::Shared;

/// A briefing's size when the caller does not ask for detail: about 1,000 tokens.
pub const COMPACT_BRIEF_BYTES: usize = 4_000;

/// What a request answers: JSON, or the operation's error.
pub type Answer = Result<Value, Error>;

fn to_json<T: Serialize>(value: &T) -> Answer {
    serde_json::to_value(value).map_err(|e| Error::Internal(e.to_string()))
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
    #[schema(pattern = "^(shell|command|sql|terraform-plan|plan|manifest|kubernetes|structured|action)$")]
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
pub fn check(shared: &Shared, request: CheckRequest, caller: Option<&Caller>, source: &str) -> Answer {
    let kind = request.kind.as_deref().unwrap_or("shell");
    let input = Input::of_kind(kind, request.input)?;
    let loaded = shared.current();
    let detail = request.detail;
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
        deferred_log: false,
    };
    to_json(&evaluate::check_loaded(&loaded, &shared.log, &request, detail))
}

// ---- brief_system, blast_radius -------------------------------------------

/// Which briefing to give.
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

/// A briefing, compact unless the caller gives a budget.
pub fn brief(loaded: &Loaded, request: &BriefRequest) -> Answer {
    let budget = request.budget.unwrap_or(COMPACT_BRIEF_BYTES);
    to_json(&ops::brief(
        loaded,
        &ops::BriefRequest { system: request.system.clone(), env: request.env.clone(), budget },
    )?)
}

/// Whose blast radius to walk, and which page of it.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BlastRequest {
    /// A system's name or alias, or a name that dependencies point at.
    pub system: String,
    /// Only systems that run in this environment.
    #[serde(default)]
    pub env: Option<String>,
    /// How many hops to follow (default 16).
    #[serde(default)]
    pub depth: Option<u32>,
    /// Affected systems per page (default 25).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Items to skip: the `next_offset` of the page before.
    #[serde(default)]
    pub offset: Option<usize>,
}

/// The blast radius, its affected systems paged.
pub fn blast(loaded: &Loaded, request: &BlastRequest) -> Answer {
    let typed = ops::BlastRequest {
        system: request.system.clone(),
        env: request.env.clone(),
        depth: request.depth.unwrap_or(ops::read::DEFAULT_BLAST_DEPTH),
    };
    let mut radius = ops::blast(loaded, &typed)?;
    let nodes = std::mem::take(&mut radius.nodes);
    let page = Page::of(nodes, request.offset.unwrap_or(0), request.limit.unwrap_or(25));
    let mut value = to_json(&radius)?;
    value["nodes"] = to_json(&page.items)?;
    value["page"] = json!({ "total": page.total, "offset": page.offset, "next_offset": page.next_offset });
    Ok(value)
}

// ---- search_knowledge, list_rules, get_incident, get_runbook ---------------

/// A question for the search, and which page of hits.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchKnowledgeRequest {
    /// A question or keywords.
    #[param(pattern = "[^\\s]")]
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
    /// Items to skip: the `next_offset` of the page before.
    #[serde(default)]
    pub offset: Option<usize>,
}

/// A page of hits, with the search's note or the index's.
pub fn search(loaded: &Loaded, request: &SearchKnowledgeRequest) -> Answer {
    let answer = ops::search(
        loaded,
        &ops::SearchRequest {
            text: request.query.clone(),
            system: request.system.clone(),
            kind: request.kind.clone(),
            limit: request.limit.unwrap_or(ops::read::DEFAULT_HITS),
            offset: request.offset.unwrap_or(0),
        },
    )?;
    let mut value = json!({ "hits": answer.results.hits, "offset": answer.offset, "next_offset": answer.next_offset });
    if let Some(note) = answer.results.note.or(answer.index_note) {
        value["note"] = json!(note);
    }
    Ok(value)
}

/// Which rules to list, and which page.
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
    /// Items to skip: the `next_offset` of the page before.
    #[serde(default)]
    pub offset: Option<usize>,
}

/// A page of rules.
pub fn rules(loaded: &Loaded, request: &ListRulesRequest) -> Answer {
    let all = ops::rules(loaded, &ops::RulesRequest { system: request.system.clone(), env: request.env.clone() })?;
    to_json(&Page::of(all, request.offset.unwrap_or(0), request.limit.unwrap_or(20)))
}

/// Every system.
pub fn systems(loaded: &Loaded) -> Answer {
    to_json(&ops::systems(loaded)?)
}

/// Which incident to read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GetIncidentRequest {
    /// The incident's id, such as INC-2025-031.
    pub id: String,
}

/// One incident.
pub fn incident(loaded: &Loaded, request: &GetIncidentRequest) -> Answer {
    ops::incident(loaded, &request.id)
}

/// One rule.
pub fn rule(loaded: &Loaded, id: &str) -> Answer {
    ops::rule(loaded, id)
}

/// Which runbook text to read: by id or by path.
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

/// A runbook section's text, with its citation.
pub fn runbook(loaded: &Loaded, request: &GetRunbookRequest) -> Answer {
    let typed =
        ops::RunbookRequest { id: request.id.clone(), path: request.path.clone(), max_bytes: request.max_bytes };
    to_json(&ops::runbook(loaded, &typed)?)
}

/// A system's page, as an MCP resource or `GET /v1/systems/NAME`: its full briefing.
pub fn system_page(loaded: &Loaded, name: &str) -> Answer {
    let request = ops::BriefRequest { system: name.to_string(), env: None, budget: query::DEFAULT_BRIEF_BUDGET };
    to_json(&ops::brief(loaded, &request)?)
}

/// The "before you act on production" checklist, with the system's compact briefing.
pub fn checklist(loaded: &Loaded, system: &str, action: Option<&str>) -> Result<String, Error> {
    ops::checklist(loaded, system, action, COMPACT_BRIEF_BYTES)
}

// ---- propose_knowledge ------------------------------------------------------

/// What an agent learned and proposes to add to the knowledge.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeRequest {
    /// `rule`, `fact`, `dependency` or `lesson` (an incident's lesson).
    #[schema(pattern = "^(rule|fact|dependency|lesson)$")]
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
    #[schema(pattern = "^(warn|ask|deny)$")]
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
pub fn propose(shared: &Shared, request: ProposeRequest, caller: Option<&Caller>) -> Answer {
    let proposed_by = match caller {
        Some(c) => format!("{}{}", c.agent, c.team.as_ref().map(|t| format!(" (team {t})")).unwrap_or_default()),
        None => "an unauthenticated local client".into(),
    };
    let typed = ops::ProposeRequest {
        kind: request.kind,
        system: request.system,
        statement: request.statement,
        why: request.why,
        instead: request.instead,
        decision: request.decision,
        commands: request.commands,
        tools: request.tools,
        depends_on: request.depends_on,
        incident: request.incident,
        proposed_by,
    };
    let proposed = ops::propose(&shared.current(), typed)?;
    if proposed.new {
        shared.rebuild();
    }
    to_json(&proposed)
}

/// The proposals waiting for review, from the loaded pack.
pub fn pending(shared: &Shared) -> Value {
    let rows = ops::proposals(&shared.current()).unwrap_or_default();
    serde_json::to_value(rows).unwrap_or_default()
}

/// Withdraws every approval of the input of decision `id`.
pub fn revoke_decision(shared: &Shared, id: i64) -> Answer {
    let now = lore_model::Timestamp::now().0;
    to_json(&ops::revoke_in(store(shared)?.as_ref(), &ops::DecisionRef::Id(id), now)?)
}

/// A human's approval of a proposal: written into the knowledge's default place.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveProposalRequest {
    /// Why, kept with the decision.
    #[serde(default)]
    pub why: Option<String>,
    /// Who approves, when no API token says.
    #[serde(default)]
    pub by: Option<String>,
}

/// A human's rejection of a proposal: kept, with the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectProposalRequest {
    /// Why it is rejected (required).
    #[schema(pattern = "[^\\s]")]
    pub why: String,
    /// Who rejects, when no API token says.
    #[serde(default)]
    pub by: Option<String>,
}

/// Approves (`why` optional) or rejects (`why` required) a pending
/// proposal, as `lore approve PROP-…` and `lore reject` do, then loads
/// the knowledge as the review left it.
pub fn review_proposal(
    shared: &Shared,
    id: String,
    verdict: ops::govern::Verdict,
    (by, why): (Option<String>, Option<String>),
    caller: Option<&Caller>,
) -> Answer {
    let by = caller.map(|c| c.agent.clone()).or(by).unwrap_or_else(|| "an unauthenticated local client".into());
    let knowledge = shared.current().knowledge.clone();
    let request = ops::ReviewRequest { id, verdict, by, why };
    let store = shared.log.store();
    let reviewed = ops::review_in(&knowledge, request, store.as_deref().map_err(Clone::clone))?;
    // The next request sees the knowledge as the review left it.
    shared.reload(false);
    to_json(&reviewed)
}

/// How many proposal decisions to list.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewsRequest {
    /// At most this many, newest first (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Humans' decisions on proposals to the served knowledge, newest first,
/// from the store every replica shares.
pub fn reviews(shared: &Shared, request: &ReviewsRequest) -> Answer {
    let limit = request.limit.unwrap_or(50).clamp(1, MAX_DECISIONS_PAGE);
    let knowledge = shared.current().knowledge.clone();
    to_json(&ops::reviews(&knowledge, store(shared)?.as_ref(), limit)?)
}

/// The lint report and the health score, as `lore lint --json` gives them,
/// with the score's trend over builds.
pub fn health(loaded: &Loaded) -> Answer {
    to_json(&ops::knowledge_health(loaded)?)
}

/// The whole dependency graph.
pub fn graph(loaded: &Loaded) -> Answer {
    to_json(&ops::graph(loaded)?)
}

/// Which cited lines to read.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SourceRequest {
    /// A citation: `path:line` or `path:start-end`, as lore gives them (a path alone means line 1).
    #[param(pattern = "[^\\s]")]
    pub cite: String,
    /// Lines of context before and after (default 5, at most 200).
    #[serde(default)]
    #[param(maximum = 200)]
    pub context: Option<u32>,
}

/// The cited lines of a source file, in context.
pub fn source(loaded: &Loaded, request: &SourceRequest) -> Answer {
    let typed = ops::SourceRequest { cite: request.cite.clone(), context: request.context.unwrap_or(5) };
    to_json(&ops::source(loaded, &typed)?)
}

// ---- decisions ------------------------------------------------------------

/// Which decisions to list, as `lore log` takes them.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DecisionsRequest {
    /// Only decisions newer than this: `30m`, `2h`, `7d`, or a date.
    #[serde(default)]
    pub since: Option<String>,
    /// Only this decision: allow, warn, ask, deny.
    #[serde(default)]
    #[param(pattern = "^(allow|warn|ask|deny)$")]
    pub decision: Option<String>,
    /// Only decisions about this system.
    #[serde(default)]
    pub system: Option<String>,
    /// Only this agent's decisions.
    #[serde(default)]
    pub agent: Option<String>,
    /// Only decisions older than this id: pass the last page's `next_before`.
    #[serde(default)]
    pub before: Option<i64>,
    /// At most this many, newest first (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The most decisions one page holds.
const MAX_DECISIONS_PAGE: usize = 500;

/// The server's store, or `Unavailable` saying why there is none.
fn store(shared: &Shared) -> Result<std::sync::Arc<dyn lore_log::Store>, Error> {
    shared.log.store().map_err(|why| Error::Unavailable(format!("the store is not available: {why}")))
}

fn with_store<T>(
    shared: &Shared,
    f: impl FnOnce(&dyn lore_log::Store) -> Result<T, lore_log::LogError>,
) -> Result<T, Error> {
    Ok(f(store(shared)?.as_ref())?)
}

/// A page of decisions, newest first, as `lore log --json` lists them; with
/// `next_before` when there may be more.
pub fn decisions(shared: &Shared, request: DecisionsRequest) -> Answer {
    let limit = request.limit.unwrap_or(50).clamp(1, MAX_DECISIONS_PAGE);
    let filter = ops::LogRequest {
        since: request.since,
        decision: request.decision,
        system: request.system,
        agent: request.agent,
        before: request.before,
        limit,
    }
    .filter()?;
    let entries = with_store(shared, |store| store.query(&filter))?;
    let next_before = (entries.len() == limit).then(|| entries.last().map(|e| e.id)).flatten();
    Ok(json!({ "entries": entries, "next_before": next_before }))
}

/// One decision by id.
pub fn decision(shared: &Shared, id: i64) -> Answer {
    match with_store(shared, |store| store.get(id))? {
        Some(entry) => to_json(&entry),
        None => Err(Error::not_found(format!("no decision {id}"), Vec::new())),
    }
}

/// A human's approval of a decision's exact input: once, or standing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveDecisionRequest {
    /// How long the approval stands, in minutes (default 10 once, at most
    /// 1440; default 10080 standing, at most 129600).
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Let the input through every time until the approval expires, not once.
    #[serde(default)]
    pub standing: bool,
    /// Why, kept with the approval.
    #[serde(default)]
    pub why: Option<String>,
    /// Who approves, when no API token says.
    #[serde(default)]
    pub by: Option<String>,
}

/// Lets the input of decision `id` run (once, or every time until the
/// approval expires) through any replica and any hook on the same store.
pub fn approve_decision(shared: &Shared, id: i64, request: ApproveDecisionRequest, caller: Option<&Caller>) -> Answer {
    let request = ops::ApproveRequest {
        decision: ops::DecisionRef::Id(id),
        by: caller.map(|c| c.agent.clone()).or(request.by),
        why: request.why,
        minutes: request.minutes,
        standing: request.standing,
    };
    let now = lore_model::Timestamp::now().0;
    to_json(&ops::approve_in(store(shared)?.as_ref(), &request, now)?)
}

/// A human's refusal of a decision's request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectDecisionRequest {
    /// Why the request is refused; required.
    #[schema(pattern = "[^\\s]")]
    pub why: String,
    /// Who refuses, when no API token says.
    #[serde(default)]
    pub by: Option<String>,
}

/// Refuses the request of decision `id`: it no longer waits for a human.
pub fn reject_decision(shared: &Shared, id: i64, request: RejectDecisionRequest, caller: Option<&Caller>) -> Answer {
    let by = caller.map(|c| c.agent.clone()).or(request.by);
    let now = lore_model::Timestamp::now().0;
    to_json(&ops::reject_in(store(shared)?.as_ref(), id, by.as_deref(), &request.why, now)?)
}

/// Which waiting decisions to list.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WaitingRequest {
    /// Only decisions newer than this: `30m`, `2h`, `7d` (default), or a date.
    #[serde(default)]
    #[param(pattern = "^[0-9]{1,6}(s|m|min|h|d|w)$")]
    pub since: Option<String>,
    /// At most this many, newest first (default 100, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Asks and denials a human may still lift, newest first.
pub fn waiting(shared: &Shared, request: WaitingRequest) -> Answer {
    let limit = request.limit.unwrap_or(100).clamp(1, MAX_DECISIONS_PAGE);
    let entries = ops::waiting(store(shared)?.as_ref(), request.since, limit)?;
    Ok(json!({ "entries": entries }))
}
