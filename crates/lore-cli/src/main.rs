//! `lore`: the command line. Parses arguments, finds the knowledge, calls the
//! domain crates and renders their answers for people (or as `--json`).

mod hook;
mod render;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use lore_model::{Day, Severity};
use lore_pack::query;

use lore_service::evaluate::{self, Input};
use lore_service::{Knowledge, Origin};

/// Exit codes, documented in docs/cli.md.
mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const NOT_FOUND: u8 = 3;
    pub const STRICT_FAILED: u8 = 4;
    pub const INCOMPLETE: u8 = 5;
    pub const ASK: u8 = 6;
    pub const DENY: u8 = 7;
    pub const LINT_FAILED: u8 = 8;
}

#[derive(Parser)]
#[command(
    name = "lore",
    version,
    about = "Institutional knowledge for AI agents: what a senior engineer knows, checked before acting."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Global {
    /// The knowledge directory (holding lore.toml, or sources to auto-detect).
    #[arg(long, short = 'k', global = true, env = "LORE_KNOWLEDGE", value_name = "DIR")]
    knowledge: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// Print nothing on stderr but errors.
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
}

/// What a promoted rule decides: an allow would need no rule.
#[derive(Clone, Copy, ValueEnum)]
enum Enforce {
    Warn,
    Ask,
    Deny,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
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
        #[arg(long, default_value_t = 16)]
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
        #[arg(long, default_value_t = 5)]
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
    Hook {
        /// claude-code, codex, gemini, cursor, copilot or kiro.
        agent: String,
        /// `post` to record what ran (after the tool), when the payload does not say.
        #[arg(long)]
        event: Option<String>,
    },
    /// Query the decision log.
    Log {
        /// Only decisions newer than this: 30m, 2h, 7d, or a date.
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        decision: Option<String>,
        #[arg(long)]
        system: Option<String>,
        #[arg(long)]
        agent: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Approve a denied or asked action once (by its decision id), or a
    /// proposal (by its `PROP-…` id: writes it into the knowledge files).
    Approve {
        id: String,
        /// Who approves (default: $USER).
        #[arg(long)]
        by: Option<String>,
        /// Actions: how long the approval lasts.
        #[arg(long, default_value_t = 10)]
        minutes: u32,
        /// Proposals: why, kept with the decision.
        #[arg(long)]
        why: Option<String>,
        /// Proposals: where to write the approved record (default: rules/ or notes/SYSTEM/).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
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

#[derive(Args, Clone)]
struct InputArgs {
    /// SQL statements.
    #[arg(long, conflicts_with_all = ["plan", "manifest", "action"])]
    sql: Option<String>,
    /// A Terraform/OpenTofu plan as JSON (`terraform show -json PLAN`), or - for stdin.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["manifest", "action"])]
    plan: Option<PathBuf>,
    /// Kubernetes manifests about to be applied, or - for stdin.
    #[arg(long, value_name = "FILE", conflicts_with = "action")]
    manifest: Option<PathBuf>,
    /// A structured action as JSON (see docs/actions.md).
    #[arg(long, value_name = "JSON")]
    action: Option<String>,
    /// The shell command (after `--`); read from stdin when absent.
    #[arg(last = true)]
    command: Vec<String>,
}

impl InputArgs {
    fn input(&self) -> Result<Input> {
        Ok(if let Some(sql) = &self.sql {
            Input::Sql(sql.clone())
        } else if let Some(plan) = &self.plan {
            Input::Plan(read_input(plan)?)
        } else if let Some(manifest) = &self.manifest {
            Input::Manifest(read_input(manifest)?)
        } else if let Some(action) = &self.action {
            Input::Structured(action.clone())
        } else if self.command.is_empty() {
            Input::Shell(read_input(std::path::Path::new("-"))?)
        } else {
            Input::Shell(self.command.join(" "))
        })
    }
}

fn main() -> ExitCode {
    set_compute_threads();
    let cli = Cli::parse();
    let choice = match cli.global.color {
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
        ColorWhen::Auto => anstream::ColorChoice::Auto,
    };
    choice.write_global();
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            anstream::eprintln!("lore: error: {err:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}

/// candle (semantic search) asks for its thread count on every tensor
/// operation, and reads /proc/cpuinfo each time unless RAYON_NUM_THREADS is
/// set: 4 ms of every question embedded. Set it once, before any thread starts.
fn set_compute_threads() {
    #[cfg(feature = "semantic")]
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: called first thing in main, while this is the only thread.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", threads.to_string()) };
    }
}

fn run(cli: &Cli) -> Result<u8> {
    let g = &cli.global;
    if let Command::Parse { input } = &cli.command {
        let analysis = input.input()?.analyze();
        output(g, &analysis, || render::analysis(&analysis))?;
        return Ok(if analysis.complete { exit::OK } else { exit::INCOMPLETE });
    }
    match &cli.command {
        Command::Check { input, cwd, agent } => return check(g, input, cwd.clone(), agent),
        Command::Hook { agent, event } => return hook(g, agent, event.as_deref()),
        Command::Log { since, decision, system, agent, limit } => {
            return log(g, since.as_deref(), decision.clone(), system.clone(), agent.clone(), *limit);
        }
        Command::Approve { id, by, minutes, why, to } => {
            return match id.parse::<i64>() {
                Ok(decision) => approve(g, decision, by.as_deref(), *minutes),
                Err(_) => review(g, id, ReviewVerdict::Approve { to: to.as_deref() }, by.as_deref(), why.as_deref()),
            };
        }
        Command::Reject { id, why, by } => {
            return review(g, id, ReviewVerdict::Reject, by.as_deref(), Some(why));
        }
        Command::Install { agent, user, dry_run, .. } => return install(g, agent, *user, *dry_run),
        Command::Doctor => return doctor(g),
        Command::Promote { id, decision, to } => return promote(g, id, *decision, to.as_deref()),
        Command::Mcp => {
            let knowledge = Knowledge::locate(g.knowledge.as_deref())?;
            let settings = server_settings(&knowledge, None, None)?;
            lore_server::serve_stdio(knowledge, settings)?;
            return Ok(exit::OK);
        }
        Command::Serve { addr, tokens } => return serve(g, addr.as_deref(), tokens.as_deref()),
        _ => {}
    }
    if let Command::Build { dir, strict, force } = &cli.command {
        let knowledge = match dir {
            Some(dir) => Knowledge::at(dir, Origin::Flag)?,
            None => locate(g)?,
        };
        return build(g, &knowledge, *strict, *force);
    }
    let knowledge = locate(g)?;
    let bar = ProgressBar::new(g.quiet);
    let pack = knowledge.open(Some(&|p| bar.update(p)), g.quiet)?;
    bar.finish();
    let data = pack.data();
    let today = Day::today();
    match &cli.command {
        Command::Build { .. }
        | Command::Parse { .. }
        | Command::Check { .. }
        | Command::Hook { .. }
        | Command::Log { .. }
        | Command::Approve { .. }
        | Command::Reject { .. }
        | Command::Install { .. }
        | Command::Doctor
        | Command::Mcp
        | Command::Serve { .. }
        | Command::Promote { .. } => unreachable!("handled above"),
        Command::History { id, as_of } => history(g, &knowledge, &pack, id, as_of.as_deref()),
        Command::Review => {
            let rows = query::proposals(data);
            output(g, &rows, || render::proposals(&rows))
        }
        Command::Brief { system, env, budget } => {
            let Some(ix) = query::resolve(data, system) else {
                return not_found(g, &format!("no system named `{system}`"), &query::suggest(data, system));
            };
            let briefing = query::brief(data, ix, env.as_deref(), *budget, today);
            output(g, &briefing, || render::briefing(&briefing, pack.manifest()))
        }
        Command::Blast { system, env, depth } => match query::blast(data, system, env.as_deref(), *depth) {
            Ok(blast) => output(g, &blast, || render::blast(&blast)),
            Err(query::QueryError::UnknownSystem { suggestions, .. }) => {
                not_found(g, &format!("no system or dependency named `{system}`"), &suggestions)
            }
        },
        Command::Ask { question, system, kind, limit } => {
            let search = lore_service::search::open(&knowledge, &pack)?;
            if let Some(note) = &search.note
                && !g.quiet
            {
                anstream::eprintln!("lore: {note}");
            }
            let system = system.as_deref().map(|s| {
                query::resolve(data, s)
                    .map(|ix| data.systems[ix as usize].id.to_string())
                    .unwrap_or_else(|| lore_model::normalize_name(s))
            });
            let text = question.to_string_lossy().into_owned();
            let request = lore_search::SearchRequest { text, system, kind: kind.clone(), limit: *limit };
            let results = search.index.search(&request)?;
            // Text output with no hits says the note in place of the list.
            if let Some(note) = &results.note
                && (g.json || !results.hits.is_empty())
                && !g.quiet
            {
                anstream::eprintln!("lore: {note}");
            }
            output(g, &results.hits, || render::hits(&results))
        }
        Command::Systems => {
            let rows = query::systems(data);
            output(g, &rows, || render::systems(&rows))
        }
        Command::Rules { system, env } => {
            let rules = query::rules(data, system.as_deref(), env.as_deref(), today);
            output(g, &rules, || render::rules(&rules))
        }
        Command::Incidents { system } => {
            let rows = query::incidents(data, system.as_deref());
            output(g, &rows, || render::incidents(&rows))
        }
        Command::Show { id } => match query::show(data, id) {
            Some((kind, record)) => {
                let value = serde_json::json!({ "kind": kind, "record": record });
                output(g, &value, || render::record(kind, &record))
            }
            None => not_found(g, &format!("no record with id `{id}`"), &query::suggest(data, id)),
        },
        Command::Advisories { system } => {
            if let Some(name) = system
                && query::resolve(data, name).is_none()
            {
                return not_found(g, &format!("no system named `{name}`"), &query::suggest(data, name));
            }
            let list = query::advisories(data, system.as_deref());
            output(g, &list, || render::advisories(&list))
        }
        Command::Lint { fail_on, sarif, all } => {
            let report = lore_govern::lint(data, today, Some(&knowledge.root));
            if *sarif {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&lore_govern::sarif::to_sarif(&report, env!("CARGO_PKG_VERSION")))?
                );
            } else {
                output(g, &report, || render::lint(&report, *all))?;
            }
            let threshold = match fail_on {
                FailOn::Error => Some(lore_model::Severity::Error),
                FailOn::Warning => Some(lore_model::Severity::Warning),
                FailOn::Info => Some(lore_model::Severity::Info),
                FailOn::Never => None,
            };
            Ok(match threshold {
                Some(at_least) if report.count(at_least) > 0 => exit::LINT_FAILED,
                _ => exit::OK,
            })
        }
    }
}

fn check(g: &Global, input: &InputArgs, cwd: Option<PathBuf>, agent: &str) -> Result<u8> {
    let input = input.input()?;
    let cwd = cwd.or_else(|| std::env::current_dir().ok());
    let request = evaluate::Request {
        input,
        cwd,
        agent: Some(agent.to_string()),
        team: None,
        session: None,
        source: "cli",
        vars: None,
        example_rules: true,
        stale_check_every: None,
    };
    let outcome = evaluate::evaluate(g.knowledge.as_deref(), request);
    if !g.quiet {
        for note in &outcome.notes {
            anstream::eprintln!("lore: {note}");
        }
    }
    let verdict = &outcome.verdict;
    if g.json {
        let mut value = serde_json::to_value(verdict)?;
        value["decision_id"] = serde_json::json!(outcome.decision_id);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        anstream::print!("{}", render::verdict(verdict, outcome.decision_id));
    }
    Ok(match verdict.decision {
        lore_model::Decision::Allow | lore_model::Decision::Warn => exit::OK,
        lore_model::Decision::Ask => exit::ASK,
        lore_model::Decision::Deny => exit::DENY,
    })
}

fn hook(g: &Global, agent_name: &str, event: Option<&str>) -> Result<u8> {
    let Some(agent) = lore_hooks::Agent::parse(agent_name) else {
        anyhow::bail!(
            "unknown agent `{agent_name}`; expected one of: claude-code, codex, gemini, cursor, copilot, kiro"
        );
    };
    hook::start_deadline(agent);
    let Some(payload) = hook::read_payload()? else {
        // No real command is that large: padding must not be a way around the gate.
        let answer = lore_hooks::Answer {
            decision: lore_model::Decision::Deny,
            reason: "lore: the hook payload is larger than 1 MiB, so lore cannot check it; failing closed",
            context: "",
            approve_hint: "",
        };
        let response = lore_hooks::render(agent, &answer);
        print!("{}", response.stdout);
        eprint!("{}", response.stderr);
        return Ok(response.exit_code as u8);
    };
    let parsed = match lore_hooks::parse(agent, &payload) {
        Ok(parsed) => parsed,
        Err(err) => {
            // Nothing to judge: say so, and let the agent's own checks apply.
            eprintln!("lore: {err}; failing open (the agent's own permission checks still apply)");
            return Ok(exit::OK);
        }
    };
    let Some(command) = parsed.command.clone() else { return Ok(exit::OK) };
    let cwd = parsed.cwd.as_ref().map(PathBuf::from);
    if parsed.event == lore_hooks::Event::After || event == Some("post") {
        if let Ok(log) = lore_log::DecisionLog::open(&evaluate::log_path_for(g.knowledge.as_deref())) {
            let _ = log.mark_executed(parsed.session.as_deref(), &command);
        }
        return Ok(exit::OK);
    }
    let request = evaluate::Request {
        input: Input::Shell(command),
        cwd,
        agent: Some(agent.name().to_string()),
        team: None,
        session: parsed.session.clone(),
        source: "hook",
        vars: None,
        example_rules: false,
        stale_check_every: Some(std::time::Duration::from_secs(5)),
    };
    let outcome = evaluate::evaluate(g.knowledge.as_deref(), request);
    let reason = evaluate::reason_text(&outcome.verdict);
    let mut context = evaluate::briefing_text(&outcome.verdict);
    for note in &outcome.notes {
        context.push_str(&format!("\n(lore: {note})"));
    }
    let hint = evaluate::approve_hint(outcome.decision_id);
    let answer = lore_hooks::Answer {
        decision: outcome.verdict.decision,
        reason: &reason,
        context: &context,
        approve_hint: &hint,
    };
    let response = lore_hooks::render(agent, &answer);
    print!("{}", response.stdout);
    eprint!("{}", response.stderr);
    Ok(response.exit_code as u8)
}

fn log(
    g: &Global,
    since: Option<&str>,
    decision: Option<String>,
    system: Option<String>,
    agent: Option<String>,
    limit: usize,
) -> Result<u8> {
    let since_unix = match since {
        None => None,
        Some(text) => Some(
            parse_since(text)
                .ok_or_else(|| anyhow::anyhow!("--since: `{text}` is not a duration (30m, 2h, 7d) or a date"))?,
        ),
    };
    let path = evaluate::log_path_for(g.knowledge.as_deref());
    let log = lore_log::DecisionLog::open(&path)?;
    let filter = lore_log::Filter { since_unix, decision, system, agent, limit };
    let entries = log.query(&filter)?;
    output(g, &entries, || render::log_entries(&entries, &path))
}

fn parse_since(text: &str) -> Option<i64> {
    let now = lore_model::Timestamp::now().0;
    let text = text.trim();
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    if let Ok(n) = digits.parse::<i64>() {
        let seconds = match unit {
            "s" => 1,
            "m" | "min" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return lore_model::Timestamp::parse(text).map(|t| t.0),
        };
        return Some(now - n * seconds);
    }
    lore_model::Timestamp::parse(text).map(|t| t.0)
}

fn approve(g: &Global, id: i64, by: Option<&str>, minutes: u32) -> Result<u8> {
    let path = evaluate::log_path_for(g.knowledge.as_deref());
    let log = lore_log::DecisionLog::open(&path)?;
    let by = by.map(str::to_string).or_else(|| std::env::var("USER").ok());
    match log.approve(id, by.as_deref(), lore_model::Timestamp::now().0, minutes)? {
        Some(input) => {
            anstream::println!("Approved once for {minutes} minutes: {input}");
            Ok(exit::OK)
        }
        None => not_found(g, &format!("no decision {id} in {}", path.display()), &[]),
    }
}

/// Versions of a record from the history the builds keep.
fn history(g: &Global, knowledge: &Knowledge, pack: &lore_pack::Pack, id: &str, as_of: Option<&str>) -> Result<u8> {
    let at = match as_of {
        None => None,
        Some(text) => Some(
            parse_since(text)
                .ok_or_else(|| anyhow::anyhow!("--as-of: `{text}` is not a date, a time or a duration ago (30d)"))?,
        ),
    };
    let mut log = lore_log::DecisionLog::open(&knowledge.log_path())?;
    lore_service::history::sync(&mut log, &knowledge.history_key(), pack, lore_model::Timestamp::now().0)?;
    let (kind, bare) = match id.split_once(':') {
        Some((kind, rest)) => (Some(kind), rest),
        None => (None, id),
    };
    // A system may be asked for by an alias.
    let bare = match kind {
        Some("system") | None => query::resolve(pack.data(), bare)
            .map(|ix| pack.data().systems[ix as usize].id.to_string())
            .unwrap_or_else(|| bare.to_string()),
        _ => bare.to_string(),
    };
    let versions = log.history(&knowledge.history_key(), kind, &bare)?;
    if versions.is_empty() {
        return not_found(g, &format!("lore has no history of `{id}`"), &query::suggest(pack.data(), &bare));
    }
    let Some(at) = at else {
        return output(g, &versions, || render::history(&versions));
    };
    match versions.iter().rev().find(|v| v.believed_at(at)) {
        Some(version) => {
            // The record's own valid time, judged as the gate judges it.
            let valid = lore_model::Freshness {
                valid_from: version.valid_from.as_deref().and_then(Day::parse),
                valid_until: version.valid_until.as_deref().and_then(Day::parse),
                ..lore_model::Freshness::default()
            }
            .valid_on(lore_model::Timestamp(at).day());
            let value =
                serde_json::json!({ "as_of": lore_model::Timestamp(at), "valid_then": valid, "version": version });
            output(g, &value, || render::history(std::slice::from_ref(version)))
        }
        None => not_found(g, &format!("lore did not hold `{id}` at {}", lore_model::Timestamp(at)), &[]),
    }
}

enum ReviewVerdict<'a> {
    Approve { to: Option<&'a Path> },
    Reject,
}

/// Approves or rejects a proposal, then rebuilds to show what the knowledge now holds.
fn review(g: &Global, id: &str, verdict: ReviewVerdict<'_>, by: Option<&str>, why: Option<&str>) -> Result<u8> {
    use lore_govern::proposal::{self, ProposalError, Review};
    let knowledge = locate(g)?;
    if knowledge.origin == Origin::Example {
        anyhow::bail!("lore is using its built-in example; point it at your knowledge (--knowledge DIR) to review");
    }
    let by = by.map(str::to_string).or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "unknown".into());
    let review = Review { by, on: Day::today(), why: why.map(str::to_string) };
    let result = match verdict {
        ReviewVerdict::Approve { to } => proposal::approve(&knowledge.root, id, &review, to),
        ReviewVerdict::Reject => proposal::reject(&knowledge.root, id, &review),
    };
    let decided = match result {
        Ok(decided) => decided,
        Err(ProposalError::NotFound(_)) => {
            return not_found(g, &format!("no pending proposal `{id}` (see lore review)"), &[]);
        }
        Err(err) => return Err(err.into()),
    };
    let pack = knowledge.open(None, true)?;
    let data = pack.data();
    let loaded = match &decided.written {
        None => true,
        Some(path) => {
            let relative = path.strip_prefix(&knowledge.root).unwrap_or(path).to_string_lossy().into_owned();
            data.rules.iter().any(|r| r.meta.provenance.file.as_str() == relative)
                || data.runbooks.iter().any(|r| r.path.as_str() == relative)
        }
    };
    let value = serde_json::json!({ "decided": decided, "loaded": loaded });
    output(g, &value, || {
        let mut out = match &decided.written {
            Some(path) => {
                format!("approved {}: wrote {}; review and commit it like any change\n", decided.id, path.display())
            }
            None => format!("rejected {}\n", decided.id),
        };
        out.push_str(&format!("kept the proposal and the decision in {}\n", decided.kept.display()));
        if let Some(next) = &decided.next {
            out.push_str(&format!("next: {next}\n"));
        }
        if !loaded {
            out.push_str(
                "warning: the next build did not load it; is that directory inside a [[source]] in lore.toml?\n",
            );
        }
        out
    })
}

fn install(g: &Global, agent_name: &str, user: bool, dry_run: bool) -> Result<u8> {
    let Some(agent) = lore_hooks::Agent::parse(agent_name) else {
        anyhow::bail!(
            "unknown agent `{agent_name}`; expected one of: claude-code, codex, gemini, cursor, copilot, kiro"
        );
    };
    let binary = std::env::current_exe()
        .context("finding lore's own path")?
        .canonicalize()
        .context("resolving lore's own path")?;
    let home = dirs::home_dir().ok_or_else(|| anyhow::anyhow!("no home directory"))?;
    let project = std::env::current_dir()?;
    let scope = if user { lore_hooks::Scope::User } else { lore_hooks::Scope::Project };
    let path = lore_hooks::config_path(agent, scope, &home, &project);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON; fix it or move it aside", path.display()))?,
        Err(_) => serde_json::json!({}),
    };
    let updated = lore_hooks::install_into(agent, existing, &binary);
    let text = serde_json::to_string_pretty(&updated)? + "\n";
    if dry_run {
        print!("{text}");
        return Ok(exit::OK);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    if !g.quiet {
        anstream::println!(
            "Registered lore's hook for {} in {} (binary {})",
            agent.name(),
            path.display(),
            binary.display()
        );
    }
    Ok(exit::OK)
}

fn doctor(g: &Global) -> Result<u8> {
    let mut checks: Vec<(String, bool, String)> = Vec::new();
    match Knowledge::locate(g.knowledge.as_deref()) {
        Ok(k) => match k.open(None, true) {
            Ok(pack) => {
                let c = &pack.manifest().counts;
                checks.push((
                    "knowledge".into(),
                    true,
                    format!(
                        "{} ({} systems, {} rules) from {}",
                        pack.manifest().version(),
                        c.systems,
                        c.rules,
                        k.root.display()
                    ),
                ));
            }
            Err(err) => checks.push(("knowledge".into(), false, format!("{err:#}"))),
        },
        Err(err) => checks.push(("knowledge".into(), false, format!("{err:#}"))),
    }
    let log_path = evaluate::log_path_for(g.knowledge.as_deref());
    match lore_log::DecisionLog::open(&log_path).and_then(|l| l.count()) {
        Ok(n) => checks.push(("decision log".into(), true, format!("{} ({n} decisions)", log_path.display()))),
        Err(err) => checks.push(("decision log".into(), false, err.to_string())),
    }
    let home = dirs::home_dir().unwrap_or_default();
    let project = std::env::current_dir().unwrap_or_default();
    let mut any_hook = false;
    for agent in lore_hooks::Agent::ALL {
        for scope in [lore_hooks::Scope::Project, lore_hooks::Scope::User] {
            let path = lore_hooks::config_path(agent, scope, &home, &project);
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let config: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            match lore_hooks::installed_binary(&config) {
                Some(binary) if binary.is_file() => {
                    any_hook = true;
                    checks.push((
                        format!("{} hook", agent.name()),
                        true,
                        format!("{} → {}", path.display(), binary.display()),
                    ));
                }
                Some(binary) => checks.push((
                    format!("{} hook", agent.name()),
                    false,
                    format!(
                        "{} calls {}, which does not exist; run lore install {}",
                        path.display(),
                        binary.display(),
                        agent.name()
                    ),
                )),
                None => {}
            }
        }
    }
    if !any_hook {
        checks.push((
            "hooks".into(),
            false,
            "no agent has lore's hook; run `lore install claude-code` (or codex, gemini, cursor, copilot, kiro)".into(),
        ));
    }
    let healthy = checks.iter().filter(|(name, _, _)| name != "hooks").all(|(_, ok, _)| *ok);
    let rows: Vec<serde_json::Value> = checks
        .iter()
        .map(|(name, ok, detail)| serde_json::json!({"check": name, "ok": ok, "detail": detail}))
        .collect();
    output(g, &rows, || render::doctor(&checks))?;
    Ok(if healthy { exit::OK } else { exit::ERROR })
}

fn read_input(path: &std::path::Path) -> Result<String> {
    use std::io::Read;
    if path == std::path::Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))
}

