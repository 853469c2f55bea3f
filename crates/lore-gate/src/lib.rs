//! The pre-action gate: for each action an agent proposes, decide allow,
//! warn, ask or deny from the organisation's knowledge, and say why with
//! citations, what to know first, what to do instead and whom to ask.
//!
//! Deterministic, no LLM. The decision logic is documented in docs/gate.md;
//! keep the two in step.

mod baseline;
mod briefing;
mod checks;
mod context;
mod grounding;
mod related;
mod resolve;
mod workspace;

use lore_action::{Action, Analysis};
use lore_model::{ActionClass, Decision, Rule, Timestamp, Trust, Within};
use lore_pack::ArchivedPackData;
use serde::{Deserialize, Serialize};

pub use context::Context;
pub use related::{RelatedSearch, RelatedSection};
pub use resolve::EnvironmentMatch;
pub use workspace::{PathState, Workspace};

/// `[gate]` in lore.toml.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateConfig {
    /// A system with more dependents than this counts as critical, whatever its tier.
    pub dependents_threshold: usize,
    /// What to do when knowledge cannot be loaded or input cannot be analysed.
    pub on_failure: FailMode,
    /// The built-in baseline (rm -rf /, mkfs, terraform destroy, …).
    pub baseline: bool,
    /// How long a human approval of a command lasts, in minutes.
    pub approval_minutes: u32,
    /// Where the decision log lives (default: the user's state directory).
    pub log: Option<std::path::PathBuf>,
}

impl Default for GateConfig {
    fn default() -> GateConfig {
        GateConfig {
            dependents_threshold: 5,
            on_failure: FailMode::Auto,
            baseline: true,
            approval_minutes: 10,
            log: None,
        }
    }
}

impl GateConfig {
    /// Reads `[gate]` from `lore.toml` (the defaults when absent); an error
    /// says which key is wrong.
    pub fn from_table(table: Option<&toml::Table>) -> Result<GateConfig, String> {
        match table {
            None => Ok(GateConfig::default()),
            Some(table) => toml::Value::Table(table.clone())
                .try_into()
                .map_err(|err: toml::de::Error| format!("[gate]: {}", err.message())),
        }
    }
}

/// What the gate decides when it cannot know: no knowledge, or input it
/// could not fully analyse (`[gate] on_failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailMode {
    /// Closed (ask) for actions that look like production, open (warn) otherwise.
    Auto,
    /// Deny.
    Closed,
    /// Allow with a warning.
    Open,
}

/// What a reason comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    /// A rule that matched.
    Rule,
    /// A reviewed allow rule (an exception) that lifts other reasons.
    Exception,
    /// A change freeze in force.
    Freeze,
    /// A destructive action in production on a critical system (tier 1, or
    /// more dependents than `dependents_threshold`).
    CriticalSystem,
    /// A destructive action in production on a system nobody documented.
    UnknownSystem,
    /// A past incident that started with an action like this one.
    Incident,
    /// The built-in baseline (`rm -rf /`, `terraform destroy`, …).
    Baseline,
    /// Knowledge the verdict relies on is past its review date; decides nothing.
    Stale,
    /// A proposed rule, not yet reviewed: warns at most.
    Proposed,
    /// A prohibition mined from a runbook, not yet reviewed: warns at most.
    Advisory,
    /// What the organisation's runbooks and incident reports say about this
    /// operation, matched by its typed form: asks at most.
    Documented,
    /// The input could not be fully analysed.
    Incomplete,
    /// A human's one-time approval of this exact input.
    Approval,
    /// Context for the agent; decides nothing.
    Briefing,
}

/// Why a verdict is what it is, with the source to cite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// What this reason alone would decide.
    pub decision: Decision,
    /// What it comes from.
    pub kind: ReasonKind,
    /// The reason in one sentence, for people and agents.
    pub message: String,
    /// The ID of the record behind it (a rule, incident, freeze, …), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where the fact behind it is written (`path:line`), when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    /// When the fact behind the reason was reviewed, and whether it was declared or observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<Trust>,
    /// Whether a human's one-time approval, or a reviewed allow rule, can
    /// lift it. Wrecking the machine itself cannot be approved away.
    #[serde(default = "approvable_by_default", skip_serializing_if = "is_approvable")]
    pub approvable: bool,
    /// What to do instead, when the reason says so itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instead: Option<String>,
}

fn approvable_by_default() -> bool {
    true
}

fn is_approvable(approvable: &bool) -> bool {
    *approvable
}

