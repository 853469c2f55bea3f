//! Ranking: a question becomes analyzed terms; documents are scored on
//! their fields with BM25F, and the best documents are scored again by
//! their best section. Each document is returned once, citing that section.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tantivy::collector::DocSetCollector;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analyze::{self, ANALYZER};
use crate::bm25f::{Bm25f, FieldWeight};
use crate::index::{self, DOCS_DIR, DocFields, SECTIONS_DIR, SectionFields, search_err};
use crate::{Hit, SearchError, SearchRequest, SearchResults, SectionRef, cite};

/// Questions are cut here: nobody asks more, and every term costs a lookup.
const MAX_QUESTION_BYTES: usize = 16 * 1024;
/// A question's distinct terms past this many add nothing but time.
const MAX_TERMS: usize = 64;
/// Further sections cited per hit.
const MAX_ALSO: usize = 2;
const MAX_SNIPPET_BYTES: usize = 240;

/// Words of a question that say how it is asked, not what about.
const QUESTION_WORDS: [&str; 28] = [
    "how", "what", "why", "when", "where", "which", "who", "whom", "do", "does", "did", "can", "could", "should",
    "would", "i", "we", "you", "my", "our", "me", "us", "just", "ok", "okay", "there", "any", "anything",
];

/// Phrases that ask whether something may be done, or what must not be.
const PROHIBITION_CUES: [&str; 22] = [
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
    "safe to",
    "is it ok",
    "is it okay",
    "is it fine",
    "can i just",
    "can we just",
    "allowed to",
    "reason not to",
    "fine to",
];

/// A field's weight and length normalisation.
#[derive(Debug, Clone, Copy)]
pub struct FieldParams {
    /// How much a term matched in the field counts.
    pub weight: f32,
    /// BM25's `b`: 0 ignores the field's length, 1 normalises by it fully.
    pub b: f32,
}

const fn params(weight: f32, b: f32) -> FieldParams {
    FieldParams { weight, b }
}

/// How much each field counts. Each weight earned its place on the labelled set.
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    /// The document's title and aliases.
    pub title: FieldParams,
    /// The document's headings and front-matter keywords.
    pub headings: FieldParams,
    /// The words of the document's file path.
    pub path: FieldParams,
    /// The document's description and prose (code excluded).
    pub prose: FieldParams,
    /// The document's code blocks and inline code.
    pub code: FieldParams,
    /// A section's heading path.
    pub section_heading: FieldParams,
    /// A section's prose.
    pub section_prose: FieldParams,
    /// A section's code.
    pub section_code: FieldParams,
    /// The best section's share of a document's score.
    pub section: f32,
    /// Documents ranked on their fields before their sections are looked at.
    pub candidates: usize,
    /// A section that warns against something, for a question that asks whether it may be done.
    pub warning: f32,
    /// Reciprocal-rank fusion of the lexical and semantic rankings: a
    /// document at rank r (from 1) of a ranking earns weight / (k + r).
    pub fusion_k: f32,
    /// The lexical ranking's weight in the fusion.
    pub lexical_rank: f32,
    /// The semantic ranking's weight in the fusion.
    pub semantic_rank: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            title: params(3.0, 0.5),
            headings: params(1.5, 0.5),
            path: params(1.5, 0.5),
            prose: params(1.0, 0.75),
            code: params(1.0, 0.75),
            section_heading: params(2.0, 0.5),
            section_prose: params(1.0, 0.75),
            section_code: params(1.0, 0.75),
            section: 0.5,
            candidates: 100,
            warning: 0.5,
            fusion_k: 5.0,
            lexical_rank: 6.0,
            semantic_rank: 1.0,
        }
    }
}

/// A pack's opened search indexes (documents and sections), ready to rank.
pub struct SearchIndex {
    /// The reload policy is manual, so one searcher serves every query.
    docs: Searcher,
    sections: Searcher,
    doc_fields: DocFields,
    section_fields: SectionFields,
    doc_scorer: Bm25f,
    section_scorer: Bm25f,
    doc_columns: Columns,
    section_columns: Columns,
    analyzer: TextAnalyzer,
    weights: Weights,
    #[cfg(feature = "semantic")]
    semantic: Option<Semantic>,
}

/// The model and the pack's document vectors, for hybrid ranking.
#[cfg(feature = "semantic")]
struct Semantic {
    model: std::sync::Arc<crate::semantic::Model>,
    vectors: crate::semantic::Vectors,
}

/// A question as the index sees it: distinct terms, with how often each is said.
#[derive(Debug, Default)]
struct Question {
    terms: Vec<(String, f32)>,
    /// It asks whether something may be done, or what must not be.
    asks_permission: bool,
    /// Only the first MAX_QUESTION_BYTES were read.
    clipped: bool,
}