fn locate(g: &Global) -> Result<Knowledge> {
    let knowledge = Knowledge::locate(g.knowledge.as_deref())?;
    if knowledge.origin == Origin::Example && !g.quiet {
        anstream::eprintln!("lore: {}", knowledge.describe());
    }
    Ok(knowledge)
}

fn build(g: &Global, knowledge: &Knowledge, strict: bool, force: bool) -> Result<u8> {
    let bar = ProgressBar::new(g.quiet);
    let report = knowledge.build(force, Some(&|p| bar.update(p)))?;
    bar.finish();
    let errors = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    output(g, &report, || render::build_report(&report, &knowledge.pack_dir))?;
    Ok(if strict && errors > 0 { exit::STRICT_FAILED } else { exit::OK })
}

fn output<T: serde::Serialize>(g: &Global, value: &T, human: impl FnOnce() -> String) -> Result<u8> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        anstream::print!("{}", human());
    }
    Ok(exit::OK)
}

fn promote(g: &Global, id: &str, decision: Enforce, to: Option<&Path>) -> Result<u8> {
    let decision = match decision {
        Enforce::Warn => lore_model::Decision::Warn,
        Enforce::Ask => lore_model::Decision::Ask,
        Enforce::Deny => lore_model::Decision::Deny,
    };
    let knowledge = locate(g)?;
    if knowledge.origin == Origin::Example {
        anyhow::bail!("lore is using its built-in example; point it at your knowledge (--knowledge DIR) to promote");
    }
    let (advisory, owner) = {
        let pack = knowledge.open(None, g.quiet)?;
        let data = pack.data();
        let Some(archived) = data.advisories.iter().find(|a| a.id.as_str().eq_ignore_ascii_case(id)) else {
            return not_found(g, &format!("no advisory with id `{id}`"), &[]);
        };
        let advisory: lore_model::Advisory = query::owned(archived);
        let owner = advisory
            .systems
            .iter()
            .filter_map(|s| query::resolve(data, s))
            .find_map(|ix| query::system(data, ix).owners.into_iter().next());
        (advisory, owner)
    };
    let rule = lore_govern::promote::rule_file(&advisory, owner.as_deref(), decision, Day::today())?;
    let dir = to.map_or_else(|| knowledge.root.join("rules"), Path::to_path_buf);
    let path = dir.join(&rule.file_name);
    if path.exists() {
        anyhow::bail!("{} already exists; the advisory was promoted before", path.display());
    }
    std::fs::create_dir_all(&dir)?;
    std::fs::write(&path, &rule.text)?;
    let pack = knowledge.open(None, true)?;
    let loaded = pack.data().rules.iter().any(|r| r.id.as_str() == rule.id);
    let value = serde_json::json!({ "rule": rule.id, "path": path, "loaded": loaded });
    output(g, &value, || {
        let mut out = format!("wrote rule `{}` to {}; review and commit it like any change\n", rule.id, path.display());
        if !loaded {
            out.push_str(
                "warning: the next build did not load it; is that directory inside a [[source]] in lore.toml?\n",
            );
        }
        out
    })
}

