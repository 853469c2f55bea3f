//! The two tantivy indexes of a pack: one document per file (its title,
//! headings, path, prose and code as fields) and one per section (its
//! heading path, prose and code). Documents are ranked whole; sections say
//! where in a document to look. Both are written together, in full or for
//! the changed files only.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::store::Compressor;
use tantivy::{Index, IndexSettings, IndexWriter, TantivyDocument, Term};

use crate::SearchError;
use crate::analyze::{self, ANALYZER};
use crate::document::{self, IndexDoc};

pub(crate) const DOCS_DIR: &str = "docs";
pub(crate) const SECTIONS_DIR: &str = "sections";
const WRITER_MEMORY: usize = 48 * 1024 * 1024;

/// Fields of the document index.
#[derive(Clone, Copy)]
pub(crate) struct DocFields {
    pub path: Field,
    pub key: Field,
    pub key_hash: Field,
    pub record: Field,
    pub kind: Field,
    pub systems: Field,
    /// The title, then the aliases; the first value is shown.
    pub title: Field,
    pub headings: Field,
    pub path_words: Field,
    pub prose: Field,
    pub code: Field,
    /// The first section, cited when no section matches (a title or path hit).
    pub first_start: Field,
    pub first_end: Field,
    pub first_heading: Field,
}

/// Fields of the section index.
#[derive(Clone, Copy)]
pub(crate) struct SectionFields {
    pub path: Field,
    pub key_hash: Field,
    pub heading: Field,
    pub prose: Field,
    pub code: Field,
    pub anchor: Field,
    pub text: Field,
    pub line_start: Field,
    pub line_end: Field,
    /// 1 when the section says something must not be done.
    pub warning: Field,
}

fn text_options(stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored { options.set_stored() } else { options }
}

pub(crate) fn doc_schema() -> (Schema, DocFields) {
    let mut b = Schema::builder();
    let fields = DocFields {
        path: b.add_text_field("path", STRING | STORED),
        key: b.add_text_field("key", STRING | STORED),
        key_hash: b.add_u64_field("key_hash", INDEXED | FAST),
        record: b.add_text_field("record", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        systems: b.add_text_field("systems", STRING | STORED),
        title: b.add_text_field("title", text_options(true)),
        headings: b.add_text_field("headings", text_options(false)),
        path_words: b.add_text_field("path_words", text_options(false)),
        prose: b.add_text_field("prose", text_options(false)),
        code: b.add_text_field("code", text_options(false)),
        first_start: b.add_u64_field("first_start", STORED),
        first_end: b.add_u64_field("first_end", STORED),
        first_heading: b.add_text_field("first_heading", STORED),
    };
    (b.build(), fields)
}

pub(crate) fn section_schema() -> (Schema, SectionFields) {
    let mut b = Schema::builder();
    let fields = SectionFields {
        path: b.add_text_field("path", STRING),
        key_hash: b.add_u64_field("key_hash", INDEXED | FAST),
        heading: b.add_text_field("heading", text_options(true)),
        prose: b.add_text_field("prose", text_options(false)),
        code: b.add_text_field("code", text_options(false)),
        anchor: b.add_text_field("anchor", STORED),
        text: b.add_text_field("text", STORED),
        line_start: b.add_u64_field("line_start", FAST | STORED),
        line_end: b.add_u64_field("line_end", FAST | STORED),
        warning: b.add_u64_field("warning", FAST),
    };
    (b.build(), fields)
}

pub(crate) fn register_analyzer(index: &Index) {
    index.tokenizers().register(ANALYZER, analyze::analyzer());
}

pub(crate) fn search_err(err: impl std::fmt::Display) -> SearchError {
    SearchError::Index(err.to_string())
}

/// How the index was brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndexUpdate {
    /// Every document was written again (no index, another layout, or no
    /// list of changed files).
    Full {
        /// Sections written.
        chunks: usize,
    },
    /// Only the documents of changed or removed files were replaced.
    Incremental {
        /// Files whose documents were replaced.
        files: usize,
        /// Sections written.
        chunks: usize,
    },
    /// Nothing changed, so nothing was written.
    Unchanged,
}

