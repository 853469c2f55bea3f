//! The same tests against every store: the embedded SQLite log and, when
//! `LORE_TEST_POSTGRES_URL` names a server (CI starts one with
//! scripts/pg-test-server.sh), PostgreSQL, each test in a fresh database.

use std::collections::HashSet;

use lore_log::{
    Approval, Current, DecisionLog, Decisions, Filter, Granted, Handled, LogError, NewRecord, Pending, PgStore,
    ProposalDecision, Rejection, Store, Written,
};

/// A store to test, and its name.
type Named = (&'static str, Box<dyn Store>);

/// Every store to test; the temp directory keeps SQLite's file.
fn stores() -> (tempfile::TempDir, Vec<Named>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut stores: Vec<Named> =
        vec![("sqlite", Box::new(DecisionLog::open(&dir.path().join("decisions.db")).expect("sqlite")))];
    if let Some(admin) = lore_testkit::postgres_server() {
        let url = lore_testkit::fresh_database(&admin);
        stores.push(("postgres", Box::new(PgStore::open(&url, "LORE_TEST_POSTGRES_URL").expect("postgres"))));
    }
    (dir, stores)
}

fn record(input: &str, decision: &str, ts: i64) -> NewRecord {
    NewRecord {
        ts_unix: ts,
        source: "test".into(),
        agent: Some("claude-code".into()),
        session: Some("s1".into()),
        input: input.into(),
        input_kind: "shell".into(),
        actions: "[]".into(),
        decision: decision.into(),
        reasons: "[{\"decision\":\"deny\"}]".into(),
        systems: vec!["payments-db".into(), "ledger".into()],
        rule_ids: vec!["no-rm".into()],
        ..NewRecord::default()
    }
}

#[test]
fn decisions_are_appended_filtered_and_read_back_alike() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let denied = store.append(&record("rm -rf /", "deny", 1_000)).expect("append");
        store.append(&record("ls", "allow", 2_000)).expect("append");
        assert_eq!(store.count().expect("count"), 2, "{name}");
        let entry = store.get(denied).expect("get").expect("the denied decision");
        assert_eq!((entry.input.as_str(), entry.decision.as_str()), ("rm -rf /", "deny"), "{name}");
        assert_eq!(entry.systems, ["payments-db", "ledger"], "{name}");
        assert_eq!(entry.reasons[0]["decision"], "deny", "{name}: reasons come back as JSON");
        assert!(store.get(denied + 1_000).expect("get").is_none(), "{name}");
        let only = |filter: Filter| store.query(&filter).expect("query").len();
        assert_eq!(only(Filter { decision: Some("deny".into()), ..Filter::default() }), 1, "{name}");
        assert_eq!(only(Filter { since_unix: Some(1_500), ..Filter::default() }), 1, "{name}");
        assert_eq!(only(Filter { system: Some("ledger".into()), ..Filter::default() }), 2, "{name}");
        assert_eq!(only(Filter { system: Some("ledge".into()), ..Filter::default() }), 0, "{name}: whole names");
        assert_eq!(only(Filter { agent: Some("codex".into()), ..Filter::default() }), 0, "{name}");
        let newest = store.query(&Filter { limit: 1, ..Filter::default() }).expect("query");
        assert_eq!(newest[0].input, "ls", "{name}: newest first");
        let next = store.query(&Filter { before_id: Some(newest[0].id), ..Filter::default() }).expect("query");
        assert!(next.iter().all(|e| e.id < newest[0].id), "{name}: a page follows the one before");
        assert_eq!(next.len() + 1, store.count().expect("count") as usize, "{name}: pages cover the log");
        assert_eq!(store.get(next[0].id).expect("get").map(|e| e.uid), Some(next[0].uid.clone()), "{name}");
        assert!(store.mark_executed(Some("s1"), "ls").expect("mark"), "{name}");
        assert!(!store.mark_executed(Some("other"), "ls").expect("mark"), "{name}: sessions are kept apart");
        assert!(store.query(&Filter { limit: 1, ..Filter::default() }).expect("q")[0].executed, "{name}");
    }
}