impl Reason {
    /// A reason citing nothing, approvable, with nothing instead.
    pub fn new(decision: Decision, kind: ReasonKind, message: impl Into<String>) -> Reason {
        Reason {
            decision,
            kind,
            message: message.into(),
            id: None,
            cite: None,
            trust: None,
            approvable: true,
            instead: None,
        }
    }

    /// The same reason, naming the record behind it.
    pub fn with_id(mut self, id: impl Into<String>) -> Reason {
        self.id = Some(id.into());
        self
    }

    /// The same reason, citing `cite` (`path:line`) with the trust of what it cites.
    pub fn citing(mut self, cite: impl Into<String>, trust: Trust) -> Reason {
        self.cite = Some(cite.into());
        self.trust = Some(trust);
        self
    }
}

/// The decision on one action, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionVerdict {
    /// The action's label (`kubectl delete`).
    pub action: String,
    /// What kind of change it is.
    pub class: ActionClass,
    /// The most severe of its reasons' decisions (allow with none).
    pub decision: Decision,
    /// The environment it was resolved to run in, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Whether it looks like production (an environment, or other evidence).
    pub production: bool,
    /// The IDs of the systems it touches.
    pub systems: Vec<String>,
    /// The command as written.
    pub text: String,
    /// Its reasons, most severe first.
    pub reasons: Vec<Reason>,
}

/// What the agent should read before going on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Briefing {
    /// The owners of the touched systems.
    pub owners: Vec<String>,
    /// Systems that depend directly on the touched ones.
    pub dependents: Vec<String>,
    /// How many systems depend on a touched one, directly or not (the largest, over the touched systems).
    pub blast_radius: usize,
    /// The tier-1 systems among those dependents.
    pub tier1_in_blast_radius: Vec<String>,
    /// Runbook sections to read first, `title (path)` or with their lines.
    pub runbooks: Vec<String>,
    /// Past incidents like this action, `ID title (date)`.
    pub incidents: Vec<String>,
    /// What to do instead, as rules and the baseline say.
    pub instead: Vec<String>,
}

/// The gate's answer on a whole input: every action's verdict, and what to read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The most severe decision of its actions.
    pub decision: Decision,
    /// One line for people and agents.
    pub summary: String,
    /// Each action's verdict, in order (and one for unanalysed input).
    pub actions: Vec<ActionVerdict>,
    /// What the agent should read before going on.
    pub briefing: Briefing,
    /// Whom to ask: the contacts and escalation of the owning teams.
    pub escalation: Vec<String>,
    /// The version of the pack it was decided against; `None` without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack_version: Option<String>,
    /// False when part of the input could not be analysed.
    pub complete: bool,
}

impl Verdict {
    /// Every reason, most severe first, without repeats.
    pub fn reasons(&self) -> Vec<&Reason> {
        let mut all: Vec<&Reason> = self.actions.iter().flat_map(|a| a.reasons.iter()).collect();
        all.sort_by_key(|r| std::cmp::Reverse(r.decision));
        let mut seen = std::collections::HashSet::new();
        all.retain(|r| seen.insert((r.kind, r.message.clone())));
        all
    }

    /// Rule ids that contributed, for the decision log.
    pub fn rule_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .reasons()
            .iter()
            .filter(|r| matches!(r.kind, ReasonKind::Rule | ReasonKind::Exception))
            .filter_map(|r| r.id.clone())
            .collect();
        ids.dedup();
        ids
    }

    /// The IDs of every system any action touches, sorted, once each.
    pub fn systems(&self) -> Vec<String> {
        let mut all: Vec<String> = self.actions.iter().flat_map(|a| a.systems.iter().cloned()).collect();
        all.sort();
        all.dedup();
        all
    }
}

/// Classes that destroy or are hard to reverse: they make a system's
/// criticality matter.
pub fn is_destructive(action: &Action) -> bool {
    match action.class {
        ActionClass::Delete
        | ActionClass::Recreate
        | ActionClass::BulkDestroy
        | ActionClass::DataDelete
        | ActionClass::Drain => true,
        ActionClass::HistoryRewrite => !action.has_flag("local") && baseline::touches_protected_ref(action),
        ActionClass::Scale => action.has_flag("scale-to-zero") || action.has_flag("stop"),
        ActionClass::DataWrite => action.has_flag("no-where"),
        _ => false,
    }
}

/// Decides on every action of an analysis. Without a pack (knowledge could
/// not be loaded) only the baseline applies.
pub fn check(pack: Option<&ArchivedPackData>, analysis: &Analysis, ctx: &Context, config: &GateConfig) -> Verdict {
    check_with(pack, analysis, ctx, config, None)
}

