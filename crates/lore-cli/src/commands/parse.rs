//! `lore parse`: the actions lore understands in an input, without judging them.

use anyhow::Result;

use crate::args::{Global, InputArgs};
use crate::render;
use crate::ui::{Ui, exit};

pub fn run(g: &Global, input: &InputArgs) -> Result<u8> {
    let analysis = input.input()?.analyze();
    Ui::of(g).output(&analysis, || render::analysis(&analysis))?;
    Ok(if analysis.complete { exit::OK } else { exit::INCOMPLETE })
}
