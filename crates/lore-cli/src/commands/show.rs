//! `lore show`: one record by id.

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global, id: &str) -> Result<u8> {
    let loaded = ui::open(g)?;
    Ui::of(g).answer(ops::show(&loaded, id), |shown| render::record(shown.kind, &shown.record))
}