/// [`check`], with a search over the documents for actions that change
/// something where production may be: the sections it finds go into the
/// briefing, and the best one's caution becomes a warning.
pub fn check_with(
    pack: Option<&ArchivedPackData>,
    analysis: &Analysis,
    ctx: &Context,
    config: &GateConfig,
    search: Option<&dyn RelatedSearch>,
) -> Verdict {
    let mut verdicts = Vec::new();
    let mut briefing = Briefing::default();
    let mut escalation = Vec::new();
    for action in &analysis.actions {
        verdicts.push(check_action(pack, search, action, ctx, config, &mut briefing, &mut escalation));
    }
    if !analysis.complete {
        let production = verdicts.iter().any(|v| v.production)
            || resolve::looks_production_text(&analysis.problems.join(" "))
            || analysis.actions.iter().any(|a| resolve::looks_production_text(&a.text));
        let decision = failure_decision(config.on_failure, production);
        let message = format!(
            "lore could not fully analyse this command ({}); {}",
            analysis.problems.join("; "),
            if decision >= Decision::Ask {
                "failing closed because it may touch production"
            } else {
                "failing open with a warning"
            }
        );
        verdicts.push(ActionVerdict {
            action: "unanalysed input".into(),
            class: ActionClass::Unknown,
            decision,
            environment: None,
            production,
            systems: Vec::new(),
            text: String::new(),
            reasons: vec![Reason::new(decision, ReasonKind::Incomplete, message)],
        });
    }
    let decision = verdicts.iter().map(|v| v.decision).max().unwrap_or(Decision::Allow);
    escalation.dedup();
    briefing.instead.dedup();
    let summary = summarise(decision, &verdicts);
    Verdict {
        decision,
        summary,
        actions: verdicts,
        briefing,
        escalation,
        pack_version: None,
        complete: analysis.complete,
    }
}

/// The decision `mode` gives when the gate cannot know; `production` says
/// whether the action looks like production.
pub fn failure_decision(mode: FailMode, production: bool) -> Decision {
    match mode {
        FailMode::Closed => Decision::Deny,
        FailMode::Open => Decision::Warn,
        FailMode::Auto if production => Decision::Ask,
        FailMode::Auto => Decision::Warn,
    }
}

fn summarise(decision: Decision, verdicts: &[ActionVerdict]) -> String {
    let worst = verdicts
        .iter()
        .filter(|v| v.decision == decision)
        .find_map(|v| v.reasons.iter().filter(|r| r.decision == decision).max_by_key(|r| r.kind == ReasonKind::Rule));
    match (decision, worst) {
        (Decision::Allow, _) => "allowed: nothing in lore's knowledge stands against this".into(),
        // A rule's message is "title: rationale"; the title reads best alone.
        (d, Some(reason)) if reason.kind == ReasonKind::Rule => {
            format!("{d}: {}", reason.message.split(": ").next().unwrap_or(&reason.message))
        }
        (d, Some(reason)) => format!("{d}: {}", reason.message),
        (d, None) => d.to_string(),
    }
}

fn check_action(
    pack: Option<&ArchivedPackData>,
    search: Option<&dyn RelatedSearch>,
    action: &Action,
    ctx: &Context,
    config: &GateConfig,
    briefing: &mut Briefing,
    escalation: &mut Vec<String>,
) -> ActionVerdict {
    let subject = Subject::of(pack, action, ctx);
    let mut reasons: Vec<Reason> = Vec::new();
    let mut exception = None;
    if let Some(data) = pack {
        let knowledge = checks::Knowledge::new(data, ctx.now);
        let rules = checks::rules(&knowledge, &subject);
        briefing::add_instead(briefing, &rules.instead);
        exception = rules.exception;
        reasons.extend(rules.reasons);
        reasons.extend(checks::freezes(&knowledge, &subject));
        reasons.extend(checks::systems(&knowledge, &subject, config, &rules.matched));
        let incidents = checks::incidents(&knowledge, &subject);
        briefing::add_incidents(briefing, &incidents);
        reasons.extend(incidents.into_iter().map(|(_, reason)| reason));
        let grounded = grounding::ground(data, action, &subject.system_ids, &subject.place);
        briefing::add_documented(briefing, grounded.documented);
        reasons.extend(grounded.reasons);
        if let Some(search) = search.filter(|_| related::wanted(action, &subject.place)) {
            let cited: Vec<&str> = reasons
                .iter()
                .filter_map(|r| r.cite.as_deref())
                .map(|c| c.rsplit_once(':').map_or(c, |(f, _)| f))
                .collect();
            let related = related::relate(data, search, action, &subject.place, &cited);
            briefing::add_documented(briefing, related.briefing);
            reasons.extend(related.reason);
        }
        briefing::add_systems(briefing, escalation, data, &subject.systems);
    }
    reasons.extend(checks::unknown_system(&subject));
    if config.baseline {
        let found = checks::baseline(&subject, ctx, exception.is_some());
        let instead: Vec<String> = found.iter().filter_map(|r| r.instead.clone()).collect();
        briefing::add_instead(briefing, &instead);
        reasons.extend(found);
    }
    if let Some(exception) = exception {
        checks::apply_exception(&mut reasons, exception);
    }
    let decision = reasons.iter().map(|r| r.decision).max().unwrap_or(Decision::Allow);
    reasons.sort_by_key(|r| std::cmp::Reverse(r.decision));
    ActionVerdict {
        action: action.label(),
        class: action.class,
        decision,
        environment: subject.environment.as_ref().map(|e| e.id.clone()),
        production: subject.production,
        systems: subject.system_ids,
        text: action.text.clone(),
        reasons,
    }
}

