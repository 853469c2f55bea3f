//! Reading the knowledge: briefings, blast radius, search, listings and
//! single records. Every front end answers these questions here.

use lore_model::Day;
use lore_pack::ArchivedPackData;
use lore_pack::query::{self, BlastRadius, Briefing, IncidentSummary, ProposalRow, RuleSummary, SystemRow};
use lore_search::SearchResults;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::loaded::Loaded;

/// The smallest and largest briefing budgets, in bytes of JSON.
pub const BRIEF_BUDGET_RANGE: (usize, usize) = (500, 200_000);
/// How many hops a blast radius follows unless asked otherwise.
pub const DEFAULT_BLAST_DEPTH: u32 = 16;
/// How many hits a search returns unless asked otherwise.
pub const DEFAULT_HITS: usize = 5;
/// The most hops a blast radius follows.
pub const MAX_BLAST_DEPTH: u32 = 64;
/// The most hits one search returns, and the furthest it pages.
pub const MAX_HITS: usize = 50;
/// How far into the hits a search may page.
pub const MAX_OFFSET: usize = 1_000;
/// Longest runbook text returned at once.
pub const MAX_RUNBOOK_BYTES: usize = 16_000;

/// The system a name means, or `NotFound` with the names close to it.
pub fn system_index(data: &ArchivedPackData, name: &str) -> Result<u32> {
    query::resolve(data, name)
        .ok_or_else(|| Error::not_found(format!("no system named `{name}`"), query::suggest(data, name)))
}

/// Which briefing to give.
#[derive(Debug, Clone)]
pub struct BriefRequest {
    /// A system's name or alias.
    pub system: String,
    /// Only what applies in this environment.
    pub env: Option<String>,
    /// Size cap in bytes of JSON (within [`BRIEF_BUDGET_RANGE`]); the most important items are kept.
    pub budget: usize,
}

/// Everything to know before touching a system.
pub fn brief(loaded: &Loaded, request: &BriefRequest) -> Result<Briefing> {
    let data = loaded.data()?;
    let ix = system_index(data, &request.system)?;
    let (least, most) = BRIEF_BUDGET_RANGE;
    Ok(query::brief(data, ix, request.env.as_deref(), request.budget.clamp(least, most), Day::today()))
}

/// Whose blast radius to walk.
#[derive(Debug, Clone)]
pub struct BlastRequest {
    /// A system's name or alias, or a name that dependencies point at.
    pub system: String,
    /// Only systems that run in this environment.
    pub env: Option<String>,
    /// How many hops to follow (at most [`MAX_BLAST_DEPTH`]).
    pub depth: u32,
}

/// What depends on a system, transitively.
pub fn blast(loaded: &Loaded, request: &BlastRequest) -> Result<BlastRadius> {
    let data = loaded.data()?;
    query::blast(data, &request.system, request.env.as_deref(), request.depth.min(MAX_BLAST_DEPTH)).map_err(
        |query::QueryError::UnknownSystem { suggestions, .. }| {
            Error::not_found(format!("no system or dependency named `{}`", request.system), suggestions)
        },
    )
}

/// A question for the search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// A question or keywords.
    pub text: String,
    /// Only documents about this system.
    pub system: Option<String>,
    /// Only documents of this kind: runbook, incident, rule, system.
    pub kind: Option<String>,
    /// Hits wanted (1 to [`MAX_HITS`]).
    pub limit: usize,
    /// Hits to skip (up to [`MAX_OFFSET`]).
    pub offset: usize,
}

/// One page of hits.
#[derive(Debug, Serialize)]
pub struct SearchAnswer {
    /// The hits of this page, and the search's own note (no hits, a filter dropped).
    pub results: SearchResults,
    /// Hits skipped before this page.
    pub offset: usize,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<usize>,
    /// How the search ranked, when not as configured (a model not used).
    pub index_note: Option<String>,
}

