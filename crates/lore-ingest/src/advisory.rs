//! Mining advisories: the prohibitions runbooks already state in prose
//! ("DO NOT USE MONITOR", "never deploy the whole fleet at once"), each with
//! its citation and the terms an action must mention for it to apply.
//! Deterministic: cue phrases and token shapes, no model.

use lore_model::{Advisory, Provenance, SourceKind, Strength};

use crate::markdown::{is_prohibition, plain};
use crate::{DocKind, SearchDoc};

/// Longer lines are tables or pasted logs, not advice.
const MAX_SENTENCE: usize = 400;

/// Programs whose names, written in a sentence, say which commands it is about.
const TOOLS: &[&str] = &[
    "kubectl",
    "helm",
    "terraform",
    "tofu",
    "aws",
    "gcloud",
    "gsutil",
    "az",
    "psql",
    "mysql",
    "redis-cli",
    "git",
    "rm",
    "docker",
    "systemctl",
    "knife",
    "chef-client",
    "gitlab-ctl",
    "gitlab-rake",
    "rake",
    "patronictl",
    "consul",
    "vault",
    "ansible",
    "ssh",
    "pg_dump",
    "pg_restore",
    "pg_basebackup",
    "curl",
    "mongo",
    "etcdctl",
];

/// Verbs that name what not to do, with the command words that do it.
const VERBS: &[(&str, &[&str])] = &[
    ("delete", &["delete", "rm", "del", "remove"]),
    ("remove", &["remove", "rm", "delete"]),
    ("drop", &["drop"]),
    ("truncate", &["truncate"]),
    ("destroy", &["destroy"]),
    ("restart", &["restart"]),
    ("reboot", &["reboot"]),
    ("stop", &["stop"]),
    ("kill", &["kill"]),
    ("flush", &["flush", "flushall", "flushdb"]),
    ("failover", &["failover", "switchover"]),
    ("drain", &["drain"]),
    ("deploy", &["deploy"]),
    ("reindex", &["reindex"]),
    ("vacuum", &["vacuum"]),
    ("force", &["force", "--force"]),
];

/// Shouted words that carry the cue or the grammar, not the subject.
const SHOUTED_NOISE: &[&str] = &[
    "NEVER",
    "NOT",
    "DO",
    "DON'T",
    "DONT",
    "MUST",
    "USE",
    "THE",
    "ANY",
    "UNDER",
    "NO",
    "CIRCUMSTANCES",
    "ALL",
    "AND",
    "FOR",
    "THIS",
    "THAT",
    "WITH",
    "YOU",
    "ARE",
    "WARNING",
    "NOTE",
    "IMPORTANT",
    "CAUTION",
    "DANGER",
    "ATTENTION",
    "COMMAND",
    "COMMANDS",
    "RUN",
    "ONCE",
    "ONLY",
    "EVER",
    "UNLESS",
    "TO",
    "OR",
    "IN",
    "ON",
    "AT",
    "IT",
    "IS",
    "BE",
    "WITHOUT",
    "PLEASE",
    "AVOID",
    "TODO",
];

/// Reassurance and reminders that share a prohibition's words but forbid nothing.
const IDIOMS: &[&str] = &[
    "don't panic",
    "do not panic",
    "don't be alarmed",
    "do not be alarmed",
    "don't forget",
    "do not forget",
    "do not appear",
    "don't appear",
    "do not want",
    "don't want",
    "do not need",
    "don't need",
    "don't worry",
    "do not worry",
];

/// A wrapped line that continues a sentence begun above: "…the networks are\n
/// never connected directly". Its "never" opens no instruction.
fn continues_sentence(previous: &str, line: &str) -> bool {
    let previous = previous.trim();
    let starts_lower = line.trim_start().chars().find(|c| c.is_alphabetic()).is_some_and(char::is_lowercase);
    starts_lower
        && !previous.is_empty()
        && !previous.starts_with(['#', '|'])
        && !previous.ends_with(['.', '!', '?', ':', ';'])
}