/// Writes documents to the indexes under `dir`. With `changed`, only the
/// documents of those paths (and removed paths) are replaced; otherwise, or
/// when the indexes on disk are of another layout, everything is.
pub fn update_index(
    dir: &Path,
    docs: &[IndexDoc<'_>],
    changed: Option<&HashSet<String>>,
) -> Result<IndexUpdate, SearchError> {
    let (doc_schema, doc_fields) = doc_schema();
    let (section_schema, section_fields) = section_schema();
    let reusable = changed.is_some()
        && same_layout(&dir.join(DOCS_DIR), &doc_schema)
        && same_layout(&dir.join(SECTIONS_DIR), &section_schema);
    let changed = if reusable { changed } else { None };
    if changed.is_some_and(HashSet::is_empty) {
        return Ok(IndexUpdate::Unchanged);
    }
    let (doc_index, section_index) = match changed {
        Some(_) => (open(&dir.join(DOCS_DIR))?, open(&dir.join(SECTIONS_DIR))?),
        None => {
            clear(dir)?;
            (create(&dir.join(DOCS_DIR), doc_schema)?, create(&dir.join(SECTIONS_DIR), section_schema)?)
        }
    };
    let doc_writer: IndexWriter = doc_index.writer_with_num_threads(1, WRITER_MEMORY).map_err(search_err)?;
    let section_writer: IndexWriter = section_index.writer_with_num_threads(1, WRITER_MEMORY).map_err(search_err)?;
    for path in changed.into_iter().flatten() {
        doc_writer.delete_term(Term::from_field_text(doc_fields.path, path));
        section_writer.delete_term(Term::from_field_text(section_fields.path, path));
    }
    let mut chunks = 0;
    for doc in docs {
        if changed.is_some_and(|paths| !paths.contains(&doc.doc.path)) {
            continue;
        }
        doc_writer.add_document(doc_document(&doc_fields, doc)).map_err(search_err)?;
        for section in section_documents(&section_fields, doc) {
            section_writer.add_document(section).map_err(search_err)?;
            chunks += 1;
        }
    }
    for writer in [doc_writer, section_writer] {
        let mut writer = writer;
        writer.commit().map_err(search_err)?;
        writer.wait_merging_threads().map_err(search_err)?;
    }
    Ok(match changed {
        Some(paths) => IndexUpdate::Incremental { files: paths.len(), chunks },
        None => IndexUpdate::Full { chunks },
    })
}

fn open(dir: &Path) -> Result<Index, SearchError> {
    let index = Index::open_in_dir(dir).map_err(search_err)?;
    register_analyzer(&index);
    Ok(index)
}

/// Stored fields are kept uncompressed: a hook that cites three sections
/// then copies their bytes instead of decompressing a 16 KiB block for
/// each (0.3 M instructions on the pooled corpora), for a store about twice
/// the size.
fn settings() -> IndexSettings {
    IndexSettings { docstore_compression: Compressor::None, ..IndexSettings::default() }
}

fn create(dir: &Path, schema: Schema) -> Result<Index, SearchError> {
    std::fs::create_dir_all(dir).map_err(|err| SearchError::Io(format!("creating {}: {err}", dir.display())))?;
    let index = Index::builder().schema(schema).settings(settings()).create_in_dir(dir).map_err(search_err)?;
    register_analyzer(&index);
    Ok(index)
}

fn clear(dir: &Path) -> Result<(), SearchError> {
    match std::fs::remove_dir_all(dir) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(SearchError::Io(format!("clearing {}: {err}", dir.display())))
        }
        _ => Ok(()),
    }
}

/// Whether the index in `dir` has this schema and today's settings, so
/// that it can be updated in place.
fn same_layout(dir: &Path, schema: &Schema) -> bool {
    if !dir.join("meta.json").exists() {
        return false;
    }
    let Ok(index) = Index::open_in_dir(dir) else { return false };
    serde_json::to_string(&index.schema()).ok() == serde_json::to_string(schema).ok()
        && serde_json::to_string(index.settings()).ok() == serde_json::to_string(&settings()).ok()
}

fn doc_document(f: &DocFields, doc: &IndexDoc<'_>) -> TantivyDocument {
    let d = doc.doc;
    let key = doc.key();
    let mut out = TantivyDocument::default();
    out.add_text(f.path, &d.path);
    out.add_text(f.key, &key);
    out.add_u64(f.key_hash, document::key_hash(&key));
    out.add_text(f.record, &d.record_id);
    out.add_text(f.kind, d.kind.as_str());
    for system in doc.systems {
        out.add_text(f.systems, system);
    }
    out.add_text(f.title, &d.title);
    for alias in &d.aliases {
        out.add_text(f.title, alias);
    }
    out.add_text(f.headings, document::headings(d));
    out.add_text(f.path_words, document::path_words(&d.path));
    out.add_text(f.prose, document::prose(d));
    out.add_text(f.code, document::code(d));
    let first = d.chunks.first();
    out.add_u64(f.first_start, first.map_or(1, |c| u64::from(c.line_start)));
    out.add_u64(f.first_end, first.map_or(1, |c| u64::from(c.line_end)));
    out.add_text(f.first_heading, first.map_or(d.title.as_str(), |c| c.heading_path.as_str()));
    out
}

fn section_documents<'a>(f: &'a SectionFields, doc: &'a IndexDoc<'_>) -> impl Iterator<Item = TantivyDocument> + 'a {
    let hash = document::key_hash(&doc.key());
    doc.doc.chunks.iter().map(move |chunk| {
        let prose = document::section_prose(chunk);
        let warning = prose.lines().any(lore_ingest::markdown::is_prohibition);
        let mut out = TantivyDocument::default();
        out.add_text(f.path, &doc.doc.path);
        out.add_u64(f.key_hash, hash);
        out.add_text(f.heading, &chunk.heading_path);
        out.add_text(f.prose, &prose);
        out.add_text(f.code, document::clip(&chunk.code, 64 * 1024));
        out.add_text(f.anchor, &chunk.anchor);
        out.add_text(f.text, document::clip(&chunk.text, 64 * 1024));
        out.add_u64(f.line_start, u64::from(chunk.line_start));
        out.add_u64(f.line_end, u64::from(chunk.line_end));
        out.add_u64(f.warning, u64::from(warning));
        out
    })
}
