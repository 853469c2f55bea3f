//! `lore lint`: a health report over a compiled pack.
//!
//! Every finding names the record, where it came from (file:line) and, where
//! one exists, a concrete fix. Findings are sorted so that reports diff well.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use lore_model::{Day, EdgeKind, EdgeOrigin, Meta, Severity, SourceKind, Status, SystemKind, normalize_name};
use lore_pack::PackData;
use lore_pack::data::ArchivedPackData;
use lore_pack::graph::strongly_connected;
use lore_pack::query;
use serde::Serialize;

/// One problem `lint` found in the knowledge.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// How much it matters; `lore lint --fail-on` fails at a chosen severity.
    pub severity: Severity,
    /// A stable code, such as `dangling-dependency`; `--json` consumers and
    /// SARIF rule ids use it.
    pub code: &'static str,
    /// The record the finding is about.
    pub record: String,
    /// What is wrong, naming the record.
    pub message: String,
    /// The file the record is in, relative to the knowledge root.
    pub file: String,
    /// The record's first line in that file (1-based; 0 when unknown).
    pub line: u32,
    /// Names that may be what was meant (for an unknown or dangling name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

/// What `lint` found, and the health score.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Most severe first, then by code and record.
    pub findings: Vec<Finding>,
    /// The health score, overall, per team and per system.
    pub health: Health,
}

impl Report {
    /// How many findings are at least as severe as `at_least`.
    pub fn count(&self, at_least: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity >= at_least).count()
    }
}

/// A 0–100 score: the share of health checks each system passes.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// The share of all checks all systems pass, 0–100.
    pub overall: u8,
    /// Per team (owner), worst first.
    pub teams: Vec<Score>,
    /// Per system, worst first.
    pub systems: Vec<Score>,
    /// The fixes that would raise the overall score most, best first.
    pub top_actions: Vec<Improvement>,
}

/// A health score of a team or a system.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    /// The team's or system's ID.
    pub name: String,
    /// The share of checks it passes, 0–100.
    pub score: u8,
}

/// A fix that would raise the health score.
#[derive(Debug, Clone, Serialize)]
pub struct Improvement {
    /// What to do, such as "write a runbook".
    pub action: String,
    /// How many systems it would fix.
    pub systems: usize,
    /// Points the overall score would gain.
    pub gain: u8,
}

/// The checks behind the health score, each worth the same.
const CHECKS: [(&str, &str); 4] = [
    ("no-owner", "name an owner"),
    ("no-runbook", "write a runbook"),
    ("review", "review the record (set `reviewed:`)"),
    ("tier1-unguarded", "write rules or link incidents for tier-1 systems"),
];

