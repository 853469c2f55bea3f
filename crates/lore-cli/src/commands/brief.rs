//! `lore brief`: everything to know before touching a system.

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global, system: &str, env: Option<&str>, budget: usize) -> Result<u8> {
    let loaded = ui::open(g)?;
    let request = ops::BriefRequest { system: system.to_string(), env: env.map(str::to_string), budget };
    let manifest = loaded.pack()?.manifest();
    Ui::of(g).answer(ops::brief(&loaded, &request), |briefing| render::briefing(briefing, manifest))
}
