//! `lore install AGENT`: register lore's hook with an agent.

use anyhow::{Context as _, Result};
use lore_hooks::Scope;
use lore_service::ops::{self, InstallRequest};

use crate::args::Global;
use crate::ui::exit;

pub fn run(g: &Global, agent: &str, user: bool, dry_run: bool) -> Result<u8> {
    let agent = ops::agents::agent(agent)?;
    let binary = std::env::current_exe()
        .context("finding lore's own path")?
        .canonicalize()
        .context("resolving lore's own path")?;
    let request = InstallRequest {
        agent,
        scope: if user { Scope::User } else { Scope::Project },
        home: dirs::home_dir().context("no home directory")?,
        project: std::env::current_dir().context("reading the working directory")?,
        binary,
        dry_run,
    };
    let installed = ops::install(&request)?;
    if dry_run {
        print!("{}", installed.text);
    } else if !g.quiet {
        anstream::println!(
            "Registered lore's hook for {} in {} (binary {})",
            agent.name(),
            installed.path.display(),
            request.binary.display()
        );
    }
    Ok(exit::OK)
}