/// The report on a pack; with the knowledge's `root`, links in its Markdown
/// are checked too.
pub fn lint(pack: &ArchivedPackData, today: Day, root: Option<&std::path::Path>) -> Report {
    let data: PackData = query::owned(pack);
    let mut findings = Vec::new();
    let mut failed: BTreeMap<&'static str, BTreeSet<usize>> = BTreeMap::new();

    for d in &data.diagnostics {
        findings.push(Finding {
            severity: d.severity,
            code: "source",
            record: d.file.clone(),
            message: d.message.clone(),
            file: d.file.clone(),
            line: d.line,
            suggestions: Vec::new(),
        });
    }

    let every = data.default_review_days;
    freshness(&data, today, every, &mut findings);
    for (ix, system) in data.systems.iter().enumerate() {
        let links = &data.links[ix];
        if system.owners.is_empty() && system.meta.owner.is_none() {
            findings.push(finding(Severity::Warning, "no-owner", &system.id, &system.meta, "has no owner".into()));
            failed.entry("no-owner").or_default().insert(ix);
        }
        if links.runbooks.is_empty() {
            findings.push(finding(Severity::Info, "no-runbook", &system.id, &system.meta, "has no runbook".into()));
            failed.entry("no-runbook").or_default().insert(ix);
        }
        if system.meta.freshness.reviewed.is_none() || system.meta.freshness.is_stale(today, every) {
            failed.entry("review").or_default().insert(ix);
        }
        if system.tier == Some(1) && links.rules.is_empty() && links.incidents.is_empty() {
            findings.push(finding(
                Severity::Warning,
                "tier1-unguarded",
                &system.id,
                &system.meta,
                "is tier 1 but no rule or incident applies to it".into(),
            ));
            failed.entry("tier1-unguarded").or_default().insert(ix);
        }
    }

    for rule in &data.rules {
        if rule.rationale.trim().is_empty() {
            findings.push(finding(Severity::Error, "no-rationale", &rule.id, &rule.meta, "has no rationale".into()));
        }
    }
    let cited: BTreeSet<&str> = data.rules.iter().flat_map(|r| r.incidents.iter().map(String::as_str)).collect();
    for incident in &data.incidents {
        if !incident.lessons.is_empty() && incident.rules.is_empty() && !cited.contains(incident.id.as_str()) {
            findings.push(finding(
                Severity::Info,
                "lesson-without-rule",
                &incident.id,
                &incident.meta,
                format!("has {} lesson(s) but no rule came of them", incident.lessons.len()),
            ));
        }
    }

    unknown_owners(&data, &mut findings);
    duplicates(&data, &mut findings);
    dangling(&data, &mut findings);
    cycles(&data, &mut findings);
    drift(&data, &mut findings);
    if let Some(root) = root {
        findings.extend(crate::links::broken_links(root, &data));
    }

    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.cmp(b)));
    let health = health(&data, &failed);
    Report { findings, health }
}

fn finding(severity: Severity, code: &'static str, record: &str, meta: &Meta, message: String) -> Finding {
    Finding {
        severity,
        code,
        record: record.to_string(),
        message: format!("`{record}` {message}"),
        file: meta.provenance.file.clone(),
        line: meta.provenance.line_start,
        suggestions: Vec::new(),
    }
}

/// Past their review date (warning), or never reviewed (info). Proposed and
/// retired records are not held to a review cycle.
fn freshness(data: &PackData, today: Day, every: Option<u32>, out: &mut Vec<Finding>) {
    let records = data
        .systems
        .iter()
        .map(|r| (&r.id, &r.meta))
        .chain(data.rules.iter().map(|r| (&r.id, &r.meta)))
        .chain(data.runbooks.iter().map(|r| (&r.id, &r.meta)))
        .chain(data.incidents.iter().map(|r| (&r.id, &r.meta)))
        .chain(data.environments.iter().map(|r| (&r.id, &r.meta)))
        .chain(data.teams.iter().map(|r| (&r.id, &r.meta)));
    for (id, meta) in records {
        if meta.status != Status::Active {
            continue;
        }
        match (meta.freshness.reviewed, meta.freshness.due(every)) {
            (None, _) => out.push(finding(Severity::Info, "unreviewed", id, meta, "has no review date".into())),
            (Some(reviewed), Some(due)) if due < today => out.push(finding(
                Severity::Warning,
                "stale",
                id,
                meta,
                format!("was last reviewed on {reviewed}; review was due on {due}"),
            )),
            _ => {}
        }
    }
}

/// Owners that name no team, when teams are declared at all.
fn unknown_owners(data: &PackData, out: &mut Vec<Finding>) {
    if data.teams.is_empty() {
        return;
    }
    let teams: BTreeSet<String> =
        data.teams.iter().flat_map(|t| [normalize_name(&t.id), normalize_name(&t.name)]).collect();
    let team_ids: Vec<&str> = data.teams.iter().map(|t| t.id.as_str()).collect();
    let owned = data
        .systems
        .iter()
        .flat_map(|s| s.owners.iter().chain(&s.meta.owner).map(move |o| (&s.id, o, &s.meta)))
        .chain(data.rules.iter().filter_map(|r| r.meta.owner.as_ref().map(|o| (&r.id, o, &r.meta))));
    let mut seen = BTreeSet::new();
    for (id, owner, meta) in owned {
        let key = normalize_name(owner);
        if teams.contains(&key) || !seen.insert((id.clone(), key.clone())) {
            continue;
        }
        let mut f =
            finding(Severity::Warning, "unknown-owner", id, meta, format!("names owner `{owner}`, not a known team"));
        f.suggestions = close_names(&key, team_ids.iter().copied());
        out.push(f);
    }
}

