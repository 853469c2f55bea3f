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
        /// The file, relative to the knowledge root (`lore.toml` for its aliases).
        pub file: String,
        /// The record's first line (1-based; 0 for a whole-file fact).
        pub line_start: u32,
        /// Its last line, inclusive (never before `line_start`).
        pub line_end: u32,
        /// The git commit of the source tree at build time, when it is in a repository.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub commit: Option<String>,
        /// The adapter that read it.
        pub source: SourceKind,
    }

    /// When a record was last reviewed and how often it should be.
    #[derive(Default)]
    pub struct Freshness {
        /// The day people last reviewed it (`reviewed:`); `None` when never.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub reviewed: Option<Day>,
        /// How often it should be reviewed, in days (`review_every:`); `None`: the knowledge's default.
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
        /// Where it was written.
        pub provenance: Provenance,
        /// The owning team or person, when it names one.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub owner: Option<String>,
        /// When it was reviewed, how often it should be, and when it holds.
        pub freshness: Freshness,
        /// Active, proposed, deprecated or superseded.
        pub status: Status,
    }

    /// How an action is resolved to a system: names and globs it answers to.
    #[derive(Default)]
    #[serde(default, deny_unknown_fields)]
    pub struct SystemMatchers {
        /// Other names for the system.
        pub aliases: Vec<String>,
        /// Kubernetes namespaces it runs in.
        pub namespaces: Vec<String>,
        /// Kubernetes or compose workloads that run it (Deployment names, …).
        pub workloads: Vec<String>,
        /// Service names in front of it.
        pub services: Vec<String>,
        /// Hostname globs, such as `redis-*.prod.example.com`.
        pub hosts: Vec<String>,
        /// Cloud resource ids and ARNs (globs).
        pub cloud_ids: Vec<String>,
        /// Terraform address globs, such as `module.payments.*`.
        pub terraform: Vec<String>,
        /// Database names it holds, matched against SQL and connection strings.
        pub databases: Vec<String>,
    }

    /// A key and value a source attached to a system (a tag, a type, a layer).
    pub struct Label {
        /// The label's key (`tag`, `type`, `layer`, `criticality`, …).
        pub key: String,
        /// Its value.
        pub value: String,
    }

    /// A service, datastore, queue, cluster or external dependency.
    pub struct System {
        /// The canonical, normalised name; also the record id.
        pub id: String,
        /// The name as the source spelled it.
        pub name: String,
        /// What kind of system it is.
        pub kind: SystemKind,
        /// What it is, in the source's words.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        /// Criticality: 1 is the most critical.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tier: Option<u8>,
        /// Its lifecycle as the source says (`production`, `experimental`, …).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub lifecycle: Option<String>,
        /// The teams or people that own it.
        pub owners: Vec<String>,
        /// The environments it runs in.
        pub environments: Vec<String>,
        /// How actions are resolved to it.
        pub matchers: SystemMatchers,
        /// The group (a Backstage System or Domain) it belongs to.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub part_of: Option<String>,
        /// Labels the sources attached.
        pub labels: Vec<Label>,
        /// Provenance, owner, freshness and status.
        pub meta: Meta,
        /// Further sources that described the same system and were merged in.
        pub also_from: Vec<Provenance>,
    }

    /// A dependency: `from` needs `to`. A change to `to` can break `from`.
    pub struct Edge {
        /// The system that needs the other, as the source named it.
        pub from: String,
        /// The system it needs, as named; may name no known system (a dangling edge).
        pub to: String,
        /// How `from` relates to `to`.
        pub kind: EdgeKind,
        /// Whether a person declared it or lore observed it in what is deployed.
        pub origin: EdgeOrigin,
        /// The evidence, such as `depends_on` or `env REDIS_ADDR=redis-cart:6379`.
        pub via: String,
        /// Where it was written or observed.
        pub provenance: Provenance,
    }

    /// How an action is resolved to an environment: globs over where it runs.
    #[derive(Default)]
    #[serde(default, deny_unknown_fields)]
    pub struct EnvironmentMatchers {
        /// kubeconfig context names or cluster ARNs.
        pub kube_contexts: Vec<String>,
        /// Kubernetes namespaces.
        pub namespaces: Vec<String>,
        /// AWS profile names.
        pub aws_profiles: Vec<String>,
        /// AWS account IDs.
        pub aws_accounts: Vec<String>,
        /// Google Cloud projects.
        pub gcp_projects: Vec<String>,
        /// Host names.
        pub hosts: Vec<String>,
        /// Terraform workspaces.
        pub terraform_workspaces: Vec<String>,
        /// Terraform `-var-file` names.
        pub terraform_var_files: Vec<String>,
        /// Globs over the working directory.
        pub paths: Vec<String>,
    }

    /// Where actions run, such as production, and how to recognise it.
    pub struct Environment {
        /// The normalised name; the record ID.
        pub id: String,
        /// The name as written.
        pub name: String,
        /// What it is, in the source's words.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        /// Whether it is production (the default for `production`, `prod`, `prd`).
        pub production: bool,
        /// How actions are resolved to it.
        pub matchers: EnvironmentMatchers,
        /// Provenance, owner, freshness and status.
        pub meta: Meta,
    }

    /// Where a rule applies: systems and environments.
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
        /// The rule's ID.
        pub id: String,
        /// What it says, in one line.
        pub title: String,
        /// What it decides for matching actions; `allow` makes it an exception.
        pub decision: Decision,
        /// Why (required).
        pub rationale: String,
        /// The safer alternative, when there is one.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub instead: Option<String>,
        /// Where it applies.
        pub scope: Scope,
        /// Which actions it is about (`match:`).
        pub matcher: ActionMatcher,
        /// The IDs of the incidents behind it.
        pub incidents: Vec<String>,
        /// Provenance, owner, freshness and status.
        pub meta: Meta,
    }

    /// A heading and the lines it spans, up to the next heading of the same or higher level.
    pub struct Section {
        /// The anchor slug, unique within the document.
        pub anchor: String,
        /// The heading's text.
        pub heading: String,
        /// The heading's level, 1 to 6.
        pub level: u8,
        /// The heading's line.
        pub line_start: u32,
        /// The section's last line.
        pub line_end: u32,
    }

    /// A runbook: a lore runbook record, or a plain document that is not an incident.
    pub struct Runbook {
        /// The record's ID (for a plain document, its path).
        pub id: String,
        /// Its title.
        pub title: String,
        /// Its file, relative to the knowledge root.
        pub path: String,
        /// The IDs of the systems it is about.
        pub systems: Vec<String>,
        /// Actions or alerts the runbook covers.
        pub covers: Vec<String>,
        /// Its headings with their line spans, for citations.
        pub sections: Vec<Section>,
        /// Provenance, owner, freshness and status.
        pub meta: Meta,
    }

    /// A postmortem.
    pub struct Incident {
        /// The incident's ID (`INC-2025-031`, `PM2019-010`, or a slug of the file name).
        pub id: String,
        /// Its title.
        pub title: String,
        /// The day it happened, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub date: Option<Day>,
        /// Its severity as written (`sev1`, `p2`, `critical`); see [`Incident::is_severe`].
        #[serde(skip_serializing_if = "Option::is_none")]
        pub severity: Option<String>,
        /// The IDs of the systems it involved.
        pub systems: Vec<String>,
        /// The action that set it off, in the form rules use.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub trigger: Option<ActionMatcher>,
        /// The triggering action in the postmortem's own words.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub trigger_text: Option<String>,
        /// What happened, in a few sentences.
        pub summary: String,
        /// The lessons learned, one item each.
        pub lessons: Vec<String>,
        /// The IDs of the rules that came of it.
        pub rules: Vec<String>,
        /// Provenance, owner, freshness and status.
        pub meta: Meta,
    }

    /// A period in which changes to some environments or systems are denied.
    pub struct Freeze {
        /// The freeze's ID.
        pub id: String,
        /// Why changes are frozen.
        pub reason: String,
        /// The environments frozen.
        pub environments: Vec<String>,
        /// The systems frozen.
        pub systems: Vec<String>,
        /// When it starts.
        pub start: Timestamp,
        /// When it ends (exclusive).
        pub end: Timestamp,
        /// Provenance, owner, freshness and status.
        pub meta: Meta,
    }

    /// A team: whom to contact and escalate to about the systems it owns.
    pub struct Team {
        /// The normalised name; the record ID, matched against systems' owners.
        pub id: String,
        /// The name as written.
        pub name: String,
        /// Where to reach it (channels, addresses).
        pub contacts: Vec<String>,
        /// Who to escalate to, in order.
        pub escalation: Vec<String>,
        /// Its members.
        pub members: Vec<String>,
        /// Provenance, owner, freshness and status.
        pub meta: Meta,
    }

    /// A command a runbook or incident report shows, as the gate's own
    /// parser understood it at build time, with the warnings around it.
    pub struct Operation {
        /// The tool's family: `oc` is `kubectl`, `tf` is `terraform`.
        pub tool: String,
        /// The subcommand path (`["rollout", "restart"]`).
        pub command: Vec<String>,
        /// What kind of change it makes.
        pub class: crate::ActionClass,
        /// Its normalised flags (`force`, `dry-run`, …).
        pub flags: Vec<String>,
        /// Concrete targets, `kind/name` or a path; placeholders are left out.
        pub targets: Vec<String>,
        /// The command as written.
        pub text: String,
        /// The headings above it, `Failover › Steps`.
        pub heading: String,
        /// `runbook` or `incident`, and that record's id and title.
        pub doc_kind: String,
        /// The ID of the record it is in.
        pub doc_id: String,
        /// That record's title.
        pub doc_title: String,
        /// The systems of the document it is in.
        pub systems: Vec<String>,
        /// The warnings and prohibitions of its section.
        pub cautions: Vec<OperationCaution>,
        /// The command's own line.
        pub provenance: Provenance,
    }

    /// A warning or prohibition in the same section as an operation.
    pub struct OperationCaution {
        /// The caution's line.
        pub line: u32,
        /// The sentence, as written.
        pub sentence: String,
        /// A prohibition or advice.
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
        /// The document's file, relative to the knowledge root.
        pub file: String,
        /// The sentence's line.
        pub line: u32,
        /// The sentence, as written.
        pub sentence: String,
        /// A prohibition or advice.
        pub strength: Strength,
    }

    /// A name the knowledge itself says is production: a cluster its
    /// incident reports happened on, an abbreviation a document defines.
    pub struct ProductionName {
        /// Lower-cased.
        pub name: String,
        /// Why lore thinks so, for the reason it gives.
        pub why: String,
        /// Where the knowledge says so.
        pub provenance: Provenance,
    }

    /// A prohibition mined from prose ("never…", "do not…"): unreviewed
    /// knowledge. The gate warns with it; only a rule can ask or deny.
    pub struct Advisory {
        /// `ADV-` and a hash of path and sentence: stable across rebuilds.
        pub id: String,
        /// The sentence, as written.
        pub sentence: String,
        /// The headings above it, `Failover › Steps`.
        pub heading: String,
        /// The systems of the document it was found in.
        pub systems: Vec<String>,
        /// Command tokens and key terms: code spans, shouted words, tool names.
        pub terms: Vec<String>,
        /// A prohibition or advice.
        pub strength: Strength,
        /// Where the sentence is.
        pub provenance: Provenance,
    }

    /// A problem found while reading sources. It never stops the build.
    pub struct Diagnostic {
        /// The file, relative to the knowledge root.
        pub file: String,
        /// The 1-based line (0 when the problem is not on one line).
        pub line: u32,
        /// How much it matters: an error means something could not be read or used.
        pub severity: Severity,
        /// What is wrong.
        pub message: String,
    }
}

