//! Questions answered from an open pack: which system a name means, what
//! depends on it (blast radius), and what to know before touching it (brief).
//!
//! Traversals read the archived pack in place; only the records an answer
//! shows are deserialised.

use std::collections::VecDeque;

use lore_model::{
    Advisory, Day, Decision, Edge, Freeze, Incident, Rule, Runbook, Scope, Status, System, SystemKind, Team, Timestamp,
    Trust, Within,
};
use rkyv::api::high::HighDeserializer;
use rkyv::rancor::Panic;
use serde::Serialize;

use crate::data::ArchivedPackData;
use lore_model::ArchivedSystem;

/// Deserialises one archived record. The pack was validated when opened,
/// so this cannot fail.
pub fn owned<T, A: rkyv::Deserialize<T, HighDeserializer<Panic>>>(archived: &A) -> T {
    let Ok(value) = rkyv::deserialize::<T, Panic>(archived);
    value
}

/// The system a name means: its id, an alias, a workload or service name.
pub fn resolve(data: &ArchivedPackData, name: &str) -> Option<u32> {
    let key = lore_model::normalize_name(name);
    data.names
        .binary_search_by(|entry| entry.name.as_str().cmp(key.as_str()))
        .ok()
        .map(|i| data.names[i].system.to_native())
}

/// The canonical id of the system a name means, or the name normalised as
/// ids are when no system answers to it (a filter on a name the pack lacks
/// then matches nothing rather than everything).
pub fn canonical_name(data: &ArchivedPackData, name: &str) -> String {
    resolve(data, name)
        .map(|ix| data.systems[ix as usize].id.to_string())
        .unwrap_or_else(|| lore_model::normalize_name(name))
}

/// The system at index `ix` of the pack, deserialised.
pub fn system(data: &ArchivedPackData, ix: u32) -> System {
    owned(&data.systems[ix as usize])
}

/// Names that are close to `name`, for "did you mean".
pub fn suggest(data: &ArchivedPackData, name: &str) -> Vec<String> {
    let key = lore_model::normalize_name(name);
    let mut scored: Vec<(usize, &str)> = data
        .systems
        .iter()
        .map(|s| s.id.as_str())
        .filter_map(
            |id| if id.contains(&key) || key.contains(id) { Some((1, id)) } else { Some((near(&key, id)?, id)) },
        )
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, id)| id.to_string()).collect()
}

/// The edit distance between two names when it is small enough for one to
/// be a misspelling of the other: at most a third of the longer, and at least 1.
pub fn near(a: &str, b: &str) -> Option<usize> {
    let distance = edit_distance(a, b);
    (distance <= (a.len().max(b.len()) / 3).max(1)).then_some(distance)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// How an edge is cited in answers.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeRef {
    /// The system at the other end: its ID, or the name as written when no system answers to it.
    pub system: String,
    /// Whether the other end is a known system (false: a dangling name).
    pub known: bool,
    /// The edge's kind (`depends-on`, `calls`, …).
    pub kind: String,
    /// `declared` or `observed`.
    pub origin: String,
    /// The evidence (`depends_on`, `env REDIS_ADDR=…`).
    pub via: String,
    /// Where the edge was written or observed (`path:line`).
    pub cite: String,
}

fn edge_ref(data: &ArchivedPackData, edge_ix: u32, towards_from: bool) -> EdgeRef {
    let linked = &data.edges[edge_ix as usize];
    let edge: Edge = owned(&linked.edge);
    let (other_ix, other_name) = if towards_from {
        (linked.from_ix.as_ref().map(|i| i.to_native()), &edge.from)
    } else {
        (linked.to_ix.as_ref().map(|i| i.to_native()), &edge.to)
    };
    EdgeRef {
        system: other_ix.map(|ix| data.systems[ix as usize].id.to_string()).unwrap_or_else(|| other_name.clone()),
        known: other_ix.is_some(),
        kind: edge.kind.to_string(),
        origin: edge.origin.to_string(),
        via: edge.via.clone(),
        cite: edge.provenance.cite(),
    }
}