/// Dependency targets that no system answers to, with likely meanings.
fn dangling(data: &PackData, out: &mut Vec<Finding>) {
    for name in &data.dangling {
        let dependents: BTreeSet<&str> =
            name.edges.iter().map(|&e| data.edges[e as usize].edge.from.as_str()).collect();
        let Some(first) = name.edges.first().map(|&e| &data.edges[e as usize].edge) else { continue };
        let suggestions = likely_systems(&name.name, &data.systems);
        let list: Vec<&str> = dependents.iter().take(5).copied().collect();
        let more = if dependents.len() > 5 { format!(" and {} more", dependents.len() - 5) } else { String::new() };
        out.push(Finding {
            severity: Severity::Warning,
            code: "dangling-dependency",
            record: name.name.clone(),
            message: format!(
                "`{}` is a dependency of {}{more} but no system answers to it; add an alias in lore.toml \
                 ([aliases] {} = \"SYSTEM\") or describe the system",
                name.name,
                list.join(", "),
                name.name
            ),
            file: first.provenance.file.clone(),
            line: first.provenance.line_start,
            suggestions,
        });
    }
}

/// The systems `name` most likely means, best first, at most three: those
/// whose aliases or labels use it as a word, then those whose description
/// does, then ids within a small edit distance or containing it.
fn likely_systems(name: &str, systems: &[lore_model::System]) -> Vec<String> {
    let key = normalize_name(name);
    let mentions = |text: &str| text.split(|c: char| !c.is_alphanumeric()).any(|w| normalize_name(w) == key);
    let mut scored: Vec<(usize, &str)> = systems
        .iter()
        .filter_map(|s| {
            let id = s.id.as_str();
            if s.matchers
                .aliases
                .iter()
                .map(String::as_str)
                .chain(s.labels.iter().map(|l| l.value.as_str()))
                .any(mentions)
            {
                return Some((0, id));
            }
            if s.description.as_deref().is_some_and(mentions) {
                return Some((1, id));
            }
            let contains = key.len() >= 4 && id.len() >= 4 && (id.contains(&key) || key.contains(id));
            let distance = if contains { 1 } else { query::near(&key, id)? };
            Some((2 + distance, id))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, id)| id.to_string()).collect()
}

/// Names within a small edit distance of `name`, closest first.
fn close_names<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = names.filter_map(|n| Some((query::near(name, n)?, n))).collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n.to_string()).collect()
}

/// Cycles in the resolved graph (Tarjan's strongly connected components),
/// and self-loops. Information only: cycles are legal but make blast radii
/// circular, which readers should know.
fn cycles(data: &PackData, out: &mut Vec<Finding>) {
    let n = data.systems.len();
    let mut next: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for edge in &data.edges {
        let (Some(from), Some(to)) = (edge.from_ix, edge.to_ix) else { continue };
        if from == to {
            let mut f = finding(
                Severity::Info,
                "self-dependency",
                &edge.edge.from,
                &data.systems[from as usize].meta,
                String::new(),
            );
            f.message = format!("`{}` depends on itself (via {})", edge.edge.from, edge.edge.via);
            f.file = edge.edge.provenance.file.clone();
            f.line = edge.edge.provenance.line_start;
            out.push(f);
        } else {
            next[from as usize].insert(to as usize);
        }
    }
    for component in strongly_connected(&next).into_iter().filter(|c| c.len() > 1) {
        let names: Vec<&str> = component.iter().map(|&i| data.systems[i].id.as_str()).collect();
        let first = &data.systems[component[0]];
        let mut f = finding(Severity::Info, "dependency-cycle", &first.id, &first.meta, String::new());
        f.message = format!("dependency cycle among {} systems: {}", names.len(), names.join(" → "));
        out.push(f);
    }
}

