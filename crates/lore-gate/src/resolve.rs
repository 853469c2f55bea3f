//! From an action to where it runs (an environment) and what it touches (systems).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use globset::{GlobBuilder, GlobMatcher};
use lore_action::{Action, Hint, HintSource, Target};
use lore_model::Environment;
use lore_pack::ArchivedPackData;
use lore_pack::query::{self, owned};
use serde::Serialize;

use crate::Context;

/// An environment an action was found to run in, and why.
#[derive(Debug, Clone, Serialize)]
pub struct EnvironmentMatch {
    /// The environment's ID.
    pub id: String,
    /// Whether the knowledge marks it production.
    pub production: bool,
    /// The fact that matched, such as `kube context prod-eu-1 (implicit, from kubeconfig)`.
    pub via: String,
}

/// The most compiled globs kept; past it the cache starts again (a
/// reloaded pack may bring new patterns, the old ones stay unused).
const GLOB_CACHE_MAX: usize = 4096;

/// Whether `value` (lowercased) matches `pattern`, case-insensitive, `*`
/// crossing `/`. Most patterns are literals with `*` and `?`: those are
/// matched directly, since compiling one (a regex) costs a hook more than
/// everything else it does with the pattern. Classes, alternatives,
/// escapes and non-ASCII patterns (for globset's case folding) go through
/// globset. A bad pattern matches nothing.
pub(crate) fn glob_matches(pattern: &str, value: &str) -> bool {
    // Each `**` doubles the direct matcher's work: past a few, globset's regex is cheaper.
    if !pattern.is_ascii() || pattern.contains(['[', ']', '{', '}', '\\']) || pattern.matches("**").count() > 4 {
        return glob(pattern).is_some_and(|g| g.is_match(value));
    }
    recursive_matches(pattern, value)
}

/// `**` as its own path component: `**/` first matches no directory or
/// any, `/**/` one `/` or any run between two, `/**` last anything below.
/// Any other `**` is `*`, as in globset.
fn recursive_matches(pattern: &str, value: &str) -> bool {
    if let Some(rest) = pattern.strip_prefix("**/") {
        return recursive_matches(rest, value) || recursive_matches(&format!("*/{rest}"), value);
    }
    if let Some((before, after)) = pattern.split_once("/**/") {
        return recursive_matches(&format!("{before}/{after}"), value)
            || recursive_matches(&format!("{before}/*/{after}"), value);
    }
    wildcard_matches(pattern.as_bytes(), value.as_bytes())
}

