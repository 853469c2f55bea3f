//! Action understanding on real public data (../shared/corpora): NL2Bash's
//! 12,607 one-liners, squawk's risky and safer SQL, Terraform and OpenTofu
//! plans, and the Online Boutique manifests.

use std::collections::BTreeMap;

use lore_action::{Action, analyze_manifest, analyze_plan, analyze_shell, analyze_sql};
use lore_model::ActionClass;
use lore_testkit::corpora;

#[test]
fn nl2bash_commands_all_parse_without_a_panic() {
    let Some(corpora) = corpora() else { return };
    let text = std::fs::read_to_string(corpora.join("nl2bash/all.cm")).expect("all.cm");
    let commands: Vec<&str> = text.lines().collect();
    assert_eq!(commands.len(), 12_607);
    let mut destructive: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut incomplete = 0;
    for command in &commands {
        let analysis = analyze_shell(command);
        if !analysis.complete {
            incomplete += 1;
        }
        if let Some(worst) = analysis.actions.iter().filter(|a| a.class.is_destructive()).map(|a| a.class).max() {
            *destructive.entry(worst.as_str()).or_default() += 1;
        }
    }
    let total: usize = destructive.values().sum();
    eprintln!(
        "nl2bash: {} commands, {total} destructive {destructive:?}, {incomplete} not fully analysed",
        commands.len()
    );
    // The corpus is mostly find/grep/xargs; about 1.1k lines touch rm, kill, chmod, dd and friends.
    assert!((300..3_000).contains(&total), "{total} destructive: {destructive:?}");
    assert!(incomplete < commands.len() / 20, "{incomplete} commands not fully analysed");
}

fn sql_blocks(text: &str) -> Vec<String> {
    text.split("```sql").skip(1).filter_map(|rest| rest.split("```").next()).map(str::to_string).collect()
}

fn risk(actions: &[Action]) -> usize {
    const RISKY: [&str; 6] = ["heavy-lock", "table-rewrite", "no-where", "not-concurrent", "drop-column", "cascade"];
    actions
        .iter()
        .map(|a| a.flags.iter().filter(|f| RISKY.contains(&f.as_str())).count() + usize::from(a.class.is_destructive()))
        .sum()
}

/// The squawk rules about locks: each "Instead of" block must be judged
/// riskier than its "Use" block. Rules about column types are style, not
/// danger, and are left out.
const LOCK_RULES: [&str; 9] = [
    "adding-foreign-key-constraint",
    "adding-not-nullable-field",
    "adding-serial-primary-key-field",
    "constraint-missing-not-valid",
    "disallowed-unique-constraint",
    "require-concurrent-index-creation",
    "require-concurrent-index-deletion",
    "require-concurrent-partition-detach",
    "require-concurrent-reindex",
];

