//! `lore ask`: search the knowledge; answers cite path:line.

use std::ffi::OsString;

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(
    g: &Global,
    question: &OsString,
    system: &Option<String>,
    kind: &Option<String>,
    limit: usize,
) -> Result<u8> {
    let ui = Ui::of(g);
    let loaded = ui::open(g)?;
    let request = ops::SearchRequest {
        text: question.to_string_lossy().into_owned(),
        system: system.clone(),
        kind: kind.clone(),
        limit,
        offset: 0,
    };
    let answer = match ops::search(&loaded, &request) {
        Ok(answer) => answer,
        Err(err) => return ui.failed(err),
    };
    ui.notes(&answer.index_note);
    // Text output with no hits says the note in place of the list.
    if ui.json() || !answer.results.hits.is_empty() {
        ui.notes(&answer.results.note);
    }
    ui.output(&answer.results.hits, || render::hits(&answer.results))
}
