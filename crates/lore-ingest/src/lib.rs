//! Source adapters: each reads one kind of docs-as-code file into typed
//! records, deterministically (no network, no LLM).
//!
//! [`ingest_file`] reads one file and never fails: a malformed file yields
//! [`Diagnostic`]s naming file:line, and whatever could be read. Linking the
//! per-file outputs into one graph (aliases, merging, resolving edges) is the
//! pack's job, because it needs every file at once.

pub mod advisory;
mod asciidoc;
mod backstage;
mod catalog;
mod compose;
pub mod config;
pub mod dialect;
mod discover;
mod docs;
mod hosts;
mod kubernetes;
mod lore_files;
pub mod markdown;
pub mod outline;
mod rst;
pub mod yaml;

use std::path::Path;

use lore_model::{
    Diagnostic, Edge, Environment, Freeze, Incident, Provenance, Rule, Runbook, Severity, SourceKind, System, Team,
};

pub use config::{Config, Detect, OnStale, PathConvention, SourceConfig, SourceSetting};
pub use dialect::Dialect;
pub use discover::{Discovery, SourceFile, discover, git_commit, is_knowledge_file};
pub use outline::Chunk;

/// Files larger than this are skipped with a warning: no knowledge file is that big.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Everything one file contributed.
#[derive(Clone, Debug, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct FileOutput {
    /// Systems the file describes.
    pub systems: Vec<System>,
    /// Relations between systems, with endpoints as written (resolved when linking).
    pub edges: Vec<Edge>,
    /// Environments the file defines.
    pub environments: Vec<Environment>,
    /// Rules the file defines.
    pub rules: Vec<Rule>,
    /// Runbooks: lore runbook records and plain documents that are not incidents.
    pub runbooks: Vec<Runbook>,
    /// Incidents: lore incident records and postmortem-shaped documents.
    pub incidents: Vec<Incident>,
    /// Change freezes the file defines.
    pub freezes: Vec<Freeze>,
    /// Teams the file defines.
    pub teams: Vec<Team>,
    /// Other names the file gives its systems.
    pub aliases: Vec<AliasDecl>,
    /// What of the file is searchable.
    pub documents: Vec<SearchDoc>,
    /// Problems met reading the file, each with its line.
    pub diagnostics: Vec<Diagnostic>,
    /// Further files to read, relative to the knowledge root (Backstage Location targets).
    pub follow: Vec<String>,
    /// Other files whose content this output depends on (a compose file's `.env`).
    pub depends_on_files: Vec<String>,
}

/// `alias` names the same thing as `system`.
#[derive(Clone, Debug, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct AliasDecl {
    /// The other name, normalised.
    pub alias: String,
    /// The system's ID.
    pub system: String,
    /// Where the alias is declared.
    pub provenance: Provenance,
}

/// What record a searchable document belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[rkyv(derive(Debug, PartialEq, Eq, Clone, Copy))]
pub enum DocKind {
    /// A runbook (most plain documents are).
    Runbook,
    /// An incident or postmortem.
    Incident,
    /// A rule's file.
    Rule,
    /// A system's file.
    System,
    /// A document that is none of the above.
    Doc,
}

impl DocKind {
    /// Its kebab-case name, as serialised (`runbook`, `incident`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Runbook => "runbook",
            DocKind::Incident => "incident",
            DocKind::Rule => "rule",
            DocKind::System => "system",
            DocKind::Doc => "doc",
        }
    }
}

/// A searchable document, split into chunks.
#[derive(Clone, Debug, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct SearchDoc {
    /// What record it belongs to.
    pub kind: DocKind,
    /// The record this document belongs to.
    pub record_id: String,
    /// The file, relative to the knowledge root.
    pub path: String,
    /// A record's name or title; for a plain document its front-matter `title`,
    /// else its first heading, else its file stem.
    pub title: String,
    /// Other names for the document: front-matter `aliases`.
    pub aliases: Vec<String>,
    /// Front-matter `tags` and `keywords`.
    pub keywords: Vec<String>,
    /// Front-matter `description` or `summary`.
    pub description: String,
    /// What it says about which systems it concerns.
    pub hints: SystemHints,
    /// The body, split at every heading into searchable chunks.
    pub chunks: Vec<Chunk>,
}

