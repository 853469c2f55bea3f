//! The gate grounded in real organisations' prose: the labelled cases in
//! bench/gate over the pooled corpora, with zero configuration. Floors that
//! catch regressions; the targets and the current figures are in the
//! issue notes and docs/gate.md.

mod common;
mod labelled;

use std::path::Path;

use labelled::LEVELS;
use serde_json::Value;

#[test]
fn the_gate_uses_what_the_runbooks_and_incident_reports_say() {
    let Some(corpora) = lore_testkit::corpora() else { return };
    let work = tempfile::tempdir().expect("tempdir");
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/gate/cases.jsonl");
    let text = std::fs::read_to_string(&set).expect("the gate cases");
    let (mut safe, mut safe_right, mut risky, mut risky_right, mut cited) = (0, 0, 0, 0, 0);
    let mut wrong = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("a case");
        let command = case["command"].as_str().expect("command");
        let (verdict, output) = labelled::check(&corpora, work.path(), &[], |_| {}, command);
        let (got, right) = labelled::judge(&case, &verdict);
        if case["kind"] == "risky" {
            risky += 1;
            risky_right += usize::from(right);
            let names_a_cited_file = case["cite"]
                .as_array()
                .expect("cite")
                .iter()
                .any(|c| output.contains(c.as_str().expect("cite").split(':').next().unwrap_or_default()));
            cited += usize::from(names_a_cited_file);
        } else {
            safe += 1;
            safe_right += usize::from(right);
        }
        if !right {
            wrong.push(format!("{}: got {} | {command}", case["id"], LEVELS[got]));
        }
    }
    let summary = format!(
        "safe right {safe_right}/{safe}, risky right {risky_right}/{risky}, risky citing a right file {cited}/{risky}"
    );
    eprintln!("{summary}");
    assert!(safe >= 60 && risky >= 60, "{summary}");
    assert!(safe_right * 100 >= safe * 95, "a gate that blocks what the docs say is safe: {summary}\n{wrong:#?}");
    assert!(risky_right * 100 >= risky * 38, "{summary}\n{wrong:#?}");
    assert!(cited * 100 >= risky * 68, "{summary}");
}
