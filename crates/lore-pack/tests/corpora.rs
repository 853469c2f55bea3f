//! lore on real public data (../shared/corpora): the graph, search and
//! ingestion properties the knowledge foundation must hold.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{build, config, source};
use lore_pack::query;
use lore_search::{SearchIndex, SearchRequest};
use lore_testkit::corpora;

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn online_boutique_graph_and_blast_radius() {
    let Some(corpora) = corpora() else { return };
    let built = build(config(vec![source(corpora.join("online-boutique"))]));
    let data = built.pack.data();

    let k8s_edges: Vec<_> =
        data.edges.iter().filter(|e| e.edge.provenance.source == lore_model::ArchivedSourceKind::Kubernetes).collect();
    assert_eq!(k8s_edges.len(), 17, "12 services' *_ADDR env vars, read once even though two files declare them");
    let dangling: Vec<&str> = data.dangling.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(dangling, vec!["shoppingassistantservice"]);

    let blast = query::blast(data, "productcatalogservice", None, 16).expect("known system");
    let depths: BTreeMap<String, u32> = blast.nodes.iter().map(|n| (n.system.clone(), n.depth)).collect();
    assert_eq!(
        depths.keys().cloned().collect::<BTreeSet<_>>(),
        set(&["checkoutservice", "frontend", "recommendationservice", "loadgenerator"])
    );
    assert_eq!(depths["loadgenerator"], 2, "loadgenerator reaches the catalog only through frontend");

    let blast = query::blast(data, "redis-cart", None, 16).expect("known system");
    let depths: BTreeMap<String, u32> = blast.nodes.iter().map(|n| (n.system.clone(), n.depth)).collect();
    assert_eq!(
        depths.keys().cloned().collect::<BTreeSet<_>>(),
        set(&["cartservice", "checkoutservice", "frontend", "loadgenerator"])
    );
    assert_eq!(depths["cartservice"], 1);
    let loadgen = blast.nodes.iter().find(|n| n.system == "loadgenerator").expect("present");
    assert_eq!(loadgen.path.first().map(String::as_str), Some("redis-cart"));
    assert!(loadgen.via.cite.contains("loadgenerator.yaml"), "each hop cites its evidence: {}", loadgen.via.cite);
}

fn gitlab_config(alias_postgres: bool) -> lore_ingest::Config {
    let corpora = corpora().expect("checked by caller");
    let mut docs = source(corpora.join("gitlab-runbooks/docs"));
    docs.kind = lore_ingest::SourceSetting::Markdown;
    let mut cfg = config(vec![source(corpora.join("gitlab-runbooks/services/service-catalog.yml")), docs]);
    if alias_postgres {
        cfg.aliases.insert("postgres".into(), "patroni".into());
    }
    cfg
}

#[test]
fn gitlab_catalog_is_messy_but_queryable() {
    if corpora().is_none() {
        return;
    }
    let built = build(gitlab_config(false));
    let data = built.pack.data();

    let redis = query::resolve(data, "redis").expect("redis is in the catalog");
    let direct: BTreeSet<String> = data.links[redis as usize]
        .dependents
        .iter()
        .filter_map(|e| {
            data.edges[e.to_native() as usize]
                .from_ix
                .as_ref()
                .map(|i| data.systems[i.to_native() as usize].id.to_string())
        })
        .collect();
    assert_eq!(direct, set(&["api", "console", "git", "gitaly", "kas", "mailroom", "sidekiq", "web"]));

    // gitaly depends on itself and sits in the cycle gitaly → frontend → git → gitaly.
    let blast = query::blast(data, "gitaly", None, 64).expect("known");
    let names: Vec<&str> = blast.nodes.iter().map(|n| n.system.as_str()).collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(names.len(), unique.len(), "no system is counted twice: {names:?}");
    assert!(!unique.contains("gitaly"), "a system is not its own dependent");
    assert!(blast.revisits > 0, "the cycle was met and cut");
    // The gate's cheap count agrees with the full blast radius, everywhere.
    for (ix, system) in data.systems.iter().enumerate() {
        let full = query::blast(data, system.id.as_str(), None, 16).expect("known");
        let (count, tier1) = query::blast_counts(data, ix as u32, 16);
        assert_eq!(count, full.nodes.len(), "{}", system.id);
        assert_eq!(tier1, full.critical, "{}", system.id);
    }
    assert!(unique.contains("frontend") && unique.contains("git"));

    // Without an alias, `postgres` is a dangling target whose dependents are still known.
    assert!(query::resolve(data, "postgres").is_none());
    let postgres = query::blast(data, "postgres", None, 16).expect("dangling names can be queried");
    assert!(!postgres.root_known);
    assert!(postgres.nodes.iter().any(|n| n.system == "api"));
    let dangling: BTreeSet<&str> = data.dangling.iter().map(|d| d.name.as_str()).collect();
    assert!(dangling.contains("postgres") && dangling.contains("elasticsearch") && dangling.contains("prometheus"));
    assert!(
        built.report.diagnostics.iter().any(|d| d.message.contains("names no service")),
        "null entries are reported"
    );
}

#[test]
fn an_alias_maps_postgres_to_patroni() {
    if corpora().is_none() {
        return;
    }
    let built = build(gitlab_config(true));
    let data = built.pack.data();
    assert_eq!(query::resolve(data, "postgres"), query::resolve(data, "patroni"));
    let blast = query::blast(data, "patroni", None, 16).expect("known");
    let names: BTreeSet<&str> = blast.nodes.iter().map(|n| n.system.as_str()).collect();
    assert!(names.contains("api") && names.contains("web") && names.contains("sidekiq"), "{names:?}");
    assert!(!data.dangling.iter().any(|d| d.name.as_str() == "postgres"));
}

