//! The command line's arguments (clap), and reading the action they name.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use lore_pack::query;
use lore_service::{Input, ops};

#[derive(Parser)]
#[command(
    name = "lore",
    version,
    about = "Institutional knowledge for AI agents: what a senior engineer knows, checked before acting."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// `lore hook`'s arguments.
#[derive(Args, Clone)]
pub struct HookArgs {
    /// claude-code, codex, gemini, cursor, copilot or kiro.
    pub agent: String,
    /// `post` to record what ran (after the tool), when the payload does not say.
    #[arg(long)]
    pub event: Option<String>,
}

/// `lore hook` alone, parsed without the rest of the command tree: agents
/// start a process per tool call, and building every command's parser was
/// a fifth of a hook's instructions.
#[derive(Parser)]
#[command(name = "lore")]
struct HookCli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: HookOnly,
}

#[derive(Subcommand)]
enum HookOnly {
    Hook(HookArgs),
}

/// The command line. A hook call is tried against `lore hook` alone first;
/// anything it does not take (help, a mistake) goes to the whole tree, so
/// messages are the same either way.
pub fn parse() -> Cli {
    if std::env::args_os().any(|arg| arg == "hook")
        && let Ok(HookCli { global, command: HookOnly::Hook(args) }) = HookCli::try_parse()
    {
        return Cli { global, command: Command::Hook(args) };
    }
    Cli::parse()
}

