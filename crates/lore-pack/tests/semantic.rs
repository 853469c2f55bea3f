//! Hybrid search with the real embedding model (the `semantic` feature).
//!
//! The model is read from LORE_MODEL (fetch it with `scripts/fetch-model.sh`).
//! Without it these tests say so and pass, unless LORE_REQUIRE_MODEL is set,
//! as it is in CI.
#![cfg(feature = "semantic")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{build_with_model, config};
use lore_model::Severity;
use lore_search::semantic::{Model, Vectors};
use lore_search::{SearchIndex, SearchRequest};

fn model() -> Option<PathBuf> {
    match std::env::var_os("LORE_MODEL") {
        Some(dir) => Some(PathBuf::from(dir)),
        None if std::env::var_os("LORE_REQUIRE_MODEL").is_some() => {
            panic!("LORE_REQUIRE_MODEL is set but LORE_MODEL is not")
        }
        None => {
            eprintln!("skipped: set LORE_MODEL to a model directory (scripts/fetch-model.sh) to run this test");
            None
        }
    }
}

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

const RUNBOOKS: [(&str, &str); 4] = [
    ("runbooks/web.md", "# Restarting the web tier\n\nBounce nginx with systemctl on each frontend in turn.\n"),
    ("runbooks/db.md", "# Database failover\n\nPromote the replica with pg_ctl promote and repoint the pooler.\n"),
    ("runbooks/certs.md", "# Renewing TLS certificates\n\nRun certbot renew and reload the load balancer.\n"),
    ("runbooks/disk.md", "# Disk almost full\n\nFind large files with du and rotate the logs.\n"),
];

fn knowledge() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in RUNBOOKS {
        write(dir.path(), path, text);
    }
    dir
}

fn hybrid(root: &Path, model_dir: &Path) -> SearchIndex {
    let index_dir = root.join(".lore/index");
    let model = Arc::new(Model::load(model_dir).expect("model loads"));
    let vectors = Vectors::open(&index_dir).expect("vectors open").expect("vectors exist");
    SearchIndex::open(&index_dir).expect("index").with_semantic(model, vectors)
}

#[test]
fn a_missing_model_is_an_error_naming_the_directory_and_the_fetch_script() {
    let dir = knowledge();
    let missing = dir.path().join("no-model-here");
    let report = build_with_model(dir.path(), config(vec![]), Some(&missing));
    let problem = report
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error && d.file == missing.display().to_string())
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    assert!(problem.message.contains("scripts/fetch-model.sh"), "{}", problem.message);
    assert!(problem.message.contains(&missing.display().to_string()), "{}", problem.message);
    assert!(report.embeddings.is_none());
    assert!(report.manifest.counts.runbooks == 4, "the lexical pack is still built");
}

#[test]
fn embeddings_are_built_once_and_then_per_changed_file() {
    let Some(model) = model() else { return };
    let dir = knowledge();
    let first = build_with_model(dir.path(), config(vec![]), Some(&model));
    let update = first.embeddings.expect("embedded");
    assert_eq!((update.embedded, update.reused), (4, 0));

    write(
        dir.path(),
        "runbooks/disk.md",
        "# Disk almost full\n\nDelete old journald logs with journalctl --vacuum-size.\n",
    );
    let second = build_with_model(dir.path(), config(vec![]), Some(&model));
    let update = second.embeddings.expect("embedded");
    assert_eq!((update.embedded, update.reused), (1, 3), "only the changed document is embedded again");
}

#[test]
fn a_damaged_embeddings_file_is_rebuilt_and_the_build_says_so() {
    let Some(model) = model() else { return };
    let dir = knowledge();
    build_with_model(dir.path(), config(vec![]), Some(&model));
    let vectors = std::fs::read_dir(dir.path().join(".lore/index"))
        .expect("index dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "bin"))
        .expect("an embeddings file");
    let mut bytes = std::fs::read(&vectors).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&vectors, &bytes).expect("damage");
    // A damaged file opens as an error, never as wrong vectors.
    assert!(Vectors::open(&dir.path().join(".lore/index")).is_err());

    let report = build_with_model(dir.path(), config(vec![]), Some(&model));
    let update = report.embeddings.expect("embedded");
    assert_eq!(update.embedded, 4);
    let reason = update.rebuilt.expect("a reason");
    assert!(report.diagnostics.iter().any(|d| d.severity == Severity::Warning && d.message == reason));
    assert!(reason.contains("embedding every document again"), "{reason}");
    assert!(Vectors::open(&dir.path().join(".lore/index")).expect("opens").is_some());
}

#[test]
fn hybrid_search_finds_a_paraphrase_that_shares_no_words() {
    let Some(model) = model() else { return };
    let dir = knowledge();
    build_with_model(dir.path(), config(vec![]), Some(&model));
    let index = hybrid(dir.path(), &model);
    assert!(index.is_hybrid());
    let question = "the http server needs a reboot";
    let lexical = SearchIndex::open(&dir.path().join(".lore/index")).expect("index");
    let request = SearchRequest { text: question.into(), limit: 3, ..Default::default() };
    assert!(lexical.search(&request).expect("search").hits.iter().all(|h| h.path != "runbooks/web.md"));
    let hits = index.search(&request).expect("search").hits;
    assert_eq!(hits.first().map(|h| h.path.as_str()), Some("runbooks/web.md"), "{hits:#?}");
    // Lexical matches still rank where they did.
    let request = SearchRequest { text: "pg_ctl promote".into(), limit: 3, ..Default::default() };
    assert_eq!(index.search(&request).expect("search").hits[0].path, "runbooks/db.md");
}