/// One action as the checks see it: where it runs and what it touches.
pub(crate) struct Subject<'a> {
    pub action: &'a Action,
    pub environment: Option<EnvironmentMatch>,
    pub production: bool,
    pub place: grounding::Where,
    /// Indexes into the pack's systems, and their ids.
    pub systems: Vec<u32>,
    pub system_ids: Vec<String>,
    pub destructive: bool,
}

impl<'a> Subject<'a> {
    fn of(pack: Option<&ArchivedPackData>, action: &'a Action, ctx: &Context) -> Subject<'a> {
        let environment = pack.and_then(|data| resolve::environment(data, action, ctx));
        let evidence = match &environment {
            Some(env) => env.production.then(|| format!("environment `{}`, from {}", env.id, env.via)),
            None => resolve::production_evidence(action, ctx)
                .or_else(|| pack.and_then(|data| resolve::known_production(data, action))),
        };
        let production = evidence.is_some();
        let systems = pack.map(|data| resolve::systems(data, action, ctx)).unwrap_or_default();
        let system_ids = pack
            .map(|data| systems.iter().map(|ix| data.systems[*ix as usize].id.to_string()).collect())
            .unwrap_or_default();
        let place = grounding::Where::of(action, evidence, environment.is_some());
        Subject { action, environment, production, place, systems, system_ids, destructive: is_destructive(action) }
    }
}

/// Whether a rule applies to an action; `Some(specificity)` if it does.
/// Narrower scopes are more specific: systems, then environments, then
/// commands and resource kinds.
fn rule_matches(rule: &Rule, action: &Action, systems: &[String], env: Option<&String>) -> Option<u32> {
    let scope = &rule.scope;
    // An environment lore could not name is none of a rule's environments.
    let envs = env.map(std::slice::from_ref).unwrap_or_default();
    if !scope.applies(Within::OneOf(systems), Within::OneOf(envs)) || !matcher_matches(&rule.matcher, action) {
        return None;
    }
    let m = &rule.matcher;
    let specificity = 8 * u32::from(!scope.systems.is_empty())
        + 4 * u32::from(!scope.environments.is_empty())
        + 2 * u32::from(!m.commands.is_empty() || !m.resource_kinds.is_empty())
        + u32::from(!m.tools.is_empty() || !m.classes.is_empty());
    Some(specificity)
}

/// Every non-empty list of the matcher must match.
pub fn matcher_matches(m: &lore_model::ActionMatcher, action: &Action) -> bool {
    if !m.classes.is_empty() && !m.classes.contains(&action.class) {
        return false;
    }
    if !m.tools.is_empty() && !m.tools.iter().any(|t| same_tool(t, &action.tool)) {
        return false;
    }
    if !m.commands.is_empty() {
        let text = normalise_command(&action.text);
        let label = action.label().to_lowercase();
        let any = m
            .commands
            .iter()
            .any(|pattern| resolve::glob_matches(pattern, &text) || resolve::glob_matches(pattern, &label));
        if !any {
            return false;
        }
    }
    if !m.resource_kinds.is_empty() {
        let kinds = resolve::target_kinds(action);
        if !m.resource_kinds.iter().any(|k| kinds.iter().any(|t| t.eq_ignore_ascii_case(k))) {
            return false;
        }
    }
    true
}

fn same_tool(a: &str, b: &str) -> bool {
    let canon = |t: &str| {
        match t {
            "tofu" | "terragrunt" => "terraform",
            "oc" | "kubecolor" => "kubectl",
            "podman" => "docker",
            "valkey-cli" => "redis-cli",
            "mariadb" => "mysql",
            other => other,
        }
        .to_string()
    };
    canon(a) == canon(b)
}

fn normalise_command(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// When a decision was made, for the log.
pub fn now() -> Timestamp {
    Timestamp::now()
}
