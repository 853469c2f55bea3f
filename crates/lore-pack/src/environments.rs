//! Production names the knowledge itself uses, with zero configuration:
//! the clusters incident reports happened on (an incident is, by its
//! nature, in production), and the abbreviations documents define
//! ("production (`xprd`)", "`gprd` (production)").

use std::collections::BTreeMap;

use lore_ingest::{DocKind, SearchDoc};
use lore_model::{ProductionName, Provenance, SourceKind};

/// A cluster named by this many incident reports is a production cluster.
const MIN_INCIDENTS: usize = 2;

/// Words before or after "cluster" that do not name one.
const NOT_NAMES: [&str; 40] = [
    "the",
    "a",
    "an",
    "this",
    "that",
    "our",
    "their",
    "its",
    "new",
    "old",
    "whole",
    "entire",
    "same",
    "each",
    "every",
    "one",
    "another",
    "other",
    "affected",
    "kubernetes",
    "k8s",
    "eks",
    "gke",
    "aks",
    "production",
    "prod",
    "test",
    "testing",
    "staging",
    "sandbox",
    "dev",
    "development",
    "shared",
    "main",
    "target",
    "given",
    "single",
    "cluster",
    "clusters",
    "which",
];

/// Every production name, once, sorted by name.
pub fn production_names(docs: &[&SearchDoc]) -> Vec<ProductionName> {
    let mut found: BTreeMap<String, ProductionName> = BTreeMap::new();
    let mut incident_clusters: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    for doc in docs {
        for chunk in &doc.chunks {
            for (offset, line) in chunk.prose.lines().enumerate() {
                let line_no = chunk.line_start + offset as u32;
                for name in defined_abbreviations(line) {
                    found.entry(name.clone()).or_insert_with(|| ProductionName {
                        name,
                        why: format!("the docs call it production: \"{}\"", line.trim()),
                        provenance: provenance(&doc.path, line_no),
                    });
                }
                if doc.kind == DocKind::Incident {
                    for name in cluster_names(line) {
                        let seen = incident_clusters.entry(name).or_default();
                        if !seen.iter().any(|(path, _)| path == &doc.path) {
                            seen.push((doc.path.clone(), line_no));
                        }
                    }
                }
            }
        }
    }
    for (name, reports) in incident_clusters.into_iter().filter(|(_, r)| r.len() >= MIN_INCIDENTS) {
        let (path, line) = reports[0].clone();
        found.entry(name.clone()).or_insert_with(|| ProductionName {
            why: format!("{} incident reports happened on cluster `{name}`", reports.len()),
            name,
            provenance: provenance(&path, line),
        });
    }
    found.into_values().collect()
}

fn provenance(path: &str, line: u32) -> Provenance {
    Provenance { file: path.to_string(), line_start: line, line_end: line, commit: None, source: SourceKind::Markdown }
}

fn words(line: &str) -> Vec<&str> {
    line.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '`'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// "the Hellman cluster", "Kubernetes cluster Hellman", "live-1 cluster".
fn cluster_names(line: &str) -> Vec<String> {
    let words = words(line);
    let is_name = |w: &str| {
        let bare = w.trim_matches('`').to_lowercase();
        bare.len() >= 3 && !NOT_NAMES.contains(&bare.as_str()) && bare.chars().any(|c| c.is_alphabetic())
    };
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if !word.eq_ignore_ascii_case("cluster") {
            continue;
        }
        // "Hellman Kubernetes cluster": past the platform's name.
        let platform =
            |j: usize| ["kubernetes", "k8s", "eks", "gke", "aks"].contains(&words[j].to_lowercase().as_str());
        let before = match i.checked_sub(1) {
            Some(j) if platform(j) => j.checked_sub(1),
            other => other,
        };
        let before = before.map(|j| words[j]).filter(|w| is_name(w));
        // A name after "cluster" is capitalised or coded: "cluster Hellman", "cluster `live-1`".
        let after = words
            .get(i + 1)
            .copied()
            .filter(|w| is_name(w) && (w.starts_with('`') || w.starts_with(|c: char| c.is_uppercase())));
        out.extend(before.into_iter().chain(after).map(|w| w.trim_matches('`').to_lowercase()));
    }
    out
}

/// "production (`xprd`)", "production (xprd)", "`xprd` (production)".
fn defined_abbreviations(line: &str) -> Vec<String> {
    let lower = line.to_lowercase();
    let mut out = Vec::new();
    for (at, _) in lower.match_indices("production (") {
        let rest = &lower[at + "production (".len()..];
        if let Some(name) = rest.split(')').next().map(|n| n.trim().trim_matches('`')) {
            out.push(name.to_string());
        }
    }
    for (at, _) in lower.match_indices(" (production)") {
        if let Some(name) = lower[..at].split_whitespace().next_back() {
            out.push(name.trim_matches(['`', '*', '"', '\'']).to_string());
        }
    }
    out.retain(|n| {
        n.len() >= 2 && n.len() <= 40 && !n.contains(' ') && n.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_incidents_name_and_abbreviations_docs_define() {
        assert_eq!(cluster_names("deleted all worker nodes in Hellman Kubernetes cluster, resulting"), vec!["hellman"]);
        assert_eq!(cluster_names("the Kubernetes cluster Hellman (see PM2019-009)"), vec!["hellman"]);
        assert_eq!(cluster_names("migrating to the new Hellman cluster."), vec!["hellman"]);
        assert_eq!(cluster_names("applied to the live-1 cluster by mistake"), vec!["live-1"]);
        assert!(cluster_names("the whole cluster went down").is_empty());
        assert_eq!(defined_abbreviations("Production (`gprd`) and staging (`gstg`)"), vec!["gprd"]);
        assert_eq!(defined_abbreviations("Use `ops-eu` (production) carefully"), vec!["ops-eu"]);
        assert!(defined_abbreviations("in production (see the runbook for details)").is_empty());
    }
}