#[test]
fn ids_are_unique_and_approvals_are_used_once_and_expire() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let ids: Vec<i64> =
            (0..20).map(|i| store.append(&record("terraform destroy", "ask", i)).expect("append")).collect();
        let uids: HashSet<String> =
            store.query(&Filter { limit: 100, ..Filter::default() }).expect("q").into_iter().map(|e| e.uid).collect();
        assert_eq!(uids.len(), 20, "{name}: every decision has its own uid");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 20, "{name}");
        let id = ids[0];
        let once =
            Approval { by: Some("dana"), why: Some("change 4411"), now: 1_000, expires_unix: 1_600, standing: false };
        assert_eq!(store.approve(id, &once).expect("approve").as_deref(), Some("terraform destroy"));
        let granted = store.take_approval("terraform destroy", 1_100).expect("take");
        let expected =
            Granted { decision: id, by: Some("dana".into()), why: Some("change 4411".into()), standing: false };
        assert_eq!(granted, Some(expected), "{name}");
        assert_eq!(store.take_approval("terraform destroy", 1_100).expect("take"), None, "{name}: once");
        store.approve(id, &Approval { by: None, why: None, ..once }).expect("approve");
        assert_eq!(store.take_approval("terraform destroy", 1_601).expect("take"), None, "{name}: expired");
        assert_eq!(store.approve(999_999, &once).expect("approve"), None, "{name}: no such decision");
    }
}

#[test]
fn approvals_and_rejections_are_found_by_decision() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let approved = store.append(&record("terraform destroy", "ask", 10)).expect("append");
        let rejected = store.append(&record("kubectl delete ns payments", "deny", 11)).expect("append");
        let untouched = store.append(&record("helm uninstall web", "ask", 12)).expect("append");
        let once =
            Approval { by: Some("dana"), why: Some("change 4411"), now: 100, expires_unix: 700, standing: false };
        store.approve(approved, &once).expect("approve");
        let no = Rejection { by: Some("erin"), why: "not during the freeze", now: 200 };
        assert_eq!(store.reject(rejected, &no).expect("reject").as_deref(), Some("kubectl delete ns payments"));
        assert_eq!(store.reject(999_999, &no).expect("reject"), None, "{name}: no such decision");
        let handled = store.handled(&[approved, rejected, untouched]).expect("handled");
        let rejection = Handled {
            decision_id: rejected,
            verdict: "rejected".into(),
            standing: false,
            by: Some("erin".into()),
            why: Some("not during the freeze".into()),
            ts_unix: 200,
        };
        let approval = Handled {
            decision_id: approved,
            verdict: "approved".into(),
            standing: false,
            by: Some("dana".into()),
            why: Some("change 4411".into()),
            ts_unix: 100,
        };
        assert_eq!(handled, vec![rejection, approval], "{name}: newest first, nothing for the untouched one");
        assert!(store.handled(&[]).expect("handled").is_empty(), "{name}");
        // A rejection leaves the approvals of the same input alone.
        assert!(store.take_approval("terraform destroy", 150).expect("take").is_some(), "{name}");
    }
}

#[test]
fn a_standing_approval_holds_until_it_expires_and_is_taken_before_a_once_only_one() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let id = store.append(&record("helm rollback payments", "ask", 1)).expect("append");
        let once = Approval { by: Some("dana"), why: None, now: 1_000, expires_unix: 5_000, standing: false };
        store.approve(id, &once).expect("approve once");
        let standing =
            Approval { by: Some("sam"), why: Some("release week"), expires_unix: 2_000, standing: true, ..once };
        store.approve(id, &standing).expect("approve standing");
        for _ in 0..3 {
            let granted = store.take_approval("helm rollback payments", 1_500).expect("take").expect("granted");
            assert!(granted.standing && granted.by.as_deref() == Some("sam"), "{name}: standing, every time");
        }
        let after = store.take_approval("helm rollback payments", 2_001).expect("take").expect("the once-only one");
        assert!(!after.standing && after.by.as_deref() == Some("dana"), "{name}: the once-only one was kept");
        assert_eq!(store.take_approval("helm rollback payments", 2_001).expect("take"), None, "{name}");
        let uid = store.get(id).expect("get").expect("entry").uid;
        assert_eq!(store.find_uid(&uid).expect("find"), Some(id), "{name}");
        store.approve(id, &Approval { expires_unix: 9_000, ..standing }).expect("approve standing again");
        assert_eq!(store.revoke(id, 2_100).expect("revoke"), Some(1), "{name}: one approval could still hold");
        assert_eq!(store.take_approval("helm rollback payments", 2_200).expect("take"), None, "{name}: revoked");
        assert_eq!(store.revoke(999_999, 2_100).expect("revoke"), None, "{name}: no such decision");
        assert_eq!(store.find_uid("no-such-uid").expect("find"), None, "{name}");
    }
}

