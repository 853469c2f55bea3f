//! `lore lint`: the knowledge's health, as text, JSON or SARIF.

use anyhow::Result;
use lore_model::Severity;
use lore_service::ops;

use crate::args::{FailOn, Global};
use crate::render;
use crate::ui::{self, Ui, exit};

pub fn run(g: &Global, fail_on: FailOn, sarif: bool, all: bool) -> Result<u8> {
    let loaded = ui::open(g)?;
    let report = ops::lint(&loaded)?;
    if sarif {
        let sarif = lore_govern::sarif::to_sarif(&report, env!("CARGO_PKG_VERSION"));
        println!("{}", serde_json::to_string_pretty(&sarif)?);
    } else {
        Ui::of(g).output(&report, || render::lint(&report, all))?;
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    Ok(match threshold {
        Some(at_least) if report.count(at_least) > 0 => exit::LINT_FAILED,
        _ => exit::OK,
    })
}
