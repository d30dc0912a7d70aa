//! `docs/actions.md`, rendered from the catalog.
//!
//! The page is never edited by hand: [`render`] writes it from the catalog entries and the input
//! and output schemas, and a test fails when the committed file differs from the rendering
//! (`UPDATE_DOCS=1 cargo test -p spindle-actions` rewrites it).

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::catalog::{self, ActionSpec};

/// The command that regenerates the page.
pub const REGENERATE: &str = "UPDATE_DOCS=1 cargo test -p spindle-actions --test it docs";

/// The whole of `docs/actions.md`.
pub fn render() -> String {
    let mut out = String::new();
    out.push_str("<!-- Generated from the action catalog by spindle_actions::docs::render(). Do not edit by hand. -->\n");
    let _ = writeln!(out, "<!-- Regenerate with: {REGENERATE} -->\n");
    out.push_str("# Actions\n\n");
    let _ = writeln!(
        out,
        "Spindle offers {} actions, one per supported Okta use case. Every surface (the CLI, the \
         gateway's HTTP API, MCP) offers the same actions with the same input and output schemas.\n",
        catalog::all().len()
    );
    out.push_str(CONVENTIONS);
    out.push_str("\n## Index\n\n| Id | Title | Okta endpoint |\n|---|---|---|\n");
    for action in catalog::all() {
        let _ = writeln!(
            out,
            "| [`{id}`](#{id}) | {title} | `{method} {path}` |",
            id = action.id,
            title = cell(action.title),
            method = action.method,
            path = action.path
        );
    }
    for action in catalog::all() {
        out.push('\n');
        render_action(&mut out, action);
    }
    out
}

const CONVENTIONS: &str = "## Conventions\n\n\
- **Input** is one JSON object. Okta's path and query parameters are top-level fields under Okta's \
own names (`groupId`, `sendEmail`, `limit`, `after`, ...); the request body, when Okta takes one, \
is the `body` field. Unknown fields are refused, except inside user and group profiles, which carry \
the org's custom attributes. Optional fields show Okta's default.\n\
- **Validation** happens before anything is sent to Okta, and reports every problem with its field, \
e.g. `body.profile.email: expected an email address, got \"ann\"`.\n\
- **Lists** return a page, `{\"items\": [...], \"next\": \"...\"}`; pass `next` as `after` (or \
`cursor` for employees) to get the following page. `next` is absent on the last page.\n\
- **Calls Okta answers without a body** (204, 202, `{}`) return a result object Spindle defines, \
such as `{\"deleted\": true, \"groupId\": \"...\"}`; an action never returns `null`.\n\
- The two unified-HRIS actions, `list_all_employees` and `terminate_employee`, are Spindle's own \
and use the snake_case names of the `Employee` model.\n";

fn server_name(action: &ActionSpec) -> &'static str {
    match action.server {
        catalog::Server::Management => "Management API",
        catalog::Server::Aerial => "Aerial API",
        catalog::Server::MyAccount => "MyAccount API",
    }
}

fn render_action(out: &mut String, action: &ActionSpec) {
    let _ = writeln!(out, "## `{}`\n", action.id);
    let _ = writeln!(out, "**{}** — {}\n", action.title, action.summary);
    let scopes = if action.scopes.is_empty() {
        "none (API token only)".to_owned()
    } else {
        action
            .scopes
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "- Okta endpoint: `{} {}` ({})\n- Operation: {}\n- OAuth scopes: {}\n",
        action.method,
        action.path,
        server_name(action),
        action.operation,
        scopes
    );

    out.push_str("### Input\n\n");
    let rows = input_fields(action);
    if rows.is_empty() {
        out.push_str("No input: pass `{}`.\n\n");
    } else {
        table(out, &rows);
    }

    out.push_str("### Output\n\n");
    let output = action.output_schema();
    describe_output(out, &output);

    out.push_str("### Example input\n\n```json\n");
    out.push_str(&serde_json::to_string_pretty(&action.example_input()).unwrap_or_default());
    out.push_str("\n```\n");
}

