//! `/healthz`, `/readyz`, `/metrics`, `/openapi.json` and `/docs`.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Backend, Key, TestDatabase, TestGateway, both_backends};

both_backends!(health_and_readiness, metrics_count_requests_by_route);

async fn health_and_readiness(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    for path in ["/healthz", "/readyz"] {
        let r = gw.send(Method::GET, path, Key::None, None).await;
        assert_eq!(r.ok(200), &json!({"status": "ok"}), "{path}");
        assert!(r.header("content-type").starts_with("application/json"));
    }
    // Readiness follows the database: closed store, not ready (liveness stays up).
    gw.store.close().await;
    let r = gw.send(Method::GET, "/readyz", Key::None, None).await;
    r.problem(503, "not_ready");
    let r = gw.send(Method::GET, "/healthz", Key::None, None).await;
    r.ok(200);
    gw.stop().await;
}

async fn metrics_count_requests_by_route(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let conn = gw.connect("acme").await;
    gw.get("/v1/connections").await.ok(200);
    gw.get(&format!("/v1/connections/{conn}")).await.ok(200);
    gw.send(Method::GET, "/v1/actions", Key::None, None)
        .await
        .problem(401, "unauthorized");
    gw.get("/nowhere").await.problem(404, "not_found");
    gw.run(&conn, "get_list_all_users", json!({})).await.ok(200);
    gw.run(&conn, "get_retrieve_a_user", json!({"id": "00unobody"}))
        .await
        .problem(404, "okta_error");
    let r = gw.send(Method::GET, "/metrics", Key::None, None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").contains("text"), "{:?}", r.headers);
    let text = &r.text;
    assert!(text.contains("spindle_http_requests_total"), "{text}");
    let line = |route: &str, method: &str, status: u16| {
        text.lines().any(|l| {
            l.starts_with("spindle_http_requests_total{")
                && l.contains(&format!("route=\"{route}\""))
                && l.contains(&format!("method=\"{method}\""))
                && l.contains(&format!("status=\"{status}\""))
        })
    };
    assert!(line("/v1/connections", "GET", 200), "{text}");
    assert!(line("/v1/connections", "POST", 201), "{text}");
    // The route template, never the concrete path (ids would make unbounded label sets).
    assert!(
        line("/v1/connections/{connection_id}", "GET", 200),
        "{text}"
    );
    assert!(!text.contains(&conn), "{text}");
    assert!(line("/v1/actions", "GET", 401), "{text}");
    assert!(line("unmatched", "GET", 404), "{text}");
    assert!(
        text.contains("spindle_http_request_duration_seconds"),
        "{text}"
    );
    // Okta calls by method and status class.
    let okta = |class: &str| {
        text.lines().any(|l| {
            l.starts_with("spindle_okta_calls_total{")
                && l.contains("method=\"GET\"")
                && l.contains(&format!("status_class=\"{class}\""))
        })
    };
    assert!(okta("2xx"), "{text}");
    assert!(okta("4xx"), "{text}");
    assert!(
        text.contains("spindle_okta_call_duration_seconds"),
        "{text}"
    );
    assert!(text.contains("spindle_call_log_dropped"), "{text}");
    assert!(!text.contains("00unobody"), "{text}");
    assert!(!text.contains(&gw.full), "{text}");
    gw.stop().await;
}

/// Every route the router serves, as (method, path template); kept in step with `router()`.
const SERVED: &[(&str, &str)] = &[
    ("get", "/v1/connections"),
    ("post", "/v1/connections"),
    ("get", "/v1/connections/{connection_id}"),
    ("patch", "/v1/connections/{connection_id}"),
    ("delete", "/v1/connections/{connection_id}"),
    ("get", "/v1/actions"),
    ("get", "/v1/actions/{action_id}"),
    (
        "post",
        "/v1/connections/{connection_id}/actions/{action_id}",
    ),
    ("get", "/v1/connections/{connection_id}/employees"),
    ("post", "/v1/connections/{connection_id}/passthrough"),
    ("get", "/v1/connections/{connection_id}/sync"),
    ("put", "/v1/connections/{connection_id}/sync"),
    ("post", "/v1/connections/{connection_id}/sync/run"),
    ("get", "/v1/connections/{connection_id}/sync/runs"),
    ("get", "/v1/connections/{connection_id}/sync/runs/{run_id}"),
    ("get", "/v1/connections/{connection_id}/records/{object}"),
    ("get", "/v1/connections/{connection_id}/changes"),
    ("get", "/v1/logs"),
    ("get", "/v1/webhooks"),
    ("post", "/v1/webhooks"),
    ("get", "/v1/webhooks/{webhook_id}"),
    ("patch", "/v1/webhooks/{webhook_id}"),
    ("delete", "/v1/webhooks/{webhook_id}"),
    ("post", "/v1/webhooks/{webhook_id}/rotate"),
    ("get", "/v1/webhooks/{webhook_id}/deliveries"),
    ("post", "/v1/webhooks/{webhook_id}/replay"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
];

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            if item.get(method).is_some() {
                ops.insert((method.to_owned(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_3_1_and_lists_every_route() {
    crate::common::with_database(Backend::Sqlite, |db| async move {
        let gw = TestGateway::builder().database(&db).build().await;
        let r = gw.send(Method::GET, "/openapi.json", Key::None, None).await;
        let doc = r.ok(200).clone();
        assert!(r.header("content-type").starts_with("application/json"));
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1")),
            "{}",
            doc["openapi"]
        );
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        let documented = operations(&doc);
        let mut served: BTreeSet<(String, String)> = SERVED
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        // One typed operation per catalog action, served by the run route.
        for action in spindle_actions::catalog::all() {
            served.insert((
                "post".to_owned(),
                format!("/v1/connections/{{connection_id}}/actions/{}", action.id),
            ));
        }
        assert_eq!(documented, served);
        // Each documented operation is really served: it answers neither the unknown-route 404
        // nor 405 (without a key, /v1 answers 401).
        for (method, path) in &documented {
            let concrete = path
                .replace("{connection_id}", "acme")
                .replace("{action_id}", "get_retrieve_a_user")
                .replace("{run_id}", "run_01JQ2ZK8V6S4D1X3M9T0B7C5NA")
                .replace("{object}", "employees");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            let r = gw.send(method.clone(), &concrete, Key::None, None).await;
            let expected = if path.starts_with("/v1/") { 401 } else { 200 };
            assert_eq!(r.status, expected, "{method} {concrete}: {}", r.text);
        }
        // Every /v1 operation declares the API key; the operations endpoints say they need none
        // (`security: []`); every response has a description.
        for (method, path) in &documented {
            let op = &doc["paths"][path][method];
            let security = op["security"]
                .as_array()
                .expect("security on every operation");
            assert_eq!(
                !security.is_empty(),
                path.starts_with("/v1/"),
                "{method} {path}"
            );
            for (status, response) in op["responses"].as_object().expect("responses") {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status}"
                );
            }
        }
        assert_eq!(doc["servers"][0]["url"], "/");
        assert_eq!(
            doc["components"]["securitySchemes"]["api_key"]["scheme"],
            "bearer"
        );
        for schema in ["Problem", "InputProblem", "OktaProblem"] {
            assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
        }
        insta::assert_json_snapshot!("openapi", doc, {".info.version" => "[version]"});
        // The interactive reference is served too.
        let docs = gw.send(Method::GET, "/docs", Key::None, None).await;
        assert_eq!(docs.status, 200);
        assert!(docs.text.contains("/openapi.json") || docs.text.contains("openapi"));
        gw.stop().await;
    })
    .await;
}

#[test]
fn operation_summaries_are_one_line() {
    let doc = spindle_server::openapi::document();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("an item") {
            let summary = op["summary"].as_str().unwrap_or_default();
            assert!(!summary.is_empty(), "{method} {path} has no summary");
            assert!(!summary.contains('\n'), "{method} {path}: {summary:?}");
        }
    }
}

/// Every catalog action has its own operation, with its input and output schemas in the
/// components under the action's name, and every `$ref` of the document resolves.
#[test]
fn every_action_is_typed_in_the_openapi_document() {
    let doc = spindle_server::openapi::document();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut names = BTreeSet::new();
    for action in spindle_actions::catalog::all() {
        let path = format!("/v1/connections/{{connection_id}}/actions/{}", action.id);
        let op = &doc["paths"][&path]["post"];
        assert_eq!(op["operationId"], action.id, "{path}");
        assert_eq!(op["summary"], action.title, "{path}");
        assert_eq!(op["x-spindle-effect"], action.effect().as_str(), "{path}");
        let name: String = action
            .id
            .split('_')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect();
        for (part, schema) in [
            (
                "Input",
                &op["requestBody"]["content"]["application/json"]["schema"],
            ),
            (
                "Output",
                &op["responses"]["200"]["content"]["application/json"]["schema"],
            ),
        ] {
            let component = format!("{name}{part}");
            assert_eq!(
                schema["$ref"],
                format!("#/components/schemas/{component}"),
                "{path} {part}"
            );
            let typed = &schemas[&component];
            assert_eq!(typed["type"], "object", "{component}");
            assert!(
                typed["properties"]
                    .as_object()
                    .is_some_and(|p| !p.is_empty())
                    || typed.get("oneOf").is_some()
                    || part == "Input",
                "{component} has no properties: {typed}"
            );
            names.insert(component);
        }
        // Every input field is in the typed input.
        let inline = action.input_schema();
        for field in inline["properties"]
            .as_object()
            .into_iter()
            .flat_map(|p| p.keys())
        {
            assert!(
                schemas[&format!("{name}Input")]["properties"]
                    .get(field)
                    .is_some(),
                "{}: {field}",
                action.id
            );
        }
        // MyAccount actions alone take the end user's token.
        let takes_token = op["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .any(|p| p["name"] == "X-Okta-User-Token");
        assert_eq!(
            takes_token,
            action.server == spindle_actions::Server::MyAccount,
            "{}",
            action.id
        );
    }
    assert_eq!(names.len(), 2 * spindle_actions::catalog::all().len());
    // Every reference resolves to a component, and every component name is a valid key.
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for reference in all {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference}"));
        assert!(schemas.contains_key(name), "{reference} does not resolve");
    }
    for name in schemas.keys() {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')),
            "{name}"
        );
    }
}

/// The document's `Problem.code` is the `ErrorCode` enum, listing every code a problem can carry.
#[test]
fn the_openapi_document_lists_every_error_code() {
    let doc = spindle_server::openapi::document();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Problem"]["properties"]["code"]["$ref"], "#/components/schemas/ErrorCode",
        "{}",
        schemas["Problem"]
    );
    let listed: Vec<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode is an enum of strings")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let codes: Vec<&str> = spindle_server::ErrorCode::ALL
        .iter()
        .map(|code| code.as_str())
        .collect();
    assert_eq!(listed, codes);
    for code in ["invalid_input", "okta_error", "org_url_refused", "internal"] {
        assert!(listed.contains(&code), "{code}");
    }
}
