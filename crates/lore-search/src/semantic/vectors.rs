//! `vectors.bin`: one int8 vector per document, keyed by the document and
//! the hash of the text it was made from, so a rebuild embeds only what
//! changed. A checksum guards the file; a damaged or foreign file is
//! rebuilt, and the build says so.
//!
//! Layout (little-endian): magic `LOREVEC1`, dims u32, text version u32,
//! model fingerprint u64, count u64; then per document its key hash u64,
//! text hash u64, scale f32 and `dims` i8; then an xxh3 of all before.

use std::collections::HashMap;
use std::path::Path;

use super::{Model, SemanticError, document_text};
use crate::EmbeddingUpdate;
use crate::document::{IndexDoc, key_hash};

/// The vectors' file name, in the pack's `index/` directory.
pub const VECTORS_FILE: &str = "vectors.bin";
const MAGIC: &[u8; 8] = b"LOREVEC1";
/// Bumped when what is embedded of a document changes.
const TEXT_VERSION: u32 = 1;
const HEADER: usize = 8 + 4 + 4 + 8 + 8;

struct Entry {
    key: u64,
    text: u64,
    scale: f32,
    values: Vec<i8>,
}

/// The vectors of a pack's documents.
pub struct Vectors {
    dims: usize,
    model: u64,
    entries: Vec<Entry>,
}

impl Vectors {
    /// Reads `vectors.bin` from `dir`; `Ok(None)` when there is none.
    pub fn open(dir: &Path) -> Result<Option<Vectors>, SemanticError> {
        let path = dir.join(VECTORS_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => Vectors::decode(&bytes)
                .map(Some)
                .map_err(|reason| SemanticError::Io(format!("{} is damaged ({reason})", path.display()))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(SemanticError::Io(format!("reading {}: {err}", path.display()))),
        }
    }

    /// The [`Model::fingerprint`] of the model that made them.
    pub fn model(&self) -> u64 {
        self.model
    }

    /// How many documents have a vector.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no document has a vector.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Cosine of each document with a unit `query`.
    pub fn similarities(&self, query: &[f32]) -> Vec<(u64, f32)> {
        self.entries
            .iter()
            .map(|e| {
                let dot: f32 = e.values.iter().zip(query).map(|(v, q)| f32::from(*v) * q).sum();
                (e.key, dot * e.scale)
            })
            .collect()
    }

    fn decode(bytes: &[u8]) -> Result<Vectors, String> {
        let body_len = bytes.len().checked_sub(8).ok_or("too short")?;
        let (body, sum) = bytes.split_at(body_len);
        if xxhash_rust::xxh3::xxh3_64(body).to_le_bytes() != sum {
            return Err("checksum mismatch".into());
        }
        if body.len() < HEADER || &body[..8] != MAGIC {
            return Err("not a lore vectors file".into());
        }
        let u32_at = |at: usize| u32::from_le_bytes(body[at..at + 4].try_into().unwrap_or_default());
        let u64_at = |at: usize| u64::from_le_bytes(body[at..at + 8].try_into().unwrap_or_default());
        let dims = u32_at(8) as usize;
        if u32_at(12) != TEXT_VERSION {
            return Err("made by another version of lore".into());
        }
        let model = u64_at(16);
        let count = u64_at(24) as usize;
        let entry_len = 8 + 8 + 4 + dims;
        if count.checked_mul(entry_len).and_then(|n| n.checked_add(HEADER)) != Some(body.len()) {
            return Err("truncated".into());
        }
        let entries = (0..count)
            .map(|i| {
                let at = HEADER + i * entry_len;
                Entry {
                    key: u64_at(at),
                    text: u64_at(at + 8),
                    scale: f32::from_le_bytes(body[at + 16..at + 20].try_into().unwrap_or_default()),
                    values: body[at + 20..at + entry_len].iter().map(|b| *b as i8).collect(),
                }
            })
            .collect();
        Ok(Vectors { dims, model, entries })
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.entries.len() * (20 + self.dims) + 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.dims as u32).to_le_bytes());
        out.extend_from_slice(&TEXT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.model.to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u64).to_le_bytes());
        for e in &self.entries {
            out.extend_from_slice(&e.key.to_le_bytes());
            out.extend_from_slice(&e.text.to_le_bytes());
            out.extend_from_slice(&e.scale.to_le_bytes());
            out.extend(e.values.iter().map(|v| *v as u8));
        }
        let sum = xxhash_rust::xxh3::xxh3_64(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }
}

