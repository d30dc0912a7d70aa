//! The gateway's OpenAPI 3.1 document, generated from the handlers and types (utoipa), served at
//! `/openapi.json`, with an interactive reference at `/docs`.

use axum::Json;
use axum::Router;
use axum::routing::get;
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

/// The document, with the crate version.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// `/openapi.json` and `/docs`.
pub fn routes() -> Router<AppState> {
    let doc = document();
    Router::new()
        .route(
            "/openapi.json",
            get(move || async move { Json(document()) }),
        )
        .merge(Scalar::with_url("/docs", doc))
}
