//! `lore doctor`: are the hooks registered and does the knowledge load?

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{Ui, exit};

pub fn run(g: &Global) -> Result<u8> {
    let home = dirs::home_dir().unwrap_or_default();
    let project = std::env::current_dir().unwrap_or_default();
    let health = ops::health(g.knowledge.as_deref(), &home, &project);
    Ui::of(g).output(&health.checks, || render::doctor(&health.checks))?;
    Ok(if health.healthy { exit::OK } else { exit::ERROR })
}