/// What depends on a system, directly or transitively: `lore blast`.
#[derive(Debug, Clone, Serialize)]
pub struct BlastRadius {
    /// The system's ID, or the normalised name asked about.
    pub root: String,
    /// Whether the root is a known system, or only a name edges point at.
    pub root_known: bool,
    /// The most hops followed.
    pub depth_limit: u32,
    /// Every dependent, once each, breadth-first (nearest first).
    pub nodes: Vec<BlastNode>,
    /// Edges that led back to a system already counted (cycles, diamonds).
    pub revisits: usize,
    /// How many dependents at each depth, from 1 (direct).
    pub by_depth: Vec<usize>,
    /// Dependents of tier 1.
    pub critical: Vec<String>,
}

/// One system in a blast radius.
#[derive(Debug, Clone, Serialize)]
pub struct BlastNode {
    /// Its ID.
    pub system: String,
    /// Hops from the root: 1 for a direct dependent.
    pub depth: u32,
    /// From the root to this system.
    pub path: Vec<String>,
    /// Its tier, when known (1 is the most critical).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    /// Its kind (`service`, `datastore`, …).
    pub kind: String,
    /// The environments it runs in, normalised.
    pub environments: Vec<String>,
    /// The edge through which this system depends on the previous one in `path`.
    pub via: EdgeRef,
    /// How far what lore knows about this system can be trusted.
    pub trust: Trust,
}

/// Why a query could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// No system, alias or dangling dependency has this name.
    #[error("no system or dependency named `{name}`{}", did_you_mean(.suggestions))]
    UnknownSystem {
        /// The name as asked.
        name: String,
        /// Up to three system IDs close to it.
        suggestions: Vec<String>,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() { String::new() } else { format!("; did you mean {}?", suggestions.join(", ")) }
}

/// Every system that depends, directly or transitively, on `name`.
/// `name` may also be a dangling dependency target that no system answers to.
pub fn blast(
    data: &ArchivedPackData,
    name: &str,
    env: Option<&str>,
    depth_limit: u32,
) -> Result<BlastRadius, QueryError> {
    let key = lore_model::normalize_name(name);
    let root_ix = resolve(data, &key);
    let start_edges: Vec<u32> = match root_ix {
        Some(ix) => data.links[ix as usize].dependents.iter().map(|e| e.to_native()).collect(),
        None => match data.dangling.binary_search_by(|d| d.name.as_str().cmp(key.as_str())) {
            Ok(i) => data.dangling[i].edges.iter().map(|e| e.to_native()).collect(),
            Err(_) => {
                return Err(QueryError::UnknownSystem { suggestions: suggest(data, &key), name: name.to_string() });
            }
        },
    };
    let root = root_ix.map(|ix| data.systems[ix as usize].id.to_string()).unwrap_or(key);
    let env = env.map(lore_model::normalize_name);
    let default_review = data.default_review_days.as_ref().map(|d| d.to_native());
    let today = Day::today();
    let mut nodes: Vec<BlastNode> = Vec::new();
    let in_env = |system: &ArchivedSystem| {
        env.as_ref().is_none_or(|env| {
            system.environments.is_empty() || system.environments.iter().any(|e| lore_model::normalize_name(e) == *env)
        })
    };
    let revisits = walk_dependents(data, root_ix, start_edges, depth_limit, in_env, |step| {
        let system = &data.systems[step.system as usize];
        let mut path = step.parent.map(|p| nodes[p].path.clone()).unwrap_or_else(|| vec![root.clone()]);
        path.push(system.id.to_string());
        nodes.push(BlastNode {
            system: system.id.to_string(),
            depth: step.depth,
            path,
            tier: system.tier.as_ref().copied(),
            kind: owned::<SystemKind, _>(&system.kind).to_string(),
            environments: system.environments.iter().map(|e| lore_model::normalize_name(e)).collect(),
            via: edge_ref(data, step.edge, true),
            trust: Trust::of(&owned(&system.meta), today, default_review),
        });
    });
    let max_depth = nodes.iter().map(|n| n.depth).max().unwrap_or(0);
    let by_depth = (1..=max_depth).map(|d| nodes.iter().filter(|n| n.depth == d).count()).collect();
    let critical = nodes.iter().filter(|n| n.tier == Some(1)).map(|n| n.system.clone()).collect();
    Ok(BlastRadius { root, root_known: root_ix.is_some(), depth_limit, nodes, revisits, by_depth, critical })
}