/// Searches the knowledge; every hit cites `path:start-end`.
pub fn search(loaded: &Loaded, request: &SearchRequest) -> Result<SearchAnswer> {
    let data = loaded.data()?;
    if request.text.trim().is_empty() {
        return Err(Error::Invalid("the query is empty".into()));
    }
    let search = loaded.search()?;
    let limit = request.limit.clamp(1, MAX_HITS);
    let offset = request.offset.min(MAX_OFFSET);
    let mut results = search.index.search(&lore_search::SearchRequest {
        text: request.text.clone(),
        system: request.system.as_deref().map(|s| query::canonical_name(data, s)),
        kind: request.kind.clone(),
        limit: offset + limit + 1,
    })?;
    let more = results.hits.len() > offset + limit;
    results.hits = results.hits.into_iter().skip(offset).take(limit).collect();
    let next_offset = more.then_some(offset + results.hits.len());
    Ok(SearchAnswer { results, offset, next_offset, index_note: search.note.clone() })
}

/// Every system, with its owners, tier and dependency counts.
pub fn systems(loaded: &Loaded) -> Result<Vec<SystemRow>> {
    Ok(query::systems(loaded.data()?))
}

/// Which rules to list.
#[derive(Debug, Clone, Default)]
pub struct RulesRequest {
    /// Rules about this system (and those for every system).
    pub system: Option<String>,
    /// Rules that apply in this environment.
    pub env: Option<String>,
}

/// The rules that apply to a system or an environment, or all of them.
pub fn rules(loaded: &Loaded, request: &RulesRequest) -> Result<Vec<RuleSummary>> {
    let data = loaded.data()?;
    if let Some(system) = &request.system {
        system_index(data, system)?;
    }
    Ok(query::rules(data, request.system.as_deref(), request.env.as_deref(), Day::today()))
}

/// Incidents, newest first, optionally only those about a system.
pub fn incidents(loaded: &Loaded, system: Option<&str>) -> Result<Vec<IncidentSummary>> {
    Ok(query::incidents(loaded.data()?, system))
}

/// The prohibitions mined from prose, optionally only those about a system.
pub fn advisories(loaded: &Loaded, system: Option<&str>) -> Result<Vec<lore_model::Advisory>> {
    let data = loaded.data()?;
    if let Some(name) = system {
        system_index(data, name)?;
    }
    Ok(query::advisories(data, system))
}

/// One record and its kind.
#[derive(Debug, Serialize)]
pub struct Shown {
    /// `system`, `rule`, `incident`, …
    pub kind: &'static str,
    /// The record as JSON.
    pub record: Value,
}

/// One record by id (`rule:ID`, `incident:ID`, or a system name).
pub fn show(loaded: &Loaded, id: &str) -> Result<Shown> {
    let data = loaded.data()?;
    query::show(data, id)
        .map(|(kind, record)| Shown { kind, record })
        .ok_or_else(|| Error::not_found(format!("no record with id `{id}`"), query::suggest(data, id)))
}

/// One incident by id, or `NotFound` with the ids close to it.
pub fn incident(loaded: &Loaded, id: &str) -> Result<Value> {
    let data = loaded.data()?;
    query::show(data, &format!("incident:{id}")).map(|(_, record)| record).ok_or_else(|| {
        let near = data.incidents.iter().map(|i| i.id.to_string()).filter(|i| query::near(i, id).is_some()).collect();
        Error::not_found(format!("no incident with id `{id}`"), near)
    })
}

/// One rule by id.
pub fn rule(loaded: &Loaded, id: &str) -> Result<Value> {
    query::show(loaded.data()?, &format!("rule:{id}"))
        .map(|(_, record)| record)
        .ok_or_else(|| Error::not_found(format!("no rule with id `{id}`"), Vec::new()))
}

/// The proposals waiting for a human's review.
pub fn proposals(loaded: &Loaded) -> Result<Vec<ProposalRow>> {
    Ok(query::proposals(loaded.data()?))
}

/// Which runbook text to read: by id (`ID` or `ID#anchor`) or by path (`path` or `path:line`).
#[derive(Debug, Clone, Default)]
pub struct RunbookRequest {
    /// The runbook's id, optionally with a section: `ID#anchor`.
    pub id: Option<String>,
    /// Or its path, optionally with a line: `docs/redis/redis.md:136`.
    pub path: Option<String>,
    /// Most bytes of text to return (at most [`MAX_RUNBOOK_BYTES`]).
    pub max_bytes: Option<usize>,
}