/// One documented field of an action's input (or output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDoc {
    /// Dotted path of the field, e.g. `body.profile.email`; `[]` marks array items.
    pub name: String,
    /// Short type, e.g. `integer 1–200, default \`20\``.
    pub kind: String,
    /// Whether the field must be given (when its parent is given).
    pub required: bool,
    /// What the field is, in one paragraph.
    pub description: String,
    /// Where the field goes in the Okta call.
    pub location: FieldIn,
}

/// Where an input field goes in the action's Okta call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldIn {
    /// A parameter of the Okta path (`/api/v1/groups/{groupId}`).
    Path,
    /// A query parameter, or an option of the action itself: a top-level field that is neither.
    Query,
    /// Inside `body`, the request body sent to Okta.
    Body,
}

impl FieldIn {
    /// `path`, `query` or `body`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Body => "body",
        }
    }
}

type Row = FieldDoc;

/// Every field of the action's input, path parameters first, nested body fields as dotted
/// names: the rows of the input table of `docs/actions.md`.
pub fn input_fields(action: &ActionSpec) -> Vec<FieldDoc> {
    let mut rows = Vec::new();
    let path_params: Vec<&str> = action.path_params().collect();
    fields(&action.input_schema(), "", &path_params, &mut rows, 0);
    for row in &mut rows {
        let top = row
            .name
            .split(['.', '['])
            .next()
            .unwrap_or_default()
            .to_owned();
        row.location = if path_params.contains(&top.as_str()) {
            FieldIn::Path
        } else if top == "body" {
            FieldIn::Body
        } else {
            FieldIn::Query
        };
    }
    rows
}

fn table(out: &mut String, rows: &[Row]) {
    out.push_str("| Field | Type | Required | Description |\n|---|---|---|---|\n");
    for row in rows {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            row.name,
            cell(&row.kind),
            if row.required { "yes" } else { "no" },
            cell(&row.description)
        );
    }
    out.push('\n');
}

/// Makes text safe for a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    }
}

/// A short type description: `string (email)`, `integer 1–200, default 20`, `"a" \| "b"`.
fn kind(schema: &Value) -> String {
    let outer = schema;
    let schema = crate::validate::non_null(schema);
    let mut text = if let Some(options) = crate::validate::options(schema) {
        options
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" | ")
    } else if let Some(constant) = schema.get("const") {
        format!("`{constant}`")
    } else {
        let types = types_of(schema);
        match types.as_slice() {
            ["array"] => match schema.get("items") {
                Some(items) => format!("array of {}", kind(items)),
                None => "array".to_owned(),
            },
            [] if schema.get("oneOf").is_some() => "object (one of several shapes)".to_owned(),
            [] => "any".to_owned(),
            several => several.join(" or "),
        }
    };
    if let Some(format) = schema.get("format").and_then(Value::as_str)
        && ["email", "date-time", "uri", "date"].contains(&format)
    {
        let _ = write!(text, " ({format})");
    }
    match (schema.get("minimum"), schema.get("maximum")) {
        (Some(a), Some(b)) => {
            let _ = write!(text, " {a}–{b}");
        }
        (Some(a), None) if a.as_u64() != Some(0) => {
            let _ = write!(text, " ≥ {a}");
        }
        _ => {}
    }
    match (
        schema.get("minLength").and_then(Value::as_u64),
        schema.get("maxLength").and_then(Value::as_u64),
    ) {
        (Some(1), None) => text.push_str(", non-empty"),
        (Some(a), Some(b)) if a == b => {
            let _ = write!(text, ", exactly {a} chars");
        }
        (Some(a), Some(b)) => {
            let _ = write!(text, ", {a}–{b} chars");
        }
        (None, Some(b)) => {
            let _ = write!(text, ", ≤ {b} chars");
        }
        (Some(a), None) => {
            let _ = write!(text, ", ≥ {a} chars");
        }
        (None, None) => {}
    }
    if let Some(default) = outer.get("default").or_else(|| schema.get("default")) {
        let _ = write!(text, ", default `{default}`");
    }
    text
}

