//! `lore rules`: list the rules, by system and environment.

use anyhow::Result;
use lore_service::ops;

use crate::args::Global;
use crate::render;
use crate::ui::{self, Ui};

pub fn run(g: &Global, system: &Option<String>, env: &Option<String>) -> Result<u8> {
    let loaded = ui::open(g)?;
    let request = ops::RulesRequest { system: system.clone(), env: env.clone() };
    Ui::of(g).answer(ops::rules(&loaded, &request), |rules| render::rules(rules))
}
