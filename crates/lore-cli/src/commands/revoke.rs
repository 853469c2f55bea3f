//! `lore revoke`: withdraw the approvals of a decision's command before they expire.

use anyhow::{Result, bail};
use lore_service::ops::{self, DecisionRef};

use crate::args::Global;
use crate::render;
use crate::ui::Ui;

pub fn run(g: &Global, id: &str) -> Result<u8> {
    let Some(decision) = DecisionRef::parse(id) else {
        bail!("`{id}` is not a decision id (a number, or a uid); see lore log");
    };
    Ui::of(g).answer(ops::revoke(g.knowledge.as_deref(), &decision), render::revoked)
}
