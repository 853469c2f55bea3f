//! lore's own files: Markdown with YAML front matter (`kind: rule`, …) and
//! YAML files holding one or more records. The format is documented in
//! `docs/knowledge-format.md`; keep the two in step.

use lore_model::{
    ActionMatcher, Day, Decision, Edge, EdgeKind, EdgeOrigin, Environment, EnvironmentMatchers, Freeze, Freshness,
    Incident, Meta, Rule, Runbook, Scope, Severity, SourceKind, Status, System, SystemKind, SystemMatchers, Team,
    Timestamp, normalize_name,
};
use serde::Deserialize;

use crate::markdown::{self, FrontMatter};
use crate::yaml::{self, Document, Node};
use crate::{AliasDecl, DocKind, FileContext, FileOutput, SearchDoc, SystemHints};

pub const KINDS: [&str; 7] = ["system", "rule", "runbook", "incident", "environment", "freeze", "team"];

const COMMON_KEYS: [&str; 8] =
    ["kind", "owner", "reviewed", "review_every", "status", "superseded_by", "valid_from", "valid_until"];

/// Whether front matter declares a lore record. Malformed YAML counts as a
/// record when it mentions `kind:`, so its error is reported, not ignored.
pub fn declares_record(yaml_text: &str) -> bool {
    match yaml::parse_documents(yaml_text, 0) {
        Ok(docs) => docs.first().is_some_and(|d| is_record_node(&d.root())),
        Err(_) => yaml_text.lines().any(|l| l.trim_start().starts_with("kind:")),
    }
}

