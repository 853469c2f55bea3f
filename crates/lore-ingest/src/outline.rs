//! The shape every document dialect is read into: a title, hierarchical
//! [`Section`]s for citations, and flat [`Chunk`]s for search, each chunk
//! with its prose and its code apart. Each dialect (Markdown, reStructuredText,
//! AsciiDoc) finds headings and code; [`assemble`] does the rest the same way.

use lore_model::Section;

/// A searchable chunk: a heading and the text up to the next heading of any level.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Chunk {
    /// The heading's slug, unique in the document (`steps`, `steps-1`); empty
    /// for the text before the first heading.
    pub anchor: String,
    /// The headings above and including this one, `Failover › Steps`.
    pub heading_path: String,
    /// The chunk's first line in the file (1-based).
    pub line_start: u32,
    /// Its last line in the file, inclusive.
    pub line_end: u32,
    /// The chunk's lines as written.
    pub text: String,
    /// The lines outside code blocks.
    pub prose: String,
    /// Code blocks and inline code: the commands a reader would run.
    pub code: String,
    /// Each command line of the code, and inline code that reads as one, with its line.
    pub snippets: Vec<Snippet>,
    /// Warning and prohibition lines of the prose, with their lines.
    pub cautions: Vec<Caution>,
    /// Code lines not kept as snippets, and why: too long to be a command,
    /// or past the chunk's limit.
    pub skipped: Vec<Skipped>,
}

/// A code line left out of a chunk's snippets.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Skipped {
    /// The code line's line in the file.
    pub line: u32,
    /// Why it was left out, as a sentence: too long to be a command, or past
    /// the chunk's limit.
    pub why: String,
}

/// One line of code (continuations joined) or one inline code span.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Snippet {
    /// Its line in the file.
    pub line: u32,
    /// The command as written.
    pub text: String,
    /// Inline code in a sentence, rather than a line of a code block.
    pub inline: bool,
}

/// A line of prose that warns about, or forbids, what the section describes.
#[derive(Debug, Clone, PartialEq, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Caution {
    /// Its line in the file.
    pub line: u32,
    /// The line (or the wrapped sentence it is part of), trimmed; a line of
    /// more than 400 bytes is never a caution.
    pub sentence: String,
    /// "do not", "never", "must not": a prohibition rather than a caution.
    pub prohibition: bool,
}

/// Longer code lines are data or output, not commands.
const MAX_SNIPPET: usize = 1000;
/// Past this many, a chunk's further snippets are not kept (a file of pasted output).
const MAX_SNIPPETS: usize = 200;
const MAX_CAUTION: usize = 400;

/// Words that make a line of prose a caution.
const CAUTION_CUES: [&str; 22] = [
    "warning",
    "caution",
    "careful",
    "make sure",
    "ensure that",
    "before you",
    "before running",
    "irreversible",
    "cannot be undone",
    "data loss",
    "lose data",
    "lost",
    "last resort",
    "downtime",
    "outage",
    "danger",
    "destructive",
    "permanently",
    "at your own risk",
    "not recommended",
    "do not recommend",
    "proceed with caution",
];

/// Negations that encourage rather than forbid.
const IDIOMS: [&str; 8] = [
    "don't forget",
    "do not forget",
    "don't hesitate",
    "do not hesitate",
    "don't worry",
    "do not worry",
    "never mind",
    "don't panic",
];

/// The prose line as a caution, when it is one.
pub fn caution(line: u32, text: &str) -> Option<Caution> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.len() > MAX_CAUTION {
        return None;
    }
    let lower = trimmed.to_lowercase();
    let prohibition = crate::markdown::is_prohibition(trimmed) && !IDIOMS.iter().any(|idiom| lower.contains(idiom));
    (prohibition || CAUTION_CUES.iter().any(|cue| lower.contains(cue))).then(|| Caution {
        line,
        sentence: trimmed.to_string(),
        prohibition,
    })
}

