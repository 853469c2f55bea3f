//! AsciiDoc: `=` section titles, delimited listing and literal blocks,
//! inline code. Comment blocks are skipped; other blocks are prose.

use crate::outline::{CodeBlock, Found, Heading, Outline, assemble};

/// The outline of an AsciiDoc body that starts at file line `first_line`.
pub fn outline(body: &str, first_line: u32) -> Outline {
    let lines: Vec<&str> = body.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let line_no = |i: usize| first_line + i as u32;
    let mut found = Found::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(kind) = delimiter(line) {
            let close = lines[i + 1..].iter().position(|l| l.trim_end() == line.trim_end()).map(|p| i + 1 + p);
            let end = close.unwrap_or(lines.len() - 1);
            if kind == Block::Code {
                let text = lines[i + 1..close.unwrap_or(lines.len())].join("\n");
                found.code_blocks.push(CodeBlock { line_start: line_no(i), line_end: line_no(end), text });
            }
            if kind != Block::Prose {
                i = end + 1;
                continue;
            }
        } else if let Some((level, title)) = heading(line) {
            found.headings.push(Heading { level, text: title.to_string(), line: line_no(i) });
        } else if !line.starts_with("//") {
            collect_inline_code(line, line_no(i), &mut found.inline_code);
        }
        i += 1;
    }
    assemble(body, first_line, found)
}

#[derive(Debug, PartialEq, Eq)]
enum Block {
    Code,
    Comment,
    Prose,
}

/// A block delimiter line: four or more of one character (or a Markdown fence).
fn delimiter(line: &str) -> Option<Block> {
    let line = line.trim_end();
    if line.starts_with("```") {
        return Some(Block::Code);
    }
    let first = line.chars().next()?;
    if line.len() < 4 || !line.chars().all(|c| c == first) {
        return None;
    }
    match first {
        '-' | '.' | '+' => Some(Block::Code),
        '/' => Some(Block::Comment),
        '=' | '*' | '_' => Some(Block::Prose),
        _ => None,
    }
}

/// `== Title` (or Markdown's `## Title`): the level is the number of markers.
fn heading(line: &str) -> Option<(u8, &str)> {
    let marker = line.chars().next().filter(|c| *c == '=' || *c == '#')?;
    let count = line.chars().take_while(|c| *c == marker).count();
    let rest = line[count..].strip_prefix(' ')?.trim();
    ((1..=6).contains(&count) && !rest.is_empty()).then_some((count as u8, rest))
}

fn collect_inline_code(line: &str, line_no: u32, out: &mut Vec<(u32, String)>) {
    let mut parts = line.split('`');
    parts.next();
    while let (Some(code), Some(_)) = (parts.next(), parts.next()) {
        let code = code.trim_matches('+');
        if !code.is_empty() {
            out.push((line_no, code.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_blocks_and_inline_code() {
        let doc = "= Database runbook\n\nIntro `pg_ctl`.\n\n== Failover\n\n[source,bash]\n----\npatronictl failover\n----\n\nWARNING: Never drop the replica.\n\n////\n== not a title\n////\n\n=== Check\ntext\n";
        let outline = outline(doc, 1);
        let headings: Vec<(&str, u8)> = outline.sections.iter().map(|s| (s.heading.as_str(), s.level)).collect();
        assert_eq!(headings, vec![("Database runbook", 1), ("Failover", 2), ("Check", 3)]);
        let failover = outline.chunks.iter().find(|c| c.anchor == "failover").expect("chunk");
        assert_eq!(failover.code, "patronictl failover");
        assert!(failover.prose.contains("Never drop the replica"));
        assert!(!failover.prose.contains("patronictl"));
        assert_eq!(outline.chunks[0].code, "pg_ctl");
    }

    #[test]
    fn an_unclosed_block_runs_to_the_end() {
        assert_eq!(outline("== T\n----\ncode\n", 1).chunks[0].code, "code");
        assert_eq!(outline("== T\n----\ncode", 1).chunks[0].code, "code");
    }
}
