//! Checking an action: judge it against the knowledge ([`assess`]), then
//! apply a standing human approval and log the decision ([`record`]).
//! [`evaluate`] does both for one-shot callers (`lore check`, hooks); the
//! server keeps the pack and the log open and calls the two halves itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lore_action::Analysis;
use lore_gate::{Context, GateConfig, Reason, ReasonKind, Verdict};
use lore_log::{Granted, LogError, NewRecord, Store};
use lore_model::{Decision, Timestamp};
use lore_pack::Pack;
use serde::Serialize;

use crate::error::Result;
use crate::knowledge::{Knowledge, Origin};
use crate::loaded::Loaded;
use crate::search::GateSearch;

/// A proposed action, as the caller gave it.
#[derive(Debug, Clone)]
pub enum Input {
    /// A shell command line.
    Shell(String),
    /// SQL statements.
    Sql(String),
    /// A Terraform/OpenTofu plan as JSON.
    Plan(String),
    /// Kubernetes manifests about to be applied.
    Manifest(String),
    /// A structured action as JSON (docs/actions.md).
    Structured(String),
}

impl Input {
    /// The input of `kind` (`shell`, `sql`, `terraform-plan`, `manifest`,
    /// `structured`, or their aliases); `Invalid` for any other kind.
    pub fn of_kind(kind: &str, text: String) -> Result<Input> {
        Ok(match kind {
            "shell" | "command" => Input::Shell(text),
            "sql" => Input::Sql(text),
            "terraform-plan" | "plan" => Input::Plan(text),
            "manifest" | "kubernetes" => Input::Manifest(text),
            "structured" | "action" => Input::Structured(text),
            _ => {
                return Err(crate::Error::Invalid(format!(
                    "unknown kind `{kind}`; expected shell, sql, terraform-plan, manifest or structured"
                )));
            }
        })
    }

    /// The typed actions lore understands in it.
    pub fn analyze(&self) -> Analysis {
        match self {
            Input::Shell(s) => lore_action::analyze_shell(s),
            Input::Sql(s) => lore_action::analyze_sql(s),
            Input::Plan(s) => lore_action::analyze_plan(s),
            Input::Manifest(s) => lore_action::analyze_manifest(s),
            Input::Structured(s) => lore_action::analyze_structured(s),
        }
    }

    /// Its kind, as the decision log records it.
    pub fn kind(&self) -> &'static str {
        match self {
            Input::Shell(_) => "shell",
            Input::Sql(_) => "sql",
            Input::Plan(_) => "terraform-plan",
            Input::Manifest(_) => "manifest",
            Input::Structured(_) => "structured",
        }
    }

    /// The text as given.
    pub fn text(&self) -> &str {
        match self {
            Input::Shell(s) | Input::Sql(s) | Input::Plan(s) | Input::Manifest(s) | Input::Structured(s) => s,
        }
    }
}

/// An action to check, and who asks and from where.
pub struct Request<'a> {
    /// The action.
    pub input: Input,
    /// The directory it would run in.
    pub cwd: Option<PathBuf>,
    /// Who proposes it.
    pub agent: Option<String>,
    /// The team of the caller's API token, when it came through the server.
    pub team: Option<String>,
    /// The agent's session, for the log.
    pub session: Option<String>,
    /// Where the request came from, for the log: `cli`, `hook`, `http`, `mcp`.
    pub source: &'a str,
    /// Environment variables that select clouds and clusters. `None`: this
    /// process's own (a hook runs where the agent runs); a server passes the
    /// caller's instead.
    pub vars: Option<HashMap<String, String>>,
    /// Use the built-in example's rules (interactive `lore check`); hooks do not.
    pub example_rules: bool,
    /// Check sources for changes at most this often (hooks); `None`: every time.
    pub stale_check_every: Option<std::time::Duration>,
    /// Log through `<log>.pending` (hooks): one append, and SQLite opened
    /// only when an approval may apply. The decision then has a uid but no
    /// id until the log is next opened.
    pub deferred_log: bool,
}

