//! The search evaluation harness: a labelled question set scored three
//! ways in one run (plain BM25 over whole files, lore lexical, lore
//! hybrid when a model is given), with hit@1, hit@3, MRR@10, whether the
//! cited section holds the labelled lines, and query latency.

pub mod baseline;
pub mod dump;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Deserialize;

/// One labelled question (see `bench/search/README.md`).
#[derive(Debug, Clone, Deserialize)]
pub struct Question {
    /// Its ID, such as `gitlab-001`.
    pub id: String,
    /// The corpus it is about; paths are relative to it. `None`: to the knowledge root.
    #[serde(default)]
    pub corpus: Option<String>,
    /// The question as an operator would ask it.
    pub question: String,
    /// The files that answer it (usually one).
    pub expected: Vec<String>,
    /// The lines that answer it, `path:start-end` (1-based, inclusive).
    #[serde(default)]
    pub lines: Vec<String>,
    /// It asks whether something may be done, and the answer is a warning.
    #[serde(default)]
    pub prohibition: bool,
    /// `dev` (may be tuned on) or `test` (only reported).
    #[serde(default)]
    pub split: Option<String>,
}

impl Question {
    /// Expected paths relative to the knowledge root.
    pub fn expected_paths(&self) -> Vec<String> {
        self.expected.iter().map(|e| self.rooted(e)).collect()
    }

    fn rooted(&self, path: &str) -> String {
        match &self.corpus {
            Some(corpus) => format!("{corpus}/{path}"),
            None => path.to_string(),
        }
    }

    /// The labelled line ranges, by path relative to the knowledge root.
    pub fn expected_lines(&self) -> Vec<(String, u32, u32)> {
        self.lines
            .iter()
            .filter_map(|l| {
                let (path, range) = l.rsplit_once(':')?;
                let (a, b) = range.split_once('-').unwrap_or((range, range));
                Some((self.rooted(path), a.parse().ok()?, b.parse().ok()?))
            })
            .collect()
    }
}

/// Reads a question set: one JSON question per non-empty line.
pub fn load_set(path: &Path) -> Result<Vec<Question>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("{}:{}", path.display(), i + 1)))
        .collect()
}

/// What one ranker returned for one question: paths best first, and each path's cited range.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// The files returned, relative to the knowledge root.
    pub paths: Vec<String>,
    /// Each path's score, when the ranker gives one (empty otherwise).
    pub scores: Vec<f32>,
    /// Each path's cited line range; `None` where the ranker cites no section.
    pub cites: Vec<Option<(u32, u32)>>,
    /// How long the query took.
    pub elapsed: Duration,
}

/// One ranker's scores over a set of questions.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// Questions scored.
    pub n: usize,
    /// Questions whose expected file came first.
    pub hit1: usize,
    /// Questions whose expected file was in the top 3.
    pub hit3: usize,
    /// The sum of 1/rank of the first expected file, over the top 10.
    pub reciprocal: f64,
    /// Questions whose expected document was in the top 3 with a citation.
    pub cited: usize,
    /// Of those, the ones whose cited range overlaps the labelled lines.
    pub cited_right: usize,
}

impl Scores {
    /// Scores one more question's answer.
    pub fn add(&mut self, question: &Question, answer: &Answer) {
        self.n += 1;
        let expected = question.expected_paths();
        let rank = answer.paths.iter().take(10).position(|p| expected.contains(p));
        if rank == Some(0) {
            self.hit1 += 1;
        }
        if let Some(rank) = rank {
            self.reciprocal += 1.0 / (rank + 1) as f64;
            if rank < 3 {
                self.hit3 += 1;
                if let Some(Some((start, end))) = answer.cites.get(rank) {
                    self.cited += 1;
                    let path = &answer.paths[rank];
                    let overlaps =
                        question.expected_lines().iter().any(|(p, a, b)| p == path && *start <= *b && *a <= *end);
                    self.cited_right += usize::from(overlaps);
                }
            }
        }
    }

