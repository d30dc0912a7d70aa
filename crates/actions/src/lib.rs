//! Spindle's action catalog: one named action per supported Okta use case.
//!
//! The catalog is the single source behind every surface that offers actions — the `spindle` CLI
//! today, the gateway's HTTP API and the MCP server later — so that an action is described once and
//! every surface says the same thing about it: its [`catalog`] entry (what it is, which Okta
//! endpoint, which scopes), its typed input and output in [`actions`] and [`models`] (from which
//! the JSON Schemas are generated), and its documentation in `docs/actions.md` ([`docs`]).
//!
//! An action is one type implementing [`Action`], in one file of [`actions`]: its [`Spec`] (id,
//! title, kind, Okta method and path, scopes), its input, its example and its call of the typed
//! client [`spindle_okta::Client`], whose models are its output. The [`registry`] gathers them.
//! Running one is:
//! 1. [`validate_input`] turns JSON into a typed [`ValidInput`], or reports every problem, before
//!    anything is sent;
//! 2. [`execute()`] picks the client of the action's Okta API from [`Clients`] and runs the
//!    action's call(s); [`pages`] follows a list to its end.
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

pub mod action;
pub mod actions;
pub mod catalog;
pub mod docs;
pub mod effects;
pub mod execute;
pub mod hris;
pub mod output;
pub mod outputs;
pub mod registry;
pub mod schema;
pub mod validate;

pub use action::Action;
pub use catalog::{ActionSpec, Effect, HttpMethod, Operation, Server, Spec};
pub use effects::{Effects, effects, toolset};
pub use execute::{Clients, ExecuteError, execute, execute_output, output_pages, pages};
pub use output::Output;
pub use registry::ValidInput;
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
    let Some(action) = catalog::get(id) else {
        return Err(InputError::UnknownAction {
            id: id.to_owned(),
            suggestions: catalog::suggest(id, 3),
        });
    };
    let invalid = |problems| InputError::Invalid {
        action: action.id,
        problems,
    };
    let compiled = registry::compiled(action);
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
    (action.typed.parse)(input).map_err(|mut problems| {
        problems.sort();
        invalid(problems)
    })
}