#[test]
fn squawk_risky_sql_is_riskier_than_its_safer_form() {
    let Some(corpora) = corpora() else { return };
    let mut pairs = 0;
    for rule in LOCK_RULES {
        let text = std::fs::read_to_string(corpora.join(format!("squawk-sql-rules/{rule}.md"))).expect("rule page");
        for chunk in text.split("Instead of").skip(1) {
            let Some((bad_part, good_part)) = chunk.split_once("Use") else { continue };
            let (Some(bad), Some(good)) =
                (sql_blocks(bad_part).into_iter().next(), sql_blocks(good_part).into_iter().next())
            else {
                continue;
            };
            // adding-not-nullable-field's safer example ends with placeholder
            // names (`table_name`, `column_name`); lore rightly flags that
            // statement. The batch semantics are asserted below with real names.
            let good = good.replace(
                "ALTER TABLE table_name ALTER COLUMN column_name",
                "ALTER TABLE \"recipe\" ALTER COLUMN \"view_count\"",
            );
            let bad_risk = risk(&analyze_sql(&bad).actions);
            let good_risk = risk(&analyze_sql(&good).actions);
            assert!(bad_risk > good_risk, "{rule}: risky {bad_risk} vs safer {good_risk}\nrisky: {bad}\nsafer: {good}");
            pairs += 1;
        }
    }
    assert!(pairs >= 10, "{pairs} pairs");
    // A validated NOT NULL check lets PostgreSQL 12+ set NOT NULL without a scan.
    let checked = analyze_sql(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT c; ALTER TABLE t ALTER COLUMN col SET NOT NULL;",
    );
    assert_eq!(risk(&checked.actions), 0, "{:?}", checked.actions);
    let other_column = analyze_sql(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; ALTER TABLE t ALTER COLUMN other SET NOT NULL;",
    );
    assert_eq!(risk(&other_column.actions), 1);
    // The ban-drop-* pages name their statements in prose; the statements themselves:
    assert_eq!(analyze_sql("DROP DATABASE app;").actions[0].class, ActionClass::BulkDestroy);
    assert_eq!(analyze_sql("DROP TABLE mytable;").actions[0].class, ActionClass::Delete);
    assert!(analyze_sql("ALTER TABLE t DROP COLUMN c;").actions[0].has_flag("drop-column"));
    let truncate = std::fs::read_to_string(corpora.join("squawk-sql-rules/ban-truncate-cascade.md")).expect("page");
    assert!(sql_blocks(&truncate).iter().any(|b| analyze_sql(b).actions.iter().any(|a| a.has_flag("cascade"))));
}

#[test]
fn terraform_and_opentofu_plans() {
    let Some(corpora) = corpora() else { return };
    let mut classes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut files = 0;
    for set in ["terraform-compliance", "opentofu-show-json"] {
        for entry in std::fs::read_dir(corpora.join("tfplans").join(set)).expect("dir").flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            files += 1;
            let analysis = analyze_plan(&std::fs::read_to_string(&path).expect("read"));
            for action in &analysis.actions {
                *classes.entry(action.class.as_str()).or_default() += 1;
                assert!(
                    matches!(action.targets.first(), Some(lore_action::Target::Terraform { .. })),
                    "{}",
                    path.display()
                );
            }
        }
    }
    eprintln!("{files} plans: {classes:?}");
    assert!(files >= 140);
    assert!(classes.get("create").copied().unwrap_or(0) >= 500);
    assert!(classes.get("delete").copied().unwrap_or(0) >= 2);
    assert!(classes.get("recreate").copied().unwrap_or(0) >= 1);

    let replace = analyze_plan(
        &std::fs::read_to_string(corpora.join("tfplans/opentofu-show-json/requires-replace.output.json"))
            .expect("read"),
    );
    let recreate = replace.actions.iter().find(|a| a.class == ActionClass::Recreate).expect("a replace");
    assert!(recreate.has_flag("replace_because_cannot_update"), "{:?}", recreate.flags);
    let delete = analyze_plan(
        &std::fs::read_to_string(corpora.join("tfplans/opentofu-show-json/basic-delete.output.json")).expect("read"),
    );
    assert!(delete.actions.iter().any(|a| a.class == ActionClass::Delete));
}

#[test]
fn online_boutique_manifests_become_apply_actions() {
    let Some(corpora) = corpora() else { return };
    let text =
        std::fs::read_to_string(corpora.join("online-boutique/release/kubernetes-manifests.yaml")).expect("read");
    let analysis = analyze_manifest(&text);
    assert!(analysis.complete, "{:?}", analysis.problems);
    let deployments = analysis.actions.iter().filter(|a| a.class == ActionClass::Deploy).count();
    let services = analysis.actions.iter().filter(|a| a.class == ActionClass::NetworkChange).count();
    assert!(deployments >= 11 && services >= 11, "{deployments} deployments, {services} services");
    assert!(analysis.actions.iter().any(|a| a.targets.iter().any(|t| t.short() == "k8s:deployment/redis-cart")));
}
