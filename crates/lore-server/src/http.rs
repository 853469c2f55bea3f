//! The HTTP server: the JSON API under `/v1`, MCP at `/mcp`, health checks
//! and the OpenAPI document, behind bearer tokens and request limits.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{self, ProposeRequest};
use crate::config::{Caller, Role};
use crate::console;
use crate::mcp::LoreMcp;
use crate::state::Shared;
use lore_service::Error;

#[derive(Clone)]
struct App {
    shared: Arc<Shared>,
    permits: Arc<Semaphore>,
}

/// An error as `application/problem+json` (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// The HTTP status.
    status: u16,
    /// A short summary of the kind of problem.
    title: String,
    /// What went wrong with this request, and what to do about it.
    detail: String,
    /// Names that were close to the one asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<String>,
}

impl Problem {
    fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            detail: detail.into(),
            suggestions: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(&self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<Error> for Problem {
    fn from(err: Error) -> Problem {
        match err {
            Error::NotFound { message, suggestions } => {
                Problem { suggestions, ..Problem::new(StatusCode::NOT_FOUND, message) }
            }
            Error::Invalid(message) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, message),
            Error::Unavailable(message) => Problem::new(StatusCode::SERVICE_UNAVAILABLE, message),
            other => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        }
    }
}

/// `Json`, with its rejections (malformed, wrong type, too large) as problems.
struct ApiJson<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| Problem::new(rejection.status(), rejection.body_text()))?;
        let value = match Json::<T>::from_request(Request::from_parts(parts, bytes.clone().into()), state).await {
            Ok(Json(value)) => value,
            Err(rejection) => return Err(json_problem(rejection)),
        };
        // serde reads a struct from an array too (`[10]` as `{"minutes": 10}`); the API documents objects.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "the body must be a JSON object"));
        }
        Ok(ApiJson(value))
    }
}

fn json_problem(rejection: JsonRejection) -> Problem {
    let status = rejection.status();
    let detail = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON, with `Content-Type: application/json`".into()
        }
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => "the request body is larger than the server accepts".into(),
        _ => rejection.body_text(),
    };
    Problem::new(status, detail)
}

/// `Query`, with its rejections as problems.
struct ApiQuery<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|rejection: QueryRejection| Problem::new(StatusCode::BAD_REQUEST, rejection.body_text()))
    }
}

/// `Path`, with its rejections as problems.
struct ApiPath<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Problem> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|rejection: PathRejection| Problem::new(StatusCode::BAD_REQUEST, rejection.body_text()))
    }
}

type ApiResult = Result<Json<Value>, Problem>;

/// Refuses a caller whose token's role is below `needed`, before the
/// request's body is read; a layer on each group of routes (see [`api`]).
/// Without tokens the server listens on loopback only and every caller may
/// do everything.
async fn require_role(State(needed): State<Role>, request: Request, next: Next) -> Response {
    match request.extensions().get::<Caller>() {
        Some(caller) if caller.role < needed => Problem::new(
            StatusCode::FORBIDDEN,
            format!("this needs a token with the {} role; yours is {}", needed.name(), caller.role.name()),
        )
        .into_response(),
        _ => next.run(request).await,
    }
}

/// Runs a blocking operation off the async threads.
async fn blocking(f: impl FnOnce() -> api::Answer + Send + 'static) -> ApiResult {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map(Json).map_err(Problem::from),
        Err(err) => Err(Problem::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the request failed: {err}"))),
    }
}

/// Check a proposed action: allow, warn, ask or deny, with reasons. Logged like a hook call.
#[utoipa::path(post, path = "/v1/check", tag = "gate", request_body = api::CheckRequest,
    responses(
        (status = 200, description = "The decision, its reasons and briefing", body = Value),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid request", body = Problem, content_type = "application/problem+json"),
    ))]
async fn check(
    State(app): State<App>,
    caller: Option<Extension<Caller>>,
    ApiJson(request): ApiJson<api::CheckRequest>,
) -> ApiResult {
    let caller = caller.map(|Extension(c)| c);
    blocking(move || api::check(&app.shared, request, caller.as_ref(), "http")).await
}

