//! The gateway's OpenAPI 3.1 document, generated from the handlers and types (utoipa), served at
//! `/openapi.json`, with an interactive reference at `/docs`.

use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_scalar::{Scalar, Servable};

use crate::routes::{actions, connections, employees, health, logs, passthrough, sync, webhooks};
use crate::state::AppState;

/// The OpenAPI document.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Spindle gateway",
        description = "Every supported Okta use case as a named, schema-checked action, for many \
                       Okta orgs (connections). Authenticate with an API key as \
                       `Authorization: Bearer spk_…`. Every error is an RFC 9457 problem document \
                       (`application/problem+json`) with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    paths(
        connections::list, connections::create, connections::get, connections::update,
        connections::delete,
        actions::list, actions::get, actions::run,
        employees::list,
        passthrough::passthrough,
        sync::get, sync::put, sync::run, sync::runs, sync::get_run, sync::records, sync::changes,
        webhooks::list, webhooks::create, webhooks::get, webhooks::update, webhooks::delete,
        webhooks::rotate, webhooks::deliveries, webhooks::replay,
        logs::list,
        health::healthz, health::readyz, health::metrics,
    ),
    components(schemas(
        crate::error::Problem, crate::error::ErrorCode, crate::error::InputProblem,
        crate::error::OktaProblem,
    )),
    modifiers(&ApiKeyScheme, &StandardResponses),
    tags(
        (name = "connections", description = "The Okta orgs the gateway acts on; secrets are write-only"),
        (name = "actions", description = "The catalog of Okta use cases, and running them"),
        (name = "employees", description = "The unified employee model, read live from Okta"),
        (name = "sync", description = "Incremental sync: settings, runs, the synced records and the change feed"),
        (name = "webhooks", description = "Signed deliveries (Standard Webhooks) of the sync's changes, with retries, rotation and replay; secrets are shown once"),
        (name = "passthrough", description = "Any org API call outside the catalog"),
        (name = "logs", description = "Every Okta call the gateway made"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

#[derive(Debug)]
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("spk_…")
                    .description(Some(
                        "A Spindle API key (`spindle keys create`); read_only keys may run read \
                         actions and list, full keys may do everything",
                    ))
                    .build(),
            ),
        );
    }
}

/// Adds the responses every operation can give, so that no answer is undocumented: 401 on every
/// `/v1` operation; 400, 413, 415 and 422 where there is a body; 422 where there are query
/// parameters; 500 and 503 everywhere but liveness.
#[derive(Debug)]
struct StandardResponses;

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    crate::error::PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.patch.as_mut(),
                item.put.as_mut(),
                item.delete.as_mut(),
            ];
            for operation in operations.into_iter().flatten() {
                let mut add = |status: &str, description: &str| {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(description).into());
                };
                if path.starts_with("/v1") {
                    add("401", "Missing, malformed, unknown or revoked API key");
                    add(
                        "500",
                        "A bug in the gateway (the server log has the details)",
                    );
                    add("503", "The gateway's database does not answer");
                }
                if operation.request_body.is_some() {
                    add("400", "Malformed JSON, or an empty body");
                    add("413", "The body exceeds the gateway's limit");
                    add("415", "The body is not JSON");
                    add("422", "The body is not valid: `problems` names each field");
                }
                let has_query = operation
                    .parameters
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
                if has_query {
                    add("422", "A query parameter is not valid");
                }
                if path.starts_with("/v1") {
                    add("504", "The request took longer than the gateway's timeout");
                }
            }
        }
    }
}

/// The document: what utoipa derives from the handlers, with the crate version, one typed
/// operation per catalog action ([`typed_actions`]) and the finishing touches no handler
/// annotation can express ([`finish`]).
pub fn document() -> Value {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    // Serializing the document's own types cannot fail; an empty document would show in tests.
    let mut doc = serde_json::to_value(&doc).unwrap_or_default();
    typed_actions(&mut doc);
    finish(&mut doc);
    doc
}

/// The path of the generic run operation.
const RUN_PATH: &str = "/v1/connections/{connection_id}/actions/{action_id}";

/// `post_create_a_group` → `PostCreateAGroup`: the prefix of the action's schema names.
fn type_name(id: &str) -> String {
    id.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// A schema name as OpenAPI allows it in `components` (`^[a-zA-Z0-9._-]+$`).
fn component_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    cleaned.trim_matches('_').to_owned()
}

/// The name a `$ref` into `#/components/schemas/` points at, decoded (JSON pointer escapes and
/// percent-encoding, as schemars writes them).
fn ref_target(reference: &str) -> Option<String> {
    let encoded = reference.strip_prefix("#/components/schemas/")?;
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut iter = encoded.bytes();
    while let Some(b) = iter.next() {
        if b == b'%' {
            let hex: Vec<u8> = iter.by_ref().take(2).collect();
            let value = std::str::from_utf8(&hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())?;
            bytes.push(value);
        } else {
            bytes.push(b);
        }
    }
    let decoded = String::from_utf8(bytes).ok()?;
    Some(decoded.replace("~1", "/").replace("~0", "~"))
}

/// Rewrites every `$ref` into the components whose target `renamed` maps.
fn rewrite_refs(value: &mut Value, renamed: &std::collections::HashMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some(new) = ref_target(reference).and_then(|t| renamed.get(&t))
            {
                *reference = format!("#/components/schemas/{new}");
            }
            for child in map.values_mut() {
                rewrite_refs(child, renamed);
            }
        }
        Value::Array(items) => {
            for child in items {
                rewrite_refs(child, renamed);
            }
        }
        _ => {}
    }
}

