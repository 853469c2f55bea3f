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

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(String),
    #[error("{0}")]
    Io(String),
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    /// Only documents about this system.
    pub system: Option<String>,
    /// Only documents of this kind (`runbook`, `incident`, `rule`, `system`, `doc`).
    pub kind: Option<String>,
    pub limit: usize,
}

/// What a search found, and why it found nothing when it did.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// Set when the question had nothing to search for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One document, citing the section that best answers the question.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub path: String,
    pub line_start: u32,
    pub line_end: u32,
    /// `path:start-end`.
    pub cite: String,
    pub title: String,
    /// The cited section's headings, `Failover › Steps`.
    pub heading: String,
    pub kind: String,
    pub record: String,
    pub systems: Vec<String>,
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
    pub cite: String,
    pub heading: String,
    pub line_start: u32,
    pub line_end: u32,
}

/// How a pack's document embeddings were brought up to date.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EmbeddingUpdate {
    pub embedded: usize,
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
