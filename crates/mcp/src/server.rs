//! The MCP server: lists the tools a session may use and runs their calls through a
//! [`Backend`].

use std::borrow::Cow;
use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ElicitRequestParams,
    ElicitationAction, ElicitationSchema, Implementation, InitializeResult, ListToolsResult,
    PaginatedRequestParams, ProtocolVersion, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{ElicitationMode, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Map, Value, json};
use spindle_actions::{Clients, ExecuteError, InputError, ValidInput};

use crate::paging;
use crate::tools::{self, Entry, LIST_CHANGES, LIST_SYNCED_RECORDS, Options};

/// The newest protocol revision this server speaks; older clients negotiate down to any earlier
/// one (`2025-06-18`, `2025-03-26`, `2024-11-05`). The SDK also knows `2026-07-28`, which drops
/// the `initialize` handshake and the server-to-client requests that confirmations by
/// elicitation need, so this server stops at the last revision that has them.
pub const PROTOCOL_VERSION: ProtocolVersion = ProtocolVersion::V_2025_11_25;

/// Why a call could not be carried out, as the [`Backend`] reports it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// Running the action failed (Okta's error, transport, unexpected answer).
    #[error(transparent)]
    Execute(#[from] ExecuteError),
    /// A field of the input is not acceptable to the backend.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The backend refuses the call (e.g. the connection has no Aerial settings).
    #[error("{0}")]
    Refused(String),
}

/// The query of [`SyncedReads::records`].
#[derive(Debug, Clone, Default)]
pub struct RecordsQuery {
    /// `employees`, `groups` or `memberships`.
    pub object: String,
    /// The cursor of the previous page.
    pub cursor: Option<String>,
    /// Records per page.
    pub limit: u32,
    /// Only records changed after this instant (RFC 3339).
    pub updated_after: Option<String>,
    /// Include records deleted from Okta.
    pub include_deleted: bool,
}

/// Reads of a sync store: the extras `list_synced_records` and `list_changes`.
pub trait SyncedReads: Send + Sync {
    /// A page of synced records: `{"items": [...], "next": ...}`.
    fn records(&self, query: RecordsQuery) -> BoxFuture<'_, Result<Value, Failure>>;
    /// A page of the change feed after `after`: `{"items": [...], "next": "..."}`.
    fn changes(&self, after: Option<String>, limit: u32) -> BoxFuture<'_, Result<Value, Failure>>;
}

/// Where tool calls run: the Okta org of one connection.
pub trait Backend: Send + Sync {
    /// Runs a validated action (with whatever pacing, retries and call log the backend has).
    fn execute(&self, input: ValidInput) -> BoxFuture<'_, Result<Value, Failure>>;
    /// The sync store's reads, where there is one.
    fn synced(&self) -> Option<&dyn SyncedReads> {
        None
    }
    /// The org, as a person asked to confirm a call would recognise it.
    fn target(&self) -> String;
}

/// A backend over Okta clients: what `spindle mcp` on stdio uses. No sync store.
#[derive(Debug, Clone)]
pub struct ClientsBackend {
    clients: Clients,
    target: String,
}

impl ClientsBackend {
    /// Runs actions with `clients`; `target` names the org in confirmations.
    pub fn new(clients: Clients, target: impl Into<String>) -> Self {
        ClientsBackend {
            clients,
            target: target.into(),
        }
    }
}

impl Backend for ClientsBackend {
    fn execute(&self, input: ValidInput) -> BoxFuture<'_, Result<Value, Failure>> {
        Box::pin(async move {
            spindle_actions::execute(&self.clients, input)
                .await
                .map_err(Failure::from)
        })
    }

    fn target(&self) -> String {
        self.target.clone()
    }
}

