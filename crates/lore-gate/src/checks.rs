//! One function per check. Each looks at one kind of knowledge and returns
//! the reasons it finds; `check_action` combines them and the briefing is
//! built apart (`briefing.rs`).

use lore_action::Action;
use lore_model::{ActionClass, Day, Decision, Incident, Meta, Rule, Status, Timestamp, Trust};
use lore_pack::ArchivedPackData;
use lore_pack::query::{self, owned};

use crate::{Context, GateConfig, Reason, ReasonKind, Subject, baseline, resolve, rule_matches};

/// Enough to make the point; a runbook full of warnings must not bury the rest.
const MAX_ADVISORY_REASONS: usize = 3;

/// The pack and the dates every check needs.
pub struct Knowledge<'a> {
    pub data: &'a ArchivedPackData,
    pub now: Timestamp,
    pub today: Day,
    pub default_review: Option<u32>,
}

impl<'a> Knowledge<'a> {
    pub fn new(data: &'a ArchivedPackData, now: Timestamp) -> Knowledge<'a> {
        Knowledge {
            data,
            now,
            today: now.day(),
            default_review: data.default_review_days.as_ref().map(|d| d.to_native()),
        }
    }

    fn trust(&self, meta: &Meta) -> Trust {
        Trust::of(meta, self.today, self.default_review)
    }

    fn stale(&self, id: &str, message: String, meta: &Meta) -> Option<Reason> {
        meta.freshness.is_stale(self.today, self.default_review).then(|| {
            Reason::new(Decision::Allow, ReasonKind::Stale, message)
                .with_id(id)
                .citing(meta.provenance.cite(), self.trust(meta))
        })
    }
}

/// What the rules say: their reasons, the most specific reviewed allow
/// (an exception), what they suggest instead, and which rules matched.
pub struct RuleFindings {
    pub reasons: Vec<Reason>,
    pub exception: Option<Exception>,
    pub instead: Vec<String>,
    pub matched: Vec<String>,
}

/// A reviewed allow in force: it lifts the generic checks, and is shown
/// when it overrode a rule or stands alone.
pub struct Exception {
    pub reason: Reason,
    pub shown: bool,
}

pub fn rules(knowledge: &Knowledge, subject: &Subject) -> RuleFindings {
    let env_id = subject.environment.as_ref().map(|e| &e.id);
    let mut matched: Vec<(u32, Rule)> = knowledge
        .data
        .rules
        .iter()
        .map(owned::<Rule, _>)
        .filter_map(|rule| rule_matches(&rule, subject.action, &subject.system_ids, env_id).map(|s| (s, rule)))
        .collect();
    matched.retain(|(_, rule)| {
        !matches!(rule.meta.status, Status::Deprecated | Status::SupersededBy(_))
            && rule.meta.freshness.valid_on(knowledge.today)
    });
    let mut findings = RuleFindings {
        reasons: Vec::new(),
        exception: None,
        instead: matched.iter().filter_map(|(_, rule)| rule.instead.clone()).collect(),
        matched: matched.iter().map(|(_, rule)| rule.id.clone()).collect(),
    };
    let mut exception: Option<(u32, Reason)> = None;
    for (specificity, rule) in &matched {
        let reason = rule_reason(knowledge, rule);
        if reason.kind == ReasonKind::Exception {
            if exception.as_ref().is_none_or(|(s, _)| specificity > s) {
                exception = Some((*specificity, reason));
            }
        } else {
            findings.reasons.push(reason);
        }
        let stale = format!("rule `{}` is past its review date; confirm it still holds", rule.id);
        findings.reasons.extend(knowledge.stale(&rule.id, stale, &rule.meta));
    }
    // An explicit allow narrower than a rule overrides it.
    if let Some((allow_specificity, allow)) = exception {
        let before = findings.reasons.len();
        findings.reasons.retain(|r| {
            r.kind != ReasonKind::Rule
                || matched.iter().any(|(s, rule)| Some(&rule.id) == r.id.as_ref() && *s >= allow_specificity)
        });
        let shown = findings.reasons.len() < before || matched.iter().all(|(_, r)| r.decision == Decision::Allow);
        findings.exception = Some(Exception { reason: allow, shown });
    }
    findings
}

/// A proposed rule is shown but capped at warn; a reviewed allow is an exception.
fn rule_reason(knowledge: &Knowledge, rule: &Rule) -> Reason {
    let proposed = rule.meta.status == Status::Proposed;
    let (decision, message, kind) = if proposed {
        let message = format!("(proposed, not yet reviewed) {}: {}", rule.title, rule.rationale);
        (rule.decision.min(Decision::Warn), message, ReasonKind::Proposed)
    } else {
        let kind = if rule.decision == Decision::Allow { ReasonKind::Exception } else { ReasonKind::Rule };
        (rule.decision, format!("{}: {}", rule.title, rule.rationale), kind)
    };
    Reason::new(decision, kind, message)
        .with_id(&rule.id)
        .citing(rule.meta.provenance.cite(), knowledge.trust(&rule.meta))
}

/// Change freezes on the action's environment or systems, now.
pub fn freezes(knowledge: &Knowledge, subject: &Subject) -> Vec<Reason> {
    if matches!(subject.action.class, ActionClass::Read | ActionClass::SecretRead) {
        return Vec::new();
    }
    let env_id = subject.environment.as_ref().map(|e| &e.id);
    knowledge
        .data
        .freezes
        .iter()
        .map(owned::<lore_model::Freeze, _>)
        .filter(|freeze| freeze.start <= knowledge.now && knowledge.now < freeze.end)
        .filter(|freeze| {
            env_id.is_some_and(|e| freeze.environments.contains(e))
                || subject.system_ids.iter().any(|s| freeze.systems.contains(s))
        })
        .map(|freeze| {
            let message = format!("change freeze `{}` until {}: {}", freeze.id, freeze.end, freeze.reason);
            Reason::new(Decision::Deny, ReasonKind::Freeze, message)
                .with_id(&freeze.id)
                .citing(freeze.meta.provenance.cite(), knowledge.trust(&freeze.meta))
        })
        .collect()
}

/// What the touched systems say: criticality in production, staleness, and
/// the unreviewed advisories of their runbooks.
pub fn systems(knowledge: &Knowledge, subject: &Subject, config: &GateConfig, rules: &[String]) -> Vec<Reason> {
    let data = knowledge.data;
    let mut reasons = Vec::new();
    // Tokenised only if some touched system has advisories.
    let mut tokens: Option<Vec<String>> = None;
    let mut advisories = 0;
    for &ix in &subject.systems {
        let system = query::system(data, ix);
        let dependents = data.links[ix as usize].dependents.len();
        let critical = system.tier == Some(1) || dependents > config.dependents_threshold;
        if subject.destructive && subject.production && critical {
            let (blast_total, _) = query::blast_counts(data, ix, 16);
            let why = if system.tier == Some(1) {
                "tier 1".to_string()
            } else {
                format!("{dependents} systems depend on it")
            };
            let message = format!(
                "{} on `{}` in production, a critical system ({why}; {blast_total} systems in its blast radius)",
                subject.action.class, system.id
            );
            reasons.push(
                Reason::new(Decision::Ask, ReasonKind::CriticalSystem, message)
                    .with_id(&system.id)
                    .citing(system.meta.provenance.cite(), knowledge.trust(&system.meta)),
            );
        }
        let stale = format!("what lore knows about `{}` is past its review date", system.id);
        reasons.extend(knowledge.stale(&system.id, stale, &system.meta));
        for a in data.links[ix as usize].advisories.iter() {
            let advisory = &data.advisories[a.to_native() as usize];
            // Once promoted, the rule speaks for it.
            let promoted = rules.iter().any(|id| id.eq_ignore_ascii_case(advisory.id.as_str()));
            if promoted || advisories >= MAX_ADVISORY_REASONS {
                continue;
            }
            if advisory_applies(advisory, subject.action, tokens.get_or_insert_with(|| action_tokens(subject.action))) {
                advisories += 1;
                let message = format!("the runbook says (unreviewed advisory): \"{}\"", advisory.sentence);
                let cite = owned::<lore_model::Provenance, _>(&advisory.provenance).cite();
                reasons.push(
                    Reason::new(Decision::Warn, ReasonKind::Advisory, message)
                        .with_id(advisory.id.as_str())
                        .citing(cite, Trust::MINED),
                );
            }
        }
    }
    reasons
}

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

/// Past incidents whose trigger matches this action, each with its reason.
pub fn incidents(knowledge: &Knowledge, subject: &Subject) -> Vec<(Incident, Reason)> {
    let action = subject.action;
    let mut found = Vec::new();
    for archived in knowledge.data.incidents.iter() {
        let Some(trigger) = archived.trigger.as_ref() else { continue };
        let trigger: lore_model::ActionMatcher = owned(trigger);
        if trigger.is_empty() || !crate::matcher_matches(&trigger, action) {
            continue;
        }
        let incident: Incident = owned(archived);
        let overlaps = incident.systems.iter().any(|s| subject.system_ids.contains(s));
        let unscoped = incident.systems.is_empty() || subject.system_ids.is_empty();
        // Without a system in common, the trigger alone counts in production,
        // or for actions that destroy wholesale wherever they run.
        let wholesale = matches!(action.class, ActionClass::BulkDestroy | ActionClass::Recreate)
            || (action.class == ActionClass::HistoryRewrite && subject.destructive);
        if !(overlaps || (unscoped && (subject.production || wholesale))) {
            continue;
        }
        // Incidents happened in production; elsewhere they are a warning.
        let decision = if incident.is_severe() && subject.production { Decision::Ask } else { Decision::Warn };
        let message = format!("this is how incident {} started: {}", incident.id, incident.title);
        let reason = Reason::new(decision, ReasonKind::Incident, message)
            .with_id(&incident.id)
            .citing(incident.meta.provenance.cite(), knowledge.trust(&incident.meta));
        found.push((incident, reason));
    }
    found
}

/// A destructive action in production on something nobody described.
pub fn unknown_system(subject: &Subject) -> Option<Reason> {
    let undescribed = subject.systems.is_empty() && resolve::has_system_targets(subject.action);
    (subject.destructive && subject.production && undescribed).then(|| {
        Reason::new(
            Decision::Ask,
            ReasonKind::UnknownSystem,
            "lore has no knowledge of this system; nobody documented what depends on it",
        )
    })
}

/// The built-in baseline. With a reviewed exception in force, only what no
/// allow lifts remains.
pub fn baseline(subject: &Subject, ctx: &Context, excepted: bool) -> Vec<Reason> {
    let known_elsewhere = subject.environment.as_ref().is_some_and(|e| !e.production);
    let around = baseline::Surroundings::of(ctx, subject.production, known_elsewhere);
    baseline::check(subject.action, &around)
        .into_iter()
        .filter(|finding| !(excepted && finding.approvable))
        .map(|finding| Reason {
            approvable: finding.approvable,
            instead: Some(finding.instead).filter(|i| !i.is_empty()),
            ..Reason::new(finding.decision, ReasonKind::Baseline, finding.message)
                .citing("lore built-in baseline (docs/gate.md)", Trust::BUILT_IN)
        })
        .collect()
}

/// An explicit allow is an exception to the generic checks too, but not to
/// freezes or to what no allow lifts; past incidents stay as warnings.
pub fn apply_exception(reasons: &mut Vec<Reason>, exception: Exception) {
    // A reviewed allow outranks criticality, the unknown, and what the prose
    // around a command says.
    let lifted = |kind: ReasonKind| {
        matches!(kind, ReasonKind::CriticalSystem | ReasonKind::UnknownSystem | ReasonKind::Documented)
    };
    reasons.retain(|r| !lifted(r.kind));
    for reason in reasons.iter_mut().filter(|r| r.kind == ReasonKind::Incident) {
        reason.decision = reason.decision.min(Decision::Warn);
    }
    if exception.shown {
        reasons.push(exception.reason);
    }
}