/// The documented graph against the observed one. Only systems documented
/// on both sides are compared, so a pack with no manifests reports no drift.
fn drift(data: &PackData, out: &mut Vec<Finding>) {
    let mut pairs: HashMap<(u32, u32), (bool, bool, usize)> = HashMap::new();
    let mut has = vec![(false, false); data.systems.len()];
    for (ix, edge) in data.edges.iter().enumerate() {
        let (Some(from), Some(to)) = (edge.from_ix, edge.to_ix) else { continue };
        // Where a system runs or who deploys it is never visible in its env vars.
        let runs_on = data.systems[to as usize].kind == SystemKind::Cluster;
        if runs_on
            || !matches!(edge.edge.kind, EdgeKind::DependsOn | EdgeKind::Calls | EdgeKind::Reads | EdgeKind::Writes)
        {
            continue;
        }
        let observed = edge.edge.origin == EdgeOrigin::Observed;
        let entry = pairs.entry((from, to)).or_insert((false, false, ix));
        if observed {
            entry.1 = true;
            has[from as usize].1 = true;
        } else {
            entry.0 = true;
            has[from as usize].0 = true;
        }
    }
    let mut sorted: Vec<_> = pairs.into_iter().collect();
    sorted.sort_unstable_by_key(|(pair, _)| *pair);
    for ((from, _), (declared, observed, ix)) in sorted {
        let (documents, deploys) = has[from as usize];
        if !(documents && deploys) || declared == observed {
            continue;
        }
        let edge = &data.edges[ix].edge;
        let (code, message) = if observed {
            (
                "undeclared-dependency",
                format!("`{}` → `{}` is observed ({}) but not declared", edge.from, edge.to, edge.via),
            )
        } else {
            (
                "unobserved-dependency",
                format!("`{}` → `{}` is declared but not observed in what is deployed", edge.from, edge.to),
            )
        };
        out.push(Finding {
            severity: Severity::Info,
            code,
            record: edge.from.clone(),
            message,
            file: edge.provenance.file.clone(),
            line: edge.provenance.line_start,
            suggestions: Vec::new(),
        });
    }

    let deployed = |kind: SourceKind| matches!(kind, SourceKind::Kubernetes | SourceKind::Compose);
    let sources = |s: &lore_model::System| {
        std::iter::once(s.meta.provenance.source).chain(s.also_from.iter().map(|p| p.source)).collect::<Vec<_>>()
    };
    let any_deployed = data.systems.iter().any(|s| sources(s).into_iter().any(deployed));
    let any_documented = data.systems.iter().any(|s| !sources(s).into_iter().all(deployed));
    if !(any_deployed && any_documented) {
        return;
    }
    // Environments something is deployed to, as lore.toml or the manifests say.
    let deployed_envs: BTreeSet<&str> = data
        .systems
        .iter()
        .filter(|s| sources(s).into_iter().any(deployed))
        .flat_map(|s| s.environments.iter().map(String::as_str))
        .collect();
    for system in &data.systems {
        let kinds = sources(system);
        if kinds.iter().all(|&k| deployed(k)) {
            out.push(finding(
                Severity::Info,
                "not-in-catalog",
                &system.id,
                &system.meta,
                "is deployed but no catalog or lore file describes it".into(),
            ));
        } else if !kinds.iter().any(|&k| deployed(k))
            && system.kind == SystemKind::Service
            && system.lifecycle.as_deref().is_none_or(|l| l == "production")
            && let Some(env) = system.environments.iter().find(|e| deployed_envs.contains(e.as_str()))
        {
            out.push(finding(
                Severity::Info,
                "not-deployed",
                &system.id,
                &system.meta,
                format!(
                    "is a service in `{env}` by the catalog, but no manifest or compose file for `{env}` deploys it"
                ),
            ));
        }
    }
}

