//! The definition of an action: what every action file implements.

use std::fmt::Debug;
use std::future::Future;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use spindle_okta::Client;

use crate::actions::common::NonEmpty;
use crate::catalog::Spec;
use crate::execute::ExecuteError;
use crate::validate::Problem;

/// One action: its input type, with the action's [`Spec`], output and client call.
///
/// An action is a thin adapter: its input (deserialized and checked against its JSON Schema before
/// anything is sent) becomes a call of the typed client [`spindle_okta::Client`] (several calls
/// for multi-step actions like `terminate_employee`), whose models are the output or its items.
/// Okta's paths, parameters and models are written once, in `spindle-okta`; an action never builds
/// an Okta request by hand.
pub trait Action:
    DeserializeOwned + Serialize + JsonSchema + Debug + Clone + Send + Sync + 'static
{
    /// What the action is, and which Okta call it makes.
    const SPEC: Spec;
    /// What the action outputs: a client model, a page of them, or a result Spindle defines for
    /// a call Okta answers without a body. Its JSON Schema is the action's output schema.
    type Output: Serialize + JsonSchema + Send;

    /// A realistic input, used in the docs and in tests (it always validates).
    fn example() -> Value;

    /// Rules the schema cannot express (e.g. "exactly one of `orgId` and `domain`"). An empty
    /// list means the input is acceptable.
    fn check(&self) -> Vec<Problem> {
        Vec::new()
    }

    /// For a list: continues from `next`, the cursor of the previous page's output. Returns
    /// `false` for an action that is not a list.
    fn set_cursor(&mut self, next: NonEmpty) -> bool {
        let _ = next;
        false
    }

    /// Runs the action with `client`, the client of the Okta API that serves it
    /// ([`Spec::server`]).
    fn run(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<Self::Output, ExecuteError>> + Send;
}
