//! `lore log`: query the decision log; `lore log ship`: deliver it to the shared store.

use anyhow::Result;
use lore_service::ops::{self, LogRequest};

use crate::args::Global;
use crate::render;
use crate::ui::Ui;

pub fn run(g: &Global, request: LogRequest) -> Result<u8> {
    let ui = Ui::of(g);
    let answer = match ops::log(g.knowledge.as_deref(), request) {
        Ok(answer) => answer,
        Err(err) => return ui.failed(err),
    };
    ui.output(&answer.entries, || render::log_entries(&answer.entries, &answer.path))
}

pub fn ship(g: &Global) -> Result<u8> {
    Ui::of(g).answer(ops::ship(g.knowledge.as_deref()), |shipped| {
        format!(
            "delivered {} decisions to the shared store ({} were there already)\n",
            shipped.delivered, shipped.already_there
        )
    })
}