/// `*` (any run, `/` included) and `?` (one byte, as globset has it) over
/// ASCII-folded bytes, by the usual backtrack-to-the-last-star walk: linear in practice,
/// `O(pattern × value)` at worst, never exponential.
fn wildcard_matches(pattern: &[u8], value: &[u8]) -> bool {
    let (mut p, mut v) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, v));
                p += 1;
            }
            Some(b'?') => {
                p += 1;
                v += 1;
            }
            Some(c) if c.eq_ignore_ascii_case(&value[v]) => {
                p += 1;
                v += 1;
            }
            _ => match star {
                Some((star_p, star_v)) => {
                    p = star_p + 1;
                    v = star_v + 1;
                    star = Some((star_p, v));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// `pattern` (case-insensitive, `*` crossing `/`) as a matcher, compiled
/// once per process: a server checks every action against the same rules'
/// patterns, and compiling a glob builds a regex. Shared, not cloned: a
/// cloned regex starts its match caches anew. `None` for a bad pattern.
fn glob(pattern: &str) -> Option<Arc<GlobMatcher>> {
    static COMPILED: LazyLock<RwLock<HashMap<String, Option<Arc<GlobMatcher>>>>> = LazyLock::new(Default::default);
    if let Some(found) = COMPILED.read().unwrap_or_else(|poisoned| poisoned.into_inner()).get(pattern) {
        return found.clone();
    }
    let compiled = GlobBuilder::new(&pattern.to_lowercase())
        .literal_separator(false)
        .build()
        .ok()
        .map(|g| Arc::new(g.compile_matcher()));
    let mut cache = COMPILED.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    if cache.len() >= GLOB_CACHE_MAX {
        cache.clear();
    }
    cache.insert(pattern.to_string(), compiled.clone());
    compiled
}

fn any_glob(patterns: &[String], value: &str) -> bool {
    let value = value.to_lowercase();
    patterns.iter().any(|p| glob_matches(p, &value))
}

fn is_tool(action: &Action, tools: &[&str]) -> bool {
    tools.contains(&action.tool.as_str())
}

/// The facts that say where an action runs: `(kind, value, how it was learned)`.
fn facts(action: &Action, ctx: &Context) -> Vec<(&'static str, String, String)> {
    let mut facts = Vec::new();
    let hint = |h: &Option<lore_action::Hint>| {
        h.as_ref().filter(|h| h.source == HintSource::Explicit).and_then(|h| h.value.clone())
    };
    let e = &action.env;
    let kube_tool = is_tool(action, &["kubectl", "oc", "helm", "kubecolor"]);
    match hint(&e.kube_context) {
        Some(c) => facts.push(("kube-context", c, "explicit".to_string())),
        None if kube_tool => {
            if let Some(c) = ctx.kube_current_context() {
                facts.push(("kube-context", c, "implicit, the kubeconfig's current context".to_string()));
            }
        }
        None => {}
    }
    if let Some(ns) = hint(&e.namespace) {
        facts.push(("namespace", ns, "explicit".into()));
    }
    match hint(&e.aws_profile) {
        Some(p) => facts.push(("aws-profile", p, "explicit".into())),
        None if action.tool == "aws" => {
            facts.push(("aws-profile", ctx.aws_profile(), "implicit, AWS_PROFILE or default".into()))
        }
        None => {}
    }
    match hint(&e.gcp_project) {
        Some(p) => facts.push(("gcp-project", p, "explicit".into())),
        None if matches!(action.tool.as_str(), "gcloud" | "gsutil") => {
            if let Some(p) = ctx.gcp_project() {
                facts.push(("gcp-project", p, "implicit, CLOUDSDK_CORE_PROJECT".into()));
            }
        }
        None => {}
    }
    let tf_tool = is_tool(action, &["terraform", "tofu", "terragrunt"]);
    match hint(&e.terraform_workspace) {
        Some(w) => facts.push(("terraform-workspace", w, "explicit".into())),
        None if tf_tool => {
            let chdir = action.targets.iter().find_map(|t| match t {
                Target::Path { path } => Some(path.as_str()),
                _ => None,
            });
            facts.push((
                "terraform-workspace",
                ctx.terraform_workspace(chdir),
                "implicit, the selected workspace".into(),
            ));
            if let Some(dir) = chdir {
                facts.push(("path", dir.to_string(), "-chdir".into()));
            }
        }
        None => {}
    }
    for file in &e.terraform_var_files {
        facts.push(("terraform-var-file", file.clone(), "explicit".into()));
    }
    for host in action_hosts(action) {
        facts.push(("host", host, "explicit".into()));
    }
    // `doppler run --config prd`, `kubectl exec pod@prod`: what it runs inside.
    for wrapper in action.wrappers.iter().filter(|w| w.contains(' ')) {
        facts.push(("wrapper", wrapper.clone(), "explicit".into()));
    }
    if let Some(dir) = e.directory.as_ref().and_then(Hint::value) {
        facts.push(("directory", dir.to_string(), "after `cd`".into()));
    }
    if let Some(cwd) = ctx.cwd() {
        facts.push(("path", cwd.to_string_lossy().into_owned(), "working directory".into()));
    }
    facts
}

fn action_hosts(action: &Action) -> Vec<String> {
    let mut hosts = action.env.hosts.clone();
    for target in &action.targets {
        if let Target::Host { name } = target
            && !hosts.contains(name)
        {
            hosts.push(name.clone());
        }
    }
    hosts
}

/// The environment an action runs in, as the knowledge's matchers say.
/// When several match, production wins: the gate errs on the careful side.
pub fn environment(data: &ArchivedPackData, action: &Action, ctx: &Context) -> Option<EnvironmentMatch> {
    let facts = facts(action, ctx);
    let mut found: Vec<EnvironmentMatch> = Vec::new();
    for archived in data.environments.iter() {
        let env: Environment = owned(archived);
        let m = &env.matchers;
        let hit = facts.iter().find(|(kind, value, _)| match *kind {
            "kube-context" => any_glob(&m.kube_contexts, value),
            "namespace" => any_glob(&m.namespaces, value),
            "aws-profile" => any_glob(&m.aws_profiles, value),
            "gcp-project" => any_glob(&m.gcp_projects, value),
            "terraform-workspace" => any_glob(&m.terraform_workspaces, value),
            "terraform-var-file" => {
                any_glob(&m.terraform_var_files, value)
                    || any_glob(&m.terraform_var_files, value.rsplit('/').next().unwrap_or(value))
            }
            "host" => any_glob(&m.hosts, value),
            // A directory matches a `dir/**` pattern when its contents would.
            "path" | "directory" => {
                any_glob(&m.paths, value) || any_glob(&m.paths, &format!("{}/_", value.trim_end_matches('/')))
            }
            _ => false,
        });
        if let Some((kind, value, how)) = hit {
            found.push(EnvironmentMatch {
                id: env.id.clone(),
                production: env.production,
                via: format!("{kind} {value} ({how})"),
            });
        }
    }
    found.sort_by_key(|e| !e.production);
    found.into_iter().next()
}

const PRODUCTION_WORDS: [&str; 4] = ["prod", "production", "prd", "live"];

pub fn looks_production_text(text: &str) -> bool {
    text.to_lowercase().split(|c: char| !c.is_ascii_alphanumeric()).any(is_production_word)
}

/// `prod`, `production`, `live`, numbered (`prod2`), and short codes that end
/// in `prd` (`gprd`, `xprd`), as operators abbreviate production.
fn is_production_word(word: &str) -> bool {
    PRODUCTION_WORDS.contains(&word)
        || word.strip_prefix("prod").is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
        || (word.ends_with("prd") && word.len() <= 5)
}

/// Without an environment record: what about the action says production,
/// such as `terraform-workspace live (explicit)`.
pub fn production_evidence(action: &Action, ctx: &Context) -> Option<String> {
    // Terraform keeps one directory per environment; other tools' files say nothing.
    let terraform = action.family() == "terraform";
    let fact = facts(action, ctx)
        .into_iter()
        .filter(|(kind, _, _)| *kind != "path" && (*kind != "directory" || terraform))
        .find(|(_, value, _)| looks_production_text(value))
        .map(|(kind, value, how)| format!("{kind} {value} ({how})"));
    fact.or_else(|| {
        action
            .targets
            .iter()
            .filter(|t| !matches!(t, Target::Path { .. }))
            .map(Target::short)
            .find(|t| looks_production_text(t))
            .map(|t| format!("target {t}"))
    })
}

/// Targets that could be systems (not local paths or git refs).
pub fn has_system_targets(action: &Action) -> bool {
    !action.env.hosts.is_empty()
        || action.targets.iter().any(|t| !matches!(t, Target::Path { .. } | Target::Git { .. }))
}

/// The kinds of what an action targets, for rules' `resource_kinds`.
pub fn target_kinds(action: &Action) -> Vec<String> {
    let mut kinds = Vec::new();
    for target in &action.targets {
        match target {
            Target::Kubernetes { kind, .. } => kinds.push(kind.clone()),
            Target::Cloud { service, resource_type, .. } => {
                kinds.push(service.clone());
                kinds.extend(resource_type.clone());
            }
            Target::Terraform { address } => {
                // module.a.aws_db_instance.main → aws_db_instance
                let parts: Vec<&str> = address.split('.').collect();
                if let Some(i) = parts.iter().rposition(|p| p.contains('_')) {
                    kinds.push(parts[i].split('[').next().unwrap_or(parts[i]).to_string());
                }
            }
            Target::Database { table, .. } => {
                kinds.push(if table.is_some() { "table" } else { "database" }.to_string())
            }
            Target::Host { .. } => kinds.push("host".into()),
            Target::Path { .. } => kinds.push("path".into()),
            Target::Git { .. } => kinds.push("git-ref".into()),
            Target::Other { value } => kinds.extend(value.split_once(':').map(|(k, _)| k.to_string())),
        }
    }
    kinds
}

/// The systems an action touches, through names, aliases, namespaces,
/// hosts, cloud ids, Terraform addresses and database names.
pub fn systems(data: &ArchivedPackData, action: &Action, ctx: &Context) -> Vec<u32> {
    let mut found: Vec<u32> = Vec::new();
    fn add(found: &mut Vec<u32>, ix: u32) {
        if !found.contains(&ix) {
            found.push(ix);
        }
    }
    let by_name = |name: &str| query::resolve(data, name);
    let namespace_hint = action.env.namespace.as_ref().and_then(|h| h.value()).map(str::to_string);
    for target in &action.targets {
        match target {
            Target::Kubernetes { kind, name, namespace, .. } => {
                if let Some(name) = name {
                    if kind == "namespace" {
                        for ix in with_namespace(data, name) {
                            add(&mut found, ix);
                        }
                    } else if let Some(ix) = by_name(name) {
                        add(&mut found, ix);
                    }
                    if kind == "node" || kind == "cluster" {
                        continue;
                    }
                }
                if let Some(ns) = namespace.clone().or_else(|| namespace_hint.clone())
                    && (name.is_none() || kind == "namespace" || found.is_empty())
                {
                    for ix in with_namespace(data, &ns) {
                        add(&mut found, ix);
                    }
                }
            }
            Target::Cloud { id: Some(id), .. } => {
                if let Some(ix) = by_name(id) {
                    add(&mut found, ix);
                }
                for ix in matching_systems(data, id, |s| &s.matchers.cloud_ids) {
                    add(&mut found, ix);
                }
            }
            Target::Terraform { address } => {
                for ix in matching_systems(data, address, |s| &s.matchers.terraform) {
                    add(&mut found, ix);
                }
            }
            Target::Database { database, table, .. } => {
                for name in [database, table].into_iter().flatten() {
                    for (ix, system) in data.systems.iter().enumerate() {
                        if system.matchers.databases.iter().any(|d| d.as_str().eq_ignore_ascii_case(name)) {
                            add(&mut found, ix as u32);
                        }
                    }
                }
                if let Some(ix) = database.as_deref().and_then(by_name) {
                    add(&mut found, ix);
                }
            }
            Target::Other { value } => {
                let name = value.split_once(':').map_or(value.as_str(), |(_, n)| n);
                if let Some(ix) = by_name(name) {
                    add(&mut found, ix);
                }
                if let Some(host) = value.split_once("://").map(|(_, r)| r.split(['/', ':']).next().unwrap_or(r)) {
                    for ix in host_systems(data, host) {
                        add(&mut found, ix);
                    }
                }
            }
            Target::Host { .. } | Target::Path { .. } | Target::Git { .. } | Target::Cloud { id: None, .. } => {}
        }
    }
    for host in action_hosts(action) {
        for ix in host_systems(data, &host) {
            add(&mut found, ix);
        }
    }
    // Nodes belong to the cluster the kube context names.
    let node_level = action.targets.iter().any(|t| matches!(t, Target::Kubernetes { kind, .. } if kind == "node"));
    let context = match &action.env.kube_context {
        Some(h) if h.source == HintSource::Explicit => h.value.clone(),
        Some(h) if h.is_implicit() => ctx.kube_current_context(),
        _ => None,
    };
    if node_level
        && let Some(context) = context
        && let Some(ix) = by_name(&context)
    {
        add(&mut found, ix);
    }
    // `kubectl -n payments delete pod x`: the namespace says whose pod it is.
    if found.is_empty()
        && let Some(ns) = &namespace_hint
    {
        for ix in with_namespace(data, ns) {
            add(&mut found, ix);
        }
    }
    found
}

fn with_namespace(data: &ArchivedPackData, namespace: &str) -> Vec<u32> {
    data.systems
        .iter()
        .enumerate()
        .filter(|(_, s)| s.matchers.namespaces.iter().any(|n| n.as_str() == namespace))
        .map(|(i, _)| i as u32)
        .collect()
}

fn matching_systems(data: &ArchivedPackData, value: &str, pick: fn(&lore_model::System) -> &Vec<String>) -> Vec<u32> {
    let mut out = Vec::new();
    for (ix, archived) in data.systems.iter().enumerate() {
        // Most systems have no such matchers; skip them without deserialising.
        if archived.matchers.cloud_ids.is_empty()
            && archived.matchers.terraform.is_empty()
            && archived.matchers.hosts.is_empty()
        {
            continue;
        }
        let system: lore_model::System = owned(archived);
        if any_glob(pick(&system), value) {
            out.push(ix as u32);
        }
    }
    out
}

fn host_systems(data: &ArchivedPackData, host: &str) -> Vec<u32> {
    let mut out = matching_systems(data, host, |s| &s.matchers.hosts);
    if out.is_empty()
        && let Some(ix) = query::resolve(data, host)
            .or_else(|| {
                let (label, rest) = host.split_once('.')?;
                let tld = rest.rsplit('.').next().unwrap_or(rest);
                (!["com", "net", "org", "io", "dev", "co", "cloud", "app"].contains(&tld))
                    .then(|| query::resolve(data, label))
                    .flatten()
            })
            .or_else(|| numbered_host_system(data, host))
    {
        out.push(ix);
    }
    out
}

/// Fleet hosts are named for their service and numbered: `redis-01-db-gprd`,
/// `web-3`, `redis-cache-02`. The longest named prefix before the number wins.
fn numbered_host_system(data: &ArchivedPackData, host: &str) -> Option<u32> {
    let label = host.split('.').next()?;
    let parts: Vec<&str> = label.split('-').collect();
    let numbered = parts.iter().position(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))?;
    (1..=numbered).rev().find_map(|n| query::resolve(data, &parts[..n].join("-")))
}

/// A name in the action (its context, cluster, hosts, directory, words) that
/// the knowledge says is production, and why: "`hellman`: 12 incident
/// reports happened on cluster `hellman` (dfds/PM2019-010.md:13)".
pub fn known_production(data: &ArchivedPackData, action: &Action) -> Option<String> {
    let names = &data.production_names;
    if names.is_empty() {
        return None;
    }
    let situation = crate::grounding::situation(action).to_lowercase();
    let words = situation.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'));
    // `live-1.cloud-platform.service` names `live-1`: also try each dotted part.
    let candidates = words.flat_map(|w| std::iter::once(w).chain(w.split('.')));
    candidates.filter(|w| w.len() >= 2).find_map(|w| {
        let at = names.binary_search_by(|n| n.name.as_str().cmp(w)).ok()?;
        let name = &names[at];
        let cite = owned::<lore_model::Provenance, _>(&name.provenance).cite();
        Some(format!("`{}`: {} ({cite})", name.name, name.why))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct matcher must say what globset says, for every pattern it takes.
    #[test]
    fn wildcards_match_as_globset_does() {
        let patterns = [
            "prod-*",
            "*prod*",
            "prod-?-*",
            "*",
            "**",
            "",
            "?",
            "a*b*c",
            "*.acme.internal",
            "**/infra/prod/**",
            "terraform destroy*",
            "module.payments_db.*",
            "*-eu-?",
            "x**y",
            "*a",
            "a*",
            "???",
            "p*d*",
        ];
        let values = [
            "prod-eu-1",
            "prod-",
            "prod",
            "staging",
            "",
            "a",
            "abc",
            "aXbYc",
            "acb",
            "payments-db.eu.acme.internal",
            "/home/u/infra/prod/app",
            "terraform destroy -auto-approve",
            "module.payments_db.aws_db_instance.this",
            "x/y",
            "xy",
            "préprod-1",
            "prod-é-2",
            "aaaa",
            "ab/c",
        ];
        for pattern in patterns {
            let reference =
                GlobBuilder::new(pattern).literal_separator(false).build().expect("pattern").compile_matcher();
            for value in values {
                assert_eq!(
                    glob_matches(pattern, value),
                    reference.is_match(value),
                    "pattern {pattern:?} against {value:?}"
                );
            }
        }
    }

    #[test]
    fn classes_alternatives_and_case_still_match() {
        assert!(glob_matches("prod-{eu,us}-[0-9]", "prod-us-3"));
        assert!(!glob_matches("prod-{eu,us}-[0-9]", "prod-ap-3"));
        assert!(glob_matches("PROD-*", "prod-eu-1"));
        assert!(!glob_matches("prod-[", "prod-["), "a bad pattern matches nothing");
    }
}
