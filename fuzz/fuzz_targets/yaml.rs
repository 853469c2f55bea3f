//! YAML: the marked tree (every node's lines), front matter, and the YAML
//! knowledge files lore reads (catalogs, compose, lore's own records).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore_fuzz::{CountingAllocator, bounded_document, ingest, text};
use lore_ingest::yaml::Node;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// The names a YAML file is read under, chosen by the input's first byte.
const NAMES: [&str; 6] = [
    "catalog-info.yaml",
    "docker-compose.yml",
    "lore/rules.yaml",
    "services/payments/service.yaml",
    "k8s/deploy.yaml",
    "team.yml",
];

fn walk(node: Node<'_>, depth: usize) {
    assert!(node.line() <= node.end_line(), "a node ends after it starts");
    if depth > 64 {
        return;
    }
    for item in node.items() {
        walk(item, depth + 1);
    }
    for (_, value) in node.entries() {
        walk(value, depth + 1);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let Some(yaml) = text(rest) else { return };
    bounded_document("yaml", rest.len(), || {
        if let Ok(documents) = lore_ingest::yaml::parse_documents(yaml, 0) {
            for document in &documents {
                walk(document.root(), 0);
                let _ = document.root().to_json();
            }
        }
        if let Some(fm) = lore_ingest::markdown::front_matter(yaml) {
            let _ = lore_ingest::yaml::parse_documents(fm.yaml, fm.line_offset);
        }
        ingest(NAMES[usize::from(*first) % NAMES.len()], rest);
    });
});
