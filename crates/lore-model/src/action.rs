//! The vocabulary rules use to describe actions: classes and decisions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What kind of change an action makes. Rules match on these, and the action
/// parser assigns them.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[rkyv(derive(Debug, PartialEq, Eq, Clone, Copy))]
pub enum ActionClass {
    /// Only reads (`get`, `SELECT`, `ls`).
    Read,
    /// Creates something new.
    Create,
    /// Changes something in place.
    Update,
    /// Deletes one named thing (a resource, a table, a branch).
    Delete,
    /// Destroys and creates again (`replace`, `-replace`, `--force` apply).
    #[serde(alias = "replace")]
    Recreate,
    /// Restarts a service or workload.
    Restart,
    /// Changes a workload's size (to zero included).
    Scale,
    /// Rolls out a new version.
    Deploy,
    /// Goes back to an earlier version.
    Rollback,
    /// Changes a schema (`ALTER TABLE`, `CREATE INDEX`).
    Migrate,
    /// Runs commands inside something (`kubectl exec`, a shell, downloaded code).
    #[serde(alias = "interactive")]
    Exec,
    /// Moves a primary role elsewhere.
    Failover,
    /// Takes a node out of service (`drain`, `cordon`).
    #[serde(alias = "cordon")]
    Drain,
    /// Rewrites or drops git history (force pushes, `reset --hard`).
    HistoryRewrite,
    /// Grants or revokes access (IAM, `GRANT`, RBAC).
    PermissionChange,
    /// Changes how traffic flows (ingress, network policies, services).
    NetworkChange,
    /// Writes data (`INSERT`, `UPDATE`, copies).
    DataWrite,
    /// Deletes data (`DELETE`, `TRUNCATE`, `rm`).
    DataDelete,
    /// Destroys wholesale (`terraform destroy`, `DROP DATABASE`, `rm -rf`).
    BulkDestroy,
    /// Reveals a secret (`kubectl get secret -o yaml`).
    SecretRead,
    /// What it does cannot be told.
    Unknown,
}

impl ActionClass {
    /// Every class, in declaration order.
    pub const ALL: [ActionClass; 21] = [
        ActionClass::Read,
        ActionClass::Create,
        ActionClass::Update,
        ActionClass::Delete,
        ActionClass::Recreate,
        ActionClass::Restart,
        ActionClass::Scale,
        ActionClass::Deploy,
        ActionClass::Rollback,
        ActionClass::Migrate,
        ActionClass::Exec,
        ActionClass::Failover,
        ActionClass::Drain,
        ActionClass::HistoryRewrite,
        ActionClass::PermissionChange,
        ActionClass::NetworkChange,
        ActionClass::DataWrite,
        ActionClass::DataDelete,
        ActionClass::BulkDestroy,
        ActionClass::SecretRead,
        ActionClass::Unknown,
    ];

    /// Its kebab-case name, as rules write it (`history-rewrite`).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionClass::Read => "read",
            ActionClass::Create => "create",
            ActionClass::Update => "update",
            ActionClass::Delete => "delete",
            ActionClass::Recreate => "recreate",
            ActionClass::Restart => "restart",
            ActionClass::Scale => "scale",
            ActionClass::Deploy => "deploy",
            ActionClass::Rollback => "rollback",
            ActionClass::Migrate => "migrate",
            ActionClass::Exec => "exec",
            ActionClass::Failover => "failover",
            ActionClass::Drain => "drain",
            ActionClass::HistoryRewrite => "history-rewrite",
            ActionClass::PermissionChange => "permission-change",
            ActionClass::NetworkChange => "network-change",
            ActionClass::DataWrite => "data-write",
            ActionClass::DataDelete => "data-delete",
            ActionClass::BulkDestroy => "bulk-destroy",
            ActionClass::SecretRead => "secret-read",
            ActionClass::Unknown => "unknown",
        }
    }

    /// Classes whose effects are destructive or hard to reverse.
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            ActionClass::Delete
                | ActionClass::Recreate
                | ActionClass::BulkDestroy
                | ActionClass::DataDelete
                | ActionClass::HistoryRewrite
                | ActionClass::Drain
        )
    }
}

/// A name that is none of an enum's values.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} `{value}`; expected one of: {expected}")]
pub struct ParseEnumError {
    /// What was being parsed (`action class`).
    pub what: &'static str,
    /// The text as given.
    pub value: String,
    /// The accepted names, comma-separated.
    pub expected: String,
}

impl FromStr for ActionClass {
    type Err = ParseEnumError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = crate::normalize_name(text);
        let aliased = match wanted.as_str() {
            "replace" => "recreate",
            "interactive" => "exec",
            "cordon" => "drain",
            other => other,
        };
        ActionClass::ALL.into_iter().find(|c| c.as_str() == aliased).ok_or_else(|| ParseEnumError {
            what: "action class",
            value: text.to_string(),
            expected: ActionClass::ALL.map(ActionClass::as_str).join(", "),
        })
    }
}

impl fmt::Display for ActionClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verdict. Ordered by severity, so the most severe of several is `max()`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    rkyv::Archive,
    rkyv::Serialize,
    rkyv::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[rkyv(derive(Debug, PartialEq, Eq, Clone, Copy))]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Go ahead, with a warning the agent is shown.
    Warn,
    /// A human must approve first.
    Ask,
    /// Do not.
    Deny,
}

impl Decision {
    /// Its lower-case name (`allow`, `warn`, `ask`, `deny`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Warn => "warn",
            Decision::Ask => "ask",
            Decision::Deny => "deny",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which actions a rule (or an incident's trigger) is about. Empty lists
/// match anything; non-empty lists must all match.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
#[serde(default, deny_unknown_fields)]
pub struct ActionMatcher {
    /// Action classes, such as `delete` or `recreate`.
    pub classes: Vec<ActionClass>,
    /// Tools, such as `kubectl` or `terraform`.
    pub tools: Vec<String>,
    /// Globs over the normalised command text, such as `terraform destroy*`.
    pub commands: Vec<String>,
    /// Resource kinds, such as `namespace` or `aws_db_instance`.
    pub resource_kinds: Vec<String>,
}

impl ActionMatcher {
    /// Whether it names nothing (and so matches anything).
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty() && self.tools.is_empty() && self.commands.is_empty() && self.resource_kinds.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_parse_with_aliases() {
        assert_eq!("replace".parse::<ActionClass>().ok(), Some(ActionClass::Recreate));
        assert_eq!("History_Rewrite".parse::<ActionClass>().ok(), Some(ActionClass::HistoryRewrite));
        let err = "explode".parse::<ActionClass>().expect_err("not a class");
        assert!(err.to_string().contains("bulk-destroy"));
    }

    #[test]
    fn decisions_order_by_severity() {
        assert!(Decision::Deny > Decision::Ask && Decision::Ask > Decision::Warn && Decision::Warn > Decision::Allow);
    }
}
