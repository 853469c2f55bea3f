//! The operations layer on a writable copy of the example knowledge, as
//! every front end calls it: typed requests in, typed answers or typed
//! errors out.

use std::sync::OnceLock;

use lore_model::Decision;
use lore_service::evaluate::{self, Input, Request};
use lore_service::ops::{self, govern::Verdict};
use lore_service::{Error, Knowledge, Loaded, Origin};

struct Example {
    dir: tempfile::TempDir,
}

impl Example {
    fn new() -> Example {
        let dir = tempfile::tempdir().expect("tempdir");
        lore_testkit::example_copy(&dir.path().join("acme"), &dir.path().join("decisions.db"));
        Example { dir }
    }

    fn knowledge(&self) -> Knowledge {
        Knowledge::at(&self.dir.path().join("acme"), Origin::Flag).expect("the copy is knowledge")
    }

    fn loaded(&self) -> Loaded {
        let (loaded, _notes) = Loaded::open(self.knowledge(), None).expect("the example opens");
        loaded
    }
}

/// One copy for the read-only operations; tests that write make their own.
fn shared() -> &'static (Example, Loaded) {
    static SHARED: OnceLock<(Example, Loaded)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let example = Example::new();
        let loaded = example.loaded();
        (example, loaded)
    })
}

fn loaded() -> &'static Loaded {
    &shared().1
}

fn request(input: Input) -> Request<'static> {
    Request {
        input,
        cwd: None,
        agent: Some("test".into()),
        team: None,
        session: None,
        source: "test",
        vars: Some(Default::default()),
        example_rules: true,
        stale_check_every: None,
        deferred_log: false,
    }
}

#[test]
fn opening_a_pack_the_first_time_says_it_is_built() {
    let example = Example::new();
    let (_, notes) = Loaded::open(example.knowledge(), None).expect("opens");
    assert!(notes.iter().any(|n| n.contains("building the knowledge pack")), "{notes:?}");
    let (_, again) = Loaded::open(example.knowledge(), None).expect("opens");
    assert!(again.is_empty(), "a fresh pack opens silently: {again:?}");
}

#[test]
fn a_briefing_resolves_aliases_and_keeps_to_its_budget() {
    let request = ops::BriefRequest { system: "payments-db".into(), env: None, budget: 200_000 };
    let briefing = ops::brief(loaded(), &request).expect("payments-db is known");
    assert_eq!(briefing.system.id, "payments-db");
    assert!(briefing.rules.iter().any(|r| r.id == "payments-db-no-adhoc-writes"));
    let small = ops::brief(loaded(), &ops::BriefRequest { budget: 1, ..request.clone() }).expect("brief");
    let size = serde_json::to_string(&small).expect("json").len();
    assert!(size < serde_json::to_string(&briefing).expect("json").len(), "a budget below the range is the least one");
}

#[test]
fn an_unknown_system_is_not_found_with_suggestions() {
    let request = ops::BriefRequest { system: "payments-dbb".into(), env: None, budget: 4_000 };
    match ops::brief(loaded(), &request) {
        Err(Error::NotFound { suggestions, .. }) => assert!(suggestions.contains(&"payments-db".to_string())),
        other => panic!("expected not found, got {:?}", other.map(|b| b.system.id)),
    }
    let rules = ops::rules(loaded(), &ops::RulesRequest { system: Some("nope-nope".into()), env: None });
    assert!(matches!(rules, Err(Error::NotFound { .. })), "a rule listing checks its system too");
}

#[test]
fn the_blast_radius_walks_dependents_within_its_depth() {
    let deep =
        ops::blast(loaded(), &ops::BlastRequest { system: "payments-db".into(), env: None, depth: 16 }).expect("blast");
    assert!(!deep.nodes.is_empty(), "payments-db has dependents");
    assert!(deep.nodes.iter().all(|n| n.path.first().map(String::as_str) == Some("payments-db")));
    let shallow =
        ops::blast(loaded(), &ops::BlastRequest { system: "payments-db".into(), env: None, depth: 1 }).expect("blast");
    assert!(shallow.nodes.iter().all(|n| n.depth == 1));
    assert!(shallow.nodes.len() <= deep.nodes.len());
}

