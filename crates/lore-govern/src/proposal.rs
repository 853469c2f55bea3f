//! Proposed knowledge and its review. Agents propose; people decide.
//!
//! A proposal is a file under `proposals/SYSTEM/ID.md` in the knowledge
//! directory, which every build reads: a rule is a rule record with
//! `status: proposed` (shown, never enforced), a fact, dependency or lesson
//! is a document (searchable, changing no graph and no verdict). Approving
//! writes the knowledge file a reviewer commits; rejecting keeps the
//! proposal with the reason. Neither deletes anything: the decided proposal
//! moves to `proposals/.history/` with who decided, when and why.

use std::path::{Path, PathBuf};

use lore_model::{Day, Decision};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Where decided proposals are kept (hidden: builds do not read it).
pub const HISTORY_DIR: &str = ".history";
const MAX_TEXT: usize = 4_000;
const MARKER: &str = "<!-- lore-proposal: ";

/// What a proposal would add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A rule, shown as proposed and never enforced until approved.
    Rule,
    /// A fact about a system, kept as a document.
    Fact,
    /// A dependency of the system on another, kept as a document.
    Dependency,
    /// A lesson, from an incident or not, kept as a document.
    Lesson,
}

impl Kind {
    /// The kind its kebab-case name (`rule`, `fact`, …) names.
    pub fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "rule" => Kind::Rule,
            "fact" => Kind::Fact,
            "dependency" => Kind::Dependency,
            "lesson" => Kind::Lesson,
            _ => return None,
        })
    }
}

/// What someone proposes, with `system` already resolved to a known system's id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Proposal {
    /// What it would add.
    pub kind: Kind,
    /// The system it is about.
    pub system: String,
    /// What is proposed, in the proposer's words (at most 4,000 bytes).
    pub statement: String,
    /// Why, in the proposer's words (at most 4,000 bytes); a rule's rationale.
    pub why: String,
    /// Rules: what to do instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instead: Option<String>,
    /// Rules: what it decides once approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Rules: command globs the rule matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    /// Rules: tools the rule matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
    /// Dependencies: what the system depends on (required for them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<String>,
    /// Lessons: the incident it was learned from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// Who proposed it (an agent and its team), and when.
    pub proposed_by: String,
    /// The day it was proposed.
    pub proposed_on: Day,
}

