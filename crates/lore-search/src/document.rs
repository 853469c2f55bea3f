//! What of a document is searched, field by field: the whole document
//! (title, headings, path, prose, code) and each of its sections.

use lore_ingest::{Chunk, SearchDoc};

/// Sections longer than this are cut for indexing; the citation keeps the full span.
const MAX_SECTION_BYTES: usize = 64 * 1024;

/// A document to index, with the systems linking found for it.
#[derive(Clone, Copy)]
pub struct IndexDoc<'a> {
    /// The document as ingested: its fields and its chunks.
    pub doc: &'a SearchDoc,
    /// The IDs of the systems it is about, as linking found them.
    pub systems: &'a [String],
}

impl IndexDoc<'_> {
    /// One document per file and record.
    pub fn key(&self) -> String {
        document_key(&self.doc.path, &self.doc.record_id)
    }
}

pub(crate) fn document_key(path: &str, record: &str) -> String {
    format!("{path}\u{1f}{record}")
}

pub(crate) fn key_hash(key: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key.as_bytes())
}

/// The directories and file name of a path, as words: `docs/redis/redis-failover.md` → `docs redis redis-failover`.
pub(crate) fn path_words(path: &str) -> String {
    let name_end = path.rfind('/').map_or(0, |i| i + 1);
    let (dirs, name) = path.split_at(name_end);
    let stem = lore_ingest::dialect::strip_suffix(name).unwrap_or(name);
    format!("{} {stem}", dirs.replace('/', " "))
}

/// Every heading of the document and its front-matter keywords.
pub(crate) fn headings(doc: &SearchDoc) -> String {
    let mut out: Vec<&str> = doc.chunks.iter().filter_map(|c| c.heading_path.rsplit(" › ").next()).collect();
    out.extend(doc.keywords.iter().map(String::as_str));
    out.join("\n")
}

pub(crate) fn prose(doc: &SearchDoc) -> String {
    let mut out = doc.description.clone();
    for chunk in &doc.chunks {
        out.push('\n');
        out.push_str(&section_prose(chunk));
    }
    out
}

pub(crate) fn code(doc: &SearchDoc) -> String {
    doc.chunks.iter().map(|c| clip(&c.code, MAX_SECTION_BYTES)).collect::<Vec<_>>().join("\n")
}

/// A section's prose without its heading line (the heading is its own field) and without link targets.
pub(crate) fn section_prose(chunk: &Chunk) -> String {
    let prose = clip(&chunk.prose, MAX_SECTION_BYTES);
    let body = if chunk.anchor.is_empty() { prose } else { prose.split_once('\n').map_or("", |(_, rest)| rest) };
    strip_urls(body)
}

pub(crate) fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Link targets and bare URLs are noise: long dashboard links would bury a
/// short runbook section. Link labels stay.
pub(crate) fn strip_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut rest = word;
        while let Some(at) = rest.find("http://").or_else(|| rest.find("https://")) {
            out.push_str(&rest[..at]);
            let end = rest[at..].find([')', '>', ']', '"', '\'', '\n']).map_or(rest.len(), |e| at + e);
            rest = &rest[end..];
        }
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_stripped_but_labels_kept() {
        assert_eq!(strip_urls("see [the dashboard](https://x.example/d?a=1) now"), "see [the dashboard]() now");
        assert_eq!(strip_urls("bare https://x.example/long/path\nnext line"), "bare \nnext line");
    }

    #[test]
    fn paths_read_as_words() {
        assert_eq!(path_words("docs/redis/redis-failover.md"), "docs redis  redis-failover");
        assert_eq!(path_words("source/upgrade.html.md.erb"), "source  upgrade");
        assert_eq!(path_words("README.md"), " README");
    }
}
