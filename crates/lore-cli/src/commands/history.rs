//! `lore history`: every version of a record, or the one held at a date.

use anyhow::Result;
use lore_service::ops::{self, History};

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global, id: &str, as_of: Option<&str>) -> Result<u8> {
    let loaded = ui::open(g)?;
    Ui::of(g).answer(ops::history(&loaded, id, as_of), |history| match history {
        History::All(versions) => render::history(versions),
        History::At { version, .. } => render::history(std::slice::from_ref(version)),
    })
}
