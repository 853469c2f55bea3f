//! `lore advisories`: the prohibitions mined from prose runbooks.

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global, system: Option<&str>) -> Result<u8> {
    let loaded = ui::open(g)?;
    Ui::of(g).answer(ops::advisories(&loaded, system), |list| render::advisories(list))
}
