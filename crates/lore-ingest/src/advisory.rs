//! Mining advisories: the prohibitions runbooks already state in prose
//! ("DO NOT USE MONITOR", "never deploy the whole fleet at once"), each with
//! its citation and the terms an action must mention for it to apply.
//! Deterministic: cue phrases and token shapes, no model.

use lore_model::{Advisory, Provenance, SourceKind, Strength};

use crate::markdown::{is_prohibition, plain};
use crate::{DocKind, SearchDoc};

/// Longer lines are tables or pasted logs, not advice.
const MAX_SENTENCE: usize = 400;
/// How long an advisory may grow with the sentences after it that give its reason.
const WITH_REASON: usize = 300;

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

/// "X should never be used", "must not be deleted": a prohibition inside a
/// sentence, when an action verb follows. ("This should not happen" forbids nothing.)
const MODALS: &[&str] = &["should never", "must never", "must not", "mustn't", "should not", "shouldn't", "shall not"];
const ACTS: &[&str] = &[
    "run",
    "use",
    "delete",
    "remove",
    "restart",
    "deploy",
    "merge",
    "edit",
    "change",
    "modify",
    "touch",
    "drop",
    "kill",
    "stop",
    "reboot",
    "scale",
    "push",
    "apply",
    "execute",
    "upgrade",
    "disable",
    "enable",
    "increase",
    "decrease",
    "rotate",
    "truncate",
    "force",
    "commit",
    "trigger",
    "perform",
    "start",
    "create",
    "resize",
    "rebuild",
    "reindex",
    "promote",
    "failover",
    "fail",
    "shut",
    "terminate",
    "destroy",
    "purge",
    "flush",
    "wipe",
    "overwrite",
    "rename",
    "move",
    "reset",
    "revert",
    "bypass",
    "skip",
    "ignore",
    "exceed",
    "share",
    "store",
    "commit",
    "expose",
    "open",
    "copy",
];

fn modal_prohibition(lower: &str) -> bool {
    MODALS.iter().any(|modal| {
        lower.match_indices(modal).any(|(at, _)| {
            let mut words = lower[at + modal.len()..]
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|w| !w.is_empty())
                .skip_while(|w| ["be", "ever", "ever", "directly", "manually", "simply", "just"].contains(w));
            words.next().is_some_and(|verb| {
                ACTS.iter().any(|act| {
                    verb == *act
                        || verb.strip_suffix("ed").is_some_and(|stem| stem == *act || format!("{stem}e") == *act)
                        || verb.strip_suffix('d').is_some_and(|stem| stem == *act)
                        || verb == format!("{act}n").as_str()
                })
            })
        })
    })
}

/// The asides and second clauses of a sentence, which may forbid on their
/// own: "restart the replicas (don't do this on the primary)", "read it, but
/// never write".
fn clauses(sentence: &str) -> impl Iterator<Item = &str> {
    let asides = sentence.split('(').skip(1).map(|aside| aside.split(')').next().unwrap_or_default());
    let second = [", but ", ", so ", " - ", " – ", " — "]
        .into_iter()
        .filter_map(move |joint| sentence.split_once(joint).map(|(_, rest)| rest));
    asides.chain(second)
}

/// An aside or clause that opens with a cue and an action: "do not resize
/// the cluster", "don't do it on the leader" (not "don't know why yet").
fn clause_forbids(clause: &str) -> bool {
    let lower = clause.trim_start_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    ["never", "do not", "don't", "must not", "should not"].iter().any(|cue| {
        lower.strip_prefix(cue).is_some_and(|rest| {
            rest.split(|c: char| !c.is_alphanumeric())
                .find(|w| !w.is_empty())
                .is_some_and(|verb| verb == "do" || ACTS.contains(&verb))
        })
    })
}

/// A run of prose lines: list items and blank lines start a new one;
/// headings, tables, HTML and code fences are not prose.
fn paragraphs(text: &str, first_line: u32) -> Vec<Vec<(u32, &str)>> {
    let mut out: Vec<Vec<(u32, &str)>> = Vec::new();
    let mut current: Vec<(u32, &str)> = Vec::new();
    let mut in_fence = false;
    for (offset, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        let fence = trimmed.starts_with("```") || trimmed.starts_with("~~~");
        if fence {
            in_fence = !in_fence;
        }
        let markup = ['#', '|', '<'].iter().any(|c| trimmed.starts_with(*c));
        let item = trimmed.starts_with(['-', '*', '+', '>'])
            || trimmed
                .split_once(['.', ')'])
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if fence || in_fence || markup || trimmed.is_empty() || line.len() > MAX_SENTENCE || item {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if fence || in_fence || markup || trimmed.is_empty() || line.len() > MAX_SENTENCE {
                continue;
            }
        }
        current.push((first_line + offset as u32, trimmed));
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The sentences of a paragraph, each with the lines it spans.
fn sentences(paragraph: &[(u32, &str)]) -> Vec<(String, u32, u32)> {
    let mut out = Vec::new();
    let mut sentence = String::new();
    let mut start = paragraph.first().map_or(0, |(line, _)| *line);
    for &(line, text) in paragraph {
        if sentence.is_empty() {
            start = line;
        } else {
            sentence.push(' ');
        }
        let mut rest = text;
        while let Some(end) = sentence_end(rest) {
            sentence.push_str(&rest[..end]);
            out.push((std::mem::take(&mut sentence), start, line));
            rest = rest[end..].trim_start();
            start = line;
        }
        sentence.push_str(rest);
    }
    if !sentence.trim().is_empty() {
        let last = paragraph.last().map_or(start, |(line, _)| *line);
        out.push((sentence, start, last));
    }
    out.retain(|(text, _, _)| !text.trim().is_empty());
    out
}

/// Where the first sentence of `text` ends (after its `.`, `!` or `?`),
/// if it ends on this line: not after an abbreviation, a number or a path.
fn sentence_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b'.' | b'!' | b'?') {
            continue;
        }
        let next = bytes.get(i + 1).copied();
        if next.is_some_and(|n| !n.is_ascii_whitespace()) {
            continue;
        }
        let word = text[..i].rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or_default().to_lowercase();
        if b == b'.' && (["e.g", "i.e", "etc", "vs", "approx", "cf"].contains(&word.as_str()) || word.len() == 1) {
            continue;
        }
        return Some(i + 1);
    }
    None
}

