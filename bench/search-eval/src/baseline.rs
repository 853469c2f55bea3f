//! The baseline every ranking change is measured against: plain BM25
//! (k1 1.2, b 0.75) over whole files, the path counted as text. It reads the
//! files and tokenizes them the way `../shared/tools/lore-eval` does, so
//! the figures compare with the project's own scoring.

use std::collections::HashMap;
use std::path::Path;

const K1: f64 = 1.2;
const B: f64 = 0.75;
const EXTENSIONS: [&str; 9] = ["md", "markdown", "mdx", "qmd", "rst", "txt", "erb", "yml", "yaml"];
const SKIPPED_NAMES: [&str; 3] = ["LICENSE", "LICENCE", "SOURCE.md"];

/// The plain BM25 index over whole files.
pub struct Bm25 {
    paths: Vec<String>,
    lengths: Vec<f64>,
    average_length: f64,
    /// term → (document, frequency)
    postings: HashMap<String, Vec<(usize, u32)>>,
}

/// `[a-z0-9]+` of the lowercased text.
fn tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

impl Bm25 {
    /// Every text file under `root` (hidden directories skipped), keyed by its path relative to `root`.
    pub fn over(root: &Path) -> Bm25 {
        let mut files = Vec::new();
        let walker = walkdir::WalkDir::new(root).sort_by_file_name().into_iter().filter_entry(|e| {
            e.depth() == 0 || !(e.file_type().is_dir() && e.file_name().to_string_lossy().starts_with('.'))
        });
        for entry in walker.flatten() {
            let name = entry.file_name().to_string_lossy();
            let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
            if !entry.file_type().is_file()
                || SKIPPED_NAMES.contains(&name.as_ref())
                || !EXTENSIONS.contains(&extension)
            {
                continue;
            }
            let Ok(bytes) = std::fs::read(entry.path()) else { continue };
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
            files.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
        }
        Bm25::from_documents(files)
    }

    /// An index over `(path, text)` pairs; each path's words count as text too.
    pub fn from_documents(files: Vec<(String, String)>) -> Bm25 {
        let mut paths = Vec::with_capacity(files.len());
        let mut lengths = Vec::with_capacity(files.len());
        let mut postings: HashMap<String, Vec<(usize, u32)>> = HashMap::new();
        for (doc, (path, text)) in files.into_iter().enumerate() {
            let mut counts: HashMap<String, u32> = HashMap::new();
            let all = tokens(&format!("{} {text}", path.replace('/', " ")));
            lengths.push(all.len() as f64);
            for token in all {
                *counts.entry(token).or_default() += 1;
            }
            for (term, count) in counts {
                postings.entry(term).or_default().push((doc, count));
            }
            paths.push(path);
        }
        let average_length = lengths.iter().sum::<f64>() / lengths.len().max(1) as f64;
        Bm25 { paths, lengths, average_length, postings }
    }

    /// The best `limit` paths for a question, best first.
    pub fn search(&self, question: &str, limit: usize) -> Vec<&str> {
        let n = self.paths.len() as f64;
        let mut scores = vec![0.0f64; self.paths.len()];
        for term in tokens(question) {
            let Some(list) = self.postings.get(&term) else { continue };
            let df = list.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for (doc, count) in list {
                let tf = f64::from(*count);
                let norm = 1.0 - B + B * self.lengths[*doc] / self.average_length;
                scores[*doc] += idf * tf * (K1 + 1.0) / (tf + K1 * norm);
            }
        }
        let mut order: Vec<usize> = (0..self.paths.len()).filter(|d| scores[*d] > 0.0).collect();
        order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
        order.into_iter().take(limit).map(|d| self.paths[d].as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_by_bm25_over_path_and_text() {
        let index = Bm25::from_documents(vec![
            ("docs/redis/failover.md".into(), "promote the replica".into()),
            ("docs/postgres/backup.md".into(), "take a base backup of the replica".into()),
            ("docs/other.md".into(), "nothing relevant here at all".into()),
        ]);
        assert_eq!(index.search("redis replica", 3), ["docs/redis/failover.md", "docs/postgres/backup.md"]);
        assert!(index.search("zeppelin", 3).is_empty());
    }
}