/// Symmetric int8: the largest component maps to ±127.
fn quantize(vector: &[f32]) -> (f32, Vec<i8>) {
    let max = vector.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if max == 0.0 {
        return (0.0, vec![0; vector.len()]);
    }
    let scale = max / 127.0;
    (scale, vector.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8).collect())
}

/// Embeds the documents whose text changed since the vectors in `dir` were
/// made (all of them when the file is missing, damaged or from another
/// model), and writes the file again.
pub fn update_vectors(dir: &Path, docs: &[IndexDoc<'_>], model: &Model) -> Result<EmbeddingUpdate, SemanticError> {
    let mut update = EmbeddingUpdate::default();
    let previous = match Vectors::open(dir) {
        Ok(Some(v)) if v.model == model.fingerprint() && v.dims == model.dims() => Some(v),
        Ok(Some(_)) => {
            update.rebuilt = Some("the embedding model changed; embedding every document again".into());
            None
        }
        Ok(None) => None,
        Err(err) => {
            update.rebuilt = Some(format!("{err}; embedding every document again"));
            None
        }
    };
    let mut known: HashMap<(u64, u64), Entry> =
        previous.into_iter().flat_map(|v| v.entries).map(|e| ((e.key, e.text), e)).collect();
    let mut entries = Vec::with_capacity(docs.len());
    let mut pending: Vec<(u64, u64, String)> = Vec::new();
    for doc in docs {
        let text = document_text(doc);
        let key = key_hash(&doc.key());
        let text_hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        match known.remove(&(key, text_hash)) {
            Some(entry) => entries.push(entry),
            None => pending.push((key, text_hash, text)),
        }
    }
    update.reused = entries.len();
    update.embedded = pending.len();
    if !pending.is_empty() {
        let texts: Vec<String> = pending.iter().map(|(_, _, t)| t.clone()).collect();
        let vectors = model.embed_documents(&texts)?;
        for ((key, text, _), vector) in pending.into_iter().zip(vectors) {
            let (scale, values) = quantize(&vector);
            entries.push(Entry { key, text, scale, values });
        }
    }
    entries.sort_by_key(|e| e.key);
    let vectors = Vectors { dims: model.dims(), model: model.fingerprint(), entries };
    write_atomic(&dir.join(VECTORS_FILE), &vectors.encode())?;
    Ok(update)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SemanticError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|err| SemanticError::Io(format!("writing {}: {err}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vectors {
        let (scale, values) = quantize(&[0.6, -0.8, 0.0]);
        Vectors { dims: 3, model: 7, entries: vec![Entry { key: 1, text: 2, scale, values }] }
    }

    #[test]
    fn round_trips_and_keeps_cosines() {
        let decoded = Vectors::decode(&sample().encode()).expect("decodes");
        assert_eq!((decoded.dims, decoded.model, decoded.len()), (3, 7, 1));
        let cosine = decoded.similarities(&[0.6, -0.8, 0.0])[0].1;
        assert!((cosine - 1.0).abs() < 0.01, "{cosine}");
    }

    #[test]
    fn damage_is_detected() {
        let mut bytes = sample().encode();
        bytes[30] ^= 1;
        assert_eq!(Vectors::decode(&bytes).err().as_deref(), Some("checksum mismatch"));
        assert!(Vectors::decode(&bytes[..10]).is_err());
        assert!(Vectors::decode(&[]).is_err());
    }
}