/// Why a proposal could not be written, found or decided.
#[derive(Debug, thiserror::Error)]
pub enum ProposalError {
    /// The proposal breaks a rule of its kind; says which.
    #[error("{0}")]
    Invalid(String),
    /// No pending proposal has this ID.
    #[error("no proposal with id `{0}` under proposals/")]
    NotFound(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file holds no proposal lore can read back.
    #[error("{0}: not a proposal lore wrote (its record is missing or damaged)")]
    Unreadable(PathBuf),
    /// The knowledge file an approval would write is already there.
    #[error("{0} already exists; was the proposal approved before?")]
    Exists(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ProposalError + '_ {
    move |source| ProposalError::Io { path: path.to_path_buf(), source }
}

impl Proposal {
    /// The same proposal twice is one proposal.
    pub fn id(&self) -> String {
        let kind = serde_json::to_string(&self.kind).unwrap_or_default();
        let key = format!("{kind}\n{}\n{}", self.system, one_line(&self.statement));
        format!("PROP-{:08x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()) as u32)
    }

    /// Checks what every proposal of its kind needs: a statement and a reason
    /// within size, matchers for a rule (which may not allow), a target for a
    /// dependency.
    pub fn validate(&self) -> Result<(), ProposalError> {
        for (field, text) in [("statement", &self.statement), ("why", &self.why)] {
            if text.trim().is_empty() {
                return Err(ProposalError::Invalid(format!("`{field}` is empty")));
            }
            if text.len() > MAX_TEXT {
                return Err(ProposalError::Invalid(format!("`{field}` is longer than {MAX_TEXT} bytes")));
            }
        }
        match self.kind {
            Kind::Rule if self.commands.is_empty() && self.tools.is_empty() => Err(ProposalError::Invalid(
                "a proposed rule needs `commands` (globs) or `tools` saying which actions it is about".into(),
            )),
            Kind::Rule if self.decision == Some(Decision::Allow) => {
                Err(ProposalError::Invalid("a proposed rule decides warn, ask or deny".into()))
            }
            Kind::Dependency if self.depends_on.as_deref().is_none_or(|t| t.trim().is_empty()) => {
                Err(ProposalError::Invalid("a proposed dependency needs `depends_on`".into()))
            }
            _ => Ok(()),
        }
    }

    /// The proposal's file. Rules carry JSON front matter (which is YAML), so
    /// no proposed text can break out of it; notes quote the text so that no
    /// line of it opens a heading. Both end with the proposal as data.
    pub fn render(&self) -> String {
        let id = self.id();
        let title = self.title();
        let mut text = match self.kind {
            Kind::Rule => {
                let mut front = json!({
                    "kind": "rule",
                    "id": id,
                    "title": title,
                    "decision": self.decision.unwrap_or(Decision::Ask),
                    "status": "proposed",
                    "scope": { "systems": [self.system] },
                    "match": { "commands": self.commands, "tools": self.tools },
                    "rationale": self.why.trim(),
                });
                if let Some(instead) = &self.instead {
                    front["instead"] = json!(instead.trim());
                }
                format!(
                    "---\n{front}\n---\n# {title}\n\n## Proposal\n\nProposed by {} on {}. Not enforced until a human approves it.\n",
                    self.proposed_by, self.proposed_on
                )
            }
            _ => format!(
                "# {title}\n\nStatus: proposed ({id}); unreviewed, proposed by {} on {}.\n\n## Statement\n\n{}\n\n## Why\n\n{}\n",
                self.proposed_by,
                self.proposed_on,
                quote(&self.statement),
                quote(&self.why)
            ),
        };
        let data = serde_json::to_string(self).unwrap_or_default().replace("--", "-\\u002d");
        text.push_str(&format!("\n{MARKER}{data} -->\n"));
        text
    }

    fn title(&self) -> String {
        let statement = one_line(&self.statement);
        match self.kind {
            Kind::Rule => statement,
            Kind::Fact => format!("Proposed fact about {}: {statement}", self.system),
            Kind::Dependency => format!(
                "Proposed dependency: {} depends on {}",
                self.system,
                one_line(self.depends_on.as_deref().unwrap_or_default())
            ),
            Kind::Lesson => match &self.incident {
                Some(incident) => format!("Proposed lesson from {}: {statement}", one_line(incident)),
                None => format!("Proposed lesson: {statement}"),
            },
        }
    }
}

/// Where a proposal lives.
pub fn path(root: &Path, system: &str, id: &str) -> PathBuf {
    root.join(lore_pack::PROPOSALS_DIR).join(system).join(format!("{id}.md"))
}

/// Writes a new proposal; `Ok(false)` when the same one is already there.
pub fn write(root: &Path, proposal: &Proposal) -> Result<(PathBuf, bool), ProposalError> {
    proposal.validate()?;
    let path = path(root, &proposal.system, &proposal.id());
    if path.exists() {
        return Ok((path, false));
    }
    write_new(&path, &proposal.render())?;
    Ok((path, true))
}

fn write_new(path: &Path, text: &str) -> Result<(), ProposalError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let staging = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&staging, text).map_err(io(&staging))?;
    std::fs::rename(&staging, path).map_err(io(path))
}

/// A pending proposal's file, by id (case-insensitive).
pub fn find(root: &Path, id: &str) -> Result<PathBuf, ProposalError> {
    let dir = root.join(lore_pack::PROPOSALS_DIR);
    let wanted = format!("{id}.md");
    let entries = std::fs::read_dir(&dir).map_err(|_| ProposalError::NotFound(id.to_string()))?;
    let systems = entries.flatten().filter(|e| !e.file_name().to_string_lossy().starts_with('.'));
    systems
        .filter_map(|system| std::fs::read_dir(system.path()).ok())
        .flat_map(|files| files.flatten())
        .find(|file| file.file_name().to_string_lossy().eq_ignore_ascii_case(&wanted))
        .map(|file| file.path())
        .ok_or_else(|| ProposalError::NotFound(id.to_string()))
}

/// Reads the proposal a file holds.
pub fn read(path: &Path) -> Result<Proposal, ProposalError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let data = text
        .rfind(MARKER)
        .map(|at| &text[at + MARKER.len()..])
        .and_then(|rest| rest.find(" -->").map(|end| &rest[..end]))
        .ok_or_else(|| ProposalError::Unreadable(path.to_path_buf()))?;
    serde_json::from_str(data).map_err(|_| ProposalError::Unreadable(path.to_path_buf()))
}

