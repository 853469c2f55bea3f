//! Inputs the fuzz targets in `fuzz/` found, minimised, kept so they stay
//! fixed. Each says what it was; see docs/fuzzing.md.

use lore_action::analyze_shell;
use lore_model::ActionClass;

/// Parentheses left open made brush-parser backtrack exponentially: 18 took
/// 84 ms and each one more about 1.6 times that.
#[test]
fn many_unclosed_parentheses_are_refused_before_the_parser() {
    for input in ["((((((((((&\x0c\x0c((((((((((", &"(".repeat(40), &format!("rm -rf / {}", "(".repeat(30))] {
        let analysis = analyze_shell(input);
        assert!(!analysis.complete, "{input:?}");
        assert!(
            analysis.problems.iter().any(|p| p.contains("parentheses or brackets left open")),
            "{:?}",
            analysis.problems
        );
    }
    // Word by word, the destructive command is still seen.
    let analysis = analyze_shell(&format!("rm -rf / {}", "(".repeat(30)));
    assert!(analysis.actions.iter().any(|a| a.class == ActionClass::Delete), "{:?}", analysis.actions);
}

/// A few open parentheses still go to the parser, which reports the error.
#[test]
fn a_few_unclosed_parentheses_still_reach_the_parser() {
    let analysis = analyze_shell("echo ((((");
    assert!(!analysis.complete);
    assert!(
        !analysis.problems.iter().any(|p| p.contains("parentheses or brackets left open")),
        "{:?}",
        analysis.problems
    );
}

/// brush-parser 0.4 panics on a file descriptor number that overflows before
/// a redirection; the panic is caught and the input analysed word by word.
#[test]
fn an_overflowing_file_descriptor_number_does_not_crash() {
    for input in ["\x02\t\t66666666666>", "rm -rf / 99999999999999999999>x"] {
        let analysis = analyze_shell(input);
        assert!(!analysis.complete, "{input:?}");
    }
}

/// `aws s3` with no operation indexed past the end of its words: a panic,
/// so a hook would have failed instead of answering.
#[test]
fn aws_s3_with_no_operation_does_not_crash() {
    for input in ["aws s3", "$ aws s3 \nsync ./site s3://acme-www --delete", "aws --profile prod s3"] {
        let analysis = analyze_shell(input);
        assert!(analysis.actions.iter().any(|a| a.tool == "aws"), "{input:?}: {:?}", analysis.actions);
    }
}

/// Each command inside `ssh host '…'` or `bash -c '…'` carried the whole
/// outer command as its text, so the gate's per-action work grew with the
/// square of the input: 58 KB took 105 s, and a 235 KB hook payload timed
/// out and failed open. Each action now carries its own command's text.
#[test]
fn commands_inside_a_wrapper_carry_their_own_text() {
    let inner: Vec<String> = (0..400).map(|i| format!("ls /tmp/d{i} -la x{i}")).collect();
    for wrapper in ["ssh forum.gitlab.com", "bash -c", "sudo sh -c"] {
        let input = format!("{wrapper} '{}; rm -rf /srv'", inner.join("; "));
        let analysis = analyze_shell(&input);
        let total: usize = analysis.actions.iter().map(|a| a.text.len()).sum();
        assert!(total <= input.len(), "{wrapper}: {total} bytes of action text for {} of input", input.len());
        let rm = analysis.actions.iter().find(|a| a.tool == "rm").expect("the rm at the end is seen");
        assert_eq!(rm.text, "rm -rf /srv");
        // The span still cites the command as the agent wrote it.
        assert_eq!((rm.span.start, rm.span.end), (0, input.len()));
    }
}

/// Functions that each call the one before several times, and loops nested
/// in loops, multiply the commands to analyse: 290 bytes took 1.1 s, and a
/// little more would have outlasted the hook's deadline and failed open.
/// The analysis now stops after `MAX_STEPS` commands and says so.
#[test]
fn fan_out_through_functions_and_loops_is_bounded() {
    let mut functions = String::from("f0(){ rm -rf /srv; }; ");
    for i in 1..=6 {
        let calls = vec![format!("f{}", i - 1); 10].join("; ");
        functions.push_str(&format!("f{i}(){{ {calls}; }}; "));
    }
    functions.push_str("f6");
    let values: Vec<String> = (1..=16).map(|i| i.to_string()).collect();
    let mut loops = "rm -rf /srv/$a$b".to_string();
    for var in ["a", "b", "c", "d", "e", "f", "g"] {
        loops = format!("for {var} in {}; do {loops}; done", values.join(" "));
    }
    for input in [functions, loops] {
        let analysis = analyze_shell(&input);
        assert!(!analysis.complete, "{input}");
        assert!(
            analysis.problems.iter().any(|p| p.contains("commands (counting each loop pass")),
            "{:?}",
            analysis.problems
        );
        assert!(analysis.actions.iter().any(|a| a.tool == "rm"), "what was analysed is still reported");
    }
}