/// Options every command takes.
#[derive(Args, Clone)]
pub struct Global {
    /// The knowledge directory (holding lore.toml, or sources to auto-detect).
    #[arg(long, short = 'k', global = true, env = "LORE_KNOWLEDGE", value_name = "DIR")]
    pub knowledge: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Print nothing on stderr but errors.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

/// What a promoted rule decides: an allow would need no rule.
#[derive(Clone, Copy, ValueEnum)]
pub enum Enforce {
    Warn,
    Ask,
    Deny,
}

/// The least severe lint finding that fails `lore lint`.
#[derive(Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// When to colour the output.
#[derive(Clone, Copy, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// lore's commands.
#[derive(Subcommand)]
pub enum Command {
    /// Compile the knowledge sources into a pack.
    Build {
        /// The knowledge directory (default: found as for every command).
        dir: Option<PathBuf>,
        /// Exit non-zero (4) when any source has an error.
        #[arg(long)]
        strict: bool,
        /// Read every file again, ignoring the incremental cache.
        #[arg(long)]
        force: bool,
    },
    /// Everything to know before touching a system.
    Brief {
        system: String,
        /// Only what applies in this environment.
        #[arg(long)]
        env: Option<String>,
        /// Size cap in bytes of JSON; the most important items are kept.
        #[arg(long, default_value_t = query::DEFAULT_BRIEF_BUDGET)]
        budget: usize,
    },
    /// What depends on a system, transitively.
    Blast {
        system: String,
        #[arg(long)]
        env: Option<String>,
        /// How many hops to follow.
        #[arg(long, default_value_t = ops::read::DEFAULT_BLAST_DEPTH)]
        depth: u32,
    },
    /// Search the knowledge; answers cite path:line.
    Ask {
        /// The question; bytes that are not UTF-8 are read as U+FFFD.
        #[arg(value_parser = clap::value_parser!(std::ffi::OsString))]
        question: std::ffi::OsString,
        /// Only documents about this system.
        #[arg(long)]
        system: Option<String>,
        /// Only documents of this kind: runbook, incident, rule, system.
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value_t = ops::read::DEFAULT_HITS)]
        limit: usize,
    },
    /// List systems.
    Systems,
    /// List rules.
    Rules {
        #[arg(long)]
        system: Option<String>,
        #[arg(long)]
        env: Option<String>,
    },
    /// List incidents.
    Incidents {
        #[arg(long)]
        system: Option<String>,
    },
    /// Show one record by id (`rule:ID`, `incident:ID`, or a system name).
    Show { id: String },
    /// List the prohibitions mined from prose runbooks (unreviewed; they only warn).
    Advisories {
        #[arg(long)]
        system: Option<String>,
    },
    /// Write a rule file from a mined advisory, for review like any change.
    Promote {
        /// The advisory's id, `ADV-…` (see `lore advisories`).
        id: String,
        /// The rule's decision.
        #[arg(long, value_enum, default_value_t = Enforce::Warn)]
        decision: Enforce,
        /// Where to write it (default: `rules/` in the knowledge directory).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Report the knowledge's health: stale, unowned and dangling records, cycles, drift.
    Lint {
        /// Exit 8 when any finding is at least this severe.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Print SARIF 2.1.0 for code-review annotations.
        #[arg(long, conflicts_with = "json")]
        sarif: bool,
        /// List every finding, not the first few of each kind.
        #[arg(long)]
        all: bool,
    },
    /// Check a proposed action: allow, warn, ask or deny, with reasons.
    Check {
        #[command(flatten)]
        input: InputArgs,
        /// The directory the action would run in (default: here).
        #[arg(long, value_name = "DIR")]
        cwd: Option<PathBuf>,
        /// Who proposes it, for the decision log.
        #[arg(long, default_value = "cli")]
        agent: String,
    },
    /// Answer an agent's hook: reads its payload on stdin, answers in its dialect.
    Hook(HookArgs),
    /// Query the decision log.
    #[command(args_conflicts_with_subcommands = true)]
    Log {
        /// `ship`: deliver this machine's decisions to the shared store.
        #[command(subcommand)]
        action: Option<LogAction>,
        /// Only decisions newer than this: 30m, 2h, 7d, or a date.
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        decision: Option<String>,
        #[arg(long)]
        system: Option<String>,
        #[arg(long)]
        agent: Option<String>,
        /// Only decisions older than this id: the next page.
        #[arg(long)]
        before: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Approve a denied or asked action (by its decision id or uid), or a
    /// proposal (by its `PROP-…` id: writes it into the knowledge files).
    Approve {
        id: String,
        /// Who approves (default: $USER).
        #[arg(long)]
        by: Option<String>,
        /// Actions: how long the approval lasts (default 10 minutes once,
        /// 7 days standing; at most a day once, 90 days standing).
        #[arg(long)]
        minutes: Option<u32>,
        /// Actions: let the exact command through every time until the
        /// approval expires, not once.
        #[arg(long)]
        standing: bool,
        /// Why, kept with the approval or the proposal's decision.
        #[arg(long)]
        why: Option<String>,
        /// Proposals: where to write the approved record (default: rules/ or notes/SYSTEM/).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Withdraw every approval of a decision's command (standing or once),
    /// by the decision's id or uid.
    Revoke { id: String },
    /// Reject a proposal, saying why; it is kept, not deleted.
    Reject {
        /// The proposal's id, `PROP-…` (see `lore review`).
        id: String,
        #[arg(long, required = true)]
        why: String,
        #[arg(long)]
        by: Option<String>,
    },
    /// Register lore's hook with an agent.
    Install {
        /// claude-code, codex, gemini, cursor, copilot or kiro.
        agent: String,
        /// In this project's configuration (the default).
        #[arg(long, conflicts_with = "user")]
        project: bool,
        /// In your user configuration.
        #[arg(long)]
        user: bool,
        /// Print what would be written, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Check that hooks are registered and the knowledge loads.
    Doctor,
    /// Serve MCP on stdin/stdout, for an agent to start (see docs/server.md).
    Mcp,
    /// Serve the HTTP JSON API and MCP (streamable HTTP at /mcp).
    Serve {
        /// Where to listen; only loopback unless API tokens are configured.
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
        /// A TOML file of API tokens (`[[token]]` with secret, agent, team).
        #[arg(long, value_name = "FILE", env = "LORE_TOKENS_FILE")]
        tokens: Option<PathBuf>,
    },
    /// List proposed knowledge waiting for a human's review.
    Review,
    /// Every version of a record lore has held, or the one it held at a date.
    History {
        /// `rule:ID`, `system:NAME`, `incident:ID`, … or a bare id.
        id: String,
        /// What lore believed then: a date (2026-10-01), a time, or a duration ago (30d).
        #[arg(long, value_name = "WHEN")]
        as_of: Option<String>,
    },
    /// Show the actions lore understands in a command, SQL, a plan or manifests.
    Parse {
        #[command(flatten)]
        input: InputArgs,
    },
}

/// What `lore log` does besides listing.
#[derive(Subcommand, Clone, Copy)]
pub enum LogAction {
    /// Deliver the decisions this machine logged to the shared store
    /// (`LORE_STORE_URL` or `[store] url`), each exactly once.
    Ship,
}

/// A proposed action: a shell command, SQL, a plan, manifests or a structured action.
#[derive(Args, Clone)]
pub struct InputArgs {
    /// SQL statements.
    #[arg(long, conflicts_with_all = ["plan", "manifest", "action"])]
    pub sql: Option<String>,
    /// A Terraform/OpenTofu plan as JSON (`terraform show -json PLAN`), or - for stdin.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["manifest", "action"])]
    pub plan: Option<PathBuf>,
    /// Kubernetes manifests about to be applied, or - for stdin.
    #[arg(long, value_name = "FILE", conflicts_with = "action")]
    pub manifest: Option<PathBuf>,
    /// A structured action as JSON (see docs/actions.md).
    #[arg(long, value_name = "JSON")]
    pub action: Option<String>,
    /// The shell command (after `--`); read from stdin when absent.
    #[arg(last = true)]
    pub command: Vec<String>,
}

impl InputArgs {
    /// The action these arguments give, reading a file or stdin when they say so.
    pub fn input(&self) -> Result<Input> {
        Ok(if let Some(sql) = &self.sql {
            Input::Sql(sql.clone())
        } else if let Some(plan) = &self.plan {
            Input::Plan(read_input(plan)?)
        } else if let Some(manifest) = &self.manifest {
            Input::Manifest(read_input(manifest)?)
        } else if let Some(action) = &self.action {
            Input::Structured(action.clone())
        } else if self.command.is_empty() {
            Input::Shell(read_input(Path::new("-"))?)
        } else {
            Input::Shell(self.command.join(" "))
        })
    }
}

fn read_input(path: &Path) -> Result<String> {
    use std::io::Read;
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))
}