/// Who decided a proposal, when and why.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// Who decided.
    pub by: String,
    /// The day it was decided.
    pub on: Day,
    /// Why, if they said.
    pub why: Option<String>,
}

/// What a decision wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    /// The proposal's ID.
    pub id: String,
    /// What kind of proposal it was.
    pub kind: Kind,
    /// The knowledge file written, to review and commit (approvals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<PathBuf>,
    /// Where the decided proposal is kept.
    pub kept: PathBuf,
    /// What a person still has to do by hand, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Approves a proposal: writes the reviewed record into `to` (default:
/// `rules/` for rules, `notes/SYSTEM/` for the rest) and keeps the proposal
/// in the history with the decision.
pub fn approve(root: &Path, id: &str, review: &Review, to: Option<&Path>) -> Result<Decided, ProposalError> {
    let source = find(root, id)?;
    let proposal = read(&source)?;
    let id = proposal.id();
    let approval = format!(
        "Approved by {} on {}{}.",
        review.by,
        review.on,
        review.why.as_deref().map(|w| format!(": {}", one_line(w))).unwrap_or_default()
    );
    let (target, text) = match proposal.kind {
        Kind::Rule => {
            let dir = to.map_or_else(|| root.join("rules"), Path::to_path_buf);
            (dir.join(format!("{}.md", id.to_lowercase())), approved_rule(&source, &proposal, review, &approval)?)
        }
        _ => {
            let dir = to.map_or_else(|| root.join("notes").join(&proposal.system), Path::to_path_buf);
            let text = std::fs::read_to_string(&source).map_err(io(&source))?;
            let reviewed = text.replacen(
                &format!("Status: proposed ({id}); unreviewed, proposed by"),
                &format!("Status: reviewed ({id}). {approval} Proposed by"),
                1,
            );
            (dir.join(format!("{}.md", id.to_lowercase())), reviewed)
        }
    };
    if target.exists() {
        return Err(ProposalError::Exists(target));
    }
    write_new(&target, &text)?;
    let kept = keep(root, &source, &format!("{approval} Written to {}.", relative(root, &target)))?;
    let next = (proposal.kind == Kind::Dependency).then(|| {
        format!(
            "add the edge where `{}` is declared, so the graph and the gate use it:\n  depends_on: [{}]",
            proposal.system,
            proposal.depends_on.as_deref().unwrap_or_default()
        )
    });
    Ok(Decided { id, kind: proposal.kind, written: Some(target), kept, next })
}

/// Rejects a proposal, keeping it with the reason; builds no longer read it.
pub fn reject(root: &Path, id: &str, review: &Review) -> Result<Decided, ProposalError> {
    let why = review.why.as_deref().filter(|w| !w.trim().is_empty()).ok_or_else(|| {
        ProposalError::Invalid("say why it is rejected (--why): the proposer and later readers learn from it".into())
    })?;
    let source = find(root, id)?;
    let proposal = read(&source)?;
    let kept = keep(root, &source, &format!("Rejected by {} on {}: {}.", review.by, review.on, one_line(why)))?;
    Ok(Decided { id: proposal.id(), kind: proposal.kind, written: None, kept, next: None })
}

/// The rule as approved: active, reviewed, with the approval in its text.
fn approved_rule(source: &Path, proposal: &Proposal, review: &Review, approval: &str) -> Result<String, ProposalError> {
    let text = std::fs::read_to_string(source).map_err(io(source))?;
    let front = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .and_then(|(front, _)| serde_json::from_str::<Value>(front).ok())
        .ok_or_else(|| ProposalError::Unreadable(source.to_path_buf()))?;
    let mut front = front;
    front["status"] = json!("active");
    front["reviewed"] = json!(review.on.to_string());
    let title = one_line(&proposal.statement);
    Ok(format!(
        "---\n{}\n---\n# {title}\n\n## Review\n\nProposed by {} on {}. {approval}\n",
        serde_json::to_string_pretty(&front).unwrap_or_default(),
        proposal.proposed_by,
        proposal.proposed_on,
    ))
}