/// Every system, with its owners, tier and dependency counts.
#[utoipa::path(get, path = "/v1/systems", tag = "knowledge",
    responses((status = 200, description = "The systems", body = Value)))]
async fn systems(State(app): State<App>) -> ApiResult {
    blocking(move || api::systems(&app.shared.current())).await
}

/// A system's page: its full briefing.
#[utoipa::path(get, path = "/v1/systems/{name}", tag = "knowledge",
    params(("name" = String, Path, description = "A system's name or alias")),
    responses((status = 200, description = "The briefing", body = Value),
        (status = 404, description = "No such system", body = Problem, content_type = "application/problem+json")))]
async fn system(State(app): State<App>, ApiPath(name): ApiPath<String>) -> ApiResult {
    blocking(move || api::system_page(&app.shared.current(), &name)).await
}

/// Everything to know before touching a system, within a size budget.
#[utoipa::path(get, path = "/v1/brief", tag = "knowledge", params(api::BriefRequest),
    responses((status = 200, description = "The briefing", body = Value),
        (status = 404, description = "No such system", body = Problem, content_type = "application/problem+json")))]
async fn brief(State(app): State<App>, ApiQuery(request): ApiQuery<api::BriefRequest>) -> ApiResult {
    blocking(move || api::brief(&app.shared.current(), &request)).await
}

/// What depends on a system, transitively; paged.
#[utoipa::path(get, path = "/v1/blast", tag = "knowledge", params(api::BlastRequest),
    responses((status = 200, description = "The blast radius", body = Value),
        (status = 404, description = "No such system", body = Problem, content_type = "application/problem+json")))]
async fn blast(State(app): State<App>, ApiQuery(request): ApiQuery<api::BlastRequest>) -> ApiResult {
    blocking(move || api::blast(&app.shared.current(), &request)).await
}

/// Search runbooks, incidents, rules and systems; hits cite path:line.
#[utoipa::path(get, path = "/v1/search", tag = "knowledge", params(api::SearchKnowledgeRequest),
    responses((status = 200, description = "The hits", body = Value)))]
async fn search(State(app): State<App>, ApiQuery(request): ApiQuery<api::SearchKnowledgeRequest>) -> ApiResult {
    blocking(move || api::search(&app.shared.current(), &request)).await
}

/// The rules, by system and environment; paged.
#[utoipa::path(get, path = "/v1/rules", tag = "knowledge", params(api::ListRulesRequest),
    responses((status = 200, description = "A page of rules", body = Value)))]
async fn rules(State(app): State<App>, ApiQuery(request): ApiQuery<api::ListRulesRequest>) -> ApiResult {
    blocking(move || api::rules(&app.shared.current(), &request)).await
}

/// One incident by id.
#[utoipa::path(get, path = "/v1/incidents/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "The incident's id")),
    responses((status = 200, description = "The incident", body = Value),
        (status = 404, description = "No such incident", body = Problem, content_type = "application/problem+json")))]
async fn incident(State(app): State<App>, ApiPath(id): ApiPath<String>) -> ApiResult {
    blocking(move || api::incident(&app.shared.current(), &api::GetIncidentRequest { id })).await
}

/// A runbook's text, by id (`ID#section`) or by `path:line`.
#[utoipa::path(get, path = "/v1/runbook", tag = "knowledge", params(api::GetRunbookRequest),
    responses((status = 200, description = "The runbook section", body = Value),
        (status = 404, description = "No such runbook", body = Problem, content_type = "application/problem+json")))]
async fn runbook(State(app): State<App>, ApiQuery(request): ApiQuery<api::GetRunbookRequest>) -> ApiResult {
    blocking(move || api::runbook(&app.shared.current(), &request)).await
}

