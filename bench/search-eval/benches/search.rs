//! Search speed on the pooled corpora (../shared/corpora, zero config):
//! lexical and hybrid queries over the labelled questions, a cold lexical
//! build, and a rebuild after one file changes.
//!
//!   cargo bench -p lore-search-eval [--features semantic]   (hybrid: LORE_MODEL=DIR)

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use lore_search::{SearchIndex, SearchRequest};

fn questions() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../search/questions.jsonl");
    lore_search_eval::load_set(&path).expect("labelled set").into_iter().map(|q| q.question).collect()
}

/// Each iteration asks the next question of the set, so the figure is a mean over all of them.
fn bench_queries(c: &mut Criterion, name: &str, index: &SearchIndex, questions: &[String]) {
    let mut next = questions.iter().cycle();
    c.bench_function(name, |b| {
        b.iter(|| {
            let text = next.next().expect("a question").clone();
            index.search(&SearchRequest { text, limit: 10, ..Default::default() }).expect("search")
        })
    });
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn bench_builds(c: &mut Criterion, corpora: &Path, model: Option<&Path>) {
    let work = tempfile::tempdir().expect("tempdir");
    let root = work.path().join("corpora");
    copy_tree(corpora, &root);
    let mut group = c.benchmark_group("pooled build");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.bench_function("lexical, cold", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("pack dir"),
            |pack| lore_search_eval::build_pack(&root, pack.path(), None).expect("build"),
            BatchSize::PerIteration,
        )
    });
    let pack = work.path().join("pack");
    lore_search_eval::build_pack(&root, &pack, model).expect("first build");
    let changed = root.join("gitlab-runbooks/docs/redis/redis.md");
    let original = std::fs::read_to_string(&changed).expect("a runbook to change");
    let mut round = 0u64;
    let label = if model.is_some() { "after one file changes, with embeddings" } else { "after one file changes" };
    group.bench_function(label, |b| {
        b.iter_batched(
            || {
                round += 1;
                std::fs::write(&changed, format!("{original}\nChanged in round {round}.\n")).expect("change");
            },
            |()| lore_search_eval::build_pack(&root, &pack, model).expect("rebuild"),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let Some(corpora) = lore_testkit::corpora() else { return };
    let corpora = corpora.canonicalize().expect("corpora");
    let questions = questions();
    let dir = tempfile::tempdir().expect("tempdir");
    let model = std::env::var_os("LORE_MODEL").map(PathBuf::from).filter(|_| lore_search::SEMANTIC);
    lore_search_eval::build_pack(&corpora, dir.path(), model.as_deref()).expect("pooled pack");
    let index_dir = dir.path().join("index");
    let lexical = SearchIndex::open(&index_dir).expect("index");
    bench_queries(c, "pooled query/lexical", &lexical, &questions);
    #[cfg(feature = "semantic")]
    if let Some(model) = &model {
        let hybrid = lore_search_eval::hybrid_index(&index_dir, model).expect("hybrid index");
        bench_queries(c, "pooled query/hybrid", &hybrid, &questions);
    }
    bench_builds(c, &corpora, model.as_deref());
}

criterion_group! {
    name = search_benches;
    config = Criterion::default().sample_size(100).measurement_time(Duration::from_secs(5));
    targets = benches
}
criterion_main!(search_benches);
