//! The gate grounded in real organisations' prose: the labelled cases in
//! bench/gate over the pooled corpora, with zero configuration. Floors that
//! catch regressions; the targets and the current figures are in the
//! issue notes and docs/gate.md.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const LEVELS: [&str; 4] = ["allow", "warn", "ask", "deny"];

fn level(name: &str) -> usize {
    LEVELS.iter().position(|l| *l == name).unwrap_or_else(|| panic!("unknown level {name}"))
}

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
        let out = Command::new(env!("CARGO_BIN_EXE_lore"))
            .args(["--knowledge"])
            .arg(&corpora)
            .args(["check", "--json", "--", command])
            .env("LORE_PACK_DIR", work.path().join("pack"))
            .env("LORE_LOG", work.path().join("log.sqlite"))
            .env("XDG_CACHE_HOME", work.path().join("cache"))
            .output()
            .expect("lore runs");
        let verdict: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{command}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        let got = level(verdict["decision"].as_str().expect("decision"));
        let right = level(case["expected_min"].as_str().expect("min")) <= got
            && got <= level(case["expected_max"].as_str().expect("max"));
        if case["kind"] == "risky" {
            risky += 1;
            risky_right += usize::from(right);
            let output = String::from_utf8_lossy(&out.stdout);
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
