//! The gate grounded in prose, on small runbooks written for each
//! behaviour: a departure from the documented form of a command, the
//! environment a script selects before it acts, and the section search
//! finds for a change the docs only describe in words.

mod common;

use common::{LoreCommand, lore};
use serde_json::Value;

struct Knowledge {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Knowledge {
    fn with(files: &[(&str, &str)]) -> Knowledge {
        let dir = tempfile::tempdir().expect("knowledge");
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        }
        Knowledge { dir, home: tempfile::tempdir().expect("home") }
    }

    fn check(&self, command: &str) -> Value {
        let home = self.home.path();
        let out = lore()
            .knowledge(self.dir.path())
            .args(["check", "--json", "--", command])
            .home_with_cache(home)
            .log(home.join("log.sqlite"))
            .run();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{command}: {e}: {}", String::from_utf8_lossy(&out.stderr)))
    }
}

fn decision(verdict: &Value) -> &str {
    verdict["decision"].as_str().expect("decision")
}

/// Every reason of every action, as `decision|message|cite`.
fn reasons(verdict: &Value) -> Vec<String> {
    let actions = verdict["actions"].as_array().expect("actions");
    actions
        .iter()
        .flat_map(|a| a["reasons"].as_array().expect("reasons").iter())
        .map(|r| format!("{}|{}|{}", r["decision"], r["message"], r["cite"]))
        .collect()
}

const PVC_RESIZE: &str = "# Resize a PVC\n\n## Delete the StatefulSet\n\nDelete the StatefulSet object without \
    deleting the pods underneath:\n\n```\nkubectl -n monitoring delete --cascade=orphan sts/thanos-store-0\n```\n";

#[test]
fn dropping_the_guard_the_runbook_keeps_asks_and_quotes_the_documented_form() {
    let knowledge = Knowledge::with(&[("runbooks/pvc-resize.md", PVC_RESIZE)]);
    let plain = knowledge.check("kubectl -n monitoring delete sts/thanos-store-0");
    assert_eq!(decision(&plain), "ask", "{plain:#}");
    let why = reasons(&plain).join("\n");
    assert!(why.contains("drops `--cascade=orphan`"), "{why}");
    assert!(why.contains("runbooks/pvc-resize.md:8"), "cites the documented command's line: {why}");

    let documented = knowledge.check("kubectl -n monitoring delete --cascade=orphan sts/thanos-store-0");
    assert_ne!(decision(&documented), "ask", "the documented form is not a departure: {documented:#}");
    // Another object of the same kind is another operation.
    let other = knowledge.check("kubectl -n monitoring delete sts/loki-0");
    assert!(!reasons(&other).join("\n").contains("cascade"), "{other:#}");
    // So is another kind: `delete pod` is not documented by `delete sts`.
    let pod = knowledge.check("kubectl -n monitoring delete pod thanos-store-0");
    assert!(!reasons(&pod).join("\n").contains("cascade"), "{pod:#}");
}

const NODE_GROUPS: &str = "# Re-create node groups\n\n1. Delete node group(s)\n\n   ```bash\n   # IMPORTANT: \
    review the --include flag's value\n   eksctl delete nodegroup --config-file=$CLUSTER_NAME.eksctl.yaml \
    --include=\"nb-*,dask-*\" # --approve\n   ```\n\n## Clean up\n\n```\ncloud-platform environment destroy \
    --cluster live --skip-prod-destroy=true\n```\n";

#[test]
fn approving_what_the_runbook_only_plans_and_flipping_its_switches_ask() {
    let knowledge = Knowledge::with(&[("runbooks/node-groups.md", NODE_GROUPS)]);
    let planned = knowledge.check("eksctl delete nodegroup --config-file=hub.eksctl.yaml --include=\"nb-*,dask-*\"");
    assert_eq!(decision(&planned), "allow", "without --approve eksctl only plans: {planned:#}");
    let approved =
        knowledge.check("eksctl delete nodegroup --config-file=hub.eksctl.yaml --include=\"nb-*,dask-*\" --approve");
    assert_eq!(decision(&approved), "ask", "{approved:#}");
    assert!(reasons(&approved).join("\n").contains("adds `--approve`"), "{approved:#}");

    let flipped = knowledge.check("cloud-platform environment destroy --cluster live --skip-prod-destroy=false");
    assert_eq!(decision(&flipped), "ask", "{flipped:#}");
    assert!(reasons(&flipped).join("\n").contains("`--skip-prod-destroy=false`"), "{flipped:#}");
}

const EKS_UPGRADE: &str = "# Upgrade the EKS cluster\n\n## Apply\n\n> **IMPORTANT:** Do NOT run `tf apply` as \
    this will time out and lose control of the node group upgrade.\n";

