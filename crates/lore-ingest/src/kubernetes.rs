//! Kubernetes manifests: workloads and services become systems; env vars that
//! hold another service's address become observed dependencies.

use lore_model::{
    Edge, EdgeKind, EdgeOrigin, Meta, Severity, SourceKind, System, SystemKind, SystemMatchers, normalize_name,
};

use crate::yaml::{Document, Node};
use crate::{FileContext, FileOutput, hosts};

const WORKLOADS: [&str; 7] = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];

pub fn ingest(ctx: &FileContext<'_>, docs: &[Document], out: &mut FileOutput) {
    for doc in docs {
        let root = doc.root();
        if root.is_null() {
            continue;
        }
        match root.str_at("kind").as_deref() {
            Some("List") => {
                for item in root.get("items").map(|n| n.items()).unwrap_or_default() {
                    object(ctx, item, out);
                }
            }
            Some(_) => object(ctx, root, out),
            None => out.problem(ctx, root.line(), Severity::Warning, "Kubernetes document without `kind`; skipped"),
        }
    }
}

fn object(ctx: &FileContext<'_>, node: Node<'_>, out: &mut FileOutput) {
    let kind = node.str_at("kind").unwrap_or_default();
    let Some(name) = node.path("metadata.name").and_then(|n| n.text()) else {
        if WORKLOADS.contains(&kind.as_str()) || kind == "Service" {
            out.problem(ctx, node.line(), Severity::Warning, format!("{kind} without metadata.name; skipped"));
        }
        return;
    };
    let namespace = node.path("metadata.namespace").and_then(|n| n.text());
    let provenance = ctx.provenance(node.line(), node.end_line(), SourceKind::Kubernetes);
    let mut matchers = SystemMatchers { namespaces: namespace.into_iter().collect(), ..Default::default() };
    let system_kind;
    if WORKLOADS.contains(&kind.as_str()) {
        let pod = pod_spec(node, &kind);
        let containers: Vec<Node<'_>> = ["initContainers", "containers"]
            .iter()
            .flat_map(|key| pod.and_then(|p| p.get(key)).map(|n| n.items()).unwrap_or_default())
            .collect();
        system_kind = containers
            .iter()
            .filter_map(|c| c.str_at("image"))
            .map(|image| hosts::kind_from_image(&image))
            .find(|k| *k != SystemKind::Service)
            .unwrap_or(SystemKind::Service);
        matchers.workloads.push(name.clone());
        for container in &containers {
            env_edges(ctx, &name, *container, out);
        }
    } else if kind == "Service" {
        system_kind = SystemKind::Service;
        matchers.services.push(name.clone());
    } else {
        return;
    }
    out.systems.push(System {
        id: normalize_name(&name),
        name: name.clone(),
        kind: system_kind,
        description: node.path("metadata.annotations.description").and_then(|n| n.text()),
        tier: None,
        lifecycle: None,
        owners: node.path("metadata.labels.owner").and_then(|n| n.text()).into_iter().collect(),
        environments: ctx.source.environment.iter().cloned().collect(),
        matchers,
        part_of: None,
        labels: Vec::new(),
        meta: Meta::new(provenance),
        also_from: Vec::new(),
    });
}

fn pod_spec<'a>(node: Node<'a>, kind: &str) -> Option<Node<'a>> {
    match kind {
        "Pod" => node.get("spec"),
        "CronJob" => node.path("spec.jobTemplate.spec.template.spec"),
        _ => node.path("spec.template.spec"),
    }
}

fn env_edges(ctx: &FileContext<'_>, from: &str, container: Node<'_>, out: &mut FileOutput) {
    for var in container.get("env").map(|n| n.items()).unwrap_or_default() {
        let (Some(var_name), Some(value)) = (var.str_at("name"), var.str_at("value")) else {
            continue;
        };
        if !hosts::is_address_var(&var_name) {
            continue;
        }
        let Some(host) = hosts::target_host(&value) else {
            continue;
        };
        if normalize_name(&host) == normalize_name(from) {
            continue;
        }
        out.edges.push(Edge {
            from: normalize_name(from),
            to: normalize_name(&host),
            kind: EdgeKind::Calls,
            origin: EdgeOrigin::Observed,
            via: format!("env {var_name}={value}"),
            provenance: ctx.provenance(var.line(), var.end_line(), SourceKind::Kubernetes),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::SourceSetting;
    use crate::test_support::ingest_text;

    const MANIFEST: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cartservice
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: server
        image: cartservice
        env:
        - name: REDIS_ADDR
          value: "redis-cart:6379"
        - name: PORT
          value: "7070"
---
apiVersion: v1
kind: Service
metadata:
  name: cartservice
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis-cart
spec:
  template:
    spec:
      containers:
      - name: redis
        image: redis:alpine
"#;

    #[test]
    fn workloads_services_and_env_edges() {
        let out = ingest_text("k8s/cart.yaml", MANIFEST, SourceSetting::Auto);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let names: Vec<&str> = out.systems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(names, vec!["cartservice", "cartservice", "redis-cart"]);
        assert_eq!(out.systems[0].matchers.namespaces, vec!["shop"]);
        assert_eq!(out.systems[2].kind, lore_model::SystemKind::Datastore);
        assert_eq!(out.edges.len(), 1);
        let edge = &out.edges[0];
        assert_eq!((edge.from.as_str(), edge.to.as_str()), ("cartservice", "redis-cart"));
        assert_eq!(edge.provenance.line_start, 14);
        assert_eq!(edge.via, "env REDIS_ADDR=redis-cart:6379");
    }
}