impl Request<'_> {
    /// The gate's context: this process's environment, or the caller's variables.
    pub fn context(&self) -> Context {
        match &self.vars {
            None => Context::from_process(self.cwd.clone()),
            Some(vars) => Context::from_vars(self.cwd.clone(), vars),
        }
    }
}

/// A checked and logged action.
pub struct Outcome {
    /// The gate's verdict (after any standing approval).
    pub verdict: Verdict,
    /// The decision's id in the log; `None` when it could not be logged,
    /// or was logged as pending.
    pub decision_id: Option<i64>,
    /// The decision's uid, when it was logged as pending.
    pub decision_uid: Option<String>,
    /// Notes for the user: the example in use, knowledge that did not load, a log that failed.
    pub notes: Vec<String>,
}

/// Finds the knowledge for a request: the flag, else the nearest lore.toml
/// above the request's working directory, else the user config, else the example.
fn knowledge_for(flag: Option<&Path>, cwd: Option<&Path>) -> Result<Knowledge> {
    if flag.is_none()
        && let Some(cwd) = cwd
        && let Some(dir) = cwd.ancestors().find(|d| d.join(lore_ingest::config::CONFIG_FILE).is_file())
    {
        return Knowledge::at(dir, Origin::Nearest);
    }
    Knowledge::locate(flag)
}

/// Finds the knowledge, checks the action and logs the decision.
pub fn evaluate(flag: Option<&Path>, request: Request<'_>) -> Outcome {
    let mut notes = Vec::new();
    let knowledge = knowledge_for(flag, request.cwd.as_deref());
    let config = match &knowledge {
        Ok(k) => GateConfig::from_table(k.config.gate.as_ref()).unwrap_or_else(|err| {
            notes.push(format!("ignoring a bad [gate] section: {err}"));
            GateConfig::default()
        }),
        Err(_) => GateConfig::default(),
    };
    if let Ok(k) = &knowledge
        && k.origin == Origin::Example
        && request.example_rules
    {
        notes.push(k.describe());
    }
    let pack = match &knowledge {
        Ok(k) if k.origin == Origin::Example && !request.example_rules => {
            notes.push(
                "no knowledge configured: only lore's built-in baseline applies (see lore install, lore.toml)".into(),
            );
            None
        }
        // What opening says (a rebuild) is not news to an agent: only failures are noted.
        Ok(k) => match k.open_checking(None, request.stale_check_every) {
            Ok(opened) => Some(opened.pack),
            Err(err) => {
                notes.push(format!("knowledge could not be loaded ({err}); only the baseline applies"));
                None
            }
        },
        Err(err) => {
            notes.push(format!("knowledge could not be found ({err}); only the baseline applies"));
            None
        }
    };
    let knowledge_expected = match &knowledge {
        Ok(k) => k.origin != Origin::Example || request.example_rules,
        Err(_) => true,
    };
    let (analysis, verdict) = assess(pack.as_ref(), &config, &request, knowledge_expected);
    let log_path = knowledge.as_ref().map_or_else(|_| lore_log::default_path(), Knowledge::log_path);
    let shared = knowledge.as_ref().ok().and_then(Knowledge::store_url);
    let now = Timestamp::now().0;
    let local_approval =
        approvable(&verdict) && lore_log::journal::may_be_approved(&log_path, request.input.text(), now);
    let mut outcome = Outcome { verdict, decision_id: None, decision_uid: None, notes };
    if request.deferred_log && !local_approval {
        if let Some((url, setting)) = &shared {
            take_shared_approval(url, setting, &request, &mut outcome.verdict, &mut outcome.notes, now);
        }
        let uid = lore_log::new_uid();
        match lore_log::journal::append(&log_path, &uid, &new_record(&request, &analysis, &outcome.verdict, now)) {
            Ok(()) => outcome.decision_uid = Some(uid),
            Err(err) => outcome.notes.push(format!("decision not logged: {err}")),
        }
        return outcome;
    }
    outcome.decision_id = match lore_log::open(&log_path) {
        Ok(log) => {
            let taken = take_approval(log.as_ref(), &request, &mut outcome.verdict, now);
            if let Ok(false) = taken
                && let Some((url, setting)) = &shared
            {
                take_shared_approval(url, setting, &request, &mut outcome.verdict, &mut outcome.notes, now);
            }
            taken
                .and_then(|_| log.append(&new_record(&request, &analysis, &outcome.verdict, now)))
                .map_err(|err| outcome.notes.push(format!("decision not logged: {err}")))
                .ok()
        }
        Err(err) => {
            outcome.notes.push(format!("decision not logged: {err}"));
            None
        }
    };
    outcome
}