/// Moves a decided proposal into the history, with the decision appended.
fn keep(root: &Path, source: &Path, decision: &str) -> Result<PathBuf, ProposalError> {
    let history = root.join(lore_pack::PROPOSALS_DIR).join(HISTORY_DIR);
    let name = source.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    let kept = history.join(name);
    let mut text = std::fs::read_to_string(source).map_err(io(source))?;
    text.push_str(&format!("\n## Decision\n\n{decision}\n"));
    write_new(&kept, &text)?;
    std::fs::remove_file(source).map_err(io(source))?;
    Ok(kept)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().into_owned()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(200).collect()
}

/// Proposed text as plain paragraphs: no line of it can open a heading,
/// front matter or an HTML comment.
fn quote(text: &str) -> String {
    text.trim()
        .lines()
        .map(|line| {
            let t = line.trim_start();
            if t.starts_with('#') || t.starts_with("---") || t.starts_with("<!") {
                format!("\\{t}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(kind: Kind) -> Proposal {
        Proposal {
            kind,
            system: "search-service".into(),
            statement: "Never restart the indexer\n# during business hours".into(),
            why: "It re-reads the catalog --> search is empty for 40 minutes".into(),
            instead: Some("Restart it after 20:00 UTC".into()),
            decision: Some(Decision::Deny),
            commands: vec!["kubectl * rollout restart *search*".into()],
            tools: Vec::new(),
            depends_on: Some("catalog-db".into()),
            incident: None,
            proposed_by: "claude-code (team search)".into(),
            proposed_on: Day::parse("2026-11-28").expect("day"),
        }
    }

    #[test]
    fn a_rule_proposal_round_trips_through_its_file_and_is_approved_into_rules() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = proposal(Kind::Rule);
        let (path, new) = write(dir.path(), &p).expect("write");
        assert!(new);
        assert!(!write(dir.path(), &p).expect("again").1, "the same proposal twice is one");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("\"status\":\"proposed\""), "{text}");
        assert!(!text.contains("\n# during"), "no heading injected: {text}");
        assert_eq!(read(&path).expect("data").statement, p.statement, "the data survives `-->` in the text");

        let review = Review { by: "dana".into(), on: Day::parse("2026-11-29").expect("day"), why: None };
        let decided = approve(dir.path(), &p.id().to_lowercase(), &review, None).expect("approve");
        let written = std::fs::read_to_string(decided.written.as_ref().expect("written")).expect("read");
        assert!(written.contains("\"status\": \"active\"") && written.contains("\"reviewed\": \"2026-11-29\""));
        assert!(written.contains("Approved by dana on 2026-11-29"));
        assert!(!path.exists(), "no longer pending");
        let kept = std::fs::read_to_string(&decided.kept).expect("kept");
        assert!(kept.contains("## Decision") && kept.contains("rules/prop-"), "{kept}");
        assert!(matches!(approve(dir.path(), &p.id(), &review, None), Err(ProposalError::NotFound(_))));
    }

    #[test]
    fn rejection_needs_a_reason_and_keeps_the_proposal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = proposal(Kind::Dependency);
        write(dir.path(), &p).expect("write");
        let mut review = Review { by: "dana".into(), on: Day::parse("2026-11-29").expect("day"), why: None };
        assert!(matches!(reject(dir.path(), &p.id(), &review), Err(ProposalError::Invalid(_))));
        review.why = Some("it reads through catalog-service, not directly".into());
        let decided = reject(dir.path(), &p.id(), &review).expect("reject");
        let kept = std::fs::read_to_string(&decided.kept).expect("kept");
        assert!(kept.contains("Rejected by dana on 2026-11-29: it reads through catalog-service"), "{kept}");
        assert!(decided.kept.starts_with(dir.path().join("proposals/.history")));
    }

    #[test]
    fn invalid_proposals_are_refused() {
        let mut p = proposal(Kind::Rule);
        p.commands.clear();
        assert!(p.validate().is_err());
        let mut d = proposal(Kind::Dependency);
        d.depends_on = None;
        assert!(d.validate().is_err());
        let mut f = proposal(Kind::Fact);
        f.why = " ".into();
        assert!(f.validate().is_err());
    }
}
