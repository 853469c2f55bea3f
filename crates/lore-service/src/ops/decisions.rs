//! The decision log: what was decided, and humans' approvals of it.

use std::path::{Path, PathBuf};

use lore_log::{Approval, Entry, Filter, Store};
use lore_model::{Decision, Timestamp};
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
        return n.checked_mul(seconds).and_then(|ago| now.0.checked_sub(ago));
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
    /// The store's filter for this request; `Invalid` for a bad `since` or `decision`.
    pub fn filter(self) -> Result<Filter> {
        let since_unix =
            match &self.since {
                None => None,
                Some(text) => Some(parse_moment(text, Timestamp::now()).ok_or_else(|| {
                    Error::Invalid(format!("since: `{text}` is not a duration (30m, 2h, 7d) or a date"))
                })?),
            };
        let known =
            |d: &str| [Decision::Allow, Decision::Warn, Decision::Ask, Decision::Deny].iter().any(|k| k.as_str() == d);
        if let Some(decision) = self.decision.as_deref().filter(|d| !known(d)) {
            return Err(Error::Invalid(format!("decision: `{decision}` is not allow, warn, ask or deny")));
        }
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

/// How long a once-only approval stands unless told: long enough to retry.
pub const ONCE_MINUTES: u32 = 10;
/// The longest a once-only approval may stand: a day.
pub const ONCE_MAX_MINUTES: u32 = 24 * 60;
/// How long a standing approval stands unless told: a week.
pub const STANDING_MINUTES: u32 = 7 * 24 * 60;
/// The longest a standing approval may stand: 90 days, so none is forever.
pub const STANDING_MAX_MINUTES: u32 = 90 * 24 * 60;

/// A decision, by the id its log gave it or by its globally unique id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionRef {
    /// The id in the log it is looked up in.
    Id(i64),
    /// The uid, the same in every store.
    Uid(String),
}

impl DecisionRef {
    /// An id (`42`) or a uid (a UUID); `None` for anything else.
    pub fn parse(text: &str) -> Option<DecisionRef> {
        if let Ok(id) = text.parse::<i64>() {
            return Some(DecisionRef::Id(id));
        }
        lore_log::parse_uid(text).map(DecisionRef::Uid)
    }

    /// Its id in `store`, if the store has it.
    fn id_in(&self, store: &dyn Store) -> Result<Option<i64>> {
        Ok(match self {
            DecisionRef::Id(id) => Some(*id),
            DecisionRef::Uid(uid) => store.find_uid(uid)?,
        })
    }
}

impl std::fmt::Display for DecisionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecisionRef::Id(id) => write!(f, "{id}"),
            DecisionRef::Uid(uid) => f.write_str(uid),
        }
    }
}

/// A human's approval of a logged decision that was asked or denied.
#[derive(Debug, Clone)]
pub struct ApproveRequest {
    /// The decision.
    pub decision: DecisionRef,
    /// Who approves.
    pub by: Option<String>,
    /// Why, kept with the approval.
    pub why: Option<String>,
    /// How long it stands (default [`ONCE_MINUTES`] or [`STANDING_MINUTES`]).
    pub minutes: Option<u32>,
    /// Whether it lets the input through every time until it expires,
    /// instead of once.
    pub standing: bool,
}

impl ApproveRequest {
    /// How long the approval stands; `Invalid` past its kind's bound.
    fn minutes(&self) -> Result<u32> {
        let (default, max) =
            if self.standing { (STANDING_MINUTES, STANDING_MAX_MINUTES) } else { (ONCE_MINUTES, ONCE_MAX_MINUTES) };
        let minutes = self.minutes.unwrap_or(default);
        if !(1..=max).contains(&minutes) {
            let kind = if self.standing { "a standing" } else { "a once-only" };
            return Err(Error::Invalid(format!("minutes: {kind} approval lasts 1 to {max} minutes, not {minutes}")));
        }
        Ok(minutes)
    }
}

