//! The labelled command corpus (tests/commands.txt): every command with the
//! actions lore must understand in it, plus each simple case again inside the
//! wrappers agents use (sudo, bash -c, ssh, timeout, a chained safe command).
//!
//! Format, one case per `$` line:
//!
//! ```text
//! $ kubectl --context prod delete ns shop
//! = kubectl delete | delete | k8s:namespace/shop | context=prod namespace=implicit | flag…
//! ```
//!
//! Each `=` line is one expected action, in order: label (tool and
//! subcommands), class, targets (exact set, comma-separated; `-` for none,
//! `*` unchecked), env hints that must be present (`key=value`, with
//! `implicit` and `unknown` as values), flags that must be present.
//! `! incomplete` expects the analysis to say it could not finish.

use lore_action::{Action, Analysis, HintSource, analyze_shell};

struct Case {
    line: usize,
    command: String,
    expected: Vec<Expected>,
    incomplete: bool,
}

#[derive(Clone)]
struct Expected {
    label: String,
    class: String,
    targets: Option<Vec<String>>,
    env: Vec<String>,
    flags: Vec<String>,
}

fn load() -> Vec<Case> {
    let text = include_str!("commands.txt");
    let mut cases: Vec<Case> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(command) = line.strip_prefix("$ ") {
            cases.push(Case {
                line: i + 1,
                command: command.replace("\\n", "\n"),
                expected: Vec::new(),
                incomplete: false,
            });
        } else if let Some(spec) = line.strip_prefix("= ") {
            let fields: Vec<&str> = spec.split('|').map(str::trim).collect();
            let list = |i: usize| -> Vec<String> {
                fields.get(i).map(|f| f.split_whitespace().map(str::to_string).collect()).unwrap_or_default()
            };
            let targets = match fields.get(2).copied() {
                None | Some("*") => None,
                Some("-") | Some("") => Some(Vec::new()),
                Some(t) => Some(t.split(',').map(|s| s.trim().to_string()).collect()),
            };
            let case = cases.last_mut().unwrap_or_else(|| panic!("line {}: `=` before any `$`", i + 1));
            case.expected.push(Expected {
                label: fields[0].to_string(),
                class: fields.get(1).unwrap_or(&"").to_string(),
                targets,
                env: list(3),
                flags: list(4),
            });
        } else if line.trim() == "! incomplete"
            && let Some(case) = cases.last_mut()
        {
            case.incomplete = true;
        }
    }
    cases
}

fn env_tokens(action: &Action) -> Vec<String> {
    let mut out = Vec::new();
    let e = &action.env;
    for (key, hint) in e.named() {
        if let Some(hint) = hint {
            out.push(match hint.source {
                HintSource::Explicit => format!("{key}={}", hint.value.clone().unwrap_or_default()),
                HintSource::Implicit => format!("{key}=implicit"),
                HintSource::Unknown => format!("{key}=unknown"),
            });
        }
    }
    out.extend(e.hosts.iter().map(|h| format!("host={h}")));
    out.extend(e.terraform_var_files.iter().map(|f| format!("var-file={f}")));
    if !e.connection_strings.is_empty() {
        out.push("connection=yes".into());
    }
    out
}

fn check(command: &str, analysis: &Analysis, expected: &[Expected], incomplete: bool) -> Result<(), String> {
    let got: Vec<String> = analysis
        .actions
        .iter()
        .map(|a| format!("{} [{}] {:?}", a.label(), a.class, a.targets.iter().map(|t| t.short()).collect::<Vec<_>>()))
        .collect();
    if analysis.complete == incomplete {
        return Err(format!(
            "complete={} but expected {}; problems {:?}",
            analysis.complete, !incomplete, analysis.problems
        ));
    }
    if analysis.actions.len() != expected.len() {
        return Err(format!("{} actions, expected {}: {got:#?}", analysis.actions.len(), expected.len()));
    }
    for (action, want) in analysis.actions.iter().zip(expected) {
        if action.label() != want.label {
            return Err(format!("label `{}` != `{}`: {got:#?}", action.label(), want.label));
        }
        if action.class.as_str() != want.class {
            return Err(format!("{}: class {} != {}", want.label, action.class, want.class));
        }
        if let Some(targets) = &want.targets {
            let mut have: Vec<String> = action.targets.iter().map(|t| t.short()).collect();
            let mut want_targets = targets.clone();
            have.sort();
            want_targets.sort();
            if have != want_targets {
                return Err(format!("{}: targets {have:?} != {want_targets:?}", want.label));
            }
        }
        let env = env_tokens(action);
        for token in &want.env {
            if !env.contains(token) {
                return Err(format!("{}: env lacks {token}; has {env:?}", want.label));
            }
        }
        for flag in &want.flags {
            if !action.flags.contains(flag) {
                return Err(format!("{}: flags lack {flag}; have {:?}", want.label, action.flags));
            }
        }
    }
    let _ = command;
    Ok(())
}

/// Each single-action case again, as agents wrap it. The expectation is the
/// base case's, plus what the wrapper adds.
fn variants(case: &Case) -> Vec<(String, Vec<Expected>)> {
    let starts_with_assignment = case.command.split_whitespace().next().is_some_and(|w| w.contains('='));
    if case.expected.len() != 1
        || case.incomplete
        || starts_with_assignment
        || case.command.contains('\'')
        || case.command.contains('\n')
        || case.command.contains('$')
        || case.command.contains('#')
    {
        return Vec::new();
    }
    let base = &case.expected[0];
    let cmd = &case.command;
    let echo = Expected {
        label: "echo".into(),
        class: "read".into(),
        targets: Some(Vec::new()),
        env: Vec::new(),
        flags: Vec::new(),
    };
    let mut via_ssh = base.clone();
    via_ssh.env.push("host=bastion-1".into());
    vec![
        (format!("sudo {cmd}"), vec![base.clone()]),
        (format!("bash -c '{cmd}'"), vec![base.clone()]),
        (format!("ssh -i ~/.ssh/ops ops@bastion-1 '{cmd}'"), vec![via_ssh]),
        (format!("timeout 300 {cmd}"), vec![base.clone()]),
        (format!("echo starting && {cmd}"), vec![echo.clone(), base.clone()]),
        (format!("{cmd} ; echo done"), vec![base.clone(), echo]),
    ]
}

#[test]
fn labelled_commands() {
    let cases = load();
    let mut failures = Vec::new();
    let mut total = 0;
    for case in &cases {
        total += 1;
        let analysis = analyze_shell(&case.command);
        if let Err(err) = check(&case.command, &analysis, &case.expected, case.incomplete) {
            failures.push(format!("commands.txt:{}: `{}`\n    {err}", case.line, case.command));
        }
        for (command, expected) in variants(case) {
            total += 1;
            let analysis = analyze_shell(&command);
            if let Err(err) = check(&command, &analysis, &expected, false) {
                failures.push(format!("commands.txt:{} (variant): `{command}`\n    {err}", case.line));
            }
        }
    }
    assert!(total >= 600, "the corpus has {total} commands; at least 600 are required");
    assert!(failures.is_empty(), "{} of {total} commands misunderstood:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{total} labelled commands ({} written, the rest wrapped variants)", cases.len());
}
