//! The MCP server end to end: an rmcp client talks to the server over an in-memory pipe, and the
//! server runs the calls against an in-process emulated Okta org.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::TryStreamExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ElicitRequestParams,
    ElicitResult, ElicitationAction, Implementation, ProtocolVersion, Tool,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::{Map, Value, json};
use spindle_actions::{Clients, Operation, catalog};
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_mcp::{ClientsBackend, Options, SpindleMcp};

/// What the test client answers to a confirmation request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    /// The client has no elicitation capability.
    Unsupported,
    Yes,
    No,
    Cancel,
}

#[derive(Debug, Clone)]
struct TestClient {
    answer: Answer,
    asked: Arc<AtomicUsize>,
    version: ProtocolVersion,
}

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientConfig {
        let capabilities = if self.answer == Answer::Unsupported {
            ClientCapabilities::default()
        } else {
            ClientCapabilities::builder().enable_elicitation().build()
        };
        ClientConfig::new(capabilities, Implementation::new("spindle-test", "0"))
            .with_protocol_version(self.version.clone())
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let ElicitRequestParams::FormElicitationParams { message, .. } = &request else {
            return Ok(ElicitResult::new(ElicitationAction::Decline));
        };
        assert!(message.contains("destructive"), "{message}");
        Ok(match self.answer {
            Answer::Yes => {
                ElicitResult::new(ElicitationAction::Accept).with_content(json!({"confirm": true}))
            }
            Answer::No => ElicitResult::new(ElicitationAction::Decline),
            _ => ElicitResult::new(ElicitationAction::Cancel),
        })
    }
}

struct Harness {
    emu: Emulator,
    client: RunningService<RoleClient, TestClient>,
    asked: Arc<AtomicUsize>,
}

async fn emulator(users: usize) -> Emulator {
    Emulator::start(EmulatorConfig {
        users,
        groups: 5,
        rate_limit: RateLimitMode::Off,
        ..EmulatorConfig::default()
    })
    .await
    .expect("the emulator starts")
}

fn clients(emu: &Emulator) -> Clients {
    let config =
        spindle_okta::Config::with_api_token(&emu.url(), emu.token().to_owned()).expect("a config");
    Clients::new(spindle_okta::Client::new(config).expect("a client"))
}

fn options(allow_writes: bool) -> Options {
    Options {
        allow_writes,
        how_to_allow_writes: "start with --allow-writes".into(),
        how_to_allow_destructive: "start with --yes-destructive".into(),
        ..Options::default()
    }
}

async fn connect_to(emu: Emulator, options: Options, answer: Answer) -> Harness {
    connect_version(emu, options, answer, ProtocolVersion::V_2025_11_25).await
}

async fn connect_version(
    emu: Emulator,
    options: Options,
    answer: Answer,
    version: ProtocolVersion,
) -> Harness {
    let backend = ClientsBackend::new(clients(&emu), "the emulated org");
    let server = SpindleMcp::new(Arc::new(backend), options);
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let asked = Arc::new(AtomicUsize::new(0));
    let client = TestClient {
        answer,
        asked: Arc::clone(&asked),
        version,
    }
    .serve(client_io)
    .await
    .expect("the client initializes");
    Harness { emu, client, asked }
}

async fn connect(users: usize, options: Options, answer: Answer) -> Harness {
    connect_to(emulator(users).await, options, answer).await
}

impl Harness {
    async fn call(&self, name: &str, args: Value) -> CallToolResult {
        let args: Map<String, Value> = serde_json::from_value(args).expect("an object");
        self.client
            .call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(args))
            .await
            .unwrap_or_else(|e| panic!("{name}: a protocol error: {e}"))
    }

    async fn tools(&self) -> Vec<Tool> {
        self.client.list_all_tools().await.expect("tools/list")
    }

    async fn create_group(&self, name: &str) -> String {
        let result = self
            .call(
                "post_create_a_group",
                json!({"body": {"profile": {"name": name}}}),
            )
            .await;
        assert_ne!(result.is_error, Some(true), "{result:?}");
        structured(&result)["id"]
            .as_str()
            .expect("the new group's id")
            .to_owned()
    }

    async fn group_exists(&self, id: &str) -> bool {
        let result = self
            .call("get_retrieve_a_group", json!({"groupId": id}))
            .await;
        result.is_error != Some(true)
    }
}

