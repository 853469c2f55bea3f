//! The MCP adapter: the only module that knows the SDK (`rmcp`). lore's
//! tools, resources and prompts are described here as plain JSON and passed
//! through serde into the SDK's types, so an SDK release that renames its
//! builders touches this file alone, and the wire format is the spec's.

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, GetPromptRequestParams, GetPromptResponse,
    GetPromptResult, Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, ServiceExt};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use utoipa::PartialSchema;

use crate::ServeError;
use crate::api;
use crate::config::Caller;
use crate::state::Shared;
use lore_service::Error;

/// The tools, in the order clients list them.
pub const TOOLS: [&str; 8] = [
    "check_action",
    "brief_system",
    "blast_radius",
    "search_knowledge",
    "list_rules",
    "get_incident",
    "get_runbook",
    "propose_knowledge",
];

fn tool_definitions() -> Value {
    fn schema<T: PartialSchema>() -> Value {
        serde_json::to_value(T::schema()).unwrap_or_else(|_| json!({ "type": "object" }))
    }
    let tool = |name: &str, title: &str, description: &str, read_only: bool, input: Value| {
        json!({
            "name": name,
            "title": title,
            "description": description,
            "inputSchema": input,
            "annotations": {
                "title": title,
                "readOnlyHint": read_only,
                "destructiveHint": false,
                "idempotentHint": read_only,
                "openWorldHint": false,
            },
        })
    };
    json!([
        tool(
            "check_action",
            "Check an action before running it",
            "Check a proposed action (shell command, SQL, Terraform plan JSON, Kubernetes manifests) against the organisation's rules, incidents and dependency graph BEFORE running it. Returns allow, warn, ask or deny with cited reasons, what to know, a safer alternative and whom to escalate to. Do not run the action on deny; on ask, stop and ask a human. Every call is logged.",
            false,
            schema::<api::CheckRequest>()
        ),
        tool(
            "brief_system",
            "Brief me on a system",
            "Everything to know before touching a system: owners, rules and why, past incidents, freezes, dependents and blast radius, runbooks, escalation, and how fresh each fact is. Compact by default; raise `budget` for more.",
            true,
            schema::<api::BriefRequest>()
        ),
        tool(
            "blast_radius",
            "What depends on a system",
            "Systems that depend on the given one, transitively, with the path and the evidence for each edge. Paged.",
            true,
            schema::<api::BlastRequest>()
        ),
        tool(
            "search_knowledge",
            "Search runbooks, incidents and rules",
            "Full-text search over runbooks, postmortems, rules and system pages; every hit cites path:line. Paged.",
            true,
            schema::<api::SearchKnowledgeRequest>()
        ),
        tool(
            "list_rules",
            "List the rules",
            "The rules that apply, filtered by system and environment, each with its decision, rationale, safer alternative and citation. Paged.",
            true,
            schema::<api::ListRulesRequest>()
        ),
        tool(
            "get_incident",
            "Read an incident",
            "One postmortem by id: what happened, what set it off, lessons, and the rules it led to.",
            true,
            schema::<api::GetIncidentRequest>()
        ),
        tool(
            "get_runbook",
            "Read a runbook section",
            "A runbook's text by id (optionally `ID#section`) or by `path:line`, with its citation.",
            true,
            schema::<api::GetRunbookRequest>()
        ),
        tool(
            "propose_knowledge",
            "Propose knowledge for review",
            "Propose a rule, fact, dependency or incident lesson you learned. It is stored as proposed: shown as unreviewed, never enforced, until a human approves it.",
            false,
            schema::<api::ProposeRequest>()
        ),
    ])
}

/// Converts lore's JSON into an SDK type.
fn sdk<T: DeserializeOwned>(value: Value) -> Result<T, ErrorData> {
    serde_json::from_value(value).map_err(|e| ErrorData::internal_error(format!("lore's MCP adapter: {e}"), None))
}

fn args<T: DeserializeOwned>(arguments: Option<serde_json::Map<String, Value>>) -> Result<T, Error> {
    serde_json::from_value(Value::Object(arguments.unwrap_or_default()))
        .map_err(|e| Error::Invalid(format!("invalid arguments: {e}")))
}

/// lore's MCP server: its tools, resources and prompts over the shared knowledge.
#[derive(Clone)]
pub struct LoreMcp {
    shared: Arc<Shared>,
    /// `mcp` (stdio) or `mcp-http`, for the decision log.
    source: &'static str,
}

