//! `lore incidents`: list the incidents, newest first.

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global, system: Option<&str>) -> Result<u8> {
    let loaded = ui::open(g)?;
    Ui::of(g).answer(ops::incidents(&loaded, system), |rows| render::incidents(rows))
}
