//! `/mcp/{connection_id}`: the catalog as MCP tools over streamable HTTP, for one connection.
//!
//! The MCP server itself is `spindle-mcp` (shared with `spindle mcp` on stdio); this module
//! gives it the gateway's parts. A request is authenticated with an API key like any `/v1`
//! call (`Authorization: Bearer spk_…`) and its connection is found by the path before the MCP
//! transport sees it ([`authenticate`]); the tools it is offered follow the key's scope (a
//! read-only key sees read tools only) and the query (`?read_only=true`, `?toolsets=users,groups`,
//! `?tools=id,…`). Calls run with the connection's cached clients (its pacer and retries) inside
//! the call log's scope with `via = "mcp"`, so `/v1/logs` tells them apart from the HTTP API's.
//! The extras `list_synced_records` and `list_changes` read the gateway's sync store.
//!
//! The transport is rmcp's streamable HTTP service with sessions kept in this process (a
//! confirmation by elicitation is a request from the server back to the client, which needs the
//! session), its `Host` check against [`Settings::mcp_allowed_hosts`] and its `Origin` check
//! (browser requests are refused unless their origin is in [`Settings::mcp_allowed_origins`]):
//! the DNS-rebinding protection the MCP specification asks of HTTP servers. The endpoint is not
//! in the OpenAPI document: it speaks JSON-RPC, not REST.
//!
//! [`Settings::mcp_allowed_hosts`]: crate::Settings::mcp_allowed_hosts
//! [`Settings::mcp_allowed_origins`]: crate::Settings::mcp_allowed_origins

use std::sync::Arc;

use axum::extract::{RawQuery, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use futures::future::BoxFuture;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer};
use serde_json::{Value, json};
use spindle_actions::{Operation, ValidInput, catalog};
use spindle_mcp::{Backend, Failure, Options, RecordsQuery, Session, Sessions, SyncedReads};
use spindle_store::{Connection, RecordQuery, StoreError, SyncObject};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::Caller;
use crate::error::{ApiError, Path};
use crate::state::AppState;

/// What [`authenticate`] found out about a request, for the MCP server.
#[derive(Debug, Clone)]
struct McpRequest {
    connection: Connection,
    writes: bool,
    options: Arc<Options>,
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The options of a request: the key's scope and the query.
fn options(caller: &Caller, query: Option<&str>) -> Result<Options, ApiError> {
    let mut options = Options {
        allow_writes: caller.key.scope.allows_writes(),
        ..Options::default()
    };
    for (name, value) in super::sync::query_pairs(query, &["read_only", "toolsets", "tools"])? {
        match name.as_str() {
            "read_only" => {
                options.read_only = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ApiError::invalid_field(
                            "read_only",
                            format!("expected true or false, got `{value}`"),
                        ));
                    }
                }
            }
            "toolsets" => options.toolsets = Some(list(&value)),
            _ => options.tools = Some(list(&value)),
        }
    }
    options
        .check()
        .map_err(|message| ApiError::invalid_field("query", message))?;
    options.how_to_allow_writes = if options.read_only {
        "connect without `read_only=true`, with an API key of the `full` scope".to_owned()
    } else {
        format!(
            "API key {} is read-only; connect with a key of the `full` scope",
            caller.key.id
        )
    };
    options.how_to_allow_destructive = "Use an MCP client that supports elicitation, or run \
                                        the action through POST \
                                        /v1/connections/{connection_id}/actions/{action_id}."
        .to_owned();
    Ok(options)
}

/// Authenticates the request's API key, finds its connection and reads its options; the MCP
/// transport runs only for requests that pass.
async fn authenticate(
    State(state): State<AppState>,
    caller: Caller,
    Path(connection_id): Path<String>,
    RawQuery(query): RawQuery,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let options = options(&caller, query.as_deref())?;
    let connection = state.connection(&connection_id).await?;
    request.extensions_mut().insert(McpRequest {
        connection,
        writes: caller.key.scope.allows_writes(),
        options: Arc::new(options),
    });
    Ok(next.run(request).await)
}

/// The sessions of the gateway's MCP endpoint: each request brings its own.
struct GatewaySessions(AppState);

impl Sessions for GatewaySessions {
    fn session(
        &self,
        context: &rmcp::service::RequestContext<RoleServer>,
    ) -> Result<Session, ErrorData> {
        let request = context
            .extensions
            .get::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<McpRequest>())
            .ok_or_else(|| ErrorData::internal_error("the request was not authenticated", None))?;
        Ok(Session {
            backend: Arc::new(GatewayBackend {
                state: self.0.clone(),
                connection: request.connection.clone(),
                writes: request.writes,
            }),
            options: Arc::clone(&request.options),
        })
    }

    fn synced(&self) -> bool {
        true
    }
}

