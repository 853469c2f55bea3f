//! Documents (Markdown and its dialects, reStructuredText, AsciiDoc): front
//! matter, sections, postmortem shape, then advisory and operation mining.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore_fuzz::{CountingAllocator, bounded_document, ingest};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// The names a document is read under, chosen by the input's first byte.
const NAMES: [&str; 7] = [
    "runbooks/payments.md",
    "postmortems/2024-03-01-outage.md",
    "docs/index.mdx",
    "source/runbooks/db.html.md.erb",
    "docs/ops.rst",
    "docs/ops.adoc",
    "services/payments/README.md",
];

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    bounded_document("markdown", rest.len(), || {
        let out = ingest(NAMES[usize::from(*first) % NAMES.len()], rest);
        let systems: Vec<String> = out.systems.iter().map(|s| s.id.clone()).collect();
        for doc in &out.documents {
            let _ = lore_ingest::advisory::mine(doc);
            let _ = lore_pack::operations::mine(doc, &systems);
        }
    });
});
