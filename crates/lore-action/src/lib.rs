//! Action understanding: turns what an agent proposes (a shell command, SQL,
//! a Terraform plan, Kubernetes manifests, or a structured action) into
//! typed, normalised [`Action`]s for the gate to decide on.
//!
//! It is never fooled by how a command is written: a real bash parser,
//! quote removal, wrappers peeled off (`sudo`, `env`, `timeout`, `xargs`,
//! `bash -c`, `eval`, `ssh`), every segment of a chain on its own, and data
//! (`echo 'rm -rf /'`) kept apart from execution. Anything it cannot know
//! is marked unknown, never guessed; anything it cannot analyse makes the
//! result incomplete, so the gate can be conservative.

mod interpreter;
mod lookalike;
pub mod manifest;
pub mod model;
pub mod plan;
pub mod shell;
pub mod sql;
pub mod structured;
mod tools;

pub use model::{
    Action, Analysis, EnvHints, Hint, HintSource, InputKind, Reversibility, Span, Target, family, is_placeholder,
};
pub use tools::{is_platform, kind_name, works_locally};

/// Analyses a shell command line (or script).
pub fn analyze_shell(command: &str) -> Analysis {
    shell::analyze(command)
}

/// Analyses SQL statements (see [`sql`]).
pub fn analyze_sql(sql: &str) -> Analysis {
    sql::analyze(sql)
}

/// Analyses a Terraform or OpenTofu plan as JSON (see [`plan`]).
pub fn analyze_plan(json: &str) -> Analysis {
    plan::analyze(json)
}

/// Analyses Kubernetes manifests about to be applied (see [`manifest`]).
pub fn analyze_manifest(yaml: &str) -> Analysis {
    manifest::analyze(yaml)
}

/// Analyses structured actions as JSON (see [`structured`]).
pub fn analyze_structured(json: &str) -> Analysis {
    structured::analyze(json)
}