    /// The share of questions answered first (0–1).
    pub fn hit_at_1(&self) -> f64 {
        ratio(self.hit1, self.n)
    }
    /// The share answered in the top 3 (0–1).
    pub fn hit_at_3(&self) -> f64 {
        ratio(self.hit3, self.n)
    }
    /// The mean reciprocal rank over the top 10 (MRR@10).
    pub fn mrr(&self) -> f64 {
        self.reciprocal / self.n.max(1) as f64
    }
    /// Of the top-3 hits with a citation, the share citing the labelled lines;
    /// `None` when none cited.
    pub fn cited_share(&self) -> Option<f64> {
        (self.cited > 0).then(|| ratio(self.cited_right, self.cited))
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    a as f64 / b.max(1) as f64
}

/// The rank (0-based) of the first expected document, if in the top 10.
pub fn rank_of(question: &Question, answer: &Answer) -> Option<usize> {
    let expected = question.expected_paths();
    answer.paths.iter().take(10).position(|p| expected.contains(p))
}

/// Per ranker, per group ("all", "dev", "test", each corpus, "prohibitions").
pub type Table = BTreeMap<String, Scores>;

/// Scores answers (one per question, in order) into groups: all, each
/// split, each corpus, prohibitions.
pub fn score(questions: &[Question], answers: &[Answer]) -> Table {
    let mut table = Table::new();
    for (q, a) in questions.iter().zip(answers) {
        let mut groups = vec!["all".to_string()];
        groups.extend(q.split.clone());
        groups.extend(q.corpus.clone().map(|c| format!("corpus {c}")));
        if q.prohibition {
            groups.push("prohibitions".into());
            groups.extend(q.split.as_ref().map(|s| format!("{s} prohibitions")));
        }
        for group in groups {
            table.entry(group).or_default().add(q, a);
        }
    }
    table
}

/// Latency percentiles of a ranker's answers.
pub fn percentile(answers: &[Answer], p: f64) -> Duration {
    let mut times: Vec<Duration> = answers.iter().map(|a| a.elapsed).collect();
    times.sort();
    times.get(((times.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
}

/// The plain BM25 baseline over every file of `root`.
pub fn run_baseline(root: &Path, questions: &[Question]) -> Vec<Answer> {
    let index = baseline::Bm25::over(root);
    questions
        .iter()
        .map(|q| {
            let started = Instant::now();
            let paths: Vec<String> = index.search(&q.question, 10).into_iter().map(str::to_string).collect();
            let elapsed = started.elapsed();
            Answer { cites: vec![None; paths.len()], scores: Vec::new(), paths, elapsed }
        })
        .collect()
}

/// Builds (or refreshes) lore's pack for `root` in `pack_dir`, with zero
/// configuration unless `root` has a `lore.toml`.
pub fn build_pack(root: &Path, pack_dir: &Path, model: Option<&Path>) -> Result<lore_pack::BuildReport> {
    let config_path = root.join(lore_ingest::config::CONFIG_FILE);
    let config =
        if config_path.is_file() { lore_ingest::Config::load(&config_path)? } else { lore_ingest::Config::default() };
    let options = lore_pack::BuildOptions {
        root: root.to_path_buf(),
        pack_dir: pack_dir.to_path_buf(),
        config,
        force: false,
        model: model.map(Path::to_path_buf),
        progress: None,
    };
    Ok(lore_pack::build(&options)?)
}

/// lore's answers, as `lore ask` would give them.
pub fn run_lore(index: &lore_search::SearchIndex, questions: &[Question], limit: usize) -> Result<Vec<Answer>> {
    questions
        .iter()
        .map(|q| {
            let request = lore_search::SearchRequest { text: q.question.clone(), limit, ..Default::default() };
            let started = Instant::now();
            let results = index.search(&request)?;
            let elapsed = started.elapsed();
            Ok(Answer {
                paths: results.hits.iter().map(|h| h.path.clone()).collect(),
                scores: results.hits.iter().map(|h| h.score).collect(),
                cites: results.hits.iter().map(|h| Some((h.line_start, h.line_end))).collect(),
                elapsed,
            })
        })
        .collect()
}

/// Where the harness keeps its packs: under the workspace's target directory.
pub fn default_pack_dir(root: &Path) -> PathBuf {
    let key = xxhash_rust::xxh3::xxh3_64(root.to_string_lossy().as_bytes());
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/search-eval").join(format!("pack-{key:016x}"))
}

/// lore's index ranked hybrid with the model at `model_dir`.
#[cfg(feature = "semantic")]
pub fn hybrid_index(index_dir: &Path, model_dir: &Path) -> Result<lore_search::SearchIndex> {
    let model = std::sync::Arc::new(lore_search::semantic::Model::load(model_dir)?);
    let vectors = lore_search::semantic::Vectors::open(index_dir)?
        .filter(|v| v.model() == model.fingerprint())
        .context("the pack has no embeddings from this model")?;
    Ok(lore_search::SearchIndex::open(index_dir)?.with_semantic(model, vectors))
}