pub fn is_record_node(node: &Node<'_>) -> bool {
    node.str_at("kind").is_some_and(|k| KINDS.contains(&k.as_str()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Common {
    owner: Option<String>,
    reviewed: Option<Day>,
    review_every: Option<String>,
    status: Option<String>,
    superseded_by: Option<String>,
    valid_from: Option<Day>,
    valid_until: Option<Day>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DependencySpec {
    Name(String),
    Full {
        system: String,
        #[serde(default)]
        kind: Option<EdgeKind>,
        #[serde(default)]
        via: Option<String>,
    },
}

#[derive(Deserialize)]
struct SystemFile {
    id: Option<String>,
    name: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(rename = "type", default)]
    system_type: Option<SystemKind>,
    #[serde(default)]
    tier: Option<serde_json::Value>,
    lifecycle: Option<String>,
    #[serde(default)]
    owners: Vec<String>,
    #[serde(default)]
    environments: Vec<String>,
    description: Option<String>,
    part_of: Option<String>,
    #[serde(default)]
    depends_on: Vec<DependencySpec>,
    #[serde(default)]
    matchers: SystemMatchers,
}
const SYSTEM_KEYS: [&str; 13] = [
    "id",
    "name",
    "aliases",
    "type",
    "tier",
    "lifecycle",
    "owners",
    "environments",
    "description",
    "part_of",
    "depends_on",
    "matchers",
    "title",
];

#[derive(Deserialize)]
struct RuleFile {
    id: Option<String>,
    title: Option<String>,
    decision: Decision,
    rationale: Option<String>,
    instead: Option<String>,
    #[serde(default)]
    scope: Scope,
    #[serde(rename = "match", default)]
    matcher: ActionMatcher,
    #[serde(default)]
    incidents: Vec<String>,
}
const RULE_KEYS: [&str; 8] = ["id", "title", "decision", "rationale", "instead", "scope", "match", "incidents"];

#[derive(Deserialize)]
struct RunbookFile {
    id: Option<String>,
    title: Option<String>,
    #[serde(default)]
    systems: Vec<String>,
    #[serde(default)]
    covers: Vec<String>,
}
const RUNBOOK_KEYS: [&str; 4] = ["id", "title", "systems", "covers"];

#[derive(Deserialize)]
struct IncidentFile {
    id: Option<String>,
    title: Option<String>,
    date: Option<Day>,
    severity: Option<String>,
    #[serde(default)]
    systems: Vec<String>,
    trigger: Option<ActionMatcher>,
    trigger_text: Option<String>,
    summary: Option<String>,
    #[serde(default)]
    lessons: Vec<String>,
    #[serde(default)]
    rules: Vec<String>,
}
const INCIDENT_KEYS: [&str; 10] =
    ["id", "title", "date", "severity", "systems", "trigger", "trigger_text", "summary", "lessons", "rules"];

#[derive(Deserialize)]
struct EnvironmentFile {
    id: Option<String>,
    name: String,
    description: Option<String>,
    #[serde(default)]
    production: Option<bool>,
    #[serde(default)]
    matchers: EnvironmentMatchers,
}
const ENVIRONMENT_KEYS: [&str; 5] = ["id", "name", "description", "production", "matchers"];

#[derive(Deserialize)]
struct FreezeFile {
    id: Option<String>,
    reason: String,
    #[serde(default)]
    environments: Vec<String>,
    #[serde(default)]
    systems: Vec<String>,
    start: Timestamp,
    end: Timestamp,
}
const FREEZE_KEYS: [&str; 6] = ["id", "reason", "environments", "systems", "start", "end"];

#[derive(Deserialize)]
struct TeamFile {
    id: Option<String>,
    name: String,
    #[serde(default)]
    contacts: Vec<String>,
    #[serde(default)]
    escalation: Vec<String>,
    #[serde(default)]
    members: Vec<String>,
}
const TEAM_KEYS: [&str; 5] = ["id", "name", "contacts", "escalation", "members"];

/// The Markdown body of a front-matter record, where one exists.
struct Body<'a> {
    text: &'a str,
    first_line: u32,
    outline: markdown::Outline,
}

impl Body<'_> {
    fn section_items(&self, words: &[&str]) -> Vec<String> {
        self.outline
            .sections
            .iter()
            .find(|s| words.iter().any(|w| s.heading.to_lowercase().contains(w)))
            .map(|s| markdown::prose_items(self.text, self.first_line, (s.line_start, s.line_end)))
            .unwrap_or_default()
    }

    /// The prose before the first `##` heading: what a reader sees first.
    fn lead(&self) -> Option<String> {
        let end = self.outline.sections.iter().find(|s| s.level >= 2).map(|s| s.line_start.saturating_sub(1));
        let end = end.unwrap_or(u32::MAX);
        let items = markdown::prose_items(
            self.text,
            self.first_line.saturating_sub(1),
            (self.first_line.saturating_sub(1), end),
        );
        let text = items.join(" ");
        (!text.trim().is_empty()).then_some(text)
    }
}

pub fn markdown_record(ctx: &FileContext<'_>, text: &str, fm: &FrontMatter<'_>, out: &mut FileOutput) {
    let docs = match yaml::parse_documents(fm.yaml, fm.line_offset) {
        Ok(docs) => docs,
        Err(err) => {
            out.problem(
                ctx,
                err.line,
                Severity::Error,
                format!("malformed front matter: {}; read as a plain document", err.message),
            );
            crate::docs::plain_document(ctx, text, Some(fm), crate::Dialect::Markdown, out);
            return;
        }
    };
    let Some(doc) = docs.first() else { return };
    let body_text = &text[fm.body_start..];
    let body = Body { text: body_text, first_line: fm.body_line, outline: markdown::outline(body_text, fm.body_line) };
    let last_line = fm.body_line + body_text.lines().count().saturating_sub(1) as u32;
    record(ctx, doc.root(), Some(&body), (1, last_line.max(1)), out);
}

pub fn yaml_records(ctx: &FileContext<'_>, docs: &[Document], out: &mut FileOutput) {
    for doc in docs {
        let root = doc.root();
        let nodes = if root.items().is_empty() { vec![root] } else { root.items() };
        for node in nodes {
            if node.is_null() {
                continue;
            }
            record(ctx, node, None, (node.line(), node.end_line()), out);
        }
    }
}

fn record(ctx: &FileContext<'_>, node: Node<'_>, body: Option<&Body<'_>>, span: (u32, u32), out: &mut FileOutput) {
    let Some(kind) = node.str_at("kind") else {
        out.problem(ctx, node.line(), Severity::Error, format!("record without `kind` (one of: {})", KINDS.join(", ")));
        return;
    };
    let keys: &[&str] = match kind.as_str() {
        "system" => &SYSTEM_KEYS,
        "rule" => &RULE_KEYS,
        "runbook" => &RUNBOOK_KEYS,
        "incident" => &INCIDENT_KEYS,
        "environment" => &ENVIRONMENT_KEYS,
        "freeze" => &FREEZE_KEYS,
        "team" => &TEAM_KEYS,
        other => {
            let line = node.get("kind").map(|n| n.line()).unwrap_or(node.line());
            out.problem(ctx, line, Severity::Error, format!("unknown kind `{other}` (one of: {})", KINDS.join(", ")));
            return;
        }
    };
    for (key, value) in node.entries() {
        if !keys.contains(&key.as_str()) && !COMMON_KEYS.contains(&key.as_str()) {
            out.problem(ctx, value.line(), Severity::Warning, format!("unknown field `{key}` in {kind}; ignored"));
        }
    }
    let common: Common = match node.deserialize() {
        Ok(c) => c,
        Err(err) => {
            out.problem(ctx, err.line, Severity::Error, format!("{kind}: {}", err.message));
            return;
        }
    };
    let Some(meta) = meta(ctx, &common, span, node, out) else { return };
    let result = match kind.as_str() {
        "system" => system(ctx, node, body, meta, out),
        "rule" => rule(ctx, node, body, meta, out),
        "runbook" => runbook(ctx, node, body, meta, out),
        "incident" => incident(ctx, node, body, meta, out),
        "environment" => environment(node, meta, out),
        "freeze" => freeze(node, meta, out),
        "team" => team(node, meta, out),
        _ => Ok(()),
    };
    if let Err(err) = result {
        out.problem(ctx, err.line, Severity::Error, format!("{kind}: {}", err.message));
    }
}

fn meta(
    ctx: &FileContext<'_>,
    common: &Common,
    span: (u32, u32),
    node: Node<'_>,
    out: &mut FileOutput,
) -> Option<Meta> {
    let review_every_days = match &common.review_every {
        Some(text) => match crate::config::parse_interval_days(text) {
            Some(days) => Some(days),
            None => {
                let line = node.get("review_every").map(|n| n.line()).unwrap_or(span.0);
                out.problem(
                    ctx,
                    line,
                    Severity::Error,
                    format!("review_every: `{text}` is not an interval such as 90d"),
                );
                return None;
            }
        },
        None => None,
    };
    let status = match (common.status.as_deref(), &common.superseded_by) {
        (_, Some(by)) => Status::SupersededBy(by.clone()),
        (None | Some("active"), None) => Status::Active,
        (Some("proposed"), None) => Status::Proposed,
        (Some("deprecated"), None) => Status::Deprecated,
        (Some(other), None) => {
            let line = node.get("status").map(|n| n.line()).unwrap_or(span.0);
            out.problem(
                ctx,
                line,
                Severity::Error,
                format!("status: `{other}` is not one of active, proposed, deprecated (or set superseded_by)"),
            );
            return None;
        }
    };
    Some(Meta {
        provenance: ctx.provenance(span.0, span.1, SourceKind::Lore),
        owner: common.owner.clone(),
        freshness: Freshness {
            reviewed: common.reviewed,
            review_every_days,
            valid_from: common.valid_from,
            valid_until: common.valid_until,
        },
        status,
    })
}

fn search_doc(
    ctx: &FileContext<'_>,
    kind: DocKind,
    id: &str,
    title: &str,
    systems: &[String],
    body: Option<&Body<'_>>,
) -> Option<SearchDoc> {
    let body = body?;
    Some(SearchDoc {
        kind,
        record_id: id.to_string(),
        path: ctx.rel_path.to_string(),
        title: title.to_string(),
        aliases: Vec::new(),
        keywords: Vec::new(),
        description: String::new(),
        hints: SystemHints { explicit: systems.to_vec(), ..Default::default() },
        chunks: body.outline.chunks.clone(),
    })
}

fn fallback_id(ctx: &FileContext<'_>, explicit: Option<&str>, title: Option<&str>) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| title.map(markdown::slug).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| markdown::slug(&ctx.file_stem()))
}

fn system(
    ctx: &FileContext<'_>,
    node: Node<'_>,
    body: Option<&Body<'_>>,
    meta: Meta,
    out: &mut FileOutput,
) -> Result<(), yaml::YamlError> {
    let file: SystemFile = node.deserialize()?;
    let name = file
        .name
        .clone()
        .or(file.id.clone())
        .ok_or(yaml::YamlError { line: node.line(), message: "a system needs a `name`".into() })?;
    let id = normalize_name(file.id.as_deref().unwrap_or(&name));
    let tier = match &file.tier {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => {
            let text = value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string());
            Some(crate::catalog::parse_tier(&text).ok_or(yaml::YamlError {
                line: node.get("tier").map(|n| n.line()).unwrap_or(node.line()),
                message: format!("tier: `{text}` is not a tier (1-4, tier-1, critical, high, medium, low)"),
            })?)
        }
    };
    for alias in &file.aliases {
        out.aliases.push(AliasDecl {
            alias: normalize_name(alias),
            system: id.clone(),
            provenance: meta.provenance.clone(),
        });
    }
    let deps_line = node.get("depends_on").map(|n| n.items()).unwrap_or_default();
    for (i, dep) in file.depends_on.iter().enumerate() {
        let (target, kind, via) = match dep {
            DependencySpec::Name(name) => (name.clone(), EdgeKind::DependsOn, None),
            DependencySpec::Full { system, kind, via } => {
                (system.clone(), kind.unwrap_or(EdgeKind::DependsOn), via.clone())
            }
        };
        let line = deps_line.get(i).map(|n| n.line()).unwrap_or(node.line());
        out.edges.push(Edge {
            from: id.clone(),
            to: normalize_name(&target),
            kind,
            origin: EdgeOrigin::Declared,
            via: via.unwrap_or_else(|| "depends_on".into()),
            provenance: ctx.provenance(line, line, SourceKind::Lore),
        });
    }
    let mut matchers = file.matchers;
    matchers.aliases.extend(file.aliases);
    let mut owners = file.owners;
    if let Some(owner) = &meta.owner
        && !owners.contains(owner)
    {
        owners.insert(0, owner.clone());
    }
    let description = file.description.or_else(|| body.and_then(Body::lead));
    out.documents.extend(search_doc(ctx, DocKind::System, &id, &name, std::slice::from_ref(&id), body));
    out.systems.push(System {
        id,
        name,
        kind: file.system_type.unwrap_or(SystemKind::Service),
        description,
        tier,
        lifecycle: file.lifecycle,
        owners,
        environments: file.environments,
        matchers,
        part_of: file.part_of.map(|p| normalize_name(&p)),
        labels: Vec::new(),
        meta,
        also_from: Vec::new(),
    });
    Ok(())
}

