//! BM25F over tantivy's postings: a term's frequency in each field is
//! normalised by that field's length, weighted, and summed before it
//! saturates. A word in a short title then counts for more than the same
//! word lost in a long body, and a word found in every field is not counted
//! once per field (which summing per-field BM25 scores does).

use std::sync::Arc;

use tantivy::fastfield::AliveBitSet;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, InvertedIndexReader, Searcher, TERMINATED, Term};

use crate::SearchError;
use crate::index::search_err;

/// One field's part in the score.
#[derive(Debug, Clone, Copy)]
pub struct FieldWeight {
    pub field: Field,
    pub weight: f32,
    /// How much the field's length normalises its frequencies (BM25's b).
    pub b: f32,
}

/// BM25F's saturation constant.
pub const K1: f32 = 1.2;

/// One segment's readers for the scored fields.
struct Segment {
    max_doc: u32,
    alive: Option<AliveBitSet>,
    fields: Vec<(Arc<InvertedIndexReader>, FieldNormReader)>,
}

/// A scorer over fixed fields of one searcher, with its readers and field
/// statistics looked up once.
pub struct Bm25f {
    fields: Vec<FieldWeight>,
    averages: Vec<f32>,
    documents: f32,
    segments: Vec<Segment>,
}

impl Bm25f {
    pub fn new(searcher: &Searcher, fields: Vec<FieldWeight>) -> Result<Bm25f, SearchError> {
        let mut tokens = vec![0u64; fields.len()];
        let mut max_docs = 0u64;
        let mut segments = Vec::new();
        for reader in searcher.segment_readers() {
            max_docs += u64::from(reader.max_doc());
            let mut readers = Vec::with_capacity(fields.len());
            for (total, field) in tokens.iter_mut().zip(&fields) {
                let index = reader.inverted_index(field.field).map_err(search_err)?;
                *total += index.total_num_tokens();
                readers.push((index, reader.get_fieldnorms_reader(field.field).map_err(search_err)?));
            }
            segments.push(Segment {
                max_doc: reader.max_doc(),
                alive: reader.alive_bitset().cloned(),
                fields: readers,
            });
        }
        let averages = tokens.into_iter().map(|t| (t as f32 / max_docs.max(1) as f32).max(1.0)).collect();
        Ok(Bm25f { fields, averages, documents: searcher.num_docs().max(1) as f32, segments })
    }

    /// Every document that holds at least one term, with its score.
    pub fn score(&self, terms: &[(String, f32)]) -> Result<Vec<(DocAddress, f32)>, SearchError> {
        // Dense per segment: a question touches a fair share of a pack's documents.
        let mut scores: Vec<Vec<f32>> = self.segments.iter().map(|s| vec![0.0; s.max_doc as usize]).collect();
        let mut weighted = scores.clone();
        let mut touched: Vec<DocAddress> = Vec::new();
        for (text, count) in terms {
            touched.clear();
            for (ord, segment) in self.segments.iter().enumerate() {
                for ((field, average), (index, norms)) in self.fields.iter().zip(&self.averages).zip(&segment.fields) {
                    let term = Term::from_field_text(field.field, text);
                    let Some(mut postings) =
                        index.read_postings(&term, IndexRecordOption::WithFreqs).map_err(search_err)?
                    else {
                        continue;
                    };
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        if segment.alive.as_ref().is_none_or(|a| a.is_alive(doc)) {
                            let norm = 1.0 - field.b + field.b * norms.fieldnorm(doc) as f32 / average;
                            let slot = &mut weighted[ord][doc as usize];
                            if *slot == 0.0 {
                                touched.push(DocAddress::new(ord as u32, doc));
                            }
                            *slot += postings.term_freq() as f32 * field.weight / norm.max(f32::EPSILON);
                        }
                        doc = postings.advance();
                    }
                }
            }
            let df = touched.len() as f32;
            let idf = (1.0 + (self.documents - df + 0.5) / (df + 0.5)).ln();
            for address in &touched {
                let (ord, doc) = (address.segment_ord as usize, address.doc_id as usize);
                let tf = std::mem::take(&mut weighted[ord][doc]);
                scores[ord][doc] += count * idf * tf * (K1 + 1.0) / (K1 + tf);
            }
        }
        Ok(scores
            .iter()
            .enumerate()
            .flat_map(|(ord, docs)| {
                docs.iter()
                    .enumerate()
                    .filter(|(_, s)| **s > 0.0)
                    .map(move |(doc, s)| (DocAddress::new(ord as u32, doc as u32), *s))
            })
            .collect())
    }
}