fn description(schema: &Value) -> String {
    let text = schema
        .get("description")
        .or_else(|| crate::validate::non_null(schema).get("description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    // The first paragraph only: later ones explain design, not the field.
    text.split("\n\n").next().unwrap_or("").to_owned()
}

fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("properties").and_then(Value::as_object)
}

fn required(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The rows of every field of `schema`, nested fields as dotted names (`body.profile.email`),
/// array items as `[]`, and the shapes of a `oneOf` each under their tag value.
fn fields(schema: &Value, prefix: &str, first: &[&str], rows: &mut Vec<Row>, depth: usize) {
    if depth > 5 {
        return;
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        for branch in branches {
            let tag = properties(branch).and_then(|p| {
                p.iter()
                    .find_map(|(k, v)| Some(format!("{k} = {}", v.get("const")?)))
            });
            let mut branch_rows = Vec::new();
            fields(branch, prefix, &[], &mut branch_rows, depth + 1);
            for mut row in branch_rows {
                if let Some(tag) = &tag {
                    row.description = format!("(when {tag}) {}", row.description);
                }
                rows.push(row);
            }
        }
        return;
    }
    let Some(props) = properties(schema) else {
        return;
    };
    let needed = required(schema);
    let mut names: Vec<&String> = props.keys().collect();
    // Path parameters first (in path order), then query parameters, the body last.
    names.sort_by_key(|n| {
        let position = first.iter().position(|p| p == n).unwrap_or(first.len());
        (position, n.as_str() == "body", n.to_ascii_lowercase())
    });
    for name in names {
        let Some(outer) = props.get(name) else {
            continue;
        };
        let field = crate::validate::non_null(outer);
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        rows.push(Row {
            name: path.clone(),
            kind: kind(outer),
            required: needed.contains(&name.as_str()),
            description: description(outer),
            location: FieldIn::Query,
        });
        if field.get("additionalProperties") == Some(&Value::Bool(true)) {
            rows.push(Row {
                name: format!("{path}.*"),
                kind: "any".to_owned(),
                required: false,
                description: "Custom attributes defined in the org's schema.".to_owned(),
                location: FieldIn::Query,
            });
        }
        let items_prefix = format!("{path}[]");
        match types_of(field).as_slice() {
            ["array"] => {
                if let Some(items) = field.get("items") {
                    fields(items, &items_prefix, &[], rows, depth + 1);
                }
            }
            _ => fields(field, &path, &[], rows, depth + 1),
        }
    }
}

fn describe_output(out: &mut String, schema: &Value) {
    let is_page =
        properties(schema).is_some_and(|p| p.contains_key("items") && p.contains_key("next"));
    let target = if is_page {
        let items = &schema["properties"]["items"]["items"];
        let _ = writeln!(
            out,
            "A page: `items` (each as below) and `next`, the cursor of the following page \
             (absent on the last page).\n\nEach item: {}\n",
            description(items)
        );
        items
    } else {
        let _ = writeln!(out, "{}\n", description(schema));
        schema
    };
    let mut rows = Vec::new();
    if let Some(props) = properties(target) {
        let mut names: Vec<&String> = props.keys().collect();
        names.sort_by_key(|n| n.to_ascii_lowercase());
        for name in names {
            let field = &props[name];
            rows.push(Row {
                name: name.clone(),
                kind: kind(field),
                required: required(target).contains(&name.as_str()),
                description: description(field),
                location: FieldIn::Body,
            });
        }
    }
    if !rows.is_empty() {
        table(out, &rows);
    }
    if target.get("additionalProperties") == Some(&Value::Bool(true)) {
        out.push_str("Other fields Okta returns are passed through unchanged.\n\n");
    }
}
