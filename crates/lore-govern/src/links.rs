//! Links in the knowledge's Markdown that point at files that do not exist.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lore_model::Severity;
use lore_pack::PackData;
use pulldown_cmark::{Event, Parser, Tag};

use crate::lint::Finding;

/// Markdown files larger than this are not scanned for links.
const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Relative links (and images) in every Markdown document of the pack,
/// resolved from the document's folder. Absolute paths, URLs, mail links and
/// in-page anchors are not files lore can check.
pub fn broken_links(root: &Path, data: &PackData) -> Vec<Finding> {
    let files: BTreeSet<&str> = data
        .runbooks
        .iter()
        .map(|r| r.path.as_str())
        .chain(data.incidents.iter().map(|i| i.meta.provenance.file.as_str()))
        .chain(data.rules.iter().map(|r| r.meta.provenance.file.as_str()))
        .filter(|f| f.ends_with(".md") || f.ends_with(".markdown"))
        .collect();
    let mut out = Vec::new();
    for file in files {
        let path = root.join(file);
        if std::fs::metadata(&path).map_or(true, |m| m.len() > MAX_BYTES) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for (target, line) in relative_links(&text) {
            if !resolve(&dir, &target).exists() {
                out.push(Finding {
                    severity: Severity::Warning,
                    code: "broken-link",
                    record: file.to_string(),
                    message: format!("`{file}` links to `{target}`, which does not exist"),
                    file: file.to_string(),
                    line,
                    suggestions: Vec::new(),
                });
            }
        }
    }
    out
}

/// `(target, line)` of each relative link, without its `#anchor` or `?query`.
fn relative_links(text: &str) -> Vec<(String, u32)> {
    let mut links = Vec::new();
    for (event, range) in Parser::new(text).into_offset_iter() {
        let dest = match &event {
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        let dest = dest.split(['#', '?']).next().unwrap_or_default().trim();
        let external = dest.contains("://") || dest.starts_with("mailto:") || dest.starts_with("tel:");
        if dest.is_empty() || external || dest.starts_with('/') || dest.starts_with('<') || dest.contains('{') {
            continue;
        }
        let line = text[..range.start].matches('\n').count() as u32 + 1;
        links.push((percent_decoded(dest), line));
    }
    links
}

fn resolve(dir: &Path, target: &str) -> PathBuf {
    dir.join(target)
}

/// `%20` and friends; anything malformed stays as written.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_file_links_are_checked_with_their_lines() {
        let text = "# T\n\nSee [the guide](../guide.md#setup) and [web](https://x.io/a.md).\n\n\
                    ![diagram](img/arch%20v2.png) [top](#t) [abs](/docs/x.md) [mail](mailto:a@b)\n";
        let links = relative_links(text);
        assert_eq!(links, vec![("../guide.md".to_string(), 3), ("img/arch v2.png".to_string(), 5)]);
    }
}