/// Adds, for every catalog action, its input and output schemas to `components.schemas`
/// (`PostCreateAGroupInput`, `PostCreateAGroupOutput`, and the types they share under their own
/// names) and an operation `POST /v1/connections/{connection_id}/actions/{id}` whose operationId
/// is the action's id.
///
/// One operation per action, rather than one operation with a `oneOf` body, is what gives a
/// generated client a typed function per action (`post_create_a_group(body: PostCreateAGroupInput)
/// -> PostCreateAGroupOutput`): a `oneOf` of 79 bodies cannot tie an answer's type to the
/// input's. The paths are the generic run operation's, with the action's id in place: the gateway
/// serves them with the same handler. The generic operation stays for callers that pick the
/// action at run time.
fn typed_actions(doc: &mut Value) {
    let shared = spindle_actions::schema::shared_for_openapi();
    let Some(generic) = doc["paths"][RUN_PATH]["post"].as_object().cloned() else {
        return;
    };
    let existing: std::collections::HashSet<String> = doc["components"]["schemas"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let action_names: std::collections::HashSet<String> = shared
        .actions
        .iter()
        .flat_map(|(id, _, _)| {
            let name = type_name(id);
            [format!("{name}Input"), format!("{name}Output")]
        })
        .collect();
    // The shared definitions, renamed where a name is not a valid component key or is already
    // taken by the gateway's own schemas.
    let mut renamed = std::collections::HashMap::new();
    let mut taken: std::collections::HashSet<String> =
        existing.union(&action_names).cloned().collect();
    for name in shared.definitions.keys() {
        let base = component_name(name);
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{base}{n}");
            n += 1;
        }
        taken.insert(candidate.clone());
        renamed.insert(name.clone(), candidate);
    }
    let mut schemas = serde_json::Map::new();
    for (name, mut schema) in shared.definitions {
        rewrite_refs(&mut schema, &renamed);
        schemas.insert(renamed[&name].clone(), schema);
    }
    let mut paths = serde_json::Map::new();
    for (id, mut input, mut output) in shared.actions {
        let Some(action) = spindle_actions::catalog::get(id) else {
            continue;
        };
        rewrite_refs(&mut input, &renamed);
        rewrite_refs(&mut output, &renamed);
        let name = type_name(id);
        let required_input = input
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| !r.is_empty());
        schemas.insert(format!("{name}Input"), input);
        schemas.insert(format!("{name}Output"), output);
        let mut op = generic.clone();
        op.insert("operationId".into(), json!(id));
        op.insert("summary".into(), json!(action.title));
        let key = if action.operation == spindle_actions::Operation::Read {
            "Any API key may run it"
        } else {
            "It needs a `full` API key"
        };
        op.insert(
            "description".into(),
            json!(format!(
                "{}\n\nOkta call: `{} {}` ({} API). Effect: `{}`. {key}. The input is validated \
                 before anything is sent to Okta.",
                action.summary,
                action.method,
                action.path,
                action.server,
                action.effect()
            )),
        );
        op.insert("x-spindle-effect".into(), json!(action.effect().as_str()));
        op.insert(
            "x-spindle-operation".into(),
            json!(action.operation.as_str()),
        );
        if let Some(Value::Array(params)) = op.get_mut("parameters") {
            params.retain(|p| {
                let param = p["name"].as_str().unwrap_or_default();
                param != "action_id"
                    && (param != "X-Okta-User-Token"
                        || action.server == spindle_actions::Server::MyAccount)
            });
        }
        op.insert(
            "requestBody".into(),
            json!({
                "description": format!("The input of `{id}`"),
                "required": required_input,
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}Input")}}}
            }),
        );
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            responses.insert(
                "200".into(),
                json!({
                    "description": format!("The output of `{id}`"),
                    "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}Output")}}}
                }),
            );
        }
        paths.insert(
            RUN_PATH.replace("{action_id}", id),
            json!({ "post": Value::Object(op) }),
        );
    }
    if let Some(components) = doc["components"]["schemas"].as_object_mut() {
        components.extend(schemas);
    }
    if let Some(all) = doc["paths"].as_object_mut() {
        all.extend(paths);
    }
}

/// What utoipa's annotations cannot say: a description for every response (utoipa leaves an
/// empty string where a response only names its body), the `servers` (the gateway serving the
/// document), and `security: []` on the public endpoints, so that no operation leaves its
/// authentication unsaid.
fn finish(doc: &mut Value) {
    doc["servers"] = json!([{"url": "/", "description": "The gateway serving this document"}]);
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut().filter_map(Value::as_object_mut) {
            op.entry("security").or_insert_with(|| json!([]));
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                let empty = response
                    .get("description")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty);
                if empty {
                    response["description"] = json!(status_description(status));
                }
            }
        }
    }
}

/// The description of a response that has none of its own.
fn status_description(status: &str) -> &'static str {
    match status {
        "200" => "Success",
        "201" => "Created",
        "202" => "Accepted: the work goes on in the background",
        "204" => "Done; no content",
        "400" => "Malformed request",
        "401" => "Missing, malformed, unknown or revoked API key",
        "403" => "The API key may not do this",
        "404" => "Not found",
        "409" => "Conflicts with the current state",
        "410" => "Gone",
        "413" => "The body exceeds the gateway's limit",
        "415" => "The body is not JSON",
        "422" => "Not valid: `problems` names each field",
        "429" => "Too many requests",
        "500" => "A bug in the gateway (the server log has the details)",
        "502" => "Okta failed",
        "503" => "Not available",
        "504" => "The request took longer than the gateway's timeout",
        _ => "See the problem document",
    }
}

/// `/openapi.json` and `/docs`.
pub fn routes() -> Router<AppState> {
    let doc = document();
    // Serialized once: the document only changes with the binary.
    let served = axum::body::Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let served = served.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        served,
                    )
                }
            }),
        )
        .merge(Scalar::with_url("/docs", doc))
}