#[test]
fn search_cites_sections_pages_and_rejects_an_empty_query() {
    let request = ops::SearchRequest {
        text: "fail over the payments database".into(),
        system: None,
        kind: None,
        limit: 2,
        offset: 0,
    };
    let first = ops::search(loaded(), &request).expect("search");
    assert_eq!(first.results.hits.len(), 2);
    assert!(first.results.hits[0].path.contains("payments-db-failover"), "{:?}", first.results.hits[0].path);
    assert_eq!(first.next_offset, Some(2));
    let second = ops::search(loaded(), &ops::SearchRequest { offset: 2, ..request.clone() }).expect("page 2");
    assert!(second.results.hits.iter().all(|h| first.results.hits.iter().all(|f| f.path != h.path)));
    let empty = ops::search(loaded(), &ops::SearchRequest { text: "  ".into(), ..request });
    assert!(matches!(empty, Err(Error::Invalid(_))));
}

#[test]
fn rules_filter_by_the_same_scope_the_gate_uses() {
    let all = ops::rules(loaded(), &ops::RulesRequest::default()).expect("rules");
    let staging =
        ops::rules(loaded(), &ops::RulesRequest { system: None, env: Some("staging".into()) }).expect("rules");
    assert!(staging.iter().any(|r| r.id == "staging-restarts-allowed"));
    assert!(!staging.iter().any(|r| r.id == "no-delete-prod-namespaces"), "a production rule is not a staging one");
    assert!(staging.len() < all.len());
}

#[test]
fn records_are_shown_by_id_and_unknown_ones_are_not_found() {
    let shown = ops::show(loaded(), "rule:no-force-push-main").expect("the rule");
    assert_eq!(shown.kind, "rule");
    assert_eq!(shown.record["id"], "no-force-push-main");
    let incident = ops::incident(loaded(), "INC-2025-031").expect("the incident");
    assert_eq!(incident["id"], "INC-2025-031");
    match ops::incident(loaded(), "INC-2025-03") {
        Err(Error::NotFound { suggestions, .. }) => assert!(!suggestions.is_empty(), "close ids are suggested"),
        other => panic!("expected not found: {other:?}"),
    }
    assert!(!ops::systems(loaded()).expect("systems").is_empty());
    assert!(!ops::incidents(loaded(), None).expect("incidents").is_empty());
}

#[test]
fn a_runbook_section_is_read_from_its_file_with_its_citation() {
    let whole =
        ops::runbook(loaded(), &ops::RunbookRequest { id: Some("payments-db-failover".into()), ..Default::default() })
            .expect("runbook");
    assert!(whole.cite.starts_with("runbooks/payments-db-failover.md:1-"));
    let anchor = whole.sections.first().and_then(|s| s.split_once('#')).map(|(_, rest)| rest.split(' ').next());
    let anchor = anchor.flatten().expect("the runbook has sections").to_string();
    let section = ops::runbook(
        loaded(),
        &ops::RunbookRequest { id: Some(format!("payments-db-failover#{anchor}")), ..Default::default() },
    )
    .expect("section");
    assert!(section.text.len() <= whole.text.len());
    let neither = ops::runbook(loaded(), &ops::RunbookRequest::default());
    assert!(matches!(neither, Err(Error::Invalid(_))));
}

#[test]
fn assess_judges_without_logging_and_record_logs_with_the_pack_version() {
    let (example, loaded) = shared();
    let request = request(Input::Shell("kubectl --context prod-eu-1 delete ns payments".into()));
    let (analysis, mut verdict) = evaluate::assess(loaded.pack.as_ref(), &loaded.gate, &request, true);
    assert_eq!(verdict.decision, Decision::Deny);
    assert!(verdict.rule_ids().contains(&"no-delete-prod-namespaces".to_string()));
    assert_eq!(verdict.pack_version, loaded.version());
    let log = lore_log::open(&example.dir.path().join("assess.db")).expect("log");
    assert_eq!(log.count().expect("count"), 0, "assessing logs nothing");
    let id = evaluate::record(log.as_ref(), &request, &analysis, &mut verdict).expect("logged");
    let entries = log.query(&lore_log::Filter { limit: 10, ..Default::default() }).expect("query");
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].id, entries[0].decision.as_str()), (id, "deny"));
    assert_eq!(entries[0].pack_version, loaded.version());
}

