//! `lore-search-eval`: scores the labelled question set three ways in one
//! run and prints the tables the search issue asks for.
//!
//!   cargo run --release -p lore-search-eval -- [--set FILE] [--knowledge DIR]

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use lore_search_eval::{Answer, Question, Scores, Table};

#[derive(Parser)]
#[command(about = "Score lore's search on a labelled question set beside plain BM25")]
struct Args {
    /// The labelled set (JSON lines).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../search/questions.jsonl"))]
    set: PathBuf,
    /// The knowledge, read with zero configuration unless it has a lore.toml.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpora"))]
    knowledge: PathBuf,
    /// The embedding model for the hybrid row (default: LORE_MODEL).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Where to build the pack (default: under target/search-eval).
    #[arg(long)]
    pack_dir: Option<PathBuf>,
    /// Print lore's misses in this split (`dev`, `test` or `all`).
    #[arg(long)]
    misses: Option<String>,
    /// Write documents and rankings as JSON lines here, for offline experiments.
    #[arg(long)]
    dump: Option<PathBuf>,
    /// Run only lore's queries this many times (for profiling), and print nothing.
    #[arg(long, default_value_t = 0)]
    repeat: usize,
    /// Ranking weights to try, `name=value,…` (evaluation only).
    #[arg(long)]
    weights: Option<String>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let root =
        args.knowledge.canonicalize().with_context(|| format!("no knowledge at {}", args.knowledge.display()))?;
    let questions = lore_search_eval::load_set(&args.set)?;
    let pack_dir = args.pack_dir.unwrap_or_else(|| lore_search_eval::default_pack_dir(&root));

    let model = args.model.clone().or_else(|| std::env::var_os("LORE_MODEL").map(PathBuf::from));
    let report = lore_search_eval::build_pack(&root, &pack_dir, model.as_deref())?;
    if let Some(e) = &report.embeddings {
        eprintln!("embeddings: {} embedded, {} reused", e.embedded, e.reused);
    }
    for d in report.diagnostics.iter().filter(|d| d.severity == lore_model::Severity::Error && d.line == 0) {
        eprintln!("{}: {}", d.file, d.message);
    }
    eprintln!(
        "pack: {} documents, {} sections, built in {} ms ({} files read)",
        report.manifest.counts.documents, report.manifest.counts.chunks, report.elapsed_ms, report.files_read
    );
    let mut index = lore_search::SearchIndex::open(&pack_dir.join(lore_pack::store::INDEX_DIR))?;
    if let Some(spec) = &args.weights {
        let weights = parse_weights(index.weights(), spec)?;
        index = index.with_weights(weights)?;
    }
    if args.repeat > 0 {
        // Only lore's queries, over and over: for profilers.
        for _ in 0..args.repeat {
            lore_search_eval::run_lore(&index, &questions, 10)?;
        }
        return Ok(());
    }
    let baseline = lore_search_eval::run_baseline(&root, &questions);
    // Once to warm the caches, then measured.
    lore_search_eval::run_lore(&index, &questions, 10)?;
    let lexical = lore_search_eval::run_lore(&index, &questions, 10)?;
    if let Some(dir) = &args.dump {
        lore_search_eval::dump::documents(&root, dir)?;
        let deep = lore_search_eval::run_lore(&index, &questions, 100)?;
        lore_search_eval::dump::rankings(dir, "lexical", &questions, &deep)?;
        lore_search_eval::dump::rankings(dir, "baseline", &questions, &baseline)?;
    }

    let hybrid = hybrid_answers(&pack_dir, model.as_deref(), &questions)?;
    let mut rows = vec![("baseline (BM25, whole files)", &baseline), ("lore lexical", &lexical)];
    if let Some(hybrid) = &hybrid {
        rows.push(("lore hybrid", hybrid));
    }
    let tables: Vec<(&str, Table)> =
        rows.iter().map(|(name, answers)| (*name, lore_search_eval::score(&questions, answers))).collect();
    for group in ["all", "dev", "test", "prohibitions", "dev prohibitions"] {
        print_group(group, &tables);
    }
    println!("\nhit@1 by corpus:");
    let corpora: Vec<&String> = tables[0].1.keys().filter(|k| k.starts_with("corpus ")).collect();
    for corpus in corpora {
        let cells: Vec<String> =
            tables.iter().map(|(_, t)| t.get(corpus).map_or("-".into(), |s| format!("{:.2}", s.hit_at_1()))).collect();
        println!("  {:40} {}", corpus.trim_start_matches("corpus "), cells.join("  "));
    }
    println!(
        "\nlore lexical latency in process: p50 {:.3} ms, p95 {:.3} ms, max {:.3} ms",
        ms(lore_search_eval::percentile(&lexical, 0.5)),
        ms(lore_search_eval::percentile(&lexical, 0.95)),
        ms(lore_search_eval::percentile(&lexical, 1.0)),
    );
    if let Some(hybrid) = &hybrid {
        println!(
            "lore hybrid latency in process (the question embedded): p50 {:.3} ms, p95 {:.3} ms, max {:.3} ms",
            ms(lore_search_eval::percentile(hybrid, 0.5)),
            ms(lore_search_eval::percentile(hybrid, 0.95)),
            ms(lore_search_eval::percentile(hybrid, 1.0)),
        );
    } else {
        println!("lore hybrid: not run (needs --features semantic and --model DIR)");
    }
    if let Some(split) = &args.misses {
        print_misses(&questions, &lexical, split);
        print_citation_misses(&questions, &lexical, split);
    }
    Ok(())
}

