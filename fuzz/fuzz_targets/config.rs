//! `lore.toml`: a bad one is an error with its line, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use lore_fuzz::{CountingAllocator, bounded_document, text};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fuzz_target!(|data: &[u8]| {
    let Some(toml) = text(data) else { return };
    bounded_document("config", toml.len(), || match lore_ingest::Config::parse(toml, Path::new("lore.toml")) {
        Ok(config) => {
            let _ = config.default_review_days();
        }
        Err(lore_ingest::config::ConfigError::Parse { line, .. }) => {
            assert!(line >= 1 && line <= toml.lines().count() + 1, "a parse error names a line of the file");
        }
        Err(_) => {}
    });
});