/// How many systems depend on `ix`, transitively, and which of them are
/// tier 1: the blast radius without paths or citations, for hot paths.
pub fn blast_counts(data: &ArchivedPackData, ix: u32, depth_limit: u32) -> (usize, Vec<String>) {
    let start = data.links[ix as usize].dependents.iter().map(|e| e.to_native());
    let mut total = 0;
    let mut tier1 = Vec::new();
    walk_dependents(
        data,
        Some(ix),
        start,
        depth_limit,
        |_| true,
        |step| {
            total += 1;
            let system = &data.systems[step.system as usize];
            if system.tier.as_ref().copied() == Some(1) {
                tier1.push(system.id.to_string());
            }
        },
    );
    (total, tier1)
}

/// One system reached by [`walk_dependents`].
struct Step {
    /// The dependency edge it was reached by.
    edge: u32,
    system: u32,
    /// Hops from the start: 1 for a direct dependent.
    depth: u32,
    /// The step it was reached from, as a count of steps before it; `None` at depth 1.
    parent: Option<usize>,
}

/// Breadth-first over the systems that depend on a start (`root`, or a
/// dangling name's `start_edges`), each visited once and up to
/// `depth_limit` hops. A system `admit` refuses is skipped, not marked, so
/// another path may still reach it. Returns how many times an edge led to a
/// system already visited.
fn walk_dependents(
    data: &ArchivedPackData,
    root: Option<u32>,
    start_edges: impl IntoIterator<Item = u32>,
    depth_limit: u32,
    admit: impl Fn(&ArchivedSystem) -> bool,
    mut visit: impl FnMut(Step),
) -> usize {
    let mut visited = vec![false; data.systems.len()];
    if let Some(root) = root {
        visited[root as usize] = true;
    }
    let mut steps = 0;
    let mut revisits = 0;
    let mut queue: VecDeque<(u32, u32, Option<usize>)> = start_edges.into_iter().map(|e| (e, 1, None)).collect();
    while let Some((edge, depth, parent)) = queue.pop_front() {
        let Some(from) = data.edges[edge as usize].from_ix.as_ref().map(|i| i.to_native()) else { continue };
        if visited[from as usize] {
            revisits += 1;
            continue;
        }
        if !admit(&data.systems[from as usize]) {
            continue;
        }
        visited[from as usize] = true;
        visit(Step { edge, system: from, depth, parent });
        if depth < depth_limit {
            for next in data.links[from as usize].dependents.iter() {
                queue.push_back((next.to_native(), depth + 1, Some(steps)));
            }
        }
        steps += 1;
    }
    revisits
}

/// What to know before touching a system: `lore brief`.
#[derive(Debug, Clone, Serialize)]
pub struct Briefing {
    /// The system itself.
    pub system: SystemSummary,
    /// Whom to contact: the owning teams, with their escalation.
    pub escalation: Vec<Contact>,
    /// Freezes on the system or its environments that are in force or to come.
    pub freezes: Vec<FreezeSummary>,
    /// Rules about this system.
    pub rules: Vec<RuleSummary>,
    /// Incidents that involved it, severe first, then newest.
    pub incidents: Vec<IncidentSummary>,
    /// Systems that depend on it directly.
    pub dependents: Vec<EdgeRef>,
    /// Its blast radius, counted.
    pub blast: BlastSummary,
    /// Its runbooks.
    pub runbooks: Vec<RunbookRef>,
    /// What it depends on directly.
    pub dependencies: Vec<EdgeRef>,
    /// Rules for every system that apply here too, as `id: title`.
    pub general_rules: Vec<String>,
    /// Notes on what is past its review date, or was never reviewed.
    pub freshness: Vec<String>,
    /// What the size budget left out, per section.
    pub omitted: Vec<String>,
}

/// A system as a briefing shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SystemSummary {
    /// Its ID.
    pub id: String,
    /// Its name as written.
    pub name: String,
    /// Its kind (`service`, `datastore`, …).
    pub kind: String,
    /// Its tier, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    /// What it is, when a source says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its lifecycle, when a source says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<String>,
    /// Its owners.
    pub owners: Vec<String>,
    /// The environments it runs in.
    pub environments: Vec<String>,
    /// Its other names.
    pub aliases: Vec<String>,
    /// Where it is described (`path:line`).
    pub cite: String,
    /// Where else it is described (merged from other sources).
    pub also_from: Vec<String>,
    /// When it was last reviewed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Day>,
    /// `active`, `proposed`, `deprecated` or `superseded-by ID`.
    pub status: String,
    /// How far its description can be trusted.
    pub trust: Trust,
}

/// A team to contact about a system.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    /// The team's name.
    pub team: String,
    /// Where to reach it.
    pub contacts: Vec<String>,
    /// Whom to escalate to, in order.
    pub escalation: Vec<String>,
}

