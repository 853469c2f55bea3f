//! The shell analysis from the raw string, then the gate with and without
//! knowledge: what a hook does with an agent's command.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lore_fuzz::{CountingAllocator, bounded, gate, text};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fuzz_target!(|data: &[u8]| {
    let Some(command) = text(data) else { return };
    lore_fuzz::example_pack();
    bounded("shell", || gate(&lore_action::analyze_shell(command)));
});
