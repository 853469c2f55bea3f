//! Query latency on a built pack: open + brief (the per-command cost a hook
//! or CLI call pays), blast radius, name resolution and search.
//!
//! Packs: the built-in example, and every corpus in ../shared/corpora when
//! present (`bench/corpora/lore.toml`).

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use lore_model::Day;
use lore_pack::{Pack, query};
use lore_search::{SearchIndex, SearchRequest};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bench_pack(c: &mut Criterion, label: &str, root: &Path, system: &str, question: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let pack_dir = dir.path().join("pack");
    lore_testkit::build_pack_from_toml(root, &pack_dir);
    let today = Day::today();

    c.bench_function(&format!("{label}/open+brief {system}"), |b| {
        b.iter(|| {
            let pack = Pack::open(&pack_dir).expect("open");
            let ix = query::resolve(pack.data(), system).expect("system");
            query::brief(pack.data(), ix, None, query::DEFAULT_BRIEF_BUDGET, today)
        })
    });
    let pack = Pack::open(&pack_dir).expect("open");
    c.bench_function(&format!("{label}/open"), |b| b.iter(|| Pack::open(&pack_dir).expect("open")));
    c.bench_function(&format!("{label}/resolve {system}"), |b| b.iter(|| query::resolve(pack.data(), system)));
    c.bench_function(&format!("{label}/blast {system}"), |b| b.iter(|| query::blast(pack.data(), system, None, 32)));
    c.bench_function(&format!("{label}/staleness check"), |b| b.iter(|| pack.is_stale()));
    let index = SearchIndex::open(&pack_dir.join("index")).expect("index");
    let request = SearchRequest { text: question.into(), limit: 5, ..Default::default() };
    c.bench_function(&format!("{label}/search"), |b| b.iter(|| index.search(&request).expect("search")));
    c.bench_function(&format!("{label}/open index+search"), |b| {
        b.iter(|| SearchIndex::open(&pack_dir.join("index")).expect("index").search(&request).expect("search"))
    });
}

fn benches(c: &mut Criterion) {
    bench_pack(c, "example", &repo().join("examples/acme"), "payments-db", "how do I fail over the payments database");
    let corpora = repo().join("bench/corpora");
    if repo().join("../shared/corpora").is_dir() {
        bench_pack(c, "corpora", &corpora, "patroni", "how do I fail over the patroni primary");
    } else {
        eprintln!("skipping corpora benchmarks: ../shared/corpora not found");
    }
}

criterion_group! {
    name = query_benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(query_benches);