fn current(id: &str, hash: &str) -> Current {
    Current {
        kind: "rule".into(),
        id: id.into(),
        hash: hash.into(),
        record: format!("{{\"id\":\"{id}\"}}"),
        cite: "rules/x.md:1".into(),
        valid_from: None,
        valid_until: None,
    }
}

#[test]
fn history_is_learned_changed_and_retired_alike() {
    let (_dir, mut stores) = stores();
    for (name, store) in &mut stores {
        let first = store.sync_history("/k", &[current("a", "1"), current("b", "1")], "v1", 100).expect("sync");
        assert_eq!((first.learned, first.changed, first.retired), (2, 0, 0), "{name}");
        let second = store.sync_history("/k", &[current("a", "2")], "v2", 200).expect("sync");
        assert_eq!((second.learned, second.changed, second.retired), (0, 1, 1), "{name}");
        assert_eq!(store.synced_version("/k").expect("synced").as_deref(), Some("v2"), "{name}");
        let versions = store.history("/k", Some("rule"), "A").expect("history");
        assert_eq!(versions.len(), 2, "{name}: both versions, found ignoring case");
        assert!(versions[0].believed_at(150) && !versions[0].believed_at(250), "{name}");
        assert!(store.has_history("/k").expect("has") && !store.has_history("/other").expect("has"), "{name}");
    }
}

#[test]
fn one_approval_is_taken_once_by_racing_replicas() {
    let Some(admin) = lore_testkit::postgres_server() else { return };
    let url = lore_testkit::fresh_database(&admin);
    let store = std::sync::Arc::new(PgStore::open(&url, "test").expect("postgres"));
    let id = store.append(&record("kubectl delete ns payments", "deny", 1)).expect("append");
    let once = Approval { by: Some("dana"), why: None, now: 1_000, expires_unix: 1_600, standing: false };
    store.approve(id, &once).expect("approve");
    let replicas: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let replica = PgStore::open(&url, "test").expect("replica");
                replica.take_approval("kubectl delete ns payments", 1_100).expect("take").is_some()
            })
        })
        .collect();
    let taken = replicas.into_iter().map(|r| r.join().expect("replica")).filter(|t| *t).count();
    assert_eq!(taken, 1, "an approval made once lets one action through, whichever replica asks");
}

#[test]
fn delivery_is_idempotent_by_uid() {
    let Some(admin) = lore_testkit::postgres_server() else { return };
    let store = PgStore::open(&lore_testkit::fresh_database(&admin), "test").expect("postgres");
    let uid = lore_log::new_uid();
    assert!(store.deliver(&uid, &record("ls", "allow", 5)).expect("deliver"));
    assert!(!store.deliver(&uid, &record("ls", "allow", 5)).expect("again"), "a second delivery changes nothing");
    assert_eq!(store.count().expect("count"), 1);
    assert_eq!(store.query(&Filter::default()).expect("q")[0].uid, uid);
}

#[test]
fn bad_urls_name_the_setting_and_never_the_password() {
    let Some(admin) = lore_testkit::postgres_server() else { return };
    let message = |url: &str| match PgStore::open(url, "LORE_STORE_URL") {
        Err(err @ LogError::Store { .. }) => err.to_string(),
        Err(other) => panic!("expected a store error for {url}: {other}"),
        Ok(_) => panic!("{url} should not open"),
    };
    let malformed = message("postgres://lore:hunter2@[::1:bad/lore");
    assert!(malformed.contains("LORE_STORE_URL") && !malformed.contains("hunter2"), "{malformed}");
    let wrong = admin.replacen(":lore-test@", ":not-the-password@", 1);
    assert_ne!(wrong, admin, "the test URL carries the test password");
    let refused = message(&wrong);
    assert!(refused.contains("LORE_STORE_URL") && !refused.contains("not-the-password"), "{refused}");
    assert!(refused.contains("password") || refused.contains("authentication"), "says why: {refused}");
    let unreachable = message("postgres://lore:hunter2@127.0.0.1:1/lore?connect_timeout=2");
    assert!(unreachable.contains("cannot connect") && !unreachable.contains("hunter2"), "{unreachable}");
}