/// A once-only approval by dana, for ten minutes from now.
fn once_by_dana() -> lore_log::Approval<'static> {
    let now = lore_model::Timestamp::now().0;
    lore_log::Approval { by: Some("dana"), why: None, now, expires_unix: now + 600, standing: false }
}

#[test]
fn an_approval_lets_an_ask_through_once_but_not_an_unapprovable_deny() {
    let (example, loaded) = shared();
    let log = lore_log::open(&example.dir.path().join("approvals.db")).expect("log");
    let ask = request(Input::Shell("terraform destroy".into()));
    let (analysis, mut verdict) = evaluate::assess(loaded.pack.as_ref(), &loaded.gate, &ask, true);
    assert!(verdict.decision >= Decision::Ask, "{:?}", verdict.decision);
    let id = evaluate::record(log.as_ref(), &ask, &analysis, &mut verdict).expect("logged");
    log.approve(id, &once_by_dana()).expect("approve");
    let (analysis, mut again) = evaluate::assess(loaded.pack.as_ref(), &loaded.gate, &ask, true);
    evaluate::record(log.as_ref(), &ask, &analysis, &mut again).expect("logged");
    assert_eq!(again.decision, Decision::Allow, "approved once");
    let (analysis, mut third) = evaluate::assess(loaded.pack.as_ref(), &loaded.gate, &ask, true);
    evaluate::record(log.as_ref(), &ask, &analysis, &mut third).expect("logged");
    assert!(third.decision >= Decision::Ask, "an approval is used up");

    let root = request(Input::Shell("rm -rf /".into()));
    let (analysis, mut verdict) = evaluate::assess(loaded.pack.as_ref(), &loaded.gate, &root, true);
    let id = evaluate::record(log.as_ref(), &root, &analysis, &mut verdict).expect("logged");
    log.approve(id, &once_by_dana()).expect("approve");
    let (analysis, mut again) = evaluate::assess(loaded.pack.as_ref(), &loaded.gate, &root, true);
    evaluate::record(log.as_ref(), &root, &analysis, &mut again).expect("logged");
    assert_eq!(again.decision, Decision::Deny, "no approval lifts rm -rf /");
}

#[test]
fn without_a_pack_a_destructive_action_fails_closed_on_production() {
    let request = request(Input::Shell("kubectl --context prod-eu-1 delete deployment api".into()));
    let config = lore_gate::GateConfig::default();
    let (_, verdict) = evaluate::assess(None, &config, &request, true);
    assert!(verdict.decision >= Decision::Ask, "{:?}", verdict.decision);
    let (_, read) = evaluate::assess(None, &config, &self::request(Input::Shell("kubectl get pods".into())), true);
    assert_eq!(read.decision, Decision::Allow);
}