/// The sentence a prose line is part of, when it wraps onto the lines
/// around it: its first line and its text. Lines of a list item or a
/// paragraph continue one another; a blank line, a heading or a new list
/// item does not, and nor does a line that ends a sentence.
fn whole_sentence<'a>(
    prose_line: &dyn Fn(u32) -> Option<&'a str>,
    line_no: u32,
    from: u32,
    to: u32,
) -> Option<(u32, String)> {
    const MAX_LINES: u32 = 6;
    let ends = |t: &str| t.ends_with(['.', '!', '?', ':']) || t.ends_with(".)");
    let opens = |t: &str| t.starts_with(['#', '-', '*', '>', '|']) || is_numbered_item(t);
    let text = prose_line(line_no)?.trim();
    if text.is_empty() {
        return None;
    }
    let mut start = line_no;
    while start > from && line_no - start < MAX_LINES && !opens(text_at(prose_line, start)) {
        let before = text_at(prose_line, start - 1);
        if before.is_empty() || ends(before) || before.starts_with('#') {
            break;
        }
        start -= 1;
    }
    let mut end = line_no;
    while end < to && end - start < MAX_LINES && !ends(text_at(prose_line, end)) {
        let after = text_at(prose_line, end + 1);
        if after.is_empty() || opens(after) {
            break;
        }
        end += 1;
    }
    let joined: Vec<&str> = (start..=end).map(|l| text_at(prose_line, l)).collect();
    Some((start, joined.join(" ")))
}

/// `3. Do this`: a numbered list item, as a trimmed line opens one.
pub fn is_numbered_item(line: &str) -> bool {
    line.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn text_at<'a>(prose_line: &dyn Fn(u32) -> Option<&'a str>, line_no: u32) -> &'a str {
    prose_line(line_no).map_or("", str::trim)
}

/// Lines that open or close a block, or only comment, rather than run.
fn is_code_furniture(line: &str) -> bool {
    let t = line.trim();
    t.is_empty()
        || t.starts_with("```")
        || t.starts_with("~~~")
        || t.starts_with("..")
        || t.starts_with("----")
        || t.starts_with("[source")
        || t.starts_with('#')
        || t.starts_with("//")
}

/// The command lines of one code block, continuations joined, prompts removed.
fn block_snippets(lines: &[&str], first_line: u32, block: &CodeBlock, out: &mut Snippets) {
    let mut pending: Option<Snippet> = None;
    for line_no in block.line_start..=block.line_end {
        let Some(raw) = lines.get(line_no.saturating_sub(first_line) as usize) else { break };
        if pending.is_none() && is_code_furniture(raw) {
            continue;
        }
        let text = raw.trim();
        let text = text.strip_prefix("$ ").or_else(|| text.strip_prefix("> ")).unwrap_or(text);
        let snippet = pending.get_or_insert_with(|| Snippet { line: line_no, text: String::new(), inline: false });
        match text.strip_suffix('\\') {
            Some(head) => {
                snippet.text.push_str(head.trim_end());
                snippet.text.push(' ');
            }
            None => {
                snippet.text.push_str(text);
                if let Some(done) = pending.take() {
                    push_snippet(out, done);
                }
            }
        }
    }
    if let Some(done) = pending {
        push_snippet(out, done);
    }
}

/// A chunk's snippets, and the code lines left out of them.
#[derive(Default)]
struct Snippets {
    kept: Vec<Snippet>,
    skipped: Vec<Skipped>,
}

fn push_snippet(out: &mut Snippets, snippet: Snippet) {
    let why = if snippet.text.trim().is_empty() {
        return;
    } else if snippet.text.len() > MAX_SNIPPET {
        format!(
            "a code line of {} bytes is read as data, not a command (the limit is {MAX_SNIPPET})",
            snippet.text.len()
        )
    } else if out.kept.len() >= MAX_SNIPPETS {
        format!("more than {MAX_SNIPPETS} commands in one section; the rest are not read as operations")
    } else {
        out.kept.push(snippet);
        return;
    };
    // One note per section for the limit, not one per line past it.
    if out.kept.len() < MAX_SNIPPETS || !out.skipped.iter().any(|s| s.why.starts_with("more than")) {
        out.skipped.push(Skipped { line: snippet.line, why });
    }
}

/// A document split two ways: hierarchical [`Section`]s for citations, and
/// flat [`Chunk`]s for search.
#[derive(Debug, Default)]
pub struct Outline {
    /// The dialect's title, else the first level-1 heading; `None` without either.
    pub title: Option<String>,
    /// The headings as a tree, each with its line span, for citing.
    pub sections: Vec<Section>,
    /// Heading by heading, for search.
    pub chunks: Vec<Chunk>,
}

/// A heading as a dialect found it.
#[derive(Debug)]
pub(crate) struct Heading {
    pub level: u8,
    pub text: String,
    /// The file line of the heading; for underlined headings, the title line.
    pub line: u32,
}

