//! Finding the files that make up each source.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use globset::{Glob, GlobSet, GlobSetBuilder};
use lore_model::{Diagnostic, Severity};

use crate::config::{CONFIG_FILE, SourceConfig};

const YAML_EXTENSIONS: [&str; 2] = ["yml", "yaml"];
const SKIPPED_DIRS: [&str; 3] = ["target", "node_modules", "vendor"];

/// A knowledge file and the source it belongs to.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The file on disk.
    pub abs: PathBuf,
    /// The path cited in provenance: relative to the knowledge root when
    /// inside it, otherwise the source path as configured joined with the
    /// path below it.
    pub rel: String,
    /// Its source's index in the configuration's `[[source]]` list.
    pub source_index: usize,
    /// Directories between the source path and the file.
    pub path_dirs: Vec<String>,
}

/// What the sources hold.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Every knowledge file, sorted, without duplicates.
    pub files: Vec<SourceFile>,
    /// Every directory walked: adding or removing a file changes its mtime.
    pub dirs: Vec<PathBuf>,
    /// A missing source, a bad exclude glob, an unreadable directory.
    pub diagnostics: Vec<Diagnostic>,
}

/// Lists every knowledge file of every source.
pub fn discover(root: &Path, sources: &[SourceConfig], pack_dir: &Path) -> Discovery {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let mut diagnostics = Vec::new();
    let mut seen = HashSet::new();
    for (index, source) in sources.iter().enumerate() {
        let base = root.join(&source.path);
        let excludes = match build_excludes(&source.exclude) {
            Ok(set) => set,
            Err(message) => {
                diagnostics.push(config_problem(message));
                continue;
            }
        };
        if base.is_file() {
            push_file(root, source, index, &base, &base, &mut seen, &mut files);
            continue;
        }
        if !base.is_dir() {
            diagnostics.push(config_problem(format!("source `{}` does not exist", source.path.display())));
            continue;
        }
        let walker = walkdir::WalkDir::new(&base).sort_by_file_name().into_iter().filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_dir();
            !(is_dir && (name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref()) || entry.path() == pack_dir))
        });
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    diagnostics.push(Diagnostic {
                        file: err.path().map(|p| p.display().to_string()).unwrap_or_default(),
                        line: 0,
                        severity: Severity::Warning,
                        message: format!("cannot read: {err}"),
                    });
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                dirs.push(entry.path().to_path_buf());
                continue;
            }
            if !entry.file_type().is_file() || !is_knowledge_file(entry.path()) {
                continue;
            }
            let below = entry.path().strip_prefix(&base).unwrap_or(entry.path());
            if excludes.is_match(below) {
                continue;
            }
            push_file(root, source, index, &base, entry.path(), &mut seen, &mut files);
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Discovery { files, dirs, diagnostics }
}

fn config_problem(message: String) -> Diagnostic {
    Diagnostic { file: CONFIG_FILE.into(), line: 0, severity: Severity::Error, message }
}

fn build_excludes(globs: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(Glob::new(glob).map_err(|err| format!("exclude glob `{glob}`: {err}"))?);
    }
    builder.build().map_err(|err| err.to_string())
}

/// A document in one of the dialects lore reads, or YAML.
pub fn is_knowledge_file(path: &Path) -> bool {
    is_yaml(path) || path.file_name().is_some_and(|name| crate::Dialect::of(&name.to_string_lossy()).is_some())
}

pub(crate) fn is_yaml(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| YAML_EXTENSIONS.contains(&e.as_str()))
}

fn push_file(
    root: &Path,
    source: &SourceConfig,
    index: usize,
    base: &Path,
    path: &Path,
    seen: &mut HashSet<PathBuf>,
    files: &mut Vec<SourceFile>,
) {
    if !seen.insert(path.to_path_buf()) {
        return;
    }
    let rel = match path.strip_prefix(root) {
        Ok(inside) if !source.path.is_absolute() && !escapes(&source.path) => slash(inside),
        _ => {
            let below = path.strip_prefix(base).unwrap_or(Path::new(""));
            let joined = if below.as_os_str().is_empty() { source.path.clone() } else { source.path.join(below) };
            slash(&joined)
        }
    };
    let path_dirs = path
        .strip_prefix(base)
        .ok()
        .and_then(Path::parent)
        .map(|p| p.iter().map(|c| c.to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    files.push(SourceFile { abs: path.to_path_buf(), rel, source_index: index, path_dirs });
}

fn escapes(path: &Path) -> bool {
    path.components().any(|c| matches!(c, Component::ParentDir))
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The commit checked out in the git repository holding `dir`, if any.
pub fn git_commit(dir: &Path) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "HEAD"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let commit = text.trim();
    (output.status.success() && commit.len() >= 7).then(|| commit.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceSetting;
    use crate::test_support::source;

    #[test]
    fn walks_sources_skipping_hidden_and_excluded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for path in [
            "docs/redis/redis.md",
            "docs/.hidden/x.md",
            "docs/skip/y.md",
            "docs/notes.txt",
            "docs/eks.html.md.erb",
            "docs/guide.rst",
            ".lore/pack.md",
            "svc.yaml",
        ] {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, "x").expect("write");
        }
        let mut docs = source(SourceSetting::Auto);
        docs.path = "docs".into();
        docs.exclude = vec!["skip/**".into()];
        let mut all = source(SourceSetting::Auto);
        all.path = ".".into();
        let found = discover(root, &[docs, all], &root.join(".lore"));
        let files = found.files;
        assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
        assert!(found.dirs.contains(&root.join("docs/redis")));
        assert!(!found.dirs.iter().any(|d| d.ends_with(".lore")), "the pack is never a source");
        let rels: Vec<(&str, usize)> = files.iter().map(|f| (f.rel.as_str(), f.source_index)).collect();
        assert_eq!(
            rels,
            vec![
                ("docs/eks.html.md.erb", 0),
                ("docs/guide.rst", 0),
                ("docs/redis/redis.md", 0),
                ("docs/skip/y.md", 1),
                ("svc.yaml", 1)
            ]
        );
        assert_eq!(files[2].path_dirs, vec!["redis"]);
    }

    #[test]
    fn a_missing_source_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut missing = source(SourceSetting::Auto);
        missing.path = "nope".into();
        let found = discover(dir.path(), &[missing], &dir.path().join(".lore"));
        assert!(found.files.is_empty());
        assert!(found.diagnostics[0].message.contains("`nope` does not exist"));
    }
}
