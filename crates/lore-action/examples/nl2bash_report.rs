//! Reports how lore reads the NL2Bash corpus: destructive commands by class,
//! commands it could not fully analyse, and a sample of each for review.
//!
//!     cargo run --release -p lore-action --example nl2bash_report [-- PATH/all.cm]

use std::collections::BTreeMap;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "../shared/corpora/nl2bash/all.cm".into());
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("cannot read {path}: {err}");
            std::process::exit(1);
        }
    };
    let mut by_class: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
    let mut incomplete: Vec<(&str, String)> = Vec::new();
    let started = std::time::Instant::now();
    let commands: Vec<&str> = text.lines().collect();
    for command in &commands {
        let analysis = lore_action::analyze_shell(command);
        if !analysis.complete {
            incomplete.push((command, analysis.problems.join("; ")));
        }
        if let Some(worst) = analysis.actions.iter().filter(|a| a.class.is_destructive()).map(|a| a.class).max() {
            by_class.entry(worst.as_str()).or_default().push(command);
        }
    }
    let elapsed = started.elapsed();
    let destructive: usize = by_class.values().map(Vec::len).sum();
    println!(
        "{} commands in {elapsed:?} ({:.1} µs each)",
        commands.len(),
        elapsed.as_secs_f64() * 1e6 / commands.len() as f64
    );
    println!("destructive: {destructive}");
    for (class, list) in &by_class {
        println!("  {class}: {}", list.len());
    }
    println!("not fully analysed: {}", incomplete.len());
    // Every 40th, for a stable sample across runs.
    for (class, list) in &by_class {
        println!("\nsample of {class}:");
        for command in list.iter().step_by((list.len() / 8).max(1)).take(8) {
            println!("  {command}");
        }
    }
    println!("\nsample of not fully analysed:");
    for (command, problem) in incomplete.iter().step_by((incomplete.len() / 8).max(1)).take(8) {
        println!("  {command}\n      {problem}");
    }
}