/// A change freeze as a briefing shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FreezeSummary {
    /// Its ID.
    pub id: String,
    /// Why changes are frozen.
    pub reason: String,
    /// When it starts.
    pub start: Timestamp,
    /// When it ends.
    pub end: Timestamp,
    /// Whether it is in force now.
    pub active: bool,
    /// Where it is written.
    pub cite: String,
}

/// A rule as listings and briefings show it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    /// Its ID.
    pub id: String,
    /// What it says, in one line.
    pub title: String,
    /// What it decides.
    pub decision: Decision,
    /// Why.
    pub rationale: String,
    /// The safer alternative, when it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instead: Option<String>,
    /// The environments it is scoped to; empty for every one.
    pub environments: Vec<String>,
    /// Where it is written.
    pub cite: String,
    /// `active`, `proposed`, `deprecated` or `superseded-by ID`.
    pub status: String,
    /// Whether it is past its review date.
    pub stale: bool,
    /// How far it can be trusted.
    pub trust: Trust,
}

/// An incident as listings and briefings show it.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentSummary {
    /// Its ID.
    pub id: String,
    /// Its title.
    pub title: String,
    /// When it happened, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Day>,
    /// Its severity as written, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// What happened.
    pub summary: String,
    /// Where it is written.
    pub cite: String,
    /// How far it can be trusted.
    pub trust: Trust,
}

/// A runbook as a briefing lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RunbookRef {
    /// Its ID.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its file and first heading's line (`path:line`).
    pub cite: String,
    /// Its second-level headings, each `heading (path:line)`.
    pub sections: Vec<String>,
    /// How far it can be trusted.
    pub trust: Trust,
}

/// A blast radius, counted.
#[derive(Debug, Clone, Serialize)]
pub struct BlastSummary {
    /// How many systems depend on it, directly or not.
    pub total: usize,
    /// How many at each depth, from 1 (direct).
    pub by_depth: Vec<usize>,
    /// The tier-1 systems among them.
    pub critical: Vec<String>,
}

/// Default size budget of a briefing, in bytes of JSON: about 2,000 tokens.
pub const DEFAULT_BRIEF_BUDGET: usize = 8_000;

