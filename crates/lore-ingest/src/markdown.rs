//! Markdown documents: front matter, sections with line spans, and the shape
//! of a postmortem.

use lore_model::Section;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// YAML front matter between `---` fences at the top of a file.
pub struct FrontMatter<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// The line number (1-based) of the first YAML line, minus one: add it to
    /// a line within `yaml` to get the file line.
    pub line_offset: u32,
    /// Where the Markdown body starts, in bytes and as a 1-based line.
    pub body_start: usize,
    /// The body's first line (1-based).
    pub body_line: u32,
}

/// The front matter at the top of `text` (after a BOM), when it opens with a
/// `---` line and has a closing one.
pub fn front_matter(text: &str) -> Option<FrontMatter<'_>> {
    let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - text_no_bom.len();
    let first_end = text_no_bom.find('\n')?;
    if text_no_bom[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = bom + first_end + 1;
    let mut offset = yaml_start;
    // The YAML starts on line 2, after the opening fence.
    for (line, raw) in (2u32..).zip(text[yaml_start..].split_inclusive('\n')) {
        let trimmed = raw.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Some(FrontMatter {
                yaml: &text[yaml_start..offset],
                line_offset: 1,
                body_start: offset + raw.len(),
                body_line: line + 1,
            });
        }
        offset += raw.len();
    }
    None
}

pub use crate::outline::{Chunk, Outline, slug};
use crate::outline::{CodeBlock, Found, Heading, assemble};

/// MyST directives in backtick fences that hold prose, not code.
const PROSE_DIRECTIVES: [&str; 14] = [
    "admonition",
    "attention",
    "caution",
    "danger",
    "dropdown",
    "error",
    "hint",
    "important",
    "note",
    "seealso",
    "tip",
    "topic",
    "warning",
    "sidebar",
];

/// The outline of a Markdown body that starts at file line `first_line`.
pub fn outline(body: &str, first_line: u32) -> Outline {
    let line_starts: Vec<usize> = std::iter::once(0).chain(body.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_at = |byte: usize| -> u32 { line_starts.partition_point(|&start| start <= byte) as u32 + first_line - 1 };
    // The end of a block's range is one past its last byte, which may be a newline.
    let last_line_of = |range: &std::ops::Range<usize>| line_at(range.end.saturating_sub(1).max(range.start));

    let mut found = Found::default();
    let mut heading: Option<(u8, String, u32)> = None;
    let mut code: Option<(String, u32)> = None;
    for (event, range) in Parser::new_ext(body, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((heading_level(level), String::new(), line_at(range.start)))
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let prose = matches!(&kind, CodeBlockKind::Fenced(info) if is_prose_directive(info));
                if !prose {
                    code = Some((String::new(), line_at(range.start)));
                }
            }
            Event::Text(text) => {
                if let Some((buf, _)) = code.as_mut() {
                    buf.push_str(&text);
                } else if let Some((_, buf, _)) = heading.as_mut() {
                    buf.push_str(&text);
                }
            }
            Event::Code(text) => {
                if let Some((_, buf, _)) = heading.as_mut() {
                    buf.push_str(&text);
                }
                found.inline_code.push((line_at(range.start), text.into_string()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((text, line_start)) = code.take() {
                    found.code_blocks.push(CodeBlock { line_start, line_end: last_line_of(&range), text });
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, line)) = heading.take() {
                    found.headings.push(Heading { level, text: text.trim().to_string(), line });
                }
            }
            _ => {}
        }
    }
    assemble(body, first_line, found)
}

