//! Advisories mined from GitLab's runbooks reach the gate: an action on the
//! system that uses an advisory's terms is warned, citing the sentence.

use lore_gate::{Context, GateConfig, ReasonKind, Verdict};
use lore_model::{Decision, Timestamp};
use lore_pack::Pack;
use lore_testkit::{build_pack, corpora};

fn check(pack: &Pack, command: &str) -> Verdict {
    let ctx = Context::empty(Timestamp::parse("2026-11-28T10:00:00Z").expect("time"));
    lore_gate::check(Some(pack.data()), &lore_action::analyze_shell(command), &ctx, &GateConfig::default())
}

#[test]
fn gitlab_runbook_prohibitions_warn_on_matching_commands() {
    let Some(corpora) = corpora() else { return };
    let runbooks = corpora.join("gitlab-runbooks");
    let toml = format!(
        "[[source]]\npath = {:?}\n\n[[source]]\npath = {:?}\nkind = \"markdown\"\n",
        runbooks.join("services/service-catalog.yml").display().to_string(),
        runbooks.join("docs").display().to_string()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let config = lore_ingest::Config::parse(&toml, &dir.path().join("lore.toml")).expect("lore.toml");
    build_pack(&corpora, config, &dir.path().join(".lore"), None);
    let pack = Pack::open(&dir.path().join(".lore")).expect("pack");

    // The three prohibitions the runbooks are known for, each at its line.
    let mined: Vec<(String, u32, String)> = pack
        .data()
        .advisories
        .iter()
        .map(|a| (a.provenance.file.to_string(), a.provenance.line_start.to_native(), a.sentence.to_string()))
        .collect();
    for (file, line, words) in [
        ("gitlab-runbooks/docs/redis/redis.md", 136, "DO NOT USE MONITOR COMMAND! It streams back every command"),
        (
            "gitlab-runbooks/docs/patroni/postgresql-disk-space.md",
            55,
            "Do not under any circumstances remove any xlog files newer",
        ),
        (
            "gitlab-runbooks/docs/ci-runners/linux/blue-green-deployment.md",
            52,
            "NEVER DEPLOY THE WHOLE RUNNER FLEET AT ONCE",
        ),
        (
            "gitlab-runbooks/docs/ci-runners/linux/manual-deployment.md",
            157,
            "NEVER DEPLOY THE WHOLE RUNNER FLEET AT ONCE",
        ),
    ] {
        assert!(
            mined.iter().any(|(f, l, s)| f.ends_with(file) && *l == line && s.contains(words)),
            "{file}:{line} `{words}` not mined"
        );
    }
    assert!(mined.len() >= 20, "{} advisories from GitLab's runbooks", mined.len());

    let monitor = check(&pack, "redis-cli -h redis-01-db-gprd.c.gitlab-production.internal monitor");
    // Documented and forbidden in production: a human decides, with the quote.
    assert_eq!(monitor.decision, Decision::Ask, "{monitor:#?}");
    let documented =
        monitor.actions[0].reasons.iter().find(|r| r.kind == ReasonKind::Documented).expect("documented reason");
    assert!(
        documented.cite.as_deref().is_some_and(|c| c.ends_with("gitlab-runbooks/docs/redis/redis.md:136")),
        "{documented:?}"
    );
    let reason = monitor.actions[0].reasons.iter().find(|r| r.kind == ReasonKind::Advisory).expect("advisory reason");
    assert!(reason.message.contains("DO NOT USE MONITOR"), "{}", reason.message);
    assert!(reason.cite.as_deref().is_some_and(|c| c.contains("docs/redis/redis.md:")), "{reason:?}");
    assert!(monitor.actions[0].systems.contains(&"redis".to_string()));

    // The same host, a command no advisory names: nothing to warn about.
    let get = check(&pack, "redis-cli -h redis-01-db-gprd get some-key");
    assert!(get.actions[0].reasons.iter().all(|r| r.kind != ReasonKind::Advisory), "{get:#?}");
    // Advisories never ask or deny on their own.
    let keys = check(&pack, "redis-cli -h redis-01-db-gprd keys 'session:*'");
    let advisories: Vec<_> = keys.actions[0].reasons.iter().filter(|r| r.kind == ReasonKind::Advisory).collect();
    assert!(advisories.iter().any(|r| r.message.contains("KEYS")), "{keys:#?}");
    assert!(advisories.iter().all(|r| r.decision == Decision::Warn));
}
