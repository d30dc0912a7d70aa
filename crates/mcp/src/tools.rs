//! The tools: one per catalog action, generated from the catalog at run time, plus the
//! documented extras that read the gateway's sync store; and which of them a session offers.

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};
use spindle_actions::{ActionSpec, Operation, catalog, effects, toolset};

use crate::paging::{DEFAULT_LIMIT, ITEM_FIELDS, MAX_RESULT_BYTES};

/// The synced records of the gateway's store (an extra: not a catalog action).
pub const LIST_SYNCED_RECORDS: &str = "list_synced_records";
/// The gateway's change feed (an extra: not a catalog action).
pub const LIST_CHANGES: &str = "list_changes";
/// The extras, in the order they are listed.
pub const EXTRAS: &[&str] = &[LIST_SYNCED_RECORDS, LIST_CHANGES];
/// The toolset of the extras.
pub const SYNC_TOOLSET: &str = "sync";

/// Which tools a session offers, and how far they may go.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Offer the tools that change the org (without it: read tools only).
    pub allow_writes: bool,
    /// Run destructive tools without asking a person (otherwise they need a confirmation by
    /// elicitation, or are refused).
    pub yes_destructive: bool,
    /// Offer read tools only, whatever else is set.
    pub read_only: bool,
    /// Only the tools of these toolsets (with [`Options::tools`]: the union).
    pub toolsets: Option<Vec<String>>,
    /// Only these tools (with [`Options::toolsets`]: the union).
    pub tools: Option<Vec<String>>,
    /// What the refusal of a write says to do, e.g. "start `spindle mcp` with --allow-writes".
    pub how_to_allow_writes: String,
    /// What the refusal of an unconfirmed destructive call says to do.
    pub how_to_allow_destructive: String,
}

impl Options {
    /// Whether write tools are offered.
    pub fn writes(&self) -> bool {
        self.allow_writes && !self.read_only
    }

    /// Checks the names of `toolsets` and `tools`.
    ///
    /// # Errors
    /// A message naming the unknown toolset or tool and the known ones.
    pub fn check(&self) -> Result<(), String> {
        for set in self.toolsets.iter().flatten() {
            if !spindle_actions::effects::TOOLSETS.contains(&set.as_str()) && set != SYNC_TOOLSET {
                return Err(format!(
                    "unknown toolset `{set}`; the toolsets are {}, {SYNC_TOOLSET}",
                    spindle_actions::effects::TOOLSETS.join(", ")
                ));
            }
        }
        for tool in self.tools.iter().flatten() {
            if catalog::get(tool).is_none() && !EXTRAS.contains(&tool.as_str()) {
                let hint = catalog::suggest(tool, 3);
                return Err(if hint.is_empty() {
                    format!("unknown tool `{tool}` (`spindle actions list` lists them)")
                } else {
                    format!("unknown tool `{tool}`; did you mean {}?", hint.join(", "))
                });
            }
        }
        Ok(())
    }

    /// Whether the toolset and tool filters select `name` of `set`.
    pub(crate) fn selects(&self, name: &str, set: &str) -> bool {
        if self.toolsets.is_none() && self.tools.is_none() {
            return true;
        }
        self.toolsets.iter().flatten().any(|s| s == set)
            || self.tools.iter().flatten().any(|t| t == name)
    }
}

/// A tool and where it comes from.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The tool as listed.
    pub tool: Tool,
    /// The catalog action behind it (`None` for the extras).
    pub action: Option<&'static ActionSpec>,
    /// Whether it only reads.
    pub read_only: bool,
    /// Whether it needs a confirmation.
    pub destructive: bool,
    /// Its toolset.
    pub toolset: &'static str,
    /// For lists: the input field that continues from `next`.
    pub cursor_field: Option<&'static str>,
    /// For lists: whether the input has a `limit`.
    pub has_limit: bool,
    /// Whether it is a list (its output has `items`).
    pub list: bool,
}

