//! reStructuredText: section titles (underlined, or over- and underlined),
//! literal blocks and code directives, inline literals.

use crate::outline::{CodeBlock, Found, Heading, Outline, assemble};

/// Characters docutils accepts as section adornment.
const ADORNMENT: &str = "=-`:'\"~^_*+#<>.!$%&,/;?@[\\]{|}";
/// Directives whose indented body is code.
const CODE_DIRECTIVES: [&str; 5] = ["code-block", "code", "sourcecode", "prompt", "highlight"];

/// The outline of a reStructuredText body that starts at file line `first_line`.
pub fn outline(body: &str, first_line: u32) -> Outline {
    let lines: Vec<&str> = body.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let line_no = |i: usize| first_line + i as u32;
    let mut found = Found::default();
    // Levels follow the order in which adornment styles first appear.
    let mut styles: Vec<(char, bool)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some((title, style, consumed)) = section_title(&lines, i) {
            let level = match styles.iter().position(|s| *s == style) {
                Some(at) => at + 1,
                None => {
                    styles.push(style);
                    styles.len()
                }
            };
            let title_line = if style.1 { i + 1 } else { i };
            found.headings.push(Heading { level: level.min(6) as u8, text: title, line: line_no(title_line) });
            i += consumed;
            continue;
        }
        let line = lines[i];
        collect_inline_literals(line, line_no(i), &mut found.inline_code);
        if starts_code(line)
            && let Some(end) = indented_block_end(&lines, i + 1)
        {
            // A directive's options (`:linenos:`, `:caption: x`) come first and are not code.
            let text: Vec<&str> = lines[i + 1..=end]
                .iter()
                .map(|l| l.trim())
                .skip_while(|l| is_directive(line) && is_option(l))
                .collect();
            found.code_blocks.push(CodeBlock {
                line_start: if is_directive(line) { line_no(i) } else { line_no(i + 1) },
                line_end: line_no(end),
                text: text.join("\n").trim().to_string(),
            });
            i = end + 1;
            continue;
        }
        i += 1;
    }
    assemble(body, first_line, found)
}

/// A section title at `i`: its text, its style (character, overlined) and the lines it takes.
fn section_title(lines: &[&str], i: usize) -> Option<(String, (char, bool), usize)> {
    let line = lines[i];
    if let Some(over) = adornment(line)
        && let (Some(title), Some(under)) = (lines.get(i + 1), lines.get(i + 2))
        && !title.trim().is_empty()
        && adornment(under) == Some(over)
    {
        return Some((title.trim().to_string(), (over, true), 3));
    }
    let blank_before = i == 0 || lines[i - 1].trim().is_empty();
    if line.trim().is_empty() || line.starts_with([' ', '\t']) || !blank_before || adornment(line).is_some() {
        return None;
    }
    let under = adornment(lines.get(i + 1)?)?;
    Some((line.trim().to_string(), (under, false), 2))
}

/// The character of a line made only of one adornment character, three or more times.
fn adornment(line: &str) -> Option<char> {
    let line = line.trim_end();
    let first = line.chars().next()?;
    (ADORNMENT.contains(first) && line.chars().count() >= 3 && line.chars().all(|c| c == first)).then_some(first)
}

fn is_directive(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix(".. ") else { return false };
    let name = rest.split("::").next().unwrap_or_default().trim();
    rest.contains("::") && CODE_DIRECTIVES.contains(&name)
}

fn is_option(line: &str) -> bool {
    line.starts_with(':') && (line.ends_with(':') || line[1..].contains(": "))
}

/// A code directive, or a paragraph ending in `::` (a literal block follows).
fn starts_code(line: &str) -> bool {
    let trimmed = line.trim_end();
    is_directive(line) || (trimmed.ends_with("::") && !trimmed.trim_start().starts_with(".. "))
}

/// The last line of the indented block after `from` (blank lines first allowed).
fn indented_block_end(lines: &[&str], from: usize) -> Option<usize> {
    let mut end = None;
    for (offset, line) in lines.get(from..)?.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            break;
        }
        end = Some(from + offset);
    }
    end
}

fn collect_inline_literals(line: &str, line_no: u32, out: &mut Vec<(u32, String)>) {
    let mut rest = line;
    while let Some(open) = rest.find("``") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("``") else { break };
        if close > 0 {
            out.push((line_no, after[..close].to_string()));
        }
        rest = &after[close + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
=========
 Runbook
=========

Intro with ``kubectl get pods``.

Failover
========

Run this::

    patronictl failover --force

Check
-----

.. code-block:: bash
   :linenos:

   psql -c 'select 1'

.. warning::

   Never drop the replica.

Other
=====
text
";

    #[test]
    fn titles_levels_and_code() {
        let outline = outline(DOC, 1);
        let headings: Vec<(&str, u8, u32)> =
            outline.sections.iter().map(|s| (s.heading.as_str(), s.level, s.line_start)).collect();
        assert_eq!(headings, vec![("Runbook", 1, 2), ("Failover", 2, 7), ("Check", 3, 14), ("Other", 2, 26)]);
        assert_eq!(outline.title.as_deref(), Some("Runbook"));
        let failover = outline.chunks.iter().find(|c| c.anchor == "failover").expect("chunk");
        assert_eq!(failover.code, "patronictl failover --force");
        assert!(!failover.prose.contains("patronictl"));
        let check = outline.chunks.iter().find(|c| c.anchor == "check").expect("chunk");
        assert_eq!(check.code, "psql -c 'select 1'");
        assert!(check.prose.contains("Never drop the replica"), "admonitions are prose");
        let intro = outline.chunks.iter().find(|c| c.anchor == "runbook").expect("chunk");
        assert_eq!(intro.code, "kubectl get pods");
    }

    #[test]
    fn transitions_and_short_lines_are_not_titles() {
        let outline = outline("para\n\n----\n\nmore\n", 1);
        assert!(outline.sections.is_empty());
    }
}
