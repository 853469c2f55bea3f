//! `lore promote`: write a rule file from a mined advisory.

use std::path::Path;

use anyhow::Result;
use lore_model::Decision;
use lore_service::ops::{self, PromoteRequest};

use crate::args::{Enforce, Global};
use crate::ui::{self, Ui};

pub fn run(g: &Global, id: &str, decision: Enforce, to: Option<&Path>) -> Result<u8> {
    let decision = match decision {
        Enforce::Warn => Decision::Warn,
        Enforce::Ask => Decision::Ask,
        Enforce::Deny => Decision::Deny,
    };
    let knowledge = ui::locate(g)?;
    let request = PromoteRequest { id: id.to_string(), decision, to: to.map(Path::to_path_buf) };
    let ui = Ui::of(g);
    let promoted = ops::promote(&knowledge, &request);
    if let Ok(promoted) = &promoted {
        ui.notes(&promoted.notes);
    }
    ui.answer(promoted, |promoted| {
        let mut out = format!(
            "wrote rule `{}` to {}; review and commit it like any change\n",
            promoted.rule,
            promoted.path.display()
        );
        if !promoted.loaded {
            out.push_str(crate::render::NOT_LOADED);
        }
        out
    })
}
