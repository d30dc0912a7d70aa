//! `/mcp/{connection_id}`: the catalog as MCP tools over streamable HTTP, driven by rmcp's own
//! client: API keys and their scope, the connection by path, the call log's `via`, the sync
//! store's extras, and the Host and Origin checks.

use std::time::{Duration, Instant};

use reqwest::Method;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Map, Value, json};
use spindle_actions::{Operation, catalog};

use crate::common::TestGateway;

type Client = RunningService<rmcp::RoleClient, ()>;

async fn gateway() -> TestGateway {
    TestGateway::builder()
        .users(30)
        .groups(3)
        .connection("acme")
        .build()
        .await
}

async fn connect(gw: &TestGateway, key: &str, path: &str) -> Client {
    let config = StreamableHttpClientTransportConfig::with_uri(format!("{}{path}", gw.base))
        .auth_header(key.to_owned());
    let transport = StreamableHttpClientTransport::with_client(reqwest::Client::new(), config);
    ().serve(transport).await.expect("the MCP session starts")
}

async fn call(client: &Client, name: &str, args: Value) -> CallToolResult {
    let args: Map<String, Value> = serde_json::from_value(args).expect("an object");
    client
        .call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The `error` of an error result (its last text block is `{"error": …}`).
fn error_of(result: &CallToolResult) -> Value {
    assert_eq!(result.is_error, Some(true), "{result:?}");
    let last = result
        .content
        .last()
        .and_then(|c| c.as_text())
        .expect("a text");
    serde_json::from_str::<Value>(&last.text).expect("JSON")["error"].clone()
}

fn names(tools: &[rmcp::model::Tool]) -> Vec<String> {
    tools.iter().map(|t| t.name.to_string()).collect()
}

#[tokio::test]
async fn a_full_key_gets_every_tool_and_calls_are_logged_as_mcp() {
    let gw = gateway().await;
    let client = connect(&gw, &gw.full, "/mcp/acme").await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut expected: Vec<String> = catalog::all().iter().map(|a| a.id.to_owned()).collect();
    expected.extend(spindle_mcp::EXTRAS.iter().map(|s| (*s).to_owned()));
    assert_eq!(names(&tools), expected);

    let result = call(&client, "get_list_all_users", json!({"limit": 5})).await;
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let items = result.structured_content.as_ref().unwrap()["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(items, 5);

    // A write runs with a full key; a destructive call is refused without a confirmation
    // (this client has no elicitation capability), and nothing is done.
    let made = call(
        &client,
        "post_create_a_group",
        json!({"body": {"profile": {"name": "From MCP"}}}),
    )
    .await;
    let group = made.structured_content.as_ref().unwrap()["id"]
        .as_str()
        .expect("a group id")
        .to_owned();
    let refused = call(&client, "delete_a_group", json!({"groupId": group})).await;
    assert_eq!(refused.is_error, Some(true));
    let still = gw
        .run("acme", "get_retrieve_a_group", json!({"groupId": group}))
        .await;
    still.ok(200);

    // Okta's 404 is a tool result with its errorCode.
    let missing = call(
        &client,
        "get_retrieve_a_user",
        json!({"id": "00unosuchuser000000"}),
    )
    .await;
    assert_eq!(missing.is_error, Some(true));
    assert_eq!(error_of(&missing)["errorCode"], "E0000007");

    // The call log says where the calls came from.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let logs = gw.get("/v1/logs?action=get_list_all_users").await;
        let items = logs.ok(200)["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if let Some(entry) = items.first() {
            assert_eq!(entry["via"], "mcp", "{entry}");
            break;
        }
        assert!(Instant::now() < deadline, "the call was not logged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The HTTP API's calls carry no `via`.
    let logs = gw.get("/v1/logs?action=get_retrieve_a_group").await;
    for entry in logs.ok(200)["items"].as_array().unwrap() {
        assert!(entry.get("via").is_none(), "{entry}");
    }
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_read_only_key_sees_read_tools_only() {
    let gw = gateway().await;
    let client = connect(&gw, &gw.read_only, "/mcp/acme").await;
    let tools = client.list_all_tools().await.expect("tools/list");
    for tool in &tools {
        let read = catalog::get(&tool.name).is_none_or(|a| a.operation == Operation::Read);
        assert!(read, "{} offered to a read-only key", tool.name);
    }
    assert!(names(&tools).contains(&"get_list_all_users".to_owned()));
    let refused = call(
        &client,
        "post_create_a_group",
        json!({"body": {"profile": {"name": "Not made"}}}),
    )
    .await;
    assert_eq!(refused.is_error, Some(true));
    let text = format!("{:?}", refused.content);
    assert!(text.contains("read-only"), "{text}");

    // Toolsets and read_only come with the URL.
    let client = connect(&gw, &gw.full, "/mcp/acme?toolsets=groups&read_only=true").await;
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(!tools.is_empty());
    for tool in &tools {
        let action = catalog::get(&tool.name).expect("a catalog action");
        assert_eq!(spindle_actions::toolset(action), "groups");
        assert_eq!(action.operation, Operation::Read);
    }
}

#[tokio::test]
async fn the_sync_store_is_read_through_the_extras() {
    let gw = gateway().await;
    let queued = gw.post("/v1/connections/acme/sync/run", json!({})).await;
    assert!([200, 202].contains(&queued.status), "{}", queued.text);
    let id = queued.json["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = gw
            .get(&format!("/v1/connections/acme/sync/runs/{id}"))
            .await;
        if run.ok(200)["state"] == "succeeded" {
            break;
        }
        assert!(Instant::now() < deadline, "the sync did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = connect(&gw, &gw.read_only, "/mcp/acme").await;
    let mut seen = 0;
    let mut args = json!({"object": "employees", "limit": 7});
    loop {
        let page = call(&client, "list_synced_records", args.clone()).await;
        assert_ne!(page.is_error, Some(true), "{page:?}");
        let output = page.structured_content.unwrap();
        seen += output["items"].as_array().unwrap().len();
        match output["next"].as_str() {
            Some(next) => args = json!({"object": "employees", "limit": 7, "cursor": next}),
            None => break,
        }
    }
    assert_eq!(seen, 30);
    let changes = call(&client, "list_changes", json!({"limit": 5})).await;
    let output = changes.structured_content.unwrap();
    assert_eq!(output["items"].as_array().unwrap().len(), 5);
    assert!(output["next"].is_string());
    let bad = call(&client, "list_changes", json!({"after": "garbage"})).await;
    assert_eq!(bad.is_error, Some(true));
    assert_eq!(error_of(&bad)["problems"][0]["path"], "after");
}

#[tokio::test]
async fn keys_connections_hosts_and_origins_are_checked_before_mcp() {
    let gw = gateway().await;
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}});
    let post = |path: &str| {
        gw.http
            .post(format!("{}{path}", gw.base))
            .header("accept", "application/json, text/event-stream")
            .json(&init)
    };
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(post("/mcp/acme").send().await.unwrap()), 401);
    assert_eq!(
        status(
            post("/mcp/nope")
                .bearer_auth(&gw.full)
                .send()
                .await
                .unwrap()
        ),
        404
    );
    assert_eq!(
        status(
            post("/mcp/acme?tools=nope")
                .bearer_auth(&gw.full)
                .send()
                .await
                .unwrap()
        ),
        422
    );
    let ok = post("/mcp/acme")
        .bearer_auth(&gw.full)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    // A name rebound to the gateway's address, and a browser page of another origin.
    let rebound = post("/mcp/acme")
        .bearer_auth(&gw.full)
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap();
    assert!(status(rebound) >= 400);
    let browser = post("/mcp/acme")
        .bearer_auth(&gw.full)
        .header("origin", "https://attacker.example")
        .send()
        .await
        .unwrap();
    assert!(status(browser) >= 400);
    // The endpoint is not part of the REST API's document.
    let doc = gw
        .send(Method::GET, "/openapi.json", crate::common::Key::None, None)
        .await;
    let paths = doc.json["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    assert!(paths.keys().all(|p| !p.starts_with("/mcp")));
}

/// Skips the calling test for `missing`, or fails under `SPINDLE_NO_SKIP=1`.
fn skip(missing: &str) {
    let msg = format!("SKIPPED: {missing}; run ./scripts/install-third-party");
    assert!(
        std::env::var("SPINDLE_NO_SKIP").as_deref() != Ok("1"),
        "{msg} (SPINDLE_NO_SKIP=1 forbids skipping)"
    );
    eprintln!("{msg}");
}

/// A loopback proxy in front of `/mcp/acme` that adds the API key (the conformance suite sends
/// none) and passes everything else through, the `Host` and `Origin` headers included.
async fn keyed_proxy(gw: &TestGateway) -> String {
    use axum::body::Body;
    use axum::extract::Request;
    use axum::response::Response;
    let target = format!("{}/mcp/acme", gw.base);
    let key = gw.full.clone();
    let http = reqwest::Client::new();
    let forward = move |request: Request| {
        let (target, key, http) = (target.clone(), key.clone(), http.clone());
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20)
                .await
                .unwrap_or_default();
            let mut out = http.request(parts.method, &target).body(body);
            for (name, value) in &parts.headers {
                if name != "content-length" {
                    out = out.header(name, value);
                }
            }
            let answer = match out.bearer_auth(&key).send().await {
                Ok(answer) => answer,
                Err(_) => return Response::builder().status(502).body(Body::empty()).unwrap(),
            };
            let mut response = Response::builder().status(answer.status());
            for (name, value) in answer.headers() {
                response = response.header(name, value);
            }
            let chunks = futures::stream::unfold(answer, |mut answer| async move {
                match answer.chunk().await {
                    Ok(Some(chunk)) => Some((Ok::<_, std::io::Error>(chunk), answer)),
                    _ => None,
                }
            });
            response.body(Body::from_stream(chunks)).unwrap()
        }
    };
    let app = axum::Router::new().route("/mcp", axum::routing::any(forward));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://localhost:{port}/mcp")
}

/// The server scenarios of the MCP conformance suite (npm `@modelcontextprotocol/conformance`)
/// that apply to Spindle: initialization, ping, the tool list, and DNS-rebinding protection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mcp_conformance_suite_passes_its_server_scenarios() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/third-party/mcp-conformance");
    let node = dir.join("node");
    let cli = dir.join("node_modules/@modelcontextprotocol/conformance/dist/index.js");
    if !node.exists() || !cli.is_file() {
        return skip(&format!(
            "the MCP conformance suite (npm @modelcontextprotocol/conformance) is not installed in {}",
            dir.display()
        ));
    }
    let gw = gateway().await;
    let url = keyed_proxy(&gw).await;
    for scenario in [
        "server-initialize",
        "ping",
        "tools-list",
        "dns-rebinding-protection",
    ] {
        let output = tokio::process::Command::new(&node)
            .arg(&cli)
            .args(["server", "--url", &url, "--scenario", scenario])
            .output()
            .await
            .expect("the conformance suite runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{scenario} failed:\n{stdout}\n{stderr}"
        );
        assert!(!stdout.contains("FAILURE"), "{scenario}:\n{stdout}");
    }
}