/// Real operator questions and the runbook that answers each. Any listed file counts.
const QUESTIONS: [(&str, &[&str]); 12] = [
    ("how do I fail over the patroni primary", &["patroni/patroni-management.md"]),
    ("what must never be run on redis", &["redis/redis.md"]),
    ("postgres is running out of disk space", &["patroni/postgresql-disk-space.md"]),
    ("sidekiq queue is not being processed", &["sidekiq/sidekiq-queue-not-being-processed.md"]),
    ("how to rotate the gitaly token", &["gitaly/gitaly-token-rotation.md"]),
    (
        "deploy the CI runner fleet safely",
        &["ci-runners/linux/blue-green-deployment.md", "ci-runners/linux/manual-deployment.md"],
    ),
    (
        "block an abusive IP address at the load balancer",
        &["frontend/ban-netblocks-on-haproxy.md", "frontend/block-things-in-haproxy.md"],
    ),
    ("pgbouncer connection pool is saturated", &["pgbouncer/pgbouncer-saturation.md"]),
    ("restore a project that a user deleted", &["uncategorized/deleted-project-restore.md"]),
    ("transaction id wraparound alert fired", &["patroni/pg_xid_wraparound_alert.md"]),
    ("a git repository on gitaly is corrupted", &["gitaly/gitaly-repository-corruption.md"]),
    ("the whole site is down, where do I start", &["frontend/gitlab-com-is-down.md"]),
];

#[test]
fn search_finds_the_right_runbook_for_operator_questions() {
    if corpora().is_none() {
        return;
    }
    let built = build(gitlab_config(true));
    let index = SearchIndex::open(&built.pack.dir().join("index")).expect("index opens");
    let mut found = 0;
    let mut misses = Vec::new();
    for (question, expected) in QUESTIONS {
        let hits = index
            .search(&SearchRequest { text: question.into(), limit: 3, ..Default::default() })
            .expect("search")
            .hits;
        let hit = hits.iter().any(|h| expected.iter().any(|e| h.path.ends_with(e)));
        if hit {
            found += 1;
        } else {
            misses.push((question, hits.iter().map(|h| h.path.clone()).collect::<Vec<_>>()));
        }
        if question.contains("patroni primary") {
            assert!(hit, "{question}: {hits:#?}");
        }
    }
    assert!(found >= 10, "top-3 hits {found}/{}; misses: {misses:#?}", QUESTIONS.len());
    // A question that quotes a command finds the warning about it, cited at its line.
    let hits = index
        .search(&SearchRequest {
            text: "is it safe to run redis-cli monitor on a production redis".into(),
            limit: 3,
            ..Default::default()
        })
        .expect("search")
        .hits;
    let monitor = hits.iter().find(|h| h.path.ends_with("redis/redis.md")).expect("redis.md in top 3");
    assert!(monitor.line_start <= 136 && 136 <= monitor.line_end, "{monitor:?}");
    assert!(monitor.snippet.contains("MONITOR"), "{}", monitor.snippet);
}

#[test]
fn dfds_postmortems_become_incidents() {
    let Some(corpora) = corpora() else { return };
    let built = build(config(vec![source(corpora.join("dfds-postmortems"))]));
    let data = built.pack.data();
    let ids: BTreeSet<&str> = data.incidents.iter().map(|i| i.id.as_str()).collect();
    assert!(ids.len() >= 35, "{} incidents", ids.len());
    assert!(!ids.iter().any(|id| id.contains("yyyy")), "the template is not an incident");
    let pm = data.incidents.iter().find(|i| i.id.as_str() == "PM2019-010").expect("parsed");
    let pm: lore_model::Incident = query::owned(pm);
    assert_eq!(pm.date.map(|d| d.to_string()).as_deref(), Some("2019-12-04"));
    assert!(pm.summary.contains("deleted all the worker nodes"));
    assert!(!pm.lessons.is_empty());
    assert!(pm.trigger_text.as_deref().is_some_and(|t| t.contains("accidental execution")));
}

#[test]
fn otel_compose_keeps_depends_on_and_env_edges_apart() {
    let Some(corpora) = corpora() else { return };
    let built = build(config(vec![source(corpora.join("otel-demo"))]));
    let data = built.pack.data();
    assert!(
        built.report.diagnostics.iter().all(|d| d.severity != lore_model::Severity::Error),
        "{:?}",
        built.report.diagnostics
    );
    assert!(data.systems.len() >= 20, "{} systems", data.systems.len());
    let shipping = query::resolve(data, "shipping").expect("shipping");
    let deps: Vec<(String, String)> = data.links[shipping as usize]
        .dependencies
        .iter()
        .map(|e| {
            let edge = &data.edges[e.to_native() as usize].edge;
            (edge.to.to_string(), edge.via.to_string())
        })
        .collect();
    assert!(deps.iter().any(|(to, via)| to == "quote" && via.starts_with("env QUOTE_ADDR")), "{deps:?}");
    assert!(
        !deps.iter().any(|(to, via)| to == "quote" && via == "depends_on"),
        "the sources disagree, and both are kept"
    );
    assert!(deps.iter().any(|(_, via)| via == "depends_on"));
    let checkout = query::system(data, query::resolve(data, "checkout").expect("checkout"));
    assert_eq!(checkout.tier, Some(1), "service.criticality=critical");
}

#[test]
fn every_corpus_file_builds_without_a_panic() {
    let Some(corpora) = corpora() else { return };
    let built = build(config(vec![source(&corpora)]));
    let counts = &built.report.manifest.counts;
    assert!(counts.documents >= 700, "{counts:?}");
    assert!(counts.incidents >= 35 && counts.systems >= 50, "{counts:?}");
}
