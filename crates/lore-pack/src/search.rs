//! Full-text search over document chunks (tantivy, BM25), with boosts for
//! titles, headings and the systems a question names.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

use crate::link::ResolvedDoc;
use crate::store::PackError;

const ANALYZER: &str = "lore_en";
/// A question that names a system is about that system's documents first.
const SYSTEM_BOOST: f32 = 5.0;
/// Lucene's English stop words, less the negations.
const ENGLISH_STOP_WORDS: [&str; 31] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "of", "on", "or",
    "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
];
/// Phrases that mark a question about what must not be done.
const PROHIBITION_CUES: [&str; 13] = [
    "never",
    "must not",
    "mustn't",
    "should not",
    "shouldn't",
    "do not",
    "don't",
    "avoid",
    "dangerous",
    "forbidden",
    "not allowed",
    "prohibited",
    "unsafe",
];
/// Words of those phrases, dropped when looking for what a prohibition is about.
const PROHIBITION_WORDS: [&str; 12] = [
    "never",
    "not",
    "must",
    "should",
    "do",
    "don",
    "avoid",
    "dangerous",
    "forbidden",
    "allowed",
    "prohibited",
    "unsafe",
];
const WARNING_FLAG: &str = "warning";
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// Chunks longer than this are cut for indexing; the citation keeps the full span.
const MAX_CHUNK_BYTES: usize = 64 * 1024;

#[derive(Clone, Copy)]
struct Fields {
    path: Field,
    record: Field,
    kind: Field,
    title: Field,
    heading: Field,
    body: Field,
    /// The chunk's prohibitions: "DO NOT USE …", "Never …".
    warnings: Field,
    /// `warning` when the chunk holds a prohibition.
    flags: Field,
    systems: Field,
    anchor: Field,
    line_start: Field,
    line_end: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        path: builder.add_text_field("path", STRING | STORED),
        record: builder.add_text_field("record", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        title: builder.add_text_field("title", text.clone()),
        heading: builder.add_text_field("heading", text.clone()),
        body: builder.add_text_field("body", text.clone()),
        warnings: builder.add_text_field("warnings", text),
        flags: builder.add_text_field("flags", STRING),
        systems: builder.add_text_field("systems", STRING | STORED),
        anchor: builder.add_text_field("anchor", STORED),
        line_start: builder.add_u64_field("line_start", STORED),
        line_end: builder.add_u64_field("line_end", STORED),
    };
    (builder.build(), fields)
}

fn register_analyzer(index: &Index) -> Result<(), PackError> {
    // Negations stay searchable: "DO NOT USE MONITOR" is exactly what a
    // "what must I never run" question is after.
    let stop = StopWordFilter::remove(ENGLISH_STOP_WORDS.iter().map(|w| w.to_string()));
    let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(stop)
        .filter(Stemmer::new(Language::English))
        .build();
    index.tokenizers().register(ANALYZER, analyzer);
    Ok(())
}

fn search_err(err: impl std::fmt::Display) -> PackError {
    PackError::Search(err.to_string())
}

/// How the index was brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndexUpdate {
    Full { chunks: usize },
    Incremental { files: usize, chunks: usize },
    Unchanged,
}