/// A runbook section's text, read from its source file, with its citation.
#[derive(Debug, Serialize)]
pub struct RunbookText {
    /// The runbook's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The section's heading, or the title for the whole document.
    pub section: String,
    /// `path:start-end` of the text returned.
    pub cite: String,
    /// The systems it is about.
    pub systems: Vec<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// When it was last reviewed.
    pub reviewed: Option<Day>,
    /// The text, whole lines.
    pub text: String,
    /// Whether the section goes on past the text returned.
    pub truncated: bool,
    /// Every section, as `ID#anchor (path:line)`.
    pub sections: Vec<String>,
}

/// A runbook's text: the anchored section, the narrowest section holding
/// the line, else the whole document.
pub fn runbook(loaded: &Loaded, request: &RunbookRequest) -> Result<RunbookText> {
    let data = loaded.data()?;
    let (runbook, anchor, line) = match (&request.id, &request.path) {
        (Some(id), _) => {
            let (id, anchor) = match id.split_once('#') {
                Some((id, anchor)) => (id, Some(anchor.to_string())),
                None => (id.as_str(), None),
            };
            let found = data.runbooks.iter().find(|r| r.id.as_str().eq_ignore_ascii_case(id));
            (found.ok_or_else(|| Error::not_found(format!("no runbook with id `{id}`"), Vec::new()))?, anchor, None)
        }
        (None, Some(path)) => {
            let (path, line) = match path.rsplit_once(':') {
                Some((p, l)) if l.parse::<u32>().is_ok() => (p, l.parse::<u32>().ok()),
                _ => (path.as_str(), None),
            };
            let path = path.trim_start_matches("./");
            let found = data.runbooks.iter().find(|r| r.path.as_str() == path);
            (found.ok_or_else(|| Error::not_found(format!("no runbook at `{path}`"), Vec::new()))?, None, line)
        }
        (None, None) => return Err(Error::Invalid("give the runbook's `id` or its `path`".into())),
    };
    let runbook: lore_model::Runbook = query::owned(runbook);
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
        return Err(Error::not_found(format!("runbook `{}` has no section `{anchor}`", runbook.id), anchors));
    }
    let (start, end, heading) = match section {
        Some(s) => (s.line_start, s.line_end, s.heading.clone()),
        None => (1, u32::MAX, runbook.title.clone()),
    };
    let file = loaded.knowledge.root.join(&runbook.path);
    let text =
        std::fs::read_to_string(&file).map_err(|e| Error::Unavailable(format!("cannot read {}: {e}", runbook.path)))?;
    let max = request.max_bytes.unwrap_or(MAX_RUNBOOK_BYTES).clamp(200, MAX_RUNBOOK_BYTES);
    let (body, last) = lines_within(&text, start, end, max);
    let truncated = last < end.min(text.lines().count() as u32);
    Ok(RunbookText {
        cite: format!("{}:{start}-{last}", runbook.path),
        sections: runbook
            .sections
            .iter()
            .map(|s| format!("{}#{} ({}:{})", runbook.id, s.anchor, runbook.path, s.line_start))
            .collect(),
        id: runbook.id,
        title: runbook.title,
        section: heading,
        systems: runbook.systems,
        owner: runbook.meta.owner,
        reviewed: runbook.meta.freshness.reviewed,
        text: body,
        truncated,
    })
}

/// Whole lines `start..=end` of `text`, up to `max` bytes, and the last line taken.
fn lines_within(text: &str, start: u32, end: u32, max: usize) -> (String, u32) {
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
    (body, last)
}

