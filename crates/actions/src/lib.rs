//! Spindle's action catalog: one named action per supported Okta use case.
//!
//! The catalog is the single source behind every surface that offers actions — the `spindle` CLI
//! today, the gateway's HTTP API and the MCP server later — so that an action is described once and
//! every surface says the same thing about it: its [`catalog`] entry (what it is, which Okta
//! endpoint, which scopes), its typed input and output in [`actions`] and [`models`] (from which
//! the JSON Schemas are generated), and its documentation in `docs/actions.md` ([`docs`]).
//!
//! Running an action is three pure steps around one HTTP call, so that [`execute()`] (through a
//! [`spindle_okta::Client`]) only has to send requests:
//! 1. [`validate_input`] turns JSON into a typed [`ValidInput`], or reports every problem;
//! 2. [`ValidInput::okta_request`] ([`request`]) gives the Okta call (method, encoded path, query,
//!    body) — or, for `terminate_employee`, [`hris::TerminationPlan`] gives the calls;
//! 3. [`ValidInput::output`] ([`response`]) turns Okta's answer into the action's output.
//!
//! ```
//! use spindle_actions::catalog;
//!
//! let action = catalog::get("delete_a_group").expect("a known action");
//! assert_eq!(action.path, "/api/v1/groups/{groupId}");
//! assert_eq!(action.path_params().collect::<Vec<_>>(), ["groupId"]);
//!
//! let input = serde_json::json!({"groupId": ""});
//! let error = spindle_actions::validate_input("delete_a_group", &input).unwrap_err();
//! assert_eq!(error.problems()[0].to_string(), r#"groupId: expected a non-empty string, got """#);
//! ```

pub mod actions;
pub mod catalog;
pub mod docs;
pub mod execute;
pub mod hris;
pub mod models;
pub mod request;
pub mod response;
pub mod schema;
pub mod validate;

pub use actions::{Action, ValidInput};
pub use catalog::{ActionSpec, HttpMethod, Operation, Server};
pub use execute::{ExecuteError, execute, execute_with_aerial};
pub use validate::{InputError, Problem};

use serde_json::Value;

/// Checks `input` for the action `id` and returns it typed, or every problem found.
///
/// The input is first checked against the action's JSON Schema (types, required and unknown
/// fields, enums, ranges, and the `email`, `date-time` and `uri` formats), reporting all problems
/// at once; an input that passes is then deserialized into the action's input type and checked
/// for cross-field rules. Nothing is sent anywhere.
///
/// # Errors
///
/// [`InputError::UnknownAction`] for an id not in the catalog, [`InputError::Invalid`] with the
/// problems (sorted by path) for a bad input.
pub fn validate_input(id: &str, input: &Value) -> Result<ValidInput, InputError> {
    let Some(entry) = actions::entry(id) else {
        return Err(InputError::UnknownAction {
            id: id.to_owned(),
            suggestions: catalog::suggest(id, 3),
        });
    };
    let invalid = |problems| InputError::Invalid {
        action: entry.id,
        problems,
    };
    let compiled = actions::compiled(entry).ok_or_else(|| {
        invalid(vec![Problem::new(
            "input",
            "this action has no input schema",
        )])
    })?;
    let validator = compiled.validator.as_ref().map_err(|err| {
        invalid(vec![Problem::new(
            "input",
            format!("the action's schema does not compile: {err}"),
        )])
    })?;
    let problems = validate::schema_problems(validator, &compiled.schema, input);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    (entry.parse)(input).map_err(|mut problems| {
        problems.sort();
        invalid(problems)
    })
}