/// Writes documents to the index at `dir`. With `changed`, only documents
/// of those paths (and removed paths) are replaced; otherwise everything is.
pub fn update_index(
    dir: &Path,
    docs: &[ResolvedDoc<'_>],
    changed: Option<&HashSet<String>>,
) -> Result<IndexUpdate, PackError> {
    let (schema, fields) = schema();
    let existing = if dir.join("meta.json").exists() { Index::open_in_dir(dir).ok() } else { None };
    // Incremental only into an index of exactly this schema; anything else starts afresh.
    let reusable = existing.filter(|index| same_schema(&index.schema(), &schema));
    let (index, changed) = match (reusable, changed) {
        (Some(index), Some(changed)) => {
            if changed.is_empty() {
                return Ok(IndexUpdate::Unchanged);
            }
            (index, Some(changed))
        }
        _ => {
            match std::fs::remove_dir_all(dir) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    return Err(PackError::io("clearing", dir)(err));
                }
                _ => {}
            }
            std::fs::create_dir_all(dir).map_err(PackError::io("creating", dir))?;
            (Index::create_in_dir(dir, schema).map_err(search_err)?, None)
        }
    };
    register_analyzer(&index)?;
    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY).map_err(search_err)?;
    for path in changed.into_iter().flatten() {
        writer.delete_term(Term::from_field_text(fields.path, path));
    }
    let mut chunks = 0;
    for resolved in docs {
        let doc = resolved.doc;
        if changed.is_some_and(|paths| !paths.contains(&doc.path)) {
            continue;
        }
        for chunk in &doc.chunks {
            let body = strip_urls(clip(&chunk.text, MAX_CHUNK_BYTES));
            let warnings = warning_lines(&body);
            let mut tdoc = doc!(
                fields.path => doc.path.as_str(),
                fields.record => doc.record_id.as_str(),
                fields.kind => doc.kind.as_str(),
                fields.title => doc.title.as_str(),
                fields.heading => chunk.heading_path.as_str(),
                fields.warnings => warnings.as_str(),
                fields.body => body.as_str(),
                fields.anchor => chunk.anchor.as_str(),
                fields.line_start => u64::from(chunk.line_start),
                fields.line_end => u64::from(chunk.line_end),
            );
            for system in &resolved.systems {
                tdoc.add_text(fields.systems, system);
            }
            if !warnings.is_empty() {
                tdoc.add_text(fields.flags, WARNING_FLAG);
            }
            writer.add_document(tdoc).map_err(search_err)?;
            chunks += 1;
        }
    }
    writer.commit().map_err(search_err)?;
    writer.wait_merging_threads().map_err(search_err)?;
    Ok(match changed {
        Some(paths) => IndexUpdate::Incremental { files: paths.len(), chunks },
        None => IndexUpdate::Full { chunks },
    })
}