/// The briefing on system `ix`, for the environment `env` when given, cut to
/// `budget` bytes of JSON (see [`Briefing::omitted`]); `today` decides what is stale.
pub fn brief(data: &ArchivedPackData, ix: u32, env: Option<&str>, budget: usize, today: Day) -> Briefing {
    let system = system(data, ix);
    let links = &data.links[ix as usize];
    let default_review = data.default_review_days.as_ref().map(|d| d.to_native());
    let env_key = env.map(|e| [lore_model::normalize_name(e)]);
    let asked_env = within(env_key.as_ref());
    let system_envs: Vec<String> = system.environments.iter().map(|e| lore_model::normalize_name(e)).collect();
    // A rule for every system applies to this one where it runs.
    let where_it_runs = if system_envs.is_empty() { Within::Any } else { Within::OneOf(&system_envs) };
    let now = Timestamp::now();

    let mut freshness = Vec::new();
    if system.meta.freshness.is_stale(today, default_review) {
        freshness.push(format!(
            "system `{}` is past its review date (last reviewed {})",
            system.id,
            system.meta.freshness.reviewed.map(|d| d.to_string()).unwrap_or_default()
        ));
    } else if system.meta.freshness.reviewed.is_none() {
        freshness.push(format!("system `{}` has no review date: nobody has confirmed this description", system.id));
    }

    let mut rules: Vec<RuleSummary> = links
        .rules
        .iter()
        .map(|i| owned::<Rule, _>(&data.rules[i.to_native() as usize]))
        .filter(|r| r.scope.applies(Within::Any, asked_env))
        .map(|r| {
            let summary = rule_summary(&r, today, default_review);
            if summary.stale {
                freshness.push(format!("rule `{}` is past its review date", r.id));
            }
            summary
        })
        .collect();
    rules.sort_by(|a, b| b.decision.cmp(&a.decision).then_with(|| a.id.cmp(&b.id)));
    rules.dedup_by(|a, b| a.id == b.id);

    let general_rules = data
        .global_rules
        .iter()
        .map(|i| &data.rules[i.to_native() as usize])
        .filter(|r| {
            let scope: Scope = owned(&r.scope);
            scope.applies(Within::Any, asked_env) && scope.applies(Within::Any, where_it_runs)
        })
        .map(|r| format!("{}: {}", r.id, r.title))
        .collect();
    let mut incidents: Vec<Incident> =
        links.incidents.iter().map(|i| owned(&data.incidents[i.to_native() as usize])).collect();
    incidents.sort_by(|a, b| b.is_severe().cmp(&a.is_severe()).then(b.date.cmp(&a.date)));
    let incidents = incidents.into_iter().map(|i| incident_summary(i, today, default_review)).collect();

    let freezes = data
        .freezes
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            let by_system = links.freezes.iter().any(|x| x.to_native() as usize == *i);
            let asked = env_key.as_ref().map_or(system_envs.as_slice(), |k| k.as_slice());
            let by_env = f.environments.iter().any(|e| asked.iter().any(|k| k == e.as_str()));
            by_system || by_env
        })
        .map(|(_, f)| owned::<Freeze, _>(f))
        .filter(|f| f.end > now)
        .map(|f| FreezeSummary {
            active: f.start <= now && now < f.end,
            cite: f.meta.provenance.cite(),
            id: f.id,
            reason: f.reason,
            start: f.start,
            end: f.end,
        })
        .collect();

    let runbooks = links
        .runbooks
        .iter()
        .map(|i| owned::<Runbook, _>(&data.runbooks[i.to_native() as usize]))
        .map(|r| RunbookRef {
            trust: Trust::of(&r.meta, today, default_review),
            cite: format!("{}:{}", r.path, r.sections.first().map(|s| s.line_start).unwrap_or(1)),
            sections: r
                .sections
                .iter()
                .filter(|s| s.level == 2)
                .map(|s| format!("{} ({}:{})", s.heading, r.path, s.line_start))
                .collect(),
            id: r.id,
            title: r.title,
        })
        .collect();

    let blast = blast(data, &system.id, env, 32).map(|b| BlastSummary {
        total: b.nodes.len(),
        by_depth: b.by_depth,
        critical: b.critical,
    });
    let blast = blast.unwrap_or(BlastSummary { total: 0, by_depth: Vec::new(), critical: Vec::new() });

    let escalation = system
        .owners
        .iter()
        .filter_map(|owner| {
            let key = lore_model::normalize_name(owner);
            data.teams.iter().find(|t| t.id.as_str() == key).map(owned::<Team, _>)
        })
        .map(|t| Contact { team: t.name, contacts: t.contacts, escalation: t.escalation })
        .collect();

    let summary = SystemSummary {
        id: system.id.clone(),
        name: system.name.clone(),
        kind: system.kind.to_string(),
        tier: system.tier,
        description: system.description.clone(),
        lifecycle: system.lifecycle.clone(),
        owners: system.owners.clone(),
        environments: system.environments.clone(),
        aliases: system.matchers.aliases.clone(),
        cite: system.meta.provenance.cite(),
        also_from: system.also_from.iter().map(|p| p.cite()).collect(),
        reviewed: system.meta.freshness.reviewed,
        status: status_label(&system.meta.status),
        trust: Trust::of(&system.meta, today, default_review),
    };
    let briefing = Briefing {
        system: summary,
        escalation,
        freezes,
        rules,
        incidents,
        dependents: links.dependents.iter().map(|e| edge_ref(data, e.to_native(), true)).collect(),
        blast,
        runbooks,
        dependencies: links.dependencies.iter().map(|e| edge_ref(data, e.to_native(), false)).collect(),
        general_rules,
        freshness,
        omitted: Vec::new(),
    };
    fit_budget(briefing, budget)
}

fn status_label(status: &Status) -> String {
    status.to_string()
}

