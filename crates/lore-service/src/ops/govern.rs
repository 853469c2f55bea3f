//! Governing the knowledge: proposals from agents and their review, rules
//! promoted from advisories, lint, and the history of every record.

use std::path::{Path, PathBuf};

use lore_govern::proposal::{self, Decided, Kind, Proposal, ProposalError, Review};
use lore_log::{ProposalDecision, Store};
use lore_model::{Day, Decision, Timestamp};
use lore_pack::query;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::knowledge::Knowledge;
use crate::loaded::Loaded;

/// Whether the pack built from the knowledge now holds the file at `path`
/// (a rule or a runbook): it is not when `path` lies outside every source.
fn holds_file(knowledge: &Knowledge, path: &Path) -> Result<bool> {
    let opened = knowledge.open(None)?;
    let data = opened.pack.data();
    let relative = path.strip_prefix(&knowledge.root).unwrap_or(path).to_string_lossy().into_owned();
    Ok(data.rules.iter().any(|r| r.meta.provenance.file.as_str() == relative)
        || data.runbooks.iter().any(|r| r.path.as_str() == relative))
}

/// A human's verdict on a proposal.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Write it into the knowledge, in `to` (default: `rules/` or `notes/SYSTEM/`).
    Approve {
        /// Where to write the approved record.
        to: Option<PathBuf>,
    },
    /// Keep it, decided, with the reason.
    Reject,
}

/// A review of one proposal.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    /// The proposal's id, `PROP-…`.
    pub id: String,
    /// Approve or reject.
    pub verdict: Verdict,
    /// Who decides.
    pub by: String,
    /// Why, kept with the decision (required to reject).
    pub why: Option<String>,
}