/// Propose a rule, fact, dependency or lesson; stored as proposed, never enforced until approved.
#[utoipa::path(post, path = "/v1/proposals", tag = "governance", request_body = ProposeRequest,
    responses((status = 200, description = "The proposal's id and file", body = Value),
        (status = 422, description = "Invalid proposal", body = Problem, content_type = "application/problem+json")))]
async fn propose(
    State(app): State<App>,
    caller: Option<Extension<Caller>>,
    ApiJson(request): ApiJson<ProposeRequest>,
) -> ApiResult {
    let caller = caller.map(|Extension(c)| c);
    blocking(move || api::propose(&app.shared, request, caller.as_ref())).await
}

/// The decision log, newest first, filtered and paged as `lore log` is.
#[utoipa::path(get, path = "/v1/decisions", tag = "decisions", params(api::DecisionsRequest),
    responses((status = 200, description = "A page of decisions and `next_before`", body = Value),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The store does not answer", body = Problem, content_type = "application/problem+json")))]
async fn decisions(State(app): State<App>, ApiQuery(request): ApiQuery<api::DecisionsRequest>) -> ApiResult {
    blocking(move || api::decisions(&app.shared, request)).await
}

/// One logged decision.
#[utoipa::path(get, path = "/v1/decisions/{id}", tag = "decisions",
    params(("id" = i64, Path, description = "The decision's id")),
    responses((status = 200, description = "The decision", body = Value),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json")))]
async fn decision(State(app): State<App>, ApiPath(id): ApiPath<i64>) -> ApiResult {
    blocking(move || api::decision(&app.shared, id)).await
}

/// Approve a decision's input once, or standing until it expires, through
/// any replica or hook on the same store. Needs the approver role.
#[utoipa::path(post, path = "/v1/decisions/{id}/approve", tag = "decisions",
    params(("id" = i64, Path, description = "The decision's id")),
    request_body = api::ApproveDecisionRequest,
    responses((status = 200, description = "What was approved, by whom, for how long", body = Value),
        (status = 403, description = "The token is not an approver's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid request", body = Problem, content_type = "application/problem+json")))]
async fn approve_decision(
    State(app): State<App>,
    caller: Option<Extension<Caller>>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<api::ApproveDecisionRequest>,
) -> ApiResult {
    let caller = caller.map(|Extension(c)| c);
    blocking(move || api::approve_decision(&app.shared, id, request, caller.as_ref())).await
}

/// Withdraw every approval of a decision's input (standing or once-only)
/// before it expires, through any replica. Needs the approver role.
#[utoipa::path(post, path = "/v1/decisions/{id}/revoke", tag = "decisions",
    params(("id" = i64, Path, description = "The decision's id")),
    responses((status = 200, description = "How many approvals were withdrawn", body = Value),
        (status = 403, description = "The token is not an approver's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json")))]
async fn revoke_decision(State(app): State<App>, ApiPath(id): ApiPath<i64>) -> ApiResult {
    blocking(move || api::revoke_decision(&app.shared, id)).await
}

/// Refuse a decision's request, with the reason: it no longer waits for a
/// human (the gate still asks next time). Needs the approver role.
#[utoipa::path(post, path = "/v1/decisions/{id}/reject", tag = "decisions",
    params(("id" = i64, Path, description = "The decision's id")),
    request_body = api::RejectDecisionRequest,
    responses((status = 200, description = "What was refused, by whom, why", body = Value),
        (status = 403, description = "The token is not an approver's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json")))]
async fn reject_decision(
    State(app): State<App>,
    caller: Option<Extension<Caller>>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<api::RejectDecisionRequest>,
) -> ApiResult {
    let caller = caller.map(|Extension(c)| c);
    blocking(move || api::reject_decision(&app.shared, id, request, caller.as_ref())).await
}

