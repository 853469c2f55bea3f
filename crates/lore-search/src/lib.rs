//! Search over a pack's documents: lore's own ranking of whole documents
//! (tantivy, BM25 over fields), each hit citing its best section.
//!
//! - [`analyze`]: one analyzer for documents and questions (identifiers
//!   split and kept whole, stemming).
//! - [`index`]: the document and section indexes, written in full or per
//!   changed file.
//! - [`rank`]: a question becomes terms; documents are ranked on their
//!   fields, combined with their best section's score; each is returned
//!   once, citing that section and up to two more.

pub mod analyze;
mod bm25f;
mod document;
pub mod index;
pub mod rank;
#[cfg(feature = "semantic")]
pub mod semantic;

pub use document::IndexDoc;
pub use index::{IndexUpdate, update_index};
pub use rank::SearchIndex;

use serde::Serialize;

/// Why the search index could not be written, opened or searched.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// tantivy failed; holds its message.
    #[error("search index: {0}")]
    Index(String),
    /// A directory of the index could not be created or cleared; says which.
    #[error("{0}")]
    Io(String),
}

/// A question, and what to keep of the answer.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The question as asked.
    pub text: String,
    /// Only documents about this system.
    pub system: Option<String>,
    /// Only documents of this kind (`runbook`, `incident`, `rule`, `system`, `doc`).
    pub kind: Option<String>,
    /// At most this many hits (0 counts as 1).
    pub limit: usize,
}

/// What a search found, and why it found nothing when it did.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The documents found, best first.
    pub hits: Vec<Hit>,
    /// Set when the question had nothing to search for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One document, citing the section that best answers the question.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The document's file, relative to the knowledge root.
    pub path: String,
    /// The cited section's first line.
    pub line_start: u32,
    /// The cited section's last line.
    pub line_end: u32,
    /// `path:start-end`.
    pub cite: String,
    /// The document's title.
    pub title: String,
    /// The cited section's headings, `Failover › Steps`.
    pub heading: String,
    /// The kind of record it belongs to (`runbook`, `incident`, …).
    pub kind: String,
    /// The ID of the record it belongs to.
    pub record: String,
    /// The systems linking found the document to be about.
    pub systems: Vec<String>,
    /// Its ranking score, meaningful only against the other hits of this search.
    pub score: f32,
    /// The line of the cited section that shares most with the question.
    pub snippet: String,
    /// Other sections of the same document that match, best first (at most two).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<SectionRef>,
}

/// A further section of a hit's document.
#[derive(Debug, Clone, Serialize)]
pub struct SectionRef {
    /// `path:start-end`.
    pub cite: String,
    /// The section's headings, `Failover › Steps`.
    pub heading: String,
    /// The section's first line.
    pub line_start: u32,
    /// The section's last line.
    pub line_end: u32,
}

/// How a pack's document embeddings were brought up to date.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EmbeddingUpdate {
    /// Documents embedded now: new, or their text changed.
    pub embedded: usize,
    /// Documents whose vector was kept from the last build.
    pub reused: usize,
    /// Why every document was embedded again, when there was a reason worth telling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt: Option<String>,
}

/// Whether this build of lore can rank semantically (the `semantic` feature).
pub const SEMANTIC: bool = cfg!(feature = "semantic");

pub(crate) fn cite(path: &str, line_start: u32, line_end: u32) -> String {
    if line_end > line_start { format!("{path}:{line_start}-{line_end}") } else { format!("{path}:{line_start}") }
}
