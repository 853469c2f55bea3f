//! The labelled question set over the pooled corpora, scored as the search
//! issue asks: lore must not fall back below plain BM25 over whole files.
//! These are floors that catch regressions, not the targets; the harness
//! (`cargo run --release -p lore-search-eval`) prints the full tables.

use std::path::{Path, PathBuf};

use lore_search_eval::{Question, Scores, Table};

fn set() -> Vec<Question> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../search/questions.jsonl");
    lore_search_eval::load_set(&path).expect("the labelled set loads")
}

fn all(table: &Table) -> &Scores {
    table.get("all").expect("an `all` row")
}

struct Pooled {
    root: PathBuf,
    pack: tempfile::TempDir,
    documents: usize,
}

fn pooled(model: Option<&Path>) -> Option<Pooled> {
    let root = lore_testkit::corpora()?.canonicalize().expect("corpora");
    let pack = tempfile::tempdir().expect("tempdir");
    let report = lore_search_eval::build_pack(&root, pack.path(), model).expect("the pooled pack builds");
    Some(Pooled { root, documents: report.manifest.counts.documents, pack })
}

#[test]
fn lexical_search_beats_plain_bm25_on_the_pooled_corpora() {
    let Some(pooled) = pooled(None) else { return };
    let questions = set();
    assert!(questions.len() >= 150);
    let baseline = lore_search_eval::score(&questions, &lore_search_eval::run_baseline(&pooled.root, &questions));
    let index = lore_search::SearchIndex::open(&pooled.pack.path().join("index")).expect("index");
    let lore =
        lore_search_eval::score(&questions, &lore_search_eval::run_lore(&index, &questions, 10).expect("search"));
    let (base, lexical) = (all(&baseline), all(&lore));
    let summary = format!(
        "hit@1 {:.2} vs {:.2}, hit@3 {:.2} vs {:.2}, MRR {:.2} vs {:.2}",
        lexical.hit_at_1(),
        base.hit_at_1(),
        lexical.hit_at_3(),
        base.hit_at_3(),
        lexical.mrr(),
        base.mrr()
    );
    assert!(lexical.hit_at_1() >= base.hit_at_1(), "{summary}");
    assert!(lexical.hit_at_3() >= base.hit_at_3(), "{summary}");
    assert!(lexical.mrr() >= base.mrr(), "{summary}");
    let cited = lexical.cited_share().expect("cited hits");
    assert!(cited >= 0.65, "the cited section holds the labelled lines in {cited:.2} of hits");
    assert!(pooled.documents >= 1100, "every dialect is read: {} documents", pooled.documents);
}

#[test]
fn every_moj_runbook_is_read_including_html_md_erb() {
    let Some(root) = lore_testkit::corpora() else { return };
    let pack = tempfile::tempdir().expect("tempdir");
    let report =
        lore_search_eval::build_pack(&root.join("moj-cloud-platform"), pack.path(), None).expect("the pack builds");
    assert!(report.manifest.counts.documents >= 190, "{} documents", report.manifest.counts.documents);
}

#[cfg(feature = "semantic")]
#[test]
fn hybrid_search_is_no_worse_than_plain_bm25_on_the_pooled_corpora() {
    let model = match std::env::var_os("LORE_MODEL") {
        Some(dir) => PathBuf::from(dir),
        None if std::env::var_os("LORE_REQUIRE_MODEL").is_some() => {
            panic!("LORE_REQUIRE_MODEL is set but LORE_MODEL is not")
        }
        None => return eprintln!("skipped: set LORE_MODEL (scripts/fetch-model.sh) to run the hybrid row"),
    };
    let Some(pooled) = pooled(Some(&model)) else { return };
    let questions = set();
    let baseline = lore_search_eval::score(&questions, &lore_search_eval::run_baseline(&pooled.root, &questions));
    let index = lore_search_eval::hybrid_index(&pooled.pack.path().join("index"), &model).expect("hybrid index");
    let hybrid =
        lore_search_eval::score(&questions, &lore_search_eval::run_lore(&index, &questions, 10).expect("search"));
    let (base, hybrid) = (all(&baseline), all(&hybrid));
    assert!(hybrid.hit_at_1() >= base.hit_at_1(), "hit@1 {:.2} vs {:.2}", hybrid.hit_at_1(), base.hit_at_1());
    assert!(hybrid.mrr() >= base.mrr(), "MRR {:.2} vs {:.2}", hybrid.mrr(), base.mrr());
}
