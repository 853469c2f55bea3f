//! The record kinds and the metadata they all carry.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{ActionMatcher, Day, Decision, Timestamp};

macro_rules! data {
    ($($item:item)*) => {$(
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
        $item
    )*};
}

data! {
    /// Where a record came from: the file (relative to the knowledge root),
    /// its 1-based line span, the git commit of the source tree, and the
    /// adapter that read it.
    pub struct Provenance {
        pub file: String,
        pub line_start: u32,
        pub line_end: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub commit: Option<String>,
        pub source: SourceKind,
    }

    /// When a record was last reviewed and how often it should be.
    #[derive(Default)]
    pub struct Freshness {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub reviewed: Option<Day>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub review_every_days: Option<u32>,
        /// Valid time: from when the fact holds in the world (when known).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub valid_from: Option<Day>,
        /// Valid time: the last day it holds (a migration's end, a retired system).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub valid_until: Option<Day>,
    }

    /// Provenance, ownership, freshness and status: carried by every record.
    pub struct Meta {
        pub provenance: Provenance,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub owner: Option<String>,
        pub freshness: Freshness,
        pub status: Status,
    }

    #[derive(Default)]
    #[serde(default, deny_unknown_fields)]
    pub struct SystemMatchers {
        pub aliases: Vec<String>,
        pub namespaces: Vec<String>,
        pub workloads: Vec<String>,
        pub services: Vec<String>,
        /// Hostname globs, such as `redis-*.prod.example.com`.
        pub hosts: Vec<String>,
        /// Cloud resource ids and ARNs (globs).
        pub cloud_ids: Vec<String>,
        /// Terraform address globs, such as `module.payments.*`.
        pub terraform: Vec<String>,
        pub databases: Vec<String>,
    }

    pub struct Label {
        pub key: String,
        pub value: String,
    }

    /// A service, datastore, queue, cluster or external dependency.
    pub struct System {
        /// The canonical, normalised name; also the record id.
        pub id: String,
        /// The name as the source spelled it.
        pub name: String,
        pub kind: SystemKind,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        /// Criticality: 1 is the most critical.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tier: Option<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub lifecycle: Option<String>,
        pub owners: Vec<String>,
        pub environments: Vec<String>,
        pub matchers: SystemMatchers,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub part_of: Option<String>,
        pub labels: Vec<Label>,
        pub meta: Meta,
        /// Further sources that described the same system and were merged in.
        pub also_from: Vec<Provenance>,
    }

    /// A dependency: `from` needs `to`. A change to `to` can break `from`.
    pub struct Edge {
        pub from: String,
        pub to: String,
        pub kind: EdgeKind,
        pub origin: EdgeOrigin,
        /// The evidence, such as `depends_on` or `env REDIS_ADDR=redis-cart:6379`.
        pub via: String,
        pub provenance: Provenance,
    }

    #[derive(Default)]
    #[serde(default, deny_unknown_fields)]
    pub struct EnvironmentMatchers {
        pub kube_contexts: Vec<String>,
        pub namespaces: Vec<String>,
        pub aws_profiles: Vec<String>,
        pub aws_accounts: Vec<String>,
        pub gcp_projects: Vec<String>,
        pub hosts: Vec<String>,
        pub terraform_workspaces: Vec<String>,
        pub terraform_var_files: Vec<String>,
        /// Globs over the working directory.
        pub paths: Vec<String>,
    }

    pub struct Environment {
        pub id: String,
        pub name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        pub production: bool,
        pub matchers: EnvironmentMatchers,
        pub meta: Meta,
    }

    #[derive(Default)]
    #[serde(default, deny_unknown_fields)]
    pub struct Scope {
        /// Empty means every system.
        pub systems: Vec<String>,
        /// Empty means every environment.
        pub environments: Vec<String>,
    }

    /// "Never / always / only if": a decision for matching actions, with the why.
    pub struct Rule {
        pub id: String,
        pub title: String,
        pub decision: Decision,
        pub rationale: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub instead: Option<String>,
        pub scope: Scope,
        pub matcher: ActionMatcher,
        pub incidents: Vec<String>,
        pub meta: Meta,
    }

    /// A heading and the lines it spans, up to the next heading of the same or higher level.
    pub struct Section {
        /// The anchor slug, unique within the document.
        pub anchor: String,
        pub heading: String,
        pub level: u8,
        pub line_start: u32,
        pub line_end: u32,
    }

    pub struct Runbook {
        pub id: String,
        pub title: String,
        pub path: String,
        pub systems: Vec<String>,
        /// Actions or alerts the runbook covers.
        pub covers: Vec<String>,
        pub sections: Vec<Section>,
        pub meta: Meta,
    }

    /// A postmortem.
    pub struct Incident {
        pub id: String,
        pub title: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub date: Option<Day>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub severity: Option<String>,
        pub systems: Vec<String>,
        /// The action that set it off, in the form rules use.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub trigger: Option<ActionMatcher>,
        /// The triggering action in the postmortem's own words.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub trigger_text: Option<String>,
        pub summary: String,
        pub lessons: Vec<String>,
        pub rules: Vec<String>,
        pub meta: Meta,
    }

    /// A period in which changes to some environments or systems are denied.
    pub struct Freeze {
        pub id: String,
        pub reason: String,
        pub environments: Vec<String>,
        pub systems: Vec<String>,
        pub start: Timestamp,
        pub end: Timestamp,
        pub meta: Meta,
    }

    pub struct Team {
        pub id: String,
        pub name: String,
        pub contacts: Vec<String>,
        /// Who to escalate to, in order.
        pub escalation: Vec<String>,
        pub members: Vec<String>,
        pub meta: Meta,
    }

    /// A command a runbook or incident report shows, as the gate's own
    /// parser understood it at build time, with the warnings around it.
    pub struct Operation {
        /// The tool's family: `oc` is `kubectl`, `tf` is `terraform`.
        pub tool: String,
        pub command: Vec<String>,
        pub class: crate::ActionClass,
        pub flags: Vec<String>,
        /// Concrete targets, `kind/name` or a path; placeholders are left out.
        pub targets: Vec<String>,
        /// The command as written.
        pub text: String,
        /// The headings above it, `Failover › Steps`.
        pub heading: String,
        /// `runbook` or `incident`, and that record's id and title.
        pub doc_kind: String,
        pub doc_id: String,
        pub doc_title: String,
        pub systems: Vec<String>,
        pub cautions: Vec<OperationCaution>,
        /// The command's own line.
        pub provenance: Provenance,
    }

    /// A warning or prohibition in the same section as an operation.
    pub struct OperationCaution {
        pub line: u32,
        pub sentence: String,
        pub strength: Strength,
        /// On the operation's own line or just before it: about this
        /// command, not only its section.
        pub adjacent: bool,
        /// What a prohibition forbids doing to, as a kind or a word ("Do not
        /// delete the PVC": `persistentvolumeclaim`); empty when it names none.
        pub object: String,
    }

    /// A warning or prohibition sentence of a runbook or incident report,
    /// whether or not a command is near it: what a section says to beware of.
    pub struct DocCaution {
        pub file: String,
        pub line: u32,
        pub sentence: String,
        pub strength: Strength,
    }

    /// A name the knowledge itself says is production: a cluster its
    /// incident reports happened on, an abbreviation a document defines.
    pub struct ProductionName {
        /// Lower-cased.
        pub name: String,
        /// Why lore thinks so, for the reason it gives.
        pub why: String,
        pub provenance: Provenance,
    }

    /// A prohibition mined from prose ("never…", "do not…"): unreviewed
    /// knowledge. The gate warns with it; only a rule can ask or deny.
    pub struct Advisory {
        /// `ADV-` and a hash of path and sentence: stable across rebuilds.
        pub id: String,
        pub sentence: String,
        /// The headings above it, `Failover › Steps`.
        pub heading: String,
        /// The systems of the document it was found in.
        pub systems: Vec<String>,
        /// Command tokens and key terms: code spans, shouted words, tool names.
        pub terms: Vec<String>,
        pub strength: Strength,
        pub provenance: Provenance,
    }

    /// A problem found while reading sources. It never stops the build.
    pub struct Diagnostic {
        pub file: String,
        pub line: u32,
        pub severity: Severity,
        pub message: String,
    }
}

