//! `lore`: the command line. Parses arguments, finds the knowledge, calls the
//! domain crates and renders their answers for people (or as `--json`).

mod knowledge;
mod render;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use lore_model::{Day, Severity};
use lore_pack::query;

use crate::knowledge::{Knowledge, Origin};

/// Exit codes, documented in docs/cli.md.
mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const NOT_FOUND: u8 = 3;
    pub const STRICT_FAILED: u8 = 4;
    pub const INCOMPLETE: u8 = 5;
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
        question: String,
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
    /// Show the actions lore understands in a command, SQL, a plan or manifests.
    Parse {
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
    },
}

fn main() -> ExitCode {
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

fn run(cli: &Cli) -> Result<u8> {
    let g = &cli.global;
    if let Command::Parse { sql, plan, manifest, action, command } = &cli.command {
        let analysis = parse(sql.as_deref(), plan.as_deref(), manifest.as_deref(), action.as_deref(), command)?;
        output(g, &analysis, || render::analysis(&analysis))?;
        return Ok(if analysis.complete { exit::OK } else { exit::INCOMPLETE });
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
        Command::Build { .. } | Command::Parse { .. } => unreachable!("handled above"),
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
            let index = lore_pack::SearchIndex::open(&pack.dir().join(lore_pack::store::INDEX_DIR))?;
            let system = system.as_deref().map(|s| {
                query::resolve(data, s)
                    .map(|ix| data.systems[ix as usize].id.to_string())
                    .unwrap_or_else(|| lore_model::normalize_name(s))
            });
            let request = lore_pack::SearchRequest {
                boost_systems: systems_named_in(data, question),
                text: question.clone(),
                system,
                kind: kind.clone(),
                limit: *limit,
            };
            let hits = index.search(&request)?;
            output(g, &hits, || render::hits(&hits))
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
    }
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

fn parse(
    sql: Option<&str>,
    plan: Option<&std::path::Path>,
    manifest: Option<&std::path::Path>,
    action: Option<&str>,
    command: &[String],
) -> Result<lore_action::Analysis> {
    Ok(if let Some(sql) = sql {
        lore_action::analyze_sql(sql)
    } else if let Some(plan) = plan {
        lore_action::analyze_plan(&read_input(plan)?)
    } else if let Some(manifest) = manifest {
        lore_action::analyze_manifest(&read_input(manifest)?)
    } else if let Some(action) = action {
        lore_action::analyze_structured(action)
    } else if command.is_empty() {
        lore_action::analyze_shell(&read_input(std::path::Path::new("-"))?)
    } else if command.len() == 1 {
        lore_action::analyze_shell(&command[0])
    } else {
        lore_action::analyze_shell(&command.join(" "))
    })
}

fn locate(g: &Global) -> Result<Knowledge> {
    let knowledge = Knowledge::locate(g.knowledge.as_deref())?;
    if knowledge.origin == Origin::Example && !g.quiet {
        anstream::eprintln!("lore: {}", knowledge.describe());
    }
    Ok(knowledge)
}

/// Words (and hyphenated pairs) of a question that name a system.
fn systems_named_in(data: &lore_pack::ArchivedPackData, question: &str) -> Vec<String> {
    let words: Vec<String> = question
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .collect();
    let pairs = words.windows(2).map(|w| format!("{}-{}", w[0], w[1]));
    let mut found: Vec<String> = words
        .iter()
        .cloned()
        .chain(pairs)
        .filter_map(|w| query::resolve(data, &w))
        .map(|ix| data.systems[ix as usize].id.to_string())
        .collect();
    found.dedup();
    found
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
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
