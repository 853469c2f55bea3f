//! The pre-action gate: for each action an agent proposes, decide allow,
//! warn, ask or deny from the organisation's knowledge, and say why with
//! citations, what to know first, what to do instead and whom to ask.
//!
//! Deterministic, no LLM. The decision logic is documented in docs/gate.md;
//! keep the two in step.

mod baseline;
mod context;
mod grounding;
mod resolve;

use lore_action::{Action, Analysis};
use lore_model::{ActionClass, Decision, Incident, Rule, Status, Timestamp, Trust};
use lore_pack::ArchivedPackData;
use lore_pack::query::{self, owned};
use serde::{Deserialize, Serialize};

pub use context::Context;
pub use resolve::EnvironmentMatch;

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
    pub fn from_table(table: Option<&toml::Table>) -> Result<GateConfig, String> {
        match table {
            None => Ok(GateConfig::default()),
            Some(table) => toml::Value::Table(table.clone())
                .try_into()
                .map_err(|err: toml::de::Error| format!("[gate]: {}", err.message())),
        }
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonKind {
    Rule,
    Exception,
    Freeze,
    CriticalSystem,
    UnknownSystem,
    Incident,
    Baseline,
    Stale,
    Proposed,
    /// A prohibition mined from a runbook, not yet reviewed: warns at most.
    Advisory,
    /// What the organisation's runbooks and incident reports say about this
    /// operation, matched by its typed form: asks at most.
    Documented,
    Incomplete,
    Approval,
    Briefing,
}

/// Why a verdict is what it is, with the source to cite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub decision: Decision,
    pub kind: ReasonKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    /// When the fact behind the reason was reviewed, and whether it was declared or observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<Trust>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionVerdict {
    pub action: String,
    pub class: ActionClass,
    pub decision: Decision,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub production: bool,
    pub systems: Vec<String>,
    pub text: String,
    pub reasons: Vec<Reason>,
}