/// A section found for a candidate document.
#[derive(Debug, Clone, Copy)]
struct SectionMatch {
    score: f32,
    address: DocAddress,
    line_start: u32,
    line_end: u32,
}

/// A document with its score and its best sections.
struct Ranked {
    score: f32,
    address: DocAddress,
    key_hash: u64,
    sections: Vec<SectionMatch>,
}

impl SearchIndex {
    /// Opens the indexes under `dir` (the pack's `index/`), ranking lexically
    /// with the default weights.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        let searcher = |sub: &str| -> Result<(Index, Searcher), SearchError> {
            let index = Index::open_in_dir(dir.join(sub)).map_err(search_err)?;
            index::register_analyzer(&index);
            let reader: IndexReader =
                index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(search_err)?;
            Ok((index, reader.searcher()))
        };
        let (doc_index, docs) = searcher(DOCS_DIR)?;
        let (_, sections) = searcher(SECTIONS_DIR)?;
        let analyzer = doc_index.tokenizers().get(ANALYZER).ok_or_else(|| search_err("analyzer missing"))?;
        let (doc_fields, section_fields) = (index::doc_schema().1, index::section_schema().1);
        let weights = Weights::default();
        Ok(SearchIndex {
            doc_scorer: Bm25f::new(&docs, doc_field_weights(&doc_fields, &weights))?,
            section_scorer: Bm25f::new(&sections, section_field_weights(&section_fields, &weights))?,
            doc_columns: Columns::open(&docs, &["key_hash"]),
            section_columns: Columns::open(&sections, &["key_hash", "line_start", "line_end", "warning"]),
            docs,
            sections,
            doc_fields,
            section_fields,
            analyzer,
            weights,
            #[cfg(feature = "semantic")]
            semantic: None,
        })
    }

    /// Ranks hybrid: the lexical ranking fused with the documents' similarity to the question.
    #[cfg(feature = "semantic")]
    pub fn with_semantic(
        mut self,
        model: std::sync::Arc<crate::semantic::Model>,
        vectors: crate::semantic::Vectors,
    ) -> SearchIndex {
        self.semantic = Some(Semantic { model, vectors });
        self
    }

    /// Whether questions are ranked hybrid.
    pub fn is_hybrid(&self) -> bool {
        #[cfg(feature = "semantic")]
        return self.semantic.is_some();
        #[cfg(not(feature = "semantic"))]
        false
    }

    /// The same index, ranked with other weights (for evaluation).
    pub fn with_weights(mut self, weights: Weights) -> Result<SearchIndex, SearchError> {
        self.doc_scorer = Bm25f::new(&self.docs, doc_field_weights(&self.doc_fields, &weights))?;
        self.section_scorer = Bm25f::new(&self.sections, section_field_weights(&self.section_fields, &weights))?;
        self.weights = weights;
        Ok(self)
    }

    /// The weights it ranks with.
    pub fn weights(&self) -> Weights {
        self.weights
    }

    /// The best documents for a question, each citing its best section.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let question = self.question(&request.text);
        if question.terms.is_empty() {
            return Ok(SearchResults {
                hits: Vec::new(),
                note: Some("the question has no words to search for (only punctuation or common words)".into()),
            });
        }
        let limit = request.limit.max(1);
        let mut ranked = self.rank_documents(request, &question)?;
        self.attach_sections(&question, &mut ranked)?;
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
        #[cfg(feature = "semantic")]
        if let Some(semantic) = &self.semantic {
            ranked = self.fuse(ranked, semantic, request)?;
        }
        ranked.truncate(limit);
        let hits = ranked.iter().map(|r| self.hit(r, &question)).collect::<Result<Vec<_>, _>>()?;
        let note = question.clipped.then(|| {
            format!("the question is longer than {} KB; only its start was searched", MAX_QUESTION_BYTES / 1024)
        });
        Ok(SearchResults { hits, note })
    }

    /// Analyzed terms of the question with how often each occurs, first seen first.
    fn question(&self, text: &str) -> Question {
        let clipped = crate::document::clip(text, MAX_QUESTION_BYTES);
        let (text, clipped) = (clipped, clipped.len() < text.len());
        let mut analyzer = self.analyzer.clone();
        let lower = format!(" {} ", text.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" "));
        let mut question = Question {
            asks_permission: PROHIBITION_CUES.iter().any(|cue| lower.contains(&format!(" {cue}"))),
            clipped,
            ..Question::default()
        };
        for term in analyze::terms(&mut analyzer, text) {
            if QUESTION_WORDS.contains(&term.as_str()) {
                continue;
            }
            if let Some((_, count)) = question.terms.iter_mut().find(|(t, _)| *t == term) {
                *count += 1.0;
            } else if question.terms.len() < MAX_TERMS {
                question.terms.push((term, 1.0));
            }
        }
        question
    }

    fn rank_documents(&self, request: &SearchRequest, question: &Question) -> Result<Vec<Ranked>, SearchError> {
        let allowed = self.filtered(request)?;
        let mut scored: Vec<(f32, DocAddress)> = self
            .doc_scorer
            .score(&question.terms)?
            .into_iter()
            .filter(|(address, _)| allowed.as_ref().is_none_or(|set| set.contains(address)))
            .map(|(address, score)| (score, address))
            .collect();
        // Only the candidates are kept: select them, then sort only those.
        // The order is total (score, then address), so the result is the
        // same as sorting everything.
        let order = |a: &(f32, DocAddress), b: &(f32, DocAddress)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let keep = self.weights.candidates.max(request.limit);
        if scored.len() > keep {
            scored.select_nth_unstable_by(keep, order);
            scored.truncate(keep);
        }
        scored.sort_unstable_by(order);
        Ok(scored
            .into_iter()
            .map(|(score, address)| Ranked {
                score,
                address,
                key_hash: self.doc_columns.get(0, address),
                sections: Vec::new(),
            })
            .collect())
    }

    /// Reciprocal-rank fusion of the lexical ranking with the semantic one.
    /// A document only the semantic ranking found cites its first section.
    #[cfg(feature = "semantic")]
    fn fuse(
        &self,
        lexical: Vec<Ranked>,
        semantic: &Semantic,
        request: &SearchRequest,
    ) -> Result<Vec<Ranked>, SearchError> {
        let w = self.weights;
        let similar = crate::semantic::rank(&semantic.model, &semantic.vectors, &request.text, w.candidates)
            .map_err(|e| SearchError::Index(e.to_string()))?;
        let mut fused: HashMap<u64, (f32, Option<Ranked>)> = HashMap::new();
        for (i, ranked) in lexical.into_iter().enumerate() {
            fused.insert(ranked.key_hash, (w.lexical_rank / (w.fusion_k + i as f32 + 1.0), Some(ranked)));
        }
        for (i, (key, _)) in similar.iter().enumerate() {
            fused.entry(*key).or_insert((0.0, None)).0 += w.semantic_rank / (w.fusion_k + i as f32 + 1.0);
        }
        let mut order: Vec<(u64, f32, Option<Ranked>)> = fused.into_iter().map(|(k, (s, r))| (k, s, r)).collect();
        order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let allowed = self.filtered(request)?;
        let mut out = Vec::with_capacity(request.limit);
        for (key, score, ranked) in order {
            if out.len() >= request.limit.max(1) {
                break;
            }
            let ranked = match ranked {
                Some(ranked) => ranked,
                None => match self.address_of(key)? {
                    Some(address) if allowed.as_ref().is_none_or(|set| set.contains(&address)) => {
                        Ranked { score, address, key_hash: key, sections: Vec::new() }
                    }
                    _ => continue,
                },
            };
            out.push(Ranked { score, ..ranked });
        }
        Ok(out)
    }

    /// The document with this key hash, if it is in the index.
    #[cfg(feature = "semantic")]
    fn address_of(&self, key_hash: u64) -> Result<Option<DocAddress>, SearchError> {
        let query = TermQuery::new(Term::from_field_u64(self.doc_fields.key_hash, key_hash), IndexRecordOption::Basic);
        let found = self.docs.search(&query, &DocSetCollector).map_err(search_err)?;
        Ok(found.into_iter().next())
    }

    /// The documents a system or kind filter lets through, when there is one.
    fn filtered(&self, request: &SearchRequest) -> Result<Option<HashSet<DocAddress>>, SearchError> {
        let f = self.doc_fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        if let Some(system) = &request.system {
            clauses.push((Occur::Must, term(f.systems, system)));
        }
        if let Some(kind) = &request.kind {
            clauses.push((Occur::Must, term(f.kind, kind)));
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        let set = self.docs.search(&BooleanQuery::new(clauses), &DocSetCollector).map_err(search_err)?;
        Ok(Some(set))
    }

    /// Finds the best sections of each ranked document and folds the best one's score in.
    fn attach_sections(&self, question: &Question, ranked: &mut [Ranked]) -> Result<(), SearchError> {
        if ranked.is_empty() {
            return Ok(());
        }
        let w = self.weights;
        let mut wanted: Vec<u64> = ranked.iter().map(|r| r.key_hash).collect();
        wanted.sort_unstable();
        let columns = &self.section_columns;
        let warning_boost = if question.asks_permission { 1.0 + w.warning } else { 1.0 };
        let mut by_doc: HashMap<u64, Vec<SectionMatch>> = HashMap::new();
        for (address, score) in self.section_scorer.score(&question.terms)? {
            let hash = columns.get(0, address);
            if wanted.binary_search(&hash).is_ok() {
                let warns = columns.get(3, address) == 1;
                by_doc.entry(hash).or_default().push(SectionMatch {
                    score: if warns { score * warning_boost } else { score },
                    address,
                    line_start: columns.get(1, address) as u32,
                    line_end: columns.get(2, address) as u32,
                });
            }
        }
        for sections in by_doc.values_mut() {
            sections.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.line_start.cmp(&b.line_start)));
            sections.truncate(1 + MAX_ALSO);
        }
        let best_doc = ranked.iter().map(|r| r.score).fold(f32::EPSILON, f32::max);
        let best_section = by_doc.values().filter_map(|s| s.first()).map(|s| s.score).fold(f32::EPSILON, f32::max);
        for r in ranked.iter_mut() {
            r.sections = by_doc.remove(&r.key_hash).unwrap_or_default();
            let section = r.sections.first().map_or(0.0, |s| s.score);
            r.score = r.score / best_doc + w.section * section / best_section;
        }
        Ok(())
    }

    fn hit(&self, ranked: &Ranked, question: &Question) -> Result<Hit, SearchError> {
        let f = self.doc_fields;
        let doc: TantivyDocument = self.docs.doc(ranked.address).map_err(search_err)?;
        let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let number = |field: Field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(1) as u32;
        let path = text(f.path);
        let (line_start, line_end, heading, snippet) = match ranked.sections.first() {
            Some(best) => {
                let section: TantivyDocument = self.sections.doc(best.address).map_err(search_err)?;
                let s = self.section_fields;
                let get = |field: Field| section.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
                let snippet = snippet(get(s.text), &question.terms);
                (best.line_start, best.line_end, get(s.heading).to_string(), snippet)
            }
            None => (number(f.first_start), number(f.first_end), text(f.first_heading), String::new()),
        };
        let mut also = Vec::new();
        for section in ranked.sections.iter().skip(1) {
            also.push(self.section_ref(&path, section)?);
        }
        Ok(Hit {
            cite: cite(&path, line_start, line_end),
            line_start,
            line_end,
            title: text(f.title),
            heading,
            kind: text(f.kind),
            record: text(f.record),
            systems: doc.get_all(f.systems).filter_map(|v| v.as_str().map(str::to_string)).collect(),
            score: ranked.score,
            snippet,
            also,
            path,
        })
    }

    fn section_ref(&self, path: &str, s: &SectionMatch) -> Result<SectionRef, SearchError> {
        let section: TantivyDocument = self.sections.doc(s.address).map_err(search_err)?;
        let heading = section.get_first(self.section_fields.heading).and_then(|v| v.as_str()).unwrap_or_default();
        Ok(SectionRef {
            cite: cite(path, s.line_start, s.line_end),
            heading: heading.to_string(),
            line_start: s.line_start,
            line_end: s.line_end,
        })
    }
}

