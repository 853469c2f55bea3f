//! `lore`: the command line. It parses arguments ([`args`]), calls the
//! operations of `lore_service` ([`commands`], one module per command) and
//! renders their answers for people or as `--json` ([`render`], [`ui`]).

mod args;
mod commands;
mod hook_io;
mod render;
mod ui;

use std::process::ExitCode;

use crate::args::ColorWhen;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    set_compute_threads();
    let cli = args::parse();
    let choice = match cli.global.color {
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
        ColorWhen::Auto => anstream::ColorChoice::Auto,
    };
    choice.write_global();
    match commands::run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            anstream::eprintln!("lore: error: {err:#}");
            ExitCode::from(ui::exit::ERROR)
        }
    }
}

/// candle (semantic search) asks for its thread count on every tensor
/// operation, and reads /proc/cpuinfo each time unless RAYON_NUM_THREADS is
/// set: 4 ms of every question embedded. Set it once, before any thread starts.
#[allow(unsafe_code)]
fn set_compute_threads() {
    #[cfg(feature = "semantic")]
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: called first thing in main, while this is the only thread,
        // so no other thread can read the environment while it changes.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", threads.to_string()) };
    }
}