/// The backend and options of one request.
#[derive(Clone)]
pub struct Session {
    /// Where calls run.
    pub backend: Arc<dyn Backend>,
    /// What the caller may do.
    pub options: Arc<Options>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Finds the session of a request: fixed for stdio, from the HTTP request for the gateway.
pub trait Sessions: Send + Sync + 'static {
    /// The session of the request `context` belongs to.
    ///
    /// # Errors
    /// A protocol error when the request has no session (a server fault).
    fn session(&self, context: &RequestContext<RoleServer>) -> Result<Session, ErrorData>;
    /// Whether the sessions have a sync store (for the extras), known without a request.
    fn synced(&self) -> bool;
}

/// One fixed session (stdio).
#[derive(Debug, Clone)]
pub struct Fixed(pub Session);

impl Sessions for Fixed {
    fn session(&self, _: &RequestContext<RoleServer>) -> Result<Session, ErrorData> {
        Ok(self.0.clone())
    }
    fn synced(&self) -> bool {
        self.0.backend.synced().is_some()
    }
}

/// The MCP server of Spindle's catalog. Cheap to clone.
#[derive(Clone)]
pub struct SpindleMcp {
    sessions: Arc<dyn Sessions>,
    tools: Arc<Vec<Entry>>,
}

impl std::fmt::Debug for SpindleMcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpindleMcp")
            .field("tools", &self.tools.len())
            .finish_non_exhaustive()
    }
}

impl SpindleMcp {
    /// A server for one backend with fixed options (stdio).
    pub fn new(backend: Arc<dyn Backend>, options: Options) -> Self {
        Self::with_sessions(Arc::new(Fixed(Session {
            backend,
            options: Arc::new(options),
        })))
    }

    /// A server whose backend and options come with each request.
    pub fn with_sessions(sessions: Arc<dyn Sessions>) -> Self {
        let tools = Arc::new(tools::all(sessions.synced()));
        SpindleMcp { sessions, tools }
    }

    /// The tools a session with `options` is offered.
    pub fn offered(&self, options: &Options) -> Vec<Tool> {
        self.tools
            .iter()
            .filter(|e| tools::hidden_because(e, options).is_none())
            .map(|e| e.tool.clone())
            .collect()
    }

    async fn call(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let session = self.sessions.session(&context)?;
        let name = request.name.as_ref();
        let Some(entry) = self.tools.iter().find(|e| e.tool.name == name) else {
            let hint = spindle_actions::catalog::suggest(name, 3);
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown tool `{name}`{}",
                    if hint.is_empty() {
                        String::new()
                    } else {
                        format!("; did you mean {}?", hint.join(", "))
                    }
                ),
                None,
            ));
        };
        if let Some(reason) = tools::hidden_because(entry, &session.options) {
            return Ok(refusal("not_allowed", &reason));
        }
        let mut args = request.arguments.unwrap_or_default();
        let call = if entry.list {
            match paging::prepare(&mut args, entry.cursor_field, entry.has_limit) {
                Ok(call) => call,
                Err((field, message)) => return Ok(invalid(&[(field, message)])),
            }
        } else {
            paging::ListCall::default()
        };
        let output = match entry.action {
            Some(action) => {
                let input = Value::Object(args);
                let valid = match spindle_actions::validate_input(action.id, &input) {
                    Ok(valid) => valid,
                    Err(error) => return Ok(input_error(&error)),
                };
                if entry.destructive
                    && !session.options.yes_destructive
                    && let Some(refused) = confirm(
                        &context,
                        action,
                        &input,
                        &*session.backend,
                        &session.options,
                    )
                    .await
                {
                    return Ok(refused);
                }
                session.backend.execute(valid).await
            }
            None => extra(name, &args, &*session.backend).await,
        };
        Ok(match output {
            Ok(output) => success(entry, output, &call),
            Err(failure) => failure_result(&failure),
        })
    }
}

