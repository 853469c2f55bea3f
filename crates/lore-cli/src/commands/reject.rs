//! `lore reject`: reject a proposal, saying why; it is kept, not deleted.

use anyhow::Result;
use lore_service::ops::{self, ReviewRequest, govern::Verdict};

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global, id: &str, why: &str, by: Option<&str>) -> Result<u8> {
    let knowledge = ui::locate(g)?;
    let request = ReviewRequest {
        id: id.to_string(),
        verdict: Verdict::Reject,
        by: super::reviewer(by),
        why: Some(why.to_string()),
    };
    Ui::of(g).answer(ops::review(&knowledge, request), render::reviewed)
}