/// The "before you act on production" checklist, with the system's briefing in `budget` bytes.
pub fn checklist(loaded: &Loaded, system: &str, action: Option<&str>, budget: usize) -> Result<String> {
    let briefing = brief(loaded, &BriefRequest { system: system.to_string(), env: None, budget })?;
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

/// The whole dependency graph: every system, edge, dangling name and cycle.
pub fn graph(loaded: &Loaded) -> Result<lore_pack::graph::Graph> {
    Ok(lore_pack::graph::graph(loaded.data()?))
}

/// The most lines of context a source excerpt shows around a citation.
pub const MAX_SOURCE_CONTEXT: u32 = 200;
/// The longest cited range a source excerpt shows.
const MAX_SOURCE_LINES: u32 = 2_000;

/// Which cited lines to show.
#[derive(Debug, Clone)]
pub struct SourceRequest {
    /// A citation as lore writes them: `path:line` or `path:start-end`.
    pub cite: String,
    /// Lines of context before and after.
    pub context: u32,
}

/// Cited lines of a source file, with the lines around them.
#[derive(Debug, Clone, Serialize)]
pub struct SourceExcerpt {
    /// The file, as citations name it.
    pub path: String,
    /// The cited lines, 1-based and inclusive.
    pub start: u32,
    /// The last cited line.
    pub end: u32,
    /// The number of the first line in `lines`.
    pub first_line: u32,
    /// The lines shown, context included.
    pub lines: Vec<String>,
    /// How many lines the file has.
    pub total_lines: usize,
}

/// The lines a citation names, read from the source file the pack was built
/// from. Only files the pack was built from can be read, so a citation
/// cannot name any other file on the machine.
pub fn source(loaded: &Loaded, request: &SourceRequest) -> Result<SourceExcerpt> {
    if request.cite.trim().is_empty() {
        return Err(Error::Invalid("give a citation: `path:line` or `path:start-end`".into()));
    }
    let (path, start, end) = parse_cite(&request.cite);
    let pack = loaded.pack()?;
    let not_found = || Error::not_found(format!("`{path}` is not a source of this pack"), Vec::new());
    let wanted = loaded.knowledge.root.join(path).canonicalize().map_err(|_| not_found())?;
    let files = pack.source_files();
    // The build records paths as it found them, mostly canonical already.
    let known =
        files.contains(&wanted) || files.iter().any(|file| file.canonicalize().is_ok_and(|file| file == wanted));
    if !known {
        return Err(not_found());
    }
    let text = std::fs::read(&wanted).map_err(Error::io("reading", wanted.clone()))?;
    let text = String::from_utf8_lossy(&text);
    let all: Vec<&str> = text.lines().collect();
    let context = request.context.min(MAX_SOURCE_CONTEXT);
    let end = end.min(start.saturating_add(MAX_SOURCE_LINES));
    let first_line = start.saturating_sub(context).max(1);
    let last_line = (end.saturating_add(context) as usize).min(all.len());
    let lines = all.get(first_line as usize - 1..last_line).unwrap_or_default();
    Ok(SourceExcerpt {
        path: path.to_string(),
        start,
        end,
        first_line,
        lines: lines.iter().map(|line| line.to_string()).collect(),
        total_lines: all.len(),
    })
}

/// `path:12` or `path:12-14` as (path, start, end). Anything else, a path
/// alone among it, means line 1 of the whole text as a path.
fn parse_cite(cite: &str) -> (&str, u32, u32) {
    let lines = |suffix: &str| -> Option<(u32, u32)> {
        let (start, end): (u32, u32) = match suffix.split_once('-') {
            Some((start, end)) => (start.parse().ok()?, end.parse().ok()?),
            None => (suffix.parse().ok()?, suffix.parse().ok()?),
        };
        (start >= 1).then_some((start, end.max(start)))
    };
    match cite.rsplit_once(':') {
        Some((path, suffix)) if !path.is_empty() => match lines(suffix) {
            Some((start, end)) => (path, start, end),
            None => (cite, 1, 1),
        },
        _ => (cite, 1, 1),
    }
}

#[cfg(test)]
mod source_tests {
    use super::parse_cite;

    #[test]
    fn citations_parse_to_a_path_and_lines() {
        assert_eq!(parse_cite("runbooks/db.md:12"), ("runbooks/db.md", 12, 12));
        assert_eq!(parse_cite("runbooks/db.md:12-20"), ("runbooks/db.md", 12, 20));
        assert_eq!(parse_cite("a.md:9-3"), ("a.md", 9, 9));
        assert_eq!(parse_cite("a.md"), ("a.md", 1, 1));
        // No line number: the whole text is a path (one no pack has).
        assert_eq!(parse_cite("a.md:0"), ("a.md:0", 1, 1));
        assert_eq!(parse_cite("a.md:x"), ("a.md:x", 1, 1));
        assert_eq!(parse_cite(":3"), (":3", 1, 1));
    }
}