/// The advisories in one document; systems are filled in when linking.
pub fn mine(doc: &SearchDoc) -> Vec<Advisory> {
    if !matches!(doc.kind, DocKind::Runbook | DocKind::Doc | DocKind::Incident) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for chunk in &doc.chunks {
        let mut in_fence = false;
        let mut previous = "";
        for (offset, line) in chunk.text.lines().enumerate() {
            let above = std::mem::replace(&mut previous, line);
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                in_fence = !in_fence;
                continue;
            }
            let markup = ['#', '|', '<'].iter().any(|c| trimmed.starts_with(*c));
            if in_fence || markup || line.len() > MAX_SENTENCE {
                continue;
            }
            // A wrapped line may still start a new sentence after the first stop.
            let later = line.split_once(['.', '!', '?']).is_some_and(|(_, rest)| is_prohibition(rest));
            if !is_prohibition(line) || (continues_sentence(above, line) && !later) {
                continue;
            }
            let lower = line.to_lowercase();
            if IDIOMS.iter().any(|idiom| lower.contains(idiom)) {
                continue;
            }
            let sentence = plain(trimmed.trim_start_matches(['-', '*', '>', ' ']).trim());
            let terms = terms(line);
            let line_no = chunk.line_start + offset as u32;
            out.push(Advisory {
                id: advisory_id(&doc.path, &sentence),
                strength: strength(&sentence),
                heading: chunk.heading_path.clone(),
                systems: Vec::new(),
                terms,
                provenance: Provenance::new(doc.path.clone(), line_no, line_no, SourceKind::Markdown),
                sentence,
            });
        }
    }
    out
}

fn strength(sentence: &str) -> Strength {
    let lower = sentence.to_lowercase();
    let strong = ["never", "under no circumstances", "under any circumstances", "must not"];
    let shouted = ["NEVER", "DO NOT", "DON'T", "MUST NOT"];
    if strong.iter().any(|cue| lower.contains(cue)) || shouted.iter().any(|cue| sentence.contains(cue)) {
        Strength::Prohibition
    } else {
        Strength::Advice
    }
}

/// Stable across rebuilds and machines: FNV-1a of path and sentence.
fn advisory_id(path: &str, sentence: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in path.bytes().chain([0]).chain(sentence.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("ADV-{:08x}", hash as u32)
}

/// Command tokens in code spans, shouted subjects, tool names and verbs,
/// lower-cased and without repeats, in the order they appear.
fn terms(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |term: &str| {
        let term = term.trim_matches(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).to_lowercase();
        if term.len() >= 2 && !out.contains(&term) {
            out.push(term);
        }
    };
    for (i, span) in line.split('`').enumerate() {
        if i % 2 == 1 {
            span.split_whitespace().take(4).for_each(&mut push);
        }
    }
    for word in line.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '\'')) {
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 3 && word.chars().all(|c| !c.is_lowercase()) && !SHOUTED_NOISE.contains(&word) {
            push(word);
        }
        let lower = word.to_lowercase();
        if TOOLS.contains(&lower.as_str()) {
            push(&lower);
        }
        for (verb, forms) in VERBS {
            if lower == *verb || lower.strip_suffix('s') == Some(verb) || lower.strip_suffix("ing") == Some(verb) {
                forms.iter().for_each(|f| push(f));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_come_from_code_shouts_tools_and_verbs() {
        assert_eq!(terms("DO NOT USE [MONITOR] COMMAND!"), ["monitor"]);
        assert_eq!(terms("Never run `gitlab-ctl reconfigure` on the primary"), ["gitlab-ctl", "reconfigure"]);
        assert_eq!(terms("Do not remove any xlog files"), ["remove", "rm", "delete"]);
        assert!(terms("Avoid doing this at peak times").is_empty());
    }

    #[test]
    fn continuations_and_idioms_are_not_advice() {
        assert!(continues_sentence("the two networks are", "never connected directly"));
        assert!(!continues_sentence("Some context.", "never restart both at once"));
        assert!(!continues_sentence("", "Never restart both at once"));
        let doc = |text: &str| SearchDoc {
            kind: DocKind::Runbook,
            record_id: "r".into(),
            path: "r.md".into(),
            title: "R".into(),
            hints: Default::default(),
            chunks: vec![crate::markdown::Chunk {
                anchor: "r".into(),
                heading_path: "R".into(),
                line_start: 10,
                line_end: 20,
                text: text.into(),
            }],
        };
        let mined =
            mine(&doc("# R\nDon't Panic\n\nNEVER run `redis-cli flushall` on the primary.\n```\nnever in code\n```\n"));
        assert_eq!(mined.len(), 1, "{mined:?}");
        assert_eq!(mined[0].provenance.line_start, 13);
        assert_eq!(mined[0].strength, Strength::Prohibition);
        assert!(mined[0].terms.iter().any(|t| t == "flushall"), "{:?}", mined[0].terms);
    }

    #[test]
    fn strength_and_ids() {
        assert_eq!(strength("NEVER DEPLOY THE WHOLE RUNNER FLEET AT ONCE"), Strength::Prohibition);
        assert_eq!(strength("Avoid restarting during peak hours"), Strength::Advice);
        assert_eq!(advisory_id("a.md", "x"), advisory_id("a.md", "x"));
        assert_ne!(advisory_id("a.md", "x"), advisory_id("b.md", "x"));
    }
}