fn structured(result: &CallToolResult) -> &Value {
    result
        .structured_content
        .as_ref()
        .unwrap_or_else(|| panic!("no structuredContent: {result:?}"))
}

/// The `error` of an error result (its last text block is `{"error": …}`).
fn error_of(result: &CallToolResult) -> Value {
    assert_eq!(result.is_error, Some(true), "{result:?}");
    assert!(result.structured_content.is_none(), "{result:?}");
    let last = result
        .content
        .last()
        .and_then(|c| c.as_text())
        .expect("a text");
    let json: Value = serde_json::from_str(&last.text).expect("JSON");
    json["error"].clone()
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_tools_are_the_catalog_with_object_schemas_and_truthful_annotations() {
    let h = connect(0, options(true), Answer::Yes).await;
    let tools = h.tools().await;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    let ids: Vec<&str> = catalog::all().iter().map(|a| a.id).collect();
    // On stdio there is no sync store: exactly the catalog, in its order, and no extras.
    assert_eq!(names, ids);
    for tool in &tools {
        let action = catalog::get(&tool.name).expect("a catalog action");
        assert_eq!(tool.title.as_deref(), Some(action.title));
        let description = tool.description.as_deref().unwrap_or_default();
        assert!(description.starts_with(action.summary), "{}", tool.name);
        assert!(
            description.contains(&format!("Okta: {} {}", action.method.as_str(), action.path)),
            "{}: {description}",
            tool.name
        );
        assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
        let output = tool.output_schema.as_ref().expect("an output schema");
        assert_eq!(output["type"], "object", "{}", tool.name);
        let hints = tool.annotations.as_ref().expect("annotations");
        let effects = spindle_actions::effects(action);
        assert_eq!(
            hints.read_only_hint,
            Some(action.operation == Operation::Read),
            "{}",
            tool.name
        );
        assert_eq!(
            hints.destructive_hint,
            Some(effects.destructive && !effects.read_only)
        );
        assert_eq!(hints.idempotent_hint, Some(effects.idempotent));
        assert_eq!(hints.open_world_hint, Some(true));
        // Every input property of the action is offered, with the same schema.
        let action_input = action.input_schema();
        for (name, schema) in action_input["properties"].as_object().into_iter().flatten() {
            assert_eq!(
                &tool.input_schema["properties"][name], schema,
                "{}.{name}",
                tool.name
            );
        }
    }
    let by_name = |n: &str| tools.iter().find(|t| t.name == n).unwrap();
    let hints = |n: &str| by_name(n).annotations.clone().unwrap();
    assert_eq!(hints("delete_a_group").destructive_hint, Some(true));
    let revoke = hints("delete_revoke_all_user_sessions");
    assert_eq!(
        (revoke.destructive_hint, revoke.idempotent_hint),
        (Some(true), Some(true))
    );
    let create = hints("post_create_a_user");
    assert_eq!(
        (create.destructive_hint, create.idempotent_hint),
        (Some(false), Some(false))
    );
    assert_eq!(hints("post_deactivate_user").destructive_hint, Some(true));
    assert_eq!(hints("get_list_all_users").read_only_hint, Some(true));
    assert!(by_name("get_list_all_users").input_schema["properties"]["item_fields"].is_object());
}

#[tokio::test]
async fn read_only_by_default_and_filters_select_toolsets_and_tools() {
    let h = connect(0, options(false), Answer::Yes).await;
    let tools = h.tools().await;
    let reads: HashSet<&str> = catalog::all()
        .iter()
        .filter(|a| a.operation == Operation::Read)
        .map(|a| a.id)
        .collect();
    let names: HashSet<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, reads);
    // A write tool that is not offered is refused, saying how to allow it; nothing is created.
    let result = h
        .call(
            "post_create_a_group",
            json!({"body": {"profile": {"name": "not made"}}}),
        )
        .await;
    assert_eq!(result.is_error, Some(true));
    assert!(text_of(&result).contains("--allow-writes"), "{result:?}");

    let filtered = Options {
        toolsets: Some(vec!["groups".into()]),
        tools: Some(vec!["get_retrieve_a_user".into()]),
        ..options(true)
    };
    let h = connect(0, filtered, Answer::Yes).await;
    let names: HashSet<String> = h.tools().await.into_iter().map(|t| t.name.into()).collect();
    let mut expected: HashSet<String> = spindle_actions::effects::toolset_actions("groups")
        .map(|a| a.id.to_owned())
        .collect();
    expected.insert("get_retrieve_a_user".into());
    assert_eq!(names, expected);
    assert!(names.contains("delete_a_group"));

    // --read-only wins over everything.
    let read_only = Options {
        read_only: true,
        toolsets: Some(vec!["groups".into()]),
        ..options(true)
    };
    let h = connect(0, read_only, Answer::Yes).await;
    for tool in h.tools().await {
        assert_eq!(
            tool.annotations.unwrap().read_only_hint,
            Some(true),
            "{}",
            tool.name
        );
    }
    assert!(
        Options {
            toolsets: Some(vec!["nope".into()]),
            ..options(false)
        }
        .check()
        .is_err()
    );
}

