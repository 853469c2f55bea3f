//! The labelled gate cases (tests/cases.txt): each an action, the knowledge
//! it is checked against, the expected verdict and the sources it must cite.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use lore_gate::{Context, GateConfig, ReasonKind, Verdict};
use lore_model::{Decision, Timestamp};
use lore_pack::Pack;

struct Packs {
    _dir: tempfile::TempDir,
    acme: PathBuf,
    tiny: PathBuf,
}

fn build(root: &Path, pack_dir: &Path) -> GateConfig {
    let config = lore_ingest::Config::load(&root.join("lore.toml")).expect("lore.toml");
    let gate = GateConfig::from_table(config.gate.as_ref()).expect("gate config");
    lore_testkit::build_pack(root, config, pack_dir, None);
    gate
}

fn packs() -> &'static Packs {
    static PACKS: OnceLock<Packs> = OnceLock::new();
    PACKS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let acme = dir.path().join("acme");
        let tiny = dir.path().join("tiny");
        build(&here.join("../../examples/acme"), &acme);
        build(&here.join("tests/knowledge/tiny"), &tiny);
        Packs { _dir: dir, acme, tiny }
    })
}

struct Setting {
    knowledge: String,
    now: Timestamp,
    vars: HashMap<String, String>,
}

fn parse_setting(line: &str, scratch: &Path) -> Setting {
    let mut words = line.split_whitespace();
    let knowledge = words.next().unwrap_or("none").to_string();
    let now = Timestamp::parse(words.next().unwrap_or("2026-11-28")).expect("date");
    // A home with no kubeconfig, so the machine's own never leaks in.
    let mut vars: HashMap<String, String> =
        HashMap::from([("HOME".to_string(), scratch.to_string_lossy().into_owned())]);
    for word in words {
        if let Some(context) = word.strip_prefix("kube=") {
            let path = scratch.join(format!("kubeconfig-{context}"));
            std::fs::write(&path, format!("apiVersion: v1\nkind: Config\ncurrent-context: {context}\n"))
                .expect("kubeconfig");
            vars.insert("KUBECONFIG".into(), path.to_string_lossy().into_owned());
        } else if let Some((k, v)) = word.split_once('=') {
            vars.insert(k.to_string(), v.to_string());
        }
    }
    Setting { knowledge, now, vars }
}

fn cited(verdict: &Verdict, token: &str) -> bool {
    let reasons = verdict.reasons();
    let reason = |kind: ReasonKind, id: &str| reasons.iter().any(|r| r.kind == kind && r.id.as_deref() == Some(id));
    match token.split_once(':') {
        Some(("rule", id)) => reason(ReasonKind::Rule, id),
        Some(("incident", id)) => reason(ReasonKind::Incident, id),
        Some(("freeze", id)) => reason(ReasonKind::Freeze, id),
        Some(("critical", id)) => reason(ReasonKind::CriticalSystem, id),
        Some(("exception", id)) => reason(ReasonKind::Exception, id),
        Some(("proposed", id)) => reason(ReasonKind::Proposed, id),
        Some(("system", id)) => verdict.actions.iter().any(|a| a.systems.iter().any(|s| s == id)),
        Some(("env", id)) => verdict.actions.iter().any(|a| a.environment.as_deref() == Some(id)),
        _ => {
            let kind = match token {
                "baseline" => ReasonKind::Baseline,
                "unknown-system" => ReasonKind::UnknownSystem,
                "stale" => ReasonKind::Stale,
                "incomplete" => ReasonKind::Incomplete,
                other => panic!("unknown token `{other}`"),
            };
            reasons.iter().any(|r| r.kind == kind)
        }
    }
}

