//! The compiled knowledge: every record, linked into one graph with the
//! indexes queries need. Archived with rkyv, so a query reads it straight
//! from the memory-mapped file.

use lore_model::{
    Advisory, Diagnostic, DocCaution, Edge, Environment, Freeze, Incident, Operation, ProductionName, Rule, Runbook,
    System, Team,
};

/// Bumped whenever [`PackData`] or the search schema changes shape.
pub const SCHEMA_VERSION: u32 = 8;

/// Everything a pack holds, as archived in `pack.bin`. Indices (`u32`) are
/// positions in the lists here.
#[derive(Debug, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PackData {
    /// Sorted by id.
    pub systems: Vec<System>,
    /// Every edge, with its endpoints resolved to systems where they can be;
    /// exact repeats dropped.
    pub edges: Vec<LinkedEdge>,
    /// Environments, in the order the sources gave them.
    pub environments: Vec<Environment>,
    /// Rules, their scopes' system names made canonical.
    pub rules: Vec<Rule>,
    /// Runbooks, with the systems linking found for them.
    pub runbooks: Vec<Runbook>,
    /// Incidents, with the systems linking found for them.
    pub incidents: Vec<Incident>,
    /// Change freezes.
    pub freezes: Vec<Freeze>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Prohibitions mined from prose; unreviewed, so they only ever warn.
    pub advisories: Vec<Advisory>,
    /// Commands the runbooks and incident reports show, with their cautions;
    /// sorted by tool family (commandless prohibitions, tool "", first).
    pub operations: Vec<Operation>,
    /// Every caution sentence of runbooks and incident reports, sorted by
    /// file and line: what the sections search finds for an action warn of.
    pub cautions: Vec<DocCaution>,
    /// Names the knowledge says are production, sorted by name.
    pub production_names: Vec<ProductionName>,
    /// Every name a system answers to (id, aliases, workloads, services),
    /// sorted for binary search.
    pub names: Vec<NameEntry>,
    /// Per system (same index as `systems`).
    pub links: Vec<SystemLinks>,
    /// Names that edges point at but no system answers to, sorted.
    pub dangling: Vec<DanglingName>,
    /// Rules whose scope names no system: they apply everywhere.
    pub global_rules: Vec<u32>,
    /// Every problem found reading the sources and linking them.
    pub diagnostics: Vec<Diagnostic>,
    /// `[knowledge] review_every` in days, for records that do not say.
    pub default_review_days: Option<u32>,
    /// The knowledge's name (`[knowledge] name`), when set.
    pub name: Option<String>,
}

/// An edge with its endpoints resolved.
#[derive(Debug, Clone, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct LinkedEdge {
    /// The edge as a source wrote it.
    pub edge: Edge,
    /// The system its source names, if any answers to the name.
    pub from_ix: Option<u32>,
    /// The system its target names; `None` when it dangles.
    pub to_ix: Option<u32>,
}

/// A name a system answers to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct NameEntry {
    /// The name, normalised.
    pub name: String,
    /// The system's index in [`PackData::systems`].
    pub system: u32,
    /// What kind of name it is; a system's ID wins over another's alias or workload.
    pub how: NameKind,
}

/// What kind of name a [`NameEntry`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
#[rkyv(derive(Debug, PartialEq, Eq, Clone, Copy))]
pub enum NameKind {
    /// The system's ID.
    Id,
    /// One of its aliases.
    Alias,
    /// The name of a workload that runs it (`matchers.workloads`).
    Workload,
    /// The name of a service in front of it (`matchers.services`).
    Service,
}

/// What refers to one system, as indices into [`PackData`]'s lists.
#[derive(Debug, Clone, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct SystemLinks {
    /// Edge indices where this system is the target: who depends on it.
    pub dependents: Vec<u32>,
    /// Edge indices where this system is the source: what it depends on.
    pub dependencies: Vec<u32>,
    /// Rules scoped to it (global rules are in [`PackData::global_rules`]).
    pub rules: Vec<u32>,
    /// Its runbooks.
    pub runbooks: Vec<u32>,
    /// Incidents that involved it.
    pub incidents: Vec<u32>,
    /// Change freezes that cover it.
    pub freezes: Vec<u32>,
    /// Advisories mined from documents about it.
    pub advisories: Vec<u32>,
}

/// A name edges point at that no system answers to.
#[derive(Debug, Clone, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct DanglingName {
    /// The name, normalised.
    pub name: String,
    /// Edges that point at it.
    pub edges: Vec<u32>,
}
