//! Backstage descriptors (`catalog-info.yaml`): Components, Resources, APIs,
//! Systems, Domains and Groups, their relations, and Location targets.

use lore_model::{
    Edge, EdgeKind, EdgeOrigin, Label, Meta, Severity, SourceKind, System, SystemKind, SystemMatchers, Team,
    normalize_name,
};

use crate::catalog::parse_tier;
use crate::yaml::{Document, Node};
use crate::{FileContext, FileOutput};

pub fn ingest(ctx: &FileContext<'_>, docs: &[Document], out: &mut FileOutput) {
    for doc in docs {
        let root = doc.root();
        if root.is_null() {
            continue;
        }
        entity(ctx, root, out);
    }
}

/// `component:default/payments` → `payments`.
pub fn entity_name(reference: &str) -> String {
    let after_kind = reference.split_once(':').map(|(_, r)| r).unwrap_or(reference);
    let name = after_kind.rsplit_once('/').map(|(_, n)| n).unwrap_or(after_kind);
    normalize_name(name)
}

fn entity(ctx: &FileContext<'_>, node: Node<'_>, out: &mut FileOutput) {
    let kind = node.str_at("kind").unwrap_or_default();
    let Some(name) = node.path("metadata.name").and_then(|n| n.text()) else {
        out.problem(ctx, node.line(), Severity::Error, format!("Backstage {kind} without metadata.name; skipped"));
        return;
    };
    let spec = node.get("spec");
    let spec_str = |key: &str| spec.and_then(|s| s.str_at(key));
    let spec_list = |key: &str| spec.map(|s| s.strings_at(key)).unwrap_or_default();
    let provenance = ctx.provenance(node.line(), node.end_line(), SourceKind::Backstage);
    let id = normalize_name(&name);

    match kind.as_str() {
        "Location" => {
            let mut targets = spec_list("targets");
            targets.extend(spec_str("target"));
            for target in targets {
                if target.contains("://") {
                    out.problem(
                        ctx,
                        node.line(),
                        Severity::Info,
                        format!("remote Location target `{target}` not followed (no network)"),
                    );
                    continue;
                }
                let base = std::path::Path::new(ctx.rel_path).parent().unwrap_or(std::path::Path::new(""));
                out.follow.push(base.join(target.trim_start_matches("./")).to_string_lossy().into_owned());
            }
            return;
        }
        "Group" | "User" => {
            if kind == "Group" {
                let profile = spec.and_then(|s| s.get("profile"));
                out.teams.push(Team {
                    id,
                    name: profile.and_then(|p| p.str_at("displayName")).unwrap_or(name),
                    contacts: profile.map(|p| p.strings_at("email")).unwrap_or_default(),
                    escalation: annotation(node, "lore.dev/escalation").map(|e| split_list(&e)).unwrap_or_default(),
                    members: spec_list("members"),
                    meta: Meta::new(provenance),
                });
            }
            return;
        }
        "Component" | "Resource" | "API" | "System" | "Domain" => {}
        other => {
            out.problem(ctx, node.line(), Severity::Info, format!("Backstage kind `{other}` is not read"));
            return;
        }
    }

    let entity_type = spec_str("type").unwrap_or_default().to_ascii_lowercase();
    let system_kind = match kind.as_str() {
        "API" => SystemKind::Api,
        "System" | "Domain" => SystemKind::Group,
        "Resource" => resource_kind(&entity_type),
        _ => SystemKind::Service,
    };
    let mut matchers = SystemMatchers::default();
    if let Some(aliases) = annotation(node, "lore.dev/aliases") {
        matchers.aliases = split_list(&aliases);
    }
    if let Some(k8s) = annotation(node, "backstage.io/kubernetes-id") {
        matchers.workloads.push(k8s);
    }
    if let Some(ns) = annotation(node, "backstage.io/kubernetes-namespace") {
        matchers.namespaces.push(ns);
    }
    let labels_node = node.path("metadata.labels");
    let tags = node.path("metadata.tags").map(|t| t.strings()).unwrap_or_default();
    let tier = annotation(node, "lore.dev/tier")
        .or_else(|| labels_node.and_then(|l| l.str_at("tier")))
        .and_then(|t| parse_tier(&t))
        .or_else(|| tags.iter().filter(|t| t.starts_with("tier")).find_map(|t| parse_tier(t)));
    let mut labels: Vec<Label> = tags.iter().map(|t| Label { key: "tag".into(), value: t.clone() }).collect();
    if !entity_type.is_empty() {
        labels.push(Label { key: "type".into(), value: entity_type });
    }
    let owner = spec_str("owner").map(|o| entity_name(&o));
    let mut meta = Meta::new(provenance.clone());
    meta.owner = owner.clone();
    out.systems.push(System {
        id: id.clone(),
        name: node.path("metadata.title").and_then(|n| n.text()).unwrap_or(name),
        kind: system_kind,
        description: node.path("metadata.description").and_then(|n| n.text()),
        tier,
        lifecycle: spec_str("lifecycle"),
        owners: owner.into_iter().collect(),
        environments: Vec::new(),
        matchers,
        part_of: spec_str("system").or_else(|| spec_str("domain")).map(|s| entity_name(&s)),
        labels,
        meta,
        also_from: Vec::new(),
    });

    let relation = |key: &str, kind: EdgeKind, reverse: bool, out: &mut FileOutput| {
        let Some(list) = spec.and_then(|s| s.get(key)) else { return };
        for item in list.items() {
            let Some(target) = item.text() else { continue };
            let other = entity_name(&target);
            let (from, to) = if reverse { (other, id.clone()) } else { (id.clone(), other) };
            out.edges.push(Edge {
                from,
                to,
                kind,
                origin: EdgeOrigin::Declared,
                via: key.to_string(),
                provenance: ctx.provenance(item.line(), item.line(), SourceKind::Backstage),
            });
        }
    };
    relation("dependsOn", EdgeKind::DependsOn, false, out);
    relation("consumesApis", EdgeKind::Consumes, false, out);
    // An API is provided by this component: the API depends on it.
    relation("providesApis", EdgeKind::ProvidedBy, true, out);
}

