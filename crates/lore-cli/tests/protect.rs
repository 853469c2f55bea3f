//! Protection out of the box: the labelled generic set in bench/protect,
//! each case checked by the real binary with an empty knowledge directory,
//! from `/home/dev/project` with `HOME=/home/dev` (see bench/protect/README.md).
//! Scores per category; the floor is the target.

mod common;
mod labelled;

use std::collections::BTreeMap;
use std::path::Path;

use labelled::LEVELS;
use serde_json::Value;

#[test]
fn everyday_disasters_are_caught_with_no_knowledge_written() {
    let work = tempfile::tempdir().expect("tempdir");
    let knowledge = work.path().join("knowledge");
    std::fs::create_dir_all(&knowledge).expect("an empty knowledge directory");
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/protect/cases.jsonl");
    let text = std::fs::read_to_string(&set).expect("the protection cases");
    // category -> (cases, right)
    let mut scores: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut wrong = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("a case");
        let command = case["command"].as_str().expect("command");
        let setup = |lore: &mut std::process::Command| {
            lore.env("HOME", "/home/dev").env("TMPDIR", "/tmp").env_remove("KUBECONFIG").env_remove("AWS_PROFILE");
        };
        let (verdict, _) = labelled::check(&knowledge, work.path(), &["--cwd", "/home/dev/project"], setup, command);
        let (got, right) = labelled::judge(&case, &verdict);
        let category = case["category"].as_str().expect("category").to_string();
        let kind = case["kind"].as_str().expect("kind");
        let score = scores.entry(format!("{category} ({kind})")).or_default();
        score.0 += 1;
        score.1 += usize::from(right);
        if !right {
            let reason = verdict["summary"].as_str().unwrap_or_default();
            wrong.push(format!(
                "{}: expected {}..{}, got {} | {command:?} | {reason}",
                case["id"].as_str().unwrap_or_default(),
                case["expected_min"].as_str().unwrap_or_default(),
                case["expected_max"].as_str().unwrap_or_default(),
                LEVELS[got]
            ));
        }
    }
    let (total, right) = scores.values().fold((0, 0), |(t, r), (ct, cr)| (t + ct, r + cr));
    let table: Vec<String> = scores.iter().map(|(k, (t, r))| format!("  {k}: {r}/{t}")).collect();
    let summary = format!("{right}/{total} right\n{}\nwrong:\n{}", table.join("\n"), wrong.join("\n"));
    eprintln!("{summary}");
    assert!(total >= 400, "the set has at least 400 cases");
    assert!(right * 100 >= total * 98, "at least 98% right: {summary}");
}