impl LoreMcp {
    /// A server over `shared`; `source` names the transport in the decision log.
    pub fn new(shared: Arc<Shared>, source: &'static str) -> LoreMcp {
        LoreMcp { shared, source }
    }

    fn run_tool(
        &self,
        name: &str,
        arguments: Option<serde_json::Map<String, Value>>,
        caller: Option<Caller>,
        client: Option<String>,
    ) -> api::Answer {
        let loaded = self.shared.current();
        match name {
            "check_action" => {
                let mut request: api::CheckRequest = args(arguments)?;
                // Without a token, the log names the client as it introduced itself.
                request.agent = request.agent.or(client);
                api::check(&self.shared, request, caller.as_ref(), self.source)
            }
            "brief_system" => api::brief(&loaded, &args(arguments)?),
            "blast_radius" => api::blast(&loaded, &args(arguments)?),
            "search_knowledge" => api::search(&loaded, &args(arguments)?),
            "list_rules" => api::rules(&loaded, &args(arguments)?),
            "get_incident" => api::incident(&loaded, &args(arguments)?),
            "get_runbook" => api::runbook(&loaded, &args(arguments)?),
            "propose_knowledge" => api::propose(&self.shared, args(arguments)?, caller.as_ref()),
            other => Err(Error::Invalid(format!("no tool named `{other}`; lore's tools: {}", TOOLS.join(", ")))),
        }
    }

    /// Serves MCP on stdin and stdout until the client goes away.
    pub async fn serve_stdio(self) -> Result<(), ServeError> {
        let running = self.serve(rmcp::transport::stdio()).await.map_err(|e| ServeError::Mcp(e.to_string()))?;
        running.waiting().await.map_err(|e| ServeError::Mcp(e.to_string()))?;
        Ok(())
    }
}

/// The client's name from its handshake (sessions) or the request's `_meta` (stateless).
fn client_of(context: &RequestContext<RoleServer>) -> Option<String> {
    context
        .peer
        .peer_info()
        .map(|info| info.client_info.name.clone())
        .or_else(|| context.meta.client_info().map(|info| info.name))
}

fn caller_of(context: &RequestContext<RoleServer>) -> Option<Caller> {
    context.extensions.get::<axum::http::request::Parts>().and_then(|parts| parts.extensions.get::<Caller>().cloned())
}

/// Tool results as the model reads them: compact JSON text, plus the same
/// value as structured content; lore's own errors are tool errors the model can act on.
fn tool_result(result: api::Answer) -> Result<CallToolResult, ErrorData> {
    let value = match result {
        Ok(value) => json!({
            "content": [{ "type": "text", "text": serde_json::to_string(&value).unwrap_or_default() }],
            "structuredContent": value,
            "isError": false,
        }),
        Err(err) => {
            let mut text = err.to_string();
            if let Error::NotFound { suggestions, .. } = &err
                && !suggestions.is_empty()
            {
                text.push_str(&format!("; did you mean {}?", suggestions.join(", ")));
            }
            json!({ "content": [{ "type": "text", "text": text }], "isError": true })
        }
    };
    sdk(value)
}

fn resource_uri(kind: &str, id: &str) -> String {
    format!("lore://{kind}/{id}")
}