/// A decided proposal, and whether the rebuilt pack loaded what was written.
#[derive(Debug, Serialize)]
pub struct Reviewed {
    /// What was decided, written and kept.
    pub decided: Decided,
    /// `false` when the written file lies outside every source in lore.toml.
    pub loaded: bool,
    /// What the user should know: a decision the store did not keep.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Approves or rejects a proposal (`lore approve PROP-…`, `lore reject`)
/// and keeps the decision in the knowledge's store: the shared one when
/// set, else the local log.
pub fn review(knowledge: &Knowledge, request: ReviewRequest) -> Result<Reviewed> {
    let store = match knowledge.store_url() {
        Some((url, setting)) => lore_log::open_shared(&url, setting),
        None => lore_log::open(&knowledge.log_path()),
    };
    review_in(knowledge, request, store.as_deref().map_err(ToString::to_string))
}

/// Approves or rejects a proposal, then rebuilds to show what the knowledge
/// now holds. The decision is also kept in `store`, so that every server
/// on a shared store shows the same review history; a store that is not
/// there (`Err` says why) is noted, and the decision stays in the files.
pub fn review_in(
    knowledge: &Knowledge,
    request: ReviewRequest,
    store: std::result::Result<&dyn Store, String>,
) -> Result<Reviewed> {
    knowledge.writable_for("review")?;
    let review = Review { by: request.by, on: Day::today(), why: request.why };
    let id = &request.id;
    let result = match &request.verdict {
        Verdict::Approve { to } => proposal::approve(&knowledge.root, id, &review, to.as_deref()),
        Verdict::Reject => proposal::reject(&knowledge.root, id, &review),
    };
    let decided = match result {
        Err(ProposalError::NotFound(_)) => {
            return Err(Error::not_found(format!("no pending proposal `{id}` (see lore review)"), Vec::new()));
        }
        // A rejection without a reason: the caller's to fix.
        Err(ProposalError::Invalid(message)) => return Err(Error::Invalid(message)),
        other => other?,
    };
    let loaded = match &decided.written {
        None => true,
        Some(path) => holds_file(knowledge, path)?,
    };
    let kept = store.and_then(|store| {
        store.record_review(&proposal_decision(knowledge, &decided, &review)).map_err(|err| err.to_string())
    });
    let notes =
        kept.err().map(|why| format!("the decision is in the files but not in the store: {why}")).into_iter().collect();
    Ok(Reviewed { decided, loaded, notes })
}

fn proposal_decision(knowledge: &Knowledge, decided: &Decided, review: &Review) -> ProposalDecision {
    let relative = |path: &Path| path.strip_prefix(&knowledge.root).unwrap_or(path).to_string_lossy().into_owned();
    ProposalDecision {
        knowledge: knowledge.root.to_string_lossy().into_owned(),
        proposal: decided.id.clone(),
        verdict: if decided.written.is_some() { "approved" } else { "rejected" }.into(),
        by: review.by.clone(),
        why: review.why.clone(),
        ts_unix: Timestamp::now().0,
        written: decided.written.as_deref().map(relative),
    }
}

/// The latest decisions on proposals to this knowledge, newest first.
pub fn reviews(knowledge: &Knowledge, store: &dyn Store, limit: usize) -> Result<Vec<ProposalDecision>> {
    Ok(store.reviews(&knowledge.root.to_string_lossy(), limit)?)
}

/// What an agent learned and proposes to add to the knowledge.
#[derive(Debug, Clone, Default)]
pub struct ProposeRequest {
    /// `rule`, `fact`, `dependency` or `lesson` (an incident's lesson).
    pub kind: String,
    /// The system it is about.
    pub system: String,
    /// One line: the rule, the fact, the dependency or the lesson.
    pub statement: String,
    /// Why: the rationale, the evidence, where it was seen.
    pub why: String,
    /// Rules: the safer alternative.
    pub instead: Option<String>,
    /// Rules: what it should decide once approved: warn, ask or deny.
    pub decision: Option<String>,
    /// Rules: command globs it matches.
    pub commands: Vec<String>,
    /// Rules: tools it matches.
    pub tools: Vec<String>,
    /// Dependencies: the system that `system` depends on.
    pub depends_on: Option<String>,
    /// Lessons: the incident it was learned from.
    pub incident: Option<String>,
    /// Who proposes it, for the record.
    pub proposed_by: String,
}

/// A proposal as written.
#[derive(Debug, Serialize)]
pub struct Proposed {
    /// Its id, `PROP-…`.
    pub id: String,
    /// Always `proposed`: nothing is enforced until a human approves it.
    pub status: &'static str,
    /// Its file, relative to the knowledge.
    pub path: String,
    /// `false` when the same proposal was already there (`note` says so to the agent).
    #[serde(skip)]
    pub new: bool,
    /// What happens next, said for the agent.
    pub note: &'static str,
}

fn proposed_decision(text: Option<&str>) -> Result<Option<Decision>> {
    match text {
        None => Ok(None),
        Some("warn") => Ok(Some(Decision::Warn)),
        Some("ask") => Ok(Some(Decision::Ask)),
        Some("deny") => Ok(Some(Decision::Deny)),
        Some(other) => Err(Error::Invalid(format!("a proposed rule decides warn, ask or deny, not `{other}`"))),
    }
}

/// Writes a proposal under `proposals/`, marked proposed. The caller
/// rebuilds the pack when it is new, so it is shown at once.
pub fn propose(loaded: &Loaded, request: ProposeRequest) -> Result<Proposed> {
    loaded.knowledge.writable_for("propose")?;
    let kind = Kind::parse(&request.kind).ok_or_else(|| {
        Error::Invalid(format!("unknown kind `{}`; expected rule, fact, dependency or lesson", request.kind))
    })?;
    let decision = proposed_decision(request.decision.as_deref())?;
    let data = loaded.data()?;
    let ix = crate::ops::read::system_index(data, &request.system)?;
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
        proposed_by: request.proposed_by,
        proposed_on: Day::today(),
    };
    let root = &loaded.knowledge.root;
    let (path, new) = proposal::write(root, &proposal).map_err(|err| match err {
        ProposalError::Invalid(message) => Error::Invalid(message),
        other => other.into(),
    })?;
    Ok(Proposed {
        id: proposal.id(),
        status: "proposed",
        path: path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned(),
        new,
        note: if new {
            "shown as unreviewed and never enforced until a human approves it (lore review, lore approve ID)"
        } else {
            "already proposed"
        },
    })
}

