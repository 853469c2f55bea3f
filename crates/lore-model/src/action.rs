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
    Read,
    Create,
    Update,
    Delete,
    #[serde(alias = "replace")]
    Recreate,
    Restart,
    Scale,
    Deploy,
    Rollback,
    Migrate,
    #[serde(alias = "interactive")]
    Exec,
    Failover,
    #[serde(alias = "cordon")]
    Drain,
    HistoryRewrite,
    PermissionChange,
    NetworkChange,
    DataWrite,
    DataDelete,
    BulkDestroy,
    SecretRead,
    Unknown,
}

impl ActionClass {
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

#[derive(Debug, thiserror::Error)]
#[error("unknown {what} `{value}`; expected one of: {expected}")]
pub struct ParseEnumError {
    pub what: &'static str,
    pub value: String,
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
    Allow,
    Warn,
    Ask,
    Deny,
}

impl Decision {
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
