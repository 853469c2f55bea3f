//! `lore systems`: list the systems.

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global) -> Result<u8> {
    let loaded = ui::open(g)?;
    Ui::of(g).answer(ops::systems(&loaded), |rows| render::systems(rows))
}