/// A rule to write from a mined advisory.
#[derive(Debug, Clone)]
pub struct PromoteRequest {
    /// The advisory's id, `ADV-…`.
    pub id: String,
    /// What the rule decides.
    pub decision: Decision,
    /// Where to write it (default: `rules/` in the knowledge).
    pub to: Option<PathBuf>,
}

/// The rule written.
#[derive(Debug, Serialize)]
pub struct Promoted {
    /// The rule's id.
    pub rule: String,
    /// Its file.
    pub path: PathBuf,
    /// `false` when the rebuilt pack did not load it (outside every source).
    pub loaded: bool,
    /// Notes for the user from opening the knowledge (a build).
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// Writes a rule file from a mined advisory, owned by its system's owner,
/// for review like any change.
pub fn promote(knowledge: &Knowledge, request: &PromoteRequest) -> Result<Promoted> {
    knowledge.writable_for("promote")?;
    let (advisory, owner, notes) = {
        let opened = knowledge.open(None)?;
        let data = opened.pack.data();
        let Some(archived) = data.advisories.iter().find(|a| a.id.as_str().eq_ignore_ascii_case(&request.id)) else {
            return Err(Error::not_found(format!("no advisory with id `{}`", request.id), Vec::new()));
        };
        let advisory: lore_model::Advisory = query::owned(archived);
        let owner = advisory
            .systems
            .iter()
            .filter_map(|s| query::resolve(data, s))
            .find_map(|ix| query::system(data, ix).owners.into_iter().next());
        (advisory, owner, opened.notes)
    };
    let rule = lore_govern::promote::rule_file(&advisory, owner.as_deref(), request.decision, Day::today())?;
    let dir = request.to.clone().unwrap_or_else(|| knowledge.root.join("rules"));
    let path = dir.join(&rule.file_name);
    if path.exists() {
        return Err(Error::Invalid(format!("{} already exists; the advisory was promoted before", path.display())));
    }
    std::fs::create_dir_all(&dir).map_err(Error::io("creating", &dir))?;
    std::fs::write(&path, &rule.text).map_err(Error::io("writing", &path))?;
    let loaded = holds_file(knowledge, &path)?;
    Ok(Promoted { rule: rule.id, path, loaded, notes })
}

/// The knowledge's health: stale, unowned and dangling records, cycles, drift.
pub fn lint(loaded: &Loaded) -> Result<lore_govern::Report> {
    Ok(lore_govern::lint(loaded.data()?, Day::today(), Some(&loaded.knowledge.root)))
}

/// How many builds the health trend keeps.
const HEALTH_TREND_BUILDS: usize = 100;
/// The trend's file, beside the pack it describes.
const HEALTH_TREND_FILE: &str = "health-trend.jsonl";

/// The lint report with the health score's trend over builds.
#[derive(Debug, Serialize)]
pub struct HealthReport {
    /// The report on the pack as loaded.
    #[serde(flatten)]
    pub report: lore_govern::Report,
    /// One point per build the health was looked at, oldest first, this one last.
    pub trend: Vec<HealthPoint>,
}

/// The health of one build.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct HealthPoint {
    /// The pack's version.
    pub pack_version: String,
    /// When it was built.
    pub built_at: Timestamp,
    /// The overall score, 0–100.
    pub overall: u8,
    /// Findings by severity.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Everything else.
    pub infos: usize,
}