/// Asks a person to confirm a destructive call; `None` when they did, else the refusal.
async fn confirm(
    context: &RequestContext<RoleServer>,
    action: &spindle_actions::ActionSpec,
    input: &Value,
    backend: &dyn Backend,
    options: &Options,
) -> Option<CallToolResult> {
    if !context
        .peer
        .supported_elicitation_modes()
        .contains(&ElicitationMode::Form)
    {
        return Some(refusal(
            "confirmation_required",
            &format!(
                "`{}` is destructive and needs a person's confirmation, but this client cannot \
                 ask for one (no elicitation capability); nothing was done. {}",
                action.id, options.how_to_allow_destructive
            ),
        ));
    }
    let mut shown = redacted(input).to_string();
    if shown.len() > 500 {
        let mut end = 500;
        while !shown.is_char_boundary(end) {
            end -= 1;
        }
        shown.truncate(end);
        shown.push('…');
    }
    let message = format!(
        "Allow the agent to run \"{}\" ({}) on {}? It is destructive: {} {} cannot be undone by \
         another call. Input: {shown}",
        action.title,
        action.id,
        backend.target(),
        action.method.as_str(),
        action.path,
    );
    let schema = match ElicitationSchema::builder()
        .required_bool("confirm")
        .description("Tick to run the call; leave unticked, decline or cancel to refuse it.")
        .build()
    {
        Ok(schema) => schema,
        Err(e) => return Some(refusal("confirmation_failed", e)),
    };
    let answer = context
        .peer
        .create_elicitation(ElicitRequestParams::FormElicitationParams {
            meta: None,
            message,
            requested_schema: schema,
        })
        .await;
    match answer {
        Ok(result)
            if result.action == ElicitationAction::Accept
                && result
                    .content
                    .as_ref()
                    .and_then(|c| c.get("confirm"))
                    .and_then(Value::as_bool)
                    == Some(true) =>
        {
            None
        }
        Ok(result) => Some(refusal(
            "not_confirmed",
            &format!(
                "the person did not confirm `{}` ({}); nothing was done",
                action.id,
                match result.action {
                    ElicitationAction::Accept => "accepted without ticking confirm",
                    ElicitationAction::Decline => "declined",
                    _ => "cancelled",
                }
            ),
        )),
        Err(error) => Some(refusal(
            "confirmation_failed",
            &format!(
                "the confirmation of `{}` could not be asked ({error}); nothing was done",
                action.id
            ),
        )),
    }
}

/// `input` with the values of secret-looking fields (passwords, answers, passcodes, tokens)
/// replaced, for showing it in a confirmation prompt.
fn redacted(input: &Value) -> Value {
    match input {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = k.to_ascii_lowercase();
                    let secret = ["password", "answer", "passcode", "token", "secret"]
                        .iter()
                        .any(|s| key.contains(s));
                    let v = if secret && !v.is_null() {
                        Value::String("[redacted]".into())
                    } else {
                        redacted(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redacted).collect()),
        other => other.clone(),
    }
}

fn string_arg(args: &Map<String, Value>, name: &str) -> Option<String> {
    args.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn limit_arg(args: &Map<String, Value>) -> Result<u32, Failure> {
    match args.get("limit") {
        None => Ok(paging::DEFAULT_LIMIT as u32),
        Some(v) => v
            .as_u64()
            .filter(|l| (1..=1000).contains(l))
            .map(|l| l as u32)
            .ok_or_else(|| Failure::Invalid {
                field: "limit".into(),
                message: format!("expected an integer from 1 to 1000, got {v}"),
            }),
    }
}

fn check_known(args: &Map<String, Value>, known: &[&str]) -> Result<(), Failure> {
    match args.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(Failure::Invalid {
            field: unknown.clone(),
            message: format!("unknown field; expected {}", known.join(", ")),
        }),
        None => Ok(()),
    }
}