#[test]
fn the_decision_log_answers_by_filter_and_approves_by_id() {
    let example = Example::new();
    let flag = example.dir.path().join("acme");
    let outcome = evaluate::evaluate(Some(&flag), request(Input::Shell("terraform destroy".into())));
    let id = outcome.decision_id.expect("logged");
    let answer = ops::log(Some(&flag), ops::LogRequest { since: Some("1h".into()), limit: 5, ..Default::default() })
        .expect("log");
    assert!(answer.entries.iter().any(|e| e.id == id));
    assert!(matches!(
        ops::log(Some(&flag), ops::LogRequest { since: Some("yesterday-ish".into()), ..Default::default() }),
        Err(Error::Invalid(_))
    ));
    let approve = |decision, minutes, standing| ops::ApproveRequest {
        decision,
        by: Some("dana".into()),
        why: Some("change 4411".into()),
        minutes,
        standing,
    };
    let approved = ops::approve(Some(&flag), &approve(ops::DecisionRef::Id(id), Some(5), false)).expect("approved");
    assert_eq!((approved.input.as_str(), approved.minutes, approved.standing), ("terraform destroy", 5, false));
    let uid = answer.entries.iter().find(|e| e.id == id).map(|e| ops::DecisionRef::Uid(e.uid.clone()));
    let standing = ops::approve(Some(&flag), &approve(uid.expect("uid"), None, true)).expect("by uid");
    assert_eq!((standing.decision_id, standing.minutes), (id, ops::decisions::STANDING_MINUTES));
    let missing = ops::approve(Some(&flag), &approve(ops::DecisionRef::Id(999_999), Some(5), false));
    assert!(matches!(missing, Err(Error::NotFound { .. })));
    for (minutes, standing) in [(0, false), (24 * 60 + 1, false), (90 * 24 * 60 + 1, true)] {
        let refused = ops::approve(Some(&flag), &approve(ops::DecisionRef::Id(id), Some(minutes), standing));
        assert!(matches!(refused, Err(Error::Invalid(_))), "{minutes} minutes, standing {standing}: {refused:?}");
    }
}

#[test]
fn a_proposal_is_written_unreviewed_then_approved_into_the_knowledge() {
    let example = Example::new();
    let loaded = example.loaded();
    let proposal = ops::ProposeRequest {
        kind: "rule".into(),
        system: "payments-db".into(),
        statement: "Never VACUUM FULL the payments database in business hours".into(),
        why: "It locks the table; checkout stalls".into(),
        decision: Some("ask".into()),
        commands: vec!["psql * vacuum full*".into()],
        proposed_by: "an agent".into(),
        ..Default::default()
    };
    let proposed = ops::propose(&loaded, proposal.clone()).expect("proposed");
    assert!(proposed.new && proposed.path.starts_with("proposals/"), "{proposed:?}");
    assert!(!ops::propose(&loaded, proposal.clone()).expect("again").new, "the same proposal twice is one");
    let bad = ops::propose(&loaded, ops::ProposeRequest { decision: Some("allow".into()), ..proposal });
    assert!(matches!(bad, Err(Error::Invalid(_))));

    let after = example.loaded();
    let pending = ops::proposals(&after).expect("proposals");
    assert!(pending.iter().any(|p| p.id == proposed.id), "the rebuilt pack lists it for review");
    let request = ops::ReviewRequest {
        id: proposed.id.clone(),
        verdict: Verdict::Approve { to: None },
        by: "dana".into(),
        why: Some("seen in INC-2024-027".into()),
    };
    let reviewed = ops::review(&example.knowledge(), request).expect("approved");
    assert!(reviewed.decided.written.is_some() && reviewed.loaded && reviewed.notes.is_empty(), "{reviewed:?}");
    let knowledge = example.knowledge();
    let store = lore_log::open(&knowledge.log_path()).expect("the log");
    let kept = ops::reviews(&knowledge, store.as_ref(), 10).expect("reviews");
    assert_eq!(kept.len(), 1, "the decision is kept in the store too: {kept:?}");
    assert_eq!((kept[0].verdict.as_str(), kept[0].by.as_str()), ("approved", "dana"));
    assert_eq!(kept[0].why.as_deref(), Some("seen in INC-2024-027"));
    let again = ops::review(
        &example.knowledge(),
        ops::ReviewRequest { id: proposed.id, verdict: Verdict::Reject, by: "dana".into(), why: Some("x".into()) },
    );
    assert!(matches!(again, Err(Error::NotFound { .. })), "a decided proposal is no longer pending");
}