/// The lint report, and the score's trend: each build's score is kept
/// beside the pack the first time its health is asked for, so the trend
/// covers every build that was looked at (`lore serve` looks at each one it
/// serves, when it starts and on each reload). A trend that cannot be
/// written is still answered, without this build.
pub fn knowledge_health(loaded: &Loaded) -> Result<HealthReport> {
    let report = lint(loaded)?;
    let pack = loaded.pack()?;
    let manifest = pack.manifest();
    let count = |severity| report.findings.iter().filter(|f| f.severity == severity).count();
    let point = HealthPoint {
        pack_version: manifest.version(),
        built_at: manifest.built_at,
        overall: report.health.overall,
        errors: count(lore_model::Severity::Error),
        warnings: count(lore_model::Severity::Warning),
        infos: count(lore_model::Severity::Info),
    };
    let path = pack.dir().join(HEALTH_TREND_FILE);
    let mut trend = read_trend(&path);
    if trend.last().is_none_or(|last| last.pack_version != point.pack_version) {
        trend.push(point);
        let skip = trend.len().saturating_sub(HEALTH_TREND_BUILDS);
        trend.drain(..skip);
        let lines: String =
            trend.iter().filter_map(|p| serde_json::to_string(p).ok()).map(|line| line + "\n").collect();
        if let Err(err) = lore_pack::store::write_atomic(&path, lines.as_bytes()) {
            eprintln!("lore: the health trend was not kept: {err}");
        }
    }
    Ok(HealthReport { report, trend })
}

/// Keeps the health of the pack as loaded in its trend, linting it only
/// when the trend does not hold this build yet (a server restarted on the
/// same build pays nothing).
pub fn record_build_health(loaded: &Loaded) -> Result<()> {
    let pack = loaded.pack()?;
    let recorded = read_trend(&pack.dir().join(HEALTH_TREND_FILE))
        .last()
        .is_some_and(|last| last.pack_version == pack.manifest().version());
    if !recorded {
        knowledge_health(loaded)?;
    }
    Ok(())
}

/// The trend kept so far; lines that do not parse are skipped.
fn read_trend(path: &Path) -> Vec<HealthPoint> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// Versions of a record: every one, or the one held at a moment.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum History {
    /// Every version, oldest first.
    All(Vec<lore_log::Version>),
    /// The version lore held at `as_of`.
    At {
        /// The moment asked about.
        as_of: Timestamp,
        /// Whether the record's own valid time covered that day.
        valid_then: bool,
        /// The version.
        version: Box<lore_log::Version>,
    },
}

/// Versions of a record (`rule:ID`, `system:NAME`, a bare id) from the
/// history the builds keep; `as_of` is a date, a time or a duration ago.
pub fn history(loaded: &Loaded, id: &str, as_of: Option<&str>) -> Result<History> {
    let now = Timestamp::now();
    let at = match as_of {
        None => None,
        Some(text) => Some(crate::ops::decisions::parse_moment(text, now).ok_or_else(|| {
            Error::Invalid(format!("--as-of: `{text}` is not a date, a time or a duration ago (30d)"))
        })?),
    };
    let pack = loaded.pack()?;
    let knowledge = &loaded.knowledge;
    let mut log = lore_log::open(&knowledge.log_path())?;
    crate::history::sync(log.as_mut(), &knowledge.history_key(), pack, now.0)?;
    let (kind, bare) = match id.split_once(':') {
        Some((kind, rest)) => (Some(kind), rest),
        None => (None, id),
    };
    // A system may be asked for by an alias.
    let bare = match kind {
        Some("system") | None => query::resolve(pack.data(), bare)
            .map(|ix| pack.data().systems[ix as usize].id.to_string())
            .unwrap_or_else(|| bare.to_string()),
        _ => bare.to_string(),
    };
    let versions = log.history(&knowledge.history_key(), kind, &bare)?;
    if versions.is_empty() {
        return Err(Error::not_found(format!("lore has no history of `{id}`"), query::suggest(pack.data(), &bare)));
    }
    let Some(at) = at else { return Ok(History::All(versions)) };
    let Some(version) = versions.into_iter().rev().find(|v| v.believed_at(at)) else {
        return Err(Error::not_found(format!("lore did not hold `{id}` at {}", Timestamp(at)), Vec::new()));
    };
    // The record's own valid time, judged as the gate judges it.
    let valid_then = lore_model::Freshness {
        valid_from: version.valid_from.as_deref().and_then(Day::parse),
        valid_until: version.valid_until.as_deref().and_then(Day::parse),
        ..lore_model::Freshness::default()
    }
    .valid_on(Timestamp(at).day());
    Ok(History::At { as_of: Timestamp(at), valid_then, version: Box::new(version) })
}
