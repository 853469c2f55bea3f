//! The compiled knowledge: every record, linked into one graph with the
//! indexes queries need. Archived with rkyv, so a query reads it straight
//! from the memory-mapped file.

use lore_model::{
    Advisory, Diagnostic, DocCaution, Edge, Environment, Freeze, Incident, Operation, ProductionName, Rule, Runbook,
    System, Team,
};

/// Bumped whenever [`PackData`] or the search schema changes shape.
pub const SCHEMA_VERSION: u32 = 7;

#[derive(Debug, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct PackData {
    /// Sorted by id.
    pub systems: Vec<System>,
    pub edges: Vec<LinkedEdge>,
    pub environments: Vec<Environment>,
    pub rules: Vec<Rule>,
    pub runbooks: Vec<Runbook>,
    pub incidents: Vec<Incident>,
    pub freezes: Vec<Freeze>,
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
    pub diagnostics: Vec<Diagnostic>,
    pub default_review_days: Option<u32>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct LinkedEdge {
    pub edge: Edge,
    pub from_ix: Option<u32>,
    pub to_ix: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct NameEntry {
    pub name: String,
    pub system: u32,
    pub how: NameKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
#[rkyv(derive(Debug, PartialEq, Eq, Clone, Copy))]
pub enum NameKind {
    Id,
    Alias,
    Workload,
    Service,
}

#[derive(Debug, Clone, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct SystemLinks {
    /// Edge indices where this system is the target: who depends on it.
    pub dependents: Vec<u32>,
    /// Edge indices where this system is the source: what it depends on.
    pub dependencies: Vec<u32>,
    pub rules: Vec<u32>,
    pub runbooks: Vec<u32>,
    pub incidents: Vec<u32>,
    pub freezes: Vec<u32>,
    pub advisories: Vec<u32>,
}

#[derive(Debug, Clone, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct DanglingName {
    pub name: String,
    /// Edges that point at it.
    pub edges: Vec<u32>,
}