/// A code block as a dialect found it.
#[derive(Debug)]
pub(crate) struct CodeBlock {
    /// Every line the block covers, fences and directives included.
    pub line_start: u32,
    pub line_end: u32,
    pub text: String,
}

/// What a dialect found in a body.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub headings: Vec<Heading>,
    pub code_blocks: Vec<CodeBlock>,
    /// Inline code, by the file line it is on.
    pub inline_code: Vec<(u32, String)>,
    /// The title when the dialect says it apart from the headings.
    pub title: Option<String>,
}

/// Builds the outline of `body`, which starts at file line `first_line`.
pub(crate) fn assemble(body: &str, first_line: u32, found: Found) -> Outline {
    let lines: Vec<&str> = body.split('\n').collect();
    let trailing_newline = body.ends_with('\n');
    let count = if trailing_newline { lines.len().saturating_sub(1) } else { lines.len() };
    let last_line = first_line + (count.max(1) as u32) - 1;
    let headings: Vec<Heading> = found.headings.into_iter().filter(|h| !h.text.is_empty()).collect();

    let title = found.title.or_else(|| headings.iter().find(|h| h.level == 1).map(|h| h.text.clone()));
    let sections = sections(&headings, last_line);
    let text_of = |from: u32, to: u32| -> String {
        let lo = from.saturating_sub(first_line) as usize;
        let hi = (to.saturating_add(1).saturating_sub(first_line) as usize).min(count);
        if lo >= hi { String::new() } else { lines[lo..hi].join("\n") }
    };
    let in_code = |line: u32| found.code_blocks.iter().any(|b| b.line_start <= line && line <= b.line_end);
    let prose_of = |from: u32, to: u32| -> String {
        let lo = from.saturating_sub(first_line) as usize;
        let hi = (to.saturating_add(1).saturating_sub(first_line) as usize).min(count);
        let kept: Vec<&str> = (lo..hi).filter(|i| !in_code(first_line + *i as u32)).map(|i| lines[i]).collect();
        kept.join("\n")
    };
    let code_of = |from: u32, to: u32| -> String {
        let blocks = found
            .code_blocks
            .iter()
            .filter(|b| b.line_start >= from && b.line_start <= to)
            .map(|b| b.text.trim_end().to_string());
        let inline = found.inline_code.iter().filter(|(line, _)| (from..=to).contains(line)).map(|(_, c)| c.clone());
        blocks.chain(inline).collect::<Vec<_>>().join("\n")
    };
    let snippets_of = |from: u32, to: u32| -> Snippets {
        let mut out = Snippets::default();
        for block in found.code_blocks.iter().filter(|b| b.line_start >= from && b.line_start <= to) {
            block_snippets(&lines, first_line, block, &mut out);
        }
        for (line, code) in found.inline_code.iter().filter(|(line, _)| (from..=to).contains(line)) {
            // One word is a name, not a command.
            if code.trim().contains(' ') {
                push_snippet(&mut out, Snippet { line: *line, text: code.trim().to_string(), inline: true });
            }
        }
        for line_no in from..=to {
            let Some(raw) = lines.get(line_no.saturating_sub(first_line) as usize) else { break };
            if let Some(command) = raw.trim().strip_prefix("$ ").filter(|_| !in_code(line_no)) {
                push_snippet(&mut out, Snippet { line: line_no, text: command.trim().to_string(), inline: false });
            }
        }
        out.kept.sort_by_key(|s| s.line);
        out
    };
    // Prose lines, and comments in code (`# IMPORTANT: review --include first`).
    let prose_line = |line_no: u32| -> Option<&str> {
        let raw = lines.get(line_no.checked_sub(first_line)? as usize)?;
        (!in_code(line_no)).then_some(*raw)
    };
    let cautions_of = |from: u32, to: u32| -> Vec<Caution> {
        let mut out: Vec<Caution> = Vec::new();
        for line_no in from..=to {
            let Some(raw) = lines.get(line_no.saturating_sub(first_line) as usize) else { break };
            let found = if in_code(line_no) {
                raw.trim_start()
                    .strip_prefix('#')
                    .filter(|c| !c.starts_with('!'))
                    .and_then(|comment| caution(line_no, comment.trim_start_matches('#')))
            } else {
                whole_sentence(&prose_line, line_no, from, to).and_then(|(start, text)| caution(start, &text))
            };
            // A sentence wrapped over lines with two cues in it is one caution.
            if let Some(found) = found.filter(|c| out.last().is_none_or(|last| last.line != c.line)) {
                out.push(found);
            }
        }
        out
    };
    let chunk = |anchor: String, heading_path: String, from: u32, to: u32| {
        let Snippets { kept, skipped } = snippets_of(from, to);
        Chunk {
            anchor,
            heading_path,
            line_start: from,
            line_end: to,
            text: text_of(from, to),
            prose: prose_of(from, to),
            code: code_of(from, to),
            snippets: kept,
            cautions: cautions_of(from, to),
            skipped,
        }
    };

    let mut chunks = Vec::new();
    let first_heading_line = headings.first().map(|h| h.line).unwrap_or(last_line + 1);
    if first_heading_line > first_line && !text_of(first_line, first_heading_line - 1).trim().is_empty() {
        chunks.push(chunk(String::new(), title.clone().unwrap_or_default(), first_line, first_heading_line - 1));
    }
    let mut stack: Vec<(u8, &str)> = Vec::new();
    for (i, heading) in headings.iter().enumerate() {
        while stack.last().is_some_and(|(level, _)| *level >= heading.level) {
            stack.pop();
        }
        stack.push((heading.level, &heading.text));
        let end = headings.get(i + 1).map(|h| h.line.saturating_sub(1)).unwrap_or(last_line).max(heading.line);
        let path = stack.iter().map(|(_, text)| *text).collect::<Vec<_>>().join(" › ");
        chunks.push(chunk(sections[i].anchor.clone(), path, heading.line, end));
    }
    Outline { title, sections, chunks }
}