fn object(value: Value) -> Arc<JsonObject> {
    match value {
        Value::Object(map) => Arc::new(map),
        other => {
            // Every catalog schema is an object schema (a test of the catalog says so); wrap
            // anything else so that the tool stays valid.
            let mut map = JsonObject::new();
            map.insert("type".into(), json!("object"));
            map.insert("properties".into(), json!({"value": other}));
            Arc::new(map)
        }
    }
}

fn item_fields_property() -> Value {
    json!({
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "description": "Only these fields of each item (e.g. [\"id\", \"status\", \"profile\"]); \
                        all when left out. Spindle's option, not sent to Okta."
    })
}

fn truncated_property() -> Value {
    json!({
        "type": "object",
        "description": "Present when the result was cut to stay under the size cap.",
        "properties": {
            "returned": {"type": "integer"},
            "omitted": {"type": "integer"},
            "how_to_continue": {"type": "string"}
        }
    })
}

fn list_note(cursor_field: Option<&str>, has_limit: bool) -> String {
    let mut note = String::from("\n\nA list");
    if has_limit {
        note.push_str(&format!(
            ": {DEFAULT_LIMIT} items per call unless `limit` says otherwise"
        ));
    }
    if let Some(field) = cursor_field {
        note.push_str(&format!(
            "; the result's `next` continues it (pass it as `{field}`)"
        ));
    }
    note.push_str(&format!(
        ". Results over {} KB are cut (see `truncated`). `{ITEM_FIELDS}` keeps only the named \
         fields of each item.",
        MAX_RESULT_BYTES / 1000
    ));
    note
}

/// The tool of a catalog action.
pub fn action_tool(action: &'static ActionSpec) -> Entry {
    let effects = effects(action);
    let mut input = action.input_schema();
    let mut output = action.output_schema();
    let list = output
        .pointer("/properties/items/type")
        .and_then(Value::as_str)
        == Some("array");
    let props = input.get("properties").and_then(Value::as_object);
    let has = |name: &str| props.is_some_and(|p| p.contains_key(name));
    let has_limit = list && has("limit");
    let cursor_field = if !list {
        None
    } else if has("after") {
        Some("after")
    } else if has("cursor") {
        Some("cursor")
    } else {
        None
    };
    let mut description = format!(
        "{}\n\nOkta: {} {}",
        action.summary,
        action.method.as_str(),
        action.path
    );
    if list {
        description.push_str(&list_note(cursor_field, has_limit));
        if let Some(props) = input.get_mut("properties").and_then(Value::as_object_mut) {
            props.insert(ITEM_FIELDS.into(), item_fields_property());
        }
        if let Some(props) = output.get_mut("properties").and_then(Value::as_object_mut) {
            props.insert("truncated".into(), truncated_property());
        }
        // Items narrowed by `item_fields` lack fields the model requires.
        if let Some(item) = output.pointer_mut("/properties/items/items")
            && let Some(item) = item.as_object_mut()
        {
            item.remove("required");
        }
    }
    if effects.destructive && !effects.read_only {
        description.push_str(
            "\n\nDestructive: runs only after a person confirms it (MCP elicitation) or when \
             the server allows destructive calls.",
        );
    }
    let annotations = ToolAnnotations::with_title(action.title)
        .read_only(effects.read_only)
        .destructive(effects.destructive && !effects.read_only)
        .idempotent(effects.idempotent)
        .open_world(true);
    let tool = Tool::new(
        Cow::Borrowed(action.id),
        Cow::Owned(description),
        object(input),
    )
    .with_title(action.title)
    .with_raw_output_schema(object(output))
    .with_annotations(annotations);
    Entry {
        tool,
        action: Some(action),
        read_only: effects.read_only,
        destructive: effects.destructive && !effects.read_only,
        toolset: toolset(action),
        cursor_field,
        has_limit,
        list,
    }
}

fn extra(name: &'static str, title: &str, description: &str, input: Value, output: Value) -> Entry {
    let tool = Tool::new(
        Cow::Borrowed(name),
        Cow::Owned(description.to_owned()),
        object(input),
    )
    .with_title(title)
    .with_raw_output_schema(object(output))
    .with_annotations(
        ToolAnnotations::with_title(title)
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            // The gateway's own store: no call leaves it.
            .open_world(false),
    );
    Entry {
        tool,
        action: None,
        read_only: true,
        destructive: false,
        toolset: SYNC_TOOLSET,
        cursor_field: Some(if name == LIST_CHANGES {
            "after"
        } else {
            "cursor"
        }),
        has_limit: true,
        list: true,
    }
}

