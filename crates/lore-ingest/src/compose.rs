//! docker-compose files: services become systems; `depends_on` and address
//! env vars (interpolated from `.env`) become observed dependencies, each
//! marked with its evidence, because the two often disagree.

use std::collections::HashMap;

use lore_model::{
    Edge, EdgeKind, EdgeOrigin, Label, Meta, Severity, SourceKind, System, SystemMatchers, normalize_name,
};

use crate::yaml::{Document, Node};
use crate::{FileContext, FileOutput, hosts};

pub fn ingest(ctx: &FileContext<'_>, docs: &[Document], out: &mut FileOutput) {
    let dotenv = load_dotenv(ctx, out);
    for doc in docs {
        let Some(services) = doc.root().get("services") else { continue };
        for (name, service) in services.entries() {
            self::service(ctx, &name, service, &dotenv, out);
        }
    }
}

fn load_dotenv(ctx: &FileContext<'_>, out: &mut FileOutput) -> HashMap<String, String> {
    let Some(dir) = ctx.abs_path.parent() else { return HashMap::new() };
    let path = dir.join(".env");
    let Ok(text) = std::fs::read_to_string(&path) else { return HashMap::new() };
    let rel_dir = std::path::Path::new(ctx.rel_path).parent().unwrap_or(std::path::Path::new(""));
    out.depends_on_files.push(rel_dir.join(".env").to_string_lossy().into_owned());
    parse_dotenv(&text)
}

pub fn parse_dotenv(text: &str) -> HashMap<String, String> {
    let mut raw = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((key, value)) = line.split_once('=') {
            raw.push((key.trim().to_string(), value.trim().trim_matches(['"', '\'']).to_string()));
        }
    }
    let mut vars: HashMap<String, String> = HashMap::new();
    for (key, value) in raw {
        let value = interpolate(&value, &vars);
        vars.insert(key, value);
    }
    vars
}

/// `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR`. Unknown
/// variables stay as written, so callers can tell the value is unresolved.
pub fn interpolate(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                out.push_str(&rest[at..]);
                return out;
            };
            let expr = &inner[..close];
            let (name, default) = match expr.find([':', '-']) {
                Some(i) => (&expr[..i], Some(expr[i..].trim_start_matches(':').trim_start_matches('-'))),
                None => (expr, None),
            };
            match (vars.get(name), default) {
                (Some(value), _) if !value.is_empty() => out.push_str(value),
                (_, Some(default)) => out.push_str(default),
                _ => out.push_str(&rest[at..at + 2 + close + 1]),
            }
            rest = &inner[close + 1..];
        } else {
            let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            match vars.get(&after[..len]) {
                Some(value) if len > 0 => out.push_str(value),
                _ => out.push_str(&rest[at..at + 1 + len]),
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

fn service(ctx: &FileContext<'_>, name: &str, node: Node<'_>, dotenv: &HashMap<String, String>, out: &mut FileOutput) {
    if !node.is_mapping() {
        out.problem(ctx, node.line(), Severity::Warning, format!("compose service `{name}` is not a mapping; skipped"));
        return;
    }
    let id = normalize_name(name);
    let mut matchers = SystemMatchers { workloads: vec![name.to_string()], ..Default::default() };
    if let Some(container) = node.str_at("container_name")
        && normalize_name(&container) != id
    {
        matchers.aliases.push(container);
    }
    let image = node.str_at("image").map(|i| interpolate(&i, dotenv)).unwrap_or_default();
    let env = environment(node, dotenv);
    let mut tier = None;
    let mut labels = Vec::new();
    for (key, value, _) in &env {
        if key == "OTEL_RESOURCE_ATTRIBUTES"
            && let Some(crit) = value.split(',').find_map(|kv| kv.trim().strip_prefix("service.criticality="))
        {
            tier = criticality_tier(crit);
            labels.push(Label { key: "criticality".into(), value: crit.to_string() });
        }
    }
    out.systems.push(System {
        id: id.clone(),
        name: name.to_string(),
        kind: hosts::kind_from_image(&image),
        description: None,
        tier,
        lifecycle: None,
        owners: Vec::new(),
        environments: ctx.source.environment.iter().cloned().collect(),
        matchers,
        part_of: None,
        labels,
        meta: Meta::new(ctx.provenance(node.line(), node.end_line(), SourceKind::Compose)),
        also_from: Vec::new(),
    });

    if let Some(deps) = node.get("depends_on") {
        let targets: Vec<(String, Node<'_>)> = if deps.is_mapping() {
            deps.entries()
        } else {
            deps.items().into_iter().filter_map(|n| Some((n.text()?, n))).collect()
        };
        for (target, at) in targets {
            out.edges.push(Edge {
                from: id.clone(),
                to: normalize_name(&target),
                kind: EdgeKind::DependsOn,
                origin: EdgeOrigin::Observed,
                via: "depends_on".into(),
                provenance: ctx.provenance(at.line(), at.line(), SourceKind::Compose),
            });
        }
    }
    for (key, value, line) in env {
        if !hosts::is_address_var(&key) {
            continue;
        }
        let Some(host) = hosts::target_host(&value) else { continue };
        let to = normalize_name(&host);
        if to == id {
            continue;
        }
        out.edges.push(Edge {
            from: id.clone(),
            to,
            kind: EdgeKind::Calls,
            origin: EdgeOrigin::Observed,
            via: format!("env {key}={value}"),
            provenance: ctx.provenance(line, line, SourceKind::Compose),
        });
    }
}

/// `environment:` as a list of `KEY=VALUE` / `KEY`, or a mapping; values
/// interpolated, and bare keys taken from `.env`.
fn environment(node: Node<'_>, dotenv: &HashMap<String, String>) -> Vec<(String, String, u32)> {
    let Some(env) = node.get("environment") else { return Vec::new() };
    let pairs: Vec<(String, Option<String>, u32)> = if env.is_mapping() {
        env.entries().into_iter().map(|(k, v)| (k, v.text(), v.line())).collect()
    } else {
        env.items()
            .into_iter()
            .filter_map(|item| {
                let text = item.text()?;
                Some(match text.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string()), item.line()),
                    None => (text, None, item.line()),
                })
            })
            .collect()
    };
    pairs
        .into_iter()
        .filter_map(|(key, value, line)| {
            let value = match value {
                Some(v) => interpolate(&v, dotenv),
                None => dotenv.get(&key)?.clone(),
            };
            Some((key, value, line))
        })
        .collect()
}

