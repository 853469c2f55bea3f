//! Semantic ranking (the `semantic` feature): each document is embedded at
//! build time with all-MiniLM-L6-v2 (candle, in pure Rust), the vectors are
//! kept in the pack as int8, and a question's embedding is compared with
//! every one exactly. The ranking is fused with the lexical one by
//! reciprocal-rank fusion.

mod bert;
mod vectors;

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

pub use vectors::{VECTORS_FILE, Vectors, update_vectors};

use crate::document::IndexDoc;

/// The files a model directory must hold.
pub const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
/// Wordpieces of a document that are embedded: its title and its opening.
/// Longer costs build time linearly (about 0.5 ms per wordpiece on 2 cores).
pub const DOCUMENT_TOKENS: usize = 96;
/// Wordpieces of a question that are embedded.
pub const QUESTION_TOKENS: usize = 128;
/// Texts embedded together; sorted by length, so padding stays small.
const BATCH: usize = 32;

/// Why the embedding model could not be loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    /// A file of the model is not in its directory.
    #[error(
        "no embedding model at {dir} ({file} is missing); fetch it with `scripts/fetch-model.sh {dir}`, or remove `[search] model` from lore.toml and unset LORE_MODEL"
    )]
    ModelMissing {
        /// The model directory.
        dir: PathBuf,
        /// The first of [`MODEL_FILES`] missing.
        file: &'static str,
    },
    /// The model's files are there but do not load.
    #[error("the embedding model at {dir} cannot be loaded: {reason}")]
    ModelInvalid {
        /// The model directory.
        dir: PathBuf,
        /// Which file failed, and why.
        reason: String,
    },
    /// Tokenising or running the model failed; holds candle's or the tokenizer's message.
    #[error("embedding failed: {0}")]
    Embedding(String),
    /// `vectors.bin` could not be read or written, or is damaged; says which.
    #[error("{0}")]
    Io(String),
}

fn embedding_err(err: impl std::fmt::Display) -> SemanticError {
    SemanticError::Embedding(err.to_string())
}

/// A loaded sentence-embedding model.
pub struct Model {
    bert: bert::Bert,
    /// Cut at [`DOCUMENT_TOKENS`] and padded to the longest in a batch.
    documents: Tokenizer,
    /// Cut at [`QUESTION_TOKENS`].
    questions: Tokenizer,
    /// Tells one model's vectors from another's.
    fingerprint: u64,
    dims: usize,
}

impl Model {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    pub fn load(dir: &Path) -> Result<Model, SemanticError> {
        for file in MODEL_FILES {
            if !dir.join(file).is_file() {
                return Err(SemanticError::ModelMissing { dir: dir.to_path_buf(), file });
            }
        }
        let invalid = |reason: String| SemanticError::ModelInvalid { dir: dir.to_path_buf(), reason };
        let config_text = std::fs::read(dir.join("config.json")).map_err(|e| invalid(e.to_string()))?;
        let config: bert::BertConfig =
            serde_json::from_slice(&config_text).map_err(|e| invalid(format!("config.json: {e}")))?;
        let tokenizer_path = dir.join("tokenizer.json");
        let tokenizer = Tokenizer::from_file(&tokenizer_path).map_err(|e| invalid(format!("tokenizer.json: {e}")))?;
        let weights = dir.join("model.safetensors");
        let bytes = std::fs::read(&weights).map_err(|e| invalid(format!("model.safetensors: {e}")))?;
        let fingerprint = fingerprint(&config_text, &tokenizer_path, &bytes);
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
            .map_err(|e| invalid(format!("model.safetensors: {e}")))?;
        let bert = bert::Bert::load(&vb, &config).map_err(|e| invalid(e.to_string()))?;
        let cut = |max: usize| -> Result<Tokenizer, SemanticError> {
            let mut t = tokenizer.clone();
            let max_length = max.min(bert.max_positions).max(2);
            t.with_truncation(Some(TruncationParams { max_length, ..Default::default() }))
                .map_err(|e| invalid(format!("tokenizer.json: {e}")))?;
            t.with_padding(Some(PaddingParams::default()));
            Ok(t)
        };
        let (documents, questions) = (cut(DOCUMENT_TOKENS)?, cut(QUESTION_TOKENS)?);
        Ok(Model { bert, documents, questions, fingerprint, dims: config.hidden_size })
    }

