//! Opening a pack's search the same way for every front end: lexical
//! always, hybrid when an embedding model is configured (`[search] model`
//! or `LORE_MODEL`) and this lore has the `semantic` feature.

use std::path::Path;

use lore_pack::Pack;
use lore_search::SearchIndex;

use crate::Knowledge;
use crate::error::Result;

/// A pack's search, and what a user should know about how it ranks.
pub struct OpenedSearch {
    /// The index, hybrid when a model is loaded.
    pub index: SearchIndex,
    /// Set when a configured model is not used.
    pub note: Option<String>,
}

/// Opens the search of `pack`. With a model configured, a pack without
/// embeddings from that model is brought up to date first (only the
/// embeddings are computed); a model that is missing is an error that names
/// its directory and the fetch script.
pub fn open(knowledge: &Knowledge, pack: &Pack) -> Result<OpenedSearch> {
    let dir = pack.dir().join(lore_pack::store::INDEX_DIR);
    let index = SearchIndex::open(&dir)?;
    match knowledge.model_dir() {
        None => Ok(OpenedSearch { index, note: None }),
        Some(model) => with_model(knowledge, index, &dir, &model),
    }
}

#[cfg(feature = "semantic")]
fn with_model(knowledge: &Knowledge, index: SearchIndex, dir: &Path, model_dir: &Path) -> Result<OpenedSearch> {
    use lore_search::semantic::{Model, Vectors};
    let model = std::sync::Arc::new(Model::load(model_dir)?);
    let current = |vectors: &Option<Vectors>| vectors.as_ref().is_some_and(|v| v.model() == model.fingerprint());
    let mut index = index;
    let mut vectors = Vectors::open(dir).ok().flatten();
    if !current(&vectors) {
        knowledge.build(false, None)?;
        index = SearchIndex::open(dir)?;
        vectors = Vectors::open(dir)?;
    }
    match vectors.filter(|v| v.model() == model.fingerprint()) {
        Some(vectors) => Ok(OpenedSearch { index: index.with_semantic(model, vectors), note: None }),
        None => Ok(OpenedSearch {
            index,
            note: Some(format!(
                "the documents could not be embedded with the model at {}; searching lexically (run `lore build` to see why)",
                model_dir.display()
            )),
        }),
    }
}

#[cfg(not(feature = "semantic"))]
fn with_model(_knowledge: &Knowledge, index: SearchIndex, _dir: &Path, model_dir: &Path) -> Result<OpenedSearch> {
    let note = format!(
        "an embedding model is configured ({}), but this lore was built without the `semantic` feature; searching lexically",
        model_dir.display()
    );
    Ok(OpenedSearch { index, note: Some(note) })
}

/// The pack's lexical search for the gate, opened at its first query: a
/// check that needs no search never pays for it, and a server that keeps
/// one opens the index once. If the index cannot be opened, the gate
/// decides without related sections.
pub struct GateSearch {
    dir: std::path::PathBuf,
    index: std::sync::OnceLock<Option<SearchIndex>>,
}

impl GateSearch {
    /// The search of `pack`, not opened yet.
    pub fn new(pack: &Pack) -> GateSearch {
        GateSearch { dir: pack.dir().join(lore_pack::store::INDEX_DIR), index: std::sync::OnceLock::new() }
    }
}

impl lore_gate::RelatedSearch for GateSearch {
    fn sections(&self, query: &str, limit: usize) -> Vec<lore_gate::RelatedSection> {
        let Some(index) = self.index.get_or_init(|| SearchIndex::open(&self.dir).ok()) else {
            return Vec::new();
        };
        let request = lore_search::SearchRequest { text: query.to_string(), system: None, kind: None, limit };
        let Ok(results) = index.search(&request) else { return Vec::new() };
        results
            .hits
            .into_iter()
            .filter(|hit| matches!(hit.kind.as_str(), "runbook" | "incident"))
            .map(|hit| lore_gate::RelatedSection {
                path: hit.path,
                line_start: hit.line_start,
                line_end: hit.line_end,
                title: hit.title,
                heading: hit.heading,
                kind: hit.kind,
                snippet: hit.snippet,
            })
            .collect()
    }
}
