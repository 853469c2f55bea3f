//! Documented operations: every command a runbook or incident report shows,
//! parsed once at build time by the gate's own parser (`lore-action`), with
//! the warnings and prohibitions of its section. A prohibition that names
//! no command ("Do not delete the PVC") becomes an operation of its verb
//! and object, so the gate matches it by structure too.

use lore_action::{Action, Target};
use lore_ingest::outline::{Caution, Chunk, Snippet};
use lore_ingest::{DocKind, SearchDoc};
use lore_model::{ActionClass, Diagnostic, DocCaution, Operation, OperationCaution, Provenance, SourceKind, Strength};

/// A document with more is pasted output, not a runbook.
const MAX_PER_DOCUMENT: usize = 500;
/// Cautions this far before an operation (or one line after) are about it.
const ADJACENT_BEFORE: u32 = 4;
const MAX_CAUTIONS: usize = 4;

/// Verbs a prohibition uses, and the class of action each forbids.
const VERBS: [(&str, ActionClass); 19] = [
    // "Do not use MONITOR": the object is the command, whatever it does.
    ("use", ActionClass::Unknown),
    ("run", ActionClass::Unknown),
    ("execute", ActionClass::Unknown),
    ("delete", ActionClass::Delete),
    ("remove", ActionClass::Delete),
    ("rm", ActionClass::Delete),
    ("destroy", ActionClass::BulkDestroy),
    ("drop", ActionClass::DataDelete),
    ("truncate", ActionClass::DataDelete),
    ("restart", ActionClass::Restart),
    ("reboot", ActionClass::Restart),
    ("kill", ActionClass::Restart),
    ("drain", ActionClass::Drain),
    ("cordon", ActionClass::Drain),
    ("scale", ActionClass::Scale),
    ("failover", ActionClass::Failover),
    ("recreate", ActionClass::Recreate),
    ("replace", ActionClass::Recreate),
    ("flush", ActionClass::DataDelete),
];

/// Words that open a prohibition's verb.
const NEGATIONS: [&str; 7] = ["not", "never", "don", "dont", "mustn", "avoid", "shouldn"];

/// Words between a verb and its object.
const FILLERS: [&str; 8] = ["the", "a", "an", "any", "your", "all", "its", "their"];
/// Words after a verb that are not what it acts on.
const NOT_OBJECTS: [&str; 24] = [
    "this",
    "that",
    "these",
    "those",
    "it",
    "them",
    "anything",
    "something",
    "on",
    "in",
    "to",
    "for",
    "with",
    "without",
    "if",
    "when",
    "until",
    "unless",
    "more",
    "again",
    "manually",
    "yourself",
    "from",
    "or",
];

/// The operations of one document (runbooks and incident reports only), and
/// a diagnostic at each code line left out.
pub fn mine(doc: &SearchDoc, systems: &[String]) -> (Vec<Operation>, Vec<Diagnostic>) {
    if !matches!(doc.kind, DocKind::Runbook | DocKind::Incident) {
        return (Vec::new(), Vec::new());
    }
    let note = |line: u32, message: String| Diagnostic {
        file: doc.path.clone(),
        line,
        severity: lore_model::Severity::Info,
        message,
    };
    let mut out = Vec::new();
    let mut diagnostics: Vec<Diagnostic> =
        doc.chunks.iter().flat_map(|c| &c.skipped).map(|s| note(s.line, s.why.clone())).collect();
    for chunk in &doc.chunks {
        for snippet in &chunk.snippets {
            for action in parse(snippet) {
                out.push(operation(doc, systems, chunk, snippet.line, &action));
            }
        }
        for caution in chunk.cautions.iter().filter(|c| c.prohibition) {
            let names_command = chunk.snippets.iter().any(|s| s.inline && s.line == caution.line);
            if !names_command && let Some(op) = sentence_operation(doc, systems, chunk, caution) {
                out.push(op);
            }
        }
        if out.len() >= MAX_PER_DOCUMENT {
            let first_left = out.get(MAX_PER_DOCUMENT).map_or(chunk.line_start, |op| op.provenance.line_start);
            diagnostics.push(note(
                first_left,
                format!("more than {MAX_PER_DOCUMENT} commands in one document (pasted output?); the rest are not read as operations"),
            ));
            out.truncate(MAX_PER_DOCUMENT);
            break;
        }
    }
    (out, diagnostics)
}

