//! Research dumps: every searchable document as lore reads it, and lore's
//! ranking of each question, as JSON lines for offline experiments.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::{Answer, Question};

/// Writes `documents.jsonl` (each document's title, path and sections) under `dir`.
pub fn documents(root: &Path, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let config = lore_ingest::Config::default();
    let sources = lore_pack::build::effective_sources(&config, root);
    let found = lore_ingest::discover(root, &sources, &root.join(".lore"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("documents.jsonl"))?);
    for file in &found.files {
        let Ok(bytes) = std::fs::read(&file.abs) else { continue };
        let ctx = lore_ingest::FileContext {
            rel_path: &file.rel,
            abs_path: &file.abs,
            source: &sources[file.source_index.min(sources.len() - 1)],
            path_dirs: file.path_dirs.clone(),
            commit: None,
        };
        for doc in lore_ingest::ingest_file(&ctx, &bytes).documents {
            let sections: Vec<_> = doc
                .chunks
                .iter()
                .map(|c| json!({"heading": c.heading_path, "prose": c.prose, "code": c.code, "start": c.line_start, "end": c.line_end}))
                .collect();
            let line = json!({"path": doc.path, "title": doc.title, "kind": doc.kind.as_str(), "sections": sections});
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// Writes `NAME.jsonl`: per question, the ranked paths.
pub fn rankings(dir: &Path, name: &str, questions: &[Question], answers: &[Answer]) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{name}.jsonl")))?);
    for (q, a) in questions.iter().zip(answers) {
        writeln!(out, "{}", json!({"id": q.id, "paths": a.paths, "scores": a.scores}))?;
    }
    Ok(())
}