fn same_schema(a: &Schema, b: &Schema) -> bool {
    serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    /// Only documents about this system.
    pub system: Option<String>,
    /// Only documents of this kind (`runbook`, `incident`, `rule`, `system`).
    pub kind: Option<String>,
    /// Systems the question names, found by the caller: their documents rank higher.
    pub boost_systems: Vec<String>,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub path: String,
    pub line_start: u32,
    pub line_end: u32,
    /// `path:start-end`.
    pub cite: String,
    pub title: String,
    pub heading: String,
    pub kind: String,
    pub record: String,
    pub systems: Vec<String>,
    pub score: f32,
    pub snippet: String,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl SearchIndex {
    pub fn open(dir: &Path) -> Result<SearchIndex, PackError> {
        let index = Index::open_in_dir(dir).map_err(search_err)?;
        register_analyzer(&index)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(search_err)?;
        let (_, fields) = schema();
        Ok(SearchIndex { index, reader, fields })
    }

    /// The best chunk of each of the best files. A question about what must
    /// not be done is answered with prohibitions first.
    pub fn search(&self, request: &SearchRequest) -> Result<Vec<Hit>, PackError> {
        let mut text = sanitize(&request.text);
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        for compound in self.compounds(&searcher, &text) {
            text.push(' ');
            text.push_str(&compound);
        }
        let lower = request.text.to_lowercase();
        let words: String = lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')).collect::<Vec<_>>().join(" ");
        let asks_what_not_to_do = PROHIBITION_CUES.iter().any(|cue| format!(" {words} ").contains(&format!(" {cue} ")));
        let limit = request.limit.max(1);
        let mut hits = Vec::new();
        let mut seen = HashSet::new();
        if asks_what_not_to_do {
            let subject: String = text
                .split_whitespace()
                .filter(|w| !PROHIBITION_WORDS.contains(&w.to_lowercase().as_str()))
                .collect::<Vec<_>>()
                .join(" ");
            let query = self.query(request, &subject, Some(WARNING_FLAG));
            self.collect(&searcher, &*query, &text, limit, &mut seen, &mut hits)?;
        }
        if hits.len() < limit {
            let query = self.query(request, &text, None);
            self.collect(&searcher, &*query, &text, limit, &mut seen, &mut hits)?;
        }
        Ok(hits)
    }

    fn query(&self, request: &SearchRequest, text: &str, flag: Option<&str>) -> Box<dyn Query> {
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.heading, f.body, f.warnings]);
        parser.set_field_boost(f.title, 3.0);
        parser.set_field_boost(f.heading, 2.0);
        parser.set_field_boost(f.warnings, if flag.is_some() { 3.0 } else { 0.5 });
        let (text_query, _) = parser.parse_query_lenient(text);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        for system in &request.boost_systems {
            clauses.push((Occur::Should, Box::new(BoostQuery::new(term(f.systems, system), SYSTEM_BOOST))));
        }
        if let Some(flag) = flag {
            clauses.push((Occur::Must, term(f.flags, flag)));
        }
        if let Some(system) = &request.system {
            clauses.push((Occur::Must, term(f.systems, system)));
        }
        if let Some(kind) = &request.kind {
            clauses.push((Occur::Must, term(f.kind, kind)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Adds the best chunk of each new file until `limit` hits.
    fn collect(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        text: &str,
        limit: usize,
        seen: &mut HashSet<String>,
        hits: &mut Vec<Hit>,
    ) -> Result<(), PackError> {
        let f = self.fields;
        let top = searcher.search(query, &TopDocs::with_limit(limit * 8).order_by_score()).map_err(search_err)?;
        for (score, address) in top {
            if hits.len() >= limit {
                break;
            }
            let doc: TantivyDocument = searcher.doc(address).map_err(search_err)?;
            let get =
                |field: Field| doc.get_first(field).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let path = get(f.path);
            if !seen.insert(path.clone()) {
                continue;
            }
            let line = |field: Field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0) as u32;
            let (line_start, line_end) = (line(f.line_start), line(f.line_end));
            let warnings = get(f.warnings);
            let snippet_source = if warnings.is_empty() { get(f.body) } else { warnings };
            hits.push(Hit {
                cite: if line_end > line_start {
                    format!("{path}:{line_start}-{line_end}")
                } else {
                    format!("{path}:{line_start}")
                },
                path,
                line_start,
                line_end,
                title: get(f.title),
                heading: get(f.heading),
                kind: get(f.kind),
                record: get(f.record),
                systems: doc.get_all(f.systems).filter_map(|v| v.as_str().map(str::to_string)).collect(),
                score,
                snippet: snippet(&snippet_source, text),
            });
        }
        Ok(())
    }
}

impl SearchIndex {
    /// People write "fail over", "roll back", "set up"; runbooks write
    /// "failover", "rollback", "setup". Adjacent words are joined when the
    /// joined word occurs in the documents.
    fn compounds(&self, searcher: &tantivy::Searcher, text: &str) -> Vec<String> {
        let Some(mut analyzer) = self.index.tokenizers().get(ANALYZER) else { return Vec::new() };
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        words
            .windows(2)
            .map(|pair| format!("{}{}", pair[0], pair[1]))
            .filter(|joined| {
                let mut stream = analyzer.token_stream(joined);
                let Some(token) = stream.next().map(|t| t.text.clone()) else { return false };
                let term = Term::from_field_text(self.fields.body, &token);
                searcher.doc_freq(&term).is_ok_and(|n| n > 0)
            })
            .collect()
    }
}

fn warning_lines(body: &str) -> String {
    body.lines().filter(|line| lore_ingest::markdown::is_prohibition(line)).collect::<Vec<_>>().join("\n")
}

/// Link targets and bare URLs are noise to BM25: long dashboard links would
/// bury a short runbook section. Link labels stay.
fn strip_urls(text: &str) -> String {
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

/// Query syntax characters become spaces: agents and people type questions,
/// not tantivy queries, and `redis-cli` must not mean "not cli".
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_alphanumeric() || c == '_' || c == '.' || c.is_whitespace() { c } else { ' ' })
        .collect()
}

/// The lines of a chunk that share the most words with the question.
fn snippet(body: &str, question: &str) -> String {
    let words: Vec<String> = question.split_whitespace().filter(|w| w.len() > 3).map(|w| w.to_lowercase()).collect();
    let best = body
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| {
            let lower = l.to_lowercase();
            (words.iter().filter(|w| lower.contains(String::as_str(w))).count(), l)
        })
        .max_by_key(|(score, _)| *score)
        .map(|(_, l)| l.trim())
        .unwrap_or("");
    clip(best, 240).to_string()
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
    fn query_syntax_is_neutralised() {
        assert_eq!(sanitize("redis-cli MONITOR: (never)"), "redis cli MONITOR   never ");
    }

    #[test]
    fn snippets_prefer_lines_with_question_words() {
        let body = "# Title\nintro\nrun the failover script on the primary\nother";
        assert_eq!(snippet(body, "how to failover primary"), "run the failover script on the primary");
    }
}