fn rule(
    ctx: &FileContext<'_>,
    node: Node<'_>,
    body: Option<&Body<'_>>,
    meta: Meta,
    out: &mut FileOutput,
) -> Result<(), yaml::YamlError> {
    let file: RuleFile = node.deserialize()?;
    let title = file.title.clone().unwrap_or_else(|| file.id.clone().unwrap_or_default());
    let id = fallback_id(ctx, file.id.as_deref(), file.title.as_deref());
    let rationale = file.rationale.or_else(|| {
        let items = body.map(|b| b.section_items(&["why", "rationale"])).unwrap_or_default();
        if items.is_empty() { body.and_then(Body::lead) } else { Some(items.join(" ")) }
    });
    let Some(rationale) = rationale.filter(|r| !r.trim().is_empty()) else {
        return Err(yaml::YamlError {
            line: node.line(),
            message: format!("rule `{id}` has no rationale: a rule must say why (field `rationale`, or a body)"),
        });
    };
    let instead = file.instead.or_else(|| {
        let items = body.map(|b| b.section_items(&["instead", "safer alternative"])).unwrap_or_default();
        (!items.is_empty()).then(|| items.join(" "))
    });
    let scope = Scope {
        systems: file.scope.systems.iter().map(|s| normalize_name(s)).collect(),
        environments: file.scope.environments.iter().map(|e| normalize_name(e)).collect(),
    };
    out.documents.extend(search_doc(ctx, DocKind::Rule, &id, &title, &scope.systems, body));
    out.rules.push(Rule {
        id,
        title,
        decision: file.decision,
        rationale: rationale.trim().to_string(),
        instead,
        scope,
        matcher: file.matcher,
        incidents: file.incidents,
        meta,
    });
    Ok(())
}