#[cfg(feature = "semantic")]
fn hybrid_answers(
    pack_dir: &std::path::Path,
    model: Option<&std::path::Path>,
    questions: &[Question],
) -> Result<Option<Vec<Answer>>> {
    let Some(model) = model else { return Ok(None) };
    let mut index = lore_search_eval::hybrid_index(&pack_dir.join(lore_pack::store::INDEX_DIR), model)?;
    if let Ok(spec) = std::env::var("LORE_EVAL_WEIGHTS") {
        let weights = parse_weights(index.weights(), &spec)?;
        index = index.with_weights(weights)?;
    }
    lore_search_eval::run_lore(&index, questions, 10)?;
    Ok(Some(lore_search_eval::run_lore(&index, questions, 10)?))
}

#[cfg(not(feature = "semantic"))]
fn hybrid_answers(_: &std::path::Path, _: Option<&std::path::Path>, _: &[Question]) -> Result<Option<Vec<Answer>>> {
    Ok(None)
}

fn print_group(group: &str, tables: &[(&str, Table)]) {
    let Some(n) = tables.first().and_then(|(_, t)| t.get(group)).map(|s| s.n) else { return };
    println!("\n{group} (n={n})");
    println!("  {:30} {:>6} {:>6} {:>7} {:>14}", "", "hit@1", "hit@3", "MRR@10", "cited section");
    for (name, table) in tables {
        let s = table.get(group).cloned().unwrap_or_default();
        println!("  {:30} {:>6.2} {:>6.2} {:>7.2} {:>14}", name, s.hit_at_1(), s.hit_at_3(), s.mrr(), cited(&s));
    }
}

fn cited(s: &Scores) -> String {
    s.cited_share().map_or("-".into(), |share| format!("{share:.2} ({}/{})", s.cited_right, s.cited))
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn print_citation_misses(questions: &[Question], answers: &[Answer], split: &str) {
    println!("\ncitations outside the labelled lines ({split}):");
    for (q, a) in questions.iter().zip(answers) {
        if split != "all" && q.split.as_deref() != Some(split) {
            continue;
        }
        let Some(rank) = lore_search_eval::rank_of(q, a).filter(|r| *r < 3) else { continue };
        let Some(Some((start, end))) = a.cites.get(rank) else { continue };
        let path = &a.paths[rank];
        let labelled: Vec<_> = q.expected_lines().into_iter().filter(|(p, _, _)| p == path).collect();
        if !labelled.iter().any(|(_, s, e)| start <= e && s <= end) {
            let want: Vec<String> = labelled.iter().map(|(_, s, e)| format!("{s}-{e}")).collect();
            println!("  {} cited {start}-{end}, labelled {} | {}\n      {path}", q.id, want.join(","), q.question);
        }
    }
}

fn print_misses(questions: &[Question], answers: &[Answer], split: &str) {
    println!("\nmisses at 1 ({split}):");
    for (q, a) in questions.iter().zip(answers) {
        if split != "all" && q.split.as_deref() != Some(split) {
            continue;
        }
        let rank = lore_search_eval::rank_of(q, a);
        if rank != Some(0) {
            let got: Vec<&str> = a.paths.iter().take(3).map(String::as_str).collect();
            println!("  {} rank {:?} | {}\n      want {:?}\n      got  {:?}", q.id, rank, q.question, q.expected, got);
        }
    }
}

fn parse_weights(mut w: lore_search::rank::Weights, spec: &str) -> Result<lore_search::rank::Weights> {
    for pair in spec.split(',').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').context("weights are name=value or name=weight:b")?;
        let (weight, b) = value.split_once(':').unwrap_or((value, ""));
        let weight: f32 = weight.parse().with_context(|| format!("weight {name}"))?;
        let b: Option<f32> = if b.is_empty() { None } else { Some(b.parse().with_context(|| format!("b of {name}"))?) };
        let field = match name {
            "title" => &mut w.title,
            "headings" => &mut w.headings,
            "path" => &mut w.path,
            "prose" => &mut w.prose,
            "code" => &mut w.code,
            "section_heading" => &mut w.section_heading,
            "section_prose" => &mut w.section_prose,
            "section_code" => &mut w.section_code,
            "section" => {
                w.section = weight;
                continue;
            }
            "fusion_k" => {
                w.fusion_k = weight;
                continue;
            }
            "lexical_rank" => {
                w.lexical_rank = weight;
                continue;
            }
            "semantic_rank" => {
                w.semantic_rank = weight;
                continue;
            }
            "warning" => {
                w.warning = weight;
                continue;
            }
            "candidates" => {
                w.candidates = weight as usize;
                continue;
            }
            other => anyhow::bail!("no weight named {other}"),
        };
        field.weight = weight;
        if let Some(b) = b {
            field.b = b;
        }
    }
    Ok(w)
}
