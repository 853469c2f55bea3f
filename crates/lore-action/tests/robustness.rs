//! No input crashes action analysis, and pathological input finishes fast
//! with an explicit "could not analyse".

use std::time::{Duration, Instant};

use lore_action::{analyze_manifest, analyze_plan, analyze_shell, analyze_sql, analyze_structured};
use proptest::prelude::*;

/// Shell fragments glued together at random: operators, quotes, wrappers, tools.
const FRAGMENTS: [&str; 40] = [
    "kubectl ",
    "delete ",
    "ns ",
    "prod ",
    "-n ",
    "--context ",
    "&& ",
    "|| ",
    "; ",
    "| ",
    "$(",
    ")",
    "`",
    "'",
    "\"",
    "\\",
    "<<EOF\n",
    "EOF\n",
    "bash -c ",
    "sudo ",
    "ssh h ",
    "xargs ",
    "find . -exec ",
    "{} ",
    "\\; ",
    "eval ",
    "psql -c ",
    "DROP TABLE x",
    "redis-cli ",
    "FLUSHALL ",
    "terraform ",
    "destroy ",
    "rm -rf ",
    "/ ",
    "$VAR ",
    "${X:-y} ",
    "# c\n",
    "for i in a; do ",
    "done ",
    "\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = analyze_shell(&text);
        let _ = analyze_sql(&text);
        let _ = analyze_plan(&text);
        let _ = analyze_manifest(&text);
        let _ = analyze_structured(&text);
    }

    #[test]
    fn shell_shaped_text_never_panics(parts in proptest::collection::vec(0..FRAGMENTS.len(), 0..60)) {
        let text: String = parts.iter().map(|i| FRAGMENTS[*i]).collect();
        let analysis = analyze_shell(&text);
        // Whatever it found, every action cites a span inside the input.
        for action in &analysis.actions {
            prop_assert!(action.span.start <= action.span.end && action.span.end <= text.len());
        }
    }
}

fn timed(label: &str, limit: Duration, f: impl FnOnce() -> lore_action::Analysis) -> lore_action::Analysis {
    let start = Instant::now();
    let analysis = f();
    let elapsed = start.elapsed();
    assert!(elapsed < limit, "{label} took {elapsed:?} (limit {limit:?})");
    analysis
}

#[test]
fn pathological_input_is_bounded_and_says_so() {
    let limit = Duration::from_secs(2);
    let nested = "$(".repeat(10_000);
    let analysis = timed("10,000 nested $(", limit, || analyze_shell(&nested));
    assert!(!analysis.complete && analysis.problems.iter().any(|p| p.contains("nesting")));

    let backticks = format!("echo {}", "`echo ".repeat(5_000));
    let analysis = timed("5,000 nested backticks", limit, || analyze_shell(&backticks));
    assert!(!analysis.complete);

    let huge_heredoc = format!("psql <<'SQL'\n{}SQL\n", "INSERT INTO t VALUES (1);\n".repeat(20_000));
    let analysis = timed("a 500 KiB heredoc", limit, || analyze_shell(&huge_heredoc));
    assert!(!analysis.complete && analysis.problems.iter().any(|p| p.contains("larger than")));

    let long_line = format!("kubectl delete pod {}", "x".repeat(200_000));
    let analysis = timed("a 200 KB line", limit, || analyze_shell(&long_line));
    assert_eq!(analysis.actions.len(), 1, "still understood: {:?}", analysis.problems);

    let many = "true;".repeat(5_000);
    let analysis = timed("5,000 segments", limit, || analyze_shell(&many));
    assert!(analysis.actions.len() <= lore_action::shell::MAX_ACTIONS);
    assert!(!analysis.complete, "past the action limit it says so");

    // Each `eval` re-enters the shell; past the limit the rest is not analysed.
    let reentry = format!("{}rm -rf /", "eval ".repeat(20));
    let analysis = timed("20 nested evals", limit, || analyze_shell(&reentry));
    assert!(
        !analysis.complete && analysis.problems.iter().any(|p| p.contains("shells deep")),
        "{:?}",
        analysis.problems
    );
    let nested_quotes = format!("bash -c {}", shell_quote(&format!("sh -c {}", shell_quote("rm -rf /"))));
    let analysis = timed("bash -c inside sh -c", limit, || analyze_shell(&nested_quotes));
    assert_eq!(analysis.actions.first().map(|a| a.tool.as_str()), Some("rm"), "two levels are still understood");

    let sql_bomb = format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000));
    timed("5,000 nested SQL parentheses", limit, || analyze_sql(&sql_bomb));

    let yaml_bomb = "[".repeat(100_000);
    let analysis = timed("a YAML nesting bomb", limit, || analyze_manifest(&yaml_bomb));
    assert!(!analysis.complete);
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[test]
fn unknown_values_are_never_guessed() {
    let analysis = analyze_shell("kubectl --context $CTX -n \"$NS\" delete deploy $APP");
    let action = &analysis.actions[0];
    assert_eq!(action.env.kube_context.as_ref().map(|h| h.source), Some(lore_action::HintSource::Unknown));
    assert_eq!(action.env.namespace.as_ref().map(|h| h.source), Some(lore_action::HintSource::Unknown));
    assert!(action.unknowns.iter().any(|u| u == "$APP"), "{:?}", action.unknowns);
}