    /// A hash of the model's configuration, vocabulary and weights' layout:
    /// vectors made with another fingerprint are not comparable.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The length of its vectors (384 for all-MiniLM-L6-v2).
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Unit vectors for documents' texts, each cut at [`DOCUMENT_TOKENS`] wordpieces.
    pub fn embed_documents(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SemanticError> {
        keep_freed_memory();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for batch in order.chunks(BATCH) {
            let inputs: Vec<&str> = batch.iter().map(|&i| texts[i].as_str()).collect();
            let vectors = self.embed_batch(&self.documents, inputs)?;
            for (&i, vector) in batch.iter().zip(vectors) {
                out[i] = vector;
            }
        }
        Ok(out)
    }

    fn embed_batch(&self, tokenizer: &Tokenizer, texts: Vec<&str>) -> Result<Vec<Vec<f32>>, SemanticError> {
        let encodings = tokenizer.encode_batch(texts, true).map_err(embedding_err)?;
        let rows = |f: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> Result<Tensor, SemanticError> {
            let rows: Vec<Tensor> = encodings
                .iter()
                .map(|e| Tensor::new(f(e), &Device::Cpu))
                .collect::<Result<_, _>>()
                .map_err(embedding_err)?;
            Tensor::stack(&rows, 0).map_err(embedding_err)
        };
        let ids = rows(&|e| e.get_ids())?;
        let mask = rows(&|e| e.get_attention_mask())?;
        let hidden = self.bert.forward(&ids, &mask).map_err(embedding_err)?;
        let pooled = bert::mean_pool_normalized(&hidden, &mask).map_err(embedding_err)?;
        pooled.to_vec2::<f32>().map_err(embedding_err)
    }

    /// A question's vector, from its first [`QUESTION_TOKENS`] wordpieces.
    pub fn embed_question(&self, question: &str) -> Result<Vec<f32>, SemanticError> {
        let mut vectors = self.embed_batch(&self.questions, vec![question])?;
        vectors.pop().ok_or_else(|| embedding_err("no vector"))
    }
}

/// Every tensor of a batch is a fresh allocation of a few megabytes, which
/// glibc maps and unmaps each time; faulting those pages in again costs a
/// fifth of the time. Raising the thresholds keeps freed blocks in the heap
/// for this process (measured: 1,600 → 2,050 wordpieces/s on 2 cores).
#[allow(unsafe_code)]
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` takes plain integers and touches no Rust memory; it
    // only sets glibc's allocator tunables (under glibc's own lock, so a call
    // from any thread is fine), and both parameters are ones glibc defines
    // with in-range values. A rejected value makes it return 0, ignored here:
    // the thresholds are a speed-up, not something correctness relies on.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
    }
}

/// The model's configuration, vocabulary and weights header: what decides its vectors.
fn fingerprint(config: &[u8], tokenizer: &Path, weights: &[u8]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(config);
    hasher.update(&std::fs::read(tokenizer).unwrap_or_default());
    hasher.update(&(weights.len() as u64).to_le_bytes());
    // The safetensors header names every tensor with its shape and offsets.
    let header = weights.get(..8).map(|n| u64::from_le_bytes(n.try_into().unwrap_or([0; 8]))).unwrap_or(0);
    hasher.update(weights.get(..(8 + header as usize).min(weights.len())).unwrap_or_default());
    hasher.digest()
}

/// What of a document is embedded: its title, description and opening prose.
pub fn document_text(doc: &IndexDoc<'_>) -> String {
    let d = doc.doc;
    let mut out = d.title.clone();
    for part in std::iter::once(d.description.as_str()).chain(d.chunks.iter().map(|c| c.prose.as_str())) {
        for line in part.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("```") {
                continue;
            }
            out.push_str(". ");
            out.push_str(&crate::document::strip_urls(line));
            // Far more than the model reads; the tokenizer cuts the rest.
            if out.len() > DOCUMENT_TOKENS * 12 {
                return out;
            }
        }
    }
    out
}

/// Documents by similarity to the question, best first: (key hash, cosine).
pub fn rank(model: &Model, vectors: &Vectors, question: &str, limit: usize) -> Result<Vec<(u64, f32)>, SemanticError> {
    let query = model.embed_question(question)?;
    let mut scored = vectors.similarities(&query);
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(limit);
    Ok(scored)
}
