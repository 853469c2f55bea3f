//! lore's MCP server, as an agent reaches it: the real `lore` binary, driven
//! by the official SDK's client over stdio (`lore mcp`) and over streamable
//! HTTP (`lore serve`, with a bearer token).

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use common::{LoreCommand, lore};
use rmcp::model::{CallToolRequestParams, GetPromptRequestParams, ReadResourceRequestParams};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

const SECRET: &str = "mcp-test-secret-0123456789";

struct Knowledge {
    _dir: tempfile::TempDir,
    root: PathBuf,
    log: PathBuf,
    home: PathBuf,
}

fn knowledge() -> Knowledge {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("decisions.db");
    let root = lore_testkit::example_copy(&dir.path().join("acme"), &log);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    Knowledge { root, log, home, _dir: dir }
}

fn object(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => panic!("not an object"),
    }
}

/// What a client needs from lore, asked the same way over either transport.
async fn exercise(client: &RunningService<RoleClient, ()>, log: &Path, expected_source: &str) {
    let info = client.peer_info().expect("initialized");
    assert_eq!(info.server_info.as_ref().map(|i| i.name.as_str()), Some("lore"));

    let tools = client.list_tools(None).await.expect("tools/list").tools;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "check_action",
            "brief_system",
            "blast_radius",
            "search_knowledge",
            "list_rules",
            "get_incident",
            "get_runbook",
            "propose_knowledge"
        ],
        "a deterministic order"
    );
    for tool in &tools {
        let read_only = tool.annotations.as_ref().and_then(|a| a.read_only_hint);
        let expected = !matches!(tool.name.as_ref(), "check_action" | "propose_knowledge");
        assert_eq!(read_only, Some(expected), "{}'s readOnlyHint", tool.name);
        assert_eq!(tool.input_schema.get("type"), Some(&json!("object")), "{}", tool.name);
    }

    let checked = client
        .call_tool(
            CallToolRequestParams::new("check_action")
                .with_arguments(object(json!({ "input": "kubectl --context prod-eu-1 delete namespace payments" }))),
        )
        .await
        .expect("check_action");
    assert_eq!(checked.is_error, Some(false));
    let verdict = checked.structured_content.expect("structured content");
    assert_eq!(verdict["decision"], "deny", "{verdict}");
    assert!(verdict["reasons"].as_str().is_some_and(|r| r.contains("namespace")), "{verdict}");

    let briefed = client
        .call_tool(
            CallToolRequestParams::new("brief_system").with_arguments(object(json!({ "system": "payments-db" }))),
        )
        .await
        .expect("brief_system");
    let briefing = briefed.structured_content.expect("structured content");
    assert_eq!(briefing["system"]["id"], "payments-db");
    assert!(briefing["rules"].as_array().is_some_and(|r| !r.is_empty()));

    let missing = client
        .call_tool(CallToolRequestParams::new("brief_system").with_arguments(object(json!({ "system": "payment-db" }))))
        .await
        .expect("a tool error is a result");
    assert_eq!(missing.is_error, Some(true));
    let text = serde_json::to_string(&missing.content).expect("json");
    assert!(text.contains("did you mean payments-db"), "{text}");

    let resources = client.list_resources(None).await.expect("resources/list").resources;
    let page = resources.iter().find(|r| r.uri == "lore://system/payments-db").expect("a system page");
    assert!(page.annotations.as_ref().and_then(|a| a.last_modified.as_ref()).is_some(), "lastModified");
    let read = client
        .read_resource(ReadResourceRequestParams::new("lore://system/payments-db"))
        .await
        .expect("resources/read");
    let contents = serde_json::to_value(&read.contents[0]).expect("json");
    let page: Value = serde_json::from_str(contents["text"].as_str().expect("text")).expect("a JSON page");
    assert_eq!(page["system"]["id"], "payments-db");
    let rule = client
        .read_resource(ReadResourceRequestParams::new("lore://rule/no-terraform-destroy-prod"))
        .await
        .expect("a rule by id");
    assert!(serde_json::to_string(&rule.contents).expect("json").contains("terraform"));

    let prompts = client.list_prompts(None).await.expect("prompts/list").prompts;
    assert_eq!(prompts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["before-production"]);
    let prompt = client
        .get_prompt(
            GetPromptRequestParams::new("before-production")
                .with_arguments(object(json!({ "system": "payments-db", "action": "failover" }))),
        )
        .await
        .expect("prompts/get");
    let text = serde_json::to_string(&prompt.messages).expect("json");
    assert!(text.contains("check_action") && text.contains("payments-db"), "{text}");

    let log = lore_log::open(log).expect("log");
    let entries = log.query(&lore_log::Filter::default()).expect("query");
    assert_eq!(entries.len(), 1, "the check was logged, and only the check");
    assert_eq!(entries[0].source, expected_source);
    assert_eq!(entries[0].decision, "deny");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_over_stdio() {
    let k = knowledge();
    let mut mcp = lore();
    mcp.arg("mcp").knowledge(&k.root).home(&k.home);
    let transport = TokioChildProcess::new(tokio::process::Command::from(mcp)).expect("spawn lore mcp");
    let client = ().serve(transport).await.expect("initialize over stdio");
    exercise(&client, &k.log, "mcp").await;
    client.cancel().await.expect("close");
    let log = lore_log::open(&k.log).expect("log");
    let entry = &log.query(&lore_log::Filter::default()).expect("query")[0];
    assert!(entry.agent.as_deref().is_some_and(|a| a.starts_with("rmcp")), "the client's own name: {:?}", entry.agent);
}