/// Systems that are one thing described twice: one's alias is the other's
/// name, or their names differ only in punctuation (`cart-service`,
/// `cartservice`).
fn duplicates(data: &PackData, out: &mut Vec<Finding>) {
    let squash = |name: &str| name.chars().filter(char::is_ascii_alphanumeric).collect::<String>();
    let mut by_squashed: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (ix, system) in data.systems.iter().enumerate() {
        by_squashed.entry(squash(&system.id)).or_default().push(ix);
        for alias in &system.matchers.aliases {
            let alias = normalize_name(alias);
            if let Some(other) = data.systems.iter().find(|s| s.id == alias && s.id != system.id) {
                out.push(Finding {
                    suggestions: vec![other.id.clone()],
                    ..finding(
                        Severity::Warning,
                        "duplicate-system",
                        &system.id,
                        &system.meta,
                        format!(
                            "has the alias `{alias}`, which is also a system of its own ({}): the name is ambiguous; merge them if they are one system, else drop the alias",
                            other.meta.provenance.cite()
                        ),
                    )
                });
            }
        }
    }
    for ixs in by_squashed.values().filter(|ixs| ixs.len() > 1) {
        let names: Vec<String> = ixs.iter().map(|&ix| data.systems[ix].id.clone()).collect();
        for &ix in ixs {
            let system = &data.systems[ix];
            let others: Vec<String> = names.iter().filter(|n| **n != system.id).cloned().collect();
            out.push(Finding {
                suggestions: others.clone(),
                ..finding(
                    Severity::Info,
                    "duplicate-system",
                    &system.id,
                    &system.meta,
                    format!(
                        "differs from {} only in punctuation; if they are one system, make one an alias",
                        others.join(", ")
                    ),
                )
            });
        }
    }
}

fn health(data: &PackData, failed: &BTreeMap<&'static str, BTreeSet<usize>>) -> Health {
    let n = data.systems.len();
    let passes =
        |ix: usize| CHECKS.iter().filter(|(code, _)| !failed.get(code).is_some_and(|s| s.contains(&ix))).count();
    let percent = |passed: usize, total: usize| (passed * 100).checked_div(total).map_or(100, |p| p as u8);
    let mut systems: Vec<Score> = (0..n)
        .map(|ix| Score { name: data.systems[ix].id.clone(), score: percent(passes(ix), CHECKS.len()) })
        .collect();
    let total_passed: usize = (0..n).map(passes).sum();
    let overall = percent(total_passed, n * CHECKS.len());

    let mut by_team: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (ix, system) in data.systems.iter().enumerate() {
        for owner in system.owners.iter().chain(&system.meta.owner).collect::<BTreeSet<_>>() {
            let entry = by_team.entry(owner.as_str()).or_default();
            entry.0 += passes(ix);
            entry.1 += CHECKS.len();
        }
    }
    let mut teams: Vec<Score> =
        by_team.into_iter().map(|(name, (p, t))| Score { name: name.to_string(), score: percent(p, t) }).collect();
    teams.sort_by(|a, b| a.score.cmp(&b.score).then_with(|| a.name.cmp(&b.name)));
    systems.sort_by(|a, b| a.score.cmp(&b.score).then_with(|| a.name.cmp(&b.name)));

    let mut top_actions: Vec<Improvement> = CHECKS
        .iter()
        .filter_map(|(code, action)| {
            let count = failed.get(code)?.len();
            let gain = percent(total_passed + count, n * CHECKS.len()).saturating_sub(overall);
            Some(Improvement { action: action.to_string(), systems: count, gain })
        })
        .filter(|i| i.systems > 0)
        .collect();
    top_actions.sort_by(|a, b| b.gain.cmp(&a.gain).then_with(|| b.systems.cmp(&a.systems)));
    top_actions.truncate(3);
    Health { overall, teams, systems, top_actions }
}