/// What the agent should read before going on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Briefing {
    pub owners: Vec<String>,
    pub dependents: Vec<String>,
    pub blast_radius: usize,
    pub tier1_in_blast_radius: Vec<String>,
    pub runbooks: Vec<String>,
    pub incidents: Vec<String>,
    pub instead: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub decision: Decision,
    /// One line for people and agents.
    pub summary: String,
    pub actions: Vec<ActionVerdict>,
    pub briefing: Briefing,
    pub escalation: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack_version: Option<String>,
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
    let mut verdicts = Vec::new();
    let mut briefing = Briefing::default();
    let mut escalation = Vec::new();
    for action in &analysis.actions {
        verdicts.push(check_action(pack, action, ctx, config, &mut briefing, &mut escalation));
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
            reasons: vec![Reason {
                decision,
                kind: ReasonKind::Incomplete,
                message,
                id: None,
                cite: None,
                trust: None,
            }],
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
    action: &Action,
    ctx: &Context,
    config: &GateConfig,
    briefing: &mut Briefing,
    escalation: &mut Vec<String>,
) -> ActionVerdict {
    let environment = pack.and_then(|data| resolve::environment(data, action, ctx));
    let production = environment.as_ref().map_or_else(|| resolve::looks_production(action, ctx), |e| e.production);
    let systems = pack.map(|data| resolve::systems(data, action, ctx)).unwrap_or_default();
    let mut reasons: Vec<Reason> = Vec::new();
    let mut exception_specificity: Option<(u32, Reason)> = None;
    let now = ctx.now;
    let destructive = is_destructive(action);

    if let Some(data) = pack {
        let system_ids: Vec<String> = systems.iter().map(|ix| data.systems[*ix as usize].id.to_string()).collect();
        let env_id = environment.as_ref().map(|e| e.id.clone());
        let today = now.day();
        let default_review = data.default_review_days.as_ref().map(|d| d.to_native());

        // Rules, most specific allow first among exceptions.
        let mut matched: Vec<(u32, Rule)> = Vec::new();
        for archived in data.rules.iter() {
            let rule: Rule = owned(archived);
            if let Some(specificity) = rule_matches(&rule, action, &system_ids, env_id.as_deref()) {
                matched.push((specificity, rule));
            }
        }
        for (specificity, rule) in &matched {
            let proposed = rule.meta.status == Status::Proposed;
            if matches!(rule.meta.status, Status::Deprecated | Status::SupersededBy(_))
                || !rule.meta.freshness.valid_on(today)
            {
                continue;
            }
            let mut decision = rule.decision;
            let mut message = format!("{}: {}", rule.title, rule.rationale);
            if proposed {
                decision = decision.min(Decision::Warn);
                message = format!("(proposed, not yet reviewed) {message}");
            }
            if let Some(instead) = &rule.instead {
                briefing.instead.push(instead.clone());
            }
            let reason = Reason {
                decision,
                kind: if decision == Decision::Allow {
                    ReasonKind::Exception
                } else if proposed {
                    ReasonKind::Proposed
                } else {
                    ReasonKind::Rule
                },
                message,
                id: Some(rule.id.clone()),
                cite: Some(rule.meta.provenance.cite()),
                trust: Some(Trust::of(&rule.meta, today, default_review)),
            };
            if rule.decision == Decision::Allow && !proposed {
                if exception_specificity.as_ref().is_none_or(|(s, _)| specificity > s) {
                    exception_specificity = Some((*specificity, reason));
                }
            } else {
                reasons.push(reason.clone());
            }
            if rule.meta.freshness.is_stale(today, default_review) {
                reasons.push(stale(
                    &rule.id,
                    format!("rule `{}` is past its review date; confirm it still holds", rule.id),
                    &rule.meta,
                    today,
                    default_review,
                ));
            }
        }
        // An explicit allow narrower than a rule overrides it.
        if let Some((allow_specificity, allow)) = &exception_specificity {
            let before = reasons.len();
            reasons.retain(|r| {
                r.kind != ReasonKind::Rule
                    || matched.iter().any(|(s, rule)| Some(&rule.id) == r.id.as_ref() && s >= allow_specificity)
            });
            if reasons.len() < before || matched.iter().all(|(_, r)| r.decision == Decision::Allow) {
                reasons.push(allow.clone());
            }
        }

        // Freezes on the environment or the systems.
        if action.class != ActionClass::Read && action.class != ActionClass::SecretRead {
            for archived in data.freezes.iter() {
                let freeze: lore_model::Freeze = owned(archived);
                if !(freeze.start <= now && now < freeze.end) {
                    continue;
                }
                let by_env = env_id.as_ref().is_some_and(|e| freeze.environments.contains(e));
                let by_system = system_ids.iter().any(|s| freeze.systems.contains(s));
                if by_env || by_system {
                    reasons.push(Reason {
                        decision: Decision::Deny,
                        kind: ReasonKind::Freeze,
                        message: format!("change freeze `{}` until {}: {}", freeze.id, freeze.end, freeze.reason),
                        id: Some(freeze.id.clone()),
                        cite: Some(freeze.meta.provenance.cite()),
                        trust: Some(Trust::of(&freeze.meta, today, default_review)),
                    });
                }
            }
        }

        // What the action touches: criticality, dependents, incidents, briefing.
        // Tokenised only if some touched system has advisories.
        let mut tokens: Option<Vec<String>> = None;
        let mut advisory_reasons = 0;
        for &ix in &systems {
            let system = query::system(data, ix);
            let links = &data.links[ix as usize];
            let dependents = links.dependents.len();
            let (blast_total, tier1_in_blast) = query::blast_counts(data, ix, 16);
            let critical = system.tier == Some(1) || dependents > config.dependents_threshold;
            if destructive && production && critical {
                let why = if system.tier == Some(1) {
                    "tier 1".to_string()
                } else {
                    format!("{dependents} systems depend on it")
                };
                reasons.push(Reason {
                    decision: Decision::Ask,
                    kind: ReasonKind::CriticalSystem,
                    message: format!(
                        "{} on `{}` in production, a critical system ({why}; {blast_total} systems in its blast radius)",
                        action.class, system.id
                    ),
                    id: Some(system.id.clone()),
                    cite: Some(system.meta.provenance.cite()),
                    trust: Some(Trust::of(&system.meta, today, default_review)),
                });
            }
            if system.meta.freshness.is_stale(today, default_review) {
                reasons.push(stale(
                    &system.id,
                    format!("what lore knows about `{}` is past its review date", system.id),
                    &system.meta,
                    today,
                    default_review,
                ));
            }
            for owner in &system.owners {
                if !briefing.owners.contains(owner) {
                    briefing.owners.push(owner.clone());
                }
                if let Some(team) = data.teams.iter().find(|t| t.id.as_str() == lore_model::normalize_name(owner)) {
                    let team: lore_model::Team = owned(team);
                    for contact in team.contacts.iter().chain(team.escalation.iter()) {
                        if !escalation.contains(contact) {
                            escalation.push(contact.clone());
                        }
                    }
                }
            }
            for e in links.dependents.iter() {
                if let Some(from) = data.edges[e.to_native() as usize].from_ix.as_ref() {
                    let name = data.systems[from.to_native() as usize].id.to_string();
                    if !briefing.dependents.contains(&name) {
                        briefing.dependents.push(name);
                    }
                }
            }
            briefing.blast_radius = briefing.blast_radius.max(blast_total);
            for c in tier1_in_blast {
                if !briefing.tier1_in_blast_radius.contains(&c) {
                    briefing.tier1_in_blast_radius.push(c);
                }
            }
            for a in links.advisories.iter() {
                let advisory = &data.advisories[a.to_native() as usize];
                // Once promoted, the rule speaks for it.
                let promoted = matched.iter().any(|(_, rule)| rule.id.eq_ignore_ascii_case(advisory.id.as_str()));
                if !promoted
                    && advisory_reasons < MAX_ADVISORY_REASONS
                    && advisory_applies(advisory, action, tokens.get_or_insert_with(|| action_tokens(action)))
                {
                    advisory_reasons += 1;
                    reasons.push(Reason {
                        decision: Decision::Warn,
                        kind: ReasonKind::Advisory,
                        message: format!("the runbook says (unreviewed advisory): \"{}\"", advisory.sentence),
                        id: Some(advisory.id.to_string()),
                        cite: Some(owned::<lore_model::Provenance, _>(&advisory.provenance).cite()),
                        trust: Some(Trust::MINED),
                    });
                }
            }
            for r in links.runbooks.iter().take(3) {
                let runbook = &data.runbooks[r.to_native() as usize];
                let cite = format!("{} ({})", runbook.title, runbook.path);
                if !briefing.runbooks.contains(&cite) {
                    briefing.runbooks.push(cite);
                }
            }
        }

        // Past incidents whose trigger matches this action.
        for archived in data.incidents.iter() {
            let Some(trigger) = archived.trigger.as_ref() else { continue };
            let trigger: lore_model::ActionMatcher = owned(trigger);
            if trigger.is_empty() || !matcher_matches(&trigger, action) {
                continue;
            }
            let incident: Incident = owned(archived);
            let overlaps = incident.systems.iter().any(|s| system_ids.contains(s));
            let unscoped = incident.systems.is_empty() || system_ids.is_empty();
            // Without a system in common, the trigger alone counts in production,
            // or for actions that destroy wholesale wherever they run.
            let wholesale = matches!(action.class, ActionClass::BulkDestroy | ActionClass::Recreate)
                || (action.class == ActionClass::HistoryRewrite && destructive);
            if !(overlaps || (unscoped && (production || wholesale))) {
                continue;
            }
            // Incidents happened in production; elsewhere they are a warning.
            let decision = if incident.is_severe() && production { Decision::Ask } else { Decision::Warn };
            let note = format!(
                "{} {} ({})",
                incident.id,
                incident.title,
                incident.date.map(|d| d.to_string()).unwrap_or_default()
            );
            if !briefing.incidents.contains(&note) {
                briefing.incidents.push(note);
            }
            reasons.push(Reason {
                decision,
                kind: ReasonKind::Incident,
                message: format!("this is how incident {} started: {}", incident.id, incident.title),
                id: Some(incident.id.clone()),
                cite: Some(incident.meta.provenance.cite()),
                trust: Some(Trust::of(&incident.meta, today, default_review)),
            });
        }
        let place = grounding::Where::of(action, production, environment.is_some());
        let grounded = grounding::ground(data, action, &system_ids, place);
        reasons.extend(grounded.reasons);
        for documented in grounded.documented {
            if !briefing.runbooks.contains(&documented) {
                briefing.runbooks.push(documented);
            }
        }
    }

    // A destructive action on something nobody described, in production.
    if destructive && production && systems.is_empty() && resolve::has_system_targets(action) {
        reasons.push(Reason {
            decision: Decision::Ask,
            kind: ReasonKind::UnknownSystem,
            message: "lore has no knowledge of this system; nobody documented what depends on it".into(),
            id: None,
            cite: None,
            trust: None,
        });
    }

    if config.baseline {
        for (decision, message, overridable) in baseline::check(action, production) {
            let decision = match &exception_specificity {
                Some(_) if overridable => continue,
                _ => decision,
            };
            reasons.push(Reason {
                decision,
                kind: ReasonKind::Baseline,
                message,
                id: None,
                cite: Some("lore built-in baseline (docs/gate.md)".into()),
                trust: Some(Trust::BUILT_IN),
            });
        }
    }

    // An explicit allow is an exception to the generic checks too, but not
    // to freezes or to what no allow lifts; past incidents stay as warnings.
    if exception_specificity.is_some() {
        for reason in &mut reasons {
            match reason.kind {
                // A reviewed allow outranks what the prose around a command says.
                ReasonKind::CriticalSystem | ReasonKind::UnknownSystem | ReasonKind::Documented => {
                    reason.decision = Decision::Allow
                }
                ReasonKind::Incident => reason.decision = reason.decision.min(Decision::Warn),
                _ => {}
            }
        }
        reasons.retain(|r| {
            r.decision > Decision::Allow
                || !matches!(r.kind, ReasonKind::CriticalSystem | ReasonKind::UnknownSystem | ReasonKind::Documented)
        });
    }
    let decision = reasons.iter().map(|r| r.decision).max().unwrap_or(Decision::Allow);
    reasons.sort_by_key(|r| std::cmp::Reverse(r.decision));
    ActionVerdict {
        action: action.label(),
        class: action.class,
        decision,
        environment: environment.as_ref().map(|e| e.id.clone()),
        production,
        systems: pack
            .map(|data| systems.iter().map(|ix| data.systems[*ix as usize].id.to_string()).collect())
            .unwrap_or_default(),
        text: action.text.clone(),
        reasons,
    }
}

