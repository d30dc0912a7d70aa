//! `/v1/actions`: the catalog, and running an action for a connection.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;
use spindle_actions::{ExecuteError, InputError, Operation, Output, catalog};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, InputProblem, JsonOrEmpty, Path, Problem, okta_failure};
use crate::state::AppState;

/// One action of the catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionSummary {
    /// The stable id (`delete_a_group`).
    pub id: &'static str,
    /// A short title.
    pub title: &'static str,
    /// The use-case list's label: `read`, `write` or `delete` (it calls most removals `write`;
    /// `effect` says what the call does). Read-only API keys may run `read` actions only.
    pub operation: &'static str,
    /// What the call does, from its HTTP method: `read`, `write` or `delete`.
    pub effect: &'static str,
    /// The kinds of data it touches.
    pub entities: &'static [&'static str],
    /// What it does, its preconditions and its result.
    pub summary: &'static str,
    /// The Okta API serving it: `management`, `aerial` or `myaccount`.
    pub server: &'static str,
    /// The Okta call's method.
    pub method: &'static str,
    /// The Okta call's path template.
    pub path: &'static str,
    /// The OAuth scopes a service app needs for it.
    pub scopes: &'static [&'static str],
}

/// One action with its input and output JSON Schemas.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionDetail {
    /// What the action is.
    #[serde(flatten)]
    pub action: ActionSummary,
    /// The input's JSON Schema (draft 2020-12): the body of a run.
    #[schema(value_type = Object)]
    pub input_schema: Value,
    /// The output's JSON Schema (draft 2020-12): the answer of a run.
    #[schema(value_type = Object)]
    pub output_schema: Value,
    /// An example input.
    #[schema(value_type = Object)]
    pub example_input: Value,
}

/// The catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    /// Every action, in catalog order.
    pub items: Vec<ActionSummary>,
}

fn summary(spec: &'static spindle_actions::ActionSpec) -> ActionSummary {
    ActionSummary {
        id: spec.id,
        title: spec.title,
        operation: spec.operation.as_str(),
        effect: spec.effect().as_str(),
        entities: spec.entities,
        summary: spec.summary,
        server: spec.server.as_str(),
        method: spec.method.as_str(),
        path: spec.path,
        scopes: spec.scopes,
    }
}

fn find(action_id: &str) -> Result<&'static spindle_actions::ActionSpec, ApiError> {
    catalog::get(action_id).ok_or_else(|| {
        let suggestions = catalog::suggest(action_id, 3);
        let hint = if suggestions.is_empty() {
            "GET /v1/actions lists them".to_owned()
        } else {
            format!("did you mean {}?", suggestions.join(", "))
        };
        ApiError::not_found(format!("no action `{action_id}`; {hint}"))
    })
}

/// Lists the catalog.
#[utoipa::path(get, path = "/v1/actions", operation_id = "listActions", tag = "actions",
    responses((status = 200, body = ActionList), (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list(_caller: Caller) -> Json<ActionList> {
    Json(ActionList {
        items: catalog::all().iter().map(summary).collect(),
    })
}

/// Describes one action, with its schemas.
#[utoipa::path(get, path = "/v1/actions/{action_id}", operation_id = "getAction", tag = "actions",
    params(("action_id" = String, Path, description = "The action's id", example = "get_retrieve_a_user")),
    responses((status = 200, body = ActionDetail), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get(
    _caller: Caller,
    Path(action_id): Path<String>,
) -> Result<Json<ActionDetail>, ApiError> {
    let spec = find(&action_id)?;
    Ok(Json(ActionDetail {
        action: summary(spec),
        input_schema: spec.input_schema(),
        output_schema: spec.output_schema(),
        example_input: spec.example_input(),
    }))
}

/// The problem for an input that does not validate.
pub(crate) fn input_problem(error: InputError) -> ApiError {
    match error {
        InputError::UnknownAction { id, .. } => ApiError::not_found(format!("no action `{id}`")),
        other => {
            let problems: Vec<InputProblem> = other
                .problems()
                .iter()
                .map(|p| InputProblem {
                    path: p.path.clone(),
                    message: p.message.clone(),
                })
                .collect();
            ApiError::invalid_input(
                format!(
                    "the input has {} problem{}; nothing was sent to Okta",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                ),
                problems,
            )
        }
    }
}

/// Runs `action_id` with `input` for a connection; the shared path of the action and
/// employee endpoints.
pub(crate) async fn run_action(
    state: &AppState,
    caller: &Caller,
    connection_id: &str,
    action_id: &str,
    input: &Value,
    user_token: Option<SecretString>,
) -> Result<Output, ApiError> {
    let spec = find(action_id)?;
    if spec.operation != Operation::Read {
        caller.require_write(&format!("`{}` ({} action)", spec.id, spec.operation))?;
    }
    if !input.is_object() {
        return Err(ApiError::invalid_field(
            "input",
            "the body must be a JSON object holding the action's input",
        ));
    }
    let valid = spindle_actions::validate_input(spec.id, input).map_err(input_problem)?;
    let (okta, name) = action_clients(state, connection_id, spec, user_token).await?;
    crate::calllog::scope(Some(spec.id), spindle_actions::execute_output(&okta, valid))
        .await
        .map_err(|error| execute_failure(&error, &name))
}

/// The Okta clients `spec` runs with on a connection (its org's, its Aerial host's, or an end
/// user's for MyAccount with `user_token`), and the connection's name.
///
/// # Errors
/// 404 for an unknown connection; 422 when the connection cannot serve the action (no Aerial
/// settings, MyAccount with an API token); the errors of [`AppState::clients`].
pub(crate) async fn action_clients(
    state: &AppState,
    connection_id: &str,
    spec: &spindle_actions::ActionSpec,
    user_token: Option<SecretString>,
) -> Result<(spindle_actions::Clients, String), ApiError> {
    let clients = state.clients(connection_id).await?;
    let aerial = if spec.server == spindle_actions::Server::Aerial {
        Some(clients.aerial.clone()?.ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::AerialNotConfigured,
                "The connection has no Okta Aerial settings",
                format!(
                    "`{}` calls the Okta Aerial API; give connection `{}` an `aerial` URL and \
                     token with PATCH /v1/connections/{}",
                    spec.id, clients.connection.name, clients.connection.id
                ),
            )
        })?)
    } else {
        None
    };
    let aerial = aerial.as_ref();
    let name = clients.connection.name.clone();
    let as_user = match &user_token {
        Some(token) if spec.server == spindle_actions::Server::MyAccount => Some(
            state
                .client_factory()
                .user_client(&clients.connection, token)?,
        ),
        Some(_) => {
            return Err(ApiError::invalid_field(
                USER_TOKEN_HEADER,
                format!(
                    "only MyAccount actions act as an end user; `{}` uses the connection's \
                     credentials, so leave the header out",
                    spec.id
                ),
            ));
        }
        None if spec.server == spindle_actions::Server::MyAccount
            && matches!(clients.connection.auth, spindle_store::AuthConfig::ApiToken) =>
        {
            // Okta would answer 401 to the API token, which reads as if the connection's
            // credentials were wrong; they are not, MyAccount just takes no API tokens.
            return Err(ApiError::invalid_field(
                USER_TOKEN_HEADER,
                format!(
                    "`{}` calls the MyAccount API, which does not accept API tokens: send the end \
                     user's Okta access token in {USER_TOKEN_HEADER}, or use an OAuth connection \
                     granted the MyAccount scopes",
                    spec.id
                ),
            ));
        }
        None => None,
    };
    let mut okta = spindle_actions::Clients::new(clients.org.clone());
    if let Some(aerial) = aerial {
        okta = okta.aerial(aerial.clone());
    }
    if let Some(user) = as_user {
        okta = okta.my_account(user);
    }
    Ok((okta, name))
}

