//! `lint` on the example knowledge and on the real GitLab service catalog.

use std::path::Path;

use lore_govern::{Finding, Report, lint};
use lore_model::{Day, Severity};
use lore_pack::Pack;
use lore_testkit::{build_pack, corpora};

/// Builds a pack from `lore_toml` (text) rooted at `root`, into a temporary directory.
fn lint_knowledge(root: &Path, lore_toml: &str, today: &str) -> Report {
    let config = lore_ingest::Config::parse(lore_toml, &root.join("lore.toml")).expect("lore.toml");
    let packs = tempfile::tempdir().expect("tempdir");
    build_pack(root, config, &packs.path().join(".lore"), None);
    let pack = Pack::open(&packs.path().join(".lore")).expect("pack opens");
    lint(pack.data(), Day::parse(today).expect("day"), Some(root))
}

fn with_code<'a>(report: &'a Report, code: &str) -> Vec<&'a Finding> {
    report.findings.iter().filter(|f| f.code == code).collect()
}

#[test]
fn the_example_reports_staleness_gaps_and_drift() {
    let acme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme");
    let toml = std::fs::read_to_string(acme.join("lore.toml")).expect("lore.toml");

    // Review dates are relative: on a day before any is due, nothing is stale.
    let early = lint_knowledge(&acme, &toml, "2025-06-02");
    assert!(with_code(&early, "stale").is_empty(), "{:?}", with_code(&early, "stale"));

    let report = lint_knowledge(&acme, &toml, "2026-11-28");
    let stale: Vec<&str> = with_code(&report, "stale").iter().map(|f| f.record.as_str()).collect();
    assert!(stale.contains(&"ledger-append-only") && stale.contains(&"ledger-db"), "{stale:?}");
    let overdue = with_code(&report, "stale").into_iter().find(|f| f.record == "ledger-append-only").expect("stale");
    assert_eq!(overdue.file, "rules/ledger-append-only.md");
    assert!(overdue.message.contains("2025-06-01"), "{}", overdue.message);

    let unguarded: Vec<&str> = with_code(&report, "tier1-unguarded").iter().map(|f| f.record.as_str()).collect();
    assert_eq!(unguarded, ["psp-gateway"]);

    // checkout's manifest calls fraud-service, which the catalog never declares.
    let undeclared = with_code(&report, "undeclared-dependency");
    assert!(undeclared.iter().any(|f| f.message.contains("`checkout-service` → `fraud-service`")), "{undeclared:?}");
    // Runs-on edges are not expected to show in what is deployed.
    assert!(with_code(&report, "unobserved-dependency").iter().all(|f| !f.message.contains("prod-eks")));

    assert_eq!(report.count(Severity::Error), 0, "the example has no errors: {:?}", report.findings);
    assert!(report.health.overall > 0 && report.health.overall < 100);
    assert!(!report.health.top_actions.is_empty());
    let severities: Vec<Severity> = report.findings.iter().map(|f| f.severity).collect();
    assert!(severities.windows(2).all(|w| w[0] >= w[1]), "most severe first");
}

#[test]
fn the_gitlab_catalog_has_dangling_targets_a_self_loop_and_a_cycle() {
    let Some(corpora) = corpora() else { return };
    let catalog = corpora.join("gitlab-runbooks/services/service-catalog.yml");
    let toml = format!("[[source]]\npath = {:?}\n", catalog.display().to_string());
    let report = lint_knowledge(&corpora, &toml, "2026-11-28");

    let dangling = with_code(&report, "dangling-dependency");
    let suggested = |name: &str| -> Vec<String> {
        dangling.iter().find(|f| f.record == name).map(|f| f.suggestions.clone()).unwrap_or_else(|| {
            panic!("`{name}` not reported dangling: {:?}", dangling.iter().map(|f| &f.record).collect::<Vec<_>>())
        })
    };
    assert_eq!(suggested("postgres").first().map(String::as_str), Some("patroni"));
    assert_eq!(suggested("elasticsearch").first().map(String::as_str), Some("search"));
    assert_eq!(suggested("prometheus").first().map(String::as_str), Some("monitoring"));
    assert!(dangling.iter().all(|f| f.line > 0 && f.file.ends_with("service-catalog.yml")));

    let loops: Vec<&str> = with_code(&report, "self-dependency").iter().map(|f| f.record.as_str()).collect();
    assert_eq!(loops, ["gitaly"]);
    let cycles = with_code(&report, "dependency-cycle");
    assert!(cycles.iter().any(|f| f.message.contains("gitaly")), "{cycles:?}");
    assert!(with_code(&report, "no-owner").len() > 10);
}