/// What was approved.
#[derive(Debug, Clone, Serialize)]
pub struct Approved {
    /// The approved decision's id in the store the approval went to.
    pub decision_id: i64,
    /// The exact input that may now run.
    pub input: String,
    /// Whether it runs every time until the approval expires, not once.
    pub standing: bool,
    /// How long the approval stands.
    pub minutes: u32,
    /// When it expires, in Unix seconds.
    pub expires_unix: i64,
    /// Who approved.
    pub approved_by: Option<String>,
    /// Why.
    pub why: Option<String>,
    /// What the user should know: an approval kept on this machine only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Approves a decision in `store`, within the bounds of its kind; the
/// server and the CLI both come here.
pub fn approve_in(store: &dyn Store, request: &ApproveRequest, now: i64) -> Result<Approved> {
    let minutes = request.minutes()?;
    let id = request.decision.id_in(store)?;
    let approval = Approval {
        by: request.by.as_deref(),
        why: request.why.as_deref(),
        now,
        expires_unix: now + i64::from(minutes) * 60,
        standing: request.standing,
    };
    let input = match id {
        Some(id) => store.approve(id, &approval)?.map(|input| (id, input)),
        None => None,
    };
    let Some((decision_id, input)) = input else {
        return Err(Error::not_found(format!("no decision {}", request.decision), Vec::new()));
    };
    Ok(Approved {
        decision_id,
        input,
        standing: request.standing,
        minutes,
        expires_unix: approval.expires_unix,
        approved_by: request.by.clone(),
        why: request.why.clone(),
        note: None,
    })
}

/// Where a person's approval or revocation goes, and how the decision is named there.
struct Target {
    store: Box<dyn Store>,
    decision: DecisionRef,
    /// The local log, for messages.
    path: PathBuf,
    note: Option<String>,
}

/// Where a person on this machine approves or revokes `decision`: the
/// shared store when set (after this machine's log is delivered there, the
/// decision named by its uid), else the local log. When the shared store
/// does not answer, the local log, with a note that only this machine will
/// honour it.
fn target(flag: Option<&Path>, decision: &DecisionRef, now: i64) -> Result<Target> {
    let knowledge = crate::Knowledge::locate(flag);
    let path = knowledge.as_ref().map_or_else(|_| lore_log::default_path(), crate::Knowledge::log_path);
    let local = lore_log::open(&path)?;
    let Some((url, setting)) = knowledge.as_ref().ok().and_then(crate::Knowledge::store_url) else {
        return Ok(Target { store: local, decision: decision.clone(), path, note: None });
    };
    let uid = match decision {
        DecisionRef::Uid(uid) => uid.clone(),
        DecisionRef::Id(id) => match local.get(*id)? {
            Some(entry) => entry.uid,
            None => {
                let hint = "a server's decision is named by its uid here, or approved through the server";
                return Err(Error::not_found(format!("no decision {id} in {} ({hint})", path.display()), Vec::new()));
            }
        },
    };
    let shared = lore_log::open_shared(&url, setting)
        .and_then(|shared| lore_log::ship(local.as_ref(), shared.as_ref(), now).map(|_| shared));
    Ok(match shared {
        Ok(shared) => Target { store: shared, decision: DecisionRef::Uid(uid), path, note: None },
        Err(err) => {
            let note = Some(format!("on this machine only: the shared store did not answer ({err})"));
            Target { store: local, decision: decision.clone(), path, note }
        }
    })
}

/// Approves a decision this machine logged (`lore approve`). With a shared
/// store the approval goes there, after delivering the decision, so that
/// every server and hook on the store honours it; when the store does not
/// answer, it is kept in the local log and only this machine honours it.
pub fn approve(flag: Option<&Path>, request: &ApproveRequest) -> Result<Approved> {
    let now = Timestamp::now().0;
    let target = target(flag, &request.decision, now)?;
    let request = ApproveRequest { decision: target.decision.clone(), ..request.clone() };
    let mut approved = approve_in(target.store.as_ref(), &request, now).map_err(|err| in_log(err, &target.path))?;
    approved.note = target.note;
    Ok(approved)
}

/// What a revocation withdrew.
#[derive(Debug, Clone, Serialize)]
pub struct Revoked {
    /// The decision whose input's approvals were withdrawn, in the store it was done in.
    pub decision_id: i64,
    /// How many approvals could still have let it through, and no longer do.
    pub revoked: usize,
    /// What the user should know: a revocation on this machine only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Withdraws every approval (standing or once-only) of the input of a
/// decision in `store`; the server and the CLI both come here.
pub fn revoke_in(store: &dyn Store, decision: &DecisionRef, now: i64) -> Result<Revoked> {
    let revoked = match decision.id_in(store)? {
        Some(id) => store.revoke(id, now)?.map(|revoked| (id, revoked)),
        None => None,
    };
    match revoked {
        Some((decision_id, revoked)) => Ok(Revoked { decision_id, revoked, note: None }),
        None => Err(Error::not_found(format!("no decision {decision}"), Vec::new())),
    }
}

/// Withdraws the approvals of a decision this machine logged (`lore
/// revoke`), where `lore approve` would have made them.
pub fn revoke(flag: Option<&Path>, decision: &DecisionRef) -> Result<Revoked> {
    let now = Timestamp::now().0;
    let target = target(flag, decision, now)?;
    let mut revoked =
        revoke_in(target.store.as_ref(), &target.decision, now).map_err(|err| in_log(err, &target.path))?;
    revoked.note = target.note;
    Ok(revoked)
}

/// A human's refusal of an ask or a denial.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    /// The decision refused.
    pub decision_id: i64,
    /// Its input.
    pub input: String,
    /// Who refused.
    pub rejected_by: Option<String>,
    /// Why.
    pub why: String,
}

/// Says no to the request of a decision in `store`, with the reason, so
/// that it no longer waits for a human. The gate still asks the next time.
pub fn reject_in(store: &dyn Store, id: i64, by: Option<&str>, why: &str, now: i64) -> Result<Rejected> {
    let why = why.trim();
    if why.is_empty() {
        return Err(Error::Invalid("say why the request is refused".into()));
    }
    match store.reject(id, &lore_log::Rejection { by, why, now })? {
        Some(input) => Ok(Rejected { decision_id: id, input, rejected_by: by.map(str::to_string), why: why.into() }),
        None => Err(Error::not_found(format!("no decision {id}"), Vec::new())),
    }
}

/// How far back the waiting list looks unless asked otherwise.
pub const DEFAULT_WAITING_SINCE: &str = "7d";

/// Asks and denials a human may still lift: newer than `since`, not
/// refused by a rule no approval lifts, and neither approved nor rejected.
pub fn waiting(store: &dyn Store, since: Option<String>, limit: usize) -> Result<Vec<Entry>> {
    let since = since.unwrap_or_else(|| DEFAULT_WAITING_SINCE.into());
    let mut entries = Vec::new();
    for decision in [Decision::Ask, Decision::Deny] {
        let request = LogRequest {
            since: Some(since.clone()),
            decision: Some(decision.as_str().into()),
            system: None,
            agent: None,
            before: None,
            limit,
        };
        entries.extend(store.query(&request.filter()?)?.into_iter().filter(liftable));
    }
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let handled: std::collections::HashSet<i64> = store.handled(&ids)?.into_iter().map(|h| h.decision_id).collect();
    entries.retain(|e| !handled.contains(&e.id));
    entries.sort_by_key(|e| std::cmp::Reverse(e.id));
    entries.truncate(limit);
    Ok(entries)
}

/// Whether an approval could lift a logged decision: no reason is a denial
/// that no approval lifts (as the gate decides at check time).
fn liftable(entry: &Entry) -> bool {
    let reasons = entry.reasons.as_array().map(Vec::as_slice).unwrap_or_default();
    !reasons.iter().any(|r| r["decision"] == "deny" && r["approvable"] == false)
}

/// A decision not found, said with the log it was looked for in.
fn in_log(err: Error, path: &Path) -> Error {
    match err {
        Error::NotFound { message, suggestions } => {
            Error::NotFound { message: format!("{message} in {}", path.display()), suggestions }
        }
        other => other,
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
        // Found by schemathesis: a duration past the range overflowed.
        assert_eq!(parse_moment("999999999999999999w", now), None);
    }

    #[test]
    fn an_unknown_decision_is_refused_not_matched_against_nothing() {
        let request = |d: &str| LogRequest { decision: Some(d.into()), ..LogRequest::default() };
        assert!(request("deny").filter().is_ok());
        assert!(matches!(request("alow").filter(), Err(Error::Invalid(_))));
    }
}