/// Runs an extra (the sync store's reads).
async fn extra(
    name: &str,
    args: &Map<String, Value>,
    backend: &dyn Backend,
) -> Result<Value, Failure> {
    let Some(synced) = backend.synced() else {
        return Err(Failure::Refused(format!(
            "`{name}` reads the gateway's sync store, which this server does not have"
        )));
    };
    if name == LIST_SYNCED_RECORDS {
        check_known(
            args,
            &[
                "object",
                "cursor",
                "limit",
                "updated_after",
                "include_deleted",
            ],
        )?;
        let object = match args.get("object").and_then(Value::as_str) {
            Some(o @ ("employees" | "groups" | "memberships")) => o.to_owned(),
            other => {
                return Err(Failure::Invalid {
                    field: "object".into(),
                    message: format!(
                        "expected employees, groups or memberships, got {}",
                        other.map_or("nothing".to_owned(), |o| format!("\"{o}\""))
                    ),
                });
            }
        };
        let include_deleted = match args.get("include_deleted") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(Failure::Invalid {
                    field: "include_deleted".into(),
                    message: format!("expected true or false, got {other}"),
                });
            }
        };
        synced
            .records(RecordsQuery {
                object,
                cursor: string_arg(args, "cursor"),
                limit: limit_arg(args)?,
                updated_after: string_arg(args, "updated_after"),
                include_deleted,
            })
            .await
    } else if name == LIST_CHANGES {
        check_known(args, &["after", "limit"])?;
        synced
            .changes(string_arg(args, "after"), limit_arg(args)?)
            .await
    } else {
        Err(Failure::Refused(format!("no tool `{name}`")))
    }
}

fn text(message: impl Into<String>) -> Vec<ContentBlock> {
    vec![ContentBlock::text(message)]
}

/// An error result: the summary, then `{"error": …}` as JSON text for an agent to read the
/// details from (the field paths, Okta's errorCode). It carries no `structuredContent`: that
/// must match the tool's output schema, which describes the success (and clients such as the
/// TypeScript SDK check it on errors too).
fn error_result(summary: String, error: Value) -> CallToolResult {
    CallToolResult::error(vec![
        ContentBlock::text(summary),
        ContentBlock::text(json!({ "error": error }).to_string()),
    ])
}

fn refusal(kind: &str, message: &str) -> CallToolResult {
    error_result(
        message.to_owned(),
        json!({"kind": kind, "message": message}),
    )
}

fn invalid(problems: &[(String, String)]) -> CallToolResult {
    let lines: Vec<String> = problems
        .iter()
        .map(|(path, message)| format!("{path}: {message}"))
        .collect();
    error_result(
        format!(
            "invalid input; nothing was sent to Okta. Fix {}:\n{}",
            if problems.len() == 1 {
                "this field"
            } else {
                "these fields"
            },
            lines.join("\n")
        ),
        json!({
            "kind": "invalid_input",
            "problems": problems.iter().map(|(path, message)| json!({"path": path, "message": message})).collect::<Vec<_>>(),
        }),
    )
}

fn input_error(error: &InputError) -> CallToolResult {
    let problems: Vec<(String, String)> = error
        .problems()
        .iter()
        .map(|p| (p.path.clone(), p.message.clone()))
        .collect();
    if problems.is_empty() {
        invalid(&[("input".to_owned(), error.to_string())])
    } else {
        invalid(&problems)
    }
}

fn okta_api(error: &spindle_okta::Error) -> Option<&spindle_okta::error::OktaError> {
    match error {
        spindle_okta::Error::Api { error, .. } => Some(error),
        spindle_okta::Error::RetriesExhausted { last, .. } => okta_api(last),
        _ => None,
    }
}

