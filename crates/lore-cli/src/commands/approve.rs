//! `lore approve`: let a denied or asked action through once (by its
//! decision id), or approve a proposal into the knowledge (by its `PROP-…` id).

use std::path::PathBuf;

use anyhow::Result;
use lore_service::ops::{self, ApproveRequest, ReviewRequest, govern::Verdict};

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(
    g: &Global,
    id: &str,
    by: Option<&str>,
    minutes: u32,
    why: &Option<String>,
    to: &Option<PathBuf>,
) -> Result<u8> {
    let ui = Ui::of(g);
    let Ok(decision) = id.parse::<i64>() else {
        let knowledge = ui::locate(g)?;
        let request = ReviewRequest {
            id: id.to_string(),
            verdict: Verdict::Approve { to: to.clone() },
            by: super::reviewer(by),
            why: why.clone(),
        };
        return ui.answer(ops::review(&knowledge, request), render::reviewed);
    };
    let request = ApproveRequest { decision, by: super::by_or_user(by), minutes };
    ui.answer(ops::approve(g.knowledge.as_deref(), &request), |approved| {
        format!("Approved once for {} minutes: {}\n", approved.minutes, approved.input)
    })
}