#[test]
fn a_script_runs_where_it_selected_and_the_reason_says_why_that_is_production() {
    let knowledge = Knowledge::with(&[("runbooks/upgrade-eks.md", EKS_UPGRADE)]);
    let live = knowledge.check("cd terraform/eks && terraform workspace select live && terraform apply");
    assert_eq!(decision(&live), "ask", "{live:#}");
    let why = reasons(&live).join("\n");
    assert!(why.contains("terraform-workspace live"), "the reason names what says production: {why}");
    assert!(why.contains("runbooks/upgrade-eks.md:5"), "{why}");

    // Terraform's Kubernetes provider acts on the context selected before it.
    let context = knowledge.check("kubectl config use-context prod-eu && terraform apply -auto-approve");
    let apply = &context["actions"][1];
    assert_eq!(apply["production"], true, "{context:#}");

    let staging = knowledge.check("cd terraform/eks && terraform workspace select staging && terraform apply");
    assert_eq!(decision(&staging), "warn", "outside production the prohibition warns: {staging:#}");
}

const PATRONI: &str = "# Patroni maintenance\n\n## Pausing the cluster\n\nPausing the Patroni cluster disables \
    automatic failover, which can mean errors for end users. Make sure chef-client is disabled on every patroni \
    node before you pause it.\n\n## Unrelated\n\nRotate the logs weekly.\n";

#[test]
fn search_finds_the_section_a_change_is_described_in_and_quotes_its_caution() {
    let knowledge = Knowledge::with(&[("runbooks/patroni.md", PATRONI)]);
    let pause = knowledge.check("gitlab-patronictl pause --wait patroni-main");
    assert_eq!(decision(&pause), "warn", "found by words, it warns and never asks: {pause:#}");
    let why = reasons(&pause).join("\n");
    assert!(why.contains("found by search") && why.contains("runbooks/patroni.md:5"), "{why}");
    let runbooks = pause["briefing"]["runbooks"].to_string();
    assert!(runbooks.contains("Pausing the cluster"), "the briefing lists the section: {runbooks}");

    // A read changes nothing: no search, no warning.
    let list = knowledge.check("gitlab-patronictl list");
    assert_eq!(decision(&list), "allow", "{list:#}");
    assert!(list["briefing"]["runbooks"].as_array().expect("runbooks").is_empty(), "{list:#}");
}

const DISK_SPACE: &str = "# PostgreSQL disk space\n\n## Pruning WAL\n\n*WARNING*: Do not remove any files that \
    end in `.history`. These files\nare needed for standbys to follow the wal through timeline forks.\n";

#[test]
fn a_prohibition_names_what_it_protects_in_code_and_is_quoted_whole() {
    let knowledge = Knowledge::with(&[("runbooks/pg-disk.md", DISK_SPACE)]);
    let history = knowledge.check("sudo rm /var/opt/gitlab/postgresql/data/pg_xlog/00000004.history");
    assert_eq!(decision(&history), "ask", "{history:#}");
    let why = reasons(&history).join("\n");
    assert!(why.contains("timeline forks"), "the sentence is quoted whole, across its lines: {why}");
    assert!(why.contains("runbooks/pg-disk.md:5"), "{why}");
    let segment = knowledge.check("sudo rm /var/opt/gitlab/postgresql/data/pg_xlog/000000040000000A");
    assert!(!reasons(&segment).join("\n").contains("history"), "{segment:#}");
}

fn postmortem(id: &str, title: &str, severity: &str, timeline: &str) -> String {
    format!(
        "# {id} - {title}\n\nSeverity: {severity}\n\n## Summary\n\nThe Hellman Kubernetes cluster was down for an hour.\n\n\
         ## Timeline\n\n{timeline}\n\n## Contributing Factors\n\nx\n\n## Lessons Learned\n\nUse least privilege.\n"
    )
}

#[test]
fn clusters_incident_reports_happened_on_are_production_and_repeating_a_severe_one_asks() {
    let deletion = postmortem(
        "PM-1",
        "Hellman node deletion",
        "sev1",
        "An accidental command deleted every node:\n\n```\nkubectl delete nodes --all\n```",
    );
    let network = postmortem(
        "PM-2",
        "Hellman IP starvation",
        "sev3",
        "Pods could not get an address on the new Hellman cluster.",
    );
    let knowledge = Knowledge::with(&[("postmortems/PM-1.md", &deletion), ("postmortems/PM-2.md", &network)]);

    let repeat = knowledge.check("kubectl delete nodes --all --context hellman");
    assert_eq!(repeat["actions"][0]["production"], true, "{repeat:#}");
    let why = reasons(&repeat).join("\n");
    let incident =
        reasons(&repeat).into_iter().find(|r| r.contains("in its account of the outage")).expect("the incident");
    assert!(incident.starts_with("\"ask\""), "a severe incident repeated in production asks: {incident}");
    assert!(why.contains("incident reports happened on cluster `hellman`"), "says why it is production: {why}");
    assert!(why.contains("postmortems/PM-1.md"), "{why}");

    let elsewhere = knowledge.check("kubectl delete nodes --all --context sandbox");
    assert_eq!(elsewhere["actions"][0]["production"], false, "{elsewhere:#}");
    assert_ne!(decision(&elsewhere), "deny", "{elsewhere:#}");
}
