//! Kubernetes manifests about to be applied: each object becomes an action.

use lore_model::ActionClass;

use crate::model::{Action, Analysis, Hint, InputKind, Reversibility, Target};

/// Analyses YAML manifests (one or more documents, or a `List`): one action per object.
pub fn analyze(yaml: &str) -> Analysis {
    let docs = match lore_ingest::yaml::parse_documents(yaml, 0) {
        Ok(docs) => docs,
        Err(err) => return Analysis::incomplete(InputKind::Manifest, format!("line {}: {}", err.line, err.message)),
    };
    let mut actions = Vec::new();
    let mut problems = Vec::new();
    for doc in &docs {
        let root = doc.root();
        if root.is_null() {
            continue;
        }
        let items = if root.str_at("kind").as_deref() == Some("List") {
            root.get("items").map(|i| i.items()).unwrap_or_default()
        } else {
            vec![root]
        };
        for object in items {
            let Some(kind) = object.str_at("kind") else {
                problems.push(format!("line {}: an object without `kind`", object.line()));
                continue;
            };
            let name = object.path("metadata.name").and_then(|n| n.text());
            let namespace = object.path("metadata.namespace").and_then(|n| n.text());
            let kind_lower = kind.to_ascii_lowercase();
            let class = match kind_lower.as_str() {
                "namespace" => ActionClass::Create,
                "role" | "clusterrole" | "rolebinding" | "clusterrolebinding" | "serviceaccount" => {
                    ActionClass::PermissionChange
                }
                "networkpolicy" | "ingress" | "service" | "gateway" | "httproute" | "virtualservice" => {
                    ActionClass::NetworkChange
                }
                "deployment" | "statefulset" | "daemonset" | "cronjob" | "job" | "rollout" => ActionClass::Deploy,
                _ => ActionClass::Update,
            };
            let mut action = Action::new("kubectl", class);
            action.command = vec!["apply".into()];
            action.targets.push(Target::kube(&kind_lower, name.as_deref(), namespace.as_deref()));
            action.env.namespace = Some(namespace.as_deref().map_or_else(Hint::implicit, Hint::explicit));
            action.env.kube_context = Some(Hint::implicit());
            if object.path("spec.replicas").and_then(|r| r.text()).as_deref() == Some("0") {
                action.class = ActionClass::Scale;
                action.flag("scale-to-zero");
            }
            action.text = format!("{kind}/{}", name.unwrap_or_default());
            action.span = crate::model::Span { start: object.line() as usize, end: object.end_line() as usize };
            action.reversibility = Reversibility::estimate(action.class, &action.flags);
            actions.push(action);
        }
    }
    Analysis { kind: InputKind::Manifest, complete: problems.is_empty(), actions, problems }
}
