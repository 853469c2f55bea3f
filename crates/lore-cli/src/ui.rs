//! How the command line talks to a person: answers on stdout (text or
//! `--json`), notes on stderr unless `--quiet`, exit codes, a progress bar.

use std::io::IsTerminal;

use anyhow::Result;
use lore_service::{Error, Knowledge, Loaded};

use crate::args::Global;

/// Exit codes, documented in docs/cli.md.
pub mod exit {
    /// Done; an allowed or warned action.
    pub const OK: u8 = 0;
    /// lore failed.
    pub const ERROR: u8 = 1;
    /// The system, record or decision asked for does not exist.
    pub const NOT_FOUND: u8 = 3;
    /// `build --strict` found errors in the sources.
    pub const STRICT_FAILED: u8 = 4;
    /// `parse` could not understand all of the input.
    pub const INCOMPLETE: u8 = 5;
    /// The action needs a human's approval.
    pub const ASK: u8 = 6;
    /// The action is denied.
    pub const DENY: u8 = 7;
    /// `lint` found findings at or above `--fail-on`.
    pub const LINT_FAILED: u8 = 8;
}

/// The output settings of one run.
#[derive(Clone, Copy)]
pub struct Ui {
    json: bool,
    quiet: bool,
}

impl Ui {
    /// The settings the global options give.
    pub fn of(global: &Global) -> Ui {
        Ui { json: global.json, quiet: global.quiet }
    }

    /// Whether `--json` was asked for.
    pub fn json(self) -> bool {
        self.json
    }

    /// Prints `value` as JSON, or `human()` as text.
    pub fn output<T: serde::Serialize>(self, value: &T, human: impl FnOnce() -> String) -> Result<u8> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value)?);
        } else {
            anstream::print!("{}", human());
        }
        Ok(exit::OK)
    }

    /// Prints an operation's answer, or its "not found" (exit 3); other errors fail the run.
    pub fn answer<T: serde::Serialize>(
        self,
        result: lore_service::Result<T>,
        human: impl FnOnce(&T) -> String,
    ) -> Result<u8> {
        match result {
            Ok(value) => self.output(&value, || human(&value)),
            Err(err) => self.failed(err),
        }
    }

    /// A "not found" as exit 3 with its suggestions; any other error fails the run.
    pub fn failed(self, err: Error) -> Result<u8> {
        match err {
            Error::NotFound { message, suggestions } => self.not_found(&message, &suggestions),
            other => Err(other.into()),
        }
    }

    fn not_found(self, message: &str, suggestions: &[String]) -> Result<u8> {
        if self.json {
            println!("{}", serde_json::json!({ "error": message, "suggestions": suggestions }));
        } else {
            let hint = if suggestions.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", suggestions.join(", "))
            };
            anstream::eprintln!("lore: {message}{hint}");
        }
        Ok(exit::NOT_FOUND)
    }

    /// Notes for the person, on stderr, unless `--quiet`.
    pub fn notes<S: AsRef<str>>(self, notes: impl IntoIterator<Item = S>) {
        if self.quiet {
            return;
        }
        for note in notes {
            anstream::eprintln!("lore: {}", note.as_ref());
        }
    }
}

/// Finds the knowledge as every command does, saying so when it is the example.
pub fn locate(global: &Global) -> Result<Knowledge> {
    let knowledge = Knowledge::locate(global.knowledge.as_deref())?;
    if knowledge.is_example() {
        Ui::of(global).notes([knowledge.describe()]);
    }
    Ok(knowledge)
}

/// Finds and opens the knowledge, with a progress bar if it must be built.
pub fn open(global: &Global) -> Result<Loaded> {
    let knowledge = locate(global)?;
    let bar = ProgressBar::new(global.quiet);
    let opened = Loaded::open(knowledge, Some(&|p| bar.update(p)));
    bar.finish();
    let (loaded, notes) = opened?;
    Ui::of(global).notes(notes);
    Ok(loaded)
}

/// A progress bar on stderr for long builds; silent when stderr is not a terminal.
pub struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
}

impl ProgressBar {
    /// A bar that shows itself once there is something to show.
    pub fn new(quiet: bool) -> ProgressBar {
        let show = !quiet && std::io::stderr().is_terminal();
        ProgressBar { bar: show.then(indicatif::ProgressBar::hidden) }
    }

    /// Shows a build's progress.
    pub fn update(&self, progress: lore_pack::Progress) {
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

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