/// Enough to make the point; a runbook full of warnings must not bury the rest.
const MAX_ADVISORY_REASONS: usize = 3;

/// The words of a command, lower-cased: its tool, subcommands and arguments.
fn action_tokens(action: &Action) -> Vec<String> {
    let words = action.text.split(|c: char| c.is_whitespace() || "='\",;()".contains(c));
    std::iter::once(action.tool.as_str())
        .chain(action.command.iter().map(String::as_str))
        .chain(words)
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// An advisory applies when the action uses one of its terms other than the
/// tool's own name: "DO NOT USE MONITOR" is about `redis-cli monitor`, not
/// about every `redis-cli`.
fn advisory_applies(advisory: &lore_model::ArchivedAdvisory, action: &Action, tokens: &[String]) -> bool {
    advisory.terms.iter().map(|t| t.as_str()).any(|term| term != action.tool && tokens.iter().any(|t| t == term))
}

fn stale(
    id: &str,
    message: String,
    meta: &lore_model::Meta,
    today: lore_model::Day,
    default_review: Option<u32>,
) -> Reason {
    Reason {
        decision: Decision::Allow,
        kind: ReasonKind::Stale,
        message,
        id: Some(id.to_string()),
        cite: Some(meta.provenance.cite()),
        trust: Some(Trust::of(meta, today, default_review)),
    }
}

/// Whether a rule applies to an action; `Some(specificity)` if it does.
/// Narrower scopes are more specific: systems, then environments, then
/// commands and resource kinds.
fn rule_matches(rule: &Rule, action: &Action, systems: &[String], env: Option<&str>) -> Option<u32> {
    let scope = &rule.scope;
    if !scope.systems.is_empty() && !scope.systems.iter().any(|s| systems.contains(s)) {
        return None;
    }
    if !scope.environments.is_empty() && !env.is_some_and(|e| scope.environments.iter().any(|s| s == e)) {
        return None;
    }
    if !matcher_matches(&rule.matcher, action) {
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
        let any = m.commands.iter().any(|pattern| {
            globset::GlobBuilder::new(&pattern.to_lowercase())
                .literal_separator(false)
                .build()
                .map(|g| {
                    let g = g.compile_matcher();
                    g.is_match(&text) || g.is_match(&label)
                })
                .unwrap_or(false)
        });
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