/// Every caution sentence of a runbook or incident report, once each.
pub fn doc_cautions(doc: &SearchDoc) -> Vec<DocCaution> {
    if !matches!(doc.kind, DocKind::Runbook | DocKind::Incident) {
        return Vec::new();
    }
    doc.chunks
        .iter()
        .flat_map(|chunk| &chunk.cautions)
        .map(|c| DocCaution {
            file: doc.path.clone(),
            line: c.line,
            sentence: c.sentence.clone(),
            strength: if c.prohibition { Strength::Prohibition } else { Strength::Advice },
        })
        .collect()
}

/// The actions of a snippet that lore understands; prose, YAML and output
/// parse as unknown tools and are left out.
fn parse(snippet: &Snippet) -> Vec<Action> {
    let text = spell_out_placeholders(&snippet.text);
    let analysis = lore_action::analyze_shell(&text);
    if !analysis.complete {
        return Vec::new();
    }
    let mut actions: Vec<Action> = analysis.actions.into_iter().filter(|a| a.class != ActionClass::Unknown).collect();
    // Quote the doc's own words, not the spelled-out placeholders.
    for action in &mut actions {
        if let Some(original) = snippet.text.get(action.span.start..action.span.end) {
            action.text = original.to_string();
        }
    }
    actions
}

/// `<pod-name>` in a runbook is a placeholder, not a redirection: spelt
/// `_POD_NAME_`, the same length, so spans still point into the original.
fn spell_out_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('<') {
        return text.into();
    }
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i] == b'<' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
        let end = bytes[i + 1..].iter().position(|&b| b == b'>').map(|p| i + 1 + p);
        match end.filter(|&end| {
            starts && bytes[i + 1..end].iter().all(|&b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        }) {
            Some(end) => {
                for (j, b) in bytes[i..=end].iter().enumerate() {
                    out[i + j] = if b.is_ascii_alphanumeric() { b.to_ascii_uppercase() } else { b'_' };
                }
                i = end + 1;
            }
            None => i += 1,
        }
    }
    String::from_utf8(out).map_or(text.into(), Into::into)
}

fn operation(doc: &SearchDoc, systems: &[String], chunk: &Chunk, line: u32, action: &Action) -> Operation {
    Operation {
        tool: action.family().to_string(),
        command: action.command.clone(),
        class: action.class,
        flags: action.flags.clone(),
        targets: action.targets.iter().filter_map(concrete).collect(),
        text: action.text.clone(),
        heading: chunk.heading_path.clone(),
        doc_kind: doc.kind.as_str().to_string(),
        doc_id: doc.record_id.clone(),
        doc_title: doc.title.clone(),
        systems: systems.to_vec(),
        cautions: cautions(chunk, line),
        provenance: provenance(doc, line),
    }
}

/// The verb and object a prohibition forbids: "Do not delete the PVC" is
/// `(Delete, persistentvolumeclaim)`.
fn forbidden(sentence: &str) -> Option<(ActionClass, String)> {
    let words: Vec<String> = sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    // The verb is the one the negation governs: "do not delete", "never run".
    let negation = words.iter().position(|w| NEGATIONS.contains(&w.as_str()))?;
    let (at, class) = words.iter().enumerate().skip(negation + 1).take(3).find_map(|(i, w)| {
        VERBS.iter().find(|(verb, _)| w == verb || w.strip_suffix('s') == Some(verb)).map(|(_, class)| (i, *class))
    })?;
    let object = words[at + 1..].iter().find(|w| !FILLERS.contains(&w.as_str()))?;
    if object.len() < 2 || object.chars().all(|c| c.is_ascii_digit()) || NOT_OBJECTS.contains(&object.as_str()) {
        return None;
    }
    Some((class, lore_action::kind_name(object)))
}