/// `lore serve` on a free port; returns the process and its base URL.
fn serve(k: &Knowledge, tokens: Option<&Path>) -> (Child, String) {
    let mut cmd = lore();
    cmd.args(["serve", "--addr", "127.0.0.1:0"])
        .knowledge(&k.root)
        .home(&k.home)
        .env_remove("LORE_TOKENS_FILE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(tokens) = tokens {
        cmd.arg("--tokens").arg(tokens);
    }
    let mut child = cmd.spawn().expect("spawn lore serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let base = loop {
        let line = lines.next().expect("lore serve says where it listens").expect("line");
        if let Some(rest) = line.split("serving ").nth(1) {
            break rest.split_whitespace().next().expect("url").to_string();
        }
    };
    (child, base)
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_over_streamable_http_with_a_token() {
    let k = knowledge();
    let tokens = k.home.join("tokens.toml");
    std::fs::write(&tokens, format!("[[token]]\nsecret = \"{SECRET}\"\nagent = \"cursor\"\nteam = \"payments\"\n"))
        .expect("tokens");
    let (child, base) = serve(&k, Some(&tokens));
    let _server = Kill(child);

    let anonymous = StreamableHttpClientTransport::from_uri(format!("{base}/mcp"));
    assert!(().serve(anonymous).await.is_err(), "no token, no MCP");

    let config = StreamableHttpClientTransportConfig::with_uri(format!("{base}/mcp")).auth_header(SECRET);
    let client = ().serve(StreamableHttpClientTransport::from_config(config)).await.expect("initialize over HTTP");
    exercise(&client, &k.log, "mcp-http").await;
    client.cancel().await.expect("close");

    let log = lore_log::open(&k.log).expect("log");
    let entry = &log.query(&lore_log::Filter::default()).expect("query")[0];
    assert_eq!(entry.agent.as_deref(), Some("cursor"), "the token's identity is logged");
    assert_eq!(entry.team.as_deref(), Some("payments"));
}

#[test]
fn serve_refuses_an_open_address_without_tokens() {
    let k = knowledge();
    let output = lore()
        .args(["serve", "--addr", "0.0.0.0:0"])
        .knowledge(&k.root)
        .home(&k.home)
        .env_remove("LORE_TOKENS_FILE")
        .run();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("refusing to listen on 0.0.0.0:0 without API tokens"), "{stderr}");
}