fn execute_failure(error: &ExecuteError, connection: &str) -> ApiError {
    match error {
        ExecuteError::Okta(e) | ExecuteError::Transport(e) => okta_failure(e, connection),
        ExecuteError::Output(e) => ApiError::new(
            axum::http::StatusCode::BAD_GATEWAY,
            ErrorCode::OktaUnexpectedAnswer,
            "Okta's answer could not be read",
            format!("Okta answered, but not as documented: {e}"),
        ),
        other => ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Unsupported,
            "The action cannot run on this connection",
            other.to_string(),
        ),
    }
}

/// The header carrying an end user's Okta access token for the MyAccount actions.
pub const USER_TOKEN_HEADER: &str = "x-okta-user-token";

/// Runs an action for a connection.
///
/// The body is the action's input (see `GET /v1/actions/{action_id}` for its schema), the answer
/// its output. The input is validated
/// before anything is sent; an Okta error comes back as a problem carrying Okta's status,
/// errorCode, summary, causes and request id. `write` and `delete` actions need a `full` key.
/// MyAccount actions act for a signed-in user: pass the user's Okta access token in
/// `X-Okta-User-Token` (without it, the connection's own credentials are used, which only an
/// OAuth service app granted the MyAccount scopes can satisfy).
#[utoipa::path(post, path = "/v1/connections/{connection_id}/actions/{action_id}", operation_id = "runAction", tag = "actions",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name"),
           ("action_id" = String, Path, description = "The action's id", example = "get_list_all_users"),
           ("X-Okta-User-Token" = Option<String>, Header, pattern = "^[!-~]+$", description = "For MyAccount actions: the end user's Okta access token (never stored or logged)")),
    request_body(content = Object, description = "The action's input (an empty body is the empty input `{}`)"),
    responses((status = 200, description = "The action's output", body = Object),
        (status = 400, description = "Malformed JSON, or Okta's 400", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only key, or Okta's 403", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown connection or action, or Okta's 404", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The input is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Okta's rate limit", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "Okta failed or refused the connection's credentials", body = Problem, content_type = "application/problem+json"),
        (status = 504, description = "Okta did not answer in time", body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    Path((connection_id, action_id)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    JsonOrEmpty(input): JsonOrEmpty<Value>,
) -> Result<JsonOutput, ApiError> {
    // An unknown action is reported before anything about the request's other parts.
    find(&action_id)?;
    let user_token = match headers.get(USER_TOKEN_HEADER) {
        Some(value) => {
            let token = value.to_str().map(str::trim).unwrap_or_default();
            let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
            if token.is_empty() {
                return Err(ApiError::invalid_field(
                    USER_TOKEN_HEADER,
                    "must hold the user's access token (visible ASCII)",
                ));
            }
            Some(SecretString::from(token.to_owned()))
        }
        None => None,
    };
    run_action(
        &state,
        &caller,
        &connection_id,
        &action_id,
        &input,
        user_token,
    )
    .await
    .map(JsonOutput)
}

/// An action's output as an answer: its JSON text as the action encoded it, moved into the body
/// (never decoded into a value tree and encoded again).
#[derive(Debug)]
pub struct JsonOutput(pub Output);

impl IntoResponse for JsonOutput {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.0.into_bytes(),
        )
            .into_response()
    }
}