/// Where a rule is being asked about: anywhere (no filter), or one of
/// these names. An empty `OneOf` is a place lore could not name, where only
/// unscoped rules apply.
#[derive(Clone, Copy, Debug)]
pub enum Within<'a> {
    /// No filter: every scope fits.
    Any,
    /// One of these canonical names.
    OneOf(&'a [String]),
}

impl Scope {
    /// Whether a rule of this scope applies to these systems in these
    /// environments: each list of the scope is empty (everywhere) or names
    /// one of them. The gate, the briefing and the rule listing all ask here.
    pub fn applies(&self, systems: Within<'_>, environments: Within<'_>) -> bool {
        fits(&self.systems, systems) && fits(&self.environments, environments)
    }
}

fn fits(scope: &[String], within: Within<'_>) -> bool {
    match within {
        _ if scope.is_empty() => true,
        Within::Any => true,
        Within::OneOf(names) => scope.iter().any(|s| names.contains(s)),
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
    /// Which adapter read a record.
    pub enum SourceKind {
        /// lore's own record files.
        Lore,
        /// Backstage catalog entities.
        Backstage,
        /// Plain Markdown (and other dialects') documents.
        Markdown,
        /// Kubernetes manifests.
        Kubernetes,
        /// Docker Compose files.
        Compose,
        /// GitLab-style service catalogs.
        ServiceCatalog,
        /// `lore.toml` itself (its `[aliases]`).
        Config,
    }

    /// What kind of system a system is.
    pub enum SystemKind {
        /// An application or service.
        Service,
        /// A database or other store of data.
        Datastore,
        /// A message queue or stream.
        Queue,
        /// A cluster other systems run on.
        Cluster,
        /// Something outside the organisation.
        External,
        /// An API that other systems consume.
        Api,
        /// A grouping of systems, such as a Backstage System or Domain.
        Group,
    }

    /// Whether an edge was written down or observed.
    pub enum EdgeOrigin {
        /// Written down by a person, in a catalog or lore file.
        Declared,
        /// Derived from what is deployed: manifests, compose files, env vars.
        Observed,
    }

    /// How one system relates to another.
    pub enum EdgeKind {
        /// Needs the other to work.
        DependsOn,
        /// Calls the other over the network.
        Calls,
        /// Reads the other's data.
        Reads,
        /// Writes the other's data.
        Writes,
        /// Runs on the other (a cluster, a host).
        RunsOn,
        /// Is deployed by the other.
        DeployedBy,
        /// Consumer of an API.
        Consumes,
        /// An API provided by a system.
        ProvidedBy,
        /// Belongs to the other (a group).
        PartOf,
    }

    /// "Never" and "under no circumstances" bind harder than "avoid".
    pub enum Strength {
        /// A caution: "avoid", "be careful".
        Advice,
        /// A prohibition: "never", "do not", "must not".
        Prohibition,
    }

    /// How much a problem matters.
    pub enum Severity {
        /// Worth knowing.
        Info,
        /// Likely wrong; the build goes on.
        Warning,
        /// Wrong: something could not be read, or cannot be used as written.
        Error,
    }
}

/// Where a record stands.
#[derive(
    Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[rkyv(derive(Debug, PartialEq, Eq))]
pub enum Status {
    /// In force (the default).
    #[default]
    Active,
    /// Suggested by an agent or mined; shown but never enforced.
    Proposed,
    /// Kept for reference; no longer meant to be used.
    Deprecated,
    /// Replaced by the record with this ID.
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
    /// A provenance of `file` lines `line_start..=line_end` (the end raised to
    /// the start if before it), read by `source`, with no commit.
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
    /// Metadata of an active record with no owner and no review dates.
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
    fn a_scope_applies_where_each_of_its_lists_is_empty_or_named() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let scope = Scope { systems: names(&["payments"]), environments: names(&["prod"]) };
        let (payments, prod, staging) = (names(&["payments"]), names(&["prod"]), names(&["staging"]));
        assert!(scope.applies(Within::OneOf(&payments), Within::OneOf(&prod)));
        assert!(scope.applies(Within::Any, Within::Any), "no filter: every rule is listed");
        assert!(!scope.applies(Within::OneOf(&payments), Within::OneOf(&staging)));
        assert!(!scope.applies(Within::OneOf(&payments), Within::OneOf(&[])), "an unknown environment");
        assert!(!scope.applies(Within::OneOf(&names(&["ledger"])), Within::Any));
        let everywhere = Scope::default();
        assert!(everywhere.applies(Within::OneOf(&[]), Within::OneOf(&[])));
    }

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