/// One connection of the gateway, for one request.
struct GatewayBackend {
    state: AppState,
    connection: Connection,
    writes: bool,
}

/// A failure for a problem the gateway would have answered.
fn refused(error: &ApiError) -> Failure {
    if let Some(internal) = error.internal_detail() {
        tracing::warn!(detail = internal, "MCP tool call failed");
    }
    Failure::Refused(error.problem().detail)
}

fn store_failure(error: StoreError, field: &str) -> Failure {
    match error {
        StoreError::InvalidCursor { reason } => Failure::Invalid {
            field: field.to_owned(),
            message: format!("not a cursor of this list ({reason}); pass `next` unchanged"),
        },
        other => refused(&ApiError::from(other)),
    }
}

impl Backend for GatewayBackend {
    fn execute(&self, input: ValidInput) -> BoxFuture<'_, Result<Value, Failure>> {
        Box::pin(async move {
            let Some(spec) = catalog::get(input.action_id()) else {
                return Err(Failure::Refused(format!(
                    "no action `{}`",
                    input.action_id()
                )));
            };
            if spec.operation != Operation::Read && !self.writes {
                return Err(Failure::Refused(format!(
                    "`{}` changes the org and this API key is read-only",
                    spec.id
                )));
            }
            let (okta, _) = super::actions::action_clients(
                &self.state,
                self.connection.id.as_str(),
                spec,
                None,
            )
            .await
            .map_err(|e| refused(&e))?;
            crate::calllog::via(
                "mcp",
                crate::calllog::scope(Some(spec.id), spindle_actions::execute(&okta, input)),
            )
            .await
            .map_err(Failure::from)
        })
    }

    fn synced(&self) -> Option<&dyn SyncedReads> {
        Some(self)
    }

    fn target(&self) -> String {
        format!(
            "connection `{}` ({})",
            self.connection.name, self.connection.org_url
        )
    }
}

impl SyncedReads for GatewayBackend {
    fn records(&self, query: RecordsQuery) -> BoxFuture<'_, Result<Value, Failure>> {
        Box::pin(async move {
            let object: SyncObject =
                query
                    .object
                    .parse()
                    .map_err(|e: StoreError| Failure::Invalid {
                        field: "object".into(),
                        message: e.to_string(),
                    })?;
            let updated_after =
                match &query.updated_after {
                    Some(text) => Some(OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
                        Failure::Invalid {
                            field: "updated_after".into(),
                            message: format!(
                                "expected an RFC 3339 instant (2026-01-31T00:00:00Z), got `{text}`"
                            ),
                        }
                    })?),
                    None => None,
                };
            let q = RecordQuery {
                cursor: query.cursor,
                limit: Some(query.limit),
                updated_after,
                include_deleted: query.include_deleted,
            };
            let page = self
                .state
                .store()
                .sync()
                .records(&self.connection.id, object, &q)
                .await
                .map_err(|e| store_failure(e, "cursor"))?;
            let items: Vec<Value> = page
                .items
                .into_iter()
                .map(super::sync::record_item)
                .collect();
            Ok(json!({"items": items, "next": page.next}))
        })
    }

    fn changes(&self, after: Option<String>, limit: u32) -> BoxFuture<'_, Result<Value, Failure>> {
        Box::pin(async move {
            let sync = self.state.store().sync();
            let id = &self.connection.id;
            let position = match &after {
                None => 0,
                Some(text) => sync
                    .feed_position(id, text)
                    .await
                    .map_err(|e| store_failure(e, "after"))?,
            };
            let items = sync
                .changes(id, position, limit)
                .await
                .map_err(|e| store_failure(e, "after"))?;
            let last = items.last().map_or(position, |c| c.seq);
            let items = serde_json::to_value(items)
                .map_err(|e| Failure::Refused(format!("a change could not be read: {e}")))?;
            Ok(json!({"items": items, "next": sync.feed_cursor(id, last)}))
        })
    }
}

/// The router of `/mcp/{connection_id}`.
pub(crate) fn routes(state: &AppState) -> axum::Router<AppState> {
    let settings = state.settings();
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(settings.mcp_allowed_hosts.clone())
        .with_allowed_origins(settings.mcp_allowed_origins.clone())
        .enforce_origin_validation();
    let server = spindle_mcp::SpindleMcp::with_sessions(Arc::new(GatewaySessions(state.clone())));
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    axum::Router::new()
        .route_service("/mcp/{connection_id}", service)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authenticate,
        ))
}