macro_rules! unit_enum {
    ($($item:item)*) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
        #[serde(rename_all = "kebab-case")]
        #[rkyv(derive(Debug, PartialEq, Eq, Clone, Copy))]
        $item
    )*};
}

unit_enum! {
    pub enum SourceKind {
        Lore,
        Backstage,
        Markdown,
        Kubernetes,
        Compose,
        ServiceCatalog,
        Config,
    }

    pub enum SystemKind {
        Service,
        Datastore,
        Queue,
        Cluster,
        External,
        Api,
        /// A grouping of systems, such as a Backstage System or Domain.
        Group,
    }

    pub enum EdgeOrigin {
        /// Written down by a person, in a catalog or lore file.
        Declared,
        /// Derived from what is deployed: manifests, compose files, env vars.
        Observed,
    }

    pub enum EdgeKind {
        DependsOn,
        Calls,
        Reads,
        Writes,
        RunsOn,
        DeployedBy,
        /// Consumer of an API.
        Consumes,
        /// An API provided by a system.
        ProvidedBy,
        PartOf,
    }

    /// "Never" and "under no circumstances" bind harder than "avoid".
    pub enum Strength {
        Advice,
        Prohibition,
    }

    pub enum Severity {
        Info,
        Warning,
        Error,
    }
}

#[derive(
    Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[rkyv(derive(Debug, PartialEq, Eq))]
