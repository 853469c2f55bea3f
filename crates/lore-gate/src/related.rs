//! Sections the search index finds most about an action: listed in the
//! briefing as what to read first, and their cautions quoted as a warning.
//! Found by words, not structure, so they never ask or deny on their own.

use lore_action::Action;
use lore_model::{ActionClass, ArchivedStrength, Decision, Trust};
use lore_pack::ArchivedPackData;

use crate::grounding::{self, Where};
use crate::{Reason, ReasonKind};

/// How many sections the briefing lists.
const MAX_SECTIONS: usize = 3;

/// A section of a document, as a search found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedSection {
    /// The document's file, relative to the knowledge root.
    pub path: String,
    /// The section's first line.
    pub line_start: u32,
    /// The section's last line.
    pub line_end: u32,
    /// The document's title.
    pub title: String,
    /// The section's headings, `Failover › Steps`.
    pub heading: String,
    /// `runbook` or `incident`.
    pub kind: String,
    /// The section's line that shares most with the query.
    pub snippet: String,
}

/// Search over the knowledge's documents, opened only when a check needs it.
pub trait RelatedSearch {
    /// The sections most about `query`, best first.
    fn sections(&self, query: &str, limit: usize) -> Vec<RelatedSection>;
}

/// What the search found: briefing lines, and at most one warning.
#[derive(Default)]
pub struct Related {
    /// One line per section found, `title › heading (path:start-end)`, best first.
    pub briefing: Vec<String>,
    /// A warning quoting the best section (a caution, or an incident's account),
    /// unless the gate already cites its file.
    pub reason: Option<Reason>,
}

/// Whether an action is worth a search: it changes something, somewhere
/// that may be production.
pub fn wanted(action: &Action, place: &Where) -> bool {
    !matches!(action.class, ActionClass::Read | ActionClass::SecretRead)
        && !action.has_flag("dry-run")
        && *place != Where::NotProduction
}

/// The sections about `action`, and a warning quoting the best section's
/// caution unless `cited` (files the gate already cites) holds it.
pub fn relate(
    data: &ArchivedPackData,
    search: &dyn RelatedSearch,
    action: &Action,
    place: &Where,
    cited: &[&str],
) -> Related {
    let sections = search.sections(&grounding::situation(action), MAX_SECTIONS);
    let briefing = sections
        .iter()
        .map(|s| format!("{} › {} ({}:{}-{})", s.title, s.heading, s.path, s.line_start, s.line_end))
        .collect();
    let reason = sections.first().filter(|best| !cited.contains(&best.path.as_str())).and_then(|best| {
        // An incident report's account is the warning, in production.
        if best.kind == "incident" && matches!(place, Where::Production(_)) {
            let message = format!(
                "incident report {} tells of a change like `{}` {} (found by search, unreviewed): \"{}\"",
                best.title,
                action.label(),
                place.phrase(),
                best.snippet.trim()
            );
            let cite = format!("{}:{}-{}", best.path, best.line_start, best.line_end);
            return Some(Reason::new(Decision::Warn, ReasonKind::Documented, message).citing(cite, Trust::MINED));
        }
        let (line, sentence) = best_caution(data, best)?;
        let message = format!(
            "the runbook most about `{}` {} says (found by search, unreviewed): \"{sentence}\" ({})",
            action.label(),
            place.phrase(),
            best.title
        );
        Some(
            Reason::new(Decision::Warn, ReasonKind::Documented, message)
                .citing(format!("{}:{line}", best.path), Trust::MINED),
        )
    });
    Related { briefing, reason }
}

/// The section's strongest caution: a prohibition before advice, then the first.
fn best_caution(data: &ArchivedPackData, section: &RelatedSection) -> Option<(u32, String)> {
    let cautions = &data.cautions;
    let start = cautions
        .partition_point(|c| (c.file.as_str(), c.line.to_native()) < (section.path.as_str(), section.line_start));
    cautions[start..]
        .iter()
        .take_while(|c| c.file.as_str() == section.path && c.line.to_native() <= section.line_end)
        .min_by_key(|c| !matches!(c.strength, ArchivedStrength::Prohibition))
        .map(|c| (c.line.to_native(), c.sentence.to_string()))
}
