//! How far a fact can be trusted, carried on every answer that uses it:
//! when people last reviewed it, whether people declared it or lore
//! observed it, and whether anyone reviewed it at all.

use serde::{Deserialize, Serialize};

use crate::{Day, Meta, SourceKind, Status};

/// Where a fact comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Written by people: lore files, catalogs, runbooks, postmortems.
    Declared,
    /// Read off what runs: Kubernetes manifests, compose files.
    Observed,
    /// Extracted from prose by lore (advisories).
    Mined,
    /// lore's own baseline.
    BuiltIn,
}

/// Whether people stand behind a fact now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    /// Reviewed, and not past its review date.
    Reviewed,
    /// Past its review date.
    Stale,
    /// Never reviewed (no date), or mined and not promoted.
    Unreviewed,
    /// Proposed, waiting for a human: shown, never enforced.
    Proposed,
}

/// How far one fact can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trust {
    /// When people last reviewed it; `None` when never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Day>,
    /// Whether it was declared, observed, mined or built in.
    pub origin: Origin,
    /// Whether people stand behind it now.
    pub review: ReviewState,
}

impl Trust {
    /// An advisory's trust: mined from prose, unreviewed.
    pub const MINED: Trust = Trust { reviewed: None, origin: Origin::Mined, review: ReviewState::Unreviewed };
    /// The baseline's trust: lore's own, reviewed with lore.
    pub const BUILT_IN: Trust = Trust { reviewed: None, origin: Origin::BuiltIn, review: ReviewState::Reviewed };

    /// The trust of a record from its metadata, judged on `today` with the
    /// knowledge's default review interval.
    pub fn of(meta: &Meta, today: Day, default_review_days: Option<u32>) -> Trust {
        let origin = match meta.provenance.source {
            SourceKind::Kubernetes | SourceKind::Compose => Origin::Observed,
            SourceKind::Lore
            | SourceKind::Backstage
            | SourceKind::Markdown
            | SourceKind::ServiceCatalog
            | SourceKind::Config => Origin::Declared,
        };
        let review = if meta.status == Status::Proposed {
            ReviewState::Proposed
        } else if meta.freshness.is_stale(today, default_review_days) {
            ReviewState::Stale
        } else if meta.freshness.reviewed.is_none() {
            ReviewState::Unreviewed
        } else {
            ReviewState::Reviewed
        };
        Trust { reviewed: meta.freshness.reviewed, origin, review }
    }

    /// A few words for text answers ("reviewed 2026-09-15", "stale: last
    /// reviewed 2025-01-02", "proposed, not reviewed"); `None` for lore's own baseline.
    pub fn label(&self) -> Option<String> {
        let observed = if self.origin == Origin::Observed { "observed, " } else { "" };
        Some(match (self.review, self.reviewed) {
            _ if self.origin == Origin::BuiltIn => return None,
            (ReviewState::Proposed, _) => "proposed, not reviewed".into(),
            (ReviewState::Reviewed, Some(day)) => format!("{observed}reviewed {day}"),
            (ReviewState::Stale, Some(day)) => format!("{observed}stale: last reviewed {day}"),
            _ if self.origin == Origin::Mined => "mined from a runbook, not reviewed".into(),
            _ => format!("{observed}never reviewed"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Freshness, Provenance};

    fn meta(source: SourceKind, reviewed: Option<&str>, status: Status) -> Meta {
        Meta {
            provenance: Provenance::new("x.yaml", 1, 1, source),
            owner: None,
            freshness: Freshness { reviewed: reviewed.and_then(Day::parse), ..Freshness::default() },
            status,
        }
    }

    #[test]
    fn trust_says_where_a_fact_comes_from_and_whether_anyone_stands_behind_it() {
        let today = Day::parse("2026-11-28").expect("day");
        let observed = Trust::of(&meta(SourceKind::Kubernetes, None, Status::Active), today, Some(90));
        assert_eq!((observed.origin, observed.review), (Origin::Observed, ReviewState::Unreviewed));
        assert_eq!(observed.label().as_deref(), Some("observed, never reviewed"));
        let fresh = Trust::of(&meta(SourceKind::Lore, Some("2026-10-01"), Status::Active), today, Some(90));
        assert_eq!(fresh.review, ReviewState::Reviewed);
        assert_eq!(fresh.label().as_deref(), Some("reviewed 2026-10-01"));
        let stale = Trust::of(&meta(SourceKind::Backstage, Some("2025-01-01"), Status::Active), today, Some(90));
        assert_eq!(stale.label().as_deref(), Some("stale: last reviewed 2025-01-01"));
        let proposed = Trust::of(&meta(SourceKind::Lore, Some("2026-11-27"), Status::Proposed), today, None);
        assert_eq!(proposed.review, ReviewState::Proposed);
        assert_eq!(Trust::MINED.label().as_deref(), Some("mined from a runbook, not reviewed"));
        assert_eq!(Trust::BUILT_IN.label(), None);
    }
}