fn failure_result(failure: &Failure) -> CallToolResult {
    match failure {
        Failure::Invalid { field, message } => invalid(&[(field.clone(), message.clone())]),
        Failure::Refused(message) => refusal("refused", message),
        Failure::Execute(ExecuteError::Okta(error)) => {
            let status = error.status();
            let mut detail = json!({"kind": "okta", "status": status});
            let summary = match okta_api(error) {
                Some(body) => {
                    detail["errorCode"] = json!(body.error_code);
                    detail["errorSummary"] = json!(body.error_summary);
                    let causes: Vec<&str> = body
                        .error_causes
                        .iter()
                        .map(|c| c.error_summary.as_str())
                        .collect();
                    if !causes.is_empty() {
                        detail["errorCauses"] = json!(causes);
                    }
                    let mut text = format!(
                        "Okta answered {} {}: {}",
                        status.map_or_else(String::new, |s| s.to_string()),
                        body.error_code,
                        body.error_summary
                    );
                    for cause in causes {
                        text.push_str(&format!("\n  cause: {cause}"));
                    }
                    text
                }
                None => format!("Okta answered with an error: {error}"),
            };
            if let Some(id) = error.request_id() {
                detail["requestId"] = json!(id);
            }
            error_result(summary, detail)
        }
        Failure::Execute(ExecuteError::Transport(error)) => error_result(
            format!(
                "Okta could not be reached: {}",
                spindle_okta::with_causes(error)
            ),
            json!({"kind": "transport", "message": error.to_string()}),
        ),
        Failure::Execute(other) => error_result(
            other.to_string(),
            json!({"kind": "failed", "message": other.to_string()}),
        ),
    }
}

/// The result of a successful call: the output (shaped for an agent when a list) as
/// `structuredContent`, and a short text summary.
fn success(entry: &Entry, output: Value, call: &paging::ListCall) -> CallToolResult {
    let output = if entry.list {
        paging::shape(output, call)
    } else {
        output
    };
    let name = entry.tool.name.as_ref();
    let summary = if entry.list {
        let count = output
            .get("items")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let mut summary = format!("{name}: {count} item{}", if count == 1 { "" } else { "s" });
        if let Some(t) = output.get("truncated") {
            summary.push_str(&format!(
                " (cut: {} more; {})",
                t["omitted"],
                t["how_to_continue"].as_str().unwrap_or_default()
            ));
        } else if let (Some(field), Some(next)) = (
            entry.cursor_field,
            output.get("next").and_then(Value::as_str),
        ) {
            summary.push_str(&format!("; more with {field}={next}"));
        } else {
            summary.push_str("; no more pages");
        }
        summary
    } else {
        let json = output.to_string();
        if json.len() <= 1500 {
            format!("{name}: {json}")
        } else {
            format!(
                "{name}: done; the result ({} KB) is in structuredContent",
                json.len() / 1000
            )
        }
    };
    let mut result = CallToolResult::success(text(summary));
    result.structured_content = Some(output);
    result
}

impl ServerHandler for SpindleMcp {
    fn get_info(&self) -> ServerConfig {
        InitializeResult::new(ServerCapabilities::builder().enable_tools().build())
            .with_protocol_version(PROTOCOL_VERSION)
            .with_server_info(
                Implementation::new("spindle", env!("CARGO_PKG_VERSION"))
                    .with_title("Spindle: Okta actions"),
            )
            .with_instructions(
                "Tools for one Okta org: one per Spindle catalog action (named by its id), read \
                 tools only unless writes are allowed. Lists return 20 items per call by default \
                 with `next` to continue; results over 40 KB are cut (see `truncated`). Errors \
                 come back as tool results naming the field or Okta's errorCode.",
            )
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&PROTOCOL_VERSION))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let session = self.sessions.session(&context)?;
        Ok(ListToolsResult::with_all_items(
            self.offered(&session.options),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.call(request, context).await.map(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_the_confirmation_prompt() {
        let input = json!({"userId": "00u1", "body": {"oldPassword": {"value": "hunter2"},
            "newPassword": {"value": "correct horse"}, "recovery_question": {"answer": "blue"}}});
        let shown = redacted(&input).to_string();
        assert!(shown.contains("00u1"), "{shown}");
        for secret in ["hunter2", "correct horse", "blue"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
