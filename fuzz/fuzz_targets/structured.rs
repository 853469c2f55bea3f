//! Structured JSON actions (what MCP and the API take besides text), then the gate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore_fuzz::{CountingAllocator, bounded, gate, text};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fuzz_target!(|data: &[u8]| {
    let Some(json) = text(data) else { return };
    lore_fuzz::example_pack();
    bounded("structured", || gate(&lore_action::analyze_structured(json)));
});