fn server_settings(knowledge: &Knowledge, addr: Option<&str>, tokens: Option<&Path>) -> Result<lore_server::Settings> {
    Ok(lore_server::Settings::from_config(knowledge.config.server.as_ref(), &knowledge.root, addr, tokens)?)
}

fn serve(g: &Global, addr: Option<&str>, tokens: Option<&Path>) -> Result<u8> {
    let knowledge = locate(g)?;
    let settings = server_settings(&knowledge, addr, tokens)?;
    let quiet = g.quiet;
    let token_count = settings.tokens.len();
    lore_server::serve_http(knowledge, settings, move |addr, shared| {
        if !quiet {
            let loaded = shared.current();
            let knowledge = match (loaded.version(), &loaded.error) {
                (Some(version), _) => format!("knowledge pack {version}"),
                (None, Some(err)) => format!("no knowledge ({err}); only the baseline applies"),
                (None, None) => "no knowledge".into(),
            };
            let auth = if token_count == 0 {
                "no tokens: loopback only".to_string()
            } else {
                format!("{token_count} API tokens")
            };
            anstream::eprintln!(
                "lore: serving http://{addr} (MCP at /mcp, API at /v1, /openapi.json); {knowledge}; {auth}"
            );
        }
    })?;
    Ok(exit::OK)
}

