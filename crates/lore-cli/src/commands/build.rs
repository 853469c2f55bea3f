//! `lore build`: compile the knowledge into a pack.

use std::path::Path;

use anyhow::Result;
use lore_model::Severity;
use lore_service::{Knowledge, Origin};

use crate::args::Global;
use crate::render;
use crate::ui::{self, ProgressBar, Ui, exit};

pub fn run(g: &Global, dir: Option<&Path>, strict: bool, force: bool) -> Result<u8> {
    let knowledge = match dir {
        Some(dir) => Knowledge::at(dir, Origin::Flag)?,
        None => ui::locate(g)?,
    };
    let bar = ProgressBar::new(g.quiet);
    let report = knowledge.build(force, Some(&|p| bar.update(p)));
    bar.finish();
    let report = report?;
    let errors = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    Ui::of(g).output(&report, || render::build_report(&report, &knowledge.pack_dir))?;
    Ok(if strict && errors > 0 { exit::STRICT_FAILED } else { exit::OK })
}