fn runbook(
    ctx: &FileContext<'_>,
    node: Node<'_>,
    body: Option<&Body<'_>>,
    meta: Meta,
    out: &mut FileOutput,
) -> Result<(), yaml::YamlError> {
    let file: RunbookFile = node.deserialize()?;
    let title =
        file.title.clone().or_else(|| body.and_then(|b| b.outline.title.clone())).unwrap_or_else(|| ctx.file_stem());
    let id = fallback_id(ctx, file.id.as_deref(), Some(&title));
    let systems: Vec<String> = file.systems.iter().map(|s| normalize_name(s)).collect();
    out.documents.extend(search_doc(ctx, DocKind::Runbook, &id, &title, &systems, body));
    out.runbooks.push(Runbook {
        id,
        title,
        path: ctx.rel_path.to_string(),
        systems,
        covers: file.covers,
        sections: body.map(|b| b.outline.sections.clone()).unwrap_or_default(),
        meta,
    });
    Ok(())
}

fn incident(
    ctx: &FileContext<'_>,
    node: Node<'_>,
    body: Option<&Body<'_>>,
    meta: Meta,
    out: &mut FileOutput,
) -> Result<(), yaml::YamlError> {
    let file: IncidentFile = node.deserialize()?;
    let title =
        file.title.clone().or_else(|| body.and_then(|b| b.outline.title.clone())).unwrap_or_else(|| ctx.file_stem());
    let id = fallback_id(ctx, file.id.as_deref(), Some(&title));
    let summary = file
        .summary
        .or_else(|| {
            let items = body.map(|b| b.section_items(&["summary"])).unwrap_or_default();
            (!items.is_empty()).then(|| items.join(" "))
        })
        .or_else(|| body.and_then(Body::lead))
        .unwrap_or_default();
    let lessons = if file.lessons.is_empty() {
        body.map(|b| b.section_items(&["lesson"])).unwrap_or_default()
    } else {
        file.lessons
    };
    let systems: Vec<String> = file.systems.iter().map(|s| normalize_name(s)).collect();
    out.documents.extend(search_doc(ctx, DocKind::Incident, &id, &title, &systems, body));
    out.incidents.push(Incident {
        id,
        title,
        date: file.date,
        severity: file.severity,
        systems,
        trigger: file.trigger,
        trigger_text: file.trigger_text,
        summary,
        lessons,
        rules: file.rules,
        meta,
    });
    Ok(())
}