fn not_found(g: &Global, message: &str, suggestions: &[String]) -> Result<u8> {
    if g.json {
        println!("{}", serde_json::json!({ "error": message, "suggestions": suggestions }));
    } else {
        let hint =
            if suggestions.is_empty() { String::new() } else { format!("; did you mean {}?", suggestions.join(", ")) };
        anstream::eprintln!("lore: {message}{hint}");
    }
    Ok(exit::NOT_FOUND)
}

/// A progress bar on stderr for long builds; silent when stderr is not a terminal.
struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
}

impl ProgressBar {
    fn new(quiet: bool) -> ProgressBar {
        let show = !quiet && std::io::stderr().is_terminal();
        ProgressBar { bar: show.then(indicatif::ProgressBar::hidden) }
    }

    fn update(&self, progress: lore_pack::Progress) {
        let Some(bar) = &self.bar else { return };
        match progress {
            lore_pack::Progress::Discovered { files } => {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_length(files as u64);
                if let Ok(style) =
                    indicatif::ProgressStyle::with_template("{spinner} {msg:10} [{bar:30}] {pos}/{len} files")
                {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.set_message("reading");
            }
            lore_pack::Progress::FileRead => bar.inc(1),
            lore_pack::Progress::Linking => bar.set_message("linking"),
            lore_pack::Progress::Indexing => bar.set_message("indexing"),
            lore_pack::Progress::Embedding => bar.set_message("embedding documents"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