/// The extras: reads of the gateway's sync store (only where there is one).
pub fn extras() -> Vec<Entry> {
    let note = list_note(Some("cursor"), true);
    let records = extra(
        LIST_SYNCED_RECORDS,
        "List synced records",
        &format!(
            "The connection's records as the gateway's last sync run copied them (no Okta call): \
             employees (the unified employee model with the raw Okta user), groups, or \
             memberships (group_id and user_id). Each record has `deleted_at` (null while it \
             exists in Okta) and `version`. Gateway: GET \
             /v1/connections/{{connection_id}}/records/{{object}}.{note}"
        ),
        json!({
            "type": "object",
            "properties": {
                "object": {"type": "string", "enum": ["employees", "groups", "memberships"],
                           "description": "Which records."},
                "cursor": {"type": "string", "minLength": 1,
                           "description": "The `next` of the previous result."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 1000,
                          "description": "Records per call (default 20)."},
                "updated_after": {"type": "string", "format": "date-time",
                                  "description": "Only records Spindle changed after this instant (RFC 3339)."},
                "include_deleted": {"type": "boolean",
                                    "description": "Include records deleted from Okta (default false)."},
                ITEM_FIELDS: item_fields_property()
            },
            "required": ["object"],
            "additionalProperties": false
        }),
        json!({
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"type": "object"}},
                "next": {"type": ["string", "null"]},
                "truncated": truncated_property()
            },
            "required": ["items"]
        }),
    );
    let changes = extra(
        LIST_CHANGES,
        "List changes",
        &format!(
            "The connection's change feed in order: what the sync saw change in Okta \
             (employee.created/updated/terminated/deleted, group.*, membership.added/removed), \
             each with `seq`, the record after the change and, for updates, the changed fields. \
             Without `after` the feed is read from its beginning; `after: \"now\"` starts at its \
             end. `next` is always present: pass it as `after` to read on. Gateway: GET \
             /v1/connections/{{connection_id}}/changes.{}",
            list_note(Some("after"), true)
        ),
        json!({
            "type": "object",
            "properties": {
                "after": {"type": "string", "minLength": 1,
                          "description": "The `next` of the previous result, or `now`."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 1000,
                          "description": "Changes per call (default 20)."},
                ITEM_FIELDS: item_fields_property()
            },
            "additionalProperties": false
        }),
        json!({
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"type": "object"}},
                "next": {"type": ["string", "null"]},
                "truncated": truncated_property()
            },
            "required": ["items"]
        }),
    );
    vec![records, changes]
}

/// Every tool the server knows: the catalog's, in catalog order, then the extras when `synced`.
pub fn all(synced: bool) -> Vec<Entry> {
    let mut entries: Vec<Entry> = catalog::all().iter().map(action_tool).collect();
    if synced {
        entries.extend(extras());
    }
    entries
}

/// Why a known tool is not offered to a session, or `None` when it is.
pub(crate) fn hidden_because(entry: &Entry, options: &Options) -> Option<String> {
    let name = entry.tool.name.as_ref();
    if !options.selects(name, entry.toolset) {
        return Some(format!(
            "`{name}` (toolset `{}`) is not among the tools this server was started with",
            entry.toolset
        ));
    }
    if entry.read_only {
        return None;
    }
    let kind = entry.action.map_or("write", |a| match a.operation {
        Operation::Read => "read",
        _ => "write",
    });
    if options.read_only {
        return Some(format!(
            "`{name}` changes the org and this server is read-only; {}",
            options.how_to_allow_writes
        ));
    }
    if !options.allow_writes {
        return Some(format!(
            "`{name}` is a {kind} tool and this server offers read tools only; {}",
            options.how_to_allow_writes
        ));
    }
    None
}