/// Keeps the most important items within `budget` bytes of JSON. Sections
/// are filled in order of importance; within a section, items are already
/// sorted most important first.
fn fit_budget(mut b: Briefing, budget: usize) -> Briefing {
    fn cost<T: Serialize>(item: &T) -> usize {
        serde_json::to_string(item).map(|s| s.len()).unwrap_or(0)
    }
    let mut used = cost(&b.system) + cost(&b.escalation) + cost(&b.freezes) + cost(&b.blast) + 200;
    let mut omitted = Vec::new();
    fn keep<T: Serialize>(items: &mut Vec<T>, used: &mut usize, budget: usize, label: &str, omitted: &mut Vec<String>) {
        let mut kept = 0;
        for item in items.iter() {
            let c = cost(item);
            if *used + c > budget {
                break;
            }
            *used += c;
            kept += 1;
        }
        if kept < items.len() {
            omitted.push(format!("{} more {label}", items.len() - kept));
            items.truncate(kept);
        }
    }
    keep(&mut b.rules, &mut used, budget, "rules", &mut omitted);
    keep(&mut b.incidents, &mut used, budget, "incidents", &mut omitted);
    keep(&mut b.dependents, &mut used, budget, "dependents", &mut omitted);
    keep(&mut b.runbooks, &mut used, budget, "runbooks", &mut omitted);
    keep(&mut b.dependencies, &mut used, budget, "dependencies", &mut omitted);
    keep(&mut b.freshness, &mut used, budget, "freshness notes", &mut omitted);
    keep(&mut b.general_rules, &mut used, budget, "general rules", &mut omitted);
    b.omitted = omitted;
    b
}

/// One line per system, for `lore systems`.
#[derive(Debug, Clone, Serialize)]
pub struct SystemRow {
    /// The system's ID.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its tier, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    /// Its owners.
    pub owners: Vec<String>,
    /// The environments it runs in.
    pub environments: Vec<String>,
    /// How many dependency edges go out of it (what it depends on).
    pub dependencies: usize,
    /// How many dependency edges point at it (what depends on it).
    pub dependents: usize,
    /// The file it is described in.
    pub source: String,
}

/// Every system, in ID order, one row each.
pub fn systems(data: &ArchivedPackData) -> Vec<SystemRow> {
    data.systems
        .iter()
        .zip(data.links.iter())
        .map(|(s, l)| SystemRow {
            id: s.id.to_string(),
            kind: owned::<SystemKind, _>(&s.kind).to_string(),
            tier: s.tier.as_ref().copied(),
            owners: s.owners.iter().map(|o| o.to_string()).collect(),
            environments: s.environments.iter().map(|e| e.to_string()).collect(),
            dependencies: l.dependencies.len(),
            dependents: l.dependents.len(),
            source: s.meta.provenance.file.to_string(),
        })
        .collect()
}

fn rule_summary(r: &Rule, today: Day, default_review: Option<u32>) -> RuleSummary {
    RuleSummary {
        id: r.id.clone(),
        title: r.title.clone(),
        decision: r.decision,
        rationale: r.rationale.clone(),
        instead: r.instead.clone(),
        environments: r.scope.environments.clone(),
        cite: r.meta.provenance.cite(),
        status: status_label(&r.meta.status),
        stale: r.meta.freshness.is_stale(today, default_review),
        trust: Trust::of(&r.meta, today, default_review),
    }
}

fn incident_summary(i: Incident, today: Day, default_review: Option<u32>) -> IncidentSummary {
    IncidentSummary {
        trust: Trust::of(&i.meta, today, default_review),
        cite: i.meta.provenance.cite(),
        id: i.id,
        title: i.title,
        date: i.date,
        severity: i.severity,
        summary: i.summary,
    }
}

/// Rules, optionally only those about a system (including rules for every
/// system) or an environment: `lore rules`.
pub fn rules(data: &ArchivedPackData, system: Option<&str>, env: Option<&str>, today: Day) -> Vec<RuleSummary> {
    let default_review = data.default_review_days.as_ref().map(|d| d.to_native());
    let system = system.map(|s| [canonical_name(data, s)]);
    let env = env.map(|e| [lore_model::normalize_name(e)]);
    data.rules
        .iter()
        .map(owned::<Rule, _>)
        .filter(|r| r.scope.applies(within(system.as_ref()), within(env.as_ref())))
        .map(|r| rule_summary(&r, today, default_review))
        .collect()
}

/// A filter by one name, or none.
fn within(name: Option<&[String; 1]>) -> Within<'_> {
    name.map_or(Within::Any, |n| Within::OneOf(n))
}

/// Incidents, newest first, optionally only those about a system: `lore incidents`.
pub fn incidents(data: &ArchivedPackData, system: Option<&str>) -> Vec<IncidentSummary> {
    let system = system.map(|s| canonical_name(data, s));
    let mut list: Vec<Incident> = data
        .incidents
        .iter()
        .map(owned::<Incident, _>)
        .filter(|i| system.as_ref().is_none_or(|s| i.systems.contains(s)))
        .collect();
    list.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    let default_review = data.default_review_days.as_ref().map(|d| d.to_native());
    let today = Day::today();
    list.into_iter().map(|i| incident_summary(i, today, default_review)).collect()
}

