//! One module per command: each turns its arguments into an operation's
//! request, calls `lore_service`, and renders the answer.

mod advisories;
mod approve;
mod ask;
mod blast;
mod brief;
mod build;
mod check;
mod doctor;
mod history;
mod hook;
mod incidents;
mod install;
mod lint;
mod log;
mod parse;
mod promote;
mod reject;
mod review;
mod revoke;
mod rules;
mod serve;
mod show;
mod systems;

use anyhow::Result;

use crate::args::{Cli, Command};

/// Runs the command; returns its exit code.
pub fn run(cli: &Cli) -> Result<u8> {
    let g = &cli.global;
    match &cli.command {
        Command::Build { dir, strict, force } => build::run(g, dir.as_deref(), *strict, *force),
        Command::Brief { system, env, budget } => brief::run(g, system, env.as_deref(), *budget),
        Command::Blast { system, env, depth } => blast::run(g, system, env.as_deref(), *depth),
        Command::Ask { question, system, kind, limit } => ask::run(g, question, system, kind, *limit),
        Command::Systems => systems::run(g),
        Command::Rules { system, env } => rules::run(g, system, env),
        Command::Incidents { system } => incidents::run(g, system.as_deref()),
        Command::Show { id } => show::run(g, id),
        Command::Advisories { system } => advisories::run(g, system.as_deref()),
        Command::Promote { id, decision, to } => promote::run(g, id, *decision, to.as_deref()),
        Command::Lint { fail_on, sarif, all } => lint::run(g, *fail_on, *sarif, *all),
        Command::Check { input, cwd, agent } => check::run(g, input, cwd.as_deref(), agent),
        Command::Hook(args) => hook::run(g, &args.agent, args.event.as_deref()),
        Command::Log { action: Some(crate::args::LogAction::Ship), .. } => log::ship(g),
        Command::Log { action: None, since, decision, system, agent, before, limit } => {
            let request = lore_service::ops::LogRequest {
                since: since.clone(),
                decision: decision.clone(),
                system: system.clone(),
                agent: agent.clone(),
                before: *before,
                limit: *limit,
            };
            log::run(g, request)
        }
        Command::Approve { id, by, minutes, standing, why, to } => {
            approve::run(g, id, approve::Lasting { minutes: *minutes, standing: *standing }, by.as_deref(), why, to)
        }
        Command::Reject { id, why, by } => reject::run(g, id, why, by.as_deref()),
        Command::Revoke { id } => revoke::run(g, id),
        Command::Install { agent, user, dry_run, .. } => install::run(g, agent, *user, *dry_run),
        Command::Doctor => doctor::run(g),
        Command::Mcp => serve::stdio(g),
        Command::Serve { addr, tokens } => serve::http(g, addr.as_deref(), tokens.as_deref()),
        Command::Review => review::run(g),
        Command::History { id, as_of } => history::run(g, id, as_of.as_deref()),
        Command::Parse { input } => parse::run(g, input),
    }
}

/// Who does something when `--by` does not say: `$USER`.
fn by_or_user(by: Option<&str>) -> Option<String> {
    by.map(str::to_string).or_else(|| std::env::var("USER").ok())
}

/// Who reviews a proposal: `--by`, `$USER`, else "unknown" (a review is always signed).
fn reviewer(by: Option<&str>) -> String {
    by_or_user(by).unwrap_or_else(|| "unknown".into())
}