/// The advisories in one document; systems are filled in when linking.
pub fn mine(doc: &SearchDoc) -> Vec<Advisory> {
    if !matches!(doc.kind, DocKind::Runbook | DocKind::Doc | DocKind::Incident) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for chunk in &doc.chunks {
        for paragraph in paragraphs(&chunk.text, chunk.line_start) {
            let sentences = sentences(&paragraph);
            for (i, (raw, first, last)) in sentences.iter().enumerate() {
                let (first, last) = (*first, *last);
                if raw.len() > MAX_SENTENCE {
                    continue;
                }
                let lower = raw.to_lowercase();
                let forbids = is_prohibition(raw) || modal_prohibition(&lower) || clauses(raw).any(clause_forbids);
                if !forbids || IDIOMS.iter().any(|i| lower.contains(i)) {
                    continue;
                }
                // The why usually follows: "DO NOT USE MONITOR COMMAND! It can overload…"
                let mut said = raw.trim_start_matches(['-', '*', '+', '>', ' ']).trim().to_string();
                for (next, _, _) in &sentences[i + 1..] {
                    if said.len() + next.len() > WITH_REASON {
                        break;
                    }
                    said.push(' ');
                    said.push_str(next);
                }
                let sentence = plain(&said);
                // Named by the prohibition alone, so a reworded reason keeps the id.
                let id = advisory_id(&doc.path, &plain(raw.trim_start_matches(['-', '*', '+', '>', ' ']).trim()));
                out.push(Advisory {
                    id,
                    strength: strength(&sentence),
                    heading: chunk.heading_path.clone(),
                    systems: Vec::new(),
                    terms: terms(raw),
                    provenance: Provenance::new(doc.path.clone(), first, last, SourceKind::Markdown),
                    sentence,
                });
            }
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

    fn doc(text: &str) -> SearchDoc {
        SearchDoc {
            kind: DocKind::Runbook,
            record_id: "r".into(),
            path: "r.md".into(),
            title: "R".into(),
            aliases: Vec::new(),
            keywords: Vec::new(),
            description: String::new(),
            hints: Default::default(),
            chunks: vec![crate::markdown::Chunk {
                anchor: "r".into(),
                heading_path: "R".into(),
                line_start: 10,
                line_end: 30,
                text: text.into(),
                prose: text.into(),
                code: String::new(),
                snippets: Vec::new(),
                cautions: Vec::new(),
                skipped: Vec::new(),
            }],
        }
    }

    #[test]
    fn continuations_and_idioms_are_not_advice() {
        let mined =
            mine(&doc("# R\nDon't Panic\n\nNEVER run `redis-cli flushall` on the primary.\n```\nnever in code\n```\n\
             The two networks are\nnever connected directly.\n"));
        assert_eq!(mined.len(), 1, "{mined:?}");
        assert_eq!(mined[0].provenance.line_start, 13);
        assert_eq!(mined[0].strength, Strength::Prohibition);
        assert!(mined[0].terms.iter().any(|t| t == "flushall"), "{:?}", mined[0].terms);
    }

    #[test]
    fn wrapped_sentences_are_read_whole_and_cited_from_their_first_line() {
        let mined = mine(&doc(
            "Some context first. Do not under any circumstances remove any xlog files\nnewer than the last checkpoint.\n\n\
             We can stop and restart the replicas (don't do\nthis on the primary).\n\n\
             The mirror is read-only, and `ops.gitlab.net` should never be used\nfor pushes. This should not happen often.\n",
        ));
        let sentences: Vec<(&str, u32, u32)> =
            mined.iter().map(|a| (a.sentence.as_str(), a.provenance.line_start, a.provenance.line_end)).collect();
        assert_eq!(sentences.len(), 3, "{sentences:?}");
        assert_eq!(
            sentences[0],
            ("Do not under any circumstances remove any xlog files newer than the last checkpoint.", 10, 11)
        );
        assert_eq!(sentences[1].1, 13, "an aside that forbids: {sentences:?}");
        assert!(sentences[1].0.contains("(don't do this on the primary)"));
        assert_eq!(sentences[2].1, 16, "a prohibition inside a sentence: {sentences:?}");
        assert!(sentences[2].0.contains("should never be used for pushes"));
    }

    #[test]
    fn modal_prohibitions_need_an_action() {
        assert!(modal_prohibition("this host should never be restarted during the day"));
        assert!(modal_prohibition("you must not run reindex on the primary"));
        assert!(!modal_prohibition("this should not happen"));
        assert!(!modal_prohibition("it must not be a problem"));
    }

    #[test]
    fn strength_and_ids() {
        assert_eq!(strength("NEVER DEPLOY THE WHOLE RUNNER FLEET AT ONCE"), Strength::Prohibition);
        assert_eq!(strength("Avoid restarting during peak hours"), Strength::Advice);
        assert_eq!(advisory_id("a.md", "x"), advisory_id("a.md", "x"));
        assert_ne!(advisory_id("a.md", "x"), advisory_id("b.md", "x"));
    }
}
