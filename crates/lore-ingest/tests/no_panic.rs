//! No input may crash ingestion: arbitrary bytes, and text shaped like the
//! formats lore reads, through every adapter.

use std::path::Path;

use lore_ingest::{Detect, FileContext, PathConvention, SourceConfig, SourceSetting, ingest_file};
use proptest::prelude::*;

fn ingest(name: &str, kind: SourceSetting, bytes: &[u8]) {
    let source = SourceConfig {
        path: ".".into(),
        kind,
        system_from_path: PathConvention::FirstDir,
        incidents: Detect::Always,
        environment: Some("production".into()),
        exclude: Vec::new(),
    };
    let ctx = FileContext {
        rel_path: name,
        abs_path: Path::new(name),
        source: &source,
        path_dirs: vec!["a".into()],
        commit: None,
    };
    let _ = ingest_file(&ctx, bytes);
}

const KINDS: [SourceSetting; 7] = [
    SourceSetting::Auto,
    SourceSetting::Lore,
    SourceSetting::Backstage,
    SourceSetting::Markdown,
    SourceSetting::Kubernetes,
    SourceSetting::Compose,
    SourceSetting::ServiceCatalog,
];

/// Fragments of the formats lore reads, to be glued together at random.
const FRAGMENTS: [&str; 36] = [
    "---\n",
    "kind: rule\n",
    "kind: system\n",
    "kind: freeze\n",
    "apiVersion: v1\n",
    "apiVersion: backstage.io/v1alpha1\n",
    "services:\n",
    "  - name: x\n",
    "  x:\n    depends_on: [y]\n",
    "    environment:\n      - A_ADDR=http://b:1\n",
    "# Title\n",
    "## Summary\n",
    "## Timeline\n",
    "## Lessons learned\n",
    "- item\n",
    "```\n",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "decision: deny\nrationale: r\n",
    "start: 2026-01-01\nend: 2025-01-01\n",
    "\u{feff}",
    "=====\n",
    "-----\n",
    "Title\n",
    ".. code-block:: bash\n",
    "   :linenos:\n",
    "    indented\n",
    "::\n",
    "``lit``",
    "== Section\n",
    "----\n",
    "<%= current_page.data.title %>",
    "import X from 'y'\n",
];
/// One name per dialect and YAML.
const NAMES: [&str; 7] = ["a/x.md", "a/x.yaml", "a/x.rst", "a/x.adoc", "a/x.html.md.erb", "a/x.mdx", "a/x.qmd"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for name in NAMES {
            for kind in KINDS {
                ingest(name, kind, &bytes);
            }
        }
    }

    #[test]
    fn format_shaped_text_never_panics(parts in proptest::collection::vec(0..FRAGMENTS.len(), 0..40), junk in "\\PC{0,40}") {
        let mut text: String = parts.iter().map(|i| FRAGMENTS[*i]).collect();
        text.push_str(&junk);
        for name in NAMES {
            for kind in KINDS {
                ingest(name, kind, text.as_bytes());
            }
        }
    }
}