pub enum Status {
    #[default]
    Active,
    /// Suggested by an agent or mined; shown but never enforced.
    Proposed,
    Deprecated,
    SupersededBy(String),
}

impl Freshness {
    /// The day the record is next due for review, if it can be known.
    pub fn due(&self, default_every_days: Option<u32>) -> Option<Day> {
        let every = self.review_every_days.or(default_every_days)?;
        Some(self.reviewed?.add_days(every.min(i32::MAX as u32) as i32))
    }

    /// Whether the fact holds on `day`, by its valid time (open-ended when unset).
    pub fn valid_on(&self, day: Day) -> bool {
        self.valid_from.is_none_or(|from| from <= day) && self.valid_until.is_none_or(|until| day <= until)
    }

    /// Past its review date. A record never reviewed is not "stale" here;
    /// governance reports it separately as unreviewed.
    pub fn is_stale(&self, today: Day, default_every_days: Option<u32>) -> bool {
        self.due(default_every_days).is_some_and(|due| due < today)
    }
}

impl Provenance {
    pub fn new(file: impl Into<String>, line_start: u32, line_end: u32, source: SourceKind) -> Provenance {
        Provenance { file: file.into(), line_start, line_end: line_end.max(line_start), commit: None, source }
    }

    /// `path:line` or `path:start-end`, the form citations use.
    pub fn cite(&self) -> String {
        if self.line_end > self.line_start {
            format!("{}:{}-{}", self.file, self.line_start, self.line_end)
        } else {
            format!("{}:{}", self.file, self.line_start)
        }
    }
}

impl Meta {
    pub fn new(provenance: Provenance) -> Meta {
        Meta { provenance, owner: None, freshness: Freshness::default(), status: Status::Active }
    }
}

impl Incident {
    /// Severe enough that repeating its trigger should need a human.
    pub fn is_severe(&self) -> bool {
        self.severity.as_deref().is_some_and(severity_is_severe)
    }
}

/// `sev1`, `sev-2`, `SEV 1`, `p1`, `critical`, `high` and `major` count as severe.
pub fn severity_is_severe(text: &str) -> bool {
    let norm: String = text.to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    matches!(norm.as_str(), "sev0" | "sev1" | "sev2" | "s1" | "s2" | "p0" | "p1" | "p2" | "critical" | "high" | "major")
}

impl fmt::Display for SystemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            SystemKind::Service => "service",
            SystemKind::Datastore => "datastore",
            SystemKind::Queue => "queue",
            SystemKind::Cluster => "cluster",
            SystemKind::External => "external",
            SystemKind::Api => "api",
            SystemKind::Group => "group",
        };
        f.write_str(text)
    }
}

impl fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            EdgeKind::DependsOn => "depends-on",
            EdgeKind::Calls => "calls",
            EdgeKind::Reads => "reads",
            EdgeKind::Writes => "writes",
            EdgeKind::RunsOn => "runs-on",
            EdgeKind::DeployedBy => "deployed-by",
            EdgeKind::Consumes => "consumes",
            EdgeKind::ProvidedBy => "provided-by",
            EdgeKind::PartOf => "part-of",
        };
        f.write_str(text)
    }
}

impl fmt::Display for EdgeOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EdgeOrigin::Declared => "declared",
            EdgeOrigin::Observed => "observed",
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Active => f.write_str("active"),
            Status::Proposed => f.write_str("proposed"),
            Status::Deprecated => f.write_str("deprecated"),
            Status::SupersededBy(id) => write!(f, "superseded-by {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_is_stale_only_past_due() {
        let reviewed = Day::parse("2026-01-01");
        let fresh = Freshness { reviewed, review_every_days: Some(30), ..Freshness::default() };
        let due = Day::parse("2026-01-31").expect("date");
        assert_eq!(fresh.due(None), Some(due));
        assert!(!fresh.is_stale(due, None));
        assert!(fresh.is_stale(due.add_days(1), None));
        let default_only = Freshness { reviewed, review_every_days: None, ..Freshness::default() };
        assert!(!default_only.is_stale(due.add_days(1), None), "no interval anywhere: cannot be stale");
        assert!(default_only.is_stale(due.add_days(1), Some(30)));
    }

    #[test]
    fn citations_use_path_and_lines() {
        assert_eq!(Provenance::new("a.md", 3, 3, SourceKind::Markdown).cite(), "a.md:3");
        assert_eq!(Provenance::new("a.md", 3, 9, SourceKind::Markdown).cite(), "a.md:3-9");
    }

    #[test]
    fn severity_words_are_recognised() {
        for severe in ["SEV-1", "sev 2", "P1", "Critical"] {
            assert!(severity_is_severe(severe), "{severe}");
        }
        for mild in ["sev3", "low", "minor"] {
            assert!(!severity_is_severe(mild), "{mild}");
        }
    }
}
