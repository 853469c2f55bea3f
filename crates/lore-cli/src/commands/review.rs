//! `lore review`: the proposed knowledge waiting for a human.

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global) -> Result<u8> {
    let loaded = ui::open(g)?;
    Ui::of(g).answer(ops::proposals(&loaded), |rows| render::proposals(rows))
}
