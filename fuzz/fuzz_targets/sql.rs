//! SQL statements to actions, then the gate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore_fuzz::{CountingAllocator, bounded, gate, text};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fuzz_target!(|data: &[u8]| {
    let Some(sql) = text(data) else { return };
    lore_fuzz::example_pack();
    bounded("sql", || gate(&lore_action::analyze_sql(sql)));
});
