//! The decision log: what was decided, and a human's one-time approval.

use std::path::{Path, PathBuf};

use lore_log::{Entry, Filter};
use lore_model::Timestamp;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::evaluate::log_path_for;

/// A moment given as a duration ago (`30m`, `2h`, `7d`, `1w`) or as a
/// date or time; `None` when it is neither.
pub fn parse_moment(text: &str, now: Timestamp) -> Option<i64> {
    let text = text.trim();
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    if let Ok(n) = digits.parse::<i64>() {
        let seconds = match unit {
            "s" => 1,
            "m" | "min" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Timestamp::parse(text).map(|t| t.0),
        };
        return Some(now.0 - n * seconds);
    }
    Timestamp::parse(text).map(|t| t.0)
}

/// Which decisions to list.
#[derive(Debug, Clone, Default)]
pub struct LogRequest {
    /// Only decisions newer than this: `30m`, `2h`, `7d`, or a date.
    pub since: Option<String>,
    /// Only this decision: allow, warn, ask, deny.
    pub decision: Option<String>,
    /// Only decisions about this system.
    pub system: Option<String>,
    /// Only decisions for this agent.
    pub agent: Option<String>,
    /// Only decisions older than this id (the next page).
    pub before: Option<i64>,
    /// At most this many, newest first (0: the default, 50).
    pub limit: usize,
}

impl LogRequest {
    /// The store's filter for this request; `Invalid` for a bad `since`.
    pub fn filter(self) -> Result<Filter> {
        let since_unix =
            match &self.since {
                None => None,
                Some(text) => Some(parse_moment(text, Timestamp::now()).ok_or_else(|| {
                    Error::Invalid(format!("since: `{text}` is not a duration (30m, 2h, 7d) or a date"))
                })?),
            };
        Ok(Filter {
            since_unix,
            decision: self.decision,
            system: self.system,
            agent: self.agent,
            before_id: self.before,
            limit: self.limit,
        })
    }
}

/// Decisions from the log, and where the log is.
#[derive(Debug, Serialize)]
pub struct LogAnswer {
    /// The decisions, newest first.
    pub entries: Vec<Entry>,
    /// The log's file.
    pub path: PathBuf,
}

/// Lists decisions from the log of the knowledge `flag` finds.
pub fn log(flag: Option<&Path>, request: LogRequest) -> Result<LogAnswer> {
    let filter = request.filter()?;
    let path = log_path_for(flag);
    let log = lore_log::open(&path)?;
    Ok(LogAnswer { entries: log.query(&filter)?, path })
}

/// Delivers the decisions this machine logged (hooks, `lore check`) to the
/// shared store, each exactly once; `Invalid` when no shared store is set.
pub fn ship(flag: Option<&Path>) -> Result<lore_log::Shipped> {
    ship_knowledge(&crate::Knowledge::locate(flag)?)?.ok_or_else(|| {
        Error::Invalid(format!(
            "no shared store to ship to: set {} or [store] url in lore.toml",
            crate::knowledge::STORE_ENV
        ))
    })
}

/// Delivers the local log of `knowledge` to its shared store; `None` when
/// it has none (a server runs this now and then for the hooks beside it).
pub fn ship_knowledge(knowledge: &crate::Knowledge) -> Result<Option<lore_log::Shipped>> {
    let Some((url, setting)) = knowledge.store_url() else { return Ok(None) };
    let local = lore_log::open(&knowledge.log_path())?;
    let shared = lore_log::open_shared(&url, setting)?;
    Ok(Some(lore_log::ship(local.as_ref(), shared.as_ref(), Timestamp::now().0)?))
}

/// A one-time approval of a logged decision.
#[derive(Debug, Clone)]
pub struct ApproveRequest {
    /// The decision's id in the log.
    pub decision: i64,
    /// Who approves.
    pub by: Option<String>,
    /// How long the approval stands.
    pub minutes: u32,
}

/// What was approved.
#[derive(Debug, Serialize)]
pub struct Approved {
    /// The exact input that may now run once.
    pub input: String,
    /// How long the approval stands.
    pub minutes: u32,
}

/// Lets the input of an asked or denied decision through once, within `minutes`.
pub fn approve(flag: Option<&Path>, request: &ApproveRequest) -> Result<Approved> {
    let path = log_path_for(flag);
    let log = lore_log::open(&path)?;
    match log.approve(request.decision, request.by.as_deref(), Timestamp::now().0, request.minutes)? {
        Some(input) => Ok(Approved { input, minutes: request.minutes }),
        None => Err(Error::not_found(format!("no decision {} in {}", request.decision, path.display()), Vec::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_durations_ago_or_dates() {
        let now = Timestamp(1_000_000);
        assert_eq!(parse_moment("30m", now), Some(1_000_000 - 1_800));
        assert_eq!(parse_moment("2h", now), Some(1_000_000 - 7_200));
        assert_eq!(parse_moment("7d", now), Some(1_000_000 - 604_800));
        assert_eq!(parse_moment("2026-10-01", now), Timestamp::parse("2026-10-01").map(|t| t.0));
        assert_eq!(parse_moment("soon", now), None);
        assert_eq!(parse_moment("3 fortnights", now), None);
    }
}