/// brush-parser's heredoc expansion backtracks exponentially on `$(` left
/// open inside quotes: `"$(a "${x[^/,}" ` four times in a heredoc took 4 s
/// in a release build, past the hook's deadline. Such a body (which bash
/// refuses) is read as it is, and the analysis says so.
#[test]
fn a_heredoc_with_parentheses_left_open_is_not_expanded() {
    let input = format!("cat <<E | psql -h db.prod\n{}\nE\nrm -rf /srv", "\"$(a \"${x[^/,}\" ".repeat(12));
    let analysis = analyze_shell(&input);
    assert!(!analysis.complete);
    assert!(analysis.problems.iter().any(|p| p.contains("left open")), "{:?}", analysis.problems);
    assert!(analysis.actions.iter().any(|a| a.tool == "psql") && analysis.actions.iter().any(|a| a.tool == "rm"));
    // Closed, the same text is expanded as usual.
    let closed = analyze_shell(&format!("cat <<E\n{}\nE", "\"$(echo \"${x}\")\" ".repeat(12)));
    assert!(!closed.problems.iter().any(|p| p.contains("heredoc")), "{:?}", closed.problems);
}

/// brush-parser backtracks exponentially on brackets left open in
/// parameter expansions (`${IFSarr[kill$R…`): this 809-byte word took 15 s
/// in a release build, past the hook's deadline. Like parentheses, more
/// than 8 left open skip the parser.
#[test]
fn many_unclosed_brackets_are_refused_before_the_parser() {
    let input = include_str!("fuzz/unclosed-brackets.sh");
    let analysis = analyze_shell(input);
    assert!(!analysis.complete);
    assert!(analysis.problems.iter().any(|p| p.contains("brackets left open")), "{:?}", analysis.problems);
    // A glob's brackets are closed, and reach the parser.
    assert!(analyze_shell("ls [ab]*.log ${a[1]}").complete);
}

/// The same backtracking with the brackets inside quotes nested in
/// `"$(cd "$(dirname "${X[…)}")"`, which a simple quote tracker misreads: a
/// libFuzzer timeout (over 10 s). Brackets are now counted inside quotes
/// too, and in heredoc bodies.
#[test]
fn brackets_left_open_inside_nested_quotes_are_refused_before_the_parser() {
    let analysis = analyze_shell(include_str!("fuzz/brackets-in-nested-quotes.sh"));
    assert!(!analysis.complete);
    assert!(analysis.problems.iter().any(|p| p.contains("brackets left open")), "{:?}", analysis.problems);
    // A heredoc body with a `${` left open: 910 ms in the fuzz build.
    let analysis = analyze_shell(include_str!("fuzz/heredoc-unclosed-brace.sh"));
    assert!(analysis.problems.iter().any(|p| p.contains("left open")), "{:?}", analysis.problems);
    let heredoc = format!("cat <<E | psql\n{}\nE", "${x[a ".repeat(12));
    let analysis = analyze_shell(&heredoc);
    assert!(analysis.problems.iter().any(|p| p.contains("left open")), "{:?}", analysis.problems);
}

/// `ln -t` with nothing after the value flag: the rename tracker sliced past
/// the end of the arguments and panicked (found by the CI fuzz smoke).
#[test]
fn a_value_flag_at_the_end_of_ln_does_not_panic() {
    for input in ["ln -t", "cp -m", "install -o", "sudo -u", "timeout -s", "ln -s -t"] {
        let analysis = analyze_shell(input);
        assert!(analysis.problems.iter().all(|p| !p.contains("panic")), "{input}: {:?}", analysis.problems);
    }
    // A complete rename is still followed.
    let analysis = analyze_shell("ln -s /bin/rm ./x && ./x -rf /srv");
    assert!(analysis.actions.iter().any(|a| a.tool == "rm"), "{:?}", analysis.actions);
}

/// Open finding (the 35-minute shell run of 2026-12-06): `ssh` whose remote
/// command holds `${SSH_COM[AND}` words left open takes about 9 s in a
/// release build, past the hook's deadline (the hook then fails open after
/// 4 s). Six brackets are left open, under the parser's limit of eight, and
/// neither the brackets alone nor `ssh` alone is slow. Ignored until fixed:
/// `cargo test -p lore-action --test fuzz_findings -- --ignored`.
#[test]
#[ignore = "open fuzz finding: about 9 s; see docs/fuzzing.md"]
fn ssh_with_brackets_left_open_in_its_remote_command_is_bounded() {
    let started = std::time::Instant::now();
    let analysis = analyze_shell(include_str!("fuzz/ssh-brackets-timeout.sh"));
    assert!(analysis.actions.iter().any(|a| a.tool == "ssh" || a.tool == "kubectl"), "{:?}", analysis.actions);
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "took {:?}", started.elapsed());
}
