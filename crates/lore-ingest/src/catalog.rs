//! GitLab-style service catalogs: `services:` is a list of entries with a
//! name, teams, a tier and `technical.dependencies`. Real catalogs are messy:
//! null entries, self-loops and targets that name no service are all kept
//! as written and left for linking and lint to judge.

use lore_model::{
    Edge, EdgeKind, EdgeOrigin, Meta, Severity, SourceKind, System, SystemKind, SystemMatchers, normalize_name,
};

use crate::yaml::{Document, Node};
use crate::{FileContext, FileOutput};

pub fn ingest(ctx: &FileContext<'_>, docs: &[Document], out: &mut FileOutput) {
    for doc in docs {
        let root = doc.root();
        for entry in root.get("services").map(|n| n.items()).unwrap_or_default() {
            service(ctx, entry, out);
        }
    }
}

fn service(ctx: &FileContext<'_>, entry: Node<'_>, out: &mut FileOutput) {
    let Some(name) = entry.str_at("name") else {
        out.problem(ctx, entry.line(), Severity::Warning, "service entry without a name; skipped");
        return;
    };
    let id = normalize_name(&name);
    let layer = entry.str_at("tier");
    let kind = match layer.as_deref() {
        Some("db") => SystemKind::Datastore,
        Some("stor") => SystemKind::Datastore,
        _ => SystemKind::Service,
    };
    let mut owners = entry.strings_at("teams");
    owners.extend(entry.strings_at("owner"));
    let description = entry
        .str_at("description")
        .or_else(|| entry.path("business.requirement").and_then(|n| n.text()))
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
    let mut labels = Vec::new();
    if let Some(layer) = layer {
        labels.push(lore_model::Label { key: "layer".into(), value: layer });
    }
    // `label: Service:Postgres` names what the service is to its operators.
    if let Some(label) = entry.str_at("label") {
        let value = label.split_once(':').map_or(label.as_str(), |(_, v)| v).trim().to_string();
        labels.push(lore_model::Label { key: "label".into(), value });
    }
    let tier = entry.str_at("criticality").or_else(|| entry.str_at("tier_level")).and_then(|t| parse_tier(&t));
    let mut matchers = SystemMatchers::default();
    if let Some(friendly) = entry.str_at("friendly_name") {
        matchers.aliases.push(friendly);
    }
    out.systems.push(System {
        id: id.clone(),
        name: name.clone(),
        kind,
        description,
        tier,
        lifecycle: entry.str_at("lifecycle"),
        owners,
        environments: Vec::new(),
        matchers,
        part_of: None,
        labels,
        meta: Meta::new(ctx.provenance(entry.line(), entry.end_line(), SourceKind::ServiceCatalog)),
        also_from: Vec::new(),
    });

    let deps = entry.path("technical.dependencies").or_else(|| entry.get("dependencies"));
    for dep in deps.map(|n| n.items()).unwrap_or_default() {
        let target = dep.str_at("service").or_else(|| dep.text());
        let Some(target) = target else {
            out.problem(
                ctx,
                dep.line(),
                Severity::Warning,
                format!("dependency of `{name}` names no service; skipped"),
            );
            continue;
        };
        out.edges.push(Edge {
            from: id.clone(),
            to: normalize_name(&target),
            kind: EdgeKind::DependsOn,
            origin: EdgeOrigin::Declared,
            via: "technical.dependencies".into(),
            provenance: ctx.provenance(dep.line(), dep.line(), SourceKind::ServiceCatalog),
        });
    }
}

/// `1`, `tier1`, `tier-1`, `critical`.
pub fn parse_tier(text: &str) -> Option<u8> {
    let lower = text.trim().to_ascii_lowercase();
    if let Some(d) = lower.chars().find(|c| c.is_ascii_digit()) {
        return d.to_digit(10).map(|d| d as u8).filter(|d| (1..=4).contains(d));
    }
    match lower.as_str() {
        "critical" => Some(1),
        "high" => Some(2),
        "medium" => Some(3),
        "low" => Some(4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::SourceSetting;
    use crate::test_support::ingest_text;

    #[test]
    fn messy_catalog_entries_are_kept_or_reported() {
        let catalog = "services:\n- name: gitaly\n  tier: stor\n  teams: [gitaly]\n  technical:\n    dependencies:\n      - service: gitaly\n      - service: redis\n      -\n      - service:\n- name: redis\n  tier: db\n  technical:\n    dependencies:\n      - service:\n- tier: sv\n";
        let out = ingest_text("services/service-catalog.yml", catalog, SourceSetting::Auto);
        assert_eq!(out.systems.len(), 2);
        assert_eq!(out.systems[1].kind, lore_model::SystemKind::Datastore);
        let edges: Vec<(&str, &str)> = out.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
        assert_eq!(edges, vec![("gitaly", "gitaly"), ("gitaly", "redis")], "the self-loop is kept as written");
        assert_eq!(out.edges[1].provenance.line_start, 8);
        assert_eq!(out.diagnostics.len(), 4, "{:?}", out.diagnostics);
    }

    #[test]
    fn tiers_parse() {
        assert_eq!(super::parse_tier("tier-1"), Some(1));
        assert_eq!(super::parse_tier("Critical"), Some(1));
        assert_eq!(super::parse_tier("sv"), None);
    }
}
