//! `lore blast`: what depends on a system, transitively.

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global, system: &str, env: Option<&str>, depth: u32) -> Result<u8> {
    let loaded = ui::open(g)?;
    let request = ops::BlastRequest { system: system.to_string(), env: env.map(str::to_string), depth };
    Ui::of(g).answer(ops::blast(&loaded, &request), render::blast)
}