#[test]
fn broken_links_duplicates_and_undeployed_services_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let acme = lore_testkit::example_copy(&dir.path().join("acme"), &dir.path().join("decisions.db"));
    let toml = std::fs::read_to_string(acme.join("lore.toml")).expect("lore.toml");
    let clean = lint_knowledge(&acme, &toml, "2026-11-28");
    assert!(with_code(&clean, "broken-link").is_empty(), "{:?}", with_code(&clean, "broken-link"));
    assert!(with_code(&clean, "duplicate-system").is_empty(), "{:?}", with_code(&clean, "duplicate-system"));
    let undeployed: Vec<&str> = with_code(&clean, "not-deployed").iter().map(|f| f.record.as_str()).collect();
    assert!(undeployed.contains(&"orders-service"), "in the catalog for production, in no manifest: {undeployed:?}");
    assert!(!undeployed.contains(&"checkout-service"), "deployed: {undeployed:?}");

    let runbook = acme.join("runbooks/payments-db-failover.md");
    let mut text = std::fs::read_to_string(&runbook).expect("runbook");
    let line = text.lines().count() + 2;
    text.push_str("\nSee [the old guide](../archive/failover-2019.md) and [the new one](terraform-changes.md).\n");
    std::fs::write(&runbook, text).expect("write");
    std::fs::write(
        acme.join("systems/duplicates.yaml"),
        "kind: system\nname: cartservice\n---\nkind: system\nname: ledger\naliases: [payments-db]\n",
    )
    .expect("write");
    let report = lint_knowledge(&acme, &toml, "2026-11-28");
    let broken = with_code(&report, "broken-link");
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!((broken[0].file.as_str(), broken[0].line as usize), ("runbooks/payments-db-failover.md", line));
    assert!(broken[0].message.contains("../archive/failover-2019.md"));
    let duplicates = with_code(&report, "duplicate-system");
    let alias = duplicates.iter().find(|f| f.record == "ledger").expect("an alias that names another system");
    assert_eq!(
        (alias.severity, alias.suggestions.as_slice()),
        (Severity::Warning, ["payments-db".to_string()].as_slice())
    );
    assert!(
        duplicates.iter().any(|f| f.record == "cartservice" && f.suggestions == ["cart-service"]),
        "{duplicates:?}"
    );
}

#[test]
fn the_gitlab_runbooks_have_broken_links_and_an_ambiguous_name() {
    let Some(corpora) = corpora() else { return };
    let runbooks = corpora.join("gitlab-runbooks");
    let toml =
        "[[source]]\npath = \"services/service-catalog.yml\"\n\n[[source]]\npath = \"docs\"\nkind = \"markdown\"\n";
    let report = lint_knowledge(&runbooks, toml, "2026-11-28");
    let broken = with_code(&report, "broken-link");
    assert!(
        broken.iter().any(|f| f.file == "docs/api/README.md" && f.line == 238 && f.message.contains("rate-limiting")),
        "a link with a stray `]` in docs/api/README.md: {:?}",
        broken.iter().take(5).collect::<Vec<_>>()
    );
    let sentry = with_code(&report, "duplicate-system").into_iter().find(|f| f.record == "sentry").cloned();
    assert_eq!(sentry.map(|f| f.suggestions), Some(vec!["monitoring".to_string()]), "friendly_name: Monitoring");
}