#[test]
fn labelled_gate_cases() {
    let packs = packs();
    let acme = Pack::open(&packs.acme).expect("acme pack");
    let tiny = Pack::open(&packs.tiny).expect("tiny pack");
    let tiny_config = GateConfig { dependents_threshold: 2, ..GateConfig::default() };
    let scratch = tempfile::tempdir().expect("scratch");
    let text = include_str!("cases.txt");
    let mut setting = parse_setting("none", scratch.path());
    let mut input: Option<(usize, String, bool)> = None;
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut decisions: HashMap<Decision, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("@ ") {
            setting = parse_setting(rest, scratch.path());
        } else if let Some(sql) = line.strip_prefix("$sql ") {
            input = Some((i + 1, sql.to_string(), true));
        } else if let Some(command) = line.strip_prefix("$ ") {
            input = Some((i + 1, command.replace("\\n", "\n"), false));
        } else if let Some(expect) = line.strip_prefix("= ") {
            let Some((line_no, command, is_sql)) = input.take() else { panic!("cases.txt:{}: `=` without `$`", i + 1) };
            cases += 1;
            let (decision, tokens) = expect.split_once('|').unwrap_or((expect, ""));
            let want: Decision =
                serde_json::from_value(serde_json::Value::String(decision.trim().to_string())).expect("decision");
            let analysis =
                if is_sql { lore_action::analyze_sql(&command) } else { lore_action::analyze_shell(&command) };
            let ctx = Context::given(None, setting.vars.clone(), setting.now);
            let (pack, config) = match setting.knowledge.as_str() {
                "acme" => (Some(acme.data()), GateConfig::default()),
                "tiny" => (Some(tiny.data()), tiny_config.clone()),
                _ => (None, GateConfig::default()),
            };
            let verdict = lore_gate::check(pack, &analysis, &ctx, &config);
            *decisions.entry(verdict.decision).or_default() += 1;
            let mut problems = Vec::new();
            if verdict.decision != want {
                problems.push(format!("decision {} != {want}", verdict.decision));
            }
            for token in tokens.split_whitespace() {
                let (negated, token) = token.strip_prefix('!').map_or((false, token), |t| (true, t));
                if cited(&verdict, token) == negated {
                    problems.push(format!("{}{token}", if negated { "cites " } else { "does not cite " }));
                }
            }
            if !problems.is_empty() {
                let reasons: Vec<String> =
                    verdict.reasons().iter().map(|r| format!("{} {:?} {:?}", r.decision, r.kind, r.id)).collect();
                let envs: Vec<String> = verdict
                    .actions
                    .iter()
                    .map(|a| format!("{} env={:?} systems={:?}", a.action, a.environment, a.systems))
                    .collect();
                failures.push(format!(
                    "cases.txt:{line_no}: `{command}`: {}\n    reasons: {reasons:?}\n    actions: {envs:?}",
                    problems.join("; ")
                ));
            }
        }
    }
    assert!(cases >= 150, "{cases} cases; at least 150 are required");
    assert!(failures.is_empty(), "{} of {cases} cases failed:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{cases} gate cases: {decisions:?}");
}

/// Every reason says how far its fact can be trusted: reviewed when, declared
/// or observed, reviewed or proposed; lore's baseline says it is lore's.
#[test]
fn reasons_carry_the_trust_of_their_facts() {
    use lore_model::{Origin, ReviewState};
    let packs = packs();
    let scratch = tempfile::tempdir().expect("scratch");
    let check = |pack: &Pack, config: &GateConfig, command: &str| {
        let setting = parse_setting("acme 2026-11-28", scratch.path());
        let ctx = Context::given(None, setting.vars, setting.now);
        lore_gate::check(Some(pack.data()), &lore_action::analyze_shell(command), &ctx, config)
    };
    let acme = Pack::open(&packs.acme).expect("acme pack");
    let verdict = check(&acme, &GateConfig::default(), "kubectl --context prod-eu-1 delete ns payments");
    let reasons = verdict.reasons();
    let rule = reasons.iter().find(|r| r.kind == ReasonKind::Rule).expect("a rule");
    let trust = rule.trust.expect("trust");
    assert_eq!((trust.origin, trust.review), (Origin::Declared, ReviewState::Reviewed));
    assert_eq!(trust.reviewed.map(|d| d.to_string()).as_deref(), Some("2026-10-10"));
    let baseline = reasons.iter().find(|r| r.kind == ReasonKind::Baseline).expect("the baseline");
    assert_eq!(baseline.trust.map(|t| t.origin), Some(Origin::BuiltIn));
    assert!(reasons.iter().filter(|r| r.kind != ReasonKind::UnknownSystem).all(|r| r.trust.is_some()));

    let tiny = Pack::open(&packs.tiny).expect("tiny pack");
    let config = GateConfig { dependents_threshold: 2, ..GateConfig::default() };
    let verdict = check(&tiny, &config, "kubectl --context prod -n billing rollout restart deploy/billing");
    let proposed = verdict.reasons().into_iter().find(|r| r.kind == ReasonKind::Proposed).cloned().expect("proposed");
    assert_eq!(proposed.trust.map(|t| t.review), Some(ReviewState::Proposed));
    let verdict = check(
        &tiny,
        &config,
        "psql -h billing-db.prod.tiny.internal -d billing -c 'DELETE FROM invoices WHERE id = 1'",
    );
    let stale = verdict
        .reasons()
        .into_iter()
        .find(|r| r.id.as_deref() == Some("old-db-rule") && r.kind == ReasonKind::Rule)
        .cloned()
        .expect("stale rule");
    assert_eq!(stale.trust.map(|t| t.review), Some(ReviewState::Stale));
}
