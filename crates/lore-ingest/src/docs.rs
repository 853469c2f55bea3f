//! Plain Markdown with no lore front matter: runbooks split into sections,
//! and postmortem-shaped documents read as incidents.

use lore_model::{Incident, Meta, Runbook, SourceKind};

use crate::config::Detect;
use crate::markdown::{self, FrontMatter};
use crate::{Dialect, DocKind, FileContext, FileOutput, SearchDoc, SystemHints};

const MAX_LESSONS: usize = 12;
const MAX_ITEM_CHARS: usize = 600;

/// What a reader sees of a document's front matter besides its body.
#[derive(Default)]
struct FrontFields {
    title: Option<String>,
    aliases: Vec<String>,
    keywords: Vec<String>,
    description: String,
}

fn front_fields(fm: Option<&FrontMatter<'_>>) -> FrontFields {
    let Some(docs) = fm.and_then(|fm| crate::yaml::parse_documents(fm.yaml, fm.line_offset).ok()) else {
        return FrontFields::default();
    };
    let Some(root) = docs.first().map(|d| d.root()) else { return FrontFields::default() };
    FrontFields {
        title: root.str_at("title"),
        aliases: root.strings_at("aliases"),
        keywords: root.strings_at("tags").into_iter().chain(root.strings_at("keywords")).collect(),
        description: root.str_at("description").or_else(|| root.str_at("summary")).unwrap_or_default(),
    }
}

pub fn plain_document(
    ctx: &FileContext<'_>,
    text: &str,
    fm: Option<&FrontMatter<'_>>,
    dialect: Dialect,
    out: &mut FileOutput,
) {
    let (body, first_line) = match fm {
        Some(fm) => (&text[fm.body_start..], fm.body_line),
        None => (text, 1),
    };
    let outline = dialect.outline(body, first_line);
    let stem = ctx.file_stem();
    let front = front_fields(fm);
    let fm_title = front.title.clone();
    let title = fm_title.or_else(|| outline.title.clone()).unwrap_or_else(|| stem.clone());
    let last_line = (text.lines().count() as u32).max(1);
    let mut hints = SystemHints {
        explicit: Vec::new(),
        path_dirs: ctx.path_dirs.clone(),
        file_stem: stem.clone(),
        convention: ctx.source.system_from_path,
        mention_text: title.clone(),
    };
    // A postmortem template has every heading of a postmortem and is not one.
    let is_template = stem.to_lowercase().contains("template");
    let shape = match ctx.source.incidents {
        Detect::Never => None,
        Detect::Auto if is_template => None,
        Detect::Always => Some(markdown::postmortem_shape(&title, &outline.sections).unwrap_or_default()),
        Detect::Auto => markdown::postmortem_shape(&title, &outline.sections),
    };
    let provenance = ctx.provenance(1, last_line, SourceKind::Markdown);

    let (kind, record_id) = if let Some(shape) = shape {
        let id = markdown::incident_id_in(&stem)
            .or_else(|| markdown::incident_id_in(&title))
            .unwrap_or_else(|| markdown::slug(&stem));
        let items =
            |span: Option<(u32, u32)>| span.map(|s| markdown::prose_items(body, first_line, s)).unwrap_or_default();
        let summary_items = items(shape.summary);
        let summary = if summary_items.is_empty() {
            outline
                .chunks
                .first()
                .map(|c| markdown::prose_items(&c.text, c.line_start, (c.line_start, c.line_end)).join(" "))
                .unwrap_or_default()
        } else {
            summary_items.join(" ")
        };
        let summary = clip(&summary, MAX_ITEM_CHARS * 2);
        let lessons: Vec<String> =
            items(shape.lessons).iter().take(MAX_LESSONS).map(|l| clip(l, MAX_ITEM_CHARS)).collect();
        let trigger_text = trigger_sentence(&summary).or_else(|| trigger_sentence(&items(shape.cause).join(" ")));
        hints.mention_text = format!("{title}\n{summary}");
        out.incidents.push(Incident {
            id: id.clone(),
            title: title.clone(),
            date: markdown::first_iso_date(body),
            severity: markdown::severity_in(body),
            systems: Vec::new(),
            trigger: None,
            trigger_text,
            summary,
            lessons,
            rules: Vec::new(),
            meta: Meta::new(provenance),
        });
        (DocKind::Incident, id)
    } else {
        let covers = if ctx.path_dirs.iter().any(|d| d.eq_ignore_ascii_case("alerts")) {
            vec![format!("alert:{stem}")]
        } else {
            Vec::new()
        };
        out.runbooks.push(Runbook {
            id: ctx.rel_path.to_string(),
            title: title.clone(),
            path: ctx.rel_path.to_string(),
            systems: Vec::new(),
            covers,
            sections: outline.sections.clone(),
            meta: Meta::new(provenance),
        });
        (DocKind::Runbook, ctx.rel_path.to_string())
    };
    out.documents.push(SearchDoc {
        kind,
        record_id,
        path: ctx.rel_path.to_string(),
        title,
        aliases: front.aliases,
        keywords: front.keywords,
        description: front.description,
        hints,
        chunks: outline.chunks,
    });
}

/// The sentence that says what set the incident off, if one does.
fn trigger_sentence(text: &str) -> Option<String> {
    const CUES: [&str; 9] =
        ["accidental", "executed", "ran ", "command", "triggered by", "caused by", "was deleted", "deleted", "recreat"];
    text.split_inclusive(['.', '!', '?'])
        .map(str::trim)
        .find(|s| {
            let lower = s.to_lowercase();
            CUES.iter().any(|c| lower.contains(c))
        })
        .map(|s| clip(s, MAX_ITEM_CHARS))
}

fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use crate::SourceSetting;
    use crate::test_support::ingest_text;

    #[test]
    fn plain_runbooks_keep_sections_and_path_hints() {
        let out = ingest_text("docs/redis/redis.md", "# Redis\n\n## Failover\n\ntext\n", SourceSetting::Auto);
        assert_eq!(out.runbooks.len(), 1);
        assert_eq!(out.runbooks[0].sections.len(), 2);
        assert_eq!(out.documents[0].hints.path_dirs, vec!["docs", "redis"]);
        assert_eq!(out.documents[0].chunks.len(), 2);
    }

    #[test]
    fn postmortems_become_incidents() {
        let text = "# Hellman cluster node deletion\n\n## Summary\n\nOn 4 December 2019, an accidental execution of a Kubernetes command deleted all the worker nodes. It took 30 minutes.\n\n## Timeline\n\n| 2019-12-04 00:30 | x |\n\n## Contributing Factors\n\nx\n\n## Lessons Learned\n\nUse least privilege.\n\nUse priority classes.\n";
        let out = ingest_text("PM2019-010 - Hellman node deletion.md", text, SourceSetting::Auto);
        assert_eq!(out.incidents.len(), 1);
        let inc = &out.incidents[0];
        assert_eq!(inc.id, "PM2019-010");
        assert_eq!(inc.date.map(|d| d.to_string()).as_deref(), Some("2019-12-04"));
        assert!(inc.summary.starts_with("On 4 December 2019"));
        assert_eq!(inc.lessons, vec!["Use least privilege.", "Use priority classes."]);
        assert!(inc.trigger_text.as_deref().is_some_and(|t| t.contains("accidental execution")));
        assert_eq!(out.documents[0].kind, crate::DocKind::Incident);
    }
}