/// An operation of a prohibition's verb and object: "Do not delete the PVC".
fn sentence_operation(doc: &SearchDoc, systems: &[String], chunk: &Chunk, caution: &Caution) -> Option<Operation> {
    let (class, object) = forbidden(&caution.sentence)?;
    // "Do not remove any files that end in `.history`": the code says which.
    let code = caution
        .sentence
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::trim)
        .filter(|c| c.len() >= 2 && !c.contains(' '))
        .map(|c| format!("code:{c}"));
    Some(Operation {
        tool: String::new(),
        command: Vec::new(),
        class,
        flags: Vec::new(),
        targets: std::iter::once(format!("word:{object}")).chain(code).collect(),
        text: caution.sentence.clone(),
        heading: chunk.heading_path.clone(),
        doc_kind: doc.kind.as_str().to_string(),
        doc_id: doc.record_id.clone(),
        doc_title: doc.title.clone(),
        systems: systems.to_vec(),
        cautions: vec![OperationCaution {
            line: caution.line,
            sentence: caution.sentence.clone(),
            strength: Strength::Prohibition,
            adjacent: true,
            object: object.clone(),
        }],
        provenance: provenance(doc, caution.line),
    })
}

/// A target as the gate compares it, or nothing when it is a placeholder.
fn concrete(target: &Target) -> Option<String> {
    match target {
        Target::Kubernetes { kind, name, namespace, .. } => {
            let mut key = format!("k8s:{kind}");
            if let Some(name) = name.as_deref().filter(|n| !lore_action::is_placeholder(n)) {
                key.push('/');
                key.push_str(name);
            }
            if let Some(ns) = namespace.as_deref().filter(|n| !lore_action::is_placeholder(n)) {
                key.push('@');
                key.push_str(ns);
            }
            Some(key)
        }
        Target::Path { path } if lore_action::is_placeholder(path) => None,
        other => {
            let short = other.short();
            let value = short.split_once(':').map_or(short.as_str(), |(_, v)| v);
            (!lore_action::is_placeholder(value)).then_some(short)
        }
    }
}

/// The section's cautions, those about this command first.
/// Whether nothing between a caution and a command opens another list item
/// or heading: a warning in item 2 is not about the command in item 3.
fn same_item(chunk: &Chunk, caution: u32, command: u32) -> bool {
    let line_of = |n: u32| n.checked_sub(chunk.line_start).and_then(|i| chunk.text.lines().nth(i as usize));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let opens_item = |l: &str| {
        let t = l.trim_start();
        t.starts_with("- ") || t.starts_with("* ") || lore_ingest::outline::is_numbered_item(t)
    };
    let Some(from) = line_of(caution) else { return true };
    let from_indent = indent(from);
    // In code, `#` opens a comment, not a heading.
    let in_code = from.trim_start().starts_with('#');
    (caution + 1..command.max(caution + 1)).filter_map(line_of).all(|l| {
        let heading = !in_code && l.trim_start().starts_with('#');
        !(heading || (!in_code && opens_item(l) && indent(l) <= from_indent))
    })
}

fn cautions(chunk: &Chunk, line: u32) -> Vec<OperationCaution> {
    let mut out: Vec<OperationCaution> = chunk
        .cautions
        .iter()
        .map(|c| OperationCaution {
            line: c.line,
            sentence: c.sentence.clone(),
            strength: if c.prohibition { Strength::Prohibition } else { Strength::Advice },
            adjacent: c.line + ADJACENT_BEFORE >= line && c.line <= line + 1 && same_item(chunk, c.line, line),
            object: if c.prohibition {
                forbidden(&c.sentence).map(|(_, o)| o).unwrap_or_default()
            } else {
                String::new()
            },
        })
        .collect();
    out.sort_by_key(|c| (!c.adjacent, c.strength != Strength::Prohibition, c.line.abs_diff(line)));
    out.truncate(MAX_CAUTIONS);
    out
}

fn provenance(doc: &SearchDoc, line: u32) -> Provenance {
    Provenance { file: doc.path.clone(), line_start: line, line_end: line, commit: None, source: SourceKind::Markdown }
}