fn environment(node: Node<'_>, meta: Meta, out: &mut FileOutput) -> Result<(), yaml::YamlError> {
    let file: EnvironmentFile = node.deserialize()?;
    let id = normalize_name(file.id.as_deref().unwrap_or(&file.name));
    let production = file.production.unwrap_or_else(|| ["production", "prod", "prd"].contains(&id.as_str()));
    out.environments.push(Environment {
        id,
        name: file.name,
        description: file.description,
        production,
        matchers: file.matchers,
        meta,
    });
    Ok(())
}

fn freeze(node: Node<'_>, meta: Meta, out: &mut FileOutput) -> Result<(), yaml::YamlError> {
    let file: FreezeFile = node.deserialize()?;
    if file.end <= file.start {
        return Err(yaml::YamlError {
            line: node.get("end").map(|n| n.line()).unwrap_or(node.line()),
            message: format!("end ({}) is not after start ({})", file.end, file.start),
        });
    }
    if file.environments.is_empty() && file.systems.is_empty() {
        return Err(yaml::YamlError {
            line: node.line(),
            message: "a freeze needs `environments` or `systems` to say what it freezes".into(),
        });
    }
    let id = file.id.unwrap_or_else(|| format!("freeze-{}", file.start.day()));
    out.freezes.push(Freeze {
        id,
        reason: file.reason,
        environments: file.environments.iter().map(|e| normalize_name(e)).collect(),
        systems: file.systems.iter().map(|s| normalize_name(s)).collect(),
        start: file.start,
        end: file.end,
        meta,
    });
    Ok(())
}