/// `{warning}`, `{note} Title`: a MyST admonition, read as prose.
fn is_prose_directive(info: &str) -> bool {
    let Some(rest) = info.trim().strip_prefix('{') else { return false };
    let name = rest.split('}').next().unwrap_or_default().trim().to_ascii_lowercase();
    PROSE_DIRECTIVES.contains(&name.as_str())
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The parts of a postmortem lore reads, found by their headings.
#[derive(Debug, Default)]
pub struct PostmortemShape {
    /// How many of the six postmortem headings were found (timeline, cause,
    /// impact, lessons, action items, summary).
    pub signals: usize,
    /// The summary section's line span, when there is one.
    pub summary: Option<(u32, u32)>,
    /// The lessons section's line span ("lessons", "what went wrong"), when there is one.
    pub lessons: Option<(u32, u32)>,
    /// The cause section's line span ("root cause", "contributing factors"), when there is one.
    pub cause: Option<(u32, u32)>,
}

const POSTMORTEM_TITLE_WORDS: [&str; 4] = ["postmortem", "post-mortem", "incident review", "incident report"];

/// Postmortems share a skeleton: timeline, cause, impact, lessons, actions.
/// Three of those headings, or two under a postmortem-like title, make one.
pub fn postmortem_shape(title: &str, sections: &[Section]) -> Option<PostmortemShape> {
    let mut shape = PostmortemShape::default();
    let mut found = [false; 6];
    for section in sections {
        let h = section.heading.to_lowercase();
        let span = Some((section.line_start, section.line_end));
        let signal = if h.contains("timeline") {
            Some(0)
        } else if h.contains("root cause") || h.contains("contributing factor") || h.contains("cause") {
            shape.cause = shape.cause.or(span);
            Some(1)
        } else if h.contains("impact") {
            Some(2)
        } else if h.contains("lesson") || h.contains("what went wrong") || h.contains("what went well") {
            shape.lessons = shape.lessons.or(span);
            Some(3)
        } else if h.contains("action item")
            || h.contains("follow-up")
            || h.contains("follow up")
            || h.contains("corrective")
        {
            Some(4)
        } else if h == "summary" || h.contains("incident summary") || h.contains("executive summary") {
            shape.summary = shape.summary.or(span);
            Some(5)
        } else {
            None
        };
        if let Some(i) = signal {
            found[i] = true;
        }
    }
    shape.signals = found.iter().filter(|f| **f).count();
    let title = title.to_lowercase();
    let titled = POSTMORTEM_TITLE_WORDS.iter().any(|w| title.contains(w));
    let is_template = title.contains("template");
    if is_template {
        return None;
    }
    (shape.signals >= 3 || (titled && shape.signals >= 2)).then_some(shape)
}

/// The paragraphs and list items between two file lines, as plain text.
pub fn prose_items(body: &str, first_line: u32, span: (u32, u32)) -> Vec<String> {
    let lines: Vec<&str> = body.split('\n').collect();
    let lo = span.0.saturating_sub(first_line) as usize + 1; // skip the heading
    let hi = (span.1.saturating_add(1).saturating_sub(first_line) as usize).min(lines.len());
    let mut items = Vec::new();
    let mut current = String::new();
    let mut in_fence = false;
    for line in lines.get(lo..hi).unwrap_or(&[]) {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence
            || trimmed.starts_with('#')
            || trimmed.starts_with('|')
            || trimmed.starts_with('[') && trimmed.contains("]:")
        {
            flush(&mut items, &mut current);
            continue;
        }
        let bullet =
            trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* ")).or_else(|| strip_numbered(trimmed));
        match bullet {
            Some(rest) => {
                flush(&mut items, &mut current);
                current.push_str(rest);
            }
            None if trimmed.is_empty() => flush(&mut items, &mut current),
            None => {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(trimmed);
            }
        }
    }
    flush(&mut items, &mut current);
    items
}

fn strip_numbered(text: &str) -> Option<&str> {
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    if digits == 0 {
        return None;
    }
    text[digits..].strip_prefix(". ").or_else(|| text[digits..].strip_prefix(") "))
}

fn flush(items: &mut Vec<String>, current: &mut String) {
    let text = plain(current.trim());
    if text.len() > 1 {
        items.push(text);
    }
    current.clear();
}

/// Drops the emphasis and link markup that reads badly in a terminal.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '*' => {}
            '[' => {
                // [label][ref] or [label](url) → label
                let mut label = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    label.push(c);
                }
                out.push_str(&label);
                if let Some(&open @ ('(' | '[')) = chars.peek() {
                    let close = if open == '(' { ')' } else { ']' };
                    for c in chars.by_ref() {
                        if c == close {
                            break;
                        }
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The first `YYYY-MM-DD` in the text.
pub fn first_iso_date(text: &str) -> Option<lore_model::Day> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|i| {
        let window = &bytes[i..i + 10];
        let shaped =
            window.iter().enumerate().all(|(j, b)| if j == 4 || j == 7 { *b == b'-' } else { b.is_ascii_digit() });
        let bounded = i == 0 || !bytes[i - 1].is_ascii_digit();
        if shaped && bounded { lore_model::Day::parse(std::str::from_utf8(window).ok()?) } else { None }
    })
}

/// An incident id in a file name, such as `PM2019-010` or `INC-1234`.
pub fn incident_id_in(name: &str) -> Option<String> {
    let token = name.split(|c: char| c.is_whitespace() || c == '_').next()?;
    let letters = token.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let rest = &token[letters..];
    let digits = rest.chars().filter(|c| c.is_ascii_digit()).count();
    let shaped = (1..=5).contains(&letters) && digits >= 2 && rest.chars().all(|c| c.is_ascii_digit() || c == '-');
    shaped.then(|| token.to_string())
}

/// A `Severity: SEV2`-style line near the top of a postmortem.
pub fn severity_in(body: &str) -> Option<String> {
    for line in body.lines().take(60) {
        let plain = line.replace(['*', '_', '|'], " ");
        let lower = plain.to_lowercase();
        if let Some(at) = lower.find("severity") {
            let rest = plain[at + "severity".len()..].trim_start_matches([' ', ':', '-', '\t']);
            let word: String = rest.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            let word = word.trim_end_matches(['.', ',', ')']).to_string();
            if !word.is_empty() && word.len() <= 16 && word.chars().any(|c| c.is_ascii_alphanumeric()) {
                return Some(word.split(' ').next().unwrap_or(&word).to_string());
            }
        }
    }
    None
}

/// Words that open a prohibition, strongest first.
const PROHIBITION_OPENERS: [&str; 9] = [
    "under no circumstances",
    "do not under any circumstances",
    "never",
    "do not",
    "don't",
    "must not",
    "should not",
    "avoid",
    "refrain from",
];
/// Labels that introduce a warning; stripped before looking for an opener.
const WARNING_LABELS: [&str; 6] = ["note", "warning", "important", "caution", "danger", "attention"];

/// Whether a line of prose says something must not be done: a sentence that
/// opens with "never", "do not", … (after list markers, emphasis and labels
/// such as `NOTE:`), or one that shouts it (`NEVER DEPLOY`, `DO NOT USE`).
/// "We do not run into problems" is not a prohibition; "Do not run X" is.
pub fn is_prohibition(line: &str) -> bool {
    if ["NEVER", "DO NOT", "DON'T", "MUST NOT", "UNDER NO CIRCUMSTANCES"].iter().any(|cue| line.contains(cue)) {
        return true;
    }
    let lower = line.to_lowercase();
    if lower.contains("under no circumstances") || lower.contains("under any circumstances") {
        return true;
    }
    lower.split(['.', '!', '?', ';']).any(|sentence| {
        // Bullets, numbers, markup and warning signs (⚠️) before the words.
        let mut rest = sentence.trim_start_matches(|c: char| !c.is_alphabetic());
        loop {
            let before = rest;
            // `warning:`, `*WARNING*:`, `**Important:**`: a label and its colon.
            for label in WARNING_LABELS {
                if let Some(after) = rest.strip_prefix(label) {
                    let markup = after.len() - after.trim_start_matches(['*', '_']).len();
                    if after[markup..].starts_with(':') {
                        rest = after[markup + 1..].trim_start_matches(|c: char| c.is_whitespace() || "*_".contains(c));
                    }
                }
            }
            if before == rest {
                break;
            }
        }
        PROHIBITION_OPENERS.iter().any(|opener| {
            rest.strip_prefix(opener)
                .is_some_and(|after| after.is_empty() || after.starts_with(|c: char| !c.is_alphanumeric()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "---\ntitle: x\n---\n# Redis\n\nIntro line.\n\n## Failover\n\nSteps here.\n\n### Check\n\nmore\n\n## Never do\n\nDo not run MONITOR.\n";

    #[test]
    fn front_matter_is_split_with_lines() {
        let fm = front_matter(DOC).expect("has front matter");
        assert_eq!(fm.yaml, "title: x\n");
        assert_eq!(fm.body_line, 4);
        assert!(DOC[fm.body_start..].starts_with("# Redis"));
        assert!(front_matter("# no front matter\n").is_none());
        assert!(front_matter("---\nunterminated: true\n").is_none());
    }

    #[test]
    fn sections_have_hierarchical_spans_and_chunks_are_flat() {
        let fm = front_matter(DOC).expect("front matter");
        let outline = outline(&DOC[fm.body_start..], fm.body_line);
        assert_eq!(outline.title.as_deref(), Some("Redis"));
        let failover = outline.sections.iter().find(|s| s.heading == "Failover").expect("section");
        assert_eq!((failover.line_start, failover.line_end), (8, 15), "runs to the next h2");
        assert_eq!(failover.anchor, "failover");
        let chunk = outline.chunks.iter().find(|c| c.anchor == "failover").expect("chunk");
        assert_eq!((chunk.line_start, chunk.line_end), (8, 11), "stops at the h3");
        let never = outline.chunks.iter().find(|c| c.anchor == "never-do").expect("chunk");
        assert_eq!(never.heading_path, "Redis › Never do");
        assert!(never.text.contains("MONITOR"));
        assert_eq!(never.line_end, 18);
    }

    #[test]
    fn headings_inside_code_fences_are_not_sections() {
        let body = "# T\n\n```\n# not a heading\n```\n";
        assert_eq!(outline(body, 1).sections.len(), 1);
    }

    #[test]
    fn postmortems_are_recognised_by_shape() {
        let pm = "# Outage\n## Summary\nx\n## Timeline\nx\n## Root cause\nx\n## Lessons learned\n- Use contexts\n- Priority classes\n";
        let outline = outline(pm, 1);
        let shape = postmortem_shape("Outage", &outline.sections).expect("postmortem");
        assert!(shape.signals >= 3);
        let lessons = prose_items(pm, 1, shape.lessons.expect("lessons"));
        assert_eq!(lessons, vec!["Use contexts", "Priority classes"]);
        let runbook = outline_of("# Redis\n## Failover\n## Monitoring\n");
        assert!(postmortem_shape("Redis", &runbook).is_none());
        assert!(postmortem_shape("Postmortem template", &outline.sections).is_none());
    }

    fn outline_of(text: &str) -> Vec<Section> {
        outline(text, 1).sections
    }

    #[test]
    fn prohibitions_are_told_from_prose() {
        for yes in [
            "NOTE: DO NOT USE [MONITOR] COMMAND! It streams back every command.",
            "**WARNING: NEVER DEPLOY THE WHOLE RUNNER FLEET AT ONCE**",
            "Do not under any circumstances remove any xlog files newer than the checkpoint.",
            "- Never run `KEYS *` in production.",
            "It is slow. Avoid running this during peak hours.",
            "1. **Do not** restart the primary.",
        ] {
            assert!(is_prohibition(yes), "{yes}");
        }
        for no in [
            "ensure we do not run into CROSSSLOT hashing problems",
            "This is never a problem in staging, but",
            "We avoided the outage.",
            "Run the failover script.",
        ] {
            assert!(!is_prohibition(no), "{no}");
        }
    }

    #[test]
    fn small_extractors() {
        assert_eq!(first_iso_date("at 2019-12-04 00:30").map(|d| d.to_string()).as_deref(), Some("2019-12-04"));
        assert_eq!(incident_id_in("PM2019-010 - Hellman node deletion").as_deref(), Some("PM2019-010"));
        assert_eq!(incident_id_in("INC-1234 database").as_deref(), Some("INC-1234"));
        assert_eq!(incident_id_in("redis failover"), None);
        assert_eq!(severity_in("**Severity:** SEV2\n").as_deref(), Some("SEV2"));
        assert_eq!(plain("**bold** [PM1][PM1] and [x](http://y)"), "bold PM1 and x");
    }
}
