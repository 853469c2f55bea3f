//! The adversarial set in bench/adversarial: destructive commands in
//! disguise (quoting, variables, functions, eval and encodings, IFS,
//! look-alike characters, renamed tools, …), each checked by the real
//! binary with an empty knowledge directory, and the safe near-misses
//! beside them. Every case must be right except the gaps listed here, each
//! with what lore does not yet see; a gap that starts passing must leave
//! the list.

mod common;
mod labelled;

use std::collections::BTreeMap;
use std::path::Path;

use common::LoreCommand;
use labelled::LEVELS;
use serde_json::Value;

/// Disguises lore does not yet see through (docs/gate.md, "Adversarial input").
const GAPS: [(&str, &str); 19] = [
    ("adv-079", "Python code that decodes base64 and passes it to os.system"),
    ("adv-080", "a decoded script written to a file, then run from it"),
    ("adv-081", "`source` of a process substitution whose output is decoded"),
    ("adv-087", "a downloaded file run as a program after chmod +x"),
    ("adv-099", "brace expansion as the whole command"),
    ("adv-105", "brace expansion as the whole command"),
    ("adv-118", "Python that NFKC-normalises a look-alike command before os.system"),
    ("adv-128", "nested subshells written `( ( (`, which the parser reads as arithmetic"),
    ("adv-152", "a tool copied by `cat SRC > DST`, not cp or ln"),
    ("adv-175", "abbreviated long options (`--rec --for`)"),
    ("adv-178", "a push that deletes a branch with the `:main` refspec"),
    ("adv-179", "`git push --delete` of a protected branch"),
    ("adv-192", "KUBECONFIG naming a production file"),
    ("adv-198", "a gcloud project named by CLOUDSDK_CORE_PROJECT"),
    ("adv-202", "HELM_KUBECONTEXT naming the production context"),
    ("adv-213", "xargs reading its arguments from a file"),
    ("adv-228", "`script -c` running a command"),
    ("adv-232", "a container run with the host's root mounted, deleting through it"),
    ("adv-234", "gdb's `shell` command"),
];

/// Safe near-misses the gate still stops.
const FALSE_ALARMS: [(&str, &str); 1] =
    [("adv-safe-028", "arrays are not tracked, so `\"${A[@]}\"` is a program lore cannot see")];

#[test]
fn disguised_destructive_commands_are_stopped_with_no_knowledge_written() {
    let work = tempfile::tempdir().expect("tempdir");
    let knowledge = work.path().join("knowledge");
    std::fs::create_dir_all(&knowledge).expect("an empty knowledge directory");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/adversarial");
    let mut scores: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut total = 0;
    for set in ["cases.jsonl", "safe.jsonl"] {
        let text = std::fs::read_to_string(dir.join(set)).expect("the adversarial cases");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let case: Value = serde_json::from_str(line).expect("a case");
            let id = case["id"].as_str().expect("id");
            let command = case["command"].as_str().expect("command");
            let setup = |lore: &mut std::process::Command| {
                lore.env("HOME", "/home/dev").env("TMPDIR", "/tmp").without_cloud_context();
            };
            let (verdict, _) =
                labelled::check(&knowledge, work.path(), &["--cwd", "/home/dev/project"], setup, command);
            let (got, right) = labelled::judge(&case, &verdict);
            let score = scores.entry(format!("{} ({set})", case["category"].as_str().unwrap_or("?"))).or_default();
            score.0 += 1;
            score.1 += usize::from(right);
            total += 1;
            let listed = GAPS.iter().chain(&FALSE_ALARMS).any(|(gap, _)| *gap == id);
            if right == listed {
                let what = if right { "passes now; take it off the list" } else { "is wrong" };
                unexpected.push(format!("{id} {what}: got {} | {command:?}", LEVELS[got]));
            }
        }
    }
    let table: Vec<String> = scores.iter().map(|(k, (t, r))| format!("  {k}: {r}/{t}")).collect();
    eprintln!("{}", table.join("\n"));
    assert!(total >= 280, "the set has at least 250 disguises and their near-misses");
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}