/// How long a hook waits for the shared store to look up an approval: an
/// ask or a deny may wait that long; an allow never asks it.
pub const SHARED_APPROVAL_BUDGET: std::time::Duration = std::time::Duration::from_millis(200);

/// Looks for a human's approval in the shared store, within
/// [`SHARED_APPROVAL_BUDGET`]; one that does not answer leaves the verdict
/// as it is and says so.
fn take_shared_approval(
    url: &str,
    setting: &str,
    request: &Request<'_>,
    verdict: &mut Verdict,
    notes: &mut Vec<String>,
    now: i64,
) {
    if !approvable(verdict) {
        return;
    }
    match lore_log::take_shared_approval(url, setting, request.input.text(), now, SHARED_APPROVAL_BUDGET) {
        Ok(Some(granted)) => grant(verdict, &granted),
        Ok(None) => {}
        Err(err) => notes.push(format!("approvals were looked up on this machine only: {err}")),
    }
}

/// Judges the request's action against the pack. With no pack where one
/// was expected, a destructive action fails closed as `[gate] on_failure` says.
pub fn assess(
    pack: Option<&Pack>,
    config: &GateConfig,
    request: &Request<'_>,
    knowledge_expected: bool,
) -> (Analysis, Verdict) {
    let search = pack.map(GateSearch::new);
    assess_with(pack, search.as_ref(), config, request, knowledge_expected)
}

/// [`assess`], with the pack's search already at hand (a server's).
pub fn assess_with(
    pack: Option<&Pack>,
    search: Option<&GateSearch>,
    config: &GateConfig,
    request: &Request<'_>,
    knowledge_expected: bool,
) -> (Analysis, Verdict) {
    let analysis = request.input.analyze();
    let ctx = request.context();
    let related = search.map(|s| s as &dyn lore_gate::RelatedSearch);
    let mut verdict = lore_gate::check_with(pack.map(|p| p.data()), &analysis, &ctx, config, related);
    verdict.pack_version = pack.map(|p| p.manifest().version());
    if pack.is_none() && knowledge_expected {
        let production = verdict.actions.iter().any(|a| a.production);
        let decision = lore_gate::failure_decision(config.on_failure, production);
        if decision > Decision::Allow && verdict.actions.iter().any(|a| a.class.is_destructive()) {
            add_reason(&mut verdict, decision, ReasonKind::Incomplete, "lore's knowledge is unavailable and this action is destructive; failing closed where it may touch production".into());
        }
    }
    (analysis, verdict)
}

/// Uses up a human's approval of this exact input, if any, and appends the
/// decision to the log; returns the decision's id.
pub fn record(
    log: &dyn Store,
    request: &Request<'_>,
    analysis: &Analysis,
    verdict: &mut Verdict,
) -> Result<i64, LogError> {
    record_as(log, &lore_log::new_uid(), request, analysis, verdict)
}

/// [`record`], under a uid the caller chose: a decision tried in one store
/// and then another is still one decision when both are shipped together.
pub fn record_as(
    log: &dyn Store,
    uid: &str,
    request: &Request<'_>,
    analysis: &Analysis,
    verdict: &mut Verdict,
) -> Result<i64, LogError> {
    let now = Timestamp::now().0;
    take_approval(log, request, verdict, now)?;
    log.append_as(uid, &new_record(request, analysis, verdict, now))
}

/// Whether a human's approval could lift the verdict.
pub(crate) fn approvable(verdict: &Verdict) -> bool {
    verdict.decision >= Decision::Ask && !has_unoverridable_deny(verdict)
}