fn team(node: Node<'_>, meta: Meta, out: &mut FileOutput) -> Result<(), yaml::YamlError> {
    let file: TeamFile = node.deserialize()?;
    let id = normalize_name(file.id.as_deref().unwrap_or(&file.name));
    out.teams.push(Team {
        id,
        name: file.name,
        contacts: file.contacts,
        escalation: file.escalation,
        members: file.members,
        meta,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::SourceSetting;
    use crate::test_support::ingest_text;
    use lore_model::{ActionClass, Decision, Severity, Status};

    #[test]
    fn rule_from_front_matter_takes_why_and_instead_from_the_body() {
        let text = "---\nkind: rule\nid: no-destroy\ntitle: Never destroy prod\ndecision: deny\nscope:\n  environments: [Production]\nmatch:\n  classes: [delete, bulk-destroy]\n  tools: [terraform]\nowner: platform\nreviewed: 2026-10-01\nreview_every: 90d\n---\n# Never destroy prod\n\n## Why\n\nIt took 13 hours to recover.\n\n## Instead\n\nUse `terraform plan -destroy` and ask platform.\n";
        let out = ingest_text("rules/no-destroy.md", text, SourceSetting::Auto);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let rule = &out.rules[0];
        assert_eq!(rule.decision, Decision::Deny);
        assert_eq!(rule.scope.environments, vec!["production"]);
        assert_eq!(rule.matcher.classes, vec![ActionClass::Delete, ActionClass::BulkDestroy]);
        assert_eq!(rule.rationale, "It took 13 hours to recover.");
        assert_eq!(rule.instead.as_deref(), Some("Use `terraform plan -destroy` and ask platform."));
        assert_eq!(rule.meta.owner.as_deref(), Some("platform"));
        assert_eq!(rule.meta.freshness.review_every_days, Some(90));
        assert_eq!(out.documents.len(), 1);
    }

    #[test]
    fn a_rule_without_rationale_is_an_error_naming_the_line() {
        let out = ingest_text(
            "rules.yaml",
            "- kind: rule\n  id: a\n  decision: warn\n  rationale: ok\n- kind: rule\n  id: b\n  decision: deny\n",
            SourceSetting::Auto,
        );
        assert_eq!(out.rules.len(), 1, "the valid rule still loads");
        let err = &out.diagnostics[0];
        assert_eq!((err.line, err.severity), (5, Severity::Error));
        assert!(err.message.contains("rationale"), "{}", err.message);
    }

    #[test]
    fn bad_field_values_name_their_line() {
        let out = ingest_text("x.yaml", "kind: rule\nid: a\nrationale: r\ndecision: maybe\n", SourceSetting::Auto);
        assert!(out.rules.is_empty());
        assert_eq!(out.diagnostics[0].line, 4, "{:?}", out.diagnostics);
        let out = ingest_text("x.yaml", "kind: system\nname: a\ntier: 1\nownr: me\n", SourceSetting::Auto);
        assert_eq!(out.systems.len(), 1);
        assert_eq!((out.diagnostics[0].line, out.diagnostics[0].severity), (4, Severity::Warning));
    }

    #[test]
    fn multi_record_yaml_and_every_kind() {
        let text = r##"kind: system
name: payments-api
aliases: [payments]
type: service
tier: 1
owner: team-payments
environments: [production]
depends_on:
  - payments-db
  - { system: ledger, kind: calls }
matchers:
  namespaces: [payments]
  hosts: ["pay-*.prod.example.com"]
---
kind: environment
name: production
matchers:
  kube_contexts: [prod-eu]
---
kind: freeze
id: holiday
reason: Holiday freeze
environments: [production]
start: 2026-12-20
end: 2027-01-04T00:00:00Z
---
kind: team
name: team-payments
contacts: ["#payments"]
escalation: [alice, bob]
---
kind: incident
id: INC-1
title: Deleted prod
date: 2025-06-01
severity: sev1
systems: [payments-api]
trigger: { classes: [delete, recreate] }
summary: An agent deleted and recreated production.
status: proposed
"##;
        let out = ingest_text("knowledge.yaml", text, SourceSetting::Auto);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let sys = &out.systems[0];
        assert_eq!((sys.tier, sys.owners.clone()), (Some(1), vec!["team-payments".to_string()]));
        assert_eq!(out.edges.len(), 2);
        assert_eq!(out.edges[1].kind, lore_model::EdgeKind::Calls);
        assert_eq!(out.edges[1].provenance.line_start, 10);
        assert_eq!(out.aliases[0].alias, "payments");
        assert!(out.environments[0].production);
        assert_eq!(out.freezes[0].end.to_string(), "2027-01-04T00:00:00Z");
        assert_eq!(out.teams[0].escalation, vec!["alice", "bob"]);
        assert_eq!(out.incidents[0].meta.status, Status::Proposed);
        assert!(out.incidents[0].is_severe());
    }

    #[test]
    fn freeze_must_end_after_it_starts() {
        let out = ingest_text(
            "f.yaml",
            "kind: freeze\nreason: x\nenvironments: [prod]\nstart: 2026-12-20\nend: 2026-12-01\n",
            SourceSetting::Auto,
        );
        assert!(out.freezes.is_empty());
        assert_eq!(out.diagnostics[0].line, 5);
    }

    #[test]
    fn malformed_front_matter_names_the_line() {
        let out = ingest_text("r.md", "---\nkind: rule\ndecision: [deny\n---\n# x\n\ntext\n", SourceSetting::Auto);
        assert!(out.rules.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
        assert!(out.diagnostics[0].message.contains("malformed front matter"));
        assert_eq!(out.documents.len(), 1, "the body is still searchable");
    }
}