/// Asks and denials a human may still lift (neither approved nor rejected), newest first.
#[utoipa::path(get, path = "/v1/waiting", tag = "decisions", params(api::WaitingRequest),
    responses((status = 200, description = "The decisions waiting for a human", body = Value),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The store does not answer", body = Problem, content_type = "application/problem+json")))]
async fn waiting(State(app): State<App>, ApiQuery(request): ApiQuery<api::WaitingRequest>) -> ApiResult {
    blocking(move || api::waiting(&app.shared, request)).await
}

/// The proposals waiting for review.
#[utoipa::path(get, path = "/v1/proposals", tag = "governance",
    responses((status = 200, description = "Pending proposals", body = Value)))]
async fn proposals(State(app): State<App>) -> Json<Value> {
    Json(api::pending(&app.shared))
}

/// Approve a pending proposal: it is written into the knowledge, as
/// `lore approve PROP-…` does, and served at once. Needs the approver role.
#[utoipa::path(post, path = "/v1/proposals/{id}/approve", tag = "governance",
    params(("id" = String, Path, description = "The proposal's id, `PROP-…`")),
    request_body = api::ApproveProposalRequest,
    responses((status = 200, description = "What was decided, written and kept", body = Value),
        (status = 403, description = "The token is not an approver's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such pending proposal", body = Problem, content_type = "application/problem+json")))]
async fn approve_proposal(
    State(app): State<App>,
    caller: Option<Extension<Caller>>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<api::ApproveProposalRequest>,
) -> ApiResult {
    let caller = caller.map(|Extension(c)| c);
    let verdict = lore_service::ops::govern::Verdict::Approve { to: None };
    blocking(move || api::review_proposal(&app.shared, id, verdict, (request.by, request.why), caller.as_ref())).await
}

/// Reject a pending proposal, with the reason; it is kept with the
/// decision, as `lore reject` does. Needs the approver role.
#[utoipa::path(post, path = "/v1/proposals/{id}/reject", tag = "governance",
    params(("id" = String, Path, description = "The proposal's id, `PROP-…`")),
    request_body = api::RejectProposalRequest,
    responses((status = 200, description = "What was decided and kept", body = Value),
        (status = 403, description = "The token is not an approver's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such pending proposal", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json")))]
async fn reject_proposal(
    State(app): State<App>,
    caller: Option<Extension<Caller>>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<api::RejectProposalRequest>,
) -> ApiResult {
    let caller = caller.map(|Extension(c)| c);
    let verdict = lore_service::ops::govern::Verdict::Reject;
    let review = (request.by, Some(request.why));
    blocking(move || api::review_proposal(&app.shared, id, verdict, review, caller.as_ref())).await
}

/// Humans' decisions on proposals, newest first, from the shared store.
#[utoipa::path(get, path = "/v1/reviews", tag = "governance", params(api::ReviewsRequest),
    responses((status = 200, description = "Proposal decisions: who, when, why, what was written", body = Value),
        (status = 503, description = "The store does not answer", body = Problem, content_type = "application/problem+json")))]
async fn reviews(State(app): State<App>, ApiQuery(request): ApiQuery<api::ReviewsRequest>) -> ApiResult {
    blocking(move || api::reviews(&app.shared, &request)).await
}

/// The knowledge's health: the lint report (stale, unowned, dangling,
/// cycles, drift, broken links, advisories) and the health score.
#[utoipa::path(get, path = "/v1/health", tag = "governance",
    responses((status = 200, description = "The findings and the health score", body = Value),
        (status = 503, description = "No knowledge loaded", body = Problem, content_type = "application/problem+json")))]
async fn health(State(app): State<App>) -> ApiResult {
    blocking(move || api::health(&app.shared.current())).await
}

/// The whole dependency graph: systems, edges, dangling names and cycles.
#[utoipa::path(get, path = "/v1/graph", tag = "knowledge",
    responses((status = 200, description = "The graph", body = Value),
        (status = 503, description = "No knowledge loaded", body = Problem, content_type = "application/problem+json")))]
async fn graph(State(app): State<App>) -> ApiResult {
    blocking(move || api::graph(&app.shared.current())).await
}