fn field(field: Field, p: FieldParams) -> FieldWeight {
    FieldWeight { field, weight: p.weight, b: p.b }
}

fn doc_field_weights(f: &DocFields, w: &Weights) -> Vec<FieldWeight> {
    vec![
        field(f.title, w.title),
        field(f.headings, w.headings),
        field(f.path_words, w.path),
        field(f.prose, w.prose),
        field(f.code, w.code),
    ]
}

fn section_field_weights(f: &SectionFields, w: &Weights) -> Vec<FieldWeight> {
    vec![field(f.heading, w.section_heading), field(f.prose, w.section_prose), field(f.code, w.section_code)]
}

/// Fast-field columns opened once per segment for one search.
struct Columns {
    /// By segment, then by the names asked for.
    segments: Vec<Vec<Option<Column<u64>>>>,
}

impl Columns {
    fn open(searcher: &Searcher, names: &[&str]) -> Columns {
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|segment| names.iter().map(|name| segment.fast_fields().u64(name).ok()).collect())
            .collect();
        Columns { segments }
    }

    fn get(&self, column: usize, address: DocAddress) -> u64 {
        self.segments
            .get(address.segment_ord as usize)
            .and_then(|columns| columns.get(column))
            .and_then(|c| c.as_ref())
            .and_then(|c| c.first(address.doc_id))
            .unwrap_or(0)
    }
}

/// The line of a section that holds most of the question's terms. A term
/// counts where its stem occurs in the line: a stem is nearly always a
/// prefix of the words it stands for, and this needs no analysis per line.
fn snippet(text: &str, terms: &[(String, f32)]) -> String {
    let best = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let lower = line.to_lowercase();
            let shared = terms.iter().filter(|(t, _)| lower.contains(t.as_str())).count();
            // The heading line only when nothing else matches.
            (shared * 2 + usize::from(i > 0), line)
        })
        .max_by_key(|(score, _)| *score)
        .map(|(_, line)| line.trim())
        .unwrap_or("");
    crate::document::clip(best, MAX_SNIPPET_BYTES).to_string()
}