/// Applies an approval of this exact input from `log`, if one holds;
/// returns whether one did.
fn take_approval(log: &dyn Store, request: &Request<'_>, verdict: &mut Verdict, now: i64) -> Result<bool, LogError> {
    if !approvable(verdict) {
        return Ok(false);
    }
    let Some(granted) = log.take_approval(request.input.text(), now)? else { return Ok(false) };
    grant(verdict, &granted);
    Ok(true)
}

/// Lets the action through on a human's approval, saying whose and why.
pub(crate) fn grant(verdict: &mut Verdict, granted: &Granted) {
    let who = granted.by.as_deref().unwrap_or("a human");
    let how = if granted.standing { "by a standing approval of" } else { "approved once by" };
    let why = granted.why.as_deref().map(|why| format!(": {why}")).unwrap_or_default();
    verdict.decision = Decision::Allow;
    verdict.summary = format!("allowed: {how} {who} (decision {}){why}", granted.decision);
    let summary = verdict.summary.clone();
    add_reason(verdict, Decision::Allow, ReasonKind::Approval, summary);
}

/// The decision as the log keeps it.
pub(crate) fn new_record(request: &Request<'_>, analysis: &Analysis, verdict: &Verdict, now: i64) -> NewRecord {
    NewRecord {
        ts_unix: now,
        source: request.source.to_string(),
        agent: request.agent.clone(),
        team: request.team.clone(),
        session: request.session.clone(),
        cwd: request.cwd.as_ref().map(|c| c.to_string_lossy().into_owned()),
        input: request.input.text().to_string(),
        input_kind: request.input.kind().to_string(),
        actions: serde_json::to_string(&analysis.actions).unwrap_or_default(),
        decision: verdict.decision.as_str().to_string(),
        reasons: serde_json::to_string(&verdict.reasons()).unwrap_or_default(),
        rule_ids: verdict.rule_ids(),
        systems: verdict.systems(),
        pack_version: verdict.pack_version.clone(),
    }
}

fn add_reason(verdict: &mut Verdict, decision: Decision, kind: ReasonKind, message: String) {
    let reason = Reason::new(decision, kind, message);
    match verdict.actions.first_mut() {
        Some(action) => {
            action.reasons.insert(0, reason);
            action.decision = action.decision.max(decision);
        }
        None => return,
    }
    verdict.decision = verdict.decision.max(decision);
}

/// Denials that no approval lifts (rm -rf /, mkfs on a device).
fn has_unoverridable_deny(verdict: &Verdict) -> bool {
    verdict.reasons().iter().any(|r| r.decision == Decision::Deny && !r.approvable)
}

/// The text an agent reads: the main reasons with citations.
pub fn reason_text(verdict: &Verdict) -> String {
    let mut lines = vec![format!("lore: {}", verdict.summary)];
    for reason in
        verdict.reasons().iter().filter(|r| r.decision > Decision::Allow || r.kind == ReasonKind::Stale).take(6)
    {
        let source = match (&reason.cite, reason.trust.and_then(|t| t.label())) {
            (Some(cite), Some(label)) => format!(" [{cite}; {label}]"),
            (Some(cite), None) => format!(" [{cite}]"),
            (None, Some(label)) => format!(" [{label}]"),
            (None, None) => String::new(),
        };
        lines.push(format!("- {}: {}{source}", reason.decision, reason.message));
    }
    lines.join("\n")
}

/// What the agent should know before going on.
pub fn briefing_text(verdict: &Verdict) -> String {
    let b = &verdict.briefing;
    let mut lines = Vec::new();
    if !b.owners.is_empty() {
        lines.push(format!("Owners: {}", b.owners.join(", ")));
    }
    if !b.dependents.is_empty() {
        lines.push(format!(
            "Depended on by: {} ({} systems in the blast radius)",
            b.dependents.join(", "),
            b.blast_radius
        ));
    }
    if !b.tier1_in_blast_radius.is_empty() {
        lines.push(format!("Tier-1 systems affected: {}", b.tier1_in_blast_radius.join(", ")));
    }
    if !b.incidents.is_empty() {
        lines.push(format!("Past incidents: {}", b.incidents.join("; ")));
    }
    if !b.runbooks.is_empty() {
        lines.push(format!("Runbooks: {}", b.runbooks.join("; ")));
    }
    for instead in &b.instead {
        lines.push(format!("Instead: {instead}"));
    }
    if !verdict.escalation.is_empty() {
        lines.push(format!("Escalate to: {}", verdict.escalation.join(", ")));
    }
    if let Some(version) = &verdict.pack_version {
        lines.push(format!("(knowledge pack {version})"));
    }
    lines.join("\n")
}