fn sections(headings: &[Heading], last_line: u32) -> Vec<Section> {
    let mut anchors = Anchors::default();
    headings
        .iter()
        .enumerate()
        .map(|(i, heading)| {
            let end = headings[i + 1..]
                .iter()
                .find(|h| h.level <= heading.level)
                .map(|h| h.line.saturating_sub(1))
                .unwrap_or(last_line)
                .max(heading.line);
            Section {
                anchor: anchors.make(&heading.text),
                heading: heading.text.clone(),
                level: heading.level,
                line_start: heading.line,
                line_end: end,
            }
        })
        .collect()
}

/// GitHub-style anchors, made unique within one document.
#[derive(Default)]
struct Anchors {
    seen: std::collections::HashMap<String, usize>,
}

impl Anchors {
    fn make(&mut self, heading: &str) -> String {
        let base = slug(heading);
        let count = self.seen.entry(base.clone()).or_insert(0);
        *count += 1;
        if *count == 1 { base } else { format!("{base}-{}", *count - 1) }
    }
}

/// A heading as an anchor: lower-case letters and digits, runs of spaces,
/// `-` and `_` as one `-`, the rest dropped (`Fail over!` → `fail-over`).
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.trim().chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if (ch == ' ' || ch == '-' || ch == '_') && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_prose_and_code_apart() {
        let body = "# T\n\nrun this:\n\n```\nredis-cli monitor\n```\n\nthen `ls`\n";
        let found = Found {
            headings: vec![Heading { level: 1, text: "T".into(), line: 1 }],
            code_blocks: vec![CodeBlock { line_start: 5, line_end: 7, text: "redis-cli monitor\n".into() }],
            inline_code: vec![(9, "ls".into())],
            title: None,
        };
        let outline = assemble(body, 1, found);
        let chunk = &outline.chunks[0];
        assert_eq!((chunk.line_start, chunk.line_end), (1, 9));
        assert_eq!(chunk.code, "redis-cli monitor\nls");
        assert!(!chunk.prose.contains("redis-cli"), "{}", chunk.prose);
        assert!(chunk.prose.contains("then `ls`"));
        assert!(chunk.text.contains("redis-cli"));
    }

    #[test]
    fn text_before_the_first_heading_is_a_chunk_under_the_title() {
        let found = Found { title: Some("Front".into()), ..Found::default() };
        let outline = assemble("intro\n", 3, found);
        assert_eq!(outline.chunks.len(), 1);
        assert_eq!((outline.chunks[0].line_start, outline.chunks[0].line_end), (3, 3));
        assert_eq!(outline.chunks[0].heading_path, "Front");
    }
}
