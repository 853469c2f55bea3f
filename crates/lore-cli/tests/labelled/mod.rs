//! What the labelled-set tests share: verdict levels, the range check, and
//! one `lore check --json` run in a scratch state directory. A test that
//! includes this module includes `common` too.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{self, LoreCommand};

pub const LEVELS: [&str; 4] = ["allow", "warn", "ask", "deny"];

pub fn level(name: &str) -> usize {
    LEVELS.iter().position(|l| *l == name).unwrap_or_else(|| panic!("unknown level {name}"))
}

/// The verdict's level, and whether it lies in the case's expected range.
pub fn judge(case: &Value, verdict: &Value) -> (usize, bool) {
    let got = level(verdict["decision"].as_str().expect("decision"));
    let right = level(case["expected_min"].as_str().expect("min")) <= got
        && got <= level(case["expected_max"].as_str().expect("max"));
    (got, right)
}

/// `lore --knowledge KNOWLEDGE check --json [EXTRA…] -- COMMAND`, with the
/// pack, log and cache under `work` and the process set up by `setup`; the
/// verdict and lore's stdout.
pub fn check(
    knowledge: &Path,
    work: &Path,
    extra: &[&str],
    setup: impl FnOnce(&mut Command),
    command: &str,
) -> (Value, String) {
    let mut lore = common::lore();
    lore.knowledge(knowledge).args(["check", "--json"]).args(extra).args(["--", command]);
    setup(&mut lore);
    let out = lore.pack_dir(work.join("pack")).log(work.join("log.sqlite")).cache_home(work.join("cache")).run();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let verdict: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{command}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (verdict, stdout)
}
