//! `lore approve`: let a denied or asked action through, once or standing
//! (by its decision id or uid), or approve a proposal into the knowledge (by its `PROP-…` id).

use std::path::PathBuf;

use anyhow::Result;
use lore_service::ops::{self, ApproveRequest, DecisionRef, ReviewRequest, govern::Verdict};

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

/// How long an action's approval lasts.
pub struct Lasting {
    pub minutes: Option<u32>,
    pub standing: bool,
}

pub fn run(
    g: &Global,
    id: &str,
    lasting: Lasting,
    by: Option<&str>,
    why: &Option<String>,
    to: &Option<PathBuf>,
) -> Result<u8> {
    let ui = Ui::of(g);
    let Some(decision) = DecisionRef::parse(id) else {
        let knowledge = ui::locate(g)?;
        let request = ReviewRequest {
            id: id.to_string(),
            verdict: Verdict::Approve { to: to.clone() },
            by: super::reviewer(by),
            why: why.clone(),
        };
        return ui.answer(ops::review(&knowledge, request), render::reviewed);
    };
    let request = ApproveRequest {
        decision,
        by: super::by_or_user(by),
        why: why.clone(),
        minutes: lasting.minutes,
        standing: lasting.standing,
    };
    ui.answer(ops::approve(g.knowledge.as_deref(), &request), render::approved)
}