fn annotation(node: Node<'_>, key: &str) -> Option<String> {
    node.path("metadata.annotations").and_then(|a| a.str_at(key))
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn resource_kind(entity_type: &str) -> SystemKind {
    const DATA: [&str; 6] = ["database", "db", "bucket", "storage", "cache", "redis"];
    const QUEUES: [&str; 4] = ["queue", "topic", "stream", "kafka"];
    if DATA.iter().any(|d| entity_type.contains(d)) {
        SystemKind::Datastore
    } else if QUEUES.iter().any(|q| entity_type.contains(q)) {
        SystemKind::Queue
    } else if entity_type.contains("cluster") {
        SystemKind::Cluster
    } else {
        SystemKind::External
    }
}

#[cfg(test)]
mod tests {
    use crate::SourceSetting;
    use crate::test_support::ingest_text;

    const CATALOG: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  annotations:
    lore.dev/tier: "1"
    lore.dev/aliases: payments, pay
spec:
  type: service
  lifecycle: production
  owner: group:default/team-payments
  system: checkout
  dependsOn:
    - resource:default/payments-db
  providesApis: [payments-rest]
  consumesApis: [ledger-grpc]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: payments-db
spec:
  type: database
  owner: team-payments
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-payments
spec:
  type: team
  profile:
    email: payments@example.com
---
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: more
spec:
  targets: [./other/catalog-info.yaml, https://example.com/x.yaml]
"#;

    #[test]
    fn entities_relations_and_locations() {
        let out = ingest_text("catalog/catalog-info.yaml", CATALOG, SourceSetting::Auto);
        assert_eq!(out.systems.len(), 2);
        let api = &out.systems[0];
        assert_eq!(api.tier, Some(1));
        assert_eq!(api.owners, vec!["team-payments"]);
        assert_eq!(api.matchers.aliases, vec!["payments", "pay"]);
        assert_eq!(api.part_of.as_deref(), Some("checkout"));
        assert_eq!(out.systems[1].kind, lore_model::SystemKind::Datastore);
        let edges: Vec<(&str, &str)> = out.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
        assert_eq!(
            edges,
            vec![("payments-api", "payments-db"), ("payments-api", "ledger-grpc"), ("payments-rest", "payments-api")]
        );
        assert_eq!(out.teams.len(), 1);
        assert_eq!(out.teams[0].contacts, vec!["payments@example.com"]);
        assert_eq!(out.follow, vec!["catalog/other/catalog-info.yaml"]);
        assert_eq!(out.diagnostics.len(), 1, "the remote target is noted");
    }
}