/// Cited lines of a source file the pack was built from, in context.
#[utoipa::path(get, path = "/v1/source", tag = "knowledge", params(api::SourceRequest),
    responses((status = 200, description = "The lines", body = Value),
        (status = 404, description = "Not a source of this pack", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No citation given", body = Problem, content_type = "application/problem+json")))]
async fn source(State(app): State<App>, ApiQuery(request): ApiQuery<api::SourceRequest>) -> ApiResult {
    blocking(move || api::source(&app.shared.current(), &request)).await
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Up", body = Value)))]
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The knowledge is loaded and requests can be served.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Ready", body = Value),
        (status = 503, description = "No knowledge loaded, or the store does not answer", body = Problem, content_type = "application/problem+json")))]
async fn readyz(State(app): State<App>) -> Result<Json<Value>, Problem> {
    let loaded = app.shared.current();
    let Some(version) = loaded.version() else {
        return Err(Problem::new(StatusCode::SERVICE_UNAVAILABLE, loaded.unavailable()));
    };
    let shared = app.shared.clone();
    let store = tokio::task::spawn_blocking(move || shared.log.reachable()).await;
    match store {
        Ok(Ok(true)) => Ok(Json(json!({ "status": "ready", "pack_version": version, "store": "reachable" }))),
        Ok(Ok(false)) => Err(Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the store does not answer")),
        Ok(Err(why)) => Err(Problem::new(StatusCode::SERVICE_UNAVAILABLE, format!("no store: {why}"))),
        Err(err) => Err(Problem::new(StatusCode::SERVICE_UNAVAILABLE, format!("the store check failed: {err}"))),
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "lore", description = "Institutional knowledge for AI agents, and the pre-action gate."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's routes and its OpenAPI document, both from the handlers
/// above, grouped by the role each group needs.
fn api() -> (Router<App>, utoipa::openapi::OpenApi) {
    let read = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(systems))
        .routes(routes!(system))
        .routes(routes!(brief))
        .routes(routes!(blast))
        .routes(routes!(search))
        .routes(routes!(rules))
        .routes(routes!(incident))
        .routes(routes!(runbook))
        .routes(routes!(proposals))
        .routes(routes!(decisions))
        .routes(routes!(decision))
        .routes(routes!(reviews))
        .routes(routes!(health))
        .routes(routes!(graph))
        .routes(routes!(source))
        .routes(routes!(waiting));
    let act = OpenApiRouter::new()
        .routes(routes!(check))
        .routes(routes!(propose))
        .route_layer(middleware::from_fn_with_state(Role::Agent, require_role));
    let approve = OpenApiRouter::new()
        .routes(routes!(approve_decision))
        .routes(routes!(revoke_decision))
        .routes(routes!(reject_decision))
        .routes(routes!(approve_proposal))
        .routes(routes!(reject_proposal))
        .route_layer(middleware::from_fn_with_state(Role::Approver, require_role));
    read.merge(act).merge(approve).split_for_parts()
}

/// The OpenAPI document, as `/openapi.json` serves it.
pub fn openapi_json() -> Value {
    let (_, mut doc) = api();
    let (_, health) = OpenApiRouter::<App>::new().routes(routes!(healthz)).routes(routes!(readyz)).split_for_parts();
    doc.merge(health);
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    let mut value = serde_json::to_value(doc).unwrap_or_default();
    crate::openapi::complete(&mut value);
    value
}

/// What a request presents to prove who sends it.
enum Credentials {
    /// A token: the bearer header's, or the console session's.
    Token(String),
    /// A console session changing state without the page's CSRF value.
    CsrfMissing,
    /// Nothing.
    None,
}

fn credentials(request: &Request) -> Credentials {
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    if let Some(token) = bearer {
        return Credentials::Token(token.trim().to_string());
    }
    match console::session_token(headers) {
        Some(token) if console::is_safe(request.method()) || console::csrf_ok(headers) => Credentials::Token(token),
        Some(_) => Credentials::CsrfMissing,
        None => Credentials::None,
    }
}

async fn authenticate(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let settings = &app.shared.settings;
    if !console::is_safe(request.method()) && console::cross_site(request.headers()) {
        return Problem::new(StatusCode::FORBIDDEN, "requests from another site's page are refused").into_response();
    }
    if settings.tokens.is_empty() {
        return next.run(request).await;
    }
    let presented = match credentials(&request) {
        Credentials::Token(token) => token,
        Credentials::CsrfMissing => {
            return Problem::new(StatusCode::FORBIDDEN, "the console's request lacks its CSRF value; reload the page")
                .into_response();
        }
        Credentials::None => {
            return Problem::new(StatusCode::UNAUTHORIZED, "send an API token: `Authorization: Bearer TOKEN`")
                .into_response();
        }
    };
    match settings.caller(&presented) {
        Some(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        None => Problem::new(StatusCode::UNAUTHORIZED, "the API token is not valid").into_response(),
    }
}

/// At most `max_concurrent_requests` at once (others wait), each answered
/// within `request_timeout`, waiting included.
async fn limit(State(app): State<App>, request: Request, next: Next) -> Response {
    let timeout = app.shared.settings.request_timeout;
    let work = async {
        let Ok(_permit) = app.permits.acquire().await else {
            return Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down").into_response();
        };
        next.run(request).await
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(response) if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem(&response) => {
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "the request body is larger than the server accepts")
                .into_response()
        }
        Ok(response) => response,
        Err(_) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the request took longer than {} s; try again", timeout.as_secs_f32()),
        )
        .into_response(),
    }
}

fn is_problem(response: &Response) -> bool {
    response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == "application/problem+json")
}

