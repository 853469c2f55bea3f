//! Which document dialect a file is written in, judged by its name, and the
//! clean-up a dialect needs before it is read as Markdown. Clean-up blanks
//! characters and never removes lines, so every line keeps its number.

use std::borrow::Cow;

use crate::outline::Outline;

/// A document dialect lore reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `.md`, `.markdown`, and Markdown's relatives: MyST, Quarto (`.qmd`).
    Markdown,
    /// `.mdx`: Markdown with JSX; `import`/`export` lines are not text.
    Mdx,
    /// `.md.erb`, `.html.md.erb` (Middleman, the GOV.UK tech docs template).
    MarkdownErb,
    /// reStructuredText (`.rst`).
    Rst,
    /// AsciiDoc (`.adoc`, `.asciidoc`).
    AsciiDoc,
}

/// Suffixes of document files, longest first so `.md.erb` wins over `.erb`.
const SUFFIXES: [(&str, Dialect); 9] = [
    (".html.md.erb", Dialect::MarkdownErb),
    (".md.erb", Dialect::MarkdownErb),
    (".markdown", Dialect::Markdown),
    (".asciidoc", Dialect::AsciiDoc),
    (".adoc", Dialect::AsciiDoc),
    (".mdx", Dialect::Mdx),
    (".qmd", Dialect::Markdown),
    (".rst", Dialect::Rst),
    (".md", Dialect::Markdown),
];

fn suffix_of(file_name: &str) -> Option<(&'static str, Dialect)> {
    let lower = file_name.to_ascii_lowercase();
    SUFFIXES.iter().find(|(suffix, _)| lower.ends_with(suffix) && lower.len() > suffix.len()).copied()
}

/// A document's name without its dialect's suffix: `upgrade.html.md.erb` → `upgrade`.
pub fn strip_suffix(file_name: &str) -> Option<&str> {
    let (suffix, _) = suffix_of(file_name)?;
    file_name.get(..file_name.len() - suffix.len())
}

impl Dialect {
    /// The dialect of a file, from its name.
    pub fn of(file_name: &str) -> Option<Dialect> {
        suffix_of(file_name).map(|(_, dialect)| dialect)
    }

    /// Whether the file may carry YAML front matter (and so lore's own records).
    pub fn has_front_matter(self) -> bool {
        !matches!(self, Dialect::Rst | Dialect::AsciiDoc)
    }

    /// The text as Markdown would read it, with template and module syntax blanked.
    pub fn prepare(self, text: &str) -> Cow<'_, str> {
        let text = match self {
            Dialect::MarkdownErb => blank_erb_tags(text),
            Dialect::Mdx => blank_mdx_modules(text),
            Dialect::Markdown => Cow::Borrowed(text),
            Dialect::Rst | Dialect::AsciiDoc => return Cow::Borrowed(text),
        };
        match dedent_admonitions(&text) {
            Cow::Owned(dedented) => Cow::Owned(dedented),
            Cow::Borrowed(_) => text,
        }
    }

    /// The prepared `body`'s outline; `first_line` is the file line the body starts on.
    pub fn outline(self, body: &str, first_line: u32) -> Outline {
        match self {
            Dialect::Rst => crate::rst::outline(body, first_line),
            Dialect::AsciiDoc => crate::asciidoc::outline(body, first_line),
            _ => crate::markdown::outline(body, first_line),
        }
    }
}

/// `<%= current_page.data.title %>` becomes spaces; newlines inside a tag stay.
fn blank_erb_tags(text: &str) -> Cow<'_, str> {
    if !text.contains("<%") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("<%") {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let end = after.find("%>").map_or(after.len(), |close| close + 2);
        out.extend(after[..end].chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        rest = &after[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Top-level `import … from …` and `export …` lines of MDX become blank.
fn blank_mdx_modules(text: &str) -> Cow<'_, str> {
    let mut in_fence = false;
    let mut changed = false;
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                in_fence = !in_fence;
            }
            let module = !in_fence && (line.starts_with("import ") || line.starts_with("export "));
            changed |= module;
            if module { "" } else { line }
        })
        .collect();
    if changed { Cow::Owned(lines.join("\n")) } else { Cow::Borrowed(text) }
}

/// MkDocs admonitions (`!!! warning "Title"`, collapsible `???`) and
/// content tabs (`=== "Tab"`) indent their body by four spaces, which
/// Markdown alone reads as a code block. Their bodies are moved left; the
/// lines stay where they are.
fn dedent_admonitions(text: &str) -> Cow<'_, str> {
    let opens = |line: &str| {
        ["!!! ", "??? ", "???+ "].iter().any(|m| line.starts_with(m)) || (line.starts_with("=== \"") && line.len() > 5)
    };
    if !text.lines().any(opens) {
        return Cow::Borrowed(text);
    }
    let mut inside = false;
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| {
            if opens(line) {
                inside = true;
                return line;
            }
            if inside {
                if let Some(body) = line.strip_prefix("    ").or_else(|| line.strip_prefix('\t')) {
                    return body;
                }
                if !line.trim().is_empty() {
                    inside = false;
                }
            }
            line
        })
        .collect();
    Cow::Owned(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_by_name() {
        assert_eq!(Dialect::of("upgrade-eks-cluster.html.md.erb"), Some(Dialect::MarkdownErb));
        assert_eq!(Dialect::of("README.MD"), Some(Dialect::Markdown));
        assert_eq!(Dialect::of("guide.qmd"), Some(Dialect::Markdown));
        assert_eq!(Dialect::of("page.mdx"), Some(Dialect::Mdx));
        assert_eq!(Dialect::of("index.rst"), Some(Dialect::Rst));
        assert_eq!(Dialect::of("runbook.adoc"), Some(Dialect::AsciiDoc));
        assert_eq!(Dialect::of("layout.html.erb"), None);
        assert_eq!(Dialect::of("notes.txt"), None);
        assert_eq!(Dialect::of(".md"), None);
        assert_eq!(strip_suffix("upgrade-eks-cluster.html.md.erb"), Some("upgrade-eks-cluster"));
        assert_eq!(strip_suffix("Runbook.MD"), Some("Runbook"));
    }

    #[test]
    fn erb_tags_are_blanked_in_place() {
        let text = "# <%= current_page.data.title %>\nkeep <% if x\n%>this\n";
        let prepared = Dialect::MarkdownErb.prepare(text);
        assert_eq!(prepared.len(), text.len());
        assert_eq!(prepared.lines().count(), text.lines().count());
        assert_eq!(prepared.lines().next().map(str::trim), Some("#"));
        assert!(prepared.contains("this") && !prepared.contains("<%"));
    }

    #[test]
    fn mkdocs_admonition_bodies_are_prose() {
        let text =
            "# T\n\n!!! warning \"Careful\"\n    Never page the whole team.\n\n    Second paragraph.\n\nAfter.\n";
        let prepared = Dialect::Markdown.prepare(text);
        assert_eq!(prepared.lines().count(), text.lines().count());
        let outline = Dialect::Markdown.outline(&prepared, 1);
        assert!(outline.chunks[0].code.is_empty(), "{:?}", outline.chunks[0].code);
        assert!(outline.chunks[0].prose.contains("Second paragraph."));
    }

    #[test]
    fn mdx_modules_are_blanked_outside_code() {
        let text = "import Tabs from '@theme/Tabs';\n# T\n```js\nimport x from 'y'\n```\n";
        let prepared = Dialect::Mdx.prepare(text);
        assert!(prepared.starts_with("\n# T"));
        assert!(prepared.contains("import x from 'y'"));
    }
}