#[test]
fn the_example_refuses_writes_and_history_keeps_versions() {
    let example = Example::new();
    let mut knowledge = example.knowledge();
    knowledge.origin = Origin::Example;
    let promote = ops::PromoteRequest { id: "ADV-1".into(), decision: Decision::Warn, to: None };
    assert!(matches!(ops::promote(&knowledge, &promote), Err(Error::Invalid(_))));

    let loaded = example.loaded();
    match ops::history(&loaded, "rule:no-force-push-main", None).expect("history") {
        ops::History::All(versions) => assert_eq!(versions.len(), 1),
        other => panic!("expected every version: {other:?}"),
    }
    assert!(matches!(ops::history(&loaded, "rule:no-force-push-main", Some("soon")), Err(Error::Invalid(_))));
    assert!(matches!(ops::history(&loaded, "rule:no-such-rule", None), Err(Error::NotFound { .. })));
}

#[test]
fn lint_and_health_report_on_the_example() {
    let report = ops::lint(loaded()).expect("lint");
    let json = serde_json::to_value(&report).expect("json");
    assert!(json.is_object());
    let example = Example::new();
    let home = tempfile::tempdir().expect("home");
    let health = ops::health(Some(&example.dir.path().join("acme")), home.path(), home.path());
    let names: Vec<&str> = health.checks.iter().map(|c| c.check.as_str()).collect();
    let expected: &[&str] = if cfg!(all(target_os = "linux", target_env = "gnu")) {
        &["knowledge", "decision log", "binary", "hooks"]
    } else {
        &["knowledge", "decision log", "hooks"]
    };
    assert_eq!(names, expected, "no agent has the hook in an empty home");
    assert!(health.healthy, "a missing hook is a hint, not a failure: {:?}", health.checks);
}

#[test]
fn install_merges_the_hook_and_a_dry_run_writes_nothing() {
    let home = tempfile::tempdir().expect("home");
    let request = ops::InstallRequest {
        agent: ops::agents::agent("claude-code").expect("known agent"),
        scope: lore_hooks::Scope::Project,
        binary: "/usr/local/bin/lore".into(),
        home: home.path().to_path_buf(),
        project: home.path().to_path_buf(),
        dry_run: true,
    };
    let dry = ops::install(&request).expect("dry run");
    assert!(!dry.written && !dry.path.exists() && dry.text.contains("/usr/local/bin/lore"));
    let done = ops::install(&ops::InstallRequest { dry_run: false, ..request.clone() }).expect("install");
    assert!(done.path.is_file());
    std::fs::write(&done.path, "{ not json").expect("break it");
    assert!(
        matches!(ops::install(&request), Err(Error::Malformed { .. })),
        "a broken config is named, not overwritten"
    );
    assert!(matches!(ops::agents::agent("notepad"), Err(Error::Invalid(_))));
}

#[test]
fn a_check_on_loaded_knowledge_logs_it_and_says_when_it_cannot() {
    let (example, loaded) = shared();
    let log = evaluate::SharedLog::open(&example.dir.path().join("shared.db"));
    let request = request(Input::Shell("kubectl --context prod-eu-1 delete ns payments".into()));
    let answer = evaluate::check_loaded(loaded, &log, &request, false);
    assert_eq!(answer.decision, Decision::Deny);
    assert!(answer.decision_id.is_some() && answer.notes.is_empty(), "{:?}", answer.notes);
    assert!(answer.approve.as_deref().is_some_and(|a| a.contains("lore approve")));
    assert!(answer.verdict.is_none(), "the full verdict only on request");
    assert!(evaluate::check_loaded(loaded, &log, &request, true).verdict.is_some());

    let nowhere = evaluate::SharedLog::open(std::path::Path::new("/proc/no-such-dir/decisions.db"));
    let unlogged = evaluate::check_loaded(loaded, &nowhere, &request, false);
    assert_eq!(unlogged.decision, Decision::Deny, "a log that fails never changes the decision");
    assert!(unlogged.decision_id.is_none());
    assert!(unlogged.notes.iter().any(|n| n.starts_with("decision not logged")), "{:?}", unlogged.notes);
    assert!(matches!(Input::of_kind("yaml", String::new()), Err(Error::Invalid(_))));
}