/// What a document says about which systems it concerns; resolved when linking.
#[derive(Clone, Debug, Default, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct SystemHints {
    /// Named outright (front matter `systems:`).
    pub explicit: Vec<String>,
    /// Directories between the source root and the file.
    pub path_dirs: Vec<String>,
    /// The file name without its dialect's extension (`upgrade` for `upgrade.html.md.erb`).
    pub file_stem: String,
    /// The source's `system_from_path` setting.
    pub convention: PathConvention,
    /// Text whose mentions of system names count (title, summary).
    pub mention_text: String,
}

/// What an adapter knows about the file it reads.
pub struct FileContext<'a> {
    /// The path cited in provenance, relative to the knowledge root.
    pub rel_path: &'a str,
    /// The file on disk, to read it and its neighbours.
    pub abs_path: &'a Path,
    /// The `[[source]]` the file belongs to.
    pub source: &'a SourceConfig,
    /// Directories between the source path and the file.
    pub path_dirs: Vec<String>,
    /// The git commit of the source tree, when it is in a repository.
    pub commit: Option<&'a str>,
}

impl FileContext<'_> {
    /// A provenance for lines `line_start..=line_end` of this file, read by `kind`.
    pub fn provenance(&self, line_start: u32, line_end: u32, kind: SourceKind) -> Provenance {
        let mut p = Provenance::new(self.rel_path, line_start, line_end, kind);
        p.commit = self.commit.map(str::to_string);
        p
    }

    /// The file name without its extension: `upgrade.html.md.erb` → `upgrade`.
    fn file_stem(&self) -> String {
        let name = self.abs_path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        match dialect::strip_suffix(&name) {
            Some(stem) => stem.to_string(),
            None => self.abs_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
        }
    }
}

impl FileOutput {
    pub(crate) fn problem(&mut self, ctx: &FileContext<'_>, line: u32, severity: Severity, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic { file: ctx.rel_path.to_string(), line, severity, message: message.into() });
    }

    /// Whether it contributed no record and no document (diagnostics aside).
    pub fn is_empty(&self) -> bool {
        self.systems.is_empty()
            && self.edges.is_empty()
            && self.environments.is_empty()
            && self.rules.is_empty()
            && self.runbooks.is_empty()
            && self.incidents.is_empty()
            && self.freezes.is_empty()
            && self.teams.is_empty()
            && self.aliases.is_empty()
            && self.documents.is_empty()
    }
}

/// Reads one file. Never panics and never fails: problems become diagnostics.
pub fn ingest_file(ctx: &FileContext<'_>, bytes: &[u8]) -> FileOutput {
    let mut out = FileOutput::default();
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let line = bytes[..err.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u32 + 1;
            out.problem(ctx, line, Severity::Error, "not valid UTF-8; file skipped");
            return out;
        }
    };
    let name = ctx.abs_path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    if let Some(dialect) = Dialect::of(&name) {
        ingest_document(ctx, &dialect.prepare(text), dialect, &mut out);
    } else if discover::is_yaml(ctx.abs_path) {
        ingest_yaml(ctx, text, &mut out);
    }
    out
}

fn ingest_document(ctx: &FileContext<'_>, text: &str, dialect: Dialect, out: &mut FileOutput) {
    let setting = ctx.source.kind;
    let fm = if dialect.has_front_matter() { markdown::front_matter(text) } else { None };
    let lore_front_matter = fm.as_ref().is_some_and(|fm| lore_files::declares_record(fm.yaml));
    match setting {
        SourceSetting::Auto | SourceSetting::Lore if lore_front_matter => {
            if let Some(fm) = fm {
                lore_files::markdown_record(ctx, text, &fm, out);
            }
        }
        SourceSetting::Auto | SourceSetting::Markdown => docs::plain_document(ctx, text, fm.as_ref(), dialect, out),
        SourceSetting::Lore => {
            out.problem(
                ctx,
                1,
                Severity::Warning,
                "a document without `kind:` front matter in a lore source; read as a plain document",
            );
            docs::plain_document(ctx, text, fm.as_ref(), dialect, out);
        }
        _ => {}
    }
}

/// What a YAML file holds, judged from its first document.
#[derive(Debug, PartialEq, Eq)]
enum YamlShape {
    Backstage,
    Kubernetes,
    Compose,
    ServiceCatalog,
    Lore,
    Unknown,
}