/// How a human lets an asked or denied action through.
pub fn approve_hint(decision: Option<impl std::fmt::Display>) -> String {
    match decision {
        Some(decision) => format!("a human can approve it once with `lore approve {decision}`, then retry"),
        None => "a human must run it, or approve it with `lore approve`".into(),
    }
}

impl Outcome {
    /// How to name the decision to `lore approve`: its id, else its uid.
    pub fn decision_ref(&self) -> Option<String> {
        self.decision_id.map(|id| id.to_string()).or_else(|| self.decision_uid.clone())
    }
}

/// The decision log of the knowledge (`[gate] log`), else the default.
pub fn log_path_for(flag: Option<&Path>) -> PathBuf {
    Knowledge::locate(flag).map_or_else(|_| lore_log::default_path(), |k| k.log_path())
}

pub use crate::shared_log::{RETRY_AFTER, Recorded, SharedLog};

/// Checks an action against knowledge already loaded (a server's) and logs
/// it, exactly as [`evaluate`] does for one-shot callers; the gate runs
/// outside the log's lock. `detail` keeps the whole verdict in the answer.
pub fn check_loaded(loaded: &Loaded, log: &SharedLog, request: &Request<'_>, detail: bool) -> CheckAnswer {
    let (analysis, mut verdict) = assess_with(loaded.pack.as_ref(), loaded.gate_search(), &loaded.gate, request, true);
    let mut notes = Vec::new();
    if let Some(err) = &loaded.error {
        notes.push(format!("knowledge could not be loaded ({err}); only the baseline applies"));
    }
    let decision_id = match log.record(request, &analysis, &mut verdict) {
        Ok(Recorded::Stored(id)) => Some(id),
        Ok(Recorded::Queued(id)) => {
            notes.push(format!(
                "the shared store did not answer: decision {id} is kept in this server's local log and delivered when it is back"
            ));
            None
        }
        Err(err) => {
            notes.push(format!("decision not logged: {err}"));
            None
        }
    };
    CheckAnswer::new(verdict, decision_id, notes, detail)
}

/// A checked action as an agent reads it over MCP or HTTP: the decision,
/// the reasons and briefing as text, how to approve it, and the full
/// verdict when asked for.
#[derive(Debug, Serialize)]
pub struct CheckAnswer {
    /// allow, warn, ask or deny.
    pub decision: Decision,
    /// One line.
    pub summary: String,
    /// The main reasons with their citations ([`reason_text`]).
    pub reasons: String,
    /// What to know before going on ([`briefing_text`]).
    pub briefing: String,
    /// The decision's id in the log.
    pub decision_id: Option<i64>,
    /// The knowledge pack the decision was made with.
    pub pack_version: Option<String>,
    /// How a human lets it through, for ask and deny.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approve: Option<String>,
    /// Notes: knowledge that did not load, a log that failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Every action and reason, when the caller asked for detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

impl CheckAnswer {
    /// The answer for a verdict; `detail` keeps the whole verdict in it.
    pub fn new(verdict: Verdict, decision_id: Option<i64>, notes: Vec<String>, detail: bool) -> CheckAnswer {
        CheckAnswer {
            decision: verdict.decision,
            summary: verdict.summary.clone(),
            reasons: reason_text(&verdict),
            briefing: briefing_text(&verdict),
            decision_id,
            pack_version: verdict.pack_version.clone(),
            approve: (verdict.decision >= Decision::Ask).then(|| approve_hint(decision_id)),
            notes,
            verdict: detail.then_some(verdict),
        }
    }
}
