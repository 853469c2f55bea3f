//! Every operation lore offers, once: each takes a typed request and
//! returns a typed answer or an [`Error`](crate::Error). The CLI, MCP and
//! HTTP only adapt arguments or JSON in, and rendering or JSON out.
//!
//! Checking an action is [`crate::evaluate`]; building is
//! [`Knowledge::build`](crate::Knowledge::build).

pub mod agents;
pub mod decisions;
pub mod govern;
pub mod read;

pub use agents::{Health, InstallRequest, Installed, health, install};
pub use decisions::{
    ApproveRequest, Approved, DecisionRef, LogAnswer, LogRequest, Rejected, Revoked, approve, approve_in, log,
    reject_in, revoke, revoke_in, ship, waiting,
};
pub use govern::{
    HealthPoint, HealthReport, History, PromoteRequest, Promoted, ProposeRequest, Proposed, ReviewRequest, Reviewed,
    history, knowledge_health, lint, promote, propose, record_build_health, review, review_in, reviews,
};
pub use read::{
    BlastRequest, BriefRequest, RulesRequest, RunbookRequest, RunbookText, SearchAnswer, SearchRequest, Shown,
    SourceExcerpt, SourceRequest, advisories, blast, brief, checklist, graph, incident, incidents, proposals, rule,
    rules, runbook, search, show, source, systems,
};

use serde::Serialize;

/// One page of a list, and where the next one starts.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items there are in all.
    pub total: usize,
    /// Items skipped before this page.
    pub offset: usize,
    /// Where the next page starts, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

impl<T> Page<T> {
    /// The page of `all` from `offset`, of `limit` items (1 to 500).
    pub fn of(all: Vec<T>, offset: usize, limit: usize) -> Page<T> {
        let total = all.len();
        let limit = limit.clamp(1, 500);
        let items: Vec<T> = all.into_iter().skip(offset).take(limit).collect();
        let end = offset.saturating_add(items.len());
        Page { items, total, offset, next_offset: (end < total).then_some(end) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_say_where_the_next_starts() {
        let page = Page::of((0..10).collect(), 4, 3);
        assert_eq!((page.items, page.total, page.next_offset), (vec![4, 5, 6], 10, Some(7)));
        let last = Page::of((0..10).collect::<Vec<_>>(), 8, 3);
        assert_eq!((last.items.len(), last.next_offset), (2, None));
        let past = Page::of((0..3).collect::<Vec<_>>(), 9, 0);
        assert!(past.items.is_empty() && past.next_offset.is_none(), "past the end: empty, limit at least 1");
    }
}
