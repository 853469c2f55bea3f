//! The HTTP API end to end: a real server on a loopback port, a real client.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lore_server::config::{Role, Token};
use lore_server::{Settings, Shared};
use lore_service::{Knowledge, Origin};
use serde_json::{Value, json};

const SECRET: &str = "test-secret-0123456789";
const READER: &str = "reader-secret-0123456789";
const APPROVER: &str = "approver-secret-0123456789";

/// A once-only approval by dana, for ten minutes from now.
fn once_by_dana() -> lore_log::Approval<'static> {
    let now = lore_model::Timestamp::now().0;
    lore_log::Approval { by: Some("dana"), why: None, now, expires_unix: now + 600, standing: false }
}

struct Server {
    base: String,
    client: reqwest::Client,
    shared: Arc<Shared>,
    root: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// The example knowledge in a temporary directory, served with one token.
async fn start(max_body_bytes: usize) -> Server {
    start_with(Settings { max_body_bytes, ..Settings::default() }).await
}

async fn start_with(settings: Settings) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("decisions.db");
    let root = lore_testkit::example_copy(&dir.path().join("acme"), &log);
    serve(root, log, dir, settings).await
}

/// Another server of the knowledge at `root` (its directory stays the first's).
async fn start_on(root: &std::path::Path, settings: Settings) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    serve(root.to_path_buf(), dir.path().join("unused.db"), dir, settings).await
}

async fn serve(root: PathBuf, log: PathBuf, dir: tempfile::TempDir, settings: Settings) -> Server {
    let knowledge = Knowledge::at(&root, Origin::Flag).expect("knowledge");
    let settings = Settings {
        tokens: vec![
            Token { secret: SECRET.into(), agent: "ci-bot".into(), team: Some("platform".into()), role: Role::Agent },
            Token { secret: READER.into(), agent: "dashboard".into(), team: None, role: Role::Reader },
            Token {
                secret: APPROVER.into(),
                agent: "dana".into(),
                team: Some("platform".into()),
                role: Role::Approver,
            },
        ],
        reload_every: Duration::from_millis(200),
        ..settings
    };
    let shared = tokio::task::spawn_blocking(move || Shared::new(knowledge, settings)).await.expect("load");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = lore_server::http::router(shared.clone(), addr);
    tokio::spawn(async move { axum::serve(listener, router).await });
    tokio::spawn(lore_server::reload_loop(shared.clone()));
    Server { base: format!("http://{addr}"), client: reqwest::Client::new(), shared, root, log, _dir: dir }
}

impl Server {
    async fn get(&self, path: &str) -> (u16, String, Value) {
        self.get_as(SECRET, path).await
    }

    async fn get_as(&self, secret: &str, path: &str) -> (u16, String, Value) {
        let response = self.client.get(format!("{}{path}", self.base)).bearer_auth(secret).send().await.expect("get");
        Self::read(response).await
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, String, Value) {
        self.post_as(SECRET, path, body).await
    }

    async fn post_as(&self, secret: &str, path: &str, body: &Value) -> (u16, String, Value) {
        let response =
            self.client.post(format!("{}{path}", self.base)).bearer_auth(secret).json(body).send().await.expect("post");
        Self::read(response).await
    }