/// The console's routes: its pages, sign-in and assets.
fn console_routes() -> Router<App> {
    use axum::routing::{get, post};
    let mut routes = Router::new();
    for view in console::View::ALL {
        routes = routes.route(
            view.path(),
            get(move |State(app): State<App>, headers: axum::http::HeaderMap, uri: axum::http::Uri| async move {
                let path = uri.path_and_query().map_or("/", |p| p.as_str());
                console::page(view, &app.shared.settings, &headers, path)
            }),
        );
    }
    routes
        .route(
            "/signin",
            get(|State(app): State<App>, query: axum::extract::Query<console::SigninQuery>| async move {
                console::signin_form(&app.shared.settings, query.0)
            })
            .post(
                |State(app): State<App>, headers: axum::http::HeaderMap, form: axum::Form<console::Signin>| async move {
                    console::signin(&app.shared.settings, &headers, form.0)
                },
            ),
        )
        .route("/signout", post(console::signout))
        .route("/assets/{name}", get(console::asset))
}

async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "no such endpoint; see /openapi.json")
}

/// The whole application, for `addr`.
pub fn router(shared: Arc<Shared>, addr: SocketAddr) -> Router {
    let settings = &shared.settings;
    let app = App { permits: Arc::new(Semaphore::new(settings.max_concurrent_requests)), shared: shared.clone() };
    let mut hosts: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    hosts.push(addr.ip().to_string());
    hosts.extend(settings.allowed_hosts.iter().cloned());
    let mcp_config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_max_request_body_bytes(settings.max_body_bytes);
    let mcp_shared = shared.clone();
    let mcp = StreamableHttpService::new(
        move || Ok(LoreMcp::new(mcp_shared.clone(), "mcp-http")),
        Arc::new(LocalSessionManager::default()),
        mcp_config,
    );
    let (api, _) = api();
    let openapi = openapi_json();
    // MCP is an agent's interface: its tools check and propose.
    let mcp =
        Router::new().nest_service("/mcp", mcp).route_layer(middleware::from_fn_with_state(Role::Agent, require_role));
    let protected = api
        .merge(mcp)
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(settings.max_body_bytes))
        .route_layer(middleware::from_fn_with_state(app.clone(), authenticate))
        .layer(middleware::from_fn_with_state(app.clone(), limit));
    Router::new()
        .merge(protected)
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
        .route("/openapi.json", axum::routing::get(move || async move { Json(openapi.clone()) }))
        .merge(console_routes())
        .fallback(not_found)
        .with_state(app)
}