impl ServerHandler for LoreMcp {
    fn get_info(&self) -> ServerConfig {
        let info: Implementation = serde_json::from_value(json!({
            "name": "lore",
            "title": "lore: institutional knowledge for agents",
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .unwrap_or_else(|_| Implementation::from_build_env());
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_resources().enable_prompts().build())
            .with_server_info(info)
            .with_instructions(
                "lore knows this organisation's systems, dependencies, rules, incidents and runbooks. \
                 Call check_action with the exact command before any action on infrastructure or data, \
                 and brief_system before working on a system you do not know.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        sdk(json!({ "tools": tool_definitions() }))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        if !TOOLS.contains(&name.as_str()) {
            return Err(ErrorData::invalid_params(format!("no tool named `{name}`"), None));
        }
        let (caller, client) = (caller_of(&context), client_of(&context));
        let this = self.clone();
        let arguments = request.arguments;
        let result = tokio::task::spawn_blocking(move || this.run_tool(&name, arguments, caller, client))
            .await
            .unwrap_or_else(|e| Err(Error::Internal(format!("the tool failed: {e}"))));
        Ok(tool_result(result)?.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let loaded = self.shared.current();
        let Some(pack) = &loaded.pack else { return sdk(json!({ "resources": [] })) };
        let built = pack.manifest().built_at.to_string();
        let data = pack.data();
        let mut resources: Vec<Value> = (0..data.systems.len() as u32)
            .map(|ix| {
                let system = lore_pack::query::system(data, ix);
                let modified = system.meta.freshness.reviewed.map_or_else(|| built.clone(), |d| format!("{d}T00:00:00Z"));
                json!({
                    "uri": resource_uri("system", &system.id),
                    "name": system.id,
                    "title": format!("System {}", system.name),
                    "description": format!("Briefing on {}: owners, rules, incidents, dependents, runbooks", system.name),
                    "mimeType": "application/json",
                    "annotations": { "lastModified": modified },
                })
            })
            .collect();
        for rule in pack.data().rules.iter() {
            resources.push(json!({
                "uri": resource_uri("rule", rule.id.as_str()),
                "name": rule.id.as_str(),
                "title": rule.title.as_str(),
                "mimeType": "application/json",
                "annotations": { "lastModified": built },
            }));
        }
        sdk(json!({ "resources": resources }))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        sdk(json!({ "resourceTemplates": [
            { "uriTemplate": "lore://system/{name}", "name": "system", "description": "A system's briefing", "mimeType": "application/json" },
            { "uriTemplate": "lore://rule/{id}", "name": "rule", "description": "A rule with its rationale and source", "mimeType": "application/json" },
            { "uriTemplate": "lore://runbook/{id}", "name": "runbook", "description": "A runbook's text; `{id}#{section}` for one section", "mimeType": "application/json" },
            { "uriTemplate": "lore://incident/{id}", "name": "incident", "description": "A postmortem", "mimeType": "application/json" },
        ]}))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        let Some((kind, id)) = uri.strip_prefix("lore://").and_then(|rest| rest.split_once('/')) else {
            return Err(ErrorData::resource_not_found(format!("`{uri}` is not a lore:// resource"), None));
        };
        let loaded = self.shared.current();
        let result = match kind {
            "system" => api::system_page(&loaded, id),
            "rule" => api::rule(&loaded, id),
            "incident" => api::incident(&loaded, &api::GetIncidentRequest { id: id.to_string() }),
            "runbook" => {
                api::runbook(&loaded, &api::GetRunbookRequest { id: Some(id.to_string()), path: None, max_bytes: None })
            }
            _ => Err(Error::NotFound { message: format!("no resource kind `{kind}`"), suggestions: Vec::new() }),
        };
        match result {
            Ok(value) => {
                let text = serde_json::to_string_pretty(&value).unwrap_or_default();
                let result: ReadResourceResult =
                    sdk(json!({ "contents": [{ "uri": uri, "mimeType": "application/json", "text": text }] }))?;
                Ok(result.into())
            }
            Err(Error::NotFound { message, .. }) => Err(ErrorData::resource_not_found(message, None)),
            Err(err) => Err(ErrorData::internal_error(err.to_string(), None)),
        }
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        sdk(json!({ "prompts": [{
            "name": "before-production",
            "title": "Before you act on production",
            "description": "A checklist for changing a production system, with its briefing pulled in.",
            "arguments": [
                { "name": "system", "description": "The system you are about to change", "required": true },
                { "name": "action", "description": "What you plan to run", "required": false },
            ],
        }]}))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        if request.name != "before-production" {
            return Err(ErrorData::invalid_params(format!("no prompt named `{}`", request.name), None));
        }
        let arguments = request.arguments.unwrap_or_default();
        let text_arg = |name: &str| arguments.get(name).and_then(Value::as_str).map(str::to_string);
        let Some(system) = text_arg("system") else {
            return Err(ErrorData::invalid_params("the prompt needs `system`", None));
        };
        let loaded = self.shared.current();
        let text = api::checklist(&loaded, &system, text_arg("action").as_deref()).map_err(|err| match err {
            Error::NotFound { message, .. } => ErrorData::invalid_params(message, None),
            other => ErrorData::internal_error(other.to_string(), None),
        })?;
        let result: GetPromptResult = sdk(json!({
            "description": format!("Before you act on {system} in production"),
            "messages": [{ "role": "user", "content": { "type": "text", "text": text } }],
        }))?;
        Ok(result.into())
    }
}