    async fn read(response: reqwest::Response) -> (u16, String, Value) {
        let status = response.status().as_u16();
        let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let text = response.text().await.expect("body");
        (status, kind, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn check(&self, command: &str) -> Value {
        let (status, _, body) = self.post("/v1/check", &json!({ "input": command })).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn healthy(&self) {
        let (status, _, _) = self.get("/healthz").await;
        assert_eq!(status, 200, "the server stays up");
    }
}

fn assert_problem(status: u16, kind: &str, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(kind, "application/problem+json");
    assert_eq!(body["status"], expected);
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_decides_and_logs_as_the_hook_does_with_the_tokens_identity() {
    let server = start(64 * 1024).await;
    let deny = server.check("kubectl --context prod-eu-1 delete namespace payments").await;
    assert_eq!(deny["decision"], "deny");
    assert!(deny["reasons"].as_str().unwrap_or_default().contains("namespace"), "{deny}");
    assert!(deny["briefing"].as_str().unwrap_or_default().contains("Owners: payments"), "{deny}");
    assert!(deny["approve"].as_str().is_some_and(|a| a.contains("lore approve")));
    assert!(deny.get("verdict").is_none(), "compact unless detail is asked for");
    let allow = server.check("kubectl get pods -n payments").await;
    assert_eq!(allow["decision"], "allow");

    let (_, _, detailed) = server
        .post(
            "/v1/check",
            &json!({ "input": "DROP DATABASE payments;", "kind": "sql", "detail": true, "session": "s-1",
                     "env": { "AWS_PROFILE": "acme-prod", "HOME": "/root" } }),
        )
        .await;
    assert_eq!(detailed["decision"], "ask", "the baseline asks before a database is dropped: {detailed}");
    assert!(detailed["verdict"]["actions"].is_array());

    let log = lore_log::open(&server.log).expect("log");
    let entries = log.query(&lore_log::Filter::default()).expect("query");
    assert_eq!(entries.len(), 3, "every check is logged");
    for entry in &entries {
        assert_eq!(entry.source, "http");
        assert_eq!(entry.agent.as_deref(), Some("ci-bot"));
        assert_eq!(entry.team.as_deref(), Some("platform"));
    }
    assert_eq!(entries[0].session.as_deref(), Some("s-1"));
    assert_eq!(entries[0].input_kind, "sql");
    assert_eq!(entries[2].decision, "deny");
    assert_eq!(entries[0].decision, "ask");
    assert_eq!(deny["decision_id"], entries[2].id);

    // A human's approval of the exact command lets it through once, as with hooks.
    let id = deny["decision_id"].as_i64().expect("id");
    log.approve(id, &once_by_dana()).expect("approve");
    let approved = server.check("kubectl --context prod-eu-1 delete namespace payments").await;
    assert_eq!(approved["decision"], "allow", "{approved}");
    let again = server.check("kubectl --context prod-eu-1 delete namespace payments").await;
    assert_eq!(again["decision"], "deny", "an approval is used once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_problems_and_the_server_stays_up() {
    let server = start(4 * 1024).await;
    let url = format!("{}/v1/check", server.base);

    let no_token = server.client.post(&url).json(&json!({ "input": "ls" })).send().await.expect("send");
    assert_eq!(no_token.headers().get("www-authenticate").map(|v| v.to_str().unwrap_or_default()), Some("Bearer"));
    let (status, kind, body) = Server::read(no_token).await;
    assert_problem(status, &kind, &body, 401);

    let wrong = server.client.post(&url).bearer_auth("not-the-secret-at-all").json(&json!({ "input": "ls" }));
    let (status, kind, body) = Server::read(wrong.send().await.expect("send")).await;
    assert_problem(status, &kind, &body, 401);
    let (status, kind, body) =
        Server::read(server.client.get(format!("{}/mcp", server.base)).send().await.expect("send")).await;
    assert_problem(status, &kind, &body, 401);

    let malformed = server
        .client
        .post(&url)
        .bearer_auth(SECRET)
        .header("content-type", "application/json")
        .body("{\"input\": \"ls\"");
    let (status, kind, body) = Server::read(malformed.send().await.expect("send")).await;
    assert_problem(status, &kind, &body, 400);

    let not_json = server.client.post(&url).bearer_auth(SECRET).body("ls");
    let (status, kind, body) = Server::read(not_json.send().await.expect("send")).await;
    assert_problem(status, &kind, &body, 415);

    let (status, kind, body) = server.post("/v1/check", &json!({ "input": 42 })).await;
    assert_problem(status, &kind, &body, 422);
    let (status, kind, body) = server.post("/v1/check", &json!({ "input": "ls", "kind": "cobol" })).await;
    assert_problem(status, &kind, &body, 422);
    let (status, kind, body) = server.post("/v1/check", &json!({ "input": "ls", "surprise": true })).await;
    assert_problem(status, &kind, &body, 422);
    // Found by schemathesis: serde reads a struct from an array too.
    let (status, kind, body) = server.post("/v1/check", &json!(["ls"])).await;
    assert_problem(status, &kind, &body, 422);
    let (status, kind, body) = server.get("/v1/decisions/not-a-number").await;
    assert_problem(status, &kind, &body, 400);
    let (status, kind, body) = server.get("/v1/decisions?decision=alow").await;
    assert_problem(status, &kind, &body, 422);

    let huge = json!({ "input": "x".repeat(8 * 1024) });
    let (status, kind, body) = server.post("/v1/check", &huge).await;
    assert_problem(status, &kind, &body, 413);
    let chunked = reqwest::Body::wrap_stream(futures_stream(vec![vec![b' '; 3000], vec![b' '; 3000]]));
    let streamed =
        server.client.post(&url).bearer_auth(SECRET).header("content-type", "application/json").body(chunked);
    let (status, kind, body) = Server::read(streamed.send().await.expect("send")).await;
    assert_problem(status, &kind, &body, 413);

    let (status, kind, body) = server.get("/v1/nothing-here").await;
    assert_problem(status, &kind, &body, 404);
    let (status, kind, body) = server.get("/v1/blast?system=ledger-db&depth=many").await;
    assert_problem(status, &kind, &body, 400);
    let (status, kind, body) = server.get("/v1/brief").await;
    assert_problem(status, &kind, &body, 400);

    server.healthy().await;
    assert_eq!(server.check("ls").await["decision"], "allow");
}

/// A body sent in chunks with no Content-Length, so only reading it can tell its size.
fn futures_stream(chunks: Vec<Vec<u8>>) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    struct Chunks(std::vec::IntoIter<Vec<u8>>);
    impl futures_core::Stream for Chunks {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next().map(Ok))
        }
    }
    Chunks(chunks.into_iter())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_endpoint_answers_with_citations_and_pages() {
    let server = start(64 * 1024).await;
    let (status, _, health) = server
        .client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .map(|r| (r.status().as_u16(), (), r))
        .expect("healthz");
    assert_eq!(status, 200, "health needs no token");
    drop(health);
    let (status, _, ready) = server.get("/readyz").await;
    assert_eq!(status, 200);
    assert!(ready["pack_version"].as_str().is_some_and(|v| !v.is_empty()));

    let (status, _, systems) = server.get("/v1/systems").await;
    assert_eq!(status, 200);
    assert!(systems.as_array().is_some_and(|s| s.len() >= 30), "{systems}");

    let (status, _, brief) = server.get("/v1/brief?system=payments-db").await;
    assert_eq!(status, 200);
    assert_eq!(brief["system"]["id"], "payments-db");
    assert!(serde_json::to_string(&brief).expect("json").len() <= 4_500, "compact by default");
    assert_eq!(brief["system"]["trust"]["origin"], "declared", "{brief}");
    assert!(brief["rules"][0]["trust"]["reviewed"].is_string(), "every fact says when it was reviewed: {brief}");
    let (_, _, page) = server.get("/v1/systems/payments").await;
    assert_eq!(page["system"]["id"], "payments-api", "aliases resolve");
    let (status, kind, missing) = server.get("/v1/brief?system=payment-db").await;
    assert_problem(status, &kind, &missing, 404);
    assert!(missing["suggestions"].as_array().is_some_and(|s| s.contains(&json!("payments-db"))), "{missing}");

    let (_, _, first) = server.get("/v1/blast?system=ledger-db&limit=2").await;
    assert_eq!(first["nodes"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["page"]["next_offset"], 2);
    assert!(first["nodes"][0]["trust"]["review"].is_string(), "{first}");
    assert!(first["nodes"][0]["via"]["origin"].is_string(), "declared or observed: {first}");
    let total = first["page"]["total"].as_u64().expect("total");
    assert!(total > 2);
    let (_, _, rest) = server.get("/v1/blast?system=ledger-db&limit=50&offset=2").await;
    assert_eq!(rest["nodes"].as_array().map(Vec::len), Some(total as usize - 2));
    assert!(rest["page"]["next_offset"].is_null());

    let (_, _, hits) = server.get("/v1/search?query=fail%20over%20the%20payments%20database&limit=3").await;
    let top = &hits["hits"][0];
    assert_eq!(top["path"], "runbooks/payments-db-failover.md", "{hits}");
    assert!(top["cite"].as_str().is_some_and(|c| c.starts_with("runbooks/payments-db-failover.md:")));

    let (_, _, rules) = server.get("/v1/rules?system=payments-db&env=production&limit=2").await;
    assert_eq!(rules["items"].as_array().map(Vec::len), Some(2));
    assert!(rules["total"].as_u64().is_some_and(|t| t >= 2));
    assert!(rules["items"][0]["cite"].as_str().is_some_and(|c| c.contains(':')));

    let (status, _, incident) = server.get("/v1/incidents/INC-2025-031").await;
    assert_eq!(status, 200);
    assert_eq!(incident["id"], "INC-2025-031");
    let (status, kind, missing) = server.get("/v1/incidents/INC-2025-03").await;
    assert_problem(status, &kind, &missing, 404);

    let (_, _, section) = server.get("/v1/runbook?path=runbooks/payments-db-failover.md:22").await;
    assert_eq!(section["section"], "Planned failover");
    assert!(section["text"].as_str().is_some_and(|t| t.contains("--force-failover")));
    assert!(section["cite"].as_str().is_some_and(|c| c.starts_with("runbooks/payments-db-failover.md:21-")));
    let (_, _, by_id) = server.get("/v1/runbook?id=payments-db-failover%23before-you-start").await;
    assert_eq!(by_id["section"], "Before you start");
    let (status, kind, body) = server.get("/v1/runbook").await;
    assert_problem(status, &kind, &body, 422);

    let (status, _, openapi) = server.get("/openapi.json").await;
    assert_eq!(status, 200);
    for path in
        ["/v1/check", "/v1/brief", "/v1/blast", "/v1/search", "/v1/rules", "/v1/proposals", "/healthz", "/readyz"]
    {
        assert!(openapi["paths"][path].is_object(), "{path} is documented");
    }
    assert_eq!(openapi["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(openapi["components"]["schemas"]["CheckRequest"]["properties"]["input"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposed_rule_is_shown_but_not_enforced_and_sources_reload_without_a_restart() {
    let server = start(64 * 1024).await;
    let command = "kubectl --context prod-eu-1 rollout restart deployment/search-service -n search";
    let before = server.check(command).await;
    let version_before = before["pack_version"].clone();

    let proposal = json!({
        "kind": "rule", "system": "search-service", "decision": "deny",
        "statement": "Never restart the search indexer during business hours",
        "why": "A restart re-reads the whole catalog and search is empty for 40 minutes",
        "instead": "Restart it after 20:00 UTC", "commands": ["kubectl * rollout restart *search-service*"],
    });
    let (status, _, created) = server.post("/v1/proposals", &proposal).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    assert!(server.root.join(created["path"].as_str().expect("path")).is_file());
    let (_, _, again) = server.post("/v1/proposals", &proposal).await;
    assert_eq!(again["id"], id.as_str(), "the same proposal twice is one proposal");

    let (_, _, pending) = server.get("/v1/proposals").await;
    assert!(pending.as_array().is_some_and(|p| p.iter().any(|r| r["id"] == id.as_str())), "{pending}");
    let (_, _, rules) = server.get("/v1/rules?system=search-service&limit=100").await;
    let shown = rules["items"].as_array().and_then(|r| r.iter().find(|r| r["id"] == id.as_str())).cloned();
    assert_eq!(shown.as_ref().map(|r| r["status"].clone()), Some(json!("proposed")), "{rules}");

    let proposed = server.check(command).await;
    assert_ne!(proposed["pack_version"], version_before, "the proposal is loaded at once");
    assert!(
        proposed["decision"] == "warn" || proposed["decision"] == before["decision"],
        "a proposed deny only warns: {proposed}"
    );
    assert_ne!(proposed["decision"], "deny");
    assert!(proposed["reasons"].as_str().unwrap_or_default().contains("business hours"), "{proposed}");

    // An owner approves it by making it active; the running server picks the edit up by itself.
    let file = server.root.join(created["path"].as_str().expect("path"));
    let text =
        std::fs::read_to_string(&file).expect("read").replace("\"status\":\"proposed\"", "\"status\":\"active\"");
    std::fs::write(&file, text).expect("write");
    let in_flight = server.shared.current();
    let mut enforced = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        enforced = server.check(command).await;
        if enforced["decision"] == "deny" {
            break;
        }
    }
    assert_eq!(enforced["decision"], "deny", "enforced once approved: {enforced}");
    assert_ne!(in_flight.version(), server.shared.current().version());
    assert!(
        in_flight.pack.as_ref().is_some_and(|p| p.data().rules.iter().any(|r| r.id.as_str() == id)),
        "a request holding the old version still reads it"
    );

    let (status, kind, body) = server
        .post(
            "/v1/proposals",
            &json!({ "kind": "rule", "system": "nowhere", "statement": "x", "why": "y", "commands": ["x"] }),
        )
        .await;
    assert_problem(status, &kind, &body, 404);
    let (status, kind, body) = server
        .post("/v1/proposals", &json!({ "kind": "rule", "system": "search-service", "statement": "x", "why": "y" }))
        .await;
    assert_problem(status, &kind, &body, 422);
    let (status, _, fact) = server
        .post(
            "/v1/proposals",
            &json!({ "kind": "dependency", "system": "search-service", "depends_on": "catalog-db",
                     "statement": "search-service reads catalog-db directly", "why": "seen in its connection strings\n# not a heading" }),
        )
        .await;
    assert_eq!(status, 200, "{fact}");
    let (_, _, hits) = server.get("/v1/search?query=search-service%20reads%20catalog-db%20directly").await;
    assert!(
        hits["hits"].as_array().is_some_and(|h| h
            .iter()
            .any(|h| h["title"].as_str().is_some_and(|t| t.starts_with("Proposed dependency")))),
        "{hits}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_time_limit_gets_a_problem_and_health_still_answers() {
    // No free slot at all: every request waits, and the wait counts against its time.
    let server = start_with(Settings {
        request_timeout: Duration::from_millis(200),
        max_concurrent_requests: 0,
        ..Settings::default()
    })
    .await;
    let (status, kind, body) = server.post("/v1/check", &json!({ "input": "ls" })).await;
    assert_problem(status, &kind, &body, 503);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("took longer")), "{body}");
    server.healthy().await;
}

#[test]
fn an_open_address_without_tokens_is_refused() {
    let settings = Settings { addr: "0.0.0.0:7878".parse().expect("addr"), ..Settings::default() };
    let err = lore_server::refuse_open_without_tokens(&settings).expect_err("refused");
    assert!(err.to_string().contains("without API tokens"), "{err}");
    assert!(lore_server::refuse_open_without_tokens(&Settings::default()).is_ok());
    let with_token = Settings {
        tokens: vec![Token { secret: SECRET.into(), agent: "a".into(), team: None, role: Role::Agent }],
        ..settings
    };
    assert!(lore_server::refuse_open_without_tokens(&with_token).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_lore_toml_is_picked_up_and_a_broken_one_is_not_served() {
    let server = start(64 * 1024).await;
    let config_path = server.root.join("lore.toml");
    let config = std::fs::read_to_string(&config_path).expect("lore.toml");
    let (status, _, _) = server.get("/v1/brief?system=searchy").await;
    assert_eq!(status, 404);

    std::fs::write(&config_path, format!("{config}\nthis is not toml\n")).expect("break it");
    tokio::time::sleep(Duration::from_millis(700)).await;
    let (status, _, ready) = server.get("/readyz").await;
    assert_eq!(status, 200, "a broken lore.toml keeps the last good knowledge: {ready}");
    assert_eq!(server.check("kubectl --context prod-eu-1 delete namespace payments").await["decision"], "deny");

    let aliased = config.replacen("[aliases]\n", "[aliases]\nsearchy = \"search-service\"\n", 1);
    std::fs::write(&config_path, aliased).expect("fix it");
    let mut brief = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (status, _, body) = server.get("/v1/brief?system=searchy").await;
        if status == 200 {
            brief = body;
            break;
        }
    }
    assert_eq!(brief["system"]["id"], "search-service", "the new alias is served: {brief}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_knowledge_link_swapped_to_a_new_checkout_is_followed() {
    // git-sync checks each commit out anew and swaps a link to it.
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("decisions.db");
    let first = lore_testkit::example_copy(&dir.path().join("worktrees/1"), &log);
    let second = lore_testkit::example_copy(&dir.path().join("worktrees/2"), &log);
    let config = std::fs::read_to_string(second.join("lore.toml")).expect("lore.toml");
    let aliased = config.replacen("[aliases]\n", "[aliases]\nsearchy = \"search-service\"\n", 1);
    std::fs::write(second.join("lore.toml"), aliased).expect("the next commit");
    let link = dir.path().join("current");
    std::os::unix::fs::symlink(&first, &link).expect("link");
    let server = start_on(&link, Settings::default()).await;
    let (status, _, _) = server.get("/v1/brief?system=searchy").await;
    assert_eq!(status, 404, "the first checkout has no such alias");

    let swapped = dir.path().join("current.new");
    std::os::unix::fs::symlink(&second, &swapped).expect("link");
    std::fs::rename(&swapped, &link).expect("swap the link");
    let mut status = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = server.get("/v1/brief?system=searchy").await.0;
        if status == 200 {
            break;
        }
    }
    assert_eq!(status, 200, "the new checkout is served");
    let root = server.shared.current().knowledge.root.clone();
    assert_eq!(root, second.canonicalize().expect("canonical"));
}

/// Two servers ("replicas") of the same knowledge on one PostgreSQL store;
/// the first owns the knowledge's directory.
async fn replicas_on_one_store(url: &str) -> (Server, Server) {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("decisions.db");
    let root = lore_testkit::example_copy(&dir.path().join("acme"), &log);
    let config = root.join("lore.toml");
    let mut text = std::fs::read_to_string(&config).expect("lore.toml");
    text.push_str(&format!("\n[store]\nurl = {url:?}\n"));
    std::fs::write(&config, text).expect("lore.toml");
    let first = serve(root.clone(), log, dir, Settings::default()).await;
    let second = start_on(&root, Settings::default()).await;
    (first, second)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_one_store_share_decisions_and_approvals() {
    let Some(admin) = lore_testkit::postgres_server() else { return };
    // PostgreSQL's client blocks: off the async threads.
    let url = tokio::task::spawn_blocking(move || lore_testkit::fresh_database(&admin)).await.expect("database");
    let (a, b) = replicas_on_one_store(&url).await;
    let (status, _, ready) = a.get("/readyz").await;
    assert_eq!((status, ready["store"].as_str()), (200, Some("reachable")), "{ready}");

    let asked = a.check("terraform destroy").await;
    assert!(matches!(asked["decision"].as_str(), Some("ask" | "deny")), "{asked}");
    let id = asked["decision_id"].as_i64().expect("logged in the shared store");
    let other = b.check("kubectl get pods").await;
    assert_ne!(other["decision_id"].as_i64(), Some(id), "ids are unique across replicas");

    // A human approves through replica B's store; replica A honours it at once.
    let shared = b.shared.clone();
    let approved = tokio::task::spawn_blocking(move || shared.log.with(|store| store.approve(id, &once_by_dana())))
        .await
        .expect("approve");
    assert!(matches!(approved, Ok(Ok(Some(_)))), "{approved:?}");
    let allowed = a.check("terraform destroy").await;
    assert_eq!(allowed["decision"], "allow", "{allowed}");
    let again = b.check("terraform destroy").await;
    assert_ne!(again["decision"], "allow", "the approval was used once, on replica A");

    let count = tokio::task::spawn_blocking(move || lore_log::open_shared(&url, "test").and_then(|s| s.count()))
        .await
        .expect("count");
    assert_eq!(count.expect("the store"), 4, "every check of both replicas is in the one store");
}

/// A TCP proxy in front of PostgreSQL that can be cut and restored: an
/// outage of the store without stopping the server other tests use.
struct Proxy {
    port: u16,
    up: Arc<std::sync::atomic::AtomicBool>,
    open: Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Proxy {
    fn to(target: std::net::SocketAddr) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let up = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let open = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (up_, open_) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up_.load(std::sync::atomic::Ordering::SeqCst) {
                    continue; // dropped: refused while the store is "down"
                }
                let Ok(server) = std::net::TcpStream::connect(target) else { continue };
                let pipe = |mut from: std::net::TcpStream, mut to: std::net::TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                };
                let mut all = open_.lock().expect("open");
                for stream in [&client, &server] {
                    if let Ok(clone) = stream.try_clone() {
                        all.push(clone);
                    }
                }
                if let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) {
                    pipe(c, s);
                    pipe(server, client);
                }
            }
        });
        Proxy { port, up, open }
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for stream in self.open.lock().expect("open").drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_outage_keeps_checks_answered_and_loses_nothing() {
    let Some(admin) = lore_testkit::postgres_server() else { return };
    let url = tokio::task::spawn_blocking(move || lore_testkit::fresh_database(&admin)).await.expect("database");
    let (credentials, rest) = url.split_once('@').expect("user@host in the test URL");
    let (host_port, database) = rest.split_once('/').expect("a database in the test URL");
    let proxy = Proxy::to(host_port.parse().expect("host:port"));
    let proxied = format!("{credentials}@127.0.0.1:{}/{database}", proxy.port);
    let (server, _second) = replicas_on_one_store(&proxied).await;

    let before = server.check("kubectl get pods").await;
    assert!(before["decision_id"].as_i64().is_some(), "{before}");
    proxy.cut();
    let (status, _, ready) = server.get("/readyz").await;
    assert_eq!(status, 503, "/readyz reports the outage: {ready}");
    for i in 0..5 {
        let during = server.check(&format!("kubectl get pods -n team-{i}")).await;
        assert_eq!(during["decision"], "allow", "answered from the pack: {during}");
        assert!(during["decision_id"].is_null(), "{during}");
        let notes = during["notes"].to_string();
        assert!(notes.contains("kept in this server's local log"), "{during}");
    }
    proxy.restore();
    tokio::time::sleep(lore_service::evaluate::RETRY_AFTER + Duration::from_millis(200)).await;
    let (status, _, ready) = server.get("/readyz").await;
    assert_eq!(status, 200, "back: {ready}");
    let after = server.check("kubectl get nodes").await;
    assert!(after["decision_id"].as_i64().is_some(), "written to the store again: {after}");

    // The server delivers what it queued by itself once the store is back.
    let mut entries = Vec::new();
    for _ in 0..50 {
        let url = url.clone();
        entries = tokio::task::spawn_blocking(move || {
            lore_log::open_shared(&url, "test")
                .and_then(|s| s.query(&lore_log::Filter { limit: 100, ..Default::default() }))
        })
        .await
        .expect("query")
        .expect("the store");
        if entries.len() >= 7 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let knowledge = server.shared.current().knowledge.clone();
    let shipped = tokio::task::spawn_blocking(move || lore_service::ops::decisions::ship_knowledge(&knowledge))
        .await
        .expect("ship")
        .expect("shipped")
        .expect("a store is configured");
    assert_eq!(shipped.delivered, 0, "nothing was left to ship: {shipped:?}");
    assert_eq!(entries.len(), 7, "1 before, 5 during, 1 after: nothing lost or doubled");
    let uids: std::collections::HashSet<&str> = entries.iter().map(|e| e.uid.as_str()).collect();
    assert_eq!(uids.len(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_are_listed_paged_and_approved_by_an_approver_only() {
    let server = start(64 * 1024).await;
    for command in ["kubectl get pods -n payments", "terraform destroy", "ls"] {
        server.check(command).await;
    }
    let (status, _, page) = server.get_as(READER, "/v1/decisions?limit=2").await;
    assert_eq!(status, 200, "{page}");
    let entries = page["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["input"], "ls", "newest first");
    let next = page["next_before"].as_i64().expect("a next page");
    let (_, _, rest) = server.get(&format!("/v1/decisions?before={next}")).await;
    assert_eq!(rest["entries"].as_array().map(Vec::len), Some(1), "{rest}");
    assert!(rest["next_before"].is_null(), "the last page says so");
    let asked = &rest["entries"][0];
    let id = asked["id"].as_i64().expect("id");
    let (_, _, one) = server.get(&format!("/v1/decisions/{id}")).await;
    assert_eq!(one["uid"], asked["uid"]);
    let (status, kind, body) = server.get("/v1/decisions/999999").await;
    assert_problem(status, &kind, &body, 404);
    let (status, kind, body) = server.get("/v1/decisions?since=soonish").await;
    assert_problem(status, &kind, &body, 422);

    let approve = format!("/v1/decisions/{id}/approve");
    let (status, kind, body) = server.post_as(READER, &approve, &json!({})).await;
    assert_problem(status, &kind, &body, 403);
    let (status, kind, body) = server.post(&approve, &json!({})).await;
    assert_problem(status, &kind, &body, 403);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("approver")), "{body}");
    let (status, kind, body) = server.post_as(APPROVER, &approve, &json!({ "minutes": 0 })).await;
    assert_problem(status, &kind, &body, 422);
    let (status, _, approved) = server.post_as(APPROVER, &approve, &json!({ "minutes": 5 })).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!((approved["input"].as_str(), approved["approved_by"].as_str()), (asked["input"].as_str(), Some("dana")));
    let (status, _, _) = server.post_as(APPROVER, "/v1/decisions/999999/approve", &json!({})).await;
    assert_eq!(status, 404);

    let (status, kind, body) = server.post_as(READER, "/v1/check", &json!({ "input": "ls" })).await;
    assert_problem(status, &kind, &body, 403);
    let (status, kind, body) = server
        .post_as(READER, "/v1/proposals", &json!({ "kind": "fact", "system": "x", "statement": "y", "why": "z" }))
        .await;
    assert_problem(status, &kind, &body, 403);
    let (status, kind, body) =
        server.post_as(READER, "/mcp", &json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" })).await;
    assert_problem(status, &kind, &body, 403);
    let (status, _, _) = server.get_as(READER, "/v1/systems").await;
    assert_eq!(status, 200, "a reader reads");
    let (status, _, _) = server.post_as(APPROVER, "/v1/check", &json!({ "input": "ls" })).await;
    assert_eq!(status, 200, "an approver may do what an agent may");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposals_are_approved_and_rejected_by_approvers_and_health_is_read_by_readers() {
    let server = start(64 * 1024).await;
    let propose = |statement: &str| json!({ "kind": "fact", "system": "payments-db", "statement": statement, "why": "seen in the 2026-11 failover" });
    let (_, _, first) = server.post("/v1/proposals", &propose("Replication lag over 30 s pages the DBA on call")).await;
    let (_, _, second) = server.post("/v1/proposals", &propose("The read replica is in eu-west-1b")).await;
    let (first, second) = (first["id"].as_str().expect("id"), second["id"].as_str().expect("id"));

    let reject = format!("/v1/proposals/{second}/reject");
    let (status, kind, body) = server.post_as(READER, &reject, &json!({ "why": "wrong" })).await;
    assert_problem(status, &kind, &body, 403);
    let (status, kind, body) = server.post_as(READER, &reject, &json!("not an object")).await;
    assert_problem(status, &kind, &body, 403);
    let (status, kind, body) = server.post(&reject, &json!({ "why": "wrong" })).await;
    assert_problem(status, &kind, &body, 403);
    let (status, kind, body) = server.post_as(APPROVER, &reject, &json!({ "why": "  " })).await;
    assert_problem(status, &kind, &body, 422);
    let (status, kind, body) = server.post_as(APPROVER, &reject, &json!({})).await;
    assert_problem(status, &kind, &body, 422);
    let (status, _, rejected) =
        server.post_as(APPROVER, &reject, &json!({ "why": "the replica moved to eu-west-1c" })).await;
    assert_eq!(status, 200, "{rejected}");
    let kept = rejected["decided"]["kept"].as_str().expect("kept");
    assert!(kept.contains("proposals/.history/"), "{rejected}");
    let record = std::fs::read_to_string(server.root.join(kept)).expect("the decision is kept");
    assert!(record.contains("eu-west-1c") && record.contains("dana"), "{record}");

    let (status, _, approved) = server.post_as(APPROVER, &format!("/v1/proposals/{first}/approve"), &json!({})).await;
    assert_eq!(status, 200, "{approved}");
    assert!(approved["decided"]["written"].as_str().is_some(), "{approved}");
    let (status, kind, body) = server.post_as(APPROVER, &format!("/v1/proposals/{first}/approve"), &json!({})).await;
    assert_problem(status, &kind, &body, 404);
    let (_, _, pending) = server.get("/v1/proposals").await;
    assert!(pending.as_array().is_some_and(|p| p.iter().all(|r| r["id"] != first && r["id"] != second)), "{pending}");

    let (status, _, reviews) = server.get_as(READER, "/v1/reviews").await;
    assert_eq!(status, 200, "{reviews}");
    let verdicts: Vec<(&str, &str)> = reviews
        .as_array()
        .map(|r| {
            r.iter().map(|d| (d["proposal"].as_str().unwrap_or(""), d["verdict"].as_str().unwrap_or(""))).collect()
        })
        .unwrap_or_default();
    assert_eq!(verdicts, vec![(first, "approved"), (second, "rejected")], "kept in the store, newest first: {reviews}");
    assert_eq!(reviews[1]["why"], "the replica moved to eu-west-1c");

    let (status, _, health) = server.get_as(READER, "/v1/health").await;
    assert_eq!(status, 200, "{health}");
    assert!(health["health"]["overall"].as_u64().is_some_and(|score| score <= 100), "{health}");
    assert!(health["findings"].is_array(), "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standing_approval_lets_the_same_command_through_until_it_expires() {
    let server = start(64 * 1024).await;
    let command = "kubectl --context prod-eu-1 delete namespace payments";
    let asked = server.check(command).await;
    assert_ne!(asked["decision"], "allow", "{asked}");
    let id = asked["decision_id"].as_i64().expect("logged");
    let approve = format!("/v1/decisions/{id}/approve");
    let (status, kind, body) =
        server.post_as(APPROVER, &approve, &json!({ "standing": true, "minutes": 90 * 24 * 60 + 1 })).await;
    assert_problem(status, &kind, &body, 422);
    let (status, _, approved) =
        server.post_as(APPROVER, &approve, &json!({ "standing": true, "why": "payments decommission, CHG-88" })).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!((approved["standing"].as_bool(), approved["minutes"].as_u64()), (Some(true), Some(7 * 24 * 60)));
    for _ in 0..3 {
        let again = server.check(command).await;
        assert_eq!(again["decision"], "allow", "{again}");
        assert!(again["summary"].as_str().is_some_and(|s| s.contains("standing") && s.contains("CHG-88")), "{again}");
    }
    let other = server.check("kubectl --context prod-eu-1 delete namespace ledger").await;
    assert_ne!(other["decision"], "allow", "only the exact command is approved: {other}");

    let revoke = format!("/v1/decisions/{id}/revoke");
    let (status, kind, body) = server.post_as(READER, &revoke, &json!({})).await;
    assert_problem(status, &kind, &body, 403);
    let (status, _, revoked) = server.post_as(APPROVER, &revoke, &json!({})).await;
    assert_eq!((status, revoked["revoked"].as_u64()), (200, Some(1)), "{revoked}");
    let after = server.check(command).await;
    assert_ne!(after["decision"], "allow", "a revoked standing approval no longer holds: {after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_decisions_leave_the_list_once_approved_or_rejected() {
    let server = start(64 * 1024).await;
    let asked = [
        server.check("terraform destroy").await,
        server.check("kubectl --context prod-eu-1 delete namespace payments").await,
        server.check("helm uninstall checkout --kube-context prod-eu-1").await,
    ];
    let ids: Vec<i64> = asked.iter().map(|a| a["decision_id"].as_i64().expect("logged")).collect();
    let waiting = |body: &Value| -> Vec<i64> {
        body["entries"].as_array().expect("entries").iter().filter_map(|e| e["id"].as_i64()).collect()
    };
    let (status, _, body) = server.get_as(READER, "/v1/waiting").await;
    assert_eq!(status, 200, "{body}");
    let before = waiting(&body);
    for (id, answer) in ids.iter().zip(&asked) {
        let decision = answer["decision"].as_str().unwrap_or_default();
        assert!(decision == "allow" || before.contains(id), "{decision} {id} waits: {body}");
    }

    let reject = format!("/v1/decisions/{}/reject", ids[0]);
    let (status, kind, body) = server.post_as(APPROVER, &reject, &json!({ "why": "  " })).await;
    assert_problem(status, &kind, &body, 422);
    let (status, kind, body) = server.post_as(READER, &reject, &json!({ "why": "no" })).await;
    assert_problem(status, &kind, &body, 403);
    let (status, _, rejected) = server.post_as(APPROVER, &reject, &json!({ "why": "not in the freeze" })).await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!((rejected["rejected_by"].as_str(), rejected["why"].as_str()), (Some("dana"), Some("not in the freeze")));
    let approve = format!("/v1/decisions/{}/approve", ids[1]);
    let (status, _, body) = server.post_as(APPROVER, &approve, &json!({ "why": "CHG-12" })).await;
    assert_eq!(status, 200, "{body}");

    let (_, _, body) = server.get_as(READER, "/v1/waiting").await;
    let after = waiting(&body);
    assert!(!after.contains(&ids[0]) && !after.contains(&ids[1]), "handled ones leave: {body}");
    assert_eq!(before.iter().filter(|id| !ids[..2].contains(id)).count(), after.len(), "the rest still wait");
    let (status, kind, body) = server.post_as(APPROVER, "/v1/decisions/999999/reject", &json!({ "why": "x" })).await;
    assert_problem(status, &kind, &body, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graph_and_cited_source_lines_are_served_and_other_files_are_not() {
    let server = start(64 * 1024).await;
    let (status, _, graph) = server.get_as(READER, "/v1/graph").await;
    assert_eq!(status, 200, "{graph}");
    let systems = graph["systems"].as_array().expect("systems");
    let edges = graph["edges"].as_array().expect("edges");
    assert!(systems.iter().any(|s| s["id"] == "payments-db"), "{graph}");
    assert!(edges.iter().any(|e| e["to"] == "payments-db" && e["cite"].as_str().is_some_and(|c| c.contains(':'))));
    for edge in edges {
        let known = systems.iter().any(|s| s["id"] == edge["to"]);
        assert_eq!(edge["dangling"].as_bool(), Some(!known), "{edge}");
    }

    let (_, _, brief) = server.get_as(READER, "/v1/brief?system=payments-db").await;
    let cite = brief["rules"][0]["cite"].as_str().expect("a cited rule").to_string();
    let (status, _, source) = server.get_as(READER, &format!("/v1/source?cite={cite}&context=2")).await;
    assert_eq!(status, 200, "{source}");
    let start = source["start"].as_u64().expect("start");
    let first = source["first_line"].as_u64().expect("first line");
    assert!(first <= start && start - first <= 2, "{source}");
    assert!(!source["lines"].as_array().expect("lines").is_empty(), "{source}");
    for outside in ["/etc/passwd:1", "../../../../etc/passwd:1", "lore.toml.missing:1"] {
        let (status, kind, body) = server.get_as(READER, &format!("/v1/source?cite={outside}")).await;
        assert_problem(status, &kind, &body, 404);
    }
    let (status, kind, body) = server.get_as(READER, "/v1/source?cite=%20").await;
    assert_problem(status, &kind, &body, 422);
}

/// A client that keeps cookies and does not follow redirects, as a browser's page would see them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_signs_in_with_a_token_cookie_and_guards_state_changes_against_csrf() {
    let server = start(64 * 1024).await;
    let client = browser();
    let page = client.get(format!("{}/decisions?decision=ask", server.base)).send().await.expect("get");
    assert_eq!(page.status(), 303);
    let location = page.headers()["location"].to_str().expect("location");
    assert_eq!(location, "/signin?next=%2Fdecisions%3Fdecision%3Dask");

    let signin = |body: String| {
        let request = client.post(format!("{}/signin", server.base));
        request.header("content-type", "application/x-www-form-urlencoded").body(body).send()
    };
    let wrong = signin("token=nope".into()).await.expect("post");
    assert_eq!(wrong.status(), 303);
    assert!(wrong.headers().get("set-cookie").is_none(), "no session for a wrong token");
    let signed = signin(format!("token={APPROVER}&next=%2Fwaiting")).await.expect("post");
    assert_eq!((signed.status().as_u16(), signed.headers()["location"].to_str().ok()), (303, Some("/waiting")));
    let cookies: Vec<String> =
        signed.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(String::from).collect();
    let session = cookies.iter().find(|c| c.starts_with("lore_session=")).expect("a session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
    let value = |c: &str| c.split(';').next().unwrap_or_default().to_string();
    let csrf = cookies.iter().find(|c| c.starts_with("lore_csrf=")).map(|c| value(c)).expect("a CSRF cookie");
    let jar = format!("{}; {csrf}", value(session));
    let csrf_value = csrf.trim_start_matches("lore_csrf=");

    let page = client.get(format!("{}/waiting", server.base)).header("cookie", &jar).send().await.expect("get");
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_string();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    let html = page.text().await.expect("html");
    assert!(html.contains(r#"data-role="approver""#) && html.contains("dana"), "{html}");

    let check = |headers: Vec<(&'static str, String)>| {
        let mut request = client.post(format!("{}/v1/check", server.base)).json(&json!({ "input": "ls" }));
        for (k, v) in headers {
            request = request.header(k, v);
        }
        async move { request.send().await.expect("post").status().as_u16() }
    };
    assert_eq!(check(vec![("cookie", jar.clone())]).await, 403, "a cookie alone cannot change state");
    assert_eq!(check(vec![("cookie", jar.clone()), ("x-lore-csrf", "forged".into())]).await, 403);
    let forged_site =
        vec![("cookie", jar.clone()), ("x-lore-csrf", csrf_value.into()), ("sec-fetch-site", "cross-site".into())];
    assert_eq!(check(forged_site).await, 403, "another site's page is refused");
    assert_eq!(check(vec![("cookie", jar.clone()), ("x-lore-csrf", csrf_value.into())]).await, 200);
    let read = client.get(format!("{}/v1/systems", server.base)).header("cookie", &jar).send().await.expect("get");
    assert_eq!(read.status(), 200, "reading needs no CSRF value");

    let asset = client.get(format!("{}/assets/console.js", server.base)).send().await.expect("asset");
    assert_eq!(asset.status(), 200);
    assert!(asset.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("text/javascript")));
    let etag = asset.headers()["etag"].to_str().expect("etag").to_string();
    let cached = client.get(format!("{}/assets/console.js", server.base)).header("if-none-match", etag).send().await;
    assert_eq!(cached.expect("asset").status(), 304);
    let missing = client.get(format!("{}/assets/nothing.js", server.base)).send().await.expect("asset");
    assert_eq!(missing.status(), 404);
}