/// Mined advisories, strongest first, optionally only a system's: `lore advisories`.
pub fn advisories(data: &ArchivedPackData, system: Option<&str>) -> Vec<Advisory> {
    let mut list: Vec<Advisory> = match system {
        Some(name) => match resolve(data, name) {
            Some(ix) => data.links[ix as usize]
                .advisories
                .iter()
                .map(|&i| owned(&data.advisories[i.to_native() as usize]))
                .collect(),
            None => Vec::new(),
        },
        None => data.advisories.iter().map(owned::<Advisory, _>).collect(),
    };
    list.sort_by(|a, b| {
        b.strength.cmp(&a.strength).then_with(|| {
            (&a.provenance.file, a.provenance.line_start).cmp(&(&b.provenance.file, b.provenance.line_start))
        })
    });
    list
}

/// Any record by id, as JSON with its kind: `lore show`.
pub fn show(data: &ArchivedPackData, id: &str) -> Option<(&'static str, serde_json::Value)> {
    let (kind, wanted) = match id.split_once(':') {
        Some((kind, rest))
            if ["system", "rule", "incident", "runbook", "team", "environment", "freeze"].contains(&kind) =>
        {
            (Some(kind), rest)
        }
        _ => (None, id),
    };
    let want = |k: &str| kind.is_none_or(|w| w == k);
    let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or(serde_json::Value::Null);
    if want("system")
        && let Some(ix) = resolve(data, wanted)
    {
        return Some(("system", json(serde_json::to_value(system(data, ix)))));
    }
    macro_rules! find {
        ($field:ident, $ty:ty, $label:literal) => {
            if want($label)
                && let Some(found) =
                    data.$field.iter().find(|r| r.id.as_str() == wanted || r.id.as_str().eq_ignore_ascii_case(wanted))
            {
                return Some(($label, json(serde_json::to_value(owned::<$ty, _>(found)))));
            }
        };
    }
    find!(rules, Rule, "rule");
    find!(incidents, Incident, "incident");
    find!(runbooks, Runbook, "runbook");
    find!(teams, Team, "team");
    find!(environments, lore_model::Environment, "environment");
    find!(freezes, Freeze, "freeze");
    None
}

/// A record proposed (by an agent, or by hand) and waiting for review.
#[derive(Debug, Clone, Serialize)]
pub struct ProposalRow {
    /// Its ID (a rule's, or a note's file stem).
    pub id: String,
    /// `rule`, or `note` for a proposed fact, dependency or lesson.
    pub kind: &'static str,
    /// Its title.
    pub title: String,
    /// Where it is: a rule's `path:line`, a note's path.
    pub cite: String,
}

/// Proposed rules, and the notes under the proposals directory.
pub fn proposals(data: &ArchivedPackData) -> Vec<ProposalRow> {
    let prefix = format!("{}/", crate::PROPOSALS_DIR);
    let rules =
        data.rules.iter().filter(|r| r.meta.status == lore_model::ArchivedStatus::Proposed).map(|r| ProposalRow {
            id: r.id.to_string(),
            kind: "rule",
            title: r.title.to_string(),
            cite: format!("{}:{}", r.meta.provenance.file, r.meta.provenance.line_start),
        });
    let notes = data.runbooks.iter().filter(|r| r.path.as_str().starts_with(&prefix)).map(|r| {
        let stem = r.path.as_str().rsplit('/').next().unwrap_or_default();
        ProposalRow {
            id: stem.trim_end_matches(".md").to_string(),
            kind: "note",
            title: r.title.to_string(),
            cite: r.path.to_string(),
        }
    });
    rules.chain(notes).collect()
}

/// Words (and hyphenated pairs) of a question that name a system.
pub fn systems_named_in(data: &ArchivedPackData, question: &str) -> Vec<String> {
    let words: Vec<String> = question
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .collect();
    let pairs = words.windows(2).map(|w| format!("{}-{}", w[0], w[1]));
    let mut found: Vec<String> = words
        .iter()
        .cloned()
        .chain(pairs)
        .filter_map(|w| resolve(data, &w))
        .map(|ix| data.systems[ix as usize].id.to_string())
        .collect();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("patroni", "patroni"), 0);
        assert_eq!(edit_distance("patorni", "patroni"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
