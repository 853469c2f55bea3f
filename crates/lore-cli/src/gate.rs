//! The gate at the edges: `lore check`, `lore hook`, and the decision log.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use lore_action::Analysis;
use lore_gate::{Context, GateConfig, Reason, ReasonKind, Verdict};
use lore_log::{DecisionLog, NewRecord};
use lore_model::Decision;

use crate::knowledge::{Knowledge, Origin};

/// Hook payloads larger than this are not read.
const MAX_PAYLOAD_BYTES: u64 = 1024 * 1024;
/// A hook answers within this, whatever happens.
const HOOK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(4);

pub enum Input {
    Shell(String),
    Sql(String),
    Plan(String),
    Manifest(String),
    Structured(String),
}

impl Input {
    pub fn analyze(&self) -> Analysis {
        match self {
            Input::Shell(s) => lore_action::analyze_shell(s),
            Input::Sql(s) => lore_action::analyze_sql(s),
            Input::Plan(s) => lore_action::analyze_plan(s),
            Input::Manifest(s) => lore_action::analyze_manifest(s),
            Input::Structured(s) => lore_action::analyze_structured(s),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Input::Shell(_) => "shell",
            Input::Sql(_) => "sql",
            Input::Plan(_) => "terraform-plan",
            Input::Manifest(_) => "manifest",
            Input::Structured(_) => "structured",
        }
    }

    fn text(&self) -> &str {
        match self {
            Input::Shell(s) | Input::Sql(s) | Input::Plan(s) | Input::Manifest(s) | Input::Structured(s) => s,
        }
    }
}

pub struct Request<'a> {
    pub input: Input,
    pub cwd: Option<PathBuf>,
    pub agent: Option<String>,
    pub session: Option<String>,
    pub source: &'a str,
    /// Use the built-in example's rules (interactive `lore check`); hooks do not.
    pub example_rules: bool,
    /// Check sources for changes at most this often (hooks); `None`: every time.
    pub stale_check_every: Option<std::time::Duration>,
}

pub struct Outcome {
    pub verdict: Verdict,
    pub decision_id: Option<i64>,
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
        Ok(k) => match k.open_checking(None, true, request.stale_check_every) {
            Ok(pack) => Some(pack),
            Err(err) => {
                notes.push(format!("knowledge could not be loaded ({err:#}); only the baseline applies"));
                None
            }
        },
        Err(err) => {
            notes.push(format!("knowledge could not be found ({err:#}); only the baseline applies"));
            None
        }
    };
    let analysis = request.input.analyze();
    let ctx = Context::from_process(request.cwd.clone());
    let mut verdict = lore_gate::check(pack.as_ref().map(|p| p.data()), &analysis, &ctx, &config);
    verdict.pack_version = pack.as_ref().map(|p| p.manifest().version());
    let knowledge_failed = match &knowledge {
        Ok(k) => k.origin != Origin::Example || request.example_rules,
        Err(_) => true,
    };
    if pack.is_none() && knowledge_failed {
        let production = verdict.actions.iter().any(|a| a.production);
        let decision = lore_gate::failure_decision(config.on_failure, production);
        if decision > Decision::Allow && verdict.actions.iter().any(|a| a.class.is_destructive()) {
            add_reason(&mut verdict, decision, ReasonKind::Incomplete, "lore's knowledge is unavailable and this action is destructive; failing closed where it may touch production".into());
        }
    }

    let log_path = config.log.clone().unwrap_or_else(lore_log::default_path);
    let log = match DecisionLog::open(&log_path) {
        Ok(log) => Some(log),
        Err(err) => {
            notes.push(format!("decision not logged: {err}"));
            None
        }
    };
    let now = ctx.now.0;
    if let Some(log) = &log
        && verdict.decision >= Decision::Ask
        && !has_unoverridable_deny(&verdict)
        && let Ok(Some((approved, by))) = log.take_approval(request.input.text(), now)
    {
        let who = by.unwrap_or_else(|| "a human".into());
        verdict.decision = Decision::Allow;
        verdict.summary = format!("allowed: approved once by {who} (decision {approved})");
        let summary = verdict.summary.clone();
        add_reason(&mut verdict, Decision::Allow, ReasonKind::Approval, summary);
    }
    let decision_id = log.as_ref().and_then(|log| {
        let record = NewRecord {
            ts_unix: now,
            source: request.source.to_string(),
            agent: request.agent.clone(),
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
        };
        log.append(&record).map_err(|err| notes.push(format!("decision not logged: {err}"))).ok()
    });
    Outcome { verdict, decision_id, notes }
}

fn add_reason(verdict: &mut Verdict, decision: Decision, kind: ReasonKind, message: String) {
    let reason = Reason { decision, kind, message, id: None, cite: None };
    match verdict.actions.first_mut() {
        Some(action) => {
            action.reasons.insert(0, reason);
            action.decision = action.decision.max(decision);
        }
        None => return,
    }
    verdict.decision = verdict.decision.max(decision);
}

/// Baseline denials that no approval lifts (rm -rf /, mkfs on a device).
fn has_unoverridable_deny(verdict: &Verdict) -> bool {
    verdict.reasons().iter().any(|r| {
        r.kind == ReasonKind::Baseline
            && r.decision == Decision::Deny
            && (r.message.contains("destroys the machine") || r.message.contains("erases everything"))
    })
}

/// The text an agent reads: the main reasons with citations.
pub fn reason_text(verdict: &Verdict) -> String {
    let mut lines = vec![format!("lore: {}", verdict.summary)];
    for reason in
        verdict.reasons().iter().filter(|r| r.decision > Decision::Allow || r.kind == ReasonKind::Stale).take(6)
    {
        let cite = reason.cite.as_ref().map(|c| format!(" [{c}]")).unwrap_or_default();
        lines.push(format!("- {}: {}{cite}", reason.decision, reason.message));
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

pub fn approve_hint(decision_id: Option<i64>) -> String {
    match decision_id {
        Some(id) => format!("a human can approve it once with `lore approve {id}`, then retry"),
        None => "a human must run it, or approve it with `lore approve`".into(),
    }
}

/// Reads a hook payload from stdin, bounded in size; the deadline thread
/// answers if reading or deciding hangs. `None` when it is over the limit.
pub fn read_payload() -> Result<Option<String>> {
    let mut bytes = Vec::new();
    std::io::stdin().take(MAX_PAYLOAD_BYTES + 1).read_to_end(&mut bytes).context("reading the hook payload")?;
    if bytes.len() as u64 > MAX_PAYLOAD_BYTES {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Starts a watchdog: if the hook has not answered by the deadline, it
/// answers for it (fail-open, saying so) and exits.
pub fn start_deadline(agent: lore_hooks::Agent) {
    std::thread::spawn(move || {
        std::thread::sleep(HOOK_DEADLINE);
        let answer = lore_hooks::Answer {
            decision: Decision::Warn,
            reason: "lore did not decide in time; failing open",
            context: "",
            approve_hint: "",
        };
        let response = lore_hooks::render(agent, &answer);
        print!("{}", response.stdout);
        eprint!("lore: hook timed out after {} s; failing open\n{}", HOOK_DEADLINE.as_secs(), response.stderr);
        std::process::exit(response.exit_code);
    });
}

pub fn log_path_for(flag: Option<&Path>) -> PathBuf {
    Knowledge::locate(flag)
        .ok()
        .and_then(|k| GateConfig::from_table(k.config.gate.as_ref()).ok())
        .and_then(|c| c.log)
        .unwrap_or_else(lore_log::default_path)
}