#[tokio::test]
async fn a_read_call_returns_structured_content_and_a_summary() {
    let h = connect(3, options(false), Answer::Yes).await;
    let result = h.call("get_list_all_users", json!({})).await;
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let output = structured(&result);
    let items = output["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert!(text_of(&result).starts_with("get_list_all_users: 3 items"));
    let id = items[0]["id"].as_str().unwrap();
    let one = h.call("get_retrieve_a_user", json!({"id": id})).await;
    assert_eq!(structured(&one)["id"], id);
    // Field selection keeps only the named fields.
    let narrow = h
        .call("get_list_all_users", json!({"item_fields": ["id"]}))
        .await;
    for item in structured(&narrow)["items"].as_array().unwrap() {
        assert_eq!(item.as_object().unwrap().len(), 1, "{item}");
    }
}

#[tokio::test]
async fn an_older_client_negotiates_the_previous_revision() {
    let h = connect_version(
        emulator(0).await,
        options(false),
        Answer::Unsupported,
        ProtocolVersion::V_2025_06_18,
    )
    .await;
    let info = h.client.peer_info().expect("the server's info");
    assert_eq!(info.protocol_version, ProtocolVersion::V_2025_06_18);
    let h = connect(0, options(false), Answer::Unsupported).await;
    assert_eq!(
        h.client.peer_info().unwrap().protocol_version,
        ProtocolVersion::V_2025_11_25
    );
}

#[tokio::test]
async fn a_write_runs_when_writes_are_allowed() {
    let h = connect(0, options(true), Answer::Unsupported).await;
    let id = h.create_group("Agents").await;
    assert!(h.group_exists(&id).await);
}

#[tokio::test]
async fn a_destructive_call_needs_a_confirmation() {
    // No elicitation: refused, saying how to allow it; the group stays.
    let h = connect(0, options(true), Answer::Unsupported).await;
    let id = h.create_group("Keep me").await;
    let result = h.call("delete_a_group", json!({"groupId": id})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text_of(&result).contains("--yes-destructive"), "{result:?}");
    assert!(h.group_exists(&id).await);

    // Declined, then cancelled: asked each time, nothing done.
    for answer in [Answer::No, Answer::Cancel] {
        let h = connect_to(emulator(0).await, options(true), answer).await;
        let id = h.create_group("Keep me too").await;
        let result = h.call("delete_a_group", json!({"groupId": id})).await;
        assert_eq!(result.is_error, Some(true), "{answer:?}");
        assert_eq!(error_of(&result)["kind"], "not_confirmed");
        assert_eq!(h.asked.load(Ordering::SeqCst), 1);
        assert!(h.group_exists(&id).await, "{answer:?}");
    }

    // Confirmed: deleted.
    let h = connect(0, options(true), Answer::Yes).await;
    let id = h.create_group("Delete me").await;
    let result = h.call("delete_a_group", json!({"groupId": id})).await;
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(structured(&result)["deleted"], true);
    assert_eq!(h.asked.load(Ordering::SeqCst), 1);
    assert!(!h.group_exists(&id).await);

    // The operator's --yes-destructive: no question asked.
    let yes = Options {
        yes_destructive: true,
        ..options(true)
    };
    let h = connect(0, yes, Answer::No).await;
    let id = h.create_group("Delete me unasked").await;
    let result = h.call("delete_a_group", json!({"groupId": id})).await;
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(h.asked.load(Ordering::SeqCst), 0);
    assert!(!h.group_exists(&id).await);
}

#[tokio::test]
async fn invalid_input_names_the_field_and_okta_errors_carry_the_error_code() {
    let h = connect(0, options(true), Answer::Yes).await;
    let result = h
        .call(
            "post_create_a_user",
            json!({"body": {"profile": {"firstName": "A", "lastName": "B", "email": "nope", "login": "a@example.com"}}}),
        )
        .await;
    assert_eq!(result.is_error, Some(true));
    let problems = &error_of(&result)["problems"];
    assert_eq!(problems[0]["path"], "body.profile.email", "{result:?}");
    assert!(text_of(&result).contains("body.profile.email"));

    let result = h.call("get_retrieve_a_user", json!({"id": ""})).await;
    assert_eq!(error_of(&result)["problems"][0]["path"], "id");

    let result = h
        .call("get_list_all_users", json!({"after": "spx1.broken!"}))
        .await;
    assert_eq!(error_of(&result)["problems"][0]["path"], "after");

    let result = h
        .call("get_retrieve_a_user", json!({"id": "00unosuchuser000000"}))
        .await;
    assert_eq!(result.is_error, Some(true));
    let error = &error_of(&result);
    assert_eq!(error["kind"], "okta");
    assert_eq!(error["status"], 404);
    assert_eq!(error["errorCode"], "E0000007", "{error}");
    assert!(text_of(&result).contains("E0000007"));

    // An unknown tool is a protocol error, not a result.
    let unknown = h
        .client
        .call_tool(CallToolRequestParams::new("delete_a_grop"))
        .await;
    assert!(unknown.is_err(), "{unknown:?}");
}

#[tokio::test]
async fn paging_through_next_returns_every_user_exactly_once() {
    let emu = emulator(1050).await;
    let expected: HashSet<String> = spindle_actions::pages(
        &clients(&emu),
        spindle_actions::validate_input("get_list_all_users", &json!({})).unwrap(),
    )
    .map_ok(|page| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    })
    .try_concat()
    .await
    .expect("the reference listing")
    .into_iter()
    .collect();
    // Okta leaves deactivated users out of a plain listing.
    assert!(expected.len() >= 1000, "{}", expected.len());

    let h = connect_to(emu, options(false), Answer::Yes).await;
    // Pages of 200 are cut by the size cap, so this walks both Okta's and Spindle's cursors.
    let mut seen = Vec::new();
    let mut args = json!({"limit": 200});
    let mut cut = 0;
    for _ in 0..500 {
        let result = h.call("get_list_all_users", args.clone()).await;
        assert_ne!(result.is_error, Some(true), "{result:?}");
        let output = structured(&result);
        let size = serde_json::to_vec(output).unwrap().len();
        assert!(
            size <= spindle_mcp::paging::MAX_RESULT_BYTES,
            "{size} bytes"
        );
        if output.get("truncated").is_some() {
            cut += 1;
        }
        for item in output["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match output["next"].as_str() {
            Some(next) => args = json!({"limit": 200, "after": next}),
            None => break,
        }
    }
    assert!(cut > 0, "no page was cut: the cap was not exercised");
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a user came twice");
    assert_eq!(unique, expected);

    // The default page is small.
    let first = h.call("get_list_all_users", json!({})).await;
    assert_eq!(structured(&first)["items"].as_array().unwrap().len(), 20);
    drop(h.emu);
}