#[test]
fn shipping_delivers_each_local_decision_exactly_once() {
    let (dir, stores) = stores();
    for (name, shared) in &stores {
        let local = DecisionLog::open(&dir.path().join(format!("local-{name}.db"))).expect("local log");
        for i in 0..1_200 {
            local.append(&record(&format!("kubectl get pods -n ns{i}"), "allow", i)).expect("append");
        }
        let before = shared.count().expect("count");
        // A delivery cut short: some arrived, none marked.
        for (uid, record) in local.undelivered(7).expect("undelivered") {
            shared.deliver(&uid, &record).expect("deliver");
        }
        let shipped = lore_log::ship(&local, shared.as_ref(), 10_000).expect("ship");
        assert_eq!((shipped.delivered, shipped.already_there), (1_193, 7), "{name}");
        assert_eq!(shared.count().expect("count") - before, 1_200, "{name}: every decision once");
        assert_eq!(lore_log::ship(&local, shared.as_ref(), 10_001).expect("again"), lore_log::Shipped::default());
        let local_uids: HashSet<String> =
            local.query(&Filter { limit: 5_000, ..Filter::default() }).expect("q").into_iter().map(|e| e.uid).collect();
        let shared_uids: HashSet<String> = shared
            .query(&Filter { limit: 5_000, ..Filter::default() })
            .expect("q")
            .into_iter()
            .map(|e| e.uid)
            .collect();
        assert!(local_uids.is_subset(&shared_uids), "{name}: delivered under their own uids");
    }
}

#[test]
fn proposal_decisions_are_kept_per_knowledge_newest_first() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let decision = |proposal: &str, verdict: &str, ts_unix| ProposalDecision {
            knowledge: "/k".into(),
            proposal: proposal.into(),
            verdict: verdict.into(),
            by: "dana".into(),
            why: Some("seen in INC-7".into()),
            ts_unix,
            written: (verdict == "approved").then(|| "notes/payments-db/PROP-1.md".into()),
        };
        store.record_review(&decision("PROP-1", "approved", 10)).expect("record");
        store.record_review(&decision("PROP-2", "rejected", 20)).expect("record");
        store
            .record_review(&ProposalDecision { knowledge: "/other".into(), ..decision("PROP-3", "rejected", 30) })
            .expect("record");
        let reviews = store.reviews("/k", 10).expect("reviews");
        assert_eq!(reviews, vec![decision("PROP-2", "rejected", 20), decision("PROP-1", "approved", 10)], "{name}");
        assert_eq!(store.reviews("/k", 1).expect("reviews").len(), 1, "{name}");
    }
}

#[test]
fn a_batch_is_written_as_each_caller_would_write_it() {
    let (_dir, stores) = stores();
    for (name, store) in &stores {
        let asked = store.append(&record("terraform destroy", "ask", 1)).expect("append");
        let once = Approval { by: Some("dana"), why: None, now: 1_000, expires_unix: 1_600, standing: false };
        store.approve(asked, &once).expect("approve");
        let pending = |input: &str, approvable| Pending {
            uid: lore_log::new_uid(),
            record: record(input, if approvable { "ask" } else { "allow" }, 2),
            approvable,
        };
        let batch = [
            pending("ls", false),
            pending("terraform destroy", true),
            pending("terraform destroy", true),
            pending("terraform destroy", false),
            pending("kubectl delete ns x", true),
        ];
        let written = store.write_batch(&batch, 1_100).expect("batch");
        assert!(matches!(written[1], Written::Approved(ref g) if g.decision == asked), "{name}: {written:?}");
        let logged: Vec<usize> =
            written.iter().enumerate().filter(|(_, w)| matches!(w, Written::Logged(_))).map(|(i, _)| i).collect();
        assert_eq!(logged, vec![0, 2, 3, 4], "{name}: the once-only approval lifts one decision: {written:?}");
        for (i, w) in written.iter().enumerate() {
            if let Written::Logged(id) = w {
                assert_eq!(store.get(*id).expect("get").map(|e| e.uid), Some(batch[i].uid.clone()), "{name}");
            }
        }
        assert_eq!(store.count().expect("count"), 5, "{name}: the approved one is not logged");
        assert!(store.write_batch(&[], 1_100).expect("empty").is_empty(), "{name}");
    }
}