fn yaml_shape(ctx: &FileContext<'_>, docs: &[yaml::Document]) -> YamlShape {
    let Some(root) = docs.iter().map(|d| d.root()).find(|r| !r.is_null()) else {
        return YamlShape::Unknown;
    };
    if let Some(api) = root.str_at("apiVersion") {
        return if api.starts_with("backstage.io") { YamlShape::Backstage } else { YamlShape::Kubernetes };
    }
    if lore_files::is_record_node(&root) || root.items().first().is_some_and(lore_files::is_record_node) {
        return YamlShape::Lore;
    }
    if let Some(services) = root.get("services") {
        if services.is_mapping() {
            return YamlShape::Compose;
        }
        if services.items().iter().any(|s| s.get("name").is_some()) {
            return YamlShape::ServiceCatalog;
        }
    }
    let name = ctx.abs_path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    if name.contains("compose") && root.get("services").is_some() {
        return YamlShape::Compose;
    }
    YamlShape::Unknown
}

fn ingest_yaml(ctx: &FileContext<'_>, text: &str, out: &mut FileOutput) {
    let docs = match yaml::parse_documents(text, 0) {
        Ok(docs) => docs,
        Err(err) => {
            // Only report files that this source is meant to read or that look like knowledge.
            if ctx.source.kind != SourceSetting::Auto || looks_like_knowledge(text) {
                out.problem(ctx, err.line, Severity::Error, format!("malformed YAML: {}", err.message));
            }
            return;
        }
    };
    let shape = match ctx.source.kind {
        SourceSetting::Auto => yaml_shape(ctx, &docs),
        SourceSetting::Backstage => YamlShape::Backstage,
        SourceSetting::Kubernetes => YamlShape::Kubernetes,
        SourceSetting::Compose => YamlShape::Compose,
        SourceSetting::ServiceCatalog => YamlShape::ServiceCatalog,
        SourceSetting::Lore => YamlShape::Lore,
        SourceSetting::Markdown => return,
    };
    match shape {
        YamlShape::Backstage => backstage::ingest(ctx, &docs, out),
        YamlShape::Kubernetes => kubernetes::ingest(ctx, &docs, out),
        YamlShape::Compose => compose::ingest(ctx, &docs, out),
        YamlShape::ServiceCatalog => catalog::ingest(ctx, &docs, out),
        YamlShape::Lore => lore_files::yaml_records(ctx, &docs, out),
        YamlShape::Unknown => {}
    }
}

fn looks_like_knowledge(text: &str) -> bool {
    let head = text.get(..text.len().min(2048)).unwrap_or(text);
    ["apiVersion:", "kind:", "services:"].iter().any(|key| head.contains(key))
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    pub fn source(kind: SourceSetting) -> SourceConfig {
        SourceConfig {
            path: ".".into(),
            kind,
            system_from_path: PathConvention::Auto,
            incidents: Detect::Auto,
            environment: None,
            exclude: Vec::new(),
        }
    }

    pub fn ingest_text(rel_path: &str, text: &str, kind: SourceSetting) -> FileOutput {
        let src = source(kind);
        let path = Path::new(rel_path);
        let path_dirs =
            path.parent().map(|p| p.iter().map(|c| c.to_string_lossy().into_owned()).collect()).unwrap_or_default();
        let ctx = FileContext { rel_path, abs_path: path, source: &src, path_dirs, commit: None };
        ingest_file(&ctx, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::ingest_text;
    use super::*;

    #[test]
    fn invalid_utf8_is_a_diagnostic_not_a_crash() {
        let src = test_support::source(SourceSetting::Auto);
        let ctx = FileContext {
            rel_path: "bad.md",
            abs_path: Path::new("bad.md"),
            source: &src,
            path_dirs: vec![],
            commit: None,
        };
        let out = ingest_file(&ctx, b"# ok\n\xff\xfe");
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].line, 2);
    }

    #[test]
    fn unrelated_yaml_is_ignored_quietly() {
        let out = ingest_text(".github/workflows/ci.yml", "on: push\njobs: {}\n", SourceSetting::Auto);
        assert!(out.is_empty() && out.diagnostics.is_empty());
    }

    #[test]
    fn malformed_knowledge_yaml_names_the_line() {
        let out = ingest_text("k8s/app.yaml", "apiVersion: v1\nkind: Service\nmetadata: [oops\n", SourceSetting::Auto);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        assert!(out.diagnostics[0].line >= 3);
        assert!(out.diagnostics[0].message.contains("malformed YAML"));
    }
}