fn criticality_tier(text: &str) -> Option<u8> {
    match text.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(1),
        "high" => Some(2),
        "medium" => Some(3),
        "low" => Some(4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_follows_compose_rules() {
        let vars: HashMap<String, String> = [("HOST", "otel"), ("PORT", "4318"), ("EMPTY", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(interpolate("http://${HOST}:${PORT}", &vars), "http://otel:4318");
        assert_eq!(interpolate("$HOST/x", &vars), "otel/x");
        assert_eq!(interpolate("${MISSING:-fallback}", &vars), "fallback");
        assert_eq!(interpolate("${EMPTY:-fallback}", &vars), "fallback");
        assert_eq!(interpolate("${MISSING}", &vars), "${MISSING}");
        assert_eq!(interpolate("${unterminated", &vars), "${unterminated");
    }

    #[test]
    fn dotenv_values_refer_to_earlier_ones() {
        let vars = parse_dotenv("# c\nCART_PORT=7070\nCART_ADDR=cart:${CART_PORT}\nexport X=\"quoted\"\n");
        assert_eq!(vars.get("CART_ADDR").map(String::as_str), Some("cart:7070"));
        assert_eq!(vars.get("X").map(String::as_str), Some("quoted"));
    }

    #[test]
    fn services_depends_on_and_env_edges_are_kept_apart() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(".env"), "QUOTE_ADDR=http://quote:8090\nSHIPPING_PORT=50050\n").expect("write");
        let compose = "services:\n  shipping:\n    image: demo-shipping\n    environment:\n      - QUOTE_ADDR\n      - OTEL_RESOURCE_ATTRIBUTES=service.criticality=high\n    depends_on:\n      otel-collector:\n        condition: service_started\n  quote:\n    image: demo-quote\n";
        let path = dir.path().join("compose.yaml");
        std::fs::write(&path, compose).expect("write");
        let src = crate::test_support::source(crate::SourceSetting::Auto);
        let ctx =
            FileContext { rel_path: "compose.yaml", abs_path: &path, source: &src, path_dirs: vec![], commit: None };
        let out = crate::ingest_file(&ctx, compose.as_bytes());
        assert_eq!(out.systems.len(), 2);
        assert_eq!(out.systems[0].tier, Some(2));
        let edges: Vec<(&str, &str)> = out.edges.iter().map(|e| (e.to.as_str(), e.via.as_str())).collect();
        assert_eq!(edges, vec![("otel-collector", "depends_on"), ("quote", "env QUOTE_ADDR=http://quote:8090")]);
        assert_eq!(out.edges[1].provenance.line_start, 5);
        assert_eq!(out.depends_on_files, vec![".env"]);
    }
}
